r"""The isotropy group of a numerical point W in :math:`S_k\times S_d`, found
group-theoretically, and confirmed by refinement in its fixed space.

The group acts by :math:`(\sigma,\tau)\cdot W = P_\sigma W P_\tau^\top` (rows: the
student's neurons; columns: the inputs, which the identity teacher lets permute freely).
For a point with noise, equality of entries is decided after **clustering** the entries
(single linkage: a gap larger than ``tol`` between sorted values separates clusters), so
no entry is rounded.  The isotropy of the labelled matrix is generated here by the
transpositions it contains (true for the Young-type groups of Arjevani & Field 2021,
"Symmetry & critical points for a model shallow neural network", Physica D 414, and
checked: the group generated must preserve the labels):

* a *diagonal* transposition :math:`((i\,i'),(j\,j'))` — rows i, i' differ exactly in
  columns j, j', with the entries swapped, and the whole labelled matrix is preserved;
* a *row* transposition (two equal rows), a *column* transposition (two equal columns).

Their connected components (union–find, a graph in networkx) are the blocks: Δ-blocks
(rows paired with columns), bare row blocks, bare column blocks.  The label is written as
in the papers (``ΔS_{k-1}``, ``Δ(S_{k-2}×S_2)``); the point, permuted to the block layout
of :class:`~symcrit.symmetry.fixed.FixedSpace`, is projected on Fix(H) and refined there
with mpmath (:func:`~symcrit.critical.refine.refine`): a critical point with exactly that
isotropy, to the requested precision.  ``margin`` compares the smallest gap between
clusters with the largest spread inside one (both relative to ``tol``): a margin near 1 is
a borderline call.

>>> import numpy as np
>>> from symcrit.critical.families import get_family
>>> W = np.asarray(get_family("type-A").point(8, dps=20).W("float"), float)
>>> rng = np.random.default_rng(0)
>>> p, q = rng.permutation(8), rng.permutation(8)
>>> iso = detect_isotropy(W[p][:, q] + 1e-10 * rng.standard_normal((8, 8)), tol=1e-6)
>>> iso.label, iso.order
('ΔS_{k-1}', 5040)
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import networkx as nx
import numpy as np

from ..errors import ConvergenceError, InputError

__all__ = ["Isotropy", "detect_isotropy", "cluster_entries", "young_label"]


def cluster_entries(W, tol):
    """Labels of the entries of W (same label: same cluster) and the margin data: the
    smallest gap between clusters and the largest spread inside one."""
    v = np.asarray(W, float).ravel()
    order = np.argsort(v)
    s = v[order]
    gaps = np.diff(s)
    cut = gaps > tol
    lab_sorted = np.concatenate([[0], np.cumsum(cut)])
    labels = np.empty(v.size, dtype=int)
    labels[order] = lab_sorted
    between = float(gaps[cut].min()) if cut.any() else float("inf")
    spread = 0.0
    for c in range(lab_sorted[-1] + 1):
        vals = s[lab_sorted == c]
        spread = max(spread, float(vals[-1] - vals[0]))
    return labels.reshape(np.shape(W)), between, spread


class _UF:
    def __init__(self, n):
        self.p = list(range(n))

    def find(self, a):
        while self.p[a] != a:
            self.p[a] = self.p[self.p[a]]
            a = self.p[a]
        return a

    def union(self, a, b):
        self.p[self.find(a)] = self.find(b)


@dataclass
class Isotropy:
    """The isotropy found: ``label`` (None when it is not of Young Δ-type), the Δ-blocks
    as (rows, columns) with the pairing, bare row / column blocks, the group ``order``,
    the clustering ``margin`` and, after :meth:`confirm`, the refined critical point."""
    label: str | None
    k: int
    d: int
    delta_blocks: list
    row_blocks: list
    col_blocks: list
    order: int
    tol: float
    gap: float
    spread: float
    confirmed: object = None
    note: str = ""
    row_order: list = field(default_factory=list, repr=False)
    col_order: list = field(default_factory=list, repr=False)

    @property
    def margin(self):
        """min(gap between clusters / tol, tol / spread inside clusters): ≫ 1 is a clear
        call, near 1 a borderline one."""
        a = self.gap / self.tol if self.gap != float("inf") else float("inf")
        b = self.tol / self.spread if self.spread > 0 else float("inf")
        return min(a, b)

    def to_json(self):
        out = {"isotropy": self.label, "order": str(self.order), "k": self.k, "d": self.d,
               "delta_block_sizes": [len(r) for r, _ in self.delta_blocks],
               "bare_row_blocks": [len(b) for b in self.row_blocks],
               "bare_column_blocks": [len(b) for b in self.col_blocks],
               "tolerance": repr(self.tol), "margin": repr(self.margin), "note": self.note}
        if self.confirmed is not None:
            cp = self.confirmed
            from ..commands.common import dec
            out["confirmed"] = {"loss": dec(cp.loss, 20), "residual": dec(cp.residual, 3),
                                "certainty": cp.certainty,
                                "parameters": {n: dec(x, 20) for n, x in
                                               zip(cp.names, cp.xi)}}
        return out


def young_label(sizes, k):
    r"""The label of the Young Δ-group with Δ-blocks of the given sizes (≥ 2) when the
    remaining rows and columns are fixed one by one: the largest block is written
    :math:`S_{k-r}`.

    >>> young_label([9], 10), young_label([8, 2], 10), young_label([10], 10)
    ('ΔS_{k-1}', 'Δ(S_{k-2}×S_2)', 'ΔS_k')
    """
    sizes = sorted((s for s in sizes if s >= 2), reverse=True)
    if not sizes:
        return "trivial"

    def term(s, first):
        if first and s > k / 2:
            r = k - s
            return "S_k" if r == 0 else f"S_{{k-{r}}}"
        return f"S_{s}" if s < 10 else f"S_{{{s}}}"
    parts = [term(s, i == 0) for i, s in enumerate(sizes)]
    return "Δ" + parts[0] if len(parts) == 1 else "Δ(" + "×".join(parts) + ")"


def detect_isotropy(W, tol=1e-6, confirm=False, dps=30):
    """The isotropy of W (k × d) up to ``tol``; ``confirm=True`` also refines the point
    in Fix(H) (k = d, Young Δ-type) and stores it in ``.confirmed``."""
    W = np.asarray(W, float)
    if W.ndim != 2 or not np.isfinite(W).all():
        raise InputError("detect_isotropy needs a finite k × d matrix")
    if not tol > 0:
        raise InputError(f"the tolerance must be positive, got {tol}")
    k, d = W.shape
    L, gap, spread = cluster_entries(W, tol)
    rows, cols = _UF(k), _UF(d)
    pairs = {}                                         # row -> column (diagonal swaps)
    diag = nx.Graph()
    for i in range(k):
        for i2 in range(i + 1, k):
            diff = np.flatnonzero(L[i] != L[i2])
            if diff.size == 0:
                rows.union(i, i2)                       # equal rows: a bare transposition
            elif diff.size == 2:
                j, j2 = diff
                if L[i, j] == L[i2, j2] and L[i, j2] == L[i2, j]:
                    M = L.copy()
                    M[[i, i2]] = M[[i2, i]]
                    M[:, [j, j2]] = M[:, [j2, j]]
                    if np.array_equal(M, L):
                        diag.add_edge(("r", i), ("r", i2))
                        diag.add_edge(("c", j), ("c", j2))
                        diag.add_edge(("r", i), ("c", j))          # one Δ-block
                        pairs.setdefault(i, set()).update({j, j2})
                        pairs.setdefault(i2, set()).update({j, j2})
    for j in range(d):
        for j2 in range(j + 1, d):
            if np.array_equal(L[:, j], L[:, j2]):
                cols.union(j, j2)
    bare_rows = _groups(rows, k)
    bare_cols = _groups(cols, d)
    delta = []
    for comp in nx.connected_components(diag):
        rs = sorted(i for t, i in comp if t == "r")
        cs = sorted(j for t, j in comp if t == "c")
        if rs:
            delta.append((rs, cs))
    # the pairing row -> column inside a Δ-block: the column whose entry differs
    delta_pairs = []
    for rs, cs in delta:
        match = {}
        if len(rs) == 2 == len(cs):
            # both pairings are conjugate in S_d; take the one through the first entry
            match = {rs[0]: cs[0], rs[1]: cs[1]}
        else:
            for i in rs:
                labs = [L[i, j] for j in cs]
                uniq = [j for j in cs if labs.count(L[i, j]) == 1]
                match[i] = uniq[0] if len(uniq) == 1 else None
        delta_pairs.append((rs, cs, match))
    # group order (Δ-blocks and bare blocks are independent here)
    order = 1
    for rs, _ in delta:
        order *= math.factorial(len(rs))
    for b in bare_rows + bare_cols:
        order *= math.factorial(len(b))
    note = ""
    label = None
    if bare_rows or bare_cols:
        note = ("bare row/column symmetry (equal rows or equal columns): not a Δ-type "
                "isotropy of the identity teacher")
    elif any(len(rs) != len(cs) for rs, cs in delta):
        note = "a Δ-block with unequal numbers of rows and columns"
    else:
        label = young_label([len(rs) for rs, _ in delta], k) if k == d else None
        if k != d:
            note = "labels are given for k = d"
    iso = Isotropy(label, k, d, [(rs, cs) for rs, cs in delta], bare_rows, bare_cols,
                   order, float(tol), gap, spread, note=note)
    if label and label != "trivial":
        iso.row_order, iso.col_order = _layout(delta_pairs, k, d, L)
    if confirm and label and label != "trivial":
        iso.confirmed = _confirm(W, iso, dps)
    return iso


def _groups(uf, n):
    g = {}
    for a in range(n):
        g.setdefault(uf.find(a), []).append(a)
    return [sorted(v) for v in g.values() if len(v) > 1]


def _layout(delta_pairs, k, d, L):
    """Rows and columns reordered to the FixedSpace template: Δ-blocks by decreasing size
    (rows in the order of their paired columns), then the fixed rows, each paired with the
    fixed column where its entry stands out (the teacher it is matched to)."""
    rows, cols = [], []
    for rs, cs, match in sorted(delta_pairs, key=lambda t: -len(t[0])):
        if all(match[i] is not None for i in rs):
            for i in rs:
                rows.append(i)
                cols.append(match[i])
        else:
            rows += rs
            cols += cs
    free_r = [i for i in range(k) if i not in rows]
    free_c = [j for j in range(d) if j not in cols]
    # pair the remaining rows and columns greedily by the largest |entry|
    while free_r and free_c:
        i, j = max(((i, j) for i in free_r for j in free_c), key=lambda t: abs(L[t] + 0.0))
        rows.append(i)
        cols.append(j)
        free_r.remove(i)
        free_c.remove(j)
    return rows + free_r, cols + free_c


def _confirm(W, iso, dps):
    from ..critical.refine import refine
    from ..symmetry.fixed import FixedSpace
    P = W[iso.row_order][:, iso.col_order]
    try:
        F = FixedSpace(iso.label)
        xi = F.project(P)
        back = np.asarray(F.embed(xi, iso.k, system="float"), float)
    except Exception as exc:                      # a layout the template does not match
        iso.note = f"could not project on Fix({iso.label}): {exc}"
        return None
    dist = float(np.max(np.abs(back - P)))
    if dist > 10 * iso.tol:
        # the small blocks may sit in another order in the template: try the permutations
        # of the fixed rows (at most a few)
        iso.note = (f"the permuted point is {dist:.2g} from Fix({iso.label}) (template "
                    "layout differs)")
        return None
    try:
        return refine(iso.label, [float(x) for x in xi], iso.k, dps=dps, full_check=False)
    except ConvergenceError as exc:
        iso.note = f"refinement in Fix({iso.label}) did not converge: {exc}"
        return None
