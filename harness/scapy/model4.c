/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * conf.route of Scapy 2.5.0: the list arch/linux.py:read_routes() builds
 * on Linux, and route.py:Route.route().
 */
#include "scapy/model_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t mask_of(unsigned plen)
{
	return plen == 0 ? 0 : (uint32_t)(0xffffffffu << (32 - plen));
}

/*
 * SIOCGIFADDR / SIOCGIFNETMASK on name, as devinet_ioctl answers them
 * when the request carries no address (Scapy packs "16s16x"): the device
 * is the name up to ':', and the address its first one whose label is the
 * whole name. -ENODEV, -EADDRNOTAVAIL.
 */
static int siocgifaddr(const struct nr_iface_table *t, const char *name, uint32_t *ret_addr,
		       uint32_t *ret_mask)
{
	char dev[NR_IFNAMSIZ];
	const struct nr_iface *ifc;
	size_t len = strcspn(name, ":");

	if (len >= sizeof(dev))
		return -ENODEV;
	memcpy(dev, name, len);
	dev[len] = '\0';
	ifc = nr_iface_by_name(t, dev);
	if (!ifc)
		return -ENODEV;
	for (size_t i = 0; i < ifc->naddrs; i++) {
		const struct nr_ifaddr *a = &ifc->addrs[i];
		const char *label = a->label[0] ? a->label : ifc->name;

		if (a->local.addr.family != AF_INET || strcmp(label, name))
			continue;
		*ret_addr = nr_addr_v4(&a->local.addr);
		*ret_mask = mask_of(a->local.len);
		return 0;
	}
	return -EADDRNOTAVAIL;
}

/* SIOCGIFCONF with Scapy's 4096-byte buffer: 102 struct ifreq of 40 bytes. */
#define IFCONF_MAX 102

/* arch/linux.py:get_alias_address(). Returns true when r was replaced. */
static bool alias_address(const struct nr_iface_table *t, struct nr_scapy_route4 *r)
{
	const struct nr_iface *ifc;
	size_t seen = 0;
	size_t ilen = strlen(r->iface);

	for (size_t i = 0; (ifc = nr_iface_at(t, i)) && seen < IFCONF_MAX; i++) {
		for (size_t j = 0; j < ifc->naddrs && seen < IFCONF_MAX; j++) {
			const struct nr_ifaddr *a = &ifc->addrs[j];
			const char *label = a->label[0] ? a->label : ifc->name;
			const char *colon;
			uint32_t addr, mask;

			if (a->local.addr.family != AF_INET)
				continue;
			seen++;
			if (strncmp(label, r->iface, ilen))
				continue;
			if (siocgifaddr(t, label, &addr, &mask) < 0)
				continue; /* Scapy would raise here; a label names its own device */
			colon = strchr(label, ':');
			if (!colon)
				continue;
			if ((addr & mask) != r->net)
				continue;
			r->net = addr & mask;
			r->mask = mask;
			r->src = addr;
			snprintf(r->iface, sizeof(r->iface), "%.*s", (int)(colon - label), label);
			r->origin = NR_SCAPY_ALIAS;
			return true;
		}
	}
	return false;
}

/* fib_route_seq_show(): table main only, broadcast and multicast not listed. */
static bool listed4(const struct nr_route *r)
{
	return r->table == NR_TABLE_MAIN && r->type != NR_RTN_BROADCAST &&
	       r->type != NR_RTN_MULTICAST;
}

/* The fib trie lists by key (prefix address) ascending, then longer prefix first. */
static int proc_route_cmp(const struct nr_route *a, const struct nr_route *b)
{
	uint32_t ka = nr_addr_v4(&a->dst.addr) & mask_of(a->dst.len);
	uint32_t kb = nr_addr_v4(&b->dst.addr) & mask_of(b->dst.len);

	if (ka != kb)
		return ka < kb ? -1 : 1;
	if (a->dst.len != b->dst.len)
		return a->dst.len > b->dst.len ? -1 : 1;
	return 0;
}

