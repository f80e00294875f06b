/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * netrig clean: remove what dead runs left (their keeper or `up` was
 * killed), never a live run's objects; see netns/run.h for how "dead" is
 * decided (the journal's lock) and why orphan namespaces are safe to take.
 */
#include "cli.h"
#include "priv.h"

#include "netrig/run.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

static const char clean_usage[] =
	"usage: netrig clean [--timeout S]\n"
	"\n"
	"Remove the namespaces (and with them links and TUN/TAP devices) and\n"
	"journals of runs whose keeper is gone, and namespaces named nr-RUN-*\n"
	"that no journal accounts for when netrig's tag on their lo proves netrig\n"
	"made them (those are only unlinked: processes inside are left alone).\n"
	"Live runs are never touched. Prints what was removed.\n"
	"\n"
	"  --timeout S  per run, wait at most S seconds for the kernel (default 10)\n"
	"\n"
	"exit: 0 clean, 1 something could not be removed, 3 privileges\n";

struct tally {
	size_t runs, orphans, failed;
};

static void report(const struct nr_run_clean_event *ev, void *arg)
{
	struct tally *t = arg;

	if (ev->err) {
		t->failed++;
		fprintf(stderr, "netrig: clean: %s %s: %s\n", ev->nsname ? "namespace" : "run",
			ev->nsname ? ev->nsname : ev->id, ev->msg);
	} else if (ev->nsname) {
		t->orphans++;
		printf("removed namespace %s (run %s, no journal)\n", ev->nsname, ev->id);
	} else {
		t->runs++;
		printf("removed run %s (%s): %zu namespace%s\n", ev->id, ev->name, ev->ns_deleted,
		       ev->ns_deleted == 1 ? "" : "s");
	}
}

int nr_cmd_clean(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct nr_os_error err = { 0 };
	struct tally t = { 0 };
	double timeout = 10;
	char msg[256], *end;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "t:h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			timeout = strtod(optarg, &end);
			if (*end || !(timeout > 0 && timeout <= 3600))
				return nr_cli_error(NR_EXIT_USAGE, "clean: bad --timeout '%s'", optarg);
			break;
		case 'h':
			fputs(clean_usage, stdout);
			return NR_EXIT_OK;
		default:
			fputs(clean_usage, stderr);
			return NR_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fputs(clean_usage, stderr);
		return NR_EXIT_USAGE;
	}
	if (nr_priv_preflight(NR_PRIV_NETNS, msg, sizeof(msg)) < 0)
		return nr_cli_error(NR_EXIT_ENV, "%s", msg);
	nr_run_clean(NULL, (unsigned)(timeout * 1000), report, &t, &err);
	if (!t.runs && !t.orphans && !t.failed)
		printf("nothing to clean\n");
	return t.failed ? NR_EXIT_FAIL : NR_EXIT_OK;
}
