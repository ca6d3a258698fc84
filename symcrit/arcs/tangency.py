r"""Tangency arcs of a critical point: all branches of one kind, traced, expanded, ended and
compared.

**Definitions** (Arjevani 2023, "Hidden minima in two-layer ReLU networks",
arXiv:2312.16819).  For a critical point c of L, the *tangency set* is the set of critical
points of L restricted to the spheres :math:`\|W - c\|_F = r`:
:math:`\nabla L(W) = \mu(W - c)`.  :math:`m(r)` and :math:`M(r)` are the minimum and the
maximum of L on the sphere of radius r.  A minimising (maximising) *tangency arc* is a curve
γ(r) with :math:`\|\gamma(r) - c\| = r` and :math:`L(\gamma(r)) = m(r)` (:math:`M(r)`),
leaving c along an eigenvector of the lowest (highest) Hessian eigenvalue; it has an
isotropy group, a subgroup of that of c, and lies in its fixed space for every r.  Arcs are
definable, so m(r) has a Puiseux expansion in r.  If an arc reaches another critical point
at :math:`r^*` (where μ = 0), the distance from c to the nearest other critical point is at
most :math:`r^*`.

**What** :func:`tangency_arcs` **does.**

1. The branches (:func:`~symcrit.arcs.directions.arc_starts`): the extreme eigenvalue, its
   isotypic component and one direction per axial subgroup G and sign.
2. Each branch is traced in Fix(G) (:func:`~symcrit.arcs.tracer.trace_arc`), expanded at
   r = 0 (:func:`~symcrit.arcs.expansion.arc_expansion`), tested for being a local
   extremum of L on its sphere in the full space (:func:`~symcrit.arcs.sphere.sphere_test`),
   and its end refined and identified (:func:`~symcrit.arcs.endpoint.arc_endpoint`).
3. The isotropy of each arc: the lattice of Young groups at a small and a large r (no group
   above G fixes the arc), and at k ≤ 40 the detection on W(r)
   (:func:`symcrit.symmetry.detect_isotropy`).
4. The arc that realises m(r) (M(r)) near r = 0 among the branches: a local extremum on
   the sphere, lowest (highest) by its expansion, compared term by term; ``lowest_up_to``
   says how far it stays below every other traced arc (Hermite interpolation with the
   exact slopes :math:`m'(r) = \mu r`).

Everything but the float64 path is at ``dps`` digits; every step costs the same at k = 10
and at k = 10^6.

>>> arcs = tangency_arcs("hidden-D", 10, dps=20)
>>> best = arcs.realising
>>> best.isotropy, best.irrep, best.expansion.leading(), best.endpoint.kind
('ΔS_{k-2}', '[k-2,1,1]', ('quartic', 4), 'saddle')
>>> mpmath.nstr(best.r_star, 12)
'0.879864383398'
"""
from __future__ import annotations

import functools
import time
from dataclasses import dataclass, field

import mpmath
import numpy as np

from ..core import (ConvergenceError, InputError, check_dps, dec, float_text, is_integer,
                    k_json, workdps)
from ..critical import CriticalPoint, get_family
from ..spectra import spectrum_of
from ..symmetry import K, detect_isotropy, isotypic_decomposition
from .directions import arc_starts, check_kind, component_of
from .endpoint import DETECT_MAX_K, arc_endpoint, lattice_isotropy
from .expansion import arc_expansion
from .invariants import cubic_invariants
from .sphere import sphere_test
from .subgroups import DEFAULT_MAX_SPLIT
from .tracer import RMAX_DEFAULT, check_rmax, refine_on_arc, trace_arc

__all__ = ["TangencyArc", "ArcSet", "tangency_arcs", "hermite_m", "MAX_CONFIRMATIONS",
           "K_LIMIT"]

#: the largest k accepted (the cost does not grow with k; the working precision does)
K_LIMIT = 10 ** 12

#: the most crossings of the realising arc by another that are checked on refined points
MAX_CONFIRMATIONS = 4


