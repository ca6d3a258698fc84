r"""Embeddings of critical points of the k-neuron network into wider students.

**Neuron split** (Fukumizu & Amari 2000, "Local minima and plateaus in hierarchical
structures of multilayer perceptrons", Neural Networks 13; Arjevani & Field 2022,
"Annihilation of spurious minima in two-layer ReLU networks", NeurIPS, arXiv:2210.06088).
Row :math:`w_j` of a critical point W is replaced by the two rows :math:`\lambda w_j` and
:math:`(1-\lambda) w_j`, :math:`0<\lambda<1`.  ReLU is positively homogeneous, so
:math:`\mathrm{relu}(\lambda z) + \mathrm{relu}((1-\lambda) z) = \mathrm{relu}(z)`: the
network computes the same function, the gradient of each new row is the gradient of
:math:`w_j` (it depends on the direction only), and the wide point is critical with the
same loss.  Rows of one block of the isotropy group H are equivalent (W is H-invariant), so
the split of any row of a block gives the same point up to the symmetry group; the wide
point lies in the fixed space of the group :func:`split_group` names: the block loses the
row (a Δ-block also its column), and with λ = 1/2 the two halves are equal rows, a factor
:math:`S_2^r`.  Splitting the special row of a :math:`\Delta S_{k-1}` point gives
:math:`\Delta S_{k-1}\times S_2^r`, a regular row :math:`\Delta S_{k-2}\times S_2^r`.

**Zero neuron** (:mod:`symcrit.wider.zero`).  The row 0 added to W is not a smooth point.
For a row :math:`t u`, t > 0, :math:`L = L(W) + t\,g(u) + t^2|u|^2/4` exactly (K is
positively homogeneous), with

.. math::

    g(u) = \sum_i K(w_i, u) - \sum_j K(v_j, u),

the one-sided directional derivative; :math:`\min_{|u|=1} g < 0` gives a first-order
descent direction.  At a critical point :math:`g(w_i) = \nabla_{w_i}L\cdot w_i = 0`, so the
minimum is at most 0.  g is invariant under the column action of H; it is minimised on the
fixed spaces of subgroups that set apart up to two points of the big block (and every point
of the small blocks), through the restricted loss of the wide group:
:math:`g(u) = L([W; u]) - L(W) - |u|^2/4`, at a cost independent of k.

>>> p = split_neuron("type-A", k=8, J=8, dps=20)
>>> p.isotropy, p.n, bool(abs(p.loss - p.narrow.loss) < 1e-18)
('ΔS_{k-1}×S_2^r; n=k+1', 9, True)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import mpmath
import numpy as np
import sympy

from ..core import (InputError, as_mpf, check_dps, dec, fmt_k, get_system, guard_digits,
                    is_integer, k_json, workdps)
from ..critical import CriticalPoint, get_family
from ..model import Problem, canonical_teacher
from ..restricted import gradient_norm, restricted_loss
from ..spectra import spectrum
from ..symmetry import YoungIsotropy
from .blocks import LAM, transfer

__all__ = ["RowClass", "row_classes", "row_class_of", "split_group", "EmbeddedPoint",
           "split_neuron", "narrow_point", "parse_lambda", "embedding_json",
           "multi_split_group", "representative"]


@dataclass(frozen=True)
class RowClass:
    """A class of equivalent rows of a Young group: ``kind`` (``delta``, ``row`` or
    ``single``), ``index`` (the block, or the ordinal of the fixed row), ``size``
    (symbolic) and a description."""
    kind: str
    index: int
    size: object
    description: str

    @property
    def key(self):
        return (self.kind, self.index)


def row_classes(H):
    """The classes of equivalent rows of H (Δ-blocks, blocks of equal rows, fixed rows).

    >>> [c.description for c in row_classes("ΔS_{k-1}")]
    ['the Δ-block S_{k-1} (rows 1…k-1)', 'row k']
    """
    H = H if isinstance(H, YoungIsotropy) else YoungIsotropy(H)
    out, start = [], 1
    txt = lambda e: str(sympy.expand(e)).replace(" ", "")
    for b in range(H.n_delta):
        s = H.row_sizes[b]
        out.append(RowClass("delta", b, s, f"the Δ-block S_{{{txt(s)}}} (rows "
                                           f"{txt(start)}…{txt(start + s - 1)})"))
        start = sympy.expand(start + s)
    for i, b in enumerate(H.row_blocks):
        s = H.row_sizes[b]
        out.append(RowClass("row", i, s, f"the block of {txt(s)} equal rows (rows "
                                         f"{txt(start)}…{txt(start + s - 1)})"))
        start = sympy.expand(start + s)
    for i in range(len(H.row_sizes) - H.n_delta - len(H.row_blocks)):
        out.append(RowClass("single", i, sympy.Integer(1), f"row {txt(start)}"))
        start = sympy.expand(start + 1)
    return out


def row_class_of(H, J, k):
    """The class of row J (1 … n) of H at the integer k.

    Raises
    ------
    InputError
        J outside 1 … n.

    >>> row_class_of("ΔS_{k-1}", 8, 8).description, row_class_of("ΔS_{k-1}", 3, 8).kind
    ('row k', 'delta')
    """
    H = H if isinstance(H, YoungIsotropy) else YoungIsotropy(H)
    Hc = H.at(int(k))
    n = Hc.rows_at
    if isinstance(J, bool) or not isinstance(J, (int, np.integer)) or not 1 <= J <= n:
        raise InputError(f"the neuron J must be an integer from 1 to {n} (n = {n} rows at "
                         f"k = {k}), got {J}")
    for b, r in enumerate(Hc.row_ranges()):
        if J - 1 in set(int(x) for x in r):
            classes = row_classes(H)
            singles = len(H.row_sizes) - H.n_delta - len(H.row_blocks)
            if b < H.n_delta:
                return classes[b]
            if b < H.n_delta + len(H.row_blocks):
                return classes[b]
            return classes[len(classes) - singles + (b - H.n_delta - len(H.row_blocks))]
    raise AssertionError("row not found")   # pragma: no cover


def representative(lay, cls):
    """The concrete row of the class ``cls`` in a :class:`~symcrit.wider.BlockLayout`: the
    last row of its block (every row of a block gives the same point up to the group)."""
    if cls.kind == "delta":
        return lay.rows_of("delta", cls.index)[-1]
    if cls.kind == "row":
        return lay.rows_of("row", cls.index)[-1]
    blocked = {x for pts, _ in lay.delta + lay.rows for x in pts}
    singles = [x for x in range(lay.n0) if x not in blocked]
    return singles[cls.index]


def _split_builder(cls, parts):
    """Split the class's row into ``parts`` equal rows (``parts`` = 0: into λ, 1 − λ)."""
    def build(lay, T):
        x = representative(lay, cls)
        lay.detach(x)
        if parts == 0:
            new = lay.add_row()
            return {new: (x, 1 - LAM)}, {x: LAM}
        news = [lay.add_row() for _ in range(parts - 1)]
        lay.group([x] + news)
        c = sympy.Rational(1, parts)
        return {r: (x, c) for r in news}, {x: c}
    return build


