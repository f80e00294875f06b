/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * netrig's Scapy model checked against the real Scapy 2.5.0 (and the
 * kernel) inside one namespace; used by the netns test and usable by
 * `netrig verify`.
 */
#ifndef NETRIG_SCAPY_COMPARE_H
#define NETRIG_SCAPY_COMPARE_H

#include "netrig/netns.h"
#include "scapy/scapy_model.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The kernel's answer (RTM_GETROUTE) in the classifier's terms. */
void nr_scapy_kernel_view(const struct nr_iface_table *t, const struct nr_kroute_answer *ka,
			  struct nr_scapy_kernel *k);

struct nr_scapy_compare_stats {
	unsigned asked4, asked6;  /* destinations answered by both */
	unsigned list_diffs;      /* conf.route/route6 entries, conf.iface, printed tables */
	unsigned answer_diffs;    /* model tuple != Scapy tuple */
	unsigned kernel_diffs;    /* Scapy != kernel (with_kernel), each named on out */
	unsigned unexplained;     /* ... of which no known cause fits */
};

/*
 * Load namespace nsname (NULL: the caller's own), build the model, ask the
 * real Scapy the destinations in order through the bridge, and print every
 * difference to out. 0 with *ret filled, or a negative errno when a side
 * could not be run (the reason printed on out; -ENOENT/-ENOPKG when
 * python3 or Scapy is missing).
 */
int nr_scapy_compare_netns(const char *nsname, const char *const *dsts, size_t n, bool with_kernel,
			   FILE *out, struct nr_scapy_compare_stats *ret);

#endif
