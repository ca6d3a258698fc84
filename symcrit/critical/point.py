r"""A critical point of a restricted loss: where it is, at which k, and how sure we are.

By the principle of symmetric criticality (Palais 1979, "The principle of symmetric
criticality", Comm. Math. Phys. 69, doi:10.1007/BF01941322), a critical point of
:math:`L_H` on Fix(H) is a critical point of the full loss.  All entries of W in the orbit
of parameter ``p`` share one gradient value, so the full gradient at ``W(ξ)`` has Frobenius
norm :math:`\|\nabla L(W(\xi))\|_F = (\sum_p g_p^2 / w_p)^{1/2}` with ``w_p`` the Frobenius
weights; :func:`full_gradient_check` also evaluates it independently, by the full-space
formula, at integer k.

>>> from symcrit.critical import refine
>>> cp = refine("ΔS_k", [0.9, 0.05], k=5, dps=30)     # the global minimum W = I
>>> cp.names, cp.certainty, float(cp.checks["full_gradient_norm_float"]) < 1e-15
(['a', 'b'], 'refined', True)
"""
from __future__ import annotations

from dataclasses import dataclass, field

import mpmath
import numpy as np

from ..core import InputError, fmt_k, latex_number, latex_summary, workdps
from ..model import Problem, canonical_teacher
from ..restricted import restricted_loss
from ..symmetry import YoungIsotropy

__all__ = ["CriticalPoint", "full_gradient_check"]


@dataclass
class CriticalPoint:
    """A critical point of :math:`L_H` at a given k, with how sure we are of it.

    ``xi`` are mpmath numbers (at ``dps`` digits), ``loss`` the loss, ``residual`` the max
    norm of the restricted gradient per entry of W, ``gradient_norm`` the Frobenius norm of
    the full gradient at W(ξ) (by symmetric criticality), ``certainty`` is ``refined``
    (mpmath, with residual) or ``numerical`` (float64); ``checks`` holds the independent
    full-space check (:func:`full_gradient_check`) where it was made; ``set_dimension`` is
    the dimension of the critical set through the point where a search determined it (0:
    isolated and non-degenerate in Fix(H)), ``samples`` the number of roots it found on it;
    ``merged_with`` names the family whose point this is as well (up to the symmetry group),
    at a k where the family's branch meets another one.
    """
    isotropy: str
    k: object
    xi: list
    names: list
    loss: object
    residual: object
    gradient_norm: object
    dps: int
    d: object = None
    certainty: str = "refined"
    iterations: int = 0
    family: str | None = None
    checks: dict = field(default_factory=dict)
    set_dimension: int | None = None
    samples: int = 1
    merged_with: str | None = None

    @property
    def H(self):
        """The isotropy group (symbolic k)."""
        return YoungIsotropy(self.isotropy)

    @property
    def restricted(self):
        """The restricted loss :math:`L_H`."""
        return restricted_loss(self.isotropy)

    @property
    def parameters(self):
        """Parameter name → value (mpf)."""
        return dict(zip(self.names, self.xi))

    def W(self, system="float"):
        """The point W(ξ) (integer k only)."""
        if int(self.k) != self.k:
            raise InputError(f"W(ξ) needs an integer k, got k = {self.k}")
        with workdps(self.dps):
            return self.restricted.fixed.embed(self.xi, int(self.k),
                                               None if self.d is None else int(self.d),
                                               system=system)

    def __str__(self):
        ps = ", ".join(f"{n} = {mpmath.nstr(x, 12)}" for n, x in zip(self.names, self.xi))
        fam = f"{self.family} " if self.family else ""
        return (f"critical point {fam}in Fix({self.isotropy}) at k = {fmt_k(self.k)}: {ps}; "
                f"loss = {mpmath.nstr(self.loss, 15)}, |grad| = "
                f"{mpmath.nstr(self.gradient_norm, 3)} ({self.certainty}, {self.dps} digits)")

    def _repr_latex_(self):
        rows = [("isotropy", rf"\mathrm{{Fix}}({self.H.latex})"),
                ("$k$", latex_number(fmt_k(self.k)))]
        rows += [(f"${n}$", latex_number(x, 15)) for n, x in zip(self.names, self.xi)]
        rows += [("loss", latex_number(self.loss, 15)),
                 ("residual", latex_number(self.residual, 3)),
                 ("certainty", rf"\text{{{self.certainty}, {self.dps} digits}}")]
        fam = f" ({self.family})" if self.family else ""
        return latex_summary(f"critical point{fam}", rows)

    __repr__ = __str__


def full_gradient_check(cp, systems=("float", "mpmath")):
    """The full-space gradient at W(ξ), evaluated independently of the restricted loss by
    the full-space formula (:func:`symcrit.model.gradient`): its Frobenius norm in each
    number system, and the full loss (a dict ``full_gradient_norm_float``, ...)."""
    out = {}
    k = int(cp.k)
    d = k if cp.d is None else int(cp.d)
    P = Problem(canonical_teacher(k, d))
    if "float" in systems:
        W = cp.W("float")
        G = P.gradient(W)
        out["full_gradient_norm_float"] = float(np.sqrt((G ** 2).sum()))
        out["full_loss_float"] = float(P.loss(W))
    if "mpmath" in systems:
        with workdps(cp.dps):
            W = cp.W("mpmath")
            G = P.gradient(W, system="mpmath")
            out["full_gradient_norm_mpmath"] = mpmath.sqrt(mpmath.fsum(x ** 2 for x in G))
            out["full_loss_mpmath"] = P.loss(W, system="mpmath")
    return out
