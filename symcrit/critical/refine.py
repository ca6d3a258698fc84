r"""Refinement of critical points of the restricted loss to any precision.

By the principle of symmetric criticality (Palais 1979, "The principle of symmetric
criticality", Comm. Math. Phys. 69), a critical point of :math:`L_H` on Fix(H) is a
critical point of the full loss.  :func:`refine` solves :math:`\nabla_\xi L_H(\xi; k) = 0`
by Newton's method with the analytic Hessian as Jacobian, in mpmath at ``dps`` digits plus
guard digits, with a backtracking line search on :math:`\|\nabla L_H\|` so a float64 guess
is enough.

Since all entries of W in the orbit of parameter ``p`` share one gradient value, the full
gradient at ``W(ξ)`` has Frobenius norm
:math:`\|\nabla L(W(\xi))\|_F = (\sum_p g_p^2 / w_p)^{1/2}` with ``w_p`` the Frobenius
weights; for integer k up to ``full_check_max_k`` the full gradient is also evaluated
independently by the full-space formula (float64 and mpmath).

>>> cp = refine("ΔS_k", [0.9, 0.05], k=5, dps=30)     # the global minimum W = I
>>> [mpmath.nstr(mpmath.chop(x, 1e-25), 10) for x in cp.xi]
['1.0', '0.0']
>>> cp.certainty
'refined'
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from fractions import Fraction

import mpmath
import numpy as np

from ..core import ConvergenceError, InputError
from ..restricted import restricted_loss
from ..symmetry.young import YoungIsotropy
from ..core import MPMATH, workdps

__all__ = ["CriticalPoint", "refine", "guard_digits", "full_gradient_check"]


def guard_digits(k):
    """Extra working digits for large k (angles approach 0 or π like k^(-1/2))."""
    try:
        lk = math.log10(max(float(k), 1.0))
    except OverflowError:      # pragma: no cover
        lk = 300
    return 10 + 2 * int(lk)


def _as_mpf(x):
    """x at the working precision: mpf, int, decimal string, or an exact Fraction (k as
    the command line parses it: ``7.3`` is 73/10, not the nearest double)."""
    if isinstance(x, mpmath.mpf):
        return +x
    if isinstance(x, str):
        return mpmath.mpf(x)
    if isinstance(x, Fraction):
        return MPMATH.convert(x)
    if isinstance(x, (int, np.integer)):
        return mpmath.mpf(int(x))
    return mpmath.mpf(float(x)) if isinstance(x, (float, np.floating)) else mpmath.mpf(x)


@dataclass
class CriticalPoint:
    """A critical point of :math:`L_H` at a given k, with how sure we are of it.

    ``xi`` are mpmath numbers (at ``dps`` digits), ``loss`` the loss, ``residual`` the max
    norm of the restricted gradient, ``gradient_norm`` the Frobenius norm of the full
    gradient at W(ξ) (by symmetric criticality), ``certainty`` is ``refined`` (mpmath, with
    residual) or ``numerical`` (float64).
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

    @property
    def H(self):
        return YoungIsotropy(self.isotropy)

    @property
    def restricted(self):
        return restricted_loss(self.isotropy)

    @property
    def parameters(self):
        """Parameter name → value (mpf)."""
        return dict(zip(self.names, self.xi))

    def W(self, system="float"):
        """The point W(ξ) (integer k only)."""
        if int(self.k) != self.k:
            raise InputError(f"W(ξ) needs an integer k, got k = {self.k}")
        R = self.restricted
        with workdps(self.dps):
            return R.fixed.embed(self.xi, int(self.k), None if self.d is None else int(self.d),
                                 system=system)

    def __str__(self):
        ps = ", ".join(f"{n} = {mpmath.nstr(x, 12)}" for n, x in zip(self.names, self.xi))
        fam = f"{self.family} " if self.family else ""
        return (f"critical point {fam}in Fix({self.isotropy}) at k = {_fmt_k(self.k)}: {ps}; "
                f"loss = {mpmath.nstr(self.loss, 15)}, |grad| = "
                f"{mpmath.nstr(self.gradient_norm, 3)} ({self.certainty}, {self.dps} digits)")

    def _repr_latex_(self):
        ps = r",\ ".join(f"{n} = {mpmath.nstr(x, 12)}" for n, x in zip(self.names, self.xi))
        return (f"$\\mathrm{{Fix}}({self.H.latex}),\\ k = {_fmt_k(self.k)}:\\ {ps};\\ "
                f"L = {mpmath.nstr(self.loss, 15)}$")

    __repr__ = __str__


