#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# test_verify_random.sh over 200 seeds (101..300) with 5000 probes each.
export NR_SEEDS="${NR_SEEDS:-$(seq 101 300)}" NR_PROBES="${NR_PROBES:-5000}"
exec "$(dirname "$0")/test_verify_random.sh"
