#!/usr/bin/python3
"""Compare nnc's recorded traces and spikes with a Brian2 reference.

Usage:
    compare_traces.py REFERENCE.json NNC_OUT_DIR [--rtol R]
                      [--atol NAME=VALUE ...] [--atol-NAME VALUE ...]
                      [--population P] [--verbose]

REFERENCE.json is written by generate_model_traces.py; NNC_OUT_DIR is the
--out directory of `nnc run`, with

  traces.csv  population,index,variable,unit,time_ms,value   (SI values)
  spikes.csv  population,index,time_ms

Samples are matched by (neuron index, variable, step), step =
round(time_ms / dt); a time that is not a whole step is an error. Every
reference sample must be present (extra nnc samples, e.g. other populations
or variables, are ignored) and satisfy

    |nnc - ref| <= rtol * |ref| + atol(variable)

and, when the reference has spikes, every neuron's spike steps must be
identical. The absolute floor only matters where a value crosses or
approaches zero; its defaults, per SI unit of the variable, are

    V 1e-12 (1 pV)   A 1e-18 (1 aA)   S 1e-18 (1 aS)   1 (dimensionless) 1e-12
    V/s 1e-9         other units: 1e-12 * the largest |ref| of the variable

and `--atol NAME=VALUE` (or `--atol-NAME VALUE`) replaces it, NAME being a
variable (`--atol m=1e-10`) or a unit (`--atol V=1e-11`); a variable's entry
wins over its unit's. --rtol defaults to the reference's "rtol".

A unit column whose dimension differs from the reference's is an error (the
values would not be comparable); one that cannot be parsed is reported.

Prints, per variable, the largest absolute and relative error and the worst
ratio error / tolerance, then PASS or FAIL lines; exits 1 on any failure,
naming the earliest mismatching sample, or on missing or malformed input.
"""

import argparse
import csv
import json
import math
import os
import re
import sys

DEFAULT_ATOL = {"V": 1e-12, "A": 1e-18, "S": 1e-18, "1": 1e-12, "V/s": 1e-9}
FALLBACK_ATOL_FACTOR = 1e-12


class InputError(Exception):
    """A reference or nnc output that cannot be used."""


# ---------------------------------------------------------------------------
# Units: dimension vectors (m, kg, s, A, K, mol, cd)
# ---------------------------------------------------------------------------

_BASE = ["m", "kg", "s", "A", "K", "mol", "cd"]
_NAMED = {
    "m": (1, 0, 0, 0, 0, 0, 0), "kg": (0, 1, 0, 0, 0, 0, 0), "s": (0, 0, 1, 0, 0, 0, 0),
    "A": (0, 0, 0, 1, 0, 0, 0), "K": (0, 0, 0, 0, 1, 0, 0), "mol": (0, 0, 0, 0, 0, 1, 0),
    "cd": (0, 0, 0, 0, 0, 0, 1), "V": (2, 1, -3, -1, 0, 0, 0), "S": (-2, -1, 3, 2, 0, 0, 0),
    "F": (-2, -1, 4, 2, 0, 0, 0), "ohm": (2, 1, -3, -2, 0, 0, 0), "C": (0, 0, 1, 1, 0, 0, 0),
    "Hz": (0, 0, -1, 0, 0, 0, 0), "1": (0,) * 7,
}


def dimension(text):
    """Dimension vector of 'V', 'V/s', 'm^2 kg s^-4 A^-1', '1', ...; None if unknown."""
    text = text.strip()
    if not text:
        return None
    total = [0] * 7
    sign = 1
    for tok in re.findall(r"/|\*|[^\s/*]+", text):
        if tok == "/":
            sign = -1
            continue
        if tok == "*":
            continue
        m = re.fullmatch(r"([A-Za-z]+|1)(?:\^(-?\d+))?", tok)
        if not m or m.group(1) not in _NAMED:
            return None
        exp = int(m.group(2) or 1) * sign
        for i, e in enumerate(_NAMED[m.group(1)]):
            total[i] += e * exp
        sign = 1
    return tuple(total)


