#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# netrig respond never works in the host's namespaces unless told to:
# --netns pid:1, pid:$$, /proc/1/ns/net (the root namespace by another
# name) and no --netns at all are refused with exit 2 for --tun, --tap,
# --iface and --kernel-addr, and nothing is created (the root namespace's
# `ip -o link` is the same before and after). The caller's own namespace
# is refused the same way when that is a lab namespace. A lab namespace
# named by --netns works (the control).
. "$(dirname "$0")/lib.sh"
nr_require_netns

fails=0
ok() { echo "ok - $*"; }
fail() { echo "FAIL - $*"; fails=$((fails + 1)); }
check() { # check DESCRIPTION COMMAND...
	local d=$1
	shift
	if "$@"; then ok "$d"; else fail "$d"; fi
}
# runcmd OUTVAR RCVAR CMD...: CMD with stdout+stderr in OUTVAR, status in RCVAR.
runcmd() {
	local __o __r
	# Bounded: a respond that was not refused would run until signalled.
	__o=$(timeout -k 1 20 "${@:3}" 2>&1) && __r=0 || __r=$?
	eval "$1=\$__o; $2=\$__r"
}
# run OUTVAR RCVAR ARGS...: netrig ARGS.
run() { runcmd "$1" "$2" "$NETRIG" "${@:3}"; }

nr_netns NS fixer2
DEV="nrtfx2$$"
links() { ip -o link show | sed 's/^[0-9]*: //' | cut -d: -f1 | sort; }
before=$(links)

# Where pid 1 runs under another user namespace (a container sandbox),
# /proc/1/ns/net cannot be opened at all: exit 3 before anything is made.
specs="pid:$$ /proc/self/ns/net"
if readlink /proc/1/ns/net >/dev/null 2>&1; then
	specs="pid:1 /proc/1/ns/net $specs"
else
	for spec in pid:1 /proc/1/ns/net; do
		run out rc respond --netns "$spec" --tap "$DEV" --addr 203.0.113.0/24 \
			--kernel-addr 203.0.113.254/24
		check "--netns $spec (pid 1 out of reach here): exit 3" test "$rc" -eq 3
	done
fi
for spec in $specs; do
	run out rc respond --netns "$spec" --tap "$DEV" --addr 203.0.113.0/24
	check "--netns $spec --tap: exit 2" test "$rc" -eq 2
	check "--netns $spec --tap: says why" grep -q "root namespace or this process's own" <<<"$out"
	run out rc respond --netns "$spec" --tun "$DEV" --addr 203.0.113.0/24 \
		--kernel-addr 203.0.113.254/24
	check "--netns $spec --kernel-addr: exit 2" test "$rc" -eq 2
	check "--netns $spec --kernel-addr: says why" grep -q "refusing --kernel-addr" <<<"$out"
	run out rc respond --netns "$spec" --iface lo --addr 203.0.113.0/24
	check "--netns $spec --iface lo: exit 2" test "$rc" -eq 2
done
run out rc respond --tun "$DEV" --addr 203.0.113.0/24
check "no --netns --tun: exit 2" test "$rc" -eq 2
run out rc respond --tap "$DEV" --addr 203.0.113.0/24
check "no --netns --tap: exit 2" test "$rc" -eq 2
run out rc respond --iface lo --addr 203.0.113.0/24
check "no --netns --iface: exit 2" test "$rc" -eq 2
check "no --netns: the message names --allow-host-namespace" \
	grep -q -- "--allow-host-namespace" <<<"$out"
run out rc respond --allow-host-namespace --netns pid:$$ --tap "$DEV" --addr 203.0.113.0/24 \
	--kernel-addr 203.0.113.254/24
check "--allow-host-namespace does not allow --kernel-addr there: exit 2" test "$rc" -eq 2

after=$(links)
check "root namespace: no link created or removed" test "$before" = "$after"
check "root namespace: no $DEV" eval '! ip link show "$DEV" >/dev/null 2>&1'

# Inside a lab namespace, that namespace is the caller's own: refused too.
runcmd out rc ip netns exec "$NS" "$NETRIG" respond --tap tap9 --addr 203.0.113.0/24
check "caller's own (lab) namespace, no --netns: exit 2" test "$rc" -eq 2
# ... and from there, the root namespace by a pid living in it (ours).
runcmd out rc ip netns exec "$NS" "$NETRIG" respond --netns pid:$$ --tap tap9 \
	--addr 203.0.113.0/24
check "from a lab namespace, --netns pid:$$ (the root namespace): exit 2" test "$rc" -eq 2
check "lab namespace: no tap9" eval '! ip -n "$NS" link show tap9 >/dev/null 2>&1'
check "root namespace: still no tap9" eval '! ip link show tap9 >/dev/null 2>&1'

# The control: the lab namespace by name works (a readiness line, the device there).
TMP=$(mktemp -d)
cleanup_tmp() { [ -z "${RESP_PID:-}" ] || kill "$RESP_PID" 2>/dev/null || true; rm -rf "$TMP"; }
nr_at_cleanup cleanup_tmp
mkfifo "$TMP/fifo"
"$NETRIG" respond --netns "$NS" --tap tap9 --addr 203.0.113.0/24 >"$TMP/fifo" 2>"$TMP/err" &
RESP_PID=$!
exec 3<"$TMP/fifo"
if read -r -t 10 line <&3; then
	ok "--netns $NS --tap: started ($line)"
	check "--netns $NS --tap: tap9 in the lab namespace" ip -n "$NS" link show tap9
else
	fail "--netns $NS --tap did not start: $(cat "$TMP/err")"
fi
kill -TERM "$RESP_PID" 2>/dev/null || true
cat <&3 >/dev/null || true
exec 3<&-
wait "$RESP_PID" && rc=0 || rc=$?
RESP_PID=""
check "--netns $NS: ends on SIGTERM with exit 0" test "$rc" -eq 0
check "root namespace: unchanged at the end" test "$before" = "$(links)"

if [ "$fails" -ne 0 ]; then
	echo "$fails check(s) failed"
	exit 1
fi
echo "all checks passed"
