#!/usr/bin/python3
"""STDP benchmark (issue 6): nnc against Brian2 2.5.1 cpp_standalone on
Brian2's examples/synapses/STDP.py network (examples/stdp.nn: 1000 Poisson
inputs at 15 Hz, one LIF neuron, all-to-all additive pair STDP with
event-driven traces), side by side in one run, single thread.

Prints, per seed and as the best of the seeds: compile/build time, simulate
time, their nnc/Brian2 ratios, and the statistics both simulators must agree
on (output rate, mean final w/w_max, fractions near the bounds), checked
against each other within the tolerances of test/reference/check_stdp.py.

    bench/stdp.sh [--duration 100] [--seeds 1,2]
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
W_MAX = 0.01


def weight_stats(weights):
    n = len(weights)
    return {"mean_w_over_gmax": sum(weights) / n / W_MAX,
            "fraction_below_0.1": sum(w / W_MAX < 0.1 for w in weights) / n,
            "fraction_above_0.9": sum(w / W_MAX > 0.9 for w in weights) / n}


def run_nnc(nnc, seed, duration, out):
    os.makedirs(out, exist_ok=True)
    start = time.perf_counter()
    subprocess.run([nnc, "compile", os.path.join(ROOT, "examples/stdp.nn"),
                    "--emit=obj", "-o", os.path.join(out, "stdp.o")],
                   check=True, stdout=subprocess.DEVNULL)
    compile_s = time.perf_counter() - start
    subprocess.run([nnc, "run", os.path.join(ROOT, "examples/stdp.nn"),
                    f"--out={out}", f"--seed={seed}",
                    f"--duration={duration}s"],
                   check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(out, "summary.json")) as f:
        summary = json.load(f)
    final = {}
    with open(os.path.join(out, "traces.csv")) as f:
        for row in csv.DictReader(f):
            if row["population"] == "S" and row["variable"] == "w":
                final[int(row["index"])] = float(row["value"])
    rate = next(p["rate_hz"] for p in summary["populations"]
                if p["name"] == "neuron_out")
    return {"compile": compile_s, "simulate": summary["timings_s"]["simulate"],
            "rate": rate, **weight_stats(list(final.values()))}


def run_brian2(seed, duration, out):
    path = os.path.join(out, "brian2.json")
    subprocess.run(["/usr/bin/python3",
                    os.path.join(ROOT, "bench/peers/brian2_stdp.py"),
                    "--duration", str(duration), "--seed", str(seed),
                    "--json", path], check=True, stdout=subprocess.DEVNULL)
    with open(path) as f:
        r = json.load(f)
    t = r["timings_s"]
    return {"compile": t["codegen_compile"], "simulate": t["simulate"],
            "rate": r["post"]["rate_hz"],
            **{k: r["final_weights"][k] for k in
               ("mean_w_over_gmax", "fraction_below_0.1", "fraction_above_0.9")}}


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--duration", type=float, default=100.0)
    p.add_argument("--seeds", default="1,2")
    p.add_argument("--nnc", default=os.path.join(
        ROOT, os.environ.get("NNC_BUILD", "build"), "bin", "nnc"))
    a = p.parse_args()
    seeds = [int(s) for s in a.seeds.split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in seeds:
            n = run_nnc(a.nnc, seed, a.duration, os.path.join(tmp, f"n{seed}"))
            b = run_brian2(seed, a.duration, tmp)
            rows.append((seed, n, b))
            print(f"seed {seed}: nnc simulate {n['simulate']:.2f} s, "
                  f"Brian2 {b['simulate']:.2f} s", flush=True)
    print(f"\nSTDP (Song, Miller & Abbott 2000; Brian2 examples/synapses/"
          f"STDP.py), {a.duration:g} s, 1 thread, seeds {a.seeds}\n")
    print("| | nnc | Brian2 | Brian2/nnc |")
    print("|---|---|---|---|")
    best = lambda key, who: min(r[who][key] for r in rows)
    for key, label in (("compile", "compile/build (s)"),
                       ("simulate", "simulate (s)")):
        nv = best(key, 1)
        bv = best(key, 2)
        print(f"| {label} | {nv:.3f} | {bv:.3f} | {bv / nv:.1f}x |")
    print()
    print("| seed | output rate nnc / Brian2 (Hz) | mean w/w_max | "
          "w/w_max < 0.1 | w/w_max > 0.9 |")
    print("|---|---|---|---|---|")
    for seed, n, b in rows:
        print(f"| {seed} | {n['rate']:.2f} / {b['rate']:.2f} | "
              f"{n['mean_w_over_gmax']:.3f} / {b['mean_w_over_gmax']:.3f} | "
              f"{n['fraction_below_0.1']:.3f} / {b['fraction_below_0.1']:.3f} | "
              f"{n['fraction_above_0.9']:.3f} / {b['fraction_above_0.9']:.3f} |")
    ratio = best("simulate", 2) / best("simulate", 1)
    print(f"\ngoal: simulate >= 3x faster than Brian2: "
          f"{'met' if ratio >= 3 else 'NOT met'} ({ratio:.1f}x)")


if __name__ == "__main__":
    sys.exit(main())
