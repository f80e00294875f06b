/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ICMP echo responder (RFC 792; RFC 1122 3.2.2.6).
 *
 * The reply carries the request's identifier, sequence number and whole
 * data; its source is the request's destination (3.2.2.6: "MUST be the
 * specific destination address of the request"); its TTL is fresh (ttl=,
 * default 64, as Linux's ip_default_ttl). Decisions RFC 1122 leaves open:
 * - DF is not set and not copied: the reply is a new datagram, and Linux's
 *   icmp_reply sends with IP_PMTUDISC_DONT too.
 * - TOS: the request's DSCP is kept (RFC 1812 4.3.2.5), ECN bits cleared.
 * - IP options (Record Route, Timestamp...) are not updated and copied as
 *   3.2.2.6 suggests (a SHOULD): the reply goes without options
 *   (options=ignore, the default), or such requests are dropped
 *   (options=drop).
 * - Broadcast and multicast requests (IP destination broadcast/multicast)
 *   are dropped unless broadcast=1 (Linux's icmp_echo_ignore_broadcasts=1
 *   default); when answered, the source is one of the host's unicast
 *   addresses. A unicast IP destination in a link-layer broadcast is
 *   always dropped (RFC 1122 3.3.6).
 * - Fragments are dropped (no reassembly); so are martian requesters
 *   (3.2.1.3: 0/8, 127/8, multicast, broadcast, our prefixes' network
 *   and broadcast addresses) and requests from the host's own addresses.
 * any=1 is Scapy's ICMPEcho_am compatibility: every echo request to a
 * unicast destination is answered, still from that destination (so the
 * reply is one the requester accepts, which Scapy 2.5.0's is not); not
 * to reserved ones (0/8, 127/8, 240/4, our network addresses).
 * Replies go back to the MAC the request came from.
 */
#include "netrig/csum.h"
#include "netrig/eth.h"
#include "netrig/host.h"
#include "netrig/icmp4.h"
#include "netrig/ipv4.h"
#include "netrig/responder.h"

#include <errno.h>
#include <string.h>

struct echo_priv {
	bool broadcast;
	bool any;
	bool drop_options;
	uint8_t ttl;
};

static const struct nr_resp_option echo_options[] = {
	{"broadcast", "0|1: answer requests to broadcast/multicast addresses (default 0)"},
	{"any", "0|1: answer requests for any destination, as Scapy's icmpechod (default 0)"},
	{"options", "ignore|drop: requests with IP options get a reply without them, or none"},
	{"ttl", "1..255: TTL of replies (default 64)"},
	{NULL, NULL},
};

static void echo_init(void *priv)
{
	struct echo_priv *p = priv;

	p->ttl = 64;
}

static int echo_set_option(void *priv, const char *key, const char *value)
{
	struct echo_priv *p = priv;
	unsigned long v;
	int err;

	if (strcmp(key, "broadcast") == 0)
		return nr_resp_parse_bool(value, &p->broadcast);
	if (strcmp(key, "any") == 0)
		return nr_resp_parse_bool(value, &p->any);
	if (strcmp(key, "options") == 0) {
		if (strcmp(value, "ignore") == 0)
			p->drop_options = false;
		else if (strcmp(value, "drop") == 0)
			p->drop_options = true;
		else
			return -EINVAL;
		return 0;
	}
	if (strcmp(key, "ttl") == 0) {
		err = nr_resp_parse_uint(value, 255, &v);
		if (err < 0 || v == 0)
			return -EINVAL;
		p->ttl = (uint8_t)v;
		return 0;
	}
	return -ENOENT;
}

static enum nr_resp_verdict drop(struct nr_responder *r, enum nr_resp_drop why)
{
	r->stats.drop[why]++;
	return NR_RESP_DROP;
}

static enum nr_resp_verdict echo_input(struct nr_responder *r, const struct nr_resp_in *in,
				       struct nr_resp_out *out)
{
	const struct echo_priv *p = r->priv;
	const struct nr_ipv4 *ip = in->ip4;
	enum nr_wire_reason why = NR_WIRE_OK;
	struct nr_icmp4 req;
	struct nr_addr picked;
	const struct nr_addr *src;
	uint8_t *icmp, *ipb;
	uint16_t csum;
	uint32_t dst;
	unsigned cls;
	int n;

	if (!ip || ip->proto != NR_IPPROTO_ICMP)
		return NR_RESP_PASS;
	/* Only echo requests are this responder's; a fragment's type is unknown past the first. */
	if (ip->frag_off == 0 && (ip->payload_len < 1 || ip->payload[0] != NR_ICMP4_ECHO_REQUEST))
		return NR_RESP_PASS;
	r->stats.seen++;
	if (ip->mf || ip->frag_off)
		return drop(r, NR_RESP_DROP_FRAGMENT);
	if (nr_icmp4_decode(ip->payload, ip->payload_len, &req, &why) < 0) {
		r->stats.wire[why]++;
		return NR_RESP_DROP;
	}
	/*
	 * RFC 1122 3.2.1.3: a request from 0/8, 127/8, a broadcast (limited,
	 * or directed to one of our prefixes, or its network address) or a
	 * multicast address is discarded silently; from one of our own
	 * addresses it is a spoof or a loop.
	 */
	if (nr_host_classify(in->host, &ip->src) & (NR_HOST_ADDR_MARTIAN | NR_HOST_ADDR_OWN))
		return drop(r, NR_RESP_DROP_BAD_SOURCE);
	if (ip->opts_len && p->drop_options)
		return drop(r, NR_RESP_DROP_IP_OPTIONS);

	/* One walk of the host's addresses answers owner, broadcast and martian for dst. */
	cls = nr_host_classify(in->host, &ip->dst);
	dst = nr_load_be32(ip->dst.bytes);
	if ((dst >> 28) == 0xe || (cls & NR_HOST_ADDR_BROADCAST) || in->l2_group) {
		if (!p->broadcast)
			return drop(r, NR_RESP_DROP_BROADCAST);
		/* RFC 1122 3.3.6: a unicast datagram in a link-layer broadcast SHOULD be discarded. */
		if (in->l2_group && (dst >> 28) != 0xe && !(cls & NR_HOST_ADDR_BROADCAST))
			return drop(r, NR_RESP_DROP_L2_BROADCAST);
		if (cls & NR_HOST_ADDR_OWN)
			src = &ip->dst;
		else if (nr_host_pick_source(in->host, AF_INET, &ip->src, &picked) < 0)
			return drop(r, NR_RESP_DROP_NO_ADDRESS);
		else
			src = &picked;
	} else if (cls & NR_HOST_ADDR_OWN) {
		src = &ip->dst;
	} else if (p->any) {
		/* Not from 0/8, 127/8 or a network address: no reply can come from those. */
		if ((cls & NR_HOST_ADDR_MARTIAN) || (dst >> 28) == 0xf)
			return drop(r, NR_RESP_DROP_BAD_DEST);
		src = &ip->dst;
	} else {
		return drop(r, NR_RESP_DROP_NOT_MINE);
	}

	if (NR_IPV4_HLEN + NR_ICMP4_HLEN + req.data_len > out->cap)
		return drop(r, NR_RESP_DROP_TOO_BIG);
	/*
	 * The reply is the request with its first word (type 8, code) made
	 * 0 (echo reply, code 0): id, seq and data are the same words. So its
	 * checksum follows from the request's, which the decoder verified
	 * (RFC 1624), instead of a second pass over the data. Only when the
	 * update gives 0 could a recomputation differ (0xffff for a message
	 * of zeros): then it is recomputed, so replies stay what a full
	 * computation gives.
	 */
	icmp = out->buf + NR_IPV4_HLEN;
	icmp[0] = NR_ICMP4_ECHO_REPLY;
	icmp[1] = 0;
	icmp[2] = icmp[3] = 0;
	nr_store_be16(icmp + 4, req.id);
	nr_store_be16(icmp + 6, req.seq);
	if (req.data_len)
		memmove(icmp + NR_ICMP4_HLEN, req.data, req.data_len);
	n = (int)(NR_ICMP4_HLEN + req.data_len);
	csum = nr_csum_update16(req.checksum, (uint16_t)(NR_ICMP4_ECHO_REQUEST << 8 | req.code), 0);
	if (csum == 0)
		csum = nr_csum(icmp, (size_t)n);
	nr_store_be16(icmp + 2, csum);

	/*
	 * The IPv4 header written in place: no options, not a fragment, no
	 * DF (see above). n + 20 fits in 16 bits: the request's total length did.
	 */
	ipb = out->buf;
	ipb[0] = 4 << 4 | NR_IPV4_HLEN / 4;
	ipb[1] = ip->tos & 0xfc;
	nr_store_be16(ipb + 2, (uint16_t)(NR_IPV4_HLEN + (size_t)n));
	nr_store_be16(ipb + 4, nr_host_next_ip_id(in->host));
	ipb[6] = ipb[7] = 0;
	ipb[8] = p->ttl;
	ipb[9] = NR_IPPROTO_ICMP;
	ipb[10] = ipb[11] = 0;
	memcpy(ipb + 12, src->bytes, 4);
	memcpy(ipb + 16, ip->src.bytes, 4);
	nr_store_be16(ipb + 10, nr_ipv4_header_checksum(ipb, NR_IPV4_HLEN));
	n += NR_IPV4_HLEN;
	out->len = (size_t)n;
	out->ethertype = NR_ETHERTYPE_IPV4;
	/* MACs only matter on Ethernet: a TUN reply goes without them. */
	if (in->eth) {
		memcpy(out->dst_mac, in->eth->src, 6);
		nr_host_mac_for(in->host, src, out->src_mac);
	}
	r->stats.replies++;
	return NR_RESP_REPLY;
}

const struct nr_responder_ops nr_resp_echo_ops = {
	.name = "echo",
	.summary = "ICMP echo requests (RFC 792, RFC 1122 3.2.2.6)",
	.priv_size = sizeof(struct echo_priv),
	.options = echo_options,
	.init = echo_init,
	.set_option = echo_set_option,
	.ethertype = NR_ETHERTYPE_IPV4,
	.input = echo_input,
};
