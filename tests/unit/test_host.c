/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Emulated hosts on a fake clock: address sets (lists, ranges, holes,
 * 65,536 hosts), originated traffic through the route and neighbour
 * engine (ARP and NS with retries, queued packets released in order,
 * queue overflow, negative cache, rate limit, gateway), getmacbyip's
 * special cases, the resolve/poll library call, TUN links, bad input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netrig/arp.h"
#include "netrig/eth.h"
#include "netrig/host.h"
#include "netrig/icmp6.h"
#include "netrig/ipv4.h"
#include "netrig/ipv6.h"
#include "netrig/ndp.h"
#include "netrig/neigh.h"
#include "netrig/route.h"
#include "netrig/stack.h"

#define MS NR_NS_PER_MS
#define SEC (1000 * MS)

static const uint8_t peer_mac[6] = {0x02, 0xaa, 0x00, 0x00, 0x00, 0x01};
static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static struct nr_addr addr(const char *s)
{
	struct nr_addr a;

	assert_int_equal(nr_addr_parse(s, AF_UNSPEC, &a), 0);
	return a;
}

static struct nr_host *new_host(uint8_t link)
{
	struct nr_host_config cfg;
	struct nr_prefix p;
	struct nr_host *h;

	nr_host_config_default(&cfg);
	cfg.link = link;
	assert_int_equal(nr_host_new(&cfg, &h), 0);
	assert_int_equal(nr_prefix_parse("198.51.100.9/24", AF_INET, NR_PREFIX_PARSE_HOST_BITS, &p),
			 0);
	assert_int_equal(nr_host_add_addr(h, &p), 0);
	assert_int_equal(nr_prefix_parse("2001:db8::7/64", AF_INET6, NR_PREFIX_PARSE_HOST_BITS, &p),
			 0);
	assert_int_equal(nr_host_add_addr(h, &p), 0);
	return h;
}

/* An IPv4 UDP-ish packet (8 bytes of payload) with a given id. */
static size_t ip4(uint8_t *buf, const char *src, const char *dst, uint16_t id)
{
	static const uint8_t payload[8] = {0x30, 0x39, 0x00, 0x35, 0x00, 0x08, 0x00, 0x00};
	struct nr_ipv4 h;
	int n;

	memset(&h, 0, sizeof(h));
	h.id = id;
	h.ttl = 64;
	h.proto = 17;
	h.src = addr(src);
	h.dst = addr(dst);
	h.payload = payload;
	h.payload_len = sizeof(payload);
	n = nr_ipv4_encode(&h, buf, 100);
	assert_int_equal(n, 28);
	return 28;
}

