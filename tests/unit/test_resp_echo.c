/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ICMP echo responder: a Scapy request answered byte for byte, Scapy's
 * TUN example in compatibility mode, broadcast/multicast, IP options,
 * fragments, checksums, martians, truncation at every length, MTU.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "netrig/eth.h"
#include "netrig/host.h"
#include "netrig/icmp4.h"
#include "netrig/ipv4.h"
#include "netrig/responder.h"

/*
 * Scapy 2.5.0: Ether(src="02:aa:00:00:00:01", dst="02:00:cb:00:71:07") /
 * IP(src="203.0.113.254", dst="203.0.113.7", id=0x1234, ttl=63, flags="DF", tos=0xb9) /
 * ICMP(type=8, id=0x4242, seq=7) / b"netrig-echo-payload!"
 */
static const uint8_t scapy_request[] = {
	0x02, 0x00, 0xcb, 0x00, 0x71, 0x07, 0x02, 0xaa, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00,
	0x45, 0xb9, 0x00, 0x30,             /* v4, IHL 5, tos 0xb9 (DSCP 46, ECN 1), len 48 */
	0x12, 0x34, 0x40, 0x00,             /* id, DF */
	0x3f, 0x01, 0xaf, 0xd9,             /* ttl 63, ICMP, checksum */
	0xcb, 0x00, 0x71, 0xfe,             /* src 203.0.113.254 */
	0xcb, 0x00, 0x71, 0x07,             /* dst 203.0.113.7 */
	0x08, 0x00, 0xac, 0x2b,             /* echo request, code 0, checksum */
	0x42, 0x42, 0x00, 0x07,             /* id 0x4242, seq 7 */
	'n', 'e', 't', 'r', 'i', 'g', '-', 'e', 'c', 'h', 'o', '-', 'p', 'a', 'y', 'l', 'o', 'a',
	'd', '!',
};

/*
 * What it must get back; made with Scapy: Ether(dst=requester, src=02:00:cb:00:71:07) /
 * IP(src="203.0.113.7", dst="203.0.113.254", id=1, ttl=64, tos=0xb8) /
 * ICMP(type=0, id=0x4242, seq=7) / b"netrig-echo-payload!"
 */
static const uint8_t expected_reply[] = {
	0x02, 0xaa, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0xcb, 0x00, 0x71, 0x07, 0x08, 0x00,
	0x45, 0xb8, 0x00, 0x30,             /* DSCP kept, ECN cleared */
	0x00, 0x01, 0x00, 0x00,             /* the host's first id, no DF */
	0x40, 0x01, 0x01, 0x0e,             /* fresh TTL 64 */
	0xcb, 0x00, 0x71, 0x07,             /* src = the request's destination */
	0xcb, 0x00, 0x71, 0xfe,
	0x00, 0x00, 0xb4, 0x2b,             /* echo reply */
	0x42, 0x42, 0x00, 0x07,             /* id and seq kept */
	'n', 'e', 't', 'r', 'i', 'g', '-', 'e', 'c', 'h', 'o', '-', 'p', 'a', 'y', 'l', 'o', 'a',
	'd', '!',
};

/*
 * Scapy's TUN example: the kernel (tun0 192.0.2.1 peer 192.0.2.2) pings
 * 192.0.2.2 (48 bytes of data: 8 zeros, as a timestamp, then 0x10..0x37). Scapy:
 * IP(src="192.0.2.1", dst="192.0.2.2", id=0x77, flags="DF") / ICMP(id=1, seq=1) / data
 */