@dataclass
class TangencyArc:
    """One traced arc: its start (:class:`~symcrit.arcs.directions.ArcStart`), the float64
    path, the expansion at r = 0, the second-order test on the spheres, the endpoint (or
    None), the isotropy checks, whether it realises m(r) (M(r)) and how far it stays the
    lowest (highest) of the traced arcs."""
    start: object
    trace: object
    expansion: object
    sphere: object
    endpoint: object = None
    isotropy_checks: list = field(default_factory=list)
    realises_extremum: bool = False
    lowest_up_to: float | None = None
    overtaken_by: int | None = None
    cubic_invariants: int | None = None
    seconds: float = 0.0

    @property
    def isotropy(self):
        """The isotropy label of the arc's points (that of the subgroup G)."""
        return self.start.isotropy

    @property
    def irrep(self):
        """The irreducible representation of the extreme eigenvalue the arc starts along."""
        return self.start.irrep

    @property
    def r_star(self):
        """The refined radius where μ changes sign (None if the arc did not get there)."""
        return self.endpoint.r_star if self.endpoint is not None else None

    def point(self, r, dps=None):
        """The point of the arc at radius r refined to ``dps`` digits
        (:class:`~symcrit.arcs.tracer.ArcPoint`)."""
        return refine_on_arc(self.start, self.trace, r, dps or self.start.dps,
                             self.expansion)

    def c3_zero(self):
        """Why c₃ is exactly 0 (``"symmetry"``: -v is conjugate to v;
        ``"representation"``: the irreducible carries no invariant cubic form), or None."""
        if self.start.symmetric:
            return "symmetry"
        if self.cubic_invariants == 0:
            return "representation"
        return None

    def leading_term(self):
        """The first term of m(r) beyond r²: ``"cubic"``, ``"quartic"`` or ``"higher"``
        (c₃ = 0 when it is 0 exactly, by symmetry or by representation theory)."""
        lead, _ = self.expansion.leading()
        if self.c3_zero() and lead == "cubic":   # pragma: no cover - numerically tiny c3
            return "quartic"
        return lead

    def coefficients_json(self, digits):
        """The coefficients of :math:`m(r) = L(c) + c_2 r^2 + c_3 r^3 + \\dots` by power, as
        decimal strings to ``digits`` digits (c3 exactly ``"0"`` where :meth:`c3_zero` says
        why it vanishes)."""
        js = self.expansion.to_json(digits)
        if self.c3_zero():
            js["3"] = "0"
        return js

    def to_json(self, digits=None):
        """The arc as JSON: the keys of the issue (``isotropy``, ``irrep``,
        ``realises_extremum``, ``coefficients``, ``r_star``, ``endpoint``) and how sure each
        is; numbers as decimal strings.  ``mu_coefficients`` are those of μ(r) and
        ``arc_coefficients`` those of the arc, :math:`\\eta_p(r) = \\eta_{c,p} +
        \\sum_j z_{j,p} r^{j+1}` in the coordinates of Fix(G) (``parameters_at_c``);
        ``samples`` are the float64 path (r, m(r) - L(c), μ)."""
        st = self.start
        digits = digits or st.dps
        ex = self.expansion
        lead = self.leading_term()
        out = {
            "family": st.family, "k": k_json(st.k), "kind": st.kind,
            "isotropy": st.isotropy, "irrep": st.irrep,
            "realises_extremum": bool(self.realises_extremum),
            "coefficients": self.coefficients_json(digits),
            "r_star": None if self.r_star is None else dec(self.r_star, digits),
            "endpoint": None if self.endpoint is None else self.endpoint.to_json(digits),
            "loss_at_c": dec(st.loss, digits), "eigenvalue": dec(st.eigenvalue, digits),
            "direction": {"subgroup": st.subgroup_note, "sign": "+" if st.sign > 0 else "-",
                          "opposite_is_conjugate": bool(st.symmetric)},
            "leading_term": lead,
            "c3_zero": self.c3_zero(),
            "cubic_invariants": self.cubic_invariants,
            "mu_coefficients": [dec(m, digits) for m in ex.mu],
            "arc_coefficients": {name: [dec(z[i], digits) for z in ex.arc] for i, name in
                                 enumerate(st.refinement.child.fixed.names)},
            "parameters_at_c": {name: dec(x, digits) for name, x in
                                zip(st.refinement.child.fixed.names, st.eta_c)},
            "coefficients_certainty": ex.certainty, "dps": st.dps,
            "expansion_check": dec(ex.check, 3),
            "status": self.trace.status, "status_message": self.trace.message,
            "folds": [float_text(r) for r in self.trace.folds],
            "isotropy_checks": self.isotropy_checks,
            "sphere_test": {"local_extremum_up_to": float_text(self.sphere.holds_up_to),
                            "fails_at": None if self.sphere.fails_at is None
                            else float_text(self.sphere.fails_at)},
            "lowest_up_to": None if self.lowest_up_to is None
            else float_text(self.lowest_up_to),
            "samples": [{"r": float_text(r), "m": float_text(m), "mu": float_text(u)}
                        for r, m, u in zip(self.trace.r, self.trace.m, self.trace.mu)],
        }
        return out


