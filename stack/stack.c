/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The stack object: one host's interfaces, routes of both families in
 * tables by id, policy rules, neighbour cache and nameservers; and the
 * Scapy-style address mutators done the way the kernel does them.
 */
#include "route_get.h"

#include "netrig/iface.h"
#include "netrig/neigh.h"
#include "netrig/resolv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define NEIGH_MAX_DEFAULT 4096
#define RTPROT_KERNEL 2
#define IP6_RT_PRIO_ADDRCONF 256u

struct nr_stack *nr_stack_new(void)
{
	struct nr_stack *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	nr_rtset_init(&s->routes4, AF_INET);
	nr_rtset_init(&s->routes6, AF_INET6);
	nr_ruleset_init(&s->rules4, AF_INET);
	nr_ruleset_init(&s->rules6, AF_INET6);
	s->ifaces = nr_iface_table_new();
	s->neigh = nr_neigh_cache_new(NEIGH_MAX_DEFAULT);
	s->resolv = nr_resolv_new();
	if (!s->ifaces || !s->neigh || !s->resolv || nr_ruleset_default(&s->rules4) ||
	    nr_ruleset_default(&s->rules6)) {
		nr_stack_free(s);
		return NULL;
	}
	return s;
}

void nr_stack_free(struct nr_stack *s)
{
	if (!s)
		return;
	nr_rtset_done(&s->routes4);
	nr_rtset_done(&s->routes6);
	nr_ruleset_done(&s->rules4);
	nr_ruleset_done(&s->rules6);
	nr_iface_table_free(s->ifaces);
	nr_neigh_cache_free(s->neigh);
	nr_resolv_free(s->resolv);
	free(s);
}

void nr_stack_clear_routes(struct nr_stack *s)
{
	if (!s)
		return;
	nr_rtset_clear(&s->routes4);
	nr_rtset_clear(&s->routes6);
	/* With no rules at all lookups use the kernel defaults (rule.c). */
	nr_ruleset_clear(&s->rules4);
	nr_ruleset_clear(&s->rules6);
}

struct nr_iface_table *nr_stack_ifaces(struct nr_stack *s)
{
	return s ? s->ifaces : NULL;
}

const struct nr_iface_table *nr_stack_ifaces_const(const struct nr_stack *s)
{
	return s ? s->ifaces : NULL;
}

struct nr_neigh_cache *nr_stack_neigh(struct nr_stack *s)
{
	return s ? s->neigh : NULL;
}

const struct nr_neigh_cache *nr_stack_neigh_const(const struct nr_stack *s)
{
	return s ? s->neigh : NULL;
}

struct nr_resolv *nr_stack_resolv(struct nr_stack *s)
{
	return s ? s->resolv : NULL;
}

const struct nr_resolv *nr_stack_resolv_const(const struct nr_stack *s)
{
	return s ? s->resolv : NULL;
}

static struct nr_rtset *rtset_of(struct nr_stack *s, int family)
{
	if (family == AF_INET)
		return &s->routes4;
	if (family == AF_INET6)
		return &s->routes6;
	return NULL;
}

static const struct nr_rtset *rtset_of_const(const struct nr_stack *s, int family)
{
	return rtset_of((struct nr_stack *)s, family);
}

static struct nr_ruleset *ruleset_of(struct nr_stack *s, int family)
{
	if (family == AF_INET)
		return &s->rules4;
	if (family == AF_INET6)
		return &s->rules6;
	return NULL;
}

int nr_stack_route_add(struct nr_stack *s, const struct nr_route *r)
{
	struct nr_rtset *set;

	if (!s || !r)
		return -EINVAL;
	set = rtset_of(s, r->family);
	return set ? nr_rtset_add(set, r) : -EAFNOSUPPORT;
}

int nr_stack_route_del(struct nr_stack *s, const struct nr_route *r)
{
	struct nr_rtset *set;

	if (!s || !r)
		return -EINVAL;
	set = rtset_of(s, r->family);
	return set ? nr_rtset_del(set, r) : -EAFNOSUPPORT;
}

