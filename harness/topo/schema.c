/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The schema walker: see schema.h. Unknown keys and missing required keys
 * are found before any handler runs, so a misspelt key is reported as
 * such rather than as the dangling reference it would otherwise cause.
 */
#include "topo/schema.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int nr_schema_fail(struct nr_schema *s, unsigned line, unsigned col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	nr_topo_error_vset(s->err, s->file, s->text, s->len, line, col, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int nr_schema_fail_at(struct nr_schema *s, const struct nr_ynode *n, size_t off, const char *fmt,
		      ...)
{
	unsigned col = n->kind == NR_YSCALAR ? nr_yscalar_col(n, off) : n->col;
	va_list ap;

	va_start(ap, fmt);
	nr_topo_error_vset(s->err, s->file, s->text, s->len, n->line, col, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

bool nr_schema_is_null(const struct nr_ynode *n)
{
	return n->kind == NR_YSCALAR && n->style == NR_YPLAIN &&
	       (n->len == 0 || strcmp(n->str, "~") == 0 || strcmp(n->str, "null") == 0);
}

static const char *kind_word(enum nr_ynode_kind k)
{
	return k == NR_YSCALAR ? "a scalar" : k == NR_YSEQ ? "a sequence" : "a mapping";
}

int nr_schema_want(struct nr_schema *s, const struct nr_ynode *n, enum nr_ynode_kind kind,
		   const char *what)
{
	if (n->kind == kind)
		return 0;
	if (kind == NR_YMAP && nr_schema_is_null(n))
		return 0;
	return nr_schema_fail_at(s, n, 0, "%s: expected %s, got %s", what, kind_word(kind),
				 kind_word(n->kind));
}

int nr_schema_bool(struct nr_schema *s, const struct nr_ynode *n, const char *what, bool *ret)
{
	static const char *const yes[] = {"true", "True", "TRUE"}, *const no[] = {"false", "False", "FALSE"};

	if (n->kind != NR_YSCALAR)
		return nr_schema_want(s, n, NR_YSCALAR, what);
	/* YAML 1.2 booleans only: "yes", "on" and quoted "true" are strings. */
	if (n->style == NR_YPLAIN) {
		for (size_t i = 0; i < 3; i++) {
			if (strcmp(n->str, yes[i]) == 0) {
				*ret = true;
				return 0;
			}
			if (strcmp(n->str, no[i]) == 0) {
				*ret = false;
				return 0;
			}
		}
	}
	return nr_schema_fail_at(s, n, 0, "%s: expected true or false, got %s'%s'", what,
				 n->style == NR_YPLAIN ? "" : "the string ", n->str);
}

int nr_schema_uint(struct nr_schema *s, const struct nr_ynode *n, const char *what, uint64_t min,
		   uint64_t max, uint64_t *ret)
{
	unsigned long long v;
	char *end;

	if (n->kind != NR_YSCALAR)
		return nr_schema_want(s, n, NR_YSCALAR, what);
	if (n->style != NR_YPLAIN || n->len == 0 || n->str[0] < '0' || n->str[0] > '9')
		return nr_schema_fail_at(s, n, 0, "%s: expected a number, got %s'%s'", what,
					 n->style == NR_YPLAIN ? "" : "the string ", n->str);
	errno = 0;
	v = strtoull(n->str, &end, 0);
	if (*end || errno)
		return nr_schema_fail_at(s, n, 0, "%s: '%s' is not a number", what, n->str);
	if (v < min || v > max)
		return nr_schema_fail_at(s, n, 0, "%s: %llu is out of range (%llu to %llu)", what, v,
					 (unsigned long long)min, (unsigned long long)max);
	*ret = v;
	return 0;
}

/* Optimal string alignment distance: a swap of two letters ("vai") costs 1. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t d[3][64], *r2, *r1, *r0;

	if (la >= 64 || lb >= 64)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		r0 = d[i % 3];
		r1 = d[(i - 1) % 3];
		r2 = d[(i + 1) % 3]; /* row i - 2 */
		r0[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t best = r1[j - 1] + (a[i - 1] != b[j - 1]);

			if (r1[j] + 1 < best)
				best = r1[j] + 1;
			if (r0[j - 1] + 1 < best)
				best = r0[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    r2[j - 2] + 1 < best)
				best = r2[j - 2] + 1;
			r0[j] = best;
		}
	}
	return d[la % 3][lb];
}

const char *nr_schema_suggest(const char *word, const char *const *choices)
{
	size_t best = SIZE_MAX, wl = strlen(word);
	const char *pick = NULL;

	for (size_t i = 0; choices[i]; i++) {
		size_t d = edit_distance(word, choices[i]);

		if (d < best) {
			best = d;
			pick = choices[i];
		}
	}
	if (best > 2 || best * 2 >= wl)
		return NULL;
	return pick;
}

char *nr_schema_join(const char *const *choices, char *buf, size_t cap)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; choices[i] && used < cap; i++) {
		int w = snprintf(buf + used, cap - used, "%s%s", i ? ", " : "", choices[i]);

		if (w < 0)
			break;
		used += (size_t)w;
	}
	return buf;
}

