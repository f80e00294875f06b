#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Responders side by side, one run, ratios printed (issue 4, Benchmarks).
#
# 1. ICMP echo through a TUN (nrt-respond-bench-*: tun0 persistent, kernel
#    192.0.2.1 peer 192.0.2.2), `ping -f -c N` and `ping -f -l 16 -c N` to
#    192.0.2.2, answered by: netrig respond --any (its defaults: the link
#    thread, blocking read/write, with a measured 50 us busy poll; and
#    three variants: one epoll loop, --io epoll, "epoll"; frames through
#    io_uring, NETRIG_IO_URING=1, "ring"; the thread never spinning,
#    --busy-poll 0, "sleep"); bench_min_responder (read, swap, checksum,
#    write); Scapy's ICMPEcho_am as Debian ships it (fewer requests,
#    bounded by -w); and the kernel's own echo over a veth into a second
#    namespace. pps from ping's own clock; CPU per reply from getrusage of
#    each responder process (bench_min_responder rusage). Then netrig and
#    the minimal responder again with ping and responder pinned to one
#    CPU ("pinned"): no cross-CPU wake-up, the round trip is CPU-bound,
#    and a responder that spins only makes the client wait. And once more
#    with PM QoS asking for no idle exit latency (/dev/cpu_dma_latency
#    held open at 0 for those runs only, "fastwake"): idle CPUs poll
#    instead of halting, so a wake-up costs no trip through the
#    hypervisor, the state a VM with cheap wake-ups is in (seen here
#    unbidden, run to run). BENCH_NO_QOS=1 leaves that part out.
# 2. Neighbour resolution, first and cached, over a veth pair:
#    netrig neigh resolve vs Scapy getmacbyip vs arping's reported time
#    (the kernel's own ARP exchange), medians of R runs.
# 3. 65,536 emulated hosts (2001:db8:1::/112) plus 768 (three IPv4 /24s)
#    behind one TAP: RSS of netrig and reply rates (ping -f, and a burst of
#    NS/ARP requests over many targets from Scapy).
# Every run is bounded by count and by deadline (ping -w, timeout).
# BENCH_ECHO_ONLY=1: part 1 alone.
set -eu
source "$(dirname "$0")/../netns/lib.sh"
nr_require_netns
[ -x "$NETRIG" ] || nr_skip "no netrig binary at $NETRIG"
MIN="${NETRIG_BUILD_DIR:-build}/tests/bench_min_responder"
[ -x "$MIN" ] || nr_skip "no bench_min_responder at $MIN"
for t in ping arping timeout; do command -v $t >/dev/null || nr_skip "$t missing"; done

N=${BENCH_N:-20000}          # echo requests per ping -f flood
N16=${BENCH_N16:-$((N * 10))} # per ping -f -l 16 flood (10x faster: as long a run)
NSCAPY=${BENCH_NSCAPY:-300}  # Scapy is slow; fewer, with a deadline
R=${BENCH_R:-7}              # resolution runs
TMP=$(mktemp -d /tmp/nrt-respond-bench.XXXXXX)
BG=""
bench_cleanup() {
	for p in $BG; do kill -KILL "$p" 2>/dev/null || true; done
	nr_cleanup
	rm -rf "$TMP"
}
trap bench_cleanup EXIT INT TERM HUP

# start RUNNER-LOG READY-PATTERN CMD...: run CMD under the rusage stopwatch
# in the background, stdout to $TMP/out.$$; return once READY-PATTERN shows.
start() {
	local err=$1 pat=$2 fifo=$TMP/fifo line
	shift 2
	mkfifo "$fifo"
	"$MIN" rusage -- "$@" >"$fifo" 2>"$err" &
	PID=$!
	BG="$BG $PID"
	exec 3<"$fifo"
	rm -f "$fifo"
	while read -r -t 30 line <&3; do
		case "$line" in *$pat*) break ;; esac
	done
	cat <&3 >"$err.out" &
	DRAIN=$!
	exec 3<&-
}
stop() { # -> sets CPU_US (user + sys)
	local u s
	kill -TERM "$PID" 2>/dev/null || true
	wait "$PID" || true
	wait "$DRAIN" || true
	read -r _ u s < <(grep '^rusage_us' "$1")
	CPU_US=$((u + s))
}
# flood NS ARGS...: ping in NS; sets PPS and RECV.
PIN="" # a taskset prefix for the client, the pinned runs
flood() {
	local ns=$1 out t
	shift
	out=$($PIN ip netns exec "$ns" "$MIN" rusage -- ping -q "$@" 2>&1 || true)
	RECV=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' <<<"$out")
	t=$(sed -n 's/.*time \([0-9]*\)ms.*/\1/p' <<<"$out")
	RECV=${RECV:-0}
	t=${t:-0}
	if [ "$t" -gt 0 ]; then PPS=$((RECV * 1000 / t)); else PPS=0; fi
	# How busy the client was (its CPU over its run): near 100%, ping itself is the bound.
	BUSY=$(awk -v t="$t" '/^rusage_us/ { if (t > 0) printf "%d", ($2 + $3) / (t * 10) }' <<<"$out")
	BUSY=${BUSY:-?}
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "n/a" }'; }
per() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "n/a" }'; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "n/a" }'; }

