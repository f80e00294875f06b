/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The IPv6 route decision against the kernel's answers. The fixture is
 * the topology of tests/netns/test_route_get6_kernel.sh, built through the
 * public API; the case tables below are that script's, and the script
 * checks every one against `ip -6 route get` on the kernel (6.18 here).
 *
 *   lo  ::1
 *   va  2001:db8:a::1/64  fe80::a/64
 *   vb  2001:db8:b::1/64  fe80::b/64
 *   vc  2001:db8:c::1/64
 *   vd  (no address)
 *   neighbour 2001:db8:a::e1 on va FAILED; forwarding off.
 *
 * An answer is written "error type table dev gateway src" ("-" for none)
 * as the script prints `ip -6 -d -j route get`. Unlike IPv4 the kernel
 * gives the source it would pick even when the query has one (from); an
 * input query (iif) carries only a route's own prefsrc.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netrig/iface.h"
#include "netrig/neigh.h"
#include "netrig/stack.h"

enum { LO = 1, VA, VB, VC, VD };

struct kcase {
	const char *args;
	const char *expect; /* alternatives separated by '|' (ECMP) */
};

/* Phase 1: the kernel's default rules (local, then main). */
static const struct kcase phase1[] = {
	{"2001:db8:a::1", "0 local local lo - 2001:db8:a::1"},
	{"2001:db8:a::5", "0 unicast main va - 2001:db8:a::1"},
	{"2001:db8:99::1", "0 unicast main va 2001:db8:a::ff 2001:db8:a::1"},
	{"2001:db8:1000::1", "0 unicast main vc 2001:db8:c::ff 2001:db8:c::1"},
	{"2001:db8:1000::1 oif vb", "ENETUNREACH"},
	{"2001:db8:1000::1 oif va", "0 unicast main va 2001:db8:a::fe 2001:db8:a::1"},
	{"2001:db8:1000::1 from 2001:db8:b::1 oif vb", "0 unicast main vc 2001:db8:c::ff 2001:db8:c::1"},
	{"2001:db8:2000::1", "0 unicast main vb fe80::1 2001:db8:b::1"},
	{"2001:db8:3000::1", "0 unicast main vc 2001:db8:c::f5 2001:db8:c::1"},
	{"2001:db8:3000::1 oif vb", "0 unicast main vb 2001:db8:b::f2 2001:db8:b::1"},
	{"2001:db8:3000::1 oif va", "0 unicast main va 2001:db8:a::ff 2001:db8:a::1"},
	{"2001:db8:3000::1 from 2001:db8:a::1", "0 unicast main vc 2001:db8:c::f5 2001:db8:c::1"},
	{"2001:db8:3000::1 from 2001:db8:a::1 oif va", "0 unicast main vc 2001:db8:c::f5 2001:db8:c::1"},
	{"2001:db8:3000:1000::1 from 2001:db8:a::1", "0 unicast main va 2001:db8:a::f1 2001:db8:a::1"},
	{"2001:db8:3100::1", "0 unicast main vc 2001:db8:c::f4 2001:db8:c::1"},
	{"2001:db8:3100::1 from 2001:db8:a::1", "0 unicast main va 2001:db8:a::f1 2001:db8:a::1"},
	{"2001:db8:3100::1 from 2001:db8:b::1", "0 unicast main vc 2001:db8:c::f4 2001:db8:c::1"},
	{"2001:db8:3100::1 oif vb", "ENETUNREACH"},
	{"2001:db8:4000::1", "0 unicast main vc 2001:db8:c::ff 2001:db8:a::1"},
	{"2001:db8:4000::1 from 2001:db8:b::1", "0 unicast main vc 2001:db8:c::ff 2001:db8:a::1"},
	{"2001:db8:5000::1",
	 "0 unicast main va 2001:db8:a::f1 2001:db8:a::1|"
	 "0 unicast main vb 2001:db8:b::f2 2001:db8:b::1"},
	{"2001:db8:5000::1 oif vb", "0 unicast main vb 2001:db8:b::f2 2001:db8:b::1"},
	{"2001:db8:5000::1 oif vc", "0 unicast main vc 2001:db8:c::f9 2001:db8:c::1"},
	{"2001:db8:8000::1", "0 unicast main vc - 2001:db8:c::1"},
	{"2001:db8:8000::1 oif va", "0 unicast main va - 2001:db8:a::1"},
	{"2001:db8:8100::1 oif vc", "0 unicast main vc - 2001:db8:c::1"},
	{"2001:db8:8100::1 oif vd from 2001:db8:a::1", "0 unicast main va - 2001:db8:a::1"},
	{"2001:db8:8200::1", "0 unicast main vb 2001:db8:b::e2 2001:db8:b::1"},
	{"2001:db8:200::1", "EHOSTUNREACH"},
	{"2001:db8:201::1", "EACCES"},
	{"2001:db8:202::1", "EINVAL"},
	{"2001:db8:203::1", "ENETUNREACH"},
	{"fe80::1", "0 unicast main va - fe80::a"},
	{"fe80::1 oif vb", "0 unicast main vb - fe80::b"},
	{"fe80::1 oif vc", "ENETUNREACH"},
	{"fe80::b", "0 local local lo - fe80::b"},
	{"fe80::b oif va", "0 unicast main va - fe80::a"},
	{"ff02::1", "0 multicast local va - fe80::a"},
	{"ff02::1 oif vb", "0 multicast local vb - fe80::b"},
	{"ff02::1 oif vd", "0 multicast local vd - -"},
	{"ff05::1", "0 multicast local va - 2001:db8:a::1"},
	{"::1", "0 local local lo - ::1"},
	{"::", "0 unicast main va 2001:db8:a::ff fe80::a"},
	{"2001:db8:a::1 oif vb", "ENETUNREACH"},
	{"2001:db8:a::1 oif va", "0 local local lo - 2001:db8:a::1"},
	{"2001:db8:99::1 from 2001:db8:77::1", "0 unicast main va 2001:db8:a::ff 2001:db8:a::1"},
	{"2001:db8:99::1 oif vb", "ENETUNREACH"},
	{"2001:db8:99::1 from 2001:db8:b::1 oif vb", "0 unicast main va 2001:db8:a::ff 2001:db8:a::1"},
	{"2001:db8:8300::1", "0 local local lo - 2001:db8:c::1"},
	{"2001:db8:8300:1::1", "0 unicast main va 2001:db8:a::ff 2001:db8:a::1"},
	{"2001:db8:99::1 iif vb", "0 unicast main va 2001:db8:a::ff -"},
	{"2001:db8:a::1 from 2001:db8:b::5 iif vb", "0 local local lo - -"},
	{"fe80::99 iif vb", "0 unicast main vb - -"},
	{"fe80::99 iif vc", "ENETUNREACH"},
	{"ff02::2 iif vb", "EMSGSIZE"},
	{"2001:db8:202::1 iif vb", "EINVAL"},
	{"2001:db8:4000::1 iif vb", "0 unicast main vc 2001:db8:c::ff 2001:db8:a::1"},
	{"2001:db8:5000::1 iif vc",
	 "0 unicast main va 2001:db8:a::f1 -|"
	 "0 unicast main vb 2001:db8:b::f2 -"},
};

