r"""Arb certificates that an embedded (split) point is a saddle.

The proof has two parts, both at a cost independent of k:

1. the narrow point is certified (:func:`symcrit.certificates.certify_point`): a unique
   critical point of the k-neuron loss in a box X, off the non-smooth set.  Its split
   with any λ ∈ (0, 1) is then a critical point of the wide loss (positive homogeneity),
   at which the loss is :math:`C^2` (the split rows are parallel: C² but not C³);
2. the blocks of :math:`M(w) = \nabla^2_{ww}L - I/2` (:mod:`symcrit.wider.interlacing`) are
   evaluated in Arb over the whole box X (the subgroup's restricted loss, no parallel pair
   enters) and their eigenvalues enclosed (:func:`symcrit.certificates.
   pencil_eigen_enclosures`).  A certified negative eigenvalue μ of M gives the direction
   :math:`Z = (\delta, -\delta)` with :math:`Z^\top\nabla^2 L\,Z / |Z|^2 =
   \mu / (2\lambda(1-\lambda)) < 0`: the split point is not a local minimum, and since its
   Hessian has positive eigenvalues as well (those of the narrow minimum's blocks), it is a
   saddle.  At λ = 1/2 the number 2μ is itself an eigenvalue of the wide Hessian, in the
   block :math:`[\cdot]\otimes[1,1]` named in the certificate.

(Arb cannot evaluate the wide Hessian's blocks directly there: a ball around the cosine 1
of the parallel pair contains values above 1, where the kernel is not defined.)

>>> c = certify_split("type-A", 7, J=7)
>>> c.status, c.block, bool(c.negative[1] < 0)
('saddle', '[k-1]⊗[1,1]', True)
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from fractions import Fraction

from flint import arb

from ..certificates import bound_text, certify_point, k_ball, pencil_eigen_enclosures
from ..core import InputError, check_dps, exact_k, is_integer, workdps
from ..spectra import multiplicity_value
from .embed import narrow_point, parse_lambda, row_class_of
from .interlacing import wide_labels, curvature_blocks

__all__ = ["SplitCertificate", "certify_split"]


@dataclass
class SplitCertificate:
    """What is proven about a split point: ``status`` (``saddle`` or ``unverified`` with
    ``reason``), the narrow certificate, per block of M its enclosures, and the certified
    negative eigenvalue ``negative`` (lo, hi: of the wide Hessian at λ = 1/2, else an upper
    bound of its smallest eigenvalue) with its ``block``."""
    status: str
    reason: str
    narrow: object
    lam: Fraction
    blocks: list = field(default_factory=list)
    negative: tuple | None = None
    block: str | None = None
    component: str | None = None
    seconds: float = 0.0

    @property
    def certified(self):
        return self.status == "saddle"

    def to_json(self, digits=12):
        neg = None
        if self.negative is not None:
            neg = [bound_text(self.negative[0], digits, -1),
                   bound_text(self.negative[1], digits, +1)]
        return {"status": self.status, "reason": self.reason or None,
                "lambda": str(self.lam),
                "narrow": {"status": self.narrow.status, "exists": self.narrow.exists,
                           "smooth": self.narrow.smooth, "isotropy": self.narrow.isotropy,
                           "radius": None if self.narrow.radius is None else
                           f"{self.narrow.radius:.3g}", "dps": self.narrow.dps},
                "negative_eigenvalue": neg,
                "negative_eigenvalue_is": ("an eigenvalue of the wide Hessian"
                                           if self.lam == Fraction(1, 2) else
                                           "an upper bound of the smallest eigenvalue"),
                "block": self.block, "component": self.component,
                "curvature_blocks": self.blocks, "seconds": f"{self.seconds:.3f}"}

    def __str__(self):
        head = f"split certificate: {self.status}" + (f" ({self.reason})" if self.reason
                                                      else "")
        if self.negative is None:
            return head
        return (f"{head}; certified negative eigenvalue in [{bound_text(self.negative[0], 8, -1)}, "
                f"{bound_text(self.negative[1], 8, +1)}] in block {self.block} "
                f"({self.component}); narrow point: {self.narrow.status}")


def certify_split(point, k=None, J=None, lam=Fraction(1, 2), dps=30, row=None):
    """Prove that the split of row J (with λ) of a critical point is a saddle.

    Parameters
    ----------
    point : str or CriticalPoint
        A family name (with ``k``) or a critical point.
    k : int, str or Fraction
    J : int
        The row (1 … k); or ``row``, a RowClass.
    lam : Fraction or str
    dps : int

    Returns
    -------
    SplitCertificate
        ``saddle`` with the certified negative eigenvalue and its block, or ``unverified``
        with the reason.
    """
    t0 = time.perf_counter()
    dps = check_dps(dps)
    q = parse_lambda(lam)
    cp = narrow_point(point, k, dps + 15)
    if row is None:
        if not is_integer(cp.k):
            raise InputError("at non-integer k give the class of the row (row=...), not J")
        row = row_class_of(cp.isotropy, J, int(cp.k))
    cert = certify_point(cp, dps=dps)
    out = SplitCertificate("unverified", "", cert, q)
    if not (cert.exists and cert.smooth):
        out.reason = "the narrow point is not certified: " + (cert.reason or "")
        return _done(out, t0)
    with workdps(cert.dps):
        X = [arb(c) + arb(0, arb(r)) for c, r in zip(cert.center, cert.radii)]
        kq = exact_k(cert.k)
        kb = int(kq) if kq.denominator == 1 else k_ball(kq)
        try:
            blocks = curvature_blocks(cp.isotropy, row, X, kb, "arb")
        except (ZeroDivisionError, ValueError) as exc:
            out.reason = f"the curvature blocks cannot be enclosed ({exc})"
            return _done(out, t0)
        wide_labels(cp.isotropy, row, blocks)
        scale = 2 * arb(q.numerator) / q.denominator * (1 - arb(q.numerator) / q.denominator)
        best = None
        for b in blocks:
            enc, neg = pencil_eigen_enclosures(b.A, b.B)
            mult = multiplicity_value(b.multiplicity, int(kq) if kq.denominator == 1
                                      else float(kq))
            out.blocks.append({"component": b.component, "wide_irrep": b.wide_irrep,
                               "multiplicity_in_k": str(b.multiplicity).replace(" ", ""),
                               "eigenvalues_of_M": [None if e is None else
                                                    [bound_text(e[0], 12, -1),
                                                     bound_text(e[1], 12, +1)] for e in enc],
                               "negative": neg})
            if not mult or not enc or enc[0] is None or not bool(enc[0][1] < 0):
                continue
            lo, hi = enc[0][0] / scale, enc[0][1] / scale
            if best is None or bool(hi < best[1]):
                best = (lo, hi, b)
    if best is None:
        out.reason = "no negative eigenvalue of the split curvature M is certified"
        return _done(out, t0)
    out.status, out.negative = "saddle", (best[0], best[1])
    out.block, out.component = best[2].wide_irrep, best[2].component
    return _done(out, t0)


def _done(out, t0):
    out.seconds = time.perf_counter() - t0
    return out
