r"""Certificates for a whole interval of k at once: one Krawczyk test, one smooth-set check
and one sign per isotypic block that hold for *every* real k in [k₁, k₂], hence for every
integer k there.

k is written :math:`k = k_c + h t`, t ∈ [−1, 1], with :math:`k_c = (k_1 + k_2)/2` and
:math:`h = (k_2 - k_1)/2` exact rationals, and every quantity is a Taylor model in t
(:mod:`.taylor`): the restricted gradient and Hessian (:mod:`symcrit.restricted`), the
Gram entries of the pair types and the isotypic blocks
(:func:`symcrit.spectra.isotypic_blocks`) evaluate in it unchanged.  The box moves with
k: its centre is a polynomial :math:`\tilde\xi(t)`, the interpolant of refined points of
the family at the Chebyshev nodes of the interval, so that wide intervals still
contract (:func:`interval_centre`).  Then (:func:`check_interval`):

1. **existence and uniqueness** for every k: Krawczyk's test on the tube
   :math:`\tilde\xi(t) + [-r, r]` with a polynomial preconditioner
   (:func:`~.tubes.krawczyk_tube`);
2. **off the non-smooth set** for every k (:func:`~.tubes.smooth_tube`);
3. **the type**: every multiplicity is a positive integer at every integer k of the
   interval, the blocks cover M(k, k) identically in k, and every block is positive
   definite on the tube, with a lower bound of its smallest eigenvalue
   (:func:`~.tubes.positive_tube`).

Together with symmetric criticality (:mod:`.krawczyk`) this proves: for every integer k in
[k₁, k₂], Fix(H) contains exactly one critical point of L in the box, and it is a strict
local minimum of L on M(k, k).  :func:`cover_interval` chains such pieces, bisecting where
a test fails and growing the interval where it passes easily.

>>> p = certify_interval("type-A", 8, 9)
>>> p.status, p.kind, str(p.k_lo), str(p.k_hi)
('proved', 'interval', '8', '9')
>>> check_interval("type-A", 8, 9, p.data["center"], p.data["radii"]).status
'proved'
"""
from __future__ import annotations

import time
from fractions import Fraction

import mpmath
import numpy as np
from flint import arb

from ..core import (ConvergenceError, InputError, SymcritError, dec, generalized_eigh,
                    k_key, lagrange_weights, workdps)
from ..critical import get_family, newton_restricted
from ..restricted import restricted_loss
from ..spectra import isotypic_blocks
from ..symmetry import isotypic_decomposition
from .taylor import TaylorModelError, TaylorSystem
from .tubes import (Piece, krawczyk_tube, matrix_size, multiplicity_checks, positive_tube,
                    smooth_tube)

__all__ = ["ORDER", "BLOCK_ORDER", "DEGREE", "DPS", "MAX_RATIO", "Anchors", "tube_variable",
           "interval_centre", "check_interval",
           "certify_interval", "cover_interval", "block_signs"]

#: Taylor-model order in t (k = k_c + h t, t ∈ [−1, 1])
ORDER = 12
#: Taylor-model order of the isotypic blocks
BLOCK_ORDER = 10
#: degree of the centre polynomial
DEGREE = 10
#: working digits of an interval certificate
DPS = 30


def tube_variable(k_lo, k_hi):
    """``(k_c, h)``: the centre and half-width of [k_lo, k_hi] (exact)."""
    lo, hi = Fraction(k_lo), Fraction(k_hi)
    if not hi > lo:
        raise InputError(f"an interval of k needs k_lo < k_hi, got [{lo}, {hi}]")
    return (lo + hi) / 2, (hi - lo) / 2


