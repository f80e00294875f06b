/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The IPv4 route decision against the kernel's answers. The fixture is
 * the topology of tests/netns/test_route_get4_kernel.sh, built through the
 * public API; the case tables below are that script's, and the script
 * checks every one against `ip route get` on the kernel (6.18 here).
 *
 *   lo  127.0.0.1/8
 *   va  198.51.100.1/24, .9/24 (secondary)
 *   vb  203.0.113.1/26
 *   vc  192.0.2.1/28   (admin down)
 *   vd  192.0.2.65/26  (up, no carrier)
 *
 * An answer is written "error type table dev gateway src" ("-" for none)
 * as the script prints `ip -d -j route get`: the kernel leaves prefsrc out
 * when the query gives a source (from) or an input device (iif), and
 * leaves the table out when no route was used.
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
#include "netrig/stack.h"

enum { LO = 1, VA, VB, VC, VD };

struct kcase {
	const char *args;
	const char *expect; /* alternatives separated by '|' (ECMP) */
};

/* Phase 1: the kernel's default rules. */
static const struct kcase phase1[] = {
	{"198.51.100.1", "0 local main lo - 198.51.100.1"},
	{"198.51.100.9", "0 local main lo - 198.51.100.1"},
	{"198.51.100.7", "0 unicast main va - 198.51.100.1"},
	{"192.0.2.40", "0 unicast main va 198.51.100.254 198.51.100.1"},
	{"203.0.113.130", "0 unicast main va 198.51.100.2 198.51.100.1"},
	{"203.0.113.195", "0 unicast main vb 203.0.113.2 203.0.113.1"},
	{"203.0.113.201", "EHOSTUNREACH"},
	{"203.0.113.209", "EACCES"},
	{"203.0.113.217", "EINVAL"},
	{"203.0.113.225", "0 unicast default vb 203.0.113.3 203.0.113.1"},
	{"203.0.113.241", "0 unicast main va 198.51.100.4 198.51.100.1"},
	{"203.0.113.241 tos 0x10", "0 unicast main va 198.51.100.3 198.51.100.1"},
	{"203.0.113.241 tos 0xb0", "0 unicast main va 198.51.100.3 198.51.100.1"},
	{"203.0.113.241 tos 0x12", "0 unicast main va 198.51.100.3 198.51.100.1"},
	{"203.0.113.241 tos 0x14", "0 unicast main va 198.51.100.4 198.51.100.1"},
	{"203.0.113.241 tos 0xe8", "0 unicast main va 198.51.100.4 198.51.100.1"},
	{"203.0.113.241 from 203.0.113.50 iif vb tos 0xb0", "0 unicast main va 198.51.100.3 -"},
	{"203.0.113.249", "0 unicast main va 198.51.100.5 198.51.100.9"},
	{"192.0.2.130", "0 unicast main va - 198.51.100.1"},
	{"192.0.2.70", "0 unicast main vd - 192.0.2.65"},
	{"192.0.2.1", "0 local main lo - 192.0.2.1"},
	{"192.0.2.5", "0 unicast main va 198.51.100.254 198.51.100.1"},
	{"192.0.2.5 oif vc", "ENETUNREACH"},
	{"255.255.255.255", "0 broadcast main va - 198.51.100.1"},
	{"255.255.255.255 oif vb", "0 broadcast - vb - 203.0.113.1"},
	{"224.0.0.5 oif vb", "0 multicast - vb - 203.0.113.1"},
	{"239.1.1.1", "0 multicast main va - 198.51.100.1"},
	{"0.0.0.0", "0 local - lo - 127.0.0.1"},
	{"0.0.0.0 oif vb", "0 local - lo - 203.0.113.1"},
	{"198.51.100.255", "0 broadcast main va - 198.51.100.1"},
	{"127.0.0.5", "0 local main lo - 127.0.0.1"},
	{"192.0.2.40 from 203.0.113.1", "0 unicast main va 198.51.100.254 -"},
	{"192.0.2.40 from 192.0.2.99", "ENETUNREACH"},
	{"192.0.2.40 from 127.0.0.1", "EINVAL"},
	{"203.0.113.130 oif vb", "0 unicast main vb 203.0.113.62 203.0.113.1"},
	{"203.0.113.201 oif vb", "0 unicast - vb - 203.0.113.1"},
	{"192.0.2.40 oif vd", "0 unicast - vd - 192.0.2.65"},
	{"198.51.100.1 oif vb", "0 unicast main vb 203.0.113.62 203.0.113.1"},
	{"0.1.2.3", "0 unicast main va 198.51.100.254 198.51.100.1"},
	{"198.51.100.0", "0 unicast main va - 198.51.100.1"},
	{"192.0.2.40 from 203.0.113.50 iif vb", "0 unicast main va 198.51.100.254 -"},
	{"198.51.100.1 from 203.0.113.50 iif vb", "0 local main lo - -"},
	{"198.51.100.7 from 198.51.100.1 iif vb", "EINVAL"},
	{"203.0.113.201 from 203.0.113.50 iif vb", "EHOSTUNREACH"},
	{"203.0.113.233", "0 unicast main va 198.51.100.2 198.51.100.1|0 unicast main vb 203.0.113.2 203.0.113.1"},};

