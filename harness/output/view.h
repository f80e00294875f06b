/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the printers read: plain arrays of pointers into a stack's tables
 * (or into hand-built values, in the tests). The printers never walk a
 * stack themselves, so they are golden-tested without one.
 */
#ifndef NETRIG_OUTPUT_VIEW_H
#define NETRIG_OUTPUT_VIEW_H

#include "netrig/iface.h"
#include "netrig/neigh.h"
#include "netrig/route.h"
#include "netrig/stack.h"

#include <stddef.h>

struct nr_view {
	const struct nr_iface *const *ifaces; /* ascending index */
	size_t nifaces;
	const struct nr_route *const *routes; /* one family, any order */
	size_t nroutes;
	const struct nr_rule *const *rules; /* priority order */
	size_t nrules;
	const struct nr_neigh_entry *const *neigh; /* any family, table order */
	size_t nneigh;
};

const struct nr_iface *nr_view_iface(const struct nr_view *v, int index);
/* The interface's name, or its index as a number when unknown. */
const char *nr_view_ifname(const struct nr_view *v, int index, char *buf, size_t cap);

/*
 * Fill v from s: interfaces and neighbours always; routes and rules of
 * `family` when family is AF_INET or AF_INET6. The arrays are allocated
 * and point into s (valid while s is unchanged). -ENOMEM.
 */
int nr_view_from_stack(struct nr_view *v, const struct nr_stack *s, int family);
void nr_view_done(struct nr_view *v);

#endif
