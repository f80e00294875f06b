/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A YAML document as a small tree with a position on every node, made
 * from libyaml's document API (yaml_parser_load). On the way, what libyaml
 * lets through is refused: duplicate keys, keys that are not scalars,
 * NUL bytes inside scalars, more than one document, and alias expansion
 * past a node budget ("billion laughs") or a nesting depth.
 */
#ifndef NETRIG_TOPO_YAML_DOC_H
#define NETRIG_TOPO_YAML_DOC_H

#include <stdbool.h>
#include <stddef.h>

#define NR_YDOC_MAX_NODES 100000u /* after alias expansion */
#define NR_YDOC_MAX_DEPTH 64u

enum nr_ynode_kind { NR_YSCALAR, NR_YSEQ, NR_YMAP };

/* How a scalar was written: the column of its first character depends on it. */
enum nr_yscalar_style { NR_YPLAIN, NR_YSQUOTED, NR_YDQUOTED, NR_YBLOCK };

struct nr_ynode;

struct nr_ypair {
	struct nr_ynode *key; /* always a scalar */
	struct nr_ynode *val;
};

struct nr_ynode {
	enum nr_ynode_kind kind;
	unsigned line, col; /* 1-based; col counts characters, as libyaml does */
	/* scalar: NUL-terminated, no NUL inside */
	char *str;
	size_t len;
	enum nr_yscalar_style style;
	/* sequence: items; mapping: pairs, in file order */
	size_t n;
	struct nr_ynode **items;
	struct nr_ypair *pairs;
};

struct nr_yerr {
	unsigned line, col;
	char msg[200];
};

/*
 * Parse text (len bytes, need not be NUL-terminated). *ret is NULL for an
 * empty document (only comments or nothing). -EINVAL with err filled on a
 * syntax or structure error; -ENOMEM.
 */
int nr_ydoc_parse(const char *text, size_t len, struct nr_ynode **ret, struct nr_yerr *err);
void nr_ynode_free(struct nr_ynode *n);

/* The value of key in a mapping, or NULL. */
const struct nr_ynode *nr_ymap_get(const struct nr_ynode *map, const char *key);

/* "a scalar", "a sequence", "a mapping" (for messages). */
const char *nr_ynode_kind_name(const struct nr_ynode *n);

/*
 * Length of the line break at text[i] as libyaml counts lines (\r\n, \r,
 * \n, and U+0085, U+2028, U+2029 in UTF-8), or 0.
 */
size_t nr_ydoc_break_len(const char *text, size_t len, size_t i);

/*
 * Column of byte off inside a scalar's text, for errors pointing into a
 * string: the scalar's column, plus one for an opening quote, plus the
 * characters before off.
 */
unsigned nr_yscalar_col(const struct nr_ynode *n, size_t off);

#endif
