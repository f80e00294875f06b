/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * netrig exec RUN NODE -- CMD: fork; the child dies with us
 * (PR_SET_PDEATHSIG), enters the node's network namespace and, as `ip
 * netns exec` does, a mount namespace of its own with /sys remounted for
 * that network namespace and the files of /etc/netns/NSNAME bound over
 * /etc; then it drops to a small capability set (harness/priv.h), and
 * execs. Its exit status is ours; 124 on timeout, as timeout(1);
 * signals we get are passed on to it.
 */
#include "cli.h"
#include "priv.h"

#include "netrig/run.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <time.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/statvfs.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static const char exec_usage[] =
	"usage: netrig exec [--timeout S] [--user U] [--caps LIST] RUN NODE -- CMD [ARGS...]\n"
	"\n"
	"Run CMD inside node NODE of run RUN (a run id, or a topology name when\n"
	"only one run has it). CMD dies if netrig does. Options go before RUN;\n"
	"'--' may be left out unless CMD starts with '-'.\n"
	"\n"
	"As with 'ip netns exec nr-RUN-NODE', CMD gets a mount namespace of its\n"
	"own: /sys is sysfs of the node (/sys/class/net lists its links) and\n"
	"each file in /etc/netns/nr-RUN-NODE/ is bound over the one of the same\n"
	"name in /etc (resolv.conf, hosts...). The caller's mounts are not\n"
	"touched.\n"
	"\n"
	"A node is a network namespace, not a sandbox. Without --user, CMD runs\n"
	"as root with host-wide privileges: it keeps CAP_NET_ADMIN, CAP_NET_RAW\n"
	"and CAP_NET_BIND_SERVICE, and CAP_NET_ADMIN reaches every namespace of\n"
	"the machine (the root one included), not only the node's. With --user,\n"
	"CMD keeps CAP_NET_RAW and CAP_NET_BIND_SERVICE only. Either way the\n"
	"bounding set is kept, so setcap programs such as ping work.\n"
	"\n"
	"  --timeout S  send CMD SIGTERM after S seconds (SIGKILL 2 s later);\n"
	"               exit 124. Unless stdin is a terminal, CMD runs in a\n"
	"               process group of its own, which gets the signals, and\n"
	"               what is left of it once CMD has ended is killed\n"
	"  --user U     run CMD as user U (name or uid) with U's primary group\n"
	"  --caps LIST  the capabilities CMD keeps instead, comma-separated\n"
	"               (net_raw,net_admin...), or none\n"
	"\n"
	"exit: CMD's status (128+N if killed by signal N), 124 timeout, 125 netrig\n"
	"failed to start CMD, 126 CMD not executable, 127 CMD not found,\n"
	"2 usage or no such run or node, 3 privileges\n";

#define EXIT_TIMEOUT 124
#define EXIT_CANCELED 125

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int lookup_user(const char *u, uid_t *uid, gid_t *gid)
{
	struct passwd *pw = getpwnam(u);
	char *end;
	unsigned long v;

	if (pw) {
		*uid = pw->pw_uid;
		*gid = pw->pw_gid;
		return 0;
	}
	v = strtoul(u, &end, 10);
	if (*u && !*end && v < (unsigned long)(uid_t)-1) {
		pw = getpwuid((uid_t)v);
		*uid = (uid_t)v;
		*gid = pw ? pw->pw_gid : (gid_t)v;
		return 0;
	}
	return -ENOENT;
}

/* What the child was doing when it failed, for the parent's message. */
enum stage { STAGE_EXEC, STAGE_SETNS, STAGE_MOUNTS, STAGE_PRIV };

/*
 * Each file of /etc/netns/NSNAME bound over /etc's (iproute2's
 * convention, which the stack's nameserver loader follows too). A file
 * that cannot be bound is reported and skipped, as `ip netns exec` does.
 */
static void bind_etc(const char *nsname)
{
	char dir[PATH_MAX], src[PATH_MAX], dst[PATH_MAX];
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "/etc/netns/%s", nsname);
	d = opendir(dir);
	if (!d)
		return; /* none for this node: the common case */
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (snprintf(src, sizeof(src), "%s/%s", dir, de->d_name) >= (int)sizeof(src) ||
		    snprintf(dst, sizeof(dst), "/etc/%s", de->d_name) >= (int)sizeof(dst))
			continue;
		if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
			fprintf(stderr, "netrig: exec: binding %s over %s: %s\n", src, dst,
				strerror(errno));
	}
	closedir(d);
}

/*
 * A mount namespace for CMD: nothing done in it propagates back (/ made
 * a slave, recursively), and /sys is a sysfs mounted from inside the
 * node's network namespace, which is what sysfs shows. Read-only if the
 * caller's /sys was.
 */
static int enter_mounts(const char *nsname)
{
	unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
	struct statvfs sv;

	if (unshare(CLONE_NEWNS) < 0)
		return -errno;
	if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return -errno;
	if (statvfs("/sys", &sv) == 0 && (sv.f_flag & ST_RDONLY))
		flags |= MS_RDONLY;
	/* EINVAL: /sys was no mount point; the new sysfs goes there all the same. */
	if (umount2("/sys", MNT_DETACH) < 0 && errno != EINVAL)
		return -errno;
	if (mount(nsname, "/sys", "sysfs", flags, NULL) < 0)
		return -errno;
	bind_etc(nsname);
	return 0;
}

/* The child: never returns. Reports a failure before exec on fd err. */
static void child(int nsfd, const char *nsname, pid_t parent, bool own_group,
		  const struct nr_priv_drop *drop, char **cmd, int err)
{
	sigset_t none;
	int e, code, why[2];
	enum stage stage;

	/* Dies with netrig; if netrig is already gone, do not start. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(EXIT_CANCELED);
	/* Here and in the parent, so neither signals the group too early. */
	if (own_group)
		setpgid(0, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	code = EXIT_CANCELED;
	stage = STAGE_SETNS;
	if (setns(nsfd, CLONE_NEWNET) < 0) {
		e = errno;
		goto fail;
	}
	close(nsfd);
	/* Before the drop: mounting needs CAP_SYS_ADMIN. */
	stage = STAGE_MOUNTS;
	e = -enter_mounts(nsname);
	if (e)
		goto fail;
	stage = STAGE_PRIV;
	e = -nr_priv_drop_for_exec(drop);
	if (e)
		goto fail;
	stage = STAGE_EXEC;
	execvp(cmd[0], cmd);
	e = errno;
	code = e == ENOENT ? 127 : 126;
fail:
	why[0] = (int)stage;
	why[1] = e;
	if (write(err, why, sizeof(why)) != (ssize_t)sizeof(why)) {
		/* Nothing more to say. */
	}
	_exit(code);
}

static void report_child_failure(const int why[2], const char *cmd, const char *nsname)
{
	static const char *const what[] = {
		[STAGE_SETNS] = "entering namespace",
		[STAGE_MOUNTS] = "setting up the mount namespace (/sys) of",
		[STAGE_PRIV] = "dropping privileges in",
	};

	if (why[0] == STAGE_EXEC)
		nr_cli_error(NR_EXIT_FAIL, "exec: %s: %s", cmd, strerror(why[1]));
	else if (why[0] > STAGE_EXEC && why[0] <= STAGE_PRIV)
		nr_cli_error(NR_EXIT_FAIL, "exec: %s %s: %s", what[why[0]], nsname,
			     strerror(why[1]));
}

int nr_cmd_exec(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ "user", required_argument, NULL, 'u' },
		{ "caps", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct nr_priv_drop drop = { .keep = NR_PRIV_DEFAULT_KEEP };
	struct nr_run_info info = { 0 };
	struct nr_os_error oerr = { 0 };
	char nsname[NR_RUN_NSNAME_MAX], path[128], msg[256], *end;
	double timeout = 0;
	const char *user = NULL;
	bool caps_given = false, found = false, timed_out = false, own_group;
	int c, r, nsfd = -1, errp[2] = { -1, -1 }, sfd = -1, pfd = -1, status = 0, why[2];
	uint64_t deadline = 0, kill_at = 0;
	sigset_t set, old;
	pid_t pid, target;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+t:u:c:h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			timeout = strtod(optarg, &end);
			if (*end || !(timeout > 0 && timeout <= 86400))
				return nr_cli_error(NR_EXIT_USAGE, "exec: bad --timeout '%s'", optarg);
			break;
		case 'u':
			user = optarg;
			break;
		case 'c':
			if (nr_priv_parse_caps(optarg, &drop.keep) < 0)
				return nr_cli_error(NR_EXIT_USAGE,
						    "exec: bad --caps '%s' (e.g. net_raw,net_admin, or none)",
						    optarg);
			caps_given = true;
			break;
		case 'h':
			fputs(exec_usage, stdout);
			return NR_EXIT_OK;
		default:
			fputs(exec_usage, stderr);
			return NR_EXIT_USAGE;
		}
	}
	/* RUN NODE [--] CMD...: getopt stopped at RUN ("+"); "--" is optional. */
	if (argc - optind < 3) {
		fputs(exec_usage, stderr);
		return NR_EXIT_USAGE;
	}
	{
		int cmd = optind + 2;

		if (!strcmp(argv[cmd], "--"))
			cmd++;
		else if (argv[cmd][0] == '-')
			/* An option after RUN NODE would run as the command. */
			return nr_cli_error(NR_EXIT_USAGE,
					    "exec: '%s' after RUN NODE: options go before RUN; a "
					    "command starting with '-' needs '--' before it",
					    argv[cmd]);
		if (cmd >= argc) {
			fputs(exec_usage, stderr);
			return NR_EXIT_USAGE;
		}
		if (user) {
			if (lookup_user(user, &drop.uid, &drop.gid) < 0)
				return nr_cli_error(NR_EXIT_USAGE, "exec: no user '%s'", user);
			drop.set_ids = true;
		}
		if (!caps_given)
			drop.keep = nr_priv_default_keep(user != NULL);
		if (nr_priv_preflight(NR_PRIV_NETNS | (user ? NR_PRIV_EXEC : 0), msg, sizeof(msg)) <
		    0)
			return nr_cli_error(NR_EXIT_ENV, "%s", msg);
		r = nr_run_find(NULL, argv[optind], &info, &oerr);
		if (r < 0)
			return nr_cli_error(NR_EXIT_USAGE, "exec: %s", oerr.msg);
		if (nr_run_ns_name(info.id, argv[optind + 1], nsname, sizeof(nsname)) == 0)
			for (size_t i = 0; i < info.nns; i++)
				if (!strcmp(info.ns[i], nsname))
					found = true;
		if (!found) {
			char nodes[256] = "", id[NR_RUN_ID_LEN + 1];
			size_t len = 0, pre = strlen(NR_RUN_NS_PREFIX) + strlen(info.id) + 1;

			/* The node is what follows "nr-<id>-" in this run's own names. */
			for (size_t i = 0; i < info.nns && len + 1 < sizeof(nodes); i++) {
				int n;

				if (nr_run_ns_parse(info.ns[i], id) < 0 || strcmp(id, info.id))
					continue;
				n = snprintf(nodes + len, sizeof(nodes) - len, "%s%s", len ? ", " : "",
					     info.ns[i] + pre);
				if (n < 0)
					break;
				len += (size_t)n;
			}
			if (len >= sizeof(nodes))
				memcpy(nodes + sizeof(nodes) - 4, "...", 4);
			r = nr_cli_error(NR_EXIT_USAGE, "exec: run %s (%s) has no node '%s' (nodes: %s)",
					 info.id, info.name, argv[optind + 1], nodes);
			goto out;
		}
		snprintf(path, sizeof(path), "/run/netns/%s", nsname);
		nsfd = open(path, O_RDONLY | O_CLOEXEC);
		if (nsfd < 0) {
			r = nr_cli_error(NR_EXIT_ENV, "exec: %s: %s", path, strerror(errno));
			goto out;
		}
		if (pipe2(errp, O_CLOEXEC) < 0) {
			r = nr_cli_error(NR_EXIT_ENV, "exec: pipe: %s", strerror(errno));
			goto out;
		}
		/* Blocked before fork, so none is lost; the child unblocks. */
		sigemptyset(&set);
		sigaddset(&set, SIGINT);
		sigaddset(&set, SIGTERM);
		sigaddset(&set, SIGHUP);
		sigaddset(&set, SIGQUIT);
		sigprocmask(SIG_BLOCK, &set, &old);
		/* As timeout(1): the deadline is for CMD and all it started. On a
		 * terminal CMD stays in our group, so it may read the terminal. */
		own_group = timeout > 0 && !isatty(STDIN_FILENO);
		fflush(stdout);
		fflush(stderr);
		{
			pid_t parent = getpid();

			pid = fork();
			if (pid == 0)
				child(nsfd, nsname, parent, own_group, &drop, argv + cmd, errp[1]);
		}
	}
	if (pid > 0 && own_group)
		setpgid(pid, pid); /* EACCES once it has exec'd: then it did it itself */
	target = own_group ? -pid : pid;
	if (pid < 0) {
		r = nr_cli_error(NR_EXIT_ENV, "exec: fork: %s", strerror(errno));
		goto restore;
	}
	close(errp[1]);
	errp[1] = -1;
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (sfd < 0 || pfd < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		r = nr_cli_error(NR_EXIT_ENV, "exec: signalfd/pidfd: %s", strerror(errno));
		goto restore;
	}
	if (timeout > 0)
		deadline = mono_ms() + (uint64_t)(timeout * 1000);
	for (;;) {
		struct pollfd p[2] = { { .fd = pfd, .events = POLLIN }, { .fd = sfd, .events = POLLIN } };
		uint64_t now = mono_ms(), next = kill_at ? kill_at : deadline;
		int ms = next ? (next > now ? (int)(next - now) : 0) : -1, k;

		k = poll(p, 2, ms);
		if (k < 0 && errno != EINTR) {
			kill(pid, SIGKILL);
			break;
		}
		if (k > 0 && (p[0].revents & POLLIN))
			break;
		if (k > 0 && (p[1].revents & POLLIN)) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
				kill(target, (int)si.ssi_signo);
		}
		now = mono_ms();
		if (kill_at && now >= kill_at) {
			kill(target, SIGKILL);
			kill_at = 0;
			deadline = 0;
		} else if (!kill_at && deadline && now >= deadline) {
			timed_out = true;
			kill(target, SIGTERM);
			kill_at = now + 2000;
		}
	}
	/* Past its time nothing of CMD lives on: its unreaped pid still
	 * holds the group's id, so this reaches only what is left of it. */
	if (timed_out && own_group)
		kill(-pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (read(errp[0], why, sizeof(why)) == (ssize_t)sizeof(why))
		report_child_failure(why, argv[optind + 2 + !strcmp(argv[optind + 2], "--")], nsname);
	if (timed_out) {
		/* Silent, 124 reads like CMD's own status. */
		fprintf(stderr, "netrig: exec: %s timed out after %g s (%s); exit 124\n",
			argv[optind + 2 + !strcmp(argv[optind + 2], "--")], timeout,
			WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL ? "killed" : "terminated");
		r = EXIT_TIMEOUT;
	} else if (WIFEXITED(status))
		r = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		r = 128 + WTERMSIG(status);
	else
		r = NR_EXIT_FAIL;
restore:
	sigprocmask(SIG_SETMASK, &old, NULL);
out:
	if (sfd >= 0)
		close(sfd);
	if (pfd >= 0)
		close(pfd);
	if (nsfd >= 0)
		close(nsfd);
	if (errp[0] >= 0)
		close(errp[0]);
	if (errp[1] >= 0)
		close(errp[1]);
	nr_run_info_done(&info);
	return r;
}
