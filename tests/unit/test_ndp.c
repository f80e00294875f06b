/* SPDX-License-Identifier: BSD-2-Clause */
/* Neighbour discovery: Scapy fixtures for RS/RA/NS/NA/redirect, every reason, encode. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "netrig/csum.h"
#include "netrig/icmp6.h"
#include "netrig/ipv6.h"
#include "netrig/ndp.h"

/* ICMPv6 messages only; the IPv6 headers Scapy put around them are in the comments. */

/* IPv6(src="2001:db8::1", dst="ff02::1:ff00:2", hlim=255)/
 * ICMPv6ND_NS(tgt="2001:db8::2")/ICMPv6NDOptSrcLLAddr(lladdr="02:00:00:00:00:01") */
static const uint8_t ns[] = {
	0x87, 0x00, 0x1c, 0x27, /* type 135 NS, code 0, checksum */
	0x00, 0x00, 0x00, 0x00, /* reserved */
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, /* target */
	0x01, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, /* SLLAO, len 1, 02:00:00:00:00:01 */
};

/* IPv6(src="2001:db8::2", dst="2001:db8::1", hlim=255)/
 * ICMPv6ND_NA(tgt="2001:db8::2", R=0, S=1, O=1)/ICMPv6NDOptDstLLAddr(lladdr="02:00:00:00:00:02") */
static const uint8_t na[] = {
	0x88, 0x00, 0x8a, 0x71, /* type 136 NA, code 0, checksum */
	0x60, 0x00, 0x00, 0x00, /* R 0, S 1, O 1 */
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, /* target */
	0x02, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02, /* TLLAO 02:00:00:00:00:02 */
};

/* IPv6(src="fe80::1", dst="ff02::1", hlim=255)/ICMPv6ND_RA(chlim=64, M=0, O=1,
 * routerlifetime=1800, reachabletime=30000, retranstimer=1000)/SLLAO/MTU(1500)/
 * PrefixInfo(64, L, A, 86400, 14400, "2001:db8:1::")/RDNSS(600, [::53, ::54]) */
static const uint8_t ra[] = {
	0x86, 0x00, 0x3a, 0xd9, /* type 134 RA, code 0, checksum */
	0x40, 0x48, 0x07, 0x08, /* hop limit 64; flags O + preference high (01); lifetime 1800 */
	0x00, 0x00, 0x75, 0x30, /* reachable 30000 ms */
	0x00, 0x00, 0x03, 0xe8, /* retrans 1000 ms */
	0x01, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, /* SLLAO */
	0x05, 0x01, 0x00, 0x00, 0x00, 0x00, 0x05, 0xdc, /* MTU 1500 */
	0x03, 0x04, 0x40, 0xc0,                         /* prefix info: /64, L + A */
	0x00, 0x01, 0x51, 0x80,                         /* valid 86400 */
	0x00, 0x00, 0x38, 0x40,                         /* preferred 14400 */
	0x00, 0x00, 0x00, 0x00,                         /* reserved */
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 2001:db8:1:: */
	0x19, 0x05, 0x00, 0x00, 0x00, 0x00, 0x02, 0x58, /* RDNSS, len 5, lifetime 600 */
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53,
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x54,
};

/* IPv6(src="::", dst="ff02::2", hlim=255)/ICMPv6ND_RS() */
static const uint8_t rs[] = {
	0x85, 0x00, 0x7b, 0xb8, 0x00, 0x00, 0x00, 0x00, /* type 133 RS, reserved */
};

/* IPv6(src="::", dst="ff02::1:ff00:2", hlim=255)/ICMPv6ND_NS(tgt="2001:db8::2")/
 * Raw(nonce option 14, len 1, 01:02:03:04:05:06): duplicate address detection */
static const uint8_t dad[] = {
	0x87, 0x00, 0x35, 0xd6, 0x00, 0x00, 0x00, 0x00,
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, /* target */
	0x0e, 0x01, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, /* nonce */
};

