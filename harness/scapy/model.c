/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The Scapy model's lifecycle, conf.iface, the in6_getifaddr() list and
 * CPython's sort. IPv4 is in model4.c, IPv6 in model6.c.
 */
#include "scapy/model_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

const char *nr_scapy__ntop(const struct nr_addr *a, char *buf, size_t cap)
{
	int af = a->family == AF_INET6 ? AF_INET6 : AF_INET;

	if (!inet_ntop(af, a->bytes, buf, (socklen_t)cap) && cap > 0)
		buf[0] = '\0';
	return buf;
}

static void reverse(struct nr_addr *v, size_t n)
{
	for (size_t i = 0, j = n; i + 1 < j; i++, j--) {
		struct nr_addr t = v[i];

		v[i] = v[j - 1];
		v[j - 1] = t;
	}
}

/* listobject.c count_run(): length of the run at the start, and whether it descends. */
static size_t count_run(const struct nr_addr *v, size_t n, nr_scapy_lt_fn lt, void *ctx,
			bool *descending)
{
	size_t k = 2;

	*descending = false;
	if (n == 1)
		return 1;
	if (lt(&v[1], &v[0], ctx)) {
		*descending = true;
		while (k < n && lt(&v[k], &v[k - 1], ctx))
			k++;
	} else {
		while (k < n && !lt(&v[k], &v[k - 1], ctx))
			k++;
	}
	return k;
}

/* listobject.c binarysort(): [0, start) is sorted; insert the rest one by one. */
static void binarysort(struct nr_addr *v, size_t n, size_t start, nr_scapy_lt_fn lt, void *ctx)
{
	if (start == 0)
		start = 1;
	for (; start < n; start++) {
		size_t l = 0, r = start;
		struct nr_addr pivot = v[start];

		do {
			size_t p = l + ((r - l) >> 1);

			if (lt(&pivot, &v[p], ctx))
				r = p;
			else
				l = p + 1;
		} while (l < r);
		memmove(&v[l + 1], &v[l], (start - l) * sizeof(*v));
		v[l] = pivot;
	}
}

void nr_scapy__pysort(struct nr_addr *v, size_t n, nr_scapy_lt_fn lt, void *ctx, bool reverse_)
{
	bool desc;
	size_t run;

	if (reverse_)
		reverse(v, n);
	if (n >= 2) {
		run = count_run(v, n, lt, ctx, &desc);
		if (desc)
			reverse(v, run);
		if (run < n)
			binarysort(v, n, run, lt, ctx);
	}
	if (reverse_ && n > 1)
		reverse(v, n);
}

unsigned nr_scapy_kernel_scope6(const struct nr_addr *a)
{
	const uint8_t *b = a->bytes;
	static const uint8_t zero[12];

	/* __ipv6_addr_type() & IPV6_ADDR_SCOPE_MASK, for unicast addresses. */
	if ((b[0] & 0xe0) != 0x00 && (b[0] & 0xe0) != 0xe0)
		return SC6_GLOBAL;
	if (b[0] == 0xff) {
		switch (b[1] & 0x0f) {
		case 0x1:
			return SC6_LOOPBACK;
		case 0x2:
			return SC6_LINKLOCAL;
		case 0x5:
			return SC6_SITELOCAL;
		default:
			return SC6_GLOBAL;
		}
	}
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
		return SC6_LINKLOCAL;
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0)
		return SC6_SITELOCAL;
	if (!memcmp(b, zero, 12)) {
		static const uint8_t one[4] = {0, 0, 0, 1};

		if (!memcmp(b + 12, one, 4))
			return SC6_LOOPBACK;
		if (b[12] | b[13] | b[14] | b[15])
			return 0x80; /* IPV6_ADDR_COMPATv4 */
	}
	return SC6_GLOBAL;
}

/* in6_getifaddr() as far as the tables tell: interfaces by index, addresses in table order. */
struct proc_collect {
	bool (*keep)(const struct nr_route *r);
	const struct nr_route **v;
	size_t n, cap;
	int err;
};

static int proc_collect(const struct nr_route *r, void *arg)
{
	struct proc_collect *c = arg;

	if (c->keep && !c->keep(r))
		return 0;
	if (c->n == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 64;
		const struct nr_route **nv = realloc(c->v, ncap * sizeof(*nv));

		if (!nv) {
			c->err = -ENOMEM;
			return 1;
		}
		c->v = nv;
		c->cap = ncap;
	}
	c->v[c->n++] = r;
	return 0;
}

struct idx_route {
	const struct nr_route *r;
	size_t i;
};

static int idx_cmp(const void *pa, const void *pb, void *arg)
{
	int (*cmp)(const struct nr_route *, const struct nr_route *) =
	    *(int (**)(const struct nr_route *, const struct nr_route *))arg;
	const struct idx_route *a = pa, *b = pb;
	int c = cmp(a->r, b->r);

	if (c)
		return c;
	return a->i < b->i ? -1 : a->i > b->i;
}

