/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Internals of the Scapy bridge (bridge.c), visible to its unit tests: the
 * child runner, how its exit status is described, and the answer parser.
 */
#ifndef NETRIG_SCAPY_BRIDGE_INT_H
#define NETRIG_SCAPY_BRIDGE_INT_H

#include "scapy/scapy_model.h"

#include <stddef.h>

/*
 * The child's own exit codes, for failures before the program runs; the
 * reason travels on a separate pipe, so a program exiting with the same
 * code is not mistaken for them.
 */
#define NR_BRIDGE_EXIT_NETNS 125 /* could not enter the namespace */
#define NR_BRIDGE_EXIT_EXEC 126  /* could not start the program */

struct nr_bridge_child {
	char *out, *err; /* stdout and stderr as collected, NUL-terminated (or NULL) */
	size_t nout, nerr;
	int status;      /* waitpid() status */
};

/*
 * Run argv (argv[0] an absolute path) inside ns (NULL: here) with input on
 * its stdin, collecting stdout and stderr, within timeout_ms. 0 with ret
 * filled once the child has exited, whatever its status; a negative errno
 * with errmsg set when it could not be run (entering ns, exec: the child's
 * own errno), timed out (-ETIMEDOUT, the child killed and reaped) or
 * memory ran out. Free ret with nr_bridge_child_done.
 */
int nr_bridge_child_run(struct nr_netns *ns, char *const argv[], const char *input, size_t n,
			unsigned timeout_ms, struct nr_bridge_child *ret, char *errmsg, size_t cap);
void nr_bridge_child_done(struct nr_bridge_child *c);

/*
 * How the child ended, for a message: "exited with N" or "killed by signal
 * N (Name)", then ": " and the line of err that says why (the first; for a
 * Python traceback the last, the exception), when err has one.
 */
void nr_bridge_status_text(int status, const char *err, char *buf, size_t cap);

/*
 * Parse bridge.py's JSON into res (zeroed by the caller; free it with
 * nr_scapy_bridge_result_free even on failure). -EPROTO with errmsg naming
 * the first field that is missing, of the wrong type or out of range;
 * -ENOMEM.
 */
int nr_bridge_parse(const char *text, struct nr_scapy_bridge_result *res, char *errmsg,
		    size_t cap);

#endif
