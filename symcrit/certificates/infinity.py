r"""The certificate at k = ∞: one Krawczyk test for every :math:`\varepsilon = k^{-1/2}` in
:math:`[0, \varepsilon_0]`, hence for every k ≥ :math:`K = \varepsilon_0^{-2}` at once.

**The rescaled system** (:class:`symcrit.series.rescaled.RescaledSystem`; Arjevani & Field
2021, "Symmetry & critical points for a model shallow neural network", Physica D,
arXiv:2003.10576, who prove by the real-analytic implicit function theorem that such
families exist for all large k).  Along a family each coordinate tends to an integer
limit; with :math:`\xi_p = \xi_p^\infty + \varepsilon^{m_p}\eta_p` and each row of the
restricted gradient multiplied by :math:`\varepsilon^{-r_i}` (and some rows replaced by
rational combinations divided by a power of ε), the system :math:`F(\eta, \varepsilon)`
is analytic at ε = 0 with an invertible Jacobian there.  For ε > 0 its zeros are exactly
the critical points of :math:`L_H` at :math:`k = \varepsilon^{-2}` (the change of
variables and of rows is invertible).

**Why it is analytic, and what is proven.**  Written in ξ and k, the gradient is a sum of
terms of size :math:`k^2 = \varepsilon^{-4}` (pairs of nearly orthogonal rows, counted
:math:`\sim k^2` times) that cancel, and two functions are not analytic at the limit:

* the norms :math:`|w| = \sqrt{g_{ww}}` are analytic (the limits of the squared norms are
  positive integers);
* the angle of a pair that becomes parallel (or anti-parallel) at the limit, :math:`\theta
  = \arccos x` with x → 1: :math:`1 - x = \varepsilon^{2j}y(\eta,\varepsilon)` with
  :math:`y(\eta, 0) > 0` (the valuation is 2j, never odd), so
  :math:`\theta = 2\arcsin\sqrt{(1-x)/2} = 2\arcsin(\varepsilon^j\sqrt{y/2})` and
  :math:`\sin\theta = \varepsilon^j\sqrt{y(2 - \varepsilon^{2j}y)}` are analytic in ε —
  the :math:`\sqrt{2\delta}` of :math:`\arccos(-1+\delta)` is absorbed by the powers
  :math:`\varepsilon^{m_p}` of the rescaling.

Everything is evaluated in Taylor models in ε over :math:`[0, \varepsilon_0]`
(:mod:`.taylor`), whose coefficients carry their exact values as polynomials in the box
offsets over :math:`\mathbb{Q}[\pi, \pi^{-1}]` (:mod:`.exact`).  These *prove* that the
coefficients of :math:`\varepsilon^{j}`, j < 0, of F and of its Jacobian vanish for every
point of the box, and that :math:`1 - x` has valuation exactly 2j with a positive leading
coefficient; the enclosures of everything else are Arb balls with Lagrange remainders.
Nothing is dropped that is not proven zero.

**The piece** (:func:`check_infinity`): the box is :math:`\tilde\eta(\varepsilon) \pm r`,
:math:`\tilde\eta` the family's series truncated (:func:`infinity_centre`),
so that the Krawczyk test with the polynomial preconditioner of :mod:`.tubes` contracts
for all ε at once; the smooth-set check holds for ε > 0 (the pairs that become parallel
at ε = 0 have :math:`\varepsilon^{-2j}(g_{uu}g_{vv} - g_{uv}^2)` proven positive); every
isotypic block, scaled by :math:`\mathrm{diag}(\varepsilon^{s_i})` with :math:`s_i` half
the proven valuation of its diagonal (the eigenvalues that grow like k), is positive
definite on :math:`[0, \varepsilon_0]`; the multiplicities are positive for every k ≥ K.

>>> p = certify_infinity("hidden-D", 400)
>>> p.status, p.kind, str(p.k_lo), p.k_hi is None
('proved', 'infinity', '400', True)
"""
from __future__ import annotations

import time
from fractions import Fraction