def _fmt_k(k):
    try:
        if int(k) == k:
            return str(int(k))
    except (TypeError, ValueError, OverflowError):
        pass
    if isinstance(k, Fraction):
        k = _as_mpf(k)
    return mpmath.nstr(k, 15) if isinstance(k, mpmath.mpf) else str(k)


def _gradient_norm(g, weights):
    return mpmath.sqrt(mpmath.fsum(gp ** 2 / w for gp, w in zip(g, weights)))


def refine(H, xi0, k, d=None, dps=30, maxsteps=80, tol=None, family=None, full_check=True,
           full_check_max_k=40):
    """Refine a critical point of :math:`L_H(\\cdot; k)` from a guess ``xi0``.

    ``k`` (and ``d``) may be integers, real numbers or decimal strings.  Raises
    :class:`~symcrit.core.errors.ConvergenceError` when Newton's method does not converge.
    """
    if not 5 <= int(dps) <= 5000:
        raise InputError(f"dps must be between 5 and 5000, got {dps}")
    R = restricted_loss(H)
    Hs = R.H
    n = len(R.symbols)
    xi0 = list(xi0.values()) if isinstance(xi0, dict) else list(xi0)
    if len(xi0) != n:
        raise InputError(f"Fix({Hs.label}) has {n} parameters ({', '.join(R.fixed.names)}); "
                         f"got {len(xi0)} values")
    kk = _as_mpf(k)
    if kk < Hs.min_k:
        raise InputError(f"isotropy {Hs.label} needs k >= {Hs.min_k}, got k = {_fmt_k(k)}")
    work = int(dps) + guard_digits(kk)
    with workdps(work):
        kk = _as_mpf(k)
        dd = None if d is None else _as_mpf(d)
        x = mpmath.matrix([_as_mpf(v) for v in xi0])
        target = mpmath.mpf(10) ** (-(int(dps) + 3)) if tol is None else _as_mpf(tol)
        weights = R.weights(kk, dd, system="mpmath")
        wvec = mpmath.matrix(weights)

        def resid(g):
            # gradient per entry of W: g_p / w_p (so the tolerance is scale-free in k)
            return max(abs(g[p] / wvec[p]) for p in range(n))

        it = 0
        try:
            L, g, Hm = R.evaluate(list(x), kk, dd, system="mpmath")
        except (ZeroDivisionError, ValueError) as exc:
            raise ConvergenceError(f"refine: the start point is singular ({exc})") from None
        r = resid(g)
        while r > target and it < maxsteps:
            it += 1
            try:
                step = mpmath.lu_solve(Hm, -g)
            except ZeroDivisionError:
                raise ConvergenceError(f"refine: singular Hessian at step {it} "
                                       f"(residual {mpmath.nstr(r, 3)})") from None
            lam = mpmath.mpf(1)
            for _ in range(40):
                xn = x + lam * step
                try:
                    Ln, gn, Hn = R.evaluate(list(xn), kk, dd, system="mpmath")
                    rn = resid(gn)
                except (ZeroDivisionError, ValueError):
                    rn = mpmath.inf
                if mpmath.isfinite(rn) and rn < r * (1 - lam / 4) or (lam < 1e-6 and
                                                                     mpmath.isfinite(rn)):
                    break
                lam /= 2
            else:   # pragma: no cover
                raise ConvergenceError(f"refine: line search failed at step {it}")
            x, L, g, Hm, r = xn, Ln, gn, Hn, rn
        if r > target:
            raise ConvergenceError(f"refine: no convergence in {maxsteps} Newton steps "
                                   f"(residual {mpmath.nstr(r, 3)}, wanted "
                                   f"{mpmath.nstr(target, 3)})")
        gnorm = _gradient_norm(g, weights)
    with workdps(int(dps)):
        cp = CriticalPoint(isotropy=Hs.label, k=(int(k) if _is_int(k) else +kk), d=d,
                           xi=[+v for v in x], names=R.fixed.names, loss=+L,
                           residual=+r, gradient_norm=+gnorm, dps=int(dps), iterations=it,
                           family=family)
    if full_check and _is_int(k) and int(k) <= full_check_max_k:
        cp.checks.update(full_gradient_check(cp))
    return cp


def _is_int(k):
    try:
        return float(k) == int(float(k)) and not isinstance(k, str) or (
            isinstance(k, str) and k.strip().lstrip("+").isdigit())
    except (TypeError, ValueError, OverflowError):
        return False


def full_gradient_check(cp, systems=("float", "mpmath")):
    """The full-space gradient at W(ξ), evaluated independently of the restricted loss by
    the full-space formula (:func:`symcrit.model.gradient`): its Frobenius norm in each
    number system, and the full loss."""
    from ..model.loss import Problem, canonical_teacher
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
