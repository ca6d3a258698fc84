r"""Young subgroups of an isotropy group, and the coordinates of their fixed spaces.

A tangency arc leaving a critical point ``c`` along an eigenvector ``v`` of the Hessian
stays in the fixed space of the isotropy group of ``v`` (Arjevani 2023, "Hidden minima in
two-layer ReLU networks", arXiv:2312.16819, §3).  When the eigenvalue belongs to the
isotypic component of an irreducible :math:`\chi` of :math:`H = \mathrm{Iso}(c)`, the
candidate directions are the **symmetry-adapted** ones: for a subgroup :math:`G \subset H`
the fixed vectors of G inside one copy of :math:`\chi` form a space of dimension
:math:`\dim\mathrm{Fix}_G(\chi)`, and the directions that are determined up to sign by their
isotropy are those of the **axial** subgroups: :math:`\dim\mathrm{Fix}_G(\chi) = 1`, and no
larger subgroup fixes a non-zero vector of :math:`\chi` (Golubitsky, Stewart & Schaeffer,
*Singularities and Groups in Bifurcation Theory II*, Springer 1988, ch. XIII).

For the Young-type groups of symcrit (k = d, Δ-blocks only),
:math:`H \cong S_n \times \prod_j S_{m_j}` with one block whose size n grows with k, and its
irreducibles are :math:`[n-|\nu|, \nu] \otimes \rho_1 \otimes \cdots` (ν one of (), (1),
(2), (1, 1); see :mod:`symcrit.symmetry.isotypic`).  The Young subgroups
:math:`S_{n-s}\times S_{\mu'}\times\prod_j S_{\pi_j}` (μ' a partition of s, :math:`\pi_j` of
:math:`m_j`) fix, by Young's rule,

.. math::

    \dim \mathrm{Fix}_G(\chi) = K_{(n-|\nu|,\nu),\,(n-s,\mu')}\ \prod_j K_{\rho_j,\pi_j}

dimensions of :math:`\chi` (Kostka numbers; Fulton & Harris, *Representation Theory*, §4.3).
For :math:`n \ge s + \nu_1` the first factor does not depend on n (the skew shape left by the
``n - s`` ones falls apart), so it is computed at a small n: the enumeration costs the same
at k = 10 and at k = 10^6.  A subgroup is axial when the product is 1 and every subgroup
obtained by merging two of its blocks (an immediate coarsening) gives 0.  For the standard
representation :math:`[n-1,1]` these are :math:`S_{n-m}\times S_m`; for
:math:`[n-2,1,1]` they are :math:`S_{n-2}` (two points split off) and
:math:`S_{n-a-b}\times S_a\times S_b`.

A subgroup G is described by its **blocks** (:class:`BlockGroup`): sizes in the order of
the fixed-space layout of :class:`~symcrit.symmetry.FixedSpace` (the block growing with k,
the Δ-blocks of fixed size ≥ 2, then single rows).  A :class:`Refinement` pairs G with a
group containing it and maps coordinates: ``embed`` writes a point of the larger fixed space
in the coordinates of Fix(G) (each parameter of Fix(G) is an orbit inside one orbit of the
larger group; the blocks of G take the rows of their parent blocks in order, so W is the
same matrix up to one relabelling σ of rows and columns together, which neither the loss
nor the distances see), ``project`` is the Frobenius-orthogonal projection back (weighted
means), and
``swaps`` are the permutations of the parameters of Fix(G) induced by the elements of the
larger group that exchange two equal blocks of G (they generate its normaliser modulo G).
The maps are read off the templates W(ξ) at one small k, where every block already has its
generic shape, so they hold for every k.

>>> H = BlockGroup.of("ΔS_{k-1}")
>>> H.sizes, H.label
((k - 1, 1), 'ΔS_{k-1}')
>>> [g.child.label for g in axial_subgroups("ΔS_{k-1}", (1,), (), k=12, max_split=3)]
['ΔS_{k-2}', 'Δ(S_{k-3}×S_2)', 'Δ(S_{k-4}×S_3)']
>>> [g.child.label for g in axial_subgroups("ΔS_k", (1, 1), (), k=12, max_split=3)]
['ΔS_{k-2}', 'Δ(S_{k-3}×S_2)']
>>> ref = axial_subgroups("ΔS_{k-1}", (1,), (), k=12)[0]
>>> ref.embed(["a", "b", "c", "d", "e"])        # Fix(ΔS_{k-1}) inside Fix(ΔS_{k-2})
['a', 'b', 'b', 'c', 'b', 'a', 'c', 'd', 'd', 'e']
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import numpy as np
import sympy

from ..core import InputError
from ..symmetry import FixedSpace, IsotropySpec, K, YoungIsotropy, kostka, partitions

__all__ = ["BlockGroup", "Refinement", "axial_subgroups", "big_kostka", "coarsenings",
           "block_permutations", "DEFAULT_MAX_SPLIT", "MAX_SPLIT"]

#: points split off the growing block by default (``S_{n-s} × S_μ'`` with ``|μ'| = s``, s <= this)
DEFAULT_MAX_SPLIT = 3
#: the most points that may be split off (the fixed spaces grow like s²)
MAX_SPLIT = 6


def _is_big(size):
    return sympy.expand(size).coeff(K) != 0


@dataclass(frozen=True)
class BlockGroup:
    """A Young Δ-group (k = d) given by its block sizes (sympy, in k), in the order of the
    fixed-space layout: Δ-blocks (the one growing with k first when the group is built
    here), then single rows.  Each row block is paired with the column block of the same
    index (the identity teacher)."""
    sizes: tuple

    @classmethod
    def of(cls, H):
        """The blocks of an isotropy group (spec text or YoungIsotropy), in its own layout
        order."""
        G = H if isinstance(H, YoungIsotropy) else YoungIsotropy(H)
        if not G.symbolic:
            G = YoungIsotropy(G.spec)
        if G.d != G.k or G.spec.bare:
            raise InputError(f"isotropy {G.label}: tangency arcs are implemented for Δ-type "
                             "groups with d = k")
        return cls(tuple(sympy.expand(s) for s in G.row_sizes))

    @classmethod
    def canonical(cls, sizes):
        """Blocks in canonical order: the growing block, the others of size ≥ 2 by
        decreasing size, then single rows."""
        sizes = [sympy.expand(s) for s in sizes]
        big = [s for s in sizes if _is_big(s)]
        rest = sorted((int(s) for s in sizes if not _is_big(s)), reverse=True)
        return cls(tuple(big + [sympy.Integer(s) for s in rest]))

    @cached_property
    def group(self):
        """The group as a :class:`~symcrit.symmetry.YoungIsotropy` (symbolic k)."""
        delta = [s for s in self.sizes if _is_big(s) or int(s) >= 2]
        if [s for s in self.sizes if not (_is_big(s) or int(s) >= 2)] != \
                list(self.sizes[len(delta):]):
            raise InputError("blocks must list the Δ-blocks before the single rows")
        return YoungIsotropy(IsotropySpec(delta=(tuple(delta),), bare=()))

    @property
    def label(self):
        """The group's label, e.g. ``'Δ(S_{k-2}×S_2)'``."""
        return self.group.label

    @cached_property
    def fixed(self):
        """The fixed space of the group (:class:`~symcrit.symmetry.FixedSpace`)."""
        return FixedSpace(self.group)

    @property
    def offset(self):
        """c in the size k - c of the growing block."""
        big = [s for s in self.sizes if _is_big(s)]
        if len(big) != 1:
            raise InputError(f"{self.sizes}: need exactly one block growing with k")
        return int(sympy.expand(K - big[0]))

    def sizes_at(self, k):
        """The block sizes at the integer k."""
        return [int(sympy.expand(s).subs(K, k)) for s in self.sizes]

    def rows_at(self, k):
        """The row (= column) indices of each block at k: consecutive ranges, in the
        order of the blocks."""
        out, start = [], 0
        for s in self.sizes_at(k):
            out.append(list(range(start, start + s)))
            start += s
        return out

    def generic_k(self):
        """A small k at which every block has its generic shape (the growing one ≥ 3)."""
        return self.offset + 3


