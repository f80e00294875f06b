/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Emulated hosts on one link: address set, MACs, ingress demux to the
 * responders, resolution traffic (ARP replies, NA) and originated packets
 * through the host's own stack and neighbour cache. See netrig/host.h.
 */
#include "netrig/host.h"

#include "netrig/arp.h"
#include "netrig/eth.h"
#include "netrig/icmp6.h"
#include "netrig/iface.h"
#include "netrig/ipv4.h"
#include "netrig/ipv6.h"
#include "netrig/ndp.h"
#include "netrig/neigh.h"
#include "netrig/route.h"
#include "netrig/stack.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RTPROT_KERNEL 2
#define RTPROT_STATIC 4
#define ARPHRD_ETHER_ 1
#define ARPHRD_NONE_ 0xfffe
#define ARPHRD_LOOPBACK_ 772
/* Handles of nr_host_resolve: waiting markers without a packet behind them. */
#define HANDLE_MARKER (1ull << 63)
#define TICK_BATCH 16

struct pending {
	uint64_t handle;
	uint8_t *pkt;
	size_t len;
};

struct nr_host {
	struct nr_host_config cfg;
	struct nr_stack *stack;
	struct nr_host_addr addrs[NR_HOST_ADDR_MAX];
	size_t naddrs;
	struct nr_addr excl[NR_HOST_ADDR_MAX]; /* holes in the ranges */
	size_t nexcl;
	struct nr_responder *resp[NR_HOST_RESPONDER_MAX];
	size_t nresp;
	/*
	 * Derived, for the per-packet path: the IPv4 entries as words, and
	 * per ethertype (ARP, IPv4, IPv6) the responders to ask, in order.
	 */
	struct {
		uint32_t addr, mask;
		uint8_t len;
		bool range;
	} v4[NR_HOST_ADDR_MAX];
	size_t nv4;
	uint8_t resp_of[3][NR_HOST_RESPONDER_MAX];
	uint8_t nresp_of[3];
	struct nr_host_stats stats;
	/* Output queue: txq_len slots of frame_max bytes, a ring. */
	size_t frame_max;
	uint8_t *txq;
	size_t *txq_lens;
	size_t txq_head, txq_count;
	uint8_t *scratch; /* where a reply goes when the queue is full */
	struct pending *pend;
	size_t npend;
	uint64_t next_handle;
	uint16_t ip_id;
	uint64_t rng; /* nr_host_random state, never 0 */
};

static const uint8_t mac_bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static const char *const host_drop_names[NR_HOST_DROP_COUNT] = {
	[NR_HOST_DROP_NOT_FOR_US] = "not for us",
	[NR_HOST_DROP_VLAN] = "vlan tagged",
	[NR_HOST_DROP_ETHERTYPE] = "unknown ethertype",
	[NR_HOST_DROP_UNHANDLED] = "unhandled",
	[NR_HOST_DROP_OWN_FRAME] = "own frame",
	[NR_HOST_DROP_TXQ_FULL] = "output queue full",
	[NR_HOST_DROP_UNRESOLVED] = "unresolved",
	[NR_HOST_DROP_NO_SOURCE] = "no source address",
};

const char *nr_host_drop_str(enum nr_host_drop d)
{
	if ((unsigned)d >= NR_HOST_DROP_COUNT)
		return "unknown";
	return host_drop_names[d];
}

void nr_host_config_default(struct nr_host_config *c)
{
	memset(c, 0, sizeof(*c));
	c->link = NR_HOST_LINK_ETHERNET;
	c->ifindex = 2;
	snprintf(c->ifname, sizeof(c->ifname), "nr0");
	c->mtu = 1500;
	c->txq_len = 256;
	c->pending_max = 256;
}

/* ------------------------------------------------------------------ */
/* Address arithmetic                                                  */

static bool v4_multicast(uint32_t a)
{
	return (a >> 28) == 0xe;
}

static bool v6_is_multicast(const struct nr_addr *a)
{
	return a->bytes[0] == 0xff;
}

static bool v6_is_linklocal(const struct nr_addr *a)
{
	return a->bytes[0] == 0xfe && (a->bytes[1] & 0xc0) == 0x80;
}

static bool v6_is_loopback(const struct nr_addr *a)
{
	static const uint8_t lo[16] = {[15] = 1};

	return memcmp(a->bytes, lo, 16) == 0;
}

/* An address no host can own or be sent to as a unicast destination. */
static bool addr_unusable(const struct nr_addr *a)
{
	if (a->family == AF_INET) {
		uint32_t v = nr_addr_v4(a);

		return v == 0 || v == 0xffffffffu || v4_multicast(v) || (v >> 24) == 127;
	}
	if (a->family == AF_INET6)
		return nr_addr_is_unspec(a) || v6_is_multicast(a) || v6_is_loopback(a);
	return true;
}

/* Are the bits of a past len all zero (value 0) or all one (value 1)? */
static bool host_bits_all(const struct nr_addr *a, unsigned len, unsigned value)
{
	unsigned bits, i = len / 8;
	uint8_t want = value ? 0xff : 0;

	if (a->family == AF_INET) {
		uint32_t m = len >= 32 ? 0 : 0xffffffffu >> len;

		return (nr_load_be32(a->bytes) & m) == (value ? m : 0);
	}
	bits = nr_addr_bits(a->family);
	if (len >= bits)
		return true;
	/* Whole bytes, not bit by bit: every packet asks this of its source. */
	if (len % 8) {
		uint8_t m = (uint8_t)(0xffu >> (len % 8));

		if ((a->bytes[i] & m) != (want & m))
			return false;
		i++;
	}
	for (; i < bits / 8; i++)
		if (a->bytes[i] != want)
			return false;
	return true;
}

/* Members of a range that are not hosts: see nr_host_add_range. */
static bool range_excluded(const struct nr_prefix *p, const struct nr_addr *a)
{
	if (a->family == AF_INET)
		return p->len <= 30 && (host_bits_all(a, p->len, 0) || host_bits_all(a, p->len, 1));
	return p->len <= 126 && host_bits_all(a, p->len, 0);
}

/* The network mask of an IPv4 prefix length (<= 32), host order. */
static inline uint32_t mask4(unsigned len)
{
	return len ? ~0u << (32 - len) : 0;
}

static bool entry_owns(const struct nr_host_addr *e, const struct nr_addr *a)
{
	if (e->p.addr.family != a->family)
		return false;
	if (!e->range)
		return nr_addr_eq(&e->p.addr, a);
	return nr_prefix_contains(&e->p, a) && !range_excluded(&e->p, a);
}

/* The entry's on-link prefix holds a. */
static bool entry_covers(const struct nr_host_addr *e, const struct nr_addr *a)
{
	return e->p.addr.family == a->family && nr_prefix_contains(&e->p, a);
}

