#!/usr/bin/python3
"""Generate coba_astro_brian2.json: Brian2's COBA network with astrocytes.

Runs bench/peers/brian2_coba_astro.py (Brian2's frompapers/
Stimberg_et_al_2018/example_6_COBA_with_astro.py, cpp_standalone) for the
first 3 s with two seeds (the example's, 28371, and 1) and keeps, per seed,
the spike counts of the excitatory and inhibitory neurons and the
gliotransmitter releases of the astrocytes per 0.25-s window, the number of
neurons and astrocytes that fired, and the synapse counts.
test/e2e/coba-astro.test compares nnc's examples/coba_astro.nn with them.
The stimulus steps from 1 to 1.2 at 2 s; Brian2 takes about 4 minutes per
seed.

Usage (from the repository root):
    /usr/bin/python3 test/reference/generate_coba_astro_reference.py
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SEEDS = (28371, 1)
DURATION_S = 3.0


def main():
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in SEEDS:
            path = os.path.join(tmp, f"{seed}.json")
            subprocess.run(["/usr/bin/python3",
                            os.path.join(ROOT, "bench/peers/brian2_coba_astro.py"),
                            "--duration", str(DURATION_S), "--seed", str(seed),
                            "--json", path], check=True)
            with open(path) as f:
                r = json.load(f)
            runs.append({
                "seed": seed,
                "synapses": r["synapses"],
                "groups": {name: {"window_counts": g["window_counts"],
                                  "active": g["active"]}
                           for name, g in r["groups"].items()},
            })
    reference = {
        "source": "Brian2 %s cpp_standalone, %s; see %s" % (
            r["version"], r["source"], os.path.basename(__file__)),
        "duration_s": DURATION_S, "window_s": r["window_s"],
        "sizes": {"exc": 3200, "inh": 800, "astro": 3200},
        "runs": runs,
    }
    with open(os.path.join(HERE, "coba_astro_brian2.json"), "w") as f:
        json.dump(reference, f, indent=1)
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
