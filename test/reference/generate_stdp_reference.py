#!/usr/bin/python3
"""Generate stdp_brian2.json: Brian2's STDP example statistics, the reference for nnc.

Runs ``bench/peers/brian2_stdp.py`` (Brian2's ``examples/synapses/STDP.py``,
Song, Miller & Abbott 2000: 1000 Poisson inputs at 15 Hz onto one LIF
neuron through additive STDP synapses, gmax = 0.01, dt = 0.1 ms, initial
v = 0 V) with the cpp_standalone device, single-threaded, once per seed,
one seed at a time, and stores per seed the statistics of the final
weights (mean w/gmax, the fractions below 0.1 and above 0.9 gmax, the
20-bin histogram of w/gmax, the mean-weight trajectory), the output
neuron's spike count and rate, the input spike count and the timings, and
over the seeds the mean, sample standard deviation, minimum and maximum of
each scalar statistic. The seeds are a fixed consecutive range, not a
selection.

All seeds share one build directory: the generated project differs between
seeds only in the seed, so after the first seed the standalone compile is
incremental (a few seconds).

Usage (from the repository root):
    /usr/bin/python3 test/reference/generate_stdp_reference.py [--num-seeds 8]
"""

import argparse
import datetime
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
PEER_SCRIPT = os.path.join(REPO_ROOT, "bench", "peers", "brian2_stdp.py")
WEIGHT_KEYS = ("mean_w_over_gmax", "fraction_below_0.1", "fraction_above_0.9")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--num-seeds", type=int, default=8,
                        help="number of consecutive seeds (default 8, at least 3)")
    parser.add_argument("--duration", type=float, default=100.0,
                        help="biological time per run, in seconds (default 100, the example's)")
    parser.add_argument("--threads", type=int, default=1,
                        help="OpenMP threads of the standalone binary (default 1 = no OpenMP)")
    parser.add_argument("--output", default=os.path.join(HERE, "stdp_brian2.json"))
    parser.add_argument("--build-dir",
                        help="standalone project directory shared by all seeds (kept); "
                             "default: a temporary directory, deleted afterwards")
    args = parser.parse_args(argv)
    if args.num_seeds < 3:
        parser.error("--num-seeds must be at least 3")
    return args


def run_seed(seed, args, build_dir, json_path):
    """Run the Brian2 peer for one seed; return (its result dictionary, wall time)."""
    cmd = [sys.executable, PEER_SCRIPT, "--duration", repr(args.duration),
           "--device", "cpp_standalone", "--threads", str(args.threads),
           "--seed", str(seed), "--json", json_path, "--build-dir", build_dir]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True)
    wall = time.perf_counter() - t0
    with open(json_path) as f:
        return json.load(f), wall


def summarize(values):
    return {
        "mean": statistics.fmean(values),
        "sd": statistics.stdev(values),
        "min": min(values),
        "max": max(values),
    }


def brian2_environment():
    """Versions of Brian2 and its numerical stack, as /usr/bin/python3 sees them."""
    code = ("import json, warnings; warnings.simplefilter('ignore');"
            "import brian2, numpy, sympy;"
            "print(json.dumps({'brian2': brian2.__version__, 'numpy': numpy.__version__,"
            " 'sympy': sympy.__version__}))")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True).stdout
    env = json.loads(out.strip().splitlines()[-1])
    env["python"] = platform.python_version()
    env["python_executable"] = sys.executable
    try:
        env["cxx"] = subprocess.run(["g++", "--version"], capture_output=True,
                                    text=True).stdout.splitlines()[0]
    except (OSError, IndexError):
        env["cxx"] = None
    return env


