/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Filling a stack from a namespace: read everything first (a snapshot),
 * then replace the stack's tables, so a failed read leaves the stack as
 * it was.
 */
#include "netrig/neigh.h"
#include "netrig/nlsock.h"
#include "netrig/resolv.h"

#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int fail_obj(struct nr_os_error *err, int r, const char *what, const char *obj)
{
	return nr_os_error_set(err, r, "loading %s %s into the stack: %s", what, obj,
			       strerror(-r));
}

static void clear_ifaces(struct nr_iface_table *t)
{
	size_t guard = nr_iface_count(t) + 1;

	while (nr_iface_count(t) > 0 && guard--)
		if (nr_iface_del(t, nr_iface_at(t, 0)->index) < 0)
			break;
}

static void clear_addrs(struct nr_iface_table *t)
{
	size_t i;

	for (i = 0; i < nr_iface_count(t); i++) {
		const struct nr_iface *ifc = nr_iface_at(t, i);
		size_t guard = ifc->naddrs + 1;

		while (ifc->naddrs > 0 && guard--) {
			/* A copy: the argument would point into what is freed. */
			struct nr_prefix p = ifc->addrs[0].local;

			if (nr_iface_addr_del(t, ifc->index, &p) < 0)
				break;
			ifc = nr_iface_at(t, i);
		}
	}
}

static void clear_rules(struct nr_stack *s)
{
	static const int fams[] = { AF_INET, AF_INET6 };
	size_t f;

	for (f = 0; f < 2; f++) {
		size_t guard = nr_stack_rule_count(s, fams[f]) + 1;

		while (nr_stack_rule_count(s, fams[f]) > 0 && guard--) {
			struct nr_rule ru = *nr_stack_rule_at(s, fams[f], 0);

			if (nr_stack_rule_del(s, &ru) < 0)
				break;
		}
	}
}

static int add_rules(struct nr_stack *s, const struct nr_rule *rules, size_t n,
		     struct nr_os_error *err)
{
	size_t i;
	int r;

	for (i = 0; i < n; i++) {
		r = nr_stack_rule_add(s, &rules[i]);
		if (r < 0) {
			char obj[32];

			snprintf(obj, sizeof(obj), "with priority %u", rules[i].priority);
			return fail_obj(err, r, "rule", obj);
		}
	}
	return 0;
}

static int add_routes(struct nr_stack *s, const struct nr_os_snapshot *snap,
		      struct nr_os_error *err)
{
	size_t i;
	int r;

	for (i = 0; i < snap->nroutes; i++) {
		const struct nr_route *rt = &snap->routes[i];

		r = nr_stack_route_add(s, rt);
		if (r < 0) {
			char p[NR_PREFIX_STRLEN], obj[96];

			snprintf(obj, sizeof(obj), "%s table %u metric %u",
				 nr_prefix_format(&rt->dst, p, sizeof(p)), rt->table, rt->metric);
			return fail_obj(err, r, "route", obj);
		}
	}
	return 0;
}

/* Routes go in with nr_stack_clear_routes, which takes the rules too:
 * keep the stack's rules when they are not being replaced. */
static int load_routes(const struct nr_os_snapshot *snap, struct nr_stack *s, bool keep_rules,
		       struct nr_os_error *err)
{
	struct nr_rule *saved = NULL;
	size_t nsaved = 0, i;
	int r;

	if (keep_rules) {
		size_t n4 = nr_stack_rule_count(s, AF_INET), n6 = nr_stack_rule_count(s, AF_INET6);

		saved = calloc(n4 + n6 + 1, sizeof(*saved));
		if (!saved)
			return nr_os_error_set(err, -ENOMEM, "out of memory");
		for (i = 0; i < n4; i++)
			saved[nsaved++] = *nr_stack_rule_at(s, AF_INET, i);
		for (i = 0; i < n6; i++)
			saved[nsaved++] = *nr_stack_rule_at(s, AF_INET6, i);
	}
	nr_stack_clear_routes(s);
	r = add_routes(s, snap, err);
	if (r < 0)
		goto out;
	if (keep_rules) {
		clear_rules(s);
		r = add_rules(s, saved, nsaved, err);
		if (r < 0)
			goto out;
	}
	r = 0;
out:
	free(saved);
	return r;
}

