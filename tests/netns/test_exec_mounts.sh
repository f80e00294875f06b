#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# `netrig exec` gives CMD the node's view of /sys and /etc, as `ip netns
# exec` does, and leaves the caller's mounts alone.
#
#   h1 [eth0] ------------------ [eth0] h2      (scenarios/two-hosts.yaml)
#
# 1. `ls /sys/class/net` inside h1 lists h1's links (lo, eth0), the same
#    set `ip -n nr-RUN-h1 link` shows, and none of the caller's.
# 2. /etc/netns/nr-RUN-h1/resolv.conf (made here, removed on the way out)
#    is what h1's commands read at /etc/resolv.conf; h2's commands, and
#    the caller, still read the machine's.
# 3. --user: the same mounts, set up before the privileges go.
# 4. The caller's mount table is the same before and after.
source "$(dirname "$0")/lib.sh"
nr_require_netns
[ -x "$NETRIG" ] || nr_skip "no netrig binary at $NETRIG"

FILE="$NETRIG_SOURCE_DIR/scenarios/two-hosts.yaml"
RUNS=""
ETC_MADE=""
ETC_ROOT_MADE=""
TMP=$(mktemp -d /tmp/nrt-exec-XXXXXX)
fail() { echo "FAIL: $*" >&2; exit 1; }

em_cleanup() {
	local r
	[ -z "$ETC_MADE" ] || rm -rf "$ETC_MADE"
	# /etc/netns itself only if this test made it and it is empty now.
	[ -z "$ETC_ROOT_MADE" ] || rmdir /etc/netns 2>/dev/null || true
	rm -rf "$TMP"
	for r in $RUNS; do "$NETRIG" down "$r" >/dev/null 2>&1 || true; done
	nr_cleanup
}
trap em_cleanup EXIT
trap 'em_cleanup; exit 129' HUP
trap 'em_cleanup; exit 130' INT
trap 'em_cleanup; exit 143' TERM

# The caller's mounts, without the /run/netns entries other tests add and
# remove meanwhile (`ip netns add` bind-mounts each namespace there).
mounts() { awk '$5 !~ "^/run/netns/" {print $4, $5, $9}' /proc/self/mountinfo | sort; }
mounts >"$TMP/mounts.before"

ID=$("$NETRIG" up -q "$FILE") || fail "up: exit $?"
RUNS=$ID
NS=nr-$ID-h1

# --- 1. /sys/class/net is the node's ---
want=$(ip -n "$NS" -o link show | awk -F': ' '{sub(/@.*/, "", $2); print $2}' | sort | tr '\n' ' ')
got=$("$NETRIG" exec "$ID" h1 -- ls /sys/class/net | sort | tr '\n' ' ') || fail "exec ls: exit $?"
[ "$got" = "$want" ] || fail "/sys/class/net in h1: '$got', expected '$want'"
[ "$want" = "eth0 lo " ] || fail "h1's links: '$want'"
# Negative: a device of the caller's namespace that h1 has no namesake of
# is not there (the caller's /sys would show it).
caller=$(ls /sys/class/net | grep -vx -e lo -e eth0 | head -1)
[ -n "$caller" ] || fail "the caller has no device but lo and eth0: the check means nothing"
"$NETRIG" exec "$ID" h1 -- test -e "/sys/class/net/$caller" &&
	fail "h1 sees the caller's $caller in /sys/class/net"
# sysfs of the node: the address of its own eth0, as the kernel gives it there.
mac=$(ip -n "$NS" -o link show eth0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
got=$("$NETRIG" exec "$ID" h1 -- cat /sys/class/net/eth0/address) || fail "exec cat address"
[ "$got" = "$mac" ] || fail "h1's /sys/class/net/eth0/address '$got', expected '$mac'"
echo "ok: /sys/class/net inside h1 lists h1's links ($want)"

# --- 2. /etc/netns/NSNAME/resolv.conf is /etc/resolv.conf inside ---
[ -d /etc/netns ] || { mkdir /etc/netns; ETC_ROOT_MADE=1; }
mkdir "/etc/netns/$NS"
ETC_MADE="/etc/netns/$NS"
printf 'nameserver 192.0.2.53\nsearch lab.example\n' >"/etc/netns/$NS/resolv.conf"
host_resolv=$(cat /etc/resolv.conf 2>/dev/null || true)
got=$("$NETRIG" exec "$ID" h1 -- cat /etc/resolv.conf) || fail "exec cat resolv.conf: exit $?"
[ "$got" = "$(cat "/etc/netns/$NS/resolv.conf")" ] || fail "h1's /etc/resolv.conf: '$got'"
# Negative: h2 has no /etc/netns entry and reads the machine's file.
got=$("$NETRIG" exec "$ID" h2 -- cat /etc/resolv.conf 2>/dev/null || true)
[ "$got" = "$host_resolv" ] || fail "h2's /etc/resolv.conf is not the machine's: '$got'"
[ "$(cat /etc/resolv.conf 2>/dev/null || true)" = "$host_resolv" ] ||
	fail "the caller's /etc/resolv.conf changed"
echo "ok: /etc/netns/$NS/resolv.conf is h1's /etc/resolv.conf, and only h1's"

# --- 3. --user: the mounts are made before the privileges go ---
got=$("$NETRIG" exec --user nobody "$ID" h1 -- sh -c 'ls /sys/class/net; cat /etc/resolv.conf' |
	tr '\n' ' ') || fail "exec --user nobody: exit $?"
case "$got" in "eth0 lo nameserver 192.0.2.53 search lab.example ") ;;
*) fail "exec --user nobody sees '$got'" ;; esac
echo "ok: --user nobody sees the node's /sys and /etc"

# --- 4. nothing of it reached the caller ---
mounts >"$TMP/mounts.after"
diff -u "$TMP/mounts.before" "$TMP/mounts.after" >&2 || fail "the caller's mounts changed"
echo "ok: the caller's mount table is unchanged"
