r"""Where tangency arcs start: the extreme Hessian eigenvalue at a critical point, its
isotypic component, and one symmetry-adapted eigenvector per axial subgroup.

At a critical point ``c`` with isotropy ``H`` the Hessian spectrum is computed by isotypic
blocks (:func:`symcrit.spectra.spectrum_of`).  The lowest eigenvalue λ (``kind="min"``; the
highest for ``"max"``) belongs to the component of one irreducible χ of H, whose copies
fill a space of dimension :math:`\dim\chi` (a polynomial in k).  For every axial subgroup
:math:`G\subset H` of χ (:func:`~symcrit.arcs.subgroups.axial_subgroups`) the eigenspace meets
:math:`\mathrm{Fix}(G)` in a line: in the coordinates η of Fix(G), with the Frobenius
weights :math:`D = \mathrm{diag}(w_p)` (orbit sizes), it is the eigenvector of the pencil

.. math::

    \nabla^2_\eta L_G(\eta_c)\, v = \lambda\, D\, v, \qquad v^\top D v = 1,

whose eigenvalue is λ (Fix(G) is invariant under the Hessian, and the Hessian of the full
loss restricted to it is the Hessian of :math:`L_G` with the Gram matrix D).  The pencil is
:math:`\dim\mathrm{Fix}(G)` × :math:`\dim\mathrm{Fix}(G)` (10 to 20), whatever k is.  Its
eigenvalue λ agrees with the isotypic block's to the working precision, which is checked.

The direction is written in the orthonormal coordinates :math:`u = D^{1/2}(\eta - \eta_c)`,
where the Frobenius distance in the full space is the Euclidean norm of u.  Both ``v`` and
``-v`` start arcs; they are the same arc up to symmetry when an element of H that exchanges
two equal blocks of G maps v to -v (:attr:`ArcStart.symmetric`), and then m(r) is even in
r (Arjevani 2023, "Hidden minima in two-layer ReLU networks", arXiv:2312.16819).

The arcs need L to be smooth at c: a point where two neurons, or a neuron and a teacher
neuron, are parallel (the global minimum W = I) is refused, since L is only C² there.

>>> from symcrit.critical import get_family
>>> cp = get_family("type-A").point(10, dps=20)
>>> st = arc_starts(cp, "min")
>>> [(s.isotropy, s.irrep, s.sign, s.symmetric) for s in st]      # doctest: +NORMALIZE_WHITESPACE
[('ΔS_{k-2}', '[k-2,1]', 1, False), ('ΔS_{k-2}', '[k-2,1]', -1, False),
 ('Δ(S_{k-3}×S_2)', '[k-2,1]', 1, False), ('Δ(S_{k-3}×S_2)', '[k-2,1]', -1, False),
 ('Δ(S_{k-4}×S_3)', '[k-2,1]', 1, False), ('Δ(S_{k-4}×S_3)', '[k-2,1]', -1, False)]
>>> mpmath.nstr(st[0].eigenvalue, 12)
'0.0319640276465'
"""
from __future__ import annotations

from dataclasses import dataclass, field

import mpmath

from ..core import (InputError, check_dps, generalized_eigh, guard_digits, is_integer,
                    workdps)
from ..restricted import restricted_loss
from ..spectra import spectrum_of
from ..symmetry import isotypic_decomposition
from .subgroups import DEFAULT_MAX_SPLIT, axial_subgroups

__all__ = ["ArcStart", "arc_starts", "extreme_eigenvalues", "check_smooth", "check_kind",
           "component_of", "KINDS"]

#: the two kinds of tangency arcs: minimising (lowest eigenvalue), maximising (highest)
KINDS = ("min", "max")