/* The kernel does not dump its neighbour timers; the imported entries
 * start theirs now, on the monotonic clock the harness loop uses. */
static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int load_neigh(const struct nr_os_snapshot *snap, struct nr_neigh_cache *c,
		      struct nr_os_error *err)
{
	uint64_t now = monotonic_ns();
	size_t i;
	int r;

	nr_neigh_flush(c);
	for (i = 0; i < snap->nneigh; i++) {
		const struct nr_os_neigh *n = &snap->neigh[i];

		/* NUD_NONE: an entry being created, with nothing to say yet. */
		if (n->state == 0)
			continue;
		r = nr_neigh_import(c, n->ifindex, &n->dst, n->lladdr.len ? &n->lladdr : NULL,
				    n->state, n->flags, now);
		if (r < 0) {
			char a[NR_ADDR_STRLEN];

			return fail_obj(err, r, "neighbour", nr_addr_format(&n->dst, a, sizeof(a)));
		}
	}
	return 0;
}

int nr_os_snapshot_apply(const struct nr_os_snapshot *snap, struct nr_stack *s, unsigned what,
			 struct nr_os_error *err)
{
	struct nr_iface_table *t = nr_stack_ifaces(s);
	size_t i;
	int r;

	if (what & NR_OS_LINKS) {
		clear_ifaces(t);
		for (i = 0; i < snap->nifaces; i++) {
			r = nr_iface_add(t, &snap->ifaces[i]);
			if (r < 0)
				return fail_obj(err, r, "interface", snap->ifaces[i].name);
		}
	}
	if (what & NR_OS_ADDRS) {
		if (!(what & NR_OS_LINKS))
			clear_addrs(t);
		for (i = 0; i < snap->naddrs; i++) {
			const struct nr_os_addr *a = &snap->addrs[i];

			r = nr_iface_addr_add(t, a->ifindex, &a->a);
			/* A link that came or went between the two dumps, or
			 * one the stack does not have when links are not
			 * loaded: its addresses have nowhere to go. */
			if (r == -ENODEV)
				continue;
			if (r < 0) {
				char p[NR_PREFIX_STRLEN];

				return fail_obj(err, r, "address",
						nr_prefix_format(&a->a.local, p, sizeof(p)));
			}
		}
	}
	if (what & NR_OS_ROUTES) {
		r = load_routes(snap, s, !(what & NR_OS_RULES), err);
		if (r < 0)
			return r;
	}
	if (what & NR_OS_RULES) {
		clear_rules(s);
		r = add_rules(s, snap->rules, snap->nrules, err);
		if (r < 0)
			return r;
	}
	if (what & NR_OS_NEIGH) {
		r = load_neigh(snap, nr_stack_neigh(s), err);
		if (r < 0)
			return r;
	}
	if (what & NR_OS_RESOLV) {
		struct nr_resolv *rv = nr_stack_resolv(s);

		/* No resolv.conf at all: glibc's defaults, no nameserver. */
		if (!snap->resolv_text)
			nr_resolv_clear(rv);
		else if ((r = nr_resolv_parse(rv, snap->resolv_text, snap->resolv_len)) < 0)
			return nr_os_error_set(err, r, "%s: %s", snap->resolv_path, strerror(-r));
	}
	return 0;
}

int nr_os_load(struct nr_netns *ns, struct nr_stack *s, unsigned what, struct nr_os_error *err)
{
	struct nr_os_snapshot *snap = NULL;
	int r;

	r = nr_os_snapshot_read(ns, what, &snap, err);
	if (r < 0)
		return r;
	r = nr_os_snapshot_apply(snap, s, what, err);
	nr_os_snapshot_free(snap);
	return r;
}

