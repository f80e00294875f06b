#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# What the kernel picks as source address, for every case of
# tests/unit/test_srcsel.c, in namespaces built like that test's fixtures.
# Each line reads "CASE <id>: kernel <src> expect <src> ok|MISMATCH"; a
# mismatch means the unit test's expectation (taken from the kernel source)
# and the running kernel disagree, and fails this test. The address dump
# order each fixture assumes is checked too ("ORDER ...").
#
# One namespace per scenario, all alike:
#
#   +-------------------- nrt-iface-<pid>-N ---------------------+
#   |  lo        e1 ==== e1p     e2 ==== e2p     e3 ==== e3p      |
#   |            (veth pairs; the eNp ends carry no address and   |
#   |             stay down when eN must have no carrier)         |
#   +-------------------------------------------------------------+
#
# Routes are host routes "DST dev eN [via GW]" without src, so the kernel
# selects the source (IPv4 inet_select_addr, IPv6 ipv6_dev_get_saddr).
# IPv6 rules 6 (label), 7 (privacy) and 8- (ORCHID) need addresses outside
# the documentation ranges or RA-made temporary addresses: unit test only.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
set +e
nr_require_netns

fails=0
NS=""

scenario() { # scenario TAG: a fresh namespace in $NS, no automatic link-local
	nr_netns NS "iface"
	ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.addr_gen_mode=1 \
		net.ipv6.conf.default.addr_gen_mode=1
}

link() { # link NAME [nocarrier|down]
	ip -n "$NS" link add "$1" type veth peer name "$1p"
	case "${2:-}" in
	down) ;;
	nocarrier) ip -n "$NS" link set "$1" up ;;
	*) ip -n "$NS" link set "$1" up && ip -n "$NS" link set "$1p" up ;;
	esac
}

a() { ip -n "$NS" addr add "$@" || { echo "addr add $* failed"; fails=$((fails + 1)); }; }
r() { ip -n "$NS" route add "$@" || { echo "route add $* failed"; fails=$((fails + 1)); }; }

report() { # report ID KERNEL EXPECT
	if [ "$2" = "$3" ]; then
		echo "CASE $1: kernel $2 expect $3 ok"
	else
		echo "CASE $1: kernel $2 expect $3 MISMATCH"
		fails=$((fails + 1))
	fi
}

src_of() { sed -n 's/.* src \([^ ]*\).*/\1/p' | head -n 1; }

get() { # get ID EXPECT DST [oif DEV]: the src of `ip route get`, "none" if absent
	local id=$1 want=$2 out src
	shift 2
	out=$(ip -n "$NS" route get "$@" 2>&1)
	src=$(printf '%s\n' "$out" | src_of)
	report "$id" "${src:-none}" "$want"
}

order() { # order ID DEV FAMILY EXPECTED...: addresses in dump order
	local id=$1 dev=$2 fam=$3 got
	shift 3
	got=$(ip -n "$NS" -o "$fam" addr show dev "$dev" | awk '{print $4}' | tr '\n' ' ')
	if [ "$got" = "$* " ]; then
		echo "ORDER $id $dev: $got ok"
	else
		echo "ORDER $id $dev: got '$got' expected '$* ' MISMATCH"
		fails=$((fails + 1))
	fi
}

# ---- IPv6 ------------------------------------------------------------

# r1: rule 1 (same address)
scenario
link e1
a 2001:db8:1::1/64 dev e1 nodad
a 2001:db8:1::2/64 dev e1 nodad
order r1 e1 -6 2001:db8:1::2/64 2001:db8:1::1/64
get r1.local 2001:db8:1::1 2001:db8:1::1
get r1.lo ::1 ::1

# r2: rule 2 (scope), multicast candidates from the outgoing link only
scenario
link e1
a fe80::2/64 dev e1 nodad
a 2001:db8:2::1/64 dev e1 nodad
order r2 e1 -6 2001:db8:2::1/64 fe80::2/64
r 2001:db8:2:99::1 dev e1
get r2.global 2001:db8:2::1 2001:db8:2:99::1
get r2.ff02 fe80::2 ff02::1 oif e1
get r2.ff0e 2001:db8:2::1 ff0e::1 oif e1

# r2down: a global address on a down link beats the outgoing link's link-local
scenario
link e1
link e3 down
a fe80::1/64 dev e1 nodad
a 2001:db8:8::1/64 dev e3 nodad
r 2001:db8:8:99::1 dev e1
get r2down 2001:db8:8::1 2001:db8:8:99::1

# r3: rule 3 (avoid deprecated)
scenario
link e1
a 2001:db8:3::1/64 dev e1 nodad
a 2001:db8:3::2/64 dev e1 nodad preferred_lft 0
order r3 e1 -6 2001:db8:3::2/64 2001:db8:3::1/64
r 2001:db8:3:99::1 dev e1
get r3 2001:db8:3::1 2001:db8:3:99::1

