r"""Exact linear algebra over a field whose elements have exact zero tests.

The series lifting (:mod:`symcrit.series`) solves, at every order, a linear system with the
leading Jacobian :math:`J_0` over :math:`\mathbb{Q}(\pi)` or :math:`\mathbb{Q}(\pi)(\sqrt
s)`; neither python-flint nor sympy's matrices hold those elements, so the inverse is
computed here once, by Gauss–Jordan elimination with exact pivots.

>>> from fractions import Fraction as F
>>> exact_inverse([[F(2), F(1)], [F(1), F(1)]])
[[Fraction(1, 1), Fraction(-1, 1)], [Fraction(-1, 1), Fraction(2, 1)]]
"""
from __future__ import annotations

__all__ = ["exact_inverse"]


def exact_inverse(M, is_zero=None):
    r"""The inverse of a square matrix over a field, by Gauss–Jordan elimination.

    Parameters
    ----------
    M : list of lists
        The rows; entries of one field (QPi, QPiSqrt, Fraction, ...).
    is_zero : callable, optional
        The zero test of the field (default ``x == 0``).

    Returns
    -------
    list of lists

    Raises
    ------
    ZeroDivisionError
        M is singular.

    Examples
    --------
    >>> from symcrit.algebra import QQ_PI
    >>> pi = QQ_PI.pi
    >>> exact_inverse([[pi, QQ_PI.one], [QQ_PI.zero, 1 / pi]])
    [[1/pi, -1], [0, pi]]
    >>> exact_inverse([[pi, pi], [QQ_PI.one, QQ_PI.one]])
    Traceback (most recent call last):
        ...
    ZeroDivisionError: singular matrix
    """
    is_zero = is_zero or (lambda x: x == 0)
    n = len(M)
    A = [list(row) + [1 if i == j else 0 for j in range(n)] for i, row in enumerate(M)]
    for c in range(n):
        piv = next((r for r in range(c, n) if not is_zero(A[r][c])), None)
        if piv is None:
            raise ZeroDivisionError("singular matrix")
        A[c], A[piv] = A[piv], A[c]
        inv = 1 / A[c][c]
        A[c] = [x * inv for x in A[c]]
        for r in range(n):
            if r != c and not is_zero(A[r][c]):
                f = A[r][c]
                A[r] = [x - f * y for x, y in zip(A[r], A[c])]
    return [row[n:] for row in A]
