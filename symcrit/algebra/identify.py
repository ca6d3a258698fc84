r"""Closed forms in :math:`\mathbb{Q}(\pi)` recognised by integer-relation search, with a
height bound and a confirmation at higher precision.

An integer relation :math:`r_1 v_1 + \dots + r_n v_n = 0` among n real numbers known to D
digits, with :math:`\max|r_i| \le H`, always exists once :math:`H^n \gtrsim 10^{D}` (a
pigeonhole count), so a relation found by PSLQ (Ferguson, Bailey & Arno 1999, "Analysis of
PSLQ, an integer relation finding algorithm", Math. Comp. 68) means something only when
:math:`n\log_{10}H` is well below D.  Here the height searched is limited to
:math:`n\log_{10}H \le D/2`, and every candidate is then **confirmed** against the same
number computed independently at a higher precision (a spurious relation at D digits fails
at 2D).  A confirmed candidate is still only a candidate: the caller labels it
*identified*, never *derived*.

A candidate is a quotient :math:`x = N(\pi)/M(\pi)`: the vector searched is
:math:`(x\pi^{j})_{j \in J} \cup (\pi^{i})_{i \in I}` for small sets of powers
(:data:`BASES`, tried from the smallest: :math:`x \in \mathbb{Q}`, then
:math:`\mathbb{Q} + \mathbb{Q}\pi^{-1}`, … up to denominators of degree 1 in π).  A
number is called zero only when it is zero to its full accuracy at both precisions.

>>> import mpmath
>>> with mpmath.workdps(60):
...     x_hi = 32 / mpmath.pi ** 3
...     x_lo = x_hi + mpmath.mpf(10) ** -30     # the same number, known to 30 digits
...     closed_form(x_lo, 29, x_hi, 55)
32/pi**3
>>> with mpmath.workdps(60):                    # a 'relation' that does not survive
...     y = mpmath.mpf("1.0320491020000000000000000001")
...     print(closed_form(y, 29, y + mpmath.mpf(10) ** -35, 55))
None
>>> with mpmath.workdps(60):                    # a denominator other than a power of π
...     find_relation((2 * mpmath.pi + 8 - 24 / mpmath.pi + 32 / mpmath.pi ** 2) /
...                   (mpmath.pi + 2), 55)
(2*pi**3 + 8*pi**2 - 24*pi + 32)/(pi**2*(pi + 2))
"""
from __future__ import annotations

import mpmath
from flint import fmpz_poly

from .qpi import QPi

__all__ = ["closed_form", "find_relation", "BASES"]

#: the bases of the integer-relation search: (powers of π multiplying x, powers of π
#: alone), tried in this order
BASES = [((0,), (0,)), ((0,), (0, -1)), ((0,), (0, -1, -2)), ((0,), (0, -1, -2, -3)),
         ((0,), (1, 0, -1, -2)), ((0, 1), (1, 0, -1, -2)), ((0,), (2, 1, 0, -1, -2, -3)),
         ((0, 1), (2, 1, 0, -1, -2, -3))]


def _laurent(powers, coeffs):
    """Σ coeffs[i] π^powers[i] as (fmpz_poly, power of π dividing it)."""
    lo = min(min(powers), 0)
    num = [0] * (max(max(powers), 0) - lo + 1)
    for p, c in zip(powers, coeffs):
        num[p - lo] += c
    return fmpz_poly(num), -lo


def _relations(x, digits, bases):
    """Candidates N(π)/M(π) for x, one per basis in which PSLQ finds a relation within the
    height bound n log10(H) <= digits / 2."""
    tol = mpmath.mpf(10) ** (-digits) * max(mpmath.mpf(1), abs(x))
    with mpmath.workdps(max(digits, 15) + 10):
        x = +x
        for den, num in bases:
            n = len(den) + len(num)
            H = int(10 ** (digits / (2 * n)))
            if H < 8:
                return
            vec = [x * mpmath.pi ** j for j in den] + [mpmath.pi ** i for i in num]
            try:
                rel = mpmath.pslq(vec, tol=tol * 10 ** len(den), maxcoeff=H, maxsteps=20000)
            except (ValueError, ZeroDivisionError):     # pragma: no cover
                rel = None
            if not rel or max(abs(c) for c in rel) > H or not any(rel[:len(den)]):
                continue
            M, eM = _laurent(den, rel[:len(den)])
            Nn, eN = _laurent(num, [-c for c in rel[len(den):]])
            # x = (Nn / π^eN) / (M / π^eM)
            e = eM - eN
            pe = fmpz_poly([0] * abs(e) + [1])
            yield QPi(Nn * pe, M) if e >= 0 else QPi(Nn, M * pe)


def find_relation(x, digits, bases=BASES):
    r"""The first candidate in :math:`\mathbb{Q}(\pi)` for x within the height bound,
    unconfirmed: for a value that the caller then proves exactly (e.g. a leading
    coefficient that must solve the leading-order equations exactly).

    Parameters
    ----------
    x : mpmath.mpf
    digits : int
        Significant digits to which x is known.
    bases : list, optional
        The sets of powers of π tried (:data:`BASES`).

    Returns
    -------
    QPi or None

    Examples
    --------
    >>> with mpmath.workdps(50):
    ...     find_relation(4 / mpmath.pi + 2, 45)
    2 + 4/pi
    """
    if abs(x) <= mpmath.mpf(10) ** (-digits):
        return QPi.ZERO
    return next(_relations(x, min(digits, 60), bases), None)


def closed_form(x, digits, x_hi, digits_hi, bases=BASES):
    r"""A confirmed closed form of x in :math:`\mathbb{Q}(\pi)`, or None.

    An element equal to x to ``digits`` significant digits (relative to ``max(1, |x|)``),
    found by PSLQ within the height bound :math:`n\log_{10}H \le` ``digits``/2, and equal
    to ``x_hi`` (the same quantity computed at a higher precision) to ``digits_hi`` digits.
    Zero is returned when ``|x|`` and ``|x_hi|`` are below their accuracies.

    Parameters
    ----------
    x : mpmath.mpf
    digits : int
    x_hi : mpmath.mpf
    digits_hi : int
    bases : list, optional

    Returns
    -------
    QPi or None
        A candidate (the caller labels it *identified*, never *derived*).

    Examples
    --------
    See the module docstring.
    """
    tol = mpmath.mpf(10) ** (-digits) * max(mpmath.mpf(1), abs(x))
    tol_hi = mpmath.mpf(10) ** (-digits_hi) * max(mpmath.mpf(1), abs(x_hi))
    if abs(x) <= tol:
        return QPi.ZERO if abs(x_hi) <= tol_hi else None
    # the search needs only the digits its height bound can use (at most 40: heights up
    # to 10^(20/n)); the confirmation uses all of x_hi
    for cand in _relations(x, min(digits, 40), bases):
        with mpmath.workdps(digits_hi + 10):
            if abs(cand.mpf() - x_hi) <= tol_hi:
                return cand
    return None
