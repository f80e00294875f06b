/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Sysctls of a namespace. /proc/sys/net shows the network namespace of
 * the thread that opens the file, so the file is opened from a thread
 * inside the namespace (nr_netns_run); the fd keeps that namespace.
 *
 * Only net.* keys: everything else under /proc/sys is the host's, and a
 * lab must never change the host.
 */
#include "netrig/kbuild.h"
#include "netrig/nlsock.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define VALUE_MAX 4096

/*
 * "net.ipv4.ip_forward" -> /proc/sys/net/ipv4/ip_forward. As sysctl(8),
 * a key with '/' keeps its dots, for interface names with dots
 * ("net/ipv4/conf/eth0.5/rp_filter").
 */
static int key_path(const char *key, char *path, size_t cap, struct nr_os_error *err)
{
	bool slashes = strchr(key, '/') != NULL;
	size_t n = strlen(key), i, off;
	const char *p;

	if (n == 0 || n > 200)
		return nr_os_error_set(err, -EINVAL, "bad sysctl key '%.64s'", key);
	if (strncmp(key, "net.", 4) != 0 && strncmp(key, "net/", 4) != 0)
		return nr_os_error_set(err, -EINVAL,
				       "sysctl '%s' is not per namespace (only net.* keys are)",
				       key);
	/* No way out of /proc/sys/net: no empty, "." or ".." components. */
	for (p = key; *p;) {
		const char *end = p + strcspn(p, slashes ? "/" : "./");
		size_t len = (size_t)(end - p);

		if (len == 0 || (len == 1 && p[0] == '.') || (len == 2 && !strncmp(p, "..", 2)))
			return nr_os_error_set(err, -EINVAL, "bad sysctl key '%s'", key);
		p = *end ? end + 1 : end;
		if (*end && !*p)
			return nr_os_error_set(err, -EINVAL, "bad sysctl key '%s'", key);
	}
	off = (size_t)snprintf(path, cap, "/proc/sys/");
	if (off + n >= cap)
		return nr_os_error_set(err, -ENAMETOOLONG, "sysctl key '%s' too long", key);
	for (i = 0; i < n; i++)
		path[off + i] = !slashes && key[i] == '.' ? '/' : key[i];
	path[off + n] = '\0';
	return 0;
}

int nr_ksysctl_path(const char *key, char *buf, size_t cap, struct nr_os_error *err)
{
	static const char proc[] = "/proc/sys/";
	char path[PATH_MAX];
	size_t n;
	int r;

	if (!key)
		return nr_os_error_set(err, -EINVAL, "sysctl: no key");
	r = key_path(key, path, sizeof(path), err);
	if (r < 0)
		return r;
	n = strlen(path + sizeof(proc) - 1);
	if (n >= cap)
		return nr_os_error_set(err, -ENAMETOOLONG, "sysctl key '%s' too long", key);
	memcpy(buf, path + sizeof(proc) - 1, n + 1);
	return 0;
}

struct sysctl_ctx {
	const char *path;
	int flags;
	int fd;
	bool ran;
};

static int open_inside(void *arg)
{
	struct sysctl_ctx *c = arg;

	c->ran = true;
	c->fd = open(c->path, c->flags | O_CLOEXEC);
	return c->fd < 0 ? -errno : 0;
}

static int open_key(struct nr_netns *ns, const char *key, int flags, int *ret_fd,
		    struct nr_os_error *err)
{
	char path[PATH_MAX];
	struct sysctl_ctx c = { .path = path, .flags = flags, .fd = -1 };
	int r;

	r = key_path(key, path, sizeof(path), err);
	if (r < 0)
		return r;
	if (ns) {
		r = nr_netns_run(ns, open_inside, &c, err);
		if (r < 0 && !c.ran)
			return r; /* entering failed; err says so */
		if (r < 0 && c.fd >= 0) {
			close(c.fd); /* opened, but leaving failed; err says so */
			return r;
		}
	} else {
		r = open_inside(&c);
	}
	if (r < 0) {
		if (r == -ENOENT)
			return nr_os_error_set(err, r, "unknown sysctl '%s' (no %s)", key, path);
		if (r == -EACCES || r == -EPERM)
			return nr_os_error_set(err, r,
					       "sysctl '%s': %s (writing sysctls needs root)", key,
					       strerror(-r));
		return nr_os_error_set(err, r, "sysctl '%s': %s", key, strerror(-r));
	}
	*ret_fd = c.fd;
	return 0;
}

int nr_ksysctl_set(struct nr_netns *ns, const char *key, const char *value,
		   struct nr_os_error *err)
{
	size_t len;
	ssize_t n;
	int fd, r;

	if (!key || !value)
		return nr_os_error_set(err, -EINVAL, "sysctl: no key or value");
	len = strlen(value);
	if (len == 0 || len > VALUE_MAX || strchr(value, '\n'))
		return nr_os_error_set(err, -EINVAL, "sysctl '%s': bad value", key);
	r = open_key(ns, key, O_WRONLY, &fd, err);
	if (r < 0)
		return r;
	/* One write: the kernel parses a sysctl write as a whole. */
	n = write(fd, value, len);
	if (n < 0) {
		r = -errno;
		if (r == -EINVAL)
			nr_os_error_set(err, r, "sysctl '%s': value '%.64s' refused by the kernel",
					key, value);
		else
			nr_os_error_set(err, r, "sysctl '%s' = '%.64s': %s", key, value,
					strerror(-r));
	} else if ((size_t)n != len) {
		r = nr_os_error_set(err, -EIO, "sysctl '%s': short write", key);
	} else {
		r = 0;
	}
	close(fd);
	return r;
}

int nr_ksysctl_get(struct nr_netns *ns, const char *key, char *buf, size_t cap,
		   struct nr_os_error *err)
{
	char tmp[VALUE_MAX + 1];
	size_t len = 0;
	ssize_t n;
	int fd, r;

	if (!key || !buf || cap == 0)
		return nr_os_error_set(err, -EINVAL, "sysctl: no key or buffer");
	r = open_key(ns, key, O_RDONLY, &fd, err);
	if (r < 0)
		return r;
	/* Bounded by the buffer: sysctl values are short. */
	while (len < VALUE_MAX && (n = read(fd, tmp + len, VALUE_MAX - len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			nr_os_error_set(err, r, "sysctl '%s': reading: %s", key, strerror(-r));
			goto out;
		}
		len += (size_t)n;
	}
	while (len && (tmp[len - 1] == '\n'))
		len--;
	tmp[len] = '\0';
	if (len >= cap) {
		r = nr_os_error_set(err, -ERANGE, "sysctl '%s': value longer than %zu", key, cap);
		goto out;
	}
	memcpy(buf, tmp, len + 1);
	r = 0;
out:
	close(fd);
	return r;
}
