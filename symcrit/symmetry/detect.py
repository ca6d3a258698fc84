r"""The isotropy group of a numerical point W in :math:`S_k\times S_d`, found
group-theoretically and certified for the clustered matrix.

The group acts by :math:`(\sigma,\tau)\cdot W = P_\sigma W P_\tau^\top` (rows: the
student's neurons; columns: the inputs, which the identity teacher lets permute freely).
The steps (Arjevani & Field 2021, "Symmetry & critical points for a model shallow neural
network", Physica D, arXiv:2003.10576, for the Young-type groups; McKay & Piperno 2014,
"Practical graph isomorphism, II", J. Symb. Comput. 60, for individualisation–refinement):

1. **Cluster** the entries (single linkage: a gap larger than ``tol`` between sorted
   values separates clusters).  No entry is rounded; W becomes a labelled matrix ``L``,
   i.e. a complete bipartite graph rows × columns with coloured edges.  Its automorphism
   group (row and column permutations preserving every label) is the isotropy found.
2. **Generators.**  The transpositions preserving ``L``: *diagonal* ones
   :math:`((i\,i'),(j\,j'))` (rows i, i' differ exactly in columns j, j', entries swapped,
   and the whole of ``L`` is preserved), and *bare* row or column ones (two equal rows or
   columns).  They generate a subgroup ``H`` of the isotropy; its order is computed from
   the generators by Schreier–Sims (:mod:`sympy.combinatorics`), its orbits (networkx
   connected components) are the blocks.
3. **Certificate.**  Colour refinement with individualisation (the rows and columns of one
   colour class are split by the multisets of (label, colour) they see; then one vertex of
   the first non-trivial class is given a colour of its own, and so on until every vertex
   is alone) bounds the order of the full isotropy group ``G`` of ``L``:
   :math:`|G| \le \prod_i |C_i|`, the product of the sizes of the classes individualised
   from (an automorphism fixing the vertices individualised so far maps the next one into
   its class, and one fixing all of them is the identity).  If the bound equals
   :math:`|H|`, then ``G = H`` exactly (``exact=True``).  Otherwise the isotropy is larger
   than the transpositions generate (it is not of Young type): its order is computed by
   orbit–stabiliser, each orbit point found by networkx VF2 graph matching
   (:class:`networkx.algorithms.isomorphism.GraphMatcher`) between the individualised
   graphs.
4. **Label** (teacher :math:`I_d`, Δ-blocks and blocks of equal rows): as in the papers,
   ``ΔS_{k-1}``, ``Δ(S_{k-2}×S_2)``: the largest Δ-block is written :math:`S_{k-r}`
   (:meth:`~symcrit.symmetry.young.YoungIsotropy.from_delta_sizes`), with k = d; a wider
   student (n rows ≠ d) gets row factors and its number of rows, ``ΔS_{k-1}×S_2^r; n=k+1``
   (:func:`~symcrit.symmetry.young.wider_isotropy`; Arjevani & Field 2022, arXiv:2210.06088).  The order of a
   Young group, :math:`\prod_i |B_i|!` over its blocks, is
   :func:`~symcrit.symmetry.young.young_order`.

The confirmation of a detected group by refinement in its fixed space uses the critical
points of a higher layer: :func:`symcrit.landscape.confirmed_isotropy`.

``margin`` compares the smallest gap between clusters with the largest spread inside one
(both relative to ``tol``): a margin near 1 is a borderline call.

A point built in the fixed space of :math:`\Delta S_{k-1}`, its rows and columns permuted
and perturbed below the tolerance, then a generic point:

>>> import numpy as np
>>> from symcrit.symmetry import FixedSpace
>>> rng = np.random.default_rng(0)
>>> F = FixedSpace("ΔS_{k-1}")
>>> W = np.asarray(F.embed(rng.uniform(-1, 1, F.dimension), 8), float)
>>> p, q = rng.permutation(8), rng.permutation(8)
>>> iso = detect_isotropy(W[p][:, q] + 1e-10 * rng.standard_normal((8, 8)), tol=1e-6)
>>> iso.label, iso.order, iso.exact
('ΔS_{k-1}', 5040, True)
>>> detect_isotropy(rng.standard_normal((8, 8)), tol=1e-6).label      # a generic point
'trivial'
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
from networkx.algorithms.isomorphism import GraphMatcher
from networkx.utils import UnionFind
from sympy.combinatorics import Permutation, PermutationGroup

from ..core import InputError, dec, float_text
from .young import YoungIsotropy, wider_isotropy, young_order

__all__ = ["Isotropy", "detect_isotropy", "cluster_entries", "automorphism_order_bound",
           "automorphism_order"]


def cluster_entries(W, tol):
    """Cluster the entries of W by single linkage: sorted values more than ``tol`` apart
    start a new cluster.

    Parameters
    ----------
    W : array_like
    tol : float

    Returns
    -------
    labels : ndarray of int, the shape of W
        Same label, same cluster (labels increase with the values).
    gap : float
        The smallest gap between clusters (inf for one cluster).
    spread : float
        The largest spread (max − min) inside one cluster.

    Examples
    --------
    >>> cluster_entries([[0.0, 1e-9], [1.0, 0.5]], tol=1e-6)
    (array([[0, 0],
           [2, 1]]), 0.499999999, 1e-09)
    """
    v = np.asarray(W, float).ravel()
    order = np.argsort(v, kind="stable")
    s = v[order]
    gaps = np.diff(s)
    cut = gaps > tol
    lab_sorted = np.concatenate([[0], np.cumsum(cut)])
    labels = np.empty(v.size, dtype=int)
    labels[order] = lab_sorted
    between = float(gaps[cut].min()) if cut.any() else float("inf")
    starts = np.concatenate([[0], np.flatnonzero(cut) + 1])
    ends = np.concatenate([np.flatnonzero(cut), [v.size - 1]])
    spread = float((s[ends] - s[starts]).max()) if v.size else 0.0
    return labels.reshape(np.shape(W)), between, spread


# ----------------------------------------------------------------------------- refinement
def _refine(L, rc, cc):
    """Equitable colour refinement of the rows and columns of the labelled matrix L
    (row colours ``rc``, column colours ``cc``): a row's new colour is its old one and the
    sorted multiset of (label, column colour) in it; columns alike.  The new colours are
    ranks of these signatures, so they depend only on the signatures (equivariance)."""
    while True:
        n_before = len(np.unique(rc)) + len(np.unique(cc))
        sig_r = np.sort(L * (int(cc.max()) + 1) + cc[None, :], axis=1)
        sig_c = np.sort((L * (int(rc.max()) + 1) + rc[:, None]).T, axis=1)
        _, rc = np.unique(np.column_stack([rc, sig_r]), axis=0, return_inverse=True)
        _, cc = np.unique(np.column_stack([cc, sig_c]), axis=0, return_inverse=True)
        rc, cc = rc.ravel(), cc.ravel()
        if len(np.unique(rc)) + len(np.unique(cc)) == n_before:
            return rc, cc


def automorphism_order_bound(L):
    """An upper bound on the order of the group of row and column permutations preserving
    the labelled matrix ``L``, by individualisation–refinement: the product of the sizes of
    the colour classes a vertex is individualised from, until the colouring is discrete.
    Returns ``(bound, path)`` with ``path`` the individualised vertices (``("r", i)`` or
    ``("c", j)``) and their class sizes.

    >>> L = np.eye(4, dtype=int)                 # the identity: ΔS_4, order 4! = 24
    >>> automorphism_order_bound(L)[0], automorphism_order(L)
    (24, 24)
    """
    L = np.asarray(L)
    k, d = L.shape
    rc, cc = _refine(L, np.zeros(k, int), np.zeros(d, int))
    bound, path = 1, []
    while True:
        cell = _first_cell(rc, cc)
        if cell is None:
            return bound, path
        kind, members = cell
        bound *= len(members)
        x = members[0]
        path.append(((kind, int(x)), len(members)))
        rc, cc = _individualise(L, rc, cc, kind, x)


def _first_cell(rc, cc):
    for kind, col in (("r", rc), ("c", cc)):
        vals, counts = np.unique(col, return_counts=True)
        big = vals[counts > 1]
        if big.size:
            return kind, np.flatnonzero(col == big[0])
    return None


def _individualise(L, rc, cc, kind, x):
    rc, cc = rc.copy(), cc.copy()
    if kind == "r":
        rc[x] = rc.max() + 1
    else:
        cc[x] = cc.max() + 1
    return _refine(L, rc, cc)


def automorphism_order(L, max_vertices=400):
    """The order of the group of row and column permutations preserving ``L`` (exactly):
    orbit–stabiliser along the individualisation path of
    :func:`automorphism_order_bound`, each candidate image tested by networkx VF2 graph
    matching of the two individualised, refined graphs.  ``None`` if L has more than
    ``max_vertices`` rows + columns (the search may be slow)."""
    L = np.asarray(L)
    k, d = L.shape
    if k + d > max_vertices:
        return None

    def graph(rc, cc):
        g = nx.Graph()
        g.add_nodes_from((("r", i), {"c": ("r", int(rc[i]))}) for i in range(k))
        g.add_nodes_from((("c", j), {"c": ("c", int(cc[j]))}) for j in range(d))
        g.add_edges_from((("r", i), ("c", j), {"l": int(L[i, j])})
                         for i in range(k) for j in range(d))
        return g

    rc, cc = _refine(L, np.zeros(k, int), np.zeros(d, int))
    order = 1
    while True:
        cell = _first_cell(rc, cc)
        if cell is None:
            return order
        kind, members = cell
        x = members[0]
        rx, cx = _individualise(L, rc, cc, kind, x)
        gx = graph(rx, cx)
        orbit = 1
        for y in members[1:]:
            ry, cy = _individualise(L, rc, cc, kind, y)
            if not (np.array_equal(np.sort(rx), np.sort(ry)) and
                    np.array_equal(np.sort(cx), np.sort(cy))):
                continue
            gm = GraphMatcher(gx, graph(ry, cy), node_match=lambda a, b: a["c"] == b["c"],
                              edge_match=lambda a, b: a["l"] == b["l"])
            if gm.is_isomorphic():
                orbit += 1
        order *= orbit
        rc, cc = rx, cx


def _group_order(gens, n):
    """|⟨gens⟩| for permutations of n points (Schreier–Sims, sympy)."""
    if not gens:
        return 1
    return int(PermutationGroup([Permutation(g, size=n) for g in gens]).order())


def _order_of_blocks(gens, delta_pairs, bare_rows, bare_cols, k, d):
    """|H| for the group generated by ``gens``: the product of m! over the blocks when the
    blocks have disjoint supports and every diagonal generator swaps the columns paired
    with its rows (then each Δ-block generates the diagonal S_m); else Schreier–Sims."""
    support = []
    for rs, cs, _ in delta_pairs:
        support += list(rs) + [k + j for j in cs]
    for b in bare_rows:
        support += list(b)
    for b in bare_cols:
        support += [k + j for j in b]
    ok = len(support) == len(set(support))
    pair = {}
    for rs, cs, match in delta_pairs:
        if len(rs) != len(cs) or any(match.get(i) is None for i in rs):
            ok = False
        pair.update({i: k + j for i, j in match.items() if j is not None})
    if ok:
        for g in gens:
            moved = [x for x in range(k + d) if g[x] != x]
            rows_m = [x for x in moved if x < k]
            cols_m = [x for x in moved if x >= k]
            if len(rows_m) == 2 and len(cols_m) == 2:
                if {pair.get(rows_m[0]), pair.get(rows_m[1])} != set(cols_m):
                    ok = False
                    break
    if not ok:
        return _group_order(gens, k + d)
    return int(young_order([len(rs) for rs, _, _ in delta_pairs]
                           + [len(b) for b in bare_rows + bare_cols]))


# ----------------------------------------------------------------------------- result
@dataclass
class Isotropy:
    """The isotropy found: ``label`` (``'trivial'``, a Young Δ-type label such as
    ``'ΔS_{k-1}'``, or None when the group is not of that type — ``note`` says why), the
    Δ-blocks as (rows, columns), bare row / column blocks, the group ``order``, whether the
    order is certified for the clustered matrix (``exact``), the clustering data and
    ``margin``; ``row_order`` and ``col_order`` permute W to the layout of
    :class:`~symcrit.symmetry.fixed.FixedSpace`.  The confirmation by refinement
    (:func:`symcrit.landscape.confirmed_isotropy`) fills ``confirmed`` (the refined
    critical point), ``confirm_distance`` and ``full_gradient_norm``."""
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
    exact: bool = True
    order_bound: int = 1
    confirmed: object = None
    confirm_distance: float | None = None
    full_gradient_norm: float | None = None
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
        """The result for JSON: numbers as decimal strings, block sizes as integers.

        >>> import numpy as np
        >>> js = detect_isotropy(np.eye(3), tol=1e-6).to_json()
        >>> js["isotropy"], js["order"], js["delta_block_sizes"], js["tolerance"]
        ('ΔS_k', '6', [3], '1e-06')
        """
        out = {"isotropy": self.label, "order": str(self.order), "exact": self.exact,
               "order_bound": str(self.order_bound), "k": self.k, "d": self.d,
               "delta_block_sizes": [len(r) for r, _ in self.delta_blocks],
               "bare_row_blocks": [len(b) for b in self.row_blocks],
               "bare_column_blocks": [len(b) for b in self.col_blocks],
               "tolerance": float_text(self.tol), "margin": float_text(self.margin),
               "note": self.note}
        if self.confirmed is not None:
            cp = self.confirmed
            out["confirmed"] = {"loss": dec(cp.loss, 20), "residual": dec(cp.residual, 3),
                                "certainty": cp.certainty,
                                "distance_to_point": float_text(self.confirm_distance),
                                "full_gradient_norm_float":
                                    float_text(self.full_gradient_norm),
                                "parameters": {n: dec(x, 20) for n, x in
                                               zip(cp.names, cp.xi)}}
        return out

    def _repr_latex_(self):
        from ..core import latex_math_text, latex_number, latex_summary
        label = r"\text{none found}" if self.label is None else latex_math_text(self.label)
        rows = [("isotropy", label), ("order", latex_number(self.order)),
                ("$k \\times d$", f"{self.k} \\times {self.d}"),
                ("tolerance", latex_number(self.tol, 3)),
                ("margin", latex_number(self.margin, 3))]
        if self.confirmed is not None:
            rows += [("confirmed: loss", latex_number(self.confirmed.loss, 20)),
                     ("confirmed: distance", latex_number(self.confirm_distance, 3))]
        return latex_summary("isotropy of a point", rows)


# ----------------------------------------------------------------------------- detection
def detect_isotropy(W: Any, tol: float = 1e-6) -> Isotropy:
    r"""The isotropy group of the point W in :math:`S_k\times S_d`, up to ``tol``.

    The entries are clustered (:func:`cluster_entries`); the row and column transpositions
    that preserve the clustered matrix generate a subgroup H, whose orbits are the blocks
    (a union–find, :class:`networkx.utils.UnionFind`, and networkx connected components);
    individualisation–refinement (:func:`automorphism_order_bound`) certifies that H is the
    whole isotropy group, and when it is not, the order is computed by orbit–stabiliser
    (:func:`automorphism_order`).  See the module docstring for the mathematics.

    Parameters
    ----------
    W : array_like, shape (k, d)
        A finite real matrix (rows: the student's neurons).
    tol : float, optional
        Entries closer than ``tol`` (single linkage) are taken as equal.

    Returns
    -------
    Isotropy
        The label (``'trivial'``, a Young Δ-type label such as ``'ΔS_{k-1}'`` when k = d,
        or None with ``note`` saying why), the blocks, the order, whether it is certified
        (``exact``) and the clustering ``margin``.

    Raises
    ------
    InputError
        W is not a finite matrix, or ``tol`` is not positive.

    Examples
    --------
    >>> import numpy as np
    >>> W = np.full((5, 5), 0.1) + 0.9 * np.eye(5)
    >>> W[4, 4] = 2.0                         # one neuron apart: ΔS_{k-1}
    >>> iso = detect_isotropy(W, tol=1e-9)
    >>> iso.label, iso.order, iso.exact, iso.delta_blocks
    ('ΔS_{k-1}', 24, True, [([0, 1, 2, 3], [0, 1, 2, 3])])
    """
    W = np.asarray(W, float)
    if W.ndim != 2 or not W.size or not np.isfinite(W).all():
        raise InputError("detect_isotropy needs a finite k × d matrix")
    if not (tol > 0 and np.isfinite(tol)):
        raise InputError(f"the tolerance must be positive, got {tol}")
    k, d = W.shape
    L, gap, spread = cluster_entries(W, tol)
    rows, cols = UnionFind(range(k)), UnionFind(range(d))
    # generators: one transposition per edge of a spanning forest of each kind (the
    # others are products of these when the blocks are Young-type; if not, the
    # certificate below fails and the order is computed without them)
    gens = []                                 # permutations of rows 0..k-1, columns k..
    tree = UnionFind(range(k))
    diag = nx.Graph()
    ident = list(range(k + d))
    for i in range(k):
        for i2 in range(i + 1, k):
            diff = np.flatnonzero(L[i] != L[i2])
            if diff.size == 0:
                if rows[i] != rows[i2]:             # equal rows: a bare transposition
                    gens.append(_transposition(ident, (i, i2)))
                rows.union(i, i2)
            elif diff.size == 2:
                j, j2 = int(diff[0]), int(diff[1])
                if L[i, j] == L[i2, j2] and L[i, j2] == L[i2, j]:
                    M = L.copy()
                    M[[i, i2]] = M[[i2, i]]
                    M[:, [j, j2]] = M[:, [j2, j]]
                    if np.array_equal(M, L):
                        diag.add_edge(("r", i), ("r", i2))
                        diag.add_edge(("c", j), ("c", j2))
                        diag.add_edge(("r", i), ("c", j))          # one Δ-block
                        if tree[i] != tree[i2]:
                            gens.append(_transposition(ident, (i, i2), (k + j, k + j2)))
                            tree.union(i, i2)
    for j in range(d):
        for j2 in range(j + 1, d):
            if np.array_equal(L[:, j], L[:, j2]):
                if cols[j] != cols[j2]:
                    gens.append(_transposition(ident, (k + j, k + j2)))
                cols.union(j, j2)
    bare_rows = _groups(rows)
    bare_cols = _groups(cols)
    delta = []
    for comp in nx.connected_components(diag):
        rs = sorted(i for t, i in comp if t == "r")
        cs = sorted(j for t, j in comp if t == "c")
        if rs:
            delta.append((rs, cs))
    # the pairing row -> column inside a Δ-block: the column whose entry stands out
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
    order_h = _order_of_blocks(gens, delta_pairs, bare_rows, bare_cols, k, d)
    bound, _ = automorphism_order_bound(L)
    exact = bound == order_h
    order = order_h
    note = ""
    if not exact:
        full = automorphism_order(L)
        if full is not None:
            order, exact = full, True
        note = (f"the isotropy (order {full if full is not None else f'<= {bound}'}) is "
                f"larger than the group the transpositions generate (order {order_h}): "
                "not of Young type")
    label = None
    if not note:
        label, note = _label(order, delta, bare_rows, bare_cols, k, d)
    iso = Isotropy(label, k, d, [(rs, cs) for rs, cs in delta], bare_rows, bare_cols,
                   int(order), float(tol), gap, spread, exact=exact, order_bound=int(bound),
                   note=note)
    if label and label != "trivial":
        iso.row_order, iso.col_order = _layout(delta_pairs, k, d, bare_rows)
    return iso


def _label(order, delta, bare_rows, bare_cols, n, d):
    """``(label, note)`` of a group of Young type: ``'trivial'``, the papers' label of a
    Young Δ-group (n = d = k), a wider student's label with its row factors and number of
    rows (teacher :math:`I_d`, k = d), or None and the reason there is none."""
    if order == 1:
        return "trivial", ""
    if bare_cols:
        return None, ("bare column symmetry (equal columns): not an isotropy type of the "
                      "identity teacher")
    if any(len(rs) != len(cs) for rs, cs in delta):
        return None, "a Δ-block with unequal numbers of rows and columns"
    sizes = [len(rs) for rs, _ in delta]
    if n == d and not bare_rows:
        return YoungIsotropy.from_delta_sizes(sizes, n).label, ""
    return wider_isotropy(sizes, [len(b) for b in bare_rows], d, n).label, ""


def _transposition(ident, *pairs):
    """The permutation (a list) of ``ident`` swapping each pair of points."""
    g = list(ident)
    for a, b in pairs:
        g[a], g[b] = b, a
    return g


def _groups(uf):
    """The classes of a union–find with more than one member, each sorted, by their least
    member."""
    return sorted(sorted(c) for c in uf.to_sets() if len(c) > 1)


def _layout(delta_pairs, k, d, bare_rows=()):
    """Rows and columns reordered to the FixedSpace template: Δ-blocks by decreasing size
    (rows in the order of their paired columns), the blocks of equal rows by decreasing
    size, then the fixed rows and columns (Fix(H) has a free constant on each of their
    entries, so their order does not matter)."""
    rows, cols = [], []
    for rs, cs, match in sorted(delta_pairs, key=lambda t: -len(t[0])):
        if all(match[i] is not None for i in rs):
            for i in rs:
                rows.append(i)
                cols.append(match[i])
        else:
            rows += rs
            cols += cs
    for b in sorted(bare_rows, key=len, reverse=True):
        rows += [i for i in b if i not in rows]
    free_r = [i for i in range(k) if i not in rows]
    free_c = [j for j in range(d) if j not in cols]
    return rows + free_r, cols + free_c
