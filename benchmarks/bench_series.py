"""Benchmark (issue 5): the series of type-A to order 12 in k^(-1/2) — coordinates, loss and
every distinct Hessian eigenvalue — target under 10 s; prints the time to reach each order
so the growth is visible, and the truncation errors against refined points.

    python benchmarks/bench_series.py [--order 12] [--dps 30]
"""
import argparse
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--order", type=int, default=12)
    ap.add_argument("--dps", type=int, default=30)
    ap.add_argument("--family", default="type-A")
    a = ap.parse_args()
    from symcrit.series.family import family_series
    from symcrit.restricted import restricted_loss
    from symcrit.symmetry.isotypic import isotypic_decomposition
    from symcrit.critical.families import get_family
    fam = get_family(a.family)
    t = time.perf_counter()          # one-off: derive and compile L_H and L_K (cached later)
    restricted_loss(fam.isotropy)._layout
    restricted_loss(isotypic_decomposition(fam.isotropy).k_spec)._layout
    print(f"derive + compile the restricted losses (once per session): "
          f"{time.perf_counter() - t:.2f} s")
    t = time.perf_counter()
    S = family_series(fam, order=a.order, dps=a.dps, eigenvalues=True)
    total = time.perf_counter() - t
    print(f"{a.family}: order {a.order}, {a.dps} digits: {total:.2f} s in all "
          f"(coordinates, loss, {len(S.eigenvalues)} eigenvalues)  [target < 10 s: "
          f"{'met' if total < 10 else 'NOT met'}]")
    print("lifting: time to reach each order (cumulative)")
    for key, sec in S.timings:
        print(f"  {str(key):>12s}  {sec:7.3f} s")
    print(S.verify_table(S.verify(ks=(10 ** 4, 10 ** 6, 10 ** 8), orders=[a.order // 2,
                                                                            a.order])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
