/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Source-address selection against fixtures built like the namespaces of
 * tests/netns/test_srcsel_kernel.sh: the cases whose id appears there
 * ("r3", "v4.peer", ...) were checked against the running kernel (6.18);
 * the others (labels, privacy, ORCHID, options the kernel here is not built
 * with) follow net/ipv6/addrconf.c and addrlabel.c.
 *
 * Interface indexes follow the kernel's numbering in those namespaces: lo 1,
 * then each veth after its peer (e1 3, e2 5, e3 7). Address lists are in
 * kernel dump order (IPv6: global before link-local, newest first within a
 * scope; IPv4: host, link, global primaries, then secondaries), which the
 * script checks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "netrig/iface.h"
#include "netrig/srcsel.h"

#define G NR_SCOPE_UNIVERSE
#define S NR_SCOPE_SITE
#define L NR_SCOPE_LINK
#define H NR_SCOPE_HOST
#define TENT NR_IFA_F_TENTATIVE
#define DEPR NR_IFA_F_DEPRECATED
#define OPTI NR_IFA_F_OPTIMISTIC
#define HOME NR_IFA_F_HOMEADDRESS
#define TEMP NR_IFA_F_TEMPORARY
#define SEC NR_IFA_F_SECONDARY
#define DADF NR_IFA_F_DADFAILED

#define LO 1
#define E1 3
#define E2 5
#define E3 7
#define E4 9

struct fx_addr {
	const char *local; /* "ADDR/LEN" */
	uint8_t scope;
	uint32_t flags;
	const char *peer;
};

#define AD(l, s) {(l), (s), 0, NULL}
#define AF(l, s, f) {(l), (s), (f), NULL}
#define AP(l, s, p) {(l), (s), 0, (p)}

struct fx_if {
	int index;
	const char *name;
	struct fx_addr a[6];
};

static void fx_add_addr(struct nr_iface_table *t, int index, const struct fx_addr *fa)
{
	struct nr_ifaddr a;

	memset(&a, 0, sizeof(a));
	assert_int_equal(nr_prefix_parse(fa->local, AF_UNSPEC, NR_PREFIX_PARSE_HOST_BITS, &a.local), 0);
	if (fa->peer)
		assert_int_equal(nr_addr_parse(fa->peer, AF_INET, &a.peer), 0);
	a.scope = fa->scope;
	a.flags = fa->flags | NR_IFA_F_PERMANENT;
	a.valid_lft = a.preferred_lft = UINT32_MAX;
	assert_int_equal(nr_iface_addr_add(t, index, &a), 0);
}

/* lo (127.0.0.1/8, ::1/128) and the interfaces given. */
static struct nr_iface_table *fx_build(const struct fx_if *ifs, size_t n)
{
	static const struct fx_addr lo4 = AP("127.0.0.1/8", H, NULL);
	static const struct fx_addr lo6 = AP("::1/128", H, NULL);
	struct nr_iface_table *t = nr_iface_table_new();
	struct nr_iface ifc;

	assert_non_null(t);
	memset(&ifc, 0, sizeof(ifc));
	ifc.index = LO;
	strcpy(ifc.name, "lo");
	assert_int_equal(nr_iface_add(t, &ifc), 0);
	fx_add_addr(t, LO, &lo4);
	fx_add_addr(t, LO, &lo6);
	for (size_t i = 0; i < n; i++) {
		memset(&ifc, 0, sizeof(ifc));
		ifc.index = ifs[i].index;
		snprintf(ifc.name, sizeof(ifc.name), "%s", ifs[i].name);
		assert_int_equal(nr_iface_add(t, &ifc), 0);
		for (size_t k = 0; k < 6 && ifs[i].a[k].local; k++)
			fx_add_addr(t, ifs[i].index, &ifs[i].a[k]);
	}
	return t;
}

/* ---- IPv6 ------------------------------------------------------------- */

#define O_USE_OPT 1u    /* optimistic_dad + use_optimistic */
#define O_NO_LASTRULE 2u /* kernel without CONFIG_IPV6_OPTIMISTIC_DAD */
#define O_HOME 4u       /* kernel with CONFIG_IPV6_MIP6=y */
#define O_TEMP 8u       /* use_tempaddr = 2 */

struct case6 {
	const char *id;
	int oif;
	const char *dst;
	const char *want;   /* NULL: -EADDRNOTAVAIL */
	const char *reason;
	unsigned opts;
};

static void run6(const struct fx_if *ifs, size_t nifs, const struct case6 *cs, size_t n)
{
	struct nr_iface_table *t = fx_build(ifs, nifs);

	for (size_t i = 0; i < n; i++) {
		struct nr_srcsel6_opts o;
		struct nr_addr dst, got, want;
		char reason[48], buf[NR_ADDR_STRLEN];
		int r;

		nr_srcsel6_opts_default(&o);
		o.use_optimistic = cs[i].opts & O_USE_OPT;
		o.rule_not_optimistic = !(cs[i].opts & O_NO_LASTRULE);
		o.rule_home = cs[i].opts & O_HOME;
		o.use_tempaddr = cs[i].opts & O_TEMP ? 2 : 0;
		assert_int_equal(nr_addr_parse(cs[i].dst, AF_INET6, &dst), 0);
		memset(&got, 0, sizeof(got));
		r = nr_srcsel6_ex(t, cs[i].oif, &dst, &o, &got, reason, sizeof(reason));
		print_message("%-12s dst %-20s -> %s (%s)\n", cs[i].id, cs[i].dst,
			      r == 0 ? nr_addr_format(&got, buf, sizeof(buf)) : "none", reason);
		if (!cs[i].want) {
			assert_int_equal(r, -EADDRNOTAVAIL);
		} else {
			assert_int_equal(r, 0);
			assert_int_equal(nr_addr_parse(cs[i].want, AF_INET6, &want), 0);
			assert_string_equal(nr_addr_format(&got, buf, sizeof(buf)), cs[i].want);
			assert_true(nr_addr_eq(&got, &want));
		}
		assert_string_equal(reason, cs[i].reason);
	}
	nr_iface_table_free(t);
}

