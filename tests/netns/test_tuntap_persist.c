/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * nr_tuntap_opts.keep_persist: attaching to a user's persistent TUN/TAP
 * leaves its persistent flag alone, so a process killed (SIGKILL, no
 * cleanup) while attached does not take the device with it. Without the
 * option the flag is cleared on attach and the device goes with the
 * process (the old behaviour, kept as the default). A device created with
 * keep_persist is not persistent: it goes on close.
 *
 *   nrt-fixer2-PID-p: tap5, tun5 (ip tuntap add: persistent), tap6 (ours)
 */
#include "netrig/kbuild.h"
#include "netrig/netns.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

static char ns_name[64];

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int r;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	r = system(cmd);
	return r == -1 ? -1 : WEXITSTATUS(r);
}

static bool link_exists(const char *dev)
{
	return sh("ip -n %s link show dev %s >/dev/null 2>&1", ns_name, dev) == 0;
}

static void cleanup(void)
{
	if (ns_name[0])
		(void)sh("ip netns del %s 2>/dev/null", ns_name);
	ns_name[0] = '\0';
}

static void on_signal(int sig)
{
	/* Only async-signal-safe calls: fork+exec ip netns del. */
	pid_t p = fork();

	if (p == 0) {
		execlp("ip", "ip", "netns", "del", ns_name, (char *)NULL);
		_exit(127);
	}
	if (p > 0)
		(void)waitpid(p, NULL, 0);
	_exit(128 + sig);
}

/*
 * A child attaches to dev and dies by SIGKILL while attached, without
 * closing anything. Returns 0 when the attach worked.
 */
static int attach_and_die(const char *dev, enum nr_tuntap_mode mode, bool keep)
{
	int st = 0;
	pid_t p = fork();

	if (p < 0)
		return -errno;
	if (p == 0) {
		struct nr_tuntap_opts o = {.mode = mode, .owner = (uid_t)-1, .group = (gid_t)-1};
		struct nr_netns *ns = NULL;
		struct nr_tuntap *t = NULL;

		o.keep_persist = keep;
		if (nr_netns_open(ns_name, &ns, NULL) < 0 || nr_tuntap_open(ns, dev, &o, &t, NULL) < 0)
			_exit(1);
		raise(SIGKILL);
		_exit(2);
	}
	if (waitpid(p, &st, 0) < 0)
		return -errno;
	return WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL ? 0 : -EIO;
}

static void test_keep_persist(void **state)
{
	(void)state;
	assert_int_equal(sh("ip -n %s tuntap add dev tap5 mode tap", ns_name), 0);
	assert_int_equal(sh("ip -n %s tuntap add dev tun5 mode tun", ns_name), 0);
	/* keep_persist: killed while attached, the user's devices stay. */
	assert_int_equal(attach_and_die("tap5", NR_TUNTAP_TAP, true), 0);
	assert_true(link_exists("tap5"));
	assert_int_equal(attach_and_die("tun5", NR_TUNTAP_TUN, true), 0);
	assert_true(link_exists("tun5"));
	/* Still persistent: a second kill does not take them either. */
	assert_int_equal(attach_and_die("tap5", NR_TUNTAP_TAP, true), 0);
	assert_true(link_exists("tap5"));
	/* Without it (the default) attaching clears the flag: the device goes with us. */
	assert_int_equal(attach_and_die("tap5", NR_TUNTAP_TAP, false), 0);
	assert_false(link_exists("tap5"));
}

static void test_keep_persist_new_device(void **state)
{
	struct nr_tuntap_opts o = {.mode = NR_TUNTAP_TAP, .owner = (uid_t)-1, .group = (gid_t)-1};
	struct nr_netns *ns = NULL;
	struct nr_tuntap *t = NULL;

	(void)state;
	o.keep_persist = true;
	assert_int_equal(nr_netns_open(ns_name, &ns, NULL), 0);
	assert_int_equal(nr_tuntap_open(ns, "tap6", &o, &t, NULL), 0);
	assert_true(link_exists("tap6"));
	nr_tuntap_close(t);
	/* Created now, never made persistent: gone on close. */
	assert_false(link_exists("tap6"));
	nr_netns_close(ns);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keep_persist),
		cmocka_unit_test(test_keep_persist_new_device),
	};
	int r;

	if (geteuid() != 0 || access("/dev/net/tun", R_OK | W_OK) != 0) {
		printf("SKIP: needs root and /dev/net/tun\n");
		return 77;
	}
	snprintf(ns_name, sizeof(ns_name), "nrt-fixer2-%ld-p", (long)getpid());
	if (sh("ip netns add %s", ns_name) != 0) {
		printf("SKIP: cannot create network namespaces here\n");
		ns_name[0] = '\0';
		return 77;
	}
	atexit(cleanup);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	r = cmocka_run_group_tests(tests, NULL, NULL);
	cleanup();
	return r;
}
