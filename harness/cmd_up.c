/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * netrig up FILE: build a topology, print how to enter its nodes, and
 * leave it to a keeper process (it holds the journal lock and the TUN/TAP
 * fds, and tears the lab down on SIGTERM, which is what `down` sends).
 * SIGINT, SIGTERM and SIGHUP are blocked from the start, so a signal
 * during setup is seen between phases and everything made is torn down.
 */
#include "cli.h"
#include "keeper.h"
#include "priv.h"
#include "topo/topo_apply.h"
#include "topo/topo_hosts.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static const char up_usage[] =
	"usage: netrig up [--foreground] [--quiet] FILE\n"
	"\n"
	"Build the topology of FILE (namespaces nr-RUN-NODE, links, addresses,\n"
	"routes, rules, neighbours, sysctls, TUN/TAP) and leave it running.\n"
	"Prints the run id and how to enter each node. A keeper process holds\n"
	"the lab; 'netrig down RUN' ends it, 'netrig clean' removes what a killed\n"
	"one left. The keeper logs to /run/netrig/RUN.log, which it removes once\n"
	"the lab is torn down; a teardown that fails keeps it, and 'netrig down'\n"
	"and 'netrig list' show why.\n"
	"\n"
	"  --foreground  keep the lab in this process; SIGINT, SIGTERM or SIGHUP\n"
	"                tear it down\n"
	"  --quiet       print only the run id\n"
	"\n"
	"exit: 0 up, 1 the kernel refused an element (FILE:LINE:COL) or SIGINT,\n"
	"SIGTERM or SIGHUP came during setup (either way nothing is left), 2 bad\n"
	"file or usage (nothing created), 3 privileges or /run\n";

/*
 * Test hook (tests/netns/test_lifecycle_cli.sh): NETRIG_TEST_PAUSE=K:FIFO
 * stops setup at its K-th phase boundary, says so on FIFO, and waits for
 * a signal (left pending, so setup sees it), letting a test signal or
 * SIGKILL `up` at a known point without sleeping.
 */
static void test_pause(const sigset_t *set)
{
	static unsigned phase;
	const char *env = getenv("NETRIG_TEST_PAUSE");
	char *fifo;
	siginfo_t si;
	int fd;

	phase++;
	if (!env || strtoul(env, &fifo, 10) != phase || *fifo != ':')
		return;
	fd = open(fifo + 1, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		dprintf(fd, "paused %u\n", phase);
		close(fd);
	}
	if (sigwaitinfo(set, &si) > 0)
		raise(si.si_signo); /* blocked: pending again */
}

static bool setup_cancelled(void *arg)
{
	sigset_t pending, *set = arg;

	test_pause(set);

	if (sigpending(&pending) < 0)
		return false;
	for (int s = 1; s < NSIG; s++)
		if (sigismember(set, s) == 1 && sigismember(&pending, s) == 1)
			return true;
	return false;
}

static unsigned priv_needs(const struct nr_topo *t)
{
	unsigned needs = NR_PRIV_NETNS | NR_PRIV_NETCONF;

	for (size_t i = 0; i < t->nlinks; i++)
		if (t->links[i].kind == NR_TOPO_TUN || t->links[i].kind == NR_TOPO_TAP)
			needs |= NR_PRIV_TUNTAP;
	return needs;
}

static void print_lab(const struct nr_topo *t, const char *id, const struct nr_lab *lab,
		      pid_t keeper, const char *log)
{
	size_t w = 4;

	printf("run %s (%s) is up: %zu node%s, %zu link%s in %.1f ms", id, t->name, t->nnodes,
	       t->nnodes == 1 ? "" : "s", t->nlinks, t->nlinks == 1 ? "" : "s",
	       (double)lab->setup_ns / 1e6);
	if (keeper > 0)
		printf("; keeper pid %d", (int)keeper);
	printf("\n\nenter a node:\n");
	for (size_t i = 0; i < t->nnodes; i++)
		if (strlen(t->nodes[i].name) > w)
			w = strlen(t->nodes[i].name);
	for (size_t i = 0; i < t->nnodes; i++)
		printf("  %-*s  netrig exec %s %s -- CMD...   or   ip netns exec nr-%s-%s CMD...\n",
		       (int)w, t->nodes[i].name, id, t->nodes[i].name, id, t->nodes[i].name);
	if (keeper > 0)
		printf("\nend it: netrig down %s\nkeeper's log: %s (kept if its teardown fails)\n",
		       id, log);
	else
		printf("\nend it: Ctrl-C (or SIGTERM to pid %d)\n", (int)getpid());
	fflush(stdout);
}

/*
 * Test hook (test_lifecycle_cli.sh): NETRIG_TEST_KEEPER_PAUSE=FIFO makes
 * the keeper, before it tells `up` it is ready, write its run id to FIFO
 * and wait (at most 10 s) for `up` to be gone (no reader on the ready
 * pipe), so a test can kill `up` exactly there. The FIFO stays open and
 * gets "written" once the keeper is past its write of ready: EOF without
 * it means the keeper died there. Returns that fd, or -1.
 */
