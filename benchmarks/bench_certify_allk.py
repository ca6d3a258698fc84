"""Benchmark (issue 15): the proof for every k ≥ k₀ of a family (default type-A; target
under 120 s on this 2-core machine), stage by stage, then its verification from the file,
and the per-k route over k = 6 … 10^4 for comparison (what the all-k proof replaces:
10^4 − 5 certificates that still say nothing about k > 10^4).

Prints the number of pieces, the time of each stage (threshold, intervals, the piece at
infinity), wall-clock and CPU time (this process and its worker processes: what the load
of other jobs does not change), the verification time, and the ratio of the all-k proof's
time to the per-k route's.

    python benchmarks/bench_certify_allk.py                    # type-A, with the per-k route
    python benchmarks/bench_certify_allk.py --no-per-k         # the all-k proof only
    python benchmarks/bench_certify_allk.py --family hidden-D
"""
import argparse
import os
import resource
import sys
import tempfile
import time

TARGET = 120.0


def _cpu():
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--family", default="type-A")
    ap.add_argument("--from", dest="k_from", type=int, default=None)
    ap.add_argument("--no-per-k", action="store_true", help="skip the per-k route")
    ap.add_argument("--top", type=int, default=10 ** 4, help="the per-k route's last k")
    a = ap.parse_args()
    from symcrit.certificates import certify_family, prove_all_k, verify_all_k
    cores = os.cpu_count() or 1
    print(f"{cores} cores; load average before: "
          + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    t, c0 = time.perf_counter(), _cpu()
    proof = prove_all_k(a.family, k_from=a.k_from)
    wall, cpu = time.perf_counter() - t, _cpu() - c0
    n_int = sum(p.kind == "interval" for p in proof.pieces)
    print(f"{a.family}: {proof.status} for all k ≥ {proof.to_json()['k_from']}: "
          f"{len(proof.pieces)} pieces ({n_int} intervals up to K = "
          f"{proof.to_json()['pieces'][-1]['k_lo']}, 1 at infinity)")
    for stage, s in proof.seconds.items():
        print(f"  stage {stage:<20} {s:7.1f} s")
    print(f"  total {wall:.1f} s wall, {cpu:.1f} s CPU; target < {TARGET:.0f} s: "
          f"{'met' if wall < TARGET else 'NOT met'} (wall / target = {wall / TARGET:.2f})")
    slow = sorted(proof.pieces, key=lambda p: -p.seconds)[:3]
    print("  slowest pieces: " + ", ".join(
        f"[{p.to_json()['k_lo']}, {p.to_json()['k_hi']}] {p.seconds:.1f} s" for p in slow))
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "proof.json")
        proof.save(path)
        t, c0 = time.perf_counter(), _cpu()
        v = verify_all_k(path)
        print(f"verification from the file: {'verified' if v.verified else 'NOT verified'} in "
              f"{time.perf_counter() - t:.1f} s wall, {_cpu() - c0:.1f} s CPU"
              + (f" ({v.reason})" if v.reason else ""))
    if not a.no_per_k:
        ks = list(range(6, a.top + 1))
        t, c0 = time.perf_counter(), _cpu()
        certs = certify_family(a.family, ks)
        pw, pc = time.perf_counter() - t, _cpu() - c0
        ok = sum(c.status == "minimum" for c in certs)
        print(f"per-k route, k = 6 … {a.top}: {len(ks)} certificates ({ok} minimum) in "
              f"{pw:.1f} s wall, {pc:.1f} s CPU")
        print(f"ratio all-k proof / per-k route: {wall / pw:.2f} (wall), {cpu / pc:.2f} "
              f"(CPU) — the all-k proof covers every k ≥ k₀, the per-k route {len(ks)} "
              "values")
    print("load average after: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    return 0 if proof.status == "proved" else 1


if __name__ == "__main__":
    sys.exit(main())