#define RUN6(ifs, cs) run6(ifs, sizeof(ifs) / sizeof(ifs[0]), cs, sizeof(cs) / sizeof(cs[0]))

static void test_rule1_same_address(void **state)
{
	static const struct fx_if ifs[] = {
		{E1, "e1", {AD("2001:db8:1::2/64", G), AD("2001:db8:1::1/64", G)}},
	};
	static const struct case6 cs[] = {
		/* Without rule 1, rule 8 ties (both /64) and ::2 comes first. */
		{"r1.local", LO, "2001:db8:1::1", "2001:db8:1::1", "rule 1 (same address)", 0},
		{"r1.local0", 0, "2001:db8:1::1", "2001:db8:1::1", "rule 1 (same address)", 0},
		{"r1.lo", LO, "::1", "::1", "rule 0 (only candidate)", 0},
		{"r1.tie", E1, "2001:db8:1::99", "2001:db8:1::2", "tie (first kept)", 0},
	};

	(void)state;
	RUN6(ifs, cs);
}

static void test_rule2_scope(void **state)
{
	static const struct fx_if ifs[] = {
		{E1, "e1", {AD("2001:db8:2::1/64", G), AD("fe80::2/64", L)}},
	};
	static const struct fx_if site[] = {
		{E1, "e1", {AD("2001:db8:b::1/64", G), AD("fec0::b/64", S), AD("fe80::b/64", L)}},
	};
	static const struct fx_if down[] = {
		{E1, "e1", {AD("fe80::1/64", L)}},
		{E3, "e3", {AD("2001:db8:8::1/64", G)}}, /* e3 is down: still a candidate */
	};
	static const struct case6 cs[] = {
		{"r2.global", E1, "2001:db8:2:99::1", "2001:db8:2::1", "rule 2 (scope)", 0},
		{"r2.ff02", E1, "ff02::1", "fe80::2", "rule 2 (scope)", 0},
		{"r2.ff0e", E1, "ff0e::1", "2001:db8:2::1", "rule 2 (scope)", 0},
	};
	static const struct case6 site_cs[] = {
		/* The smallest scope that is enough: site for a site multicast. */
		{"site.ff05", E1, "ff05::1", "fec0::b", "rule 2 (scope)", 0},
		{"site.ff02", E1, "ff02::1", "fe80::b", "rule 2 (scope)", 0},
		{"site.ff08", E1, "ff08::1", "2001:db8:b::1", "rule 2 (scope)", 0},
		/* ff01 (interface-local, scope 1): every candidate is enough. */
		{"site.ff01", E1, "ff01::1", "fe80::b", "rule 2 (scope)", 0},
	};
	static const struct case6 down_cs[] = {
		{"r2down", E1, "2001:db8:8:99::1", "2001:db8:8::1", "rule 2 (scope)", 0},
	};

	(void)state;
	RUN6(ifs, cs);
	RUN6(site, site_cs);
	RUN6(down, down_cs);
}

static void test_rule3_deprecated(void **state)
{
	static const struct fx_if ifs[] = {
		{E1, "e1", {AF("2001:db8:3::2/64", G, DEPR), AD("2001:db8:3::1/64", G)}},
	};
	/* A v4-compatible address passes rule 3 even when deprecated. */
	static const struct fx_if compat[] = {
		{E1, "e1", {AD("2001:db8:3::5/64", G), AF("::198.51.100.1/96", G, DEPR)}},
	};
	static const struct case6 cs[] = {
		/* Without rule 3, rule 8 ties and the deprecated ::2 is first. */
		{"r3", E1, "2001:db8:3:99::1", "2001:db8:3::1", "rule 3 (avoid deprecated)", 0},
	};
	static const struct case6 compat_cs[] = {
		{"compat", E1, "::198.51.100.2", "::198.51.100.1", "rule 6 (matching label)", 0},
	};

	(void)state;
	RUN6(ifs, cs);
	RUN6(compat, compat_cs);
}

static void test_tentative_dadfailed_excluded(void **state)
{
	static const struct fx_if ifs[] = {
		{E1, "e1", {AF("2001:db8:4::2/64", G, TENT), AD("2001:db8:4::1/64", G)}},
	};
	/* DADFAILED without TENTATIVE does not happen in the kernel; it is
	 * excluded all the same. */
	static const struct fx_if dadf[] = {
		{E1, "e1", {AF("2001:db8:4::3/64", G, DADF), AD("2001:db8:4::1/64", G)}},
	};
	/* Multicast and unspecified addresses on an interface are never used. */
	static const struct fx_if junk[] = {
		{E1, "e1", {AD("ff0e::5/128", G), AD("::/128", G), AD("2001:db8:4::1/64", G)}},
	};
	static const struct case6 cs[] = {
		{"tent.prefix", E1, "2001:db8:4:99::1", "2001:db8:4::1", "rule 2 (scope)", 0},
		/* Even the same address does not make it a candidate. */
		{"tent.self", E1, "2001:db8:4::2", "2001:db8:4::1", "rule 2 (scope)", 0},
	};
	static const struct case6 dadf_cs[] = {
		{"dadfailed", E1, "2001:db8:4::3", "2001:db8:4::1", "rule 2 (scope)", 0},
	};
	static const struct case6 junk_cs[] = {
		{"junk", E1, "ff0e::1", "2001:db8:4::1", "rule 0 (only candidate)", 0},
	};

	(void)state;
	RUN6(ifs, cs);
	RUN6(dadf, dadf_cs);
	RUN6(junk, junk_cs);
}