static size_t ip6(uint8_t *buf, const char *src, const char *dst, uint32_t flow)
{
	static const uint8_t payload[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	struct nr_ipv6 h;
	int n;

	memset(&h, 0, sizeof(h));
	h.flow = flow;
	h.next_header = NR_IPPROTO_NONE;
	h.hop_limit = 64;
	h.src = addr(src);
	h.dst = addr(dst);
	h.payload = payload;
	h.payload_len = sizeof(payload);
	n = nr_ipv6_encode(&h, buf, 100);
	assert_int_equal(n, 48);
	return 48;
}

/* Pop an ARP request: broadcast (or unicast to dst), who-has target tell sender. */
static void pop_arp_request(struct nr_host *h, const uint8_t eth_dst[6], const char *sender,
			    const char *target)
{
	const uint8_t *f;
	size_t len;
	struct nr_eth e;
	struct nr_arp a;
	struct nr_addr ip, s = addr(sender), t = addr(target);
	uint8_t mac[6];

	nr_host_mac_for(h, &s, mac);
	assert_int_equal(nr_host_output_peek(h, &f, &len), 0);
	assert_int_equal(nr_eth_decode(f, len, &e, NULL), 0);
	assert_memory_equal(e.dst, eth_dst, 6);
	assert_memory_equal(e.src, mac, 6);
	assert_int_equal(e.ethertype, NR_ETHERTYPE_ARP);
	assert_int_equal(nr_arp_decode(e.payload, e.payload_len, &a, NULL), 0);
	assert_true(nr_arp_is_eth_ipv4(&a));
	assert_int_equal(a.op, NR_ARP_OP_REQUEST);
	assert_memory_equal(a.sha, mac, 6);
	assert_int_equal(nr_arp_spa(&a, &ip), 0);
	assert_true(nr_addr_eq(&ip, &s));
	assert_int_equal(nr_arp_tpa(&a, &ip), 0);
	assert_true(nr_addr_eq(&ip, &t));
	nr_host_output_pop(h);
}

/* Pop an IPv4 packet framed to eth_dst; check its id. */
static void pop_ip4(struct nr_host *h, const uint8_t eth_dst[6], uint16_t id)
{
	const uint8_t *f;
	size_t len;
	struct nr_eth e;
	struct nr_ipv4 ip;
	struct nr_addr me = addr("198.51.100.9");
	uint8_t mac[6];

	nr_host_mac_for(h, &me, mac);
	assert_int_equal(nr_host_output_peek(h, &f, &len), 0);
	assert_int_equal(nr_eth_decode(f, len, &e, NULL), 0);
	assert_memory_equal(e.dst, eth_dst, 6);
	assert_memory_equal(e.src, mac, 6);
	assert_int_equal(e.ethertype, NR_ETHERTYPE_IPV4);
	assert_int_equal(nr_ipv4_decode(e.payload, e.payload_len, &ip, NULL), 0);
	assert_int_equal(ip.id, id);
	nr_host_output_pop(h);
}

static size_t arp_reply(uint8_t *f, const char *spa, const uint8_t sha[6], const char *tpa,
			const uint8_t tha[6])
{
	struct nr_arp a;
	struct nr_addr s = addr(spa), t = addr(tpa);

	memcpy(f, tha, 6);
	memcpy(f + 6, sha, 6);
	f[12] = 0x08;
	f[13] = 0x06;
	nr_arp_init_eth_ipv4(&a, NR_ARP_OP_REPLY, sha, &s, tha, &t);
	assert_int_equal(nr_arp_encode(&a, f + 14, 28), 28);
	return 42;
}

static void test_arp_resolution_releases_in_order(void **state)
{
	struct nr_host *h = new_host(NR_HOST_LINK_ETHERNET);
	struct nr_addr me = addr("198.51.100.9");
	uint8_t pkt[100], f[64], mac[6];
	size_t n;

	(void)state;
	nr_host_mac_for(h, &me, mac);
	n = ip4(pkt, "198.51.100.9", "198.51.100.1", 1);
	assert_int_equal(nr_host_send_ip(h, pkt, n, 0), -EINPROGRESS);
	assert_int_equal(nr_host_output_count(h), 1);
	pop_arp_request(h, bcast, "198.51.100.9", "198.51.100.1");
	n = ip4(pkt, "198.51.100.9", "198.51.100.1", 2);
	assert_int_equal(nr_host_send_ip(h, pkt, n, 10 * MS), -EINPROGRESS);
	n = ip4(pkt, "198.51.100.9", "198.51.100.1", 3);
	assert_int_equal(nr_host_send_ip(h, pkt, n, 20 * MS), -EINPROGRESS);
	assert_int_equal(nr_host_output_count(h), 0); /* one solicitation per resolution */
	assert_int_equal(nr_host_next_deadline(h, 20 * MS), 1 * SEC);
	/* A reply for someone else's question does not resolve ours. */
	n = arp_reply(f, "198.51.100.2", peer_mac, "198.51.100.9", mac);
	assert_int_equal(nr_host_input(h, f, n, 30 * MS), 0);
	/* The answer: the three packets go, oldest first, to the learned MAC. */
	n = arp_reply(f, "198.51.100.1", peer_mac, "198.51.100.9", mac);
	assert_int_equal(nr_host_input(h, f, n, 40 * MS), 3);
	pop_ip4(h, peer_mac, 1);
	pop_ip4(h, peer_mac, 2);
	pop_ip4(h, peer_mac, 3);
	/* Resolved: the next one goes at once. */
	n = ip4(pkt, "198.51.100.9", "198.51.100.1", 4);
	assert_int_equal(nr_host_send_ip(h, pkt, n, 50 * MS), 0);
	pop_ip4(h, peer_mac, 4);
	assert_int_equal(nr_host_stats(h)->solicits, 1);
	assert_int_equal(nr_host_stats(h)->adverts, 2);
	nr_host_free(h);
}

static void test_retries_failure_negative_cache(void **state)
{
	struct nr_host *h = new_host(NR_HOST_LINK_ETHERNET);
	uint8_t pkt[100];
	size_t n = ip4(pkt, "198.51.100.9", "198.51.100.1", 1);

	(void)state;
	assert_int_equal(nr_host_send_ip(h, pkt, n, 0), -EINPROGRESS);
	pop_arp_request(h, bcast, "198.51.100.9", "198.51.100.1");
	/* Not due yet: nothing. */
	assert_int_equal(nr_host_tick(h, SEC - 1), 0);
	/* Retransmissions every RetransTimer (1 s), 3 in all. */
	assert_int_equal(nr_host_next_deadline(h, 0), SEC);
	assert_int_equal(nr_host_tick(h, SEC), 1);
	pop_arp_request(h, bcast, "198.51.100.9", "198.51.100.1");
	assert_int_equal(nr_host_tick(h, 2 * SEC), 1);
	pop_arp_request(h, bcast, "198.51.100.9", "198.51.100.1");
	/* The last one timed out: FAILED, the waiting packet dropped and counted. */
	assert_int_equal(nr_host_tick(h, 3 * SEC), 0);
	assert_int_equal(nr_host_stats(h)->drop[NR_HOST_DROP_UNRESOLVED], 1);
	assert_int_equal(nr_host_output_count(h), 0);
	/* Negative cache: for 3 s a send fails at once, no solicitation. */
	assert_int_equal(nr_host_send_ip(h, pkt, n, 4 * SEC), -EHOSTUNREACH);
	{
		struct nr_addr dst = addr("198.51.100.1");
		struct nr_lladdr ll;

		assert_int_equal(nr_host_resolve_poll(h, &dst, &ll), -EHOSTUNREACH);
		assert_int_equal(nr_host_resolve(h, &dst, 4 * SEC, &ll), -EHOSTUNREACH);
	}
	assert_int_equal(nr_host_output_count(h), 0);
	/* After the hold, a new resolution starts. */
	assert_int_equal(nr_host_send_ip(h, pkt, n, 6 * SEC + 1), -EINPROGRESS);
	pop_arp_request(h, bcast, "198.51.100.9", "198.51.100.1");
	assert_int_equal(nr_host_stats(h)->solicits, 4);
	nr_host_free(h);
}

static void test_queue_overflow(void **state)
{
	struct nr_host *h = new_host(NR_HOST_LINK_ETHERNET);
	struct nr_addr me = addr("198.51.100.9");
	uint8_t pkt[100], f[64], mac[6];
	size_t n;

	(void)state;
	nr_host_mac_for(h, &me, mac);
	for (uint16_t id = 1; id <= 5; id++) {
		n = ip4(pkt, "198.51.100.9", "198.51.100.1", id);
		assert_int_equal(nr_host_send_ip(h, pkt, n, id), -EINPROGRESS);
	}
	/* The queue holds 3: the two oldest went. */
	assert_int_equal(nr_host_stats(h)->drop[NR_HOST_DROP_UNRESOLVED], 2);
	pop_arp_request(h, bcast, "198.51.100.9", "198.51.100.1");
	n = arp_reply(f, "198.51.100.1", peer_mac, "198.51.100.9", mac);
	assert_int_equal(nr_host_input(h, f, n, 100), 3);
	pop_ip4(h, peer_mac, 3);
	pop_ip4(h, peer_mac, 4);
	pop_ip4(h, peer_mac, 5);
	assert_int_equal(nr_host_output_count(h), 0);
	nr_host_free(h);
}

static void test_rate_limit(void **state)
{
	struct nr_host *h = new_host(NR_HOST_LINK_ETHERNET);
	uint8_t pkt[100];
	char dst[32];

	(void)state;
	/* 30 destinations at one instant: a burst of 20 solicitations, the rest postponed. */
	for (unsigned i = 0; i < 30; i++) {
		snprintf(dst, sizeof(dst), "198.51.100.%u", 100 + i);
		assert_int_equal(nr_host_send_ip(h, pkt, ip4(pkt, "198.51.100.9", dst, 1), 0),
				 -EINPROGRESS);
	}
	assert_int_equal(nr_host_stats(h)->solicits, 20);
	assert_true(nr_host_next_deadline(h, 0) <= 10 * MS);
	/* One token per 10 ms. */
	assert_int_equal(nr_host_tick(h, 10 * MS), 1);
	assert_int_equal(nr_host_stats(h)->solicits, 21);
	assert_int_equal(nr_host_tick(h, 100 * MS), 9);
	assert_int_equal(nr_host_stats(h)->solicits, 30);
	nr_host_free(h);
}

static void test_special_destinations(void **state)
{
	static const struct {
		const char *dst;
		uint8_t mac[6];
	} cases[] = {
		{"224.0.0.251", {0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb}},
		{"239.255.1.2", {0x01, 0x00, 0x5e, 0x7f, 0x01, 0x02}}, /* 23 bits */
		{"225.128.1.2", {0x01, 0x00, 0x5e, 0x00, 0x01, 0x02}},
		{"255.255.255.255", {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
		{"198.51.100.255", {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}, /* directed broadcast */
		{"198.51.100.9", {0x02, 0x00, 0xc6, 0x33, 0x64, 0x09}},   /* ourselves */
		{"ff02::1", {0x33, 0x33, 0x00, 0x00, 0x00, 0x01}},
		{"ff02::1:ff00:fe", {0x33, 0x33, 0xff, 0x00, 0x00, 0xfe}},
		{"2001:db8::7", {0x02, 0x06, 0x00, 0x00, 0x00, 0x07}},
	};
	struct nr_host *h = new_host(NR_HOST_LINK_ETHERNET);
	struct nr_lladdr ll;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct nr_addr d = addr(cases[i].dst);

		memset(&ll, 0, sizeof(ll));
		assert_int_equal(nr_host_resolve(h, &d, 0, &ll), 0);
		assert_int_equal(ll.len, 6);
		assert_memory_equal(ll.bytes, cases[i].mac, 6);
		assert_int_equal(nr_host_resolve_poll(h, &d, &ll), 0);
	}
	/* Never a request for ourselves (Scapy's getmacbyip sends one), nothing cached. */
	assert_int_equal(nr_host_output_count(h), 0);
	assert_int_equal(nr_host_stats(h)->solicits, 0);
	{
		struct nr_addr z = addr("0.0.0.0"), lo = addr("127.0.0.1"), z6 = addr("::"),
			       lo6 = addr("::1");

		assert_int_equal(nr_host_resolve(h, &z, 0, &ll), -EINVAL);
		assert_int_equal(nr_host_resolve(h, &lo, 0, &ll), -EINVAL);
		assert_int_equal(nr_host_resolve(h, &z6, 0, &ll), -EINVAL);
		assert_int_equal(nr_host_resolve(h, &lo6, 0, &ll), -EINVAL);
	}
	/* A packet to a multicast group goes at once, framed to the group MAC. */
	{
		uint8_t pkt[100];
		static const uint8_t grp[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb};

		assert_int_equal(
			nr_host_send_ip(h, pkt, ip4(pkt, "198.51.100.9", "224.0.0.251", 9), 0), 0);
		pop_ip4(h, grp, 9);
	}
	nr_host_free(h);
}

static void test_gateway_and_unreachable(void **state)
{
	struct nr_host *h = new_host(NR_HOST_LINK_ETHERNET);
	struct nr_addr gw = addr("198.51.100.1"), far = addr("192.0.2.50");
	struct nr_lladdr ll;
	uint8_t pkt[100];

	(void)state;
	assert_int_equal(nr_host_resolve(h, &far, 0, &ll), -ENETUNREACH);
	assert_int_equal(nr_host_send_ip(h, pkt, ip4(pkt, "198.51.100.9", "192.0.2.50", 1), 0),
			 -ENETUNREACH);
	assert_int_equal(nr_host_set_gateway(h, &gw), 0);
	/* Off-link: the gateway is resolved, not the destination. */
	assert_int_equal(nr_host_resolve(h, &far, 0, &ll), -EINPROGRESS);
	pop_arp_request(h, bcast, "198.51.100.9", "198.51.100.1");
	assert_int_equal(nr_host_resolve_poll(h, &far, &ll), -EINPROGRESS);
	assert_int_equal(nr_host_resolve_poll(h, &gw, &ll), -EINPROGRESS);
	{
		struct nr_addr me = addr("198.51.100.9");
		uint8_t f[64], mac[6];
		size_t n;

		nr_host_mac_for(h, &me, mac);
		n = arp_reply(f, "198.51.100.1", peer_mac, "198.51.100.9", mac);
		assert_int_equal(nr_host_input(h, f, n, 5 * MS), 0); /* only a marker waited */
	}
	memset(&ll, 0, sizeof(ll));
	assert_int_equal(nr_host_resolve_poll(h, &far, &ll), 0);
	assert_memory_equal(ll.bytes, peer_mac, 6);
	memset(&ll, 0, sizeof(ll));
	assert_int_equal(nr_host_resolve(h, &far, 6 * MS, &ll), 0);
	assert_memory_equal(ll.bytes, peer_mac, 6);
	assert_int_equal(nr_host_send_ip(h, pkt, ip4(pkt, "198.51.100.9", "192.0.2.50", 2), 7 * MS),
			 0);
	pop_ip4(h, peer_mac, 2);
	{
		struct nr_addr other = addr("198.51.100.77");

		assert_int_equal(nr_host_resolve_poll(h, &other, &ll), -ENOENT);
	}
	nr_host_free(h);
}

static void test_ndp_resolution(void **state)
{
	struct nr_host *h = new_host(NR_HOST_LINK_ETHERNET);
	struct nr_addr target = addr("2001:db8::fe"), me = addr("2001:db8::7");
	uint8_t pkt[100], f[200], mac[6];
	const uint8_t *o;
	size_t len;
	struct nr_eth e;
	struct nr_ipv6 ip;
	struct nr_ndp ns;

	(void)state;
	nr_host_mac_for(h, &me, mac);
	assert_int_equal(nr_host_send_ip(h, pkt, ip6(pkt, "2001:db8::7", "2001:db8::fe", 1), 0),
			 -EINPROGRESS);
	assert_int_equal(nr_host_send_ip(h, pkt, ip6(pkt, "2001:db8::7", "2001:db8::fe", 2), 0),
			 -EINPROGRESS);
	/* The NS: to the solicited-node group, hop limit 255, our SLLAO, from our address. */
	assert_int_equal(nr_host_output_peek(h, &o, &len), 0);
	assert_int_equal(nr_eth_decode(o, len, &e, NULL), 0);
	{
		static const uint8_t snm[6] = {0x33, 0x33, 0xff, 0x00, 0x00, 0xfe};

		assert_memory_equal(e.dst, snm, 6);
	}
	assert_memory_equal(e.src, mac, 6);
	assert_int_equal(nr_ipv6_decode(e.payload, e.payload_len, &ip, NULL), 0);
	assert_true(nr_addr_eq(&ip.src, &me));
	assert_true(nr_ndp_is_solicited_node(&ip.dst));
	assert_int_equal(nr_ndp_decode(ip.upper, ip.upper_len, &ip.src, &ip.dst, ip.hop_limit, &ns,
				       NULL),
			 0);
	assert_int_equal(ns.type, NR_ICMP6_NEIGHBOR_SOLICIT);
	assert_true(nr_addr_eq(&ns.target, &target));
	assert_true(ns.has_sllao);
	assert_memory_equal(ns.sllao.bytes, mac, 6);
	nr_host_output_pop(h);
	/* The NA (S, O, TLLAO) releases both, in order. */
	{
		struct nr_ndp na;
		struct nr_ipv6 h6;
		int n;

		memset(&na, 0, sizeof(na));
		na.type = NR_ICMP6_NEIGHBOR_ADVERT;
		na.solicited = na.override = true;
		na.target = target;
		na.has_tllao = true;
		na.tllao.len = 6;
		memcpy(na.tllao.bytes, peer_mac, 6);
		n = nr_ndp_encode(&na, &target, &me, f + 54, 100);
		assert_true(n > 0);
		memset(&h6, 0, sizeof(h6));
		h6.next_header = NR_IPPROTO_ICMPV6;
		h6.hop_limit = 255;
		h6.src = target;
		h6.dst = me;
		h6.payload = f + 54;
		h6.payload_len = (size_t)n;
		n = nr_ipv6_encode(&h6, f + 14, 150);
		memcpy(f, mac, 6);
		memcpy(f + 6, peer_mac, 6);
		f[12] = 0x86;
		f[13] = 0xdd;
		/* With hop limit 64 it is not an NA to believe. */
		f[14 + 7] = 64;
		assert_int_equal(nr_host_input(h, f, 14 + (size_t)n, 1), 0);
		assert_int_equal(nr_host_stats(h)->wire[NR_WIRE_BAD_HOP_LIMIT], 1);
		f[14 + 7] = 255;
		assert_int_equal(nr_host_input(h, f, 14 + (size_t)n, 1), 2);
	}
	for (uint32_t flow = 1; flow <= 2; flow++) {
		assert_int_equal(nr_host_output_peek(h, &o, &len), 0);
		assert_int_equal(nr_eth_decode(o, len, &e, NULL), 0);
		assert_memory_equal(e.dst, peer_mac, 6);
		assert_int_equal(e.ethertype, NR_ETHERTYPE_IPV6);
		assert_int_equal(nr_ipv6_decode(e.payload, e.payload_len, &ip, NULL), 0);
		assert_int_equal(ip.flow, flow);
		nr_host_output_pop(h);
	}
	/* Off-link without a route: unreachable. */
	assert_int_equal(nr_host_send_ip(h, pkt, ip6(pkt, "2001:db8::7", "2001:db8:5::1", 3), 0),
			 -ENETUNREACH);
	nr_host_free(h);
}

/* Pop an NS for target (multicast to its solicited-node group). */
static void pop_ns_for(struct nr_host *h, const char *target)
{
	const uint8_t *o;
	size_t len;
	struct nr_eth e;
	struct nr_ipv6 ip;
	struct nr_ndp ns;
	struct nr_addr t = addr(target);

	assert_int_equal(nr_host_output_peek(h, &o, &len), 0);
	assert_int_equal(nr_eth_decode(o, len, &e, NULL), 0);
	assert_int_equal(e.ethertype, NR_ETHERTYPE_IPV6);
	assert_int_equal(nr_ipv6_decode(e.payload, e.payload_len, &ip, NULL), 0);
	assert_int_equal(nr_ndp_decode(ip.upper, ip.upper_len, &ip.src, &ip.dst, ip.hop_limit, &ns,
				       NULL),
			 0);
	assert_int_equal(ns.type, NR_ICMP6_NEIGHBOR_SOLICIT);
	assert_true(nr_addr_eq(&ns.target, &t));
	nr_host_output_pop(h);
}

static void add_route6(struct nr_host *h, const char *dst, uint8_t type, uint32_t table,
		       const char *gw, uint32_t metric)
{
	struct nr_nexthop nh;
	struct nr_route rt;

	memset(&nh, 0, sizeof(nh));
	nh.ifindex = 2;
	nh.weight = 1;
	if (gw)
		nh.gw = addr(gw);
	memset(&rt, 0, sizeof(rt));
	rt.family = AF_INET6;
	rt.type = type;
	rt.protocol = 4;
	rt.table = table;
	rt.metric = metric;
	assert_int_equal(nr_prefix_parse(dst, AF_INET6, 0, &rt.dst), 0);
	if (type == NR_RTN_UNICAST) {
		rt.nh_count = 1;
		rt.nh = &nh;
	}
	assert_int_equal(nr_stack_route_add(nr_host_stack(h), &rt), 0);
}

/*
 * IPv6 sends go through the stack's decision engine: policy rules pick a
 * table other than main, reject routes refuse, the lower metric wins.
 */
static void test_ipv6_rules_and_tables(void **state)
{
	struct nr_host *h = new_host(NR_HOST_LINK_ETHERNET);
	struct nr_addr far = addr("2001:db8:77::5"), rej = addr("2001:db8:77:99::1"),
		       other = addr("2001:db8:78::1"), m = addr("2001:db8:5::1");
	struct nr_lladdr ll;
	struct nr_rule rule;
	uint8_t pkt[100];

	(void)state;
	/* Only table 100 knows 2001:db8:77::/48; without a rule it is not consulted. */
	add_route6(h, "2001:db8:77::/48", NR_RTN_UNICAST, 100, "2001:db8::1", 1024);
	add_route6(h, "2001:db8:77:99::/64", NR_RTN_UNREACHABLE, 100, NULL, 1024);
	assert_int_equal(nr_host_resolve(h, &far, 0, &ll), -ENETUNREACH);
	assert_int_equal(nr_host_send_ip(h, pkt, ip6(pkt, "2001:db8::7", "2001:db8:77::5", 1), 0),
			 -ENETUNREACH);
	assert_int_equal(nr_host_output_count(h), 0);

	memset(&rule, 0, sizeof(rule));
	rule.family = AF_INET6;
	rule.action = NR_FR_ACT_TO_TBL;
	rule.priority = 100;
	rule.table = 100;
	rule.suppress_prefixlen = -1;
	rule.suppress_ifgroup = -1;
	assert_int_equal(nr_prefix_parse("2001:db8:77::/48", AF_INET6, 0, &rule.to), 0);
	rule.from.addr.family = AF_INET6;
	assert_int_equal(nr_stack_rule_add(nr_host_stack(h), &rule), 0);

	/* Now the gateway of table 100 is solicited, not the destination. */
	assert_int_equal(nr_host_send_ip(h, pkt, ip6(pkt, "2001:db8::7", "2001:db8:77::5", 2), 0),
			 -EINPROGRESS);
	pop_ns_for(h, "2001:db8::1");
	assert_int_equal(nr_host_output_count(h), 0);
	/* The unreachable route of the same table refuses with the kernel's errno. */
	assert_int_equal(nr_host_resolve(h, &rej, 0, &ll), -EHOSTUNREACH);
	assert_int_equal(nr_host_output_count(h), 0);
	/* Destinations outside the rule still see main only. */
	assert_int_equal(nr_host_resolve(h, &other, 0, &ll), -ENETUNREACH);

	/* Two routes of one prefix in main: the lower metric's gateway is the next hop. */
	add_route6(h, "2001:db8:5::/48", NR_RTN_UNICAST, NR_TABLE_MAIN, "2001:db8::3", 2048);
	add_route6(h, "2001:db8:5::/48", NR_RTN_UNICAST, NR_TABLE_MAIN, "2001:db8::4", 512);
	assert_int_equal(nr_host_resolve(h, &m, 0, &ll), -EINPROGRESS);
	pop_ns_for(h, "2001:db8::4");
	assert_int_equal(nr_host_output_count(h), 0);
	nr_host_free(h);
}

static void test_tun_link(void **state)
{
	struct nr_host *h = new_host(NR_HOST_LINK_IP);
	struct nr_addr d = addr("198.51.100.1");
	struct nr_lladdr ll;
	uint8_t pkt[100];
	const uint8_t *o;
	size_t n, len;

	(void)state;
	n = ip4(pkt, "198.51.100.9", "198.51.100.1", 1);
	assert_int_equal(nr_host_send_ip(h, pkt, n, 0), 0);
	assert_int_equal(nr_host_output_peek(h, &o, &len), 0);
	assert_int_equal(len, n);
	assert_memory_equal(o, pkt, n);
	nr_host_output_pop(h);
	assert_int_equal(nr_host_resolve(h, &d, 0, &ll), -EAFNOSUPPORT);
	assert_int_equal(nr_host_send_ip(h, pkt, ip4(pkt, "198.51.100.9", "192.0.2.1", 1), 0),
			 -ENETUNREACH);
	nr_host_free(h);
}

static void test_bad_input_and_config(void **state)
{
	struct nr_host_config cfg;
	struct nr_host *h = new_host(NR_HOST_LINK_ETHERNET), *h2 = NULL;
	struct nr_prefix p;
	uint8_t pkt[2000];
	size_t n;

	(void)state;
	memset(pkt, 0x45, sizeof(pkt));
	assert_int_equal(nr_host_send_ip(h, pkt, 10, 0), -EBADMSG);
	assert_int_equal(nr_host_send_ip(h, pkt, 0, 0), -EBADMSG);
	assert_int_equal(nr_host_send_ip(h, pkt, 1501, 0), -EMSGSIZE);
	n = ip4(pkt, "198.51.100.9", "198.51.100.1", 1);
	pkt[10] ^= 1; /* header checksum */
	assert_int_equal(nr_host_send_ip(h, pkt, n, 0), -EBADMSG);
	assert_int_equal(nr_host_output_count(h), 0);

	assert_int_equal(nr_prefix_parse("198.51.100.9/24", AF_INET, NR_PREFIX_PARSE_HOST_BITS, &p),
			 0);
	assert_int_equal(nr_host_add_addr(h, &p), -EEXIST);
	assert_int_equal(nr_prefix_parse("198.51.100.0/24", AF_INET, 0, &p), 0);
	assert_int_equal(nr_host_add_range(h, &p), -EEXIST); /* holds .9 */
	assert_int_equal(nr_prefix_parse("224.0.0.1/32", AF_INET, 0, &p), 0);
	assert_int_equal(nr_host_add_addr(h, &p), -EINVAL);
	assert_int_equal(nr_prefix_parse("203.0.113.5/24", AF_INET, NR_PREFIX_PARSE_HOST_BITS, &p),
			 0);
	assert_int_equal(nr_host_add_range(h, &p), -EINVAL); /* host bits set */
	{
		struct nr_addr a9 = addr("198.51.100.9");

		assert_int_equal(nr_host_exclude(h, &a9), -EINVAL);
	}
	nr_host_config_default(&cfg);
	cfg.link = 7;
	assert_int_equal(nr_host_new(&cfg, &h2), -EINVAL);
	nr_host_config_default(&cfg);
	cfg.mtu = 20;
	assert_int_equal(nr_host_new(&cfg, &h2), -EINVAL);
	nr_host_config_default(&cfg);
	cfg.fixed_mac = true;
	cfg.mac[0] = 0x01; /* a group address */
	assert_int_equal(nr_host_new(&cfg, &h2), -EINVAL);
	assert_null(h2);
	/* Ethernet junk: counted, never answered. */
	{
		static const uint8_t vlan[64] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0xaa, 0, 0, 0, 1,
						 0x81, 0x00, 0x00, 0x05, 0x08, 0x06};
		static const uint8_t other[60] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0xaa, 0, 0, 0, 1,
						  0x88, 0xcc};
		static const uint8_t dot3[60] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0xaa, 0, 0, 0, 1,
						 0x00, 0x2e};

		assert_int_equal(nr_host_input(h, vlan, sizeof(vlan), 0), 0);
		assert_int_equal(nr_host_input(h, other, sizeof(other), 0), 0);
		assert_int_equal(nr_host_input(h, dot3, sizeof(dot3), 0), 0);
		assert_int_equal(nr_host_stats(h)->drop[NR_HOST_DROP_VLAN], 1);
		assert_int_equal(nr_host_stats(h)->drop[NR_HOST_DROP_ETHERTYPE], 1);
		assert_int_equal(nr_host_stats(h)->wire[NR_WIRE_NOT_ETHERNET_II], 1);
	}
	assert_int_equal(nr_host_input(NULL, pkt, 1, 0), -EINVAL);
	assert_string_equal(nr_host_drop_str(NR_HOST_DROP_UNRESOLVED), "unresolved");
	nr_host_free(h);
	nr_host_free(NULL);
}

