/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The IPv4 route decision: what `ip route get DST [from SRC] [iif DEV]
 * [oif DEV] [mark N] [tos T]` answers, after the kernel's
 * inet_rtm_getroute -> ip_route_output_key_hash_rcu (net/ipv4/route.c),
 * fib_lookup (fib_rules.c), fib_table_lookup (fib_trie.c),
 * fib_select_path / fib_select_default / fib_result_prefsrc
 * (fib_semantics.c) and __mkroute_output; with iif, ip_route_input_slow.
 *
 * Checked against kernel 6.18 in namespaces (tests/unit/test_route_get4.c
 * lists the cases). What is not modelled:
 *   - sysctls: forwarding is assumed on for iif queries (a new namespace
 *     has it off and answers -EHOSTUNREACH for every forwarded query),
 *     rp_filter off, route_localnet off, ignore_routes_with_linkdown off,
 *     accept_local off, src_valid_mark off;
 *   - fib_validate_source's reverse lookup for iif queries (see
 *     route_input4: only its "source is one of ours" shortcut is done);
 *   - the kernel's fib_has_custom_rules flag stays set once any rule was
 *     ever added; netrig treats "rules equal the defaults" as no custom
 *     rules (it decides whether local routes are reported in table main);
 *   - the multipath hash: every usable nexthop is returned instead;
 *   - neighbour state in fib_select_default: every candidate is returned;
 *   - multicast group membership and multicast forwarding (iif queries to
 *     a multicast destination answer -EINVAL).
 */
#include "route_get.h"

#include "netrig/iface.h"
#include "netrig/srcsel.h"

#include <errno.h>
#include <string.h>

#define PRIO_RULE_LOCAL 0u
#define PRIO_RULE_MAIN 32766u
#define PRIO_RULE_DEFAULT 32767u

/* A fib_result: the alias found and where. */
struct fib_res {
	const struct nr_route *route; /* NULL: none (res->fi == NULL) */
	unsigned plen;
	uint16_t nh_sel;
	uint8_t type;
	uint32_t table;      /* the table the kernel reports, 0 when none */
	struct nr_rt_list list; /* every route of the prefix (fa_head) */
};

struct ctx4 {
	const struct nr_stack *s;
	const struct nr_flow *fl;
	const struct nr_rt_hint *hint; /* NULL: none */
	struct fib_res res;
};

static bool v4_multicast(uint32_t a)
{
	return (a & 0xf0000000u) == 0xe0000000u;
}

static bool v4_local_multicast(uint32_t a)
{
	return (a & 0xffffff00u) == 0xe0000000u;
}

static bool v4_lbcast(uint32_t a)
{
	return a == 0xffffffffu;
}

static bool v4_zeronet(uint32_t a)
{
	return (a & 0xff000000u) == 0;
}

static bool v4_loopback(uint32_t a)
{
	return (a & 0xff000000u) == 0x7f000000u;
}

static uint32_t addr4(const struct nr_addr *a)
{
	return a->family == AF_INET ? nr_addr_v4(a) : 0;
}

/* nr_addr_is_unspec without the 16-byte compare for the usual IPv4 address. */
static bool addr_unset(const struct nr_addr *a)
{
	if (a->family == AF_INET)
		return (a->bytes[0] | a->bytes[1] | a->bytes[2] | a->bytes[3]) == 0;
	return nr_addr_is_unspec(a);
}

/* fib_props[type].error */
static int type_error(uint8_t type)
{
	switch (type) {
	case NR_RTN_THROW:
		return -EAGAIN;
	case NR_RTN_UNREACHABLE:
		return -EHOSTUNREACH;
	case NR_RTN_PROHIBIT:
		return -EACCES;
	case NR_RTN_BLACKHOLE:
		return -EINVAL;
	default:
		return 0;
	}
}

