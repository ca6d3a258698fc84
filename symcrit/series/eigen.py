r"""Series of Hessian eigenvalues along a family, from the isotypic blocks in Laurent series.

Along a family the isotypic blocks :math:`(A(\varepsilon), B(\varepsilon))` of the Hessian
(:func:`symcrit.spectra.hessian_blocks`) have entries that are Laurent series in
:math:`\varepsilon = k^{-1/2}`: they are computed by running the same compiled Hessian of
the restricted loss in the number system of truncated Laurent series
(:mod:`symcrit.algebra.laurent`) at the series of the critical point.  The eigenvalues of a
block are the roots in λ of the characteristic polynomial

.. math::

    p(\lambda, \varepsilon) = \det\bigl(A(\varepsilon) - \lambda B(\varepsilon)\bigr)
        = \sum_j p_j(\varepsilon)\,\lambda^j ,

and each branch :math:`\lambda(\varepsilon)` is found by the Newton polygon of ``p`` in ε
(the edges give the leading powers, the edge polynomials the leading coefficients), one
further polygon step for each cluster of equal leading coefficients, and Newton (Hensel)
lifting of the simple roots (Walker, "Algebraic Curves", 1950, ch. IV; the same hull as
:mod:`symcrit.algebra.polygon`).  Since ``A`` and ``B`` are real symmetric with ``B``
positive definite, the branches are power series in ε (Rellich 1969, "Perturbation Theory
of Eigenvalue Problems", ch. 1): only integer powers of ε occur, so half-integer powers
of k.

The coefficient domain of the series decides exactness
(:mod:`symcrit.algebra.domains`), and its ``roots`` solve the edge polynomials, as in
Newton–Puiseux: in an exact domain a linear edge polynomial is solved directly, others are
factored over :math:`\mathbb{Q}(\pi)` (π an indeterminate: one branch per root of each
rational factor, as in Duval 1989, "Rational Puiseux expansions"); a branch whose leading
coefficient is a root of an irreducible factor of degree > 1 is not in the field and raises
:class:`~symcrit.algebra.NotExact` (the caller then works numerically).  With mpmath
coefficients the edge polynomials are solved by ``polyroots`` and equal roots clustered
(:func:`symcrit.algebra.numeric_roots`).  The characteristic polynomial and the Hensel
lifting use the dense polynomials of :mod:`symcrit.algebra.dense` (coefficients: series).

>>> import mpmath
>>> from symcrit.algebra import LaurentSystem, QQ_PI
>>> with mpmath.workdps(30):
...     S = LaurentSystem(order=8)
...     e = S.epsilon()
...     A = [[S.convert(1) + e, e], [e, S.convert(1) - e]]      # eigenvalues 1 ± √2 ε
...     B = [[S.convert(1), S.convert(0)], [S.convert(0), S.convert(1)]]
...     br = eigen_branches(charpoly(A, B), 6)
...     [mpmath.nstr(c, 10) for c in sorted(br, key=lambda s: s.coefficient(1))[0].coefficients(3)]
['1.0', '-1.414213562', '0.0']
>>> X = LaurentSystem(order=8, domain=QQ_PI)
>>> e, one, pi = X.epsilon(), X.convert(1), X.pi
>>> A = [[one / 4 + e / pi, e**2], [e**2, one / 4 - e / pi]]     # 1/4 ± ε/π + O(ε³)
>>> B = [[one, 0 * one], [0 * one, one]]
>>> sorted(str(b.coefficients(3)) for b in eigen_branches(charpoly(A, B), 4))
['[1/4, -1/pi, 0]', '[1/4, 1/pi, 0]']
"""
from __future__ import annotations

import math

import mpmath

from ..algebra import NotExact, lower_hull, poly_add, poly_diff, poly_eval, poly_mul
from ..core import ConvergenceError, newton
from ..spectra import isotypic_blocks

__all__ = ["charpoly", "eigen_branches", "series_blocks"]


