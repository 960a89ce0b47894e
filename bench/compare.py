#!/usr/bin/python3
"""Benchmark nnc against Brian2 (cpp_standalone) on CUBA and COBA, side by side.

Normally started through ``bench/run.sh`` (``make bench``); run from the
repository root. By default it runs every combination of

  * network: CUBA (``examples/cuba.nn``, Brian2 ``bench/peers/brian2_cuba.py``)
    and COBA (``examples/coba.nn``, ``bench/peers/brian2_coba.py``);
  * size: 4000 neurons (the examples as they are) and 32000 neurons;
  * threads: 1 and 2 (nnc ``--threads=T``, Brian2
    ``prefs.devices.cpp_standalone.openmp_threads = T``; 1 = Brian2 without
    OpenMP);

for 10 s of biological time, and prints a table per run, then two summary
tables (times; memory, synapses and rates) and the goals.

Sizes other than 4000: 80 % excitatory, connection probability 80/N (80
presynaptic partners per neuron, p = 0.0025 at 32000), weights unchanged,
on both sides (Brian2's speed suite scales CUBA this way). The nnc networks
are made from the examples by replacing the two population sizes and the
connection probability; they are written to ``<out-dir>/networks/``.

nnc side (``${NNC_BUILD:-build}/bin/nnc``):
  * compile: wall time of ``nnc compile FILE -o X.o --emit=obj``, best of
    ``--repeats`` runs (once per network and size);
  * ``nnc run FILE --duration=<D>s --seed=<S> --threads=<T> --out=DIR``
    under ``/usr/bin/time -f %M``, ``--repeats`` times; network build,
    simulate time and rates come from ``DIR/summary.json`` of the run with
    the best simulate time.
Brian2 side: the peer script with ``--device cpp_standalone`` under
``/usr/bin/time -f %M``, in a fresh build directory (cold compile: compile
and network-build times, memory, rates); then its binary is run again
``--repeats`` times, alternating with the nnc runs so that both see the
same load, and simulate is the best of these reruns.

Rates must agree within ``--tolerance`` (mean, excitatory, inhibitory).
Exit status: 0 when every run succeeded and all rates agree, 1 otherwise.

For testing the tables without running anything, ``--nnc-summary`` and
``--brian2-json`` take existing result files instead of running the tools
(with a single network, size and thread count).
"""

import argparse
import datetime
import json
import os
import re
import subprocess
import sys
import tempfile
import time

GNU_TIME = "/usr/bin/time"
#: Network name -> (nnc example, Brian2 peer script).
MODELS = {
    "cuba": (os.path.join("examples", "cuba.nn"), os.path.join("bench", "peers", "brian2_cuba.py")),
    "coba": (os.path.join("examples", "coba.nn"), os.path.join("bench", "peers", "brian2_coba.py")),
}
#: Size of the example networks, and their excitatory / inhibitory split.
EXAMPLE_NEURONS, EXAMPLE_EXC, EXAMPLE_INH = 4000, 3200, 800
#: Connection probability of the examples; other sizes keep the in-degree.
EXAMPLE_P = 0.02
INDEGREE = 80
#: nnc's runtime splits a population among threads from this size on
#: (nnc::rt::RunOptions::kDefaultMinParallelSize).
NNC_MIN_PARALLEL_SIZE = 16384
RATE_KINDS = ("all", "exc", "inh")


class RunError(Exception):
    """A benchmarked command failed or wrote unusable output."""


def int_list(text):
    try:
        values = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of integers: {text!r}")
    if not values:
        raise argparse.ArgumentTypeError("empty list")
    return values


