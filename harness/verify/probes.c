/* SPDX-License-Identifier: BSD-2-Clause */
#include "verify/probes.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Variants per source/mark selector: enough to hit each rule many times
 * without multiplying the probe set. */
#define VARIANTS_PER_SELECTOR 48

static int push(struct nr_probe_set *p, const struct nr_route_query *q)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 1024;
		struct nr_route_query *nq = realloc(p->q, cap * sizeof(*nq));

		if (!nq)
			return -ENOMEM;
		p->q = nq;
		p->cap = cap;
	}
	p->q[p->n++] = *q;
	return 0;
}

static int push_dst(struct nr_probe_set *p, const struct nr_addr *dst)
{
	struct nr_route_query q = {0};

	q.dst = *dst;
	return push(p, &q);
}

/* The address of prefix pfx with host part "last" (all ones) or "mid". */
static struct nr_addr prefix_point(const struct nr_prefix *pfx, int which)
{
	struct nr_addr a = pfx->addr;
	unsigned bits = nr_addr_bits(a.family);

	nr_addr_mask(&a, pfx->len);
	for (unsigned i = pfx->len; i < bits; i++) {
		/* last: every host bit set; mid: only the top host bit set. */
		bool set = which == 2 || (which == 1 && i == pfx->len);

		if (set)
			a.bytes[i / 8] = (uint8_t)(a.bytes[i / 8] | (0x80u >> (i % 8)));
	}
	return a;
}

static uint64_t rng_next(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dull;
}

static void random_in(const struct nr_prefix *pfx, uint64_t *rng, struct nr_addr *ret)
{
	struct nr_addr a = pfx->addr;
	unsigned bits = nr_addr_bits(a.family);

	for (unsigned i = pfx->len; i < bits; i++) {
		uint8_t bit = (uint8_t)(0x80u >> (i % 8));

		if (rng_next(rng) & 1)
			a.bytes[i / 8] = (uint8_t)(a.bytes[i / 8] | bit);
		else
			a.bytes[i / 8] = (uint8_t)(a.bytes[i / 8] & ~bit);
	}
	*ret = a;
}

struct walk_ctx {
	struct nr_probe_set *p;
	struct nr_prefix *prefixes;
	size_t nprefixes, capprefixes;
	int err;
};

static int on_route(const struct nr_route *r, void *arg)
{
	struct walk_ctx *w = arg;
	struct nr_addr a;

	for (int which = 0; which < 3; which++) {
		a = prefix_point(&r->dst, which);
		if ((w->err = push_dst(w->p, &a)) < 0)
			return 1;
	}
	for (unsigned i = 0; i < r->nh_count; i++) {
		if (r->nh[i].gw.family != r->family)
			continue;
		if ((w->err = push_dst(w->p, &r->nh[i].gw)) < 0)
			return 1;
	}
	if (w->nprefixes == w->capprefixes) {
		size_t cap = w->capprefixes ? w->capprefixes * 2 : 256;
		struct nr_prefix *np = realloc(w->prefixes, cap * sizeof(*np));

		if (!np) {
			w->err = -ENOMEM;
			return 1;
		}
		w->prefixes = np;
		w->capprefixes = cap;
	}
	w->prefixes[w->nprefixes++] = r->dst;
	return 0;
}

static int query_cmp(const void *pa, const void *pb)
{
	const struct nr_route_query *a = pa, *b = pb;
	int c = nr_addr_cmp(&a->dst, &b->dst);

	if (c)
		return c;
	if ((c = nr_addr_cmp(&a->src, &b->src)))
		return c;
	if (a->mark != b->mark)
		return a->mark < b->mark ? -1 : 1;
	if (a->tos != b->tos)
		return a->tos < b->tos ? -1 : 1;
	if (a->oif != b->oif)
		return a->oif < b->oif ? -1 : 1;
	return a->iif < b->iif ? -1 : a->iif > b->iif;
}

static void sort_unique(struct nr_probe_set *p)
{
	size_t out = 0;

	qsort(p->q, p->n, sizeof(*p->q), query_cmp);
	for (size_t i = 0; i < p->n; i++)
		if (out == 0 || query_cmp(&p->q[out - 1], &p->q[i]) != 0)
			p->q[out++] = p->q[i];
	p->n = out;
}

static const char *const specials4[] = {
	"0.0.0.0", "255.255.255.255", "224.0.0.1", "224.0.0.251", "239.1.2.3",
	"127.0.0.1", "127.1.2.3", "198.51.100.1", "203.0.113.1", "192.0.2.1",
};
static const char *const specials6[] = {
	"::", "::1", "ff02::1", "ff02::2", "ff05::1:3", "ff0e::1", "2001:db8::1",
	"2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "::ffff:198.51.100.1", "2001:db9::1",
};

