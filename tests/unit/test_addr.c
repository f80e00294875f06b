/* SPDX-License-Identifier: BSD-2-Clause */
/* Address values and their text forms (RFC 5952, zones, prefixes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "netrig/addr.h"

static void test_v4_roundtrip(void **state)
{
	struct nr_addr a;
	char buf[NR_ADDR_STRLEN];

	(void)state;
	assert_int_equal(nr_addr_parse("198.51.100.7", AF_UNSPEC, &a), 0);
	assert_int_equal(a.family, AF_INET);
	assert_int_equal(nr_addr_v4(&a), 0xc6336407u);
	assert_string_equal(nr_addr_format(&a, buf, sizeof(buf)), "198.51.100.7");
	assert_int_equal(nr_addr_parse("198.51.100.7", AF_INET6, &a), -EINVAL);
	assert_int_equal(nr_addr_parse("198.51.100.256", AF_UNSPEC, &a), -EINVAL);
}

static void test_v6_rfc5952(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"2001:DB8:0:0:0:0:0:1", "2001:db8::1"},
		{"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"}, /* lone zero kept */
		{"2001:0:0:1:0:0:0:1", "2001:0:0:1::1"},          /* longest run */
		{"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},    /* first of equal runs */
		{"0:0:0:0:0:ffff:c633:6401", "::ffff:198.51.100.1"},
		{"::", "::"},
	};
	char buf[NR_ADDR_STRLEN];
	struct nr_addr a;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(nr_addr_parse(cases[i].in, AF_INET6, &a), 0);
		assert_string_equal(nr_addr_format(&a, buf, sizeof(buf)), cases[i].out);
	}
}

static void test_zone(void **state)
{
	struct nr_addr a;
	char zone[NR_IFNAMSIZ];

	(void)state;
	assert_int_equal(nr_addr_parse_scoped("fe80::1%eth0", AF_UNSPEC, &a, zone, sizeof(zone)),
			 0);
	assert_string_equal(zone, "eth0");
	assert_int_equal(a.bytes[0], 0xfe);
	assert_int_equal(nr_addr_parse_scoped("fe80::1", AF_UNSPEC, &a, zone, sizeof(zone)), 0);
	assert_string_equal(zone, "");
	assert_int_equal(nr_addr_parse_scoped("fe80::1%", AF_UNSPEC, &a, zone, sizeof(zone)),
			 -EINVAL);
	assert_int_equal(nr_addr_parse_scoped("192.0.2.1%eth0", AF_UNSPEC, &a, zone, sizeof(zone)),
			 -EINVAL);
	assert_int_equal(nr_addr_parse_scoped("fe80::1%abcdefghijklmnopq", AF_UNSPEC, &a, zone,
					      sizeof(zone)),
			 -ENAMETOOLONG);
}

static void test_prefix(void **state)
{
	struct nr_prefix p;
	struct nr_addr a;
	char buf[NR_PREFIX_STRLEN];

	(void)state;
	assert_int_equal(nr_prefix_parse("203.0.113.64/26", AF_UNSPEC, 0, &p), 0);
	assert_int_equal(p.len, 26);
	assert_string_equal(nr_prefix_format(&p, buf, sizeof(buf)), "203.0.113.64/26");
	assert_int_equal(nr_prefix_parse("203.0.113.65/26", AF_UNSPEC, 0, &p), -EINVAL);
	assert_int_equal(nr_prefix_parse("203.0.113.65/26", AF_UNSPEC, NR_PREFIX_PARSE_MASK, &p),
			 0);
	assert_string_equal(nr_prefix_format(&p, buf, sizeof(buf)), "203.0.113.64/26");
	assert_int_equal(
		nr_prefix_parse("203.0.113.65/26", AF_UNSPEC, NR_PREFIX_PARSE_HOST_BITS, &p), 0);
	assert_string_equal(nr_prefix_format(&p, buf, sizeof(buf)), "203.0.113.65/26");
	assert_int_equal(nr_prefix_parse("203.0.113.0/33", AF_UNSPEC, 0, &p), -EINVAL);
	assert_int_equal(nr_prefix_parse("203.0.113.0/", AF_UNSPEC, 0, &p), -EINVAL);
	assert_int_equal(nr_prefix_parse("203.0.113.0/-1", AF_UNSPEC, 0, &p), -EINVAL);
	assert_int_equal(nr_prefix_parse("2001:db8::/32", AF_UNSPEC, 0, &p), 0);
	assert_int_equal(nr_addr_parse("2001:db8:ffff::1", AF_UNSPEC, &a), 0);
	assert_true(nr_prefix_contains(&p, &a));
	assert_int_equal(nr_addr_parse("2001:db9::1", AF_UNSPEC, &a), 0);
	assert_false(nr_prefix_contains(&p, &a));
	assert_int_equal(nr_addr_parse("198.51.100.1", AF_UNSPEC, &a), 0);
	assert_false(nr_prefix_contains(&p, &a)); /* other family */
	assert_int_equal(nr_prefix_parse("2001:db8::1", AF_UNSPEC, 0, &p), 0);
	assert_int_equal(p.len, 128);
}

static void test_common_bits(void **state)
{
	struct nr_addr a, b;

	(void)state;
	nr_addr_parse("2001:db8::1", AF_INET6, &a);
	nr_addr_parse("2001:db8::3", AF_INET6, &b);
	assert_int_equal(nr_addr_common_bits(&a, &b), 126);
	assert_int_equal(nr_addr_common_bits(&a, &a), 128);
	nr_addr_parse("0.0.0.0", AF_INET, &a);
	nr_addr_parse("128.0.0.0", AF_INET, &b);
	assert_int_equal(nr_addr_common_bits(&a, &b), 0);
}

static void test_lladdr(void **state)
{
	struct nr_lladdr l;
	char buf[NR_LLADDR_STRLEN];

	(void)state;
	assert_int_equal(nr_lladdr_parse("02:00:5E:10:00:01", &l), 0);
	assert_int_equal(l.len, 6);
	assert_string_equal(nr_lladdr_format(&l, buf, sizeof(buf)), "02:00:5e:10:00:01");
	assert_int_equal(nr_lladdr_parse("c0:00:02:01", &l), 0); /* 4-byte (ipip) */
	assert_int_equal(l.len, 4);
	assert_int_equal(nr_lladdr_parse("02:00:5e:10:00:", &l), -EINVAL);
	assert_int_equal(nr_lladdr_parse("02-00-5e-10-00-01", &l), -EINVAL);
	assert_int_equal(nr_lladdr_parse("", &l), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v4_roundtrip), cmocka_unit_test(test_v6_rfc5952),
		cmocka_unit_test(test_zone),         cmocka_unit_test(test_prefix),
		cmocka_unit_test(test_common_bits),  cmocka_unit_test(test_lladdr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
