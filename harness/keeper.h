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

/*
 * Tear down now (no waiting for a signal); frees lab, closes run. Its
 * last line to log is the outcome: "teardown done: ..." or "teardown
 * failed: REASON". When log is the keeper's log (nr_keeper_log_fdopen),
 * that line is written whatever the size cap, and a teardown that
 * succeeded removes the log file: only failures leave a record.
 */
int nr_keeper_teardown(struct nr_run *run, struct nr_lab *lab, unsigned timeout_ms, FILE *log);

/*
 * The keeper's log, RUNDIR/ID.log beside the run's journal: the keeper
 * has no terminal, and a teardown that fails after `netrig down` or a
 * stray signal must leave a record that `down` and `list` can show and a
 * user can read. Bounded: past NR_KEEPER_LOG_MAX bytes further lines are
 * dropped (one marker says so), except the teardown's outcome.
 */
#define NR_KEEPER_LOG_SUFFIX ".log"
#define NR_KEEPER_LOG_MAX (64 * 1024)

/* "DIR/ID.log" (dir NULL = NR_RUN_DIR); -ENAMETOOLONG if it does not fit. */
int nr_keeper_log_path(const char *dir, const char *id, char *buf, size_t cap);

/*
 * A line-buffered stream appending to fd (taken over: fclose closes it)
 * that stops growing at max bytes; path is removed by a successful
 * nr_keeper_teardown on it. One per process (the keeper). NULL on error.
 */
FILE *nr_keeper_log_fdopen(int fd, const char *path, long max);

/* Write one "TIME keeper PID: MESSAGE" line to log (NULL: nothing). */
void nr_keeper_logf(FILE *log, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * The outcome a log records (its last "teardown" line): 1 failed, with the
 * reason in ret_reason; 0 done; -ENODATA none yet (the keeper is alive,
 * or died before it finished); -ENOENT no log (a successful teardown
 * removes it); another negative errno if it cannot be read.
 */
int nr_keeper_log_outcome(const char *path, char *ret_reason, size_t cap);

#endif