import mpmath
from flint import arb

from ..core import ConvergenceError, InputError, SymcritError, dec, workdps
from ..critical import get_family
from ..series.rescaled import RescaledSystem
from ..spectra import isotypic_blocks
from .taylor import TaylorModelError, TaylorSystem
from .tubes import (Piece, krawczyk_tube, matrix_size, multiplicity_checks, positive_tube,
                    smooth_tube)

__all__ = ["ORDER_INF", "BLOCK_ORDER_INF", "EXACT_ORDER", "SERIES_ORDER", "DPS_INF", "rescaling",
           "infinity_centre", "check_infinity", "certify_infinity", "eps_range"]

#: Taylor-model order in ε
ORDER_INF = 16
#: Taylor-model order in ε of the isotypic blocks
BLOCK_ORDER_INF = 10
#: orders below which coefficients carry exact parts
EXACT_ORDER = 10
#: terms of the series that give the centre of the box
SERIES_ORDER = 10
#: working digits
DPS_INF = 30


def eps_range(k_inf):
    r"""The ball :math:`[0, \varepsilon_0] \supseteq [0, K^{-1/2}]` (ε₀ rounded up)."""
    K = Fraction(k_inf)
    e0 = (1 / arb(K.numerator) * K.denominator).sqrt().upper()
    return arb(e0 / 2, e0 / 2).union(arb(0)).union(e0)


def rescaling(family, dps=30):
    """The rescaled system of the family (:class:`~symcrit.series.rescaled.RescaledSystem`)
    and its data; raises ConvergenceError when the series layer cannot regularise it."""
    fam = get_family(family)
    with workdps(dps):
        rs = RescaledSystem(fam, dps)
    return rs, rs.to_data()


def infinity_centre(family, rs, order=SERIES_ORDER, dps=30):
    r"""The centre :math:`\tilde\eta(\varepsilon) = \sum_{j \le N}\eta_j\varepsilon^j` of the
    box at infinity: per unknown, the coefficients (decimal texts) of the family's series
    in ε, by Newton's method on polynomials in ε — :math:`\eta \leftarrow \eta -
    Y(\varepsilon)F(\eta(\varepsilon), \varepsilon)` truncated at degree N, Y the series
    inverse of the Jacobian along η (mpmath), F evaluated in Taylor models (whose
    coefficients are the exact Taylor coefficients, as balls) — from the leading
    coefficients :math:`\eta(0)` (:meth:`~symcrit.series.rescaled.RescaledSystem.leading`);
    each step doubles the number of correct orders.

    Raises
    ------
    ConvergenceError
        The iteration does not settle (the rescaling does not fit the family).
    """
    with workdps(dps):
        eta0, _ = rs.leading(dps)
        coeffs = [[mpmath.mpf(x)] + [mpmath.mpf(0)] * order for x in eta0]
        S = TaylorSystem(arb("0.005", "0.005"), order + 10, ndelta=0,
                         exact_order=EXACT_ORDER)
        n, done = rs.p, 1
        while True:
            X = [S.polynomial([Fraction(mpmath.nstr(c, dps + 5)) for c in row])
                 for row in coeffs]
            try:
                G, J = rs.residual(S, X, deriv=True)
                F = [g.drop_principal() for g in G]
                J = [[x.drop_principal() for x in row] for row in J]
            except TaylorModelError as exc:
                raise ConvergenceError(f"the series at infinity: {exc}") from None
            if min(f.p for f in F) <= order:
                raise ConvergenceError("the series at infinity: too few orders are known")
            Fc = [[mpmath.mpf(f.coefficient(j).mid().str(dps + 5, radius=False))
                   for j in range(order + 1)] for f in F]
            Jc = [[[mpmath.mpf(x.coefficient(j).mid().str(dps + 5, radius=False))
                    if j < x.p else mpmath.mpf(0) for j in range(order + 1)]
                   for x in row] for row in J]
            Y0 = mpmath.inverse(mpmath.matrix([[Jc[a][b][0] for b in range(n)]
                                               for a in range(n)]))
            Ys = [Y0]
            for m in range(1, order + 1):
                acc = mpmath.matrix(n, n)
                for i in range(1, m + 1):
                    Ji = mpmath.matrix([[Jc[a][b][i] for b in range(n)] for a in range(n)])
                    acc += Ji * Ys[m - i]
                Ys.append(-Y0 * acc)
            for m in range(order + 1):           # η ← η − (Y F) truncated at degree N
                step = mpmath.matrix(n, 1)
                for i in range(m + 1):
                    step += Ys[i] * mpmath.matrix([Fc[a][m - i] for a in range(n)])
                for a in range(n):
                    coeffs[a][m] -= step[a]
            if done > order:
                break
            done *= 2
        return [[dec(c, dps) for c in row] for row in coeffs]


