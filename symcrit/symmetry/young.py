r"""Young-type isotropy subgroups of :math:`\Gamma = S_k \times S_d` and the symmetry group.

``Γ`` acts on :math:`W\in M(k,d)` by :math:`(\pi,\rho)\cdot W = P_\pi W P_\rho^\top`
(Arjevani & Field 2020, "Analytic characterization of the Hessian in shallow ReLU models:
a tale of symmetry", NeurIPS; Arjevani & Field 2021, "Symmetry & critical points for a
model shallow neural network", Physica D).  For the teacher :math:`V = [I_k\,|\,0]` with
unit weights the loss is invariant under the stabiliser of the teacher, which is
:math:`S_k \times (S_k \times S_{d-k})` (all of :math:`S_k\times S_d` when d = k).

A Young-type subgroup ``H`` is given by blocks: row blocks ``R_i`` and column blocks
``C_j``; a Δ-block pairs a row block with a column block of the same size and acts on both
by the same permutation; a bare ``S_m`` permutes a block of (non-teacher) columns alone;
the remaining rows and columns are fixed points (singleton blocks).  Block order is:
Δ blocks, the remaining teacher rows/columns one by one, the bare column blocks, then any
remaining non-teacher columns one by one.

**Wider students** (``n = k + m`` rows, Arjevani & Field 2022, "Annihilation of spurious
minima in two-layer ReLU networks", NeurIPS, arXiv:2210.06088): the group sits in
:math:`S_n\times S_d`; a factor ``S_m^r`` permutes a block of rows alone (the rows are
equal).  Row order is then: Δ blocks, the row-alone blocks, the remaining rows one by one.

>>> H = YoungIsotropy("ΔS_{k-1}")
>>> H
YoungIsotropy('ΔS_{k-1}', k=k, d=k)
>>> H.row_sizes, H.col_sizes, H.min_k
([k - 1, 1], [k - 1, 1], 3)
>>> len(H.at(5).generators())
2
>>> G = YoungIsotropy("ΔS_{k-1}×S_2^r; n=k+1")
>>> G.row_sizes, G.col_sizes, G.n, G.min_k, G.order()
([k - 1, 2], [k - 1, 1], k + 1, 3, 2*factorial(k - 1))
"""
from __future__ import annotations

from functools import cached_property
from typing import Any

import numpy as np
import sympy

from ..core import InputError, SpecError
from .spec import D, K, IsotropySpec, parse_spec

__all__ = ["YoungIsotropy", "SymmetryGroup", "isotropy", "young_order", "wider_isotropy"]


def _as_size(x, name):
    if isinstance(x, (int, np.integer)):
        if x < 1:
            raise InputError(f"{name} must be a positive integer, got {x}")
        return sympy.Integer(int(x))
    if isinstance(x, sympy.Basic):
        return x
    raise InputError(f"{name} must be an integer or a sympy symbol, got {x!r}")


def _size_text(e):
    return str(sympy.expand(e)).replace(" ", "")


def _const_int(expr, what, label):
    expr = sympy.expand(expr)
    if not expr.is_Integer:
        raise SpecError(f"isotropy {label}: {what} is {expr}, which must be a fixed number "
                        "(the blocks must fill all but finitely many rows and columns)")
    return int(expr)


