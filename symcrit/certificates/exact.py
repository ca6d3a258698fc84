r"""Exact coefficients for Taylor models: polynomials in π and the box offsets δ, over
:math:`\mathbb{Q}` and divided by a power of π (:class:`PiPoly`, on flint's
``fmpq_mpoly``), and the exact Taylor coefficients of ``1/x``, ``sqrt``, ``asin`` and
``acos`` where they are of that form (:func:`exact_taylor`).

A certificate at :math:`\varepsilon = 0` must know that certain coefficients are *exactly*
zero for every point of a box — the negative powers of ε that cancel between the pair
types of the restricted gradient, and the orders below the valuation of a square root.
Ball arithmetic cannot show this (a ball around 0 of radius :math:`10^{-60}` is not 0);
these polynomials can: the coefficient of :math:`\varepsilon^j` of every quantity the
restricted loss computes is, near the limit of a family, a polynomial in the offsets δ
with coefficients in :math:`\mathbb{Q}[\pi, \pi^{-1}]` — as long as only rational
operations, π, square roots of squares and arc cosines at 0 and ±1 are involved.  Where a
value leaves that ring (the square root of a non-square, a quotient by a non-constant
polynomial) it is *unknown*, and nothing that would need it is claimed
(:mod:`.taylor`).

>>> ctx = PiPoly.context(2)
>>> d0, d1 = PiPoly.gen(ctx, 0), PiPoly.gen(ctx, 1)
>>> x = (d0 + 1) * (d0 + 1) * Fraction(1, 4)
>>> x.sqrt([arb(0, "0.1"), arb(0)])                         # |δ₀ + 1|/2, sign proven
1/2*d0 + 1/2
>>> exact_taylor("asin", PiPoly.const(ctx, 0), 3, ctx)      # x + x³/6
[0, 1, 0, 1/6]
"""
from __future__ import annotations

import math
from fractions import Fraction

from flint import arb, fmpq, fmpq_mpoly_ctx

from ..core import int_power

__all__ = ["PiPoly", "exact_taylor", "rational_sqrt", "pi_power"]


