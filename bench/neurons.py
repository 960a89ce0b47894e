#!/usr/bin/python3
"""Neuron update micro-benchmark: nnc vs. Brian2 cpp_standalone, per model.

Normally started through ``bench/neurons.sh``; run from the repository root.

For each model (``bench/neurons/<model>.nn``: 100,000 unconnected neurons
driven by a per-neuron constant current, no recording) this runs, in the
same invocation:

  * nnc: ``nnc run bench/neurons/<model>.nn --duration=<D>s --threads=1
    --out=DIR``, ``--repeats`` times; simulate time = ``timings_s.simulate`` of
    ``DIR/summary.json`` (nnc's own wall-clock timer around the simulation
    loop), best of the repeats;
  * Brian2 2.5.1 ``cpp_standalone``, single thread:
    ``bench/peers/brian2_neurons.py --model <model>`` (code generation, one
    cold ``make`` in a fresh directory and a first run), then the binary is
    rerun ``--repeats`` times, alternating with the nnc runs so that both see
    the same load; simulate time = Brian2's own timer of its simulation loop
    (``results/last_run_info.txt``, i.e. ``device._last_run_time``), best of
    the reruns.

ns per neuron update = simulate seconds / (N * steps) * 1e9, steps =
duration / dt. ratio = Brian2 ns / nnc ns (above 1: nnc is faster). The
spike rates of both must agree within ``--tolerance`` (they simulate the
same neurons with the same method; differences come from floating-point
rounding only, which can move a spike by a step). The issue's goal,
ratio >= 3, is reported per model but does not change the exit status.

Exit status: 0 when every rate agrees, 1 when one does not or a run failed.
"""

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

BRIAN2_PEER = os.path.join("bench", "peers", "brian2_neurons.py")
MODEL_DIR = os.path.join("bench", "neurons")
GOAL = 3.0
#: Network size of every bench/neurons/*.nn (checked against nnc's summary).
NEURONS = 100000

#: model -> (method, default duration in seconds). HH with RK4 at
#: dt = 0.01 ms costs ~100x more per update than LIF, hence the short run.
MODELS = {
    "lif_exact": ("exact", 2.0),
    "izhikevich_euler": ("euler", 2.0),
    "hh_rk4": ("rk4", 0.02),
}


class RunError(Exception):
    """A benchmarked command failed or wrote unusable output."""


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n\n".join(__doc__.split("\n\n")[1:]))
    parser.add_argument("--models", default=",".join(MODELS),
                        help="comma-separated subset of " + ", ".join(MODELS))
    parser.add_argument("--duration-scale", type=float, default=1.0,
                        help="multiply every model's default duration (LIF and "
                             "Izhikevich 2 s, HH 20 ms) by this (default 1)")
    parser.add_argument("--repeats", type=int, default=3,
                        help="simulate time is the best of this many runs per "
                             "simulator (default 3)")
    parser.add_argument("--tolerance", type=float, default=0.05,
                        help="allowed relative rate difference (default 0.05)")
    parser.add_argument("--nnc", default=os.path.join(os.environ.get("NNC_BUILD", "build"),
                                                      "bin", "nnc"),
                        help="nnc binary (default ${NNC_BUILD:-build}/bin/nnc)")
    parser.add_argument("--nnc-only", action="store_true", help="skip Brian2")
    parser.add_argument("--out-dir", help="where to keep all outputs "
                        "(default bench/out/neurons-<date>-<time>)")
    args = parser.parse_args(argv)
    args.models = [m.strip() for m in args.models.split(",") if m.strip()]
    unknown = [m for m in args.models if m not in MODELS]
    if unknown or not args.models:
        parser.error(f"unknown model(s) {unknown}; choose from {', '.join(MODELS)}")
    if args.duration_scale <= 0 or args.repeats < 1:
        parser.error("--duration-scale must be positive and --repeats >= 1")
    return args


def run(cmd):
    """Run cmd; return (wall seconds, output). Raise RunError on failure."""
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    except OSError as e:
        raise RunError(f"cannot run {cmd[0]}: {e}")
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RunError(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stdout}")
    return wall, proc.stdout


def load_json(path, what):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        raise RunError(f"cannot read {what} {path}: {e}")


