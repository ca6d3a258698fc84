r"""Boxes that move with k: the Krawczyk test, the smooth-set check and the signs of the
isotypic blocks, each proven for *every* value of a parameter in an interval at once.

A piece of an all-k proof (:mod:`.intervals`, :mod:`.infinity`) writes its unknowns as
:math:`x = \tilde x(t) + \delta`, with the centre :math:`\tilde x` a polynomial in a
parameter t ranging over an interval T (an affine image of an interval of k, or
:math:`\varepsilon = k^{-1/2} \in [0, \varepsilon_0]`), and :math:`\delta \in [-r, r]`.
Everything is evaluated in Taylor models in t (:mod:`.taylor`), so that quantities which
cancel along the family cancel coefficient by coefficient instead of adding the widths
of their terms.

**Krawczyk on a tube** (Krawczyk 1969, doi:10.1007/BF02234758; Rump 2010, Acta Numerica
19, doi:10.1017/S096249291000005X).  With F(x, t) the system and J its Jacobian in x, for
each fixed t and any matrix Y(t),

.. math::

    K(t) = -Y(t) F(\tilde x(t), t) + \bigl(I - Y(t) J(\tilde x(t) + [-r, r], t)\bigr)[-r, r]
    \subset (-r, r)

proves exactly one zero of :math:`F(\cdot, t)` in :math:`\tilde x(t) + [-r, r]`.  Y(t) is a
polynomial in t, the truncated series inverse of the Jacobian along the centre
(:func:`series_inverse`), so that :math:`I - YJ` is small over the whole of T; the Taylor
models of :math:`YF` and :math:`I - YJ` are bounded over T (and the box) at the end
(:func:`krawczyk_tube`).  One test then holds for every t in T.

**Positive definiteness** of a pencil of symmetric Taylor-model matrices (A(t), B(t)):
with L(t) the Cholesky factor of B(t) (in Taylor models), :math:`C = L^{-1}AL^{-\top}`,
and W the orthogonal eigenbasis of C at t = 0 (floating, exact as balls), the congruence
:math:`W^\top (C(t) - \sigma I) W` is formed in Taylor models and bounded over T; if every
pivot of its :math:`LDL^\top` factorisation is proven positive
(:func:`~.inertia.negative_pivots`), every generalised eigenvalue of (A(t), B(t)) exceeds
σ for every t (Sylvester's law of inertia) (:func:`positive_tube`).

>>> from flint import arb
>>> from .taylor import TaylorSystem
>>> S = TaylorSystem(arb(0, 1), order=6)          # k = 2 + t/2 for t ∈ [−1, 1]
>>> t = S.variable()
>>> k = 2 + t * Fraction(1, 2)
>>> x = [S.polynomial(["0.7071", "-0.0884"])]     # ≈ k^(-1/2)
>>> F = lambda X: ([X[0] * X[0] - 1 / k], [[2 * X[0]]])
>>> res = krawczyk_tube(F, x, ["0.05"], S)       # x² = 1/k: one zero in the tube
>>> res.ok, res.contraction < 0.5
(True, True)
"""
from __future__ import annotations

import time

import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
from flint import arb, arb_mat

from ..algebra import polyval
from ..symmetry import K
from .inertia import negative_pivots
from .taylor import TaylorModelError

__all__ = ["TubeResult", "krawczyk_tube", "series_inverse", "positive_tube",
           "smooth_tube", "multiplicity_checks", "matrix_size", "Piece", "k_exact_text"]


@dataclass
class TubeResult:
    """The outcome of a Krawczyk test on a tube.

    Attributes
    ----------
    ok : bool
        K(t) lies strictly inside the box for every t.
    K : list of arb
        Enclosures of the Krawczyk image (offsets from the centre), over all t.
    contraction : float
        An upper bound of :math:`\\|I - YJ\\|_\\infty` over the tube.
    step : list of float
        Upper bounds of :math:`|Y F|` per coordinate over T.
    reason : str
        Why the test failed ("" when ``ok``).
    """
    ok: bool
    K: list
    contraction: float
    step: list
    reason: str = ""