static const struct nr_schema_key *find_key(const struct nr_schema_map *m, const char *name)
{
	for (const struct nr_schema_key *k = m->keys; k->name; k++)
		if (strcmp(k->name, name) == 0)
			return k;
	return NULL;
}

static int unknown_key(struct nr_schema *s, const struct nr_schema_map *m, const struct nr_ynode *key)
{
	const char *names[48], *hint;
	char list[200];
	size_t n = 0;

	for (const struct nr_schema_key *k = m->keys; k->name && n + 1 < 48; k++)
		if (k->type != NR_S_RESERVED)
			names[n++] = k->name;
	names[n] = NULL;
	hint = nr_schema_suggest(key->str, names);
	if (hint)
		return nr_schema_fail_at(s, key, 0, "unknown key '%s' in %s (did you mean '%s'?)",
					 key->str, m->what, hint);
	return nr_schema_fail_at(s, key, 0, "unknown key '%s' in %s (expected %s)", key->str,
				 m->what, nr_schema_join(names, list, sizeof(list)));
}

static int walk_key(struct nr_schema *s, const struct nr_schema_key *k, const struct nr_ynode *key,
		    const struct nr_ynode *v, void *obj)
{
	char *base = obj;
	uint64_t u;
	bool b;
	int rc;

	switch (k->type) {
	case NR_S_RESERVED:
		return nr_schema_fail_at(s, key, 0, "'%s' %s", k->name, k->help);
	case NR_S_STR:
		if (v->kind != NR_YSCALAR)
			return nr_schema_want(s, v, NR_YSCALAR, k->name);
		if (k->choices) {
			bool ok = false;
			const char *hint;
			char list[160];

			for (size_t i = 0; k->choices[i]; i++)
				ok = ok || strcmp(v->str, k->choices[i]) == 0;
			if (!ok) {
				hint = nr_schema_suggest(v->str, k->choices);
				if (hint)
					return nr_schema_fail_at(s, v, 0,
								 "unknown %s '%s' (did you mean '%s'?)",
								 k->name, v->str, hint);
				return nr_schema_fail_at(s, v, 0, "unknown %s '%s' (expected %s)", k->name,
							 v->str, nr_schema_join(k->choices, list, sizeof(list)));
			}
		}
		if (k->cap) {
			if (v->len >= k->cap)
				return nr_schema_fail_at(s, v, 0, "%s: '%s' is longer than %zu characters",
							 k->name, v->str, k->cap - 1);
			memcpy(base + k->off, v->str, v->len + 1);
		}
		break;
	case NR_S_BOOL:
		rc = nr_schema_bool(s, v, k->name, &b);
		if (rc < 0)
			return rc;
		memcpy(base + k->off, &b, sizeof(b));
		break;
	case NR_S_U32:
	case NR_S_U16:
		rc = nr_schema_uint(s, v, k->name, k->min, k->max, &u);
		if (rc < 0)
			return rc;
		if (k->type == NR_S_U32) {
			uint32_t x = (uint32_t)u;

			memcpy(base + k->off, &x, sizeof(x));
		} else {
			uint16_t x = (uint16_t)u;

			memcpy(base + k->off, &x, sizeof(x));
		}
		break;
	case NR_S_SCALAR:
		rc = nr_schema_want(s, v, NR_YSCALAR, k->name);
		if (rc < 0)
			return rc;
		break;
	case NR_S_SEQ:
		rc = nr_schema_want(s, v, NR_YSEQ, k->name);
		if (rc < 0)
			return rc;
		break;
	case NR_S_MAP:
		rc = nr_schema_want(s, v, NR_YMAP, k->name);
		if (rc < 0)
			return rc;
		break;
	case NR_S_ANY:
		break;
	}
	return k->fn ? k->fn(s, k, v, obj) : 0;
}

int nr_schema_walk(struct nr_schema *s, const struct nr_ynode *n, const struct nr_schema_map *m,
		   void *obj)
{
	int rc;

	if (n->kind != NR_YMAP) {
		if (nr_schema_is_null(n))
			goto required; /* an empty mapping */
		return nr_schema_fail_at(s, n, 0, "%s: expected a mapping, got %s", m->what,
					 nr_ynode_kind_name(n));
	}
	for (size_t i = 0; i < n->n; i++)
		if (!find_key(m, n->pairs[i].key->str))
			return unknown_key(s, m, n->pairs[i].key);
required:
	for (const struct nr_schema_key *k = m->keys; k->name; k++)
		if (k->required && !nr_ymap_get(n, k->name))
			return nr_schema_fail_at(s, n, 0, "%s needs '%s'", m->what, k->name);
	if (n->kind != NR_YMAP)
		return 0;
	for (const struct nr_schema_key *k = m->keys; k->name; k++) {
		for (size_t i = 0; i < n->n; i++) {
			if (strcmp(n->pairs[i].key->str, k->name) != 0)
				continue;
			rc = walk_key(s, k, n->pairs[i].key, n->pairs[i].val, obj);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}
