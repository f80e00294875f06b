/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * netrig verify [--netns NS] [--against os,scapy] [--probes N] [--seed N]
 *               [--json] [--max-report N]
 *
 * 1. tables: the stack loaded from the namespace against a fresh raw dump
 *    of the kernel's routes (every table, both families): identical sets.
 * 2. decisions: for every probe (verify/probes.h) netrig's route get
 *    against the kernel's RTM_GETROUTE; ECMP accepts any listed nexthop.
 * 3. scapy: Scapy 2.5.0's answers (the real one, inside the namespace)
 *    against the kernel's, each divergence classified by its cause.
 * Exit 0 iff netrig equals the kernel on the tables and every probe.
 */
#include "cli.h"
#include "verify/compare.h"
#include "verify/probes.h"
#include "verify/scapy_check.h"

#include "netrig/netns.h"
#include "netrig/stack.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct verify_opts {
	const char *netns;
	bool against_os, against_scapy, json;
	unsigned probes;
	unsigned long long seed;
	unsigned max_report;
};

struct keylist {
	char **k;
	size_t n, cap;
};

static int keylist_push(struct keylist *l, const char *s)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		char **nk = realloc(l->k, cap * sizeof(*nk));

		if (!nk)
			return -ENOMEM;
		l->k = nk;
		l->cap = cap;
	}
	if (!(l->k[l->n] = strdup(s)))
		return -ENOMEM;
	l->n++;
	return 0;
}

static void keylist_free(struct keylist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->k[i]);
	free(l->k);
}

static int strp_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int collect_key(const struct nr_route *r, void *arg)
{
	char buf[1024];

	return keylist_push(arg, nr_verify_route_key(r, buf, sizeof(buf))) < 0;
}

/* Lines only in a (prefix "-") or only in b ("+"), into diffs. */
static size_t diff_sorted(struct keylist *a, struct keylist *b, json_t *diffs, FILE *out,
			  unsigned max_report)
{
	size_t i = 0, j = 0, ndiff = 0;

	qsort(a->k, a->n, sizeof(char *), strp_cmp);
	qsort(b->k, b->n, sizeof(char *), strp_cmp);
	while (i < a->n || j < b->n) {
		int c = i == a->n ? 1 : j == b->n ? -1 : strcmp(a->k[i], b->k[j]);
		const char *line;
		const char *side;

		if (c == 0) {
			i++;
			j++;
			continue;
		}
		side = c < 0 ? "kernel only" : "netrig only";
		line = c < 0 ? a->k[i++] : b->k[j++];
		if (ndiff++ < max_report) {
			if (out)
				fprintf(out, "  %s: %s\n", side, line);
			if (diffs)
				json_array_append_new(diffs, json_pack("{s:s,s:s}", "side", side,
								       "route", line));
		}
	}
	return ndiff;
}

/* Step 1: the stack's routes against a fresh dump. */
static int check_tables(struct nr_netns *ns, const struct nr_stack *s, int family, json_t *jout,
			FILE *out, unsigned max_report, size_t *ret_count, size_t *ret_diff)
{
	struct keylist kernel = {0}, mine = {0};
	struct nr_os_error err = {0};
	json_t *diffs = jout ? json_array() : NULL;
	int r;

	r = nr_os_dump_routes(ns, family, collect_key, &kernel, &err);
	if (r < 0) {
		nr_cli_error(NR_EXIT_ENV, "dumping the kernel's routes: %s", err.msg);
		goto out;
	}
	nr_stack_route_walk(s, family, collect_key, &mine);
	*ret_count = kernel.n;
	*ret_diff = diff_sorted(&kernel, &mine, diffs, out, max_report);
	if (jout)
		json_object_set_new(jout, "differences", diffs);
	diffs = NULL;
out:
	json_decref(diffs);
	keylist_free(&kernel);
	keylist_free(&mine);
	return r;
}

struct family_result {
	size_t probes, agree;
};

