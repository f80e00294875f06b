#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# netrig neigh resolve (getmacbyip over netrig's stack) and the command
# line errors of netrig respond:
#
#   nrt-neigh-a                                nrt-neigh-b
#   v0 198.51.100.1/24  <---- veth ---->  v1 198.51.100.2/24
#      2001:db8:2::1/64                      2001:db8:2::2/64
#   192.0.2.0/24 via 198.51.100.2
#
# The MACs printed are checked against the kernel's (ip link); an absent
# neighbour ends unresolved with exit 1 within --timeout; cached answers
# come from netrig's cache; usage errors exit 2, a missing namespace 3.
set -eu
. "$(dirname "$0")/lib.sh"
nr_require_netns
[ -x "$NETRIG" ] || { echo "FAIL: no netrig binary at $NETRIG"; exit 1; }

fails=0
ok() { echo "ok - $*"; }
fail() { echo "FAIL - $*"; fails=$((fails + 1)); }
check() {
	local d=$1
	shift
	if "$@"; then ok "$d"; else fail "$d"; fi
}

nr_netns A neigh
nr_netns B neigh
ip -n "$A" link add v0 type veth peer name v1 netns "$B"
ip -n "$A" link set v0 up
ip -n "$B" link set v1 up
ip -n "$A" addr add 198.51.100.1/24 dev v0
ip -n "$B" addr add 198.51.100.2/24 dev v1
ip -n "$A" -6 addr add 2001:db8:2::1/64 dev v0 nodad
ip -n "$B" -6 addr add 2001:db8:2::2/64 dev v1 nodad
ip -n "$A" route add 192.0.2.0/24 via 198.51.100.2 dev v0
mac_b=$(ip -n "$B" -o link show v1 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
mac_a=$(ip -n "$A" -o link show v0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')

run() { # run VAR-OUT VAR-RC ARGS...
	local __o __r=0
	__o=$("$NETRIG" "${@:3}" 2>&1) || __r=$?
	eval "$1=\$__o; $2=\$__r"
}

run out rc neigh resolve --netns "$A" --repeat 3 198.51.100.2
check "on-link IPv4: exit 0" test "$rc" -eq 0
check "on-link IPv4: the peer's MAC" grep -q "^198.51.100.2 dev v0 lladdr $mac_b time [0-9.]* us\$" <<<"$out"
check "on-link IPv4: two cached answers" test "$(grep -c '(cached)$' <<<"$out")" -eq 2
echo "$out" | sed 's/^/  # /'

run out rc neigh resolve --netns "$A" 192.0.2.9
check "off-link: the gateway's MAC" grep -q "^192.0.2.9 via 198.51.100.2 dev v0 lladdr $mac_b " <<<"$out"

run out rc neigh resolve --netns "$A" --iface v0 2001:db8:2::2
check "IPv6 (NS/NA): the peer's MAC" grep -q "^2001:db8:2::2 dev v0 lladdr $mac_b " <<<"$out"

run out rc neigh resolve --netns "$A" 198.51.100.1
check "own address: own MAC, no exchange" grep -q "^198.51.100.1 dev v0 lladdr $mac_a " <<<"$out"

run out rc neigh resolve --netns "$A" --iface v0 224.0.0.251
check "multicast: mapped MAC" grep -q "lladdr 01:00:5e:00:00:fb " <<<"$out"

run out rc neigh resolve --netns "$A" --timeout 300 198.51.100.77
check "absent neighbour: exit 1" test "$rc" -eq 1
check "absent neighbour: says so" grep -q "no answer" <<<"$out"

run out rc neigh resolve --netns "$A" 203.0.113.1
check "no route: exit 1" test "$rc" -eq 1

run out rc neigh resolve --netns "$A" not-an-address
check "bad destination: exit 2" test "$rc" -eq 2
run out rc neigh resolve --netns "$A" --timeout 0 198.51.100.2
check "bad timeout: exit 2" test "$rc" -eq 2
run out rc neigh resolve --netns nrt-neigh-absent-$$ 198.51.100.2
check "missing namespace: exit 3" test "$rc" -eq 3
run out rc neigh resolve --netns "$A" --iface nope0 198.51.100.2
check "missing interface: exit 3" test "$rc" -eq 3

# netrig respond's refusals (nothing is created by any of them).
run out rc respond --tap nrtresp$$ --addr 203.0.113.0/24 --kernel-addr 203.0.113.1/24
check "respond: --kernel-addr outside a namespace refused, exit 2" test "$rc" -eq 2
check "respond: ... with a message" grep -q "root) namespace" <<<"$out"
check "respond: ... and no device left behind" eval '! ip link show nrtresp$$ >/dev/null 2>&1'
run out rc respond --netns "$A" --tun tun0 --tap tap0 --addr 203.0.113.0/24
check "respond: two devices, exit 2" test "$rc" -eq 2
run out rc respond --netns "$A" --tap tap0
check "respond: no --addr, exit 2" test "$rc" -eq 2
run out rc respond --netns "$A" --tap tap0 --addr 203.0.113.0/24 --answer arp,dhcp
check "respond: unknown responder, exit 2" test "$rc" -eq 2
check "respond: ... no device left behind" eval '! ip -n "$A" link show tap0 >/dev/null 2>&1'
run out rc respond --netns "$A" --tap tap0 --addr 224.0.0.1/32
check "respond: multicast --addr, exit 2" test "$rc" -eq 2
run out rc respond --netns nrt-neigh-absent-$$ --tap tap0 --addr 203.0.113.0/24
check "respond: missing namespace, exit 3" test "$rc" -eq 3
run out rc respond --netns "$A" --iface nope0 --addr 203.0.113.0/24
check "respond: missing interface, exit 3" test "$rc" -eq 3
run out rc respond --netns "$A" --tun tun0 --any --io threads
check "respond: unknown --io, exit 2" test "$rc" -eq 2
check "respond: ... naming the choices" grep -q "thread, epoll, uring or auto" <<<"$out"
check "respond: ... no device left behind" eval '! ip -n "$A" link show tun0 >/dev/null 2>&1'

if [ "$fails" -ne 0 ]; then
	echo "$fails check(s) failed"
	exit 1
fi
echo "all passed"
