/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The process that keeps a lab: it holds the run's journal lock and the
 * TUN/TAP fds, waits for SIGTERM, SIGINT or SIGHUP (blocked by the caller
 * beforehand, so none is lost), then tears the run down in order: TUN/TAP
 * closed, namespaces deleted and waited for, journal removed.
 */
#ifndef NETRIG_KEEPER_H
#define NETRIG_KEEPER_H

#include "topo/topo_apply.h"

#include "netrig/run.h"

#include <signal.h>
#include <stdio.h>

/* The signals that end a lab. */
void nr_keeper_sigset(sigset_t *set);

/* Wait for one of them (already blocked), then tear down. Returns the
 * signal number, or a negative errno if the teardown failed (report to
 * log when not NULL). Frees lab and closes run. */
int nr_keeper_serve(struct nr_run *run, struct nr_lab *lab, unsigned timeout_ms, FILE *log);

struct nr_topo_hosts;

/* As nr_keeper_serve, with the lab's emulated hosts (topo/topo_hosts.h)
 * answering on its devices until the signal; hosts (NULL: none) is freed
 * before the lab, whose devices it borrows. Counters go to log. */
int nr_keeper_serve_hosts(struct nr_run *run, struct nr_lab *lab, struct nr_topo_hosts *hosts,
			  unsigned timeout_ms, FILE *log);

/* Tear down now (no waiting for a signal); frees lab, closes run. */
int nr_keeper_teardown(struct nr_run *run, struct nr_lab *lab, unsigned timeout_ms, FILE *log);

#endif