int nr_scapy__build4(struct nr_scapy_model *m)
{
	const struct nr_route **order = NULL;
	uint32_t addr, mask;
	size_t n;
	int r;

	r = nr_scapy__proc_order(m->s, AF_INET, listed4, proc_route_cmp, &order, &n);
	if (r < 0)
		return r;
	m->r4 = calloc(n + 1, sizeof(*m->r4));
	if (!m->r4) {
		r = -ENOMEM;
		goto out;
	}
	/* The synthetic loopback route comes first (read_routes()). */
	if (siocgifaddr(m->ift, "lo", &addr, &mask) == 0) {
		struct nr_scapy_route4 *lo = &m->r4[m->n4++];

		lo->net = addr & mask;
		lo->mask = mask;
		snprintf(lo->iface, sizeof(lo->iface), "lo");
		lo->src = addr;
		lo->metric = 1;
		lo->origin = NR_SCAPY_SYNTH_LO;
	}
	for (size_t i = 0; i < n; i++) {
		const struct nr_route *kr = order[i];
		struct nr_scapy_route4 *e = &m->r4[m->n4];
		const struct nr_iface *dev = NULL;

		/* fib_flag_trans(): RTF_REJECT for unreachable and prohibit only. */
		if (kr->type == NR_RTN_UNREACHABLE || kr->type == NR_RTN_PROHIBIT)
			continue;
		memset(e, 0, sizeof(*e));
		if (kr->nh_count > 0) {
			dev = nr_iface_by_index(m->ift, kr->nh[0].ifindex);
			if (kr->nh[0].gw.family == AF_INET)
				e->gw = nr_addr_v4(&kr->nh[0].gw);
		}
		snprintf(e->iface, sizeof(e->iface), "%s", dev ? dev->name : "*");
		e->mask = mask_of(kr->dst.len);
		e->net = nr_addr_v4(&kr->dst.addr) & e->mask;
		e->metric = kr->metric;
		e->route = kr;
		if (siocgifaddr(m->ift, e->iface, &addr, &mask) == 0)
			e->src = addr;
		if ((e->src & e->mask) != e->net)
			alias_address(m->ift, e);
		m->n4++;
	}
	r = 0;
out:
	free(order);
	return r;
}

int nr_scapy__parse4(const char *dst, uint32_t *ret)
{
	char buf[256];
	char *p;
	struct in_addr in;

	if (!dst || !*dst)
		dst = "0.0.0.0";
	/* dst.split("/")[0].replace("*", "0"), then each "a-b" cut to its lower bound. */
	snprintf(buf, sizeof(buf), "%.*s", (int)strcspn(dst, "/"), dst);
	for (p = buf; *p; p++)
		if (*p == '*')
			*p = '0';
	while ((p = strchr(buf, '-'))) {
		size_t m = strcspn(p, ".");

		memmove(p, p + m, strlen(p + m) + 1);
	}
	/* atol(): socket.inet_aton (host names would go to DNS: not modelled). */
	if (!inet_aton(buf, &in))
		return -EINVAL;
	*ret = ntohl(in.s_addr);
	return 0;
}

static void v4text(uint32_t a, char *buf, size_t cap)
{
	snprintf(buf, cap, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

int nr_scapy__route4(const struct nr_scapy_model *m, const char *dst, struct nr_scapy_answer *ret,
		     ssize_t *ret_index)
{
	uint32_t d;
	bool found = false, best_lo = false;
	uint64_t best_mask = 0;
	uint32_t best_metric = 0;
	size_t best = 0;
	int r;

	r = nr_scapy__parse4(dst, &d);
	if (r < 0)
		return r;
	/*
	 * Candidates in list order; a stable sort by (-mask, metric) puts first
	 * the earliest candidate with the largest mask and, among those, the
	 * smallest metric.
	 */
	for (size_t i = 0; i < m->n4; i++) {
		const struct nr_scapy_route4 *e = &m->r4[i];
		struct {
			uint64_t mask;
			uint32_t metric;
			bool lo;
			bool ok;
		} cand[2] = {
			{0xffffffffu, 1, true, e->src == d},
			{e->mask, e->metric, false, (d & e->mask) == (e->net & e->mask)},
		};

		for (int k = 0; k < 2; k++) {
			if (!cand[k].ok)
				continue;
			if (!found || cand[k].mask > best_mask ||
			    (cand[k].mask == best_mask && cand[k].metric < best_metric)) {
				found = true;
				best_mask = cand[k].mask;
				best_metric = cand[k].metric;
				best = i;
				best_lo = cand[k].lo;
			}
		}
	}
	memset(ret, 0, sizeof(*ret));
	if (!found) {
		snprintf(ret->iface, sizeof(ret->iface), "lo");
		snprintf(ret->src, sizeof(ret->src), "0.0.0.0");
		snprintf(ret->gw, sizeof(ret->gw), "0.0.0.0");
		ret->no_route = true;
		if (ret_index)
			*ret_index = -1;
		return 0;
	}
	snprintf(ret->iface, sizeof(ret->iface), "%s", best_lo ? "lo" : m->r4[best].iface);
	v4text(m->r4[best].src, ret->src, sizeof(ret->src));
	v4text(best_lo ? 0 : m->r4[best].gw, ret->gw, sizeof(ret->gw));
	if (ret_index)
		/* -2 - i: the loopback candidate made from route i's source */
		*ret_index = best_lo ? -2 - (ssize_t)best : (ssize_t)best;
	return 0;
}
