/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Route storage: add, delete, duplicates, the kernel's order within a
 * prefix (checked against `ip route show` on kernel 6.18), walk order,
 * and memory per route.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "netrig/stack.h"
#include "../../stack/tables/rtable.h"

static struct nr_nexthop nhv(const char *gw, int ifindex)
{
	struct nr_nexthop nh;

	memset(&nh, 0, sizeof(nh));
	if (gw)
		assert_int_equal(nr_addr_parse(gw, AF_UNSPEC, &nh.gw), 0);
	nh.ifindex = ifindex;
	nh.weight = 1;
	return nh;
}

static struct nr_route rt(const char *dst, uint32_t table, uint32_t metric, uint8_t tos,
			  const struct nr_nexthop *nh, uint16_t nh_count)
{
	struct nr_route r;

	memset(&r, 0, sizeof(r));
	assert_int_equal(nr_prefix_parse(dst, AF_UNSPEC, 0, &r.dst), 0);
	r.family = r.dst.addr.family;
	r.type = NR_RTN_UNICAST;
	r.table = table;
	r.metric = metric;
	r.tos = tos;
	r.nh = nh;
	r.nh_count = nh_count;
	return r;
}

struct seen {
	char line[32][96];
	size_t n;
};

static int record(const struct nr_route *r, void *arg)
{
	struct seen *s = arg;
	char p[NR_PREFIX_STRLEN], gw[NR_ADDR_STRLEN] = "-";

	if (r->nh_count && r->nh[0].gw.family != AF_UNSPEC)
		nr_addr_format(&r->nh[0].gw, gw, sizeof(gw));
	snprintf(s->line[s->n++], sizeof(s->line[0]), "%u %s tos %u metric %u via %s",
		 (unsigned)r->table, nr_prefix_format(&r->dst, p, sizeof(p)), (unsigned)r->tos,
		 (unsigned)r->metric, gw);
	return s->n == 32;
}

/*
 * Kernel 6.18, after (in this order):
 *   ip route add 192.0.2.0/24 dev va metric 5
 *   ip route add 192.0.2.0/24 dev va metric 5 tos 0x10
 *   ip route append 192.0.2.0/24 via 198.51.100.9 metric 5
 *   ip route append 192.0.2.0/24 via 198.51.100.8 metric 5
 *   ip route add 192.0.2.0/24 via 198.51.100.7 metric 3
 *   ip route add 192.0.2.0/24 via 198.51.100.6 metric 4 tos 0x08
 * `ip route show 192.0.2.0/24` lists tos 0x10 first, then tos 0x08, then
 * tos 0 by metric, equal metrics in the order added.
 */
static void test_v4_order_within_prefix(void **state)
{
	struct nr_stack *s = nr_stack_new();
	struct nr_nexthop dev = nhv(NULL, 2), g9 = nhv("198.51.100.9", 2),
			  g8 = nhv("198.51.100.8", 2), g7 = nhv("198.51.100.7", 2),
			  g6 = nhv("198.51.100.6", 2);
	struct nr_route r;
	struct seen seen = {0};

	(void)state;
	assert_non_null(s);
	r = rt("192.0.2.0/24", 254, 5, 0, &dev, 1);
	assert_int_equal(nr_stack_route_add(s, &r), 0);
	r = rt("192.0.2.0/24", 254, 5, 0x10, &dev, 1);
	assert_int_equal(nr_stack_route_add(s, &r), 0);
	r = rt("192.0.2.0/24", 254, 5, 0, &g9, 1);
	assert_int_equal(nr_stack_route_add(s, &r), 0);
	r = rt("192.0.2.0/24", 254, 5, 0, &g8, 1);
	assert_int_equal(nr_stack_route_add(s, &r), 0);
	r = rt("192.0.2.0/24", 254, 3, 0, &g7, 1);
	assert_int_equal(nr_stack_route_add(s, &r), 0);
	r = rt("192.0.2.0/24", 254, 4, 0x08, &g6, 1);
	assert_int_equal(nr_stack_route_add(s, &r), 0);
	assert_int_equal(nr_stack_route_count(s, AF_INET), 6);

	assert_int_equal(nr_stack_route_walk(s, AF_INET, record, &seen), 0);
	assert_int_equal(seen.n, 6);
	assert_string_equal(seen.line[0], "254 192.0.2.0/24 tos 16 metric 5 via -");
	assert_string_equal(seen.line[1], "254 192.0.2.0/24 tos 8 metric 4 via 198.51.100.6");
	assert_string_equal(seen.line[2], "254 192.0.2.0/24 tos 0 metric 3 via 198.51.100.7");
	assert_string_equal(seen.line[3], "254 192.0.2.0/24 tos 0 metric 5 via -");
	assert_string_equal(seen.line[4], "254 192.0.2.0/24 tos 0 metric 5 via 198.51.100.9");
	assert_string_equal(seen.line[5], "254 192.0.2.0/24 tos 0 metric 5 via 198.51.100.8");
	nr_stack_free(s);
}