# ---------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------

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
        dt = float(ref["dt_s"])
        size = int(ref["size"])
        str(ref["population"])
        samples = ref["sample_steps"]
        start, stride, count = int(samples["start"]), int(samples["stride"]), int(samples["count"])
        variables = ref["variables"]
        spikes = ref.get("spikes")
        if not (dt > 0 and size > 0 and stride > 0 and count > 0 and variables):
            raise ValueError("empty or non-positive dt, size, samples or variables")
        for name, var in variables.items():
            values = var["values"]
            str(var["unit"])
            if len(values) != size or any(len(row) != count for row in values):
                raise ValueError(f"variable {name}: expected {size} x {count} values")
        if spikes is not None and len(spikes) != size:
            raise ValueError(f"spikes: expected {size} lists")
    except (KeyError, TypeError, ValueError) as e:
        raise InputError(f"{path}: not a trace reference ({e})")
    ref["_steps"] = [start + k * stride for k in range(count)]
    return ref


def open_csv(path, columns, what):
    if not os.path.exists(path):
        raise InputError(f"{path} does not exist (did `nnc run` record {what}?)")
    try:
        f = open(path, newline="")
    except OSError as e:
        raise InputError(f"cannot read {path}: {e}")
    reader = csv.DictReader(f)
    missing = [c for c in columns if c not in (reader.fieldnames or [])]
    if missing:
        f.close()
        raise InputError(f"{path}: missing column(s) {', '.join(missing)} "
                         f"(header: {','.join(reader.fieldnames or [])})")
    return f, reader


def to_step(time_ms, dt_ms, path, line):
    step = round(time_ms / dt_ms)
    if abs(time_ms / dt_ms - step) > 1e-3:
        raise InputError(f"{path}:{line}: time {time_ms} ms is not a whole step of {dt_ms:g} ms")
    return step


def read_traces(out_dir, ref, population):
    path = os.path.join(out_dir, "traces.csv")
    f, reader = open_csv(path, ["population", "index", "variable", "unit", "time_ms", "value"],
                         "traces")
    dt_ms = ref["dt_s"] * 1e3
    wanted = set(ref["variables"])
    samples, units, ignored = {}, {}, 0
    with f:
        for row in reader:
            line = reader.line_num
            if row["population"] != population or row["variable"] not in wanted:
                ignored += 1
                continue
            try:
                index = int(row["index"])
                time_ms = float(row["time_ms"])
                value = float(row["value"])
            except (TypeError, ValueError):
                raise InputError(f"{path}:{line}: malformed row {row}")
            step = to_step(time_ms, dt_ms, path, line)
            key = (row["variable"], index, step)
            if key in samples and not (samples[key] == value or
                                       (math.isnan(samples[key]) and math.isnan(value))):
                raise InputError(f"{path}:{line}: {row['variable']} of neuron {index} at step "
                                 f"{step} recorded twice with different values")
            samples[key] = value
            units.setdefault(row["variable"], set()).add(row["unit"])
    return samples, units, ignored


def read_spikes(out_dir, ref, population):
    path = os.path.join(out_dir, "spikes.csv")
    f, reader = open_csv(path, ["population", "index", "time_ms"], "spikes")
    dt_ms = ref["dt_s"] * 1e3
    spikes = [[] for _ in range(ref["size"])]
    with f:
        for row in reader:
            if row["population"] != population:
                continue
            try:
                index = int(row["index"])
                time_ms = float(row["time_ms"])
            except (TypeError, ValueError):
                raise InputError(f"{path}:{reader.line_num}: malformed row {row}")
            if not 0 <= index < ref["size"]:
                raise InputError(f"{path}:{reader.line_num}: neuron index {index} outside "
                                 f"[0, {ref['size']})")
            spikes[index].append(to_step(time_ms, dt_ms, path, reader.line_num))
    return [sorted(s) for s in spikes]


