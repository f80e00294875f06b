/* SPDX-License-Identifier: BSD-2-Clause */
#include "output/view.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

const struct nr_iface *nr_view_iface(const struct nr_view *v, int index)
{
	size_t lo = 0, hi = v->nifaces;

	/* Binary search: the batch path asks once per destination. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int mi = v->ifaces[mid]->index;

		if (mi == index)
			return v->ifaces[mid];
		if (mi < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const char *nr_view_ifname(const struct nr_view *v, int index, char *buf, size_t cap)
{
	const struct nr_iface *ifc = nr_view_iface(v, index);

	if (ifc)
		return ifc->name;
	snprintf(buf, cap, "%d", index);
	return buf;
}

struct collect {
	const struct nr_route **routes;
	size_t n, cap;
};

static int collect_route(const struct nr_route *r, void *arg)
{
	struct collect *c = arg;

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		const struct nr_route **n = realloc(c->routes, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		c->routes = n;
		c->cap = cap;
	}
	c->routes[c->n++] = r;
	return 0;
}

int nr_view_from_stack(struct nr_view *v, const struct nr_stack *s, int family)
{
	const struct nr_iface_table *it = nr_stack_ifaces_const(s);
	const struct nr_iface **ifaces = NULL;
	const struct nr_rule **rules = NULL;
	const struct nr_neigh_entry **neigh = NULL;
	const struct nr_neigh_cache *nc = nr_stack_neigh_const(s);
	struct collect c = {0};
	size_t ni = nr_iface_count(it), nrules = 0, nn = nc ? nr_neigh_count(nc) : 0;
	int r = -ENOMEM;

	ifaces = calloc(ni ? ni : 1, sizeof(*ifaces));
	if (!ifaces)
		goto out;
	for (size_t i = 0; i < ni; i++)
		ifaces[i] = nr_iface_at(it, i);
	neigh = calloc(nn ? nn : 1, sizeof(*neigh));
	if (!neigh)
		goto out;
	for (size_t i = 0; i < nn; i++)
		neigh[i] = nr_neigh_at(nc, i);
	if (family == AF_INET || family == AF_INET6) {
		r = nr_stack_route_walk(s, family, collect_route, &c);
		if (r < 0)
			goto out;
		nrules = nr_stack_rule_count(s, family);
		rules = calloc(nrules ? nrules : 1, sizeof(*rules));
		r = -ENOMEM;
		if (!rules)
			goto out;
		for (size_t i = 0; i < nrules; i++)
			rules[i] = nr_stack_rule_at(s, family, i);
	}
	*v = (struct nr_view){
	    .ifaces = ifaces,
	    .nifaces = ni,
	    .routes = c.routes,
	    .nroutes = c.n,
	    .rules = rules,
	    .nrules = nrules,
	    .neigh = neigh,
	    .nneigh = nn,
	};
	return 0;
out:
	free(ifaces);
	free(rules);
	free(neigh);
	free(c.routes);
	return r;
}

void nr_view_done(struct nr_view *v)
{
	if (!v)
		return;
	free((void *)v->ifaces);
	free((void *)v->routes);
	free((void *)v->rules);
	free((void *)v->neigh);
	*v = (struct nr_view){0};
}
