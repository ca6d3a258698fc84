r"""Rigorous certificates (python-flint Arb): a critical point exists in a box, it is unique
there, and it is a strict local minimum (or a saddle) of the full loss.

The computation has three parts, all done with Arb balls (Johansson 2017, "Arb: efficient
arbitrary-precision midpoint-radius interval arithmetic", IEEE Trans. Comput. 66), so that
every claim printed as *certified* is a theorem about the exact loss:

1. **Existence and uniqueness** (Krawczyk 1969, "Newton-Algorithmen zur Bestimmung von
   Nullstellen mit Fehlerschranken", Computing 4; Moore 1977, "A test for existence of
   solutions to nonlinear systems", SIAM J. Numer. Anal. 14; Rump 1983, "Solving algebraic
   problems with high accuracy", in *A New Approach to Scientific Computation*; Moore,
   Kearfott & Cloud, "Introduction to Interval Analysis", SIAM 2009, §8.2).  For
   :math:`F = \nabla_\xi L_H(\cdot; k)` on Fix(H), the box
   :math:`X = \tilde\xi + [-r, r]`, F evaluated in Arb at the *point* :math:`\tilde\xi`
   (decimal strings read into balls that contain them), an Arb enclosure :math:`J(X)` of
   the Jacobian of F (the restricted Hessian) over the *whole box* (ball inputs with the
   box radii, so it contains the Jacobian at every point of X), and any matrix Y (the
   floating inverse of the Jacobian's midpoint at :math:`\tilde\xi`),

   .. math::

       K(X) = \tilde\xi - Y F(\tilde\xi) + (I - Y J(X))(X - \tilde\xi)
       \subset \operatorname{int} X

   proves that F has exactly one zero in X, and that it lies in K(X) (strict inclusion
   also proves Y and every matrix of J(X) nonsingular: Rump 1983).  The test asks for K(X)
   strictly inside the nominal box itself (not only its slightly larger ball enclosure).

   *Symmetric criticality* (Palais 1979, "The principle of symmetric criticality", Comm.
   Math. Phys. 69).  :math:`L_H(\xi) = L(W(\xi))` with W(ξ) = Bξ linear, B of full column
   rank onto Fix(H), so :math:`\nabla_\xi L_H = B^\top \nabla L(W(\xi))`.  H acts by
   orthogonal maps (permutations of entries) under which L is invariant, so
   :math:`\nabla L(W) \in \mathrm{Fix}(H) = \mathrm{range}(B)` at W ∈ Fix(H): writing
   :math:`\nabla L = Bc`, :math:`B^\top B c = 0` forces c = 0.  Hence
   :math:`\nabla_\xi L_H = 0 \iff \nabla L = 0`: the zero is a critical point of L on all
   of M(k, d) (for integer k; for real k the statements are about the analytic
   continuation in k of :math:`L_H` and of the blocks below, the only meaning real k has).

2. **The non-smooth set.**  L is analytic away from zero rows and from pairs of parallel or
   anti-parallel rows (student–student and student–teacher); there it is C² but not C³ and
   its Hessian is a limit.  Over the box every squared norm :math:`g_{uu}` is proved
   positive and :math:`g_{uv}^2 < g_{uu}g_{vv}` (:math:`\sin^2\theta > 0`, i.e. the cosine
   strictly inside (−1, 1)) is proved for every pair type of rows
   (:meth:`~symcrit.restricted.RestrictedLoss.pair_gram`): every pair of rows of W(ξ)
   is of one of these types, for every ξ in the box.

3. **Type.**  At W ∈ Fix(H) the Hessian of L preserves the isotypic components of
   M(k, d) under H (Arjevani & Field 2020, "Analytic characterization of the Hessian in
   shallow ReLU models: a tale of symmetry", NeurIPS; 2021, "Symmetry & critical points
   for a model shallow neural network", Physica D); on each component its distinct
   eigenvalues are the generalised eigenvalues of a small pencil (A, B): A the Hessian of
   a restricted loss in an exact (rational in k) basis Q of one vector per copy, B = QᵀDQ
   the Frobenius Gram matrix (:func:`symcrit.spectrum.hessian_blocks`, evaluated over the
   whole box, so the enclosures hold at every point of it, in particular at the unique
   critical point).  The blocks must account for all of M(k, d): Σ (multiplicity at k) ×
   (block size) = k·d is checked exactly; a block whose multiplicity vanishes at this k
   takes no part.  Counting eigenvalues below σ is Sylvester's law of inertia: it is the
   number of negative pivots of an :math:`LDL^\top` factorisation of
   :math:`V^\top(A - \sigma B)V`, V a floating approximate eigenbasis with
   :math:`V^\top BV \succ 0` proven (so B ≻ 0 and V is nonsingular); with Arb pivots whose
   signs are all decided the count holds for every symmetric pair in the enclosures
   (Rump 2010, "Verification methods: rigorous results using floating-point arithmetic",
   Acta Numerica 19).  Two counts around each approximate eigenvalue enclose it.  All
   blocks positive definite proves a strict local minimum of L (L is C² near the point
   and its Hessian there is positive definite); a certified negative eigenvalue in one
   block and a certified positive one proves a saddle.

Whatever is not proven is reported as ``unverified`` with the reason, never as a type:
near a threshold in k (an eigenvalue crossing zero) the answer is "not certified".
Safran & Shamir (2018, "Spurious local minima are common in two-layer ReLU neural
networks", ICML) proved their minima for 6 ≤ k ≤ 20 with a commercial CAS; here the cost
does not depend on k, and k may be real.

**Real k.**  k is kept as an exact decimal or rational text and read into a ball that
contains it (exact when k is an integer or a dyadic decimal such as 7.5; a ball of radius
~10^-dps around 7.3 = 73/10 otherwise).  Every enclosure holds for every k in that ball,
so the certificate is a statement about the k that was written (7.3 means 73/10, never the
nearest double).

Certificates are data: :meth:`Certificate.save` writes the isotropy group, k, the box
(midpoints and radii as decimal strings), the precision and the claims; and
:func:`verify_certificate` rebuilds the box from those strings alone, recomputes the
enclosures and proves each claim of the file on them (a claim it cannot prove, a wrong
family, k or status, makes it fail).

>>> cert = certify("type-A", 6)
>>> cert.status, cert.exists
('minimum', True)
>>> [b.irrep for b in cert.blocks]
['[k-1]', '[k-2,1]', '[k-3,2]', '[k-3,1,1]']
>>> sum(int(b.count) * b.dimension for b in cert.blocks)            # = k²: all of M(6, 6)
36
>>> certify("type-A", 5).status
'saddle'
>>> cert = certify_point("ΔS_{k-1}", ["1.0", "-0.01", "0.15", "0.1", "-0.73"], 12)
>>> cert.status, cert.reason                                        # not a critical point
('unverified', 'the Newton step from the centre is ... relative (> 1e-08): not close enough to a critical point; refine the point first')
"""
from __future__ import annotations

import copyreg
import json
import math
import time
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

import mpmath
import numpy as np
from flint import arb, arb_mat, fmpq, fmpz

from ..core import ConvergenceError, InputError
from ..restricted import restricted_loss
from ..core import workdps
from ..critical.refine import CriticalPoint, guard_digits

__all__ = ["Certificate", "BlockBound", "certify", "certify_point", "certify_family",
           "verify_certificate", "load_certificate", "krawczyk", "smooth_set_check",
           "pencil_eigen_enclosures", "inertia_below", "working_dps", "FORMAT"]

FORMAT = "symcrit-certificate/1"
_RHO = (1e-10, 1e-16, 1e-24, 1e-32, 1e-40, 1e-50, 1e-64)   # relative box radii tried


# --------------------------------------------------------------------------- helpers
def working_dps(dps, k):
    """Working digits for a certificate at k: ``dps`` plus guard digits growing like
    2 log10 k (angles approach 0 or π like k^(-1/2))."""
    return int(dps) + guard_digits(k)


_K_MAX = 10 ** 300


