#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Emulated hosts in a topology file: `netrig up scenarios/emulated-hosts.yaml`
# and the kernel side of each node talks to hosts only netrig runs.
#
#   nr-RUN-lan                         nr-RUN-p2p
#   tap0 203.0.113.1/24                tun0 192.0.2.1 peer 192.0.2.2
#        2001:db8:5::1/64                  |
#        | keeper: 203.0.113.0/24,         | keeper: every echo request
#        | 2001:db8:5::/120 (arp, ndp,     | (Scapy's ICMPEcho_am mode)
#        | echo, echo6)
#
# 1. ping, ping -6 and arping from lan reach emulated hosts; ip neigh
#    learns their derived MACs; an address outside the prefixes is not
#    answered; the kernel's own address raised no conflict.
# 2. ping from p2p to 192.0.2.2 is answered on the TUN.
# 3. a foreground lab runs the hosts too, and prints their counters.
# 4. netrig down: keeper gone, namespaces gone, nothing left.
source "$(dirname "$0")/lib.sh"
nr_require_netns
command -v ping >/dev/null || nr_skip "ping missing"

FILE="$NETRIG_SOURCE_DIR/scenarios/emulated-hosts.yaml"
RUNS=""
FG=""
TMP=$(mktemp -d)
lh_cleanup() {
	local r
	[ -n "$FG" ] && kill -TERM "$FG" 2>/dev/null && wait "$FG" 2>/dev/null
	for r in $RUNS; do "$NETRIG" down "$r" >/dev/null 2>&1 || true; done
	rm -rf "$TMP"
	nr_cleanup
}
trap lh_cleanup EXIT
trap 'lh_cleanup; exit 129' HUP
trap 'lh_cleanup; exit 130' INT
trap 'lh_cleanup; exit 143' TERM

fail() { echo "FAIL: $*" >&2; exit 1; }

ID=$("$NETRIG" up -q "$FILE") || fail "up: exit $?"
RUNS="$ID"
LAN="nr-$ID-lan"
P2P="nr-$ID-p2p"
ip netns list | grep -q "^$LAN\b" || fail "no namespace $LAN"

# --- 1. the TAP: IPv4 and IPv6 hosts of a prefix ---
ip netns exec "$LAN" ping -c 2 -i 0.2 -W 2 -p 5a5a 203.0.113.77 >"$TMP/p4" ||
	fail "ping 203.0.113.77: $(cat "$TMP/p4")"
grep -q "2 received" "$TMP/p4" || fail "ping 203.0.113.77: $(tail -2 "$TMP/p4")"
ip netns exec "$LAN" ping -6 -c 2 -i 0.2 -W 2 2001:db8:5::42 >"$TMP/p6" ||
	fail "ping -6 2001:db8:5::42: $(cat "$TMP/p6")"
grep -q "2 received" "$TMP/p6" || fail "ping -6: $(tail -2 "$TMP/p6")"
# 2001:db8:5::/120 ends at ::ff: ::1:0 is outside, nobody answers.
if ip netns exec "$LAN" ping -6 -c 1 -W 1 2001:db8:5::1:0 >/dev/null 2>&1; then
	fail "2001:db8:5::1:0 (outside the emulated /120) answered"
fi
neigh4=$(ip -n "$LAN" neigh show 203.0.113.77 dev tap0)
case "$neigh4" in *"lladdr 02:00:cb:00:71:4d"*) ;;
*) fail "ip neigh 203.0.113.77: '$neigh4' (expected the derived 02:00:cb:00:71:4d)" ;; esac
neigh6=$(ip -n "$LAN" -6 neigh show 2001:db8:5::42 dev tap0)
case "$neigh6" in *"lladdr 02:06:00:00:00:42"*) ;;
*) fail "ip neigh 2001:db8:5::42: '$neigh6' (expected 02:06:00:00:00:42)" ;; esac
if command -v arping >/dev/null; then
	out=$(ip netns exec "$LAN" arping -c 1 -w 2 -I tap0 203.0.113.200 2>&1) ||
		fail "arping 203.0.113.200: $out"
	# iputils prints [02:00:CB:00:71:C8], another arping 02:00:cb:00:71:c8
	echo "$out" | grep -qi "02:00:cb:00:71:c8" || fail "arping: no reply from the derived MAC: $out"
	echo "ok: arping 203.0.113.200 answered by 02:00:cb:00:71:c8"
