/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * netrig neigh resolve: Scapy's getmacbyip/getmacbyip6, run by netrig's
 * stack. The namespace's tables decide the device and the next hop (the
 * gateway for an off-link destination) as the kernel would; then an
 * emulated host wearing the device's own addresses and MAC resolves the
 * next hop over a packet socket on the device (ARP or NS, with the
 * host's retries), and the time from the first solicitation to the
 * answer is printed. The kernel's own neighbour table is neither read
 * nor changed: this measures the exchange on the wire.
 *
 * The special cases are the host's (netrig/host.h): multicast mapping,
 * broadcast, an own address gives the device's MAC, all without a frame.
 */
#include "cli.h"
#include "priv.h"
#include "link/link.h"
#include "loop/loop.h"
#include "respond/respond.h"

#include "netrig/host.h"
#include "netrig/iface.h"
#include "netrig/netns.h"
#include "netrig/route.h"
#include "netrig/stack.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char neigh_usage[] =
	"usage: netrig neigh resolve [--netns NS] [--iface DEV] [--timeout MS] [--repeat N] DST\n"
	"\n"
	"The link-layer address for reaching DST (the gateway's when DST is off-link),\n"
	"resolved by netrig's stack over a packet socket (getmacbyip's counterpart).\n"
	"Prints 'DST [via GW] dev DEV lladdr MAC time N us'.\n"
	"\n"
	"  --netns NS    the namespace (default: this one)\n"
	"  --iface DEV   the device (default: the one the route lookup picks); DST\n"
	"                is taken as on-link there when no route says otherwise\n"
	"  --timeout MS  give up after MS milliseconds (default 3000)\n"
	"  --repeat N    resolve N times; after the first, answers come from netrig's\n"
	"                neighbour cache (the 'cached' figure)\n"
	"\n"
	"exit: 0 resolved, 1 not resolved (no answer, no route), 2 usage,\n"
	"3 privileges or missing namespace/device\n";

#define ARPHRD_ETHER_ 1

struct neigh_args {
	const char *netns;
	const char *iface;
	uint32_t timeout_ms;
	uint32_t repeat;
	const char *dst_text;
	struct nr_addr dst;
};

struct wait_ctx {
	struct nr_host *host;
	struct nr_loop *loop;
	struct nr_addr target;
	int result; /* -EINPROGRESS while waiting */
	struct nr_lladdr ll;
	uint64_t t_end;
	bool timed_out;
};

static int usage_error(int code)
{
	fputs("Try 'netrig neigh --help'.\n", stderr);
	return code;
}

static int parse_u32_arg(const char *s, uint32_t min, uint32_t *ret)
{
	uint64_t v;

	if (nr_cli_parse_uint(s, min, UINT32_MAX, &v) < 0)
		return -EINVAL;
	*ret = (uint32_t)v;
	return 0;
}

static int parse_args(int argc, char **argv, struct neigh_args *a)
{
	static const struct option opts[] = {
	    {"netns", required_argument, NULL, 'n'},
	    {"iface", required_argument, NULL, 'i'},
	    {"timeout", required_argument, NULL, 't'},
	    {"repeat", required_argument, NULL, 'r'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	int c;

	a->timeout_ms = 3000;
	a->repeat = 1;
	if (argc < 2 || (strcmp(argv[1], "resolve") && strcmp(argv[1], "--help") &&
			 strcmp(argv[1], "-h")))
		return usage_error(nr_cli_error(NR_EXIT_USAGE, "expected 'neigh resolve'"));
	if (strcmp(argv[1], "resolve")) {
		fputs(neigh_usage, stdout);
		return -1;
	}
	argc--;
	argv++;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			a->netns = optarg;
			break;
		case 'i':
			a->iface = optarg;
			break;
		case 't':
			if (parse_u32_arg(optarg, 1, &a->timeout_ms) < 0)
				return usage_error(nr_cli_error(
				    NR_EXIT_USAGE, "bad --timeout '%s' (milliseconds, >= 1)", optarg));
			break;
		case 'r':
			if (parse_u32_arg(optarg, 1, &a->repeat) < 0 || a->repeat > 1000000)
				return usage_error(nr_cli_error(
				    NR_EXIT_USAGE, "bad --repeat '%s' (1..1000000)", optarg));
			break;
		case 'h':
			fputs(neigh_usage, stdout);
			return -1;
		case ':':
			return usage_error(nr_cli_error(NR_EXIT_USAGE, "option '%s' needs a value",
							argv[optind - 1]));
		default:
			return usage_error(
			    nr_cli_error(NR_EXIT_USAGE, "unknown option '%s'", argv[optind - 1]));
		}
	}
	if (optind + 1 != argc)
		return usage_error(nr_cli_error(NR_EXIT_USAGE, "give exactly one destination"));
	a->dst_text = argv[optind];
	if (nr_addr_parse(a->dst_text, AF_UNSPEC, &a->dst) < 0)
		return usage_error(nr_cli_error(NR_EXIT_USAGE,
						"bad destination '%s' (an IPv4 or IPv6 address)",
						a->dst_text));
	return 0;
}

/*
 * Device and next hop for dst from the namespace's tables. 0, or an exit
 * code after a message.
 */
static int pick_route(const struct nr_stack *s, const struct neigh_args *a,
		      const struct nr_iface **ret_dev, struct nr_addr *ret_target)
{
	const struct nr_iface_table *t = nr_stack_ifaces_const(s);
	const struct nr_iface *dev = NULL;
	struct nr_route_query q;
	struct nr_route_result res;
	int r;

	if (a->iface) {
		dev = nr_iface_by_name(t, a->iface);
		if (!dev)
			return nr_cli_error(NR_EXIT_ENV, "no interface '%s'%s%s", a->iface,
					    a->netns ? " in namespace " : "", a->netns ? a->netns : "");
	}
	memset(&q, 0, sizeof(q));
	q.dst = a->dst;
	q.oif = dev ? dev->index : 0;
	r = nr_stack_route_get(s, &q, &res);
	if (r < 0)
		return nr_cli_error(NR_EXIT_USAGE, "%s: %s", a->dst_text, strerror(-r));
	*ret_target = a->dst;
	if (res.error == 0 && res.type == NR_RTN_LOCAL) {
		/* An own address: the device that holds it answers with its MAC. */
		const struct nr_iface *owner = nr_iface_by_addr(t, &a->dst, NULL);

		if (!dev)
			dev = owner;
	} else if (res.error == 0 && (res.type == NR_RTN_UNICAST || res.type == NR_RTN_BROADCAST ||
				      res.type == NR_RTN_MULTICAST)) {
		if (!dev)
			dev = nr_iface_by_index(t, res.ifindex);
		if (res.gateway.family == a->dst.family && res.ifindex == dev->index)
			*ret_target = res.gateway;
	} else if (!dev) {
		return nr_cli_error(NR_EXIT_FAIL, "%s: no route (%s)", a->dst_text,
				    strerror(res.error ? -res.error : EHOSTUNREACH));
	}
	if (!dev)
		return nr_cli_error(NR_EXIT_FAIL, "%s: no device holds it", a->dst_text);
	if (dev->type != ARPHRD_ETHER_ || dev->lladdr.len != 6)
		return nr_cli_error(NR_EXIT_FAIL,
				    "%s: device '%s' has no Ethernet address (nothing to resolve)",
				    a->dst_text, dev->name);
	*ret_dev = dev;
	return 0;
}

/* An emulated host wearing the device: its addresses, its MAC. */
static int build_host(const struct nr_iface *dev, const struct nr_addr *target,
		      struct nr_host **ret)
{
	struct nr_host_config cfg;
	struct nr_host *h;
	struct nr_nexthop nh = {.ifindex = dev->index, .weight = 1};
	struct nr_route rt;
	int r;

	nr_host_config_default(&cfg);
	cfg.ifindex = dev->index;
	snprintf(cfg.ifname, sizeof(cfg.ifname), "%s", dev->name);
	cfg.mtu = dev->mtu >= 68 && dev->mtu <= NR_HOST_MTU_MAX ? dev->mtu : 1500;
	cfg.fixed_mac = true;
	memcpy(cfg.mac, dev->lladdr.bytes, 6);
	r = nr_host_new(&cfg, &h);
	if (r < 0)
		return r;
	for (size_t i = 0; i < dev->naddrs; i++)
		(void)nr_host_add_addr(h, &dev->addrs[i].local); /* tentative, duplicates: skip */
	/* The next hop is on the device (the namespace's route said so, or --iface). */
	memset(&rt, 0, sizeof(rt));
	rt.family = target->family;
	rt.type = NR_RTN_UNICAST;
	rt.protocol = 4;
	rt.scope = NR_SCOPE_LINK;
	rt.table = NR_TABLE_MAIN;
	rt.dst.addr = *target;
	rt.dst.len = (uint8_t)nr_addr_bits(target->family);
	rt.nh_count = 1;
	rt.nh = &nh;
	r = nr_stack_route_add(nr_host_stack(h), &rt);
	if (r < 0 && r != -EEXIST) {
		nr_host_free(h);
		return r;
	}
	*ret = h;
	return 0;
}

static void on_event(struct nr_respond *r, void *arg)
{
	struct wait_ctx *w = arg;
	int e = nr_host_resolve_poll(w->host, &w->target, &w->ll);

	(void)r;
	if (e == -EINPROGRESS)
		return;
	w->result = e;
	w->t_end = nr_loop_update_time(w->loop);
	nr_loop_stop(w->loop);
}

static void on_timeout(struct nr_loop *l, struct nr_timer *t, void *arg)
{
	struct wait_ctx *w = arg;

	(void)t;
	w->timed_out = true;
	nr_loop_stop(l);
}

static void on_signal(struct nr_loop *l, int signo, void *arg)
{
	(void)signo;
	(void)arg;
	nr_loop_stop(l);
}

static void print_answer(const struct neigh_args *a, const struct nr_iface *dev,
			 const struct nr_addr *target, const struct nr_lladdr *ll, uint64_t ns,
			 const char *note)
{
	char gw[NR_ADDR_STRLEN], mac[NR_LLADDR_STRLEN];

	printf("%s", a->dst_text);
	if (!nr_addr_eq(target, &a->dst))
		printf(" via %s", nr_addr_format(target, gw, sizeof(gw)));
	printf(" dev %s lladdr %s time %" PRIu64 ".%03" PRIu64 " us%s\n", dev->name,
	       nr_lladdr_format(ll, mac, sizeof(mac)), ns / 1000, ns % 1000, note);
}

int nr_cmd_neigh(int argc, char **argv)
{
	struct neigh_args a;
	struct nr_os_error e = {0};
	struct nr_netns *ns = NULL;
	struct nr_stack *s = NULL;
	struct nr_link *link = NULL;
	struct nr_host *host = NULL;
	struct nr_loop *loop = NULL;
	struct nr_respond *resp = NULL;
	struct nr_respond_opts ro = {0};
	struct nr_timer deadline;
	struct wait_ctx w;
	const struct nr_iface *dev = NULL;
	struct nr_link_packet_opts po = {0};
	char msg[256];
	uint64_t t0;
	int r;

	memset(&a, 0, sizeof(a));
	memset(&w, 0, sizeof(w));
	r = parse_args(argc, argv, &a);
	if (r)
		return r < 0 ? NR_EXIT_OK : r;
	if (nr_priv_preflight(NR_PRIV_CAPTURE | (a.netns ? NR_PRIV_NETNS : 0), msg, sizeof(msg)) <
	    0)
		return nr_cli_error(NR_EXIT_ENV, "%s", msg);
	r = nr_netns_open(a.netns, &ns, &e);
	if (r < 0) {
		if (r == -ENOENT && a.netns)
			return nr_cli_error(NR_EXIT_ENV, "no namespace '%s' (see 'ip netns list')",
					    a.netns);
		return nr_cli_error(nr_cli_exit_for(r), "--netns %s: %s", a.netns ? a.netns : "",
				    e.msg[0] ? e.msg : strerror(-r));
	}
	s = nr_stack_new();
	if (!s) {
		r = nr_cli_error(NR_EXIT_FAIL, "out of memory");
		goto out;
	}
	r = nr_os_load(ns, s, NR_OS_LINKS | NR_OS_ADDRS | NR_OS_ROUTES | NR_OS_RULES, &e);
	if (r < 0) {
		r = nr_cli_error(nr_cli_exit_for(r), "reading the namespace's tables: %s",
				 e.msg[0] ? e.msg : strerror(-r));
		goto out;
	}
	r = pick_route(s, &a, &dev, &w.target);
	if (r)
		goto out;
	r = build_host(dev, &w.target, &host);
	if (r < 0) {
		r = nr_cli_error(NR_EXIT_FAIL, "building the host: %s", strerror(-r));
		goto out;
	}
	r = nr_link_packet_open(ns, dev->name, &po, &link, &e);
	if (r < 0) {
		r = nr_cli_error(nr_cli_exit_for(r), "packet socket on '%s': %s", dev->name,
				 e.msg[0] ? e.msg : strerror(-r));
		goto out;
	}
	w.host = host;
	w.result = -EINPROGRESS;
	ro.on_event = on_event;
	ro.arg = &w;
	r = nr_loop_new(NULL, &loop);
	if (r == 0)
		r = nr_loop_signal_add(loop, SIGINT, on_signal, NULL);
	if (r == 0)
		r = nr_loop_signal_add(loop, SIGTERM, on_signal, NULL);
	if (r == 0)
		r = nr_respond_new(loop, link, host, &ro, &resp);
	if (r < 0) {
		r = nr_cli_error(NR_EXIT_FAIL, "event loop: %s", strerror(-r));
		goto out;
	}
	w.loop = loop;
	nr_timer_init(&deadline, on_timeout, &w);

	t0 = nr_loop_update_time(loop);
	r = nr_host_resolve(host, &w.target, t0, &w.ll);
	if (r == -EINPROGRESS) {
		nr_respond_flush(resp); /* the solicitation, now */
		(void)nr_loop_timer_arm(loop, &deadline,
					t0 + (uint64_t)a.timeout_ms * NR_NSEC_PER_MSEC);
		r = nr_loop_run(loop);
		if (r < 0) {
			r = nr_cli_error(NR_EXIT_FAIL, "event loop: %s", strerror(-r));
			goto out;
		}
		r = w.result;
	} else {
		w.t_end = nr_loop_update_time(loop);
	}
	if (r == -EINPROGRESS) {
		char t[NR_ADDR_STRLEN];

		printf("%s dev %s: no answer for %s within %" PRIu32 " ms\n", a.dst_text,
		       dev->name, nr_addr_format(&w.target, t, sizeof(t)), a.timeout_ms);
		r = NR_EXIT_FAIL;
		goto out;
	}
	if (r < 0) {
		char t[NR_ADDR_STRLEN];

		printf("%s dev %s: %s unresolved (%s)\n", a.dst_text, dev->name,
		       nr_addr_format(&w.target, t, sizeof(t)),
		       r == -EHOSTUNREACH ? "no answer to any solicitation" : strerror(-r));
		r = NR_EXIT_FAIL;
		goto out;
	}
	print_answer(&a, dev, &w.target, &w.ll, w.t_end - t0, "");
	for (uint32_t i = 1; i < a.repeat; i++) {
		struct nr_lladdr ll;
		uint64_t t1 = nr_loop_update_time(loop), t2;

		r = nr_host_resolve(host, &w.target, t1, &ll);
		t2 = nr_loop_update_time(loop);
		if (r < 0) {
			printf("%s: cached answer lost (%s)\n", a.dst_text, strerror(-r));
			r = NR_EXIT_FAIL;
			goto out;
		}
		print_answer(&a, dev, &w.target, &ll, t2 - t1, " (cached)");
	}
	r = NR_EXIT_OK;
out:
	nr_respond_free(resp);
	nr_loop_free(loop);
	nr_link_close(link);
	nr_host_free(host);
	nr_stack_free(s);
	nr_netns_close(ns);
	fflush(stdout);
	return r;
}
