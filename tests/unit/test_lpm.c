/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * LPM trie: hand-written tables with every answer spelled out, then long
 * random runs cross-checked against a naive oracle (a flat array scanned
 * linearly for every question), as WireGuard's allowedips selftest does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "netrig/lpm.h"

/* Opaque values: distinct tags, never dereferenced. */
#define TAG(n) ((void *)(uintptr_t)(n))

static const uint8_t *v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	static uint8_t buf[4][4];
	static unsigned next;
	uint8_t *k = buf[next++ % 4];

	k[0] = a;
	k[1] = b;
	k[2] = c;
	k[3] = d;
	return k;
}

/* ---- hand-written tables -------------------------------------------- */

struct seen {
	uint8_t key[16];
	unsigned plen;
	void *value;
};

struct walk_log {
	struct seen e[64];
	size_t n;
	size_t stop_after; /* 0: never stop */
	size_t keylen;
};

static int log_cb(const uint8_t *key, unsigned plen, void *value, void *arg)
{
	struct walk_log *w = arg;

	assert_true(w->n < 64);
	memcpy(w->e[w->n].key, key, w->keylen);
	w->e[w->n].plen = plen;
	w->e[w->n].value = value;
	w->n++;
	return w->stop_after && w->n == w->stop_after ? 7 : 0;
}

