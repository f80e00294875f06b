/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The printers of `netrig show` and `netrig route get`, on a hand-built
 * namespace (the shape of scapy-stack.md's netns A):
 *
 *   lo (1)  127.0.0.1/8, ::1/128
 *   vA (2)  198.51.100.1/24, 198.51.100.50/24 secondary,
 *           2001:db8:1::1/64, fe80::ff:fe00:a/64
 *   vC (3)  203.0.113.1/26 tentative, up without carrier
 *
 *   default via 198.51.100.254 dev vA metric 100
 *   203.0.113.128/25 via 198.51.100.2 dev vA
 *   203.0.113.64/28 via 198.51.100.2 dev vA src 198.51.100.50
 *   198.51.100.0/24 dev vA proto kernel scope link src 198.51.100.1
 *   unreachable 203.0.113.112/28
 *   203.0.113.240/28 nexthop via 198.51.100.2 dev vA nexthop via 198.51.100.3 dev vA
 *   local 198.51.100.1 dev vA table local proto kernel scope host src 198.51.100.1
 *
 * Every expected string is the full output, byte for byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "output/json_out.h"
#include "output/resolv_out.h"
#include "output/route_out.h"
#include "output/show_text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IFF_UP_ 0x1u
#define IFF_BROADCAST_ 0x2u
#define IFF_LOOPBACK_ 0x8u
#define IFF_RUNNING_ 0x40u
#define IFF_MULTICAST_ 0x1000u
#define IFF_LOWER_UP_ 0x10000u

static struct nr_addr A(const char *s)
{
	struct nr_addr a;

	assert_int_equal(nr_addr_parse(s, AF_UNSPEC, &a), 0);
	return a;
}

static struct nr_prefix P(const char *s)
{
	struct nr_prefix p;

	assert_int_equal(nr_prefix_parse(s, AF_UNSPEC, NR_PREFIX_PARSE_HOST_BITS, &p), 0);
	return p;
}

static const struct nr_addr NONE = { .family = AF_UNSPEC };

struct fixture {
	struct nr_ifaddr lo_addrs[2], va_addrs[4], vc_addrs[1];
	struct nr_iface lo, va, vc;
	const struct nr_iface *ifaces[3];
	struct nr_nexthop nh_gw254, nh_gw2, nh_va, nh_ecmp[2], nh_lo6, nh_va6, nh_va6gw;
	struct nr_route routes[7], routes6[4];
	const struct nr_route *rp[11];
	struct nr_rule rules[4];
	const struct nr_rule *rlp[4];
	struct nr_neigh_entry neigh[2];
	const struct nr_neigh_entry *np[2];
	struct nr_view v;
};

static struct nr_ifaddr ifaddr(const char *prefix, uint8_t scope, uint32_t flags)
{
	return (struct nr_ifaddr){ .local = P(prefix), .peer = NONE, .broadcast = NONE,
				   .scope = scope, .flags = flags, .valid_lft = UINT32_MAX,
				   .preferred_lft = UINT32_MAX };
}

static struct nr_route route(const char *dst, uint8_t type, uint32_t table, uint32_t metric,
			     const struct nr_nexthop *nh, uint16_t nnh)
{
	struct nr_prefix d = P(dst);

	return (struct nr_route){ .family = d.addr.family, .type = type, .protocol = 3,
				  .table = table, .metric = metric, .dst = d,
				  .src = { .addr = { .family = d.addr.family } },
				  .prefsrc = NONE, .nh = nh, .nh_count = nnh };
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->lo_addrs[0] = ifaddr("127.0.0.1/8", NR_SCOPE_HOST, NR_IFA_F_PERMANENT);
	strcpy(f->lo_addrs[0].label, "lo");
	f->lo_addrs[1] = ifaddr("::1/128", NR_SCOPE_HOST, NR_IFA_F_PERMANENT);
	f->va_addrs[0] = ifaddr("198.51.100.1/24", 0, NR_IFA_F_PERMANENT);
	f->va_addrs[0].broadcast = A("198.51.100.255");
	f->va_addrs[1] = ifaddr("198.51.100.50/24", 0, NR_IFA_F_PERMANENT | NR_IFA_F_SECONDARY);
	f->va_addrs[2] = ifaddr("2001:db8:1::1/64", 0, NR_IFA_F_PERMANENT | NR_IFA_F_NODAD);
	f->va_addrs[3] = ifaddr("fe80::ff:fe00:a/64", NR_SCOPE_LINK, NR_IFA_F_PERMANENT);
	f->vc_addrs[0] = ifaddr("203.0.113.1/26", 0, NR_IFA_F_PERMANENT | NR_IFA_F_TENTATIVE);

	f->lo = (struct nr_iface){ .index = 1, .name = "lo", .type = 772, .mtu = 65536,
				   .flags = IFF_UP_ | IFF_LOOPBACK_ | IFF_RUNNING_ | IFF_LOWER_UP_,
				   .operstate = NR_OPER_UNKNOWN, .lladdr = { .len = 6 },
				   .naddrs = 2, .addrs = f->lo_addrs };
	f->va = (struct nr_iface){ .index = 2, .name = "vA", .kind = "veth", .type = 1,
				   .mtu = 1500,
				   .flags = IFF_UP_ | IFF_BROADCAST_ | IFF_RUNNING_ | IFF_MULTICAST_ |
					    IFF_LOWER_UP_,
				   .operstate = NR_OPER_UP,
				   .lladdr = { .len = 6, .bytes = { 2, 0, 0, 0, 0, 0x0a } },
				   .naddrs = 4, .addrs = f->va_addrs };
	f->vc = (struct nr_iface){ .index = 3, .name = "vC", .type = 1, .mtu = 9000,
				   .flags = IFF_UP_ | IFF_BROADCAST_ | IFF_MULTICAST_, /* no carrier */
				   .operstate = NR_OPER_DOWN,
				   .lladdr = { .len = 6, .bytes = { 2, 0, 0, 0, 0, 0x0c } },
				   .naddrs = 1, .addrs = f->vc_addrs };
	f->ifaces[0] = &f->lo;
	f->ifaces[1] = &f->va;
	f->ifaces[2] = &f->vc;

	f->nh_gw254 = (struct nr_nexthop){ .gw = A("198.51.100.254"), .ifindex = 2, .weight = 1 };
	f->nh_gw2 = (struct nr_nexthop){ .gw = A("198.51.100.2"), .ifindex = 2, .weight = 1,
					 .flags = NR_RTNH_F_ONLINK };
	f->nh_va = (struct nr_nexthop){ .gw = NONE, .ifindex = 2, .weight = 1 };
	f->nh_ecmp[0] = (struct nr_nexthop){ .gw = A("198.51.100.2"), .ifindex = 2, .weight = 1 };
	f->nh_ecmp[1] = (struct nr_nexthop){ .gw = A("198.51.100.3"), .ifindex = 2, .weight = 2 };
	f->nh_lo6 = (struct nr_nexthop){ .gw = NONE, .ifindex = 1, .weight = 1 };
	f->nh_va6 = (struct nr_nexthop){ .gw = NONE, .ifindex = 2, .weight = 1 };
	f->nh_va6gw = (struct nr_nexthop){ .gw = A("fe80::1"), .ifindex = 2, .weight = 1 };

	/* Added out of order: the printers sort. */
	f->routes[0] = route("203.0.113.128/25", NR_RTN_UNICAST, NR_TABLE_MAIN, 0, &f->nh_gw2, 1);
	f->routes[1] = route("0.0.0.0/0", NR_RTN_UNICAST, NR_TABLE_MAIN, 100, &f->nh_gw254, 1);
	f->routes[2] = route("203.0.113.64/28", NR_RTN_UNICAST, NR_TABLE_MAIN, 0, &f->nh_gw254, 1);
	f->routes[2].prefsrc = A("198.51.100.50");
	f->routes[3] = route("198.51.100.0/24", NR_RTN_UNICAST, NR_TABLE_MAIN, 0, &f->nh_va, 1);
	f->routes[3].protocol = 2;
	f->routes[3].scope = NR_SCOPE_LINK;
	f->routes[3].prefsrc = A("198.51.100.1");
	f->routes[4] = route("203.0.113.112/28", NR_RTN_UNREACHABLE, NR_TABLE_MAIN, 0, NULL, 0);
	f->routes[5] = route("203.0.113.240/28", NR_RTN_UNICAST, NR_TABLE_MAIN, 0, f->nh_ecmp, 2);
	f->routes[6] = route("198.51.100.1/32", NR_RTN_LOCAL, NR_TABLE_LOCAL, 0, &f->nh_va, 1);
	f->routes[6].protocol = 2;
	f->routes[6].scope = NR_SCOPE_HOST;
	f->routes[6].prefsrc = A("198.51.100.1");

	f->routes6[0] = route("::/0", NR_RTN_UNICAST, NR_TABLE_MAIN, 1024, &f->nh_va6gw, 1);
	f->routes6[0].pref = NR_RT_PREF_HIGH;
	f->routes6[1] = route("fe80::/64", NR_RTN_UNICAST, NR_TABLE_MAIN, 256, &f->nh_va6, 1);
	f->routes6[2] = route("2001:db8:1::/64", NR_RTN_UNICAST, NR_TABLE_MAIN, 256, &f->nh_va6, 1);
	f->routes6[3] = route("2001:db8:dead::/48", NR_RTN_PROHIBIT, NR_TABLE_MAIN, 1024,
			      &f->nh_lo6, 1);
	for (size_t i = 0; i < 7; i++)
		f->rp[i] = &f->routes[i];
	for (size_t i = 0; i < 4; i++)
		f->rp[7 + i] = &f->routes6[i];

	f->rules[0] = (struct nr_rule){ .family = AF_INET, .action = NR_FR_ACT_TO_TBL,
					.priority = 0, .table = NR_TABLE_LOCAL, .protocol = 2,
					.suppress_prefixlen = -1, .suppress_ifgroup = -1 };
	f->rules[1] = (struct nr_rule){ .family = AF_INET, .action = NR_FR_ACT_TO_TBL,
					.priority = 100, .table = 100, .from = P("198.51.100.0/24"),
					.fwmark = 0x10, .fwmask = 0xff, .iifname = "lo",
					.suppress_prefixlen = 0, .suppress_ifgroup = -1,
					.protocol = 4 };
	f->rules[2] = (struct nr_rule){ .family = AF_INET, .action = NR_FR_ACT_PROHIBIT,
					.priority = 200, .to = P("192.0.2.0/24"),
					.flags = NR_FIB_RULE_INVERT, .dport_lo = 53, .dport_hi = 53,
					.suppress_prefixlen = -1, .suppress_ifgroup = -1 };
	f->rules[3] = (struct nr_rule){ .family = AF_INET, .action = NR_FR_ACT_GOTO,
					.priority = 300, .goto_target = 32766, .fwmark = 1,
					.fwmask = UINT32_MAX, .suppress_prefixlen = -1,
					.suppress_ifgroup = -1 };
	for (size_t i = 0; i < 4; i++)
		f->rlp[i] = &f->rules[i];

	f->neigh[0] = (struct nr_neigh_entry){ .ifindex = 2, .addr = A("198.51.100.254"),
					       .lladdr = { .len = 6, .bytes = { 2, 0, 0, 0, 0, 0xfe } },
					       .state = NR_NEIGH_REACHABLE, .router = true };
	f->neigh[1] = (struct nr_neigh_entry){ .ifindex = 2, .addr = A("198.51.100.9"),
					       .state = NR_NEIGH_FAILED };
	f->np[0] = &f->neigh[0];
	f->np[1] = &f->neigh[1];

	f->v = (struct nr_view){ .ifaces = f->ifaces, .nifaces = 3, .routes = f->rp,
				 .nroutes = 11, .rules = f->rlp, .nrules = 4,
				 .neigh = f->np, .nneigh = 2 };
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

/* Run a printer into a string. */
#define CAPTURE(out, call)                                              \
	do {                                                            \
		size_t len_ = 0;                                        \
		FILE *m_ = open_memstream(&(out), &len_);               \
		assert_non_null(m_);                                    \
		assert_int_equal((call), 0);                            \
		fclose(m_);                                             \
	} while (0)
#define M m_

static void test_ifaces_text(void **state)
{
	struct fixture *f = *state;
	char *out = NULL;

	CAPTURE(out, nr_print_ifaces(M, &f->v));
	assert_string_equal(
		out,
		"Source  Index  Name  MAC                IPv4                          IPv6                State    MTU    Kind      Flags\n"
		"sys     1      lo    00:00:00:00:00:00  127.0.0.1/8                   ::1/128             UNKNOWN  65536  loopback  LOOPBACK,UP,LOWER_UP\n"
		"sys     2      vA    02:00:00:00:00:0a  198.51.100.1/24               2001:db8:1::1/64    UP       1500   veth      BROADCAST,MULTICAST,UP,LOWER_UP\n"
		"                                        198.51.100.50/24 (secondary)  fe80::ff:fe00:a/64\n"
		"sys     3      vC    02:00:00:00:00:0c  203.0.113.1/26 (tentative)    -                   DOWN     9000   ether     NO-CARRIER,BROADCAST,MULTICAST,UP\n");
	free(out);
}

static void test_routes4_text(void **state)
{
	struct fixture *f = *state;
	char *out = NULL;

	CAPTURE(out, nr_print_routes4(M, &f->v));
	/*
	 * Numeric order (.64 before .112 before .128 before .240, unlike
	 * Scapy's string sort); the unreachable route has no device; ECMP
	 * takes one row per nexthop; Output IP is prefsrc, else the primary
	 * address on the gateway's subnet.
	 */
	assert_string_equal(
		out,
		"Network        Netmask          Gateway         Iface  Output IP      Metric  Type         Table  Proto   Scope   Flags\n"
		"0.0.0.0        0.0.0.0          198.51.100.254  vA     198.51.100.1   100     unicast      main   boot    global\n"
		"198.51.100.0   255.255.255.0    0.0.0.0         vA     198.51.100.1   0       unicast      main   kernel  link\n"
		"198.51.100.1   255.255.255.255  0.0.0.0         vA     198.51.100.1   0       local        local  kernel  host\n"
		"203.0.113.64   255.255.255.240  198.51.100.254  vA     198.51.100.50  0       unicast      main   boot    global\n"
		"203.0.113.112  255.255.255.240  -               -      -              0       unreachable  main   boot    global\n"
		"203.0.113.128  255.255.255.128  198.51.100.2    vA     198.51.100.1   0       unicast      main   boot    global  onlink\n"
		"203.0.113.240  255.255.255.240  198.51.100.2    vA     198.51.100.1   0       unicast      main   boot    global  nexthop 1/2 weight 1\n"
		"203.0.113.240  255.255.255.240  198.51.100.3    vA     198.51.100.1   0       unicast      main   boot    global  nexthop 2/2 weight 2\n");
	free(out);
}

static void test_routes6_text(void **state)
{
	struct fixture *f = *state;
	char *out = NULL;

	CAPTURE(out, nr_print_routes6(M, &f->v));
	/* Source candidates of matching scope; the prohibit route shows no lo. */
	assert_string_equal(
		out,
		"Destination         Next Hop  Iface  Src candidates   Metric  Type      Table  Proto  Pref    Flags\n"
		"::/0                fe80::1   vA     2001:db8:1::1    1024    unicast   main   boot   high\n"
		"2001:db8:1::/64     ::        vA     2001:db8:1::1    256     unicast   main   boot   medium\n"
		"2001:db8:dead::/48  -         -      -                1024    prohibit  main   boot   medium\n"
		"fe80::/64           ::        vA     fe80::ff:fe00:a  256     unicast   main   boot   medium\n");
	free(out);
}

static void test_rules_text(void **state)
{
	struct fixture *f = *state;
	char *out = NULL;

	CAPTURE(out, nr_print_rules(M, &f->v));
	assert_string_equal(out, "0:\tfrom all lookup local\n"
				 "100:\tfrom 198.51.100.0/24 fwmark 0x10/0xff iif lo lookup 100 "
				 "suppress_prefixlength 0 proto static\n"
				 "200:\tnot from all to 192.0.2.0/24 dport 53 prohibit\n"
				 "300:\tfrom all fwmark 0x1 goto 32766\n");
	free(out);
}

static void test_neigh_text(void **state)
{
	struct fixture *f = *state;
	char *out = NULL;

	CAPTURE(out, nr_print_neigh(M, &f->v));
	assert_string_equal(out, "198.51.100.254 dev vA lladdr 02:00:00:00:00:fe router REACHABLE\n"
				 "198.51.100.9 dev vA FAILED\n");
	free(out);
}

static char *dump(json_t *j)
{
	char *s;

	assert_non_null(j);
	s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	assert_non_null(s);
	return s;
}

static void test_ifaces_json(void **state)
{
	struct fixture *f = *state;
	char *s = dump(nr_json_ifaces(&f->v));
	json_error_t e;
	json_t *j = json_loads(s, 0, &e), *va, *ai;

	/* Field by field on vA; lo and vC by their names. */
	assert_non_null(j);
	assert_int_equal(json_array_size(j), 3);
	va = json_array_get(j, 1);
	assert_string_equal(json_string_value(json_object_get(va, "ifname")), "vA");
	assert_int_equal(json_integer_value(json_object_get(va, "ifindex")), 2);
	assert_int_equal(json_integer_value(json_object_get(va, "mtu")), 1500);
	assert_string_equal(json_string_value(json_object_get(va, "operstate")), "UP");
	assert_string_equal(json_string_value(json_object_get(va, "address")), "02:00:00:00:00:0a");
	assert_string_equal(json_string_value(json_object_get(va, "kind")), "veth");
	/* iproute2's order, RUNNING left out. */
	assert_int_equal(json_array_size(json_object_get(va, "flags")), 4);
	assert_string_equal(json_string_value(json_array_get(json_object_get(va, "flags"), 0)),
			    "BROADCAST");
	assert_string_equal(json_string_value(json_array_get(json_object_get(va, "flags"), 3)),
			    "LOWER_UP");
	ai = json_object_get(va, "addr_info");
	assert_int_equal(json_array_size(ai), 4);
	assert_string_equal(json_string_value(json_object_get(json_array_get(ai, 0), "local")),
			    "198.51.100.1");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(ai, 0), "prefixlen")), 24);
	assert_string_equal(json_string_value(json_object_get(json_array_get(ai, 0), "broadcast")),
			    "198.51.100.255");
	assert_string_equal(json_string_value(json_object_get(json_array_get(ai, 0), "scope")),
			    "global");
	assert_string_equal(
		json_string_value(json_array_get(json_object_get(json_array_get(ai, 1), "flags"), 0)),
		"secondary");
	assert_string_equal(json_string_value(json_object_get(json_array_get(ai, 3), "scope")), "link");
	assert_string_equal(json_string_value(json_object_get(json_array_get(ai, 3), "family")),
			    "inet6");
	assert_null(json_object_get(json_array_get(j, 2), "kind"));
	assert_string_equal(json_string_value(json_object_get(json_array_get(j, 2), "link_type")),
			    "ether");
	json_decref(j);
	free(s);
}

