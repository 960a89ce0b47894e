#!/usr/bin/python3
"""Generate refractory_while_brian2.json: Brian2's boolean refractoriness.

Brian2 accepts a condition as `refractory` (`refractory='C > C_Theta'` in
frompapers/Stimberg_et_al_2018/example_6): after a spike the neuron stays
refractory until a step starts with the condition false
(`not_refractory = not_refractory or not (cond)`, evaluated before the
state update), so `threshold='c > 0.5', refractory='c > 0.5'` fires once
per upward crossing, and a lower re-arm level gives hysteresis.
test/e2e/refractory-while.nn is the same network in nnc:

  dc/dt = omega * (cos(omega t) + 3 a3 cos(3 omega t)) : 1   (rk4)
  threshold c > 0.5, reset n += 1, refractory 'c > rearm'

8 neurons, omega = 20 + 7 i rad/s, a3 = 0 (i < 4) or 0.6, rearm = 0.5
(even i) or -0.2 (odd i), dt = 0.1 ms, 1 s, numpy target. Stored: every
spike as (neuron, step) and the final c and n of every neuron.

Usage (from the repository root):
    /usr/bin/python3 test/reference/generate_refractory_while_reference.py
"""
import json
import os
import warnings

warnings.filterwarnings("ignore", category=FutureWarning)
import brian2 as b2  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    b2.prefs.codegen.target = "numpy"
    b2.defaultclock.dt = 0.1 * b2.ms
    eqs = """dc/dt = omega * (cos(omega * t) + 3 * a3 * cos(3 * omega * t)) : 1
             n : 1
             omega : Hz (constant)
             a3 : 1 (constant)
             rearm : 1 (constant)"""
    g = b2.NeuronGroup(8, eqs, threshold="c > 0.5", reset="n += 1",
                       refractory="c > rearm", method="rk4")
    g.omega = "(20 + 7 * i) * Hz"
    g.a3 = "0.6 * int(i >= 4)"
    g.rearm = "0.5 - 0.7 * (i % 2)"
    spikes = b2.SpikeMonitor(g)
    b2.run(1 * b2.second)
    dt = float(b2.defaultclock.dt)
    result = {
        "source": "Brian2 %s, numpy target; see %s" % (
            b2.__version__, os.path.basename(__file__)),
        "dt_s": dt, "duration_s": 1.0,
        "spikes": [[int(i), int(round(float(t) / dt))]
                   for i, t in zip(spikes.i[:], spikes.t_[:])],
        "final_c": [float(x) for x in g.c[:]],
        "final_n": [float(x) for x in g.n[:]],
    }
    with open(os.path.join(HERE, "refractory_while_brian2.json"), "w") as f:
        json.dump(result, f)
        f.write("\n")
    print("%d spikes; per neuron %s" % (len(result["spikes"]), result["final_n"]))


if __name__ == "__main__":
    main()
