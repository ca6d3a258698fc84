r"""Coefficient domains: the one hierarchy of the fields that series and Puiseux
coefficients live in.

The series arithmetic of :mod:`symcrit.algebra.laurent`, the lifting of
:mod:`symcrit.series`, the eigenvalue branches of :mod:`symcrit.series.eigen` and
Newton–Puiseux (:mod:`symcrit.algebra.puiseux`) are written once against a *coefficient
domain*, in the manner of ``sympy.polys`` domains: the domain decides whether a computation
is exact or numeric, how a coefficient is tested for zero, and how the roots of an edge
polynomial are found.

=======================  ======================================  =========================
domain                   elements                                used by
=======================  ======================================  =========================
:class:`MpmathDomain`    mpmath numbers at the working precision  numeric series, Puiseux
:class:`NumberField`     :math:`\mathbb{Q}[\alpha]/m` (flint)      Puiseux, rational input
:class:`QPiDomain`       :math:`\mathbb{Q}(\pi)`: :class:`QPi`    series, Puiseux with π
:class:`QPiExtension`    :math:`\mathbb{Q}(\pi)[\alpha]/m`        Puiseux with π
:class:`QPiSqrtDomain`   :math:`\mathbb{Q}(\pi)(\sqrt s)`          series (type-A2: √2)
:class:`ExpressionDomain`  sympy expressions                     Puiseux, other input
=======================  ======================================  =========================

Every domain has ``name``, ``exact``, ``zero``, ``one``, ``convert``, ``is_zero``, ``roots``
(the non-zero roots of a polynomial, each with its multiplicity and the domain it lies in:
an irreducible factor of degree d > 1 gives a new field of degree d, Duval 1989, "Rational
Puiseux expansions", Compositio Math. 70) and ``instances`` (an expansion with
coefficients in the domain, written at each embedding of the field).  The real fields add
``pi``, ``sqrt``, ``acos``, ``sign`` and ``value`` for the series arithmetic.

An exact domain cannot represent everything: the square root of an element that is not a
square (e.g. :math:`\sqrt 2` in :math:`\mathbb{Q}(\pi)`), or :math:`\arccos x` for x other
than 0, ±1/2, ±1, raise :class:`~symcrit.algebra.qpi.NotExact` (with ``radicand`` s when
the root lies in :math:`\mathbb{Q}(\pi)(\sqrt s)`); callers move to the extension, or
continue numerically, saying so.

>>> x = QQ_PI.convert(2) + 8 / QQ_PI.pi + 8 / QQ_PI.pi**2
>>> x
2 + 8/pi + 8/pi**2
>>> QQ_PI.sqrt(QQ_PI.convert(2))
Traceback (most recent call last):
    ...
symcrit.algebra.qpi.NotExact: 2 is not a square in Q(pi)
>>> QQ_PI.acos(QQ_PI.convert(-1))
pi
>>> [(str(r), m, K.name) for r, m, K in QQ_PI.roots([-QQ_PI.pi, QQ_PI.zero, QQ_PI.one])]
[('a', 1, 'Q(pi)[a]/(a**2 - pi)')]
>>> import mpmath
>>> with mpmath.workdps(25):
...     print(QQ_PI.value(x))
5.357048558609027543853176
"""
from __future__ import annotations

import mpmath
import sympy
from flint import fmpq, fmpq_poly, fmpz_poly

from ..core import MPMATH as _MP, InputError, int_power
from .extensions import QPiAlgebraic, QPiSqrt, acos_qpi
from .qpi import NotExact, QPi
from .roots import (factor_qpi, numeric_roots, qpi_conjugates, rational_conjugates,
                    sympy_value)

__all__ = ["Domain", "MpmathDomain", "NumberField", "QPiDomain", "QPiExtension",
           "QPiSqrtDomain", "ExpressionDomain", "MPMATH_DOMAIN", "QQ", "QQ_PI"]

_Z = sympy.Symbol("z")
_ONE = fmpz_poly([1])


