/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The neighbour cache: every row of the transition table (expected states
 * written from RFC 4861 7.2.3/7.2.5/7.3.3, not from the code), deadlines
 * on a fake clock, retries, the solicitation rate limit, the queue bound,
 * eviction and kernel import.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "netrig/neigh.h"

#define MS NR_NS_PER_MS
#define SEC (1000 * MS)
#define T0 (1000 * SEC) /* the fake clock starts away from 0 */

static struct nr_addr A(const char *s)
{
	struct nr_addr a;

	assert_int_equal(nr_addr_parse(s, AF_UNSPEC, &a), 0);
	return a;
}

static struct nr_lladdr L(const char *s)
{
	struct nr_lladdr l;

	assert_int_equal(nr_lladdr_parse(s, &l), 0);
	return l;
}

#define MAC1 "02:00:00:00:00:01"
#define MAC2 "02:00:00:00:00:02"

static struct nr_neigh_cache *cache_new(size_t max)
{
	struct nr_neigh_cache *c = nr_neigh_cache_new(max);

	assert_non_null(c);
	return c;
}

static const struct nr_neigh_entry *get(const struct nr_neigh_cache *c, int ifi, const char *a)
{
	struct nr_addr x = A(a);

	return nr_neigh_lookup(c, ifi, &x);
}

static unsigned state_of(const struct nr_neigh_cache *c, int ifi, const char *a)
{
	const struct nr_neigh_entry *e = get(c, ifi, a);

	return e ? e->state : NR_NEIGH_NONE;
}

static void import(struct nr_neigh_cache *c, int ifi, const char *a, const char *mac,
		   unsigned nud, uint64_t now)
{
	struct nr_addr x = A(a);
	struct nr_lladdr l;

	if (mac)
		l = L(mac);
	assert_int_equal(nr_neigh_import(c, ifi, &x, mac ? &l : NULL, nud, 0, now), 0);
}

static int resolve(struct nr_neigh_cache *c, int ifi, const char *a, uint64_t h, uint64_t now,
		   struct nr_lladdr *ll, struct nr_neigh_action *act)
{
	struct nr_addr x = A(a);

	return nr_neigh_resolve(c, ifi, &x, h, now, ll, act);
}

static void advert(struct nr_neigh_cache *c, int ifi, const char *a, const char *mac,
		   unsigned flags, uint64_t now, struct nr_neigh_action *act)
{
	struct nr_addr x = A(a);
	struct nr_lladdr l;

	if (mac)
		l = L(mac);
	assert_int_equal(nr_neigh_on_advert_received(c, ifi, &x, mac ? &l : NULL, flags, now, act),
			 0);
}

static void tick(struct nr_neigh_cache *c, uint64_t now, struct nr_neigh_action *acts, size_t cap,
		 size_t expect_n)
{
	size_t n = 99;

	assert_int_equal(nr_neigh_tick(c, now, acts, cap, &n), 0);
	assert_int_equal(n, expect_n);
}

static void test_params(void **state)
{
	struct nr_neigh_cache *c = cache_new(8);
	struct nr_neigh_params p, q;
	uint64_t r1, r2;

	(void)state;
	assert_null(nr_neigh_cache_new(0));
	nr_neigh_get_params(c, &p);
	assert_true(p.base_reachable_ns == 30 * SEC);
	assert_true(p.retrans_ns == 1 * SEC);
	assert_true(p.delay_first_probe_ns == 5 * SEC);
	assert_int_equal(p.mcast_probes, 3);
	assert_int_equal(p.ucast_probes, 3);
	assert_int_equal(p.queue_len, 3);

	/* ReachableTime is randomised into [base/2, 3*base/2), reproducibly. */
	nr_neigh_seed(c, 42);
	r1 = nr_neigh_reachable_time(c);
	assert_true(r1 >= 15 * SEC && r1 < 45 * SEC);
	nr_neigh_seed(c, 42);
	assert_true(nr_neigh_reachable_time(c) == r1);
	nr_neigh_seed(c, 43);
	r2 = nr_neigh_reachable_time(c);
	assert_true(r2 >= 15 * SEC && r2 < 45 * SEC);
	assert_true(r1 != r2);
	for (uint64_t s = 1; s < 200; s++) {
		nr_neigh_seed(c, s);
		assert_true(nr_neigh_reachable_time(c) >= 15 * SEC);
		assert_true(nr_neigh_reachable_time(c) < 45 * SEC);
	}

	q = p;
	q.queue_len = NR_NEIGH_QUEUE_MAX + 1;
	assert_int_equal(nr_neigh_set_params(c, &q), -EINVAL);
	q = p;
	q.mcast_probes = 0;
	assert_int_equal(nr_neigh_set_params(c, &q), -EINVAL);
	q = p;
	q.retrans_ns = 0;
	assert_int_equal(nr_neigh_set_params(c, &q), -EINVAL);
	q = p;
	q.base_reachable_ns = 2 * SEC;
	assert_int_equal(nr_neigh_set_params(c, &q), 0);
	assert_true(nr_neigh_reachable_time(c) >= 1 * SEC && nr_neigh_reachable_time(c) < 3 * SEC);
	nr_neigh_cache_free(c);
	nr_neigh_cache_free(NULL);
}

