/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Scapy 2.5.0's model on hand-built stacks: every quirk of the reference's
 * section 1.4 (IPv4) and section 2 (IPv6), the printers against the
 * reference's exact output, the CPython sort on Scapy's inconsistent
 * comparators against answers taken from the real Scapy 2.5.0, the
 * divergence classifier, and the embedded bridge script against
 * harness/scapy/bridge.py.
 */
#include "scapy/bridge_int.h"
#include "scapy/model_int.h"
#include "scapy/scapy_compare.h"
#include "scapy/scapy_model.h"

#include "netrig/netns.h"
#include "netrig/stack.h"

#include <net/if.h> /* before cap-ng.h, which pulls in linux/if.h */

#include <cap-ng.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

/* ---- building stacks ------------------------------------------------- */

static void add_iface(struct nr_stack *s, int index, const char *name, uint32_t flags)
{
	struct nr_iface ifc;

	memset(&ifc, 0, sizeof(ifc));
	ifc.index = index;
	snprintf(ifc.name, sizeof(ifc.name), "%s", name);
	ifc.flags = flags;
	assert_int_equal(nr_iface_add(nr_stack_ifaces(s), &ifc), 0);
}

/* "198.51.100.1/24" [label] [secondary]; IPv6 scope from the address. */
static void add_addr(struct nr_stack *s, int index, const char *pfx, const char *label, uint32_t flags)
{
	struct nr_ifaddr a;

	memset(&a, 0, sizeof(a));
	assert_int_equal(nr_prefix_parse(pfx, AF_UNSPEC, NR_PREFIX_PARSE_HOST_BITS, &a.local), 0);
	if (label)
		snprintf(a.label, sizeof(a.label), "%s", label);
	a.flags = flags;
	if (a.local.addr.family == AF_INET6) {
		unsigned sc = nr_scapy_kernel_scope6(&a.local.addr);

		a.scope = sc == 0x20 ? NR_SCOPE_LINK : sc == 0x10 ? NR_SCOPE_HOST : sc == 0x40 ? NR_SCOPE_SITE : 0;
	} else if (a.local.addr.bytes[0] == 127) {
		a.scope = NR_SCOPE_HOST;
	}
	assert_int_equal(nr_iface_addr_add(nr_stack_ifaces(s), index, &a), 0);
}

/*
 * "TABLE TYPE PREFIX [via GW] [dev N] [metric N] [src A] [nexthop via GW dev N]..."
 * as `ip route` writes it (devices by index).
 */
static void add_route(struct nr_stack *s, const char *spec)
{
	char buf[256], *save = NULL, *tok;
	struct nr_route r;
	struct nr_nexthop nh[8];
	int cur = -1;

	memset(&r, 0, sizeof(r));
	memset(nh, 0, sizeof(nh));
	snprintf(buf, sizeof(buf), "%s", spec);
	tok = strtok_r(buf, " ", &save);
	r.table = !strcmp(tok, "main") ? NR_TABLE_MAIN : !strcmp(tok, "local") ? NR_TABLE_LOCAL
									 : (uint32_t)atoi(tok);
	tok = strtok_r(NULL, " ", &save);
	assert_int_equal(nr_rtype_parse(tok, &r.type), 0);
	tok = strtok_r(NULL, " ", &save);
	assert_int_equal(nr_prefix_parse(tok, AF_UNSPEC, 0, &r.dst), 0);
	r.family = r.dst.addr.family;
	while ((tok = strtok_r(NULL, " ", &save))) {
		char *val = strtok_r(NULL, " ", &save);

		if (!strcmp(tok, "nexthop")) {
			cur = r.nh_count++;
			nh[cur].weight = 1;
			tok = val;
			val = strtok_r(NULL, " ", &save);
		}
		if (cur < 0 && (!strcmp(tok, "via") || !strcmp(tok, "dev"))) {
			cur = r.nh_count++;
			nh[cur].weight = 1;
		}
		assert_non_null(val);
		if (!strcmp(tok, "via"))
			assert_int_equal(nr_addr_parse(val, AF_UNSPEC, &nh[cur].gw), 0);
		else if (!strcmp(tok, "dev"))
			nh[cur].ifindex = atoi(val);
		else if (!strcmp(tok, "metric"))
			r.metric = (uint32_t)strtoul(val, NULL, 10);
		else if (!strcmp(tok, "src"))
			assert_int_equal(nr_addr_parse(val, AF_UNSPEC, &r.prefsrc), 0);
		else
			fail_msg("bad route spec '%s'", spec);
	}
	r.nh = nh;
	r.scope = r.type == NR_RTN_LOCAL ? NR_SCOPE_HOST : 0;
	assert_int_equal(nr_stack_route_add(s, &r), 0);
}

#define UPF (IFF_UP | IFF_BROADCAST | IFF_RUNNING | IFF_MULTICAST)

/*
 * The reference's namespace A (section 1.4):
 *   lo 127.0.0.1/8; vA(2) 198.51.100.1/24 + secondary .50; vC(3) 203.0.113.1/26
 *   default via .254 metric 100, default via 203.0.113.62 metric 200,
 *   203.0.113.64/28 via .2 src .50, 203.0.113.128/25 via .2,
 *   prohibit .80/28, blackhole .96/28, unreachable .112/28, ECMP .240/28 via .2+.3,
 *   and the local table the kernel keeps (never read by 2.5.0).
 */
static struct nr_stack *netns_a(bool rejects)
{
	struct nr_stack *s = nr_stack_new();

	assert_non_null(s);
	add_iface(s, 1, "lo", IFF_UP | IFF_LOOPBACK | IFF_RUNNING);
	add_iface(s, 2, "vA", UPF);
	add_iface(s, 3, "vC", UPF);
	add_addr(s, 1, "127.0.0.1/8", "lo", 0);
	add_addr(s, 2, "198.51.100.1/24", "vA", 0);
	add_addr(s, 2, "198.51.100.50/24", "vA", NR_IFA_F_SECONDARY);
	add_addr(s, 3, "203.0.113.1/26", "vC", 0);
	add_route(s, "main unicast 0.0.0.0/0 via 198.51.100.254 dev 2 metric 100");
	add_route(s, "main unicast 0.0.0.0/0 via 203.0.113.62 dev 3 metric 200");
	add_route(s, "main unicast 198.51.100.0/24 dev 2 src 198.51.100.1");
	add_route(s, "main unicast 203.0.113.0/26 dev 3 src 203.0.113.1");
	add_route(s, "main unicast 203.0.113.64/28 via 198.51.100.2 dev 2 src 198.51.100.50");
	add_route(s, "main unicast 203.0.113.128/25 via 198.51.100.2 dev 2");
	if (rejects) {
		add_route(s, "main prohibit 203.0.113.80/28");
		add_route(s, "main blackhole 203.0.113.96/28");
		add_route(s, "main unreachable 203.0.113.112/28");
		add_route(s, "main unicast 203.0.113.240/28 nexthop via 198.51.100.2 dev 2 nexthop via 198.51.100.3 dev 2");
	}
	add_route(s, "local local 127.0.0.0/8 dev 1 src 127.0.0.1");
	add_route(s, "local local 198.51.100.1/32 dev 2 src 198.51.100.1");
	add_route(s, "local local 198.51.100.50/32 dev 2 src 198.51.100.1");
	add_route(s, "local broadcast 198.51.100.255/32 dev 2 src 198.51.100.1");
	add_route(s, "local local 203.0.113.1/32 dev 3 src 203.0.113.1");
	add_route(s, "local broadcast 203.0.113.63/32 dev 3 src 203.0.113.1");
	return s;
}

