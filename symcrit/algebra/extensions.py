r"""Algebraic extensions of :math:`\mathbb{Q}(\pi)`: :math:`\mathbb{Q}(\pi)[\alpha]/m(\alpha)`.

An element of :math:`K = \mathbb{Q}(\pi)[\alpha]/m(\alpha)` (m monic and irreducible over
:math:`\mathbb{Q}(\pi)`, of degree d) is a polynomial in α of degree below d with
coefficients in :math:`\mathbb{Q}(\pi)` (:class:`~symcrit.algebra.qpi.QPi`): sums and
products are those of polynomials reduced modulo m, inverses come from the extended
Euclidean algorithm (:func:`~symcrit.algebra.dense.poly_invmod`), and since the
representation is unique a zero test is exact.  Two kinds occur:

- the field of a branch in Newton–Puiseux when an edge polynomial has an irreducible factor
  m of degree d > 1 over :math:`\mathbb{Q}(\pi)` (Duval 1989, "Rational Puiseux
  expansions", Compositio Math. 70): the branch is expanded once in K and then written at
  the d roots of m (:class:`~symcrit.algebra.domains.QPiExtension`);
- :math:`\mathbb{Q}(\pi)(\sqrt s)`, s a square-free integer > 1, for series lifted over a
  real field whose square roots need √s (:class:`QPiSqrt`, elements :math:`a + b\sqrt s`
  with the real embedding :math:`\sqrt s > 0`, so that signs, values and positive square
  roots are defined).

>>> r2 = QPiSqrt(QPi.ZERO, QPi.ONE, 2)                 # √2
>>> x = 1 + r2 / QPi.PI
>>> x * x
(1 + 2/pi**2) + (2/pi)*sqrt(2)
>>> (x * x).sqrt() == x, x.sign()
(True, 1)
"""
from __future__ import annotations

from fractions import Fraction

import mpmath
import sympy
from flint import arb, ctx as flint_ctx

from ..core import SympyConvertible, int_power
from .dense import poly_add, poly_invmod, poly_mul, poly_rem, poly_strip, poly_sub
from .qpi import NotExact, QPi, arb_sign, arb_value

__all__ = ["QPiAlgebraic", "QPiSqrt", "acos_qpi"]

_new = object.__new__


def _is0(c):
    return c.is_zero()


def _scalar(o):
    """o as a QPi when it is an exact scalar of Q(π), else None."""
    if isinstance(o, QPi):
        return o
    if isinstance(o, bool):
        return None
    return QPi.other(o)


