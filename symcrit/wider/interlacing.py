r"""Descent directions at split points by Cauchy interlacing, and their curvature.

Split row :math:`w = w_J` of a critical point W into :math:`u = \lambda w`,
:math:`v = (1-\lambda) w`.  On the subspace Q of the directions
:math:`Z = (\delta, -\delta)/\sqrt 2` on the two new rows (zero elsewhere) the Hessian of
the wide loss is, exactly,

.. math::

    Q^\top \nabla^2 L\, Q = \frac{M(w)}{2\lambda(1-\lambda)},\qquad
    M(w) = \nabla^2_{ww} L(W) - \tfrac12 I
         = \sum_{i\ne J} \nabla^2_{uu}K(w, w_i) - \sum_j \nabla^2_{uu}K(w, v_j):

the first-order change of the network vanishes along Z, and of the second-order terms only
the curvature of the ReLU kinks of the two rows survives, :math:`\nabla^2_{uu}K` being
homogeneous of degree −1 in u (:math:`1/\lambda + 1/(1-\lambda)`), while
:math:`\nabla^2_{uv}K(u, v) = I/2` for parallel rows.  ``M(w)`` involves the narrow point
only, away from the parallel pair.  By Cauchy's interlacing theorem for the compression
:math:`Q^\top H Q` (Arjevani & Field 2022, "Annihilation of spurious minima in two-layer
ReLU networks", NeurIPS, arXiv:2210.06088, §5):

.. math::

    \lambda_{\min}(\nabla^2 L) \le \frac{\lambda_{\min}(M)}{2\lambda(1-\lambda)},\qquad
    \operatorname{index}(\nabla^2 L) \ge \#\{\text{negative eigenvalues of } M\},

so one negative eigenvalue of M proves a descent direction for every λ ∈ (0, 1).  At
λ = 1/2 the transposition of the two rows is a symmetry, Q is the sign component of that
:math:`S_2^r` and the eigenvalues of M, doubled, *are* eigenvalues of the wide Hessian
(in its blocks :math:`[\cdot]\otimes[1,1]`).

**Cost independent of k.**  M commutes with the column action of the stabiliser of row J in
H, so :math:`\mathbb{R}^d` splits into the constants on the stabiliser's column blocks (one
small block, the compression onto them) and, per block of s ≥ 2 columns, the standard
representation :math:`[s-1,1]`, on which M is the scalar :math:`M_{pp} - M_{pq}`
(multiplicity s − 1).  All of it is read off the Hessian of the restricted loss of a
subgroup of H that sets row J and two columns of each block apart.

>>> c = neuron_curvature("type-A", k=8, J=8, dps=20)
>>> [(b.component, str(b.multiplicity), len(b.eigenvalues)) for b in c.blocks]
[('constant on the column blocks', '1', 2), ('[s-1,1] of the columns 1…k-1', 'k - 2', 1)]
>>> c.negative_count
7
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import mpmath
import numpy as np
import sympy

from ..core import (InputError, check_dps, dec, generalized_eigh, get_system, guard_digits,
                    is_integer, workdps)
from ..restricted import restricted_loss
from ..spectra import multiplicity_value
from ..symmetry import Irrep, size_value
from .blocks import BlockLayout, generic_k, transfer
from .embed import narrow_point, parse_lambda, representative, row_class_of, split_group

__all__ = ["CurvatureBlock", "NeuronCurvature", "neuron_curvature", "curvature_blocks",
           "fixed_space_compression", "wide_labels"]


@dataclass
class CurvatureBlock:
    """One block of M(w): the ``component`` of the columns, its ``multiplicity`` (a
    polynomial in k), the pencil ``(A, B)`` (numbers of the system used) and the
    eigenvalues; ``wide_irrep`` the block of the wide Hessian at λ = 1/2 that holds the
    doubled eigenvalues."""
    component: str
    multiplicity: object
    A: object = field(repr=False)
    B: object = field(repr=False)
    eigenvalues: list = field(default_factory=list)
    wide_irrep: str = ""


@dataclass
class NeuronCurvature:
    """M(w_J) of a critical point by blocks: ``blocks``; ``k``; the narrow point; the
    class of the row."""
    narrow: object
    k: object
    row: object
    blocks: list
    dps: int

    @property
    def negative_count(self):
        """Eigenvalues of M below 0, with multiplicity (a lower bound on the index of every
        split of the row)."""
        tot = 0
        for b in self.blocks:
            m = multiplicity_value(b.multiplicity, self.k)
            tot += m * sum(1 for e in b.eigenvalues if e < -self._tol)
        return tot

    @property
    def _tol(self):
        return mpmath.mpf(10) ** (-(3 * self.dps // 4))

    @property
    def min_eigenvalue(self):
        return min(e for b in self.blocks for e in b.eigenvalues)

    def interlacing(self, lam=Fraction(1, 2)):
        r"""The interlacing bounds for the split with λ: ``(index_lower_bound,
        lambda_min_upper_bound)`` with :math:`\lambda_{\min}(M)/(2\lambda(1-\lambda))`."""
        q = parse_lambda(lam)
        s = 2 * mpmath.mpf(q.numerator) / q.denominator * (1 - mpmath.mpf(q.numerator)
                                                           / q.denominator)
        return self.negative_count, self.min_eigenvalue / s

    def to_json(self, lam=Fraction(1, 2), digits=None):
        digits = digits or self.dps
        idx, top = self.interlacing(lam)
        return {"row_class": self.row.description,
                "subspace": "Z = (δ, -δ)/√2 on the two split rows, δ ∈ R^d",
                "blocks": [{"component": b.component,
                            "multiplicity_in_k": str(sympy.factor(b.multiplicity)).replace(
                                " ", ""),
                            "wide_irrep": b.wide_irrep,
                            "eigenvalues_of_M": [dec(e, digits) for e in b.eigenvalues]}
                           for b in self.blocks],
                "index_lower_bound": str(idx),
                "lambda_min_upper_bound": dec(top, digits)}


def _curvature_builder(cls):
    def build(lay, T):
        x = representative(lay, cls)
        marks = {"row": ("row", x)}
        if cls.kind == "delta":
            marks["own"] = ("col", x)
        lay.detach(x)
        for b, (pts, _) in enumerate([(list(p), s) for p, s in lay.delta]):
            if len(pts) >= 3:
                marks[f"lead{b}"] = ("col", pts[0])
            for name, y in (("p", pts[-2]), ("q", pts[-1])):
                marks[f"{name}{b}"] = ("col", y)
                lay.detach(y)
        return {}, {}, marks
    return build


def _groups(H, cls):
    """Per Δ-block of the stabiliser of the row: its symbolic size (the Δ-blocks of H
    without the row)."""
    H0 = restricted_loss(H).H
    lay = BlockLayout(H0, generic_k(H0))
    lay.detach(representative(lay, cls))
    return [s for _, s in lay.delta]


_SETUP = {}


def _setup(H, cls):
    """The subgroup, its map and the block structure of M for a row class (cached)."""
    H0 = restricted_loss(H).H
    key = (H0.spec, cls.key)
    if key not in _SETUP:
        K, m = transfer(H0, _curvature_builder(cls), ("curvature", cls.key))
        R = restricted_loss(K)
        rb = m.mark("row")
        idx = {p.col_block: i for i, p in enumerate(R.fixed.params) if p.row_block == rb}
        cols = sorted(idx)
        sizes = _groups(H0, cls)
        groups, used = [], set()
        for b in range(len(sizes)):
            g = [m.mark(f"{n}{b}") for n in ("lead", "p", "q") if _has(m, f"{n}{b}")]
            groups.append(g)
            used |= set(g)
        groups += [[c] for c in cols if c not in used]
        pq = [(cols.index(m.mark(f"p{b}")), cols.index(m.mark(f"q{b}")))
              for b in range(len(sizes))]
        _SETUP[key] = dict(K=K, m=m, R=R, idx=idx, cols=cols, sizes=sizes, pq=pq,
                           E=np.array([[1 if c in g else 0 for g in groups] for c in cols],
                                      dtype=object),
                           names=[_block_columns(H0, cls, b) for b in range(len(sizes))])
    return _SETUP[key]


def curvature_blocks(H, cls, xi, k, system="mpmath"):
    """The blocks of M(w) for the row class ``cls`` of the point ξ of Fix(H) at k, in a
    number system (``arb``: rigorous enclosures for ξ a box).  In float64, ``xi`` may be
    an array of points (one per row) and ``k`` an array: the restricted Hessians are then
    evaluated at once and a list of block lists is returned.

    Returns
    -------
    list of CurvatureBlock
        (eigenvalues not computed).
    """
    ns = get_system(system)
    S = _setup(H, cls)
    R, m = S["R"], S["m"]
    if ns.dtype is float and np.ndim(xi) == 2:
        X = np.array([[float(v) for v in m([float(x) for x in row])] for row in xi])
        kv = np.asarray(k, float)
        Hs = R.evaluate(X, kv, order=2)[2]
        return [_assemble(S, Hs[i], float(kv[i]), ns) for i in range(len(X))]
    xk = m(list(xi), ns=ns)
    kk = k if ns.is_native(k) or isinstance(k, int) else ns.convert(k)
    return _assemble(S, ns.to_array(R.hessian(xk, kk, system=ns)), kk, ns)


def _assemble(S, Hm, kk, ns):
    """The blocks of M from the Hessian of the subgroup's restricted loss."""
    idx, cols, E = S["idx"], S["cols"], S["E"]
    kv = ns.convert(kk) if isinstance(kk, int) else kk
    w = [size_value(S["K"].col_sizes[c], kv, ns) for c in cols]
    half = ns.convert(Fraction(1, 2))
    Ax = np.array([[Hm[idx[a], idx[b]] for b in cols] for a in cols], dtype=object)
    Wd = np.full((len(cols), len(cols)), ns.convert(0), dtype=object)
    for i, x in enumerate(w):
        Wd[i, i] = x
    out = [CurvatureBlock("constant on the column blocks", sympy.Integer(1),
                          E.T.dot(Ax - half * Wd).dot(E), E.T.dot(Wd).dot(E))]
    for b, s in enumerate(S["sizes"]):
        p, q = S["pq"][b]
        mu = Ax[p, p] - half - Ax[p, q]
        out.append(CurvatureBlock(f"[s-1,1] of the columns {S['names'][b]}",
                                  sympy.expand(s - 1), np.array([[mu]], dtype=object),
                                  np.array([[ns.convert(1)]], dtype=object)))
    return out


