/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Reaching a network namespace: open it by name, path or pid, and run a
 * function with the calling thread inside it. setns() is per thread, so
 * other threads of the process are never moved.
 */
#include "netrig/netns.h"
#include "netrig/nlsock.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/nsfs.h>

#define NR_NETNS_RUN_DIR "/run/netns"

struct nr_netns {
	int fd;
	char name[NAME_MAX + 1]; /* empty unless opened by name */
	char what[PATH_MAX];     /* for messages: "namespace 'x'", "/proc/1/ns/net" */
};

int nr_os_error_set(struct nr_os_error *err, int e, const char *fmt, ...)
{
	if (err) {
		va_list ap;

		err->err = e;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return e;
}

static bool valid_name(const char *s)
{
	size_t n = strlen(s);

	/* iproute2's rule: a file name under /run/netns, nothing more. */
	return n > 0 && n <= NAME_MAX && !strchr(s, '/') && strcmp(s, ".") != 0 &&
	       strcmp(s, "..") != 0;
}

static int parse_pid(const char *s, long *ret)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v <= 0 || v > INT_MAX)
		return -EINVAL;
	*ret = v;
	return 0;
}

int nr_netns_open(const char *spec, struct nr_netns **ret, struct nr_os_error *err)
{
	struct nr_netns *ns = NULL;
	char path[PATH_MAX];
	const char *name = "";
	int r, fd = -1, type;

	if (!spec || !*spec) {
		/* The calling thread's namespace, not the process's: they differ
		 * inside nr_netns_run. */
		snprintf(path, sizeof(path), "/proc/thread-self/ns/net");
	} else if (!strncmp(spec, "pid:", 4)) {
		long pid;

		if (parse_pid(spec + 4, &pid) < 0) {
			r = nr_os_error_set(err, -EINVAL, "bad namespace '%s' (expected pid:NUMBER)",
					    spec);
			goto out;
		}
		snprintf(path, sizeof(path), "/proc/%ld/ns/net", pid);
	} else if (strchr(spec, '/')) {
		if (strlen(spec) >= sizeof(path)) {
			r = nr_os_error_set(err, -ENAMETOOLONG, "namespace path too long");
			goto out;
		}
		snprintf(path, sizeof(path), "%s", spec);
	} else {
		if (!valid_name(spec)) {
			r = nr_os_error_set(err, -EINVAL, "bad namespace name '%s'", spec);
			goto out;
		}
		snprintf(path, sizeof(path), "%s/%s", NR_NETNS_RUN_DIR, spec);
		name = spec;
	}

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		if (r == -ENOENT && *name)
			nr_os_error_set(err, r, "no namespace '%s' (see 'ip netns list')", name);
		else if (r == -ENOENT && spec && !strncmp(spec, "pid:", 4))
			nr_os_error_set(err, r, "no process %s", spec + 4);
		else if (r == -EPERM || r == -EACCES)
			nr_os_error_set(err, r,
					"opening %s: %s (reading another namespace needs "
					"CAP_SYS_ADMIN; run as root)",
					path, strerror(-r));
		else
			nr_os_error_set(err, r, "opening %s: %s", path, strerror(-r));
		goto out;
	}

	/* A plain file left in /run/netns (failed `ip netns add`) is not a
	 * namespace; say so now rather than fail later in setns. */
	type = ioctl(fd, NS_GET_NSTYPE);
	if (type != CLONE_NEWNET) {
		r = nr_os_error_set(err, -EINVAL, "%s is not a network namespace", path);
		goto out;
	}

	ns = calloc(1, sizeof(*ns));
	if (!ns) {
		r = nr_os_error_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	ns->fd = fd;
	fd = -1;
	snprintf(ns->name, sizeof(ns->name), "%s", name);
	if (*name)
		snprintf(ns->what, sizeof(ns->what), "namespace '%s'", name);
	else if (!spec || !*spec)
		snprintf(ns->what, sizeof(ns->what), "own namespace");
	else
		snprintf(ns->what, sizeof(ns->what), "%s", path);
	*ret = ns;
	ns = NULL;
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	free(ns);
	return r;
}

void nr_netns_close(struct nr_netns *ns)
{
	if (!ns)
		return;
	close(ns->fd);
	free(ns);
}

const char *nr_netns_name(const struct nr_netns *ns)
{
	return ns->name;
}

const char *nr_netns_what(const struct nr_netns *ns)
{
	return ns->what;
}

static bool same_ns(int a, int b)
{
	struct stat sa, sb;

	if (fstat(a, &sa) < 0 || fstat(b, &sb) < 0)
		return false;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* include/linux/proc_ns.h: the initial network namespace's inode on recent kernels. */
#define NR_PROC_NET_INIT_INO 0xeffffff9u

int nr_netns_is_host(const struct nr_netns *ns, bool *ret)
{
	/* pid 1's is the root namespace; self and thread-self differ inside nr_netns_run. */
	static const char *const paths[] = {"/proc/1/ns/net", "/proc/self/ns/net",
					    "/proc/thread-self/ns/net"};
	struct stat me, st;
	bool host = false;

	if (!ns || !ret)
		return -EINVAL;
	if (fstat(ns->fd, &me) < 0)
		return -errno;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		/* stat, not open: no fd to leak, and an unreadable file is an error, not "no". */
		if (stat(paths[i], &st) < 0) {
			/*
			 * pid 1 out of reach (ptrace rules: it runs under another
			 * user namespace, as in a container sandbox): then pid:1 and
			 * /proc/1/ns/net cannot be opened either. Recent kernels
			 * give the initial namespace a fixed inode
			 * (PROC_NET_INIT_INO): catch it under any other name too.
			 */
			if (i == 0 && (errno == EACCES || errno == EPERM)) {
				if (me.st_ino == NR_PROC_NET_INIT_INO)
					host = true;
				continue;
			}
			return -errno;
		}
		if (st.st_dev == me.st_dev && st.st_ino == me.st_ino)
			host = true;
	}
	*ret = host;
	return 0;
}

int nr_ns_thread_save(struct nr_os_error *err)
{
	int fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	int e = errno;

	if (fd < 0)
		return nr_os_error_set(err, -e, "opening /proc/thread-self/ns/net: %s", strerror(e));
	return fd;
}

void nr_ns_thread_return(int saved, const char *from)
{
	int e;

	if (setns(saved, CLONE_NEWNET) == 0)
		return;
	e = errno;
	fprintf(stderr,
		"netrig: fatal: cannot return from %s to the original network namespace: %s\n",
		from, strerror(e));
	abort();
}

int nr_netns_run(struct nr_netns *ns, int (*fn)(void *arg), void *arg, struct nr_os_error *err)
{
	int orig, r;

	orig = nr_ns_thread_save(err);
	if (orig < 0)
		return orig;
	/* Already there: no setns, so no CAP_SYS_ADMIN needed. */
	if (same_ns(orig, ns->fd)) {
		r = fn(arg);
		goto out;
	}
	if (setns(ns->fd, CLONE_NEWNET) < 0) {
		r = -errno;
		if (r == -EPERM)
			nr_os_error_set(err, r,
					"entering %s: entering a network namespace needs "
					"CAP_SYS_ADMIN; run as root",
					ns->what);
		else
			nr_os_error_set(err, r, "entering %s: %s", ns->what, strerror(-r));
		goto out;
	}
	r = fn(arg);
	nr_ns_thread_return(orig, ns->what);
out:
	close(orig);
	return r;
}
