/* SPDX-License-Identifier: BSD-2-Clause */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>

int nr_cli_error(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("netrig: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}
