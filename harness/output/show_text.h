/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Human tables for `netrig show`: Scapy's columns in Scapy's order
 * (conf.ifaces, conf.route, conf.route6), then netrig's own columns.
 * Unlike Scapy: addresses sort numerically, nothing is cropped, no line
 * ends in spaces, reject routes show their type and no interface, and
 * ECMP routes take one row per nexthop.
 */
#ifndef NETRIG_OUTPUT_SHOW_TEXT_H
#define NETRIG_OUTPUT_SHOW_TEXT_H

#include "output/view.h"

#include <stdint.h>
#include <stdio.h>

/* Source Index Name MAC IPv4 IPv6 | State MTU Kind Flags */
int nr_print_ifaces(FILE *f, const struct nr_view *v);
/* Network Netmask Gateway Iface Output-IP Metric | Type Table Proto Scope Flags */
int nr_print_routes4(FILE *f, const struct nr_view *v);
/* Destination Next-Hop Iface Src-candidates Metric | Type Table Proto Pref Flags */
int nr_print_routes6(FILE *f, const struct nr_view *v);
/* One line per rule, as `ip rule` prints it ("0:\tfrom all lookup local"). */
int nr_print_rules(FILE *f, const struct nr_view *v);

/* One line per neighbour, as `ip neigh` prints it, state last. */
int nr_print_neigh(FILE *f, const struct nr_view *v);

/* The rule's text after "PRIO:\t" into buf; returns buf. */
char *nr_rule_format(const struct nr_view *v, const struct nr_rule *r, char *buf, size_t cap);

/*
 * The source a route's Output IP column shows: prefsrc, else the first
 * primary IPv4 address of the nexthop's device on the gateway's (or the
 * destination's) subnet, else its first primary; AF_UNSPEC when none.
 */
void nr_route_output_ip(const struct nr_view *v, const struct nr_route *r,
			const struct nr_nexthop *nh, struct nr_addr *ret);

/*
 * Interface flag names in iproute2's order and spelling (print_link_flags):
 * RUNNING is not listed, NO-CARRIER stands for UP without RUNNING, unnamed
 * bits come last as one hex number (written to hex). Returns the count
 * (at most 20 names fill names[]).
 */
#define NR_IFF_NAMES_MAX 20
size_t nr_iff_names(uint32_t flags, const char *names[NR_IFF_NAMES_MAX], char hex[12]);

/* Sort routes for display: destination numerically, then length, table, metric. */
int nr_routes_sort(const struct nr_route **routes, size_t n); /* -ENOMEM */

#endif