/* IPv6(src="fe80::1", dst="2001:db8::1", hlim=255)/ICMPv6ND_Redirect(tgt="fe80::2",
 * dst="2001:db8:2::9")/ICMPv6NDOptDstLLAddr(lladdr="02:00:00:00:00:02") */
static const uint8_t redirect[] = {
	0x89, 0x00, 0x1a, 0x0f, 0x00, 0x00, 0x00, 0x00, /* type 137, reserved */
	0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,       /* target fe80::2 */
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x09, /* dest */
	0x02, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02, /* TLLAO */
};

static struct nr_addr a6(const char *s)
{
	struct nr_addr a;

	assert_int_equal(nr_addr_parse(s, AF_INET6, &a), 0);
	return a;
}

/* Recompute the checksum of an edited message. */
static void fix(uint8_t *msg, size_t len, const struct nr_addr *src, const struct nr_addr *dst)
{
	struct nr_csum c;

	msg[2] = msg[3] = 0;
	nr_csum_init(&c);
	nr_csum_add_pseudo6(&c, src, dst, (uint32_t)len, NR_IPPROTO_ICMPV6);
	nr_csum_add(&c, msg, len);
	nr_store_be16(msg + 2, nr_csum_final(&c));
}

static void test_ns(void **state)
{
	struct nr_addr src = a6("2001:db8::1"), dst = a6("ff02::1:ff00:2");
	struct nr_ndp n;
	struct nr_addr sn;

	(void)state;
	assert_int_equal(nr_ndp_decode(ns, sizeof(ns), &src, &dst, 255, &n, NULL), 0);
	assert_int_equal(n.type, NR_ICMP6_NEIGHBOR_SOLICIT);
	assert_int_equal(n.code, 0);
	{
		struct nr_addr t = a6("2001:db8::2");

		assert_true(nr_addr_eq(&n.target, &t));
	}
	assert_true(n.has_sllao);
	assert_int_equal(n.sllao.len, 6);
	assert_memory_equal(n.sllao.bytes, ns + 26, 6);
	assert_false(n.has_tllao);
	assert_false(n.has_mtu);
	assert_int_equal(n.n_prefix, 0);
	assert_int_equal(n.n_rdnss, 0);
	assert_int_equal(n.nonce_len, 0);
	assert_false(n.has_redirected);
	assert_int_equal(n.n_opts, 1);
	assert_int_equal(n.n_unknown, 0);
	nr_ndp_solicited_node(&n.target, &sn);
	assert_true(nr_addr_eq(&sn, &dst));
	assert_true(nr_ndp_is_solicited_node(&dst));
	assert_false(nr_ndp_is_solicited_node(&src));
}

static void test_na(void **state)
{
	struct nr_addr src = a6("2001:db8::2"), dst = a6("2001:db8::1");
	struct nr_ndp n;

	(void)state;
	assert_int_equal(nr_ndp_decode(na, sizeof(na), &src, &dst, 255, &n, NULL), 0);
	assert_int_equal(n.type, NR_ICMP6_NEIGHBOR_ADVERT);
	assert_false(n.router);
	assert_true(n.solicited);
	assert_true(n.override);
	assert_true(nr_addr_eq(&n.target, &src));
	assert_true(n.has_tllao);
	assert_int_equal(n.tllao.len, 6);
	assert_int_equal(n.tllao.bytes[5], 0x02);
	assert_false(n.has_sllao);
	assert_int_equal(n.n_opts, 1);
}

