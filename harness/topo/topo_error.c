/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Errors in the form users see: FILE:LINE:COL: message, the source line,
 * and a caret under the column. The caret line copies the tabs of the
 * source line so it stays aligned in a terminal, and counts UTF-8
 * characters, not bytes, as libyaml's columns do.
 */
#include "topo/schema.h"
#include "topo/topo.h"
#include "topo/yaml_doc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Copy line number `line` (1-based) of text into buf, without its break. */
static void copy_line(const char *text, size_t len, unsigned line, char *buf, size_t cap)
{
	size_t i = 0, n = 0, b;
	unsigned cur = 1;

	buf[0] = '\0';
	if (!text || line == 0)
		return;
	while (i < len && cur < line) {
		b = nr_ydoc_break_len(text, len, i);
		i += b ? b : 1;
		cur += b != 0;
	}
	if (cur != line)
		return;
	while (i + n < len && !nr_ydoc_break_len(text, len, i + n))
		n++;
	if (n >= cap) {
		n = cap - 1;
		/* do not cut a UTF-8 sequence in half */
		while (n > 0 && ((unsigned char)text[i + n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(buf, text + i, n);
	buf[n] = '\0';
	/* a NUL inside the line would end it early; show it as a space */
	for (size_t k = 0; k < n; k++)
		if (buf[k] == '\0')
			buf[k] = ' ';
}

int nr_topo_error_vset(struct nr_topo_error *err, const char *file, const char *text, size_t len,
		       unsigned line, unsigned col, const char *fmt, va_list ap)
{
	snprintf(err->path, sizeof(err->path), "%s", file ? file : "<input>");
	err->pos.line = line;
	err->pos.col = col;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	copy_line(text, len, line, err->line, sizeof(err->line));
	return -EINVAL;
}

void nr_topo_error_print(const struct nr_topo_error *err, FILE *f)
{
	unsigned chars = 0;

	if (!err->pos.line) {
		fprintf(f, "%s: %s\n", err->path, err->msg);
		return;
	}
	fprintf(f, "%s:%u:%u: %s\n", err->path, err->pos.line, err->pos.col, err->msg);
	if (!err->line[0] && err->pos.col > 1)
		return;
	fprintf(f, "  %s\n  ", err->line);
	for (const char *p = err->line; *p && chars + 1 < err->pos.col; p++) {
		if (((unsigned char)*p & 0xc0) == 0x80)
			continue;
		fputc(*p == '\t' ? '\t' : ' ', f);
		chars++;
	}
	/* past the end of the (possibly cut) line: pad with spaces */
	for (; chars + 1 < err->pos.col && chars < 512; chars++)
		fputc(' ', f);
	fputs("^\n", f);
}