int nr_scapy__proc_order(const struct nr_stack *s, int family,
			 bool (*keep)(const struct nr_route *r),
			 int (*cmp)(const struct nr_route *a, const struct nr_route *b),
			 const struct nr_route ***ret, size_t *ret_n)
{
	struct proc_collect c = {.keep = keep};
	struct idx_route *order;
	int r;

	*ret = NULL;
	*ret_n = 0;
	r = nr_stack_route_walk(s, family, proc_collect, &c);
	if (c.err < 0 || r < 0) {
		free(c.v);
		return c.err < 0 ? c.err : r;
	}
	order = calloc(c.n ? c.n : 1, sizeof(*order));
	if (!order) {
		free(c.v);
		return -ENOMEM;
	}
	for (size_t i = 0; i < c.n; i++)
		order[i] = (struct idx_route){c.v[i], i};
	/* qsort is not stable: the walk's index breaks ties. */
	qsort_r(order, c.n, sizeof(*order), idx_cmp, &cmp);
	for (size_t i = 0; i < c.n; i++)
		c.v[i] = order[i].r;
	free(order);
	*ret = c.v;
	*ret_n = c.n;
	return 0;
}

static int default_if6(struct nr_scapy_model *m)
{
	size_t n = 0, k = 0;
	const struct nr_iface *ifc;

	for (size_t i = 0; (ifc = nr_iface_at(m->ift, i)); i++)
		for (size_t j = 0; j < ifc->naddrs; j++)
			n += ifc->addrs[j].local.addr.family == AF_INET6;
	m->if6 = calloc(n ? n : 1, sizeof(*m->if6));
	if (!m->if6)
		return -ENOMEM;
	for (size_t i = 0; (ifc = nr_iface_at(m->ift, i)); i++)
		for (size_t j = 0; j < ifc->naddrs; j++) {
			const struct nr_addr *a = &ifc->addrs[j].local.addr;

			if (a->family != AF_INET6)
				continue;
			m->if6[k].addr = *a;
			m->if6[k].scope = nr_scapy_kernel_scope6(a);
			snprintf(m->if6[k].ifname, sizeof(m->if6[k].ifname), "%s", ifc->name);
			k++;
		}
	m->nif6 = n;
	return 0;
}

static bool iface_valid(const struct nr_scapy_model *m, const char *name)
{
	const struct nr_iface *ifc = nr_iface_by_name(m->ift, name);

	return ifc && (ifc->flags & IFF_UP);
}

/* interfaces.py get_working_if(): routes by mask ascending (stable), then every interface. */
static void working_if(struct nr_scapy_model *m)
{
	const struct nr_iface *ifc;
	uint64_t best_mask = UINT64_MAX;
	const char *best = NULL;

	/* The first valid entry of a stable sort by mask = the valid entry with
	 * the smallest mask, earliest on ties. */
	for (size_t i = 0; i < m->n4; i++) {
		if (m->r4[i].mask < best_mask && iface_valid(m, m->r4[i].iface)) {
			best_mask = m->r4[i].mask;
			best = m->r4[i].iface;
		}
	}
	for (size_t i = 0; !best && (ifc = nr_iface_at(m->ift, i)); i++)
		if (ifc->flags & IFF_UP)
			best = ifc->name;
	snprintf(m->conf_iface, sizeof(m->conf_iface), "%s", best ? best : "lo");
}

int nr_scapy_model_new(const struct nr_stack *s, struct nr_scapy_model **ret)
{
	struct nr_scapy_model *m;
	int r;

	if (!s || !ret)
		return -EINVAL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->s = s;
	m->ift = nr_stack_ifaces_const(s);
	m->st = calloc(1, sizeof(*m->st));
	if (!m->st) {
		r = -ENOMEM;
		goto fail;
	}
	r = nr_scapy__build4(m);
	if (r < 0)
		goto fail;
	working_if(m);
	r = default_if6(m);
	if (r < 0)
		goto fail;
	r = nr_scapy__build6(m);
	if (r < 0)
		goto fail;
	*ret = m;
	return 0;
fail:
	nr_scapy_model_free(m);
	return r;
}

void nr_scapy_model_free(struct nr_scapy_model *m)
{
	if (!m)
		return;
	if (m->st)
		nr_scapy__cache_clear(m);
	nr_scapy__free6(m);
	free(m->st);
	free(m->if6);
	free(m->r4);
	free(m);
}

int nr_scapy_model_set_if_inet6(struct nr_scapy_model *m, const struct nr_scapy_addr6 *a, size_t n)
{
	struct nr_scapy_addr6 *copy;

	if (!m || (n && !a))
		return -EINVAL;
	copy = calloc(n ? n : 1, sizeof(*copy));
	if (!copy)
		return -ENOMEM;
	if (n)
		memcpy(copy, a, n * sizeof(*copy));
	free(m->if6);
	m->if6 = copy;
	m->nif6 = n;
	nr_scapy__cache_clear(m);
	nr_scapy__free6(m);
	return nr_scapy__build6(m);
}

size_t nr_scapy_model_routes4(const struct nr_scapy_model *m, const struct nr_scapy_route4 **ret)
{
	*ret = m->r4;
	return m->n4;
}

size_t nr_scapy_model_routes6(const struct nr_scapy_model *m, const struct nr_scapy_route6 **ret)
{
	*ret = m->r6;
	return m->n6;
}

const char *nr_scapy_model_conf_iface(const struct nr_scapy_model *m)
{
	return m->conf_iface;
}

int nr_scapy_route(const struct nr_scapy_model *m, const char *dst, struct nr_scapy_answer *ret)
{
	if (!m || !ret)
		return -EINVAL;
	if (dst && strchr(dst, ':'))
		return nr_scapy__route6(m, dst, ret, NULL);
	return nr_scapy__route4(m, dst, ret, NULL);
}
