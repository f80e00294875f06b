/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * In-process figures: fill a stack (time, heap bytes per route), then
 * nr_stack_route_get per second per family on one core.
 *
 *   bench_stack [--netns NS] [--lookups N] [--seed N] [--family 4|6]
 *   bench_stack --synthetic [--routes4 N] [--routes6 N] [--spread6]
 *               [--lookups N] [--seed N] [--family 4|6]
 *
 * --netns (run_routes.sh): the namespace's tables, loaded over netlink.
 * Host safety keeps those inside the documentation ranges, so their IPv4
 * part is 1533 prefixes repeated in tables no rule looks at.
 *
 * --synthetic: no kernel at all. The stack is built in memory, and since
 * a lookup sends nothing any prefix will do: lo, eth0 (198.51.100.1/24,
 * 2001:db8::1/64) and eth1 (203.0.113.1/24, 2001:db8:1::1/64), then
 * --routes4 (default 1M) distinct IPv4 prefixes in main with lengths
 * shaped like a BGP table (bench_lpm's generator) and --routes6 (200k)
 * distinct IPv6 prefixes under 2001:db8::/32 (run_routes.sh's lengths) or,
 * with --spread6, under 2000::/3 shaped like an IPv6 BGP table. Every
 * route goes through an on-link gateway on eth0 or eth1, alternately.
 *
 * --family 4|6: time only that family's lookups (for profiling one).
 *
 * Prints key=value lines: load_s, routes4, routes6, heap_bytes,
 * bytes_per_route (malloc's bytes in use, per route of both families;
 * --synthetic adds bytes_per_route4 and bytes_per_route6, and
 * rss_bytes_per_route4/6, the growth of the resident set, which also
 * counts what the trie maps itself: its huge-page chunks), then per
 * family F:
 * lookupsF_per_s and lookupsF_wall_per_s, destinations drawn inside
 * stored prefixes (random host bits), per second of the thread's CPU time
 * and of wall time (which on a loaded machine includes waiting for the
 * core); lookupsF_random_per_s and lookupsF_random_wall_per_s, uniformly
 * random destinations (--synthetic: over the whole IPv4 space, inside
 * 2001:db8::/32 or 2000::/3 for IPv6); lookupsF_found, the share of those
 * random ones that found a route. Each figure is also given for
 * nr_stack_route_get_many, 64 queries a call (lookupsF_many_per_s,
 * lookupsF_random_many_per_s and their _wall_ twins): the batched API,
 * whose table walks overlap, beside the single lookups above.
 */
#include "netrig/iface.h"
#include "netrig/netns.h"
#include "netrig/stack.h"

#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

/* Keep the first keep bits of a, randomise the rest. */
static void randomise_from(struct nr_addr *a, unsigned keep, uint64_t *seed)
{
	unsigned bits = nr_addr_bits(a->family);

	for (unsigned b = keep; b < bits; b++)
		if (rng_next(seed) & 1)
			a->bytes[b / 8] ^= (uint8_t)(0x80u >> (b % 8));
}

struct rates {
	double cpu, wall;
	size_t found;
};

static struct rates time_lookups(const struct nr_stack *s, const struct nr_route_query *q,
				 size_t n)
{
	struct nr_route_result res;
	struct rates r = {0};
	double t0, w0;

	w0 = now_s();
	t0 = cpu_s();
	for (size_t i = 0; i < n; i++) {
		nr_stack_route_get(s, &q[i], &res);
		r.found += res.error == 0;
	}
	r.cpu = (double)n / (cpu_s() - t0);
	r.wall = (double)n / (now_s() - w0);
	return r;
}

/* The same through nr_stack_route_get_many, 64 queries a call. */
static struct rates time_lookups_many(const struct nr_stack *s, const struct nr_route_query *q,
				      size_t n)
{
	static struct nr_route_result res[64];
	int errs[64];
	struct rates r = {0};
	double t0, w0;

	w0 = now_s();
	t0 = cpu_s();
	for (size_t i = 0; i < n; i += 64) {
		size_t m = n - i < 64 ? n - i : 64;

		nr_stack_route_get_many(s, q + i, m, res, errs);
		for (size_t k = 0; k < m; k++)
			r.found += errs[k] == 0 && res[k].error == 0;
	}
	r.cpu = (double)n / (cpu_s() - t0);
	r.wall = (double)n / (now_s() - w0);
	return r;
}

static void print_rates(int family, const char *what, struct rates r)
{
	int f = family == AF_INET ? 4 : 6;

	printf("lookups%d%s_per_s=%.0f\nlookups%d%s_wall_per_s=%.0f\n", f, what, r.cpu, f, what,
	       r.wall);
}

/*
 * Destinations inside the table's prefixes (random host bits), so every
 * lookup walks a real path of the trie; then, when random_base is given,
 * uniformly random ones under its first random_keep bits.
 */
static int lookups(const struct nr_stack *s, int family, size_t n, uint64_t seed,
		   const struct nr_addr *random_base, unsigned random_keep)
{
	struct pick k = {0};
	struct nr_route_query *q;
	struct rates r;

	nr_stack_route_walk(s, family, collect, &k);
	if (!k.n)
		return 0;
	q = calloc(n, sizeof(*q));
	if (!q) {
		free(k.p);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		const struct nr_prefix *pfx = &k.p[rng_next(&seed) % k.n];

		q[i].dst = pfx->addr;
		randomise_from(&q[i].dst, pfx->len, &seed);
	}
	print_rates(family, "", time_lookups(s, q, n));
	print_rates(family, "_many", time_lookups_many(s, q, n));
	if (random_base) {
		for (size_t i = 0; i < n; i++) {
			q[i].dst = *random_base;
			randomise_from(&q[i].dst, random_keep, &seed);
		}
		r = time_lookups(s, q, n);
		print_rates(family, "_random", r);
		printf("lookups%d_found=%.3f\n", family == AF_INET ? 4 : 6,
		       (double)r.found / (double)n);
		print_rates(family, "_random_many", time_lookups_many(s, q, n));
	}
	fflush(stdout);
	free(q);
	free(k.p);
	return 0;
}

/* ---- --synthetic ------------------------------------------------------ */

enum { SYN_LO = 1, SYN_ETH0, SYN_ETH1 };

/* Shaped after a BGP table, as bench_lpm: /24 dominates, then /22-/23, /16-/21. */
static unsigned plen_v4(uint64_t *seed)
{
	unsigned r = (unsigned)(rng_next(seed) % 100);

	if (r < 55)
		return 24;
	if (r < 75)
		return 22 + (unsigned)(rng_next(seed) % 2);
	if (r < 92)
		return 16 + (unsigned)(rng_next(seed) % 6);
	if (r < 95)
		return 8 + (unsigned)(rng_next(seed) % 8);
	return 25 + (unsigned)(rng_next(seed) % 8);
}

/* An IPv6 BGP table, as bench_lpm: /48 dominates, /32-/64 nearly all. */
static unsigned plen_v6(uint64_t *seed)
{
	unsigned r = (unsigned)(rng_next(seed) % 100);

	if (r < 45)
		return 48;
	if (r < 60)
		return 32;
	if (r < 75)
		return 33 + (unsigned)(rng_next(seed) % 15);
	if (r < 95)
		return 49 + (unsigned)(rng_next(seed) % 16);
	if (r < 98)
		return 128;
	return 16 + (unsigned)(rng_next(seed) % 16);
}

/* run_routes.sh's IPv6 lengths under 2001:db8::/32. */
static unsigned plen_db8(uint64_t *seed)
{
	static const unsigned lens[] = {48, 56, 64, 64, 64, 96, 112, 128};

	return lens[rng_next(seed) % 8];
}

static int syn_iface(struct nr_stack *s, int index, const char *name, uint32_t flags)
{
	struct nr_iface ifc;

	memset(&ifc, 0, sizeof(ifc));
	ifc.index = index;
	snprintf(ifc.name, sizeof(ifc.name), "%s", name);
	ifc.flags = flags;
	ifc.mtu = 1500;
	ifc.operstate = NR_OPER_UP;
	return nr_iface_add(nr_stack_ifaces(s), &ifc);
}

static int syn_addr(struct nr_stack *s, int index, const char *text, int family)
{
	struct nr_prefix p;
	int r = nr_prefix_parse(text, family, NR_PREFIX_PARSE_HOST_BITS, &p);

	return r < 0 ? r : nr_stack_ifadd(s, index, &p);
}

static int syn_ifaces(struct nr_stack *s)
{
	const uint32_t up = NR_IFF_UP | NR_IFF_RUNNING;
	int r = 0;

	r = r ? r : syn_iface(s, SYN_LO, "lo", up | NR_IFF_LOOPBACK);
	r = r ? r : syn_iface(s, SYN_ETH0, "eth0", up);
	r = r ? r : syn_iface(s, SYN_ETH1, "eth1", up);
	r = r ? r : syn_addr(s, SYN_LO, "127.0.0.1/8", AF_INET);
	r = r ? r : syn_addr(s, SYN_LO, "::1/128", AF_INET6);
	r = r ? r : syn_addr(s, SYN_ETH0, "198.51.100.1/24", AF_INET);
	r = r ? r : syn_addr(s, SYN_ETH1, "203.0.113.1/24", AF_INET);
	r = r ? r : syn_addr(s, SYN_ETH0, "2001:db8::1/64", AF_INET6);
	r = r ? r : syn_addr(s, SYN_ETH1, "2001:db8:1::1/64", AF_INET6);
	return r;
}

/*
 * n distinct prefixes of one family in main, each through an on-link
 * gateway of eth0 or eth1. A prefix drawn twice is refused (-EEXIST: same
 * prefix, same nexthop) and drawn again; the connected ones stay.
 */
static int syn_routes(struct nr_stack *s, int family, size_t n, bool spread6, uint64_t *seed)
{
	struct nr_nexthop nh[2];
	struct nr_route r;
	size_t added = 0, tries = 0;
	int err = 0;

	memset(nh, 0, sizeof(nh));
	nr_addr_parse(family == AF_INET ? "198.51.100.254" : "2001:db8::fffe", family, &nh[0].gw);
	nr_addr_parse(family == AF_INET ? "203.0.113.254" : "2001:db8:1::fffe", family, &nh[1].gw);
	nh[0].ifindex = SYN_ETH0;
	nh[1].ifindex = SYN_ETH1;
	nh[0].weight = nh[1].weight = 1;
	memset(&r, 0, sizeof(r));
	r.family = (uint8_t)family;
	r.type = NR_RTN_UNICAST;
	r.protocol = 3; /* boot */
	r.table = NR_TABLE_MAIN;
	r.metric = family == AF_INET ? 0 : 1024;
	r.nh_count = 1;
	/* Bounded: at these sizes a draw is a duplicate a few percent of the time. */
	while (added < n && tries++ < 4 * n + 1000) {
		struct nr_addr a = {.family = (uint8_t)family};
		unsigned plen;

		if (family == AF_INET) {
			plen = plen_v4(seed);
		} else if (spread6) {
			plen = plen_v6(seed);
			a.bytes[0] = 0x20; /* 2000::/3 */
		} else {
			plen = plen_db8(seed);
			a.bytes[0] = 0x20, a.bytes[1] = 0x01, a.bytes[2] = 0x0d, a.bytes[3] = 0xb8;
		}
		randomise_from(&a, family == AF_INET ? 0 : spread6 ? 3 : 32, seed);
		nr_addr_mask(&a, plen);
		r.dst.addr = a;
		r.dst.len = (uint8_t)plen;
		r.nh = &nh[added & 1];
		err = nr_stack_route_add(s, &r);
		if (err == -EEXIST)
			continue;
		if (err < 0)
			return err;
		added++;
	}
	return added == n ? 0 : -ENOSPC;
}

/* Bytes in use: the heap's and malloc's own mmaps (large blocks, the trie's huge-page chunks). */
/* Resident bytes of the process: what the tables cost in memory, huge pages and all. */
static size_t rss_now(void)
{
	unsigned long size = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%lu %lu", &size, &resident) != 2)
			resident = 0;
		fclose(f);
	}
	return (size_t)resident * (size_t)sysconf(_SC_PAGESIZE);
}

static size_t heap_now(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

struct opts {
	const char *netns;
	bool synthetic, spread6;
	size_t n, routes4, routes6;
	uint64_t seed;
	int only;
};

static int run_synthetic(const struct opts *o)
{
	struct nr_stack *s = nr_stack_new();
	uint64_t seed = o->seed;
	struct nr_addr base4 = {.family = AF_INET}, base6 = {.family = AF_INET6};
	size_t h0, h1, h2, m0, m1, m2, r4, r6;
	double t0, load;
	int err;

	if (!s || syn_ifaces(s) < 0) {
		fprintf(stderr, "bench_stack: interfaces\n");
		nr_stack_free(s);
		return 3;
	}
	t0 = now_s();
	h0 = heap_now();
	m0 = rss_now();
	err = syn_routes(s, AF_INET, o->routes4, false, &seed);
	h1 = heap_now();
	m1 = rss_now();
	if (err == 0)
		err = syn_routes(s, AF_INET6, o->routes6, o->spread6, &seed);
	h2 = heap_now();
	m2 = rss_now();
	load = now_s() - t0;
	if (err < 0) {
		fprintf(stderr, "bench_stack: adding routes: %s\n", strerror(-err));
		nr_stack_free(s);
		return 3;
	}
	r4 = nr_stack_route_count(s, AF_INET);
	r6 = nr_stack_route_count(s, AF_INET6);
	printf("load_s=%.4f\nroutes4=%zu\nroutes6=%zu\n", load, r4, r6);
	printf("heap_bytes=%zu\nbytes_per_route=%.1f\n", h2 - h0,
	       (double)(h2 - h0) / (double)(o->routes4 + o->routes6 ? o->routes4 + o->routes6 : 1));
	printf("bytes_per_route4=%.1f\nbytes_per_route6=%.1f\n",
	       (double)(h1 - h0) / (double)(o->routes4 ? o->routes4 : 1),
	       (double)(h2 - h1) / (double)(o->routes6 ? o->routes6 : 1));
	printf("rss_bytes_per_route4=%.1f\nrss_bytes_per_route6=%.1f\n",
	       (double)(m1 - m0) / (double)(o->routes4 ? o->routes4 : 1),
	       (double)(m2 - m1) / (double)(o->routes6 ? o->routes6 : 1));
	fflush(stdout);
	base6.bytes[0] = 0x20;
	if (!o->spread6)
		base6.bytes[1] = 0x01, base6.bytes[2] = 0x0d, base6.bytes[3] = 0xb8;
	err = 0;
	if (o->only != 6)
		err = lookups(s, AF_INET, o->n, seed, &base4, 0);
	if (err == 0 && o->only != 4)
		err = lookups(s, AF_INET6, o->n, seed + 1, &base6, o->spread6 ? 3 : 32);
	nr_stack_free(s);
	return err < 0 ? 3 : 0;
}

static int run_netns(const struct opts *o)
{
	struct nr_os_error err = {0};
	struct nr_netns *ns;
	struct nr_stack *s;
	struct mallinfo2 before, after;
	size_t r4, r6;
	double t0, load;

	if (nr_netns_open(o->netns, &ns, &err) < 0) {
		fprintf(stderr, "bench_stack: %s\n", err.msg);
		return 3;
	}
	before = mallinfo2();
	before.uordblks += before.hblkhd;
	s = nr_stack_new();
	t0 = now_s();
	if (!s || nr_os_load(ns, s, NR_OS_LINKS | NR_OS_ADDRS | NR_OS_ROUTES | NR_OS_RULES, &err) < 0) {
		fprintf(stderr, "bench_stack: load: %s\n", err.msg);
		return 3;
	}
	load = now_s() - t0;
	after = mallinfo2();
	after.uordblks += after.hblkhd;
	r4 = nr_stack_route_count(s, AF_INET);
	r6 = nr_stack_route_count(s, AF_INET6);
	printf("load_s=%.4f\nroutes4=%zu\nroutes6=%zu\n", load, r4, r6);
	printf("heap_bytes=%zu\nbytes_per_route=%.1f\n", after.uordblks - before.uordblks,
	       (double)(after.uordblks - before.uordblks) / (double)(r4 + r6 ? r4 + r6 : 1));
	if (o->only != 6)
		lookups(s, AF_INET, o->n, o->seed, NULL, 0);
	if (o->only != 4)
		lookups(s, AF_INET6, o->n, o->seed + 1, NULL, 0);
	nr_stack_free(s);
	nr_netns_close(ns);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"netns", required_argument, NULL, 'n'},
		{"lookups", required_argument, NULL, 'l'},
		{"seed", required_argument, NULL, 's'},
		{"family", required_argument, NULL, 'f'},
		{"synthetic", no_argument, NULL, 'S'},
		{"routes4", required_argument, NULL, '4'},
		{"routes6", required_argument, NULL, '6'},
		{"spread6", no_argument, NULL, 'D'},
		{0},
	};
	struct opts o = {.n = 2000000, .routes4 = 1000000, .routes6 = 200000, .seed = 42};
	int c;

	while ((c = getopt_long(argc, argv, "n:l:s:f:", longopts, NULL)) != -1) {
		if (c == 'n')
			o.netns = optarg;
		else if (c == 'l')
			o.n = strtoul(optarg, NULL, 10);
		else if (c == 's')
			o.seed = strtoull(optarg, NULL, 10);
		else if (c == 'f')
			o.only = atoi(optarg);
		else if (c == 'S')
			o.synthetic = true;
		else if (c == '4')
			o.routes4 = strtoul(optarg, NULL, 10);
		else if (c == '6')
			o.routes6 = strtoul(optarg, NULL, 10);
		else if (c == 'D')
			o.spread6 = true;
		else
			return 2;
	}
	if (o.synthetic && o.netns) {
		fprintf(stderr, "bench_stack: --synthetic and --netns exclude each other\n");
		return 2;
	}
	/* xorshift must not start at zero. */
	if (!o.seed)
		o.seed = 1;
	return o.synthetic ? run_synthetic(&o) : run_netns(&o);
}
