/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * netrig respond: Scapy's am() on a TunTapInterface, as a command. One
 * emulated host set (netrig/host.h) with its responders on a TUN, a TAP
 * or a packet socket on an existing interface, in a namespace, until
 * SIGINT/SIGTERM or --count replies; then the counters.
 *
 * The device is created when it does not exist and goes away with us;
 * a device that existed before (persistent) is attached without touching
 * its persistence, so it stays even if we are killed. Nothing is
 * configured on the kernel side unless --kernel-addr asks, and never in
 * the caller's own namespace: bringing a TUN/TAP up there could route
 * the host's traffic into it.
 */
#include "cli.h"
#include "priv.h"
#include "link/capture.h"
#include "link/link.h"
#include "loop/loop.h"
#include "respond/respond.h"

#include "netrig/host.h"
#include "netrig/kbuild.h"
#include "netrig/netns.h"
#include "netrig/responder.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char respond_usage[] =
	"usage: netrig respond [--netns NS] (--tun NAME | --tap NAME | --iface DEV)\n"
	"                      --addr ADDR/LEN... [--mac MAC] [--answer LIST] [--any]\n"
	"                      [--count N] [--pcap FILE] [--kernel-addr ADDR/LEN]\n"
	"                      [--kernel-peer ADDR] [--option NAME:K=V,...] [--router]\n"
	"                      [--verbose] [--busy-poll USEC] [--io MODE]\n"
	"\n"
	"Emulated hosts answering on a TUN, a TAP or an existing interface, until\n"
	"SIGINT/SIGTERM (or --count replies); the counters are printed at the end.\n"
	"\n"
	"  --netns NS        the namespace of the device (required: see below)\n"
	"  --tun NAME        a TUN device (raw IP), created if missing, removed on\n"
	"                    exit unless it existed before\n"
	"  --tap NAME        a TAP device (Ethernet), likewise\n"
	"  --iface DEV       an existing Ethernet interface (a veth end), through a\n"
	"                    promiscuous packet socket\n"
	"  --addr ADDR/LEN   an emulated address and its on-link prefix\n"
	"                    (198.51.100.2/24), or a whole prefix when the host bits\n"
	"                    are zero (203.0.113.0/24, 2001:db8:1::/112: every address\n"
	"                    answers); repeat for more\n"
	"  --mac MAC         one MAC for every address (default: derived per address,\n"
	"                    02:00:a:b:c:d for IPv4, 02:06 + the low 32 bits for IPv6)\n"
	"  --answer LIST     responders, comma-separated: arp, ndp, echo, echo6\n"
	"                    (default: all on Ethernet, echo,echo6 on a TUN)\n"
	"  --any             answer every echo request whatever its destination\n"
	"                    (Scapy's ICMPEcho_am on a TUN); no --addr needed\n"
	"  --count N         stop after N replies\n"
	"  --pcap FILE       capture every frame in and out (pcap)\n"
	"  --kernel-addr A/L give the device this address and bring it up (needs\n"
	"                    --netns; repeat for more; an address inside a --addr\n"
	"                    prefix is left out of it)\n"
	"  --kernel-peer A   the peer of the point-to-point --kernel-addr\n"
	"  --option N:K=V,.. responder options (echo:ttl=32, ndp:always_tllao=1)\n"
	"  --router          the hosts are routers (NA R flag; ndp answers RS with RA)\n"
	"  --verbose         one line per reply\n"
	"  --busy-poll USEC  before sleeping, look for the next frame for up to USEC\n"
	"                    microseconds (default 50; 0: sleep at once): a flood\n"
	"                    is answered without the cost of waking up. With the\n"
	"                    thread, spinning is measured against sleeping as the\n"
	"                    frames come and kept only while it is faster (a peer\n"
	"                    sharing our CPU makes it slower); polls that find\n"
	"                    nothing back off\n"
	"  --io MODE         how frames move on a TUN/TAP: thread (default: read and\n"
	"                    write on a thread of their own, blocking, timers and\n"
	"                    signals on the main one), epoll (one event loop), uring\n"
	"                    (io_uring, exit 1 without it), auto (io_uring when the\n"
	"                    kernel allows it, else epoll); --iface always uses epoll\n"
	"  --allow-host-namespace\n"
	"                    DANGEROUS: let --tun/--tap/--iface work in the root\n"
	"                    namespace or this process's own (a device there, a\n"
	"                    promiscuous socket on a real LAN answering ARP/NDP for\n"
	"                    every --addr); --kernel-addr is refused there anyway\n"
	"\n"
	"--netns must name a namespace other than the root one and the caller's\n"
	"own (pid:1, pid:$$ or /proc/1/ns/net are refused, exit 2).\n"
	"\n"
	"Without --io, NETRIG_IO_URING=1 in the environment means --io uring and\n"
	"NETRIG_IO_URING=auto --io auto.\n"
	"\n"
	"exit: 0 ended by a signal or --count, 1 failure (also: the device deleted\n"
	"while netrig ran), 2 usage, 3 privileges, missing namespace or device\n";

