/* SPDX-License-Identifier: BSD-2-Clause */
#include "output/show_text.h"
#include "output/table.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ARPHRD_* values the Kind column falls back on when IFLA_INFO_KIND is empty. */
#define ARPHRD_ETHER_ 1
#define ARPHRD_LOOPBACK_ 772
#define ARPHRD_NONE_ 65534

/* A growing text cell (open_memstream keeps the list cells simple). */
struct cell {
	char *text;
	size_t len;
	FILE *f;
};

static int cell_open(struct cell *c)
{
	c->text = NULL;
	c->len = 0;
	c->f = open_memstream(&c->text, &c->len);
	return c->f ? 0 : -ENOMEM;
}

/* Closes the stream; c->text stays valid until cell_free. */
static int cell_close(struct cell *c)
{
	int r = 0;

	if (c->f && fclose(c->f))
		r = -ENOMEM;
	c->f = NULL;
	return r;
}

static void cell_free(struct cell *c)
{
	if (c->f)
		fclose(c->f);
	free(c->text);
	c->text = NULL;
	c->f = NULL;
}

/* Separate items of a list cell (one per line). */
static void cell_item(struct cell *c)
{
	if (ftell(c->f) > 0)
		fputc('\n', c->f);
}

/* ---- interfaces ------------------------------------------------------- */

static void addr_item(struct cell *c, const struct nr_ifaddr *a)
{
	char buf[NR_PREFIX_STRLEN];
	bool first = true;

	cell_item(c);
	fputs(nr_prefix_format(&a->local, buf, sizeof(buf)), c->f);
	if (a->peer.family != AF_UNSPEC)
		fprintf(c->f, " peer %s", nr_addr_format(&a->peer, buf, sizeof(buf)));
	/* Only the flags that change what the address may be used for. */
	static const uint32_t shown[] = {NR_IFA_F_SECONDARY, NR_IFA_F_TENTATIVE, NR_IFA_F_DADFAILED,
					 NR_IFA_F_DEPRECATED, NR_IFA_F_OPTIMISTIC};
	for (size_t i = 0; i < sizeof(shown) / sizeof(shown[0]); i++) {
		const char *name = nr_ifa_flag_name(shown[i]);

		if (!(a->flags & shown[i]) || !name)
			continue;
		fprintf(c->f, "%s%s", first ? " (" : ",", name);
		first = false;
	}
	if (!first)
		fputc(')', c->f);
}

size_t nr_iff_names(uint32_t flags, const char *names[NR_IFF_NAMES_MAX], char hex[12])
{
	/* IFF_* bit numbers in the order iproute2 prints them. */
	static const uint8_t order[] = {3, 1,  4,  12, 7, 9, 8,	 10, 11,
					2, 15, 14, 13, 5, 0, 16, 17, 18};
	const uint32_t up = 1u << 0, running = 1u << 6;
	size_t n = 0;

	if ((flags & up) && !(flags & running))
		names[n++] = "NO-CARRIER";
	flags &= ~running;
	for (size_t i = 0; i < sizeof(order); i++) {
		uint32_t bit = 1u << order[i];
		const char *name = nr_iff_name(bit);

		if (!(flags & bit) || !name)
			continue;
		names[n++] = name;
		flags &= ~bit;
	}
	if (flags) {
		snprintf(hex, 12, "%" PRIx32, flags);
		names[n++] = hex;
	}
	return n;
}

static void iff_list(FILE *f, uint32_t flags)
{
	const char *names[NR_IFF_NAMES_MAX];
	char hex[12];
	size_t n = nr_iff_names(flags, names, hex);

	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s%s", i ? "," : "", names[i]);
}

static const char *link_kind(const struct nr_iface *ifc, char *buf, size_t cap)
{
	if (ifc->kind[0])
		return ifc->kind;
	switch (ifc->type) {
	case ARPHRD_LOOPBACK_:
		return "loopback";
	case ARPHRD_ETHER_:
		return "ether";
	case ARPHRD_NONE_:
		return "none";
	default:
		snprintf(buf, cap, "%u", ifc->type);
		return buf;
	}
}