static void expect(const struct nr_scapy_model *m, const char *dst, const char *tuple, bool no_route)
{
	struct nr_scapy_answer a;
	char buf[160];

	assert_int_equal(nr_scapy_route(m, dst, &a), 0);
	nr_scapy_format_answer(&a, buf, sizeof(buf));
	if (strcmp(buf, tuple))
		fail_msg("route(%s): got %s, want %s", dst ? dst : "None", buf, tuple);
	assert_int_equal(a.no_route, no_route);
}

/* ---- IPv4 --------------------------------------------------------------- */

static void test_v4_reference_table(void **state)
{
	struct nr_stack *s = netns_a(true);
	struct nr_scapy_model *m = NULL;

	(void)state;
	assert_int_equal(nr_scapy_model_new(s, &m), 0);
	/* own primary: the lo candidate (mask /32, metric 1) */
	expect(m, "198.51.100.1", "('lo', '198.51.100.1', '0.0.0.0')", false);
	/* own secondary: not seen (primary only) [9.5] */
	expect(m, "198.51.100.50", "('vA', '198.51.100.1', '0.0.0.0')", false);
	/* prefsrc ignored [9.9] */
	expect(m, "203.0.113.70", "('vA', '198.51.100.1', '198.51.100.2')", false);
	/* prohibit / unreachable dropped: default route */
	expect(m, "203.0.113.85", "('vA', '198.51.100.1', '198.51.100.254')", false);
	expect(m, "203.0.113.120", "('vA', '198.51.100.1', '198.51.100.254')", false);
	/* blackhole kept as '*' */
	expect(m, "203.0.113.100", "('*', '0.0.0.0', '0.0.0.0')", false);
	/* ECMP: first nexthop */
	expect(m, "203.0.113.250", "('vA', '198.51.100.1', '198.51.100.2')", false);
	/* 0.0.0.0 / None: lo because the blackhole has src 0.0.0.0 [9.7] */
	expect(m, "0.0.0.0", "('lo', '0.0.0.0', '0.0.0.0')", false);
	expect(m, NULL, "('lo', '0.0.0.0', '0.0.0.0')", false);
	/* broadcast and multicast via the default gateway [9.6] */
	expect(m, "255.255.255.255", "('vA', '198.51.100.1', '198.51.100.254')", false);
	expect(m, "224.0.0.1", "('vA', '198.51.100.1', '198.51.100.254')", false);
	expect(m, "239.1.2.3", "('vA', '198.51.100.1', '198.51.100.254')", false);
	expect(m, "127.1.2.3", "('lo', '127.0.0.1', '0.0.0.0')", false);
	/* the lower metric wins among equal prefixes */
	expect(m, "192.0.2.1", "('vA', '198.51.100.1', '198.51.100.254')", false);
	/* Scapy's input forms: wildcard, range, prefix, short inet_aton form */
	expect(m, "203.0.113.*", "('vC', '203.0.113.1', '0.0.0.0')", false);
	expect(m, "203.0.113.70-80", "('vA', '198.51.100.1', '198.51.100.2')", false);
	expect(m, "198.51.100.1/24", "('lo', '198.51.100.1', '0.0.0.0')", false);
	expect(m, "127.1", "('lo', '127.0.0.1', '0.0.0.0')", false);
	/* host names are not resolved */
	{
		struct nr_scapy_answer a;

		assert_int_equal(nr_scapy_route(m, "example.invalid", &a), -EINVAL);
	}
	/* conf.iface: the smallest mask's valid interface */
	assert_string_equal(nr_scapy_model_conf_iface(m), "vA");
	nr_scapy_model_free(m);
	nr_stack_free(s);
}

static void test_v4_list(void **state)
{
	struct nr_stack *s = netns_a(true);
	struct nr_scapy_model *m = NULL;
	const struct nr_scapy_route4 *r;
	size_t n;

	(void)state;
	assert_int_equal(nr_scapy_model_new(s, &m), 0);
	n = nr_scapy_model_routes4(m, &r);
	/* lo + 2 defaults + 4 connected/via + blackhole + ECMP (prohibit,
	 * unreachable dropped; local table not read) */
	assert_int_equal(n, 9);
	/* synthetic lo first, then /proc order: key ascending, longer first */
	assert_int_equal(r[0].origin, NR_SCAPY_SYNTH_LO);
	assert_int_equal(r[0].net, 0x7f000000u);
	assert_int_equal(r[0].mask, 0xff000000u);
	assert_int_equal(r[0].metric, 1);
	assert_int_equal(r[1].net, 0);
	assert_int_equal(r[1].metric, 100);
	assert_int_equal(r[2].net, 0);
	assert_int_equal(r[2].metric, 200);
	assert_string_equal(r[2].iface, "vC");
	assert_int_equal(r[3].net, 0xc6336400u); /* 198.51.100.0 */
	assert_int_equal(r[4].net, 0xcb007100u); /* 203.0.113.0/26 */
	assert_int_equal(r[5].net, 0xcb007140u); /* .64/28 */
	assert_int_equal(r[5].src, 0xc6336401u); /* .1, prefsrc .50 ignored */
	assert_int_equal(r[6].net, 0xcb007160u); /* .96 blackhole */
	assert_string_equal(r[6].iface, "*");
	assert_int_equal(r[6].src, 0);
	assert_int_equal(r[7].net, 0xcb007180u); /* .128/25 */
	assert_int_equal(r[8].net, 0xcb0071f0u); /* .240 ECMP, first hop */
	assert_int_equal(r[8].gw, 0xc6336402u);
	nr_scapy_model_free(m);
	nr_stack_free(s);
}

static void test_v4_printer(void **state)
{
	/* The reference's exact 2.5.0 output (netns A without reject/ECMP routes). */
	static const char want[] =
		"Network        Netmask          Gateway         Iface  Output IP     Metric\n"
		"0.0.0.0        0.0.0.0          198.51.100.254  vA     198.51.100.1  100   \n"
		"0.0.0.0        0.0.0.0          203.0.113.62    vC     203.0.113.1   200   \n"
		"127.0.0.0      255.0.0.0        0.0.0.0         lo     127.0.0.1     1     \n"
		"198.51.100.0   255.255.255.0    0.0.0.0         vA     198.51.100.1  0     \n"
		"203.0.113.0    255.255.255.192  0.0.0.0         vC     203.0.113.1   0     \n"
		"203.0.113.128  255.255.255.128  198.51.100.2    vA     198.51.100.1  0     \n"
		"203.0.113.64   255.255.255.240  198.51.100.2    vA     198.51.100.1  0     ";
	struct nr_stack *s = netns_a(false);
	struct nr_scapy_model *m = NULL;
	char *out;

	(void)state;
	assert_int_equal(nr_scapy_model_new(s, &m), 0);
	out = nr_scapy_format_routes4(m);
	assert_non_null(out);
	assert_string_equal(out, want);
	free(out);
	nr_scapy_model_free(m);
	nr_stack_free(s);
}

