#!/usr/bin/python3
"""Check nnc's STDP run (Brian2's examples/synapses/STDP.py) against the Brian2 reference.

Reads nnc's ``traces.csv`` (header ``population,index,variable,unit,
time_ms,value``; for a projection the ``population`` column holds the
projection's name and ``index`` the synapse index) and takes, for each
synapse of ``--projection`` and ``--variable`` (default ``w``), the sample
with the largest ``time_ms`` as its final weight. From the final w / gmax of
all synapses it computes the statistics of ``bench/peers/brian2_stdp.py``:

* ``mean_w_over_gmax``;
* ``fraction_below_0.1``: the fraction of synapses with w/gmax < 0.1;
* ``fraction_above_0.9``: the fraction with w/gmax > 0.9;
* ``histogram_20_bins`` (printed, not checked): counts in 20 equal bins over
  [0, 1], the last bin including 1.0.

and compares them with ``stdp_brian2.json`` (``generate_stdp_reference.py``:
Brian2 2.5.1, 8 seeds of 100 s). A statistic passes when

    |nnc - Brian2 mean| <= max(tolerance_sd * Brian2 sd, floor)

with ``--tolerance-sd`` (default 4) and absolute floors that keep the bound
from collapsing when the sd, estimated from a few seeds (itself uncertain
by ~25 % with 8), comes out small:

* ``fraction_below_0.1``, ``fraction_above_0.9``: 0.03
  (``--fraction-floor``). With 1000 synapses a fraction near 0.2 has a
  binomial sampling sd of sqrt(0.2 * 0.8 / 1000) = 0.013 from the draw of
  the network alone; 0.03 is ~2.4 of those. Brian2's seed sds (0.013,
  0.010) give 4 sd = 0.051, 0.038, so the floor is only a safeguard; the
  initial uniform distribution (0.1, 0.1) fails by far.
* ``mean_w_over_gmax``: 0.01 (``--mean-floor``). STDP moves the mean only
  from 0.50 to 0.47 in 100 s and Brian2's seed sd is 0.0024 (smaller than
  the 0.009 sd of the mean of 1000 uniform initial weights: the rule
  regulates it), so a floor of 0.03 would accept weights that never
  changed; 0.01 is about one sd of the initial mean and 4 Brian2 sds.
* output rate: 1 Hz (``--rate-floor``; Brian2: 25.6 ± 1.4 Hz, so 4 sd =
  5.5 Hz decides); input rate: 0.05 Hz (``--input-rate-floor``, ~4 Poisson
  sds of a 1000 x 100 s count at 15 Hz, sqrt(15 / 1e5) = 0.012 Hz).

The final distribution must also be bimodal (U-shaped), as in Song et al.:

* ``fraction_below_0.1 + fraction_above_0.9 >= 0.3`` (``--bimodal-min``):
  the uniform initial weights give 0.2; Brian2 after 100 s gives 0.405 to
  0.456 over 8 seeds (0.43 ± 0.02; the mass is still moving to the edges at
  100 s, so a criterion of > 0.5 would fail Brian2 itself); 0.3 is about
  midway;
* each edge has more than twice the density of the middle: both
  ``fraction_below_0.1`` and ``fraction_above_0.9`` (bins 0.1 wide) exceed
  the fraction with 0.4 <= w/gmax < 0.6 (0.2 wide). Uniform weights fail
  this (0.1 vs 0.2); every Brian2 seed passes it by a factor of 1.6 or more
  (fractions 0.17 to 0.27 against a middle of 0.10 to 0.115).

Weights outside [0, gmax] (beyond a relative 1e-9) fail: the rule clips
them.

With ``--post-population NAME`` it also reads nnc's ``spikes.csv`` (header
``population,index,time_ms``, one row per spike, written by
runtime/lib/Output.cpp) and checks the output neuron's mean rate, spikes /
(``--post-size`` (default 1) x ``--duration`` (default: the reference's,
100 s)), by the same rule.
``--pre-population NAME`` (with ``--pre-size``, default: the reference's
1000) checks the Poisson inputs' mean rate the same way.

The number of synapses found must equal the reference's (1000), and the
final sample must lie within the last 10 % of ``--duration``. The script
writes no files. Exits 0 when everything passes, 1 when a check fails or an
input is missing or malformed (with a message on stderr).

Usage:
    /usr/bin/python3 check_stdp.py --traces OUT/traces.csv --spikes OUT/spikes.csv \\
        --projection S --variable w --gmax 0.01 \\
        --reference test/reference/stdp_brian2.json [--tolerance-sd 4] \\
        [--post-population post] [--pre-population input]
"""