static void test_v4_table(void **state)
{
	struct nr_lpm *t = nr_lpm_new(32);
	void *values[8], *old = TAG(999);
	unsigned plens[8], plen = 999;
	struct walk_log w = {.keylen = 4};

	(void)state;
	assert_non_null(t);
	/* The table, in walk order. */
	assert_int_equal(nr_lpm_insert(t, v4(0, 0, 0, 0), 0, TAG(1), &old), 0); /* 0/0 */
	assert_null(old);
	assert_int_equal(nr_lpm_insert(t, v4(10, 0, 0, 0), 8, TAG(2), NULL), 0);
	assert_int_equal(nr_lpm_insert(t, v4(10, 1, 0, 0), 16, TAG(3), NULL), 0);
	/* Host bits past the length are ignored: stored as 10.1.2.0/24. */
	assert_int_equal(nr_lpm_insert(t, v4(10, 1, 2, 99), 24, TAG(4), NULL), 0);
	assert_int_equal(nr_lpm_insert(t, v4(10, 1, 2, 3), 32, TAG(5), NULL), 0);
	assert_int_equal(nr_lpm_insert(t, v4(192, 0, 2, 0), 24, TAG(6), NULL), 0);
	assert_int_equal(nr_lpm_count(t), 6);

	assert_ptr_equal(nr_lpm_lookup(t, v4(10, 1, 2, 3), &plen), TAG(5));
	assert_int_equal(plen, 32);
	assert_ptr_equal(nr_lpm_lookup(t, v4(10, 1, 2, 4), &plen), TAG(4));
	assert_int_equal(plen, 24);
	assert_ptr_equal(nr_lpm_lookup(t, v4(10, 1, 3, 1), &plen), TAG(3));
	assert_int_equal(plen, 16);
	assert_ptr_equal(nr_lpm_lookup(t, v4(10, 2, 0, 0), &plen), TAG(2));
	assert_int_equal(plen, 8);
	assert_ptr_equal(nr_lpm_lookup(t, v4(11, 0, 0, 0), &plen), TAG(1));
	assert_int_equal(plen, 0);
	assert_ptr_equal(nr_lpm_lookup(t, v4(192, 0, 2, 255), &plen), TAG(6));
	assert_int_equal(plen, 24);
	assert_ptr_equal(nr_lpm_lookup(t, v4(192, 0, 3, 0), &plen), TAG(1));
	assert_int_equal(plen, 0);

	/* Longest first; more found than cap: only cap written. */
	assert_int_equal(nr_lpm_matches(t, v4(10, 1, 2, 3), values, plens, 8), 5);
	assert_ptr_equal(values[0], TAG(5));
	assert_int_equal(plens[0], 32);
	assert_ptr_equal(values[1], TAG(4));
	assert_int_equal(plens[1], 24);
	assert_ptr_equal(values[2], TAG(3));
	assert_int_equal(plens[2], 16);
	assert_ptr_equal(values[3], TAG(2));
	assert_int_equal(plens[3], 8);
	assert_ptr_equal(values[4], TAG(1));
	assert_int_equal(plens[4], 0);
	values[2] = TAG(77);
	plens[2] = 77;
	assert_int_equal(nr_lpm_matches(t, v4(10, 1, 2, 200), values, plens, 2), 4);
	assert_ptr_equal(values[0], TAG(4));
	assert_ptr_equal(values[1], TAG(3));
	assert_ptr_equal(values[2], TAG(77));
	assert_int_equal(plens[2], 77);

	assert_ptr_equal(nr_lpm_exact(t, v4(10, 1, 0, 0), 16), TAG(3));
	assert_ptr_equal(nr_lpm_exact(t, v4(10, 1, 255, 255), 16), TAG(3));
	assert_null(nr_lpm_exact(t, v4(10, 1, 0, 0), 17));
	assert_null(nr_lpm_exact(t, v4(10, 0, 0, 0), 7));
	assert_null(nr_lpm_exact(t, v4(10, 1, 2, 3), 31));

	/* Address ascending, then length ascending. */
	assert_int_equal(nr_lpm_walk(t, log_cb, &w), 0);
	assert_int_equal(w.n, 6);
	assert_memory_equal(w.e[0].key, v4(0, 0, 0, 0), 4);
	assert_int_equal(w.e[0].plen, 0);
	assert_memory_equal(w.e[1].key, v4(10, 0, 0, 0), 4);
	assert_int_equal(w.e[1].plen, 8);
	assert_memory_equal(w.e[2].key, v4(10, 1, 0, 0), 4);
	assert_int_equal(w.e[2].plen, 16);
	assert_memory_equal(w.e[3].key, v4(10, 1, 2, 0), 4); /* host bits zeroed */
	assert_int_equal(w.e[3].plen, 24);
	assert_ptr_equal(w.e[3].value, TAG(4));
	assert_memory_equal(w.e[4].key, v4(10, 1, 2, 3), 4);
	assert_int_equal(w.e[4].plen, 32);
	assert_memory_equal(w.e[5].key, v4(192, 0, 2, 0), 4);
	assert_int_equal(w.e[5].plen, 24);

	/* A non-zero callback result stops the walk and comes back. */
	memset(&w, 0, sizeof(w));
	w.keylen = 4;
	w.stop_after = 3;
	assert_int_equal(nr_lpm_walk(t, log_cb, &w), 7);
	assert_int_equal(w.n, 3);

	/* Replace: old value back, count unchanged. */
	assert_int_equal(nr_lpm_insert(t, v4(10, 1, 2, 0), 24, TAG(40), &old), 0);
	assert_ptr_equal(old, TAG(4));
	assert_int_equal(nr_lpm_count(t), 6);

	/* Remove an inner prefix: lookups fall through to the next shorter. */
	assert_ptr_equal(nr_lpm_remove(t, v4(10, 1, 0, 0), 16), TAG(3));
	assert_null(nr_lpm_remove(t, v4(10, 1, 0, 0), 16));
	assert_ptr_equal(nr_lpm_lookup(t, v4(10, 1, 3, 1), &plen), TAG(2));
	assert_int_equal(plen, 8);
	assert_ptr_equal(nr_lpm_lookup(t, v4(10, 1, 2, 9), NULL), TAG(40));
	assert_int_equal(nr_lpm_count(t), 5);

	/* Without a default route, a miss leaves ret_plen alone. */
	assert_ptr_equal(nr_lpm_remove(t, v4(1, 2, 3, 4), 0), TAG(1));
	plen = 999;
	assert_null(nr_lpm_lookup(t, v4(11, 0, 0, 0), &plen));
	assert_int_equal(plen, 999);
	assert_int_equal(nr_lpm_matches(t, v4(11, 0, 0, 0), values, plens, 8), 0);
	nr_lpm_free(t, NULL);
}