def split_group(H, cls, lam_half=True, parts=2):
    """The group of the split point and the exact map of the parameters.

    Parameters
    ----------
    H : str or YoungIsotropy
    cls : RowClass
        The class of the row split.
    lam_half : bool
        λ = 1/2 (equal halves: a factor :math:`S_2^r`), else a general λ.
    parts : int
        Into how many equal rows (2, or 3 for two extra neurons on one row).

    Returns
    -------
    (YoungIsotropy, LinearMap)

    Examples
    --------
    >>> H = YoungIsotropy("ΔS_{k-1}")
    >>> [split_group(H, c)[0].label for c in row_classes(H)]
    ['ΔS_{k-2}×S_2^r; n=k+1', 'ΔS_{k-1}×S_2^r; n=k+1']
    >>> split_group(H, row_classes(H)[1], lam_half=False)[0].label
    'ΔS_{k-1}; n=k+1'
    """
    p = parts if lam_half else 0
    return transfer(H, _split_builder(cls, p), ("split", cls.key, p))


def _multi_builder(splits):
    """Several symmetric splits at once: ``splits`` lists (class, parts); a class listed
    twice splits two of its rows (the last two)."""
    def build(lay, T):
        used, new_rows, scale = [], {}, {}
        reps = []
        for cls, parts in splits:
            if cls.kind == "single":
                x = representative(lay, cls)
            else:
                pts = lay.rows_of(cls.kind, cls.index)
                x = [y for y in reversed(pts) if y not in used][0]
            used.append(x)
            reps.append((x, parts))
        for x, parts in reps:
            lay.detach(x)
        for x, parts in reps:
            news = [lay.add_row() for _ in range(parts - 1)]
            lay.group([x] + news)
            c = sympy.Rational(1, parts)
            scale[x] = c
            new_rows.update({r: (x, c) for r in news})
        return new_rows, scale
    return build


def multi_split_group(H, splits):
    """The group and map of several symmetric splits (``splits``: (class, parts) pairs).

    >>> H = YoungIsotropy("ΔS_{k-1}")
    >>> big, special = row_classes(H)
    >>> multi_split_group(H, [(big, 2), (big, 2)])[0].label
    'ΔS_{k-3}×S_2^r×S_2^r; n=k+2'
    """
    key = ("multi",) + tuple((c.key, p) for c, p in splits)
    return transfer(H, _multi_builder(list(splits)), key)