import argparse
import csv
import json
import math
import sys

#: Keys of the checked weight statistics, with the labels printed.
WEIGHT_KEYS = (("mean_w_over_gmax", "mean w/gmax"),
               ("fraction_below_0.1", "fraction w/gmax < 0.1"),
               ("fraction_above_0.9", "fraction w/gmax > 0.9"))
HISTOGRAM_BINS = 20
#: Relative excursion beyond [0, gmax] still accepted as rounding.
CLIP_RTOL = 1e-9
TRACE_COLUMNS = ("population", "index", "variable", "unit", "time_ms", "value")
SPIKE_COLUMNS = ("population", "index", "time_ms")


class InputError(Exception):
    """An input file that cannot be used."""


def open_csv(path, what, columns):
    """Open a CSV file and return (file, reader, {column: position})."""
    try:
        f = open(path, newline="")
    except FileNotFoundError:
        raise InputError(f"{what} {path} does not exist")
    except OSError as e:
        raise InputError(f"cannot read {what} {path}: {e}")
    reader = csv.reader(f)
    try:
        header = next(reader)
    except StopIteration:
        f.close()
        raise InputError(f"{what} {path} is empty (no header line)")
    except (csv.Error, UnicodeDecodeError) as e:
        f.close()
        raise InputError(f"{what} {path}: unreadable header: {e}")
    header = [h.strip() for h in header]
    missing = [c for c in columns if c not in header]
    if missing:
        f.close()
        raise InputError(f"{what} {path}: header {','.join(header)} lacks "
                         f"column(s) {', '.join(missing)} (expected {','.join(columns)})")
    return f, reader, {c: header.index(c) for c in columns}


def parse_number(text, kind, path, line):
    try:
        value = int(text) if kind is int else float(text)
    except ValueError:
        raise InputError(f"{path}:{line}: '{text}' is not a valid {kind.__name__}")
    if kind is float and not math.isfinite(value):
        raise InputError(f"{path}:{line}: non-finite value '{text}'")
    return value


def final_weights(path, projection, variable):
    """Return ({synapse index: (time_ms, value)}, units seen, variables seen for projection)."""
    f, reader, col = open_csv(path, "traces file", TRACE_COLUMNS)
    width = max(col.values()) + 1
    latest = {}
    units = set()
    variables = set()
    populations = set()
    with f:
        try:
            for row in reader:
                line = reader.line_num
                if not row:
                    continue
                if len(row) < width:
                    raise InputError(f"{path}:{line}: expected {len(TRACE_COLUMNS)} columns, "
                                     f"got {len(row)}")
                pop = row[col["population"]]
                if pop != projection:
                    if len(populations) < 50:
                        populations.add(pop)
                    continue
                var = row[col["variable"]]
                variables.add(var)
                if var != variable:
                    continue
                index = parse_number(row[col["index"]], int, path, line)
                if index < 0:
                    raise InputError(f"{path}:{line}: negative index {index}")
                t = parse_number(row[col["time_ms"]], float, path, line)
                value = parse_number(row[col["value"]], float, path, line)
                units.add(row[col["unit"]])
                previous = latest.get(index)
                if previous is None or t > previous[0]:
                    latest[index] = (t, value)
                elif t == previous[0] and value != previous[1]:
                    raise InputError(f"{path}:{line}: synapse {index} has two different "
                                     f"values at {t} ms")
        except (csv.Error, UnicodeDecodeError) as e:
            raise InputError(f"{path}:{reader.line_num}: {e}")
    if not latest:
        if variables:
            raise InputError(f"{path}: projection '{projection}' has no variable '{variable}' "
                             f"(has: {', '.join(sorted(variables))})")
        raise InputError(f"{path}: no rows for projection '{projection}' (populations/"
                         f"projections present: {', '.join(sorted(populations)) or 'none'})")
    return latest, units