/* INCOMPLETE: 3 multicast solicitations one retrans apart, then FAILED. */
static void test_incomplete_retries_then_failed(void **state)
{
	struct nr_neigh_cache *c = cache_new(8);
	struct nr_neigh_action act, acts[4];
	struct nr_lladdr ll;
	const struct nr_neigh_entry *e;

	(void)state;
	assert_true(nr_neigh_next_deadline(c, T0) == NR_NEIGH_NO_DEADLINE);
	assert_int_equal(resolve(c, 1, "198.51.100.7", 11, T0, &ll, &act), -EINPROGRESS);
	assert_int_equal(act.kind, NR_NEIGH_ACT_SOLICIT_MCAST);
	assert_int_equal(act.ifindex, 1);
	assert_true(nr_addr_eq(&act.addr, &(struct nr_addr){0}) == false);
	e = get(c, 1, "198.51.100.7");
	assert_non_null(e);
	assert_int_equal(e->state, NR_NEIGH_INCOMPLETE);
	assert_int_equal(e->probes, 1);
	assert_int_equal(e->nqueued, 1);
	assert_true(e->deadline_ns == T0 + SEC);
	assert_true(nr_neigh_next_deadline(c, T0) == T0 + SEC);

	/* A second packet waits too and sends nothing more (one NS per retrans). */
	assert_int_equal(resolve(c, 1, "198.51.100.7", 12, T0 + 10 * MS, &ll, &act), -EINPROGRESS);
	assert_int_equal(act.kind, NR_NEIGH_ACT_NONE);

	tick(c, T0 + SEC - 1, acts, 4, 0); /* not yet */
	tick(c, T0 + SEC, acts, 4, 1);
	assert_int_equal(acts[0].kind, NR_NEIGH_ACT_SOLICIT_MCAST);
	assert_int_equal(get(c, 1, "198.51.100.7")->probes, 2);
	tick(c, T0 + 2 * SEC, acts, 4, 1);
	assert_int_equal(acts[0].kind, NR_NEIGH_ACT_SOLICIT_MCAST);
	assert_int_equal(get(c, 1, "198.51.100.7")->probes, 3);
	assert_int_equal(state_of(c, 1, "198.51.100.7"), NR_NEIGH_INCOMPLETE);

	/* Third retrans timeout: FAILED, waiting packets handed back to drop. */
	tick(c, T0 + 3 * SEC, acts, 4, 1);
	assert_int_equal(acts[0].kind, NR_NEIGH_ACT_DROP_QUEUED);
	assert_int_equal(acts[0].nhandles, 2);
	assert_true(acts[0].handles[0] == 11 && acts[0].handles[1] == 12);
	e = get(c, 1, "198.51.100.7");
	assert_int_equal(e->state, NR_NEIGH_FAILED);
	assert_int_equal(e->nqueued, 0);
	assert_int_equal(e->lladdr.len, 0);
	/* The negative cache is no timer. */
	assert_true(nr_neigh_next_deadline(c, T0 + 3 * SEC) == NR_NEIGH_NO_DEADLINE);
	tick(c, T0 + 10 * SEC, acts, 4, 0);

	/* Inside failed_hold (1 s): refused at once, nothing queued. */
	act.kind = 99;
	assert_int_equal(resolve(c, 1, "198.51.100.7", 13, T0 + 3 * SEC + 999 * MS, &ll, &act),
			 -EHOSTUNREACH);
	assert_int_equal(act.kind, 99); /* not written on error */
	assert_int_equal(get(c, 1, "198.51.100.7")->nqueued, 0);
	/* After it: a new resolution. */
	assert_int_equal(resolve(c, 1, "198.51.100.7", 14, T0 + 4 * SEC, &ll, &act), -EINPROGRESS);
	assert_int_equal(act.kind, NR_NEIGH_ACT_SOLICIT_MCAST);
	e = get(c, 1, "198.51.100.7");
	assert_int_equal(e->state, NR_NEIGH_INCOMPLETE);
	assert_int_equal(e->probes, 1);
	nr_neigh_cache_free(c);
}

static void test_queue_bound_then_resolved(void **state)
{
	struct nr_neigh_cache *c = cache_new(8);
	struct nr_neigh_action act;
	struct nr_lladdr ll = {0};
	const struct nr_neigh_entry *e;

	(void)state;
	assert_int_equal(resolve(c, 2, "2001:db8::9", 1, T0, &ll, &act), -EINPROGRESS);
	assert_int_equal(resolve(c, 2, "2001:db8::9", 2, T0, &ll, &act), -EINPROGRESS);
	assert_int_equal(resolve(c, 2, "2001:db8::9", 3, T0, &ll, &act), -EINPROGRESS);
	assert_int_equal(act.kind, NR_NEIGH_ACT_NONE);
	/* Queue of 3 full: the oldest goes. */
	assert_int_equal(resolve(c, 2, "2001:db8::9", 4, T0, &ll, &act), -EINPROGRESS);
	assert_int_equal(act.kind, NR_NEIGH_ACT_DROP_QUEUED);
	assert_int_equal(act.nhandles, 1);
	assert_true(act.handles[0] == 1);
	assert_int_equal(resolve(c, 2, "2001:db8::9", 5, T0, &ll, &act), -EINPROGRESS);
	assert_true(act.kind == NR_NEIGH_ACT_DROP_QUEUED && act.handles[0] == 2);
	assert_int_equal(get(c, 2, "2001:db8::9")->nqueued, 3);

	/* Solicited NA with TLLAO: REACHABLE, waiting packets released in order. */
	advert(c, 2, "2001:db8::9", MAC1, NR_NEIGH_F_SOLICITED | NR_NEIGH_F_ROUTER, T0 + 5 * MS,
	       &act);
	assert_int_equal(act.kind, NR_NEIGH_ACT_SEND_QUEUED);
	assert_int_equal(act.nhandles, 3);
	assert_true(act.handles[0] == 3 && act.handles[1] == 4 && act.handles[2] == 5);
	assert_true(nr_lladdr_eq(&act.lladdr, &(struct nr_lladdr){0}) == false);
	e = get(c, 2, "2001:db8::9");
	assert_int_equal(e->state, NR_NEIGH_REACHABLE);
	assert_true(e->router);
	assert_int_equal(e->nqueued, 0);
	assert_true(e->deadline_ns == T0 + 5 * MS + nr_neigh_reachable_time(c));

	/* Now a send goes straight out with the lladdr. */
	assert_int_equal(resolve(c, 2, "2001:db8::9", 6, T0 + 6 * MS, &ll, &act), 0);
	assert_int_equal(act.kind, NR_NEIGH_ACT_NONE);
	{
		struct nr_lladdr want = L(MAC1);

		assert_true(nr_lladdr_eq(&ll, &want));
	}
	nr_neigh_cache_free(c);
}