static void test_ra(void **state)
{
	struct nr_addr src = a6("fe80::1"), dst = a6("ff02::1");
	struct nr_addr p = a6("2001:db8:1::");
	struct nr_addr d53 = a6("2001:db8::53"), d54 = a6("2001:db8::54");
	struct nr_ndp n;

	(void)state;
	assert_int_equal(nr_ndp_decode(ra, sizeof(ra), &src, &dst, 255, &n, NULL), 0);
	assert_int_equal(n.type, NR_ICMP6_ROUTER_ADVERT);
	assert_int_equal(n.cur_hop_limit, 64);
	assert_int_equal(n.ra_flags, 0x48); /* O, and Scapy's default preference (high, RFC 4191) */
	assert_false(n.ra_flags & NR_NDP_RA_MANAGED);
	assert_true(n.ra_flags & NR_NDP_RA_OTHER);
	assert_int_equal(n.router_lifetime, 1800);
	assert_int_equal(n.reachable_time, 30000);
	assert_int_equal(n.retrans_timer, 1000);
	assert_true(n.has_sllao);
	assert_int_equal(n.sllao.bytes[5], 0x01);
	assert_true(n.has_mtu);
	assert_int_equal(n.mtu, 1500);
	assert_int_equal(n.n_prefix, 1);
	assert_int_equal(n.prefix[0].len, 64);
	assert_int_equal(n.prefix[0].flags, NR_NDP_PREFIX_ON_LINK | NR_NDP_PREFIX_AUTO);
	assert_int_equal(n.prefix[0].valid_lifetime, 86400);
	assert_int_equal(n.prefix[0].preferred_lifetime, 14400);
	assert_true(nr_addr_eq(&n.prefix[0].prefix, &p));
	assert_int_equal(n.n_rdnss, 1);
	assert_int_equal(n.rdnss[0].lifetime, 600);
	assert_int_equal(n.rdnss[0].n_addr, 2);
	assert_true(nr_addr_eq(&n.rdnss[0].addr[0], &d53));
	assert_true(nr_addr_eq(&n.rdnss[0].addr[1], &d54));
	assert_int_equal(n.n_opts, 4);
	assert_int_equal(n.n_unknown, 0);
}

static void test_rs_dad_redirect(void **state)
{
	struct nr_addr any = a6("::"), routers = a6("ff02::2"), sn = a6("ff02::1:ff00:2");
	struct nr_addr ll1 = a6("fe80::1"), ll2 = a6("fe80::2"), h1 = a6("2001:db8::1");
	struct nr_addr far = a6("2001:db8:2::9");
	struct nr_ndp n;

	(void)state;
	assert_int_equal(nr_ndp_decode(rs, sizeof(rs), &any, &routers, 255, &n, NULL), 0);
	assert_int_equal(n.type, NR_ICMP6_ROUTER_SOLICIT);
	assert_int_equal(n.n_opts, 0);
	assert_false(n.has_sllao);

	assert_int_equal(nr_ndp_decode(dad, sizeof(dad), &any, &sn, 255, &n, NULL), 0);
	assert_int_equal(n.type, NR_ICMP6_NEIGHBOR_SOLICIT);
	assert_int_equal(n.nonce_len, 6);
	assert_memory_equal(n.nonce, dad + 26, 6);
	assert_false(n.has_sllao);

	assert_int_equal(nr_ndp_decode(redirect, sizeof(redirect), &ll1, &h1, 255, &n, NULL), 0);
	assert_int_equal(n.type, NR_ICMP6_REDIRECT);
	assert_true(nr_addr_eq(&n.target, &ll2));
	assert_true(nr_addr_eq(&n.dest, &far));
	assert_true(n.has_tllao);
	assert_int_equal(n.tllao.bytes[5], 0x02);
}

/* Decode ns (from 2001:db8::1 to its solicited-node group) with body edits. */
static int decode_ns_with(const uint8_t *opts, size_t opts_len, enum nr_wire_reason *why)
{
	struct nr_addr src = a6("2001:db8::1"), dst = a6("ff02::1:ff00:2");
	uint8_t msg[24 + 512];
	struct nr_ndp n;

	assert_true(opts_len <= 512);
	memcpy(msg, ns, 24);
	memcpy(msg + 24, opts, opts_len);
	fix(msg, 24 + opts_len, &src, &dst);
	*why = NR_WIRE_OK;
	return nr_ndp_decode(msg, 24 + opts_len, &src, &dst, 255, &n, why);
}