size_t nr_stack_route_count(const struct nr_stack *s, int family)
{
	const struct nr_rtset *set = s ? rtset_of_const(s, family) : NULL;

	return set ? nr_rtset_count(set) : 0;
}

int nr_stack_route_walk(const struct nr_stack *s, int family,
			int (*cb)(const struct nr_route *r, void *arg), void *arg)
{
	const struct nr_rtset *set = s ? rtset_of_const(s, family) : NULL;

	return set && cb ? nr_rtset_walk(set, cb, arg) : 0;
}

int nr_stack_rule_add(struct nr_stack *s, const struct nr_rule *r)
{
	struct nr_ruleset *rs;

	if (!s || !r)
		return -EINVAL;
	rs = ruleset_of(s, r->family);
	return rs ? nr_ruleset_add(rs, r) : -EAFNOSUPPORT;
}

int nr_stack_rule_del(struct nr_stack *s, const struct nr_rule *r)
{
	struct nr_ruleset *rs;

	if (!s || !r)
		return -EINVAL;
	rs = ruleset_of(s, r->family);
	return rs ? nr_ruleset_del(rs, r) : -EAFNOSUPPORT;
}

void nr_stack_rules_default(struct nr_stack *s, int family)
{
	struct nr_ruleset *rs = s ? ruleset_of(s, family) : NULL;

	/* Two or three rules into storage that grows to eight at once: an
	 * allocation failure leaves the set empty, which looks up the same. */
	if (rs && nr_ruleset_default(rs))
		nr_ruleset_clear(rs);
}

size_t nr_stack_rule_count(const struct nr_stack *s, int family)
{
	const struct nr_ruleset *rs = s ? ruleset_of((struct nr_stack *)s, family) : NULL;

	return rs ? rs->n : 0;
}

const struct nr_rule *nr_stack_rule_at(const struct nr_stack *s, int family, size_t i)
{
	const struct nr_ruleset *rs = s ? ruleset_of((struct nr_stack *)s, family) : NULL;

	return rs && i < rs->n ? &rs->v[i] : NULL;
}

int nr_stack_loopback_index(const struct nr_stack *s)
{
	const struct nr_iface *ifc;

	for (size_t i = 0; (ifc = nr_iface_at(s->ifaces, i)) != NULL; i++)
		if (ifc->flags & NR_IFF_LOOPBACK)
			return ifc->index;
	ifc = nr_iface_by_name(s->ifaces, "lo");
	return ifc ? ifc->index : 1;
}

/*
 * Whether a nexthop's device is known and down, remembered per thread by
 * the interface table's generation (unique across tables and changed by
 * every change to one) and the index: every route decision asks it, and
 * the device's binary search was 60 of a batched IPv4 lookup's ~725
 * instructions. Per thread, so concurrent readers share nothing.
 */
#define DOWN_CACHE_SLOTS 8u

struct down_cache_entry {
	uint64_t gen; /* 0: empty (no table has generation 0) */
	int ifindex;
	bool down;
};

static _Thread_local struct down_cache_entry down_cache[DOWN_CACHE_SLOTS];

static __attribute__((noinline, cold)) bool down_fill(struct down_cache_entry *e,
						       const struct nr_stack *s, uint64_t gen,
						       int ifindex)
{
	const struct nr_iface *ifc = nr_iface_by_index(s->ifaces, ifindex);

	e->gen = gen;
	e->ifindex = ifindex;
	e->down = ifc && !(ifc->flags & NR_IFF_UP);
	return e->down;
}

bool nr_stack_dev_down(const struct nr_stack *s, int ifindex)
{
	uint64_t gen = nr_iface_generation(s->ifaces);
	struct down_cache_entry *e = &down_cache[(unsigned)ifindex % DOWN_CACHE_SLOTS];

	if (gen && e->gen == gen && e->ifindex == ifindex)
		return e->down;
	return down_fill(e, s, gen, ifindex);
}

