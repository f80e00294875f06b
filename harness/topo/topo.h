/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A topology, as a scenario file describes it: nodes (namespaces), links,
 * interface settings, addresses, routes, rules, neighbours and sysctls.
 * Loaded and validated by topo_load.c (YAML); built in the kernel by
 * topo_apply.c. Every element keeps its position in the file, so later
 * errors (the kernel refusing a route) still point at FILE:LINE:COL.
 *
 * Names, not indexes: interfaces are "node:ifname" pairs, resolved to
 * ifindexes only when built.
 */
#ifndef NETRIG_TOPO_H
#define NETRIG_TOPO_H

#include "netrig/addr.h"
#include "netrig/route.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define NR_TOPO_NAME_MAX 32 /* node and topology names: [a-z0-9][a-z0-9_-]* */

struct nr_topo_pos {
	unsigned line, col; /* 1-based; 0 = not from a file */
};

struct nr_topo_sysctl {
	char key[128];   /* "net.ipv4.ip_forward", "net.ipv6.conf.eth0.accept_dad" */
	char value[64];
	struct nr_topo_pos pos;
};

struct nr_topo_node {
	char name[NR_TOPO_NAME_MAX];
	size_t nsysctls;
	struct nr_topo_sysctl *sysctls;
	struct nr_topo_pos pos;
};

/* An interface: node index + name inside that node. */
struct nr_topo_ifref {
	int node;
	char ifname[NR_IFNAMSIZ];
	struct nr_topo_pos pos; /* where the file names it */
};

enum nr_topo_link_kind {
	NR_TOPO_VETH,
	NR_TOPO_TUN,
	NR_TOPO_TAP,
	NR_TOPO_BRIDGE,
	NR_TOPO_MACVLAN,
	NR_TOPO_VXLAN,
};

struct nr_topo_link {
	enum nr_topo_link_kind kind;
	struct nr_topo_ifref ends[2]; /* veth: both ends; others: ends[0], ends[1].node = -1 */
	/* bridge: its ports (interfaces of the same node, created elsewhere) */
	size_t nports;
	struct nr_topo_ifref *ports;
	/* macvlan: parent is an interface of ends[0]'s node (a link makes it, or lo) */
	char parent[NR_IFNAMSIZ];
	char macvlan_mode[16]; /* "bridge" (default), "private", "vepa", "passthru" */
	/* vxlan */
	uint32_t vni;
	struct nr_addr vx_local, vx_remote, vx_group; /* AF_UNSPEC when unset */
	uint16_t vx_port;                            /* 4789 by default */
	char vx_dev[NR_IFNAMSIZ];                    /* "" = none; else in ends[0]'s node */
	/* tun/tap */
	bool pi;          /* keep the packet-information header (default false) */
	bool vnet_hdr;
	bool multi_queue;
	bool persist;
	struct nr_topo_pos pos;
};

#define NR_TOPO_TRI_UNSET (-1)

struct nr_topo_addr {
	struct nr_prefix local;  /* host bits kept: 198.51.100.2/24 */
	struct nr_addr peer;     /* "peer" for point-to-point, AF_UNSPEC when none */
	bool nodad;              /* IPv6: true unless the file says nodad: false; IPv4: false */
	struct nr_topo_pos pos;
};

/*
 * Every interface a link creates, in the order the links create them
 * (veth: ends[0] then ends[1]), then "lo" of a node when the file gives it
 * settings or addresses. Every reference in a loaded topology (addresses,
 * settings, bridge ports, macvlan parents, vxlan devs, route/rule/neighbour
 * devs) names one of these interfaces or "lo".
 */
struct nr_topo_iface {
	struct nr_topo_ifref ref;
	struct nr_lladdr mac;    /* len 0 = kernel's choice */
	uint32_t mtu;            /* 0 = default */
	int up;                  /* 1, 0, or NR_TOPO_TRI_UNSET (default: up) */
	size_t naddrs;
	struct nr_topo_addr *addrs;
	struct nr_topo_pos pos;
};

struct nr_topo_nexthop {
	struct nr_addr gw;          /* AF_UNSPEC when on-link */
	char dev[NR_IFNAMSIZ];      /* "" when not given */
	uint16_t weight;            /* 1 by default */
	bool onlink;
};

struct nr_topo_route {
	int node;
	struct nr_route r;          /* r.nh NULL, r.nh_count 0: see nh below; r.family set;
				     * iproute2's defaults (table, protocol boot, scope) applied */
	size_t nnh;                 /* 0 for blackhole/unreachable/prohibit/throw */
	struct nr_topo_nexthop *nh;
	struct nr_topo_pos pos;
};