# ---------------------------------------------------------------------------
# Comparison
# ---------------------------------------------------------------------------

def atol_for(name, unit, values, overrides):
    if name in overrides:
        return overrides[name], "--atol " + name
    if unit in overrides:
        return overrides[unit], "--atol " + unit
    if unit in DEFAULT_ATOL:
        return DEFAULT_ATOL[unit], "default for " + unit
    peak = max((abs(x) for row in values for x in row), default=0.0)
    return FALLBACK_ATOL_FACTOR * peak, f"1e-12 x max|ref| ({unit})"


def fmt_time(step, dt_s):
    return f"{step * dt_s * 1e3:.4f}".rstrip("0").rstrip(".") + " ms"


def compare(ref, out_dir, rtol, atol_overrides, population, verbose):
    samples, units, ignored = read_traces(out_dir, ref, population)
    steps, size, dt = ref["_steps"], ref["size"], ref["dt_s"]
    ok = True
    failures = []   # (step, order, message)
    print(f"reference {ref.get('name', '?')}: {ref.get('model', '?')}, method "
          f"{ref.get('method', {}).get('nnc', '?')}, Brian2 "
          f"{ref.get('simulator', {}).get('version', '?')}, dt {dt * 1e3:g} ms, "
          f"{size} neurons, {len(steps)} samples every {steps[1] - steps[0] if len(steps) > 1 else 0}"
          f" steps; rtol {rtol:g}")
    for order, (name, var) in enumerate(ref["variables"].items()):
        unit = var["unit"]
        atol, atol_why = atol_for(name, unit, var["values"], atol_overrides)
        nnc_units = units.get(name, set())
        for u in sorted(nnc_units):
            d_nnc, d_ref = dimension(u), dimension(unit)
            if d_nnc is None or d_ref is None:
                print(f"note: {name}: unit {u!r} in traces.csv not understood (reference: {unit})")
            elif d_nnc != d_ref:
                ok = False
                failures.append((-1, order, f"{name}: traces.csv gives unit {u!r}, the "
                                            f"reference {unit!r}: different dimensions"))
        max_abs = max_rel = worst = 0.0
        worst_at = None
        missing = bad = 0
        for i in range(size):
            for k, step in enumerate(steps):
                r = var["values"][i][k]
                key = (name, i, step)
                if key not in samples:
                    missing += 1
                    failures.append((step, order, f"{name} of neuron {i} at step {step} "
                                     f"(t = {fmt_time(step, dt)}) is missing from traces.csv"))
                    continue
                x = samples[key]
                tol = rtol * abs(r) + atol
                if not math.isfinite(x):
                    err = math.inf
                else:
                    err = abs(x - r)
                max_abs = max(max_abs, err)
                if r != 0:
                    max_rel = max(max_rel, err / abs(r))
                ratio = err / tol if tol > 0 else (0.0 if err == 0 else math.inf)
                if ratio > worst or worst_at is None:
                    worst, worst_at = max(ratio, worst), (i, step, x, r)
                if not err <= tol:
                    bad += 1
                    failures.append((step, order,
                                     f"{name} of neuron {i} at step {step} (t = {fmt_time(step, dt)}): "
                                     f"nnc {x!r}, Brian2 {r!r}, |diff| {err:.3g} > tolerance "
                                     f"{tol:.3g} {unit} (rtol {rtol:g} x |ref| + atol {atol:g})"))
        passed = missing == 0 and bad == 0
        ok = ok and passed
        detail = ""
        if missing:
            detail += f", {missing} missing"
        if bad:
            detail += f", {bad} outside tolerance"
        where = ""
        if worst_at is not None and verbose:
            i, step, x, r = worst_at
            where = f" (worst: neuron {i} step {step}: nnc {x!r} vs {r!r})"
        print(f"{'PASS' if passed else 'FAIL'}: {name} [{unit}] {size * len(steps)} samples: "
              f"max abs err {max_abs:.3g} {unit}, max rel err {max_rel:.3g}, "
              f"worst err/tol {worst:.3g} (atol {atol:g}, {atol_why}){detail}{where}")

    if ref.get("spikes") is not None:
        got = read_spikes(out_dir, ref, population)
        expected = ref["spikes"]
        spike_ok = got == expected
        counts = ", ".join(f"{len(g)}/{len(e)}" for g, e in zip(got, expected))
        print(f"{'PASS' if spike_ok else 'FAIL'}: spike steps, nnc/Brian2 count per neuron: {counts}")
        if not spike_ok:
            ok = False
            for i, (g, e) in enumerate(zip(got, expected)):
                if g == e:
                    continue
                n = next((k for k in range(min(len(g), len(e))) if g[k] != e[k]), min(len(g), len(e)))
                if n < len(e) and n < len(g):
                    msg = (f"spike {n} of neuron {i}: nnc at step {g[n]}, Brian2 at step {e[n]}")
                    step = min(g[n], e[n])
                elif n < len(e):
                    msg = f"spike {n} of neuron {i}: Brian2 at step {e[n]}, missing in nnc"
                    step = e[n]
                else:
                    msg = f"spike {n} of neuron {i}: nnc at step {g[n]}, none in Brian2"
                    step = g[n]
                failures.append((step, len(ref["variables"]), msg))
    else:
        print("note: the reference has no spike condition; spikes are not compared")
    if ignored and verbose:
        print(f"note: {ignored} rows of traces.csv are not in the reference (ignored)")
    if not ok:
        failures.sort(key=lambda f: (f[0], f[1]))
        print(f"FAIL: {len(failures)} mismatch(es); first: {failures[0][2]}")
        return False
    print("PASS")
    return True


