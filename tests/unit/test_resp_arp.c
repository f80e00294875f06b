/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ARP responder: a Scapy request answered field by field, probes, announcements,
 * foreign targets, martian senders, bad hardware/protocol fields, truncation
 * at every length, a 10k flood, options and the registry.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "netrig/arp.h"
#include "netrig/eth.h"
#include "netrig/host.h"
#include "netrig/neigh.h"
#include "netrig/responder.h"
#include "netrig/stack.h"

/*
 * Scapy 2.5.0: Ether(src="02:aa:00:00:00:01", dst="ff:ff:ff:ff:ff:ff") /
 * ARP(op=1, hwsrc="02:aa:00:00:00:01", psrc="203.0.113.254", pdst="203.0.113.7")
 */
static const uint8_t scapy_request[] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* eth dst broadcast */
	0x02, 0xaa, 0x00, 0x00, 0x00, 0x01, /* eth src */
	0x08, 0x06,                         /* ARP */
	0x00, 0x01, 0x08, 0x00, 0x06, 0x04, /* Ethernet, IPv4, 6, 4 */
	0x00, 0x01,                         /* request */
	0x02, 0xaa, 0x00, 0x00, 0x00, 0x01, /* sha */
	0xcb, 0x00, 0x71, 0xfe,             /* spa 203.0.113.254 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* tha */
	0xcb, 0x00, 0x71, 0x07,             /* tpa 203.0.113.7 */
};

/* The reply a correct host sends (RFC 826 swap, RFC 5227), padded to 60 bytes. */
static const uint8_t expected_reply[60] = {
	0x02, 0xaa, 0x00, 0x00, 0x00, 0x01, /* eth dst = request sha */
	0x02, 0x00, 0xcb, 0x00, 0x71, 0x07, /* eth src = derived MAC of 203.0.113.7 */
	0x08, 0x06,
	0x00, 0x01, 0x08, 0x00, 0x06, 0x04,
	0x00, 0x02,                         /* reply */
	0x02, 0x00, 0xcb, 0x00, 0x71, 0x07, /* sha = our MAC */
	0xcb, 0x00, 0x71, 0x07,             /* spa = the address asked for */
	0x02, 0xaa, 0x00, 0x00, 0x00, 0x01, /* tha = requester */
	0xcb, 0x00, 0x71, 0xfe,             /* tpa = requester */
	/* 18 bytes of zero padding */
};

static const uint8_t peer_mac[6] = {0x02, 0xaa, 0x00, 0x00, 0x00, 0x01};
static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static struct nr_addr v4(const char *s)
{
	struct nr_addr a;

	assert_int_equal(nr_addr_parse(s, AF_INET, &a), 0);
	return a;
}

static struct nr_host *new_host(void)
{
	struct nr_host_config cfg;
	struct nr_prefix p;
	struct nr_host *h;

	nr_host_config_default(&cfg);
	assert_int_equal(nr_host_new(&cfg, &h), 0);
	assert_int_equal(nr_prefix_parse("203.0.113.0/24", AF_INET, 0, &p), 0);
	assert_int_equal(nr_host_add_range(h, &p), 0);
	/* The peer (the kernel's side of the TAP) lives inside the range. */
	{
		struct nr_addr peer = v4("203.0.113.254");

		assert_int_equal(nr_host_exclude(h, &peer), 0);
		assert_int_equal(nr_host_exclude(h, &peer), -EEXIST);
	}
	assert_int_equal(nr_prefix_parse("198.51.100.9/24", AF_INET, NR_PREFIX_PARSE_HOST_BITS, &p),
			 0);
	assert_int_equal(nr_host_add_addr(h, &p), 0);
	assert_int_equal(nr_host_attach_by_name(h, "arp", NULL), 0);
	return h;
}

static size_t arp_frame(uint8_t *f, const uint8_t dst[6], uint16_t op, const uint8_t sha[6],
			const char *spa, const uint8_t tha[6], const char *tpa)
{
	struct nr_arp a;
	struct nr_addr s = v4(spa), t = v4(tpa);
	int n;

	memcpy(f, dst, 6);
	memcpy(f + 6, sha, 6);
	f[12] = 0x08;
	f[13] = 0x06;
	nr_arp_init_eth_ipv4(&a, op, sha, &s, tha, &t);
	n = nr_arp_encode(&a, f + 14, 28);
	assert_int_equal(n, 28);
	return 42;
}

