#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# gen_bridge_py.sh IN OUT: write OUT, a C file defining nr_scapy_bridge_py
# as the text of IN (bridge.py). CMake runs it at build time into the build
# directory (harness/CMakeLists.txt); nothing generated is kept in the
# source tree. test_scapy_model checks the string equals IN byte for byte.
set -eu
[ $# -eq 2 ] || { echo "usage: $0 bridge.py OUT.c" >&2; exit 2; }
in=$1
out=$2
tmp=$out.tmp.$$
trap 'rm -f "$tmp"' EXIT
{
	echo '/* SPDX-License-Identifier: BSD-2-Clause */'
	echo '/* Generated from bridge.py by gen_bridge_py.sh at build time: do not edit. */'
	echo '#include "scapy/scapy_model.h"'
	echo
	echo 'const char nr_scapy_bridge_py[] ='
	# Every line becomes "...\n": backslashes and quotes escaped first.
	LC_ALL=C sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/\t"/' -e 's/$/\\n"/' "$in"
	echo '	"";'
} >"$tmp"
mv "$tmp" "$out"
trap - EXIT
