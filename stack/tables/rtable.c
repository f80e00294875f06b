/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Route storage on the LPM trie; see rtable.h for the order kept within a
 * prefix and why a prefix's value is either one route or a vector.
 */
#include "rtable.h"

#include "netrig/lpm.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/*
 * Nexthop arrays are interned per table, as the kernel shares one
 * fib_info among routes with the same nexthops: a million routes through
 * one gateway keep one copy. Blocks are immutable and reference-counted;
 * a route's nh points into its block.
 */
struct nh_block {
	uint32_t refs;
	uint16_t n;
	uint64_t hash;
	struct nr_nexthop nh[];
};

struct nr_rtable {
	struct nr_lpm *lpm;
	uint32_t id;
	int family;
	size_t count;
	size_t bytes; /* route allocations, vectors, nexthop blocks and their index */
	struct nh_block **blocks; /* open addressing, power-of-two size */
	size_t blocks_cap, blocks_used;
	uint64_t *cover;   /* IPv4: see cover_set; NULL for IPv6 */
	size_t cover_gone; /* prefixes removed since the cover was computed */
};

/*
 * IPv4 tables keep a map of the /16s their prefixes reach (bit a >> 16),
 * so that a lookup of an address no prefix covers ends on one load instead
 * of a walk. That is the usual lookup of the local table, a few host and
 * broadcast routes that nearly every destination misses: its walk was a
 * tenth of a route decision. Bits are set as prefixes come and left set as
 * they go (a stale bit only costs the walk, never an answer), and the map
 * is recomputed once as many prefixes went as routes remain: amortised
 * O(1) per removal.
 */
#define COVER_BITS 16u
#define COVER_WORDS (((size_t)1 << COVER_BITS) / 64)
#define COVER_BYTES (COVER_WORDS * sizeof(uint64_t))

static unsigned cover_index(const uint8_t *key)
{
	return (unsigned)key[0] << 8 | key[1];
}

static void cover_set(uint64_t *cover, const uint8_t *key, unsigned plen)
{
	unsigned first = cover_index(key), span;

	if (plen >= COVER_BITS) {
		cover[first / 64] |= (uint64_t)1 << (first % 64);
		return;
	}
	span = 1u << (COVER_BITS - plen);
	first &= ~(span - 1); /* the prefix's host bits are clear; to be sure */
	if (span >= 64) {
		memset(&cover[first / 64], 0xff, span / 8);
		return;
	}
	/* Aligned and under 64 bits: inside one word. */
	cover[first / 64] |= (((uint64_t)1 << span) - 1) << (first % 64);
}

static bool cover_miss(const struct nr_rtable *t, const uint8_t *key)
{
	unsigned i;

	if (!t->cover)
		return false;
	i = cover_index(key);
	return !((t->cover[i / 64] >> (i % 64)) & 1);
}

static int cover_prefix(const uint8_t *key, unsigned plen, void *value, void *arg)
{
	(void)value;
	cover_set(arg, key, plen);
	return 0;
}

static void cover_removed(struct nr_rtable *t)
{
	if (!t->cover || ++t->cover_gone <= t->count)
		return;
	memset(t->cover, 0, COVER_BYTES);
	nr_lpm_walk(t->lpm, cover_prefix, t->cover);
	t->cover_gone = 0;
}

/* A prefix holding several routes: the trie value is (vec | 1). */
struct rt_vec {
	uint32_t n, cap;
	struct nr_route *v[];
};

#define VEC_TAG ((uintptr_t)1)

static bool is_vec(const void *value)
{
	return ((uintptr_t)value & VEC_TAG) != 0;
}

static struct rt_vec *as_vec(void *value)
{
	return (struct rt_vec *)((uintptr_t)value & ~VEC_TAG);
}

static void *tag_vec(struct rt_vec *v)
{
	return (void *)((uintptr_t)v | VEC_TAG);
}

static void list_of(void *value, struct nr_rt_list *ret)
{
	memset(ret, 0, sizeof(*ret));
	if (!value)
		return;
	if (is_vec(value)) {
		struct rt_vec *v = as_vec(value);

		ret->n = v->n;
		ret->v = v->v;
		ret->one = v->n ? v->v[0] : NULL;
	} else {
		ret->n = 1;
		ret->one = value;
	}
}

