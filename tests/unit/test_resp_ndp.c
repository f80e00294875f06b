/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NDP responder: a Scapy NS answered (flags, TLLAO, addresses, checksum),
 * unicast NS, DAD defended to ff02::1, router flag, RS -> RA, every
 * validation rule (hop limit, code, checksum, zero-length option, DAD with
 * SLLAO or to unicast, foreign target, foreign group), truncation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "netrig/eth.h"
#include "netrig/host.h"
#include "netrig/icmp6.h"
#include "netrig/ipv6.h"
#include "netrig/ndp.h"
#include "netrig/neigh.h"
#include "netrig/responder.h"
#include "netrig/stack.h"

/*
 * Scapy 2.5.0: Ether(src="02:aa:00:00:00:01", dst="33:33:ff:00:00:07") /
 * IPv6(src="2001:db8::fe", dst="ff02::1:ff00:7", hlim=255) /
 * ICMPv6ND_NS(tgt="2001:db8::7") / ICMPv6NDOptSrcLLAddr(lladdr="02:aa:00:00:00:01")
 */
static const uint8_t scapy_ns[] = {
	0x33, 0x33, 0xff, 0x00, 0x00, 0x07, 0x02, 0xaa, 0x00, 0x00, 0x00, 0x01, 0x86, 0xdd,
	0x60, 0x00, 0x00, 0x00, 0x00, 0x20, 0x3a, 0xff, /* payload 32, ICMPv6, hlim 255 */
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfe,       /* src */
	0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff, 0x00, 0x00, 0x07, /* solicited-node */
	0x87, 0x00, 0x1a, 0x76, 0x00, 0x00, 0x00, 0x00, /* NS, code 0, checksum, reserved */
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x07,       /* target */
	0x01, 0x01, 0x02, 0xaa, 0x00, 0x00, 0x00, 0x01, /* SLLAO */
};

static const uint8_t peer_mac[6] = {0x02, 0xaa, 0x00, 0x00, 0x00, 0x01};
static const uint8_t our_mac[6] = {0x02, 0x06, 0x00, 0x00, 0x00, 0x07}; /* 2001:db8::7 */

static struct nr_addr v6(const char *s)
{
	struct nr_addr a;

	assert_int_equal(nr_addr_parse(s, AF_INET6, &a), 0);
	return a;
}

static struct nr_host *new_host(bool router)
{
	struct nr_host_config cfg;
	struct nr_prefix p;
	struct nr_host *h;
	struct nr_addr peer = v6("2001:db8::fe");

	nr_host_config_default(&cfg);
	cfg.router = router;
	assert_int_equal(nr_host_new(&cfg, &h), 0);
	assert_int_equal(nr_prefix_parse("2001:db8::/64", AF_INET6, 0, &p), 0);
	assert_int_equal(nr_host_add_range(h, &p), 0);
	assert_int_equal(nr_host_exclude(h, &peer), 0);
	assert_int_equal(nr_prefix_parse("fe80::7/64", AF_INET6, NR_PREFIX_PARSE_HOST_BITS, &p), 0);
	assert_int_equal(nr_host_add_addr(h, &p), 0);
	assert_int_equal(nr_host_attach_by_name(h, "ndp", NULL), 0);
	return h;
}

static const struct nr_resp_stats *ndp_stats(struct nr_host *h)
{
	return nr_responder_stats(nr_host_responder_at(h, 0));
}