def hermite_m(trace, r):
    """m(r) - L(c) on a traced arc at radius r by cubic Hermite interpolation between
    the traced points, with the exact slopes :math:`m'(r) = \\mu r` (float64; None outside
    the first stretch of the trace that is monotone in r)."""
    R, M, U = trace.r, trace.m, trace.mu
    for i in range(len(R) - 1):
        a, b = R[i], R[i + 1]
        if b <= a:
            return None
        if a <= r <= b:
            h = b - a
            t = (r - a) / h
            da, db = U[i] * a * h, U[i + 1] * b * h
            return ((2 * t ** 3 - 3 * t ** 2 + 1) * M[i] + (t ** 3 - 2 * t ** 2 + t) * da
                    + (-2 * t ** 3 + 3 * t ** 2) * M[i + 1] + (t ** 3 - t ** 2) * db)
    return None


@dataclass
class ArcSet:
    """All arcs of one kind at a critical point ``point`` (with its spectrum)."""
    point: object
    kind: str
    arcs: list
    spectrum: object = None
    seconds: float = 0.0
    notes: list = field(default_factory=list)

    @property
    def realising(self):
        """The arc that realises m(r) (M(r)) near r = 0, or None."""
        for a in self.arcs:
            if a.realises_extremum:
                return a
        return None

    def __iter__(self):
        return iter(self.arcs)

    def __len__(self):
        return len(self.arcs)

    def to_json(self, digits=None):
        """A list of arcs (see :meth:`TangencyArc.to_json`)."""
        return [a.to_json(digits) for a in self.arcs]

    def table(self, digits=10):
        """A text table, one arc per line."""
        cp = self.point
        lines = [f"tangency arcs ({'minimising' if self.kind == 'min' else 'maximising'}) "
                 f"of {cp.family or 'the point'} in Fix({cp.isotropy}) at k = "
                 f"{k_json(cp.k)}, {cp.dps} digits; L(c) = {mpmath.nstr(cp.loss, digits)}"]
        if self.arcs:
            st = self.arcs[0].start
            lines.append(f"{'lowest' if self.kind == 'min' else 'highest'} eigenvalue "
                         f"{mpmath.nstr(st.eigenvalue, digits)} in {st.irrep}")
        head = (f"  {'#':>2s} {'isotropy':<20s} {'sign':>4s} {'m(r)':>4s} {'c3':>14s} "
                f"{'c4':>14s} {'r*':>14s}  endpoint")
        lines.append(head)
        for i, a in enumerate(self.arcs):
            c = a.expansion.coefficients
            c3 = "0 (exact)" if a.c3_zero() else mpmath.nstr(c[3], 8)
            end = "-"
            if a.endpoint is not None:
                e = a.endpoint
                end = (f"{e.family or e.isotropy} {e.kind} (index {e.index}), "
                       f"L = {mpmath.nstr(e.loss, 10)}")
            elif a.trace.status != "critical":
                end = f"({a.trace.status}: {a.trace.message})"
            rs = mpmath.nstr(a.r_star, 10) if a.r_star is not None else "-"
            lines.append(f"  {i:>2d} {a.isotropy:<20s} {'+' if a.start.sign > 0 else '-':>4s} "
                         f"{'yes' if a.realises_extremum else '':>4s} {c3:>14s} "
                         f"{mpmath.nstr(c[4], 8):>14s} {rs:>14s}  {end}")
        best = self.realising
        if best is not None and best.r_star is not None:
            lines.append(f"dist(c, nearest other critical point) <= r* = "
                         f"{mpmath.nstr(best.r_star, digits)}")
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)

    __str__ = table


