/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Routes, policy rules and static neighbours written the way `ip route
 * add`, `ip rule add` and `ip neigh add` take them, parsed into the
 * topology's values. An error says which word is wrong and where it
 * starts in the string (a byte offset), so the loader can put the caret
 * under it. Defaults follow iproute2 (table main, or local for local,
 * broadcast and anycast routes; protocol boot; scope from the type and
 * gateway) so a route reads the same here as on the command line.
 */
#ifndef NETRIG_TOPO_IPROUTE_PARSE_H
#define NETRIG_TOPO_IPROUTE_PARSE_H

#include "topo/topo.h"

#include <stdbool.h>
#include <stddef.h>

struct nr_ipp_err {
	size_t off; /* byte offset of the offending word in the string */
	char msg[200];
};

/* Interfaces a string may name (dev, iif, oif): the node's. */
struct nr_ipp_ctx {
	const char *node; /* for messages */
	bool (*has_dev)(void *arg, const char *ifname);
	void *arg;
};

/* Why name is not a usable interface name, or NULL if it is. */
const char *nr_ipp_ifname_problem(const char *name);

/*
 * An address ("198.51.100.1", host prefix) or "ADDR/LEN". family
 * AF_UNSPEC accepts both. host_bits: keep bits past LEN (an interface
 * address) instead of refusing them (a route's destination). Errors name
 * the part that is wrong: the address, or the length (err->off at it).
 */
int nr_ipp_prefix(const char *s, int family, bool host_bits, struct nr_prefix *ret,
		  struct nr_ipp_err *err);

/*
 * Fill ret->r, ret->nh (malloc'd, ret->nnh entries; 0 for reject and
 * throw routes) and leave ret->node and ret->pos to the caller.
 * ret->r.nh / nh_count are left NULL / 0. -EINVAL with err, -ENOMEM.
 */
int nr_ipp_route(const char *s, const struct nr_ipp_ctx *ctx, struct nr_topo_route *ret,
		 struct nr_ipp_err *err);
int nr_ipp_rule(const char *s, const struct nr_ipp_ctx *ctx, struct nr_topo_rule *ret,
		struct nr_ipp_err *err);
int nr_ipp_neigh(const char *s, const struct nr_ipp_ctx *ctx, struct nr_topo_neigh *ret,
		 struct nr_ipp_err *err);

#endif