static const struct nr_resp_stats *arp_stats(struct nr_host *h)
{
	return nr_responder_stats(nr_host_responder_at(h, 0));
}

/* Pop one frame and check it decodes as a reply from addr (its derived MAC) to the peer. */
static void check_reply(struct nr_host *h, const char *addr, const uint8_t tha[6], const char *tpa,
			const uint8_t eth_dst[6])
{
	const uint8_t *f;
	size_t len;
	struct nr_eth eth;
	struct nr_arp a;
	struct nr_addr ip;
	uint8_t mac[6];
	struct nr_addr me = v4(addr);

	nr_host_mac_for(h, &me, mac);
	assert_int_equal(nr_host_output_peek(h, &f, &len), 0);
	assert_int_equal(len, 60);
	assert_int_equal(nr_eth_decode(f, len, &eth, NULL), 0);
	assert_memory_equal(eth.dst, eth_dst, 6);
	assert_memory_equal(eth.src, mac, 6);
	assert_int_equal(eth.ethertype, NR_ETHERTYPE_ARP);
	assert_int_equal(nr_arp_decode(eth.payload, eth.payload_len, &a, NULL), 0);
	assert_true(nr_arp_is_eth_ipv4(&a));
	assert_int_equal(a.op, NR_ARP_OP_REPLY);
	assert_memory_equal(a.sha, mac, 6);
	assert_int_equal(nr_arp_spa(&a, &ip), 0);
	assert_true(nr_addr_eq(&ip, &me));
	assert_memory_equal(a.tha, tha, 6);
	assert_int_equal(nr_arp_tpa(&a, &ip), 0);
	{
		struct nr_addr t = v4(tpa);

		assert_true(nr_addr_eq(&ip, &t));
	}
	nr_host_output_pop(h);
}

static void test_scapy_request(void **state)
{
	struct nr_host *h = new_host();
	const struct nr_neigh_entry *e;
	struct nr_addr peer = v4("203.0.113.254");
	const uint8_t *f;
	size_t len;

	(void)state;
	assert_int_equal(nr_host_input(h, scapy_request, sizeof(scapy_request), 1000), 1);
	assert_int_equal(nr_host_output_peek(h, &f, &len), 0);
	assert_int_equal(len, sizeof(expected_reply));
	assert_memory_equal(f, expected_reply, sizeof(expected_reply));
	check_reply(h, "203.0.113.7", peer_mac, "203.0.113.254", peer_mac);
	assert_int_equal(nr_host_output_count(h), 0);
	assert_int_equal(arp_stats(h)->replies, 1);
	assert_int_equal(arp_stats(h)->learned, 1);
	assert_int_equal(nr_host_stats(h)->replies, 1);
	/* The requester is learned (RFC 826 "add", RFC 4861 7.2.3: STALE). */
	e = nr_neigh_lookup(nr_stack_neigh(nr_host_stack(h)), 2, &peer);
	assert_non_null(e);
	assert_int_equal(e->state, NR_NEIGH_STALE);
	assert_int_equal(e->lladdr.len, 6);
	assert_memory_equal(e->lladdr.bytes, peer_mac, 6);
	nr_host_free(h);
}

static void test_list_address_and_unicast(void **state)
{
	struct nr_host *h = new_host();
	struct nr_addr me = v4("198.51.100.9");
	uint8_t f[64], mac[6];
	size_t n;

	(void)state;
	nr_host_mac_for(h, &me, mac);
	/* A unicast request (the kernel's NUD probe) to the right MAC is answered. */
	n = arp_frame(f, mac, NR_ARP_OP_REQUEST, peer_mac, "198.51.100.1", NULL, "198.51.100.9");
	assert_int_equal(nr_host_input(h, f, n, 0), 1);
	check_reply(h, "198.51.100.9", peer_mac, "198.51.100.1", peer_mac);
	/* To another of our MACs: not for that address, dropped by the host. */
	mac[5] ^= 1;
	n = arp_frame(f, mac, NR_ARP_OP_REQUEST, peer_mac, "198.51.100.1", NULL, "198.51.100.9");
	assert_int_equal(nr_host_input(h, f, n, 0), 0);
	assert_int_equal(nr_host_stats(h)->drop[NR_HOST_DROP_NOT_FOR_US], 1);
	nr_host_free(h);
}