static void test_optimistic(void **state)
{
	static const struct fx_if ifs[] = {
		{E1, "e1",
		 {AF("2001:db8:5::3/64", G, OPTI | TENT),
		  AF("2001:db8:5:1::2/64", G, OPTI | TENT),
		  AD("2001:db8:5::1/64", G)}},
	};
	static const struct case6 cs[] = {
		{"opt.avoid", E1, "2001:db8:5:1::99", "2001:db8:5::1", "rule 3 (avoid deprecated)", 0},
		{"opt.avoid2", E1, "2001:db8:5::99", "2001:db8:5::1", "rule 3 (avoid deprecated)", 0},
		{"opt.use", E1, "2001:db8:5:1::99", "2001:db8:5:1::2", "rule 8 (longest match)",
		 O_USE_OPT},
		{"opt.last", E1, "2001:db8:5::99", "2001:db8:5::1", "rule 8+ (not optimistic)",
		 O_USE_OPT},
		/* A kernel without optimistic DAD has no last rule: the tie
		 * keeps the first in list order. */
		{"opt.nolast", E1, "2001:db8:5::99", "2001:db8:5::3", "tie (first kept)",
		 O_USE_OPT | O_NO_LASTRULE},
	};

	(void)state;
	RUN6(ifs, cs);
}

static void test_rule4_home(void **state)
{
	static const struct fx_if ifs[] = {
		{E1, "e1", {AD("2001:db8:6::2/64", G), AF("2001:db8:6::1/64", G, HOME)}},
	};
	static const struct case6 cs[] = {
		/* CONFIG_IPV6_MIP6 unset (this kernel, and Debian's =m): no rule 4. */
		{"home", E1, "2001:db8:6:99::1", "2001:db8:6::2", "tie (first kept)", 0},
		{"home.mip6", E1, "2001:db8:6:99::1", "2001:db8:6::1", "rule 4 (home address)",
		 O_HOME},
	};

	(void)state;
	RUN6(ifs, cs);
}

static void test_rule5_oif_and_candidate_set(void **state)
{
	static const struct fx_if ifs[] = {
		{E1, "e1", {AD("2001:db8:7:1::1/64", G)}},
		{E2, "e2", {AD("2001:db8:7:2::1/64", G), AD("fe80::2/64", L)}},
	};
	static const struct case6 cs[] = {
		{"r5", E1, "2001:db8:7:2::99", "2001:db8:7:1::1", "rule 5 (outgoing interface)", 0},
		/* Link-local destination: only e1's addresses, though fe80::2
		 * would win on scope. */
		{"r5.ll", E1, "fe80::99", "2001:db8:7:1::1", "rule 0 (only candidate)", 0},
		/* No output device: every address, rule 5 always holds. */
		{"r5.nooif", 0, "2001:db8:7:2::99", "2001:db8:7:2::1", "rule 8 (longest match)", 0},
		/* ::1 on lo ties with fe80::2 on scope; its label (0) does not
		 * match fe80::99's (1). */
		{"r5.nooif.ll", 0, "fe80::99", "fe80::2", "rule 6 (matching label)", 0},
		/* Interface-local multicast is also restricted to the link. */
		{"r5.ff01", E2, "ff01::1", "fe80::2", "rule 2 (scope)", 0},
	};

	(void)state;
	RUN6(ifs, cs);
}

/*
 * nr_srcsel6 (default options) keeps answers per destination class; the
 * same call through nr_srcsel6_ex with explicit options is never cached,
 * so it is the oracle. Destinations cluster around the addresses so that
 * classes are hit again and rules 1 and 8 are decided beyond /64.
 */
static void test_cache_matches_uncached(void **state)
{
	static const struct fx_if ifs[] = {
		{E1, "e1", {AD("2001:db8:1::1/128", G), AD("2001:db8:1::ff:0:0:1/128", G),
			    AD("2001:db8:1::2/64", G), AD("fe80::1/64", L)}},
		{E2, "e2", {AD("2001:db8:1::3/64", G), AD("2001:db8:2::1/48", G)}},
	};
	static const char *const near[] = {
		"2001:db8:1::1", "2001:db8:1::ff:0:0:1", "2001:db8:1::2", "2001:db8:1::3",
		"2001:db8:2::1", "2400::1", "fe80::1",
	};
	static const int oifs[] = {0, E1, E2};
	struct nr_iface_table *t = fx_build(ifs, sizeof(ifs) / sizeof(ifs[0]));
	struct nr_srcsel6_opts o;
	uint64_t x = 88172645463325252ull;

	(void)state;
	nr_srcsel6_opts_default(&o);
	for (unsigned i = 0; i < 20000; i++) {
		struct nr_addr dst, got, want;
		char r1[48], r2[48];
		unsigned flip;
		int e1, e2;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		assert_int_equal(nr_addr_parse(near[x % 7], AF_INET6, &dst), 0);
		/* Flip one bit from 40 on, or none: same /64 often, same address sometimes. */
		flip = 40 + (unsigned)(x >> 8) % 100;
		if (flip < 128)
			dst.bytes[flip / 8] ^= (uint8_t)(0x80u >> (flip % 8));
		memset(&got, 0, sizeof(got));
		memset(&want, 0, sizeof(want));
		e1 = nr_srcsel6(t, oifs[(x >> 20) % 3], &dst, &got, r1, sizeof(r1));
		e2 = nr_srcsel6_ex(t, oifs[(x >> 20) % 3], &dst, &o, &want, r2, sizeof(r2));
		assert_int_equal(e1, e2);
		assert_true(nr_addr_eq(&got, &want));
		assert_string_equal(r1, r2);
	}
	nr_iface_table_free(t);
}

/*
 * Classes wider than /32 (class_bits): destinations across every top-3
 * pattern, uniformly over 2000::/3 and next to the label table's prefixes
 * inside it (2001::/32, 2001:10::/28, 2002::/16, 3ffe::/16), against
 * candidates of as many labels, cached against the uncached oracle.
 */
