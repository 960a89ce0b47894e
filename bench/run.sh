#!/usr/bin/env bash
# Benchmark nnc against Brian2 on CUBA, side by side.
#
#   bench/run.sh [--duration 10] [--neurons 4000] [--threads 1] [--seed 1]
#
# nnc is taken from ${NNC_BUILD:-build}/bin/nnc (relative to the repository
# root). All options are those of bench/compare.py (bench/run.sh --help);
# bench/README.md explains the table.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec /usr/bin/python3 bench/compare.py "$@"