/* fib_lookup_good_nhc(): usable, and through the requested device. */
static bool nh_good(const struct nr_stack *s, const struct nr_route *r,
		    const struct nr_nexthop *nh, int oif)
{
	if (nr_nexthop_dead(s, r, nh))
		return false;
	return !oif || oif == nh->ifindex;
}

/* One prefix's aliases: the first whose tos fits and that has a usable nexthop. */
static int scan_list(struct ctx4 *c, const struct nr_rt_list *l, unsigned plen, uint32_t report,
		     bool *found)
{
	const struct nr_flow *fl = c->fl;

	*found = false;
	for (size_t i = 0; i < l->n; i++) {
		const struct nr_route *r = nr_rt_list_at(l, i);
		int err;

		if (r->tos && r->tos != fl->tos)
			continue;
		err = type_error(r->type);
		if (err) {
			/* Reject routes end the table's lookup, even throw. */
			c->res.route = r;
			c->res.plen = plen;
			c->res.type = r->type;
			c->res.table = report;
			c->res.list = *l;
			*found = true;
			return err;
		}
		for (uint16_t k = 0; k < r->nh_count || (k == 0 && r->nh_count == 0); k++) {
			if (r->nh_count ? !nh_good(c->s, r, &r->nh[k], fl->oif) : fl->oif != 0)
				continue;
			c->res.route = r;
			c->res.plen = plen;
			c->res.nh_sel = k;
			c->res.type = r->type;
			c->res.table = report;
			c->res.list = *l;
			*found = true;
			return 0;
		}
	}
	return -EAGAIN;
}

static void fill_hit(const struct ctx4 *c, struct nr_rule_hit *hit)
{
	hit->plen = c->res.plen;
	hit->ifindex = c->res.route && c->res.route->nh_count ? c->res.route->nh[0].ifindex : 0;
}

/* fib_table_lookup(): longest prefix first, backtracking to shorter ones. */
static int table_lookup(const struct nr_rtable *t, uint32_t table_id, void *arg,
			struct nr_rule_hit *hit)
{
	struct ctx4 *c = arg;
	struct nr_rt_list lists[33];
	unsigned plens[33];
	size_t n;
	bool found;
	int err;

	if (!t)
		return -EAGAIN;
	/*
	 * The usual case first: the longest prefix decides (one jump-table
	 * lookup); only when none of its aliases fits (tos, dead or other-
	 * device nexthops) is the path from the root collected to backtrack.
	 */
	if (!nr_rtable_longest_hinted(t, &c->fl->dst, c->hint, &lists[0], &plens[0]))
		return -EAGAIN;
	err = scan_list(c, &lists[0], plens[0], table_id, &found);
	if (found) {
		fill_hit(c, hit);
		return err;
	}
	n = nr_rtable_matches(t, &c->fl->dst, lists, plens, 33);
	for (size_t i = 0; i < n; i++) {
		err = scan_list(c, &lists[i], plens[i], table_id, &found);
		if (found) {
			fill_hit(c, hit);
			return err;
		}
	}
	return -EAGAIN;
}

/* fib4_rule_action for the reject actions. */
static int rule_reject(const struct nr_rule *rule, void *arg)
{
	(void)arg;
	return nr_rule_reject_errno(rule->action);
}

/*
 * No custom rules: the kernel looks up one trie holding main and local
 * together (fib_unmerge has not run), reported as table main, then the
 * default table. Longest prefix over both; at one prefix local's aliases
 * come first (higher tb_id first in a leaf).
 */
