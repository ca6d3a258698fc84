r"""Eigenvalues of a symmetric pencil, proven: Sylvester inertia counts and the enclosures
built from them.

The pencils are the isotypic Hessian blocks (A, B) of :mod:`symcrit.spectra`, A symmetric
and B ≻ 0, given as Arb enclosures; every statement holds for *every* symmetric pair of
matrices in the enclosures (Rump 2010, "Verification methods: rigorous results using
floating-point arithmetic", Acta Numerica 19, doi:10.1017/S096249291000005X).

**Counting.**  For a nonsingular V, Sylvester's law of inertia gives

.. math::

    \#\{\lambda_i(A, B) < \sigma\} = \#\{\text{negative pivots of }
    V^\top (A - \sigma B) V = L D L^\top\},

once :math:`V^\top B V \succ 0` is proven (so B ≻ 0 and V is nonsingular).  The pivots are
computed in Arb without pivoting, from the lower triangle only (so every symmetric matrix of
the enclosure is covered); when every pivot has a decided sign the count is proven
(:func:`inertia_below`).  V is a floating approximate B-orthonormal eigenbasis
(:func:`symcrit.core.generalized_eigh`, float64 and then mpmath at the working precision),
which makes :math:`V^\top(A - \sigma B)V` nearly diagonal and the pivots well separated
from 0.

**Enclosing.**  Around each cluster of approximate eigenvalues a Gershgorin radius of
:math:`V^\top(A - \lambda B)V` gives shifts :math:`\sigma_- < \lambda < \sigma_+`; the two
counts at :math:`\sigma_\pm` prove that exactly the cluster's eigenvalues lie in
:math:`[\sigma_-, \sigma_+]` (:func:`pencil_eigen_enclosures`).

>>> A = arb_mat([[2, 1], [1, 2]]); B = arb_mat([[1, 0], [0, 1]])  # eigenvalues 1, 3
>>> [count_below(A, B, arb(s)) for s in (0, 2, 4)]
[0, 1, 2]
"""
from __future__ import annotations

import numpy as np
from flint import arb, arb_mat, ctx

from ..core import ARB, InputError, generalized_eigh
from .balls import arb_matrix

__all__ = ["inertia_below", "negative_pivots", "eigenbasis", "count_below",
           "pencil_eigen_enclosures"]

_EIGEN_FAILS = (np.linalg.LinAlgError, ValueError, ZeroDivisionError, InputError)


def inertia_below(A, B, sigma, V=None):
    r"""The number of generalised eigenvalues of (A, B) below σ, for every symmetric pair
    in the enclosures, or None when it cannot be decided.

    Parameters
    ----------
    A, B : arb_mat
        Symmetric enclosures, B ≻ 0.
    sigma : arb
        The shift.
    V : arb_mat, optional
        A nonsingular congruence (an approximate eigenbasis); the count is that of
        :math:`V^\top (A - \sigma B) V`.

    Returns
    -------
    int or None
        The number of negative pivots of :math:`LDL^\top`; None when a pivot contains 0
        (σ too close to an eigenvalue, or enclosures too wide).

    Examples
    --------
    >>> A = arb_mat([[2, 1], [1, 2]]); B = arb_mat([[1, 0], [0, 1]])  # eigenvalues 1, 3
    >>> [inertia_below(A, B, arb(s)) for s in (0, 2.5, 4)]
    [0, 1, 2]
    >>> inertia_below(A, B, arb(1)) is None                          # σ is an eigenvalue
    True
    """
    M = A - B * sigma
    if V is not None:
        M = V.transpose() * M * V
    return negative_pivots(M)


def negative_pivots(M):
    r"""The number of negative pivots of the :math:`LDL^\top` factorisation of the
    symmetric Arb matrix M (lower triangle, no pivoting).

    Parameters
    ----------
    M : arb_mat
        Symmetric (only the lower triangle is read).

    Returns
    -------
    int or None
        None when a pivot's sign is not decided.

    Examples
    --------
    >>> negative_pivots(arb_mat([[1, 2], [2, 1]]))                   # eigenvalues −1, 3
    1
    """
    n = M.nrows()
    L = [[None] * n for _ in range(n)]
    Dv = [None] * n
    neg = 0
    for j in range(n):
        s = M[j, j]
        for p in range(j):
            s = s - L[j][p] * L[j][p] * Dv[p]
        if s.contains(0):
            return None
        Dv[j] = s
        if s < 0:
            neg += 1
        for i in range(j + 1, n):
            t = M[i, j]
            for p in range(j):
                t = t - L[i][p] * L[j][p] * Dv[p]
            L[i][j] = t / s
    return neg


def eigenbasis(A, B, high=False):
    """Approximate generalised eigenvalues (ascending) and a B-orthonormal eigenbasis V of
    the midpoint pencil, by :func:`symcrit.core.generalized_eigh`: float64 (Jacobi-scaled),
    or mpmath at the current precision when ``high``.

    Returns
    -------
    lam : list of float or mpf
    V : arb_mat
        Exact balls (radius 0) of the floating basis.

    Raises
    ------
    InputError, numpy.linalg.LinAlgError
        The midpoint of B is not positive definite.

    Examples
    --------
    >>> lam, V = eigenbasis(arb_mat([[2, 0], [0, 6]]), arb_mat([[1, 0], [0, 2]]))
    >>> [round(x, 12) for x in lam]
    [2.0, 3.0]
    """
    m = A.nrows()
    lam, V = generalized_eigh(A, B, "mpmath" if high else "float", vectors=True)
    if not high:
        return [float(x) for x in lam], arb_mat([[float(V[i, j]) for j in range(m)]
                                                 for i in range(m)])
    return lam, arb_mat([[ARB.convert(+V[i, j]) for j in range(m)] for i in range(m)])