static void test_v6_table(void **state)
{
	/* 2001:db8::/32, 2001:db8:0:1::/64, 2001:db8:0:1::1/128, ::/0 */
	static const uint8_t db8[16] = {0x20, 0x01, 0x0d, 0xb8};
	static const uint8_t net1[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1};
	static const uint8_t host1[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1,
					  0,    0,    0,    0,    0, 0, 0, 1};
	static const uint8_t host2[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1,
					  0,    0,    0,    0,    0, 0, 0, 2};
	static const uint8_t other[16] = {0x20, 0x01, 0x0d, 0xb9};
	static const uint8_t zero[16];
	struct nr_lpm *t = nr_lpm_new(128);
	struct walk_log w = {.keylen = 16};
	void *values[4];
	unsigned plens[4], plen = 0;

	(void)state;
	assert_non_null(t);
	assert_int_equal(nr_lpm_insert(t, host1, 128, TAG(3), NULL), 0);
	assert_int_equal(nr_lpm_insert(t, db8, 32, TAG(1), NULL), 0);
	/* host1 with the length of net1: stored as net1/64. */
	assert_int_equal(nr_lpm_insert(t, host1, 64, TAG(2), NULL), 0);
	assert_int_equal(nr_lpm_insert(t, zero, 0, TAG(4), NULL), 0);

	assert_ptr_equal(nr_lpm_lookup(t, host1, &plen), TAG(3));
	assert_int_equal(plen, 128);
	assert_ptr_equal(nr_lpm_lookup(t, host2, &plen), TAG(2));
	assert_int_equal(plen, 64);
	assert_ptr_equal(nr_lpm_lookup(t, other, &plen), TAG(4));
	assert_int_equal(plen, 0);
	assert_ptr_equal(nr_lpm_exact(t, net1, 64), TAG(2));
	assert_null(nr_lpm_exact(t, net1, 63));

	assert_int_equal(nr_lpm_matches(t, host1, values, plens, 4), 4);
	assert_int_equal(plens[0], 128);
	assert_int_equal(plens[1], 64);
	assert_int_equal(plens[2], 32);
	assert_int_equal(plens[3], 0);
	assert_ptr_equal(values[3], TAG(4));

	assert_int_equal(nr_lpm_walk(t, log_cb, &w), 0);
	assert_int_equal(w.n, 4);
	assert_memory_equal(w.e[0].key, zero, 16);
	assert_memory_equal(w.e[1].key, db8, 16);
	assert_memory_equal(w.e[2].key, net1, 16);
	assert_int_equal(w.e[2].plen, 64);
	assert_memory_equal(w.e[3].key, host1, 16);
	assert_int_equal(w.e[3].plen, 128);

	assert_ptr_equal(nr_lpm_remove(t, host1, 128), TAG(3));
	assert_ptr_equal(nr_lpm_lookup(t, host1, &plen), TAG(2));
	assert_int_equal(plen, 64);
	nr_lpm_free(t, NULL);
}

static void test_errors(void **state)
{
	static const uint8_t k[16];
	struct nr_lpm *t4 = nr_lpm_new(32), *t6 = nr_lpm_new(128);
	void *old = TAG(5);

	(void)state;
	assert_null(nr_lpm_new(0));
	assert_null(nr_lpm_new(64));
	assert_null(nr_lpm_new(33));
	assert_non_null(t4);
	assert_non_null(t6);

	assert_int_equal(nr_lpm_insert(t4, k, 33, TAG(1), &old), -EINVAL);
	assert_int_equal(nr_lpm_insert(t6, k, 129, TAG(1), &old), -EINVAL);
	assert_int_equal(nr_lpm_insert(t4, k, 8, NULL, &old), -EINVAL);
	assert_int_equal(nr_lpm_insert(t4, NULL, 8, TAG(1), &old), -EINVAL);
	assert_int_equal(nr_lpm_insert(NULL, k, 8, TAG(1), &old), -EINVAL);
	assert_ptr_equal(old, TAG(5)); /* untouched on failure */
	assert_int_equal(nr_lpm_count(t4), 0);
	assert_int_equal(nr_lpm_memory(t4), 0);
	assert_int_equal(nr_lpm_nodes(t4), 0);

	/* The largest lengths are valid. */
	assert_int_equal(nr_lpm_insert(t4, k, 32, TAG(1), &old), 0);
	assert_null(old);
	assert_int_equal(nr_lpm_insert(t6, k, 128, TAG(2), NULL), 0);
	assert_null(nr_lpm_remove(t4, k, 33));
	assert_null(nr_lpm_exact(t4, k, 33));
	assert_null(nr_lpm_remove(t6, k, 129));
	assert_ptr_equal(nr_lpm_exact(t6, k, 128), TAG(2));
	assert_null(nr_lpm_lookup(t4, NULL, NULL));
	assert_int_equal(nr_lpm_count(t4), 1);
	assert_int_equal(nr_lpm_count(NULL), 0);
	assert_int_equal(nr_lpm_memory(NULL), 0);
	assert_null(nr_lpm_lookup(NULL, k, NULL));
	assert_int_equal(nr_lpm_walk(NULL, log_cb, NULL), 0);
	{
		const uint8_t *keys[2] = {k, k};
		void *values[3] = {TAG(1), TAG(1), TAG(1)};
		unsigned plens[3] = {999, 999, 999};

		/* No trie, no keys: nothing found; n bounds what is written. */
		nr_lpm_lookup_many(NULL, keys, 2, values, plens);
		assert_null(values[0]);
		assert_null(values[1]);
		assert_ptr_equal(values[2], TAG(1));
		values[0] = TAG(1);
		nr_lpm_lookup_many(t4, NULL, 1, values, plens);
		assert_null(values[0]);
		nr_lpm_lookup_many(t4, keys, 0, values, plens);
		assert_null(values[0]);
		nr_lpm_lookup_many(t4, keys, 1, values, plens);
		assert_ptr_equal(values[0], TAG(1));
		assert_int_equal(plens[0], 32);
		assert_int_equal(plens[1], 999);
		nr_lpm_lookup_many(t6, keys, 2, values, plens);
		assert_ptr_equal(values[1], TAG(2));
		assert_int_equal(plens[1], 128);
	}
	nr_lpm_free(NULL, NULL);
	nr_lpm_free(t4, NULL);
	nr_lpm_free(t6, NULL);
}

