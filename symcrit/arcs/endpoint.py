r"""Where a tangency arc ends: the critical point reached at :math:`r^*`, refined and
identified.

Where μ changes sign on an arc, :math:`\nabla L(W) = \mu(W - c) = 0`: the arc has reached
another critical point :math:`c^*` at distance :math:`r^* = \|c^* - c\|_F` from c, so the
distance from c to the nearest other critical point is at most :math:`r^*` (Arjevani 2023,
"Hidden minima in two-layer ReLU networks", arXiv:2312.16819).  The point is refined in
Fix(G) (:func:`symcrit.arcs.tracer.refine_endpoint`) and then identified, at a cost
independent of k:

* **isotropy**: the largest Young Δ-group above G whose fixed space contains the point,
  found by merging blocks of G while the point stays fixed (the projection onto the merged
  group's fixed space moves it by less than :math:`10^{-dps/2}`); merges that keep a point
  fixed generate its isotropy, so the greedy search ends at the isotropy group within the
  Young Δ-groups.  At k ≤ :data:`DETECT_MAX_K` the group is also detected on the matrix
  W(ξ) itself (:func:`symcrit.symmetry.detect_isotropy`, certified by
  individualisation–refinement), independently of the fixed-space description;
* the point is refined again in the fixed space of that group, and its Hessian spectrum
  computed by isotypic blocks (:func:`symcrit.spectra.spectrum_of`, at
  :data:`SPECTRUM_DPS` digits): index and kind;
* **family**: a catalogue family (:func:`symcrit.critical.list_families`) with the same
  isotropy whose point at k equals it, up to the permutations of equal blocks
  (:func:`symcrit.arcs.subgroups.block_permutations`), within :math:`10^{-dps/2}`; at
  k ≤ :data:`DETECT_MAX_K` also any family with the same loss whose matrix equals it up to
  row and column permutations.

>>> from symcrit.critical import get_family
>>> from symcrit.arcs import arc_starts, trace_arc
>>> st = arc_starts(get_family("type-A").point(10, dps=30), "min")[0]
>>> end = arc_endpoint(st, trace_arc(st), dps=30)
>>> end.isotropy, end.kind, end.index, end.family
('ΔS_{k-2}', 'saddle', 1, None)
>>> mpmath.nstr(end.r_star, 15), mpmath.nstr(end.loss, 12)
('0.567409540415891', '0.0204031137242')
"""
from __future__ import annotations

from dataclasses import dataclass, field

import mpmath
import numpy as np

from ..core import ConvergenceError, InputError, dec, guard_digits, workdps
from ..critical import list_families, permutation_distance, refine
from ..spectra import spectrum_of
from ..symmetry import YoungIsotropy, detect_isotropy
from .subgroups import block_permutations, coarsenings
from .tracer import refine_endpoint

__all__ = ["Endpoint", "arc_endpoint", "lattice_isotropy", "match_family", "DETECT_MAX_K",
           "SPECTRUM_DPS", "MATCH_DPS"]

#: the largest k at which isotropies are also detected on the k × k matrix W
DETECT_MAX_K = 40
#: the digits of the endpoint's Hessian spectrum (its index and kind)
SPECTRUM_DPS = 15
#: the digits of the family points an endpoint is compared with (the match tolerance is
#: 10^(-dps/2), so 20 digits decide it at any dps up to 40)
MATCH_DPS = 20


@dataclass
class Endpoint:
    """The critical point at the end of an arc: ``point`` (a
    :class:`~symcrit.critical.CriticalPoint` in the fixed space of its isotropy), its
    distance ``r_star`` from c, the isotropy label and how it was found
    (``isotropy_method``), the detection on W where made (``detected``), the family (or
    None), the spectrum's ``index`` and ``kind``, and the full-space gradient checks."""
    point: object
    r_star: object
    isotropy: str
    isotropy_method: str
    family: str | None
    index: object
    kind: str
    spectrum: object = field(default=None, repr=False)
    detected: dict | None = None
    family_distance: object = None

    @property
    def loss(self):
        """The loss at the endpoint (an mpmath number, refined)."""
        return self.point.loss

    @property
    def gradient_norm(self):
        """The norm of the restricted gradient at the refined endpoint (its residual)."""
        return self.point.gradient_norm

    def to_json(self, digits=None):
        """The keys of the issue (``loss``, ``isotropy``, ``family``, ``index``, ``kind``,
        ``gradient_norm``) and how each was obtained; numbers as decimal strings."""
        cp = self.point
        digits = digits or cp.dps
        idx = self.index
        out = {"loss": dec(cp.loss, digits), "isotropy": self.isotropy,
               "family": self.family, "index": idx if isinstance(idx, (int, type(None)))
               else dec(idx, 10), "kind": self.kind,
               "gradient_norm": dec(cp.gradient_norm, 5),
               "residual": dec(cp.residual, 5), "certainty": cp.certainty,
               "r_star": dec(self.r_star, digits),
               "isotropy_method": self.isotropy_method,
               "parameters": {n: dec(x, digits) for n, x in zip(cp.names, cp.xi)}}
        if self.detected is not None:
            out["isotropy_detected"] = self.detected
        if cp.checks:
            out["full_space_check"] = {key: dec(v, 5 if "gradient" in key else digits)
                                       for key, v in cp.checks.items()}
        return out