#define MAX_ADDRS NR_HOST_ADDR_MAX
/*
 * On: waking from sleep dominates a reply's cost on a virtual CPU; the
 * link thread keeps spinning only while it measures faster, and polls
 * back off when they find nothing (respond.h, busy_ns; figures in
 * README's benchmarks).
 */
#define BUSY_POLL_US 50u
#define MAX_OPTS 8

struct respond_args {
	const char *netns;
	const char *dev;
	enum nr_tuntap_mode mode; /* NR_TUNTAP_AUTO: --iface */
	bool iface;
	struct nr_prefix addrs[MAX_ADDRS];
	size_t naddrs;
	struct nr_prefix kaddrs[MAX_ADDRS];
	size_t nkaddrs;
	struct nr_addr kpeer;
	bool has_mac;
	uint8_t mac[6];
	const char *answer;
	bool any;
	bool router;
	uint64_t count;
	const char *pcap;
	bool verbose;
	uint64_t busy_us;
	bool io_given; /* --io; else the environment decides (io_choice) */
	enum nr_respond_io io;
	bool allow_host_ns;
	const char *opts[MAX_OPTS];
	size_t nopts;
};

static int usage_error(int code)
{
	fputs("Try 'netrig respond --help'.\n", stderr);
	return code;
}

/* --io's word: 0 and *ret, or -EINVAL. */
static int io_named(const char *s, enum nr_respond_io *ret)
{
	static const struct {
		const char *name;
		enum nr_respond_io io;
	} ways[] = {
	    {"thread", NR_RESPOND_IO_THREAD},
	    {"epoll", NR_RESPOND_IO_EPOLL},
	    {"uring", NR_RESPOND_IO_URING},
	    {"auto", NR_RESPOND_IO_AUTO},
	};

	for (size_t i = 0; i < sizeof(ways) / sizeof(ways[0]); i++) {
		if (!strcmp(s, ways[i].name)) {
			*ret = ways[i].io;
			return 0;
		}
	}
	return -EINVAL;
}

