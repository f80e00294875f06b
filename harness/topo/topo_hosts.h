/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The emulated hosts of a topology (struct nr_topo_host), running on the
 * TUN/TAP devices a built lab holds (struct nr_lab): one nr_host per
 * entry, with its addresses, holes for the kernel's own addresses, MAC
 * scheme, responders and options, fed from the device in an nr_loop.
 *
 * Two steps, so that `netrig up` can report a failure with the file's
 * position before it forks its keeper, and the keeper (which owns the
 * lab from then on) runs the loop:
 *   nr_topo_hosts_new     builds the hosts (pure: no I/O);
 *   nr_topo_hosts_attach  watches each device in a loop.
 *
 * Several hosts may share a device: each frame read from it is offered
 * to every one of them in file order (their addresses do not overlap, the
 * loader made sure), and what each queues is written back at once.
 * The devices stay the lab's: closing them is nr_lab_free's job, after
 * nr_topo_hosts_free.
 */
#ifndef NETRIG_TOPO_HOSTS_H
#define NETRIG_TOPO_HOSTS_H

#include "loop/loop.h"
#include "topo/topo.h"
#include "topo/topo_apply.h"

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct nr_host;
struct nr_topo_hosts;

struct nr_topo_hosts_stats {
	uint64_t frames_in;  /* read from the devices */
	uint64_t frames_out; /* written to them */
	uint64_t rx_errors;  /* failed reads */
	uint64_t devs_gone;  /* devices deleted under the lab: no longer read */
	uint64_t tx_errors;  /* frames a device refused */
};

/*
 * One nr_host per t->hosts[i], on the lab's device for its link. 0 and
 * *ret (NULL-free even when t has no hosts), -EINVAL with err filled
 * (the entry's position) when a host cannot be built or its device is
 * not in the lab, -ENOMEM.
 */
int nr_topo_hosts_new(const struct nr_topo *t, const struct nr_lab *lab,
		      struct nr_topo_hosts **ret, struct nr_topo_error *err);
/* Stops watching (if attached) and frees the hosts; the devices stay. NULL is fine. */
void nr_topo_hosts_free(struct nr_topo_hosts *h);

size_t nr_topo_hosts_count(const struct nr_topo_hosts *h);
/* The i-th host, in file order (for counters and tests). */
struct nr_host *nr_topo_hosts_at(struct nr_topo_hosts *h, size_t i);
const struct nr_topo_hosts_stats *nr_topo_hosts_stats(const struct nr_topo_hosts *h);

/*
 * Watch every device that carries a host in loop (its fd is made
 * non-blocking). The loop must outlive the attachment (free the hosts
 * first). -EBUSY when already attached.
 */
int nr_topo_hosts_attach(struct nr_topo_hosts *h, struct nr_loop *loop);

/*
 * The keeper's wait with hosts: block-free loop until one of the signals
 * of set arrives (they are blocked by the caller already; pending ones
 * are seen at once). Returns the signal number, or a negative errno when
 * the loop could not run.
 */
int nr_topo_hosts_serve(struct nr_topo_hosts *h, const sigset_t *set);

/* Per host: its addresses, then counters (frames, replies, drops by reason). */
void nr_topo_hosts_print_counters(struct nr_topo_hosts *h, FILE *f);

#endif
