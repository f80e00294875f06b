#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Route loading and lookups: netrig against iproute2 and Scapy 2.5.0, side
# by side in one run, ratios printed.
#
#   BENCH (namespace) v0 198.51.100.1/24 2001:db8::1/64 ==veth== pv0 (PEER)
#
# Host safety keeps every address inside the documentation ranges, and the
# three IPv4 ranges hold only 3 x 511 = 1533 distinct prefixes (/24../32).
# So the "1M IPv4 routes" table is those 1533 prefixes repeated in
# ROUTES4/1533 tables (1000, 1001, ...); lookups over 1M distinct IPv4
# prefixes are measured in memory by bench_lpm instead. The 200k IPv6
# routes are distinct prefixes of 2001:db8::/32 in main.
#
# Environment: ROUTES4 (default 1000000), ROUTES6 (200000), SCAPY_ROUTES6
# (20000: the IPv6 table size Scapy is measured on), LOOKUPS
# (1000000), SCAPY_LOOKUPS (20000; each family stops after 20 s),
# SCAPY_TIMEOUT (600 s).
#
# Lookup destinations: IPv4 distinct random addresses over the whole space
# (a route lookup sends nothing), IPv6 random addresses of 2001:db8::/32.
. "$(dirname "$0")/../netns/lib.sh"
nr_require_netns

ROUTES4=${ROUTES4:-1000000}
ROUTES6=${ROUTES6:-200000}
LOOKUPS=${LOOKUPS:-1000000}
SCAPY_LOOKUPS=${SCAPY_LOOKUPS:-20000}
SCAPY_TIMEOUT=${SCAPY_TIMEOUT:-600}
SCAPY_ROUTES6=${SCAPY_ROUTES6:-20000}
BENCH_STACK=${NETRIG_BUILD_DIR:-build}/tests/bench_stack
BENCH_LPM=${NETRIG_BUILD_DIR:-build}/tests/bench_lpm
tmp=$(mktemp -d)
trap 'nr_cleanup; rm -rf "$tmp"' EXIT INT TERM HUP

nr_netns B bench
nr_netns P bench
ip -n "$B" link add v0 type veth peer name pv0 netns "$P"
ip -n "$B" link set v0 up
ip -n "$P" link set pv0 up
ip -n "$B" addr add 198.51.100.1/24 dev v0
ip -n "$B" addr add 2001:db8::1/64 dev v0 nodad

secs() { $PY -c 'import sys,time; print(f"{time.monotonic():.6f}")'; }
elapsed() { $PY -c "print(f'{$2 - $1:.3f}')"; }

echo "== building the tables (ip -batch): $ROUTES4 IPv4, $ROUTES6 IPv6 routes"
$PY - "$ROUTES4" "$ROUTES6" "$LOOKUPS" "$tmp" <<'EOF'
import ipaddress, random, sys
n4, n6, nl, tmp = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
pfx4 = []
for base in ("198.51.100.0", "203.0.113.0", "192.0.2.0"):
    b = int(ipaddress.IPv4Address(base))
    for plen in range(24, 33):
        for i in range(1 << (plen - 24)):
            pfx4.append(f"{ipaddress.IPv4Address(b | (i << (32 - plen)))}/{plen}")
with open(f"{tmp}/routes4", "w") as f:
    t, k = 1000, 0
    while k < n4:
        for p in pfx4:
            if k == n4:
                break
            # 198.51.100.0/24 is v0's connected subnet in main; other tables are free.
            f.write(f"route add {p} dev v0 table {t}\n")
            k += 1
        t += 1
rng = random.Random(7)
seen = set()
base6 = int(ipaddress.IPv6Address("2001:db8::"))
with open(f"{tmp}/routes6", "w") as f:
    while len(seen) < n6:
        plen = rng.choice([48, 56, 64, 64, 64, 96, 112, 128])
        net = ipaddress.IPv6Network((base6 | rng.getrandbits(96), plen), strict=False)
        if net.prefixlen == 64 and net.network_address == ipaddress.IPv6Address("2001:db8::"):
            continue
        if net in seen:
            continue
        seen.add(net)
        f.write(f"route add {net} dev v0\n")
with open(f"{tmp}/dst4", "w") as f:
    # Lookups send nothing: destinations may be any address. Distinct ones
    # (the three /24s hold only 768), so Scapy's per-destination cache
    # does not turn its lookups into dictionary hits.
    for a in rng.sample(range(1 << 32), nl):
        f.write(f"{ipaddress.IPv4Address(a)}\n")
with open(f"{tmp}/dst6", "w") as f:
    for _ in range(nl):
        f.write(f"{ipaddress.IPv6Address(base6 | rng.getrandbits(96))}\n")
EOF
t0=$(secs)
ip -n "$B" -batch "$tmp/routes4"
ip -n "$B" -6 -batch "$tmp/routes6"
echo "   built in $(elapsed "$t0" "$(secs)") s"