static int parse_args(int argc, char **argv, struct respond_args *a)
{
	static const struct option opts[] = {
	    {"netns", required_argument, NULL, 'n'},
	    {"tun", required_argument, NULL, 'U'},
	    {"tap", required_argument, NULL, 'A'},
	    {"iface", required_argument, NULL, 'i'},
	    {"addr", required_argument, NULL, 'a'},
	    {"mac", required_argument, NULL, 'm'},
	    {"answer", required_argument, NULL, 'r'},
	    {"any", no_argument, NULL, 'y'},
	    {"count", required_argument, NULL, 'c'},
	    {"pcap", required_argument, NULL, 'w'},
	    {"kernel-addr", required_argument, NULL, 'k'},
	    {"kernel-peer", required_argument, NULL, 'p'},
	    {"option", required_argument, NULL, 'o'},
	    {"router", no_argument, NULL, 'R'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"busy-poll", required_argument, NULL, 'B'},
	    {"io", required_argument, NULL, 'O'},
	    {"allow-host-namespace", no_argument, NULL, 'H'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	int c, devs = 0;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":hv", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			a->netns = optarg;
			break;
		case 'U':
		case 'A':
		case 'i':
			a->dev = optarg;
			a->mode = c == 'U' ? NR_TUNTAP_TUN : c == 'A' ? NR_TUNTAP_TAP : NR_TUNTAP_AUTO;
			a->iface = c == 'i';
			devs++;
			if (strlen(optarg) == 0 || strlen(optarg) >= NR_IFNAMSIZ)
				return usage_error(nr_cli_error(
				    NR_EXIT_USAGE, "bad device name '%s' (1 to 15 characters)",
				    optarg));
			break;
		case 'a':
		case 'k': {
			struct nr_prefix *p = c == 'a' ? &a->addrs[a->naddrs] : &a->kaddrs[a->nkaddrs];
			size_t *n = c == 'a' ? &a->naddrs : &a->nkaddrs;

			if (*n >= MAX_ADDRS)
				return usage_error(nr_cli_error(NR_EXIT_USAGE,
								"at most %d --%s options", MAX_ADDRS,
								c == 'a' ? "addr" : "kernel-addr"));
			if (nr_prefix_parse(optarg, AF_UNSPEC, NR_PREFIX_PARSE_HOST_BITS, p) < 0)
				return usage_error(nr_cli_error(
				    NR_EXIT_USAGE,
				    "bad address '%s' (expected ADDR/LEN, e.g. 203.0.113.0/24)", optarg));
			(*n)++;
			break;
		}
		case 'p':
			if (nr_addr_parse(optarg, AF_UNSPEC, &a->kpeer) < 0)
				return usage_error(nr_cli_error(NR_EXIT_USAGE,
								"bad --kernel-peer '%s'", optarg));
			break;
		case 'm': {
			struct nr_lladdr ll;

			if (nr_lladdr_parse(optarg, &ll) < 0 || ll.len != 6 || (ll.bytes[0] & 1))
				return usage_error(nr_cli_error(
				    NR_EXIT_USAGE, "bad --mac '%s' (expected a unicast MAC)", optarg));
			a->has_mac = true;
			memcpy(a->mac, ll.bytes, 6);
			break;
		}
		case 'r':
			a->answer = optarg;
			break;
		case 'y':
			a->any = true;
			break;
		case 'R':
			a->router = true;
			break;
		case 'c':
			if (nr_cli_parse_uint(optarg, 1, UINT64_MAX, &a->count) < 0)
				return usage_error(nr_cli_error(
				    NR_EXIT_USAGE, "bad --count '%s' (a positive number)", optarg));
			break;
		case 'w':
			a->pcap = optarg;
			break;
		case 'O':
			if (io_named(optarg, &a->io) < 0)
				return usage_error(nr_cli_error(
				    NR_EXIT_USAGE, "bad --io '%s' (thread, epoll, uring or auto)",
				    optarg));
			a->io_given = true;
			break;
		case 'B':
			if (nr_cli_parse_uint(optarg, 0, 1000000, &a->busy_us) < 0)
				return usage_error(nr_cli_error(
				    NR_EXIT_USAGE,
				    "bad --busy-poll '%s' (microseconds, 0 to 1000000)", optarg));
			break;
		case 'o':
			if (a->nopts >= MAX_OPTS || !strchr(optarg, ':'))
				return usage_error(nr_cli_error(
				    NR_EXIT_USAGE, "bad --option '%s' (expected NAME:KEY=VALUE,...)",
				    optarg));
			a->opts[a->nopts++] = optarg;
			break;
		case 'v':
			a->verbose = true;
			break;
		case 'H':
			a->allow_host_ns = true;
			break;
		case 'h':
			fputs(respond_usage, stdout);
			return -1;
		case ':':
			return usage_error(nr_cli_error(NR_EXIT_USAGE, "option '%s' needs a value",
							argv[optind - 1]));
		default:
			return usage_error(
			    nr_cli_error(NR_EXIT_USAGE, "unknown option '%s'", argv[optind - 1]));
		}
	}
	if (optind < argc)
		return usage_error(
		    nr_cli_error(NR_EXIT_USAGE, "unexpected argument '%s'", argv[optind]));
	if (devs != 1)
		return usage_error(
		    nr_cli_error(NR_EXIT_USAGE, "give exactly one of --tun, --tap, --iface"));
	if (a->naddrs == 0 && !a->any)
		return usage_error(nr_cli_error(
		    NR_EXIT_USAGE, "no --addr (give the emulated addresses, or --any)"));
	if ((a->nkaddrs || a->kpeer.family) && (!a->netns || !*a->netns))
		return usage_error(nr_cli_error(
		    NR_EXIT_USAGE,
		    "refusing to configure '%s' in this (the root) namespace: --kernel-addr "
		    "needs --netns NS",
		    a->dev));
	if (a->kpeer.family && a->nkaddrs != 1)
		return usage_error(nr_cli_error(NR_EXIT_USAGE,
						"--kernel-peer goes with exactly one --kernel-addr"));
	return 0;
}

