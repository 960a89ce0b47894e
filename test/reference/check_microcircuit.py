#!/usr/bin/python3
"""Check nnc's per-population rates of the Potjans & Diesmann microcircuit.

Reads nnc's ``spikes.csv`` (``population,index,time_ms``) and
``summary.json`` (population sizes, ``duration_s``) from an output
directory, computes every population's mean rate over ``[t_start, t_end)``
(spikes per neuron per second, silent neurons included) and compares it with
the reference (``microcircuit_rates.json`` next to this script: NEST's
full-scale rates). Prints a table with the ratios and exits 0 when every
population of the reference is within the relative tolerance, 1 when one is
not or an input is missing or malformed (argument errors exit 2).

Usage:
    /usr/bin/python3 check_microcircuit.py nnc-out
    /usr/bin/python3 check_microcircuit.py --spikes S.csv --summary S.json \\
        [--reference microcircuit_rates.json] [--tolerance 0.3] \\
        [--t-start 100] [--t-end T_MS]
"""

import argparse
import csv
import json
import math
import os
import sys

DEFAULT_REFERENCE = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                 "microcircuit_rates.json")


class InputError(Exception):
    """A spikes, summary or reference file that cannot be used."""


def load_json(path, what):
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        raise InputError(f"{what} {path} does not exist")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"cannot read {what} {path}: {e}")
    except json.JSONDecodeError as e:
        raise InputError(f"{what} {path} is not valid JSON: {e}")


def is_number(value):
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))


def read_summary(path):
    """Return ({lower-case name: (name, size, recorded)}, duration in ms)."""
    summary = load_json(path, "nnc summary")
    populations = summary.get("populations") if isinstance(summary, dict) else None
    if not isinstance(populations, list) or not populations:
        raise InputError(f"{path}: no non-empty 'populations' list")
    result = {}
    for index, pop in enumerate(populations):
        if not isinstance(pop, dict):
            raise InputError(f"{path}: populations[{index}] is not an object")
        name, size = pop.get("name"), pop.get("size")
        if not isinstance(name, str):
            raise InputError(f"{path}: populations[{index}] has no string 'name'")
        if not (isinstance(size, int) and not isinstance(size, bool) and size > 0):
            raise InputError(f"{path}: population '{name}' has no positive integer 'size'")
        result[name.lower()] = (name, size, pop.get("recorded", True) is not False)
    duration = summary.get("duration_s")
    if not (is_number(duration) and duration > 0):
        raise InputError(f"{path}: no positive 'duration_s'")
    return result, duration * 1000.0


def read_reference(path):
    """Return ([(name, rate_hz, size or None)], tolerance or None, source text)."""
    reference = load_json(path, "reference")
    try:
        pops = [(str(p["name"]), float(p["rate_hz"]), p.get("size"))
                for p in reference["populations"]]
    except (KeyError, TypeError, ValueError) as e:
        raise InputError(f"{path}: not a microcircuit rate reference ({e!r} missing or invalid)")
    if not pops:
        raise InputError(f"{path}: no populations")
    for name, rate, _ in pops:
        if not (math.isfinite(rate) and rate > 0):
            raise InputError(f"{path}: reference rate of '{name}' ({rate}) is not positive")
    tolerance = reference.get("tolerance")
    if not (is_number(tolerance) and tolerance > 0):
        tolerance = None
    source = reference.get("source", {})
    text = source.get("file", "") if isinstance(source, dict) else str(source)
    if isinstance(source, dict) and source.get("simulator"):
        text = f"{source['simulator']}, {text}"
    return pops, tolerance, text