/* The first member of an entry: itself, or the first host of a range. */
static void entry_first(const struct nr_host_addr *e, struct nr_addr *ret)
{
	*ret = e->p.addr;
	if (!e->range)
		return;
	nr_addr_mask(ret, e->p.len);
	if (range_excluded(&e->p, ret)) {
		/* Add one: the network address is the only excluded low member. */
		for (int i = e->p.addr.family == AF_INET ? 3 : 15; i >= 0; i--)
			if (++ret->bytes[i] != 0)
				break;
	}
}

bool nr_host_owns(const struct nr_host *h, const struct nr_addr *a)
{
	if (!h || !a)
		return false;
	for (size_t i = 0; i < h->nexcl; i++)
		if (nr_addr_eq(&h->excl[i], a))
			return false;
	for (size_t i = 0; i < h->naddrs; i++) {
		const struct nr_host_addr *e = &h->addrs[i];

		/* Single addresses compared here, ranges in entry_owns: no call per entry. */
		if (e->p.addr.family != a->family)
			continue;
		if (!e->range ? nr_addr_eq(&e->p.addr, a) : entry_owns(e, a))
			return true;
	}
	return false;
}

void nr_host_mac_for(const struct nr_host *h, const struct nr_addr *a, uint8_t ret[6])
{
	if (h->cfg.fixed_mac) {
		memcpy(ret, h->cfg.mac, 6);
		return;
	}
	ret[0] = 0x02;
	if (a->family == AF_INET6) {
		ret[1] = 0x06;
		memcpy(ret + 2, a->bytes + 12, 4);
	} else {
		ret[1] = 0x00;
		memcpy(ret + 2, a->bytes, 4);
	}
}

bool nr_host_mac_is_own(const struct nr_host *h, const uint8_t mac[6])
{
	if (h->cfg.fixed_mac)
		return memcmp(mac, h->cfg.mac, 6) == 0;
	if (mac[0] != 0x02)
		return false;
	if (mac[1] == 0x00) {
		struct nr_addr a;

		memset(&a, 0, sizeof(a));
		a.family = AF_INET;
		memcpy(a.bytes, mac + 2, 4);
		return nr_host_owns(h, &a);
	}
	if (mac[1] == 0x06) {
		/* Only the low 32 bits are in the MAC: any IPv6 entry that could hold them. */
		for (size_t i = 0; i < h->naddrs; i++) {
			const struct nr_host_addr *e = &h->addrs[i];
			struct nr_addr a;

			if (e->p.addr.family != AF_INET6)
				continue;
			a = e->p.addr;
			memcpy(a.bytes + 12, mac + 2, 4);
			if (entry_owns(e, &a))
				return true;
		}
	}
	return false;
}

/* IPv4: nr_host_classify's answers, so the rules are written once. */
bool nr_host_is_broadcast4(const struct nr_host *h, const struct nr_addr *a)
{
	return a->family == AF_INET && (nr_host_classify(h, a) & NR_HOST_ADDR_BROADCAST);
}

bool nr_host_is_martian(const struct nr_host *h, const struct nr_addr *a)
{
	if (a->family == AF_INET6)
		return nr_addr_is_unspec(a) || v6_is_loopback(a) || v6_is_multicast(a);
	if (a->family != AF_INET)
		return true;
	return nr_host_classify(h, a) & NR_HOST_ADDR_MARTIAN;
}

unsigned nr_host_classify(const struct nr_host *h, const struct nr_addr *a)
{
	unsigned r = 0;
	bool excluded = false;
	uint32_t v;

	if (!h || !a)
		return 0;
	if (a->family != AF_INET)
		return (nr_host_owns(h, a) ? NR_HOST_ADDR_OWN : 0) |
		       (nr_host_is_martian(h, a) ? NR_HOST_ADDR_MARTIAN : 0);
	v = nr_load_be32(a->bytes);
	if (v == 0xffffffffu)
		r |= NR_HOST_ADDR_MARTIAN | NR_HOST_ADDR_BROADCAST;
	if ((v >> 24) == 0 || (v >> 24) == 127 || v4_multicast(v))
		r |= NR_HOST_ADDR_MARTIAN;
	for (size_t i = 0; i < h->nexcl; i++)
		if (nr_addr_eq(&h->excl[i], a))
			excluded = true;
	for (size_t i = 0; i < h->nv4; i++) {
		uint32_t net = h->v4[i].addr, m = h->v4[i].mask, hb;

		/* Outside the prefix, the entry says nothing (a single address is in its own). */
		if ((net ^ v) & m)
			continue;
		hb = v & ~m;
		/* Network and broadcast addresses of a /30 or wider: martian, never owned by a range. */
		if (h->v4[i].len <= 30 && (hb == ~m || hb == 0)) {
			r |= NR_HOST_ADDR_MARTIAN | (hb == ~m ? NR_HOST_ADDR_BROADCAST : 0);
			if (!h->v4[i].range && !excluded && net == v)
				r |= NR_HOST_ADDR_OWN;
			continue;
		}
		if (!excluded && (h->v4[i].range || net == v))
			r |= NR_HOST_ADDR_OWN;
	}
	return r;
}

bool nr_host_in_group6(const struct nr_host *h, const struct nr_addr *g)
{
	static const uint8_t snm_head[13] = {0xff, 0x02, [11] = 0x01, [12] = 0xff};
	static const uint8_t all_nodes[16] = {0xff, 0x02, [15] = 0x01};
	static const uint8_t all_routers[16] = {0xff, 0x02, [15] = 0x02};

	if (g->family != AF_INET6)
		return false;
	if (memcmp(g->bytes, all_nodes, 16) == 0)
		return true;
	if (memcmp(g->bytes, all_routers, 16) == 0)
		return h->cfg.router;
	if (memcmp(g->bytes, snm_head, 13) != 0)
		return false;
	/*
	 * Joined when an own address ends in the group's 24 bits. For a range
	 * the candidate keeps the range's own bits above them: the member
	 * whose solicited-node group this is, when the range is /104 or longer.
	 */
	for (size_t i = 0; i < h->naddrs; i++) {
		struct nr_addr c = h->addrs[i].p.addr;

		if (c.family != AF_INET6)
			continue;
		memcpy(c.bytes + 13, g->bytes + 13, 3);
		if ((h->addrs[i].range || nr_addr_eq(&c, &h->addrs[i].p.addr)) && nr_host_owns(h, &c))
			return true;
	}
	return false;
}

uint64_t nr_host_random(struct nr_host *h)
{
	/* xorshift64* (Vigna 2016): small, fast, and never stuck at zero with a non-zero state. */
	uint64_t x = h->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	h->rng = x;
	return x * 0x2545f4914f6cdd1dull;
}

static bool v6_link_scope(const struct nr_addr *a)
{
	return v6_is_linklocal(a) || (v6_is_multicast(a) && (a->bytes[1] & 0x0f) == 0x02);
}

