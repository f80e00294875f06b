#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# netrig respond against real clients on the kernel side, each case in a
# namespace of its own:
#
#   nrt-respond-tap-*:  kernel 203.0.113.1/24, 2001:db8:1::1/64
#                       [tap0] <== fd ==> netrig respond: 203.0.113.0/24, 2001:db8:1::/112
#   nrt-respond-tun-*:  kernel 198.51.100.1/24, 2001:db8:3::1/64
#                       [tun0] <== fd ==> netrig respond: 198.51.100.0/24, 2001:db8:3::/112
#   nrt-respond-any-*:  tun0 made beforehand (ip tuntap), 192.0.2.1 peer 192.0.2.2
#                       netrig respond --any (Scapy's ICMPEcho_am doc example)
#   nrt-respond-bad-*:  [tap0] <- Scapy sendp of malformed and hostile frames
#
# Clients: ping, ping -6 (payload pattern), arping, ndisc6; the kernel's
# neighbour table; every reply captured by netrig (--pcap) and decoded by
# tshark (checksum status, NA flags, TLLAO, payload) and by Scapy
# (checksums recomputed). Every wait has a deadline: netrig runs under
# a watchdog, its readiness line is read with read -t, clients use -W/-c.
set -eu
. "$(dirname "$0")/lib.sh"
nr_require_netns
for t in ping arping ndisc6 tshark timeout mkfifo; do
	command -v "$t" >/dev/null || nr_skip "$t missing"
done
[ -x "$NETRIG" ] || { echo "FAIL: no netrig binary at $NETRIG"; exit 1; }
$PY -c 'import scapy' 2>/dev/null || nr_skip "python3-scapy missing"

TMP=$(mktemp -d /tmp/nrt-respond.XXXXXX)
RESP_PID=""
WATCHDOG=""
fails=0
cleanup_all() {
	if [ -n "$RESP_PID" ]; then kill -KILL "$RESP_PID" 2>/dev/null || true; fi
	if [ -n "$WATCHDOG" ]; then kill "$WATCHDOG" 2>/dev/null || true; fi
	nr_cleanup
	rm -rf "$TMP"
}
trap cleanup_all EXIT INT TERM HUP

ok() { echo "ok - $*"; }
fail() { echo "FAIL - $*"; fails=$((fails + 1)); }
check() { # check DESCRIPTION COMMAND...
	local d=$1
	shift
	if "$@"; then ok "$d"; else fail "$d"; fi
}

# start_respond LOG ARGS...: netrig respond in the background; returns once
# its readiness line is out (or fails after 10 s).
start_respond() {
	local log=$1 fifo="$TMP/fifo.$$.$RANDOM" line
	shift
	mkfifo "$fifo"
	"$NETRIG" respond "$@" >"$fifo" 2>"$log.err" &
	RESP_PID=$!
	# The bound on its life (timeout(1) would blur netrig's own exit status).
	(
		trap 'kill "$s" 2>/dev/null; exit 0' TERM
		sleep 120 &
		s=$!
		wait "$s"
		kill -KILL "$RESP_PID" 2>/dev/null
	) >/dev/null 2>&1 &
	WATCHDOG=$!
	exec 3<"$fifo"
	rm -f "$fifo"
	if ! read -r -t 10 line <&3; then
		echo "netrig respond did not start:" >&2
		cat "$log.err" >&2
		exec 3<&-
		return 1
	fi
	echo "$line" >"$log"
	# Drain the rest (verbose lines, counters) so netrig never blocks on stdout.
	cat <&3 >>"$log" &
	exec 3<&-
}

end_watchdog() {
	kill "$WATCHDOG" 2>/dev/null || true
	wait "$WATCHDOG" 2>/dev/null || true
	WATCHDOG=""
}

# stop_respond: SIGTERM, wait for the counters; the exit status must be 0.
stop_respond() {
	local rc=0
	kill -TERM "$RESP_PID"
	wait "$RESP_PID" || rc=$?
	RESP_PID=""
	end_watchdog
	wait # the drain
	return $rc
}

count_of() { # count_of LOG "name" -> the counter's value (0 when absent)
	local v
	v=$(sed -n "s/^$2: //p" "$1" | tail -1)
	echo "${v:-0}"
}

