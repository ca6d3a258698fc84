r"""Dense univariate polynomials over any coefficient ring: lists of coefficients, lowest
degree first.

python-flint holds polynomials over :math:`\mathbb{Z}`, :math:`\mathbb{Q}` and finite
fields (``fmpz_poly``, ``fmpq_poly``, ``nmod_poly``) and symcrit uses them wherever the
coefficients are such numbers.  Two kinds of polynomials fall outside: polynomials over
:math:`\mathbb{Q}(\pi)` and its algebraic extensions (the defining polynomials of the fields
of :mod:`symcrit.algebra.extensions`), and polynomials whose coefficients are truncated
Laurent series (the characteristic polynomial :math:`\det(A(\varepsilon) - \lambda
B(\varepsilon))` of :mod:`symcrit.series.eigen`).  This module is the one implementation of
their arithmetic, in the manner of ``sympy.polys.densearith`` but with the coefficients'
own operators: anything with ``+``, ``-``, ``*`` (and ``/`` for the division algorithms)
works.

Ring operations (:func:`poly_add`, :func:`poly_mul`, :func:`poly_eval`, …) never test a
coefficient for zero, so that they apply to truncated series, where "zero" is only known to
a precision.  The field operations (:func:`poly_divmod`, :func:`poly_invmod`) take the zero
test ``is_zero`` of the coefficient domain.

>>> from fractions import Fraction as F
>>> f, g = [F(1), F(0), F(1)], [F(-1), F(1)]          # 1 + x², x - 1
>>> poly_mul(f, g)
[Fraction(-1, 1), Fraction(1, 1), Fraction(-1, 1), Fraction(1, 1)]
>>> poly_divmod(f, g)                                  # 1 + x² = (x + 1)(x - 1) + 2
([Fraction(1, 1), Fraction(1, 1)], [Fraction(2, 1)])
>>> poly_eval(f, F(3)), poly_diff(f)
(Fraction(10, 1), [Fraction(0, 1), Fraction(2, 1)])
"""
from __future__ import annotations

__all__ = ["poly_add", "poly_sub", "poly_neg", "poly_mul", "poly_strip",
           "poly_divmod", "poly_rem", "poly_invmod", "poly_eval", "poly_diff"]


def _zero_test(c):
    return c == 0


def poly_add(f, g):
    """f + g (no coefficient is tested for zero; the longer list sets the length).

    >>> poly_add([1, 2], [3, 4, 5])
    [4, 6, 5]
    """
    if len(f) < len(g):
        f, g = g, f
    return [a + g[i] for i, a in enumerate(f[:len(g)])] + list(f[len(g):])


def poly_neg(f):
    """-f."""
    return [-a for a in f]


def poly_sub(f, g):
    """f - g (no coefficient is tested for zero).

    >>> poly_sub([1, 2], [3, 4, 5])
    [-2, -2, -5]
    """
    return poly_add(f, poly_neg(g))


def poly_mul(f, g):
    """f g by the schoolbook convolution (no coefficient is tested for zero).

    >>> poly_mul([1, 1], [1, 1])
    [1, 2, 1]
    """
    if not f or not g:
        return []
    out = [None] * (len(f) + len(g) - 1)
    for i, a in enumerate(f):
        for j, b in enumerate(g):
            t = a * b
            out[i + j] = t if out[i + j] is None else out[i + j] + t
    return out


def poly_strip(f, is_zero=_zero_test):
    """f without its zero leading coefficients (the highest powers).

    >>> poly_strip([1, 2, 0, 0])
    [1, 2]
    """
    n = len(f)
    while n and is_zero(f[n - 1]):
        n -= 1
    return list(f[:n])


def poly_divmod(f, g, is_zero=_zero_test):
    """``(q, r)`` with f = q g + r and deg r < deg g, over a field (g ≠ 0).

    Raises
    ------
    ZeroDivisionError
        g is zero.

    Examples
    --------
    >>> from fractions import Fraction as F
    >>> poly_divmod([F(0), F(0), F(1)], [F(1), F(2)])     # x² = (x/2 - 1/4)(2x + 1) + 1/4
    ([Fraction(-1, 4), Fraction(1, 2)], [Fraction(1, 4)])
    """
    g = poly_strip(g, is_zero)
    if not g:
        raise ZeroDivisionError("polynomial division by zero")
    r = poly_strip(f, is_zero)
    if len(r) < len(g):
        return [], r
    q = [None] * (len(r) - len(g) + 1)
    lead = g[-1]
    while len(r) >= len(g):
        c = r[-1] / lead
        k = len(r) - len(g)
        q[k] = c
        for i, b in enumerate(g[:-1]):
            r[i + k] = r[i + k] - c * b
        r = poly_strip(r[:-1], is_zero)
    zero = lead - lead
    return [zero if c is None else c for c in q], r


def poly_rem(f, g, is_zero=_zero_test):
    """The remainder of f modulo g (f itself when deg f < deg g)."""
    return f if len(f) < len(g) else poly_divmod(f, g, is_zero)[1]


def poly_invmod(f, m, is_zero=_zero_test):
    """The inverse of f modulo m (coprime), by the extended Euclidean algorithm over a
    field: s with s f ≡ 1 (mod m), deg s < deg m.

    Raises
    ------
    ZeroDivisionError
        f is zero modulo m, or f and m have a common factor.

    Examples
    --------
    >>> from fractions import Fraction as F
    >>> poly_invmod([F(1), F(1)], [F(-2), F(0), F(1)])    # (1 + α)⁻¹ = α - 1 when α² = 2
    [Fraction(-1, 1), Fraction(1, 1)]
    """
    r0, r1 = poly_strip(m, is_zero), poly_strip(f, is_zero)
    if not r1:
        raise ZeroDivisionError("inverse of zero modulo a polynomial")
    one = r1[-1] / r1[-1]
    s0, s1 = [], [one]
    while len(r1) > 1:
        q, r = poly_divmod(r0, r1, is_zero)
        r0, r1 = r1, r
        s0, s1 = s1, poly_strip(poly_sub(s0, poly_mul(q, s1)), is_zero)
    if not r1:
        raise ZeroDivisionError("the polynomial is not invertible modulo m")
    g = r1[0]
    return poly_rem([c / g for c in s1], poly_strip(m, is_zero), is_zero)


def poly_eval(f, x):
    """f(x) by Horner's rule (f non-empty).

    >>> poly_eval([1, 2, 3], 2)
    17
    """
    acc = f[-1]
    for c in reversed(f[:-1]):
        acc = acc * x + c
    return acc


def poly_diff(f):
    """The derivative f'.

    >>> poly_diff([5, 1, 3])
    [1, 6]
    """
    return [f[j] * j for j in range(1, len(f))]
