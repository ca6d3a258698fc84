r"""Polynomials with rational coefficients in one variable, evaluated in any number system.

Multiplicities of eigenvalues and Frobenius weights of fixed-space parameters are
polynomials in k with rational coefficients (:math:`(k-1)(k-4)/2`, say).  They are derived
symbolically once; evaluating them at a real k (a float, an mpf, an exact Fraction, an Arb
ball, a truncated series) is Horner's rule on their exact coefficients in the number system
at hand, so that an Arb enclosure stays rigorous and an integer k gives an exact integer.

>>> import sympy
>>> k = sympy.Symbol("k")
>>> rational_coefficients((k - 1) * (k - 4) / 2, k)
(Fraction(1, 2), Fraction(-5, 2), Fraction(2, 1))
>>> polyval((k - 1) * (k - 4) / 2, k, 12), polyval((k - 1) * (k - 4) / 2, k, Fraction(15, 2))
(Fraction(44, 1), Fraction(91, 8))
"""
from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

import sympy

__all__ = ["rational_coefficients", "polyval"]


@lru_cache(maxsize=None)
def rational_coefficients(expr, x):
    """The coefficients of a polynomial in ``x`` with rational coefficients.

    Parameters
    ----------
    expr : sympy.Expr
    x : sympy.Symbol

    Returns
    -------
    tuple of Fraction
        Highest degree first (``sympy.Poly.all_coeffs``).

    Examples
    --------
    >>> import sympy
    >>> rational_coefficients(sympy.Symbol("k") / 2 - 3, sympy.Symbol("k"))
    (Fraction(1, 2), Fraction(-3, 1))
    """
    P = sympy.Poly(sympy.expand(expr), x)
    return tuple(Fraction(int(c.p), int(c.q)) for c in P.all_coeffs())


def polyval(expr, x, value, system=None):
    """The polynomial ``expr`` in ``x`` at ``value`` by Horner's rule.

    Parameters
    ----------
    expr : sympy.Expr
        A polynomial in ``x`` with rational coefficients.
    x : sympy.Symbol
    value : number
        Where to evaluate: in the number system ``system`` (its ``convert`` turns the
        coefficients into its scalars), or, without one, with exact Fractions.
    system : NumberSystem, optional

    Returns
    -------
    number
        A Fraction without ``system``, else a scalar of the system.

    Examples
    --------
    >>> import sympy
    >>> k = sympy.Symbol("k")
    >>> polyval(k**2 - 1, k, Fraction(1, 2))
    Fraction(-3, 4)
    """
    conv = Fraction if system is None else system.convert
    out = None
    for c in rational_coefficients(expr, x):
        cc = conv(c)
        out = cc if out is None else out * value + cc
    return out
