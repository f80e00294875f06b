/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Timer heap: order (ties in arming order), cancel and re-arm anywhere in
 * the heap, checked against a naive oracle (linear scan for the minimum)
 * over seeded random operations.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "loop/timerheap.h"

static void test_order_and_ties(void **state)
{
	struct nr_timerheap h;
	struct nr_timerheap_node n[6];
	/* Deadlines given out of order; 20 three times, in arming order a, b, c. */
	const uint64_t deadline[6] = {50, 20, 10, 20, 40, 20};
	const size_t expect[6] = {2, 1, 3, 5, 4, 0};

	(void)state;
	nr_timerheap_init(&h);
	assert_null(nr_timerheap_peek(&h));
	assert_null(nr_timerheap_pop(&h));
	for (size_t i = 0; i < 6; i++) {
		nr_timerheap_node_init(&n[i]);
		assert_false(nr_timerheap_node_queued(&n[i]));
		assert_int_equal(nr_timerheap_set(&h, &n[i], deadline[i]), 0);
		assert_true(nr_timerheap_node_queued(&n[i]));
		assert_true(nr_timerheap_check(&h));
	}
	assert_int_equal(nr_timerheap_size(&h), 6);
	assert_ptr_equal(nr_timerheap_peek(&h), &n[2]);
	for (size_t i = 0; i < 6; i++) {
		struct nr_timerheap_node *top = nr_timerheap_pop(&h);

		assert_ptr_equal(top, &n[expect[i]]);
		assert_false(nr_timerheap_node_queued(top));
		assert_true(nr_timerheap_check(&h));
	}
	assert_int_equal(nr_timerheap_size(&h), 0);
	nr_timerheap_done(&h);
}

static void test_cancel_and_rearm(void **state)
{
	struct nr_timerheap h;
	struct nr_timerheap_node a, b, c, d;

	(void)state;
	nr_timerheap_init(&h);
	nr_timerheap_node_init(&a);
	nr_timerheap_node_init(&b);
	nr_timerheap_node_init(&c);
	nr_timerheap_node_init(&d);
	/* Removing what is not queued is refused and changes nothing. */
	assert_false(nr_timerheap_remove(&h, &a));
	assert_int_equal(nr_timerheap_set(&h, &a, 100), 0);
	assert_int_equal(nr_timerheap_set(&h, &b, 200), 0);
	assert_int_equal(nr_timerheap_set(&h, &c, 300), 0);
	assert_int_equal(nr_timerheap_set(&h, &d, 400), 0);
	/* Cancel from the middle. */
	assert_true(nr_timerheap_remove(&h, &b));
	assert_false(nr_timerheap_remove(&h, &b));
	assert_false(nr_timerheap_node_queued(&b));
	assert_true(nr_timerheap_check(&h));
	assert_int_equal(nr_timerheap_size(&h), 3);
	/* Re-arm later: a moves behind d. */
	assert_int_equal(nr_timerheap_set(&h, &a, 500), 0);
	assert_int_equal(a.deadline, 500);
	assert_true(nr_timerheap_check(&h));
	assert_int_equal(nr_timerheap_size(&h), 3);
	assert_ptr_equal(nr_timerheap_peek(&h), &c);
	/* Re-arm earlier: d moves to the front. */
	assert_int_equal(nr_timerheap_set(&h, &d, 1), 0);
	assert_ptr_equal(nr_timerheap_peek(&h), &d);
	/* Re-arm to the same deadline as another: goes after it. */
	assert_int_equal(nr_timerheap_set(&h, &c, 500), 0);
	assert_ptr_equal(nr_timerheap_pop(&h), &d);
	assert_ptr_equal(nr_timerheap_pop(&h), &a);
	assert_ptr_equal(nr_timerheap_pop(&h), &c);
	assert_null(nr_timerheap_pop(&h));
	/* done() leaves queued nodes marked unqueued. */
	assert_int_equal(nr_timerheap_set(&h, &a, 7), 0);
	nr_timerheap_done(&h);
	assert_false(nr_timerheap_node_queued(&a));
}

/* A node that belongs to another heap is not removed from this one. */
static void test_foreign_node(void **state)
{
	struct nr_timerheap h1, h2;
	struct nr_timerheap_node a, b;

	(void)state;
	nr_timerheap_init(&h1);
	nr_timerheap_init(&h2);
	nr_timerheap_node_init(&a);
	nr_timerheap_node_init(&b);
	assert_int_equal(nr_timerheap_set(&h1, &a, 1), 0);
	assert_int_equal(nr_timerheap_set(&h2, &b, 2), 0);
	assert_false(nr_timerheap_remove(&h1, &b));
	assert_int_equal(nr_timerheap_size(&h1), 1);
	assert_true(nr_timerheap_remove(&h2, &b));
	nr_timerheap_done(&h1);
	nr_timerheap_done(&h2);
}

#define N 300

/* Oracle: the queued node with the smallest (deadline, seq), by scan. */
static struct nr_timerheap_node *oracle_min(struct nr_timerheap_node *n, const bool *queued)
{
	struct nr_timerheap_node *best = NULL;

	for (size_t i = 0; i < N; i++) {
		if (!queued[i])
			continue;
		if (!best || n[i].deadline < best->deadline ||
		    (n[i].deadline == best->deadline && n[i].seq < best->seq))
			best = &n[i];
	}
	return best;
}

static void test_random_against_oracle(void **state)
{
	static struct nr_timerheap_node n[N];
	bool queued[N] = {0};
	struct nr_timerheap h;
	size_t count = 0;
	unsigned seed = 12345;

	(void)state;
	nr_timerheap_init(&h);
	for (size_t i = 0; i < N; i++)
		nr_timerheap_node_init(&n[i]);
	for (int step = 0; step < 20000; step++) {
		size_t i = (size_t)rand_r(&seed) % N;
		int op = rand_r(&seed) % 4;
		/* A small range of deadlines makes many ties. */
		uint64_t d = (uint64_t)(rand_r(&seed) % 64);

		if (op <= 1) { /* arm or re-arm */
			assert_int_equal(nr_timerheap_set(&h, &n[i], d), 0);
			if (!queued[i])
				count++;
			queued[i] = true;
		} else if (op == 2) { /* cancel */
			assert_int_equal(nr_timerheap_remove(&h, &n[i]), queued[i]);
			if (queued[i])
				count--;
			queued[i] = false;
		} else { /* pop */
			struct nr_timerheap_node *want = oracle_min(n, queued);
			struct nr_timerheap_node *got = nr_timerheap_pop(&h);

			assert_ptr_equal(got, want);
			if (got) {
				queued[got - n] = false;
				count--;
			}
		}
		assert_int_equal(nr_timerheap_size(&h), count);
		assert_ptr_equal(nr_timerheap_peek(&h), oracle_min(n, queued));
		for (size_t k = 0; k < N; k++)
			assert_int_equal(nr_timerheap_node_queued(&n[k]), queued[k]);
	}
	assert_true(nr_timerheap_check(&h));
	nr_timerheap_done(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_and_ties),
		cmocka_unit_test(test_cancel_and_rearm),
		cmocka_unit_test(test_foreign_node),
		cmocka_unit_test(test_random_against_oracle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
