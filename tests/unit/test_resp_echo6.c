/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ICMPv6 echo responder: a Scapy request answered byte for byte, multicast
 * requests answered from a unicast address, foreign destinations,
 * martian sources, fragments, checksum, truncation, compatibility mode.
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
#include "netrig/icmp6.h"
#include "netrig/ipv6.h"
#include "netrig/responder.h"

/*
 * Scapy 2.5.0: Ether(src="02:aa:00:00:00:01", dst="02:06:00:00:00:07") /
 * IPv6(src="2001:db8::fe", dst="2001:db8::7", hlim=64, tc=0xb8, fl=0x12345) /
 * ICMPv6EchoRequest(id=0x4242, seq=9, data=b"v6-echo-data")
 */
static const uint8_t scapy_request[] = {
	0x02, 0x06, 0x00, 0x00, 0x00, 0x07, 0x02, 0xaa, 0x00, 0x00, 0x00, 0x01, 0x86, 0xdd,
	0x6b, 0x81, 0x23, 0x45,             /* v6, tclass 0xb8, flow 0x12345 */
	0x00, 0x14, 0x3a, 0x40,             /* payload 20, ICMPv6, hlim 64 */
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfe, /* src */
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x07, /* dst */
	0x80, 0x00, 0x91, 0xfa,             /* echo request, checksum */
	0x42, 0x42, 0x00, 0x09,             /* id, seq */
	'v', '6', '-', 'e', 'c', 'h', 'o', '-', 'd', 'a', 't', 'a',
};

/*
 * Scapy: Ether(dst=requester, src="02:06:00:00:00:07") / IPv6(src="2001:db8::7",
 * dst="2001:db8::fe", hlim=64, tc=0xb8, fl=0x12345) / ICMPv6EchoReply(id=0x4242, seq=9,
 * data=b"v6-echo-data")
 */
static const uint8_t expected_reply[] = {
	0x02, 0xaa, 0x00, 0x00, 0x00, 0x01, 0x02, 0x06, 0x00, 0x00, 0x00, 0x07, 0x86, 0xdd,
	0x6b, 0x81, 0x23, 0x45,             /* DSCP and flow label kept */
	0x00, 0x14, 0x3a, 0x40,             /* fresh hop limit 64 */
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x07, /* src = request's dst */
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfe,
	0x81, 0x00, 0x90, 0xfa,             /* echo reply, checksum over the pseudo-header */
	0x42, 0x42, 0x00, 0x09,
	'v', '6', '-', 'e', 'c', 'h', 'o', '-', 'd', 'a', 't', 'a',
};

static const uint8_t peer_mac[6] = {0x02, 0xaa, 0x00, 0x00, 0x00, 0x01};

static struct nr_addr v6(const char *s)
{
	struct nr_addr a;

	assert_int_equal(nr_addr_parse(s, AF_INET6, &a), 0);
	return a;
}

static struct nr_host *new_host(void)
{
	struct nr_host_config cfg;
	struct nr_prefix p;
	struct nr_host *h;

	nr_host_config_default(&cfg);
	assert_int_equal(nr_host_new(&cfg, &h), 0);
	assert_int_equal(nr_prefix_parse("2001:db8::7/64", AF_INET6, NR_PREFIX_PARSE_HOST_BITS, &p),
			 0);
	assert_int_equal(nr_host_add_addr(h, &p), 0);
	assert_int_equal(nr_prefix_parse("fe80::7/64", AF_INET6, NR_PREFIX_PARSE_HOST_BITS, &p), 0);
	assert_int_equal(nr_host_add_addr(h, &p), 0);
	assert_int_equal(nr_host_attach_by_name(h, "echo6", NULL), 0);
	return h;
}

static const struct nr_resp_stats *st(struct nr_host *h)
{
	return nr_responder_stats(nr_host_responder_at(h, 0));
}

