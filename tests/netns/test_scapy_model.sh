#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# netrig's model of Scapy 2.5.0 against the real Scapy 2.5.0, in a
# namespace shaped like the reference's appendix (scapy-stack.md):
#
#        nrt-scapy-PID-1 ($A)                     nrt-scapy-PID-2 ($B)
#   lo  127.0.0.1, 198.51.100.200/32, 2001:db8:ff::1/128
#   vA  198.51.100.1/24 + secondary .50 + alias vA:1 192.0.2.129/26  ---- vB
#       2001:db8:1::1/64, 2001:db8:1::2/64, fd00:1::1/64, fe80::a
#   vC  203.0.113.1/26, 2001:db8:5::1/64, 100::1/64, fec0::1/64,   ---- vD
#       fe80::c
#   e1  192.0.2.1/26 (unlabelled), 2001:db8:10::1/64, fd00:2::1/64,  ---- e2
#       2002:c633:6401::1/64 (6to4), fe80::e1
#   IPv4: default via .254 metric 100 and via 203.0.113.62 metric 200,
#     203.0.113.64/28 via .2 src .50, 203.0.113.128/25 via .2, prohibit .80/28,
#     blackhole .96/28, unreachable .112/28, throw .160/28, ECMP .240/28 via
#     .2 + .3; table 100 192.0.2.192/26 via 203.0.113.2 + rule to it
#   IPv6: default via 2001:db8:1::fe, 2001:db8:2::/48 via fe80::b dev vA,
#     unreachable/blackhole/prohibit /48s, ECMP 2001:db8:ec::/48, 64:ff9b::/96
#     and 100::/64 (outside Scapy's ranges), table 100 2001:db8:3::/48 + rule
#
# For >= 200 destinations per family the model's tuple must equal the real
# Scapy's (through the embedded bridge), and the model's conf.route,
# conf.route6, conf.iface and printed tables must equal Scapy's. Each
# Scapy-vs-kernel divergence is printed with its cause. Exit 77 when
# namespaces, python3 or Scapy are unavailable.
. "$(dirname "$0")/lib.sh"

# The unit test binary has the namespace mode this script drives.
BIN=${NETRIG_BUILD_DIR:-build}/tests/test_scapy_model
TMP=""
rm_tmp() { [ -z "$TMP" ] || rm -rf "$TMP"; }
nr_at_cleanup rm_tmp

[ -x "$BIN" ] || nr_skip "no $BIN (build the tests first)"
[ -x "$PY" ] || nr_skip "no $PY"
"$PY" -c 'import scapy' 2>/dev/null || nr_skip "no Scapy"
nr_require_netns
TMP=$(mktemp -d)
nr_netns A scapy
nr_netns B scapy

a() { ip -n "$A" "$@"; }
b() { ip -n "$B" "$@"; }