static void test_v6_order_by_metric(void **state)
{
	struct nr_stack *s = nr_stack_new();
	struct nr_nexthop a = nhv("2001:db8::a", 2), b = nhv("2001:db8::b", 2),
			  c = nhv("2001:db8::c", 3);
	struct nr_route r;
	struct seen seen = {0};

	(void)state;
	r = rt("2001:db8:1::/48", 254, 1024, 0, &a, 1);
	assert_int_equal(nr_stack_route_add(s, &r), 0);
	r = rt("2001:db8:1::/48", 254, 100, 0, &b, 1);
	assert_int_equal(nr_stack_route_add(s, &r), 0);
	r = rt("2001:db8:1::/48", 254, 1024, 0, &c, 1);
	assert_int_equal(nr_stack_route_add(s, &r), 0);
	/* Same metric, device and gateway: fib6_add_rt2node says EEXIST. */
	r = rt("2001:db8:1::/48", 254, 1024, 0, &a, 1);
	assert_int_equal(nr_stack_route_add(s, &r), -EEXIST);
	assert_int_equal(nr_stack_route_walk(s, AF_INET6, record, &seen), 0);
	assert_int_equal(seen.n, 3);
	assert_string_equal(seen.line[0], "254 2001:db8:1::/48 tos 0 metric 100 via 2001:db8::b");
	assert_string_equal(seen.line[1], "254 2001:db8:1::/48 tos 0 metric 1024 via 2001:db8::a");
	assert_string_equal(seen.line[2], "254 2001:db8:1::/48 tos 0 metric 1024 via 2001:db8::c");
	assert_int_equal(nr_stack_route_count(s, AF_INET), 0);
	nr_stack_free(s);
}

/* nr_rtable_longest: the first entry of nr_rtable_matches, or nothing. */
static void test_longest(void **state)
{
	struct nr_rtable *t = nr_rtable_new(AF_INET6, 254);
	struct nr_nexthop a = nhv("2001:db8::a", 2), b = nhv("2001:db8::b", 2);
	struct nr_rt_list l = {.n = 99}, lists[4];
	struct nr_addr d;
	struct nr_route r;
	unsigned plen = 999, plens[4];

	(void)state;
	assert_non_null(t);
	r = rt("2001:db8::/32", 254, 1024, 0, &a, 1);
	assert_int_equal(nr_rtable_add(t, &r), 0);
	r = rt("2001:db8:1::/48", 254, 100, 0, &a, 1);
	assert_int_equal(nr_rtable_add(t, &r), 0);
	r = rt("2001:db8:1::/48", 254, 200, 0, &b, 1);
	assert_int_equal(nr_rtable_add(t, &r), 0);

	assert_int_equal(nr_addr_parse("2001:db8:1::5", AF_INET6, &d), 0);
	assert_true(nr_rtable_longest(t, &d, &l, &plen));
	assert_int_equal(plen, 48);
	assert_int_equal(l.n, 2);
	assert_int_equal(nr_rt_list_at(&l, 0)->metric, 100);
	assert_int_equal(nr_rt_list_at(&l, 1)->metric, 200);
	assert_int_equal(nr_rtable_matches(t, &d, lists, plens, 4), 2);
	assert_int_equal(plens[0], 48);
	assert_ptr_equal(nr_rt_list_at(&lists[0], 0), nr_rt_list_at(&l, 0));

	assert_int_equal(nr_addr_parse("2001:db8:2::5", AF_INET6, &d), 0);
	assert_true(nr_rtable_longest(t, &d, &l, &plen));
	assert_int_equal(plen, 32);
	assert_int_equal(l.n, 1);
	assert_int_equal(nr_rt_list_at(&l, 0)->metric, 1024);

	/* Outside every prefix: false, out-params untouched. */
	l.n = 99;
	plen = 999;
	assert_int_equal(nr_addr_parse("2001:db9::1", AF_INET6, &d), 0);
	assert_false(nr_rtable_longest(t, &d, &l, &plen));
	assert_int_equal(l.n, 99);
	assert_int_equal(plen, 999);
	assert_false(nr_rtable_longest(NULL, &d, &l, &plen));
	nr_rtable_free(t);
}

