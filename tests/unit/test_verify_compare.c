/* SPDX-License-Identifier: BSD-2-Clause */
/* verify's comparator: what counts as "netrig equals the kernel". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "verify/compare.h"

static struct nr_addr A(const char *s)
{
	struct nr_addr a;

	assert_int_equal(nr_addr_parse(s, AF_UNSPEC, &a), 0);
	return a;
}

static const struct nr_route_query q0; /* destination only */

static void base(struct nr_kroute_answer *k, struct nr_route_result *n)
{
	memset(k, 0, sizeof(*k));
	memset(n, 0, sizeof(*n));
	k->type = n->type = NR_RTN_UNICAST;
	k->table = n->table = NR_TABLE_MAIN;
	k->ifindex = n->ifindex = 2;
	k->gateway = n->gateway = A("198.51.100.254");
	k->prefsrc = n->prefsrc = A("198.51.100.1");
}

static void test_equal(void **state)
{
	struct nr_kroute_answer k;
	struct nr_route_result n;
	const char *what;

	(void)state;
	base(&k, &n);
	assert_true(nr_verify_same(&q0, &k, &n, &what));
	assert_null(what);
}

static void test_each_field_differs(void **state)
{
	struct nr_kroute_answer k;
	struct nr_route_result n;
	const char *what;

	(void)state;
	base(&k, &n);
	n.table = 100;
	assert_false(nr_verify_same(&q0, &k, &n, &what));
	assert_string_equal(what, "table");

	base(&k, &n);
	n.type = NR_RTN_LOCAL;
	assert_false(nr_verify_same(&q0, &k, &n, &what));
	assert_string_equal(what, "type");

	base(&k, &n);
	n.ifindex = 3;
	assert_false(nr_verify_same(&q0, &k, &n, &what));
	assert_string_equal(what, "dev");

	base(&k, &n);
	n.gateway.family = AF_UNSPEC; /* netrig on-link, kernel via a gateway */
	assert_false(nr_verify_same(&q0, &k, &n, &what));
	assert_string_equal(what, "gateway");

	base(&k, &n);
	n.prefsrc = A("198.51.100.2");
	assert_false(nr_verify_same(&q0, &k, &n, &what));
	assert_string_equal(what, "prefsrc");

	base(&k, &n);
	n.prefsrc.family = AF_UNSPEC;
	assert_false(nr_verify_same(&q0, &k, &n, &what));
	assert_string_equal(what, "prefsrc");
}

static void test_errors(void **state)
{
	struct nr_kroute_answer k;
	struct nr_route_result n;
	const char *what;

	(void)state;
	base(&k, &n);
	k.error = -EHOSTUNREACH;
	n.error = -EHOSTUNREACH;
	assert_true(nr_verify_same(&q0, &k, &n, &what));
	n.error = -ENETUNREACH; /* refused, but for another reason */
	assert_false(nr_verify_same(&q0, &k, &n, &what));
	assert_string_equal(what, "error");
	n.error = 0; /* netrig answers where the kernel refuses */
	assert_false(nr_verify_same(&q0, &k, &n, &what));
	k.error = 0;
	n.error = -EACCES; /* and the other way round */
	assert_false(nr_verify_same(&q0, &k, &n, &what));
	assert_string_equal(what, "error");
}

static void test_given_source(void **state)
{
	struct nr_route_query q = {0};
	struct nr_kroute_answer k;
	struct nr_route_result n;
	const char *what;

	(void)state;
	base(&k, &n);
	q.src = A("198.51.100.9");
	k.prefsrc.family = AF_UNSPEC; /* the kernel does not echo a given source */
	n.prefsrc = q.src;
	assert_true(nr_verify_same(&q, &k, &n, &what));
	/* Without a given source the same answers differ. */
	assert_false(nr_verify_same(&q0, &k, &n, &what));
	assert_string_equal(what, "prefsrc");
}

static void test_ecmp(void **state)
{
	struct nr_kroute_answer k;
	struct nr_route_result n;
	struct nr_nexthop nh[2] = {
		{.gw = A("198.51.100.254"), .ifindex = 2, .weight = 1},
		{.gw = A("203.0.113.254"), .ifindex = 3, .weight = 1},
	};
	const char *what;

	(void)state;
	base(&k, &n);
	n.nh = nh;
	n.nh_count = 2;
	k.ifindex = 3;
	k.gateway = A("203.0.113.254");
	assert_true(nr_verify_same(&q0, &k, &n, &what)); /* the second hop */
	k.ifindex = 2;
	assert_false(nr_verify_same(&q0, &k, &n, &what)); /* gateway of one, device of the other */
	assert_string_equal(what, "nexthop");

	/* Each hop has its own source: the kernel's must be the chosen hop's. */
	n.nh_prefsrc[0] = A("198.51.100.1");
	n.nh_prefsrc[1] = A("203.0.113.1");
	k.ifindex = 3;
	k.gateway = A("203.0.113.254");
	k.prefsrc = A("203.0.113.1");
	assert_true(nr_verify_same(&q0, &k, &n, &what));
	k.prefsrc = A("198.51.100.1"); /* the first hop's source with the second hop */
	assert_false(nr_verify_same(&q0, &k, &n, &what));
	assert_string_equal(what, "prefsrc");

	/* Multicast through a multipath route: no gateway, the hop's device. */
	n.type = k.type = NR_RTN_MULTICAST;
	n.gateway.family = AF_UNSPEC;
	k.gateway.family = AF_UNSPEC;
	k.ifindex = 3;
	k.prefsrc = A("203.0.113.1");
	assert_true(nr_verify_same(&q0, &k, &n, &what));
	k.ifindex = 4; /* a device that is no hop of the route */
	assert_false(nr_verify_same(&q0, &k, &n, &what));
	assert_string_equal(what, "nexthop");
	k.ifindex = 3;
	k.gateway = A("203.0.113.254"); /* the kernel kept a gateway, netrig did not */
	assert_false(nr_verify_same(&q0, &k, &n, &what));
}

static void test_format(void **state)
{
	struct nr_route_query q = {0};
	char buf[128];

	(void)state;
	q.dst = A("203.0.113.5");
	q.src = A("198.51.100.1");
	q.mark = 3;
	assert_string_equal(nr_verify_fmt_query(&q, buf, sizeof(buf)),
			    "203.0.113.5 from 198.51.100.1 mark 0x3");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_equal), cmocka_unit_test(test_each_field_differs),
		cmocka_unit_test(test_errors), cmocka_unit_test(test_ecmp),
		cmocka_unit_test(test_given_source),
		cmocka_unit_test(test_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
