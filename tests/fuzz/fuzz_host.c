/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A host with a few addresses and every responder, fed arbitrary frames on
 * an Ethernet or a raw-IP link (first byte: link, options, mode). Every
 * frame it emits is decoded again down to the ICMP/NDP layer and must be
 * well-formed (checksums included); anything else aborts. In send mode the
 * input is also offered as an originated packet and the clock runs, so
 * resolution, retries and queue release are exercised too.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netrig/arp.h"
#include "netrig/eth.h"
#include "netrig/host.h"
#include "netrig/icmp4.h"
#include "netrig/icmp6.h"
#include "netrig/ipv4.h"
#include "netrig/ipv6.h"
#include "netrig/ndp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_ip(const uint8_t *p, size_t len, bool strict)
{
	if (len < 1)
		abort();
	if ((p[0] >> 4) == 4) {
		struct nr_ipv4 ip;
		struct nr_icmp4 m;

		if (nr_ipv4_decode(p, len, &ip, NULL) < 0 || ip.total_len != len)
			abort();
		if (!strict)
			return;
		if (ip.proto != NR_IPPROTO_ICMP || ip.mf || ip.frag_off || ip.ttl == 0)
			abort();
		if (nr_icmp4_decode(ip.payload, ip.payload_len, &m, NULL) < 0 ||
		    m.type != NR_ICMP4_ECHO_REPLY || m.code != 0)
			abort();
		return;
	}
	if ((p[0] >> 4) == 6) {
		struct nr_ipv6 ip;
		struct nr_icmp6 m;
		struct nr_ndp nd;

		if (nr_ipv6_decode(p, len, &ip, NULL) < 0 || NR_IPV6_HLEN + ip.payload_len != len)
			abort();
		if (!strict)
			return;
		if (ip.upper_proto != NR_IPPROTO_ICMPV6 ||
		    nr_icmp6_decode(ip.upper, ip.upper_len, &ip.src, &ip.dst, &m, NULL) < 0)
			abort();
		if (m.type == NR_ICMP6_ECHO_REPLY)
			return;
		if (m.type < NR_ICMP6_ROUTER_SOLICIT || m.type > NR_ICMP6_NEIGHBOR_ADVERT ||
		    nr_ndp_decode(ip.upper, ip.upper_len, &ip.src, &ip.dst, ip.hop_limit, &nd, NULL) <
			    0)
			abort();
		return;
	}
	abort();
}

static void drain(struct nr_host *h, bool strict)
{
	const uint8_t *f;
	size_t len;

	while (nr_host_output_peek(h, &f, &len) == 0) {
		if (nr_host_config(h)->link == NR_HOST_LINK_IP) {
			check_ip(f, len, strict);
		} else {
			struct nr_eth e;
			struct nr_arp a;

			if (len < NR_ETH_MIN_FRAME || nr_eth_decode(f, len, &e, NULL) < 0 || e.has_vlan ||
			    (e.src[0] & 1))
				abort();
			if (e.ethertype == NR_ETHERTYPE_ARP) {
				if (nr_arp_decode(e.payload, e.payload_len, &a, NULL) < 0 ||
				    !nr_arp_is_eth_ipv4(&a) ||
				    (a.op != NR_ARP_OP_REQUEST && a.op != NR_ARP_OP_REPLY))
					abort();
			} else {
				/* Padding past the IP packet: cut to its own length first. */
				size_t l3 = e.payload_len;

				if (e.ethertype == NR_ETHERTYPE_IPV4 && l3 >= 4)
					l3 = nr_load_be16(e.payload + 2);
				else if (e.ethertype == NR_ETHERTYPE_IPV6 && l3 >= 6)
					l3 = NR_IPV6_HLEN + nr_load_be16(e.payload + 4);
				else
					abort();
				if (l3 > e.payload_len)
					abort();
				check_ip(e.payload, l3, strict);
			}
		}
		nr_host_output_pop(h);
	}
}

static int setup(struct nr_host **ret, uint8_t ctl)
{
	static const char *const addrs[] = {"198.51.100.9/24", "2001:db8::7/64", "fe80::7/64"};
	struct nr_host_config cfg;
	struct nr_prefix p;
	struct nr_addr a;
	struct nr_host *h;

	nr_host_config_default(&cfg);
	cfg.link = (ctl & 1) ? NR_HOST_LINK_IP : NR_HOST_LINK_ETHERNET;
	cfg.router = (ctl & 2) != 0;
	cfg.promisc = (ctl & 4) != 0;
	cfg.txq_len = 8;
	cfg.pending_max = 8;
	if (ctl & 8) {
		static const uint8_t mac[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};

		cfg.fixed_mac = true;
		memcpy(cfg.mac, mac, 6);
	}
	if (nr_host_new(&cfg, &h) < 0)
		abort();
	for (size_t i = 0; i < 3; i++) {
		if (nr_prefix_parse(addrs[i], AF_UNSPEC, NR_PREFIX_PARSE_HOST_BITS, &p) < 0 ||
		    nr_host_add_addr(h, &p) < 0)
			abort();
	}
	if (nr_prefix_parse("203.0.113.0/24", AF_INET, 0, &p) < 0 || nr_host_add_range(h, &p) < 0 ||
	    nr_prefix_parse("2001:db8:1::/112", AF_INET6, 0, &p) < 0 ||
	    nr_host_add_range(h, &p) < 0)
		abort();
	if (nr_addr_parse("203.0.113.254", AF_INET, &a) < 0 || nr_host_exclude(h, &a) < 0 ||
	    nr_addr_parse("198.51.100.1", AF_INET, &a) < 0 || nr_host_set_gateway(h, &a) < 0)
		abort();
	if (nr_host_attach_by_name(h, "arp", (ctl & 16) ? "probe=0" : NULL) < 0 ||
	    nr_host_attach_by_name(h, "ndp", (ctl & 16) ? "always_tllao=1" : NULL) < 0 ||
	    nr_host_attach_by_name(h, "echo", (ctl & 32) ? "broadcast=1,any=1" : NULL) < 0 ||
	    nr_host_attach_by_name(h, "echo6", (ctl & 32) ? "any=1" : NULL) < 0)
		abort();
	*ret = h;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nr_host *h;
	uint8_t ctl;
	bool send_mode;

	if (size < 1)
		return 0;
	ctl = data[0];
	send_mode = (ctl & 64) != 0;
	setup(&h, ctl);
	data++;
	size--;
	if (nr_host_input(h, data, size, 1) < 0)
		abort();
	drain(h, !send_mode);
	if (send_mode) {
		/* The same bytes as an originated packet (Ethernet header skipped if any). */
		size_t off = (ctl & 1) ? 0 : (size > 14 ? 14 : size);
		int r = nr_host_send_ip(h, data + off, size - off, 2);

		if (r > 0)
			abort();
		drain(h, false);
		/* Then the frames again, as answers, and the clock through every retry. */
		(void)nr_host_input(h, data, size, 3);
		drain(h, false);
		for (uint64_t t = 1; t <= 8; t++) {
			uint64_t d = nr_host_next_deadline(h, t * 1000000000ull);

			(void)d;
			if (nr_host_tick(h, t * 1000000000ull) < 0)
				abort();
			drain(h, false);
		}
	}
	nr_host_free(h);
	return 0;
}
