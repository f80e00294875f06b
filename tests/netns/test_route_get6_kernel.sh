#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# Kernel cross-check for tests/unit/test_route_get6.c: builds the same
# topology in a private namespace and checks that `ip -6 route get`
# answers every case the way the unit test expects netrig to. Run with
# --print to show the kernel's answers in the test's notation instead.
#
#   nrt-route6-A                                        nrt-route6-B (peers)
#   lo  ::1
#   va  2001:db8:a::1/64  fe80::a/64  --------------- pa
#   vb  2001:db8:b::1/64  fe80::b/64  --------------- pb
#   vc  2001:db8:c::1/64  (no link-local) ----------- pc
#   vd  (no address)                   -------------- pd
#
# No automatic link-local addresses (addr_gen_mode none), every address
# nodad, so the tables do not depend on timing; the script waits (on
# netlink events, with a deadline) until every device's ff00::/8 route is
# in. IPv6 forwarding stays off, the default of a new namespace.
#
# Exit 77 when namespaces cannot be made (not root).
set -u
A=nrt-route6-A-$$
B=nrt-route6-B-$$
FIFO=""
MPID=""
PRINT=0
[ "${1:-}" = "--print" ] && PRINT=1

[ "$(id -u)" = 0 ] || exit 77
command -v ip >/dev/null 2>&1 || exit 77
cleanup() {
	[ -n "$MPID" ] && kill "$MPID" 2>/dev/null
	[ -n "$FIFO" ] && rm -rf "$(dirname "$FIFO")"
	ip netns del "$A" 2>/dev/null
	ip netns del "$B" 2>/dev/null
}
trap cleanup EXIT INT TERM
ip netns add "$A" || exit 77
ip netns add "$B" || exit 77

a() { ip -n "$A" "$@"; }
r6() { ip -n "$A" -6 route "$@" || { echo "ip -6 route $* failed"; exit 1; }; }

# settle N: wait for N ff00::/8 routes (added when a device gets carrier,
# asynchronously) and no tentative address, reading route and address
# events; give up after 5 seconds.
settle() {
	local want=$1 end=$(($(date +%s) + 5)) n t
	FIFO=$(mktemp -d)/events
	mkfifo "$FIFO"
	ip -n "$A" monitor route address >"$FIFO" &
	MPID=$!
	exec 3<"$FIFO"
	while :; do
		n=$(a -6 route show table local type multicast | wc -l)
		t=$(a -6 addr show tentative | grep -c inet6)
		[ "$n" -ge "$want" ] && [ "$t" = 0 ] && break
		if [ "$(date +%s)" -ge "$end" ]; then
			echo "settle: timeout ($n multicast routes, $t tentative addresses)"
			exit 1
		fi
		read -r -t 1 -u 3 _ || true
	done
	kill "$MPID"
	wait "$MPID" 2>/dev/null
	MPID=""
	exec 3<&-
	rm -rf "$(dirname "$FIFO")"
	FIFO=""
}

for ns in "$A" "$B"; do
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.addr_gen_mode=1 \
		net.ipv6.conf.default.addr_gen_mode=1 net.ipv6.conf.all.forwarding=0
done
set -e
a link set lo up
for x in a b c d; do
	a link add v$x type veth peer name p$x netns "$B"
	ip -n "$B" link set p$x up
done
a addr add 2001:db8:a::1/64 dev va nodad
a addr add fe80::a/64 dev va nodad
a addr add 2001:db8:b::1/64 dev vb nodad
a addr add fe80::b/64 dev vb nodad
a addr add 2001:db8:c::1/64 dev vc nodad
for x in a b c d; do a link set v$x up; done
set +e
settle 4
# The order of the ff00::/8 routes decides ff02::1 without oif.
got=$(a -6 route show table local type multicast | awk '{print $4}' | tr '\n' ' ')
if [ "$got" != "va vb vc vd " ]; then
	echo "unexpected ff00::/8 order: $got"
	exit 1
fi

