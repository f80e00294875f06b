/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Named network namespaces, made the way `ip netns add` makes them so that
 * `ip netns list/exec` see ours: /run/netns is a shared mount, and
 * /run/netns/NAME is a bind mount of a namespace's nsfs file.
 *
 * Speed matters (labs make hundreds): instead of a forked child per
 * namespace, the calling thread unshares a new network namespace, binds
 * it, and setns()es back. unshare(CLONE_NEWNET) and setns() act on the
 * calling thread only, so the rest of the process is never moved.
 */
#include "netrig/kbuild.h"
#include "netrig/nlsock.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>

#define RUN_DIR "/run/netns"

static int check_name(const char *name, struct nr_os_error *err)
{
	size_t n;

	if (!name || !*name)
		return nr_os_error_set(err, -EINVAL, "empty namespace name");
	n = strlen(name);
	if (n > NAME_MAX)
		return nr_os_error_set(err, -ENAMETOOLONG,
				       "namespace name of %zu characters (at most %d)", n, NAME_MAX);
	/* iproute2's rule: one file name under /run/netns. */
	if (strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return nr_os_error_set(err, -EINVAL, "bad namespace name '%s'", name);
	return 0;
}

/*
 * /run/netns must be a shared mount so that a namespace bound in it is
 * seen from mount namespaces made later (ip netns exec makes one). As
 * iproute2 does: make it shared; if it is not a mount point yet (EINVAL),
 * bind it onto itself first.
 */
int nr_knetns_prepare(struct nr_os_error *err)
{
	int r;

	if (mkdir(RUN_DIR, 0755) < 0 && errno != EEXIST) {
		r = -errno;
		return nr_os_error_set(err, r, "creating %s: %s", RUN_DIR, strerror(-r));
	}
	if (mount("", RUN_DIR, "none", MS_SHARED | MS_REC, NULL) == 0)
		return 0;
	if (errno != EINVAL)
		goto fail;
	if (mount(RUN_DIR, RUN_DIR, "none", MS_BIND | MS_REC, NULL) < 0)
		goto fail;
	if (mount("", RUN_DIR, "none", MS_SHARED | MS_REC, NULL) < 0)
		goto fail;
	return 0;
fail:
	r = -errno;
	if (r == -EPERM)
		return nr_os_error_set(err, r,
				       "mounting %s: creating namespaces needs CAP_SYS_ADMIN; run as root",
				       RUN_DIR);
	return nr_os_error_set(err, r, "mounting %s: %s", RUN_DIR, strerror(-r));
}

/* Write sysctls into the namespace the calling thread is in. */
static int write_sysctls(const char *name, const struct nr_knetns_sysctl *s, size_t n,
			 size_t *ret_failed, struct nr_os_error *err)
{
	char path[256];

	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(s[i].value);
		ssize_t w;
		int fd, r;

		snprintf(path, sizeof(path), "/proc/sys/%s", s[i].path);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT && !s[i].required)
			continue;
		if (fd < 0) {
			r = -errno;
			if (ret_failed)
				*ret_failed = i;
			if (r == -ENOENT)
				return nr_os_error_set(err, r, "unknown sysctl (no %s)", path);
			return nr_os_error_set(err, r, "namespace '%s': %s: %s", name, path,
					       strerror(-r));
		}
		w = write(fd, s[i].value, len);
		r = w < 0 ? -errno : (size_t)w == len ? 0 : -EIO;
		close(fd);
		if (r < 0) {
			if (ret_failed)
				*ret_failed = i;
			if (r == -EINVAL)
				return nr_os_error_set(err, r, "%s: value '%.64s' refused by the kernel",
						       path, s[i].value);
			return nr_os_error_set(err, r, "namespace '%s': %s = %s: %s", name, path,
					       s[i].value, strerror(-r));
		}
	}
	return 0;
}

int nr_knetns_create(const char *name, struct nr_os_error *err)
{
	int r = check_name(name, err);

	if (r == 0)
		r = nr_knetns_prepare(err);
	if (r == 0)
		r = nr_knetns_create_in(name, false, NULL, 0, err);
	return r;
}

static int taken(const char *name, const char *path, int r, struct nr_os_error *err)
{
	if (r == -EEXIST)
		return nr_os_error_set(err, r, "namespace '%s' exists (see 'ip netns list')", name);
	return nr_os_error_set(err, r, "creating %s: %s", path, strerror(-r));
}

/*
 * A mount point needs a file, and a new inode per namespace is what
 * costs most after the namespace itself where /run is not a tmpfs (ext4
 * searches its bitmaps past recently deleted inodes). Mount points are
 * names, not inodes: one empty file with n links serves them all, and
 * link() fails on a taken name as O_EXCL does.
 */
