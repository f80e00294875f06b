#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# Kernel cross-check for tests/unit/test_route_get4.c: builds the same
# topology in a private namespace and checks that `ip route get` answers
# every case the way the unit test expects netrig to. Run with --print to
# show the kernel's answers in the test's notation instead.
#
#   nrt-route-PID-1 ($A)                        nrt-route-PID-2 ($B, peers only)
#   lo  127.0.0.1/8
#   va  198.51.100.1/24, .9/24 (secondary) ---- pa
#   vb  203.0.113.1/26                     ---- pb
#   vc  192.0.2.1/28   (admin down)        ---- pc
#   vd  192.0.2.65/26  (no carrier)        ---- pd (down)
#
# Exit 77 when namespaces cannot be made (not root).
. "$(dirname "$0")/lib.sh"
PRINT=0
[ "${1:-}" = "--print" ] && PRINT=1

nr_require_netns
nr_netns A route
nr_netns B route

a() { ip -n "$A" "$@"; }
for x in a b c d; do
	a link add v$x type veth peer name p$x netns "$B"
done
ip -n "$B" link set pa up
ip -n "$B" link set pb up
ip -n "$B" link set pc up
a addr add 198.51.100.1/24 dev va
a addr add 198.51.100.9/24 dev va
a addr add 203.0.113.1/26 dev vb
a addr add 192.0.2.1/28 dev vc
a addr add 192.0.2.65/26 dev vd
a link set va up
a link set vb up
a link set vd up
ip netns exec "$A" sysctl -qw net.ipv4.ip_forward=1
a route add default via 198.51.100.254 metric 100
a route append default via 198.51.100.253 metric 100
a route add default via 203.0.113.62 metric 200
a route add 203.0.113.128/25 via 198.51.100.2
a route add 203.0.113.192/26 via 203.0.113.2
a route add unreachable 203.0.113.200/29
a route add prohibit 203.0.113.208/29
a route add blackhole 203.0.113.216/29
a route add throw 203.0.113.224/29
a route add 203.0.113.232/29 nexthop via 198.51.100.2 dev va nexthop via 203.0.113.2 dev vb
a route add 203.0.113.240/29 via 198.51.100.7 tos 0xb0
a route add 203.0.113.240/29 via 198.51.100.3 tos 0x10
a route add 203.0.113.240/29 via 198.51.100.4
a route add 203.0.113.248/29 via 198.51.100.5 src 198.51.100.9
a route add 192.0.2.128/25 dev va
a route add 203.0.113.224/27 via 203.0.113.3 table default
a route add 192.0.2.128/25 via 203.0.113.4 table 100
a route add default via 203.0.113.5 table 100
a route add 192.0.2.192/26 via 198.51.100.6 table 200
a route add throw 192.0.2.224/27 table 200
set +e