def _k_text(k):
    """k as an exact decimal (or rational) text: integers and strings as they are, an
    mpmath number by its exact (dyadic) value, a float by its shortest decimal ``repr``
    (``7.3`` means 73/10, which is what was typed, not the nearest double)."""
    if isinstance(k, bool):
        raise InputError(f"k must be a number, got {k!r}")
    if isinstance(k, (int, np.integer)):
        out = str(int(k))
    elif isinstance(k, Fraction):
        q = k.denominator
        for p in (2, 5):
            while q % p == 0:
                q //= p
        # a terminating decimal (7.3 = 73/10) as such, any other rational as p/q
        out = str(k.numerator) if k.denominator == 1 else (
            _dec_exact(k) if q == 1 else f"{k.numerator}/{k.denominator}")
    elif isinstance(k, mpmath.mpf):
        if not mpmath.isfinite(k):
            raise InputError(f"k must be finite, got {k}")
        if k == int(k):
            out = str(int(k))
        else:
            # exact: a dyadic number has a finite decimal expansion (mpf.man_exp drops the
            # sign, so the signed _mpf_ tuple is read)
            sign, man, exp, _ = k._mpf_
            out = _dec_exact((-1) ** sign * Fraction(int(man)) * Fraction(2) ** int(exp))
    elif isinstance(k, (float, np.floating)):
        if not math.isfinite(float(k)):
            raise InputError(f"k must be finite, got {k}")
        out = _k_text(repr(float(k)))
    elif isinstance(k, str):
        q = _parse_k(k)
        out = (str(q.numerator) if q.denominator == 1 else
               (k.strip() if "/" not in k else f"{q.numerator}/{q.denominator}"))
    else:
        raise InputError(f"k must be a number, got {k!r}")
    _parse_k(out)
    return out


def _dec_exact(q):
    """The finite decimal expansion of a rational whose denominator is 2^a 5^b."""
    from decimal import Decimal, localcontext
    with localcontext() as ctx:
        ctx.prec = 2000
        d = Decimal(q.numerator) / Decimal(q.denominator)
        return format(d.normalize(), "f")


@lru_cache(maxsize=4096)
def _parse_k(text):
    """k text -> exact Fraction (decimal or p/q), with a size check."""
    try:
        q = Fraction(str(text).strip())
    except (ValueError, ZeroDivisionError):
        raise InputError(f"bad k {text!r}: expected a number such as 12, 7.5 or 10^12") \
            from None
    if not 0 < q <= _K_MAX:
        raise InputError(f"k = {text} is out of range (0 < k <= 10^300)")
    return q


def _k_arb(ktext):
    """The ball of k at the working precision: exact for integers and dyadic decimals,
    otherwise a ball of radius about 10^-dps around the decimal (or p/q), which it contains:
    every statement proven with this ball holds for every k in it, in particular for the
    exact decimal that was asked for."""
    q = _parse_k(ktext)
    if q.denominator == 1:
        return arb(q.numerator)
    return arb(fmpq(q.numerator, q.denominator))


def _k_exact(ktext):
    """k for the spectrum code: a Python int for integral k (so that small integer k get
    the dense layout and integer multiplicities), else the ball."""
    q = _parse_k(ktext)
    return int(q) if q.denominator == 1 else _k_arb(ktext)


def _k_mpf(ktext):
    from ..core import MPMATH
    return MPMATH.convert(_parse_k(ktext))


def _dstr(x, digits):
    """Midpoint of a ball (or an mpf) as a decimal string with ``digits`` digits."""
    if isinstance(x, arb):
        s = x.mid().str(digits, radius=False)
    else:
        s = mpmath.nstr(mpmath.mpf(x), digits, strip_zeros=False, min_fixed=-5,
                        max_fixed=6)
    return s


def _short(x, digits=6):
    """A short decimal text of a ball's midpoint (for reports and JSON)."""
    if x is None:
        return None
    if isinstance(x, arb):
        return x.mid().str(digits, radius=False)
    return mpmath.nstr(mpmath.mpf(x), digits)


def _lo(x):
    return x.lower()


def _hi(x):
    return x.upper()


def _pos(x):
    """True when the ball is certainly > 0."""
    return bool(x > 0)


def _neg(x):
    return bool(x < 0)


def _to_float(x):
    return float(x.mid())


def _arb_mat(M):
    if isinstance(M, arb_mat):
        return M
    M = np.asarray(M, dtype=object)
    return arb_mat([[x if isinstance(x, arb) else arb(x) for x in row] for row in M])


def _mat_float(M):
    return np.array([[float(x.mid()) for x in row] for row in M.tolist()], dtype=float)


def _mat_mid(M):
    return M.mid()


def _column(v):
    return arb_mat([[x] for x in v])


def _col_list(M):
    return [row[0] for row in M.tolist()]


# --------------------------------------------------------------------------- Krawczyk
@dataclass
class KrawczykResult:
    """Outcome of one Krawczyk test: ``ok``; the box X and K(X) (lists of balls); the
    contraction ``‖I − Y J(X)‖_∞`` (upper bound, float); the Newton step size relative to
    the radii; a reason when it fails."""
    ok: bool
    X: list
    K: list
    contraction: float
    step_ratio: float
    reason: str = ""
    J: object = None
    loss: object = None


def krawczyk(R, center, radii, k, d=None, FY=None):
    r"""The Krawczyk test for :math:`\nabla_\xi L_H = 0` on the box ``center ± radii``.

    ``center`` are balls (thin or tiny), ``radii`` non-negative numbers or decimal strings,
    ``k`` a ball.  ``FY = (F(center), Y)`` may be passed if already computed; otherwise
    F and the Jacobian are evaluated at the centre and Y is the (floating, exact once
    stored) inverse of the Jacobian's midpoint.  Returns a :class:`KrawczykResult`;
    ``ok`` proves exactly one zero in X, lying in K(X) (Krawczyk 1969; Moore, Kearfott &
    Cloud 2009, Thm 8.2; uniqueness from the strict inclusion: Rump 1983).  F is evaluated
    at the (tiny) centre balls, the Jacobian J(X) over the whole box X, both for every k
    in the ball ``k``; ``ok`` also requires K(X) to lie strictly inside the nominal box
    ``center ± radii`` itself, not only inside its (slightly larger) enclosure X, so the
    zero is in the box a certificate names.

    >>> from symcrit.critical.families import get_family
    >>> from symcrit.restricted import restricted_loss
    >>> R = restricted_loss("ΔS_{k-1}")
    >>> with workdps(40):
    ...     cp = get_family("type-A").point(12, dps=40)
    ...     c = [arb(_dstr(x, 45)) for x in cp.xi]
    ...     res = krawczyk(R, c, ["1e-20"] * 5, arb(12))
    >>> res.ok, res.contraction < 1e-15
    (True, True)
    >>> with workdps(40):
    ...     krawczyk(R, c, ["0.5"] * 5, arb(12)).ok                  # far too large a box
    False
    """
    n = len(center)
    if FY is None:
        _, F, J0 = R.evaluate(center, k, d, system="arb", order=2)
        Y = _inverse_mid(J0)
        if Y is None:
            return KrawczykResult(False, None, None, math.inf, math.inf,
                                  "the Jacobian at the centre is singular")
    else:
        F, Y = FY
    X = [c + arb(0, r if isinstance(r, (arb, str)) else arb(r)) for c, r in zip(center, radii)]
    L, _, JX = R.evaluate(X, k, d, system="arb", order=2)
    JX = _arb_mat(JX)
    I = arb_mat(n, n)
    for i in range(n):
        I[i, i] = 1
    Cm = I - Y * JX
    D = _column([x - c for x, c in zip(X, center)])
    step = Y * _column(F)
    Kc = _column(center) - step + Cm * D
    K = _col_list(Kc)
    contraction = max(sum(float(abs(Cm[i, j]).upper()) for j in range(n)) for i in range(n))
    rad = [float(arb(r).upper()) if not isinstance(r, arb) else float(r.upper())
           for r in radii]
    ratio = max((float(abs(step[i, 0]).upper()) / rad[i]) if rad[i] > 0 else math.inf
                for i in range(n))
    # K(X) inside the interior of the computed balls X (which contain the nominal box
    # centre ± radius) proves one zero in X; K(X) strictly inside the nominal box (its
    # ends enclosed by balls) puts that zero in the box the certificate names.
    R_ = [r if isinstance(r, arb) else arb(r) for r in radii]
    bad = [i for i in range(n) if not (X[i].contains_interior(K[i])
                                       and bool(K[i] > center[i] - R_[i])
                                       and bool(K[i] < center[i] + R_[i]))]
    if not bad:
        return KrawczykResult(True, X, K, contraction, ratio, "", JX, L)
    names = R.fixed.names
    i = bad[0]
    if contraction >= 1:
        why = (f"‖I − Y J(X)‖ ≥ {contraction:.3g} (the box is too large for the Jacobian "
               "enclosure to contract)")
    else:
        why = f"contraction {contraction:.3g}, Newton step {ratio:.3g} × radius"
    reason = (f"Krawczyk test failed: K(X) is not inside the interior of X in coordinate "
              f"{names[i]} ({why})")
    return KrawczykResult(False, X, K, contraction, ratio, reason, JX, L)


