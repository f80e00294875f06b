/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Policy rules: storage (sorted, stable, duplicates, delete, defaults),
 * every selector of fib_rule_match/fib4_rule_match with a match and a
 * miss, invert, every action, goto, throw fall-through and suppress_*.
 * The end-to-end behaviour against the kernel is in test_route_get4.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "netrig/iface.h"
#include "netrig/stack.h"
#include "../../stack/route_get.h"

enum { LO = 1, E1, E2 };

static struct nr_rule rule(uint32_t priority, uint8_t action, uint32_t table)
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

static struct nr_flow flow(const char *dst, const char *src)
{
	struct nr_flow f;

	memset(&f, 0, sizeof(f));
	f.family = AF_INET;
	assert_int_equal(nr_addr_parse(dst, AF_INET, &f.dst), 0);
	if (src)
		assert_int_equal(nr_addr_parse(src, AF_INET, &f.src), 0);
	return f;
}

static void add_iface(struct nr_stack *s, int index, const char *name, uint32_t flags,
		      uint32_t group)
{
	struct nr_iface ifc;

	memset(&ifc, 0, sizeof(ifc));
	ifc.index = index;
	snprintf(ifc.name, sizeof(ifc.name), "%s", name);
	ifc.flags = flags;
	ifc.group = group;
	assert_int_equal(nr_iface_add(nr_stack_ifaces(s), &ifc), 0);
}

static void dev_route(struct nr_stack *s, const char *dst, uint32_t table, uint8_t type, int dev)
{
	struct nr_nexthop nh;
	struct nr_route r;

	memset(&r, 0, sizeof(r));
	memset(&nh, 0, sizeof(nh));
	assert_int_equal(nr_prefix_parse(dst, AF_INET, 0, &r.dst), 0);
	r.family = AF_INET;
	r.type = type;
	r.table = table;
	r.scope = NR_SCOPE_LINK;
	nh.ifindex = dev;
	nh.weight = 1;
	r.nh = &nh;
	r.nh_count = dev ? 1 : 0;
	assert_int_equal(nr_stack_route_add(s, &r), 0);
}

/*
 * lo, e1 (group 5), e2; table 10: 192.0.2.0/24 via e1; table 20:
 * 192.0.2.0/24 via e2 and a throw for 192.0.2.128/25; main: 0/0 via e1
 * and 192.0.2.0/26 via e2.
 */
static struct nr_stack *fixture(void)
{
	struct nr_stack *s = nr_stack_new();

	assert_non_null(s);
	add_iface(s, LO, "lo", IFF_UP | IFF_LOOPBACK, 0);
	add_iface(s, E1, "e1", IFF_UP, 5);
	add_iface(s, E2, "e2", IFF_UP, 0);
	dev_route(s, "192.0.2.0/24", 10, NR_RTN_UNICAST, E1);
	dev_route(s, "192.0.2.0/24", 20, NR_RTN_UNICAST, E2);
	dev_route(s, "192.0.2.128/25", 20, NR_RTN_THROW, 0);
	dev_route(s, "0.0.0.0/0", 254, NR_RTN_UNICAST, E1);
	dev_route(s, "192.0.2.0/26", 254, NR_RTN_UNICAST, E2);
	return s;
}