static void test_routes_json(void **state)
{
	struct fixture *f = *state;
	char *s = dump(nr_json_routes(&f->v, AF_INET));

	assert_string_equal(
		s,
		"[{\"dst\":\"default\",\"type\":\"unicast\",\"table\":\"main\",\"gateway\":\"198.51.100.254\",\"dev\":\"vA\",\"protocol\":\"boot\",\"scope\":\"global\",\"metric\":100,\"flags\":[]},"
		"{\"dst\":\"198.51.100.0/24\",\"type\":\"unicast\",\"table\":\"main\",\"dev\":\"vA\",\"protocol\":\"kernel\",\"scope\":\"link\",\"prefsrc\":\"198.51.100.1\",\"metric\":0,\"flags\":[]},"
		"{\"dst\":\"198.51.100.1\",\"type\":\"local\",\"table\":\"local\",\"dev\":\"vA\",\"protocol\":\"kernel\",\"scope\":\"host\",\"prefsrc\":\"198.51.100.1\",\"metric\":0,\"flags\":[]},"
		"{\"dst\":\"203.0.113.64/28\",\"type\":\"unicast\",\"table\":\"main\",\"gateway\":\"198.51.100.254\",\"dev\":\"vA\",\"protocol\":\"boot\",\"scope\":\"global\",\"prefsrc\":\"198.51.100.50\",\"metric\":0,\"flags\":[]},"
		"{\"dst\":\"203.0.113.112/28\",\"type\":\"unreachable\",\"table\":\"main\",\"protocol\":\"boot\",\"scope\":\"global\",\"metric\":0,\"flags\":[]},"
		"{\"dst\":\"203.0.113.128/25\",\"type\":\"unicast\",\"table\":\"main\",\"gateway\":\"198.51.100.2\",\"dev\":\"vA\",\"protocol\":\"boot\",\"scope\":\"global\",\"metric\":0,\"flags\":[\"onlink\"]},"
		"{\"dst\":\"203.0.113.240/28\",\"type\":\"unicast\",\"table\":\"main\",\"protocol\":\"boot\",\"scope\":\"global\",\"metric\":0,\"flags\":[],\"nexthops\":["
		"{\"gateway\":\"198.51.100.2\",\"dev\":\"vA\",\"weight\":1,\"flags\":[]},"
		"{\"gateway\":\"198.51.100.3\",\"dev\":\"vA\",\"weight\":2,\"flags\":[]}]}]");
	free(s);
	s = dump(nr_json_routes(&f->v, AF_INET6));
	assert_string_equal(
		s,
		"[{\"dst\":\"default\",\"type\":\"unicast\",\"table\":\"main\",\"gateway\":\"fe80::1\",\"dev\":\"vA\",\"protocol\":\"boot\",\"scope\":\"global\",\"metric\":1024,\"flags\":[],\"pref\":\"high\"},"
		"{\"dst\":\"2001:db8:1::/64\",\"type\":\"unicast\",\"table\":\"main\",\"dev\":\"vA\",\"protocol\":\"boot\",\"scope\":\"global\",\"metric\":256,\"flags\":[],\"pref\":\"medium\"},"
		"{\"dst\":\"2001:db8:dead::/48\",\"type\":\"prohibit\",\"table\":\"main\",\"protocol\":\"boot\",\"scope\":\"global\",\"metric\":1024,\"flags\":[],\"pref\":\"medium\"},"
		"{\"dst\":\"fe80::/64\",\"type\":\"unicast\",\"table\":\"main\",\"dev\":\"vA\",\"protocol\":\"boot\",\"scope\":\"global\",\"metric\":256,\"flags\":[],\"pref\":\"medium\"}]");
	free(s);
}

