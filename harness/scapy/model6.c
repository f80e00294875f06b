/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * conf.route6 of Scapy 2.5.0: arch/linux.py:read_routes6() over what
 * /proc/net/ipv6_route and /proc/net/if_inet6 list, and
 * route6.py:Route6.route() with utils6.py's candidate sets and source
 * selection, bugs included.
 */
#include "scapy/model_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

struct v6cache_entry {
	UT_hash_handle hh;
	struct nr_scapy_answer ans;
	ssize_t index;
	char key[];
};

bool nr_scapy__in6_included(const struct nr_addr *a, const char *prefix, unsigned plen)
{
	struct nr_addr p;

	if (nr_addr_parse(prefix, AF_INET6, &p) < 0)
		return false;
	return nr_addr_common_bits(a, &p) >= plen;
}

static bool isgl(const struct nr_addr *a) { return nr_scapy__in6_included(a, "2000::", 3); }
static bool isul(const struct nr_addr *a) { return nr_scapy__in6_included(a, "fc00::", 7); }
static bool isll(const struct nr_addr *a) { return nr_scapy__in6_included(a, "fe80::", 10); }
static bool issl(const struct nr_addr *a) { return nr_scapy__in6_included(a, "fec0::", 10); }
static bool ism(const struct nr_addr *a) { return nr_scapy__in6_included(a, "ff00::", 8); }
static bool ismnl(const struct nr_addr *a) { return nr_scapy__in6_included(a, "ff01::", 16); }
static bool ismgl(const struct nr_addr *a) { return nr_scapy__in6_included(a, "ff0e::", 16); }
static bool ismll(const struct nr_addr *a) { return nr_scapy__in6_included(a, "ff02::", 16); }
static bool ismsl(const struct nr_addr *a) { return nr_scapy__in6_included(a, "ff05::", 16); }
static bool is6to4(const struct nr_addr *a) { return a->bytes[0] == 0x20 && a->bytes[1] == 0x02; }

static bool is_unspec6(const struct nr_addr *a)
{
	static const uint8_t zero[16];

	return !memcmp(a->bytes, zero, 16);
}

static bool is_loopback6(const struct nr_addr *a)
{
	static const uint8_t one[16] = {[15] = 1};

	return !memcmp(a->bytes, one, 16);
}

/* utils6.py:in6_getscope() (Scapy's own classes; -1 for anything else). */
int nr_scapy__in6_getscope(const struct nr_addr *a)
{
	if (isgl(a) || isul(a))
		return SC6_GLOBAL;
	if (isll(a))
		return SC6_LINKLOCAL;
	if (issl(a))
		return SC6_SITELOCAL;
	if (ism(a)) {
		if (ismgl(a))
			return SC6_GLOBAL;
		if (ismll(a))
			return SC6_LINKLOCAL;
		if (ismsl(a))
			return SC6_SITELOCAL;
		if (ismnl(a))
			return SC6_LOOPBACK;
		return -1;
	}
	if (is_loopback6(a))
		return SC6_LOOPBACK;
	return -1;
}

/* construct_source_candidate_set()'s cset_sort, as "less than". */
static bool cset_lt(const struct nr_addr *x, const struct nr_addr *y, void *ctx)
{
	int xg = isgl(x), yg = isgl(y), res = yg - xg;

	(void)ctx;
	if (res != 0 || yg != 1)
		return res < 0;
	/* Two global addresses: "if one is native, it wins", whichever it is. */
	return !is6to4(x);
}