static int merged_lookup(struct ctx4 *c, struct nr_route_explain *why)
{
	const struct nr_rtset *set = &c->s->routes4;
	struct nr_rt_list ll[33], ml[33];
	unsigned lp[33], mp[33];
	size_t ln, mn, li = 0, mi = 0;
	const struct nr_rtable *local = nr_rtset_get(set, NR_TABLE_LOCAL);
	const struct nr_rtable *main_t = nr_rtset_get(set, NR_TABLE_MAIN);
	bool found, have_l, have_m;
	int err;

	/*
	 * The longest prefix of the two tables first, as the loop below
	 * would take it; the full paths are collected only when it yields
	 * nothing (not even a throw).
	 */
	why->tables_tried = 1;
	have_l = local && nr_rtable_longest(local, &c->fl->dst, &ll[0], &lp[0]);
	have_m = main_t && nr_rtable_longest_hinted(main_t, &c->fl->dst, c->hint, &ml[0], &mp[0]);
	if (have_l || have_m) {
		bool take_local = have_l && (!have_m || lp[0] >= mp[0]);

		if (take_local) {
			err = scan_list(c, &ll[0], lp[0], NR_TABLE_MAIN, &found);
			why->rule_priority = PRIO_RULE_LOCAL;
		} else {
			err = scan_list(c, &ml[0], mp[0], NR_TABLE_MAIN, &found);
			why->rule_priority = PRIO_RULE_MAIN;
		}
		if (found && err != -EAGAIN)
			return err;
		if (!found) {
			ln = have_l ? nr_rtable_matches(local, &c->fl->dst, ll, lp, 33) : 0;
			mn = have_m ? nr_rtable_matches(main_t, &c->fl->dst, ml, mp, 33) : 0;
		} else {
			ln = mn = 0; /* throw: on to the default table */
		}
	} else {
		ln = mn = 0;
	}
	while (li < ln || mi < mn) {
		bool take_local = mi >= mn || (li < ln && lp[li] >= mp[mi]);

		if (take_local) {
			err = scan_list(c, &ll[li], lp[li], NR_TABLE_MAIN, &found);
			li++;
			why->rule_priority = PRIO_RULE_LOCAL;
		} else {
			err = scan_list(c, &ml[mi], mp[mi], NR_TABLE_MAIN, &found);
			mi++;
			why->rule_priority = PRIO_RULE_MAIN;
		}
		if (found && err != -EAGAIN)
			return err;
		if (found)
			break; /* throw: on to the default table */
	}
	why->tables_tried = 2;
	why->rule_priority = PRIO_RULE_DEFAULT;
	{
		struct nr_rule_hit hit;

		err = table_lookup(nr_rtset_get(set, NR_TABLE_DEFAULT), NR_TABLE_DEFAULT, c, &hit);
	}
	return err;
}

/* fib_lookup(): 0 with c->res, or the errno the kernel's lookup ends with. */
static int fib_lookup4(struct ctx4 *c, struct nr_route_explain *why)
{
	static const struct nr_rule_ops ops = {table_lookup, rule_reject};
	struct nr_rules_trace tr;
	int err;

	memset(&c->res, 0, sizeof(c->res));
	if (nr_ruleset_is_default(&c->s->rules4)) {
		err = merged_lookup(c, why);
	} else {
		err = nr_rules_lookup(c->s, c->fl, &ops, c, &tr);
		why->tables_tried = tr.tables_tried;
		why->rule_priority = tr.rule ? tr.rule->priority : 0;
	}
	if (err == -ESRCH || err == -EAGAIN)
		err = -ENETUNREACH;
	return err;
}

static bool dev_is_loopback(const struct nr_stack *s, int ifindex)
{
	const struct nr_iface *ifc = nr_iface_by_index(s->ifaces, ifindex);

	if (ifc)
		return (ifc->flags & NR_IFF_LOOPBACK) != 0;
	return ifindex == nr_stack_loopback_index(s);
}

/*
 * The explanation's source reason. Not snprintf("%s"): every lookup sets
 * one, and the formatter cost a third of an IPv4 lookup's instructions.
 */
#define REASON_CAP sizeof(((struct nr_route_explain *)0)->src_reason)

static void copy_reason(char *reason, const char *text)
{
	size_t len = strlen(text);

	if (len > REASON_CAP - 1)
		len = REASON_CAP - 1;
	memcpy(reason, text, len);
	reason[len] = '\0';
}

static bool addr_is_local(const struct nr_stack *s, uint32_t a)
{
	struct nr_addr x;

	nr_addr_set_v4(&x, a);
	return nr_iface_by_addr(s->ifaces, &x, NULL) != NULL;
}

