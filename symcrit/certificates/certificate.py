r"""Certificates: a critical point exists in a box, it is unique there, and it is a strict
local minimum (or a saddle) of the full loss; the result and the decision.

:func:`certify_point` puts a box around a given point of Fix(H) and proves, in Arb:

1. one zero of :math:`\nabla_\xi L_H` in the box, hence one critical point of the full loss
   (Krawczyk test and symmetric criticality: :mod:`.krawczyk`);
2. the box avoids the non-smooth set (:func:`~.krawczyk.smooth_set_check`);
3. the sign of every isotypic Hessian block over the box (:mod:`.blocks`, by the inertia
   counts of :mod:`.inertia`).

**The decision** (:func:`decide_status`).  All blocks that occur at k positive definite
prove a strict local minimum of L (L is C² near the point and its Hessian there is
positive definite); a certified negative eigenvalue in one block and a certified positive
one prove a saddle.  Whatever is not proven is reported as ``unverified`` with the reason,
never as a type: near a threshold in k (an eigenvalue crossing zero) the answer is "not
certified".  Safran & Shamir (2018, "Spurious local minima are common in two-layer ReLU
neural networks", ICML, arXiv:1712.08968) proved their minima for 6 ≤ k ≤ 20 with a
commercial CAS; here the cost does not depend on k, and k may be real.

**The box.**  Radii :math:`\rho\,|\tilde\xi_i|` are tried for ρ = 10⁻¹⁰, 10⁻¹⁶, …, never
below four Newton steps :math:`|Y F(\tilde\xi)|`, with ε-inflation where K(X) sticks out
(Rump 2010, "Verification methods: rigorous results using floating-point arithmetic", Acta
Numerica 19, doi:10.1017/S096249291000005X, §13); the first box that passes is used.

**Real k.**  k is kept as exact text (``7.3`` means 73/10, never the nearest double) and
read into a ball that contains it (:func:`~.balls.k_ball`): every enclosure holds for every
k in that ball, so the certificate is a statement about the k that was written.

Certificates are data: :meth:`Certificate.save` writes the isotropy group, k, the box
(midpoints and radii as decimal strings), the precision and the claims, which
:func:`~symcrit.certificates.verify_certificate` proves again from the box alone.

>>> cert = certify("type-A", 6)
>>> cert.status, cert.exists
('minimum', True)
>>> [b.irrep for b in cert.blocks]
['[k-1]', '[k-2,1]', '[k-3,2]', '[k-3,1,1]']
>>> sum(int(b.count) * b.dimension for b in cert.blocks)            # = k²: all of M(6, 6)
36
>>> certify("type-A", 5).status
'saddle'
>>> cert = certify_point("ΔS_{k-1}", ["1.0", "-0.01", "0.15", "0.1", "-0.73"], 12)
>>> cert.status, cert.reason                                        # not a critical point
('unverified', 'the Newton step from the centre is ... relative (> 1e-08): not close enough to a critical point; refine the point first')
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import mpmath
from flint import arb, ctx

from ..core import (ConvergenceError, InputError, SymcritError, as_mpf, check_dps, dec,
                    exact_k, k_text, working_dps, workdps)
from ..critical import CriticalPoint, get_family
from ..restricted import restricted_loss
from ..schemas import document
from ..spectra import hessian_blocks
from .balls import arb_column, block_k, bound_text, k_ball, mid_inverse
from .blocks import block_bounds, coverage
from .krawczyk import KrawczykResult, krawczyk, smooth_set_check

__all__ = ["FORMAT", "RADII", "Certificate", "BoxCheck", "decide_status", "check_box",
           "choose_box", "certify_point", "family_k", "certify"]

#: the format tag of certificate files (version :func:`symcrit.schemas.version`
#: ``("certificate")``; files of the older ``symcrit-certificate/1`` still verify)
FORMAT = "symcrit.certificate"
#: relative box radii tried, largest first
RADII = (1e-10, 1e-16, 1e-24, 1e-32, 1e-40, 1e-50, 1e-64)


def decide_status(exists, smooth, bounds, exists_reason="", smooth_reason="",
                  block_error=None):
    """The type from the proven facts.

    Parameters
    ----------
    exists, smooth : bool
        Existence and uniqueness in the box; the box off the non-smooth set.
    bounds : list of BlockBound
    exists_reason, smooth_reason, block_error : str
        Why existence, smoothness or the blocks failed.

    Returns
    -------
    status : str
        ``minimum`` when every block that occurs is positive definite; ``saddle`` when one
        has a certified negative and one a certified positive eigenvalue; otherwise
        ``unverified``.
    reason : str
        Why it is ``unverified`` ("" otherwise).

    Examples
    --------
    >>> from symcrit.certificates import BlockBound
    >>> pos = BlockBound("a", 1, 1, None, None, "positive")
    >>> neg = BlockBound("b", 1, 1, None, None, "negative")
    >>> decide_status(True, True, [pos]), decide_status(True, True, [pos, neg])
    (('minimum', ''), ('saddle', ''))
    >>> decide_status(False, True, [pos], "Krawczyk test failed")
    ('unverified', 'Krawczyk test failed')
    """
    if not exists:
        return "unverified", exists_reason
    if not smooth:
        return "unverified", smooth_reason
    if block_error:
        return "unverified", block_error
    present = [b for b in bounds if b.present]
    if present and all(b.sign == "positive" for b in present):
        return "minimum", ""
    negs = [b for b in present if b.sign == "negative"]
    if negs:
        if any(b.sign == "positive" for b in present) or any(
                e is not None and bool(e[0] > 0) for b in present for e in b.enclosures):
            return "saddle", ""
        return "unverified", ("a negative eigenvalue is certified (not a minimum) but no "
                              "positive one")
    undecided = [b.note for b in present if b.sign == "undecided"]
    return "unverified", "; ".join(undecided) or "no Hessian blocks"


@dataclass
class BoxCheck:
    """What was proven on one box (:func:`check_box`).

    Attributes
    ----------
    smooth, smooth_reason, margin
        The smooth-set check (:func:`~.krawczyk.smooth_set_check`).
    exists, exists_reason, contraction, loss, krawczyk
        The Krawczyk test and its :class:`~.krawczyk.KrawczykResult`.
    bounds, blocks, block_error
        The :class:`~.blocks.BlockBound` of every isotypic block, the Arb blocks
        themselves (:class:`symcrit.spectra.IsotypicBlock`), or why they are missing.
    """
    smooth: bool = False
    exists: bool = False
    smooth_reason: str = ""
    exists_reason: str = ""
    margin: object = None
    contraction: float | None = None
    bounds: list = field(default_factory=list)
    loss: object = None
    block_error: str | None = None
    krawczyk: KrawczykResult | None = None
    blocks: list = field(default_factory=list)

    @classmethod
    def failed(cls, reason):
        """Nothing proven, for ``reason``."""
        return cls(exists_reason=reason)

    def status(self):
        """:func:`decide_status` of these facts."""
        return decide_status(self.exists, self.smooth, self.bounds, self.exists_reason,
                             self.smooth_reason, self.block_error)

    def add_blocks(self, R, ktext, d):
        """Block bounds over the box ``krawczyk.X`` (``bounds``, or ``block_error``)."""
        try:
            blocks = hessian_blocks(R.H, self.krawczyk.X, block_k(ktext), d, system="arb")
        except SymcritError as exc:
            self.block_error = f"Hessian blocks unavailable ({exc})"
            return self
        kq = exact_k(ktext)
        rows = kq + R.H.extra                  # n = k + m student rows (wider students)
        gap = coverage(blocks, ktext, str(rows * (kq if d is None else exact_k(d))))
        if gap:
            self.block_error = gap
            return self
        self.bounds = block_bounds(blocks, ktext)
        self.blocks = blocks
        return self


@dataclass
class Certificate:
    """The outcome of a certification: what was proven, about which box.

    ``status`` is ``minimum``, ``saddle`` or ``unverified`` (with ``reason``); ``exists``
    says whether existence and uniqueness in the box were proven (Krawczyk) and
    ``smooth`` whether the box avoids the non-smooth set.  ``center`` and ``radii`` are
    the decimal strings that define the box, ``dps`` the working precision; ``blocks`` the
    :class:`~.blocks.BlockBound` of every isotypic block; ``loss`` an enclosure of the loss
    over the box; ``verified`` is set by
    :func:`~symcrit.certificates.verify_certificate`."""
    isotropy: str
    k: str
    center: list
    radii: list
    dps: int
    status: str
    reason: str = ""
    d: str | None = None
    family: str | None = None
    names: list = field(default_factory=list)
    exists: bool = False
    smooth: bool = False
    smooth_margin: object = None
    contraction: float | None = None
    blocks: list = field(default_factory=list)
    loss: object = None
    seconds: float = 0.0
    verified: bool | None = None
    jacobian: object = field(default=None, repr=False, compare=False)

    @classmethod
    def from_check(cls, R, ktext, check, center=(), radii=None, dps=30, d=None,
                   family=None, t0=None):
        """The certificate of a :class:`BoxCheck` on the box ``center ± radii`` (texts)."""
        status, reason = check.status()
        kres = check.krawczyk
        return cls(isotropy=R.H.label, k=ktext, d=d, center=list(center),
                   radii=radii or [], dps=dps, status=status, reason=reason,
                   family=family, names=list(R.fixed.names), exists=check.exists,
                   smooth=check.smooth, smooth_margin=check.margin,
                   contraction=check.contraction, blocks=check.bounds, loss=check.loss,
                   seconds=0.0 if t0 is None else time.perf_counter() - t0,
                   jacobian=None if kres is None else kres.J)

    @property
    def radius(self):
        """The largest radius of the box (float)."""
        return max(float(arb(r).upper()) for r in self.radii) if self.radii else None

    @property
    def certified(self):
        """The status is proven (``minimum`` or ``saddle``)."""
        return self.status in ("minimum", "saddle")

    def lambda_min(self):
        """Per block: the rigorous lower bound of its smallest eigenvalue (arb, exact)."""
        return {b.irrep: b.lower for b in self.blocks}

    def __str__(self):
        fam = f"{self.family} " if self.family else ""
        head = (f"certificate {fam}in Fix({self.isotropy}) at k = {self.k}: {self.status}"
                + (f" ({self.reason})" if self.reason else ""))
        lines = [head]
        if self.center:
            lines.append(f"  box: radius {self.radius:.3g}, centre "
                         + ", ".join(f"{n} = {mpmath.nstr(mpmath.mpf(c), 10)}"
                                     for n, c in zip(self.names, self.center)))
        lines.append(f"  unique critical point in the box: "
                     f"{'proven' if self.exists else 'not proven'}"
                     + (f" (contraction {self.contraction:.2g})"
                        if self.contraction is not None and self.exists else "")
                     + f"; off the non-smooth set: {'proven' if self.smooth else 'not proven'}")
        for b in self.blocks:
            lines.append(f"  block {b.irrep:<12} mult {str(b.multiplicity):<16} "
                         f"λ_min ≥ {dec(b.lower, 6) if b.lower is not None else '?':<14}"
                         f" {b.sign}")
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_latex_(self):
        from ..core import latex_math_text, latex_number, latex_summary, latex_text
        fam = f" of {self.family}" if self.family else ""
        rows = [("isotropy", rf"\mathrm{{Fix}}({latex_math_text(self.isotropy)})"),
                ("$k$", latex_number(self.k)),
                ("status", rf"\textbf{{{latex_text(self.status)}}}"
                           + (rf"\ \text{{({latex_text(self.reason)})}}" if self.reason
                              else ""))]
        if self.radii:
            rows.append(("box radius", latex_number(self.radius, 3)))
        rows += [("unique critical point", r"\text{%s}" % ("proven" if self.exists
                                                            else "not proven")),
                 ("off the non-smooth set", r"\text{%s}" % ("proven" if self.smooth
                                                             else "not proven"))]
        for b in self.blocks:
            low = "?" if b.lower is None else latex_number(bound_text(b.lower, 6, -1))
            rows.append((f"block ${latex_math_text(b.irrep)}$",
                         rf"\lambda_{{\min}} \geq {low}\ \text{{({latex_text(b.sign)})}}"))
        return latex_summary(f"certificate{fam} (Arb)", rows)

    def to_json(self, digits=12):
        """A JSON-ready dict, the document ``symcrit.certificate`` (numbers as decimal
        strings, bounds rounded outward): the box is ``parameters`` (name → centre) ±
        ``radii`` (name → radius)."""
        out = {"family": self.family, "isotropy": self.isotropy,
               "k": self.k, "d": self.d, "status": self.status,
               "reason": self.reason or None, "dps": self.dps,
               "radius": None if not self.radii else dec(arb(self.radius), 3),
               "parameters": dict(zip(self.names, self.center)),
               "radii": dict(zip(self.names, self.radii)),
               "exists": self.exists, "smooth": self.smooth,
               "smooth_margin": None if self.smooth_margin is None else
               bound_text(self.smooth_margin, 6, -1),
               "contraction": None if self.contraction is None else
               f"{self.contraction:.3g}",
               "loss": None if self.loss is None else [bound_text(self.loss, digits, -1),
                                                       bound_text(self.loss, digits, +1)],
               "lambda_min_lower": {b.irrep: (None if b.lower is None else
                                              bound_text(b.lower, digits, -1))
                                    for b in self.blocks},
               "blocks": [b.to_json(digits) for b in self.blocks],
               "seconds": f"{self.seconds:.4f}"}
        if self.verified is not None:
            out["verified"] = self.verified
        return document("certificate", out)

    def save(self, path):
        """Write the certificate to a JSON file (re-checkable by
        :func:`~symcrit.certificates.verify_certificate`); returns ``path``."""
        Path(path).write_text(json.dumps(self.to_json(), indent=2, ensure_ascii=False)
                              + "\n")
        return path


def check_box(R, center, radii, k, d=None, FY=None, with_blocks=True, ktext=None):
    """Everything a certificate proves, on the box ``center ± radii``.

    Parameters
    ----------
    R : RestrictedLoss
    center : list of arb
    radii : list of str
        Decimal radii.
    k, d : arb
        The balls of k (and d).
    FY : tuple, optional
        ``(F(center), Y)`` as in :func:`~.krawczyk.krawczyk`.
    with_blocks : bool
        Also bound the isotypic blocks (once the Krawczyk test has passed).
    ktext : str
        k as exact text (for the blocks' multiplicities).

    Returns
    -------
    BoxCheck
        The smooth-set check first (nothing else is tried off it), then the Krawczyk test,
        then the blocks over the Krawczyk box.

    Examples
    --------
    >>> from symcrit.core import workdps
    >>> from symcrit.restricted import restricted_loss
    >>> cert = certify("type-A", 9)
    >>> with workdps(cert.dps):
    ...     box = check_box(restricted_loss(cert.isotropy), [arb(c) for c in cert.center],
    ...                     cert.radii, k_ball(cert.k), ktext=cert.k)
    >>> box.smooth, box.exists, box.status()
    (True, True, ('minimum', ''))
    """
    smooth, sreason, margin = smooth_set_check(
        R, [c + arb(0, arb(r)) for c, r in zip(center, radii)], k, d)
    if not smooth:
        return BoxCheck(smooth_reason=sreason, exists_reason=sreason, margin=margin)
    kres = krawczyk(R, center, [arb(r) for r in radii], k, d, FY)
    out = BoxCheck(smooth=True, exists=kres.ok, margin=margin, exists_reason=kres.reason,
                   contraction=kres.contraction, loss=kres.loss, krawczyk=kres)
    if kres.ok and with_blocks:
        out.add_blocks(R, ktext, d)
    return out


def _radius_text(r):
    return f"{float(r):.3e}"


def choose_box(R, center, k, d, F, Y, radius=None, max_radius=1e-8, with_blocks=True,
               ktext=None):
    """Radii for a box around ``center``, and the checks on it.

    Parameters
    ----------
    R, center, k, d, with_blocks, ktext
        As in :func:`check_box`.
    F, Y
        The gradient at the centre and the preconditioner (the inverse of the Jacobian's
        midpoint there).
    radius : float or list, optional
        A fixed absolute radius (one, or one per coordinate).
    max_radius : float
        The largest radius tried, relative to the coordinates.

    Returns
    -------
    radii : list of str or None
        The box (None when the centre is too far from a critical point).
    check : BoxCheck

    Notes
    -----
    Without ``radius`` the relative radii :data:`RADII` (at most ``max_radius``, at least
    four Newton steps :math:`|YF|`, at most 10⁻²/k² so that the angles stay resolved) are
    tried with up to two ε-inflations where K(X) sticks out; the first box on which the
    Krawczyk test passes is kept.  A Newton step larger than ``max_radius / 4`` relative
    proves nothing.
    """
    n = len(center)
    step = Y * arb_column(F)
    delta = [float(abs(step[i, 0]).upper()) for i in range(n)]
    absc = [abs(float(c.mid())) for c in center]
    big = max(absc + [1e-300])
    u = [a if a > 1e-6 * big else big * 1e-6 for a in absc]
    if radius is not None:
        rads = radius if isinstance(radius, (list, tuple)) else [radius] * n
        rads = [_radius_text(r) if not isinstance(r, str) else r for r in rads]
        return rads, check_box(R, center, rads, k, d, (F, Y), with_blocks, ktext)
    rel_step = max(dl / ui for dl, ui in zip(delta, u))
    if not rel_step <= max_radius / 4:
        return None, BoxCheck.failed(f"the Newton step from the centre is {rel_step:.2g} "
                                     f"relative (> {max_radius:g}): not close enough to a "
                                     "critical point; refine the point first")
    last = None
    kf = max(float(k.mid()), 1.0)
    floor = 10.0 ** (-(ctx.dps - 15))
    ladder = [rho for rho in RADII if rho <= max_radius and rho >= floor]
    # angles to the teacher close like 1/k: sin^2 of a pair ~ 1/k^2 must stay resolved
    ladder = [rho for rho in ladder if rho <= 1e-2 / kf ** 2] or \
        [rho for rho in (1e-4 / kf ** 2, 1e-8 / kf ** 2) if rho >= floor] or ladder[-1:]
    for rho in ladder:
        r = [max(rho * ui, 4 * dl) for ui, dl in zip(u, delta)]
        if max(ri / ui for ri, ui in zip(r, u)) > max_radius:
            continue
        for _ in range(3):           # ε-inflation (Rump): widen where K(X) sticks out
            rads = [_radius_text(x) for x in r]
            res = check_box(R, center, rads, k, d, (F, Y), with_blocks=False)
            last = (rads, res)
            if res.exists or not res.smooth:
                break
            kres = res.krawczyk
            if kres is None or kres.K is None or kres.contraction >= 0.5:
                break
            r = [max(ri, 2 * float(abs(Ki - c).upper()))
                 for ri, Ki, c in zip(r, kres.K, center)]
        if last[1].exists:
            if with_blocks:
                last[1].add_blocks(R, ktext, d)
            return last
    if last is None:     # pragma: no cover
        rads = [_radius_text(max_radius * ui) for ui in u]
        return rads, check_box(R, center, rads, k, d, (F, Y), with_blocks, ktext)
    return last


def certify_point(H, xi=None, k=None, d=None, dps=30, radius=None, max_radius=1e-8,
                  family=None, blocks=True):
    r"""Certify the critical point near ``xi`` in Fix(H) at k (no refinement: the centre
    of the box is ``xi`` rounded to the working precision).

    Parameters
    ----------
    H : str or CriticalPoint
        An isotropy spec, or a :class:`~symcrit.critical.CriticalPoint` (whose group,
        point, k, d and family are used).
    xi : sequence or dict
        The point (mpf, floats or decimal strings).
    k, d : number or str
        k (and d), read exactly (:func:`symcrit.core.k_text`).
    dps : int
        Digits asked for; the work is done at :func:`symcrit.core.working_dps` digits.
    radius : float or list, optional
        A fixed (absolute) box radius, one number or one per coordinate; otherwise relative
        radii 1e-10, 1e-16, 1e-24, … are tried (never more than ``max_radius`` relative).
    family : str, optional
        The family name recorded in the certificate.
    blocks : bool
        Also certify the type (the isotypic blocks); otherwise existence only.

    Returns
    -------
    Certificate

    Raises
    ------
    InputError
        No point or k, the wrong number of parameters, k below the group's range, or
        ``dps`` outside :data:`symcrit.core.DPS_MIN` … :data:`symcrit.core.DPS_MAX`.

    Examples
    --------
    >>> from symcrit.critical import get_family
    >>> cp = get_family("type-A").point(12, dps=45)
    >>> cert = certify_point(cp)
    >>> cert.status, cert.exists, cert.smooth, cert.radius < 1e-9
    ('minimum', True, True, True)
    >>> big = certify_point(cp, radius=1e-2)           # too large a box: nothing is claimed
    >>> big.status, big.exists
    ('unverified', False)
    """
    t0 = time.perf_counter()
    if isinstance(H, CriticalPoint):
        cp = H
        H, xi, k, d = cp.isotropy, cp.xi, cp.k, cp.d
        family = family or cp.family
    if xi is None or k is None:
        raise InputError("certify_point needs a point xi and k")
    dps = check_dps(dps)
    R = restricted_loss(H)
    xi = list(xi.values()) if isinstance(xi, dict) else list(xi)
    if len(xi) != len(R.symbols):
        raise InputError(f"Fix({R.H.label}) has {len(R.symbols)} parameters; got {len(xi)}")
    ktext = k_text(k)
    if float(exact_k(ktext)) < R.H.min_k:
        raise InputError(f"isotropy {R.H.label} needs k >= {R.H.min_k}, got k = {ktext}")
    dtext = None if d is None else k_text(d)
    work = working_dps(dps, float(exact_k(ktext)))
    with workdps(work):
        center_txt = [_center_text(x, work) for x in xi]
        center = [arb(c) for c in center_txt]
        kb = k_ball(ktext)
        db = None if dtext is None else k_ball(dtext)
        out = dict(center=center_txt, dps=work, d=dtext, family=family, t0=t0)
        try:
            _, F, J0 = R.evaluate(center, kb, db, system="arb", order=2)
        except (ZeroDivisionError, ValueError) as exc:
            check = BoxCheck.failed(f"the loss cannot be evaluated at the centre ({exc})")
            return Certificate.from_check(R, ktext, check, **out)
        Y = mid_inverse(J0)
        if Y is None:
            check = BoxCheck.failed("the Hessian at the centre is singular")
            return Certificate.from_check(R, ktext, check, **out)
        rads, check = choose_box(R, center, kb, db, F, Y, radius, max_radius, blocks, ktext)
        return Certificate.from_check(R, ktext, check, radii=rads, **out)


def _center_text(x, work):
    if isinstance(x, str):
        mpmath.mpf(x)      # validates the literal
        return x.strip()
    return dec(x if isinstance(x, arb) else as_mpf(x), work + 5)


def family_k(fam, k):
    """k for a certificate of the family ``fam``: its exact text and value.

    Raises
    ------
    InputError
        A bad k, or k below the family's range.

    Examples
    --------
    >>> family_k(get_family("type-A"), 7.3)
    ('7.3', Fraction(73, 10))
    """
    ktext = k_text(k)
    q = exact_k(ktext)
    if q < fam.k_min:
        raise InputError(f"family {fam.name} ({fam.isotropy}) needs k >= {fam.k_min}, "
                         f"got k = {ktext}")
    return ktext, q


def certify(family, k, dps=30, radius=None, blocks=True):
    """Certify the point of a catalogue family at k.

    The point is continued from the family's seed and refined to the working precision,
    then :func:`certify_point` proves what it can.

    Parameters
    ----------
    family : str or Family
    k : int, str, Fraction, float or mpf
        Integer or real; read exactly (``"7.3"`` is 73/10).
    dps, radius, blocks
        As in :func:`certify_point`.

    Returns
    -------
    Certificate
        ``unverified`` with the reason when the family cannot be followed to k.

    Raises
    ------
    InputError
        An unknown family, a bad k or ``dps``, or k below the family's range.

    Examples
    --------
    >>> certify("type-A", 20).status
    'minimum'
    >>> print(certify("type-A", "7.5"))                               # doctest: +ELLIPSIS
    certificate type-A in Fix(ΔS_{k-1}) at k = 7.5: minimum
      box: radius ...
    """
    t0 = time.perf_counter()
    dps = check_dps(dps)
    fam = get_family(family)
    ktext, q = family_k(fam, k)
    work = working_dps(dps, float(q))
    with workdps(work + 5):
        kk = int(q) if q.denominator == 1 else as_mpf(q)
        try:
            cp = fam.point(kk, dps=work + 5, full_check=False)
        except ConvergenceError as exc:
            check = BoxCheck.failed(f"no point of the family at this k: {exc}")
            return Certificate.from_check(restricted_loss(fam.isotropy), ktext, check,
                                          dps=work, family=fam.name, t0=t0)
    return certify_point(fam.isotropy, cp.xi, ktext, cp.d, dps=dps, radius=radius,
                         family=fam.name, blocks=blocks)