int nr_host_pick_source(const struct nr_host *h, int family, const struct nr_addr *peer,
			struct nr_addr *ret)
{
	const struct nr_host_addr *first = NULL, *ll = NULL;

	for (size_t i = 0; i < h->naddrs; i++) {
		const struct nr_host_addr *e = &h->addrs[i];

		if (e->p.addr.family != family)
			continue;
		if (!first)
			first = e;
		if (family == AF_INET6 && !ll && v6_is_linklocal(&e->p.addr))
			ll = e;
		if (peer && peer->family == family && !(family == AF_INET6 && v6_link_scope(peer)) &&
		    entry_covers(e, peer)) {
			entry_first(e, ret);
			if (!e->range && nr_addr_eq(&e->p.addr, peer))
				continue; /* not ourselves, when another one will do */
			return 0;
		}
	}
	if (peer && family == AF_INET6 && v6_link_scope(peer) && ll) {
		entry_first(ll, ret);
		return 0;
	}
	if (!first)
		return -EADDRNOTAVAIL;
	entry_first(first, ret);
	return 0;
}

uint16_t nr_host_next_ip_id(struct nr_host *h)
{
	return ++h->ip_id;
}

/* ------------------------------------------------------------------ */
/* Life cycle, configuration                                           */

static int host_add_ifaces(struct nr_host *h)
{
	struct nr_iface_table *t = nr_stack_ifaces(h->stack);
	struct nr_iface lo, link;
	int r;

	memset(&lo, 0, sizeof(lo));
	lo.index = 1;
	snprintf(lo.name, sizeof(lo.name), "lo");
	lo.flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING;
	lo.mtu = 65536;
	lo.operstate = NR_OPER_UNKNOWN;
	lo.type = ARPHRD_LOOPBACK_;
	r = nr_iface_add(t, &lo);
	if (r < 0)
		return r;

	memset(&link, 0, sizeof(link));
	link.index = h->cfg.ifindex;
	snprintf(link.name, sizeof(link.name), "%s", h->cfg.ifname[0] ? h->cfg.ifname : "nr0");
	link.mtu = h->cfg.mtu;
	link.operstate = NR_OPER_UP;
	if (h->cfg.link == NR_HOST_LINK_ETHERNET) {
		link.flags = IFF_UP | IFF_RUNNING | IFF_BROADCAST | IFF_MULTICAST;
		link.type = ARPHRD_ETHER_;
		if (h->cfg.fixed_mac) {
			link.lladdr.len = 6;
			memcpy(link.lladdr.bytes, h->cfg.mac, 6);
		}
		link.broadcast.len = 6;
		memcpy(link.broadcast.bytes, mac_bcast, 6);
	} else {
		link.flags = IFF_UP | IFF_RUNNING | IFF_POINTOPOINT | IFF_NOARP | IFF_MULTICAST;
		link.type = ARPHRD_NONE_;
	}
	return nr_iface_add(t, &link);
}

int nr_host_new(const struct nr_host_config *cfg, struct nr_host **ret)
{
	struct nr_host *h = NULL;
	struct nr_neigh_params np;
	int r = -ENOMEM;

	if (!cfg || !ret)
		return -EINVAL;
	if ((cfg->link != NR_HOST_LINK_ETHERNET && cfg->link != NR_HOST_LINK_IP) ||
	    cfg->ifindex < 2 || cfg->mtu < 68 || cfg->mtu > NR_HOST_MTU_MAX || cfg->txq_len == 0 ||
	    (cfg->fixed_mac && (cfg->mac[0] & 1)))
		return -EINVAL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->cfg = *cfg;
	h->rng = cfg->seed ? cfg->seed : 0x9e3779b97f4a7c15ull;
	h->frame_max = cfg->mtu + (cfg->link == NR_HOST_LINK_ETHERNET ? NR_ETH_HLEN : 0);
	h->txq = malloc((size_t)cfg->txq_len * h->frame_max);
	h->txq_lens = calloc(cfg->txq_len, sizeof(*h->txq_lens));
	h->scratch = malloc(h->frame_max);
	h->pend = calloc(cfg->pending_max ? cfg->pending_max : 1, sizeof(*h->pend));
	h->stack = nr_stack_new();
	if (!h->txq || !h->txq_lens || !h->scratch || !h->pend || !h->stack)
		goto fail;
	r = host_add_ifaces(h);
	if (r < 0)
		goto fail;
	nr_neigh_params_default(&np);
	/* A negative cache (netrig's, not the kernel's): 3 s after a failure, fail at once. */
	np.failed_hold_ns = 3000 * NR_NS_PER_MS;
	/* At most 100 solicitations a second, bursts of 20: a flood of sends cannot flood the link. */
	np.solicit_burst = 20;
	np.solicit_interval_ns = 10 * NR_NS_PER_MS;
	r = nr_neigh_set_params(nr_stack_neigh(h->stack), &np);
	if (r < 0)
		goto fail;
	h->next_handle = 1;
	*ret = h;
	return 0;
fail:
	nr_host_free(h);
	return r;
}

void nr_host_free(struct nr_host *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->nresp; i++)
		nr_responder_free(h->resp[i]);
	for (size_t i = 0; i < h->npend; i++)
		free(h->pend[i].pkt);
	nr_stack_free(h->stack);
	free(h->pend);
	free(h->scratch);
	free(h->txq_lens);
	free(h->txq);
	free(h);
}

static int host_add_connected(struct nr_host *h, const struct nr_prefix *p, bool with_src)
{
	struct nr_nexthop nh = {.ifindex = h->cfg.ifindex, .weight = 1};
	struct nr_route rt;
	int r;

	if (p->len == nr_addr_bits(p->addr.family))
		return 0; /* a host route to ourselves: nothing on-link */
	memset(&rt, 0, sizeof(rt));
	rt.family = p->addr.family;
	rt.type = NR_RTN_UNICAST;
	rt.protocol = RTPROT_KERNEL;
	rt.scope = NR_SCOPE_LINK;
	rt.table = NR_TABLE_MAIN;
	rt.metric = p->addr.family == AF_INET6 ? 256 : 0;
	rt.dst = *p;
	nr_addr_mask(&rt.dst.addr, p->len);
	if (with_src && p->addr.family == AF_INET)
		rt.prefsrc = p->addr;
	rt.nh_count = 1;
	rt.nh = &nh;
	r = nr_stack_route_add(h->stack, &rt);
	return r == -EEXIST ? 0 : r;
}