static void test_duplicates_and_invalid(void **state)
{
	struct nr_stack *s = nr_stack_new();
	struct nr_nexthop g1 = nhv("198.51.100.1", 2), g2 = nhv("198.51.100.2", 2);
	struct nr_nexthop mp[2] = {g1, g2}, mp_rev[2] = {g2, g1};
	struct nr_route r;

	(void)state;
	r = rt("203.0.113.0/24", 254, 0, 0, &g1, 1);
	assert_int_equal(nr_stack_route_add(s, &r), 0);
	assert_int_equal(nr_stack_route_add(s, &r), -EEXIST);
	/* Other table, other tos, other type, other gateway: all distinct. */
	r.table = 100;
	assert_int_equal(nr_stack_route_add(s, &r), 0);
	r.table = 254;
	r.tos = 0x10;
	assert_int_equal(nr_stack_route_add(s, &r), 0);
	r.tos = 0;
	r.nh = &g2;
	assert_int_equal(nr_stack_route_add(s, &r), 0);
	r.nh = mp;
	r.nh_count = 2;
	assert_int_equal(nr_stack_route_add(s, &r), 0);
	assert_int_equal(nr_stack_route_add(s, &r), -EEXIST);
	r.nh = mp_rev;
	assert_int_equal(nr_stack_route_add(s, &r), 0);
	assert_int_equal(nr_stack_route_count(s, AF_INET), 6);

	/* Host bits set, prefix too long, family mismatch, too many nexthops. */
	r = rt("203.0.113.0/24", 254, 0, 0, &g1, 1);
	r.dst.addr.bytes[3] = 1;
	assert_int_equal(nr_stack_route_add(s, &r), -EINVAL);
	r = rt("203.0.113.0/24", 254, 0, 0, &g1, 1);
	r.dst.len = 33;
	assert_int_equal(nr_stack_route_add(s, &r), -EINVAL);
	r = rt("203.0.113.0/24", 254, 0, 0, &g1, 1);
	r.family = AF_INET6;
	assert_int_equal(nr_stack_route_add(s, &r), -EINVAL);
	r = rt("203.0.113.0/24", 254, 0, 0, &g1, 1);
	r.nh_count = NR_ROUTE_MAX_NH + 1;
	assert_int_equal(nr_stack_route_add(s, &r), -EINVAL);
	r.family = 99;
	assert_int_equal(nr_stack_route_add(s, &r), -EAFNOSUPPORT);
	assert_int_equal(nr_stack_route_count(s, AF_INET), 6);
	nr_stack_free(s);
}

static void test_delete(void **state)
{
	struct nr_stack *s = nr_stack_new();
	struct nr_nexthop g1 = nhv("198.51.100.1", 2), g2 = nhv("198.51.100.2", 3);
	struct nr_route r, d;
	struct seen seen = {0};

	(void)state;
	r = rt("0.0.0.0/0", 254, 100, 0, &g1, 1);
	assert_int_equal(nr_stack_route_add(s, &r), 0);
	r = rt("0.0.0.0/0", 254, 200, 0, &g2, 1);
	assert_int_equal(nr_stack_route_add(s, &r), 0);
	r = rt("0.0.0.0/0", 254, 300, 0, &g1, 1);
	assert_int_equal(nr_stack_route_add(s, &r), 0);

	/* Gateway given: the first route through it goes (metric 100). */
	d = rt("0.0.0.0/0", 254, 0, 0, NULL, 0);
	struct nr_nexthop only_gw = nhv("198.51.100.1", 0);
	d.nh = &only_gw;
	d.nh_count = 1;
	assert_int_equal(nr_stack_route_del(s, &d), 0);
	/* Metric given and not there. */
	d = rt("0.0.0.0/0", 254, 999, 0, NULL, 0);
	assert_int_equal(nr_stack_route_del(s, &d), -ESRCH);
	/* Device given: only the one through ifindex 3. */
	struct nr_nexthop only_dev = nhv(NULL, 3);
	d = rt("0.0.0.0/0", 254, 0, 0, &only_dev, 1);
	assert_int_equal(nr_stack_route_del(s, &d), 0);
	assert_int_equal(nr_stack_route_walk(s, AF_INET, record, &seen), 0);
	assert_int_equal(seen.n, 1);
	assert_string_equal(seen.line[0], "254 0.0.0.0/0 tos 0 metric 300 via 198.51.100.1");
	/* Wrong table, then nothing set: the first at the prefix. */
	d = rt("0.0.0.0/0", 100, 0, 0, NULL, 0);
	assert_int_equal(nr_stack_route_del(s, &d), -ESRCH);
	d.table = 254;
	assert_int_equal(nr_stack_route_del(s, &d), 0);
	assert_int_equal(nr_stack_route_del(s, &d), -ESRCH);
	assert_int_equal(nr_stack_route_count(s, AF_INET), 0);
	nr_stack_free(s);
}