static uint64_t nh_hash(const struct nr_nexthop *nh, uint16_t n)
{
	const uint8_t *b = (const uint8_t *)nh;
	uint64_t h = 0xcbf29ce484222325ull ^ n;

	for (size_t i = 0; i < (size_t)n * sizeof(*nh); i++) {
		h ^= b[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

/* Padding zeroed so equal nexthops compare and hash equal as bytes. */
static void nh_clean(struct nr_nexthop *out, const struct nr_nexthop *in)
{
	memset(out, 0, sizeof(*out));
	out->gw = in->gw;
	out->ifindex = in->ifindex;
	out->weight = in->weight;
	out->flags = in->flags;
}

static size_t block_slot(const struct nr_rtable *t, const struct nr_nexthop *nh, uint16_t n,
			 uint64_t h)
{
	size_t mask = t->blocks_cap - 1;
	size_t i = (size_t)h & mask;

	for (; t->blocks[i]; i = (i + 1) & mask) {
		const struct nh_block *b = t->blocks[i];

		if (b->hash == h && b->n == n && memcmp(b->nh, nh, (size_t)n * sizeof(*nh)) == 0)
			break;
	}
	return i;
}

static int blocks_grow(struct nr_rtable *t)
{
	size_t ncap = t->blocks_cap ? t->blocks_cap * 2 : 16;
	struct nh_block **nv = calloc(ncap, sizeof(*nv)), **old = t->blocks;
	size_t ocap = t->blocks_cap;

	if (!nv)
		return -ENOMEM;
	t->blocks = nv;
	t->blocks_cap = ncap;
	for (size_t i = 0; i < ocap; i++)
		if (old[i])
			nv[block_slot(t, old[i]->nh, old[i]->n, old[i]->hash)] = old[i];
	free(old);
	t->bytes += (ncap - ocap) * sizeof(*nv);
	return 0;
}

/* A reference to the table's block equal to nh[0..n), made if new. */
static struct nh_block *block_get(struct nr_rtable *t, const struct nr_nexthop *in, uint16_t n)
{
	struct nr_nexthop clean[NR_ROUTE_MAX_NH];
	struct nh_block *b;
	uint64_t h;
	size_t i;

	for (uint16_t k = 0; k < n; k++)
		nh_clean(&clean[k], &in[k]);
	if ((t->blocks_used + 1) * 4 > t->blocks_cap * 3 && blocks_grow(t))
		return NULL;
	h = nh_hash(clean, n);
	i = block_slot(t, clean, n, h);
	if (t->blocks[i]) {
		t->blocks[i]->refs++;
		return t->blocks[i];
	}
	b = malloc(sizeof(*b) + (size_t)n * sizeof(b->nh[0]));
	if (!b)
		return NULL;
	b->refs = 1;
	b->n = n;
	b->hash = h;
	memcpy(b->nh, clean, (size_t)n * sizeof(clean[0]));
	t->blocks[i] = b;
	t->blocks_used++;
	t->bytes += sizeof(*b) + (size_t)n * sizeof(b->nh[0]);
	return b;
}

static void block_put(struct nr_rtable *t, const struct nr_nexthop *nh)
{
	struct nh_block *b = (struct nh_block *)((const uint8_t *)nh - offsetof(struct nh_block, nh));
	size_t mask = t->blocks_cap - 1, i, j;

	if (--b->refs)
		return;
	i = block_slot(t, b->nh, b->n, b->hash);
	/* Backward-shift deletion keeps probe chains without tombstones. */
	t->blocks[i] = NULL;
	for (j = (i + 1) & mask; t->blocks[j]; j = (j + 1) & mask) {
		size_t home = (size_t)t->blocks[j]->hash & mask;

		if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
			t->blocks[i] = t->blocks[j];
			t->blocks[j] = NULL;
			i = j;
		}
	}
	t->blocks_used--;
	t->bytes -= sizeof(*b) + (size_t)b->n * sizeof(b->nh[0]);
	free(b);
}

static struct nr_route *route_copy(struct nr_rtable *t, const struct nr_route *r)
{
	struct nr_route *c = malloc(sizeof(*c));
	struct nh_block *b = NULL;

	if (!c)
		return NULL;
	if (r->nh_count) {
		b = block_get(t, r->nh, r->nh_count);
		if (!b) {
			free(c);
			return NULL;
		}
	}
	*c = *r;
	c->table = t->id;
	c->dst.addr.family = r->family;
	c->nh = b ? b->nh : NULL;
	return c;
}

static void route_free(struct nr_rtable *t, struct nr_route *r)
{
	if (r->nh_count)
		block_put(t, r->nh);
	free(r);
}

/* The trie is freed with one callback without context: blocks go with the table. */
static void value_free(void *value)
{
	if (is_vec(value)) {
		struct rt_vec *v = as_vec(value);

		for (uint32_t i = 0; i < v->n; i++)
			free(v->v[i]);
		free(v);
	} else {
		free(value);
	}
}

struct nr_rtable *nr_rtable_new(int family, uint32_t id)
{
	struct nr_rtable *t;
	unsigned bits = nr_addr_bits(family);

	if (!bits)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->lpm = nr_lpm_new(bits);
	if (!t->lpm) {
		free(t);
		return NULL;
	}
	if (family == AF_INET) {
		t->cover = calloc(COVER_WORDS, sizeof(*t->cover));
		if (!t->cover) {
			nr_lpm_free(t->lpm, NULL);
			free(t);
			return NULL;
		}
		t->bytes = COVER_BYTES;
	}
	t->id = id;
	t->family = family;
	return t;
}

void nr_rtable_free(struct nr_rtable *t)
{
	if (!t)
		return;
	nr_lpm_free(t->lpm, value_free);
	for (size_t i = 0; i < t->blocks_cap; i++)
		free(t->blocks[i]);
	free(t->blocks);
	free(t->cover);
	free(t);
}

uint32_t nr_rtable_id(const struct nr_rtable *t)
{
	return t->id;
}

size_t nr_rtable_count(const struct nr_rtable *t)
{
	return t ? t->count : 0;
}

size_t nr_rtable_memory(const struct nr_rtable *t)
{
	return t ? nr_lpm_memory(t->lpm) + t->bytes : 0;
}

static bool nh_same(const struct nr_nexthop *a, const struct nr_nexthop *b)
{
	bool a_gw = !nr_addr_is_unspec(&a->gw), b_gw = !nr_addr_is_unspec(&b->gw);

	if (a->ifindex != b->ifindex || a_gw != b_gw)
		return false;
	return !a_gw || nr_addr_eq(&a->gw, &b->gw);
}

static bool nhs_same(const struct nr_route *a, const struct nr_route *b)
{
	if (a->nh_count != b->nh_count)
		return false;
	for (uint16_t i = 0; i < a->nh_count; i++)
		if (!nh_same(&a->nh[i], &b->nh[i]) || a->nh[i].weight != b->nh[i].weight)
			return false;
	return true;
}

/* stack.h: what makes two routes of one prefix and table the same route. */
static bool route_dup(const struct nr_route *old, const struct nr_route *r)
{
	if (old->metric != r->metric)
		return false;
	if (r->family == AF_INET)
		return old->tos == r->tos && old->type == r->type && nhs_same(old, r);
	/*
	 * IPv6 (fib6_add_rt2node): same metric and same nexthop device and
	 * gateway; routes with different source prefixes live in different
	 * subtrees in the kernel, so they never clash.
	 */
	if (!nr_prefix_eq(&old->src, &r->src) && (old->src.len || r->src.len))
		return false;
	if (old->nh_count == 0 || r->nh_count == 0)
		return old->nh_count == r->nh_count;
	return nh_same(&old->nh[0], &r->nh[0]);
}

/* True when r goes before old: the kernel's order within a prefix. */
static bool goes_before(const struct nr_route *r, const struct nr_route *old)
{
	if (r->family == AF_INET && r->tos != old->tos)
		return r->tos > old->tos;
	return r->metric < old->metric;
}

static int route_valid(const struct nr_rtable *t, const struct nr_route *r)
{
	unsigned bits = nr_addr_bits(t->family);
	struct nr_addr masked;

	if (r->family != t->family || r->dst.len > bits)
		return -EINVAL;
	if (r->dst.addr.family != r->family &&
	    !(r->dst.addr.family == AF_UNSPEC && nr_addr_is_unspec(&r->dst.addr)))
		return -EINVAL;
	masked = r->dst.addr;
	nr_addr_mask(&masked, r->dst.len);
	/* The kernel: "Invalid prefix for given prefix length". */
	if (memcmp(masked.bytes, r->dst.addr.bytes, sizeof(masked.bytes)) != 0)
		return -EINVAL;
	if (r->nh_count > NR_ROUTE_MAX_NH || (r->nh_count && !r->nh))
		return -EINVAL;
	return 0;
}

int nr_rtable_add(struct nr_rtable *t, const struct nr_route *r)
{
	struct nr_route *c = NULL;
	struct rt_vec *v = NULL;
	void *value, *old = NULL;
	struct nr_rt_list l;
	size_t pos;
	int err;

	if (!t || !r)
		return -EINVAL;
	err = route_valid(t, r);
	if (err)
		return err;
	value = nr_lpm_exact(t->lpm, r->dst.addr.bytes, r->dst.len);
	list_of(value, &l);
	pos = l.n;
	for (size_t i = 0; i < l.n; i++) {
		const struct nr_route *o = nr_rt_list_at(&l, i);

		if (route_dup(o, r))
			return -EEXIST;
		if (pos == l.n && goes_before(r, o))
			pos = i;
	}
	c = route_copy(t, r);
	if (!c)
		return -ENOMEM;
	if (l.n == 0) {
		err = nr_lpm_insert(t->lpm, r->dst.addr.bytes, r->dst.len, c, &old);
		if (err)
			goto fail;
		if (t->cover)
			cover_set(t->cover, r->dst.addr.bytes, r->dst.len);
	} else if (!is_vec(value)) {
		v = malloc(sizeof(*v) + 4 * sizeof(v->v[0]));
		if (!v) {
			err = -ENOMEM;
			goto fail;
		}
		v->cap = 4;
		v->n = 2;
		v->v[pos] = c;
		v->v[1 - pos] = value;
		err = nr_lpm_insert(t->lpm, r->dst.addr.bytes, r->dst.len, tag_vec(v), &old);
		if (err) {
			free(v);
			goto fail;
		}
		t->bytes += sizeof(*v) + 4 * sizeof(v->v[0]);
	} else {
		v = as_vec(value);
		if (v->n == v->cap) {
			size_t ncap = (size_t)v->cap * 2;
			struct rt_vec *nv = realloc(v, sizeof(*v) + ncap * sizeof(v->v[0]));

			if (!nv) {
				err = -ENOMEM;
				goto fail;
			}
			t->bytes += (ncap - nv->cap) * sizeof(nv->v[0]);
			nv->cap = (uint32_t)ncap;
			v = nv;
			/* Replacing the value of an existing prefix never allocates. */
			nr_lpm_insert(t->lpm, r->dst.addr.bytes, r->dst.len, tag_vec(v), &old);
		}
		memmove(&v->v[pos + 1], &v->v[pos], (v->n - pos) * sizeof(v->v[0]));
		v->v[pos] = c;
		v->n++;
	}
	t->count++;
	t->bytes += sizeof(*c);
	return 0;
fail:
	route_free(t, c);
	return err;
}

static bool addr_set(const struct nr_addr *a)
{
	return a->family != AF_UNSPEC;
}

/* `ip route del`: what r leaves unset matches anything. */
static bool del_match(const struct nr_route *o, const struct nr_route *r)
{
	if (r->metric && o->metric != r->metric)
		return false;
	if (r->tos && o->tos != r->tos)
		return false;
	if (r->type && o->type != r->type)
		return false;
	if (r->nh_count == 1) {
		/* One nexthop given: compared with the route's first (fib_nh_match). */
		if (o->nh_count == 0)
			return !r->nh[0].ifindex && !addr_set(&r->nh[0].gw);
		if (r->nh[0].ifindex && r->nh[0].ifindex != o->nh[0].ifindex)
			return false;
		if (addr_set(&r->nh[0].gw) && !nr_addr_eq(&r->nh[0].gw, &o->nh[0].gw))
			return false;
	} else if (r->nh_count > 1) {
		if (o->nh_count != r->nh_count)
			return false;
		for (uint16_t i = 0; i < r->nh_count; i++)
			if (!nh_same(&r->nh[i], &o->nh[i]))
				return false;
	}
	return true;
}

/* Remove entry i of the list at value; returns the route taken out. */
static struct nr_route *list_remove(struct nr_rtable *t, const struct nr_prefix *p, void *value,
				    size_t i)
{
	struct nr_route *gone;
	void *old = NULL;

	if (!is_vec(value)) {
		nr_lpm_remove(t->lpm, p->addr.bytes, p->len);
		gone = value;
	} else {
		struct rt_vec *v = as_vec(value);

		gone = v->v[i];
		memmove(&v->v[i], &v->v[i + 1], (v->n - i - 1) * sizeof(v->v[0]));
		v->n--;
		if (v->n == 1) {
			/* Back to the compact form; replacing a value never fails. */
			nr_lpm_insert(t->lpm, p->addr.bytes, p->len, v->v[0], &old);
			t->bytes -= sizeof(*v) + v->cap * sizeof(v->v[0]);
			free(v);
		}
	}
	t->count--;
	t->bytes -= sizeof(*gone);
	if (!is_vec(value))
		cover_removed(t);
	return gone;
}

int nr_rtable_del(struct nr_rtable *t, const struct nr_route *r)
{
	struct nr_rt_list l;
	struct nr_prefix p;
	void *value;

	if (!t || !r || r->dst.len > nr_addr_bits(t->family))
		return -EINVAL;
	p = r->dst;
	p.addr.family = (uint8_t)t->family;
	value = nr_lpm_exact(t->lpm, p.addr.bytes, p.len);
	list_of(value, &l);
	for (size_t i = 0; i < l.n; i++) {
		if (del_match(nr_rt_list_at(&l, i), r)) {
			route_free(t, list_remove(t, &p, value, i));
			return 0;
		}
	}
	return -ESRCH;
}

struct collect {
	struct nr_prefix *v;
	size_t n, cap;
	int err;
};

static int collect_prefix(const uint8_t *key, unsigned plen, void *value, void *arg)
{
	struct collect *c = arg;

	(void)value;
	if (c->n == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 64;
		struct nr_prefix *nv = realloc(c->v, ncap * sizeof(*nv));

		if (!nv) {
			c->err = -ENOMEM;
			return 1;
		}
		c->v = nv;
		c->cap = ncap;
	}
	memset(&c->v[c->n], 0, sizeof(c->v[0]));
	memcpy(c->v[c->n].addr.bytes, key, 16);
	c->v[c->n].len = (uint8_t)plen;
	c->n++;
	return 0;
}

size_t nr_rtable_del_if(struct nr_rtable *t, bool (*pred)(const struct nr_route *r, void *arg),
			void *arg)
{
	struct collect c = {0};
	size_t removed = 0;

	if (!t || !pred)
		return 0;
	/* The trie may not change under a walk: note the prefixes first. */
	nr_lpm_walk(t->lpm, collect_prefix, &c);
	for (size_t k = 0; k < c.n; k++) {
		struct nr_prefix *p = &c.v[k];
		size_t i = 0;

		p->addr.family = (uint8_t)t->family;
		for (;;) {
			void *value = nr_lpm_exact(t->lpm, p->addr.bytes, p->len);
			struct nr_rt_list l;

			list_of(value, &l);
			if (i >= l.n)
				break;
			if (pred(nr_rt_list_at(&l, i), arg)) {
				route_free(t, list_remove(t, p, value, i));
				removed++;
			} else {
				i++;
			}
		}
	}
	free(c.v);
	return removed;
}

void nr_rtable_exact(const struct nr_rtable *t, const struct nr_addr *addr, unsigned plen,
		     struct nr_rt_list *ret)
{
	list_of(t ? nr_lpm_exact(t->lpm, addr->bytes, plen) : NULL, ret);
}

size_t nr_rtable_matches(const struct nr_rtable *t, const struct nr_addr *a,
			 struct nr_rt_list *lists, unsigned *plens, size_t cap)
{
	void *values[129];
	unsigned lens[129];
	size_t n;

	if (!t || cover_miss(t, a->bytes))
		return 0;
	n = nr_lpm_matches(t->lpm, a->bytes, values, lens, 129);
	if (n > 129)
		n = 129;
	if (n > cap)
		n = cap;
	for (size_t i = 0; i < n; i++) {
		list_of(values[i], &lists[i]);
		plens[i] = lens[i];
	}
	return n;
}

bool nr_rtable_longest(const struct nr_rtable *t, const struct nr_addr *a,
		       struct nr_rt_list *ret_list, unsigned *ret_plen)
{
	unsigned plen;
	void *value;

	if (!t || cover_miss(t, a->bytes))
		return false;
	value = nr_lpm_lookup(t->lpm, a->bytes, &plen);
	if (!value)
		return false;
	list_of(value, ret_list);
	*ret_plen = plen;
	return true;
}

void nr_rtable_longest_many(const struct nr_rtable *t, const struct nr_addr *const *a, size_t n,
			    struct nr_rt_hint *ret)
{
	const uint8_t *keys[NR_RTABLE_HINT_MAX] = {0}; /* GCC 12 cannot see the loop fills them */
	void *values[NR_RTABLE_HINT_MAX];
	unsigned plens[NR_RTABLE_HINT_MAX];

	if (n > NR_RTABLE_HINT_MAX)
		n = NR_RTABLE_HINT_MAX;
	if (!t || t->count < NR_RTABLE_HINT_MIN_ROUTES) {
		for (size_t i = 0; i < n; i++)
			ret[i].t = NULL;
		return;
	}
	for (size_t i = 0; i < n; i++)
		keys[i] = a[i]->bytes;
	nr_lpm_lookup_many(t->lpm, keys, n, values, plens);
	for (size_t i = 0; i < n; i++) {
		/* A route spans two cache lines; the lookup reads both. */
		const char *p = (const char *)as_vec(values[i]);

		if (p) {
			__builtin_prefetch(p);
			__builtin_prefetch(p + 64);
		}
	}
	for (size_t i = 0; i < n; i++) {
		ret[i].t = t;
		ret[i].dst = *a[i];
		ret[i].found = values[i] != NULL;
		ret[i].plen = values[i] ? plens[i] : 0;
		list_of(values[i], &ret[i].list);
	}
}

struct walk_ctx {
	int (*cb)(const struct nr_route *r, void *arg);
	void *arg;
};

static int walk_prefix(const uint8_t *key, unsigned plen, void *value, void *arg)
{
	struct walk_ctx *w = arg;
	struct nr_rt_list l;
	int r;

	(void)key;
	(void)plen;
	list_of(value, &l);
	for (size_t i = 0; i < l.n; i++) {
		r = w->cb(nr_rt_list_at(&l, i), w->arg);
		if (r)
			return r;
	}
	return 0;
}

int nr_rtable_walk(const struct nr_rtable *t, int (*cb)(const struct nr_route *r, void *arg),
		   void *arg)
{
	struct walk_ctx w = {cb, arg};

	if (!t || !cb)
		return 0;
	return nr_lpm_walk(t->lpm, walk_prefix, &w);
}

/* --- every table of a family --- */

void nr_rtset_init(struct nr_rtset *set, int family)
{
	memset(set, 0, sizeof(*set));
	set->family = family;
}

static void set_known(struct nr_rtset *set);

void nr_rtset_clear(struct nr_rtset *set)
{
	for (size_t i = 0; i < set->n; i++)
		nr_rtable_free(set->v[i]);
	set->n = 0;
	set_known(set);
}

void nr_rtset_done(struct nr_rtset *set)
{
	nr_rtset_clear(set);
	free(set->v);
	set->v = NULL;
	set->cap = 0;
}

/* Index of the first table whose id is >= id. */
static size_t set_pos(const struct nr_rtset *set, uint32_t id)
{
	size_t lo = 0, hi = set->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (set->v[mid]->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct nr_rtable *set_find(const struct nr_rtset *set, uint32_t id)
{
	size_t i = set_pos(set, id);

	return i < set->n && set->v[i]->id == id ? set->v[i] : NULL;
}

/* After the list of tables changed. */
static void set_known(struct nr_rtset *set)
{
	for (uint32_t k = 0; k < 3; k++)
		set->known[k] = set_find(set, NR_TABLE_DEFAULT + k);
}

const struct nr_rtable *nr_rtset_get(const struct nr_rtset *set, uint32_t id)
{
	if (id >= NR_TABLE_DEFAULT && id <= NR_TABLE_LOCAL)
		return set->known[id - NR_TABLE_DEFAULT];
	return set_find(set, id);
}

int nr_rtset_add(struct nr_rtset *set, const struct nr_route *r)
{
	size_t i;
	struct nr_rtable *t;
	int err;

	if (!r || r->family != set->family)
		return -EINVAL;
	i = set_pos(set, r->table);
	if (i < set->n && nr_rtable_id(set->v[i]) == r->table)
		return nr_rtable_add(set->v[i], r);
	if (set->n == set->cap) {
		size_t ncap = set->cap ? set->cap * 2 : 4;
		struct nr_rtable **nv = realloc(set->v, ncap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		set->v = nv;
		set->cap = ncap;
	}
	t = nr_rtable_new(set->family, r->table);
	if (!t)
		return -ENOMEM;
	err = nr_rtable_add(t, r);
	if (err) {
		nr_rtable_free(t);
		return err;
	}
	memmove(&set->v[i + 1], &set->v[i], (set->n - i) * sizeof(set->v[0]));
	set->v[i] = t;
	set->n++;
	set_known(set);
	return 0;
}

static void drop_if_empty(struct nr_rtset *set, size_t i)
{
	/* The kernel keeps empty tables; nothing observable depends on it. */
	if (nr_rtable_count(set->v[i]))
		return;
	nr_rtable_free(set->v[i]);
	memmove(&set->v[i], &set->v[i + 1], (set->n - i - 1) * sizeof(set->v[0]));
	set->n--;
	set_known(set);
}

int nr_rtset_del(struct nr_rtset *set, const struct nr_route *r)
{
	size_t i;
	int err;

	if (!r || r->family != set->family)
		return -EINVAL;
	i = set_pos(set, r->table);
	if (i >= set->n || nr_rtable_id(set->v[i]) != r->table)
		return -ESRCH;
	err = nr_rtable_del(set->v[i], r);
	if (!err)
		drop_if_empty(set, i);
	return err;
}

size_t nr_rtset_del_if(struct nr_rtset *set, bool (*pred)(const struct nr_route *r, void *arg),
		       void *arg)
{
	size_t removed = 0;

	for (size_t i = set->n; i-- > 0;) {
		removed += nr_rtable_del_if(set->v[i], pred, arg);
		drop_if_empty(set, i);
	}
	return removed;
}

size_t nr_rtset_count(const struct nr_rtset *set)
{
	size_t n = 0;

	for (size_t i = 0; i < set->n; i++)
		n += nr_rtable_count(set->v[i]);
	return n;
}

size_t nr_rtset_memory(const struct nr_rtset *set)
{
	size_t n = set->cap * sizeof(set->v[0]);

	for (size_t i = 0; i < set->n; i++)
		n += nr_rtable_memory(set->v[i]) + sizeof(struct nr_rtable);
	return n;
}

int nr_rtset_walk(const struct nr_rtset *set, int (*cb)(const struct nr_route *r, void *arg),
		  void *arg)
{
	int r;

	for (size_t i = 0; i < set->n; i++) {
		r = nr_rtable_walk(set->v[i], cb, arg);
		if (r)
			return r;
	}
	return 0;
}