@lru_cache(maxsize=None)
def _param_maps(parent, child, parent_of):
    """(child parameter -> parent parameter, [swap permutations of the child parameters])
    from the templates at a small k."""
    k0 = max(child.generic_k(), parent.generic_k())
    prow, crow = parent.rows_at(k0), child.rows_at(k0)
    sigma = [0] * k0
    used = [0] * len(prow)
    for b, p in enumerate(parent_of):
        for i, r in enumerate(crow[b]):
            sigma[r] = prow[p][used[p] + i]
        used[p] += len(crow[b])
    if used != [len(r) for r in prow]:
        raise InputError("the blocks of the subgroup do not fill those of the group")
    TP, TC = parent.fixed.template(k0), child.fixed.template(k0)
    pidx = {p.symbol: i for i, p in enumerate(parent.fixed.params)}
    cidx = {p.symbol: i for i, p in enumerate(child.fixed.params)}
    where = {}
    for (i, j), s in np.ndenumerate(TC):
        where.setdefault(s, []).append((i, j))
    pmap = []
    for p in child.fixed.params:
        images = {TP[sigma[i], sigma[j]] for (i, j) in where[p.symbol]}
        if len(images) != 1:   # pragma: no cover - a structural bug
            raise AssertionError(f"an orbit of {child.label} meets {len(images)} orbits of "
                                 f"{parent.label}")
        pmap.append(pidx[images.pop()])
    swaps = []
    sizes = child.sizes
    for a, b in itertools.combinations(range(len(sizes)), 2):
        if parent_of[a] != parent_of[b] or sympy.expand(sizes[a] - sizes[b]) != 0:
            continue
        tau = list(range(k0))
        for x, y in zip(crow[a], crow[b]):
            tau[x], tau[y] = y, x
        perm = []
        for p in child.fixed.params:
            i, j = where[p.symbol][0]
            perm.append(cidx[TC[tau[i], tau[j]]])
        swaps.append(tuple(perm))
    return tuple(pmap), tuple(swaps)


