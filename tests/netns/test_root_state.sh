#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# root_state.sh (the fixture around the netns tests) can fail: a saved
# state that differs from the root namespace's (one object left out, one
# changed) is reported; an unchanged one passes; a missing one fails.
# Nothing here touches the root namespace: only the saved file is edited.
set -eu
source "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || nr_skip "needs root"
RS="$(dirname "$0")/root_state.sh"
TMP=$(mktemp -d /tmp/nrt-rootstate.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$RS" save "$TMP/s" >/dev/null || fail "save"
[ "$(wc -l <"$TMP/s")" -ge 6 ] || fail "saved state too small: $(cat "$TMP/s")"
"$RS" check "$TMP/s" >/dev/null || fail "unchanged state reported as changed"

sed '1d' "$TMP/s" >"$TMP/missing"
if "$RS" check "$TMP/missing" >/dev/null 2>&1; then fail "an object left out went unnoticed"; fi

sed '1s/"mtu": *[0-9]*/"mtu": 1234/' "$TMP/s" >"$TMP/changed"
cmp -s "$TMP/s" "$TMP/changed" && fail "test fixture: no mtu to change in the first object"
if "$RS" check "$TMP/changed" >/dev/null 2>&1; then fail "a changed MTU went unnoticed"; fi

if "$RS" check "$TMP/none" >/dev/null 2>&1; then fail "a missing saved state passed"; fi
echo "ok: root_state.sh detects a missing and a changed object"
