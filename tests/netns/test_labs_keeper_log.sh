#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# The keeper's log (/run/netrig/RUN.log) and what `down` and `list` say
# when the keeper's teardown fails.
#
#   h1 [eth0] ------------------ [eth0] h2      (scenarios/two-hosts.yaml)
#
# 1. `up` names the log; it says the keeper holds the run; a plain `down`
#    exits 0 and leaves neither log nor journal.
# 2. A journal naming a namespace that is not the run's (the teardown
#    refuses it, -EPERM): `down` exits 1 with that reason and the log's
#    path; the log records the SIGTERM and the failure; `list` (text and
#    JSON) shows the dead run and why; `clean RUN` finishes once the
#    journal is mended, and then the log is gone too.
# 3. A namespace pinned by an fd outside it (this shell): the keeper's
#    wait for the kernel times out (10 s); `down` exits 1 saying so (it
#    used to retry over the unlinked names and report success); once the
#    fd is closed, `down` again finishes (exit 0) and says the first
#    attempt had failed.
source "$(dirname "$0")/lib.sh"
nr_require_netns
[ -x "$NETRIG" ] || nr_skip "no netrig binary at $NETRIG"

FILE="$NETRIG_SOURCE_DIR/scenarios/two-hosts.yaml"
RUNS=""
TMP=$(mktemp -d /tmp/nrt-labs-log-XXXXXX)
fail() { echo "FAIL: $*" >&2; exit 1; }

kl_cleanup() {
	local r
	exec 9<&- 2>/dev/null || true
	for r in $RUNS; do
		# Mend a journal this test spoiled, so down can take it.
		[ -f "/run/netrig/$r.run" ] && sed -i '/^ns nrt-labs-foreign$/d' "/run/netrig/$r.run"
		"$NETRIG" down "$r" >/dev/null 2>&1 || true
	done
	rm -rf "$TMP"
	nr_cleanup
}
trap kl_cleanup EXIT
trap 'kl_cleanup; exit 129' HUP
trap 'kl_cleanup; exit 130' INT
trap 'kl_cleanup; exit 143' TERM

# Only this run's objects: namespaces, journal, log.
leftovers() {
	ip netns list | awk '{print $1}' | grep "^nr-$1-" || true
	ls /run/netrig 2>/dev/null | grep -e "^$1\.run$" -e "^$1\.log$" || true
}

list_field() { # RUN FIELD: a field of RUN in `list --json` ("" if absent or null)
	"$NETRIG" list --json | $PY -c '
import json, sys
r = [r for r in json.load(sys.stdin) if r["id"] == sys.argv[1]]
v = r[0].get(sys.argv[2]) if r else None
print("" if v is None else v)' "$1" "$2"
}

# --- 1. up names the log; a plain down removes it ---
"$NETRIG" up "$FILE" >"$TMP/up.out" || fail "up: exit $?"
ID=$(sed -n 's/^run \([a-z2-7]\{6\}\) .* is up:.*/\1/p' "$TMP/up.out")
[ -n "$ID" ] || fail "no run id in: $(cat "$TMP/up.out")"
RUNS=$ID
LOG=/run/netrig/$ID.log
grep -qF "keeper's log: $LOG" "$TMP/up.out" || fail "up does not name $LOG: $(cat "$TMP/up.out")"
[ -f "$LOG" ] || fail "no $LOG"
keeper=$(list_field "$ID" owner | $PY -c 'import ast, sys; print(ast.literal_eval(sys.stdin.read())["pid"])')
grep -q "keeper $keeper: holds run $ID" "$LOG" || fail "log: $(cat "$LOG")"
[ "$(list_field "$ID" log)" = "$LOG" ] || fail "list --json: log is not $LOG"
[ -z "$(list_field "$ID" teardown_error)" ] || fail "list: a live run with a teardown error"
"$NETRIG" down "$ID" >"$TMP/down.out" 2>&1 || fail "down: exit $?: $(cat "$TMP/down.out")"
[ -z "$(leftovers "$ID")" ] || fail "down left $(leftovers "$ID")"
RUNS=""
echo "ok: up names $LOG; down exits 0 and leaves nothing, the log included"