int nr_knetns_reserve(const char *const *names, size_t n, struct nr_os_error *err)
{
	char first[sizeof(RUN_DIR) + NAME_MAX + 1], path[sizeof(RUN_DIR) + NAME_MAX + 1];
	size_t i;
	int fd, r = 0;

	for (i = 0; i < n; i++) {
		r = check_name(names[i], err);
		if (r < 0)
			return r;
	}
	if (n == 0)
		return 0;
	snprintf(first, sizeof(first), "%s/%s", RUN_DIR, names[0]);
	fd = open(first, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0)
		return taken(names[0], first, -errno, err);
	close(fd);
	for (i = 1; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", RUN_DIR, names[i]);
		if (link(first, path) < 0) {
			r = taken(names[i], path, -errno, err);
			break;
		}
	}
	if (r == 0)
		return 0;
	while (i-- > 0) {
		snprintf(path, sizeof(path), "%s/%s", RUN_DIR, names[i]);
		unlink(path);
	}
	return r;
}

int nr_knetns_create_in(const char *name, bool reserved, const struct nr_knetns_sysctl *sysctls,
			size_t n, struct nr_os_error *err)
{
	struct nr_knetns_create_opts o = { .reserved = reserved, .sysctls = sysctls, .nsysctls = n };

	return nr_knetns_create_with(name, &o, err);
}

int nr_knetns_create_with(const char *name, const struct nr_knetns_create_opts *o,
			  struct nr_os_error *err)
{
	char path[sizeof(RUN_DIR) + NAME_MAX + 1];
	int r, fd = -1, orig = o->have_home ? o->home_fd : -1;
	bool made_file = o->reserved, moved = false, mounted = false;

	r = check_name(name, err);
	if (r < 0)
		return r;
	snprintf(path, sizeof(path), "%s/%s", RUN_DIR, name);

	/* O_EXCL makes a taken name fail before anything is made. */
	if (!o->reserved) {
		fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
		if (fd < 0) {
			r = taken(name, path, -errno, err);
			goto out;
		}
		made_file = true;
		close(fd);
		fd = -1;
	}

	if (!o->have_home) {
		orig = nr_ns_thread_save(err);
		if (orig < 0) {
			r = orig;
			goto out;
		}
	}
	if (unshare(CLONE_NEWNET) < 0) {
		r = -errno;
		if (r == -EPERM)
			nr_os_error_set(err, r,
					"namespace '%s': creating namespaces needs CAP_SYS_ADMIN; "
					"run as root",
					name);
		else
			nr_os_error_set(err, r, "namespace '%s': unshare: %s", name, strerror(-r));
		goto out;
	}
	moved = true;
	r = write_sysctls(name, o->sysctls, o->nsysctls, o->ret_failed_sysctl, err);
	if (r < 0)
		goto out;
	if (mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL) < 0) {
		r = -errno;
		nr_os_error_set(err, r, "namespace '%s': binding onto %s: %s", name, path,
				strerror(-r));
		goto out;
	}
	mounted = true;
	r = o->inside ? o->inside(o->arg, err) : 0;
out:
	/* A failure after the bind loses the name again: the namespace then
	 * dies below with the thread's reference. */
	if (r < 0 && mounted)
		umount2(path, MNT_DETACH);
	/* The thread goes back whatever happened; the new namespace lives on
	 * through its bind mount, or dies here with its last reference. */
	if (moved) {
		char what[NAME_MAX + 16];

		snprintf(what, sizeof(what), "namespace '%s'", name);
		nr_ns_thread_return(orig, what);
	}
	if (r < 0 && made_file)
		unlink(path);
	if (orig >= 0 && !o->have_home)
		close(orig);
	return r;
}

int nr_knetns_delete(const char *name, struct nr_os_error *err)
{
	char path[sizeof(RUN_DIR) + NAME_MAX + 1];
	bool unmounted;
	int r;

	r = check_name(name, err);
	if (r < 0)
		return r;
	snprintf(path, sizeof(path), "%s/%s", RUN_DIR, name);
	/* MNT_DETACH: users of the namespace (processes, open fds) keep it
	 * alive; the kernel reclaims it when the last one goes. */
	unmounted = umount2(path, MNT_DETACH) == 0;
	if (!unmounted && errno != EINVAL && errno != ENOENT) {
		r = -errno;
		return nr_os_error_set(err, r, "unmounting %s: %s", path, strerror(-r));
	}
	if (unlink(path) < 0) {
		r = -errno;
		if (r == -ENOENT && !unmounted)
			return nr_os_error_set(err, r, "no namespace '%s'", name);
		if (r != -ENOENT)
			return nr_os_error_set(err, r, "removing %s: %s", path, strerror(-r));
	}
	return 0;
}

bool nr_knetns_exists(const char *name)
{
	char path[sizeof(RUN_DIR) + NAME_MAX + 1];
	struct statfs sf;

	if (check_name(name, NULL) < 0)
		return false;
	snprintf(path, sizeof(path), "%s/%s", RUN_DIR, name);
	/* A plain file left by a crash is not a namespace. */
	return statfs(path, &sf) == 0 && (unsigned long)sf.f_type == NSFS_MAGIC;
}