/* inet_select_addr(); 0 when nothing fits, as the kernel returns. */
static uint32_t select_addr(const struct nr_stack *s, int ifindex, uint32_t dst, uint8_t scope,
			    struct nr_route_explain *why)
{
	struct nr_addr d, out;
	const char *reason = NULL;

	nr_addr_set_v4(&d, dst);
	if (nr_srcsel4(s->ifaces, ifindex, &d, scope, &out, &reason) != 0)
		return 0;
	copy_reason(why->src_reason, reason ? reason : "");
	return nr_addr_v4(&out);
}

/* fib_result_prefsrc(): the route's prefsrc, else inet_select_addr(nh dev, nh gw, route scope). */
static uint32_t result_prefsrc(const struct nr_stack *s, const struct fib_res *res,
			       struct nr_route_explain *why)
{
	const struct nr_route *r = res->route;
	const struct nr_nexthop *nh;

	if (r->prefsrc.family == AF_INET && !addr_unset(&r->prefsrc)) {
		copy_reason(why->src_reason, "prefsrc");
		return nr_addr_v4(&r->prefsrc);
	}
	if (!r->nh_count)
		return 0;
	nh = &r->nh[res->nh_sel];
	return select_addr(s, nh->ifindex, addr4(&nh->gw), r->scope, why);
}

/*
 * fib_select_default(): equal-metric default routes whose gateway is on
 * link; the kernel prefers one by neighbour state, netrig lists them all.
 */
static void default_candidates(const struct nr_stack *s, const struct fib_res *res,
			       const struct nr_flow *fl, struct nr_route_result *ret)
{
	const struct nr_route *chosen = res->route;

	/* tb_num_default > 1: the list is every /0 route of the table. */
	if (res->list.n < 2)
		return;
	for (size_t i = 0; i < res->list.n && ret->alt_count < NR_ROUTE_MAX_ALT; i++) {
		const struct nr_route *r = nr_rt_list_at(&res->list, i);

		if ((r->tos && r->tos != fl->tos) || r->tos != chosen->tos)
			continue;
		if (r->metric != chosen->metric || r->type != NR_RTN_UNICAST ||
		    r->scope != chosen->scope || r->nh_count != 1)
			continue;
		if (addr_unset(&r->nh[0].gw) || nr_nexthop_dead(s, r, &r->nh[0]))
			continue;
		ret->alt[ret->alt_count++] = r;
	}
	if (ret->alt_count < 2)
		ret->alt_count = 0;
}

/* Fill what every answer carries from a fib result. */
static void result_from_res(struct nr_route_result *ret, const struct fib_res *res)
{
	ret->route = res->route;
	ret->table = res->table;
	ret->why.table = res->table;
	if (res->route) {
		ret->metric = res->route->metric;
		ret->why.prefix.addr = res->route->dst.addr;
		ret->why.prefix.len = (uint8_t)res->plen;
	}
}

static void set_src(struct nr_route_result *ret, uint32_t saddr)
{
	if (saddr)
		nr_addr_set_v4(&ret->prefsrc, saddr);
	else
		memset(&ret->prefsrc, 0, sizeof(ret->prefsrc));
}

static void set_reason(struct nr_route_result *ret, const char *reason)
{
	copy_reason(ret->why.src_reason, reason);
}

/*
 * __mkroute_output(): the checks and type changes made once the device is
 * known. keep_nh says whether the fib result still gives the gateway.
 */