echo "# netrig respond benchmark: N=$N echo requests per ping -f flood, $N16 per -l 16, $(nproc) CPUs, kernel $(uname -r)"

# ------------------------------------------------------------ 1. echo
nr_netns NS respond-bench
ip -n "$NS" tuntap add dev tun0 mode tun
ip -n "$NS" addr add 192.0.2.1 peer 192.0.2.2 dev tun0
ip -n "$NS" link set tun0 up
declare -A PPS1 PPS16 CPU
run_tun() { # NAME READY CMD...
	local name=$1 pat=$2
	shift 2
	start "$TMP/$name.err" "$pat" "$@"
	flood "$NS" -f -c "$N" -w 60 192.0.2.2
	PPS1[$name]=$PPS
	local r1=$RECV b1=$BUSY
	flood "$NS" -f -l 16 -c "$N16" -w 60 192.0.2.2
	PPS16[$name]=$PPS
	stop "$TMP/$name.err"
	CPU[$name]=$(per "$CPU_US" $((r1 + RECV)))
	echo "echo/$name: ping -f ${PPS1[$name]} pps, ping -f -l 16 ${PPS16[$name]} pps, $((r1 + RECV)) replies, ${CPU[$name]} us CPU/reply; ping's CPU busy $b1% | $BUSY%"
	# netrig's own account of its busy-poll choice, when it made one
	sed -n 's/^busy poll: /    busy poll: /p' "$TMP/$name.err.out" 2>/dev/null || true
}
run_tun netrig "responding" "$NETRIG" respond --netns "$NS" --tun tun0 --any
run_tun minimal "ready" ip netns exec "$NS" "$MIN" serve tun0
run_tun epoll "responding" "$NETRIG" respond --netns "$NS" --tun tun0 --any --io epoll
run_tun ring "responding" env NETRIG_IO_URING=1 "$NETRIG" respond --netns "$NS" --tun tun0 --any
run_tun sleep "responding" "$NETRIG" respond --netns "$NS" --tun tun0 --any --busy-poll 0
PIN="taskset -c 0"
run_tun pinned "responding" taskset -c 0 "$NETRIG" respond --netns "$NS" --tun tun0 --any
run_tun pinmin "ready" taskset -c 0 ip netns exec "$NS" "$MIN" serve tun0
PIN=""
if [ "${BENCH_NO_QOS:-0}" != 1 ] && [ -w /dev/cpu_dma_latency ]; then
	# Held while fd 7 is open; closed below, and by the kernel if we die.
	exec 7>/dev/cpu_dma_latency
	printf 0 >&7
	run_tun fastwake "responding" "$NETRIG" respond --netns "$NS" --tun tun0 --any
	run_tun fastmin "ready" ip netns exec "$NS" "$MIN" serve tun0
	exec 7>&-
fi

# Scapy as Debian ships it: bounded by timeout and ping -w.
start "$TMP/scapy.err" "ready" ip netns exec "$NS" timeout 120 /usr/bin/python3 -u -c '
from scapy.all import TunTapInterface, ICMPEcho_am, conf
conf.verb = 0
t = TunTapInterface("tun0")
am = t.am(ICMPEcho_am)
print("ready", flush=True)
am(verbose=0)
'
flood "$NS" -f -c "$NSCAPY" -w 15 192.0.2.2
PPS1[scapy]=$PPS
sr=$RECV
flood "$NS" -f -l 16 -c "$NSCAPY" -w 15 192.0.2.2
PPS16[scapy]=$PPS
sr=$((sr + RECV))
stop "$TMP/scapy.err"
if [ "$sr" -eq 0 ]; then
	CPU[scapy]="n/a"
	echo "echo/scapy: ICMPEcho_am answered NOTHING the kernel accepted (0 of $((2 * NSCAPY)) requests; its CPU: $CPU_US us)"
else
	CPU[scapy]=$(per "$CPU_US" "$sr")
	echo "echo/scapy: ping -f ${PPS1[scapy]} pps, ping -f -l 16 ${PPS16[scapy]} pps, $sr replies, ${CPU[scapy]} us CPU/reply"