/* utils6.py:construct_source_candidate_set() over in6_getifaddr() of dev. */
static int candidate_set(const struct nr_scapy_model *m, const struct nr_addr *prefix,
			 unsigned plen, const char *dev, struct nr_addr **ret, size_t *ret_n)
{
	int scope = -1;
	bool just_lo = false;
	struct nr_addr *v;
	size_t n = 0;

	if (isgl(prefix) || isul(prefix))
		scope = SC6_GLOBAL;
	else if (isll(prefix))
		scope = SC6_LINKLOCAL;
	else if (issl(prefix))
		scope = SC6_SITELOCAL;
	else if (ism(prefix)) {
		if (ismnl(prefix))
			just_lo = true;
		else if (ismgl(prefix))
			scope = SC6_GLOBAL;
		else if (ismll(prefix))
			scope = SC6_LINKLOCAL;
		else if (ismsl(prefix))
			scope = SC6_SITELOCAL;
	} else if (is_unspec6(prefix) && plen == 0)
		scope = SC6_GLOBAL;

	v = calloc(m->nif6 + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (just_lo) {
		nr_addr_parse("::1", AF_INET6, &v[n++]);
	} else if (scope >= 0) {
		for (size_t i = 0; i < m->nif6; i++)
			if (!strcmp(m->if6[i].ifname, dev) && m->if6[i].scope == (unsigned)scope)
				v[n++] = m->if6[i].addr;
	}
	nr_scapy__cset_sort(v, n);
	*ret = v;
	*ret_n = n;
	return 0;
}

/*
 * /proc/net/ipv6_route: tables by hash bucket (id & 255), each walked in
 * fib6 post-order (left = bit 0, right = bit 1, node last): two prefixes
 * that diverge are in address order, a prefix follows every prefix it
 * contains; one prefix's routes in the kernel's order (the stack's).
 */
static int proc6_cmp(const struct nr_route *a, const struct nr_route *b)
{
	uint32_t ha = a->table & 255u, hb = b->table & 255u;
	unsigned la = a->dst.len, lb = b->dst.len, m, common;

	if (ha != hb)
		return ha < hb ? -1 : 1;
	if (a->table != b->table)
		return a->table < b->table ? -1 : 1;
	m = la < lb ? la : lb;
	common = nr_addr_common_bits(&a->dst.addr, &b->dst.addr);
	if (common < m)
		return nr_addr_bit(&a->dst.addr, common) ? 1 : -1;
	if (la != lb)
		return la > lb ? -1 : 1;
	return 0;
}

static bool reject6(const struct nr_route *r)
{
	return r->type == NR_RTN_BLACKHOLE || r->type == NR_RTN_UNREACHABLE ||
	       r->type == NR_RTN_PROHIBIT || r->type == NR_RTN_THROW;
}

int nr_scapy__build6(struct nr_scapy_model *m)
{
	const struct nr_route **order = NULL;
	size_t n, cap = 0;
	int r;

	r = nr_scapy__proc_order(m->s, AF_INET6, NULL, proc6_cmp, &order, &n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++)
		cap += order[i]->nh_count ? order[i]->nh_count : 1;
	m->r6 = calloc(cap ? cap : 1, sizeof(*m->r6));
	if (!m->r6) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const struct nr_route *kr = order[i];

		if (reject6(kr))
			continue; /* RTF_REJECT */
		/* One /proc line per ECMP sibling. */
		for (uint16_t h = 0; h < kr->nh_count; h++) {
			const struct nr_iface *dev = nr_iface_by_index(m->ift, kr->nh[h].ifindex);
			struct nr_scapy_route6 *e = &m->r6[m->n6];
			struct nr_addr prefix = kr->dst.addr;

			if (!dev)
				continue;
			nr_addr_mask(&prefix, kr->dst.len);
			/* fib6_is_reject(): a route through a loopback device that is
			 * neither local, anycast nor ::1 becomes a reject route. */
			if ((dev->flags & IFF_LOOPBACK) && !is_loopback6(&prefix) &&
			    kr->type != NR_RTN_LOCAL && kr->type != NR_RTN_ANYCAST)
				continue;
			memset(e, 0, sizeof(*e));
			e->prefix = prefix;
			e->plen = kr->dst.len;
			if (kr->nh[h].gw.family == AF_INET6)
				e->nh = kr->nh[h].gw;
			else
				nr_addr_parse("::", AF_INET6, &e->nh);
			snprintf(e->iface, sizeof(e->iface), "%s", dev->name);
			e->metric = kr->metric;
			e->route = kr;
			e->nh_index = h;
			if (!strcmp(dev->name, "lo")) {
				if (is_unspec6(&prefix))
					continue;
				e->cset = calloc(1, sizeof(*e->cset));
				if (!e->cset) {
					r = -ENOMEM;
					goto out;
				}
				nr_addr_parse("::1", AF_INET6, &e->cset[0]);
				e->ncset = 1;
			} else {
				r = candidate_set(m, &prefix, kr->dst.len, dev->name, &e->cset, &e->ncset);
				if (r < 0)
					goto out;
				if (e->ncset == 0) {
					free(e->cset);
					e->cset = NULL;
					continue;
				}
			}
			m->n6++;
		}
	}
	r = 0;
out:
	free(order);
	return r;
}

void nr_scapy__free6(struct nr_scapy_model *m)
{
	for (size_t i = 0; i < m->n6; i++)
		free(m->r6[i].cset);
	free(m->r6);
	m->r6 = NULL;
	m->n6 = 0;
}

void nr_scapy__cache_clear(struct nr_scapy_model *m)
{
	struct v6cache_entry *e, *tmp;

	HASH_ITER(hh, m->st->cache, e, tmp) {
		HASH_DEL(m->st->cache, e);
		free(e);
	}
}