/* Memory shrinks as glue nodes are merged away. */
static void test_merge(void **state)
{
	struct nr_lpm *t = nr_lpm_new(32);

	(void)state;
	/* 198.51.100.0/24 and 198.51.101.0/24 meet in glue 198.51.100.0/23. */
	assert_int_equal(nr_lpm_insert(t, v4(198, 51, 100, 0), 24, TAG(1), NULL), 0);
	assert_int_equal(nr_lpm_nodes(t), 1);
	assert_true(nr_lpm_memory(t) > 0);
	assert_int_equal(nr_lpm_insert(t, v4(198, 51, 101, 0), 24, TAG(2), NULL), 0);
	assert_int_equal(nr_lpm_nodes(t), 3);
	/* Glue is not a prefix. */
	assert_null(nr_lpm_exact(t, v4(198, 51, 100, 0), 23));
	assert_null(nr_lpm_remove(t, v4(198, 51, 100, 0), 23));
	assert_int_equal(nr_lpm_count(t), 2);
	/* Storing at the glue's place turns it into a prefix: no new node. */
	assert_int_equal(nr_lpm_insert(t, v4(198, 51, 100, 0), 23, TAG(3), NULL), 0);
	assert_int_equal(nr_lpm_nodes(t), 3);
	assert_int_equal(nr_lpm_count(t), 3);
	/* Removing it with both children present turns it back into glue. */
	assert_ptr_equal(nr_lpm_remove(t, v4(198, 51, 100, 0), 23), TAG(3));
	assert_int_equal(nr_lpm_nodes(t), 3);
	/* A leaf goes, and with it the glue above it. */
	assert_ptr_equal(nr_lpm_remove(t, v4(198, 51, 101, 0), 24), TAG(2));
	assert_int_equal(nr_lpm_nodes(t), 1);
	assert_ptr_equal(nr_lpm_lookup(t, v4(198, 51, 100, 1), NULL), TAG(1));
	assert_null(nr_lpm_lookup(t, v4(198, 51, 101, 1), NULL));
	/* A node with one child is spliced out. */
	assert_int_equal(nr_lpm_insert(t, v4(198, 51, 0, 0), 16, TAG(4), NULL), 0);
	assert_int_equal(nr_lpm_nodes(t), 2);
	assert_ptr_equal(nr_lpm_remove(t, v4(198, 51, 0, 0), 16), TAG(4));
	assert_int_equal(nr_lpm_nodes(t), 1);
	assert_ptr_equal(nr_lpm_remove(t, v4(198, 51, 100, 0), 24), TAG(1));
	assert_int_equal(nr_lpm_nodes(t), 0);
	assert_int_equal(nr_lpm_memory(t), 0);
	assert_int_equal(nr_lpm_count(t), 0);
	nr_lpm_free(t, NULL);
}