static void test_rules_json(void **state)
{
	struct fixture *f = *state;
	char *s = dump(nr_json_rules(&f->v, AF_INET));

	assert_string_equal(
		s,
		"[{\"family\":\"inet\",\"priority\":0,\"src\":\"all\",\"table\":\"local\",\"protocol\":\"kernel\"},"
		"{\"family\":\"inet\",\"priority\":100,\"src\":\"198.51.100.0\",\"srclen\":24,\"fwmark\":\"0x10\",\"fwmask\":\"0xff\",\"iif\":\"lo\",\"table\":\"100\",\"suppress_prefixlen\":0,\"protocol\":\"static\"},"
		"{\"family\":\"inet\",\"priority\":200,\"not\":true,\"src\":\"all\",\"dst\":\"192.0.2.0\",\"dstlen\":24,\"dport_start\":53,\"dport_end\":53,\"action\":\"prohibit\"},"
		"{\"family\":\"inet\",\"priority\":300,\"src\":\"all\",\"fwmark\":\"0x1\",\"action\":\"goto\",\"target\":32766}]");
	free(s);
	/* No IPv6 rule in the view: an empty array, not null. */
	s = dump(nr_json_rules(&f->v, AF_INET6));
	assert_string_equal(s, "[]");
	free(s);
}