static int mkroute_output(const struct nr_stack *s, struct nr_route_result *ret,
			  const struct fib_res *res, uint32_t daddr, uint32_t saddr, int dev_out,
			  uint8_t type, bool *keep_nh)
{
	*keep_nh = res->route != NULL;
	if (v4_loopback(saddr) && !dev_is_loopback(s, dev_out))
		return -EINVAL;
	/* No zeronet check here: kernel 6.18 routes 0.1.2.3 by its default route. */
	if (v4_lbcast(daddr))
		type = NR_RTN_BROADCAST;
	else if (v4_multicast(daddr))
		type = NR_RTN_MULTICAST;
	if (type == NR_RTN_BROADCAST)
		*keep_nh = false;
	else if (type == NR_RTN_MULTICAST && res->route && res->plen < 4)
		*keep_nh = false; /* "use default one, but do not gateway" */
	ret->type = type;
	ret->ifindex = dev_out;
	return 0;
}

static void set_nexthops(struct nr_route_result *ret, const struct fib_res *res, bool keep_nh,
			 bool ecmp)
{
	const struct nr_route *r = res->route;
	const struct nr_nexthop *nh;

	if (!r || !r->nh_count)
		return;
	nh = &r->nh[res->nh_sel];
	if (keep_nh && !addr_unset(&nh->gw))
		ret->gateway = nh->gw;
	if (!keep_nh && !ecmp)
		return;
	if (ecmp) {
		/*
		 * Broadcast and multicast through a multipath route drop the
		 * gateway but still leave by the hop the hash chose: report
		 * every hop (gateway unset says their gateways are unused).
		 */
		/* Any usable nexthop may be hashed to; dead ones are flagged in nh[]. */
		ret->nh = r->nh;
		ret->nh_count = r->nh_count;
	} else {
		ret->nh = nh;
		ret->nh_count = 1;
	}
}

/*
 * The source for each ECMP hop: fib_select_multipath() picks the hop
 * before the source is chosen, so a hop-dependent source (no prefsrc, none
 * given) follows the hop the hash chose.
 */
static void ecmp_sources(const struct nr_stack *s, struct nr_route_result *ret, bool per_hop)
{
	const struct nr_route *r = ret->route;

	if (ret->nh_count < 2)
		return;
	for (unsigned i = 0; i < ret->nh_count && i < NR_ROUTE_MAX_ECMP_SRC; i++) {
		struct nr_route_explain scratch;
		uint32_t a;

		if (!per_hop || !r) {
			ret->nh_prefsrc[i] = ret->prefsrc;
			continue;
		}
		a = select_addr(s, ret->nh[i].ifindex, addr4(&ret->nh[i].gw), r->scope, &scratch);
		if (a)
			nr_addr_set_v4(&ret->nh_prefsrc[i], a);
		else
			memset(&ret->nh_prefsrc[i], 0, sizeof(ret->nh_prefsrc[i]));
	}
}

static int route_output4(const struct nr_stack *s, const struct nr_route_query *q,
			 struct nr_route_result *ret, const struct nr_rt_hint *hint)
{
	struct ctx4 c = {.s = s, .hint = hint};
	struct nr_flow fl;
	uint32_t daddr = addr4(&q->dst), saddr = addr4(&q->src);
	int oif = q->oif, dev_out = 0, err;
	uint8_t type = NR_RTN_UNSPEC;
	bool keep_nh, ecmp = false, src_per_hop = false;
	const struct nr_iface *dev = NULL;

	memset(&fl, 0, sizeof(fl));
	fl.family = AF_INET;
	fl.dst = q->dst;
	fl.src = q->src;
	fl.oif = q->oif;
	fl.mark = q->mark;
	fl.tos = q->tos & NR_FLOW4_TOS_MASK;
	nr_flow_set_l4(&fl, q);
	c.fl = &fl;
	if (saddr)
		set_reason(ret, "given");

	if (saddr) {
		if (v4_multicast(saddr) || v4_lbcast(saddr) || v4_zeronet(saddr))
			return -EINVAL;
		if (!oif && (v4_multicast(daddr) || v4_lbcast(daddr))) {
			/* The source picks the device for multicast and limited broadcast. */
			struct nr_addr sa;

			nr_addr_set_v4(&sa, saddr);
			dev = nr_iface_by_addr(s->ifaces, &sa, NULL);
			if (!dev)
				return -ENETUNREACH;
			dev_out = dev->index;
			goto make_route;
		}
		if (!addr_is_local(s, saddr))
			return -ENETUNREACH;
	}

