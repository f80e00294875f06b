/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Privileges with libcap-ng: a preflight that names what is missing, and
 * the drop a child does before exec'ing a command inside a node.
 */
#include "priv.h"

#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/securebits.h>

#define MAX_CAPS 3

struct need {
	unsigned bit;
	const char *what;
	int caps[MAX_CAPS]; /* -1 terminated when shorter */
};

static const struct need needs[] = {
	{ NR_PRIV_NETNS, "creating namespaces", { CAP_NET_ADMIN, CAP_SYS_ADMIN, -1 } },
	{ NR_PRIV_NETCONF, "configuring links and routes", { CAP_NET_ADMIN, -1, -1 } },
	{ NR_PRIV_TUNTAP, "creating TUN/TAP devices", { CAP_NET_ADMIN, -1, -1 } },
	{ NR_PRIV_CAPTURE, "capturing packets", { CAP_NET_RAW, -1, -1 } },
	{ NR_PRIV_EXEC, "running commands as another user",
	  { CAP_SETUID, CAP_SETGID, CAP_SETPCAP } },
};

static const struct {
	int cap;
	const char *name;
} cap_names[] = {
	{ CAP_NET_ADMIN, "CAP_NET_ADMIN" }, { CAP_SYS_ADMIN, "CAP_SYS_ADMIN" },
	{ CAP_NET_RAW, "CAP_NET_RAW" },     { CAP_SETUID, "CAP_SETUID" },
	{ CAP_SETGID, "CAP_SETGID" },       { CAP_SETPCAP, "CAP_SETPCAP" },
};

static const char *cap_name(int cap)
{
	size_t i;

	for (i = 0; i < sizeof(cap_names) / sizeof(cap_names[0]); i++)
		if (cap_names[i].cap == cap)
			return cap_names[i].name;
	return "?";
}

/* Append words[0..n) to buf as "a", "a and b", "a, b and c". */
static void join(char *buf, size_t cap, const char *const *words, size_t n)
{
	size_t i, len;

	for (i = 0; i < n; i++) {
		len = strlen(buf);
		snprintf(buf + len, cap - len, "%s%s", i == 0 ? "" : i + 1 == n ? " and " : ", ",
			 words[i]);
	}
}

int nr_priv_preflight(unsigned needs_mask, char *msg, size_t cap)
{
	const char *whats[sizeof(needs) / sizeof(needs[0])];
	const char *missing[8];
	size_t nwhat = 0, nmiss = 0, i, k, m;
	unsigned known = 0;

	if (cap)
		msg[0] = '\0';
	for (i = 0; i < sizeof(needs) / sizeof(needs[0]); i++)
		known |= needs[i].bit;
	if (needs_mask & ~known) {
		if (cap)
			snprintf(msg, cap, "internal error: unknown privilege bits 0x%x",
				 needs_mask & ~known);
		return -EINVAL;
	}
	if (capng_get_caps_process() < 0) {
		if (cap)
			snprintf(msg, cap, "cannot read this process's capabilities");
		return -EIO;
	}
	for (i = 0; i < sizeof(needs) / sizeof(needs[0]); i++) {
		bool short_of = false;

		if (!(needs_mask & needs[i].bit))
			continue;
		for (k = 0; k < MAX_CAPS && needs[i].caps[k] >= 0; k++) {
			const char *name = cap_name(needs[i].caps[k]);

			if (capng_have_capability(CAPNG_EFFECTIVE, (unsigned)needs[i].caps[k]))
				continue;
			short_of = true;
			for (m = 0; m < nmiss && strcmp(missing[m], name); m++)
				;
			if (m == nmiss && nmiss < sizeof(missing) / sizeof(missing[0]))
				missing[nmiss++] = name;
		}
		if (short_of)
			whats[nwhat++] = needs[i].what;
	}
	if (nmiss) {
		if (cap) {
			join(msg, cap, whats, nwhat);
			k = strlen(msg);
			snprintf(msg + k, cap - k, " %s ", nwhat > 1 ? "need" : "needs");
			join(msg, cap, missing, nmiss);
			k = strlen(msg);
			snprintf(msg + k, cap - k, "; run as root");
		}
		return -EPERM;
	}
	/* The capability is not enough where the device node is root-only;
	 * check as the kernel will, with the effective ids. */
	if ((needs_mask & NR_PRIV_TUNTAP) &&
	    faccessat(AT_FDCWD, "/dev/net/tun", R_OK | W_OK, AT_EACCESS) < 0) {
		int e = -errno;

		if (cap)
			snprintf(msg, cap,
				 "creating TUN/TAP devices needs read-write access to /dev/net/tun "
				 "(%s); run as root",
				 strerror(-e));
		return e;
	}
	return 0;
}

