r"""Young groups as blocks of concrete indices, and exact maps between fixed spaces.

An embedding of a narrow critical point into a wider student (a neuron split, a zero
neuron), or a compression of the Hessian onto the fixed space of a subgroup, changes the
blocks of the isotropy group: a point leaves its Δ-block (its row and its column become
fixed points), a new row appears, rows are grouped into a block of equal rows.
:class:`BlockLayout` does these operations on the blocks of a group at one concrete k and
reads off the new group (its spec, with symbolic sizes) and the row and column orders that
put the new matrix into the template of :class:`~symcrit.symmetry.FixedSpace`.

:func:`transfer` then computes, once, the **exact linear map** between the parameters: the
narrow template W(ξ) is written with sympy symbols at that k, its rows are transformed (row
x ↦ λ·row x, a new row (1 − λ)·row x, a zero row, a free row), the result is permuted into
the wide template, and every wide parameter must read one expression :math:`c(\lambda)\,
\xi_q` on all of its entries (checked; the map is also computed at k + 1 and must agree, so
it holds for every k).  Evaluating the map costs nothing and works in every number system,
so embedded points exist at any k (Arjevani & Field 2022, "Annihilation of spurious minima in
two-layer ReLU networks", NeurIPS, arXiv:2210.06088, §4).

>>> lay = BlockLayout("ΔS_{k-1}", 8)
>>> x = lay.rows_of("delta", 0)[-1]           # the last row of the Δ-block
>>> lay.detach(x); new = lay.add_row(); lay.group([x, new])
>>> lay.isotropy().label
'ΔS_{k-2}×S_2^r; n=k+1'
"""
from __future__ import annotations

from dataclasses import dataclass
import numpy as np
import sympy

from ..core import InputError
from ..symmetry import FixedSpace, IsotropySpec, K as KSYM, YoungIsotropy

__all__ = ["BlockLayout", "LinearMap", "transfer", "LAM", "generic_k"]

#: the split parameter λ in the symbolic maps
LAM = sympy.Symbol("lambda", positive=True)


def generic_k(H):
    """A concrete k at which every block of H has at least four points beyond its fixed
    part (so that a map computed there holds for every k)."""
    H = H if isinstance(H, YoungIsotropy) else YoungIsotropy(H)
    return max(H.min_k + 4, 8)


