r"""Exact linear algebra over :math:`\mathbb{Q}` for the finite-data analysis.

Everything the exact mode of :mod:`symcrit.finite` decides — kink sets, the rays of the
cone arrangement a kink set cuts out, the least-squares problems that snap a plateau of
gradient descent to its stationary point — comes down to a few operations on small
rational matrices: rank, null space, a basis of the row space, the minimum-norm solution of
a consistent system and the least-squares solution nearest to a given point.  They are
written here once, on python-flint's ``fmpq_mat`` (reduced row echelon form and square
solves in exact arithmetic), with :class:`fractions.Fraction` at the boundary.

Matrices are lists of rows; vectors are lists.  No tolerance appears anywhere.

>>> nullspace([[1, 1, 0]], 3)
[[Fraction(-1, 1), Fraction(1, 1), Fraction(0, 1)], [Fraction(0, 1), Fraction(0, 1), Fraction(1, 1)]]
>>> least_squares([[1], [1]], [0, 1])            # the mean
[Fraction(1, 2)]

Reference: Wu, Şimşek, Ged, "Loss landscape of shallow ReLU-like neural networks:
stationary points, saddle escape, and network embedding", ICLR 2025, arXiv:2402.05626.
"""
from __future__ import annotations

from fractions import Fraction

import flint

from ..core import InputError

__all__ = ["to_fraction", "fraction_matrix", "rank", "rref", "nullspace", "row_basis",
           "min_norm_solution", "least_squares", "matvec", "dot", "transpose"]


def to_fraction(x):
    """An exact rational from an int, a Fraction, an ``fmpq``, a float (its exact binary
    value) or ``"p/q"``/decimal text.

    >>> to_fraction("0.1"), to_fraction(0.5), to_fraction(flint.fmpq(2, 6))
    (Fraction(1, 10), Fraction(1, 2), Fraction(1, 3))
    """
    if isinstance(x, Fraction):
        return x
    if isinstance(x, flint.fmpq):
        return Fraction(int(x.p), int(x.q))
    if isinstance(x, bool):
        raise InputError(f"not a number: {x!r}")
    if isinstance(x, int):
        return Fraction(x)
    try:
        return Fraction(x)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        raise InputError(f"not a rational number: {x!r}") from None


def fraction_matrix(rows):
    """A list of rows of Fractions (checked rectangular)."""
    out = [[to_fraction(v) for v in r] for r in rows]
    if out and any(len(r) != len(out[0]) for r in out):
        raise InputError("rows of different lengths")
    return out


def _fmpq_mat(rows, ncols):
    flat = [flint.fmpq(v.numerator, v.denominator) for r in rows for v in r]
    return flint.fmpq_mat(len(rows), ncols, flat)


def _rows(M):
    return [[to_fraction(M[i, j]) for j in range(M.ncols())] for i in range(M.nrows())]


def transpose(A):
    """The transpose of a list of rows."""
    return [list(c) for c in zip(*A)]


def dot(u, v):
    """Exact inner product."""
    return sum((a * b for a, b in zip(u, v)), Fraction(0))


def matvec(A, v):
    """A v for a list of rows A."""
    return [dot(r, v) for r in A]


def rref(A, ncols=None):
    """Reduced row echelon form of A: (nonzero rows, pivot columns).

    >>> rref([[2, 4], [1, 2]])
    ([[Fraction(1, 1), Fraction(2, 1)]], [0])
    """
    A = fraction_matrix(A)
    n = ncols if ncols is not None else (len(A[0]) if A else 0)
    if not A or n == 0:
        return [], []
    R, r = _fmpq_mat(A, n).rref()
    rows = _rows(R)[:int(r)]
    pivots = [next(j for j, v in enumerate(row) if v != 0) for row in rows]
    return rows, pivots


def rank(A, ncols=None):
    """The rank of A (exact)."""
    return len(rref(A, ncols)[1])


def nullspace(A, ncols):
    """A basis of {u : A u = 0} (list of vectors of length ``ncols``), from the reduced row
    echelon form: one vector per free column."""
    rows, piv = rref(A, ncols) if A else ([], [])
    free = [j for j in range(ncols) if j not in piv]
    basis = []
    for f in free:
        u = [Fraction(0)] * ncols
        u[f] = Fraction(1)
        for row, p in zip(rows, piv):
            u[p] = -row[f]
        basis.append(u)
    return basis


def row_basis(A):
    """Indices of a maximal set of linearly independent rows of A (greedy, in order)."""
    keep = []
    for i in range(len(A)):
        if rank([A[j] for j in keep + [i]]) == len(keep) + 1:
            keep.append(i)
    return keep


def min_norm_solution(A, b):
    """The solution of the consistent system A x = b of least Euclidean norm, exactly:
    x = A_Iᵀ (A_I A_Iᵀ)⁻¹ b_I over a maximal independent set I of rows.

    Raises
    ------
    InputError
        The system has no solution.

    >>> min_norm_solution([[1, 1]], [2])
    [Fraction(1, 1), Fraction(1, 1)]
    """
    A = fraction_matrix(A)
    b = [to_fraction(v) for v in b]
    n = len(A[0]) if A else 0
    if not A:
        return []
    idx = _independent_rows(A, n)
    if not idx:
        if any(v != 0 for v in b):
            raise InputError("inconsistent linear system")
        return [Fraction(0)] * n
    AI = [A[i] for i in idx]
    G = [[dot(r, s) for s in AI] for r in AI]
    z = _fmpq_mat(G, len(AI)).solve(_fmpq_mat([[b[i]] for i in idx], 1))
    zz = [to_fraction(z[i, 0]) for i in range(len(AI))]
    x = [sum((AI[k][j] * zz[k] for k in range(len(AI))), Fraction(0)) for j in range(n)]
    if matvec(A, x) != b:
        raise InputError("inconsistent linear system")
    return x


def _independent_rows(A, n):
    """Independent rows of A via the row echelon form of Aᵀ (pivot columns of Aᵀ)."""
    if not A:
        return []
    _, piv = rref(transpose(A), len(A))
    return piv


def least_squares(A, y, near=None):
    """The least-squares solution of A x ≈ y nearest to ``near`` (default: the one of least
    norm), exactly.  All least-squares solutions form x₀ + ker A; the one nearest to p is
    p + δ with δ the minimum-norm solution of AᵀA δ = Aᵀ(y − A p).

    Parameters
    ----------
    A : list of rows (N × k), y : list (N), near : list (k), optional

    Returns
    -------
    list of Fraction

    >>> least_squares([[1, 1], [1, 1]], [1, 3], near=[5, 0])
    [Fraction(7, 2), Fraction(-3, 2)]
    """
    A = fraction_matrix(A)
    k = len(A[0]) if A else 0
    p = [to_fraction(v) for v in near] if near is not None else [Fraction(0)] * k
    res = [to_fraction(yy) - v for yy, v in zip(y, matvec(A, p))]
    At = transpose(A)
    G = [[dot(r, s) for s in At] for r in At]
    rhs = matvec(At, res)
    delta = min_norm_solution(G, rhs)
    return [a + b for a, b in zip(p, delta)]