def model_list(text):
    values = [x.strip().lower() for x in text.split(",") if x.strip()]
    unknown = [v for v in values if v not in MODELS]
    if unknown or not values:
        raise argparse.ArgumentTypeError(
            f"unknown network(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(MODELS)}")
    return values


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n\n".join(__doc__.split("\n\n")[1:]))
    parser.add_argument("--models", type=model_list, default=list(MODELS),
                        help="comma-separated networks (default cuba,coba)")
    parser.add_argument("--neurons", type=int_list, default=[4000, 32000],
                        help="comma-separated network sizes (default 4000,32000)")
    parser.add_argument("--threads", type=int_list, default=[1, 2],
                        help="comma-separated thread counts, for both simulators (default 1,2)")
    parser.add_argument("--duration", type=float, default=10.0,
                        help="biological time, seconds (default 10)")
    parser.add_argument("--large-duration", type=float,
                        help="biological time for networks of more than 4000 neurons "
                             "(default: --duration)")
    parser.add_argument("--quick", action="store_true",
                        help="short run: 1 s of biological time (about 3 minutes, mostly "
                             "Brian2 compiling); a smoke test, noisier than the default")
    parser.add_argument("--seed", type=int, default=1, help="random seed for both (default 1)")
    parser.add_argument("--repeats", type=int, default=3,
                        help="nnc compile and both simulate times are the best of this many "
                             "runs (default 3)")
    parser.add_argument("--tolerance", type=float, default=0.15,
                        help="allowed relative rate difference (default 0.15)")
    parser.add_argument("--nnc", default=os.path.join(os.environ.get("NNC_BUILD", "build"),
                                                      "bin", "nnc"),
                        help="nnc binary (default ${NNC_BUILD:-build}/bin/nnc)")
    side = parser.add_mutually_exclusive_group()
    side.add_argument("--brian2-only", action="store_true", help="skip the nnc side")
    side.add_argument("--nnc-only", action="store_true", help="skip the Brian2 side")
    parser.add_argument("--out-dir", help="where to keep all outputs "
                        "(default bench/out/bench-<date>-<time>)")
    parser.add_argument("--nnc-summary", metavar="JSON",
                        help="use this nnc summary.json instead of running nnc")
    parser.add_argument("--brian2-json", metavar="JSON",
                        help="use this Brian2 peer output instead of running Brian2")
    args = parser.parse_args(argv)
    if args.quick:
        args.duration = 1.0
        args.large_duration = min(args.large_duration or 1.0, 1.0)
    if args.large_duration is None:
        args.large_duration = args.duration
    if (args.duration <= 0 or args.large_duration <= 0 or min(args.neurons) < 5
            or min(args.threads) < 1 or args.repeats < 1):
        parser.error("durations must be positive, --neurons >= 5, --threads and --repeats >= 1")
    if (args.nnc_summary or args.brian2_json) and (
            len(args.models) * len(args.neurons) * len(args.threads) != 1):
        parser.error("--nnc-summary / --brian2-json need a single --models, --neurons and --threads")
    return args


def timed(cmd, rss_file=None):
    """Run cmd (optionally under GNU time); return (wall seconds, peak RSS in KiB or None)."""
    if rss_file:
        cmd = [GNU_TIME, "-f", "%M", "-o", rss_file] + cmd
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RunError(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stdout}")
    rss = None
    if rss_file:
        with open(rss_file) as f:
            rss = int(f.read().split()[-1])
    return wall, rss


def load_json(path, what):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        raise RunError(f"cannot read {what} {path}: {e}")


def connection_probability(neurons):
    return EXAMPLE_P if neurons == EXAMPLE_NEURONS else min(1.0, INDEGREE / neurons)


def nnc_network(model, neurons, out_dir):
    """The .nn file for `model` at `neurons` neurons: the example itself at
    4000, otherwise a copy with the sizes and probability replaced."""
    example = MODELS[model][0]
    if neurons == EXAMPLE_NEURONS:
        return example
    with open(example) as f:
        text = f.read()
    n_exc = int(0.8 * neurons)
    n_inh = neurons - n_exc
    p = connection_probability(neurons)
    for pattern, replacement, count in (
            (rf"(population\s+exc\s*=\s*\w+\[){EXAMPLE_EXC}(\])", rf"\g<1>{n_exc}\g<2>", 1),
            (rf"(population\s+inh\s*=\s*\w+\[){EXAMPLE_INH}(\])", rf"\g<1>{n_inh}\g<2>", 1),
            (r"(probability\s+)0\.02\b", rf"\g<1>{p!r}", 2)):
        text, n = re.subn(pattern, replacement, text)
        if n != count:
            raise RunError(f"{example}: expected {count} match(es) of {pattern!r} to make the "
                           f"{neurons}-neuron network, found {n}")
    path = os.path.join(out_dir, "networks", f"{model}-{neurons}.nn")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(f"// Generated by bench/compare.py from {example}: {n_exc} + {n_inh} neurons, "
                f"connection probability {p!r} ({INDEGREE} per neuron).\n")
        f.write(text)
    return path


