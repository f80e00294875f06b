#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# netrig show: every table of a namespace built here, text and JSON,
# checked against what was configured and against `ip -j`.
#
#   nrt-clis-PID-1 (one namespace; no traffic leaves it)
#
#     lo    127.0.0.1/8, ::1/128
#     eth0 ==veth== eth1 (both inside)
#     eth0  02:00:00:00:00:01, mtu 1400, 198.51.100.1/24, 198.51.100.50/24 (secondary),
#           2001:db8:1::1/64 nodad
#     eth1  203.0.113.1/26
#
#     default via 198.51.100.254; 203.0.113.128/25 via 198.51.100.2 metric 5
#     unreachable 203.0.113.112/28; ECMP 203.0.113.240/28 via .2 and .3
#     2001:db8:2::/48 via 2001:db8:1::fe; prohibit 2001:db8:dead::/48
#     rule 100: from 198.51.100.0/24 fwmark 0x10/0xff lookup 100
#     neighbour 198.51.100.254 lladdr 02:00:00:00:00:fe permanent
#     /etc/netns/NS/resolv.conf: two nameservers, search lab.test, ndots:3
. "$(dirname "$0")/lib.sh"

nr_require_netns
nr_netns NS clis
# `ip netns exec` shows /etc/netns/NAME/resolv.conf as /etc/resolv.conf;
# this test writes one for its own namespace only and removes it.
ETCNS=/etc/netns/$NS
MADE_ETC_NETNS=0
[ -d /etc/netns ] || MADE_ETC_NETNS=1
TMP=""
cleanup_files() {
	[ -z "$TMP" ] || rm -rf "$TMP"
	rm -rf "$ETCNS"
	if [ "$MADE_ETC_NETNS" = 1 ]; then rmdir /etc/netns 2>/dev/null || true; fi
}
nr_at_cleanup cleanup_files
TMP=$(mktemp -d)

ipn() { ip -n "$NS" "$@"; }
ipn link add eth0 type veth peer name eth1
ipn link set eth0 address 02:00:00:00:00:01 mtu 1400
ipn link set eth0 up
ipn link set eth1 up
ipn addr add 198.51.100.1/24 dev eth0
ipn addr add 198.51.100.50/24 dev eth0
ipn addr add 2001:db8:1::1/64 dev eth0 nodad
ipn addr add 203.0.113.1/26 dev eth1
ipn route add default via 198.51.100.254
ipn route add 203.0.113.128/25 via 198.51.100.2 metric 5
ipn route add unreachable 203.0.113.112/28
ipn route add 203.0.113.240/28 nexthop via 198.51.100.2 nexthop via 198.51.100.3
ipn -6 route add 2001:db8:2::/48 via 2001:db8:1::fe
ipn -6 route add prohibit 2001:db8:dead::/48
ipn rule add from 198.51.100.0/24 fwmark 0x10/0xff lookup 100 pref 100
ipn neigh add 198.51.100.254 lladdr 02:00:00:00:00:fe dev eth0 nud permanent
mkdir -p "$ETCNS"
printf 'nameserver 192.0.2.53\nnameserver 2001:db8::53\nsearch lab.test\noptions ndots:3\n' >"$ETCNS/resolv.conf"

# From here on each check reports its own failure and the script goes on.
set +e
fail=0
# check STATUS WHAT: STATUS comes first so that it is expanded before any
# command substitution in WHAT replaces $?.
check() {
	if [ "$1" -ne 0 ]; then
		echo "FAIL: $2"
		fail=1
	else
		echo "ok: $2"
	fi
}
# Text tables never end a line in a blank.
no_trailing_blanks() {
	! grep -qE '[[:blank:]]$' "$1"
}
show() { # table [--json] -> $TMP/table[.json]
	local t=$1
	shift
	"$NETRIG" show "$t" --netns "$NS" "$@"
}

# ---- ifaces
show ifaces >"$TMP/ifaces"
grep -qE '^sys +[0-9]+ +eth0 +02:00:00:00:00:01 +198\.51\.100\.1/24 +2001:db8:1::1/64 +UP +1400 +veth +BROADCAST,MULTICAST,UP,LOWER_UP$' "$TMP/ifaces"
check $? "ifaces: eth0 row"
grep -qE '^ +198\.51\.100\.50/24 \(secondary\)( |$)' "$TMP/ifaces"
check $? "ifaces: secondary on a continuation line"
head -1 "$TMP/ifaces" | grep -qE '^Source +Index +Name +MAC +IPv4 +IPv6 +State +MTU +Kind +Flags$'
check $? "ifaces: header"
no_trailing_blanks "$TMP/ifaces"
check $? "ifaces: no trailing blanks"
show ifaces --json >"$TMP/ifaces.json"
ipn -j addr >"$TMP/ip-addr.json"
$PY - "$TMP/ifaces.json" "$TMP/ip-addr.json" <<'PYEOF'
import json, sys
n = {i["ifname"]: i for i in json.load(open(sys.argv[1]))}
k = {i["ifname"]: i for i in json.load(open(sys.argv[2]))}
assert set(n) == set(k), (set(n), set(k))
for name in k:
    for key in ("ifindex", "mtu", "operstate", "address", "flags"):
        assert n[name].get(key) == k[name].get(key), (name, key, n[name].get(key), k[name].get(key))
    nl = [(a["local"], a["prefixlen"]) for a in n[name]["addr_info"]]
    kl = [(a["local"], a["prefixlen"]) for a in k[name]["addr_info"]]
    assert nl == kl, (name, nl, kl)