def count_below(A, B, sigma):
    r"""The number of generalised eigenvalues of (A, B) below σ, proven for every
    symmetric pair in the enclosures.

    :func:`inertia_below` in a floating B-orthonormal eigenbasis V (float64, then mpmath),
    once :math:`V^\top B V \succ 0` is proven.

    Parameters
    ----------
    A, B : arb_mat
    sigma : arb

    Returns
    -------
    int or None
        None when no basis decides the count.

    Examples
    --------
    >>> A = arb_mat([[2, 1], [1, 2]]); B = arb_mat([[1, 0], [0, 1]])
    >>> count_below(A, B, arb("2.9")), count_below(A, B, arb("3.1"))
    (1, 2)
    """
    for high in (False, True):
        try:
            _, V = eigenbasis(A, B, high)
        except _EIGEN_FAILS:
            continue
        if negative_pivots(V.transpose() * B * V) != 0:      # B ≻ 0, V nonsingular
            continue
        n = inertia_below(A, B, sigma, V)
        if n is not None:
            return n
    return None


def pencil_eigen_enclosures(A, B):
    r"""Certified enclosures of the generalised eigenvalues of the symmetric pencil (A, B),
    B ≻ 0, valid for every symmetric pair of matrices in the Arb enclosures A, B.

    For each cluster of approximate eigenvalues :math:`\lambda_i` (floating, then mpmath at
    the working precision if the float basis does not separate them), shifts
    :math:`\sigma_\pm = \lambda \pm \eta` with η from the Gershgorin radii of
    :math:`V^\top(A - \lambda B)V` are placed around it (widened ×100 and ×10⁴ if
    needed) and the inertia counts :func:`inertia_below` at :math:`\sigma_\pm` are checked
    to be the expected ones.

    Parameters
    ----------
    A, B : arb_mat or nested lists
        Symmetric enclosures, B ≻ 0.

    Returns
    -------
    enclosures : list
        One entry per eigenvalue in ascending order: an ``(lo, hi)`` pair of balls, or
        None where a cluster could not be separated; eigenvalues of one cluster share its
        enclosure.
    n_below_zero : int or None
        The certified number of negative eigenvalues (None when undecided).

    Examples
    --------
    >>> A = arb_mat([[2, 1], [1, 2]]); B = arb_mat([[2, 0], [0, 2]])
    >>> enc, neg = pencil_eigen_enclosures(A, B)
    >>> [(float(lo), float(hi)) for lo, hi in enc]                   # doctest: +ELLIPSIS
    [(0.49999999999..., 0.50000000000...), (1.49999999999..., 1.50000000000...)]
    >>> neg
    0
    """
    A, B = arb_matrix(A), arb_matrix(B)
    best = None
    for high in (False, True):
        res = _enclose(A, B, high)
        if res is None:
            continue
        best = res
        if all(e is not None for e in res[0]) and res[1] is not None:
            break
    if best is None:
        return [None] * A.nrows(), None
    return best


def _enclose(A, B, high):
    m = A.nrows()
    try:
        lam, V = eigenbasis(A, B, high)
    except _EIGEN_FAILS:
        return None
    Ah = V.transpose() * A * V
    Bh = V.transpose() * B * V
    if negative_pivots(Bh) != 0:         # B ≻ 0 (and V nonsingular) not proven
        return None
    lam_arb = [arb(x) if isinstance(x, float) else ARB.convert(+x) for x in lam]
    scale = max([abs(float(Ah[i, i].mid())) for i in range(m)] + [1e-300])
    tiny = arb(scale) * arb(10) ** (-(ctx.dps - 2))
    # Gershgorin radius of row i of V^T(A - λ_i B)V, normalised by the diagonal of B̂
    eta = []
    for i in range(m):
        C = [Ah[i, j] - lam_arb[i] * Bh[i, j] for j in range(m)]
        rsum = abs(C[i])
        for j in range(m):
            if j != i:
                rsum += abs(C[j])
        eta.append(2 * rsum.upper() / Bh[i, i].lower() + tiny)
    # clusters of approximate eigenvalues whose intervals overlap
    enc = [None] * m
    i = 0
    clusters = []
    while i < m:
        j = i
        lo = lam_arb[i] - eta[i]
        hi = lam_arb[i] + eta[i]
        while j + 1 < m and bool((lam_arb[j + 1] - eta[j + 1]).lower() <= hi.upper()):
            j += 1
            hi = lam_arb[j] + eta[j]
            nxt = lam_arb[j] - eta[j]
            lo = lo if bool(lo.lower() <= nxt.lower()) else nxt
        clusters.append((i, j, lo.lower(), hi.upper()))
        i = j + 1
    for (i, j, lo, hi) in clusters:
        for grow in (1, 100, 10 ** 4):
            if grow > 1:
                w = (hi - lo) * (grow - 1) / 2 + tiny * grow
                lo2, hi2 = (lo - w).lower(), (hi + w).upper()
            else:
                lo2, hi2 = lo, hi
            nlo = inertia_below(Ah, Bh, lo2)
            nhi = inertia_below(Ah, Bh, hi2)
            if nlo == i and nhi == j + 1:
                for p in range(i, j + 1):
                    enc[p] = (lo2, hi2)
                break
    neg = inertia_below(Ah, Bh, arb(0))
    return enc, neg