/*
 * Advertisements on an unresolved entry (INCOMPLETE, or FAILED which
 * the kernel treats alike): an lladdr is required; solicited -> REACHABLE,
 * unsolicited -> STALE, whatever the override flag.
 */
static void test_advert_on_unresolved(void **state)
{
	static const struct {
		unsigned from;
		bool with_ll;
		unsigned flags;
		unsigned to;
	} cases[] = {
		{NR_NEIGH_INCOMPLETE, false, NR_NEIGH_F_SOLICITED, NR_NEIGH_INCOMPLETE},
		{NR_NEIGH_INCOMPLETE, false, 0, NR_NEIGH_INCOMPLETE},
		{NR_NEIGH_INCOMPLETE, true, NR_NEIGH_F_SOLICITED | NR_NEIGH_F_OVERRIDE, NR_NEIGH_REACHABLE},
		{NR_NEIGH_INCOMPLETE, true, NR_NEIGH_F_SOLICITED, NR_NEIGH_REACHABLE},
		{NR_NEIGH_INCOMPLETE, true, NR_NEIGH_F_OVERRIDE, NR_NEIGH_STALE},
		{NR_NEIGH_INCOMPLETE, true, 0, NR_NEIGH_STALE},
		{NR_NEIGH_FAILED, false, NR_NEIGH_F_SOLICITED, NR_NEIGH_FAILED},
		{NR_NEIGH_FAILED, false, 0, NR_NEIGH_FAILED},
		{NR_NEIGH_FAILED, true, NR_NEIGH_F_SOLICITED | NR_NEIGH_F_OVERRIDE, NR_NEIGH_REACHABLE},
		{NR_NEIGH_FAILED, true, NR_NEIGH_F_SOLICITED, NR_NEIGH_REACHABLE},
		{NR_NEIGH_FAILED, true, NR_NEIGH_F_OVERRIDE, NR_NEIGH_STALE},
		{NR_NEIGH_FAILED, true, 0, NR_NEIGH_STALE},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct nr_neigh_cache *c = cache_new(4);
		struct nr_neigh_action act;
		struct nr_lladdr ll;
		const struct nr_neigh_entry *e;

		if (cases[i].from == NR_NEIGH_INCOMPLETE) {
			assert_int_equal(resolve(c, 3, "192.0.2.1", 77, T0, &ll, &act), -EINPROGRESS);
		} else {
			import(c, 3, "192.0.2.1", NULL, NR_NUD_FAILED, T0);
		}
		advert(c, 3, "192.0.2.1", cases[i].with_ll ? MAC2 : NULL, cases[i].flags,
		       T0 + 100 * MS, &act);
		e = get(c, 3, "192.0.2.1");
		assert_non_null(e);
		if (e->state != cases[i].to)
			fail_msg("case %zu: %s, want %s", i, nr_neigh_state_name(e->state),
				 nr_neigh_state_name(cases[i].to));
		if (cases[i].to == cases[i].from) {
			assert_int_equal(e->lladdr.len, 0);
			assert_int_equal(act.kind, NR_NEIGH_ACT_NONE);
			nr_neigh_cache_free(c);
			continue;
		}
		{
			struct nr_lladdr want = L(MAC2);

			assert_true(nr_lladdr_eq(&e->lladdr, &want));
		}
		if (cases[i].from == NR_NEIGH_INCOMPLETE) {
			assert_int_equal(act.kind, NR_NEIGH_ACT_SEND_QUEUED);
			assert_true(act.nhandles == 1 && act.handles[0] == 77);
		} else {
			assert_int_equal(act.kind, NR_NEIGH_ACT_NONE); /* nothing was waiting */
		}
		if (cases[i].to == NR_NEIGH_REACHABLE)
			assert_true(e->deadline_ns == T0 + 100 * MS + nr_neigh_reachable_time(c));
		else
			assert_true(e->deadline_ns == NR_NEIGH_NO_DEADLINE);
		nr_neigh_cache_free(c);
	}
}

/* RFC 4861 7.2.5 on REACHABLE, STALE, DELAY and PROBE entries cached with MAC1. */
enum ll_kind { NO_LL, SAME_LL, DIFF_LL };

