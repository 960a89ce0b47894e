"""Compares an LIF neuron's recorded spike times with the closed form.

From reset the membrane follows v(t) = E - (E - v_r) exp(-t / tau) and
crosses v_th after T = tau ln((E - v_r) / (E - v_th)). nnc (like Brian2)
checks the threshold on the state at the end of step k and records the spike
at time k dt; the neuron then holds v for R = refractory / dt steps and
integrates again from step k + R. Hence spikes on steps
floor(T/dt) + n (R + floor(T/dt)).
"""
import argparse
import csv
import math
import sys


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("spikes")
    for name in ("tau", "E", "v-reset", "v-th", "refractory", "dt", "duration"):
        p.add_argument("--" + name, type=float, required=True)
    a = p.parse_args()
    first = math.floor(a.tau * math.log((a.E - a.v_reset) / (a.E - a.v_th)) / a.dt)
    period = round(a.refractory / a.dt) + first
    steps = round(a.duration / a.dt)
    expected = [first + n * period for n in range(steps) if first + n * period < steps]

    with open(a.spikes) as f:
        times = [float(row["time_ms"]) for row in csv.DictReader(f)]
    got = [round(t / a.dt) for t in times]
    print(f"expected {len(expected)} spikes, first at step {first}, period {period} steps; got {len(got)}")
    if got != expected:
        for i, (e, g) in enumerate(zip(expected, got)):
            if e != g:
                print(f"spike {i}: expected step {e}, got {g}")
                break
        sys.exit(1)


if __name__ == "__main__":
    main()
