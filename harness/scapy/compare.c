/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The model against the real Scapy 2.5.0 in one namespace: load the
 * namespace into a stack, build the model, run the bridge with the same
 * destinations in the same order, and compare the lists, the printed
 * tables and every answer. Optionally, each answer is also set against the
 * kernel's (RTM_GETROUTE) and the divergence named.
 */
#include "scapy/scapy_compare.h"
#include "scapy/model_int.h"

#include "netrig/netns.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void v4text(uint32_t a, char *buf, size_t cap)
{
	snprintf(buf, cap, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

static void route4_text(const struct nr_scapy_route4 *r, char *buf, size_t cap)
{
	char net[16], mask[16], gw[16], src[16];

	v4text(r->net, net, sizeof(net));
	v4text(r->mask, mask, sizeof(mask));
	v4text(r->gw, gw, sizeof(gw));
	v4text(r->src, src, sizeof(src));
	snprintf(buf, cap, "(%s, %s, %s, '%s', %s, %u)", net, mask, gw, r->iface, src, r->metric);
}

static void route6_text(const struct nr_scapy_route6 *r, char *buf, size_t cap)
{
	char p[NR_ADDR_STRLEN], nh[NR_ADDR_STRLEN], a[NR_ADDR_STRLEN];
	size_t off;

	off = (size_t)snprintf(buf, cap, "('%s', %u, '%s', '%s', [", nr_scapy__ntop(&r->prefix, p, sizeof(p)),
			       r->plen, nr_scapy__ntop(&r->nh, nh, sizeof(nh)), r->iface);
	for (size_t i = 0; i < r->ncset && off < cap; i++)
		off += (size_t)snprintf(buf + off, cap - off, "%s'%s'", i ? ", " : "",
					nr_scapy__ntop(&r->cset[i], a, sizeof(a)));
	if (off < cap)
		snprintf(buf + off, cap - off, "], %u)", r->metric);
}

static unsigned diff_lists(const struct nr_scapy_model *m, const struct nr_scapy_bridge_result *b,
			   FILE *out)
{
	const struct nr_scapy_route4 *r4;
	const struct nr_scapy_route6 *r6;
	size_t n4 = nr_scapy_model_routes4(m, &r4), n6 = nr_scapy_model_routes6(m, &r6);
	char x[1024], y[1024];
	unsigned diffs = 0;

	for (size_t i = 0; i < n4 || i < b->nroutes4; i++) {
		x[0] = y[0] = '\0';
		if (i < n4)
			route4_text(&r4[i], x, sizeof(x));
		if (i < b->nroutes4)
			route4_text(&b->routes4[i], y, sizeof(y));
		if (strcmp(x, y)) {
			fprintf(out, "conf.route.routes[%zu]: model %s, scapy %s\n", i, x[0] ? x : "-", y[0] ? y : "-");
			diffs++;
		}
	}
	for (size_t i = 0; i < n6 || i < b->nroutes6; i++) {
		x[0] = y[0] = '\0';
		if (i < n6)
			route6_text(&r6[i], x, sizeof(x));
		if (i < b->nroutes6)
			route6_text(&b->routes6[i], y, sizeof(y));
		if (strcmp(x, y)) {
			fprintf(out, "conf.route6.routes[%zu]: model %s, scapy %s\n", i, x[0] ? x : "-", y[0] ? y : "-");
			diffs++;
		}
	}
	if (strcmp(nr_scapy_model_conf_iface(m), b->conf_iface)) {
		fprintf(out, "conf.iface: model %s, scapy %s\n", nr_scapy_model_conf_iface(m), b->conf_iface);
		diffs++;
	}
	return diffs;
}

static unsigned diff_text(const char *what, const char *model, const char *scapy, FILE *out)
{
	if (model && scapy && !strcmp(model, scapy))
		return 0;
	fprintf(out, "%s differs:\n--- model\n%s\n--- scapy\n%s\n", what, model ? model : "(null)",
		scapy ? scapy : "(null)");
	return 1;
}

void nr_scapy_kernel_view(const struct nr_iface_table *t, const struct nr_kroute_answer *ka,
			  struct nr_scapy_kernel *k)
{
	const struct nr_iface *ifc = nr_iface_by_index(t, ka->ifindex);

	memset(k, 0, sizeof(*k));
	k->error = ka->error;
	k->type = ka->type;
	k->table = ka->table;
	if (!ka->error && ifc)
		snprintf(k->dev, sizeof(k->dev), "%s", ifc->name);
	k->gw = ka->gateway;
	k->src = ka->prefsrc;
}

int nr_scapy_compare_netns(const char *nsname, const char *const *dsts, size_t n, bool with_kernel,
			   FILE *out, struct nr_scapy_compare_stats *ret)
{
	struct nr_os_error oe = {0};
	struct nr_netns *ns = NULL;
	struct nr_stack *s = NULL;
	struct nr_scapy_model *m = NULL;
	struct nr_scapy_bridge_result *b = NULL;
	struct nr_kroute *kr = NULL;
	struct nr_scapy_compare_stats st = {0};
	char err[512] = "";
	char *t4 = NULL, *t6 = NULL;
	int r;

	r = nr_netns_open(nsname, &ns, &oe);
	if (r < 0) {
		fprintf(out, "netns %s: %s\n", nsname ? nsname : "(own)", oe.msg);
		goto out;
	}
	s = nr_stack_new();
	if (!s) {
		r = -ENOMEM;
		goto out;
	}
	r = nr_os_load(ns, s, NR_OS_LINKS | NR_OS_ADDRS | NR_OS_ROUTES | NR_OS_RULES, &oe);
	if (r < 0) {
		fprintf(out, "loading %s: %s\n", nsname ? nsname : "(own)", oe.msg);
		goto out;
	}
	r = nr_scapy_model_new(s, &m);
	if (r < 0)
		goto out;
	r = nr_scapy_bridge_run(ns, dsts, n, 300000, &b, err, sizeof(err));
	if (r < 0) {
		fprintf(out, "%s\n", err);
		goto out;
	}
	/* /proc/net/if_inet6's order is the kernel's hash order: take Scapy's. */
	r = nr_scapy_model_set_if_inet6(m, b->if_inet6, b->naddr6);
	if (r < 0)
		goto out;
	st.list_diffs = diff_lists(m, b, out);
	t4 = nr_scapy_format_routes4(m);
	t6 = nr_scapy_format_routes6(m);
	st.list_diffs += diff_text("repr(conf.route)", t4, b->routes4_text, out);
	st.list_diffs += diff_text("repr(conf.route6)", t6, b->routes6_text, out);
	if (with_kernel) {
		r = nr_kroute_open(ns, &kr, &oe);
		if (r < 0) {
			fprintf(out, "RTM_GETROUTE: %s\n", oe.msg);
			goto out;
		}
	}

	for (size_t i = 0; i < n; i++) {
		struct nr_scapy_answer a;
		const struct nr_scapy_bridge_answer *ba = &b->answers[i];
		char x[160], y[160];
		bool v6 = dsts[i] && strchr(dsts[i], ':');

		r = nr_scapy_route(m, dsts[i], &a);
		if (r < 0 || ba->error[0]) {
			/* Both sides must refuse (host names, bad literals). */
			if (!(r < 0 && ba->error[0])) {
				fprintf(out, "route(%s): model %s, scapy %s\n", dsts[i],
					r < 0 ? strerror(-r) : nr_scapy_format_answer(&a, x, sizeof(x)),
					ba->error[0] ? ba->error : nr_scapy_format_answer(&ba->a, y, sizeof(y)));
				st.answer_diffs++;
			}
			continue;
		}
		if (v6)
			st.asked6++;
		else
			st.asked4++;
		nr_scapy_format_answer(&a, x, sizeof(x));
		nr_scapy_format_answer(&ba->a, y, sizeof(y));
		if (strcmp(x, y) || a.no_route != ba->a.no_route) {
			fprintf(out, "route%s(%s): model %s%s, scapy %s%s\n", v6 ? "6" : "", dsts[i], x,
				a.no_route ? " (no route)" : "", y, ba->a.no_route ? " (no route)" : "");
			st.answer_diffs++;
		}
		if (kr) {
			struct nr_route_query q = {0};
			struct nr_kroute_answer ka;
			struct nr_scapy_kernel k;
			const char *why;
			char dtext[256];
			int pr;

			if (v6) {
				pr = nr_scapy__parse6(dsts[i], dtext, sizeof(dtext), &q.dst);
			} else {
				uint32_t h = 0;

				pr = nr_scapy__parse4(dsts[i], &h);
				nr_addr_set_v4(&q.dst, h);
			}
			if (pr < 0)
				continue;
			if (nr_kroute_get(kr, &q, &ka) < 0)
				continue;
			nr_scapy_kernel_view(nr_stack_ifaces_const(s), &ka, &k);
			why = nr_scapy_divergence(m, dsts[i], &k, &ba->a);
			if (why) {
				st.kernel_diffs++;
				if (!strcmp(why, "unexplained divergence"))
					st.unexplained++;
				fprintf(out, "kernel vs scapy %s: %s: %s\n", dsts[i], y, why);
			}
		}
	}
	r = 0;
	if (ret)
		*ret = st;
out:
	free(t4);
	free(t6);
	nr_kroute_close(kr);
	nr_scapy_bridge_result_free(b);
	nr_scapy_model_free(m);
	nr_stack_free(s);
	nr_netns_close(ns);
	return r;
}