/*
 * The "never the host's namespace" rule, checked on the namespace itself
 * (not on the --netns text: pid:1, pid:$$ and /proc/1/ns/net name the
 * root or our own). --kernel-addr is always refused there (it would
 * configure the machine's routing); a TUN/TAP created there, or a
 * promiscuous socket answering ARP/NDP on a real LAN, only with
 * --allow-host-namespace. 0, or the exit code after a message.
 */
static int refuse_host_namespace(const struct respond_args *a, const struct nr_netns *ns)
{
	const char *which = a->netns && *a->netns ? a->netns : "this process's own";
	bool host = false;
	int r;

	r = nr_netns_is_host(ns, &host);
	if (r < 0)
		return nr_cli_error(nr_cli_exit_for(r),
				    "cannot tell whether namespace %s is the host's: %s", which,
				    strerror(-r));
	if (!host)
		return 0;
	if (a->nkaddrs || a->kpeer.family)
		return usage_error(nr_cli_error(
		    NR_EXIT_USAGE,
		    "refusing --kernel-addr: namespace %s is the root namespace or this "
		    "process's own; give --netns with a lab namespace",
		    which));
	if (!a->allow_host_ns)
		return usage_error(nr_cli_error(
		    NR_EXIT_USAGE,
		    "refusing --%s %s: namespace %s is the root namespace or this process's "
		    "own; give --netns with a lab namespace (--allow-host-namespace to insist)",
		    a->iface ? "iface" : a->mode == NR_TUNTAP_TUN ? "tun" : "tap", a->dev, which));
	return 0;
}

/* A whole prefix: the host bits are zero and it holds more than a pair. */
static bool is_range(const struct nr_prefix *p)
{
	unsigned bits = nr_addr_bits(p->addr.family);
	struct nr_addr m = p->addr;

	nr_addr_mask(&m, p->len);
	return (unsigned)p->len + 1 < bits && nr_addr_eq(&m, &p->addr);
}

/* Give the device its kernel addresses and bring it up. */
static int kernel_config(struct nr_kb *kb, const struct respond_args *a, const char *name)
{
	struct nr_klink_opts lo = {.up = 1};
	struct nr_os_error e = {0};
	long failed = -1;
	int ifindex = nr_kb_ifindex(kb, name), r;

	if (ifindex < 0)
		return nr_cli_error(NR_EXIT_FAIL, "device '%s' vanished: %s", name,
				    strerror(-ifindex));
	for (size_t i = 0; i < a->nkaddrs; i++) {
		nr_kb_tag(kb, (long)i);
		r = nr_kb_addr(kb, ifindex, &a->kaddrs[i], a->kpeer.family ? &a->kpeer : NULL,
			       true);
		if (r < 0)
			return nr_cli_error(nr_cli_exit_for(r), "--kernel-addr: %s", strerror(-r));
	}
	nr_kb_tag(kb, -1);
	r = nr_kb_link_set(kb, name, &lo);
	if (r == 0)
		r = nr_kb_flush(kb, &failed, &e);
	if (r < 0) {
		char p[NR_PREFIX_STRLEN] = "";

		if (failed >= 0 && (size_t)failed < a->nkaddrs)
			nr_prefix_format(&a->kaddrs[failed], p, sizeof(p));
		return nr_cli_error(nr_cli_exit_for(r), "configuring '%s'%s%s: %s", name,
				    p[0] ? " with " : "", p, e.msg[0] ? e.msg : strerror(-r));
	}
	return 0;
}

