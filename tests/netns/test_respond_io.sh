#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# netrig respond on a TUN with frames through each of its ways: the link
# thread (--io thread, the default), one epoll loop (--io epoll) and
# io_uring (NETRIG_IO_URING=1), the same behaviour every way:
#
#   ping (kernel, 192.0.2.1) -- tun0 --> netrig respond --any (192.0.2.2)
#          namespace nrt-respio-*
#
# --count stops after exactly that many replies (ping -f sends more than
# it), --verbose prints one line per reply, the pcap tee holds every
# frame in and out, SIGTERM ends a run with its counters, exit 0, within
# 5 s also when the link thread sleeps in read(); a device deleted under
# netrig ends it with exit 1 and a message, every way (it used to spin),
# and so does a --iface interface deleted (one merely taken down and up
# again is answered on). The default really runs
# the thread (netrig-link in /proc, its busy-poll line in the counters);
# --io epoll really does not. io_uring refused by the kernel (sysctl,
# seccomp, too old): that part skips.
. "$(dirname "$0")/lib.sh"
nr_require_netns
command -v ping >/dev/null || nr_skip "ping missing"

fails=0
ok() { echo "ok - $*"; }
fail() { echo "FAIL - $*"; fails=$((fails + 1)); }
TMP=$(mktemp -d /tmp/nrt-respio.XXXXXX)
PID=""
DRAIN=""
cleanup_tmp() {
	[ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null
	rm -rf "$TMP"
}
nr_at_cleanup cleanup_tmp

nr_netns NS respio
ip -n "$NS" tuntap add dev tun0 mode tun
ip -n "$NS" addr add 192.0.2.1 peer 192.0.2.2 dev tun0
ip -n "$NS" link set tun0 up

# launch OUT CMD...: CMD in the background, its output to OUT (stderr to
# OUT.err), PID and DRAIN set; 0 once it printed its ready line, 1 (and
# killed) when none came within 10 s.
launch() {
	local out=$1 fifo="$TMP/fifo.$RANDOM" line
	shift
	mkfifo "$fifo"
	"$@" >"$fifo" 2>"$out.err" &
	PID=$!
	exec 3<"$fifo"
	rm -f "$fifo"
	if ! read -r -t 10 line <&3; then
		exec 3<&-
		kill -KILL "$PID" 2>/dev/null
		wait "$PID" 2>/dev/null
		PID=""
		return 1
	fi
	echo "$line" >"$out"
	cat <&3 >>"$out" &
	DRAIN=$!
	exec 3<&-
}
# io_way MODE: IOENV (NETRIG_IO_URING's value) and IOARGS for a mode
# (thread: the default; epoll: --io epoll; uring: the environment's word).
io_way() {
	IOENV=0
	IOARGS=()
	case $1 in
	epoll) IOARGS=(--io epoll) ;;
	uring) IOENV=1 ;;
	esac
}
# start MODE WRAP OUT ARGS...: netrig respond --any on tun0 in MODE (under
# WRAP, "" for none), launched; 77 when io_uring was refused.
start() {
	local mode=$1 wrap=$2 out=$3
	shift 3
	io_way "$mode"
	launch "$out" env NETRIG_IO_URING="$IOENV" $wrap "$NETRIG" respond --netns "$NS" \
		--tun tun0 --any "${IOARGS[@]}" "$@" && return 0
	grep -q "event loop: .*\(not supported\|Function not implemented\|Operation not permitted\)" \
		"$out.err" && return 77
	cat "$out.err"
	return 1
}
# finish: wait for netrig (sets RC) and for its output to be drained;
# RC 999 when it was still running 5 s after SIGTERM (then killed).
finish() {
	local i
	for i in $(seq 50); do
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$PID" 2>/dev/null; then
		kill -KILL "$PID"
		wait "$PID" 2>/dev/null
		RC=999
		PID=""
		wait "$DRAIN" || true
		return
	fi
	wait "$PID" && RC=0 || RC=$?
	PID=""
	wait "$DRAIN" || true
}
counter() { sed -n "s/^$1: //p" "$2"; }

# link_threads: how many threads of the running netrig are the link thread.
link_threads() { cat "/proc/$PID/task/"*/comm 2>/dev/null | grep -c '^netrig-link$' || true; }
# link_threads_are WANT: up to 2 s for the count to be WANT (the thread
# starts once the loop runs, just after the ready line); prints the count.
link_threads_are() {
	local n i
	for i in $(seq 20); do
		n=$(link_threads)
		[ "$n" = "$1" ] && break
		sleep 0.1
	done
	echo "$n"
}
pings() { # pings ARGS...: how many replies ping got
	ip netns exec "$NS" ping -q "$@" 192.0.2.2 2>&1 | sed -n 's/.* \([0-9]*\) received.*/\1/p'
}

