r"""Following a critical point as k varies (integer or real k, up to 10^12 and beyond).

The restricted equations :math:`\nabla_\xi L_H(\xi; k) = 0` depend analytically on the real
parameter k and their size does not grow with k, so a branch :math:`\xi(k)` is followed by
natural-parameter continuation (Allgower & Georg, "Introduction to Numerical Continuation
Methods", SIAM 2003, ch. 2) in the variable :math:`s = \log k`: a secant predictor through
the last two points, a Newton corrector with the analytic Hessian, and step control (the
step grows after easy corrections and is halved after failed ones).  A corrector that moves
the point by more than half the predicted move (and more than 0.1% of its size) is refused:
with long steps in log k, Newton's method can converge to a *different* branch, and this
keeps it from doing so silently.  Along the way:

* a sign change of :math:`\det\nabla^2_\xi L_H` between two accepted steps is a
  **bifurcation** (natural continuation cannot pass a fold, so the branch crossed the
  singular set transversally), reported as an event;
* when the step falls below ``min_step`` the end of the branch is examined: a **fold** (the
  branch turns back in k) is located to the working precision on the extended system of
  Moore & Spence (:func:`locate_fold`) and reported with ``status == "fold"``; a branch whose
  neurons shrink to zero ends with ``"singular"`` (the loss is not differentiable there);
  otherwise it is ``"lost"``.

>>> from symcrit.critical import refine
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
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import mpmath

from ..core import ConvergenceError, InputError, as_mpf, fmt_k, guard_digits, newton, workdps
from ..core import latex_number, latex_summary, latex_text
from ..restricted import restricted_loss
from .point import CriticalPoint
from .refine import newton_restricted, refine

if TYPE_CHECKING:
    from ..restricted import RestrictedLoss

__all__ = ["Branch", "Fold", "follow", "locate_fold", "JUMP"]

#: a correction larger than half the predicted move is refused above this relative size
JUMP = mpmath.mpf("0.001")



@dataclass
class Fold:
    r"""A fold of a branch: the point :math:`(\xi^*, k^*)` where the restricted Hessian has
    the null vector ``v`` and the branch turns back in k."""
    k: object
    xi: list
    v: list
    loss: object
    residual: object

    def __str__(self):
        return (f"fold at k = {mpmath.nstr(self.k, 20)} (loss {mpmath.nstr(self.loss, 12)}, "
                f"extended-system residual {mpmath.nstr(self.residual, 2)})")

    def __repr__(self):
        return f"Fold(k={mpmath.nstr(self.k, 15)}, loss={mpmath.nstr(self.loss, 12)})"

    def _repr_latex_(self):
        return latex_summary("fold", [("$k$", latex_number(self.k, 20)),
                                      ("loss", latex_number(self.loss, 15)),
                                      ("residual", latex_number(self.residual, 3))])


@dataclass
class Branch:
    """A followed branch: the points (CriticalPoint, in order of k), events (folds,
    bifurcations, losses) and a status: ``reached``, ``fold`` (the branch turns back at
    ``fold.k``, located to the working precision), ``singular`` (it runs into a zero
    neuron, where L is not differentiable) or ``lost``."""
    isotropy: str
    points: list
    events: list = field(default_factory=list)
    status: str = "reached"
    message: str = ""
    fold: Fold | None = None

    def __str__(self):
        lines = [f"branch in Fix({self.isotropy}): {len(self.points)} points, {self.status}"
                 + (f" ({self.message})" if self.message else "")]
        for e in self.events:
            lines.append(f"  event: {e}")
        return "\n".join(lines)

    def __repr__(self):
        ks = f", k = {fmt_k(self.points[0].k)} ... {fmt_k(self.points[-1].k)}" \
            if self.points else ""
        return (f"Branch({self.isotropy!r}: {len(self.points)} points{ks}, {self.status}, "
                f"{len(self.events)} events)")

    def _repr_latex_(self):
        from ..symmetry import YoungIsotropy
        rows = [("isotropy", rf"\mathrm{{Fix}}({YoungIsotropy(self.isotropy).latex})"),
                ("points", str(len(self.points)))]
        if self.points:
            rows.append(("$k$", rf"{latex_number(fmt_k(self.points[0].k))} \to "
                                rf"{latex_number(fmt_k(self.points[-1].k))}"))
        rows.append(("status", rf"\text{{{latex_text(self.status)}}}"))
        if self.fold is not None:
            rows.append(("fold at $k$", latex_number(self.fold.k, 20)))
        rows += [("event", rf"\text{{{latex_text(e)}}}") for e in self.events]
        return latex_summary("branch", rows)


def follow(cp: CriticalPoint, k_end: Any, d: Any = None, dps: int = 30,
           step: float | None = None, min_step: float = 1e-7, max_step: float | None = None,
           record: Iterable[Any] | None = None, progress: Callable[..., Any] | None = None,
           max_points: int = 100000, track_dps: int | None = None) -> Branch:
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
    k0 = as_mpf(cp.k) if not isinstance(cp.k, int) else cp.k
    if float(k_end) < R.H.min_k:
        raise InputError(f"isotropy {R.H.label} needs k >= {R.H.min_k}, got k = "
                         f"{fmt_k(k_end)}")
    record = sorted(set([k_end] + list(record or [])), key=float)
    s0, s1 = math.log(float(k0)), math.log(float(k_end))
    direction = 1 if s1 >= s0 else -1
    span = abs(s1 - s0)
    h = step if step is not None else min(0.25, span / 4 if span else 0.25)
    hmax = max_step if max_step is not None else max(1.0, span / 10)
    track = min(int(dps), 25) if track_dps is None else int(track_dps)
    work = track + guard_digits(max(float(k0), float(k_end)))
    branch = Branch(isotropy=R.H.label, points=[cp])
    # in the order they are met
    targets = sorted((t for t in record if (float(t) - float(k0)) * direction > 0),
                     key=lambda t: direction * float(t))
    with workdps(work):
        x_prev, s_prev = None, s0
        x = mpmath.matrix([mpmath.mpf(v) for v in cp.xi])
        s = s0
        det_sign = None
        velocity = None
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
            else:                      # first step: along the tangent dξ/ds
                if velocity is None:
                    velocity = _velocity(R, x, s, d)
                guess = x + velocity * (s_new - s)
            try:
                res = newton_restricted(R, list(guess), k_new, d)
                xn, Hm = mpmath.matrix(res.x), res.J
                # the secant predictor is accurate to second order: a corrector that moves
                # the point by more than half the predicted move (and more than JUMP of its
                # size) has jumped to another branch, or the step is too long
                pred = max(abs(guess[i] - x[i]) for i in range(len(x)))
                corr = max(abs(xn[i] - guess[i]) for i in range(len(x)))
                scale = max([mpmath.mpf(1)] + [abs(v) for v in x])
                limit = max(pred / 2, JUMP * scale)
                if corr > limit:
                    raise ConvergenceError(f"the corrector moved by {mpmath.nstr(corr, 3)}, "
                                           f"more than the predictor allows "
                                           f"({mpmath.nstr(limit, 3)})")
            except ConvergenceError as exc:
                h /= 2
                if h < min_step:
                    _end_of_branch(branch, R, list(x), _k_at(s, None), d, direction, exc)
                    break
                continue
            sign = mpmath.sign(mpmath.det(Hm))
            if det_sign is not None and sign != det_sign:
                # natural continuation cannot pass a fold: the branch crossed the set where
                # the restricted Hessian is singular, where another branch meets it
                branch.events.append(("bifurcation", mpmath.nstr(_k_at(s, None), 12),
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


def _velocity(R, x, s, d):
    """dξ/ds = -(∇²L_H)^{-1} ∂(∇L_H)/∂s along the branch (s = log k); the derivative in s
    by a central difference at half again the working precision."""
    dps = mpmath.mp.dps
    n = len(x)
    try:
        with workdps(dps + dps // 2 + 5):
            x = mpmath.matrix([mpmath.mpf(v) for v in x])
            h = mpmath.mpf(10) ** (-(dps // 2))
            gs = [R.evaluate(list(x), mpmath.e ** (mpmath.mpf(s) + sg * h), d,
                             system="mpmath", order=1)[1] for sg in (1, -1)]
            dg = mpmath.matrix([(gs[0][i] - gs[1][i]) / (2 * h) for i in range(n)])
            Hm = R.hessian(list(x), mpmath.e ** mpmath.mpf(s), d, system="mpmath")
            v = -mpmath.lu_solve(Hm, dg)
    except (ZeroDivisionError, ValueError):
        return mpmath.matrix([0] * n)
    return mpmath.matrix([+c for c in v])


def _end_of_branch(branch, R, x, k_here, d, direction, exc):
    """The step fell below its minimum: a fold (located), a dying neuron, or lost."""
    try:
        fold = locate_fold(R, x, k_here, d)
    except ConvergenceError:
        fold = None
    if (fold is not None and abs(fold.k / k_here - 1) < 1e-4
            and (fold.k - k_here) * direction > -abs(k_here) * 1e-10):
        branch.status, branch.fold = "fold", fold
        branch.message = (f"the branch turns back at k = {mpmath.nstr(fold.k, 15)}: a fold "
                          f"(the restricted Hessian is singular there); it does not "
                          f"continue beyond")
        branch.events.append(("fold", mpmath.nstr(fold.k, 15)))
        return
    why = _near_singular(R, x, k_here, d)
    if why is not None:
        branch.status = "singular"
        branch.message = (f"the branch runs into the non-differentiable set near k = "
                          f"{mpmath.nstr(k_here, 12)}: {why}")
        branch.events.append(("singular", mpmath.nstr(k_here, 15)))
    else:
        branch.status = "lost"
        branch.message = (f"lost near k = {mpmath.nstr(k_here, 12)} ({exc}); no fold was "
                          "located there")
        branch.events.append(("lost", mpmath.nstr(k_here, 15)))


def _near_singular(R, x, k, d, rel=mpmath.mpf(10) ** -4):
    """Why (x, k) is close to the set where L is not differentiable (a neuron of W(ξ)
    nearly zero), or None."""
    rows = R.pair_gram(list(x), k, d, system="mpmath")
    norms = [(lab, mpmath.sqrt(guu)) for lab, w, guu, gvv, guv, ident in rows if ident]
    if not norms:
        return None
    top = max(v for _, v in norms)
    lab, low = min(norms, key=lambda t: t[1])
    if low < rel * top:
        return (f"the neurons of pair type {lab} have norm {mpmath.nstr(low, 3)} "
                f"(largest {mpmath.nstr(top, 3)}): a neuron dies")
    return None


def locate_fold(R: RestrictedLoss, x: Sequence[Any], k: Any, d: Any = None,
                maxsteps: int = 40) -> Fold:
    r"""Locate a fold (limit point) of the branch near ``(x, k)``: Newton's method on the
    extended system of Moore & Spence (1980, "The calculation of turning points of
    nonlinear equations", SIAM J. Numer. Anal. 17)

    .. math::

        \nabla_\xi L_H(\xi; k) = 0,\qquad \nabla^2_\xi L_H(\xi; k)\,v = 0,\qquad
        \ell^\top v = 1

    in the unknowns :math:`(\xi, v, k)`, started from the eigenvector ``v`` of the smallest
    eigenvalue of the restricted Hessian at ``x`` (``ℓ`` = that start).  At a simple fold
    the system is regular, so Newton converges quadratically; its Jacobian is taken by
    central differences at twice the working precision (third derivatives of L_H are not
    compiled).  Returns a :class:`Fold` (at the current precision) or raises
    :class:`~symcrit.core.errors.ConvergenceError`.
    """
    n = len(R.symbols)
    dps = mpmath.mp.dps
    with workdps(2 * dps + 10):
        x = [mpmath.mpf(v) for v in x]
        k = mpmath.mpf(k)
        Hm = R.hessian(x, k, d, system="mpmath")
        E, Q = mpmath.eigsy(mpmath.matrix(Hm))
        j = min(range(n), key=lambda i: abs(E[i]))
        ell = [Q[i, j] for i in range(n)]
        z = x + ell + [k]

        def F(z):
            xi, v, kk = z[:n], z[n:2 * n], z[2 * n]
            _, g, H = R.evaluate(xi, kk, d, system="mpmath")
            w = R.weights(kk, d, system="mpmath")
            Hv = [mpmath.fsum(H[i, q] * v[q] for q in range(n)) / w[i] for i in range(n)]
            return ([g[i] / w[i] for i in range(n)] + Hv
                    + [mpmath.fsum(a * b for a, b in zip(ell, v)) - 1])

        h0 = mpmath.mpf(10) ** (-(dps + 5))

        def jacobian_solve(z, Fz):
            # the Jacobian by central differences, formed only when a step is taken
            J = mpmath.matrix(2 * n + 1, 2 * n + 1)
            for c in range(2 * n + 1):
                hc = h0 * max(1, abs(z[c]))
                zp, zm = list(z), list(z)
                zp[c] += hc
                zm[c] -= hc
                Fp, Fm = F(zp), F(zm)
                for r in range(2 * n + 1):
                    J[r, c] = (Fp[r] - Fm[r]) / (2 * hc)
            return mpmath.lu_solve(J, mpmath.matrix(list(Fz)))

        try:
            res = newton(lambda z: (F(z), z, None), z, mpmath.mpf(10) ** (-(dps + 3)),
                         maxsteps=maxsteps, solve=jacobian_solve)
        except ConvergenceError as exc:
            raise ConvergenceError(f"fold: {exc}") from None
        z, res = res.x, res.residual
        L = R.loss(z[:n], z[2 * n], d, system="mpmath")
    with workdps(dps):
        return Fold(k=+z[2 * n], xi=[+a for a in z[:n]], v=[+a for a in z[n:2 * n]],
                    loss=+L, residual=+res)


def _k_at(s, exact):
    if exact is not None:
        return exact if isinstance(exact, int) else as_mpf(exact)
    return mpmath.e ** mpmath.mpf(s)