static void test_bad_options(void **state)
{
	enum nr_wire_reason why;
	uint8_t o[512];

	(void)state;
	/* Zero length: the walk would never advance. */
	memcpy(o, (const uint8_t[]){0x01, 0x00, 0, 0, 0, 0, 0, 0}, 8);
	assert_int_equal(decode_ns_with(o, 8, &why), -EBADMSG);
	assert_int_equal(why, NR_WIRE_OPT_ZERO_LEN);
	/* Zero length after a good option. */
	memcpy(o, (const uint8_t[]){0x01, 0x01, 2, 0, 0, 0, 0, 1, 0x99, 0x00}, 10);
	assert_int_equal(decode_ns_with(o, 10, &why), -EBADMSG);
	assert_int_equal(why, NR_WIRE_OPT_ZERO_LEN);
	/* Length past the end, at every cut of a 16-byte option; one stray byte. */
	memcpy(o, (const uint8_t[]){0x01, 0x02, 2, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}, 16);
	for (size_t cut = 1; cut < 16; cut++) {
		assert_int_equal(decode_ns_with(o, cut, &why), -EBADMSG);
		assert_int_equal(why, NR_WIRE_OPT_TRUNCATED);
	}
	assert_int_equal(decode_ns_with(o, 16, &why), 0);
	/* MTU must be length 1. */
	memset(o, 0, 16);
	o[0] = NR_NDP_OPT_MTU;
	o[1] = 2;
	assert_int_equal(decode_ns_with(o, 16, &why), -EBADMSG);
	assert_int_equal(why, NR_WIRE_OPT_BAD_LEN);
	/* Prefix information must be length 4, with a prefix length <= 128. */
	memset(o, 0, 32);
	o[0] = NR_NDP_OPT_PREFIX;
	o[1] = 3;
	assert_int_equal(decode_ns_with(o, 24, &why), -EBADMSG);
	assert_int_equal(why, NR_WIRE_OPT_BAD_LEN);
	o[1] = 4;
	o[2] = 129;
	assert_int_equal(decode_ns_with(o, 32, &why), -EBADMSG);
	assert_int_equal(why, NR_WIRE_BAD_PREFIX_LEN);
	o[2] = 128;
	assert_int_equal(decode_ns_with(o, 32, &why), 0);
	/* RDNSS: odd and at least 3. */
	memset(o, 0, 40);
	o[0] = NR_NDP_OPT_RDNSS;
	o[1] = 1;
	assert_int_equal(decode_ns_with(o, 8, &why), -EBADMSG);
	assert_int_equal(why, NR_WIRE_OPT_BAD_LEN);
	o[1] = 4;
	assert_int_equal(decode_ns_with(o, 32, &why), -EBADMSG);
	assert_int_equal(why, NR_WIRE_OPT_BAD_LEN);
	o[1] = 5;
	assert_int_equal(decode_ns_with(o, 40, &why), 0);
	/* A link-layer address longer than NR_LLADDR_MAX (length 5: 38 bytes). */
	memset(o, 0, 40);
	o[0] = NR_NDP_OPT_SLLAO;
	o[1] = 5;
	assert_int_equal(decode_ns_with(o, 40, &why), -EBADMSG);
	assert_int_equal(why, NR_WIRE_OPT_BAD_LEN);
	/* Nonce over NR_NDP_NONCE_MAX. */
	o[0] = NR_NDP_OPT_NONCE;
	assert_int_equal(decode_ns_with(o, 40, &why), -EBADMSG);
	assert_int_equal(why, NR_WIRE_OPT_BAD_LEN);
}