static void test_advert_on_resolved(void **state)
{
	static const unsigned from[] = {NR_NEIGH_REACHABLE, NR_NEIGH_STALE, NR_NEIGH_DELAY,
					NR_NEIGH_PROBE};
	static const unsigned nud[] = {NR_NUD_REACHABLE, NR_NUD_STALE, NR_NUD_DELAY,
				       NR_NUD_PROBE};
	/* to == 0: unchanged. */
	static const struct {
		enum ll_kind ll;
		unsigned flags;
		unsigned to_reachable, to_other; /* from REACHABLE / from STALE,DELAY,PROBE */
		bool takes_ll, takes_router;
	} cases[] = {
		{NO_LL, NR_NEIGH_F_SOLICITED, NR_NEIGH_REACHABLE, NR_NEIGH_REACHABLE, false, true},
		{NO_LL, 0, 0, 0, false, true},
		{NO_LL, NR_NEIGH_F_OVERRIDE, 0, 0, false, true},
		{SAME_LL, NR_NEIGH_F_SOLICITED, NR_NEIGH_REACHABLE, NR_NEIGH_REACHABLE, false, true},
		{SAME_LL, NR_NEIGH_F_SOLICITED | NR_NEIGH_F_OVERRIDE, NR_NEIGH_REACHABLE,
		 NR_NEIGH_REACHABLE, false, true},
		{SAME_LL, 0, 0, 0, false, true},
		{SAME_LL, NR_NEIGH_F_OVERRIDE, 0, 0, false, true},
		{DIFF_LL, NR_NEIGH_F_SOLICITED | NR_NEIGH_F_OVERRIDE, NR_NEIGH_REACHABLE,
		 NR_NEIGH_REACHABLE, true, true},
		{DIFF_LL, NR_NEIGH_F_OVERRIDE, NR_NEIGH_STALE, NR_NEIGH_STALE, true, true},
		{DIFF_LL, NR_NEIGH_F_SOLICITED, NR_NEIGH_STALE, 0, false, false},
		{DIFF_LL, 0, NR_NEIGH_STALE, 0, false, false},
	};

	(void)state;
	for (size_t s = 0; s < 4; s++) {
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			struct nr_neigh_cache *c = cache_new(4);
			struct nr_neigh_action act;
			const struct nr_neigh_entry *e;
			const char *mac = cases[i].ll == NO_LL ? NULL
					  : cases[i].ll == SAME_LL ? MAC1
								   : MAC2;
			unsigned to = from[s] == NR_NEIGH_REACHABLE ? cases[i].to_reachable
								     : cases[i].to_other;
			unsigned want = to ? to : from[s];
			struct nr_lladdr m1 = L(MAC1), m2 = L(MAC2);
			uint64_t before;

			import(c, 4, "2001:db8::1", MAC1, nud[s], T0);
			before = get(c, 4, "2001:db8::1")->deadline_ns;
			advert(c, 4, "2001:db8::1", mac, cases[i].flags | NR_NEIGH_F_ROUTER,
			       T0 + 200 * MS, &act);
			assert_int_equal(act.kind, NR_NEIGH_ACT_NONE);
			e = get(c, 4, "2001:db8::1");
			if (e->state != want)
				fail_msg("from %s case %zu: got %s want %s",
					 nr_neigh_state_name(from[s]), i,
					 nr_neigh_state_name(e->state), nr_neigh_state_name(want));
			assert_true(nr_lladdr_eq(&e->lladdr, cases[i].takes_ll ? &m2 : &m1));
			assert_int_equal(e->router, cases[i].takes_router);
			if (!to)
				assert_true(e->deadline_ns == before); /* timers untouched */
			else if (to == NR_NEIGH_REACHABLE)
				assert_true(e->deadline_ns ==
					    T0 + 200 * MS + nr_neigh_reachable_time(c));
			else
				assert_true(e->deadline_ns == NR_NEIGH_NO_DEADLINE); /* STALE */
			nr_neigh_cache_free(c);
		}
	}
}

static void test_advert_ignored(void **state)
{
	struct nr_neigh_cache *c = cache_new(4);
	struct nr_neigh_action act;
	struct nr_lladdr m1 = L(MAC1);

	(void)state;
	/* No entry: nothing is created (7.2.5). */
	advert(c, 1, "198.51.100.1", MAC2, NR_NEIGH_F_SOLICITED | NR_NEIGH_F_OVERRIDE, T0, &act);
	assert_int_equal(nr_neigh_count(c), 0);
	assert_int_equal(act.kind, NR_NEIGH_ACT_NONE);
	/* PERMANENT and NOARP are the administrator's. */
	import(c, 1, "198.51.100.2", MAC1, NR_NUD_PERMANENT, T0);
	import(c, 1, "198.51.100.3", MAC1, NR_NUD_NOARP, T0);
	advert(c, 1, "198.51.100.2", MAC2, NR_NEIGH_F_SOLICITED | NR_NEIGH_F_OVERRIDE, T0, &act);
	advert(c, 1, "198.51.100.3", MAC2, NR_NEIGH_F_OVERRIDE, T0, &act);
	assert_int_equal(state_of(c, 1, "198.51.100.2"), NR_NEIGH_PERMANENT);
	assert_int_equal(state_of(c, 1, "198.51.100.3"), NR_NEIGH_NOARP);
	assert_true(nr_lladdr_eq(&get(c, 1, "198.51.100.2")->lladdr, &m1));
	assert_true(nr_lladdr_eq(&get(c, 1, "198.51.100.3")->lladdr, &m1));
	/* Bad arguments. */
	{
		struct nr_addr a = A("198.51.100.2"), none = {0};
		struct nr_lladdr big = {.len = NR_LLADDR_MAX + 1};

		assert_int_equal(nr_neigh_on_advert_received(c, 0, &a, NULL, 0, T0, &act), -EINVAL);
		assert_int_equal(nr_neigh_on_advert_received(c, 1, &none, NULL, 0, T0, &act),
				 -EINVAL);
		assert_int_equal(nr_neigh_on_advert_received(c, 1, &a, &big, 0, T0, &act), -EINVAL);
	}
	nr_neigh_cache_free(c);
}