static void test_neigh_json(void **state)
{
	struct fixture *f = *state;
	char *s = dump(nr_json_neigh(&f->v));

	assert_string_equal(s, "[{\"dst\":\"198.51.100.254\",\"dev\":\"vA\",\"lladdr\":\"02:00:00:00:00:fe\",\"router\":null,\"state\":[\"REACHABLE\"]},"
			       "{\"dst\":\"198.51.100.9\",\"dev\":\"vA\",\"state\":[\"FAILED\"]}]");
	free(s);
}

static void test_bad_utf8_name_is_sanitized(void **state)
{
	struct fixture *f = *state;
	char *s;

	strcpy(f->va.name, "v\xff\"");
	s = dump(nr_json_ifaces(&f->v));
	assert_non_null(strstr(s, "\"ifname\":\"v\xef\xbf\xbd\\\"\""));
	free(s);
}

/* ---- nameservers ----------------------------------------------------- */

static const char resolv_text[] = "nameserver 192.0.2.53\n"	  /* line 1 */
				  "nameserver 2001:db8::53\n"	  /* 2 */
				  "search lab.test example.org\n" /* 3 */
				  "options ndots:2 rotate\n"	  /* 4 */
				  "nameserver 192.0.2.54\n"	  /* 5 */
				  "nameserver 192.0.2.55\n"	  /* 6: the 4th, not used */
				  "nameservers 192.0.2.9\n";	  /* 7: unknown keyword */

