"""Compares nnc's final triplet-STDP weights under the pairing protocol
(test/e2e/triplet-stdp.nn) with Brian2's (test/reference/triplet_brian2.json).

Checks, in this order:
1. spikes.csv: the presynaptic spike source spikes exactly at the steps of
   its file (times rounded to dt) and every relay neuron of `post` exactly
   one step after the steps of the postsynaptic file;
2. traces.csv: for every projection of the reference and every condition k
   (synapse k), the final weight w (`record w of P at end`) agrees with
   Brian2's: |w - w_ref| <= rtol |w_ref - w0| + atol (rtol 1e-6 relative
   to the weight change, atol 1e-15; the projections full and minimal start
   at w0 = 0, so this is 1e-6 relative to the weight itself);
3. the shape of the result, in nnc's weights alone (so that the test means
   something by itself): for the unbounded projections, pre-before-post
   (+10 ms) potentiates more the higher the frequency, post-before-pre
   (-10 ms) depresses at 0.1, 10 and 20 Hz and potentiates at 40 and 50 Hz,
   and the +10 ms change at 0.1 Hz is tiny (|dw| < 1e-6: without a
   preceding postsynaptic spike only A2_plus acts); for the bounded one,
   weights stay in [0, 1] and reach 1 at +10 ms, 40 and 50 Hz.

Prints a table (condition, nnc, Brian2, relative error) per projection and
exits 1 on any failure.
"""
import argparse
import csv
import json
import os
import sys