/* Phase 2: after the rules of add_rules(). */
static const struct kcase phase2[] = {
	{"2001:db8:6000::1 from 2001:db8:b::1", "0 unicast 100 vb 2001:db8:b::f6 2001:db8:b::1"},
	{"2001:db8:6000::1", "0 unicast main va 2001:db8:a::ff 2001:db8:a::1"},
	{"2001:db8:6000::1 mark 1", "0 unicast 100 vb 2001:db8:b::f6 2001:db8:b::1"},
	{"2001:db8:7000::1 mark 1", "0 unicast 100 vc 2001:db8:c::f7 2001:db8:c::1"},
	{"2001:db8:6100::1 mark 1", "0 unicast main va 2001:db8:a::f8 2001:db8:a::1"},
	{"2001:db8:6200::1 mark 1", "EHOSTUNREACH"},
	{"2001:db8:6000::1 mark 2", "ENETUNREACH"},
	{"2001:db8:6000::1 mark 3", "EACCES"},
	{"2001:db8:6000::1 mark 4", "EINVAL"},
	{"2001:db8:6000::1 mark 5", "0 unicast 100 vb 2001:db8:b::f6 2001:db8:b::1"},
	{"2001:db8:a::5 mark 5", "0 unicast main va - 2001:db8:a::1"},
	{"2001:db8:7000::1 mark 6", "0 unicast main va 2001:db8:a::ff 2001:db8:a::1"},
	{"2001:db8:6300::1", "0 unicast 100 vc 2001:db8:c::f7 2001:db8:c::1"},
	{"2001:db8:8300:1::1", "0 local 100 lo - 2001:db8:b::1"},
	{"2001:db8:8300:1::1 oif va", "0 unicast main va 2001:db8:a::ff 2001:db8:a::1"},
	{"2001:db8:8300:1::1 oif vb", "0 local 100 lo - 2001:db8:b::1"},
	{"2001:db8:99::1 iif vb", "EACCES"},
	{"2001:db8:99::1 iif va", "0 unicast main va 2001:db8:a::ff -"},
	{"2001:db8:7000::1 mark 8", "0 unicast 100 vc 2001:db8:c::f7 2001:db8:c::1"},
	{"2001:db8:7000::1 mark 8 iif va", "0 unicast main va 2001:db8:a::ff -"},
	{"2001:db8:7000::1 mark 9", "0 unicast 100 vc 2001:db8:c::f7 2001:db8:c::1"},
	{"2001:db8:7000::1 tos 0x10", "0 unicast 100 vc 2001:db8:c::f7 2001:db8:c::1"},
	{"2001:db8:a::1 mark 1", "0 local local lo - 2001:db8:a::1"},
	{"2001:db8:b::1 from 2001:db8:b::1", "0 local local lo - 2001:db8:b::1"},
};