static const uint8_t tun_request[] = {
	0x45, 0x00, 0x00, 0x4c, 0x00, 0x77, 0x40, 0x00, 0x40, 0x01, 0xb6, 0x36,
	0xc0, 0x00, 0x02, 0x01, 0xc0, 0x00, 0x02, 0x02, /* 192.0.2.1 -> 192.0.2.2 */
	0x08, 0x00, 0x39, 0x2b, 0x00, 0x01, 0x00, 0x01, /* echo request id 1 seq 1 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
	0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23,
	0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x31,
	0x32, 0x33, 0x34, 0x35, 0x36, 0x37,
};

static const uint8_t peer_mac[6] = {0x02, 0xaa, 0x00, 0x00, 0x00, 0x01};

static struct nr_addr v4(const char *s)
{
	struct nr_addr a;

	assert_int_equal(nr_addr_parse(s, AF_INET, &a), 0);
	return a;
}

static struct nr_host *new_host(uint8_t link, uint32_t mtu, const char *opts)
{
	struct nr_host_config cfg;
	struct nr_prefix p;
	struct nr_host *h;

	nr_host_config_default(&cfg);
	cfg.link = link;
	cfg.mtu = mtu;
	assert_int_equal(nr_host_new(&cfg, &h), 0);
	if (link == NR_HOST_LINK_ETHERNET) {
		struct nr_addr peer = v4("203.0.113.254");

		assert_int_equal(nr_prefix_parse("203.0.113.0/24", AF_INET, 0, &p), 0);
		assert_int_equal(nr_host_add_range(h, &p), 0);
		assert_int_equal(nr_host_exclude(h, &peer), 0);
	}
	assert_int_equal(nr_host_attach_by_name(h, "echo", opts), 0);
	return h;
}

static const struct nr_resp_stats *echo_stats(struct nr_host *h)
{
	return nr_responder_stats(nr_host_responder_at(h, 0));
}

/*
 * An echo request frame: Ethernet (when eth_dst) + IPv4 (+ opts) + ICMP.
 * frag: 0, or 1 for MF, or an offset.
 */
static size_t echo_frame(uint8_t *f, size_t cap, const uint8_t *eth_dst, const char *src,
			 const char *dst, const uint8_t *opts, size_t opts_len, size_t data_len,
			 unsigned frag)
{
	uint8_t icmp[1600], data[1500];
	struct nr_icmp4 m;
	struct nr_ipv4 ip;
	size_t off = eth_dst ? 14 : 0;
	int n;

	for (size_t i = 0; i < data_len; i++)
		data[i] = (uint8_t)(i * 7 + 3);
	memset(&m, 0, sizeof(m));
	m.type = NR_ICMP4_ECHO_REQUEST;
	m.id = 0x99;
	m.seq = 0x1234;
	m.data = data;
	m.data_len = data_len;
	n = nr_icmp4_encode(&m, icmp, sizeof(icmp));
	assert_true(n > 0);
	memset(&ip, 0, sizeof(ip));
	ip.id = 5;
	ip.ttl = 64;
	ip.proto = NR_IPPROTO_ICMP;
	ip.src = v4(src);
	ip.dst = v4(dst);
	ip.opts = opts;
	ip.opts_len = opts_len;
	ip.mf = frag == 1;
	ip.frag_off = (uint16_t)(frag > 1 ? frag : 0);
	ip.payload = icmp;
	ip.payload_len = (size_t)n;
	n = nr_ipv4_encode(&ip, f + off, cap - off);
	assert_true(n > 0);
	if (eth_dst) {
		memcpy(f, eth_dst, 6);
		memcpy(f + 6, peer_mac, 6);
		f[12] = 0x08;
		f[13] = 0x00;
	}
	return off + (size_t)n;
}

/* Pop the reply and check every field against the request it answers. */
static void check_reply(struct nr_host *h, bool eth, const char *src, const char *dst,
			size_t data_len, uint8_t ttl)
{
	const uint8_t *f;
	size_t len;
	struct nr_eth e;
	struct nr_ipv4 ip;
	struct nr_icmp4 m;
	const uint8_t *l3;
	size_t l3_len;
	struct nr_addr s = v4(src), d = v4(dst);

	assert_int_equal(nr_host_output_peek(h, &f, &len), 0);
	l3 = f;
	l3_len = len;
	if (eth) {
		uint8_t mac[6];

		assert_int_equal(nr_eth_decode(f, len, &e, NULL), 0);
		assert_int_equal(e.ethertype, NR_ETHERTYPE_IPV4);
		assert_memory_equal(e.dst, peer_mac, 6);
		nr_host_mac_for(h, &s, mac);
		assert_memory_equal(e.src, mac, 6);
		l3 = e.payload;
		l3_len = e.payload_len;
	}
	assert_int_equal(nr_ipv4_decode(l3, l3_len, &ip, NULL), 0); /* header checksum checked */
	assert_int_equal(ip.ihl, 5);
	assert_false(ip.df);
	assert_false(ip.mf);
	assert_int_equal(ip.frag_off, 0);
	assert_int_equal(ip.ttl, ttl);
	assert_int_equal(ip.proto, NR_IPPROTO_ICMP);
	assert_true(nr_addr_eq(&ip.src, &s));
	assert_true(nr_addr_eq(&ip.dst, &d));
	assert_int_equal(nr_icmp4_decode(ip.payload, ip.payload_len, &m, NULL), 0); /* checksum */
	assert_int_equal(m.type, NR_ICMP4_ECHO_REPLY);
	assert_int_equal(m.code, 0);
	assert_int_equal(m.id, 0x99);
	assert_int_equal(m.seq, 0x1234);
	assert_int_equal(m.data_len, data_len);
	for (size_t i = 0; i < data_len; i++)
		assert_int_equal(m.data[i], (uint8_t)(i * 7 + 3));
	nr_host_output_pop(h);
}

static void test_scapy_request(void **state)
{
	struct nr_host *h = new_host(NR_HOST_LINK_ETHERNET, 1500, NULL);
	const uint8_t *f;
	size_t len;

	(void)state;
	assert_int_equal(nr_host_input(h, scapy_request, sizeof(scapy_request), 0), 1);
	assert_int_equal(nr_host_output_peek(h, &f, &len), 0);
	assert_int_equal(len, sizeof(expected_reply));
	assert_memory_equal(f, expected_reply, sizeof(expected_reply));
	nr_host_output_pop(h);
	assert_int_equal(echo_stats(h)->seen, 1);
	assert_int_equal(echo_stats(h)->replies, 1);
	nr_host_free(h);
}

static void test_payload_sizes(void **state)
{
	struct nr_host *h = new_host(NR_HOST_LINK_ETHERNET, 1500, "ttl=7");
	uint8_t mac[6], f[1600];
	struct nr_addr me = v4("203.0.113.77");

	(void)state;
	nr_host_mac_for(h, &me, mac);
	/* Empty, odd, and the largest payload the MTU allows: all returned whole. */
	for (size_t d = 0; d <= 1472; d += (d < 20 ? 1 : 97)) {
		size_t n = echo_frame(f, sizeof(f), mac, "198.51.100.1", "203.0.113.77", NULL, 0, d, 0);

		assert_int_equal(nr_host_input(h, f, n, 0), 1);
		check_reply(h, true, "203.0.113.77", "198.51.100.1", d, 7);
	}
	{
		size_t n = echo_frame(f, sizeof(f), mac, "198.51.100.1", "203.0.113.77", NULL, 0, 1472, 0);

		assert_int_equal(nr_host_input(h, f, n, 0), 1);
		check_reply(h, true, "203.0.113.77", "198.51.100.1", 1472, 7);
	}
	nr_host_free(h);
}

static void test_too_big(void **state)
{
	struct nr_host *h = new_host(NR_HOST_LINK_ETHERNET, 100, NULL);
	uint8_t mac[6], f[1600];
	struct nr_addr me = v4("203.0.113.77");
	size_t n;

	(void)state;
	nr_host_mac_for(h, &me, mac);
	n = echo_frame(f, sizeof(f), mac, "198.51.100.1", "203.0.113.77", NULL, 0, 72, 0);
	assert_int_equal(nr_host_input(h, f, n, 0), 1);
	check_reply(h, true, "203.0.113.77", "198.51.100.1", 72, 64);
	n = echo_frame(f, sizeof(f), mac, "198.51.100.1", "203.0.113.77", NULL, 0, 73, 0);
	assert_int_equal(nr_host_input(h, f, n, 0), 0);
	assert_int_equal(echo_stats(h)->drop[NR_RESP_DROP_TOO_BIG], 1);
	nr_host_free(h);
}

static void test_tun_compat(void **state)
{
	struct nr_host *h = new_host(NR_HOST_LINK_IP, 1500, NULL);
	const uint8_t *f;
	size_t len;
	struct nr_ipv4 ip;
	struct nr_icmp4 m;

	(void)state;
	/* Without addresses and without any=1: not ours. */
	assert_int_equal(nr_host_input(h, tun_request, sizeof(tun_request), 0), 0);
	assert_int_equal(echo_stats(h)->drop[NR_RESP_DROP_NOT_MINE], 1);
	/* any=1: Scapy's icmpechod, done right: from 192.0.2.2, the whole payload. */
	assert_int_equal(nr_responder_set_option(nr_host_responder_at(h, 0), "any", "1"), 0);
	assert_int_equal(nr_host_input(h, tun_request, sizeof(tun_request), 0), 1);
	assert_int_equal(nr_host_output_peek(h, &f, &len), 0);
	assert_int_equal(len, sizeof(tun_request));
	assert_int_equal(nr_ipv4_decode(f, len, &ip, NULL), 0);
	assert_int_equal(nr_addr_v4(&ip.src), 0xc0000202);
	assert_int_equal(nr_addr_v4(&ip.dst), 0xc0000201);
	assert_int_equal(ip.ttl, 64);
	assert_int_equal(nr_icmp4_decode(ip.payload, ip.payload_len, &m, NULL), 0);
	assert_int_equal(m.type, NR_ICMP4_ECHO_REPLY);
	assert_int_equal(m.id, 1);
	assert_int_equal(m.seq, 1);
	assert_int_equal(m.data_len, 48);
	assert_memory_equal(m.data, tun_request + 28, 48);
	nr_host_output_pop(h);
	/* Not IP at all on a TUN: counted, no reply. */
	{
		static const uint8_t junk[] = {0x20, 0, 0, 0};

		assert_int_equal(nr_host_input(h, junk, sizeof(junk), 0), 0);
		assert_int_equal(nr_host_stats(h)->wire[NR_WIRE_BAD_VERSION], 1);
	}
	nr_host_free(h);
}

static void test_broadcast_multicast(void **state)
{
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	static const uint8_t mcast[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};
	struct nr_host *h = new_host(NR_HOST_LINK_ETHERNET, 1500, NULL);
	uint8_t f[200];
	size_t n1, n2, n3, n4;
	uint8_t g1[200], g2[200], g3[200], g4[200];

	(void)state;
	n1 = echo_frame(g1, sizeof(g1), bcast, "203.0.113.254", "203.0.113.255", NULL, 0, 8, 0);
	n2 = echo_frame(g2, sizeof(g2), bcast, "203.0.113.254", "255.255.255.255", NULL, 0, 8, 0);
	n3 = echo_frame(g3, sizeof(g3), mcast, "203.0.113.254", "224.0.0.1", NULL, 0, 8, 0);
	/* A unicast IP destination in a link-layer broadcast. */
	n4 = echo_frame(g4, sizeof(g4), bcast, "203.0.113.254", "203.0.113.9", NULL, 0, 8, 0);
	assert_int_equal(nr_host_input(h, g1, n1, 0), 0);
	assert_int_equal(nr_host_input(h, g2, n2, 0), 0);
	assert_int_equal(nr_host_input(h, g3, n3, 0), 0);
	assert_int_equal(nr_host_input(h, g4, n4, 0), 0);
	assert_int_equal(echo_stats(h)->drop[NR_RESP_DROP_BROADCAST], 4);
	assert_int_equal(nr_responder_set_option(nr_host_responder_at(h, 0), "broadcast", "1"), 0);
	/* Answered from a unicast address of the host (the range's first). */
	assert_int_equal(nr_host_input(h, g1, n1, 0), 1);
	check_reply(h, true, "203.0.113.1", "203.0.113.254", 8, 64);
	assert_int_equal(nr_host_input(h, g2, n2, 0), 1);
	check_reply(h, true, "203.0.113.1", "203.0.113.254", 8, 64);
	assert_int_equal(nr_host_input(h, g3, n3, 0), 1);
	check_reply(h, true, "203.0.113.1", "203.0.113.254", 8, 64);
	/* RFC 1122 3.3.6: a unicast IP destination in a link-layer broadcast, even so not. */
	assert_int_equal(nr_host_input(h, g4, n4, 0), 0);
	assert_int_equal(echo_stats(h)->drop[NR_RESP_DROP_L2_BROADCAST], 1);
	assert_int_equal(nr_host_output_count(h), 0);
	(void)f;
	nr_host_free(h);
}

static void test_options_fragments_martians(void **state)
{
	static const uint8_t nop_opts[4] = {0x01, 0x01, 0x01, 0x00}; /* NOP NOP NOP EOL */
	struct nr_host *h = new_host(NR_HOST_LINK_ETHERNET, 1500, NULL);
	struct nr_addr me = v4("203.0.113.77");
	uint8_t mac[6], f[200];
	size_t n;

	(void)state;
	nr_host_mac_for(h, &me, mac);
	n = echo_frame(f, sizeof(f), mac, "198.51.100.1", "203.0.113.77", nop_opts, 4, 16, 0);
	assert_int_equal(nr_host_input(h, f, n, 0), 1);
	check_reply(h, true, "203.0.113.77", "198.51.100.1", 16, 64); /* IHL 5: no options */
	assert_int_equal(nr_responder_set_option(nr_host_responder_at(h, 0), "options", "drop"), 0);
	assert_int_equal(nr_responder_set_option(nr_host_responder_at(h, 0), "options", "x"),
			 -EINVAL);
	assert_int_equal(nr_host_input(h, f, n, 0), 0);
	assert_int_equal(echo_stats(h)->drop[NR_RESP_DROP_IP_OPTIONS], 1);

	n = echo_frame(f, sizeof(f), mac, "198.51.100.1", "203.0.113.77", NULL, 0, 16, 1);
	assert_int_equal(nr_host_input(h, f, n, 0), 0);
	n = echo_frame(f, sizeof(f), mac, "198.51.100.1", "203.0.113.77", NULL, 0, 16, 185);
	assert_int_equal(nr_host_input(h, f, n, 0), 0);
	assert_int_equal(echo_stats(h)->drop[NR_RESP_DROP_FRAGMENT], 2);

	n = echo_frame(f, sizeof(f), mac, "127.0.0.1", "203.0.113.77", NULL, 0, 16, 0);
	assert_int_equal(nr_host_input(h, f, n, 0), 0);
	n = echo_frame(f, sizeof(f), mac, "0.0.0.0", "203.0.113.77", NULL, 0, 16, 0);
	assert_int_equal(nr_host_input(h, f, n, 0), 0);
	n = echo_frame(f, sizeof(f), mac, "224.1.2.3", "203.0.113.77", NULL, 0, 16, 0);
	assert_int_equal(nr_host_input(h, f, n, 0), 0);
	assert_int_equal(echo_stats(h)->drop[NR_RESP_DROP_BAD_SOURCE], 3);
	/* Foreign destinations, and ours at the wrong MAC. */
	n = echo_frame(f, sizeof(f), mac, "198.51.100.1", "198.51.100.7", NULL, 0, 16, 0);
	assert_int_equal(nr_host_input(h, f, n, 0), 0);
	n = echo_frame(f, sizeof(f), mac, "198.51.100.1", "203.0.113.254", NULL, 0, 16, 0);
	assert_int_equal(nr_host_input(h, f, n, 0), 0);
	n = echo_frame(f, sizeof(f), mac, "198.51.100.1", "203.0.113.78", NULL, 0, 16, 0);
	assert_int_equal(nr_host_input(h, f, n, 0), 0);
	assert_int_equal(nr_host_stats(h)->drop[NR_HOST_DROP_NOT_FOR_US], 1);
	assert_int_equal(nr_host_output_count(h), 0);
	assert_int_equal(echo_stats(h)->drop[NR_RESP_DROP_NOT_MINE], 2);
	nr_host_free(h);
}

/*
 * RFC 1122 3.2.1.3 martian sources, to our unicast MAC and address: the
 * directed broadcast and the network address of the host's prefix, one
 * of the host's own addresses, 0/8 past 0.0.0.0. All silently discarded.
 */
static void test_martian_sources(void **state)
{
	static const char *const srcs[] = {"203.0.113.255", "203.0.113.0", "203.0.113.9",
					   "0.1.2.3", "255.255.255.255"};
	struct nr_host *h = new_host(NR_HOST_LINK_ETHERNET, 1500, "broadcast=1,any=1");
	struct nr_addr me = v4("203.0.113.77");
	uint8_t mac[6], f[200];
	size_t n;

	(void)state;
	nr_host_mac_for(h, &me, mac);
	for (size_t i = 0; i < sizeof(srcs) / sizeof(srcs[0]); i++) {
		n = echo_frame(f, sizeof(f), mac, srcs[i], "203.0.113.77", NULL, 0, 8, 0);
		assert_int_equal(nr_host_input(h, f, n, 0), 0);
		assert_int_equal(echo_stats(h)->drop[NR_RESP_DROP_BAD_SOURCE], i + 1);
	}
	/* The same request from a neighbour is answered. */
	n = echo_frame(f, sizeof(f), mac, "203.0.113.254", "203.0.113.77", NULL, 0, 8, 0);
	assert_int_equal(nr_host_input(h, f, n, 0), 1);
	check_reply(h, true, "203.0.113.77", "203.0.113.254", 8, 64);
	nr_host_free(h);
}

/* any=1 answers foreign unicast destinations, never reserved ones (no reply comes from those). */
static void test_any_reserved_destinations(void **state)
{
	static const char *const dsts[] = {"0.0.0.0", "0.0.0.9", "127.0.0.1", "127.1.2.3",
					   "240.0.0.1"};
	struct nr_host *h = new_host(NR_HOST_LINK_IP, 1500, "any=1");
	uint8_t f[200];
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(dsts) / sizeof(dsts[0]); i++) {
		n = echo_frame(f, sizeof(f), NULL, "192.0.2.1", dsts[i], NULL, 0, 8, 0);
		assert_int_equal(nr_host_input(h, f, n, 0), 0);
		assert_int_equal(echo_stats(h)->drop[NR_RESP_DROP_BAD_DEST], i + 1);
	}
	n = echo_frame(f, sizeof(f), NULL, "192.0.2.1", "192.0.2.2", NULL, 0, 8, 0);
	assert_int_equal(nr_host_input(h, f, n, 0), 1);
	check_reply(h, false, "192.0.2.2", "192.0.2.1", 8, 64);
	nr_host_free(h);
}

