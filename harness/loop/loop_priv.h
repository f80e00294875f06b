/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The loop's insides, shared by loop.c (the epoll loop: fds, timers,
 * signals, children) and uring.c (the optional io_uring wait and the
 * requests users queue on it). Not for users of the loop: they have
 * loop/loop.h.
 */
#ifndef NETRIG_LOOP_PRIV_H
#define NETRIG_LOOP_PRIV_H

#include "loop/loop.h"

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/queue.h>

#define NR_LOOP_NSIG 65 /* signals 1..64 on Linux */
#define NR_LOOP_EVENT_BATCH 64 /* epoll events fetched by one wait */

struct nr_loop_sig_slot {
	nr_loop_signal_fn fn;
	void *arg;
	bool handled;
	bool was_blocked; /* restore the caller's mask as it was */
};

struct nr_loop_child;
struct nr_loop_ring; /* uring.c */

struct nr_loop {
	struct nr_clock *clock;
	struct nr_loop_ring *ring; /* NULL: epoll alone */
	int epfd;
	int tfd; /* -1 on a fake clock */
	int sfd; /* created with the first signal */
	uint64_t tfd_armed; /* absolute deadline the timerfd is set to, 0 = disarmed */
	uint64_t now;
	struct nr_timerheap timers;
	size_t user_watches;
	size_t nsignals;
	LIST_HEAD(, nr_loop_watch) watches;
	LIST_HEAD(, nr_loop_watch) dead;
	LIST_HEAD(, nr_loop_child) children;
	sigset_t sigmask;
	struct nr_loop_sig_slot sig[NR_LOOP_NSIG];
	bool stop;
	uint64_t busy_ns;
	unsigned busy_skip;   /* blocking waits left that sleep at once (after misses) */
	unsigned busy_misses; /* busy polls in a row that found nothing */
	struct nr_loop_stats stats;
};

/* --- busy polling (nr_loop_set_busy_poll), for both waits --- */

/*
 * A poll that found nothing makes the next 2^misses waits (up to 1024)
 * sleep at once, so a poll that does not pay costs little.
 */
static inline bool nr_loop_busy_try(struct nr_loop *l)
{
	if (!l->busy_ns)
		return false;
	if (l->busy_skip) {
		l->busy_skip--;
		return false;
	}
	return true;
}

static inline void nr_loop_busy_result(struct nr_loop *l, bool hit)
{
	if (hit) {
		l->stats.busy_hits++;
		l->busy_misses = 0;
		return;
	}
	l->stats.busy_misses++;
	if (l->busy_misses < 10)
		l->busy_misses++;
	l->busy_skip = 1u << l->busy_misses;
}

/* When a busy poll starting now gives up: after busy_ns, never past the next timer. */
static inline uint64_t nr_loop_busy_until(const struct nr_loop *l)
{
	uint64_t until = l->clock->now_ns(l->clock) + l->busy_ns;
	const struct nr_timerheap_node *top = nr_timerheap_peek(&l->timers);

	if (top && top->deadline < until)
		until = top->deadline;
	return until;
}

/* --- the ring's side (uring.c), called by the epoll loop --- */

/* NULL is fine. Closing the ring cancels what is left in flight. */
void nr_loop_ring_free(struct nr_loop_ring *g);
/* User requests on the ring not finished: they keep the loop running. */
size_t nr_loop_ring_inflight(const struct nr_loop_ring *g);
/*
 * The wait of one iteration when the loop has a ring, in place of
 * epoll_wait: submits what is queued, sleeps (block) until a completion
 * or the epoll fd is ready, updates the loop's time, hands completions to
 * their ops, then fetches the epoll fd's events without waiting.
 * ret_events: events in evs (NR_LOOP_EVENT_BATCH at most); ret_handed:
 * completions handed to ops. 0 or a negative errno.
 */
int nr_loop_ring_wait(struct nr_loop *l, bool block, struct epoll_event *evs, int *ret_events,
		      size_t *ret_handed);

#endif
