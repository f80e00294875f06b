/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Building a loaded topology in the kernel, tagged with a run: one
 * namespace per node ("nr-<id>-<node>", journaled before it exists),
 * links, interface settings, addresses, routes, rules, neighbours and
 * sysctls, through netns/kbuild.h in batches. TUN/TAP devices are held
 * open by the returned lab. Any refusal names the element that failed as
 * FILE:LINE:COL, and everything already made is torn down.
 */
#ifndef NETRIG_TOPO_APPLY_H
#define NETRIG_TOPO_APPLY_H

#include "topo/topo.h"

#include "netrig/kbuild.h"
#include "netrig/run.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nr_topo_apply_opts {
	/* Polled between phases (signals during setup); true = stop, tear
	 * down, return -EINTR. NULL = never. */
	bool (*cancelled)(void *arg);
	void *arg;
	unsigned teardown_timeout_ms; /* 0: 10 s */
};

/* What a built topology holds on to: the TUN/TAP fds (the devices die
 * with them unless persistent). */
struct nr_lab {
	size_t ntuntap;
	struct nr_tuntap **tuntap;
	int *tuntap_node;        /* index into the topology's nodes */
	uint64_t setup_ns;       /* time spent building */
};

/*
 * Build t under run. 0 and *ret, or a negative errno with err filled:
 * the element's position and the kernel's reason ("lab.yaml:14:7: route:
 * RTM_NEWROUTE: Nexthop has invalid gateway"); by then the run's
 * namespaces are gone again and its journal removed.
 */
int nr_topo_apply(const struct nr_topo *t, struct nr_run *run, const struct nr_topo_apply_opts *o,
		  struct nr_lab **ret, struct nr_topo_error *err);
/* Close the TUN/TAP fds and free. The namespaces stay (nr_run_teardown). */
void nr_lab_free(struct nr_lab *lab);

#endif
