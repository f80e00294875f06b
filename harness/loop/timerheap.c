/* SPDX-License-Identifier: BSD-2-Clause */
#include "loop/timerheap.h"

#include <errno.h>
#include <stdlib.h>

static bool before(const struct nr_timerheap_node *a, const struct nr_timerheap_node *b)
{
	if (a->deadline != b->deadline)
		return a->deadline < b->deadline;
	return a->seq < b->seq;
}

static void place(struct nr_timerheap *h, size_t i, struct nr_timerheap_node *node)
{
	h->v[i] = node;
	node->idx = i;
}

static void sift_up(struct nr_timerheap *h, size_t i)
{
	struct nr_timerheap_node *node = h->v[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (!before(node, h->v[parent]))
			break;
		place(h, i, h->v[parent]);
		i = parent;
	}
	place(h, i, node);
}

static void sift_down(struct nr_timerheap *h, size_t i)
{
	struct nr_timerheap_node *node = h->v[i];

	for (;;) {
		size_t child = 2 * i + 1;

		if (child >= h->n)
			break;
		if (child + 1 < h->n && before(h->v[child + 1], h->v[child]))
			child++;
		if (!before(h->v[child], node))
			break;
		place(h, i, h->v[child]);
		i = child;
	}
	place(h, i, node);
}

void nr_timerheap_init(struct nr_timerheap *h)
{
	h->v = NULL;
	h->n = 0;
	h->cap = 0;
	h->next_seq = 0;
}

void nr_timerheap_done(struct nr_timerheap *h)
{
	for (size_t i = 0; i < h->n; i++)
		h->v[i]->idx = NR_TIMERHEAP_NONE;
	free(h->v);
	nr_timerheap_init(h);
}

void nr_timerheap_node_init(struct nr_timerheap_node *node)
{
	node->deadline = 0;
	node->seq = 0;
	node->idx = NR_TIMERHEAP_NONE;
}

bool nr_timerheap_node_queued(const struct nr_timerheap_node *node)
{
	return node->idx != NR_TIMERHEAP_NONE;
}

int nr_timerheap_set(struct nr_timerheap *h, struct nr_timerheap_node *node, uint64_t deadline)
{
	if (node->idx == NR_TIMERHEAP_NONE) {
		if (h->n == h->cap) {
			size_t cap = h->cap ? h->cap * 2 : 16;
			struct nr_timerheap_node **v = realloc(h->v, cap * sizeof(*v));

			if (!v)
				return -ENOMEM;
			h->v = v;
			h->cap = cap;
		}
		node->deadline = deadline;
		node->seq = h->next_seq++;
		place(h, h->n++, node);
		sift_up(h, node->idx);
		return 0;
	}
	node->deadline = deadline;
	node->seq = h->next_seq++;
	/* A later key can only move down, an earlier one only up. */
	sift_up(h, node->idx);
	sift_down(h, node->idx);
	return 0;
}

bool nr_timerheap_remove(struct nr_timerheap *h, struct nr_timerheap_node *node)
{
	size_t i = node->idx;
	struct nr_timerheap_node *last;

	if (i == NR_TIMERHEAP_NONE || i >= h->n || h->v[i] != node)
		return false;
	node->idx = NR_TIMERHEAP_NONE;
	last = h->v[--h->n];
	if (last != node) {
		place(h, i, last);
		sift_up(h, i);
		sift_down(h, last->idx);
	}
	return true;
}

struct nr_timerheap_node *nr_timerheap_peek(const struct nr_timerheap *h)
{
	return h->n ? h->v[0] : NULL;
}

struct nr_timerheap_node *nr_timerheap_pop(struct nr_timerheap *h)
{
	struct nr_timerheap_node *top = nr_timerheap_peek(h);

	if (top)
		nr_timerheap_remove(h, top);
	return top;
}

size_t nr_timerheap_size(const struct nr_timerheap *h)
{
	return h->n;
}

bool nr_timerheap_check(const struct nr_timerheap *h)
{
	for (size_t i = 0; i < h->n; i++) {
		if (h->v[i]->idx != i)
			return false;
		if (i > 0 && before(h->v[i], h->v[(i - 1) / 2]))
			return false;
	}
	return true;
}