eth0 = n["eth0"]
sec = [a for a in eth0["addr_info"] if a["local"] == "198.51.100.50"][0]
assert "secondary" in sec["flags"], sec
assert [a["scope"] for a in eth0["addr_info"] if a["local"] == "198.51.100.1"] == ["global"]
PYEOF
check $? "ifaces --json matches ip -j addr"

# ---- routes
show routes >"$TMP/routes"
head -1 "$TMP/routes" | grep -qE '^Network +Netmask +Gateway +Iface +Output IP +Metric +Type +Table +Proto +Scope +Flags$'
check $? "routes: header"
grep -qE '^0\.0\.0\.0 +0\.0\.0\.0 +198\.51\.100\.254 +eth0 +198\.51\.100\.1 +0 +unicast +main +boot +global$' "$TMP/routes"
check $? "routes: default"
grep -qE '^203\.0\.113\.112 +255\.255\.255\.240 +- +- +- +0 +unreachable +main ' "$TMP/routes"
check $? "routes: unreachable has no device"
[ "$(grep -cE '^203\.0\.113\.240 .* nexthop [12]/2 weight 1$' "$TMP/routes")" -eq 2 ]
check $? "routes: ECMP one row per nexthop"
grep -qE '^198\.51\.100\.1 +255\.255\.255\.255 +0\.0\.0\.0 +eth0 +198\.51\.100\.1 +0 +local +local +kernel +host$' "$TMP/routes"
check $? "routes: local table"
# Numeric order: .64-ish before .112 before .128 before .240.
awk '{print $1}' "$TMP/routes" | grep '^203\.0\.113\.' | uniq >"$TMP/order"
[ "$(tr '\n' ' ' <"$TMP/order")" = "203.0.113.0 203.0.113.1 203.0.113.63 203.0.113.112 203.0.113.128 203.0.113.240 " ]
check $? "routes: numeric order ($(tr '\n' ' ' <"$TMP/order"))"
no_trailing_blanks "$TMP/routes"
check $? "routes: no trailing blanks"
show routes --json >"$TMP/routes.json"
ipn -4 -j route show table all >"$TMP/ip-route.json"
$PY - "$TMP/routes.json" "$TMP/ip-route.json" <<'PYEOF'
import json, sys
n = json.load(open(sys.argv[1]))
k = json.load(open(sys.argv[2]))
def key(r):
    return (r["dst"], r.get("table", "main"), r.get("type", "unicast"))
nk = sorted(key(r) for r in n)
kk = sorted(key(r) for r in k)
assert nk == kk, (nk, kk)
by = {key(r): r for r in n}
d = by[("default", "main", "unicast")]
assert d["gateway"] == "198.51.100.254" and d["dev"] == "eth0" and d["metric"] == 0, d
r = by[("203.0.113.128/25", "main", "unicast")]
assert r["metric"] == 5 and r["gateway"] == "198.51.100.2", r
u = by[("203.0.113.112/28", "main", "unreachable")]
assert "dev" not in u and "gateway" not in u, u
e = by[("203.0.113.240/28", "main", "unicast")]
assert [h["gateway"] for h in e["nexthops"]] == ["198.51.100.2", "198.51.100.3"], e
assert all(h["dev"] == "eth0" for h in e["nexthops"]), e
c = by[("198.51.100.0/24", "main", "unicast")]
assert c["protocol"] == "kernel" and c["scope"] == "link" and c["prefsrc"] == "198.51.100.1", c
l = by[("198.51.100.1", "local", "local")]
assert l["dev"] == "eth0", l
PYEOF
check $? "routes --json matches ip -j route show table all"

