"""Checks spikes.bin against spikes.csv of the same run (--spike-format=both,
or spikes.csv from a csv run of the same seed given with --csv-dir):

1. utils/nnc_spikes.py decodes exactly the rows of spikes.csv (population,
   index and the time_ms text, in order);
2. the header lists the recorded populations of summary.json with their
   sizes, and dt;
3. the file is exactly header + 16 bytes per block + 4 bytes per spike,
   with one block per (step, population) that has spikes (counted from the
   CSV).

Prints a summary line and exits 1 on any failure.
"""
import argparse
import os
import sys

from nnc_output import read_spike_rows, read_summary


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out", help="nnc's output directory (with spikes.bin)")
    p.add_argument("--csv-dir", help="where spikes.csv is (default: OUT)")
    p.add_argument("--utils", required=True, help="nnc's utils/ directory")
    args = p.parse_args()
    sys.path.insert(0, args.utils)
    from nnc_spikes import read_spikes

    failures = []
    summary = read_summary(args.out)
    path = os.path.join(args.out, "spikes.bin")
    dt, populations, spikes = read_spikes(path)

    want_pops = [(q["name"], q["size"]) for q in summary["populations"]
                 if q["recorded"]]
    if populations != want_pops:
        failures.append(f"header lists {populations}, expected {want_pops}")
    if abs(dt * 1000.0 - summary["dt_ms"]) > 1e-12 * summary["dt_ms"]:
        failures.append(f"header dt {dt} s, summary.json {summary['dt_ms']} ms")

    rows = read_spike_rows(args.csv_dir or args.out)
    decoded = [(name, str(i), "%.4f" % (float(step) * dt * 1000.0))
               for name, i, step in spikes]
    if decoded != rows:
        first = next((k for k, (a, b) in enumerate(zip(decoded, rows))
                      if a != b), min(len(decoded), len(rows)))
        failures.append(f"{len(decoded)} decoded spikes, {len(rows)} CSV rows; "
                        f"first difference at row {first}")

    # Blocks: runs of CSV rows with the same population and time.
    blocks = sum(1 for k, r in enumerate(rows)
                 if k == 0 or (r[0], r[2]) != (rows[k - 1][0], rows[k - 1][2]))
    header = 8 + 4 + 8 + sum(4 + len(n.encode()) + 8 for n, _ in want_pops)
    want_size = header + 16 * blocks + 4 * len(rows)
    size = os.path.getsize(path)
    if size != want_size:
        failures.append(f"spikes.bin has {size} bytes, expected {want_size} "
                        f"({header} + 16 x {blocks} + 4 x {len(rows)})")

    print(f"spikes.bin: {len(spikes)} spikes in {blocks} blocks, "
          f"{len(populations)} populations, more than 1000 spikes: "
          f"{len(spikes) > 1000}")
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