/* An echo request frame; frag: add a fragment header (offset 0, more). */
static size_t req(uint8_t *f, const uint8_t eth_dst[6], const char *src, const char *dst,
		  size_t data_len, bool frag)
{
	uint8_t data[256];
	struct nr_icmp6 m;
	struct nr_ipv6 ip;
	struct nr_addr s = v6(src), d = v6(dst);
	size_t off = 54 + (frag ? 8 : 0);
	int n;

	for (size_t i = 0; i < data_len; i++)
		data[i] = (uint8_t)(0xa0 + i);
	memset(&m, 0, sizeof(m));
	m.type = NR_ICMP6_ECHO_REQUEST;
	m.id = 7;
	m.seq = 8;
	m.data = data;
	m.data_len = data_len;
	n = nr_icmp6_encode(&m, &s, &d, f + off, 300);
	assert_true(n > 0);
	memset(&ip, 0, sizeof(ip));
	ip.next_header = NR_IPPROTO_ICMPV6;
	ip.hop_limit = 64;
	ip.src = s;
	ip.dst = d;
	ip.payload = f + 54;
	ip.payload_len = (size_t)n;
	if (frag) {
		uint8_t *fh = f + 54;

		fh[0] = NR_IPPROTO_ICMPV6;
		fh[1] = 0;
		fh[2] = 0;
		fh[3] = 1; /* offset 0, M */
		memset(fh + 4, 0x11, 4);
		ip.next_header = NR_IPPROTO_FRAGMENT;
		ip.payload_len += 8;
	}
	n = nr_ipv6_encode(&ip, f + 14, 400);
	assert_true(n > 0);
	memcpy(f, eth_dst, 6);
	memcpy(f + 6, peer_mac, 6);
	f[12] = 0x86;
	f[13] = 0xdd;
	return 14 + (size_t)n;
}

static void pop_reply(struct nr_host *h, const char *src, const char *dst, size_t data_len)
{
	const uint8_t *f;
	size_t len;
	struct nr_eth e;
	struct nr_ipv6 ip;
	struct nr_icmp6 m;
	struct nr_addr s = v6(src), d = v6(dst);
	uint8_t mac[6];

	nr_host_mac_for(h, &s, mac);
	assert_int_equal(nr_host_output_peek(h, &f, &len), 0);
	assert_int_equal(nr_eth_decode(f, len, &e, NULL), 0);
	assert_memory_equal(e.dst, peer_mac, 6);
	assert_memory_equal(e.src, mac, 6);
	assert_int_equal(nr_ipv6_decode(e.payload, e.payload_len, &ip, NULL), 0);
	assert_int_equal(ip.hop_limit, 64);
	assert_int_equal(ip.n_ext, 0);
	assert_true(nr_addr_eq(&ip.src, &s));
	assert_true(nr_addr_eq(&ip.dst, &d));
	assert_int_equal(nr_icmp6_decode(ip.upper, ip.upper_len, &ip.src, &ip.dst, &m, NULL), 0);
	assert_int_equal(m.type, NR_ICMP6_ECHO_REPLY);
	assert_int_equal(m.code, 0);
	assert_int_equal(m.id, 7);
	assert_int_equal(m.seq, 8);
	assert_int_equal(m.data_len, data_len);
	for (size_t i = 0; i < data_len; i++)
		assert_int_equal(m.data[i], (uint8_t)(0xa0 + i));
	nr_host_output_pop(h);
}

static void test_scapy_request(void **state)
{
	struct nr_host *h = new_host();
	const uint8_t *f;
	size_t len;

	(void)state;
	assert_int_equal(nr_host_input(h, scapy_request, sizeof(scapy_request), 0), 1);
	assert_int_equal(nr_host_output_peek(h, &f, &len), 0);
	assert_int_equal(len, sizeof(expected_reply));
	assert_memory_equal(f, expected_reply, sizeof(expected_reply));
	nr_host_output_pop(h);
	assert_int_equal(st(h)->replies, 1);
	nr_host_free(h);
}