static int add_locals(const struct nr_stack *s, int family, struct nr_probe_set *p)
{
	const struct nr_iface_table *t = nr_stack_ifaces_const(s);
	int r;

	for (size_t i = 0; i < nr_iface_count(t); i++) {
		const struct nr_iface *ifc = nr_iface_at(t, i);

		for (size_t k = 0; k < ifc->naddrs; k++) {
			const struct nr_ifaddr *a = &ifc->addrs[k];
			struct nr_prefix sub = a->local;
			struct nr_addr x;

			if (a->local.addr.family != family)
				continue;
			if ((r = push_dst(p, &a->local.addr)) < 0)
				return r;
			for (int which = 0; which < 3; which++) {
				x = prefix_point(&sub, which);
				if ((r = push_dst(p, &x)) < 0)
					return r;
			}
			if (a->peer.family == family && (r = push_dst(p, &a->peer)) < 0)
				return r;
		}
	}
	return 0;
}

/* Rules that select on something other than the destination get their own
 * variants: a source inside "from" (a local one when there is one), the
 * rule's mark, its tos. */
static int add_variants(const struct nr_stack *s, int family, struct nr_probe_set *p,
			uint64_t *rng)
{
	const struct nr_iface_table *t = nr_stack_ifaces_const(s);
	size_t base = p->n;
	int r;

	if (base == 0)
		return 0;
	for (size_t i = 0; i < nr_stack_rule_count(s, family); i++) {
		const struct nr_rule *rule = nr_stack_rule_at(s, family, i);
		struct nr_route_query v = {0};
		bool any = false;

		if (rule->from.len > 0) {
			const struct nr_iface *owner = NULL;

			v.src = rule->from.addr;
			for (size_t k = 0; k < nr_iface_count(t) && !owner; k++) {
				const struct nr_iface *ifc = nr_iface_at(t, k);

				for (size_t j = 0; j < ifc->naddrs; j++)
					if (nr_prefix_contains(&rule->from, &ifc->addrs[j].local.addr)) {
						v.src = ifc->addrs[j].local.addr;
						owner = ifc;
						break;
					}
			}
			any = true;
		}
		if (rule->fwmask && rule->fwmark) {
			v.mark = rule->fwmark;
			any = true;
		}
		if (rule->tos) {
			v.tos = rule->tos;
			any = true;
		}
		if (!any)
			continue;
		for (unsigned k = 0; k < VARIANTS_PER_SELECTOR; k++) {
			v.dst = p->q[rng_next(rng) % base].dst;
			if ((r = push(p, &v)) < 0)
				return r;
		}
	}
	/* Every local address as a source for a few destinations. */
	for (size_t k = 0; k < nr_iface_count(t); k++) {
		const struct nr_iface *ifc = nr_iface_at(t, k);

		for (size_t j = 0; j < ifc->naddrs; j++) {
			struct nr_route_query v = {0};

			if (ifc->addrs[j].local.addr.family != family)
				continue;
			v.src = ifc->addrs[j].local.addr;
			for (unsigned n = 0; n < 8; n++) {
				v.dst = p->q[rng_next(rng) % base].dst;
				if ((r = push(p, &v)) < 0)
					return r;
			}
		}
	}
	return 0;
}

int nr_probes_build(const struct nr_stack *s, int family, unsigned nrandom, uint64_t seed,
		    struct nr_probe_set *ret)
{
	struct nr_probe_set p = {0};
	struct walk_ctx w = {.p = &p};
	const char *const *specials = family == AF_INET ? specials4 : specials6;
	size_t nspecials = family == AF_INET ? sizeof(specials4) / sizeof(specials4[0])
					     : sizeof(specials6) / sizeof(specials6[0]);
	uint64_t rng = seed * 0x9e3779b97f4a7c15ull + 1;
	struct nr_prefix everything = {.addr = {.family = (uint8_t)family}, .len = 0};
	size_t target;
	int r = 0;

	nr_stack_route_walk(s, family, on_route, &w);
	if ((r = w.err) < 0)
		goto out;
	for (size_t i = 0; i < nspecials; i++) {
		struct nr_addr a;

		if (nr_addr_parse(specials[i], family, &a) == 0 && (r = push_dst(&p, &a)) < 0)
			goto out;
	}
	if ((r = add_locals(s, family, &p)) < 0)
		goto out;
	sort_unique(&p);
	/* nrandom distinct random destinations beyond the fixed ones; small
	 * prefixes repeat themselves, so draw until there are enough (bounded). */
	target = p.n + nrandom;
	for (unsigned round = 0; round < 16 && p.n < target; round++) {
		size_t want = target - p.n;

		for (size_t i = 0; i < want; i++) {
			const struct nr_prefix *in =
				(i % 2 == 0 && w.nprefixes)
					? &w.prefixes[rng_next(&rng) % w.nprefixes]
					: &everything;
			struct nr_addr a;

			random_in(in, &rng, &a);
			if ((r = push_dst(&p, &a)) < 0)
				goto out;
		}
		sort_unique(&p);
	}
	if ((r = add_variants(s, family, &p, &rng)) < 0)
		goto out;
	sort_unique(&p);
	*ret = p;
	p.q = NULL;
out:
	free(w.prefixes);
	free(p.q);
	return r;
}

void nr_probes_done(struct nr_probe_set *p)
{
	if (!p)
		return;
	free(p->q);
	p->q = NULL;
	p->n = p->cap = 0;
}
