#!/usr/bin/python3
"""Benchmark nnc against Brian2 (cpp_standalone) on CUBA, side by side.

Normally started through ``bench/run.sh``; run from the repository root.

nnc side (``${NNC_BUILD:-build}/bin/nnc``):
  * compile: wall time of ``nnc compile examples/cuba.nn -o X.o --emit=obj``,
    best of ``--repeats`` runs;
  * ``nnc run examples/cuba.nn --duration=<D>s --seed=<S> --out=DIR`` under
    ``/usr/bin/time -f %M``; network build, simulate time and rates come from
    ``DIR/summary.json``.
Brian2 side: ``bench/peers/brian2_cuba.py --device cpp_standalone`` under
``/usr/bin/time -f %M``, with a fresh build directory (cold compile).

Prints a table (nnc | Brian2 | ratio; ratio = Brian2/nnc for times and
memory, nnc/Brian2 for rates) and checks that the mean, excitatory and
inhibitory rates agree within ``--tolerance``. Exit status: 0 when the rates
agree (or only Brian2 ran), 1 when they do not or a run failed.

``examples/cuba.nn`` is the 4000-neuron network only: with another
``--neurons`` the nnc side is skipped (and the output says so).

For testing the table without running anything, ``--nnc-summary`` and
``--brian2-json`` take existing result files instead of running the tools.
"""

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time

GNU_TIME = "/usr/bin/time"
CUBA_MODEL = os.path.join("examples", "cuba.nn")
BRIAN2_PEER = os.path.join("bench", "peers", "brian2_cuba.py")
NNC_CUBA_NEURONS = 4000
RATE_KINDS = ("all", "exc", "inh")


class RunError(Exception):
    """A benchmarked command failed or wrote unusable output."""


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n\n".join(__doc__.split("\n\n")[1:]))
    parser.add_argument("--duration", type=float, default=10.0,
                        help="biological time, seconds (default 10)")
    parser.add_argument("--neurons", type=int, default=4000, help="network size (default 4000)")
    parser.add_argument("--threads", type=int, default=1, help="Brian2 OpenMP threads (default 1)")
    parser.add_argument("--seed", type=int, default=1, help="random seed for both (default 1)")
    parser.add_argument("--repeats", type=int, default=3,
                        help="nnc compile is timed best of this many runs (default 3)")
    parser.add_argument("--tolerance", type=float, default=0.15,
                        help="allowed relative rate difference (default 0.15)")
    parser.add_argument("--nnc", default=os.path.join(os.environ.get("NNC_BUILD", "build"),
                                                      "bin", "nnc"),
                        help="nnc binary (default ${NNC_BUILD:-build}/bin/nnc)")
    parser.add_argument("--brian2-only", action="store_true", help="skip the nnc side")
    parser.add_argument("--out-dir", help="where to keep all outputs "
                        "(default bench/out/cuba-<date>-<time>)")
    parser.add_argument("--nnc-summary", metavar="JSON",
                        help="use this nnc summary.json instead of running nnc")
    parser.add_argument("--brian2-json", metavar="JSON",
                        help="use this brian2_cuba.py output instead of running Brian2")
    args = parser.parse_args(argv)
    if args.duration <= 0 or args.neurons < 5 or args.threads < 1 or args.repeats < 1:
        parser.error("--duration must be positive, --neurons >= 5, --threads and --repeats >= 1")
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


def run_nnc(args, out_dir, measure_rss):
    """Time nnc compile and nnc run; return the nnc measurements."""
    if not os.access(args.nnc, os.X_OK):
        raise RunError(f"nnc not found at {args.nnc}: build it first, set NNC_BUILD, "
                       "or pass --brian2-only")
    compile_times = [timed([args.nnc, "compile", CUBA_MODEL, "-o",
                            os.path.join(out_dir, "cuba.o"), "--emit=obj"])[0]
                     for _ in range(args.repeats)]
    run_dir = os.path.join(out_dir, "nnc-run")
    wall, rss = timed([args.nnc, "run", CUBA_MODEL, f"--duration={args.duration:g}s",
                       f"--seed={args.seed}", f"--out={run_dir}"],
                      os.path.join(out_dir, "nnc-rss.txt") if measure_rss else None)
    return {"compile_s": min(compile_times), "wall_s": wall, "max_rss_kb": rss,
            "summary": load_json(os.path.join(run_dir, "summary.json"), "nnc summary")}


def run_brian2(args, out_dir, measure_rss):
    """Run the Brian2 cpp_standalone peer; return the Brian2 measurements."""
    json_path = os.path.join(out_dir, "brian2.json")
    with tempfile.TemporaryDirectory(prefix="nnc-bench-brian2-") as build_dir:
        wall, rss = timed(["/usr/bin/python3", BRIAN2_PEER, "--duration", f"{args.duration:g}",
                           "--neurons", str(args.neurons), "--device", "cpp_standalone",
                           "--threads", str(args.threads), "--seed", str(args.seed),
                           "--json", json_path, "--build-dir", build_dir],
                          os.path.join(out_dir, "brian2-rss.txt") if measure_rss else None)
    return {"wall_s": wall, "max_rss_kb": rss, "result": load_json(json_path, "Brian2 result")}