static int host_add_entry(struct nr_host *h, const struct nr_prefix *p, bool range)
{
	struct nr_host_addr e = {.p = *p, .range = range};
	struct nr_addr first;
	int r;

	if (!h || !p || (p->addr.family != AF_INET && p->addr.family != AF_INET6) ||
	    p->len > nr_addr_bits(p->addr.family))
		return -EINVAL;
	if (range) {
		struct nr_addr m = p->addr;

		nr_addr_mask(&m, p->len);
		if (!nr_addr_eq(&m, &p->addr))
			return -EINVAL;
		entry_first(&e, &first);
		/* A range that holds nothing usable (multicast, loopback, ::/0 ...). */
		if (addr_unusable(&first) || p->len < (p->addr.family == AF_INET ? 8u : 16u))
			return -EINVAL;
	} else if (addr_unusable(&p->addr)) {
		return -EINVAL;
	}
	for (size_t i = 0; i < h->naddrs; i++) {
		const struct nr_host_addr *o = &h->addrs[i];

		if (o->p.addr.family != p->addr.family)
			continue;
		if (range ? (o->range ? nr_prefix_contains(&o->p, &p->addr) ||
						nr_prefix_contains(p, &o->p.addr)
				      : nr_prefix_contains(p, &o->p.addr))
			  : entry_owns(o, &p->addr))
			return -EEXIST;
	}
	if (h->naddrs >= NR_HOST_ADDR_MAX)
		return -ENOSPC;
	r = host_add_connected(h, p, !range);
	if (r < 0)
		return r;
	if (!range) {
		struct nr_ifaddr ia;

		memset(&ia, 0, sizeof(ia));
		ia.local = *p;
		ia.scope = p->addr.family == AF_INET6 && v6_is_linklocal(&p->addr) ? NR_SCOPE_LINK
										     : NR_SCOPE_UNIVERSE;
		ia.flags = NR_IFA_F_PERMANENT | (p->addr.family == AF_INET6 ? NR_IFA_F_NODAD : 0);
		ia.valid_lft = ia.preferred_lft = UINT32_MAX;
		r = nr_iface_addr_add(nr_stack_ifaces(h->stack), h->cfg.ifindex, &ia);
		if (r < 0 && r != -EEXIST)
			return r;
	}
	if (e.p.addr.family == AF_INET) {
		h->v4[h->nv4].addr = nr_load_be32(e.p.addr.bytes);
		h->v4[h->nv4].mask = mask4(e.p.len);
		h->v4[h->nv4].len = e.p.len;
		h->v4[h->nv4].range = e.range;
		h->nv4++;
	}
	h->addrs[h->naddrs++] = e;
	return 0;
}

int nr_host_add_addr(struct nr_host *h, const struct nr_prefix *p)
{
	return host_add_entry(h, p, false);
}

int nr_host_add_range(struct nr_host *h, const struct nr_prefix *p)
{
	return host_add_entry(h, p, true);
}

int nr_host_exclude(struct nr_host *h, const struct nr_addr *a)
{
	if (!h || !a || (a->family != AF_INET && a->family != AF_INET6))
		return -EINVAL;
	for (size_t i = 0; i < h->naddrs; i++)
		if (!h->addrs[i].range && nr_addr_eq(&h->addrs[i].p.addr, a))
			return -EINVAL;
	for (size_t i = 0; i < h->nexcl; i++)
		if (nr_addr_eq(&h->excl[i], a))
			return -EEXIST;
	if (h->nexcl >= NR_HOST_ADDR_MAX)
		return -ENOSPC;
	h->excl[h->nexcl++] = *a;
	return 0;
}

int nr_host_set_gateway(struct nr_host *h, const struct nr_addr *gw)
{
	struct nr_nexthop nh = {.ifindex = 0, .weight = 1};
	struct nr_route rt;

	if (!h || !gw || addr_unusable(gw))
		return -EINVAL;
	nh.gw = *gw;
	nh.ifindex = h->cfg.ifindex;
	memset(&rt, 0, sizeof(rt));
	rt.family = gw->family;
	rt.type = NR_RTN_UNICAST;
	rt.protocol = RTPROT_STATIC;
	rt.scope = NR_SCOPE_UNIVERSE;
	rt.table = NR_TABLE_MAIN;
	rt.metric = gw->family == AF_INET6 ? 1024 : 0;
	rt.dst.addr.family = gw->family;
	rt.nh_count = 1;
	rt.nh = &nh;
	return nr_stack_route_add(h->stack, &rt);
}

size_t nr_host_addr_count(const struct nr_host *h)
{
	return h ? h->naddrs : 0;
}

const struct nr_host_addr *nr_host_addr_at(const struct nr_host *h, size_t i)
{
	return h && i < h->naddrs ? &h->addrs[i] : NULL;
}

int nr_host_attach(struct nr_host *h, struct nr_responder *r)
{
	if (!h || !r)
		return -EINVAL;
	if (h->nresp >= NR_HOST_RESPONDER_MAX)
		return -ENOSPC;
	for (unsigned k = 0; k < 3; k++) {
		static const uint16_t types[3] = {NR_ETHERTYPE_ARP, NR_ETHERTYPE_IPV4,
						  NR_ETHERTYPE_IPV6};

		if (!r->ops->ethertype || r->ops->ethertype == types[k])
			h->resp_of[k][h->nresp_of[k]++] = (uint8_t)h->nresp;
	}
	h->resp[h->nresp++] = r;
	return 0;
}

int nr_host_attach_by_name(struct nr_host *h, const char *name, const char *options)
{
	struct nr_responder *r = NULL;
	int err;

	if (!h || !name)
		return -EINVAL;
	err = nr_responder_new_by_name(name, &r);
	if (err < 0)
		return err;
	if (options && *options) {
		err = nr_responder_set_options(r, options);
		if (err < 0)
			goto fail;
	}
	err = nr_host_attach(h, r);
	if (err < 0)
		goto fail;
	return 0;
fail:
	nr_responder_free(r);
	return err;
}

size_t nr_host_responder_count(const struct nr_host *h)
{
	return h ? h->nresp : 0;
}

struct nr_responder *nr_host_responder_at(const struct nr_host *h, size_t i)
{
	return h && i < h->nresp ? h->resp[i] : NULL;
}

const struct nr_host_config *nr_host_config(const struct nr_host *h)
{
	return h ? &h->cfg : NULL;
}

struct nr_stack *nr_host_stack(struct nr_host *h)
{
	return h ? h->stack : NULL;
}

const struct nr_host_stats *nr_host_stats(const struct nr_host *h)
{
	return h ? &h->stats : NULL;
}

/* ------------------------------------------------------------------ */
/* Output queue                                                        */

/* Index of the i-th queued frame (i <= txq_len): a wrap, not a division. */
static size_t txq_index(const struct nr_host *h, size_t i)
{
	size_t k = h->txq_head + i;

	return k >= h->cfg.txq_len ? k - h->cfg.txq_len : k;
}

static uint8_t *txq_slot(const struct nr_host *h, size_t i)
{
	return h->txq + txq_index(h, i) * h->frame_max;
}

/* The next free slot, or NULL when the queue is full. */
static uint8_t *txq_reserve(struct nr_host *h)
{
	if (h->txq_count >= h->cfg.txq_len)
		return NULL;
	return txq_slot(h, h->txq_count);
}