@dataclass
class ArcStart:
    r"""The start of one tangency arc: the subgroup G (``refinement``: H → G), the irreducible
    and eigenvalue, the critical point in the coordinates of Fix(G) (``eta_c``), the Frobenius
    weights of those coordinates at k, the unit direction ``u`` (orthonormal coordinates
    :math:`u = D^{1/2}(\eta-\eta_c)`, sign included), the sign (+1, -1), whether -u is the
    same arc up to symmetry (``symmetric``), the isotropy label of G, k and the working
    precision (mpmath numbers throughout)."""
    refinement: object
    irrep: str
    eigenvalue: object
    eta_c: list
    weights: list
    u: list
    sign: int
    symmetric: bool
    k: int
    dps: int
    kind: str
    loss: object
    family: str | None = None
    gap: object = None
    match: object = None
    point: object = field(default=None, repr=False)

    @property
    def isotropy(self):
        """The isotropy group of the direction (the label of G)."""
        return self.refinement.child.label

    @property
    def group(self):
        """The subgroup G ⊂ H whose fixed space holds the arc (a Young-type group)."""
        return self.refinement.child.group

    @property
    def restricted(self):
        """The restricted loss :math:`L_G`."""
        return restricted_loss(self.refinement.child.group)

    @property
    def subgroup_note(self):
        """How G was obtained from H (the refinement's note, e.g. which points were split
        off a block)."""
        return self.refinement.note

    def opposite(self):
        """The start along -u (the same subgroup; the negation is exact, at any working
        precision)."""
        return ArcStart(self.refinement, self.irrep, self.eigenvalue, self.eta_c,
                        self.weights, [mpmath.fneg(x, exact=True) for x in self.u],
                        -self.sign, self.symmetric,
                        self.k, self.dps, self.kind, self.loss, self.family, self.gap,
                        self.match, self.point)


def check_kind(kind):
    """``"min"`` or ``"max"`` (an InputError otherwise)."""
    if kind not in KINDS:
        raise InputError(f"kind must be 'min' or 'max', got {kind!r}")
    return kind


def check_smooth(cp, tol=None):
    """Refuse a critical point where L is not smooth: a pair of neurons (or a neuron and a
    teacher neuron) parallel or anti-parallel, or a zero neuron.  ``tol`` bounds
    :math:`1 - \\cos^2\\theta` (default :math:`10^{-dps}`: the families approach the
    non-smooth set as k grows, e.g. type-A like :math:`4/k^2`, and stay off it).

    >>> from symcrit.critical import refine
    >>> check_smooth(refine("ΔS_k", [1, 0], 6, dps=20))
    Traceback (most recent call last):
    ...
    symcrit.core.errors.InputError: the loss is not smooth at this point of Fix(ΔS_k) ...
    """
    R = restricted_loss(cp.isotropy)
    with workdps(cp.dps + guard_digits(cp.k)):
        tol = mpmath.mpf(10) ** (-cp.dps) if tol is None else mpmath.mpf(tol)
        for label, _, guu, gvv, guv, identical in R.pair_gram(cp.xi, mpmath.mpf(cp.k),
                                                              system="mpmath"):
            if identical:
                continue
            if guu == 0 or gvv == 0:
                raise InputError(f"W(ξ) has a zero neuron at this point of Fix({R.H.label}): "
                                 "the loss is not differentiable there")
            if 1 - guv ** 2 / (guu * gvv) <= tol:
                raise InputError(
                    f"the loss is not smooth at this point of Fix({R.H.label}) (a pair of "
                    f"neurons of type {label!r} is parallel or anti-parallel: L is only C² "
                    "there), so its tangency arcs are not analytic; choose a point off that "
                    "set")