static void test_too_many(void **state)
{
	enum nr_wire_reason why;
	uint8_t o[512];

	(void)state;
	/* 32 unknown options pass, 33 do not. */
	memset(o, 0, sizeof(o));
	for (size_t i = 0; i < 33; i++) {
		o[i * 8] = 200; /* unassigned type */
		o[i * 8 + 1] = 1;
	}
	assert_int_equal(decode_ns_with(o, 32 * 8, &why), 0);
	assert_int_equal(decode_ns_with(o, 33 * 8, &why), -EBADMSG);
	assert_int_equal(why, NR_WIRE_TOO_MANY_OPTS);
	/* 8 prefixes pass, 9 do not. */
	memset(o, 0, sizeof(o));
	for (size_t i = 0; i < 9; i++) {
		o[i * 32] = NR_NDP_OPT_PREFIX;
		o[i * 32 + 1] = 4;
		o[i * 32 + 2] = 64;
	}
	assert_int_equal(decode_ns_with(o, 8 * 32, &why), 0);
	assert_int_equal(decode_ns_with(o, 9 * 32, &why), -EBADMSG);
	assert_int_equal(why, NR_WIRE_TOO_MANY_OPTS);
	/* One RDNSS with 9 addresses (length 19). */
	memset(o, 0, sizeof(o));
	o[0] = NR_NDP_OPT_RDNSS;
	o[1] = 19;
	assert_int_equal(decode_ns_with(o, 19 * 8, &why), -EBADMSG);
	assert_int_equal(why, NR_WIRE_TOO_MANY_OPTS);
	/* Duplicate SLLAO: the first one counts, as in Linux. */
	{
		struct nr_addr src = a6("2001:db8::1"), dst = a6("ff02::1:ff00:2");
		uint8_t msg[40];
		struct nr_ndp n;

		memcpy(msg, ns, 32);
		memcpy(msg + 32, (const uint8_t[]){0x01, 0x01, 0xaa, 0, 0, 0, 0, 0xbb}, 8);
		fix(msg, 40, &src, &dst);
		assert_int_equal(nr_ndp_decode(msg, 40, &src, &dst, 255, &n, NULL), 0);
		assert_int_equal(n.sllao.bytes[0], 0x02);
		assert_int_equal(n.n_opts, 2);
	}
}