static void add_iface(struct nr_stack *s, int index, const char *name, uint32_t flags)
{
	struct nr_iface ifc;

	memset(&ifc, 0, sizeof(ifc));
	ifc.index = index;
	snprintf(ifc.name, sizeof(ifc.name), "%s", name);
	ifc.flags = flags;
	ifc.mtu = 1500;
	assert_int_equal(nr_iface_add(nr_stack_ifaces(s), &ifc), 0);
}

static void ifadd(struct nr_stack *s, int index, const char *pfx)
{
	struct nr_prefix p;

	assert_int_equal(nr_prefix_parse(pfx, AF_INET6, NR_PREFIX_PARSE_HOST_BITS, &p), 0);
	assert_int_equal(nr_stack_ifadd(s, index, &p), 0);
}

struct rt {
	uint8_t type;
	const char *dst;
	const char *from; /* source-specific (RTA_SRC) */
	uint32_t table;
	uint32_t metric;
	uint8_t pref;
	const char *prefsrc;
	const char *gw1;
	int dev1;
	const char *gw2;
	int dev2;
};

/* `ip -6 route add [TYPE] DST [from SRC] [metric M] [pref P] [table T] [src S] via GW dev D ...` */
static void route(struct nr_stack *s, const struct rt *d)
{
	struct nr_nexthop nh[2];
	struct nr_route r;

	memset(&r, 0, sizeof(r));
	memset(nh, 0, sizeof(nh));
	assert_int_equal(nr_prefix_parse(d->dst, AF_INET6, 0, &r.dst), 0);
	if (d->from)
		assert_int_equal(nr_prefix_parse(d->from, AF_INET6, 0, &r.src), 0);
	r.family = AF_INET6;
	r.type = d->type ? d->type : NR_RTN_UNICAST;
	r.protocol = 3; /* boot */
	r.table = d->table ? d->table : NR_TABLE_MAIN;
	r.metric = d->metric ? d->metric : 1024;
	r.pref = d->pref;
	if (d->prefsrc)
		assert_int_equal(nr_addr_parse(d->prefsrc, AF_INET6, &r.prefsrc), 0);
	if (d->dev1) {
		if (d->gw1)
			assert_int_equal(nr_addr_parse(d->gw1, AF_INET6, &nh[0].gw), 0);
		nh[0].ifindex = d->dev1;
		nh[0].weight = 1;
		r.nh_count = 1;
	}
	if (d->dev2) {
		if (d->gw2)
			assert_int_equal(nr_addr_parse(d->gw2, AF_INET6, &nh[1].gw), 0);
		nh[1].ifindex = d->dev2;
		nh[1].weight = 1;
		r.nh_count = 2;
	}
	r.nh = r.nh_count ? nh : NULL;
	assert_int_equal(nr_stack_route_add(s, &r), 0);
}

#define LOW NR_RT_PREF_LOW
#define HIGH NR_RT_PREF_HIGH

