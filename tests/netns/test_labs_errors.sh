#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# The lab commands' help and error paths, as a user meets them: every
# exit code their --help documents, and a message that says what to do.
#
#   h1 [eth0] ------------------ [eth0] h2      (scenarios/two-hosts.yaml)
#
# 1. --help of up, down, exec, list, clean, check: exit 0, on stdout,
#    with an "exit:" line; a bad option: usage on stderr, exit 2.
# 2. A run id that does not exist, or is not one: down, exec, clean exit 2
#    ("no run"); exec of an unknown node exits 2 naming the run's nodes.
# 3. exec: '--' may be left out; an option after RUN NODE is refused
#    (exit 2) instead of being run; CMD's status passes through (7;
#    128+15 when killed by SIGTERM); 127 not found, 126 not executable.
# 4. --timeout: 124 when CMD outlives it (SIGTERM), also when CMD ignores
#    SIGTERM (SIGKILL 2 s later), with a message; nothing CMD started is
#    left in the node; a CMD that ends in time keeps its own status.
# 5. A run that is gone: down and exec exit 2.
source "$(dirname "$0")/lib.sh"
nr_require_netns
[ -x "$NETRIG" ] || nr_skip "no netrig binary at $NETRIG"

FILE="$NETRIG_SOURCE_DIR/scenarios/two-hosts.yaml"
RUNS=""
TMP=$(mktemp -d /tmp/nrt-labs-err-XXXXXX)
fail() { echo "FAIL: $*" >&2; exit 1; }

le_cleanup() {
	local r
	for r in $RUNS; do "$NETRIG" down "$r" >/dev/null 2>&1 || true; done
	rm -rf "$TMP"
	nr_cleanup
}
trap le_cleanup EXIT
trap 'le_cleanup; exit 129' HUP
trap 'le_cleanup; exit 130' INT
trap 'le_cleanup; exit 143' TERM

# expect CODE PATTERN CMD...: run netrig CMD..., check its exit code and
# that stderr matches PATTERN (grep -E), or is empty when PATTERN is "-".
expect() {
	local code=$1 pat=$2 rc
	shift 2
	set +e
	"$NETRIG" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	set -e
	[ "$rc" -eq "$code" ] || fail "netrig $*: exit $rc, expected $code: $(cat "$TMP/err")"
	if [ "$pat" = - ]; then
		[ ! -s "$TMP/err" ] || fail "netrig $*: unexpected stderr '$(cat "$TMP/err")'"
		return 0
	fi
	grep -Eq -- "$pat" "$TMP/err" || fail "netrig $*: stderr '$(cat "$TMP/err")' lacks /$pat/"
}

# --- 1. help ---
for c in up down exec list clean check; do
	"$NETRIG" "$c" --help >"$TMP/help" 2>"$TMP/err" || fail "$c --help: exit $?"
	grep -q "^usage: netrig $c" "$TMP/help" || fail "$c --help: $(head -1 "$TMP/help")"
	grep -q "^exit: " "$TMP/help" || fail "$c --help documents no exit codes"
	[ ! -s "$TMP/err" ] || fail "$c --help wrote to stderr"
done
for c in up down exec list clean check; do
	expect 2 "^usage: netrig $c" "$c" --no-such-option
done
# check: a file named like an option, after "--", is a file.
expect 2 "^netrig: -x\.yaml: No such file" check -- -x.yaml
echo "ok: --help of the lab commands, exit codes documented; bad options exit 2"

# --- 2. no such run, no such node ---
for bad in zzzzzz 'BAD!'; do
	expect 2 "down: no run '$bad'" down "$bad"
	expect 2 "exec: no run '$bad'" exec "$bad" h1 -- true
	expect 2 "clean: no run '$bad'" clean "$bad"
done
ID=$("$NETRIG" up -q "$FILE") || fail "up: exit $?"
RUNS=$ID
expect 2 "run $ID \(two-hosts\) has no node 'h3' \(nodes: h1, h2\)" exec "$ID" h3 -- true
echo "ok: unknown runs and nodes exit 2 and say what exists"

# --- 3. exec's command line and statuses ---
out=$("$NETRIG" exec "$ID" h1 ip -br link show lo) || fail "exec without --: exit $?"
case "$out" in lo\ *) ;; *) fail "exec without --: '$out'" ;; esac
expect 2 "options go before RUN" exec "$ID" h1 --timeout 1 true
expect 7 - exec "$ID" h1 -- sh -c 'exit 7'
expect 143 - exec "$ID" h1 -- sh -c 'kill -TERM $$'
expect 127 "exec: nrt-no-such-command: No such file" exec "$ID" h1 -- nrt-no-such-command
printf 'not a program\n' >"$TMP/notexec"
chmod 644 "$TMP/notexec"
expect 126 "exec: $TMP/notexec: Permission denied" exec "$ID" h1 -- "$TMP/notexec"
echo "ok: exec without --, options refused after NODE, statuses 7, 143, 127, 126"

# --- 4. --timeout ---
t0=$(date +%s%N)
expect 124 "sleep timed out after 0.3 s \(terminated\); exit 124" \
	exec --timeout 0.3 "$ID" h1 -- sleep 30
t1=$(date +%s%N)
[ $(((t1 - t0) / 1000000)) -lt 10000 ] || fail "--timeout 0.3 took $(((t1 - t0) / 1000000)) ms"
# SIGTERM ignored (exec keeps SIG_IGN): SIGKILL 2 s later, still 124.
expect 124 "timed out after 0.3 s \(killed\); exit 124" \
	exec --timeout 0.3 "$ID" h1 -- sh -c 'trap "" TERM; exec sleep 30'
t2=$(date +%s%N)
[ $(((t2 - t1) / 1000000)) -ge 2000 ] || fail "SIGKILL came before the 2 s grace"
[ $(((t2 - t1) / 1000000)) -lt 12000 ] || fail "SIGKILL after $(((t2 - t1) / 1000000)) ms"
# What CMD started goes too (its own process group, stdin not a terminal):
# a child that outlives its shell, and one that ignores SIGTERM as well.
expect 124 "timed out" exec --timeout 0.3 "$ID" h1 -- sh -c 'sleep 30; :' </dev/null
left=$(ip netns pids "nr-$ID-h1")
[ -z "$left" ] || fail "--timeout left processes in h1: $(ps -o pid,args -p "$(echo $left | tr ' ' ,)")"
expect 124 "timed out" exec --timeout 0.3 "$ID" h1 -- \
	sh -c '(trap "" TERM; exec sleep 30) & exec sleep 31' </dev/null
left=$(ip netns pids "nr-$ID-h1")
[ -z "$left" ] || fail "--timeout left processes in h1: $(ps -o pid,args -p "$(echo $left | tr ' ' ,)")"
# Negative: a command that ends in time keeps its status, and no message.
expect 3 - exec --timeout 20 "$ID" h1 -- sh -c 'exit 3'
expect 2 "bad --timeout '0'" exec --timeout 0 "$ID" h1 -- true
echo "ok: --timeout expiry exits 124 (SIGTERM, or SIGKILL 2 s later), with a message"

# --- 5. a run that is gone ---
"$NETRIG" down "$ID" >/dev/null || fail "down: exit $?"
RUNS=""
expect 2 "down: no run '$ID'" down "$ID"
expect 2 "exec: no run '$ID'" exec "$ID" h1 -- true
echo "ok: a run that is gone: down and exec exit 2"