class BlockLayout:
    """The blocks of a Young group (d = k, teacher :math:`I_k`) at a concrete k, as lists of
    indices, with the operations of the embeddings.

    Parameters
    ----------
    H : str or YoungIsotropy
        The group (symbolic k).
    k0 : int
        The concrete k.

    Attributes
    ----------
    delta : list of [points, size]
        Δ-blocks: their points (row = column indices) and symbolic sizes.
    rows : list of [points, size]
        Blocks of equal rows.
    n0 : int
        Rows at k0.
    """

    def __init__(self, H, k0):
        H = H if isinstance(H, YoungIsotropy) else YoungIsotropy(H)
        if H.d != H.k:
            raise InputError(f"isotropy {H.label}: embeddings are implemented for d = k")
        self.H, self.k0 = YoungIsotropy(H.spec), int(k0)
        Hc = self.H.at(self.k0)
        rr = [list(map(int, r)) for r in Hc.row_ranges()]
        self.delta = [[rr[b], sympy.expand(self.H.row_sizes[b])] for b in range(Hc.n_delta)]
        self.rows = [[rr[i], sympy.expand(self.H.row_sizes[i])] for i in Hc.row_blocks]
        self.n0 = Hc.rows_at
        self.extra = self.H.extra

    # -------------------------------------------------------------- queries
    def rows_of(self, kind, i):
        """The points of Δ-block i (``"delta"``) or of row block i (``"row"``)."""
        return list((self.delta if kind == "delta" else self.rows)[i][0])

    def where(self, x):
        """``("delta", i)``, ``("row", i)`` or ``("single", None)`` for row x."""
        for kind, blocks in (("delta", self.delta), ("row", self.rows)):
            for i, (pts, _) in enumerate(blocks):
                if x in pts:
                    return kind, i
        return "single", None

    # -------------------------------------------------------------- operations
    def detach(self, x):
        """Take row x out of its block (for a Δ-block: its column too); a block left with
        fewer than two points dissolves into fixed points."""
        kind, i = self.where(x)
        if kind == "single":
            return
        blocks = self.delta if kind == "delta" else self.rows
        pts, size = blocks[i]
        pts.remove(x)
        blocks[i][1] = size = sympy.expand(size - 1)
        if size.is_Integer and int(size) < 2:
            del blocks[i]

    def add_row(self):
        """A new student row (a fixed point); returns its index."""
        self.n0 += 1
        self.extra += 1
        return self.n0 - 1

    def group(self, rows):
        """Make the given (fixed) rows one block of equal rows."""
        for x in rows:
            if self.where(x)[0] != "single":
                raise InputError(f"row {x} is already in a block")
        self.rows.append([list(rows), sympy.Integer(len(rows))])

    # -------------------------------------------------------------- results
    def spec(self):
        """The group as an :class:`~symcrit.symmetry.IsotropySpec` (symbolic sizes)."""
        delta = (tuple(s for _, s in self.delta),) if self.delta else ()
        return IsotropySpec(delta=delta, bare=(), rows=tuple(s for _, s in self.rows),
                            extra=self.extra)

    def isotropy(self):
        """The group as a symbolic :class:`~symcrit.symmetry.YoungIsotropy`."""
        return YoungIsotropy(self.spec())

    def orders(self):
        """Row and column orders that put a matrix with these blocks into the template of
        :class:`~symcrit.symmetry.FixedSpace`: Δ-blocks, blocks of equal rows, fixed rows;
        Δ-columns, the other teacher columns."""
        r = [x for pts, _ in self.delta for x in pts] + [x for pts, _ in self.rows for x in pts]
        rows = r + [x for x in range(self.n0) if x not in set(r)]
        c = [x for pts, _ in self.delta for x in pts]
        cols = c + [j for j in range(self.k0) if j not in set(c)]
        return rows, cols


@dataclass(frozen=True)
class LinearMap:
    r"""``ξ' = map(ξ, λ, u)``: per wide parameter either a narrow parameter times
    :math:`a + b\lambda` (``("xi", q, a, b)``), a free parameter of a new row
    (``("free", i)``) or zero (``("zero",)``); ``source``/``target`` are the groups."""
    source: str
    target: str
    terms: tuple
    marks: tuple = ()

    def mark(self, name):
        """The (row or column) block of G's template that a marked row or column of the
        build ended in."""
        for n, kind, b in self.marks:
            if n == name:
                return b
        raise KeyError(name)

    @property
    def free(self):
        """The number of free parameters (entries of new free rows)."""
        return sum(1 for t in self.terms if t[0] == "free")

    def __call__(self, xi, lam=None, u=(), ns=None):
        """The wide parameters (numbers of the type of ``xi``; ``ns``'s ``convert`` for the
        coefficients, Fractions otherwise)."""
        from fractions import Fraction
        conv = (lambda q: Fraction(q)) if ns is None else ns.convert
        out = []
        for t in self.terms:
            if t[0] == "xi":
                _, q, a, b = t
                c = conv(a) if b == 0 else conv(a) + conv(b) * lam
                out.append(c * xi[q])
            elif t[0] == "free":
                out.append(u[t[1]])
            else:
                out.append(conv(0) * (xi[0] if xi else 1))
        return out


