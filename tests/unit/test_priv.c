/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Privileges: the preflight message names exactly what is missing
 * (checked in children that drop capabilities first), and the drop for
 * exec leaves the kept set in effect after exec, as root or as nobody,
 * with the bounding set whole so setcap ping still works (in a private
 * network namespace of the child), unless no_new_privs is asked.
 * The parts that need root skip themselves without it.
 */
#include "priv.h"

#include <cap-ng.h>
#include <errno.h>
#include <net/if.h>
#include <setjmp.h>
#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>

#include <cmocka.h>

#define NOBODY 65534

/* Run fn in a child; its stdout (and stderr) comes back in out. */
static int in_child(void (*fn)(void *), void *arg, char *out, size_t cap)
{
	int p[2], st;
	size_t n = 0;
	ssize_t m;
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		dup2(p[1], 1);
		dup2(p[1], 2);
		fn(arg);
		_exit(100);
	}
	close(p[1]);
	while (n < cap - 1 && (m = read(p[0], out + n, cap - 1 - n)) > 0)
		n += (size_t)m;
	out[n] = '\0';
	close(p[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

struct pf {
	int drop[3];
	unsigned needs;
};

/* Child: remove caps from the effective set, print the preflight. */
static void child_preflight(void *arg)
{
	const struct pf *p = arg;
	char msg[256];
	int i, r;

	capng_get_caps_process();
	for (i = 0; i < 3 && p->drop[i] >= 0; i++)
		capng_update(CAPNG_DROP, CAPNG_EFFECTIVE, (unsigned)p->drop[i]);
	if (capng_apply(CAPNG_SELECT_CAPS) < 0)
		_exit(99);
	r = nr_priv_preflight(p->needs, msg, sizeof(msg));
	printf("%d|%s", r, msg);
	fflush(stdout);
	_exit(0);
}

static void test_preflight(void **state)
{
	char out[512], msg[256];
	struct pf p;

	(void)state;
	assert_int_equal(nr_priv_preflight(0x100, msg, sizeof(msg)), -EINVAL);
	assert_non_null(strstr(msg, "0x100"));
	assert_int_equal(nr_priv_preflight(0, msg, sizeof(msg)), 0);
	if (geteuid() != 0) {
		/* Unprivileged: the message itself is what is checked. */
		assert_int_equal(nr_priv_preflight(NR_PRIV_NETNS, msg, sizeof(msg)), -EPERM);
		assert_non_null(strstr(msg, "creating namespaces needs CAP_"));
		skip();
	}
	assert_int_equal(nr_priv_preflight(NR_PRIV_NETNS | NR_PRIV_NETCONF | NR_PRIV_CAPTURE |
						   NR_PRIV_EXEC | NR_PRIV_TUNTAP,
					   msg, sizeof(msg)),
			 0);
	assert_string_equal(msg, "");

	p = (struct pf){ { CAP_SYS_ADMIN, -1, -1 }, NR_PRIV_NETNS };
	assert_int_equal(in_child(child_preflight, &p, out, sizeof(out)), 0);
	assert_string_equal(out, "-1|creating namespaces needs CAP_SYS_ADMIN; run as root");

	p = (struct pf){ { CAP_SYS_ADMIN, CAP_NET_ADMIN, -1 }, NR_PRIV_NETNS };
	assert_int_equal(in_child(child_preflight, &p, out, sizeof(out)), 0);
	assert_string_equal(out, "-1|creating namespaces needs CAP_NET_ADMIN and CAP_SYS_ADMIN; "
				 "run as root");

	p = (struct pf){ { CAP_NET_ADMIN, CAP_NET_RAW, -1 }, NR_PRIV_NETNS | NR_PRIV_CAPTURE };
	assert_int_equal(in_child(child_preflight, &p, out, sizeof(out)), 0);
	assert_string_equal(out, "-1|creating namespaces and capturing packets need CAP_NET_ADMIN "
				 "and CAP_NET_RAW; run as root");

	/* What is not needed is not named. */
	p = (struct pf){ { CAP_SYS_ADMIN, -1, -1 }, NR_PRIV_NETCONF | NR_PRIV_CAPTURE };
	assert_int_equal(in_child(child_preflight, &p, out, sizeof(out)), 0);
	assert_string_equal(out, "0|");

	p = (struct pf){ { CAP_SETPCAP, -1, -1 }, NR_PRIV_EXEC };
	assert_int_equal(in_child(child_preflight, &p, out, sizeof(out)), 0);
	assert_string_equal(out, "-1|running commands as another user needs CAP_SETPCAP; run as root");
}

struct drop_case {
	struct nr_priv_drop how;
	bool private_net; /* unshare a network namespace and bring lo up first */
	const char *cmd;
};

static void child_drop(void *arg)
{
	const struct drop_case *c = arg;
	int r;

	if (c->private_net) {
		struct ifreq ifr = { 0 };
		int s;

		if (unshare(CLONE_NEWNET) < 0)
			_exit(98);
		s = socket(AF_INET, SOCK_DGRAM, 0);
		strcpy(ifr.ifr_name, "lo");
		if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
			_exit(97);
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
			_exit(97);
		close(s);
	}
	r = nr_priv_drop_for_exec(&c->how);
	if (r < 0) {
		printf("drop: %d\n", r);
		fflush(stdout);
		_exit(96);
	}
	execl("/bin/sh", "sh", "-c", c->cmd, (char *)NULL);
	_exit(95);
}

/* The hex value of a "Name:\tvalue" line of /proc/self/status text. */
static unsigned long long status_hex(const char *text, const char *name)
{
	const char *p = strstr(text, name);

	assert_non_null(p);
	return strtoull(p + strlen(name), NULL, 16);
}

static unsigned long long own_bounding(void)
{
	char buf[4096];
	FILE *f = fopen("/proc/self/status", "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return status_hex(buf, "CapBnd:");
}

static void test_drop(void **state)
{
	const uint64_t keep = (1ull << CAP_NET_RAW) | (1ull << CAP_NET_BIND_SERVICE);
	struct drop_case c = { 0 };
	char out[4096];
	const char *p;

	(void)state;
	c.how.keep = 1ull << 63;
	assert_int_equal(nr_priv_drop_for_exec(&c.how), -EINVAL);
	assert_int_equal(nr_priv_drop_for_exec(NULL), -EINVAL);
	if (geteuid() != 0)
		skip();

	/* Staying root: the exec'd shell has the kept set only. */
	c.how.keep = keep;
	c.cmd = "cat /proc/self/status";
	assert_int_equal(in_child(child_drop, &c, out, sizeof(out)), 0);
	assert_int_equal(status_hex(out, "CapEff:"), keep);
	assert_int_equal(status_hex(out, "CapPrm:"), keep);
	assert_int_equal(status_hex(out, "CapAmb:"), keep);
	assert_int_equal(status_hex(out, "CapBnd:"), own_bounding());
	p = strstr(out, "Uid:");
	assert_non_null(p);
	assert_int_equal(atoi(p + 4), 0);

	/* As nobody: the same set, through the ambient set. */
	c.how.set_ids = true;
	c.how.uid = NOBODY;
	c.how.gid = NOBODY;
	assert_int_equal(in_child(child_drop, &c, out, sizeof(out)), 0);
	assert_int_equal(status_hex(out, "CapEff:"), keep);
	assert_int_equal(status_hex(out, "CapAmb:"), keep);
	assert_int_equal(status_hex(out, "CapBnd:"), own_bounding());
	p = strstr(out, "Uid:");
	assert_non_null(p);
	assert_int_equal(atoi(p + 4), NOBODY);
	p = strstr(out, "Groups:");
	assert_non_null(p);
	p += 7;
	while (*p == '\t' || *p == ' ')
		p++;
	assert_int_equal(*p, '\n'); /* no supplementary group left */

	/* Nothing kept, as nobody: setcap ping still works (bounding set
	 * whole), in the child's own namespace. */
	c.how.keep = 0;
	c.private_net = true;
	c.cmd = "grep CapEff /proc/self/status; ping -c1 -W5 127.0.0.1";
	assert_int_equal(in_child(child_drop, &c, out, sizeof(out)), 0);
	assert_int_equal(status_hex(out, "CapEff:"), 0);
	assert_non_null(strstr(out, "1 received"));

	/* With no_new_privs the file capability is ignored: ping fails. */
	c.how.no_new_privs = true;
	c.cmd = "ping -c1 -W5 127.0.0.1";
	assert_int_not_equal(in_child(child_drop, &c, out, sizeof(out)), 0);
	assert_null(strstr(out, "1 received"));
}

static void test_keep_sets(void **state)
{
	const uint64_t admin = (1ull << CAP_NET_ADMIN) | (1ull << CAP_SYS_ADMIN);
	uint64_t k = 1;

	(void)state;
	/* Another user keeps neither admin capability; root keeps NET_ADMIN (documented). */
	assert_int_equal(nr_priv_default_keep(true) & admin, 0);
	assert_int_equal(nr_priv_default_keep(true),
			 (1ull << CAP_NET_RAW) | (1ull << CAP_NET_BIND_SERVICE));
	assert_int_equal(nr_priv_default_keep(false), NR_PRIV_DEFAULT_KEEP);
	assert_true(nr_priv_default_keep(false) & (1ull << CAP_NET_ADMIN));

	assert_int_equal(nr_priv_parse_caps("net_raw,CAP_NET_ADMIN", &k), 0);
	assert_int_equal(k, (1ull << CAP_NET_RAW) | (1ull << CAP_NET_ADMIN));
	assert_int_equal(nr_priv_parse_caps("Cap_Sys_Admin", &k), 0);
	assert_int_equal(k, 1ull << CAP_SYS_ADMIN);
	assert_int_equal(nr_priv_parse_caps("none", &k), 0);
	assert_int_equal(k, 0);
	/* Errors leave *ret alone. */
	k = 7;
	assert_int_equal(nr_priv_parse_caps("net_raw,bogus", &k), -EINVAL);
	assert_int_equal(nr_priv_parse_caps("", &k), -EINVAL);
	assert_int_equal(nr_priv_parse_caps("net_raw,", &k), -EINVAL);
	assert_int_equal(nr_priv_parse_caps(",net_raw", &k), -EINVAL);
	assert_int_equal(k, 7);
}

/*
 * The review's demonstration: as nobody with the old default (NET_ADMIN
 * ambient) a command creates links; with the new default it cannot. In a
 * private namespace of the child, so nothing reaches the host.
 */
static void test_user_default_no_admin(void **state)
{
	struct drop_case c = { 0 };
	char out[4096];

	(void)state;
	if (geteuid() != 0)
		skip();
	c.how.set_ids = true;
	c.how.uid = NOBODY;
	c.how.gid = NOBODY;
	c.private_net = true;
	c.cmd = "grep CapEff /proc/self/status; ip link add nrtfx2 type veth peer name nrtfx3";
	c.how.keep = NR_PRIV_DEFAULT_KEEP;
	assert_int_equal(in_child(child_drop, &c, out, sizeof(out)), 0);
	c.how.keep = nr_priv_default_keep(true);
	assert_int_not_equal(in_child(child_drop, &c, out, sizeof(out)), 0);
	assert_int_equal(status_hex(out, "CapEff:"), nr_priv_default_keep(true));
	assert_non_null(strstr(out, "Operation not permitted"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_preflight),
		cmocka_unit_test(test_drop),
		cmocka_unit_test(test_keep_sets),
		cmocka_unit_test(test_user_default_no_admin),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
