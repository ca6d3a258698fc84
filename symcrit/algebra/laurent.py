r"""Truncated Laurent series in ε as a number system, over a coefficient domain.

A :class:`LaurentSeries` is :math:`\sum_{i} c_i\,\varepsilon^{v+i}` known modulo
:math:`\varepsilon^{p}` (``val`` = v, ``prec`` = p), with coefficients in a domain of
:mod:`symcrit.algebra.domains`: mpmath numbers (``MPMATH_DOMAIN``, the default) or the exact field
:math:`\mathbb{Q}(\pi)` (``QQ_PI``).  The arithmetic is written once; the domain decides
whether it is exact (the principle of ``sympy.polys`` domains).  Arithmetic tracks the
absolute precision (multiplying by :math:`k^2 = \varepsilon^{-4}` costs four orders).

``sqrt`` needs an even valuation and the square root of the leading coefficient; ``acos``
is expanded through :math:`y' = -x'/\sqrt{1-x^2}` and works at the end points: for
:math:`x = -1 + a\varepsilon^{2m} + \dots` it gives :math:`\pi - \sqrt{2a}\,\varepsilon^m
+ \dots`, the square-root behaviour that makes the families' expansions Puiseux series in
:math:`k^{-1/2}` (Arjevani & Field 2021, "Analytic study of families of spurious minima in
two-layer ReLU neural networks", NeurIPS).  Over :math:`\mathbb{Q}(\pi)` the constant term
of an arc cosine must be 0, ±1/2 or ±1 and a square root's leading coefficient a square;
otherwise :class:`~symcrit.algebra.qpi.NotExact` is raised.

:class:`LaurentSystem` plugs these series into the number-system interface of
:mod:`symcrit.core.systems`, so the restricted loss, its gradient and Hessian — compiled once —
evaluate directly as series in ε when ``k = ε^{-2}`` (the formula is never re-derived).

With mpmath coefficients a coefficient is taken to be zero when it is below ``zero_tol``
relative to the series' scale (numerical cancellation of exactly cancelling terms), and an
arc cosine's constant term within that tolerance of ±1 is taken to be ±1 (near ±1 an error
δ in the argument would become an error √δ in the angle).

>>> import mpmath
>>> mpmath.mp.dps = 30
>>> S = LaurentSystem(order=8)
>>> e = S.epsilon()
>>> y = S.acos(-1 + 2 * e**2)        # acos(-1 + 2 ε²) = π - 2ε - ε³/3 - 3ε⁵/20 - ...
>>> [mpmath.nstr(c, 8) for c in y.coefficients(6)]
['3.1415927', '-2.0', '0.0', '-0.33333333', '0.0', '-0.15']
>>> mpmath.mp.dps = 15
>>> from symcrit.algebra import QQ_PI
>>> X = LaurentSystem(order=8, domain=QQ_PI)       # the same, exactly
>>> X.acos(-1 + 2 * X.epsilon()**2).coefficients(6)
[pi, -2, 0, -1/3, 0, -3/20]
"""
from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np

from ..core import InputError
from ..core import ElementSystem, int_power
from .domains import MPMATH_DOMAIN
from .extensions import QPiAlgebraic
from .qpi import QPi

__all__ = ["LaurentSeries", "LaurentSystem"]

_SCALARS = (int, Fraction, mpmath.mpf, QPi, QPiAlgebraic)


