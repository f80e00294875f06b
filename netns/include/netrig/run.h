/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The lifecycle of a run: a short random id that tags every object
 * ("nr-<id>-<node>" namespaces, links' group and alias), a journal under
 * /run/netrig written before each object is made, bulk teardown that waits
 * for the kernel's asynchronous namespace cleanup by netlink events, and
 * `clean` for what dead runs left behind.
 *
 * Liveness is the journal's flock: the run's owner (the `up` process, then
 * the keeper it forks, which inherits the open file description) holds
 * LOCK_EX on its journal for as long as the run lives. The kernel drops the
 * lock when the last holder dies, whatever killed it, and a reused pid
 * cannot hold it, so "dead" means "the lock can be taken". The owner's pid
 * and start time (/proc/PID/stat) are recorded too, so `down` can signal
 * the right process and `list` can show it.
 *
 * Journal, /run/netrig/<id>.run, one "key value" per line, append-only:
 *   netrig-run 1
 *   id k3x9qa
 *   name two-hosts
 *   topo /home/u/lab.yaml
 *   persistent 1
 *   created 1718000000
 *   owner 4242 183456        (pid, start time in clock ticks; last one wins)
 *   ns nr-k3x9qa-h1          (written and fsync'd before it is created)
 *   obj h1 veth eth0         (informative: what list shows)
 */
#ifndef NETRIG_RUN_H
#define NETRIG_RUN_H

#include "netrig/netns.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define NR_RUN_ID_LEN 6 /* base32 [a-z2-7]: 30 random bits */
#define NR_RUN_DIR "/run/netrig"
#define NR_RUN_NS_PREFIX "nr-"
/* Namespace names: "nr-" + id + "-" + node (node names <= 31 chars). */
#define NR_RUN_NSNAME_MAX 48

/* A fresh id from getrandom(). */
int nr_run_id_new(char ret[NR_RUN_ID_LEN + 1]);
bool nr_run_id_valid(const char *s);
/* "nr-<id>-<node>"; -ENAMETOOLONG if it does not fit cap. */
int nr_run_ns_name(const char *id, const char *node, char *buf, size_t cap);
/* The id of a namespace named "nr-<id>-<something>", or -EINVAL. */
int nr_run_ns_parse(const char *nsname, char ret_id[NR_RUN_ID_LEN + 1]);
/* The IFLA_GROUP value that tags a run's links (never 0, the default group). */
uint32_t nr_run_group(const char *id);

/* An open, locked journal (this process or an ancestor made it). */
struct nr_run;

/*
 * Start a run: pick an id no journal or namespace uses, write the journal
 * header (owner = the calling process) under a temporary name, lock it,
 * fsync, and rename it into place, so a journal is never seen unlocked
 * and empty. dir NULL = NR_RUN_DIR (tests use their own).
 */
int nr_run_create(const char *dir, const char *topo_path, const char *topo_name, bool persistent,
		  struct nr_run **ret, struct nr_os_error *err);
/*
 * Take over an existing run whose owner is dead (lock taken without
 * waiting): -EBUSY while its owner lives, -ENOENT without a journal.
 */
int nr_run_adopt(const char *dir, const char *id, struct nr_run **ret, struct nr_os_error *err);
/* Closes the journal fd (the lock stays with any process sharing it). */
void nr_run_close(struct nr_run *run);

const char *nr_run_id(const struct nr_run *run);
const char *nr_run_dir(const struct nr_run *run);

/* Record namespaces about to be created; fsync'd before returning. */
int nr_run_add_ns(struct nr_run *run, const char *const *names, size_t n, struct nr_os_error *err);
/* Record an object for `list` (not needed for teardown, not fsync'd). */
int nr_run_note(struct nr_run *run, const char *node, const char *kind, const char *name);
/* Record pid as the owner from now on (the keeper, after fork). */
int nr_run_set_owner(struct nr_run *run, pid_t pid, struct nr_os_error *err);

struct nr_run_teardown_stats {
	size_t ns_deleted;   /* namespaces that existed and were deleted */
	size_t procs_killed; /* processes still inside them (SIGKILL) */
	uint64_t ns_delete_ns, wait_ns; /* time deleting, then waiting for the kernel */
	bool witnessed;      /* the wait ended on the witness veth, no barrier needed */
};

/*
 * Tear a run down in bulk: kill what still runs inside its namespaces,
 * give each an nsid in a private helper namespace, delete them all, and
 * wait (netlink RTM_DELNSID events and a witness veth's RTM_DELLINK, or
 * then a barrier namespace, see run.c) until
 * the kernel has destroyed their devices, at most timeout_ms. Then the
 * journal is removed. Callers must first close every fd that pins one of
 * the namespaces (TUN/TAP, sockets, nr_netns handles). On failure the
 * journal stays, for `clean`. stats may be NULL.
 */
int nr_run_teardown(struct nr_run *run, unsigned timeout_ms, struct nr_run_teardown_stats *stats,
		    struct nr_os_error *err);

/*
 * Delete named namespaces and wait until their devices are gone: the
 * mechanism under nr_run_teardown, exposed for `clean`'s orphans and for
 * benchmarks. Names that do not exist are skipped (not counted).
 */
int nr_run_delete_ns(const char *const *names, size_t n, unsigned timeout_ms,
		     struct nr_run_teardown_stats *stats, struct nr_os_error *err);

/*
 * The waiting part alone, for namespaces someone else deletes (benchmarks
 * of other tools): fds are open namespace fds (open("/run/netns/X")) taken
 * before the names went; they are closed here, then the kernel's
 * destruction is awaited as above.
 */
int nr_run_wait_fds(int *fds, size_t n, unsigned timeout_ms, struct nr_os_error *err);

/* A journal as read back (list, clean, down, exec). */
struct nr_run_info {
	char id[NR_RUN_ID_LEN + 1];
	char name[64];
	char topo[4096];
	bool persistent;
	bool live;            /* its lock is held */
	long long created;    /* unix time */
	pid_t owner;          /* last "owner" line, 0 if none */
	unsigned long long owner_start;
	size_t nns;
	char (*ns)[NR_RUN_NSNAME_MAX];
	size_t nobjs;
	char (*objs)[96];     /* "node kind name" */
};

/* Every journal in dir (NULL = NR_RUN_DIR), sorted by creation time. */
int nr_run_list(const char *dir, struct nr_run_info **ret, size_t *ret_n, struct nr_os_error *err);
void nr_run_list_free(struct nr_run_info *runs, size_t n);
/* One run by id, or by topology name when exactly one run has it
 * (-ENOENT none, -EEXIST ambiguous). */
int nr_run_find(const char *dir, const char *id_or_name, struct nr_run_info *ret,
		struct nr_os_error *err);
void nr_run_info_done(struct nr_run_info *info);

/* Start time of a process (field 22 of /proc/PID/stat), -ESRCH if gone. */
int nr_run_proc_start(pid_t pid, unsigned long long *ret);
/* Whether pid is alive and still the process that started at start. */
bool nr_run_owner_alive(pid_t pid, unsigned long long start);

/* What clean did, one call per removed run or orphan namespace. */
struct nr_run_clean_event {
	const char *id;
	const char *name;     /* topology name; "" for orphans */
	const char *nsname;   /* orphan namespace, NULL for a run */
	size_t ns_deleted;
	int err;              /* 0, or why this one could not be removed */
	const char *msg;
};

/*
 * Remove exactly what dead runs left: for every journal whose lock can be
 * taken, its namespaces and the journal; then namespaces "nr-<id>-*" that
 * no journal names (a journal is always written before its namespaces, so
 * such a namespace's run is over) if their lo carries the run's tag
 * (alias "netrig:<id>" and group nr_run_group(id)): only their names go,
 * processes inside are never killed. Live runs are never touched. Returns
 * the number of failures as a negative errno of the first, or 0.
 */
int nr_run_clean(const char *dir, unsigned timeout_ms,
		 void (*cb)(const struct nr_run_clean_event *ev, void *arg), void *arg,
		 struct nr_os_error *err);

#endif