/* The kernel's own addresses on the device: holes in the emulated prefixes. */
static int exclude_kernel_addrs(struct nr_netns *ns, struct nr_host *h, const char *name)
{
	struct nr_os_snapshot *snap = NULL;
	struct nr_os_error e = {0};
	int ifindex = 0, r;

	r = nr_os_snapshot_read(ns, NR_OS_LINKS | NR_OS_ADDRS, &snap, &e);
	if (r < 0)
		return nr_cli_error(nr_cli_exit_for(r), "reading the addresses of '%s': %s", name,
				    e.msg[0] ? e.msg : strerror(-r));
	for (size_t i = 0; i < snap->nifaces; i++)
		if (!strcmp(snap->ifaces[i].name, name))
			ifindex = snap->ifaces[i].index;
	for (size_t i = 0; i < snap->naddrs; i++) {
		const struct nr_addr *k = &snap->addrs[i].a.local.addr;

		if (snap->addrs[i].ifindex != ifindex)
			continue;
		for (size_t j = 0; j < nr_host_addr_count(h); j++) {
			const struct nr_host_addr *ha = nr_host_addr_at(h, j);

			if (ha->range && nr_prefix_contains(&ha->p, k))
				(void)nr_host_exclude(h, k); /* -EEXIST: already a hole */
		}
	}
	nr_os_snapshot_free(snap);
	return 0;
}

static int build_host(const struct respond_args *a, struct nr_link *link, struct nr_host **ret)
{
	struct nr_host_config cfg;
	struct nr_host *h = NULL;
	bool eth = nr_link_layer(link) == NR_LINK_ETHERNET;
	char list[128], *save = NULL;
	uint32_t mtu = nr_link_mtu(link);
	int r;

	nr_host_config_default(&cfg);
	cfg.link = eth ? NR_HOST_LINK_ETHERNET : NR_HOST_LINK_IP;
	cfg.mtu = mtu >= 68 && mtu <= NR_HOST_MTU_MAX ? mtu : 1500;
	snprintf(cfg.ifname, sizeof(cfg.ifname), "%s", nr_link_name(link));
	cfg.fixed_mac = a->has_mac;
	memcpy(cfg.mac, a->mac, 6);
	cfg.router = a->router;
	cfg.promisc = a->any;
	r = nr_host_new(&cfg, &h);
	if (r < 0)
		return nr_cli_error(NR_EXIT_FAIL, "creating the host: %s", strerror(-r));
	for (size_t i = 0; i < a->naddrs; i++) {
		char p[NR_PREFIX_STRLEN];
		bool range = is_range(&a->addrs[i]);

		r = range ? nr_host_add_range(h, &a->addrs[i]) : nr_host_add_addr(h, &a->addrs[i]);
		if (r < 0) {
			nr_prefix_format(&a->addrs[i], p, sizeof(p));
			r = nr_cli_error(NR_EXIT_USAGE, "--addr %s: %s", p,
					 r == -EEXIST ? "overlaps another --addr"
					 : r == -EINVAL
					     ? "not an address a host can have (unspecified, "
					       "multicast, loopback, broadcast)"
					     : strerror(-r));
			goto fail;
		}
	}
	snprintf(list, sizeof(list), "%s", a->answer ? a->answer : eth ? "arp,ndp,echo,echo6"
									 : "echo,echo6");
	for (char *n = strtok_r(list, ",", &save); n; n = strtok_r(NULL, ",", &save)) {
		char opt[256] = "";

		if (!nr_responder_lookup(n)) {
			r = nr_cli_error(NR_EXIT_USAGE,
					 "--answer: unknown responder '%s' (expected arp, ndp, "
					 "echo, echo6)",
					 n);
			goto fail;
		}
		if (a->any && (!strcmp(n, "echo") || !strcmp(n, "echo6")))
			snprintf(opt, sizeof(opt), "any=1");
		for (size_t i = 0; i < a->nopts; i++) {
			size_t nl = (size_t)(strchr(a->opts[i], ':') - a->opts[i]);

			if (nl == strlen(n) && !strncmp(a->opts[i], n, nl)) {
				size_t used = strlen(opt);

				snprintf(opt + used, sizeof(opt) - used, "%s%s", used ? "," : "",
					 a->opts[i] + nl + 1);
			}
		}
		r = nr_host_attach_by_name(h, n, opt);
		if (r < 0) {
			r = nr_cli_error(NR_EXIT_USAGE, "--option %s:%s: %s", n, opt,
					 r == -ENOENT ? "unknown option" : "bad value");
			goto fail;
		}
	}
	for (size_t i = 0; i < a->nopts; i++) {
		size_t nl = (size_t)(strchr(a->opts[i], ':') - a->opts[i]);
		bool used = false;

		for (size_t k = 0; k < nr_host_responder_count(h); k++) {
			const char *rn = nr_responder_name(nr_host_responder_at(h, k));

			used |= strlen(rn) == nl && !strncmp(rn, a->opts[i], nl);
		}
		if (!used) {
			r = nr_cli_error(NR_EXIT_USAGE, "--option '%s': no such responder in --answer",
					 a->opts[i]);
			goto fail;
		}
	}
	*ret = h;
	return 0;
fail:
	nr_host_free(h);
	return r;
}