static void test_foreign_targets(void **state)
{
	static const char *const foreign[] = {
		"198.51.100.10", /* next to a list address */
		"203.0.113.0",   /* the range's network address */
		"203.0.113.255", /* the range's broadcast */
		"192.0.2.1",
		"224.0.0.1",
		"127.0.0.1",
	};
	struct nr_host *h = new_host();
	uint8_t f[64];

	(void)state;
	for (size_t i = 0; i < sizeof(foreign) / sizeof(foreign[0]); i++) {
		size_t n = arp_frame(f, bcast, NR_ARP_OP_REQUEST, peer_mac, "203.0.113.254", NULL,
				     foreign[i]);

		assert_int_equal(nr_host_input(h, f, n, 0), 0);
	}
	assert_int_equal(arp_stats(h)->drop[NR_RESP_DROP_NOT_MINE], 6);
	assert_int_equal(arp_stats(h)->replies, 0);
	assert_int_equal(arp_stats(h)->learned, 0);
	assert_int_equal(nr_neigh_count(nr_stack_neigh(nr_host_stack(h))), 0);
	assert_int_equal(nr_host_output_count(h), 0);
	nr_host_free(h);
}

static void test_gratuitous_and_conflicts(void **state)
{
	static const uint8_t new_mac[6] = {0x02, 0xbb, 0, 0, 0, 2};
	struct nr_host *h = new_host();
	struct nr_addr peer = v4("203.0.113.254");
	const struct nr_neigh_entry *e;
	uint8_t f[64];
	size_t n;

	(void)state;
	/* Learn the peer first. */
	assert_int_equal(nr_host_input(h, scapy_request, sizeof(scapy_request), 0), 1);
	nr_host_output_pop(h);
	/* Its announcement with a new MAC: not answered, but the entry follows (override). */
	n = arp_frame(f, bcast, NR_ARP_OP_REQUEST, new_mac, "203.0.113.254", NULL, "203.0.113.254");
	assert_int_equal(nr_host_input(h, f, n, 0), 0);
	e = nr_neigh_lookup(nr_stack_neigh(nr_host_stack(h)), 2, &peer);
	assert_non_null(e);
	assert_memory_equal(e->lladdr.bytes, new_mac, 6);
	/* An announcement of a stranger creates nothing. */
	n = arp_frame(f, bcast, NR_ARP_OP_REQUEST, new_mac, "198.51.100.77", NULL, "198.51.100.77");
	assert_int_equal(nr_host_input(h, f, n, 0), 0);
	assert_int_equal(nr_neigh_count(nr_stack_neigh(nr_host_stack(h))), 1);
	/* An announcement of one of our addresses (sender == target == ours): not answered. */
	n = arp_frame(f, bcast, NR_ARP_OP_REQUEST, new_mac, "203.0.113.7", NULL, "203.0.113.7");
	assert_int_equal(nr_host_input(h, f, n, 0), 0);
	assert_int_equal(arp_stats(h)->drop[NR_RESP_DROP_GRATUITOUS], 1);
	/* Someone else using our .9 asks for our .7: a conflict, not answered. */
	n = arp_frame(f, bcast, NR_ARP_OP_REQUEST, new_mac, "203.0.113.9", NULL, "203.0.113.7");
	assert_int_equal(nr_host_input(h, f, n, 0), 0);
	assert_int_equal(arp_stats(h)->drop[NR_RESP_DROP_BAD_SOURCE], 1);
	assert_int_equal(nr_host_output_count(h), 0);
	nr_host_free(h);
}

