"""Benchmark (issue 3): time to a 50-digit critical point of type-A for k = 20, 10^3, 10^6,
10^12 (target under 0.5 s each, in one process after import), side by side with a float64
full-space solve (scipy L-BFGS on all k² entries of W, analytic gradient, from the same
start: the float64 embedding of the family's point at k perturbed by 1e-3) at k = 20, 50,
100; prints the times and the ratios.

    python benchmarks/bench_critical.py
"""
import sys
import time

import numpy as np


def main():
    t0 = time.perf_counter()
    from scipy.optimize import minimize
    from symcrit.critical.families import get_family
    from symcrit.model.loss import Problem
    print(f"import: {time.perf_counter() - t0:.2f} s")
    fam = get_family("type-A")
    t = time.perf_counter()
    fam.point(12, dps=50, full_check=False)
    print(f"first use (derive and compile L_H, refine the seed): {time.perf_counter() - t:.2f} s")
    print(f"{'k':>14s} {'50-digit point (s)':>19s} {'residual':>10s}")
    times = {}
    for k in (20, 10 ** 3, 10 ** 6, 10 ** 12):
        t = time.perf_counter()
        cp = fam.point(k, dps=50, full_check=False)
        times[k] = time.perf_counter() - t
        print(f"{k:>14d} {times[k]:>19.3f} {float(cp.residual):>10.1e}"
              f"   [target < 0.5 s: {'met' if times[k] < 0.5 else 'NOT met'}]")
    print(f"\n{'k':>5s} {'restricted, 50 digits (s)':>26s} {'full-space L-BFGS, float64 (s)':>31s} "
          f"{'ratio':>7s} {'|grad| reached':>15s}")
    rng = np.random.default_rng(0)
    for k in (20, 50, 100):
        t = time.perf_counter()
        cp = fam.point(k, dps=50, full_check=False)
        tr = time.perf_counter() - t
        P = Problem.canonical(k, k)
        W0 = np.asarray(cp.W("float"), dtype=float) + 1e-3 * rng.standard_normal((k, k))
        f = lambda w: P.loss(w.reshape(k, k), system="float")
        g = lambda w: np.asarray(P.gradient(w.reshape(k, k), system="float")).ravel()
        t = time.perf_counter()
        res = minimize(f, W0.ravel(), jac=g, method="L-BFGS-B",
                       options={"gtol": 1e-12, "ftol": 1e-16, "maxiter": 20000})
        tf = time.perf_counter() - t
        gn = float(np.linalg.norm(g(res.x)))
        print(f"{k:>5d} {tr:>26.3f} {tf:>31.3f} {tf / tr:>7.1f} {gn:>15.1e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