def table_rows(nnc, brian2):
    """Rows (label, nnc value, Brian2 value, unit, ratio direction) of the comparison."""
    b2 = brian2["result"]
    b2_timings = b2["timings_s"]
    summary = nnc.get("summary") if nnc else None
    nnc_timings = summary.get("timings_s", {}) if summary else {}
    rates = nnc_rates(summary) if summary else {}
    nnc_rss = nnc.get("max_rss_kb") if nnc else None

    def mib(kb):
        return None if kb is None else kb / 1024

    return [
        ("compile (model -> machine code)", nnc.get("compile_s") if nnc else None,
         b2_timings.get("codegen_compile"), "s", "b2/nnc"),
        ("network build", nnc_timings.get("build"), b2_timings.get("network_build"), "s", "b2/nnc"),
        ("simulate", nnc_timings.get("simulate"), b2_timings.get("simulate"), "s", "b2/nnc"),
        ("end-to-end wall time", nnc.get("wall_s") if nnc else None, brian2["wall_s"], "s",
         "b2/nnc"),
        ("mean rate, all", rates.get("all"), b2["rates_hz"]["all"], "Hz", "nnc/b2"),
        ("mean rate, exc", rates.get("exc"), b2["rates_hz"]["exc"], "Hz", "nnc/b2"),
        ("mean rate, inh", rates.get("inh"), b2["rates_hz"]["inh"], "Hz", "nnc/b2"),
        ("peak memory, whole command", mib(nnc_rss), mib(brian2["max_rss_kb"]), "MiB", "b2/nnc"),
        ("peak memory, simulation process", mib(nnc_rss), mib(b2.get("main_binary_max_rss_kb")),
         "MiB", "b2/nnc"),
    ]


def fmt(value, unit):
    if value is None:
        return "n/a"
    digits = 1 if unit == "MiB" else 3
    return f"{value:.{digits}f} {unit}"


def print_table(rows):
    header = ("", "nnc", "Brian2", "ratio")
    lines = []
    for label, nnc_value, b2_value, unit, direction in rows:
        ratio = "n/a"
        if nnc_value is not None and b2_value is not None:
            num, den = (b2_value, nnc_value) if direction == "b2/nnc" else (nnc_value, b2_value)
            ratio = f"{num / den:.{3 if unit == 'Hz' else 2}f}x" if den else "inf"
        lines.append((label, fmt(nnc_value, unit), fmt(b2_value, unit), ratio))
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
            print(f"{label}: SKIPPED (no nnc value)")
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


def main(argv=None):
    args = parse_args(argv)
    out_dir = args.out_dir or os.path.join(
        "bench", "out", datetime.datetime.now().strftime("cuba-%Y%m%d-%H%M%S"))
    os.makedirs(out_dir, exist_ok=True)
    measure_rss = os.access(GNU_TIME, os.X_OK)
    notes = []
    if not measure_rss:
        notes.append(f"{GNU_TIME} is missing (Debian package 'time'): no peak memory")

    skip_nnc = args.brian2_only
    if not skip_nnc and args.neurons != NNC_CUBA_NEURONS and not args.nnc_summary:
        notes.append(f"nnc skipped: {CUBA_MODEL} has {NNC_CUBA_NEURONS} neurons only, "
                     f"--neurons {args.neurons} runs Brian2 alone")
        skip_nnc = True
    if args.threads > 1 and not skip_nnc:
        notes.append(f"--threads {args.threads} applies to Brian2 only (nnc runs as built)")

    print(f"CUBA: {args.neurons} neurons, {args.duration:g} s biological time, "
          f"seed {args.seed}, Brian2 threads {args.threads}; outputs in {out_dir}")
    try:
        if args.nnc_summary:
            nnc = {"summary": load_json(args.nnc_summary, "nnc summary")}
        elif skip_nnc:
            nnc = None
        else:
            print("running nnc ...", flush=True)
            nnc = run_nnc(args, out_dir, measure_rss)
        if args.brian2_json:
            brian2 = {"wall_s": None, "max_rss_kb": None,
                      "result": load_json(args.brian2_json, "Brian2 result")}
        else:
            print("running Brian2 cpp_standalone ...", flush=True)
            brian2 = run_brian2(args, out_dir, measure_rss)
        rows = table_rows(nnc, brian2)
    except RunError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1

    b2 = brian2["result"]
    print()
    print_table(rows)
    print()
    if nnc and nnc.get("summary", {}).get("timings_s"):
        t = nnc["summary"]["timings_s"]
        notes.append("nnc run in-process: parse " + fmt(t.get("parse"), "s")
                     + ", compile " + fmt(t.get("compile"), "s"))
    notes.append(f"Brian2 {b2['version']} {b2['device']}: {b2['synapses']} synapses; "
                 f"compile = code generation + make, simulate = Brian2's own loop timer")
    for note in notes:
        print(f"note: {note}")
    verdict = check_rates(rows, args.tolerance)
    label = {True: "PASS", False: "FAIL", None: "SKIPPED"}[verdict]
    print(f"rate agreement within {100 * args.tolerance:g} %: {label}")

    with open(os.path.join(out_dir, "comparison.json"), "w") as f:
        json.dump({"args": vars(args), "nnc": nnc, "brian2": brian2,
                   "rows": rows, "rates_agree": verdict}, f, indent=2)
        f.write("\n")
    return 1 if verdict is False else 0


if __name__ == "__main__":
    sys.exit(main())