bool nr_nexthop_dead(const struct nr_stack *s, const struct nr_route *r,
		     const struct nr_nexthop *nh)
{
	if (nh->flags & NR_RTNH_F_DEAD)
		return true;
	if (r->type == NR_RTN_LOCAL || r->scope == NR_SCOPE_HOST)
		return false;
	return nh->ifindex && nr_stack_dev_down(s, nh->ifindex);
}

static int route_get(const struct nr_stack *s, const struct nr_route_query *q,
		     struct nr_route_result *ret, const struct nr_rt_hint *hint)
{
	if (!s || !q || !ret)
		return -EINVAL;
	if (q->src.family != AF_UNSPEC && q->src.family != q->dst.family)
		return -EINVAL;
	/* rtm_getroute_parse_ip_proto: TCP, UDP and the family's ICMP only. */
	if (q->ip_proto && q->ip_proto != 6 && q->ip_proto != 17 &&
	    q->ip_proto != (q->dst.family == AF_INET6 ? 58 : 1))
		return -EINVAL;
	switch (q->dst.family) {
	case AF_INET:
		return nr_route_get4(s, q, ret, hint);
	case AF_INET6:
		return nr_route_get6(s, q, ret, hint);
	default:
		return -EINVAL;
	}
}

int nr_stack_route_get(const struct nr_stack *s, const struct nr_route_query *q,
		       struct nr_route_result *ret)
{
	return route_get(s, q, ret, NULL);
}

/*
 * The main table's longest match for up to NR_RTABLE_HINT_MAX queries,
 * their walks interleaved and their routes prefetched (main is where
 * nearly every route of a large table lives; local stays small and
 * cached). Each lookup then starts from its hint, which is exactly what
 * its own walk of main would have found.
 */
static void route_hints(const struct nr_stack *s, const struct nr_route_query *q, size_t n,
			struct nr_rt_hint *hints)
{
	const struct nr_addr *a4[NR_RTABLE_HINT_MAX], *a6[NR_RTABLE_HINT_MAX];
	struct nr_rt_hint h4[NR_RTABLE_HINT_MAX], h6[NR_RTABLE_HINT_MAX];
	size_t i4[NR_RTABLE_HINT_MAX], i6[NR_RTABLE_HINT_MAX];
	size_t n4 = 0, n6 = 0;
	const struct nr_rtable *m4 = nr_rtset_get(&s->routes4, NR_TABLE_MAIN);
	const struct nr_rtable *m6 = nr_rtset_get(&s->routes6, NR_TABLE_MAIN);
	/* A small table gets no hints (see nr_rtable_longest_many): skip the sorting. */
	bool want4 = nr_rtable_count(m4) >= NR_RTABLE_HINT_MIN_ROUTES;
	bool want6 = nr_rtable_count(m6) >= NR_RTABLE_HINT_MIN_ROUTES;

	for (size_t i = 0; i < n; i++) {
		hints[i].t = NULL;
		if (q[i].dst.family == AF_INET && want4) {
			i4[n4] = i;
			a4[n4++] = &q[i].dst;
		} else if (q[i].dst.family == AF_INET6 && want6) {
			i6[n6] = i;
			a6[n6++] = &q[i].dst;
		}
	}
	if (n4 == n) {
		/* All IPv4 (the usual batch): the hints land in place, no copy. */
		nr_rtable_longest_many(m4, a4, n4, hints);
	} else if (n4) {
		nr_rtable_longest_many(m4, a4, n4, h4);
		for (size_t k = 0; k < n4; k++)
			hints[i4[k]] = h4[k];
	}
	if (n6) {
		nr_rtable_longest_many(m6, a6, n6, h6);
		for (size_t k = 0; k < n6; k++)
			hints[i6[k]] = h6[k];
	}
}

int nr_stack_route_get_many(const struct nr_stack *s, const struct nr_route_query *q, size_t n,
			    struct nr_route_result *ret, int *errs)
{
	struct nr_rt_hint hints[NR_RTABLE_HINT_MAX];
	int first = 0;

