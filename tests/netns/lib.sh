# SPDX-License-Identifier: BSD-2-Clause
# Shared shell helpers for the netns tier (bash): privilege check (skip =
# 77), namespaces with unique names that are removed on every path out
# (EXIT, and HUP/INT/TERM, which then exit 129/130/143), and NETRIG, the
# binary under test (CTest sets it; by hand: $NETRIG_BUILD_DIR/harness/netrig,
# default build/).
set -eu

: "${NETRIG:=${NETRIG_BUILD_DIR:-build}/harness/netrig}"
: "${NETRIG_SOURCE_DIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
PY=/usr/bin/python3
NR_NAMESPACES=""

nr_skip() { echo "SKIP: $*"; exit 77; }

nr_require_netns() {
	[ "$(id -u)" -eq 0 ] || nr_skip "needs root (CAP_NET_ADMIN, CAP_SYS_ADMIN)"
	command -v ip >/dev/null || nr_skip "iproute2 missing"
	local probe="nrt-probe-$$"
	ip netns add "$probe" 2>/dev/null || nr_skip "cannot create network namespaces here"
	ip netns del "$probe"
}

NR_CLEANUP_HOOKS=""

# nr_at_cleanup FUNCTION: also run FUNCTION (files, /etc/netns...) on the way out.
nr_at_cleanup() { NR_CLEANUP_HOOKS="$NR_CLEANUP_HOOKS $1"; }

nr_cleanup() {
	local ns hook
	for hook in $NR_CLEANUP_HOOKS; do
		"$hook" || true
	done
	NR_CLEANUP_HOOKS=""
	for ns in $NR_NAMESPACES; do
		ip netns del "$ns" 2>/dev/null || true
	done
	NR_NAMESPACES=""
}
# A trap on a signal replaces the default action, which was to end the
# script: clean up, then exit with 128 + the signal's number. EXIT covers
# every other way out.
trap nr_cleanup EXIT
trap 'nr_cleanup; exit 129' HUP
trap 'nr_cleanup; exit 130' INT
trap 'nr_cleanup; exit 143' TERM

# nr_netns VAR TAG: create a namespace "nrt-TAG-PID-N" with lo up, name in VAR.
nr_ns_counter=0
nr_netns() {
	nr_ns_counter=$((nr_ns_counter + 1))
	local name="nrt-$2-$$-$nr_ns_counter"
	ip netns add "$name"
	NR_NAMESPACES="$NR_NAMESPACES $name"
	ip -n "$name" link set lo up
	eval "$1=\$name"
}

nr_netns_del() {
	ip netns del "$1"
	NR_NAMESPACES=$(printf '%s\n' $NR_NAMESPACES | grep -vx "$1" | tr '\n' ' ')
}

# nr_gen_tables HOST_NS PEER_NS SEED: four veth pairs + random tables.
nr_gen_tables() {
	local host=$1 peer=$2 seed=$3 script
	# No duplicate address detection: link-local addresses come up usable at
	# once, instead of tentative for a second or two, during which the
	# kernel's source choice (and so verify's reference) is still moving.
	for ns in "$host" "$peer"; do
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0
	done
	for i in 0 1 2 3; do
		ip -n "$host" link add "v$i" type veth peer name "pv$i" netns "$peer"
		ip -n "$host" link set "v$i" up
		ip -n "$peer" link set "pv$i" up
	done
	script=$($PY "$NETRIG_SOURCE_DIR/tests/netns/gen_tables.py" "$seed" "$host" "$peer") ||
		{ echo "gen_tables: seed $seed: generator failed" >&2; return 1; }
	# Lines starting "-6 " need `ip -6` (rules without an address say no family).
	printf '%s\n' "$script" | sed -n '/^#peer$/q;p' | grep -v '^-6 ' | ip -n "$host" -batch - ||
		{ echo "gen_tables: seed $seed: ip -batch failed in $host" >&2; return 1; }
	printf '%s\n' "$script" | sed -n '/^#peer$/q;p' | sed -n 's/^-6 //p' | ip -6 -n "$host" -batch - ||
		{ echo "gen_tables: seed $seed: ip -6 -batch failed in $host" >&2; return 1; }
	printf '%s\n' "$script" | sed -n '/^#peer$/,$p' | sed 1d | ip -n "$peer" -batch - ||
		{ echo "gen_tables: seed $seed: ip -batch failed in $peer" >&2; return 1; }
}

# The root namespace's links, addresses, routes and rules, one JSON object
# per line, without what moves on its own (lifetimes, counters).
nr_root_state() {
	{
		ip -j link show
		ip -j addr show
		ip -j -4 route show table all
		ip -j -6 route show table all
		ip -j -4 rule show
		ip -j -6 rule show
	} | $PY -c '
import json, sys
# Lifetimes and counters move on their own; everything else must not.
drop = {"valid_life_time", "preferred_life_time", "expires", "stats64", "used"}
def strip(o):
    if isinstance(o, dict):
        return {k: strip(v) for k, v in o.items() if k not in drop}
    if isinstance(o, list):
        return [strip(v) for v in o]
    return o
for line in sys.stdin:
    line = line.strip()
    if line:
        print(json.dumps(strip(json.loads(line)), sort_keys=True))'
}