@dataclass(frozen=True)
class Refinement:
    """A subgroup ``child`` of ``parent`` (both :class:`BlockGroup`): child block b lies in
    parent block ``parent_of[b]`` (the child's blocks inside one parent block take its rows
    in order)."""
    parent: BlockGroup
    child: BlockGroup
    parent_of: tuple
    note: str = field(default="", compare=False)

    @property
    def param_map(self):
        """For each parameter of Fix(child), the parameter of Fix(parent) whose orbit
        contains its orbit."""
        return _param_maps(self.parent, self.child, self.parent_of)[0]

    @property
    def swaps(self):
        """Permutations of the parameters of Fix(child) induced by exchanging two equal
        blocks of the child inside one block of the parent (elements of the parent that
        normalise the child)."""
        return _param_maps(self.parent, self.child, self.parent_of)[1]

    def embed(self, xi):
        """A point of Fix(parent) in the coordinates of Fix(child)."""
        xi = list(xi)
        return [xi[p] for p in self.param_map]

    def project(self, eta, weights):
        """The Frobenius-orthogonal projection of a point of Fix(child) onto Fix(parent):
        ``(ξ, deviation)`` with ξ the weighted means over each parent orbit and the
        deviation ``max_p |η_p - ξ_{map(p)}|``."""
        num, den = {}, {}
        for p, (x, w) in enumerate(zip(eta, weights)):
            q = self.param_map[p]
            num[q] = num.get(q, 0) + w * x
            den[q] = den.get(q, 0) + w
        xi = [num[q] / den[q] for q in range(len(self.parent.fixed.params))]
        dev = max(abs(x - xi[self.param_map[p]]) for p, x in enumerate(eta))
        return xi, dev


# ----------------------------------------------------------------------------- Kostka
def big_kostka(tail, parts, n):
    r""":math:`K_{(n-|\nu|,\nu),\,(n-s,\mu')}` for the tail ν of an irreducible of the
    growing factor :math:`S_n` and the parts μ' (summing to s) split off it; computed at a
    small n where the value is already that of every larger n (n ≥ s + ν₁).

    >>> big_kostka((1,), (1,), 10**6), big_kostka((1, 1), (1, 1), 10**6)
    (1, 1)
    >>> big_kostka((1,), (1, 1), 9)                # S_{n-2}×S_1×S_1 fixes 2 dims of [n-1,1]
    2
    """
    tail, parts = tuple(tail), tuple(p for p in parts if p)
    s, t = sum(parts), sum(tail)
    n0 = min(int(n), 2 * s + 2 * t + 4)
    if n0 - t < (tail[0] if tail else 0) or n0 - s < 0:
        return 0
    return kostka((n0 - t,) + tail, tuple(sorted((n0 - s,) + parts, reverse=True)))


def _small_partitions(m):
    return list(partitions(m))