	if (!s || (n && (!q || !ret)))
		return -EINVAL;
	for (size_t at = 0; at < n; at += NR_RTABLE_HINT_MAX) {
		size_t m = n - at < NR_RTABLE_HINT_MAX ? n - at : NR_RTABLE_HINT_MAX;

		route_hints(s, q + at, m, hints);
		for (size_t i = 0; i < m; i++) {
			int err = route_get(s, &q[at + i], &ret[at + i], &hints[i]);

			if (errs)
				errs[at + i] = err;
			if (err < 0 && !first)
				first = err;
		}
	}
	return first;
}

/* ---- Scapy-style mutators, the kernel's way ---- */

static void kernel_route(struct nr_route *r, int family, uint8_t type, uint32_t table,
			 uint8_t scope, const struct nr_addr *dst, uint8_t len,
			 const struct nr_addr *prefsrc, struct nr_nexthop *nh, int ifindex,
			 uint32_t ifc_flags)
{
	memset(r, 0, sizeof(*r));
	memset(nh, 0, sizeof(*nh));
	r->family = (uint8_t)family;
	r->type = type;
	r->protocol = RTPROT_KERNEL;
	r->scope = scope;
	r->table = table;
	r->dst.addr = *dst;
	r->dst.len = len;
	nr_addr_mask(&r->dst.addr, len);
	if (prefsrc)
		r->prefsrc = *prefsrc;
	nh->ifindex = ifindex;
	nh->weight = 1;
	/* fib_check_nh_nongw: no carrier marks the nexthop linkdown (not for host scope). */
	if (scope != NR_SCOPE_HOST && (ifc_flags & NR_IFF_UP) && !(ifc_flags & NR_IFF_RUNNING))
		nh->flags |= NR_RTNH_F_LINKDOWN;
	r->nh_count = 1;
	r->nh = nh;
}

/* Add a route the kernel adds for an address; one already there is fine. */
static int add_kernel_route(struct nr_stack *s, const struct nr_route *r)
{
	int err = nr_stack_route_add(s, r);

	return err == -EEXIST ? 0 : err;
}

/*
 * fib_add_ifaddr(): a local /32 in table local always; when the device is
 * up and the address primary, the connected prefix in main (unless /32 on
 * its own network) and the network broadcast in local (below /31). A
 * secondary's local route takes the primary's address as prefsrc.
 */
static int ifadd_routes4(struct nr_stack *s, const struct nr_iface *ifc,
			 const struct nr_ifaddr *a, const struct nr_addr *prim)
{
	struct nr_nexthop nh;
	struct nr_route r;
	struct nr_addr net = a->local.addr, brd = a->local.addr;
	bool secondary = (a->flags & NR_IFA_F_SECONDARY) != 0;
	uint32_t v4;
	int err;

	kernel_route(&r, AF_INET, NR_RTN_LOCAL, NR_TABLE_LOCAL, NR_SCOPE_HOST, &a->local.addr, 32,
		     prim, &nh, ifc->index, ifc->flags);
	err = add_kernel_route(s, &r);
	if (err || !(ifc->flags & NR_IFF_UP) || secondary)
		return err;
	nr_addr_mask(&net, a->local.len);
	if (nr_addr_v4(&net) != 0 && (!nr_addr_eq(&net, &a->local.addr) || a->local.len < 32)) {
		bool lo = (ifc->flags & NR_IFF_LOOPBACK) != 0;

		kernel_route(&r, AF_INET, lo ? NR_RTN_LOCAL : NR_RTN_UNICAST,
			     lo ? NR_TABLE_LOCAL : NR_TABLE_MAIN, lo ? NR_SCOPE_HOST : NR_SCOPE_LINK,
			     &net, a->local.len, prim, &nh, ifc->index, ifc->flags);
		err = add_kernel_route(s, &r);
		if (err)
			return err;
		if (a->local.len < 31) {
			v4 = nr_addr_v4(&net) | (0xffffffffu >> a->local.len);
			nr_addr_set_v4(&brd, v4);
			kernel_route(&r, AF_INET, NR_RTN_BROADCAST, NR_TABLE_LOCAL, NR_SCOPE_LINK,
				     &brd, 32, prim, &nh, ifc->index, ifc->flags);
			err = add_kernel_route(s, &r);
		}
	}
	return err;
}