/* Phase 2: after the rules of add_rules(). */
static const struct kcase phase2[] = {
	{"198.51.100.1", "0 local local lo - 198.51.100.1"},
	{"192.0.2.130 from 198.51.100.9", "0 unicast 100 vb 203.0.113.4 -"},
	{"192.0.2.130 mark 1", "0 unicast 100 vb 203.0.113.4 203.0.113.1"},
	{"192.0.2.200", "0 unicast 200 va 198.51.100.6 198.51.100.1"},
	{"192.0.2.230", "0 unicast main va - 198.51.100.1"},
	{"192.0.2.130 oif vb", "0 unicast 100 vb 203.0.113.4 203.0.113.1"},
	{"192.0.2.130 tos 0x08", "0 unicast 100 vb 203.0.113.4 203.0.113.1"},
	{"192.0.2.130 tos 0xe8", "0 unicast 100 vb 203.0.113.4 203.0.113.1"},
	{"192.0.2.130 tos 0x0a", "0 unicast 100 vb 203.0.113.4 203.0.113.1"},
	{"192.0.2.130 tos 0x18", "0 unicast main va - 198.51.100.1"},
	{"192.0.2.40 from 203.0.113.50 iif vb", "EACCES"},
	{"192.0.2.130 mark 3", "ENETUNREACH"},
	{"192.0.2.130 mark 4", "EINVAL"},
	{"192.0.2.130 mark 5", "0 unicast main va - 198.51.100.1"},
	{"192.0.2.40 mark 6", "0 unicast 100 vb 203.0.113.5 203.0.113.1"},
	{"192.0.2.130 mark 6", "0 unicast main va - 198.51.100.1"},
	{"192.0.2.130 mark 7", "0 unicast 100 vb 203.0.113.4 203.0.113.1"},
	{"192.0.2.130 mark 8", "0 unicast main va - 198.51.100.1"},
	{"192.0.2.130 mark 9", "0 unicast main va - 198.51.100.1"},
	{"203.0.113.225", "0 unicast default vb 203.0.113.3 203.0.113.1"},
	{"192.0.2.40", "0 unicast main va 198.51.100.254 198.51.100.1"},
	{"192.0.2.130 ipproto tcp", "0 unicast 100 vb 203.0.113.4 203.0.113.1"},
	{"192.0.2.130 ipproto udp", "0 unicast main va - 198.51.100.1"},
	{"192.0.2.130 mark 10", "0 unicast 100 vb 203.0.113.4 203.0.113.1"},
	{"192.0.2.130 mark 10 ipproto icmp", "0 unicast main va - 198.51.100.1"},
	{"192.0.2.130 mark 11", "0 unicast main va - 198.51.100.1"},
	{"192.0.2.130 mark 11 dport 85", "0 unicast 100 vb 203.0.113.4 203.0.113.1"},
	{"192.0.2.130 mark 11 dport 91", "0 unicast main va - 198.51.100.1"},
	{"192.0.2.130 mark 11 ipproto icmp dport 85", "0 unicast 100 vb 203.0.113.4 203.0.113.1"},
	{"192.0.2.130 mark 12", "0 unicast 100 vb 203.0.113.4 203.0.113.1"},
	{"192.0.2.130 mark 12 uid 5", "0 unicast main va - 198.51.100.1"},
	{"192.0.2.130 mark 13", "0 unicast main va - 198.51.100.1"},
	{"192.0.2.130 mark 13 uid 7", "0 unicast 100 vb 203.0.113.4 203.0.113.1"},
	{"192.0.2.130 from 198.51.100.50 iif va ipproto tcp", "0 unicast 100 vb 203.0.113.4 -"},
	{"192.0.2.130 from 198.51.100.50 iif va mark 10", "0 unicast 100 vb 203.0.113.4 -"},
	{"192.0.2.130 from 198.51.100.50 iif va mark 11 dport 85", "0 unicast 100 vb 203.0.113.4 -"},
	{"192.0.2.130 from 198.51.100.50 iif va mark 11 ipproto icmp dport 85", "EACCES"},
	{"192.0.2.130 from 198.51.100.50 iif va mark 12 uid 5", "0 unicast 100 vb 203.0.113.4 -"},
	{"192.0.2.130 from 198.51.100.50 iif va mark 13 uid 7", "EACCES"},
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

	assert_int_equal(nr_prefix_parse(pfx, AF_INET, NR_PREFIX_PARSE_HOST_BITS, &p), 0);
	assert_int_equal(nr_stack_ifadd(s, index, &p), 0);
}

/* `ip route add [TYPE] DST [tos T] [metric M] [table T] [src S] via GW dev D ...` */
static void route(struct nr_stack *s, uint8_t type, const char *dst, uint32_t table,
		  uint32_t metric, uint8_t tos, const char *prefsrc, const char *gw1, int dev1,
		  const char *gw2, int dev2)
{
	struct nr_nexthop nh[2];
	struct nr_route r;

	memset(&r, 0, sizeof(r));
	memset(nh, 0, sizeof(nh));
	assert_int_equal(nr_prefix_parse(dst, AF_INET, 0, &r.dst), 0);
	r.family = AF_INET;
	r.type = type;
	r.protocol = 3; /* boot */
	r.table = table;
	r.metric = metric;
	r.tos = tos;
	/* iproute2's default scope: link for a device route, global otherwise. */
	r.scope = (type == NR_RTN_UNICAST && !gw1) ? NR_SCOPE_LINK : NR_SCOPE_UNIVERSE;
	if (prefsrc)
		assert_int_equal(nr_addr_parse(prefsrc, AF_INET, &r.prefsrc), 0);
	if (dev1) {
		if (gw1)
			assert_int_equal(nr_addr_parse(gw1, AF_INET, &nh[0].gw), 0);
		nh[0].ifindex = dev1;
		nh[0].weight = 1;
		r.nh_count = 1;
	}
	if (dev2) {
		if (gw2)
			assert_int_equal(nr_addr_parse(gw2, AF_INET, &nh[1].gw), 0);
		nh[1].ifindex = dev2;
		nh[1].weight = 1;
		r.nh_count = 2;
	}
	r.nh = r.nh_count ? nh : NULL;
	assert_int_equal(nr_stack_route_add(s, &r), 0);
}

