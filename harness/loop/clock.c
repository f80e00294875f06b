/* SPDX-License-Identifier: BSD-2-Clause */
#include "loop/clock.h"

#include <stdatomic.h>
#include <stddef.h>
#include <time.h>

/* Counted so fake-clock tests can prove the real clocks were left alone. */
static atomic_uint_fast64_t real_reads;

static uint64_t read_clock(clockid_t id)
{
	struct timespec ts;

	atomic_fetch_add_explicit(&real_reads, 1, memory_order_relaxed);
	/* CLOCK_MONOTONIC and CLOCK_REALTIME cannot fail with a valid pointer. */
	(void)clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * NR_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

static uint64_t monotonic_now(struct nr_clock *c)
{
	(void)c;
	return read_clock(CLOCK_MONOTONIC);
}

static uint64_t wall_now(struct nr_clock *c)
{
	(void)c;
	return read_clock(CLOCK_REALTIME);
}

static struct nr_clock monotonic_clock = {
	.now_ns = monotonic_now,
	.advance_to = NULL,
	.clockid = CLOCK_MONOTONIC,
};

static struct nr_clock wall_clock = {
	.now_ns = wall_now,
	.advance_to = NULL,
	.clockid = CLOCK_REALTIME,
};

struct nr_clock *nr_clock_monotonic(void)
{
	return &monotonic_clock;
}

struct nr_clock *nr_clock_wall(void)
{
	return &wall_clock;
}

uint64_t nr_clock_real_reads(void)
{
	return (uint64_t)atomic_load_explicit(&real_reads, memory_order_relaxed);
}

static uint64_t fake_now(struct nr_clock *c)
{
	struct nr_fake_clock *f = (struct nr_fake_clock *)c;

	f->reads++;
	return f->now;
}

static void fake_advance_to(struct nr_clock *c, uint64_t t_ns)
{
	struct nr_fake_clock *f = (struct nr_fake_clock *)c;

	if (t_ns > f->now) {
		f->now = t_ns;
		f->advances++;
	}
}

void nr_fake_clock_init(struct nr_fake_clock *f, uint64_t start_ns)
{
	f->clock.now_ns = fake_now;
	f->clock.advance_to = fake_advance_to;
	f->clock.clockid = -1;
	f->now = start_ns;
	f->reads = 0;
	f->advances = 0;
}

void nr_fake_clock_advance(struct nr_fake_clock *f, uint64_t delta_ns)
{
	fake_advance_to(&f->clock, f->now + delta_ns);
}