/* Add the table to t[0..*n) unless there; false when full. */
static bool add_table(uint32_t *t, size_t *n, uint32_t table)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (t[i] == table)
			return true;
	if (*n == NR_OS_REACH_TABLES_MAX)
		return false;
	t[(*n)++] = table;
	return true;
}

/*
 * The tables a lookup of family can consult: every TO_TBL rule's, and
 * local, main, default (the rules the kernel starts with, and what a
 * stack without rules looks in). 0 when it cannot be told: a rule whose
 * table is chosen at lookup time (l3mdev), an action netrig does not
 * know, or too many tables.
 */
static size_t reachable_tables(const struct nr_stack *s, int family, uint32_t *t)
{
	size_t n = 0, i, nrules = nr_stack_rule_count(s, family);

	add_table(t, &n, NR_TABLE_LOCAL);
	add_table(t, &n, NR_TABLE_MAIN);
	add_table(t, &n, NR_TABLE_DEFAULT);
	for (i = 0; i < nrules; i++) {
		const struct nr_rule *ru = nr_stack_rule_at(s, family, i);

		switch (ru->action) {
		case NR_FR_ACT_TO_TBL:
			if (ru->table == NR_TABLE_UNSPEC || !add_table(t, &n, ru->table))
				return 0;
			break;
		case NR_FR_ACT_GOTO:
		case NR_FR_ACT_NOP:
		case NR_FR_ACT_BLACKHOLE:
		case NR_FR_ACT_UNREACHABLE:
		case NR_FR_ACT_PROHIBIT:
			break;
		default:
			return 0;
		}
	}
	return n;
}

/* The routes of one family, copied out of a stack (nexthops too). */
struct saved_routes {
	struct nr_route *rt;
	struct nr_nexthop *nh;
	size_t n, cap, nnh, capnh;
};

