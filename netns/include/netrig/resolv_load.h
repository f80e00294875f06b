/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Reading a namespace's resolv.conf: the file `ip netns exec NAME` shows
 * as /etc/resolv.conf. iproute2 bind-mounts every file of
 * /etc/netns/NAME/ over /etc/, so /etc/netns/NAME/resolv.conf wins when it
 * exists; otherwise the namespace sees the host's /etc/resolv.conf (a
 * network namespace has no files of its own).
 */
#ifndef NETRIG_RESOLV_LOAD_H
#define NETRIG_RESOLV_LOAD_H

#include "netrig/resolv.h"
#include "netrig/stack.h"

#include <stddef.h>

/* Largest resolv.conf read; real ones are a few hundred bytes. */
#define NR_RESOLV_FILE_MAX (64u * 1024u)

/*
 * Parse the resolv.conf namespace ns_name sees into r (NULL or "" for the
 * caller's own: /etc/resolv.conf). root prefixes both paths (NULL or "" for
 * "/"; tests use a scratch directory). The path of the file opened is
 * copied to ret_path when given and it fits.
 * Returns 0; -ENOENT when neither file exists (r is cleared: glibc then
 * queries 127.0.0.1); -EFBIG over NR_RESOLV_FILE_MAX; -EINVAL for a name
 * iproute2 would refuse (empty after "/", ".", "..", containing '/', too
 * long); -ENAMETOOLONG; or the open/read errno (-EACCES, -EISDIR...).
 * On error r is left cleared.
 */
int nr_resolv_load_at(const char *root, const char *ns_name, struct nr_resolv *r,
		      char *ret_path, size_t path_cap);
int nr_resolv_load(const char *ns_name, struct nr_resolv *r, char *ret_path, size_t path_cap);
/* The same, into the stack's nameservers (nr_stack_resolv). */
int nr_resolv_load_stack(const char *ns_name, struct nr_stack *s, char *ret_path,
			 size_t path_cap);

#endif