/* RFC 4861 7.2.3: a solicitation with a source lladdr. */
static void test_solicit_received(void **state)
{
	struct nr_neigh_cache *c = cache_new(8);
	struct nr_neigh_action act;
	struct nr_lladdr m1 = L(MAC1), m2 = L(MAC2), ll;
	struct nr_addr a = A("203.0.113.5");
	const struct nr_neigh_entry *e;

	(void)state;
	/* No entry: created STALE, IsRouter false. */
	assert_int_equal(nr_neigh_on_solicit_received(c, 5, &a, &m1, T0, &act), 0);
	assert_int_equal(act.kind, NR_NEIGH_ACT_NONE);
	e = get(c, 5, "203.0.113.5");
	assert_int_equal(e->state, NR_NEIGH_STALE);
	assert_false(e->router);
	assert_true(nr_lladdr_eq(&e->lladdr, &m1));
	assert_true(e->deadline_ns == NR_NEIGH_NO_DEADLINE);

	/* Same lladdr on REACHABLE: unchanged; different: STALE with the new one. */
	import(c, 5, "203.0.113.5", MAC1, NR_NUD_REACHABLE, T0);
	assert_int_equal(nr_neigh_on_solicit_received(c, 5, &a, &m1, T0 + 1, &act), 0);
	assert_int_equal(state_of(c, 5, "203.0.113.5"), NR_NEIGH_REACHABLE);
	assert_int_equal(nr_neigh_on_solicit_received(c, 5, &a, &m2, T0 + 2, &act), 0);
	e = get(c, 5, "203.0.113.5");
	assert_int_equal(e->state, NR_NEIGH_STALE);
	assert_true(nr_lladdr_eq(&e->lladdr, &m2));
	/* Same on DELAY and PROBE: unchanged; different: STALE. */
	import(c, 5, "203.0.113.5", MAC1, NR_NUD_DELAY, T0);
	assert_int_equal(nr_neigh_on_solicit_received(c, 5, &a, &m1, T0 + 3, &act), 0);
	assert_int_equal(state_of(c, 5, "203.0.113.5"), NR_NEIGH_DELAY);
	import(c, 5, "203.0.113.5", MAC1, NR_NUD_PROBE, T0);
	assert_int_equal(nr_neigh_on_solicit_received(c, 5, &a, &m2, T0 + 3, &act), 0);
	assert_int_equal(state_of(c, 5, "203.0.113.5"), NR_NEIGH_STALE);

	/* INCOMPLETE with waiting packets: STALE and the packets go out. */
	assert_int_equal(resolve(c, 5, "203.0.113.6", 42, T0, &ll, &act), -EINPROGRESS);
	{
		struct nr_addr b = A("203.0.113.6");

		assert_int_equal(nr_neigh_on_solicit_received(c, 5, &b, &m2, T0 + 4, &act), 0);
	}
	assert_int_equal(act.kind, NR_NEIGH_ACT_SEND_QUEUED);
	assert_true(act.nhandles == 1 && act.handles[0] == 42);
	assert_true(nr_lladdr_eq(&act.lladdr, &m2));
	assert_int_equal(state_of(c, 5, "203.0.113.6"), NR_NEIGH_STALE);

	/* FAILED: STALE. PERMANENT: untouched. */
	import(c, 5, "203.0.113.7", NULL, NR_NUD_FAILED, T0);
	{
		struct nr_addr b = A("203.0.113.7");

		assert_int_equal(nr_neigh_on_solicit_received(c, 5, &b, &m1, T0 + 5, &act), 0);
	}
	assert_int_equal(state_of(c, 5, "203.0.113.7"), NR_NEIGH_STALE);
	import(c, 5, "203.0.113.8", MAC1, NR_NUD_PERMANENT, T0);
	{
		struct nr_addr b = A("203.0.113.8");

		assert_int_equal(nr_neigh_on_solicit_received(c, 5, &b, &m2, T0 + 5, &act), 0);
		assert_true(nr_lladdr_eq(&get(c, 5, "203.0.113.8")->lladdr, &m1));
		/* No source lladdr option: nothing to learn, refused. */
		assert_int_equal(nr_neigh_on_solicit_received(c, 5, &b, NULL, T0, &act), -EINVAL);
	}
	assert_int_equal(state_of(c, 5, "203.0.113.8"), NR_NEIGH_PERMANENT);
	nr_neigh_cache_free(c);
}

static void test_confirm(void **state)
{
	static const unsigned nud[] = {NR_NUD_REACHABLE, NR_NUD_STALE, NR_NUD_DELAY, NR_NUD_PROBE};
	struct nr_neigh_cache *c = cache_new(8);
	struct nr_addr a = A("198.51.100.9");
	struct nr_neigh_action act;
	struct nr_lladdr ll;

	(void)state;
	assert_int_equal(nr_neigh_on_confirm(c, 1, &a, T0), -ENOENT);
	for (size_t i = 0; i < 4; i++) {
		import(c, 1, "198.51.100.9", MAC1, nud[i], T0);
		assert_int_equal(nr_neigh_on_confirm(c, 1, &a, T0 + 7 * SEC), 0);
		assert_int_equal(state_of(c, 1, "198.51.100.9"), NR_NEIGH_REACHABLE);
		assert_true(get(c, 1, "198.51.100.9")->deadline_ns ==
			    T0 + 7 * SEC + nr_neigh_reachable_time(c));
		assert_true(get(c, 1, "198.51.100.9")->confirmed_ns == T0 + 7 * SEC);
	}
	/* Not on an entry without an lladdr, nor on static ones. */
	assert_int_equal(resolve(c, 1, "198.51.100.10", 1, T0, &ll, &act), -EINPROGRESS);
	a = A("198.51.100.10");
	assert_int_equal(nr_neigh_on_confirm(c, 1, &a, T0), 0);
	assert_int_equal(state_of(c, 1, "198.51.100.10"), NR_NEIGH_INCOMPLETE);
	import(c, 1, "198.51.100.11", MAC1, NR_NUD_PERMANENT, T0);
	a = A("198.51.100.11");
	assert_int_equal(nr_neigh_on_confirm(c, 1, &a, T0), 0);
	assert_int_equal(state_of(c, 1, "198.51.100.11"), NR_NEIGH_PERMANENT);
	nr_neigh_cache_free(c);
}