def extreme_eigenvalues(sp, kind, rtol=None):
    """The spectrum's lowest (``kind="min"``) or highest eigenvalue and every entry within
    ``rtol`` of it (relative to it, default :math:`10^{-dps/2}`; plus the round-off
    :math:`10^{-dps}\\max|\\lambda|`): a list of :class:`~symcrit.spectra.SpectrumEntry`
    (more than one only at a coincidence of isotypic components; at large k eigenvalues of
    different components differ by :math:`O(k^{-1/2})` while the largest grows like k, so
    the tolerance must not be relative to the largest)."""
    check_kind(kind)
    vals = [e.eigenvalue for e in sp.entries]
    ext = min(vals) if kind == "min" else max(vals)
    scale = max(abs(v) for v in vals)
    rtol = mpmath.mpf(10) ** (-(sp.dps // 2)) if rtol is None else rtol
    tol = rtol * abs(ext) + mpmath.mpf(10) ** (-sp.dps) * scale
    return [e for e in sp.entries if abs(e.eigenvalue - ext) <= tol]


def component_of(H, label):
    """The isotypic component of M(k, k) under H with the irreducible ``label``."""
    for c in isotypic_decomposition(H).components:
        if c.label == label:
            return c
    raise InputError(f"no isotypic component {label!r} of {H}")   # pragma: no cover


def arc_starts(cp, kind="min", max_split=DEFAULT_MAX_SPLIT, spectrum=None):
    """The starts of the tangency arcs of ``kind`` at the critical point ``cp`` (a
    :class:`~symcrit.critical.CriticalPoint` at an integer k): one per axial subgroup of the
    extreme eigenvalue's irreducible and per sign (one when -u is the same arc up to
    symmetry).

    Parameters
    ----------
    cp : CriticalPoint
        Its isotropy must be a Δ-type group with one block growing with k.
    kind : {"min", "max"}
    max_split : int
        At most this many points split off the growing block
        (:func:`~symcrit.arcs.subgroups.axial_subgroups`).
    spectrum : Spectrum, optional
        The spectrum at cp, if already computed.

    Returns
    -------
    list of ArcStart

    Raises
    ------
    InputError
        A bad kind, a non-integer k, a point where L is not smooth, or an eigenvalue that
        is degenerate inside Fix(G) (the direction is then not determined by G).
    """
    check_kind(kind)
    if not is_integer(cp.k):
        raise InputError(f"tangency arcs are computed at integer k, got k = {cp.k}")
    dps = check_dps(cp.dps)
    k = int(cp.k)
    check_smooth(cp)
    sp = spectrum if spectrum is not None else spectrum_of(cp)
    out = []
    work = dps + guard_digits(k)
    for entry in extreme_eigenvalues(sp, kind):
        comp = component_of(cp.isotropy, entry.irrep)
        for ref in axial_subgroups(cp.isotropy, comp.irrep.tail, comp.irrep.small, k,
                                   max_split):
            out += _starts(cp, ref, entry, kind, work)
    if not out:
        raise InputError(f"no symmetry-adapted direction at k = {k}: the axial subgroups of "
                         f"{', '.join(e.irrep for e in extreme_eigenvalues(sp, kind))} in "
                         f"{cp.isotropy} would leave fewer than 2 points in the growing "
                         "block (use a larger k)")
    return out


def _starts(cp, ref, entry, kind, work):
    """The two (or one) starts in Fix(G) for the refinement ``ref``."""
    RG = restricted_loss(ref.child.group)
    k = int(cp.k)
    with workdps(work):
        eta = [mpmath.mpf(x) for x in ref.embed(cp.xi)]
        w = RG.weights(k, system="mpmath")
        Hm = RG.hessian(eta, mpmath.mpf(k), system="mpmath")
        D = mpmath.diag(w)
        ev, V = generalized_eigh(Hm, D, "mpmath", vectors=True)
        lam = mpmath.mpf(entry.eigenvalue)
        j = min(range(len(ev)), key=lambda i: abs(ev[i] - lam))
        scale = max(abs(x) for x in ev)
        match = abs(ev[j] - lam)
        if match > mpmath.mpf(10) ** (-(cp.dps // 2)) * scale:   # pragma: no cover
            raise InputError(f"the eigenvalue {mpmath.nstr(lam, 10)} of {entry.irrep} does "
                             f"not occur in Fix({ref.child.label}) (nearest "
                             f"{mpmath.nstr(ev[j], 10)})")
        others = [abs(ev[i] - ev[j]) for i in range(len(ev)) if i != j]
        gap = min(others) if others else mpmath.inf
        if gap <= mpmath.mpf(10) ** (-cp.dps) * scale:
            raise InputError(f"the eigenvalue {mpmath.nstr(lam, 10)} is degenerate in "
                             f"Fix({ref.child.label}): the direction of the arc is not "
                             "determined by its isotropy")
        v = [V[i, j] for i in range(len(ev))]
        s = [mpmath.sqrt(x) for x in w]
        u = [si * vi for si, vi in zip(s, v)]
        big = max(range(len(u)), key=lambda i: abs(u[i]))
        if u[big] < 0:
            u = [-x for x in u]
            v = [-x for x in v]
        tol = mpmath.mpf(10) ** (-(cp.dps // 2))
        symmetric = any(max(abs(v[p[i]] + v[i]) * s[i] for i in range(len(v))) <= tol
                        for p in ref.swaps)
        start = ArcStart(ref, entry.irrep, ev[j], eta, w, u, 1, bool(symmetric), k,
                         int(cp.dps), kind, cp.loss, cp.family, gap, match, cp)
    return [start] if symmetric else [start, start.opposite()]