echo "== loading the tables"
"$BENCH_STACK" --netns "$B" --lookups 2000000 > "$tmp/stack.out"
cat "$tmp/stack.out" | sed 's/^/   netrig in-process: /'
netrig_load=$(sed -n 's/^load_s=//p' "$tmp/stack.out")
t0=$(secs)
ip -n "$B" route show table all > /dev/null
ip -n "$B" -6 route show table all > /dev/null
ip_show=$(elapsed "$t0" "$(secs)")
echo "== lookups through the command line ($LOOKUPS per family)"
for fam in 4 6; do
	t0=$(secs)
	"$NETRIG" route get --netns "$B" --stats - < "$tmp/dst$fam" > "$tmp/out$fam" 2> "$tmp/err$fam" || true
	t_netrig=$(elapsed "$t0" "$(secs)")
	# --stats: the lookup phase alone (after the tables are loaded), wall and CPU time.
	st=$(grep '^stats: ' "$tmp/err$fam" | tail -n 1)
	phase=$(printf '%s\n' "$st" | sed -n 's/.* lookups_per_s=\([0-9.]*\).*/\1/p')
	phase_cpu=$(printf '%s\n' "$st" | sed -n 's/.* lookups_cpu_per_s=\([0-9.]*\).*/\1/p')
	cli_load=$(printf '%s\n' "$st" | sed -n 's/.*stats: load_s=\([0-9.]*\).*/\1/p')
	lines=$(wc -l < "$tmp/out$fam")
	# route get loads only the tables the rules reach (here local, main and
	# default of the 653+ tables): the same run with every table loaded, as
	# show and verify load them, for comparison.
	t0=$(secs)
	NETRIG_TEST_EAGER_LOAD=1 "$NETRIG" route get --netns "$B" - < "$tmp/dst$fam" > "$tmp/outfull$fam" 2>/dev/null || true
	t_full=$(elapsed "$t0" "$(secs)")
	cmp -s "$tmp/out$fam" "$tmp/outfull$fam" || echo "   WARNING: IPv$fam answers differ between the reachable-table and the full load"
	sed 's/^/route get /' "$tmp/dst$fam" > "$tmp/ipget$fam"
	t0=$(secs)
	# -force: a refused destination must not end the batch.
	ip -n "$B" -force -batch "$tmp/ipget$fam" > "$tmp/ipout$fam" 2>&1 || true
	t_ip=$(elapsed "$t0" "$(secs)")
	eval "cli$fam=\$t_netrig ip$fam=\$t_ip lines$fam=\$lines full$fam=\$t_full"
	eval "phase$fam=\${phase:-0} phasecpu$fam=\${phase_cpu:-0} cliload$fam=\${cli_load:-0}"
done

echo "== Scapy 2.5.0 on a table it can load (namespace S: 1533 IPv4 routes in main, $SCAPY_ROUTES6 IPv6)"
# Scapy's resync is quadratic in the IPv6 table (measured here: 5k routes
# 0.1 s, 20k 3.4 s, 50k 51 s), so 200k would not finish; netrig is measured
# on the same smaller table for the side-by-side figures.
nr_netns S bench
nr_netns SP bench
ip -n "$S" link add v0 type veth peer name pv0 netns "$SP"
ip -n "$S" link set v0 up
ip -n "$SP" link set pv0 up
ip -n "$S" addr add 198.51.100.1/24 dev v0
ip -n "$S" addr add 2001:db8::1/64 dev v0 nodad
grep ' table 1000$' "$tmp/routes4" | sed 's/ table 1000$//' | grep -v '^route add 198.51.100.0/24 ' > "$tmp/routes4main"
ip -n "$S" -force -batch "$tmp/routes4main" 2>/dev/null || true
head -n "$SCAPY_ROUTES6" "$tmp/routes6" | ip -n "$S" -6 -batch -
"$BENCH_STACK" --netns "$S" --lookups 200000 > "$tmp/stackS.out"
sed 's/^/   netrig in-process: /' "$tmp/stackS.out"
scapy_out=$(timeout "$SCAPY_TIMEOUT" ip netns exec "$S" $PY - "$tmp/dst4" "$tmp/dst6" "$SCAPY_LOOKUPS" <<'EOF' 2>/dev/null || echo "scapy_failed=1"
import sys, time, logging
logging.getLogger("scapy").setLevel(logging.ERROR)
from scapy.all import conf
t = time.monotonic(); conf.route.resync(); t4 = time.monotonic() - t
t = time.monotonic(); conf.route6.resync(); t6 = time.monotonic() - t
print(f"scapy_resync4_s={t4:.3f}\nscapy_routes4={len(conf.route.routes)}")
print(f"scapy_resync6_s={t6:.3f}\nscapy_routes6={len(conf.route6.routes)}")
n = int(sys.argv[3])
for fam, path, fn in (("4", sys.argv[1], conf.route.route), ("6", sys.argv[2], conf.route6.route)):
    dsts = [l.strip() for _, l in zip(range(n), open(path))]
    t = time.monotonic()
    done = 0
    for d in dsts:
        fn(d, verbose=0)
        done += 1
        if done % 16 == 0 and time.monotonic() - t > 20:
            break
    dt = time.monotonic() - t
    print(f"scapy_lookups{fam}={done}\nscapy_lookups{fam}_per_s={done / dt:.1f}")
EOF
)
printf '%s\n' "$scapy_out" | sed 's/^/   scapy 2.5.0: /'
val() { printf '%s\n' "$scapy_out" | sed -n "s/^$1=//p"; }

