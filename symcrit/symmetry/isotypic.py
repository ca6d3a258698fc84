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

from functools import lru_cache

import sympy

from ..core import InputError, is_integer, latex_array, sympy_latex
from .layout import Irrep, IsotypicComponent, Layout, k0_group, size_value
from .spec import D as DSYM, K as KSYM
from .young import YoungIsotropy

__all__ = ["Irrep", "IsotypicComponent", "IsotypicDecomposition", "Layout",
           "isotypic_decomposition", "size_value"]


def _size_text(e):
    return str(sympy.expand(e)).replace(" ", "")


# ---------------------------------------------------------------------------- the decomposition
class IsotypicDecomposition:
    r"""The isotypic decomposition of :math:`M(n,d)` under a Young-type ``H`` (symbolic k;
    n = k + m student rows, d = k or symbolic d).

    ``components`` lists, per irreducible :math:`[\lambda]\otimes\rho` that occurs, the number
    of copies and the dimension (a polynomial in k, and d); :meth:`layout` gives the exact
    basis data at a concrete size (used by :func:`symcrit.spectra.hessian_blocks`).

    Examples
    --------
    >>> dec = isotypic_decomposition("ΔS_{k-1}×S_2^r; n=k+1")      # a split neuron
    >>> [(c.label, c.copies) for c in dec.components]   # doctest: +NORMALIZE_WHITESPACE
    [('[k-1]⊗[2]', 5), ('[k-1]⊗[1,1]', 2), ('[k-2,1]⊗[2]', 5), ('[k-2,1]⊗[1,1]', 1),
     ('[k-3,2]⊗[2]', 1), ('[k-3,1,1]⊗[2]', 1)]
    >>> print(isotypic_decomposition("ΔS_{k-1}×S_{d-k}").latex(plain=True))
    M(k,d) ≅ 7 [k-1]⊗[d-k] ⊕ 2 [k-1]⊗[d-k-1,1] ⊕ 6 [k-2,1]⊗[d-k] ⊕ [k-2,1]⊗[d-k-1,1]
    ⊕ [k-3,2]⊗[d-k] ⊕ [k-3,1,1]⊗[d-k]
    """

    def __init__(self, H):
        if not isinstance(H, YoungIsotropy):
            H = YoungIsotropy(H)
        if not H.symbolic:
            H = YoungIsotropy(H.spec)
        sizes = [sympy.expand(s) for s in H.row_sizes[:H.n_delta]]
        big = [i for i, s in enumerate(sizes) if s.coeff(KSYM) == 1 and not s.has(DSYM)]
        if len(big) != 1 or any(not sizes[i].is_Integer for i in range(len(sizes))
                                if i != big[0]):
            raise InputError(f"isotropy {H.label}: need exactly one Δ block whose size grows "
                             "with k (like k, k-1, k-2) and blocks of fixed size otherwise")
        cols = [sympy.expand(H.col_sizes[j]) for j in H.bare_blocks]
        growing = [s for s in cols if not s.is_Integer]
        if any(not (s.coeff(DSYM) == 1 and s.coeff(KSYM) == -1) for s in growing) or \
                len(growing) > 1:
            raise InputError(f"isotropy {H.label}: column factors must have a fixed size or "
                             "the size d-k-c (one of them)")
        rows = [sympy.expand(H.row_sizes[i]) for i in H.row_blocks]
        if any(not s.is_Integer for s in rows):
            raise InputError(f"isotropy {H.label}: row factors must have a fixed size "
                             "(n - k is fixed)")
        if H.d != H.k and not H.d.has(DSYM):
            raise InputError(f"isotropy {H.label}: d must be k or the symbol d")
        self.H = H
        self.big_block = big[0]
        self.small_blocks = [i for i in range(H.n_delta) if i != big[0]]
        self.n = sizes[big[0]]
        self.c = int(sympy.expand(KSYM - self.n))          # k = n + c
        self.small_sizes = [int(sizes[i]) for i in self.small_blocks]
        self.col_sizes, self.row_sizes = cols, [int(s) for s in rows]
        #: d - k - (the size of the column factor growing with d), or None
        self.c_col = int(sympy.expand(DSYM - KSYM - growing[0])) if growing else None
        #: K0: S_{b-2} on every Δ-block, S_{b-1} on every row and column block
        self.k_group = k0_group(H, sizes, self.big_block, cols, rows)
        self.k_spec = self.k_group.label
        self._layouts = {}
        lay = self.layout(None)
        self.components = [c for c in lay.comps if c.copies]
        total = sympy.expand(sum(c.copies * c.irrep.dimension for c in self.components))
        if sympy.expand(total - self.shape[0] * self.shape[1]) != 0:   # pragma: no cover
            raise AssertionError(f"dimensions add up to {total}, not n·d")

    @property
    def shape(self):
        """(n, d) of M(n, d), sympy expressions in k (and d)."""
        return sympy.expand(KSYM + self.H.extra), (DSYM if self.H.d.has(DSYM) else KSYM)

    # -------------------------------------------------------------- layouts
    @property
    def generic_k_min(self):
        """Blocks by the generic layout (``K = S_{n-2}``) need real k > this (K's block size
        n-2 > 1, so that every Frobenius weight is positive)."""
        return self.c + 3

    def _generic_d(self, kk):
        return None if self.c_col is None else kk + self.c_col + 5

    def layout(self, k, d=None):
        """The combinatorial data for k (``None``: the generic layout, valid for real
        k > :attr:`generic_k_min`; an integer k at or below it: the dense layout at that k).
        Groups with a column factor growing with d take d as well (the dense layout when
        that factor has fewer than 3 columns)."""
        generic = k is None or not (is_integer(k) and int(k) <= self.generic_k_min)
        if self.c_col is not None and k is not None:
            if d is None:
                raise InputError(f"isotropy {self.H.label}: give d as well as k")
            if int(d) - float(k) - self.c_col < 3:
                if not is_integer(k):
                    raise InputError(f"isotropy {self.H.label}: at non-integer k the column "
                                     f"factor needs d - k - {self.c_col} >= 3")
                generic = False
        key = None if generic else (int(k), None if self.c_col is None else int(d))
        if key not in self._layouts:
            if key is None:
                lay = Layout(self, self.c + 7, "generic", self._generic_d(self.c + 7))
            else:
                lay = Layout(self, key[0], "dense", key[1])
            lay.comps = lay.components(self.n)
            self._layouts[key] = lay
        return self._layouts[key]

    def _shape_text(self, sep=", "):
        n, d = self.shape
        return f"M({_size_text(n)}{sep}{_size_text(d)})"

    # -------------------------------------------------------------- display
    def __iter__(self):
        return iter(self.components)

    def __len__(self):
        return len(self.components)

    def __repr__(self):
        return f"IsotypicDecomposition({self.H.label!r}: {self.latex(plain=True)})"

    def __str__(self):
        lines = [f"{self._shape_text()} under {self.H.label} (big factor S_n, n = "
                 f"{_size_text(self.n)}"
                 + (", small factors " + ", ".join(f"S_{m}" for m in self.small_sizes)
                    if self.small_sizes else "") + "):",
                 f"  {'irrep':<{self._w}} copies  dimension"]
        for c in self.components:
            lines.append(f"  {c.label:<{self._w}} {c.copies:>6d}  {c.dimension}")
        lines.append(f"  total dimension {sympy.expand(self.shape[0] * self.shape[1])}")
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
            return self._shape_text(",") + " ≅ " + " ⊕ ".join(parts)
        return self._shape_text(",") + r" \cong " + r" \oplus ".join(parts)

    def latex_table(self):
        r"""A LaTeX ``array`` (math mode): irreducible, copies, dimension.  Every cell is
        braced, so that rows starting with ``[k-2]`` are not read as ``\\[length]``.

        >>> print(isotypic_decomposition("ΔS_k").latex_table())
        \begin{array}{lrl}
        {\text{irrep}} & {\text{copies}} & {\dim} \\
        \hline
        {[k]} & {2} & {1} \\
        {[k-1,1]} & {3} & {k - 1} \\
        {[k-2,2]} & {1} & {\frac{{k} \left(k - 3\right)}{2}} \\
        {[k-2,1,1]} & {1} & {\frac{\left(k - 2\right) \left(k - 1\right)}{2}} \\
        \end{array}
        """
        return latex_array([r"\text{irrep}", r"\text{copies}", r"\dim"],
                           [[c.irrep.latex, str(c.copies), sympy_latex(c.dimension)]
                            for c in self.components], "lrl")

    def _repr_latex_(self):
        return f"${self.latex()}$"

    def to_json(self):
        """The decomposition as a JSON-ready dict: the group, the size n of its big
        factor, its small factors, every component (irreducible, copies, and the dimension
        of the irreducible, which is the multiplicity of each eigenvalue of its Hessian
        block: ``multiplicity_in_k``, a polynomial in k) and the LaTeX of the whole."""
        return {"isotropy": self.H.label, "n": _size_text(self.n),
                "small_factors": [f"S_{m}" for m in self.small_sizes],
                "components": [{"irrep": c.label, "latex": c.irrep.latex, "copies": c.copies,
                                "multiplicity_in_k": str(sympy.factor(c.dimension)).replace(
                                    " ", "")} for c in self.components],
                "total_dimension": str(sympy.expand(self.shape[0] * self.shape[1])),
                "latex": self.latex()}


@lru_cache(maxsize=None)
def _cached(spec):
    return IsotypicDecomposition(YoungIsotropy(spec))


def isotypic_decomposition(H: str | YoungIsotropy) -> IsotypicDecomposition:
    """The (cached) :class:`IsotypicDecomposition` of a Young-type isotropy group."""
    if isinstance(H, YoungIsotropy):
        return _cached(H.spec)
    return _cached(YoungIsotropy(H).spec)
