#!/bin/sh
# Regenerate bridge_py.c (the bridge script embedded as a C string) from
# bridge.py. Run after editing bridge.py; test_scapy_model checks that the
# two agree.
set -eu
cd "$(dirname "$0")"
/usr/bin/python3 - <<'PY'
src = open("bridge.py").read()
out = ["/* SPDX-License-Identifier: BSD-2-Clause */",
       "/* Generated from bridge.py by gen_bridge_py.sh: do not edit. */",
       '#include "scapy/scapy_model.h"',
       "",
       "const char nr_scapy_bridge_py[] ="]
for line in src.splitlines(True):
    esc = line.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    out.append('\t"%s"' % esc)
out[-1] += ";"
open("bridge_py.c", "w").write("\n".join(out) + "\n")
PY
