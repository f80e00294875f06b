/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * netrig clean: remove what dead runs left (their keeper or `up` was
 * killed), never a live run's objects; see netns/run.h for how "dead" is
 * decided (the journal's lock) and why orphan namespaces are safe to take.
 * With run ids, only those runs: what a test or a script made, without
 * taking part in anyone else's leftovers.
 */
#include "cli.h"
#include "keeper.h"
#include "priv.h"

#include "netrig/run.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

static const char clean_usage[] =
	"usage: netrig clean [--timeout S] [RUN...]\n"
	"\n"
	"Remove the namespaces (and with them links and TUN/TAP devices),\n"
	"journals and keeper logs of runs whose keeper is gone, and namespaces\n"
	"named nr-RUN-* that no journal accounts for when netrig's tag on their\n"
	"lo proves netrig made them (those are only unlinked: processes inside\n"
	"are left alone). Live runs are never touched. Prints what was removed.\n"
	"\n"
	"With RUN arguments (run ids, or topology names that only one run has),\n"
	"only those dead runs are removed, nothing else: a live one among them\n"
	"is refused ('netrig down RUN' ends it).\n"
	"\n"
	"  --timeout S  per run, wait at most S seconds for the kernel (default 10)\n"
	"\n"
	"exit: 0 clean, 1 something could not be removed or a named run is live,\n"
	"2 a named run does not exist, 3 privileges\n";

struct tally {
	size_t runs, orphans, failed, unknown;
};

static void log_remove(const char *id)
{
	char path[PATH_MAX];

	if (nr_keeper_log_path(NULL, id, path, sizeof(path)) == 0)
		unlink(path);
}

/*
 * Keeper logs whose journal is gone: their run is over (a journal is in
 * place before `up` creates the log, and goes before the log does).
 */
static void prune_logs(void)
{
	DIR *d = opendir(NR_RUN_DIR);
	struct dirent *de;

	while (d && (de = readdir(d))) {
		size_t n = strlen(de->d_name), sl = strlen(NR_KEEPER_LOG_SUFFIX);
		char id[NR_RUN_ID_LEN + 1], path[PATH_MAX];
		struct stat st;

		if (n != NR_RUN_ID_LEN + sl || strcmp(de->d_name + NR_RUN_ID_LEN, NR_KEEPER_LOG_SUFFIX))
			continue;
		memcpy(id, de->d_name, NR_RUN_ID_LEN);
		id[NR_RUN_ID_LEN] = '\0';
		if (!nr_run_id_valid(id))
			continue;
		snprintf(path, sizeof(path), "%s/%s.run", NR_RUN_DIR, id);
		if (stat(path, &st) < 0 && errno == ENOENT)
			log_remove(id);
	}
	if (d)
		closedir(d);
}

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

/* One named run: removed if dead, refused if live. */
static void clean_one(const char *arg, unsigned timeout_ms, struct tally *t)
{
	struct nr_run_teardown_stats st = { 0 };
	struct nr_run_info info = { 0 };
	struct nr_os_error err = { 0 };
	struct nr_run *run = NULL;
	int r = nr_run_find(NULL, arg, &info, &err);

	if (r < 0) {
		t->unknown++;
		fprintf(stderr, "netrig: clean: %s\n", err.msg);
		return;
	}
	r = info.live ? -EBUSY : nr_run_adopt(NULL, info.id, &run, &err);
	if (r == -EBUSY) {
		t->failed++;
		fprintf(stderr, "netrig: clean: run %s (%s) is live (keeper %d): 'netrig down %s' ends it\n",
			info.id, info.name, (int)info.owner, info.id);
		goto out;
	}
	if (r == 0) {
		r = nr_run_teardown(run, timeout_ms, &st, &err);
		nr_run_close(run);
	}
	if (r == -ENOENT) {
		r = 0; /* another clean or down took it meanwhile */
	} else if (r == 0) {
		log_remove(info.id);
	}
	report(&(struct nr_run_clean_event){ .id = info.id, .name = info.name,
					     .ns_deleted = st.ns_deleted, .err = r,
					     .msg = r < 0 ? err.msg : "" },
	       t);
out:
	nr_run_info_done(&info);
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
	if (nr_priv_preflight(NR_PRIV_NETNS, msg, sizeof(msg)) < 0)
		return nr_cli_error(NR_EXIT_ENV, "%s", msg);
	if (optind < argc) {
		for (int i = optind; i < argc; i++)
			clean_one(argv[i], (unsigned)(timeout * 1000), &t);
		return t.unknown ? NR_EXIT_USAGE : t.failed ? NR_EXIT_FAIL : NR_EXIT_OK;
	}
	nr_run_clean(NULL, (unsigned)(timeout * 1000), report, &t, &err);
	prune_logs();
	if (!t.runs && !t.orphans && !t.failed)
		printf("nothing to clean\n");
	return t.failed ? NR_EXIT_FAIL : NR_EXIT_OK;
}