def _mid(x):
    return float(x.mid()) if x.is_finite() else math.nan


def series_inverse(J, S, order):
    r"""A polynomial matrix Y(t) of degree < ``order`` with :math:`Y(t)J(t) = I +
    O(t^{order})` for the midpoints of the Taylor models J (the truncated series inverse:
    :math:`Y_0 = J_0^{-1}`, :math:`Y_n = -Y_0\sum_{i=1}^{n} J_i Y_{n-i}`), as exact models.
    Any Y is valid in Krawczyk's test; this one makes :math:`I - YJ` small for all t.

    Raises
    ------
    TaylorModelError
        The Jacobian at t = 0 is singular.
    """
    n = len(J)
    coeffs = []
    for j in range(order):
        M = np.zeros((n, n))
        for a in range(n):
            for b in range(n):
                x = J[a][b]
                M[a, b] = _mid(x.coefficient(j)) if j < x.p else 0.0
        coeffs.append(M)
    try:
        Y0 = np.linalg.inv(coeffs[0])
    except np.linalg.LinAlgError:
        raise TaylorModelError("the Jacobian along the centre is singular at t = 0") from None
    if not np.all(np.isfinite(Y0)):
        raise TaylorModelError("the Jacobian along the centre is not finite at t = 0")
    Ys = [Y0]
    for m in range(1, order):
        acc = sum((coeffs[i] @ Ys[m - i] for i in range(1, m + 1)), np.zeros((n, n)))
        Ys.append(-Y0 @ acc)
    out = [[S.convert(0) for _ in range(n)] for _ in range(n)]
    for a in range(n):
        for b in range(n):
            tot = S.convert(0)
            for m, Ym in enumerate(Ys):
                if Ym[a, b] != 0.0 and math.isfinite(Ym[a, b]):
                    tot = tot + S.convert(arb(float(Ym[a, b]))).shift(m)
            out[a][b] = tot
    return out


def krawczyk_tube(system, centre, radii, S, y_order=None, cache=None):
    r"""The Krawczyk test on the tube :math:`\tilde x(t) + [-r, r]`, t ∈ T.

    Parameters
    ----------
    system : callable
        ``system(X)`` returns ``(F, J)``: lists of Taylor models of the system and its
        Jacobian at the models X (without principal parts).
    centre : list of TaylorModel
        :math:`\tilde x(t)`.
    radii : list
        Decimal strings or balls.
    S : TaylorSystem
    y_order : int, optional
        The degree + 1 of Y(t) (default: the system's order).
    cache : dict, optional
        Keeps the evaluation along the centre and Y(t) between calls with the same centre
        (radii being tried in turn).

    Returns
    -------
    TubeResult
    """
    n = len(centre)
    r = [arb(x) if not isinstance(x, arb) else x for x in radii]
    try:
        if cache is not None and "Y" in cache:
            Fc, Y = cache["F"], cache["Y"]
        else:
            Fc, Jc = system(centre)
            Y = series_inverse(Jc, S, y_order or S.order)
            if cache is not None:
                cache.update(F=Fc, Y=Y)
        X = [c + S.offset(i, arb(0, ri.upper())) for i, (c, ri) in enumerate(zip(centre, r))]
        _, JX = system(X)
        YF = [S.range(sum((Y[a][b] * Fc[b] for b in range(n)), S.convert(0)))
              for a in range(n)]
        M = [[S.range((1 if a == b else 0) - sum((Y[a][c] * JX[c][b] for c in range(n)),
                                                 S.convert(0)))
              for b in range(n)] for a in range(n)]
    except (TaylorModelError, ZeroDivisionError, ValueError) as exc:
        return TubeResult(False, [], math.inf, [], f"the tube cannot be evaluated ({exc})")
    D = [arb(0, ri.upper()) for ri in r]
    Kx = [-YF[a] + sum((M[a][b] * D[b] for b in range(n)), arb(0)) for a in range(n)]
    contraction = max(sum(float(abs(M[a][b]).upper()) for b in range(n)) for a in range(n))
    step = [float(abs(y).upper()) for y in YF]
    bad = [a for a in range(n) if not (bool(Kx[a] > -r[a]) and bool(Kx[a] < r[a]))]
    if not bad:
        return TubeResult(True, Kx, contraction, step)
    a = bad[0]
    why = (f"‖I − YJ‖ ≤ {contraction:.3g}" if contraction < 1 else
           f"‖I − YJ‖ ≥ {contraction:.3g}: the box or the interval is too wide")
    return TubeResult(False, Kx, contraction, step,
                      f"Krawczyk test failed in coordinate {a} (|YF| ≤ {step[a]:.3g}, radius "
                      f"{float(r[a].upper()):.3g}; {why})")


