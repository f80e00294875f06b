/* SPDX-License-Identifier: BSD-2-Clause */
#include "output/table.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct nr_texttable {
	size_t ncols;
	size_t nrows, cap;
	char **cells; /* nrows * ncols, row-major; row 0 is the header */
	size_t *width;
};

/* Display width of one line of a cell: UTF-8 continuation bytes take no column. */
static size_t line_width(const char *s, size_t len)
{
	size_t w = 0;

	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			w++;
	return w;
}

static void widen(struct nr_texttable *t, size_t col, const char *cell)
{
	while (*cell) {
		size_t len = strcspn(cell, "\n");
		size_t w = line_width(cell, len);

		if (w > t->width[col])
			t->width[col] = w;
		cell += len;
		if (*cell == '\n')
			cell++;
	}
}

static int append_row(struct nr_texttable *t, const char *const *cells)
{
	char **row;

	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char **n = realloc(t->cells, cap * t->ncols * sizeof(*n));

		if (!n)
			return -ENOMEM;
		t->cells = n;
		t->cap = cap;
	}
	row = t->cells + t->nrows * t->ncols;
	for (size_t c = 0; c < t->ncols; c++) {
		row[c] = strdup(cells[c] ? cells[c] : "");
		if (!row[c]) {
			while (c--)
				free(row[c]);
			return -ENOMEM;
		}
	}
	for (size_t c = 0; c < t->ncols; c++)
		widen(t, c, row[c]);
	t->nrows++;
	return 0;
}

struct nr_texttable *nr_texttable_new(size_t ncols, const char *const *headers)
{
	struct nr_texttable *t;

	if (!ncols)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->ncols = ncols;
	t->width = calloc(ncols, sizeof(*t->width));
	if (!t->width || append_row(t, headers) < 0) {
		nr_texttable_free(t);
		return NULL;
	}
	return t;
}

void nr_texttable_free(struct nr_texttable *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->width);
	free(t);
}

int nr_texttable_add(struct nr_texttable *t, const char *const *cells)
{
	return append_row(t, cells);
}

size_t nr_texttable_rows(const struct nr_texttable *t)
{
	return t->nrows - 1;
}

/*
 * One row may span several lines (list cells). cur[c] walks cell c; a
 * line's trailing blank cells are not padded, so no line ends in spaces.
 */
static void print_row(const struct nr_texttable *t, char *const *row, FILE *f)
{
	const char *cur[t->ncols];
	int more = 1;

	for (size_t c = 0; c < t->ncols; c++)
		cur[c] = row[c];
	while (more) {
		size_t last = 0, pending = 0;

		/* The last column with text on this line ends the line. */
		for (size_t c = 0; c < t->ncols; c++)
			if (*cur[c])
				last = c;
		for (size_t c = 0; c <= last; c++) {
			size_t len = strcspn(cur[c], "\n");
			size_t w = line_width(cur[c], len);

			/* Padding of earlier cells is written only when text follows. */
			if (len) {
				for (; pending; pending--)
					fputc(' ', f);
				fwrite(cur[c], 1, len, f);
			}
			if (c < last)
				pending += t->width[c] - w + 2;
			cur[c] += len;
			if (*cur[c] == '\n')
				cur[c]++;
		}
		fputc('\n', f);
		more = 0;
		for (size_t c = 0; c < t->ncols; c++)
			if (*cur[c])
				more = 1;
	}
}

int nr_texttable_print(const struct nr_texttable *t, FILE *f)
{
	for (size_t r = 0; r < t->nrows; r++)
		print_row(t, t->cells + r * t->ncols, f);
	return ferror(f) ? -EIO : 0;
}
