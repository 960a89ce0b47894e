"""Compares test/e2e/refractory-while.nn's spikes and final states with
Brian2's (test/reference/refractory_while_brian2.json): every spike at the
same step, the final spike counts n equal, the final c within 1e-9.

    check_refractory_while.py OUT REFERENCE
"""
import csv
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nnc_output import read_spikes  # noqa: E402
import json  # noqa: E402


def main():
    out, reference = sys.argv[1], sys.argv[2]
    with open(reference) as f:
        ref = json.load(f)
    dt_ms = ref["dt_s"] * 1e3
    got = sorted((step, i) for i, step in read_spikes(out, dt_ms)["p"])
    want = sorted((step, i) for i, step in ref["spikes"])
    same = len(set(got) & set(want))
    print(f"spikes: {same} of {len(want)} at Brian2's steps"
          + ("" if got == want else f" (nnc has {len(got)}: FAIL)"))
    counts = [0] * len(ref["final_n"])
    for _, i in got:
        counts[i] += 1
    print("per neuron: " + " ".join(str(c) for c in counts))
    final = {}
    with open(os.path.join(out, "traces.csv")) as f:
        for row in csv.DictReader(f):
            final[(row["variable"], int(row["index"]))] = float(row["value"])
    worst = max(abs(final[("c", i)] - c) for i, c in enumerate(ref["final_c"]))
    print(f"final c: largest difference {worst:.2e} "
          + ("[ok]" if worst < 1e-9 else "[FAIL]"))
    n_ok = all(final[("n", i)] == n for i, n in enumerate(ref["final_n"]))
    print("final n: " + ("equal [ok]" if n_ok else "differ [FAIL]"))
    return 0 if got == want and worst < 1e-9 and n_ok else 1


if __name__ == "__main__":
    sys.exit(main())
