r"""Newton polygons of :math:`F(x, t) = \sum_{i,j} a_{ij}\,x^i t^j`, and which of their
edges a truncated input determines.

**The polygon.**  A branch :math:`x = c\,t^\gamma + \dots` (:math:`c \ne 0`, γ rational)
of :math:`F(x, t) = 0` makes the terms :math:`a_{ij}c^i t^{j+i\gamma}` of lowest order
cancel.  The minimum of :math:`j + i\gamma` over the support is attained at two or more
points exactly when they lie on an edge of slope :math:`-\gamma` of the lower convex hull
of :math:`\{(i, \operatorname{ord}_t a_i)\}` (the **Newton polygon**), and c is then a
non-zero root of the edge's characteristic polynomial :math:`\phi(z) =
\sum_{(i,j)\in\text{edge}} a_{ij} z^{i-i_0}`; the edge from :math:`i_0` to :math:`i_1`
carries :math:`i_1 - i_0` branches counted with multiplicity (Walker, *Algebraic Curves*,
1950, ch. IV §3).

**Truncation.**  A coefficient given with an ``O(t^n)`` term is known only modulo
:math:`t^n`: the monomials :math:`x^i t^j`, :math:`j \ge n_i`, are unknown.  A face of the
polygon in direction γ is determined only while every unknown monomial lies strictly above
it (:func:`certain_below`).

>>> import sympy
>>> x, t = sympy.symbols("x t")
>>> P = newton_polygon(t*x**2 - x + 1, x, t)
>>> [(str(e.slope), str(e.polynomial)) for e in P.edges]
[('0', '1 - z'), ('-1', 'z - 1')]
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import mpmath
import sympy

from ..core import InputError
from .domains import MPMATH_DOMAIN, ExpressionDomain

__all__ = ["Edge", "NewtonPolygon", "newton_polygon", "lower_hull", "read_polynomial",
           "support", "lowest_powers", "polygon_edges", "certain_below"]

Z = sympy.Symbol("z")


# ----------------------------------------------------------------------------- geometry
def lower_hull(points):
    """The vertices of the lower convex hull of points ``(x, y)``, by increasing x
    (Andrew's monotone chain, lower half).

    Parameters
    ----------
    points : iterable of (number, number)

    Returns
    -------
    list of (number, number)

    Examples
    --------
    >>> lower_hull([(0, 3), (1, 1), (2, 2), (3, 0)])
    [(0, 3), (1, 1), (3, 0)]
    """
    hull = []
    for p in sorted(points):
        while len(hull) >= 2:
            (x1, y1), (x2, y2) = hull[-2], hull[-1]
            if (y2 - y1) * (p[0] - x1) >= (p[1] - y1) * (x2 - x1):
                hull.pop()
            else:
                break
        hull.append(p)
    return hull


def lowest_powers(supp):
    """``{i: ord_t a_i}``: the least power of t at each power of x of the support."""
    lows = {}
    for (i, j) in supp:
        lows[i] = min(j, lows.get(i, j))
    return lows


def polygon_edges(supp, zero):
    """The edges of the Newton polygon of the support ``{(i, j): a_ij}``.

    Returns
    -------
    list of (γ, (i1, j1), (i2, j2), list)
        γ a Fraction (branches :math:`x \\sim c\\,t^\\gamma`), the end points, and the
        coefficients :math:`a_{ij}` along the edge, ``zero`` where no monomial lies.

    Examples
    --------
    >>> polygon_edges({(0, 2): 1, (1, 1): -1, (3, 0): 1}, 0)
    [(Fraction(1, 1), (0, 2), (1, 1), [1, -1]), (Fraction(1, 2), (1, 1), (3, 0), [-1, 0, 1])]
    """
    hull = lower_hull(sorted(lowest_powers(supp).items()))
    out = []
    for (i1, j1), (i2, j2) in zip(hull, hull[1:]):
        gamma = Fraction(j1 - j2, i2 - i1)
        coeffs = []
        for i in range(i1, i2 + 1):
            jj = Fraction(j1) - gamma * (i - i1)
            c = supp.get((i, int(jj))) if jj.denominator == 1 else None
            coeffs.append(c if c is not None else zero)
        out.append((gamma, (i1, j1), (i2, j2), coeffs))
    return out


def certain_below(lows, err, start):
    r"""The least γ > ``start`` at which the face of the known support in direction γ may
    be changed by the unknown monomials.

    That is the least zero of :math:`g(\gamma) = \min_{err}(j + \gamma i) -
    \min_{known}(j + \gamma i)`, a piecewise linear function.

    Parameters
    ----------
    lows : dict
        ``{i: least known j}`` (:func:`lowest_powers`).
    err : dict
        ``{i: least unknown j}``.
    start : Fraction or None
        None means −∞.

    Returns
    -------
    Fraction or None
        None when the unknown monomials never matter.

    Raises
    ------
    InputError
        ``start`` is None and g ≤ 0 as γ → −∞: the leading behaviour of some branches is
        undetermined.

    Examples
    --------
    >>> certain_below({0: 3, 2: 0}, {1: 1}, 0)        # x² + t³ + x·O(t): faces with γ < 1
    Fraction(1, 1)
    """
    if not err:
        return None
    K, E = sorted(lows.items()), sorted(err.items())

    def g(x):
        return min(j + x * i for i, j in E) - min(j + x * i for i, j in K)

    bps = set()
    for pts in (lower_hull(K), lower_hull(E)):
        for (i1, j1), (i2, j2) in zip(pts, pts[1:]):
            bps.add(Fraction(j1 - j2, i2 - i1))
    if start is None:
        b0 = min(bps) if bps else Fraction(0)
        slope = g(b0) - g(b0 - 1)
        if slope > 0 or (slope == 0 and g(b0) <= 0):
            raise InputError("the truncation O(t^n) of the coefficients leaves the "
                             "leading behaviour of some branches undetermined")
        if g(b0) <= 0:
            return b0 - g(b0) / slope
        a = b0
    else:
        a = Fraction(start)
        if g(a) <= 0:
            return a
    for b in sorted(x for x in bps if x > a):
        if g(b) <= 0:
            return a + g(a) * (b - a) / (g(a) - g(b))
        a = b
    slope = g(a + 1) - g(a)
    return None if slope >= 0 else a + g(a) / (-slope)


# ----------------------------------------------------------------------------- input
def _strict(a):
    if isinstance(a, str):
        raise InputError("give sympy expressions or numbers, not strings")
    try:
        return sympy.sympify(a, strict=True)
    except sympy.SympifyError as exc:
        raise InputError(f"not a sympy expression or number: {a!r}") from exc


def _order_power(o, t):
    if tuple(o.variables) != (t,) or any(p != 0 for p in o.point):
        raise InputError(f"only O(t^n) as t -> 0 is understood, not {o}")
    e = o.expr
    if e == 1:
        return 0
    if e == t:
        return 1
    if e.is_Pow and e.base == t and e.exp.is_Integer and e.exp > 0:
        return int(e.exp)
    raise InputError(f"only O(t^n) with integer n >= 0 is understood, not {o}")


def read_polynomial(F, x, t):
    """The coefficients :math:`a_i(t)` of F and how far each is known.

    Parameters
    ----------
    F : sympy expression or list
        Polynomial in x and t (possibly with an ``O(t^n)`` term), or the list of the
        coefficients of :math:`x^0, x^1, \\dots` (each possibly with its own ``O(t^n)``).
        Never text: strings are refused, not parsed.
    x, t : sympy.Symbol

    Returns
    -------
    (list, list)
        The :math:`a_i` as sympy expressions, and for each i the power of t from which
        :math:`a_i` is unknown (None: exact).

    Raises
    ------
    InputError
        A string, something that is not a polynomial in x, or an O-term other than
        ``O(t^n)``.

    Examples
    --------
    >>> x, t = sympy.symbols("x t")
    >>> read_polynomial(x**2 - t + sympy.O(t**3), x, t)
    ([-t, 0, 1], [3, 3, 3])
    """
    if isinstance(F, (list, tuple)):
        coeffs, precs = [], []
        for a in F:
            a = _strict(a)
            prec = None
            if a.has(sympy.Order):
                o = a.getO()
                a = a.removeO()
                prec = _order_power(o, t) if o is not None else None
            coeffs.append(a)
            precs.append(prec)
        return coeffs, precs
    F = _strict(F)
    prec = None
    if F.has(sympy.Order):
        o = F.getO()
        F = F.removeO()
        if o is not None:
            if o.expr.has(x):
                raise InputError("the O-term of F must be a power of t alone, O(t^n)")
            prec = _order_power(o, t)
    F = sympy.expand(F)
    if not F.is_polynomial(x):
        raise InputError("F must be a polynomial in x")
    P = sympy.Poly(F, x)
    coeffs = [P.coeff_monomial(x ** i) for i in range(P.degree() + 1)]
    return coeffs, [prec] * len(coeffs)


def support(coeffs, precs, t, domain):
    """The known monomials of F with coefficients in ``domain``, and the unknown region.

    Parameters
    ----------
    coeffs, precs : list
        As returned by :func:`read_polynomial`.
    t : sympy.Symbol
    domain : Domain
        Converts and tests the coefficients.

    Returns
    -------
    (dict, dict)
        ``{(i, j): a_ij}`` (non-zero), and ``{i: n_i}``: all :math:`x^i t^j` with
        :math:`j \\ge n_i` are unknown.

    Raises
    ------
    InputError
        A coefficient is not a polynomial in t, or F is zero or entirely unknown.
    """
    out, err = {}, {}
    for i, (a, prec) in enumerate(zip(coeffs, precs)):
        if prec is not None:
            err[i] = prec
        a = sympy.expand(a)
        if not a.is_polynomial(t):
            raise InputError(f"the coefficient of x^{i} is not a polynomial in t: {a}")
        if a == 0:
            continue
        for (j,), c in sympy.Poly(a, t).terms():
            if prec is not None and j >= prec:
                continue
            c = domain.convert(c)
            if not domain.is_zero(c):
                out[(i, j)] = c
    if not out and not err:
        raise InputError("F is zero")
    if not out:
        raise InputError("F is entirely unknown (every coefficient is O(...))")
    return out, err


# ----------------------------------------------------------------------------- results
@dataclass
class Edge:
    r"""An edge of the Newton polygon, from vertex ``start`` to ``end`` (points
    (power of x, power of t)).

    Its branches are :math:`x \sim c\,t^{\gamma}` with γ = ``slope`` (a sympy Rational; the
    hull edge itself has slope −γ in the (i, j) plane), ``length`` of them counted with
    multiplicity, c a root of the characteristic ``polynomial`` :math:`\phi(z)` (a sympy
    expression in z)."""
    slope: sympy.Rational
    start: tuple
    end: tuple
    polynomial: object
    coefficients: list = field(repr=False, default_factory=list)

    @property
    def length(self):
        """The edge's horizontal length (the difference of its end points' first
        coordinates): the number of roots, with multiplicity, that it accounts for."""
        return self.end[0] - self.start[0]


@dataclass
class NewtonPolygon:
    """The lower convex hull of the support ``{(i, j)}`` (powers of x and t): ``points``
    (i, ord_t a_i), hull ``vertices`` and ``edges`` from left (small i) to right."""
    points: list
    vertices: list
    edges: list

    def latex(self):
        """The edges as a LaTeX ``aligned`` block: γ and the edge equation φ(z) = 0."""
        rows = [rf"\gamma = {sympy.latex(e.slope)}: \quad {sympy.latex(e.polynomial)} = 0"
                for e in self.edges]
        return r"\begin{aligned}" + r" \\ ".join(rows) + r"\end{aligned}"

    def _repr_latex_(self):
        return f"${self.latex()}$"

    def __str__(self):
        return "Newton polygon: " + "; ".join(
            f"x ~ c t^({e.slope}) ({e.length} branch{'es' if e.length > 1 else ''}),"
            f" {e.polynomial} = 0" for e in self.edges)


def newton_polygon(F: Any, x: Any, t: Any, numeric: bool = False) -> NewtonPolygon:
    r"""The Newton polygon of F(x, t).

    The lower convex hull of :math:`\{(i, \operatorname{ord}_t a_i)\}`, its edges with γ
    (branches :math:`x \sim c\,t^\gamma`) and characteristic polynomials
    :math:`\phi(z) = \sum_{\text{edge}} a_{ij} z^{i - i_0}` (Walker ch. IV §3).

    Parameters
    ----------
    F : sympy expression or list
        A polynomial in x and t, or the list of the coefficients of :math:`x^0, x^1,
        \dots` as polynomials in t.
    x, t : sympy.Symbol
    numeric : bool
        Coefficients as floating-point numbers (mpmath) instead of exact expressions.

    Returns
    -------
    NewtonPolygon

    Raises
    ------
    InputError
        F is not a polynomial in x and t (see :func:`read_polynomial`).

    Examples
    --------
    >>> x, t = sympy.symbols("x t")
    >>> P = newton_polygon(x**3 - t*x + t**2, x, t)
    >>> print(P)
    Newton polygon: x ~ c t^(1) (1 branch), 1 - z = 0; x ~ c t^(1/2) (2 branches), z**2 - 1 = 0
    >>> P.vertices
    [(0, 2), (1, 1), (3, 0)]
    """
    domain = MPMATH_DOMAIN if numeric else ExpressionDomain()
    coeffs, precs = read_polynomial(F, x, t)
    supp, _ = support(coeffs, precs, t, domain)
    zero = mpmath.mpf(0) if numeric else sympy.Integer(0)
    edges = []
    for gamma, a, b, cs in polygon_edges(supp, zero):
        if numeric:
            poly = sum(sympy.Float(str(mpmath.re(c)), 15) * Z ** k for k, c in enumerate(cs))
        else:
            poly = sum(c * Z ** k for k, c in enumerate(cs))
        edges.append(Edge(sympy.Rational(gamma.numerator, gamma.denominator), a, b, poly, cs))
    pts = sorted(lowest_powers(supp).items())
    return NewtonPolygon(pts, lower_hull(pts), edges)
