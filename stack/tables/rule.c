/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Policy rules: storage sorted by priority and the rule walk both
 * families share, after net/core/fib_rules.c (fib_rule_match,
 * fib_rules_lookup) with the family matchers of net/ipv4/fib_rules.c
 * (fib4_rule_match, fib4_rule_suppress) and net/ipv6/fib6_rules.c.
 *
 * ip_proto, sport/dport ranges and uid ranges are compared with the flow
 * as the kernel builds it for `ip route get` (nr_flow_set_l4): a plain
 * IPv4 query asks as UDP with ports 0 and uid 0, so an `ipproto udp` rule
 * matches it and an `ipproto tcp` or `dport 80` rule does not (kernel
 * 6.18, checked in namespaces).
 */
#include "../route_get.h"

#include "netrig/iface.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void nr_ruleset_init(struct nr_ruleset *rs, int family)
{
	memset(rs, 0, sizeof(*rs));
	rs->family = family;
	rs->is_default = true;
}

void nr_ruleset_clear(struct nr_ruleset *rs)
{
	rs->n = 0;
	rs->is_default = true;
}

void nr_ruleset_done(struct nr_ruleset *rs)
{
	free(rs->v);
	rs->v = NULL;
	rs->n = rs->cap = 0;
	rs->is_default = true;
}

static bool compute_is_default(const struct nr_ruleset *rs);

static bool prefix_same(const struct nr_prefix *a, const struct nr_prefix *b)
{
	if (a->len != b->len)
		return false;
	return a->len == 0 || nr_prefix_eq(a, b);
}

/* Field by field (the struct has padding): the kernel's rule_exists(). */
static bool rule_same(const struct nr_rule *a, const struct nr_rule *b)
{
	return a->action == b->action && a->tos == b->tos && a->flags == b->flags &&
	       a->priority == b->priority && a->table == b->table &&
	       a->goto_target == b->goto_target && prefix_same(&a->from, &b->from) &&
	       prefix_same(&a->to, &b->to) && strcmp(a->iifname, b->iifname) == 0 &&
	       strcmp(a->oifname, b->oifname) == 0 && a->fwmark == b->fwmark &&
	       a->fwmask == b->fwmask && a->suppress_prefixlen == b->suppress_prefixlen &&
	       a->suppress_ifgroup == b->suppress_ifgroup && a->ip_proto == b->ip_proto &&
	       a->sport_lo == b->sport_lo && a->sport_hi == b->sport_hi &&
	       a->dport_lo == b->dport_lo && a->dport_hi == b->dport_hi &&
	       a->has_uid_range == b->has_uid_range &&
	       (!a->has_uid_range || (a->uid_lo == b->uid_lo && a->uid_hi == b->uid_hi));
}

static bool prefix_ok(const struct nr_prefix *p, int family)
{
	if (p->len == 0)
		return true;
	return p->addr.family == family && p->len <= nr_addr_bits(family);
}

