r"""Where a family changes type: the real k at which an eigenvalue of the Hessian crosses 0.

Along a family of critical points the eigenvalues of each isotypic block are analytic
functions of the real parameter k (Arjevani & Field 2020, "Analytic characterization of the
Hessian in shallow ReLU models: a tale of symmetry", NeurIPS, arXiv:2008.01805); where the
smallest eigenvalue of a block crosses zero the family turns, for instance, from saddle into
minimum: the "fractional dimension" thresholds.

Method (:func:`thresholds`): a float64 scan along the family on a geometric grid, Brent's
method on the float crossing, then mpmath's Illinois method (:func:`mpmath.findroot`,
which keeps the bracket) from a tight bracket around it at full precision.

>>> t = threshold("type-A", k_max=8, dps=25)
>>> t.irrep, t.before, t.after, 5 < t.k < 6
('[k-2,1]', 'saddle', 'minimum', True)
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import mpmath

import numpy as np

from .core import (ConvergenceError, InputError, check_dps, dec, generalized_eigh, workdps)
from .critical import get_family, newton_restricted, refine
from .restricted import restricted_loss
from .spectra import block_minima, classify, hessian_blocks
from .symmetry import isotypic_decomposition

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from .critical import Family

__all__ = ["Threshold", "thresholds", "threshold", "K_MAX_SCAN"]

#: the largest k a threshold scan reaches
K_MAX_SCAN = 1e6


@dataclass
class Threshold:
    r"""A real k at which the smallest eigenvalue of one isotypic block of the Hessian along
    a family crosses zero: the family changes type there (``before`` → ``after``, e.g.
    ``saddle`` → ``minimum`` with increasing k).  ``slope``: :math:`d\lambda/dk` there;
    ``point``: the family's critical point at the threshold (a CriticalPoint)."""
    family: str
    isotropy: str
    k: mpmath.mpf
    irrep: str
    before: str
    after: str
    slope: mpmath.mpf
    point: object
    dps: int
    bracket: tuple

    @property
    def loss(self):
        """The loss of the family's point at the threshold."""
        return self.point.loss

    def to_json(self):
        """A JSON-ready dict (numbers as decimal strings)."""
        return {"family": self.family, "isotropy": self.isotropy,
                "k": dec(self.k, self.dps), "irrep": self.irrep,
                "transition": f"{self.before} -> {self.after}",
                "before": self.before, "after": self.after,
                "slope": dec(self.slope, 10), "loss": dec(self.loss, self.dps),
                "parameters": {n: dec(x, self.dps)
                               for n, x in zip(self.point.names, self.point.xi)},
                "bracket": [dec(self.bracket[0], 10), dec(self.bracket[1], 10)],
                "dps": self.dps, "certainty": "refined"}

    def __str__(self):
        return (f"{self.family} ({self.isotropy}): {self.before} -> {self.after} at "
                f"k = {mpmath.nstr(self.k, self.dps)}\n"
                f"  block {self.irrep}: smallest eigenvalue crosses 0 with slope "
                f"dλ/dk = {mpmath.nstr(self.slope, 8)}\n"
                f"  loss there {mpmath.nstr(self.loss, min(self.dps, 25))}")

    __repr__ = __str__

    def _repr_latex_(self):
        from .core import latex_math_text, latex_number, latex_summary, latex_text
        return latex_summary(f"threshold of {self.family}", [
            ("isotropy", rf"\mathrm{{Fix}}({latex_math_text(self.isotropy)})"),
            ("transition", rf"\text{{{latex_text(self.before)}}} \to "
                           rf"\text{{{latex_text(self.after)}}}"),
            ("at $k$", latex_number(self.k, self.dps)),
            ("block", latex_math_text(self.irrep)),
            (r"slope $d\lambda/dk$", latex_number(self.slope, 8)),
            ("loss there", latex_number(self.loss, min(self.dps, 25))),
            ("certainty", r"\text{refined (mpmath), not certified}")])


