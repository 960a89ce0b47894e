#!/usr/bin/python3
"""Check nnc's network firing rates (CUBA, COBA) against a Brian2 reference.

Reads nnc's ``summary.json`` (``{"populations": [{"name", "size", "spikes",
"rate_hz"}, ...], "duration_s": ...}``) and the reference written by
``generate_cuba_reference.py`` or ``generate_coba_reference.py`` (the
same format). Compares the size-weighted mean rate over all
populations, and the excitatory and inhibitory populations separately (the
populations whose names start with "exc" and "inh", case-insensitively),
each with the same relative tolerance. Exits 0 when all three agree, 1 when
one does not or an input is missing or malformed.

Usage:
    /usr/bin/python3 check_rate.py --summary nnc-out/summary.json \\
        --reference cuba_brian2.json --tolerance 0.15
"""

import argparse
import json
import math
import sys


class InputError(Exception):
    """A summary or reference file that cannot be used."""


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


def nnc_rates(summary, path):
    """Return {"all", "exc", "inh"} mean rates (Hz) from an nnc summary."""
    populations = summary.get("populations") if isinstance(summary, dict) else None
    if not isinstance(populations, list) or not populations:
        raise InputError(f"{path}: no non-empty 'populations' list")
    total_size = 0
    weighted = 0.0
    by_kind = {}
    for index, pop in enumerate(populations):
        if not isinstance(pop, dict):
            raise InputError(f"{path}: populations[{index}] is not an object")
        name, size, rate = pop.get("name"), pop.get("size"), pop.get("rate_hz")
        if not isinstance(name, str):
            raise InputError(f"{path}: populations[{index}] has no string 'name'")
        if not (isinstance(size, int) and not isinstance(size, bool) and size > 0):
            raise InputError(f"{path}: population '{name}' has no positive integer 'size'")
        if not (is_number(rate) and rate >= 0):
            raise InputError(f"{path}: population '{name}' has no valid 'rate_hz'")
        total_size += size
        weighted += size * rate
        for kind in ("exc", "inh"):
            if name.lower().startswith(kind):
                if kind in by_kind:
                    raise InputError(f"{path}: more than one '{kind}*' population")
                by_kind[kind] = rate
    for kind in ("exc", "inh"):
        if kind not in by_kind:
            names = ", ".join(str(p.get("name")) for p in populations)
            raise InputError(f"{path}: no population named '{kind}*' (have: {names})")
    return {"all": weighted / total_size, **by_kind}


def reference_rates(reference, path):
    """Return ({kind: (mean, sd)}, number of seeds) from the reference file."""
    try:
        rates = reference["rates_hz"]
        stats = {kind: (float(rates[kind]["mean"]), float(rates[kind]["sd"]))
                 for kind in ("all", "exc", "inh")}
        seeds = len(reference["seeds"])
    except (KeyError, TypeError, ValueError) as e:
        raise InputError(f"{path}: not a rate reference file ({e!r} missing or invalid)")
    for kind, (mean, _) in stats.items():
        if not (math.isfinite(mean) and mean > 0):
            raise InputError(f"{path}: reference '{kind}' rate {mean} is not positive")
    return stats, seeds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--summary", required=True, help="nnc's summary.json")
    parser.add_argument("--reference", required=True,
                        help="cuba_brian2.json, coba_brian2.json")
    parser.add_argument("--tolerance", type=float, default=0.15,
                        help="largest allowed |nnc - ref| / ref (default 0.15)")
    args = parser.parse_args(argv)
    if not args.tolerance > 0:
        parser.error("--tolerance must be positive")

    try:
        nnc = nnc_rates(load_json(args.summary, "nnc summary"), args.summary)
        ref, seeds = reference_rates(load_json(args.reference, "reference"), args.reference)
    except InputError as e:
        print(f"check_rate: error: {e}", file=sys.stderr)
        return 1

    ok = True
    for kind, label in (("all", "mean rate"), ("exc", "exc rate"), ("inh", "inh rate")):
        mean, sd = ref[kind]
        diff = (nnc[kind] - mean) / mean
        passed = abs(diff) <= args.tolerance
        ok = ok and passed
        print(f"nnc {label} {nnc[kind]:.3f} Hz, Brian2 reference {mean:.3f} Hz "
              f"(±{sd:.3f} over {seeds} seeds), relative difference {100 * diff:+.1f} % "
              f"[{'PASS' if passed else 'FAIL'}]")
    print(f"{'PASS' if ok else 'FAIL'}: tolerance {100 * args.tolerance:g} %")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
