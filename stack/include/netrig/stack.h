/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One netrig stack: the tables of one (emulated or observed) host and the
 * decisions taken from them. Pure: no I/O, no clock. netns/ fills it from
 * a namespace; harness/ asks it questions.
 */
#ifndef NETRIG_STACK_H
#define NETRIG_STACK_H

#include "netrig/addr.h"
#include "netrig/iface.h"
#include "netrig/route.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nr_stack;

struct nr_stack *nr_stack_new(void);
void nr_stack_free(struct nr_stack *s);
/* Drop routes and rules (both families); interfaces stay. */
void nr_stack_clear_routes(struct nr_stack *s);

struct nr_iface_table *nr_stack_ifaces(struct nr_stack *s);
const struct nr_iface_table *nr_stack_ifaces_const(const struct nr_stack *s);

/* The neighbour cache (netrig/neigh.h) and nameservers (netrig/resolv.h). */
struct nr_neigh_cache;
struct nr_resolv;
struct nr_neigh_cache *nr_stack_neigh(struct nr_stack *s);
const struct nr_neigh_cache *nr_stack_neigh_const(const struct nr_stack *s);
struct nr_resolv *nr_stack_resolv(struct nr_stack *s);
const struct nr_resolv *nr_stack_resolv_const(const struct nr_stack *s);

/*
 * Add a route to table r->table of family r->family, as the kernel keeps
 * it: several routes may share a prefix (different metric, tos, type).
 * -EEXIST for an exact duplicate (same prefix, table, tos, metric, and for
 * IPv4 the same type/nexthops; for IPv6 the same nexthop device and gateway).
 */
int nr_stack_route_add(struct nr_stack *s, const struct nr_route *r);
/*
 * Delete the route matching r: prefix, table, family always; metric, tos,
 * type, gateway and device only when set (non-zero / not AF_UNSPEC) in r,
 * as `ip route del` does. Deletes the first match. -ESRCH when none.
 */
int nr_stack_route_del(struct nr_stack *s, const struct nr_route *r);
size_t nr_stack_route_count(const struct nr_stack *s, int family);
/*
 * Visit every route of a family: tables ascending, then prefix (address
 * then length), then the order the kernel keeps routes of one prefix.
 * A non-zero return from cb stops the walk and is returned.
 */
int nr_stack_route_walk(const struct nr_stack *s, int family,
			int (*cb)(const struct nr_route *r, void *arg), void *arg);

/* Rules, kept sorted by priority (stable for equal priorities). */
int nr_stack_rule_add(struct nr_stack *s, const struct nr_rule *r);
int nr_stack_rule_del(struct nr_stack *s, const struct nr_rule *r);
/* Replace a family's rules by the kernel defaults (0 local, 32766 main, 32767 default). */
void nr_stack_rules_default(struct nr_stack *s, int family);
size_t nr_stack_rule_count(const struct nr_stack *s, int family);
const struct nr_rule *nr_stack_rule_at(const struct nr_stack *s, int family, size_t i);

/*
 * A route query: what `ip route get DST [from SRC] [iif DEV] [oif DEV]
 * [mark N] [tos T] [ipproto P] [sport N] [dport N] [uid N]` asks. All zero
 * is a plain `ip route get DST` as root.
 */
struct nr_route_query {
	struct nr_addr dst;
	struct nr_addr src; /* AF_UNSPEC: none given */
	int iif;            /* 0: locally generated */
	int oif;            /* 0: any */
	uint32_t mark;
	uint8_t tos;
	/*
	 * Only rules with ipproto/sport/dport/uidrange look at these. 0: not
	 * given, and then the kernel asks IPv4 lookups as UDP (IPPROTO_UDP
	 * is inet_rtm_getroute's default) and IPv6 ones with protocol 0.
	 */
	uint8_t ip_proto;
	uint16_t sport, dport; /* 0: not given */
	/*
	 * has_uid false: the asking process's uid, taken as 0 (netrig and
	 * `ip route get` run as root). IPv4 forwarding queries (iif) always
	 * use uid 0; IPv6 ones use the given uid, else none (INVALID_UID,
	 * which no uidrange contains).
	 */
	uint32_t uid;
	bool has_uid;
};