static void test_resolv_text(void **state)
{
	struct nr_resolv *r = nr_resolv_new();
	char *out = NULL;
	const char *w;

	(void)state;
	assert_non_null(r);
	assert_int_equal(nr_resolv_parse(r, resolv_text, strlen(resolv_text)), 0);
	CAPTURE(out, nr_print_resolv(M, r));
	/* Effective options in full (timeout and attempts are glibc's defaults). */
	w = "nameserver 192.0.2.53\n"
	    "nameserver 2001:db8::53\n"
	    "nameserver 192.0.2.54\n"
	    "nameserver 192.0.2.55  # not used: glibc queries the first 3\n"
	    "search lab.test example.org\n"
	    "options ndots:2 timeout:5 attempts:2 rotate\n";
	assert_memory_equal(out, w, strlen(w));
	/* Then the parser's warnings as comments, with their line numbers. */
	assert_non_null(strstr(out + strlen(w), "# line 7: "));
	assert_non_null(strstr(out + strlen(w), "(line ignored)\n"));
	free(out);
	nr_resolv_free(r);
}

static void test_resolv_json(void **state)
{
	struct nr_resolv *r = nr_resolv_new();
	json_t *j, *ns, *o;

	(void)state;
	assert_int_equal(nr_resolv_parse(r, resolv_text, strlen(resolv_text)), 0);
	j = nr_json_resolv(r);
	assert_non_null(j);
	ns = json_object_get(j, "nameservers");
	assert_int_equal(json_array_size(ns), 4);
	assert_string_equal(json_string_value(json_object_get(json_array_get(ns, 1), "address")),
			    "2001:db8::53");
	assert_true(json_is_true(json_object_get(json_array_get(ns, 2), "used")));
	assert_true(json_is_false(json_object_get(json_array_get(ns, 3), "used")));
	assert_int_equal(json_integer_value(json_object_get(json_array_get(ns, 3), "line")), 6);
	assert_string_equal(json_string_value(json_array_get(json_object_get(j, "search"), 1)),
			    "example.org");
	assert_true(json_is_false(json_object_get(j, "domain")));
	o = json_object_get(j, "options");
	assert_int_equal(json_integer_value(json_object_get(o, "ndots")), 2);
	assert_int_equal(json_integer_value(json_object_get(o, "timeout")), 5);
	assert_true(json_is_true(json_object_get(o, "rotate")));
	assert_true(json_is_false(json_object_get(o, "edns0")));
	/* The unused 4th nameserver (line 6) and the unknown keyword (line 7, rejected). */
	o = json_object_get(j, "warnings");
	assert_int_equal(json_array_size(o), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(o, 0), "line")), 6);
	assert_true(json_is_false(json_object_get(json_array_get(o, 0), "rejected")));
	assert_int_equal(json_integer_value(json_object_get(json_array_get(o, 1), "line")), 7);
	assert_true(json_is_true(json_object_get(json_array_get(o, 1), "rejected")));
	json_decref(j);
	/* An empty configuration: no nameserver, the defaults. */
	nr_resolv_clear(r);
	j = nr_json_resolv(r);
	assert_int_equal(json_array_size(json_object_get(j, "nameservers")), 0);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "options"), "ndots")), 1);
	json_decref(j);
	nr_resolv_free(r);
}

