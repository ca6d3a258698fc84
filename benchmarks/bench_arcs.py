"""Benchmark (issue 13): tangency arcs.

1. All minimising arcs of type-A, hidden-A and hidden-D, each traced to r* (refined),
   with the expansion of m(r) and the endpoint identified, at 30 digits, at k = 10 and at
   k = 10^6 (target: under 10 s per family at each k, in one process after import; the
   first use in a fresh cache also derives and compiles the restricted losses).
2. The arc that realises m(r), side by side with a full-space sphere-constrained trace:
   scipy L-BFGS on all k² entries of W = c + r z/|z| (analytic gradient), at the same 20
   radii up to r*, each warm-started from the previous radius, at k = 10, 20, 40; the
   times, their ratio and the largest difference of m(r) (the full-space values must not
   be below the arc's).

    python benchmarks/bench_arcs.py
"""
import sys
import time

import numpy as np

FAMILIES = ("type-A", "hidden-A", "hidden-D")


def full_space_trace(C, radii, z0):
    """m(r) at each radius by L-BFGS on the sphere |W - C| = r in the full space, warm
    started from the previous radius's minimiser."""
    from scipy.optimize import minimize
    from symcrit.model import Problem, canonical_teacher
    k = C.shape[0]
    P = Problem(canonical_teacher(k))
    z = np.asarray(z0, dtype=float).ravel()
    out, evals = [], 0
    for r in radii:
        def f(v, r=r):
            n = np.linalg.norm(v)
            vv = v / n
            W = C + r * vv.reshape(k, k)
            G = np.asarray(P.gradient(W), dtype=float).ravel()
            return float(P.loss(W)), r * (G - vv * (vv @ G)) / n
        res = minimize(f, z, jac=True, method="L-BFGS-B",
                       options={"maxiter": 5000, "gtol": 1e-10, "ftol": 1e-15})
        z = res.x / np.linalg.norm(res.x)
        out.append(res.fun)
        evals += res.nfev
    return np.array(out), evals


def main():
    t0 = time.perf_counter()
    from symcrit.arcs import tangency_arcs, trace_arc
    from symcrit.critical import get_family
    print(f"import: {time.perf_counter() - t0:.2f} s")
    t = time.perf_counter()
    for fam in FAMILIES:
        get_family(fam).point(12, dps=30)
    print(f"family seeds refined: {time.perf_counter() - t:.2f} s\n")
    print("(wall time, and the CPU time of this process: on a shared machine the latter is "
          "the cost)")
    print(f"{'family':<10s} {'k':>8s} {'arcs':>5s} {'wall (s)':>9s} {'cpu (s)':>8s} "
          f"{'target':>8s} {'r* (realising)':>20s} {'c3':>14s} {'c4':>14s}  endpoint")
    for k in (10, 10 ** 6):
        for fam in FAMILIES:
            t, c = time.perf_counter(), time.process_time()
            arcs = tangency_arcs(fam, k, dps=30)
            dt, dc = time.perf_counter() - t, time.process_time() - c
            b = arcs.realising
            c = b.expansion.coefficients
            c3 = "0 (exact)" if b.c3_zero() else f"{float(c[3]):.8g}"
            print(f"{fam:<10s} {k:>8d} {len(arcs):>5d} {dt:>9.2f} {dc:>8.2f} "
                  f"{'met' if dc < 10 else 'NOT met':>8s} {float(b.r_star):>20.15f} "
                  f"{c3:>14s} {float(c[4]):>14.8g}  {b.endpoint.kind} (index "
                  f"{b.endpoint.index}), L = {float(b.endpoint.loss):.12g}")
    print("\nthe realising arc against a full-space sphere-constrained L-BFGS trace "
          "(20 radii up to r*)")
    print(f"{'family':<10s} {'k':>4s} {'arc, float64 (s)':>17s} {'+ refine 20 pts (s)':>20s} "
          f"{'full space (s)':>15s} {'ratio':>7s} {'ratio (refined)':>16s} "
          f"{'max |dm|':>10s} {'full >= arc':>12s}")
    for k in (10, 20, 40):
        for fam in FAMILIES:
            arcs = tangency_arcs(fam, k, dps=20, only_realising=True)
            b = arcs.realising
            st = b.start
            t = time.perf_counter()
            tr = trace_arc(st, expansion=b.expansion)
            t_arc = time.perf_counter() - t
            radii = np.linspace(0.05, 0.95, 20) * float(tr.r_cross)
            t = time.perf_counter()
            m_arc = np.array([float(b.point(r, dps=20).loss - st.loss) for r in radii])
            t_ref = time.perf_counter() - t
            C = np.asarray(arcs.point.W("float"), dtype=float)
            s = np.sqrt([float(w) for w in st.weights])
            eta1 = np.array([float(e) for e in st.eta_c]) + \
                np.array([float(u) for u in st.u]) / s * 1e-3
            W1 = np.asarray(st.refinement.child.fixed.embed(eta1, k), dtype=float)
            rng = np.random.default_rng(0)
            z0 = (W1 - C) + 1e-4 * rng.standard_normal(C.shape)   # the arc's direction
            t = time.perf_counter()
            m_full, evals = full_space_trace(C, radii, z0)
            t_full = time.perf_counter() - t
            m_full -= float(st.loss)
            diff = float(np.max(np.abs(m_full - m_arc)))
            ok = bool(np.all(m_full >= m_arc - 1e-10))
            print(f"{fam:<10s} {k:>4d} {t_arc:>17.3f} {t_arc + t_ref:>20.3f} "
                  f"{t_full:>15.2f} {t_full / t_arc:>7.1f} {t_full / (t_arc + t_ref):>16.1f} "
                  f"{diff:>10.1e} {str(ok):>12s}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
