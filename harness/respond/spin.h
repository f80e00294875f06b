/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Whether to busy-poll before waiting for the next frame, decided by
 * measurement. Spinning saves the wake-up of a sleeping thread, which
 * costs from a few to tens of microseconds depending on the machine
 * (a VM's halt and wake-up through the hypervisor is the dear case), but
 * it takes a CPU: a client on the same CPU (or sharing its core) then
 * waits for the spin, and the round trip gets slower, not faster. Which
 * one wins is a property of the machine at that moment, so the policy
 * tries both and keeps the faster:
 *
 * Frames are counted in windows of at least NR_SPIN_WINDOW arrivals and
 * NR_SPIN_WINDOW_NS (a flood's short windows would measure noise); a
 * window's cost is its wall time per frame. Windows run in the chosen
 * mode (spin or sleep); every `interval` windows, NR_SPIN_TRY windows
 * run in the other mode, and spinning is chosen when it cost at most 9/10 of
 * sleeping (a spin must pay for the CPU it burns), each side's cost the
 * mean of its last NR_SPIN_TRY windows (one window is noisy). A choice
 * confirmed doubles the interval, or quadruples it when the other mode
 * cost at least 4/3 as much (up to NR_SPIN_INTERVAL_MAX windows, so
 * trying the worse mode costs little once things are stable); a choice
 * changed sets it back to NR_SPIN_INTERVAL_MIN. A pause in traffic longer
 * than NR_SPIN_IDLE_NS starts the window again (it would measure the
 * client's think time, not the mode). While spinning, spins that find
 * nothing back off: after k misses in a row (k counted up to 10) the
 * next 2^k waits sleep at once.
 *
 * Pure: the caller passes the time and does the waiting (respond's link
 * thread, thread.c); tested on made-up arrivals (tests/unit/test_spin.c).
 */
#ifndef NETRIG_RESPOND_SPIN_H
#define NETRIG_RESPOND_SPIN_H

#include <stdbool.h>
#include <stdint.h>

#define NR_SPIN_WINDOW 32u
#define NR_SPIN_WINDOW_NS 1000000u
#define NR_SPIN_TRY 2u
#define NR_SPIN_INTERVAL_MIN 2u
#define NR_SPIN_INTERVAL_MAX 256u
#define NR_SPIN_IDLE_NS 2000000u

struct nr_spin_stats {
	uint64_t windows;      /* windows measured */
	uint64_t spin_windows; /* of which spent spinning */
	uint64_t switches;     /* times the chosen mode changed */
	uint64_t hits;         /* spins that found a frame */
	uint64_t misses;       /* spins that gave up (the wait then slept) */
};

struct nr_spin {
	uint64_t max_ns;    /* longest spin before a wait sleeps; 0: never spin */
	bool spin;          /* the current window's mode */
	bool chosen;        /* the mode chosen between tries: true = spin */
	bool trying;        /* the current window tries the other mode */
	unsigned interval;  /* windows between tries */
	unsigned since;     /* windows since the last try */
	unsigned n;         /* arrivals in the current window */
	uint64_t t0, last;  /* its first and last arrival */
	uint64_t cost[2];   /* ns per frame lately: [0] sleeping, [1] spinning */
	uint64_t sum;       /* of the windows in cost's mean so far */
	unsigned nsum;      /* how many */
	unsigned misses;    /* spins in a row that found nothing */
	unsigned skip;      /* waits left that sleep at once after misses */
	struct nr_spin_stats stats;
};

/*
 * Starts spinning (max_ns > 0), and tries sleeping after
 * NR_SPIN_INTERVAL_MIN windows: spinning where sleeping wins costs up to
 * half again (a client on our CPU), sleeping where spinning wins up to
 * several times (a VM's slow wake-ups).
 */
void nr_spin_init(struct nr_spin *s, uint64_t max_ns);
/* How long the next wait may spin before it sleeps, in ns; 0: sleep at once. */
uint64_t nr_spin_budget(struct nr_spin *s);
/* What a spin of nr_spin_budget's length found: a frame (hit) or nothing. */
void nr_spin_result(struct nr_spin *s, bool hit);
/* A frame arrived at `now` (any clock, ns, never going back). */
void nr_spin_arrival(struct nr_spin *s, uint64_t now);

#endif
