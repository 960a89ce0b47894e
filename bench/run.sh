#!/usr/bin/env bash
# Benchmark nnc against Brian2 (cpp_standalone) on CUBA and COBA, side by side.
#
#   bench/run.sh                  # CUBA, COBA x 4000, 32000 neurons x 1, 2 threads, 10 s
#   bench/run.sh --quick          # the same runs, 1 s of biological time each
#   bench/run.sh --models cuba --neurons 4000 --threads 1 --duration 1
#
# nnc is taken from ${NNC_BUILD:-build}/bin/nnc (relative to the repository
# root). All options are those of bench/compare.py (bench/run.sh --help);
# bench/README.md explains the tables.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec /usr/bin/python3 bench/compare.py "$@"
