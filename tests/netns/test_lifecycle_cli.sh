#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Labs through the CLI: check, up, exec, list, down, clean; never a leak.
#
#   1. every scenarios/*.yaml: check, up, list, exec, down; nothing left
#   2. a bad file: exit 2 with FILE:LINE:COL, nothing created (proved with
#      /run/netrig read-only in a private mount namespace: a run's journal
#      comes before any of its objects, and a good file fails there, exit 3)
#   3. a 100-namespace chain (n0..n99, veth, IPv4 /30s and IPv6 /64s, kernel
#      forwarding) pinged end to end from n0 to n99, then brought down
#          n0:eth1 --- eth0:n1:eth1 --- ... --- eth0:n99
#   4. SIGKILL of `up` during setup, SIGKILL of a live lab's keeper, then
#      `netrig clean` of those two runs: nothing of theirs left (namespaces,
#      journals, logs), while a live run next to them is untouched and
#      refused by name
#   5. SIGINT during setup and SIGTERM to a foreground lab: torn down
#   6. four `up`s at once: four distinct runs, no collision
# Everything is counted by this test's run ids: other tests' labs may come
# and go meanwhile (ctest -j, other build trees), and this test never runs
# a global `netrig clean`, which would take part in their leftovers.
# The root namespace's links, addresses, routes and rules are compared
# before and after everything.
source "$(dirname "$0")/lib.sh"
nr_require_netns
[ -x "$NETRIG" ] || nr_skip "no netrig binary at $NETRIG"

TMP=$(mktemp -d /tmp/nrt-lifecycle-XXXXXX)
RUNS=""
CHAIN="$NETRIG_SOURCE_DIR/tests/bench/chain.py"
fail() { echo "FAIL: $*" >&2; exit 1; }

