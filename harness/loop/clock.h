/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The clock the event loop reads, behind a hook so tests run on a fake
 * one. Only the loop (and the capture, for pcap timestamps) reads a
 * clock; the stack is given "now" as an argument.
 *
 * A clock that runs by itself (CLOCK_MONOTONIC) has advance_to == NULL:
 * the loop waits for its deadlines in the kernel (timerfd). A fake clock
 * has advance_to: when nothing is ready, the loop jumps it to the next
 * deadline instead of sleeping, so tests on it never wait.
 */
#ifndef NETRIG_LOOP_CLOCK_H
#define NETRIG_LOOP_CLOCK_H

#include <stdint.h>

#define NR_NSEC_PER_SEC 1000000000ull
#define NR_NSEC_PER_MSEC 1000000ull
#define NR_NSEC_PER_USEC 1000ull

struct nr_clock {
	uint64_t (*now_ns)(struct nr_clock *c);
	/* NULL for a real clock; a fake clock moves to t (never backwards). */
	void (*advance_to)(struct nr_clock *c, uint64_t t_ns);
	/*
	 * The kernel clock id whose values now_ns returns (CLOCK_MONOTONIC,
	 * CLOCK_REALTIME), so a timerfd can wait for an absolute deadline;
	 * -1 for a fake clock.
	 */
	int clockid;
};

/* CLOCK_MONOTONIC: what the loop uses by default. */
struct nr_clock *nr_clock_monotonic(void);
/* CLOCK_REALTIME: the default timestamp of pcap records. */
struct nr_clock *nr_clock_wall(void);
/*
 * How many times any real clock was read since the process started; a
 * test on a fake clock asserts it does not move.
 */
uint64_t nr_clock_real_reads(void);

/* A clock that moves only when told: by the test, or by the loop's jumps. */
struct nr_fake_clock {
	struct nr_clock clock; /* first: &fake->clock is what the loop takes */
	uint64_t now;
	uint64_t reads;    /* now_ns calls */
	uint64_t advances; /* moves forward, by the test or the loop */
};

void nr_fake_clock_init(struct nr_fake_clock *f, uint64_t start_ns);
void nr_fake_clock_advance(struct nr_fake_clock *f, uint64_t delta_ns);

#endif
