/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The command line: one file per subcommand (cmd_*.c), each exporting one
 * nr_cmd_* entry point that main.c's table names.
 */
#ifndef NETRIG_CLI_H
#define NETRIG_CLI_H

#include <stdint.h>

/* Exit codes (DESIGN.md, "Command line contract"). */
enum nr_exit {
	NR_EXIT_OK = 0,    /* all passed / answered */
	NR_EXIT_FAIL = 1,  /* an assertion failed, a route was refused, a mismatch */
	NR_EXIT_USAGE = 2, /* bad input or usage */
	NR_EXIT_ENV = 3,   /* environment: privileges, missing namespace, kernel feature, tool */
};

struct nr_cmd {
	const char *name;
	int (*run)(int argc, char **argv); /* argv[0] is the subcommand name */
	const char *usage;                 /* one line, after "netrig " */
	const char *summary;
};

/* Print "netrig: " + message + newline to stderr; returns code. */
int nr_cli_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * The exit code for a failure reported as a negative errno, the same in
 * every command: bad input (-EINVAL, -ENAMETOOLONG) NR_EXIT_USAGE; the
 * environment (-EPERM, -EACCES, -ENOENT, -ENOPKG, -ENODEV: no such
 * device, -EBUSY: a device in use) NR_EXIT_ENV; anything
 * else, out of memory included, NR_EXIT_FAIL.
 */
int nr_cli_exit_for(int err);

/* A decimal number in [min, max] for an option: 0, or -EINVAL (nothing stored). */
int nr_cli_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *ret);

/* Subcommand entry points (one cmd_*.c each). */
int nr_cmd_show(int argc, char **argv);  /* cmd_show.c */
int nr_cmd_route(int argc, char **argv); /* cmd_route.c */
int nr_cmd_verify(int argc, char **argv); /* cmd_verify.c */
int nr_cmd_up(int argc, char **argv);    /* cmd_up.c */
int nr_cmd_down(int argc, char **argv);  /* cmd_down.c */
int nr_cmd_exec(int argc, char **argv);  /* cmd_exec.c */
int nr_cmd_list(int argc, char **argv);  /* cmd_list.c */
int nr_cmd_clean(int argc, char **argv); /* cmd_clean.c */
int nr_cmd_check(int argc, char **argv); /* cmd_check.c */
int nr_cmd_respond(int argc, char **argv); /* cmd_respond.c */
int nr_cmd_neigh(int argc, char **argv);   /* cmd_neigh.c */

#endif