static void test_probe(void **state)
{
	struct nr_host *h = new_host();
	uint8_t f[64];
	size_t n;

	(void)state;
	/* RFC 5227 probe: sender 0.0.0.0. Defended with a reply to 0.0.0.0, nothing learned. */
	n = arp_frame(f, bcast, NR_ARP_OP_REQUEST, peer_mac, "0.0.0.0", NULL, "203.0.113.7");
	assert_int_equal(nr_host_input(h, f, n, 0), 1);
	check_reply(h, "203.0.113.7", peer_mac, "0.0.0.0", peer_mac);
	assert_int_equal(nr_neigh_count(nr_stack_neigh(nr_host_stack(h))), 0);
	assert_int_equal(arp_stats(h)->learned, 0);
	/* probe=0: not defended. */
	assert_int_equal(nr_responder_set_option(nr_host_responder_at(h, 0), "probe", "0"), 0);
	assert_int_equal(nr_host_input(h, f, n, 0), 0);
	assert_int_equal(arp_stats(h)->drop[NR_RESP_DROP_PROBE], 1);
	nr_host_free(h);
}

static void test_martian_senders(void **state)
{
	static const uint8_t group_mac[6] = {0x03, 0, 0, 0, 0, 1};
	static const uint8_t zero_mac[6];
	struct nr_host *h = new_host();
	uint8_t f[64];
	size_t n;

	(void)state;
	n = arp_frame(f, bcast, NR_ARP_OP_REQUEST, peer_mac, "127.0.0.1", NULL, "203.0.113.7");
	assert_int_equal(nr_host_input(h, f, n, 0), 0);
	n = arp_frame(f, bcast, NR_ARP_OP_REQUEST, peer_mac, "224.0.0.5", NULL, "203.0.113.7");
	assert_int_equal(nr_host_input(h, f, n, 0), 0);
	n = arp_frame(f, bcast, NR_ARP_OP_REQUEST, peer_mac, "255.255.255.255", NULL, "203.0.113.7");
	assert_int_equal(nr_host_input(h, f, n, 0), 0);
	n = arp_frame(f, bcast, NR_ARP_OP_REQUEST, zero_mac, "203.0.113.254", NULL, "203.0.113.7");
	assert_int_equal(nr_host_input(h, f, n, 0), 0);
	/* A group sender hardware address: build it by hand (the frame source stays unicast). */
	n = arp_frame(f, bcast, NR_ARP_OP_REQUEST, peer_mac, "203.0.113.254", NULL, "203.0.113.7");
	memcpy(f + 22, group_mac, 6);
	assert_int_equal(nr_host_input(h, f, n, 0), 0);
	assert_int_equal(arp_stats(h)->drop[NR_RESP_DROP_BAD_SOURCE], 5);
	/*
	 * RFC 1122 3.2.1.3: the directed broadcast and the network address of
	 * a prefix of the host, and 0/8 other than the 0.0.0.0 probe.
	 */
	n = arp_frame(f, bcast, NR_ARP_OP_REQUEST, peer_mac, "198.51.100.255", NULL, "198.51.100.9");
	assert_int_equal(nr_host_input(h, f, n, 0), 0);
	n = arp_frame(f, bcast, NR_ARP_OP_REQUEST, peer_mac, "198.51.100.0", NULL, "198.51.100.9");
	assert_int_equal(nr_host_input(h, f, n, 0), 0);
	n = arp_frame(f, bcast, NR_ARP_OP_REQUEST, peer_mac, "203.0.113.255", NULL, "203.0.113.7");
	assert_int_equal(nr_host_input(h, f, n, 0), 0);
	n = arp_frame(f, bcast, NR_ARP_OP_REQUEST, peer_mac, "0.0.0.1", NULL, "203.0.113.7");
	assert_int_equal(nr_host_input(h, f, n, 0), 0);
	n = arp_frame(f, bcast, NR_ARP_OP_REQUEST, peer_mac, "0.255.255.255", NULL, "203.0.113.7");
	assert_int_equal(nr_host_input(h, f, n, 0), 0);
	assert_int_equal(arp_stats(h)->drop[NR_RESP_DROP_BAD_SOURCE], 10);
	assert_int_equal(nr_host_output_count(h), 0);
	assert_int_equal(nr_neigh_count(nr_stack_neigh(nr_host_stack(h))), 0);
	/* A neighbour in the same prefix is answered and learned (the test is not too wide). */
	n = arp_frame(f, bcast, NR_ARP_OP_REQUEST, peer_mac, "198.51.100.254", NULL, "198.51.100.9");
	assert_int_equal(nr_host_input(h, f, n, 0), 1);
	check_reply(h, "198.51.100.9", peer_mac, "198.51.100.254", peer_mac);
	assert_int_equal(nr_neigh_count(nr_stack_neigh(nr_host_stack(h))), 1);
	nr_host_free(h);
}