#define UC NR_RTN_UNICAST

static struct nr_stack *fixture(void)
{
	struct nr_stack *s = nr_stack_new();

	assert_non_null(s);
	add_iface(s, LO, "lo", IFF_UP | IFF_LOOPBACK | IFF_RUNNING);
	add_iface(s, VA, "va", IFF_UP | IFF_BROADCAST | IFF_RUNNING);
	add_iface(s, VB, "vb", IFF_UP | IFF_BROADCAST | IFF_RUNNING);
	add_iface(s, VC, "vc", IFF_BROADCAST);
	add_iface(s, VD, "vd", IFF_UP | IFF_BROADCAST);
	ifadd(s, LO, "127.0.0.1/8");
	ifadd(s, VA, "198.51.100.1/24");
	ifadd(s, VA, "198.51.100.9/24");
	ifadd(s, VB, "203.0.113.1/26");
	ifadd(s, VC, "192.0.2.1/28");
	ifadd(s, VD, "192.0.2.65/26");

	route(s, UC, "0.0.0.0/0", 254, 100, 0, NULL, "198.51.100.254", VA, NULL, 0);
	route(s, UC, "0.0.0.0/0", 254, 100, 0, NULL, "198.51.100.253", VA, NULL, 0);
	route(s, UC, "0.0.0.0/0", 254, 200, 0, NULL, "203.0.113.62", VB, NULL, 0);
	route(s, UC, "203.0.113.128/25", 254, 0, 0, NULL, "198.51.100.2", VA, NULL, 0);
	route(s, UC, "203.0.113.192/26", 254, 0, 0, NULL, "203.0.113.2", VB, NULL, 0);
	route(s, NR_RTN_UNREACHABLE, "203.0.113.200/29", 254, 0, 0, NULL, NULL, 0, NULL, 0);
	route(s, NR_RTN_PROHIBIT, "203.0.113.208/29", 254, 0, 0, NULL, NULL, 0, NULL, 0);
	route(s, NR_RTN_BLACKHOLE, "203.0.113.216/29", 254, 0, 0, NULL, NULL, 0, NULL, 0);
	route(s, NR_RTN_THROW, "203.0.113.224/29", 254, 0, 0, NULL, NULL, 0, NULL, 0);
	route(s, UC, "203.0.113.232/29", 254, 0, 0, NULL, "198.51.100.2", VA, "203.0.113.2", VB);
	route(s, UC, "203.0.113.240/29", 254, 0, 0xb0, NULL, "198.51.100.7", VA, NULL, 0);
	route(s, UC, "203.0.113.240/29", 254, 0, 0x10, NULL, "198.51.100.3", VA, NULL, 0);
	route(s, UC, "203.0.113.240/29", 254, 0, 0, NULL, "198.51.100.4", VA, NULL, 0);
	route(s, UC, "203.0.113.248/29", 254, 0, 0, "198.51.100.9", "198.51.100.5", VA, NULL, 0);
	route(s, UC, "192.0.2.128/25", 254, 0, 0, NULL, NULL, VA, NULL, 0);
	route(s, UC, "203.0.113.224/27", 253, 0, 0, NULL, "203.0.113.3", VB, NULL, 0);
	route(s, UC, "192.0.2.128/25", 100, 0, 0, NULL, "203.0.113.4", VB, NULL, 0);
	route(s, UC, "0.0.0.0/0", 100, 0, 0, NULL, "203.0.113.5", VB, NULL, 0);
	route(s, UC, "192.0.2.192/26", 200, 0, 0, NULL, "198.51.100.6", VA, NULL, 0);
	route(s, NR_RTN_THROW, "192.0.2.224/27", 200, 0, 0, NULL, NULL, 0, NULL, 0);
	return s;
}

static struct nr_rule base_rule(uint32_t priority, uint8_t action, uint32_t table)
{
	struct nr_rule r;

	memset(&r, 0, sizeof(r));
	r.family = AF_INET;
	r.priority = priority;
	r.action = action;
	r.table = table;
	r.suppress_prefixlen = -1;
	r.suppress_ifgroup = -1;
	return r;
}

