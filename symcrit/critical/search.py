r"""Search for all critical points of :math:`L_H(\cdot; k)` that can be found from many starts.

Each start is driven to a root of the restricted gradient by float64 root-finding
(MINPACK's hybrid method, ``scipy.optimize.root``, with the analytic Hessian as Jacobian),
so saddles are found as well as minima.  Roots with a (nearly) zero neuron are discarded
(the loss is not differentiable there), duplicates are merged, and every survivor is
polished with mpmath (:func:`~symcrit.critical.refine`).

Starts are random: half Gaussian, half near the "signed permutation" points whose entries
are in {-1, 0, 1} (where the known families live), with a fixed seed, so a search is
reproducible.

>>> pts = search("ΔS_k", k=6, starts=60, seed=0, dps=20)
>>> any(abs(p.loss) < 1e-15 for p in pts)        # finds the global minimum W = I
True
"""
from __future__ import annotations

import warnings

import mpmath
import numpy as np

from ..core import ConvergenceError, InputError
from ..restricted import restricted_loss
from ..core import fmt_k
from .refine import refine

__all__ = ["search", "MAX_STARTS"]

#: the most random starts one search takes (each is a root solve of about 10 ms)
MAX_STARTS = 20000


def _starts(n, count, rng):
    out = []
    for i in range(count):
        if i % 2 == 0:
            out.append(rng.normal(0.0, 0.7, size=n))
        else:
            out.append(rng.choice([-1.0, 0.0, 0.0, 1.0], size=n) + rng.normal(0, 0.15, size=n))
    return out


def search(H, k, d=None, starts=200, seed=0, dps=30, tol=1e-9, progress=None,
           min_norm=1e-4):
    """Critical points of ``L_H(·; k)`` found from ``starts`` random starts, refined to
    ``dps`` digits and sorted by loss.  ``progress`` wraps the loop over starts (e.g. a
    tqdm factory).  Returns a list of :class:`~symcrit.critical.CriticalPoint`."""
    from scipy.optimize import root

    R = restricted_loss(H)
    n = len(R.symbols)
    if isinstance(starts, bool) or not isinstance(starts, (int, np.integer)) or \
            not 1 <= starts <= MAX_STARTS:
        raise InputError(f"starts must be an integer from 1 to {MAX_STARTS}, got {starts}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(f"the random seed must be a non-negative integer, got {seed}")
    rng = np.random.default_rng(seed)
    kf = float(k)
    if kf < R.H.min_k:
        raise InputError(f"isotropy {R.H.label} needs k >= {R.H.min_k}, got k = {fmt_k(k)}")
    df = None if d is None else float(d)
    w = np.array([float(x) for x in R.weights(kf, df)])

    def fun(x):
        L, g, Hm = R.evaluate(x, kf, df, system="float")
        return g / w, Hm / w[:, None]

    found = []
    it = _starts(n, starts, rng)
    if progress is not None:
        it = progress(it)
    for x0 in it:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            try:
                sol = root(fun, x0, jac=True, method="hybr", options={"maxfev": 400})
            except (ValueError, ZeroDivisionError, FloatingPointError):
                continue
        x = sol.x
        if not np.all(np.isfinite(x)):
            continue
        try:
            g = fun(x)[0]
        except (ValueError, ZeroDivisionError, FloatingPointError):   # pragma: no cover
            continue
        if not np.all(np.isfinite(g)) or np.max(np.abs(g)) > tol * max(1.0, np.max(np.abs(x))):
            continue
        if _min_row_norm(R, x, kf, df) < min_norm:
            continue
        if any(np.max(np.abs(x - y)) < 1e-6 for y in found):
            continue
        found.append(x)
    out = []
    for x in found:
        try:
            cp = refine(R.H, list(x), k, d=d, dps=dps, full_check=False)
        except (ConvergenceError, ZeroDivisionError, ValueError):
            continue
        if any(max(abs(a - b) for a, b in zip(cp.xi, q.xi)) < mpmath.mpf(10) ** (-dps // 2)
               for q in out):
            continue
        out.append(cp)
    out.sort(key=lambda c: c.loss)
    return out


def _min_row_norm(R, x, k, d):
    """The smallest squared norm over the student row classes (0 means a zero neuron)."""
    vals = [g[2] for g in R.pair_gram(list(x), k, d) if "self" in g[0] and
            g[0].startswith("student")]
    return min(float(v) for v in vals) if vals else 1.0