static void test_bad_fields(void **state)
{
	struct nr_host *h = new_host();
	uint8_t f[128];
	size_t n;

	(void)state;
	/* htype 6 (IEEE 802): valid ARP, not this responder's. */
	memcpy(f, scapy_request, sizeof(scapy_request));
	f[15] = 6;
	assert_int_equal(nr_host_input(h, f, sizeof(scapy_request), 0), 0);
	assert_int_equal(arp_stats(h)->wire[NR_WIRE_BAD_HTYPE], 1);
	/* ptype 0x86dd with plen 16 (generic), hlen 6. */
	{
		static const uint8_t gen[14 + 8 + 2 * (6 + 16)] = {
			0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0xaa, 0, 0, 0, 1, 0x08, 0x06,
			0x00, 0x01, 0x86, 0xdd, 0x06, 0x10, 0x00, 0x01,
		};

		assert_int_equal(nr_host_input(h, gen, sizeof(gen), 0), 0);
		assert_int_equal(arp_stats(h)->wire[NR_WIRE_BAD_PTYPE], 1);
	}
	/* hlen 8 with htype Ethernet: the decoder itself refuses it (host counts). */
	memcpy(f, scapy_request, sizeof(scapy_request));
	f[18] = 8;
	memset(f + sizeof(scapy_request), 0, 8);
	assert_int_equal(nr_host_input(h, f, sizeof(scapy_request) + 8, 0), 0);
	assert_int_equal(nr_host_stats(h)->wire[NR_WIRE_BAD_HLEN], 1);
	/* op 7: unknown to the decoder. */
	memcpy(f, scapy_request, sizeof(scapy_request));
	f[21] = 7;
	assert_int_equal(nr_host_input(h, f, sizeof(scapy_request), 0), 0);
	assert_int_equal(nr_host_stats(h)->wire[NR_WIRE_BAD_OP], 1);
	/* RARP request (op 3): valid, unsupported. */
	f[21] = 3;
	assert_int_equal(nr_host_input(h, f, sizeof(scapy_request), 0), 0);
	assert_int_equal(arp_stats(h)->drop[NR_RESP_DROP_UNSUPPORTED], 1);
	/* A reply is resolution traffic: the host takes it, the responder never sees it. */
	n = arp_frame(f, bcast, NR_ARP_OP_REPLY, peer_mac, "203.0.113.254", NULL, "203.0.113.7");
	assert_int_equal(nr_host_input(h, f, n, 0), 0);
	assert_int_equal(nr_host_stats(h)->adverts, 1);
	assert_int_equal(arp_stats(h)->seen, 3);
	assert_int_equal(nr_host_output_count(h), 0);
	assert_int_equal(arp_stats(h)->replies, 0);
	nr_host_free(h);
}

static void test_truncated_every_length(void **state)
{
	struct nr_host *h = new_host();
	uint64_t wire = 0;

	(void)state;
	for (size_t n = 0; n < sizeof(scapy_request); n++)
		assert_int_equal(nr_host_input(h, scapy_request, n, 0), 0);
	for (unsigned i = 0; i < NR_WIRE_REASON_COUNT; i++)
		wire += nr_host_stats(h)->wire[i];
	assert_int_equal(wire, sizeof(scapy_request));
	assert_int_equal(nr_host_stats(h)->wire[NR_WIRE_TRUNCATED], sizeof(scapy_request));
	assert_int_equal(nr_host_output_count(h), 0);
	assert_int_equal(arp_stats(h)->replies, 0);
	/* Trailing padding is not a problem. */
	{
		uint8_t f[60] = {0};

		memcpy(f, scapy_request, sizeof(scapy_request));
		assert_int_equal(nr_host_input(h, f, sizeof(f), 0), 1);
	}
	nr_host_free(h);
}