int nr_print_ifaces(FILE *f, const struct nr_view *v)
{
	static const char *const hdr[] = {"Source", "Index", "Name", "MAC",  "IPv4",
					  "IPv6",   "State", "MTU",  "Kind", "Flags"};
	struct nr_texttable *t = nr_texttable_new(10, hdr);
	struct cell v4 = {0}, v6 = {0}, fl = {0};
	int r = -ENOMEM;

	if (!t)
		return -ENOMEM;
	for (size_t i = 0; i < v->nifaces; i++) {
		const struct nr_iface *ifc = v->ifaces[i];
		char idx[16], mtu[16], mac[NR_LLADDR_STRLEN], kind[16];

		if (cell_open(&v4) || cell_open(&v6) || cell_open(&fl))
			goto out;
		for (size_t k = 0; k < ifc->naddrs; k++)
			addr_item(ifc->addrs[k].local.addr.family == AF_INET ? &v4 : &v6,
				  &ifc->addrs[k]);
		iff_list(fl.f, ifc->flags);
		if (cell_close(&v4) || cell_close(&v6) || cell_close(&fl))
			goto out;
		snprintf(idx, sizeof(idx), "%d", ifc->index);
		snprintf(mtu, sizeof(mtu), "%" PRIu32, ifc->mtu);
		if (ifc->lladdr.len)
			nr_lladdr_format(&ifc->lladdr, mac, sizeof(mac));
		else
			strcpy(mac, "-");
		const char *row[] = {"sys",
				     idx,
				     ifc->name,
				     mac,
				     v4.len ? v4.text : "-",
				     v6.len ? v6.text : "-",
				     nr_operstate_name(ifc->operstate),
				     mtu,
				     link_kind(ifc, kind, sizeof(kind)),
				     fl.text};
		r = nr_texttable_add(t, row);
		cell_free(&v4);
		cell_free(&v6);
		cell_free(&fl);
		if (r < 0)
			goto out;
	}
	r = nr_texttable_print(t, f);
out:
	cell_free(&v4);
	cell_free(&v6);
	cell_free(&fl);
	nr_texttable_free(t);
	return r;
}

/* ---- routes ----------------------------------------------------------- */

struct sortent {
	const struct nr_route *r;
	size_t idx;
};

