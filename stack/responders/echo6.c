/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ICMPv6 echo responder (RFC 4443 4.2, 2.2).
 *
 * The reply carries the request's identifier, sequence number and whole
 * data, with the checksum over the IPv6 pseudo-header. Its source is the
 * request's destination when that is one of the host's unicast addresses;
 * for a multicast request (answered when multicast=1, the default, as
 * Linux's echo_ignore_multicast=0, and only for a group the host joined:
 * ff02::1, its addresses' solicited-node groups, ff02::2 when a router)
 * it is a unicast address of the host:
 * link-local for a link-scope group or a link-local requester, else one
 * whose prefix holds the requester (2.2). Hop limit fresh (hlim=, default
 * 64); traffic class DSCP and flow label kept (as Linux's
 * icmpv6_echo_reply); extension headers are not echoed; fragments are
 * dropped (no reassembly); requests from ::, ::1, a multicast source or
 * one of the host's own addresses are martian. any=1 answers requests
 * for any unicast destination but ::1, from that destination (the Scapy
 * compatibility mode).
 */
#include "netrig/csum.h"
#include "netrig/eth.h"
#include "netrig/host.h"
#include "netrig/icmp6.h"
#include "netrig/ipv6.h"
#include "netrig/responder.h"

#include <errno.h>
#include <string.h>

struct echo6_priv {
	bool multicast;
	bool any;
	uint8_t hlim;
};

static const struct nr_resp_option echo6_options[] = {
	{"multicast", "0|1: answer requests to multicast groups (default 1)"},
	{"any", "0|1: answer requests for any unicast destination (default 0)"},
	{"hlim", "1..255: hop limit of replies (default 64)"},
	{NULL, NULL},
};

static void echo6_init(void *priv)
{
	struct echo6_priv *p = priv;

	p->multicast = true;
	p->hlim = 64;
}

static int echo6_set_option(void *priv, const char *key, const char *value)
{
	struct echo6_priv *p = priv;
	unsigned long v;

	if (strcmp(key, "multicast") == 0)
		return nr_resp_parse_bool(value, &p->multicast);
	if (strcmp(key, "any") == 0)
		return nr_resp_parse_bool(value, &p->any);
	if (strcmp(key, "hlim") == 0) {
		if (nr_resp_parse_uint(value, 255, &v) < 0 || v == 0)
			return -EINVAL;
		p->hlim = (uint8_t)v;
		return 0;
	}
	return -ENOENT;
}

static enum nr_resp_verdict drop(struct nr_responder *r, enum nr_resp_drop why)
{
	r->stats.drop[why]++;
	return NR_RESP_DROP;
}

static enum nr_resp_verdict echo6_input(struct nr_responder *r, const struct nr_resp_in *in,
					struct nr_resp_out *out)
{
	const struct echo6_priv *p = r->priv;
	const struct nr_ipv6 *ip = in->ip6;
	enum nr_wire_reason why = NR_WIRE_OK;
	struct nr_icmp6 req, rep;
	uint8_t *ipb;
	struct nr_addr src;
	int n;

	if (!ip)
		return NR_RESP_PASS;
	if (ip->is_fragment) {
		/* The first fragment shows its type; later ones cannot be told apart. */
		if (ip->upper_proto != NR_IPPROTO_ICMPV6 || ip->frag_off != 0 || ip->upper_len < 1 ||
		    ip->upper[0] != NR_ICMP6_ECHO_REQUEST)
			return NR_RESP_PASS;
		r->stats.seen++;
		return drop(r, NR_RESP_DROP_FRAGMENT);
	}
	if (ip->upper_proto != NR_IPPROTO_ICMPV6 || ip->upper_len < 1 ||
	    ip->upper[0] != NR_ICMP6_ECHO_REQUEST)
		return NR_RESP_PASS;
	r->stats.seen++;
	if (nr_icmp6_decode(ip->upper, ip->upper_len, &ip->src, &ip->dst, &req, &why) < 0) {
		r->stats.wire[why]++;
		return NR_RESP_DROP;
	}
	/* ::, ::1, multicast, or one of ours (a spoof or a loop). */
	if (nr_host_is_martian(in->host, &ip->src) || nr_host_owns(in->host, &ip->src))
		return drop(r, NR_RESP_DROP_BAD_SOURCE);
	if (ip->dst.bytes[0] == 0xff) {
		if (!p->multicast)
			return drop(r, NR_RESP_DROP_BROADCAST);
		/* Only the groups the host joined (the test NS validation uses too). */
		if (!nr_host_in_group6(in->host, &ip->dst))
			return drop(r, NR_RESP_DROP_BAD_DEST);
		if (nr_host_pick_source(in->host, AF_INET6, &ip->src, &src) < 0)
			return drop(r, NR_RESP_DROP_NO_ADDRESS);
	} else if (nr_host_owns(in->host, &ip->dst)) {
		src = ip->dst;
	} else if (p->any) {
		if (nr_host_is_martian(in->host, &ip->dst))
			return drop(r, NR_RESP_DROP_BAD_DEST); /* ::1 or :: */
		src = ip->dst;
	} else {
		return drop(r, NR_RESP_DROP_NOT_MINE);
	}

	if (NR_IPV6_HLEN + NR_ICMP6_HLEN + req.data_len > out->cap)
		return drop(r, NR_RESP_DROP_TOO_BIG);
	if (!nr_addr_eq(&src, &ip->dst)) {
		/* Another source (a multicast request): the pseudo-header changes, recompute. */
		memset(&rep, 0, sizeof(rep));
		rep.type = NR_ICMP6_ECHO_REPLY;
		rep.id = req.id;
		rep.seq = req.seq;
		rep.data = req.data;
		rep.data_len = req.data_len;
		n = nr_icmp6_encode(&rep, &src, &ip->src, out->buf + NR_IPV6_HLEN,
				    out->cap - NR_IPV6_HLEN);
		if (n < 0)
			return drop(r, NR_RESP_DROP_TOO_BIG);
	} else {
		/*
		 * The reply is the request with its first word (type 128, code)
		 * made type 129, code 0, and the pseudo-header's addresses
		 * swapped (the same sum): its checksum follows from the
		 * request's, which the decoder verified (RFC 1624), without a
		 * second pass. The pseudo-header's next header (58) is never
		 * zero, so a recomputation could not give 0xffff: the update is
		 * exact.
		 */
		uint8_t *icmp = out->buf + NR_IPV6_HLEN;

		icmp[0] = NR_ICMP6_ECHO_REPLY;
		icmp[1] = 0;
		nr_store_be16(icmp + 4, req.id);
		nr_store_be16(icmp + 6, req.seq);
		if (req.data_len)
			memmove(icmp + NR_ICMP6_HLEN, req.data, req.data_len);
		nr_store_be16(icmp + 2,
			      nr_csum_update16(req.checksum,
					       (uint16_t)(NR_ICMP6_ECHO_REQUEST << 8 | req.code),
					       NR_ICMP6_ECHO_REPLY << 8));
		n = (int)(NR_ICMP6_HLEN + req.data_len);
	}
	/* The fixed header written in place: n fits in 16 bits, the request's payload length did. */
	ipb = out->buf;
	nr_store_be32(ipb, 6u << 28 | (uint32_t)(ip->tclass & 0xfc) << 20 | ip->flow);
	nr_store_be16(ipb + 4, (uint16_t)n);
	ipb[6] = NR_IPPROTO_ICMPV6;
	ipb[7] = p->hlim;
	memcpy(ipb + 8, src.bytes, 16);
	memcpy(ipb + 24, ip->src.bytes, 16);
	n += NR_IPV6_HLEN;
	out->len = (size_t)n;
	out->ethertype = NR_ETHERTYPE_IPV6;
	/* MACs only matter on Ethernet: a TUN reply goes without them. */
	if (in->eth) {
		memcpy(out->dst_mac, in->eth->src, 6);
		nr_host_mac_for(in->host, &src, out->src_mac);
	}
	r->stats.replies++;
	return NR_RESP_REPLY;
}

const struct nr_responder_ops nr_resp_echo6_ops = {
	.name = "echo6",
	.summary = "ICMPv6 echo requests (RFC 4443 4.2)",
	.priv_size = sizeof(struct echo6_priv),
	.options = echo6_options,
	.init = echo6_init,
	.set_option = echo6_set_option,
	.ethertype = NR_ETHERTYPE_IPV6,
	.input = echo6_input,
};