static void add_rules(struct nr_stack *s)
{
	struct nr_rule r;

	r = base_rule(100, NR_FR_ACT_TO_TBL, 100);
	assert_int_equal(nr_prefix_parse("198.51.100.9", AF_INET, 0, &r.from), 0);
	assert_int_equal(nr_stack_rule_add(s, &r), 0);
	r = base_rule(110, NR_FR_ACT_TO_TBL, 100);
	r.fwmark = 1;
	r.fwmask = 0xff;
	assert_int_equal(nr_stack_rule_add(s, &r), 0);
	r = base_rule(120, NR_FR_ACT_TO_TBL, 200);
	assert_int_equal(nr_prefix_parse("192.0.2.192/26", AF_INET, 0, &r.to), 0);
	assert_int_equal(nr_stack_rule_add(s, &r), 0);
	r = base_rule(130, NR_FR_ACT_TO_TBL, 100);
	strcpy(r.oifname, "vb");
	assert_int_equal(nr_stack_rule_add(s, &r), 0);
	r = base_rule(140, NR_FR_ACT_TO_TBL, 100);
	r.tos = 0x08;
	assert_int_equal(nr_stack_rule_add(s, &r), 0);
	/* ipproto, ports, uid (fwmark-guarded but the first): nr_flow_set_l4. */
	r = base_rule(141, NR_FR_ACT_TO_TBL, 100);
	r.ip_proto = 6;
	assert_int_equal(nr_stack_rule_add(s, &r), 0);
	r = base_rule(142, NR_FR_ACT_TO_TBL, 100);
	r.ip_proto = 17;
	r.fwmark = 10;
	assert_int_equal(nr_stack_rule_add(s, &r), 0);
	r = base_rule(143, NR_FR_ACT_TO_TBL, 100);
	r.dport_lo = 80;
	r.dport_hi = 90;
	r.fwmark = 11;
	assert_int_equal(nr_stack_rule_add(s, &r), 0);
	r = base_rule(144, NR_FR_ACT_TO_TBL, 100);
	r.has_uid_range = true;
	r.fwmark = 12;
	assert_int_equal(nr_stack_rule_add(s, &r), 0);
	r = base_rule(145, NR_FR_ACT_TO_TBL, 100);
	r.has_uid_range = true;
	r.uid_lo = 5;
	r.uid_hi = 10;
	r.fwmark = 13;
	assert_int_equal(nr_stack_rule_add(s, &r), 0);
	r = base_rule(150, NR_FR_ACT_PROHIBIT, 0);
	strcpy(r.iifname, "lo");
	r.flags = NR_FIB_RULE_INVERT;
	assert_int_equal(nr_stack_rule_add(s, &r), 0);
	r = base_rule(160, NR_FR_ACT_UNREACHABLE, 0);
	r.fwmark = 3;
	assert_int_equal(nr_stack_rule_add(s, &r), 0);
	r = base_rule(170, NR_FR_ACT_BLACKHOLE, 0);
	r.fwmark = 4;
	assert_int_equal(nr_stack_rule_add(s, &r), 0);
	r = base_rule(180, NR_FR_ACT_GOTO, 0);
	r.fwmark = 5;
	r.goto_target = 200;
	assert_int_equal(nr_stack_rule_add(s, &r), 0);
	r = base_rule(190, NR_FR_ACT_PROHIBIT, 0);
	r.fwmark = 5;
	assert_int_equal(nr_stack_rule_add(s, &r), 0);
	r = base_rule(200, NR_FR_ACT_TO_TBL, 200);
	r.fwmark = 5;
	assert_int_equal(nr_stack_rule_add(s, &r), 0);
	r = base_rule(210, NR_FR_ACT_TO_TBL, 254);
	r.fwmark = 6;
	r.suppress_prefixlen = 0;
	assert_int_equal(nr_stack_rule_add(s, &r), 0);
	r = base_rule(220, NR_FR_ACT_TO_TBL, 100);
	r.fwmark = 6;
	assert_int_equal(nr_stack_rule_add(s, &r), 0);
	r = base_rule(230, NR_FR_ACT_TO_TBL, 100);
	r.fwmark = 7;
	strcpy(r.iifname, "lo");
	assert_int_equal(nr_stack_rule_add(s, &r), 0);
	r = base_rule(231, NR_FR_ACT_TO_TBL, 100);
	r.fwmark = 8;
	strcpy(r.iifname, "va");
	assert_int_equal(nr_stack_rule_add(s, &r), 0);
	r = base_rule(240, NR_FR_ACT_TO_TBL, 999);
	r.fwmark = 9;
	assert_int_equal(nr_stack_rule_add(s, &r), 0);
}

static int ifindex_of(const struct nr_stack *s, const char *name)
{
	const struct nr_iface *ifc = nr_iface_by_name(nr_stack_ifaces_const(s), name);

	assert_non_null(ifc);
	return ifc->index;
}

/* "DST [from SRC] [iif DEV] [oif DEV] [mark N] [tos N]" as `ip route get` takes it. */
static void parse_query(const struct nr_stack *s, const char *args, struct nr_route_query *q)
{
	char buf[128], *save = NULL, *tok;

	memset(q, 0, sizeof(*q));
	snprintf(buf, sizeof(buf), "%s", args);
	tok = strtok_r(buf, " ", &save);
	assert_int_equal(nr_addr_parse(tok, AF_INET, &q->dst), 0);
	while ((tok = strtok_r(NULL, " ", &save)) != NULL) {
		char *val = strtok_r(NULL, " ", &save);

		assert_non_null(val);
		if (strcmp(tok, "from") == 0)
			assert_int_equal(nr_addr_parse(val, AF_INET, &q->src), 0);
		else if (strcmp(tok, "iif") == 0)
			q->iif = ifindex_of(s, val);
		else if (strcmp(tok, "oif") == 0)
			q->oif = ifindex_of(s, val);
		else if (strcmp(tok, "mark") == 0)
			q->mark = (uint32_t)strtoul(val, NULL, 0);
		else if (strcmp(tok, "tos") == 0)
			q->tos = (uint8_t)strtoul(val, NULL, 0);
		else if (strcmp(tok, "ipproto") == 0)
			q->ip_proto = strcmp(val, "tcp") == 0 ? 6 : strcmp(val, "udp") == 0 ? 17 : 1;
		else if (strcmp(tok, "sport") == 0)
			q->sport = (uint16_t)strtoul(val, NULL, 0);
		else if (strcmp(tok, "dport") == 0)
			q->dport = (uint16_t)strtoul(val, NULL, 0);
		else if (strcmp(tok, "uid") == 0) {
			q->uid = (uint32_t)strtoul(val, NULL, 0);
			q->has_uid = true;
		} else
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
	default:
		return "?";
	}
}

/* The answer in the script's notation, from the nexthop at nh (ECMP: each in turn). */
static void answer(const struct nr_stack *s, const struct nr_route_query *q,
		   const struct nr_route_result *r, const struct nr_nexthop *nh, char *out,
		   size_t cap)
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
	if (r->prefsrc.family != AF_UNSPEC && q->src.family == AF_UNSPEC && !q->iif)
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