PATTERN=a5c3
# ------------------------------------------------------------------ TAP
nr_netns NS tap
log=$TMP/tap.log
pcap=$TMP/tap.pcap
start_respond "$log" --netns "$NS" --tap tap0 --addr 203.0.113.0/24 --addr 2001:db8:1::/112 \
	--kernel-addr 203.0.113.1/24 --kernel-addr 2001:db8:1::1/64 --pcap "$pcap" --verbose
check "tap: ready line names the ranges" grep -q '203.0.113.0/24 (all) 2001:db8:1::/112 (all)' "$log"
out=$(ip netns exec "$NS" ping -c 3 -i 0.2 -W 2 -p $PATTERN 203.0.113.5 2>&1 || true)
check "tap: ping 203.0.113.5 3/3" grep -q '3 received' <<<"$out"
out=$(ip netns exec "$NS" ping -6 -c 3 -i 0.2 -W 2 -p $PATTERN 2001:db8:1::5 2>&1 || true)
check "tap: ping -6 2001:db8:1::5 3/3" grep -q '3 received' <<<"$out"
out=$(ip netns exec "$NS" arping -c 3 -w 3 -I tap0 203.0.113.77 2>&1 || true)
check "tap: arping 203.0.113.77 3/3" grep -q '3 packets received' <<<"$out"
check "tap: arping sees the derived MAC" grep -qi '02:00:cb:00:71:4d' <<<"$out"
out=$(ip netns exec "$NS" ndisc6 -r 3 -w 1000 2001:db8:1::9 tap0 2>&1 || true)
check "tap: ndisc6 2001:db8:1::9" grep -qi 'Target link-layer address: 02:06:00:00:00:09' <<<"$out"
neigh=$(ip -n "$NS" neigh show dev tap0)
check "tap: kernel learned 203.0.113.5" grep -qi '^203.0.113.5 lladdr 02:00:cb:00:71:05' <<<"$neigh"
check "tap: kernel learned 2001:db8:1::5" grep -qi '^2001:db8:1::5 lladdr 02:06:00:00:00:05' <<<"$neigh"
check "tap: netrig exits 0 on SIGTERM" stop_respond
check "tap: device removed on exit" eval '! ip -n "$NS" link show tap0 >/dev/null 2>&1'
# 3 echo + 3 echo6 + 3 ARP (ping's and arping's 3; the kernel may ask again) + NA(s).
replies=$(count_of "$log" replies)
check "tap: counters printed (replies $replies >= 11)" test "$replies" -ge 11
check "tap: verbose line per reply" test "$(grep -c ' reply \|^na ' "$log")" -eq "$replies"

# tshark: every reply's checksums good, NA flags, TLLAO, payload pattern intact.
tsv=$(tshark -r "$pcap" -o ip.check_checksum:TRUE -T fields -E separator=, \
	-e icmp.type -e ip.checksum.status -e icmp.checksum.status -e icmpv6.type \
	-e icmpv6.checksum.status -e icmpv6.nd.na.flag.r -e icmpv6.nd.na.flag.s \
	-e icmpv6.nd.na.flag.o -e icmpv6.opt.type -e data.data 2>/dev/null)
echo_ok=$(grep -c '^0,1,1,.*a5c3a5c3' <<<"$tsv" || true)
check "tshark: 3 IPv4 echo replies, IP and ICMP checksums good, pattern intact" test "$echo_ok" -eq 3
echo6_ok=$(grep -c '^,,,129,1,.*a5c3a5c3' <<<"$tsv" || true)
check "tshark: 3 ICMPv6 echo replies, checksum good, pattern intact" test "$echo6_ok" -eq 3
na_ok=$(grep -c '^,,,136,1,0,1,1,2,' <<<"$tsv" || true)
check "tshark: NAs with S=1 O=1 R=0 and TLLAO, checksum good ($na_ok)" test "$na_ok" -ge 2
check "tshark: no bad checksum anywhere" eval '! tshark -r "$pcap" -V -o ip.check_checksum:TRUE 2>/dev/null | grep -qiE "status: (bad|incorrect)"'
check "tshark -V: checksum status fields say Good" eval 'tshark -r "$pcap" -V -o ip.check_checksum:TRUE 2>/dev/null | grep -q "Checksum Status: Good"'
arp_ok=$(tshark -r "$pcap" -Y 'arp.opcode==2 && arp.src.proto_ipv4==203.0.113.77 && arp.src.hw_mac==02:00:cb:00:71:4d && eth.src==02:00:cb:00:71:4d' 2>/dev/null | wc -l)
check "tshark: ARP replies for 203.0.113.77 from its MAC ($arp_ok)" test "$arp_ok" -ge 3

