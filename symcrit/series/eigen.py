r"""Series of Hessian eigenvalues along a family, from the isotypic blocks in Laurent series.

Along a family the isotypic blocks :math:`(A(\varepsilon), B(\varepsilon))` of the Hessian
(:func:`symcrit.spectrum.hessian_blocks`) have entries that are Laurent series in
:math:`\varepsilon = k^{-1/2}`: they are computed by running the same compiled Hessian of
the restricted loss in the number system of truncated Laurent series
(:mod:`symcrit.series.laurent`) at the series of the critical point.  The eigenvalues of a
block are the roots in λ of the characteristic polynomial

.. math::

    p(\lambda, \varepsilon) = \det\bigl(A(\varepsilon) - \lambda B(\varepsilon)\bigr)
        = \sum_j p_j(\varepsilon)\,\lambda^j ,

and each branch :math:`\lambda(\varepsilon)` is found by the Newton polygon of ``p`` in ε
(:mod:`symcrit.series.puiseux`, here with truncated Laurent series as coefficients)
(the edges give the leading powers, the edge polynomials the leading coefficients), one
further polygon step for each cluster of equal leading coefficients, and Newton (Hensel)
lifting of the simple roots (Walker, "Algebraic Curves", 1950, ch. IV).  Since ``A`` and
``B`` are real symmetric with ``B`` positive definite, the branches are power series in ε
(Rellich 1969, "Perturbation Theory of Eigenvalue Problems", ch. 1): only integer powers of
ε occur, so half-integer powers of k.

>>> import mpmath
>>> from symcrit.series.laurent import LaurentSystem
>>> with mpmath.workdps(30):
...     S = LaurentSystem(order=8)
...     e = S.epsilon()
...     A = [[S.convert(1) + e, e], [e, S.convert(1) - e]]      # eigenvalues 1 ± √2 ε
...     B = [[S.convert(1), S.convert(0)], [S.convert(0), S.convert(1)]]
...     br = eigen_branches(charpoly(A, B), 6)
...     [mpmath.nstr(c, 10) for c in sorted(br, key=lambda s: s.coefficient(1))[0].coefficients(3)]
['1.0', '-1.414213562', '0.0']
"""
from __future__ import annotations

import math
from itertools import combinations

import mpmath

from ..errors import ConvergenceError
from .puiseux import cluster_roots, lower_hull

__all__ = ["charpoly", "eigen_branches", "series_blocks"]


# ----------------------------------------------------------------------------- polynomials
def _padd(p, q):
    n = max(len(p), len(q))
    return [(p[i] if i < len(p) else None, q[i] if i < len(q) else None) for i in range(n)]


def _poly_add(p, q):
    out = []
    for a, b in _padd(p, q):
        out.append(a if b is None else b if a is None else a + b)
    return out


def _poly_mul(p, q):
    out = [None] * (len(p) + len(q) - 1)
    for i, a in enumerate(p):
        for j, b in enumerate(q):
            t = a * b
            out[i + j] = t if out[i + j] is None else out[i + j] + t
    return out


def charpoly(A, B):
    r"""The coefficients :math:`p_0, \dots, p_r` (series) of
    :math:`\det(A - \lambda B) = \sum_j p_j\lambda^j` for ``r × r`` matrices of series, by
    Laplace expansion with memoised minors (:math:`O(r\,2^r)` products)."""
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
            term = M[row][c] if sub is None else _poly_mul(M[row][c], sub)
            if pos % 2:
                term = [-t for t in term]
            acc = term if acc is None else _poly_add(acc, term)
        memo[key] = acc
        return acc
    return minor(0, tuple(range(r)))


# ----------------------------------------------------------------------------- branches
def _val(s):
    n = s.normalized()
    return n.val if n.coeffs else None


def _shift(p, sigma, c0, S):
    r"""Coefficients in μ of :math:`p(\varepsilon^\sigma (c_0 + \mu))`."""
    n = len(p) - 1
    out = []
    for i in range(n + 1):
        acc = None
        for j in range(i, n + 1):
            coef = math.comb(j, i) * c0 ** (j - i)
            t = p[j] * S.monomial(coef * 1, sigma * j) if True else None
            acc = t if acc is None else acc + t
        out.append(acc)
    return out


def _eval(p, x):
    acc = p[-1]
    for c in reversed(p[:-1]):
        acc = acc * x + c
    return acc