def _mid_matrix(A):
    n = len(A)
    return np.array([[_mid(A[i][j].coefficient(0)) if A[i][j].p > 0 else 0.0
                      for j in range(n)] for i in range(n)])


def _cholesky_inverse(B, S):
    """L⁻¹ for the Cholesky factor L of the symmetric models B (B = L Lᵀ), in Taylor
    models; the pivots must be proven positive."""
    n = len(B)
    L = [[None] * n for _ in range(n)]
    for j in range(n):
        s = B[j][j] - sum((L[j][p] * L[j][p] for p in range(j)), S.convert(0))
        L[j][j] = s.sqrt()
        inv = 1 / L[j][j]
        for i in range(j + 1, n):
            L[i][j] = (B[i][j] - sum((L[i][p] * L[j][p] for p in range(j)),
                                     S.convert(0))) * inv
    Li = [[S.convert(0)] * n for _ in range(n)]
    for i in range(n):                      # forward substitution, column by column
        Li[i][i] = 1 / L[i][i]
        for j in range(i):
            Li[i][j] = -sum((L[i][p] * Li[p][j] for p in range(j, i)),
                            S.convert(0)) * Li[i][i]
    return Li


def _congruence(W, M, S):
    """Wᵀ M W for a matrix of models M and a numeric (or model) matrix W (lists)."""
    n, m = len(M), len(W[0])
    MW = [[sum((M[i][k] * W[k][j] for k in range(n) if W[k][j] is not None),
               S.convert(0)) for j in range(m)] for i in range(n)]
    return [[sum((W[k][i] * MW[k][j] for k in range(n) if W[k][i] is not None),
                 S.convert(0)) for j in range(m)] for i in range(m)]


def positive_tube(A, S, B=None, sigma=0):
    r"""Prove that the symmetric matrix of Taylor models A(t) − σB(t) is positive definite
    for every t in T (and every point of the box the models enclose).

    With B: :math:`C = L^{-1} A L^{-\top}` for the Cholesky factor L of B (in Taylor
    models, so that the scaling of the pencil follows t), then the congruence with the
    orthogonal eigenbasis W of C at t = 0; :math:`W^\top (C - \sigma I) W` is nearly diagonal
    for every t and its bounds are factored.  Without B: the eigenbasis of A at t = 0.

    Parameters
    ----------
    A, B : list of lists of TaylorModel
        Symmetric, without negative powers.
    S : TaylorSystem
    sigma : number
        The shift (0: A itself).

    Returns
    -------
    bool
        True when every pivot of :math:`LDL^\top` of the bounds is proven positive.
    """
    n = len(A)
    try:
        if B is not None:
            Li = _cholesky_inverse(B, S)
            C = _congruence([[Li[j][i] for j in range(n)] for i in range(n)], A, S)
        else:
            C = A
        C0 = _mid_matrix(C)
        try:
            _, V = np.linalg.eigh((C0 + C0.T) / 2)
        except np.linalg.LinAlgError:
            V = np.eye(n)
        if not np.all(np.isfinite(V)):
            V = np.eye(n)
        W = [[S.convert(arb(float(V[i, j]))) if V[i, j] != 0.0 else None for j in range(n)]
             for i in range(n)]
        if sigma:
            C = [[C[i][j] - (sigma if i == j else 0) for j in range(n)] for i in range(n)]
        D = _congruence(W, C, S)
        M = arb_mat([[S.range(D[i][j]) for j in range(n)] for i in range(n)])
    except (TaylorModelError, ZeroDivisionError, ValueError):
        return False
    for i in range(n):                  # symmetric: intersect the two enclosures
        for j in range(i + 1, n):
            M[i, j] = M[j, i] = M[i, j].intersection(M[j, i])
    return negative_pivots(M) == 0


