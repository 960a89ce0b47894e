"""Checks test/e2e/synapse-delays.nn: arrival steps equal recorded delays."""
import csv
import os
import sys
from collections import Counter, defaultdict

DT_MS = 0.1


def main():
    out = sys.argv[1]
    spikes = defaultdict(dict)
    with open(os.path.join(out, "spikes.csv")) as f:
        for row in csv.DictReader(f):
            step = int(round(float(row["time_ms"]) / DT_MS))
            spikes[row["population"]].setdefault(int(row["index"]), step)
    delays = defaultdict(dict)
    with open(os.path.join(out, "traces.csv")) as f:
        for row in csv.DictReader(f):
            assert row["variable"] == "delay" and row["unit"] == "s", row
            delays[row["population"]][int(row["index"])] = float(row["value"])
    steps = lambda d: int(round(d * 1e3 / DT_MS))

    # One-to-one: synapse k connects src k to dst k.
    pairs = delays["pairs"]
    assert len(pairs) == 200 and all(spikes["src"].get(k) == 0 for k in pairs)
    bad = [k for k, d in pairs.items() if spikes["dst"].get(k) != steps(d) + 1]
    if bad:
        k = bad[0]
        print(f"dst {k}: delay {pairs[k] * 1e3} ms, spiked at step "
              f"{spikes['dst'].get(k)}, expected {steps(pairs[k]) + 1}")
        sys.exit(1)
    d_pairs = sorted(pairs.values())
    if not (d_pairs[0] >= 1e-4 - 1e-12 and d_pairs[-1] < 6e-3 and
            len({steps(d) for d in d_pairs}) > 40):
        print("delays do not cover uniform(0.1 ms, 6 ms)")
        sys.exit(1)

    # All-to-all from one source: synapses sorted by delay.
    spread = [spread_d for _, spread_d in sorted(delays["spread"].items())]
    if [steps(d) for d in spread] != sorted(map(steps, spread)) or \
            min(spread) < 1e-4 - 1e-12:
        print("spread: delays not sorted or shorter than dt")
        sys.exit(1)
    want = Counter(steps(d) + 1 for d in spread)
    got = Counter(spikes["fanned"].values())
    if want != got or len(spikes["fanned"]) != 300:
        print(f"spread: arrival steps {sorted(got.items())[:5]}..., expected "
              f"{sorted(want.items())[:5]}...")
        sys.exit(1)
    print(f"pairs: 200 arrivals exact, {len(set(map(steps, d_pairs)))} distinct "
          f"delays; spread: 300 arrivals in {len(want)} delay groups, "
          f"min {min(spread) * 1e3:.2f} ms (clipped at dt: "
          f"{sum(1 for d in spread if steps(d) == 1)})")


if __name__ == "__main__":
    main()