/* Every length on one key: the deepest trie there is. */
static void chain(unsigned maxbits)
{
	const size_t len = maxbits / 8;
	uint8_t key[16], probe[16];
	void *values[129];
	unsigned plens[129], plen, order[129];
	struct nr_lpm *t = nr_lpm_new(maxbits);

	memset(key, 0xa5, sizeof(key));
	for (unsigned l = 0; l <= maxbits; l++)
		assert_int_equal(nr_lpm_insert(t, key, l, TAG(l + 1), NULL), 0);
	assert_int_equal(nr_lpm_count(t), maxbits + 1);
	assert_int_equal(nr_lpm_nodes(t), maxbits + 1);
	assert_int_equal(nr_lpm_matches(t, key, values, plens, 129), maxbits + 1);
	for (unsigned i = 0; i <= maxbits; i++) {
		assert_int_equal(plens[i], maxbits - i);
		assert_ptr_equal(values[i], TAG(maxbits - i + 1));
	}
	/* Flipping bit b leaves exactly the prefixes shorter than b + 1. */
	for (unsigned b = 0; b < maxbits; b++) {
		memcpy(probe, key, len);
		probe[b / 8] ^= (uint8_t)(0x80u >> (b % 8));
		assert_ptr_equal(nr_lpm_lookup(t, probe, &plen), TAG(b + 1));
		assert_int_equal(plen, b);
		assert_int_equal(nr_lpm_matches(t, probe, NULL, NULL, 0), b + 1);
	}
	/* Remove in a scrambled order; every lookup follows. */
	for (unsigned i = 0; i <= maxbits; i++)
		order[i] = (i * 37u) % (maxbits + 1); /* 37 is coprime to 33 and 129 */
	for (unsigned i = 0; i <= maxbits; i++) {
		assert_ptr_equal(nr_lpm_remove(t, key, order[i]), TAG(order[i] + 1));
		assert_null(nr_lpm_exact(t, key, order[i]));
	}
	assert_int_equal(nr_lpm_count(t), 0);
	assert_int_equal(nr_lpm_nodes(t), 0);
	assert_int_equal(nr_lpm_memory(t), 0);
	assert_null(nr_lpm_lookup(t, key, NULL));
	nr_lpm_free(t, NULL);
}

static void test_chain_v4(void **state)
{
	(void)state;
	chain(32);
}

static void test_chain_v6(void **state)
{
	(void)state;
	chain(128);
}

static size_t freed;

static void count_free(void *value)
{
	assert_non_null(value);
	freed++;
}

static void test_free_values(void **state)
{
	struct nr_lpm *t = nr_lpm_new(32);

	(void)state;
	for (unsigned i = 0; i < 5000; i++)
		assert_int_equal(nr_lpm_insert(t, v4((uint8_t)(i >> 8), (uint8_t)i, 7, 0),
					       16 + i % 17, TAG(i + 1), NULL),
				 0);
	freed = 0;
	nr_lpm_free(t, count_free);
	assert_int_equal(freed, 5000);
}

/* ---- the oracle ------------------------------------------------------ */

static uint64_t rng_state;

