/* SPDX-License-Identifier: BSD-2-Clause */
#include "verify/compare.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static bool gw_eq(const struct nr_addr *a, const struct nr_addr *b)
{
	bool ua = a->family == AF_UNSPEC, ub = b->family == AF_UNSPEC;

	if (ua || ub)
		return ua == ub;
	return nr_addr_eq(a, b);
}

bool nr_verify_same(const struct nr_route_query *q, const struct nr_kroute_answer *k,
		    const struct nr_route_result *n, const char **what)
{
	const struct nr_addr *want_src = &n->prefsrc;
	bool hop_ok = false;

	*what = NULL;
	if (k->error || n->error) {
		if (k->error != n->error)
			*what = "error";
		return *what == NULL;
	}
	if (k->type != n->type) {
		*what = "type";
		return false;
	}
	if (k->table != n->table) {
		*what = "table";
		return false;
	}
	if (n->nh_count > 1) {
		/* ECMP: the kernel hashed to one of them; any is right. */
		for (unsigned i = 0; i < n->nh_count && !hop_ok; i++) {
			/* No gateway in netrig's answer (broadcast, multicast through a
			 * multipath route): the hop's device is all that is used. */
			hop_ok = n->nh[i].ifindex == k->ifindex &&
				 (n->gateway.family == AF_UNSPEC ? k->gateway.family == AF_UNSPEC
								 : gw_eq(&n->nh[i].gw, &k->gateway));
			/* The source follows the hop the kernel hashed to. */
			if (hop_ok && i < NR_ROUTE_MAX_ECMP_SRC &&
			    n->nh_prefsrc[i].family != AF_UNSPEC)
				want_src = &n->nh_prefsrc[i];
		}
		if (!hop_ok) {
			*what = "nexthop";
			return false;
		}
	} else {
		if (k->ifindex != n->ifindex) {
			*what = "dev";
			return false;
		}
		if (!gw_eq(&k->gateway, &n->gateway)) {
			*what = "gateway";
			return false;
		}
	}
	if (q->src.family != AF_UNSPEC && k->prefsrc.family == AF_UNSPEC)
		return true;
	if (!gw_eq(&k->prefsrc, want_src)) {
		*what = "prefsrc";
		return false;
	}
	return true;
}

char *nr_verify_fmt_query(const struct nr_route_query *q, char *buf, size_t cap)
{
	char a[NR_ADDR_STRLEN], s[NR_ADDR_STRLEN];
	int off = snprintf(buf, cap, "%s", nr_addr_format(&q->dst, a, sizeof(a)));

	if (q->src.family != AF_UNSPEC && off >= 0 && (size_t)off < cap)
		off += snprintf(buf + off, cap - (size_t)off, " from %s",
				nr_addr_format(&q->src, s, sizeof(s)));
	if (q->mark && off >= 0 && (size_t)off < cap)
		off += snprintf(buf + off, cap - (size_t)off, " mark 0x%" PRIx32, q->mark);
	if (q->tos && off >= 0 && (size_t)off < cap)
		off += snprintf(buf + off, cap - (size_t)off, " tos 0x%02x", q->tos);
	if (q->oif && off >= 0 && (size_t)off < cap)
		off += snprintf(buf + off, cap - (size_t)off, " oif %d", q->oif);
	if (q->iif && off >= 0 && (size_t)off < cap)
		snprintf(buf + off, cap - (size_t)off, " iif %d", q->iif);
	return buf;
}

static const char *devname(const struct nr_iface_table *t, int ifindex, char *buf, size_t cap)
{
	const struct nr_iface *ifc = nr_iface_by_index(t, ifindex);

	if (ifc)
		return ifc->name;
	snprintf(buf, cap, "if%d", ifindex);
	return buf;
}

