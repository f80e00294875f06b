/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Neighbour discovery responder (RFC 4861 7.1.1, 7.2.3, 7.2.4; 6.2.6).
 *
 * A Neighbor Solicitation is validated by the NDP decoder (hop limit 255,
 * code 0, checksum, ICMP length, option lengths, target not multicast,
 * from :: only without SLLAO and to a solicited-node group) and then
 * here: the target must be an address of the host; a multicast NS must
 * go to all-nodes or to the target's solicited-node group (the groups the
 * host has joined); a unicast NS to an address of the host. Fragments are
 * dropped (RFC 6980).
 *
 * The Neighbor Advertisement: source = the target, hop limit 255, R when
 * the host is a router, O unless override=0, TLLAO when the NS went to a
 * multicast address (MUST) or always_tllao=1. For a unicast-sourced NS:
 * S=1, to the NS source, Ethernet to its SLLAO (else the frame's source),
 * and the SLLAO is learned (STALE). For DAD (source ::): S=0 to ff02::1,
 * defending the address.
 *
 * A Router Solicitation gets a unicast Router Advertisement (to ff02::1
 * when it came from ::, or when several solicitations share one) when the
 * host is a router and ra=1: from the host's link-local address, with its
 * SLLAO and a prefix option per global IPv6 prefix of the host
 * (autonomous when /64), delayed and rate limited as 6.2.6 says (through
 * the host's timers: nr_host_next_deadline/nr_host_tick).
 *
 * Options: override=0|1 (1), always_tllao=0|1 (0), learn=0|1 (1),
 * ra=0|1 (1), router_lifetime=0..9000 (1800 seconds).
 */
#include "netrig/eth.h"
#include "netrig/host.h"
#include "netrig/icmp6.h"
#include "netrig/ipv6.h"
#include "netrig/ndp.h"
#include "netrig/responder.h"

#include <errno.h>
#include <string.h>

struct ndp_priv {
	bool override;
	bool always_tllao;
	bool learn;
	bool ra;
	uint16_t router_lifetime;
	/* The RA scheduled for solicitations (RFC 4861 6.2.6). */
	bool ra_pending;
	bool ra_multicast;  /* to ff02::1: from ::, or several solicitors folded in */
	bool ra_sent;       /* ra_last_ns is valid */
	uint64_t ra_due_ns;
	uint64_t ra_last_ns;
	struct nr_addr ra_dst;
	uint8_t ra_dst_mac[6];
};

static const struct nr_resp_option ndp_options[] = {
	{"override", "0|1: set O in advertisements (default 1)"},
	{"always_tllao", "0|1: include TLLAO in answers to unicast NS too (default 0)"},
	{"learn", "0|1: learn SLLAOs into the neighbour cache (default 1)"},
	{"ra", "0|1: answer RS with RA when the host is a router (default 1)"},
	{"router_lifetime", "0..9000: router lifetime of RAs, seconds (default 1800)"},
	{NULL, NULL},
};

static void ndp_init(void *priv)
{
	struct ndp_priv *p = priv;

	p->override = true;
	p->learn = true;
	p->ra = true;
	p->router_lifetime = 1800;
}

static int ndp_set_option(void *priv, const char *key, const char *value)
{
	struct ndp_priv *p = priv;
	unsigned long v;

	if (strcmp(key, "override") == 0)
		return nr_resp_parse_bool(value, &p->override);
	if (strcmp(key, "always_tllao") == 0)
		return nr_resp_parse_bool(value, &p->always_tllao);
	if (strcmp(key, "learn") == 0)
		return nr_resp_parse_bool(value, &p->learn);
	if (strcmp(key, "ra") == 0)
		return nr_resp_parse_bool(value, &p->ra);
	if (strcmp(key, "router_lifetime") == 0) {
		/* RFC 4861 6.2.1: MaxRtrAdvInterval caps it at 9000 seconds. */
		if (nr_resp_parse_uint(value, 9000, &v) < 0)
			return -EINVAL;
		p->router_lifetime = (uint16_t)v;
		return 0;
	}
	return -ENOENT;
}

static enum nr_resp_verdict drop(struct nr_responder *r, enum nr_resp_drop why)
{
	r->stats.drop[why]++;
	return NR_RESP_DROP;
}

static bool is_all_nodes(const struct nr_addr *a)
{
	static const uint8_t all_nodes[16] = {0xff, 0x02, [15] = 0x01};

	return memcmp(a->bytes, all_nodes, 16) == 0;
}

static void set_all_nodes(struct nr_addr *a, uint8_t mac[6])
{
	static const uint8_t all_nodes[16] = {0xff, 0x02, [15] = 0x01};

	nr_addr_set_v6(a, all_nodes);
	mac[0] = mac[1] = 0x33;
	memcpy(mac + 2, all_nodes + 12, 4);
}

/* IPv6 header + the NDP message n from src to dst into out. */
static enum nr_resp_verdict emit(struct nr_responder *r, struct nr_resp_out *out,
				 const struct nr_ndp *n, const struct nr_addr *src,
				 const struct nr_addr *dst)
{
	struct nr_ipv6 h;
	int len;

	if (out->cap < NR_IPV6_HLEN)
		return drop(r, NR_RESP_DROP_TOO_BIG);
	len = nr_ndp_encode(n, src, dst, out->buf + NR_IPV6_HLEN, out->cap - NR_IPV6_HLEN);
	if (len < 0)
		return drop(r, NR_RESP_DROP_TOO_BIG);
	memset(&h, 0, sizeof(h));
	h.next_header = NR_IPPROTO_ICMPV6;
	h.hop_limit = 255;
	h.src = *src;
	h.dst = *dst;
	h.payload = out->buf + NR_IPV6_HLEN;
	h.payload_len = (size_t)len;
	len = nr_ipv6_encode(&h, out->buf, out->cap);
	if (len < 0)
		return drop(r, NR_RESP_DROP_TOO_BIG);
	out->len = (size_t)len;
	out->ethertype = NR_ETHERTYPE_IPV6;
	r->stats.replies++;
	return NR_RESP_REPLY;
}

static enum nr_resp_verdict ndp_ns(struct nr_responder *r, const struct nr_resp_in *in,
				   const struct nr_ndp *ns, struct nr_resp_out *out)
{
	const struct ndp_priv *p = r->priv;
	const struct nr_ipv6 *ip = in->ip6;
	bool dad = nr_addr_is_unspec(&ip->src);
	bool mcast = ip->dst.bytes[0] == 0xff;
	struct nr_addr snm, dst;
	struct nr_ndp na;
	uint8_t mac[6];

	if (!nr_host_owns(in->host, &ns->target))
		return drop(r, NR_RESP_DROP_NOT_MINE);
	if (mcast) {
		/* A group the host joined, and one the target's owner listens on. */
		nr_ndp_solicited_node(&ns->target, &snm);
		if (!nr_host_in_group6(in->host, &ip->dst) ||
		    (!nr_addr_eq(&snm, &ip->dst) && !is_all_nodes(&ip->dst)))
			return drop(r, NR_RESP_DROP_BAD_DEST);
	} else if (!nr_host_owns(in->host, &ip->dst)) {
		return drop(r, NR_RESP_DROP_NOT_MINE);
	}
	if (!dad && (ip->src.bytes[0] == 0xff || nr_host_owns(in->host, &ip->src)))
		/* A multicast source, or someone using one of our addresses. */
		return drop(r, NR_RESP_DROP_BAD_SOURCE);
	if (!dad && ns->has_sllao && in->eth && p->learn && ns->sllao.len == 6 &&
	    !(ns->sllao.bytes[0] & 1) &&
	    nr_host_learn_solicit(in->host, &ip->src, &ns->sllao, in->now_ns) == 0)
		r->stats.learned++;

	nr_host_mac_for(in->host, &ns->target, mac);
	memset(&na, 0, sizeof(na));
	na.type = NR_ICMP6_NEIGHBOR_ADVERT;
	na.target = ns->target;
	na.router = nr_host_config(in->host)->router;
	na.override = p->override;
	if (in->eth && (mcast || dad || p->always_tllao)) {
		na.has_tllao = true;
		na.tllao.len = 6;
		memcpy(na.tllao.bytes, mac, 6);
	}
	memcpy(out->src_mac, mac, 6);
	if (dad) {
		na.solicited = false;
		set_all_nodes(&dst, out->dst_mac);
	} else {
		na.solicited = true;
		dst = ip->src;
		if (in->eth)
			memcpy(out->dst_mac,
			       ns->has_sllao && ns->sllao.len == 6 && !(ns->sllao.bytes[0] & 1)
				       ? ns->sllao.bytes
				       : in->eth->src,
			       6);
	}
	return emit(r, out, &na, &ns->target, &dst);
}

/* RFC 4861 10: MAX_RA_DELAY_TIME and MIN_DELAY_BETWEEN_RAS. */
#define RA_DELAY_MAX_NS 500000000ull
#define RA_MIN_GAP_NS 3000000000ull

/*
 * A Router Solicitation schedules an RA (RFC 4861 6.2.6): after a random
 * delay of 0..MAX_RA_DELAY_TIME, and no sooner than MIN_DELAY_BETWEEN_RAS
 * after the previous one. Solicitations arriving while one is scheduled
 * are folded into it (counted "rate limited"), and the RA then goes to
 * all-nodes since more than one host asked: an RS flood yields one RA per
 * 3 seconds. The answer is built when it goes out (tick), from the
 * addresses the host has then.
 */
static enum nr_resp_verdict ndp_rs(struct nr_responder *r, const struct nr_resp_in *in,
				   const struct nr_ndp *rs)
{
	struct ndp_priv *p = r->priv;
	const struct nr_ipv6 *ip = in->ip6;
	bool unspec = nr_addr_is_unspec(&ip->src);
	uint64_t due;

	if (!p->ra || !nr_host_config(in->host)->router)
		return drop(r, NR_RESP_DROP_NOT_ROUTER);
	if (!unspec && (nr_host_is_martian(in->host, &ip->src) || nr_host_owns(in->host, &ip->src)))
		return drop(r, NR_RESP_DROP_BAD_SOURCE);
	if (!unspec && in->eth && rs->has_sllao && rs->sllao.len == 6 && !(rs->sllao.bytes[0] & 1) &&
	    p->learn && nr_host_learn_solicit(in->host, &ip->src, &rs->sllao, in->now_ns) == 0)
		r->stats.learned++;
	if (p->ra_pending) {
		p->ra_multicast = true;
		return drop(r, NR_RESP_DROP_RATE_LIMIT);
	}
	due = in->now_ns + nr_host_random(in->host) % (RA_DELAY_MAX_NS + 1);
	if (p->ra_sent && due < p->ra_last_ns + RA_MIN_GAP_NS)
		due = p->ra_last_ns + RA_MIN_GAP_NS;
	p->ra_pending = true;
	p->ra_due_ns = due;
	p->ra_multicast = unspec;
	if (!unspec) {
		p->ra_dst = ip->src;
		if (in->eth)
			memcpy(p->ra_dst_mac,
			       rs->has_sllao && rs->sllao.len == 6 && !(rs->sllao.bytes[0] & 1)
				       ? rs->sllao.bytes
				       : in->eth->src,
			       6);
	}
	return NR_RESP_LATER;
}

static uint64_t ndp_next_deadline(const struct nr_responder *r)
{
	const struct ndp_priv *p = r->priv;

	return p->ra_pending ? p->ra_due_ns : UINT64_MAX;
}

static enum nr_resp_verdict ndp_tick(struct nr_responder *r, const struct nr_resp_in *in,
				     struct nr_resp_out *out)
{
	static const uint8_t all_nodes[16] = {0xff, 0x02, [15] = 0x01};
	struct ndp_priv *p = r->priv;
	bool eth = nr_host_config(in->host)->link == NR_HOST_LINK_ETHERNET;
	struct nr_addr src, dst, peer;
	struct nr_ndp ra;
	uint8_t mac[6];

	if (!p->ra_pending || in->now_ns < p->ra_due_ns)
		return NR_RESP_PASS;
	p->ra_pending = false;
	/* The gap counts from this decision even when the RA cannot go: no burst after. */
	p->ra_sent = true;
	p->ra_last_ns = in->now_ns;
	if (!p->ra || !nr_host_config(in->host)->router)
		return NR_RESP_PASS;
	nr_addr_set_v6(&peer, all_nodes);
	/* RFC 4861 4.2: an RA comes from the router's link-local address. */
	if (nr_host_pick_source(in->host, AF_INET6, &peer, &src) < 0 ||
	    !(src.bytes[0] == 0xfe && (src.bytes[1] & 0xc0) == 0x80)) {
		r->stats.drop[NR_RESP_DROP_NO_ADDRESS]++;
		return NR_RESP_PASS;
	}
	nr_host_mac_for(in->host, &src, mac);

	memset(&ra, 0, sizeof(ra));
	ra.type = NR_ICMP6_ROUTER_ADVERT;
	ra.cur_hop_limit = 64;
	ra.router_lifetime = p->router_lifetime;
	if (eth) {
		ra.has_sllao = true;
		ra.sllao.len = 6;
		memcpy(ra.sllao.bytes, mac, 6);
	}
	for (size_t i = 0; i < nr_host_addr_count(in->host) && ra.n_prefix < NR_NDP_PREFIX_MAX;
	     i++) {
		const struct nr_host_addr *e = nr_host_addr_at(in->host, i);
		struct nr_ndp_prefix *pi;

		if (e->p.addr.family != AF_INET6 || e->p.len == 128 ||
		    (e->p.addr.bytes[0] == 0xfe && (e->p.addr.bytes[1] & 0xc0) == 0x80))
			continue;
		pi = &ra.prefix[ra.n_prefix++];
		pi->len = e->p.len;
		pi->flags = NR_NDP_PREFIX_ON_LINK | (e->p.len == 64 ? NR_NDP_PREFIX_AUTO : 0);
		pi->valid_lifetime = 86400;
		pi->preferred_lifetime = 14400;
		pi->prefix = e->p.addr;
		nr_addr_mask(&pi->prefix, e->p.len);
	}
	memcpy(out->src_mac, mac, 6);
	if (p->ra_multicast) {
		set_all_nodes(&dst, out->dst_mac);
	} else {
		dst = p->ra_dst;
		memcpy(out->dst_mac, p->ra_dst_mac, 6);
	}
	if (emit(r, out, &ra, &src, &dst) != NR_RESP_REPLY)
		return NR_RESP_PASS;
	return NR_RESP_REPLY;
}

static enum nr_resp_verdict ndp_input(struct nr_responder *r, const struct nr_resp_in *in,
				      struct nr_resp_out *out)
{
	const struct nr_ipv6 *ip = in->ip6;
	enum nr_wire_reason why = NR_WIRE_OK;
	struct nr_ndp nd;

	if (!ip || ip->upper_proto != NR_IPPROTO_ICMPV6 || ip->upper_len < 1 ||
	    ip->upper[0] < NR_ICMP6_ROUTER_SOLICIT || ip->upper[0] > NR_ICMP6_REDIRECT)
		return NR_RESP_PASS;
	if (ip->is_fragment && ip->frag_off != 0)
		return NR_RESP_PASS; /* not a header: the walk stopped at the fragment header */
	r->stats.seen++;
	if (ip->is_fragment)
		return drop(r, NR_RESP_DROP_FRAGMENT);
	if (nr_ndp_decode(ip->upper, ip->upper_len, &ip->src, &ip->dst, ip->hop_limit, &nd, &why) <
	    0) {
		r->stats.wire[why]++;
		return NR_RESP_DROP;
	}
	switch (nd.type) {
	case NR_ICMP6_NEIGHBOR_SOLICIT:
		return ndp_ns(r, in, &nd, out);
	case NR_ICMP6_ROUTER_SOLICIT:
		return ndp_rs(r, in, &nd);
	default:
		return drop(r, NR_RESP_DROP_NOT_REQUEST);
	}
}

const struct nr_responder_ops nr_resp_ndp_ops = {
	.name = "ndp",
	.summary = "Neighbour and router solicitations (RFC 4861)",
	.priv_size = sizeof(struct ndp_priv),
	.options = ndp_options,
	.init = ndp_init,
	.set_option = ndp_set_option,
	.ethertype = NR_ETHERTYPE_IPV6,
	.input = ndp_input,
	.next_deadline = ndp_next_deadline,
	.tick = ndp_tick,
};