static int cmp_route(const void *pa, const void *pb)
{
	const struct sortent *a = pa, *b = pb;
	int c = nr_addr_cmp(&a->r->dst.addr, &b->r->dst.addr);

	if (c)
		return c;
	if (a->r->dst.len != b->r->dst.len)
		return a->r->dst.len < b->r->dst.len ? -1 : 1;
	if (a->r->table != b->r->table)
		return a->r->table < b->r->table ? -1 : 1;
	if (a->r->metric != b->r->metric)
		return a->r->metric < b->r->metric ? -1 : 1;
	/* Stable: the kernel's order among routes of one prefix is meaningful. */
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

int nr_routes_sort(const struct nr_route **routes, size_t n)
{
	struct sortent *e;

	if (n < 2)
		return 0;
	e = malloc(n * sizeof(*e));
	if (!e)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		e[i] = (struct sortent){routes[i], i};
	qsort(e, n, sizeof(*e), cmp_route);
	for (size_t i = 0; i < n; i++)
		routes[i] = e[i].r;
	free(e);
	return 0;
}

static bool is_reject(const struct nr_route *r)
{
	return r->type == NR_RTN_UNREACHABLE || r->type == NR_RTN_PROHIBIT ||
	       r->type == NR_RTN_BLACKHOLE || r->type == NR_RTN_THROW;
}

void nr_route_output_ip(const struct nr_view *v, const struct nr_route *r,
			const struct nr_nexthop *nh, struct nr_addr *ret)
{
	const struct nr_iface *ifc = nh ? nr_view_iface(v, nh->ifindex) : NULL;
	const struct nr_ifaddr *first = NULL;
	const struct nr_addr *near = nh && nh->gw.family == r->family ? &nh->gw : &r->dst.addr;

	if (r->prefsrc.family != AF_UNSPEC) {
		*ret = r->prefsrc;
		return;
	}
	*ret = (struct nr_addr){.family = AF_UNSPEC};
	if (!ifc)
		return;
	for (size_t i = 0; i < ifc->naddrs; i++) {
		const struct nr_ifaddr *a = &ifc->addrs[i];

		if (a->local.addr.family != AF_INET || (a->flags & NR_IFA_F_SECONDARY))
			continue;
		if (nr_prefix_contains(&a->local, near)) {
			*ret = a->local.addr;
			return;
		}
		if (!first)
			first = a;
	}
	if (first)
		*ret = first->local.addr;
}

/* tos, mtu and nexthop flags: what else decides or marks the route. */
static void route_flags(FILE *f, const struct nr_route *r, const struct nr_nexthop *nh, size_t nhi)
{
	const char *sep = "";

	if (r->nh_count > 1) {
		fprintf(f, "nexthop %zu/%u weight %u", nhi + 1, r->nh_count, nh->weight);
		sep = " ";
	}
	if (nh) {
		static const struct {
			uint8_t bit;
			const char *name;
		} nhf[] = {
		    {NR_RTNH_F_ONLINK, "onlink"},
		    {NR_RTNH_F_DEAD, "dead"},
		    {NR_RTNH_F_LINKDOWN, "linkdown"},
		    {NR_RTNH_F_OFFLOAD, "offload"},
		};
		for (size_t i = 0; i < sizeof(nhf) / sizeof(nhf[0]); i++)
			if (nh->flags & nhf[i].bit) {
				fprintf(f, "%s%s", sep, nhf[i].name);
				sep = " ";
			}
	}
	if (r->tos) {
		fprintf(f, "%stos 0x%02x", sep, r->tos);
		sep = " ";
	}
	if (r->mtu) {
		fprintf(f, "%smtu %" PRIu32, sep, r->mtu);
		sep = " ";
	}
	if (r->src.len) {
		char buf[NR_PREFIX_STRLEN];

		fprintf(f, "%sfrom %s", sep, nr_prefix_format(&r->src, buf, sizeof(buf)));
	}
}

static const char *pref_name(uint8_t pref)
{
	switch (pref) {
	case NR_RT_PREF_HIGH:
		return "high";
	case NR_RT_PREF_LOW:
		return "low";
	default:
		return "medium";
	}
}

static bool v6_linklocal_scope(const struct nr_addr *a)
{
	/* fe80::/10 and ff02::/16 take link-local sources; everything else global ones. */
	return (a->bytes[0] == 0xfe && (a->bytes[1] & 0xc0) == 0x80) ||
	       (a->bytes[0] == 0xff && (a->bytes[1] & 0x0f) == 0x02);
}

/* IPv6 addresses of the device that could be the source: usable, same scope class. */
static void src_candidates(struct cell *c, const struct nr_view *v, const struct nr_route *r,
			   const struct nr_nexthop *nh)
{
	const struct nr_iface *ifc = nh ? nr_view_iface(v, nh->ifindex) : NULL;
	char buf[NR_ADDR_STRLEN];
	bool want_ll = v6_linklocal_scope(&r->dst.addr);

	if (r->prefsrc.family != AF_UNSPEC) {
		fputs(nr_addr_format(&r->prefsrc, buf, sizeof(buf)), c->f);
		return;
	}
	if (!ifc)
		return;
	for (size_t i = 0; i < ifc->naddrs; i++) {
		const struct nr_ifaddr *a = &ifc->addrs[i];

		if (a->local.addr.family != AF_INET6 ||
		    (a->flags & (NR_IFA_F_TENTATIVE | NR_IFA_F_DADFAILED)))
			continue;
		if (v6_linklocal_scope(&a->local.addr) != want_ll)
			continue;
		cell_item(c);
		fputs(nr_addr_format(&a->local.addr, buf, sizeof(buf)), c->f);
	}
}

static int route_rows(struct nr_texttable *t, const struct nr_view *v, const struct nr_route *r)
{
	char dst[NR_PREFIX_STRLEN], mask[NR_ADDR_STRLEN], gw[NR_ADDR_STRLEN], src[NR_ADDR_STRLEN];
	char num[16], metric[16], tbuf[16], pbuf[16], sbuf[16];
	bool v4 = r->family == AF_INET;
	size_t rows = r->nh_count ? r->nh_count : 1;
	int ret = 0;
	/* The name helpers return constants for known values, buf otherwise. */
	const char *table = nr_table_name(r->table, tbuf, sizeof(tbuf));
	const char *proto = nr_rtprot_name(r->protocol, pbuf, sizeof(pbuf));
	const char *scope = nr_scope_name(r->scope, sbuf, sizeof(sbuf));
	snprintf(metric, sizeof(metric), "%" PRIu32, r->metric);
	if (v4) {
		struct nr_addr m = {.family = AF_INET};

		nr_addr_set_v4(&m, r->dst.len ? ~0u << (32 - r->dst.len) : 0);
		nr_addr_format(&r->dst.addr, dst, sizeof(dst));
		nr_addr_format(&m, mask, sizeof(mask));
	} else {
		nr_prefix_format(&r->dst, dst, sizeof(dst));
	}
	for (size_t i = 0; i < rows && !ret; i++) {
		const struct nr_nexthop *nh = r->nh_count ? &r->nh[i] : NULL;
		struct cell fl = {0}, cand = {0};
		bool reject = is_reject(r) || !nh;
		const char *dev = "-";

		if (cell_open(&fl) || cell_open(&cand)) {
			cell_free(&fl);
			cell_free(&cand);
			return -ENOMEM;
		}
		route_flags(fl.f, r, nh, i);
		if (!reject && !v4)
			src_candidates(&cand, v, r, nh);
		if (cell_close(&fl) || cell_close(&cand)) {
			cell_free(&fl);
			cell_free(&cand);
			return -ENOMEM;
		}
		/* A reject route has no device: never show lo or a made-up one. */
		if (reject) {
			strcpy(gw, "-");
			strcpy(src, "-");
		} else {
			struct nr_addr out;

			if (nh->gw.family != AF_UNSPEC)
				nr_addr_format(&nh->gw, gw, sizeof(gw));
			else
				strcpy(gw, v4 ? "0.0.0.0" : "::");
			dev = nr_view_ifname(v, nh->ifindex, num, sizeof(num));
			nr_route_output_ip(v, r, nh, &out);
			if (out.family != AF_UNSPEC)
				nr_addr_format(&out, src, sizeof(src));
			else
				strcpy(src, "0.0.0.0");
		}
		if (v4) {
			const char *row[] = {
			    dst,   mask,  gw,	 dev,	 src, metric, nr_rtype_name(r->type),
			    table, proto, scope, fl.text};
			ret = nr_texttable_add(t, row);
		} else {
			const char *row[] = {dst,
					     gw,
					     dev,
					     cand.len ? cand.text : "-",
					     metric,
					     nr_rtype_name(r->type),
					     table,
					     proto,
					     pref_name(r->pref),
					     fl.text};
			ret = nr_texttable_add(t, row);
		}
		cell_free(&fl);
		cell_free(&cand);
	}
	return ret;
}

static int print_routes(FILE *f, const struct nr_view *v, int family)
{
	static const char *const hdr4[] = {"Network",	"Netmask", "Gateway", "Iface",
					   "Output IP", "Metric",  "Type",    "Table",
					   "Proto",	"Scope",   "Flags"};
	static const char *const hdr6[] = {"Destination", "Next Hop", "Iface", "Src candidates",
					   "Metric",	  "Type",     "Table", "Proto",
					   "Pref",	  "Flags"};
	struct nr_texttable *t =
	    family == AF_INET ? nr_texttable_new(11, hdr4) : nr_texttable_new(10, hdr6);
	const struct nr_route **sorted = NULL;
	size_t n = 0;
	int r = -ENOMEM;

	if (!t)
		return -ENOMEM;
	sorted = malloc((v->nroutes ? v->nroutes : 1) * sizeof(*sorted));
	if (!sorted)
		goto out;
	for (size_t i = 0; i < v->nroutes; i++)
		if (v->routes[i]->family == family)
			sorted[n++] = v->routes[i];
	r = nr_routes_sort(sorted, n);
	for (size_t i = 0; i < n && !r; i++)
		r = route_rows(t, v, sorted[i]);
	if (!r)
		r = nr_texttable_print(t, f);
out:
	free(sorted);
	nr_texttable_free(t);
	return r;
}

int nr_print_routes4(FILE *f, const struct nr_view *v)
{
	return print_routes(f, v, AF_INET);
}

int nr_print_routes6(FILE *f, const struct nr_view *v)
{
	return print_routes(f, v, AF_INET6);
}

/* ---- rules ------------------------------------------------------------ */

/* snprintf that appends and never overruns: *len may pass cap, then the text is cut. */
static void app(char *buf, size_t cap, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void app(char *buf, size_t cap, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len >= cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *len, cap - *len, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len += (size_t)n;
}

static void port_range(char *buf, size_t cap, size_t *len, const char *what, uint16_t lo,
		       uint16_t hi)
{
	if (!lo && !hi)
		return;
	if (lo == hi)
		app(buf, cap, len, " %s %u", what, lo);
	else
		app(buf, cap, len, " %s %u-%u", what, lo, hi);
}

char *nr_rule_format(const struct nr_view *v, const struct nr_rule *r, char *buf, size_t cap)
{
	char a[NR_PREFIX_STRLEN], tbl[16];
	size_t len = 0;

	(void)v;
	buf[0] = '\0';
	if (r->flags & NR_FIB_RULE_INVERT)
		app(buf, cap, &len, "not ");
	app(buf, cap, &len, "from %s",
	    r->from.len ? nr_prefix_format(&r->from, a, sizeof(a)) : "all");
	if (r->to.len)
		app(buf, cap, &len, " to %s", nr_prefix_format(&r->to, a, sizeof(a)));
	if (r->tos)
		app(buf, cap, &len, " tos 0x%02x", r->tos);
	if (r->fwmark || r->fwmask) {
		app(buf, cap, &len, " fwmark 0x%" PRIx32, r->fwmark);
		if (r->fwmask != UINT32_MAX)
			app(buf, cap, &len, "/0x%" PRIx32, r->fwmask);
	}
	if (r->iifname[0])
		app(buf, cap, &len, " iif %s", r->iifname);
	if (r->oifname[0])
		app(buf, cap, &len, " oif %s", r->oifname);
	if (r->has_uid_range)
		app(buf, cap, &len, " uidrange %" PRIu32 "-%" PRIu32, r->uid_lo, r->uid_hi);
	if (r->ip_proto)
		app(buf, cap, &len, " ipproto %u", r->ip_proto);
	port_range(buf, cap, &len, "sport", r->sport_lo, r->sport_hi);
	port_range(buf, cap, &len, "dport", r->dport_lo, r->dport_hi);
	switch (r->action) {
	case NR_FR_ACT_TO_TBL:
		app(buf, cap, &len, " lookup %s", nr_table_name(r->table, tbl, sizeof(tbl)));
		if (r->suppress_prefixlen >= 0)
			app(buf, cap, &len, " suppress_prefixlength %" PRId32,
			    r->suppress_prefixlen);
		if (r->suppress_ifgroup >= 0)
			app(buf, cap, &len, " suppress_ifgroup %" PRId32, r->suppress_ifgroup);
		break;
	case NR_FR_ACT_GOTO:
		app(buf, cap, &len, " goto %" PRIu32, r->goto_target);
		if (r->flags & NR_FIB_RULE_UNRESOLVED)
			app(buf, cap, &len, " [unresolved]");
		break;
	case NR_FR_ACT_NOP:
		app(buf, cap, &len, " nop");
		break;
	default:
		app(buf, cap, &len, " %s", nr_rule_action_name(r->action));
		break;
	}
	/* iproute2 names the protocol unless the kernel installed the rule. */
	if (r->protocol && r->protocol != 2) {
		char p[16];

		app(buf, cap, &len, " proto %s", nr_rtprot_name(r->protocol, p, sizeof(p)));
	}
	return buf;
}

int nr_print_rules(FILE *f, const struct nr_view *v)
{
	char line[512];

	for (size_t i = 0; i < v->nrules; i++)
		fprintf(f, "%" PRIu32 ":\t%s\n", v->rules[i]->priority,
			nr_rule_format(v, v->rules[i], line, sizeof(line)));
	return ferror(f) ? -EIO : 0;
}

/* ---- neighbours ------------------------------------------------------- */

int nr_print_neigh(FILE *f, const struct nr_view *v)
{
	for (size_t i = 0; i < v->nneigh; i++) {
		const struct nr_neigh_entry *e = v->neigh[i];
		char a[NR_ADDR_STRLEN], ll[NR_LLADDR_STRLEN], num[16];
		const char *state = nr_neigh_state_name(e->state);

		fprintf(f, "%s dev %s", nr_addr_format(&e->addr, a, sizeof(a)),
			nr_view_ifname(v, e->ifindex, num, sizeof(num)));
		if (e->lladdr.len)
			fprintf(f, " lladdr %s", nr_lladdr_format(&e->lladdr, ll, sizeof(ll)));
		if (e->router)
			fputs(" router", f);
		fprintf(f, " %s\n", state ? state : "UNKNOWN");
	}
	return ferror(f) ? -EIO : 0;
}