a link set lo up
b link set lo up
for pair in vA:vB vC:vD e1:e2; do
	x=${pair%%:*}; y=${pair##*:}
	a link add "$x" type veth peer name "$y" netns "$B"
	# Link-local addresses are set by hand (nodad): nothing appears later.
	a link set "$x" addrgenmode none
	b link set "$y" addrgenmode none
	a link set "$x" up
	b link set "$y" up
done

a addr add 198.51.100.200/32 dev lo
a -6 addr add 2001:db8:ff::1/128 dev lo nodad
a addr add 198.51.100.1/24 dev vA
a addr add 198.51.100.50/24 dev vA
a addr add 192.0.2.129/26 dev vA label vA:1
a -6 addr add fe80::a/64 dev vA nodad
a -6 addr add 2001:db8:1::1/64 dev vA nodad
a -6 addr add 2001:db8:1::2/64 dev vA nodad
a -6 addr add fd00:1::1/64 dev vA nodad
a addr add 203.0.113.1/26 dev vC
a -6 addr add fe80::c/64 dev vC nodad
a -6 addr add 2001:db8:5::1/64 dev vC nodad
a -6 addr add 100::1/64 dev vC nodad
a -6 addr add fec0::1/64 dev vC nodad
a addr add 192.0.2.1/26 dev e1
a -6 addr add fe80::e1/64 dev e1 nodad
a -6 addr add 2001:db8:10::1/64 dev e1 nodad
a -6 addr add fd00:2::1/64 dev e1 nodad
a -6 addr add 2002:c633:6401::1/64 dev e1 nodad
b addr add 198.51.100.254/24 dev vB
b -6 addr add fe80::b/64 dev vB nodad
b -6 addr add 2001:db8:1::fe/64 dev vB nodad

a route add default via 198.51.100.254 metric 100
a route add default via 203.0.113.62 metric 200
a route add 203.0.113.64/28 via 198.51.100.2 src 198.51.100.50
a route add 203.0.113.128/25 via 198.51.100.2
a route add prohibit 203.0.113.80/28
a route add blackhole 203.0.113.96/28
a route add unreachable 203.0.113.112/28
a route add throw 203.0.113.160/28
a route add 203.0.113.240/28 nexthop via 198.51.100.2 nexthop via 198.51.100.3
a route add 192.0.2.192/26 via 203.0.113.2 table 100
a rule add to 192.0.2.192/26 lookup 100 pref 1000
a -6 route add default via 2001:db8:1::fe metric 1024
a -6 route add 2001:db8:2::/48 via fe80::b dev vA
a -6 route add unreachable 2001:db8:dead::/48
a -6 route add blackhole 2001:db8:beef::/48
a -6 route add prohibit 2001:db8:bad::/48
a -6 route add 2001:db8:ec::/48 nexthop via 2001:db8:1::fc dev vA nexthop via 2001:db8:5::fc dev vC
a -6 route add 64:ff9b::/96 via 2001:db8:5::fe dev vC
a -6 route add 2001:db8:3::/48 via 2001:db8:1::fe table 100
a -6 rule add to 2001:db8:3::/48 lookup 100 pref 1000

# Destinations: the interesting ones, then sweeps (bounded loops).
DST=$TMP/dst
{
	for d in 198.51.100.1 198.51.100.50 198.51.100.200 203.0.113.70 203.0.113.85 \
		203.0.113.100 203.0.113.120 203.0.113.165 203.0.113.250 0.0.0.0 '' \
		255.255.255.255 224.0.0.1 239.1.2.3 127.1.2.3 192.0.2.129 192.0.2.150 \
		192.0.2.200 192.0.2.1 198.51.100.255 '203.0.113.*' 203.0.113.70-80 \
		198.51.100.1/24 127.1 8.8.8.8; do
		printf '%s\n' "$d"
	done
	i=0
	while [ $i -lt 256 ]; do
		printf '203.0.113.%d\n' $i
		printf '198.51.100.%d\n192.0.2.%d\n' $i $i
		i=$((i + 3))
	done
	for d in ff02::1 ff02::2 ff05::2 ff0e::1 ff01::1 ff1e::1 fe80::1 fe80::b \
		fe80::a ::1 :: 2001:db8:ff::1 2001:db8:1::1 2001:db8:1::2 2001:db8:1::5 \
		2001:db8:1::fe fd00:1::5 fd00:1::1 fd00:2::9 100::5 64:ff9b::c633:6407 \
		2001:db8:3::1 2001:db8:dead::1 2001:db8:beef::1 2001:db8:bad::1 \
		2001:db8:ec::1 2001:db8:2::9 2001:db8:5::9 2001:db8:10::9 fec0::9 \
		2002:c633:6401::9 2002:cb00:7101::1 ::ffff:198.51.100.7 '2001:db8:1::*' \
		2001:db8:1::1-9 2001:db8:1::/64; do
		printf '%s\n' "$d"
	done
	i=0
	while [ $i -lt 48 ]; do
		printf '2001:db8:%x::1\n2001:db8:1::%x\nfd00:%x::1\nfe80::%x\n' $i $i $i $i
		i=$((i + 1))
	done
	i=0
	while [ $i -lt 16 ]; do
		printf 'ff%x2::1\n2002:c633:64%02x::1\n' $i $i
		i=$((i + 1))
	done
} > "$DST"

n4=$(grep -vc ':' "$DST" || true)
n6=$(grep -c ':' "$DST" || true)
echo "destinations: $n4 IPv4, $n6 IPv6"
[ "$n4" -ge 200 ] && [ "$n6" -ge 200 ] || { echo "FAIL: too few destinations"; exit 1; }

rc=0
"$BIN" --netns "$A" --kernel < "$DST" > "$TMP/out" || rc=$?
cat "$TMP/out"
exit $rc