static void test_v4_alias_and_no_route(void **state)
{
	struct nr_stack *s = nr_stack_new();
	struct nr_scapy_model *m = NULL;
	const struct nr_scapy_route4 *r;
	size_t n;

	(void)state;
	add_iface(s, 1, "lo", IFF_UP | IFF_LOOPBACK);
	add_iface(s, 2, "vA", UPF);
	add_iface(s, 3, "vAB", 0); /* down: never conf.iface */
	add_addr(s, 2, "198.51.100.1/24", "vA", 0);
	add_addr(s, 2, "203.0.113.65/26", "vA:1", 0);  /* labelled alias */
	add_addr(s, 2, "192.0.2.10/24", NULL, 0);      /* unlabelled (label = device) */
	add_addr(s, 3, "198.51.100.129/25", "vAB:7", 0);
	add_route(s, "main unicast 198.51.100.0/24 dev 2");
	add_route(s, "main unicast 203.0.113.64/26 dev 2");
	add_route(s, "main unicast 203.0.113.64/28 via 198.51.100.2 dev 2");
	add_route(s, "main unicast 192.0.2.0/24 dev 2");
	add_route(s, "main unicast 198.51.100.128/25 via 198.51.100.9 dev 2");
	assert_int_equal(nr_scapy_model_new(s, &m), 0);
	n = nr_scapy_model_routes4(m, &r);
	/* lo has no address: no synthetic route */
	assert_int_equal(n, 5);
	/* 192.0.2.0/24: no alias, primary source [9.9] */
	assert_int_equal(r[0].net, 0xc0000200u);
	assert_int_equal(r[0].src, 0xc6336401u);
	assert_int_equal(r[0].origin, NR_SCAPY_FROM_PROC);
	/* 198.51.100.128/25 on vA: "vAB:7" starts with "vA" and matches: the
	 * route moves to device vAB (Scapy's startswith) */
	assert_int_equal(r[2].net, 0xc6336480u);
	assert_string_equal(r[2].iface, "vAB");
	assert_int_equal(r[2].src, 0xc6336481u);
	assert_int_equal(r[2].origin, NR_SCAPY_ALIAS);
	/* 203.0.113.64/28 via .2 (listed before .64/26: same key, longer first):
	 * the alias's subnet .64/26 == .64, so the route takes the alias's
	 * mask /26 and address */
	assert_int_equal(r[3].net, 0xcb007140u);
	assert_int_equal(r[3].mask, 0xffffffc0u);
	assert_int_equal(r[3].gw, 0xc6336402u);
	assert_int_equal(r[3].src, 0xcb007141u);
	assert_int_equal(r[3].origin, NR_SCAPY_ALIAS);
	/* 203.0.113.64/26: the alias vA:1 gives its address */
	assert_int_equal(r[4].mask, 0xffffffc0u);
	assert_int_equal(r[4].gw, 0);
	assert_int_equal(r[4].src, 0xcb007141u);
	assert_int_equal(r[4].origin, NR_SCAPY_ALIAS);
	/* nothing matches: lo, 0.0.0.0, warning */
	expect(m, "8.8.8.8", "('lo', '0.0.0.0', '0.0.0.0')", true);
	expect(m, "192.0.2.77", "('vA', '198.51.100.1', '0.0.0.0')", false);
	/* own alias address: the lo candidate comes from the route's source */
	expect(m, "203.0.113.65", "('lo', '203.0.113.65', '0.0.0.0')", false);
	/* own unlabelled address is not known */
	expect(m, "192.0.2.10", "('vA', '198.51.100.1', '0.0.0.0')", false);
	assert_string_equal(nr_scapy_model_conf_iface(m), "vA");
	nr_scapy_model_free(m);
	nr_stack_free(s);
}

/* ---- IPv6 --------------------------------------------------------------- */

static int parse_list(const char *text, struct nr_addr *v, size_t cap)
{
	char buf[512], *save = NULL, *tok;
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", text);
	for (tok = strtok_r(buf, ",", &save); tok && (size_t)n < cap; tok = strtok_r(NULL, ",", &save))
		assert_int_equal(nr_addr_parse(tok, AF_INET6, &v[n++]), 0);
	return n;
}

static void expect_src(const char *dst, const char *cset, const char *want)
{
	struct nr_addr v[8], d;
	char buf[NR_ADDR_STRLEN];
	int n = parse_list(cset, v, 8);

	assert_int_equal(nr_addr_parse(dst, AF_INET6, &d), 0);
	nr_scapy__select_source(&d, dst, v, (size_t)n);
	if (strcmp(nr_scapy__ntop(&v[0], buf, sizeof(buf)), want))
		fail_msg("source(%s, [%s]): got %s, want %s", dst, cset, buf, want);
}

static void expect_cset(const char *in, const char *want)
{
	struct nr_addr v[8];
	char got[512] = "", buf[NR_ADDR_STRLEN];
	int n = parse_list(in, v, 8);

	nr_scapy__cset_sort(v, (size_t)n);
	for (int i = 0; i < n; i++) {
		if (i)
			strcat(got, ",");
		strcat(got, nr_scapy__ntop(&v[i], buf, sizeof(buf)));
	}
	assert_string_equal(got, want);
}

/* Answers of the real 2.5.0 functions (utils6.py), order-dependent by design. */
static void test_v6_sorts_match_python(void **state)
{
	(void)state;
	/* rule 1 bug: the first element wins when dst is a candidate */
	expect_src("2001:db8:10::1", "2001:db8:10::1,fd00:1::1", "2001:db8:10::1");
	expect_src("2001:db8:10::1", "fd00:1::1,2001:db8:10::1", "fd00:1::1");
	/* rule 2 bug, order-dependent */
	expect_src("fd00:1::5", "2001:db8:10::1,100::1,fd00:1::1", "2001:db8:10::1");
	expect_src("fd00:1::5", "fd00:1::1,100::1,2001:db8:10::1", "fd00:1::1");
	/* rule 8 ties keep the list order */
	expect_src("2001:db8:1::5", "2001:db8:1::2,2001:db8:1::1", "2001:db8:1::2");
	expect_src("2001:db8:1::5", "2001:db8:1::1,2001:db8:1::2", "2001:db8:1::1");
	/* cset_sort: "native wins" whatever the other one is */
	expect_cset("2002::1,2001:db8::1,2001:db8::2,fd00::1,2002::2",
		    "2001:db8::2,2001:db8::1,2002::1,2002::2,fd00::1");
	expect_cset("2001:db8::2,2002::1,fd00::1,2001:db8::1",
		    "2001:db8::1,2001:db8::2,2002::1,fd00::1");
}

/*
 * Namespace A + C of the reference (section 2.5), IPv6:
 *   lo ::1, 2001:db8:ff::1/128; vA(2) fe80::ff:fe00:a, 2001:db8:1::1/64;
 *   vC(3) fe80::ff:fe00:c, 2001:db8:5::1/64;
 *   e1(4) 2001:db8:10::1/64, 100::1/64, fd00:1::1/64, fe80::1:1
 *   default via 2001:db8:1::fe, 2001:db8:2::/48 via fe80::b dev vA,
 *   table 100: 2001:db8:3::/48 via 2001:db8:1::fe; unreachable 2001:db8:dead::/48
 */
static struct nr_stack *netns_a6(void)
{
	struct nr_stack *s = nr_stack_new();

