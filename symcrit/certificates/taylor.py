r"""Taylor models in one variable: rigorous enclosures of a function over a whole interval
of k (or of :math:`\varepsilon = k^{-1/2}`), as a number system the restricted loss and the
isotypic blocks evaluate in unchanged.

A **Taylor model** (Makino & Berz 2003, "Taylor models and other validated functional
inclusion methods", Int. J. Pure Appl. Math. 4, 379–456; Neumaier 2003, "Taylor forms —
use and limits", Reliable Computing 9) of a function f(θ, t), θ ranging over a box and
t over an interval T, is a Laurent polynomial with Arb-ball coefficients and a remainder
ball R such that, for every θ,

.. math::

    f(\theta, t) = \sum_{j=v}^{p-1} c_j(\theta)\,t^j + t^p\rho(\theta, t),
    \qquad c_j(\theta) \in C_j,\ \rho(\theta, t) \in R \quad (t \in T),

where :math:`c_j(\theta)` are the *true* Laurent coefficients of :math:`f(\theta,\cdot)`.
Sums and products follow the rules of truncated series (:mod:`symcrit.algebra.laurent`),
the terms beyond the order and the products with remainders being bounded over T.  A
function :math:`g(y)` (``1/y``, ``sqrt``, ``acos``, ``asin``) is expanded at the constant
coefficient :math:`y_0(\theta)`, :math:`g(y) = \sum_{n\le M} g^{(n)}(y_0)(y-y_0)^n/n! +
g^{(M+1)}(\zeta)(y-y_0)^{M+1}/(M+1)!`, with ζ between :math:`y_0` and y (Lagrange); the
derivatives are enclosed by :class:`flint.arb_series` at the ball of :math:`y_0` and over
the hull of the range of y.

**Exact parts.**  At :math:`\varepsilon = 0` the restricted gradient is a sum of terms
that grow like :math:`k^2 = \varepsilon^{-4}` and cancel (the rescaled system of
:mod:`symcrit.series.rescaled` is analytic).  Ball coefficients cannot show that a
coefficient is *exactly* zero, and :math:`[0 \pm 10^{-60}]\,\varepsilon^{-4}` is unbounded.
So each coefficient also carries, where it can be computed, its exact value as a
polynomial in the box offsets δ (:math:`\theta = \tilde\theta + \delta`) over
:math:`\mathbb{Q}[\pi, \pi^{-1}]` (:class:`PiPoly`, flint's ``fmpq_mpoly``).  An exact zero
proves that the coefficient vanishes for *every* θ in the box; only such proven zeros are
dropped — below the valuation of a divisor or square root, and in the principal part of
the final result (:meth:`TaylorModel.drop_principal`).  Where an exact value is not
representable (a square root of a non-square, acos other than at 0 or ±1) it is unknown,
and nothing that needs it is claimed.

**Non-analytic functions.**  At the limit some pairs of rows become parallel: their cosine
x tends to ±1, :math:`1 \mp x = \varepsilon^{2j} y` with y(θ, 0) > 0.  ``sqrt`` of a model
with proven valuation 2j is :math:`\varepsilon^j\sqrt{y}`, and ``acos`` at an exact ±1
uses :math:`\arccos x = 2\arcsin\sqrt{(1-x)/2}` (and :math:`\pi - 2\arcsin\sqrt{(1+x)/2}`),
analytic in ε: the square-root behaviour of the angle is absorbed by the rescaling.

>>> from flint import arb
>>> S = TaylorSystem(arb("0.05", "0.05"), order=8)          # t ∈ [0, 0.1]
>>> t = S.variable()
>>> y = S.sqrt(1 + t)                                        # 1 + t/2 - t²/8 + ...
>>> y.range().contains(arb(1.1).sqrt()), y.range().contains(arb(1))
(True, True)
>>> bool((y.rem * arb("0.1") ** y.p).rad() < 1e-9)      # the remainder term is tiny
True
>>> z = S.acos(1 - 2 * t * t)                  # = 2 asin t = 2t + t³/3 + ... for t ≥ 0
>>> z.coefficient(1).contains(2), z.coefficient(3).contains(arb(1) / 3)
(True, True)
"""
from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
from flint import arb, arb_poly, arb_series, fmpq

from ..core import ElementSystem, int_power
from .exact import PiPoly, exact_taylor

__all__ = ["TaylorModel", "TaylorSystem", "TaylorModelError", "power_range"]

INF = 1 << 40          # "no remainder": the model is a polynomial