/* REACHABLE -> STALE -> (send) DELAY -> PROBE x3 -> FAILED, on the clock. */
static void test_reachability_lifecycle(void **state)
{
	struct nr_neigh_cache *c = cache_new(8);
	struct nr_neigh_action act, acts[2];
	struct nr_lladdr ll, m1 = L(MAC1);
	uint64_t rt, t;
	const struct nr_neigh_entry *e;

	(void)state;
	nr_neigh_seed(c, 7);
	rt = nr_neigh_reachable_time(c);
	import(c, 6, "2001:db8::77", MAC1, NR_NUD_REACHABLE, T0);
	assert_true(nr_neigh_next_deadline(c, T0) == T0 + rt);
	tick(c, T0 + rt - 1, acts, 2, 0);
	assert_int_equal(state_of(c, 6, "2001:db8::77"), NR_NEIGH_REACHABLE);
	tick(c, T0 + rt, acts, 2, 0); /* no action, just STALE */
	assert_int_equal(state_of(c, 6, "2001:db8::77"), NR_NEIGH_STALE);
	assert_true(nr_neigh_next_deadline(c, T0 + rt) == NR_NEIGH_NO_DEADLINE);

	/* STALE entries are used as they are, and start the delay timer. */
	t = T0 + rt + 10 * SEC;
	assert_int_equal(resolve(c, 6, "2001:db8::77", 1, t, &ll, &act), 0);
	assert_true(nr_lladdr_eq(&ll, &m1));
	assert_int_equal(act.kind, NR_NEIGH_ACT_NONE);
	e = get(c, 6, "2001:db8::77");
	assert_int_equal(e->state, NR_NEIGH_DELAY);
	assert_true(e->deadline_ns == t + 5 * SEC);
	/* Sending again in DELAY changes nothing. */
	assert_int_equal(resolve(c, 6, "2001:db8::77", 2, t + SEC, &ll, &act), 0);
	assert_true(get(c, 6, "2001:db8::77")->deadline_ns == t + 5 * SEC);

	/* DELAY expires: PROBE, first unicast probe to the cached lladdr. */
	tick(c, t + 5 * SEC, acts, 2, 1);
	assert_int_equal(acts[0].kind, NR_NEIGH_ACT_PROBE_UCAST);
	assert_true(nr_lladdr_eq(&acts[0].lladdr, &m1));
	e = get(c, 6, "2001:db8::77");
	assert_int_equal(e->state, NR_NEIGH_PROBE);
	assert_int_equal(e->probes, 1);
	assert_true(e->deadline_ns == t + 6 * SEC);
	/* Sending in PROBE still uses the lladdr. */
	assert_int_equal(resolve(c, 6, "2001:db8::77", 3, t + 5 * SEC, &ll, &act), 0);
	tick(c, t + 6 * SEC, acts, 2, 1);
	assert_int_equal(acts[0].kind, NR_NEIGH_ACT_PROBE_UCAST);
	tick(c, t + 7 * SEC, acts, 2, 1);
	assert_int_equal(acts[0].kind, NR_NEIGH_ACT_PROBE_UCAST);
	assert_int_equal(get(c, 6, "2001:db8::77")->probes, 3);
	/* Out of unicast probes: FAILED, nothing was waiting so no action. */
	tick(c, t + 8 * SEC, acts, 2, 0);
	e = get(c, 6, "2001:db8::77");
	assert_int_equal(e->state, NR_NEIGH_FAILED);
	assert_int_equal(e->lladdr.len, 0);

	/* A probe answered: PROBE -> REACHABLE (solicited NA, same lladdr). */
	import(c, 6, "2001:db8::78", MAC1, NR_NUD_STALE, T0);
	assert_int_equal(resolve(c, 6, "2001:db8::78", 4, T0, &ll, &act), 0);
	tick(c, T0 + 5 * SEC, acts, 2, 1);
	assert_int_equal(state_of(c, 6, "2001:db8::78"), NR_NEIGH_PROBE);
	advert(c, 6, "2001:db8::78", MAC1, NR_NEIGH_F_SOLICITED, T0 + 5 * SEC + 3 * MS, &act);
	assert_int_equal(state_of(c, 6, "2001:db8::78"), NR_NEIGH_REACHABLE);
	assert_int_equal(get(c, 6, "2001:db8::78")->probes, 0);
	nr_neigh_cache_free(c);
}

static void test_rate_limit(void **state)
{
	struct nr_neigh_cache *c = cache_new(8);
	struct nr_neigh_params p;
	struct nr_neigh_action act, acts[4];
	struct nr_lladdr ll;
	const struct nr_neigh_entry *e;

	(void)state;
	nr_neigh_params_default(&p);
	p.solicit_burst = 2;
	p.solicit_interval_ns = 100 * MS;
	assert_int_equal(nr_neigh_set_params(c, &p), 0);

	assert_int_equal(resolve(c, 1, "192.0.2.1", 1, T0, &ll, &act), -EINPROGRESS);
	assert_int_equal(act.kind, NR_NEIGH_ACT_SOLICIT_MCAST);
	assert_int_equal(resolve(c, 1, "192.0.2.2", 2, T0, &ll, &act), -EINPROGRESS);
	assert_int_equal(act.kind, NR_NEIGH_ACT_SOLICIT_MCAST);
	/* Bucket empty: the third waits for the next token, no probe counted. */
	assert_int_equal(resolve(c, 1, "192.0.2.3", 3, T0 + 10 * MS, &ll, &act), -EINPROGRESS);
	assert_int_equal(act.kind, NR_NEIGH_ACT_NONE);
	e = get(c, 1, "192.0.2.3");
	assert_int_equal(e->probes, 0);
	assert_true(e->deadline_ns == T0 + 100 * MS);
	assert_true(nr_neigh_next_deadline(c, T0) == T0 + 100 * MS);

	tick(c, T0 + 99 * MS, acts, 4, 0);
	tick(c, T0 + 100 * MS, acts, 4, 1);
	assert_int_equal(acts[0].kind, NR_NEIGH_ACT_SOLICIT_MCAST);
	assert_int_equal(acts[0].addr.bytes[3], 3);
	e = get(c, 1, "192.0.2.3");
	assert_int_equal(e->probes, 1);
	assert_true(e->deadline_ns == T0 + 1100 * MS);

	/* At 1 s the first two retransmit; 9 tokens have come back (capped at 2). */
	tick(c, T0 + SEC, acts, 4, 2);
	assert_int_equal(get(c, 1, "192.0.2.1")->probes, 2);
	assert_int_equal(get(c, 1, "192.0.2.2")->probes, 2);
	nr_neigh_cache_free(c);
}