/*
 * Without --io, NETRIG_IO_URING: unset, empty or 0, the link thread (the
 * fastest measured, README); auto, io_uring if allowed; anything else,
 * io_uring or fail. io_uring is not the default: on Linux 6.18 a
 * multishot read's poll and task work cost more kernel time per frame
 * than the epoll_wait and read it saves (ping -f through a TUN, 5
 * alternating runs: 210 vs 180 ms system time per 40,000 replies).
 */
static enum nr_respond_io io_choice(const struct respond_args *a)
{
	const char *v = getenv("NETRIG_IO_URING");

	if (a->io_given)
		return a->io;
	if (!v || !*v || !strcmp(v, "0"))
		return NR_RESPOND_IO_THREAD;
	return strcmp(v, "auto") ? NR_RESPOND_IO_URING : NR_RESPOND_IO_AUTO;
}

static void on_signal(struct nr_loop *l, int signo, void *arg)
{
	(void)signo;
	(void)arg;
	nr_loop_stop(l);
}

static void print_ready(const struct respond_args *a, struct nr_link *link, struct nr_host *h)
{
	printf("netrig: responding on %s (%s%s%s%s):", nr_link_name(link), nr_link_kind(link),
	       a->netns ? ", netns " : "", a->netns ? a->netns : "", a->any ? ", any" : "");
	for (size_t i = 0; i < nr_host_addr_count(h); i++) {
		const struct nr_host_addr *ha = nr_host_addr_at(h, i);
		char p[NR_PREFIX_STRLEN];

		printf(" %s%s", nr_prefix_format(&ha->p, p, sizeof(p)), ha->range ? " (all)" : "");
	}
	printf("; answering");
	for (size_t k = 0; k < nr_host_responder_count(h); k++)
		printf("%s%s", k ? "," : " ", nr_responder_name(nr_host_responder_at(h, k)));
	printf("\n");
	fflush(stdout);
}

