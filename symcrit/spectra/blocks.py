r"""The Hessian at a symmetric point, block by isotypic block, at a cost independent of k.

At a point :math:`W\in\mathrm{Fix}(H)` the Hessian :math:`\nabla^2 L(W)` commutes with
``H``, so it preserves every isotypic component of :math:`M(k,k)`; on the component of an
irreducible of dimension ``f`` occurring ``m`` times it acts as :math:`A\otimes I_f` with
``A`` an ``m × m`` matrix (Schur's lemma), so the :math:`k^2` eigenvalues take at most a dozen
distinct values (Arjevani & Field 2020, "Analytic characterization of the Hessian in shallow
ReLU models: a tale of symmetry", NeurIPS, arXiv:2008.01805).

How the blocks are computed (see :mod:`symcrit.symmetry.isotypic`): for the Young subgroup
:math:`K = S_{n-2}\subset H`, ``Fix(K)`` is invariant under the Hessian, and the Hessian
restricted to it is the Hessian of the restricted loss :math:`L_K` at the embedded point,
with the Frobenius Gram matrix :math:`D_K = \mathrm{diag}(w_p)`.  With the exact basis
:math:`Q(k)` (rational in k) of one vector per copy of an irreducible inside ``Fix(K)``,

.. math::

    A = Q^\top \nabla^2_\xi L_K\, Q, \qquad B = Q^\top D_K\, Q,

and the distinct eigenvalues of the full Hessian on that isotypic component are the
generalized eigenvalues of ``(A, B)``.  ``Q`` is exact, so in Arb the enclosures of ``A`` and
``B`` are rigorous.  Cost: one Hessian of :math:`L_K` (17 parameters for
:math:`\Delta S_{k-1}`), independent of k; real k works as well (eigenvalues are analytic
functions of k).  For integer k too small for ``K`` (its block would have size ≤ 1) the same
construction runs on the dense Hessian (the trivial subgroup instead of ``K``).

>>> bl = hessian_blocks("ΔS_k", [1, 0], 10, system="float")      # W = I, k = 10
>>> [(b.irrep, b.dimension, str(b.multiplicity)) for b in bl]
[('[k]', 2, '1'), ('[k-1,1]', 3, 'k - 1'), ('[k-2,2]', 1, 'k*(k - 3)/2'), ('[k-2,1,1]', 1, '(k - 2)*(k - 1)/2')]
>>> import math                      # at W = I: 1/4 + 1/(2π) on [k-2,2] (closed form)
>>> from symcrit.core import generalized_eigh
>>> ev = generalized_eigh(bl[2].A, bl[2].B, "float")
>>> bool(abs(ev[0] - (0.25 + 1 / (2 * math.pi))) < 1e-12)
True
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import mpmath
import numpy as np
import sympy

from ..algebra.polynomials import polyval
from ..core import (InputError, SingularPointError, fmt_k, generalized_eigh, get_system,
                    is_integer)
from ..model import Problem, canonical_teacher
from ..restricted import restricted_loss
from ..symmetry import (D as DSYM, FixedSpace, K as KSYM, YoungIsotropy,
                        isotypic_decomposition, size_value)

if TYPE_CHECKING:
    from ..core import NumberSystem

__all__ = ["IsotypicBlock", "PointBlocks", "multiplicity_value", "point_blocks",
           "isotypic_blocks", "hessian_blocks", "block_minima"]


@dataclass
class IsotypicBlock:
    r"""The Hessian on one isotypic component: ``(A, B)`` (``dimension`` × ``dimension``,
    numpy arrays of the number system's scalars; ``B`` positive definite), whose generalized
    eigenvalues are the distinct eigenvalues of the full Hessian on the component, each
    occurring ``multiplicity`` times (a polynomial in k)."""
    irrep: str
    multiplicity: sympy.Expr
    dimension: int
    A: np.ndarray = field(repr=False)
    B: np.ndarray = field(repr=False)
    latex: str = field(repr=False, default="")

    def multiplicity_at(self, k, d=None):
        """The multiplicity at a value of k (an int for integer k)."""
        return multiplicity_value(self.multiplicity, k, d)


def multiplicity_value(expr, k, d=None):
    """A multiplicity (a polynomial in k, and in d for groups that involve it) at k: an
    exact int at integer k, an mpf otherwise.

    >>> k = KSYM
    >>> multiplicity_value((k - 1) * (k - 4) / 2, 12), multiplicity_value(k - 1, 7.5)
    (44, mpf('6.5'))
    >>> multiplicity_value((k - 1) * (DSYM - k - 1), 5, d=9)
    12
    """
    expr = sympy.sympify(expr)
    if expr.has(DSYM):
        if d is None:
            raise InputError(f"the multiplicity {expr} needs d")
        expr = expr.subs(DSYM, int(d))
    if is_integer(k):
        return int(expr.subs(KSYM, int(k)))
    return polyval(expr, KSYM, mpmath.mpf(k), get_system("mpmath"))


def _check_k(dec, k):
    if isinstance(k, bool) or k is None:
        raise InputError("give k (an integer or a real number)")
    try:
        kf = float(k)
    except (TypeError, ValueError):
        raise InputError(f"k must be a number, got {k!r}") from None
    except OverflowError:
        kf = math.inf
    lo = dec.generic_k_min
    if is_integer(k):
        if int(k) < dec.H.min_k:
            raise InputError(f"isotropy {dec.H.label} needs k >= {dec.H.min_k}, got k = "
                             f"{fmt_k(k)}")
    elif not kf > lo:
        raise InputError(f"the spectrum of Fix({dec.H.label}) at non-integer k needs k > {lo} "
                         f"(the subgroup {dec.k_spec} must have a block of size > 1); "
                         f"got k = {fmt_k(k)}")


def _matrix_point(W):
    """W as a 2-d object array when ``W`` is a matrix (not a parameter vector), else None."""
    if isinstance(W, mpmath.matrix):
        return np.array(W.tolist(), dtype=object)
    if isinstance(W, np.ndarray) and W.ndim == 2:
        return W
    if isinstance(W, (list, tuple)) and W and isinstance(W[0], (list, tuple, np.ndarray)):
        return np.array(W, dtype=object)
    return None


def _prepare_point(H, xi, k, d, ns):
    """Validate the input (ξ or a matrix W in Fix(H)) and return (dec, F, ξ, k, d)."""
    if not isinstance(H, YoungIsotropy):
        H = YoungIsotropy(H)
    if H.k.is_Integer:
        if k is None:
            k = int(H.k)
        if d is None and H.d != H.k:
            d = int(H.d)
        H = YoungIsotropy(H.spec)
    dec = isotypic_decomposition(H)
    with_d = dec.H.d.has(DSYM)
    if d is not None and not with_d and (k is None or d != k):
        raise InputError(f"isotropy {dec.H.label} has d = k (got k = {k}, d = {d}); for "
                         "d > k use a group with a column factor such as 'ΔS_{k-1}×S_{d-k}'")
    F = _fixed_space(dec.H.spec)
    W = _matrix_point(xi)
    if W is not None:
        nw, dw = W.shape
        try:
            kw, dd = F.shape_args((nw, dw))
        except InputError:
            raise InputError(f"W is {nw} × {dw}: Fix({dec.H.label}) holds matrices of n = "
                             f"k{dec.H.extra:+d} rows and {'d' if with_d else 'k'} columns"
                             ) from None
        if k is not None and int(k) != kw:
            raise InputError(f"W is {nw} × {dw} but k = {k}")
        k, d = kw, dd
        _check_k(dec, k)
        Wf = np.asarray(np.vectorize(float, otypes=[float])(W))
        if not F.contains(Wf, tol=1e-9 * max(1.0, float(np.max(np.abs(Wf))))):
            back = np.asarray(np.vectorize(float, otypes=[float])(
                F.embed(F.project(Wf), k, d, system="float")))
            raise InputError(f"W is not in Fix({dec.H.label}): it differs from its projection "
                             f"by {float(np.max(np.abs(Wf - back))):.3g} (max norm)")
        xi = F.project(W, system=ns)
    else:
        xi = list(xi.values()) if isinstance(xi, dict) else list(xi)
        if len(xi) != F.dimension:
            raise InputError(f"Fix({dec.H.label}) has dimension {F.dimension} "
                             f"({', '.join(F.names)}); got {len(xi)} values")
        if k is None:
            raise InputError("give k")
        _check_k(dec, k)
    if with_d:
        if d is None or not is_integer(d) or int(d) < float(k) + 1:
            raise InputError(f"isotropy {dec.H.label}: give an integer d > k (got d = {d})")
        d = int(d)
    return dec, F, [ns.convert(x) for x in xi], k, (d if with_d else None)


@lru_cache(maxsize=None)
def _fixed_space(spec):
    return FixedSpace(YoungIsotropy(spec))


def _row_norms2(F, xi, k, ns, d=None):
    """Squared norm of a row of each row block of W(ξ) (any real k)."""
    H = F.H
    out = []
    for a in range(len(H.row_sizes)):
        tot = 0
        for b, cb in enumerate(H.col_sizes):
            m = size_value(cb, k, ns, d)
            if H.pairs.get(a) == b:
                x = xi[F.params.index(F.param(a, b, "diag"))]
                y = xi[F.params.index(F.param(a, b, "off"))]
                tot = tot + x * x + (m - 1) * y * y
            else:
                c = xi[F.params.index(F.param(a, b))]
                tot = tot + m * c * c
        out.append(tot)
    return out


def _check_rows(F, xi, k, ns, d=None):
    for a, r2 in enumerate(_row_norms2(F, xi, ns.convert(k), ns, d)):
        if not ns.certainly_nonzero(r2):
            raise SingularPointError(
                f"W(ξ) has a zero row (row block {a} of Fix({F.H.label})): the loss is not "
                "differentiable there, so it has no Hessian")


def _layout_data(dec, lay, xi, k, ns, d=None):
    """(loss, gradient, Hessian) in the layout's coordinates at the point ξ of Fix(H): the
    restricted loss of the subgroup K (generic layout) or the dense full-space formula."""
    if lay.mode == "generic":
        RK = restricted_loss(dec.k_spec)
        L, g, Hm = RK.evaluate([xi[h] for h in lay.h_of], k, d, system=ns, order=2)
        return L, ns.to_array(g).reshape(-1), ns.to_array(Hm)
    kk = int(k)
    W = _fixed_space(dec.H.spec).embed(xi, kk, d, system=ns)
    dd = W.shape[1]
    P = Problem(canonical_teacher(kk, dd))
    g = np.asarray(ns.to_array(P.gradient(W, system=ns))).reshape(-1)
    Hm = ns.to_array(P.hessian(W, system=ns))
    # the layout's coordinates are orbits of entries: sum over each orbit (E^T g, E^T H E)
    idx = [[i * dd + j for (i, j) in ents] for ents in lay.entries]
    gc = np.array([g[a].sum() for a in idx], dtype=g.dtype)
    Hc = np.array([[Hm[np.ix_(a, b)].sum() for b in idx] for a in idx], dtype=Hm.dtype)
    return P.loss(W, system=ns), gc, Hc


def _blocks(dec, lay, Hm, k, ns, d=None):
    kv = ns.convert(k) if not ns.is_native(k) else k
    Wd = lay.weights_at(kv, ns, d)
    out = []
    for comp in lay.comps:
        if not comp.copies:
            continue
        Q = lay.basis(comp, kv, ns, d)
        A = ns.symmetrize(Q.T.dot(Hm).dot(Q))
        B = ns.symmetrize((Q.T * Wd[None, :]).dot(Q))
        out.append(IsotypicBlock(comp.label, comp.multiplicity, comp.copies, A, B,
                                 comp.irrep.latex))
    return out


@dataclass
class PointBlocks:
    """Everything the block computation at a point of Fix(H) produces: the decomposition,
    the fixed space, the parameters ξ and k (validated), the layout used, the loss, the
    gradient per layout coordinate, and the blocks."""
    decomposition: object
    fixed: FixedSpace
    xi: list
    k: object
    layout: object
    loss: object
    gradient: np.ndarray
    blocks: list
    d: object = None

    def residual(self):
        r"""The restricted gradient of :math:`L_H` per entry of W, :math:`\max_p |g_p|/w_p`
        (mpmath): the criticality of the point."""
        F, lay = self.fixed, self.layout
        ns = get_system("mpmath")
        kv = ns.convert(self.k)
        gH = [mpmath.mpf(0)] * F.dimension
        for c, h in enumerate(lay.h_of):
            gH[h] += self.gradient[c]
        return max(abs(gH[h] / size_value(w, kv, ns, self.d))
                   for h, w in enumerate(F.weights))


def point_blocks(H, xi, k=None, d=None, system="mpmath"):
    """The isotypic blocks at the point ξ of Fix(H) with the data they come from (a
    :class:`PointBlocks`); see :func:`hessian_blocks`."""
    ns = get_system(system)
    dec, F, xi, k, d = _prepare_point(H, xi, k, d, ns)
    lay = dec.layout(k, d)
    _check_rows(F, xi, k, ns, d)
    L, g, Hm = _layout_data(dec, lay, xi, k, ns, d)
    return PointBlocks(dec, F, xi, k, lay, L, g, _blocks(dec, lay, Hm, k, ns, d), d)


def isotypic_blocks(H, xi, k, system, d=None):
    """The isotypic blocks at ξ ∈ Fix(H) by the generic layout, in any number system
    (truncated series included), without the input checks of :func:`hessian_blocks`:
    ``k`` is already a scalar of ``system`` (a series in ε for k = ε^(-2))."""
    dec = isotypic_decomposition(H)
    lay = dec.layout(None)
    _, _, Hm = _layout_data(dec, lay, list(xi), k, system, d)
    return _blocks(dec, lay, Hm, k, system, d)


def hessian_blocks(H: str | YoungIsotropy, xi: Sequence[Any], k: Any = None, d: Any = None,
                   system: str | NumberSystem = "mpmath") -> list[IsotypicBlock]:
    r"""The isotypic blocks ``(A, B)`` of the full Hessian at the point ξ of Fix(H).

    Parameters
    ----------
    H : str or YoungIsotropy
        A Young-type isotropy spec with one Δ block growing with k and small blocks
        otherwise (d = k).
    xi : sequence or matrix
        The parameters of Fix(H), or a k × k matrix W in Fix(H).
    k : int or real
        Real k must exceed the block-size limit.
    system : {"float", "mpmath", "sympy", "arb"}

    Returns
    -------
    list of IsotypicBlock
        One per irreducible that occurs, in the order of
        :func:`~symcrit.symmetry.isotypic_decomposition`.  In ``arb`` every entry of ``A``
        and ``B`` is a rigorous enclosure (the basis is exact and the Hessian of
        :math:`L_K` is evaluated in ball arithmetic), so a certificate may prove
        ``A - λB`` positive definite with it.

    Raises
    ------
    InputError
        A point outside Fix(H), a k too small, d ≠ k.
    SingularPointError
        A zero row: the loss has no Hessian there.

    Examples
    --------
    >>> [b.irrep for b in hessian_blocks("ΔS_{k-1}", [1, -0.01, 0.15, 0.1, -0.73], 12)]
    ['[k-1]', '[k-2,1]', '[k-3,2]', '[k-3,1,1]']
    """
    return point_blocks(H, xi, k, d, system).blocks


def block_minima(H: str | YoungIsotropy, xi: Sequence[Any], k: Any,
                 d: Any = None) -> dict[str, Any]:
    """The smallest eigenvalue of each isotypic block (irrep label → mpf) at the point ξ of
    Fix(H), at the current mpmath precision: the cheap part of a spectrum that a scan in k
    needs.

    >>> m = block_minima("ΔS_k", [1, 0], 6)
    >>> mpmath.nstr(m["[k-2,2]"], 10), mpmath.nstr(1 / (2 * mpmath.pi) + 0.25, 10)
    ('0.4091549431', '0.4091549431')
    """
    return {b.irrep: generalized_eigh(b.A, b.B, "mpmath")[0]
            for b in point_blocks(H, xi, k, d, "mpmath").blocks}