static void txq_commit(struct nr_host *h, size_t len)
{
	h->txq_lens[txq_index(h, h->txq_count)] = len;
	h->txq_count++;
	h->stats.tx++;
}

int nr_host_output_peek(const struct nr_host *h, const uint8_t **ret_frame, size_t *ret_len)
{
	if (!h || !ret_frame || !ret_len)
		return -EINVAL;
	if (h->txq_count == 0)
		return -EAGAIN;
	*ret_frame = txq_slot(h, 0);
	*ret_len = h->txq_lens[h->txq_head];
	return 0;
}

void nr_host_output_pop(struct nr_host *h)
{
	if (!h || h->txq_count == 0)
		return;
	h->txq_head = txq_index(h, 1);
	h->txq_count--;
}

size_t nr_host_output_count(const struct nr_host *h)
{
	return h ? h->txq_count : 0;
}

/* Ethernet header at f; the L3 packet of len bytes follows. Returns the frame length. */
static size_t eth_frame(uint8_t *f, const uint8_t dst[6], const uint8_t src[6], uint16_t type,
			size_t len)
{
	size_t n = NR_ETH_HLEN + len;

	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	nr_store_be16(f + 12, type);
	if (n < NR_ETH_MIN_FRAME) {
		memset(f + n, 0, NR_ETH_MIN_FRAME - n);
		n = NR_ETH_MIN_FRAME;
	}
	return n;
}

static size_t l2_hlen(const struct nr_host *h)
{
	return h->cfg.link == NR_HOST_LINK_ETHERNET ? NR_ETH_HLEN : 0;
}

/* ------------------------------------------------------------------ */
/* Originated packets and solicitations                                */

static struct pending *pending_find(struct nr_host *h, uint64_t handle)
{
	for (size_t i = 0; i < h->npend; i++)
		if (h->pend[i].handle == handle)
			return &h->pend[i];
	return NULL;
}

static void pending_remove(struct nr_host *h, struct pending *p)
{
	size_t i = (size_t)(p - h->pend);

	free(p->pkt);
	/* Keep arrival order: release order is the cache's, lookups are by handle. */
	memmove(&h->pend[i], &h->pend[i + 1], (h->npend - i - 1) * sizeof(h->pend[0]));
	h->npend--;
}

static void ip_src_of(const uint8_t *pkt, struct nr_addr *ret)
{
	memset(ret, 0, sizeof(*ret));
	if ((pkt[0] >> 4) == 4) {
		ret->family = AF_INET;
		memcpy(ret->bytes, pkt + 12, 4);
	} else {
		ret->family = AF_INET6;
		memcpy(ret->bytes, pkt + 8, 16);
	}
}

/* Frame an IP packet to dst_mac and queue it. */
static int queue_ip(struct nr_host *h, const uint8_t *pkt, size_t len, const uint8_t dst_mac[6])
{
	uint8_t *slot = txq_reserve(h);
	uint8_t src_mac[6];
	struct nr_addr src;

	if (!slot) {
		h->stats.drop[NR_HOST_DROP_TXQ_FULL]++;
		return -ENOBUFS;
	}
	if (h->cfg.link == NR_HOST_LINK_IP) {
		memcpy(slot, pkt, len);
		txq_commit(h, len);
		return 0;
	}
	ip_src_of(pkt, &src);
	nr_host_mac_for(h, &src, src_mac);
	memcpy(slot + NR_ETH_HLEN, pkt, len);
	txq_commit(h, eth_frame(slot, dst_mac, src_mac,
				(pkt[0] >> 4) == 4 ? NR_ETHERTYPE_IPV4 : NR_ETHERTYPE_IPV6, len));
	return 0;
}

/* An ARP request or NS for target (to lladdr when unicast, else broadcast / solicited-node). */
static void send_solicit(struct nr_host *h, const struct nr_addr *target,
			 const struct nr_lladdr *lladdr, bool unicast)
{
	uint8_t *slot, mac[6], dst_mac[6];
	struct nr_addr src;
	int n;

	if (nr_host_pick_source(h, target->family, target, &src) < 0) {
		h->stats.drop[NR_HOST_DROP_NO_SOURCE]++;
		return;
	}
	if (unicast && (!lladdr || lladdr->len != 6))
		unicast = false;
	slot = txq_reserve(h);
	if (!slot) {
		h->stats.drop[NR_HOST_DROP_TXQ_FULL]++;
		return;
	}
	nr_host_mac_for(h, &src, mac);
	if (target->family == AF_INET) {
		struct nr_arp a;

		nr_arp_init_eth_ipv4(&a, NR_ARP_OP_REQUEST, mac, &src, NULL, target);
		n = nr_arp_encode(&a, slot + NR_ETH_HLEN, h->frame_max - NR_ETH_HLEN);
		if (n < 0)
			return;
		memcpy(dst_mac, unicast ? lladdr->bytes : mac_bcast, 6);
		txq_commit(h, eth_frame(slot, dst_mac, mac, NR_ETHERTYPE_ARP, (size_t)n));
	} else {
		struct nr_ndp ns;
		struct nr_ipv6 ip;
		struct nr_addr dst;

		memset(&ns, 0, sizeof(ns));
		ns.type = NR_ICMP6_NEIGHBOR_SOLICIT;
		ns.target = *target;
		ns.has_sllao = true;
		ns.sllao.len = 6;
		memcpy(ns.sllao.bytes, mac, 6);
		if (unicast) {
			dst = *target;
			memcpy(dst_mac, lladdr->bytes, 6);
		} else {
			nr_ndp_solicited_node(target, &dst);
			dst_mac[0] = dst_mac[1] = 0x33;
			memcpy(dst_mac + 2, dst.bytes + 12, 4);
		}
		n = nr_ndp_encode(&ns, &src, &dst, slot + NR_ETH_HLEN + NR_IPV6_HLEN,
				  h->frame_max - NR_ETH_HLEN - NR_IPV6_HLEN);
		if (n < 0)
			return;
		memset(&ip, 0, sizeof(ip));
		ip.next_header = NR_IPPROTO_ICMPV6;
		ip.hop_limit = 255;
		ip.src = src;
		ip.dst = dst;
		ip.payload = slot + NR_ETH_HLEN + NR_IPV6_HLEN;
		ip.payload_len = (size_t)n;
		n = nr_ipv6_encode(&ip, slot + NR_ETH_HLEN, h->frame_max - NR_ETH_HLEN);
		if (n < 0)
			return;
		txq_commit(h, eth_frame(slot, dst_mac, mac, NR_ETHERTYPE_IPV6, (size_t)n));
	}
	h->stats.solicits++;
}

