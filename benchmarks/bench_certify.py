"""Benchmark (issues 6 and 19): certify type-A (existence, uniqueness and type, in Arb) for
every k = 6 … 10^4 (issue 19's target: under 30 s wall on 2 cores; 47.8 s before it) and for
k = 10^12 alone; prints the wall-clock total with its ratio to the figure before issue 19
and to the target, the CPU time (this process and its worker processes: what the machine's
load does not change), the time per certificate, the status counts, the BLAS threads
(pinned to 1) and the load average (other jobs on the same cores slow the wall clock).

    python benchmarks/bench_certify.py              # k = 6 … 10^4
    python benchmarks/bench_certify.py --quick      # k = 6 … 500
    python benchmarks/bench_certify.py --workers 1  # one process
"""
import argparse
import os
import resource
import sys
import time
from collections import Counter

from common import header, pin_blas

TARGET = 30.0
#: certify_family(type-A, k = 6 … 10^4) before issue 19 (wall, 2 cores, this machine), seconds
OLD = 47.8


def _cpu():
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="k = 6 … 500 only")
    ap.add_argument("--family", default="type-A")
    ap.add_argument("--workers", type=int, default=None,
                    help="processes (default: the local cores, at most 8)")
    a = ap.parse_args()
    import numpy                         # noqa: F401  (loads BLAS, so that it is pinned)
    limiter = pin_blas(1)                # noqa: F841  (kept alive; forked workers inherit it)
    header("bench_certify")
    from symcrit.certificates import certify, certify_family
    top = 500 if a.quick else 10 ** 4
    cores = os.cpu_count() or 1
    workers = a.workers or min(cores, 8)
    print(f"{cores} cores, {workers} worker process(es); load average before: "
          + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    t = time.perf_counter()
    certify(a.family, 6)              # derive, compile, first refinement
    print(f"first certificate (derive + compile + seed): {time.perf_counter() - t:.2f} s")
    ks = list(range(6, top + 1))
    t, c0 = time.perf_counter(), _cpu()
    certs = certify_family(a.family, ks, workers=workers)
    total, cpu = time.perf_counter() - t, _cpu() - c0
    counts = Counter(c.status for c in certs)
    print(f"{a.family}, k = 6 … {top}: {len(ks)} certificates in {total:.1f} s wall "
          f"({1000 * total / len(ks):.1f} ms each), {cpu:.1f} s CPU "
          f"({1000 * cpu / len(ks):.1f} ms each); {dict(counts)}")
    if not a.quick:
        print(f"  before issue 19: {OLD:.1f} s wall: ratio {OLD / total:.2f}x; target < "
              f"{TARGET:.0f} s: {'met' if total < TARGET else 'NOT met'} "
              f"(wall / target = {total / TARGET:.2f}; CPU / ({workers} × target) = "
              f"{cpu / (workers * TARGET):.2f})")
    print("  load average after: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    bad = [c for c in certs if c.status != "minimum"]
    for c in bad[:5]:
        print(f"  k = {c.k}: {c.status} ({c.reason})")
    t, c0 = time.perf_counter(), _cpu()
    c = certify(a.family, 10 ** 12)
    print(f"k = 10^12 alone: {c.status} in {time.perf_counter() - t:.2f} s wall, "
          f"{_cpu() - c0:.2f} s CPU (continuation from the seed included; box radius "
          f"{c.radius:.2g}, {c.dps} working digits)")
    return 0 if not bad else 1


if __name__ == "__main__":
    sys.exit(main())
