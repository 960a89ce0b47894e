#!/usr/bin/env bash
# Neuron update micro-benchmark (issue 4): ns per neuron update of nnc and of
# Brian2 cpp_standalone (single thread) for LIF (exact), Izhikevich (euler)
# and HH (rk4), 100,000 unconnected neurons each, side by side.
#
#   bench/neurons.sh [--models lif_exact,izhikevich_euler,hh_rk4]
#                    [--repeats 3] [--duration-scale 1]
#
# nnc is taken from ${NNC_BUILD:-build}/bin/nnc (relative to the repository
# root). All options are those of bench/neurons.py (bench/neurons.sh --help);
# bench/README.md explains the table.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec /usr/bin/python3 bench/neurons.py "$@"