def nnc_rates(summary):
    """Size-weighted mean rate and the exc*/inh* population rates of an nnc summary."""
    try:
        pops = summary["populations"]
        total = sum(p["size"] for p in pops)
        rates = {"all": sum(p["size"] * p["rate_hz"] for p in pops) / total}
        for kind in ("exc", "inh"):
            rates[kind] = next((p["rate_hz"] for p in pops
                                if p["name"].lower().startswith(kind)), None)
    except (AttributeError, KeyError, TypeError, ZeroDivisionError) as e:
        raise RunError(f"malformed nnc summary ({e!r})")
    return rates


def nnc_compile_time(args, network, run_dir):
    times = [timed([args.nnc, "compile", network, "-o", os.path.join(run_dir, "network.o"),
                    "--emit=obj"])[0]
             for _ in range(args.repeats)]
    return min(times)


def run_nnc(args, cfg, network, run_dir, measure_rss, compile_s, k):
    """Run nnc on one configuration (repeat k); return the nnc measurements."""
    out = os.path.join(run_dir, f"nnc-run-{k}")
    wall, rss = timed([args.nnc, "run", network, f"--duration={cfg['duration']:g}s",
                       f"--seed={args.seed}", f"--threads={cfg['threads']}", f"--out={out}"],
                      os.path.join(run_dir, f"nnc-rss-{k}.txt") if measure_rss else None)
    summary = load_json(os.path.join(out, "summary.json"), "nnc summary")
    # Only summary.json is used; the spike files are large (120 MB for COBA
    # at 32,000 neurons over 10 s) and there is one set per repeat.
    for name in ("spikes.csv", "raster.svg"):
        try:
            os.remove(os.path.join(out, name))
        except OSError:
            pass
    return {"network": network, "compile_s": compile_s, "wall_s": wall, "max_rss_kb": rss,
            "summary": summary}


def best_nnc(runs):
    """The nnc run with the best simulate time, with every run's simulate time."""
    best = dict(min(runs, key=lambda r: r["summary"]["timings_s"]["simulate"]))
    best["simulate_all_s"] = [r["summary"]["timings_s"]["simulate"] for r in runs]
    return best


def run_brian2(args, cfg, run_dir, measure_rss, build_dir):
    """Generate, compile and run the Brian2 cpp_standalone peer in build_dir."""
    json_path = os.path.join(run_dir, "brian2.json")
    wall, rss = timed(["/usr/bin/python3", MODELS[cfg["model"]][1],
                       "--duration", f"{cfg['duration']:g}",
                       "--neurons", str(cfg["neurons"]), "--device", "cpp_standalone",
                       "--threads", str(cfg["threads"]), "--seed", str(args.seed),
                       "--json", json_path, "--build-dir", build_dir],
                      os.path.join(run_dir, "brian2-rss.txt") if measure_rss else None)
    result = load_json(json_path, "Brian2 result")
    result["timings_s"]["simulate_cold_run"] = result["timings_s"]["simulate"]
    return {"wall_s": wall, "max_rss_kb": rss, "result": result, "simulate_reruns_s": []}


