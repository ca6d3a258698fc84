r"""Roots of univariate polynomials: numerically, by factoring over :math:`\mathbb{Q}(\pi)`,
and the conjugates of an algebraic number.

**Numerically** (:func:`numeric_roots`): mpmath's ``polyroots`` (Durand–Kerner) at extra
precision.  A root of multiplicity m computed at precision p scatters by about
:math:`p^{1/m}`, so close roots are grouped (:func:`cluster_roots`) at a quarter of the
working digits and reported once with their multiplicity; a negligible imaginary part is
dropped.  This is the one numerical root finder of Newton–Puiseux and of the eigenvalue
branches.

**Over** :math:`\mathbb{Q}(\pi)` (:func:`factor_qpi`): with π an indeterminate u, a
polynomial in z with coefficients in :math:`\mathbb{Q}(\pi)` is, after clearing
denominators, an integer polynomial in (z, u); python-flint's ``fmpz_mpoly.factor`` factors
it over :math:`\mathbb{Z}[z, u]`, which by Gauss's lemma gives its factorisation over
:math:`\mathbb{Q}(\pi)[z]` (Duval 1989, "Rational Puiseux expansions": one branch per
factor, not per root).

**Conjugates** (:func:`rational_conjugates`, :func:`qpi_conjugates`): the roots of an
irreducible defining polynomial as sympy expressions (radicals from ``sympy.roots`` where
they exist, ``CRootOf`` otherwise) with their numerical values.

>>> with mpmath.workdps(30):
...     [(mpmath.nstr(r, 10), m) for r, m in numeric_roots([1, -3, 3, -1])]  # (z - 1)³
[('1.0', 3)]
>>> from .qpi import QPi
>>> pi = QPi.PI
>>> factor_qpi([-pi ** 2, QPi.ZERO, QPi.ONE])             # z² - π²
[([-pi, 1], 1), ([pi, 1], 1)]
"""
from __future__ import annotations

import mpmath
import sympy
from flint import fmpz_mpoly_ctx, fmpz_poly

from ..core import ConvergenceError
from .qpi import NotExact, QPi

__all__ = ["cluster_roots", "numeric_roots", "factor_qpi", "rational_conjugates",
           "qpi_conjugates", "sympy_value"]

_CTX = fmpz_mpoly_ctx.get(("z", "u"), "lex")


def cluster_roots(roots, tol):
    """Numerical roots grouped when closer than ``tol`` (relative): ``[(mean, count)]``.

    A root of multiplicity m computed at precision p scatters by about p^(1/m), so ``tol``
    should be well above that.

    >>> [(mpmath.nstr(r, 6), m) for r, m in cluster_roots([1, 1.0001, 3], 0.01)]
    [('1.00005', 2), ('3.0', 1)]
    """
    groups = []
    for z in roots:
        for g in groups:
            if abs(z - g[0]) <= tol * max(1, abs(g[0])):
                g[1].append(z)
                break
        else:
            groups.append([z, [z]])
    return [(mpmath.fsum(g[1]) / len(g[1]), len(g[1])) for g in groups]