/* ---- route get -------------------------------------------------------- */

static struct nr_route_query query(const char *dst)
{
	return (struct nr_route_query){ .dst = A(dst), .src = NONE };
}

static void route_get_both(const struct nr_view *v, const struct nr_route_query *q,
			   const struct nr_route_result *r, const char *text, const char *json)
{
	char *out = NULL, *jout = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&jout, &len);
	struct nr_jsonl w;

	CAPTURE(out, (nr_print_route_result(M, v, q, r), 0));
	assert_string_equal(out, text);
	free(out);
	assert_int_equal(nr_jsonl_init(&w, m, 0), 0);
	nr_jsonl_route_result(&w, v, q, r);
	assert_int_equal(nr_jsonl_done(&w), 0);
	fclose(m);
	assert_string_equal(jout, json);
	free(jout);
}

static void test_route_get_unicast(void **state)
{
	struct fixture *f = *state;
	struct nr_route_query q = query("203.0.113.7");
	struct nr_route_result r = { .type = NR_RTN_UNICAST, .table = NR_TABLE_MAIN, .ifindex = 2,
				     .gateway = A("198.51.100.254"), .prefsrc = A("198.51.100.1"),
				     .route = &f->routes[1] };

	assert_false(nr_route_result_refused(&r));
	route_get_both(&f->v, &q, &r,
		       "203.0.113.7 via 198.51.100.254 dev vA table main src 198.51.100.1\n",
		       "{\"dst\":\"203.0.113.7\",\"table\":\"main\",\"dev\":\"vA\","
		       "\"gateway\":\"198.51.100.254\",\"prefsrc\":\"198.51.100.1\"}\n");
	/* On-link, with from and iif echoed, table by number, unknown ifindex by number. */
	q = query("2001:db8:1::5");
	q.src = A("2001:db8:1::1");
	q.iif = 3;
	r = (struct nr_route_result){ .type = NR_RTN_UNICAST, .table = 100, .ifindex = 7,
				      .gateway = NONE, .prefsrc = NONE, .route = &f->routes6[2] };
	route_get_both(&f->v, &q, &r,
		       "2001:db8:1::5 from 2001:db8:1::1 dev 7 table 100 iif vC\n",
		       "{\"dst\":\"2001:db8:1::5\",\"table\":\"100\",\"dev\":\"7\"}\n");
}