def _inverse_mid(J):
    """A floating inverse of the midpoint of J, returned as an exact arb matrix."""
    M = _arb_mat(J).mid()
    try:
        Y = M.inv()
    except (ZeroDivisionError, ValueError):
        return None
    return Y.mid()


# --------------------------------------------------------------------------- smooth set
def smooth_set_check(R, X, k, d=None):
    r"""Prove that the box X avoids the non-smooth set of the full loss.

    For every pair type with non-zero multiplicity: :math:`g_{uu} > 0` and
    :math:`g_{vv} > 0` (no zero row) and, unless the two rows are the same row,
    :math:`g_{uu}g_{vv} - g_{uv}^2 > 0` (not parallel, not anti-parallel).  Two distinct
    rows that are equal throughout Fix(H) put every point on the non-smooth set.
    Returns ``(ok, reason, margin)``, margin a lower bound of the smallest
    :math:`\sin^2\theta` over the pair types.

    >>> from symcrit.restricted import restricted_loss
    >>> R = restricted_loss("ΔS_k")
    >>> smooth_set_check(R, [arb("0.9", "1e-10"), arb("0.05", "1e-10")], arb(5))[0]
    True
    >>> ok, why, _ = smooth_set_check(R, [arb(1), arb(0)], arb(5))   # W = I: v_i ∥ w_i
    >>> ok, why
    (False, 'the box meets the non-smooth set: pair type student0-teacher0 matched may be parallel or anti-parallel (g_uv² < g_uu g_vv not proven)')
    """
    margin = None
    for label, w, guu, gvv, guv, ident in R.pair_gram(X, k, d, system="arb"):
        if isinstance(w, arb) and w.is_zero():
            continue
        if not all(isinstance(g, arb) and g.is_finite() for g in (guu, gvv, guv)):
            return (False, f"the Gram entries of pair type {label} could not be enclosed "
                    "over the box", None)
        if not _pos(guu) or not _pos(gvv):
            return (False, f"the box meets the non-smooth set: pair type {label} may have "
                    "a zero row", None)
        if ident:
            if label.endswith("self"):
                continue
            return (False, f"W has equal rows ({label}): every point of Fix(H) lies on the "
                    "non-smooth set", None)
        s2 = (guu * gvv - guv * guv) / (guu * gvv)
        if not _pos(s2):
            return (False, f"the box meets the non-smooth set: pair type {label} may be "
                    "parallel or anti-parallel (g_uv² < g_uu g_vv not proven)", None)
        lo = s2.lower()
        margin = lo if margin is None or lo < margin else margin
    return True, "", margin


# --------------------------------------------------------------------------- inertia
def inertia_below(A, B, sigma, V=None):
    r"""The number of generalised eigenvalues of (A, B) below σ, for every symmetric pair
    in the enclosures, or None when it cannot be decided.

    Sylvester's law of inertia: it is the number of negative pivots of
    :math:`M = V^\top (A - \sigma B) V` for any nonsingular V (B ≻ 0).  The pivots of
    :math:`M = LDL^\top` (no pivoting, lower triangle only, so every symmetric matrix in the
    enclosure is covered) are computed in Arb; if all their signs are decided, M is
    nonsingular for every member, V is nonsingular, and the count holds.

    >>> A = arb_mat([[2, 1], [1, 2]]); B = arb_mat([[1, 0], [0, 1]])  # eigenvalues 1, 3
    >>> [inertia_below(A, B, arb(s)) for s in (0, 2.5, 4)]
    [0, 1, 2]
    >>> inertia_below(A, B, arb(1)) is None                          # σ is an eigenvalue
    True
    """
    M = A - B * sigma
    if V is not None:
        M = V.transpose() * M * V
    return _ldl_negatives(M)


def _ldl_negatives(M):
    n = M.nrows()
    L = [[None] * n for _ in range(n)]
    Dv = [None] * n
    neg = 0
    for j in range(n):
        s = M[j, j]
        for p in range(j):
            s = s - L[j][p] * L[j][p] * Dv[p]
        if s.contains(0):
            return None
        Dv[j] = s
        if s < 0:
            neg += 1
        for i in range(j + 1, n):
            t = M[i, j]
            for p in range(j):
                t = t - L[i][p] * L[j][p] * Dv[p]
            L[i][j] = t / s
    return neg


def _approx_eigen(A, B, high=False):
    """Approximate generalised eigenvalues (ascending) and a B-orthonormal eigenbasis V of
    the midpoint pencil: float64 (Jacobi-scaled), or mpmath at the current precision."""
    m = A.nrows()
    if not high:
        from scipy.linalg import eigh
        Af, Bf = _mat_float(A), _mat_float(B)
        Af, Bf = (Af + Af.T) / 2, (Bf + Bf.T) / 2
        s = 1 / np.sqrt(np.abs(np.diag(Bf)))
        S = np.diag(s)
        lam, W = eigh(S @ Af @ S, S @ Bf @ S)
        V = S @ W
        return [float(x) for x in lam], arb_mat([[float(V[i, j]) for j in range(m)]
                                                 for i in range(m)])
    Am = mpmath.matrix([[mpmath.mpf(x.mid().str(mpmath.mp.dps + 5, radius=False))
                         for x in row] for row in A.tolist()])
    Bm = mpmath.matrix([[mpmath.mpf(x.mid().str(mpmath.mp.dps + 5, radius=False))
                         for x in row] for row in B.tolist()])
    Am = (Am + Am.T) / 2
    Bm = (Bm + Bm.T) / 2
    Lc = mpmath.cholesky(Bm)
    Li = mpmath.inverse(Lc)
    C = Li * Am * Li.T
    C = (C + C.T) / 2
    E, Q = mpmath.eigsy(C)
    V = Li.T * Q
    order = sorted(range(m), key=lambda i: E[i])
    lam = [E[i] for i in order]
    from ..core import ARB
    Va = arb_mat([[ARB.convert(+V[i, j]) for j in order] for i in range(m)])
    return lam, Va


@dataclass
class BlockBound:
    """Certified information on one isotypic block: the irreducible representation,
    its multiplicity in the Hessian spectrum (sympy expression in k) and its value
    ``count`` at this k (an exact text; a block whose count is 0 does not occur in the
    spectrum and takes no part in the type), the block dimension, enclosures ``[lo, hi]``
    (arb) of its eigenvalues where they were separated, and ``lower`` / ``upper`` bounds of
    its smallest eigenvalue (``upper`` None when not found).  ``sign`` is ``positive``,
    ``negative`` (a certified negative eigenvalue), ``undecided`` or ``absent``."""
    irrep: str
    multiplicity: object
    dimension: int
    lower: object
    upper: object
    sign: str
    enclosures: list = field(default_factory=list)
    note: str = ""
    count: str = ""

    @property
    def present(self):
        return self.sign != "absent"

    def to_json(self, digits=12):
        return {"irrep": self.irrep, "multiplicity": str(self.multiplicity),
                "count": self.count, "dimension": self.dimension,
                "lambda_min_lower": None if self.lower is None else _bound_str(self.lower,
                                                                               digits, -1),
                "lambda_min_upper": None if self.upper is None else _bound_str(self.upper,
                                                                               digits, +1),
                "sign": self.sign,
                "eigenvalues": [None if e is None else [_bound_str(e[0], digits, -1),
                                                       _bound_str(e[1], digits, +1)]
                                for e in self.enclosures]}


def _bound_str(x, digits, direction):
    """A decimal string that is a rigorous lower (direction −1) or upper (+1) bound of the
    ball x: rounded outward."""
    if isinstance(x, arb):
        e = x.lower() if direction < 0 else x.upper()
    else:
        e = arb(x)
    s = e.mid().str(digits, radius=False)
    v = arb(s)
    # step outward until the decimal is certainly on the right side
    for _ in range(4):
        if (direction < 0 and bool(v <= e)) or (direction > 0 and bool(v >= e)):
            return s
        ulp = abs(arb(s)) * arb(10) ** (-(digits - 1)) + arb(10) ** (-300)
        v = (arb(s) - ulp) if direction < 0 else (arb(s) + ulp)
        s = (v.lower() if direction < 0 else v.upper()).mid().str(digits, radius=False)
        v = arb(s)
    return s     # pragma: no cover