def main(argv=None):
    args = parse_args(argv)
    seeds = list(range(args.first_seed, args.first_seed + args.num_seeds))
    per_seed = []
    with tempfile.TemporaryDirectory(prefix="nnc-stdp-ref-") as tmp:
        build_dir = os.path.abspath(args.build_dir) if args.build_dir else os.path.join(tmp, "build")
        for seed in seeds:
            result, wall = run_seed(seed, args, build_dir, os.path.join(tmp, f"seed{seed}.json"))
            timings = result["timings_s"]
            per_seed.append({
                "seed": seed,
                "synapses": result["synapses"],
                "final_weights": result["final_weights"],
                "bimodal_fraction": (result["final_weights"]["fraction_below_0.1"]
                                     + result["final_weights"]["fraction_above_0.9"]),
                "mean_w_over_gmax_trajectory": result["mean_w_over_gmax_trajectory"],
                "post": result["post"],
                "input": result["input"],
                "timings_s": {
                    "simulate": timings["simulate"],
                    "run_binary": timings["run_binary"],
                    "build_total": timings["build_total"],
                    "codegen_compile": timings["codegen_compile"],
                    "peer_wall": wall,
                },
                "main_binary_max_rss_kb": result["main_binary_max_rss_kb"],
            })
            print(f"seed {seed} done in {wall:.1f} s", flush=True)

    def column(get):
        return [get(s) for s in per_seed]

    stats = {key: summarize(column(lambda s, key=key: s["final_weights"][key]))
             for key in WEIGHT_KEYS}
    stats["bimodal_fraction"] = summarize(column(lambda s: s["bimodal_fraction"]))
    stats["post_rate_hz"] = summarize(column(lambda s: s["post"]["rate_hz"]))
    stats["post_spikes"] = summarize(column(lambda s: s["post"]["spikes"]))
    stats["input_rate_hz"] = summarize(column(lambda s: s["input"]["rate_hz"]))
    stats["input_spikes"] = summarize(column(lambda s: s["input"]["spikes"]))
    n_bins = len(per_seed[0]["final_weights"]["histogram_20_bins"])
    histogram = [summarize(column(lambda s, b=b: s["final_weights"]["histogram_20_bins"][b]))
                 for b in range(n_bins)]
    n_windows = len(per_seed[0]["post"]["window_rates_hz"])
    window_rates = [summarize(column(lambda s, k=k: s["post"]["window_rates_hz"][k]))
                    for k in range(n_windows)]
    trajectory = [{"t_s": sample["t_s"],
                   **summarize(column(lambda s, k=k: s["mean_w_over_gmax_trajectory"][k]
                                      ["mean_w_over_gmax"]))}
                  for k, sample in enumerate(per_seed[0]["mean_w_over_gmax_trajectory"])]
    simulate_times = column(lambda s: s["timings_s"]["simulate"])

    reference = {
        "format": "nnc-stdp-reference/1",
        "description": f"Brian2 STDP example (Song, Miller & Abbott 2000): statistics of the "
                       f"final weights w/gmax and of the output neuron after {args.duration:g} s, "
                       f"over {len(seeds)} seeds",
        "simulator": "brian2",
        "model": "STDP",
        "provenance": {
            "source_example": "Brian2 examples/synapses/STDP.py (Song, Miller & Abbott 2000, "
                              "Nat. Neurosci. 3:919), reproduced by bench/peers/brian2_stdp.py",
            "brian2_version": result["version"],
            "environment": brian2_environment(),
            "device": "cpp_standalone",
            "threads": args.threads,
            "date": datetime.date.today().isoformat(),
            "command": shlex.join(["/usr/bin/python3",
                                   os.path.relpath(os.path.abspath(sys.argv[0]), REPO_ROOT)]
                                  + sys.argv[1:]),
            "peer_command": "/usr/bin/python3 bench/peers/brian2_stdp.py --duration "
                            f"{args.duration!r} --device cpp_standalone --threads "
                            f"{args.threads} --seed SEED --json FILE --build-dir DIR",
        },
        "model_parameters": {
            "inputs": result["inputs"],
            "input_rate_hz": result["input_rate_hz"],
            "gmax": result["gmax"],
            "taum_s": 0.010, "taue_s": 0.005, "taupre_s": 0.020, "taupost_s": 0.020,
            "Ee_V": 0.0, "vt_V": -0.054, "vr_V": -0.060, "El_V": -0.074,
            "dApre": 0.01 * result["gmax"],
            "dApost": -0.01 * 1.05 * result["gmax"],
            "initial_v_V": result["initial_v_V"],
            "initial_ge": 0.0,
            "initial_w": "uniform in [0, gmax) (rand() * gmax)",
            "neuron_method": "euler",
        },
        "duration_s": args.duration,
        "dt_s": result["dt_s"],
        "seeds": seeds,
        "statistics": stats,
        "histogram_20_bins": {
            "edges_w_over_gmax": [b / n_bins for b in range(n_bins + 1)],
            "note": "counts of w/gmax in 20 equal bins over [0, 1], the last bin including 1.0",
            "per_bin": histogram,
        },
        "post_window_rates_hz": {"window_s": per_seed[0]["post"]["rate_window_s"],
                                 "per_window": window_rates},
        "mean_w_over_gmax_trajectory": trajectory,
        "runtime_s": {
            "simulate_mean": statistics.fmean(simulate_times),
            "simulate_min": min(simulate_times),
            "simulate_max": max(simulate_times),
            "peer_wall_mean": statistics.fmean(column(lambda s: s["timings_s"]["peer_wall"])),
        },
        "per_seed": per_seed,
    }
    with open(args.output, "w") as f:
        json.dump(reference, f, indent=2)
        f.write("\n")
    for key in WEIGHT_KEYS + ("bimodal_fraction", "post_rate_hz", "input_rate_hz"):
        s = stats[key]
        print(f"{key}: {s['mean']:.4f} +- {s['sd']:.4f} "
              f"(min {s['min']:.4f}, max {s['max']:.4f}) over {len(seeds)} seeds")
    print(f"simulate {statistics.fmean(simulate_times):.2f} s per seed "
          f"(min {min(simulate_times):.2f}, max {max(simulate_times):.2f})")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
