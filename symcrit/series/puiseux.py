r"""Newton polygons and Puiseux series: the branches :math:`x(t)` of :math:`F(x, t) = 0`.

For :math:`F(x, t) = \sum_{i,j} a_{ij}\, x^i t^j` (a polynomial in x whose coefficients are
polynomials in t), a branch :math:`x = c\,t^\gamma + \dots` makes the terms
:math:`a_{ij}c^i t^{j+i\gamma}` of lowest order cancel: the points :math:`(i, j)` where the
minimum of :math:`j + i\gamma` is attained lie on an edge of slope :math:`-\gamma` of the
lower convex hull of the support (the **Newton polygon**), and c is a non-zero root of the
edge's characteristic polynomial :math:`\phi(z) = \sum_{(i,j)\in\text{edge}} a_{ij}
z^{i-i_0}`.  Substituting :math:`t = s^q`, :math:`x = s^p(c + x_1)` (:math:`\gamma = p/q`)
and dividing by the edge's value gives a new polynomial in :math:`(x_1, s)`; a simple root
c ends the ambiguity (the rest of the branch follows term by term), a multiple root needs
further polygon steps (Walker, "Algebraic Curves", 1950, ch. IV §3; Duval 1989, "Rational
Puiseux expansions", Compositio Math. 70).  Counted with multiplicity the branches are
:math:`\deg_x F` in number (including branches with :math:`\gamma < 0`, which tend to
infinity, and x = 0 when :math:`a_0(t) \equiv 0`).

Coefficients are exact (sympy: rationals, radicals, algebraic numbers, π, ...) or numeric
(``numeric=True``: mpmath at the working precision, complex where the branch is).

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
>>> P = newton_polygon(t*x**2 - x + 1, x, t)
>>> [(str(e.slope), str(e.polynomial)) for e in P.edges]
[('0', '1 - z'), ('-1', 'z - 1')]
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

import mpmath
import sympy

from ..errors import ConvergenceError, InputError

__all__ = ["NewtonPolygon", "Edge", "PuiseuxSeries", "newton_polygon", "puiseux_branches",
           "lower_hull", "cluster_roots"]

Z = sympy.Symbol("z")


# ----------------------------------------------------------------------------- geometry
def lower_hull(points):
    """The vertices of the lower convex hull of points ``(x, y)``, by increasing x
    (Andrew's monotone chain, lower half).

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


# ----------------------------------------------------------------------------- coefficients
class _Exact:
    """Coefficient arithmetic in sympy (exact)."""
    numeric = False

    @staticmethod
    def convert(c):
        return sympy.nsimplify(c) if isinstance(c, float) else sympy.sympify(c)

    @staticmethod
    def is_zero(c):
        if c == 0:
            return True
        e = sympy.expand(c)
        if e == 0:
            return True
        if e.is_number:
            v = sympy.N(e, 60)
            if abs(v) > 1e-40:
                return False
            return sympy.simplify(e) == 0
        return False

    @staticmethod
    def simplify(c):
        c = sympy.expand(c)
        if c.is_number and c.has(sympy.sqrt(2).func, sympy.Pow):
            c = sympy.radsimp(c)
        return c

    @staticmethod
    def roots(coeffs):
        """Non-zero roots with multiplicities of Σ coeffs[i] z^i (low to high)."""
        poly = sympy.Poly(sum(c * Z ** i for i, c in enumerate(coeffs)), Z)
        rts = sympy.roots(poly, multiple=False)
        if sum(rts.values()) != poly.degree():
            rts = {}
            for r in sympy.Poly(poly, Z).all_roots():
                rts[r] = rts.get(r, 0) + 1
        return [(sympy.simplify(r), m) for r, m in rts.items() if not _Exact.is_zero(r)]


class _Numeric:
    """Coefficient arithmetic in mpmath (complex) at the current precision."""
    numeric = True

    @staticmethod
    def convert(c):
        if isinstance(c, (mpmath.mpf, mpmath.mpc)):
            return c
        if isinstance(c, sympy.Basic):
            v = sympy.N(c, mpmath.mp.dps + 5)
            return mpmath.mpc(mpmath.mpf(str(sympy.re(v))), mpmath.mpf(str(sympy.im(v))))
        return mpmath.mpmathify(c)

    @staticmethod
    def is_zero(c):
        return abs(c) <= mpmath.mpf(10) ** (-(mpmath.mp.dps * 2 // 3))

    @staticmethod
    def simplify(c):
        return c

    @staticmethod
    def roots(coeffs):
        cs = list(reversed(coeffs))
        while cs and _Numeric.is_zero(cs[0]):
            cs = cs[1:]
        if len(cs) <= 1:
            return []
        rts = mpmath.polyroots(cs, maxsteps=400, extraprec=4 * mpmath.mp.prec) \
            if len(cs) > 2 else [-cs[1] / cs[0]]
        tol = mpmath.mpf(10) ** (-(mpmath.mp.dps // 4))
        out = []
        for r, m in cluster_roots(rts, tol):
            if abs(mpmath.im(r)) <= tol * max(1, abs(r)):
                r = mpmath.re(r)
            out.append((r, m))
        return out


def cluster_roots(roots, tol):
    """Numerical roots grouped when closer than ``tol`` (relative): ``[(mean, count)]``.
    A root of multiplicity m computed at precision p scatters by about p^(1/m), so ``tol``
    should be well above that (a quarter of the working digits is used here)."""
    groups = []
    for z in roots:
        for g in groups:
            if abs(z - g[0]) <= tol * max(1, abs(g[0])):
                g[1].append(z)
                break
        else:
            groups.append([z, [z]])
    return [(mpmath.fsum(g[1]) / len(g[1]), len(g[1])) for g in groups]


# ----------------------------------------------------------------------------- input
def _support(F, x, t, field_):
    """``{(i, j): a_ij}`` from a sympy expression or a list of coefficients a_i(t)."""
    if isinstance(F, (list, tuple)):
        coeffs = list(F)
    else:
        F = sympy.expand(sympy.sympify(F))
        if not F.is_polynomial(x):
            raise InputError("F must be a polynomial in x")
        P = sympy.Poly(F, x)
        coeffs = [P.coeff_monomial(x ** i) for i in range(P.degree() + 1)]
    out = {}
    for i, a in enumerate(coeffs):
        a = sympy.expand(sympy.sympify(a))
        if not a.is_polynomial(t):
            raise InputError(f"the coefficient of x^{i} is not a polynomial in t: {a}")
        if a == 0:
            continue
        Q = sympy.Poly(a, t)
        for (j,), c in Q.terms():
            c = field_.convert(c)
            if not field_.is_zero(c):
                out[(i, j)] = c
    if not out:
        raise InputError("F is zero")
    return out


# ----------------------------------------------------------------------------- polygon
@dataclass
class Edge:
    r"""An edge of the Newton polygon: branches :math:`x \sim c\,t^{\gamma}` with
    ``slope`` γ (a Fraction; the hull edge has slope −γ), ``length`` the number of such
    branches, and the characteristic ``polynomial`` :math:`\phi(z)` (sympy)."""
    slope: Fraction
    start: tuple
    end: tuple
    polynomial: object
    coefficients: list = field(repr=False, default_factory=list)

    @property
    def length(self):
        return self.end[0] - self.start[0]


@dataclass
class NewtonPolygon:
    """The lower convex hull of the support ``{(i, j)}`` (powers of x and t)."""
    points: list
    vertices: list
    edges: list

    def latex(self):
        rows = [rf"\gamma = {_frac_tex(e.slope)}: \quad {sympy.latex(e.polynomial)} = 0"
                for e in self.edges]
        return r"\begin{aligned}" + r" \\ ".join(rows) + r"\end{aligned}"

    def _repr_latex_(self):
        return f"${self.latex()}$"

    def __str__(self):
        return "Newton polygon: " + "; ".join(
            f"x ~ c t^({_frac_txt(e.slope)}) ({e.length} branch{'es' if e.length > 1 else ''}),"
            f" {e.polynomial} = 0" for e in self.edges)


def _polygon(supp, field_):
    lows = {}
    for (i, j) in supp:
        lows[i] = min(j, lows.get(i, j))
    pts = sorted(lows.items())
    hull = lower_hull(pts)
    edges = []
    for (i1, j1), (i2, j2) in zip(hull, hull[1:]):
        gamma = Fraction(j1 - j2, i2 - i1)
        coeffs = []
        for i in range(i1, i2 + 1):
            # (i, j) on the edge: j = j1 - γ (i - i1)
            jj = Fraction(j1) - gamma * (i - i1)
            c = supp.get((i, int(jj))) if jj.denominator == 1 else None
            coeffs.append(c if c is not None else (0 if not field_.numeric else mpmath.mpf(0)))
        poly = sum(sympy.sympify(c) * Z ** k for k, c in enumerate(coeffs)) \
            if not field_.numeric else sum(sympy.Float(str(mpmath.re(c)), 15) * Z ** k
                                           for k, c in enumerate(coeffs))
        edges.append(Edge(gamma, (i1, j1), (i2, j2), poly, coeffs))
    return NewtonPolygon(pts, hull, edges)


def newton_polygon(F, x, t, numeric=False):
    r"""The Newton polygon of F(x, t) (a sympy expression, or the list of coefficients of
    :math:`x^0, x^1, \dots` as polynomials in t): vertices and edges with their slopes and
    characteristic polynomials.

    >>> x, t = sympy.symbols("x t")
    >>> print(newton_polygon(x**3 - t*x + t**2, x, t))
    Newton polygon: x ~ c t^(1) (1 branch), 1 - z = 0; x ~ c t^(1/2) (2 branches), z**2 - 1 = 0
    """
    fld = _Numeric if numeric else _Exact
    return _polygon(_support(F, x, t, fld), fld)


# ----------------------------------------------------------------------------- series
@dataclass
class PuiseuxSeries:
    r"""A branch :math:`x(t) = \sum_k c_k t^{e_k} + O(t^{N})`: ``terms`` is a list of
    ``(exponent, coefficient)`` with Fraction exponents, ``order`` = N (None: the series
    is exact, it terminates), ``multiplicity`` how many times the branch occurs."""
    terms: list
    order: object
    t: object = sympy.Symbol("t")
    multiplicity: int = 1
    numeric: bool = False

    @property
    def exponents(self):
        return [e for e, _ in self.terms]

    @property
    def coefficients(self):
        return [c for _, c in self.terms]

    @property
    def ramification(self):
        """The least common denominator of the exponents."""
        return math.lcm(*[e.denominator for e in self.exponents]) if self.terms else 1

    def __call__(self, t0):
        """The truncated series at t = t0 (mpmath; principal branch of t^(p/q))."""
        t0 = mpmath.mpmathify(t0)
        return mpmath.fsum(_num(c) * t0 ** (mpmath.mpf(e.numerator) / e.denominator)
                           for e, c in self.terms)

    def as_expr(self):
        """The truncated series as a sympy expression in t (without the O-term)."""
        return sum((sympy.sympify(c if not self.numeric else _sym_num(c)) *
                    self.t ** sympy.Rational(e.numerator, e.denominator)
                    for e, c in self.terms), sympy.Integer(0))

    def __str__(self):
        parts = []
        for e, c in self.terms:
            cs = _coef_txt(c, self.numeric)
            mono = "" if e == 0 else (f"{self.t}" if e == 1 else f"{self.t}^{e.numerator}"
                                      if e.denominator == 1 and e > 0 else
                                      f"{self.t}^({_frac_txt(e)})")
            if mono:
                cs = "" if cs == "1" else "-" if cs == "-1" else f"({cs})*" if (
                    "+" in cs[1:] or "-" in cs[1:]) else f"{cs}*"
            parts.append(f"{cs}{mono}")
        s = " + ".join(parts).replace("+ -", "- ") if parts else "0"
        if self.order is not None:
            s += f" + O({self.t}^{_frac_txt(self.order)})" if self.order != 1 else \
                f" + O({self.t})"
        return s

    __repr__ = __str__

    def latex(self):
        body = sympy.latex(self.as_expr()) if self.terms else "0"
        if self.order is not None:
            body += rf" + O\left({sympy.latex(self.t)}^{{{_frac_tex(self.order)}}}\right)"
        return body

    def _repr_latex_(self):
        return f"${self.latex()}$"

    def to_json(self, digits=20):
        """Terms as ``{"exponent", "coefficient" (exact text or null), "value"}``."""
        out = []
        for e, c in self.terms:
            v = _num(c)
            val = mpmath.nstr(v, digits) if not isinstance(v, mpmath.mpc) else \
                f"{mpmath.nstr(v.real, digits)}{'+' if v.imag >= 0 else '-'}" \
                f"{mpmath.nstr(abs(v.imag), digits)}j"
            out.append({"exponent": _frac_txt(e),
                        "coefficient": None if self.numeric else str(c), "value": val})
        return {"terms": out, "order": None if self.order is None else _frac_txt(self.order),
                "multiplicity": self.multiplicity}


def _num(c):
    if isinstance(c, (mpmath.mpf, mpmath.mpc)):
        return c
    v = sympy.N(c, mpmath.mp.dps + 5)
    re_, im_ = sympy.re(v), sympy.im(v)
    if im_ == 0:
        return mpmath.mpf(str(re_))
    return mpmath.mpc(mpmath.mpf(str(re_)), mpmath.mpf(str(im_)))


def _sym_num(c):
    if isinstance(c, mpmath.mpc):
        return sympy.Float(str(c.real), 30) + sympy.I * sympy.Float(str(c.imag), 30)
    return sympy.Float(str(c), 30)


def _coef_txt(c, numeric):
    if numeric:
        return mpmath.nstr(c, 10)
    return str(c)


def _frac_txt(q):
    q = Fraction(q)
    return str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"


def _frac_tex(q):
    q = Fraction(q)
    return str(q.numerator) if q.denominator == 1 else rf"{q.numerator}/{q.denominator}"


def _substitute(supp, p, q, c, fld):
    r"""``{(i, j): a}`` of :math:`s^{-V} F(s^p (c + x_1), s^q)`, V the minimum power."""
    out = {}
    for (i, j), a in supp.items():
        base = p * i + q * j
        for l in range(i + 1):
            coef = a * math.comb(i, l) * c ** (i - l)
            key = (l, base)
            out[key] = out[key] + coef if key in out else coef
    out = {key: fld.simplify(v) for key, v in out.items()}
    out = {key: v for key, v in out.items() if not fld.is_zero(v)}
    if not out:
        return out
    V = min(j for (_, j) in out)
    return {(i, j - V): v for (i, j), v in out.items()}


def _branches_root(supp, fld, order):
    out = []
    m = min(i for (i, _) in supp)
    if m:                                     # x = 0 with multiplicity m
        out.append(PuiseuxSeries([], None, multiplicity=m, numeric=fld.numeric))
        supp = {(i - m, j): a for (i, j), a in supp.items()}
    poly = _polygon(supp, fld)
    for e in poly.edges:
        gamma = e.slope
        if gamma >= order:
            out.append(PuiseuxSeries([], Fraction(order), multiplicity=e.length,
                                     numeric=fld.numeric))
            continue
        for c, mult in fld.roots(e.coefficients):
            p, q = gamma.numerator, gamma.denominator
            sub = _substitute(supp, p, q, c, fld)
            terms = [(Fraction(gamma), c)]
            if not sub:
                out.append(PuiseuxSeries(terms, None, multiplicity=mult,
                                         numeric=fld.numeric))
                continue
            out += _continue(sub, fld, order, terms, q, Fraction(gamma), mult)
    return out


def _continue(supp, fld, order, terms, scale, last, mult, depth=0):
    """Continue a branch ``terms`` (last exponent ``last`` in t) on the curve ``supp`` in
    (x1, s), t = s^scale, where x1 → 0."""
    m0 = min(i for (i, _) in supp)
    out = []
    if m0:                 # x1 = 0 is an exact root of multiplicity m0: the branch ends
        out.append(PuiseuxSeries(list(terms), None, multiplicity=m0, numeric=fld.numeric))
        supp = {(i - m0, j): a for (i, j), a in supp.items()}
    poly = _polygon(supp, fld)
    for e in poly.edges:
        gamma = e.slope
        if gamma <= 0:
            continue                       # branches of the substitution not through 0
        nxt = last + Fraction(gamma) / scale
        if nxt >= order:
            out.append(PuiseuxSeries(list(terms), Fraction(order), multiplicity=e.length,
                                     numeric=fld.numeric))
            continue
        if depth > 200:
            raise ConvergenceError("Newton-Puiseux: too many steps")
        for c, mult2 in fld.roots(e.coefficients):
            p, q = gamma.numerator, gamma.denominator
            sub = _substitute(supp, p, q, c, fld)
            t2 = list(terms) + [(nxt, c)]
            if not sub:
                out.append(PuiseuxSeries(t2, None, multiplicity=mult2, numeric=fld.numeric))
                continue
            out += _continue(sub, fld, order, t2, scale * q, nxt, mult2, depth + 1)
    return out


def puiseux_branches(F, x, t, order=6, numeric=False, dps=None):
    r"""Every branch :math:`x(t)` of :math:`F(x, t) = 0` near t = 0 as a Puiseux series
    with all terms of exponent below ``order`` (a number; exponents are rational), by
    the Newton–Puiseux algorithm.  ``F``: a sympy expression polynomial in x and t, or the
    list of the coefficients of :math:`x^0, x^1, \dots` (polynomials in t).  Exact
    coefficients (sympy) by default; ``numeric=True`` works in mpmath at ``dps`` digits.
    The multiplicities add up to :math:`\deg_x F`.

    >>> x, t = sympy.symbols("x t")
    >>> bs = puiseux_branches(t*x**2 - x + 1, x, t, order=4)
    >>> [str(b) for b in bs]
    ['t^(-1) - 1 - t - 2*t^2 - 5*t^3 + O(t^4)', '1 + t + 2*t^2 + 5*t^3 + O(t^4)']
    >>> b = puiseux_branches((x - t)**2 - t**3, x, t, order=3)  # two polygon steps
    >>> sorted(str(s) for s in b)                               # (they terminate: exact)
    ['t + t^(3/2)', 't - t^(3/2)']
    """
    if not (isinstance(order, (int, Fraction)) or hasattr(order, "numerator")):
        order = Fraction(str(order))
    order = Fraction(order)
    fld = _Numeric if numeric else _Exact
    if numeric:
        with mpmath.workdps(dps or mpmath.mp.dps):
            supp = _support(F, x, t, fld)
            bs = _branches_root(supp, fld, order)
    else:
        supp = _support(F, x, t, fld)
        bs = _branches_root(supp, fld, order)
    for b in bs:
        b.t = t
        b.numeric = numeric
    bs.sort(key=lambda b: (b.exponents[0] if b.terms else Fraction(10 ** 9),
                           _sort_key(b.coefficients[0]) if b.terms else 0))
    return bs


def _sort_key(c):
    v = _num(c)
    return (float(mpmath.re(v)), float(mpmath.im(v))) if isinstance(v, mpmath.mpc) else \
        (float(v), 0.0)
