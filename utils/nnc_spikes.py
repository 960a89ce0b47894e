#!/usr/bin/env python3
"""Reads spikes.bin, the compact spike file of `nnc run --spike-format=binary`
(or `both`). Standard library only.

The format (all integers and floats little-endian):

  header:  8 bytes   magic "NNCSPK01"
           uint32    P, the number of recorded populations
           float64   dt, the time step in seconds
           P times:  uint32 name length, the name (UTF-8), int64 size
  blocks:  one per (step, population) with at least one spike, in the order
           of the simulation (the order of spikes.csv):
           int64     step
           uint32    population id (index in the header's list)
           uint32    count
           count x uint32 neuron indices

A spike's time is step * dt (spikes.csv's time_ms is step * dt * 1000).

    python3 utils/nnc_spikes.py nnc-out/spikes.bin > spikes.csv

prints the spikes as spikes.csv has them (same header and rows).
"""
import struct
import sys

MAGIC = b"NNCSPK01"


class FormatError(ValueError):
    pass


def _read_exact(f, n, what):
    data = f.read(n)
    if len(data) != n:
        raise FormatError(f"truncated spikes.bin: expected {n} bytes of {what}, "
                          f"got {len(data)}")
    return data


def iter_blocks(path):
    """Yields (dt, populations) once, then (step, population_id, indices)
    per block; for files too large to hold in memory."""
    with open(path, "rb") as f:
        if _read_exact(f, 8, "magic") != MAGIC:
            raise FormatError(f"{path}: not a spikes.bin file (bad magic)")
        count, dt = struct.unpack("<Id", _read_exact(f, 12, "header"))
        populations = []
        for _ in range(count):
            (length,) = struct.unpack("<I", _read_exact(f, 4, "name length"))
            name = _read_exact(f, length, "name").decode("utf-8")
            (size,) = struct.unpack("<q", _read_exact(f, 8, "population size"))
            populations.append((name, size))
        yield dt, populations
        while True:
            head = f.read(16)
            if not head:
                return
            if len(head) != 16:
                raise FormatError("truncated spikes.bin: partial block header")
            step, pop, n = struct.unpack("<qII", head)
            if pop >= len(populations):
                raise FormatError(f"block at step {step} names population "
                                  f"{pop} of {len(populations)}")
            indices = struct.unpack(f"<{n}I", _read_exact(f, 4 * n, "indices"))
            yield step, pop, indices


def read_spikes(path):
    """Returns (dt in seconds, [(name, size)], [(population_name, index,
    step)]) with the spikes in file order."""
    blocks = iter_blocks(path)
    dt, populations = next(blocks)
    spikes = []
    for step, pop, indices in blocks:
        name = populations[pop][0]
        spikes.extend((name, i, step) for i in indices)
    return dt, populations, spikes


def main(argv):
    if len(argv) != 2:
        print("usage: nnc_spikes.py spikes.bin", file=sys.stderr)
        return 2
    blocks = iter_blocks(argv[1])
    dt, populations = next(blocks)
    out = sys.stdout
    out.write("population,index,time_ms\n")
    for step, pop, indices in blocks:
        name = populations[pop][0]
        # The runtime's "%.4f" of step * dt * 1000 (same double arithmetic).
        time = "%.4f" % (float(step) * dt * 1000.0)
        out.writelines(f"{name},{i},{time}\n" for i in indices)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
