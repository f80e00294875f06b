/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Internal: route storage. One nr_rtable is one kernel table (one id) of
 * one family: an LPM trie whose value at a prefix is the list of routes
 * sharing that prefix, in the order the kernel keeps them. An nr_rtset is
 * every table of one family, kept sorted by id.
 *
 * Order within a prefix:
 *   IPv4 as fib_table_insert()/fib_find_alias() keep fib aliases: tos
 *   descending, then metric ascending, a new route after the ones equal
 *   to it in both (what `ip route append` does; `ip route add` refuses an
 *   equal tos+metric with EEXIST, netrig accepts it so a dump of the
 *   kernel's table, which may hold such routes, loads unchanged).
 *   IPv6 as fib6_add_rt2node(): metric ascending, new after equal.
 *
 * Every route is one allocation (its nr_route). Its nexthop array is the
 * table's own copy, interned: routes with equal nexthops share one
 * immutable, reference-counted block, as the kernel shares a fib_info.
 * A prefix with one route stores the route directly as the trie value; a
 * prefix with several stores a tagged pointer to a small vector. That
 * keeps a route near 96 bytes plus the trie's ~85 per prefix.
 */
#ifndef NETRIG_RTABLE_H
#define NETRIG_RTABLE_H

#include "netrig/addr.h"
#include "netrig/route.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct nr_rtable;

struct nr_rtable *nr_rtable_new(int family, uint32_t id);
void nr_rtable_free(struct nr_rtable *t);
uint32_t nr_rtable_id(const struct nr_rtable *t);
size_t nr_rtable_count(const struct nr_rtable *t);
/* Bytes used: trie nodes plus route allocations (payload, not malloc's headers). */
size_t nr_rtable_memory(const struct nr_rtable *t);

/*
 * Validate r for this table (family, prefix length, host bits clear,
 * nexthop count) and insert a copy. -EINVAL, -EEXIST (see stack.h),
 * -ENOMEM.
 */
int nr_rtable_add(struct nr_rtable *t, const struct nr_route *r);
/* Delete the first route matching r as nr_stack_route_del() says. -ESRCH. */
int nr_rtable_del(struct nr_rtable *t, const struct nr_route *r);
/* Delete every route for which pred says yes; returns how many. */
size_t nr_rtable_del_if(struct nr_rtable *t, bool (*pred)(const struct nr_route *r, void *arg),
			void *arg);

/* The routes stored at one prefix, in kernel order. */
struct nr_rt_list {
	size_t n;
	struct nr_route *const *v; /* when n > 1 */
	const struct nr_route *one; /* when n == 1 */
};

static inline const struct nr_route *nr_rt_list_at(const struct nr_rt_list *l, size_t i)
{
	return l->n == 1 ? l->one : l->v[i];
}

/* The list at exactly (addr, plen); n == 0 when none. */
void nr_rtable_exact(const struct nr_rtable *t, const struct nr_addr *addr, unsigned plen,
		     struct nr_rt_list *ret);

/*
 * Every prefix containing a, longest first (what fib_table_lookup
 * backtracks through): up to cap lists and their prefix lengths. Returns
 * how many were written.
 */
size_t nr_rtable_matches(const struct nr_rtable *t, const struct nr_addr *a,
			 struct nr_rt_list *lists, unsigned *plens, size_t cap);

/*
 * Only the longest prefix containing a: what nr_rtable_matches would put
 * first, at the cost of one trie lookup (which uses the jump table). False
 * when none; ret_* written only on success.
 */
bool nr_rtable_longest(const struct nr_rtable *t, const struct nr_addr *a,
		       struct nr_rt_list *ret_list, unsigned *ret_plen);

/*
 * nr_rtable_longest's answer for one address, computed ahead for a batch
 * (nr_rtable_longest_many) and handed to the lookup that needs it.
 */
struct nr_rt_hint {
	const struct nr_rtable *t; /* NULL: no hint */
	struct nr_addr dst;
	bool found;
	unsigned plen;
	struct nr_rt_list list;
};

/*
 * nr_rtable_longest for n (at most NR_RTABLE_HINT_MAX) addresses, their
 * trie walks interleaved so their cache misses overlap, and the routes
 * found prefetched. A table under NR_RTABLE_HINT_MIN_ROUTES stays cached
 * anyway: its hints are left empty (t NULL) and the lookup walks it.
 */
#define NR_RTABLE_HINT_MAX 64
#define NR_RTABLE_HINT_MIN_ROUTES 4096
void nr_rtable_longest_many(const struct nr_rtable *t, const struct nr_addr *const *a, size_t n,
			    struct nr_rt_hint *ret);

/* nr_rtable_longest, answered by h when h holds the answer for t and a. */
static inline bool nr_rtable_longest_hinted(const struct nr_rtable *t, const struct nr_addr *a,
					    const struct nr_rt_hint *h,
					    struct nr_rt_list *ret_list, unsigned *ret_plen)
{
	if (h && t && h->t == t && memcmp(h->dst.bytes, a->bytes, sizeof(a->bytes)) == 0) {
		if (!h->found)
			return false;
		*ret_list = h->list;
		*ret_plen = h->plen;
		return true;
	}
	return nr_rtable_longest(t, a, ret_list, ret_plen);
}

/* Every route: prefix order (address, then length), kernel order within. */
int nr_rtable_walk(const struct nr_rtable *t, int (*cb)(const struct nr_route *r, void *arg),
		   void *arg);

/* All tables of one family. */
struct nr_rtset {
	int family;
	size_t n, cap;
	struct nr_rtable **v; /* ascending id */
	/*
	 * Tables default, main and local (253, 254, 255) or NULL, kept by
	 * every change: every lookup asks for them.
	 */
	struct nr_rtable *known[3];
};

void nr_rtset_init(struct nr_rtset *set, int family);
void nr_rtset_done(struct nr_rtset *set);
void nr_rtset_clear(struct nr_rtset *set);
const struct nr_rtable *nr_rtset_get(const struct nr_rtset *set, uint32_t id);
int nr_rtset_add(struct nr_rtset *set, const struct nr_route *r);
int nr_rtset_del(struct nr_rtset *set, const struct nr_route *r);
size_t nr_rtset_del_if(struct nr_rtset *set, bool (*pred)(const struct nr_route *r, void *arg),
		       void *arg);
size_t nr_rtset_count(const struct nr_rtset *set);
size_t nr_rtset_memory(const struct nr_rtset *set);
int nr_rtset_walk(const struct nr_rtset *set, int (*cb)(const struct nr_route *r, void *arg),
		  void *arg);

#endif