/* Tables ascending, then address, then length. */
static void test_walk_order_and_stop(void **state)
{
	struct nr_stack *s = nr_stack_new();
	struct nr_nexthop dev = nhv(NULL, 2);
	static const struct {
		const char *dst;
		uint32_t table;
	} in[] = {
		{"203.0.113.0/24", 254}, {"192.0.2.128/25", 254}, {"192.0.2.0/24", 254},
		{"0.0.0.0/0", 254},      {"198.51.100.0/24", 100}, {"192.0.2.0/25", 254},
		{"10.0.0.0/8", 255},
	};
	struct nr_route r;
	struct seen seen = {0};

	(void)state;
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		r = rt(in[i].dst, in[i].table, 0, 0, &dev, 1);
		assert_int_equal(nr_stack_route_add(s, &r), 0);
	}
	assert_int_equal(nr_stack_route_walk(s, AF_INET, record, &seen), 0);
	assert_int_equal(seen.n, 7);
	assert_string_equal(seen.line[0], "100 198.51.100.0/24 tos 0 metric 0 via -");
	assert_string_equal(seen.line[1], "254 0.0.0.0/0 tos 0 metric 0 via -");
	assert_string_equal(seen.line[2], "254 192.0.2.0/24 tos 0 metric 0 via -");
	assert_string_equal(seen.line[3], "254 192.0.2.0/25 tos 0 metric 0 via -");
	assert_string_equal(seen.line[4], "254 192.0.2.128/25 tos 0 metric 0 via -");
	assert_string_equal(seen.line[5], "254 203.0.113.0/24 tos 0 metric 0 via -");
	assert_string_equal(seen.line[6], "255 10.0.0.0/8 tos 0 metric 0 via -");

	/* A callback's non-zero return stops the walk and is returned. */
	memset(&seen, 0, sizeof(seen));
	seen.n = 29;
	assert_int_equal(nr_stack_route_walk(s, AF_INET, record, &seen), 1);
	assert_int_equal(seen.n, 32);

	/* clear_routes drops routes and rules of both families. */
	nr_stack_clear_routes(s);
	assert_int_equal(nr_stack_route_count(s, AF_INET), 0);
	assert_int_equal(nr_stack_rule_count(s, AF_INET), 0);
	nr_stack_free(s);
}

/* Stored routes own their nexthops: the caller's array may change after. */
static void test_copies_nexthops(void **state)
{
	struct nr_stack *s = nr_stack_new();
	struct nr_nexthop mp[3] = {nhv("198.51.100.1", 2), nhv("198.51.100.2", 2),
				   nhv("198.51.100.3", 3)};
	struct nr_route r = rt("192.0.2.0/24", 254, 0, 0, mp, 3);
	struct seen seen = {0};

	(void)state;
	assert_int_equal(nr_stack_route_add(s, &r), 0);
	memset(mp, 0xab, sizeof(mp));
	assert_int_equal(nr_stack_route_walk(s, AF_INET, record, &seen), 0);
	assert_string_equal(seen.line[0], "254 192.0.2.0/24 tos 0 metric 0 via 198.51.100.1");
	nr_stack_free(s);
}

/*
 * Memory per route: 200k distinct /32 (worst case for the trie's glue
 * nodes) in one table, counted by the table itself (trie slabs, routes,
 * vectors, interned nexthops), with each route allocation rounded the way
 * glibc's malloc rounds it (header + 16-byte chunks).
 */