int nr_cmd_respond(int argc, char **argv)
{
	struct respond_args a;
	struct nr_os_error e = {0};
	struct nr_netns *ns = NULL;
	struct nr_kb *kb = NULL;
	struct nr_link *link = NULL;
	struct nr_capture *cap = NULL;
	struct nr_host *host = NULL;
	struct nr_loop *loop = NULL;
	struct nr_respond *resp = NULL;
	struct nr_respond_opts ro = {0};
	char msg[256];
	unsigned needs;
	bool existed = false;
	int r;

	memset(&a, 0, sizeof(a));
	a.busy_us = BUSY_POLL_US;
	r = parse_args(argc, argv, &a);
	if (r)
		return r < 0 ? NR_EXIT_OK : r;

	needs = (a.iface ? NR_PRIV_CAPTURE : NR_PRIV_TUNTAP) | (a.netns ? NR_PRIV_NETNS : 0) |
		(a.nkaddrs ? NR_PRIV_NETCONF : 0);
	if (nr_priv_preflight(needs, msg, sizeof(msg)) < 0)
		return nr_cli_error(NR_EXIT_ENV, "%s", msg);

	r = nr_netns_open(a.netns, &ns, &e);
	if (r < 0) {
		if (r == -ENOENT && a.netns)
			return nr_cli_error(NR_EXIT_ENV, "no namespace '%s' (see 'ip netns list')",
					    a.netns);
		return nr_cli_error(nr_cli_exit_for(r), "--netns %s: %s", a.netns ? a.netns : "",
				    e.msg[0] ? e.msg : strerror(-r));
	}
	r = refuse_host_namespace(&a, ns);
	if (r)
		goto out;
	r = nr_kb_open(ns, &kb, &e);
	if (r < 0) {
		r = nr_cli_error(nr_cli_exit_for(r), "netlink: %s", e.msg[0] ? e.msg : strerror(-r));
		goto out;
	}
	existed = nr_kb_ifindex(kb, a.dev) > 0;
	if (a.iface) {
		struct nr_link_packet_opts po = {.promisc = true};

		if (!existed) {
			r = nr_cli_error(NR_EXIT_ENV, "no interface '%s'%s%s", a.dev,
					 a.netns ? " in namespace " : "", a.netns ? a.netns : "");
			goto out;
		}
		r = nr_link_packet_open(ns, a.dev, &po, &link, &e);
	} else {
		r = nr_link_tuntap_open(ns, a.dev, a.mode, &link, &e);
	}
	if (r < 0) {
		r = nr_cli_error(nr_cli_exit_for(r), "%s '%s': %s%s", a.iface ? "interface" : "device",
				 a.dev, e.msg[0] ? e.msg : strerror(-r),
				 r == -EBUSY || r == -EINVAL
				     ? " (in use, or an existing device of the other kind)"
				     : "");
		goto out;
	}
	if (a.nkaddrs) {
		r = kernel_config(kb, &a, nr_link_name(link));
		if (r)
			goto out;
	}
	r = build_host(&a, link, &host);
	if (r)
		goto out;
	r = exclude_kernel_addrs(ns, host, nr_link_name(link));
	if (r)
		goto out;
	if (a.pcap) {
		struct nr_capture_opts co = {0};

		r = nr_capture_open(a.pcap, nr_capture_dlt_for(nr_link_layer(link)), &co, &cap, &e);
		if (r < 0) {
			r = nr_cli_error(nr_cli_exit_for(r), "--pcap %s: %s", a.pcap,
					 e.msg[0] ? e.msg : strerror(-r));
			goto out;
		}
		nr_link_set_capture(link, cap);
	}
	r = nr_loop_new(NULL, &loop);
	if (r == 0)
		r = nr_loop_signal_add(loop, SIGINT, on_signal, NULL);
	if (r == 0)
		r = nr_loop_signal_add(loop, SIGTERM, on_signal, NULL);
	ro.count = a.count;
	ro.verbose = a.verbose ? stdout : NULL;
	ro.io = io_choice(&a);
	ro.busy_ns = a.busy_us * 1000u;
	if (r == 0)
		r = nr_respond_new(loop, link, host, &ro, &resp);
	if (r < 0) {
		r = nr_cli_error(NR_EXIT_FAIL, "event loop: %s", strerror(-r));
		goto out;
	}
	print_ready(&a, link, host);
	r = nr_loop_run(loop);
	nr_respond_stop(resp); /* the counters below are final */
	if (r < 0) {
		r = nr_cli_error(NR_EXIT_FAIL, "event loop: %s", strerror(-r));
	} else if (nr_respond_failed(resp)) {
		nr_respond_print_counters(resp, stdout);
		r = nr_cli_error(NR_EXIT_FAIL, "%s '%s' went away: %s", nr_link_kind(link),
				 nr_link_name(link), strerror(-nr_respond_failed(resp)));
	} else {
		nr_respond_print_counters(resp, stdout);
		if (cap)
			printf("captured: %" PRIu64 " frames to %s\n", nr_capture_stats(cap)->frames,
			       a.pcap);
		r = NR_EXIT_OK;
	}
out:
	nr_respond_free(resp);
	nr_loop_free(loop);
	if (link)
		nr_link_set_capture(link, NULL);
	nr_link_close(link);
	nr_capture_close(cap);
	nr_host_free(host);
	nr_kb_close(kb);
	nr_netns_close(ns);
	fflush(stdout);
	return r;
}
