/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * verify's Scapy leg: ask the real Scapy 2.5.0 (the bridge) for every
 * probe destination, set each answer against the kernel's, and count the
 * divergences by cause (scapy/scapy_model.h's classifier). netrig's own
 * model of Scapy is checked on the same answers.
 */
#include "verify/scapy_check.h"
#include "verify/probes.h"

#include "scapy/scapy_compare.h"
#include "scapy/scapy_model.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct cause {
	const char *text;
	size_t count;
	char example[64];
};

struct tally {
	struct cause v[64];
	size_t n;
};

static void tally_add(struct tally *t, const char *why, const char *dst)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->v[i].text, why)) {
			t->v[i].count++;
			return;
		}
	if (t->n < sizeof(t->v) / sizeof(t->v[0])) {
		t->v[t->n].text = why;
		t->v[t->n].count = 1;
		snprintf(t->v[t->n].example, sizeof(t->v[t->n].example), "%s", dst);
		t->n++;
	}
}

static int cause_cmp(const void *a, const void *b)
{
	const struct cause *x = a, *y = b;

	return x->count < y->count ? 1 : x->count > y->count ? -1 : strcmp(x->text, y->text);
}

/* Destinations of both families, as text, each once. */
static int collect_dsts(const struct nr_stack *s, unsigned nrandom, unsigned long long seed,
			char ***ret_txt, struct nr_route_query **ret_q, size_t *ret_n)
{
	static const int fams[] = {AF_INET, AF_INET6};
	struct nr_route_query *q = NULL;
	char **txt = NULL;
	size_t n = 0;
	int r = 0;

	for (int f = 0; f < 2; f++) {
		struct nr_probe_set p = {0};

		r = nr_probes_build(s, fams[f], nrandom, seed, &p);
		if (r < 0)
			goto fail;
		for (size_t i = 0; i < p.n; i++) {
			char buf[NR_ADDR_STRLEN];
			void *nt, *nq;

			/* Scapy's route() takes only a destination. */
			if (p.q[i].src.family != AF_UNSPEC || p.q[i].mark || p.q[i].tos)
				continue;
			if (n && nr_addr_eq(&q[n - 1].dst, &p.q[i].dst))
				continue;
			nt = realloc(txt, (n + 1) * sizeof(*txt));
			if (nt)
				txt = nt;
			nq = realloc(q, (n + 1) * sizeof(*q));
			if (nq)
				q = nq;
			if (!nt || !nq || !(txt[n] = strdup(nr_addr_format(&p.q[i].dst, buf, sizeof(buf))))) {
				nr_probes_done(&p);
				r = -ENOMEM;
				goto fail;
			}
			memset(&q[n], 0, sizeof(q[n]));
			q[n].dst = p.q[i].dst;
			n++;
		}
		nr_probes_done(&p);
	}
	*ret_txt = txt;
	*ret_q = q;
	*ret_n = n;
	return 0;
fail:
	for (size_t i = 0; i < n; i++)
		free(txt[i]);
	free(txt);
	free(q);
	return r;
}

int nr_verify_scapy(struct nr_netns *ns, const struct nr_stack *s, unsigned nrandom,
		    unsigned long long seed, unsigned max_report, FILE *out, json_t *jout)
{
	struct nr_scapy_bridge_result *b = NULL;
	struct nr_scapy_model *m = NULL;
	struct nr_kroute_answer *ka = NULL;
	struct nr_kroute *kr = NULL;
	struct nr_route_query *q = NULL;
	struct nr_os_error oe = {0};
	struct tally causes = {0};
	char **dst = NULL;
	size_t n = 0, agree = 0, model_diff = 0, reported = 0;
	json_t *jc, *jm;
	char err[512] = "";
	int r;

	r = collect_dsts(s, nrandom, seed, &dst, &q, &n);
	if (r < 0)
		goto out;
	r = nr_scapy_bridge_run(ns, (const char *const *)dst, n, 600000, &b, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "netrig: scapy: %s\n", err);
		goto out;
	}
	r = nr_scapy_model_new(s, &m);
	if (r == 0)
		r = nr_scapy_model_set_if_inet6(m, b->if_inet6, b->naddr6);
	if (r == 0)
		r = nr_kroute_open(ns, &kr, &oe);
	if (r < 0)
		goto out;
	ka = calloc(n ? n : 1, sizeof(*ka));
	if (!ka) {
		r = -ENOMEM;
		goto out;
	}
	r = nr_kroute_get_many(kr, q, n, ka);
	if (r < 0)
		goto out;
	jm = json_array();
	json_object_set_new(jout, "model_differences", jm);
	for (size_t i = 0; i < n && i < b->nanswers; i++) {
		const struct nr_scapy_answer *real = &b->answers[i].a;
		struct nr_scapy_answer mine;
		struct nr_scapy_kernel k;
		const char *why;
		char x[160], y[160];

		if (b->answers[i].error[0])
			continue;
		nr_scapy_kernel_view(nr_stack_ifaces_const(s), &ka[i], &k);
		why = nr_scapy_divergence(m, dst[i], &k, real);
		if (why)
			tally_add(&causes, why, dst[i]);
		else
			agree++;
		/* netrig's model must say what the real Scapy said. */
		if (nr_scapy_route(m, dst[i], &mine) < 0)
			memset(&mine, 0, sizeof(mine));
		nr_scapy_format_answer(&mine, x, sizeof(x));
		nr_scapy_format_answer(real, y, sizeof(y));
		if (strcmp(x, y) || mine.no_route != real->no_route) {
			model_diff++;
			if (reported++ < max_report) {
				if (out)
					fprintf(out, "  model differs: route(%s): netrig's model %s, scapy %s\n",
						dst[i], x, y);
				json_array_append_new(jm, json_pack("{s:s,s:s,s:s}", "dst", dst[i],
								    "model", x, "scapy", y));
			}
		}
	}
	qsort(causes.v, causes.n, sizeof(causes.v[0]), cause_cmp);
	jc = json_array();
	for (size_t i = 0; i < causes.n; i++)
		json_array_append_new(jc, json_pack("{s:s,s:I,s:s}", "cause", causes.v[i].text,
						    "count", (json_int_t)causes.v[i].count,
						    "example", causes.v[i].example));
	json_object_set_new(jout, "version", json_string(b->version));
	json_object_set_new(jout, "asked", json_integer((json_int_t)n));
	json_object_set_new(jout, "agree_with_kernel", json_integer((json_int_t)agree));
	json_object_set_new(jout, "divergences", jc);
	json_object_set_new(jout, "model_equals_scapy",
			    json_integer((json_int_t)(n - model_diff)));
	if (out) {
		printf("scapy %s: %zu destinations, %zu answered as the kernel does; divergences by cause:\n",
		       b->version, n, agree);
		for (size_t i = 0; i < causes.n; i++)
			printf("  %6zu  %s (e.g. %s)\n", causes.v[i].count, causes.v[i].text,
			       causes.v[i].example);
		printf("scapy model: netrig's model of Scapy gave Scapy's own answer for %zu of %zu\n",
		       n - model_diff, n);
	}
	r = 0;
out:
	if (r < 0 && !err[0])
		fprintf(stderr, "netrig: scapy: %s\n", oe.msg[0] ? oe.msg : strerror(-r));
	for (size_t i = 0; i < n; i++)
		free(dst[i]);
	free(dst);
	free(q);
	free(ka);
	nr_kroute_close(kr);
	nr_scapy_model_free(m);
	nr_scapy_bridge_result_free(b);
	return r;
}
