"""Replays nnc's recorded spike trains through pair STDP with Brian2's
event-driven semantics and compares nnc's synapse traces with the result.

Synapse k of the all-to-all projection connects presynaptic neuron k to the
single postsynaptic neuron. Per synapse: traces a_pre, a_post decay as
exp(-elapsed / tau) and are brought up to date only at the synapse's events
(Brian2's `(event-driven)`); a presynaptic spike of step s arrives at step
s + delay, where `on pre` runs (a_pre += A_pre; w = clip(w + a_post, 0,
w_max)); a postsynaptic spike runs `on post` (a_post += A_post; w = clip(w +
a_pre, 0, w_max)) in its own step, after the arrivals of that step. A
monitor sample at step n shows the stored values after steps < n.

With --interaction nearest (std/stdp.nn STDPNearest) each event sets its
trace to its step (a_pre = A_pre, a_post = A_post) instead of adding it,
so a spike pairs only with the latest spike of the other side.

With --rule vogels (Vogels et al. 2011, std/stdp.nn InhibitorySTDP) both
traces jump by 1, `on pre` runs w = clip(w + (a_post - alpha) eta, 0,
w_max) and `on post` w = clip(w + a_pre eta, 0, w_max).
"""
import argparse
import csv
import math
import os
import sys
from collections import defaultdict


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("out")
    p.add_argument("--projection", required=True)
    p.add_argument("--pre", required=True)
    p.add_argument("--post", required=True)
    p.add_argument("--dt-ms", type=float, default=0.1)
    p.add_argument("--delay-ms", type=float, required=True)
    p.add_argument("--tau-pre-ms", type=float, required=True)
    p.add_argument("--tau-post-ms", type=float, required=True)
    p.add_argument("--a-pre", type=float, required=True)
    p.add_argument("--a-post", type=float, required=True)
    p.add_argument("--w-max", type=float, required=True)
    p.add_argument("--w0", type=float, required=True)
    p.add_argument("--rtol", type=float, default=1e-12)
    p.add_argument("--rule", choices=["additive", "vogels"], default="additive")
    p.add_argument("--interaction", choices=["all", "nearest"], default="all")
    p.add_argument("--eta", type=float, default=1.0)
    p.add_argument("--alpha", type=float, default=0.0)
    a = p.parse_args()

    step_of = lambda t_ms: int(round(t_ms / a.dt_ms))
    pre_spikes = defaultdict(list)  # step -> presynaptic neurons
    post_steps = set()
    with open(os.path.join(a.out, "spikes.csv")) as f:
        for row in csv.DictReader(f):
            s = step_of(float(row["time_ms"]))
            if row["population"] == a.pre:
                pre_spikes[s].append(int(row["index"]))
            elif row["population"] == a.post:
                post_steps.add(s)
    samples = defaultdict(dict)  # (step) -> {(var, k): value}
    with open(os.path.join(a.out, "traces.csv")) as f:
        for row in csv.DictReader(f):
            if row["population"] == a.projection:
                samples[step_of(float(row["time_ms"]))][
                    (row["variable"], int(row["index"]))] = float(row["value"])
    n_syn = 1 + max(pre for l in pre_spikes.values() for pre in l)
    delay = step_of(a.delay_ms)
    dt = a.dt_ms * 1e-3
    syn = [dict(w=a.w0, a_pre=0.0, a_post=0.0, last=0) for _ in range(n_syn)]
    arrivals = defaultdict(list)
    for s, pres in pre_spikes.items():
        arrivals[s + delay].extend(pres)

    def advance(x, k):
        el = (k - x["last"]) * dt
        x["a_pre"] *= math.exp(-el / (a.tau_pre_ms * 1e-3))
        x["a_post"] *= math.exp(-el / (a.tau_post_ms * 1e-3))
        x["last"] = k

    end = max(samples)
    checked = worst = 0
    pairs = {"pre": 0, "post": 0}
    for k in range(end + 1):
        for (var, i), got in samples.get(k, {}).items():
            want = syn[i][var]
            err = abs(got - want) / max(abs(want), 1e-300)
            worst = max(worst, err if want else abs(got))
            checked += 1
            if err > a.rtol and abs(got - want) > 1e-300:
                print(f"step {k}: synapse {i} {var} = {got!r}, expected {want!r}")
                sys.exit(1)
        for i in sorted(arrivals.get(k, [])):
            x = syn[i]
            advance(x, k)
            x["a_pre"] = a.a_pre + (x["a_pre"] if a.interaction == "all" else 0.0)
            if a.rule == "vogels":
                x["w"] = min(max(x["w"] + (x["a_post"] - a.alpha) * a.eta, 0.0), a.w_max)
            else:
                x["w"] = min(max(x["w"] + x["a_post"], 0.0), a.w_max)
            pairs["pre"] += 1
        if k in post_steps:
            for x in syn:
                advance(x, k)
                x["a_post"] = a.a_post + (x["a_post"] if a.interaction == "all" else 0.0)
                x["w"] = min(max(x["w"] + x["a_pre"] * a.eta, 0.0), a.w_max)
            pairs["post"] += 1
    hits = {"max": sum(x["w"] == a.w_max for x in syn), "zero": 0}
    w_final = [x["w"] for x in syn]
    print(f"{pairs['pre']} presynaptic arrivals, {pairs['post']} postsynaptic "
          f"spikes, {checked} samples, worst relative error {worst:.2e}; "
          f"final w = {w_final}")
    if checked < 100 or pairs["pre"] < 20 or pairs["post"] < 20:
        print("too few events or samples to be a test")
        sys.exit(1)


if __name__ == "__main__":
    main()