# Scapy: recompute every checksum of every reply; NA/TLLAO and echo payload checks.
check "scapy: replies well-formed" $PY - "$pcap" <<'EOF'
import sys
from scapy.all import rdpcap, Ether, IP, ICMP, IPv6, ICMPv6EchoReply, ICMPv6EchoRequest, ARP
from scapy.layers.inet6 import ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6NDOptDstLLAddr
pkts = rdpcap(sys.argv[1])
bad = 0
reqs = {}
for p in pkts:
    if ICMP in p and p[ICMP].type == 8:
        reqs[("4", p[ICMP].id, p[ICMP].seq)] = bytes(p[ICMP].payload)
    if ICMPv6EchoRequest in p:
        reqs[("6", p[ICMPv6EchoRequest].id, p[ICMPv6EchoRequest].seq)] = p[ICMPv6EchoRequest].data
n = {"echo": 0, "echo6": 0, "na": 0, "arp": 0}
for p in pkts:
    if not str(p[Ether].src).startswith("02:0"):
        continue
    q = Ether(bytes(p))
    if IP in q:
        c = q.copy(); del c[IP].chksum; del c[ICMP].chksum; c = Ether(bytes(c))
        if c[IP].chksum != q[IP].chksum or c[ICMP].chksum != q[ICMP].chksum: bad += 1; print("bad v4 csum", q.summary())
        if q[ICMP].type == 0:
            n["echo"] += 1
            if bytes(q[ICMP].payload) != reqs.get(("4", q[ICMP].id, q[ICMP].seq)): bad += 1; print("payload differs")
    elif ICMPv6EchoReply in q:
        c = q.copy(); del c[ICMPv6EchoReply].cksum; c = Ether(bytes(c))
        if c[ICMPv6EchoReply].cksum != q[ICMPv6EchoReply].cksum: bad += 1; print("bad v6 csum")
        n["echo6"] += 1
        if q[ICMPv6EchoReply].data != reqs.get(("6", q[ICMPv6EchoReply].id, q[ICMPv6EchoReply].seq)): bad += 1; print("payload6 differs")
    elif ICMPv6ND_NA in q:
        c = q.copy(); del c[ICMPv6ND_NA].cksum; c = Ether(bytes(c))
        if c[ICMPv6ND_NA].cksum != q[ICMPv6ND_NA].cksum: bad += 1; print("bad NA csum")
        na = q[ICMPv6ND_NA]
        if q[IPv6].hlim != 255 or na.R != 0 or na.S != 1 or na.O != 1: bad += 1; print("NA fields", na.summary())
        if ICMPv6NDOptDstLLAddr not in q or q[ICMPv6NDOptDstLLAddr].lladdr != q[Ether].src: bad += 1; print("NA TLLAO")
        n["na"] += 1
    elif ARP in q:
        a = q[ARP]
        if a.op != 2 or a.hwsrc != q[Ether].src or a.hwlen != 6 or a.plen != 4: bad += 1; print("ARP", a.summary())
        n["arp"] += 1
print(n)
sys.exit(1 if bad or n["echo"] != 3 or n["echo6"] != 3 or n["na"] < 2 or n["arp"] < 4 else 0)
EOF
nr_netns_del "$NS"

# ------------------------------------------------------------------ TUN
nr_netns NS tun
log=$TMP/tun.log
pcap=$TMP/tun.pcap
start_respond "$log" --netns "$NS" --tun tun0 --addr 198.51.100.0/24 --addr 2001:db8:3::/112 \
	--kernel-addr 198.51.100.1/24 --kernel-addr 2001:db8:3::1/64 --pcap "$pcap" --verbose
out=$(ip netns exec "$NS" ping -c 3 -i 0.2 -W 2 -p $PATTERN 198.51.100.7 2>&1 || true)
check "tun: ping 198.51.100.7 3/3" grep -q '3 received' <<<"$out"
out=$(ip netns exec "$NS" ping -6 -c 3 -i 0.2 -W 2 -p $PATTERN 2001:db8:3::7 2>&1 || true)
check "tun: ping -6 2001:db8:3::7 3/3" grep -q '3 received' <<<"$out"
out=$(ip netns exec "$NS" ping -c 1 -W 1 198.51.100.1 2>&1 || true)
check "tun: the kernel's own address is not emulated (answered by the kernel)" grep -q '1 received' <<<"$out"
check "tun: netrig exits 0 on SIGTERM" stop_respond
check "tun: 6 replies counted" test "$(count_of "$log" replies)" -eq 6
tsv=$(tshark -r "$pcap" -o ip.check_checksum:TRUE -T fields -E separator=, \
	-e icmp.type -e ip.checksum.status -e icmp.checksum.status -e icmpv6.type \
	-e icmpv6.checksum.status -e data.data 2>/dev/null)