static void test_checksums_truncation(void **state)
{
	struct nr_host *h = new_host(NR_HOST_LINK_ETHERNET, 1500, NULL);
	uint8_t f[sizeof(scapy_request)];
	uint64_t wire = 0;

	(void)state;
	memcpy(f, scapy_request, sizeof(f));
	f[sizeof(f) - 1] ^= 0x40; /* payload byte: ICMP checksum fails */
	assert_int_equal(nr_host_input(h, f, sizeof(f), 0), 0);
	assert_int_equal(echo_stats(h)->wire[NR_WIRE_BAD_CHECKSUM], 1);
	memcpy(f, scapy_request, sizeof(f));
	f[14 + 8] = 0x40; /* TTL: header checksum fails */
	assert_int_equal(nr_host_input(h, f, sizeof(f), 0), 0);
	assert_int_equal(nr_host_stats(h)->wire[NR_WIRE_BAD_CHECKSUM], 1);
	for (size_t n = 0; n < sizeof(scapy_request); n++)
		assert_int_equal(nr_host_input(h, scapy_request, n, 0), 0);
	for (unsigned i = 0; i < NR_WIRE_REASON_COUNT; i++)
		wire += nr_host_stats(h)->wire[i];
	assert_int_equal(wire, 1 + sizeof(scapy_request));
	/* Another ICMP type is not the echo responder's. */
	memcpy(f, scapy_request, sizeof(f));
	f[34] = NR_ICMP4_TIMESTAMP;
	assert_int_equal(nr_host_input(h, f, sizeof(f), 0), 0);
	assert_int_equal(nr_host_stats(h)->drop[NR_HOST_DROP_UNHANDLED], 1);
	assert_int_equal(echo_stats(h)->seen, 1);
	assert_int_equal(nr_host_output_count(h), 0);
	nr_host_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scapy_request),
		cmocka_unit_test(test_payload_sizes),
		cmocka_unit_test(test_too_big),
		cmocka_unit_test(test_tun_compat),
		cmocka_unit_test(test_broadcast_multicast),
		cmocka_unit_test(test_options_fragments_martians),
		cmocka_unit_test(test_martian_sources),
		cmocka_unit_test(test_any_reserved_destinations),
		cmocka_unit_test(test_checksums_truncation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