def transfer(H, build, key):
    """The exact map from Fix(H) into the fixed space of the group that ``build`` makes.

    Parameters
    ----------
    H : str or YoungIsotropy
        The narrow group.
    build : callable
        ``build(layout, T)`` applies operations to a :class:`BlockLayout` of H at some k0
        and returns the new rows: a list, per new row index (``layout.add_row()``), of its
        content as ``(source row, coefficient)`` (coefficient a sympy expression in
        :data:`LAM`), ``"zero"`` or ``"free"``; a dict ``row → coefficient`` rescaling
        old rows; and optionally a dict of marks ``name → ("row", x)`` or ``("col", j)``
        whose blocks in the new template are recorded (:meth:`LinearMap.mark`).
    key : hashable
        Identifies ``build`` for the cache.

    Returns
    -------
    (YoungIsotropy, LinearMap)
        The new group (symbolic) and the map.

    Raises
    ------
    InputError
        The operations do not give a Young group whose template holds the new matrix.
    """
    Hs = H if isinstance(H, YoungIsotropy) else YoungIsotropy(H)
    ck = (Hs.spec, key)
    if ck not in _MAPS:
        _MAPS[ck] = _transfer(Hs.spec, build, key)
    return _MAPS[ck]


_MAPS = {}


def _transfer(spec, build, key):
    H = YoungIsotropy(spec)
    k0 = generic_k(H)
    G, terms, marks = _transfer_at(H, build, k0)
    G2, terms2, marks2 = _transfer_at(H, build, k0 + 1)
    if G2.label != G.label or terms2 != terms or marks2 != marks:   # pragma: no cover
        raise AssertionError(f"the map {key} from Fix({H.label}) depends on k")
    return G, LinearMap(H.label, G.label, terms, marks)


def _transfer_at(H, build, k0):
    F = FixedSpace(H)
    T = F.template(k0)
    lay = BlockLayout(H, k0)
    built = build(lay, T)
    new_rows, scale = built[:2]
    marks = built[2] if len(built) > 2 else {}
    n_old = T.shape[0]
    Wn = np.empty((lay.n0, k0), dtype=object)
    for x in range(n_old):
        Wn[x] = T[x] * scale.get(x, 1)
    free = {}
    for idx, content in new_rows.items():
        if content == "zero":
            Wn[idx] = sympy.Integer(0)
        elif content == "free":
            free[idx] = True
            Wn[idx] = sympy.Symbol(f"u{idx}")
        else:
            src, c = content
            Wn[idx] = T[src] * c
    G = lay.isotropy()
    rows, cols = lay.orders()
    M = Wn[rows][:, cols]
    FG = FixedSpace(G)
    TG = FG.template(k0)
    index = {s: i for i, s in enumerate(F.symbols)}
    terms, n_free = [], 0
    for p in FG.params:
        vals = {sympy.expand(v) for v in M[TG == p.symbol]}
        if len(vals) != 1:
            syms = {s for v in vals for s in v.free_symbols}
            if all(s.name.startswith("u") for s in syms) and syms:
                terms.append(("free", n_free))
                n_free += 1
                continue
            raise InputError(f"the operations do not give a point of Fix({G.label}): "
                             f"parameter {p.name} reads {sorted(map(str, vals))}")
        v = vals.pop()
        if v == 0:
            terms.append(("zero",))
            continue
        syms = [s for s in v.free_symbols if s != LAM]
        if len(syms) == 1 and syms[0].name.startswith("u"):
            terms.append(("free", n_free))
            n_free += 1
            continue
        if len(syms) != 1 or syms[0] not in index:   # pragma: no cover - a structural bug
            raise AssertionError(f"wide parameter {p.name} reads {v}")
        c = sympy.expand(v / syms[0])
        a, b = c.subs(LAM, 0), sympy.diff(c, LAM)
        if sympy.diff(b, LAM) != 0 or c.has(KSYM):   # pragma: no cover
            raise AssertionError(f"wide parameter {p.name} reads {v}")
        terms.append(("xi", index[syms[0]], sympy.Rational(a), sympy.Rational(b)))
    Gc = G.at(k0)
    rr, cr = Gc.row_ranges(), Gc.col_ranges()
    where = []
    for name, (kind, x) in sorted(marks.items()):
        pos = (rows if kind == "row" else cols).index(x)
        ranges = rr if kind == "row" else cr
        where.append((name, kind, next(b for b, r in enumerate(ranges) if pos in set(r))))
    return G, tuple(terms), tuple(where)