fi

# The kernel's own echo over a veth.
nr_netns KA respond-bench
nr_netns KB respond-bench
ip -n "$KA" link add v0 type veth peer name v1 netns "$KB"
ip -n "$KA" addr add 198.51.100.1/24 dev v0
ip -n "$KB" addr add 198.51.100.2/24 dev v1
ip -n "$KA" link set v0 up
ip -n "$KB" link set v1 up
ip netns exec "$KA" ping -c 1 -W 2 198.51.100.2 >/dev/null || true
flood "$KA" -f -c "$N" -w 60 198.51.100.2
PPS1[kernel]=$PPS
flood "$KA" -f -l 16 -c "$N16" -w 60 198.51.100.2
PPS16[kernel]=$PPS
CPU[kernel]="n/a (softirq)"
echo "echo/kernel (veth): ping -f ${PPS1[kernel]} pps, ping -f -l 16 ${PPS16[kernel]} pps"

echo
echo "## echo through a TUN: pps (ping -f | ping -f -l 16), CPU us per reply"
for n in netrig epoll ring sleep minimal scapy kernel pinned pinmin fastwake fastmin; do
	printf "%-8s %8s | %8s   %s\n" "$n" "${PPS1[$n]:-n/a}" "${PPS16[$n]:-n/a}" "${CPU[$n]:-n/a}"
done
echo "netrig/minimal: $(ratio "${PPS1[netrig]}" "${PPS1[minimal]}") | $(ratio "${PPS16[netrig]}" "${PPS16[minimal]}")   (goal >= 1)"
echo "pinned/pinmin:  $(ratio "${PPS1[pinned]}" "${PPS1[pinmin]}") | $(ratio "${PPS16[pinned]}" "${PPS16[pinmin]}")   (goal >= 1; client and responder on CPU 0)"
echo "fastwake/fastmin: $(ratio "${PPS1[fastwake]:-}" "${PPS1[fastmin]:-}") | $(ratio "${PPS16[fastwake]:-}" "${PPS16[fastmin]:-}")   (goal >= 1; PM QoS 0, cheap wake-ups)"
echo "epoll/minimal:  $(ratio "${PPS1[epoll]}" "${PPS1[minimal]}") | $(ratio "${PPS16[epoll]}" "${PPS16[minimal]}")   (--io epoll)"
echo "ring/minimal:   $(ratio "${PPS1[ring]}" "${PPS1[minimal]}") | $(ratio "${PPS16[ring]}" "${PPS16[minimal]}")   (NETRIG_IO_URING=1)"
echo "sleep/minimal:  $(ratio "${PPS1[sleep]}" "${PPS1[minimal]}") | $(ratio "${PPS16[sleep]}" "${PPS16[minimal]}")   (--busy-poll 0)"
echo "netrig/scapy:   $(ratio "${PPS1[netrig]}" "${PPS1[scapy]}") | $(ratio "${PPS16[netrig]}" "${PPS16[scapy]}")   (goal >= 50; n/a: Scapy answered nothing)"
echo "netrig/kernel:  $(ratio "${PPS1[netrig]}" "${PPS1[kernel]}") | $(ratio "${PPS16[netrig]}" "${PPS16[kernel]}")"

[ "${BENCH_ECHO_ONLY:-0}" = 1 ] && exit 0

# ------------------------------------------------- 2. resolution latency
: >"$TMP/nf"; : >"$TMP/nc"; : >"$TMP/sf"; : >"$TMP/sc"; : >"$TMP/kf"
for i in $(seq "$R"); do
	"$NETRIG" neigh resolve --netns "$KA" --repeat 2 198.51.100.2 >"$TMP/nr" 2>&1 || true
	sed -n '1s/.* time \([0-9.]*\) us$/\1/p' "$TMP/nr" >>"$TMP/nf"
	sed -n '2s/.* time \([0-9.]*\) us (cached)$/\1/p' "$TMP/nr" >>"$TMP/nc"
	ip netns exec "$KA" timeout 30 arping -c 1 -w 2 -I v0 198.51.100.2 2>/dev/null |
		sed -n 's/.*time=\([0-9.]*\) usec.*/\1/p; s/.*time=\([0-9.]*\) msec.*/\1 1000/p' |
		awk 'NF == 2 { print $1 * $2; next } { print }' >>"$TMP/kf" || true
