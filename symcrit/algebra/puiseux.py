r"""Newton polygons and Puiseux series: the branches :math:`x(t)` of :math:`F(x, t) = 0`.

**The mathematics.**  Write :math:`F(x, t) = \sum_{i} a_i(t) x^i = \sum_{i,j} a_{ij}\, x^i
t^j` (a polynomial in x whose coefficients are polynomials, or truncated power series, in
t).  A branch :math:`x = c\,t^\gamma + \dots` (:math:`c \ne 0`, γ rational) makes the
terms :math:`a_{ij}c^i t^{j+i\gamma}` of lowest order cancel.  The minimum of
:math:`j + i\gamma` over the support is attained at two or more points exactly when they lie
on an edge of slope :math:`-\gamma` of the lower convex hull of
:math:`\{(i, \operatorname{ord}_t a_i)\}` (the **Newton polygon**), and c is then a non-zero
root of the edge's characteristic polynomial :math:`\phi(z) = \sum_{(i,j)\in\text{edge}}
a_{ij} z^{i-i_0}`.  The edge from :math:`i_0` to :math:`i_1` carries :math:`i_1 - i_0`
branches counted with multiplicity, so the branches number :math:`\deg_x F` in all,
including branches with :math:`\gamma < 0` (poles) and x = 0 when :math:`a_0 \equiv 0`.

Newton–Puiseux (Walker, *Algebraic Curves*, 1950, ch. IV §3): with
:math:`\gamma = p/q` substitute :math:`t = s^q`, :math:`x = s^p(c + x_1)` and divide by the
edge's value; the branches of :math:`F` with that leading term are the branches
:math:`x_1 \to 0` of the new polynomial, i.e. its edges of positive slope.  A simple root
c gives a polynomial with the point (1, 0): every further step is linear and integral in s.
A root of multiplicity m needs further polygon steps, each of which may ramify again.

**Coefficients.**  With rational input the coefficients are computed as Duval does
("Rational Puiseux expansions", Compositio Math. 70, 1989): the edge polynomial is factored
over the current field, each irreducible factor g of degree d > 1 gives the field
:math:`\mathbb{Q}[\alpha]/g(\alpha)`, and the branch is expanded **once** with coefficients
in that field (flint arithmetic) and then instantiated at the d conjugates of α (radicals
for d ≤ 2 and for binomials, ``CRootOf`` otherwise).  Input with π (or another sympy
constant such as E) works the same way over :math:`\mathbb{Q}(\pi)`, π treated as a
transcendental: coefficients are rational functions of π and its algebraic extensions
(factoring by sympy over :math:`\mathbb{Q}[\pi, z]`).  Other exact input (radicals such as
√2 in F) is expanded with sympy expressions, and so is a branch that needs a second
non-linear edge polynomial over an extension field.  ``numeric=True`` works in mpmath at
``dps`` digits (roots by ``polyroots``, clustered into multiplicities).

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
from flint import fmpq, fmpq_poly

from ..core import ConvergenceError, InputError
from ..core import int_power

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


def numeric_roots(cs):
    """``[(root, multiplicity)]`` of the polynomial with mpmath coefficients ``cs`` (highest
    degree first, leading coefficient non-zero): ``polyroots`` with extra precision (retried
    with more steps), close roots grouped by :func:`cluster_roots` at a quarter of the
    working digits, roots with a negligible imaginary part made real."""
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


# ----------------------------------------------------------------------------- number fields
def _fmpq(c):
    c = sympy.Rational(c)
    return fmpq(int(c.p), int(c.q))


def _rat(q):
    return sympy.Rational(int(q.p), int(q.q))


class _NFElem:
    """An element of Q[α]/(m): a flint ``fmpq_poly`` of degree < deg m."""
    __slots__ = ("K", "p")

    def __init__(self, K, p):
        self.K, self.p = K, p

    def _lift(self, o):
        if isinstance(o, _NFElem):
            return o.p
        return fmpq_poly([o])

    def __add__(self, o):
        return _NFElem(self.K, self.p + self._lift(o))

    __radd__ = __add__

    def __sub__(self, o):
        return _NFElem(self.K, self.p - self._lift(o))

    def __neg__(self):
        return _NFElem(self.K, -self.p)

    def __mul__(self, o):
        if isinstance(o, _NFElem):
            return _NFElem(self.K, (self.p * o.p) % self.K.m)
        return _NFElem(self.K, self.p * o)

    __rmul__ = __mul__

    def __pow__(self, n):
        return int_power(self, n, self.K.one)

    def inv(self):
        g, s, _ = self.p.xgcd(self.K.m)
        return _NFElem(self.K, (s / g[0]) % self.K.m)

    def __truediv__(self, o):
        return self * o.inv()

    def is_zero(self):
        return self.p.is_zero()


class _FieldOps:
    """What the exact fields share: elements know whether they are zero, and are kept
    reduced (nothing to simplify)."""
    numeric = False

    @staticmethod
    def is_zero(c):
        return c.is_zero()

    @staticmethod
    def simplify(c):
        return c

    def _trim(self, coeffs):
        """The coefficients without the zero ones at both ends, and the root of a linear
        polynomial (computed in this field); a non-linear one over an extension needs the
        tower of fields (:class:`_NeedTower`)."""
        nz = [i for i, c in enumerate(coeffs) if not c.is_zero()]
        coeffs = coeffs[nz[0]:nz[-1] + 1]
        if len(coeffs) == 2:
            return coeffs, [(-(coeffs[0] / coeffs[1]), 1, self)]
        if self.d > 1:
            raise _NeedTower
        return coeffs, None


class _NumberField(_FieldOps):
    r"""Exact arithmetic in :math:`\mathbb{Q}[\alpha]/m(\alpha)` (m monic irreducible;
    m = y is the field of rationals)."""

    def __init__(self, m):
        self.m = m
        self.d = m.degree()
        self.one = _NFElem(self, fmpq_poly([1]))
        self.zero = _NFElem(self, fmpq_poly([]))

    def const(self, c):
        return _NFElem(self, fmpq_poly([c]))

    def convert(self, c):
        return self.const(_fmpq(c))

    def roots(self, coeffs):
        """``[(root, multiplicity, field)]`` of the non-zero roots of Σ coeffs[i] z^i."""
        coeffs, linear = self._trim(coeffs)
        if linear:
            return linear
        f = fmpq_poly([c.p[0] if c.p.degree() >= 0 else 0 for c in coeffs])
        out = []
        for g, e in f.factor()[1]:
            if g.degree() == 1:
                out.append((self.const(-g[0] / g[1]), e, self))
            else:
                K = _NumberField(g / g[g.degree()])
                out.append((_NFElem(K, fmpq_poly([0, 1])), e, K))
        return out

    def lift(self, v):
        return _NFElem(self, v.p)

    @staticmethod
    def to_expr(c, alpha):
        return _nf_to_expr(c, alpha)

    @staticmethod
    def to_value(c, aval):
        return _nf_to_value(c, aval)

    def conjugates(self):
        """``[(sympy expression, mpmath value)]`` of the roots of m."""
        if getattr(self, "_conj", None) is None:
            self._conj = self._conjugates()
        return self._conj

    def _conjugates(self):
        if self.d == 1:
            v = _rat(-self.m[0])
            return [(v, mpmath.mpf(v.p) / v.q)]
        y = sympy.Symbol("y")
        m = sympy.Poly([_rat(self.m[k]) for k in range(self.d, -1, -1)], y)
        nonzero = [k for k in range(1, self.d) if self.m[k] != 0]
        if self.d <= 2 or not nonzero:
            rts = sympy.roots(m, multiple=True)
            if len(rts) == self.d:
                return [(r, _mpc(sympy.N(r, mpmath.mp.dps + 10))) for r in rts]
        rts = [sympy.CRootOf(m, k) for k in range(self.d)]
        with mpmath.workdps(mpmath.mp.dps + 10):
            vals = mpmath.polyroots([mpmath.mpf(int(self.m[k].p)) / int(self.m[k].q)
                                     for k in range(self.d, -1, -1)],
                                    maxsteps=200, extraprec=2 * mpmath.mp.prec)
        return [(r, _match_root(r, vals)) for r in rts]


def _match_root(r, vals):
    """The numerical root among ``vals`` inside the isolating box of the CRootOf ``r``
    (sympy's own evaluation refines the box rationally, which is slow)."""
    try:
        iv = r._get_interval()
        if r.is_real:
            lo, hi = (mpmath.mpf(sympy.Rational(iv.a).p) / sympy.Rational(iv.a).q,
                      mpmath.mpf(sympy.Rational(iv.b).p) / sympy.Rational(iv.b).q)
            inside = [v for v in vals if lo <= mpmath.re(v) <= hi and
                      abs(mpmath.im(v)) <= 1e-10 * max(1, abs(v))]
            if len(inside) == 1:
                return mpmath.mpf(mpmath.re(inside[0]))
        else:
            def f(q):
                q = sympy.Rational(q)
                return mpmath.mpf(q.p) / q.q
            ax, bx, ay, by = f(iv.ax), f(iv.bx), f(iv.ay), f(iv.by)
            inside = [v for v in vals if ax <= mpmath.re(v) <= bx and
                      ay <= mpmath.im(v) <= by]
            if len(inside) == 1:
                return mpmath.mpc(inside[0])
    except Exception:                                    # pragma: no cover
        pass
    return _mpc(sympy.N(r, mpmath.mp.dps + 10))


class _PElem:
    """An element of Q(u)[α]/(m): the list of its coefficients (sympy FracElements)."""
    __slots__ = ("K", "c")

    def __init__(self, K, c):
        while c and c[-1] == 0:
            c = c[:-1]
        self.K, self.c = K, c

    def _lift(self, o):
        return o.c if isinstance(o, _PElem) else [self.K.F.convert(o)]

    def __add__(self, o):
        a, b = self.c, self._lift(o)
        n = max(len(a), len(b))
        return _PElem(self.K, [(a[k] if k < len(a) else 0) + (b[k] if k < len(b) else 0)
                               for k in range(n)])

    __radd__ = __add__

    def __neg__(self):
        return _PElem(self.K, [-v for v in self.c])

    def __sub__(self, o):
        return self + (-o if isinstance(o, _PElem) else -o)

    def __mul__(self, o):
        if not isinstance(o, _PElem):
            o = self.K.F.convert(o)
            return _PElem(self.K, [v * o for v in self.c])
        prod = [self.K.F.zero] * max(len(self.c) + len(o.c) - 1, 0)
        for i, a in enumerate(self.c):
            for j, b in enumerate(o.c):
                prod[i + j] += a * b
        return _PElem(self.K, _prem(prod, self.K.m))

    __rmul__ = __mul__

    def inv(self):
        # extended Euclid over Q(u): s*self + r*m = g (a constant)
        r0, r1, s0, s1 = list(self.K.m), list(self.c), [], [self.K.F.one]
        while len(r1) > 1:
            q, r = _pdivmod(r0, r1)
            r0, r1 = r1, r
            s0, s1 = s1, _psub(s0, _pmul(q, s1))
            while r1 and r1[-1] == 0:
                r1 = r1[:-1]
        g = r1[0]
        return _PElem(self.K, _prem([v / g for v in s1], self.K.m))

    def __truediv__(self, o):
        return self * o.inv()

    def is_zero(self):
        return not self.c


def _pmul(a, b):
    if not a or not b:
        return []
    out = [0] * (len(a) + len(b) - 1)
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            out[i + j] = out[i + j] + x * y
    return out


def _psub(a, b):
    n = max(len(a), len(b))
    out = [(a[k] if k < len(a) else 0) - (b[k] if k < len(b) else 0) for k in range(n)]
    while out and out[-1] == 0:
        out.pop()
    return out


def _pdivmod(a, b):
    a = list(a)
    q = [0] * max(len(a) - len(b) + 1, 1)
    while len(a) >= len(b) and a:
        f = a[-1] / b[-1]
        k = len(a) - len(b)
        q[k] = f
        for i, y in enumerate(b):
            a[i + k] = a[i + k] - f * y
        a.pop()
        while a and a[-1] == 0:
            a.pop()
    return q, a


def _prem(a, m):
    return _pdivmod(a, m)[1] if len(a) >= len(m) else a


class _CannotInstantiate(Exception):
    """The conjugates of a field over Q(π) are not expressible in radicals."""


class _ParamField(_FieldOps):
    r"""Exact arithmetic in :math:`\mathbb{Q}(u)[\alpha]/m(\alpha)`, u standing for π (or
    another constant treated as transcendental): coefficients rational functions of π."""

    def __init__(self, F, params, m=None):
        self.F, self.params = F, params                     # params: [(u, constant)]
        self.m = m if m is not None else [F.zero, F.one]      # monic, low to high
        self.d = len(self.m) - 1
        self.one = _PElem(self, [F.one])
        self.zero = _PElem(self, [])

    def convert(self, c):
        c = sympy.sympify(c, strict=True).subs({k: u for u, k in self.params})
        return _PElem(self, [self.F.from_sympy(c)])

    def lift(self, v):
        return _PElem(self, list(v.c))

    def _expr(self, f):
        return self.F.to_sympy(f).subs({u: k for u, k in self.params})

    def roots(self, coeffs):
        coeffs, linear = self._trim(coeffs)
        if linear:
            return linear
        us = [u for u, _ in self.params]
        expr = sum(self.F.to_sympy(c.c[0] if c.c else self.F.zero) * Z ** i
                   for i, c in enumerate(coeffs))
        out = []
        for g, e in sympy.factor_list(sympy.together(expr).as_numer_denom()[0], Z, *us)[1]:
            P = sympy.Poly(g, Z)
            if P.degree() < 1:
                continue
            cs = [self.F.from_sympy(P.coeff_monomial(Z ** k)) for k in range(P.degree() + 1)]
            if P.degree() == 1:
                out.append((_PElem(self, [-cs[0] / cs[1]]), e, self))
            else:
                K = _ParamField(self.F, self.params, [v / cs[-1] for v in cs])
                out.append((_PElem(K, [self.F.zero, self.F.one]), e, K))
        return out

    def conjugates(self):
        if getattr(self, "_conj", None) is None:
            if self.d == 1:
                rts = [self._expr(-self.m[0])]
            else:
                y = sympy.Symbol("y")
                m = sum(self._expr(v) * y ** k for k, v in enumerate(self.m))
                rts = sympy.roots(sympy.Poly(m, y), multiple=True)
                if len(rts) != self.d:
                    raise _CannotInstantiate
            self._conj = [(r, _mpc(sympy.N(r, mpmath.mp.dps + 10))) for r in rts]
        return self._conj

    def to_expr(self, c, alpha):
        e = sum((self._expr(v) * alpha ** k for k, v in enumerate(c.c)), sympy.Integer(0))
        return sympy.expand(sympy.powsimp(sympy.expand(e)))

    def to_value(self, c, aval):
        return mpmath.fsum(_num(self._expr(v)) * aval ** k for k, v in enumerate(c.c)) \
            if c.c else mpmath.mpf(0)


class _NeedTower(Exception):
    """A non-linear edge polynomial over a number field of degree > 1."""


def _nf_to_expr(c, alpha):
    return sympy.expand(sum((_rat(c.p[k]) * alpha ** k for k in range(c.p.degree() + 1)),
                            sympy.Integer(0)))


def _nf_to_value(c, alpha_val):
    return mpmath.fsum(mpmath.mpf(int(c.p[k].p)) / int(c.p[k].q) * alpha_val ** k
                       for k in range(c.p.degree() + 1)) if c.p.degree() >= 0 else mpmath.mpf(0)


# ----------------------------------------------------------------------------- other fields
class _Exact:
    """Coefficient arithmetic with sympy expressions (π, radicals, symbols, ...)."""
    numeric = False
    d = 1

    @staticmethod
    def convert(c):
        return sympy.nsimplify(c) if isinstance(c, float) else sympy.sympify(c, strict=True)

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
        return sympy.simplify(e) == 0

    @staticmethod
    def simplify(c):
        c = sympy.expand(c)
        if c.is_number and c.has(sympy.Pow):
            c = sympy.radsimp(c)
        return c

    def roots(self, coeffs):
        poly = sympy.Poly(sum(c * Z ** i for i, c in enumerate(coeffs)), Z)
        rts = sympy.roots(poly, multiple=False)
        if sum(rts.values()) != poly.degree():
            try:
                rts = {}
                for r in poly.all_roots():
                    rts[r] = rts.get(r, 0) + 1
            except Exception as exc:             # symbolic coefficients of high degree
                raise InputError(f"cannot solve the edge polynomial {poly.as_expr()} = 0 "
                                 "exactly; use numeric=True") from exc
        return [(sympy.simplify(r), m, self) for r, m in rts.items() if not self.is_zero(r)]


class _Numeric:
    """Coefficient arithmetic in mpmath (complex) at the current precision."""
    numeric = True
    d = 1

    @staticmethod
    def convert(c):
        if isinstance(c, (mpmath.mpf, mpmath.mpc)):
            return c
        if isinstance(c, sympy.Basic):
            return _mpc(sympy.N(c, mpmath.mp.dps + 5))
        return mpmath.mpmathify(c)

    @staticmethod
    def is_zero(c):
        return abs(c) <= mpmath.mpf(10) ** (-(mpmath.mp.dps * 2 // 3))

    @staticmethod
    def simplify(c):
        return c

    def roots(self, coeffs):
        cs = list(reversed(coeffs))
        while cs and self.is_zero(cs[0]):
            cs = cs[1:]
        while cs and self.is_zero(cs[-1]):
            cs = cs[:-1]
        return [(r, m, self) for r, m in numeric_roots(cs)]


def _mpc(v):
    re_, im_ = sympy.re(v), sympy.im(v)
    if im_ == 0:
        return mpmath.mpf(str(sympy.Float(re_, mpmath.mp.dps + 5)))
    return mpmath.mpc(mpmath.mpf(str(sympy.Float(re_, mpmath.mp.dps + 5))),
                      mpmath.mpf(str(sympy.Float(im_, mpmath.mp.dps + 5))))


# ----------------------------------------------------------------------------- input
def _strict(a):
    if isinstance(a, str):
        raise InputError("give sympy expressions or numbers, not strings")
    try:
        return sympy.sympify(a, strict=True)
    except sympy.SympifyError as exc:
        raise InputError(f"not a sympy expression or number: {a!r}") from exc


def _parse(F, x, t):
    """``(coefficients, precisions)``: a_i(t) as sympy polynomials, and for each i the
    power of t from which a_i is unknown (None: a_i is exact)."""
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
    else:
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
        precs = [prec] * len(coeffs)
    return coeffs, precs


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


def _support(coeffs, precs, t, fld):
    """``({(i, j): a_ij}, {i: n_i})``: the known monomials and the unknown region
    (all :math:`x^i t^j` with :math:`j \\ge n_i`)."""
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
            c = fld.convert(c)
            if not fld.is_zero(c):
                out[(i, j)] = c
    if not out and not err:
        raise InputError("F is zero")
    if not out:
        raise InputError("F is entirely unknown (every coefficient is O(...))")
    return out, err


def _choose_field(coeffs, t, numeric):
    if numeric:
        return _Numeric()
    floats = [f for a in coeffs for f in sympy.sympify(a, strict=True).atoms(sympy.Float)]
    if floats:
        raise InputError(f"F has floating-point coefficients ({floats[0]}): give exact "
                         "numbers (sympy.Rational, integers) or use numeric=True")
    consts = set()
    for a in coeffs:
        consts |= sympy.sympify(a, strict=True).atoms(sympy.NumberSymbol)
    if consts and all(sympy.sympify(a, strict=True).is_polynomial(t) for a in coeffs):
        params = [(sympy.Dummy(f"u{k}"), c) for k, c in enumerate(sorted(consts, key=str))]
        F = sympy.QQ.frac_field(*[u for u, _ in params])
        try:
            for a in coeffs:
                a = sympy.expand(sympy.sympify(a, strict=True).subs({c: u for u, c in params}))
                if a != 0:
                    for c in sympy.Poly(a, t).coeffs():
                        F.from_sympy(c)
            return _ParamField(F, params)
        except Exception:
            return _Exact()
    for a in coeffs:
        a = sympy.expand(a)
        if a.free_symbols - {t} or not a.is_polynomial(t):
            return _Exact()
        if a != 0 and not all(c.is_Rational for c in sympy.Poly(a, t).coeffs()):
            return _Exact()
    return _NumberField(fmpq_poly([0, 1]))


# ----------------------------------------------------------------------------- polygon
@dataclass
class Edge:
    r"""An edge of the Newton polygon, from vertex ``start`` to ``end`` (points
    (power of x, power of t)).  Its branches are :math:`x \sim c\,t^{\gamma}` with
    γ = ``slope`` (a sympy Rational; the hull edge itself has slope −γ in the (i, j)
    plane), ``length`` of them counted with multiplicity, c a root of the characteristic
    ``polynomial`` :math:`\phi(z)` (a sympy expression in z)."""
    slope: sympy.Rational
    start: tuple
    end: tuple
    polynomial: object
    coefficients: list = field(repr=False, default_factory=list)

    @property
    def length(self):
        return self.end[0] - self.start[0]


@dataclass
class NewtonPolygon:
    """The lower convex hull of the support ``{(i, j)}`` (powers of x and t): ``points``
    (i, ord_t a_i), hull ``vertices`` and ``edges`` from left (small i) to right."""
    points: list
    vertices: list
    edges: list

    def latex(self):
        rows = [rf"\gamma = {sympy.latex(e.slope)}: \quad {sympy.latex(e.polynomial)} = 0"
                for e in self.edges]
        return r"\begin{aligned}" + r" \\ ".join(rows) + r"\end{aligned}"

    def _repr_latex_(self):
        return f"${self.latex()}$"

    def __str__(self):
        return "Newton polygon: " + "; ".join(
            f"x ~ c t^({e.slope}) ({e.length} branch{'es' if e.length > 1 else ''}),"
            f" {e.polynomial} = 0" for e in self.edges)


def _lows(supp):
    lows = {}
    for (i, j) in supp:
        lows[i] = min(j, lows.get(i, j))
    return lows


def _edges(supp, zero):
    """``[(γ, (i1, j1), (i2, j2), [coefficients along the edge])]``."""
    hull = lower_hull(sorted(_lows(supp).items()))
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


def newton_polygon(F, x, t, numeric=False):
    r"""The Newton polygon of F(x, t) (a sympy expression, or the list of coefficients of
    :math:`x^0, x^1, \dots` as polynomials in t): the lower convex hull of
    :math:`\{(i, \operatorname{ord}_t a_i)\}`, its edges with γ (branches
    :math:`x \sim c\,t^\gamma`) and characteristic polynomials
    :math:`\phi(z) = \sum_{\text{edge}} a_{ij} z^{i - i_0}` (Walker ch. IV §3).

    >>> x, t = sympy.symbols("x t")
    >>> P = newton_polygon(x**3 - t*x + t**2, x, t)
    >>> print(P)
    Newton polygon: x ~ c t^(1) (1 branch), 1 - z = 0; x ~ c t^(1/2) (2 branches), z**2 - 1 = 0
    >>> P.vertices
    [(0, 2), (1, 1), (3, 0)]
    """
    fld = _Numeric() if numeric else _Exact()
    coeffs, precs = _parse(F, x, t)
    supp, _ = _support(coeffs, precs, t, fld)
    zero = mpmath.mpf(0) if numeric else sympy.Integer(0)
    edges = []
    for gamma, a, b, cs in _edges(supp, zero):
        if numeric:
            poly = sum(sympy.Float(str(mpmath.re(c)), 15) * Z ** k for k, c in enumerate(cs))
        else:
            poly = sum(c * Z ** k for k, c in enumerate(cs))
        edges.append(Edge(sympy.Rational(gamma.numerator, gamma.denominator), a, b, poly, cs))
    pts = sorted(_lows(supp).items())
    return NewtonPolygon(pts, lower_hull(pts), edges)


# ----------------------------------------------------------------------------- certainty
def _certain_below(lows, err, start):
    r"""The least γ > ``start`` at which the face of the known support in direction γ may
    be changed by the unknown monomials ``err`` ({i: least unknown j}): the least zero of
    :math:`g(\gamma) = \min_{err}(j + \gamma i) - \min_{known}(j + \gamma i)`.  None when
    there is none; ``start`` None means −∞ (raises if g ≤ 0 as γ → −∞)."""
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


# ----------------------------------------------------------------------------- the algorithm
def _substitute(supp, err, p, q, c, fld):
    r"""``{(i, j): a}`` of :math:`s^{-V} F(s^p (c + x_1), s^q)` (V the least power), and
    the unknown region mapped the same way."""
    deg = max(i for i, _ in supp)
    cp = [fld.one if hasattr(fld, "one") else 1]
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
    conv = fld2.lift                          # K -> K(β): constants stay constants
    return ({k: conv(v) for k, v in supp.items()},
            [(e, conv(c)) for e, c in terms])


def _root_level(supp, err, fld, order, margin):
    out = []
    m0 = min(i for (i, _) in supp)
    lows = _lows(supp)
    lb = _certain_below(lows, err, None)
    zero_exact = m0 and lb is None
    if zero_exact:
        out.append(_Raw([], None, m0, fld))
    counted = m0 if zero_exact else 0
    zero = fld.zero if hasattr(fld, "zero") else (mpmath.mpf(0) if fld.numeric else 0)
    for gamma, a, b, cs in _edges(supp, zero):
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
    lows = _lows(supp)
    m0 = min(lows)
    npos = min(i for i, j in lows.items() if j == 0)    # branches x1 -> 0, with x1 = 0
    zero = fld.zero if hasattr(fld, "zero") else (mpmath.mpf(0) if fld.numeric else 0)
    edges = [e for e in _edges(supp, zero) if e[0] > 0]
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
            lows = _lows(supp)
            m0 = min(lows)
            edges = [e for e in _edges(supp, zero) if e[0] > 0]
    lb = _certain_below(lows, err, 0)
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
        except _NeedTower:
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
    ex = _Exact()
    for alpha, _ in fld.conjugates():
        s2 = {k: fld.to_expr(v, alpha) for k, v in supp.items()}
        t2 = [(e, fld.to_expr(c, alpha)) for e, c in terms]
        out += _continue(s2, err, ex, order, t2, scale, last, margin, depth + 1)
    return out


# ----------------------------------------------------------------------------- series
def _q(e):
    return sympy.Rational(e.numerator, e.denominator) if isinstance(e, Fraction) \
        else sympy.Rational(e)


@dataclass
class PuiseuxSeries:
    r"""A branch :math:`x(t) = \sum_k c_k t^{e_k} + O(t^{N})` of F(x, t) = 0.

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
    values: list = field(default=None, repr=False)

    def __post_init__(self):
        self.terms = [(_q(e), c if self.numeric or isinstance(c, (mpmath.mpf, mpmath.mpc))
                       else sympy.sympify(c, strict=True)) for e, c in self.terms]
        if self.order is not None:
            self.order = _q(self.order)
        if self.values is None:
            self.values = [_num(c) for _, c in self.terms]

    @property
    def exponents(self):
        return [e for e, _ in self.terms]

    @property
    def coefficients(self):
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
    return _mpc(sympy.N(c, mpmath.mp.dps + 5))


def _sym_num(c):
    if isinstance(c, mpmath.mpc):
        return sympy.Float(str(c.real), 30) + sympy.I * sympy.Float(str(c.imag), 30)
    return sympy.Float(str(c), 30)


def _finish(raw, t, numeric):
    """PuiseuxSeries from the raw branches: number-field branches at every conjugate."""
    out = []
    for r in raw:
        if hasattr(r.field, "conjugates"):
            for alpha, aval in r.field.conjugates():
                rad = isinstance(r.field, _NumberField) and r.field.d == 2
                terms = [(e, sympy.radsimp(r.field.to_expr(c, alpha)) if rad
                          else r.field.to_expr(c, alpha)) for e, c in r.terms]
                vals = [r.field.to_value(c, aval) for _, c in r.terms]
                out.append(PuiseuxSeries(terms, r.order, t, r.mult, False, vals))
        else:
            out.append(PuiseuxSeries(r.terms, r.order, t, r.mult, numeric))
    return out


def puiseux_branches(F, x, t, order=6, numeric=False, dps=None):
    r"""Every branch :math:`x(t)` of :math:`F(x, t) = 0` near t = 0 as a Puiseux series
    with all terms of exponent below ``order`` (exponents are rational), by the
    Newton–Puiseux algorithm (Walker 1950, ch. IV; Duval 1989): see the module docstring.

    ``F``: a sympy expression, polynomial in x and t, or the list of the coefficients of
    :math:`x^0, x^1, \dots` (polynomials in t, each possibly with an ``O(t^n)`` term: a
    truncated series).  Exact coefficients by default; ``numeric=True`` works in mpmath at
    ``dps`` digits.  The multiplicities add up to :math:`\deg_x F`; branches are sorted by
    leading exponent (x = 0 last).  A branch shown without an O-term is exact.

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
    with mpmath.workdps(dps or mpmath.mp.dps):
        coeffs, precs = _parse(F, x, t)
        fld = _choose_field(coeffs, t, numeric)
        supp, err = _support(coeffs, precs, t, fld)
        try:
            raw = _run(supp, err, fld, order)
            with mpmath.workdps(max(dps or 0, mpmath.mp.dps) + 10):
                bs = _finish(raw, t, numeric)   # values a little beyond the working precision
        except _CannotInstantiate:              # over Q(π): conjugates not in radicals
            fld = _Exact()
            supp, err = _support(coeffs, precs, t, fld)
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