static void test_route_get_local(void **state)
{
	struct fixture *f = *state;
	struct nr_route_query q = query("198.51.100.1");
	struct nr_route_result r = { .type = NR_RTN_LOCAL, .table = NR_TABLE_LOCAL, .ifindex = 1,
				     .gateway = NONE, .prefsrc = A("198.51.100.1"),
				     .route = &f->routes[6] };

	assert_false(nr_route_result_refused(&r));
	route_get_both(&f->v, &q, &r, "local 198.51.100.1 dev lo table local src 198.51.100.1\n",
		       "{\"dst\":\"198.51.100.1\",\"type\":\"local\",\"table\":\"local\","
		       "\"dev\":\"lo\",\"prefsrc\":\"198.51.100.1\"}\n");
}

static void test_route_get_refused(void **state)
{
	struct fixture *f = *state;
	struct nr_route_query q = query("203.0.113.120");
	struct nr_route_result r = { .error = -EHOSTUNREACH, .type = NR_RTN_UNREACHABLE,
				     .table = NR_TABLE_MAIN, .gateway = NONE, .prefsrc = NONE,
				     .route = &f->routes[4] };

	assert_true(nr_route_result_refused(&r));
	route_get_both(&f->v, &q, &r, "unreachable 203.0.113.120 table main: No route to host\n",
		       "{\"dst\":\"203.0.113.120\",\"type\":\"unreachable\",\"table\":\"main\"}\n");
	/* IPv6 reject routes answer with error 0 and their type: still refused. */
	q = query("2001:db8:dead::1");
	r = (struct nr_route_result){ .type = NR_RTN_PROHIBIT, .table = NR_TABLE_MAIN,
				      .ifindex = 1, .gateway = NONE, .prefsrc = NONE,
				      .route = &f->routes6[3] };
	assert_true(nr_route_result_refused(&r));
	route_get_both(&f->v, &q, &r, "prohibit 2001:db8:dead::1 table main: Permission denied\n",
		       "{\"dst\":\"2001:db8:dead::1\",\"type\":\"prohibit\",\"table\":\"main\"}\n");
	/* No route at all. */
	q = query("192.0.2.9");
	r = (struct nr_route_result){ .error = -ENETUNREACH, .gateway = NONE, .prefsrc = NONE };
	assert_true(nr_route_result_refused(&r));
	route_get_both(&f->v, &q, &r, "unreachable 192.0.2.9: no route\n",
		       "{\"dst\":\"192.0.2.9\",\"type\":\"unreachable\",\"error\":\"no route\"}\n");
}

