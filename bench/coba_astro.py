#!/usr/bin/python3
"""COBA-with-astrocytes benchmark (issue 6): nnc and Brian2 cpp_standalone
side by side on Stimberg et al. (2018)'s Fig. 6 network
(examples/coba_astro.nn, bench/peers/brian2_coba_astro.py: 4000 COBA
neurons, 1.3 million synapses with gliotransmitter-modulated release, 3200
astrocytes covering them and coupled by gap junctions), single thread.

nnc runs the example as it is (64-bit synapse state) and, as a second
row, with `precision f32;` added to its synapse models. Prints compile /
build and simulate times, their Brian2/nnc ratios, and the statistics the
two must agree on: mean rates of both neuron groups per stimulus period
and the gliotransmitter releases.

    bench/coba_astro.sh [--duration 8] [--seed 1] [--brian2-json FILE]
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
EXAMPLE = os.path.join(ROOT, "examples/coba_astro.nn")
SIZES = {"exc": 3200, "inh": 800, "astro": 3200}


def periods(duration):
    """The stimulus periods (1, 1.2, 1, 1 in 2-s windows) within the run."""
    bounds = [(0, 2, "1"), (2, 4, "1.2"), (4, 8, "1")]
    return [(b, min(e, duration), s) for b, e, s in bounds if b < duration]


def stats_from_times(times, duration):
    """{group: [count per period]} from {group: [spike times in s]}."""
    return {g: [sum(1 for t in ts if b <= t < e) for b, e, _ in periods(duration)]
            for g, ts in times.items()}


def run_nnc(nnc, source, seed, duration, out):
    os.makedirs(out, exist_ok=True)
    start = time.perf_counter()
    subprocess.run([nnc, "compile", source, "--emit=obj", "-o",
                    os.path.join(out, "net.o")], check=True, stdout=subprocess.DEVNULL)
    compile_s = time.perf_counter() - start
    subprocess.run([nnc, "run", source, f"--out={out}", f"--seed={seed}",
                    f"--duration={duration}s"], check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(out, "summary.json")) as f:
        summary = json.load(f)
    times = {g: [] for g in SIZES}
    with open(os.path.join(out, "spikes.csv")) as f:
        for row in csv.DictReader(f):
            times[row["population"]].append(float(row["time_ms"]) / 1e3)
    t = summary["timings_s"]
    return {"compile": compile_s + t["build"], "simulate": t["simulate"],
            "counts": stats_from_times(times, duration)}


def run_brian2(seed, duration, out, existing):
    path = existing or os.path.join(out, "brian2.json")
    if not existing:
        subprocess.run(["/usr/bin/python3",
                        os.path.join(ROOT, "bench/peers/brian2_coba_astro.py"),
                        "--duration", str(duration), "--seed", str(seed),
                        "--json", path], check=True, stdout=subprocess.DEVNULL)
    with open(path) as f:
        r = json.load(f)
    w = r["window_s"]
    counts = {}
    for g in SIZES:
        wc = r["groups"][g]["window_counts"]
        counts[g] = [sum(wc[int(round(b / w)):int(round(e / w))])
                     for b, e, _ in periods(duration)]
    t = r["timings_s"]
    return {"compile": t["codegen_compile"] + t["network_build"],
            "simulate": t["simulate"], "counts": counts}


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--duration", type=float, default=8.0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--brian2-json", help="an existing brian2_coba_astro.py result "
                   "(same duration) instead of running Brian2")
    p.add_argument("--nnc", default=os.path.join(
        ROOT, os.environ.get("NNC_BUILD", "build"), "bin", "nnc"))
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        f32 = os.path.join(tmp, "coba_astro_f32.nn")
        with open(EXAMPLE) as f:
            text = f.read()
        # Both synapse models store their state as float.
        text = text.replace("  solver exponential_euler;\n",
                            "  solver exponential_euler;\n  precision f32;\n")
        text = text.replace("  parameter U_0 = 0.6;\n",
                            "  parameter U_0 = 0.6;\n  precision f32;\n")
        with open(f32, "w") as f:
            f.write(text)
        rows = [("nnc", run_nnc(a.nnc, EXAMPLE, a.seed, a.duration,
                                os.path.join(tmp, "f64")))]
        print(f"nnc: simulate {rows[-1][1]['simulate']:.1f} s", flush=True)
        rows.append(("nnc, precision f32", run_nnc(a.nnc, f32, a.seed, a.duration,
                                                    os.path.join(tmp, "f32"))))
        print(f"nnc f32: simulate {rows[-1][1]['simulate']:.1f} s", flush=True)
        rows.append(("Brian2 2.5.1", run_brian2(a.seed, a.duration, tmp, a.brian2_json)))
        print(f"Brian2: simulate {rows[-1][1]['simulate']:.1f} s", flush=True)
    brian = rows[-1][1]
    print(f"\nCOBA with astrocytes (Stimberg et al. 2018 Fig. 6; Brian2 "
          f"frompapers/Stimberg_et_al_2018/example_6), {a.duration:g} s, "
          f"1 thread, seed {a.seed}\n")
    print("| | build (s) | simulate (s) | Brian2/nnc simulate |")
    print("|---|---|---|---|")
    for name, r in rows:
        print(f"| {name} | {r['compile']:.1f} | {r['simulate']:.1f} | "
              f"{brian['simulate'] / r['simulate']:.2f}x |")
    print()
    head = " | ".join(f"{g} {b:g}-{e:g} s (stim {s})" for g in ("exc", "inh")
                      for b, e, s in periods(a.duration))
    print(f"| rates (Hz) | {head} | releases |")
    print("|---|" + "---|" * (2 * len(periods(a.duration)) + 1))
    for name, r in rows:
        cells = []
        for g in ("exc", "inh"):
            for (b, e, _), c in zip(periods(a.duration), r["counts"][g]):
                cells.append(f"{c / (SIZES[g] * (e - b)):.3f}")
        print(f"| {name} | " + " | ".join(cells) + f" | {sum(r['counts']['astro'])} |")
    ratio = brian["simulate"] / rows[0][1]["simulate"]
    print(f"\ngoal: simulate >= 3x faster than Brian2: "
          f"{'met' if ratio >= 3 else 'NOT met'} ({ratio:.1f}x at 64 bits)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
