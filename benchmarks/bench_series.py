"""Benchmark (issues 5 and 19): the series of type-A through relative order 12 in k^(-1/2) —
coordinates, loss and every distinct Hessian eigenvalue.

Prints first the figure the issue is about: ``symcrit series type-A --order N`` in a fresh
process (wall clock, start-up included), against the figure measured before issue 19
(6.41 s at order 12, 23 s at order 16; targets: order 12 under 3 s, order 20 under 15 s),
with the BLAS threads pinned and the load of the machine; then, in this process, the time
of each phase and of each order of the lifting (cumulative and the increment, so that the
growth per order is visible), how many coefficients were derived exactly, and the
truncation errors against refined points with the observed slopes (which should be N + 1
for terms through relative order ε^N).

    python benchmarks/bench_series.py [--order 12] [--dps 30] [--family type-A] [--no-verify]
"""
import argparse
import os
import sys
import time

from common import header, pin_blas, run_fresh

TARGET = 10.0
#: ``symcrit series type-A --order N`` before issue 19 (wall, this machine), seconds
OLD_CLI = {12: 6.41, 16: 23.0}
#: issue 19's targets for the same command
TARGET_CLI = {12: 3.0, 20: 15.0}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--order", type=int, default=12)
    ap.add_argument("--dps", type=int, default=30)
    ap.add_argument("--family", default="type-A")
    ap.add_argument("--numeric", action="store_true", help="numeric lifting only")
    ap.add_argument("--no-verify", action="store_true")
    a = ap.parse_args()
    import numpy                         # noqa: F401  (loads BLAS, so that it is pinned)
    limiter = pin_blas(1)                # noqa: F841  (kept alive: BLAS pinned throughout)
    header("bench_series")
    if a.family == "type-A" and not a.numeric:
        wall, rc = run_fresh(["series", a.family, "--order", str(a.order), "--dps",
                              str(a.dps)], env=dict(os.environ, OMP_NUM_THREADS="1",
                                                    OPENBLAS_NUM_THREADS="1",
                                                    MKL_NUM_THREADS="1"))
        line = f"symcrit series {a.family} --order {a.order} (fresh process, wall): {wall:.2f} s"
        if a.order in OLD_CLI:
            line += f"; before: {OLD_CLI[a.order]:.2f} s, ratio {OLD_CLI[a.order] / wall:.2f}x"
        if a.order in TARGET_CLI:
            goal = TARGET_CLI[a.order]
            line += f"; target < {goal:.0f} s: {'met' if wall < goal else 'NOT met'}"
        print(line + ("" if rc == 0 else f"  (exit code {rc})"))
    from symcrit.series import family_series
    from symcrit.restricted import restricted_loss
    from symcrit.symmetry import isotypic_decomposition
    from symcrit.critical import get_family
    fam = get_family(a.family)
    t = time.perf_counter()          # one-off: derive and compile L_H and L_K (cached later)
    restricted_loss(fam.isotropy).compile()
    restricted_loss(isotypic_decomposition(fam.isotropy).k_spec).compile()
    print(f"derive + compile the restricted losses (once per session, not counted): "
          f"{time.perf_counter() - t:.2f} s")
    t = time.perf_counter()
    S = family_series(fam, order=a.order, dps=a.dps, eigenvalues=True, exact=not a.numeric)
    total = time.perf_counter() - t
    c = S.counts()
    print(f"{a.family}: through relative order ε^{a.order} ({a.order + 1} terms per series), "
          f"{a.dps} digits, coordinates + loss + {len(S.eigenvalues)} eigenvalues")
    print(f"  coefficients: {c['derived']} derived exactly, {c['identified']} identified, "
          f"{c['numeric']} numeric" + (f"; notes: {'; '.join(S.notes)}" if S.notes else ""))
    print(f"  total {total:.2f} s  (target {TARGET:.0f} s: ratio {total / TARGET:.2f}, "
          f"{'met' if total < TARGET else 'NOT met'})")
    phases = [(k, v) for k, v in S.timings if not isinstance(k, int) and k != "total"]
    orders = [(k, v) for k, v in S.timings if isinstance(k, int)]
    print("phases:")
    for key, sec in phases:
        label = {"loss": "loss series", "eigenvalues": "eigenvalue series"}.get(key, key)
        print(f"  {label:<44s} {sec:7.3f} s")
    print("lifting, per order j (η_j from one evaluation of F at ~j + a few terms):")
    print(f"  {'j':>3s} {'cumulative':>11s} {'this order':>11s}")
    prev = 0.0
    for j, sec in orders:
        print(f"  {j:>3d} {sec:9.3f} s {sec - prev:9.3f} s")
        prev = sec
    if not a.no_verify:
        t = time.perf_counter()
        rows = S.verify(orders=sorted({a.order // 2, a.order}))
        print(S.verify_table(rows))
        print(f"verification: {time.perf_counter() - t:.1f} s (refined points and spectra at "
              f"{rows[0]['dps']} digits, k = 10^4 ... 10^12)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