class YoungIsotropy:
    """A Young-type isotropy subgroup for the canonical teacher ``[I_k | 0]``.

    ``YoungIsotropy(spec, k=K, d=None)``: ``spec`` is text (see
    :func:`~symcrit.symmetry.spec.parse_spec`) or an ``IsotropySpec``; ``k`` and ``d`` are
    integers or sympy symbols (default: symbolic ``k``, and ``d = k`` unless the spec
    mentions ``d``).
    """

    def __init__(self, spec: str | IsotropySpec, k: Any = K, d: Any = None) -> None:
        self.text = spec if isinstance(spec, str) else None
        self.spec = parse_spec(spec) if isinstance(spec, str) else spec
        if not isinstance(self.spec, IsotropySpec):
            raise SpecError(f"not an isotropy spec: {spec!r}")
        self.k = _as_size(k, "k")
        uses_d = any(s.has(D) for s in self._all_sizes())
        if d is None:
            if uses_d and not self.k.is_Integer:
                d = D
            elif uses_d:
                raise InputError(f"isotropy {self.label}: the spec involves d; give d as well "
                                 "as k")
            else:
                d = self.k
        self.d = _as_size(d, "d")
        self._build()

    def _all_sizes(self):
        return [s for f in self.spec.delta for s in f] + list(self.spec.bare) + \
            list(self.spec.rows)

    @property
    def extra(self):
        """n − k: the student rows beyond the k teacher neurons (a fixed integer)."""
        return self.spec.extra

    @property
    def n(self):
        """The number of student rows, ``k + extra`` (sympy)."""
        return sympy.expand(self.k + self.spec.extra)

    # ------------------------------------------------------------------ structure
    def _build(self):
        sub = {K: self.k, D: self.d}
        delta = [sympy.expand(s.subs(sub)) for f in self.spec.delta for s in f]
        bare = [sympy.expand(s.subs(sub)) for s in self.spec.bare]
        rowb = [sympy.expand(s.subs(sub)) for s in self.spec.rows]
        label = self.label
        rest_rows = _const_int(self.k - sum(delta), "the number of rows outside the Δ blocks",
                               label)
        if rest_rows < 0:
            raise SpecError(f"isotropy {label}: the Δ blocks need more than k rows")
        free_rows = _const_int(self.k + self.extra - sum(delta) - sum(rowb),
                               "the number of rows outside the Δ and row blocks", label)
        if free_rows < 0:
            raise SpecError(f"isotropy {label}: the Δ and row blocks need more than "
                            f"n = {_size_text(self.n)} rows (write '; n=k+m' for m extra "
                            "student rows)")
        extra = self.d - self.k - sum(bare)
        if extra.has(D) and self.d == D and not bare:
            extra = sympy.Integer(0)
        rest_cols = _const_int(extra, "the number of non-teacher columns outside the bare S "
                               "blocks", label)
        if rest_cols < 0:
            raise SpecError(f"isotropy {label}: the bare S blocks need more than d-k columns")
        self.row_sizes = delta + rowb + [sympy.Integer(1)] * free_rows
        self.col_sizes = delta + [sympy.Integer(1)] * rest_rows + bare + \
            [sympy.Integer(1)] * rest_cols
        self.pairs = {i: i for i in range(len(delta))}           # row block -> column block
        self.n_delta = len(delta)
        self.teacher_cols = len(delta) + rest_rows                # column blocks of I_k
        self.bare_blocks = list(range(self.teacher_cols, self.teacher_cols + len(bare)))
        #: the row blocks permuted alone (equal rows)
        self.row_blocks = list(range(len(delta), len(delta) + len(rowb)))
        # validity: Δ blocks need size >= 2 (diagonal and off-diagonal entries both exist)
        self._constraints = [(s, 2) for s in delta] + [(s, 1) for s in bare] + \
            [(s, 2) for s in rowb]
        generic = [s for f in self.spec.delta for s in f]
        self.min_k = self._min_k([(s, 2) for s in generic] + [(s, 1) for s in self.spec.bare]
                                 + [(s, 2) for s in self.spec.rows])
        if self.k.is_Integer:
            for s, lo in self._constraints:
                if int(s) < lo:
                    raise InputError(f"isotropy {label} needs k >= {self.min_k}"
                                     f"{' and larger d' if s.has(D) else ''}: "
                                     f"a block has size {s} at k = {self.k}, d = {self.d}")

    @staticmethod
    def _min_k(constraints):
        lo = 1
        for s, bound in constraints:
            if s.has(D) or not s.has(K):
                continue
            a = s.coeff(K)
            b = s - a * K
            if a > 0:
                lo = max(lo, int(sympy.ceiling((bound - b) / a)))
        return lo

    # ------------------------------------------------------------------ labels
    def _fmt(self, style):
        def one(s):
            t = str(s).replace(" ", "")
            return f"S_{{{t}}}" if len(t) > 1 else f"S_{t}"
        times = {"unicode": "×", "ascii": "x", "latex": r"\times "}[style]
        delta = {"unicode": "Δ", "ascii": "D", "latex": r"\Delta "}[style]
        parts = []
        for f in self.spec.delta:
            inner = times.join(one(s) for s in f)
            parts.append(f"{delta}({inner})" if len(f) > 1 else f"{delta}{inner}")
        parts += [one(s) for s in self.spec.bare]
        parts += [one(s) + ("^{r}" if style == "latex" else "^r") for s in self.spec.rows]
        out = times.join(parts)
        if self.spec.extra:
            m = self.spec.extra
            n = f"k{'+' if m > 0 else '-'}{abs(m)}"
            out += rf";\ n={n}" if style == "latex" else f"; n={n}"
        return out

    @cached_property
    def label(self):
        """The spec in the papers' notation, e.g. ``Δ(S_{k-2}×S_2)``, or
        ``ΔS_{k-1}×S_2^r; n=k+1`` for a wider student."""
        return self._fmt("unicode")

    @cached_property
    def ascii(self):
        """The label in ASCII, e.g. ``D(S_{k-2}xS_2)`` (what the command line accepts too)."""
        return self._fmt("ascii")

    @cached_property
    def latex(self):
        """The label in LaTeX, e.g. ``\\Delta (S_{k-2}\\times S_2)``."""
        return self._fmt("latex")

    def __repr__(self):
        return f"YoungIsotropy({self.label!r}, k={self.k}, d={self.d})"

    def _repr_latex_(self):
        return f"${self.latex}$"

    def __eq__(self, other):
        return (isinstance(other, YoungIsotropy) and self.spec == other.spec
                and self.k == other.k and self.d == other.d)

    def __hash__(self):
        return hash((self.spec, self.k, self.d))

    @property
    def symbolic(self):
        """True when k or d is a symbol (the group of a family, for every k)."""
        return not (self.k.is_Integer and self.d.is_Integer)

    def at(self, k, d=None):
        """The same group for an integer k (and d; default d = k, or d - k as before)."""
        if d is None:
            if self.d == self.k or self.d == K:
                d = k
            elif self.d.has(K) or self.d.has(D):
                raise InputError(f"isotropy {self.label}: give d as well as k")
            else:
                d = int(self.d)
        return YoungIsotropy(self.spec, k=int(k), d=int(d))

    # ------------------------------------------------------------------ concrete group
    def _require_concrete(self):
        if self.symbolic:
            raise InputError(f"isotropy {self.label}: this needs an integer k (use .at(k))")

    @property
    def rows_at(self):
        """The number of student rows n (integer k only)."""
        self._require_concrete()
        return int(self.k) + self.extra

    def row_ranges(self):
        """Row indices of each row block (integer k only)."""
        self._require_concrete()
        return _ranges([int(s) for s in self.row_sizes])

    def col_ranges(self):
        """Column indices of each column block (integer k only)."""
        self._require_concrete()
        return _ranges([int(s) for s in self.col_sizes])

    def generators(self):
        """Generators ``(π, ρ)`` of H (arrays: row and column permutations)."""
        self._require_concrete()
        k, d = self.rows_at, int(self.d)
        rows, cols = self.row_ranges(), self.col_ranges()
        gens = []
        for i in range(self.n_delta):
            for cyc in _sym_generators(rows[i]):
                pi, rho = np.arange(k), np.arange(d)
                pi[rows[i]] = pi[rows[i]][cyc]
                rho[cols[i]] = rho[cols[i]][cyc]
                gens.append((pi, rho))
        for j in self.bare_blocks:
            for cyc in _sym_generators(cols[j]):
                pi, rho = np.arange(k), np.arange(d)
                rho[cols[j]] = rho[cols[j]][cyc]
                gens.append((pi, rho))
        for i in self.row_blocks:
            for cyc in _sym_generators(rows[i]):
                pi, rho = np.arange(k), np.arange(d)
                pi[rows[i]] = pi[rows[i]][cyc]
                gens.append((pi, rho))
        return gens

    def random_element(self, rng):
        """A uniformly random element ``(π, ρ)`` of H."""
        self._require_concrete()
        k, d = self.rows_at, int(self.d)
        rows, cols = self.row_ranges(), self.col_ranges()
        pi, rho = np.arange(k), np.arange(d)
        for i in range(self.n_delta):
            p = rng.permutation(len(rows[i]))
            pi[rows[i]] = rows[i][p]
            rho[cols[i]] = cols[i][p]
        for j in self.bare_blocks:
            rho[cols[j]] = cols[j][rng.permutation(len(cols[j]))]
        for i in self.row_blocks:
            pi[rows[i]] = rows[i][rng.permutation(len(rows[i]))]
        return pi, rho

    def order(self):
        """The order :math:`|H|` as a sympy expression (a product of factorials, :func:`young_order`)."""
        return young_order(list(self.row_sizes[:self.n_delta])
                           + [self.col_sizes[j] for j in self.bare_blocks]
                           + [self.row_sizes[i] for i in self.row_blocks])

    @classmethod
    def from_delta_sizes(cls, sizes, k):
        r"""The Young Δ-group at the integer ``k`` (d = k) with Δ-blocks of the given sizes
        (each at least 2; the other rows and columns are fixed one by one), written as in
        the papers: the largest block as :math:`S_{k-r}`, the others by their sizes.

        Parameters
        ----------
        sizes : list of int
            Sizes of the Δ-blocks, in any order.
        k : int
            The number of rows (= columns).

        Returns
        -------
        YoungIsotropy

        Raises
        ------
        InputError
            No block, a block smaller than 2, or blocks filling more than k rows.

        Examples
        --------
        >>> [YoungIsotropy.from_delta_sizes(s, 10).label
        ...  for s in ([9], [2, 8], [10], [5, 5])]
        ['ΔS_{k-1}', 'Δ(S_{k-2}×S_2)', 'ΔS_k', 'Δ(S_{k-5}×S_5)']
        >>> H = YoungIsotropy.from_delta_sizes([12, 14], 30)
        >>> H.label, H.order() == young_order([14, 12])
        ('Δ(S_{k-16}×S_{12})', True)
        """
        sizes = sorted((int(s) for s in sizes), reverse=True)
        if not sizes or sizes[-1] < 2 or sum(sizes) > k:
            raise InputError(f"Δ-blocks of sizes {sizes} do not form a Young Δ-group at "
                             f"k = {k}")
        first = K - (int(k) - sizes[0])
        spec = IsotropySpec(delta=((first,) + tuple(sympy.Integer(s) for s in sizes[1:]),),
                            bare=())
        return cls(spec, k=int(k))