# ---- routes6
show routes6 >"$TMP/routes6"
head -1 "$TMP/routes6" | grep -qE '^Destination +Next Hop +Iface +Src candidates +Metric +Type +Table +Proto +Pref +Flags$'
check $? "routes6: header"
grep -qE '^2001:db8:2::/48 +2001:db8:1::fe +eth0 +2001:db8:1::1 +1024 +unicast +main ' "$TMP/routes6"
check $? "routes6: gateway route"
grep -qE '^2001:db8:dead::/48 +- +- +- +1024 +prohibit +main ' "$TMP/routes6"
check $? "routes6: prohibit has no device"
no_trailing_blanks "$TMP/routes6"
check $? "routes6: no trailing blanks"
show routes6 --json >"$TMP/routes6.json"
$PY - "$TMP/routes6.json" <<'PYEOF'
import json, sys
n = {(r["dst"], r["table"]): r for r in json.load(open(sys.argv[1]))}
r = n[("2001:db8:1::/64", "main")]
assert r["dev"] == "eth0" and r["metric"] == 256 and r["pref"] == "medium", r
g = n[("2001:db8:2::/48", "main")]
assert g["gateway"] == "2001:db8:1::fe", g
p = n[("2001:db8:dead::/48", "main")]
assert p["type"] == "prohibit" and "dev" not in p, p
assert n[("2001:db8:1::1", "local")]["type"] == "local"
PYEOF
check $? "routes6 --json"

# ---- rules
show rules >"$TMP/rules"
grep -qxF "$(printf '100:\tfrom 198.51.100.0/24 fwmark 0x10/0xff lookup 100')" "$TMP/rules"
check $? "rules: like ip rule"
# The IPv4 section is exactly `ip rule`'s output.
sed -n '2,/^$/p' "$TMP/rules" | sed '/^$/d' >"$TMP/rules4"
ipn rule >"$TMP/ip-rule"
cmp -s "$TMP/rules4" "$TMP/ip-rule"
check $? "rules: IPv4 section equals ip rule"
show rules --json >"$TMP/rules.json"
$PY - "$TMP/rules.json" <<'PYEOF'
import json, sys
n = json.load(open(sys.argv[1]))
r = [x for x in n if x["priority"] == 100][0]
assert r == {"family": "inet", "priority": 100, "src": "198.51.100.0", "srclen": 24,
             "fwmark": "0x10", "fwmask": "0xff", "table": "100", "protocol": "boot"} or \
       {k: v for k, v in r.items() if k != "protocol"} == {"family": "inet", "priority": 100, "src": "198.51.100.0", "srclen": 24,
             "fwmark": "0x10", "fwmask": "0xff", "table": "100"}, r
assert [x["priority"] for x in n if x["family"] == "inet6"] == [0, 32766], n
PYEOF
check $? "rules --json"

# ---- neigh
show neigh >"$TMP/neigh"
grep -qxF "198.51.100.254 dev eth0 lladdr 02:00:00:00:00:fe PERMANENT" "$TMP/neigh"
check $? "neigh: like ip neigh"
show neigh --json >"$TMP/neigh.json"
$PY -c 'import json,sys; n=json.load(open(sys.argv[1])); e=[x for x in n if x["dst"]=="198.51.100.254"][0]; assert e["dev"]=="eth0" and e["lladdr"]=="02:00:00:00:00:fe" and e["state"]==["PERMANENT"], e' "$TMP/neigh.json"
check $? "neigh --json"

# ---- nameservers
show nameservers >"$TMP/ns"
[ "$(cat "$TMP/ns")" = "nameserver 192.0.2.53
nameserver 2001:db8::53
search lab.test
options ndots:3 timeout:5 attempts:2" ]
check $? "nameservers ($(tr '\n' '|' <"$TMP/ns"))"
show nameservers --json >"$TMP/ns.json"
$PY -c 'import json,sys; n=json.load(open(sys.argv[1])); assert [x["address"] for x in n["nameservers"]]==["192.0.2.53","2001:db8::53"] and n["search"]==["lab.test"] and n["options"]["ndots"]==3, n' "$TMP/ns.json"
check $? "nameservers --json"

# ---- usage and environment errors
rc=0
err=$("$NETRIG" show routes --netns "nrt-cli-$$-none" 2>&1 >/dev/null) || rc=$?
[ "$rc" -eq 3 ] && [ "$err" = "netrig: no namespace 'nrt-cli-$$-none' (see 'ip netns list')" ]
check $? "unknown namespace: exit 3 ($rc: $err)"
rc=0
err=$("$NETRIG" show routes --netns .. 2>&1 >/dev/null) || rc=$?
[ "$rc" -eq 2 ] && [ "$err" = "netrig: --netns: bad namespace name '..' (expected a name under /run/netns, a path, or pid:PID)" ]
check $? "malformed --netns is bad input: exit 2 ($rc: $err)"
rc=0
"$NETRIG" show tables >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ]
check $? "unknown table: exit 2 ($rc)"
rc=0
"$NETRIG" show routes --bogus >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ]
check $? "unknown option: exit 2 ($rc)"
rc=0
"$NETRIG" show >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ]
check $? "show without a table: exit 2 ($rc)"
"$NETRIG" show --help | grep -q '^usage: netrig show'
check $? "show --help"
rc=0
"$NETRIG" frobnicate >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ]
check $? "unknown command: exit 2 ($rc)"
"$NETRIG" --help | grep -q 'netrig show TABLE'
check $? "netrig --help lists show"

exit $fail
