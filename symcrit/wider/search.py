r"""Minima of lesser symmetry in the wider problems: search, classification, identification.

Adding neurons turns the symmetric spurious minima into saddles (their splits have
negative curvature, :mod:`symcrit.wider.interlacing`), but the (k+1)-neuron problem has
spurious minima of its own, of lesser symmetry, which need more neurons before they go
(Arjevani & Field 2022, "Annihilation of spurious minima in two-layer ReLU networks",
NeurIPS, arXiv:2210.06088).  They are found here in the fixed spaces of the wider problem:
:math:`\Delta S_{k-1}` acting on the first k − 1 rows and columns with two distinct extra
rows (7 parameters), :math:`\Delta(S_{k-2}\times S_2)` with three, and so on: the search of
:func:`symcrit.critical.search` (every start driven by Newton's method, refined in mpmath)
finds the critical points; the Hessian by the blocks of the group classifies them; a strict
local minimum (every eigenvalue positive) with a positive loss is a genuine spurious
minimum of the wider problem and never an embedding (a split point has a zero eigenvalue
along its split line, a zero neuron is not a smooth point).  Points that differ by the
symmetry group (the two extra rows swapped, say) are merged.

The wider families of the catalogue (``wide-A``, ``wide-A2``, ``wide-A3``, ``wide-A4``,
``wide-A4b``, ``wide-A5``, ``wide-A5b``, ``wide-hidden-A``, ``wide-hidden-A2``) come from
this search at k = 10, 14 and 16 (``derivations/wider.py``); the searched spaces of the
(k+2)-neuron problem held no strict minimum at k = 10 and 14.

>>> found = search_wider("ΔS_{k-1}", 10, starts=120)
>>> [(m.isotropy, m.family) for m in found][:1]
[('ΔS_{k-1}; n=k+1', 'wide-A')]
"""
from __future__ import annotations

from dataclasses import dataclass, field

import mpmath
import numpy as np

from ..core import InputError, dec
from ..critical import list_families, permutation_distance, search
from ..restricted import restricted_loss
from ..spectra import spectrum
from ..symmetry import IsotropySpec, YoungIsotropy

__all__ = ["WideMinimum", "wider_spaces", "search_wider", "identify_wide_family"]


@dataclass
class WideMinimum:
    """A strict local minimum of a wider problem found by the search: its group, k, the
    parameters, loss, smallest Hessian eigenvalue, the number of roots found on it and the
    catalogue family it is (or None)."""
    isotropy: str
    k: int
    xi: list
    names: list
    loss: object
    min_eigenvalue: object
    samples: int
    family: str | None = None
    matrix: object = field(default=None, repr=False)

    def to_json(self, digits=20):
        return {"isotropy": self.isotropy, "k": str(self.k), "family": self.family,
                "parameters": {n: dec(x, digits) for n, x in zip(self.names, self.xi)},
                "loss": dec(self.loss, digits),
                "min_hessian_eigenvalue": dec(self.min_eigenvalue, 12),
                "kind": "minimum", "certainty": "refined"}


def wider_spaces(base, extra=1):
    """The fixed spaces of the (k + extra)-neuron problem searched for a narrow group: the
    narrow Δ-blocks with the extra rows distinct (and, for two, also equal).

    >>> [H.label for H in wider_spaces("ΔS_{k-1}", 2)]
    ['ΔS_{k-1}; n=k+2', 'ΔS_{k-1}×S_2^r; n=k+2']
    """
    H = base if isinstance(base, YoungIsotropy) else YoungIsotropy(base)
    if H.extra or H.spec.rows or H.spec.bare:
        raise InputError(f"the base group must be a Δ-group of the k-neuron problem, got "
                         f"{H.label}")
    out = [YoungIsotropy(IsotropySpec(H.spec.delta, (), (), H.extra + extra))]
    if extra >= 2:
        from sympy import Integer
        out.append(YoungIsotropy(IsotropySpec(H.spec.delta, (), (Integer(2),),
                                              H.extra + extra)))
    return out


def _same_point(a, b, k, tol=1e-7):
    """Whether two points of wider fixed spaces are the same up to the symmetry group (by
    their matrices at k, :func:`symcrit.critical.permutation_distance`)."""
    return a.shape == b.shape and permutation_distance(a, b) < tol


def identify_wide_family(isotropy, xi, k, tol=1e-7):
    """The catalogue family (wider ones included) whose point at k is the point ξ of
    Fix(isotropy), up to the symmetry group, or None."""
    F = restricted_loss(isotropy).fixed
    W = np.asarray(F.embed([float(x) for x in xi], int(k)), float)
    for fam in list_families():
        if fam.n_extra != F.H.extra or k < fam.k_min:
            continue
        try:
            Wf = np.asarray(fam.point(int(k), dps=20, full_check=False).W("float"), float)
        except Exception:           # a family not followed to this k
            continue
        if _same_point(W, Wf, k, tol):
            return fam.name
    return None


def search_wider(base, k, extra=1, starts=300, seed=0, dps=30, spaces=None):
    """Strict local minima with positive loss in the fixed spaces of the (k + extra)-neuron
    problem (see the module docstring).

    Parameters
    ----------
    base : str or YoungIsotropy
        The narrow group whose Δ-blocks the spaces keep (``ΔS_{k-1}``, ...).
    k : int
    extra : int
        1 or 2 extra neurons.
    starts, seed, dps
        As in :func:`symcrit.critical.search`.
    spaces : list, optional
        Groups to search instead of :func:`wider_spaces`.

    Returns
    -------
    list of WideMinimum
        Sorted by loss, each once up to the symmetry group, named by
        :func:`identify_wide_family`.
    """
    if extra not in (1, 2):
        raise InputError(f"extra must be 1 or 2, got {extra}")
    groups = spaces or wider_spaces(base, extra)
    out = []
    for G in groups:
        G = G if isinstance(G, YoungIsotropy) else YoungIsotropy(G)
        F = restricted_loss(G).fixed
        for cp in search(G, k, starts=starts, seed=seed, dps=dps):
            if cp.set_dimension or cp.loss < mpmath.mpf(10) ** (-12):
                continue
            sp = spectrum(G, cp.xi, k, dps=dps, warn=False)
            if sp.kind != "minimum":
                continue
            W = np.asarray(F.embed([float(x) for x in cp.xi], int(k)), float)
            dup = [m for m in out if _same_point(W, m.matrix, k)]
            if dup:
                dup[0].samples += cp.samples
                continue
            out.append(WideMinimum(G.label, int(k), cp.xi, cp.names, cp.loss,
                                   sp.min_eigenvalue, cp.samples, matrix=W))
    for m in out:
        m.family = identify_wide_family(m.isotropy, m.xi, k)
    out.sort(key=lambda m: m.loss)
    return out

