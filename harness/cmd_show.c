/* SPDX-License-Identifier: BSD-2-Clause */
/* netrig show: a namespace's tables, as Scapy lays them out (or as JSON). */
#include "cli.h"
#include "options.h"
#include "output/json_out.h"
#include "output/resolv_out.h"
#include "output/show_text.h"
#include "output/view.h"

#include "netrig/netns.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static const char show_usage[] =
    "usage: netrig show ifaces|routes|routes6|rules|neigh|nameservers [--netns NS] [--json]\n"
    "\n"
    "Print one table of a namespace (default: netrig's own), read from the kernel:\n"
    "  ifaces       interfaces and their addresses (Scapy's conf.ifaces columns)\n"
    "  routes       IPv4 routes of every table (conf.route columns + type, table...)\n"
    "  routes6      IPv6 routes of every table (conf.route6 columns + type, table...)\n"
    "  rules        policy rules, IPv4 then IPv6, as 'ip rule' prints them\n"
    "  neigh        the neighbour cache, as 'ip neigh' prints it\n"
    "  nameservers  resolv.conf of the namespace (/etc/netns/NS/resolv.conf first)\n"
    "\n"
    "  --netns NS   a name under /run/netns, a path, or pid:PID\n"
    "  --json       an array of objects with iproute2's key names\n";

struct show_what {
	const char *name;
	unsigned load; /* NR_OS_* */
	int family;    /* routes and rules collected into the view */
};

static const struct show_what whats[] = {
    {"ifaces", NR_OS_LINKS | NR_OS_ADDRS, AF_UNSPEC},
    {"routes", NR_OS_LINKS | NR_OS_ADDRS | NR_OS_ROUTES, AF_INET},
    {"routes6", NR_OS_LINKS | NR_OS_ADDRS | NR_OS_ROUTES, AF_INET6},
    {"rules", NR_OS_LINKS | NR_OS_RULES, AF_INET},
    {"neigh", NR_OS_LINKS | NR_OS_NEIGH, AF_UNSPEC},
    {"nameservers", NR_OS_RESOLV, AF_UNSPEC},
};

static int show_rules(const struct nr_stack *s, bool json)
{
	struct nr_view v4 = {0}, v6 = {0};
	int r = -ENOMEM;

	if (nr_view_from_stack(&v4, s, AF_INET) < 0 || nr_view_from_stack(&v6, s, AF_INET6) < 0)
		goto out;
	if (json) {
		json_t *a = nr_json_rules(&v4, AF_INET), *b = nr_json_rules(&v6, AF_INET6);

		if (a && b && !json_array_extend(a, b))
			r = nr_json_print(stdout, a);
		json_decref(a);
		json_decref(b);
	} else {
		printf("IPv4 rules:\n");
		r = nr_print_rules(stdout, &v4);
		if (!r) {
			printf("\nIPv6 rules:\n");
			r = nr_print_rules(stdout, &v6);
		}
	}
out:
	nr_view_done(&v4);
	nr_view_done(&v6);
	return r;
}

static int show_nameservers(const struct nr_resolv *res, bool json)
{
	json_t *j;
	int r;

	if (!res)
		return -ENOENT;
	if (!json)
		return nr_print_resolv(stdout, res);
	j = nr_json_resolv(res);
	r = j ? nr_json_print(stdout, j) : -ENOMEM;
	json_decref(j);
	return r;
}

static int show_table(const struct show_what *w, const struct nr_stack *s, bool json)
{
	struct nr_view v = {0};
	json_t *j = NULL;
	int r;

	if (!strcmp(w->name, "rules"))
		return show_rules(s, json);
	if (!strcmp(w->name, "nameservers"))
		return show_nameservers(nr_stack_resolv_const(s), json);
	r = nr_view_from_stack(&v, s, w->family);
	if (r < 0)
		return r;
	if (json) {
		if (!strcmp(w->name, "ifaces"))
			j = nr_json_ifaces(&v);
		else if (!strcmp(w->name, "neigh"))
			j = nr_json_neigh(&v);
		else
			j = nr_json_routes(&v, w->family);
		r = j ? nr_json_print(stdout, j) : -ENOMEM;
	} else if (!strcmp(w->name, "ifaces")) {
		r = nr_print_ifaces(stdout, &v);
	} else if (!strcmp(w->name, "neigh")) {
		r = nr_print_neigh(stdout, &v);
	} else {
		r = w->family == AF_INET ? nr_print_routes4(stdout, &v)
					 : nr_print_routes6(stdout, &v);
	}
	json_decref(j);
	nr_view_done(&v);
	return r;
}

int nr_cmd_show(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"netns", required_argument, NULL, 'n'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	const struct show_what *w = NULL;
	const char *netns = NULL;
	struct nr_stack *s = NULL;
	bool json = false;
	int c, r;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			netns = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			fputs(show_usage, stdout);
			return NR_EXIT_OK;
		case ':':
			nr_cli_error(NR_EXIT_USAGE, "option '%s' needs a value", argv[optind - 1]);
			fputs(show_usage, stderr);
			return NR_EXIT_USAGE;
		default:
			nr_cli_error(NR_EXIT_USAGE, "unknown option '%s'", argv[optind - 1]);
			fputs(show_usage, stderr);
			return NR_EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		nr_cli_error(NR_EXIT_USAGE, argc == optind ? "show what?" : "show takes one table");
		fputs(show_usage, stderr);
		return NR_EXIT_USAGE;
	}
	for (size_t i = 0; i < sizeof(whats) / sizeof(whats[0]); i++)
		if (!strcmp(argv[optind], whats[i].name))
			w = &whats[i];
	if (!w) {
		nr_cli_error(NR_EXIT_USAGE,
			     "unknown table '%s' (expected ifaces, routes, routes6, rules, neigh, "
			     "nameservers)",
			     argv[optind]);
		return NR_EXIT_USAGE;
	}
	r = nr_cli_load(netns, w->load, &s);
	if (r)
		return r;
	r = show_table(w, s, json);
	nr_stack_free(s);
	if (fflush(stdout) || r == -EIO)
		return nr_cli_error(NR_EXIT_FAIL, "writing the output failed");
	if (r < 0)
		return nr_cli_error(nr_cli_exit_for(r), "show %s: %s", w->name, strerror(-r));
	return NR_EXIT_OK;
}
