r"""Isotypic decomposition of :math:`M(k, k)` under a Young-type isotropy group.

Let ``H`` be a Young-type isotropy group (k = d, teacher :math:`I_k`) with one Δ-block whose
size ``n`` grows with k (``n = k, k-1, k-2, …``) and otherwise blocks of fixed size:
:math:`H \cong S_n \times H_s`, with :math:`H_s` a product of small symmetric groups
:math:`S_{m_j}` (the Δ-factor ``S_2`` of :math:`\Delta(S_{k-2}\times S_2)`, say).  As an
``S_n``-module, :math:`M(k,k)` is a sum of permutation modules on the points of the big block
(rows or columns with one index there) and on its ordered pairs (entries with both indices
there), so only four irreducibles of :math:`S_n` occur (Fulton & Harris, "Representation
Theory", §4.1 and Ex. 4.19 (Young's rule, Kostka numbers)):

.. math::

    [n],\quad [n-1,1],\quad [n-2,2],\quad [n-2,1,1],

of dimensions :math:`1,\ n-1,\ n(n-3)/2,\ (n-1)(n-2)/2`, and the irreducibles of ``H`` that
occur are the products :math:`[\lambda]\otimes\rho` with ρ an irreducible of :math:`H_s`
(Arjevani & Field 2020, "Analytic characterization of the Hessian in shallow ReLU models:
a tale of symmetry", NeurIPS).

**One vector per copy.**  For the Young subgroup :math:`K = S_{n-2}` (fixing two points
``p, q`` of the big block and every point outside it), an irreducible ``λ`` contributes
:math:`\dim \mathrm{Fix}_K(\lambda) = \mathrm{Kostka}(\lambda, (n-2,1,1))` dimensions to
``Fix(K)``: 1, 2, 1, 1 for the four λ above.  Peeling:

* ``[n]``: ``Fix(S_n)`` (in K-coordinates, the 0/1 embedding of the bigger fixed space);
* ``[n-1,1]``: ``Fix(S_{n-1}) ⊖ Fix(S_n)`` for the stabiliser :math:`S_{n-1}` of ``q``
  (a single conjugate: Kostka([n-1,1], (n-1,1)) = 1);
* ``[n-2,2] ⊕ [n-2,1,1]``: ``Fix(K) ⊖ (Fix(Stab q) + Fix(Stab p))``, split by the
  transposition :math:`\tau = (p\,q)`: +1 on ``[n-2,2]``, -1 on ``[n-2,1,1]``
  (Kostka([n-2,2], (n-2,2)) = 1, Kostka([n-2,1,1], (n-2,2)) = 0).

``⊖`` is the orthogonal complement in the Frobenius inner product, which on K-coordinates is
:math:`D_K = \mathrm{diag}(w_p)`, the Frobenius weights (polynomials in k).  A small factor's
irreducible ρ (a partition μ of :math:`m_j`) is cut out inside ``Fix(S_μ)`` (Kostka(μ, μ) = 1)
by the character projector :math:`P_\rho = \frac{\dim\rho}{|S_m|}\sum_g \chi_\rho(g)\, g`.

All constraints but the orthogonality are permutations of coordinates that preserve the
weights, so in the coordinates :math:`u = D y` every constraint has rational coefficients that
do not depend on k: the basis of a component is :math:`Q(k) = E\, D_E(k)^{-1} U` with ``E`` a
0/1 embedding, :math:`D_E` diagonal polynomial weights and ``U`` a rational matrix, computed
once per group.  Everything is exact and analytic in k, so it holds for real k.

>>> dec = isotypic_decomposition("ΔS_{k-1}")
>>> print(dec)
M(k, k) under ΔS_{k-1} (big factor S_n, n = k-1):
  irrep        copies  dimension
  [k-1]             5  1
  [k-2,1]           5  k - 2
  [k-3,2]           1  (k - 4)*(k - 1)/2
  [k-3,1,1]         1  (k - 3)*(k - 2)/2
  total dimension k**2
>>> dec.latex()
'M(k,k) \\cong 5\\,[k-1] \\oplus 5\\,[k-2,1] \\oplus [k-3,2] \\oplus [k-3,1,1]'
>>> [(c.label, c.copies) for c in isotypic_decomposition("Δ(S_{k-2}×S_2)").components]
... # doctest: +NORMALIZE_WHITESPACE
[('[k-2]⊗[2]', 6), ('[k-2]⊗[1,1]', 4), ('[k-3,1]⊗[2]', 5), ('[k-3,1]⊗[1,1]', 2),
 ('[k-4,2]⊗[2]', 1), ('[k-4,1,1]⊗[2]', 1)]
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from fractions import Fraction

from flint import fmpq, fmpq_mat
from functools import cached_property, lru_cache

import numpy as np
import sympy

from ..algebra.polynomials import polyval
from ..core import InputError, is_integer
from .characters import big_dimension, irrep_dimension
from .fixed import FixedSpace
from .spec import K as KSYM
from .young import YoungIsotropy

__all__ = ["Irrep", "IsotypicComponent", "IsotypicDecomposition", "Layout",
           "isotypic_decomposition"]


# ---------------------------------------------------------------------------- irreducibles
_TAILS = [(), (1,), (2,), (1, 1)]


def _size_text(e):
    return str(sympy.expand(e)).replace(" ", "")


@dataclass(frozen=True)
class Irrep:
    r"""An irreducible :math:`[n-|\nu|,\nu]\otimes\rho_1\otimes\cdots` of
    :math:`H = S_n\times\prod_j S_{m_j}`: ``tail`` is ν, ``small`` the partitions
    :math:`\rho_j` of the small factors, ``n`` the big block size (sympy, in k)."""
    tail: tuple
    small: tuple
    n: sympy.Expr

    @cached_property
    def partition(self):
        """The big partition with a symbolic first part, e.g. ``(k - 3, 1, 1)``."""
        return (sympy.expand(self.n - sum(self.tail)),) + tuple(self.tail)

    @cached_property
    def label(self):
        big = "[" + ",".join(_size_text(x) for x in self.partition) + "]"
        return "⊗".join([big] + ["[" + ",".join(map(str, p)) + "]" for p in self.small])

    @cached_property
    def latex(self):
        big = "[" + ",".join(_size_text(x) for x in self.partition) + "]"
        return r" \otimes ".join([big] + ["[" + ",".join(map(str, p)) + "]"
                                         for p in self.small])

    @cached_property
    def dimension(self):
        """dim of the irreducible (a polynomial in k)."""
        d = big_dimension(self.tail, self.n)
        for p in self.small:
            d = d * irrep_dimension(p)
        return sympy.factor(sympy.expand(d))

    def __str__(self):
        return self.label


@dataclass
class IsotypicComponent:
    r"""One isotypic component of :math:`M(k,k)`: the irreducible, the number of copies
    (= the size of its Hessian block) and the exact basis data of one vector per copy:
    ``embed[a]`` lists the coordinates (of the coordinate system of the layout) that make up
    orbit ``a`` of the intermediate group, ``weights[a]`` the Frobenius weight of that orbit
    (sympy, in k), ``U`` the rational coefficient matrix (orbits × copies) and ``scaled``
    whether the basis is :math:`E D_E^{-1} U` (an orthogonal complement was taken) or
    :math:`E U`."""
    irrep: Irrep
    copies: int
    embed: list = field(repr=False)
    weights: list = field(repr=False)
    U: list = field(repr=False)
    scaled: bool = field(repr=False, default=False)

    @property
    def label(self):
        return self.irrep.label

    @property
    def dimension(self):
        """Dimension of the irreducible (polynomial in k)."""
        return self.irrep.dimension

    @property
    def multiplicity(self):
        """Each eigenvalue of this block occurs ``dimension`` times in the full Hessian."""
        return self.irrep.dimension


class Layout:
    """The combinatorics at one concrete k: a coordinate system (the orbits of a subgroup
    ``K0 ⊂ H``), the embedding of Fix(H) and the isotypic components.

    ``K0`` is :math:`S_{b-2}` on the first ``b - 2`` points of every Δ-block of size ``b``
    (the Young subgroup fixing its last two points ``p, q``).  In the ``generic`` layout the
    coordinates are the parameters of Fix(K0) (their weights polynomials in k, valid for real
    k, and the Hessian there that of the restricted loss :math:`L_{K_0}`); in the ``dense``
    layout (integer k too small for the big block's :math:`S_{n-2}`) they are the k² entries
    of W."""

    def __init__(self, dec, kk, mode):
        H = dec.H
        self.H, self.dec, self.kk, self.mode = H, dec, kk, mode
        Hc = H.at(kk)
        rows = [list(map(int, r)) for r in Hc.row_ranges()]
        #: the points of each Δ-block (the big one and the small ones, in the spec's order)
        self.blocks = [rows[b] for b in range(H.n_delta)]
        self.blk_K = _partition(kk, [b[:-2] for b in self.blocks])
        self._coordinates()
        # Fix(H) parameters per coordinate
        FH = FixedSpace(H)
        T = FH.template(kk)
        sym_index = {p.symbol: i for i, p in enumerate(FH.params)}
        self.h_of = []
        for ents in self.entries:
            s = {T[i, j] for (i, j) in ents}
            if len(s) != 1:   # pragma: no cover - a structural bug
                raise AssertionError("a K-orbit meets two H-orbits")
            self.h_of.append(sym_index[s.pop()])
        self.n_h = len(sym_index)

    # -------------------------------------------------------------- coordinates
    def _coordinates(self):
        kk = self.kk
        if self.mode == "dense":
            orbits = {}
            for i in range(kk):
                for j in range(kk):
                    orbits.setdefault(_label(self.blk_K, i, j), []).append((i, j))
            self.entries = list(orbits.values())
            self.weights = [sympy.Integer(len(e)) for e in self.entries]
        else:
            FK = FixedSpace(self.dec.k_spec)
            TK = FK.template(kk)
            lead = [b[:-2] for b in self.blocks if len(b) - 2 >= 2]
            inside = {x for b in lead for x in b}
            sigma = [x for b in lead for x in b] + sorted(set(range(kk)) - inside)
            ents = {p.symbol: [] for p in FK.params}
            for (i, j), s in np.ndenumerate(TK):
                ents[s].append((sigma[i], sigma[j]))
            self.entries = [ents[p.symbol] for p in FK.params]
            self.weights = list(FK.weights)
        self.index = {}
        for c, ents in enumerate(self.entries):
            labs = {_label(self.blk_K, i, j) for (i, j) in ents}
            if len(labs) != 1:   # pragma: no cover - a structural bug
                raise AssertionError("a K-parameter is not one K-orbit")
            self.index[labs.pop()] = c
        self.rep = [ents[0] for ents in self.entries]

    def weights_at(self, k, ns):
        """The Frobenius weights of the coordinates at k (a numpy vector of ``ns``'s
        scalars; k already a scalar of ``ns``)."""
        dt = float if ns.dtype is float else object
        out = np.empty(len(self.weights), dtype=dt)
        for c, w in enumerate(self.weights):
            out[c] = polyval(w, KSYM, k, ns)
        return out

    def basis(self, comp, k, ns):
        r"""The basis :math:`Q(k)` of one vector per copy of the component ``comp``
        (coordinates × copies, a numpy array of ``ns``'s scalars): :math:`E U`, or
        :math:`E D_E(k)^{-1} U` where an orthogonal complement was taken (exact, so that
        Arb enclosures of :math:`Q^\top H Q` stay rigorous)."""
        dt = float if ns.dtype is float else object
        r = comp.copies
        Q = np.empty((len(self.weights), r), dtype=dt)
        Q[...] = ns.convert(0)
        for a, cs in enumerate(comp.embed):
            wa = polyval(comp.weights[a], KSYM, k, ns) if comp.scaled else None
            for j in range(r):
                u = comp.U[a][j]
                if u == 0:
                    continue
                val = ns.convert(u) / wa if comp.scaled else ns.convert(u)
                for c in cs:
                    Q[c, j] = val
        return Q

    def orbits(self, blk):
        """The orbits of the group with partition ``blk`` (⊇ K0), as lists of coordinates."""
        out, where = [], {}
        for c, (i, j) in enumerate(self.rep):
            lab = _label(blk, i, j)
            if lab not in where:
                where[lab] = len(out)
                out.append([])
            out[where[lab]].append(c)
        return out

    def act(self, perm, orbits):
        """A point permutation (normalising the group) as a permutation of its orbits."""
        where = {}
        for a, cs in enumerate(orbits):
            for c in cs:
                where[c] = a
        out = []
        for cs in orbits:
            i, j = self.rep[cs[0]]
            out.append(where[self.index[_label(self.blk_K, perm[i], perm[j])]])
        return out

    # -------------------------------------------------------------- components
    def _group(self, choice):
        """The partition of the group that is, on Δ-block b, the whole :math:`S_b`
        (``"all"``), the stabiliser of q or of p (``"q"``, ``"p"``) or :math:`S_{b-2}`
        (``"K"``)."""
        parts = []
        for b, c in zip(self.blocks, choice):
            p, q = b[-2], b[-1]
            parts.append({"all": b, "q": [x for x in b if x != q],
                          "p": [x for x in b if x != p], "K": b[:-2]}[c])
        return _partition(self.kk, parts)

    def components(self, n_expr):
        r"""The isotypic components, one per product :math:`\otimes_b [b - |t_b|, t_b]` of
        tails :math:`t_b \in \{(), (1), (2), (1,1)\}` over the Δ-blocks, the big block first:
        one vector per copy inside Fix(G) for :math:`G = \prod_b G_b`, :math:`G_b` the whole
        block group (tail ()), the stabiliser of q (tail (1)) or :math:`S_{b-2}` (tails (2),
        (1,1)); orthogonal (Frobenius) to the fixed spaces of the groups one step bigger on
        each block, and ±1 under the transposition :math:`(p\,q)` of each block with a tail of
        length 2 (Young's rule: the Kostka numbers of these shapes are 1).  Tails that give
        no partition of a small block's size come out with no copies."""
        kk, nb = self.kk, len(self.blocks)
        big = self.dec.big_block
        order = [big] + [b for b in range(nb) if b != big]
        tau = []
        for b in self.blocks:
            t = list(range(kk))
            t[b[-2]], t[b[-1]] = b[-1], b[-2]
            tau.append(t)
        memo = {}

        def orbits_of(choice):
            key = tuple(choice)
            if key not in memo:
                memo[key] = self.orbits(self._group(choice))
            return memo[key]

        out = []
        for tails in itertools.product(_TAILS, repeat=nb):
            tail_of = dict(zip(order, tails))
            choice = [{(): "all", (1,): "q"}.get(tail_of[b], "K") for b in range(nb)]
            orbs = orbits_of(choice)
            m = len(orbs)
            rows = []
            scaled = False
            for b in range(nb):
                t = tail_of[b]
                bigger = [] if t == () else [["all"]] if t == (1,) else [["q"], ["p"]]
                for repl in bigger:
                    scaled = True
                    alt = list(choice)
                    alt[b] = repl[0]
                    # orthogonality to the fixed space of a bigger group, in u = D y
                    # coordinates: the sum of u over the orbits inside each of its orbits
                    for bo in orbits_of(alt):
                        bs = set(bo)
                        rows.append([1 if set(o) <= bs else 0 for o in orbs])
                if t in ((2,), (1, 1)):
                    sign = 1 if t == (2,) else -1
                    img = self.act(tau[b], orbs)
                    for a in range(m):
                        r = [0] * m
                        r[a] += 1
                        r[img[a]] -= sign
                        rows.append(r)
            U = _nullspace(rows, m)
            copies = len(U[0]) if U and U[0] else 0
            small = []
            for b in order[1:]:
                size, t = len(self.blocks[b]), tail_of[b]
                small.append((size - sum(t),) + t)
            if any(p[0] < (p[1] if len(p) > 1 else 0) for p in small):
                if copies:   # pragma: no cover - a structural bug
                    raise AssertionError(f"copies of the non-partition {small}")
                continue
            out.append(IsotypicComponent(
                Irrep(tail_of[big], tuple(small), n_expr), copies, embed=orbs,
                weights=[sympy.expand(sum(self.weights[c] for c in o)) for o in orbs],
                U=U, scaled=scaled))
        return out


def _partition(kk, blocks):
    """Block id per point: the given blocks, every other point a singleton."""
    blk = list(range(kk))
    for b in blocks:
        for x in b:
            blk[x] = kk + min(b)
    return blk


def _label(blk, i, j):
    """The orbit of entry (i, j) under the Young group with partition ``blk`` acting by the
    same permutation on rows and columns."""
    if blk[i] == blk[j]:
        return (blk[i], blk[j], i == j)
    return (blk[i], blk[j], None)


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


# ---------------------------------------------------------------------------- the decomposition
class IsotypicDecomposition:
    r"""The isotypic decomposition of :math:`M(k,k)` under a Young-type ``H`` (symbolic k).

    ``components`` lists, per irreducible :math:`[\lambda]\otimes\rho` that occurs, the number
    of copies and the dimension (a polynomial in k); :meth:`layout` gives the exact basis data
    at a concrete size (used by :func:`symcrit.spectrum.hessian_blocks`).
    """

    def __init__(self, H):
        if not isinstance(H, YoungIsotropy):
            H = YoungIsotropy(H)
        if not H.symbolic:
            H = YoungIsotropy(H.spec)
        if H.d != H.k:
            raise InputError(f"isotropy {H.label}: the isotypic decomposition is implemented "
                             "for d = k")
        if H.spec.bare:
            raise InputError(f"isotropy {H.label}: bare column factors are not supported "
                             "(only Δ factors, d = k)")
        sizes = [sympy.expand(s) for s in H.row_sizes[:H.n_delta]]
        big = [i for i, s in enumerate(sizes) if s.coeff(KSYM) == 1]
        if len(big) != 1 or any(not sizes[i].is_Integer for i in range(len(sizes))
                                if i != big[0]):
            raise InputError(f"isotropy {H.label}: need exactly one Δ block whose size grows "
                             "with k (like k, k-1, k-2) and blocks of fixed size otherwise")
        self.H = H
        self.big_block = big[0]
        self.small_blocks = [i for i in range(H.n_delta) if i != big[0]]
        self.n = sizes[big[0]]
        self.c = int(sympy.expand(KSYM - self.n))          # k = n + c
        self.small_sizes = [int(sizes[i]) for i in self.small_blocks]
        # K0: S_{b-2} on every Δ-block (a block of S_{b-2} needs b - 2 >= 2)
        factors = [f"S_{{k-{self.c + 2}}}" if i == self.big_block else f"S_{int(sizes[i]) - 2}"
                   for i in range(H.n_delta) if i == self.big_block or int(sizes[i]) >= 4]
        self.k_spec = ("Δ" + factors[0] if len(factors) == 1
                       else "Δ(" + "×".join(factors) + ")")
        self._layouts = {}
        lay = self.layout(None)
        self.components = [c for c in lay.comps if c.copies]
        total = sympy.expand(sum(c.copies * c.irrep.dimension for c in self.components))
        if sympy.expand(total - KSYM ** 2) != 0:   # pragma: no cover - a structural bug
            raise AssertionError(f"dimensions add up to {total}, not k^2")

    # -------------------------------------------------------------- layouts
    @property
    def generic_k_min(self):
        """Blocks by the generic layout (``K = S_{n-2}``) need real k > this (K's block size
        n-2 > 1, so that every Frobenius weight is positive)."""
        return self.c + 3

    def layout(self, k):
        """The combinatorial data for k (``None``: the generic layout, valid for real
        k > :attr:`generic_k_min`; an integer k at or below it: the dense layout at that k)."""
        if k is None or not (is_integer(k) and int(k) <= self.generic_k_min):
            key = None
        else:
            key = int(k)
        if key not in self._layouts:
            if key is None:
                lay = Layout(self, self.c + 7, "generic")
            else:
                lay = Layout(self, key, "dense")
            lay.comps = lay.components(self.n)
            self._layouts[key] = lay
        return self._layouts[key]

    # -------------------------------------------------------------- display
    def __iter__(self):
        return iter(self.components)

    def __len__(self):
        return len(self.components)

    def __repr__(self):
        return f"IsotypicDecomposition({self.H.label!r}: {self.latex(plain=True)})"

    def __str__(self):
        lines = [f"M(k, k) under {self.H.label} (big factor S_n, n = {_size_text(self.n)}"
                 + (", small factors " + ", ".join(f"S_{m}" for m in self.small_sizes)
                    if self.small_sizes else "") + "):",
                 f"  {'irrep':<{self._w}} copies  dimension"]
        for c in self.components:
            lines.append(f"  {c.label:<{self._w}} {c.copies:>6d}  {c.dimension}")
        lines.append(f"  total dimension {sympy.expand(KSYM ** 2)}")
        return "\n".join(lines)

    @property
    def _w(self):
        return max(12, max(len(c.label) for c in self.components))

    def latex(self, plain=False):
        r"""The decomposition as LaTeX (``plain``: unicode text)."""
        parts = []
        for c in self.components:
            lab = c.label if plain else c.irrep.latex
            sep = " " if plain else r"\,"
            parts.append(lab if c.copies == 1 else f"{c.copies}{sep}{lab}")
        if plain:
            return "M(k,k) ≅ " + " ⊕ ".join(parts)
        return r"M(k,k) \cong " + r" \oplus ".join(parts)

    def latex_table(self):
        r"""A LaTeX table: irreducible, copies, dimension."""
        rows = [rf"{c.irrep.latex} & {c.copies} & {sympy.latex(c.dimension)} \\"
                for c in self.components]
        return ("\\begin{array}{lrl}\n\\text{irrep} & \\text{copies} & \\dim \\\\\n\\hline\n"
                + "\n".join(rows) + "\n\\end{array}")

    def _repr_latex_(self):
        return f"${self.latex()}$"

    def to_json(self):
        return {"isotropy": self.H.label, "n": _size_text(self.n),
                "small_factors": [f"S_{m}" for m in self.small_sizes],
                "components": [{"irrep": c.label, "latex": c.irrep.latex, "copies": c.copies,
                                "dimension": str(c.dimension)} for c in self.components],
                "total_dimension": str(sympy.expand(KSYM ** 2)),
                "latex": self.latex()}


@lru_cache(maxsize=None)
def _cached(spec):
    return IsotypicDecomposition(YoungIsotropy(spec))


def isotypic_decomposition(H):
    """The (cached) :class:`IsotypicDecomposition` of a Young-type isotropy group."""
    if isinstance(H, YoungIsotropy):
        return _cached(H.spec)
    return _cached(YoungIsotropy(H).spec)
