#!/usr/bin/python3
"""Generate coba_brian2.json: Brian2's COBA firing rates, the reference for nnc.

Runs ``bench/peers/brian2_coba.py`` (the COBA network of Brette et al. 2007,
benchmark 1, as in Brian's ``examples/COBA.py`` and nnc's
``examples/coba.nn``: 4000 neurons, 3200 excitatory, p = 0.02, conductances
in units of the leak conductance, ``method='exponential_euler'``,
dt = 0.1 ms) once per seed over the same biological time, and stores the
per-seed mean firing rates (all neurons, excitatory, inhibitory) with their
mean, sample standard deviation, minimum and maximum. Everything else —
seeds, device, options, file format — is as in
``generate_cuba_reference.py``, whose code this script runs.

Usage (from the repository root):
    /usr/bin/python3 test/reference/generate_coba_reference.py
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import generate_cuba_reference as generator  # noqa: E402

if __name__ == "__main__":
    sys.exit(generator.main(
        model="COBA", source="examples/COBA.py of Brian 1 / early Brian2",
        peer_script=os.path.join(generator.REPO_ROOT, "bench", "peers", "brian2_coba.py"),
        description=__doc__.split("\n\n")[0],
        default_output=os.path.join(HERE, "coba_brian2.json")))
