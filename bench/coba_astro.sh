#!/usr/bin/env bash
# COBA-with-astrocytes benchmark (issue 6): nnc and Brian2 cpp_standalone
# side by side on examples/coba_astro.nn. Options: bench/coba_astro.py --help.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec /usr/bin/python3 bench/coba_astro.py "$@"
