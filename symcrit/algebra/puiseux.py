r"""Puiseux series: the branches :math:`x(t)` of :math:`F(x, t) = 0` near t = 0, by the
Newton–Puiseux algorithm.

**The mathematics.**  Write :math:`F(x, t) = \sum_{i} a_i(t) x^i = \sum_{i,j} a_{ij}\, x^i
t^j` (a polynomial in x whose coefficients are polynomials, or truncated power series, in
t).  Each edge of slope −γ of the Newton polygon (:mod:`symcrit.algebra.polygon`) gives the
branches :math:`x = c\,t^\gamma + \dots`, c a non-zero root of the edge polynomial; the
branches number :math:`\deg_x F` in all, including branches with :math:`\gamma < 0`
(poles) and x = 0 when :math:`a_0 \equiv 0`.  Newton–Puiseux (Walker, *Algebraic Curves*,
1950, ch. IV §3): with :math:`\gamma = p/q` substitute :math:`t = s^q`,
:math:`x = s^p(c + x_1)` and divide by the edge's value; the branches of :math:`F` with
that leading term are the branches :math:`x_1 \to 0` of the new polynomial, i.e. its edges
of positive slope.  A simple root c gives a polynomial with the point (1, 0): every further
step is linear and integral in s.  A root of multiplicity m needs further polygon steps,
each of which may ramify again.

**Coefficients** lie in a coefficient domain (:mod:`symcrit.algebra.domains`), as Duval
computes them ("Rational Puiseux expansions", Compositio Math. 70, 1989): the edge
polynomial is factored over the current field, each irreducible factor g of degree d > 1
gives the field :math:`K[\alpha]/g(\alpha)`, and the branch is expanded **once** with
coefficients in that field and then written at the d conjugates of α.  Rational input is
expanded over number fields :math:`\mathbb{Q}[\alpha]/g` (flint ``fmpq_poly``; radicals for
d ≤ 2 and for binomials, ``CRootOf`` otherwise); input with π over :math:`\mathbb{Q}(\pi)`
and its extensions (π transcendental; factoring by flint over :math:`\mathbb{Z}[z, \pi]`,
conjugates in radicals).  Other exact input (radicals such as √2 in F, constants other than
π) is expanded with sympy expressions, and so is a branch that needs a second non-linear
edge polynomial over an extension field.  ``numeric=True`` works in mpmath at ``dps`` digits
(roots by ``polyroots``, clustered into multiplicities).

**Truncation.**  Coefficients given with an ``O(t^n)`` term are known only modulo
:math:`t^n`; terms of the substituted polynomials that cannot influence the requested order
are dropped as well.  Both are tracked as a region of unknown monomials: an edge is used only
when every unknown monomial lies strictly above its line, and a branch whose continuation
depends on unknown terms stops with the order that is actually certain.

>>> import sympy
>>> x, t = sympy.symbols("x t")
>>> for b in puiseux_branches(x**2 - t**3, x, t, order=3):      # the cusp: exact
...     print(b)
-t^(3/2)
t^(3/2)
>>> for b in puiseux_branches(x**2 - t**2 * (1 + t), x, t, order=3):
...     print(b)
-t - 1/2*t^2 + O(t^3)
t + 1/2*t^2 + O(t^3)
>>> for b in puiseux_branches(x**2 - sympy.pi * t, x, t, order=2):   # over Q(π)(√π)
...     print(b)
-sqrt(pi)*t^(1/2)
sqrt(pi)*t^(1/2)
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import mpmath
import sympy

from ..core import ConvergenceError, InputError, SympyConvertible, check_dps
from .domains import MPMATH_DOMAIN, QQ, QQ_PI, ExpressionDomain
from .polygon import (certain_below, lowest_powers, polygon_edges, read_polynomial,
                      support)
from .qpi import NotExact
from .roots import sympy_value

__all__ = ["PuiseuxSeries", "puiseux_branches"]


# ----------------------------------------------------------------------------- series
def _q(e):
    return sympy.Rational(e.numerator, e.denominator) if isinstance(e, Fraction) \
        else sympy.Rational(e)


@dataclass
class PuiseuxSeries(SympyConvertible):
    r"""A branch :math:`x(t) = \sum_k c_k t^{e_k} + O(t^{N})` of F(x, t) = 0.

    A sympy object: ``sympy.latex(s)``, ``sympy.pretty(s)`` print :meth:`as_expr`.

    ``terms``: list of ``(exponent, coefficient)``, exponents sympy Rationals, coefficients
    exact sympy numbers (or mpmath numbers when ``numeric``); ``order`` = N (a Rational; None
    when the series is exact: it terminates); ``multiplicity``: how many times the branch
    occurs (a branch stopped by the order stands for that many branches agreeing so far).

    >>> s = PuiseuxSeries([(sympy.Rational(1, 2), 1), (1, sympy.Rational(-1, 2))], 2)
    >>> print(s); s.latex()
    t^(1/2) - 1/2*t + O(t^2)
    '\\sqrt{t} - \\frac{t}{2} + O\\left(t^{2}\\right)'
    >>> round(float(s(0.04)), 12)
    0.18
    >>> s.to_json()["terms"][0]
    {'exponent': '1/2', 'coefficient': '1', 'value': '1.0'}
    """
    terms: list
    order: object
    t: object = sympy.Symbol("t")
    multiplicity: int = 1
    numeric: bool = False
    values: list | None = field(default=None, repr=False)

    def __post_init__(self):
        self.terms = [(_q(e), c if self.numeric or isinstance(c, (mpmath.mpf, mpmath.mpc))
                       else sympy.sympify(c, strict=True)) for e, c in self.terms]
        if self.order is not None:
            self.order = _q(self.order)
        if self.values is None:
            self.values = [_num(c) for _, c in self.terms]

    @property
    def exponents(self):
        """The exponents of the terms, increasing (sympy Rationals)."""
        return [e for e, _ in self.terms]

    @property
    def coefficients(self):
        """The coefficients of the terms, in the order of :attr:`exponents` (sympy
        expressions, or mpmath numbers when ``numeric``)."""
        return [c for _, c in self.terms]

    @property
    def ramification(self):
        """The least common denominator of the exponents."""
        return math.lcm(*[int(e.q) for e in self.exponents]) if self.terms else 1

    def __call__(self, t0):
        """The truncated series at t = t0 (mpmath; principal branch of t^(p/q))."""
        t0 = mpmath.mpmathify(t0)
        return mpmath.fsum(v * t0 ** (mpmath.mpf(int(e.p)) / int(e.q))
                           for (e, _), v in zip(self.terms, self.values))

    def as_expr(self):
        """The truncated series as a sympy expression in t (without the O-term)."""
        return sum((sympy.sympify(_sym_num(c) if self.numeric else c, strict=True)
                    * self.t ** e for e, c in self.terms), sympy.Integer(0))

    def __str__(self):
        parts = []
        for e, c in self.terms:
            cs = mpmath.nstr(c, 10) if self.numeric else str(c)
            mono = "" if e == 0 else (f"{self.t}" if e == 1 else f"{self.t}^{e}"
                                      if e.q == 1 and e > 0 else f"{self.t}^({e})")
            if mono:
                cs = "" if cs == "1" else "-" if cs == "-1" else f"({cs})*" if (
                    "+" in cs[1:] or "-" in cs[1:] or " " in cs) else f"{cs}*"
            parts.append(f"{cs}{mono}")
        s = " + ".join(parts).replace("+ -", "- ")
        if self.order is not None:
            o = f"O({self.t})" if self.order == 1 else f"O({self.t}^{self.order})" \
                if self.order.q == 1 and self.order > 0 else f"O({self.t}^({self.order}))"
            s = f"{s} + {o}" if s else o
        return s or "0"

    __repr__ = __str__

    def latex(self):
        """LaTeX of the series with its O-term, e.g. ``t^{3/2} + O(t^2)``."""
        if self.numeric:
            body = " + ".join(rf"{_tex_num(c)}\, {sympy.latex(self.t ** e)}"
                              for e, c in self.terms).replace("+ -", "- ")
        else:                                   # term by term, by increasing exponent
            body = " + ".join(sympy.latex(sympy.Mul(c, self.t ** e)) for e, c in self.terms)
            body = body.replace("+ - ", "- ").replace("+ -", "- ")
        o = rf"O\left({sympy.latex(self.t ** self.order)}\right)" \
            if self.order is not None else ""
        return " + ".join(p for p in (body, o) if p) or "0"

    def _repr_latex_(self):
        return f"${self.latex()}$"

    def to_json(self, digits=20):
        """``{"terms": [{"exponent", "coefficient" (exact text or null), "value"}],
        "order", "multiplicity"}``; ``value`` a decimal string (complex as ``a+bj``)."""
        out = []
        for (e, c), v in zip(self.terms, self.values):
            val = mpmath.nstr(v, digits) if not isinstance(v, mpmath.mpc) else \
                f"{mpmath.nstr(v.real, digits)}{'+' if v.imag >= 0 else '-'}" \
                f"{mpmath.nstr(abs(v.imag), digits)}j"
            out.append({"exponent": str(e),
                        "coefficient": None if self.numeric else str(c), "value": val})
        return {"terms": out, "order": None if self.order is None else str(self.order),
                "multiplicity": self.multiplicity}


def _tex_num(c):
    if isinstance(c, mpmath.mpc):
        return rf"({mpmath.nstr(c.real, 10)} {'+' if c.imag >= 0 else '-'} " \
               rf"{mpmath.nstr(abs(c.imag), 10)}\, i)"
    return mpmath.nstr(c, 10)


def _num(c):
    if isinstance(c, (mpmath.mpf, mpmath.mpc)):
        return c
    return sympy_value(c, 5)


def _sym_num(c):
    if isinstance(c, mpmath.mpc):
        return sympy.Float(str(c.real), 30) + sympy.I * sympy.Float(str(c.imag), 30)
    return sympy.Float(str(c), 30)


def _finish(raw, t, numeric):
    """PuiseuxSeries from the raw branches: branches over a number field at every
    conjugate (every embedding of the field)."""
    out = []
    for r in raw:
        for terms, values in r.field.instances(r.terms):
            out.append(PuiseuxSeries(terms, r.order, t, r.mult, numeric, values))
    return out


def _choose_field(coeffs, t, numeric):
    """The coefficient domain of the input: mpmath, Q (rational input), Q(π) (rational
    functions of π), or sympy expressions (anything else exact)."""
    if numeric:
        return MPMATH_DOMAIN
    floats = [f for a in coeffs for f in sympy.sympify(a, strict=True).atoms(sympy.Float)]
    if floats:
        raise InputError(f"F has floating-point coefficients ({floats[0]}): give exact "
                         "numbers (sympy.Rational, integers) or use numeric=True")
    for a in coeffs:
        a = sympy.expand(a)
        if a.free_symbols - {t} or not a.is_polynomial(t):
            return ExpressionDomain()
    polys = [sympy.Poly(a, t) for a in coeffs if sympy.expand(a) != 0]
    if all(c.is_Rational for P in polys for c in P.coeffs()):
        return QQ
    if not any(a.has(sympy.pi) for a in coeffs):
        return ExpressionDomain()
    try:                                  # rational functions of π: Q(π)
        for P in polys:
            for c in P.coeffs():
                QQ_PI.convert(c)
    except NotExact:
        return ExpressionDomain()
    return QQ_PI


def puiseux_branches(F: Any, x: Any, t: Any, order: int | Fraction | str | float = 6,
                     numeric: bool = False, dps: int | None = None) -> list[PuiseuxSeries]:
    r"""Every branch :math:`x(t)` of :math:`F(x, t) = 0` near t = 0 as a Puiseux series.

    All terms of exponent below ``order`` (exponents are rational), by the Newton–Puiseux
    algorithm (Walker 1950, ch. IV; Duval 1989): see the module docstring.  The
    multiplicities add up to :math:`\deg_x F`; branches are sorted by leading exponent
    (x = 0 last).  A branch shown without an O-term is exact.

    Parameters
    ----------
    F : sympy expression or list
        A polynomial in x and t, or the list of the coefficients of :math:`x^0, x^1,
        \dots` (polynomials in t, each possibly with an ``O(t^n)`` term: a truncated
        series).  Never text.
    x, t : sympy.Symbol
    order : int, Fraction or str
        The exponent below which all terms are computed.
    numeric : bool
        Work in mpmath at ``dps`` digits instead of exactly.
    dps : int, optional
        Working digits (default: mpmath's current precision).

    Returns
    -------
    list of PuiseuxSeries

    Raises
    ------
    InputError
        F is not a polynomial in x and t, has floating-point coefficients in exact mode, or
        is truncated so that the leading behaviour of some branch is undetermined.

    Examples
    --------
    >>> x, t = sympy.symbols("x t")
    >>> bs = puiseux_branches(t*x**2 - x + 1, x, t, order=4)
    >>> [str(b) for b in bs]
    ['t^(-1) - 1 - t - 2*t^2 - 5*t^3 + O(t^4)', '1 + t + 2*t^2 + 5*t^3 + O(t^4)']
    >>> b = puiseux_branches((x - t)**2 - t**3, x, t, order=3)  # two polygon steps
    >>> sorted(str(s) for s in b)                               # (they terminate: exact)
    ['t + t^(3/2)', 't - t^(3/2)']
    >>> [str(s) for s in puiseux_branches(x**2 - x - t, x, t, order=3)]
    ['1 + t - t^2 + O(t^3)', '-t + t^2 + O(t^3)']
    >>> puiseux_branches([-t + sympy.O(t**3), 0, 1], x, t, order=5)  # truncated input
    [-t^(1/2) + O(t^(5/2)), t^(1/2) + O(t^(5/2))]
    """
    order = Fraction(str(order)) if not isinstance(order, (int, Fraction)) else Fraction(order)
    if dps is not None:
        check_dps(dps)
    with mpmath.workdps(dps or mpmath.mp.dps):
        coeffs, precs = read_polynomial(F, x, t)
        fld = _choose_field(coeffs, t, numeric)
        supp, err = support(coeffs, precs, t, fld)
        try:
            raw = _run(supp, err, fld, order)
            with mpmath.workdps(max(dps or 0, mpmath.mp.dps) + 10):
                bs = _finish(raw, t, numeric)   # values a little beyond the working precision
        except NotExact:                        # over Q(π): conjugates not in radicals
            fld = ExpressionDomain()
            supp, err = support(coeffs, precs, t, fld)
            raw = _run(supp, err, fld, order)
            with mpmath.workdps(max(dps or 0, mpmath.mp.dps) + 10):
                bs = _finish(raw, t, numeric)
    bs.sort(key=lambda b: (b.exponents[0] if b.terms else sympy.oo,
                           _sort_key(b.values[0]) if b.terms else (0.0, 0.0),
                           [_sort_key(v) for v in b.values]))
    return bs


def _run(supp, err, fld, order):
    """The raw branches; terms that cannot reach ``order`` are dropped, and if that was too
    optimistic for some branch the computation is repeated with a wider margin."""
    for margin in ([None] if err else [1, 3, None]):
        raw = _root_level(dict(supp), err, fld, order, margin)
        if all(r.order is None or r.order >= order for r in raw):
            break
    return raw


def _sort_key(v):
    return (float(mpmath.re(v)), float(mpmath.im(v)))


# ----------------------------------------------------------------------------- the algorithm
def _substitute(supp, err, p, q, c, fld):
    r"""``{(i, j): a}`` of :math:`s^{-V} F(s^p (c + x_1), s^q)` (V the least power), and
    the unknown region mapped the same way."""
    deg = max(i for i, _ in supp)
    cp = [fld.one]
    for _ in range(deg):
        cp.append(cp[-1] * c)
    out = {}
    for (i, j), a in supp.items():
        base = p * i + q * j
        for l in range(i + 1):
            coef = a * (math.comb(i, l) * cp[i - l]) if i - l else a * math.comb(i, l)
            key = (l, base)
            out[key] = out[key] + coef if key in out else coef
    out = {key: fld.simplify(v) for key, v in out.items()}
    out = {key: v for key, v in out.items() if not fld.is_zero(v)}
    nerr = {}
    for i, j in err.items():
        for l in range(i + 1):
            nerr[l] = min(nerr.get(l, p * i + q * j), p * i + q * j)
    if not out:
        return out, {}
    V = min(j for (_, j) in out)
    nerr = {i: j - V for i, j in nerr.items()}
    out = {(i, j - V): v for (i, j), v in out.items() if j - V < nerr.get(i, j - V + 1)}
    return out, nerr


class _Raw:
    __slots__ = ("terms", "order", "mult", "field")

    def __init__(self, terms, order, mult, fld):
        self.terms, self.order, self.mult, self.field = terms, order, mult, fld


def _embed(supp, err, terms, fld, fld2):
    if fld2 is fld:
        return supp, terms
    conv = fld2.convert                       # K -> K(β): constants stay constants
    return ({k: conv(v) for k, v in supp.items()},
            [(e, conv(c)) for e, c in terms])


def _root_level(supp, err, fld, order, margin):
    out = []
    m0 = min(i for (i, _) in supp)
    lows = lowest_powers(supp)
    lb = certain_below(lows, err, None)
    zero_exact = m0 and lb is None
    if zero_exact:
        out.append(_Raw([], None, m0, fld))
    counted = m0 if zero_exact else 0
    for gamma, a, b, cs in polygon_edges(supp, fld.zero):
        if lb is not None and gamma >= lb:
            continue
        counted += b[0] - a[0]
        if gamma >= order:
            out.append(_Raw([], order, b[0] - a[0], fld))
            continue
        for c, mult, fld2 in fld.roots(cs):
            s2, terms = _embed(supp, err, [(gamma, c)], fld, fld2)
            sub, serr = _substitute(s2, err, gamma.numerator, gamma.denominator, c, fld2)
            if not sub:
                out.append(_Raw(terms, None, mult, fld2))
                continue
            out += _continue(sub, serr, fld2, order, terms, gamma.denominator, gamma,
                             margin)
    deg = max(max(lows), max(err) if err else 0)
    if deg > counted:
        out.append(_Raw([], order if lb is None else min(order, lb), deg - counted, fld))
    return out


def _continue(supp, err, fld, order, terms, scale, last, margin, depth=0):
    """Continue the branch ``terms`` (last exponent ``last`` in t) on the curve ``supp`` in
    (x1, s), t = s^scale, whose branches x1 → 0 (edges of positive γ) are wanted."""
    if depth > 400:
        raise ConvergenceError("Newton-Puiseux: too many steps")
    lows = lowest_powers(supp)
    m0 = min(lows)
    npos = min(i for i, j in lows.items() if j == 0)    # branches x1 -> 0, with x1 = 0
    edges = [e for e in polygon_edges(supp, fld.zero) if e[0] > 0]
    if margin is not None and edges:                   # drop what cannot reach the order
        need = (order - last) * scale
        gmin = min(e[0] for e in edges)
        T = margin * (npos * need + lows[m0]) + 1
        drop = [(i, j) for (i, j) in supp if j and j + gmin * i >= T]
        if drop:
            err = dict(err)
            for (i, j) in drop:
                err[i] = min(err.get(i, j), j)
                del supp[(i, j)]
            supp = {(i, j): v for (i, j), v in supp.items() if j < err.get(i, j + 1)}
            lows = lowest_powers(supp)
            m0 = min(lows)
            edges = [e for e in polygon_edges(supp, fld.zero) if e[0] > 0]
    lb = certain_below(lows, err, 0)
    out = []
    counted = 0
    if m0 and lb is None:                                  # x1 = 0 exactly: the branch ends
        out.append(_Raw(list(terms), None, m0, fld))
        counted = m0
    for gamma, a, b, cs in edges:
        if lb is not None and gamma >= lb:
            continue
        counted += b[0] - a[0]
        nxt = last + gamma / scale
        if nxt >= order:
            out.append(_Raw(list(terms), order, b[0] - a[0], fld))
            continue
        try:
            rts = fld.roots(cs)
        except NotExact:                       # over Q(α), deg α > 1: a tower of fields
            return _instantiate_and_continue(supp, err, fld, order, terms, scale, last,
                                             margin, depth)
        for c, mult, fld2 in rts:
            s2, t2 = _embed(supp, err, list(terms) + [(nxt, c)], fld, fld2)
            sub, serr = _substitute(s2, err, gamma.numerator, gamma.denominator, c, fld2)
            if not sub:
                out.append(_Raw(t2, None, mult, fld2))
                continue
            out += _continue(sub, serr, fld2, order, t2, scale * gamma.denominator, nxt,
                             margin, depth + 1)
    if npos > counted:
        bound = order if lb is None else min(order, last + lb / scale)
        out.append(_Raw(list(terms), bound, npos - counted, fld))
    return out


def _instantiate_and_continue(supp, err, fld, order, terms, scale, last, margin, depth):
    """A non-linear edge polynomial over Q(α), deg α > 1: continue each conjugate
    separately with sympy expressions."""
    out = []
    ex = ExpressionDomain()
    for alpha, _ in fld.conjugates():
        s2 = {k: fld.to_expr(v, alpha) for k, v in supp.items()}
        t2 = [(e, fld.to_expr(c, alpha)) for e, c in terms]
        out += _continue(s2, err, ex, order, t2, scale, last, margin, depth + 1)
    return out


