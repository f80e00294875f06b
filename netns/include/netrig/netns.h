/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The kernel side: reach a network namespace, read its tables into a
 * netrig stack, and ask its routing code for decisions. libnl-3 lives
 * behind this header; callers see negative errno and a message.
 */
#ifndef NETRIG_NETNS_H
#define NETRIG_NETNS_H

#include "netrig/addr.h"
#include "netrig/route.h"
#include "netrig/stack.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A human-readable error: the kernel's extended-ack text when there is one. */
struct nr_os_error {
	int err;        /* negative errno */
	char msg[256];  /* "what: why", e.g. "RTM_GETROUTE: Nexthop has invalid gateway" */
};

/* Fill err (when not NULL) and return e. */
int nr_os_error_set(struct nr_os_error *err, int e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

struct nr_netns;

/*
 * Open a namespace: spec is NULL or "" for the caller's own, a name under
 * /run/netns ("lab1"), a path ("/proc/123/ns/net", "/run/netns/x"), or
 * "pid:123". -ENOENT unknown name or pid, -EPERM/-EACCES not allowed.
 * The namespace's name (for /etc/netns/NAME/resolv.conf) is kept when given.
 */
int nr_netns_open(const char *spec, struct nr_netns **ret, struct nr_os_error *err);
void nr_netns_close(struct nr_netns *ns);
/* The name it was opened by ("" for the caller's own or a path/pid). */
const char *nr_netns_name(const struct nr_netns *ns);
/*
 * Is ns the host's: the initial namespace (that of pid 1) or the one the
 * calling thread or process is in? Compared by the namespace files'
 * device and inode. 0 with *ret set, or a negative errno when one of them
 * cannot be read (callers refusing host namespaces refuse then too).
 */
int nr_netns_is_host(const struct nr_netns *ns, bool *ret);

/*
 * Run fn(arg) with the calling thread inside ns, then come back (setns).
 * Sockets and fds created inside stay bound to ns. Returns fn's result, or
 * a negative errno if entering failed. If coming back fails the process
 * aborts (after a message on stderr): the thread would be stranded in ns.
 */
int nr_netns_run(struct nr_netns *ns, int (*fn)(void *arg), void *arg, struct nr_os_error *err);

/* Which tables nr_os_load fills. */
#define NR_OS_LINKS 0x01u
#define NR_OS_ADDRS 0x02u
#define NR_OS_ROUTES 0x04u
#define NR_OS_RULES 0x08u
#define NR_OS_NEIGH 0x10u
#define NR_OS_RESOLV 0x20u
#define NR_OS_ALL 0x3fu

/*
 * Fill s from ns: interfaces, addresses (dump order), routes of every
 * table and family (a raw RTM_GETROUTE dump, cloned entries skipped),
 * policy rules, neighbours, nameservers. s's previous tables are replaced.
 * On success err may still carry a warning (err->err 0, err->msg set): a
 * route with more than NR_ROUTE_MAX_NH nexthops was loaded truncated.
 */
int nr_os_load(struct nr_netns *ns, struct nr_stack *s, unsigned what, struct nr_os_error *err);

/*
 * For route decisions only (route get): add to s the routes of family
 * (AF_INET, AF_INET6) from the tables a lookup can reach: those of s's
 * rules of that family, loaded before (nr_os_load with NR_OS_RULES),
 * and local, main and default. Every table when a rule's table is not
 * fixed (table 0: l3mdev) or there are more than NR_OS_REACH_TABLES_MAX.
 * nr_stack_route_get answers for that family are those of a full load;
 * show and verify need the full one (nr_os_load). s must hold no route
 * of family yet (-EEXIST: one family cannot be replaced alone). err as
 * nr_os_load (a warning for truncated nexthops).
 */
#define NR_OS_REACH_TABLES_MAX 256
int nr_os_load_routes_reachable(struct nr_netns *ns, struct nr_stack *s, int family,
				struct nr_os_error *err);

/* A route as the kernel dumps it, for comparing the stack with the dump. */
int nr_os_dump_routes(struct nr_netns *ns, int family,
		      int (*cb)(const struct nr_route *r, void *arg), void *arg,
		      struct nr_os_error *err);

/* The kernel's answer to `ip route get` (RTM_GETROUTE for one destination). */
struct nr_kroute_answer {
	int error;        /* 0, or the kernel's negative errno (-ENETUNREACH...) */
	uint8_t type;     /* rtm_type */
	uint32_t table;
	int ifindex;      /* RTA_OIF */
	struct nr_addr gateway; /* RTA_GATEWAY / RTA_VIA, AF_UNSPEC when on-link */
	struct nr_addr prefsrc; /* RTA_PREFSRC, AF_UNSPEC when absent */
	uint32_t metric;
	char errmsg[128]; /* extended ack text when error != 0 and the kernel gave one */
};

/* A reusable RTM_GETROUTE channel into one namespace. */
struct nr_kroute;

int nr_kroute_open(struct nr_netns *ns, struct nr_kroute **ret, struct nr_os_error *err);
void nr_kroute_close(struct nr_kroute *k);
/* One query; returns 0 with ret->error set by the kernel's answer, or a
 * negative errno when the channel itself failed. */
int nr_kroute_get(struct nr_kroute *k, const struct nr_route_query *q,
		  struct nr_kroute_answer *ret);
/* Many queries at once (pipelined); ret[i] answers q[i]. */
int nr_kroute_get_many(struct nr_kroute *k, const struct nr_route_query *q, size_t n,
		       struct nr_kroute_answer *ret);

/*
 * The tables of a namespace as read, before they go into a stack: what
 * nr_os_load fills a stack from, usable on its own (verify, tests).
 */
struct nr_os_addr {
	int ifindex;
	uint8_t family;
	struct nr_ifaddr a; /* label: IFA_LABEL as the kernel gives it (IPv4 only) */
};

struct nr_os_neigh {
	uint8_t family;
	int ifindex;
	struct nr_addr dst;
	struct nr_lladdr lladdr; /* len 0 when NDA_LLADDR is absent (INCOMPLETE, FAILED) */
	uint16_t state;          /* NUD_* */
	uint8_t flags;           /* NTF_* (NTF_ROUTER, NTF_PROXY) */
	uint8_t type;            /* ndm_type (RTN_UNICAST...) */
};

struct nr_os_snapshot {
	size_t nifaces;
	struct nr_iface *ifaces;   /* ascending index order; addrs NULL (see addrs) */
	size_t naddrs;
	struct nr_os_addr *addrs;  /* dump order: IPv4, then IPv6 */
	size_t nroutes;
	struct nr_route *routes;   /* AF_INET dump, then AF_INET6; nh point into nh_pool */
	size_t nroutes_truncated;  /* routes flagged NR_ROUTE_F_NH_TRUNCATED */
	struct nr_nexthop *nh_pool;
	size_t nrules;
	struct nr_rule *rules;     /* dump order (priority), AF_INET then AF_INET6 */
	size_t nneigh;
	struct nr_os_neigh *neigh;
	char resolv_path[128];     /* the resolv.conf read, empty if none */
	char *resolv_text;         /* its contents (NUL-terminated), NULL if none */
	size_t resolv_len;
};

/* Read the tables of ns selected by what (NR_OS_*). */
int nr_os_snapshot_read(struct nr_netns *ns, unsigned what, struct nr_os_snapshot **ret,
			struct nr_os_error *err);
void nr_os_snapshot_free(struct nr_os_snapshot *snap);
/* Replace s's tables selected by what with the snapshot's (as nr_os_load). */
int nr_os_snapshot_apply(const struct nr_os_snapshot *snap, struct nr_stack *s, unsigned what,
			 struct nr_os_error *err);

#endif