def _scan_grid(lo, hi, ratio):
    out, k = [], lo
    while k < hi:
        out.append(k)
        k *= ratio
    out.append(hi)
    return out


def _float_newton(R, x, k, w, steps=30):
    """Newton on the restricted gradient in float64 at k from x (None when it fails)."""
    x = np.array(x, dtype=float)
    for _ in range(steps):
        with np.errstate(all="ignore"):
            _, g, H = R.evaluate(x, k)
            r = np.max(np.abs(g / w))
            if not np.isfinite(r):
                return None
            if r < 1e-13 * max(1.0, np.max(np.abs(x))):
                return x
            try:
                x = x - np.linalg.solve(H, g)
            except np.linalg.LinAlgError:
                return None
    return None


def _float_minima(isotropy, x, k):
    """The smallest eigenvalue of each block at x, in float64 (None where it fails)."""
    try:
        return {b.irrep: float(generalized_eigh(b.A, b.B, "float")[0])
                for b in hessian_blocks(isotropy, list(x), k, system="float")}
    except (InputError, ArithmeticError, ValueError, np.linalg.LinAlgError):
        return None


def _float_scan(fam, grid, progress=None):
    """The family's point and its blocks' smallest eigenvalues at the k of ``grid``
    (ascending), in float64: natural continuation outwards from the seed, the step halved
    where Newton does not converge.  Returns ``{index: (x, minima)}`` for the k reached."""
    R = restricted_loss(fam.isotropy)
    seed = np.array([float(v) for v in fam.seed_point(30).xi])
    out = {}
    start = min(range(len(grid)), key=lambda i: abs(float(grid[i]) - float(fam.seed_k)))
    for direction in (1, -1):
        x, k_prev = seed, float(fam.seed_k)
        i = start if direction == 1 else start - 1
        while 0 <= i < len(grid):
            k_t = float(grid[i])
            k, ok = k_prev, True
            while k != k_t:                 # walk to k_t, halving where Newton fails
                step = k_t - k
                for _ in range(12):
                    w = np.array([float(v) for v in R.weights(k + step)])
                    xn = _float_newton(R, x, k + step, w)
                    if xn is not None and np.max(np.abs(xn - x)) < 0.1 * max(1, np.max(np.abs(x))):
                        break
                    step /= 2
                else:
                    ok = False
                    break
                x, k = xn, k + step
            if not ok:
                break
            m = _float_minima(fam.isotropy, x, k_t)
            if m is None:
                break
            out[i] = (x, m)
            if progress:
                progress(i)
            k_prev = k_t
            i += direction
    return out


def _eigenvalue_along(R, isotropy, irrep, xi, work):
    """λ(k): the smallest eigenvalue of block ``irrep`` at the critical point near ξ at k
    (mpmath; Newton from the last point), and the state holding that point."""
    state = {"x": list(xi)}
    cache = {}

    def lam(k):
        if k not in cache:
            res = newton_restricted(R, state["x"], k, maxsteps=30,
                                    tol=mpmath.mpf(10) ** (-(work - 5)))
            state["x"] = res.x
            cache[k] = block_minima(isotropy, res.x, k)[irrep]
        return cache[k]
    return lam, state


