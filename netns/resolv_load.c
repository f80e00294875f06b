/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The I/O half of the nameserver table: find the resolv.conf a namespace
 * sees (see netrig/resolv_load.h), read it with a size cap, hand the text
 * to the pure parser in stack/tables/resolv.c.
 */
#include "netrig/resolv_load.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* iproute2's is_valid_netns_name(). */
static bool netns_name_ok(const char *name)
{
	size_t n = strlen(name);

	return n > 0 && n <= NAME_MAX && !strchr(name, '/') && strcmp(name, ".") != 0 &&
	       strcmp(name, "..") != 0;
}

/* Read all of fd, at most NR_RESOLV_FILE_MAX bytes. */
static int read_capped(int fd, char **ret_buf, size_t *ret_len)
{
	char *buf = malloc(NR_RESOLV_FILE_MAX + 1);
	size_t len = 0;
	int r = 0;

	if (!buf)
		return -ENOMEM;
	/* One byte more than allowed tells a full file from a too-big one. */
	while (len < NR_RESOLV_FILE_MAX + 1) {
		ssize_t n = read(fd, buf + len, NR_RESOLV_FILE_MAX + 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > NR_RESOLV_FILE_MAX) {
		r = -EFBIG;
		goto out;
	}
	*ret_buf = buf;
	*ret_len = len;
	buf = NULL;
out:
	free(buf);
	return r;
}

static int open_first(const char *root, const char *ns_name, char *path, size_t cap)
{
	int fd, n;

	if (ns_name && *ns_name) {
		n = snprintf(path, cap, "%s/etc/netns/%s/resolv.conf", root, ns_name);
		if (n < 0 || (size_t)n >= cap)
			return -ENAMETOOLONG;
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		/* Only a missing file means "not configured for this namespace". */
		if (fd >= 0 || (errno != ENOENT && errno != ENOTDIR))
			return fd >= 0 ? fd : -errno;
	}
	n = snprintf(path, cap, "%s/etc/resolv.conf", root);
	if (n < 0 || (size_t)n >= cap)
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	return fd >= 0 ? fd : -errno;
}

int nr_resolv_load_at(const char *root, const char *ns_name, struct nr_resolv *r,
		      char *ret_path, size_t path_cap)
{
	char path[PATH_MAX];
	char *text = NULL;
	size_t len = 0;
	int fd = -1, ret;

	if (!r)
		return -EINVAL;
	nr_resolv_clear(r);
	if (ns_name && *ns_name && !netns_name_ok(ns_name))
		return -EINVAL;
	if (!root || strcmp(root, "/") == 0)
		root = "";
	fd = open_first(root, ns_name, path, sizeof(path));
	if (fd < 0) {
		ret = fd;
		goto out;
	}
	if (ret_path && path_cap > strlen(path))
		strcpy(ret_path, path);
	ret = read_capped(fd, &text, &len);
	if (ret < 0)
		goto out;
	ret = nr_resolv_parse(r, text, len);
out:
	if (fd >= 0)
		close(fd);
	free(text);
	return ret;
}

int nr_resolv_load(const char *ns_name, struct nr_resolv *r, char *ret_path, size_t path_cap)
{
	return nr_resolv_load_at(NULL, ns_name, r, ret_path, path_cap);
}

int nr_resolv_load_stack(const char *ns_name, struct nr_stack *s, char *ret_path,
			 size_t path_cap)
{
	struct nr_resolv *r = s ? nr_stack_resolv(s) : NULL;

	if (!r)
		return -EINVAL;
	return nr_resolv_load(ns_name, r, ret_path, path_cap);
}
