/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the table-reading subcommands share: loading a namespace's tables
 * with the user-facing errors of the command line contract, and number
 * parsing for options.
 */
#ifndef NETRIG_OPTIONS_H
#define NETRIG_OPTIONS_H

#include "netrig/stack.h"

#include <stdint.h>

/*
 * Open the namespace `netns` (NULL: netrig's own) and load the tables
 * `what` (NR_OS_* bits) into a new stack. On failure prints the error
 * ("netrig: no namespace 'x' (see 'ip netns list')", the privilege
 * needed, or the kernel's message) and returns its exit code
 * (nr_cli_exit_for: NR_EXIT_USAGE for a malformed --netns, NR_EXIT_ENV
 * for a missing namespace or privileges, NR_EXIT_FAIL otherwise, out of
 * memory and malformed kernel answers included); 0 with *ret_stack set.
 */
int nr_cli_load(const char *netns, unsigned what, struct nr_stack **ret_stack);

/* Decimal or 0x hex, the whole string, fitting 32 bits. -EINVAL, -ERANGE. */
int nr_parse_u32(const char *s, uint32_t *ret);

#endif