# tent: tentative addresses are not candidates (no carrier: DAD never ends)
scenario
link e1 nocarrier
a 2001:db8:4::1/64 dev e1 nodad
a 2001:db8:4::2/64 dev e1
order tent e1 -6 2001:db8:4::2/64 2001:db8:4::1/64
r 2001:db8:4:99::1 dev e1
get tent.prefix 2001:db8:4::1 2001:db8:4:99::1
get tent.self 2001:db8:4::1 2001:db8:4::2

# opt: optimistic addresses are candidates; rule 3 avoids them unless
# use_optimistic, and then the last rule still puts them behind
scenario
link e1 nocarrier
ip netns exec "$NS" sysctl -qw net.ipv6.conf.e1.optimistic_dad=1
a 2001:db8:5::1/64 dev e1 nodad
a 2001:db8:5:1::2/64 dev e1 optimistic
a 2001:db8:5::3/64 dev e1 optimistic
order opt e1 -6 2001:db8:5::3/64 2001:db8:5:1::2/64 2001:db8:5::1/64
r 2001:db8:5::99 dev e1
r 2001:db8:5:1::99 dev e1
get opt.avoid 2001:db8:5::1 2001:db8:5:1::99
get opt.avoid2 2001:db8:5::1 2001:db8:5::99
ip netns exec "$NS" sysctl -qw net.ipv6.conf.e1.use_optimistic=1
# re-adding the routes drops what the kernel cached with them
for d in 2001:db8:5::99 2001:db8:5:1::99; do
	ip -n "$NS" route del "$d" dev e1 && r "$d" dev e1
done
get opt.use 2001:db8:5:1::2 2001:db8:5:1::99
get opt.last 2001:db8:5::1 2001:db8:5::99

# home: rule 4 is compiled out here (CONFIG_IPV6_MIP6 unset): the tie keeps
# the first address in list order
scenario
link e1
a 2001:db8:6::1/64 dev e1 nodad home
a 2001:db8:6::2/64 dev e1 nodad
order home e1 -6 2001:db8:6::2/64 2001:db8:6::1/64
r 2001:db8:6:99::1 dev e1
get home 2001:db8:6::2 2001:db8:6:99::1

# r5: rule 5 (outgoing interface) beats a longer match elsewhere;
# a link-local destination takes only the outgoing link's addresses
scenario
link e1
link e2
a 2001:db8:7:1::1/64 dev e1 nodad
a 2001:db8:7:2::1/64 dev e2 nodad
a fe80::2/64 dev e2 nodad
r 2001:db8:7:2::99 dev e1
r fe80::/64 dev e1
get r5 2001:db8:7:1::1 2001:db8:7:2::99
get r5.ll 2001:db8:7:1::1 fe80::99 oif e1

# r8: rule 8 (longest match), capped at the candidate's prefix length
scenario
link e1
a 2001:db8:9:2::1/64 dev e1 nodad
a 2001:db8:9:1::1/64 dev e1 nodad
a 2001:db8:9:3::1/48 dev e1 nodad
order r8 e1 -6 2001:db8:9:3::1/48 2001:db8:9:1::1/64 2001:db8:9:2::1/64
r 2001:db8:9:2::99 dev e1
r 2001:db8:9:3::99 dev e1
get r8 2001:db8:9:2::1 2001:db8:9:2::99
get r8.cap 2001:db8:9:2::1 2001:db8:9:3::99

# none: nothing to choose from on the link for a link-scope multicast
scenario
link e1
get none none ff02::1 oif e1

# ---- IPv4 ------------------------------------------------------------

scenario
link e1
link e2
link e3
a 198.51.100.1/25 dev e1
a 203.0.113.1/25 dev e1
a 192.0.2.1/26 dev e1 scope link
a 198.51.100.2/25 dev e1
a 198.51.100.129/26 dev e2
a 203.0.113.129 peer 203.0.113.130/32 dev e2
a 192.0.2.65/26 dev e3 scope link
order v4 e1 -4 192.0.2.1/26 198.51.100.1/25 203.0.113.1/25 198.51.100.2/25
order v4 e2 -4 198.51.100.129/26 203.0.113.129
r 192.0.2.150/32 via 203.0.113.126 dev e1
r 192.0.2.151/32 via 198.51.100.126 dev e1
r 192.0.2.152/32 dev e1
r 192.0.2.153/32 via 192.0.2.254 dev e1 onlink
r 192.0.2.154/32 via 203.0.113.130 dev e2
r 192.0.2.155/32 via 192.0.2.126 dev e3
r 192.0.2.156/32 dev e3
get v4.subnet 203.0.113.1 192.0.2.150
get v4.primary 198.51.100.1 192.0.2.151
get v4.linkscope 192.0.2.1 192.0.2.152
get v4.first 198.51.100.1 192.0.2.153
get v4.peer 203.0.113.129 192.0.2.154
get v4.otherdev 198.51.100.1 192.0.2.155
get v4.e3link 192.0.2.65 192.0.2.156
a 192.0.2.250/32 dev lo
get v4.lofirst 192.0.2.250 192.0.2.155

echo "mismatches: $fails"
[ "$fails" -eq 0 ]