r6 add default via 2001:db8:a::ff dev va metric 1024
r6 add 2001:db8:1000::/48 via 2001:db8:c::ff metric 50 pref low
r6 add 2001:db8:1000::/48 via 2001:db8:a::ff metric 100
r6 add 2001:db8:1000::/48 via 2001:db8:a::fe metric 200 pref high
r6 add 2001:db8:2000::/48 via fe80::1 dev vb
r6 add 2001:db8:3000::/48 from 2001:db8:a::/64 via 2001:db8:a::f1
r6 add 2001:db8:3000::/48 via 2001:db8:b::f2
r6 add 2001:db8:3000::/56 via 2001:db8:c::f5
r6 add 2001:db8:3000::/44 via 2001:db8:c::f4
r6 add 2001:db8:3100::/48 from 2001:db8:a::/64 via 2001:db8:a::f1
r6 add 2001:db8:3100::/48 via 2001:db8:b::f2
r6 add 2001:db8:3100::/44 via 2001:db8:c::f4
r6 add 2001:db8:4000::/48 via 2001:db8:c::ff src 2001:db8:a::1
r6 add 2001:db8:5000::/48 nexthop via 2001:db8:a::f1 dev va nexthop via 2001:db8:b::f2 dev vb
r6 add 2001:db8:5000::/48 via 2001:db8:c::f9 metric 2000
r6 add 2001:db8:8000::/48 dev va metric 10
r6 add 2001:db8:8000::/48 dev vc metric 5 pref low
r6 add 2001:db8:8100::/48 dev va metric 10
r6 add 2001:db8:8100::/48 dev vb metric 20 pref high
r6 add 2001:db8:8100::/48 dev vc metric 30 pref low
r6 add 2001:db8:8200::/48 via 2001:db8:a::e1 metric 10
r6 add 2001:db8:8200::/48 via 2001:db8:b::e2 metric 20
a -6 neigh add 2001:db8:a::e1 dev va nud failed || exit 1
r6 add unreachable 2001:db8:200::/48
r6 add prohibit 2001:db8:201::/48
r6 add blackhole 2001:db8:202::/48
r6 add throw 2001:db8:203::/48
r6 add local 2001:db8:8300::/48 dev vb table 100
r6 add local 2001:db8:8300::/64 dev vc
r6 add 2001:db8:6000::/48 via 2001:db8:b::f6 table 100
r6 add default via 2001:db8:c::f7 table 100
r6 add throw 2001:db8:6100::/48 table 100
r6 add unreachable 2001:db8:6200::/48 table 100
r6 add 2001:db8:6100::/48 via 2001:db8:a::f8
r6 add 2001:db8:6300::/48 via 2001:db8:a::f9

