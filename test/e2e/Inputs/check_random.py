"""Recomputes test/e2e/random-streams.nn's random numbers with a reference
Philox4x32-10 and nnc's key derivation, and compares them bit for bit."""
import argparse
import csv
import math
import os
import sys

M64 = (1 << 64) - 1
M32 = (1 << 32) - 1


def splitmix64(x):
    x = (x + 0x9E3779B97F4A7C15) & M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & M64
    return x ^ (x >> 31)


def derive_key(seed, purpose, ident):
    return splitmix64(splitmix64(splitmix64(seed) ^ purpose) ^ ident)


def philox4x32_10(ctr, key):
    c = list(ctr)
    k0, k1 = key
    for r in range(10):
        if r:
            k0 = (k0 + 0x9E3779B9) & M32
            k1 = (k1 + 0xBB67AE85) & M32
        p0 = 0xD2511F53 * c[0]
        p1 = 0xCD9E8D57 * c[2]
        c = [((p1 >> 32) ^ c[1] ^ k0) & M32, p1 & M32,
             ((p0 >> 32) ^ c[3] ^ k1) & M32, p0 & M32]
    return c


def block(key, counter):
    return philox4x32_10([counter & M32, counter >> 32, 0, 0],
                         [key & M32, key >> 32])


def unit53(hi, lo):
    return ((hi << 32 | lo) >> 11) * 2.0**-53


def uniform(key, counter):
    w = block(key, counter)
    return unit53(w[0], w[1])


def normal(key, counter):
    w = block(key, counter)
    u1 = 1.0 - unit53(w[0], w[1])
    u2 = unit53(w[2], w[3])
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(6.283185307179586 * u2)


def main():
    # Random123's known-answer vectors for philox4x32_10.
    assert philox4x32_10([0, 0, 0, 0], [0, 0]) == [
        0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8]
    assert philox4x32_10([M32] * 4, [M32, M32]) == [
        0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD]
    assert philox4x32_10([0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344],
                         [0xA4093822, 0x299F31D0]) == [
        0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1]

    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("out")
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--size", type=int, required=True)
    p.add_argument("--steps", type=int, required=True)
    a = p.parse_args()
    init_key = derive_key(a.seed, 0x696E6974, 0)  # "init", population 0
    step_key = derive_key(a.seed, 0x73746570, 0)  # "step"

    got = {}
    with open(os.path.join(a.out, "traces.csv")) as f:
        for row in csv.DictReader(f):
            got[(row["variable"], int(row["index"]))] = float(row["value"])
    # The init kernel reserves one counter per random call in the model
    # (here 3: u, n and the spike condition), used in declaration order.
    mismatches = 0
    for i in range(a.size):
        u = -2 + uniform(init_key, i * 3 + 0) * (3 - -2)
        n = 1 + normal(init_key, i * 3 + 1) * 0.5
        for var, want in (("u", u), ("n", n)):
            # normal() goes through log and cos, which may differ from
            # Python's libm in the last bit; uniform() must be exact.
            tol = 0 if var == "u" else 4e-16 * max(1, abs(want))
            if abs(got[(var, i)] - want) > tol:
                print(f"{var}[{i}] = {got[(var, i)]!r}, expected {want!r}")
                mismatches += 1
    spikes = set()
    with open(os.path.join(a.out, "spikes.csv")) as f:
        for row in csv.DictReader(f):
            spikes.add((round(float(row["time_ms"])), int(row["index"])))
    want = {(k, i) for k in range(a.steps) for i in range(a.size)
            if uniform(step_key, (k * a.size + i) * 1 + 0) < 0.3}
    if spikes != want:
        extra, missing = sorted(spikes - want)[:5], sorted(want - spikes)[:5]
        print(f"spikes differ: unexpected {extra}, missing {missing}")
        mismatches += 1
    print(f"{a.size} neurons: u exact, n within 4e-16; {len(spikes)} spikes "
          f"over {a.steps} steps match the reference draws")
    sys.exit(1 if mismatches else 0)


if __name__ == "__main__":
    main()