static uint64_t cover_rng(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static uint32_t v4_mask(unsigned len)
{
	return len ? 0xffffffffu << (32 - len) : 0;
}

/* Oracle: the longest of the live prefixes containing a, -1 when none. */
static int cover_oracle(const uint32_t *pfx, const unsigned *len, const bool *live, size_t n,
			uint32_t a, size_t *ret_count)
{
	int best = -1;
	size_t count = 0;

	for (size_t i = 0; i < n; i++) {
		if (!live[i] || (a & v4_mask(len[i])) != pfx[i])
			continue;
		count++;
		if ((int)len[i] > best)
			best = (int)len[i];
	}
	*ret_count = count;
	return best;
}

/*
 * An IPv4 table answers "no prefix here" from its map of covered /16s
 * without walking: fixed cases across the map's edges (a /8 spans 256
 * bits, a /10 64, a /12 16 inside one word, /0 all), then random adds and
 * deletes against a linear scan, through enough removals that the map is
 * recomputed several times.
 */
static void test_cover_misses(void **state)
{
	struct nr_nexthop nh = nhv(NULL, 2);
	struct nr_rtable *t = nr_rtable_new(AF_INET, 255);
	struct nr_rt_list l;
	struct nr_route r;
	struct nr_addr a;
	unsigned plen = 99;
	enum { N = 400 };
	static uint32_t pfx[N];
	static unsigned len[N];
	static bool live[N];
	uint64_t x = 0x9e3779b97f4a7c15u;

	(void)state;
	assert_non_null(t);
	r = rt("10.0.0.0/8", 255, 0, 0, &nh, 1);
	assert_int_equal(nr_rtable_add(t, &r), 0);
	r = rt("172.16.0.0/12", 255, 0, 0, &nh, 1);
	assert_int_equal(nr_rtable_add(t, &r), 0);
	r = rt("192.0.2.7/32", 255, 0, 0, &nh, 1);
	assert_int_equal(nr_rtable_add(t, &r), 0);
	nr_addr_set_v4(&a, 0x0affff01u); /* 10.255.255.1: the /8's last /16 */
	assert_true(nr_rtable_longest(t, &a, &l, &plen));
	assert_int_equal(plen, 8);
	nr_addr_set_v4(&a, 0x0b000001u); /* 11.0.0.1: the next /16 */
	assert_false(nr_rtable_longest(t, &a, &l, &plen));
	nr_addr_set_v4(&a, 0xac1f0001u); /* 172.31.0.1: last /16 of the /12 */
	assert_true(nr_rtable_longest(t, &a, &l, &plen));
	assert_int_equal(plen, 12);
	nr_addr_set_v4(&a, 0xac200001u); /* 172.32.0.1 */
	assert_false(nr_rtable_longest(t, &a, &l, &plen));
	nr_addr_set_v4(&a, 0xac0f0001u); /* 172.15.0.1 */
	assert_false(nr_rtable_longest(t, &a, &l, &plen));
	nr_addr_set_v4(&a, 0xc0000207u); /* 192.0.2.7 */
	assert_true(nr_rtable_longest(t, &a, &l, &plen));
	assert_int_equal(plen, 32);
	nr_addr_set_v4(&a, 0xc0000208u); /* same /16, no prefix: the walk says no */
	assert_false(nr_rtable_longest(t, &a, &l, &plen));
	r = rt("10.0.0.0/8", 255, 0, 0, &nh, 1);
	assert_int_equal(nr_rtable_del(t, &r), 0);
	nr_addr_set_v4(&a, 0x0a000001u);
	assert_false(nr_rtable_longest(t, &a, &l, &plen));
	assert_int_equal(nr_rtable_matches(t, &a, &l, &plen, 1), 0);
	r = rt("0.0.0.0/0", 255, 0, 0, &nh, 1);
	assert_int_equal(nr_rtable_add(t, &r), 0);
	assert_true(nr_rtable_longest(t, &a, &l, &plen));
	assert_int_equal(plen, 0);
	assert_int_equal(nr_rtable_del(t, &r), 0);
	r = rt("172.16.0.0/12", 255, 0, 0, &nh, 1);
	assert_int_equal(nr_rtable_del(t, &r), 0);
	r = rt("192.0.2.7/32", 255, 0, 0, &nh, 1);
	assert_int_equal(nr_rtable_del(t, &r), 0);
	assert_int_equal(nr_rtable_count(t), 0);

	/* Random prefixes under 10.0.0.0/9 (lengths 6-32, so some cover it all). */
	for (size_t i = 0; i < N; i++) {
		bool dup;

		do { /* distinct prefixes, so live[] is the table's state */
			len[i] = 6 + (unsigned)(cover_rng(&x) % 27);
			pfx[i] = (0x0a000000u | (uint32_t)(cover_rng(&x) & 0x007fffffu)) &
				 v4_mask(len[i]);
			dup = false;
			for (size_t k = 0; k < i; k++)
				dup = dup || (pfx[k] == pfx[i] && len[k] == len[i]);
		} while (dup);
	}
	for (unsigned step = 0; step < 6000; step++) {
		size_t i = (size_t)(cover_rng(&x) % N);
		char text[32];
		uint32_t q;
		size_t count, got;
		struct nr_rt_list lists[33];
		unsigned plens[33];
		int best;

		snprintf(text, sizeof(text), "%u.%u.%u.%u/%u", pfx[i] >> 24, (pfx[i] >> 16) & 255,
			 (pfx[i] >> 8) & 255, pfx[i] & 255, len[i]);
		r = rt(text, 255, 0, 0, &nh, 1);
		/* Mostly deletions past the middle, so the map is recomputed as it empties. */
		if (cover_rng(&x) % 100 < (step < 3000 ? 60u : 15u)) {
			int err = nr_rtable_add(t, &r);

			assert_int_equal(err, live[i] ? -EEXIST : 0);
			live[i] = true;
		} else {
			int err = nr_rtable_del(t, &r);

			assert_int_equal(err, live[i] ? 0 : -ESRCH);
			live[i] = false;
		}
		for (unsigned k = 0; k < 8; k++) {
			q = k < 4 ? pfx[cover_rng(&x) % N] ^ (uint32_t)(cover_rng(&x) & 0x1ffffu)
				  : 0x0a000000u ^ (uint32_t)(cover_rng(&x) & 0x03ffffffu);
			best = cover_oracle(pfx, len, live, N, q, &count);
			nr_addr_set_v4(&a, q);
			if (best < 0) {
				assert_false(nr_rtable_longest(t, &a, &l, &plen));
			} else {
				assert_true(nr_rtable_longest(t, &a, &l, &plen));
				assert_int_equal(plen, (unsigned)best);
			}
			got = nr_rtable_matches(t, &a, lists, plens, 33);
			assert_int_equal(got, count);
		}
	}
	nr_rtable_free(t);
}

static void test_memory_per_route(void **state)
{
	struct nr_rtable *t = nr_rtable_new(AF_INET, 254);
	struct nr_nexthop gw = nhv("198.51.100.1", 2);
	struct nr_route r = rt("0.0.0.0/0", 254, 0, 0, &gw, 1);
	const size_t n = 200000;
	size_t bytes, per_alloc;

	(void)state;
	assert_non_null(t);
	r.dst.len = 32;
	for (size_t i = 0; i < n; i++) {
		uint32_t a = 0x0a000000u + (uint32_t)(i * 2654435761u % 0x00ffffffu);

		nr_addr_set_v4(&r.dst.addr, a);
		int err = nr_rtable_add(t, &r);

		assert_true(err == 0 || err == -EEXIST);
	}
	/* One allocation per route: round its size up the way malloc does. */
	per_alloc = (sizeof(struct nr_route) + 8 + 15) / 16 * 16;
	bytes = nr_rtable_memory(t) - nr_rtable_count(t) * sizeof(struct nr_route) +
		nr_rtable_count(t) * per_alloc;
	print_message("%zu routes, %.1f bytes/route\n", nr_rtable_count(t),
		      (double)bytes / (double)nr_rtable_count(t));
	assert_true(nr_rtable_count(t) > n * 9 / 10);
	assert_true(bytes / nr_rtable_count(t) < 200);
	nr_rtable_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v4_order_within_prefix),
		cmocka_unit_test(test_v6_order_by_metric),
		cmocka_unit_test(test_longest),
		cmocka_unit_test(test_duplicates_and_invalid),
		cmocka_unit_test(test_delete),
		cmocka_unit_test(test_walk_order_and_stop),
		cmocka_unit_test(test_copies_nexthops),
		cmocka_unit_test(test_memory_per_route),
		cmocka_unit_test(test_cover_misses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