def wider_isotropy(delta_sizes, row_sizes, k, n, d=None):
    r"""The Young group of a wider student at integer k, n (teacher :math:`I_k`, d = k
    unless given): Δ-blocks of the given sizes (each at least 2), blocks of equal rows
    (row-alone factors :math:`S_m^r`, each at least 2) and ``n`` student rows, written as
    in the papers (the largest Δ-block as :math:`S_{k-r}`).

    Parameters
    ----------
    delta_sizes, row_sizes : list of int
    k, n : int
        Teacher neurons (= columns) and student rows.

    Returns
    -------
    YoungIsotropy

    Raises
    ------
    InputError
        A block smaller than 2, or blocks that do not fit.

    Examples
    --------
    >>> wider_isotropy([5], [2], 6, 7).label
    'ΔS_{k-1}×S_2^r; n=k+1'
    >>> wider_isotropy([6], [], 6, 6).label, wider_isotropy([], [2], 3, 4).label
    ('ΔS_k', 'S_2^r; n=k+1')
    """
    delta = sorted((int(s) for s in delta_sizes), reverse=True)
    rows = sorted((int(s) for s in row_sizes), reverse=True)
    k, n = int(k), int(n)
    if any(s < 2 for s in delta + rows) or sum(delta) > k or sum(delta) + sum(rows) > n:
        raise InputError(f"Δ-blocks {delta} and row blocks {rows} do not form a Young group "
                         f"at k = {k}, n = {n}")
    factors = ()
    if delta:
        factors = ((K - (k - delta[0]),) + tuple(sympy.Integer(s) for s in delta[1:]),)
    spec = IsotropySpec(delta=factors, bare=(), rows=tuple(sympy.Integer(s) for s in rows),
                        extra=n - k)
    return YoungIsotropy(spec, k=k, d=d)