def thresholds(family: str | Family, k_max: Any = 40, k_min: Any = None, ratio: float = 1.04,
               dps: int = 30,
               progress: Callable[..., Any] | None = None) -> list[Threshold]:
    r"""All real k in ``[k_min, k_max]`` where the smallest eigenvalue of an isotypic block
    crosses zero along the family, each to ``dps`` digits (a list of :class:`Threshold`,
    ascending in k).

    Method: the family is followed in real k on a geometric grid (ratio ``ratio``) in
    float64 (natural continuation from the seed, Newton on the restricted gradient), with
    the smallest eigenvalue of every block at each grid point; in each interval where one
    changes sign, the crossing is located in float64 (Brent's method), then polished to
    ``dps`` digits by mpmath's Illinois method from a bracket of relative width 10^-9 around
    it (a few evaluations, each a Newton refinement of the point at k and the block
    eigenproblem).  The eigenvalues are analytic in k (Arjevani & Field 2020,
    arXiv:2008.01805), so a crossing is a simple root generically.  Crossings closer
    together than a grid step can be missed; a smaller ``ratio`` resolves them.

    Parameters
    ----------
    family : str or Family
    k_max, k_min : number
        The range scanned (k_min defaults to just above the block-size limit).
    ratio : float
        The grid ratio, in (1, 2).
    dps : int
        Digits of the crossings.
    progress : callable, optional
        Called with the index of each grid point reached.

    Returns
    -------
    list of Threshold

    >>> th = thresholds("type-A", k_max=7, dps=25)
    >>> [(t.irrep, t.before, t.after) for t in th]
    [('[k-2,1]', 'saddle', 'minimum')]
    """
    return _crossings(get_family(family), k_max, k_min, ratio, dps, progress)


def _crossings(fam, k_max, k_min, ratio, dps, progress, last_to_minimum=False):
    """:func:`thresholds`; with ``last_to_minimum``, only the crossings of the last grid
    interval where the family turns from a non-minimum into a minimum are polished (what
    :func:`threshold` returns is the last of them): the others cost as much each, and the
    classification on both sides comes from the float64 scan either way."""
    dps = check_dps(dps)
    dec_ = isotypic_decomposition(fam.isotropy)
    lo = float(k_min) if k_min is not None else float(max(fam.k_min, dec_.generic_k_min)) + 0.05
    if not lo > dec_.generic_k_min:
        raise InputError(f"the spectrum of Fix({dec_.H.label}) at real k needs k > "
                         f"{dec_.generic_k_min}; got k_min = {k_min}")
    if not float(k_max) <= K_MAX_SCAN:
        raise InputError(f"k_max is at most {K_MAX_SCAN:g} (the scan follows the family on a "
                         f"geometric grid; beyond, use the family's series), got "
                         f"{float(k_max):.3g}")
    if not float(k_max) > lo:
        raise InputError(f"k_max must exceed {lo}, got {k_max}")
    if not 1 < float(ratio) < 2:
        raise InputError(f"the grid ratio must lie in (1, 2), got {ratio}")
    grid = _scan_grid(lo, float(k_max), float(ratio))
    scan = _float_scan(fam, grid, progress)
    if not scan:
        raise ConvergenceError(f"family {fam.name} could not be followed to [{lo}, {k_max}]")
    log.info("thresholds of %s: followed at %d of %d grid points in [%s, %s]", fam.name,
             len(scan), len(grid), lo, k_max)
    R = restricted_loss(fam.isotropy)
    work = dps + 10
    out = []
    idx = sorted(scan)
    intervals = []                  # (i0, i1, blocks changing sign), ascending in k
    for i0, i1 in zip(idx, idx[1:]):
        if i1 != i0 + 1:
            continue
        m0, m1 = scan[i0][1], scan[i1][1]
        changing = [irrep for irrep in m0
                    if irrep in m1 and np.sign(m0[irrep]) != np.sign(m1[irrep])]
        if changing:
            intervals.append((i0, i1, changing))
    if last_to_minimum:
        turning = [iv for iv in intervals
                   if classify(scan[iv[1]][1], 1e-8) == "minimum"
                   and classify(scan[iv[0]][1], 1e-8) != "minimum"]
        intervals = turning[-1:] or intervals     # none: all, for the error message
    for i0, i1, changing in intervals:
        (x0, m0), m1 = scan[i0], scan[i1][1]
        for irrep in changing:
            kt, xt = _float_root(fam, irrep, grid[i0], grid[i1], x0)
            log.info("block %s of %s changes sign near k = %.10g: polishing to %d digits",
                     irrep, fam.name, kt, dps)
            with workdps(work):
                lam, state = _eigenvalue_along(R, fam.isotropy, irrep, list(xt), work)
                a, b = _bracket(lam, kt, grid[i0], grid[i1])
                try:
                    k_root = mpmath.findroot(lam, (a, b), solver="illinois", verify=False,
                                             tol=mpmath.mpf(10) ** (-(dps + 3)), maxsteps=100)
                except (ValueError, ZeroDivisionError) as exc:
                    raise ConvergenceError(f"threshold: no convergence in "
                                           f"[{mpmath.nstr(a, 10)}, {mpmath.nstr(b, 10)}] "
                                           f"({exc})") from None
                # dλ/dk from the tight bracket (relative width 1e-9 or more): 8 digits
                slope = (lam(b) - lam(a)) / (b - a)
                cp = refine(fam.isotropy, list(state["x"]), k_root, dps=dps, family=fam.name,
                            full_check=False)
            out.append(Threshold(fam.name, dec_.H.label, k_root, irrep,
                                 classify(m0, 1e-8), classify(m1, 1e-8), slope, cp, dps,
                                 (grid[i0], grid[i1])))
    out.sort(key=lambda t: t.k)
    with workdps(dps):
        for t in out:
            t.k, t.slope = +t.k, +t.slope
    return out