	assert_non_null(s);
	add_iface(s, 1, "lo", IFF_UP | IFF_LOOPBACK | IFF_RUNNING);
	add_iface(s, 2, "vA", UPF);
	add_iface(s, 3, "vC", UPF);
	add_iface(s, 4, "e1", UPF);
	add_addr(s, 1, "127.0.0.1/8", "lo", 0);
	add_addr(s, 2, "198.51.100.1/24", "vA", 0);
	add_addr(s, 1, "::1/128", NULL, 0);
	add_addr(s, 1, "2001:db8:ff::1/128", NULL, 0);
	add_addr(s, 2, "2001:db8:1::1/64", NULL, 0);
	add_addr(s, 2, "fe80::ff:fe00:a/64", NULL, 0);
	add_addr(s, 3, "2001:db8:5::1/64", NULL, 0);
	add_addr(s, 3, "fe80::ff:fe00:c/64", NULL, 0);
	add_addr(s, 4, "2001:db8:10::1/64", NULL, 0);
	add_addr(s, 4, "100::1/64", NULL, 0);
	add_addr(s, 4, "fd00:1::1/64", NULL, 0);
	add_addr(s, 4, "fe80::1:1/64", NULL, 0);
	add_route(s, "main unicast 198.51.100.0/24 dev 2");
	add_route(s, "main unicast 0.0.0.0/0 via 198.51.100.254 dev 2");
	add_route(s, "main unicast ::/0 via 2001:db8:1::fe dev 2 metric 1024");
	add_route(s, "main unicast 2001:db8:1::/64 dev 2 metric 256");
	add_route(s, "main unicast 2001:db8:5::/64 dev 3 metric 256");
	add_route(s, "main unicast 2001:db8:10::/64 dev 4 metric 256");
	add_route(s, "main unicast 100::/64 dev 4 metric 256");
	add_route(s, "main unicast fd00:1::/64 dev 4 metric 256");
	add_route(s, "main unicast fe80::/64 dev 2 metric 256");
	add_route(s, "main unicast fe80::/64 dev 3 metric 256");
	add_route(s, "main unicast fe80::/64 dev 4 metric 256");
	add_route(s, "main unicast 2001:db8:2::/48 via fe80::b dev 2 metric 1024");
	add_route(s, "main unreachable 2001:db8:dead::/48 dev 1 metric 1024");
	add_route(s, "100 unicast 2001:db8:3::/48 via 2001:db8:1::fe dev 2 metric 1024");
	add_route(s, "local local ::1/128 dev 1 metric 0");
	add_route(s, "local local 2001:db8:ff::1/128 dev 1 metric 0");
	add_route(s, "local local 2001:db8:1::1/128 dev 2 metric 0");
	add_route(s, "local local fe80::ff:fe00:a/128 dev 2 metric 0");
	add_route(s, "local local 2001:db8:5::1/128 dev 3 metric 0");
	add_route(s, "local local fe80::ff:fe00:c/128 dev 3 metric 0");
	add_route(s, "local local 2001:db8:10::1/128 dev 4 metric 0");
	add_route(s, "local multicast ff00::/8 dev 2 metric 256");
	add_route(s, "local multicast ff00::/8 dev 3 metric 256");
	return s;
}

static void test_v6_reference_table(void **state)
{
	struct nr_stack *s = netns_a6();
	struct nr_scapy_model *m = NULL;

	(void)state;
	assert_int_equal(nr_scapy_model_new(s, &m), 0);
	assert_string_equal(nr_scapy_model_conf_iface(m), "vA");
	expect(m, "ff02::1", "('vA', 'fe80::ff:fe00:a', '::')", false);
	/* site/global/interface-local/flagged multicast via the default gw [9.14] */
	expect(m, "ff05::2", "('vA', '2001:db8:1::1', '2001:db8:1::fe')", false);
	expect(m, "ff0e::1", "('vA', '2001:db8:1::1', '2001:db8:1::fe')", false);
	expect(m, "ff01::1", "('vA', '2001:db8:1::1', '2001:db8:1::fe')", false);
	expect(m, "ff1e::1", "('vA', '2001:db8:1::1', '2001:db8:1::fe')", false);
	/* a table-100 route leaks into conf.route6 [9.3] */
	expect(m, "2001:db8:3::1", "('vA', '2001:db8:1::1', '2001:db8:1::fe')", false);
	/* reject routes dropped: default route */
	expect(m, "2001:db8:dead::1", "('vA', '2001:db8:1::1', '2001:db8:1::fe')", false);
	/* 100::/64 has no candidate of its scope class: dropped [9.12] */
	expect(m, "100::5", "('vA', '2001:db8:1::1', '2001:db8:1::fe')", false);
	/* global on lo: ::1 from the lo route */
	expect(m, "2001:db8:ff::1", "('lo', '::1', '::')", false);
	expect(m, "::1", "('lo', '::1', '::')", false);
	/* own address on the interface (local route on vA) [9.5] */
	expect(m, "2001:db8:1::1", "('vA', '2001:db8:1::1', '::')", false);
	/* link-local unicast: conf.iface forced [9.15] */
	expect(m, "fe80::1234", "('vA', 'fe80::ff:fe00:a', '::')", false);
	expect(m, "2001:db8:2::9", "('vA', '2001:db8:1::1', 'fe80::b')", false);
	expect(m, "::ffff:198.51.100.7", "('vA', '2001:db8:1::1', '2001:db8:1::fe')", false);
	nr_scapy_model_free(m);
	nr_stack_free(s);
}

static void test_v6_list_and_mutation(void **state)
{
	struct nr_stack *s = netns_a6();
	struct nr_scapy_model *m = NULL;
	const struct nr_scapy_route6 *r;
	char buf[NR_ADDR_STRLEN];
	size_t n, fd = SIZE_MAX;
	/* Scapy's in6_getifaddr() order, as the kernel's hash put it. */
	struct nr_scapy_addr6 if6[3] = {
		{.scope = 0, .ifname = "e1"}, {.scope = 0, .ifname = "e1"}, {.scope = 0, .ifname = "e1"}};

	(void)state;
	assert_int_equal(nr_scapy_model_new(s, &m), 0);
	n = nr_scapy_model_routes6(m, &r);
	/* table 100 (hash 100) before main (254) before local (255) */
	assert_string_equal(nr_scapy__ntop(&r[0].prefix, buf, sizeof(buf)), "2001:db8:3::");
	/* main in post-order: ::/0 last; 100::/64 dropped; unreachable dropped */
	assert_string_equal(nr_scapy__ntop(&r[1].prefix, buf, sizeof(buf)), "2001:db8:1::");
	assert_string_equal(nr_scapy__ntop(&r[2].prefix, buf, sizeof(buf)), "2001:db8:2::");
	assert_string_equal(nr_scapy__ntop(&r[3].prefix, buf, sizeof(buf)), "2001:db8:5::");
	assert_string_equal(nr_scapy__ntop(&r[4].prefix, buf, sizeof(buf)), "2001:db8:10::");
	assert_string_equal(nr_scapy__ntop(&r[5].prefix, buf, sizeof(buf)), "fd00:1::");
	assert_string_equal(r[6].iface, "vA");
	assert_string_equal(r[8].iface, "e1");
	assert_int_equal(r[9].plen, 0);
	assert_string_equal(nr_scapy__ntop(&r[10].prefix, buf, sizeof(buf)), "::1");
	assert_string_equal(nr_scapy__ntop(&r[11].prefix, buf, sizeof(buf)), "2001:db8:1::1");
	assert_int_equal(n, 17);
	/* ff00::/8 dropped (no candidate) */
	for (size_t i = 0; i < n; i++)
		assert_int_not_equal(r[i].prefix.bytes[0], 0xff);

	/* fd00:1::/64 on e1: candidates in cset_sort order */
	nr_addr_parse("2001:db8:10::1", AF_INET6, &if6[0].addr);
	nr_addr_parse("100::1", AF_INET6, &if6[1].addr);
	nr_addr_parse("fd00:1::1", AF_INET6, &if6[2].addr);
	assert_int_equal(nr_scapy_model_set_if_inet6(m, if6, 3), 0);
	n = nr_scapy_model_routes6(m, &r);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(nr_scapy__ntop(&r[i].prefix, buf, sizeof(buf)), "fd00:1::"))
			fd = i;
	assert_true(fd < n);
	assert_int_equal(r[fd].ncset, 3);
	assert_string_equal(nr_scapy__ntop(&r[fd].cset[0], buf, sizeof(buf)), "2001:db8:10::1");
	assert_string_equal(nr_scapy__ntop(&r[fd].cset[1], buf, sizeof(buf)), "100::1");
	/* kernel: fd00:1::1; 2.5.0: 2001:db8:10::1 [9.13] */
	expect(m, "fd00:1::5", "('e1', '2001:db8:10::1', '::')", false);
	/* the route's candidate list went through Scapy's in-place sort: here
	 * it comes back in the same order (as the real 2.5.0 leaves it) */
	assert_string_equal(nr_scapy__ntop(&r[fd].cset[0], buf, sizeof(buf)), "2001:db8:10::1");
	assert_string_equal(nr_scapy__ntop(&r[fd].cset[2], buf, sizeof(buf)), "fd00:1::1");
	/* with only two candidates, the sort of one query reorders the route's
	 * list for every later query (utils6.py sorts in place) */
	assert_int_equal(nr_scapy_model_set_if_inet6(m, (struct nr_scapy_addr6[]){if6[0], if6[2]}, 2), 0);
	n = nr_scapy_model_routes6(m, &r);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(nr_scapy__ntop(&r[i].prefix, buf, sizeof(buf)), "fd00:1::"))
			fd = i;
	assert_string_equal(nr_scapy__ntop(&r[fd].cset[0], buf, sizeof(buf)), "2001:db8:10::1");
	expect(m, "fd00:1::7", "('e1', 'fd00:1::1', '::')", false);
	assert_string_equal(nr_scapy__ntop(&r[fd].cset[0], buf, sizeof(buf)), "fd00:1::1");
	assert_string_equal(nr_scapy__ntop(&r[fd].cset[1], buf, sizeof(buf)), "2001:db8:10::1");
	nr_scapy_model_free(m);
	nr_stack_free(s);
}