printf '%s\n' "$scapy_out" | sed 's/^/   scapy 2.5.0: /'
val() { printf '%s\n' "$scapy_out" | sed -n "s/^$1=//p"; }

echo
echo "== results"
$PY - "$tmp/stack.out" "$tmp/stackS.out" <<EOF
import sys
def kvs(path):
    return dict(l.strip().split("=", 1) for l in open(path) if "=" in l)
def f(x):
    try: return float(x)
    except (TypeError, ValueError): return None
def rate(x):
    if x is None:
        return "n/a"
    return f"{x/1e6:.2f} M/s" if x >= 1e6 else f"{x/1e3:.1f} k/s" if x >= 1e3 else f"{x:.1f} /s"
kv, ks = kvs(sys.argv[1]), kvs(sys.argv[2])
L = $LOOKUPS
r4, r6 = int(kv["routes4"]), int(kv["routes6"])
load, ipshow = float(kv["load_s"]), float("$ip_show")
print(f"1. full size: {r4} IPv4 + {r6} IPv6 routes")
print(f"  load: netrig (netlink dump -> stack) {load:.3f} s | ip route show table all (-4, -6) {ipshow:.3f} s"
      f"   -> netrig {ipshow/load:.1f}x faster")
print(f"  memory: {kv['bytes_per_route']} malloc bytes per route (stack, all tables; the trie's huge-page blocks are not counted: see rss_bytes_per_route below)")
print("  lookups, one core (netrig route get - includes process start and table load;")
print("  in-process here walks main, which holds the 1.5k distinct IPv4 prefixes: 1M distinct prefixes in the last block):")
for fam in ("4", "6"):
    cli, ip = float({"4": "$cli4", "6": "$cli6"}[fam]), float({"4": "$ip4", "6": "$ip6"}[fam])
    print(f"    IPv{fam}: netrig in-process {rate(float(kv['lookups' + fam + '_per_s']))} | "
          f"netrig route get - {rate(L/cli)} | ip -batch route get {rate(L/ip)}"
          f"   -> netrig CLI / ip -batch = {ip/cli:.1f}x")
    ph = {"4": ("$phase4", "$phasecpu4", "$cliload4"), "6": ("$phase6", "$phasecpu6", "$cliload6")}[fam]
    print(f"          netrig route get - lookup phase alone (--stats, after {f(ph[2]) or 0:.3f} s of loading): "
          f"{rate(f(ph[0]) or None)} wall, {rate(f(ph[1]) or None)} CPU time")
    full = float({"4": "$full4", "6": "$full6"}[fam])
    print(f"          netrig route get - with every table loaded (as show/verify load them): {rate(L/full)}")
s4, s6 = f("$(val scapy_resync4_s)"), f("$(val scapy_resync6_s)")
n4, n6 = int(ks["routes4"]), int(ks["routes6"])
print(f"2. Scapy's size (namespace S): {n4} IPv4 + {n6} IPv6 routes")
if s6 is None:
    print("  scapy 2.5.0: did not finish (timeout or error)")
else:
    sl = float(ks["load_s"])
    sr = s4 + s6
    print(f"  load: netrig {sl:.3f} s | scapy 2.5.0 resync {sr:.3f} s (route {s4:.3f} s: "
          f"$(val scapy_routes4) routes, main only; route6 {s6:.3f} s: $(val scapy_routes6) routes)"
          f"   -> netrig {sr/sl:.0f}x faster")
    for fam in ("4", "6"):
        sc = f("$(val scapy_lookups4_per_s)" if fam == "4" else "$(val scapy_lookups6_per_s)")
        mine = float(ks["lookups" + fam + "_per_s"])
        print(f"    IPv{fam} lookups: netrig in-process {rate(mine)} | scapy route{'6' if fam == '6' else ''}() {rate(sc)}"
              + (f"   -> netrig {mine/sc:.0f}x" if sc else ""))
EOF
echo
echo "== in-memory LPM at 1M IPv4 / 200k IPv6 random prefixes (bench_lpm)"
if [ -x "$BENCH_LPM" ]; then "$BENCH_LPM" | sed 's/^/   /'; else echo "   bench_lpm not built"; fi
echo "== in-process route lookups at 1M IPv4 / 200k IPv6 distinct prefixes (bench_stack --synthetic: built in memory, no kernel)"
if [ -x "$BENCH_STACK" ]; then "$BENCH_STACK" --synthetic --lookups 2000000 | sed 's/^/   /'; else echo "   bench_stack not built"; fi