class Anchors:
    """Refined points of a family that predict its point at a new k: Lagrange interpolation
    through the (up to four) nearest points of a grid followed once by continuation
    (well spread, so that the interpolation is stable), then Newton's method with a line
    search; where that fails, continuation from the family's seed."""

    def __init__(self, fam, R, dps):
        self.fam, self.R, self.dps = fam, R, dps
        self.points = []                     # the grid: (k as Fraction, [mpf])

    def seed(self, ks):
        """Follow the family once through the values ``ks`` (a continuation)."""
        with workdps(self.dps):
            mks = [mpmath.mpf(Fraction(k).numerator) / Fraction(k).denominator for k in ks]
            found, _ = self.fam.follow(mks, dps=self.dps)
            for k, mk in zip(ks, mks):
                p = found.get(k_key(mk))
                if p is not None:
                    self.add(Fraction(k), list(p.xi))

    def add(self, k, xi):
        self.points.append((Fraction(k), list(xi)))
        self.points.sort(key=lambda p: p[0])

    def _from_seed(self, k):
        cp = self.fam.point(mpmath.mpf(k.numerator) / k.denominator, dps=self.dps,
                            full_check=False)
        self.add(k, cp.xi)
        return list(cp.xi)

    def point(self, k):
        """The refined point at k (mpf list)."""
        k = Fraction(k)
        if not self.points:
            return self._from_seed(k)
        near = sorted(self.points, key=lambda p: abs(p[0] - k))[:4]
        ws = lagrange_weights([p[0] for p in near], k)
        x0 = [mpmath.fsum(w * p[1][i] for w, p in zip(ws, near))
              for i in range(len(near[0][1]))]
        kk = mpmath.mpf(k.numerator) / k.denominator
        try:
            res = newton_restricted(self.R, x0, kk, maxsteps=40, line_search=True,
                                    tol=mpmath.mpf(10) ** (-(self.dps - 6)))
        except ConvergenceError:
            return self._from_seed(k)
        return list(res.x)


def interval_centre(fam, k_lo, k_hi, degree=DEGREE, dps=DPS, anchors=None):
    """The centre of the tube: per coordinate, the coefficients (decimal texts) of the
    polynomial in t that interpolates the family's refined points at the ``degree + 1``
    Chebyshev nodes of [k_lo, k_hi].

    Raises
    ------
    ConvergenceError
        The family cannot be refined at a node.
    """
    fam = get_family(fam)
    R = restricted_loss(fam.isotropy)
    kc, h = tube_variable(k_lo, k_hi)
    if anchors is None:
        anchors = Anchors(fam, R, dps + 10)
        a = max(kc - h * Fraction(6, 5), Fraction(fam.k_min) + Fraction(1, 100))
        b = kc + h * Fraction(6, 5)
        try:
            anchors.seed([a + (b - a) * Fraction(j, 5) for j in range(6)])
        except (ConvergenceError, InputError):
            pass                                  # each node from the seed, then
    with workdps(dps + 10):
        ts = [mpmath.cos(mpmath.pi * (j + mpmath.mpf(1) / 2) / (degree + 1))
              for j in range(degree + 1)]
        pts = []
        for t in ts:
            kq = kc + h * Fraction(mpmath.nstr(t, dps + 8))
            pts.append(anchors.point(kq))
        V = mpmath.matrix([[t ** m for m in range(degree + 1)] for t in ts])
        out = []
        for i in range(len(pts[0])):
            c = mpmath.lu_solve(V, mpmath.matrix([p[i] for p in pts]))
            out.append([dec(c[m], dps) for m in range(degree + 1)])
    return out


def _system(R, k, S):
    def system(X):
        _, g, H = R.evaluate(list(X), k, system=S, order=2)
        n = len(X)
        return list(g), [[H[i, j] for j in range(n)] for i in range(n)]
    return system


def block_signs(blocks, S):
    """Per isotypic block (Taylor-model matrices over a tube): positive definite, and a
    proven lower bound of its smallest eigenvalue.

    Returns
    -------
    bounds : dict
        irrep → lower bound (decimal text) of the smallest generalised eigenvalue.
    reason : str
        "" when every block is proven positive definite.
    """
    bounds = {}
    for blk in blocks:
        n = blk.dimension
        A = [[blk.A[i][j] for j in range(n)] for i in range(n)]
        B = [[blk.B[i][j] for j in range(n)] for i in range(n)]
        if not positive_tube(A, S, B, 0):
            return bounds, (f"block {blk.irrep}: positive definiteness is not proven over the "
                            "whole piece")
        lam = _lambda0(A, B)
        bounds[blk.irrep] = "0"
        for f in ("0.9", "0.5"):
            sigma = Fraction(mpmath.nstr(lam * mpmath.mpf(f), 3)) if lam > 0 else None
            if sigma and sigma > 0 and positive_tube(A, S, B, sigma):
                bounds[blk.irrep] = _frac_text(sigma)
                break
    return bounds, ""