static void test_65536_hosts(void **state)
{
	struct nr_host_config cfg;
	struct nr_host *h;
	struct nr_prefix p;
	struct nr_addr a = addr("2001:db8:1::"), in;
	unsigned owned = 0;

	(void)state;
	nr_host_config_default(&cfg);
	assert_int_equal(nr_host_new(&cfg, &h), 0);
	assert_int_equal(nr_prefix_parse("2001:db8:1::/112", AF_INET6, 0, &p), 0);
	assert_int_equal(nr_host_add_range(h, &p), 0);
	assert_int_equal(nr_prefix_parse("198.51.100.0/24", AF_INET, 0, &p), 0);
	assert_int_equal(nr_host_add_range(h, &p), 0);
	/* Every member but the subnet-router anycast address; nothing outside. */
	for (unsigned i = 0; i < 65536; i++) {
		a.bytes[14] = (uint8_t)(i >> 8);
		a.bytes[15] = (uint8_t)i;
		owned += nr_host_owns(h, &a);
	}
	assert_int_equal(owned, 65535);
	in = addr("2001:db8:1::1:0");
	assert_false(nr_host_owns(h, &in));
	in = addr("2001:db8:1::ffff");
	assert_true(nr_host_owns(h, &in));
	/* And each has its own MAC that the host recognises. */
	{
		uint8_t mac[6];

		nr_host_mac_for(h, &in, mac);
		assert_int_equal(mac[0], 0x02);
		assert_int_equal(mac[1], 0x06);
		assert_int_equal(mac[4], 0xff);
		assert_int_equal(mac[5], 0xff);
		assert_true(nr_host_mac_is_own(h, mac));
		mac[3] = 2; /* 2001:db8:1::2:ffff is not ours */
		assert_false(nr_host_mac_is_own(h, mac));
	}
	/* IPv4 range: network and broadcast are not hosts; broadcast is recognised as such. */
	in = addr("198.51.100.0");
	assert_false(nr_host_owns(h, &in));
	in = addr("198.51.100.255");
	assert_false(nr_host_owns(h, &in));
	assert_true(nr_host_is_broadcast4(h, &in));
	in = addr("198.51.100.254");
	assert_true(nr_host_owns(h, &in));
	assert_int_equal(nr_host_pick_source(h, AF_INET, NULL, &in), 0);
	assert_int_equal(nr_addr_v4(&in), 0xc6336401); /* the first member: .1 */
	nr_host_free(h);
}

