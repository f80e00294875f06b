/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libyaml document -> nr_ynode tree. libyaml keeps an alias as a second
 * reference to the anchored node, so a small file can name 10^9 nodes;
 * the tree is built by expanding aliases under a node budget, which is
 * what makes the walk over it safe. A self-referencing anchor
 * (&a [*a]) is stopped by the depth cap.
 */
#include "topo/yaml_doc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

struct conv {
	yaml_document_t *doc;
	size_t count;
	struct nr_yerr *err;
};

static int yerr(struct nr_yerr *err, unsigned line, unsigned col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int yerr(struct nr_yerr *err, unsigned line, unsigned col, const char *fmt, ...)
{
	va_list ap;

	err->line = line;
	err->col = col;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

void nr_ynode_free(struct nr_ynode *n)
{
	if (!n)
		return;
	free(n->str);
	if (n->kind == NR_YSEQ) {
		for (size_t i = 0; i < n->n; i++)
			nr_ynode_free(n->items[i]);
		free(n->items);
	} else if (n->kind == NR_YMAP) {
		for (size_t i = 0; i < n->n; i++) {
			nr_ynode_free(n->pairs[i].key);
			nr_ynode_free(n->pairs[i].val);
		}
		free(n->pairs);
	}
	free(n);
}

static struct nr_ypair *sort_pairs; /* qsort has no context argument */

static int cmp_keys(const struct nr_ynode *ka, const struct nr_ynode *kb)
{
	if (ka->len != kb->len)
		return ka->len < kb->len ? -1 : 1;
	return memcmp(ka->str, kb->str, ka->len);
}

static int cmp_pair_index(const void *a, const void *b)
{
	size_t ia = *(const size_t *)a, ib = *(const size_t *)b;
	int c = cmp_keys(sort_pairs[ia].key, sort_pairs[ib].key);

	if (c)
		return c;
	return ia < ib ? -1 : (ia > ib);
}

/*
 * Duplicate keys, reported at the earliest second occurrence in file
 * order. Sorting keeps a 50k-key mapping from costing n^2 comparisons.
 */
static int check_duplicates(struct nr_ynode *map, struct nr_yerr *err)
{
	size_t *idx, best = SIZE_MAX, first = 0;

	if (map->n < 2)
		return 0;
	idx = malloc(map->n * sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	for (size_t i = 0; i < map->n; i++)
		idx[i] = i;
	sort_pairs = map->pairs;
	qsort(idx, map->n, sizeof(*idx), cmp_pair_index);
	sort_pairs = NULL;
	/* Runs of equal keys are sorted by position: a run's second is its duplicate. */
	for (size_t i = 0; i < map->n;) {
		size_t j = i + 1;

		while (j < map->n && cmp_keys(map->pairs[idx[i]].key, map->pairs[idx[j]].key) == 0)
			j++;
		if (j - i > 1 && idx[i + 1] < best) {
			best = idx[i + 1];
			first = idx[i];
		}
		i = j;
	}
	free(idx);
	if (best == SIZE_MAX)
		return 0;
	return yerr(err, map->pairs[best].key->line, map->pairs[best].key->col,
		    "duplicate key '%s' (first at line %u)", map->pairs[best].key->str,
		    map->pairs[first].key->line);
}

static struct nr_ynode *conv_node(struct conv *c, int index, unsigned depth, int *rc)
{
	yaml_node_t *yn = yaml_document_get_node(c->doc, index);
	struct nr_ynode *n;

	if (!yn) {
		*rc = yerr(c->err, 1, 1, "internal: dangling YAML node %d", index);
		return NULL;
	}
	if (depth > NR_YDOC_MAX_DEPTH) {
		*rc = yerr(c->err, (unsigned)yn->start_mark.line + 1, (unsigned)yn->start_mark.column + 1,
			   "nested deeper than %u levels (a recursive alias?)", NR_YDOC_MAX_DEPTH);
		return NULL;
	}
	if (++c->count > NR_YDOC_MAX_NODES) {
		*rc = yerr(c->err, (unsigned)yn->start_mark.line + 1, (unsigned)yn->start_mark.column + 1,
			   "more than %u nodes once aliases are expanded; refusing (alias bomb?)",
			   NR_YDOC_MAX_NODES);
		return NULL;
	}
	n = calloc(1, sizeof(*n));
	if (!n) {
		*rc = -ENOMEM;
		return NULL;
	}
	n->line = (unsigned)yn->start_mark.line + 1;
	n->col = (unsigned)yn->start_mark.column + 1;
	switch (yn->type) {
	case YAML_SCALAR_NODE:
		n->kind = NR_YSCALAR;
		n->len = yn->data.scalar.length;
		if (memchr(yn->data.scalar.value, '\0', n->len)) {
			*rc = yerr(c->err, n->line, n->col, "NUL character inside a string");
			goto fail;
		}
		n->str = malloc(n->len + 1);
		if (!n->str) {
			*rc = -ENOMEM;
			goto fail;
		}
		memcpy(n->str, yn->data.scalar.value, n->len);
		n->str[n->len] = '\0';
		switch (yn->data.scalar.style) {
		case YAML_SINGLE_QUOTED_SCALAR_STYLE:
			n->style = NR_YSQUOTED;
			break;
		case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
			n->style = NR_YDQUOTED;
			break;
		case YAML_LITERAL_SCALAR_STYLE:
		case YAML_FOLDED_SCALAR_STYLE:
			n->style = NR_YBLOCK;
			break;
		default:
			n->style = NR_YPLAIN;
			break;
		}
		return n;
	case YAML_SEQUENCE_NODE: {
		size_t cnt = (size_t)(yn->data.sequence.items.top - yn->data.sequence.items.start);

		n->kind = NR_YSEQ;
		if (cnt) {
			n->items = calloc(cnt, sizeof(*n->items));
			if (!n->items) {
				*rc = -ENOMEM;
				goto fail;
			}
		}
		for (size_t i = 0; i < cnt; i++) {
			n->items[i] = conv_node(c, yn->data.sequence.items.start[i], depth + 1, rc);
			if (!n->items[i])
				goto fail;
			n->n++;
		}
		return n;
	}
	case YAML_MAPPING_NODE: {
		size_t cnt = (size_t)(yn->data.mapping.pairs.top - yn->data.mapping.pairs.start);

		n->kind = NR_YMAP;
		if (cnt) {
			n->pairs = calloc(cnt, sizeof(*n->pairs));
			if (!n->pairs) {
				*rc = -ENOMEM;
				goto fail;
			}
		}
		for (size_t i = 0; i < cnt; i++) {
			yaml_node_pair_t *p = &yn->data.mapping.pairs.start[i];
			struct nr_ypair *q = &n->pairs[i];

			q->key = conv_node(c, p->key, depth + 1, rc);
			if (!q->key)
				goto fail;
			n->n++; /* owns key (and value once set) from here */
			if (q->key->kind != NR_YSCALAR) {
				*rc = yerr(c->err, q->key->line, q->key->col,
					   "a mapping key must be a plain name, not %s",
					   nr_ynode_kind_name(q->key));
				goto fail;
			}
			q->val = conv_node(c, p->value, depth + 1, rc);
			if (!q->val)
				goto fail;
		}
		*rc = check_duplicates(n, c->err);
		if (*rc < 0)
			goto fail;
		return n;
	}
	default:
		*rc = yerr(c->err, n->line, n->col, "empty YAML node");
		goto fail;
	}
fail:
	nr_ynode_free(n);
	return NULL;
}

size_t nr_ydoc_break_len(const char *text, size_t len, size_t i)
{
	const unsigned char *t = (const unsigned char *)text;

	if (i >= len)
		return 0;
	if (t[i] == '\r')
		return i + 1 < len && t[i + 1] == '\n' ? 2 : 1;
	if (t[i] == '\n')
		return 1;
	if (t[i] == 0xc2 && i + 1 < len && t[i + 1] == 0x85)
		return 2;
	if (t[i] == 0xe2 && i + 2 < len && t[i + 1] == 0x80 && (t[i + 2] == 0xa8 || t[i + 2] == 0xa9))
		return 3;
	return 0;
}

/* Line and column (characters) of a byte offset, for reader errors. */
static void offset_pos(const char *text, size_t len, size_t off, unsigned *line, unsigned *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off && i < len;) {
		size_t b = nr_ydoc_break_len(text, len, i);

		if (b) {
			(*line)++;
			*col = 1;
			i += b;
			continue;
		}
		if (((unsigned char)text[i] & 0xc0) != 0x80)
			(*col)++;
		i++;
	}
}

/* libyaml's mark.index counts characters (after a BOM): the byte offset. */
static size_t char_to_byte(const char *text, size_t len, size_t index)
{
	size_t i = 0, chars = 0;

	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	for (; i < len; i++) {
		if (((unsigned char)text[i] & 0xc0) == 0x80)
			continue;
		if (chars++ == index)
			return i;
	}
	return len;
}

static int syntax_error(const yaml_parser_t *p, const char *text, size_t len, struct nr_yerr *err)
{
	unsigned line = (unsigned)p->problem_mark.line + 1, col = (unsigned)p->problem_mark.column + 1;
	const char *problem = p->problem ? p->problem : "malformed YAML";
	size_t off = char_to_byte(text, len, p->problem_mark.index);

	if (p->error == YAML_MEMORY_ERROR)
		return -ENOMEM;
	if (off >= len) {
		/* libyaml puts the end of the stream on a line of its own, past
		 * the last one: point just after the last character instead */
		size_t end = len;

		while (end > 0 && (text[end - 1] == '\n' || text[end - 1] == '\r' ||
				   text[end - 1] == ' '))
			end--;
		offset_pos(text, len, end, &line, &col);
	}
	if (p->error == YAML_READER_ERROR) {
		offset_pos(text, len, p->problem_offset, &line, &col);
		return yerr(err, line, col, "YAML: %s", problem);
	}
	/* libyaml says "found character that cannot start any token" for a tab */
	if (off < len && text[off] == '\t')
		return yerr(err, line, col, "YAML: tab character; indent with spaces");
	if (p->context)
		return yerr(err, line, col, "YAML: %s %s (line %u)", problem, p->context,
			    (unsigned)p->context_mark.line + 1);
	return yerr(err, line, col, "YAML: %s", problem);
}

int nr_ydoc_parse(const char *text, size_t len, struct nr_ynode **ret, struct nr_yerr *err)
{
	yaml_parser_t parser;
	yaml_document_t doc, doc2;
	bool have_doc = false, have_doc2 = false;
	struct nr_ynode *root = NULL;
	yaml_node_t *yroot;
	int rc = 0;

	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		rc = syntax_error(&parser, text, len, err);
		goto out;
	}
	have_doc = true;
	yroot = yaml_document_get_root_node(&doc);
	if (yroot) {
		struct conv c = {.doc = &doc, .err = err};

		root = conv_node(&c, 1, 0, &rc);
		if (!root)
			goto out;
		/* One topology per file: a second document would be silently ignored. */
		if (!yaml_parser_load(&parser, &doc2)) {
			rc = syntax_error(&parser, text, len, err);
			goto out;
		}
		have_doc2 = true;
		yroot = yaml_document_get_root_node(&doc2);
		if (yroot) {
			rc = yerr(err, (unsigned)doc2.start_mark.line + 1,
				  (unsigned)doc2.start_mark.column + 1,
				  "a second YAML document; one topology per file");
			goto out;
		}
	}
out:
	if (have_doc2)
		yaml_document_delete(&doc2);
	if (have_doc)
		yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (rc < 0) {
		nr_ynode_free(root);
		return rc;
	}
	*ret = root;
	return 0;
}

const struct nr_ynode *nr_ymap_get(const struct nr_ynode *map, const char *key)
{
	if (!map || map->kind != NR_YMAP)
		return NULL;
	for (size_t i = 0; i < map->n; i++)
		if (strcmp(map->pairs[i].key->str, key) == 0)
			return map->pairs[i].val;
	return NULL;
}

const char *nr_ynode_kind_name(const struct nr_ynode *n)
{
	switch (n->kind) {
	case NR_YSCALAR:
		return "a scalar";
	case NR_YSEQ:
		return "a sequence";
	default:
		return "a mapping";
	}
}

unsigned nr_yscalar_col(const struct nr_ynode *n, size_t off)
{
	unsigned col = n->col;

	if (n->style == NR_YSQUOTED || n->style == NR_YDQUOTED)
		col++;
	if (n->style == NR_YBLOCK)
		return col; /* the text starts on a later line: point at the indicator */
	for (size_t i = 0; i < off && i < n->len; i++)
		if (((unsigned char)n->str[i] & 0xc0) != 0x80)
			col++;
	return col;
}