static uint64_t rng(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/*
 * Every prefix ever inserted, present or not, in insertion order. Each
 * keeps its address as two 64-bit halves and a mask of its length so the
 * linear scan stays cheap enough for 100k entries under ASan.
 */
struct oentry {
	uint64_t w[2], m[2];
	uint8_t key[16]; /* bits past plen zero */
	unsigned plen;
	bool present;
	void *value;
};

struct oracle {
	unsigned maxbits;
	size_t len;
	struct oentry *e;
	size_t n, cap;
	size_t present;
	size_t *slot; /* open addressing over (key, plen): index + 1, 0 empty */
	size_t nslots;
};

static void to_words(const uint8_t *key, size_t len, uint64_t w[2])
{
	uint8_t full[16] = {0};

	memcpy(full, key, len);
	w[0] = w[1] = 0;
	for (int i = 0; i < 8; i++) {
		w[0] = w[0] << 8 | full[i];
		w[1] = w[1] << 8 | full[8 + i];
	}
}

static void mask_bytes(uint8_t *key, size_t len, unsigned plen)
{
	for (size_t i = 0; i < len; i++) {
		unsigned lo = (unsigned)i * 8;

		if (plen <= lo)
			key[i] = 0;
		else if (plen - lo < 8)
			key[i] &= (uint8_t)(0xff00u >> (plen - lo));
	}
}

static size_t ohash(const struct oracle *o, const uint8_t *key, unsigned plen)
{
	uint64_t h = 1469598103934665603ull ^ plen;

	for (size_t i = 0; i < o->len; i++)
		h = (h ^ key[i]) * 1099511628211ull;
	return (size_t)(h ^ (h >> 29)) & (o->nslots - 1);
}

static void oracle_init(struct oracle *o, unsigned maxbits, size_t cap)
{
	memset(o, 0, sizeof(*o));
	o->maxbits = maxbits;
	o->len = maxbits / 8;
	o->cap = cap;
	o->e = calloc(cap, sizeof(*o->e));
	o->nslots = 1;
	while (o->nslots < 2 * cap)
		o->nslots *= 2;
	o->slot = calloc(o->nslots, sizeof(*o->slot));
	assert_non_null(o->e);
	assert_non_null(o->slot);
}

static void oracle_done(struct oracle *o)
{
	free(o->e);
	free(o->slot);
}

/* The entry for (key masked to plen, plen), created absent if new. */
static struct oentry *oracle_get(struct oracle *o, const uint8_t *raw, unsigned plen)
{
	uint8_t key[16] = {0};
	size_t h;

	memcpy(key, raw, o->len);
	mask_bytes(key, o->len, plen);
	for (h = ohash(o, key, plen); o->slot[h]; h = (h + 1) & (o->nslots - 1)) {
		struct oentry *e = &o->e[o->slot[h] - 1];

		if (e->plen == plen && memcmp(e->key, key, o->len) == 0)
			return e;
	}
	assert_true(o->n < o->cap);
	struct oentry *e = &o->e[o->n++];
	memcpy(e->key, key, o->len);
	e->plen = plen;
	to_words(key, o->len, e->w);
	e->m[0] = plen == 0 ? 0 : plen >= 64 ? UINT64_MAX : UINT64_MAX << (64 - plen);
	e->m[1] = plen <= 64 ? 0 : plen == 128 ? UINT64_MAX : UINT64_MAX << (128 - plen);
	o->slot[h] = o->n;
	return e;
}

/* Every present prefix containing key, longest first; returns how many. */
static size_t oracle_matches(const struct oracle *o, const uint8_t *key,
			     const struct oentry **out)
{
	const struct oentry *by_len[129] = {0};
	uint64_t w[2];
	size_t n = 0;

	to_words(key, o->len, w);
	for (size_t i = 0; i < o->n; i++) {
		const struct oentry *e = &o->e[i];

		if (e->present && ((w[0] ^ e->w[0]) & e->m[0]) == 0 &&
		    ((w[1] ^ e->w[1]) & e->m[1]) == 0) {
			assert_null(by_len[e->plen]); /* one prefix per length */
			by_len[e->plen] = e;
		}
	}
	for (int l = (int)o->maxbits; l >= 0; l--)
		if (by_len[l])
			out[n++] = by_len[l];
	return n;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct oentry *x = *(const struct oentry *const *)a;
	const struct oentry *y = *(const struct oentry *const *)b;
	int c = memcmp(x->key, y->key, 16);

	if (c)
		return c;
	return x->plen < y->plen ? -1 : x->plen > y->plen;
}

struct walk_check {
	const struct oentry **sorted;
	size_t n, at, len;
};

static int check_cb(const uint8_t *key, unsigned plen, void *value, void *arg)
{
	struct walk_check *c = arg;

	assert_true(c->at < c->n);
	assert_memory_equal(key, c->sorted[c->at]->key, c->len);
	assert_int_equal(plen, c->sorted[c->at]->plen);
	assert_ptr_equal(value, c->sorted[c->at]->value);
	c->at++;
	return 0;
}

/* Overwrite the first plen bits of key with those of prefix. */
static void keep_prefix(uint8_t *key, const uint8_t *prefix, unsigned plen, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned lo = (unsigned)i * 8;
		uint8_t keep = plen <= lo ? 0 : plen - lo >= 8 ? 0xff : (uint8_t)(0xff00u >> (plen - lo));

		key[i] = (uint8_t)((prefix[i] & keep) | (key[i] & (uint8_t)~keep));
	}
}

/*
 * Clustered runs: most prefixes (and queries) share the first
 * cluster_plen bits of cluster_key, as IPv6 tables share 2000::/3 or a
 * lab's 2001:db8::/32, so the jump table indexes the bits after them.
 */
static unsigned cluster_plen;
static uint8_t cluster_key[16];

static void keep_prefix(uint8_t *key, const uint8_t *prefix, unsigned plen, size_t len);

static void clustered(const struct oracle *o, uint8_t *key, unsigned plen)
{
	if (cluster_plen && rng() % 100 < 95)
		keep_prefix(key, cluster_key, plen < cluster_plen ? plen : cluster_plen, o->len);
}

/* A prefix to insert: shapes chosen to stress the trie. */
static void gen_prefix(struct oracle *o, const uint8_t bases[][16], uint8_t *key,
		       unsigned *plen)
{
	unsigned r = (unsigned)(rng() % 100);

	for (size_t i = 0; i < 16; i += 8) {
		uint64_t x = rng();

		memcpy(key + i, &x, 8);
	}
	if (r < 2) {
		*plen = 0;
	} else if (r < 12) {
		*plen = o->maxbits; /* host route */
	} else if (r < 42) {
		/* Clustered: shares its first maxbits - 16 bits with one of
		 * eight bases, lengths around and past the shared part. */
		const uint8_t *b = bases[rng() % 8];
		size_t shared = o->len - 2;

		memcpy(key, b, shared);
		*plen = o->maxbits - 24 + (unsigned)(rng() % 25);
	} else if (r < 52 && o->n > 0) {
		/* Duplicate of an earlier prefix, with junk past its length. */
		const struct oentry *e = &o->e[rng() % o->n];

		keep_prefix(key, e->key, e->plen, o->len);
		*plen = e->plen;
	} else {
		*plen = (unsigned)(rng() % (o->maxbits + 1));
		if (cluster_plen)
			*plen = cluster_plen + (unsigned)(rng() % (o->maxbits - cluster_plen + 1));
		clustered(o, key, *plen);
	}
}