def read_csv_steps(path, dt_ms):
    out = set()
    with open(path) as f:
        for row in csv.DictReader(f):
            out.add((int(round(float(row["time_ms"]) / dt_ms)), int(row["index"])))
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out", help="nnc's output directory")
    p.add_argument("--reference", required=True)
    p.add_argument("--conditions", required=True)
    p.add_argument("--pre-csv", required=True)
    p.add_argument("--post-csv", required=True)
    p.add_argument("--pre", default="pre", help="spike source population (default pre)")
    p.add_argument("--post", default="post", help="relay population (default post)")
    p.add_argument("--rtol", type=float)
    p.add_argument("--atol", type=float)
    a = p.parse_args()

    with open(a.reference) as f:
        ref = json.load(f)
    with open(a.conditions) as f:
        conds = json.load(f)["conditions"]
    rtol = a.rtol if a.rtol is not None else ref["rtol"]
    atol = a.atol if a.atol is not None else ref["atol"]
    dt_ms = ref["dt_ms"]
    delay = int(round(ref["plastic_synapse_delay_ms"] / dt_ms))
    if [c["index"] for c in conds] != list(range(len(conds))) or \
            [(c["lag_ms"], c["frequency_hz"]) for c in conds] != \
            [(c["lag_ms"], c["frequency_hz"]) for c in ref["conditions"]]:
        print("FAIL: the conditions file and the reference list different conditions")
        sys.exit(1)
    failures = []

    # 1. Spike steps.
    pre_want = read_csv_steps(a.pre_csv, dt_ms)
    post_want = {(s + delay, i) for s, i in read_csv_steps(a.post_csv, dt_ms)}
    got = {a.pre: set(), a.post: set()}
    with open(os.path.join(a.out, "spikes.csv")) as f:
        for row in csv.DictReader(f):
            if row["population"] in got:
                got[row["population"]].add(
                    (int(round(float(row["time_ms"]) / dt_ms)), int(row["index"])))
    for name, want in ((a.pre, pre_want), (a.post, post_want)):
        missing, extra = want - got[name], got[name] - want
        status = "ok" if not missing and not extra else "FAIL"
        print(f"spikes of {name}: {len(got[name])} recorded, {len(want)} expected, "
              f"{len(missing)} missing, {len(extra)} extra [{status}]")
        if missing or extra:
            failures.append(f"spikes of {name}: first missing "
                            f"{sorted(missing)[:3]}, first extra {sorted(extra)[:3]}")

    # 2. Final weights.
    end_ms = ref["duration_ms"]
    final = {}
    with open(os.path.join(a.out, "traces.csv")) as f:
        for row in csv.DictReader(f):
            if row["population"] in ref["projections"] and row["variable"] == "w":
                key = (row["population"], int(row["index"]))
                t = float(row["time_ms"])
                if key not in final or t >= final[key][0]:
                    final[key] = (t, float(row["value"]))
    worst = 0.0
    for name, proj in ref["projections"].items():
        w0 = proj["parameters"]["w0"]
        print(f"\nprojection {name} (w0 = {w0:g}, bounds [{proj['parameters']['w_min']:g}, "
              f"{proj['parameters']['w_max']:g}])")
        print(f"{'k':>2} {'lag ms':>6} {'f Hz':>5} {'nnc w':>24} {'Brian2 w':>24} "
              f"{'rel. err of dw':>14}")
        for c in conds:
            k = c["index"]
            want = proj["final_w"][k]
            if (name, k) not in final:
                failures.append(f"{name}: no final w of synapse {k} in traces.csv")
                print(f"{k:2d} {c['lag_ms']:+6g} {c['frequency_hz']:5g} {'missing':>24}")
                continue
            t, w = final[(name, k)]
            err = abs(w - want)
            scale = abs(want - w0)
            rel = err / scale if scale > 0 else (0.0 if err == 0 else float("inf"))
            ok = err <= rtol * scale + atol
            if scale > 0:
                worst = max(worst, rel)
            print(f"{k:2d} {c['lag_ms']:+6g} {c['frequency_hz']:5g} {w:24.17g} {want:24.17g} "
                  f"{rel:14.2e}{'' if ok else '  FAIL'}")
            if not ok:
                failures.append(f"{name} synapse {k} (lag {c['lag_ms']:+g} ms, "
                                f"{c['frequency_hz']:g} Hz): w = {w!r}, Brian2 {want!r}")
            if abs(t - end_ms) > 1e-6:
                failures.append(f"{name} synapse {k}: last sample at {t} ms, not at the end "
                                f"({end_ms} ms)")

    # 3. Shape, from nnc's weights.
    def dw(name, lag, f):
        k = next(c["index"] for c in conds
                 if c["lag_ms"] == lag and c["frequency_hz"] == f)
        return final.get((name, k), (0, float("nan")))[1] - \
            ref["projections"][name]["parameters"]["w0"]

    freqs = sorted({c["frequency_hz"] for c in conds})
    shape = []
    for name in ("full", "minimal"):
        if name not in ref["projections"]:
            continue
        plus = [dw(name, 10.0, f) for f in freqs]
        minus = [dw(name, -10.0, f) for f in freqs]
        shape.append((f"{name}: +10 ms potentiation grows with frequency",
                      all(x < y for x, y in zip(plus, plus[1:])) and plus[1] > 0))
        shape.append((f"{name}: +10 ms at 0.1 Hz is ~0 (|dw| < 1e-6)", abs(plus[0]) < 1e-6))
        shape.append((f"{name}: -10 ms depresses at 0.1, 10, 20 Hz",
                      all(dw(name, -10.0, f) < -0.1 for f in (0.1, 10.0, 20.0))))
        shape.append((f"{name}: -10 ms potentiates at 40, 50 Hz",
                      all(dw(name, -10.0, f) > 0.1 for f in (40.0, 50.0))))
    if "bounded" in ref["projections"]:
        ws = [final.get(("bounded", c["index"]), (0, float("nan")))[1] for c in conds]
        shape.append(("bounded: weights within [0, 1]", all(0 <= x <= 1 for x in ws)))
        shape.append(("bounded: +10 ms at 40 and 50 Hz reach w_max = 1",
                      all(dw("bounded", 10.0, f) + 0.5 == 1.0 for f in (40.0, 50.0))))
    print()
    for what, ok in shape:
        print(f"shape: {what} [{'ok' if ok else 'FAIL'}]")
        if not ok:
            failures.append(f"shape: {what}")

    print(f"\nworst relative error of the weight changes: {worst:.2e} (rtol {rtol:g}, "
          f"atol {atol:g})")
    if failures:
        print("FAIL:")
        for msg in failures:
            print("  " + msg)
        sys.exit(1)
    print("PASS: triplet STDP final weights agree with Brian2")


if __name__ == "__main__":
    main()