/* Why the answer is what it is, for `verify` to explain a mismatch. */
struct nr_route_explain {
	uint32_t rule_priority;  /* the rule that led to the table */
	uint32_t table;
	struct nr_prefix prefix; /* the matched route's prefix */
	unsigned tables_tried;   /* throw and suppress_prefixlength fall through */
	/* Source choice: IPv4 "prefsrc", "same-subnet", "first-primary",
	 * "other-device", "given", "local-dst"; IPv6 the deciding RFC 6724 rule,
	 * e.g. "rule 2 (scope)", "rule 8 (longest match)". */
	char src_reason[48];
};

#define NR_ROUTE_MAX_ECMP_SRC 16
#define NR_ROUTE_MAX_ALT 8

struct nr_route_result {
	/*
	 * 0 when the kernel would answer with a route; else the negative
	 * errno it answers with (-ENETUNREACH no route, -EHOSTUNREACH
	 * unreachable, -EACCES prohibit, -EINVAL blackhole, ...), for IPv6
	 * as for IPv4: kernel 6.x refuses `ip -6 route get` through a reject
	 * route with the route's error (type and route still say which).
	 */
	int error;
	uint8_t type;      /* enum nr_rtype of the chosen route */
	uint32_t table;
	int ifindex;       /* output device (lo for local) */
	struct nr_addr gateway; /* AF_UNSPEC when on-link */
	struct nr_addr prefsrc; /* chosen source, AF_UNSPEC when none */
	uint32_t metric;
	const struct nr_route *route; /* the matched route, NULL when none */
	/* ECMP: every nexthop the kernel may pick (gateway + device). */
	uint16_t nh_count;
	const struct nr_nexthop *nh;
	/*
	 * ECMP: the source that goes with nh[i] (for i < NR_ROUTE_MAX_ECMP_SRC)
	 * if the kernel hashes to it: the given source or the route's prefsrc
	 * for every hop, else the one selected for that hop's device and
	 * gateway. Unset when nh_count < 2; entries past nh_count are left
	 * as they were (not cleared), so read only the first nh_count.
	 */
	struct nr_addr nh_prefsrc[NR_ROUTE_MAX_ECMP_SRC];
	struct nr_route_explain why;
	/*
	 * IPv4 default-route choice (fib_select_default): when several
	 * default routes of equal metric qualify, the kernel picks among them
	 * by their gateways' neighbour state. Every candidate is listed here,
	 * route first; alt_count is 0 when there was no such choice. Entries
	 * past alt_count are left as they were.
	 */
	uint16_t alt_count;
	const struct nr_route *alt[NR_ROUTE_MAX_ALT];
};

/*
 * The kernel's decision for q (ip_route_output_key / ip6_route_output and
 * the source selection that follows). Returns 0 with ret filled (ret->error
 * says whether the kernel would refuse), or -EINVAL for a malformed query.
 */
int nr_stack_route_get(const struct nr_stack *s, const struct nr_route_query *q,
		       struct nr_route_result *ret);

/*
 * nr_stack_route_get for n queries: ret[i] and, when errs is not NULL,
 * errs[i] are what nr_stack_route_get(s, &q[i], &ret[i]) gives (ret[i] is
 * left as it was where errs[i] < 0). Returns 0, or the first negative
 * errs[i]. Faster than n single calls on large tables: the lookups of up
 * to 64 queries walk the tables together, so their cache misses overlap.
 */
int nr_stack_route_get_many(const struct nr_stack *s, const struct nr_route_query *q, size_t n,
			    struct nr_route_result *ret, int *errs);

/*
 * Scapy-style mutators, fixed:
 * ifadd: add an address to an interface and the routes the kernel would
 * add with it (local, connected prefix, IPv4 broadcast); ifdel: remove an
 * interface's addresses and every route through it; ifchange: replace an
 * interface's addresses by one, with its routes.
 */
int nr_stack_ifadd(struct nr_stack *s, int ifindex, const struct nr_prefix *addr);
int nr_stack_ifdel(struct nr_stack *s, int ifindex);
int nr_stack_ifchange(struct nr_stack *s, int ifindex, const struct nr_prefix *addr);

#endif