/* A solicitation (NS or RS) frame; sllao NULL for none. Returns its length. */
static size_t nd_frame(uint8_t *f, const uint8_t eth_dst[6], uint8_t type, const char *src,
		       const char *dst, uint8_t hop, const char *target, const uint8_t *sllao)
{
	struct nr_ndp m;
	struct nr_ipv6 ip;
	struct nr_addr s = v6(src), d = v6(dst);
	int n;

	memset(&m, 0, sizeof(m));
	m.type = type;
	if (target)
		m.target = v6(target);
	if (sllao) {
		m.has_sllao = true;
		m.sllao.len = 6;
		memcpy(m.sllao.bytes, sllao, 6);
	}
	n = nr_ndp_encode(&m, &s, &d, f + 54, 200);
	assert_true(n > 0);
	memset(&ip, 0, sizeof(ip));
	ip.next_header = NR_IPPROTO_ICMPV6;
	ip.hop_limit = hop;
	ip.src = s;
	ip.dst = d;
	ip.payload = f + 54;
	ip.payload_len = (size_t)n;
	n = nr_ipv6_encode(&ip, f + 14, 300);
	assert_true(n > 0);
	memcpy(f, eth_dst, 6);
	memcpy(f + 6, peer_mac, 6);
	f[12] = 0x86;
	f[13] = 0xdd;
	return 14 + (size_t)n;
}

/* Pop the reply: check the link and IP layers, decode the NDP message (validated). */
static void pop_nd(struct nr_host *h, const uint8_t eth_dst[6], const uint8_t eth_src[6],
		   const char *src, const char *dst, struct nr_ndp *ret)
{
	const uint8_t *f;
	size_t len;
	struct nr_eth e;
	struct nr_ipv6 ip;
	struct nr_addr s = v6(src), d = v6(dst);

	assert_int_equal(nr_host_output_peek(h, &f, &len), 0);
	assert_int_equal(nr_eth_decode(f, len, &e, NULL), 0);
	assert_memory_equal(e.dst, eth_dst, 6);
	assert_memory_equal(e.src, eth_src, 6);
	assert_int_equal(e.ethertype, NR_ETHERTYPE_IPV6);
	assert_int_equal(nr_ipv6_decode(e.payload, e.payload_len, &ip, NULL), 0);
	assert_int_equal(ip.hop_limit, 255);
	assert_int_equal(ip.next_header, NR_IPPROTO_ICMPV6);
	assert_true(nr_addr_eq(&ip.src, &s));
	assert_true(nr_addr_eq(&ip.dst, &d));
	/* The decoder checks checksum, hop limit, code, options, NA-to-multicast-with-S. */
	assert_int_equal(nr_ndp_decode(ip.upper, ip.upper_len, &ip.src, &ip.dst, ip.hop_limit, ret,
				       NULL),
			 0);
	nr_host_output_pop(h);
}

static void test_scapy_ns(void **state)
{
	struct nr_host *h = new_host(false);
	struct nr_addr peer = v6("2001:db8::fe"), target = v6("2001:db8::7");
	const struct nr_neigh_entry *e;
	struct nr_ndp na;

	(void)state;
	assert_int_equal(nr_host_input(h, scapy_ns, sizeof(scapy_ns), 5), 1);
	pop_nd(h, peer_mac, our_mac, "2001:db8::7", "2001:db8::fe", &na);
	assert_int_equal(na.type, NR_ICMP6_NEIGHBOR_ADVERT);
	assert_int_equal(na.code, 0);
	assert_false(na.router);
	assert_true(na.solicited);
	assert_true(na.override);
	assert_true(nr_addr_eq(&na.target, &target));
	assert_true(na.has_tllao); /* the NS was multicast: MUST */
	assert_int_equal(na.tllao.len, 6);
	assert_memory_equal(na.tllao.bytes, our_mac, 6);
	assert_false(na.has_sllao);
	assert_int_equal(na.n_opts, 1);
	e = nr_neigh_lookup(nr_stack_neigh(nr_host_stack(h)), 2, &peer);
	assert_non_null(e);
	assert_int_equal(e->state, NR_NEIGH_STALE);
	assert_memory_equal(e->lladdr.bytes, peer_mac, 6);
	assert_int_equal(ndp_stats(h)->learned, 1);
	nr_host_free(h);
}

