/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * In-process figures for run_routes.sh: load a namespace's tables into a
 * stack (time, heap bytes per route), then route lookups per second per
 * family on one core.
 *
 *   bench_stack [--netns NS] [--lookups N] [--seed N]
 *
 *   --family 4|6: time only that family's lookups (for profiling one).
 *
 * Prints key=value lines: load_s, routes4, routes6, heap_bytes,
 * bytes_per_route, lookups4_per_s, lookups6_per_s (per second of the
 * thread's CPU time) and lookups4_wall_per_s, lookups6_wall_per_s (per
 * second of wall time, which on a loaded machine includes waiting for
 * the core).
 */
#include "netrig/netns.h"
#include "netrig/stack.h"

#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Lookups are timed in this thread's CPU time: on a shared machine wall
 * time also counts the time other processes held the core.
 */
static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng_next(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dull;
}

struct pick {
	struct nr_prefix *p;
	size_t n, cap;
};

static int collect(const struct nr_route *r, void *arg)
{
	struct pick *k = arg;

	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 4096;
		struct nr_prefix *np = realloc(k->p, cap * sizeof(*np));

		if (!np)
			return 1;
		k->p = np;
		k->cap = cap;
	}
	k->p[k->n++] = r->dst;
	return 0;
}

/* Destinations: inside the table's prefixes (random host bits), so every
 * lookup walks a real path of the trie. */
static double lookups(const struct nr_stack *s, int family, size_t n, uint64_t seed,
		      double *wall_rate)
{
	struct pick k = {0};
	struct nr_route_query *q;
	struct nr_route_result res;
	volatile int sink = 0;
	double t0, w0, dt;

	*wall_rate = 0;
	nr_stack_route_walk(s, family, collect, &k);
	if (!k.n)
		return 0;
	q = calloc(n, sizeof(*q));
	if (!q)
		return 0;
	for (size_t i = 0; i < n; i++) {
		const struct nr_prefix *pfx = &k.p[rng_next(&seed) % k.n];
		struct nr_addr a = pfx->addr;
		unsigned bits = nr_addr_bits(family);

		for (unsigned b = pfx->len; b < bits; b++)
			if (rng_next(&seed) & 1)
				a.bytes[b / 8] ^= (uint8_t)(0x80u >> (b % 8));
		q[i].dst = a;
	}
	w0 = now_s();
	t0 = cpu_s();
	for (size_t i = 0; i < n; i++) {
		nr_stack_route_get(s, &q[i], &res);
		sink += res.ifindex;
	}
	dt = cpu_s() - t0;
	*wall_rate = (double)n / (now_s() - w0);
	(void)sink;
	free(q);
	free(k.p);
	return (double)n / dt;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"netns", required_argument, NULL, 'n'},
		{"lookups", required_argument, NULL, 'l'},
		{"seed", required_argument, NULL, 's'},
		{"family", required_argument, NULL, 'f'},
		{0},
	};
	const char *netns = NULL;
	size_t n = 2000000;
	uint64_t seed = 42;
	struct nr_os_error err = {0};
	struct nr_netns *ns;
	struct nr_stack *s;
	struct mallinfo2 before, after;
	size_t r4, r6;
	double t0, load, rate, wall;
	int c, only = 0;

	while ((c = getopt_long(argc, argv, "n:l:s:f:", longopts, NULL)) != -1) {
		if (c == 'n')
			netns = optarg;
		else if (c == 'l')
			n = strtoul(optarg, NULL, 10);
		else if (c == 's')
			seed = strtoull(optarg, NULL, 10);
		else if (c == 'f')
			only = atoi(optarg);
		else
			return 2;
	}
	if (nr_netns_open(netns, &ns, &err) < 0) {
		fprintf(stderr, "bench_stack: %s\n", err.msg);
		return 3;
	}
	before = mallinfo2();
	s = nr_stack_new();
	t0 = now_s();
	if (!s || nr_os_load(ns, s, NR_OS_LINKS | NR_OS_ADDRS | NR_OS_ROUTES | NR_OS_RULES, &err) < 0) {
		fprintf(stderr, "bench_stack: load: %s\n", err.msg);
		return 3;
	}
	load = now_s() - t0;
	after = mallinfo2();
	r4 = nr_stack_route_count(s, AF_INET);
	r6 = nr_stack_route_count(s, AF_INET6);
	printf("load_s=%.4f\nroutes4=%zu\nroutes6=%zu\n", load, r4, r6);
	printf("heap_bytes=%zu\nbytes_per_route=%.1f\n", after.uordblks - before.uordblks,
	       (double)(after.uordblks - before.uordblks) / (double)(r4 + r6 ? r4 + r6 : 1));
	if (only != 6) {
		rate = lookups(s, AF_INET, n, seed, &wall);
		printf("lookups4_per_s=%.0f\nlookups4_wall_per_s=%.0f\n", rate, wall);
	}
	if (only != 4) {
		rate = lookups(s, AF_INET6, n, seed + 1, &wall);
		printf("lookups6_per_s=%.0f\nlookups6_wall_per_s=%.0f\n", rate, wall);
	}
	nr_stack_free(s);
	nr_netns_close(ns);
	return 0;
}