static void test_cache_wide_classes(void **state)
{
	static const struct fx_if ifs[] = {
		{E1, "e1", {AD("2002:c000:201::1/64", G), AD("3ffe::1/64", G), AD("2400::1/64", G)}},
		{E2, "e2", {AD("2001:db8:1::1/64", G), AD("2001:10::1/64", G), AD("fd00::1/64", G),
			    AD("2001::1/64", G)}},
	};
	static const uint32_t near[] = {0x20010000u, 0x20010010u, 0x20020000u, 0x3ffe0000u,
					0x20000000u, 0x24000000u, 0xfd000000u};
	/* Candidates far from 2001::/16: only the destination's label tells
	 * 2001::/32 and 2001:10::/28 from the rest of 2001::/16 (rule 6). */
	static const struct fx_if far[] = {
		{E1, "e1", {AD("2400::1/64", G), AD("2002::1/64", G), AD("3ffe::1/64", G)}},
	};
	static const int oifs[] = {0, E1, E2};
	struct nr_iface_table *tables[2] = {fx_build(ifs, sizeof(ifs) / sizeof(ifs[0])),
					    fx_build(far, 1)};
	struct nr_srcsel6_opts o;
	uint64_t x = 0x77696465636c6173ull; /* "wideclas" */

	(void)state;
	nr_srcsel6_opts_default(&o);
	for (unsigned i = 0; i < 60000; i++) {
		struct nr_iface_table *t = tables[i / 30000];
		struct nr_addr dst = {.family = AF_INET6}, got, want;
		char r1[48], r2[48];
		uint32_t w0;
		int e1, e2, oif;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		for (unsigned b = 0; b < 16; b++)
			dst.bytes[b] = (uint8_t)(x >> (8 * (b % 8)) ^ (x >> (b + 3)));
		switch (x % 3) {
		case 0: /* anywhere but ::/32 */
			w0 = (uint32_t)(x >> 32) | 1u;
			break;
		case 1: /* across 2000::/3 */
			w0 = 0x20000000u | ((uint32_t)(x >> 32) & 0x1fffffffu);
			break;
		default: /* next to a label prefix: one of its first 40 bits flipped, or none */
			w0 = near[(x >> 40) % 7];
			if ((x >> 45) % 40 < 32)
				w0 ^= 0x80000000u >> ((x >> 45) % 40);
			break;
		}
		dst.bytes[0] = (uint8_t)(w0 >> 24);
		dst.bytes[1] = (uint8_t)(w0 >> 16);
		dst.bytes[2] = (uint8_t)(w0 >> 8);
		dst.bytes[3] = (uint8_t)w0;
		oif = oifs[(x >> 50) % (i < 30000 ? 3 : 2)];
		memset(&got, 0, sizeof(got));
		memset(&want, 0, sizeof(want));
		e1 = nr_srcsel6(t, oif, &dst, &got, r1, sizeof(r1));
		e2 = nr_srcsel6_ex(t, oif, &dst, &o, &want, r2, sizeof(r2));
		assert_int_equal(e1, e2);
		assert_true(nr_addr_eq(&got, &want));
		assert_string_equal(r1, r2);
	}
	nr_iface_table_free(tables[0]);
	nr_iface_table_free(tables[1]);
}

/* Rules 1 and 8 beyond /64: a class is narrower than the destination's /64. */
static void test_cache_classes(void **state)
{
	static const struct fx_if ifs[] = {
		{E1, "e1", {AD("2001:db8:1::1/64", G)}},
		{E2, "e2", {AD("2001:db8:1::2/64", G), AD("2001:db8:1::8000:0:0:1/128", G)}},
	};
	struct nr_iface_table *t = fx_build(ifs, sizeof(ifs) / sizeof(ifs[0]));
	struct nr_addr dst, got;
	char reason[48], buf[NR_ADDR_STRLEN];

	(void)state;
	assert_int_equal(nr_addr_parse("2001:db8:1::5", AF_INET6, &dst), 0);
	assert_int_equal(nr_srcsel6(t, E1, &dst, &got, reason, sizeof(reason)), 0);
	assert_string_equal(nr_addr_format(&got, buf, sizeof(buf)), "2001:db8:1::1");
	assert_string_equal(reason, "rule 5 (outgoing interface)");
	/* Same /64, but it is e2's address. */
	assert_int_equal(nr_addr_parse("2001:db8:1::2", AF_INET6, &dst), 0);
	assert_int_equal(nr_srcsel6(t, E1, &dst, &got, reason, sizeof(reason)), 0);
	assert_string_equal(nr_addr_format(&got, buf, sizeof(buf)), "2001:db8:1::2");
	assert_string_equal(reason, "rule 1 (same address)");
	/* No output device: rule 8 decides past bit 64. */
	assert_int_equal(nr_addr_parse("2001:db8:1::4", AF_INET6, &dst), 0);
	assert_int_equal(nr_srcsel6(t, 0, &dst, &got, reason, sizeof(reason)), 0);
	assert_string_equal(nr_addr_format(&got, buf, sizeof(buf)), "2001:db8:1::1");
	assert_int_equal(nr_addr_parse("2001:db8:1::8000:0:0:4", AF_INET6, &dst), 0);
	assert_int_equal(nr_srcsel6(t, 0, &dst, &got, reason, sizeof(reason)), 0);
	assert_string_equal(nr_addr_format(&got, buf, sizeof(buf)), "2001:db8:1:0:8000::1");
	assert_string_equal(reason, "rule 8 (longest match)");
	nr_iface_table_free(t);
}