class TaylorModelError(ArithmeticError):
    """An operation whose enclosure cannot be proven (a divisor or a square root whose
    leading coefficient may vanish, an angle whose cosine may reach ±1 without the
    valuation being known, a remainder at a negative power)."""


# ----------------------------------------------------------------------------- ranges
def power_range(T, e):
    r"""An enclosure of :math:`\{t^e : t \in T\}` for a ball T and an integer e ≥ 0.

    >>> power_range(arb("0.05", "0.05"), 3).upper() >= arb("0.001")
    True
    """
    if e == 0:
        return arb(1)
    lo, hi = T.lower(), T.upper()
    if lo >= 0:
        a, b = int_power(lo, e), int_power(hi, e)
        return arb((a + b) / 2, (b - a) / 2).union(a).union(b)
    M = max(abs(lo), abs(hi))
    Me = int_power(M, e).upper()
    if e % 2 == 0:                          # an even power is ≥ 0
        return arb(Me / 2, Me / 2).union(arb(0)).union(Me)
    return arb(0, Me)


def _poly_range(c, start, S):
    """Enclosure of :math:`\\sum_i c_i t^{start+i}` over the range of t (start ≥ 0)."""
    tot = arb(0)
    for i, ci in enumerate(c):
        if not _zero_ball(ci):
            tot += ci * S.tpow(start + i)
    return tot


def _zero_ball(x):
    return x.is_exact() and x.is_zero()


# ----------------------------------------------------------------------------- models
def _xadd(a, b):
    """Sum of two exact parts (0 stands for an exact zero)."""
    if not isinstance(a, PiPoly):
        return b
    if not isinstance(b, PiPoly):
        return a
    return a + b