def _lambda0(A, B):
    """The smallest eigenvalue of the midpoint pencil at t = 0 (floating; a guess for the
    shift σ that :func:`~.tubes.positive_tube` then proves or not)."""
    n = len(A)
    m = lambda M: np.array([[float(M[i][j].coefficient(0).mid()) if M[i][j].p > 0 else 0.0
                             for j in range(n)] for i in range(n)])
    try:
        return mpmath.mpf(float(generalized_eigh(m(A), m(B), "float")[0]))
    except (np.linalg.LinAlgError, InputError, ValueError):
        return mpmath.mpf(0)


def _frac_text(q):
    return mpmath.nstr(mpmath.mpf(q.numerator) / q.denominator, 6)


def check_interval(family, k_lo, k_hi, center, radii, order=ORDER, dps=DPS, blocks=True):
    r"""Prove, for every k in [k_lo, k_hi], what a certificate proves at one k, on the tube
    with the given centre (polynomials in :math:`t = (k - k_c)/h`) and radii.

    Parameters
    ----------
    family : str or Family
    k_lo, k_hi : int, Fraction or str
    center : list of list of str
        Per coordinate, the coefficients of :math:`\tilde\xi(t)` (decimal texts).
    radii : list of str
    order : int
        The Taylor-model order in t.
    dps : int
        Working digits of the balls.
    blocks : bool
        Also prove the type.

    Returns
    -------
    Piece
        ``proved`` when everything holds; else ``unverified`` with the first reason.
    """
    t0 = time.perf_counter()
    fam = get_family(family)
    R = restricted_loss(fam.isotropy)
    lo, hi = Fraction(k_lo), Fraction(k_hi)
    kc, h = tube_variable(lo, hi)
    data = {"center": [list(c) for c in center], "radii": list(radii), "order": int(order),
            "dps": int(dps)}
    piece = Piece("interval", lo, hi, "unverified", "", data, {})
    dec_ = isotypic_decomposition(fam.isotropy)
    if lo < fam.k_min or not lo > dec_.generic_k_min:
        piece.reason = (f"k_lo = {lo} is below the family's range (k > "
                        f"{max(fam.k_min, dec_.generic_k_min)})")
        return piece
    if len(center) != len(R.symbols) or len(radii) != len(R.symbols):
        raise InputError(f"the tube has the wrong dimension for Fix({R.H.label})")
    with workdps(dps):
        S = TaylorSystem(arb(0, 1), order)
        k = kc + S.variable() * h
        X = [S.polynomial(c) for c in center]
        res = krawczyk_tube(_system(R, k, S), X, radii, S)
        piece.facts["contraction"] = f"{res.contraction:.3g}"
        if not res.ok:
            piece.reason = res.reason
            return piece.timed(t0)
        box = [x + S.offset(i, arb(0, arb(r).upper())) for i, (x, r) in
               enumerate(zip(X, radii))]
        try:
            ok, why, margin = smooth_tube(R.pair_gram(box, k, system=S), S)
        except (TaylorModelError, ZeroDivisionError, ValueError) as exc:
            ok, why, margin = False, str(exc), None
        if not ok:
            piece.reason = f"the tube meets the non-smooth set: {why}"
            return piece.timed(t0)
        if margin is not None:
            piece.facts["smooth_margin"] = dec(margin, 3)
        if blocks:
            try:
                # the blocks need less accuracy than the Krawczyk test: a lower order
                Sb = TaylorSystem(arb(0, 1), min(order, BLOCK_ORDER))
                kb = kc + Sb.variable() * h
                boxb = [Sb.polynomial(c) + Sb.offset(i, arb(0, arb(r).upper()))
                        for i, (c, r) in enumerate(zip(center, radii))]
                bl = isotypic_blocks(fam.isotropy, boxb, kb, Sb)
                why = multiplicity_checks(bl, lo, hi, matrix_size(R), Sb, kb)
                bounds = {}
                if not why:
                    bounds, why = block_signs(bl, Sb)
            except (TaylorModelError, SymcritError, ZeroDivisionError, ValueError) as exc:
                why = f"the isotypic blocks cannot be bounded over the piece ({exc})"
            piece.facts["lambda_min_lower"] = bounds
            if why:
                piece.reason = why
                return piece.timed(t0)
    piece.status = "proved"
    return piece.timed(t0)


