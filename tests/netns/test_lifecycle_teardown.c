/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * netns/run.c: ids, the journal and its lock, bulk teardown, clean.
 *
 * The test process first moves into a private namespace P of its own
 * (unshare), so the nsids that teardown assigns and the veth ends that
 * witness device destruction live in P, never in the host's namespace:
 *
 *   P (the test's own)                 nrt-lifecycle-PID-i, i = 0..K-1
 *   +--------------------+             +------------------------+
 *   | wi  ---------------|----veth-----|-- xi                   |
 *   +--------------------+             +------------------------+
 *
 * Deleting namespace i destroys xi and with it wi, in P; so "teardown
 * returned" must imply "wi is gone in P" (the devices are gone), checked
 * at once after the call, with no waiting.
 */
#include "netrig/run.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cmocka.h>

#define K 24

static char names[K][64];
static char tname[3][64]; /* topology names, unique per test process */

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	int r;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	r = system(cmd);
	return r == -1 ? -1 : WEXITSTATUS(r);
}

static bool ns_exists(const char *name)
{
	char path[4096];

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	return access(path, F_OK) == 0;
}

/* K namespaces, each joined to P by a veth wi -- xi. */
static void make_witnesses(size_t k)
{
	FILE *f;

	for (size_t i = 0; i < k; i++) {
		snprintf(names[i], sizeof(names[i]), "nrt-lifecycle-%d-%zu", (int)getpid(), i);
		assert_int_equal(sh("ip netns add %s", names[i]), 0);
	}
	f = popen("ip -batch -", "w");
	assert_non_null(f);
	for (size_t i = 0; i < k; i++)
		fprintf(f, "link add w%zu type veth peer name x%zu netns %s\n", i, i, names[i]);
	assert_int_equal(pclose(f), 0);
	for (size_t i = 0; i < k; i++) {
		char w[24]; /* "w" + any size_t: no truncation */

		snprintf(w, sizeof(w), "w%zu", i);
		assert_int_not_equal(if_nametoindex(w), 0);
	}
}

static size_t witnesses_left(size_t k)
{
	size_t left = 0;

	for (size_t i = 0; i < k; i++) {
		char w[24]; /* "w" + any size_t: no truncation */

		snprintf(w, sizeof(w), "w%zu", i);
		if (if_nametoindex(w))
			left++;
	}
	return left;
}

static void cleanup_all(void)
{
	for (size_t i = 0; i < K; i++)
		if (names[i][0] && ns_exists(names[i]))
			sh("ip netns del %s 2>/dev/null", names[i]);
}

static void test_ids(void **state)
{
	char a[NR_RUN_ID_LEN + 1], b[NR_RUN_ID_LEN + 1], id[NR_RUN_ID_LEN + 1], ns[NR_RUN_NSNAME_MAX];

	(void)state;
	assert_int_equal(nr_run_id_new(a), 0);
	assert_int_equal(nr_run_id_new(b), 0);
	assert_true(nr_run_id_valid(a));
	assert_string_not_equal(a, b); /* 2^-30 */
	assert_false(nr_run_id_valid("abc"));
	assert_false(nr_run_id_valid("abcde1")); /* 1 is not base32 */
	assert_false(nr_run_id_valid("ABCDEF"));
	assert_true(nr_run_id_valid("abcde7"));

	assert_int_equal(nr_run_ns_name("k3x7qa", "h1", ns, sizeof(ns)), 0);
	assert_string_equal(ns, "nr-k3x7qa-h1");
	assert_int_equal(nr_run_ns_name("k3x7qa", "h1", ns, 12), -ENAMETOOLONG);
	assert_int_equal(nr_run_ns_parse("nr-k3x7qa-h1", id), 0);
	assert_string_equal(id, "k3x7qa");
	assert_int_equal(nr_run_ns_parse("nr-k3x7qa-", id), -EINVAL);
	assert_int_equal(nr_run_ns_parse("nr-k3x7q-h1", id), -EINVAL);
	assert_int_equal(nr_run_ns_parse("nrt-k3x7qa-h1", id), -EINVAL);
	assert_int_equal(nr_run_ns_parse("nr-K3X9QA-h1", id), -EINVAL);

	/* Distinct ids, distinct non-default groups. */
	assert_int_not_equal(nr_run_group("aaaaaa"), 0);
	assert_int_not_equal(nr_run_group("aaaaaa"), nr_run_group("baaaaa"));
	assert_int_not_equal(nr_run_group("aaaaaa"), nr_run_group("aaaaab"));
	assert_int_equal(nr_run_group("aaaaaa"), 1u << 30);
}