class Domain:
    """What every coefficient domain has (see the module docstring)."""
    name = ""
    exact = True
    numeric = False
    #: the degree over the base field (Q or Q(π)); roots of a non-linear polynomial over a
    #: field of degree > 1 would need a tower of fields
    degree = 1

    def is_zero(self, c):
        """True when the coefficient is zero (exactly, in an exact domain)."""
        return c.is_zero()

    def simplify(self, c):
        """The coefficient in a canonical form (exact fields: already)."""
        return c

    def sign(self, c):
        """-1, 0 or 1 (the fields embedded in ℝ)."""
        return c.sign()

    def value(self, c):
        """The coefficient as an mpmath number at the working precision."""
        return c.mpf()

    def roots(self, coeffs):
        """The non-zero roots of :math:`\\sum_i` ``coeffs[i]`` :math:`z^i`.

        Returns
        -------
        list of (root, multiplicity, domain)
            The domain of a root is this one, or an extension field.

        Raises
        ------
        NotExact
            A non-linear polynomial over a field of degree > 1 (a tower of fields).
        """
        nz = [i for i, c in enumerate(coeffs) if not self.is_zero(c)]
        coeffs = coeffs[nz[0]:nz[-1] + 1]
        if len(coeffs) == 2:
            return [(-(coeffs[0] / coeffs[1]), 1, self)]
        if self.degree > 1:
            raise NotExact(f"a polynomial of degree {len(coeffs) - 1} over {self.name}: its "
                           "roots need a tower of fields")
        return self.factor_roots(coeffs)

    def factor_roots(self, coeffs):  # pragma: no cover - abstract
        """The roots of a polynomial of degree ≥ 2 (ascending ``coeffs``, no zero root) by
        factoring it over this domain, as :meth:`roots` returns them: a linear factor
        gives a root here, an irreducible factor of degree d > 1 the generator of a new
        field of degree d."""
        raise NotExact(f"no root finding over {self.name}")

    def instances(self, terms):
        """``[(terms, values)]``: the expansion ``[(exponent, coefficient)]`` written at each
        embedding of the field, coefficients as sympy expressions and their mpmath values."""
        return [([(e, self.to_expr(c, alpha)) for e, c in terms],
                 [self.to_value(c, aval) for _, c in terms])
                for alpha, aval in self.conjugates()]

    def __repr__(self):
        return f"<coefficient domain {self.name}>"


