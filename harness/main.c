/* SPDX-License-Identifier: BSD-2-Clause */
/* netrig: the subcommand table (WireGuard's wg.c layout). */
#include "cli.h"

#include <stdio.h>
#include <string.h>

/* One line per subcommand; usage() lists them in this order. */
static const struct nr_cmd commands[] = {
	{ "show", nr_cmd_show, "show TABLE [--netns NS] [--json]",
	  "a namespace's ifaces, routes, routes6, rules, neigh or nameservers" },
	{ "route", nr_cmd_route, "route get [--netns NS] [--json] [--scapy] DST... | -",
	  "the route to each destination" },
	{ "verify", nr_cmd_verify, "verify [--netns NS] [--against os,scapy] [--probes N] [--json]",
	  "netrig's tables and decisions against the kernel's (and Scapy's)" },
	{ "check", nr_cmd_check, "check FILE...", "validate topology files, creating nothing" },
	{ "up", nr_cmd_up, "up [--foreground] [--quiet] FILE",
	  "bring a topology up and leave it running (a lab)" },
	{ "down", nr_cmd_down, "down [--timeout S] RUN", "tear a lab down" },
	{ "exec", nr_cmd_exec, "exec [--timeout S] [--user U] RUN NODE -- CMD...",
	  "run a command inside a node of a lab" },
	{ "list", nr_cmd_list, "list [--json]", "runs (live and dead) and their objects" },
	{ "respond", nr_cmd_respond,
	  "respond [--netns NS] (--tun NAME | --tap NAME | --iface DEV) --addr ADDR/LEN... "
	  "[--answer arp,ndp,echo,echo6] [--any] [--count N] [--pcap FILE] [--kernel-addr ADDR/LEN] "
	  "[--verbose]",
	  "emulated hosts answering ARP, NDP and echo on a TUN/TAP or an interface" },
	{ "neigh", nr_cmd_neigh, "neigh resolve [--netns NS] [--iface DEV] [--timeout MS] DST",
	  "the link-layer address of DST, resolved by netrig's stack (getmacbyip)" },
	{ "clean", nr_cmd_clean, "clean [--timeout S] [RUN...]", "remove what dead runs (all, or the RUNs named) left behind" },
	{ 0 },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: netrig COMMAND [ARGS...]\n\ncommands:\n");
	/* Usage on one line, the summary indented below it: long usages stay readable. */
	for (const struct nr_cmd *c = commands; c->name; c++)
		fprintf(f, "  netrig %s\n      %s\n", c->usage, c->summary);
	fprintf(f, "\nexit status: 0 ok, 1 failure or mismatch, 2 usage or bad input,\n"
		   "3 environment (privileges, namespace, missing tool)\n"
		   "'netrig COMMAND --help' describes one command.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return NR_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return NR_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("netrig %s\n", NETRIG_VERSION);
		return NR_EXIT_OK;
	}
	for (const struct nr_cmd *c = commands; c->name; c++)
		if (!strcmp(argv[1], c->name))
			return c->run(argc - 1, argv + 1);
	nr_cli_error(NR_EXIT_USAGE, "unknown command '%s' (try 'netrig --help')", argv[1]);
	return NR_EXIT_USAGE;
}