/* A change to the table is seen at once, whatever was cached before. */
static void test_cache_follows_changes(void **state)
{
	static const struct fx_if ifs[] = {
		{E1, "e1", {AD("2001:db8:1::1/64", G)}},
	};
	static const struct fx_addr better = AD("2001:db8:9::1/64", G);
	struct nr_iface_table *t = fx_build(ifs, 1), *t2;
	struct nr_addr dst, got;
	struct nr_prefix p;
	struct nr_iface ifc;
	char buf[NR_ADDR_STRLEN];
	uint64_t g0, g1;

	(void)state;
	assert_int_equal(nr_addr_parse("2001:db8:9::5", AF_INET6, &dst), 0);
	assert_int_equal(nr_srcsel6(t, E1, &dst, &got, NULL, 0), 0);
	assert_string_equal(nr_addr_format(&got, buf, sizeof(buf)), "2001:db8:1::1");

	g0 = nr_iface_generation(t);
	assert_true(g0 != 0);
	fx_add_addr(t, E1, &better);
	g1 = nr_iface_generation(t);
	assert_true(g1 != g0);
	assert_int_equal(nr_srcsel6(t, E1, &dst, &got, NULL, 0), 0);
	assert_string_equal(nr_addr_format(&got, buf, sizeof(buf)), "2001:db8:9::1");

	/* Failed changes keep the generation; successful ones move it. */
	assert_int_equal(nr_prefix_parse("2001:db8:7::1/64", AF_INET6, NR_PREFIX_PARSE_HOST_BITS, &p),
			 0);
	assert_int_equal(nr_iface_addr_del(t, E1, &p), -ENOENT);
	assert_int_equal(nr_iface_del(t, 99), -ENODEV);
	assert_true(nr_iface_generation(t) == g1);
	assert_int_equal(nr_prefix_parse("2001:db8:9::1/64", AF_INET6, NR_PREFIX_PARSE_HOST_BITS, &p),
			 0);
	assert_int_equal(nr_iface_addr_del(t, E1, &p), 0);
	assert_true(nr_iface_generation(t) != g1);
	assert_int_equal(nr_srcsel6(t, E1, &dst, &got, NULL, 0), 0);
	assert_string_equal(nr_addr_format(&got, buf, sizeof(buf)), "2001:db8:1::1");

	g1 = nr_iface_generation(t);
	memset(&ifc, 0, sizeof(ifc));
	ifc.index = E2;
	strcpy(ifc.name, "e2");
	assert_int_equal(nr_iface_add(t, &ifc), 0);
	assert_true(nr_iface_generation(t) != g1);
	g1 = nr_iface_generation(t);
	assert_int_equal(nr_iface_del(t, E2), 0);
	assert_true(nr_iface_generation(t) != g1);
	assert_int_equal(nr_srcsel6(t, E2, &dst, &got, NULL, 0), -ENODEV);

	/* Another table never shares a generation, so never a cached answer. */
	t2 = fx_build(NULL, 0);
	assert_true(nr_iface_generation(t2) != nr_iface_generation(t));
	assert_true(nr_iface_generation(NULL) == 0);
	assert_int_equal(nr_srcsel6(t2, E1, &dst, &got, NULL, 0), -ENODEV);
	nr_iface_table_free(t2);
	nr_iface_table_free(t);
}

static void test_rule6_label(void **state)
{
	static const struct fx_if ifs[] = {
		/* Teredo (label 6) shares 20 bits with 2001:db8::, 2400:: (label 1)
		 * only 5: rule 6 picks 2400::1 before rule 8 can prefer 2001::1. */
		{E1, "e1", {AD("2001::1/32", G), AD("2400::1/64", G)}},
	};
	static const struct fx_if ula[] = {
		{E1, "e1", {AD("2001:db8::1/64", G), AD("fd00:2::1/64", G)}},
	};
	static const struct case6 cs[] = {
		{"label", E1, "2001:db8::1", "2400::1", "rule 6 (matching label)", 0},
	};
	static const struct case6 ula_cs[] = {
		{"label.ula", E1, "fd00:1::1", "fd00:2::1", "rule 6 (matching label)", 0},
		{"label.glob", E1, "2001:db8:1::1", "2001:db8::1", "rule 6 (matching label)", 0},
	};

	(void)state;
	RUN6(ifs, cs);
	RUN6(ula, ula_cs);
}

static void test_rule7_privacy(void **state)
{
	static const struct fx_if ifs[] = {
		{E1, "e1", {AF("2001:db8:7a::aaaa/64", G, TEMP), AD("2001:db8:7a::1/64", G)}},
	};
	static const struct case6 cs[] = {
		{"privacy", E1, "2001:db8:7a::99", "2001:db8:7a::1", "rule 7 (privacy)", 0},
		{"privacy.tmp", E1, "2001:db8:7a::99", "2001:db8:7a::aaaa", "rule 7 (privacy)",
		 O_TEMP},
	};

	(void)state;
	RUN6(ifs, cs);
}

static void test_rule8_orchid_and_longest_match(void **state)
{
	static const struct fx_if orchid[] = {
		/* Neither label matches dst's (1); 2001:10::1 shares 20 bits with
		 * dst, fd00::1 none, but ORCHID-ness must agree first. */
		{E1, "e1", {AD("2001:10::1/64", G), AD("fd00::1/64", G)}},
	};
	static const struct fx_if ifs[] = {
		{E1, "e1",
		 {AD("2001:db8:9:3::1/48", G), AD("2001:db8:9:1::1/64", G), AD("2001:db8:9:2::1/64", G)}},
	};
	static const struct case6 orchid_cs[] = {
		{"orchid", E1, "2001:db8::1", "fd00::1", "rule 8- (orchid)", 0},
	};
	static const struct case6 cs[] = {
		{"r8", E1, "2001:db8:9:2::99", "2001:db8:9:2::1", "rule 8 (longest match)", 0},
		/* 9:3::1 shares 112+ bits but counts only its /48; 9:2::1 has 63. */
		{"r8.cap", E1, "2001:db8:9:3::99", "2001:db8:9:2::1", "rule 8 (longest match)", 0},
	};

	(void)state;
	RUN6(orchid, orchid_cs);
	RUN6(ifs, cs);
}