static void test_scapy_tuple(void **state)
{
	char *out = NULL, *jout = NULL;
	size_t len = 0;
	FILE *m;
	struct nr_jsonl w;
	struct nr_addr d = A("198.51.100.7");

	(void)state;
	CAPTURE(out, (nr_print_scapy_tuple(M, "eth0", "198.51.100.1", "198.51.100.254"), 0));
	assert_string_equal(out, "('eth0', '198.51.100.1', '198.51.100.254')\n");
	free(out);
	/* Python's repr switches quotes around a quote. */
	CAPTURE(out, (nr_print_scapy_tuple(M, "e'0", "a\\b", "x"), 0));
	assert_string_equal(out, "(\"e'0\", 'a\\\\b', 'x')\n");
	free(out);
	m = open_memstream(&jout, &len);
	assert_int_equal(nr_jsonl_init(&w, m, 0), 0);
	nr_jsonl_scapy(&w, &d, "lo", "0.0.0.0", "0.0.0.0");
	assert_int_equal(nr_jsonl_done(&w), 0);
	fclose(m);
	assert_string_equal(jout, "{\"dst\":\"198.51.100.7\",\"scapy\":[\"lo\",\"0.0.0.0\",\"0.0.0.0\"]}\n");
	free(jout);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ifaces_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_routes4_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_routes6_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rules_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_neigh_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ifaces_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_routes_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rules_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_neigh_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_utf8_name_is_sanitized, setup, teardown),
		cmocka_unit_test_setup_teardown(test_route_get_unicast, setup, teardown),
		cmocka_unit_test_setup_teardown(test_route_get_local, setup, teardown),
		cmocka_unit_test_setup_teardown(test_route_get_refused, setup, teardown),
		cmocka_unit_test(test_scapy_tuple),
		cmocka_unit_test(test_resolv_text),
		cmocka_unit_test(test_resolv_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
