r"""Fixed-point spaces :math:`\mathrm{Fix}(H) = \{W : h\cdot W = W\ \forall h\in H\}`.

For a Young-type ``H`` the fixed space is described block by block (Arjevani & Field 2021,
"Symmetry & critical points for a model shallow neural network", Physica D, §4): on a
Δ-paired (row block, column block) of size ``n`` the entries are
:math:`a I_n + b (J_n - I_n)` (two parameters: diagonal and off-diagonal value); every
other (row block, column block) is constant (one parameter).  Parameters are named
``a, b, c, …`` in reading order (row blocks, then column blocks; diagonal before
off-diagonal), skipping ``k`` (and ``d`` when the group involves the symbol ``d``).

The Frobenius weight of a parameter is the number of entries of ``W`` it sets, so that
:math:`\|W(\xi)\|_F^2 = \sum_p w_p \xi_p^2`: the Gram matrix that turns Hessians in ξ into
eigenvalues of the full Hessian.

>>> F = FixedSpace("ΔS_{k-1}")
>>> F.dimension, F.names
(5, ['a', 'b', 'c', 'd', 'e'])
>>> F.weights
[k - 1, (k - 2)*(k - 1), k - 1, k - 1, 1]
>>> print(F)
Fix(ΔS_{k-1}), dimension 5, d = k:
  W = [[a I + b (J - I),  c 1],
       [d 1ᵀ,             e  ]]   blocks (k-1, 1) × (k-1, 1)
>>> F.template(4)[:, :2]
array([[a, b],
       [b, a],
       [b, b],
       [d, d]], dtype=object)
"""
from __future__ import annotations

import string
from fractions import Fraction
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy

from ..core import InputError, ShapeError, SympyConvertible
from ..core import get_system
from .spec import D
from .young import YoungIsotropy

__all__ = ["FixedSpace", "Parameter"]


@dataclass(frozen=True)
class Parameter:
    """One coordinate of Fix(H): the (row block, column block) it lives on, its kind
    (``diag``, ``off`` or ``const``) and its Frobenius weight."""
    symbol: sympy.Symbol
    row_block: int
    col_block: int
    kind: str
    weight: sympy.Expr

    @property
    def name(self):
        """The parameter's name (a letter: ``a``, ``b``, …; never ``k`` or ``d``)."""
        return self.symbol.name


def _letters(skip_d):
    bad = {"k"} | ({"d"} if skip_d else set())
    return [c for c in string.ascii_lowercase if c not in bad]


