/* SPDX-License-Identifier: BSD-2-Clause */
/* netrig check FILE...: validate topology files; no side effects at all. */
#include "cli.h"
#include "topo/topo.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char check_usage[] =
	"usage: netrig check FILE...\n"
	"\n"
	"Load and validate each topology file (syntax, schema, references,\n"
	"addresses) without creating anything. Errors read FILE:LINE:COL: message,\n"
	"with the source line and a caret. A file whose name starts with '-'\n"
	"needs '--' before it.\n"
	"\n"
	"exit: 0 every file is valid, 2 one or more is not\n";

int nr_cmd_check(int argc, char **argv)
{
	int bad = 0;

	if (argc < 2) {
		fputs(check_usage, stderr);
		return NR_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(check_usage, stdout);
		return NR_EXIT_OK;
	}
	for (int i = 1; i < argc; i++) {
		struct nr_topo_error err = { 0 };
		struct nr_topo *t = NULL;
		int r;

		if (!strcmp(argv[i], "--") && i == 1)
			continue;
		/* An unknown option is a usage error, not a missing file; a
		 * leading "--" lets file names start with '-'. */
		if (argv[i][0] == '-' && argv[i][1] && strcmp(argv[1], "--")) {
			nr_cli_error(NR_EXIT_USAGE, "check: unknown option '%s'", argv[i]);
			fputs(check_usage, stderr);
			return NR_EXIT_USAGE;
		}
		r = nr_topo_load_file(argv[i], &t, &err);
		if (r == -EINVAL) {
			nr_topo_error_print(&err, stderr);
			bad++;
		} else if (r < 0) {
			nr_cli_error(NR_EXIT_USAGE, "%s: %s", argv[i], strerror(-r));
			bad++;
		} else {
			printf("%s: ok (%s: %zu node%s, %zu link%s)\n", argv[i], t->name, t->nnodes,
			       t->nnodes == 1 ? "" : "s", t->nlinks, t->nlinks == 1 ? "" : "s");
			nr_topo_free(t);
		}
	}
	return bad ? NR_EXIT_USAGE : NR_EXIT_OK;
}