# ----------------------------------------------------------------------------- polynomials
def charpoly(A, B):
    r"""The characteristic polynomial of a pencil of series matrices.

    The coefficients :math:`p_0, \dots, p_r` (series) of :math:`\det(A - \lambda B) =
    \sum_j p_j\lambda^j`, by Laplace expansion along the rows with memoised minors
    (:math:`O(r\,2^r)` products of polynomials in λ).

    Parameters
    ----------
    A, B : list of lists
        ``r × r`` matrices of :class:`~symcrit.algebra.LaurentSeries`.

    Returns
    -------
    list
        :math:`p_0, \dots, p_r`, lowest degree first.

    Examples
    --------
    >>> from symcrit.algebra import LaurentSystem, QQ_PI
    >>> S = LaurentSystem(order=4, domain=QQ_PI)
    >>> one, zero, e = S.convert(1), S.convert(0), S.epsilon()
    >>> [p.coefficients(2) for p in charpoly([[one, e], [e, one]], [[one, zero], [zero, one]])]
    [[1, 0], [-2, 0], [1, 0]]
    """
    r = len(A)
    M = [[[A[i][j], -B[i][j]] for j in range(r)] for i in range(r)]
    memo = {}

    def minor(row, cols):
        if row == r:
            return None
        key = cols
        if key in memo:
            return memo[key]
        acc = None
        for pos, c in enumerate(cols):
            rest = cols[:pos] + cols[pos + 1:]
            sub = minor(row + 1, rest)
            term = M[row][c] if sub is None else poly_mul(M[row][c], sub)
            if pos % 2:
                term = [-t for t in term]
            acc = term if acc is None else poly_add(acc, term)
        memo[key] = acc
        return acc
    return minor(0, tuple(range(r)))


# ----------------------------------------------------------------------------- branches
def _shift(p, sigma, c0, S):
    r"""Coefficients in μ of :math:`p(\varepsilon^\sigma (c_0 + \mu))`."""
    n = len(p) - 1
    out = []
    for i in range(n + 1):
        acc = None
        for j in range(i, n + 1):
            t = p[j] * S.monomial(c0 ** (j - i) * math.comb(j, i), sigma * j)
            acc = t if acc is None else acc + t
        out.append(acc)
    return out


def eigen_branches(p, order, depth=0, only_small=False):
    r"""The roots :math:`\lambda(\varepsilon)` of :math:`\sum_j p_j(\varepsilon)\lambda^j`
    as series, by Newton polygons and Hensel lifting.

    An edge of the polygon of the points :math:`(j, \operatorname{ord}_\varepsilon p_j)`
    with slope −σ gives branches :math:`\lambda \sim c_0\varepsilon^\sigma`, c₀ a root of
    the edge polynomial; a simple root is lifted by Newton's iteration in series arithmetic,
    a multiple one by a further polygon step on
    :math:`p(\varepsilon^\sigma(c_0 + \mu))` (Walker 1950, ch. IV).  Exact or numeric as
    the coefficient domain of the series.

    Parameters
    ----------
    p : list of LaurentSeries
        :math:`p_0, \dots, p_r` (:func:`charpoly`).
    order : int
        Terms after the leading one aimed at.
    depth : int
        The recursion depth (internal).
    only_small : bool
        Only the branches that tend to 0 (used in the recursion).

    Returns
    -------
    list of LaurentSeries
        One per root, with multiplicity (real branches: the pencil is symmetric).

    Raises
    ------
    NotExact
        A leading coefficient outside the exact domain (the caller goes numeric).
    ConvergenceError
        Complex or fractional-exponent branches (not a symmetric pencil, or too little
        precision), or branches that do not separate.

    Examples
    --------
    >>> from symcrit.algebra import LaurentSystem, QQ_PI
    >>> S = LaurentSystem(order=6, domain=QQ_PI)
    >>> e, one = S.epsilon(), S.convert(1)
    >>> sorted(str(b.coefficients(3)) for b in eigen_branches([e ** 2 - one, 0 * one, one], 3))
    ['[-1, 0, 1/2]', '[1, 0, -1/2]']
    """
    S = next(x for x in p if x is not None).system
    D = S.domain
    while p and p[-1].valuation() is None:
        p = p[:-1]
    n = len(p) - 1
    if n <= 0:
        return []
    out = []
    z = 0
    while z < n and p[z].valuation() is None:     # exact zero roots
        z += 1
    if z:
        out += [S.convert(0)] * z
        p = p[z:]
        n -= z
    vals = [x.valuation() for x in p]
    pts = [(j, v) for j, v in enumerate(vals) if v is not None]
    hull = lower_hull(pts)
    for (j1, v1), (j2, v2) in zip(hull, hull[1:]):
        if (v1 - v2) % (j2 - j1):
            raise ConvergenceError(f"eigenvalue branch with fractional exponent "
                                   f"{v1 - v2}/{j2 - j1} in ε (not expected for a symmetric "
                                   "pencil); raise the working precision")
        sigma = (v1 - v2) // (j2 - j1)        # λ ~ ε^sigma
        if only_small and sigma <= 0:
            continue
        edge = [p[j].coefficient(v1 - sigma * (j - j1)) if vals[j] is not None else D.zero
                for j in range(j1, j2 + 1)]
        for c0, m in _edge_roots(edge, D):
            q = _shift(p, sigma, c0, S)
            if m == 1:
                out.append((_hensel(q, order) + c0) * S.monomial(1, sigma))
                continue
            if depth > 8:
                raise ConvergenceError("eigenvalue branches do not separate (a multiple "
                                       "eigenvalue for every k?)")
            subs = eigen_branches(q, order, depth + 1, only_small=True)
            if len(subs) != m:
                raise ConvergenceError(f"a cluster of {m} eigenvalue branches gave "
                                       f"{len(subs)}; raise the working precision")
            for mu in subs:
                out.append((mu + c0) * S.monomial(1, sigma))
    return out