/* The script's routes, in its order (the order of equal-metric routes matters). */
static const struct rt routes[] = {
	{.dst = "::/0", .gw1 = "2001:db8:a::ff", .dev1 = VA},
	{.dst = "2001:db8:1000::/48", .metric = 50, .pref = LOW, .gw1 = "2001:db8:c::ff", .dev1 = VC},
	{.dst = "2001:db8:1000::/48", .metric = 100, .gw1 = "2001:db8:a::ff", .dev1 = VA},
	{.dst = "2001:db8:1000::/48", .metric = 200, .pref = HIGH, .gw1 = "2001:db8:a::fe", .dev1 = VA},
	{.dst = "2001:db8:2000::/48", .gw1 = "fe80::1", .dev1 = VB},
	{.dst = "2001:db8:3000::/48", .from = "2001:db8:a::/64", .gw1 = "2001:db8:a::f1", .dev1 = VA},
	{.dst = "2001:db8:3000::/48", .gw1 = "2001:db8:b::f2", .dev1 = VB},
	{.dst = "2001:db8:3000::/56", .gw1 = "2001:db8:c::f5", .dev1 = VC},
	{.dst = "2001:db8:3000::/44", .gw1 = "2001:db8:c::f4", .dev1 = VC},
	{.dst = "2001:db8:3100::/48", .from = "2001:db8:a::/64", .gw1 = "2001:db8:a::f1", .dev1 = VA},
	{.dst = "2001:db8:3100::/48", .gw1 = "2001:db8:b::f2", .dev1 = VB},
	{.dst = "2001:db8:3100::/44", .gw1 = "2001:db8:c::f4", .dev1 = VC},
	{.dst = "2001:db8:4000::/48", .prefsrc = "2001:db8:a::1", .gw1 = "2001:db8:c::ff", .dev1 = VC},
	{.dst = "2001:db8:5000::/48", .gw1 = "2001:db8:a::f1", .dev1 = VA, .gw2 = "2001:db8:b::f2",
	 .dev2 = VB},
	{.dst = "2001:db8:5000::/48", .metric = 2000, .gw1 = "2001:db8:c::f9", .dev1 = VC},
	{.dst = "2001:db8:8000::/48", .metric = 10, .dev1 = VA},
	{.dst = "2001:db8:8000::/48", .metric = 5, .pref = LOW, .dev1 = VC},
	{.dst = "2001:db8:8100::/48", .metric = 10, .dev1 = VA},
	{.dst = "2001:db8:8100::/48", .metric = 20, .pref = HIGH, .dev1 = VB},
	{.dst = "2001:db8:8100::/48", .metric = 30, .pref = LOW, .dev1 = VC},
	{.dst = "2001:db8:8200::/48", .metric = 10, .gw1 = "2001:db8:a::e1", .dev1 = VA},
	{.dst = "2001:db8:8200::/48", .metric = 20, .gw1 = "2001:db8:b::e2", .dev1 = VB},
	{.type = NR_RTN_UNREACHABLE, .dst = "2001:db8:200::/48"},
	{.type = NR_RTN_PROHIBIT, .dst = "2001:db8:201::/48"},
	{.type = NR_RTN_BLACKHOLE, .dst = "2001:db8:202::/48"},
	{.type = NR_RTN_THROW, .dst = "2001:db8:203::/48"},
	{.type = NR_RTN_LOCAL, .dst = "2001:db8:8300::/48", .table = 100, .dev1 = VB},
	/* iproute2 puts a local route without a table into table local. */
	{.type = NR_RTN_LOCAL, .dst = "2001:db8:8300::/64", .table = NR_TABLE_LOCAL, .dev1 = VC},
	{.dst = "2001:db8:6000::/48", .table = 100, .gw1 = "2001:db8:b::f6", .dev1 = VB},
	{.dst = "::/0", .table = 100, .gw1 = "2001:db8:c::f7", .dev1 = VC},
	{.type = NR_RTN_THROW, .dst = "2001:db8:6100::/48", .table = 100},
	{.type = NR_RTN_UNREACHABLE, .dst = "2001:db8:6200::/48", .table = 100},
	{.dst = "2001:db8:6100::/48", .gw1 = "2001:db8:a::f8", .dev1 = VA},
	{.dst = "2001:db8:6300::/48", .gw1 = "2001:db8:a::f9", .dev1 = VA},
};

static void neigh_failed(struct nr_stack *s, int ifindex, const char *addr)
{
	struct nr_addr a;

	assert_int_equal(nr_addr_parse(addr, AF_INET6, &a), 0);
	assert_int_equal(nr_neigh_import(nr_stack_neigh(s), ifindex, &a, NULL, NR_NUD_FAILED, 0, 0),
			 0);
}

static struct nr_stack *fixture(void)
{
	struct nr_stack *s = nr_stack_new();
	uint32_t up = IFF_UP | IFF_BROADCAST | IFF_MULTICAST | IFF_RUNNING;

	assert_non_null(s);
	add_iface(s, LO, "lo", IFF_UP | IFF_LOOPBACK | IFF_RUNNING);
	add_iface(s, VA, "va", up);
	add_iface(s, VB, "vb", up);
	add_iface(s, VC, "vc", up);
	add_iface(s, VD, "vd", up);
	/* The kernel's own routes: local /128s in local, prefixes (metric 256) in main. */
	ifadd(s, LO, "::1/128");
	ifadd(s, VA, "2001:db8:a::1/64");
	ifadd(s, VA, "fe80::a/64");
	ifadd(s, VB, "2001:db8:b::1/64");
	ifadd(s, VB, "fe80::b/64");
	ifadd(s, VC, "2001:db8:c::1/64");
	/* addrconf_add_mroute(): ff00::/8 in local for every device with carrier, in that order. */
	for (int dev = VA; dev <= VD; dev++) {
		struct rt m = {.type = NR_RTN_MULTICAST, .dst = "ff00::/8", .table = NR_TABLE_LOCAL,
			       .metric = 256, .dev1 = dev};

		route(s, &m);
	}
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		route(s, &routes[i]);
	neigh_failed(s, VA, "2001:db8:a::e1");
	return s;
}

static struct nr_rule base_rule(uint32_t priority, uint8_t action, uint32_t table)
{
	struct nr_rule r;

	memset(&r, 0, sizeof(r));
	r.family = AF_INET6;
	r.priority = priority;
	r.action = action;
	r.table = table;
	r.suppress_prefixlen = -1;
	r.suppress_ifgroup = -1;
	return r;
}

static void add_rule(struct nr_stack *s, struct nr_rule *r)
{
	assert_int_equal(nr_stack_rule_add(s, r), 0);
}

