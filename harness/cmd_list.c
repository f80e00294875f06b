/* SPDX-License-Identifier: BSD-2-Clause */
/* netrig list: the runs in /run/netrig, live or dead, and their objects. */
#include "cli.h"
#include "keeper.h"

#include "netrig/run.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

static const char list_usage[] =
	"usage: netrig list [--json]\n"
	"\n"
	"Show every run netrig knows of (journals in /run/netrig): its id,\n"
	"topology, state (live: its keeper holds it; dead: 'netrig clean' will\n"
	"remove it), keeper pid, namespaces and links, the keeper's log\n"
	"(/run/netrig/RUN.log) and, when the keeper's teardown failed, why.\n"
	"\n"
	"  --json  an array of objects: id, name, topology, state, persistent,\n"
	"          owner {pid, start}, created, namespaces [], objects [{node, kind, name}],\n"
	"          log (path, null without one), teardown_error (null unless it failed)\n"
	"\n"
	"exit: 0 listed (\"no runs\" when there is none), 2 usage, 3 /run/netrig\n"
	"cannot be read\n";

/* The keeper's log of a run, if any, and the reason its teardown failed. */
struct log_state {
	char path[PATH_MAX];
	bool exists;
	bool failed;
	char reason[512];
};

static void log_state(const char *id, struct log_state *ls)
{
	int r;

	*ls = (struct log_state){ 0 };
	if (nr_keeper_log_path(NULL, id, ls->path, sizeof(ls->path)) < 0)
		return;
	r = nr_keeper_log_outcome(ls->path, ls->reason, sizeof(ls->reason));
	ls->exists = r != -ENOENT;
	ls->failed = r == 1;
}

static json_t *run_json(const struct nr_run_info *r)
{
	json_t *o = json_object(), *ns = json_array(), *objs = json_array();

	json_object_set_new(o, "id", json_string(r->id));
	json_object_set_new(o, "name", json_string(r->name));
	json_object_set_new(o, "topology", json_string(r->topo));
	json_object_set_new(o, "state", json_string(r->live ? "live" : "dead"));
	json_object_set_new(o, "persistent", json_boolean(r->persistent));
	json_object_set_new(o, "created", json_integer(r->created));
	json_object_set_new(o, "owner", json_pack("{s:i, s:I}", "pid", (int)r->owner, "start",
						  (json_int_t)r->owner_start));
	for (size_t i = 0; i < r->nns; i++)
		json_array_append_new(ns, json_string(r->ns[i]));
	for (size_t i = 0; i < r->nobjs; i++) {
		char node[96], kind[96], name[96];

		if (sscanf(r->objs[i], "%95s %95s %95s", node, kind, name) == 3)
			json_array_append_new(objs, json_pack("{s:s, s:s, s:s}", "node", node,
							      "kind", kind, "name", name));
	}
	json_object_set_new(o, "namespaces", ns);
	json_object_set_new(o, "objects", objs);
	{
		struct log_state ls;

		log_state(r->id, &ls);
		json_object_set_new(o, "log", ls.exists ? json_string(ls.path) : json_null());
		json_object_set_new(o, "teardown_error",
				    ls.failed ? json_string(ls.reason) : json_null());
	}
	return o;
}

int nr_cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct nr_os_error err = { 0 };
	struct nr_run_info *runs = NULL;
	bool json = false;
	size_t n = 0;
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			fputs(list_usage, stdout);
			return NR_EXIT_OK;
		default:
			fputs(list_usage, stderr);
			return NR_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fputs(list_usage, stderr);
		return NR_EXIT_USAGE;
	}
	r = nr_run_list(NULL, &runs, &n, &err);
	if (r < 0)
		return nr_cli_error(NR_EXIT_ENV, "list: %s", err.msg);
	if (json) {
		json_t *a = json_array();

		for (size_t i = 0; i < n; i++)
			json_array_append_new(a, run_json(&runs[i]));
		json_dumpf(a, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(a);
	} else if (n == 0) {
		printf("no runs\n");
	} else {
		printf("%-6s  %-20s  %-5s  %-7s  %5s  %s\n", "RUN", "NAME", "STATE", "KEEPER",
		       "NODES", "TOPOLOGY");
		for (size_t i = 0; i < n; i++) {
			const struct nr_run_info *ri = &runs[i];
			struct log_state ls;

			printf("%-6s  %-20s  %-5s  %-7d  %5zu  %s\n", ri->id, ri->name,
			       ri->live ? "live" : "dead", (int)ri->owner, ri->nns, ri->topo);
			log_state(ri->id, &ls);
			if (ls.failed)
				printf("    teardown failed: %s\n", ls.reason);
			if (ls.exists)
				printf("    log %s\n", ls.path);
			for (size_t k = 0; k < ri->nns; k++)
				printf("    ns %s\n", ri->ns[k]);
			for (size_t k = 0; k < ri->nobjs; k++)
				printf("    link %s\n", ri->objs[k]);
		}
	}
	nr_run_list_free(runs, n);
	return NR_EXIT_OK;
}
