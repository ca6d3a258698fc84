r"""Series of Hessian eigenvalues along a family, from the isotypic blocks in Laurent series.

Along a family the isotypic blocks :math:`(A(\varepsilon), B(\varepsilon))` of the Hessian
(:func:`symcrit.spectrum.hessian_blocks`) have entries that are Laurent series in
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
:mod:`symcrit.algebra.puiseux`).  Since ``A`` and ``B`` are real symmetric with ``B``
positive definite, the branches are power series in ε (Rellich 1969, "Perturbation Theory
of Eigenvalue Problems", ch. 1): only integer powers of ε occur, so half-integer powers
of k.

The coefficient domain of the series decides exactness
(:mod:`symcrit.algebra.domains`).  In an exact domain a linear edge polynomial is solved
directly; others are factored over :math:`\mathbb{Q}(\pi)` (by the field arithmetic of
:mod:`symcrit.algebra.puiseux`, π an indeterminate: one branch per root of each rational
factor, as in Duval 1989, "Rational Puiseux expansions"); a branch whose leading coefficient is a
root of an irreducible factor of degree > 1 is not in the field and raises
:class:`~symcrit.algebra.domains.NotExact` (the caller then works numerically).  With
mpmath coefficients the edge polynomials are solved by ``polyroots`` and equal roots
clustered.

>>> import mpmath
>>> from symcrit.algebra.laurent import LaurentSystem
>>> with mpmath.workdps(30):
...     S = LaurentSystem(order=8)
...     e = S.epsilon()
...     A = [[S.convert(1) + e, e], [e, S.convert(1) - e]]      # eigenvalues 1 ± √2 ε
...     B = [[S.convert(1), S.convert(0)], [S.convert(0), S.convert(1)]]
...     br = eigen_branches(charpoly(A, B), 6)
...     [mpmath.nstr(c, 10) for c in sorted(br, key=lambda s: s.coefficient(1))[0].coefficients(3)]
['1.0', '-1.414213562', '0.0']
>>> from symcrit.algebra.domains import QQ_PI
>>> X = LaurentSystem(order=8, domain=QQ_PI)
>>> e, one, pi = X.epsilon(), X.convert(1), X.pi
>>> A = [[one / 4 + e / pi, e**2], [e**2, one / 4 - e / pi]]     # 1/4 ± ε/π + O(ε³)
>>> sorted(str(b.coefficients(3)) for b in eigen_branches(charpoly(A, [[one, 0 * one], [0 * one, one]]), 4))
['[1/4, -1/pi, 0]', '[1/4, 1/pi, 0]']
"""
from __future__ import annotations

import math

import mpmath

from ..core import ConvergenceError
from ..algebra.domains import NotExact, QPi
from ..algebra.puiseux import lower_hull, numeric_roots

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


def _eval(p, x):
    acc = p[-1]
    for c in reversed(p[:-1]):
        acc = acc * x + c
    return acc


def _derivative(p):
    return [p[j] * j for j in range(1, len(p))]


def _numeric_roots(coeffs):
    """``[(root, multiplicity)]`` of Σ coeffs[i] c^i (real roots; mpmath)."""
    out = numeric_roots([mpmath.mpf(x) for x in reversed(coeffs)])
    if any(isinstance(c0, mpmath.mpc) for c0, _ in out):
        raise ConvergenceError("complex eigenvalue branch (the pencil is not symmetric "
                               "positive definite?)")
    return out