/* The script's `ip -6 rule add`s. */
static void add_rules(struct nr_stack *s)
{
	struct nr_rule r;

	r = base_rule(100, NR_FR_ACT_TO_TBL, 100);
	assert_int_equal(nr_prefix_parse("2001:db8:b::1", AF_INET6, 0, &r.from), 0);
	add_rule(s, &r);
	r = base_rule(110, NR_FR_ACT_TO_TBL, 100);
	r.fwmark = 1;
	add_rule(s, &r);
	r = base_rule(120, NR_FR_ACT_UNREACHABLE, 0);
	r.fwmark = 2;
	add_rule(s, &r);
	r = base_rule(130, NR_FR_ACT_PROHIBIT, 0);
	r.fwmark = 3;
	add_rule(s, &r);
	r = base_rule(140, NR_FR_ACT_BLACKHOLE, 0);
	r.fwmark = 4;
	add_rule(s, &r);
	r = base_rule(150, NR_FR_ACT_TO_TBL, NR_TABLE_MAIN);
	r.fwmark = 5;
	r.suppress_prefixlen = 0;
	add_rule(s, &r);
	r = base_rule(151, NR_FR_ACT_TO_TBL, 100);
	r.fwmark = 5;
	add_rule(s, &r);
	r = base_rule(160, NR_FR_ACT_TO_TBL, 999);
	r.fwmark = 6;
	add_rule(s, &r);
	r = base_rule(170, NR_FR_ACT_TO_TBL, 100);
	assert_int_equal(nr_prefix_parse("2001:db8:6300::/48", AF_INET6, 0, &r.to), 0);
	add_rule(s, &r);
	r = base_rule(171, NR_FR_ACT_TO_TBL, 100);
	assert_int_equal(nr_prefix_parse("2001:db8:8300::/48", AF_INET6, 0, &r.to), 0);
	add_rule(s, &r);
	r = base_rule(180, NR_FR_ACT_PROHIBIT, 0);
	strcpy(r.iifname, "vb");
	add_rule(s, &r);
	r = base_rule(190, NR_FR_ACT_TO_TBL, 100);
	strcpy(r.iifname, "lo");
	r.fwmark = 8;
	add_rule(s, &r);
	r = base_rule(195, NR_FR_ACT_GOTO, 0);
	r.fwmark = 9;
	r.goto_target = 210;
	add_rule(s, &r);
	r = base_rule(200, NR_FR_ACT_PROHIBIT, 0);
	r.fwmark = 9;
	add_rule(s, &r);
	r = base_rule(210, NR_FR_ACT_TO_TBL, 100);
	r.fwmark = 9;
	add_rule(s, &r);
	r = base_rule(220, NR_FR_ACT_TO_TBL, 100);
	r.tos = 0x10;
	add_rule(s, &r);
}

static int ifindex_of(const struct nr_stack *s, const char *name)
{
	const struct nr_iface *ifc = nr_iface_by_name(nr_stack_ifaces_const(s), name);

	assert_non_null(ifc);
	return ifc->index;
}

/* "DST [from SRC] [iif DEV] [oif DEV] [mark N] [tos N]" as `ip -6 route get` takes it. */
static void parse_query(const struct nr_stack *s, const char *args, struct nr_route_query *q)
{
	char buf[128], *save = NULL, *tok;

	memset(q, 0, sizeof(*q));
	snprintf(buf, sizeof(buf), "%s", args);
	tok = strtok_r(buf, " ", &save);
	assert_int_equal(nr_addr_parse(tok, AF_INET6, &q->dst), 0);
	while ((tok = strtok_r(NULL, " ", &save)) != NULL) {
		char *val = strtok_r(NULL, " ", &save);

		assert_non_null(val);
		if (strcmp(tok, "from") == 0)
			assert_int_equal(nr_addr_parse(val, AF_INET6, &q->src), 0);
		else if (strcmp(tok, "iif") == 0)
			q->iif = ifindex_of(s, val);
		else if (strcmp(tok, "oif") == 0)
			q->oif = ifindex_of(s, val);
		else if (strcmp(tok, "mark") == 0)
			q->mark = (uint32_t)strtoul(val, NULL, 0);
		else if (strcmp(tok, "tos") == 0)
			q->tos = (uint8_t)strtoul(val, NULL, 0);
		else
			fail_msg("unknown query word %s", tok);
	}
}

static const char *errname(int err)
{
	switch (err) {
	case -ENETUNREACH:
		return "ENETUNREACH";
	case -EHOSTUNREACH:
		return "EHOSTUNREACH";
	case -EACCES:
		return "EACCES";
	case -EINVAL:
		return "EINVAL";
	case -ENODEV:
		return "ENODEV";
	case -EMSGSIZE:
		return "EMSGSIZE";
	default:
		return "?";
	}
}