struct nr_topo_rule {
	int node;
	struct nr_rule r;
	bool has_priority; /* false: the kernel picks one (r.priority 0 is a real value) */
	struct nr_topo_pos pos;
};

struct nr_topo_neigh {
	int node;
	char dev[NR_IFNAMSIZ];
	struct nr_addr addr;
	struct nr_lladdr lladdr;
	uint16_t state;   /* NUD_PERMANENT (0x80) by default, NUD_NOARP 0x40, NUD_REACHABLE 0x02, NUD_STALE 0x04 */
	bool router;
	struct nr_topo_pos pos;
};

/*
 * Emulated hosts (netrig/host.h) that netrig runs on a TUN/TAP link of the
 * topology for as long as the lab is up. One entry is one nr_host: a set
 * of addresses (single ones, or whole prefixes every address of which
 * answers) sharing a MAC scheme and a list of responders. Several entries
 * may share a link: every frame read from it is offered to each of them,
 * so their addresses must not overlap.
 */
#define NR_TOPO_HOST_RESPONDERS 8 /* NR_HOST_RESPONDER_MAX */

struct nr_topo_host_addr {
	struct nr_prefix p; /* single: address + on-link length; range: the prefix */
	bool range;         /* host bits zero and more than a pair: every address */
	struct nr_topo_pos pos;
};

struct nr_topo_responder {
	char name[16];        /* "arp", "ndp", "echo", "echo6" */
	char options[256];    /* "key=value,...", checked against the responder at load */
	struct nr_topo_pos pos;
};

struct nr_topo_host {
	struct nr_topo_ifref on; /* the kernel side: a TUN/TAP link's interface */
	size_t link;             /* index into links */
	size_t naddrs;
	struct nr_topo_host_addr *addrs;
	/*
	 * Addresses the kernel has on the same interface (the file's
	 * `addresses`) that fall inside one of the ranges: left out of them,
	 * or the kernel's own requests would look like conflicts.
	 */
	size_t nexclude;
	struct nr_addr *exclude;
	bool fixed_mac;          /* false: derived per address (02:00:a:b:c:d) */
	uint8_t mac[6];
	bool router;             /* NA R flag; ndp answers RS with RA */
	bool any;                /* echo/echo6 answer every destination (Scapy's icmpechod) */
	size_t nresp;
	struct nr_topo_responder resp[NR_TOPO_HOST_RESPONDERS];
	struct nr_topo_pos pos;
};

struct nr_topo {
	char name[NR_TOPO_NAME_MAX];
	char *path; /* the file it came from */
	size_t nnodes, nlinks, nifaces, nroutes, nrules, nneigh, nhosts;
	struct nr_topo_host *hosts;
	struct nr_topo_node *nodes;
	struct nr_topo_link *links;
	struct nr_topo_iface *ifaces;
	struct nr_topo_route *routes;
	struct nr_topo_rule *rules;
	struct nr_topo_neigh *neigh;
};

/* The first error found, in the form users see:
 *   lab.yaml:12:7: unknown link kind 'vethh' (expected veth, tun, tap, bridge, macvlan, vxlan)
 *     - { kind: vethh, ends: [h1:eth0, r1:eth0] }
 *               ^
 */
struct nr_topo_error {
	char path[256];
	struct nr_topo_pos pos;
	char msg[256];
	char line[256]; /* the source line, "" if unknown */
};

/* Print err as above (three lines: location + message, source line, caret). */
void nr_topo_error_print(const struct nr_topo_error *err, FILE *f);

/*
 * Load and validate a topology file (or text, for tests and the fuzzer).
 * -EINVAL with err filled on any syntax, schema or meaning error; -ENOENT /
 * -EACCES / -EFBIG when the file cannot be read or is too large (err
 * filled, pos.line 0: print it as "FILE: message"); -ENOMEM. path "-"
 * reads standard input (named "<stdin>" in messages). Nothing outside
 * the returned value is touched.
 */
int nr_topo_load_file(const char *path, struct nr_topo **ret, struct nr_topo_error *err);
int nr_topo_load_text(const char *name, const char *text, size_t len, struct nr_topo **ret,
		      struct nr_topo_error *err);
void nr_topo_free(struct nr_topo *t);

/* Most bytes a topology file may have; larger ones fail with -EFBIG. */
#define NR_TOPO_MAX_BYTES (4u << 20)

/* Index of a node by name, or -1. */
int nr_topo_node_index(const struct nr_topo *t, const char *name);

#endif