static void test_proc_start(void **state)
{
	unsigned long long s1, s2;
	pid_t pid;
	int st;

	(void)state;
	assert_int_equal(nr_run_proc_start(getpid(), &s1), 0);
	{
		/* Independently: the 20th field after the ")" that ends comm. */
		char buf[1024], *p;
		unsigned long long want = 0;
		FILE *f = fopen("/proc/self/stat", "r");

		assert_non_null(f);
		assert_non_null(fgets(buf, sizeof(buf), f));
		fclose(f);
		p = strrchr(buf, ')');
		assert_non_null(p);
		assert_int_equal(sscanf(p + 2, "%*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s "
					    "%*s %*s %*s %*s %*s %*s %*s %llu",
					&want),
				 1);
		assert_int_not_equal(want, 0);
		assert_int_equal(s1, want);
	}
	assert_true(nr_run_owner_alive(getpid(), s1));
	assert_false(nr_run_owner_alive(getpid(), s1 + 1)); /* a reused pid */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_int_equal(nr_run_proc_start(pid, &s2), -ESRCH);
	assert_false(nr_run_owner_alive(pid, s1));
	assert_false(nr_run_owner_alive(0, 0));
}

/* The journal: header, ns lines, owner, notes; read back by list/find. */
static void test_journal(void **state)
{
	struct nr_os_error err = { 0 };
	struct nr_run_info info;
	struct nr_run *run, *other;
	char id[NR_RUN_ID_LEN + 1], nsa[NR_RUN_NSNAME_MAX], nsb[NR_RUN_NSNAME_MAX];
	const char *ns[] = { nsa, nsb };
	unsigned long long start;
	pid_t pid;
	int st, pfd[2];

	(void)state;
	assert_int_equal(nr_run_create(NULL, "/tmp/lab.yaml", tname[0], true, &run,
				       &err),
			 0);
	snprintf(id, sizeof(id), "%s", nr_run_id(run));
	/* Names of this run (teardown touches no other), never created. */
	assert_int_equal(nr_run_ns_name(id, "a", nsa, sizeof(nsa)), 0);
	assert_int_equal(nr_run_ns_name(id, "b", nsb, sizeof(nsb)), 0);
	assert_int_equal(nr_run_add_ns(run, ns, 2, &err), 0);
	assert_int_equal(nr_run_note(run, "a", "veth", "eth0"), 0);
	assert_int_equal(nr_run_note(run, "a b", "veth", "eth0"), -EINVAL);
	assert_int_equal(nr_run_add_ns(run, (const char *[]){ "x/y" }, 1, &err), -EINVAL);

	assert_int_equal(nr_run_find(NULL, id, &info, &err), 0);
	assert_string_equal(info.id, id);
	assert_string_equal(info.name, tname[0]);
	assert_string_equal(info.topo, "/tmp/lab.yaml");
	assert_true(info.persistent);
	assert_true(info.live);
	assert_int_equal(info.owner, getpid());
	assert_int_equal(nr_run_proc_start(getpid(), &start), 0);
	assert_int_equal(info.owner_start, start);
	assert_int_equal(info.nns, 2);
	assert_string_equal(info.ns[1], nsb);
	assert_int_equal(info.nobjs, 1);
	assert_string_equal(info.objs[0], "a veth eth0");
	nr_run_info_done(&info);
	/* Also by topology name, when unique. */
	assert_int_equal(nr_run_find(NULL, tname[0], &info, &err), 0);
	assert_string_equal(info.id, id);
	nr_run_info_done(&info);
	assert_int_equal(nr_run_find(NULL, "nrt-lifecycle-nosuch-name", &info, &err), -ENOENT);

	/* Live: another process cannot adopt it, not even this one. */
	assert_int_equal(nr_run_adopt(NULL, id, &other, &err), -EBUSY);

	/* A fork shares the lock (the keeper): the run stays live after the
	 * creator closes its fd, and dies with the child. */
	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char c;

		close(pfd[1]);
		if (nr_run_set_owner(run, getpid(), NULL) < 0)
			_exit(1);
		/* Wait for the parent's word, bounded by the pipe closing. */
		if (read(pfd[0], &c, 1) < 0)
			_exit(2);
		_exit(0);
	}
	close(pfd[0]);
	nr_run_close(run);
	assert_int_equal(nr_run_adopt(NULL, id, &other, &err), -EBUSY);
	assert_int_equal(write(pfd[1], "x", 1), 1);
	close(pfd[1]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_int_equal(nr_run_find(NULL, id, &info, &err), 0);
	assert_false(info.live);
	assert_int_equal(info.owner, pid); /* the last owner line wins */
	assert_false(nr_run_owner_alive(info.owner, info.owner_start));
	nr_run_info_done(&info);

	/* Dead: adoptable; teardown of absent namespaces removes the journal. */
	assert_int_equal(nr_run_adopt(NULL, id, &other, &err), 0);
	assert_int_equal(nr_run_teardown(other, 2000, NULL, &err), 0);
	nr_run_close(other);
	assert_int_equal(nr_run_find(NULL, id, &info, &err), -ENOENT);
	assert_int_equal(nr_run_adopt(NULL, id, &other, &err), -ENOENT);
	assert_int_equal(nr_run_adopt(NULL, "bad", &other, &err), -EINVAL);
}