/* The fields a caller reads, equal in both answers. */
static void assert_same_answer(const struct nr_route_result *a, const struct nr_route_result *b)
{
	assert_int_equal(a->error, b->error);
	assert_int_equal(a->type, b->type);
	assert_int_equal(a->table, b->table);
	assert_int_equal(a->ifindex, b->ifindex);
	assert_true(nr_addr_eq(&a->gateway, &b->gateway));
	assert_true(nr_addr_eq(&a->prefsrc, &b->prefsrc));
	assert_int_equal(a->metric, b->metric);
	assert_ptr_equal(a->route, b->route);
	assert_int_equal(a->nh_count, b->nh_count);
	assert_ptr_equal(a->nh, b->nh);
	assert_int_equal(a->alt_count, b->alt_count);
	assert_int_equal(a->why.rule_priority, b->why.rule_priority);
	assert_int_equal(a->why.table, b->why.table);
	assert_string_equal(a->why.src_reason, b->why.src_reason);
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
		assert_same_answer(&many[i], &one);
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
		char got[160];

		parse_query(s, c[i].args, &q);
		assert_int_equal(nr_stack_route_get(s, &q, &r), 0);
		if (r.nh_count > 1) {
			/* ECMP: every nexthop offered must be one the kernel may answer. */
			for (uint16_t k = 0; k < r.nh_count; k++) {
				answer(s, &q, &r, &r.nh[k], got, sizeof(got));
				/* prefsrc belongs to the nexthop ifindex names; others: dev and gateway. */
				if (r.nh[k].ifindex != r.ifindex)
					*strrchr(got, ' ') = '\0';
				if (!one_of_prefix(got, c[i].expect)) {
					print_error("ip route get %s: nexthop %u '%s', kernel '%s'\n",
						    c[i].args, k, got, c[i].expect);
					failed++;
				}
			}
			continue;
		}
		answer(s, &q, &r, NULL, got, sizeof(got));
		if (!one_of(got, c[i].expect)) {
			print_error("ip route get %s: netrig '%s', kernel '%s'\n", c[i].args, got,
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
	get(s, "203.0.113.130", &r);
	assert_int_equal(r.error, 0);
	assert_non_null(r.route);
	assert_int_equal(r.why.rule_priority, 32766);
	assert_int_equal(r.why.table, 254);
	assert_string_equal(nr_prefix_format(&r.why.prefix, p, sizeof(p)), "203.0.113.128/25");
	assert_string_equal(r.why.src_reason, "same-subnet");

	/* Throw in main: main, then default. */
	get(s, "203.0.113.225", &r);
	assert_int_equal(r.table, 253);
	assert_int_equal(r.why.tables_tried, 2);
	assert_int_equal(r.why.rule_priority, 32767);

	get(s, "203.0.113.249", &r);
	assert_string_equal(r.why.src_reason, "prefsrc");
	get(s, "192.0.2.40 from 203.0.113.1", &r);
	assert_string_equal(r.why.src_reason, "given");
	assert_string_equal(nr_addr_format(&r.prefsrc, p, sizeof(p)), "203.0.113.1");
	get(s, "0.0.0.0", &r);
	assert_string_equal(r.why.src_reason, "local-dst");
	assert_null(r.route);

	/* A reject route stays as the explanation; no route gives none. */
	get(s, "203.0.113.209", &r);
	assert_int_equal(r.error, -EACCES);
	assert_non_null(r.route);
	assert_int_equal(r.type, NR_RTN_PROHIBIT);
	get(s, "192.0.2.5 oif vc", &r);
	assert_int_equal(r.error, -ENETUNREACH);
	assert_null(r.route);

	/* Rules: the deciding rule and how many tables were looked in. */
	add_rules(s);
	get(s, "192.0.2.130 mark 9", &r);
	assert_int_equal(r.why.rule_priority, 32766);
	assert_int_equal(r.why.tables_tried, 3); /* local, 999 (absent), main */
	get(s, "192.0.2.230", &r);
	assert_int_equal(r.why.tables_tried, 3); /* local, 200 (throw), main */
	get(s, "192.0.2.40 mark 6", &r);
	assert_int_equal(r.why.rule_priority, 220);
	nr_stack_free(s);
}

/* Equal-metric defaults: the kernel picks by neighbour state; all are candidates. */
static void test_default_candidates_and_ecmp(void **state)
{
	struct nr_stack *s = fixture();
	struct nr_route_result r;
	char gw[NR_ADDR_STRLEN];

	(void)state;
	get(s, "192.0.2.40", &r);
	assert_int_equal(r.alt_count, 2);
	assert_ptr_equal(r.alt[0], r.route);
	assert_string_equal(nr_addr_format(&r.alt[1]->nh[0].gw, gw, sizeof(gw)), "198.51.100.253");
	/* With an output device there is no choice to make (fib_select_path). */
	get(s, "192.0.2.40 oif va", &r);
	assert_int_equal(r.alt_count, 0);
	/* Nor when forwarding: fib_select_default is output-only. */
	get(s, "192.0.2.40 from 203.0.113.50 iif vb", &r);
	assert_int_equal(r.error, 0);
	assert_int_equal(r.alt_count, 0);
	assert_string_equal(nr_addr_format(&r.gateway, gw, sizeof(gw)), "198.51.100.254");
	/* A more specific route: no default choice either. */
	get(s, "203.0.113.130", &r);
	assert_int_equal(r.alt_count, 0);

	get(s, "203.0.113.233", &r);
	assert_int_equal(r.nh_count, 2);
	assert_int_equal(r.ifindex, VA);
	/* oif pins one nexthop of the multipath route. */
	get(s, "203.0.113.233 oif vb", &r);
	assert_int_equal(r.nh_count, 1);
	assert_int_equal(r.ifindex, VB);
	assert_string_equal(nr_addr_format(&r.gateway, gw, sizeof(gw)), "203.0.113.2");
	nr_stack_free(s);
}

/* A dead nexthop is skipped; a route whose nexthops are all dead is passed over. */
static void test_dead_nexthops(void **state)
{
	struct nr_stack *s = fixture();
	struct nr_nexthop nh[2];
	struct nr_route rt;
	struct nr_route_result r;
	char gw[NR_ADDR_STRLEN];

	(void)state;
	memset(&rt, 0, sizeof(rt));
	memset(nh, 0, sizeof(nh));
	assert_int_equal(nr_prefix_parse("192.0.2.96/27", AF_INET, 0, &rt.dst), 0);
	rt.family = AF_INET;
	rt.type = NR_RTN_UNICAST;
	rt.table = 254;
	nr_addr_parse("198.51.100.7", AF_INET, &nh[0].gw);
	nh[0].ifindex = VA;
	nh[0].flags = NR_RTNH_F_DEAD;
	nr_addr_parse("203.0.113.7", AF_INET, &nh[1].gw);
	nh[1].ifindex = VB;
	rt.nh = nh;
	rt.nh_count = 2;
	assert_int_equal(nr_stack_route_add(s, &rt), 0);
	get(s, "192.0.2.100", &r);
	assert_int_equal(r.nh_count, 2); /* both listed, the dead one flagged */
	assert_int_equal(r.nh[0].flags & NR_RTNH_F_DEAD, NR_RTNH_F_DEAD);
	assert_int_equal(r.ifindex, VB);
	assert_string_equal(nr_addr_format(&r.gateway, gw, sizeof(gw)), "203.0.113.7");
	/* Through va only the dead nexthop: fib_table_lookup backtracks to the default. */
	get(s, "192.0.2.100 oif va", &r);
	assert_int_equal(r.ifindex, VA);
	assert_string_equal(nr_addr_format(&r.gateway, gw, sizeof(gw)), "198.51.100.254");

	/* Only nexthop through the down device vc: the route is skipped. */
	rt.dst.len = 28;
	rt.dst.addr.bytes[3] = 96;
	nh[0].flags = 0;
	nh[0].ifindex = VC;
	rt.nh_count = 1;
	assert_int_equal(nr_stack_route_add(s, &rt), 0);
	get(s, "192.0.2.100", &r);
	assert_string_equal(nr_addr_format(&r.gateway, gw, sizeof(gw)), "203.0.113.7");
	/*
	 * Whether a device is down is remembered per thread by the interface
	 * table's generation: vc coming up and going down again must show in
	 * the next lookup, single and batched alike.
	 */
	add_iface(s, VC, "vc", IFF_BROADCAST | NR_IFF_UP | NR_IFF_RUNNING);
	get(s, "192.0.2.100", &r);
	assert_int_equal(r.ifindex, VC);
	assert_string_equal(nr_addr_format(&r.gateway, gw, sizeof(gw)), "198.51.100.7");
	{
		struct nr_route_query q[2];
		struct nr_route_result m[2];

		memset(q, 0, sizeof(q));
		nr_addr_parse("192.0.2.100", AF_INET, &q[0].dst);
		q[1] = q[0];
		assert_int_equal(nr_stack_route_get_many(s, q, 2, m, NULL), 0);
		assert_int_equal(m[0].ifindex, VC);
		add_iface(s, VC, "vc", IFF_BROADCAST);
		assert_int_equal(nr_stack_route_get_many(s, q, 2, m, NULL), 0);
		assert_int_equal(m[1].ifindex, VB);
		assert_string_equal(nr_addr_format(&m[1].gateway, gw, sizeof(gw)), "203.0.113.7");
	}
	get(s, "192.0.2.100", &r);
	assert_int_equal(r.ifindex, VB);
	nr_stack_free(s);
}

static void test_bad_queries(void **state)
{
	struct nr_stack *s = fixture();
	struct nr_route_query q;
	struct nr_route_result r;

	(void)state;
	memset(&q, 0, sizeof(q));
	assert_int_equal(nr_stack_route_get(s, &q, &r), -EINVAL); /* no destination family */
	parse_query(s, "192.0.2.40", &q);
	assert_int_equal(nr_addr_parse("2001:db8::1", AF_INET6, &q.src), 0);
	assert_int_equal(nr_stack_route_get(s, &q, &r), -EINVAL); /* mixed families */
	assert_int_equal(nr_stack_route_get(NULL, &q, &r), -EINVAL);
	parse_query(s, "192.0.2.40", &q);
	q.oif = 77;
	assert_int_equal(nr_stack_route_get(s, &q, &r), 0);
	assert_int_equal(r.error, -ENODEV);
	q.oif = 0;
	q.iif = 77;
	assert_int_equal(nr_stack_route_get(s, &q, &r), 0);
	assert_int_equal(r.error, -ENODEV);
	/* IPv6 goes to its own engine: this stack has no IPv6 route at all. */
	memset(&q, 0, sizeof(q));
	assert_int_equal(nr_addr_parse("2001:db8::1", AF_INET6, &q.dst), 0);
	assert_int_equal(nr_stack_route_get(s, &q, &r), 0);
	assert_int_equal(r.error, -ENETUNREACH);

	/* A batch: a malformed query gets its errno and no answer, the others theirs. */
	{
		struct nr_route_query qs[3];
		struct nr_route_result rs[3];
		int errs[3] = {1, 1, 1};

		memset(qs, 0, sizeof(qs));
		memset(rs, 0x5a, sizeof(rs));
		parse_query(s, "192.0.2.40", &qs[0]);
		qs[2] = q;
		assert_int_equal(nr_stack_route_get_many(s, qs, 3, rs, errs), -EINVAL);
		assert_int_equal(errs[0], 0);
		assert_int_equal(rs[0].error, 0);
		assert_int_equal(rs[0].ifindex, VA);
		assert_int_equal(errs[1], -EINVAL);
		assert_int_equal(rs[1].error, 0x5a5a5a5a);
		assert_int_equal(errs[2], 0);
		assert_int_equal(rs[2].error, -ENETUNREACH);
		assert_int_equal(nr_stack_route_get_many(s, qs, 1, rs, NULL), 0);
		assert_int_equal(nr_stack_route_get_many(s, NULL, 0, NULL, NULL), 0);
		assert_int_equal(nr_stack_route_get_many(NULL, qs, 1, rs, errs), -EINVAL);
		assert_int_equal(nr_stack_route_get_many(s, NULL, 1, rs, errs), -EINVAL);
	}
	nr_stack_free(s);
}

struct dump {
	char line[40][100];
	size_t n;
};

static int dump_route(const struct nr_route *r, void *arg)
{
	struct dump *d = arg;
	char p[NR_PREFIX_STRLEN], src[NR_ADDR_STRLEN] = "-", tb[16];

	if (r->prefsrc.family != AF_UNSPEC)
		nr_addr_format(&r->prefsrc, src, sizeof(src));
	snprintf(d->line[d->n++], sizeof(d->line[0]), "%s %s %s dev %d scope %u src %s%s",
		 nr_table_name(r->table, tb, sizeof(tb)), nr_rtype_name(r->type),
		 nr_prefix_format(&r->dst, p, sizeof(p)), r->nh[0].ifindex, (unsigned)r->scope,
		 src, (r->nh[0].flags & NR_RTNH_F_LINKDOWN) ? " linkdown" : "");
	return d->n == 40;
}

/*
 * ifadd adds what the kernel adds (`ip -4 route show table all` after the
 * fixture's `ip addr add`s): the local route always, connected and
 * broadcast routes only on an up device and only for a primary address;
 * a secondary's local route has the primary as source.
 */
static void test_ifadd_routes(void **state)
{
	struct nr_stack *s = fixture();
	struct nr_stack *k = nr_stack_new();
	struct dump d = {0};
	const struct nr_iface *va;

	(void)state;
	/* Only the kernel's own routes: a fresh stack with the same interfaces. */
	add_iface(k, LO, "lo", IFF_UP | IFF_LOOPBACK | IFF_RUNNING);
	add_iface(k, VA, "va", IFF_UP | IFF_BROADCAST | IFF_RUNNING);
	add_iface(k, VC, "vc", IFF_BROADCAST);
	add_iface(k, VD, "vd", IFF_UP | IFF_BROADCAST);
	ifadd(k, LO, "127.0.0.1/8");
	ifadd(k, VA, "198.51.100.1/24");
	ifadd(k, VA, "198.51.100.9/24");
	ifadd(k, VC, "192.0.2.1/28");
	ifadd(k, VD, "192.0.2.65/26");
	assert_int_equal(nr_stack_route_walk(k, AF_INET, dump_route, &d), 0);
	assert_int_equal(d.n, 11);
	assert_string_equal(d.line[0], "main unicast 192.0.2.64/26 dev 5 scope 253 src 192.0.2.65 linkdown");
	assert_string_equal(d.line[1], "main unicast 198.51.100.0/24 dev 2 scope 253 src 198.51.100.1");
	assert_string_equal(d.line[2], "local local 127.0.0.0/8 dev 1 scope 254 src 127.0.0.1");
	assert_string_equal(d.line[3], "local local 127.0.0.1/32 dev 1 scope 254 src 127.0.0.1");
	assert_string_equal(d.line[4], "local broadcast 127.255.255.255/32 dev 1 scope 253 src 127.0.0.1");
	assert_string_equal(d.line[5], "local local 192.0.2.1/32 dev 4 scope 254 src 192.0.2.1");
	assert_string_equal(d.line[6], "local local 192.0.2.65/32 dev 5 scope 254 src 192.0.2.65");
	assert_string_equal(d.line[7], "local broadcast 192.0.2.127/32 dev 5 scope 253 src 192.0.2.65 linkdown");
	assert_string_equal(d.line[8], "local local 198.51.100.1/32 dev 2 scope 254 src 198.51.100.1");
	assert_string_equal(d.line[9], "local local 198.51.100.9/32 dev 2 scope 254 src 198.51.100.1");
	assert_string_equal(d.line[10], "local broadcast 198.51.100.255/32 dev 2 scope 253 src 198.51.100.1");
	va = nr_iface_by_index(nr_stack_ifaces_const(k), VA);
	assert_int_equal(va->naddrs, 2);
	assert_int_equal(va->addrs[0].flags & NR_IFA_F_SECONDARY, 0);
	assert_int_equal(va->addrs[1].flags & NR_IFA_F_SECONDARY, NR_IFA_F_SECONDARY);

	/* Same address twice, unknown interface. */
	{
		struct nr_prefix p;

		nr_prefix_parse("198.51.100.1/24", AF_INET, NR_PREFIX_PARSE_HOST_BITS, &p);
		assert_int_equal(nr_stack_ifadd(k, VA, &p), -EEXIST);
		assert_int_equal(nr_stack_ifadd(k, 42, &p), -ENODEV);
		/* ifchange: va ends up with only this address and its routes. */
		nr_prefix_parse("198.51.100.77/25", AF_INET, NR_PREFIX_PARSE_HOST_BITS, &p);
		assert_int_equal(nr_stack_ifchange(k, VA, &p), 0);
		assert_int_equal(va->naddrs, 1);
	}
	memset(&d, 0, sizeof(d));
	assert_int_equal(nr_stack_route_walk(k, AF_INET, dump_route, &d), 0);
	assert_int_equal(d.n, 10);
	assert_string_equal(d.line[1], "main unicast 198.51.100.0/25 dev 2 scope 253 src 198.51.100.77");
	assert_string_equal(d.line[8], "local local 198.51.100.77/32 dev 2 scope 254 src 198.51.100.77");
	assert_string_equal(d.line[9], "local broadcast 198.51.100.127/32 dev 2 scope 253 src 198.51.100.77");
	/* ifdel: no address and no route through va is left. */
	assert_int_equal(nr_stack_ifdel(k, VA), 0);
	assert_int_equal(va->naddrs, 0);
	assert_int_equal(nr_stack_route_count(k, AF_INET), 7);
	assert_int_equal(nr_stack_ifdel(k, 42), -ENODEV);
	nr_stack_free(k);
	nr_stack_free(s);
}

/* stack/ repeats the IFF_* bits it needs so it does not include net/if.h. */
static uint64_t big_rng(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/*
 * Tables large enough for the trie's jump table (> 16384 prefixes), both
 * families, queries of both mixed in one batch: the batch answers are the
 * single ones, inside and outside the stored prefixes.
 */
static void test_many_large(void **state)
{
	enum { NROUTES = 20000, NQ = 3001 };
	struct nr_stack *s = fixture();
	struct nr_nexthop nh = {.ifindex = VA, .weight = 1};
	struct nr_route r;
	struct nr_route_query *q = calloc(NQ, sizeof(*q));
	struct nr_route_result *many = calloc(NQ, sizeof(*many)), one;
	int *errs = calloc(NQ, sizeof(*errs));
	uint64_t x = 0x6d616e79; /* "many" */
	size_t found = 0;

	(void)state;
	assert_non_null(q);
	assert_non_null(many);
	assert_non_null(errs);
	assert_int_equal(nr_addr_parse("198.51.100.254", AF_INET, &nh.gw), 0);
	for (int fam = 0; fam < 2; fam++) {
		size_t added = 0;

		memset(&r, 0, sizeof(r));
		r.family = fam ? AF_INET6 : AF_INET;
		r.type = NR_RTN_UNICAST;
		r.table = NR_TABLE_MAIN;
		r.nh_count = 1;
		r.nh = &nh;
		if (fam) {
			struct nr_prefix p6;

			assert_int_equal(nr_prefix_parse("2001:db8::1/64", AF_INET6,
							 NR_PREFIX_PARSE_HOST_BITS, &p6), 0);
			assert_int_equal(nr_stack_ifadd(s, VA, &p6), 0);
			assert_int_equal(nr_addr_parse("2001:db8::fffe", AF_INET6, &nh.gw), 0);
		}
		while (added < NROUTES) {
			unsigned len = fam ? 33 + (unsigned)(big_rng(&x) % 96)
					   : 8 + (unsigned)(big_rng(&x) % 25);
			uint64_t a = big_rng(&x), b = big_rng(&x);

			r.dst.addr.family = r.family;
			memcpy(r.dst.addr.bytes, &a, 8);
			memcpy(r.dst.addr.bytes + 8, &b, 8);
			if (fam)
				memcpy(r.dst.addr.bytes, "\x20\x01\x0d\xb8", 4);
			nr_addr_mask(&r.dst.addr, len);
			r.dst.len = (uint8_t)len;
			if (nr_stack_route_add(s, &r) == 0)
				added++;
		}
	}
	for (size_t i = 0; i < NQ; i++) {
		uint64_t a = big_rng(&x), b = big_rng(&x);

		q[i].dst.family = (big_rng(&x) & 1) ? AF_INET6 : AF_INET;
		memcpy(q[i].dst.bytes, &a, 8);
		if (q[i].dst.family == AF_INET6) {
			memcpy(q[i].dst.bytes + 8, &b, 8);
			memcpy(q[i].dst.bytes, "\x20\x01\x0d\xb8", 4);
		}
	}
	assert_int_equal(nr_stack_route_get_many(s, q, NQ, many, errs), 0);
	for (size_t i = 0; i < NQ; i++) {
		assert_int_equal(errs[i], 0);
		assert_int_equal(nr_stack_route_get(s, &q[i], &one), 0);
		assert_same_answer(&many[i], &one);
		/* Protocol 0: one of the routes added here, not the fixture's. */
		found += one.error == 0 && one.route && one.route->protocol == 0;
	}
	/* Many destinations meet one of the 40000 routes: the batch did real walks. */
	assert_true(found > NQ / 2);
	free(errs);
	free(many);
	free(q);
	nr_stack_free(s);
}

static void test_iff_values(void **state)
{
	(void)state;
	assert_int_equal(NR_IFF_UP, IFF_UP);
	assert_int_equal(NR_IFF_LOOPBACK, IFF_LOOPBACK);
	assert_int_equal(NR_IFF_RUNNING, IFF_RUNNING);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_cases_default_rules),
		cmocka_unit_test(test_kernel_cases_custom_rules),
		cmocka_unit_test(test_explain),
		cmocka_unit_test(test_default_candidates_and_ecmp),
		cmocka_unit_test(test_dead_nexthops),
		cmocka_unit_test(test_bad_queries),
		cmocka_unit_test(test_ifadd_routes),
		cmocka_unit_test(test_iff_values),
		cmocka_unit_test(test_many_large),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