/* A key to look up: half uniform, half inside a known prefix. */
static void gen_query(const struct oracle *o, uint8_t *key)
{
	for (size_t i = 0; i < 16; i += 8) {
		uint64_t x = rng();

		memcpy(key + i, &x, 8);
	}
	if (o->n > 0 && rng() % 2) {
		const struct oentry *e = &o->e[rng() % o->n];

		keep_prefix(key, e->key, e->plen, o->len);
	} else {
		clustered(o, key, o->maxbits);
	}
}

/*
 * nr_lpm_lookup_many against the oracle: a batch of 1 + salt % 140 keys
 * (batches end inside and across the 64-key groups), plens untouched
 * where nothing matched.
 */
#define MANY_MAX 140
static void check_many(const struct oracle *o, const struct nr_lpm *t, size_t salt)
{
	uint8_t keys[MANY_MAX][16];
	const uint8_t *kp[MANY_MAX];
	const struct oentry *want[129];
	void *values[MANY_MAX];
	unsigned plens[MANY_MAX];
	size_t n = 1 + salt % MANY_MAX;

	for (size_t i = 0; i < n; i++) {
		gen_query(o, keys[i]);
		kp[i] = keys[i];
		plens[i] = 999;
		values[i] = TAG(7);
	}
	nr_lpm_lookup_many(t, kp, n, values, plens);
	for (size_t i = 0; i < n; i++) {
		if (oracle_matches(o, keys[i], want)) {
			assert_ptr_equal(values[i], want[0]->value);
			assert_int_equal(plens[i], want[0]->plen);
		} else {
			assert_null(values[i]);
			assert_int_equal(plens[i], 999);
		}
	}
	/* plens may be NULL. */
	nr_lpm_lookup_many(t, kp, n, values, NULL);
	for (size_t i = 0; i < n; i++)
		assert_ptr_equal(values[i], oracle_matches(o, keys[i], want) ? want[0]->value : NULL);
}

static void check_all(const struct oracle *o, const struct nr_lpm *t, size_t queries)
{
	const struct oentry **sorted = malloc(o->n * sizeof(*sorted) + 1);
	const struct oentry *want[129];
	struct walk_check wc = {.sorted = sorted, .len = o->len};
	void *values[129];
	unsigned plens[129], plen;
	uint8_t key[16];
	size_t n = 0;

	assert_non_null(sorted);
	assert_int_equal(nr_lpm_count(t), o->present);
	/* Glue only where two subtrees meet. */
	if (o->present)
		assert_true(nr_lpm_nodes(t) <= 2 * o->present - 1);
	else
		assert_int_equal(nr_lpm_nodes(t), 0);

	for (size_t i = 0; i < o->n; i++) {
		const struct oentry *e = &o->e[i];

		assert_ptr_equal(nr_lpm_exact(t, e->key, e->plen), e->present ? e->value : NULL);
		if (e->present)
			sorted[n++] = e;
	}
	qsort(sorted, n, sizeof(*sorted), cmp_entry);
	wc.n = n;
	assert_int_equal(nr_lpm_walk(t, check_cb, &wc), 0);
	assert_int_equal(wc.at, n);

	for (size_t q = 0; q < queries; q++) {
		size_t nw, ng;

		gen_query(o, key);
		if (q % 37 == 0)
			check_many(o, t, q);
		nw = oracle_matches(o, key, want);
		ng = nr_lpm_matches(t, key, values, plens, 129);
		assert_int_equal(ng, nw);
		for (size_t i = 0; i < nw; i++) {
			assert_ptr_equal(values[i], want[i]->value);
			assert_int_equal(plens[i], want[i]->plen);
		}
		plen = 999;
		if (nw) {
			assert_ptr_equal(nr_lpm_lookup(t, key, &plen), want[0]->value);
			assert_int_equal(plen, want[0]->plen);
		} else {
			assert_null(nr_lpm_lookup(t, key, &plen));
			assert_int_equal(plen, 999);
		}
	}
	free(sorted);
}