def run_nnc_once(args, model, duration, run_dir):
    """One ``nnc run``; return its numbers from summary.json."""
    source = os.path.join(MODEL_DIR, model + ".nn")
    wall, _ = run([args.nnc, "run", source, f"--duration={duration:g}s", "--threads=1",
                   f"--out={run_dir}"])
    summary = load_json(os.path.join(run_dir, "summary.json"), "nnc summary")
    try:
        pop = summary["populations"][0]
        timings = summary["timings_s"]
        steps = round(summary["duration_s"] / (summary["dt_ms"] * 1e-3))
        return {"wall_s": wall, "simulate_s": timings["simulate"],
                "compile_s": timings["compile"], "neurons": pop["size"],
                "spikes": pop["spikes"], "rate_hz": pop["rate_hz"],
                "dt_s": summary["dt_ms"] * 1e-3, "steps": steps}
    except (KeyError, IndexError, TypeError) as e:
        raise RunError(f"malformed nnc summary in {run_dir} ({e!r})")


def rerun_brian2(build_dir):
    """Run the compiled standalone binary again; return its simulation-loop time."""
    # The binary rewrites results/last_run_info.txt (simulation-loop time and
    # completed fraction) on every run.
    try:
        proc = subprocess.run(["./main"], cwd=build_dir, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    except OSError as e:
        raise RunError(f"cannot rerun Brian2's binary: {e}")
    if proc.returncode != 0:
        raise RunError(f"Brian2 binary failed ({proc.returncode}): {proc.stderr}")
    with open(os.path.join(build_dir, "results", "last_run_info.txt")) as f:
        return float(f.read().split()[0])


def run_model(args, model, duration, out_dir):
    """Benchmark one model; return (nnc numbers, Brian2 numbers or None).

    Brian2's project is generated, compiled and run first (one cold build);
    then ``--repeats`` nnc runs and as many reruns of Brian2's binary
    alternate, so that both see the same load on the machine. Each side's
    simulate time is its best run.
    """
    if not os.access(args.nnc, os.X_OK):
        raise RunError(f"nnc not found at {args.nnc}: build it first or set NNC_BUILD")
    nnc_runs, b2, b2_times = [], None, []
    with tempfile.TemporaryDirectory(prefix="nnc-bench-neurons-brian2-") as build_dir:
        if not args.nnc_only:
            print(f"{model}: Brian2 cpp_standalone (generate, compile, run) ...", flush=True)
            json_path = os.path.join(out_dir, f"brian2-{model}.json")
            wall, _ = run(["/usr/bin/python3", BRIAN2_PEER, "--model", model,
                           "--neurons", str(NEURONS), "--duration", f"{duration:g}",
                           "--json", json_path, "--build-dir", build_dir])
            b2 = load_json(json_path, "Brian2 result")
            b2["wall_s"] = wall
            # Not among the timed samples: it ran right after the compile,
            # unpaired with an nnc run.
            b2["simulate_build_run_s"] = b2["timings_s"]["simulate"]
        for k in range(args.repeats):
            print(f"{model}: nnc run {k + 1}/{args.repeats}"
                  + ("" if b2 is None else ", Brian2 binary rerun") + " ...", flush=True)
            nnc_runs.append(run_nnc_once(args, model, duration,
                                         os.path.join(out_dir, f"nnc-{model}-{k}")))
            if b2 is not None:
                b2_times.append(rerun_brian2(build_dir))
    nnc = dict(min(nnc_runs, key=lambda r: r["simulate_s"]))
    nnc["simulate_all_s"] = [r["simulate_s"] for r in nnc_runs]
    nnc["ns_per_update"] = nnc["simulate_s"] / (nnc["neurons"] * nnc["steps"]) * 1e9
    if b2 is not None:
        b2["simulate_all_s"] = b2_times
        b2["simulate_s"] = min(b2_times)
        b2["ns_per_update"] = b2["simulate_s"] / (b2["neurons"] * b2["steps"]) * 1e9
    return nnc, b2


def percent(fraction):
    """Signed percentage; no '-0.00 %' for a difference that rounds to zero."""
    value = 100 * fraction
    return f"{0.0 if abs(value) < 0.005 else value:+.2f} %"


def fmt(value, spec):
    return "n/a" if value is None else format(value, spec)


def print_table(rows):
    header = ("model", "method", "N", "dt", "steps", "nnc ns/upd", "Brian2 ns/upd",
              "Brian2/nnc", "nnc rate", "Brian2 rate", "rate diff")
    lines = []
    for r in rows:
        nnc, b2 = r["nnc"], r["brian2"]
        ratio = (b2["ns_per_update"] / nnc["ns_per_update"]) if b2 else None
        diff = ((nnc["rate_hz"] - b2["rate_hz"]) / b2["rate_hz"]
                if b2 and b2["rate_hz"] else None)
        lines.append((r["model"], r["method"], f"{nnc['neurons']:,}",
                      f"{nnc['dt_s'] * 1e3:g} ms", f"{nnc['steps']:,}",
                      fmt(nnc["ns_per_update"], ".2f"),
                      fmt(b2 and b2["ns_per_update"], ".2f"),
                      "n/a" if ratio is None else f"{ratio:.2f}x",
                      f"{nnc['rate_hz']:.3f} Hz", "n/a" if not b2 else f"{b2['rate_hz']:.3f} Hz",
                      "n/a" if diff is None else percent(diff)))
    widths = [max(len(line[i]) for line in [header] + lines) for i in range(len(header))]
    for line in [header] + lines:
        print("  ".join(cell.ljust(w) if i < 2 else cell.rjust(w)
                        for i, (cell, w) in enumerate(zip(line, widths))))


def main(argv=None):
    args = parse_args(argv)
    out_dir = args.out_dir or os.path.join(
        "bench", "out", datetime.datetime.now().strftime("neurons-%Y%m%d-%H%M%S"))
    os.makedirs(out_dir, exist_ok=True)
    load_before = os.getloadavg()
    print(f"neuron update micro-benchmark: {', '.join(args.models)}; single thread; "
          f"best of {args.repeats}; outputs in {out_dir}")
    print(f"load average before: {load_before[0]:.2f} {load_before[1]:.2f} "
          f"{load_before[2]:.2f} on {os.cpu_count()} CPUs"
          + (" (not idle: timings may be inflated)" if load_before[0] > 0.5 else ""),
          flush=True)
    rows = []
    try:
        for model in args.models:
            method, default_duration = MODELS[model]
            duration = default_duration * args.duration_scale
            nnc, b2 = run_model(args, model, duration, out_dir)
            if nnc["neurons"] != NEURONS:
                raise RunError(f"{model}: the nnc network has {nnc['neurons']} neurons, "
                               f"Brian2 ran {NEURONS}")
            if b2 is not None and b2["steps"] != nnc["steps"]:
                raise RunError(f"{model}: nnc ran {nnc['steps']} steps, Brian2 {b2['steps']}")
            rows.append({"model": model, "method": method, "duration_s": duration,
                         "nnc": nnc, "brian2": b2})
    except RunError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    load_after = os.getloadavg()

    print()
    print_table(rows)
    print()
    verdicts = []
    for r in rows:
        nnc, b2 = r["nnc"], r["brian2"]
        line = (f"{r['model']}: {r['duration_s']:g} s simulated; nnc simulate "
                f"{nnc['simulate_s']:.3f} s (runs: "
                + ", ".join(f"{s:.3f}" for s in nnc["simulate_all_s"]) + ")")
        if b2:
            ratio = b2["ns_per_update"] / nnc["ns_per_update"]
            diff = (nnc["rate_hz"] - b2["rate_hz"]) / b2["rate_hz"] if b2["rate_hz"] else 0.0
            ok = abs(diff) <= args.tolerance
            verdicts.append(ok)
            line += (f", Brian2 simulate {b2['simulate_s']:.3f} s (runs: "
                     + ", ".join(f"{s:.3f}" for s in b2["simulate_all_s"]) + "); "
                     f"compile: nnc {nnc['compile_s']:.3f} s in-process, Brian2 "
                     f"{b2['timings_s']['codegen_compile']:.2f} s codegen + make; "
                     f"rates {'agree' if ok else 'DISAGREE'} ({percent(diff)}); "
                     f"goal >= {GOAL:g}x: {'met' if ratio >= GOAL else 'NOT met'} "
                     f"({ratio:.2f}x)")
        print(line)
    print(f"load average after: {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}")
    print("note: nnc's simulate time is wall clock (its own timer); Brian2's, without "
          "OpenMP, is process CPU time (std::clock). Compare on an idle machine.")

    with open(os.path.join(out_dir, "comparison.json"), "w") as f:
        json.dump({"args": vars(args), "date": datetime.datetime.now().isoformat(),
                   "machine": {"cpus": os.cpu_count(), "processor": platform.processor(),
                               "platform": platform.platform()},
                   "load_before": load_before, "load_after": load_after,
                   "rows": rows}, f, indent=2)
        f.write("\n")
    if verdicts and not all(verdicts):
        print(f"rate agreement within {100 * args.tolerance:g} %: FAIL")
        return 1
    if verdicts:
        print(f"rate agreement within {100 * args.tolerance:g} %: PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