static void test_srcsel6_errors(void **state)
{
	static const struct fx_if ifs[] = {
		{E1, "e1", {AD("198.51.100.1/24", G)}},
	};
	static const struct case6 cs[] = {
		{"none", E1, "ff02::1", NULL, "no candidate", 0},
	};
	struct nr_iface_table *t = fx_build(ifs, 1);
	struct nr_addr dst, got, keep;
	char reason[8];

	(void)state;
	RUN6(ifs, cs);

	memset(&keep, 0x5a, sizeof(keep));
	got = keep;
	assert_int_equal(nr_addr_parse("2001:db8::1", AF_INET6, &dst), 0);
	assert_int_equal(nr_srcsel6(t, 42, &dst, &got, NULL, 0), -ENODEV);
	assert_int_equal(nr_addr_parse("192.0.2.1", AF_INET, &dst), 0);
	assert_int_equal(nr_srcsel6(t, E1, &dst, &got, NULL, 0), -EINVAL);
	assert_int_equal(nr_srcsel6(t, E1, NULL, &got, NULL, 0), -EINVAL);
	assert_memory_equal(&got, &keep, sizeof(got)); /* untouched on failure */

	/* A short reason buffer is cut, never overrun. */
	assert_int_equal(nr_addr_parse("::1", AF_INET6, &dst), 0);
	assert_int_equal(nr_srcsel6(t, LO, &dst, &got, reason, sizeof(reason)), 0);
	assert_string_equal(reason, "rule 0 ");
	nr_iface_table_free(t);
}

static void test_ipv6_scope_type_label(void **state)
{
	static const struct {
		const char *a;
		int scope;
		int type;
		uint32_t label;
	} cs[] = {
		{"::", NR_IPV6_SCOPE_INVALID, NR_IPV6_ADDR_ANY, 3},
		{"::1", 2, NR_IPV6_ADDR_LOOPBACK | NR_IPV6_ADDR_UNICAST, 0},
		{"::198.51.100.1", 14, NR_IPV6_ADDR_COMPATv4 | NR_IPV6_ADDR_UNICAST, 3},
		{"::ffff:198.51.100.1", 14, NR_IPV6_ADDR_MAPPED, 4},
		{"fe80::1", 2, NR_IPV6_ADDR_LINKLOCAL | NR_IPV6_ADDR_UNICAST, 1},
		{"febf::1", 2, NR_IPV6_ADDR_LINKLOCAL | NR_IPV6_ADDR_UNICAST, 1},
		{"fec0::1", 5, NR_IPV6_ADDR_SITELOCAL | NR_IPV6_ADDR_UNICAST, 11},
		{"fc00::1", 14, NR_IPV6_ADDR_UNICAST, 5},
		{"fdff::1", 14, NR_IPV6_ADDR_UNICAST, 5},
		{"2001:db8::1", 14, NR_IPV6_ADDR_UNICAST, 1},
		{"2001::1", 14, NR_IPV6_ADDR_UNICAST, 6},
		{"2001:0:ffff::1", 14, NR_IPV6_ADDR_UNICAST, 6},
		{"2001:10::1", 14, NR_IPV6_ADDR_UNICAST, 7},
		{"2001:1f::1", 14, NR_IPV6_ADDR_UNICAST, 7},
		{"2001:20::1", 14, NR_IPV6_ADDR_UNICAST, 1}, /* ORCHIDv2: not in the table */
		{"2002:c633:6401::1", 14, NR_IPV6_ADDR_UNICAST, 2},
		{"3ffe::1", 14, NR_IPV6_ADDR_UNICAST, 12},
		{"100::1", 14, NR_IPV6_ADDR_UNICAST, 1}, /* 000 prefix, not ::/96 */
		{"ff00::1", 0, NR_IPV6_ADDR_MULTICAST, 1},
		{"ff01::1", 1, NR_IPV6_ADDR_MULTICAST | NR_IPV6_ADDR_LOOPBACK, 1},
		{"ff02::1", 2, NR_IPV6_ADDR_MULTICAST | NR_IPV6_ADDR_LINKLOCAL, 1},
		{"ff05::1", 5, NR_IPV6_ADDR_MULTICAST | NR_IPV6_ADDR_SITELOCAL, 1},
		{"ff18::1", 8, NR_IPV6_ADDR_MULTICAST, 1},
		{"ff0e::1", 14, NR_IPV6_ADDR_MULTICAST, 1},
		{"ff3f::1", 15, NR_IPV6_ADDR_MULTICAST, 1},
		{"e000::1", 14, NR_IPV6_ADDR_UNICAST, 1}, /* 111 prefix, not fe/ff */
	};
	struct nr_addr a;

	(void)state;
	for (size_t i = 0; i < sizeof(cs) / sizeof(cs[0]); i++) {
		int type;

		assert_int_equal(nr_addr_parse(cs[i].a, AF_INET6, &a), 0);
		type = nr_ipv6_addr_type(&a);
		print_message("%-20s type %#x scope %d label %u\n", cs[i].a, (unsigned)type,
			      nr_ipv6_addr_scope(&a), nr_ipv6_addr_label(&a));
		assert_int_equal(type & 0xffff, cs[i].type);
		assert_int_equal(nr_ipv6_addr_scope(&a), cs[i].scope);
		assert_int_equal(nr_ipv6_addr_src_scope(type), cs[i].scope);
		assert_int_equal(nr_ipv6_addr_label(&a), cs[i].label);
	}
	assert_int_equal(nr_addr_parse("192.0.2.1", AF_INET, &a), 0);
	assert_int_equal(nr_ipv6_addr_type(&a), NR_IPV6_ADDR_ANY);
	assert_int_equal(nr_ipv6_addr_label(&a), NR_IPV6_ADDR_LABEL_DEFAULT);
}

/* ---- IPv4 ------------------------------------------------------------- */