# --- 2. the keeper's teardown refuses a foreign name ---
ID=$("$NETRIG" up -q "$FILE") || fail "up: exit $?"
RUNS=$ID
LOG=/run/netrig/$ID.log
echo "ns nrt-labs-foreign" >>"/run/netrig/$ID.run"
set +e
"$NETRIG" down "$ID" >"$TMP/down.out" 2>"$TMP/down.err"
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "down with a failing teardown: exit $rc, expected 1"
grep -q "the keeper's teardown failed: .*'nrt-labs-foreign'" "$TMP/down.err" ||
	fail "down does not say why: $(cat "$TMP/down.err")"
grep -qF "its log: $LOG" "$TMP/down.err" || fail "down does not name the log: $(cat "$TMP/down.err")"
grep -q "SIGTERM from pid [0-9]*: tearing down" "$LOG" || fail "log: $(cat "$LOG")"
grep -q "teardown failed: .*nrt-labs-foreign" "$LOG" || fail "log: $(cat "$LOG")"
# The run's own namespaces went; the journal stays, dead, with the reason.
[ -z "$(ip netns list | awk '{print $1}' | grep "^nr-$ID-")" ] || fail "namespaces of $ID left"
[ "$(list_field "$ID" state)" = dead ] || fail "list: $ID is not dead"
case "$(list_field "$ID" teardown_error)" in *nrt-labs-foreign*) ;;
*) fail "list --json: teardown_error '$(list_field "$ID" teardown_error)'" ;; esac
"$NETRIG" list >"$TMP/list"
grep -A1 "^$ID " "$TMP/list" | grep -q "teardown failed: .*nrt-labs-foreign" ||
	fail "list: $(cat "$TMP/list")"
grep -qF "log $LOG" "$TMP/list" || fail "list does not name $LOG"
# Mended, `clean RUN` finishes it: journal and log go.
sed -i '/^ns nrt-labs-foreign$/d' "/run/netrig/$ID.run"
"$NETRIG" clean "$ID" >"$TMP/clean" || fail "clean $ID: exit $?"
grep -q "removed run $ID (two-hosts)" "$TMP/clean" || fail "clean: $(cat "$TMP/clean")"
[ -z "$(leftovers "$ID")" ] || fail "clean $ID left $(leftovers "$ID")"
RUNS=""
echo "ok: a refused teardown: down exits 1 with the reason and the log, list shows it, clean finishes"

# --- 3. a pinned namespace: the keeper's wait times out ---
ID=$("$NETRIG" up -q "$FILE") || fail "up: exit $?"
RUNS=$ID
LOG=/run/netrig/$ID.log
exec 9<"/run/netns/nr-$ID-h1"
set +e
"$NETRIG" down --timeout 30 "$ID" >"$TMP/down.out" 2>"$TMP/down.err"
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "down of a pinned run: exit $rc, expected 1: $(cat "$TMP/down.out")"
grep -q "the keeper's teardown failed: .*not destroyed in time" "$TMP/down.err" ||
	fail "down: $(cat "$TMP/down.err")"
case "$(list_field "$ID" teardown_error)" in *"not destroyed in time"*) ;;
*) fail "list --json: teardown_error '$(list_field "$ID" teardown_error)'" ;; esac
exec 9<&-
"$NETRIG" down "$ID" >"$TMP/down.out" 2>"$TMP/down.err" ||
	fail "down after the pin went: exit $?: $(cat "$TMP/down.err")"
grep -q "its keeper's teardown had failed: .*not destroyed in time" "$TMP/down.err" ||
	fail "down does not recall the failure: $(cat "$TMP/down.err")"
[ -z "$(leftovers "$ID")" ] || fail "down left $(leftovers "$ID")"
RUNS=""
echo "ok: a pinned namespace: down exits 1 with the reason; once unpinned, down finishes"