int nr_ruleset_add(struct nr_ruleset *rs, const struct nr_rule *r)
{
	struct nr_rule c;
	size_t pos;

	if (!r || r->family != rs->family || !prefix_ok(&r->from, rs->family) ||
	    !prefix_ok(&r->to, rs->family))
		return -EINVAL;
	if (r->iifname[sizeof(r->iifname) - 1] || r->oifname[sizeof(r->oifname) - 1])
		return -EINVAL;
	/* fib_nl2rule: a goto must point to a later rule, so walks end. */
	if (r->action == NR_FR_ACT_GOTO && r->goto_target <= r->priority)
		return -EINVAL;
	c = *r;
	/* fib_nl2rule: a mark without a mask compares every bit. */
	if (c.fwmark && !c.fwmask)
		c.fwmask = 0xffffffffu;
	for (size_t i = 0; i < rs->n; i++)
		if (rule_same(&rs->v[i], &c))
			return -EEXIST;
	if (rs->n == rs->cap) {
		size_t ncap = rs->cap ? rs->cap * 2 : 8;
		struct nr_rule *nv = realloc(rs->v, ncap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		rs->v = nv;
		rs->cap = ncap;
	}
	/* After every rule of equal priority, as the kernel links a new rule. */
	for (pos = 0; pos < rs->n && rs->v[pos].priority <= c.priority; pos++)
		;
	memmove(&rs->v[pos + 1], &rs->v[pos], (rs->n - pos) * sizeof(rs->v[0]));
	rs->v[pos] = c;
	rs->n++;
	rs->is_default = compute_is_default(rs);
	return 0;
}

/*
 * `ip rule del`: the priority always, and every other field only when the
 * request sets it (non-zero, non-empty), as fib_nl_delrule compares only
 * the attributes present.
 */
static bool del_match(const struct nr_rule *o, const struct nr_rule *r)
{
	if (o->priority != r->priority)
		return false;
	if (r->action && o->action != r->action)
		return false;
	if (r->table && o->table != r->table)
		return false;
	if (r->tos && o->tos != r->tos)
		return false;
	if (r->goto_target && o->goto_target != r->goto_target)
		return false;
	if (r->from.len && !prefix_same(&o->from, &r->from))
		return false;
	if (r->to.len && !prefix_same(&o->to, &r->to))
		return false;
	if (r->iifname[0] && strcmp(o->iifname, r->iifname) != 0)
		return false;
	if (r->oifname[0] && strcmp(o->oifname, r->oifname) != 0)
		return false;
	if (r->fwmark && o->fwmark != r->fwmark)
		return false;
	if (r->ip_proto && o->ip_proto != r->ip_proto)
		return false;
	return true;
}

int nr_ruleset_del(struct nr_ruleset *rs, const struct nr_rule *r)
{
	if (!r || r->family != rs->family)
		return -EINVAL;
	for (size_t i = 0; i < rs->n; i++) {
		if (del_match(&rs->v[i], r)) {
			memmove(&rs->v[i], &rs->v[i + 1], (rs->n - i - 1) * sizeof(rs->v[0]));
			rs->n--;
			rs->is_default = compute_is_default(rs);
			return 0;
		}
	}
	return -ENOENT;
}

#define DEFAULT_RULE(fam, prio, tbl)                                                      \
	{                                                                                 \
		.family = (fam), .action = NR_FR_ACT_TO_TBL, .protocol = 2 /* kernel */,  \
		.priority = (prio), .table = (tbl), .suppress_prefixlen = -1,             \
		.suppress_ifgroup = -1,                                                   \
	}

/* fib4_rules_init / fib6_rules_net_init: IPv6 has no "default" rule. */
static const struct nr_rule defaults4[] = {
	DEFAULT_RULE(AF_INET, 0, NR_TABLE_LOCAL),
	DEFAULT_RULE(AF_INET, 32766, NR_TABLE_MAIN),
	DEFAULT_RULE(AF_INET, 32767, NR_TABLE_DEFAULT),
};
static const struct nr_rule defaults6[] = {
	DEFAULT_RULE(AF_INET6, 0, NR_TABLE_LOCAL),
	DEFAULT_RULE(AF_INET6, 32766, NR_TABLE_MAIN),
};

static const struct nr_rule *defaults(int family, size_t *ret_n)
{
	if (family == AF_INET6) {
		*ret_n = sizeof(defaults6) / sizeof(defaults6[0]);
		return defaults6;
	}
	*ret_n = sizeof(defaults4) / sizeof(defaults4[0]);
	return defaults4;
}

int nr_ruleset_default(struct nr_ruleset *rs)
{
	size_t n;
	const struct nr_rule *d = defaults(rs->family, &n);
	int err;

	nr_ruleset_clear(rs);
	for (size_t i = 0; i < n; i++) {
		err = nr_ruleset_add(rs, &d[i]);
		if (err)
			return err;
	}
	return 0;
}

const struct nr_rule *nr_ruleset_effective(const struct nr_ruleset *rs, size_t *ret_n)
{
	if (rs->n) {
		*ret_n = rs->n;
		return rs->v;
	}
	return defaults(rs->family, ret_n);
}

bool nr_ruleset_is_default(const struct nr_ruleset *rs)
{
	return rs->is_default;
}

static bool compute_is_default(const struct nr_ruleset *rs)
{
	const struct nr_rule *d;
	size_t n;

	if (rs->n == 0)
		return true;
	d = defaults(rs->family, &n);
	if (rs->n != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		struct nr_rule c = d[i];

		/* Who installed them does not change how they match. */
		c.protocol = rs->v[i].protocol;
		if (!rule_same(&rs->v[i], &c))
			return false;
	}
	return true;
}

/* The rule's iif: "lo" stands for locally generated traffic (flowi_iif = LOOPBACK_IFINDEX). */
static bool ifname_match(const char *name, int ifindex, bool output,
			 const struct nr_iface_table *ifaces)
{
	const struct nr_iface *ifc;

	if (output) {
		ifc = ifaces ? nr_iface_by_name(ifaces, name) : NULL;
		if (ifc)
			return (ifc->flags & NR_IFF_LOOPBACK) != 0;
		return strcmp(name, "lo") == 0;
	}
	if (!ifindex)
		return false;
	ifc = ifaces ? nr_iface_by_index(ifaces, ifindex) : NULL;
	/* A rule naming a device that does not exist never matches (iifindex -1). */
	return ifc && strcmp(ifc->name, name) == 0;
}

#define PROTO_TCP 6
#define PROTO_UDP 17

void nr_flow_set_l4(struct nr_flow *fl, const struct nr_route_query *q)
{
	fl->ip_proto = q->ip_proto;
	fl->sport = q->sport;
	fl->dport = q->dport;
	fl->uid = q->has_uid ? q->uid : 0;
	fl->uid_invalid = false;
	if (fl->family == AF_INET6) {
		/* inet6_rtm_getroute: the given uid, none for input. */
		if (fl->iif && !q->has_uid)
			fl->uid_invalid = true;
		return;
	}
	if (!fl->ip_proto)
		fl->ip_proto = PROTO_UDP;
	if (fl->iif) {
		/*
		 * ip_route_input_slow: uid 0 whatever was asked, and the ports
		 * come from dissecting the dummy packet, which has them only
		 * for TCP and UDP.
		 */
		fl->uid = 0;
		if (fl->ip_proto != PROTO_TCP && fl->ip_proto != PROTO_UDP)
			fl->sport = fl->dport = 0;
	}
}

/* fib_rule_port_match: a range is set when both ends are non-zero. */
static bool port_match(uint16_t lo, uint16_t hi, uint16_t port)
{
	if (!lo || !hi)
		return true;
	return port >= lo && port <= hi;
}

static bool selectors_match(const struct nr_rule *rule, const struct nr_flow *fl,
			    const struct nr_iface_table *ifaces)
{
	if (rule->iifname[0] && !ifname_match(rule->iifname, fl->iif, fl->iif == 0, ifaces))
		return false;
	if (rule->oifname[0] && !ifname_match(rule->oifname, fl->oif, false, ifaces))
		return false;
	if ((rule->fwmark ^ fl->mark) & rule->fwmask)
		return false;
	if (rule->from.len) {
		struct nr_addr src = fl->src;

		if (src.family == AF_UNSPEC) {
			/* fib6_rule_match needs RT6_LOOKUP_F_HAS_SADDR; IPv4 compares 0.0.0.0. */
			if (fl->family == AF_INET6)
				return false;
			memset(&src, 0, sizeof(src));
			src.family = AF_INET;
		}
		if (!nr_prefix_contains(&rule->from, &src))
			return false;
	}
	if (rule->to.len && !nr_prefix_contains(&rule->to, &fl->dst))
		return false;
	if (rule->tos && rule->tos != fl->tos)
		return false;
	if (rule->ip_proto && rule->ip_proto != fl->ip_proto)
		return false;
	if (!port_match(rule->sport_lo, rule->sport_hi, fl->sport) ||
	    !port_match(rule->dport_lo, rule->dport_hi, fl->dport))
		return false;
	if (rule->has_uid_range &&
	    (fl->uid_invalid || fl->uid < rule->uid_lo || fl->uid > rule->uid_hi))
		return false;
	return true;
}

bool nr_rule_match(const struct nr_rule *rule, const struct nr_flow *fl,
		   const struct nr_iface_table *ifaces)
{
	bool m = selectors_match(rule, fl, ifaces);

	return (rule->flags & NR_FIB_RULE_INVERT) ? !m : m;
}

/* fib4_rule_suppress / fib6_rule_suppress. */
static bool suppressed(const struct nr_rule *rule, const struct nr_rule_hit *hit,
		       const struct nr_iface_table *ifaces)
{
	if ((int32_t)hit->plen <= rule->suppress_prefixlen)
		return true;
	if (rule->suppress_ifgroup != -1 && hit->ifindex && ifaces) {
		const struct nr_iface *ifc = nr_iface_by_index(ifaces, hit->ifindex);

		if (ifc && ifc->group == (uint32_t)rule->suppress_ifgroup)
			return true;
	}
	return false;
}

static size_t find_priority(const struct nr_rule *v, size_t n, uint32_t prio)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].priority == prio)
			return i;
	return n;
}