static void test_v6_no_route_and_fallbacks(void **state)
{
	struct nr_stack *s = nr_stack_new();
	struct nr_scapy_model *m = NULL;

	(void)state;
	add_iface(s, 1, "lo", IFF_UP | IFF_LOOPBACK);
	add_iface(s, 2, "e2", UPF);
	add_iface(s, 3, "e3", UPF);
	/* IPv6-only host: conf.iface is lo (get_working_if is IPv4-only, #4304) */
	add_addr(s, 2, "2001:db8:20::1/64", NULL, 0);
	add_addr(s, 2, "fe80::2/64", NULL, 0);
	add_addr(s, 3, "fe80::3/64", NULL, 0);
	add_route(s, "main unicast 2001:db8:20::/64 dev 2 metric 256");
	add_route(s, "main unicast fe80::/64 dev 3 metric 256");
	add_route(s, "main unicast fe80::/64 dev 2 metric 256");
	assert_int_equal(nr_scapy_model_new(s, &m), 0);
	assert_string_equal(nr_scapy_model_conf_iface(m), "lo");
	expect(m, "2001:db8:99::1", "('lo', '::', '::')", true);
	expect(m, "::1", "('lo', '::1', '::')", false);
	/* lo has no IPv6 route: no default route elsewhere, so the first
	 * fe80::/64 of another interface (e3, listed first) [9.15] */
	expect(m, "fe80::99", "('e3', 'fe80::3', '::')", false);
	expect(m, "ff02::1", "('e3', 'fe80::3', '::')", false);
	expect(m, "2001:db8:20::5", "('e2', '2001:db8:20::1', '::')", false);
	{
		struct nr_scapy_answer a;

		assert_int_equal(nr_scapy_route(m, "not-an-address::x", &a), -EINVAL);
	}
	nr_scapy_model_free(m);
	nr_stack_free(s);
}

static void test_v6_printer(void **state)
{
	/* The reference's 2.5.0 output (section 2.7), from netns A's IPv6. */
	static const char want[] =
		"Destination          Next Hop        Iface  Src candidates   Metric\n"
		"2001:db8:3::/48      2001:db8:1::fe  vA     2001:db8:1::1    1024  \n"
		"::/0                 2001:db8:1::fe  vA     2001:db8:1::1    1024  \n"
		"2001:db8:1::/64      ::              vA     2001:db8:1::1    256   \n"
		"2001:db8:5::/64      ::              vC     2001:db8:5::1    256   \n"
		"fe80::/64            ::              vA     fe80::ff:fe00:a  256   \n"
		"fe80::/64            ::              vC     fe80::ff:fe00:c  256   \n"
		"::1/128              ::              lo     ::1              0     \n"
		"2001:db8:1::1/128    ::              vA     2001:db8:1::1    0     \n"
		"2001:db8:5::1/128    ::              vC     2001:db8:5::1    0     \n"
		"fe80::ff:fe00:a/128  ::              vA     fe80::ff:fe00:a  0     \n"
		"fe80::ff:fe00:c/128  ::              vC     fe80::ff:fe00:c  0     \n"
		"2001:db8:2::/48      fe80::b         vA     2001:db8:1::1    1024  ";
	struct nr_stack *s = nr_stack_new();
	struct nr_scapy_model *m = NULL;
	char *out;

	(void)state;
	add_iface(s, 1, "lo", IFF_UP | IFF_LOOPBACK);
	add_iface(s, 2, "vA", UPF);
	add_iface(s, 3, "vC", UPF);
	add_addr(s, 1, "::1/128", NULL, 0);
	add_addr(s, 2, "2001:db8:1::1/64", NULL, 0);
	add_addr(s, 2, "fe80::ff:fe00:a/64", NULL, 0);
	add_addr(s, 3, "2001:db8:5::1/64", NULL, 0);
	add_addr(s, 3, "fe80::ff:fe00:c/64", NULL, 0);
	add_route(s, "100 unicast 2001:db8:3::/48 via 2001:db8:1::fe dev 2 metric 1024");
	add_route(s, "main unicast 2001:db8:1::/64 dev 2 metric 256");
	add_route(s, "main unicast 2001:db8:2::/48 via fe80::b dev 2 metric 1024");
	add_route(s, "main unicast 2001:db8:5::/64 dev 3 metric 256");
	add_route(s, "main unicast fe80::/64 dev 2 metric 256");
	add_route(s, "main unicast fe80::/64 dev 3 metric 256");
	add_route(s, "main unicast ::/0 via 2001:db8:1::fe dev 2 metric 1024");
	add_route(s, "local local ::1/128 dev 1 metric 0");
	add_route(s, "local local 2001:db8:1::1/128 dev 2 metric 0");
	add_route(s, "local local 2001:db8:5::1/128 dev 3 metric 0");
	add_route(s, "local local fe80::ff:fe00:a/128 dev 2 metric 0");
	add_route(s, "local local fe80::ff:fe00:c/128 dev 3 metric 0");
	add_route(s, "local multicast ff00::/8 dev 2 metric 256");
	assert_int_equal(nr_scapy_model_new(s, &m), 0);
	out = nr_scapy_format_routes6(m);
	assert_non_null(out);
	assert_string_equal(out, want);
	free(out);
	nr_scapy_model_free(m);
	nr_stack_free(s);
}

static void test_v6_printer_multi_cset(void **state)
{
	/*
	 * A list cell explodes one candidate per line, other cells blank; the
	 * candidates in cset_sort's order ([::1, ::2] comes out reversed, as
	 * 2.5.0 does it: "native wins" both ways).
	 */
	static const char want[] =
		"Destination      Next Hop  Iface  Src candidates  Metric\n"
		"2001:db8:1::/64  ::        e1     2001:db8:1::2   256   \n"
		"                                  2001:db8:1::1         ";
	struct nr_stack *s = nr_stack_new();
	struct nr_scapy_model *m = NULL;
	char *out;

	(void)state;
	add_iface(s, 2, "e1", UPF);
	add_addr(s, 2, "2001:db8:1::1/64", NULL, 0);
	add_addr(s, 2, "2001:db8:1::2/64", NULL, 0);
	add_route(s, "main unicast 2001:db8:1::/64 dev 2 metric 256");
	assert_int_equal(nr_scapy_model_new(s, &m), 0);
	out = nr_scapy_format_routes6(m);
	assert_non_null(out);
	assert_string_equal(out, want);
	free(out);
	nr_scapy_model_free(m);
	nr_stack_free(s);
}

