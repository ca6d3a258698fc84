"""Issue 2 performance: derive + compile per isotropy group (target < 2 s each), and the
restricted loss at 50 digits against the full-space mpmath loss at k = 50.

Run:  python benchmarks/bench_derive.py

Each group is derived in a fresh process, so the symbolic work is not cached.
"""
import os
import subprocess
import sys
import tempfile
import time

GROUPS = ["ΔS_k", "ΔS_{k-1}", "Δ(S_{k-2}×S_2)", "ΔS_{k-2}"]

CHILD = r"""
import time, sys
t0 = time.perf_counter()
from symcrit.restricted import RestrictedLoss
t1 = time.perf_counter()
R = RestrictedLoss(sys.argv[1])
R.expr
t2 = time.perf_counter()
R.evaluate([0.5] * len(R.symbols), 12, order=2)      # compiles loss, gradient and Hessian
t3 = time.perf_counter()
print(f"{t1 - t0:.3f} {t2 - t1:.3f} {t3 - t2:.3f}")
"""


def _child(group, cache):
    env = dict(os.environ, SYMCRIT_CACHE=cache)
    out = subprocess.run([sys.executable, "-c", CHILD, group], capture_output=True,
                         text=True, check=True, env=env).stdout.split()
    return map(float, out)


def main():
    print("derive + compile, each group in a fresh process (target < 2 s each);\n"
          "cold: the disk cache off (everything derived and compiled); warm: read from a "
          "fresh cache directory filled by one earlier process")
    print(f"{'group':18s} {'import':>8s} {'derive':>8s} {'compile':>8s} {'total':>8s}"
          f"   {'warm total':>10s}")
    with tempfile.TemporaryDirectory() as cache:
        for g in GROUPS:
            imp, der, comp = _child(g, "off")
            _child(g, cache)
            _, wder, wcomp = _child(g, cache)
            print(f"{g:18s} {imp:8.2f} {der:8.2f} {comp:8.2f} {der + comp:8.2f}   "
                  f"{wder + wcomp:10.2f}  {'ok' if der + comp < 2 else 'over target'}")

    import mpmath
    import numpy as np
    from symcrit.model import loss
    from symcrit.restricted import restricted_loss
    from symcrit.core.systems import workdps
    k = 50
    R = restricted_loss("ΔS_{k-1}")
    xi = ["1.004", "-0.0107", "0.152", "0.105", "-0.731"]
    with workdps(50):
        R.loss(xi, k, system="mpmath")                # warm
        t = time.perf_counter()
        n = 20
        for _ in range(n):
            a = R.loss(xi, k, system="mpmath")
        tr = (time.perf_counter() - t) / n
        W = R.fixed.embed(xi, k, system="mpmath")
        t = time.perf_counter()
        b = loss(W, system="mpmath")
        tf = time.perf_counter() - t
    print(f"\nloss at 50 digits, k = {k}: restricted {tr * 1e3:.2f} ms, full-space mpmath "
          f"{tf * 1e3:.1f} ms, ratio {tf / tr:.0f}x  (|difference| = "
          f"{mpmath.nstr(abs(a - b), 3)})")


if __name__ == "__main__":
    main()
