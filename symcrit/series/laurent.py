r"""Truncated Laurent series in ε as a number system.

A :class:`LaurentSeries` is :math:`\sum_{i} c_i\,\varepsilon^{v+i}` known modulo
:math:`\varepsilon^{p}` (``val`` = v, ``prec`` = p), with mpmath coefficients.  Arithmetic
tracks the absolute precision (multiplying by :math:`k^2 = \varepsilon^{-4}` costs four
orders).  ``sqrt`` needs an even valuation; ``acos`` is expanded through
:math:`y' = -x'/\sqrt{1-x^2}` and works at the end points: for
:math:`x = -1 + a\varepsilon^{2m} + \dots` it gives :math:`\pi - \sqrt{2a}\,\varepsilon^m + \dots`,
the square-root behaviour that makes the families' expansions Puiseux series in
:math:`k^{-1/2}` (Arjevani & Field 2021, "Analytic study of families of spurious minima in
two-layer ReLU neural networks", NeurIPS).

:class:`LaurentSystem` plugs these series into the number-system interface of
:mod:`symcrit.systems`, so the restricted loss, its gradient and Hessian — compiled once —
evaluate directly as series in ε when ``k = ε^{-2}`` (the formula is never re-derived).

A coefficient is taken to be zero when it is below ``zero_tol`` relative to the series'
scale (numerical cancellation of exactly cancelling terms); use enough working digits.

>>> import mpmath
>>> mpmath.mp.dps = 30
>>> S = LaurentSystem(order=8)
>>> e = S.epsilon()
>>> x = -1 + 2 * e**2                  # acos(-1 + 2 ε²) = π - 2ε - ε³/3 - 3ε⁵/20 - ...
>>> y = S.acos(x)
>>> [mpmath.nstr(c, 8) for c in y.coefficients(6)]
['3.1415927', '-2.0', '0.0', '-0.33333333', '0.0', '-0.15']
>>> mpmath.mp.dps = 15
"""
from __future__ import annotations

import mpmath
import numpy as np

from ..errors import InputError
from ..systems import NumberSystem

__all__ = ["LaurentSeries", "LaurentSystem"]