def numeric_roots(cs):
    """The roots of a polynomial with mpmath coefficients, with multiplicities.

    Parameters
    ----------
    cs : list
        Coefficients, highest degree first, the leading one non-zero.

    Returns
    -------
    list of (root, multiplicity)
        ``polyroots`` at extra precision (retried with more steps), close roots grouped by
        :func:`cluster_roots` at a quarter of the working digits, roots with a negligible
        imaginary part made real.

    Raises
    ------
    ConvergenceError
        ``polyroots`` does not converge.

    Examples
    --------
    >>> with mpmath.workdps(20):
    ...     [(mpmath.nstr(r, 8), m) for r, m in numeric_roots([1, 0, 1])]
    [('(0.0 - 1.0j)', 1), ('(0.0 + 1.0j)', 1)]
    """
    if len(cs) <= 1:
        return []
    if len(cs) == 2:
        rts = [-cs[1] / cs[0]]
    else:
        for steps in (400, 2000, 8000):
            try:
                rts = mpmath.polyroots(cs, maxsteps=steps, extraprec=4 * mpmath.mp.prec)
                break
            except mpmath.libmp.libhyper.NoConvergence:
                if steps == 8000:
                    raise ConvergenceError("the roots of an edge polynomial did not "
                                           "converge") from None
    tol = mpmath.mpf(10) ** (-(mpmath.mp.dps // 4))
    out = []
    for r, m in cluster_roots(rts, tol):
        if abs(mpmath.im(r)) <= tol * max(1, abs(r)):
            r = mpmath.mpf(mpmath.re(r))
        out.append((r, m))
    return out


def factor_qpi(coeffs):
    r"""The irreducible factors over :math:`\mathbb{Q}(\pi)` of :math:`\sum_i c_i z^i`.

    Parameters
    ----------
    coeffs : list of QPi
        Coefficients, lowest degree first.

    Returns
    -------
    list of (list of QPi, int)
        Each factor of degree ≥ 1 in z, monic, lowest degree first, with its multiplicity.

    Examples
    --------
    >>> pi = QPi.PI
    >>> factor_qpi([QPi.ZERO, -pi, QPi.ONE])                  # z² - πz = z (z - π)
    [([0, 1], 1), ([-pi, 1], 1)]
    """
    den = fmpz_poly([1])
    for c in coeffs:
        if not c.is_zero():
            den = den * (c.d // den.gcd(c.d))
    terms = {}
    for i, c in enumerate(coeffs):
        if c.is_zero():
            continue
        num = c.n * (den // c.d)
        for j, a in enumerate(num.coeffs()):
            if a != 0:
                terms[(i, j)] = int(a)
    F = _CTX.from_dict(terms)
    out = []
    for g, e in F.factor()[1]:
        dz = g.degrees()[0]
        if dz < 1:
            continue
        cz = [[0] * (g.degrees()[1] + 1) for _ in range(dz + 1)]
        for (i, j), a in g.to_dict().items():
            cz[i][j] = int(a)
        cs = [QPi(fmpz_poly(row)) for row in cz]
        lead = cs[-1]
        out.append(([c / lead for c in cs], e))
    return out


def sympy_value(r, extra=10):
    """A sympy number as an mpmath number at the current precision (real when its
    imaginary part is zero), evaluated by sympy with ``extra`` guard digits.

    >>> with mpmath.workdps(15):
    ...     sympy_value(sympy.sqrt(-2))
    mpc(real='0.0', imag='1.4142135623730951')
    """
    v = sympy.N(r, mpmath.mp.dps + extra)
    re_, im_ = sympy.re(v), sympy.im(v)
    if im_ == 0:
        return mpmath.mpf(str(sympy.Float(re_, mpmath.mp.dps + 5)))
    return mpmath.mpc(mpmath.mpf(str(sympy.Float(re_, mpmath.mp.dps + 5))),
                      mpmath.mpf(str(sympy.Float(im_, mpmath.mp.dps + 5))))


def rational_conjugates(m):
    """The roots of an irreducible polynomial with rational coefficients, as
    ``[(sympy expression, mpmath value)]``.

    Radicals for degree ≤ 2 and for binomials (``sympy.roots``), otherwise ``CRootOf`` with
    the value from sympy's isolating intervals (``eval_approx``).

    Parameters
    ----------
    m : flint.fmpq_poly
        Irreducible over Q.

    Examples
    --------
    >>> from flint import fmpq_poly
    >>> with mpmath.workdps(15):
    ...     [(r, mpmath.nstr(v, 6)) for r, v in rational_conjugates(fmpq_poly([-2, 0, 1]))]
    [(sqrt(2), '1.41421'), (-sqrt(2), '-1.41421')]
    """
    d = m.degree()
    if d == 1:
        v = sympy.Rational(-int(m[0].p) * int(m[1].q), int(m[0].q) * int(m[1].p))
        return [(v, mpmath.mpf(v.p) / v.q)]
    y = sympy.Symbol("y")
    P = sympy.Poly([sympy.Rational(int(m[k].p), int(m[k].q)) for k in range(d, -1, -1)], y)
    if d <= 2 or all(m[k] == 0 for k in range(1, d)):
        rts = sympy.roots(P, multiple=True)
        if len(rts) == d:
            return [(r, sympy_value(r)) for r in rts]
    rts = [sympy.CRootOf(P, k) for k in range(d)]
    return [(r, r.eval_approx(mpmath.mp.dps + 10, return_mpmath=True)) for r in rts]


def qpi_conjugates(m):
    r"""The roots of a monic polynomial irreducible over :math:`\mathbb{Q}(\pi)`, as
    ``[(sympy expression, mpmath value)]``, when ``sympy.roots`` finds them in radicals.

    Parameters
    ----------
    m : list of QPi
        Lowest degree first.

    Raises
    ------
    NotExact
        The roots are not all expressible in radicals.

    Examples
    --------
    >>> with mpmath.workdps(15):
    ...     [(r, mpmath.nstr(v, 6)) for r, v in qpi_conjugates([-QPi.PI, QPi.ZERO, QPi.ONE])]
    [(sqrt(pi), '1.77245'), (-sqrt(pi), '-1.77245')]
    """
    if len(m) == 2:
        r = (-m[0]).to_sympy()
        return [(r, sympy_value(r))]
    y = sympy.Symbol("y")
    P = sympy.Poly(sum((c.to_sympy() * y ** k for k, c in enumerate(m)), sympy.Integer(0)), y)
    rts = sympy.roots(P, multiple=True)
    if len(rts) != len(m) - 1:
        raise NotExact(f"the roots of {P.as_expr()} are not expressible in radicals")
    return [(r, sympy_value(r)) for r in rts]