static int test_keeper_pause(const struct nr_run *run, int ready)
{
	const char *fifo = getenv("NETRIG_TEST_KEEPER_PAUSE");
	struct pollfd p = { .fd = ready, .events = 0 };
	char line[16];
	int fd, n;

	if (!fifo || !*fifo)
		return -1;
	fd = open(fifo, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = snprintf(line, sizeof(line), "%s\n", nr_run_id(run));
	if (write(fd, line, (size_t)n) != n) {
		/* The test reads it; nothing to do if it does not. */
	}
	/* POLLERR on a pipe's write end: its last reader closed it. */
	(void)poll(&p, 1, 10000);
	return fd;
}

/*
 * The daemonised keeper: new session, stdin on /dev/null, stdout and
 * stderr on its log (logfd, path), owner of the run.
 */
static void keeper_main(struct nr_run *run, struct nr_lab *lab, struct nr_topo_hosts *hosts,
			int ready, int logfd, const char *path)
{
	struct nr_os_error err = { 0 };
	FILE *log;
	int fd, r;

	setsid();
	/* `up` may be gone before the write of ready below (killed): EPIPE,
	 * not a SIGPIPE that would kill the keeper and strand the lab. */
	signal(SIGPIPE, SIG_IGN);
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	/* Whatever a library might print lands in the log too. */
	dup2(logfd, STDOUT_FILENO);
	dup2(logfd, STDERR_FILENO);
	log = nr_keeper_log_fdopen(logfd, path, NR_KEEPER_LOG_MAX);
	if (!log)
		log = stderr; /* the same file, without the cap */
	if (chdir("/") < 0) {
		/* Not fatal: only keeps a mount point busy. */
	}
	r = nr_run_set_owner(run, getpid(), &err);
	if (r < 0) {
		nr_keeper_logf(log, "run %s: recording the keeper: %s", nr_run_id(run), err.msg);
		nr_topo_hosts_free(hosts);
		nr_keeper_teardown(run, lab, 10000, log);
		_exit(1);
	}
	nr_keeper_logf(log, "holds run %s (journal %s/%s.run)", nr_run_id(run), nr_run_dir(run),
		       nr_run_id(run));
	fd = test_keeper_pause(run, ready);
	if (write(ready, "k", 1) != 1) {
		/* EPIPE: `up` died and cannot print the lab; it stands all the
		 * same, owned by this keeper (`netrig list`, `netrig down`). */
	}
	close(ready);
	if (fd >= 0) {
		if (write(fd, "written\n", 8) != 8) {
			/* The test sees EOF instead and fails, as it should. */
		}
		close(fd);
	}
	r = nr_keeper_serve_hosts(run, lab, hosts, 10000, log);
	_exit(r < 0 ? 1 : 0);
}

/*
 * The keeper ended the run before `up` could hand it over (it failed,
 * or a signal came): say how its teardown went, from its log. Exit 1
 * either way (not 130: nothing is left unless the message says so).
 */
static int keeper_failed(const char *id, const char *logpath, const char *what)
{
	char reason[512];
	int r = nr_keeper_log_outcome(logpath, reason, sizeof(reason));

	if (r == 1)
		return nr_cli_error(NR_EXIT_FAIL,
				    "%s; tearing down run %s failed: %s (log %s; 'netrig clean' "
				    "retries)",
				    what, id, reason, logpath);
	if (r == -ENOENT)
		return nr_cli_error(NR_EXIT_FAIL, "%s; run %s torn down", what, id);
	return nr_cli_error(NR_EXIT_FAIL, "%s during setup of run %s; see %s and 'netrig list'",
			    what, id, logpath);
}

int nr_cmd_up(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "foreground", no_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct nr_topo_error terr = { 0 };
	struct nr_os_error oerr = { 0 };
	struct nr_topo *t = NULL;
	struct nr_run *run = NULL;
	struct nr_lab *lab = NULL;
	struct nr_topo_hosts *hosts = NULL;
	bool foreground = false, quiet = false;
	char abspath[PATH_MAX], msg[256], id[NR_RUN_ID_LEN + 1], logpath[PATH_MAX];
	sigset_t set, old;
	int c, r, ready[2] = { -1, -1 }, logfd = -1;
	pid_t keeper;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+fqh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			foreground = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			fputs(up_usage, stdout);
			return NR_EXIT_OK;
		default:
			fputs(up_usage, stderr);
			return NR_EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		fputs(up_usage, stderr);
		return NR_EXIT_USAGE;
	}

	r = nr_topo_load_file(argv[optind], &t, &terr);
	if (r == -EINVAL) {
		nr_topo_error_print(&terr, stderr);
		return NR_EXIT_USAGE;
	}
	if (r < 0)
		return nr_cli_error(NR_EXIT_USAGE, "%s: %s", argv[optind], strerror(-r));
	if (nr_priv_preflight(priv_needs(t), msg, sizeof(msg)) < 0) {
		nr_topo_free(t);
		return nr_cli_error(NR_EXIT_ENV, "%s", msg);
	}
	if (!realpath(argv[optind], abspath))
		snprintf(abspath, sizeof(abspath), "%s", argv[optind]);

	/* From here every way out goes through teardown. */
	nr_keeper_sigset(&set);
	sigprocmask(SIG_BLOCK, &set, &old);
	r = nr_run_create(NULL, abspath, t->name, !foreground, &run, &oerr);
	if (r < 0) {
		r = nr_cli_error(NR_EXIT_ENV, "%s", oerr.msg);
		goto out;
	}
	snprintf(id, sizeof(id), "%s", nr_run_id(run));
	r = nr_topo_apply(t, run,
			  &(struct nr_topo_apply_opts){ .cancelled = setup_cancelled, .arg = &set },
			  &lab, &terr);
	if (r == -EINTR) {
		nr_cli_error(NR_EXIT_FAIL, "interrupted during setup of run %s; torn down", id);
		r = NR_EXIT_FAIL; /* torn down: the contract's "nothing is left" */
		goto out;
	}
	if (r < 0) {
		nr_topo_error_print(&terr, stderr);
		r = NR_EXIT_FAIL;
		goto out;
	}
	/* Built here, so a refusal still prints FILE:LINE:COL; run by the keeper. */
	r = nr_topo_hosts_new(t, lab, &hosts, &terr);
	if (r < 0) {
		if (r == -EINVAL)
			nr_topo_error_print(&terr, stderr);
		else
			nr_cli_error(NR_EXIT_FAIL, "emulated hosts: %s", strerror(-r));
		nr_keeper_teardown(run, lab, 10000, stderr);
		run = NULL;
		lab = NULL;
		r = NR_EXIT_FAIL;
		goto out;
	}

	if (foreground) {
		if (quiet)
			printf("%s\n", id);
		else
			print_lab(t, id, lab, 0, NULL);
		fflush(stdout);
		r = nr_keeper_serve_hosts(run, lab, hosts, 10000, quiet ? NULL : stderr);
		hosts = NULL;
		run = NULL;
		lab = NULL;
		r = r < 0 ? NR_EXIT_FAIL : NR_EXIT_OK;
		goto out;
	}

	/* The keeper's log, beside the journal: created here so its path is
	 * printed and a keeper that fails at once still leaves its reason. */
	if (nr_keeper_log_path(nr_run_dir(run), id, logpath, sizeof(logpath)) < 0)
		errno = ENAMETOOLONG;
	else
		logfd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
	if (logfd < 0 || pipe2(ready, O_CLOEXEC) < 0) {
		r = nr_cli_error(NR_EXIT_ENV, "%s: %s", logfd < 0 ? logpath : "pipe",
				 strerror(errno));
		if (logfd >= 0)
			unlink(logpath);
		nr_topo_hosts_free(hosts);
		hosts = NULL;
		nr_keeper_teardown(run, lab, 10000, stderr);
		run = NULL;
		lab = NULL;
		goto out;
	}
	fflush(stdout);
	fflush(stderr);
	keeper = fork();
	if (keeper < 0) {
		r = nr_cli_error(NR_EXIT_ENV, "fork: %s", strerror(errno));
		unlink(logpath);
		nr_topo_hosts_free(hosts);
		hosts = NULL;
		nr_keeper_teardown(run, lab, 10000, stderr);
		run = NULL;
		lab = NULL;
		goto out;
	}
	if (keeper == 0) {
		close(ready[0]);
		keeper_main(run, lab, hosts, ready[1], logfd, logpath);
	}
	close(ready[1]);
	ready[1] = -1;
	close(logfd);
	logfd = -1;
	{
		char k;
		ssize_t n;

		do
			n = read(ready[0], &k, 1);
		while (n < 0 && errno == EINTR);
		if (n != 1) {
			waitpid(keeper, NULL, 0);
			r = keeper_failed(id, logpath, "the keeper failed");
			goto out;
		}
	}
	/* A signal that came while the keeper started: it tears down. */
	if (setup_cancelled(&set)) {
		kill(keeper, SIGTERM);
		waitpid(keeper, NULL, 0);
		r = keeper_failed(id, logpath, "interrupted");
		goto out;
	}
	if (quiet)
		printf("%s\n", id);
	else
		print_lab(t, id, lab, keeper, logpath);
	r = NR_EXIT_OK;
out:
	/* The keeper has its own copies: closing ours changes nothing. */
	nr_topo_hosts_free(hosts);
	nr_lab_free(lab);
	nr_run_close(run);
	if (ready[0] >= 0)
		close(ready[0]);
	if (ready[1] >= 0)
		close(ready[1]);
	if (logfd >= 0)
		close(logfd);
	nr_topo_free(t);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return r;
}
