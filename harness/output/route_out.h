/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Printers for route decisions (`netrig route get`): the text ip route
 * get prints, and one JSON object per destination (DESIGN.md: dst, type
 * when not unicast, table, dev, gateway when not on-link, prefsrc).
 */
#ifndef NETRIG_OUTPUT_ROUTE_OUT_H
#define NETRIG_OUTPUT_ROUTE_OUT_H

#include "output/jsonl.h"
#include "output/view.h"

#include <stdbool.h>
#include <stdio.h>

/* The kernel would not send to this destination (error, or a reject type). */
bool nr_route_result_refused(const struct nr_route_result *r);

/*
 * One line, as `ip route get` prints it:
 *   "198.51.100.7 via 198.51.100.254 dev eth0 table main src 198.51.100.1"
 *   "local 198.51.100.1 dev lo table local src 198.51.100.1"
 *   "unreachable 203.0.113.120 table main: No route to host"
 *   "unreachable 192.0.2.9: no route"
 * q gives the destination and the selectors echoed back (from, iif).
 */
void nr_print_route_result(FILE *f, const struct nr_view *v, const struct nr_route_query *q,
			   const struct nr_route_result *r);

/*
 * One JSON object on its own line. table is a name ("main", "local",
 * "default") or the number as a string. A refused destination carries
 * its type; no route at all is "type":"unreachable","error":"no route".
 */
void nr_jsonl_route_result(struct nr_jsonl *w, const struct nr_view *v,
			   const struct nr_route_query *q, const struct nr_route_result *r);

/* Scapy's answer: "('eth0', '198.51.100.1', '198.51.100.254')" / ["eth0",...]. */
void nr_print_scapy_tuple(FILE *f, const char *iface, const char *src, const char *gw);
void nr_jsonl_scapy(struct nr_jsonl *w, const struct nr_addr *dst, const char *iface,
		    const char *src, const char *gw);

#endif