static void do_insert(struct oracle *o, struct nr_lpm *t, const uint8_t *key, unsigned plen,
		      uintptr_t *serial)
{
	struct oentry *e = oracle_get(o, key, plen);
	void *old = TAG(1), *v = TAG(++*serial);

	assert_int_equal(nr_lpm_insert(t, key, plen, v, &old), 0);
	assert_ptr_equal(old, e->present ? e->value : NULL);
	if (!e->present)
		o->present++;
	e->present = true;
	e->value = v;
	assert_ptr_equal(nr_lpm_exact(t, key, plen), v);
}

static void do_remove(struct oracle *o, struct nr_lpm *t, struct oentry *e)
{
	uint8_t key[16];

	/* Junk past the length must not matter to remove either. */
	memcpy(key, e->key, 16);
	if (e->plen < o->maxbits)
		key[o->len - 1] ^= 1;
	assert_ptr_equal(nr_lpm_remove(t, key, e->plen), e->present ? e->value : NULL);
	if (e->present)
		o->present--;
	e->present = false;
	e->value = NULL;
	assert_null(nr_lpm_exact(t, e->key, e->plen));
}

#define N_PREFIXES 100000
#define N_MIXED 100000

static void random_run(unsigned maxbits, uint64_t seed, unsigned cluster)
{
	struct nr_lpm *t = nr_lpm_new(maxbits);
	struct oracle o;
	uint8_t bases[8][16], key[16];
	uintptr_t serial = 1;
	unsigned plen;
	size_t *order;

	rng_state = seed;
	oracle_init(&o, maxbits, N_PREFIXES + N_MIXED + 1);
	for (size_t i = 0; i < 16; i++)
		cluster_key[i] = (uint8_t)rng();
	cluster_plen = cluster;
	for (size_t i = 0; i < 8; i++) {
		for (size_t j = 0; j < 16; j++)
			bases[i][j] = (uint8_t)rng();
		if (cluster)
			keep_prefix(bases[i], cluster_key, cluster, o.len);
	}

	for (size_t i = 0; i < N_PREFIXES; i++) {
		gen_prefix(&o, bases, key, &plen);
		do_insert(&o, t, key, plen, &serial);
	}
	check_all(&o, t, 1500);

	for (size_t i = 0; i < N_MIXED; i++) {
		if (rng() % 100 < 55) {
			gen_prefix(&o, bases, key, &plen);
			do_insert(&o, t, key, plen, &serial);
		} else {
			do_remove(&o, t, &o.e[rng() % o.n]);
		}
		if (i == N_MIXED / 2)
			check_all(&o, t, 1500);
	}
	check_all(&o, t, 1500);

	/* Everything out in a shuffled order; memory must return to zero. */
	order = malloc(o.n * sizeof(*order));
	assert_non_null(order);
	for (size_t i = 0; i < o.n; i++)
		order[i] = i;
	for (size_t i = o.n - 1; i > 0; i--) {
		size_t j = (size_t)(rng() % (i + 1)), x = order[i];

		order[i] = order[j];
		order[j] = x;
	}
	for (size_t i = 0; i < o.n; i++) {
		do_remove(&o, t, &o.e[order[i]]);
		if (i == o.n / 2)
			check_all(&o, t, 200);
	}
	check_all(&o, t, 50);
	assert_int_equal(nr_lpm_count(t), 0);
	assert_int_equal(nr_lpm_nodes(t), 0);
	assert_int_equal(nr_lpm_memory(t), 0);
	free(order);
	oracle_done(&o);
	nr_lpm_free(t, NULL);
}

static void test_random_v4(void **state)
{
	(void)state;
	random_run(32, 0x6c706d34, 0); /* "lpm4" */
}

static void test_random_v6(void **state)
{
	(void)state;
	random_run(128, 0x6c706d36, 0); /* "lpm6" */
}

/* The jump table indexes the bits after a shared /11 (IPv4), /32 (IPv6). */
static void test_random_v4_clustered(void **state)
{
	(void)state;
	random_run(32, 0x6c706d63, 11);
}

static void test_random_v6_clustered(void **state)
{
	(void)state;
	random_run(128, 0x6c706d43, 32);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v4_table),   cmocka_unit_test(test_v6_table),
		cmocka_unit_test(test_errors),     cmocka_unit_test(test_merge),
		cmocka_unit_test(test_chain_v4),   cmocka_unit_test(test_chain_v6),
		cmocka_unit_test(test_free_values), cmocka_unit_test(test_random_v4),
		cmocka_unit_test(test_random_v6),  cmocka_unit_test(test_random_v4_clustered),
		cmocka_unit_test(test_random_v6_clustered),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