	if (oif) {
		dev = nr_iface_by_index(s->ifaces, oif);
		if (!dev)
			return -ENODEV;
		if (!(dev->flags & NR_IFF_UP))
			return -ENETUNREACH;
		if (v4_local_multicast(daddr) || v4_lbcast(daddr)) {
			if (!saddr)
				saddr = select_addr(s, oif, 0, NR_SCOPE_LINK, &ret->why);
			dev_out = oif;
			goto make_route;
		}
		if (!saddr) {
			if (v4_multicast(daddr))
				saddr = select_addr(s, oif, 0, NR_SCOPE_UNIVERSE, &ret->why);
			else if (!daddr)
				saddr = select_addr(s, oif, 0, NR_SCOPE_HOST, &ret->why);
		}
	}

	if (!daddr) {
		/* "ip route get 0.0.0.0": to ourselves, from the chosen or loopback address. */
		daddr = saddr;
		if (!daddr) {
			daddr = saddr = 0x7f000001u;
			set_reason(ret, "local-dst");
		}
		dev_out = nr_stack_loopback_index(s);
		type = NR_RTN_LOCAL;
		goto make_route;
	}

	err = fib_lookup4(&c, &ret->why);
	if (err) {
		if (oif) {
			/* "Apparently, routing tables are wrong. Assume, that the destination is on link." */
			memset(&c.res, 0, sizeof(c.res));
			if (!saddr)
				saddr = select_addr(s, oif, 0, NR_SCOPE_LINK, &ret->why);
			type = NR_RTN_UNICAST;
			dev_out = oif;
			ret->why.table = 0;
			goto make_route;
		}
		result_from_res(ret, &c.res);
		return err;
	}

	if (c.res.type == NR_RTN_LOCAL) {
		if (!saddr) {
			const struct nr_route *r = c.res.route;

			if (r->prefsrc.family == AF_INET && !addr_unset(&r->prefsrc)) {
				saddr = nr_addr_v4(&r->prefsrc);
				set_reason(ret, "prefsrc");
			} else {
				saddr = daddr;
				set_reason(ret, "local-dst");
			}
		}
		dev_out = nr_stack_loopback_index(s);
		type = NR_RTN_LOCAL;
		goto make_route;
	}

	/* fib_select_path() */
	if (!oif) {
		if (c.res.route->nh_count > 1)
			ecmp = true;
		else if (c.res.plen == 0 && c.res.type == NR_RTN_UNICAST)
			default_candidates(s, &c.res, &fl, ret);
	}
	if (!saddr) {
		saddr = result_prefsrc(s, &c.res, &ret->why);
		src_per_hop = ecmp;
	}
	type = c.res.type;
	dev_out = c.res.route->nh_count ? c.res.route->nh[c.res.nh_sel].ifindex : 0;

make_route:
	err = mkroute_output(s, ret, &c.res, daddr, saddr, dev_out, type, &keep_nh);
	result_from_res(ret, &c.res);
	if (err)
		return err;
	set_nexthops(ret, &c.res, keep_nh, ecmp);
	set_src(ret, saddr);
	if (!saddr)
		ret->why.src_reason[0] = '\0';
	ecmp_sources(s, ret, src_per_hop);
	return 0;
}

/*
 * ip_route_input_slow() for `ip route get DST from SRC iif DEV`, with
 * forwarding on and rp_filter off (see the top of this file).
 */
static int route_input4(const struct nr_stack *s, const struct nr_route_query *q,
			struct nr_route_result *ret, const struct nr_rt_hint *hint)
{
	struct ctx4 c = {.s = s, .hint = hint};
	struct nr_flow fl;
	uint32_t daddr = addr4(&q->dst), saddr = addr4(&q->src);
	bool ecmp = false;
	int err;