def _has(m, name):
    try:
        m.mark(name)
        return True
    except KeyError:
        return False


def _block_columns(H, cls, b):
    """The columns of Δ-block b of the stabiliser, as text (1-based, symbolic)."""
    H0 = restricted_loss(H).H
    first = sympy.Integer(1)
    for i in range(b):
        first += H0.row_sizes[i]
    size = H0.row_sizes[b]
    t = lambda e: str(sympy.expand(e)).replace(" ", "")
    return f"{t(first)}…{t(first + size - 1)}" + (" (without the row's own)"
                                                  if cls.kind == "delta" and cls.index == b
                                                  else "")


def wide_labels(H, cls, blocks):
    """The block of the wide Hessian at λ = 1/2 that holds 2·(each block of M): the split
    rows' factor in its sign representation [1,1], the columns' component on the rest."""
    G, _ = split_group(H, cls, lam_half=True)
    Gs = restricted_loss(G).H
    delta = [sympy.expand(s) for s in Gs.row_sizes[:Gs.n_delta]]
    big = [i for i, s in enumerate(delta) if not s.is_Integer][0]
    sizes = _groups(H, cls)
    kept = [i for i, s in enumerate(sizes) if not (s.is_Integer and int(s) < 2)]
    for j, blk in enumerate(blocks):
        tails = [()] * len(delta)
        if j > 0 and (j - 1) in kept:
            tails[kept.index(j - 1)] = (1,)
        small = [((int(delta[i]) - sum(tails[i]),) + tails[i]) for i in range(len(delta))
                 if i != big]
        rows = [(int(Gs.row_sizes[r]),) for r in Gs.row_blocks[:-1]] + [(1, 1)]
        blk.wide_irrep = Irrep(tails[big], tuple(small + rows), delta[big]).label


