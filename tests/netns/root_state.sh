#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The CTest fixture around every netns test (tests/CMakeLists.txt):
#   root_state.sh save FILE   before the first one: the root namespace's
#                             links, addresses, routes and rules
#   root_state.sh check FILE  after the last one: the same, or exit 1 with
#                             the difference
# Issue 3: the root namespace is identical before and after the suite.
set -eu
source "$(dirname "$0")/lib.sh"
[ $# -eq 2 ] || { echo "usage: root_state.sh save|check FILE" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || nr_skip "needs root to read every table"
case $1 in
save)
	nr_root_state >"$2"
	echo "root namespace: $(wc -l <"$2") objects saved in $2"
	;;
check)
	[ -s "$2" ] || { echo "no saved state at $2 (the save step did not run)" >&2; exit 1; }
	now=$(mktemp)
	trap 'rm -f "$now"' EXIT
	nr_root_state >"$now"
	if ! diff -u "$2" "$now"; then
		echo "FAIL: the root namespace changed during the netns tests" >&2
		exit 1
	fi
	echo "ok: root namespace unchanged ($(wc -l <"$now") objects)"
	;;
*)
	echo "usage: root_state.sh save|check FILE" >&2
	exit 2
	;;
esac