/* ---- classification ------------------------------------------------------ */

static void kernel(struct nr_scapy_kernel *k, int error, uint8_t type, uint32_t table, const char *dev,
		   const char *gw, const char *src)
{
	memset(k, 0, sizeof(*k));
	k->error = error;
	k->type = type;
	k->table = table;
	snprintf(k->dev, sizeof(k->dev), "%s", dev);
	if (gw)
		assert_int_equal(nr_addr_parse(gw, AF_UNSPEC, &k->gw), 0);
	if (src)
		assert_int_equal(nr_addr_parse(src, AF_UNSPEC, &k->src), 0);
}

static void expect_cause(const struct nr_scapy_model *m, const char *dst, const struct nr_scapy_kernel *k,
			 const char *want)
{
	struct nr_scapy_answer a;
	const char *got;

	assert_int_equal(nr_scapy_route(m, dst, &a), 0);
	got = nr_scapy_divergence(m, dst, k, &a);
	if (!want) {
		if (got)
			fail_msg("%s: unexpected divergence '%s'", dst, got);
		return;
	}
	if (!got || !strstr(got, want))
		fail_msg("%s: got '%s', want '%s'", dst, got ? got : "(agree)", want);
}

static void test_divergence4(void **state)
{
	struct nr_stack *s = netns_a(true);
	struct nr_scapy_model *m = NULL;
	struct nr_scapy_kernel k;

	(void)state;
	assert_int_equal(nr_scapy_model_new(s, &m), 0);
	kernel(&k, 0, NR_RTN_UNICAST, NR_TABLE_MAIN, "vA", "198.51.100.254", "198.51.100.1");
	expect_cause(m, "192.0.2.1", &k, NULL);
	kernel(&k, -EINVAL, NR_RTN_BLACKHOLE, NR_TABLE_MAIN, "", NULL, NULL);
	expect_cause(m, "203.0.113.100", &k, "[9.1]");
	expect_cause(m, "203.0.113.100", &k, "blackhole kept");
	kernel(&k, -EACCES, NR_RTN_PROHIBIT, NR_TABLE_MAIN, "", NULL, NULL);
	expect_cause(m, "203.0.113.85", &k, "unreachable/prohibit dropped");
	kernel(&k, 0, NR_RTN_UNICAST, NR_TABLE_MAIN, "vA", "198.51.100.2", "198.51.100.50");
	expect_cause(m, "203.0.113.70", &k, "prefsrc ignored [9.9]");
	kernel(&k, 0, NR_RTN_LOCAL, NR_TABLE_LOCAL, "lo", NULL, "198.51.100.50");
	expect_cause(m, "198.51.100.50", &k, "[9.5]");
	kernel(&k, 0, NR_RTN_BROADCAST, NR_TABLE_LOCAL, "vA", NULL, "198.51.100.1");
	expect_cause(m, "255.255.255.255", &k, "broadcast via default gateway [9.6]");
	kernel(&k, 0, NR_RTN_MULTICAST, NR_TABLE_LOCAL, "vA", NULL, "198.51.100.1");
	expect_cause(m, "224.0.0.1", &k, "[9.6]");
	kernel(&k, 0, NR_RTN_UNICAST, NR_TABLE_MAIN, "vA", "198.51.100.3", "198.51.100.1");
	expect_cause(m, "203.0.113.250", &k, "ECMP: first nexthop only [9.2]");
	kernel(&k, 0, NR_RTN_UNICAST, NR_TABLE_MAIN, "vA", "198.51.100.2", "198.51.100.1");
	expect_cause(m, "203.0.113.250", &k, NULL);
	kernel(&k, 0, NR_RTN_UNICAST, 100, "vC", "203.0.113.62", "203.0.113.1");
	expect_cause(m, "192.0.2.9", &k, "policy rules and non-main tables ignored [9.3]");
	kernel(&k, -ENETUNREACH, NR_RTN_UNREACHABLE, 0, "", NULL, NULL);
	expect_cause(m, "0.0.0.0", &k, "[9.7]");
	nr_scapy_model_free(m);
	nr_stack_free(s);
}

static void test_divergence6(void **state)
{
	struct nr_stack *s = netns_a6();
	struct nr_scapy_model *m = NULL;
	struct nr_scapy_kernel k;

	(void)state;
	assert_int_equal(nr_scapy_model_new(s, &m), 0);
	kernel(&k, 0, NR_RTN_UNICAST, NR_TABLE_MAIN, "vA", "2001:db8:1::fe", "2001:db8:1::1");
	expect_cause(m, "2001:db8:77::1", &k, NULL);
	kernel(&k, 0, NR_RTN_MULTICAST, NR_TABLE_LOCAL, "vA", NULL, "2001:db8:1::1");
	expect_cause(m, "ff05::2", &k, "multicast via default gateway [9.14]");
	kernel(&k, 0, NR_RTN_UNICAST, NR_TABLE_MAIN, "e1", NULL, "100::1");
	expect_cause(m, "100::5", &k, "route outside known IPv6 ranges dropped [9.12]");
	kernel(&k, 0, NR_RTN_UNREACHABLE, NR_TABLE_MAIN, "lo", NULL, NULL);
	expect_cause(m, "2001:db8:dead::1", &k, "[9.1]");
	kernel(&k, 0, NR_RTN_UNICAST, NR_TABLE_MAIN, "e1", NULL, "fd00:1::1");
	expect_cause(m, "fd00:1::5", &k, "IPv6 source selection rules 3-8 missing [9.13]");
	/* same tuple from the leaked table-100 route and the kernel's default */
	kernel(&k, 0, NR_RTN_UNICAST, NR_TABLE_MAIN, "vA", "2001:db8:1::fe", "2001:db8:1::1");
	expect_cause(m, "2001:db8:3::1", &k, NULL);
	kernel(&k, 0, NR_RTN_UNICAST, 100, "vA", "2001:db8:1::fd", "2001:db8:1::1");
	expect_cause(m, "2001:db8:3::1", &k, "policy rules and non-main tables ignored [9.3]");
	kernel(&k, 0, NR_RTN_LOCAL, NR_TABLE_LOCAL, "lo", NULL, "2001:db8:1::1");
	expect_cause(m, "2001:db8:1::1", &k, "[9.5]");
	kernel(&k, 0, NR_RTN_UNICAST, NR_TABLE_MAIN, "e1", NULL, "fe80::1:1");
	expect_cause(m, "fe80::1234", &k, "[9.15]");
	nr_scapy_model_free(m);
	nr_stack_free(s);
}

/* ---- the embedded bridge ------------------------------------------------- */