/* Step 2: every probe through netrig and through the kernel. */
static int check_decisions(struct nr_kroute *k, const struct nr_stack *s,
			   const struct nr_probe_set *p, json_t *jmis, FILE *out,
			   unsigned max_report, struct family_result *res, size_t *nreported)
{
	const struct nr_iface_table *t = nr_stack_ifaces_const(s);
	struct nr_kroute_answer *ka = calloc(p->n ? p->n : 1, sizeof(*ka));
	int r;

	if (!ka)
		return -ENOMEM;
	r = nr_kroute_get_many(k, p->q, p->n, ka);
	if (r < 0) {
		nr_cli_error(NR_EXIT_ENV, "asking the kernel: %s", strerror(-r));
		goto out;
	}
	res->probes = p->n;
	for (size_t i = 0; i < p->n; i++) {
		struct nr_route_result nres;
		const char *what;
		char q[160], kb[256], nb[512], wb[256];

		r = nr_stack_route_get(s, &p->q[i], &nres);
		if (r < 0) {
			memset(&nres, 0, sizeof(nres));
			nres.error = r;
		}
		if (nr_verify_same(&p->q[i], &ka[i], &nres, &what)) {
			res->agree++;
			continue;
		}
		if ((*nreported)++ >= max_report)
			continue;
		nr_verify_fmt_query(&p->q[i], q, sizeof(q));
		nr_verify_fmt_kernel(t, &p->q[i], &ka[i], kb, sizeof(kb));
		nr_verify_fmt_netrig(t, &p->q[i], &nres, nb, sizeof(nb));
		nr_verify_fmt_why(&nres, wb, sizeof(wb));
		if (out)
			fprintf(out,
				"MISMATCH (%s) route get %s\n  kernel: %s\n  netrig: %s\n"
				"  netrig's reasons: %s\n",
				what, q, kb, nb, wb);
		if (jmis)
			json_array_append_new(jmis, json_pack("{s:s,s:s,s:s,s:s,s:s}", "query", q,
							      "field", what, "kernel", kb,
							      "netrig", nb, "why", wb));
	}
	r = 0;
out:
	free(ka);
	return r;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: netrig verify [--netns NS] [--against os,scapy] [--probes N] [--seed N]\n"
		   "                     [--json] [--max-report N]\n"
		   "\n"
		   "Check netrig's stack against the kernel (and Scapy) in a namespace:\n"
		   "  tables     the loaded routes equal a fresh dump of every table\n"
		   "  decisions  route get on every prefix's first/middle/last address, special\n"
		   "             addresses, N random ones (default 1000) and source/mark variants\n"
		   "  scapy      Scapy 2.5.0 (/usr/bin/python3) asked the same, each divergence\n"
		   "             from the kernel named by its cause (informational)\n"
		   "Exit 0 iff netrig equals the kernel everywhere; 1 on a mismatch;\n"
		   "2 usage; 3 environment (namespace, privileges, Scapy missing).\n");
}

static int parse_args(int argc, char **argv, struct verify_opts *o)
{
	static const struct option longopts[] = {
		{"netns", required_argument, NULL, 'n'}, {"against", required_argument, NULL, 'a'},
		{"probes", required_argument, NULL, 'p'}, {"seed", required_argument, NULL, 's'},
		{"json", no_argument, NULL, 'j'},         {"max-report", required_argument, NULL, 'm'},
		{"help", no_argument, NULL, 'h'},         {0},
	};
	int c;

	o->against_os = true;
	o->probes = 1000;
	o->seed = 1;
	o->max_report = 20;
	optind = 1;
	while ((c = getopt_long(argc, argv, "n:a:p:s:jm:h", longopts, NULL)) != -1) {
		char *end, *list, *tok, *save = NULL;
		unsigned long v;

		switch (c) {
		case 'n':
			o->netns = optarg;
			break;
		case 'a':
			o->against_os = o->against_scapy = false;
			list = strdup(optarg);
			if (!list)
				return nr_cli_error(NR_EXIT_ENV, "out of memory");
			for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
				if (!strcmp(tok, "os")) {
					o->against_os = true;
				} else if (!strcmp(tok, "scapy")) {
					o->against_scapy = true;
				} else {
					nr_cli_error(NR_EXIT_USAGE,
						     "--against: unknown peer '%s' (expected os, scapy)",
						     tok);
					free(list);
					return NR_EXIT_USAGE;
				}
			}
			free(list);
			break;
		case 'p':
		case 'm':
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || *end || optarg[0] == '-' || v > 10000000)
				return nr_cli_error(NR_EXIT_USAGE, "--%s: '%s' is not a count",
						    c == 'p' ? "probes" : "max-report", optarg);
			if (c == 'p')
				o->probes = (unsigned)v;
			else
				o->max_report = (unsigned)v;
			break;
		case 's':
			errno = 0;
			o->seed = strtoull(optarg, &end, 10);
			if (errno || *end || optarg[0] == '-')
				return nr_cli_error(NR_EXIT_USAGE, "--seed: '%s' is not a number",
						    optarg);
			break;
		case 'j':
			o->json = true;
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			usage(stderr);
			return NR_EXIT_USAGE;
		}
	}
	if (optind != argc)
		return nr_cli_error(NR_EXIT_USAGE, "verify: unexpected argument '%s'", argv[optind]);
	return 0;
}