def _point(point, k, dps):
    if k is not None and not isinstance(k, bool) and is_integer(k) and int(k) > K_LIMIT:
        raise InputError(f"tangency arcs are computed for k up to 10^12, got k = {k}")
    if isinstance(point, CriticalPoint):
        if k is not None and k != point.k:
            raise InputError(f"the point is at k = {point.k}, not {k}")
        return point
    fam = get_family(point)
    if k is None:
        raise InputError("give k")
    if isinstance(k, bool) or not is_integer(k):
        raise InputError(f"tangency arcs are computed at integer k, got k = {k}")
    k = int(k)
    if k < fam.k_min:
        raise InputError(f"family {fam.name} ({fam.isotropy}) has no point at k = {k} "
                         f"(it needs k >= {fam.k_min})")
    try:
        return fam.point(k, dps=dps, full_check=k <= DETECT_MAX_K)
    except ConvergenceError as exc:
        raise InputError(f"family {fam.name} has no point at k = {k}: {exc}") from None


def _isotropy_checks(start, trace):
    """The isotropy of the arc at a small and a large traced r (the first point beyond a
    tenth of the arc, and the last before its end): the lattice of Young groups above G
    (any k; a merge must move W(r) by less than 10⁻⁷ r, in the Frobenius norm), and the
    detection on W(r) (k ≤ 40)."""
    out = []
    n = len(trace.r)
    if n < 3:
        return out
    G = start.refinement.child
    w = [float(x) for x in start.weights]
    small = next((i for i in range(1, n) if trace.r[i] >= 0.1 * trace.r[-1]), 1)
    for i in sorted({small, max(1, n - 2)}):
        eta = [float(x) for x in trace.eta[i]]
        group, _ = lattice_isotropy(G, eta, w, 1e-7 * float(trace.r[i]), frobenius=True)
        item = {"r": float_text(trace.r[i]), "lattice": group.label}
        if start.k <= DETECT_MAX_K:
            W = np.asarray(G.fixed.embed(eta, start.k), dtype=float)
            iso = detect_isotropy(W, tol=1e-9)
            item.update(detected=iso.label, order=str(iso.order), certified=bool(iso.exact))
        out.append(item)
    return out


def _local_at_start(arc):
    """The arc passes the second-order test on its spheres at small r."""
    sph = arc.sphere
    if not sph.radii:                         # nothing traced, nothing tested
        return False
    return sph.fails_at is None or sph.fails_at > sph.radii[0]


def _key(ex, kind):
    """Coefficients c3, c4, ... of an expansion, relative to c2: lower is better for min
    (negated for max)."""
    c = ex.coefficients
    sgn = 1 if kind == "min" else -1
    scale = abs(c[2]) or 1
    return [sgn * c[j] / scale for j in sorted(c) if j >= 3]


def _compare_key(arc, kind):
    return _key(arc.expansion, kind)


def _better(a, b, tol):
    for x, y in zip(a, b):
        if abs(x - y) > tol:
            return x < y
    return False