def _float_root(fam, irrep, a, b, x0):
    """The crossing of block ``irrep``'s smallest eigenvalue in (a, b) in float64 (Brent's
    method), and the point there."""
    from scipy.optimize import brentq
    R = restricted_loss(fam.isotropy)
    state = {"x": x0}

    def lam(k):
        w = np.array([float(v) for v in R.weights(k)])
        x = _float_newton(R, state["x"], k, w)
        if x is None:
            raise ConvergenceError(f"threshold: the point of {fam.name} is lost at k = {k:.6g}")
        state["x"] = x
        return _float_minima(fam.isotropy, x, k)[irrep]
    kt = brentq(lam, a, b, xtol=1e-13 * b, rtol=1e-13)
    lam(kt)
    return kt, state["x"]


def _bracket(lam, kt, a, b):
    """A bracket around the float crossing kt where λ changes sign at full precision:
    relative width 10^-9, widened (×100) until it does, at most to the grid interval."""
    kt = mpmath.mpf(kt)
    for width in (1e-9, 1e-7, 1e-5, 1e-3):
        lo = max(mpmath.mpf(a), kt * (1 - width))
        hi = min(mpmath.mpf(b), kt * (1 + width))
        if mpmath.sign(lam(lo)) != mpmath.sign(lam(hi)):
            return lo, hi
    return mpmath.mpf(a), mpmath.mpf(b)


def threshold(family: str | Family, k_max: Any = 40, dps: int = 30, ratio: float = 1.04,
              progress: Callable[..., Any] | None = None) -> Threshold:
    """The real k at which the family turns from saddle into minimum: the largest
    crossing in ``(k_min, k_max]`` after which it is a minimum (see :func:`thresholds`).
    Raises :class:`~symcrit.core.errors.ConvergenceError` when there is none in the range.

    >>> t = threshold("type-A", k_max=8, dps=25)
    >>> t.irrep, t.before, t.after, 5 < t.k < 6
    ('[k-2,1]', 'saddle', 'minimum', True)
    """
    fam = get_family(family)
    th = _crossings(fam, k_max, None, ratio, dps, progress, last_to_minimum=True)
    good = [t for t in th if t.after == "minimum" and t.before != "minimum"]
    if not good:
        what = ", ".join(f"{t.irrep} at k = {mpmath.nstr(t.k, 8)} ({t.before} -> {t.after})"
                         for t in th) or "no block changes sign"
        raise ConvergenceError(f"family {fam.name} does not turn from saddle into minimum "
                               f"for k up to {k_max} ({what})")
    return good[-1]