int nr_scapy__parse6(const char *dst, char *text, size_t cap, struct nr_addr *ret)
{
	char *p;

	if (!dst || !*dst)
		dst = "::/0";
	/* dst.split("/")[0]; "*" -> "0"; each "a-b" cut up to the next ':'. */
	if (strcspn(dst, "/") >= cap)
		return -EINVAL;
	snprintf(text, cap, "%.*s", (int)strcspn(dst, "/"), dst);
	for (p = text; *p; p++)
		if (*p == '*')
			*p = '0';
	while ((p = strchr(text, '-'))) {
		size_t m = strcspn(p, ":");

		memmove(p, p + m, strlen(p + m) + 1);
	}
	/* Not a literal: Scapy asks getaddrinfo(); not modelled. */
	if (inet_pton(AF_INET6, text, ret->bytes) != 1)
		return -EINVAL;
	ret->family = AF_INET6;
	return 0;
}

/* get_source_addr_from_candidate_set()'s rfc3484_cmp, with its bugs. */
struct src_ctx {
	const struct nr_addr *dst;
	const char *dst_text;
};

static int scope_rank(const struct nr_addr *a)
{
	int s = nr_scapy__in6_getscope(a);

	if (s == -1)
		s = SC6_LOOPBACK;
	switch (s) {
	case SC6_GLOBAL:
		return 4;
	case SC6_SITELOCAL:
		return 3;
	case SC6_LINKLOCAL:
		return 2;
	default:
		return 1;
	}
}

static int scope_cmp(const struct nr_addr *a, const struct nr_addr *b)
{
	int sa = scope_rank(a), sb = scope_rank(b);

	return sa == sb ? 0 : sa > sb ? 1 : -1;
}

static int rfc3484_cmp(const struct nr_addr *a, const struct nr_addr *b, const struct src_ctx *c)
{
	char ta[NR_ADDR_STRLEN], tb[NR_ADDR_STRLEN];
	unsigned ca, cb;
	int tmp;

	/* Rule 1, as written: a string comparison, and 1 for either side. */
	if (!strcmp(nr_scapy__ntop(a, ta, sizeof(ta)), c->dst_text))
		return 1;
	if (!strcmp(nr_scapy__ntop(b, tb, sizeof(tb)), c->dst_text))
		return 1;
	/* Rule 2, inverted in one branch. */
	tmp = scope_cmp(a, b);
	if (tmp == -1)
		return scope_cmp(a, c->dst) == -1 ? 1 : -1;
	if (tmp == 1)
		return scope_cmp(b, c->dst) == -1 ? 1 : -1;
	/* Rule 8 over all 128 bits. */
	ca = nr_addr_common_bits(a, c->dst);
	cb = nr_addr_common_bits(b, c->dst);
	return ca > cb ? 1 : cb > ca ? -1 : 0;
}

static bool src_lt(const struct nr_addr *a, const struct nr_addr *b, void *ctx)
{
	return rfc3484_cmp(a, b, ctx) < 0;
}

void nr_scapy__cset_sort(struct nr_addr *v, size_t n)
{
	nr_scapy__pysort(v, n, cset_lt, NULL, false);
}

void nr_scapy__select_source(const struct nr_addr *d, const char *text, struct nr_addr *cset,
			     size_t n)
{
	struct src_ctx c = {d, text};

	nr_scapy__pysort(cset, n, src_lt, &c, true);
}

static bool has_v6_iface(const struct nr_scapy_model *m, const char *name)
{
	for (size_t i = 0; i < m->n6; i++)
		if (!strcmp(m->r6[i].iface, name))
			return true;
	return false;
}

static const char *linklocal_dev(const struct nr_scapy_model *m)
{
	struct nr_addr fe80;

	if (has_v6_iface(m, m->conf_iface) || m->n6 == 0)
		return m->conf_iface;
	/* "conf.iface does not support IPv6": first default route, then first
	 * fe80::/64, of another interface, else lo. */
	for (size_t i = 0; i < m->n6; i++)
		if (strcmp(m->r6[i].iface, m->conf_iface) && m->r6[i].plen == 0 &&
		    is_unspec6(&m->r6[i].prefix))
			return m->r6[i].iface;
	nr_addr_parse("fe80::", AF_INET6, &fe80);
	for (size_t i = 0; i < m->n6; i++)
		if (strcmp(m->r6[i].iface, m->conf_iface) && m->r6[i].plen == 64 &&
		    nr_addr_eq(&m->r6[i].prefix, &fe80))
			return m->r6[i].iface;
	return "lo";
}