def neuron_curvature(point, k=None, J=None, row=None, dps=30):
    r"""M(w_J) of a critical point by blocks, with its eigenvalues (mpmath), and the
    interlacing bounds for its splits (see the module docstring).

    Parameters
    ----------
    point : str or CriticalPoint
    k : int or real
    J : int, optional
        The row (1 … k); or ``row``, a :class:`~symcrit.wider.RowClass`.
    dps : int

    Returns
    -------
    NeuronCurvature
    """
    dps = check_dps(dps)
    cp = narrow_point(point, k, dps + 10)
    k = cp.k
    if row is None:
        if not is_integer(k):
            raise InputError("at non-integer k give the class of the row (row=...), not J")
        row = row_class_of(cp.isotropy, J, int(k))
    with workdps(dps + 10 + guard_digits(float(k))):
        blocks = curvature_blocks(cp.isotropy, row, cp.xi, k, "mpmath")
        for b in blocks:
            b.eigenvalues = list(generalized_eigh(b.A, b.B, "mpmath"))
    with workdps(dps):
        for b in blocks:
            b.eigenvalues = [+e for e in b.eigenvalues]
    wide_labels(cp.isotropy, row, blocks)
    return NeuronCurvature(cp, k, row, blocks, dps)


def fixed_space_compression(isotropy, xi, k, dps=30):
    r"""The eigenvalues (ascending, mpmath) of the Hessian compressed onto Fix(G) in the
    Frobenius metric, :math:`(\nabla^2_\xi L_G, D)`: by Cauchy interlacing, its smallest
    eigenvalue bounds :math:`\lambda_{\min}` of the full Hessian from above, and its number
    of negative eigenvalues the index from below.

    >>> ev = fixed_space_compression("ΔS_k", [1, 0], 6)
    >>> [mpmath.nstr(e, 8) for e in ev]                        # the [k] block at W = I
    ['0.88966274', '2.0652669']
    """
    R = restricted_loss(isotropy)
    with workdps(dps + 10 + guard_digits(float(k))):
        Hm = R.hessian(list(xi), k, system="mpmath")
        w = R.weights(k, system="mpmath")
        ev = generalized_eigh(Hm, mpmath.diag(w), "mpmath")
    with workdps(dps):
        return [+e for e in ev]