def certify_interval(family, k_lo, k_hi, order=ORDER, degree=DEGREE, dps=DPS, anchors=None,
                     blocks=True):
    """Build the tube for [k_lo, k_hi] — the centre by interpolation
    (:func:`interval_centre`), radii from the Newton step along it, widened where the
    Krawczyk image sticks out (ε-inflation, Rump 2010) — and prove it
    (:func:`check_interval`).

    Returns
    -------
    Piece
    """
    t0 = time.perf_counter()
    fam = get_family(family)
    R = restricted_loss(fam.isotropy)
    try:
        centre = interval_centre(fam, k_lo, k_hi, degree, dps, anchors)
    except (ConvergenceError, SymcritError, ZeroDivisionError) as exc:
        return Piece("interval", Fraction(k_lo), Fraction(k_hi), "unverified",
                     f"the family cannot be followed over the interval ({exc})",
                     seconds=time.perf_counter() - t0)
    kc, h = tube_variable(k_lo, k_hi)
    scale = [max(abs(mpmath.mpf(c[0])), mpmath.mpf(10) ** -6) for c in centre]
    floor = [mpmath.mpf(10) ** (-(dps - 8)) * s for s in scale]
    with workdps(dps):
        S = TaylorSystem(arb(0, 1), order)
        k = kc + S.variable() * h
        X = [S.polynomial(c) for c in centre]
        system = _system(R, k, S)
        radii = [mpmath.nstr(f, 3) for f in floor]
        cache = {}
        res = krawczyk_tube(system, X, radii, S, cache=cache)
        for _ in range(4):
            if res.ok or not res.step:
                break
            r = [max(4 * mpmath.mpf(s), f, 2 * mpmath.mpf(float(abs(Ki).upper())))
                 for s, f, Ki in zip(res.step, floor, res.K)]
            radii = [mpmath.nstr(x * mpmath.mpf("1.01"), 3) for x in r]
            res = krawczyk_tube(system, X, radii, S, cache=cache)
    piece = check_interval(fam, k_lo, k_hi, centre, radii, order, dps, blocks)
    piece.seconds = time.perf_counter() - t0
    return piece


#: the widest piece: k_hi/k_lo at most this (at large k the angles of nearly parallel
#: pairs, ~1/k, change too much across wider pieces for their Taylor models in k)
MAX_RATIO = Fraction(5, 3)


def _snap(lo, w, top):
    hi = min(lo + w, lo * MAX_RATIO)
    if hi - lo >= 1:
        hi = Fraction(int(hi))
    return min(hi, Fraction(top))


def cover_interval(family, k_from, k_to, order=ORDER, degree=DEGREE, dps=DPS,
                   progress=None, width=None, min_width=Fraction(1, 64), anchors=None):
    """Pieces covering [k_from, k_to] without gaps (each ``k_hi`` is the next ``k_lo``):
    an interval that fails is bisected (down to ``min_width``, then recorded as
    ``unverified`` with its reason and passed over); one that passes easily (contraction
    below 0.2) makes the next one twice as wide.

    Parameters
    ----------
    family : str or Family
    k_from, k_to : int or Fraction
    width : Fraction, optional
        The first width (default: k_from/8, at least 1/4).
    progress : callable, optional
        Called with each piece.

    Returns
    -------
    list of Piece
    """
    fam = get_family(family)
    R = restricted_loss(fam.isotropy)
    lo, top = Fraction(k_from), Fraction(k_to)
    w = Fraction(width) if width is not None else max(Fraction(1, 4),
                                                      Fraction(int(lo * 8 / 64), 8))
    if anchors is None:
        anchors = Anchors(fam, R, dps + 10)
        grid, k = [], float(lo)
        while k < float(top) * 1.1:
            grid.append(Fraction(k).limit_denominator(1000))
            k *= 1.1
        grid.append(top)
        try:
            anchors.seed(grid)
        except (ConvergenceError, SymcritError):
            pass
    out = []
    while lo < top:
        hi = _snap(lo, w, top)
        piece = certify_interval(fam, lo, hi, order, degree, dps, anchors)
        if piece.proved:
            out.append(piece)
            if progress:
                progress(piece)
            lo = hi
            c = float(piece.facts.get("contraction", "1"))
            w = w * 2 if c < 0.2 else w * Fraction(5, 4)
            continue
        if w / 2 >= min_width:
            w = w / 2
            continue
        out.append(piece)                    # record the failure, and go on
        if progress:
            progress(piece)
        lo = hi
    return out