/* Teardown returns only when the devices are gone. */
static void test_teardown_devices_gone(void **state)
{
	struct nr_os_error err = { 0 };
	const char *list[K];

	(void)state;
	for (int round = 0; round < 5; round++) {
		struct nr_run_teardown_stats st = { 0 };

		make_witnesses(K);
		for (size_t i = 0; i < K; i++)
			list[i] = names[i];
		assert_int_equal(witnesses_left(K), K);
		assert_int_equal(nr_run_delete_ns(list, K, 10000, &st, &err), 0);
		assert_int_equal(st.ns_deleted, K);
		assert_int_equal(witnesses_left(K), 0);
		/* Nothing else held them: the witness veth ended the wait. */
		assert_true(st.witnessed);
		for (size_t i = 0; i < K; i++)
			assert_false(ns_exists(names[i]));
		print_message("round %d: delete %.2f ms, wait %.2f ms\n", round,
			      (double)st.ns_delete_ns / 1e6, (double)st.wait_ns / 1e6);
	}
	/* Absent names are skipped, not counted, not an error. */
	{
		struct nr_run_teardown_stats st = { 1, 1, 1, 1, true };

		assert_int_equal(nr_run_delete_ns(list, 2, 1000, &st, &err), 0);
		assert_int_equal(st.ns_deleted, 0);
	}
}

/*
 * One namespace reached twice (its name given twice; two fds of it) has
 * one nsid and one RTM_DELNSID: the wait must count it once. Before
 * assign_nsids' callers deduplicated, this waited for the second
 * RTM_DELNSID until the deadline and returned -ETIMEDOUT.
 */
