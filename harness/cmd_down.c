/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * netrig down NAME: end a lab. A live run's keeper gets SIGTERM through a
 * pidfd opened before checking, by its start time, that the pid is still
 * the keeper (so a reused pid cannot be signalled), and tears down itself;
 * we wait for it to exit on the same pidfd. If the journal is
 * still there afterwards because the keeper was killed, or the run was
 * dead already, we take the journal over and tear down ourselves. A
 * keeper whose own teardown failed says so in its log (keeper.h): that
 * is reported, with the reason, and the journal is left for a retry.
 */
#include "cli.h"
#include "keeper.h"
#include "priv.h"

#include "netrig/run.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

static const char down_usage[] =
	"usage: netrig down [--timeout S] RUN\n"
	"\n"
	"Tear down a lab started by 'netrig up': RUN is its run id, or its\n"
	"topology's name when only one run has it (see 'netrig list'). Returns\n"
	"once the kernel has destroyed its namespaces and devices.\n"
	"\n"
	"  --timeout S  give up after S seconds (default 15: the keeper gives the\n"
	"               kernel 10 s to destroy the namespaces)\n"
	"\n"
	"exit: 0 down; 1 the teardown failed or did not finish in time: the\n"
	"reason is printed, and the journal and the keeper's log\n"
	"(/run/netrig/RUN.log) are kept, so 'netrig list' shows the run and why,\n"
	"and 'netrig down RUN' or 'netrig clean' retries; 2 no such run (already\n"
	"down, or a typo: see 'netrig list'); 3 privileges\n";

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/*
 * SIGTERM to the owner pid that started at start, and wait for its exit,
 * at most ms. The pidfd is taken first: once it is open, the start-time
 * check is about the process the signal and the wait reach, whatever
 * happens to the number. 0 (exited, or already gone), -ESRCH (that pid
 * is another process now), -ETIMEDOUT, or a negative errno.
 */
static int term_and_wait(pid_t pid, unsigned long long start, int ms)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0), r;
	struct pollfd p;

	if (fd < 0)
		return errno == ESRCH ? -ESRCH : -errno;
	if (!nr_run_owner_alive(pid, start)) {
		r = -ESRCH;
		goto out;
	}
	if (syscall(SYS_pidfd_send_signal, fd, SIGTERM, NULL, 0) < 0 && errno != ESRCH) {
		r = -errno;
		goto out;
	}
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	do
		r = poll(&p, 1, ms);
	while (r < 0 && errno == EINTR);
	r = r > 0 ? 0 : -ETIMEDOUT;
out:
	close(fd);
	return r;
}

int nr_cmd_down(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct nr_run_teardown_stats st = { 0 };
	struct nr_os_error err = { 0 };
	struct nr_run_info info = { 0 };
	struct nr_run *run = NULL;
	struct timespec t0;
	double timeout = 15;
	char msg[256], *end, logpath[PATH_MAX], reason[512];
	int c, r, before;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+t:h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			timeout = strtod(optarg, &end);
			if (*end || !(timeout > 0 && timeout <= 3600))
				return nr_cli_error(NR_EXIT_USAGE, "down: bad --timeout '%s'", optarg);
			break;
		case 'h':
			fputs(down_usage, stdout);
			return NR_EXIT_OK;
		default:
			fputs(down_usage, stderr);
			return NR_EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		fputs(down_usage, stderr);
		return NR_EXIT_USAGE;
	}
	if (nr_priv_preflight(NR_PRIV_NETNS, msg, sizeof(msg)) < 0)
		return nr_cli_error(NR_EXIT_ENV, "%s", msg);
	r = nr_run_find(NULL, argv[optind], &info, &err);
	if (r < 0)
		return nr_cli_error(NR_EXIT_USAGE, "down: %s", err.msg);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (nr_keeper_log_path(NULL, info.id, logpath, sizeof(logpath)) < 0)
		logpath[0] = '\0';
	before = logpath[0] ? nr_keeper_log_outcome(logpath, reason, sizeof(reason)) : -ENOENT;
	if (!info.live && before == 1)
		fprintf(stderr,
			"netrig: down: run %s: its keeper's teardown had failed: %s (log %s); "
			"trying again\n",
			info.id, reason, logpath);
	if (info.live) {
		r = term_and_wait(info.owner, info.owner_start, (int)(timeout * 1000));
		if (r == -ESRCH) {
			/* The lock is held but the recorded owner is gone. `up`
			 * records itself at once (nr_run_create) and its keeper
			 * right after the fork, so this is a keeper whose `up`
			 * died before it recorded itself: a moment later it is the
			 * owner, or the lock is free. */
			r = nr_cli_error(NR_EXIT_FAIL,
					 "run %s is changing owner (its keeper is starting); try "
					 "again",
					 info.id);
			goto out;
		}
		if (r == -ETIMEDOUT) {
			r = nr_cli_error(NR_EXIT_FAIL,
					 "keeper %d of run %s did not finish in %g s; it goes on "
					 "(its log: %s)",
					 (int)info.owner, info.id, timeout, logpath);
			goto out;
		}
		if (r < 0) {
			r = nr_cli_error(NR_EXIT_ENV, "signalling keeper %d of run %s: %s",
					 (int)info.owner, info.id, strerror(-r));
			goto out;
		}
		/* Its own verdict first: a teardown that failed can leave
		 * nothing for a retry to find (names unlinked, devices pinned
		 * elsewhere), so a retry's success would hide it. */
		if (nr_keeper_log_outcome(logpath, reason, sizeof(reason)) == 1) {
			r = nr_cli_error(NR_EXIT_FAIL,
					 "down: run %s: the keeper's teardown failed: %s\n"
					 "netrig: its log: %s; the journal is kept: 'netrig down %s' or "
					 "'netrig clean' retries",
					 info.id, reason, logpath, info.id);
			goto out;
		}
	}
	/* Whatever the keeper left (or all of a dead run) is ours now. */
	r = nr_run_adopt(NULL, info.id, &run, &err);
	if (r == -ENOENT) {
		printf("run %s (%s) down in %.1f ms\n", info.id, info.name, ms_since(&t0));
		r = NR_EXIT_OK;
		goto out;
	}
	if (r < 0) {
		r = nr_cli_error(NR_EXIT_FAIL, "down: %s", err.msg);
		goto out;
	}
	r = nr_run_teardown(run, (unsigned)(timeout * 1000), &st, &err);
	if (r < 0) {
		r = nr_cli_error(NR_EXIT_FAIL, "down: run %s: %s (the journal is kept for 'netrig clean')",
				 info.id, err.msg);
		goto out;
	}
	/* Done now: the keeper's record of an earlier failure is moot. */
	if (logpath[0])
		unlink(logpath);
	printf("run %s (%s) down in %.1f ms: %zu namespace%s removed\n", info.id, info.name,
	       ms_since(&t0), st.ns_deleted, st.ns_deleted == 1 ? "" : "s");
	r = NR_EXIT_OK;
out:
	nr_run_close(run);
	nr_run_info_done(&info);
	return r;
}
