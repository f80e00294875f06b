/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A table-driven walker over nr_ynode trees. A mapping's schema is a table
 * of its keys: name, expected type, whether required, where a simple value
 * is stored in the caller's object (offsetof) and an optional handler that
 * checks or stores the rest. The walker refuses unknown keys (suggesting a
 * close spelling), missing required keys and wrong types before any
 * handler runs, then visits the keys in table order (not file order), so a
 * table can list what others refer to first (nodes before links).
 *
 * Every error goes through nr_schema_fail: FILE:LINE:COL + message into
 * the caller's nr_topo_error, with the source line for the caret.
 */
#ifndef NETRIG_TOPO_SCHEMA_H
#define NETRIG_TOPO_SCHEMA_H

#include "topo/topo.h"
#include "topo/yaml_doc.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nr_schema {
	const char *file; /* name used in messages */
	const char *text; /* the whole source, for the line under the message */
	size_t len;
	struct nr_topo_error *err;
	void *user; /* the loader's state, for handlers */
};

enum nr_schema_type {
	NR_S_STR,      /* scalar copied into char[cap] at off (choices: one of them) */
	NR_S_BOOL,     /* plain true/false into bool at off */
	NR_S_U32,      /* plain integer in [min, max] into uint32_t at off */
	NR_S_U16,      /* plain integer in [min, max] into uint16_t at off */
	NR_S_SCALAR,   /* any scalar: handler only */
	NR_S_SEQ,      /* a sequence: handler only */
	NR_S_MAP,      /* a mapping (or empty): handler only */
	NR_S_ANY,      /* anything: handler only */
	NR_S_RESERVED, /* recognised but refused: help says why */
};

struct nr_schema_key;
typedef int (*nr_schema_fn)(struct nr_schema *s, const struct nr_schema_key *k,
			    const struct nr_ynode *val, void *obj);

struct nr_schema_key {
	const char *name;
	enum nr_schema_type type;
	bool required;
	size_t off, cap;
	uint32_t min, max;
	const char *const *choices; /* NULL-terminated */
	nr_schema_fn fn;            /* after the type check (and store) */
	const char *help;
};

struct nr_schema_map {
	const char *what; /* "the top level", "a veth link": for messages */
	const struct nr_schema_key *keys; /* ends with a NULL name */
};

/*
 * Walk a mapping against a table. An empty plain scalar (`h1:`, `~`,
 * `null`) counts as an empty mapping. 0, -EINVAL (error recorded), -ENOMEM.
 */
int nr_schema_walk(struct nr_schema *s, const struct nr_ynode *n, const struct nr_schema_map *m,
		   void *obj);

/*
 * Fill err: path, position, message and the source line (topo_error.c).
 * text may be NULL (no source line). Returns -EINVAL.
 */
int nr_topo_error_vset(struct nr_topo_error *err, const char *file, const char *text, size_t len,
		       unsigned line, unsigned col, const char *fmt, va_list ap)
	__attribute__((format(printf, 7, 0)));

/* Record an error at line:col; returns -EINVAL. */
int nr_schema_fail(struct nr_schema *s, unsigned line, unsigned col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* At a node (for scalars, at byte off of its text: see nr_yscalar_col). */
int nr_schema_fail_at(struct nr_schema *s, const struct nr_ynode *n, size_t off, const char *fmt,
		      ...) __attribute__((format(printf, 4, 5)));

/* Type checks that record "expected X, got Y" at n. what: "nodes", "a port". */
int nr_schema_want(struct nr_schema *s, const struct nr_ynode *n, enum nr_ynode_kind kind,
		   const char *what);
bool nr_schema_is_null(const struct nr_ynode *n);
int nr_schema_bool(struct nr_schema *s, const struct nr_ynode *n, const char *what, bool *ret);
int nr_schema_uint(struct nr_schema *s, const struct nr_ynode *n, const char *what, uint64_t min,
		   uint64_t max, uint64_t *ret);

/*
 * The closest of choices to word (edit distance <= 2, and less than half
 * the word), or NULL. For "did you mean ...?".
 */
const char *nr_schema_suggest(const char *word, const char *const *choices);
/* "a, b, c" into buf. */
char *nr_schema_join(const char *const *choices, char *buf, size_t cap);

#endif
