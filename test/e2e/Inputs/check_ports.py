"""Checks test/e2e/ports.nn: input-port traces against their analytic form.

Spike file + connection file: a spike of source s at step k reaches every
target j of s in step k (delay 0), after the populations' updates, so the
sample at step m > k holds w exp(-(m - 1 - k) dt / tau) of it. Positive
weights go to ge, negative ones to gi as -w. With --poisson: a shot-noise
conductance with N Poisson inputs of rate r and jump 2 w decaying with tau
has mean N r (2 w) tau and variance N r (2 w)^2 tau / 2 (Campbell); its
Euler-free exact propagator makes the sampled chain's variance
N r dt (2w)^2 / (1 - a^2), a = exp(-dt/tau). Exits 1 on a failure.
"""
import argparse
import csv
import math
import os
import sys
from collections import defaultdict


def read_traces(out):
    traces = defaultdict(dict)
    with open(os.path.join(out, "traces.csv")) as f:
        for row in csv.DictReader(f):
            step = round(float(row["time_ms"]) * 10)
            traces[(int(row["index"]), row["variable"])][step] = \
                float(row["value"])
    return traces


def check_file_inputs(args, traces):
    ok = True
    arrivals = defaultdict(list)  # target -> [(step, w in nS)]
    with open(args.connections) as f:
        targets = defaultdict(list)
        for row in csv.DictReader(f):
            targets[int(row["pre"])].append((int(row["post"]),
                                             float(row["w:nS"])))
    with open(args.spikes) as f:
        for row in csv.DictReader(f):
            step = round(float(row["time_ms"]) / args.dt_ms)
            for j, w in targets[int(row["index"])]:
                arrivals[j].append((step, w))
    worst, samples = 0.0, 0
    for j in sorted(arrivals):
        exc = sum(1 for _, w in arrivals[j] if w >= 0)
        inh = len(arrivals[j]) - exc
        last = max(traces[(j, "n_exc")])
        got_exc = traces[(j, "n_exc")][last]
        got_inh = traces[(j, "n_inh")][last]
        print(f"neuron {j}: {got_exc:g} excitatory events, "
              f"{got_inh:g} inhibitory events")
        if (got_exc, got_inh) != (exc, inh):
            print(f"FAIL: expected {exc} and {inh}")
            ok = False
        for var, sign in (("ge", 1), ("gi", -1)):
            for m, got in traces[(j, var)].items():
                want = sum(sign * w * math.exp(-(m - 1 - k) * args.dt_ms /
                                                args.tau_ms)
                           for k, w in arrivals[j] if k < m and sign * w > 0)
                worst = max(worst, abs(got * 1e9 - want))
                samples += 1
    tag = "ok" if worst < 1e-9 else "FAIL"
    ok &= tag == "ok"
    print(f"ge, gi: {samples} samples, largest error {worst:.2e} nS [{tag}]")
    # `on spike` runs for every spike: its count is the spike count so far.
    spikes = defaultdict(list)
    with open(os.path.join(args.out, "spikes.csv")) as f:
        for row in csv.DictReader(f):
            spikes[int(row["index"])].append(
                round(float(row["time_ms"]) / args.dt_ms))
    counted = all(
        got == sum(1 for s in spikes[j] if s < m)
        for j in (0, 1) for m, got in traces[(j, "n_spk")].items())
    counted &= all(len(spikes[j]) > 2 for j in (0, 1))
    print("spikes counted by 'on spike' equal the recorded spikes "
          f"[{'ok' if counted else 'FAIL'}]")
    return ok and counted


def check_poisson(args, traces):
    jump = 2 * args.w_ns
    rate = args.count * args.rate_hz * 1e-3  # events per ms
    a = math.exp(-args.dt_ms / args.tau_ms)
    want_mean = rate * jump * args.tau_ms
    # Per step: g <- a g + jump k, k ~ Poisson(rate dt): the chain's
    # stationary mean is jump rate dt / (1 - a), its variance
    # jump^2 rate dt / (1 - a^2).
    chain_mean = jump * rate * args.dt_ms / (1 - a)
    want_var = jump ** 2 * rate * args.dt_ms / (1 - a * a)
    values = [v * 1e9 for (j, var), trace in traces.items() if var == "ge"
              for m, v in trace.items() if m * args.dt_ms >= 100]
    n = len(values)
    mean = sum(values) / n
    var = sum((v - mean) ** 2 for v in values) / (n - 1)
    # Independent samples: neurons x duration / (2 tau).
    independent = 1000 * 900 / (2 * args.tau_ms)
    mean_ok = abs(mean - chain_mean) < 5 * math.sqrt(want_var / independent)
    var_ok = abs(var - want_var) < 5 * want_var * math.sqrt(2 / independent)
    print(f"mean ge {mean:.3f} nS, expected {want_mean:.3f} nS "
          f"(chain {chain_mean:.3f}) [{'ok' if mean_ok else 'FAIL'}]")
    print(f"variance {var:.3f} nS^2, expected {want_var:.3f} nS^2 "
          f"[{'ok' if var_ok else 'FAIL'}]")
    return mean_ok and var_ok


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--spikes")
    p.add_argument("--connections")
    p.add_argument("--poisson", action="store_true")
    p.add_argument("--rate-hz", type=float)
    p.add_argument("--count", type=float)
    p.add_argument("--w-ns", type=float)
    p.add_argument("--tau-ms", type=float, required=True)
    p.add_argument("--dt-ms", type=float, required=True)
    args = p.parse_args()
    traces = read_traces(args.out)
    ok = (check_poisson(args, traces) if args.poisson
          else check_file_inputs(args, traces))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