def parse_lambda(lam, allow_negative=False):
    """λ as an exact Fraction (``"1/2"``, ``0.3``, ``Fraction``).

    Raises
    ------
    InputError
        Not a number, λ ∈ {0, 1} (a zero row: use the zero-neuron embedding), or λ outside
        (0, 1) without ``allow_negative``.

    >>> parse_lambda("1/3"), parse_lambda(0.25)
    (Fraction(1, 3), Fraction(1, 4))
    """
    try:
        q = Fraction(str(lam).strip()) if not isinstance(lam, Fraction) else lam
    except (ValueError, ZeroDivisionError):
        raise InputError(f"λ must be a number such as 1/2 or 0.3, got {lam!r}") from None
    if q in (0, 1):
        raise InputError(f"λ = {q} leaves a zero row: use the zero-neuron embedding (--zero)")
    if not 0 < q < 1 and not allow_negative:
        raise InputError(f"λ must lie in (0, 1), got {q} (a negative part changes the "
                         "network's function; --allow-negative computes it anyway)")
    return q


def narrow_point(point, k=None, dps=30):
    """A CriticalPoint from a family name (at k) or a CriticalPoint."""
    if isinstance(point, CriticalPoint):
        return point
    fam = get_family(point)
    if k is None:
        raise InputError("give k")
    if float(k) < fam.k_min:
        raise InputError(f"family {fam.name} ({fam.isotropy}) does not exist at k = "
                         f"{fmt_k(k)}: it needs k >= {fam.k_min}")
    return fam.point(k, dps=dps, full_check=False)