def count_spikes(path, t_start, t_end):
    """Return ({lower-case population: spikes in [t_start, t_end)}, rows)."""
    counts = {}
    rows = 0
    try:
        with open(path, newline="") as f:
            reader = csv.reader(f)
            header = next(reader, None)
            if header is None:
                raise InputError(f"{path} is empty (expected the header population,index,time_ms)")
            if [h.strip() for h in header] != ["population", "index", "time_ms"]:
                raise InputError(f"{path}: header is {','.join(header)!r}, "
                                 "expected 'population,index,time_ms'")
            for line, row in enumerate(reader, start=2):
                if not row:
                    continue
                if len(row) != 3:
                    raise InputError(f"{path}:{line}: expected 3 fields, got {len(row)}")
                try:
                    time = float(row[2])
                except ValueError:
                    raise InputError(f"{path}:{line}: time {row[2]!r} is not a number")
                rows += 1
                if t_start <= time < t_end:
                    key = row[0].lower()
                    counts[key] = counts.get(key, 0) + 1
    except FileNotFoundError:
        raise InputError(f"spikes file {path} does not exist (did the run record spikes?)")
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise InputError(f"cannot read spikes file {path}: {e}")
    return counts, rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", nargs="?",
                        help="nnc's output directory (spikes.csv, summary.json)")
    parser.add_argument("--spikes", help="spikes.csv (default OUT_DIR/spikes.csv)")
    parser.add_argument("--summary", help="summary.json (default OUT_DIR/summary.json)")
    parser.add_argument("--reference", default=DEFAULT_REFERENCE,
                        help="reference rates (default: microcircuit_rates.json here)")
    parser.add_argument("--tolerance", type=float, default=None,
                        help="largest allowed |nnc - ref| / ref (default: the "
                             "reference's, 0.3)")
    parser.add_argument("--t-start", type=float, default=100.0,
                        help="start of the window in ms (default 100: skips the "
                             "initial transient)")
    parser.add_argument("--t-end", type=float, default=None,
                        help="end of the window in ms (default: the end of the run)")
    args = parser.parse_args(argv)
    if args.out_dir is None and (args.spikes is None or args.summary is None):
        parser.error("give an output directory or both --spikes and --summary")
    if args.tolerance is not None and not args.tolerance > 0:
        parser.error("--tolerance must be positive")
    if not (math.isfinite(args.t_start) and args.t_start >= 0):
        parser.error("--t-start must be a time >= 0")
    spikes = args.spikes or os.path.join(args.out_dir, "spikes.csv")
    summary = args.summary or os.path.join(args.out_dir, "summary.json")

    try:
        sizes, duration_ms = read_summary(summary)
        reference, ref_tolerance, source = read_reference(args.reference)
        tolerance = args.tolerance or ref_tolerance or 0.3
        t_end = duration_ms if args.t_end is None else args.t_end
        if t_end > duration_ms + 1e-9:
            raise InputError(f"--t-end {t_end:g} ms is after the end of the run "
                             f"({duration_ms:g} ms)")
        if not t_end > args.t_start:
            raise InputError(f"empty window: t_start {args.t_start:g} ms, "
                             f"t_end {t_end:g} ms (run of {duration_ms:g} ms)")
        for name, _, _ in reference:
            if name.lower() not in sizes:
                have = ", ".join(n for n, _, _ in sizes.values())
                raise InputError(f"{summary}: no population '{name}' (have: {have})")
            if not sizes[name.lower()][2]:
                raise InputError(f"population '{name}' is not recorded "
                                 "(add it to 'record spikes of ...')")
        counts, rows = count_spikes(spikes, args.t_start, t_end)
    except InputError as e:
        print(f"check_microcircuit: error: {e}", file=sys.stderr)
        return 1

    window_s = (t_end - args.t_start) / 1000.0
    print(f"window [{args.t_start:g}, {t_end:g}) ms, {rows} spikes in {spikes}")
    print(f"reference: {source}")
    scaled = [name for name, _, ref_size in reference
              if isinstance(ref_size, int) and ref_size != sizes[name.lower()][1]]
    if scaled:
        print(f"note: the sizes of {', '.join(scaled)} differ from the reference "
              "network's (a scaled network's rates are not expected to match)")
    print(f"{'population':<10} {'size':>7} {'spikes':>9} {'nnc Hz':>9} "
          f"{'ref Hz':>9} {'ratio':>7}")
    ok = True
    for name, ref_rate, _ in reference:
        _, size, _ = sizes[name.lower()]
        count = counts.get(name.lower(), 0)
        rate = count / (size * window_s)
        ratio = rate / ref_rate
        passed = abs(ratio - 1.0) <= tolerance
        ok = ok and passed
        print(f"{name:<10} {size:>7} {count:>9} {rate:>9.3f} {ref_rate:>9.3f} "
              f"{ratio:>7.3f}  {'PASS' if passed else 'FAIL'}")
    if ok:
        print(f"PASS: every population within {100 * tolerance:g} % of the reference")
    else:
        print(f"FAIL: not every population within {100 * tolerance:g} % of the reference")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