static int last_cap(void)
{
	char buf[16] = "";
	int fd, v = CAP_LAST_CAP;
	ssize_t n;

	/* The running kernel may know more capabilities than our headers. */
	fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		if (n > 0 && sscanf(buf, "%d", &v) != 1)
			v = CAP_LAST_CAP;
		close(fd);
	}
	return v < 63 ? v : 63;
}

uint64_t nr_priv_default_keep(bool other_user)
{
	return other_user ? NR_PRIV_USER_KEEP : NR_PRIV_DEFAULT_KEEP;
}

int nr_priv_parse_caps(const char *list, uint64_t *ret)
{
	char name[64];
	uint64_t keep = 0;
	const char *p = list;

	if (!list || !ret)
		return -EINVAL;
	if (!strcmp(list, "none")) {
		*ret = 0;
		return 0;
	}
	for (;;) {
		size_t n = strcspn(p, ",");
		int c;

		if (n == 0 || n >= sizeof(name))
			return -EINVAL;
		memcpy(name, p, n);
		name[n] = '\0';
		/* libcap-ng knows the names without "cap_", case-insensitively. */
		c = capng_name_to_capability(strncasecmp(name, "cap_", 4) ? name : name + 4);
		if (c < 0 || c > 63)
			return -EINVAL;
		keep |= 1ull << c;
		if (!p[n])
			break;
		p += n + 1;
	}
	*ret = keep;
	return 0;
}

int nr_priv_drop_for_exec(const struct nr_priv_drop *how)
{
	int last = last_cap(), c;
	bool root_after;

	if (!how)
		return -EINVAL;
	if (how->keep >> (last + 1))
		return -EINVAL;
	root_after = how->set_ids ? how->uid == 0 : geteuid() == 0;

	/* As root, exec would hand back every capability of the bounding
	 * set; SECBIT_NOROOT stops that while the bounding set stays whole
	 * (setcap programs still get theirs). Needs CAP_SETPCAP, so first. */
	if (root_after) {
		int bits = prctl(PR_GET_SECUREBITS);

		if (bits < 0 ||
		    prctl(PR_SET_SECUREBITS, (unsigned long)bits | SECBIT_NOROOT, 0, 0, 0) < 0)
			return -errno;
	}
	if (how->set_ids) {
		/* Keep the permitted set across setresuid; the sets are cut
		 * down to how->keep right after. */
		if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
			return -errno;
		if (setgroups(0, NULL) < 0 || setresgid(how->gid, how->gid, how->gid) < 0 ||
		    setresuid(how->uid, how->uid, how->uid) < 0)
			return -errno;
		if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
			return -errno;
	}
	capng_clear(CAPNG_SELECT_CAPS);
	capng_clear(CAPNG_SELECT_AMBIENT);
	for (c = 0; c <= last; c++) {
		if (!(how->keep & (1ull << c)))
			continue;
		if (capng_update(CAPNG_ADD,
				 (capng_type_t)(CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_INHERITABLE |
						CAPNG_AMBIENT),
				 (unsigned)c) < 0)
			return -EINVAL;
	}
	/* Caps first (ambient needs each one permitted and inheritable),
	 * then ambient; the bounding set is never applied. */
	if (capng_apply(CAPNG_SELECT_CAPS) < 0)
		return -EPERM;
	if (capng_apply(CAPNG_SELECT_AMBIENT) < 0)
		return -EPERM;
	if (how->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	return 0;
}