int nr_scapy__route6(const struct nr_scapy_model *m, const char *dst, struct nr_scapy_answer *ret,
		     ssize_t *ret_index)
{
	char text[256], key[300];
	struct nr_addr d;
	const char *dev = NULL;
	struct v6cache_entry *ce;
	size_t *paths = NULL, np = 0, nbest = 0;
	size_t pick;
	int r;

	r = nr_scapy__parse6(dst, text, sizeof(text), &d);
	if (r < 0)
		return r;
	if (isll(&d) || ismll(&d))
		dev = linklocal_dev(m);
	snprintf(key, sizeof(key), "%s%s%s", text, dev ? "%%" : "", dev ? dev : "");
	HASH_FIND_STR(m->st->cache, key, ce);
	if (ce) {
		*ret = ce->ans;
		if (ret_index)
			*ret_index = ce->index;
		return 0;
	}

	memset(ret, 0, sizeof(*ret));
	paths = calloc(m->n6 ? m->n6 : 1, sizeof(*paths));
	if (!paths)
		return -ENOMEM;
	for (size_t i = 0; i < m->n6; i++) {
		const struct nr_scapy_route6 *e = &m->r6[i];

		if (dev && strcmp(e->iface, dev))
			continue;
		if (nr_addr_common_bits(&d, &e->prefix) >= e->plen ||
		    (ismll(&d) && isll(&e->prefix) && e->ncset && isll(&e->cset[0])))
			paths[np++] = i;
	}
	if (np == 0) {
		snprintf(ret->iface, sizeof(ret->iface), "lo");
		snprintf(ret->gw, sizeof(ret->gw), "::");
		if (!strcmp(text, "::1")) {
			snprintf(ret->src, sizeof(ret->src), "::1");
		} else {
			snprintf(ret->src, sizeof(ret->src), "::");
			ret->no_route = true;
		}
		if (ret_index)
			*ret_index = -1;
		r = 0;
		goto out;
	}
	/* Stable sort by (-plen, metric), keep the ones equal to the best. */
	{
		unsigned bp = 0;
		uint32_t bm = 0;

		for (size_t k = 0; k < np; k++) {
			const struct nr_scapy_route6 *e = &m->r6[paths[k]];

			if (k == 0 || e->plen > bp || (e->plen == bp && e->metric < bm)) {
				bp = e->plen;
				bm = e->metric;
			}
		}
		for (size_t k = 0; k < np; k++) {
			const struct nr_scapy_route6 *e = &m->r6[paths[k]];

			if (e->plen == bp && e->metric == bm)
				paths[nbest++] = paths[k];
		}
	}
	/* Each candidate route's set is sorted in place: Scapy's side effect. */
	for (size_t k = 0; k < nbest; k++)
		nr_scapy__select_source(&d, text, m->r6[paths[k]].cset, m->r6[paths[k]].ncset);
	pick = paths[0];
	if (nbest > 1) {
		bool by6to4 = isgl(&d) && is6to4(&d);
		bool byiface = !by6to4 && (ism(&d) || isll(&d));

		for (size_t k = 0; (by6to4 || byiface) && k < nbest; k++) {
			const struct nr_scapy_route6 *e = &m->r6[paths[k]];

			if ((by6to4 && is6to4(&e->cset[0])) ||
			    (byiface && !strcmp(e->iface, m->conf_iface))) {
				pick = paths[k];
				break;
			}
		}
	}
	snprintf(ret->iface, sizeof(ret->iface), "%s", m->r6[pick].iface);
	nr_scapy__ntop(&m->r6[pick].cset[0], ret->src, sizeof(ret->src));
	nr_scapy__ntop(&m->r6[pick].nh, ret->gw, sizeof(ret->gw));
	if (ret_index)
		*ret_index = (ssize_t)pick;

	/*
	 * Scapy caches every answer. Only answers drawn from a candidate list
	 * of two or more can change later (a later sort reorders the list), so
	 * only those are kept: same answers, far less memory in batch mode.
	 */
	{
		bool mutable_ = false;

		for (size_t k = 0; k < nbest; k++)
			mutable_ = mutable_ || m->r6[paths[k]].ncset > 1;
		if (!mutable_) {
			r = 0;
			goto out;
		}
	}
	ce = calloc(1, sizeof(*ce) + strlen(key) + 1);
	if (!ce) {
		r = -ENOMEM;
		goto out;
	}
	strcpy(ce->key, key);
	ce->ans = *ret;
	ce->index = (ssize_t)pick;
	HASH_ADD_STR(m->st->cache, key, ce);
	r = 0;
out:
	free(paths);
	return r;
}