class LaurentSeries:
    """``Σ coeffs[i] ε^(val + i)`` known modulo ``ε^prec`` (coefficients in the system's
    domain)."""
    __slots__ = ("val", "coeffs", "prec", "system", "nz", "_norm", "_packed", "_inv")

    def __init__(self, coeffs, val, prec, system, nz=False):
        self.val = int(val)
        self.prec = int(prec)
        n = max(self.prec - self.val, 0)
        cs = list(coeffs[:n])
        if len(cs) < n:
            cs += [system.domain.zero] * (n - len(cs))
        self.coeffs = cs
        self.system = system
        self.nz = nz and bool(cs)        # the leading coefficient is known to be non-zero
        # computed once (series are immutable): normalized() in exact domains, the packed
        # coefficients (exact domains), the inverse with the precision it was computed at
        self._norm = self._packed = self._inv = None

    # ---------------------------------------------------------------- basics
    def _new(self, coeffs, val, prec, nz=False):
        return LaurentSeries(coeffs, val, prec, self.system, nz)

    def _lift(self, x):
        if isinstance(x, LaurentSeries):
            return x
        return self.system.convert(x)

    def _defer(self, other):
        """Let numpy broadcast over arrays of series."""
        return isinstance(other, np.ndarray)

    @property
    def domain(self):
        """The coefficient domain (that of the series' :class:`LaurentSystem`)."""
        return self.system.domain

    def coefficient(self, n):
        """The coefficient of ε^n (an error if it is not known)."""
        if n >= self.prec:
            raise InputError(f"the coefficient of ε^{n} is not known (series known mod "
                             f"ε^{self.prec})")
        i = n - self.val
        return self.coeffs[i] if 0 <= i < len(self.coeffs) else self.domain.zero

    def coefficients(self, n, start=0):
        """Coefficients of ε^start … ε^(start+n-1)."""
        return [self.coefficient(j) for j in range(start, start + n)]

    def normalized(self):
        """Drop leading coefficients that are zero (exactly, or up to round-off with mpmath
        coefficients): the valuation is then that of the first non-zero term."""
        if self.nz:
            return self
        D = self.domain
        if self._norm is not None:
            return self._norm
        cs = self.coeffs
        if D.exact:
            i = 0
            while i < len(cs) and cs[i].is_zero():
                i += 1
        else:
            scale = max([abs(c) for c in cs] + [mpmath.mpf(1)])
            tol = self.system.zero_tol * scale
            i = 0
            while i < len(cs) and abs(cs[i]) <= tol:
                i += 1
        out = self._new(cs[i:], self.val + i, self.prec, nz=True)
        if D.exact:
            self._norm = out
        return out

    def packed(self):
        """Exact domains with a packed form (:meth:`QPiDomain.pack
        <symcrit.algebra.domains.QPiDomain.pack>`): the coefficients over one common
        denominator, computed once per series (a series takes part in many products)."""
        if self._packed is None:
            self._packed = self.domain.pack(self.coeffs)
        return self._packed

    def is_zero(self):
        """True when every known coefficient is zero (in the domain's sense: exactly, or
        below its tolerance for mpmath)."""
        return len(self.normalized().coeffs) == 0

    def valuation(self):
        """The power of the first non-zero term (None when the series is zero to its
        precision)."""
        x = self.normalized()
        return x.val if x.coeffs else None

    def __eq__(self, other):
        if isinstance(other, (int, float)) and other == 0:
            return self.is_zero()
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]   # unhashable, as == is numeric

    def __repr__(self):
        D = self.domain
        fmt = (lambda c: str(c)) if D.exact else (lambda c: mpmath.nstr(c, 8))
        terms = [f"({fmt(c)})*eps^{self.val + i}" for i, c in enumerate(self.coeffs)
                 if not (c.is_zero() if D.exact else c == 0)][:6]
        return "(" + " + ".join(terms or ["0"]) + f" + O(eps^{self.prec}))"

    # ---------------------------------------------------------------- arithmetic
    def __add__(self, other):
        if self._defer(other):
            return NotImplemented
        if isinstance(other, _SCALARS) and not isinstance(other, bool):
            if self.val > 0 or self.prec <= 0:
                return self + self.system.convert(other)
            cs = list(self.coeffs)
            cs[-self.val] = cs[-self.val] + other
            return self._new(cs, self.val, self.prec)
        o = self._lift(other)
        prec = min(self.prec, o.prec)
        val = min(self.val, o.val)
        n = max(prec - val, 0)
        cs = [self.domain.zero] * n
        for s in (self, o):
            off = s.val - val
            for i, c in enumerate(s.coeffs[:max(n - off, 0)]):
                cs[i + off] = cs[i + off] + c
        return self._new(cs, val, prec)

    __radd__ = __add__

    def __neg__(self):
        return self._new([-c for c in self.coeffs], self.val, self.prec, self.nz)

    def __sub__(self, other):
        if self._defer(other):
            return NotImplemented
        return self + (-self._lift(other))

    def __rsub__(self, other):
        if self._defer(other):
            return NotImplemented
        return self._lift(other) + (-self)

    def __mul__(self, other):
        if self._defer(other):
            return NotImplemented
        if isinstance(other, _SCALARS) and not isinstance(other, bool):
            if other == 0:
                return self._new([], self.prec, self.prec)
            return self._new([c * other for c in self.coeffs], self.val, self.prec, self.nz)
        o = self._lift(other)
        a, b = self.normalized(), o.normalized()
        val = a.val + b.val
        rel = min(a.prec - a.val, b.prec - b.val)
        zero = self.domain.zero
        ac, bc = a.coeffs[:rel], b.coeffs[:rel]
        if not ac or not bc:
            return self._new([], val + rel, val + rel)
        if self.domain.exact:
            cs = _exact_product(self.domain, a, b, rel)
        else:
            cs = [zero] * rel
            for i, x in enumerate(ac):
                if x == 0:
                    continue
                for j, y in enumerate(bc[:rel - i]):
                    cs[i + j] = cs[i + j] + x * y
        return self._new(cs, val, val + rel, nz=True)

    __rmul__ = __mul__

    def inverse(self):
        """1/x, to the same relative precision: with
        :math:`x = \\varepsilon^v \\sum_i b_i \\varepsilon^i`, :math:`b_0 \\ne 0`, the
        coefficients of :math:`1/x = \\varepsilon^{-v} \\sum_n r_n \\varepsilon^n` are
        :math:`r_0 = 1/b_0`, :math:`r_n = -r_0 \\sum_{i=1}^{n} b_i r_{n-i}`.

        The inverse is kept with the series (a formula divides many times by the same
        norms): computed once per working precision.

        Raises
        ------
        ZeroDivisionError
            The series is zero to its precision.
        """
        key = None if self.domain.exact else mpmath.mp.prec
        if self._inv is not None and self._inv[0] == key:
            return self._inv[1]
        self._inv = (key, self._inverse())
        return self._inv[1]

    def _inverse(self):
        b = self.normalized()
        if not b.coeffs:
            raise ZeroDivisionError("division by a series that is zero to its precision")
        rel = b.prec - b.val
        r0 = 1 / b.coeffs[0]
        bc = b.coeffs
        inv = [r0]
        for n in range(1, rel):
            s = self.domain.zero
            for i in range(1, min(n, len(bc) - 1) + 1):
                s = s + bc[i] * inv[n - i]
            inv.append(-(s * r0))
        return self._new(inv, -b.val, -b.val + rel, nz=True)

    def __truediv__(self, other):
        if self._defer(other):
            return NotImplemented
        if isinstance(other, _SCALARS) and not isinstance(other, bool):
            return self._new([c / other for c in self.coeffs], self.val, self.prec, self.nz)
        return self * self._lift(other).inverse()

    def __rtruediv__(self, other):
        if self._defer(other):
            return NotImplemented
        return self._lift(other) * self.inverse()

    def __pow__(self, n):
        if not isinstance(n, int):
            raise InputError("series powers must be integers (use sqrt)")
        if n < 0:
            return (self ** (-n)).inverse()
        return int_power(self, n, self.system.convert(1))

    # ---------------------------------------------------------------- functions
    def sqrt(self):
        """√x for a series of even valuation 2v and positive leading coefficient:
        :math:`\\varepsilon^{v} \\sum_n y_n \\varepsilon^n` with :math:`y_0 = \\sqrt{x_0}`
        (in the domain: exact or NotExact) and
        :math:`y_n = (x_n - \\sum_{i=1}^{n-1} y_i y_{n-i}) / (2 y_0)`.

        Raises
        ------
        InputError
            An odd valuation (the root is a series in :math:`\\varepsilon^{1/2}`) or a
            negative leading coefficient.
        """
        x = self.normalized()
        if not x.coeffs:
            return self._new([], (x.prec + 1) // 2, (x.prec + 1) // 2)
        if x.val % 2:
            raise InputError(f"sqrt of a series of odd valuation ε^{x.val}: not a series in ε "
                             "(a finer variable is needed)")
        D = self.domain
        if D.sign(x.coeffs[0]) < 0:
            raise InputError("sqrt of a series with a negative leading coefficient")
        rel = x.prec - x.val
        y0 = D.sqrt(x.coeffs[0])
        h = 1 / (2 * y0)
        y = [y0]
        xc = x.coeffs
        for n in range(1, rel):
            s = xc[n] if n < len(xc) else D.zero
            for i in range(1, n):
                s = s - y[i] * y[n - i]
            y.append(s * h)
        return self._new(y, x.val // 2, x.val // 2 + rel, nz=True)

    def derivative(self):
        """d/dε, term by term."""
        cs = [c * (self.val + i) for i, c in enumerate(self.coeffs)]
        if self.val == 0:           # the constant term disappears
            return self._new(cs[1:], 0, self.prec - 1)
        return self._new(cs, self.val - 1, self.prec - 1)

    def integral(self, constant):
        """The antiderivative with the given constant term."""
        x = self.normalized()
        if x.coeffs and x.val < 0:
            raise InputError("integral of a series with negative powers (a log term)")
        D = self.domain
        cs = [D.convert(constant)] + [D.zero] * x.val + [
            c / (x.val + i + 1) for i, c in enumerate(x.coeffs)]
        return self._new(cs, 0, x.prec + 1)

    def acos(self):
        """arccos x for a series without negative powers, its constant term x₀ in [−1, 1]:
        :math:`\\arccos x_0` (in the domain) plus the integral of
        :math:`-x'/\\sqrt{(1 - x)(1 + x)}`.  At x₀ = ±1 the square root needs
        :math:`1 \\mp x` of even valuation 2j, and the result has a term in
        :math:`\\varepsilon^j` (:math:`\\arccos(-1 + \\delta) = \\pi - \\sqrt{2\\delta}(1 + \\dots)`);
        numerically, x₀ within the system's tolerance of ±1 is snapped to it (see the
        module docstring).

        Raises
        ------
        InputError
            Negative powers, or ``|x₀| > 1``.
        """
        x = self.normalized()
        if x.val < 0:
            raise InputError("acos of a series with negative powers")
        D = self.domain
        x0 = x.coefficient(0) if x.val == 0 else D.zero
        if not D.exact:
            tol = self.system.zero_tol
            if abs(x0) > 1 + tol:
                raise InputError(f"acos of a series with constant term {mpmath.nstr(x0, 8)}")
            for end in (1, -1):                # snap to the end point (see the module doc)
                if abs(x0 - end) <= tol:
                    x = x + (end - x0)
                    x0 = D.convert(end)
        y0 = D.acos(x0)
        if (x - x0).is_zero():            # a constant (e.g. exactly parallel rows: x = ±1)
            return self._new([y0], 0, x.prec)
        s = ((1 - x) * (1 + x)).sqrt()
        dy = -(x.derivative()) / s
        return dy.integral(y0)


def _single(x):
    """The leading coefficient c of a normalized exact series that is a monomial c ε^v (its
    other known coefficients are zero), else None."""
    cs = x.coeffs
    if cs and all(c.is_zero() for c in cs[1:]):
        return cs[0]
    return None


def _exact_product(D, a, b, rel):
    """The first ``rel`` coefficients of the product of the normalized exact series a and
    b: a monomial factor c ε^v multiplies coefficientwise (nothing at all for c = 1, as for
    k = ε^(-2)); otherwise the convolution over common denominators, each factor's packed
    once (:meth:`LaurentSeries.packed`) when the domain packs."""
    for x, y in ((a, b), (b, a)):
        c = _single(x)
        if c is not None:
            ys = y.coeffs[:rel]
            ys = ys + [D.zero] * (rel - len(ys))
            if c == 1:
                return ys
            return [v * c for v in ys]
    if hasattr(D, "pack"):
        pa = a.packed() if len(a.coeffs) <= rel else D.pack(a.coeffs[:rel])
        pb = b.packed() if len(b.coeffs) <= rel else D.pack(b.coeffs[:rel])
        return D.convolve_packed(pa, pb, rel)
    return D.convolve(a.coeffs[:rel], b.coeffs[:rel], rel)


class LaurentSystem(ElementSystem):
    """Truncated Laurent series in ε as a number system, coefficients in ``domain``
    (:data:`~symcrit.algebra.domains.MPMATH_DOMAIN` or :data:`~symcrit.algebra.domains.QQ_PI`).
    ``order``: the absolute precision of constants (terms up to ε^(order-1))."""
    name = "laurent"
    certainty = "series"

    def __init__(self, order, domain=MPMATH_DOMAIN, zero_tol=None):
        self.order = int(order)
        self.domain = domain
        if domain.exact:
            self.zero_tol = None
        else:
            self.zero_tol = zero_tol if zero_tol is not None else \
                mpmath.mpf(10) ** (-(mpmath.mp.dps * 3 // 5))
        self._pi = None

    def convert(self, x):
        """A series: one of its own, or a constant of the domain (known to ε^order)."""
        if isinstance(x, LaurentSeries):
            return x
        return LaurentSeries([self.domain.convert(x)], 0, self.order, self)

    def rational(self, p, q):
        return self.convert(Fraction(int(p), int(q)))

    def is_native(self, x):
        return isinstance(x, LaurentSeries)

    def epsilon(self):
        """The variable ε itself (exact to one order more than the constants)."""
        return LaurentSeries([self.domain.one], 1, self.order + 1, self, True)

    def monomial(self, c, n):
        """c ε^n (exact to the system's order plus n)."""
        return LaurentSeries([self.domain.convert(c)], n, self.order + n, self)

    def series(self, coeffs, val=0, prec=None):
        """The series Σ coeffs[i] ε^(val+i) mod ε^prec (default: the system's order)."""
        D = self.domain
        return LaurentSeries([D.convert(c) for c in coeffs], val,
                             self.order if prec is None else prec, self)

    @property
    def pi(self):
        """π as a constant series (exact over ℚ(π), numeric over mpmath)."""
        if self._pi is None:
            self._pi = self.convert(self.domain.pi)
        return self._pi

    def is_zero(self, x):
        return self.convert(x).is_zero()

    def matrix(self, arr):
        return arr
