"""Benchmark (issue 6): certify type-A (existence, uniqueness and type, in Arb) for every
k = 6 … 10^4 (target under 60 s in total on this machine) and for k = 10^12 alone; prints
the total, the time per certificate and the status counts.

    python benchmarks/bench_certify.py            # k = 6 … 10^4
    python benchmarks/bench_certify.py --quick    # k = 6 … 500
"""
import argparse
import sys
import time
from collections import Counter


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="k = 6 … 500 only")
    ap.add_argument("--family", default="type-A")
    a = ap.parse_args()
    from symcrit.critical.certify import certify, certify_family
    top = 500 if a.quick else 10 ** 4
    t = time.perf_counter()
    certify(a.family, 6)              # derive, compile, first refinement
    print(f"first certificate (derive + compile + seed): {time.perf_counter() - t:.2f} s")
    ks = list(range(6, top + 1))
    t = time.perf_counter()
    certs = certify_family(a.family, ks)
    total = time.perf_counter() - t
    counts = Counter(c.status for c in certs)
    print(f"{a.family}, k = 6 … {top}: {len(ks)} certificates in {total:.1f} s "
          f"({1000 * total / len(ks):.1f} ms each); {dict(counts)}"
          + ("" if a.quick else f"  [target < 60 s: {'met' if total < 60 else 'NOT met'}]"))
    bad = [c for c in certs if c.status != "minimum"]
    for c in bad[:5]:
        print(f"  k = {c.k}: {c.status} ({c.reason})")
    t = time.perf_counter()
    c = certify(a.family, 10 ** 12)
    print(f"k = 10^12 alone: {c.status} in {time.perf_counter() - t:.2f} s (box radius "
          f"{c.radius:.2g}, {c.dps} working digits)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
