/* SPDX-License-Identifier: BSD-2-Clause */
#include "output/json_out.h"
#include "output/jsonl.h"
#include "output/show_text.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A string value, sanitized when jansson refuses it; never NULL text. */
static json_t *jstr(const char *s)
{
	json_t *j = json_string(s);
	char *clean;

	if (j)
		return j;
	clean = nr_utf8_sanitize(s);
	if (!clean)
		return NULL;
	j = json_string(clean);
	free(clean);
	return j;
}

static json_t *jaddr(const struct nr_addr *a)
{
	char buf[NR_ADDR_STRLEN];

	return json_string(nr_addr_format(a, buf, sizeof(buf)));
}

/* Setters that ignore NULL values: an allocation failure drops the key. */
static void set(json_t *o, const char *key, json_t *val)
{
	if (val)
		json_object_set_new(o, key, val);
}

static const char *family_name(int family)
{
	return family == AF_INET ? "inet" : family == AF_INET6 ? "inet6" : "unspec";
}

static json_t *iff_array(uint32_t flags)
{
	const char *names[NR_IFF_NAMES_MAX];
	char hex[12];
	size_t n = nr_iff_names(flags, names, hex);
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_string(names[i]));
	return a;
}

static json_t *ifa_flags(int family, uint32_t flags)
{
	json_t *a = json_array();

	for (unsigned i = 0; a && i < 32; i++) {
		uint32_t bit = 1u << i;
		const char *name;

		if (!(flags & bit))
			continue;
		name = nr_ifa_flag_name_af(family, bit);
		if (name)
			json_array_append_new(a, json_string(name));
	}
	return a;
}

static json_t *addr_info(const struct nr_ifaddr *a)
{
	json_t *o = json_object();
	char scope[16];
	int fam = a->local.addr.family;

	if (!o)
		return NULL;
	set(o, "family", json_string(family_name(fam)));
	set(o, "local", jaddr(&a->local.addr));
	if (a->peer.family != AF_UNSPEC)
		set(o, "address", jaddr(&a->peer));
	set(o, "prefixlen", json_integer(a->local.len));
	if (a->broadcast.family != AF_UNSPEC)
		set(o, "broadcast", jaddr(&a->broadcast));
	set(o, "scope", json_string(nr_scope_name(a->scope, scope, sizeof(scope))));
	set(o, "flags", ifa_flags(fam, a->flags));
	if (a->label[0])
		set(o, "label", jstr(a->label));
	set(o, "valid_life_time", json_integer(a->valid_lft));
	set(o, "preferred_life_time", json_integer(a->preferred_lft));
	return o;
}

static const char *link_type(uint16_t type, char *buf, size_t cap)
{
	switch (type) {
	case 1:
		return "ether";
	case 772:
		return "loopback";
	case 65534:
		return "none";
	default:
		snprintf(buf, cap, "%u", type);
		return buf;
	}
}