def _edge_roots(edge, D):
    """``[(root, multiplicity)]`` of the edge polynomial in the domain D: real roots only
    (a symmetric pencil); NotExact when a root lies in a larger field."""
    out = []
    for c0, m, K in D.roots(edge):
        if isinstance(c0, mpmath.mpc):
            raise ConvergenceError("complex eigenvalue branch (the pencil is not symmetric "
                                   "positive definite?)")
        if K is not D:
            raise NotExact("an eigenvalue branch whose leading coefficient is algebraic of "
                           f"degree {K.degree} over {D.name}")
        out.append((c0, m))
    return out


def _hensel(q, order):
    """The root μ(ε) → 0 of Σ q_j μ^j when μ = 0 is a simple root of q(·, 0): Newton's
    iteration in series arithmetic (:func:`symcrit.core.newton`; each step doubles the
    number of correct terms).  The branch is a root to the precision the series carry
    (exactly, in an exact domain): checked, not assumed from the number of steps."""
    S = q[0].system
    dq = poly_diff(q)
    try:
        res = newton(lambda mu: ([poly_eval(q, mu[0])], poly_eval(dq, mu[0]), None),
                     [S.convert(0)], 0, maxsteps=2 * int(math.log2(order + 2)) + 6,
                     solve=lambda J, F: [F[0] / J],
                     residual=lambda F: 0 if F[0].is_zero() else 1)
    except ConvergenceError as exc:
        raise ConvergenceError("the Hensel lifting of an eigenvalue branch did not "
                               f"converge ({exc})") from None
    return res.x[0]


# ----------------------------------------------------------------------------- blocks
def series_blocks(isotropy, xi, S):
    r"""The isotypic blocks of the Hessian at a point of Fix(H) given as series in ε.

    The same computation as :func:`symcrit.spectra.isotypic_blocks` (generic layout), run
    on series with :math:`k = \varepsilon^{-2}`.

    Parameters
    ----------
    isotropy : str
        The isotropy subgroup H (e.g. ``"ΔS_{k-1}"``).
    xi : list of LaurentSeries
        The point ξ(ε).
    S : LaurentSystem

    Returns
    -------
    list
        The blocks (``irrep``, ``multiplicity``, matrices ``A``, ``B`` of series).
    """
    return isotypic_blocks(isotropy, xi, S.monomial(1, -2), S)
