/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Why Scapy 2.5.0 and the kernel answer differently: each known cause of
 * the reference's section 9, recognised from the two answers, the Scapy
 * route the model used and the stack's own decision (which is the
 * kernel's: netrig's stack is checked against it separately).
 */
#include "scapy/model_int.h"

#include <errno.h>
#include <string.h>

static bool text_is_addr(const char *text, const struct nr_addr *a, int family)
{
	struct nr_addr t;

	if (nr_addr_parse(text, family, &t) < 0)
		return false;
	if (!a || a->family == AF_UNSPEC)
		return nr_addr_is_unspec(&t);
	return nr_addr_eq(&t, a);
}

bool nr_scapy_agrees(const struct nr_scapy_kernel *k, const struct nr_scapy_answer *a)
{
	int family = strchr(a->src, ':') ? AF_INET6 : AF_INET;

	if (k->error)
		return a->no_route && k->error == -ENETUNREACH;
	if (a->no_route)
		return false;
	return !strcmp(k->dev, a->iface) && text_is_addr(a->gw, &k->gw, family) &&
	       text_is_addr(a->src, &k->src, family);
}

/* The stack's (= the kernel's) decision, for the route it used. */
static bool stack_decision(const struct nr_scapy_model *m, const struct nr_addr *dst,
			   struct nr_route_result *res)
{
	struct nr_route_query q;

	memset(&q, 0, sizeof(q));
	q.dst = *dst;
	return nr_stack_route_get(m->s, &q, res) == 0;
}

struct find {
	const struct nr_scapy_model *m;
	struct nr_addr d;
	const struct nr_scapy_kernel *k;
	const struct nr_route *best;
};

static int find_cb(const struct nr_route *r, void *arg)
{
	struct find *f = arg;
	bool dev_ok = !f->k->dev[0] || r->nh_count == 0;

	if (f->k->table && r->table != f->k->table)
		return 0;
	if (!nr_prefix_contains(&r->dst, &f->d))
		return 0;
	for (uint16_t i = 0; !dev_ok && i < r->nh_count; i++) {
		const struct nr_iface *ifc = nr_iface_by_index(f->m->ift, r->nh[i].ifindex);

		dev_ok = ifc && !strcmp(ifc->name, f->k->dev);
	}
	/* local routes answer on lo whatever device they sit on */
	if (!dev_ok && r->type != NR_RTN_LOCAL)
		return 0;
	if (!f->best || r->dst.len > f->best->dst.len ||
	    (r->dst.len == f->best->dst.len && r->metric < f->best->metric))
		f->best = r;
	return 0;
}

/*
 * The route the kernel used: the longest prefix containing dst in the
 * kernel's table through the kernel's device; else the stack's decision.
 */
static const struct nr_route *kernel_route(const struct nr_scapy_model *m, const struct nr_addr *d,
					   const struct nr_scapy_kernel *k)
{
	struct find f = {m, *d, k, NULL};
	struct nr_route_result res;

	if (!k->error && k->table) {
		nr_stack_route_walk(m->s, d->family, find_cb, &f);
		if (f.best)
			return f.best;
	}
	return stack_decision(m, d, &res) ? res.route : NULL;
}

static bool is_reject(uint8_t type)
{
	return type == NR_RTN_BLACKHOLE || type == NR_RTN_UNREACHABLE || type == NR_RTN_PROHIBIT ||
	       type == NR_RTN_THROW;
}