static void test_storage(void **state)
{
	struct nr_stack *s = nr_stack_new();
	struct nr_rule r;
	const struct nr_rule *at;

	(void)state;
	/* A new stack has the kernel's defaults: 0 local, 32766 main, 32767 default. */
	assert_int_equal(nr_stack_rule_count(s, AF_INET), 3);
	assert_int_equal(nr_stack_rule_at(s, AF_INET, 0)->table, NR_TABLE_LOCAL);
	assert_int_equal(nr_stack_rule_at(s, AF_INET, 1)->priority, 32766);
	assert_int_equal(nr_stack_rule_at(s, AF_INET, 2)->table, NR_TABLE_DEFAULT);
	/* IPv6 has no "default" rule. */
	assert_int_equal(nr_stack_rule_count(s, AF_INET6), 2);
	assert_null(nr_stack_rule_at(s, AF_INET, 3));

	/* Sorted by priority, a new rule after those of equal priority. */
	r = rule(100, NR_FR_ACT_TO_TBL, 10);
	assert_int_equal(nr_stack_rule_add(s, &r), 0);
	r = rule(100, NR_FR_ACT_TO_TBL, 20);
	assert_int_equal(nr_stack_rule_add(s, &r), 0);
	r = rule(50, NR_FR_ACT_TO_TBL, 30);
	assert_int_equal(nr_stack_rule_add(s, &r), 0);
	assert_int_equal(nr_stack_rule_count(s, AF_INET), 6);
	assert_int_equal(nr_stack_rule_at(s, AF_INET, 1)->table, 30);
	assert_int_equal(nr_stack_rule_at(s, AF_INET, 2)->table, 10);
	assert_int_equal(nr_stack_rule_at(s, AF_INET, 3)->table, 20);

	/* An identical rule is refused; a mark without mask compares all bits. */
	r = rule(100, NR_FR_ACT_TO_TBL, 20);
	assert_int_equal(nr_stack_rule_add(s, &r), -EEXIST);
	r.fwmark = 7;
	assert_int_equal(nr_stack_rule_add(s, &r), 0);
	at = nr_stack_rule_at(s, AF_INET, 4);
	assert_int_equal(at->fwmask, 0xffffffffu);

	/* goto must point further on; families must agree. */
	r = rule(300, NR_FR_ACT_GOTO, 0);
	r.goto_target = 300;
	assert_int_equal(nr_stack_rule_add(s, &r), -EINVAL);
	r.goto_target = 200;
	assert_int_equal(nr_stack_rule_add(s, &r), -EINVAL);
	r.goto_target = 400;
	assert_int_equal(nr_stack_rule_add(s, &r), 0);
	r = rule(10, NR_FR_ACT_TO_TBL, 10);
	r.family = AF_INET6;
	assert_int_equal(nr_stack_rule_add(s, &r), 0);
	r.family = 99;
	assert_int_equal(nr_stack_rule_add(s, &r), -EAFNOSUPPORT);
	r = rule(10, NR_FR_ACT_TO_TBL, 10);
	assert_int_equal(nr_prefix_parse("2001:db8::/32", AF_INET6, 0, &r.from), 0);
	assert_int_equal(nr_stack_rule_add(s, &r), -EINVAL);

	/* Delete: priority always, other fields when set. */
	r = rule(100, 0, 20);
	assert_int_equal(nr_stack_rule_del(s, &r), 0); /* the first of table 20 */
	assert_int_equal(nr_stack_rule_del(s, &r), 0); /* the marked one */
	assert_int_equal(nr_stack_rule_del(s, &r), -ENOENT);
	r = rule(100, 0, 0);
	assert_int_equal(nr_stack_rule_del(s, &r), 0);
	assert_int_equal(nr_stack_rule_count(s, AF_INET), 5);

	nr_stack_rules_default(s, AF_INET);
	assert_int_equal(nr_stack_rule_count(s, AF_INET), 3);
	assert_int_equal(nr_stack_rule_count(s, AF_INET6), 3);
	nr_stack_free(s);
}