lc_cleanup() {
	local pid
	for pid in $(cat "$TMP"/pids 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
	# down takes dead runs over too: only this test's runs, by id.
	for r in $RUNS; do "$NETRIG" down "$r" >/dev/null 2>&1 || true; done
	rm -rf "$TMP"
	nr_cleanup
}
trap lc_cleanup EXIT INT TERM HUP

# Namespaces, journal and keeper log of one run id.
leftovers() {
	local id=$1
	ip netns list | awk '{print $1}' | grep "^nr-$id-" || true
	ls /run/netrig 2>/dev/null | grep -e "^$id\.run$" -e "^$id\.log$" || true
}

up() { # up FILE -> run id in $ID
	local out
	out=$("$NETRIG" up -q "$1") || fail "up $1: exit $?"
	ID=$out
	RUNS="$RUNS $ID"
}

down() {
	"$NETRIG" down "$1" >/dev/null || fail "down $1: exit $?"
	RUNS=$(printf '%s\n' $RUNS | grep -vx "$1" | tr '\n' ' ')
	[ -z "$(leftovers "$1")" ] || fail "run $1 left: $(leftovers "$1")"
}

nr_root_state >"$TMP/root.before"

# --- 1. every example ---
for f in "$NETRIG_SOURCE_DIR"/scenarios/*.yaml; do
	"$NETRIG" check "$f" >/dev/null || fail "check $f"
	up "$f"
	"$NETRIG" list --json | $PY -c '
import json, sys
r = [r for r in json.load(sys.stdin) if r["id"] == sys.argv[1]]
assert len(r) == 1 and r[0]["state"] == "live", r
assert r[0]["namespaces"], r' "$ID" || fail "list does not show $ID live"
	node=$(ip netns list | awk '{print $1}' | grep -m1 "^nr-$ID-" | sed "s/^nr-$ID-//")
	[ -n "$node" ] || fail "$f: no namespace of run $ID"
	got=$("$NETRIG" exec "$ID" "$node" -- ip -br link show lo) || fail "exec in $ID $node"
	case "$got" in lo*UP*|lo*UNKNOWN*) ;; *) fail "$f: lo not up in $node: $got" ;; esac
	down "$ID"
	echo "ok: $(basename "$f") up, exec, down"
done

# --- 2. a bad file: exit 2, FILE:LINE:COL, nothing created ---
cat >"$TMP/bad.yaml" <<'EOF'
name: bad
nodes:
  h1: {}
links:
  - { kind: vethh, ends: [h1:eth0, h2:eth0] }
EOF
# `up FILE` with /run/netrig read-only, in a mount namespace of its own
# (private: nothing propagates to the machine's mounts).
up_ro_rundir() {
	mkdir -p /run/netrig
	unshare --mount --propagation private sh -c \
		'mount --bind -o ro /run/netrig /run/netrig && exec "$1" up "$2"' sh "$NETRIG" "$1"
}
set +e
msg=$(up_ro_rundir "$TMP/bad.yaml" 2>&1)
rc=$?
"$NETRIG" check "$TMP/bad.yaml" >/dev/null 2>&1
crc=$?
# The control: a good file gets as far as the journal, and fails there.
gmsg=$(up_ro_rundir "$NETRIG_SOURCE_DIR/scenarios/two-hosts.yaml" 2>&1)
grc=$?
set -e
[ "$rc" -eq 2 ] || fail "up of a bad file: exit $rc, expected 2: $msg"
[ "$crc" -eq 2 ] || fail "check of a bad file: exit $crc, expected 2"
echo "$msg" | grep -q "bad.yaml:5:" || fail "no FILE:LINE:COL in: $msg"
[ "$grc" -eq 3 ] || fail "control: up of a good file with /run/netrig read-only: exit $grc: $gmsg"
echo "$gmsg" | grep -q "Read-only file system" || fail "control: $gmsg"
echo "ok: bad file refused before any journal, with $(echo "$msg" | head -1)"

# --- 3. a 100-namespace chain, pinged end to end ---
$PY "$CHAIN" yaml 100 x --v4 >"$TMP/chain100.yaml"
up "$TMP/chain100.yaml"
[ "$(ip netns list | grep -c "^nr-$ID-")" -eq 100 ] || fail "chain: not 100 namespaces"
"$NETRIG" exec "$ID" n0 -- ping -c1 -W2 203.0.113.138 >"$TMP/ping4" ||
	fail "chain: IPv4 ping n0 -> n99 failed: $(cat "$TMP/ping4")"
# The very first IPv6 echo must pass too: the routers' link-local
# addresses skip DAD (a tentative one makes the kernel send no neighbour
# solicitation for what it forwards, so the first echo used to be lost).
"$NETRIG" exec "$ID" n0 -- ping -6 -c1 -W2 2001:db8:62::2 >"$TMP/ping6" ||
	fail "chain: IPv6 ping n0 -> n99 failed: $(cat "$TMP/ping6")"
# The reply crossed 99 routers: TTL 255 - 98.
grep -q "ttl=157" "$TMP/ping4" || fail "chain: unexpected TTL: $(cat "$TMP/ping4")"
# Negative: an address beyond the chain is unreachable.
if "$NETRIG" exec "$ID" n0 -- ping -c1 -W1 203.0.113.250 >/dev/null 2>&1; then
	fail "chain: ping to an unassigned address succeeded"
fi
down "$ID"
echo "ok: 100-namespace chain pinged end to end (IPv4 and IPv6), brought down"

# --- 4. SIGKILL during setup and of a live keeper, then clean ---
up "$NETRIG_SOURCE_DIR/scenarios/two-hosts.yaml"
LIVE=$ID
mkfifo "$TMP/fifo"
NETRIG_TEST_PAUSE="5:$TMP/fifo" "$NETRIG" up "$TMP/chain100.yaml" >/dev/null 2>&1 &
upid=$!
echo "$upid" >>"$TMP/pids"
read -r line <"$TMP/fifo" # up has reached its 5th phase boundary
KILLED=$(ls -t /run/netrig | grep '\.run$' | while read -r j; do
	if grep -q "^owner $upid " "/run/netrig/$j"; then echo "${j%.run}"; fi; done)
[ -n "$KILLED" ] || fail "no journal of the paused up (pid $upid)"
[ "$(ip netns list | grep -c "^nr-$KILLED-")" -eq 100 ] || fail "paused up: not 100 namespaces"
RUNS="$RUNS $KILLED"
kill -9 "$upid"
wait "$upid" 2>/dev/null || true

up "$NETRIG_SOURCE_DIR/scenarios/tun-scapy.yaml"
KEPT=$ID
keeper=$("$NETRIG" list --json | $PY -c '
import json, sys
print([r for r in json.load(sys.stdin) if r["id"] == sys.argv[1]][0]["owner"]["pid"])' "$KEPT")
kill -9 "$keeper"
# Its lock goes when it is gone: wait for its exit on a pidfd (it is not
# our child), bounded.
$PY -c '
import os, select, sys
try:
    fd = os.pidfd_open(int(sys.argv[1]))
except ProcessLookupError:
    sys.exit(0)
sys.exit(0 if select.select([fd], [], [], 10)[0] else 1)' "$keeper" || fail "keeper $keeper did not die"
"$NETRIG" list --json | $PY -c '
import json, sys
s = {r["id"]: r["state"] for r in json.load(sys.stdin)}
assert s.get(sys.argv[1]) == "dead", s
assert s.get(sys.argv[2]) == "dead", s
assert s.get(sys.argv[3]) == "live", s' "$KILLED" "$KEPT" "$LIVE" || fail "list: wrong states"
# By name: a live run is refused, an unknown one is a usage error.
set +e
"$NETRIG" clean "$LIVE" >/dev/null 2>"$TMP/clean.err"
rc=$?
"$NETRIG" clean zzzzzz >/dev/null 2>&1
urc=$?
set -e
[ "$rc" -eq 1 ] || fail "clean of a live run: exit $rc, expected 1"
grep -q "run $LIVE (two-hosts) is live" "$TMP/clean.err" || fail "clean: $(cat "$TMP/clean.err")"
[ "$urc" -eq 2 ] || fail "clean of an unknown run: exit $urc, expected 2"
"$NETRIG" clean "$KILLED" "$KEPT" >"$TMP/clean" || fail "clean: exit $?"
grep -q "removed run $KILLED (chain100): 100 namespaces" "$TMP/clean" || fail "clean: $(cat "$TMP/clean")"
grep -q "removed run $KEPT (tun-scapy): 1 namespace" "$TMP/clean" || fail "clean: $(cat "$TMP/clean")"
[ "$(wc -l <"$TMP/clean")" -eq 2 ] || fail "clean RUN...: more than the two runs: $(cat "$TMP/clean")"
[ -z "$(leftovers "$KILLED")" ] || fail "clean left $(leftovers "$KILLED")"
[ -z "$(leftovers "$KEPT")" ] || fail "clean left $(leftovers "$KEPT")"
[ "$(ip netns list | grep -c "^nr-$LIVE-")" -eq 2 ] || fail "clean touched the live run $LIVE"
"$NETRIG" exec "$LIVE" h1 -- ping -c1 -W2 198.51.100.2 >/dev/null || fail "live run broken by clean"
RUNS=$(printf '%s\n' $RUNS | grep -vx -e "$KEPT" -e "$KILLED" | tr '\n' ' ')
down "$LIVE"
echo "ok: SIGKILL during setup and of a keeper: clean removed exactly those"

# --- 5. SIGINT during setup, SIGTERM to a foreground lab ---
NETRIG_TEST_PAUSE="3:$TMP/fifo" "$NETRIG" up "$NETRIG_SOURCE_DIR/scenarios/router-chain.yaml" \
	>/dev/null 2>"$TMP/int.err" &
upid=$!
read -r line <"$TMP/fifo"
INTR=$(ls /run/netrig | grep '\.run$' | while read -r j; do
	if grep -q "^owner $upid " "/run/netrig/$j"; then echo "${j%.run}"; fi; done)
[ -n "$INTR" ] || fail "no journal of the paused up"
kill -INT "$upid"
set +e
wait "$upid"
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "interrupted up: exit $rc, expected 1 (torn down)"
[ -z "$(leftovers "$INTR")" ] || fail "SIGINT during setup left $(leftovers "$INTR")"
grep -q "interrupted during setup" "$TMP/int.err" || fail "SIGINT: $(cat "$TMP/int.err")"

mkfifo "$TMP/out"
"$NETRIG" up --foreground -q "$NETRIG_SOURCE_DIR/scenarios/two-hosts.yaml" >"$TMP/out" 2>/dev/null &
fpid=$!
echo "$fpid" >>"$TMP/pids"
read -r FG <"$TMP/out" # the run id, printed once the lab is up
[ "$(ip netns list | grep -c "^nr-$FG-")" -eq 2 ] || fail "foreground lab not up"
kill -TERM "$fpid"
wait "$fpid" || fail "foreground up: exit $? after SIGTERM"
[ -z "$(leftovers "$FG")" ] || fail "SIGTERM to a foreground lab left $(leftovers "$FG")"
echo "ok: SIGINT during setup and SIGTERM to a foreground lab tear down"

# `up` SIGKILLed after the fork, before the keeper says it is ready: the
# keeper must live on (no SIGPIPE) and own the run, which `down` ends.
mkfifo "$TMP/kfifo"
NETRIG_TEST_KEEPER_PAUSE="$TMP/kfifo" "$NETRIG" up -q "$NETRIG_SOURCE_DIR/scenarios/two-hosts.yaml" \
	>/dev/null 2>&1 &
upid=$!
echo "$upid" >>"$TMP/pids"
exec 7<"$TMP/kfifo"
read -r KP <&7
RUNS="$RUNS $KP"
kill -9 "$upid"
wait "$upid" 2>/dev/null || true
# The keeper now writes to a pipe without a reader, then "written" on the
# FIFO; EOF instead means it died there (SIGPIPE).
read -r after <&7 || fail "keeper of $KP died writing to the killed up"
exec 7<&-
[ "$after" = written ] || fail "keeper hook: '$after'"
"$NETRIG" list --json | $PY -c '
import json, sys
s = {r["id"]: r["state"] for r in json.load(sys.stdin)}
assert s.get(sys.argv[1]) == "live", s' "$KP" || fail "keeper died when up was killed before ready"
down "$KP"
echo "ok: up killed before its keeper was ready: the keeper lives, down ends the run"

# --- 6. four ups at once ---
for k in 1 2 3 4; do
	"$NETRIG" up -q "$NETRIG_SOURCE_DIR/scenarios/router-chain.yaml" >"$TMP/par$k" 2>&1 &
done
wait
ids=""
for k in 1 2 3 4; do
	id=$(cat "$TMP/par$k")
	nr_run_id_ok=$(echo "$id" | grep -cx '[a-z2-7]\{6\}' || true)
	[ "$nr_run_id_ok" -eq 1 ] || fail "parallel up $k: $id"
	ids="$ids $id"
	RUNS="$RUNS $id"
done
[ "$(printf '%s\n' $ids | sort -u | wc -l)" -eq 4 ] || fail "parallel runs share an id: $ids"
for id in $ids; do
	[ "$(ip netns list | grep -c "^nr-$id-")" -eq 5 ] || fail "parallel run $id incomplete"
	"$NETRIG" exec "$id" h1 -- ping -c1 -W2 198.51.100.26 >/dev/null || fail "run $id: no ping"
done
for id in $ids; do down "$id"; done
echo "ok: four parallel ups, distinct and working"

nr_root_state >"$TMP/root.after"
diff -u "$TMP/root.before" "$TMP/root.after" || fail "the root namespace changed"
echo "ok: root namespace unchanged"
