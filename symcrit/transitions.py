r"""Where a family changes type: the real k at which an eigenvalue of the Hessian crosses 0.

Along a family of critical points the eigenvalues of each isotypic block are analytic
functions of the real parameter k (Arjevani & Field 2020, "Analytic characterization of the
Hessian in shallow ReLU models: a tale of symmetry", NeurIPS, arXiv:2008.01805); where the
smallest eigenvalue of a block crosses zero the family turns, for instance, from saddle into
minimum: the "fractional dimension" thresholds.

Method: the family is followed in real k on a geometric grid (one continuation,
:meth:`symcrit.critical.Family.follow`); in each grid interval where a block's smallest
eigenvalue :math:`\lambda(k)` changes sign, :math:`\lambda(k) = 0` is solved by mpmath's
Illinois method (:func:`mpmath.findroot`, which keeps the bracket), each evaluation being a
Newton refinement of the critical point at k followed by the block eigenproblem.

>>> t = threshold("type-A", k_max=8, dps=25)
>>> t.irrep, t.before, t.after, 5 < t.k < 6
('[k-2,1]', 'saddle', 'minimum', True)
"""
from __future__ import annotations

from dataclasses import dataclass

import mpmath

from .core import ConvergenceError, InputError, dec, k_key, workdps
from .critical import get_family, newton_restricted, refine
from .restricted import restricted_loss
from .spectra import block_minima, classify
from .symmetry import isotypic_decomposition

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


def _scan_grid(lo, hi, ratio):
    out, k = [], lo
    while k < hi:
        out.append(k)
        k *= ratio
    out.append(hi)
    return out


def _eigenvalue_along(R, isotropy, irrep, xi, work, known):
    """λ(k): the smallest eigenvalue of block ``irrep`` at the critical point near ξ at k
    (Newton from the last point; the values ``known`` at the bracket's ends are reused),
    and the state holding that point."""
    state = {"x": list(xi)}

    def lam(k):
        if k in known:
            return known[k]
        res = newton_restricted(R, state["x"], k, maxsteps=30,
                                tol=mpmath.mpf(10) ** (-(work - 5)))
        state["x"] = res.x
        return block_minima(isotropy, res.x, k)[irrep]
    return lam, state


def thresholds(family, k_max=40, k_min=None, ratio=1.04, dps=30, progress=None):
    r"""All real k in ``[k_min, k_max]`` where the smallest eigenvalue of an isotypic block
    crosses zero along the family, each to ``dps`` digits (a list of :class:`Threshold`,
    ascending in k).

    Method: the family is followed in real k on a geometric grid (ratio ``ratio``); in
    each grid interval where a block's smallest eigenvalue :math:`\lambda(k)` changes sign,
    :math:`\lambda(k) = 0` is solved by the Illinois (regula falsi) method, each evaluation
    being a Newton refinement of the critical point at k followed by the block
    eigenproblem (Arjevani & Field 2020 show the eigenvalues are analytic in k, so the
    crossing is a simple root generically).  Crossings closer together than a grid step
    can be missed; a smaller ``ratio`` resolves them.

    >>> th = thresholds("type-A", k_max=7, dps=25)
    >>> [(t.irrep, t.before, t.after, mpmath.nstr(t.k, 6)) for t in th]     # doctest: +SKIP
    """
    fam = get_family(family)
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
    grid = [mpmath.mpf(x) for x in _scan_grid(lo, float(k_max), float(ratio))]
    found, lost = fam.follow(grid, dps=dps)
    pts = [found[k_key(k)] for k in grid if k_key(k) in found]
    if not pts:
        raise ConvergenceError(f"family {fam.name} could not be followed to "
                               f"[{lo}, {k_max}]: {'; '.join(lost)}")
    R = restricted_loss(fam.isotropy)
    work = int(dps) + 10
    tol = mpmath.mpf(10) ** (-(int(dps) // 2))
    out = []
    with workdps(work):
        mins = []
        for p in pts:
            mins.append(block_minima(fam.isotropy, p.xi, p.k))
            if progress:
                progress(p)
        for i in range(len(pts) - 1):
            m0, m1 = mins[i], mins[i + 1]
            for irrep in m0:
                if mpmath.sign(m0[irrep]) == mpmath.sign(m1[irrep]):
                    continue
                a, b = mpmath.mpf(pts[i].k), mpmath.mpf(pts[i + 1].k)
                lam, state = _eigenvalue_along(R, fam.isotropy, irrep, pts[i].xi, work,
                                               {a: m0[irrep], b: m1[irrep]})
                try:
                    kt = mpmath.findroot(lam, (a, b), solver="illinois", verify=False,
                                         tol=mpmath.mpf(10) ** (-(int(dps) + 3)),
                                         maxsteps=100)
                except (ValueError, ZeroDivisionError) as exc:
                    raise ConvergenceError(f"threshold: no convergence in [{mpmath.nstr(a, 10)}"
                                           f", {mpmath.nstr(b, 10)}] ({exc})") from None
                h = mpmath.mpf(10) ** (-(int(dps) // 3))
                slope = (lam(kt + h) - lam(kt - h)) / (2 * h)
                lam(kt)
                cp = refine(fam.isotropy, list(state["x"]), kt, dps=dps, family=fam.name,
                            full_check=False)
                out.append(Threshold(fam.name, dec_.H.label, +kt, irrep,
                                     classify(m0, tol), classify(m1, tol), +slope, cp,
                                     int(dps), (pts[i].k, pts[i + 1].k)))
    out.sort(key=lambda t: t.k)
    with workdps(int(dps)):
        for t in out:
            t.k = +t.k
    return out


def threshold(family, k_max=40, dps=30, ratio=1.04, progress=None):
    """The real k at which the family turns from saddle into minimum: the largest
    crossing in ``(k_min, k_max]`` after which it is a minimum (see :func:`thresholds`).
    Raises :class:`~symcrit.core.errors.ConvergenceError` when there is none in the range.

    >>> t = threshold("type-A", k_max=8, dps=25)
    >>> t.irrep, t.before, t.after, 5 < t.k < 6
    ('[k-2,1]', 'saddle', 'minimum', True)
    """
    fam = get_family(family)
    th = thresholds(fam, k_max=k_max, dps=dps, ratio=ratio, progress=progress)
    good = [t for t in th if t.after == "minimum" and t.before != "minimum"]
    if not good:
        what = ", ".join(f"{t.irrep} at k = {mpmath.nstr(t.k, 8)} ({t.before} -> {t.after})"
                         for t in th) or "no block changes sign"
        raise ConvergenceError(f"family {fam.name} does not turn from saddle into minimum "
                               f"for k up to {k_max} ({what})")
    return good[-1]
