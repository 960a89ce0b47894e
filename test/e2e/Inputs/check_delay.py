"""Checks that every post spike follows a pre spike by exactly --lag-ms."""
import argparse
import csv
import sys


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("spikes")
    p.add_argument("--pre", required=True)
    p.add_argument("--post", required=True)
    p.add_argument("--lag-ms", type=float, required=True)
    a = p.parse_args()
    times = {a.pre: [], a.post: []}
    with open(a.spikes) as f:
        for row in csv.DictReader(f):
            times.setdefault(row["population"], []).append(float(row["time_ms"]))
    pre, post = times[a.pre], times[a.post]
    # Every pre spike whose effect lands inside the run produces one post spike.
    last = max(pre + post, default=0.0)
    expected = [round(t + a.lag_ms, 4) for t in pre if t + a.lag_ms <= last]
    got = [round(t, 4) for t in post]
    print(f"{len(pre)} pre spikes, {len(got)} post spikes, expected {len(expected)}")
    if not pre or got[: len(expected)] != expected:
        print(f"expected post spikes at {expected[:5]}..., got {got[:5]}...")
        sys.exit(1)


if __name__ == "__main__":
    main()
