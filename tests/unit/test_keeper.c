/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The keeper's log (harness/keeper.h): its path beside the journal, the
 * size cap of the stream the keeper writes through, and the outcome
 * `down` and `list` read back (last "teardown" line wins). Files live in
 * a private temporary directory; no privileges needed.
 */
#include "keeper.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <cmocka.h>

static char dir[] = "/tmp/nrt-keeper-XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[64];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void test_path(void **state)
{
	char buf[64], small[12];

	(void)state;
	assert_int_equal(nr_keeper_log_path(NULL, "k3x9qa", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/run/netrig/k3x9qa.log");
	assert_int_equal(nr_keeper_log_path("/tmp/x", "k3x9qa", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/tmp/x/k3x9qa.log");
	/* Negative: it does not fit. */
	assert_int_equal(nr_keeper_log_path("/tmp/x", "k3x9qa", small, sizeof(small)),
			 -ENAMETOOLONG);
}

static void test_outcome(void **state)
{
	char path[PATH_MAX], reason[128] = "untouched";

	(void)state;
	snprintf(path, sizeof(path), "%s/a.log", dir);

	/* No log at all: what a successful teardown leaves. */
	assert_int_equal(nr_keeper_log_outcome(path, reason, sizeof(reason)), -ENOENT);

	/* The keeper is alive, or died before its teardown ended. */
	write_file(path, "T keeper 1: holds run k3x9qa\nT keeper 1: SIGTERM from pid 2\n");
	assert_int_equal(nr_keeper_log_outcome(path, reason, sizeof(reason)), -ENODATA);
	assert_string_equal(reason, "untouched");

	write_file(path, "T keeper 1: holds run k3x9qa\n"
			 "T keeper 1: run k3x9qa: teardown failed: 1 namespace(s) not destroyed\n");
	assert_int_equal(nr_keeper_log_outcome(path, reason, sizeof(reason)), 1);
	assert_string_equal(reason, "1 namespace(s) not destroyed");

	/* The last outcome wins: failed, then done by a later retry. */
	write_file(path, "teardown failed: first\nteardown done: 2 namespaces in 3.0 ms\n");
	reason[0] = '\0';
	assert_int_equal(nr_keeper_log_outcome(path, reason, sizeof(reason)), 0);
	assert_string_equal(reason, "");
	write_file(path, "teardown done: 2 namespaces\nteardown failed: second\n");
	assert_int_equal(nr_keeper_log_outcome(path, reason, sizeof(reason)), 1);
	assert_string_equal(reason, "second");

	/* A reason longer than the caller's buffer is cut, not overrun. */
	write_file(path, "teardown failed: 0123456789abcdef\n");
	assert_int_equal(nr_keeper_log_outcome(path, reason, 8), 1);
	assert_string_equal(reason, "0123456");
}

static void test_cap(void **state)
{
	char path[PATH_MAX], line[101], reason[64];
	struct stat st;
	FILE *f, *g;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/b.log", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	f = nr_keeper_log_fdopen(fd, path, 4096);
	assert_non_null(f);
	/* One per process: the keeper's. */
	errno = 0;
	g = nr_keeper_log_fdopen(fd, path, 4096);
	assert_null(g);
	assert_int_equal(errno, EBUSY);

	memset(line, 'x', sizeof(line) - 2);
	line[sizeof(line) - 2] = '\n';
	line[sizeof(line) - 1] = '\0';
	nr_keeper_logf(f, "first");
	for (int i = 0; i < 2000; i++)
		fputs(line, f); /* 200 kB offered */
	nr_keeper_logf(f, "last");
	assert_int_equal(fclose(f), 0);

	assert_int_equal(stat(path, &st), 0);
	/* The cap, plus at most one line-buffered write and the marker. */
	assert_true(st.st_size >= 4096);
	assert_true(st.st_size <= 4096 + BUFSIZ + 64);
	{
		char *text = calloc(1, (size_t)st.st_size + 1);
		FILE *r = fopen(path, "r");
		char *p;
		int marks = 0;

		assert_non_null(text);
		assert_non_null(r);
		assert_int_equal(fread(text, 1, (size_t)st.st_size, r), (size_t)st.st_size);
		fclose(r);
		assert_non_null(strstr(text, " keeper "));
		assert_non_null(strstr(text, ": first\n"));
		/* Dropped past the cap, and said so once. */
		assert_null(strstr(text, ": last\n"));
		for (p = text; (p = strstr(p, "[log full")); p++)
			marks++;
		assert_int_equal(marks, 1);
		free(text);
	}
	assert_int_equal(nr_keeper_log_outcome(path, reason, sizeof(reason)), -ENODATA);

	/* Closed: another may be opened. */
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	assert_true(fd >= 0);
	f = nr_keeper_log_fdopen(fd, path, 1 << 20);
	assert_non_null(f);
	assert_int_equal(fclose(f), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path),
		cmocka_unit_test(test_outcome),
		cmocka_unit_test(test_cap),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
