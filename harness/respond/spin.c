/* SPDX-License-Identifier: BSD-2-Clause */
/* The measured choice between spinning and sleeping (spin.h). */
#include "respond/spin.h"

#include <string.h>

#define MISSES_MAX 10u

void nr_spin_init(struct nr_spin *s, uint64_t max_ns)
{
	memset(s, 0, sizeof(*s));
	s->max_ns = max_ns;
	s->interval = NR_SPIN_INTERVAL_MIN;
	/* Spinning first: where it loses, it loses less than sleeping does where that loses. */
	s->chosen = s->spin = max_ns != 0;
}

uint64_t nr_spin_budget(struct nr_spin *s)
{
	if (!s->max_ns || !s->spin)
		return 0;
	if (s->skip) {
		s->skip--;
		return 0;
	}
	return s->max_ns;
}

void nr_spin_result(struct nr_spin *s, bool hit)
{
	if (hit) {
		s->stats.hits++;
		s->misses = 0;
		return;
	}
	s->stats.misses++;
	if (s->misses < MISSES_MAX)
		s->misses++;
	s->skip = 1u << s->misses;
}

/* Spinning only when it was measurably faster: it costs a CPU. */
static bool spin_wins(const struct nr_spin *s)
{
	return s->cost[0] && s->cost[1] && s->cost[1] * 10 <= s->cost[0] * 9;
}

/* The tried mode cost at least 4/3 of the chosen one: no need to look again soon. */
static bool clear_loss(const struct nr_spin *s)
{
	uint64_t tried = s->cost[!s->chosen], chosen = s->cost[s->chosen];

	return tried * 3 >= chosen * 4;
}

/* The sliding mean below keeps one window back: it is a mean of two. */
_Static_assert(NR_SPIN_TRY == 2, "account() keeps the last window alone");

/* A window's cost into its mode's mean: false while a try needs more. */
static bool account(struct nr_spin *s, uint64_t cost)
{
	s->sum += cost;
	if (++s->nsum < NR_SPIN_TRY && s->trying)
		return false;
	/* The chosen mode's mean slides: its last two windows. */
	s->cost[s->spin] = s->sum / s->nsum;
	if (s->nsum >= NR_SPIN_TRY) {
		s->sum = cost;
		s->nsum = 1;
	}
	return true;
}

static void set_mode(struct nr_spin *s, bool spin)
{
	if (spin != s->spin) {
		s->sum = 0;
		s->nsum = 0;
	}
	s->spin = spin;
	if (!spin) {
		s->misses = 0;
		s->skip = 0;
	}
}

static void window_done(struct nr_spin *s, uint64_t cost)
{
	s->stats.windows++;
	s->stats.spin_windows += s->spin;
	if (!account(s, cost))
		return; /* the try goes on */
	if (s->trying) {
		bool choice = spin_wins(s);

		s->trying = false;
		s->since = 0;
		if (choice != s->chosen) {
			s->chosen = choice;
			s->stats.switches++;
			s->interval = NR_SPIN_INTERVAL_MIN;
		} else if (s->interval < NR_SPIN_INTERVAL_MAX) {
			s->interval *= clear_loss(s) ? 4 : 2;
			if (s->interval > NR_SPIN_INTERVAL_MAX)
				s->interval = NR_SPIN_INTERVAL_MAX;
		}
	} else if (++s->since >= s->interval) {
		s->trying = true;
	}
	set_mode(s, s->trying ? !s->chosen : s->chosen);
}

void nr_spin_arrival(struct nr_spin *s, uint64_t now)
{
	if (!s->max_ns)
		return;
	if (s->n && now - s->last > NR_SPIN_IDLE_NS)
		s->n = 0; /* a pause: the window would measure the client, not the mode */
	if (!s->n)
		s->t0 = now;
	s->last = now;
	if (++s->n <= NR_SPIN_WINDOW || now - s->t0 < NR_SPIN_WINDOW_NS)
		return;
	/* n arrivals span n - 1 frames' time. */
	window_done(s, (now - s->t0) / (s->n - 1) + 1);
	s->n = 1;
	s->t0 = now;
}