def pencil_eigen_enclosures(A, B):
    r"""Certified enclosures of the generalised eigenvalues of the symmetric pencil (A, B),
    B ≻ 0, valid for every symmetric pair of matrices in the Arb enclosures A, B.

    For each cluster of approximate eigenvalues :math:`\lambda_i` (floating, then mpmath at
    the working precision if the float basis does not separate them), shifts
    :math:`\sigma_\pm = \lambda \pm \eta` with η from the Gershgorin radii of
    :math:`V^\top(A - \lambda B)V` are placed around it and the inertia counts
    :func:`inertia_below` at :math:`\sigma_\pm` are checked to be the expected ones.
    Returns ``(enclosures, n_below_zero)``: a list, one entry per eigenvalue in ascending
    order, of ``(lo, hi)`` arb pairs (or None where a cluster could not be separated;
    eigenvalues of one cluster share its enclosure), and the certified number of negative
    eigenvalues (None when undecided).

    >>> A = arb_mat([[2, 1], [1, 2]]); B = arb_mat([[2, 0], [0, 2]])
    >>> enc, neg = pencil_eigen_enclosures(A, B)
    >>> [(float(lo), float(hi)) for lo, hi in enc]                   # doctest: +ELLIPSIS
    [(0.49999999999..., 0.50000000000...), (1.49999999999..., 1.50000000000...)]
    >>> neg
    0
    """
    A, B = _arb_mat(A), _arb_mat(B)
    best = None
    for high in (False, True):
        res = _enclose(A, B, high)
        if res is None:
            continue
        best = res
        if all(e is not None for e in res[0]) and res[1] is not None:
            break
    if best is None:
        m = A.nrows()
        return [None] * m, None
    return best


def _enclose(A, B, high):
    m = A.nrows()
    try:
        lam, V = _approx_eigen(A, B, high)
    except (np.linalg.LinAlgError, ValueError, ZeroDivisionError):
        return None
    Ah = V.transpose() * A * V
    Bh = V.transpose() * B * V
    if _ldl_negatives(Bh) != 0:         # B ≻ 0 (and V nonsingular) not proven
        return None
    lam_arb = [arb(x) if isinstance(x, float) else _mparb(x) for x in lam]
    scale = max([abs(_to_float(Ah[i, i])) for i in range(m)] + [1e-300])
    tiny = arb(scale) * arb(10) ** (-(_digits() - 2))
    # Gershgorin radius of row i of V^T(A - λ_i B)V, normalised by the diagonal of B̂
    eta = []
    for i in range(m):
        C = [Ah[i, j] - lam_arb[i] * Bh[i, j] for j in range(m)]
        rsum = abs(C[i])
        for j in range(m):
            if j != i:
                rsum += abs(C[j])
        eta.append(2 * rsum.upper() / Bh[i, i].lower() + tiny)
    # clusters of approximate eigenvalues whose intervals overlap
    enc = [None] * m
    i = 0
    clusters = []
    while i < m:
        j = i
        lo = lam_arb[i] - eta[i]
        hi = lam_arb[i] + eta[i]
        while j + 1 < m and bool((lam_arb[j + 1] - eta[j + 1]).lower() <= hi.upper()):
            j += 1
            hi = lam_arb[j] + eta[j]
            lo = _minb(lo, lam_arb[j] - eta[j])
        clusters.append((i, j, lo.lower(), hi.upper()))
        i = j + 1
    for (i, j, lo, hi) in clusters:
        for grow in (1, 100, 10 ** 4):
            if grow > 1:
                w = (hi - lo) * (grow - 1) / 2 + tiny * grow
                lo2, hi2 = (lo - w).lower(), (hi + w).upper()
            else:
                lo2, hi2 = lo, hi
            nlo = inertia_below(Ah, Bh, lo2)
            nhi = inertia_below(Ah, Bh, hi2)
            if nlo == i and nhi == j + 1:
                for p in range(i, j + 1):
                    enc[p] = (lo2, hi2)
                break
    neg = inertia_below(Ah, Bh, arb(0))
    return enc, neg


def _minb(a, b):
    return a if bool(a.lower() <= b.lower()) else b


def _mparb(x):
    from ..core import ARB
    return ARB.convert(+x)


def _digits():
    from flint import ctx
    return ctx.dps


def _count(mult, ktext):
    """The multiplicity (a polynomial in k) at k, exactly (a Fraction)."""
    from ..spectra.spectrum import _poly_coeffs
    q = _parse_k(ktext)
    out = Fraction(0)
    for c in _poly_coeffs(mult):
        out = out * q + c
    return out


def coverage(blocks, ktext, size):
    """Check that the isotypic blocks account for all of M(k, d): the sum of multiplicity
    times block dimension is ``size`` = k·d, exactly at this k.  Returns a reason, or ""."""
    total = sum((_count(blk.multiplicity, ktext) * int(blk.dimension) for blk in blocks),
                Fraction(0))
    if total != _parse_k(str(size)):
        return (f"the isotypic blocks give {str(total)} eigenvalues, not k·d = "
                f"{size}: the block decomposition does not cover M(k, d)")
    return ""


def block_bounds(blocks, ktext=None):
    """:class:`BlockBound` for every isotypic block (``.A``, ``.B`` Arb enclosures); with
    ``ktext`` blocks whose multiplicity vanishes at k are marked ``absent``."""
    out = []
    for blk in blocks:
        count = "" if ktext is None else str(_count(blk.multiplicity, ktext))
        m = _arb_mat(blk.A).nrows()
        if count == "0":
            out.append(BlockBound(blk.irrep, blk.multiplicity, m, None, None, "absent", [],
                                  f"block {blk.irrep} does not occur at this k", count))
            continue
        A, B = _arb_mat(blk.A), _arb_mat(blk.B)
        enc, neg = pencil_eigen_enclosures(A, B)
        lower = upper = None
        if enc and enc[0] is not None:
            lower, upper = enc[0]
        if neg == 0:
            sign = "positive"
            if lower is None or not bool(lower > 0):
                lower = arb(0)          # every eigenvalue is > 0: 0 is a lower bound
        elif neg is not None and neg > 0:
            sign = "negative"
            if upper is None or not bool(upper < 0):
                upper = arb(0)          # an eigenvalue is < 0: 0 is an upper bound
        else:
            sign = "undecided"
        note = ""
        if sign == "undecided":
            if lower is not None:
                note = (f"block {blk.irrep}: smallest eigenvalue in [{_short(lower, 3)}, "
                        f"{_short(upper, 3)}], sign not determined")
            else:
                note = f"block {blk.irrep}: eigenvalues not separated, sign not determined"
        out.append(BlockBound(blk.irrep, blk.multiplicity, m, lower, upper, sign, enc, note,
                              count))
    return out


# --------------------------------------------------------------------------- certificate
@dataclass
class Certificate:
    """The outcome of a certification: what was proven, about which box.

    ``status`` is ``minimum``, ``saddle`` or ``unverified`` (with ``reason``); ``exists``
    says whether existence and uniqueness in the box were proven (Krawczyk) and
    ``smooth`` whether the box avoids the non-smooth set.  ``center`` and ``radii`` are
    the decimal strings that define the box, ``dps`` the working precision."""
    isotropy: str
    k: str
    center: list
    radii: list
    dps: int
    status: str
    reason: str = ""
    d: str | None = None
    family: str | None = None
    names: list = field(default_factory=list)
    exists: bool = False
    smooth: bool = False
    smooth_margin: object = None
    contraction: float | None = None
    blocks: list = field(default_factory=list)
    loss: object = None
    seconds: float = 0.0
    verified: bool | None = None
    jacobian: object = field(default=None, repr=False, compare=False)

    @property
    def radius(self):
        """The largest radius of the box (float)."""
        return max(float(arb(r).upper()) for r in self.radii) if self.radii else None

    @property
    def certified(self):
        return self.status in ("minimum", "saddle")

    def lambda_min(self):
        """Per block: the rigorous lower bound of its smallest eigenvalue (arb, exact)."""
        return {b.irrep: b.lower for b in self.blocks}

    def box(self):
        """The box as Arb balls (rebuilt from the decimal strings)."""
        with workdps(self.dps):
            return [arb(c) + arb(0, arb(r)) for c, r in zip(self.center, self.radii)]

    def __str__(self):
        fam = f"{self.family} " if self.family else ""
        head = (f"certificate {fam}in Fix({self.isotropy}) at k = {self.k}: {self.status}"
                + (f" ({self.reason})" if self.reason else ""))
        lines = [head]
        if self.center:
            lines.append(f"  box: radius {self.radius:.3g}, centre "
                         + ", ".join(f"{n} = {mpmath.nstr(mpmath.mpf(c), 10)}"
                                     for n, c in zip(self.names, self.center)))
        lines.append(f"  unique critical point in the box: "
                     f"{'proven' if self.exists else 'not proven'}"
                     + (f" (contraction {self.contraction:.2g})"
                        if self.contraction is not None and self.exists else "")
                     + f"; off the non-smooth set: {'proven' if self.smooth else 'not proven'}")
        for b in self.blocks:
            lines.append(f"  block {b.irrep:<12} mult {str(b.multiplicity):<16} "
                         f"λ_min ≥ {_short(b.lower, 6) if b.lower is not None else '?':<14}"
                         f" {b.sign}")
        return "\n".join(lines)

    __repr__ = __str__

    def to_json(self, digits=12):
        """A JSON-ready dict (numbers as decimal strings)."""
        out = {"format": FORMAT, "family": self.family, "isotropy": self.isotropy,
               "k": self.k, "d": self.d, "status": self.status,
               "reason": self.reason or None, "dps": self.dps,
               "radius": None if not self.radii else _short(arb(self.radius), 3),
               "parameters": self.names, "center": list(self.center),
               "radii": list(self.radii), "exists": self.exists, "smooth": self.smooth,
               "smooth_margin": None if self.smooth_margin is None else
               _bound_str(self.smooth_margin, 6, -1),
               "contraction": None if self.contraction is None else
               f"{self.contraction:.3g}",
               "loss": None if self.loss is None else [_bound_str(self.loss, digits, -1),
                                                       _bound_str(self.loss, digits, +1)],
               "lambda_min_lower": {b.irrep: (None if b.lower is None else
                                              _bound_str(b.lower, digits, -1))
                                    for b in self.blocks},
               "blocks": [b.to_json(digits) for b in self.blocks],
               "seconds": f"{self.seconds:.4f}"}
        if self.verified is not None:
            out["verified"] = self.verified
        return out

    def save(self, path):
        """Write the certificate to a JSON file (re-checkable by
        :func:`verify_certificate`)."""
        Path(path).write_text(json.dumps(self.to_json(), indent=2, ensure_ascii=False)
                              + "\n")
        return path