def count_spikes(path, names):
    """Return {name: number of spikes} for the populations in ``names``."""
    f, reader, col = open_csv(path, "spikes file", SPIKE_COLUMNS)
    width = max(col.values()) + 1
    counts = {name: 0 for name in names}
    last_time = {name: -math.inf for name in names}
    with f:
        try:
            for row in reader:
                if not row:
                    continue
                if len(row) < width:
                    raise InputError(f"{path}:{reader.line_num}: expected "
                                     f"{len(SPIKE_COLUMNS)} columns, got {len(row)}")
                pop = row[col["population"]]
                if pop in counts:
                    counts[pop] += 1
                    t = parse_number(row[col["time_ms"]], float, path, reader.line_num)
                    last_time[pop] = max(last_time[pop], t)
        except (csv.Error, UnicodeDecodeError) as e:
            raise InputError(f"{path}:{reader.line_num}: {e}")
    return counts, last_time


def weight_statistics(w_over_gmax):
    """The statistics of ``bench/peers/brian2_stdp.py`` (same definitions)."""
    n = len(w_over_gmax)
    histogram = [0] * HISTOGRAM_BINS
    for x in w_over_gmax:
        # Equal bins over [0, 1]; the last one is closed (includes 1.0).
        histogram[min(max(int(math.floor(x * HISTOGRAM_BINS)), 0), HISTOGRAM_BINS - 1)] += 1
    return {
        "synapses": n,
        "mean_w_over_gmax": math.fsum(w_over_gmax) / n,
        "fraction_below_0.1": sum(1 for x in w_over_gmax if x < 0.1) / n,
        "fraction_above_0.9": sum(1 for x in w_over_gmax if x > 0.9) / n,
        "fraction_middle": sum(1 for x in w_over_gmax if 0.4 <= x < 0.6) / n,
        "histogram_20_bins": histogram,
    }