static void test_unicast_ns_and_router(void **state)
{
	struct nr_host *h = new_host(true);
	uint8_t f[400];
	struct nr_ndp na;
	size_t n;

	(void)state;
	/* Unicast NS without SLLAO (a NUD probe): S=1, TLLAO may go, Ethernet to the frame source. */
	n = nd_frame(f, our_mac, NR_ICMP6_NEIGHBOR_SOLICIT, "2001:db8::fe", "2001:db8::7", 255,
		     "2001:db8::7", NULL);
	assert_int_equal(nr_host_input(h, f, n, 0), 1);
	pop_nd(h, peer_mac, our_mac, "2001:db8::7", "2001:db8::fe", &na);
	assert_true(na.router);
	assert_true(na.solicited);
	assert_true(na.override);
	assert_false(na.has_tllao);
	assert_int_equal(nr_neigh_count(nr_stack_neigh(nr_host_stack(h))), 0);
	/* always_tllao=1, override=0. */
	assert_int_equal(nr_responder_set_options(nr_host_responder_at(h, 0),
						  "always_tllao=1,override=0"),
			 0);
	assert_int_equal(nr_host_input(h, f, n, 0), 1);
	pop_nd(h, peer_mac, our_mac, "2001:db8::7", "2001:db8::fe", &na);
	assert_true(na.has_tllao);
	assert_false(na.override);
	/* Link-local target, to all-nodes: answered from the link-local address. */
	{
		static const uint8_t ll_mac[6] = {0x02, 0x06, 0, 0, 0, 0x07};
		static const uint8_t allnodes_mac[6] = {0x33, 0x33, 0, 0, 0, 1};

		n = nd_frame(f, allnodes_mac, NR_ICMP6_NEIGHBOR_SOLICIT, "fe80::fe", "ff02::1", 255,
			     "fe80::7", peer_mac);
		assert_int_equal(nr_host_input(h, f, n, 0), 1);
		pop_nd(h, peer_mac, ll_mac, "fe80::7", "fe80::fe", &na);
		assert_true(na.has_tllao);
	}
	nr_host_free(h);
}

static void test_dad(void **state)
{
	static const uint8_t snm_mac[6] = {0x33, 0x33, 0xff, 0x00, 0x00, 0x09};
	static const uint8_t allnodes_mac[6] = {0x33, 0x33, 0, 0, 0, 1};
	static const uint8_t mac9[6] = {0x02, 0x06, 0, 0, 0, 0x09};
	struct nr_host *h = new_host(false);
	struct nr_addr target = v6("2001:db8::9");
	uint8_t f[400];
	struct nr_ndp na;
	size_t n;

	(void)state;
	/* Someone tries 2001:db8::9, which is ours: defend, S=0, to all-nodes, TLLAO. */
	n = nd_frame(f, snm_mac, NR_ICMP6_NEIGHBOR_SOLICIT, "::", "ff02::1:ff00:9", 255,
		     "2001:db8::9", NULL);
	assert_int_equal(nr_host_input(h, f, n, 0), 1);
	pop_nd(h, allnodes_mac, mac9, "2001:db8::9", "ff02::1", &na);
	assert_false(na.solicited);
	assert_true(na.override);
	assert_true(na.has_tllao);
	assert_memory_equal(na.tllao.bytes, mac9, 6);
	assert_true(nr_addr_eq(&na.target, &target));
	assert_int_equal(nr_neigh_count(nr_stack_neigh(nr_host_stack(h))), 0);
	/* DAD with an SLLAO (RFC 4861 7.1.1): invalid, dropped. */
	n = nd_frame(f, snm_mac, NR_ICMP6_NEIGHBOR_SOLICIT, "::", "ff02::1:ff00:9", 255,
		     "2001:db8::9", peer_mac);
	assert_int_equal(nr_host_input(h, f, n, 0), 0);
	assert_int_equal(ndp_stats(h)->wire[NR_WIRE_BAD_SOURCE], 1);
	/* DAD to a unicast address: invalid. */
	n = nd_frame(f, mac9, NR_ICMP6_NEIGHBOR_SOLICIT, "::", "2001:db8::9", 255, "2001:db8::9",
		     NULL);
	assert_int_equal(nr_host_input(h, f, n, 0), 0);
	assert_int_equal(ndp_stats(h)->wire[NR_WIRE_BAD_DEST], 1);
	/* DAD for an address that is not ours: silence. */
	n = nd_frame(f, snm_mac, NR_ICMP6_NEIGHBOR_SOLICIT, "::", "ff02::1:ff00:fe", 255,
		     "2001:db8::fe", NULL);
	assert_int_equal(nr_host_input(h, f, n, 0), 0);
	assert_int_equal(ndp_stats(h)->drop[NR_RESP_DROP_NOT_MINE], 1);
	assert_int_equal(nr_host_output_count(h), 0);
	nr_host_free(h);
}

