/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * verify's third leg: Scapy 2.5.0 asked the same questions inside the
 * namespace, its answers compared with the kernel's (each divergence named
 * by its cause) and with netrig's model of Scapy (which must agree).
 */
#ifndef NETRIG_VERIFY_SCAPY_CHECK_H
#define NETRIG_VERIFY_SCAPY_CHECK_H

#include "netrig/netns.h"
#include "netrig/stack.h"

#include <jansson.h>
#include <stdio.h>

/*
 * Returns 0 (divergences are reported, not failures), or a negative errno
 * when Scapy could not be run (the message is printed). *ret_model_diff
 * counts probes where netrig's model of Scapy differs from the real one.
 */
int nr_verify_scapy(struct nr_netns *ns, const struct nr_stack *s, unsigned nrandom,
		    unsigned long long seed, unsigned max_report, FILE *out, json_t *jout);

#endif