def _status(exists, smooth, bounds, kreason, sreason, block_error=None):
    """The type from the proven facts: ``minimum`` when every block that occurs is
    positive definite; ``saddle`` when one has a certified negative and one a certified
    positive eigenvalue; otherwise ``unverified`` with the reason."""
    if not exists:
        return "unverified", kreason
    if not smooth:
        return "unverified", sreason
    if block_error:
        return "unverified", block_error
    present = [b for b in bounds if b.present]
    if present and all(b.sign == "positive" for b in present):
        return "minimum", ""
    negs = [b for b in present if b.sign == "negative"]
    if negs:
        if any(b.sign == "positive" for b in present) or any(
                e is not None and bool(e[0] > 0) for b in present for e in b.enclosures):
            return "saddle", ""
        return "unverified", ("a negative eigenvalue is certified (not a minimum) but no "
                              "positive one")
    undecided = [b.note for b in present if b.sign == "undecided"]
    return "unverified", "; ".join(undecided) or "no Hessian blocks"


def _blocks_over(R, X, k, d):
    """The isotypic blocks (Arb enclosures over the box) from :mod:`symcrit.spectrum`;
    ``k`` an int (integral k) or the ball of k."""
    from ..spectra.spectrum import hessian_blocks
    return hessian_blocks(R.H, X, k, d, system="arb")


def _type_bounds(R, X, ktext, d, out):
    """Block bounds over the box X into ``out`` (``bounds``, or ``block_error``)."""
    from ..core import SymcritError
    try:
        blocks = _blocks_over(R, X, _k_exact(ktext), d)
    except (ImportError, SymcritError) as exc:
        out["block_error"] = f"Hessian blocks unavailable ({exc})"
        return out
    kq = _parse_k(ktext)
    size = str(kq * (kq if d is None else _parse_k(d)))
    gap = coverage(blocks, ktext, size)
    if gap:
        out["block_error"] = gap
        return out
    out["bounds"] = block_bounds(blocks, ktext)
    out["blocks_raw"] = blocks
    return out


def _check(R, center, radii, k, d, FY=None, with_blocks=True, ktext=None):
    """Krawczyk, smooth set and block bounds on one box.  Returns a dict of the results.
    ``k`` is the ball of k, ``ktext`` its exact text (needed for the blocks)."""
    smooth, sreason, margin = smooth_set_check(
        R, [c + arb(0, arb(r)) for c, r in zip(center, radii)], k, d)
    out = {"smooth": smooth, "sreason": sreason, "margin": margin, "exists": False,
           "kreason": "", "contraction": None, "bounds": [], "loss": None,
           "block_error": None, "kres": None}
    if not smooth:
        out["kreason"] = sreason
        return out
    kres = krawczyk(R, center, [arb(r) for r in radii], k, d, FY)
    out.update(exists=kres.ok, kreason=kres.reason, contraction=kres.contraction,
               loss=kres.loss, kres=kres)
    if kres.ok and with_blocks:
        _type_bounds(R, kres.X, ktext, d, out)
    return out


def _radius_text(r):
    return f"{float(r):.3e}"


def _choose_and_check(R, center, k, d, F, Y, radius=None, max_radius=1e-8,
                      with_blocks=True, ktext=None):
    """Radii for the box (adaptive unless ``radius`` is given) and the checks on it."""
    n = len(center)
    step = Y * _column(F)
    delta = [float(abs(step[i, 0]).upper()) for i in range(n)]
    absc = [abs(float(c.mid())) for c in center]
    big = max(absc + [1e-300])
    u = [a if a > 1e-6 * big else big * 1e-6 for a in absc]
    if radius is not None:
        rads = radius if isinstance(radius, (list, tuple)) else [radius] * n
        rads = [_radius_text(r) if not isinstance(r, str) else r for r in rads]
        return rads, _check(R, center, rads, k, d, (F, Y), with_blocks, ktext)
    rel_step = max(dl / ui for dl, ui in zip(delta, u))
    if not rel_step <= max_radius / 4:
        return None, {"smooth": False, "exists": False, "sreason": "",
                      "kreason": (f"the Newton step from the centre is {rel_step:.2g} "
                                  f"relative (> {max_radius:g}): not close enough to a "
                                  "critical point; refine the point first"),
                      "margin": None, "contraction": None, "bounds": [], "loss": None,
                      "block_error": None, "kres": None}
    last = None
    kf = max(float(k.mid()), 1.0)
    floor = 10.0 ** (-(_digits() - 15))
    ladder = [rho for rho in _RHO if rho <= max_radius and rho >= floor]
    # angles to the teacher close like 1/k: sin^2 of a pair ~ 1/k^2 must stay resolved
    ladder = [rho for rho in ladder if rho <= 1e-2 / kf ** 2] or \
        [rho for rho in (1e-4 / kf ** 2, 1e-8 / kf ** 2) if rho >= floor] or ladder[-1:]
    for rho in ladder:
        r = [max(rho * ui, 4 * dl) for ui, dl in zip(u, delta)]
        if max(ri / ui for ri, ui in zip(r, u)) > max_radius:
            continue
        for _ in range(3):           # ε-inflation (Rump): widen where K(X) sticks out
            rads = [_radius_text(x) for x in r]
            res = _check(R, center, rads, k, d, (F, Y), with_blocks=False)
            last = (rads, res)
            if res["exists"] or not res["smooth"]:
                break
            kres = res["kres"]
            if kres is None or kres.K is None or kres.contraction >= 0.5:
                break
            r = [max(ri, 2 * float(abs(Ki - c).upper()))
                 for ri, Ki, c in zip(r, kres.K, center)]
        if last[1]["exists"]:
            rads = last[0]
            if with_blocks:
                _type_bounds(R, last[1]["kres"].X, ktext, d, last[1])
            return rads, last[1]
    if last is None:     # pragma: no cover
        rads = [_radius_text(max_radius * ui) for ui in u]
        return rads, _check(R, center, rads, k, d, (F, Y), with_blocks, ktext)
    return last


def _make(R, ktext, d, center_txt, rads, dps, res, family, t0):
    status, reason = _status(res["exists"], res["smooth"], res["bounds"], res["kreason"],
                             res["sreason"], res["block_error"])
    return Certificate(isotropy=R.H.label, k=ktext, d=d, center=center_txt,
                       radii=rads or [], dps=dps, status=status, reason=reason,
                       family=family, names=list(R.fixed.names), exists=res["exists"],
                       smooth=res["smooth"], smooth_margin=res["margin"],
                       contraction=res["contraction"], blocks=res["bounds"],
                       loss=res["loss"], seconds=time.perf_counter() - t0,
                       jacobian=None if res.get("kres") is None else res["kres"].J)