/* addrconf: the local /128 (metric 0) in local, the prefix (metric 256) in main. */
static int ifadd_routes6(struct nr_stack *s, const struct nr_iface *ifc,
			 const struct nr_ifaddr *a)
{
	struct nr_nexthop nh;
	struct nr_route r;
	int err;

	kernel_route(&r, AF_INET6, NR_RTN_LOCAL, NR_TABLE_LOCAL, NR_SCOPE_UNIVERSE, &a->local.addr,
		     128, NULL, &nh, ifc->index, ifc->flags);
	err = add_kernel_route(s, &r);
	if (err || (a->flags & NR_IFA_F_NOPREFIXROUTE))
		return err;
	kernel_route(&r, AF_INET6, NR_RTN_UNICAST, NR_TABLE_MAIN, NR_SCOPE_UNIVERSE, &a->local.addr,
		     a->local.len, NULL, &nh, ifc->index, ifc->flags);
	r.metric = IP6_RT_PRIO_ADDRCONF;
	return add_kernel_route(s, &r);
}

static int ipv6_scope_rank(const struct nr_addr *a)
{
	/* Enough of __ipv6_addr_src_scope for ordering: loopback/link-local below global. */
	if (a->bytes[0] == 0xfe && (a->bytes[1] & 0xc0) == 0x80)
		return 2;
	if (a->bytes[0] == 0xfe && (a->bytes[1] & 0xc0) == 0xc0)
		return 5;
	{
		static const uint8_t lo[16] = {[15] = 1};

		if (memcmp(a->bytes, lo, 16) == 0)
			return 2;
	}
	return 14;
}

/*
 * Where the kernel puts a new address in the device's list (the order
 * source selection walks): IPv4 __inet_insert_ifa keeps primaries by scope
 * (host, link, global; equal scopes as added) and secondaries last; IPv6
 * ipv6_link_dev_addr puts it before the first address of equal or smaller
 * scope, so the newest of a scope comes first.
 */
static size_t insert_pos(const struct nr_ifaddr *v, size_t n, const struct nr_ifaddr *a)
{
	size_t i;

	if (a->local.addr.family == AF_INET) {
		if (a->flags & NR_IFA_F_SECONDARY)
			return n;
		for (i = 0; i < n; i++)
			if ((v[i].flags & NR_IFA_F_SECONDARY) || v[i].scope < a->scope)
				return i;
		return n;
	}
	for (i = 0; i < n; i++)
		if (ipv6_scope_rank(&v[i].local.addr) <= ipv6_scope_rank(&a->local.addr))
			return i;
	return n;
}

/* Re-add the family's addresses of one interface in the order given. */
static int addrs_reorder(struct nr_stack *s, int ifindex, const struct nr_ifaddr *v, size_t n)
{
	int err;

	for (size_t i = 0; i < n; i++)
		nr_iface_addr_del(s->ifaces, ifindex, &v[i].local);
	for (size_t i = 0; i < n; i++) {
		err = nr_iface_addr_add(s->ifaces, ifindex, &v[i]);
		if (err)
			return err;
	}
	return 0;
}