def smooth_tube(rows, S):
    r"""The smooth-set check on a tube: for every pair type of non-zero multiplicity,
    :math:`g_{uu} > 0`, :math:`g_{vv} > 0` and, for two distinct rows,
    :math:`g_{uu}g_{vv} - g_{uv}^2 > 0` — for every t in T with t ≠ 0 when the determinant
    vanishes at t = 0 to a proven order 2j (the parallel pairs of the limit: then
    :math:`t^{-2j}(g_{uu}g_{vv} - g_{uv}^2)` is proven positive).

    Parameters
    ----------
    rows : list
        :meth:`~symcrit.restricted.RestrictedLoss.pair_gram` in Taylor models.
    S : TaylorSystem

    Returns
    -------
    ok : bool
    reason : str
    margin : arb or None
        A lower bound of :math:`\sin^2\theta` over the pairs that stay apart (None when
        some pair becomes parallel at t = 0).
    """
    margin = None
    limit = False
    for label, w, guu, gvv, guv, ident in rows:
        w = S.convert(w)
        if w == 0:
            continue
        try:
            if not (S.range(guu) > 0 and S.range(gvv) > 0):
                return False, f"pair type {label}: a row may vanish", None
            if ident:
                if label.endswith("self"):
                    continue
                return False, f"W has equal rows ({label})", None
            Dm = S.convert(guu) * gvv - S.convert(guv) * guv
            v = Dm.valuation()
            if v > 0:
                limit = True
            lead = S.range(Dm.shift(-v)) if v > 0 else S.range(Dm)
            if not lead > 0:
                return False, (f"pair type {label} may be parallel or anti-parallel "
                               "(g_uv² < g_uu g_vv not proven)"), None
            if v == 0:
                s2 = (lead / (S.range(guu) * S.range(gvv))).lower()
                margin = s2 if margin is None or s2 < margin else margin
        except (TaylorModelError, ZeroDivisionError, ValueError) as exc:
            return False, f"pair type {label}: {exc}", None
    return True, "", (None if limit else margin)


