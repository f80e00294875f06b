/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Aligned text tables, laid out like Scapy's pretty_list (columns joined
 * by two spaces, each padded to its widest cell, a list cell exploded one
 * item per line) but never cropped and without trailing spaces. Rows are
 * printed in the order they were added: callers sort (numerically).
 */
#ifndef NETRIG_OUTPUT_TABLE_H
#define NETRIG_OUTPUT_TABLE_H

#include <stddef.h>
#include <stdio.h>

struct nr_texttable;

/* ncols headers; NULL on allocation failure. */
struct nr_texttable *nr_texttable_new(size_t ncols, const char *const *headers);
void nr_texttable_free(struct nr_texttable *t);

/*
 * Append a row of ncols cells (copied). A cell holding '\n' is a list:
 * each item goes on its own line, the other cells of those continuation
 * lines stay blank. NULL is an empty cell. -ENOMEM.
 */
int nr_texttable_add(struct nr_texttable *t, const char *const *cells);
size_t nr_texttable_rows(const struct nr_texttable *t);

/* Header line, then every row; each line ends in '\n'. -EIO on write error. */
int nr_texttable_print(const struct nr_texttable *t, FILE *f);

#endif