static const struct fx_if v4_ifs[] = {
	{E1, "e1",
	 {AD("192.0.2.1/26", L), AD("198.51.100.1/25", G), AD("203.0.113.1/25", G),
	  AF("198.51.100.2/25", G, SEC)}},
	{E2, "e2", {AD("198.51.100.129/26", G), AP("203.0.113.129/32", G, "203.0.113.130")}},
	{E3, "e3", {AD("192.0.2.65/26", L)}},
	{E4, "e4", {AD("192.0.2.200/32", NR_SCOPE_NOWHERE)}},
};

struct case4 {
	const char *id;
	int oif;
	const char *dst; /* the route's gateway, NULL for 0 */
	uint8_t scope;
	const char *want; /* NULL: -EADDRNOTAVAIL */
	const char *reason;
};

/*
 * nr_srcsel4_word on one case: the same source as a word, the reason as
 * 16 bytes zero-padded, nothing written on failure. Asked twice, so both
 * the walk and the cached answer are checked.
 */
static void check_word4(struct nr_iface_table *t, const struct case4 *c, uint32_t gw)
{
	for (int pass = 0; pass < 2; pass++) {
		uint32_t src = 0x5a5a5a5au;
		const char *reason16 = NULL;
		char want16[16];
		struct nr_addr w;
		int r = nr_srcsel4_word(t, c->oif, gw, c->scope, &src, &reason16);

		if (!c->want) {
			assert_int_equal(r, -EADDRNOTAVAIL);
			assert_int_equal(src, 0x5a5a5a5au);
			assert_null(reason16);
			continue;
		}
		assert_int_equal(r, 0);
		assert_int_equal(nr_addr_parse(c->want, AF_INET, &w), 0);
		assert_int_equal(src, nr_addr_v4(&w));
		memset(want16, 0, sizeof(want16));
		assert_true(strlen(c->reason) < sizeof(want16));
		memcpy(want16, c->reason, strlen(c->reason));
		assert_non_null(reason16);
		assert_memory_equal(reason16, want16, sizeof(want16));
	}
}

static void run4(struct nr_iface_table *t, const struct case4 *cs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct nr_addr dst, got, keep;
		const char *reason = "untouched";
		char buf[NR_ADDR_STRLEN];
		int r;

		if (cs[i].dst)
			assert_int_equal(nr_addr_parse(cs[i].dst, AF_INET, &dst), 0);
		memset(&keep, 0x5a, sizeof(keep));
		got = keep;
		r = nr_srcsel4(t, cs[i].oif, cs[i].dst ? &dst : NULL, cs[i].scope, &got, &reason);
		check_word4(t, &cs[i], cs[i].dst ? nr_addr_v4(&dst) : 0);
		print_message("%-14s gw %-16s scope %3u -> %s (%s)\n", cs[i].id,
			      cs[i].dst ? cs[i].dst : "0", cs[i].scope,
			      r == 0 ? nr_addr_format(&got, buf, sizeof(buf)) : "none", reason);
		if (!cs[i].want) {
			assert_int_equal(r, -EADDRNOTAVAIL);
			assert_memory_equal(&got, &keep, sizeof(got));
			assert_string_equal(reason, "untouched");
			continue;
		}
		assert_int_equal(r, 0);
		assert_string_equal(nr_addr_format(&got, buf, sizeof(buf)), cs[i].want);
		assert_string_equal(reason, cs[i].reason);
	}
}

static void test_srcsel4(void **state)
{
	static const struct case4 cs[] = {
		/* The gateway's subnet beats list order. */
		{"v4.subnet", E1, "203.0.113.126", G, "203.0.113.1", "same-subnet"},
		/* A secondary in the same subnet is never chosen. */
		{"v4.primary", E1, "198.51.100.126", G, "198.51.100.1", "same-subnet"},
		/* Connected route (scope link, dst 0): the link-scope address
		 * comes first in the list. */
		{"v4.linkscope", E1, NULL, L, "192.0.2.1", "first-primary"},
		{"v4.first", E1, "192.0.2.254", G, "198.51.100.1", "first-primary"},
		/* Point-to-point: the peer gives the subnet. */
		{"v4.peer", E2, "203.0.113.130", G, "203.0.113.129", "same-subnet"},
		{"v4.peer.local", E2, "203.0.113.129", G, "198.51.100.129", "first-primary"},
		/* Only link scope on e3: borrow the first global primary, lo
		 * first (its 127.0.0.1 is host scope: skipped), then by index;
		 * e1's link-scope 192.0.2.1 is never borrowed. */
		{"v4.otherdev", E3, "192.0.2.126", G, "198.51.100.1", "other-device"},
		{"v4.e3link", E3, NULL, L, "192.0.2.65", "first-primary"},
		{"v4.zero", E3, "0.0.0.0", L, "192.0.2.65", "first-primary"},
		/* Scope nowhere counts as host on the device itself ... */
		{"v4.nowhere", E4, NULL, H, "192.0.2.200", "first-primary"},
		/* ... and above link scope. */
		{"v4.nowhere.link", E4, NULL, L, "198.51.100.1", "other-device"},
	};
	static const struct case4 lo_cs[] = {
		{"v4.lofirst", E3, "192.0.2.126", G, "192.0.2.250", "other-device"},
	};
	struct nr_iface_table *t = fx_build(v4_ifs, sizeof(v4_ifs) / sizeof(v4_ifs[0]));
	static const struct fx_addr lo_global = AP("192.0.2.250/32", G, NULL);

	(void)state;
	run4(t, cs, sizeof(cs) / sizeof(cs[0]));
	/* A global address on lo is found before any other device's. */
	fx_add_addr(t, LO, &lo_global);
	run4(t, lo_cs, 1);
	nr_iface_table_free(t);
}

/*
 * nr_srcsel4 keeps answers per thread: the same key asked again, keys
 * that share cache slots (300 gateways for 64 slots, three rounds), two
 * tables asked in turns with the same key, and a change to a table all
 * give the answer a fresh walk gives.
 */