fi
# The kernel's own address was left out: nothing claims 203.0.113.1.
if ip -n "$LAN" neigh show 203.0.113.1 dev tap0 | grep -q lladdr; then
	fail "an emulated host answered for the kernel's own 203.0.113.1"
fi
echo "ok: ping, ping -6 through the TAP; ip neigh learned the derived MACs"

# --- 2. the TUN in compatibility mode ---
ip netns exec "$P2P" ping -c 2 -i 0.2 -W 2 192.0.2.2 >"$TMP/pt" ||
	fail "ping 192.0.2.2 on the TUN: $(cat "$TMP/pt")"
grep -q "2 received" "$TMP/pt" || fail "ping 192.0.2.2: $(tail -2 "$TMP/pt")"
echo "ok: ping 192.0.2.2 answered on the TUN (any mode)"

# --- 4. down: nothing left ---
KPID=$("$NETRIG" list --json 2>/dev/null | $PY -c '
import json, sys
d = json.load(sys.stdin)
for r in d if isinstance(d, list) else d.get("runs", []):
    if r.get("id") == sys.argv[1]:
        print((r.get("owner") or {}).get("pid") or "")' "$ID")
[ -n "$KPID" ] || fail "netrig list --json does not show run $ID with its keeper"
"$NETRIG" down "$ID" >/dev/null || fail "down: exit $?"
RUNS=""
if ip netns list | grep -q "^nr-$ID-"; then
	fail "namespaces left after down: $(ip netns list | grep "^nr-$ID-")"
fi
# Exited (a zombie until its new parent reaps it, which kill -0 still sees).
kstate=$(sed 's/.*) //' "/proc/$KPID/stat" 2>/dev/null | cut -d' ' -f1 || true)
if [ -n "$kstate" ] && [ "$kstate" != Z ] && [ "$kstate" != X ]; then
	fail "keeper $KPID still running after down"
fi
echo "ok: down removed both namespaces; keeper $KPID is gone"

# --- 3. foreground ---
mkfifo "$TMP/out"
"$NETRIG" up --foreground "$FILE" >"$TMP/out" 2>"$TMP/err" &
FG=$!
exec 3<"$TMP/out"
ID=""
for _ in $(seq 1 200); do # bounded: the first line comes when the lab is up
	read -r -t 20 line <&3 || break
	case "$line" in "run "*" is up"*) ID=${line#run }; ID=${ID%% *}; break ;; esac
done
[ -n "$ID" ] || fail "foreground up printed no run line: $(cat "$TMP/err")"
ip netns exec "nr-$ID-lan" ping -c 1 -W 2 203.0.113.9 >/dev/null ||
	fail "foreground lab: ping 203.0.113.9 not answered"
# The TUN deleted under the lab: its reader stops (no loop woken for ever
# by the error: under 0.2 s of CPU in the next second), the TAP answers on.
ip -n "nr-$ID-p2p" link del tun0
sleep 0.3
cpu() { awk '{ print $14 + $15 }' "/proc/$FG/stat"; }
c0=$(cpu)
sleep 1
c1=$(cpu)
[ $((c1 - c0)) -lt 20 ] ||
	fail "foreground lab: $((c1 - c0)) ticks of CPU in 1 s after its TUN was deleted"
ip netns exec "nr-$ID-lan" ping -c 1 -W 2 203.0.113.9 >/dev/null ||
	fail "foreground lab: ping 203.0.113.9 not answered after the TUN went"
echo "ok: a device deleted under the lab: $((c1 - c0)) ticks of CPU in 1 s, the TAP still answers"
kill -TERM "$FG"
wait "$FG" || fail "foreground up: exit $? after SIGTERM"
FG=""
exec 3<&-
grep -q "replies: [1-9]" "$TMP/err" || fail "foreground: no counters printed: $(cat "$TMP/err")"
grep -q "devices: [1-9][0-9]* read errors, 1 deleted under the lab" "$TMP/err" ||
	fail "foreground: the deleted device is not in the counters: $(cat "$TMP/err")"
if ip netns list | grep -q "^nr-$ID-"; then fail "foreground lab left namespaces"; fi
echo "ok: foreground lab answers and prints counters; torn down on SIGTERM"