# ----------------------------------------------------------------------------- numeric
class MpmathDomain(Domain):
    """mpmath numbers (real, or complex in Newton–Puiseux) at the working precision.

    A coefficient counts as zero (:meth:`is_zero`) below :math:`10^{-2d/3}` at d digits;
    roots come from :func:`~symcrit.algebra.roots.numeric_roots`.

    >>> with mpmath.workdps(20):
    ...     [(mpmath.nstr(r, 10), m) for r, m, _ in MPMATH_DOMAIN.roots([2, -3, 1])]
    [('1.0', 1), ('2.0', 1)]
    """
    name = "mpmath"
    exact = False
    numeric = True

    @property
    def zero(self):
        """0 as an ``mpf``."""
        return mpmath.mpf(0)

    @property
    def one(self):
        """1 as an ``mpf``."""
        return mpmath.mpf(1)

    @property
    def pi(self):
        """π at the working precision (read again at every use)."""
        return +mpmath.mp.pi

    def convert(self, x):
        """An mpmath number for x: an mpmath, exact (:class:`QPi`, :class:`QPiSqrt`,
        sympy) or Python number, evaluated at the working precision."""
        if isinstance(x, (mpmath.mpf, mpmath.mpc)):
            return x
        if isinstance(x, (QPi, QPiSqrt)):
            return x.mpf()
        if isinstance(x, sympy.Basic):
            return sympy_value(x, 5)
        return _MP.convert(x)

    def is_zero(self, c):
        return abs(c) <= mpmath.mpf(10) ** (-(mpmath.mp.dps * 2 // 3))

    def sqrt(self, c):
        """√c for c ≥ 0 (ArithmeticError for c < 0)."""
        if c < 0:
            raise ArithmeticError("square root of a negative coefficient")
        return mpmath.sqrt(c)

    def acos(self, c):
        """arccos c for ``|c| ≤ 1``, in [0, π] (ArithmeticError outside)."""
        if abs(c) > 1:
            raise ArithmeticError(f"acos of {mpmath.nstr(c, 8)}")
        return mpmath.acos(max(min(c, mpmath.mpf(1)), mpmath.mpf(-1)))

    def sign(self, c):
        return (c > 0) - (c < 0)

    def value(self, c):
        return +c

    def roots(self, coeffs):
        cs = list(reversed(coeffs))
        while cs and self.is_zero(cs[0]):
            cs = cs[1:]
        while cs and self.is_zero(cs[-1]):
            cs = cs[:-1]
        return [(r, m, self) for r, m in numeric_roots(cs)]

    def instances(self, terms):
        return [(terms, None)]


# ----------------------------------------------------------------------------- Q[α]/m
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
        return o.p if isinstance(o, _NFElem) else fmpq_poly([o])

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

    def inverse(self):
        g, s, _ = self.p.xgcd(self.K.m)
        return _NFElem(self.K, (s / g[0]) % self.K.m)

    def __truediv__(self, o):
        return self * o.inverse()

    def is_zero(self):
        return self.p.is_zero()


class NumberField(Domain):
    r"""The number field :math:`\mathbb{Q}[\alpha]/m(\alpha)`, m monic irreducible with
    rational coefficients (python-flint ``fmpq_poly`` arithmetic); m = α (the default) is
    :math:`\mathbb{Q}`.

    >>> K = NumberField(fmpq_poly([-2, 0, 1]))                 # Q(√2)
    >>> a = K.generator()
    >>> (a * a + 1).p, [str(r) for r, _ in K.conjugates()]
    (3, ['sqrt(2)', '-sqrt(2)'])
    >>> [(r.p, m) for r, m, _ in QQ.roots([QQ.convert(-2), QQ.convert(1)])]
    [(2, 1)]
    """

    def __init__(self, m=None):
        self.m = m if m is not None else fmpq_poly([0, 1])
        self.degree = self.m.degree()
        self.name = "Q" if self.degree == 1 else f"Q[a]/({self.m.str(var='a')})"
        self.one = _NFElem(self, fmpq_poly([1]))
        self.zero = _NFElem(self, fmpq_poly([]))
        self._conj = None

    def generator(self):
        """α."""
        return _NFElem(self, fmpq_poly([0, 1]))

    def convert(self, c):
        """An element of the field: one of its own, or a rational number (the constant
        polynomial c)."""
        if isinstance(c, _NFElem):
            return _NFElem(self, c.p)
        return _NFElem(self, fmpq_poly([_fmpq(c)]))

    def factor_roots(self, coeffs):
        """Roots of a polynomial with rational coefficients, by flint's factorisation over
        ℚ: a rational root for each linear factor, the generator of ℚ[α]/g for each
        irreducible factor g of higher degree."""
        f = fmpq_poly([c.p[0] if c.p.degree() >= 0 else 0 for c in coeffs])
        out = []
        for g, e in f.factor()[1]:
            if g.degree() == 1:
                out.append((_NFElem(self, fmpq_poly([-g[0] / g[1]])), e, self))
            else:
                K = NumberField(g / g[g.degree()])
                out.append((K.generator(), e, K))
        return out

    def conjugates(self):
        """``[(sympy expression, mpmath value)]`` of the roots of m."""
        if self._conj is None:
            self._conj = rational_conjugates(self.m)
        return self._conj

    def to_expr(self, c, alpha):
        """The element at α = ``alpha`` (a sympy expression)."""
        e = sympy.expand(sum((_rat(c.p[k]) * alpha ** k for k in range(c.p.degree() + 1)),
                             sympy.Integer(0)))
        return sympy.radsimp(e) if self.degree == 2 else e

    def to_value(self, c, aval):
        """The element at α = ``aval`` (an mpmath number)."""
        return mpmath.fsum(mpmath.mpf(int(c.p[k].p)) / int(c.p[k].q) * aval ** k
                           for k in range(c.p.degree() + 1)) if c.p.degree() >= 0 \
            else mpmath.mpf(0)


# ----------------------------------------------------------------------------- Q(π)
class QPiDomain(Domain):
    r"""The exact field :math:`\mathbb{Q}(\pi)` (elements :class:`~symcrit.algebra.qpi.QPi`,
    π an indeterminate); roots by factoring over :math:`\mathbb{Q}(\pi)`
    (:func:`~symcrit.algebra.roots.factor_qpi`)."""
    name = "Q(pi)"
    zero = QPi.ZERO
    one = QPi.ONE
    pi = QPi.PI

    def convert(self, x):
        """An element of ℚ(π): a :class:`QPi`, an integer or rational, an integral float,
        or a sympy expression rational in π.

        Raises
        ------
        NotExact
            A float that is not an integer (it has no exact meaning here).
        """
        if isinstance(x, QPi):
            return x
        if isinstance(x, (mpmath.mpf, float)):
            if x == int(x):
                return QPi.coerce(int(x))
            raise NotExact(f"the floating-point number {x} is not an exact coefficient")
        if isinstance(x, sympy.Basic) and not isinstance(x, sympy.Rational):
            return QPi.from_sympy(x)
        return QPi.coerce(x)

    @staticmethod
    def pack(coeffs):
        r"""The coefficients in the form :meth:`convolve_packed` multiplies: ``(E, numerators,
        shifts)`` with coefficient i equal to :math:`N_i\,\pi^{s_i}/E`, E the least common
        multiple of the denominators' parts prime to π and :math:`s_i \le 0` minus the power
        of π in the denominator (``fmpz_poly`` numerators, None for zeros).

        Powers of π — the denominators that grow along a series — are kept apart as shifts
        instead of being multiplied into a common denominator, so that the numerators of
        the early coefficients stay as small as they are.

        >>> pi = QQ_PI.pi
        >>> QQ_PI.pack([1 + 1 / pi, 1 / (pi - 2), QQ_PI.zero])
        (x + (-2), [x^2 + (-1)*x + (-2), 1, None], [-1, 0, 0])
        """
        E = _ONE
        parts = []
        for x in coeffs:
            if x.n.is_zero():
                parts.append(None)
                continue
            d, a = x.d, 0
            while d[a] == 0:
                a += 1
            r = d.right_shift(a) if a else d
            parts.append((x.n, a, r))
            if r.is_one() or r == E:
                continue
            if E.is_one():
                E = r
                continue
            g = E.gcd(r)
            E = E * (r // g) if not g.is_one() else E * r
        nums, shifts = [], []
        for part in parts:
            if part is None:
                nums.append(None)
                shifts.append(0)
                continue
            n, a, r = part
            nums.append(n if r == E else (n * E if r.is_one() else n * (E // r)))
            shifts.append(-a)
        return E, nums, shifts

    @staticmethod
    def convolve_packed(pa, pb, n):
        r"""The first n coefficients of the product of two series given packed
        (:meth:`pack`): :math:`c_m = \sum_{i+j=m} a_i b_j` in integer-polynomial
        arithmetic (python-flint ``fmpz_poly``): each :math:`c_m` is a sum of products of
        numerators shifted by powers of π, over :math:`E_a E_b \pi^{-s}`, reduced to
        lowest terms once (the common powers of π by a shift, the rest by one gcd with
        :math:`E_a E_b`, which is prime to π)."""
        Ea, Na, Sa = pa
        Eb, Nb, Sb = pb
        D = Ea * Eb
        one = D.is_one()
        la, lb = min(len(Na), n), min(len(Nb), n)
        out = []
        for m in range(n):
            acc, s0 = None, 0
            for i in range(max(0, m - lb + 1), min(m + 1, la)):
                x, y = Na[i], Nb[m - i]
                if x is None or y is None:
                    continue
                p, s = x * y, Sa[i] + Sb[m - i]
                if acc is None:
                    acc, s0 = p, s
                elif s == s0:
                    acc = acc + p
                elif s > s0:
                    acc = acc + p.left_shift(s - s0)
                else:
                    acc, s0 = acc.left_shift(s0 - s) + p, s
            if acc is None or acc.is_zero():
                out.append(QPi.ZERO)
                continue
            t = 0
            while t < -s0 and acc[t] == 0:       # common powers of π
                t += 1
            if t:
                acc, s0 = acc.right_shift(t), s0 + t
            den = D
            if not one:
                g = acc.gcd(D)
                if not g.is_one():
                    acc, den = acc // g, D // g
            if s0 > 0:
                acc = acc.left_shift(s0)
            elif s0 < 0:
                den = den.left_shift(-s0)
            out.append(QPi(acc, den, canonical=True))
        return out

    @staticmethod
    def convolve(a, b, n):
        r"""The first n coefficients of the product of the series with coefficients a and b:
        :math:`c_m = \sum_{i+j=m} a_i b_j` (:meth:`pack` and :meth:`convolve_packed`:
        integer-polynomial arithmetic only, one reduction per result).

        >>> pi = QQ_PI.pi
        >>> QQ_PI.convolve([QQ_PI.one, 1 / pi], [pi, QQ_PI.one, QQ_PI.zero], 3)
        [pi, 2, 1/pi]
        """
        return QPiDomain.convolve_packed(QPiDomain.pack(a[:n]), QPiDomain.pack(b[:n]), n)

    def sqrt(self, c):
        """√c when c is the square of an element of ℚ(π) (NotExact otherwise, with the
        radicand when the root lies in ℚ(π)(√s))."""
        return c.sqrt()

    def acos(self, c):
        r"""acos at the points where it is a rational multiple of π (0, ±1/2, ±1)."""
        return acos_qpi(c)

    def factor_roots(self, coeffs):
        """Roots by factoring over ℚ(π) (:func:`~symcrit.algebra.roots.factor_qpi`): a root
        in ℚ(π) for each linear factor, the generator of a :class:`QPiExtension` for each
        irreducible factor of higher degree."""
        out = []
        for g, e in factor_qpi(coeffs):
            if len(g) == 2:
                out.append((-g[0], e, self))
            else:
                K = QPiExtension(g)
                out.append((K.generator(), e, K))
        return out

    def instances(self, terms):
        return [([(e, _expr(c.to_sympy())) for e, c in terms], [c.mpf() for _, c in terms])]


def _expr(e):
    return sympy.expand(sympy.powsimp(sympy.expand(e)))


class QPiExtension(Domain):
    r"""The field :math:`\mathbb{Q}(\pi)[\alpha]/m(\alpha)` (elements
    :class:`~symcrit.algebra.extensions.QPiAlgebraic`), m monic irreducible over
    :math:`\mathbb{Q}(\pi)`: the field of a Newton–Puiseux branch whose leading coefficient
    is a root of m.  Its :meth:`conjugates` are the roots of m in radicals.

    >>> K = QPiExtension([-QQ_PI.pi, QQ_PI.zero, QQ_PI.one])     # Q(π)(√π)
    >>> a = K.generator()
    >>> a * a == QQ_PI.pi, [str(r) for r, _ in K.conjugates()]
    (True, ['sqrt(pi)', '-sqrt(pi)'])
    """

    def __init__(self, m):
        self.m = tuple(m)
        self.degree = len(self.m) - 1
        self.zero = QPiAlgebraic([], self.m)
        self.one = QPiAlgebraic([QPi.ONE], self.m)
        self.name = self.zero.field_name()
        self._conj = None

    def generator(self):
        """α."""
        return QPiAlgebraic([QPi.ZERO, QPi.ONE], self.m)

    def convert(self, x):
        """An element of the extension: one of its own, or an element of ℚ(π) (anything
        :meth:`QPiDomain.convert` accepts)."""
        if isinstance(x, QPiAlgebraic):
            return x
        return QPiAlgebraic([QQ_PI.convert(x)], self.m)

    def conjugates(self):
        """``[(sympy expression, mpmath value)]`` of the roots of m (NotExact when they are
        not expressible in radicals)."""
        if self._conj is None:
            self._conj = qpi_conjugates(self.m)
        return self._conj

    def to_expr(self, c, alpha):
        """The element at α = ``alpha`` (a sympy expression)."""
        return _expr(sum((v.to_sympy() * alpha ** k for k, v in enumerate(c.c)),
                         sympy.Integer(0)))

    def to_value(self, c, aval):
        """The element at α = ``aval`` (an mpmath number)."""
        return mpmath.fsum(v.mpf() * aval ** k for k, v in enumerate(c.c)) if c.c \
            else mpmath.mpf(0)


class QPiSqrtDomain(QPiExtension):
    r"""The exact field :math:`\mathbb{Q}(\pi)(\sqrt{s})` (elements
    :class:`~symcrit.algebra.extensions.QPiSqrt`) embedded in ℝ with √s > 0, for
    expansions whose square roots leave :math:`\mathbb{Q}(\pi)` by one square-free integer
    radicand s (type-A2 needs √2).

    >>> D = QPiSqrtDomain(2)
    >>> D.sqrt(D.convert(8) / D.pi ** 2), D.acos(D.sqrt(D.convert(2)) / 2)
    ((2/pi)*sqrt(2), pi/4)
    """

    def __init__(self, s):
        self.s = int(s)
        super().__init__(QPiSqrt(QPi.ZERO, QPi.ZERO, self.s).m)
        self.name = f"Q(pi)(sqrt({self.s}))"
        self.zero = QPiSqrt(QPi.ZERO, QPi.ZERO, self.s)
        self.one = QPiSqrt(QPi.ONE, QPi.ZERO, self.s)
        self.pi = QPiSqrt(QPi.PI, QPi.ZERO, self.s)

    def generator(self):
        """√s (the positive root)."""
        return QPiSqrt(QPi.ZERO, QPi.ONE, self.s)

    def convert(self, x):
        """An element a + b√s: one of its own (same s), or an element a of ℚ(π).

        Raises
        ------
        NotExact
            An element of ℚ(π)(√t) with t ≠ s.
        """
        if isinstance(x, QPiSqrt):
            if x.s != self.s:
                raise NotExact(f"two different radicals: sqrt({self.s}) and sqrt({x.s})")
            return x
        return QPiSqrt(QQ_PI.convert(x), QPi.ZERO, self.s)

    def convolve(self, a, b, n):
        """The first n coefficients of the product of two series (componentwise in
        1 and √s, each by :meth:`QPiDomain.convolve`)."""
        conv = QQ_PI.convolve
        aa, ab = [x.a for x in a[:n]], [x.b for x in a[:n]]
        ba, bb = [x.a for x in b[:n]], [x.b for x in b[:n]]
        if not any(not x.is_zero() for x in ab + bb):
            return [QPiSqrt(c, QPi.ZERO, self.s) for c in conv(aa, ba, n)]
        p1, p2 = conv(aa, ba, n), conv(ab, bb, n)
        q1, q2 = conv(aa, bb, n), conv(ab, ba, n)
        return [QPiSqrt(x + y * self.s, u + v, self.s) for x, y, u, v in zip(p1, p2, q1, q2)]

    def sqrt(self, c):
        """√c when it lies in ℚ(π)(√s) (NotExact otherwise)."""
        return c.sqrt()

    def acos(self, c):
        """arccos c where it is a rational multiple of π (0, ±1/2, ±√2/2, ±√3/2, ±1;
        NotExact otherwise)."""
        return c.acos()

    def roots(self, coeffs):
        """Linear polynomials, and polynomials with coefficients in Q(π) (factored there;
        roots of degree > 1 over Q(π) are reported in their own field)."""
        nz = [i for i, c in enumerate(coeffs) if not c.is_zero()]
        if nz[-1] - nz[0] == 1:
            return [(-(coeffs[nz[0]] / coeffs[nz[-1]]), 1, self)]
        if any(not c.b.is_zero() for c in coeffs):
            raise NotExact(f"a polynomial over {self.name} (factored over Q(pi) only)")
        return [(self.convert(r) if K is QQ_PI else r, m, self if K is QQ_PI else K)
                for r, m, K in QQ_PI.roots([c.a for c in coeffs])]


# ----------------------------------------------------------------------------- sympy
class ExpressionDomain(Domain):
    """Coefficients as sympy expressions (radicals, constants other than π, ...): the
    fallback of Newton–Puiseux for exact input outside Q and Q(π); zero tests by
    simplification, roots by ``sympy.roots``."""
    name = "sympy expressions"
    zero = sympy.Integer(0)
    one = sympy.Integer(1)

    @staticmethod
    def convert(c):
        """A sympy expression: a float is replaced by a simple exact number close to it
        (``sympy.nsimplify``); anything else must already be a sympy object or a Python
        number (``sympify(strict=True)``: strings are refused)."""
        return sympy.nsimplify(c) if isinstance(c, float) else sympy.sympify(c, strict=True)

    def is_zero(self, c):
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

    def simplify(self, c):
        c = sympy.expand(c)
        if c.is_number and c.has(sympy.Pow):
            c = sympy.radsimp(c)
        return c

    def roots(self, coeffs):
        poly = sympy.Poly(sum(c * _Z ** i for i, c in enumerate(coeffs)), _Z)
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

    def instances(self, terms):
        return [(terms, None)]


#: mpmath coefficients at the working precision (numeric series and branches)
MPMATH_DOMAIN = MpmathDomain()
#: the rational numbers ℚ (a :class:`NumberField` of degree 1)
QQ = NumberField()
#: the exact field ℚ(π), π an indeterminate (:class:`QPiDomain`)
QQ_PI = QPiDomain()
