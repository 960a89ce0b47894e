"""Compares traces.csv written by `nnc run` with closed-form solutions.

Usage: check_traces.py <out-dir> <case> [--rtol R]

Cases (each matches one test network in test/e2e):
  lif-step   LIF without threshold, per-neuron input I_k = I0 + k dI, then a
             program step to I1 at t1: v relaxes exponentially to E + R I.
  alpha      alpha-shaped conductance g(t) = (t/tau) exp(1 - t/tau):
             every sample, and the peak (time tau, value 1).
Every sample is compared with the formula; the largest relative error is
printed. Exit status 1 on any mismatch.
"""
import argparse
import csv
import math
import sys


def read_traces(path):
    traces = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            key = (row["population"], int(row["index"]), row["variable"])
            traces.setdefault(key, []).append(
                (float(row["time_ms"]) * 1e-3, float(row["value"])))
    return traces


def lif_step(traces, rtol):
    # Must match test/e2e/lif-step.nn.
    tau, r, e = 10e-3, 1e8, -70e-3          # R = tau / C, C = 100 pF
    i0, di, i1, t1 = 0.1e-9, 0.05e-9, 0.3e-9, 20e-3
    worst = 0.0
    for k in range(4):
        samples = traces.get(("p", k, "v"))
        if not samples or len(samples) != 50:
            sys.exit(f"FAIL: expected 50 samples of p[{k}].v, got "
                     f"{len(samples) if samples else 0}")
        ik = i0 + k * di
        v1 = e + r * ik * (1 - math.exp(-t1 / tau))
        for t, v in samples:
            if t < t1 - 1e-12:
                expect = e + r * ik * (1 - math.exp(-t / tau))
            else:
                vinf = e + r * i1
                expect = vinf + (v1 - vinf) * math.exp(-(t - t1) / tau)
            err = abs(v - expect) / abs(expect)
            worst = max(worst, err)
            if err > rtol:
                sys.exit(f"FAIL: p[{k}].v at {t * 1e3:.4f} ms = {v!r}, "
                         f"expected {expect!r} (relative error {err:.3g})")
        current = traces.get(("p", k, "I_ext"))
        if not current or abs(current[0][1] - ik) > 1e-15 * ik or \
                abs(current[-1][1] - i1) > 1e-15 * i1:
            sys.exit(f"FAIL: p[{k}].I_ext does not go from {ik} to {i1}")
    print(f"PASS lif-step: max relative error {worst:.3g}")


def alpha(traces, rtol):
    # Must match test/e2e/alpha.nn.
    tau = 5e-3
    samples = traces.get(("s", 0, "g"))
    if not samples:
        sys.exit("FAIL: no samples of s[0].g")
    worst = 0.0
    for t, g in samples:
        expect = (t / tau) * math.exp(1 - t / tau)
        err = abs(g - expect) / max(abs(expect), 1e-300) if t > 0 else abs(g)
        worst = max(worst, err)
        if err > rtol:
            sys.exit(f"FAIL: g at {t * 1e3:.4f} ms = {g!r}, expected "
                     f"{expect!r} (relative error {err:.3g})")
    t_peak, g_peak = max(samples, key=lambda s: s[1])
    if abs(t_peak - tau) > 1e-9 or abs(g_peak - 1.0) > rtol:
        sys.exit(f"FAIL: peak {g_peak!r} at {t_peak * 1e3:.4f} ms, expected "
                 f"1 at {tau * 1e3} ms")
    print(f"PASS alpha: peak {g_peak:.12f} at {t_peak * 1e3:.4f} ms, "
          f"max relative error {worst:.3g}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out_dir")
    parser.add_argument("case", choices=["lif-step", "alpha"])
    parser.add_argument("--rtol", type=float, default=1e-9)
    args = parser.parse_args()
    try:
        traces = read_traces(args.out_dir + "/traces.csv")
    except (OSError, KeyError, ValueError) as err:
        sys.exit(f"FAIL: cannot read traces: {err}")
    {"lif-step": lif_step, "alpha": alpha}[args.case](traces, args.rtol)


if __name__ == "__main__":
    main()