static void test_bridge_script_embedded(void **state)
{
	const char *src = getenv("NETRIG_SOURCE_DIR");
	char path[512];
	FILE *f;
	char *text;
	long len;

	(void)state;
	if (!src)
		skip();
	snprintf(path, sizeof(path), "%s/harness/scapy/bridge.py", src);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	text = calloc(1, (size_t)len + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	/* The build embeds bridge.py through gen_bridge_py.sh: its escaping must give the same bytes. */
	assert_string_equal(nr_scapy_bridge_py, text);
	free(text);
}

/* ---- the bridge's child process ------------------------------------------ */

static int child_run(char *const argv[], const char *input, unsigned timeout_ms,
		     struct nr_bridge_child *c, char *msg, size_t cap)
{
	memset(c, 0, sizeof(*c));
	msg[0] = '\0';
	return nr_bridge_child_run(NULL, argv, input, input ? strlen(input) : 0, timeout_ms, c,
				   msg, cap);
}

static void test_bridge_child_runs(void **state)
{
	char *const cat[] = {"/bin/cat", NULL};
	char *const sh125[] = {"/bin/sh", "-c", "echo oops >&2; exit 125", NULL};
	struct nr_bridge_child c;
	char msg[300];

	(void)state;
	assert_int_equal(child_run(cat, "a\nb\n", 10000, &c, msg, sizeof(msg)), 0);
	assert_true(WIFEXITED(c.status) && WEXITSTATUS(c.status) == 0);
	assert_string_equal(c.out, "a\nb\n");
	nr_bridge_child_done(&c);
	/* The program's own exit code 125 is not taken for "could not enter the namespace". */
	assert_int_equal(child_run(sh125, NULL, 10000, &c, msg, sizeof(msg)), 0);
	assert_true(WIFEXITED(c.status) && WEXITSTATUS(c.status) == NR_BRIDGE_EXIT_NETNS);
	assert_string_equal(c.err, "oops\n");
	nr_bridge_child_done(&c);
}

static void test_bridge_child_exec_fails(void **state)
{
	char *const nope[] = {"/nonexistent/netrig-test-program", NULL};
	struct nr_bridge_child c;
	char msg[300];

	(void)state;
	assert_int_equal(child_run(nope, "x\n", 10000, &c, msg, sizeof(msg)), -ENOENT);
	assert_non_null(strstr(msg, "starting /nonexistent/netrig-test-program: "));
	assert_null(c.out);
}

/* A blocked or ignored signal in netrig (the event loop's signalfd) must not reach the child. */
static void test_bridge_child_signals(void **state)
{
	char *const cat[] = {"/bin/cat", "/proc/self/status", NULL};
	struct sigaction ign = {.sa_handler = SIG_IGN}, old_int;
	sigset_t term, old_mask;
	struct nr_bridge_child c;
	char msg[300];
	int r;

	(void)state;
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	assert_int_equal(sigprocmask(SIG_BLOCK, &term, &old_mask), 0);
	assert_int_equal(sigaction(SIGINT, &ign, &old_int), 0);
	r = child_run(cat, NULL, 10000, &c, msg, sizeof(msg));
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	sigaction(SIGINT, &old_int, NULL);
	assert_int_equal(r, 0);
	assert_non_null(strstr(c.out, "\nSigBlk:\t0000000000000000\n"));
	assert_non_null(strstr(c.out, "\nSigIgn:\t0000000000000000\n"));
	nr_bridge_child_done(&c);
}

/* A child that closes its output but lives on is killed at the deadline, not waited for. */
static void test_bridge_child_deadline(void **state)
{
	char *const lurk[] = {"/bin/sh", "-c", "exec >&- 2>&-; exec sleep 30", NULL};
	struct nr_bridge_child c;
	struct timespec t0, t1;
	char msg[300];
	int64_t ms;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(child_run(lurk, NULL, 300, &c, msg, sizeof(msg)), -ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (int64_t)(t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_true(ms >= 250 && ms < 10000);
	assert_non_null(strstr(msg, "did not exit within 300 ms"));
}

static void test_bridge_status_text(void **state)
{
	char *const fail[] = {"/bin/sh", "-c", "echo 'first: reason' >&2; echo more >&2; exit 4",
			      NULL};
	char *const killed[] = {"/bin/sh", "-c", "kill -9 $$", NULL};
	struct nr_bridge_child c;
	char msg[300], text[300];

	(void)state;
	assert_int_equal(child_run(fail, NULL, 10000, &c, msg, sizeof(msg)), 0);
	nr_bridge_status_text(c.status, c.err, text, sizeof(text));
	assert_string_equal(text, "exited with 4: first: reason");
	nr_bridge_child_done(&c);
	assert_int_equal(child_run(killed, NULL, 10000, &c, msg, sizeof(msg)), 0);
	nr_bridge_status_text(c.status, c.err, text, sizeof(text));
	assert_string_equal(text, "killed by signal 9 (Killed)");
	nr_bridge_child_done(&c);
	/* A traceback: its last line is the exception. */
	nr_bridge_status_text(1 << 8,
			      "Traceback (most recent call last):\n  File \"<string>\", line 3\n"
			      "OSError: [Errno 24] Too many open files\n\n",
			      text, sizeof(text));
	assert_string_equal(text, "exited with 1: OSError: [Errno 24] Too many open files");
	nr_bridge_status_text(2 << 8, "", text, sizeof(text));
	assert_string_equal(text, "exited with 2");
}

/* bridge.py's answer with one entry of each list; BAD is spliced over one field. */
#define BRIDGE_DOC(R4NET, R6PLEN, R6METRIC, SCOPE, ANS)                                       \
	"{\"version\": \"2.5.0\", \"conf_iface\": \"e1\", \"repr4\": \"\", \"repr6\": \"\", "     \
	"\"routes4\": [[" R4NET ", 4294967040, \"0.0.0.0\", \"e1\", \"192.0.2.1\", 0]], "        \
	"\"routes6\": [[\"2001:db8::\", " R6PLEN ", \"::\", \"e1\", [\"2001:db8::1\"], " R6METRIC  \
	"]], \"if_inet6\": [[\"2001:db8::1\", " SCOPE ", \"e1\"]], \"answers\": [" ANS "]}"

static int parse_doc(const char *doc, char *msg, size_t cap)
{
	struct nr_scapy_bridge_result *res = calloc(1, sizeof(*res));
	int r;

	assert_non_null(res);
	msg[0] = '\0';
	r = nr_bridge_parse(doc, res, msg, cap);
	if (r == 0) {
		assert_int_equal(res->nroutes4, 1);
		assert_int_equal(res->routes4[0].net, 3221225984u); /* 192.0.2.0 */
		assert_int_equal(res->routes4[0].src, 0xc0000201u);
		assert_int_equal(res->nroutes6, 1);
		assert_int_equal(res->routes6[0].plen, 64);
		assert_int_equal(res->routes6[0].ncset, 1);
		assert_int_equal(res->naddr6, 1);
		assert_int_equal(res->if_inet6[0].scope, 0);
		assert_int_equal(res->nanswers, 1);
		assert_string_equal(res->answers[0].a.iface, "e1");
	}
	nr_scapy_bridge_result_free(res);
	return r;
}

#define OK_ANSWER "{\"r\": [\"e1\", \"192.0.2.1\", \"0.0.0.0\"], \"w\": false}"

/* Scapy's JSON is checked field by field; the error names the field. */
static void test_bridge_parse(void **state)
{
	char msg[300];

	(void)state;
	assert_int_equal(parse_doc(BRIDGE_DOC("3221225984", "64", "256", "0", OK_ANSWER), msg,
				   sizeof(msg)),
			 0);
	assert_int_equal(parse_doc(BRIDGE_DOC("3221225984", "200", "256", "0", "{}"), msg,
				   sizeof(msg)),
			 -EPROTO);
	assert_string_equal(msg, "scapy bridge: Scapy's answer: routes6[0] plen: 200 is not in 0..128");
	assert_int_equal(parse_doc(BRIDGE_DOC("\"192.0.2.0\"", "64", "256", "0", "{}"), msg,
				   sizeof(msg)),
			 -EPROTO);
	assert_string_equal(msg,
			    "scapy bridge: Scapy's answer: routes4[0] net: not an integer in 0..4294967295");
	assert_int_equal(parse_doc(BRIDGE_DOC("-1", "64", "256", "0", "{}"), msg, sizeof(msg)),
			 -EPROTO);
	assert_non_null(strstr(msg, "routes4[0] net: -1 is not in 0..4294967295"));
	assert_int_equal(parse_doc(BRIDGE_DOC("3221225984", "64", "4294967296", "0", "{}"), msg,
				   sizeof(msg)),
			 -EPROTO);
	assert_non_null(strstr(msg, "routes6[0] metric: 4294967296 is not in"));
	assert_int_equal(parse_doc(BRIDGE_DOC("3221225984", "64", "1.5", "0", "{}"), msg,
				   sizeof(msg)),
			 -EPROTO);
	assert_non_null(strstr(msg, "routes6[0] metric: not an integer"));
	assert_int_equal(parse_doc(BRIDGE_DOC("3221225984", "64", "256", "256", "{}"), msg,
				   sizeof(msg)),
			 -EPROTO);
	assert_non_null(strstr(msg, "if_inet6[0] scope: 256 is not in 0..255"));
	assert_int_equal(parse_doc(BRIDGE_DOC("3221225984", "64", "256", "0",
					      "{\"r\": [\"e1\", 7, \"0.0.0.0\"]}"),
				   msg, sizeof(msg)),
			 -EPROTO);
	assert_non_null(strstr(msg, "answers[0] src: not a string"));
	assert_int_equal(parse_doc(BRIDGE_DOC("3221225984", "64", "256", "0",
					      "{\"r\": [\"e1\", \"192.0.2.1\"]}"),
				   msg, sizeof(msg)),
			 -EPROTO);
	assert_non_null(strstr(msg, "answers[0] entry: not a list of 3"));
	assert_int_equal(parse_doc("{\"version\": \"2.5.0\", \"conf_iface\": \"e1\", "
				   "\"repr4\": \"\", \"repr6\": \"\"}",
				   msg, sizeof(msg)),
			 -EPROTO);
	assert_non_null(strstr(msg, "routes4: missing or not a list"));
	assert_int_equal(parse_doc("[1, 2]", msg, sizeof(msg)), -EPROTO);
	assert_non_null(strstr(msg, "not a JSON object"));
}

/* The wait grows with the number of destinations, within the caller's cap. */
static void test_bridge_timeout(void **state)
{
	(void)state;
	assert_int_equal(nr_scapy_bridge_timeout(0, 600000), NR_SCAPY_BRIDGE_BASE_MS);
	assert_int_equal(nr_scapy_bridge_timeout(10, 600000), 30500);
	assert_int_equal(nr_scapy_bridge_timeout(4000, 600000), 230000);
	assert_int_equal(nr_scapy_bridge_timeout(100000, 600000), 600000);
	assert_int_equal(nr_scapy_bridge_timeout(100000, 0), NR_SCAPY_BRIDGE_MAX_MS);
	assert_int_equal(nr_scapy_bridge_timeout(10, 2000), 2000);
}

/*
 * Entering the namespace fails in the child (no CAP_SYS_ADMIN): the
 * child's own reason comes back, not a failure of the program. Needs root
 * to make a namespace to leave; skipped otherwise.
 */
static void test_bridge_child_netns_fails(void **state)
{
	pid_t pid;
	int status;

	(void)state;
	if (geteuid() != 0)
		skip();
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char *const t[] = {"/bin/true", NULL};
		struct nr_os_error oe = {0};
		struct nr_netns *ns = NULL;
		struct nr_bridge_child c = {0};
		char msg[300] = "";
		int r;

		/* Hold on to our namespace, then move to a new one: ns is elsewhere. */
		if (nr_netns_open("/proc/self/ns/net", &ns, &oe) < 0)
			_exit(77);
		if (unshare(CLONE_NEWNET) < 0)
			_exit(77);
		capng_clear(CAPNG_SELECT_BOTH);
		if (capng_apply(CAPNG_SELECT_BOTH) < 0)
			_exit(77);
		r = nr_bridge_child_run(ns, t, NULL, 0, 10000, &c, msg, sizeof(msg));
		if (r != -EPERM || !strstr(msg, "CAP_SYS_ADMIN")) {
			fprintf(stderr, "r=%d msg=%s\n", r, msg);
			_exit(1);
		}
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77)
		skip();
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_kernel_scope(void **state)
{
	static const struct {
		const char *a;
		unsigned scope;
	} cases[] = {
		{"2001:db8::1", 0x00}, {"fd00::1", 0x00}, {"100::1", 0x00}, {"64:ff9b::1", 0x00},
		{"fe80::1", 0x20},     {"fec0::1", 0x40}, {"::1", 0x10},    {"::198.51.100.1", 0x80},
		{"::ffff:198.51.100.1", 0x00},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct nr_addr a;

		assert_int_equal(nr_addr_parse(cases[i].a, AF_INET6, &a), 0);
		if (nr_scapy_kernel_scope6(&a) != cases[i].scope)
			fail_msg("%s: scope %#x, want %#x", cases[i].a, nr_scapy_kernel_scope6(&a), cases[i].scope);
	}
}

/*
 * `test_scapy_model --netns NS [--kernel] < destinations`: the netns tier's
 * check (tests/netns/test_scapy_model.sh) of the model against the real
 * Scapy in a namespace the script built. Exit 0 when they agree, 1 on any
 * difference, 77 when Scapy or python3 is missing.
 */
static int netns_mode(const char *ns, bool kernel)
{
	char line[512];
	char **dsts = NULL;
	size_t n = 0, cap = 0;
	struct nr_scapy_compare_stats st = {0};
	int r, rc;

	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = '\0';
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			dsts = realloc(dsts, cap * sizeof(*dsts));
			if (!dsts)
				return 2;
		}
		dsts[n++] = strdup(line);
	}
	r = nr_scapy_compare_netns(ns, (const char *const *)dsts, n, kernel, stdout, &st);
	for (size_t i = 0; i < n; i++)
		free(dsts[i]);
	free(dsts);
	if (r == -ENOENT || r == -ENOPKG)
		return 77;
	if (r < 0) {
		printf("compare failed: %s\n", strerror(-r));
		return 2;
	}
	printf("asked %u IPv4 and %u IPv6 destinations: %u list differences, %u answer differences"
	       " between the model and Scapy 2.5.0\n",
	       st.asked4, st.asked6, st.list_diffs, st.answer_diffs);
	if (kernel)
		printf("Scapy vs kernel: %u divergences, %u unexplained\n", st.kernel_diffs, st.unexplained);
	rc = st.list_diffs || st.answer_diffs ? 1 : 0;
	return rc;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "--netns"))
		return netns_mode(argv[2], argc >= 4 && !strcmp(argv[3], "--kernel"));

	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v4_reference_table),
		cmocka_unit_test(test_v4_list),
		cmocka_unit_test(test_v4_printer),
		cmocka_unit_test(test_v4_alias_and_no_route),
		cmocka_unit_test(test_v6_sorts_match_python),
		cmocka_unit_test(test_v6_reference_table),
		cmocka_unit_test(test_v6_list_and_mutation),
		cmocka_unit_test(test_v6_no_route_and_fallbacks),
		cmocka_unit_test(test_v6_printer),
		cmocka_unit_test(test_v6_printer_multi_cset),
		cmocka_unit_test(test_divergence4),
		cmocka_unit_test(test_divergence6),
		cmocka_unit_test(test_bridge_script_embedded),
		cmocka_unit_test(test_kernel_scope),
		cmocka_unit_test(test_bridge_child_runs),
		cmocka_unit_test(test_bridge_child_exec_fails),
		cmocka_unit_test(test_bridge_child_netns_fails),
		cmocka_unit_test(test_bridge_child_signals),
		cmocka_unit_test(test_bridge_timeout),
		cmocka_unit_test(test_bridge_child_deadline),
		cmocka_unit_test(test_bridge_status_text),
		cmocka_unit_test(test_bridge_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
