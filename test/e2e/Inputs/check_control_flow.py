"""Checks test/e2e/control-flow.nn step by step (see its header)."""
import csv
import json
import os
import sys


def main():
    out = sys.argv[1]
    spikes = {"src": [], "tgt": []}
    with open(os.path.join(out, "spikes.csv")) as f:
        for row in csv.DictReader(f):
            spikes[row["population"]].append(round(float(row["time_ms"]) * 10))
    traces = {}
    with open(os.path.join(out, "traces.csv")) as f:
        for row in csv.DictReader(f):
            traces.setdefault(row["variable"], {})[
                round(float(row["time_ms"]) * 10)] = float(row["value"])
    steps = round(json.load(open(os.path.join(out, "summary.json")))
                  ["duration_s"] * 1e4)
    failures = []

    def expect(what, got, want):
        ok = got == want
        print(f"{what}: {got}{'' if ok else f'  (expected {want})  FAIL'}")
        if not ok:
            failures.append(what)

    # Phases: until (52 steps: 0..51), S off (52..101), src off (102..131),
    # 3 x 2 ms (132..191), while t < 22 ms: 1 ms phases from 19.2 ms, the
    # last starting at 21.2 ms (192..221), frozen (222..251), thawed
    # (252..281).
    end = 282
    expect("total steps", steps, end)
    want_src = [s for s in range(10, end, 10) if not 102 <= s <= 131]
    expect("src spike steps", spikes["src"], want_src)
    # S delivers src spikes emitted while enabled, 20 steps later; tgt
    # spikes one step after each arrival.
    delivered = [s for s in want_src if not 52 <= s <= 101]
    want_tgt = [s + 21 for s in delivered if s + 21 < end]
    expect("tgt spike steps", spikes["tgt"], want_tgt)
    # p.level after each 2 ms phase: src spikes twice in 2 ms (1000 Hz > 400
    # Hz) in every phase of the loop.
    levels = traces["level"]
    expect("level after phase 1 (step 152)", levels[152], 10.0)
    expect("level after phase 2 (step 172)", levels[172], 11.0)
    expect("level after phase 3 (step 192)", levels[192], 12.0)
    # T: w += 1 per src spike except while frozen (steps 222..251); w is
    # sampled at the start of a step, before that step's delivery.
    w = traces["w"]
    want_w = {}
    count = 0
    for k in range(end):
        want_w[k] = float(count)
        if k in want_src and not 222 <= k <= 251:
            count += 1
    bad = [k for k in range(end) if w.get(k) != want_w[k]]
    expect("w samples matching the hand count", end - len(bad), end)
    expect("w constant while frozen", len({w[k] for k in range(223, 253)}), 1)
    # g grows by w at every delivered src spike of T, frozen or not.
    g = traces["g"]
    expect("g grows while frozen", g[252] > g[223], True)
    if failures:
        print("FAILED: " + ", ".join(failures))
        sys.exit(1)


if __name__ == "__main__":
    main()