static void test_teardown_same_namespace_twice(void **state)
{
	struct nr_run_teardown_stats st = { 0 };
	struct nr_os_error err = { 0 };
	const char *list[3];
	char path[128];
	int fds[3];

	(void)state;
	make_witnesses(2);
	list[0] = names[0];
	list[1] = names[1];
	list[2] = names[0];
	assert_int_equal(nr_run_delete_ns(list, 3, 5000, &st, &err), 0);
	assert_int_equal(witnesses_left(2), 0);
	assert_false(ns_exists(names[0]));
	assert_false(ns_exists(names[1]));

	/* The waiting part alone: fds 0 and 2 are one namespace. */
	make_witnesses(2);
	snprintf(path, sizeof(path), "/run/netns/%s", names[0]);
	fds[0] = open(path, O_RDONLY | O_CLOEXEC);
	fds[2] = open(path, O_RDONLY | O_CLOEXEC);
	snprintf(path, sizeof(path), "/run/netns/%s", names[1]);
	fds[1] = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fds[0] >= 0 && fds[1] >= 0 && fds[2] >= 0);
	assert_int_equal(sh("ip netns del %s && ip netns del %s", names[0], names[1]), 0);
	assert_int_equal(nr_run_wait_fds(fds, 3, 5000, &err), 0);
	assert_int_equal(witnesses_left(2), 0);
}