/* Carry out what the neighbour cache asks. */
static void do_action(struct nr_host *h, const struct nr_neigh_action *act)
{
	switch (act->kind) {
	case NR_NEIGH_ACT_SOLICIT_MCAST:
		send_solicit(h, &act->addr, NULL, false);
		break;
	case NR_NEIGH_ACT_PROBE_UCAST:
		send_solicit(h, &act->addr, &act->lladdr, true);
		break;
	case NR_NEIGH_ACT_SEND_QUEUED:
		for (uint16_t i = 0; i < act->nhandles; i++) {
			struct pending *p = pending_find(h, act->handles[i]);

			if (!p)
				continue; /* a resolve marker */
			if (act->lladdr.len == 6)
				(void)queue_ip(h, p->pkt, p->len, act->lladdr.bytes);
			else
				h->stats.drop[NR_HOST_DROP_UNRESOLVED]++;
			pending_remove(h, p);
		}
		break;
	case NR_NEIGH_ACT_DROP_QUEUED:
		for (uint16_t i = 0; i < act->nhandles; i++) {
			struct pending *p = pending_find(h, act->handles[i]);

			if (!p)
				continue;
			h->stats.drop[NR_HOST_DROP_UNRESOLVED]++;
			pending_remove(h, p);
		}
		break;
	default:
		break;
	}
}

/*
 * The next hop towards dst. 1 with mac filled when no resolution is needed
 * (multicast, broadcast, own address); 0 with nexthop filled; or an error.
 */
static int l2_dest(const struct nr_host *h, const struct nr_addr *dst, uint8_t mac[6],
		   struct nr_addr *nexthop)
{
	struct nr_route_query q;
	struct nr_route_result res;
	int r;

	if (dst->family == AF_INET) {
		uint32_t v = nr_addr_v4(dst);

		if (v == 0 || (v >> 24) == 127)
			return -EINVAL;
		if (v4_multicast(v)) {
			mac[0] = 0x01;
			mac[1] = 0x00;
			mac[2] = 0x5e;
			mac[3] = dst->bytes[1] & 0x7f;
			mac[4] = dst->bytes[2];
			mac[5] = dst->bytes[3];
			return 1;
		}
		if (nr_host_is_broadcast4(h, dst)) {
			memcpy(mac, mac_bcast, 6);
			return 1;
		}
	} else if (dst->family == AF_INET6) {
		if (nr_addr_is_unspec(dst) || v6_is_loopback(dst))
			return -EINVAL;
		if (v6_is_multicast(dst)) {
			mac[0] = mac[1] = 0x33;
			memcpy(mac + 2, dst->bytes + 12, 4);
			return 1;
		}
	} else {
		return -EAFNOSUPPORT;
	}
	if (nr_host_owns(h, dst)) {
		/* Never solicit for ourselves (Scapy's getmacbyip does, see its reference 9.5/9.22). */
		nr_host_mac_for(h, dst, mac);
		return 1;
	}
	if (dst->family == AF_INET6 && v6_is_linklocal(dst)) {
		*nexthop = *dst; /* one link: link-local is on it */
		return 0;
	}
	memset(&q, 0, sizeof(q));
	q.dst = *dst;
	/* Both families through the stack's decision engine: rules, tables, metrics. */
	r = nr_stack_route_get(h->stack, &q, &res);
	if (r < 0)
		return r;
	if (res.error)
		return res.error;
	switch (res.type) {
	case NR_RTN_BROADCAST:
		memcpy(mac, mac_bcast, 6);
		return 1;
	case NR_RTN_UNICAST:
		break;
	default:
		return -ENETUNREACH;
	}
	if (res.ifindex != h->cfg.ifindex)
		return -ENETUNREACH;
	*nexthop = res.gateway.family == dst->family ? res.gateway : *dst;
	return 0;
}

int nr_host_send_ip(struct nr_host *h, const uint8_t *pkt, size_t len, uint64_t now_ns)
{
	struct nr_neigh_action act;
	struct nr_lladdr ll;
	struct nr_addr dst, nexthop;
	uint8_t mac[6];
	uint64_t handle;
	int r;

	if (!h || !pkt)
		return -EINVAL;
	if (len > h->cfg.mtu)
		return -EMSGSIZE;
	if (len >= 1 && (pkt[0] >> 4) == 4) {
		struct nr_ipv4 ip;

		if (nr_ipv4_decode(pkt, len, &ip, NULL) < 0 || ip.total_len != len)
			return -EBADMSG;
		dst = ip.dst;
	} else if (len >= 1 && (pkt[0] >> 4) == 6) {
		struct nr_ipv6 ip;

		if (nr_ipv6_decode(pkt, len, &ip, NULL) < 0 || NR_IPV6_HLEN + ip.payload_len != len)
			return -EBADMSG;
		dst = ip.dst;
	} else {
		return -EBADMSG;
	}
	r = l2_dest(h, &dst, mac, &nexthop);
	if (r < 0)
		return r;
	if (h->cfg.link == NR_HOST_LINK_IP || r == 1)
		return queue_ip(h, pkt, len, mac);
	if (h->npend >= h->cfg.pending_max)
		return -ENOBUFS;
	handle = h->next_handle++ & ~HANDLE_MARKER;
	r = nr_neigh_resolve(nr_stack_neigh(h->stack), h->cfg.ifindex, &nexthop, handle, now_ns,
			     &ll, &act);
	if (r == 0) {
		if (ll.len != 6)
			return -EHOSTUNREACH; /* a NOARP entry without an address */
		return queue_ip(h, pkt, len, ll.bytes);
	}
	if (r != -EINPROGRESS)
		return r;
	h->pend[h->npend].pkt = malloc(len);
	if (!h->pend[h->npend].pkt) {
		/* The handle waits in the cache without a packet: it is skipped on release. */
		do_action(h, &act);
		return -ENOMEM;
	}
	memcpy(h->pend[h->npend].pkt, pkt, len);
	h->pend[h->npend].len = len;
	h->pend[h->npend].handle = handle;
	h->npend++;
	do_action(h, &act);
	return -EINPROGRESS;
}

/*
 * What resolve and resolve_poll share: 0 with *ret_lladdr set when the
 * answer needs no neighbour entry (multicast, broadcast, own address),
 * 1 with *ret_nexthop set when it does, or a negative errno.
 */
static int resolve_direct(const struct nr_host *h, const struct nr_addr *dst,
			  struct nr_lladdr *ret_lladdr, struct nr_addr *ret_nexthop)
{
	uint8_t mac[6];
	int r;

	if (!h || !dst || !ret_lladdr)
		return -EINVAL;
	if (h->cfg.link != NR_HOST_LINK_ETHERNET)
		return -EAFNOSUPPORT;
	r = l2_dest(h, dst, mac, ret_nexthop);
	if (r < 0)
		return r;
	if (r == 1) {
		ret_lladdr->len = 6;
		memcpy(ret_lladdr->bytes, mac, 6);
		return 0;
	}
	return 1;
}

