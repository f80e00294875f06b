/* SPDX-License-Identifier: BSD-2-Clause */
#include "options.h"
#include "cli.h"

#include "netrig/netns.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The message for err, with the exit code nr_cli_exit_for gives it. */
static int load_error(const char *netns, const struct nr_os_error *e, int err, const char *doing)
{
	const char *what = e->msg[0] ? e->msg : strerror(-err);
	int code = nr_cli_exit_for(err);

	if (err == -EPERM || err == -EACCES) {
		if (netns && *netns)
			return nr_cli_error(
			    NR_EXIT_ENV,
			    "%s namespace '%s' needs CAP_SYS_ADMIN and CAP_NET_ADMIN "
			    "(%s); run as root, e.g. 'sudo netrig ...'",
			    doing, netns, what);
		return nr_cli_error(NR_EXIT_ENV,
				    "%s this namespace needs CAP_NET_ADMIN (%s); run as root",
				    doing, what);
	}
	if (err == -ENOMEM)
		return nr_cli_error(code, "%s %s%s%s: out of memory", doing,
				    netns && *netns ? "namespace '" : "this namespace",
				    netns && *netns ? netns : "", netns && *netns ? "'" : "");
	if (netns && *netns)
		return nr_cli_error(code, "%s namespace '%s': %s", doing, netns, what);
	return nr_cli_error(code, "%s this namespace: %s", doing, what);
}

int nr_cli_load(const char *netns, unsigned what, struct nr_stack **ret_stack)
{
	struct nr_os_error e = {0};
	struct nr_netns *ns = NULL;
	struct nr_stack *s = NULL;
	int r;

	r = nr_netns_open(netns, &ns, &e);
	if (r == -ENOENT && netns && *netns) {
		r = nr_cli_error(nr_cli_exit_for(r), "no namespace '%s' (see 'ip netns list')",
				 netns);
		goto out;
	}
	if (r == -EINVAL || r == -ENAMETOOLONG) {
		/* Bad input, not the environment: e.g. --netns .. or a name with a slash. */
		r = nr_cli_error(nr_cli_exit_for(r),
				 "--netns: %s (expected a name under /run/netns, a path, or pid:PID)",
				 e.msg[0] ? e.msg : strerror(-r));
		goto out;
	}
	if (r < 0) {
		r = load_error(netns, &e, r, "entering");
		goto out;
	}
	s = nr_stack_new();
	if (!s) {
		r = nr_cli_error(nr_cli_exit_for(-ENOMEM), "out of memory");
		goto out;
	}
	memset(&e, 0, sizeof(e));
	r = nr_os_load(ns, s, what, &e);
	if (r < 0) {
		r = load_error(netns, &e, r, "reading the tables of");
		goto out;
	}
	if (e.msg[0])
		fprintf(stderr, "netrig: warning: %s\n", e.msg);
	*ret_stack = s;
	s = NULL;
	r = 0;
out:
	nr_stack_free(s);
	nr_netns_close(ns);
	return r;
}

int nr_parse_u32(const char *s, uint32_t *ret)
{
	unsigned long long v;
	char *end;

	/* strtoull accepts a sign and leading blanks; a mark is neither. */
	if (!*s || *s == '-' || *s == '+' || *s == ' ' || *s == '\t')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || v > UINT32_MAX)
		return -ERANGE;
	*ret = (uint32_t)v;
	return 0;
}