/* A process inside is killed; an fd pinning a namespace makes it time out. */
static void test_teardown_kills_and_times_out(void **state)
{
	struct nr_run_teardown_stats st = { 0 };
	struct nr_os_error err = { 0 };
	const char *list[2];
	char path[128];
	pid_t pid;
	int pin, status, pfd[2];

	(void)state;
	make_witnesses(2);
	list[0] = names[0];
	list[1] = names[1];
	/* The write end is close-on-exec: EOF on the read end means the
	 * child has entered the namespace and exec'd. */
	assert_int_equal(pipe2(pfd, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd;

		close(pfd[0]);
		snprintf(path, sizeof(path), "/run/netns/%s", names[0]);
		fd = open(path, O_RDONLY);
		if (fd < 0 || setns(fd, CLONE_NEWNET) < 0)
			_exit(1);
		close(fd);
		/* Bounded: teardown kills it long before. */
		execlp("sleep", "sleep", "60", (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	{
		char c;

		assert_int_equal(read(pfd[0], &c, 1), 0);
	}
	close(pfd[0]);
	assert_int_equal(nr_run_delete_ns(list, 2, 10000, &st, &err), 0);
	assert_int_equal(st.procs_killed, 1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	assert_int_equal(witnesses_left(2), 0);

	/* Pinned by an fd: the kernel cannot destroy it, teardown says so. */
	make_witnesses(1);
	snprintf(path, sizeof(path), "/run/netns/%s", names[0]);
	pin = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(pin >= 0);
	assert_int_equal(nr_run_delete_ns(list, 1, 200, &st, &err), -ETIMEDOUT);
	assert_non_null(strstr(err.msg, "not destroyed in time"));
	assert_int_equal(witnesses_left(1), 1);
	close(pin); /* now it goes; nothing waits for it, the next test checks */
}

/* A child sleeping inside namespace name, once it is in (pipe EOF). */
static pid_t spawn_in(const char *name)
{
	char path[4096], c;
	int pfd[2];
	pid_t pid;

	assert_int_equal(pipe2(pfd, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd;

		close(pfd[0]);
		snprintf(path, sizeof(path), "/run/netns/%s", name);
		fd = open(path, O_RDONLY);
		if (fd < 0 || setns(fd, CLONE_NEWNET) < 0)
			_exit(1);
		close(fd);
		execlp("sleep", "sleep", "60", (char *)NULL); /* bounded */
		_exit(127);
	}
	close(pfd[1]);
	assert_int_equal(read(pfd[0], &c, 1), 0);
	close(pfd[0]);
	return pid;
}

static bool child_alive(pid_t pid)
{
	int st;

	return waitpid(pid, &st, WNOHANG) == 0;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* clean: a dead run's namespaces go, a live run's stay, orphans go only
 * with netrig's tag on their lo, and no process of an orphan is killed. */
static void test_clean(void **state)
{
	struct nr_os_error err = { 0 };
	struct nr_run *live, *dead;
	struct nr_run_info info;
	char live_id[8], dead_id[8], orphan_id[8], untagged_id[8], nsl[64], nsd[64], nso[64];
	char nsu[3][64];
	const char *p;
	pid_t pid, p_orphan, p_user[3];
	int st;

	(void)state;
	assert_int_equal(nr_run_create(NULL, "", tname[1], false, &live, &err), 0);
	snprintf(live_id, sizeof(live_id), "%s", nr_run_id(live));
	nr_run_ns_name(live_id, "a", nsl, sizeof(nsl));
	p = nsl;
	assert_int_equal(nr_run_add_ns(live, &p, 1, &err), 0);
	assert_int_equal(sh("ip netns add %s", nsl), 0);

	/* A run whose owner is SIGKILLed after creating its namespace. */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char n[64];
		const char *q = n;

		if (nr_run_create(NULL, "", tname[2], false, &dead, NULL) < 0)
			_exit(1);
		nr_run_ns_name(nr_run_id(dead), "a", n, sizeof(n));
		if (nr_run_add_ns(dead, &q, 1, NULL) < 0 || sh("ip netns add %s", n))
			_exit(1);
		raise(SIGKILL);
		_exit(2);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(nr_run_find(NULL, tname[2], &info, &err), 0);
	assert_false(info.live);
	assert_int_equal(info.nns, 1);
	snprintf(dead_id, sizeof(dead_id), "%s", info.id);
	snprintf(nsd, sizeof(nsd), "%s", info.ns[0]);
	nr_run_info_done(&info);
	assert_true(ns_exists(nsd));

	/* An orphan: a namespace of a run without a journal, tagged as
	 * topo_apply tags a node's lo, with a process inside. */
	do
		assert_int_equal(nr_run_id_new(orphan_id), 0);
	while (!strcmp(orphan_id, live_id) || !strcmp(orphan_id, dead_id));
	nr_run_ns_name(orphan_id, "x", nso, sizeof(nso));
	assert_int_equal(sh("ip netns add %s", nso), 0);
	assert_int_equal(sh("ip -n %s link set lo group %u alias netrig:%s", nso,
			    nr_run_group(orphan_id), orphan_id), 0);
	p_orphan = spawn_in(nso);

	/* Not netrig's: a user's "nr-router-N" ("router" reads as an id),
	 * one with a real-looking id but no tag, one with only half the tag
	 * (the alias, group left at 0); each with a process inside. */
	snprintf(nsu[0], sizeof(nsu[0]), "nr-router-%d", (int)getpid());
	do
		assert_int_equal(nr_run_id_new(untagged_id), 0);
	while (!strcmp(untagged_id, live_id) || !strcmp(untagged_id, dead_id) ||
	       !strcmp(untagged_id, orphan_id));
	nr_run_ns_name(untagged_id, "y", nsu[1], sizeof(nsu[1]));
	nr_run_ns_name(untagged_id, "z", nsu[2], sizeof(nsu[2]));
	for (int i = 0; i < 3; i++) {
		assert_int_equal(sh("ip netns add %s", nsu[i]), 0);
		p_user[i] = spawn_in(nsu[i]);
	}
	assert_int_equal(sh("ip -n %s link set lo alias netrig:%s", nsu[2], untagged_id), 0);

	assert_int_equal(nr_run_clean(NULL, 10000, NULL, NULL, &err), 0);
	assert_true(ns_exists(nsl));
	assert_false(ns_exists(nsd));
	assert_false(ns_exists(nso));
	/* Only unlinked: its process lives on. */
	assert_true(child_alive(p_orphan));
	reap(p_orphan);
	for (int i = 0; i < 3; i++) {
		assert_true(ns_exists(nsu[i]));
		assert_true(child_alive(p_user[i]));
		reap(p_user[i]);
		assert_int_equal(sh("ip netns del %s", nsu[i]), 0);
	}
	assert_int_equal(nr_run_find(NULL, dead_id, &info, &err), -ENOENT);
	assert_int_equal(nr_run_find(NULL, live_id, &info, &err), 0);
	assert_true(info.live);
	nr_run_info_done(&info);

	/* The live run, torn down by its owner. */
	assert_int_equal(nr_run_teardown(live, 10000, NULL, &err), 0);
	nr_run_close(live);
	assert_false(ns_exists(nsl));
}

/* A private run directory, so nothing here reads or cleans others' runs. */
static void private_dir(char *buf, size_t cap)
{
	snprintf(buf, cap, "/tmp/nrt-lifecycle-XXXXXX");
	assert_non_null(mkdtemp(buf));
}

/* Teardown removes only nr-<its id>-* names, whatever its journal says. */
static void test_teardown_foreign_name(void **state)
{
	struct nr_os_error err = { 0 };
	char dir[64], own[64], foreign[64], jpath[128];
	const char *list[2] = { own, foreign };
	struct nr_run *run;
	pid_t pid;

	(void)state;
	private_dir(dir, sizeof(dir));
	assert_int_equal(nr_run_create(dir, "", "foreign", false, &run, &err), 0);
	nr_run_ns_name(nr_run_id(run), "a", own, sizeof(own));
	snprintf(foreign, sizeof(foreign), "nrt-lifecycle-foreign-%d", (int)getpid());
	assert_int_equal(nr_run_add_ns(run, list, 2, &err), 0);
	assert_int_equal(sh("ip netns add %s && ip netns add %s", own, foreign), 0);
	pid = spawn_in(foreign);

	assert_int_equal(nr_run_teardown(run, 10000, NULL, &err), -EPERM);
	assert_non_null(strstr(err.msg, foreign));
	assert_false(ns_exists(own));
	assert_true(ns_exists(foreign));
	assert_true(child_alive(pid));
	/* The journal stays, naming what was left. */
	snprintf(jpath, sizeof(jpath), "%s/%s.run", dir, nr_run_id(run));
	assert_int_equal(access(jpath, F_OK), 0);
	nr_run_close(run);
	reap(pid);
	assert_int_equal(sh("ip netns del %s && rm -rf %s", foreign, dir), 0);
}

struct clean_seen {
	char id[8];
	int err;
	size_t nevents;
};

static void clean_cb(const struct nr_run_clean_event *ev, void *arg)
{
	struct clean_seen *c = arg;

	if (!ev->nsname && ev->err) {
		snprintf(c->id, sizeof(c->id), "%s", ev->id);
		c->err = ev->err;
	}
	c->nevents++;
}

/* A journal that cannot be read: reported, and its namespaces treated as
 * orphans (tagged ones go, the rest stay with their processes). */
static void test_clean_unreadable_journal(void **state)
{
	struct nr_os_error err = { 0 };
	struct clean_seen seen = { 0 };
	struct nr_run_info *runs;
	char dir[64], id[8], nst[64], nsu[64], nsl[64], jpath[128], longname[64];
	const char *ln = longname, *lp = nsl;
	struct nr_run *run, *live;
	size_t n;
	pid_t pid;
	FILE *f;

	(void)state;
	private_dir(dir, sizeof(dir));
	/* Never written: a name nr_run_ns_name could not have made. */
	assert_int_equal(nr_run_create(dir, "", "long", false, &run, &err), 0);
	memset(longname, 'a', NR_RUN_NSNAME_MAX);
	longname[NR_RUN_NSNAME_MAX] = '\0';
	assert_int_equal(nr_run_add_ns(run, &ln, 1, &err), -ENAMETOOLONG);
	longname[NR_RUN_NSNAME_MAX - 1] = '\0'; /* the longest that fits */
	assert_int_equal(nr_run_add_ns(run, &ln, 1, &err), 0);
	assert_int_equal(nr_run_teardown(run, 10000, NULL, &err), -EPERM); /* not nr-<id>- */
	nr_run_close(run);
	assert_int_equal(sh("rm -f %s/*.run", dir), 0);

	assert_int_equal(nr_run_id_new(id), 0);
	nr_run_ns_name(id, "t", nst, sizeof(nst));
	nr_run_ns_name(id, "u", nsu, sizeof(nsu));
	snprintf(jpath, sizeof(jpath), "%s/%s.run", dir, id);
	f = fopen(jpath, "w");
	assert_non_null(f);
	/* An ns line longer than any name netrig makes: refused, not dropped. */
	fprintf(f, "netrig-run 1\nid %s\nname x\ntopo \npersistent 0\ncreated 1\n"
		   "ns %s\nns %s-%048d\n", id, nst, nsu, 0);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(nr_run_list(dir, &runs, &n, &err), 0);
	assert_int_equal(n, 0);
	nr_run_list_free(runs, n);

	assert_int_equal(sh("ip netns add %s && ip netns add %s", nst, nsu), 0);
	assert_int_equal(sh("ip -n %s link set lo group %u alias netrig:%s", nst, nr_run_group(id),
			    id), 0);
	pid = spawn_in(nsu);
	/* A live lab journaled in the default directory, tagged: a clean of
	 * this private directory must not take it for an orphan. */
	assert_int_equal(nr_run_create(NULL, "", "bystander", false, &live, &err), 0);
	nr_run_ns_name(nr_run_id(live), "b", nsl, sizeof(nsl));
	assert_int_equal(nr_run_add_ns(live, &lp, 1, &err), 0);
	assert_int_equal(sh("ip netns add %s && ip -n %s link set lo group %u alias netrig:%s",
			    nsl, nsl, nr_run_group(nr_run_id(live)), nr_run_id(live)), 0);
	assert_int_equal(nr_run_clean(dir, 10000, clean_cb, &seen, &err), -EBADMSG);
	assert_true(ns_exists(nsl));
	assert_int_equal(nr_run_teardown(live, 10000, NULL, &err), 0);
	nr_run_close(live);
	assert_false(ns_exists(nsl));
	assert_string_equal(seen.id, id);
	assert_int_equal(seen.err, -EBADMSG);
	assert_non_null(strstr(err.msg, "cannot be read"));
	assert_false(ns_exists(nst));
	assert_true(ns_exists(nsu));
	assert_true(child_alive(pid));
	assert_int_equal(access(jpath, F_OK), 0);
	reap(pid);
	assert_int_equal(sh("ip netns del %s && rm -rf %s", nsu, dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_proc_start),
		cmocka_unit_test(test_journal),
		cmocka_unit_test(test_teardown_devices_gone),
		cmocka_unit_test(test_teardown_same_namespace_twice),
		cmocka_unit_test(test_teardown_kills_and_times_out),
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_teardown_foreign_name),
		cmocka_unit_test(test_clean_unreadable_journal),
	};
	int r;

	if (geteuid() != 0) {
		printf("SKIP: needs root\n");
		return 77;
	}
	/* P: the test's own namespace, so nothing here touches the host's. */
	if (unshare(CLONE_NEWNET) < 0) {
		printf("SKIP: cannot unshare a network namespace\n");
		return 77;
	}
	if (system("ip link set lo up") != 0)
		return 1;
	snprintf(tname[0], sizeof(tname[0]), "nrt-lifecycle-journal-%d", (int)getpid());
	snprintf(tname[1], sizeof(tname[1]), "nrt-lifecycle-live-%d", (int)getpid());
	snprintf(tname[2], sizeof(tname[2]), "nrt-lifecycle-dead-%d", (int)getpid());
	r = cmocka_run_group_tests(tests, NULL, NULL);
	cleanup_all();
	return r;
}
