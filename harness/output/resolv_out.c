/* SPDX-License-Identifier: BSD-2-Clause */
#include "output/resolv_out.h"
#include "output/jsonl.h"

#include <errno.h>
#include <stdlib.h>

static const struct {
	uint32_t flag;
	const char *name;
} opt_names[] = {
    {NR_RESOLV_OPT_ROTATE, "rotate"},
    {NR_RESOLV_OPT_EDNS0, "edns0"},
    {NR_RESOLV_OPT_SINGLE_REQUEST, "single-request"},
    {NR_RESOLV_OPT_SINGLE_REQUEST_REOPEN, "single-request-reopen"},
    {NR_RESOLV_OPT_NO_TLD_QUERY, "no-tld-query"},
    {NR_RESOLV_OPT_USE_VC, "use-vc"},
    {NR_RESOLV_OPT_TRUST_AD, "trust-ad"},
    {NR_RESOLV_OPT_NO_RELOAD, "no-reload"},
    {NR_RESOLV_OPT_NO_AAAA, "no-aaaa"},
    {NR_RESOLV_OPT_INET6, "inet6"},
};

#define NOPTS (sizeof(opt_names) / sizeof(opt_names[0]))

int nr_print_resolv(FILE *f, const struct nr_resolv *r)
{
	const struct nr_resolv_options *o = nr_resolv_options(r);
	char a[NR_ADDR_STRLEN], m[NR_ADDR_STRLEN];
	size_t n;

	for (size_t i = 0; i < nr_resolv_nameserver_count(r); i++) {
		const struct nr_resolv_nameserver *ns = nr_resolv_nameserver_at(r, i);

		fprintf(f, "nameserver %s%s%s%s\n", nr_addr_format(&ns->addr, a, sizeof(a)),
			ns->zone[0] ? "%" : "", ns->zone,
			ns->used ? "" : "  # not used: glibc queries the first 3");
	}
	n = nr_resolv_search_count(r);
	if (n) {
		fputs(nr_resolv_search_is_domain(r) ? "domain" : "search", f);
		for (size_t i = 0; i < n; i++)
			fprintf(f, " %s", nr_resolv_search_at(r, i));
		fputc('\n', f);
	}
	n = nr_resolv_sortlist_count(r);
	if (n) {
		fputs("sortlist", f);
		for (size_t i = 0; i < n; i++) {
			const struct nr_resolv_sort *s = nr_resolv_sortlist_at(r, i);

			fprintf(f, " %s/%s", nr_addr_format(&s->addr, a, sizeof(a)),
				nr_addr_format(&s->mask, m, sizeof(m)));
		}
		fputc('\n', f);
	}
	/* Every effective value, defaults included: this is what glibc will use. */
	fprintf(f, "options ndots:%u timeout:%u attempts:%u", o->ndots, o->timeout, o->attempts);
	for (size_t i = 0; i < NOPTS; i++)
		if (o->flags & opt_names[i].flag)
			fprintf(f, " %s", opt_names[i].name);
	fputc('\n', f);
	for (size_t i = 0; i < nr_resolv_warning_count(r); i++) {
		const struct nr_resolv_warning *w = nr_resolv_warning_at(r, i);

		fprintf(f, "# line %u: %s%s\n", w->line, w->msg,
			w->rejected ? " (line ignored)" : "");
	}
	if (nr_resolv_warnings_dropped(r))
		fprintf(f, "# ... and %zu more warnings\n", nr_resolv_warnings_dropped(r));
	return ferror(f) ? -EIO : 0;
}

static json_t *jtext(const char *s)
{
	json_t *j = json_string(s);
	char *clean;

	if (j)
		return j;
	clean = nr_utf8_sanitize(s);
	j = clean ? json_string(clean) : NULL;
	free(clean);
	return j;
}

static void set(json_t *o, const char *key, json_t *v)
{
	if (v)
		json_object_set_new(o, key, v);
}

json_t *nr_json_resolv(const struct nr_resolv *r)
{
	const struct nr_resolv_options *o = nr_resolv_options(r);
	json_t *root = json_object(), *ns = json_array(), *search = json_array(),
	       *sort = json_array(), *opts = json_object(), *warn = json_array();
	char a[NR_ADDR_STRLEN];

	if (!root || !ns || !search || !sort || !opts || !warn) {
		json_decref(root);
		json_decref(ns);
		json_decref(search);
		json_decref(sort);
		json_decref(opts);
		json_decref(warn);
		return NULL;
	}
	for (size_t i = 0; i < nr_resolv_nameserver_count(r); i++) {
		const struct nr_resolv_nameserver *n = nr_resolv_nameserver_at(r, i);
		json_t *e = json_object();

		if (!e)
			continue;
		set(e, "address", json_string(nr_addr_format(&n->addr, a, sizeof(a))));
		if (n->zone[0])
			set(e, "zone", jtext(n->zone));
		set(e, "used", json_boolean(n->used));
		if (n->line)
			set(e, "line", json_integer(n->line));
		json_array_append_new(ns, e);
	}
	for (size_t i = 0; i < nr_resolv_search_count(r); i++)
		json_array_append_new(search, jtext(nr_resolv_search_at(r, i)));
	for (size_t i = 0; i < nr_resolv_sortlist_count(r); i++) {
		const struct nr_resolv_sort *s = nr_resolv_sortlist_at(r, i);
		json_t *e = json_object();

		if (!e)
			continue;
		set(e, "address", json_string(nr_addr_format(&s->addr, a, sizeof(a))));
		set(e, "mask", json_string(nr_addr_format(&s->mask, a, sizeof(a))));
		json_array_append_new(sort, e);
	}
	set(opts, "ndots", json_integer(o->ndots));
	set(opts, "timeout", json_integer(o->timeout));
	set(opts, "attempts", json_integer(o->attempts));
	for (size_t i = 0; i < NOPTS; i++)
		set(opts, opt_names[i].name, json_boolean(o->flags & opt_names[i].flag));
	for (size_t i = 0; i < nr_resolv_warning_count(r); i++) {
		const struct nr_resolv_warning *w = nr_resolv_warning_at(r, i);
		json_t *e = json_object();

		if (!e)
			continue;
		set(e, "line", json_integer(w->line));
		set(e, "message", jtext(w->msg));
		set(e, "rejected", json_boolean(w->rejected));
		json_array_append_new(warn, e);
	}
	json_object_set_new(root, "nameservers", ns);
	json_object_set_new(root, "search", search);
	set(root, "domain", json_boolean(nr_resolv_search_is_domain(r)));
	json_object_set_new(root, "sortlist", sort);
	json_object_set_new(root, "options", opts);
	json_object_set_new(root, "warnings", warn);
	return root;
}