class LaurentSeries:
    """``Σ coeffs[i] ε^(val + i)`` known modulo ``ε^prec``."""
    __slots__ = ("val", "coeffs", "prec", "system")

    def __init__(self, coeffs, val, prec, system):
        self.val = int(val)
        self.prec = int(prec)
        n = max(self.prec - self.val, 0)
        cs = [mpmath.mpf(c) for c in coeffs[:n]]
        cs += [mpmath.mpf(0)] * (n - len(cs))
        self.coeffs = cs
        self.system = system

    # ---------------------------------------------------------------- basics
    def _new(self, coeffs, val, prec):
        return LaurentSeries(coeffs, val, prec, self.system)

    def _lift(self, x):
        if isinstance(x, LaurentSeries):
            return x
        return self.system.convert(x)

    def _defer(self, other):
        """Let numpy broadcast over arrays of series."""
        return isinstance(other, np.ndarray)

    def coefficient(self, n):
        """The coefficient of ε^n (an error if it is not known)."""
        if n >= self.prec:
            raise InputError(f"the coefficient of ε^{n} is not known (series known mod "
                             f"ε^{self.prec})")
        i = n - self.val
        return self.coeffs[i] if 0 <= i < len(self.coeffs) else mpmath.mpf(0)

    def coefficients(self, n, start=0):
        """Coefficients of ε^start … ε^(start+n-1)."""
        return [self.coefficient(j) for j in range(start, start + n)]

    def normalized(self):
        """Drop leading coefficients that are zero up to round-off (raises the valuation)."""
        scale = max([abs(c) for c in self.coeffs] + [mpmath.mpf(1)])
        tol = self.system.zero_tol * scale
        i = 0
        while i < len(self.coeffs) and abs(self.coeffs[i]) <= tol:
            i += 1
        return self._new(self.coeffs[i:], self.val + i, self.prec)

    def is_zero(self):
        return len(self.normalized().coeffs) == 0

    def __eq__(self, other):
        if isinstance(other, (int, float)) and other == 0:
            return self.is_zero()
        return NotImplemented

    __hash__ = None

    def __repr__(self):
        terms = [f"{mpmath.nstr(c, 8)}*eps^{self.val + i}" for i, c in enumerate(self.coeffs)
                 if c != 0][:6]
        return "(" + " + ".join(terms or ["0"]) + f" + O(eps^{self.prec}))"

    # ---------------------------------------------------------------- arithmetic
    def __add__(self, other):
        if self._defer(other):
            return NotImplemented
        o = self._lift(other)
        prec = min(self.prec, o.prec)
        val = min(self.val, o.val)
        cs = [mpmath.mpf(0)] * max(prec - val, 0)
        for s in (self, o):
            for i, c in enumerate(s.coeffs):
                j = s.val + i - val
                if j < len(cs):
                    cs[j] += c
        return self._new(cs, val, prec)

    __radd__ = __add__

    def __neg__(self):
        return self._new([-c for c in self.coeffs], self.val, self.prec)

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
        if isinstance(other, (int, mpmath.mpf)) and not isinstance(other, bool):
            return self._new([c * other for c in self.coeffs], self.val, self.prec)
        o = self._lift(other)
        a, b = self.normalized(), o.normalized()
        val = a.val + b.val
        rel = min(a.prec - a.val, b.prec - b.val)
        cs = [mpmath.mpf(0)] * max(rel, 0)
        for i, x in enumerate(a.coeffs[:rel]):
            if x == 0:
                continue
            for j, y in enumerate(b.coeffs[:rel - i]):
                cs[i + j] += x * y
        return self._new(cs, val, val + rel)

    __rmul__ = __mul__

    def inverse(self):
        b = self.normalized()
        if not b.coeffs:
            raise ZeroDivisionError("division by a series that is zero to its precision")
        rel = b.prec - b.val
        b0 = b.coeffs[0]
        inv = [mpmath.mpf(1) / b0]
        for n in range(1, rel):
            s = mpmath.fsum(b.coeffs[i] * inv[n - i] for i in range(1, n + 1)
                            if i < len(b.coeffs))
            inv.append(-s / b0)
        return self._new(inv, -b.val, -b.val + rel)

    def __truediv__(self, other):
        if self._defer(other):
            return NotImplemented
        if isinstance(other, (int, mpmath.mpf)) and not isinstance(other, bool):
            return self._new([c / other for c in self.coeffs], self.val, self.prec)
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
        out = self.system.convert(1)
        base = self
        while n:
            if n & 1:
                out = out * base
            base = base * base
            n >>= 1
        return out

    # ---------------------------------------------------------------- functions
    def sqrt(self):
        x = self.normalized()
        if not x.coeffs:
            return self._new([], (x.prec + 1) // 2, (x.prec + 1) // 2)
        if x.val % 2:
            raise InputError(f"sqrt of a series of odd valuation ε^{x.val}: not a series in ε "
                             "(a finer variable is needed)")
        c0 = x.coeffs[0]
        if c0 < 0:
            raise InputError("sqrt of a series with a negative leading coefficient")
        rel = x.prec - x.val
        y = [mpmath.sqrt(c0)]
        for n in range(1, rel):
            s = x.coeffs[n] if n < len(x.coeffs) else 0
            s -= mpmath.fsum(y[i] * y[n - i] for i in range(1, n))
            y.append(s / (2 * y[0]))
        return self._new(y, x.val // 2, x.val // 2 + rel)

    def derivative(self):
        """d/dε, term by term."""
        cs = [(self.val + i) * c for i, c in enumerate(self.coeffs)]
        if self.val == 0:           # the constant term disappears
            return self._new(cs[1:], 0, self.prec - 1)
        return self._new(cs, self.val - 1, self.prec - 1)

    def integral(self, constant):
        x = self.normalized()
        if x.coeffs and x.val < 0:
            raise InputError("integral of a series with negative powers (a log term)")
        cs = [mpmath.mpf(constant)] + [mpmath.mpf(0)] * (x.val) + [
            c / (x.val + i + 1) for i, c in enumerate(x.coeffs)]
        return self._new(cs, 0, x.prec + 1)

    def acos(self):
        x = self.normalized()
        if x.val < 0:
            raise InputError("acos of a series with negative powers")
        x0 = x.coefficient(0) if x.val == 0 else mpmath.mpf(0)
        if abs(x0) > 1 + self.system.zero_tol:
            raise InputError(f"acos of a series with constant term {mpmath.nstr(x0, 8)}")
        x0c = max(min(x0, mpmath.mpf(1)), mpmath.mpf(-1))
        y0 = mpmath.acos(x0c)
        one = self.system.convert(1)
        if (x - x0c).is_zero():            # a constant (e.g. exactly parallel rows: x = ±1)
            return self._new([y0], 0, x.prec)
        s = ((one - x) * (one + x)).sqrt()
        dy = -(x.derivative()) / s
        return dy.integral(y0)


class LaurentSystem(NumberSystem):
    """Truncated Laurent series in ε (mpmath coefficients) as a number system.
    ``order``: the absolute precision of constants (terms up to ε^(order-1))."""
    name = "laurent"
    certainty = "series"

    def __init__(self, order, zero_tol=None):
        self.order = int(order)
        self.zero_tol = zero_tol if zero_tol is not None else \
            mpmath.mpf(10) ** (-(mpmath.mp.dps * 3 // 5))

    def convert(self, x):
        if isinstance(x, LaurentSeries):
            return x
        if hasattr(x, "numerator") and hasattr(x, "denominator") and not isinstance(x, int):
            x = mpmath.mpf(x.numerator) / x.denominator
        return LaurentSeries([mpmath.mpf(x)], 0, self.order, self)

    def rational(self, p, q):
        return self.convert(mpmath.mpf(p) / q)

    def is_native(self, x):
        return isinstance(x, LaurentSeries)

    def epsilon(self):
        return LaurentSeries([1], 1, self.order + 1, self)

    def monomial(self, c, n):
        """c ε^n (exact to the system's order plus n)."""
        return LaurentSeries([c], n, self.order + n, self)

    def sqrt(self, x):
        import numpy as np
        if isinstance(x, np.ndarray):
            return np.frompyfunc(lambda t: self.convert(t).sqrt(), 1, 1)(x)
        return self.convert(x).sqrt()

    def acos(self, x):
        import numpy as np
        if isinstance(x, np.ndarray):
            return np.frompyfunc(lambda t: self.convert(t).acos(), 1, 1)(x)
        return self.convert(x).acos()

    @property
    def pi(self):
        return self.convert(+mpmath.mp.pi)

    def is_zero(self, x):
        return self.convert(x).is_zero()

    def matrix(self, arr):
        return arr