def _derivative(p):
    return [p[j] * j for j in range(1, len(p))]


def eigen_branches(p, order, depth=0, only_small=False):
    r"""The roots :math:`\lambda(\varepsilon)` of :math:`\sum_j p_j(\varepsilon)\lambda^j`
    as series (real branches; ``order`` terms after the leading one are aimed at), by Newton
    polygons and Hensel lifting.  ``only_small``: only the branches that tend to 0 (used
    in the recursion)."""
    S = next(x for x in p if x is not None).system
    while p and _val(p[-1]) is None:
        p = p[:-1]
    n = len(p) - 1
    if n <= 0:
        return []
    out = []
    z = 0
    while z < n and _val(p[z]) is None:     # exact zero roots
        z += 1
    if z:
        out += [S.convert(0)] * z
        p = p[z:]
        n -= z
    pts = [(j, _val(p[j])) for j in range(n + 1) if _val(p[j]) is not None]
    hull = lower_hull(pts)
    tol = mpmath.mpf(10) ** (-(mpmath.mp.dps // 4))
    for (j1, v1), (j2, v2) in zip(hull, hull[1:]):
        slope = mpmath.mpf(v1 - v2) / (j2 - j1)        # λ ~ ε^slope
        if slope != int(slope):
            raise ConvergenceError(f"eigenvalue branch with fractional exponent {slope} in ε "
                                   "(not expected for a symmetric pencil); raise the working "
                                   "precision")
        sigma = int(slope)
        if only_small and sigma <= 0:
            continue
        edge = [p[j].coefficient(v1 - sigma * (j - j1)) if _val(p[j]) is not None else 0
                for j in range(j1, j2 + 1)]
        # Σ_j edge[j-j1] c^(j-j1) = 0  (c ≠ 0)
        coeffs = [mpmath.mpf(x) for x in reversed(edge)]
        roots = mpmath.polyroots(coeffs, maxsteps=200, extraprec=4 * mpmath.mp.prec) \
            if len(coeffs) > 2 else [-coeffs[1] / coeffs[0]]
        for c0, m in cluster_roots(roots, tol):
            if isinstance(c0, mpmath.mpc):
                if abs(c0.imag) > tol * max(1, abs(c0)):
                    raise ConvergenceError("complex eigenvalue branch (the pencil is not "
                                           "symmetric positive definite?)")
                c0 = c0.real
            q = _shift(p, sigma, c0, S)
            if m == 1:
                mu = _hensel(q, order)
            else:
                if depth > 8:
                    raise ConvergenceError("eigenvalue branches do not separate (a multiple "
                                           "eigenvalue for every k?)")
                subs = eigen_branches(q, order, depth + 1, only_small=True)
                if len(subs) != m:
                    raise ConvergenceError(f"a cluster of {m} eigenvalue branches gave "
                                           f"{len(subs)}; raise the working precision")
                for mu in subs:
                    out.append((S.convert(c0) + mu) * S.monomial(1, sigma))
                continue
            out.append((S.convert(c0) + mu) * S.monomial(1, sigma))
    return out


def _hensel(q, order):
    """The root μ(ε) → 0 of Σ q_j μ^j when μ = 0 is a simple root of q(·, 0): Newton's
    iteration in series arithmetic (each step doubles the number of correct terms)."""
    S = q[0].system
    dq = _derivative(q)
    mu = S.convert(0)
    d0 = _eval(dq, mu).normalized()
    v = d0.val
    for _ in range(2 * int(math.log2(order + 2)) + 6):
        r = _eval(q, mu)
        step = (r / _eval(dq, mu))
        rn = step.normalized()
        mu = mu - step
        if not rn.coeffs:
            break
    return mu


# ----------------------------------------------------------------------------- blocks
def series_blocks(isotropy, xi, S):
    r"""The isotypic blocks of the Hessian at the point ξ(ε) of Fix(H) (a list of series)
    with :math:`k = \varepsilon^{-2}`, in the Laurent system ``S``: the same computation as
    :func:`symcrit.spectrum.hessian_blocks` (generic layout), run on series."""
    from ..spectrum import _blocks, _point_data
    from ..symmetry.isotypic import isotypic_decomposition
    dec = isotypic_decomposition(isotropy)
    lay = dec.layout(None)
    k = S.monomial(1, -2)
    _, _, Hm = _point_data(dec, lay, list(xi), k, S)
    return _blocks(dec, lay, Hm, k, S)
