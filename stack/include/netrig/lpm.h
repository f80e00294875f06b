/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Longest-prefix match: a path-compressed binary trie keyed by address
 * bytes (network order) and a prefix length, one implementation for 32-
 * and 128-bit keys. Values are opaque pointers owned by the caller.
 */
#ifndef NETRIG_LPM_H
#define NETRIG_LPM_H

#include <stddef.h>
#include <stdint.h>

struct nr_lpm;

/* maxbits: 32 or 128. NULL on allocation failure. */
struct nr_lpm *nr_lpm_new(unsigned maxbits);
/* Frees the trie; free_value (may be NULL) is called on every value. */
void nr_lpm_free(struct nr_lpm *t, void (*free_value)(void *value));

/*
 * Store value at (key, plen); bits past plen in key are ignored. If the
 * prefix is present its value is replaced and the old one returned in
 * *ret_old (NULL when new). -EINVAL (plen > maxbits, value NULL), -ENOMEM.
 */
int nr_lpm_insert(struct nr_lpm *t, const uint8_t *key, unsigned plen, void *value,
		  void **ret_old);
/* Remove (key, plen) and return its value, or NULL if absent. */
void *nr_lpm_remove(struct nr_lpm *t, const uint8_t *key, unsigned plen);
/* The value stored at exactly (key, plen), or NULL. */
void *nr_lpm_exact(const struct nr_lpm *t, const uint8_t *key, unsigned plen);

/* The value of the longest prefix containing key (maxbits long), or NULL. */
void *nr_lpm_lookup(const struct nr_lpm *t, const uint8_t *key, unsigned *ret_plen);

/*
 * nr_lpm_lookup of n keys (each maxbits long): values[i] is what
 * nr_lpm_lookup(t, keys[i], &plens[i]) returns, and plens[i] (plens may be
 * NULL) is written only where values[i] is not NULL. The walks of up to 64
 * keys are interleaved, so their cache misses overlap. t or keys NULL:
 * every values[i] NULL.
 */
void nr_lpm_lookup_many(const struct nr_lpm *t, const uint8_t *const *keys, size_t n,
			void **values, unsigned *plens);

/*
 * Every prefix containing key, longest first: up to cap values and their
 * lengths. Returns how many were found (which may exceed cap; only cap are
 * written). cap 129 always suffices.
 */
size_t nr_lpm_matches(const struct nr_lpm *t, const uint8_t *key, void **values,
		      unsigned *plens, size_t cap);

size_t nr_lpm_count(const struct nr_lpm *t);

/*
 * Visit every prefix in order (address ascending, then length ascending).
 * The key passed to cb is maxbits long with bits past plen zero. A non-zero
 * return from cb stops the walk and is returned. cb must not modify t.
 */
int nr_lpm_walk(const struct nr_lpm *t,
		int (*cb)(const uint8_t *key, unsigned plen, void *value, void *arg), void *arg);

/* Bytes the trie itself uses (nodes), for the memory-per-route figure. */
size_t nr_lpm_memory(const struct nr_lpm *t);

/*
 * Nodes in the trie: one per stored prefix plus the glue nodes where two
 * subtrees meet; never more than 2 * count - 1 (tests check the merging).
 */
size_t nr_lpm_nodes(const struct nr_lpm *t);

#endif