def _dimension(tail, small, big_parts, small_parts, n):
    d = big_kostka(tail, big_parts, n)
    for rho, pi in zip(small, small_parts):
        if not d:
            break
        d *= kostka(tuple(rho), tuple(sorted(pi, reverse=True)))
    return d


def _merges(parts):
    """Partitions obtained from ``parts`` by merging two of its parts."""
    out = set()
    for i, j in itertools.combinations(range(len(parts)), 2):
        rest = [p for x, p in enumerate(parts) if x not in (i, j)]
        out.add(tuple(sorted(rest + [parts[i] + parts[j]], reverse=True)))
    return out


def _coarser(big_parts, small_parts):
    """The immediate coarsenings: one part of μ' merged into the growing block, or two
    parts of one partition merged."""
    for i in range(len(big_parts)):
        yield big_parts[:i] + big_parts[i + 1:], small_parts
    for m in _merges(big_parts):
        yield m, small_parts
    for j, pi in enumerate(small_parts):
        for m in _merges(pi):
            yield big_parts, small_parts[:j] + (m,) + small_parts[j + 1:]


def axial_subgroups(H, tail, small, k, max_split=DEFAULT_MAX_SPLIT):
    r"""The axial Young subgroups of ``H`` for the irreducible
    :math:`[n-|\nu|,\nu]\otimes\rho_1\otimes\cdots` (``tail`` = ν, ``small`` = the
    partitions :math:`\rho_j` of the small Δ-blocks of H, in their order): subgroups
    :math:`G\subset H` with a one-dimensional fixed space in the irreducible that no
    immediate coarsening shares.  At most ``max_split`` points are split off the growing
    block (the axial subgroups :math:`S_{n-m}\times S_m` of the standard representation
    exist for every m ≤ n/2; the bound keeps the cost independent of k).

    Parameters
    ----------
    H : str or YoungIsotropy
        The isotropy group of the critical point (Δ-type, d = k, one block growing with k).
    tail : tuple
        ν: (), (1,), (2,) or (1, 1).
    small : tuple of tuples
        The partitions of the small Δ-blocks (empty for ``ΔS_k``, ``ΔS_{k-1}``).
    k : int
        The number of neurons (the growing block must keep at least 2 points).
    max_split : int
        At most this many points split off the growing block (≤ :data:`MAX_SPLIT`).

    Returns
    -------
    list of Refinement
        H → G, by increasing number of split points; ``note`` gives the partitions.

    Examples
    --------
    >>> [(g.child.label, g.note) for g in axial_subgroups("ΔS_k", (2,), (), 10)]
    [('Δ(S_{k-2}×S_2)', 'S_{n-2}×S_2 in S_n'), ('Δ(S_{k-3}×S_3)', 'S_{n-3}×S_3 in S_n')]
    """
    if not isinstance(max_split, int) or not 0 <= max_split <= MAX_SPLIT:
        raise InputError(f"max_split must be an integer from 0 to {MAX_SPLIT}")
    parent = BlockGroup.of(H)
    sizes = parent.sizes
    big = [i for i, s in enumerate(sizes) if _is_big(s)]
    if len(big) != 1:
        raise InputError(f"isotropy {parent.label}: need exactly one block growing with k")
    big = big[0]
    n = int(sympy.expand(sizes[big]).subs(K, k))
    small_idx = [i for i, s in enumerate(sizes) if i != big and int(s) >= 2]
    if len(small) != len(small_idx):
        raise InputError(f"the irreducible has {len(small)} small factors; {parent.label} "
                         f"has {len(small_idx)} small Δ-blocks")
    choices = [[()]]
    for s in range(1, max_split + 1):
        choices.append([p for p in partitions(s)])
    big_options = [p for ps in choices for p in ps if n - sum(p) >= 2]
    small_options = [_small_partitions(int(sizes[i])) for i in small_idx]
    out = []
    for bp in big_options:
        for sp in itertools.product(*small_options):
            if _dimension(tail, small, bp, sp, n) != 1:
                continue
            if any(_dimension(tail, small, b2, s2, n) for b2, s2 in _coarser(bp, sp)):
                continue
            out.append(_refinement(parent, big, small_idx, bp, sp))
    return out


