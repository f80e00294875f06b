/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The IPv6 route decision (ip6_route_output + fib6_rule_lookup +
 * ipv6_dev_get_saddr).
 *
 * PLACEHOLDER: another engineer implements the IPv6 engine in this file.
 * It is meant to reuse route_get.h: nr_rules_lookup() for the rule walk
 * (goto, nop, throw and suppress_* fall-through are done there),
 * nr_rtset_get()/nr_rtable_matches() for the per-table lookup, and
 * nr_nexthop_dead() for nexthop usability. Until then every IPv6 query
 * answers -EAFNOSUPPORT and leaves ret untouched.
 */
#include "route_get.h"

#include <errno.h>

int nr_route_get6(const struct nr_stack *s, const struct nr_route_query *q,
		  struct nr_route_result *ret)
{
	(void)s;
	(void)q;
	(void)ret;
	return -EAFNOSUPPORT;
}
