#!/usr/bin/python3
"""Generate cuba_brian2.json: Brian2's CUBA firing rates, the reference for nnc.

Runs ``bench/peers/brian2_cuba.py`` (Brian2's ``examples/CUBA.py`` network:
4000 neurons, 3200 excitatory, p = 0.02, dt = 0.1 ms) once per seed over the
same biological time, and stores the per-seed mean firing rates (all neurons,
excitatory, inhibitory) with their mean, sample standard deviation, minimum
and maximum. The seeds are a fixed consecutive range, not a selection, so the
mean is a plain average over independent networks.

The default device is Brian2's runtime device with Cython code generation:
its compiled code objects are cached in one build directory shared by all
seeds, so after the first seed each run takes a few seconds, while
cpp_standalone would regenerate and recompile the project for every seed.

Usage (from the repository root):
    /usr/bin/python3 test/reference/generate_cuba_reference.py
"""

import argparse
import datetime
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
PEER_SCRIPT = os.path.join(REPO_ROOT, "bench", "peers", "brian2_cuba.py")
RATE_KEYS = ("all", "exc", "inh")


def parse_args(argv=None, description=None, default_output=None):
    parser = argparse.ArgumentParser(description=description or __doc__.split("\n\n")[0])
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--num-seeds", type=int, default=20,
                        help="number of consecutive seeds (default 20, at least 5)")
    parser.add_argument("--duration", type=float, default=1.0,
                        help="biological time per run, in seconds (default 1)")
    parser.add_argument("--device", choices=["runtime", "cpp_standalone"], default="runtime")
    parser.add_argument("--output",
                        default=default_output or os.path.join(HERE, "cuba_brian2.json"))
    args = parser.parse_args(argv)
    if args.num_seeds < 5:
        parser.error("--num-seeds must be at least 5")
    return args


def run_seed(seed, args, build_dir, json_path, peer_script=PEER_SCRIPT):
    """Run the Brian2 peer for one seed and return its result dictionary."""
    cmd = [sys.executable, peer_script, "--duration", str(args.duration),
           "--neurons", "4000", "--device", args.device, "--threads", "1",
           "--seed", str(seed), "--json", json_path, "--build-dir", build_dir]
    subprocess.run(cmd, check=True)
    with open(json_path) as f:
        return json.load(f)


def summarize(values):
    return {
        "mean": statistics.fmean(values),
        "sd": statistics.stdev(values),
        "min": min(values),
        "max": max(values),
    }


def main(argv=None, model="CUBA", source="examples/CUBA.py", peer_script=PEER_SCRIPT,
         description=None, default_output=None):
    """Generate the reference for ``model``, run by ``peer_script`` (a Brian2 peer
    with the options of ``bench/peers/brian2_cuba.py``); ``generate_coba_reference.py``
    calls this with COBA's."""
    args = parse_args(argv, description, default_output)
    seeds = list(range(args.first_seed, args.first_seed + args.num_seeds))
    per_seed = []
    with tempfile.TemporaryDirectory(prefix=f"nnc-{model.lower()}-ref-") as tmp:
        for seed in seeds:
            result = run_seed(seed, args, os.path.join(tmp, "build"),
                              os.path.join(tmp, f"seed{seed}.json"), peer_script)
            per_seed.append({"seed": seed, "synapses": result["synapses"],
                             "spikes": result["spikes"], "rates_hz": result["rates_hz"]})
    reference = {
        "description": f"Brian2 {model} ({source}) mean firing rates over "
                       f"{args.duration:g} s, averaged over {len(seeds)} seeds",
        "simulator": "brian2",
        "model": model,
        "brian2_version": result["version"],
        "device": args.device,
        "neurons": result["neurons"],
        "neurons_exc": result["neurons_exc"],
        "neurons_inh": result["neurons_inh"],
        "connection_probability": result["connection_probability"],
        "duration_s": args.duration,
        "dt_s": result["dt_s"],
        "date": datetime.date.today().isoformat(),
        "command": shlex.join(["/usr/bin/python3",
                               os.path.relpath(os.path.abspath(sys.argv[0]), REPO_ROOT)]
                              + sys.argv[1:]),
        "seeds": seeds,
        "rates_hz": {key: summarize([s["rates_hz"][key] for s in per_seed])
                     for key in RATE_KEYS},
        "per_seed": per_seed,
    }
    with open(args.output, "w") as f:
        json.dump(reference, f, indent=2)
        f.write("\n")
    for key in RATE_KEYS:
        stats = reference["rates_hz"][key]
        print(f"{key}: {stats['mean']:.4f} Hz +- {stats['sd']:.4f} "
              f"(min {stats['min']:.4f}, max {stats['max']:.4f}) over {len(seeds)} seeds")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