def _refinement(parent, big, small_idx, big_parts, small_parts):
    """The Refinement H → G for the parts split off the growing block and the partitions of
    the small blocks."""
    blocks = []                                         # (size, parent block)
    blocks.append((sympy.expand(parent.sizes[big] - sum(big_parts)), big))
    blocks += [(sympy.Integer(p), big) for p in big_parts]
    split = dict(zip(small_idx, small_parts))
    for i, s in enumerate(parent.sizes):
        if i == big:
            continue
        parts = split.get(i, (int(s),))
        blocks += [(sympy.Integer(p), i) for p in parts]
    order = sorted(range(len(blocks)), key=lambda b: (
        0 if _is_big(blocks[b][0]) else 1 if int(blocks[b][0]) >= 2 else 2,
        0 if _is_big(blocks[b][0]) else -int(blocks[b][0]), b))
    child = BlockGroup(tuple(blocks[b][0] for b in order))
    s = sum(big_parts)
    note = "S_n in S_n" if not big_parts else \
        "×".join([f"S_{{n-{s}}}"] + [f"S_{p}" for p in big_parts]) + " in S_n"
    for i, pi in zip(small_idx, small_parts):
        if tuple(pi) != (int(parent.sizes[i]),):
            note += f", S_({','.join(map(str, pi))}) in S_{int(parent.sizes[i])}"
    return Refinement(parent, child, tuple(blocks[b][1] for b in order), note=note)


def coarsenings(G):
    """The immediate coarsenings of the block group ``G``: every group obtained by merging
    two of its blocks, as :class:`Refinement` (merged group → G).

    >>> sorted(r.parent.label for r in coarsenings(BlockGroup.canonical([K - 2, 1, 1])))
    ['Δ(S_{k-2}×S_2)', 'ΔS_{k-1}', 'ΔS_{k-1}']
    """
    out = []
    sizes = G.sizes
    for a, b in itertools.combinations(range(len(sizes)), 2):
        merged = [(sympy.expand(sizes[a] + sizes[b]), (a, b))] + \
                 [(s, (i,)) for i, s in enumerate(sizes) if i not in (a, b)]
        order = sorted(range(len(merged)), key=lambda m: (
            0 if _is_big(merged[m][0]) else 1 if int(merged[m][0]) >= 2 else 2,
            0 if _is_big(merged[m][0]) else -int(merged[m][0]), m))
        parent = BlockGroup(tuple(merged[m][0] for m in order))
        where = {}
        for new, m in enumerate(order):
            for old in merged[m][1]:
                where[old] = new
        out.append(Refinement(parent, G, tuple(where[i] for i in range(len(sizes)))))
    return out


def block_permutations(G, limit=5040):
    """The permutations of the parameters of Fix(G) induced by permuting blocks of G of
    equal (fixed) size, e.g. its single rows: with G itself they generate the normaliser
    of G among the row-and-column permutations that fix the identity teacher, so two
    points of Fix(G) related by one of them are the same point up to symmetry.  Returns a
    list of tuples (the identity first), at most ``limit`` of them.

    >>> len(block_permutations(BlockGroup.canonical([K - 3, 1, 1, 1])))    # S_3 on 3 rows
    6
    """
    groups = {}
    for b, s in enumerate(G.sizes):
        if not _is_big(s):
            groups.setdefault(int(s), []).append(b)
    blocks = [(G.sizes[b], [b]) for b in range(len(G.sizes)) if _is_big(G.sizes[b])]
    for size, bs in groups.items():
        blocks.append((sympy.Integer(size * len(bs)), bs))
    order = sorted(range(len(blocks)), key=lambda m: (
        0 if _is_big(blocks[m][0]) else 1 if int(blocks[m][0]) >= 2 else 2,
        0 if _is_big(blocks[m][0]) else -int(blocks[m][0]), m))
    parent = BlockGroup(tuple(blocks[m][0] for m in order))
    where = {}
    for new, m in enumerate(order):
        for old in blocks[m][1]:
            where[old] = new
    # the children of one parent block must take its rows in order: G lists them so
    gens = Refinement(parent, G, tuple(where[b] for b in range(len(G.sizes)))).swaps
    ident = tuple(range(len(G.fixed.params)))
    seen, todo = {ident}, [ident]
    while todo and len(seen) < limit:
        p = todo.pop()
        for g in gens:
            q = tuple(g[i] for i in p)
            if q not in seen:
                seen.add(q)
                todo.append(q)
    return [ident] + sorted(seen - {ident})
