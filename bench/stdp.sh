#!/usr/bin/env bash
# STDP benchmark (issue 6): nnc and Brian2 cpp_standalone side by side on
# Brian2's STDP example (examples/stdp.nn). Options: bench/stdp.py --help.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec /usr/bin/python3 bench/stdp.py "$@"