def lattice_isotropy(G, eta, weights, tol, frobenius=False):
    """The largest Young Δ-group above the block group ``G`` whose fixed space contains the
    point ``eta`` of Fix(G): ``(group, point in its coordinates)`` (greedy merging of
    blocks, see the module docstring).  A merge is accepted when the projection moves the
    point by at most ``tol``: in the max norm of the parameters, or (``frobenius``) in the
    Frobenius norm of W, :math:`(\\sum_p w_p (\\eta_p - \\xi_{q(p)})^2)^{1/2}`.

    >>> from symcrit.symmetry import K
    >>> from symcrit.arcs import BlockGroup
    >>> G = BlockGroup.canonical([K - 2, 1, 1])
    >>> H, xi = lattice_isotropy(G, [1, 0, 0, 0, 0, 1, 0, 0, 0, 1], G.fixed.weights_at(7), 1e-12)
    >>> H.label, xi                                # W = I is in Fix(ΔS_k)
    ('ΔS_k', [1.0, 0.0])
    """
    cur, x = G, list(eta)
    w = list(weights)
    while True:
        for ref in coarsenings(cur):
            xi, dev = ref.project(x, w)
            if frobenius:
                dev = sum(wp * (xp - xi[q]) ** 2
                          for wp, xp, q in zip(w, x, ref.param_map)) ** 0.5
            if dev <= tol:
                wp = [0] * len(xi)
                for p, q in enumerate(ref.param_map):
                    wp[q] = wp[q] + w[p]
                cur, x, w = ref.parent, xi, wp
                break
        else:
            return cur, x


def match_family(group, xi, k, dps, tol, loss=None):
    """``(name, distance)`` of a catalogue family whose point at k is this one: one with
    the isotropy ``group`` whose parameters equal ``xi`` up to block permutations (within
    ``tol``, max norm); failing that, at k ≤ :data:`DETECT_MAX_K`, one with the same loss
    whose matrix equals W(ξ) up to row and column permutations
    (:func:`symcrit.critical.permutation_distance`: e.g. a permuted identity, which is the
    global minimum but not in Fix(ΔS_k)).  Else ``(None, best distance or None)``."""
    label = group.label
    perms = None
    best = (None, None)
    same_loss = []
    fallback = loss is not None and k <= DETECT_MAX_K
    for fam in list_families():
        same = YoungIsotropy(fam.isotropy).label == label
        if not (same or fallback):
            continue
        try:
            pf = fam.point(k, dps=dps, full_check=False)
        except (InputError, ConvergenceError):
            continue
        if fallback and abs(pf.loss - loss) <= tol:
            same_loss.append((fam, pf))
        if not same:
            continue
        if perms is None:
            perms = block_permutations(group)
        d = min(max(abs(mpmath.mpf(xi[p[i]]) - pf.xi[i]) for i in range(len(xi)))
                for p in perms)
        if best[1] is None or d < best[1]:
            best = (fam.name, d)
    if best[1] is not None and best[1] <= tol:
        return best
    if same_loss:
        W = np.asarray(group.fixed.embed([float(x) for x in xi], k), dtype=float)
        for fam, pf in same_loss:
            d = permutation_distance(W, np.asarray(pf.W("float"), dtype=float))
            if d <= 1e-8:
                return fam.name, mpmath.mpf(d)
    return None, best[1]


def arc_endpoint(start, trace, dps=30, family=True):
    """Refine and identify the critical point at the end of the arc (``trace.status ==
    "critical"``).

    Parameters
    ----------
    start : ArcStart
    trace : ArcTrace
    dps : int
    family : bool
        Also look for a catalogue family with the same isotropy.

    Returns
    -------
    Endpoint
    """
    cpG, rstar = refine_endpoint(start, trace, dps)
    k = start.k
    G = start.refinement.child
    with workdps(dps + guard_digits(k)):
        w = G.fixed.weights_at(k, system="mpmath")
        tol = mpmath.mpf(10) ** (-min(dps // 2, MATCH_DPS - 5)) * \
            max([1] + [abs(x) for x in cpG.xi])
        group, xi = lattice_isotropy(G, cpG.xi, w, tol)
    cp = cpG
    if group != G:
        cp = refine(group.group, xi, k, dps=dps, full_check=k <= DETECT_MAX_K,
                    full_check_max_k=DETECT_MAX_K)
        if abs(cp.loss - cpG.loss) > tol:   # pragma: no cover - refine went elsewhere
            cp, group = cpG, G
    method = "lattice of Young Δ-groups above " + G.label
    detected = None
    if k <= DETECT_MAX_K:
        W = np.asarray(cp.W("float"), dtype=float)
        iso = detect_isotropy(W, tol=1e-8)
        detected = {"isotropy": iso.label, "order": str(iso.order), "exact": iso.exact,
                    "agrees": iso.label == group.label}
        if iso.label == group.label and iso.exact:
            method += "; detected on W and certified"
    try:
        sp = spectrum_of(cp, dps=min(int(dps), SPECTRUM_DPS))
        index, kind = sp.index, sp.kind
    except InputError:                                 # pragma: no cover
        sp, index, kind = None, None, "unknown"
    name, dist = (None, None)
    if family:
        with workdps(dps):
            name, dist = match_family(group, cp.xi, k, min(int(dps), MATCH_DPS), tol,
                                      loss=cp.loss)
    cp.family = name
    return Endpoint(cp, rstar, group.label, method, name, index, kind, sp, detected, dist)