static void test_invalid_ns(void **state)
{
	static const uint8_t snm_mac[6] = {0x33, 0x33, 0xff, 0x00, 0x00, 0x07};
	struct nr_host *h = new_host(false);
	uint8_t f[400];
	size_t n;

	(void)state;
	n = nd_frame(f, snm_mac, NR_ICMP6_NEIGHBOR_SOLICIT, "2001:db8::fe", "ff02::1:ff00:7", 64,
		     "2001:db8::7", peer_mac);
	assert_int_equal(nr_host_input(h, f, n, 0), 0);
	assert_int_equal(ndp_stats(h)->wire[NR_WIRE_BAD_HOP_LIMIT], 1);

	memcpy(f, scapy_ns, sizeof(scapy_ns));
	f[57] ^= 1; /* checksum */
	assert_int_equal(nr_host_input(h, f, sizeof(scapy_ns), 0), 0);
	assert_int_equal(ndp_stats(h)->wire[NR_WIRE_BAD_CHECKSUM], 1);

	/* Code 1 (the low byte of the first word), checksum fixed up by hand: -1. */
	memcpy(f, scapy_ns, sizeof(scapy_ns));
	f[55] = 1;
	nr_store_be16(f + 56, (uint16_t)(nr_load_be16(f + 56) - 0x0001));
	assert_int_equal(nr_host_input(h, f, sizeof(scapy_ns), 0), 0);
	assert_int_equal(ndp_stats(h)->wire[NR_WIRE_BAD_CODE], 1);

	/* Zero-length option (length byte 1 -> 0, checksum +0x0001). */
	memcpy(f, scapy_ns, sizeof(scapy_ns));
	f[79] = 0;
	nr_store_be16(f + 56, (uint16_t)(nr_load_be16(f + 56) + 0x0001));
	assert_int_equal(nr_host_input(h, f, sizeof(scapy_ns), 0), 0);
	assert_int_equal(ndp_stats(h)->wire[NR_WIRE_OPT_ZERO_LEN], 1);

	/* A foreign target; our target but another node's solicited-node group. */
	n = nd_frame(f, snm_mac, NR_ICMP6_NEIGHBOR_SOLICIT, "2001:db8::fe", "ff02::1:ff00:7", 255,
		     "2001:db8:1::7", peer_mac);
	assert_int_equal(nr_host_input(h, f, n, 0), 0);
	assert_int_equal(ndp_stats(h)->drop[NR_RESP_DROP_NOT_MINE], 1);
	n = nd_frame(f, snm_mac, NR_ICMP6_NEIGHBOR_SOLICIT, "2001:db8::fe", "ff02::1:ff00:8", 255,
		     "2001:db8::7", peer_mac);
	assert_int_equal(nr_host_input(h, f, n, 0), 0);
	assert_int_equal(ndp_stats(h)->drop[NR_RESP_DROP_BAD_DEST], 1);
	/* Someone sourcing from one of our addresses. */
	n = nd_frame(f, snm_mac, NR_ICMP6_NEIGHBOR_SOLICIT, "2001:db8::8", "ff02::1:ff00:7", 255,
		     "2001:db8::7", peer_mac);
	assert_int_equal(nr_host_input(h, f, n, 0), 0);
	assert_int_equal(ndp_stats(h)->drop[NR_RESP_DROP_BAD_SOURCE], 1);
	/* An RA is not a request. */
	n = nd_frame(f, snm_mac, NR_ICMP6_ROUTER_ADVERT, "fe80::fe", "ff02::1", 255, NULL, NULL);
	assert_int_equal(nr_host_input(h, f, n, 0), 0);
	assert_int_equal(ndp_stats(h)->drop[NR_RESP_DROP_NOT_REQUEST], 1);

	for (size_t k = 0; k < sizeof(scapy_ns); k++)
		assert_int_equal(nr_host_input(h, scapy_ns, k, 0), 0);
	assert_int_equal(nr_host_output_count(h), 0);
	assert_int_equal(ndp_stats(h)->replies, 0);
	assert_int_equal(nr_neigh_count(nr_stack_neigh(nr_host_stack(h))), 0);
	nr_host_free(h);
}