def _system(rs, S):
    def system(X):
        G, J = rs.residual(S, list(X), deriv=True)
        return ([g.drop_principal() for g in G],
                [[x.drop_principal() for x in row] for row in J])
    return system


def _scaled_block(A, S):
    """diag(ε^s) A diag(ε^s), s_i = −v(A_ii)/2 (proven valuations), without principal
    parts."""
    n = len(A)
    s = []
    for i in range(n):
        v = A[i][i].valuation()
        if v % 2:
            raise TaylorModelError(f"a diagonal entry has odd valuation {v}")
        s.append(-v // 2)
    return [[A[i][j].shift(s[i] + s[j]).drop_principal() for j in range(n)]
            for i in range(n)]


def check_infinity(family, k_inf, rescale, center, radii, order=ORDER_INF,
                   exact_order=EXACT_ORDER, dps=DPS_INF, blocks=True):
    r"""Prove, for every ε in [0, K^{-1/2}] (every k ≥ K), a unique zero of the rescaled
    system in :math:`\tilde\eta(\varepsilon) \pm r`, off the non-smooth set for ε > 0, and
    every isotypic block positive definite.

    Parameters
    ----------
    family : str or Family
    k_inf : int
        K.
    rescale : dict
        The rescaling (:meth:`~symcrit.series.rescaled.RescaledSystem.to_data`).
    center : list of list of str
        Per unknown, the coefficients of :math:`\tilde\eta` in powers of ε.
    radii : list of str
    order, exact_order, dps : int
        Taylor-model order, exact orders, working digits.

    Returns
    -------
    Piece
    """
    t0 = time.perf_counter()
    fam = get_family(family)
    K = Fraction(k_inf)
    data = {"rescaling": rescale, "center": [list(c) for c in center],
            "radii": list(radii), "order": int(order), "exact_order": int(exact_order),
            "dps": int(dps), "eps0": dec(eps_range(K).upper(), 12)}
    piece = Piece("infinity", K, None, "unverified", "", data, {})
    rs = RescaledSystem.from_data(fam, rescale)
    if rs.p != len(rs.names):
        piece.reason = ("a coordinate is on its limit for every k: the rescaled system has "
                        "no row for it, so the certificate at infinity would miss it")
        return piece.timed(t0)
    if len(center) != rs.p or len(radii) != rs.p:
        raise InputError("the box at infinity has the wrong dimension")
    if K < fam.k_min:
        piece.reason = f"K = {K} is below the family's range"
        return piece.timed(t0)
    with workdps(dps):
        S = TaylorSystem(eps_range(K), order, ndelta=rs.p, exact_order=exact_order)
        X = [S.polynomial(c) for c in center]
        res = krawczyk_tube(_system(rs, S), X, radii, S)
        piece.facts["contraction"] = f"{res.contraction:.3g}"
        if not res.ok:
            piece.reason = res.reason
            return piece.timed(t0)
        box = [x + S.offset(i, arb(0, arb(r).upper())) for i, (x, r) in
               enumerate(zip(X, radii))]
        xi = rs.point(S, box)
        k = S.monomial(1, -2)
        try:
            ok, why, _ = smooth_tube(rs.R.pair_gram(xi, k, system=S), S)
        except (TaylorModelError, ZeroDivisionError, ValueError) as exc:
            ok, why = False, str(exc)
        if not ok:
            piece.reason = f"the box meets the non-smooth set for some ε > 0: {why}"
            return piece.timed(t0)
        if blocks:
            # the signs of the blocks need less accuracy than the Krawczyk test
            Sb = TaylorSystem(eps_range(K), min(order, BLOCK_ORDER_INF), ndelta=rs.p,
                              exact_order=exact_order)
            boxb = [Sb.polynomial(c) + Sb.offset(i, arb(0, arb(r).upper()))
                    for i, (c, r) in enumerate(zip(center, radii))]
            why = _blocks_at_infinity(fam, rs, rs.point(Sb, boxb), Sb.monomial(1, -2), Sb,
                                      K, piece)
            if why:
                piece.reason = why
                return piece.timed(t0)
    piece.status = "proved"
    return piece.timed(t0)


def _blocks_at_infinity(fam, rs, xi, k, S, K, piece):
    try:
        bl = isotypic_blocks(fam.isotropy, xi, k, S)
        why = multiplicity_checks(bl, K, None, matrix_size(rs.R), S, k)
        if why:
            return why
        signs = {}
        for blk in bl:
            n = blk.dimension
            A = _scaled_block([[blk.A[i][j] for j in range(n)] for i in range(n)], S)
            if not positive_tube(A, S):
                return (f"block {blk.irrep}: the scaled block is not proven positive "
                        "definite for every ε in [0, ε₀]")
            signs[blk.irrep] = "positive"
        piece.facts["blocks"] = signs
    except (TaylorModelError, SymcritError, ZeroDivisionError, ValueError) as exc:
        return f"the isotypic blocks cannot be bounded at infinity ({exc})"
    return ""


def certify_infinity(family, k_inf, order=ORDER_INF, exact_order=EXACT_ORDER,
                     series_order=SERIES_ORDER, dps=DPS_INF, rs=None, blocks=True):
    """Build the box at infinity — the rescaling, the centre from the series, radii from
    the Newton step (ε-inflated where the Krawczyk image sticks out) — and prove it
    (:func:`check_infinity`).

    Returns
    -------
    Piece
        ``unverified`` with the reason when the rescaled system cannot be built (e.g. a
        leading Jacobian that the series layer cannot regularise) or a test fails.
    """
    t0 = time.perf_counter()
    fam = get_family(family)
    K = Fraction(k_inf)
    try:
        if rs is None:
            rs, _ = rescaling(fam, dps)
        centre = infinity_centre(fam, rs, series_order, dps)
    except (ConvergenceError, InputError, SymcritError) as exc:
        return Piece("infinity", K, None, "unverified",
                     f"no rescaled system that is analytic at ε = 0: {exc}",
                     seconds=time.perf_counter() - t0)
    data = rs.to_data()
    floor = [mpmath.mpf(10) ** (-(dps - 10)) * max(1, abs(mpmath.mpf(c[0]))) for c in centre]
    with workdps(dps):
        S = TaylorSystem(eps_range(K), order, ndelta=rs.p, exact_order=exact_order)
        X = [S.polynomial(c) for c in centre]
        system = _system(rs, S)
        radii = [mpmath.nstr(f, 3) for f in floor]
        res = krawczyk_tube(system, X, radii, S)
        for _ in range(4):
            if res.ok or not res.step:
                break
            r = [max(4 * mpmath.mpf(s), f, 2 * mpmath.mpf(float(abs(Ki).upper())))
                 for s, f, Ki in zip(res.step, floor, res.K)]
            radii = [mpmath.nstr(x * mpmath.mpf("1.01"), 3) for x in r]
            res = krawczyk_tube(system, X, radii, S)
    piece = check_infinity(fam, K, data, centre, radii, order, exact_order, dps, blocks)
    piece.seconds = time.perf_counter() - t0
    return piece