@dataclass
class EmbeddedPoint:
    """A critical point of the narrow network embedded into a wider student.

    ``kind`` is ``split``; ``narrow`` the narrow :class:`~symcrit.critical.CriticalPoint`;
    ``isotropy`` the wide group, ``xi`` its parameters (mpf), ``n`` the rows at k; ``lam``
    the split (exact); ``row`` the class of the row split; ``loss``, ``gradient_norm``
    (the Frobenius norm of the full gradient from the restricted one) and ``residual``
    (per entry of W), at ``dps`` digits; ``critical`` whether it is critical there."""
    kind: str
    narrow: CriticalPoint
    isotropy: str
    xi: list
    names: list
    k: object
    n: int
    lam: Fraction | None
    row: RowClass
    dps: int
    loss: object = None
    gradient_norm: object = None
    residual: object = None
    J: int | None = None
    checks: dict = field(default_factory=dict)

    @property
    def family(self):
        return self.narrow.family

    @property
    def critical(self):
        return bool(self.residual <= mpmath.mpf(10) ** (-min(self.dps // 2, 12)))

    def W(self, system="float"):
        """The wide matrix (integer k)."""
        if not is_integer(self.k):
            raise InputError("W needs an integer k")
        with workdps(self.dps + 10):
            return restricted_loss(self.isotropy).fixed.embed(self.xi, int(self.k),
                                                              system=system)

    def spectrum(self, dps=None, tol=None):
        r"""The Hessian spectrum of the wide point by the isotypic blocks of its own group.

        The split rows are parallel, where the kernel is :math:`C^2` but not :math:`C^3`
        and its Hessian a limit whose rounding error is about the square root of the
        working precision: the blocks are computed with twice the digits (plus guard), so
        the eigenvalues are good to ``dps`` digits and the zero eigenvalue of the split
        direction is resolved."""
        dps = dps or self.dps
        tol = mpmath.mpf(10) ** (-(3 * dps // 4)) if tol is None else tol
        with workdps(2 * dps + 10 + guard_digits(float(self.k))):
            sp = spectrum(self.isotropy, self.xi, self.k, dps=2 * dps + 10,
                          tol=tol, family=self.family, warn=False)
        sp.dps = dps
        return sp

    def full_check(self, system="mpmath"):
        """The gradient at W (n × k) by the dense full-space formula, independently of the
        restricted loss: its Frobenius norm and the loss (integer k ≤ 60)."""
        k = int(self.k)
        if k > 60:
            raise InputError("the dense check is for k <= 60")
        P = Problem(canonical_teacher(k))
        with workdps(self.dps + 10):
            W = self.W("mpmath")
            G = P.gradient(W, system="mpmath")
            out = {"full_gradient_norm": mpmath.sqrt(mpmath.fsum(x ** 2 for x in G)),
                   "full_loss": P.loss(W, system="mpmath")}
        self.checks.update(out)
        return out

    def __str__(self):
        lam = "" if self.lam is None else f" with λ = {self.lam}"
        return (f"{self.kind} of {self.row.description} of the {self.family or 'point'} "
                f"point{lam} at k = {fmt_k(self.k)}: n = {self.n}, Fix({self.isotropy}), "
                f"loss {mpmath.nstr(self.loss, 15)}, |grad| {mpmath.nstr(self.gradient_norm, 3)}")

    __repr__ = __str__


def split_neuron(point, k=None, J=None, lam=Fraction(1, 2), dps=30, allow_negative=False,
                 parts=2, row=None):
    r"""Split neuron J of a critical point into λ w_J and (1 − λ) w_J.

    Parameters
    ----------
    point : str or CriticalPoint
        A family name (with ``k``) or a critical point.
    k : int or real, optional
        For a family.
    J : int
        The row, 1 … n (J = k is the last row of a k-neuron point).
    lam : Fraction, str or float
        In (0, 1); 1/2 gives the bigger group (equal halves).
    dps : int
    allow_negative : bool
        Accept λ outside [0, 1] (the point is then not critical in general).
    parts : int
        2, or 3 (three equal rows, λ ignored: two extra neurons).
    row : RowClass, optional
        The class of the row to split instead of J (any k, real k too).

    Returns
    -------
    EmbeddedPoint

    Raises
    ------
    InputError
        J outside 1 … n, λ outside (0, 1), a family that does not exist at k.

    Examples
    --------
    >>> p = split_neuron("type-A", k=7, J=2, lam="1/3", dps=20)
    >>> p.isotropy, p.critical
    ('ΔS_{k-2}; n=k+1', True)
    """
    dps = check_dps(dps)
    q = parse_lambda(lam, allow_negative)
    cp = narrow_point(point, k, dps + 10)
    k = cp.k
    if row is not None:
        cls = row
    elif not is_integer(k):
        raise InputError("at non-integer k give the class of the row (row=...), not J")
    else:
        cls = row_class_of(cp.isotropy, J, int(k))
    half = (q == Fraction(1, 2)) or parts == 3
    G, m = split_group(cp.isotropy, cls, half, parts)
    with workdps(dps + 10 + guard_digits(float(k))):
        xi = m(cp.xi, lam=mpmath.mpf(q.numerator) / q.denominator, ns=get_system("mpmath"))
    pt = EmbeddedPoint("split", cp, G.label, xi, restricted_loss(G).fixed.names, k,
                       _rows(G, k), None if parts == 3 else q, cls, dps, J=J)
    _evaluate(pt, G)
    return pt


def _rows(G, k):
    return int(k) + G.extra if is_integer(k) else None


def _evaluate(pt, G):
    """Loss, gradient norm and residual of an embedded point by the restricted loss."""
    R = restricted_loss(G)
    with workdps(pt.dps + 10 + guard_digits(float(pt.k))):
        kk = pt.k if is_integer(pt.k) else as_mpf(pt.k)
        L, g = R.evaluate(pt.xi, kk, system="mpmath", order=1)
        w = R.weights(kk, system="mpmath")
        pt.loss = +L
        pt.gradient_norm = gradient_norm(list(g), w)
        pt.residual = max(abs(gi / wi) for gi, wi in zip(list(g), w))
    return pt


def _exact_text(q):
    return str(q) if q.denominator != 1 else str(q.numerator)


def embedding_json(pt, digits=None, spectrum_=None, certificate=None):
    """The JSON of an embedded point (keys of the issue: ``family``, ``k``, ``n``,
    ``isotropy``, ``loss``, ``gradient_norm``, ``spectrum``, ``index``, ``kind``)."""
    digits = digits or pt.dps
    out = {"family": pt.family, "k": k_json(pt.k), "n": pt.n, "embedding": pt.kind,
           "neuron": pt.J, "row_class": pt.row.description,
           "lambda": None if pt.lam is None else _exact_text(pt.lam),
           "isotropy": pt.isotropy, "narrow_isotropy": pt.narrow.isotropy,
           "parameters": {n: dec(x, digits) for n, x in zip(pt.names, pt.xi)},
           "loss": dec(pt.loss, digits), "gradient_norm": dec(pt.gradient_norm, 5),
           "certainty": "refined"}
    if spectrum_ is not None:
        out["spectrum"] = [{"irrep": e.irrep, "multiplicity": str(e.count),
                            "multiplicity_in_k": str(sympy.factor(e.multiplicity)).replace(
                                " ", ""),
                            "eigenvalue": dec(e.eigenvalue, digits)}
                           for e in spectrum_.entries]
        out["index"] = str(spectrum_.index)
        out["kind"] = spectrum_.kind if pt.critical else "not critical"
    if certificate is not None:
        out["certificate"] = certificate
    return out