def load_reference(path):
    try:
        with open(path) as f:
            ref = json.load(f)
    except FileNotFoundError:
        raise InputError(f"reference {path} does not exist")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"cannot read reference {path}: {e}")
    except json.JSONDecodeError as e:
        raise InputError(f"reference {path} is not valid JSON: {e}")
    try:
        stats = ref["statistics"]
        for key in [k for k, _ in WEIGHT_KEYS] + ["post_rate_hz", "input_rate_hz"]:
            for field in ("mean", "sd", "min", "max"):
                if not math.isfinite(float(stats[key][field])):
                    raise ValueError(f"{key}.{field} is not finite")
        float(ref["duration_s"])
        int(ref["model_parameters"]["inputs"])
        len(ref["seeds"])
        [float(b["mean"]) for b in ref["histogram_20_bins"]["per_bin"]]
    except (KeyError, TypeError, ValueError) as e:
        raise InputError(f"{path}: not an STDP reference file ({e!r} missing or invalid)")
    return ref


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Tolerance: |nnc - mean| <= max(TOLERANCE_SD * sd, floor) per statistic; "
               "see the module docstring.")
    parser.add_argument("--traces", required=True, help="nnc's traces.csv")
    parser.add_argument("--spikes",
                        help="nnc's spikes.csv (needed with --post-population/--pre-population)")
    parser.add_argument("--projection", required=True,
                        help="name of the plastic projection in traces.csv")
    parser.add_argument("--variable", default="w", help="weight variable (default w)")
    parser.add_argument("--gmax", type=float, required=True,
                        help="maximal weight, in the units of the trace values (0.01)")
    parser.add_argument("--reference", required=True, help="stdp_brian2.json")
    parser.add_argument("--tolerance-sd", type=float, default=4.0,
                        help="allowed deviation in Brian2 seed-to-seed sds (default 4)")
    parser.add_argument("--fraction-floor", type=float, default=0.03,
                        help="absolute floor of the allowed deviation of the two "
                             "fractions (default 0.03)")
    parser.add_argument("--mean-floor", type=float, default=0.01,
                        help="absolute floor of the allowed deviation of mean w/gmax "
                             "(default 0.01)")
    parser.add_argument("--rate-floor", type=float, default=1.0,
                        help="absolute floor of the allowed output-rate deviation, Hz "
                             "(default 1)")
    parser.add_argument("--input-rate-floor", type=float, default=0.05,
                        help="absolute floor of the allowed input-rate deviation, Hz "
                             "(default 0.05)")
    parser.add_argument("--bimodal-min", type=float, default=0.3,
                        help="least fraction_below_0.1 + fraction_above_0.9 (default 0.3)")
    parser.add_argument("--post-population",
                        help="the output neuron's population in spikes.csv: check its rate")
    parser.add_argument("--post-size", type=int, default=1,
                        help="size of the output population (default 1)")
    parser.add_argument("--pre-population",
                        help="the Poisson input population in spikes.csv: check its rate")
    parser.add_argument("--pre-size", type=int,
                        help="size of the input population (default: the reference's, 1000)")
    parser.add_argument("--duration", type=float,
                        help="simulated time in s (default: the reference's, 100)")
    args = parser.parse_args(argv)
    if not args.gmax > 0:
        parser.error("--gmax must be positive")
    if not args.tolerance_sd > 0:
        parser.error("--tolerance-sd must be positive")
    if min(args.fraction_floor, args.mean_floor, args.rate_floor, args.input_rate_floor) < 0:
        parser.error("the floors must not be negative")
    if args.post_size < 1 or (args.pre_size is not None and args.pre_size < 1):
        parser.error("population sizes must be positive")
    if args.duration is not None and not args.duration > 0:
        parser.error("--duration must be positive")
    if (args.post_population or args.pre_population) and not args.spikes:
        parser.error("--post-population/--pre-population need --spikes")

    try:
        ref = load_reference(args.reference)
        duration = args.duration if args.duration is not None else float(ref["duration_s"])
        latest, units = final_weights(args.traces, args.projection, args.variable)
        spike_names = [n for n in (args.post_population, args.pre_population) if n]
        counts, last_spike = (count_spikes(args.spikes, spike_names) if spike_names
                              else ({}, {}))
    except InputError as e:
        print(f"check_stdp: error: {e}", file=sys.stderr)
        return 1

    def fail_input(message):
        print(f"check_stdp: error: {message}", file=sys.stderr)
        return 1

    expected = int(ref["model_parameters"]["inputs"])
    indices = sorted(latest)
    if len(indices) != expected or indices[0] != 0 or indices[-1] != expected - 1:
        return fail_input(f"{args.traces}: projection '{args.projection}' has {len(indices)} "
                          f"synapses with '{args.variable}' traces (indices {indices[0]}.."
                          f"{indices[-1]}); the reference has {expected} (0..{expected - 1})")
    final_times = [t for t, _ in latest.values()]
    t_first, t_last = min(final_times), max(final_times)
    if t_first < 0.9 * duration * 1000.0:
        return fail_input(f"{args.traces}: the last sample of some synapse is at {t_first} ms, "
                          f"before the last 10 % of the {duration:g} s run")
    for name in spike_names:
        if last_spike[name] > duration * 1000.0 + 1e-6:
            return fail_input(f"{args.spikes}: population '{name}' spikes at "
                              f"{last_spike[name]} ms, after --duration {duration:g} s")

    ok = True
    w_over_gmax = [latest[i][1] / args.gmax for i in indices]
    lo, hi = min(w_over_gmax), max(w_over_gmax)
    stats = weight_statistics(w_over_gmax)
    seeds = len(ref["seeds"])
    print(f"nnc: projection '{args.projection}', {len(indices)} synapses, final '{args.variable}' "
          f"samples at {t_first:g}..{t_last:g} ms (unit {', '.join(sorted(units))}), "
          f"gmax {args.gmax:g}; w/gmax in [{lo:.6g}, {hi:.6g}]")
    print(f"Brian2 {ref.get('provenance', {}).get('brian2_version', '?')}: "
          f"{seeds} seeds, {float(ref['duration_s']):g} s; allowed |nnc - mean| = "
          f"max({args.tolerance_sd:g} sd, floor)")
    if lo < -CLIP_RTOL or hi > 1.0 + CLIP_RTOL:
        ok = False
        print(f"FAIL: weights outside [0, gmax] (w/gmax from {lo:.9g} to {hi:.9g}); "
              f"the STDP rule clips w to [0, gmax]")

    def compare(label, value, key, floor, unit="", fmt=".4f"):
        nonlocal ok
        s = ref["statistics"][key]
        mean, sd = float(s["mean"]), float(s["sd"])
        allowed = max(args.tolerance_sd * sd, floor)
        diff = value - mean
        passed = abs(diff) <= allowed
        ok = ok and passed
        print(f"  {label:24s} nnc {value:{fmt}}{unit}  Brian2 {mean:{fmt}} ± {sd:{fmt}}{unit} "
              f"(min {float(s['min']):{fmt}}, max {float(s['max']):{fmt}})  "
              f"diff {diff:+{fmt}}, allowed ±{allowed:{fmt}}  [{'PASS' if passed else 'FAIL'}]")

    for key, label in WEIGHT_KEYS:
        compare(label, stats[key], key,
                args.mean_floor if key == "mean_w_over_gmax" else args.fraction_floor)

    below, above, middle = (stats["fraction_below_0.1"], stats["fraction_above_0.9"],
                            stats["fraction_middle"])
    edges = below + above
    bimodal = edges >= args.bimodal_min and below > middle and above > middle
    ok = ok and bimodal
    b2_edges = ref["statistics"].get("bimodal_fraction", {})
    b2_text = (f" (Brian2 {float(b2_edges['mean']):.3f} ± {float(b2_edges['sd']):.3f})"
               if "mean" in b2_edges else "")
    ref_bins = [float(b["mean"]) for b in ref["histogram_20_bins"]["per_bin"]]
    b2_middle = sum(ref_bins[8:12]) / expected if len(ref_bins) == HISTOGRAM_BINS else math.nan
    print(f"  {'bimodal':24s} edges (<0.1 + >0.9) {edges:.3f}{b2_text} >= {args.bimodal_min:g}; "
          f"each edge > middle fraction (0.4 <= w/gmax < 0.6) {middle:.3f} "
          f"(Brian2 {b2_middle:.3f}): {below:.3f}, {above:.3f}  "
          f"[{'PASS' if bimodal else 'FAIL'}]")
    print("  histogram of w/gmax, 20 bins over [0, 1] (not checked):")
    print("    nnc    " + " ".join(f"{c:4d}" for c in stats["histogram_20_bins"]))
    print("    Brian2 " + " ".join(f"{c:4.0f}" for c in ref_bins))

    if args.post_population:
        rate = counts[args.post_population] / (args.post_size * duration)
        if counts[args.post_population] == 0:
            print(f"  note: no spikes of population '{args.post_population}' in {args.spikes} "
                  f"(not recorded, or misnamed?)")
        compare(f"rate '{args.post_population}'", rate, "post_rate_hz", args.rate_floor,
                " Hz", ".3f")
    if args.pre_population:
        size = args.pre_size if args.pre_size is not None else expected
        rate = counts[args.pre_population] / (size * duration)
        if counts[args.pre_population] == 0:
            print(f"  note: no spikes of population '{args.pre_population}' in {args.spikes} "
                  f"(not recorded, or misnamed?)")
        compare(f"rate '{args.pre_population}'", rate, "input_rate_hz", args.input_rate_floor,
                " Hz", ".3f")

    print(f"{'PASS' if ok else 'FAIL'}: tolerance max({args.tolerance_sd:g} sd, floor); floors "
          f"{args.mean_floor:g} (mean w/gmax), {args.fraction_floor:g} (fractions), "
          f"{args.rate_floor:g} Hz (output rate), {args.input_rate_floor:g} Hz (input rate)")
    if not ok:
        print("check_stdp: nnc's STDP result disagrees with Brian2 (see FAIL above)",
              file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
