r"""The isotropy group of a numerical point W in :math:`S_k\times S_d`, found
group-theoretically, certified for the clustered matrix, and confirmed by refinement in its
fixed space.

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
4. **Label** (k = d, Δ-blocks only): as in the papers, ``ΔS_{k-1}``, ``Δ(S_{k-2}×S_2)``:
   the largest Δ-block is written :math:`S_{k-r}`.
5. **Confirmation** (``confirm=True``): the point, permuted to the block layout of
   :class:`~symcrit.symmetry.fixed.FixedSpace`, is projected on Fix(H) and refined there
   with mpmath (:func:`~symcrit.critical.refine.refine`); the refined point must lie near W
   (``confirm_distance``) and have exactly the isotropy H again (re-detected at round-off
   tolerance), and its full-space gradient (:mod:`symcrit.model`, a separate formula) is
   recorded.

``margin`` compares the smallest gap between clusters with the largest spread inside one
(both relative to ``tol``): a margin near 1 is a borderline call.

>>> import numpy as np
>>> from symcrit.critical.families import get_family
>>> W = np.asarray(get_family("type-A").point(8, dps=20).W("float"), float)
>>> rng = np.random.default_rng(0)
>>> p, q = rng.permutation(8), rng.permutation(8)
>>> iso = detect_isotropy(W[p][:, q] + 1e-10 * rng.standard_normal((8, 8)), tol=1e-6)
>>> iso.label, iso.order, iso.exact
('ΔS_{k-1}', 5040, True)
>>> detect_isotropy(rng.standard_normal((8, 8)), tol=1e-6).label      # a generic point
'trivial'
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import networkx as nx
import numpy as np

from ..core import ConvergenceError, InputError

__all__ = ["Isotropy", "detect_isotropy", "cluster_entries", "young_label",
           "automorphism_order_bound", "automorphism_order"]


def cluster_entries(W, tol):
    """Labels of the entries of W (same label: same cluster) and the margin data: the
    smallest gap between clusters and the largest spread inside one."""
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
    ``("c", j)``) and their class sizes."""
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
    from networkx.algorithms.isomorphism import GraphMatcher
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
    from sympy.combinatorics import Permutation, PermutationGroup
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
    out = 1
    for rs, _, _ in delta_pairs:
        out *= math.factorial(len(rs))
    for b in bare_rows + bare_cols:
        out *= math.factorial(len(b))
    return out


# ----------------------------------------------------------------------------- result
@dataclass
class Isotropy:
    """The isotropy found: ``label`` (``'trivial'``, a Young Δ-type label such as
    ``'ΔS_{k-1}'``, or None when the group is not of that type — ``note`` says why), the
    Δ-blocks as (rows, columns), bare row / column blocks, the group ``order``, whether the
    order is certified for the clustered matrix (``exact``), the clustering data and
    ``margin``, and, after confirmation, the refined critical point."""
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
        from ..core import dec
        out = {"isotropy": self.label, "order": str(self.order), "exact": self.exact,
               "order_bound": str(self.order_bound), "k": self.k, "d": self.d,
               "delta_block_sizes": [len(r) for r, _ in self.delta_blocks],
               "bare_row_blocks": [len(b) for b in self.row_blocks],
               "bare_column_blocks": [len(b) for b in self.col_blocks],
               "tolerance": repr(self.tol), "margin": repr(self.margin), "note": self.note}
        if self.confirmed is not None:
            cp = self.confirmed
            out["confirmed"] = {"loss": dec(cp.loss, 20), "residual": dec(cp.residual, 3),
                                "certainty": cp.certainty,
                                "distance_to_point": repr(self.confirm_distance),
                                "full_gradient_norm_float": repr(self.full_gradient_norm),
                                "parameters": {n: dec(x, 20) for n, x in
                                               zip(cp.names, cp.xi)}}
        return out


def young_label(sizes, k):
    r"""The label of the Young Δ-group with Δ-blocks of the given sizes (≥ 2; the other
    rows and columns fixed one by one): the largest block is written :math:`S_{k-r}`, the
    others by their sizes.

    >>> young_label([9], 10), young_label([8, 2], 10), young_label([10], 10)
    ('ΔS_{k-1}', 'Δ(S_{k-2}×S_2)', 'ΔS_k')
    >>> young_label([5, 5], 10), young_label([], 10)
    ('Δ(S_{k-5}×S_5)', 'trivial')
    """
    sizes = sorted((s for s in sizes if s >= 2), reverse=True)
    if not sizes:
        return "trivial"

    def term(s, first):
        if first:
            r = k - s
            return "S_k" if r == 0 else f"S_{{k-{r}}}"
        return f"S_{s}" if s < 10 else f"S_{{{s}}}"
    parts = [term(s, i == 0) for i, s in enumerate(sizes)]
    return "Δ" + parts[0] if len(parts) == 1 else "Δ(" + "×".join(parts) + ")"


