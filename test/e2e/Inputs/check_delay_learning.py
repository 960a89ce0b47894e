"""Checks delay-learning.nn: replays std/delays.nn's DelayShift rule event
by event, as docs/semantics.md specifies it (a spike takes its synapse's
delay at emission, rounded to steps and clamped to [1, up_to / dt]; within
a step, emissions, then arrivals (on pre), then the target's spike (on
post); monitors sample at the start of a step), and compares nnc's sampled
delays and arrival times with the replay and the final delays with the
lags that make the inputs arrive with the target's spikes."""
import csv
import math
import os
import sys
from collections import defaultdict

from nnc_output import read_spikes

DT_MS = 0.1
DT = 0.1 * 1e-3            # seconds, as the compiler folds `0.1 ms`
ETA, WINDOW = 0.4, 10 * 1e-3
MAX_STEPS = 150            # up_to 15 ms
SAMPLE_EVERY, END = 50, 3000
INPUT_MS, TEACHER_MS = (2, 5, 8), 10

out = sys.argv[1]
spikes = read_spikes(out, DT_MS)
emissions = defaultdict(list)  # step -> sources
for source, step in spikes["input"]:
    emissions[step].append(source)
post_steps = {step for _, step in spikes["out"]}
teacher_steps = {step for _, step in spikes["teacher"]}
assert post_steps == {s + 1 for s in teacher_steps}, \
    "the target spikes one step after each teacher spike"

delay = [1e-3] * 3
last = [-1.0] * 3
arrivals = defaultdict(list)  # step -> synapses
samples = {}
for k in range(END):
    if k % SAMPLE_EVERY == 0:
        samples[k] = (list(delay), list(last))
    for s in emissions.get(k, []):
        steps = delay[s] / DT
        d = 1 if not steps >= 1 else (
            MAX_STEPS if steps >= MAX_STEPS else math.floor(steps + 0.5))
        arrivals[k + d].append(s)
    for s in arrivals.pop(k, []):
        last[s] = k * DT
    if k in post_steps:
        t = k * DT
        for s in range(3):
            if t - last[s] <= WINDOW:
                delay[s] += ETA * (t - last[s])
samples[END] = (list(delay), list(last))

got = defaultdict(dict)  # (variable, synapse) -> step -> value
with open(os.path.join(out, "traces.csv")) as f:
    for row in csv.DictReader(f):
        step = int(round(float(row["time_ms"]) / DT_MS))
        got[(row["variable"], int(row["index"]))][step] = float(row["value"])
assert set(got[("delay", 0)]) == set(samples) - {END}, "sample steps"
worst = 0.0
for step, (delays, lasts) in samples.items():
    if step == END:
        continue
    for s in range(3):
        for name, want in (("delay", delays[s]), ("last_arrival", lasts[s])):
            value = got[(name, s)][step]
            error = abs(value - want) / max(abs(want), 1e-300)
            worst = max(worst, error)
            assert error <= 1e-12, \
                f"{name}[{s}] at {step * DT_MS:.1f} ms: {value} != {want}"

# The learned delays: within half a step below the lags, and the inputs of
# the last cycle arrive exactly with the target's spike.
final_post = max(post_steps)
for s, t_ms in enumerate(INPUT_MS):
    lag = (TEACHER_MS + DT_MS - t_ms) * 1e-3
    assert lag - 0.5 * DT - 1e-12 <= delay[s] <= lag + 1e-12, \
        f"delay {s}: {delay[s] * 1e3:.4f} ms, lag {lag * 1e3:.1f} ms"
    assert abs(last[s] - final_post * DT) < 1e-12, f"input {s} arrives late"
print("delays (ms):", ", ".join(f"{d * 1e3:.4f}" for d in delay),
      f"; replay matches to {worst:.1e}")
