/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Internal to stack/: the stack object's insides and what both route
 * decision engines (route_get4.c, route_get6.c) share: the flow being
 * routed, policy-rule storage and the one rule walk (fib_rules_lookup)
 * with goto, nop, throw fall-through and suppress_* applied in one place.
 */
#ifndef NETRIG_ROUTE_GET_H
#define NETRIG_ROUTE_GET_H

#include "netrig/stack.h"
#include "tables/rtable.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Policy rules of one family, sorted by priority, stable for equal ones. */
struct nr_ruleset {
	int family;
	size_t n, cap;
	struct nr_rule *v;
	/* nr_ruleset_is_default's answer, kept by every change (asked per lookup). */
	bool is_default;
};

struct nr_stack {
	struct nr_iface_table *ifaces;
	struct nr_neigh_cache *neigh;
	struct nr_resolv *resolv;
	struct nr_rtset routes4, routes6;
	struct nr_ruleset rules4, rules6;
};

void nr_ruleset_init(struct nr_ruleset *rs, int family);
void nr_ruleset_done(struct nr_ruleset *rs);
void nr_ruleset_clear(struct nr_ruleset *rs);
/*
 * -EINVAL (wrong family, goto not pointing to a later priority, as the
 * kernel refuses), -EEXIST (an identical rule), -ENOMEM.
 */
int nr_ruleset_add(struct nr_ruleset *rs, const struct nr_rule *r);
/* See rule.c for which fields a delete request compares. -ENOENT. */
int nr_ruleset_del(struct nr_ruleset *rs, const struct nr_rule *r);
int nr_ruleset_default(struct nr_ruleset *rs);
/* The rules lookups walk: the set, or the kernel defaults when it is empty. */
const struct nr_rule *nr_ruleset_effective(const struct nr_ruleset *rs, size_t *ret_n);
/*
 * True when the rules are exactly the kernel's defaults. The kernel then
 * skips the rule walk (fib_has_custom_rules false) and looks up one trie
 * holding local and main together, which changes the table it reports.
 */
bool nr_ruleset_is_default(const struct nr_ruleset *rs);

/* What is being routed, in the terms rules and tables match on. */
struct nr_flow {
	int family;
	struct nr_addr dst;
	struct nr_addr src; /* AF_UNSPEC (or all-zero) when none */
	int iif;            /* 0: locally generated (rule iif "lo" matches) */
	int oif;            /* 0: any */
	uint32_t mark;
	uint8_t tos;        /* IPv4: TOS & NR_FLOW4_TOS_MASK; IPv6: traffic class */
	/* fib_rule_match / fib4_rule_match: fill with nr_flow_set_l4(). */
	uint8_t ip_proto;
	uint16_t sport, dport;
	uint32_t uid;
	bool uid_invalid;   /* INVALID_UID: in no uidrange */
};

/*
 * The IPv4 TOS bits routes and rules are compared with
 * (fib_dscp_masked_match, INET_DSCP_LEGACY_TOS_MASK): `tos 0xb0` and `tos
 * 0x12` both meet a `tos 0x10` route or rule. The kernel refuses rules
 * with other bits; a route with others (tos 0xb0) never matches.
 */
#define NR_FLOW4_TOS_MASK 0x1cu

/*
 * Protocol, ports and uid of the flow for query q, as inet_rtm_getroute /
 * inet6_rtm_getroute build them (see struct nr_route_query); fl->family
 * and fl->iif must be set.
 */
void nr_flow_set_l4(struct nr_flow *fl, const struct nr_route_query *q);

bool nr_rule_match(const struct nr_rule *rule, const struct nr_flow *fl,
		   const struct nr_iface_table *ifaces);

/* A successful table lookup, as suppress_prefixlength/ifgroup see it. */
struct nr_rule_hit {
	unsigned plen; /* the matched route's prefix length */
	int ifindex;   /* its (first) nexthop's device, 0 when none */
};

struct nr_rule_ops {
	/*
	 * FR_ACT_TO_TBL on table (NULL when the stack has no such table):
	 * 0 with hit filled when a route was found, -EAGAIN to go on with
	 * the next rule (nothing found, or a throw route), another negative
	 * errno to end the walk with it (reject routes).
	 */
	int (*lookup)(const struct nr_rtable *table, uint32_t table_id, void *arg,
		      struct nr_rule_hit *hit);
	/* A reject action (blackhole, unreachable, prohibit): the family's errno. */
	int (*reject)(const struct nr_rule *rule, void *arg);
};

struct nr_rules_trace {
	const struct nr_rule *rule; /* the rule that ended the walk, NULL if none */
	uint32_t table;             /* its table (TO_TBL) */
	unsigned tables_tried;
};

/*
 * fib_rules_lookup(): walk the family's effective rules for fl. Returns
 * what the deciding rule's action returned (0 or an errno), or -ESRCH
 * when no rule decided. trace is always filled.
 */
/* The errno a reject rule action answers with, in both families
 * (fib4_rule_action / fib6_rule_action): unreachable -ENETUNREACH,
 * prohibit -EACCES, blackhole (and anything else) -EINVAL. */
int nr_rule_reject_errno(uint8_t action);

int nr_rules_lookup(const struct nr_stack *s, const struct nr_flow *fl,
		    const struct nr_rule_ops *ops, void *arg, struct nr_rules_trace *trace);

/* The loopback device's index: IFF_LOOPBACK, else "lo", else 1 (LOOPBACK_IFINDEX). */
int nr_stack_loopback_index(const struct nr_stack *s);

/*
 * A nexthop of route r the kernel would not use: RTNH_F_DEAD, or its
 * device is in the table and administratively down (fib_sync_down_dev
 * marks such nexthops dead, except those of local routes, whose nexthop
 * scope is "nowhere": an address on a down device is still local).
 * Linkdown nexthops stay usable: ignore_routes_with_linkdown is 0 by
 * default.
 */
bool nr_nexthop_dead(const struct nr_stack *s, const struct nr_route *r,
		     const struct nr_nexthop *nh);
/*
 * The part of nr_nexthop_dead that asks the device: known and not up.
 * Remembered per thread (see stack.c).
 */
bool nr_stack_dev_down(const struct nr_stack *s, int ifindex);

/*
 * Start an answer: every field a reader looks at cleared, but not the
 * arrays nh_prefsrc and alt (most of the struct's ~500 bytes), whose
 * entries are only read below nh_count and alt_count and are written
 * before those counts grow. Clearing them cost a tenth of an IPv4 lookup.
 */
static inline void nr_route_result_start(struct nr_route_result *ret, int family)
{
	memset(ret, 0, offsetof(struct nr_route_result, nh_prefsrc));
	memset(&ret->why, 0, sizeof(ret->why));
	ret->alt_count = 0;
	ret->why.prefix.addr.family = (uint8_t)family;
}

/*
 * hint (may be NULL): the main table's longest match for q->dst, computed
 * ahead by a batch (nr_stack_route_get_many); the answer is the same.
 */
int nr_route_get4(const struct nr_stack *s, const struct nr_route_query *q,
		  struct nr_route_result *ret, const struct nr_rt_hint *hint);
int nr_route_get6(const struct nr_stack *s, const struct nr_route_query *q,
		  struct nr_route_result *ret, const struct nr_rt_hint *hint);

#endif
