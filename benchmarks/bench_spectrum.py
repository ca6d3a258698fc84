"""Benchmark (issue 4): the full Hessian spectrum with multiplicities at 50 digits for
k = 10^6 by isotypic blocks, against the dense float64 Hessian plus numpy's eigvalsh at
k = 20, 30, 40 (the baseline).  Prints the times and the ratio at k = 40.

    python benchmarks/bench_spectrum.py            # target: k = 10^6 under 1 s after import
"""
import sys
import time

import numpy as np


def main():
    t0 = time.perf_counter()
    from symcrit.critical.families import get_family
    from symcrit.model.loss import Problem
    from symcrit.spectra.spectrum import spectrum_of
    print(f"import: {time.perf_counter() - t0:.2f} s")
    fam = get_family("type-A")

    t = time.perf_counter()
    cp = fam.point(10 ** 6, dps=50, full_check=False)
    print(f"type-A critical point at k = 10^6, 50 digits (continuation from the seed): "
          f"{time.perf_counter() - t:.2f} s")
    t = time.perf_counter()
    sp = spectrum_of(cp)
    first = time.perf_counter() - t
    t = time.perf_counter()
    sp = spectrum_of(cp)
    again = time.perf_counter() - t
    print(f"spectrum at k = 10^6, 50 digits: {first:.3f} s first call (builds the layout), "
          f"{again:.3f} s again; {len(sp.entries)} distinct eigenvalues, multiplicities add "
          f"up to {sp.total_multiplicity} = k^2; {sp.kind}  [target < 1 s: "
          f"{'met' if first < 1 else 'NOT met'}]")

    print(f"{'k':>4s} {'blocks (s)':>11s} {'dense+eigvalsh (s)':>19s} {'ratio':>7s}")
    ratio = None
    for k in (20, 30, 40):
        p = fam.point(k, dps=30, full_check=False)
        t = time.perf_counter()
        s = spectrum_of(p)
        tb = time.perf_counter() - t
        W = np.asarray(p.W("float"), dtype=float)
        t = time.perf_counter()
        H = np.asarray(Problem.canonical(k, k).hessian(W, system="float"), dtype=float)
        ev = np.linalg.eigvalsh(H.reshape(k * k, k * k))
        td = time.perf_counter() - t
        err = np.max(np.abs(np.sort(ev) - np.array(s.expanded())))
        ratio = td / tb
        print(f"{k:>4d} {tb:>11.3f} {td:>19.3f} {ratio:>7.1f}   (max difference {err:.1e})")
    print(f"ratio dense/blocks at k = 40: {ratio:.1f}x (blocks at 30 digits, dense in float64)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