static void test_tick_capacity(void **state)
{
	struct nr_neigh_cache *c = cache_new(8);
	struct nr_neigh_action act, acts[1];
	struct nr_lladdr ll;

	(void)state;
	assert_int_equal(resolve(c, 1, "192.0.2.1", 1, T0, &ll, &act), -EINPROGRESS);
	assert_int_equal(resolve(c, 1, "192.0.2.2", 2, T0, &ll, &act), -EINPROGRESS);
	tick(c, T0 + SEC, acts, 1, 1);
	assert_true(acts[0].addr.bytes[3] == 1);
	/* The other one stayed due and comes on the next call. */
	assert_true(nr_neigh_next_deadline(c, T0 + SEC) == T0 + SEC);
	tick(c, T0 + SEC, acts, 1, 1);
	assert_true(acts[0].addr.bytes[3] == 2);
	tick(c, T0 + SEC, NULL, 0, 0);
	assert_int_equal(nr_neigh_tick(c, T0, NULL, 1, &(size_t){0}), -EINVAL);
	nr_neigh_cache_free(c);
}

static void test_eviction(void **state)
{
	struct nr_neigh_cache *c = cache_new(3);
	struct nr_neigh_action act;
	struct nr_lladdr ll, m1 = L(MAC1);
	struct nr_addr a;

	(void)state;
	import(c, 1, "198.51.100.1", MAC1, NR_NUD_PERMANENT, T0);
	import(c, 1, "198.51.100.2", MAC1, NR_NUD_STALE, T0 + 1);     /* oldest STALE */
	import(c, 1, "198.51.100.3", MAC1, NR_NUD_REACHABLE, T0 + 0); /* older, but REACHABLE */
	/* Full: a new entry evicts the oldest STALE/FAILED one first. */
	a = A("198.51.100.4");
	assert_int_equal(nr_neigh_on_solicit_received(c, 1, &a, &m1, T0 + 2, &act), 0);
	assert_int_equal(nr_neigh_count(c), 3);
	assert_null(get(c, 1, "198.51.100.2"));
	assert_non_null(get(c, 1, "198.51.100.3"));
	/* The newest STALE goes before REACHABLE. */
	assert_int_equal(resolve(c, 1, "198.51.100.5", 1, T0 + 3, &ll, &act), -EINPROGRESS);
	assert_null(get(c, 1, "198.51.100.4"));
	assert_non_null(get(c, 1, "198.51.100.3"));
	/* No STALE/FAILED left: then REACHABLE, never INCOMPLETE or PERMANENT. */
	import(c, 1, "198.51.100.6", MAC1, NR_NUD_STALE, T0 + 4);
	assert_null(get(c, 1, "198.51.100.3"));
	assert_int_equal(state_of(c, 1, "198.51.100.5"), NR_NEIGH_INCOMPLETE);
	assert_int_equal(state_of(c, 1, "198.51.100.1"), NR_NEIGH_PERMANENT);
	nr_neigh_cache_free(c);

	/* Only PERMANENT (and INCOMPLETE) entries: -ENOSPC, nothing changed. */
	c = cache_new(2);
	import(c, 1, "198.51.100.1", MAC1, NR_NUD_PERMANENT, T0);
	assert_int_equal(resolve(c, 1, "198.51.100.2", 1, T0, &ll, &act), -EINPROGRESS);
	assert_int_equal(resolve(c, 1, "198.51.100.3", 2, T0, &ll, &act), -ENOSPC);
	a = A("198.51.100.3");
	assert_int_equal(nr_neigh_on_solicit_received(c, 1, &a, &m1, T0, &act), -ENOSPC);
	assert_int_equal(nr_neigh_import(c, 1, &a, &m1, NR_NUD_STALE, 0, T0), -ENOSPC);
	assert_int_equal(nr_neigh_count(c), 2);
	/* An existing entry is still usable when full. */
	import(c, 1, "198.51.100.1", MAC1, NR_NUD_PERMANENT, T0);
	assert_int_equal(resolve(c, 1, "198.51.100.1", 3, T0, &ll, &act), 0);
	nr_neigh_cache_free(c);
}

