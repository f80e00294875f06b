/* SPDX-License-Identifier: BSD-2-Clause */
/* One errno -> exit code mapping for every command (DESIGN.md's contract). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>

#include "cli.h"

static void test_exit_for(void **state)
{
	(void)state;
	assert_int_equal(nr_cli_exit_for(-EINVAL), NR_EXIT_USAGE);
	assert_int_equal(nr_cli_exit_for(-ENAMETOOLONG), NR_EXIT_USAGE);
	assert_int_equal(nr_cli_exit_for(-EPERM), NR_EXIT_ENV);
	assert_int_equal(nr_cli_exit_for(-EACCES), NR_EXIT_ENV);
	assert_int_equal(nr_cli_exit_for(-ENOENT), NR_EXIT_ENV);
	assert_int_equal(nr_cli_exit_for(-ENOPKG), NR_EXIT_ENV);
	/* A missing interface, a TUN/TAP held by another process: respond, neigh. */
	assert_int_equal(nr_cli_exit_for(-ENODEV), NR_EXIT_ENV);
	assert_int_equal(nr_cli_exit_for(-EBUSY), NR_EXIT_ENV);
	/* Out of memory and malformed kernel answers are failures, not the environment. */
	assert_int_equal(nr_cli_exit_for(-ENOMEM), NR_EXIT_FAIL);
	assert_int_equal(nr_cli_exit_for(-EBADMSG), NR_EXIT_FAIL);
	assert_int_equal(nr_cli_exit_for(-EAFNOSUPPORT), NR_EXIT_FAIL);
	assert_int_equal(nr_cli_exit_for(-ETIMEDOUT), NR_EXIT_FAIL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_for),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