static const char *classify4(const struct nr_scapy_model *m, const char *dst,
			     const struct nr_scapy_kernel *k, const struct nr_scapy_answer *a)
{
	struct nr_route_result res;
	struct nr_addr d;
	uint32_t dh;
	ssize_t idx = -1;
	struct nr_scapy_answer again;
	bool have;
	const struct nr_route *kr;

	if (nr_scapy__parse4(dst, &dh) < 0)
		return "destination Scapy cannot read as IPv4 [9.10]";
	nr_addr_set_v4(&d, dh);
	have = stack_decision(m, &d, &res);
	kr = kernel_route(m, &d, k);
	nr_scapy__route4(m, dst, &again, &idx);

	if (dh == 0 && !strcmp(a->iface, "lo") && !strcmp(a->src, "0.0.0.0"))
		return "0.0.0.0 answered on lo because a route has source 0.0.0.0 [9.7]";
	if (k->error || (have && res.error)) {
		uint8_t t = have ? res.type : k->type;

		if (!strcmp(a->iface, "*"))
			return t == NR_RTN_THROW || k->error == -ENETUNREACH
				       ? "route type ignored (throw kept as a usable route) [9.1]"
				       : "route type ignored (blackhole kept as a usable route) [9.1]";
		if (t == NR_RTN_UNREACHABLE || t == NR_RTN_PROHIBIT || k->error == -EHOSTUNREACH ||
		    k->error == -EACCES)
			return "route type ignored (unreachable/prohibit dropped, a less specific route used) [9.1]";
		if (have && res.table != NR_TABLE_MAIN && res.table != NR_TABLE_LOCAL)
			return "policy rules and non-main tables ignored [9.3]";
		if (k->error == -ENETUNREACH)
			return "policy rules and non-main tables ignored (the kernel's rules reach no route) [9.3]";
		return "route type ignored [9.1]";
	}
	if (k->table != NR_TABLE_MAIN && k->table != NR_TABLE_LOCAL)
		return "policy rules and non-main tables ignored [9.3]";
	if (k->type == NR_RTN_LOCAL)
		return "own address answered on lo / primary only [9.5]";
	if (k->type == NR_RTN_BROADCAST)
		return "broadcast via default gateway [9.6]";
	if (k->type == NR_RTN_MULTICAST)
		return "multicast via default gateway [9.6]";
	if (a->no_route)
		return "policy rules and non-main tables ignored [9.3]";
	if (idx <= -2)
		return "own address answered on lo / primary only [9.5]";
	if (kr && kr->nh_count > 1 && (strcmp(k->dev, a->iface) || !text_is_addr(a->gw, &k->gw, AF_INET)))
		return "ECMP: first nexthop only [9.2]";
	if (kr && kr->nh_count > 0 && kr->nh[0].gw.family == AF_INET6)
		return "IPv4 via an IPv6 gateway (RFC 8950) not understood [9.2]";
	if (idx >= 0 && m->r4[idx].origin == NR_SCAPY_ALIAS)
		return "source from a labelled alias (get_alias_address) [9.9]";
	if (!strcmp(k->dev, a->iface) && text_is_addr(a->gw, &k->gw, AF_INET)) {
		if (kr && kr->prefsrc.family == AF_INET)
			return "prefsrc ignored [9.9]";
		return "source: primary address only, secondaries ignored [9.9]";
	}
	if (kr && kr->table == NR_TABLE_MAIN && idx >= 0 && m->r4[idx].route != kr)
		return "route type ignored [9.1]";
	return "unexplained divergence";
}

static bool in_scapy6(const struct nr_scapy_model *m, const struct nr_route *kr)
{
	for (size_t i = 0; i < m->n6; i++)
		if (m->r6[i].route == kr)
			return true;
	return false;
}

static const char *classify6(const struct nr_scapy_model *m, const char *dst,
			     const struct nr_scapy_kernel *k, const struct nr_scapy_answer *a)
{
	char text[256];
	struct nr_addr d;
	const struct nr_route *kr;
	ssize_t idx = -1;
	struct nr_scapy_answer again;
	int scope;

	if (nr_scapy__parse6(dst, text, sizeof(text), &d) < 0)
		return "destination Scapy cannot read as IPv6 [9.10]";
	kr = kernel_route(m, &d, k);
	/* Cached in Scapy as in the model: asking again changes nothing. */
	nr_scapy__route6(m, dst, &again, &idx);
	scope = nr_scapy__in6_getscope(&d);

	if (k->error || is_reject(k->type))
		return "route type ignored (IPv6 reject route dropped, a less specific route used) [9.1]";
	if (k->table != NR_TABLE_MAIN && k->table != NR_TABLE_LOCAL)
		return "policy rules and non-main tables ignored [9.3]";
	if (idx >= 0 && m->r6[idx].route && m->r6[idx].route->table != NR_TABLE_MAIN &&
	    m->r6[idx].route->table != NR_TABLE_LOCAL)
		return "policy rules and non-main tables ignored (IPv6: every table's routes used) [9.3]";
	if (d.bytes[0] == 0xff && !text_is_addr(a->gw, NULL, AF_INET6))
		return "multicast via default gateway [9.14]";
	if ((scope == SC6_LINKLOCAL || (d.bytes[0] == 0xff && scope != -1)) && strcmp(k->dev, a->iface))
		return "link-local: no zone, conf.iface forced [9.15]";
	if (k->type == NR_RTN_LOCAL)
		return "own address answered on the interface / ::1 on lo [9.5]";
	if (kr && !in_scapy6(m, kr))
		return "route outside known IPv6 ranges dropped [9.12]";
	if (kr && kr->nh_count > 1 && (strcmp(k->dev, a->iface) || !text_is_addr(a->gw, &k->gw, AF_INET6)))
		return "ECMP: first nexthop only [9.2]";
	if (!strcmp(k->dev, a->iface) && text_is_addr(a->gw, &k->gw, AF_INET6))
		return "IPv6 source selection rules 3-8 missing [9.13]";
	if (d.bytes[0] == 0xff)
		return "multicast scope handling [9.14]";
	return "unexplained divergence";
}

const char *nr_scapy_divergence(const struct nr_scapy_model *m, const char *dst,
				const struct nr_scapy_kernel *k, const struct nr_scapy_answer *a)
{
	if (!m || !k || !a)
		return "unexplained divergence";
	if (nr_scapy_agrees(k, a))
		return NULL;
	if (dst && strchr(dst, ':'))
		return classify6(m, dst, k, a);
	return classify4(m, dst, k, a);
}