fail=0
n=0
# check 'ARGS' 'EXPECTED': EXPECTED is "error type table dev gateway src", or
# several such answers separated by '|' when any of them is right (ECMP).
check() {
	got=$(ip -n "$A" -d -j route get $1 2>&1 | "$PY" -c '
import json, sys
t = sys.stdin.read().strip()
if not t.startswith("["):
    m = {"Network is unreachable": "ENETUNREACH", "No route to host": "EHOSTUNREACH",
         "Permission denied": "EACCES", "Invalid argument": "EINVAL", "No such device": "ENODEV"}
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
		echo "case $n: ip route get $1: kernel '$got', expected '$2'"
		fail=1
	fi
}

# Phase 1: the kernel's default rules (local routes reported in table main).
check "198.51.100.1" "0 local main lo - 198.51.100.1"
check "198.51.100.9" "0 local main lo - 198.51.100.1"
check "198.51.100.7" "0 unicast main va - 198.51.100.1"
check "192.0.2.40" "0 unicast main va 198.51.100.254 198.51.100.1"
check "203.0.113.130" "0 unicast main va 198.51.100.2 198.51.100.1"
check "203.0.113.195" "0 unicast main vb 203.0.113.2 203.0.113.1"
check "203.0.113.201" "EHOSTUNREACH"
check "203.0.113.209" "EACCES"
check "203.0.113.217" "EINVAL"
check "203.0.113.225" "0 unicast default vb 203.0.113.3 203.0.113.1"
check "203.0.113.241" "0 unicast main va 198.51.100.4 198.51.100.1"
check "203.0.113.241 tos 0x10" "0 unicast main va 198.51.100.3 198.51.100.1"
check "203.0.113.241 tos 0xb0" "0 unicast main va 198.51.100.3 198.51.100.1"
check "203.0.113.241 tos 0x12" "0 unicast main va 198.51.100.3 198.51.100.1"
check "203.0.113.241 tos 0x14" "0 unicast main va 198.51.100.4 198.51.100.1"
check "203.0.113.241 tos 0xe8" "0 unicast main va 198.51.100.4 198.51.100.1"
check "203.0.113.241 from 203.0.113.50 iif vb tos 0xb0" "0 unicast main va 198.51.100.3 -"
check "203.0.113.249" "0 unicast main va 198.51.100.5 198.51.100.9"
check "192.0.2.130" "0 unicast main va - 198.51.100.1"
check "192.0.2.70" "0 unicast main vd - 192.0.2.65"
check "192.0.2.1" "0 local main lo - 192.0.2.1"
check "192.0.2.5" "0 unicast main va 198.51.100.254 198.51.100.1"
check "192.0.2.5 oif vc" "ENETUNREACH"
check "255.255.255.255" "0 broadcast main va - 198.51.100.1"
check "255.255.255.255 oif vb" "0 broadcast - vb - 203.0.113.1"
check "224.0.0.5 oif vb" "0 multicast - vb - 203.0.113.1"
check "239.1.1.1" "0 multicast main va - 198.51.100.1"
check "0.0.0.0" "0 local - lo - 127.0.0.1"
check "0.0.0.0 oif vb" "0 local - lo - 203.0.113.1"
check "198.51.100.255" "0 broadcast main va - 198.51.100.1"
check "127.0.0.5" "0 local main lo - 127.0.0.1"
check "192.0.2.40 from 203.0.113.1" "0 unicast main va 198.51.100.254 -"
check "192.0.2.40 from 192.0.2.99" "ENETUNREACH"
check "192.0.2.40 from 127.0.0.1" "EINVAL"
check "203.0.113.130 oif vb" "0 unicast main vb 203.0.113.62 203.0.113.1"
check "203.0.113.201 oif vb" "0 unicast - vb - 203.0.113.1"
check "192.0.2.40 oif vd" "0 unicast - vd - 192.0.2.65"
check "198.51.100.1 oif vb" "0 unicast main vb 203.0.113.62 203.0.113.1"
check "0.1.2.3" "0 unicast main va 198.51.100.254 198.51.100.1"
check "198.51.100.0" "0 unicast main va - 198.51.100.1"
check "192.0.2.40 from 203.0.113.50 iif vb" "0 unicast main va 198.51.100.254 -"
check "198.51.100.1 from 203.0.113.50 iif vb" "0 local main lo - -"
check "198.51.100.7 from 198.51.100.1 iif vb" "EINVAL"
check "203.0.113.201 from 203.0.113.50 iif vb" "EHOSTUNREACH"
check "203.0.113.233" "0 unicast main va 198.51.100.2 198.51.100.1|0 unicast main vb 203.0.113.2 203.0.113.1"

set -e
a rule add from 198.51.100.9 lookup 100 pref 100
a rule add fwmark 0x1/0xff lookup 100 pref 110
a rule add to 192.0.2.192/26 lookup 200 pref 120
a rule add oif vb lookup 100 pref 130
a rule add tos 0x08 lookup 100 pref 140
a rule add ipproto tcp lookup 100 pref 141
a rule add ipproto udp fwmark 10 lookup 100 pref 142
a rule add dport 80-90 fwmark 11 lookup 100 pref 143
a rule add uidrange 0-0 fwmark 12 lookup 100 pref 144
a rule add uidrange 5-10 fwmark 13 lookup 100 pref 145
a rule add not iif lo prohibit pref 150
a rule add fwmark 0x3 unreachable pref 160
a rule add fwmark 0x4 blackhole pref 170
a rule add fwmark 0x5 goto 200 pref 180
a rule add fwmark 0x5 prohibit pref 190
a rule add fwmark 0x5 lookup 200 pref 200
a rule add fwmark 0x6 lookup main suppress_prefixlength 0 pref 210
a rule add fwmark 0x6 lookup 100 pref 220
a rule add iif lo fwmark 0x7 lookup 100 pref 230
a rule add iif va fwmark 0x8 lookup 100 pref 231
a rule add fwmark 0x9 lookup 999 pref 240
set +e

# Phase 2: custom rules (local routes now reported in table local).
check "198.51.100.1" "0 local local lo - 198.51.100.1"
check "192.0.2.130 from 198.51.100.9" "0 unicast 100 vb 203.0.113.4 -"
check "192.0.2.130 mark 1" "0 unicast 100 vb 203.0.113.4 203.0.113.1"
check "192.0.2.200" "0 unicast 200 va 198.51.100.6 198.51.100.1"
check "192.0.2.230" "0 unicast main va - 198.51.100.1"
check "192.0.2.130 oif vb" "0 unicast 100 vb 203.0.113.4 203.0.113.1"
check "192.0.2.130 tos 0x08" "0 unicast 100 vb 203.0.113.4 203.0.113.1"
check "192.0.2.130 tos 0xe8" "0 unicast 100 vb 203.0.113.4 203.0.113.1"
check "192.0.2.130 tos 0x0a" "0 unicast 100 vb 203.0.113.4 203.0.113.1"
check "192.0.2.130 tos 0x18" "0 unicast main va - 198.51.100.1"
check "192.0.2.40 from 203.0.113.50 iif vb" "EACCES"
check "192.0.2.130 mark 3" "ENETUNREACH"
check "192.0.2.130 mark 4" "EINVAL"
check "192.0.2.130 mark 5" "0 unicast main va - 198.51.100.1"
check "192.0.2.40 mark 6" "0 unicast 100 vb 203.0.113.5 203.0.113.1"
check "192.0.2.130 mark 6" "0 unicast main va - 198.51.100.1"
check "192.0.2.130 mark 7" "0 unicast 100 vb 203.0.113.4 203.0.113.1"
check "192.0.2.130 mark 8" "0 unicast main va - 198.51.100.1"
check "192.0.2.130 mark 9" "0 unicast main va - 198.51.100.1"
check "203.0.113.225" "0 unicast default vb 203.0.113.3 203.0.113.1"
check "192.0.2.40" "0 unicast main va 198.51.100.254 198.51.100.1"
check "192.0.2.130 ipproto tcp" "0 unicast 100 vb 203.0.113.4 203.0.113.1"
check "192.0.2.130 ipproto udp" "0 unicast main va - 198.51.100.1"
check "192.0.2.130 mark 10" "0 unicast 100 vb 203.0.113.4 203.0.113.1"
check "192.0.2.130 mark 10 ipproto icmp" "0 unicast main va - 198.51.100.1"
check "192.0.2.130 mark 11" "0 unicast main va - 198.51.100.1"
check "192.0.2.130 mark 11 dport 85" "0 unicast 100 vb 203.0.113.4 203.0.113.1"
check "192.0.2.130 mark 11 dport 91" "0 unicast main va - 198.51.100.1"
check "192.0.2.130 mark 11 ipproto icmp dport 85" "0 unicast 100 vb 203.0.113.4 203.0.113.1"
check "192.0.2.130 mark 12" "0 unicast 100 vb 203.0.113.4 203.0.113.1"
check "192.0.2.130 mark 12 uid 5" "0 unicast main va - 198.51.100.1"
check "192.0.2.130 mark 13" "0 unicast main va - 198.51.100.1"
check "192.0.2.130 mark 13 uid 7" "0 unicast 100 vb 203.0.113.4 203.0.113.1"
check "192.0.2.130 from 198.51.100.50 iif va ipproto tcp" "0 unicast 100 vb 203.0.113.4 -"
check "192.0.2.130 from 198.51.100.50 iif va mark 10" "0 unicast 100 vb 203.0.113.4 -"
check "192.0.2.130 from 198.51.100.50 iif va mark 11 dport 85" "0 unicast 100 vb 203.0.113.4 -"
check "192.0.2.130 from 198.51.100.50 iif va mark 11 ipproto icmp dport 85" "EACCES"
check "192.0.2.130 from 198.51.100.50 iif va mark 12 uid 5" "0 unicast 100 vb 203.0.113.4 -"
check "192.0.2.130 from 198.51.100.50 iif va mark 13 uid 7" "EACCES"

[ $PRINT = 1 ] || echo "$n cases checked against the kernel"
exit $fail