json_t *nr_json_ifaces(const struct nr_view *v)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < v->nifaces; i++) {
		const struct nr_iface *ifc = v->ifaces[i];
		json_t *o = json_object(), *ai = json_array();
		char buf[NR_LLADDR_STRLEN];

		if (!o || !ai) {
			json_decref(o);
			json_decref(ai);
			json_decref(arr);
			return NULL;
		}
		set(o, "ifindex", json_integer(ifc->index));
		set(o, "ifname", jstr(ifc->name));
		set(o, "flags", iff_array(ifc->flags));
		set(o, "mtu", json_integer(ifc->mtu));
		set(o, "operstate", json_string(nr_operstate_name(ifc->operstate)));
		set(o, "link_type", json_string(link_type(ifc->type, buf, sizeof(buf))));
		if (ifc->kind[0])
			set(o, "kind", jstr(ifc->kind));
		if (ifc->master)
			set(o, "master", jstr(nr_view_ifname(v, ifc->master, buf, sizeof(buf))));
		if (ifc->link)
			set(o, "link_index", json_integer(ifc->link));
		if (ifc->lladdr.len)
			set(o, "address",
			    json_string(nr_lladdr_format(&ifc->lladdr, buf, sizeof(buf))));
		if (ifc->broadcast.len)
			set(o, "broadcast",
			    json_string(nr_lladdr_format(&ifc->broadcast, buf, sizeof(buf))));
		for (size_t k = 0; k < ifc->naddrs; k++) {
			json_t *a = addr_info(&ifc->addrs[k]);

			if (a)
				json_array_append_new(ai, a);
		}
		json_object_set_new(o, "addr_info", ai);
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *nh_flags(uint8_t flags)
{
	static const struct {
		uint8_t bit;
		const char *name;
	} names[] = {
	    {NR_RTNH_F_DEAD, "dead"},	      {NR_RTNH_F_PERVASIVE, "pervasive"},
	    {NR_RTNH_F_ONLINK, "onlink"},     {NR_RTNH_F_OFFLOAD, "offload"},
	    {NR_RTNH_F_LINKDOWN, "linkdown"},
	};
	json_t *a = json_array();

	for (size_t i = 0; a && i < sizeof(names) / sizeof(names[0]); i++)
		if (flags & names[i].bit)
			json_array_append_new(a, json_string(names[i].name));
	return a;
}

static bool reject_route(const struct nr_route *r)
{
	return r->type == NR_RTN_UNREACHABLE || r->type == NR_RTN_PROHIBIT ||
	       r->type == NR_RTN_BLACKHOLE || r->type == NR_RTN_THROW;
}

static json_t *route_obj(const struct nr_view *v, const struct nr_route *r)
{
	json_t *o = json_object();
	char buf[NR_PREFIX_STRLEN], num[16];

	if (!o)
		return NULL;
	if (r->dst.len == 0)
		set(o, "dst", json_string("default"));
	else if (r->dst.len == nr_addr_bits(r->family))
		set(o, "dst", jaddr(&r->dst.addr));
	else
		set(o, "dst", json_string(nr_prefix_format(&r->dst, buf, sizeof(buf))));
	if (r->src.len)
		set(o, "src", json_string(nr_prefix_format(&r->src, buf, sizeof(buf))));
	set(o, "type", json_string(nr_rtype_name(r->type)));
	set(o, "table", json_string(nr_table_name(r->table, num, sizeof(num))));
	if (!reject_route(r) && r->nh_count == 1) {
		const struct nr_nexthop *nh = &r->nh[0];

		if (nh->gw.family != AF_UNSPEC)
			set(o, "gateway", jaddr(&nh->gw));
		if (nh->ifindex)
			set(o, "dev", jstr(nr_view_ifname(v, nh->ifindex, num, sizeof(num))));
	}
	set(o, "protocol", json_string(nr_rtprot_name(r->protocol, num, sizeof(num))));
	set(o, "scope", json_string(nr_scope_name(r->scope, num, sizeof(num))));
	if (r->prefsrc.family != AF_UNSPEC)
		set(o, "prefsrc", jaddr(&r->prefsrc));
	set(o, "metric", json_integer(r->metric));
	if (r->tos)
		set(o, "tos", json_integer(r->tos));
	if (r->mtu)
		set(o, "mtu", json_integer(r->mtu));
	set(o, "flags",
	    r->nh_count == 1 && !reject_route(r) ? nh_flags(r->nh[0].flags) : json_array());
	if (r->family == AF_INET6)
		set(o, "pref",
		    json_string(r->pref == NR_RT_PREF_HIGH  ? "high"
				: r->pref == NR_RT_PREF_LOW ? "low"
							    : "medium"));
	if (r->nh_count > 1 && !reject_route(r)) {
		json_t *nhs = json_array();

		for (size_t i = 0; nhs && i < r->nh_count; i++) {
			const struct nr_nexthop *nh = &r->nh[i];
			json_t *n = json_object();

			if (!n)
				continue;
			if (nh->gw.family != AF_UNSPEC)
				set(n, "gateway", jaddr(&nh->gw));
			if (nh->ifindex)
				set(n, "dev",
				    jstr(nr_view_ifname(v, nh->ifindex, num, sizeof(num))));
			set(n, "weight", json_integer(nh->weight));
			set(n, "flags", nh_flags(nh->flags));
			json_array_append_new(nhs, n);
		}
		set(o, "nexthops", nhs);
	}
	return o;
}

json_t *nr_json_routes(const struct nr_view *v, int family)
{
	const struct nr_route **sorted = malloc((v->nroutes ? v->nroutes : 1) * sizeof(*sorted));
	json_t *arr = json_array();
	size_t n = 0;

	if (!sorted || !arr)
		goto fail;
	for (size_t i = 0; i < v->nroutes; i++)
		if (v->routes[i]->family == family)
			sorted[n++] = v->routes[i];
	if (nr_routes_sort(sorted, n) < 0)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		json_t *o = route_obj(v, sorted[i]);

		if (!o)
			goto fail;
		json_array_append_new(arr, o);
	}
	free(sorted);
	return arr;
fail:
	free(sorted);
	json_decref(arr);
	return NULL;
}