done
ip netns exec "$KA" timeout 120 /usr/bin/python3 - "$R" >"$TMP/scapy_neigh" 2>/dev/null <<'EOF' || true
import sys, time
from scapy.all import getmacbyip, conf
conf.verb = 0
for _ in range(int(sys.argv[1])):
    conf.netcache.arp_cache.flush()
    t = time.perf_counter(); m = getmacbyip("198.51.100.2"); first = (time.perf_counter() - t) * 1e6
    t = time.perf_counter(); m2 = getmacbyip("198.51.100.2"); cached = (time.perf_counter() - t) * 1e6
    print("%.1f" % first if m else "nan", "%.1f" % cached if m2 else "nan")
EOF
awk '{ print $1 > "'"$TMP/sf"'"; print $2 > "'"$TMP/sc"'" }' "$TMP/scapy_neigh"
nf=$(median <"$TMP/nf"); nc=$(median <"$TMP/nc"); sf=$(median <"$TMP/sf"); sc=$(median <"$TMP/sc"); kf=$(median <"$TMP/kf")
echo
echo "## neighbour resolution, median of $R (us): first | cached"
printf "%-22s %10s | %s\n" "netrig neigh resolve" "$nf" "$nc" "scapy getmacbyip" "$sf" "$sc" "kernel (arping time)" "$kf" "-"
echo "scapy/netrig first: $(ratio "$sf" "$nf"); netrig first goal <= 100 us"

# --------------------------------------------- 3. 65,536 emulated hosts
nr_netns HN respond-bench
start "$TMP/many.err" "responding" "$NETRIG" respond --netns "$HN" --tap tap0 \
	--addr 2001:db8:1::/112 --addr 203.0.113.0/24 --addr 198.51.100.0/24 --addr 192.0.2.0/24 \
	--kernel-addr 2001:db8:1::1/64 --kernel-addr 203.0.113.1/24
NPID=$(pgrep -P "$PID" | head -1)
rss0=$(awk '/^VmRSS/ { print $2 }' "/proc/$NPID/status")
flood "$HN" -6 -f -c "$N" -w 60 2001:db8:1::ffff
p6=$PPS
flood "$HN" -f -c "$N" -w 60 203.0.113.200
p4=$PPS
t0=$(date +%s%N)
ip netns exec "$HN" timeout 300 /usr/bin/python3 - >"$TMP/burst" 2>/dev/null <<'EOF' || true
from scapy.all import Ether, ARP, IPv6, sendp, get_if_hwaddr, conf
from scapy.layers.inet6 import ICMPv6ND_NS, ICMPv6NDOptSrcLLAddr
conf.verb = 0
me = get_if_hwaddr("tap0")
f = []
for i in range(2, 4098):  # 4096 NS over the /112, each for another host
    t = "2001:db8:1::%x" % (i * 16 % 65536 or 2)
    f.append(Ether(dst="33:33:ff:00:%02x:%02x" % (int(t.split(":")[-1], 16) >> 8 & 255, int(t.split(":")[-1], 16) & 255), src=me) /
             IPv6(src="2001:db8:1::1", dst="ff02::1:ff00:" + t.split(":")[-1], hlim=255) /
             ICMPv6ND_NS(tgt=t) / ICMPv6NDOptSrcLLAddr(lladdr=me))
for net in ("203.0.113", "198.51.100", "192.0.2"):
    for h in range(1, 255):
        f.append(Ether(dst="ff:ff:ff:ff:ff:ff", src=me) / ARP(op=1, hwsrc=me, psrc="203.0.113.1", pdst="%s.%d" % (net, h)))
sendp(f, iface="tap0")
print(len(f))
EOF
t1=$(date +%s%N)
rss1=$(awk '/^VmRSS/ { print $2 }' "/proc/$NPID/status")
hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$NPID/status")
stop "$TMP/many.err"
sent=$(cat "$TMP/burst" 2>/dev/null || echo 0)
replies=$(sed -n 's/^replies: //p' "$TMP/many.err.out")
na=$(sed -n 's/^ndp replies: //p' "$TMP/many.err.out")
arp=$(sed -n 's/^arp replies: //p' "$TMP/many.err.out")
echo
echo "## 65,536 + 768 emulated hosts behind one TAP"
echo "RSS: ${rss0} kB at start, ${rss1} kB after, peak ${hwm} kB (goal <= 32768 kB)"
echo "echo6 to 2001:db8:1::ffff: $p6 pps; echo to 203.0.113.200: $p4 pps (ping -f)"
echo "burst of ${sent} NS/ARP (Scapy sendp) over as many hosts: ndp replies ${na:-0}, arp replies ${arp:-0}, in $(((t1 - t0) / 1000000)) ms (Scapy's send rate bounds this)"
echo "netrig total: replies ${replies:-0}, CPU ${CPU_US} us, $(per "$CPU_US" "${replies:-0}") us/reply"