static void test_bad_meaning(void **state)
{
	struct nr_addr any = a6("::"), sn = a6("ff02::1:ff00:2"), h1 = a6("2001:db8::1");
	struct nr_addr h2 = a6("2001:db8::2"), all = a6("ff02::1"), ll1 = a6("fe80::1");
	enum nr_wire_reason why = NR_WIRE_OK;
	uint8_t msg[256];
	struct nr_ndp n;

	(void)state;
	/* Hop limit 254: forwarded, so not from the link. */
	assert_int_equal(nr_ndp_decode(ns, sizeof(ns), &h1, &sn, 254, &n, &why), -EBADMSG);
	assert_int_equal(why, NR_WIRE_BAD_HOP_LIMIT);
	/* Checksum (pseudo-header with the wrong destination). */
	assert_int_equal(nr_ndp_decode(ns, sizeof(ns), &h1, &all, 255, &n, &why), -EBADMSG);
	assert_int_equal(why, NR_WIRE_BAD_CHECKSUM);
	/* Code 1. */
	memcpy(msg, ns, sizeof(ns));
	msg[1] = 1;
	fix(msg, sizeof(ns), &h1, &sn);
	assert_int_equal(nr_ndp_decode(msg, sizeof(ns), &h1, &sn, 255, &n, &why), -EBADMSG);
	assert_int_equal(why, NR_WIRE_BAD_CODE);
	/* Not an NDP type: an echo request. */
	memcpy(msg, ns, 8);
	msg[0] = NR_ICMP6_ECHO_REQUEST;
	fix(msg, 8, &h1, &sn);
	assert_int_equal(nr_ndp_decode(msg, 8, &h1, &sn, 255, &n, &why), -EPROTONOSUPPORT);
	assert_int_equal(why, NR_WIRE_BAD_TYPE);
	/* Shorter than each type's fixed part. */
	{
		static const struct {
			const uint8_t *m;
			size_t fixed;
		} t[] = {{ns, 24}, {na, 24}, {ra, 16}, {redirect, 40}};

		for (size_t i = 0; i < 4; i++)
			for (size_t len = 8; len < t[i].fixed; len++) {
				memcpy(msg, t[i].m, len);
				fix(msg, len, &ll1, &h1);
				why = NR_WIRE_OK;
				assert_int_equal(nr_ndp_decode(msg, len, &ll1, &h1, 255, &n, &why),
						 -EBADMSG);
				assert_int_equal(why, NR_WIRE_TRUNCATED);
			}
	}
	/* NS for a multicast target. */
	memcpy(msg, ns, sizeof(ns));
	msg[8] = 0xff;
	fix(msg, sizeof(ns), &h1, &sn);
	assert_int_equal(nr_ndp_decode(msg, sizeof(ns), &h1, &sn, 255, &n, &why), -EBADMSG);
	assert_int_equal(why, NR_WIRE_BAD_TARGET);
	/* DAD (from ::) to a unicast address; DAD with an SLLAO. */
	memcpy(msg, dad, sizeof(dad));
	fix(msg, sizeof(dad), &any, &h2);
	assert_int_equal(nr_ndp_decode(msg, sizeof(dad), &any, &h2, 255, &n, &why), -EBADMSG);
	assert_int_equal(why, NR_WIRE_BAD_DEST);
	memcpy(msg, ns, sizeof(ns));
	fix(msg, sizeof(ns), &any, &sn);
	assert_int_equal(nr_ndp_decode(msg, sizeof(ns), &any, &sn, 255, &n, &why), -EBADMSG);
	assert_int_equal(why, NR_WIRE_BAD_SOURCE);
	/* RS from :: with an SLLAO. */
	memcpy(msg, rs, 8);
	memcpy(msg + 8, ns + 24, 8);
	fix(msg, 16, &any, &all);
	assert_int_equal(nr_ndp_decode(msg, 16, &any, &all, 255, &n, &why), -EBADMSG);
	assert_int_equal(why, NR_WIRE_BAD_SOURCE);
	/* Solicited NA to all-nodes; the same unsolicited is fine. */
	memcpy(msg, na, sizeof(na));
	fix(msg, sizeof(na), &h2, &all);
	assert_int_equal(nr_ndp_decode(msg, sizeof(na), &h2, &all, 255, &n, &why), -EBADMSG);
	assert_int_equal(why, NR_WIRE_BAD_FLAGS);
	msg[4] = 0x20;
	fix(msg, sizeof(na), &h2, &all);
	assert_int_equal(nr_ndp_decode(msg, sizeof(na), &h2, &all, 255, &n, NULL), 0);
	assert_false(n.solicited);
	/* NA for a multicast target. */
	msg[8] = 0xff;
	fix(msg, sizeof(na), &h2, &all);
	assert_int_equal(nr_ndp_decode(msg, sizeof(na), &h2, &all, 255, &n, &why), -EBADMSG);
	assert_int_equal(why, NR_WIRE_BAD_TARGET);
	/* RA from a global address. */
	memcpy(msg, ra, sizeof(ra));
	fix(msg, sizeof(ra), &h1, &all);
	assert_int_equal(nr_ndp_decode(msg, sizeof(ra), &h1, &all, 255, &n, &why), -EBADMSG);
	assert_int_equal(why, NR_WIRE_BAD_SOURCE);
	/* Redirect: from a global source; to a multicast destination; to a
	 * global target that is not the destination. */
	memcpy(msg, redirect, sizeof(redirect));
	fix(msg, sizeof(redirect), &h2, &h1);
	assert_int_equal(nr_ndp_decode(msg, sizeof(redirect), &h2, &h1, 255, &n, &why), -EBADMSG);
	assert_int_equal(why, NR_WIRE_BAD_SOURCE);
	msg[24] = 0xff;
	fix(msg, sizeof(redirect), &ll1, &h1);
	assert_int_equal(nr_ndp_decode(msg, sizeof(redirect), &ll1, &h1, 255, &n, &why), -EBADMSG);
	assert_int_equal(why, NR_WIRE_BAD_TARGET);
	memcpy(msg, redirect, sizeof(redirect));
	msg[8] = 0x20; /* target 2080::2: neither link-local nor the destination */
	fix(msg, sizeof(redirect), &ll1, &h1);
	assert_int_equal(nr_ndp_decode(msg, sizeof(redirect), &ll1, &h1, 255, &n, &why), -EBADMSG);
	assert_int_equal(why, NR_WIRE_BAD_TARGET);
	memcpy(msg + 8, redirect + 24, 16); /* target == destination: on-link */
	fix(msg, sizeof(redirect), &ll1, &h1);
	assert_int_equal(nr_ndp_decode(msg, sizeof(redirect), &ll1, &h1, 255, &n, NULL), 0);
}