fail=0
n=0
# check 'ARGS' 'EXPECTED': EXPECTED is "error type table dev gateway src", or
# several such answers separated by '|' when any of them is right (ECMP).
check() {
	got=$(ip -n "$A" -6 -d -j route get $1 2>&1 | /usr/bin/python3 -c '
import json, sys
t = sys.stdin.read().strip()
if not t.startswith("["):
    m = {"Network is unreachable": "ENETUNREACH", "No route to host": "EHOSTUNREACH",
         "Permission denied": "EACCES", "Invalid argument": "EINVAL", "No such device": "ENODEV",
         "Message too long": "EMSGSIZE"}
    print(next((v for k, v in m.items() if k in t), "?" + t))
    sys.exit(0)
r = json.loads(t)[0]
print("0", r.get("type", "unicast"), r.get("table", "-"), r.get("dev", "-"),
      r.get("gateway", "-"), r.get("prefsrc", "-"))
')
	n=$((n + 1))
	if [ $PRINT = 1 ]; then
		printf '%-45s %s\n' "$1" "$got"
	elif ! printf '%s\n' "$2" | tr '|' '\n' | grep -qxF "$got"; then
		echo "case $n: ip -6 route get $1: kernel '$got', expected '$2'"
		fail=1
	fi
}

# Phase 1: the kernel's default rules (local, then main).
check "2001:db8:a::1" "0 local local lo - 2001:db8:a::1"
check "2001:db8:a::5" "0 unicast main va - 2001:db8:a::1"
check "2001:db8:99::1" "0 unicast main va 2001:db8:a::ff 2001:db8:a::1"
check "2001:db8:1000::1" "0 unicast main vc 2001:db8:c::ff 2001:db8:c::1"
check "2001:db8:1000::1 oif vb" "ENETUNREACH"
check "2001:db8:1000::1 oif va" "0 unicast main va 2001:db8:a::fe 2001:db8:a::1"
check "2001:db8:1000::1 from 2001:db8:b::1 oif vb" "0 unicast main vc 2001:db8:c::ff 2001:db8:c::1"
check "2001:db8:2000::1" "0 unicast main vb fe80::1 2001:db8:b::1"
check "2001:db8:3000::1" "0 unicast main vc 2001:db8:c::f5 2001:db8:c::1"
check "2001:db8:3000::1 oif vb" "0 unicast main vb 2001:db8:b::f2 2001:db8:b::1"
check "2001:db8:3000::1 oif va" "0 unicast main va 2001:db8:a::ff 2001:db8:a::1"
check "2001:db8:3000::1 from 2001:db8:a::1" "0 unicast main vc 2001:db8:c::f5 2001:db8:c::1"
check "2001:db8:3000::1 from 2001:db8:a::1 oif va" "0 unicast main vc 2001:db8:c::f5 2001:db8:c::1"
check "2001:db8:3000:1000::1 from 2001:db8:a::1" "0 unicast main va 2001:db8:a::f1 2001:db8:a::1"
check "2001:db8:3100::1" "0 unicast main vc 2001:db8:c::f4 2001:db8:c::1"
check "2001:db8:3100::1 from 2001:db8:a::1" "0 unicast main va 2001:db8:a::f1 2001:db8:a::1"
check "2001:db8:3100::1 from 2001:db8:b::1" "0 unicast main vc 2001:db8:c::f4 2001:db8:c::1"
check "2001:db8:3100::1 oif vb" "ENETUNREACH"
check "2001:db8:4000::1" "0 unicast main vc 2001:db8:c::ff 2001:db8:a::1"
check "2001:db8:4000::1 from 2001:db8:b::1" "0 unicast main vc 2001:db8:c::ff 2001:db8:a::1"
check "2001:db8:5000::1" "0 unicast main va 2001:db8:a::f1 2001:db8:a::1|0 unicast main vb 2001:db8:b::f2 2001:db8:b::1"
check "2001:db8:5000::1 oif vb" "0 unicast main vb 2001:db8:b::f2 2001:db8:b::1"
check "2001:db8:5000::1 oif vc" "0 unicast main vc 2001:db8:c::f9 2001:db8:c::1"
check "2001:db8:8000::1" "0 unicast main vc - 2001:db8:c::1"
check "2001:db8:8000::1 oif va" "0 unicast main va - 2001:db8:a::1"
check "2001:db8:8100::1 oif vc" "0 unicast main vc - 2001:db8:c::1"
check "2001:db8:8100::1 oif vd from 2001:db8:a::1" "0 unicast main va - 2001:db8:a::1"
check "2001:db8:8200::1" "0 unicast main vb 2001:db8:b::e2 2001:db8:b::1"
check "2001:db8:200::1" "EHOSTUNREACH"
check "2001:db8:201::1" "EACCES"
check "2001:db8:202::1" "EINVAL"
check "2001:db8:203::1" "ENETUNREACH"
check "fe80::1" "0 unicast main va - fe80::a"
check "fe80::1 oif vb" "0 unicast main vb - fe80::b"
check "fe80::1 oif vc" "ENETUNREACH"
check "fe80::b" "0 local local lo - fe80::b"
check "fe80::b oif va" "0 unicast main va - fe80::a"
check "ff02::1" "0 multicast local va - fe80::a"
check "ff02::1 oif vb" "0 multicast local vb - fe80::b"
check "ff02::1 oif vd" "0 multicast local vd - -"
check "ff05::1" "0 multicast local va - 2001:db8:a::1"
check "::1" "0 local local lo - ::1"
check "::" "0 unicast main va 2001:db8:a::ff fe80::a"
check "2001:db8:a::1 oif vb" "ENETUNREACH"
check "2001:db8:a::1 oif va" "0 local local lo - 2001:db8:a::1"
check "2001:db8:99::1 from 2001:db8:77::1" "0 unicast main va 2001:db8:a::ff 2001:db8:a::1"
check "2001:db8:99::1 oif vb" "ENETUNREACH"
check "2001:db8:99::1 from 2001:db8:b::1 oif vb" "0 unicast main va 2001:db8:a::ff 2001:db8:a::1"
check "2001:db8:8300::1" "0 local local lo - 2001:db8:c::1"
check "2001:db8:8300:1::1" "0 unicast main va 2001:db8:a::ff 2001:db8:a::1"
check "2001:db8:99::1 iif vb" "0 unicast main va 2001:db8:a::ff -"
check "2001:db8:a::1 from 2001:db8:b::5 iif vb" "0 local local lo - -"
check "fe80::99 iif vb" "0 unicast main vb - -"
check "fe80::99 iif vc" "ENETUNREACH"
check "ff02::2 iif vb" "EMSGSIZE"
check "2001:db8:202::1 iif vb" "EINVAL"
check "2001:db8:4000::1 iif vb" "0 unicast main vc 2001:db8:c::ff 2001:db8:a::1"
check "2001:db8:5000::1 iif vc" "0 unicast main va 2001:db8:a::f1 -|0 unicast main vb 2001:db8:b::f2 -"

set -e
a -6 rule add from 2001:db8:b::1 lookup 100 pref 100
a -6 rule add fwmark 1 lookup 100 pref 110
a -6 rule add fwmark 2 unreachable pref 120
a -6 rule add fwmark 3 prohibit pref 130
a -6 rule add fwmark 4 blackhole pref 140
a -6 rule add fwmark 5 lookup main suppress_prefixlength 0 pref 150
a -6 rule add fwmark 5 lookup 100 pref 151
a -6 rule add fwmark 6 lookup 999 pref 160
a -6 rule add to 2001:db8:6300::/48 lookup 100 pref 170
a -6 rule add to 2001:db8:8300::/48 lookup 100 pref 171
a -6 rule add iif vb prohibit pref 180
a -6 rule add iif lo fwmark 8 lookup 100 pref 190
a -6 rule add fwmark 9 goto 210 pref 195
a -6 rule add fwmark 9 prohibit pref 200
a -6 rule add fwmark 9 lookup 100 pref 210
a -6 rule add tos 0x10 lookup 100 pref 220
set +e

# Phase 2: custom rules.
check "2001:db8:6000::1 from 2001:db8:b::1" "0 unicast 100 vb 2001:db8:b::f6 2001:db8:b::1"
check "2001:db8:6000::1" "0 unicast main va 2001:db8:a::ff 2001:db8:a::1"
check "2001:db8:6000::1 mark 1" "0 unicast 100 vb 2001:db8:b::f6 2001:db8:b::1"
check "2001:db8:7000::1 mark 1" "0 unicast 100 vc 2001:db8:c::f7 2001:db8:c::1"
check "2001:db8:6100::1 mark 1" "0 unicast main va 2001:db8:a::f8 2001:db8:a::1"
check "2001:db8:6200::1 mark 1" "EHOSTUNREACH"
check "2001:db8:6000::1 mark 2" "ENETUNREACH"
check "2001:db8:6000::1 mark 3" "EACCES"
check "2001:db8:6000::1 mark 4" "EINVAL"
check "2001:db8:6000::1 mark 5" "0 unicast 100 vb 2001:db8:b::f6 2001:db8:b::1"
check "2001:db8:a::5 mark 5" "0 unicast main va - 2001:db8:a::1"
check "2001:db8:7000::1 mark 6" "0 unicast main va 2001:db8:a::ff 2001:db8:a::1"
check "2001:db8:6300::1" "0 unicast 100 vc 2001:db8:c::f7 2001:db8:c::1"
check "2001:db8:8300:1::1" "0 local 100 lo - 2001:db8:b::1"
check "2001:db8:8300:1::1 oif va" "0 unicast main va 2001:db8:a::ff 2001:db8:a::1"
check "2001:db8:8300:1::1 oif vb" "0 local 100 lo - 2001:db8:b::1"
check "2001:db8:99::1 iif vb" "EACCES"
check "2001:db8:99::1 iif va" "0 unicast main va 2001:db8:a::ff -"
check "2001:db8:7000::1 mark 8" "0 unicast 100 vc 2001:db8:c::f7 2001:db8:c::1"
check "2001:db8:7000::1 mark 8 iif va" "0 unicast main va 2001:db8:a::ff -"
check "2001:db8:7000::1 mark 9" "0 unicast 100 vc 2001:db8:c::f7 2001:db8:c::1"
check "2001:db8:7000::1 tos 0x10" "0 unicast 100 vc 2001:db8:c::f7 2001:db8:c::1"
check "2001:db8:a::1 mark 1" "0 local local lo - 2001:db8:a::1"
check "2001:db8:b::1 from 2001:db8:b::1" "0 local local lo - 2001:db8:b::1"

# test_neighbour_alternatives: a gateway route and a device route of equal
# metric (equal metrics need `append`); with the gateway's neighbour FAILED
# the device route wins.
r6 add 2001:db8:8400::/48 via 2001:db8:a::e3 metric 10
r6 append 2001:db8:8400::/48 dev vb metric 10
check "2001:db8:8400::1" "0 unicast main va 2001:db8:a::e3 2001:db8:a::1"
a -6 neigh add 2001:db8:a::e3 dev va nud failed || exit 1
check "2001:db8:8400::1" "0 unicast main vb - 2001:db8:b::1"

[ $PRINT = 1 ] || echo "$n cases checked against the kernel"
exit $fail