def _exact_roots(coeffs, D):
    r"""``[(root, multiplicity)]`` of Σ coeffs[i] c^i over :math:`\mathbb{Q}(\pi)` (roots
    in the field; an irreducible factor of degree > 1 raises NotExact).  The factoring is
    that of the Newton–Puiseux module over Q(π) (:class:`~symcrit.algebra.puiseux._ParamField`).
    Coefficients in an extension domain D must lie in Q(π); the roots are returned in D."""
    import sympy
    from ..algebra.puiseux import _PElem, _ParamField
    nz = [i for i, c in enumerate(coeffs) if not c.is_zero()]
    if nz[-1] - nz[0] == 1:                        # linear: no factoring needed
        return [(-(coeffs[nz[0]] / coeffs[nz[-1]]), 1)]
    if any(not isinstance(c, QPi) for c in coeffs):
        if any(not c.b.is_zero() for c in coeffs):
            raise NotExact(f"an edge polynomial of the eigenvalue branches over {D.name} "
                           "(factored over Q(pi) only)")
        return [(D.convert(r), m) for r, m in _exact_roots([c.a for c in coeffs], D)]
    u = sympy.Dummy("u")
    F = sympy.QQ.frac_field(u)
    fld = _ParamField(F, [(u, sympy.pi)])
    elems = [_PElem(fld, [F.from_sympy(c.to_sympy().subs(sympy.pi, u))]) for c in coeffs]
    out = []
    for root, mult, fld2 in fld.roots(elems):
        if fld2 is not fld:
            raise NotExact("an eigenvalue branch whose leading coefficient is algebraic of "
                           f"degree {fld2.d} over Q(pi)")
        out.append((_frac_to_qpi(root.c[0] if root.c else F.zero), mult))
    return out


def _frac_to_qpi(f):
    """A sympy FracElement of Q(u) as a :class:`QPi` (u = π)."""
    from flint import fmpq_poly

    def poly(p):
        cs = [0] * (max((m[0] for m, _ in p.terms()), default=0) + 1)
        for (e,), c in p.terms():
            cs[e] = c
        return fmpq_poly(cs)
    n, d = poly(f.numer), poly(f.denom)
    # clear the rational denominators: n/d = (n·L)/(d·L)
    from flint import fmpz_poly
    L = math.lcm(*[int(c.q) for c in list(n.coeffs()) + list(d.coeffs())] or [1])
    nz = fmpz_poly([int(c * L) for c in n.coeffs()])
    dz = fmpz_poly([int(c * L) for c in d.coeffs()])
    return QPi(nz, dz)


def eigen_branches(p, order, depth=0, only_small=False):
    r"""The roots :math:`\lambda(\varepsilon)` of :math:`\sum_j p_j(\varepsilon)\lambda^j`
    as series (real branches; ``order`` terms after the leading one are aimed at), by Newton
    polygons and Hensel lifting.  ``only_small``: only the branches that tend to 0 (used
    in the recursion).  Exact or numeric as the coefficient domain of the series."""
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
        roots = _exact_roots(edge, D) if D.exact else _numeric_roots(edge)
        for c0, m in roots:
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


def _hensel(q, order):
    """The root μ(ε) → 0 of Σ q_j μ^j when μ = 0 is a simple root of q(·, 0): Newton's
    iteration in series arithmetic (each step doubles the number of correct terms)."""
    S = q[0].system
    dq = _derivative(q)
    mu = S.convert(0)
    for _ in range(2 * int(math.log2(order + 2)) + 6):
        step = _eval(q, mu) / _eval(dq, mu)
        mu = mu - step
        if step.is_zero():
            break
    # the branch is a root to the precision the series carry (exactly, in an exact domain):
    # checked, not assumed from the number of steps
    if not _eval(q, mu).is_zero():
        raise ConvergenceError("the Hensel lifting of an eigenvalue branch did not converge")
    return mu


# ----------------------------------------------------------------------------- blocks
def series_blocks(isotropy, xi, S):
    r"""The isotypic blocks of the Hessian at the point ξ(ε) of Fix(H) (a list of series)
    with :math:`k = \varepsilon^{-2}`, in the Laurent system ``S``: the same computation as
    :func:`symcrit.spectrum.hessian_blocks` (generic layout), run on series."""
    from ..spectra import isotypic_blocks
    return isotypic_blocks(isotropy, xi, S.monomial(1, -2), S)