def young_order(sizes):
    r"""The order :math:`\prod_i s_i!` of a Young group: the product of the symmetric groups
    of blocks of sizes :math:`s_i` (Δ-blocks count once: one permutation acts on a block of
    rows and its partner block of columns).

    Parameters
    ----------
    sizes : iterable of int or sympy expressions
        Block sizes; symbolic sizes (in ``k``, ``d``) give a symbolic order.

    Returns
    -------
    sympy.Expr
        The order (a sympy Integer for integer sizes).

    Examples
    --------
    >>> young_order([8, 2]), young_order([]), young_order([K - 1])
    (80640, 1, factorial(k - 1))
    """
    out = sympy.Integer(1)
    for s in sizes:
        out *= sympy.factorial(s)
    return out


def _ranges(sizes):
    out, start = [], 0
    for s in sizes:
        out.append(np.arange(start, start + s))
        start += s
    return out


def _sym_generators(idx):
    """Index permutations (as positions) generating S_n: a transposition and an n-cycle."""
    n = len(idx)
    if n < 2:
        return []
    t = np.arange(n)
    t[[0, 1]] = [1, 0]
    c = np.roll(np.arange(n), -1)
    return [t] if n == 2 else [t, c]


def act(g, W):
    r"""The action :math:`(\pi,\rho)\cdot W = P_\pi W P_\rho^\top`, i.e. row ``π(i)`` of the
    result is row ``i`` of W with its columns moved by ρ.

    >>> W = np.arange(6).reshape(2, 3)
    >>> act((np.array([1, 0]), np.array([0, 2, 1])), W)
    array([[3, 5, 4],
           [0, 2, 1]])
    """
    pi, rho = g
    W = np.asarray(W)
    out = np.empty_like(W)
    out[np.ix_(pi, rho)] = W
    return out