check "tshark (DLT_RAW): 3 echo replies good, pattern intact" test "$(grep -c '^0,1,1,.*a5c3a5c3' <<<"$tsv" || true)" -eq 3
check "tshark (DLT_RAW): 3 echo6 replies good, pattern intact" test "$(grep -c '^,,,129,1,.*a5c3a5c3' <<<"$tsv" || true)" -eq 3
nr_netns_del "$NS"

# ------------------------------------------------- Scapy's doc example
nr_netns NS any
ip -n "$NS" tuntap add dev tun0 mode tun
log=$TMP/any.log
start_respond "$log" --netns "$NS" --tun tun0 --any --kernel-addr 192.0.2.1/32 \
	--kernel-peer 192.0.2.2 --count 3 --verbose
out=$(ip netns exec "$NS" ping -c 3 -i 0.2 -W 2 192.0.2.2 2>&1 || true)
check "any: ping 192.0.2.2 through tun0 3/3 (Scapy's ICMPEcho_am example)" grep -q '3 received' <<<"$out"
rc=0
wait "$RESP_PID" || rc=$?
RESP_PID=""
end_watchdog
wait
check "any: --count 3 ends netrig by itself, exit 0" test "$rc" -eq 0
check "any: 3 verbose reply lines from 192.0.2.2" test "$(grep -c '^echo reply 192.0.2.2 > 192.0.2.1' "$log")" -eq 3
check "any: tun0 existed before, so it is kept" ip -n "$NS" link show tun0 >/dev/null
nr_netns_del "$NS"

# ------------------------------------------------------ hostile frames
nr_netns NS bad
log=$TMP/bad.log
start_respond "$log" --netns "$NS" --tap tap0 --addr 203.0.113.0/24 --addr 2001:db8:1::/112 \
	--kernel-addr 203.0.113.1/24 --kernel-addr 2001:db8:1::1/64 --verbose