def _mark_realising(arcs, kind, dps):
    """Mark the arc realising m(r) (M(r)) near 0: among the arcs that are local extrema on
    their spheres at small r, the lowest (highest) by the expansion.  Then find how far it
    stays the lowest of the traced arcs: candidate crossings are screened on the float64
    tracks (Hermite interpolation, relative tolerance 1e-6) and confirmed on refined
    points (mpmath)."""
    cands = [a for a in arcs if _local_at_start(a)]
    if not cands:
        return
    tol = mpmath.mpf(10) ** (-(dps // 2))
    best = cands[0]
    for a in cands[1:]:
        if _better(_compare_key(a, kind), _compare_key(best, kind), tol):
            best = a
    best.realises_extremum = True
    sgn = 1 if kind == "min" else -1
    up_to = None
    confirmations = 0
    for r, m in zip(best.trace.r[1:], best.trace.m[1:]):
        for j, a in enumerate(arcs):
            if a is best:
                continue
            ma = hermite_m(a.trace, r)
            if ma is None or sgn * (ma - m) >= -1e-6 * abs(m):
                continue
            if confirmations >= MAX_CONFIRMATIONS:
                break
            confirmations += 1
            try:
                pb, pa = best.point(r, dps), a.point(r, dps)
            except ConvergenceError:       # pragma: no cover
                continue
            if sgn * (pa.loss - pb.loss) < -tol * abs(pb.loss - best.start.loss):
                best.lowest_up_to, best.overtaken_by = up_to or 0.0, j
                return
        up_to = float(r)
    best.lowest_up_to = up_to


def tangency_arcs(point, k=None, kind="min", dps=30, rmax=RMAX_DEFAULT,
                  max_split=DEFAULT_MAX_SPLIT, order=6, endpoints=True, progress=None,
                  only_realising=False):
    """All tangency arcs of one kind at a critical point.

    Parameters
    ----------
    point : str, Family or CriticalPoint
        A family name (then ``k`` is needed) or a critical point at an integer k.
    k : int, optional
    kind : {"min", "max"}
        Minimising arcs (lowest eigenvalue, m(r)) or maximising ones (highest, M(r)).
    dps : int
        Digits of the refined results (expansion, r*, endpoints).
    rmax : float
        Arcs are followed up to this radius when μ does not change sign before.
    max_split : int
        Points split off the growing block at most, in the axial subgroups.
    order : int
        The highest power of r in the expansion of m(r).
    endpoints : bool
        Refine and identify the endpoints.
    progress : callable, optional
        Called with each finished :class:`TangencyArc`.
    only_realising : bool
        Trace only the arc that realises the extremum: the branches are ranked by their
        expansions and traced from the best until one is a local extremum on its spheres
        (no check of crossings with the others).

    Returns
    -------
    ArcSet

    Raises
    ------
    InputError
        A family with no point at this k (below its range, or lost on the way), a
        non-integer k, a bad kind, rmax ≤ 0, a precision out of range, a point where L is
        not smooth.
    """
    t0 = time.perf_counter()
    check_kind(kind)
    dps = check_dps(dps)
    rmax = check_rmax(rmax)
    cp = _point(point, k, dps)
    with workdps(dps):
        sp = spectrum_of(cp)
        starts = arc_starts(cp, kind, max_split, spectrum=sp)
    expansions = {}
    for st in starts:
        if st.isotropy not in expansions:
            expansions[st.isotropy] = arc_expansion(st if st.sign == 1 else st.opposite(),
                                                    order, dps)
    exps = [expansions[st.isotropy] if st.sign == 1 else expansions[st.isotropy].reflected()
            for st in starts]
    dec_ = isotypic_decomposition(cp.isotropy)
    n_big = int(dec_.n.subs(K, cp.k))
    tol = mpmath.mpf(10) ** (-(dps // 2))
    order_ = sorted(range(len(starts)), key=functools.cmp_to_key(
        lambda i, j: -1 if _better(_key(exps[i], kind), _key(exps[j], kind), tol) else
        1 if _better(_key(exps[j], kind), _key(exps[i], kind), tol) else 0))

    def build(i):
        st, ex = starts[i], exps[i]
        t = time.perf_counter()
        tr = trace_arc(st, rmax, expansion=ex)
        sph = sphere_test(st, tr)
        end = arc_endpoint(st, tr, dps) if endpoints and tr.status == "critical" else None
        comp = component_of(cp.isotropy, st.irrep)
        arc = TangencyArc(st, tr, ex, sph, end, _isotropy_checks(st, tr),
                          cubic_invariants=cubic_invariants(comp.irrep.tail,
                                                            comp.irrep.small, n_big),
                          seconds=time.perf_counter() - t)
        if progress:
            progress(arc)
        return arc
    notes = []
    if only_realising:
        arcs = []
        for i in order_:
            arc = build(i)
            if _local_at_start(arc):
                arc.realises_extremum = True
                arcs = [arc]
                notes.append("only the arc realising the extremum was traced (the best by "
                             "its expansion that is a local extremum on its sphere); "
                             "crossings with other arcs were not checked")
                break
    else:
        arcs = [build(i) for i in range(len(starts))]
        _mark_realising(arcs, kind, dps)
    return ArcSet(cp, kind, arcs, sp, time.perf_counter() - t0, notes)

