#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Summarise `netrig verify --json` on stdin in one line; exit 3 when a
family had fewer than MIN_PROBES probes (argv[1], default 2000)."""
import json
import sys

d = json.load(sys.stdin)
minimum = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
dec = d.get("decisions", {})
parts = [f"{f}:{dec[f]['agree']}/{dec[f]['probes']}" for f in ("ipv4", "ipv6") if f in dec]
bad_tables = [f for f in ("ipv4", "ipv6") if not d.get("tables", {}).get(f, {}).get("identical", False)]
if bad_tables:
    parts.append("tables differ: " + ",".join(bad_tables))
print(" ".join(parts))
sys.exit(3 if any(dec[f]["probes"] < minimum for f in dec) else 0)
