/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The IPv6 route decision: what `ip -6 route get DST [from SRC] [iif DEV]
 * [oif DEV] [mark N]` answers, after the kernel's inet6_rtm_getroute ->
 * ip6_route_output_flags / ip6_route_input_lookup (net/ipv6/route.c),
 * fib6_rule_lookup (fib6_rules.c), ip6_pol_route -> fib6_table_lookup
 * (fib6_node_lookup with subtrees, fib6_backtrack), rt6_select /
 * find_rr_leaf / rt6_score_route, fib6_select_path, and rt6_fill_node's
 * ip6_route_get_saddr for the source.
 *
 * Checked against kernel 6.18 (CONFIG_IPV6_ROUTER_PREF, _SUBTREES and
 * _MULTIPLE_TABLES on) in namespaces: tests/unit/test_route_get6.c lists
 * the cases, tests/netns/test_route_get6_kernel.sh replays them. What the
 * kernel does that matters here and differs from IPv4:
 *   - reject routes answer with an error (unreachable -EHOSTUNREACH,
 *     prohibit -EACCES, blackhole -EINVAL); a throw route ends the
 *     table's lookup and the rule walk goes on; no route is -ENETUNREACH;
 *   - no merged local+main trie: local, then main, reported as such;
 *   - the source is never checked: `from` any address is accepted, and
 *     the answer still carries the source the kernel would pick (prefsrc,
 *     else ipv6_dev_get_saddr on the route's device and the destination);
 *   - an output device makes the lookup strict (RT6_LOOKUP_F_IFACE) only
 *     without a source; link-local, multicast and loopback destinations
 *     are always strict; strict means routes through other devices do not
 *     count at all, not even for local addresses;
 *   - among the routes of one prefix only those of the lowest metric
 *     compete first (then every other one at once), scored by device match
 *     and route preference; the first best wins, so the answer is
 *     deterministic (no round robin with ROUTER_PREF);
 *   - a gateway whose neighbour entry is FAILED scores below every other
 *     route while forwarding is off (RT6_LOOKUP_F_REACHABLE), and if that
 *     leaves nothing the lookup is redone ignoring neighbours;
 *   - local and anycast routes answer dev lo, multicast routes their own
 *     device.
 * What is not modelled: the forwarding sysctl (assumed off, a new
 * namespace's default; on, FAILED neighbours would not matter), route
 * expiry, the multipath hash (every sibling the hash may land on is
 * returned), PMTU/redirect exceptions, l3mdev (VRF), nexthop objects.
 */
#include "route_get.h"

#include "netrig/iface.h"
#include "netrig/neigh.h"
#include "netrig/srcsel.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

/* RT6_LOOKUP_F_*: the lookup's strictness. */
#define LOOKUP_IFACE 0x1u
#define LOOKUP_REACHABLE 0x2u

/* enum rt6_nud_state */
#define NUD_FAIL_HARD (-3)
#define NUD_FAIL_PROBE (-2)

#define MAX_PLEN 128u

/* One fib6_info: a route, or one sibling (nexthop) of a multipath route. */
struct f6 {
	const struct nr_route *r;
	uint16_t k;
};

struct ctx6 {
	const struct nr_stack *s;
	const struct nr_flow *fl;
	struct nr_addr saddr; /* :: without RT6_LOOKUP_F_HAS_SADDR */
	int oif;              /* ip6_pol_route's oif: the output, or the input device */
	unsigned strict;
	/* Entries treated as failed, to find who wins when a neighbour fails (alt). */
	const struct f6 *excl;
	size_t nexcl;
	const struct nr_rt_hint *hint; /* main's longest match for fl->dst, or NULL */
	/* The result (fib6_result) and where it was found. */
	struct f6 res;
	unsigned plen;
	uint32_t table;
	/* The group res came from, to list alternatives: its prefix list and source length. */
	struct nr_rt_list group;
	int group_src; /* -1: plain routes, else the source prefix length */
};

static bool v6_multicast(const struct nr_addr *a)
{
	return a->bytes[0] == 0xff;
}

/* rt6_need_strict() */
static bool need_strict(const struct nr_addr *a)
{
	return (nr_ipv6_addr_type(a) &
		(NR_IPV6_ADDR_MULTICAST | NR_IPV6_ADDR_LINKLOCAL | NR_IPV6_ADDR_LOOPBACK)) != 0;
}

/* ip6_rt_type_to_error() */
static int type_error(uint8_t type)
{
	switch (type) {
	case NR_RTN_BLACKHOLE:
		return -EINVAL;
	case NR_RTN_UNREACHABLE:
		return -EHOSTUNREACH;
	case NR_RTN_PROHIBIT:
		return -EACCES;
	case NR_RTN_THROW:
		return -EAGAIN;
	default:
		return 0;
	}
}

static uint16_t nh_slots(const struct nr_route *r)
{
	return r->nh_count ? r->nh_count : 1;
}

/* fib_nh_dev: reject routes hang on the loopback device. */
static int nh_dev(const struct nr_stack *s, const struct nr_route *r, uint16_t k)
{
	return r->nh_count ? r->nh[k].ifindex : nr_stack_loopback_index(s);
}

static bool nh_has_gw(const struct nr_route *r, uint16_t k)
{
	return r->nh_count && !nr_addr_is_unspec(&r->nh[k].gw);
}

/* ip6_rt_get_dev_rcu(): copies of local and anycast routes go out through lo. */
static int out_dev(const struct nr_stack *s, const struct nr_route *r, uint16_t k)
{
	if (r->type == NR_RTN_LOCAL || r->type == NR_RTN_ANYCAST)
		return nr_stack_loopback_index(s);
	return nh_dev(s, r, k);
}

static bool neigh_failed(const struct nr_stack *s, const struct nr_route *r, uint16_t k)
{
	const struct nr_neigh_entry *e;

	if (!s->neigh)
		return false;
	e = nr_neigh_lookup(s->neigh, r->nh[k].ifindex, &r->nh[k].gw);
	return e && e->state == NR_NEIGH_FAILED;
}

/*
 * rt6_score_route(): 2 for the right device, plus the decoded route
 * preference (IPV6_DECODE_PREF: low 1, medium 2, high 3) shifted by 2.
 * With ROUTER_PREF a missing or unresolved neighbour still succeeds;
 * only a FAILED one scores RT6_NUD_FAIL_PROBE.
 */
static int score(const struct ctx6 *c, const struct nr_route *r, uint16_t k, unsigned strict)
{
	int m = 0;

	if (!c->oif || nh_dev(c->s, r, k) == c->oif)
		m = 2;
	if (!m && (strict & LOOKUP_IFACE))
		return NUD_FAIL_HARD;
	m |= ((r->pref ^ 2) & 3) << 2;
	if ((strict & LOOKUP_REACHABLE) && nh_has_gw(r, k) && neigh_failed(c->s, r, k))
		return NUD_FAIL_PROBE;
	return m;
}

static bool excluded(const struct ctx6 *c, const struct nr_route *r, uint16_t k)
{
	for (size_t i = 0; i < c->nexcl; i++)
		if (c->excl[i].r == r && c->excl[i].k == k)
			return true;
	return false;
}

static bool nh_usable(const struct ctx6 *c, const struct nr_route *r, uint16_t k)
{
	if (r->nh_count && nr_nexthop_dead(c->s, r, &r->nh[k]))
		return false;
	return !excluded(c, r, k);
}

/* find_match(): a better score than the best so far (first one kept on ties). */
static bool find_match(const struct ctx6 *c, const struct nr_route *r, uint16_t k,
		       unsigned strict, int *mpri)
{
	int m;

	if (!nh_usable(c, r, k))
		return false;
	m = score(c, r, k, strict);
	if (m == NUD_FAIL_HARD || m <= *mpri)
		return false;
	*mpri = m;
	return true;
}

/* A fib6 node's routes: the plain ones (src -1) or those of one source prefix length. */
static bool in_group(const struct ctx6 *c, const struct nr_route *r, int src)
{
	if (src < 0)
		return r->src.len == 0;
	return r->src.len == src && nr_prefix_contains(&r->src, &c->saddr);
}

/*
 * rt6_select() / find_rr_leaf() on one node: the routes sharing the first
 * route's metric compete; only when none qualifies do all the others,
 * whatever their metric. rr_ptr never moves with ROUTER_PREF (no
 * RT6_NUD_FAIL_DO_RR), so the walk starts at the first route.
 */
static bool rt6_select(const struct ctx6 *c, const struct nr_rt_list *l, int src, unsigned strict,
		       struct f6 *ret)
{
	bool found = false, have_metric = false, cont = false;
	uint32_t metric = 0;
	int mpri = -1;

	for (size_t i = 0; i < l->n; i++) {
		const struct nr_route *r = nr_rt_list_at(l, i);

		if (!in_group(c, r, src))
			continue;
		if (!have_metric) {
			metric = r->metric;
			have_metric = true;
		}
		if (!cont && r->metric != metric) {
			if (found)
				break;
			cont = true; /* the rest, every metric, with the best score so far */
		}
		for (uint16_t k = 0; k < nh_slots(r); k++) {
			if (find_match(c, r, k, strict, &mpri)) {
				ret->r = r;
				ret->k = k;
				found = true;
			}
		}
	}
	return found;
}

/* Source prefix lengths of l's source-specific routes that contain saddr. */
static bool src_lengths(const struct ctx6 *c, const struct nr_rt_list *l, uint8_t *has_len,
			bool *plain)
{
	bool any_src = false;

	memset(has_len, 0, MAX_PLEN + 1);
	*plain = false;
	for (size_t i = 0; i < l->n; i++) {
		const struct nr_route *r = nr_rt_list_at(l, i);

		if (r->src.len == 0) {
			*plain = true;
			continue;
		}
		any_src = true;
		if (r->src.len <= MAX_PLEN && nr_prefix_contains(&r->src, &c->saddr))
			has_len[r->src.len] = 1;
	}
	return any_src;
}

static bool select_in(struct ctx6 *c, const struct nr_rt_list *l, unsigned plen, int src,
		      unsigned strict)
{
	struct f6 hit;

	if (!rt6_select(c, l, src, strict, &hit))
		return false;
	c->res = hit;
	c->plen = plen;
	c->group = *l;
	c->group_src = src;
	return true;
}

/*
 * fib6_table_lookup(): fib6_node_lookup finds the longest destination
 * prefix whose node either has plain routes or a source subtree with a
 * match for saddr (a node with a subtree but no source match is passed
 * over, its plain routes too); rt6_select there; on failure
 * fib6_backtrack climbs: at each shorter prefix first the subtree's
 * source matches (longest first), then the node's plain routes. With
 * RT6_LOOKUP_F_REACHABLE and nothing found, once more without it.
 */
static bool plain_only(const struct nr_rt_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (nr_rt_list_at(l, i)->src.len != 0)
			return false;
	return true;
}

static bool table_lookup6(struct ctx6 *c, const struct nr_rtable *t)
{
	struct nr_rt_list lists[MAX_PLEN + 1];
	unsigned plens[MAX_PLEN + 1];
	uint8_t has_len[MAX_PLEN + 1];
	unsigned strict = c->strict;
	size_t n;

	/*
	 * The usual case first: the longest prefix holds only plain routes
	 * (no source subtree to pass it over) and one of them qualifies on
	 * the first pass. That is the loop below stopping at its first
	 * entry, found with one jump-table lookup instead of a walk from the
	 * root collecting every shorter prefix.
	 */
	if (!nr_rtable_longest_hinted(t, &c->fl->dst, c->hint, &lists[0], &plens[0]))
		return false; /* no prefix at all */
	if (plain_only(&lists[0]) && select_in(c, &lists[0], plens[0], -1, strict))
		return true;
	n = nr_rtable_matches(t, &c->fl->dst, lists, plens, MAX_PLEN + 1);

	for (;;) {
		bool started = false;

		for (size_t i = 0; i < n; i++) {
			bool plain, any_src = src_lengths(c, &lists[i], has_len, &plain);
			bool src_match = false;

			for (unsigned len = MAX_PLEN; len > 0 && !src_match; len--)
				src_match = has_len[len] != 0;
			if (!started && any_src && !src_match)
				continue;
			started = true;
			for (unsigned len = MAX_PLEN; len > 0; len--)
				if (has_len[len] &&
				    select_in(c, &lists[i], plens[i], (int)len, strict))
					return true;
			if (plain && select_in(c, &lists[i], plens[i], -1, strict))
				return true;
		}
		if (!(strict & LOOKUP_REACHABLE))
			return false;
		strict &= ~LOOKUP_REACHABLE;
	}
}

/* FR_ACT_TO_TBL (__fib6_rule_action): a route, a reject route's error, or -EAGAIN. */
static int rule_lookup6(const struct nr_rtable *t, uint32_t table_id, void *arg,
			struct nr_rule_hit *hit)
{
	struct ctx6 *c = arg;
	int err;

	memset(&c->res, 0, sizeof(c->res));
	if (!t || !table_lookup6(c, t)) {
		memset(&c->res, 0, sizeof(c->res));
		return -EAGAIN; /* no table, or the null entry */
	}
	c->table = table_id;
	err = type_error(c->res.r->type);
	if (err == -EAGAIN) {
		memset(&c->res, 0, sizeof(c->res)); /* throw */
		return err;
	}
	/* What fib6_rule_suppress looks at: the prefix and rt6i_idev's device. */
	hit->plen = c->plen;
	hit->ifindex = out_dev(c->s, c->res.r, c->res.k);
	return err;
}

/* The reject actions: the null, prohibit and blackhole entries. */
static int rule_reject6(const struct nr_rule *rule, void *arg)
{
	struct ctx6 *c = arg;

	memset(&c->res, 0, sizeof(c->res));
	return nr_rule_reject_errno(rule->action);
}

/*
 * No custom rules: fib6_rule_lookup skips the rule walk and looks in
 * local, then main, each table reported as itself, a throw or nothing in
 * main ending with the null entry. That is what the default rules (0
 * local, 32766 main, no selectors, no suppression) give when walked, so
 * the explanation is the same; only the matching of each rule is saved.
 */
static int default_lookup6(struct ctx6 *c, struct nr_route_explain *why)
{
	static const uint32_t prio[2] = {0, 32766};
	static const uint32_t table[2] = {NR_TABLE_LOCAL, NR_TABLE_MAIN};
	struct nr_rule_hit hit;
	int err;

	why->rule_priority = 0;
	for (unsigned i = 0; i < 2; i++) {
		why->tables_tried = i + 1;
		err = rule_lookup6(nr_rtset_get(&c->s->routes6, table[i]), table[i], c, &hit);
		if (err != -EAGAIN) {
			why->rule_priority = prio[i];
			return err;
		}
	}
	return -ESRCH;
}

/* fib6_rule_lookup(): 0 with c->res, or the error the kernel answers. */
static int fib6_lookup(struct ctx6 *c, struct nr_route_explain *why)
{
	static const struct nr_rule_ops ops = {rule_lookup6, rule_reject6};
	struct nr_rules_trace tr;
	int err;

	if (nr_ruleset_is_default(&c->s->rules6)) {
		err = default_lookup6(c, why);
	} else {
		err = nr_rules_lookup(c->s, c->fl, &ops, c, &tr);
		why->tables_tried = tr.tables_tried;
		why->rule_priority = tr.rule ? tr.rule->priority : 0;
	}
	if (err == -ESRCH || err == -EAGAIN)
		err = -ENETUNREACH;
	if (err && !(c->res.r && type_error(c->res.r->type) == err))
		memset(&c->res, 0, sizeof(c->res));
	return err;
}

/*
 * fib6_select_path(): for a multipath route the hash picks a sibling; one
 * that is dead or scores below zero leaves rt6_select's choice. Every
 * sibling the hash may land on is returned: the whole array when all
 * qualify, a contiguous run of it, or (an unusual mix) the whole array
 * with the dead ones flagged.
 */
static void select_path(const struct ctx6 *c, struct nr_route_result *ret)
{
	const struct nr_route *r = c->res.r;
	uint16_t first = UINT16_MAX, last = 0, count = 0;

	for (uint16_t k = 0; k < r->nh_count; k++) {
		bool ok = k == c->res.k ||
			  (!nr_nexthop_dead(c->s, r, &r->nh[k]) && score(c, r, k, c->strict) >= 0);

		if (!ok)
			continue;
		if (first == UINT16_MAX)
			first = k;
		last = k;
		count++;
	}
	if (count == (uint16_t)(last - first + 1)) {
		ret->nh = &r->nh[first];
		ret->nh_count = count;
	} else {
		ret->nh = r->nh;
		ret->nh_count = r->nh_count;
	}
}

/*
 * With no neighbour entry for the winner's gateway the kernel might know
 * one as FAILED and pick the next route of the node: list that chain of
 * winners (each a gateway route whose neighbour netrig does not know).
 */
static void alternatives(struct ctx6 *c, struct nr_route_result *ret)
{
	struct f6 excl[NR_ROUTE_MAX_ALT];
	struct f6 cur = c->res, hit;
	struct ctx6 tmp = *c;
	size_t n = 0;

	ret->alt[ret->alt_count++] = cur.r;
	while (n < NR_ROUTE_MAX_ALT && nh_has_gw(cur.r, cur.k) && c->s->neigh &&
	       !nr_neigh_lookup(c->s->neigh, cur.r->nh[cur.k].ifindex, &cur.r->nh[cur.k].gw)) {
		bool seen = false;

		excl[n++] = cur;
		tmp.excl = excl;
		tmp.nexcl = n;
		if (!rt6_select(&tmp, &c->group, c->group_src, c->strict, &hit))
			break;
		for (uint16_t i = 0; i < ret->alt_count; i++)
			seen = seen || ret->alt[i] == hit.r;
		if (!seen) {
			if (ret->alt_count == NR_ROUTE_MAX_ALT)
				break;
			ret->alt[ret->alt_count++] = hit.r;
		}
		cur = hit;
	}
	if (ret->alt_count < 2)
		ret->alt_count = 0;
}

/* ip6_route_get_saddr(): the route's prefsrc, else source selection on its device. */
static void route_saddr(const struct nr_stack *s, const struct f6 *res, const struct nr_addr *dst,
			struct nr_route_result *ret)
{
	const struct nr_route *r = res->r;

	if (r->prefsrc.family == AF_INET6 && !nr_addr_is_unspec(&r->prefsrc)) {
		ret->prefsrc = r->prefsrc;
		snprintf(ret->why.src_reason, sizeof(ret->why.src_reason), "prefsrc");
		return;
	}
	/* fib6_info_nh_dev(): the device that owns a local address, not lo. */
	if (nr_srcsel6(s->ifaces, nh_dev(s, r, res->k), dst, &ret->prefsrc, ret->why.src_reason,
		       sizeof(ret->why.src_reason)) != 0) {
		memset(&ret->prefsrc, 0, sizeof(ret->prefsrc));
		ret->why.src_reason[0] = '\0';
	}
}

/*
 * ECMP: the source goes with the sibling the hash picked (ip6_route_get_saddr
 * runs on the chosen route), so give each hop its own.
 */
static void ecmp_sources(const struct nr_stack *s, const struct nr_route *r,
			 const struct nr_addr *dst, struct nr_route_result *ret)
{
	if (ret->nh_count < 2)
		return;
	for (unsigned i = 0; i < ret->nh_count && i < NR_ROUTE_MAX_ECMP_SRC; i++) {
		char reason[48];

		if (r->prefsrc.family == AF_INET6 && !nr_addr_is_unspec(&r->prefsrc))
			ret->nh_prefsrc[i] = r->prefsrc;
		else if (nr_srcsel6(s->ifaces, ret->nh[i].ifindex, dst, &ret->nh_prefsrc[i], reason,
				    sizeof(reason)) != 0)
			memset(&ret->nh_prefsrc[i], 0, sizeof(ret->nh_prefsrc[i]));
	}
}

static int route_get6(const struct nr_stack *s, const struct nr_route_query *q,
		      struct nr_route_result *ret, const struct nr_rt_hint *hint)
{
	struct ctx6 c;
	struct nr_flow fl;
	bool have_src = q->src.family == AF_INET6 && !nr_addr_is_unspec(&q->src);
	const struct nr_route *r;
	int err;

	memset(&c, 0, sizeof(c));
	memset(&fl, 0, sizeof(fl));
	fl.family = AF_INET6;
	fl.dst = q->dst;
	if (have_src)
		fl.src = q->src; /* else AF_UNSPEC: rules with `from` do not match */
	fl.mark = q->mark;
	fl.tos = q->tos;
	c.s = s;
	c.fl = &fl;
	c.hint = hint;
	c.saddr.family = AF_INET6;
	if (have_src)
		c.saddr = q->src;
	/* A new namespace forwards nothing: neighbour state counts. */
	c.strict = LOOKUP_REACHABLE;
	if (need_strict(&q->dst))
		c.strict |= LOOKUP_IFACE;

	if (q->iif) {
		/* ip6_route_input_lookup(): the input device plays the oif part. */
		if (!nr_iface_by_index(s->ifaces, q->iif))
			return -ENODEV;
		fl.iif = q->iif;
		c.oif = q->iif;
	} else {
		/* ip6_route_output_flags_noref(): flowi6_iif is lo (fl.iif 0). */
		fl.oif = q->oif;
		c.oif = q->oif;
		if (q->oif && !have_src)
			c.strict |= LOOKUP_IFACE;
	}

	err = fib6_lookup(&c, &ret->why);
	ret->why.table = c.res.r ? c.table : 0;
	if (c.res.r) {
		ret->route = c.res.r;
		ret->type = c.res.r->type;
		ret->table = c.table;
		ret->metric = c.res.r->metric;
		ret->why.prefix = c.res.r->dst;
	}
	if (err)
		return err;

	r = c.res.r;
	/* rt6_fill_node asks the multicast routing code for an input multicast route. */
	if (q->iif && v6_multicast(&r->dst.addr))
		return -EMSGSIZE;
	if (r->nh_count > 1) {
		select_path(&c, ret);
	} else if (r->nh_count == 1) {
		ret->nh = &r->nh[0];
		ret->nh_count = 1;
	}
	ret->ifindex = out_dev(s, r, c.res.k);
	if (nh_has_gw(r, c.res.k))
		ret->gateway = r->nh[c.res.k].gw;
	alternatives(&c, ret);

	if (q->iif) {
		/* Input answers carry only a route's own prefsrc. */
		if (r->prefsrc.family == AF_INET6 && !nr_addr_is_unspec(&r->prefsrc)) {
			ret->prefsrc = r->prefsrc;
			snprintf(ret->why.src_reason, sizeof(ret->why.src_reason), "prefsrc");
		}
		return 0;
	}
	route_saddr(s, &c.res, &q->dst, ret);
	ecmp_sources(s, r, &q->dst, ret);
	return 0;
}

int nr_route_get6(const struct nr_stack *s, const struct nr_route_query *q,
		  struct nr_route_result *ret, const struct nr_rt_hint *hint)
{
	int err;

	if (q->dst.family != AF_INET6)
		return -EINVAL;
	nr_route_result_start(ret, AF_INET6);
	err = route_get6(s, q, ret, hint);
	if (err) {
		ret->error = err;
		ret->ifindex = 0;
		ret->nh = NULL;
		ret->nh_count = 0;
		ret->alt_count = 0;
		memset(&ret->gateway, 0, sizeof(ret->gateway));
		memset(&ret->prefsrc, 0, sizeof(ret->prefsrc));
		/* The reject route that refused stays for the explanation. */
		if (!ret->route || type_error(ret->route->type) != err)
			ret->route = NULL;
		ret->type = ret->route ? ret->route->type : NR_RTN_UNSPEC;
		ret->table = ret->route ? ret->table : 0;
		if (!ret->route)
			ret->metric = 0;
	}
	return 0;
}
