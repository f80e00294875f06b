/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * repr(conf.route) and repr(conf.route6) of Scapy 2.5.0 (utils.py
 * pretty_list without cropping): rows sorted by one column as strings
 * (stable), list cells exploded one item per line, every column padded to
 * its widest cell (header included, trailing spaces kept), columns joined
 * by two spaces, lines by "\n", no final newline.
 */
#include "scapy/model_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXCOLS 6

struct row {
	char *cell[MAXCOLS]; /* one line's cells */
	const char *key;     /* the sort key: the first line's cell of the sort column */
	size_t order;        /* the row's place before sorting (stability) */
	size_t sub;          /* line within an exploded row */
};

struct table {
	struct row *rows;
	size_t n, cap;
	int sortby;
};

static int table_push(struct table *t, char *const cells[MAXCOLS], size_t order, size_t sub)
{
	struct row *row;

	if (t->n == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 32;
		struct row *nr = realloc(t->rows, ncap * sizeof(*nr));

		if (!nr)
			return -ENOMEM;
		t->rows = nr;
		t->cap = ncap;
	}
	row = &t->rows[t->n];
	memset(row, 0, sizeof(*row));
	t->n++;
	for (int i = 0; i < MAXCOLS; i++) {
		row->cell[i] = cells[i] ? strdup(cells[i]) : NULL;
		if (cells[i] && !row->cell[i])
			return -ENOMEM;
	}
	/* Continuation lines sort with their row (the strings do not move). */
	row->key = sub ? t->rows[t->n - 1 - sub].cell[t->sortby] : row->cell[t->sortby];
	row->order = order;
	row->sub = sub;
	return 0;
}

static void table_done(struct table *t)
{
	for (size_t i = 0; i < t->n; i++)
		for (int j = 0; j < MAXCOLS; j++)
			free(t->rows[i].cell[j]);
	free(t->rows);
}

/* Python's stable sort by the key column as strings, rows kept whole. */
static int row_cmp(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;
	int c;

	if (a->order != b->order) {
		c = strcmp(a->key ? a->key : "", b->key ? b->key : "");
		if (c)
			return c;
		return a->order < b->order ? -1 : 1;
	}
	return a->sub < b->sub ? -1 : a->sub > b->sub;
}

static char *render(struct table *t, const char *const *header, int cols)
{
	size_t width[MAXCOLS] = {0};
	size_t total = 0, off = 0;
	char *out;

	qsort(t->rows, t->n, sizeof(*t->rows), row_cmp);
	for (int c = 0; c < cols; c++) {
		width[c] = strlen(header[c]);
		for (size_t i = 0; i < t->n; i++) {
			const char *s = t->rows[i].cell[c] ? t->rows[i].cell[c] : " ";

			if (strlen(s) > width[c])
				width[c] = strlen(s);
		}
	}
	for (int c = 0; c < cols; c++)
		total += width[c] + 2;
	total = total * (t->n + 1) + 1;
	out = malloc(total);
	if (!out)
		return NULL;
	for (size_t i = 0; i <= t->n; i++) {
		if (i)
			out[off++] = '\n';
		for (int c = 0; c < cols; c++) {
			const char *s = i == 0 ? header[c]
					       : (t->rows[i - 1].cell[c] ? t->rows[i - 1].cell[c] : " ");

			off += (size_t)snprintf(out + off, total - off, "%s%-*s", c ? "  " : "",
						(int)width[c], s);
		}
	}
	out[off] = '\0';
	return out;
}

static void v4text(uint32_t a, char *buf, size_t cap)
{
	snprintf(buf, cap, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

char *nr_scapy_format_routes4(const struct nr_scapy_model *m)
{
	static const char *const header[] = {"Network", "Netmask", "Gateway", "Iface", "Output IP",
					     "Metric"};
	struct table t = {.sortby = 0};
	char *out = NULL;

	for (size_t i = 0; i < m->n4; i++) {
		const struct nr_scapy_route4 *e = &m->r4[i];
		char net[16], mask[16], gw[16], src[16], metric[12];
		char *cells[MAXCOLS] = {net, mask, gw, (char *)e->iface, src, metric};

		v4text(e->net, net, sizeof(net));
		v4text(e->mask, mask, sizeof(mask));
		v4text(e->gw, gw, sizeof(gw));
		v4text(e->src, src, sizeof(src));
		snprintf(metric, sizeof(metric), "%u", e->metric);
		if (table_push(&t, cells, i, 0) < 0)
			goto out;
	}
	out = render(&t, header, 6);
out:
	table_done(&t);
	return out;
}

char *nr_scapy_format_routes6(const struct nr_scapy_model *m)
{
	static const char *const header[] = {"Destination", "Next Hop", "Iface", "Src candidates",
					     "Metric"};
	struct table t = {.sortby = 1};
	char *out = NULL;

	for (size_t i = 0; i < m->n6; i++) {
		const struct nr_scapy_route6 *e = &m->r6[i];
		char dst[NR_PREFIX_STRLEN + 8], nh[NR_ADDR_STRLEN], src[NR_ADDR_STRLEN], metric[12];
		char pfx[NR_ADDR_STRLEN];
		size_t lines = e->ncset ? e->ncset : 1;

		snprintf(dst, sizeof(dst), "%s/%u", nr_scapy__ntop(&e->prefix, pfx, sizeof(pfx)),
			 e->plen);
		nr_scapy__ntop(&e->nh, nh, sizeof(nh));
		snprintf(metric, sizeof(metric), "%u", e->metric);
		for (size_t k = 0; k < lines; k++) {
			char *first[MAXCOLS] = {dst, nh, (char *)e->iface, src, metric};
			char *cont[MAXCOLS] = {" ", " ", " ", src, " "};

			if (e->ncset)
				nr_scapy__ntop(&e->cset[k], src, sizeof(src));
			else
				snprintf(src, sizeof(src), " ");
			if (table_push(&t, k ? cont : first, i, k) < 0)
				goto out;
		}
	}
	out = render(&t, header, 5);
out:
	table_done(&t);
	return out;
}

char *nr_scapy_format_answer(const struct nr_scapy_answer *a, char *buf, size_t cap)
{
	snprintf(buf, cap, "('%s', '%s', '%s')", a->iface, a->src, a->gw);
	return buf;
}
