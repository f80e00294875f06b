/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ARP responder (RFC 826 "Packet Reception", RFC 5227 2.x).
 *
 * Answers Ethernet/IPv4 requests whose target is an address of the host
 * on the link they arrived on, from the MAC of that address, unicast to
 * the sender hardware address. Learns the sender (RFC 826: merge, then
 * add since we are the target) through the host's neighbour cache.
 * Probes (sender 0.0.0.0) are answered to defend the address (RFC 5227
 * 2.4: the prober sees a reply and picks another address), and nothing is
 * learned from them. Announcements (sender == target) are never answered;
 * the host itself already updated an existing entry from them.
 *
 * Options: probe=0|1 (answer probes, default 1), learn=0|1 (default 1).
 */
#include "netrig/arp.h"
#include "netrig/eth.h"
#include "netrig/host.h"
#include "netrig/responder.h"

#include <errno.h>
#include <string.h>

struct arp_priv {
	bool probe;
	bool learn;
};

static const struct nr_resp_option arp_options[] = {
	{"probe", "0|1: answer RFC 5227 probes (sender 0.0.0.0) to defend (default 1)"},
	{"learn", "0|1: learn requesters into the neighbour cache (default 1)"},
	{NULL, NULL},
};

static void arp_init(void *priv)
{
	struct arp_priv *p = priv;

	p->probe = true;
	p->learn = true;
}

static int arp_set_option(void *priv, const char *key, const char *value)
{
	struct arp_priv *p = priv;

	if (strcmp(key, "probe") == 0)
		return nr_resp_parse_bool(value, &p->probe);
	if (strcmp(key, "learn") == 0)
		return nr_resp_parse_bool(value, &p->learn);
	return -ENOENT;
}

static enum nr_resp_verdict drop(struct nr_responder *r, enum nr_resp_drop why)
{
	r->stats.drop[why]++;
	return NR_RESP_DROP;
}

static enum nr_resp_verdict wire_drop(struct nr_responder *r, enum nr_wire_reason why)
{
	r->stats.wire[why]++;
	return NR_RESP_DROP;
}

static enum nr_resp_verdict arp_input(struct nr_responder *r, const struct nr_resp_in *in,
				      struct nr_resp_out *out)
{
	const struct arp_priv *p = r->priv;
	static const uint8_t zero6[6];
	enum nr_wire_reason why = NR_WIRE_OK;
	struct nr_addr spa, tpa;
	struct nr_lladdr sha;
	struct nr_arp req, rep;
	uint8_t mac[6];
	int n;

	if (in->ethertype != NR_ETHERTYPE_ARP || !in->eth)
		return NR_RESP_PASS;
	r->stats.seen++;
	if (nr_arp_decode(in->l3, in->l3_len, &req, &why) < 0)
		return wire_drop(r, why);
	/* The decoder takes any hardware/protocol; this responder only Ethernet/IPv4. */
	if (req.htype != NR_ARP_HTYPE_ETHERNET)
		return wire_drop(r, NR_WIRE_BAD_HTYPE);
	if (req.ptype != NR_ETHERTYPE_IPV4)
		return wire_drop(r, NR_WIRE_BAD_PTYPE);
	if (req.hlen != 6)
		return wire_drop(r, NR_WIRE_BAD_HLEN);
	if (req.plen != 4)
		return wire_drop(r, NR_WIRE_BAD_PLEN);
	if (req.op != NR_ARP_OP_REQUEST)
		return drop(r, req.op == NR_ARP_OP_REPLY ? NR_RESP_DROP_NOT_REQUEST
							 : NR_RESP_DROP_UNSUPPORTED);
	(void)nr_arp_spa(&req, &spa);
	(void)nr_arp_tpa(&req, &tpa);
	nr_arp_sha(&req, &sha);
	/*
	 * A sender that cannot be a neighbour (RFC 1122 3.2.1.3): 0/8 but the
	 * probe's 0.0.0.0, 127/8, multicast, broadcast, our prefixes' network
	 * and broadcast addresses; nor a group or zero MAC.
	 */
	if ((sha.bytes[0] & 1) || memcmp(sha.bytes, zero6, 6) == 0 ||
	    (!nr_addr_is_unspec(&spa) && nr_host_is_martian(in->host, &spa)))
		return drop(r, NR_RESP_DROP_BAD_SOURCE);
	if (!nr_host_owns(in->host, &tpa))
		return drop(r, NR_RESP_DROP_NOT_MINE);
	if (nr_addr_eq(&spa, &tpa))
		return drop(r, NR_RESP_DROP_GRATUITOUS);
	if (nr_host_owns(in->host, &spa))
		/* Someone else claims one of our addresses: a conflict, not a question. */
		return drop(r, NR_RESP_DROP_BAD_SOURCE);
	if (nr_addr_is_unspec(&spa)) {
		if (!p->probe)
			return drop(r, NR_RESP_DROP_PROBE);
	} else if (p->learn && nr_host_learn_solicit(in->host, &spa, &sha, in->now_ns) == 0) {
		r->stats.learned++;
	}

	nr_host_mac_for(in->host, &tpa, mac);
	nr_arp_init_eth_ipv4(&rep, NR_ARP_OP_REPLY, mac, &tpa, sha.bytes, &spa);
	n = nr_arp_encode(&rep, out->buf, out->cap);
	if (n < 0)
		return drop(r, NR_RESP_DROP_TOO_BIG);
	out->len = (size_t)n;
	out->ethertype = NR_ETHERTYPE_ARP;
	memcpy(out->dst_mac, sha.bytes, 6);
	memcpy(out->src_mac, mac, 6);
	r->stats.replies++;
	return NR_RESP_REPLY;
}

const struct nr_responder_ops nr_resp_arp_ops = {
	.name = "arp",
	.summary = "ARP requests for the host's addresses (RFC 826, RFC 5227)",
	.priv_size = sizeof(struct arp_priv),
	.options = arp_options,
	.init = arp_init,
	.set_option = arp_set_option,
	.ethertype = NR_ETHERTYPE_ARP,
	.input = arp_input,
};
