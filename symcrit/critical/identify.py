r"""Which family is a given point?  Matching a matrix W with the catalogue up to the symmetry
group :math:`S_k\times S_d` (row and column permutations).

>>> import numpy as np
>>> from symcrit.critical import get_family
>>> W = np.asarray(get_family("type-A").point(8, dps=20).W("float"), dtype=float)
>>> rng = np.random.default_rng(0)
>>> P, Q = rng.permutation(8), rng.permutation(8)
>>> identify(W[P][:, Q])[0]
'type-A'
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from ..core import ConvergenceError, InputError
from .families import list_families

if TYPE_CHECKING:
    from .families import Family

__all__ = ["identify", "permutation_distance"]


def identify(W: Any, tol: float = 1e-6, families: Iterable[Family] | None = None,
             dps: int = 20) -> tuple[str | None, float]:
    """Which catalogue family is the point W (k × k, float)?  Returns ``(name, error)``
    for the family whose point at the same k equals W after a permutation of rows and
    columns (within ``tol`` in the max norm), or ``(None, best_error)``."""
    W = np.asarray(W, dtype=float)
    k, d = W.shape
    if k != d:
        raise InputError("identify() needs k = d (the catalogue is for the identity teacher)")
    best: tuple[str | None, float] = (None, np.inf)
    for fam in (families or list_families()):
        try:
            Wf = np.asarray(fam.point(k, dps=dps, full_check=False).W("float"), dtype=float)
        except (InputError, ConvergenceError):
            continue
        if Wf.shape != W.shape:          # a family of wider students (n = k + m)
            continue
        err = permutation_distance(W, Wf)
        if err < best[1]:
            best = (fam.name, err)
    return best if best[1] <= tol else (None, best[1])


def permutation_distance(A, B, rounds=6):
    r"""An upper bound on :math:`\min_{\pi,\rho}\max|P_\pi A P_\rho^\top - B|` found by
    alternating optimal assignments of rows and columns (Hungarian algorithm,
    ``scipy.optimize.linear_sum_assignment``), started from sorted-column signatures."""
    from scipy.optimize import linear_sum_assignment     # (scipy loads slowly: on use)
    A, B = np.asarray(A, float), np.asarray(B, float)
    cost = np.abs(np.sort(A, axis=0)[:, :, None] - np.sort(B, axis=0)[:, None, :]).sum(0)
    _, cols = linear_sum_assignment(cost)           # column j of B <- column cols[j] of A
    rows = np.arange(A.shape[0])
    best = np.inf
    for _ in range(rounds):
        Ac = A[:, _inverse(cols)]
        rc = np.abs(Ac[:, None, :] - B[None, :, :]).sum(-1)
        _, rr = linear_sum_assignment(rc)          # row i of A -> row rr[i] of B
        rows = _inverse(rr)
        Ar = A[rows]
        cc = np.abs(Ar[:, :, None] - B[:, None, :]).sum(0)
        _, cols = linear_sum_assignment(cc)
        err = np.max(np.abs(A[np.ix_(rows, _inverse(cols))] - B))
        best = min(best, err)
    return float(best)


def _inverse(p):
    inv = np.empty_like(p)
    inv[p] = np.arange(len(p))
    return inv