class TaylorModel:
    r"""One Taylor model (see the module docstring): ``c[i]`` is the ball of the
    coefficient of :math:`t^{v+i}`, every coefficient of order below p not listed is 0,
    and :math:`t^p\rho`, :math:`\rho\in` ``rem``, is the remainder (``p`` is ``INF`` for a
    polynomial).  ``ex[i]`` is the exact part of ``c[i]`` (:class:`PiPoly`), known for
    orders below ``xend`` (zero beyond the list)."""
    __slots__ = ("sys", "v", "c", "p", "rem", "ex", "xend", "_pr")

    def __init__(self, sys, v, c, p, rem, ex, xend):
        self.sys, self.v, self.c, self.p, self.rem = sys, v, c, p, rem
        self.ex, self.xend = ex, xend
        self._pr = None

    def poly_range(self):
        """An enclosure of :math:`\\sum_i c_i t^i` (the polynomial part divided by
        :math:`t^v`) over T, cached."""
        if self._pr is None:
            self._pr = _poly_range(self.c, 0, self.sys)
        return self._pr

    # ---------------------------------------------------------------- construction
    @staticmethod
    def make(sys, v, c, p, rem, ex=(), xend=None):
        """Normalise: terms of order ≥ min(p, order) into the remainder, leading
        coefficients that are proven zero removed.

        ``rem`` is the remainder ball at the power ``p``; ``ex`` the exact parts of the
        first coefficients, known below ``xend``."""
        if xend is None:
            xend = -INF
        cut = min(p, sys.order)
        n = max(cut - v, 0)
        c = list(c)
        if len(c) > n or p > cut:
            r = arb(0) if p >= INF else rem * sys.tpow(p - cut)
            tail = c[n:]
            if tail:
                r = r + _poly_range(tail, v + n - cut, sys)
            c, rem, p = c[:n], r, cut
        ex = list(ex)
        xend = min(xend, p, sys.exact_order)
        while c and (_zero_ball(c[0]) or (v < xend and (not ex or ex[0].is_zero()))):
            c.pop(0)
            if ex:
                ex.pop(0)
            v += 1
        while c and _zero_ball(c[-1]) and len(c) > len(ex):
            c.pop()
        if not c:
            v = p if p < INF else 0
        ex = ex[:max(min(xend, v + len(c)) - v, 0)]
        return TaylorModel(sys, v, c, p, rem, ex, xend)

    # ---------------------------------------------------------------- views
    def coefficient(self, j):
        """The ball of the coefficient of :math:`t^j` (j below ``p``)."""
        if j >= self.p:
            raise TaylorModelError(f"the coefficient of t^{j} is in the remainder")
        i = j - self.v
        return self.c[i] if 0 <= i < len(self.c) else arb(0)

    def exact(self, j):
        """The exact part of the coefficient of :math:`t^j`: a PiPoly, 0 for a proven
        zero, None when unknown."""
        if j < self.v:
            return 0
        if j >= self.xend:
            return None
        i = j - self.v
        return self.ex[i] if i < len(self.ex) else 0

    def valuation(self):
        """The order of the first stored coefficient (every lower one is proven 0)."""
        return self.v if self.c else self.p

    def range(self):
        """An enclosure of the model's values over T (and the parameter box)."""
        S = self.sys
        if self.valuation() < 0 or (self.p < 0):
            if S.T.lower() <= 0:
                raise TaylorModelError("the model has negative powers of a variable whose "
                                       "range contains 0")
            tot = arb(0)
            for i, ci in enumerate(self.c):
                tot += ci * int_power(S.T, self.v + i)
            if self.p < INF:
                tot += self.rem * int_power(S.T, self.p)
            return tot
        tot = _poly_range(self.c, self.v, S)
        if self.p < INF:
            tot += self.rem * S.tpow(self.p)
        return tot

    def drop_principal(self):
        """The model without its terms of negative order, once their exact parts prove
        them zero (for every parameter in the box).

        Raises
        ------
        TaylorModelError
            A negative-order coefficient whose exact part is unknown or not zero, or a
            remainder at a negative power.
        """
        if self.p < 0:
            raise TaylorModelError(f"the remainder is O(t^{self.p}): orders were lost")
        for j in range(min(self.v, 0), 0):
            e = self.exact(j)
            if e is None or (isinstance(e, PiPoly) and not e.is_zero()):
                raise TaylorModelError(f"the coefficient of t^{j} is not proven zero")
        if self.v >= 0:
            return self
        k = -self.v
        return TaylorModel.make(self.sys, 0, self.c[k:], self.p, self.rem, self.ex[k:],
                                self.xend)

    def shift(self, n):
        """:math:`t^n` times the model."""
        return TaylorModel(self.sys, self.v + n, self.c,
                           self.p + n if self.p < INF else INF, self.rem, self.ex,
                           self.xend + n if self.xend > -INF else -INF)

    def __repr__(self):
        terms = [f"{c.mid().str(6, radius=False)}*t^{self.v + i}" for i, c in
                 enumerate(self.c) if not _zero_ball(c)][:6]
        tail = "" if self.p >= INF else f" + t^{self.p}*{self.rem.str(3)}"
        return "TM(" + (" + ".join(terms) or "0") + tail + ")"

    # ---------------------------------------------------------------- arithmetic
    def _lift(self, o):
        return o if isinstance(o, TaylorModel) else self.sys.convert(o)

    def __add__(self, o):
        if isinstance(o, np.ndarray):
            return NotImplemented
        o = self._lift(o)
        S = self.sys
        if not o.c and o.p >= INF:
            return self
        if not self.c and self.p >= INF:
            return o
        v = min(self.v, o.v)
        p = min(self.p, o.p)
        n = max(self.v + len(self.c), o.v + len(o.c)) - v
        c = [arb(0)] * n
        for m in (self, o):
            off = m.v - v
            for i, x in enumerate(m.c):
                c[off + i] = c[off + i] + x
        rem = arb(0)
        for m in (self, o):
            if m.p < INF:
                rem = rem + m.rem * S.tpow(m.p - p)
        xend = min(self.xend, o.xend)
        ex = [_xadd(self.exact(j), o.exact(j)) for j in range(v, min(xend, v + n))]
        ex = [e if isinstance(e, PiPoly) else S.zero_exact for e in ex]
        return TaylorModel.make(S, v, c, p, rem, ex, xend)

    __radd__ = __add__

    def __neg__(self):
        return TaylorModel(self.sys, self.v, [-x for x in self.c], self.p, self.rem,
                           [-x for x in self.ex], self.xend)

    def __sub__(self, o):
        if isinstance(o, np.ndarray):
            return NotImplemented
        return self + (-self._lift(o))

    def __rsub__(self, o):
        if isinstance(o, np.ndarray):
            return NotImplemented
        return self._lift(o) + (-self)

    def __mul__(self, o):
        if isinstance(o, np.ndarray):
            return NotImplemented
        S = self.sys
        if isinstance(o, (int, Fraction)) and not isinstance(o, bool):
            if o == 0:
                return S.convert(0)
            q = Fraction(o)
            b = arb(fmpq(q.numerator, q.denominator))
            return TaylorModel(S, self.v, [x * b for x in self.c], self.p,
                               self.rem * b, [x * q for x in self.ex], self.xend)
        a, b = self, self._lift(o)
        if (not a.c and a.p >= INF) or (not b.c and b.p >= INF):
            return S.convert(0)
        v = a.v + b.v
        p = min(a.p + b.v if a.p < INF else INF, b.p + a.v if b.p < INF else INF)
        c = _convolve(a.c, b.c)
        cut = min(p, S.order)
        rem = arb(0)
        for m, other in ((a, b), (b, a)):     # remainders times the other polynomial
            if m.p < INF and other.c:
                rem = rem + m.rem * other.poly_range() * S.tpow(m.p + other.v - cut)
        if a.p < INF and b.p < INF:
            rem = rem + a.rem * b.rem * S.tpow(a.p + b.p - cut)
        xend = min(a.xend + b.v, b.xend + a.v, cut)
        ex = []
        for j in range(v, min(xend, v + len(c))):
            acc = 0
            for i in range(a.v, j - b.v + 1):
                x, y = a.exact(i), b.exact(j - i)
                if isinstance(x, PiPoly) and isinstance(y, PiPoly):
                    acc = _xadd(acc, x * y)
            ex.append(acc if isinstance(acc, PiPoly) else S.zero_exact)
        if p >= INF:
            return TaylorModel.make(S, v, c, INF, arb(0), ex, xend)
        return TaylorModel.make(S, v, c, cut, rem, ex, xend)

    __rmul__ = __mul__

    def __truediv__(self, o):
        if isinstance(o, np.ndarray):
            return NotImplemented
        if isinstance(o, (int, Fraction)) and not isinstance(o, bool):
            return self * (1 / Fraction(o))
        return self * self._lift(o).inverse()

    def __rtruediv__(self, o):
        if isinstance(o, np.ndarray):
            return NotImplemented
        return self._lift(o) * self.inverse()

    def __pow__(self, n):
        return int_power(self, int(n), self.sys.convert(1))

    def __eq__(self, o):
        if isinstance(o, (int, float)) and o == 0:
            return (not self.c) and self.p >= INF
        return NotImplemented

    __hash__ = None

    # ---------------------------------------------------------------- functions
    def _leading(self, what):
        if not self.c:
            raise TaylorModelError(f"{what} of a model with no known coefficient")
        return self.v, self.c[0]

    def inverse(self):
        """1/x: the leading coefficient must be proven non-zero."""
        v, c0 = self._leading("1/x")
        if c0.contains(0):
            raise TaylorModelError("1/x: the leading coefficient may vanish")
        return _compose(self.shift(-v), "inv").shift(-v)

    def sqrt(self):
        """sqrt(x) for x ≥ 0 (true values): an even valuation 2j and a positive leading
        coefficient give :math:`t^j\\sqrt{x t^{-2j}}`."""
        if not self.c and self.p >= INF:
            return self.sys.convert(0)
        v, c0 = self._leading("sqrt")
        if v % 2 or not c0 > 0:
            raise TaylorModelError("sqrt: the valuation is odd or the leading coefficient "
                                   "is not proven positive")
        return _compose(self.shift(-v), "sqrt").shift(v // 2)

    def asin(self):
        """asin(x), |x| < 1."""
        return _compose(self, "asin")

    def acos(self):
        """acos(x) for x ∈ [−1, 1] (true values); at an exact end point ±1 through
        :math:`2\\arcsin\\sqrt{(1\\mp x)/2}`."""
        x0 = self.exact(0) if self.v == 0 and self.c else None
        m = x0.monomial() if isinstance(x0, PiPoly) else None
        if m is None and self.v == 0 and self.c and self.c[0].is_exact():
            b = self.c[0]
            m = (Fraction(1), 0) if b == 1 else (Fraction(-1), 0) if b == -1 else None
        if m is not None:
            if m[1] == 0 and abs(m[0]) == 1:
                w = ((1 - self) if m[0] == 1 else (1 + self)) * Fraction(1, 2)
                a = 2 * w.sqrt().asin()
                return a if m[0] == 1 else self.sys.pi - a
        if self.v == 0 and self.c and not (self.c[0] > -1 and self.c[0] < 1):
            raise TaylorModelError("acos: the cosine may reach ±1 and its limit is not "
                                   "known exactly")
        return _compose(self, "acos")


def _convolve(a, b):
    """The coefficients of the product of two polynomials (flint's ``arb_poly``, whose
    products are enclosures)."""
    if not a or not b:
        return []
    n = len(a) + len(b) - 1
    c = (arb_poly(a) * arb_poly(b)).coeffs()
    return list(c) + [arb(0)] * (n - len(c))


_DOMAIN = {"inv": lambda x: not x.contains(0), "sqrt": lambda x: bool(x > 0),
           "asin": lambda x: bool(x > -1 and x < 1), "acos": lambda x: bool(x > -1 and x < 1)}


def _series(kind, x0, n):
    s = arb_series([x0, 1], prec=n)
    out = (1 / s).coeffs() if kind == "inv" else getattr(s, kind)().coeffs()
    return list(out) + [arb(0)] * (n - len(out))


def _compose(y, kind):
    """g(y) for y of valuation ≥ 0 by the Taylor expansion at its constant coefficient
    with a Lagrange remainder."""
    S = y.sys
    if y.valuation() < 0:
        raise TaylorModelError(f"{kind}: a model with negative powers")
    if y.v == 0 and y.c:
        y0, y0x = y.c[0], y.exact(0)
        u = TaylorModel.make(S, 1, y.c[1:], y.p, y.rem, y.ex[1:], y.xend)
    else:
        y0, y0x, u = arb(0), 0, y
    if not _DOMAIN[kind](y0):
        raise TaylorModelError(f"{kind}: the argument {y0.str(5)} is outside the domain")
    if S.ectx is not None and y0x is not None and not isinstance(y0x, PiPoly):
        y0x = S.zero_exact
    if not u.c and u.p >= INF:                       # a constant
        a = _series(kind, y0, 1)[0]
        ax = exact_taylor(kind, y0x, 0, S.ectx, S.deltas) if S.ectx is not None else None
        return S.constant(a, None if ax is None else ax[0])
    vu = u.valuation()
    if vu < 1:
        raise TaylorModelError(f"{kind}: the remainder is not small (O(t^{vu}))")
    cut = min(y.p, S.order)
    M = max(0, -(-cut // vu) - 1)
    hull = y.range().union(y0)
    if not _DOMAIN[kind](hull):
        raise TaylorModelError(f"{kind}: the range {hull.str(5)} of the argument leaves "
                               "the domain")
    a = _series(kind, y0, M + 1)
    ah = _series(kind, hull, M + 2)[M + 1]
    ax = exact_taylor(kind, y0x, M, S.ectx, S.deltas) if S.ectx is not None else None
    consts = [S.constant(a[n], None if ax is None else ax[n]) for n in range(M + 1)]
    res = consts[M]
    for n in range(M - 1, -1, -1):
        res = res * u + consts[n]
    # the Lagrange term g^(M+1)(ζ)/(M+1)! u^(M+1), ζ between y0 and y, at t^cut
    uM = int_power(u, M + 1, S.convert(1))
    lag = ah * uM.shift(-cut).range()
    return res + TaylorModel.make(S, 0, [], cut, lag, [], cut)


class _FractionDomain:
    """What :meth:`symcrit.series.rescaled.RescaledSystem.residual` asks of a system's
    domain: exact rationals, which models multiply exactly."""
    exact = True

    @staticmethod
    def convert(c):
        return Fraction(c)


class TaylorSystem(ElementSystem):
    r"""Taylor models in one variable t over the ball ``T`` as a number system.

    Parameters
    ----------
    T : arb
        The range of t: ``[0, ε₀]`` for the piece at infinity, ``[−1, 1]`` for an interval
        of k written as :math:`k = k_c + h t`.
    order : int
        Coefficients of :math:`t^j`, j < ``order``, are kept; the rest is remainder.
    ndelta : int or None
        The number of box offsets carried in the exact parts; None: no exact parts.
    exact_order : int
        Exact parts are computed for orders below this (they are needed for the principal
        part and the leading zeros only).

    Examples
    --------
    >>> S = TaylorSystem(arb(0, 1), order=4)          # k = 10 + t, t ∈ [−1, 1]
    >>> k = 10 + S.variable()
    >>> inv = 1 / k
    >>> inv.range().contains(arb(1) / 9), inv.range().contains(arb(1) / 11)
    (True, True)
    """
    name = "taylor"
    certainty = "certified"
    native_type = TaylorModel
    domain = _FractionDomain()

    def __init__(self, T, order, ndelta=None, exact_order=6):
        self.T = T
        self.order = int(order)
        self.ectx = None if ndelta is None else PiPoly.context(ndelta)
        self.exact_order = int(exact_order) if ndelta is not None else -INF
        self._pi = None
        self._ints = {}
        self._pw = {}
        self.zero_exact = PiPoly.const(self.ectx, 0) if self.ectx is not None else None
        self.deltas = [arb(0)] * (ndelta or 0)      # the balls of the box offsets

    def tpow(self, e):
        """An enclosure of :math:`t^e` over T (e ≥ 0), cached."""
        r = self._pw.get(e)
        if r is None:
            r = self._pw[e] = power_range(self.T, e)
        return r

    def __repr__(self):
        return f"<Taylor models, t in {self.T.str(5)}, order {self.order}>"

    def constant(self, ball, exact=None):
        """The constant model ``ball`` with exact part ``exact`` (a PiPoly or None)."""
        if exact is None or self.ectx is None:
            return TaylorModel(self, 0, [ball], INF, arb(0), [], 0 if self.ectx else -INF)
        return TaylorModel.make(self, 0, [ball], INF, arb(0), [exact], self.exact_order)

    def convert(self, x):
        if isinstance(x, TaylorModel):
            return x
        if isinstance(x, bool):
            raise TypeError("booleans are not numbers here")
        if isinstance(x, (int, np.integer)):
            x = int(x)
            m = self._ints.get(x)
            if m is None:
                m = self._ints[x] = self._exact_const(Fraction(x))
            return m
        if isinstance(x, (Fraction, fmpq)):
            return self._exact_const(Fraction(int(x.numerator), int(x.denominator)))
        if isinstance(x, mpmath.mpf):
            man, exp = x.man_exp                 # |x| = man · 2^exp exactly
            q = Fraction(int(man)) * Fraction(2) ** int(exp)
            return self._exact_const(-q if x < 0 else q)
        if isinstance(x, str):
            return self._exact_const(Fraction(x))
        if isinstance(x, arb):
            return self.constant(x, None)
        if isinstance(x, float):
            return self._exact_const(Fraction(x))
        raise TypeError(f"cannot convert {type(x).__name__} to a Taylor model")

    def _exact_const(self, q):
        ball = arb(fmpq(q.numerator, q.denominator))
        if q == 0:
            return TaylorModel(self, 0, [], INF, arb(0), [], self.exact_order)
        ex = PiPoly.const(self.ectx, q) if self.ectx is not None else None
        return self.constant(ball, ex)

    def rational(self, p, q):
        return self._exact_const(Fraction(int(p), int(q)))

    def variable(self):
        """The model of t."""
        return TaylorModel.make(self, 1, [arb(1)], INF, arb(0),
                                [PiPoly.const(self.ectx, 1)] if self.ectx else [],
                                self.exact_order)

    def monomial(self, c, n):
        """c·tⁿ (c rational)."""
        return self.convert(c).shift(n)

    def offset(self, i, ball):
        """The model of a box offset: the ball ``ball`` (e.g. ``[±r]``) with exact part
        δ_i."""
        ex = PiPoly.gen(self.ectx, i) if self.ectx is not None else None
        if self.ectx is not None:
            self.deltas[i] = ball
        return self.constant(ball, ex)

    def polynomial(self, coeffs, start=0):
        """:math:`\\sum_j q_j t^{start+j}` for exact rationals (or decimal texts) q_j."""
        out = self.convert(0)
        for j, q in enumerate(coeffs):
            out = out + self.convert(Fraction(q)).shift(start + j)
        return out

    @property
    def pi(self):
        if self._pi is None:
            self._pi = self.constant(arb.pi(), PiPoly.pi(self.ectx) if self.ectx else None)
        return self._pi

    def pow(self, x, n):
        if isinstance(x, np.ndarray):
            return np.frompyfunc(lambda t: int_power(self.convert(t), int(n),
                                                     self.convert(1)), 1, 1)(x)
        return int_power(self.convert(x), int(n), self.convert(1))

    def matrix(self, arr):
        return np.asarray(arr, dtype=object)

    def is_zero(self, x):
        return self.convert(x) == 0

    def certainly_nonzero(self, x):
        x = self.convert(x)
        return bool(x.c) and not x.range().contains(0)

    def range(self, x):
        """The ball enclosing the values of a model (or a number) over T."""
        return self.convert(x).range()

    def arb_matrix(self, M):
        """The ball matrix of the ranges of a matrix of models."""
        from flint import arb_mat
        M = np.asarray(M, dtype=object)
        return arb_mat([[self.range(x) for x in row] for row in M])