def rerun_brian2(build_dir):
    """Run the compiled standalone binary again; return its simulation-loop time."""
    # The binary rewrites results/last_run_info.txt (simulation-loop time and
    # completed fraction) on every run.
    proc = subprocess.run(["./main"], cwd=build_dir, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise RunError(f"Brian2 binary failed ({proc.returncode}): {proc.stderr}")
    try:
        with open(os.path.join(build_dir, "results", "last_run_info.txt")) as f:
            return float(f.read().split()[0])
    except (OSError, ValueError, IndexError) as e:
        raise RunError(f"cannot read Brian2's simulation time: {e}")


def mib(kb):
    return None if kb is None else kb / 1024


def table_rows(nnc, brian2):
    """Rows (label, nnc value, Brian2 value, unit, ratio direction) of one comparison."""
    b2 = brian2["result"] if brian2 else {}
    b2_timings = b2.get("timings_s", {})
    summary = nnc.get("summary") if nnc else None
    nnc_timings = summary.get("timings_s", {}) if summary else {}
    rates = nnc_rates(summary) if summary else {}
    b2_rates = b2.get("rates_hz", {})
    nnc_rss = nnc.get("max_rss_kb") if nnc else None
    return [
        ("compile (model -> machine code)", nnc.get("compile_s") if nnc else None,
         b2_timings.get("codegen_compile"), "s", "b2/nnc"),
        ("network build", nnc_timings.get("build"), b2_timings.get("network_build"), "s", "b2/nnc"),
        ("simulate", nnc_timings.get("simulate"), b2_timings.get("simulate"), "s", "b2/nnc"),
        ("end-to-end wall time", nnc.get("wall_s") if nnc else None,
         brian2.get("wall_s") if brian2 else None, "s", "b2/nnc"),
        ("mean rate, all", rates.get("all"), b2_rates.get("all"), "Hz", "nnc/b2"),
        ("mean rate, exc", rates.get("exc"), b2_rates.get("exc"), "Hz", "nnc/b2"),
        ("mean rate, inh", rates.get("inh"), b2_rates.get("inh"), "Hz", "nnc/b2"),
        ("peak memory, whole command", mib(nnc_rss),
         mib(brian2.get("max_rss_kb")) if brian2 else None, "MiB", "b2/nnc"),
        ("peak memory, simulation process", mib(nnc_rss), mib(b2.get("main_binary_max_rss_kb")),
         "MiB", "b2/nnc"),
    ]


def fmt(value, unit):
    if value is None:
        return "n/a"
    digits = 1 if unit == "MiB" else 3
    return f"{value:.{digits}f} {unit}"


def ratio(num, den, digits=2):
    if num is None or den is None:
        return "n/a"
    return f"{num / den:.{digits}f}x" if den else "inf"


def print_table(rows):
    header = ("", "nnc", "Brian2", "ratio")
    lines = []
    for label, nnc_value, b2_value, unit, direction in rows:
        num, den = (b2_value, nnc_value) if direction == "b2/nnc" else (nnc_value, b2_value)
        lines.append((label, fmt(nnc_value, unit), fmt(b2_value, unit),
                      ratio(num, den, 3 if unit == "Hz" else 2)))
    widths = [max(len(line[i]) for line in [header] + lines) for i in range(4)]
    for line in [header] + lines:
        print("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                        for i, (cell, w) in enumerate(zip(line, widths))))


def check_rates(rows, tolerance):
    """Print the rate agreement check; return True (pass), False (fail) or None (skipped)."""
    verdicts = []
    for label, nnc_value, b2_value, unit, _ in rows:
        if unit != "Hz":
            continue
        if nnc_value is None or not b2_value:
            print(f"{label}: SKIPPED (only one simulator ran)")
            verdicts.append(None)
            continue
        diff = (nnc_value - b2_value) / b2_value
        ok = abs(diff) <= tolerance
        print(f"{label}: nnc {nnc_value:.3f} Hz vs Brian2 {b2_value:.3f} Hz, "
              f"{100 * diff:+.1f} % -> {'PASS' if ok else 'FAIL'}")
        verdicts.append(ok)
    if None in verdicts:
        return None
    return all(verdicts)


def print_markdown(header, lines):
    widths = [max(len(str(row[i])) for row in [header] + lines) for i in range(len(header))]
    def emit(row):
        print("| " + " | ".join(str(c).ljust(w) if i < 3 else str(c).rjust(w)
                                for i, (c, w) in enumerate(zip(row, widths))) + " |")
    emit(header)
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in lines:
        emit(row)


def num(value, digits=3):
    return "n/a" if value is None else f"{value:.{digits}f}"


def print_summary(results):
    """The two summary tables over all configurations."""
    times, other = [], []
    for r in results:
        cfg, rows = r["config"], r.get("rows")
        key = (cfg["model"].upper(), f"{cfg['neurons']}", f"{cfg['threads']}")
        if not rows:
            times.append(key + (f"{cfg['duration']:g} s", "failed") + ("",) * 6)
            other.append(key + ("failed",) + ("",) * 6)
            continue
        v = {label: (a, b) for label, a, b, _, _ in rows}
        comp, build, sim = v["compile (model -> machine code)"], v["network build"], v["simulate"]
        times.append(key + (f"{cfg['duration']:g} s", num(comp[0]), num(comp[1], 2),
                            num(build[0]), num(build[1]), num(sim[0]), num(sim[1]),
                            ratio(sim[1], sim[0])))
        mem, mem_main = v["peak memory, whole command"], v["peak memory, simulation process"]
        rates = [v[f"mean rate, {k}"] for k in RATE_KINDS]
        diffs = [abs(a - b) / b for a, b in rates if a is not None and b]
        nnc_syn = (r["nnc"] or {}).get("summary", {}).get("synapses")
        b2_syn = ((r["brian2"] or {}).get("result") or {}).get("synapses")
        other.append(key + (
            f"{nnc_syn or 'n/a'} / {b2_syn or 'n/a'}",
            num(mem[0], 0), f"{num(mem_main[1], 0)} / {num(mem[1], 0)}",
            " / ".join(num(a, 2) for a, _ in rates), " / ".join(num(b, 2) for _, b in rates),
            f"{100 * max(diffs):.1f} %" if len(diffs) == len(RATE_KINDS) else "n/a",
            {True: "PASS", False: "FAIL", None: "n/a"}[r.get("rates_agree")]))
    print("Times in seconds (compile: nnc best of --repeats, Brian2 one cold build; "
          "simulate: best of --repeats runs each; ratio = Brian2 / nnc simulate):")
    print_markdown(("network", "neurons", "threads", "bio time", "compile nnc", "compile Brian2",
                    "build nnc", "build Brian2", "simulate nnc", "simulate Brian2",
                    "Brian2/nnc"), times)
    print()
    print("Synapses, peak memory (MiB; Brian2: standalone binary / whole command) and "
          "mean rates (Hz, all / exc / inh):")
    print_markdown(("network", "neurons", "threads", "synapses nnc / Brian2", "RSS nnc",
                    "RSS Brian2", "rates nnc", "rates Brian2", "max diff", "rates agree"), other)


def print_goals(results):
    """The issue's goals, for the configurations that ran."""
    def find(model, neurons, threads):
        for r in results:
            c = r["config"]
            if (c["model"], c["neurons"], c["threads"]) == (model, neurons, threads) and r.get("rows"):
                return {label: (a, b) for label, a, b, _, _ in r["rows"]}
        return None

    lines = []
    for model in MODELS:
        for threads, goal in ((1, 3.0), (2, 1.0)):
            v = find(model, EXAMPLE_NEURONS, threads)
            if not v or None in v["simulate"]:
                continue
            speedup = v["simulate"][1] / v["simulate"][0]
            what = f">= {goal:g}x faster" if goal > 1 else "faster"
            lines.append(f"{model.upper()} {EXAMPLE_NEURONS} neurons, {threads} thread(s): "
                         f"simulate {speedup:.2f}x Brian2's (goal {what}): "
                         f"{'met' if speedup >= goal and speedup > 1 else 'NOT met'}")
    compiles = [(r["config"]["model"], r["config"]["neurons"], dict(
        (label, a) for label, a, _, _, _ in r["rows"])["compile (model -> machine code)"])
        for r in results if r.get("rows")]
    compiles = [c for c in compiles if c[2] is not None]
    if compiles:
        worst = max(compiles, key=lambda c: c[2])
        lines.append(f"nnc compile <= 1 s: slowest {worst[2]:.3f} s ({worst[0].upper()}, "
                     f"{worst[1]} neurons): {'met' if worst[2] <= 1.0 else 'NOT met'}")
    if lines:
        print("Goals:")
        for line in lines:
            print(f"  {line}")


def main(argv=None):
    args = parse_args(argv)
    out_dir = args.out_dir or os.path.join(
        "bench", "out", datetime.datetime.now().strftime("bench-%Y%m%d-%H%M%S"))
    os.makedirs(out_dir, exist_ok=True)
    measure_rss = os.access(GNU_TIME, os.X_OK)
    notes = []
    if not measure_rss:
        notes.append(f"{GNU_TIME} is missing (Debian package 'time'): no peak memory")
    run_nnc_side = not args.brian2_only
    if run_nnc_side and not args.nnc_summary and not os.access(args.nnc, os.X_OK):
        print(f"error: nnc not found at {args.nnc}: build it first, set NNC_BUILD, "
              "or pass --brian2-only", file=sys.stderr)
        return 1
    if (not args.nnc_only and not args.brian2_json
            and subprocess.run(["/usr/bin/python3", "-c", "import brian2"],
                               capture_output=True).returncode != 0):
        print("error: Brian2 is not importable by /usr/bin/python3 (Debian package "
              "python3-brian); install it or pass --nnc-only", file=sys.stderr)
        return 1

    configs = [{"model": m, "neurons": n, "threads": t,
                "duration": args.duration if n <= EXAMPLE_NEURONS else args.large_duration}
               for m in args.models for n in args.neurons for t in args.threads]
    load = os.getloadavg()[0]
    print(f"{len(configs)} run(s): {', '.join(m.upper() for m in args.models)} x "
          f"{', '.join(map(str, args.neurons))} neurons x {', '.join(map(str, args.threads))} "
          f"thread(s); seed {args.seed}; load average {load:.2f} on {os.cpu_count()} CPUs; "
          f"outputs in {out_dir}")
    if load > 0.5:
        notes.append(f"load average {load:.2f} at the start: other processes may slow the runs")

    compile_cache = {}
    results = []
    for cfg in configs:
        name = f"{cfg['model']}-{cfg['neurons']}-t{cfg['threads']}"
        run_dir = os.path.join(out_dir, name)
        os.makedirs(run_dir, exist_ok=True)
        print(f"\n== {cfg['model'].upper()}: {cfg['neurons']} neurons, "
              f"p = {connection_probability(cfg['neurons']):g}, {cfg['threads']} thread(s), "
              f"{cfg['duration']:g} s ==", flush=True)
        result = {"config": cfg, "nnc": None, "brian2": None}
        results.append(result)
        try:
            network = None
            if args.nnc_summary:
                result["nnc"] = {"summary": load_json(args.nnc_summary, "nnc summary")}
            elif run_nnc_side:
                network = nnc_network(cfg["model"], cfg["neurons"], out_dir)
                key = (cfg["model"], cfg["neurons"])
                if key not in compile_cache:
                    print(f"nnc compile {network} ...", flush=True)
                    compile_cache[key] = nnc_compile_time(args, network, run_dir)
            with tempfile.TemporaryDirectory(prefix="nnc-bench-brian2-") as build_dir:
                brian2 = None
                if args.brian2_json:
                    result["brian2"] = {"wall_s": None, "max_rss_kb": None,
                                        "result": load_json(args.brian2_json, "Brian2 result")}
                elif not args.nnc_only:
                    print("Brian2 cpp_standalone (generate, compile, run) ...", flush=True)
                    brian2 = result["brian2"] = run_brian2(args, cfg, run_dir, measure_rss,
                                                           build_dir)
                nnc_runs = []
                for k in range(args.repeats if network or brian2 else 0):
                    print(f"run {k + 1}/{args.repeats}: "
                          + ", ".join(([f"nnc --threads={cfg['threads']}"] if network else [])
                                      + (["Brian2 binary"] if brian2 else [])) + " ...",
                          flush=True)
                    if network:
                        nnc_runs.append(run_nnc(args, cfg, network, run_dir, measure_rss,
                                                compile_cache[key], k))
                    if brian2:
                        brian2["simulate_reruns_s"].append(rerun_brian2(build_dir))
                if nnc_runs:
                    result["nnc"] = best_nnc(nnc_runs)
                if brian2:
                    brian2["result"]["timings_s"]["simulate"] = min(brian2["simulate_reruns_s"])
            rows = table_rows(result["nnc"], result["brian2"])
        except RunError as e:
            print(f"error: {e}", file=sys.stderr)
            result["error"] = str(e)
            continue
        result["rows"] = rows
        print()
        print_table(rows)
        result["rates_agree"] = check_rates(rows, args.tolerance)
        with open(os.path.join(run_dir, "comparison.json"), "w") as f:
            json.dump(result, f, indent=2)
            f.write("\n")

    print()
    print_summary(results)
    print()
    print_goals(results)
    if any(r["config"]["threads"] > 1 and r["config"]["neurons"] < NNC_MIN_PARALLEL_SIZE
           and r.get("rows") for r in results) and run_nnc_side:
        notes.append(f"nnc splits a population among threads only from "
                     f"{NNC_MIN_PARALLEL_SIZE} neurons on: with 4000 neurons (and for "
                     f"populations below that size) --threads=2 runs single-threaded")
    notes.append("Brian2's simulate is CPU time without OpenMP (1 thread) and wall time with "
                 "OpenMP; nnc's is wall time")
    for note in notes:
        print(f"note: {note}")
    failed = [r for r in results if not r.get("rows")]
    disagree = [r for r in results if r.get("rates_agree") is False]
    verdict = "FAIL" if failed or disagree else "PASS"
    print(f"{len(results) - len(failed)} of {len(results)} run(s) completed; "
          f"rates within {100 * args.tolerance:g} %: "
          f"{'SKIPPED' if all(r.get('rates_agree') is None for r in results) else verdict}")

    with open(os.path.join(out_dir, "comparison.json"), "w") as f:
        json.dump({"args": vars(args), "date": datetime.datetime.now().isoformat(),
                   "results": results, "notes": notes}, f, indent=2)
        f.write("\n")
    return 1 if failed or disagree else 0


if __name__ == "__main__":
    sys.exit(main())
