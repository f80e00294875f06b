/* SPDX-License-Identifier: BSD-2-Clause */
/* Internals shared by the Scapy model's files (not a public header). */
#ifndef NETRIG_SCAPY_MODEL_INT_H
#define NETRIG_SCAPY_MODEL_INT_H

#include "scapy/scapy_model.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* IPv6 scopes as Scapy names them (scapy/data.py). */
#define SC6_GLOBAL 0x00u
#define SC6_LOOPBACK 0x10u
#define SC6_LINKLOCAL 0x20u
#define SC6_SITELOCAL 0x40u

struct v6cache_entry;

/* What route6() changes: its answer cache (the csets live in r6). */
struct nr_scapy_state {
	struct v6cache_entry *cache; /* uthash head */
};

struct nr_scapy_model {
	const struct nr_stack *s;
	const struct nr_iface_table *ift;

	struct nr_scapy_route4 *r4;
	size_t n4;
	struct nr_scapy_route6 *r6;
	size_t n6;

	struct nr_scapy_addr6 *if6; /* in6_getifaddr() as assumed or given */
	size_t nif6;

	char conf_iface[NR_IFNAMSIZ];
	struct nr_scapy_state *st; /* mutable through a const model, as Scapy's lists are */
};

/* model4.c */
int nr_scapy__build4(struct nr_scapy_model *m);
int nr_scapy__route4(const struct nr_scapy_model *m, const char *dst, struct nr_scapy_answer *ret,
		     ssize_t *ret_index);
/* Scapy's atol() after route()'s wildcard/range rewriting; -EINVAL for names. */
int nr_scapy__parse4(const char *dst, uint32_t *ret);

/* model6.c */
int nr_scapy__build6(struct nr_scapy_model *m);
void nr_scapy__free6(struct nr_scapy_model *m);
void nr_scapy__cache_clear(struct nr_scapy_model *m);
int nr_scapy__route6(const struct nr_scapy_model *m, const char *dst, struct nr_scapy_answer *ret,
		     ssize_t *ret_index);
/* route6()'s destination text after rewriting; -EINVAL when not a literal. */
int nr_scapy__parse6(const char *dst, char *text, size_t cap, struct nr_addr *ret);

/* construct_source_candidate_set()'s final sort (cset_sort). */
void nr_scapy__cset_sort(struct nr_addr *v, size_t n);
/*
 * get_source_addr_from_candidate_set(): sorts cset in place (reverse=True)
 * with rfc3484_cmp for destination d written as text; the answer is cset[0].
 */
void nr_scapy__select_source(const struct nr_addr *d, const char *text, struct nr_addr *cset,
			     size_t n);

/* Scapy's address-class predicates (utils6.py), on parsed addresses. */
bool nr_scapy__in6_included(const struct nr_addr *a, const char *prefix, unsigned plen);
int nr_scapy__in6_getscope(const struct nr_addr *a);

/*
 * CPython 3.11's list.sort() on an array of addresses with a "less than"
 * predicate, reproduced step by step (count_run, binary insertion sort,
 * reverse=True reversing before and after), because Scapy's comparators are
 * not consistent orders and the result depends on the algorithm. Exact for
 * n < 64 (one run, no merging); longer lists are sorted the same way, which
 * agrees with CPython only when the comparator is a consistent order.
 */
typedef bool (*nr_scapy_lt_fn)(const struct nr_addr *a, const struct nr_addr *b, void *ctx);
void nr_scapy__pysort(struct nr_addr *v, size_t n, nr_scapy_lt_fn lt, void *ctx, bool reverse);

/* inet_ntop text (what Python's socket.inet_ntop prints). */
const char *nr_scapy__ntop(const struct nr_addr *a, char *buf, size_t cap);

/*
 * The family's routes that keep() accepts (NULL: all), in /proc's order:
 * by cmp (which returns 0 for routes it cannot tell apart), ties in the
 * stack's own order. *ret is malloc'd (free it; NULL when *ret_n is 0).
 * 0, or a negative errno.
 */
int nr_scapy__proc_order(const struct nr_stack *s, int family,
			 bool (*keep)(const struct nr_route *r),
			 int (*cmp)(const struct nr_route *a, const struct nr_route *b),
			 const struct nr_route ***ret, size_t *ret_n);

#endif