/* The answer in the script's notation, from the nexthop at nh (ECMP: each in turn). */
static void answer(const struct nr_stack *s, const struct nr_route_result *r,
		   const struct nr_nexthop *nh, char *out, size_t cap)
{
	char tbuf[16], gw[NR_ADDR_STRLEN] = "-", src[NR_ADDR_STRLEN] = "-";
	const struct nr_iface *dev;
	int ifindex = nh ? nh->ifindex : r->ifindex;

	if (r->error) {
		snprintf(out, cap, "%s", errname(r->error));
		return;
	}
	if (nh && nh->gw.family != AF_UNSPEC)
		nr_addr_format(&nh->gw, gw, sizeof(gw));
	else if (!nh && r->gateway.family != AF_UNSPEC)
		nr_addr_format(&r->gateway, gw, sizeof(gw));
	if (r->prefsrc.family != AF_UNSPEC)
		nr_addr_format(&r->prefsrc, src, sizeof(src));
	dev = nr_iface_by_index(nr_stack_ifaces_const(s), ifindex);
	snprintf(out, cap, "0 %s %s %s %s %s", nr_rtype_name(r->type),
		 r->table ? nr_table_name(r->table, tbuf, sizeof(tbuf)) : "-",
		 dev ? dev->name : "?", gw, src);
}

static bool one_of(const char *got, const char *alternatives)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", alternatives);
	for (char *alt = strtok_r(buf, "|", &save); alt; alt = strtok_r(NULL, "|", &save))
		if (strcmp(got, alt) == 0)
			return true;
	return false;
}

/* got is a whole alternative, or one cut before its source address. */
static bool one_of_prefix(const char *got, const char *alternatives)
{
	char buf[256], *save = NULL;
	size_t n = strlen(got);

	snprintf(buf, sizeof(buf), "%s", alternatives);
	for (char *alt = strtok_r(buf, "|", &save); alt; alt = strtok_r(NULL, "|", &save))
		if (strncmp(got, alt, n) == 0 && (alt[n] == '\0' || alt[n] == ' '))
			return true;
	return false;
}

/* nr_stack_route_get_many over every case at once equals case by case. */
static void run_cases_many(const struct nr_stack *s, const struct kcase *c, size_t n)
{
	struct nr_route_query *q = calloc(n, sizeof(*q));
	struct nr_route_result *many = calloc(n, sizeof(*many)), one;
	int *errs = calloc(n, sizeof(*errs));

	assert_non_null(q);
	assert_non_null(many);
	assert_non_null(errs);
	for (size_t i = 0; i < n; i++)
		parse_query(s, c[i].args, &q[i]);
	assert_int_equal(nr_stack_route_get_many(s, q, n, many, errs), 0);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(errs[i], 0);
		assert_int_equal(nr_stack_route_get(s, &q[i], &one), 0);
		assert_int_equal(many[i].error, one.error);
		assert_int_equal(many[i].type, one.type);
		assert_int_equal(many[i].table, one.table);
		assert_int_equal(many[i].ifindex, one.ifindex);
		assert_true(nr_addr_eq(&many[i].gateway, &one.gateway));
		assert_true(nr_addr_eq(&many[i].prefsrc, &one.prefsrc));
		assert_ptr_equal(many[i].route, one.route);
		assert_int_equal(many[i].nh_count, one.nh_count);
		assert_int_equal(many[i].why.rule_priority, one.why.rule_priority);
		assert_string_equal(many[i].why.src_reason, one.why.src_reason);
	}
	free(errs);
	free(many);
	free(q);
}

static void run_cases(const struct nr_stack *s, const struct kcase *c, size_t n)
{
	int failed = 0;

	run_cases_many(s, c, n);
	for (size_t i = 0; i < n; i++) {
		struct nr_route_query q;
		struct nr_route_result r;
		char got[192];

		parse_query(s, c[i].args, &q);
		assert_int_equal(nr_stack_route_get(s, &q, &r), 0);
		if (r.nh_count > 1) {
			/* ECMP: every nexthop offered must be one the kernel may answer. */
			for (uint16_t k = 0; k < r.nh_count; k++) {
				answer(s, &r, &r.nh[k], got, sizeof(got));
				/* prefsrc belongs to the nexthop ifindex names; others: dev and gateway. */
				if (r.nh[k].ifindex != r.ifindex)
					*strrchr(got, ' ') = '\0';
				if (!one_of_prefix(got, c[i].expect)) {
					print_error("ip -6 route get %s: nexthop %u '%s', kernel '%s'\n",
						    c[i].args, k, got, c[i].expect);
					failed++;
				}
			}
			continue;
		}
		answer(s, &r, NULL, got, sizeof(got));
		if (!one_of(got, c[i].expect)) {
			print_error("ip -6 route get %s: netrig '%s', kernel '%s'\n", c[i].args, got,
				    c[i].expect);
			failed++;
		}
	}
	assert_int_equal(failed, 0);
}