def multiplicity_checks(blocks, k_lo, k_hi, size, S=None, k_model=None):
    r"""Every multiplicity is a positive integer at every integer k in
    [``k_lo``, ``k_hi``] (``k_hi`` None: every k ≥ ``k_lo``), and the blocks cover
    M(k, d): :math:`\sum_b m_b(k)\dim b = k d` identically.

    Integer values at all integers: the polynomial's coefficients in the binomial basis
    :math:`\binom{k}{i}` (its finite differences at 0) are integers.  Positivity: the model
    ``polyval(m, k_model)`` is bounded below by a positive number over T (with the negative
    powers of ε shifted out at infinity).

    Returns
    -------
    str
        "" when all holds, else the reason.
    """
    import sympy
    total = sum(blk.multiplicity * blk.dimension for blk in blocks)
    if sympy.expand(total - size) != 0:
        return (f"the isotypic blocks give {sympy.factor(total)} eigenvalues, not "
                f"{size}: the decomposition does not cover M(k, d)")
    for blk in blocks:
        m = sympy.Poly(sympy.expand(blk.multiplicity), K)
        deg = m.degree()
        vals = [polyval(blk.multiplicity, K, Fraction(i)) for i in range(deg + 1)]
        diffs = list(vals)
        for i in range(deg + 1):           # Newton forward differences at 0
            if diffs[i].denominator != 1:
                return f"the multiplicity {blk.multiplicity} of {blk.irrep} is not integral"
            for j in range(deg, i, -1):
                diffs[j] = diffs[j] - diffs[j - 1]
        mm = polyval(blk.multiplicity, K, k_model, S)
        v = mm.valuation()
        try:
            lo = S.range(mm.shift(-v) if v < 0 else mm)
        except TaylorModelError as exc:
            return f"the multiplicity of {blk.irrep}: {exc}"
        if not lo > 0:
            return (f"the multiplicity {blk.multiplicity} of {blk.irrep} may vanish for "
                    f"some k in [{k_lo}, {'∞' if k_hi is None else k_hi}]")
    return ""


def matrix_size(R):
    """The number of entries of W, a polynomial in k: (k + extra rows) × (d or k)."""
    H = R.H
    return (H.k + getattr(H, "extra", 0)) * (H.k if R.d is None else H.d)


@dataclass
class Piece:
    """One piece of an all-k proof: the k it covers, what was proven and the data that
    defines its tube (re-checked from scratch by :func:`~.allk.verify_all_k`).

    Attributes
    ----------
    kind : str
        ``interval`` (k in [k_lo, k_hi]) or ``infinity`` (k ≥ k_lo, ε = k^(-1/2)).
    k_lo, k_hi : Fraction or None
        The k covered (``k_hi`` None: every k ≥ k_lo).
    status : str
        ``proved`` or ``unverified`` (``reason`` says why).
    data : dict
        What defines the tube: the centre polynomials and radii as decimal strings, the
        orders and precision, for the piece at infinity the rescaling.
    facts : dict
        What was proven: contraction, smooth-set margin, block lower bounds.
    seconds : float
    """
    kind: str
    k_lo: Fraction
    k_hi: Fraction | None
    status: str
    reason: str = ""
    data: dict = field(default_factory=dict)
    facts: dict = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def proved(self):
        return self.status == "proved"

    def timed(self, t0):
        """The piece with :attr:`seconds` since ``t0`` (``time.perf_counter``)."""
        self.seconds = time.perf_counter() - t0
        return self

    @property
    def radius(self):
        """The largest box radius (float; None when no box was built)."""
        rs = self.data.get("radii") or []
        return max(float(arb(x).upper()) for x in rs) if rs else None

    def to_json(self):
        """The piece as JSON: k as exact decimal or p/q text, ``"inf"`` for no upper end."""
        out = {"kind": self.kind, "k_lo": k_exact_text(self.k_lo),
               "k_hi": "inf" if self.k_hi is None else k_exact_text(self.k_hi),
               "status": self.status,
               "radius": None if self.radius is None else f"{self.radius:.3e}"}
        if self.reason:
            out["reason"] = self.reason
        out.update(self.data)
        out["facts"] = self.facts
        out["seconds"] = f"{self.seconds:.3f}"
        return out


def k_exact_text(q):
    """k (a rational) as exact text: an integer, an exact decimal for a dyadic rational,
    else p/q.

    >>> k_exact_text(Fraction(13, 2)), k_exact_text(Fraction(1, 3))
    ('6.5', '1/3')
    """
    q = Fraction(q)
    if q.denominator == 1:
        return str(q.numerator)
    d = q.denominator
    if d & (d - 1) == 0:                       # dyadic: an exact decimal
        digits = d.bit_length() - 1
        return f"{float(q):.{digits}f}" if digits < 15 else f"{q.numerator}/{d}"
    return f"{q.numerator}/{d}"