/* Each selector: one flow that matches, one that does not. */
static void test_selectors(void **state)
{
	struct nr_stack *s = fixture();
	const struct nr_iface_table *it = nr_stack_ifaces_const(s);
	struct nr_rule r;
	struct nr_flow f;

	(void)state;
	r = rule(1, NR_FR_ACT_TO_TBL, 10);
	f = flow("192.0.2.1", NULL);
	assert_true(nr_rule_match(&r, &f, it)); /* no selector: all */

	assert_int_equal(nr_prefix_parse("198.51.100.0/24", AF_INET, 0, &r.from), 0);
	assert_false(nr_rule_match(&r, &f, it)); /* no source: 0.0.0.0 */
	f = flow("192.0.2.1", "198.51.100.7");
	assert_true(nr_rule_match(&r, &f, it));
	f = flow("192.0.2.1", "203.0.113.7");
	assert_false(nr_rule_match(&r, &f, it));

	r = rule(1, NR_FR_ACT_TO_TBL, 10);
	assert_int_equal(nr_prefix_parse("192.0.2.128/25", AF_INET, 0, &r.to), 0);
	f = flow("192.0.2.200", NULL);
	assert_true(nr_rule_match(&r, &f, it));
	f = flow("192.0.2.100", NULL);
	assert_false(nr_rule_match(&r, &f, it));

	r = rule(1, NR_FR_ACT_TO_TBL, 10);
	r.tos = 0x10;
	f.tos = 0x10;
	assert_true(nr_rule_match(&r, &f, it));
	f.tos = 0x08;
	assert_false(nr_rule_match(&r, &f, it));

	r = rule(1, NR_FR_ACT_TO_TBL, 10);
	r.fwmark = 0x10;
	r.fwmask = 0xf0;
	f = flow("192.0.2.1", NULL);
	f.mark = 0x1f; /* low bits outside the mask */
	assert_true(nr_rule_match(&r, &f, it));
	f.mark = 0x20;
	assert_false(nr_rule_match(&r, &f, it));

	/* iif: "lo" is locally generated output; a named device is input from it. */
	r = rule(1, NR_FR_ACT_TO_TBL, 10);
	strcpy(r.iifname, "lo");
	f = flow("192.0.2.1", NULL);
	assert_true(nr_rule_match(&r, &f, it));
	f.iif = E1;
	assert_false(nr_rule_match(&r, &f, it));
	strcpy(r.iifname, "e1");
	assert_true(nr_rule_match(&r, &f, it));
	f.iif = 0;
	assert_false(nr_rule_match(&r, &f, it));
	strcpy(r.iifname, "nosuch"); /* a device that does not exist never matches */
	f.iif = E1;
	assert_false(nr_rule_match(&r, &f, it));

	r = rule(1, NR_FR_ACT_TO_TBL, 10);
	strcpy(r.oifname, "e2");
	f = flow("192.0.2.1", NULL);
	assert_false(nr_rule_match(&r, &f, it)); /* no oif in the query */
	f.oif = E2;
	assert_true(nr_rule_match(&r, &f, it));
	f.oif = E1;
	assert_false(nr_rule_match(&r, &f, it));

	/* ipproto, ports, uid: compared with the flow (fib4_rule_match, fib_rule_match). */
	r = rule(1, NR_FR_ACT_TO_TBL, 10);
	r.ip_proto = 6;
	f = flow("192.0.2.1", NULL);
	f.ip_proto = 6;
	assert_true(nr_rule_match(&r, &f, it));
	f.ip_proto = 17;
	assert_false(nr_rule_match(&r, &f, it));
	f.ip_proto = 0;
	assert_false(nr_rule_match(&r, &f, it));

	r = rule(1, NR_FR_ACT_TO_TBL, 10);
	r.dport_lo = 80;
	r.dport_hi = 90;
	f = flow("192.0.2.1", NULL);
	f.dport = 80;
	assert_true(nr_rule_match(&r, &f, it));
	f.dport = 90;
	assert_true(nr_rule_match(&r, &f, it));
	f.dport = 91;
	assert_false(nr_rule_match(&r, &f, it));
	f.dport = 0;
	assert_false(nr_rule_match(&r, &f, it));
	f.dport = 85;
	f.sport = 7; /* no sport range: any */
	assert_true(nr_rule_match(&r, &f, it));

	r = rule(1, NR_FR_ACT_TO_TBL, 10);
	r.sport_lo = r.sport_hi = 1000;
	f = flow("192.0.2.1", NULL);
	f.sport = 1000;
	assert_true(nr_rule_match(&r, &f, it));
	f.sport = 1001;
	assert_false(nr_rule_match(&r, &f, it));

	r = rule(1, NR_FR_ACT_TO_TBL, 10);
	r.has_uid_range = true;
	r.uid_lo = 1000;
	r.uid_hi = 2000;
	f = flow("192.0.2.1", NULL);
	assert_false(nr_rule_match(&r, &f, it)); /* uid 0 */
	f.uid = 2000;
	assert_true(nr_rule_match(&r, &f, it));
	f.uid = 2001;
	assert_false(nr_rule_match(&r, &f, it));
	r.uid_lo = r.uid_hi = 0;
	f.uid = 0;
	assert_true(nr_rule_match(&r, &f, it));
	f.uid_invalid = true; /* INVALID_UID lies in no range */
	assert_false(nr_rule_match(&r, &f, it));
	r.has_uid_range = false;
	assert_true(nr_rule_match(&r, &f, it));

	/* not: the whole match inverted. */
	r = rule(1, NR_FR_ACT_TO_TBL, 10);
	assert_int_equal(nr_prefix_parse("192.0.2.128/25", AF_INET, 0, &r.to), 0);
	r.fwmark = 1;
	r.fwmask = 0xffffffffu;
	r.flags = NR_FIB_RULE_INVERT;
	f = flow("192.0.2.200", NULL);
	f.mark = 1;
	assert_false(nr_rule_match(&r, &f, it));
	f.mark = 2; /* inner miss: inverted, a match */
	assert_true(nr_rule_match(&r, &f, it));
	nr_stack_free(s);
}