/*
 * The IPv4 rules nr_host_classify's martian and broadcast answers stand
 * for, written plainly over the prefixes the test gave the host: 0/8,
 * 127/8, multicast and 255.255.255.255 are martian; in a prefix of /30 or
 * wider, the all-ones host part is martian and broadcast, the all-zeros
 * one (the old BSD broadcast) martian.
 */
static unsigned oracle4(const struct nr_prefix *pfx, size_t n, uint32_t v)
{
	unsigned r = 0;

	if (v == 0xffffffffu)
		r |= NR_HOST_ADDR_MARTIAN | NR_HOST_ADDR_BROADCAST;
	if ((v >> 24) == 0 || (v >> 24) == 127 || (v >> 28) == 0xe)
		r |= NR_HOST_ADDR_MARTIAN;
	for (size_t i = 0; i < n; i++) {
		uint32_t m = pfx[i].len ? 0xffffffffu << (32 - pfx[i].len) : 0;

		if (pfx[i].len > 30 || ((nr_addr_v4(&pfx[i].addr) ^ v) & m))
			continue;
		if ((v | m) == 0xffffffffu)
			r |= NR_HOST_ADDR_MARTIAN | NR_HOST_ADDR_BROADCAST;
		if ((v & ~m) == 0)
			r |= NR_HOST_ADDR_MARTIAN;
	}
	return r;
}

