r"""Refinement of critical points of the restricted loss to any precision.

:func:`refine` solves :math:`\nabla_\xi L_H(\xi; k) = 0` by Newton's method
(:func:`symcrit.core.newton`) with the analytic Hessian as Jacobian, in mpmath at ``dps``
digits plus guard digits (:func:`symcrit.core.guard_digits`), with a backtracking line
search on the gradient per entry of W (:func:`symcrit.restricted.entry_residual`), so a
float64 guess is enough.  For integer k up to ``full_check_max_k`` the full gradient is also
evaluated independently by the full-space formula (float64 and mpmath).

>>> cp = refine("ΔS_k", [0.9, 0.05], k=5, dps=30)     # the global minimum W = I
>>> [mpmath.nstr(mpmath.chop(x, 1e-25), 10) for x in cp.xi]
['1.0', '0.0']
>>> cp.certainty
'refined'
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import mpmath

from ..core import (ConvergenceError, InputError, as_mpf, check_dps, fmt_k, guard_digits,
                    is_integer, newton, workdps)
from ..restricted import gradient_norm, restricted_loss
from .point import CriticalPoint, full_gradient_check

if TYPE_CHECKING:
    from ..symmetry import YoungIsotropy

__all__ = ["refine", "newton_restricted"]


def newton_restricted(R, x0, k, d=None, tol=None, maxsteps=12, line_search=False,
                      diverge=2):
    r"""Newton's method on :math:`\nabla_\xi L_H(\cdot; k) = 0` at the current mpmath
    precision, the residual being the gradient per entry of W.

    Parameters
    ----------
    R : RestrictedLoss
    x0 : sequence
        The start (mpf or anything mpmath converts).
    k, d : number
        k (and d) as mpmath numbers.
    tol : mpf, optional
        Default :math:`10^{-(\mathrm{dps}/2 + 5)}`: enough for a corrector, whose point
        is refined again where it is kept.
    maxsteps : int
    line_search : bool
        Backtrack on the residual (for poor starts).
    diverge : float or None
        Give up when the residual grows by this factor in one step.

    Returns
    -------
    NewtonResult
        ``x`` (mpf list), ``F`` the gradient, ``J`` the Hessian, ``info`` the loss.

    Raises
    ------
    ConvergenceError
    """
    tol = mpmath.mpf(10) ** (-(mpmath.mp.dps // 2 + 5)) if tol is None else tol
    w = R.weights(k, d, system="mpmath")
    s = [1 / mpmath.sqrt(v) for v in w]

    def evaluate(x):
        L, g, Hm = R.evaluate(x, k, d, system="mpmath")
        return g, Hm, L

    def solve(J, F):
        # in the Frobenius metric (D^{-1/2} J D^{-1/2}, D the weights) the Jacobian is the
        # full Hessian on Fix(H), whose conditioning grows like k, not like the weights
        n = len(s)
        Js = mpmath.matrix(n, n)
        for i in range(n):
            for j in range(n):
                Js[i, j] = s[i] * J[i, j] * s[j]
        y = mpmath.lu_solve(Js, mpmath.matrix([s[i] * F[i] for i in range(n)]))
        return [s[i] * y[i] for i in range(n)]
    return newton(evaluate, [mpmath.mpf(v) for v in x0], tol, maxsteps=maxsteps, scale=w,
                  line_search=line_search, diverge=diverge, solve=solve)


def refine(H: str | YoungIsotropy, xi0: Sequence[Any], k: Any, d: Any = None, dps: int = 30,
           maxsteps: int = 80, tol: Any = None, family: str | None = None,
           full_check: bool = True, full_check_max_k: int = 40) -> CriticalPoint:
    r"""Refine a critical point of :math:`L_H(\cdot; k)` from a guess ``xi0``.

    Parameters
    ----------
    H : str or YoungIsotropy
        The isotropy group.
    xi0 : sequence or dict
        The guess (floats, decimal strings, mpf).
    k, d : int, real, Fraction or decimal string
        k (and d for specs that involve d).
    dps : int
        Digits wanted; the work runs with guard digits for large k.
    maxsteps : int
        Newton steps at most.
    tol : number, optional
        Residual wanted (default :math:`10^{-(\mathrm{dps}+3)}`).
    family : str, optional
        Recorded on the result.
    full_check : bool
        Evaluate the full-space gradient independently (integer k up to
        ``full_check_max_k``).

    Returns
    -------
    CriticalPoint

    Raises
    ------
    ConvergenceError
        Newton's method does not converge (the message says how far it got).
    InputError
        Bad precision, wrong number of parameters, k below the group's limit.
    """
    dps = check_dps(dps)
    R = restricted_loss(H)
    Hs = R.H
    n = len(R.symbols)
    xi0 = list(xi0.values()) if isinstance(xi0, dict) else list(xi0)
    if len(xi0) != n:
        raise InputError(f"Fix({Hs.label}) has {n} parameters ({', '.join(R.fixed.names)}); "
                         f"got {len(xi0)} values")
    if as_mpf(k) < Hs.min_k:
        raise InputError(f"isotropy {Hs.label} needs k >= {Hs.min_k}, got k = {fmt_k(k)}")
    with workdps(dps + guard_digits(as_mpf(k))):
        kk = as_mpf(k)
        dd = None if d is None else as_mpf(d)
        target = mpmath.mpf(10) ** (-(dps + 3)) if tol is None else as_mpf(tol)
        try:
            res = newton_restricted(R, [as_mpf(v) for v in xi0], kk, dd, tol=target,
                                    maxsteps=maxsteps, line_search=True, diverge=None)
        except ConvergenceError as exc:
            raise ConvergenceError(f"refine: {exc}") from None
        gnorm = gradient_norm(res.F, R.weights(kk, dd, system="mpmath"))
    with workdps(dps):
        cp = CriticalPoint(isotropy=Hs.label, k=(int(k) if is_integer(k) else +kk), d=d,
                           xi=[+v for v in res.x], names=R.fixed.names, loss=+res.info,
                           residual=+res.residual, gradient_norm=+gnorm, dps=dps,
                           iterations=res.iterations, family=family)
    if full_check and is_integer(k) and int(k) <= full_check_max_k:
        cp.checks.update(full_gradient_check(cp))
    return cp