static json_t *rule_obj(const struct nr_rule *r)
{
	json_t *o = json_object();
	char buf[NR_ADDR_STRLEN], num[24];

	if (!o)
		return NULL;
	set(o, "family", json_string(family_name(r->family)));
	set(o, "priority", json_integer(r->priority));
	if (r->flags & NR_FIB_RULE_INVERT)
		set(o, "not", json_true());
	if (r->from.len) {
		set(o, "src", json_string(nr_addr_format(&r->from.addr, buf, sizeof(buf))));
		set(o, "srclen", json_integer(r->from.len));
	} else {
		set(o, "src", json_string("all"));
	}
	if (r->to.len) {
		set(o, "dst", json_string(nr_addr_format(&r->to.addr, buf, sizeof(buf))));
		set(o, "dstlen", json_integer(r->to.len));
	}
	if (r->tos) {
		snprintf(num, sizeof(num), "0x%02x", r->tos);
		set(o, "tos", json_string(num));
	}
	if (r->fwmark || r->fwmask) {
		snprintf(num, sizeof(num), "0x%x", r->fwmark);
		set(o, "fwmark", json_string(num));
		if (r->fwmask != UINT32_MAX) {
			snprintf(num, sizeof(num), "0x%x", r->fwmask);
			set(o, "fwmask", json_string(num));
		}
	}
	if (r->iifname[0])
		set(o, "iif", jstr(r->iifname));
	if (r->oifname[0])
		set(o, "oif", jstr(r->oifname));
	if (r->has_uid_range) {
		json_t *u = json_object();

		if (u) {
			set(u, "start", json_integer(r->uid_lo));
			set(u, "end", json_integer(r->uid_hi));
		}
		set(o, "uid_range", u);
	}
	if (r->ip_proto)
		set(o, "ipproto", json_integer(r->ip_proto));
	if (r->sport_lo || r->sport_hi) {
		set(o, "sport_start", json_integer(r->sport_lo));
		set(o, "sport_end", json_integer(r->sport_hi));
	}
	if (r->dport_lo || r->dport_hi) {
		set(o, "dport_start", json_integer(r->dport_lo));
		set(o, "dport_end", json_integer(r->dport_hi));
	}
	switch (r->action) {
	case NR_FR_ACT_TO_TBL:
		set(o, "table", json_string(nr_table_name(r->table, num, sizeof(num))));
		if (r->suppress_prefixlen >= 0)
			set(o, "suppress_prefixlen", json_integer(r->suppress_prefixlen));
		if (r->suppress_ifgroup >= 0)
			set(o, "suppress_ifgroup", json_integer(r->suppress_ifgroup));
		break;
	case NR_FR_ACT_GOTO:
		set(o, "action", json_string("goto"));
		set(o, "target", json_integer(r->goto_target));
		if (r->flags & NR_FIB_RULE_UNRESOLVED)
			set(o, "unresolved", json_true());
		break;
	default:
		set(o, "action", json_string(nr_rule_action_name(r->action)));
		break;
	}
	if (r->protocol)
		set(o, "protocol", json_string(nr_rtprot_name(r->protocol, num, sizeof(num))));
	return o;
}

json_t *nr_json_rules(const struct nr_view *v, int family)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < v->nrules; i++) {
		json_t *o;

		if (family != AF_UNSPEC && v->rules[i]->family != family)
			continue;
		o = rule_obj(v->rules[i]);
		if (!o) {
			json_decref(arr);
			return NULL;
		}
		json_array_append_new(arr, o);
	}
	return arr;
}

json_t *nr_json_neigh(const struct nr_view *v)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < v->nneigh; i++) {
		const struct nr_neigh_entry *e = v->neigh[i];
		json_t *o = json_object(), *st = json_array();
		char buf[NR_LLADDR_STRLEN], num[16];
		const char *state = nr_neigh_state_name(e->state);

		if (!o || !st) {
			json_decref(o);
			json_decref(st);
			json_decref(arr);
			return NULL;
		}
		set(o, "dst", jaddr(&e->addr));
		set(o, "dev", jstr(nr_view_ifname(v, e->ifindex, num, sizeof(num))));
		if (e->lladdr.len)
			set(o, "lladdr",
			    json_string(nr_lladdr_format(&e->lladdr, buf, sizeof(buf))));
		if (e->router)
			set(o, "router", json_null());
		json_array_append_new(st, json_string(state ? state : "UNKNOWN"));
		set(o, "state", st);
		json_array_append_new(arr, o);
	}
	return arr;
}

int nr_json_print(FILE *f, const json_t *j)
{
	if (json_dumpf(j, f, JSON_COMPACT) < 0 || fputc('\n', f) == EOF)
		return -EIO;
	return ferror(f) ? -EIO : 0;
}