/*
 * nr_host_classify against what it stands for (nr_host_owns, and the
 * martian and broadcast rules of oracle4; IPv6: nr_host_is_martian), on hosts
 * with single addresses (network and broadcast ones too), ranges of
 * every width around /30, exclusions and an IPv6 entry: every address of
 * 198.51.100.0/24 and of 203.0.113.0/24, and the special ones.
 */
static void test_classify_oracle(void **state)
{
	static const char *const singles[] = {"198.51.100.7/24", "198.51.100.0/24",
					       "198.51.100.255/24", "203.0.113.9/31",
					       "203.0.113.64/32"};
	static const char *const ranges[] = {"203.0.113.128/26", "203.0.113.200/30",
					      "203.0.113.240/31", "203.0.113.250/32",
					      "198.51.100.64/29"};
	static const char *const specials[] = {"0.0.0.0", "0.1.2.3", "127.0.0.1", "224.0.0.1",
					        "239.255.255.255", "255.255.255.255", "192.0.2.1"};
	struct nr_host_config cfg;
	struct nr_host *h;
	struct nr_prefix p, v4[10];
	size_t nv4 = 0;
	unsigned checked = 0, own = 0, mart = 0, bc = 0;

	(void)state;
	nr_host_config_default(&cfg);
	assert_int_equal(nr_host_new(&cfg, &h), 0);
	for (size_t i = 0; i < sizeof(singles) / sizeof(singles[0]); i++) {
		assert_int_equal(nr_prefix_parse(singles[i], AF_INET, NR_PREFIX_PARSE_HOST_BITS, &p), 0);
		assert_int_equal(nr_host_add_addr(h, &p), 0);
		v4[nv4++] = p;
	}
	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		assert_int_equal(nr_prefix_parse(ranges[i], AF_INET, 0, &p), 0);
		assert_int_equal(nr_host_add_range(h, &p), 0);
		v4[nv4++] = p;
	}
	assert_int_equal(nr_prefix_parse("2001:db8::2/64", AF_INET6, NR_PREFIX_PARSE_HOST_BITS, &p), 0);
	assert_int_equal(nr_host_add_addr(h, &p), 0);
	{
		struct nr_addr x = addr("203.0.113.130"), y = addr("198.51.100.66");

		assert_int_equal(nr_host_exclude(h, &x), 0);
		assert_int_equal(nr_host_exclude(h, &y), 0);
	}
	for (unsigned k = 0; k < 512 + sizeof(specials) / sizeof(specials[0]) + 3; k++) {
		struct nr_addr a;
		unsigned want, got;

		if (k < 512)
			nr_addr_set_v4(&a, (k < 256 ? 0xc6336400u : 0xcb007100u) | (k & 0xff));
		else if (k < 512 + sizeof(specials) / sizeof(specials[0]))
			a = addr(specials[k - 512]);
		else
			a = addr(k % 2 ? "2001:db8::2" : (k % 3 ? "ff02::1" : "::1"));
		want = nr_host_owns(h, &a) ? NR_HOST_ADDR_OWN : 0;
		if (a.family == AF_INET)
			want |= oracle4(v4, nv4, nr_addr_v4(&a));
		else if (nr_host_is_martian(h, &a))
			want |= NR_HOST_ADDR_MARTIAN;
		got = nr_host_classify(h, &a);
		/* The predicates are classify's answers for IPv4. */
		assert_int_equal(nr_host_is_martian(h, &a), (got & NR_HOST_ADDR_MARTIAN) != 0);
		assert_int_equal(nr_host_is_broadcast4(h, &a), (got & NR_HOST_ADDR_BROADCAST) != 0);
		if (got != want) {
			char s[NR_ADDR_STRLEN];

			fail_msg("%s: classify %#x, oracle %#x", nr_addr_format(&a, s, sizeof(s)),
				 got, want);
		}
		own += (want & NR_HOST_ADDR_OWN) != 0;
		mart += (want & NR_HOST_ADDR_MARTIAN) != 0;
		bc += (want & NR_HOST_ADDR_BROADCAST) != 0;
		checked++;
	}
	/* Every answer occurred (the walk was not trivially all-false). */
	assert_true(own > 60 && mart > 10 && bc > 4);
	assert_int_equal(checked, 522);
	nr_host_free(h);
}


