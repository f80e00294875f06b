/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * resolv.conf parser round trip: parse any bytes, print the result, parse
 * the print again: same configuration, no rejected line, and printing it
 * again gives the same text. Warnings must stay within the input's lines.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netrig/resolv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t count_lines(const uint8_t *d, size_t n)
{
	size_t lines = 0;

	for (size_t i = 0; i < n; i++)
		lines += d[i] == '\n';
	return lines + (n && d[n - 1] != '\n');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nr_resolv *a = nr_resolv_new(), *b = nr_resolv_new();
	char *t1 = NULL, *t2 = NULL;
	size_t n1, lines;
	int r;

	if (!a || !b)
		goto out;
	if (nr_resolv_parse(a, (const char *)data, size) < 0)
		goto out; /* only -ENOMEM */
	lines = count_lines(data, size);
	for (size_t i = 0; i < nr_resolv_warning_count(a); i++) {
		const struct nr_resolv_warning *w = nr_resolv_warning_at(a, i);

		if (w->line < 1 || w->line > lines || !memchr(w->msg, '\0', sizeof(w->msg)))
			abort();
	}
	if (nr_resolv_search_count(a) > NR_RESOLV_SEARCH_MAX ||
	    nr_resolv_sortlist_count(a) > NR_RESOLV_SORTLIST_MAX)
		abort();
	for (size_t i = 0; i < nr_resolv_nameserver_count(a); i++)
		if (nr_resolv_nameserver_at(a, i)->used != (i < NR_RESOLV_MAXNS))
			abort();

	n1 = nr_resolv_format_len(a);
	t1 = malloc(n1 + 1);
	if (!t1)
		goto out;
	r = nr_resolv_format(a, t1, n1 + 1);
	if (r < 0 || (size_t)r != n1 || t1[n1] != '\0')
		abort();
	if (n1 && nr_resolv_format(a, t1, n1) != -EMSGSIZE)
		abort();
	r = nr_resolv_format(a, t1, n1 + 1); /* the refused call may have written part */

	if (nr_resolv_parse(b, t1, n1) < 0)
		goto out;
	if (!nr_resolv_equal(a, b))
		abort();
	for (size_t i = 0; i < nr_resolv_warning_count(b); i++)
		if (nr_resolv_warning_at(b, i)->rejected)
			abort(); /* the printer wrote a line the parser refuses */

	t2 = malloc(n1 + 1);
	if (!t2)
		goto out;
	if (nr_resolv_format(b, t2, n1 + 1) != r || memcmp(t1, t2, n1 + 1) != 0)
		abort();
out:
	free(t1);
	free(t2);
	nr_resolv_free(a);
	nr_resolv_free(b);
	return 0;
}