static void test_rs_ra(void **state)
{
	static const uint8_t allrouters_mac[6] = {0x33, 0x33, 0, 0, 0, 2};
	static const uint8_t ll_mac[6] = {0x02, 0x06, 0, 0, 0, 0x07};
	struct nr_host *h = new_host(false);
	struct nr_addr pfx = v6("2001:db8::");
	uint8_t f[400];
	struct nr_ndp ra;
	size_t n;

	(void)state;
	n = nd_frame(f, allrouters_mac, NR_ICMP6_ROUTER_SOLICIT, "fe80::fe", "ff02::2", 255, NULL,
		     peer_mac);
	assert_int_equal(nr_host_input(h, f, n, 0), 0);
	assert_int_equal(ndp_stats(h)->drop[NR_RESP_DROP_NOT_ROUTER], 1);
	nr_host_free(h);

	h = new_host(true);
	/* RFC 4861 6.2.6: not at once, but within MAX_RA_DELAY_TIME (0.5 s), on the host's timer. */
	assert_int_equal(nr_host_next_deadline(h, 0), UINT64_MAX);
	assert_int_equal(nr_host_input(h, f, n, 0), 0);
	assert_int_equal(nr_host_output_count(h), 0);
	{
		uint64_t d = nr_host_next_deadline(h, 0);

		assert_true(d <= 500000000ull);
		if (d > 0)
			assert_int_equal(nr_host_tick(h, d - 1), 0);
		assert_int_equal(nr_host_tick(h, d), 1);
		assert_int_equal(nr_host_next_deadline(h, d), UINT64_MAX);
	}
	pop_nd(h, peer_mac, ll_mac, "fe80::7", "fe80::fe", &ra);
	assert_int_equal(ra.type, NR_ICMP6_ROUTER_ADVERT);
	assert_int_equal(ra.cur_hop_limit, 64);
	assert_int_equal(ra.router_lifetime, 1800);
	assert_true(ra.has_sllao);
	assert_memory_equal(ra.sllao.bytes, ll_mac, 6);
	assert_int_equal(ra.n_prefix, 1);
	assert_int_equal(ra.prefix[0].len, 64);
	assert_int_equal(ra.prefix[0].flags, NR_NDP_PREFIX_ON_LINK | NR_NDP_PREFIX_AUTO);
	assert_true(nr_addr_eq(&ra.prefix[0].prefix, &pfx));
	/* From :: (no SLLAO allowed): to all-nodes. */
	n = nd_frame(f, allrouters_mac, NR_ICMP6_ROUTER_SOLICIT, "::", "ff02::2", 255, NULL, NULL);
	assert_int_equal(nr_host_input(h, f, n, 10000000000ull), 0);
	assert_true(nr_host_next_deadline(h, 10000000000ull) <= 10500000000ull);
	assert_int_equal(nr_host_tick(h, 10500000000ull), 1);
	{
		static const uint8_t allnodes_mac[6] = {0x33, 0x33, 0, 0, 0, 1};

		pop_nd(h, allnodes_mac, ll_mac, "fe80::7", "ff02::1", &ra);
	}
	assert_int_equal(nr_responder_set_option(nr_host_responder_at(h, 0), "ra", "0"), 0);
	assert_int_equal(nr_host_input(h, f, n, 0), 0);
	assert_int_equal(nr_responder_set_option(nr_host_responder_at(h, 0), "router_lifetime",
						 "9001"),
			 -EINVAL);
	nr_host_free(h);
}