int nr_stack_ifadd(struct nr_stack *s, int ifindex, const struct nr_prefix *addr)
{
	const struct nr_iface *ifc;
	struct nr_ifaddr a, *same = NULL;
	struct nr_addr prim;
	size_t n = 0, pos;
	int family, err;

	if (!s || !addr)
		return -EINVAL;
	family = addr->addr.family;
	if ((family != AF_INET && family != AF_INET6) || addr->len > nr_addr_bits(family))
		return -EINVAL;
	ifc = nr_iface_by_index(s->ifaces, ifindex);
	if (!ifc)
		return -ENODEV;

	memset(&a, 0, sizeof(a));
	a.local = *addr;
	a.valid_lft = a.preferred_lft = UINT32_MAX;
	a.flags = NR_IFA_F_PERMANENT;
	prim = addr->addr;
	if (family == AF_INET) {
		/* inet_rtm_newaddr: 127/8 is host scope, the rest global. */
		a.scope = addr->addr.bytes[0] == 127 ? NR_SCOPE_HOST : NR_SCOPE_UNIVERSE;
		memcpy(a.label, ifc->name, sizeof(a.label));
	} else {
		a.flags |= NR_IFA_F_NODAD;
		a.scope = ipv6_scope_rank(&addr->addr) == 2 ? NR_SCOPE_LINK : NR_SCOPE_UNIVERSE;
	}

	same = calloc(ifc->naddrs + 1, sizeof(*same));
	if (!same)
		return -ENOMEM;
	for (size_t i = 0; i < ifc->naddrs; i++) {
		const struct nr_ifaddr *o = &ifc->addrs[i];

		if (o->local.addr.family != family)
			continue;
		if (nr_addr_eq(&o->local.addr, &addr->addr) && o->local.len == addr->len) {
			err = -EEXIST;
			goto out;
		}
		/* __inet_insert_ifa: same mask and subnet as a primary makes it secondary. */
		if (family == AF_INET && !(o->flags & NR_IFA_F_SECONDARY) &&
		    !(a.flags & NR_IFA_F_SECONDARY) && o->local.len == addr->len &&
		    nr_addr_common_bits(&o->local.addr, &addr->addr) >= addr->len) {
			a.flags |= NR_IFA_F_SECONDARY;
			prim = o->local.addr;
		}
		same[n++] = *o;
	}
	pos = insert_pos(same, n, &a);
	memmove(&same[pos + 1], &same[pos], (n - pos) * sizeof(same[0]));
	same[pos] = a;
	err = addrs_reorder(s, ifindex, same, n + 1);
	if (err)
		goto out;
	/* The table may have moved the interface's address array, not the interface. */
	ifc = nr_iface_by_index(s->ifaces, ifindex);
	err = family == AF_INET ? ifadd_routes4(s, ifc, &a, &prim) : ifadd_routes6(s, ifc, &a);
out:
	free(same);
	return err;
}

struct via_dev {
	int ifindex;
};

static bool route_via(const struct nr_route *r, void *arg)
{
	const struct via_dev *d = arg;

	for (uint16_t i = 0; i < r->nh_count; i++)
		if (r->nh[i].ifindex == d->ifindex)
			return true;
	return false;
}

int nr_stack_ifdel(struct nr_stack *s, int ifindex)
{
	const struct nr_iface *ifc;
	struct via_dev d = {ifindex};

	if (!s)
		return -EINVAL;
	ifc = nr_iface_by_index(s->ifaces, ifindex);
	if (!ifc)
		return -ENODEV;
	while (ifc->naddrs) {
		struct nr_prefix p = ifc->addrs[ifc->naddrs - 1].local;

		nr_iface_addr_del(s->ifaces, ifindex, &p);
		ifc = nr_iface_by_index(s->ifaces, ifindex);
	}
	nr_rtset_del_if(&s->routes4, route_via, &d);
	nr_rtset_del_if(&s->routes6, route_via, &d);
	return 0;
}

int nr_stack_ifchange(struct nr_stack *s, int ifindex, const struct nr_prefix *addr)
{
	int err;

	if (!s || !addr)
		return -EINVAL;
	if (addr->addr.family != AF_INET && addr->addr.family != AF_INET6)
		return -EINVAL;
	err = nr_stack_ifdel(s, ifindex);
	if (err)
		return err;
	return nr_stack_ifadd(s, ifindex, addr);
}