int nr_rules_lookup(const struct nr_stack *s, const struct nr_flow *fl,
		    const struct nr_rule_ops *ops, void *arg, struct nr_rules_trace *trace)
{
	const struct nr_ruleset *rs = fl->family == AF_INET6 ? &s->rules6 : &s->rules4;
	const struct nr_rtset *set = fl->family == AF_INET6 ? &s->routes6 : &s->routes4;
	const struct nr_rule *v;
	struct nr_rule_hit hit;
	size_t n, i = 0;
	int err;

	memset(trace, 0, sizeof(*trace));
	v = nr_ruleset_effective(rs, &n);
	while (i < n) {
		const struct nr_rule *rule = &v[i];

		if (!nr_rule_match(rule, fl, s->ifaces)) {
			i++;
			continue;
		}
		switch (rule->action) {
		case NR_FR_ACT_GOTO: {
			/*
			 * The target is matched in its turn; it always lies further
			 * on. No rule of that priority: unresolved, passed over.
			 */
			size_t t = find_priority(v, n, rule->goto_target);

			i = (t < n && t > i) ? t : i + 1;
			continue;
		}
		case NR_FR_ACT_NOP:
			i++;
			continue;
		case NR_FR_ACT_TO_TBL:
			trace->tables_tried++;
			memset(&hit, 0, sizeof(hit));
			err = ops->lookup(nr_rtset_get(set, rule->table), rule->table, arg, &hit);
			if (err == 0 && suppressed(rule, &hit, s->ifaces)) {
				i++;
				continue;
			}
			break;
		case NR_FR_ACT_BLACKHOLE:
		case NR_FR_ACT_UNREACHABLE:
		case NR_FR_ACT_PROHIBIT:
			err = ops->reject(rule, arg);
			break;
		default:
			/* fib4_rule_action: anything else is -EINVAL. */
			err = -EINVAL;
			break;
		}
		if (err == -EAGAIN) {
			i++;
			continue;
		}
		trace->rule = rule;
		trace->table = rule->action == NR_FR_ACT_TO_TBL ? rule->table : 0;
		return err;
	}
	return -ESRCH;
}

int nr_rule_reject_errno(uint8_t action)
{
	switch (action) {
	case NR_FR_ACT_UNREACHABLE:
		return -ENETUNREACH;
	case NR_FR_ACT_PROHIBIT:
		return -EACCES;
	default:
		return -EINVAL;
	}
}