int nr_host_resolve(struct nr_host *h, const struct nr_addr *dst, uint64_t now_ns,
		    struct nr_lladdr *ret_lladdr)
{
	struct nr_neigh_action act;
	struct nr_lladdr ll;
	struct nr_addr nexthop;
	int r;

	r = resolve_direct(h, dst, ret_lladdr, &nexthop);
	if (r <= 0)
		return r;
	r = nr_neigh_resolve(nr_stack_neigh(h->stack), h->cfg.ifindex, &nexthop,
			     HANDLE_MARKER | h->next_handle++, now_ns, &ll, &act);
	if (r == 0) {
		if (ll.len == 0)
			return -EHOSTUNREACH;
		*ret_lladdr = ll;
		return 0;
	}
	if (r == -EINPROGRESS)
		do_action(h, &act);
	return r;
}

int nr_host_resolve_poll(const struct nr_host *h, const struct nr_addr *dst,
			 struct nr_lladdr *ret_lladdr)
{
	const struct nr_neigh_entry *e;
	struct nr_addr nexthop;
	int r;

	r = resolve_direct(h, dst, ret_lladdr, &nexthop);
	if (r <= 0)
		return r;
	e = nr_neigh_lookup(nr_stack_neigh_const(h->stack), h->cfg.ifindex, &nexthop);
	if (!e)
		return -ENOENT;
	if (e->state == NR_NEIGH_INCOMPLETE)
		return -EINPROGRESS;
	if (e->state == NR_NEIGH_FAILED)
		return -EHOSTUNREACH;
	if (e->lladdr.len == 0)
		return -ENOENT;
	*ret_lladdr = e->lladdr;
	return 0;
}

uint64_t nr_host_next_deadline(const struct nr_host *h, uint64_t now_ns)
{
	uint64_t d;

	if (!h)
		return NR_NEIGH_NO_DEADLINE;
	d = nr_neigh_next_deadline(nr_stack_neigh_const(h->stack), now_ns);
	for (size_t i = 0; i < h->nresp; i++) {
		const struct nr_responder *r = h->resp[i];

		if (r->ops->next_deadline) {
			uint64_t rd = r->ops->next_deadline(r);

			if (rd < d)
				d = rd;
		}
	}
	return d;
}

/* Replies responders scheduled for now or earlier; a bounded number per call. */
static void responders_tick(struct nr_host *h, uint64_t now_ns)
{
	size_t hl = l2_hlen(h);
	struct nr_resp_in in;

	memset(&in, 0, sizeof(in));
	in.host = h;
	in.now_ns = now_ns;
	for (size_t i = 0; i < h->nresp; i++) {
		struct nr_responder *r = h->resp[i];

		for (unsigned k = 0; k < 8 && r->ops->tick && r->ops->next_deadline &&
				     r->ops->next_deadline(r) <= now_ns;
		     k++) {
			uint8_t *slot = txq_reserve(h);
			uint8_t *buf = slot ? slot : h->scratch;
			struct nr_resp_out out;

			memset(&out, 0, sizeof(out));
			out.buf = buf + hl;
			out.cap = h->frame_max - hl;
			if (r->ops->tick(r, &in, &out) != NR_RESP_REPLY)
				break;
			if (!slot) {
				h->stats.drop[NR_HOST_DROP_TXQ_FULL]++;
				continue;
			}
			if (out.len > out.cap)
				abort(); /* a responder wrote past its buffer */
			h->stats.replies++;
			if (hl)
				txq_commit(h, eth_frame(slot, out.dst_mac, out.src_mac, out.ethertype,
							out.len));
			else
				txq_commit(h, out.len);
		}
	}
}

int nr_host_tick(struct nr_host *h, uint64_t now_ns)
{
	struct nr_neigh_action acts[TICK_BATCH];
	uint64_t before;
	size_t n, rounds;

	if (!h)
		return -EINVAL;
	before = h->stats.tx;
	/* Each full batch leaves the rest due; every entry acts at most once per call. */
	rounds = nr_neigh_count(nr_stack_neigh_const(h->stack)) / TICK_BATCH + 2;
	do {
		int r = nr_neigh_tick(nr_stack_neigh(h->stack), now_ns, acts, TICK_BATCH, &n);

		if (r < 0)
			return r;
		for (size_t i = 0; i < n; i++)
			do_action(h, &acts[i]);
	} while (n == TICK_BATCH && --rounds);
	responders_tick(h, now_ns);
	return (int)(h->stats.tx - before);
}

int nr_host_learn_solicit(struct nr_host *h, const struct nr_addr *addr,
			  const struct nr_lladdr *lladdr, uint64_t now_ns)
{
	struct nr_neigh_action act;
	int r;

	r = nr_neigh_on_solicit_received(nr_stack_neigh(h->stack), h->cfg.ifindex, addr, lladdr,
					 now_ns, &act);
	if (r < 0)
		return r;
	do_action(h, &act);
	return 0;
}

static void learn_advert(struct nr_host *h, const struct nr_addr *addr,
			 const struct nr_lladdr *lladdr, unsigned flags, uint64_t now_ns)
{
	struct nr_neigh_action act;

	if (nr_neigh_on_advert_received(nr_stack_neigh(h->stack), h->cfg.ifindex, addr, lladdr,
					flags, now_ns, &act) == 0)
		do_action(h, &act);
}

/* ------------------------------------------------------------------ */
/* Ingress                                                             */

/*
 * Resolution traffic the host consumes itself: ARP replies (and the
 * update half of a gratuitous ARP), Neighbour Advertisements. Returns true
 * when the packet is consumed.
 */
static bool host_resolution_input(struct nr_host *h, const struct nr_resp_in *in,
				  const struct nr_arp *arp)
{
	if (arp) {
		struct nr_addr spa, tpa;
		struct nr_lladdr sha;

		if (!nr_arp_is_eth_ipv4(arp))
			return false;
		(void)nr_arp_spa(arp, &spa);
		(void)nr_arp_tpa(arp, &tpa);
		nr_arp_sha(arp, &sha);
		if (nr_addr_is_unspec(&spa) || (sha.bytes[0] & 1) || addr_unusable(&spa))
			return arp->op == NR_ARP_OP_REPLY; /* nothing to learn from it */
		if (arp->op == NR_ARP_OP_REPLY) {
			/* To us: an answer (kernel arp_process: REACHABLE, override). */
			unsigned flags = NR_NEIGH_F_OVERRIDE;

			if (nr_host_owns(h, &tpa))
				flags |= NR_NEIGH_F_SOLICITED;
			learn_advert(h, &spa, &sha, flags, in->now_ns);
			h->stats.adverts++;
			return true;
		}
		if (arp->op == NR_ARP_OP_REQUEST && nr_addr_eq(&spa, &tpa))
			/* An announcement: update an entry we have, create none. */
			learn_advert(h, &spa, &sha, NR_NEIGH_F_OVERRIDE, in->now_ns);
		return false;
	}
	if (in->ip6 && in->ip6->upper_proto == NR_IPPROTO_ICMPV6 && in->ip6->upper_len >= 1 &&
	    in->ip6->upper[0] == NR_ICMP6_NEIGHBOR_ADVERT && !in->ip6->is_fragment) {
		struct nr_ndp na;
		enum nr_wire_reason why = NR_WIRE_OK;
		unsigned flags = 0;

		if (nr_ndp_decode(in->ip6->upper, in->ip6->upper_len, &in->ip6->src, &in->ip6->dst,
				  in->ip6->hop_limit, &na, &why) < 0) {
			h->stats.wire[why]++;
			return true;
		}
		if (na.solicited)
			flags |= NR_NEIGH_F_SOLICITED;
		if (na.override)
			flags |= NR_NEIGH_F_OVERRIDE;
		if (na.router)
			flags |= NR_NEIGH_F_ROUTER;
		learn_advert(h, &na.target, na.has_tllao ? &na.tllao : NULL, flags, in->now_ns);
		h->stats.adverts++;
		return true;
	}
	return false;
}