class SymmetryGroup:
    r"""The group of row and column permutations that leaves the loss invariant.

    Row permutations must preserve α; column permutations ρ must map the teacher to itself
    up to a β-preserving permutation of its neurons.  For the canonical teacher this is
    :math:`S_k\times S_k\times S_{d-k}` (:math:`S_k\times S_d` when d = k).

    >>> G = SymmetryGroup.canonical(4)
    >>> G
    SymmetryGroup(S_4 × S_4)
    >>> g = G.random_element(np.random.default_rng(1))
    >>> G.contains(g)
    True
    """

    def __init__(self, V: Any, alpha: Any = None, beta: Any = None) -> None:
        self.V = np.asarray(V, dtype=float)
        self.k_t, self.d = self.V.shape
        self.alpha = None if alpha is None else np.asarray(alpha, dtype=float)
        self.beta = np.ones(self.k_t) if beta is None else np.asarray(beta, dtype=float)

    @classmethod
    def canonical(cls, k, d=None):
        """The symmetry group of the canonical problem (teacher ``[I_k | 0]``, unit
        weights): :math:`S_k \\times S_k \\times S_{d-k}`."""
        from ..model.loss import canonical_teacher
        return cls(canonical_teacher(k, d))

    def __repr__(self):
        k_t, d = self.k_t, self.d
        ident = np.array_equal(self.V, np.eye(k_t, d))
        if ident and self.alpha is None and np.all(self.beta == 1):
            if d == k_t:
                return f"SymmetryGroup(S_{k_t} × S_{d})"
            return f"SymmetryGroup(S_k × S_{k_t} × S_{d - k_t})"
        return f"SymmetryGroup(stabiliser of a {k_t} × {d} teacher)"

    def contains(self, g, k=None):
        """True when the element ``g = (π, ρ)`` (row and column permutations, arrays)
        leaves the loss invariant: π preserves α, and ρ maps the teacher's rows to a
        β-preserving permutation of themselves."""
        pi, rho = g
        if self.alpha is not None and not np.allclose(self.alpha[pi], self.alpha):
            return False
        Vr = act((np.arange(self.k_t), rho), self.V)
        # rows of Vr must be a beta-preserving permutation of the rows of V
        used = set()
        for i in range(self.k_t):
            hit = [j for j in range(self.k_t) if j not in used
                   and np.allclose(Vr[i], self.V[j]) and self.beta[i] == self.beta[j]]
            if not hit:
                return False
            used.add(hit[0])
        return True

    def random_element(self, rng, k=None):
        """A random element (canonical teacher with unit weights: uniform)."""
        k = self.k_t if k is None else k
        pi = rng.permutation(k) if self.alpha is None else np.arange(k)
        ident = np.array_equal(self.V, np.eye(self.k_t, self.d)) and np.all(self.beta == 1)
        if not ident:
            raise InputError("random elements are implemented for the canonical teacher")
        rho = np.concatenate([rng.permutation(self.k_t),
                              self.k_t + rng.permutation(self.d - self.k_t)])
        return pi, rho

    def act(self, g, W):
        """The action :math:`(\\pi, \\rho)\\cdot W = P_\\pi W P_\\rho^\\top` (:func:`act`)."""
        return act(g, W)


def isotropy(spec: str | IsotropySpec, k: Any = K, d: Any = None) -> YoungIsotropy:
    """Shorthand for :class:`YoungIsotropy`."""
    return YoungIsotropy(spec, k=k, d=d)