static void test_multicast(void **state)
{
	static const uint8_t allnodes[6] = {0x33, 0x33, 0, 0, 0, 1};
	struct nr_host *h = new_host();
	uint8_t f[400];
	size_t n;

	(void)state;
	/* ping ff02::1 from a link-local address: answered from our link-local address. */
	n = req(f, allnodes, "fe80::fe", "ff02::1", 10, false);
	assert_int_equal(nr_host_input(h, f, n, 0), 1);
	pop_reply(h, "fe80::7", "fe80::fe", 10);
	/* Our solicited-node group, from a global address: from the global address in its prefix. */
	n = req(f, (const uint8_t[6]){0x33, 0x33, 0xff, 0, 0, 7}, "2001:db8::fe", "ff02::1:ff00:7", 3,
		false);
	assert_int_equal(nr_host_input(h, f, n, 0), 1);
	pop_reply(h, "2001:db8::7", "2001:db8::fe", 3);
	assert_int_equal(nr_responder_set_option(nr_host_responder_at(h, 0), "multicast", "0"), 0);
	assert_int_equal(nr_host_input(h, f, n, 0), 0);
	assert_int_equal(st(h)->drop[NR_RESP_DROP_BROADCAST], 1);
	nr_host_free(h);
}

/*
 * Groups the host never joined (RFC 4291 2.7, 2.8): another address's
 * solicited-node group, all-routers while not a router, interface-local
 * and reserved-scope all-nodes, a site-scope group. None answered.
 */
static void test_groups_not_joined(void **state)
{
	static const char *const groups[] = {"ff02::1:ff00:9", "ff02::2", "ff01::1", "ff00::1",
					     "ff05::1"};
	struct nr_host *h = new_host();
	uint8_t f[400];
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		struct nr_addr g = v6(groups[i]);
		uint8_t mac[6] = {0x33, 0x33, g.bytes[12], g.bytes[13], g.bytes[14], g.bytes[15]};

		n = req(f, mac, "fe80::fe", groups[i], 4, false);
		assert_int_equal(nr_host_input(h, f, n, 0), 0);
		assert_int_equal(st(h)->drop[NR_RESP_DROP_BAD_DEST], i + 1);
	}
	assert_int_equal(nr_host_output_count(h), 0);
	nr_host_free(h);

	/* A router has joined ff02::2 (RFC 4291 2.8): answered there. */
	{
		struct nr_host_config cfg;
		struct nr_prefix p;

		nr_host_config_default(&cfg);
		cfg.router = true;
		assert_int_equal(nr_host_new(&cfg, &h), 0);
		assert_int_equal(
			nr_prefix_parse("fe80::7/64", AF_INET6, NR_PREFIX_PARSE_HOST_BITS, &p), 0);
		assert_int_equal(nr_host_add_addr(h, &p), 0);
		assert_int_equal(nr_host_attach_by_name(h, "echo6", NULL), 0);
		n = req(f, (const uint8_t[6]){0x33, 0x33, 0, 0, 0, 2}, "fe80::fe", "ff02::2", 4, false);
		assert_int_equal(nr_host_input(h, f, n, 0), 1);
		pop_reply(h, "fe80::7", "fe80::fe", 4);
		nr_host_free(h);
	}
}

/* Martian requesters (RFC 4291 2.5.3): loopback, and our own addresses (a spoof or a loop). */
static void test_martian_sources(void **state)
{
	static const uint8_t our_mac[6] = {0x02, 0x06, 0, 0, 0, 7};
	static const uint8_t allnodes[6] = {0x33, 0x33, 0, 0, 0, 1};
	struct nr_host *h = new_host();
	uint8_t f[400];
	size_t n;

	(void)state;
	n = req(f, our_mac, "::1", "2001:db8::7", 4, false);
	assert_int_equal(nr_host_input(h, f, n, 0), 0);
	n = req(f, our_mac, "2001:db8::7", "2001:db8::7", 4, false);
	assert_int_equal(nr_host_input(h, f, n, 0), 0);
	n = req(f, allnodes, "fe80::7", "ff02::1", 4, false);
	assert_int_equal(nr_host_input(h, f, n, 0), 0);
	assert_int_equal(st(h)->drop[NR_RESP_DROP_BAD_SOURCE], 3);
	/* any=1 answers foreign unicast destinations, never ::1 (nothing answers from there). */
	assert_int_equal(nr_responder_set_option(nr_host_responder_at(h, 0), "any", "1"), 0);
	n = req(f, our_mac, "2001:db8::fe", "::1", 4, false);
	assert_int_equal(nr_host_input(h, f, n, 0), 0);
	assert_int_equal(st(h)->drop[NR_RESP_DROP_BAD_DEST], 1);
	n = req(f, our_mac, "2001:db8::fe", "2001:db8::99", 4, false);
	assert_int_equal(nr_host_input(h, f, n, 0), 1);
	pop_reply(h, "2001:db8::99", "2001:db8::fe", 4);
	assert_int_equal(nr_host_output_count(h), 0);
	nr_host_free(h);
}

