/* SPDX-License-Identifier: BSD-2-Clause */
#include "output/route_out.h"

#include <errno.h>
#include <string.h>

static bool reject_type(uint8_t type)
{
	return type == NR_RTN_UNREACHABLE || type == NR_RTN_PROHIBIT || type == NR_RTN_BLACKHOLE;
}

bool nr_route_result_refused(const struct nr_route_result *r)
{
	/* IPv6 reject routes come back with error 0 and their type. */
	return r->error != 0 || reject_type(r->type);
}

/* No route at all, as opposed to a route that says no. */
static bool no_route(const struct nr_route_result *r)
{
	return !reject_type(r->type) && (!r->route || r->error == -ENETUNREACH);
}

/* The errno the kernel gives for a reject type when the stack left it 0. */
static int reject_errno(const struct nr_route_result *r)
{
	if (r->error)
		return -r->error;
	switch (r->type) {
	case NR_RTN_PROHIBIT:
		return EACCES;
	case NR_RTN_BLACKHOLE:
		return EINVAL;
	default:
		return EHOSTUNREACH;
	}
}

void nr_print_route_result(FILE *f, const struct nr_view *v, const struct nr_route_query *q,
			   const struct nr_route_result *r)
{
	char dst[NR_ADDR_STRLEN], a[NR_ADDR_STRLEN], num[16], tbl[16];

	nr_addr_format(&q->dst, dst, sizeof(dst));
	if (nr_route_result_refused(r)) {
		if (no_route(r))
			fprintf(f, "unreachable %s: no route\n", dst);
		else
			fprintf(f, "%s %s table %s: %s\n",
				reject_type(r->type) ? nr_rtype_name(r->type) : "unreachable", dst,
				nr_table_name(r->table, tbl, sizeof(tbl)),
				strerror(reject_errno(r)));
		return;
	}
	if (r->type != NR_RTN_UNICAST)
		fprintf(f, "%s ", nr_rtype_name(r->type));
	fputs(dst, f);
	if (q->src.family != AF_UNSPEC)
		fprintf(f, " from %s", nr_addr_format(&q->src, a, sizeof(a)));
	if (r->gateway.family != AF_UNSPEC)
		fprintf(f, " via %s", nr_addr_format(&r->gateway, a, sizeof(a)));
	if (r->ifindex)
		fprintf(f, " dev %s", nr_view_ifname(v, r->ifindex, num, sizeof(num)));
	fprintf(f, " table %s", nr_table_name(r->table, tbl, sizeof(tbl)));
	if (r->prefsrc.family != AF_UNSPEC)
		fprintf(f, " src %s", nr_addr_format(&r->prefsrc, a, sizeof(a)));
	if (q->iif)
		fprintf(f, " iif %s", nr_view_ifname(v, q->iif, num, sizeof(num)));
	fputc('\n', f);
}

/* Table names without a buffer on the hot path: the usual two are constants. */
static const char *table_name(uint32_t table, char *buf, size_t cap)
{
	if (table == NR_TABLE_MAIN)
		return "main";
	if (table == NR_TABLE_LOCAL)
		return "local";
	return nr_table_name(table, buf, cap);
}

void nr_jsonl_route_result(struct nr_jsonl *w, const struct nr_view *v,
			   const struct nr_route_query *q, const struct nr_route_result *r)
{
	char num[16], tbl[16];

	nr_jsonl_begin(w);
	nr_jsonl_addr(w, "dst", &q->dst);
	if (nr_route_result_refused(r)) {
		if (no_route(r)) {
			nr_jsonl_str(w, "type", "unreachable");
			nr_jsonl_str(w, "error", "no route");
		} else {
			nr_jsonl_str(w, "type",
				     reject_type(r->type) ? nr_rtype_name(r->type) : "unreachable");
			nr_jsonl_str(w, "table", table_name(r->table, tbl, sizeof(tbl)));
			if (!reject_type(r->type))
				nr_jsonl_str(w, "error", strerror(reject_errno(r)));
		}
		nr_jsonl_end(w);
		return;
	}
	if (r->type != NR_RTN_UNICAST)
		nr_jsonl_str(w, "type", nr_rtype_name(r->type));
	nr_jsonl_str(w, "table", table_name(r->table, tbl, sizeof(tbl)));
	if (r->ifindex)
		nr_jsonl_str(w, "dev", nr_view_ifname(v, r->ifindex, num, sizeof(num)));
	if (r->gateway.family != AF_UNSPEC)
		nr_jsonl_addr(w, "gateway", &r->gateway);
	if (r->prefsrc.family != AF_UNSPEC)
		nr_jsonl_addr(w, "prefsrc", &r->prefsrc);
	nr_jsonl_end(w);
}

/* Python's repr of a str: single quotes unless the text holds one. */
static void print_pyrepr(FILE *f, const char *s)
{
	char q = strchr(s, '\'') && !strchr(s, '"') ? '"' : '\'';

	fputc(q, f);
	for (; *s; s++) {
		if (*s == '\\' || *s == q)
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc(q, f);
}

void nr_print_scapy_tuple(FILE *f, const char *iface, const char *src, const char *gw)
{
	fputc('(', f);
	print_pyrepr(f, iface);
	fputs(", ", f);
	print_pyrepr(f, src);
	fputs(", ", f);
	print_pyrepr(f, gw);
	fputs(")\n", f);
}

void nr_jsonl_scapy(struct nr_jsonl *w, const struct nr_addr *dst, const char *iface,
		    const char *src, const char *gw)
{
	const char *t[3] = {iface, src, gw};

	nr_jsonl_begin(w);
	nr_jsonl_addr(w, "dst", dst);
	nr_jsonl_str_array(w, "scapy", t, 3);
	nr_jsonl_end(w);
}