	if (!nr_iface_by_index(s->ifaces, q->iif))
		return -ENODEV;
	set_reason(ret, "given");
	if (v4_multicast(saddr) || v4_lbcast(saddr))
		return -EINVAL; /* martian source */
	if (v4_lbcast(daddr) || (saddr == 0 && daddr == 0)) {
		ret->type = NR_RTN_BROADCAST;
		ret->ifindex = nr_stack_loopback_index(s);
		return 0;
	}
	if (v4_zeronet(saddr) || v4_zeronet(daddr) || v4_loopback(saddr) || v4_loopback(daddr) ||
	    v4_multicast(daddr))
		return -EINVAL; /* martian source or destination */

	memset(&fl, 0, sizeof(fl));
	fl.family = AF_INET;
	fl.dst = q->dst;
	fl.src = q->src;
	fl.iif = q->iif;
	fl.mark = q->mark;
	fl.tos = q->tos & NR_FLOW4_TOS_MASK;
	nr_flow_set_l4(&fl, q);
	c.fl = &fl;
	err = fib_lookup4(&c, &ret->why);
	result_from_res(ret, &c.res);
	if (err)
		return err;
	/*
	 * fib_validate_source with rp_filter off, as far as modelled: a
	 * source that is one of our addresses is martian (-EINVAL). That is
	 * the kernel's shortcut, which it takes when the input device is not
	 * the output device (or send_redirects is off), no tclassid is in
	 * use, and neither custom rules nor custom local-table routes were
	 * ever added (both flags stay set). Otherwise it does the full
	 * __fib_validate_source: a reverse lookup (dst = the source, src = the
	 * destination, iif = the output device or lo for local delivery, mark
	 * 0, uid 0) and -EINVAL when that finds a route that is neither
	 * unicast nor (accept_local) local: a broadcast, multicast or local
	 * route for the source. Not modelled, so netrig accepts, for
	 * example, a directed-broadcast source that the kernel refuses when
	 * custom rules exist or the packet would leave by its input device.
	 * A failed reverse lookup (no route, reject route) is accepted by
	 * both: without rp_filter only the route type counts.
	 */
	if (addr_is_local(s, saddr))
		return -EINVAL;
	if (c.res.type == NR_RTN_BROADCAST || c.res.type == NR_RTN_LOCAL) {
		ret->type = c.res.type;
		ret->ifindex = nr_stack_loopback_index(s);
		return 0;
	}
	if (c.res.type != NR_RTN_UNICAST)
		return -EINVAL; /* martian destination */
	/*
	 * ip_mkroute_input: fib_select_multipath only. fib_select_default is
	 * output-only, so equal-metric defaults offer no choice here: the
	 * first alias found is the answer.
	 */
	if (c.res.route->nh_count > 1)
		ecmp = true;
	ret->type = NR_RTN_UNICAST;
	ret->ifindex = c.res.route->nh_count ? c.res.route->nh[c.res.nh_sel].ifindex : 0;
	set_nexthops(ret, &c.res, true, ecmp);
	return 0;
}

/*
 * The usual query, answered without the general machinery: a destination
 * only (no source, oif, iif), default rules, no local-table match, and a
 * main-table longest match whose first alias is a plain unicast route with
 * one live nexthop. route_output4 gives the same answer by the same steps
 * (merged_lookup's first scan, fib_select_path, __mkroute_output); this
 * only skips building the flow and the backtracking state. Every other
 * case, and any surprise found on the way, returns false before ret is
 * touched, and the general path answers. The batched lookups spend most
 * of their instructions around the trie, and this is nearly all of them.
 */
static bool route_output4_plain(const struct nr_stack *s, const struct nr_route_query *q,
				struct nr_route_result *ret, const struct nr_rt_hint *hint)
{
	const struct nr_rtset *set = &s->routes4;
	const struct nr_rtable *main_t = set->known[1];
	uint32_t daddr;
	struct nr_rt_list l, ll;
	unsigned plen, lplen;
	const struct nr_route *r;
	const struct nr_nexthop *nh;
	uint32_t saddr;

