/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The probe set of `netrig verify`: destinations (and a few source/mark
 * variants) chosen so that every route and rule of a stack is exercised.
 */
#ifndef NETRIG_VERIFY_PROBES_H
#define NETRIG_VERIFY_PROBES_H

#include "netrig/stack.h"

#include <stddef.h>
#include <stdint.h>

struct nr_probe_set {
	struct nr_route_query *q;
	size_t n, cap;
};

/*
 * For one family: the first, last and middle address of every route's
 * prefix in every table, the special addresses (unspecified, broadcast,
 * multicast, loopback, every local address and its subnet's ends, every
 * gateway), nrandom seeded random destinations (half inside the stack's
 * prefixes, half anywhere), and, for rules that select on a source or a
 * mark, the same destinations again with such a source or mark. Sorted,
 * without duplicates. Returns 0 or -ENOMEM.
 */
int nr_probes_build(const struct nr_stack *s, int family, unsigned nrandom, uint64_t seed,
		    struct nr_probe_set *ret);
void nr_probes_done(struct nr_probe_set *p);

#endif