def certify_point(H, xi=None, k=None, d=None, dps=30, radius=None, max_radius=1e-8,
                  family=None, blocks=True):
    r"""Certify the critical point near ``xi`` in Fix(H) at k (no refinement: the centre
    of the box is ``xi`` rounded to the working precision).

    ``H`` is an isotropy spec (or a :class:`~symcrit.critical.refine.CriticalPoint`, whose
    group, point and k are used).  ``radius`` fixes the (absolute) box radius, a number or
    one per coordinate; otherwise radii of 1e-10, 1e-16, 1e-24 relative to the
    coordinates are tried (never more than ``max_radius`` relative).  ``dps`` is the
    number of digits asked for; the work is done at :func:`working_dps` digits.

    >>> from symcrit.critical.families import get_family
    >>> cp = get_family("type-A").point(12, dps=45)
    >>> cert = certify_point(cp)
    >>> cert.status, cert.exists, cert.smooth, cert.radius < 1e-9
    ('minimum', True, True, True)
    >>> big = certify_point(cp, radius=1e-2)           # too large a box: nothing is claimed
    >>> big.status, big.exists
    ('unverified', False)
    """
    t0 = time.perf_counter()
    if isinstance(H, CriticalPoint):
        cp = H
        H, xi, k, d = cp.isotropy, cp.xi, cp.k, cp.d
        family = family or cp.family
    if xi is None or k is None:
        raise InputError("certify_point needs a point xi and k")
    R = restricted_loss(H)
    xi = list(xi.values()) if isinstance(xi, dict) else list(xi)
    if len(xi) != len(R.symbols):
        raise InputError(f"Fix({R.H.label}) has {len(R.symbols)} parameters; got {len(xi)}")
    ktext = _k_text(k)
    if float(_parse_k(ktext)) < R.H.min_k:
        raise InputError(f"isotropy {R.H.label} needs k >= {R.H.min_k}, got k = {ktext}")
    dtext = None if d is None else _k_text(d)
    work = working_dps(dps, float(_parse_k(ktext)))
    with workdps(work):
        center_txt = [_center_text(x, work) for x in xi]
        center = [arb(c) for c in center_txt]
        kb = _k_arb(ktext)
        db = None if dtext is None else _k_arb(dtext)
        try:
            _, F, J0 = R.evaluate(center, kb, db, system="arb", order=2)
        except (ZeroDivisionError, ValueError) as exc:
            res = _fail(f"the loss cannot be evaluated at the centre ({exc})")
            return _make(R, ktext, dtext, center_txt, None, work, res, family, t0)
        Y = _inverse_mid(J0)
        if Y is None:
            res = _fail("the Hessian at the centre is singular")
            return _make(R, ktext, dtext, center_txt, None, work, res, family, t0)
        rads, res = _choose_and_check(R, center, kb, db, F, Y, radius, max_radius, blocks,
                                      ktext)
        return _make(R, ktext, dtext, center_txt, rads, work, res, family, t0)


def _fail(reason):
    return {"smooth": False, "exists": False, "sreason": "", "kreason": reason,
            "margin": None, "contraction": None, "bounds": [], "loss": None,
            "block_error": None, "kres": None}


def _center_text(x, work):
    if isinstance(x, str):
        mpmath.mpf(x)      # validates the literal
        return x.strip()
    if isinstance(x, arb):
        return _dstr(x, work + 5)
    return _dstr(mpmath.mpf(x) if not isinstance(x, float) else mpmath.mpf(x), work + 5)


def certify(family, k, dps=30, radius=None, blocks=True):
    """Certify the point of a catalogue family (name or :class:`Family`) at k (integer,
    real, or a decimal string): the point is continued from the family's seed and refined
    to the working precision, then :func:`certify_point`.  A k at which the family cannot
    be followed gives an ``unverified`` certificate with the reason.

    >>> certify("type-A", 20).status
    'minimum'
    >>> print(certify("type-A", "7.5"))                               # doctest: +ELLIPSIS
    certificate type-A in Fix(ΔS_{k-1}) at k = 7.5: minimum
      box: radius ...
    """
    from ..critical.families import get_family
    t0 = time.perf_counter()
    fam = get_family(family)
    ktext = _k_text(k)
    q = _parse_k(ktext)
    if q < fam.k_min:
        raise InputError(f"family {fam.name} ({fam.isotropy}) needs k >= {fam.k_min}, "
                         f"got k = {ktext}")
    work = working_dps(dps, float(q))
    with workdps(work + 5):
        kk = int(q) if q.denominator == 1 else _k_mpf(ktext)
        try:
            cp = fam.point(kk, dps=work + 5, full_check=False)
        except ConvergenceError as exc:
            R = restricted_loss(fam.isotropy)
            res = _fail(f"no point of the family at this k: {exc}")
            return _make(R, ktext, None, [], None, work, res, fam.name, t0)
    return certify_point(fam.isotropy, cp.xi, ktext, cp.d, dps=dps, radius=radius,
                         family=fam.name, blocks=blocks)


# --------------------------------------------------------------------------- many k
# Arb balls cross process boundaries exactly: midpoint and radius as (mantissa, exponent)
def _arb_reduce(x):
    m, e = x.mid().man_exp()
    r, f = x.rad().man_exp()
    return _arb_rebuild, (int(m), int(e), int(r), int(f))


def _arb_rebuild(m, e, r, f):
    from flint import ctx
    old = ctx.prec
    ctx.prec = max(old, abs(m).bit_length() + 8, 64)     # the midpoint exactly
    try:
        return arb(arb(fmpz(m)) * arb(2) ** e, arb(fmpz(r)) * arb(2) ** f)
    finally:
        ctx.prec = old


def _arb_mat_reduce(M):
    return arb_mat, ([[M[i, j] for j in range(M.ncols())] for i in range(M.nrows())],)


copyreg.pickle(arb, _arb_reduce)
copyreg.pickle(arb_mat, _arb_mat_reduce)


def _certify_chunk(args):
    family, ks, dps, blocks = args
    out = certify_family(family, ks, dps=dps, blocks=blocks, workers=1)
    for c in out:
        c.jacobian = None            # large, and only needed for warm starts
    return out


def certify_family(family, ks, dps=30, blocks=True, progress=None, workers=None):
    """Certify a family at many k (a list), returning certificates in the order of ``ks``.

    Points are obtained by one continuation to the smallest k, then along the sorted k by
    a polynomial predictor through the last five centres and chord-Newton steps in Arb
    with the previous k's Jacobian inverse (typically one gradient evaluation per k), so
    the cost per k does not grow with k.  Where that does not settle the point is
    continued from the family's seed as in :func:`certify`.  ``progress`` is called with
    each certificate.

    ``workers``: processes for long ranges (default: the local cores, for 400 values of k
    or more); the sorted k are cut into contiguous chunks, each warm-started on its own.

    >>> [c.status for c in certify_family("type-A", [5, 6, 7])]
    ['saddle', 'minimum', 'minimum']
    """
    from ..critical.families import Family, get_family
    fam = family if isinstance(family, Family) else get_family(family)
    if workers is None:
        import os
        workers = min(os.cpu_count() or 1, 8) if len(ks) >= 400 else 1
    if workers > 1 and len(ks) >= 2 * workers:
        return _certify_parallel(fam, ks, dps, blocks, progress, workers)
    R = restricted_loss(fam.isotropy)
    texts = [_k_text(k) for k in ks]
    order = sorted(range(len(texts)), key=lambda i: _parse_k(texts[i]))
    out = [None] * len(texts)
    hist = []                       # (k float, [mpf xi]) of the last centres
    jhist = []                      # (k float, midpoint of J(X)) of the last boxes
    k_min = fam.k_min
    for idx in order:
        ktext = texts[idx]
        kq = _parse_k(ktext)
        if kq < k_min:
            raise InputError(f"family {fam.name} ({fam.isotropy}) needs k >= {fam.k_min}, "
                             f"got k = {ktext}")
        t0 = time.perf_counter()
        work = working_dps(dps, float(kq))
        cert = None
        if hist and jhist and not getattr(fam, "exact", False):
            with workdps(work):
                Y = _inverse_mid(_predict_matrix(jhist, float(kq)))
                if Y is not None:
                    cert = _warm(R, fam, ktext, kq, hist, work, blocks, t0, Y)
        better = None
        if cert is not None:
            cert, better = cert
        else:
            cert = certify(fam, ktext, dps=dps, blocks=blocks)
        hist = [h for h in hist if h[0] != float(kq)]
        jhist = [h for h in jhist if h[0] != float(kq)]
        if cert.exists:
            with workdps(work):
                hist.append((float(kq), better or [mpmath.mpf(c) for c in cert.center]))
                if cert.jacobian is not None:
                    jhist.append((float(kq), _arb_mat(cert.jacobian).mid()))
        else:
            hist, jhist = [], []
        hist, jhist = hist[-5:], jhist[-3:]
        out[idx] = cert
        if progress:
            progress(cert)
    return out