static void expect_encode(const uint8_t *want, size_t len, const char *src, const char *dst)
{
	struct nr_addr s = a6(src), d = a6(dst);
	uint8_t out[256];
	struct nr_ndp n;

	assert_int_equal(nr_ndp_decode(want, len, &s, &d, 255, &n, NULL), 0);
	assert_int_equal(nr_ndp_encoded_len(&n), len);
	assert_int_equal(nr_ndp_encode(&n, &s, &d, out, sizeof(out)), (int)len);
	assert_memory_equal(out, want, len);
	for (size_t cap = 0; cap < len; cap++) {
		memset(out, 0xee, sizeof(out));
		assert_int_equal(nr_ndp_encode(&n, &s, &d, out, cap), -EMSGSIZE);
		for (size_t i = 0; i < sizeof(out); i++)
			assert_int_equal(out[i], 0xee);
	}
}

static void test_encode(void **state)
{
	(void)state;
	/* Each Scapy fixture re-encodes to its exact bytes. */
	expect_encode(ns, sizeof(ns), "2001:db8::1", "ff02::1:ff00:2");
	expect_encode(na, sizeof(na), "2001:db8::2", "2001:db8::1");
	expect_encode(ra, sizeof(ra), "fe80::1", "ff02::1");
	expect_encode(rs, sizeof(rs), "::", "ff02::2");
	expect_encode(dad, sizeof(dad), "::", "ff02::1:ff00:2");
	expect_encode(redirect, sizeof(redirect), "fe80::1", "2001:db8::1");
}

static void test_encode_na_from_scratch(void **state)
{
	struct nr_addr src = a6("2001:db8::2"), dst = a6("2001:db8::1");
	struct nr_ndp n = {0};
	uint8_t out[64];

	(void)state;
	n.type = NR_ICMP6_NEIGHBOR_ADVERT;
	n.solicited = true;
	n.override = true;
	n.target = src;
	n.has_tllao = true;
	n.tllao.len = 6;
	memcpy(n.tllao.bytes, (const uint8_t[]){0x02, 0, 0, 0, 0, 0x02}, 6);
	assert_int_equal(nr_ndp_encode(&n, &src, &dst, out, sizeof(out)), (int)sizeof(na));
	assert_memory_equal(out, na, sizeof(na));
	/* Invalid: nonce length not 8n - 2; lladdr of 0 bytes; a type that is not NDP. */
	n.nonce_len = 5;
	assert_int_equal(nr_ndp_encode(&n, &src, &dst, out, sizeof(out)), -EINVAL);
	n.nonce_len = 0;
	n.tllao.len = 0;
	assert_int_equal(nr_ndp_encode(&n, &src, &dst, out, sizeof(out)), -EINVAL);
	n.tllao.len = 6;
	n.type = NR_ICMP6_ECHO_REQUEST;
	assert_int_equal(nr_ndp_encode(&n, &src, &dst, out, sizeof(out)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ns),
		cmocka_unit_test(test_na),
		cmocka_unit_test(test_ra),
		cmocka_unit_test(test_rs_dad_redirect),
		cmocka_unit_test(test_bad_options),
		cmocka_unit_test(test_too_many),
		cmocka_unit_test(test_bad_meaning),
		cmocka_unit_test(test_encode),
		cmocka_unit_test(test_encode_na_from_scratch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