static void test_kernel_cases_default_rules(void **state)
{
	struct nr_stack *s = fixture();

	(void)state;
	run_cases(s, phase1, sizeof(phase1) / sizeof(phase1[0]));
	nr_stack_free(s);
}

static void test_kernel_cases_custom_rules(void **state)
{
	struct nr_stack *s = fixture();

	(void)state;
	add_rules(s);
	run_cases(s, phase2, sizeof(phase2) / sizeof(phase2[0]));
	nr_stack_free(s);
}

static void get(const struct nr_stack *s, const char *args, struct nr_route_result *r)
{
	struct nr_route_query q;

	parse_query(s, args, &q);
	assert_int_equal(nr_stack_route_get(s, &q, r), 0);
}

/* What `verify` reads to explain an answer. */
static void test_explain(void **state)
{
	struct nr_stack *s = fixture();
	struct nr_route_result r;
	char p[NR_PREFIX_STRLEN];

	(void)state;
	get(s, "2001:db8:1000::1", &r);
	assert_int_equal(r.error, 0);
	assert_non_null(r.route);
	assert_int_equal(r.metric, 50);
	assert_int_equal(r.why.rule_priority, 32766);
	assert_int_equal(r.why.table, 254);
	assert_int_equal(r.why.tables_tried, 2); /* local, then main */
	assert_string_equal(nr_prefix_format(&r.why.prefix, p, sizeof(p)), "2001:db8:1000::/48");
	assert_string_equal(r.why.src_reason, "rule 5 (outgoing interface)");

	get(s, "2001:db8:a::1", &r);
	assert_int_equal(r.why.rule_priority, 0);
	assert_int_equal(r.why.tables_tried, 1);
	assert_int_equal(r.ifindex, LO);
	assert_string_equal(r.why.src_reason, "rule 1 (same address)");

	get(s, "2001:db8:4000::1", &r);
	assert_string_equal(r.why.src_reason, "prefsrc");
	/* Input: no source unless the route has one. */
	get(s, "2001:db8:99::1 iif vb", &r);
	assert_int_equal(r.prefsrc.family, AF_UNSPEC);
	assert_string_equal(r.why.src_reason, "");

	/* A reject route stays as the explanation; no route gives none. */
	get(s, "2001:db8:201::1", &r);
	assert_int_equal(r.error, -EACCES);
	assert_non_null(r.route);
	assert_int_equal(r.type, NR_RTN_PROHIBIT);
	assert_int_equal(r.table, 254);
	assert_int_equal(r.ifindex, 0);
	get(s, "2001:db8:203::1", &r); /* throw: the walk ends with nothing */
	assert_int_equal(r.error, -ENETUNREACH);
	assert_null(r.route);
	assert_int_equal(r.type, NR_RTN_UNSPEC);
	assert_int_equal(r.table, 0);

	add_rules(s);
	get(s, "2001:db8:7000::1 mark 6", &r);
	assert_int_equal(r.why.rule_priority, 32766);
	assert_int_equal(r.why.tables_tried, 3); /* local, 999 (absent), main */
	get(s, "2001:db8:6100::1 mark 1", &r);
	assert_int_equal(r.why.tables_tried, 3); /* local, 100 (throw), main */
	get(s, "2001:db8:6000::1 mark 5", &r);
	assert_int_equal(r.why.rule_priority, 151); /* main's default suppressed by 150 */
	get(s, "2001:db8:6000::1 mark 3", &r);
	assert_int_equal(r.error, -EACCES);
	assert_null(r.route);
	nr_stack_free(s);
}

/* Multipath: every sibling the hash may pick; strictness and dead nexthops narrow it. */
static void test_ecmp(void **state)
{
	struct nr_stack *s = fixture();
	struct nr_nexthop nh[3];
	struct nr_route rt;
	struct nr_route_result r;
	char gw[NR_ADDR_STRLEN];

	(void)state;
	get(s, "2001:db8:5000::1", &r);
	assert_int_equal(r.nh_count, 2);
	assert_int_equal(r.nh[0].ifindex, VA);
	assert_int_equal(r.nh[1].ifindex, VB);
	assert_int_equal(r.ifindex, VA);
	/* Strict: only the sibling through vb. */
	get(s, "2001:db8:5000::1 oif vb", &r);
	assert_int_equal(r.nh_count, 1);
	assert_int_equal(r.ifindex, VB);
	/* With a source the output device only scores: both siblings stay possible. */
	get(s, "2001:db8:5000::1 from 2001:db8:b::1 oif vb", &r);
	assert_int_equal(r.nh_count, 2);
	assert_int_equal(r.ifindex, VB);

	/* A dead first sibling: rt6_select takes the next, the hash never lands on it. */
	memset(&rt, 0, sizeof(rt));
	memset(nh, 0, sizeof(nh));
	assert_int_equal(nr_prefix_parse("2001:db8:5100::/48", AF_INET6, 0, &rt.dst), 0);
	rt.family = AF_INET6;
	rt.type = NR_RTN_UNICAST;
	rt.table = NR_TABLE_MAIN;
	rt.metric = 1024;
	nr_addr_parse("2001:db8:c::f3", AF_INET6, &nh[0].gw);
	nh[0].ifindex = VC;
	nh[0].flags = NR_RTNH_F_DEAD | NR_RTNH_F_LINKDOWN;
	nr_addr_parse("2001:db8:a::f1", AF_INET6, &nh[1].gw);
	nh[1].ifindex = VA;
	nr_addr_parse("2001:db8:b::f2", AF_INET6, &nh[2].gw);
	nh[2].ifindex = VB;
	rt.nh = nh;
	rt.nh_count = 3;
	assert_int_equal(nr_stack_route_add(s, &rt), 0);
	get(s, "2001:db8:5100::1", &r);
	assert_int_equal(r.nh_count, 2);
	assert_int_equal(r.nh[0].ifindex, VA);
	assert_int_equal(r.nh[1].ifindex, VB);
	assert_string_equal(nr_addr_format(&r.gateway, gw, sizeof(gw)), "2001:db8:a::f1");
	/* Only the dead one goes through vc: on to the default route, which fails strictness too. */
	get(s, "2001:db8:5100::1 oif vc", &r);
	assert_int_equal(r.error, -ENETUNREACH);
	nr_stack_free(s);
}