/*
 * An RS flood (one every 10 ms for 10 s, from 50 hosts) on the fake clock:
 * RFC 4861 6.2.6 allows one RA per MIN_DELAY_BETWEEN_RAS (3 s); the
 * solicitations in between fold into the scheduled one, which then goes
 * to all-nodes. The random delay comes from the host's seeded generator:
 * a seed replays the same times.
 */
static uint64_t rs_flood(uint64_t seed, uint64_t times[8], size_t *ret_n)
{
	static const uint8_t allrouters_mac[6] = {0x33, 0x33, 0, 0, 0, 2};
	static const uint8_t allnodes_mac[6] = {0x33, 0x33, 0, 0, 0, 1};
	struct nr_host_config cfg;
	struct nr_prefix p;
	struct nr_host *h;
	size_t nra = 0;
	uint64_t rs = 0;

	nr_host_config_default(&cfg);
	cfg.router = true;
	cfg.seed = seed;
	assert_int_equal(nr_host_new(&cfg, &h), 0);
	assert_int_equal(nr_prefix_parse("fe80::7/64", AF_INET6, NR_PREFIX_PARSE_HOST_BITS, &p), 0);
	assert_int_equal(nr_host_add_addr(h, &p), 0);
	assert_int_equal(nr_host_attach_by_name(h, "ndp", NULL), 0);
	for (uint64_t t = 0; t <= 10000000000ull + 4000000000ull; t += 10000000ull) {
		uint64_t d;
		uint8_t f[200];
		char src[32];
		size_t n;

		/* Every timer due by t, at its own time. */
		for (int k = 0; k < 4 && (d = nr_host_next_deadline(h, t)) <= t; k++) {
			struct nr_ndp ra;

			assert_int_equal(nr_host_tick(h, d), 1);
			assert_true(nra < 8);
			times[nra] = d;
			/* Alone, the first answers its solicitor; folding several in: all-nodes. */
			if (nra == 0 && d < 10000000ull)
				pop_nd(h, peer_mac, our_mac, "fe80::7", "fe80::100", &ra);
			else
				pop_nd(h, allnodes_mac, our_mac, "fe80::7", "ff02::1", &ra);
			assert_int_equal(ra.type, NR_ICMP6_ROUTER_ADVERT);
			nra++;
		}
		if (t >= 10000000000ull)
			continue; /* the flood is over: only timers */
		snprintf(src, sizeof(src), "fe80::%x", (unsigned)(0x100 + rs % 50));
		n = nd_frame(f, allrouters_mac, NR_ICMP6_ROUTER_SOLICIT, src, "ff02::2", 255, NULL,
			     peer_mac);
		assert_int_equal(nr_host_input(h, f, n, t), 0);
		rs++;
	}
	assert_int_equal(nr_host_output_count(h), 0);
	assert_int_equal(ndp_stats(h)->replies, nra);
	assert_int_equal(ndp_stats(h)->drop[NR_RESP_DROP_RATE_LIMIT], rs - nra);
	nr_host_free(h);
	*ret_n = nra;
	return rs;
}

static void test_rs_flood(void **state)
{
	uint64_t t1[8], t2[8], t3[8];
	size_t n1, n2, n3;

	(void)state;
	assert_int_equal(rs_flood(1, t1, &n1), 1000);
	/* 0..0.5 s, then every 3 s while solicitations keep coming: 4 in 10 s, the 5th after. */
	assert_int_equal(n1, 5);
	assert_true(t1[0] <= 500000000ull);
	for (size_t i = 1; i < n1; i++)
		assert_int_equal(t1[i] - t1[i - 1], 3000000000ull);
	(void)rs_flood(1, t2, &n2);
	assert_int_equal(n2, n1);
	assert_memory_equal(t1, t2, n1 * sizeof(t1[0]));
	/* Another seed, another delay (xorshift: these two differ). */
	(void)rs_flood(2, t3, &n3);
	assert_true(t3[0] != t1[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scapy_ns),    cmocka_unit_test(test_unicast_ns_and_router),
		cmocka_unit_test(test_dad),         cmocka_unit_test(test_invalid_ns),
		cmocka_unit_test(test_rs_ra),       cmocka_unit_test(test_rs_flood),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