	if (q->iif || q->oif || addr4(&q->src) || !nr_ruleset_is_default(&s->rules4))
		return false;
	daddr = addr4(&q->dst);
	if (!daddr || v4_multicast(daddr) || v4_lbcast(daddr) || !main_t)
		return false;
	/* merged_lookup: a local match at any length may come first; leave it to it. */
	if (nr_rtable_longest(set->known[2], &q->dst, &ll, &lplen))
		return false;
	if (!nr_rtable_longest_hinted(main_t, &q->dst, hint, &l, &plen))
		return false;
	/* scan_list's first alias: it must be the one taken, with tos unset. */
	r = nr_rt_list_at(&l, 0);
	if (r->tos || r->type != NR_RTN_UNICAST || r->nh_count != 1)
		return false;
	nh = &r->nh[0];
	/* nr_nexthop_dead for a unicast route, inline. */
	if ((nh->flags & NR_RTNH_F_DEAD) ||
	    (r->scope != NR_SCOPE_HOST && nh->ifindex && nr_stack_dev_down(s, nh->ifindex)))
		return false;
	/* fib_select_path: fib_select_default's candidates need the general path. */
	if (plen == 0 && l.n > 1)
		return false;
	/* fib_result_prefsrc */
	if (r->prefsrc.family == AF_INET && !addr_unset(&r->prefsrc)) {
		saddr = nr_addr_v4(&r->prefsrc);
		if (v4_loopback(saddr))
			return false; /* __mkroute_output's device check */
		copy_reason(ret->why.src_reason, "prefsrc");
	} else {
		const char *reason16;

		/* select_addr, by words; the padded reason is what copy_reason leaves. */
		_Static_assert(REASON_CAP >= 16, "a reason is copied as 16 bytes");
		if (nr_srcsel4_word(s->ifaces, nh->ifindex, addr4(&nh->gw), r->scope, &saddr,
				    &reason16) != 0) {
			saddr = 0;
		} else {
			if (v4_loopback(saddr))
				return false;
			if (saddr)
				memcpy(ret->why.src_reason, reason16, 16);
		}
	}
	ret->why.tables_tried = 1;
	ret->why.rule_priority = PRIO_RULE_MAIN;
	ret->type = NR_RTN_UNICAST;
	ret->ifindex = nh->ifindex;
	ret->route = r;
	ret->table = NR_TABLE_MAIN;
	ret->why.table = NR_TABLE_MAIN;
	ret->metric = r->metric;
	ret->why.prefix.addr = r->dst.addr;
	ret->why.prefix.len = (uint8_t)plen;
	if (!addr_unset(&nh->gw))
		ret->gateway = nh->gw;
	ret->nh = nh;
	ret->nh_count = 1;
	if (saddr)
		nr_addr_set_v4(&ret->prefsrc, saddr);
	return true;
}

int nr_route_get4(const struct nr_stack *s, const struct nr_route_query *q,
		  struct nr_route_result *ret, const struct nr_rt_hint *hint)
{
	int err;

	nr_route_result_start(ret, AF_INET);
	if (route_output4_plain(s, q, ret, hint))
		return 0;
	err = q->iif ? route_input4(s, q, ret, hint) : route_output4(s, q, ret, hint);
	if (err) {
		ret->error = err;
		ret->ifindex = 0;
		ret->nh = NULL;
		ret->nh_count = 0;
		ret->alt_count = 0;
		memset(&ret->gateway, 0, sizeof(ret->gateway));
		memset(&ret->prefsrc, 0, sizeof(ret->prefsrc));
		/* The route that refused (a reject route) stays for the explanation. */
		if (!ret->route || type_error(ret->route->type) != err)
			ret->route = NULL;
		ret->type = ret->route ? ret->route->type : NR_RTN_UNSPEC;
		ret->table = ret->route ? ret->table : 0;
	}
	return 0;
}
