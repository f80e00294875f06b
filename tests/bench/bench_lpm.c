/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * LPM trie throughput and size: 1M random IPv4 prefixes and 200k random
 * IPv6 prefixes with lengths shaped like a real routing table, then 10M
 * lookups of pre-generated keys per family. Two key sets: uniformly random
 * addresses (most stop in the dense upper trie or miss), and addresses
 * drawn inside stored prefixes (every one walks to a stored node, the
 * harder case), the latter also through nr_lpm_lookup_many (walks of 16
 * keys interleaved). One figure per line, "name value unit".
 *
 * A third run, v6db8, puts every IPv6 prefix under 2001:db8::/32 (lengths
 * 33 to 128 shaped like run_routes.sh's table), the clustering that real
 * IPv6 tables (2000::/3) and every lab table have.
 *
 *   bench_lpm [v4-prefixes [v6-prefixes [lookups]]]
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "netrig/lpm.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

/* splitmix64: fast, seeded, good enough to spread keys. */
static uint64_t rng(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Shaped after a BGP table: /24 dominates, then /22-/23, /16-/21. */
static unsigned plen_v4(void)
{
	unsigned r = (unsigned)(rng() % 100);

	if (r < 55)
		return 24;
	if (r < 75)
		return 22 + (unsigned)(rng() % 2);
	if (r < 92)
		return 16 + (unsigned)(rng() % 6);
	if (r < 95)
		return 8 + (unsigned)(rng() % 8);
	return 25 + (unsigned)(rng() % 8);
}

/* Shaped after an IPv6 table: /48 dominates, /32-/64 nearly all. */
static unsigned plen_v6(void)
{
	unsigned r = (unsigned)(rng() % 100);

	if (r < 45)
		return 48;
	if (r < 60)
		return 32;
	if (r < 75)
		return 33 + (unsigned)(rng() % 15);
	if (r < 95)
		return 49 + (unsigned)(rng() % 16);
	if (r < 98)
		return 128;
	return 16 + (unsigned)(rng() % 16);
}

static void random_bytes(uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i += 8) {
		uint64_t r = rng();

		memcpy(b + i, &r, n - i < 8 ? n - i : 8);
	}
}

/* Keep the first plen bits of prefix, randomise the rest. */
static void inside(uint8_t *out, const uint8_t *prefix, unsigned plen, size_t len)
{
	random_bytes(out, len);
	for (size_t i = 0; i < len; i++) {
		unsigned lo = (unsigned)i * 8;
		unsigned keep = plen <= lo ? 0 : plen - lo >= 8 ? 8 : plen - lo;
		uint8_t m = (uint8_t)(0xff00u >> keep);

		out[i] = (uint8_t)((prefix[i] & m) | (out[i] & (uint8_t)~m));
	}
}

/* run_routes.sh's IPv6 lengths. */
static unsigned plen_db8(void)
{
	static const unsigned lens[] = {48, 56, 64, 64, 64, 96, 112, 128};

	return lens[rng() % 8];
}

static const uint8_t doc6[4] = {0x20, 0x01, 0x0d, 0xb8};

static int run(const char *fam, unsigned maxbits, size_t nprefixes, size_t nlookups,
	       bool db8)
{
	const size_t len = maxbits / 8;
	uint8_t *prefixes = malloc(nprefixes * len);
	unsigned *plens = malloc(nprefixes * sizeof(*plens));
	uint8_t *keys = malloc(nlookups * len);
	struct nr_lpm *t = nr_lpm_new(maxbits);
	volatile uintptr_t sink;
	uintptr_t acc = 0;
	double t0, dt;
	int r = 0;

	if (!prefixes || !plens || !keys || !t) {
		fprintf(stderr, "bench_lpm: out of memory\n");
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < nprefixes; i++) {
		random_bytes(prefixes + i * len, len);
		plens[i] = maxbits == 32 ? plen_v4() : db8 ? plen_db8() : plen_v6();
		if (db8)
			memcpy(prefixes + i * len, doc6, sizeof(doc6));
	}

	t0 = now_s();
	for (size_t i = 0; i < nprefixes; i++) {
		/* Values are never dereferenced; any non-NULL tag will do. */
		r = nr_lpm_insert(t, prefixes + i * len, plens[i], (void *)(uintptr_t)(i + 1),
				  NULL);
		if (r < 0) {
			fprintf(stderr, "bench_lpm: insert: %s\n", strerror(-r));
			goto out;
		}
	}
	dt = now_s() - t0;
	printf("%s_insert_time %.3f s (%zu prefixes, %zu distinct)\n", fam, dt, nprefixes,
	       nr_lpm_count(t));
	printf("%s_insert_rate %.2f M/s\n", fam, (double)nprefixes / dt / 1e6);
	printf("%s_bytes_per_prefix %.1f B (%zu bytes)\n", fam,
	       (double)nr_lpm_memory(t) / (double)nr_lpm_count(t), nr_lpm_memory(t));

	random_bytes(keys, nlookups * len);
	for (size_t i = 0; db8 && i < nlookups; i++)
		memcpy(keys + i * len, doc6, sizeof(doc6));
	t0 = now_s();
	for (size_t i = 0; i < nlookups; i++)
		acc += (uintptr_t)nr_lpm_lookup(t, keys + i * len, NULL);
	dt = now_s() - t0;
	printf("%s_lookup_random %.2f M/s (%zu lookups)\n", fam, (double)nlookups / dt / 1e6,
	       nlookups);

	for (size_t i = 0; i < nlookups; i++) {
		size_t p = (size_t)(rng() % nprefixes);

		inside(keys + i * len, prefixes + p * len, plens[p], len);
	}
	t0 = now_s();
	for (size_t i = 0; i < nlookups; i++)
		acc += (uintptr_t)nr_lpm_lookup(t, keys + i * len, NULL);
	dt = now_s() - t0;
	printf("%s_lookup_in_table %.2f M/s (%zu lookups)\n", fam, (double)nlookups / dt / 1e6,
	       nlookups);
	/* The same keys through nr_lpm_lookup_many, 64 a call. */
	t0 = now_s();
	for (size_t i = 0; i < nlookups; i += 64) {
		const uint8_t *kp[64];
		void *vals[64];
		size_t m = nlookups - i < 64 ? nlookups - i : 64;

		for (size_t j = 0; j < m; j++)
			kp[j] = keys + (i + j) * len;
		nr_lpm_lookup_many(t, kp, m, vals, NULL);
		for (size_t j = 0; j < m; j++)
			acc += (uintptr_t)vals[j];
	}
	dt = now_s() - t0;
	printf("%s_lookup_in_table_many %.2f M/s (%zu lookups, nr_lpm_lookup_many)\n", fam,
	       (double)nlookups / dt / 1e6, nlookups);
	sink = acc;
	(void)sink;
	r = 0;
out:
	nr_lpm_free(t, NULL);
	free(keys);
	free(plens);
	free(prefixes);
	return r;
}

int main(int argc, char **argv)
{
	size_t n4 = argc > 1 ? strtoul(argv[1], NULL, 0) : 1000000;
	size_t n6 = argc > 2 ? strtoul(argv[2], NULL, 0) : 200000;
	size_t nl = argc > 3 ? strtoul(argv[3], NULL, 0) : 10000000;

	if (n4 == 0 || n6 == 0 || nl == 0) {
		fprintf(stderr, "usage: bench_lpm [v4-prefixes [v6-prefixes [lookups]]]\n");
		return 2;
	}
	if (run("v4", 32, n4, nl, false) < 0 || run("v6", 128, n6, nl, false) < 0 ||
	    run("v6db8", 128, n6, nl, true) < 0)
		return 1;
	return 0;
}
