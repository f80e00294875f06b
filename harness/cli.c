/* SPDX-License-Identifier: BSD-2-Clause */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

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

int nr_cli_exit_for(int err)
{
	switch (err) {
	case -EINVAL:
	case -ENAMETOOLONG:
		return NR_EXIT_USAGE;
	case -EPERM:
	case -EACCES:
	case -ENOENT:
	case -ENOPKG:
	case -ENODEV:
	case -EBUSY:
		return NR_EXIT_ENV;
	default:
		return NR_EXIT_FAIL;
	}
}

int nr_cli_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *ret)
{
	char *end;
	unsigned long long v;

	/* strtoull would take "" as 0 and "-1" as its largest value. */
	if (!*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end || errno || v < min || v > max)
		return -EINVAL;
	*ret = v;
	return 0;
}