class QPiAlgebraic:
    r"""An element :math:`\sum_i c_i\alpha^i` of :math:`\mathbb{Q}(\pi)[\alpha]/m(\alpha)`.

    Parameters
    ----------
    c : list of QPi
        The coefficients of :math:`\alpha^0, \alpha^1, \dots` (reduced modulo m by the
        caller or not: they are reduced here).
    m : tuple of QPi
        The monic defining polynomial, lowest degree first.

    Examples
    --------
    >>> m = (-QPi.PI, QPi.ZERO, QPi.ONE)                  # α² = π
    >>> a = QPiAlgebraic([QPi.ZERO, QPi.ONE], m)
    >>> (a * a).coefficients(), (1 / a).coefficients()
    ([pi, 0], [0, 1/pi])
    """
    __slots__ = ("c", "m")

    def __init__(self, c, m):
        self.m = m
        self.c = poly_rem(poly_strip(list(c), _is0), list(m), _is0)

    def _make(self, c):
        x = _new(type(self))
        x.m = self.m
        x.c = c
        self._extra(x)
        return x

    def _extra(self, x):
        """Copy what a subclass keeps besides ``c`` and ``m``."""

    def _coefficients_of(self, o):
        """The coefficient list of o in this field, or None when o is not in it."""
        if isinstance(o, QPiAlgebraic):
            if o.m is not self.m and o.m != self.m:
                raise NotExact(f"elements of two different fields: {self.field_name()} and "
                               f"{o.field_name()}")
            return o.c
        q = _scalar(o)
        if q is None:
            return None
        return [] if q.is_zero() else [q]

    def field_name(self):
        """The field as text, e.g. ``Q(pi)[a]/(a**2 - pi)``."""
        y = sympy.Symbol("a")
        m = sum((c.to_sympy() * y ** i for i, c in enumerate(self.m)), sympy.Integer(0))
        return f"Q(pi)[a]/({m})"

    def coefficients(self):
        """The coefficients of :math:`\\alpha^0, \\dots, \\alpha^{d-1}` (QPi)."""
        d = len(self.m) - 1
        return list(self.c) + [QPi.ZERO] * (d - len(self.c))

    # ------------------------------------------------------------------ arithmetic
    def __add__(self, o):
        c = self._coefficients_of(o)
        if c is None:
            return NotImplemented
        return self._make(poly_strip(poly_add(self.c, c), _is0))

    __radd__ = __add__

    def __neg__(self):
        return self._make([-x for x in self.c])

    def __sub__(self, o):
        c = self._coefficients_of(o)
        if c is None:
            return NotImplemented
        return self._make(poly_strip(poly_sub(self.c, c), _is0))

    def __rsub__(self, o):
        c = self._coefficients_of(o)
        if c is None:
            return NotImplemented
        return self._make(poly_strip(poly_sub(c, self.c), _is0))

    def __mul__(self, o):
        q = _scalar(o) if not isinstance(o, QPiAlgebraic) else None
        if q is not None:
            return self._make([] if q.is_zero() else [x * q for x in self.c])
        c = self._coefficients_of(o)
        if c is None:
            return NotImplemented
        if len(c) <= 1:
            return self._make([x * c[0] for x in self.c] if c else [])
        return self._make(poly_rem(poly_strip(poly_mul(self.c, c), _is0), list(self.m), _is0))

    __rmul__ = __mul__

    def inverse(self):
        """1/x (ZeroDivisionError for 0)."""
        if not self.c:
            raise ZeroDivisionError(f"division by zero in {self.field_name()}")
        if len(self.c) == 1:
            return self._make([self.c[0].inverse()])
        return self._make(poly_invmod(self.c, list(self.m), _is0))

    def __truediv__(self, o):
        if isinstance(o, int) and not isinstance(o, bool):
            if o == 0:
                raise ZeroDivisionError(f"division by zero in {self.field_name()}")
            return self._make([x / o for x in self.c])
        c = self._coefficients_of(o)
        if c is None:
            return NotImplemented
        return self * self._make(c).inverse()

    def __rtruediv__(self, o):
        c = self._coefficients_of(o)
        if c is None:
            return NotImplemented
        return self._make(c) * self.inverse()

    def __pow__(self, e):
        if not isinstance(e, int):
            raise NotExact("only integer powers in an algebraic extension")
        if e < 0:
            return self.inverse() ** (-e)
        return int_power(self, e, self._make([QPi.ONE]))

    # ------------------------------------------------------------------ predicates
    def is_zero(self):
        """True for 0 (exact: the reduced coefficient list is empty)."""
        return not self.c

    def __bool__(self):
        return bool(self.c)

    def __eq__(self, o):
        try:
            c = self._coefficients_of(o)
        except NotExact:
            return False
        if c is None:
            return NotImplemented
        return self.c == c

    def __hash__(self):
        return hash(tuple(self.c))

    def is_rational(self):
        """True when the element is a rational number."""
        return len(self.c) <= 1 and (not self.c or self.c[0].is_rational())

    def __repr__(self):
        parts = []
        for i, c in enumerate(self.c):
            if c.is_zero():
                continue
            mono = "" if i == 0 else "a" if i == 1 else f"a**{i}"
            parts.append(str(c) if not mono else mono if c == 1 else f"({c})*{mono}")
        return " + ".join(parts) or "0"


_SQRT_MODULI: dict[int, tuple[QPi, QPi, QPi]] = {}


