r"""Arb balls for certificates: the ball of k, outward-rounded bound texts, and the few
conversions between Arb matrices, columns and their floating midpoints.

Everything about k that is not Arb-specific (parsing, exact text, guard digits) lives in
:mod:`symcrit.core.numbers`; this module only turns k into a ball and balls into text.

**The ball of k.**  k is kept as an exact rational :math:`q` (:func:`symcrit.core.exact_k`)
and read into an Arb ball :math:`[k]` with :math:`q \in [k]`: the point :math:`q` itself for
an integer or a dyadic decimal such as 7.5, otherwise a ball of radius about
:math:`10^{-\mathrm{dps}}` around 7.3 = 73/10.  Every enclosure computed with :math:`[k]`
holds for every real k in it (inclusion isotonicity of ball arithmetic: Johansson 2017,
"Arb: efficient arbitrary-precision midpoint-radius interval arithmetic", IEEE Trans.
Comput. 66, arXiv:1611.02831), in particular for the k that was written.

**Bound texts.**  A certificate file states bounds as decimal strings.  A lower bound is
rounded *down* (towards −∞) and an upper bound *up*, each checked in ball arithmetic, so
that the text is itself a rigorous bound (:func:`bound_text`).

>>> from flint import fmpq
>>> from symcrit.core import workdps
>>> with workdps(40):
...     kb = k_ball("7.3")
...     kb.contains(fmpq(73, 10)), bool(kb.rad() < arb("1e-38"))
(True, True)
>>> bound_text(arb(1) / 3, 6, -1), bound_text(arb(1) / 3, 6, +1)
('0.333333', '0.333336')
"""
from __future__ import annotations

import numpy as np
from flint import arb, arb_mat

from ..core import ARB, exact_k

__all__ = ["k_ball", "block_k", "bound_text", "arb_matrix", "arb_column", "mid_inverse"]


def k_ball(k):
    r"""The Arb ball of k at the current precision.

    Parameters
    ----------
    k : int, Fraction, str, float or mpf
        Read exactly by :func:`symcrit.core.exact_k` (``"7.3"`` is 73/10).

    Returns
    -------
    arb
        The point k (radius 0) for integers and dyadic rationals; otherwise a ball, about
        :math:`10^{-\mathrm{dps}}` wide, that contains k.

    Raises
    ------
    InputError
        k is not a number in (0, 10^300].

    Examples
    --------
    >>> from flint import fmpq
    >>> k_ball(12), k_ball("7.5")
    (12.0000000000000, 7.50000000000000)
    >>> k_ball("1/3").contains(fmpq(1, 3))
    True
    """
    q = exact_k(k)
    if q.denominator == 1:
        return arb(q.numerator)
    return ARB.convert(q)


def block_k(k):
    """k as the isotypic-block code wants it: a Python int for integral k (integer
    multiplicities, the dense layout at small k), otherwise :func:`k_ball`.

    Examples
    --------
    >>> block_k("12"), block_k("7.5")
    (12, 7.50000000000000)
    """
    q = exact_k(k)
    return int(q) if q.denominator == 1 else k_ball(q)


def bound_text(x, digits, direction):
    r"""A decimal string that is a rigorous lower (``direction`` −1) or upper (+1) bound of
    the ball (or number) ``x``, with about ``digits`` significant digits.

    The end of the ball is printed to ``digits`` digits and, while the decimal is not
    certainly on the right side of it, moved outward by :math:`|s|\,10^{1-\mathrm{digits}}`
    (a few units in its last place) and printed again.

    Parameters
    ----------
    x : arb or number
    digits : int
    direction : {-1, +1}

    Returns
    -------
    str

    Examples
    --------
    >>> bound_text(arb("-0.25", "1e-9"), 4, -1)      # -0.2500 is not below -0.250000001
    '-0.2503'
    >>> bound_text(arb(2) / 3, 3, +1), bound_text(arb(2) / 3, 3, -1)
    ('0.667', '0.660')
    """
    if isinstance(x, arb):
        e = x.lower() if direction < 0 else x.upper()
    else:
        e = arb(x)
    s = e.mid().str(digits, radius=False)
    v = arb(s)
    # step outward until the decimal is certainly on the right side
    for _ in range(4):
        if (direction < 0 and bool(v <= e)) or (direction > 0 and bool(v >= e)):
            return s
        ulp = abs(arb(s)) * arb(10) ** (-(digits - 1)) + arb(10) ** (-300)
        v = (arb(s) - ulp) if direction < 0 else (arb(s) + ulp)
        s = (v.lower() if direction < 0 else v.upper()).mid().str(digits, radius=False)
        v = arb(s)
    return s     # pragma: no cover


def arb_matrix(M):
    """An :class:`flint.arb_mat` from an Arb matrix (returned as it is), or a nested list /
    object array of balls or numbers."""
    if isinstance(M, arb_mat):
        return M
    M = np.asarray(M, dtype=object)
    return arb_mat([[x if isinstance(x, arb) else arb(x) for x in row] for row in M])


def arb_column(v):
    """The balls ``v`` as a one-column :class:`flint.arb_mat`."""
    return arb_mat([[x] for x in v])


def mid_inverse(J):
    """A floating inverse of the midpoint of J, as an *exact* Arb matrix (radius 0), or
    None when the midpoint is singular.  Any matrix will do as the Krawczyk
    preconditioner Y; an exact one keeps :math:`Y F` and :math:`Y J(X)` tight.

    >>> mid_inverse(arb_mat([[2, 0], [0, 4]]))
    [0.500000000000000,                 0]
    [                0, 0.250000000000000]
    >>> mid_inverse(arb_mat([[1, 1], [1, 1]])) is None
    True
    """
    M = arb_matrix(J).mid()
    try:
        Y = M.inv()
    except (ZeroDivisionError, ValueError):
        return None
    return Y.mid()