class PiPoly:
    r"""An exact coefficient :math:`P(\pi, \delta)/\pi^s`: P an ``fmpq_mpoly`` in π and the
    box offsets δ, s ≥ 0.  Zero exactly when P is the zero polynomial, whatever s.

    >>> ctx = PiPoly.context(1)
    >>> a = PiPoly.const(ctx, Fraction(1, 2)) + PiPoly.pi(ctx).inverse()
    >>> (a - a).is_zero(), a.monomial()                     # 1/2 + 1/π is not a monomial
    (True, None)
    >>> PiPoly.pi(ctx).inverse().monomial()
    (Fraction(1, 1), -1)
    """
    __slots__ = ("P", "s")

    def __init__(self, P, s=0):
        self.P = P
        self.s = s

    @staticmethod
    def context(ndelta):
        """The polynomial ring in π and ``ndelta`` offsets."""
        return fmpq_mpoly_ctx.get(("pi",) + tuple(f"d{i}" for i in range(ndelta)), "lex")

    @classmethod
    def const(cls, ctx, q):
        q = Fraction(q)
        return cls(ctx.constant(fmpq(q.numerator, q.denominator)))

    @classmethod
    def pi(cls, ctx):
        return cls(ctx.gens()[0])

    @classmethod
    def gen(cls, ctx, i):
        """The offset δ_i."""
        return cls(ctx.gens()[i + 1])

    def _align(self, o):
        if self.s == o.s:
            return self.P, o.P, self.s
        pi = self.P.context().gens()[0]
        if self.s < o.s:
            return self.P * pi ** (o.s - self.s), o.P, o.s
        return self.P, o.P * pi ** (self.s - o.s), self.s

    def __add__(self, o):
        if not isinstance(o, PiPoly):
            o = PiPoly.const(self.P.context(), o)
        a, b, s = self._align(o)
        return PiPoly(a + b, s)

    __radd__ = __add__

    def __neg__(self):
        return PiPoly(-self.P, self.s)

    def __sub__(self, o):
        return self + (-o if isinstance(o, PiPoly) else -Fraction(o))

    def __mul__(self, o):
        if isinstance(o, PiPoly):
            return PiPoly(self.P * o.P, self.s + o.s)
        q = Fraction(o)
        return PiPoly(self.P * fmpq(q.numerator, q.denominator), self.s)

    __rmul__ = __mul__

    def is_zero(self):
        return self.P.is_zero()

    def monomial(self):
        """``(q, e)`` when the value is :math:`q\\pi^e` (q rational, e an integer), else
        None."""
        d = self.P.to_dict()
        if len(d) != 1:
            return None if d else (Fraction(0), 0)
        (exps, c), = d.items()
        if any(exps[1:]):
            return None
        return Fraction(int(c.p), int(c.q)), exps[0] - self.s

    def inverse(self):
        m = self.monomial()
        if m is None or m[0] == 0:
            return None
        q, e = m
        ctx = self.P.context()
        pi = ctx.gens()[0]
        inv = 1 / q
        c = ctx.constant(fmpq(inv.numerator, inv.denominator))
        return PiPoly(c * pi ** (-e), 0) if e <= 0 else PiPoly(c, e)

    def evaluate(self, deltas):
        """An Arb enclosure of the value for δ in the balls ``deltas``."""
        tot = arb(0)
        for exps, c in self.P.to_dict().items():
            term = arb(fmpq(int(c.p), int(c.q))) * int_power(arb.pi(), exps[0])
            for e, d in zip(exps[1:], deltas):
                if e:
                    term = term * int_power(d, e)
            tot += term
        return tot / int_power(arb.pi(), self.s) if self.s else tot

    def sqrt(self, deltas):
        r"""The exact square root where the value is the square of an element of sign
        proven on the box (``deltas``): :math:`\sqrt{q^2} = |q|`; None otherwise."""
        P, s = self.P, self.s
        if s % 2:
            P, s = P * P.context().gens()[0], s + 1
        try:
            Q = P.sqrt()
        except Exception:          # flint: not a perfect square
            return None
        root = PiPoly(Q, s // 2)
        sign = root.evaluate(deltas)
        if sign > 0:
            return root
        if sign < 0:
            return -root
        return None

    def __repr__(self):
        return f"({self.P})/pi^{self.s}" if self.s else str(self.P)


def exact_taylor(kind, x0, M, ctx, deltas=()):
    """Exact Taylor coefficients :math:`g^{(n)}(x_0)/n!`, n ≤ M, where they lie in
    :math:`\\mathbb{Q}[\\pi, \\pi^{-1}][\\delta]` (a list, None for those that do not),
    or None."""
    if x0 is None:
        return None
    m = x0.monomial()
    if m is None:
        if kind == "sqrt":            # the square of a polynomial: only the leading term
            root = x0.sqrt(deltas)
            return None if root is None else [root] + [None] * M
        return None
    q, e = m
    if kind == "inv":
        if q == 0:
            return None
        out, cur = [], x0.inverse()
        for n in range(M + 1):
            out.append(cur if n % 2 == 0 else -cur)
            cur = cur * x0.inverse()
        return out
    if kind == "sqrt":
        if q <= 0 or e % 2:
            return None
        r = rational_sqrt(q)
        if r is None:
            return None
        root = PiPoly.const(ctx, r) * pi_power(ctx, e // 2)
        out, binom = [], Fraction(1)
        inv = x0.inverse()
        cur = root
        for n in range(M + 1):
            out.append(cur * binom)
            binom = binom * (Fraction(1, 2) - n) / (n + 1)
            cur = cur * inv
        return out
    if kind in ("asin", "acos"):
        if q != 0:
            return None
        out = []
        for n in range(M + 1):
            if n % 2 == 0:
                c = Fraction(0)
            else:
                j = (n - 1) // 2
                c = Fraction(math.comb(2 * j, j), 4 ** j * (2 * j + 1))
            out.append(PiPoly.const(ctx, c if kind == "asin" else -c))
        if kind == "acos":
            out[0] = PiPoly.pi(ctx) * Fraction(1, 2)
        return out
    return None


def pi_power(ctx, e):
    p = PiPoly.pi(ctx)
    if e >= 0:
        return PiPoly(p.P ** e, 0)
    return PiPoly(ctx.constant(1), -e)


def rational_sqrt(q):
    n, d = q.numerator, q.denominator
    rn, rd = math.isqrt(n), math.isqrt(d)
    return Fraction(rn, rd) if rn * rn == n and rd * rd == d else None