/* What inet_rtm_getroute / inet6_rtm_getroute put in the flow (kernel 6.18). */
static void test_flow_l4(void **state)
{
	struct nr_route_query q;
	struct nr_flow f;

	(void)state;
	memset(&q, 0, sizeof(q));
	/* IPv4 output, nothing given: UDP, ports 0, uid 0. */
	f = flow("192.0.2.1", NULL);
	nr_flow_set_l4(&f, &q);
	assert_int_equal(f.ip_proto, 17);
	assert_int_equal(f.dport, 0);
	assert_int_equal(f.uid, 0);
	assert_false(f.uid_invalid);
	/* Output: ports and uid as given, whatever the protocol. */
	q.ip_proto = 1;
	q.dport = 85;
	q.has_uid = true;
	q.uid = 5;
	nr_flow_set_l4(&f, &q);
	assert_int_equal(f.ip_proto, 1);
	assert_int_equal(f.dport, 85);
	assert_int_equal(f.uid, 5);
	/* Input: uid 0 always; ICMP has no ports to dissect. */
	f = flow("192.0.2.1", NULL);
	f.iif = E1;
	nr_flow_set_l4(&f, &q);
	assert_int_equal(f.uid, 0);
	assert_false(f.uid_invalid);
	assert_int_equal(f.dport, 0);
	q.ip_proto = 0; /* UDP: ports kept */
	nr_flow_set_l4(&f, &q);
	assert_int_equal(f.ip_proto, 17);
	assert_int_equal(f.dport, 85);

	/* IPv6: protocol 0 by default; input uses the given uid, else none. */
	memset(&q, 0, sizeof(q));
	memset(&f, 0, sizeof(f));
	f.family = AF_INET6;
	nr_flow_set_l4(&f, &q);
	assert_int_equal(f.ip_proto, 0);
	assert_false(f.uid_invalid);
	f.iif = E1;
	q.dport = 85;
	nr_flow_set_l4(&f, &q);
	assert_true(f.uid_invalid);
	assert_int_equal(f.dport, 85);
	q.has_uid = true;
	q.uid = 3;
	nr_flow_set_l4(&f, &q);
	assert_false(f.uid_invalid);
	assert_int_equal(f.uid, 3);
}

static struct nr_route_result get(const struct nr_stack *s, const char *dst, uint32_t mark)
{
	struct nr_route_query q;
	struct nr_route_result r;

	memset(&q, 0, sizeof(q));
	assert_int_equal(nr_addr_parse(dst, AF_INET, &q.dst), 0);
	q.mark = mark;
	assert_int_equal(nr_stack_route_get(s, &q, &r), 0);
	return r;
}

static void add(struct nr_stack *s, struct nr_rule r)
{
	assert_int_equal(nr_stack_rule_add(s, &r), 0);
}

static void test_actions(void **state)
{
	struct nr_stack *s = fixture();
	struct nr_rule r;
	struct nr_route_result res;

	(void)state;
	r = rule(10, NR_FR_ACT_TO_TBL, 10);
	r.fwmark = 1;
	add(s, r);
	r = rule(11, NR_FR_ACT_BLACKHOLE, 0);
	r.fwmark = 2;
	add(s, r);
	r = rule(12, NR_FR_ACT_UNREACHABLE, 0);
	r.fwmark = 3;
	add(s, r);
	r = rule(13, NR_FR_ACT_PROHIBIT, 0);
	r.fwmark = 4;
	add(s, r);
	r = rule(14, NR_FR_ACT_NOP, 0);
	r.fwmark = 5;
	add(s, r);
	r = rule(15, NR_FR_ACT_GOTO, 0);
	r.fwmark = 6;
	r.goto_target = 17;
	add(s, r);
	r = rule(16, NR_FR_ACT_PROHIBIT, 0);
	r.fwmark = 6;
	add(s, r);
	r = rule(17, NR_FR_ACT_TO_TBL, 20);
	r.fwmark = 6;
	add(s, r);
	r = rule(18, NR_FR_ACT_GOTO, 0);
	r.fwmark = 7;
	r.goto_target = 19; /* no rule 19: the goto is passed over */
	add(s, r);

	res = get(s, "192.0.2.100", 0);
	assert_int_equal(res.ifindex, E1); /* main: 0/0 via e1 */
	assert_int_equal(res.table, 254);
	res = get(s, "192.0.2.100", 1);
	assert_int_equal(res.table, 10);
	assert_int_equal(res.why.rule_priority, 10);
	assert_int_equal(get(s, "192.0.2.100", 2).error, -EINVAL);
	assert_int_equal(get(s, "192.0.2.100", 3).error, -ENETUNREACH);
	assert_int_equal(get(s, "192.0.2.100", 4).error, -EACCES);
	res = get(s, "192.0.2.100", 5);
	assert_int_equal(res.table, 254); /* nop: on to main */
	res = get(s, "192.0.2.100", 6);
	assert_int_equal(res.table, 20); /* goto skips the prohibit at 16 */
	assert_int_equal(res.ifindex, E2);
	assert_int_equal(res.why.rule_priority, 17);
	/* Throw in table 20 falls through to main. */
	res = get(s, "192.0.2.200", 6);
	assert_int_equal(res.table, 254);
	assert_int_equal(res.why.tables_tried, 3); /* local, 20, main */
	res = get(s, "192.0.2.100", 7);
	assert_int_equal(res.table, 254);
	nr_stack_free(s);
}