static int save_route(const struct nr_route *r, void *arg)
{
	struct saved_routes *sv = arg;

	if (sv->n == sv->cap) {
		size_t cap = sv->cap ? sv->cap * 2 : 64;
		struct nr_route *p = realloc(sv->rt, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		sv->rt = p;
		sv->cap = cap;
	}
	while (sv->nnh + r->nh_count > sv->capnh) {
		size_t cap = sv->capnh ? sv->capnh * 2 : 64;
		struct nr_nexthop *p = realloc(sv->nh, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		sv->nh = p;
		sv->capnh = cap;
	}
	if (r->nh_count) /* a reject route has none (and nh may be NULL) */
		memcpy(sv->nh + sv->nnh, r->nh, r->nh_count * sizeof(*r->nh));
	sv->rt[sv->n] = *r;
	/* An offset until the pool stops moving. */
	sv->rt[sv->n].nh = (const struct nr_nexthop *)(uintptr_t)sv->nnh;
	sv->nnh += r->nh_count;
	sv->n++;
	return 0;
}

/*
 * Drop family's routes from s, keeping the other family's routes and
 * every rule (the stack can only drop all routes and rules at once): the
 * way back from a streamed load that cannot be completed.
 */
static int drop_family(struct nr_stack *s, int family, struct nr_os_error *err)
{
	int other = family == AF_INET ? AF_INET6 : AF_INET;
	struct saved_routes sv = { 0 };
	struct nr_rule *rules = NULL;
	size_t n4 = nr_stack_rule_count(s, AF_INET), n6 = nr_stack_rule_count(s, AF_INET6), i;
	int r;

	if (nr_stack_route_count(s, family) == 0)
		return 0;
	rules = calloc(n4 + n6 + 1, sizeof(*rules));
	if (!rules || (r = nr_stack_route_walk(s, other, save_route, &sv)) < 0) {
		r = nr_os_error_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n4; i++)
		rules[i] = *nr_stack_rule_at(s, AF_INET, i);
	for (i = 0; i < n6; i++)
		rules[n4 + i] = *nr_stack_rule_at(s, AF_INET6, i);
	nr_stack_clear_routes(s);
	for (i = 0; i < sv.n; i++) {
		sv.rt[i].nh = sv.nh + (uintptr_t)sv.rt[i].nh;
		if ((r = nr_stack_route_add(s, &sv.rt[i])) < 0) {
			fail_obj(err, r, "route", "(restoring the other family)");
			goto out;
		}
	}
	r = add_rules(s, rules, n4 + n6, err);
out:
	free(rules);
	free(sv.rt);
	free(sv.nh);
	return r;
}

/* Read first, then add: the way without a second thread, and after an
 * interrupted stream (the snapshot read redoes interrupted dumps). */
static int load_tables_read_first(struct nr_netns *ns, struct nr_stack *s, int family,
				  const uint32_t *tables, size_t ntables,
				  struct nr_os_error *err)
{
	struct nr_os_snapshot *snap = NULL;
	int r;

	r = nr_os_snapshot_read_tables(ns, family, tables, ntables, &snap, err);
	if (r < 0)
		return r;
	r = add_routes(s, snap, err);
	nr_os_snapshot_free(snap);
	return r;
}

/*
 * Streamed: the tables are built from each chunk while the dump thread
 * reads the next. A failure or an interrupted dump drops what was added,
 * so the stack is as before (then, for an interruption, read first).
 */
static int load_tables_streamed(struct nr_netns *ns, struct nr_stack *s, int family,
				const uint32_t *tables, size_t ntables, struct nr_os_error *err)
{
	struct nr_os_route_stream *st = NULL;
	struct nr_os_snapshot *snap;
	size_t truncated = 0;
	bool intr = false;
	int r, rd;

	if (nr_os_route_stream_start(ns, family, tables, ntables, &st, NULL) < 0)
		return load_tables_read_first(ns, s, family, tables, ntables, err);
	r = 0;
	while (r == 0 && (snap = nr_os_route_stream_next(st))) {
		truncated += snap->nroutes_truncated;
		r = add_routes(s, snap, err);
		nr_os_snapshot_free(snap);
	}
	rd = nr_os_route_stream_end(st, r < 0, &intr, r < 0 ? NULL : err);
	if (r == 0)
		r = rd;
	if (r < 0 || intr) {
		struct nr_os_error e = { 0 };
		int rb = drop_family(s, family, &e);

		if (rb < 0) {
			if (err)
				*err = e;
			return rb;
		}
		if (r < 0)
			return r;
		return load_tables_read_first(ns, s, family, tables, ntables, err);
	}
	if (truncated)
		nr_os_error_set(err, 0,
				"%zu route(s) have more than %d nexthops; only the first %d of each "
				"were read",
				truncated, NR_ROUTE_MAX_NH, NR_ROUTE_MAX_NH);
	return 0;
}

int nr_os_load_routes_reachable(struct nr_netns *ns, struct nr_stack *s, int family,
				struct nr_os_error *err)
{
	uint32_t *tables = NULL;
	size_t ntables;
	int r;

	if (family != AF_INET && family != AF_INET6) {
		r = nr_os_error_set(err, -EAFNOSUPPORT, "route load: family %d not supported",
				    family);
		goto out;
	}
	if (nr_stack_route_count(s, family) > 0) {
		r = nr_os_error_set(err, -EEXIST, "route load: the stack has %s routes already",
				    family == AF_INET ? "IPv4" : "IPv6");
		goto out;
	}
	tables = calloc(NR_OS_REACH_TABLES_MAX, sizeof(*tables));
	if (!tables) {
		r = nr_os_error_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	ntables = reachable_tables(s, family, tables);
	r = load_tables_streamed(ns, s, family, ntables ? tables : NULL, ntables, err);
out:
	free(tables);
	return r;
}
