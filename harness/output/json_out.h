/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * `netrig show --json`: arrays of objects with iproute2's key names
 * (ip -j link/addr/route/rule/neigh), built with jansson. Text that is
 * not valid UTF-8 (interface names are bytes) is sanitized first.
 */
#ifndef NETRIG_OUTPUT_JSON_OUT_H
#define NETRIG_OUTPUT_JSON_OUT_H

#include "output/view.h"

#include <jansson.h>
#include <stdio.h>

/* ifindex ifname flags[] mtu operstate link_type kind address broadcast addr_info[] */
json_t *nr_json_ifaces(const struct nr_view *v);
/*
 * Routes of one family, in the order the text table shows them:
 * dst ("default", "PREFIX/LEN", or a bare address for a host route) type
 * table dev gateway prefsrc metric protocol scope flags[] (and pref for
 * IPv6); ECMP routes carry nexthops[] of {gateway dev weight flags[]}
 * instead of dev and gateway. Reject routes have no dev.
 */
json_t *nr_json_routes(const struct nr_view *v, int family);
/* priority src srclen dst dstlen tos fwmark fwmask iif oif table | action target */
json_t *nr_json_rules(const struct nr_view *v, int family);
/* dst dev lladdr router state[] */
json_t *nr_json_neigh(const struct nr_view *v);

/* Compact, one line, newline-terminated; steals nothing. -EIO. */
int nr_json_print(FILE *f, const json_t *j);

#endif