/*
 * With no neighbour entry for the winner's gateway, the routes the kernel
 * would take if it knew that neighbour as FAILED are alternatives.
 */
static void test_neighbour_alternatives(void **state)
{
	struct nr_stack *s = fixture();
	struct rt gwr = {.dst = "2001:db8:8400::/48", .metric = 10, .gw1 = "2001:db8:a::e3",
			 .dev1 = VA};
	struct rt devr = {.dst = "2001:db8:8400::/48", .metric = 10, .dev1 = VB};
	struct nr_route_result r;
	struct nr_addr a;

	(void)state;
	route(s, &gwr);
	route(s, &devr);
	get(s, "2001:db8:8400::1", &r);
	assert_int_equal(r.ifindex, VA);
	assert_int_equal(r.alt_count, 2);
	assert_ptr_equal(r.alt[0], r.route);
	assert_int_equal(r.alt[1]->nh[0].ifindex, VB);
	/* Known FAILED: the kernel's choice is certain. */
	neigh_failed(s, VA, "2001:db8:a::e3");
	get(s, "2001:db8:8400::1", &r);
	assert_int_equal(r.ifindex, VB);
	assert_int_equal(r.alt_count, 0);
	/* Known reachable: certain too. */
	assert_int_equal(nr_addr_parse("2001:db8:a::e3", AF_INET6, &a), 0);
	assert_int_equal(nr_neigh_del(nr_stack_neigh(s), VA, &a), 0);
	{
		struct nr_lladdr ll = {.len = 6, .bytes = {2, 0, 0, 0, 0, 1}};

		assert_int_equal(nr_neigh_import(nr_stack_neigh(s), VA, &a, &ll, NR_NUD_REACHABLE,
						 0, 0),
				 0);
	}
	get(s, "2001:db8:8400::1", &r);
	assert_int_equal(r.ifindex, VA);
	assert_int_equal(r.alt_count, 0);
	/* An on-link winner cannot fail: no alternatives. */
	get(s, "2001:db8:8000::1", &r);
	assert_int_equal(r.alt_count, 0);
	nr_stack_free(s);
}

static void test_bad_queries(void **state)
{
	struct nr_stack *s = fixture();
	struct nr_route_query q;
	struct nr_route_result r;

	(void)state;
	parse_query(s, "2001:db8:99::1", &q);
	assert_int_equal(nr_addr_parse("192.0.2.1", AF_INET, &q.src), 0);
	assert_int_equal(nr_stack_route_get(s, &q, &r), -EINVAL); /* mixed families */
	parse_query(s, "2001:db8:99::1", &q);
	q.iif = 42;
	assert_int_equal(nr_stack_route_get(s, &q, &r), 0);
	assert_int_equal(r.error, -ENODEV);
	/* An output device the stack does not know: nothing goes through it. */
	parse_query(s, "2001:db8:99::1", &q);
	q.oif = 42;
	assert_int_equal(nr_stack_route_get(s, &q, &r), 0);
	assert_int_equal(r.error, -ENETUNREACH);
	/* "from ::" is no source: strict again. */
	parse_query(s, "2001:db8:99::1 oif vb", &q);
	q.src.family = AF_INET6;
	assert_int_equal(nr_stack_route_get(s, &q, &r), 0);
	assert_int_equal(r.error, -ENETUNREACH);
	nr_stack_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_cases_default_rules),
		cmocka_unit_test(test_kernel_cases_custom_rules),
		cmocka_unit_test(test_explain),
		cmocka_unit_test(test_ecmp),
		cmocka_unit_test(test_neighbour_alternatives),
		cmocka_unit_test(test_bad_queries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