def _sqrt_modulus(s):
    m = _SQRT_MODULI.get(s)
    if m is None:
        m = _SQRT_MODULI[s] = (QPi.from_rational(-s), QPi.ZERO, QPi.ONE)
    return m


class QPiSqrt(QPiAlgebraic, SympyConvertible):
    r"""An element :math:`a + b\sqrt{s}` of :math:`\mathbb{Q}(\pi)(\sqrt{s})`.

    a, b in :math:`\mathbb{Q}(\pi)`, s a square-free integer > 1; since √s is not in
    :math:`\mathbb{Q}(\pi)` the pair (a, b) is unique, so zero tests stay exact.  The
    field is embedded in ℝ with :math:`\sqrt s > 0`: :meth:`sign` and :meth:`mpf` refer to
    that embedding.

    Parameters
    ----------
    a, b : QPi
    s : int

    Examples
    --------
    >>> x = QPiSqrt(QPi.ONE, QPi.ONE, 3)                  # 1 + √3
    >>> x * x, (1 / x).text()
    (4 + (2)*sqrt(3), '-1/2 + (1/2)*sqrt(3)')
    >>> with mpmath.workdps(20):
    ...     print(x.mpf())
    2.7320508075688772935
    """
    __slots__ = ("s",)

    def __init__(self, a, b, s):
        self.s = int(s)
        self.m = _sqrt_modulus(self.s)
        self.c = poly_strip([a, b], _is0)

    def _extra(self, x):
        x.s = self.s

    def field_name(self):
        return f"Q(pi)(sqrt({self.s}))"

    @property
    def a(self):
        """The rational part a (a QPi)."""
        return self.c[0] if self.c else QPi.ZERO

    @property
    def b(self):
        """The coefficient b of √s (a QPi)."""
        return self.c[1] if len(self.c) > 1 else QPi.ZERO

    def __hash__(self):
        return hash((hash(self.a), hash(self.b), self.s))

    # ------------------------------------------------------------------ values
    def arb(self, prec_bits=None):
        """An Arb ball containing the value (at ``prec_bits``, default the context)."""
        bits = prec_bits or flint_ctx.prec
        old = flint_ctx.prec
        flint_ctx.prec = bits
        try:
            return self.a.arb(bits) + self.b.arb(bits) * arb(self.s).sqrt()
        finally:
            flint_ctx.prec = old

    def sign(self):
        """-1, 0 or 1, decided rigorously (Arb at increasing precision)."""
        if self.b.is_zero():
            return self.a.sign()
        if self.a.is_zero():
            return self.b.sign()
        return arb_sign(self.arb)

    def mpf(self):
        """The value (√s > 0) as an mpmath number at the current precision."""
        if self.b.is_zero():
            return self.a.mpf()
        with mpmath.workdps(mpmath.mp.dps + 20):       # a and b may nearly cancel
            want = mpmath.mp.prec
        return arb_value(self.arb, want, want + 64)

    def sqrt(self):
        r"""The positive square root when it lies in the field: :math:`\sqrt{a}`,
        :math:`\sqrt{a/s}\,\sqrt{s}`, or a denesting
        :math:`\sqrt{a + b\sqrt s} = x + y\sqrt s` with :math:`x^2 = (a \pm
        \sqrt{a^2 - s b^2})/2`.

        Raises
        ------
        NotExact
            Negative, or not a square in the field.
        """
        if self.sign() < 0:
            raise NotExact(f"{self} is negative: no real square root")
        if self.is_zero():
            return self
        a, b, s = self.a, self.b, self.s
        cands = []
        if b.is_zero():
            for f in (lambda: QPiSqrt(a.sqrt(), QPi.ZERO, s),
                      lambda: QPiSqrt(QPi.ZERO, (a / s).sqrt(), s)):
                try:
                    cands.append(f())
                except NotExact:
                    pass
        else:
            try:
                r = (a * a - b * b * s).sqrt()
                for x2 in ((a + r) / 2, (a - r) / 2):
                    try:
                        x = x2.sqrt()
                        if not x.is_zero():
                            cands.append(QPiSqrt(x, b / (2 * x), s))
                    except NotExact:
                        pass
                    try:                       # x + y√s with x² = s·(...)
                        y = (x2 / s).sqrt()
                        if not y.is_zero():
                            cands.append(QPiSqrt(b / (2 * y), y, s))
                    except NotExact:
                        pass
            except NotExact:
                pass
        for c in cands:
            c = c if c.sign() > 0 else -c
            if c * c == self:
                return c
        raise NotExact(f"{self} is not a square in Q(pi)(sqrt({s}))")

    def acos(self):
        r"""acos at the points where it is a rational multiple of π: those of
        :math:`\mathbb{Q}(\pi)` (0, ±1/2, ±1) and ±√2/2, ±√3/2.

        Raises
        ------
        NotExact
            Anywhere else.
        """
        if self.b.is_zero():
            return QPiSqrt(acos_qpi(self.a), QPi.ZERO, self.s)
        half = {2: Fraction(1, 4), 3: Fraction(1, 6)}       # cos(π/4) = √2/2, cos(π/6)
        if self.a.is_zero() and self.b.is_rational() and self.s in half:
            q = self.b.rational()
            if abs(q) == Fraction(1, 2):
                t = half[self.s]
                return QPiSqrt(QPi.PI * (t if q > 0 else 1 - t), QPi.ZERO, self.s)
        raise NotExact(f"acos({self}) is not in Q(pi)(sqrt({self.s}))")

    # ------------------------------------------------------------------ output
    def text(self, latex=False):
        """``a + (b)*sqrt(s)`` as text or LaTeX."""
        if self.b.is_zero():
            return self.a.text(latex)
        rt = rf"\sqrt{{{self.s}}}" if latex else f"sqrt({self.s})"
        bt = self.b.text(latex)
        neg = bt.startswith("-")
        if neg:
            bt = (-self.b).text(latex)
        bpart = rt if bt == "1" else (rf"\left({bt}\right) {rt}" if latex else f"({bt})*{rt}")
        if self.a.is_zero():
            return ("-" if neg else "") + bpart
        at = self.a.text(latex)
        if not latex and _top_level_sum(at):
            at = f"({at})"
        return at + (" - " if neg else " + ") + bpart

    def to_sympy(self):
        """A sympy expression in ``sympy.pi`` and ``sympy.sqrt(s)``."""
        return self.a.to_sympy() + self.b.to_sympy() * sympy.sqrt(self.s)

    def as_expr(self):
        """The element as a sympy expression (:meth:`to_sympy`); ``sympy.latex`` and
        ``sympy.pretty`` print it."""
        return self.to_sympy()

    def _repr_latex_(self):
        return f"${self.text(latex=True)}$"

    def __repr__(self):
        return self.text()

    __str__ = __repr__


_ACOS = {Fraction(1): (0, 1), Fraction(-1): (1, 1), Fraction(0): (1, 2),
         Fraction(1, 2): (1, 3), Fraction(-1, 2): (2, 3)}


def acos_qpi(c):
    r"""acos of an element of :math:`\mathbb{Q}(\pi)` where it is a rational multiple of π
    (at 0, ±1/2, ±1).

    Raises
    ------
    NotExact
        Anywhere else.

    Examples
    --------
    >>> acos_qpi(QPi.from_rational(-1)), acos_qpi(QPi.from_rational("1/2"))
    (pi, pi/3)
    """
    if c.is_rational():
        q = c.rational()
        if q in _ACOS:
            a, b = _ACOS[q]
            return QPi.PI * Fraction(a, b) if a else QPi.ZERO
    raise NotExact(f"acos({c}) is not in Q(pi)")


def _top_level_sum(text):
    """The text has a + or - outside parentheses (other than a leading sign)."""
    depth = 0
    for i, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if depth == 0 and i > 0 and ch in "+-" and text[i - 1] == " ":
            return True
    return False