static void test_srcsel4_cache(void **state)
{
	static const struct fx_if other[] = {
		{E1, "e1", {AD("203.0.113.77/24", G)}},
	};
	static const struct fx_addr more = AD("198.51.100.200/25", G);
	struct nr_iface_table *t = fx_build(v4_ifs, sizeof(v4_ifs) / sizeof(v4_ifs[0]));
	struct nr_iface_table *u = fx_build(other, 1);
	struct nr_addr dst, got;
	const char *reason;
	char buf[NR_ADDR_STRLEN];

	(void)state;
	for (int round = 0; round < 3; round++) {
		for (uint32_t i = 0; i < 300; i++) {
			/* 198.51.100.0/25 and 203.0.113.0/25 are e1's subnets. */
			uint32_t gw = (i & 1 ? 0xcb007100u : 0xc6336400u) | (i >> 1);
			bool inside = (i >> 1) < 128;

			nr_addr_set_v4(&dst, gw);
			reason = NULL;
			assert_int_equal(nr_srcsel4(t, E1, &dst, G, &got, &reason), 0);
			nr_addr_format(&got, buf, sizeof(buf));
			if (!inside) {
				assert_string_equal(buf, "198.51.100.1");
				assert_string_equal(reason, "first-primary");
			} else {
				assert_string_equal(buf, i & 1 ? "203.0.113.1" : "198.51.100.1");
				assert_string_equal(reason, "same-subnet");
			}
			/* Same key, another table. */
			assert_int_equal(nr_srcsel4(u, E1, &dst, G, &got, NULL), 0);
			assert_string_equal(nr_addr_format(&got, buf, sizeof(buf)), "203.0.113.77");
		}
	}
	/* Errors are kept too, and a change to the table drops them. */
	nr_addr_set_v4(&dst, 0xc63364fe); /* 198.51.100.254 */
	assert_int_equal(nr_srcsel4(u, E2, &dst, G, &got, NULL), -ENODEV);
	assert_int_equal(nr_srcsel4(u, E2, &dst, G, &got, NULL), -ENODEV);
	assert_int_equal(nr_srcsel4(t, E2, &dst, G, &got, &reason), 0);
	assert_string_equal(nr_addr_format(&got, buf, sizeof(buf)), "198.51.100.129");
	assert_string_equal(reason, "first-primary");
	fx_add_addr(t, E2, &more);
	assert_int_equal(nr_srcsel4(t, E2, &dst, G, &got, &reason), 0);
	assert_string_equal(nr_addr_format(&got, buf, sizeof(buf)), "198.51.100.200");
	assert_string_equal(reason, "same-subnet");
	nr_iface_table_free(u);
	nr_iface_table_free(t);
}

static void test_srcsel4_errors(void **state)
{
	static const struct fx_if ifs[] = {
		{E1, "e1", {AD("192.0.2.1/26", L), AD("2001:db8::1/64", G)}},
		{E2, "e2", {AD("2001:db8:2::1/64", G)}},
	};
	static const struct case4 cs[] = {
		/* Nothing global anywhere: no source. */
		{"v4.none", E1, "192.0.2.254", G, NULL, NULL},
		{"v4.none2", E2, "192.0.2.254", G, NULL, NULL},
		{"v4.link", E1, "192.0.2.254", L, "192.0.2.1", "first-primary"},
		/* No IPv4 on e2: link-scope addresses are not borrowed ... */
		{"v4.nolink", E2, NULL, L, NULL, NULL},
		/* ... host-scope ones are, when the route allows host scope. */
		{"v4.host", E2, NULL, H, "127.0.0.1", "other-device"},
	};
	struct nr_iface_table *t = fx_build(ifs, 2);
	struct nr_addr dst, got;
	const char *reason = NULL;

	(void)state;
	run4(t, cs, sizeof(cs) / sizeof(cs[0]));
	assert_int_equal(nr_addr_parse("2001:db8::2", AF_INET6, &dst), 0);
	assert_int_equal(nr_srcsel4(t, E1, &dst, G, &got, &reason), -EINVAL);
	assert_int_equal(nr_addr_parse("192.0.2.2", AF_INET, &dst), 0);
	assert_int_equal(nr_srcsel4(t, 42, &dst, G, &got, &reason), -ENODEV);
	assert_null(reason);
	{
		uint32_t src = 7;
		const char *reason16 = NULL;

		assert_int_equal(nr_srcsel4_word(t, 42, 0xc0000202u, G, &src, &reason16), -ENODEV);
		assert_int_equal(nr_srcsel4_word(NULL, E1, 0xc0000202u, G, &src, &reason16),
				 -ENODEV);
		assert_int_equal(src, 7);
		assert_null(reason16);
	}
	/* ret_reason is optional. */
	assert_int_equal(nr_srcsel4(t, E1, &dst, L, &got, NULL), 0);
	nr_iface_table_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_srcsel4_cache),
		cmocka_unit_test(test_rule1_same_address),
		cmocka_unit_test(test_rule2_scope),
		cmocka_unit_test(test_rule3_deprecated),
		cmocka_unit_test(test_tentative_dadfailed_excluded),
		cmocka_unit_test(test_optimistic),
		cmocka_unit_test(test_rule4_home),
		cmocka_unit_test(test_rule5_oif_and_candidate_set),
		cmocka_unit_test(test_cache_matches_uncached),
		cmocka_unit_test(test_cache_wide_classes),
		cmocka_unit_test(test_cache_classes),
		cmocka_unit_test(test_cache_follows_changes),
		cmocka_unit_test(test_rule6_label),
		cmocka_unit_test(test_rule7_privacy),
		cmocka_unit_test(test_rule8_orchid_and_longest_match),
		cmocka_unit_test(test_srcsel6_errors),
		cmocka_unit_test(test_ipv6_scope_type_label),
		cmocka_unit_test(test_srcsel4),
		cmocka_unit_test(test_srcsel4_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
