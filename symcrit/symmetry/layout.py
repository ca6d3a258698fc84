r"""The combinatorics of the isotypic decomposition at one concrete size: irreducibles, the
coordinate system (orbits of a subgroup ``K0``) and one exact basis vector per copy of each
irreducible (:class:`Layout`), for :mod:`symcrit.symmetry.isotypic`.

A Young-type group ``H`` of :math:`M(n, d)` (n student rows, d columns, teacher
:math:`[I_k\,|\,0]`) is a product of *factors*, each a symmetric group on a block of points:

* a **Δ-factor** :math:`S_b` permutes a block of rows and its partner block of columns by the
  same permutation (the rows and columns of a Δ-block carry the same indices in the template
  of :class:`~symcrit.symmetry.fixed.FixedSpace`);
* a **row factor** :math:`S_b^r` permutes a block of (equal) student rows alone;
* a **column factor** :math:`S_b` permutes a block of non-teacher columns alone.

As a module over a Δ-factor the entries with both indices in its block form the permutation
module on ordered pairs, so the irreducibles :math:`[b-|\nu|,\nu]` with ν = (), (1), (2),
(1, 1) occur; over a row or column factor only :math:`[b]` and :math:`[b-1,1]` (the entries
of one row block and a fixed column form the permutation module of its points).  The
irreducibles of ``H`` are the outer tensor products (Fulton & Harris, "Representation
Theory", §4.1 and Ex. 4.19; Arjevani & Field 2022, "Annihilation of spurious minima in
two-layer ReLU networks", NeurIPS, arXiv:2210.06088, for the wider students).

``K0`` fixes the last two points ``p, q`` of every Δ-block and the last point ``q`` of every
row and column block; the copies of an irreducible are cut out of the fixed space of the
group that is, factor by factor, the whole block (tail ()), the stabiliser of q (tail (1)) or
``K0``'s block (tails (2), (1, 1)), orthogonal to the fixed spaces one step bigger and ±1
under the transposition (p q) (Young's rule: the Kostka numbers of these shapes are 1).
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property, lru_cache

import numpy as np
import sympy
from flint import fmpq, fmpq_mat

from ..algebra.polynomials import polyval
from .characters import big_dimension, irrep_dimension
from .fixed import FixedSpace
from .spec import D as DSYM, K as KSYM
from .young import YoungIsotropy

__all__ = ["Irrep", "IsotypicComponent", "Layout", "size_value"]

_TAILS_DELTA = [(), (1,), (2,), (1, 1)]
_TAILS_ONE = [(), (1,)]


def _size_text(e):
    return str(sympy.expand(e)).replace(" ", "")


def _part_text(p):
    return "[" + ",".join(_size_text(x) for x in p) + "]"


def _part_dimension(p):
    """dim of the irreducible of the partition ``p`` (its first part may be symbolic)."""
    if all(isinstance(x, int) or (isinstance(x, sympy.Basic) and x.is_Integer) for x in p):
        return sympy.Integer(irrep_dimension(tuple(int(x) for x in p)))
    return big_dimension(tuple(int(x) for x in p[1:]), sympy.expand(sum(p)))


@lru_cache(maxsize=None)
def _in_k(expr, d):
    return sympy.expand(expr.subs(DSYM, d)) if d is not None else expr


def size_value(expr, k, ns, d=None):
    r"""A size (a polynomial in k, and in d for groups that involve it) at k (a scalar of the
    number system ``ns``) and the integer d, by Horner's rule on the exact coefficients.

    >>> from symcrit.core import FLOAT
    >>> size_value((KSYM - 1) * (DSYM - KSYM), 3.5, FLOAT, d=7)
    8.75
    """
    if expr.has(DSYM):
        if d is None:
            raise ValueError(f"the size {expr} needs d")
        expr = _in_k(expr, int(d))
    return polyval(expr, KSYM, k, ns)


@dataclass(frozen=True)
class Irrep:
    r"""An irreducible :math:`[n-|\nu|,\nu]\otimes\rho_1\otimes\cdots` of ``H``: ``tail`` is
    ν for the Δ-factor that grows with k, ``small`` the partitions of the other factors
    (Δ-factors, then column factors, then row factors; a column factor :math:`S_{d-k-c}`
    has a symbolic first part), ``n`` the size of the growing Δ-block (sympy, in k)."""
    tail: tuple
    small: tuple
    n: sympy.Expr

    @cached_property
    def partition(self):
        """The big partition with a symbolic first part, e.g. ``(k - 3, 1, 1)``."""
        return (sympy.expand(self.n - sum(self.tail)),) + tuple(self.tail)

    @cached_property
    def label(self):
        """The irreducible as text, e.g. ``[k-2,1]`` or ``[k-3,1]⊗[2]``."""
        return "⊗".join([_part_text(self.partition)] + [_part_text(p) for p in self.small])

    @cached_property
    def latex(self):
        """The irreducible in LaTeX (factors joined by ``\\otimes``)."""
        return r" \otimes ".join([_part_text(self.partition)]
                                 + [_part_text(p) for p in self.small])

    @cached_property
    def dimension(self):
        """dim of the irreducible (a polynomial in k, and d)."""
        d = big_dimension(self.tail, self.n)
        for p in self.small:
            d = d * _part_dimension(p)
        return sympy.factor(sympy.expand(d))

    def __str__(self):
        return self.label


@dataclass
class IsotypicComponent:
    r"""One isotypic component: the irreducible, the number of copies (= the size of its
    Hessian block) and the exact basis data of one vector per copy: ``embed[a]`` lists the
    coordinates (of the layout's coordinate system) that make up orbit ``a`` of the
    intermediate group, ``weights[a]`` the Frobenius weight of that orbit (sympy), ``U`` the
    rational coefficient matrix (orbits × copies) and ``scaled`` whether the basis is
    :math:`E D_E^{-1} U` (an orthogonal complement was taken) or :math:`E U`."""
    irrep: Irrep
    copies: int
    embed: list = field(repr=False)
    weights: list = field(repr=False)
    U: list = field(repr=False)
    scaled: bool = field(repr=False, default=False)

    @property
    def label(self):
        """The irreducible's label, e.g. ``[k-2,1]``."""
        return self.irrep.label

    @property
    def dimension(self):
        """Dimension of the irreducible (polynomial in k)."""
        return self.irrep.dimension

    @property
    def multiplicity(self):
        """Each eigenvalue of this block occurs ``dimension`` times in the full Hessian."""
        return self.irrep.dimension


@dataclass(frozen=True)
class _Factor:
    kind: str           # "delta", "row" or "col"
    size: object        # sympy
    points: tuple       # indices (a Δ-block's rows and columns share them)

    @property
    def tails(self):
        return _TAILS_DELTA if self.kind == "delta" else _TAILS_ONE

    def subset(self, choice):
        """The points kept together by the group ``choice`` on this factor."""
        pts = self.points
        if choice == "all":
            return pts
        if choice == "q" or self.kind != "delta":
            return pts[:-1]
        if choice == "p":
            return pts[:-2] + pts[-1:]
        return pts[:-2]                                   # "K"

    def lead(self):
        """The points of ``K0``'s block on this factor."""
        return self.subset("K")


class Layout:
    r"""The combinatorics at one concrete size (k, and d): a coordinate system (the orbits of
    the subgroup ``K0 ⊂ H``), the embedding of Fix(H) and the isotypic components.

    In the ``generic`` layout the coordinates are the parameters of Fix(K0) (their weights
    polynomials in k and d, valid for real k, and the Hessian there that of the restricted
    loss :math:`L_{K_0}`); in the ``dense`` layout (integer k too small for ``K0``'s blocks)
    they are the orbits of ``K0`` on the n·d entries of W."""

    def __init__(self, dec, kk, mode, dd=None):
        H = dec.H
        self.H, self.dec, self.kk, self.mode = H, dec, kk, mode
        self.dd = kk if dd is None else int(dd)
        Hc = H.at(kk, dd)
        self.n_rows = Hc.rows_at
        rows = [tuple(map(int, r)) for r in Hc.row_ranges()]
        cols = [tuple(map(int, c)) for c in Hc.col_ranges()]
        #: the points of each Δ-block (the big one and the small ones, in the spec's order)
        self.blocks = [list(rows[b]) for b in range(H.n_delta)]
        order = [dec.big_block] + [b for b in range(H.n_delta) if b != dec.big_block]
        self.factors = ([_Factor("delta", H.row_sizes[b], rows[b]) for b in order]
                        + [_Factor("col", H.col_sizes[j], cols[j]) for j in Hc.bare_blocks]
                        + [_Factor("row", H.row_sizes[i], rows[i]) for i in Hc.row_blocks])
        self.part_K = self.partition(["K"] * len(self.factors))
        self._coordinates()
        FH = FixedSpace(H)
        T = FH.template(kk, dd if H.d.has(DSYM) else None)
        sym_index = {p.symbol: i for i, p in enumerate(FH.params)}
        self.h_of = []
        for ents in self.entries:
            s = {T[i, j] for (i, j) in ents}
            if len(s) != 1:   # pragma: no cover - a structural bug
                raise AssertionError("a K-orbit meets two H-orbits")
            self.h_of.append(sym_index[s.pop()])
        self.n_h = len(sym_index)

    # -------------------------------------------------------------- partitions
    def partition(self, choices):
        """The blocks of the Young group that is ``choices[f]`` on factor f (``all``, the
        stabiliser ``q`` or ``p`` of the last or second-last point, or ``K``): a block id
        per row and per column (Δ-blocks share their ids between rows and columns)."""
        rb = [("r", i) for i in range(self.n_rows)]
        cb = [("c", j) for j in range(self.dd)]
        for f, (fac, ch) in enumerate(zip(self.factors, choices)):
            for x in fac.subset(ch):
                if fac.kind != "col":
                    rb[x] = ("D" if fac.kind == "delta" else "R", f)
                if fac.kind != "row":
                    cb[x] = ("D" if fac.kind == "delta" else "C", f)
        return tuple(rb), tuple(cb)

    # -------------------------------------------------------------- coordinates
    def _coordinates(self):
        if self.mode == "dense":
            orbits = {}
            for i in range(self.n_rows):
                for j in range(self.dd):
                    orbits.setdefault(_label(self.part_K, i, j), []).append((i, j))
            self.entries = list(orbits.values())
            self.weights = [sympy.Integer(len(e)) for e in self.entries]
        else:
            FK = FixedSpace(self.dec.k_group)
            TK = FK.template(self.kk, self.dd if self.dec.k_group.d.has(DSYM) else None)
            sr, sc = self._sigma()
            ents = {p.symbol: [] for p in FK.params}
            for (i, j), s in np.ndenumerate(TK):
                ents[s].append((sr[i], sc[j]))
            self.entries = [ents[p.symbol] for p in FK.params]
            self.weights = list(FK.weights)
        self.index = {}
        for c, ents in enumerate(self.entries):
            labs = {_label(self.part_K, i, j) for (i, j) in ents}
            if len(labs) != 1:   # pragma: no cover - a structural bug
                raise AssertionError("a K-parameter is not one K-orbit")
            self.index[labs.pop()] = c
        self.rep = [ents[0] for ents in self.entries]

    def _sigma(self):
        """Rows and columns of ``K0``'s template → those of H's: blocks of two or more
        points onto ``K0``'s blocks (Δ, then column, then row blocks, in the spec's
        order), the other teacher columns onto teacher columns, the rest in order."""
        leads = {kind: [list(f.lead()) for f in self.factors
                        if f.kind == kind and len(f.lead()) >= 2]
                 for kind in ("delta", "col", "row")}
        dl = [x for b in self._spec_order(leads["delta"]) for x in b]
        rl = [x for b in leads["row"] for x in b]
        cl = [x for b in leads["col"] for x in b]
        sr = dl + rl + sorted(set(range(self.n_rows)) - set(dl + rl))
        teach = [j for j in range(self.kk) if j not in set(dl)]
        rest = [j for j in range(self.kk, self.dd) if j not in set(cl)]
        return sr, dl + teach + cl + rest

    def _spec_order(self, delta_leads):
        """Δ leads in the order of the spec (``K0``'s template keeps H's order)."""
        first = {b[0]: b for b in delta_leads}
        return [first[blk[0]] for blk in self.blocks if blk and blk[0] in first]

    def weights_at(self, k, ns, d=None):
        """The Frobenius weights of the coordinates at k (and d): a numpy vector of
        ``ns``'s scalars (k already a scalar of ``ns``)."""
        dt = float if ns.dtype is float else object
        d = self._d(d)
        out = np.empty(len(self.weights), dtype=dt)
        for c, w in enumerate(self.weights):
            out[c] = size_value(w, k, ns, d)
        return out

    def _d(self, d):
        return d if d is not None else (self.dd if self.H.d.has(DSYM) else None)

    def basis(self, comp, k, ns, d=None):
        r"""The basis :math:`Q(k)` of one vector per copy of the component ``comp``
        (coordinates × copies, a numpy array of ``ns``'s scalars): :math:`E U`, or
        :math:`E D_E(k)^{-1} U` where an orthogonal complement was taken (exact, so that
        Arb enclosures of :math:`Q^\top H Q` stay rigorous)."""
        dt = float if ns.dtype is float else object
        d = self._d(d)
        r = comp.copies
        Q = np.empty((len(self.weights), r), dtype=dt)
        Q[...] = ns.convert(0)
        for a, cs in enumerate(comp.embed):
            wa = size_value(comp.weights[a], k, ns, d) if comp.scaled else None
            for j in range(r):
                u = comp.U[a][j]
                if u == 0:
                    continue
                val = ns.convert(u) / wa if comp.scaled else ns.convert(u)
                for c in cs:
                    Q[c, j] = val
        return Q

    def orbits(self, part):
        """The orbits of the group with the blocks ``part`` (⊇ K0), as lists of
        coordinates."""
        out, where = [], {}
        for c, (i, j) in enumerate(self.rep):
            lab = _label(part, i, j)
            if lab not in where:
                where[lab] = len(out)
                out.append([])
            out[where[lab]].append(c)
        return out

    def act(self, perm, orbits):
        """A point permutation (on Δ points: rows and columns alike; normalising the group)
        as a permutation of its orbits."""
        where = {}
        for a, cs in enumerate(orbits):
            for c in cs:
                where[c] = a
        out = []
        for cs in orbits:
            i, j = self.rep[cs[0]]
            out.append(where[self.index[_label(self.part_K, perm[i], perm[j])]])
        return out

    # -------------------------------------------------------------- components
    def components(self, n_expr):
        r"""The isotypic components, one per product of tails over the factors (the growing
        Δ-block first): tails (), (1), (2), (1, 1) on a Δ-factor, (), (1) on a row or column
        factor; one vector per copy inside Fix(G) for G the whole block (tail ()), the
        stabiliser of q (tail (1)) or ``K0``'s block (tails (2), (1, 1)), orthogonal
        (Frobenius) to the fixed spaces of the groups one step bigger, and ±1 under the
        transposition (p q) of a Δ-block with a tail of length 2.  Tails that give no
        partition of a fixed block's size come out with no copies."""
        size = max(self.n_rows, self.dd)
        tau = []
        for f in self.factors:
            t = list(range(size))
            if f.kind == "delta":
                p, q = f.points[-2], f.points[-1]
                t[p], t[q] = q, p
            tau.append(t)
        memo = {}

        def orbits_of(choice):
            key = tuple(choice)
            if key not in memo:
                memo[key] = self.orbits(self.partition(choice))
            return memo[key]

        out = []
        for tails in itertools.product(*(f.tails for f in self.factors)):
            choice = [{(): "all", (1,): "q"}.get(t, "K") for t in tails]
            orbs = orbits_of(choice)
            m = len(orbs)
            rows, scaled = [], False
            for f, t in enumerate(tails):
                bigger = [] if t == () else ["all"] if t == (1,) else ["q", "p"]
                for repl in bigger:
                    scaled = True
                    alt = list(choice)
                    alt[f] = repl
                    # orthogonality to the fixed space of a bigger group, in u = D y
                    # coordinates: the sum of u over the orbits inside each of its orbits
                    for bo in orbits_of(alt):
                        bs = set(bo)
                        rows.append([1 if set(o) <= bs else 0 for o in orbs])
                if t in ((2,), (1, 1)):
                    sign = 1 if t == (2,) else -1
                    img = self.act(tau[f], orbs)
                    for a in range(m):
                        r = [0] * m
                        r[a] += 1
                        r[img[a]] -= sign
                        rows.append(r)
            U = _nullspace(rows, m)
            copies = len(U[0]) if U and U[0] else 0
            small = []
            for f, t in zip(self.factors[1:], tails[1:]):
                s = f.size if not sympy.sympify(f.size).is_Integer else int(f.size)
                small.append((sympy.expand(s - sum(t)) if not isinstance(s, int)
                              else s - sum(t),) + t)
            if any(isinstance(p[0], int) and p[0] < (p[1] if len(p) > 1 else 0)
                   for p in small):
                if copies:   # pragma: no cover - a structural bug
                    raise AssertionError(f"copies of the non-partition {small}")
                continue
            out.append(IsotypicComponent(
                Irrep(tails[0], tuple(small), n_expr), copies, embed=orbs,
                weights=[sympy.expand(sum(self.weights[c] for c in o)) for o in orbs],
                U=U, scaled=scaled))
        return out


def _label(part, i, j):
    """The orbit of entry (i, j) under the Young group with blocks ``part``: the row's and
    the column's block and, inside one Δ-block, whether the entry is on its diagonal."""
    a, b = part[0][i], part[1][j]
    return (a, b, i == j) if a == b else (a, b, None)


def _nullspace(rows, m):
    """A basis of the null space of the given rational rows (columns of an m × r list of
    Fractions, each column scaled to coprime integers): the reduced row echelon form
    (python-flint ``fmpq_mat.rref``), one vector per free column (sympy's convention)."""
    if not rows:
        return [[Fraction(int(a == b)) for b in range(m)] for a in range(m)]
    R, rank = fmpq_mat([[fmpq(Fraction(x).numerator, Fraction(x).denominator) for x in r]
                        for r in rows]).rref()
    pivots = []
    for i in range(rank):
        pivots.append(next(j for j in range(m) if R[i, j] != 0))
    cols = []
    for f in (j for j in range(m) if j not in pivots):
        v = [Fraction(0)] * m
        v[f] = Fraction(1)
        for i, pc in enumerate(pivots):
            e = R[i, f]
            v[pc] = -Fraction(int(e.p), int(e.q))
        den = math.lcm(*[x.denominator for x in v])
        w = [int(x * den) for x in v]
        g = math.gcd(*w) or 1
        cols.append([Fraction(x // g) for x in w])
    if not cols:
        return [[] for _ in range(m)]
    return [[cols[c][a] for c in range(len(cols))] for a in range(m)]


def k0_group(H, delta_sizes, big, col_sizes, row_sizes):
    """The Young group ``K0`` of :class:`Layout` as a symbolic :class:`YoungIsotropy`:
    :math:`S_{b-2}` on every Δ-block (kept where b - 2 >= 2), :math:`S_{b-1}` on every
    column and row block (kept where b - 1 >= 2, always for a block growing with d), the
    same number of rows."""
    from .spec import IsotropySpec
    delta = []
    for i, s in enumerate(delta_sizes):
        if i == big:
            delta.append(sympy.expand(s - 2))
        elif int(s) >= 4:
            delta.append(sympy.Integer(int(s) - 2))
    bare = [sympy.expand(s - 1) for s in col_sizes
            if not sympy.sympify(s).is_Integer or int(s) >= 3]
    rows = [sympy.Integer(int(s) - 1) for s in row_sizes if int(s) >= 3]
    spec = IsotropySpec(delta=(tuple(delta),), bare=tuple(bare), rows=tuple(rows),
                        extra=H.extra)
    return YoungIsotropy(spec, k=KSYM, d=H.d if H.d.has(DSYM) else None)