int nr_cmd_verify(int argc, char **argv)
{
	static const int families[] = {AF_INET, AF_INET6};
	static const char *const famname[] = {"ipv4", "ipv6"};
	struct verify_opts o = {0};
	struct nr_os_error err = {0};
	struct nr_netns *ns = NULL;
	struct nr_stack *s = NULL;
	struct nr_kroute *k = NULL;
	json_t *jroot = NULL;
	FILE *out;
	bool ok = true;
	int rc, r;

	rc = parse_args(argc, argv, &o);
	if (rc == -1)
		return NR_EXIT_OK;
	if (rc)
		return rc;
	out = o.json ? NULL : stdout;
	jroot = json_object();
	r = nr_netns_open(o.netns, &ns, &err);
	if (r < 0) {
		rc = nr_cli_error(nr_cli_exit_for(r), "%s", err.msg);
		goto out;
	}
	s = nr_stack_new();
	if (!s) {
		rc = nr_cli_error(nr_cli_exit_for(-ENOMEM), "out of memory");
		goto out;
	}
	r = nr_os_load(ns, s, NR_OS_LINKS | NR_OS_ADDRS | NR_OS_ROUTES | NR_OS_RULES, &err);
	if (r < 0) {
		rc = nr_cli_error(nr_cli_exit_for(r), "loading the tables: %s", err.msg);
		goto out;
	}
	json_object_set_new(jroot, "netns", json_string(o.netns ? o.netns : ""));
	if (out)
		printf("netrig verify: namespace %s\n", o.netns ? o.netns : "(own)");

	if (o.against_os) {
		json_t *jt = json_object(), *jd = json_object(), *jmis = json_array();
		size_t nreported = 0;

		json_object_set_new(jroot, "tables", jt);
		json_object_set_new(jroot, "decisions", jd);
		json_object_set_new(jroot, "mismatches", jmis);
		for (int f = 0; f < 2; f++) {
			json_t *jf = json_object();
			size_t count = 0, ndiff = 0;

			json_object_set_new(jt, famname[f], jf);
			r = check_tables(ns, s, families[f], o.json ? jf : NULL, out, o.max_report,
					 &count, &ndiff);
			if (r < 0) {
				rc = nr_cli_exit_for(r);
				goto out;
			}
			json_object_set_new(jf, "routes", json_integer((json_int_t)count));
			json_object_set_new(jf, "identical", json_boolean(ndiff == 0));
			if (out)
				printf("tables %s: %zu routes, %s\n", famname[f], count,
				       ndiff ? "DIFFERENT from the kernel's dump" : "identical to the kernel's dump");
			if (ndiff)
				ok = false;
		}
		r = nr_kroute_open(ns, &k, &err);
		if (r < 0) {
			rc = nr_cli_error(nr_cli_exit_for(r), "%s", err.msg);
			goto out;
		}
		for (int f = 0; f < 2; f++) {
			struct nr_probe_set p = {0};
			struct family_result fr = {0};

			r = nr_probes_build(s, families[f], o.probes, o.seed, &p);
			if (r == 0)
				r = check_decisions(k, s, &p, jmis, out, o.max_report, &fr,
						    &nreported);
			nr_probes_done(&p);
			if (r < 0) {
				rc = nr_cli_exit_for(r);
				goto out;
			}
			json_object_set_new(jd, famname[f],
					    json_pack("{s:I,s:I}", "probes", (json_int_t)fr.probes,
						      "agree", (json_int_t)fr.agree));
			if (out)
				printf("route get %s: %zu probes, %zu agree with the kernel\n",
				       famname[f], fr.probes, fr.agree);
			if (fr.agree != fr.probes)
				ok = false;
		}
		if (out && nreported > o.max_report)
			printf("(%zu more mismatches not shown; --max-report N)\n",
			       nreported - o.max_report);
	}
	if (o.against_scapy) {
		json_t *jsc = json_object();

		json_object_set_new(jroot, "scapy", jsc);
		r = nr_verify_scapy(ns, s, o.probes, o.seed, o.max_report, out, jsc);
		if (r < 0) {
			rc = nr_cli_exit_for(r);
			goto out;
		}
	}
	json_object_set_new(jroot, "ok", json_boolean(ok));
	if (o.json) {
		json_dumpf(jroot, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII);
		fputc('\n', stdout);
	} else {
		printf("result: %s\n", !o.against_os ? "kernel comparison not asked for (--against os)"
				       : ok ? "netrig agrees with the kernel everywhere"
					    : "netrig DIFFERS from the kernel (see above)");
	}
	rc = ok ? NR_EXIT_OK : NR_EXIT_FAIL;
out:
	json_decref(jroot);
	nr_kroute_close(k);
	nr_stack_free(s);
	nr_netns_close(ns);
	return rc;
}