class FixedSpace(SympyConvertible):
    """The fixed space of a Young-type isotropy group (``spec`` text or ``YoungIsotropy``).

    A sympy object: :meth:`as_expr` is the block matrix W(ξ) with symbolic block sizes, so
    ``sympy.latex(F)`` and ``sympy.pretty(F)`` print it.
    """

    def __init__(self, H: Any, k: Any = None, d: Any = None) -> None:
        if not isinstance(H, YoungIsotropy):
            H = YoungIsotropy(H) if k is None else YoungIsotropy(H, k=k, d=d)
        self.H = H
        self._build()

    def _build(self):
        H = self.H
        letters = _letters(H.d == D or _uses_d(H))
        specs = []
        for a, ra in enumerate(H.row_sizes):
            for b, cb in enumerate(H.col_sizes):
                if H.pairs.get(a) == b:
                    specs.append((a, b, "diag", ra))
                    specs.append((a, b, "off", sympy.expand(ra * (ra - 1))))
                else:
                    specs.append((a, b, "const", sympy.expand(ra * cb)))
        if len(specs) <= len(letters):
            names = letters[:len(specs)]
        else:
            names = [f"x{i + 1}" for i in range(len(specs))]
        self.params = [Parameter(sympy.Symbol(n, real=True), a, b, kind, sympy.factor(w))
                       for n, (a, b, kind, w) in zip(names, specs)]
        self._index = {(p.row_block, p.col_block, p.kind): i for i, p in enumerate(self.params)}

    # ------------------------------------------------------------------ basics
    @property
    def dimension(self):
        """dim Fix(H): the number of parameters (independent of k)."""
        return len(self.params)

    @property
    def symbols(self):
        """The parameters as sympy Symbols, in order."""
        return [p.symbol for p in self.params]

    @property
    def names(self):
        """The parameters' names, in order."""
        return [p.name for p in self.params]

    @property
    def weights(self):
        """Frobenius weights (sympy expressions in k, d)."""
        return [p.weight for p in self.params]

    def weights_at(self, k, d=None, system="float"):
        """The weights at a value of k (real k allowed), as numbers of ``system``."""
        ns = get_system(system)
        sub = self._subs(k, d)
        return [ns.convert(_num(w.subs(sub))) for w in self.weights]

    def _subs(self, k, d=None):
        sub = {}
        if self.H.k.is_Symbol:
            sub[self.H.k] = k
        if self.H.d.is_Symbol and self.H.d != self.H.k:
            if d is None:
                raise InputError(f"isotropy {self.H.label}: give d as well as k")
            sub[self.H.d] = d
        return sub

    def param(self, row_block, col_block, kind=None):
        """The parameter living on a (row block, column block); kind for paired blocks."""
        if kind is None:
            kind = "diag" if self.H.pairs.get(row_block) == col_block else "const"
        return self.params[self._index[(row_block, col_block, kind)]]

    # ------------------------------------------------------------------ W(ξ)
    def template(self, k=None, d=None):
        """W(ξ) as a numpy object array of the parameter symbols (integer k)."""
        H = self._concrete(k, d)
        rows, cols = H.row_ranges(), H.col_ranges()
        W = np.empty((H.rows_at, int(H.d)), dtype=object)
        for p in self.params:
            r, c = rows[p.row_block], cols[p.col_block]
            if p.kind == "const":
                W[np.ix_(r, c)] = p.symbol
            elif p.kind == "diag":
                W[r, c] = p.symbol
            else:
                block = W[np.ix_(r, c)]
                mask = ~np.eye(len(r), dtype=bool)
                block[mask] = p.symbol
                W[np.ix_(r, c)] = block
        return W

    def _concrete(self, k, d):
        if k is None:
            if self.H.symbolic:
                raise InputError(f"Fix({self.H.label}): give an integer k for the matrix W")
            return self.H
        if int(k) != k:
            raise InputError(f"W(ξ) needs an integer k, got {k}")
        return self.H.at(int(k), d)

    def embed(self, xi, k=None, d=None, system="float"):
        """The point W(ξ) for an integer k, as an array of ``system``'s numbers."""
        ns = get_system(system)
        xi = self._check_xi(xi)
        T = self.template(k, d)
        index = {p.symbol: i for i, p in enumerate(self.params)}
        vals = ns.asarray(list(xi))
        out = np.empty(T.shape, dtype=object)
        for (i, j), s in np.ndenumerate(T):
            out[i, j] = vals[index[s]]
        return out.astype(ns.dtype)

    def shape_args(self, shape):
        """``(k, d)`` for :meth:`template` from the shape (n, d) of a matrix W (d None when
        the group has d = k); InputError when W cannot be a point of this space.

        >>> FixedSpace("ΔS_{k-1}×S_2^r; n=k+1").shape_args((7, 6))
        (6, None)
        """
        n, d = shape
        k = n - self.H.extra
        if self.H.d == self.H.k:
            if d != k:
                raise InputError(f"Fix({self.H.label}) holds {self._shape_text()} matrices; "
                                 f"got {n} × {d}")
            return k, None
        return k, d

    def _shape_text(self):
        n = "k" if not self.H.extra else f"(k{self.H.extra:+d})"
        return f"{n} × {'k' if self.H.d == self.H.k else 'd'}"

    def project(self, W, system="float"):
        """The orthogonal projection of W onto Fix(H), as parameters ξ (entry averages)."""
        ns = get_system(system)
        W = ns.asarray(W)
        T = self.template(*self.shape_args(W.shape))
        out = []
        for p in self.params:
            mask = T == p.symbol
            vals = W[mask]
            out.append(vals.sum() / len(vals))
        return out

    def _check_xi(self, xi):
        xi = list(xi.values()) if isinstance(xi, dict) else list(xi)
        if len(xi) != self.dimension:
            raise ShapeError(f"Fix({self.H.label}) has dimension {self.dimension} "
                             f"({', '.join(self.names)}); got {len(xi)} values")
        return xi

    def contains(self, W, tol=None):
        """Whether W lies in Fix(H) (within ``tol`` in the max norm; default: round-off,
        1e-12 relative)."""
        W = np.asarray(W, dtype=float)
        xi = self.project(W)
        T = self.template(*self.shape_args(W.shape))
        index = {p.symbol: i for i, p in enumerate(self.params)}
        back = np.vectorize(lambda s: float(xi[index[s]]), otypes=[float])(T)
        if tol is None:
            tol = 1e-12 * max(1.0, float(np.max(np.abs(W))))
        return float(np.max(np.abs(W - back))) <= tol

    # ------------------------------------------------------------------ orbits
    def orbits(self, k=None, d=None):
        """The H-orbits of matrix entries, computed from generators with networkx
        (an independent check of the block description).  Returns a list of sets of
        (row, column) pairs, sorted by their first entry."""
        import networkx as nx          # (networkx loads slowly: on use)
        H = self._concrete(k, d)
        kk, dd = H.rows_at, int(H.d)
        G = nx.Graph()
        G.add_nodes_from((i, j) for i in range(kk) for j in range(dd))
        for pi, rho in H.generators():
            for i in range(kk):
                for j in range(dd):
                    G.add_edge((i, j), (int(pi[i]), int(rho[j])))
        comps = [set(c) for c in nx.connected_components(G)]
        return sorted(comps, key=min)

    # ------------------------------------------------------------------ display
    def _entry(self, a, b, style):
        H = self.H
        ra, cb = H.row_sizes[a], H.col_sizes[b]
        if H.pairs.get(a) == b:
            x, y = self.param(a, b, "diag").name, self.param(a, b, "off").name
            return f"{x} I + {y} (J - I)"
        c = self.param(a, b).name
        if ra == 1 and cb == 1:
            return c
        if cb == 1:
            return f"{c} 1"
        if ra == 1:
            return f"{c} 1ᵀ" if style == "unicode" else rf"{c}\,\mathbf{{1}}^\top"
        return f"{c} J"

    def block_matrix(self):
        """The block description: a list of rows of entry strings."""
        H = self.H
        return [[self._entry(a, b, "unicode") for b in range(len(H.col_sizes))]
                for a in range(len(H.row_sizes))]

    def __str__(self):
        H = self.H
        rows = self.block_matrix()
        widths = [max(len(r[j]) for r in rows) for j in range(len(rows[0]))]
        lines = []
        for i, r in enumerate(rows):
            n = len(r)
            cells = "  ".join((c + ",").ljust(w + 1) if j < n - 1 else c.ljust(w)
                              for j, (c, w) in enumerate(zip(r, widths)))
            lead = "  W = [[" if i == 0 else "       ["
            lines.append(lead + cells + ("]]" if i == len(rows) - 1 else "],"))
        sz = lambda xs: "(" + ", ".join(str(s).replace(" ", "") for s in xs) + ")"
        if H.d == H.k:
            size = "d = k" if isinstance(H.k, sympy.Symbol) else f"k = d = {H.k}"
        else:
            size = ", ".join(f"{n} = {v}" for n, v in (("k", H.k), ("d", H.d))
                             if not isinstance(v, sympy.Symbol)) or "d > k"
        if H.extra:
            size += f", n = {str(H.n).replace(' ', '')}"
        head = f"Fix({H.label}), dimension {self.dimension}, {size}:"
        lines[-1] += f"   blocks {sz(H.row_sizes)} × {sz(H.col_sizes)}"
        return "\n".join([head] + lines)

    def __repr__(self):
        return f"FixedSpace({self.H.label!r}, dimension={self.dimension})"

    def latex(self):
        """LaTeX of the block matrix W(ξ)."""
        H = self.H
        cells = []
        for a in range(len(H.row_sizes)):
            row = []
            for b in range(len(H.col_sizes)):
                e = self._entry(a, b, "latex")
                e = e.replace("(J - I)", "(J - I)").replace(" 1", r"\,\mathbf{1}")
                row.append(e)
            cells.append(" & ".join(row))
        return r"W = \begin{pmatrix}" + r" \\ ".join(cells) + r"\end{pmatrix}"

    def _repr_latex_(self):
        return f"${self.latex()}$"

    def as_expr(self):
        r"""W(ξ) as a sympy ``BlockMatrix`` with the block sizes symbolic in k:
        :math:`aI + b(J - I)` on a Δ-block (``Identity``, ``OneMatrix``), :math:`cJ`
        elsewhere.

        >>> F = FixedSpace("ΔS_{k-1}")
        >>> W = F.as_expr()
        >>> W.shape
        (k, k)
        >>> W.subs(F.H.k, 3).as_explicit()
        Matrix([
        [a, b, c],
        [b, a, c],
        [d, d, e]])
        """
        H = self.H
        blocks = [[None] * len(H.col_sizes) for _ in H.row_sizes]
        for p in self.params:
            ra, cb = H.row_sizes[p.row_block], H.col_sizes[p.col_block]
            if p.kind == "diag":
                term = p.symbol * sympy.Identity(ra)
            elif p.kind == "off":
                term = p.symbol * (sympy.OneMatrix(ra, ra) - sympy.Identity(ra))
            else:
                term = p.symbol * sympy.OneMatrix(ra, cb)
            cur = blocks[p.row_block][p.col_block]
            blocks[p.row_block][p.col_block] = term if cur is None else cur + term
        return sympy.BlockMatrix(blocks)


def _uses_d(H):
    return any(s.has(D) for s in H.row_sizes + H.col_sizes)


def _num(expr):
    """An exact number (int, Fraction) for a rational sympy number, else a 60-digit Float."""
    if expr.free_symbols:
        raise InputError(f"cannot evaluate {expr} without values for {expr.free_symbols}")
    if expr.is_Integer:
        return int(expr)
    if expr.is_Rational:
        return Fraction(int(expr.p), int(expr.q))
    return sympy.Float(expr, 60)