# ----------------------------------------------------------------------------- detection
def detect_isotropy(W, tol=1e-6, confirm=False, dps=30, cache=None):
    """The isotropy of W (k × d) up to ``tol`` (see the module docstring);
    ``confirm=True`` also refines the point in Fix(H) (k = d, Young Δ-type) and stores the
    refined critical point in ``.confirmed`` (None, with ``.note`` saying why, if that
    fails).  ``cache``: a dict shared between calls, so that points projecting to the same
    parameters (to 6 decimals) are refined once."""
    W = np.asarray(W, float)
    if W.ndim != 2 or not W.size or not np.isfinite(W).all():
        raise InputError("detect_isotropy needs a finite k × d matrix")
    if not (tol > 0 and np.isfinite(tol)):
        raise InputError(f"the tolerance must be positive, got {tol}")
    k, d = W.shape
    L, gap, spread = cluster_entries(W, tol)
    rows, cols = _UF(k), _UF(d)
    # generators: one transposition per edge of a spanning forest of each kind (the
    # others are products of these when the blocks are Young-type; if not, the
    # certificate below fails and the order is computed without them)
    gens = []                                 # permutations of rows 0..k-1, columns k..
    tree = _UF(k)
    diag = nx.Graph()
    ident = list(range(k + d))
    for i in range(k):
        for i2 in range(i + 1, k):
            diff = np.flatnonzero(L[i] != L[i2])
            if diff.size == 0:
                if rows.find(i) != rows.find(i2):       # equal rows: a bare transposition
                    g = ident.copy()
                    g[i], g[i2] = i2, i
                    gens.append(g)
                rows.union(i, i2)
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
                        if tree.find(i) != tree.find(i2):
                            g = ident.copy()
                            g[i], g[i2] = i2, i
                            g[k + j], g[k + j2] = k + j2, k + j
                            gens.append(g)
                            tree.union(i, i2)
    for j in range(d):
        for j2 in range(j + 1, d):
            if np.array_equal(L[:, j], L[:, j2]):
                if cols.find(j) != cols.find(j2):
                    g = ident.copy()
                    g[k + j], g[k + j2] = k + j2, k + j
                    gens.append(g)
                cols.union(j, j2)
    bare_rows = _groups(rows, k)
    bare_cols = _groups(cols, d)
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
    if note:
        pass
    elif order == 1:
        label = "trivial"
    elif bare_rows or bare_cols:
        note = ("bare row/column symmetry (equal rows or equal columns): not a Δ-type "
                "isotropy of the identity teacher")
    elif any(len(rs) != len(cs) for rs, cs in delta):
        note = "a Δ-block with unequal numbers of rows and columns"
    elif k != d:
        note = "labels are given for k = d"
    else:
        label = young_label([len(rs) for rs, _ in delta], k)
    iso = Isotropy(label, k, d, [(rs, cs) for rs, cs in delta], bare_rows, bare_cols,
                   int(order), float(tol), gap, spread, exact=exact, order_bound=int(bound),
                   note=note)
    if label and label != "trivial":
        iso.row_order, iso.col_order = _layout(delta_pairs, k, d, L)
    if confirm and label and label != "trivial":
        iso.confirmed = _confirm(W, iso, dps, cache)
    return iso


def _groups(uf, n):
    g = {}
    for a in range(n):
        g.setdefault(uf.find(a), []).append(a)
    return [sorted(v) for v in g.values() if len(v) > 1]


def _layout(delta_pairs, k, d, L):
    """Rows and columns reordered to the FixedSpace template: Δ-blocks by decreasing size
    (rows in the order of their paired columns), then the fixed rows and columns (Fix(H)
    has a free constant on each of their entries, so their order does not matter)."""
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
    return rows + free_r, cols + free_c


MAX_CONFIRM_DIMENSION = 30


def _confirm(W, iso, dps, cache=None):
    from ..critical.refine import refine
    from ..model.loss import Problem
    from ..symmetry.fixed import FixedSpace
    P = W[iso.row_order][:, iso.col_order]
    try:
        F = FixedSpace(iso.label)
        if F.dimension > MAX_CONFIRM_DIMENSION:
            iso.note = (f"Fix({iso.label}) has dimension {F.dimension} > "
                        f"{MAX_CONFIRM_DIMENSION}: not refined")
            return None
        xi = F.project(P)
        back = np.asarray(F.embed(xi, iso.k, system="float"), float)
    except Exception as exc:                      # a layout the template does not match
        iso.note = f"could not project on Fix({iso.label}): {exc}"
        return None
    dist = float(np.max(np.abs(back - P)))
    if dist > max(10 * iso.tol, 10 * iso.spread):
        iso.note = (f"the permuted point is {dist:.2g} from Fix({iso.label}) (template "
                    "layout differs)")
        return None
    key = (iso.label, iso.k, dps, tuple(np.round(np.asarray(xi, float), 6)))
    if cache is not None and key in cache:
        cp, Wr, gnorm, again = cache[key]
        if cp is None:
            iso.note = again
            return None
    else:
        try:
            cp = refine(iso.label, [float(x) for x in xi], iso.k, dps=dps, full_check=False)
        except (ConvergenceError, InputError) as exc:
            iso.note = f"refinement in Fix({iso.label}) did not converge: {exc}"
            if cache is not None:
                cache[key] = (None, None, None, iso.note)
            return None
        Wr = np.asarray(cp.W("float"), float)
        G = np.asarray(Problem.canonical(iso.k, iso.d).gradient(Wr), float)
        gnorm = float(np.sqrt((G * G).sum()))
        again = detect_isotropy(Wr, tol=1e-9 * max(1.0, float(np.abs(Wr).max())))
        again = (again.label, again.order)
        if cache is not None:
            cache[key] = (cp, Wr, gnorm, again)
    iso.confirm_distance = float(np.max(np.abs(Wr - P)))
    iso.full_gradient_norm = gnorm
    if again != (iso.label, iso.order):
        iso.note = (f"the refined point has isotropy {again[0]} (order {again[1]}), "
                    f"not {iso.label}")
        return None
    if iso.confirm_distance > max(10 * iso.tol, 10 * iso.spread):
        iso.note = (f"refinement in Fix({iso.label}) moved {iso.confirm_distance:.2g} away: "
                    "a different critical point")
        return None
    return cp