def _certify_parallel(fam, ks, dps, blocks, progress, workers):
    """Contiguous chunks of the sorted k on a process pool (fork: the compiled restricted
    losses are inherited); results in the order of ``ks``."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor, as_completed
    texts = [_k_text(k) for k in ks]
    order = sorted(range(len(texts)), key=lambda i: _parse_k(texts[i]))
    for i in order[:1]:
        if float(_parse_k(texts[i])) < fam.k_min:
            raise InputError(f"family {fam.name} ({fam.isotropy}) needs k >= {fam.k_min}, "
                             f"got k = {texts[i]}")
    n_chunks = min(len(order), workers * 4)
    size = -(-len(order) // n_chunks)
    chunks = [order[i:i + size] for i in range(0, len(order), size)]
    restricted_loss(fam.isotropy)._layout              # compile before forking
    from ..symmetry.isotypic import isotypic_decomposition
    restricted_loss(isotypic_decomposition(fam.isotropy).k_spec)._layout
    out = [None] * len(texts)
    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        futs = {pool.submit(_certify_chunk, (fam.name if fam.builtin else fam,
                                             [texts[i] for i in ch], dps, blocks)): ch
                for ch in chunks}
        for fut in as_completed(futs):
            for i, cert in zip(futs[fut], fut.result()):
                out[i] = cert
                if progress:
                    progress(cert)
    return out


def _lagrange_weights(ks, kf):
    """Lagrange extrapolation weights to kf, in exact rational arithmetic (the k are few
    and small integers or decimals), returned as mpf at the working precision."""
    ks = [Fraction(k) for k in ks]
    kf = Fraction(kf)
    out = []
    for i, ki in enumerate(ks):
        w = Fraction(1)
        for j, kj in enumerate(ks):
            if j != i:
                w *= (kf - kj) / (ki - kj)
        out.append(mpmath.mpf(w.numerator) / w.denominator)
    return out


def _predict_matrix(jhist, kf):
    """The Jacobian at k extrapolated (Lagrange) from the last boxes' midpoints: its
    inverse is a good Krawczyk preconditioner Y for the next k."""
    ws = _lagrange_weights([k for k, _ in jhist], kf)
    M = None
    for w, (_, J) in zip(ws, jhist):
        t = J * _mparb(w)
        M = t if M is None else M + t
    return M


def _predict(hist, kf):
    """Lagrange extrapolation in k through the last (up to five) points."""
    pts = hist[-5:]
    ws = _lagrange_weights([k for k, _ in pts], kf)
    return [mpmath.fsum(w * xi[p] for w, (_, xi) in zip(ws, pts))
            for p in range(len(pts[0][1]))]


def _rel(step, center):
    return max(float(abs(step[i, 0]).upper()) / max(abs(float(center[i].mid())), 1e-300)
               for i in range(len(center)))


def _warm(R, fam, ktext, kq, hist, work, blocks, t0, Y):
    """Chord-Newton in Arb (midpoints) from the predicted point with the previous
    Jacobian inverse Y (refreshed when convergence is slow).  Returns the certificate and
    the point after one more chord step (for the predictor), or None if it does not
    settle."""
    kb = _k_arb(ktext)
    x = _predict(hist, float(kq))
    digits = work + 5
    target = _RHO[0] * 1e-2
    prev = rel = None
    refreshed = False
    for it in range(10):
        ctext = [_dstr(v, digits) for v in x]
        center = [arb(c) for c in ctext]
        try:
            if prev is not None and not refreshed and rel > 0.05 * prev:
                refreshed = True
                _, F, J = R.evaluate(center, kb, None, system="arb", order=2)
                Y = _inverse_mid(J)
                if Y is None:
                    return None
            else:
                _, F = R.evaluate(center, kb, None, system="arb", order=1)
        except (ZeroDivisionError, ValueError):
            return None
        step = Y * _column(F)
        prev = None if it == 0 else rel
        rel = _rel(step, center)
        if rel < target:
            rads, res = _choose_and_check(R, center, kb, None, F, Y, None, 1e-8, blocks,
                                          ktext)
            if res["exists"]:
                # the centre after this last (unevaluated) chord step: far more accurate
                # than the centre, it is what the next k's predictor extrapolates from
                better = [mpmath.mpf(c) - mpmath.mpf(step[i, 0].mid().str(digits,
                                                                          radius=False))
                          for i, c in enumerate(ctext)]
                return _make(R, ktext, None, ctext, rads, work, res, fam.name, t0), better
            return None
        if rel > 1e-2 or (prev is not None and rel > prev):
            return None
        x = [mpmath.mpf(c) - mpmath.mpf(step[i, 0].mid().str(digits, radius=False))
             for i, c in enumerate(ctext)]
    return None


# --------------------------------------------------------------------------- files
def load_certificate(path_or_dict):
    """The dict of a certificate file (or the dict itself)."""
    if isinstance(path_or_dict, dict):
        return path_or_dict
    try:
        return json.loads(Path(path_or_dict).read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"cannot read certificate {path_or_dict}: {exc}") from None


_STATUSES = ("minimum", "saddle", "unverified")


def verify_certificate(path_or_dict, blocks=True):
    """Re-check a certificate from its box alone, trusting nothing else in the file.

    Read: the isotropy spec, k (and d), the box centre and radii (decimal strings) and the
    precision.  Recomputed from them: the smooth-set check, the Krawczyk test and the
    isotypic blocks over the box.  Then every claim the file makes is *proven* on the
    recomputed enclosures, not compared with stored numbers:

    * the status (``minimum``/``saddle``/``unverified``) must be the recomputed one, and
      ``exists``/``smooth`` must hold when claimed;
    * each claimed lower bound c of a block's smallest eigenvalue must satisfy
      "no eigenvalue of the block below c" (Sylvester inertia of A − cB, every pair in
      the enclosures), each upper bound u "an eigenvalue below u", each eigenvalue
      enclosure [lo, hi] of the p-th eigenvalue the two counts at lo and hi, each sign the
      count at 0;
    * the claimed loss interval must contain the loss enclosure over the box, the claimed
      smooth-set margin must not exceed the recomputed one, the claimed radius must not
      exceed the box's;
    * a named family must live in this Fix(H), and its point at k (continued and refined
      again from the family's seed) must lie in the box.

    The result is a new :class:`Certificate` whose ``verified`` is True when all of this
    holds; otherwise its status is ``unverified`` and the reason names the first claim
    that failed.

    >>> import tempfile, os, json
    >>> cert = certify("type-A", 8)
    >>> path = os.path.join(tempfile.mkdtemp(), "typeA-8.json")
    >>> _ = cert.save(path)
    >>> v = verify_certificate(path)
    >>> v.status, v.verified
    ('minimum', True)
    >>> data = json.load(open(path)); data["center"][0] = "1.01"       # tamper
    >>> v = verify_certificate(data); v.status, v.verified
    ('unverified', False)
    """
    t0 = time.perf_counter()
    data = load_certificate(path_or_dict)
    if not isinstance(data, dict):
        raise InputError("not a symcrit certificate (expected a JSON object)")
    try:
        spec = str(data["isotropy"])
        ktext = _k_text(str(data["k"]))
        center_txt = [str(c) for c in data["center"]]
        rads = [str(r) for r in data["radii"]]
        dps = int(data["dps"])
        claimed = str(data.get("status"))
        for c in center_txt + rads:
            mpmath.mpf(c)
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"not a symcrit certificate (missing or bad field: {exc})") from None
    if data.get("format", FORMAT) != FORMAT:
        raise InputError(f"unknown certificate format {data.get('format')!r}")
    if claimed not in _STATUSES:
        raise InputError(f"bad status {claimed!r} in certificate")
    if not 10 <= dps <= 5000:
        raise InputError(f"bad precision {dps} in certificate")
    dtext = None if data.get("d") in (None, "None") else _k_text(str(data["d"]))
    R = restricted_loss(spec)
    if len(center_txt) != len(R.symbols) or len(rads) != len(R.symbols):
        raise InputError(f"certificate box has the wrong dimension for Fix({R.H.label})")
    for r in rads:
        if not (arb(r) >= 0):
            raise InputError(f"bad radius {r!r} in certificate")
    family = data.get("family")
    _check_claim_types(data)
    with workdps(dps):
        center = [arb(c) for c in center_txt]
        kb = _k_arb(ktext)
        db = None if dtext is None else _k_arb(dtext)
        try:
            res = _check(R, center, rads, kb, db, None, blocks, ktext)
        except (ZeroDivisionError, ValueError) as exc:
            res = _fail(f"the loss cannot be evaluated on the box ({exc})")
        cert = _make(R, ktext, dtext, center_txt, rads, dps, res, family, t0)
        why = _claims_fail(data, cert, res, R, center, rads, ktext, claimed)
        if not why and family is not None:
            why = _family_fails(family, R, cert, center, rads, ktext)
    cert.verified = not why
    if why:
        cert.status, cert.reason = "unverified", why
    cert.seconds = time.perf_counter() - t0
    return cert


_CLAIM_TYPES = {"family": (str,), "parameters": (list,), "lambda_min_lower": (dict,),
                "blocks": (list,), "loss": (list,), "radius": (str, int, float),
                "smooth_margin": (str, int, float), "exists": (bool,), "smooth": (bool,)}


def _check_claim_types(data):
    """The optional claims of a certificate file have the types a certificate writes; a
    file with others is not a certificate (one-line error, never a traceback)."""
    for key, types in _CLAIM_TYPES.items():
        v = data.get(key)
        if v is not None and not isinstance(v, types):
            raise InputError(f"not a symcrit certificate: {key!r} must be "
                             f"{' or '.join(t.__name__ for t in types)}, got "
                             f"{type(v).__name__}")
    for irrep, c in (data.get("lambda_min_lower") or {}).items():
        if not isinstance(c, (str, type(None))):
            raise InputError(f"not a symcrit certificate: lambda_min_lower[{irrep!r}] must be "
                             "a decimal string")
    for blk in data.get("blocks") or []:
        if not isinstance(blk, dict) or not isinstance(blk.get("irrep"), str):
            raise InputError("not a symcrit certificate: each block must be an object with "
                             "an 'irrep' string")


def _claims_fail(data, cert, res, R, center, rads, ktext, claimed):
    """The first claim of the file that the recomputation does not prove ("" if none)."""
    if cert.status != claimed:
        return (f"the file claims {claimed!r}; recomputation gives {cert.status!r}"
                + (f" ({cert.reason})" if cert.reason else ""))
    for key in ("exists", "smooth"):
        if data.get(key) is True and not getattr(cert, key):
            return f"the file claims {key} = true; the recomputation does not prove it"
    names = data.get("parameters")
    if names is not None and list(names) != list(R.fixed.names):
        return f"the parameters {names} are not those of Fix({R.H.label})"
    try:
        if data.get("radius") is not None:
            if not float(data["radius"]) <= 1.01 * max(float(r) for r in rads):
                return (f"the claimed radius {data['radius']} exceeds the box's "
                        f"({max(float(r) for r in rads):.3g})")
        if data.get("loss") is not None:
            lo, hi = (arb(str(x)) for x in data["loss"])
            L = cert.loss
            if L is None or not (bool(lo <= L) and bool(L <= hi)):
                return f"the claimed loss interval {data['loss']} is not proven"
        if data.get("smooth_margin") is not None:
            m = arb(str(data["smooth_margin"]))
            if cert.smooth_margin is None or not bool(m <= cert.smooth_margin):
                return f"the claimed smooth-set margin {data['smooth_margin']} is not proven"
    except (TypeError, ValueError) as exc:
        return f"a malformed claim in the file ({exc})"
    raw = {b.irrep: b for b in res.get("blocks_raw") or []}
    have = {b.irrep: b for b in cert.blocks}
    claims = []
    for irrep, c in (data.get("lambda_min_lower") or {}).items():
        if c is not None:
            claims.append((irrep, "lower", c))
    for blk in data.get("blocks") or []:
        if not isinstance(blk, dict):
            return "a malformed block in the file"
        irrep = blk.get("irrep")
        for key in ("lambda_min_lower", "lambda_min_upper", "sign", "eigenvalues",
                    "multiplicity", "count", "dimension"):
            if blk.get(key) is not None:
                claims.append((irrep, key, blk[key]))
    for irrep, key, val in claims:
        if irrep not in have or irrep not in raw:
            return f"the file claims a block {irrep!r} that the recomputation does not have"
        b, rb = have[irrep], raw[irrep]
        try:
            why = _block_claim_fails(b, rb, key, val)
        except (TypeError, ValueError) as exc:
            why = f"a malformed claim {key} = {val!r} for block {irrep} ({exc})"
        if why:
            return why
    return ""


def _block_claim_fails(b, rb, key, val):
    """Prove one claim about a block on the recomputed enclosures (A, B) ("" if proven)."""
    if key == "multiplicity":        # compared as text: file text is never parsed by sympy
        return "" if str(val) == str(b.multiplicity) else \
            f"the multiplicity {val!r} of block {b.irrep} is wrong"
    if key == "count":
        return "" if str(val) == b.count else f"the count {val!r} of block {b.irrep} is wrong"
    if key == "dimension":
        return "" if int(val) == b.dimension else \
            f"the dimension {val!r} of block {b.irrep} is wrong"
    if not b.present:
        ok = (key == "sign" and val == "absent") or (key == "eigenvalues" and val == [])
        return "" if ok else f"block {b.irrep} does not occur at this k; the file claims {key}"
    A, B = _arb_mat(rb.A), _arb_mat(rb.B)
    m = A.nrows()
    below = lambda sigma: _count_below(A, B, sigma)
    if key == "sign":
        if val == "undecided":
            return ""
        n0 = below(arb(0))
        ok = (val == "positive" and n0 == 0) or (val == "negative" and n0 is not None
                                                 and n0 >= 1)
        return "" if ok else f"the sign {val!r} of block {b.irrep} is not proven"
    if key in ("lambda_min_lower", "lower"):
        n = below(arb(str(val)))
        return "" if n == 0 else \
            f"the claimed lower bound {val} of block {b.irrep} is not proven"
    if key == "lambda_min_upper":
        n = below(arb(str(val)))
        return "" if n is not None and n >= 1 else \
            f"the claimed upper bound {val} of block {b.irrep} is not proven"
    if key == "eigenvalues":
        if not isinstance(val, list) or len(val) != m:
            return f"the file lists {len(val) if isinstance(val, list) else '?'} " \
                   f"eigenvalues for block {b.irrep}, which has {m}"
        for p, e in enumerate(val):
            if e is None:
                continue
            lo, hi = arb(str(e[0])), arb(str(e[1]))
            nlo, nhi = below(lo), below(hi)
            if nlo is None or nhi is None or not (nlo <= p < nhi):
                return (f"the claimed enclosure [{e[0]}, {e[1]}] of eigenvalue {p} of block "
                        f"{b.irrep} is not proven")
        return ""
    return ""


def _count_below(A, B, sigma):
    """The number of generalised eigenvalues of (A, B) below σ (None if undecided), by
    Sylvester inertia in a floating B-orthonormal eigenbasis (float64, then mpmath)."""
    for high in (False, True):
        try:
            _, V = _approx_eigen(A, B, high)
        except (np.linalg.LinAlgError, ValueError, ZeroDivisionError):
            continue
        if _ldl_negatives(V.transpose() * B * V) != 0:      # B ≻ 0, V nonsingular
            continue
        n = inertia_below(A, B, sigma, V)
        if n is not None:
            return n
    return None


def _family_fails(family, R, cert, center, rads, ktext):
    """A named family must live in Fix(H) and pass through the box at k."""
    from ..critical.families import get_family
    try:
        fam = get_family(family)
    except InputError as exc:
        return f"the file names an unknown family ({exc})"
    if restricted_loss(fam.isotropy).H.label != R.H.label:
        return (f"family {fam.name} lives in Fix({restricted_loss(fam.isotropy).H.label}), "
                f"not in Fix({R.H.label})")
    if not cert.certified:
        return ""
    q = _parse_k(ktext)
    try:
        with workdps(cert.dps):
            kk = int(q) if q.denominator == 1 else _k_mpf(ktext)
            cp = fam.point(kk, dps=cert.dps, full_check=False)
            for x, c, r in zip(cp.xi, center, rads):
                xb = _mparb(x)
                if not (bool(xb > c - arb(r)) and bool(xb < c + arb(r))):
                    return (f"the point of family {fam.name} at k = {ktext} is not in the box "
                            "(the certificate is about another critical point)")
    except (ConvergenceError, InputError) as exc:
        return f"the point of family {fam.name} at k = {ktext} could not be computed ({exc})"
    return ""