static void test_flood(void **state)
{
	struct nr_host *h = new_host();
	uint8_t f[64], sha[6] = {0x02, 0xcc, 0, 0, 0, 0};
	char spa[32], tpa[32];

	(void)state;
	/* 10k requests from 10k senders for 253 targets, drained as they come. */
	for (unsigned i = 0; i < 10000; i++) {
		size_t n;

		sha[3] = (uint8_t)(i >> 16);
		sha[4] = (uint8_t)(i >> 8);
		sha[5] = (uint8_t)i;
		snprintf(spa, sizeof(spa), "198.51.100.%u", 1 + i % 8);
		snprintf(tpa, sizeof(tpa), "203.0.113.%u", 1 + i % 253);
		n = arp_frame(f, bcast, NR_ARP_OP_REQUEST, sha, spa, NULL, tpa);
		assert_int_equal(nr_host_input(h, f, n, i), 1);
		check_reply(h, tpa, sha, spa, sha);
	}
	assert_int_equal(arp_stats(h)->replies, 10000);
	/* Not drained: the queue (256) fills, the rest is counted, nothing is overwritten. */
	for (unsigned i = 0; i < 10000; i++)
		(void)nr_host_input(h, scapy_request, sizeof(scapy_request), 0);
	assert_int_equal(nr_host_output_count(h), 256);
	assert_int_equal(nr_host_stats(h)->drop[NR_HOST_DROP_TXQ_FULL], 10000 - 256);
	check_reply(h, "203.0.113.7", peer_mac, "203.0.113.254", peer_mac);
	nr_host_free(h);
}

static void test_options_and_registry(void **state)
{
	struct nr_responder *r = NULL;
	struct nr_host *h = new_host();

	(void)state;
	assert_non_null(nr_responder_lookup("arp"));
	assert_non_null(nr_responder_lookup("ndp"));
	assert_non_null(nr_responder_lookup("echo"));
	assert_non_null(nr_responder_lookup("echo6"));
	assert_null(nr_responder_lookup("dhcp"));
	assert_int_equal(nr_responder_builtin_count(), 4);
	assert_int_equal(nr_responder_new_by_name("nope", &r), -ENOENT);
	assert_null(r);
	assert_int_equal(nr_responder_new_by_name("arp", &r), 0);
	assert_string_equal(nr_responder_name(r), "arp");
	assert_int_equal(nr_responder_set_option(r, "probe", "maybe"), -EINVAL);
	assert_int_equal(nr_responder_set_option(r, "color", "1"), -ENOENT);
	assert_int_equal(nr_responder_set_options(r, "probe=0,learn=off"), 0);
	assert_int_equal(nr_responder_set_options(r, "probe"), -EINVAL);
	assert_int_equal(nr_responder_set_options(r, "=1"), -EINVAL);
	nr_responder_free(r);
	assert_int_equal(nr_host_attach_by_name(h, "arp", "learn=2"), -EINVAL);
	assert_int_equal(nr_host_attach_by_name(h, "what", NULL), -ENOENT);
	assert_int_equal(nr_host_responder_count(h), 1);
	/* learn=0: answered, nothing learned. */
	assert_int_equal(nr_responder_set_option(nr_host_responder_at(h, 0), "learn", "0"), 0);
	assert_int_equal(nr_host_input(h, scapy_request, sizeof(scapy_request), 0), 1);
	assert_int_equal(nr_neigh_count(nr_stack_neigh(nr_host_stack(h))), 0);
	assert_string_equal(nr_resp_drop_str(NR_RESP_DROP_NOT_MINE), "not mine");
	assert_string_equal(nr_resp_drop_str(NR_RESP_DROP_COUNT), "unknown");
	nr_host_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scapy_request),
		cmocka_unit_test(test_list_address_and_unicast),
		cmocka_unit_test(test_foreign_targets),
		cmocka_unit_test(test_gratuitous_and_conflicts),
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_martian_senders),
		cmocka_unit_test(test_bad_fields),
		cmocka_unit_test(test_truncated_every_length),
		cmocka_unit_test(test_flood),
		cmocka_unit_test(test_options_and_registry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