def normalise_argv(argv):
    """--atol-NAME VALUE / --atol-NAME=VALUE -> --atol NAME=VALUE."""
    out, k = [], 0
    while k < len(argv):
        a = argv[k]
        m = re.fullmatch(r"--atol-([^=]+)(?:=(.*))?", a)
        if m:
            if m.group(2) is not None:
                out += ["--atol", f"{m.group(1)}={m.group(2)}"]
            elif k + 1 < len(argv):
                out += ["--atol", f"{m.group(1)}={argv[k + 1]}"]
                k += 1
            else:
                out.append(a)
        else:
            out.append(a)
        k += 1
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Defaults for the absolute floor: " +
               ", ".join(f"{u} {v:g}" for u, v in DEFAULT_ATOL.items()))
    parser.add_argument("reference", help="traces/<name>.json")
    parser.add_argument("out_dir", help="the --out directory of `nnc run`")
    parser.add_argument("--rtol", type=float, help="relative tolerance (default: the reference's)")
    parser.add_argument("--atol", action="append", default=[], metavar="NAME=VALUE",
                        help="absolute floor for a variable or a unit (repeatable)")
    parser.add_argument("--population", help="population name (default: the reference's)")
    parser.add_argument("--verbose", "-v", action="store_true")
    args = parser.parse_args(normalise_argv(sys.argv[1:] if argv is None else argv))

    overrides = {}
    for item in args.atol:
        name, sep, value = item.partition("=")
        try:
            overrides[name] = float(value)
            if not sep or not name or not overrides[name] >= 0:
                raise ValueError
        except ValueError:
            parser.error(f"--atol {item!r}: expected NAME=VALUE with VALUE >= 0")
    try:
        ref = load_reference(args.reference)
        rtol = args.rtol if args.rtol is not None else float(ref.get("rtol", "nan"))
        if not rtol >= 0:
            parser.error("--rtol must be given (the reference has none) and be >= 0")
        if not os.path.isdir(args.out_dir):
            raise InputError(f"nnc output directory {args.out_dir} does not exist")
        ok = compare(ref, args.out_dir, rtol, overrides, args.population or ref["population"],
                     args.verbose)
    except InputError as e:
        print(f"compare_traces: error: {e}", file=sys.stderr)
        print("FAIL")
        return 1
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
