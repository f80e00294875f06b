/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A binary min-heap of deadlines. Nodes live in the caller's storage
 * (embedded in a timer) and remember their slot, so cancelling or
 * re-arming one is O(log n) without a search. Equal deadlines come out
 * in the order they were (re-)armed: each insertion takes a sequence
 * number that breaks ties.
 */
#ifndef NETRIG_LOOP_TIMERHEAP_H
#define NETRIG_LOOP_TIMERHEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NR_TIMERHEAP_NONE SIZE_MAX

struct nr_timerheap_node {
	uint64_t deadline;
	uint64_t seq; /* tie-break: arming order */
	size_t idx;   /* slot in the heap, NR_TIMERHEAP_NONE when not queued */
};

struct nr_timerheap {
	struct nr_timerheap_node **v;
	size_t n, cap;
	uint64_t next_seq;
};

void nr_timerheap_init(struct nr_timerheap *h);
/* Frees the array; the nodes are the caller's and are marked unqueued. */
void nr_timerheap_done(struct nr_timerheap *h);

void nr_timerheap_node_init(struct nr_timerheap_node *node);
bool nr_timerheap_node_queued(const struct nr_timerheap_node *node);

/*
 * Queue node at deadline, or move it there if already queued (it then
 * goes after the nodes already waiting for the same deadline).
 * -ENOMEM only when a new node needs the array to grow.
 */
int nr_timerheap_set(struct nr_timerheap *h, struct nr_timerheap_node *node, uint64_t deadline);
/* Take node out; false if it was not queued (in this or any heap). */
bool nr_timerheap_remove(struct nr_timerheap *h, struct nr_timerheap_node *node);
/* The earliest node, or NULL when empty. */
struct nr_timerheap_node *nr_timerheap_peek(const struct nr_timerheap *h);
/* Remove and return the earliest node, or NULL. */
struct nr_timerheap_node *nr_timerheap_pop(struct nr_timerheap *h);
size_t nr_timerheap_size(const struct nr_timerheap *h);
/* Heap order holds and every node knows its slot (for tests). */
bool nr_timerheap_check(const struct nr_timerheap *h);

#endif