static void test_import_and_iteration(void **state)
{
	static const struct {
		unsigned nud;
		unsigned state;
		const char *name;
	} st[] = {
		{0x01, NR_NEIGH_INCOMPLETE, "INCOMPLETE"}, {0x02, NR_NEIGH_REACHABLE, "REACHABLE"},
		{0x04, NR_NEIGH_STALE, "STALE"},           {0x08, NR_NEIGH_DELAY, "DELAY"},
		{0x10, NR_NEIGH_PROBE, "PROBE"},           {0x20, NR_NEIGH_FAILED, "FAILED"},
		{0x40, NR_NEIGH_NOARP, "NOARP"},           {0x80, NR_NEIGH_PERMANENT, "PERMANENT"},
	};
	struct nr_neigh_cache *c = cache_new(16);
	/* IPoIB: 20-byte link-layer addresses are kept whole. */
	struct nr_lladdr ib = L("80:00:00:48:fe:80:00:00:00:00:00:00:00:02:c9:03:00:0a:bc:de");
	struct nr_addr a;
	const struct nr_neigh_entry *e;

	(void)state;
	for (size_t i = 0; i < 8; i++) {
		assert_string_equal(nr_neigh_state_name(st[i].state), st[i].name);
		assert_int_equal(nr_neigh_state_to_nud(st[i].state), st[i].nud);
	}
	assert_null(nr_neigh_state_name(NR_NEIGH_STATE_COUNT));

	a = A("2001:db8::1");
	assert_int_equal(nr_neigh_import(c, 2, &a, &ib, 0x80, 0x80, T0), 0);
	e = nr_neigh_lookup(c, 2, &a);
	assert_int_equal(e->state, NR_NEIGH_PERMANENT);
	assert_int_equal(e->lladdr.len, 20);
	assert_true(nr_lladdr_eq(&e->lladdr, &ib));
	assert_true(e->router);
	assert_true(e->deadline_ns == NR_NEIGH_NO_DEADLINE);
	/* Replaced by a later import of the same key. */
	assert_int_equal(nr_neigh_import(c, 2, &a, &ib, NR_NUD_DELAY, 0, T0 + SEC), 0);
	assert_int_equal(nr_neigh_count(c), 1);
	e = nr_neigh_lookup(c, 2, &a);
	assert_int_equal(e->state, NR_NEIGH_DELAY);
	assert_false(e->router);
	assert_true(e->deadline_ns == T0 + 6 * SEC);

	/* Timers of imported probing states run from now. */
	a = A("192.0.2.9");
	assert_int_equal(nr_neigh_import(c, 2, &a, NULL, NR_NUD_INCOMPLETE, 0, T0), 0);
	e = nr_neigh_lookup(c, 2, &a);
	assert_true(e->probes == 1 && e->deadline_ns == T0 + SEC && e->lladdr.len == 0);
	assert_int_equal(nr_neigh_import(c, 2, &a, NULL, NR_NUD_NOARP, 0, T0), 0);
	assert_int_equal(nr_neigh_lookup(c, 2, &a)->state, NR_NEIGH_NOARP);

	/* Refused: NUD_NONE, two bits, unknown bits, a missing lladdr. */
	assert_int_equal(nr_neigh_import(c, 2, &a, &ib, 0, 0, T0), -EINVAL);
	assert_int_equal(nr_neigh_import(c, 2, &a, &ib, 0x03, 0, T0), -EINVAL);
	assert_int_equal(nr_neigh_import(c, 2, &a, &ib, 0x100, 0, T0), -EINVAL);
	assert_int_equal(nr_neigh_import(c, 2, &a, NULL, NR_NUD_REACHABLE, 0, T0), -EINVAL);
	assert_int_equal(nr_neigh_import(c, 2, &a, NULL, NR_NUD_PERMANENT, 0, T0), -EINVAL);
	assert_int_equal(nr_neigh_import(c, 0, &a, &ib, NR_NUD_STALE, 0, T0), -EINVAL);

	/* Iteration: ifindex, then IPv4 before IPv6, then address. */
	import(c, 1, "2001:db8::5", MAC1, NR_NUD_STALE, T0);
	import(c, 1, "198.51.100.20", MAC1, NR_NUD_STALE, T0);
	import(c, 1, "198.51.100.3", MAC1, NR_NUD_STALE, T0);
	{
		static const char *order[] = {"198.51.100.3", "198.51.100.20", "2001:db8::5",
					      "192.0.2.9", "2001:db8::1"};
		static const int ifi[] = {1, 1, 1, 2, 2};
		char buf[NR_ADDR_STRLEN];

		assert_int_equal(nr_neigh_count(c), 5);
		for (size_t i = 0; i < 5; i++) {
			e = nr_neigh_at(c, i);
			assert_int_equal(e->ifindex, ifi[i]);
			assert_string_equal(nr_addr_format(&e->addr, buf, sizeof(buf)), order[i]);
		}
		assert_null(nr_neigh_at(c, 5));
	}
	/* Same address on two interfaces: two entries. */
	import(c, 3, "198.51.100.3", MAC2, NR_NUD_STALE, T0);
	assert_int_equal(nr_neigh_count(c), 6);
	a = A("198.51.100.3");
	assert_int_equal(nr_neigh_del(c, 1, &a), 0);
	assert_int_equal(nr_neigh_del(c, 1, &a), -ENOENT);
	assert_non_null(nr_neigh_lookup(c, 3, &a));
	nr_neigh_flush(c);
	assert_int_equal(nr_neigh_count(c), 0);
	nr_neigh_cache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_incomplete_retries_then_failed),
		cmocka_unit_test(test_queue_bound_then_resolved),
		cmocka_unit_test(test_advert_on_unresolved),
		cmocka_unit_test(test_advert_on_resolved),
		cmocka_unit_test(test_advert_ignored),
		cmocka_unit_test(test_solicit_received),
		cmocka_unit_test(test_confirm),
		cmocka_unit_test(test_reachability_lifecycle),
		cmocka_unit_test(test_rate_limit),
		cmocka_unit_test(test_tick_capacity),
		cmocka_unit_test(test_eviction),
		cmocka_unit_test(test_import_and_iteration),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
