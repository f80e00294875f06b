/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Longest-prefix match: a path-compressed binary trie (Patricia), in the
 * spirit of WireGuard's allowedips.c.
 *
 * Every node holds a prefix (key, plen). A node's children hold longer
 * prefixes that extend it; child[b] is the subtree whose bit number plen
 * (counting from the most significant bit) is b. A node with a value is a
 * stored prefix; a node without one ("glue") only joins two subtrees where
 * they diverge, so it always has exactly two children. That invariant is
 * what keeps the trie at most 2n - 1 nodes and makes memory shrink back on
 * removal: removing a prefix frees its node when it has fewer than two
 * children, and then at most one glue parent that is left with one child.
 *
 * Keys are kept as 32-bit words in host order (one word for IPv4, four for
 * IPv6) so that bit tests and prefix comparisons are word operations. The
 * hot paths are written once, for any word count, and forced inline into
 * two specialisations so the IPv4 loop has no loop over words at all.
 *
 * A trie of many prefixes also gets a jump table indexed by jump_bits
 * bits of the key (16 to 20, about log2 of the prefix count) that follow
 * a base prefix: the longest prefix whose subtree holds at least 3/4 of
 * the table, chosen when the table is sized. Real tables cluster (every
 * IPv6 route under 2000::/3, a lab's under 2001:db8::/32), and indexing by
 * the first bits would put all of them behind one entry. An entry says
 * where a lookup's path leaves the base + jump_bits levels and the best
 * prefix met above that, so a lookup of a key inside the base skips the
 * upper levels, which in a large table are a full binary tree costing one
 * dependent cache miss each; keys outside the base walk from the root.
 * The base is only a key prefix, not a node, so it stays correct (if less
 * useful) whatever changes later; it is picked again when a quarter of the
 * table was added outside it since (a kernel dump arrives sorted, so the
 * first 64k prefixes of a table may all share a longer prefix than the
 * whole table does). Updates refill only the entries whose
 * path crosses the link they changed: nothing for the usual deep change,
 * but up to all 2^jump_bits entries (milliseconds) when a link above the
 * base changes, e.g. the default route comes or goes in a large table.
 *
 * Nodes come from per-trie slabs of SLAB_SIZE bytes, aligned to their size
 * so a node finds its slab by masking its address. That keeps nodes at
 * exactly 32 bytes (IPv4) or 48 (IPv6) with no allocator header, and lets a
 * slab go back to libc as soon as its last node is freed. There is no
 * compaction: a large table that loses half its prefixes at random keeps
 * most of its slabs, partly empty, until they refill or empty out.
 *
 * A trie past CHUNK_FROM_SLABS slabs (4 MiB) takes further slabs from
 * 2 MiB chunks mapped for transparent huge pages, and so does a jump table
 * of 2 MiB or more: at 1M prefixes each step of a walk is a cache miss
 * and, on 4 KiB pages, a TLB miss whose page walk misses too (a dependent
 * miss over 256 MiB here: 234 ns on 4 KiB pages, 190 ns on huge pages).
 * A small table never maps a chunk, and a chunk is unmapped when its last
 * slab is freed. Without huge pages (or madvise) only the speed differs.
 */
#include "netrig/lpm.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define LPM_ALWAYS_INLINE inline __attribute__((always_inline))

/* Longest possible root-to-leaf path: plen strictly grows, 0..128. */
#define LPM_MAX_DEPTH 129

struct lpm_node {
	struct lpm_node *child[2];
	void *value; /* NULL: glue node */
	uint32_t plen;
	uint32_t key[]; /* nwords words, host order, bits past plen zero */
};

#define SLAB_SIZE ((size_t)65536)
#define SLAB_HEADER ((size_t)64) /* nodes start on a cache line */

struct lpm_slab {
	/*
	 * One list per trie, every slab with a free slot before every full
	 * one, so allocation only ever looks at the head.
	 */
	struct lpm_slab *prev, *next;
	struct lpm_node *free; /* freed nodes, chained through child[0] */
	uint32_t live;         /* nodes handed out */
	uint32_t bump;         /* slots from here on were never handed out */
	bool chunked;          /* part of a chunk, not its own allocation */
};

#define CHUNK_SIZE ((size_t)2 << 20)
#define CHUNK_SLABS ((unsigned)(CHUNK_SIZE / SLAB_SIZE))
#define CHUNK_FROM_SLABS 64

_Static_assert(CHUNK_SLABS == 32, "a chunk's slabs are one 32-bit map");

struct lpm_chunk {
	char *base;
	uint32_t used; /* bit i: slab i handed out */
};

_Static_assert(sizeof(struct lpm_slab) <= SLAB_HEADER, "slab header too large");

/*
 * Built from JUMP_ON prefixes, with 2^jump_bits < 2 * count entries of 16
 * bytes (1 MiB at JUMP_ON), so it costs under 32 bytes a prefix above
 * that; rebuilt as the count doubles or falls by four, dropped below
 * JUMP_OFF, so a table near a threshold does not rebuild on every change.
 */
#define JUMP_MIN_BITS 16
#define JUMP_MAX_BITS 20
#define JUMP_ON 16384
#define JUMP_OFF 4096

struct lpm_jump {
	/* First node on the path with plen >= jump_bits, NULL if the path
	 * ends or leaves the key above that. */
	const struct lpm_node *next;
	/* Longest prefix shorter than jump_bits on the path, or NULL. */
	const struct lpm_node *best;
};

struct nr_lpm {
	struct lpm_node *root;
	unsigned maxbits;
	unsigned nwords;
	size_t node_size;
	uint32_t slab_capacity;
	size_t count;
	size_t nnodes;
	size_t nslabs;
	struct lpm_slab *slabs;
	struct lpm_jump *jump; /* 2^jump_bits entries, or NULL */
	unsigned jump_bits;
	/* Entries index the jump_bits bits after (jump_base, jump_plen). */
	uint32_t jump_base[4];
	unsigned jump_plen;
	/* Prefixes added outside the base since it was picked. */
	size_t jump_outside;
	bool jump_huge; /* mapped by huge_map, not malloc */
	struct lpm_chunk *chunks;
	size_t nchunks, chunks_cap;
};

/* ---- slabs ---------------------------------------------------------- */

static void slab_unlink(struct nr_lpm *t, struct lpm_slab *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		t->slabs = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->prev = s->next = NULL;
}

static void slab_push_front(struct nr_lpm *t, struct lpm_slab *s)
{
	s->prev = NULL;
	s->next = t->slabs;
	if (t->slabs)
		t->slabs->prev = s;
	t->slabs = s;
}

static void slab_push_back(struct nr_lpm *t, struct lpm_slab *s)
{
	struct lpm_slab *last = t->slabs;

	/*
	 * Walking to the tail is linear in the slab count, but it happens
	 * once per slab filled, that is once per slab_capacity allocations.
	 */
	if (!last) {
		slab_push_front(t, s);
		return;
	}
	while (last->next)
		last = last->next;
	last->next = s;
	s->prev = last;
	s->next = NULL;
}

static size_t huge_len(size_t bytes)
{
	return (bytes + CHUNK_SIZE - 1) & ~(CHUNK_SIZE - 1);
}

/* bytes rounded up to 2 MiB, 2 MiB aligned, zeroed, advised for huge pages. */
static void *huge_map(size_t bytes)
{
	size_t len = huge_len(bytes);
	char *p = mmap(NULL, len + CHUNK_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *a;

	if (p == MAP_FAILED)
		return NULL;
	/* Over-mapped by one chunk; the unaligned ends go back. */
	a = (char *)(((uintptr_t)p + CHUNK_SIZE - 1) & ~(uintptr_t)(CHUNK_SIZE - 1));
	if (a > p)
		munmap(p, (size_t)(a - p));
	if (p + len + CHUNK_SIZE > a + len)
		munmap(a + len, (size_t)(p + len + CHUNK_SIZE - (a + len)));
#ifdef MADV_HUGEPAGE
	madvise(a, len, MADV_HUGEPAGE);
#endif
	return a;
}

static void huge_unmap(void *p, size_t bytes)
{
	if (p)
		munmap(p, huge_len(bytes));
}

static struct lpm_slab *chunk_slab(struct nr_lpm *t)
{
	struct lpm_chunk *c = NULL;
	unsigned bit;

	for (size_t i = 0; i < t->nchunks && !c; i++)
		if (t->chunks[i].used != UINT32_MAX)
			c = &t->chunks[i];
	if (!c) {
		char *base;

		if (t->nchunks == t->chunks_cap) {
			size_t cap = t->chunks_cap ? 2 * t->chunks_cap : 16;
			struct lpm_chunk *nc = realloc(t->chunks, cap * sizeof(*nc));

			if (!nc)
				return NULL;
			t->chunks = nc;
			t->chunks_cap = cap;
		}
		base = huge_map(CHUNK_SIZE);
		if (!base)
			return NULL;
		c = &t->chunks[t->nchunks++];
		c->base = base;
		c->used = 0;
	}
	bit = (unsigned)__builtin_ctz(~c->used);
	c->used |= (uint32_t)1 << bit;
	return (struct lpm_slab *)(c->base + (size_t)bit * SLAB_SIZE);
}

static struct lpm_slab *slab_new(struct nr_lpm *t)
{
	struct lpm_slab *s = NULL;
	bool chunked = false;

	if (t->nslabs >= CHUNK_FROM_SLABS) {
		s = chunk_slab(t);
		chunked = s != NULL;
	}
	if (!s)
		s = aligned_alloc(SLAB_SIZE, SLAB_SIZE);
	if (!s)
		return NULL;
	memset(s, 0, sizeof(*s));
	s->chunked = chunked;
	return s;
}

static void slab_release(struct nr_lpm *t, struct lpm_slab *s)
{
	char *base = (char *)((uintptr_t)s & ~(uintptr_t)(CHUNK_SIZE - 1));

	if (!s->chunked) {
		free(s);
		return;
	}
	for (size_t i = 0; i < t->nchunks; i++) {
		struct lpm_chunk *c = &t->chunks[i];

		if (c->base != base)
			continue;
		c->used &= ~((uint32_t)1 << ((size_t)((char *)s - base) / SLAB_SIZE));
		if (!c->used) {
			huge_unmap(c->base, CHUNK_SIZE);
			*c = t->chunks[--t->nchunks];
		}
		return;
	}
}

static size_t jump_bytes(const struct nr_lpm *t)
{
	return t->jump ? ((size_t)1 << t->jump_bits) * sizeof(*t->jump) : 0;
}

static void jump_release(struct nr_lpm *t)
{
	if (t->jump_huge)
		huge_unmap(t->jump, jump_bytes(t));
	else
		free(t->jump);
	t->jump = NULL;
	t->jump_huge = false;
}

static struct lpm_node *node_alloc(struct nr_lpm *t)
{
	struct lpm_slab *s = t->slabs;
	struct lpm_node *n;

	if (!s || s->live == t->slab_capacity) {
		s = slab_new(t);
		if (!s)
			return NULL;
		slab_push_front(t, s);
		t->nslabs++;
	}
	if (s->free) {
		n = s->free;
		s->free = n->child[0];
	} else {
		n = (struct lpm_node *)((char *)s + SLAB_HEADER + s->bump * t->node_size);
		s->bump++;
	}
	s->live++;
	t->nnodes++;
	if (s->live == t->slab_capacity && s->next) {
		slab_unlink(t, s);
		slab_push_back(t, s);
	}
	memset(n, 0, t->node_size);
	return n;
}

static void node_free(struct nr_lpm *t, struct lpm_node *n)
{
	struct lpm_slab *s = (struct lpm_slab *)((uintptr_t)n & ~(uintptr_t)(SLAB_SIZE - 1));

	n->child[0] = s->free;
	s->free = n;
	if (s->live == t->slab_capacity && s != t->slabs) {
		/* No longer full: it must sit before the full ones. */
		slab_unlink(t, s);
		slab_push_front(t, s);
	}
	s->live--;
	t->nnodes--;
	if (s->live == 0) {
		slab_unlink(t, s);
		slab_release(t, s);
		t->nslabs--;
	}
}

/* ---- keys ----------------------------------------------------------- */

static LPM_ALWAYS_INLINE void key_load(uint32_t *w, const uint8_t *bytes, unsigned nw)
{
	for (unsigned i = 0; i < nw; i++)
		w[i] = (uint32_t)bytes[4 * i] << 24 | (uint32_t)bytes[4 * i + 1] << 16 |
		       (uint32_t)bytes[4 * i + 2] << 8 | bytes[4 * i + 3];
}

static void key_store(uint8_t *bytes, const uint32_t *w, unsigned nw)
{
	for (unsigned i = 0; i < nw; i++) {
		bytes[4 * i] = (uint8_t)(w[i] >> 24);
		bytes[4 * i + 1] = (uint8_t)(w[i] >> 16);
		bytes[4 * i + 2] = (uint8_t)(w[i] >> 8);
		bytes[4 * i + 3] = (uint8_t)w[i];
	}
}

/* The bits of word i that lie inside the first plen bits. */
static LPM_ALWAYS_INLINE uint32_t word_mask(unsigned plen, unsigned i)
{
	int inside = (int)plen - 32 * (int)i;

	/* Clamped without branches (they would mispredict in lookups), and a
	 * 64-bit shift so that inside == 0 (shift by 32) is defined. */
	inside = inside < 0 ? 0 : inside;
	inside = inside > 32 ? 32 : inside;
	return (uint32_t)(UINT64_MAX << (32 - inside));
}

static LPM_ALWAYS_INLINE void key_mask(uint32_t *w, unsigned plen, unsigned nw)
{
	for (unsigned i = 0; i < nw; i++)
		w[i] &= word_mask(plen, i);
}

/* Bit number b, counting from the most significant; b < 32 * nw. */
static LPM_ALWAYS_INLINE unsigned key_bit(const uint32_t *w, unsigned b)
{
	return (w[b >> 5] >> (31 - (b & 31))) & 1;
}

/* Does node n's prefix contain key k? */
static LPM_ALWAYS_INLINE bool node_contains(const struct lpm_node *n, const uint32_t *k,
					    unsigned nw)
{
	uint32_t diff = 0;

	for (unsigned i = 0; i < nw; i++)
		diff |= (k[i] ^ n->key[i]) & word_mask(n->plen, i);
	return diff == 0;
}

/*
 * node_contains for a walk that has already matched k's first from bits
 * (the parent's length): only the words holding bits from..plen-1 are
 * compared, one word for nearly every IPv6 step instead of four.
 */
static LPM_ALWAYS_INLINE bool node_contains_from(const struct lpm_node *n, const uint32_t *k,
						 unsigned nw, unsigned from)
{
	uint32_t diff = 0;

	if (nw == 1)
		return node_contains(n, k, 1);
	for (unsigned i = from >> 5; i < nw && 32 * i < n->plen; i++)
		diff |= (k[i] ^ n->key[i]) & word_mask(n->plen, i);
	return diff == 0;
}

/* Leading bits a and b share, at most limit. */
static unsigned common_bits(const uint32_t *a, const uint32_t *b, unsigned nw, unsigned limit)
{
	for (unsigned i = 0; i < nw && 32 * i < limit; i++) {
		uint32_t x = a[i] ^ b[i];

		if (x) {
			unsigned c = 32 * i + (unsigned)__builtin_clz(x);

			return c < limit ? c : limit;
		}
	}
	return limit;
}

static struct lpm_node *node_new(struct nr_lpm *t, const uint32_t *k, unsigned plen, void *value)
{
	struct lpm_node *n = node_alloc(t);

	if (!n)
		return NULL;
	n->plen = plen;
	n->value = value;
	memcpy(n->key, k, t->nwords * sizeof(uint32_t));
	key_mask(n->key, plen, t->nwords);
	return n;
}

/* ---- jump table ----------------------------------------------------- */

/* nbits (1..31) bits of k from bit from on; from + nbits <= 32 * nw. */
static LPM_ALWAYS_INLINE uint32_t key_bits(const uint32_t *k, unsigned from, unsigned nbits,
					   unsigned nw)
{
	unsigned i = from >> 5;
	uint64_t two = (uint64_t)k[i] << 32 | (i + 1 < nw ? k[i + 1] : 0);

	return (uint32_t)((two << (from & 31)) >> (64 - nbits));
}

/* The probe key of entry v: the base, then v's jump_bits bits, then zeros. */
static void jump_probe(const struct nr_lpm *t, uint32_t v, uint32_t *probe)
{
	const unsigned jb = t->jump_bits, from = t->jump_plen;
	const unsigned i = from >> 5, off = from & 31;
	uint64_t two = (uint64_t)v << (64 - jb) >> off;

	memcpy(probe, t->jump_base, sizeof(t->jump_base));
	probe[i] |= (uint32_t)(two >> 32);
	if (i + 1 < t->nwords)
		probe[i + 1] |= (uint32_t)two;
}

/* Is k inside the jump table's base prefix? */
static LPM_ALWAYS_INLINE bool in_base(const struct nr_lpm *t, const uint32_t *k, unsigned nw)
{
	uint32_t diff = 0;

	for (unsigned i = 0; i < nw; i++)
		diff |= (k[i] ^ t->jump_base[i]) & word_mask(t->jump_plen, i);
	return diff == 0;
}

/*
 * Fill the 2^r entries from v0 (aligned), whose keys share every bit above
 * limit - r, reached node n with best the longest prefix met above it.
 * While n's bit is a shared one, all of them take the same path, so the
 * walk is done once for the whole range; a range splits only where n tests
 * a bit that differs inside it. Linear in the entries plus the nodes seen,
 * where walking each entry's path alone would cost entries times depth
 * (seconds for a sorted 200k-prefix load).
 */
static void jump_fill_range(struct nr_lpm *t, const struct lpm_node *n,
			    const struct lpm_node *best, uint32_t v0, unsigned r)
{
	const unsigned limit = t->jump_plen + t->jump_bits;
	uint32_t probe[4];

	jump_probe(t, v0, probe);
	while (n && n->plen < limit) {
		if (n->plen >= limit - r) {
			/* r >= 1 here, since n->plen < limit. */
			jump_fill_range(t, n, best, v0, r - 1);
			jump_fill_range(t, n, best, v0 + ((uint32_t)1 << (r - 1)), r - 1);
			return;
		}
		/* Above limit the path depends on nothing but the probe's bits. */
		if (!node_contains(n, probe, t->nwords)) {
			n = NULL;
			break;
		}
		if (n->value)
			best = n;
		n = n->child[key_bit(probe, n->plen)];
	}
	for (uint32_t v = v0; v < v0 + ((uint32_t)1 << r); v++) {
		t->jump[v].next = n;
		t->jump[v].best = best;
	}
}

/*
 * Recompute the entries whose keys start with the first bits bits of k,
 * which is inside the base; bits <= jump_plen: all of them.
 */
static void jump_fill(struct nr_lpm *t, const uint32_t *k, unsigned bits)
{
	const unsigned jb = t->jump_bits;
	unsigned sub = bits > t->jump_plen ? bits - t->jump_plen : 0;
	uint32_t span = (uint32_t)1 << (jb - sub);
	uint32_t first = key_bits(k, t->jump_plen, jb, t->nwords) & ~(span - 1);

	jump_fill_range(t, t->root, NULL, first, jb - sub);
}

/*
 * The trie changed for keys starting with the first bits bits of k: a link
 * below a node of length bits - 1 (0: the root link) was rewritten, or a
 * node of length bits gained or lost its value. Entries whose keys cannot
 * start that way, or whose path ends above the change, stay.
 */
static void jump_refresh(struct nr_lpm *t, const uint32_t *k, unsigned bits)
{
	unsigned shared;

	if (!t->jump || bits > t->jump_plen + t->jump_bits)
		return;
	shared = bits < t->jump_plen ? bits : t->jump_plen;
	if (common_bits(k, t->jump_base, t->nwords, shared) < shared)
		return;
	jump_fill(t, k, bits);
}

/* Prefixes stored in n's subtree. */
static size_t subtree_count(const struct lpm_node *n)
{
	const struct lpm_node *stack[LPM_MAX_DEPTH + 1];
	size_t sp = 0, count = 0;

	if (n)
		stack[sp++] = n;
	while (sp > 0) {
		n = stack[--sp];
		count += n->value != NULL;
		if (n->child[1])
			stack[sp++] = n->child[1];
		if (n->child[0])
			stack[sp++] = n->child[0];
	}
	return count;
}

/*
 * The jump table's base: go down from the root while one child holds at
 * least 3/4 of the table, leaving room for bits bits below. Linear in the
 * table per level, and run only when the table doubles or shrinks by four.
 */
static void jump_pick_base(struct nr_lpm *t, unsigned bits)
{
	const struct lpm_node *n = t->root, *base = NULL;

	while (n && n->plen + bits <= t->maxbits) {
		const struct lpm_node *next = NULL;

		base = n;
		for (unsigned b = 0; b < 2 && !next; b++)
			if (n->child[b] && subtree_count(n->child[b]) * 4 >= t->count * 3)
				next = n->child[b];
		n = next;
	}
	memset(t->jump_base, 0, sizeof(t->jump_base));
	t->jump_plen = 0;
	if (base) {
		memcpy(t->jump_base, base->key, t->nwords * sizeof(uint32_t));
		t->jump_plen = base->plen;
	}
}

static void jump_resize(struct nr_lpm *t)
{
	static const uint32_t zero[4];
	unsigned want = JUMP_MIN_BITS;
	struct lpm_jump *j;

	if (t->count < (t->jump ? JUMP_OFF : JUMP_ON)) {
		jump_release(t);
		return;
	}
	while (want < JUMP_MAX_BITS && ((size_t)1 << want) < t->count)
		want++;
	if (t->jump && want <= t->jump_bits && want + 1 >= t->jump_bits) {
		if (t->jump_outside <= t->count / 4)
			return;
		/* Same size, new base. */
		want = t->jump_bits;
		j = t->jump;
	} else {
		/* Without it lookups are slower, not wrong: failure is no error. */
		size_t bytes = ((size_t)1 << want) * sizeof(*j);
		bool huge = bytes >= CHUNK_SIZE;

		j = huge ? huge_map(bytes) : malloc(bytes);
		if (!j)
			return;
		jump_release(t);
		t->jump_huge = huge;
	}
	t->jump = j;
	t->jump_bits = want;
	t->jump_outside = 0;
	jump_pick_base(t, want);
	jump_fill(t, zero, 0);
}

/* A prefix of length plen was added: does it lie outside the base? */
static void jump_count_outside(struct nr_lpm *t, const uint32_t *k, unsigned plen)
{
	unsigned shared = plen < t->jump_plen ? plen : t->jump_plen;

	if (t->jump && common_bits(k, t->jump_base, t->nwords, shared) < shared)
		t->jump_outside++;
}

/* ---- lifecycle ------------------------------------------------------ */

struct nr_lpm *nr_lpm_new(unsigned maxbits)
{
	struct nr_lpm *t;

	if (maxbits != 32 && maxbits != 128)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->maxbits = maxbits;
	t->nwords = maxbits / 32;
	/* Round up so every node in a slab stays pointer-aligned. */
	t->node_size = (offsetof(struct lpm_node, key) + t->nwords * sizeof(uint32_t) + 7) &
		       ~(size_t)7;
	t->slab_capacity = (uint32_t)((SLAB_SIZE - SLAB_HEADER) / t->node_size);
	return t;
}

void nr_lpm_free(struct nr_lpm *t, void (*free_value)(void *value))
{
	struct lpm_node *stack[LPM_MAX_DEPTH + 1];
	size_t sp = 0;

	if (!t)
		return;
	if (free_value && t->root) {
		stack[sp++] = t->root;
		while (sp > 0) {
			struct lpm_node *n = stack[--sp];

			if (n->value)
				free_value(n->value);
			if (n->child[1])
				stack[sp++] = n->child[1];
			if (n->child[0])
				stack[sp++] = n->child[0];
		}
	}
	while (t->slabs) {
		struct lpm_slab *s = t->slabs;

		t->slabs = s->next;
		if (!s->chunked)
			free(s);
	}
	for (size_t i = 0; i < t->nchunks; i++)
		huge_unmap(t->chunks[i].base, CHUNK_SIZE);
	free(t->chunks);
	jump_release(t);
	free(t);
}

/* ---- updates -------------------------------------------------------- */

int nr_lpm_insert(struct nr_lpm *t, const uint8_t *key, unsigned plen, void *value,
		  void **ret_old)
{
	uint32_t k[4];
	struct lpm_node **link, *n, *fresh, *glue;
	unsigned nw, c, b, above = 0; /* length of link's node + 1; 0: root */

	if (!t || !key || !value || plen > t->maxbits)
		return -EINVAL;
	nw = t->nwords;
	/* Bits past plen may be junk: node_new masks what it stores. */
	key_load(k, key, nw);

	link = &t->root;
	while ((n = *link)) {
		c = common_bits(n->key, k, nw, n->plen < plen ? n->plen : plen);
		if (c == n->plen) {
			if (n->plen == plen) {
				void *old = n->value;

				n->value = value;
				if (!old) {
					/* Was glue. */
					t->count++;
					jump_refresh(t, k, plen);
					jump_count_outside(t, k, plen);
					jump_resize(t);
				}
				if (ret_old)
					*ret_old = old;
				return 0;
			}
			above = n->plen + 1;
			link = &n->child[key_bit(k, n->plen)];
			continue;
		}
		/* The new prefix leaves n's path at bit c, above n. */
		fresh = node_new(t, k, plen, value);
		if (!fresh)
			return -ENOMEM;
		if (c == plen) {
			/* The new prefix contains n: it goes in between. */
			fresh->child[key_bit(n->key, plen)] = n;
			*link = fresh;
		} else {
			glue = node_new(t, k, c, NULL);
			if (!glue) {
				node_free(t, fresh);
				return -ENOMEM;
			}
			b = key_bit(k, c);
			glue->child[b] = fresh;
			glue->child[!b] = n;
			*link = glue;
		}
		goto linked;
	}
	fresh = node_new(t, k, plen, value);
	if (!fresh)
		return -ENOMEM;
	*link = fresh;
linked:
	t->count++;
	jump_refresh(t, k, above);
	jump_count_outside(t, k, plen);
	jump_resize(t);
	if (ret_old)
		*ret_old = NULL;
	return 0;
}

/* Where a node sits: the links to it and to its parent. */
struct lpm_path {
	struct lpm_node **link;
	struct lpm_node **parent_link; /* NULL at the root */
	unsigned above;                /* parent's length + 1; 0 at the root */
	unsigned above2;               /* the same for the parent */
};

/* Find the node holding exactly (k, plen), glue included. */
static bool find_node(const struct nr_lpm *t, const uint32_t *k, unsigned plen,
		      struct lpm_path *ret_path)
{
	/* The links are not written here; nr_lpm_remove writes through them. */
	struct lpm_path path = {.link = (struct lpm_node **)&t->root};
	struct lpm_node *n;

	while ((n = *path.link)) {
		if (n->plen > plen || !node_contains(n, k, t->nwords))
			return false;
		if (n->plen == plen) {
			*ret_path = path;
			return true;
		}
		path.parent_link = path.link;
		path.above2 = path.above;
		path.above = n->plen + 1;
		path.link = &n->child[key_bit(k, n->plen)];
	}
	return false;
}

void *nr_lpm_remove(struct nr_lpm *t, const uint8_t *key, unsigned plen)
{
	uint32_t k[4];
	struct lpm_path path;
	struct lpm_node *n, *p, *only;
	unsigned changed;
	void *value;

	if (!t || !key || plen > t->maxbits)
		return NULL;
	key_load(k, key, t->nwords);
	key_mask(k, plen, t->nwords);
	if (!find_node(t, k, plen, &path) || !(*path.link)->value)
		return NULL;
	n = *path.link;
	value = n->value;
	t->count--;
	jump_resize(t);
	if (n->child[0] && n->child[1]) {
		/* Still where two subtrees meet: keep it as glue. */
		n->value = NULL;
		jump_refresh(t, k, plen);
		return value;
	}
	only = n->child[0] ? n->child[0] : n->child[1];
	*path.link = only;
	node_free(t, n);
	changed = path.above;
	/*
	 * A leaf went away, so its parent lost a child. A glue parent is
	 * left with one and has no reason to exist. A parent that lost a
	 * non-leaf kept the replacement child, so nothing cascades.
	 */
	if (!only && path.parent_link) {
		p = *path.parent_link;
		if (!p->value) {
			*path.parent_link = p->child[0] ? p->child[0] : p->child[1];
			node_free(t, p);
			changed = path.above2;
		}
	}
	jump_refresh(t, k, changed);
	return value;
}

/* ---- queries -------------------------------------------------------- */

void *nr_lpm_exact(const struct nr_lpm *t, const uint8_t *key, unsigned plen)
{
	uint32_t k[4];
	struct lpm_path path;

	if (!t || !key || plen > t->maxbits)
		return NULL;
	key_load(k, key, t->nwords);
	key_mask(k, plen, t->nwords);
	return find_node(t, k, plen, &path) ? (*path.link)->value : NULL;
}

static LPM_ALWAYS_INLINE const struct lpm_node *lookup_nw(const struct nr_lpm *t,
							  const uint8_t *key, unsigned nw)
{
	const struct lpm_node *n = t->root, *best = NULL;
	const unsigned maxbits = 32 * nw;
	uint32_t k[4];

	key_load(k, key, nw);
	if (t->jump && in_base(t, k, nw)) {
		const struct lpm_jump *j = &t->jump[key_bits(k, t->jump_plen, t->jump_bits, nw)];

		n = j->next;
		best = j->best;
	}
	/* From a jump entry nothing is known to match yet: the entry's node
	 * may leave the key anywhere above it. */
	for (unsigned from = 0; n && node_contains_from(n, k, nw, from);) {
		if (n->value)
			best = n;
		if (n->plen == maxbits)
			break;
		from = n->plen;
		n = n->child[key_bit(k, n->plen)];
	}
	return best;
}

void *nr_lpm_lookup(const struct nr_lpm *t, const uint8_t *key, unsigned *ret_plen)
{
	const struct lpm_node *best;

	if (!t || !key)
		return NULL;
	best = t->nwords == 1 ? lookup_nw(t, key, 1) : lookup_nw(t, key, 4);
	if (!best)
		return NULL;
	if (ret_plen)
		*ret_plen = best->plen;
	return best->value;
}

/*
 * At 1M prefixes every step of a walk is a dependent cache miss, and one
 * lookup's steps cannot overlap. Keys of a batch are independent, so
 * their walks advance in turns: each step prefetches the lane's next node
 * and moves on to the other lanes, and a batch of LPM_BATCH keys waits
 * for memory about once per level instead of once per level per key (the
 * interleaving of DPDK's bulk FIB lookups).
 */
/*
 * 64, not 16: at 1M IPv4 prefixes a batch of 16 waits for memory at each
 * level with too few misses in flight, and the lanes that finish early
 * leave fewer still. bench_stack --synthetic, batched IPv4 in-table (with
 * NR_RTABLE_HINT_MAX alike): 16 9.3, 32 9.6-10.5, 64 11.5-11.6 M/s.
 */
#define LPM_BATCH 64

static LPM_ALWAYS_INLINE void prefetch_node(const struct lpm_node *n, size_t node_size)
{
	__builtin_prefetch(n);
	/* A 48-byte IPv6 node may straddle two cache lines. */
	__builtin_prefetch((const char *)n + node_size - 1);
}

static LPM_ALWAYS_INLINE void lookup_batch_nw(const struct nr_lpm *t, const uint8_t *const *keys,
					      size_t m, void **values, unsigned *plens,
					      unsigned nw)
{
	const unsigned maxbits = 32 * nw;
	const struct lpm_node *cur[LPM_BATCH], *best[LPM_BATCH];
	const struct lpm_jump *jump[LPM_BATCH];
	uint32_t k[LPM_BATCH][4];
	unsigned from[LPM_BATCH]; /* bits of k already matched on the walk */
	size_t live;

	for (size_t i = 0; i < m; i++) {
		key_load(k[i], keys[i], nw);
		cur[i] = t->root;
		best[i] = NULL;
		jump[i] = NULL;
		from[i] = 0;
		if (t->jump && in_base(t, k[i], nw)) {
			jump[i] = &t->jump[key_bits(k[i], t->jump_plen, t->jump_bits, nw)];
			__builtin_prefetch(jump[i]);
		}
	}
	for (size_t i = 0; i < m; i++) {
		if (jump[i]) {
			cur[i] = jump[i]->next;
			best[i] = jump[i]->best;
		}
		if (cur[i])
			prefetch_node(cur[i], t->node_size);
	}
	do {
		live = 0;
		for (size_t i = 0; i < m; i++) {
			const struct lpm_node *n = cur[i];

			if (!n)
				continue;
			cur[i] = NULL;
			if (!node_contains_from(n, k[i], nw, from[i]))
				continue;
			if (n->value)
				best[i] = n;
			if (n->plen == maxbits)
				continue;
			from[i] = n->plen;
			n = n->child[key_bit(k[i], n->plen)];
			if (n) {
				prefetch_node(n, t->node_size);
				cur[i] = n;
				live++;
			}
		}
	} while (live);
	for (size_t i = 0; i < m; i++) {
		values[i] = best[i] ? best[i]->value : NULL;
		if (best[i] && plens)
			plens[i] = best[i]->plen;
	}
}

void nr_lpm_lookup_many(const struct nr_lpm *t, const uint8_t *const *keys, size_t n,
			void **values, unsigned *plens)
{
	if (!values)
		return;
	if (!t || !keys) {
		for (size_t i = 0; i < n; i++)
			values[i] = NULL;
		return;
	}
	for (size_t at = 0; at < n; at += LPM_BATCH) {
		size_t m = n - at < LPM_BATCH ? n - at : LPM_BATCH;

		if (t->nwords == 1)
			lookup_batch_nw(t, keys + at, m, values + at, plens ? plens + at : NULL, 1);
		else
			lookup_batch_nw(t, keys + at, m, values + at, plens ? plens + at : NULL, 4);
	}
}

size_t nr_lpm_matches(const struct nr_lpm *t, const uint8_t *key, void **values,
		      unsigned *plens, size_t cap)
{
	const struct lpm_node *found[LPM_MAX_DEPTH], *n;
	uint32_t k[4];
	size_t nfound = 0;

	if (!t || !key)
		return 0;
	key_load(k, key, t->nwords);
	for (n = t->root; n && node_contains(n, k, t->nwords);) {
		if (n->value)
			found[nfound++] = n;
		if (n->plen == t->maxbits)
			break;
		n = n->child[key_bit(k, n->plen)];
	}
	/* Found shortest first; the caller wants longest first. */
	for (size_t i = 0; i < nfound && i < cap; i++) {
		if (values)
			values[i] = found[nfound - 1 - i]->value;
		if (plens)
			plens[i] = found[nfound - 1 - i]->plen;
	}
	return nfound;
}

size_t nr_lpm_count(const struct nr_lpm *t)
{
	return t ? t->count : 0;
}

int nr_lpm_walk(const struct nr_lpm *t,
		int (*cb)(const uint8_t *key, unsigned plen, void *value, void *arg), void *arg)
{
	/*
	 * Pre-order, child[0] first, is exactly (address, length) order: a
	 * node's address is the lowest in its subtree and its length the
	 * shortest, and every address under child[0] is below every address
	 * under child[1]. The stack holds at most one pending child[1] per
	 * level of the current path, plus the node being expanded.
	 */
	const struct lpm_node *stack[LPM_MAX_DEPTH + 1];
	uint8_t bytes[16];
	size_t sp = 0;
	int r;

	if (!t || !cb || !t->root)
		return 0;
	stack[sp++] = t->root;
	while (sp > 0) {
		const struct lpm_node *n = stack[--sp];

		if (n->value) {
			key_store(bytes, n->key, t->nwords);
			r = cb(bytes, n->plen, n->value, arg);
			if (r)
				return r;
		}
		if (n->child[1])
			stack[sp++] = n->child[1];
		if (n->child[0])
			stack[sp++] = n->child[0];
	}
	return 0;
}

size_t nr_lpm_memory(const struct nr_lpm *t)
{
	size_t chunked = 0, jump;

	if (!t)
		return 0;
	/* A chunk counts whole: its free slabs are mapped all the same. */
	for (size_t i = 0; i < t->nchunks; i++)
		chunked += (size_t)__builtin_popcount(t->chunks[i].used);
	jump = t->jump_huge ? huge_len(jump_bytes(t)) : jump_bytes(t);
	return (t->nslabs - chunked) * SLAB_SIZE + t->nchunks * CHUNK_SIZE + jump;
}

size_t nr_lpm_nodes(const struct nr_lpm *t)
{
	return t ? t->nnodes : 0;
}
