#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# netrig's route decisions against the kernel's on random tables.
#
#   NS (host under test) v0..v3 ===veth=== pv0..pv3 PEER
#
# For each seed (default 1..20; NR_SEEDS="a b c" to choose), gen_tables.py
# fills NS with addresses, routes of every type in main/local/100-103,
# ECMP, prefsrc and policy rules; `netrig verify` must then find the
# loaded tables identical to the kernel's dump and agree with the kernel's
# RTM_GETROUTE on every probe (>= 2000 per family).
. "$(dirname "$0")/lib.sh"
nr_require_netns

seeds=${NR_SEEDS:-$(seq 1 20)}
probes=${NR_PROBES:-2000}
failed=0
for seed in $seeds; do
	nr_netns H gen
	nr_netns P gen
	nr_gen_tables "$H" "$P" "$seed"
	out=$("$NETRIG" verify --netns "$H" --probes "$probes" --seed "$seed" --json) && rc=0 || rc=$?
	summary=$(printf '%s' "$out" | $PY "$NETRIG_SOURCE_DIR/tests/netns/verify_summary.py" 2000) || { echo "seed $seed: fewer than 2000 probes per family: $summary"; failed=1; }
	echo "seed $seed: rc=$rc $summary"
	if [ "$rc" -ne 0 ]; then
		failed=1
		"$NETRIG" verify --netns "$H" --probes "$probes" --seed "$seed" --max-report 10 || true
	fi
	nr_netns_del "$H"
	nr_netns_del "$P"
done
exit $failed