/* "[type ]DST[ via GW] dev DEV table T[ src SRC]" or "DST: error". */
static char *fmt_answer(const struct nr_iface_table *t, const struct nr_route_query *q, int error,
			uint8_t type, uint32_t table, int ifindex, const struct nr_addr *gw,
			const struct nr_addr *src, const char *errmsg, char *buf, size_t cap)
{
	char d[NR_ADDR_STRLEN], g[NR_ADDR_STRLEN], s[NR_ADDR_STRLEN], tb[16], dv[24];
	int off;

	nr_addr_format(&q->dst, d, sizeof(d));
	if (error) {
		snprintf(buf, cap, "%s: %s%s%s%s", d, strerror(-error), errmsg && *errmsg ? " (" : "",
			 errmsg ? errmsg : "", errmsg && *errmsg ? ")" : "");
		return buf;
	}
	off = snprintf(buf, cap, "%s%s%s", type != NR_RTN_UNICAST ? nr_rtype_name(type) : "",
		       type != NR_RTN_UNICAST ? " " : "", d);
	if (gw->family != AF_UNSPEC && off >= 0 && (size_t)off < cap)
		off += snprintf(buf + off, cap - (size_t)off, " via %s",
				nr_addr_format(gw, g, sizeof(g)));
	if (ifindex && off >= 0 && (size_t)off < cap)
		off += snprintf(buf + off, cap - (size_t)off, " dev %s",
				devname(t, ifindex, dv, sizeof(dv)));
	if (off >= 0 && (size_t)off < cap)
		off += snprintf(buf + off, cap - (size_t)off, " table %s",
				nr_table_name(table, tb, sizeof(tb)));
	if (src->family != AF_UNSPEC && off >= 0 && (size_t)off < cap)
		snprintf(buf + off, cap - (size_t)off, " src %s", nr_addr_format(src, s, sizeof(s)));
	return buf;
}

char *nr_verify_fmt_kernel(const struct nr_iface_table *t, const struct nr_route_query *q,
			   const struct nr_kroute_answer *k, char *buf, size_t cap)
{
	return fmt_answer(t, q, k->error, k->type, k->table, k->ifindex, &k->gateway, &k->prefsrc,
			  k->errmsg, buf, cap);
}

char *nr_verify_fmt_netrig(const struct nr_iface_table *t, const struct nr_route_query *q,
			   const struct nr_route_result *n, char *buf, size_t cap)
{
	char *p;
	size_t len;

	fmt_answer(t, q, n->error, n->type, n->table, n->ifindex, &n->gateway, &n->prefsrc, NULL,
		   buf, cap);
	if (n->error || n->nh_count < 2)
		return buf;
	/* Show every ECMP nexthop netrig allows. */
	len = strlen(buf);
	p = buf + len;
	for (unsigned i = 0; i < n->nh_count && len + 1 < cap; i++) {
		char g[NR_ADDR_STRLEN], dv[24];
		int w = snprintf(p, cap - len, "%s%s%s dev %s", i ? "," : " [ecmp:",
				 n->nh[i].gw.family != AF_UNSPEC ? " via " : "",
				 n->nh[i].gw.family != AF_UNSPEC
					 ? nr_addr_format(&n->nh[i].gw, g, sizeof(g))
					 : "",
				 devname(t, n->nh[i].ifindex, dv, sizeof(dv)));

		if (w < 0 || (size_t)w >= cap - len)
			break;
		len += (size_t)w;
		p = buf + len;
	}
	if (len + 2 <= cap)
		strcat(buf, "]");
	return buf;
}

char *nr_verify_fmt_why(const struct nr_route_result *n, char *buf, size_t cap)
{
	char p[NR_PREFIX_STRLEN], tb[16];

	if (n->route)
		nr_prefix_format(&n->why.prefix, p, sizeof(p));
	else
		snprintf(p, sizeof(p), "(none)");
	snprintf(buf, cap, "rule %" PRIu32 " -> table %s, prefix %s, %u table(s) tried, source: %s",
		 n->why.rule_priority, nr_table_name(n->why.table, tb, sizeof(tb)), p,
		 n->why.tables_tried, n->why.src_reason[0] ? n->why.src_reason : "-");
	return buf;
}

char *nr_verify_route_key(const struct nr_route *r, char *buf, size_t cap)
{
	char d[NR_PREFIX_STRLEN], s[NR_PREFIX_STRLEN], ps[NR_ADDR_STRLEN];
	int off;

	off = snprintf(buf, cap,
		       "%u t=%" PRIu32 " %s %s from %s tos=%u metric=%" PRIu32
		       " prefsrc=%s proto=%u scope=%u",
		       r->family, r->table, nr_rtype_name(r->type),
		       nr_prefix_format(&r->dst, d, sizeof(d)),
		       nr_prefix_format(&r->src, s, sizeof(s)), r->tos, r->metric,
		       nr_addr_format(&r->prefsrc, ps, sizeof(ps)), r->protocol, r->scope);
	for (unsigned i = 0; i < r->nh_count && off >= 0 && (size_t)off < cap; i++) {
		char g[NR_ADDR_STRLEN];

		off += snprintf(buf + off, cap - (size_t)off, " nh=%s@%d/w%u/f%u",
				nr_addr_format(&r->nh[i].gw, g, sizeof(g)), r->nh[i].ifindex,
				r->nh[i].weight, r->nh[i].flags);
	}
	return buf;
}
