r"""Following a critical point as k varies (integer or real k, up to 10^12 and beyond).

The restricted equations :math:`\nabla_\xi L_H(\xi; k) = 0` depend analytically on the real
parameter k and their size does not grow with k, so a branch :math:`\xi(k)` is followed by
natural-parameter continuation (Allgower & Georg, "Introduction to Numerical Continuation
Methods", SIAM 2003, ch. 2) in the variable :math:`s = \log k`: a secant predictor through
the last two points, a Newton corrector with the analytic Hessian, and step control (the
step grows after easy corrections and is halved after failed ones).  Along the way the sign
of :math:`\det\nabla^2_\xi L_H` is watched: a sign change means the branch passes a fold or
a bifurcation inside Fix(H) between two steps, and is reported.  A branch is *lost* when
the step falls below ``min_step`` (typically at a fold, where the branch turns back in k).

>>> from symcrit.critical.refine import refine
>>> cp = refine("ΔS_{k-1}", [1.0, -0.011, 0.15, 0.10, -0.73], k=12, dps=20)
>>> br = follow(cp, 10**6, dps=20)
>>> br.status, br.points[-1].k
('reached', 1000000)
>>> float(br.points[-1].loss) < float(cp.loss) / 1000   # the loss decays like 1/k
True
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import mpmath

from ..errors import ConvergenceError, InputError
from ..restricted import restricted_loss
from ..systems import workdps
from .refine import CriticalPoint, _as_mpf, _fmt_k, guard_digits, refine

__all__ = ["Branch", "follow", "newton_at"]

#: the largest relative move of a corrector that is not predicted (first step of a branch)
JUMP = mpmath.mpf("0.05")


@dataclass
class Branch:
    """A followed branch: the points (CriticalPoint, in order of k), events (folds,
    bifurcations, losses) and a status: ``reached`` or ``lost``."""
    isotropy: str
    points: list
    events: list = field(default_factory=list)
    status: str = "reached"
    message: str = ""

    def __str__(self):
        lines = [f"branch in Fix({self.isotropy}): {len(self.points)} points, {self.status}"
                 + (f" ({self.message})" if self.message else "")]
        for e in self.events:
            lines.append(f"  event: {e}")
        return "\n".join(lines)


def newton_at(R, x, k, d=None, maxsteps=12, tol=None):
    """A few Newton steps on the restricted gradient at fixed k (mpmath, current precision).
    Returns ``(x, L, g, H, residual)`` or raises ConvergenceError."""
    n = len(R.symbols)
    tol = mpmath.mpf(10) ** (-(mpmath.mp.dps // 2 + 5)) if tol is None else tol
    w = R.weights(k, d, system="mpmath")
    x = mpmath.matrix(list(x))
    r_prev = None
    for _ in range(maxsteps + 1):
        try:
            L, g, Hm = R.evaluate(list(x), k, d, system="mpmath")
        except (ZeroDivisionError, ValueError) as exc:
            raise ConvergenceError(f"singular point ({exc})") from None
        r = max(abs(g[p] / w[p]) for p in range(n))
        if r < tol:
            return x, L, g, Hm, r
        if r_prev is not None and r > r_prev * 2:
            raise ConvergenceError("Newton diverges")
        r_prev = r
        try:
            x = x + mpmath.lu_solve(Hm, -g)
        except ZeroDivisionError:
            raise ConvergenceError("singular Hessian") from None
    raise ConvergenceError(f"no convergence (residual {mpmath.nstr(r, 3)})")


def follow(cp, k_end, d=None, dps=30, step=None, min_step=1e-7, max_step=None,
           record=None, progress=None, max_points=100000, track_dps=None):
    """Follow the critical point ``cp`` (a CriticalPoint) from ``cp.k`` to ``k_end``.

    ``record``: an iterable of k values at which to store refined points (default: the
    end point only; the start is always stored).  The branch is tracked at ``track_dps``
    digits (default ``min(dps, 25)``, plus guard digits for large k) and each recorded
    point is refined to ``dps`` digits by Newton's method from the tracked one (which
    doubles the digits per step).  Returns a :class:`Branch`.
    """
    if not isinstance(cp, CriticalPoint):
        raise InputError("follow() starts from a CriticalPoint (see refine)")
    R = restricted_loss(cp.isotropy)
    k0 = _as_mpf(cp.k) if not isinstance(cp.k, int) else cp.k
    k_end_val = k_end
    if float(k_end) < R.H.min_k:
        raise InputError(f"isotropy {R.H.label} needs k >= {R.H.min_k}, got k = "
                         f"{_fmt_k(k_end)}")
    record = sorted(set([k_end] + list(record or [])), key=float)
    s0, s1 = math.log(float(k0)), math.log(float(k_end))
    direction = 1 if s1 >= s0 else -1
    span = abs(s1 - s0)
    h = step if step is not None else min(0.25, span / 4 if span else 0.25)
    hmax = max_step if max_step is not None else max(1.0, span / 10)
    track = min(int(dps), 25) if track_dps is None else int(track_dps)
    work = track + guard_digits(max(float(k0), float(k_end)))
    branch = Branch(isotropy=R.H.label, points=[cp])
    targets = [t for t in record if (float(t) - float(k0)) * direction > 0]
    with workdps(work):
        x_prev, s_prev = None, s0
        x = mpmath.matrix([mpmath.mpf(v) for v in cp.xi])
        s = s0
        det_sign = None
        count = 0
        while targets:
            count += 1
            if count > max_points:   # pragma: no cover
                branch.status, branch.message = "lost", "too many steps"
                break
            t_next = targets[0]
            s_t = math.log(float(t_next))
            s_new = s + direction * h
            hit = (s_new - s_t) * direction >= 0
            if hit:
                s_new = s_t
            k_new = _k_at(s_new, t_next if hit else None)
            if x_prev is not None and s != s_prev:
                guess = x + (x - x_prev) * ((s_new - s) / (s - s_prev))
            else:
                guess = x
            try:
                xn, L, g, Hm, r = newton_at(R, guess, k_new, d)
                # a corrector that moves further than the predictor did (or, on the first
                # step, by more than a few percent) has jumped to another branch
                pred = max(abs(guess[i] - x[i]) for i in range(len(x)))
                corr = max(abs(xn[i] - guess[i]) for i in range(len(x)))
                scale = max([mpmath.mpf(1)] + [abs(v) for v in x])
                if corr > max(pred, JUMP * scale):
                    raise ConvergenceError(f"the corrector moved by {mpmath.nstr(corr, 3)}, "
                                           f"more than the predictor ({mpmath.nstr(pred, 3)})")
            except ConvergenceError as exc:
                h /= 2
                if h < min_step:
                    branch.status = "lost"
                    branch.message = (f"lost near k = {mpmath.nstr(mpmath.e ** s, 12)} "
                                      f"({exc}); the branch may fold there")
                    branch.events.append(("lost", mpmath.nstr(mpmath.e ** s, 15)))
                    break
                continue
            sign = mpmath.sign(mpmath.det(Hm))
            if det_sign is not None and sign != det_sign:
                branch.events.append(("det sign change", mpmath.nstr(_k_at(s, None), 12),
                                      mpmath.nstr(k_new, 12)))
            det_sign = sign
            x_prev, s_prev, x, s = x, s, xn, s_new
            if hit:
                targets.pop(0)
                p = refine(R.H, list(x), t_next, d=d, dps=dps, full_check=False,
                           family=cp.family)
                branch.points.append(p)
                if progress:
                    progress(p)
            h = min(h * 1.5, hmax)
    return branch


def _k_at(s, exact):
    if exact is not None:
        return exact if isinstance(exact, int) else _as_mpf(exact)
    return mpmath.e ** mpmath.mpf(s)