static void test_suppress(void **state)
{
	struct nr_stack *s = fixture();
	struct nr_rule r;
	struct nr_route_result res;

	(void)state;
	/* main, but not its default route: then table 10. */
	r = rule(10, NR_FR_ACT_TO_TBL, 254);
	r.suppress_prefixlen = 0;
	add(s, r);
	r = rule(11, NR_FR_ACT_TO_TBL, 10);
	add(s, r);
	res = get(s, "192.0.2.100", 0);
	assert_int_equal(res.table, 10);
	assert_int_equal(res.why.rule_priority, 11);
	res = get(s, "192.0.2.10", 0); /* main's /26 is longer than 0: kept */
	assert_int_equal(res.table, 254);
	assert_int_equal(res.ifindex, E2);

	/* suppress_ifgroup: routes through a device of group 5 (e1) are refused. */
	nr_stack_rules_default(s, AF_INET);
	r = rule(10, NR_FR_ACT_TO_TBL, 254);
	r.suppress_ifgroup = 5;
	add(s, r);
	r = rule(11, NR_FR_ACT_TO_TBL, 20);
	add(s, r);
	res = get(s, "192.0.2.100", 0); /* main says e1 (group 5): suppressed; 20 says e2 */
	assert_int_equal(res.table, 20);
	res = get(s, "192.0.2.10", 0); /* main says e2: kept */
	assert_int_equal(res.table, 254);
	nr_stack_free(s);
}

/* No rules at all (after clear_routes): the kernel's defaults are used. */
static void test_no_rules_means_defaults(void **state)
{
	struct nr_stack *s = fixture();
	struct nr_route_result res;

	(void)state;
	nr_stack_clear_routes(s);
	assert_int_equal(nr_stack_rule_count(s, AF_INET), 0);
	dev_route(s, "0.0.0.0/0", 254, NR_RTN_UNICAST, E2);
	res = get(s, "192.0.2.100", 0);
	assert_int_equal(res.error, 0);
	assert_int_equal(res.ifindex, E2);
	nr_stack_clear_routes(s);
	assert_int_equal(get(s, "192.0.2.100", 0).error, -ENETUNREACH);
	nr_stack_free(s);
}

static void test_names(void **state)
{
	char buf[16];
	uint8_t t;

	(void)state;
	assert_string_equal(nr_rtype_name(NR_RTN_BLACKHOLE), "blackhole");
	assert_null(nr_rtype_name(200));
	assert_int_equal(nr_rtype_parse("throw", &t), 0);
	assert_int_equal(t, NR_RTN_THROW);
	assert_int_equal(nr_rtype_parse("thrown", &t), -EINVAL);
	assert_string_equal(nr_rtprot_name(4, buf, sizeof(buf)), "static");
	assert_string_equal(nr_rtprot_name(77, buf, sizeof(buf)), "77");
	assert_string_equal(nr_table_name(255, buf, sizeof(buf)), "local");
	assert_string_equal(nr_table_name(100, buf, sizeof(buf)), "100");
	assert_string_equal(nr_rule_action_name(NR_FR_ACT_TO_TBL), "lookup");
	assert_string_equal(nr_rule_action_name(NR_FR_ACT_PROHIBIT), "prohibit");
	assert_null(nr_rule_action_name(42));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_storage),
		cmocka_unit_test(test_selectors),
		cmocka_unit_test(test_flow_l4),
		cmocka_unit_test(test_actions),
		cmocka_unit_test(test_suppress),
		cmocka_unit_test(test_no_rules_means_defaults),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