static void test_hostile(void **state)
{
	static const uint8_t our_mac[6] = {0x02, 0x06, 0, 0, 0, 7};
	struct nr_host *h = new_host();
	uint8_t f[400];
	size_t n;
	uint64_t wire = 0;

	(void)state;
	n = req(f, our_mac, "2001:db8::fe", "2001:db8::8", 4, false);
	/* Our MAC, an address we do not have: the frame is ours, the request is not. */
	assert_int_equal(nr_host_input(h, f, n, 0), 0);
	assert_int_equal(st(h)->drop[NR_RESP_DROP_NOT_MINE], 1);
	n = req(f, (const uint8_t[6]){0x02, 0x06, 0, 0, 0, 8}, "2001:db8::fe", "2001:db8::8", 4,
		false);
	assert_int_equal(nr_host_input(h, f, n, 0), 0);
	/* A MAC that is none of ours: the host drops the frame. */
	assert_int_equal(nr_host_stats(h)->drop[NR_HOST_DROP_NOT_FOR_US], 1);
	n = req(f, our_mac, "::", "2001:db8::7", 4, false);
	assert_int_equal(nr_host_input(h, f, n, 0), 0);
	n = req(f, our_mac, "ff02::1", "2001:db8::7", 4, false);
	assert_int_equal(nr_host_input(h, f, n, 0), 0);
	assert_int_equal(st(h)->drop[NR_RESP_DROP_BAD_SOURCE], 2);
	n = req(f, our_mac, "2001:db8::fe", "2001:db8::7", 4, true);
	assert_int_equal(nr_host_input(h, f, n, 0), 0);
	assert_int_equal(st(h)->drop[NR_RESP_DROP_FRAGMENT], 1);
	memcpy(f, scapy_request, sizeof(scapy_request));
	f[60] ^= 0x20; /* seq: checksum fails */
	assert_int_equal(nr_host_input(h, f, sizeof(scapy_request), 0), 0);
	assert_int_equal(st(h)->wire[NR_WIRE_BAD_CHECKSUM], 1);
	for (size_t k = 0; k < sizeof(scapy_request); k++)
		assert_int_equal(nr_host_input(h, scapy_request, k, 0), 0);
	for (unsigned i = 0; i < NR_WIRE_REASON_COUNT; i++)
		wire += nr_host_stats(h)->wire[i] + st(h)->wire[i];
	assert_int_equal(wire, 1 + sizeof(scapy_request));
	assert_int_equal(nr_host_output_count(h), 0);
	assert_int_equal(st(h)->replies, 0);
	nr_host_free(h);
}

static void test_any(void **state)
{
	struct nr_host_config cfg;
	struct nr_host *h;
	uint8_t f[400];
	size_t n;

	(void)state;
	nr_host_config_default(&cfg);
	cfg.promisc = true;
	assert_int_equal(nr_host_new(&cfg, &h), 0);
	assert_int_equal(nr_host_attach_by_name(h, "echo6", "any=1,hlim=64"), 0);
	n = req(f, (const uint8_t[6]){0x02, 0x42, 0, 0, 0, 1}, "2001:db8::fe", "2001:db8:9::9", 5,
		false);
	assert_int_equal(nr_host_input(h, f, n, 0), 1);
	pop_reply(h, "2001:db8:9::9", "2001:db8::fe", 5);
	assert_int_equal(nr_responder_set_option(nr_host_responder_at(h, 0), "hlim", "0"), -EINVAL);
	nr_host_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scapy_request),
		cmocka_unit_test(test_multicast),
		cmocka_unit_test(test_groups_not_joined),
		cmocka_unit_test(test_martian_sources),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_any),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