/* The address a frame is aimed at, for the MAC check; false when none. */
static bool frame_target(const struct nr_resp_in *in, const struct nr_arp *arp,
			 struct nr_addr *ret)
{
	if (arp)
		return nr_arp_is_eth_ipv4(arp) && nr_arp_tpa(arp, ret) == 0;
	if (in->ip4) {
		*ret = in->ip4->dst;
		return true;
	}
	if (in->ip6) {
		*ret = in->ip6->dst;
		return true;
	}
	return false;
}

static bool mac_accepts(const struct nr_host *h, const struct nr_resp_in *in,
			const struct nr_arp *arp)
{
	struct nr_addr target;
	uint8_t mac[6];

	if (!in->eth || in->l2_group || h->cfg.promisc)
		return true;
	if (frame_target(in, arp, &target) && nr_host_owns(h, &target)) {
		nr_host_mac_for(h, &target, mac);
		return memcmp(mac, in->eth->dst, 6) == 0;
	}
	return nr_host_mac_is_own(h, in->eth->dst);
}

static int host_demux(struct nr_host *h, struct nr_resp_in *in, const struct nr_arp *arp)
{
	size_t hl = l2_hlen(h);
	uint8_t *slot, *buf;
	unsigned kind;

	if (!mac_accepts(h, in, arp)) {
		h->stats.drop[NR_HOST_DROP_NOT_FOR_US]++;
		return 0;
	}
	if (in->eth && nr_host_mac_is_own(h, in->eth->src)) {
		h->stats.drop[NR_HOST_DROP_OWN_FRAME]++;
		return 0;
	}
	if (host_resolution_input(h, in, arp))
		return 0; /* packets it released are counted by the caller from stats.tx */

	/* Nothing is queued while the responders are asked: one slot serves them all. */
	slot = txq_reserve(h);
	buf = slot ? slot : h->scratch;
	/* A responder of one ethertype would pass the others: only this kind's are asked. */
	kind = in->ethertype == NR_ETHERTYPE_ARP ? 0 : in->ethertype == NR_ETHERTYPE_IPV4 ? 1 : 2;
	for (size_t i = 0; i < h->nresp_of[kind]; i++) {
		struct nr_responder *r = h->resp[h->resp_of[kind][i]];
		struct nr_resp_out out;
		enum nr_resp_verdict v;

		memset(&out, 0, sizeof(out));
		out.buf = buf + hl;
		out.cap = h->frame_max - hl;
		v = r->ops->input(r, in, &out);
		if (v == NR_RESP_PASS)
			continue;
		if (v == NR_RESP_DROP || v == NR_RESP_LATER)
			return 0;
		if (!slot) {
			h->stats.drop[NR_HOST_DROP_TXQ_FULL]++;
			return 0;
		}
		if (out.len > out.cap)
			abort(); /* a responder wrote past its buffer: memory is already corrupt */
		h->stats.replies++;
		if (hl)
			txq_commit(h, eth_frame(slot, out.dst_mac, out.src_mac, out.ethertype, out.len));
		else
			txq_commit(h, out.len);
		return 1;
	}
	h->stats.drop[NR_HOST_DROP_UNHANDLED]++;
	return 0;
}

int nr_host_input(struct nr_host *h, const uint8_t *frame, size_t len, uint64_t now_ns)
{
	enum nr_wire_reason why = NR_WIRE_OK;
	struct nr_resp_in in;
	struct nr_eth eth;
	struct nr_ipv4 ip4;
	struct nr_ipv6 ip6;
	struct nr_arp arp;
	const struct nr_arp *arpp = NULL;
	uint64_t tx_before;

	if (!h || (!frame && len))
		return -EINVAL;
	h->stats.rx++;
	tx_before = h->stats.tx;
	memset(&in, 0, sizeof(in));
	in.host = h;
	in.now_ns = now_ns;
	if (h->cfg.link == NR_HOST_LINK_ETHERNET) {
		if (nr_eth_decode(frame, len, &eth, &why) < 0) {
			h->stats.wire[why]++;
			return 0;
		}
		if (eth.has_vlan) {
			h->stats.drop[NR_HOST_DROP_VLAN]++;
			return 0;
		}
		in.eth = &eth;
		in.l2_group = (eth.dst[0] & 1) != 0;
		in.ethertype = eth.ethertype;
		in.l3 = eth.payload;
		in.l3_len = eth.payload_len;
	} else {
		if (len < 1) {
			h->stats.wire[NR_WIRE_TRUNCATED]++;
			return 0;
		}
		switch (frame[0] >> 4) {
		case 4:
			in.ethertype = NR_ETHERTYPE_IPV4;
			break;
		case 6:
			in.ethertype = NR_ETHERTYPE_IPV6;
			break;
		default:
			h->stats.wire[NR_WIRE_BAD_VERSION]++;
			return 0;
		}
		in.l3 = frame;
		in.l3_len = len;
	}
	switch (in.ethertype) {
	case NR_ETHERTYPE_ARP:
		if (nr_arp_decode(in.l3, in.l3_len, &arp, &why) < 0) {
			h->stats.wire[why]++;
			return 0;
		}
		arpp = &arp;
		break;
	case NR_ETHERTYPE_IPV4:
		if (nr_ipv4_decode(in.l3, in.l3_len, &ip4, &why) < 0) {
			h->stats.wire[why]++;
			return 0;
		}
		in.ip4 = &ip4;
		break;
	case NR_ETHERTYPE_IPV6:
		if (nr_ipv6_decode(in.l3, in.l3_len, &ip6, &why) < 0) {
			h->stats.wire[why]++;
			return 0;
		}
		in.ip6 = &ip6;
		break;
	default:
		h->stats.drop[NR_HOST_DROP_ETHERTYPE]++;
		return 0;
	}
	(void)host_demux(h, &in, arpp);
	return (int)(h->stats.tx - tx_before);
}