/* ------------------------------------------------------------------ */
/*
 * Echo replies pinned byte for byte (taken from the responders before the
 * frame path was made cheaper: commit 2165d05), so that a faster path
 * (incremental checksums, inline cursors) cannot change a single byte.
 *
 *   TUN host: 192.0.2.2/24, 2001:db8::2/64       (echo, echo6)
 *   TAP host: 203.0.113.7/24, 2001:db8:1::7/64   (echo, echo6), derived MACs
 */

static void pin_put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Fill a checksum field at f + at over len bytes (plus an optional pseudo sum). */
static void pin_csum(uint8_t *f, size_t at, const uint8_t *from, size_t len, uint32_t pseudo)
{
	uint32_t s = pseudo;

	for (size_t i = 0; i + 1 < len; i += 2)
		s += (uint32_t)from[i] << 8 | from[i + 1];
	if (len % 2)
		s += (uint32_t)from[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	pin_put16(f + at, ~s & 0xffff);
}

/* The payload of a pinned request: bytes from a seed, or all zero (seed 0). */
static void pin_data(uint8_t *d, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		d[i] = seed ? (uint8_t)(seed * 31 + i * 13 + (i >> 3)) : 0;
}

/*
 * An IPv4 echo request (Ethernet header first when mac is not NULL):
 * tos, IP options opts (a multiple of 4), ICMP code, id, seq, n bytes of data.
 */
static size_t pin_req4(uint8_t *f, const uint8_t *mac, const char *src, const char *dst,
		       uint8_t tos, const uint8_t *opts, size_t olen, uint8_t code, unsigned id,
		       unsigned seq, size_t n, unsigned seed)
{
	size_t l2 = mac ? 14 : 0, hl = 20 + olen;
	uint8_t *ip = f + l2, *icmp = ip + hl;
	struct nr_addr s = addr(src), d = addr(dst);

	if (mac) {
		memcpy(f, mac, 6);
		memcpy(f + 6, (const uint8_t[6]){0x02, 0xaa, 0, 0, 0, 1}, 6);
		pin_put16(f + 12, 0x0800);
	}
	memset(ip, 0, hl);
	ip[0] = (uint8_t)(0x40 | hl / 4);
	ip[1] = tos;
	pin_put16(ip + 2, (unsigned)(hl + 8 + n));
	pin_put16(ip + 4, 0x1234);
	pin_put16(ip + 6, 0x4000);
	ip[8] = 63;
	ip[9] = 1;
	memcpy(ip + 12, s.bytes, 4);
	memcpy(ip + 16, d.bytes, 4);
	if (olen)
		memcpy(ip + 20, opts, olen);
	pin_csum(ip, 10, ip, hl, 0);
	icmp[0] = 8;
	icmp[1] = code;
	icmp[2] = icmp[3] = 0;
	pin_put16(icmp + 4, id);
	pin_put16(icmp + 6, seq);
	pin_data(icmp + 8, n, seed);
	pin_csum(icmp, 2, icmp, 8 + n, 0);
	return l2 + hl + 8 + n;
}

/* An ICMPv6 echo request (Ethernet header first when mac is not NULL). */
static size_t pin_req6(uint8_t *f, const uint8_t *mac, const char *src, const char *dst,
		       uint8_t tclass, uint32_t flow, unsigned id, unsigned seq, size_t n,
		       unsigned seed)
{
	size_t l2 = mac ? 14 : 0;
	uint8_t *ip = f + l2, *icmp = ip + 40;
	struct nr_addr s = addr(src), d = addr(dst);
	uint32_t pseudo = 0;

	if (mac) {
		memcpy(f, mac, 6);
		memcpy(f + 6, (const uint8_t[6]){0x02, 0xaa, 0, 0, 0, 1}, 6);
		pin_put16(f + 12, 0x86dd);
	}
	ip[0] = (uint8_t)(0x60 | tclass >> 4);
	ip[1] = (uint8_t)(tclass << 4 | (flow >> 16 & 0x0f));
	pin_put16(ip + 2, flow & 0xffff);
	pin_put16(ip + 4, (unsigned)(8 + n));
	ip[6] = 58;
	ip[7] = 64;
	memcpy(ip + 8, s.bytes, 16);
	memcpy(ip + 24, d.bytes, 16);
	for (int i = 0; i < 32; i += 2)
		pseudo += (uint32_t)ip[8 + i] << 8 | ip[9 + i];
	pseudo += (uint32_t)(8 + n) + 58;
	icmp[0] = 128;
	icmp[1] = 0;
	icmp[2] = icmp[3] = 0;
	pin_put16(icmp + 4, id);
	pin_put16(icmp + 6, seq);
	pin_data(icmp + 8, n, seed);
	pin_csum(icmp, 2, icmp, 8 + n, pseudo);
	return l2 + 40 + 8 + n;
}

static struct nr_host *pin_host(uint8_t link, const char *a4, const char *a6)
{
	struct nr_host_config cfg;
	struct nr_prefix p;
	struct nr_host *h;

	nr_host_config_default(&cfg);
	cfg.link = link;
	assert_int_equal(nr_host_new(&cfg, &h), 0);
	assert_int_equal(nr_prefix_parse(a4, AF_INET, NR_PREFIX_PARSE_HOST_BITS, &p), 0);
	assert_int_equal(nr_host_add_addr(h, &p), 0);
	assert_int_equal(nr_prefix_parse(a6, AF_INET6, NR_PREFIX_PARSE_HOST_BITS, &p), 0);
	assert_int_equal(nr_host_add_addr(h, &p), 0);
	assert_int_equal(nr_host_attach_by_name(h, "echo", NULL), 0);
	assert_int_equal(nr_host_attach_by_name(h, "echo6", "multicast=1"), 0);
	return h;
}

/* Feed one frame; the reply (if any) as lowercase hex in out, "" for none. */
static void pin_run(struct nr_host *h, const uint8_t *f, size_t n, char *out)
{
	const uint8_t *o;
	size_t len;

	out[0] = 0;
	assert_true(nr_host_input(h, f, n, 0) >= 0);
	if (nr_host_output_peek(h, &o, &len) < 0)
		return;
	for (size_t i = 0; i < len; i++)
		sprintf(out + 2 * i, "%02x", o[i]);
	nr_host_output_pop(h);
}

static void pin_expect(const char *name, const char *got, const char *want)
{
	if (getenv("NR_PIN_DUMP")) {
		printf("\t/* %s */\n\t\"%s\",\n", name, got);
		return;
	}
	if (strcmp(got, want) != 0)
		fail_msg("%s: reply\n%s\nwanted\n%s", name, got, want);
}

static const uint8_t pin_mac4[6] = {0x02, 0x00, 0xcb, 0x00, 0x71, 0x07};
static const uint8_t pin_mac6[6] = {0x02, 0x06, 0x00, 0x00, 0x00, 0x07};
static const uint8_t pin_mac_all[6] = {0x33, 0x33, 0x00, 0x00, 0x00, 0x01};
/* NOP, NOP, NOP, end; and Router Alert (RFC 2113) then a timestamp option's head. */
static const uint8_t pin_opts4[4] = {0x01, 0x01, 0x01, 0x00};
static const uint8_t pin_opts12[12] = {0x94, 0x04, 0x00, 0x00, 0x44, 0x08, 0x05, 0x00,
				       0x00, 0x00, 0x00, 0x00};

/* Replies of commit 2165d05, in the order test_echo_replies_pinned sends the requests. */
static const char *const pin_want[] = {
	/* v4 tun odd 13 */
	"45000029000100004001f6cfc0000202c000020100009a82000100019ba8b5c2cfdce9f604111e2b38",
	/* v4 tun 56 tos */
	"45b80054000200004001f5ebc0000202c00002010000b54bfffeffff1724313e4b586572808d9aa7b4c1cedb"
	"e9f603101d2a3744525f6c798693a0adbbc8d5e2effc091624313e4b5865727f8d9aa7b4c1cedbe8",
	/* v4 tun empty */
	"4500001c000300004001f6dac0000202c00002010000fff000070008",
	/* v4 tun all zero */
	"45000034000400004001f6c1c0000202c00002010000ffff0000000000000000000000000000000000000000"
	"0000000000000000",
	/* v4 tun code 3 */
	"4500001c000500004001f6d8c0000202c00002010000fcff03000000",
	/* v4 tun opts 4 odd 31 */
	"4500003b000600004001f6b8c0000202c0000201000021ba00020003d9e6f3000d1a2734424f5c697683909d"
	"abb8c5d2dfecf90614212e3b485562",
	/* v4 tap odd 1 */
	"02aa000000010200cb00710708004500001d00010000400101d9cb007107cb0071fe000060b6424200075d00"
	"00000000000000000000000000000000",
	/* v4 tap opts 12 odd 1001 */
	"02aa000000010200cb007107080045000405000200004001fdefcb007107cb0071fe00000e580009000a7c89"
	"96a3b0bdcad7e5f2ff0c192633404e5b6875828f9ca9b7c4d1deebf80512202d3a4754616e7b8996a3b0bdca"
	"d7e4f2ff0c192633404d5b6875828f9ca9b6c4d1deebf805121f2d3a4754616e7b8896a3b0bdcad7e4f1ff0c"
	"192633404d5a6875828f9ca9b6c3d1deebf805121f2c3a4754616e7b8895a3b0bdcad7e4f1fe0c192633404d"
	"5a6775828f9ca9b6c3d0deebf805121f2c394754616e7b8895a2b0bdcad7e4f1fe0b192633404d5a6774828f"
	"9ca9b6c3d0ddebf805121f2c394654616e7b8895a2afbdcad7e4f1fe0b182633404d5a6774818f9ca9b6c3d0"
	"ddeaf805121f2c394653616e7b8895a2afbccad7e4f1fe0b182533404d5a6774818e9ca9b6c3d0ddeaf70512"
	"1f2c394653606e7b8895a2afbcc9d7e4f1fe0b182532404d5a6774818e9ba9b6c3d0ddeaf704121f2c394653"
	"606d7b8895a2afbcc9d6e4f1fe0b1825323f4d5a6774818e9ba8b6c3d0ddeaf704111f2c394653606d7a8895"
	"a2afbcc9d6e3f1fe0b1825323f4c5a6774818e9ba8b5c3d0ddeaf704111e2c394653606d7a8795a2afbcc9d6"
	"e3f0fe0b1825323f4c596774818e9ba8b5c2d0ddeaf704111e2b394653606d7a8794a2afbcc9d6e3f0fd0b18"
	"25323f4c596674818e9ba8b5c2cfddeaf704111e2b384653606d7a8794a1afbcc9d6e3f0fd0a1825323f4c59"
	"6673818e9ba8b5c2cfdceaf704111e2b384553606d7a8794a1aebcc9d6e3f0fd0a1725323f4c596673808e9b"
	"a8b5c2cfdce9f704111e2b384552606d7a8794a1aebbc9d6e3f0fd0a1724323f4c596673808d9ba8b5c2cfdc"
	"e9f604111e2b3845525f6d7a8794a1aebbc8d6e3f0fd0a1724313f4c596673808d9aa8b5c2cfdce9f603111e"
	"2b3845525f6c7a8794a1aebbc8d5e3f0fd0a1724313e4c596673808d9aa7b5c2cfdce9f603101e2b3845525f"
	"6c798794a1aebbc8d5e2f0fd0a1724313e4b596673808d9aa7b4c2cfdce9f603101d2b3845525f6c798694a1"
	"aebbc8d5e2effd0a1724313e4b586673808d9aa7b4c1cfdce9f603101d2a3845525f6c798693a1aebbc8d5e2"
	"effc0a1724313e4b586573808d9aa7b4c1cedce9f603101d2a3745525f6c798693a0aebbc8d5e2effc091724"
	"313e4b586572808d9aa7b4c1cedbe9f603101d2a3744525f6c798693a0adbbc8d5e2effc091624313e4b5865"
	"727f8d9aa7b4c1cedbe8f603101d2a3744515f6c798693a0adbac8d5e2effc091623313e4b5865727f8c9aa7"
	"b4c1cedbe8f503101d2a3744515e6c798693a0adbac7d5e2effc091623303e4b5865727f8c99a7b4c1cedbe8"
	"f502101d2a3744515e6b798693a0adbac7d4e2effc091623303d4b5865727f8c99a6b4c1cedbe8f5020f1d2a"
	"3744515e6b788693a0adbac7d4e1effc091623303d4a5865727f8c99a6b3c1",
	/* v6 tun odd 13 */
	"6000000000153a4020010db800000000000000000000000220010db80000000000000000000000018100bdbd"
	"000100019ba8b5c2cfdce9f604111e2b38",
	/* v6 tun zeros tclass flow */
	"6b81234500403a4020010db800000000000000000000000220010db800000000000000000000000181002310"
	"ffff000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
	"00000000000000000000000000000000",
	/* v6 tap odd 37 */
	"02aa0000000102060000000786dd60000000002d3a4020010db800010000000000000000000720010db80001"
	"000000000000000000fe8100edc742420007f805121f2c394653616e7b8895a2afbccad7e4f1fe0b18253340"
	"4d5a6774818e9ca9b6c3d0",
	/* v6 tap all-nodes */
	"02aa0000000102060000000786dd60000000000b3a4020010db800010000000000000000000720010db80001"
	"000000000000000000fe81008bea000500063e4b58",
};

static void test_echo_replies_pinned(void **state)
{
	struct nr_host *tun = pin_host(NR_HOST_LINK_IP, "192.0.2.2/24", "2001:db8::2/64");
	struct nr_host *tap = pin_host(NR_HOST_LINK_ETHERNET, "203.0.113.7/24", "2001:db8:1::7/64");
	static char got[2 * 2000 + 1];
	uint8_t f[2000];
	size_t k = 0, n;

	(void)state;
	/* IPv4 on TUN: odd payload, even payload, none, all zeros (checksum 0xffff), code 3. */
	n = pin_req4(f, NULL, "192.0.2.1", "192.0.2.2", 0, NULL, 0, 0, 1, 1, 13, 5);
	pin_run(tun, f, n, got), pin_expect("v4 tun odd 13", got, pin_want[k++]);
	n = pin_req4(f, NULL, "192.0.2.1", "192.0.2.2", 0xb9, NULL, 0, 0, 0xfffe, 0xffff, 56, 9);
	pin_run(tun, f, n, got), pin_expect("v4 tun 56 tos", got, pin_want[k++]);
	n = pin_req4(f, NULL, "192.0.2.1", "192.0.2.2", 0, NULL, 0, 0, 7, 8, 0, 1);
	pin_run(tun, f, n, got), pin_expect("v4 tun empty", got, pin_want[k++]);
	n = pin_req4(f, NULL, "192.0.2.1", "192.0.2.2", 0, NULL, 0, 0, 0, 0, 24, 0);
	pin_run(tun, f, n, got), pin_expect("v4 tun all zero", got, pin_want[k++]);
	n = pin_req4(f, NULL, "192.0.2.1", "192.0.2.2", 0, NULL, 0, 3, 0x0300, 0, 0, 0);
	pin_run(tun, f, n, got), pin_expect("v4 tun code 3", got, pin_want[k++]);
	/* IPv4 options: a reply without them. */
	n = pin_req4(f, NULL, "192.0.2.1", "192.0.2.2", 0, pin_opts4, 4, 0, 2, 3, 31, 7);
	pin_run(tun, f, n, got), pin_expect("v4 tun opts 4 odd 31", got, pin_want[k++]);
	/* IPv4 on TAP (padded to 60 bytes when short). */
	n = pin_req4(f, pin_mac4, "203.0.113.254", "203.0.113.7", 0x03, NULL, 0, 0, 0x4242, 7, 1, 3);
	pin_run(tap, f, n, got), pin_expect("v4 tap odd 1", got, pin_want[k++]);
	n = pin_req4(f, pin_mac4, "203.0.113.254", "203.0.113.7", 0, pin_opts12, 12, 0, 9, 10, 1001, 4);
	pin_run(tap, f, n, got), pin_expect("v4 tap opts 12 odd 1001", got, pin_want[k++]);
	/* IPv6 echo6 on TUN and TAP, to a unicast and to all-nodes. */
	n = pin_req6(f, NULL, "2001:db8::1", "2001:db8::2", 0, 0, 1, 1, 13, 5);
	pin_run(tun, f, n, got), pin_expect("v6 tun odd 13", got, pin_want[k++]);
	n = pin_req6(f, NULL, "2001:db8::1", "2001:db8::2", 0xb9, 0x12345, 0xffff, 0, 56, 0);
	pin_run(tun, f, n, got), pin_expect("v6 tun zeros tclass flow", got, pin_want[k++]);
	n = pin_req6(f, pin_mac6, "2001:db8:1::fe", "2001:db8:1::7", 0, 0, 0x4242, 7, 37, 8);
	pin_run(tap, f, n, got), pin_expect("v6 tap odd 37", got, pin_want[k++]);
	n = pin_req6(f, pin_mac_all, "2001:db8:1::fe", "ff02::1", 0, 0, 5, 6, 3, 2);
	pin_run(tap, f, n, got), pin_expect("v6 tap all-nodes", got, pin_want[k++]);
	assert_true(getenv("NR_PIN_DUMP") || k == sizeof(pin_want) / sizeof(pin_want[0]));
	nr_host_free(tun);
	nr_host_free(tap);
}

/*
 * 20,000 requests with every payload length 0..1000 across the four kinds
 * (v4/v6, TUN/TAP), ids and seqs spread, bad checksums and bad lengths
 * in between: the replies' bytes and every counter hashed, the hash
 * pinned (FNV-1a 64).
 */
static uint64_t pin_fnv(uint64_t hsh, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		hsh = (hsh ^ b[i]) * 0x100000001b3ull;
	return hsh;
}

#define PIN_REPLIES 19571
#define PIN_HASH UINT64_C(0x0cea0b538a6e3694)

static void test_echo_replies_hashed(void **state)
{
	struct nr_host *tun = pin_host(NR_HOST_LINK_IP, "192.0.2.2/24", "2001:db8::2/64");
	struct nr_host *tap = pin_host(NR_HOST_LINK_ETHERNET, "203.0.113.7/24", "2001:db8:1::7/64");
	struct nr_host *hs[2] = {tun, tap};
	uint64_t hsh = 0xcbf29ce484222325ull;
	uint8_t f[2000];
	unsigned replies = 0;

	(void)state;
	for (unsigned i = 0; i < 20000; i++) {
		unsigned kind = i % 4, dlen = (i * 7) % 1001, id = i * 2654435761u >> 16;
		struct nr_host *h = hs[kind / 2];
		const uint8_t *o;
		size_t n, len;

		if (kind == 0)
			n = pin_req4(f, NULL, "192.0.2.1", "192.0.2.2", (uint8_t)i, NULL, 0, 0, id,
				     i, dlen, i + 1);
		else if (kind == 1)
			n = pin_req6(f, NULL, "2001:db8::1", "2001:db8::2", (uint8_t)i, i * 977u, id,
				     i, dlen, i % 5 ? i + 1 : 0);
		else if (kind == 2)
			n = pin_req4(f, pin_mac4, "203.0.113.254", "203.0.113.7", (uint8_t)i,
				     i % 3 ? NULL : pin_opts4, i % 3 ? 0 : 4, 0, id, i, dlen,
				     i % 7 ? i + 1 : 0);
		else
			n = pin_req6(f, pin_mac6, "2001:db8:1::fe", "2001:db8:1::7", 0, 0, id, i,
				     dlen, i + 1);
		if (i % 97 == 5)
			f[n - 1] ^= 0x40; /* a bad ICMP checksum (or a bad header one, when empty) */
		if (i % 89 == 3)
			n -= 1; /* shorter than the header says */
		assert_true(nr_host_input(h, f, n, 0) >= 0);
		while (nr_host_output_peek(h, &o, &len) == 0) {
			hsh = pin_fnv(hsh, o, len);
			replies++;
			nr_host_output_pop(h);
		}
	}
	for (unsigned j = 0; j < 2; j++) {
		const struct nr_host_stats *st = nr_host_stats(hs[j]);

		hsh = pin_fnv(hsh, st, sizeof(*st));
		for (size_t r = 0; r < 2; r++) {
			const struct nr_resp_stats *rs = nr_responder_stats(nr_host_responder_at(hs[j], r));

			hsh = pin_fnv(hsh, rs, sizeof(*rs));
		}
	}
	if (getenv("NR_PIN_DUMP"))
		printf("replies %u hash 0x%016llx\n", replies, (unsigned long long)hsh);
	else {
		assert_int_equal(replies, PIN_REPLIES);
		assert_true(hsh == PIN_HASH);
	}
	nr_host_free(tun);
	nr_host_free(tap);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arp_resolution_releases_in_order),
		cmocka_unit_test(test_retries_failure_negative_cache),
		cmocka_unit_test(test_queue_overflow),
		cmocka_unit_test(test_rate_limit),
		cmocka_unit_test(test_special_destinations),
		cmocka_unit_test(test_gateway_and_unreachable),
		cmocka_unit_test(test_ndp_resolution),
		cmocka_unit_test(test_ipv6_rules_and_tables),
		cmocka_unit_test(test_tun_link),
		cmocka_unit_test(test_bad_input_and_config),
		cmocka_unit_test(test_65536_hosts),
		cmocka_unit_test(test_classify_oracle),
		cmocka_unit_test(test_echo_replies_pinned),
		cmocka_unit_test(test_echo_replies_hashed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