for mode in thread epoll uring; do
	name="io=$mode"
	out="$TMP/count.$mode"
	# Bounded by timeout(1): --count is what should end it. With a
	# wrapper, PID is timeout's: the thread check is done in the SIGTERM run.
	start "$mode" "timeout -k 1 30" "$out" --count 40 --verbose --pcap "$TMP/c.$mode.pcap" &&
		r=0 || r=$?
	if [ "$r" = 77 ]; then
		echo "skip - $name: io_uring refused here: $(tail -1 "$out.err")"
		continue
	fi
	[ "$r" = 0 ] || { fail "$name: respond did not start"; continue; }
	got=$(pings -f -c 60 -w 2)
	finish
	[ "$RC" = 0 ] && ok "$name: --count ends with exit 0" ||
		fail "$name: exit $RC: $(cat "$out" "$out.err")"
	[ "$(counter replies "$out")" = 40 ] && ok "$name: replies: 40" ||
		fail "$name: replies: $(counter replies "$out") (expected 40)"
	[ "${got:-0}" = 40 ] && ok "$name: ping received 40" || fail "$name: ping received ${got:-0}"
	lines=$(grep -c '^echo reply 192.0.2.2 > 192.0.2.1 id [0-9]* seq [0-9]* len 56$' "$out" || true)
	[ "$lines" = 40 ] && ok "$name: 40 verbose reply lines" || fail "$name: $lines verbose lines"
	in=$(counter "frames in" "$out")
	outn=$(counter "frames out" "$out")
	cap=$(sed -n 's/^captured: \([0-9]*\) frames.*/\1/p' "$out")
	[ "$outn" = 40 ] && [ "${in:-0}" -ge 40 ] && [ "$cap" = $((in + outn)) ] &&
		ok "$name: capture holds frames in ($in) and out ($outn)" ||
		fail "$name: frames in $in, out $outn, captured $cap"
	if [ "$mode" = thread ]; then
		grep -q '^busy poll: [0-9]* of [0-9]* windows spinning' "$out" &&
			ok "$name: the busy-poll policy's line" ||
			fail "$name: no busy poll line: $(cat "$out")"
	else
		! grep -q '^busy poll:' "$out" && ok "$name: no link thread" ||
			fail "$name: a busy poll line without the thread"
	fi

	out="$TMP/term.$mode"
	start "$mode" "" "$out" || { fail "$name: respond did not start again"; continue; }
	want=0
	[ "$mode" = thread ] && want=1
	nthreads=$(link_threads_are "$want")
	[ "$nthreads" = "$want" ] && ok "$name: $nthreads link thread(s)" ||
		fail "$name: $nthreads link threads (expected $want)"
	got=$(pings -c 5 -i 0.01 -w 10)
	# Idle now: the link thread sleeps in read() when the signal comes.
	sleep 0.2
	kill -TERM "$PID"
	finish
	[ "$RC" = 0 ] && [ "$(counter replies "$out")" = 5 ] && [ "${got:-0}" = 5 ] &&
		ok "$name: SIGTERM ends with the counters (replies: 5)" ||
		fail "$name: SIGTERM: exit $RC, ping $got, $(cat "$out" "$out.err")"
done

# The device deleted while netrig runs: exit 1, said, within 5 s.
for mode in thread epoll uring; do
	name="io=$mode"
	out="$TMP/gone.$mode"
	io_way "$mode"
	if ! launch "$out" env NETRIG_IO_URING="$IOENV" "$NETRIG" respond --netns "$NS" \
		--tun tungone --any "${IOARGS[@]}"; then
		grep -q "event loop: " "$out.err" && [ "$mode" = uring ] &&
			{ echo "skip - $name: io_uring refused here"; continue; }
		fail "$name: respond on tungone did not start: $(cat "$out.err")"
		continue
	fi
	want=0
	[ "$mode" = thread ] && want=1
	n=$(link_threads_are "$want")
	[ "$n" = "$want" ] || fail "$name: tungone run: $n link threads (expected $want)"
	ip -n "$NS" link del tungone
	finish
	[ "$RC" = 1 ] && grep -q "tun 'tungone' went away" "$out.err" &&
		ok "$name: device deleted under netrig: exit 1, said" ||
		fail "$name: device deleted: exit $RC, $(cat "$out" "$out.err")"
done

# --iface (a packet socket, always the event loop): an interface taken
# down and up again is still answered on; deleted, netrig ends (exit 1).
nr_netns PK respio
ip -n "$PK" link add v0 type veth peer name v1
ip -n "$PK" addr add 198.51.100.1/24 dev v0
ip -n "$PK" link set v0 up
ip -n "$PK" link set v1 up
out="$TMP/iface"
if launch "$out" "$NETRIG" respond --netns "$PK" --iface v1 --addr 198.51.100.2/24 \
	--answer arp,echo; then
	ip netns exec "$PK" ping -c 1 -W 2 198.51.100.2 >/dev/null &&
		ok "iface: answered" || fail "iface: no answer"
	ip -n "$PK" link set v1 down
	sleep 0.3
	ip -n "$PK" link set v1 up
	sleep 1
	kill -0 "$PID" 2>/dev/null && ip netns exec "$PK" ping -c 1 -W 3 198.51.100.2 >/dev/null &&
		ok "iface: down and up again: still answering" ||
		fail "iface: after down/up: $(cat "$out.err")"
	ip -n "$PK" link del v0
	finish
	[ "$RC" = 1 ] && grep -q "packet 'v1' went away" "$out.err" &&
		ok "iface: interface deleted under netrig: exit 1, said" ||
		fail "iface: deleted: exit $RC, $(cat "$out" "$out.err")"
else
	fail "iface: respond did not start: $(cat "$out.err")"
fi

[ "$fails" = 0 ] || exit 1
