r"""What is a point of a wider student?  An embedding of a narrow critical point or a point
of a wider family.

A neuron split keeps the direction of the split row (the rows :math:`\lambda w` and
:math:`(1-\lambda) w` are positive multiples of each other) and a zero neuron is a zero row.
So a matrix W (n × k) is *reduced* by deleting its zero rows and merging every class of
positively parallel rows into their sum; the function of the network, and criticality,
are unchanged (positive homogeneity).  If the reduced matrix has fewer rows, W is an
embedding, and the reduced matrix is identified with the narrow catalogue
(:func:`symcrit.critical.identify`, up to row and column permutations); otherwise W is
compared with the wider families of the same width (Arjevani & Field 2022, "Annihilation of
spurious minima in two-layer ReLU networks", NeurIPS, arXiv:2210.06088).

>>> from symcrit.wider import split_neuron
>>> W = np.asarray(split_neuron("type-A", k=7, J=3, lam="1/3").W(), float)
>>> identify_wide(W[::-1])[0]
'split of type-A'
"""
from __future__ import annotations

import numpy as np

from ..critical import identify, list_families, permutation_distance

__all__ = ["reduce_rows", "identify_wide"]


def reduce_rows(W, tol=1e-6):
    """Delete the zero rows of W and merge each class of positively parallel rows into
    their sum.  Returns ``(reduced, splits, zeros)``: the reduced matrix, the number of
    rows merged away and the number of zero rows.

    >>> reduce_rows([[1, 0], [0.5, 0], [0, 0], [0, 2]])[1:]
    (1, 1)
    """
    W = np.asarray(W, float)
    scale = max(1.0, float(np.abs(W).max()))
    norms = np.linalg.norm(W, axis=1)
    keep = [i for i in range(len(W)) if norms[i] > tol * scale]
    zeros = len(W) - len(keep)
    groups = []
    for i in keep:
        u = W[i] / norms[i]
        for g in groups:
            v = W[g[0]] / norms[g[0]]
            if np.abs(u - v).max() < tol:
                g.append(i)
                break
        else:
            groups.append([i])
    red = np.array([W[g].sum(axis=0) for g in groups]) if groups else np.zeros((0, W.shape[1]))
    return red, len(keep) - len(groups), zeros


def identify_wide(W, tol=1e-6, dps=20):
    """Name a critical point W (n × k) of a wider student.

    Returns
    -------
    (name, error)
        ``"split of F"``, ``"zero neuron of F"`` (or ``"split + zero neuron of F"``) for
        an embedding of the narrow family F, the wider family's name, or ``(None, best error)``.
    """
    W = np.asarray(W, float)
    n, d = W.shape
    red, splits, zeros = reduce_rows(W, tol)
    if splits or zeros:
        if red.shape[0] != d:
            return None, np.inf
        name, err = identify(red, tol=tol, dps=dps)
        if name is None:
            return None, err
        what = ([f"split{'s' if splits > 1 else ''}"] if splits else []) + \
            ([f"zero neuron{'s' if zeros > 1 else ''}"] if zeros else [])
        return f"{' + '.join(what)} of {name}", err
    best = (None, np.inf)
    for fam in list_families():
        if fam.n_extra != n - d or d < fam.k_min:
            continue
        try:
            Wf = np.asarray(fam.point(d, dps=dps, full_check=False).W("float"), float)
        except Exception:             # a family not followed to this k
            continue
        err = permutation_distance(W, Wf)
        if err < best[1]:
            best = (fam.name, err)
    return best if best[1] <= tol else (None, best[1])