check "bad: Scapy writes hostile frames into tap0" ip netns exec "$NS" $PY - <<'EOF'
import sys
from scapy.all import Ether, ARP, IP, ICMP, IPv6, Raw, sendp, get_if_hwaddr, conf
from scapy.layers.inet6 import ICMPv6ND_NS, ICMPv6NDOptSrcLLAddr, ICMPv6EchoRequest
conf.verb = 0
me = get_if_hwaddr("tap0")
h = "02:00:cb:00:71:05"
h6 = "02:06:00:00:00:05"
snm = "33:33:ff:00:00:05"
frames = []
arp = Ether(dst="ff:ff:ff:ff:ff:ff", src=me) / ARP(op=1, hwsrc=me, psrc="203.0.113.1", pdst="203.0.113.5")
frames.append(bytes(arp)[:14 + 10])                                  # truncated ARP
frames.append(bytes(Ether(dst="ff:ff:ff:ff:ff:ff", src=me) / ARP(op=1, hwsrc=me, psrc="203.0.113.1", pdst="192.0.2.9")))  # foreign target
frames.append(bytes(Ether(dst="ff:ff:ff:ff:ff:ff", src=me) / ARP(op=1, hwsrc=me, psrc="203.0.113.1", pdst="203.0.113.5", hwlen=4)))  # bad hlen
frames.append(bytes(Ether(dst="ff:ff:ff:ff:ff:ff", src=me) / ARP(op=1, hwsrc=me, psrc="203.0.113.5", pdst="203.0.113.5")))  # gratuitous
ns = Ether(dst=snm, src=me) / IPv6(src="2001:db8:1::1", dst="ff02::1:ff00:5", hlim=64) / ICMPv6ND_NS(tgt="2001:db8:1::5") / ICMPv6NDOptSrcLLAddr(lladdr=me)
frames.append(bytes(ns))                                             # hop limit 64
ns = Ether(dst=snm, src=me) / IPv6(src="2001:db8:1::1", dst="ff02::1:ff00:5", hlim=255) / ICMPv6ND_NS(tgt="2001:db8:1::5", cksum=0x1234) / ICMPv6NDOptSrcLLAddr(lladdr=me)
frames.append(bytes(ns))                                             # bad checksum
ns = Ether(dst=snm, src=me) / IPv6(src="2001:db8:1::1", dst="ff02::1:ff00:5", hlim=255) / ICMPv6ND_NS(tgt="2001:db8:1::5") / ICMPv6NDOptSrcLLAddr(lladdr=me, len=0)
frames.append(bytes(ns))                                             # zero-length option
ns = Ether(dst="33:33:ff:00:00:09", src=me) / IPv6(src="2001:db8:1::1", dst="ff02::1:ff00:9", hlim=255) / ICMPv6ND_NS(tgt="2001:db8:9::9") / ICMPv6NDOptSrcLLAddr(lladdr=me)
frames.append(bytes(ns))                                             # foreign target
frames.append(bytes(ns)[:14 + 40 + 10])                              # truncated NS
e = Ether(dst=h, src=me) / IP(src="203.0.113.1", dst="203.0.113.5") / ICMP(id=1, seq=1, chksum=0xbeef) / Raw(b"x" * 32)
frames.append(bytes(e))                                              # bad ICMP checksum
e = Ether(dst=h, src=me) / IP(src="203.0.113.1", dst="203.0.113.5", chksum=0xbeef) / ICMP(id=1, seq=2) / Raw(b"x" * 32)
frames.append(bytes(e))                                              # bad IP checksum
e = Ether(dst=h, src=me) / IP(src="203.0.113.1", dst="203.0.113.5", len=200) / ICMP(id=1, seq=3) / Raw(b"x" * 32)
frames.append(bytes(e))                                              # IP length beyond the frame
e = Ether(dst=h, src=me) / IP(src="203.0.113.1", dst="192.0.2.5") / ICMP(id=1, seq=4)
frames.append(bytes(e))                                              # echo for a foreign address
e = Ether(dst=h6, src=me) / IPv6(src="2001:db8:1::1", dst="2001:db8:1::5") / ICMPv6EchoRequest(id=1, seq=5, cksum=0x4321)
frames.append(bytes(e))                                              # bad ICMPv6 checksum
e = Ether(dst=h, src=me) / IP(src="203.0.113.1", dst="203.0.113.5", flags="MF") / ICMP(id=1, seq=6)
frames.append(bytes(e))                                              # fragment
frames.append(bytes(Ether(dst=h, src=me, type=0x0800)))              # empty IPv4
# A bounded flood: 2000 ARP requests for foreign targets.
for i in range(2000):
    frames.append(bytes(Ether(dst="ff:ff:ff:ff:ff:ff", src=me) / ARP(op=1, hwsrc=me, psrc="203.0.113.1", pdst="198.51.100.%d" % (i % 250 + 1))))
sendp([Ether(f) for f in frames], iface="tap0")
print("sent", len(frames))
EOF
# Still alive and answering: one good ping, then the counters.
out=$(ip netns exec "$NS" ping -c 1 -W 2 203.0.113.5 2>&1 || true)
check "bad: netrig still answers after the hostile frames" grep -q '1 received' <<<"$out"
check "bad: netrig exits 0 on SIGTERM" stop_respond
# Replies: only the good ping's ARP reply and echo reply.
check "bad: no reply to any hostile frame (2 replies: the good ping's)" test "$(count_of "$log" replies)" -eq 2
check "bad: the replies are the good ping's" test "$(grep -c '^arp reply 203.0.113.5 \|^echo reply 203.0.113.5 > 203.0.113.1 id [0-9]* seq 1 ' "$log")" -eq 2
fin=$(count_of "$log" "frames in")
check "bad: every frame read ($fin >= 2017)" test "$fin" -ge 2017
check "bad: foreign ARP targets counted" test "$(count_of "$log" "arp drop: not mine")" -ge 2001
for why in "ndp drop: NDP hop limit not 255" "ndp drop: zero-length option" "host drop: truncated" "ndp drop: bad checksum" "echo drop: bad checksum" "echo6 drop: bad checksum" "echo drop: not mine" "echo drop: fragment" "arp drop: gratuitous"; do
	v=$(count_of "$log" "$why")
	check "bad: counted '$why' ($v)" test "$v" -ge 1
done
grep -E 'drop' "$log" | sed 's/^/  # /'
nr_netns_del "$NS"

if [ "$fails" -ne 0 ]; then
	echo "$fails check(s) failed"
	exit 1
fi
echo "all passed"
