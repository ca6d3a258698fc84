r"""The arc tracer: predictor–corrector continuation of the tangency system in r, in the
fixed space of the arc.

A tangency arc of a critical point c is a curve of solutions of

.. math::

    \nabla L(W) = \mu\,(W - c), \qquad \|W - c\|_F^2 = r^2

(the critical points of L on the spheres around c; Arjevani 2023, "Hidden minima in
two-layer ReLU networks", arXiv:2312.16819, §2).  An arc leaving c along a direction fixed by
a subgroup G stays in Fix(G) (the system is G-equivariant), and there, in the coordinates
:math:`u = D^{1/2}(\eta - \eta_c)` of Fix(G) (D the Frobenius weights, i.e. the orbit sizes),
it reads

.. math::

    \Phi(u, \mu, r) = \begin{pmatrix} D^{-1/2}\nabla_\eta L_G(\eta_c + D^{-1/2}u) - \mu u \\
    \tfrac12(u^\top u - r^2)\end{pmatrix} = 0 :

every entry of W in the orbit of parameter p has gradient :math:`g_p/w_p` and moves by
:math:`\eta_p - \eta_{c,p}`, so the first block is the full-space equation entry by entry, and
:math:`u^\top u` is the full-space :math:`\|W - c\|_F^2`.  The system has
:math:`\dim\mathrm{Fix}(G) + 1` equations, whatever k is.

**Continuation** (Allgower & Georg, *Introduction to Numerical Continuation Methods*, SIAM
2003, ch. 2–6): pseudo-arclength in :math:`y = (u, \mu/|\lambda|, r)`, so that the arc may
turn back in r (a fold) without the method failing: an Euler predictor along the tangent
(the kernel of :math:`\Phi'`, oriented as the previous one), a Newton corrector on Φ and the
arclength condition, and step control (longer after easy corrections, halved after hard
ones or when the tangent turns by more than about 25°).  The path is tracked in float64 (the
restricted loss is evaluated with its analytic gradient and Hessian); points are refined to
any precision afterwards (:func:`refine_on_arc`), and so is the end.

**Events.**  The arc starts at a small r from the eigenvector (Newton at fixed r); it stops
where μ changes sign (there :math:`\nabla L = 0`: the arc has reached another critical point
at :math:`r^*`, located on the arc by Newton's method with μ = 0), at ``rmax``, at a zero
neuron (L is not differentiable there), or when the step collapses.

>>> from symcrit.critical import get_family
>>> from symcrit.arcs import arc_starts
>>> st = arc_starts(get_family("hidden-D").point(10, dps=20), "min")[0]
>>> tr = trace_arc(st)
>>> tr.status, round(float(tr.r_cross), 6)
('critical', 0.879864)
>>> p = refine_on_arc(st, tr, 0.5, dps=30)
>>> mpmath.nstr(p.mu, 12), float(p.residual) < 1e-30
('0.00970834626728', True)
"""
from __future__ import annotations

from dataclasses import dataclass, field

import mpmath
import numpy as np

from ..core import ConvergenceError, InputError, guard_digits, newton, workdps
from ..critical import refine

__all__ = ["ArcTrace", "ArcPoint", "trace_arc", "refine_on_arc", "refine_endpoint",
           "check_rmax", "RMAX_DEFAULT", "RMAX_LIMIT", "MAX_STEPS", "FLOAT_MAX_K",
           "TRACK_DPS"]

#: the radius to which an arc is followed when no other critical point stops it
RMAX_DEFAULT = 10.0
#: the largest rmax accepted
RMAX_LIMIT = 1e4
#: the most continuation steps per arc
MAX_STEPS = 4000
#: relative size of a Newton step taken as the float64 noise floor (large k)
NOISE = 1e-6
#: above this k the path is tracked in mpmath (float64 loses about 2 log10 k digits)
FLOAT_MAX_K = 10 ** 6
#: digits of the mpmath tracking above FLOAT_MAX_K (plus guard digits for k)
TRACK_DPS = 16


@dataclass
class ArcTrace:
    r"""A traced arc (float64): the radii ``r``, multipliers ``mu``, ``m`` = L − L(c)
    (integrated from :math:`m'(r) = \mu r`) and the points ``eta`` (rows: coordinates of
    Fix(G)) at every accepted step; ``status``:
    ``critical`` (μ changed sign: another critical point at ``r_cross``), ``rmax``,
    ``singular`` (a neuron reached zero), ``lost`` (the step collapsed) or ``steps``;
    ``folds`` are the radii where the arc turns back in r; ``eta_cross`` the float64 point
    where μ = 0."""
    r: np.ndarray
    mu: np.ndarray
    m: np.ndarray
    eta: np.ndarray
    status: str
    message: str = ""
    folds: list = field(default_factory=list)
    r_cross: float | None = None
    eta_cross: np.ndarray | None = None
    steps: int = 0
    evaluations: int = 0

    def interpolate(self, r):
        """(η, μ) at radius r by linear interpolation on the first stretch of the track
        that reaches r (float64)."""
        for i in range(len(self.r) - 1):
            a, b = self.r[i], self.r[i + 1]
            if min(a, b) <= r <= max(a, b) and a != b:
                t = (r - a) / (b - a)
                return (1 - t) * self.eta[i] + t * self.eta[i + 1], \
                    (1 - t) * self.mu[i] + t * self.mu[i + 1]
        raise InputError(f"r = {r} is outside the traced arc (r up to "
                         f"{float(np.max(self.r)):.6g})")


@dataclass
class ArcPoint:
    """A point of the arc refined to ``dps`` digits: radius, multiplier μ, loss, the point
    η of Fix(G), and the residual of the tangency system per entry of W (mpmath)."""
    r: object
    mu: object
    loss: object
    eta: list
    residual: object
    dps: int


class _System:
    """The tangency system of one start (u coordinates), in float64 or, for k above
    :data:`FLOAT_MAX_K`, in mpmath at the current working precision (numpy object
    arrays)."""

    def __init__(self, start, mp=False):
        self.R = start.restricted
        self.mp = mp
        conv = mpmath.mpf if mp else float
        self.k = conv(start.k)
        self.eta_c = np.array([conv(x) for x in start.eta_c], dtype=object if mp else float)
        self.s = np.array([mpmath.sqrt(conv(x)) if mp else np.sqrt(float(x))
                           for x in start.weights], dtype=object if mp else float)
        self.lam = conv(start.eigenvalue)
        self.scale = abs(self.lam) if self.lam != 0 else conv(1)
        self.n = len(self.eta_c)
        self.count = 0
        self.tol = 1e-10 if not mp else mpmath.mpf(10) ** -12
        self.noise = NOISE if not mp else mpmath.mpf(10) ** -10

    def eta(self, u):
        return self.eta_c + u / self.s

    def zeros(self, *shape):
        z = np.zeros(shape, dtype=object if self.mp else float)
        if self.mp:
            z[...] = mpmath.mpf(0)
        return z

    def __call__(self, y):
        """(Φ(y), Φ'(y), L) at y = (u, μ/|λ|, r)."""
        n = self.n
        u, mu, r = y[:n], y[n] * self.scale, y[n + 1]
        self.count += 1
        if self.mp:
            try:
                L, g, Hm = self.R.evaluate(list(self.eta(u)), self.k, system="mpmath")
            except (ZeroDivisionError, ValueError) as exc:
                raise FloatingPointError(f"the loss is not differentiable here ({exc})") \
                    from None
            g = np.array([g[i] for i in range(n)], dtype=object)
            Hm = np.array(Hm.tolist(), dtype=object)
        else:
            with np.errstate(all="ignore"):
                L, g, Hm = self.R.evaluate(self.eta(u), self.k)
            g, Hm = np.asarray(g, float).reshape(-1), np.asarray(Hm, float)
            if not (np.isfinite(L) and np.all(np.isfinite(g)) and np.all(np.isfinite(Hm))):
                raise FloatingPointError("the loss is not differentiable here (a zero "
                                         "neuron)")
        F = np.concatenate([g / self.s - mu * u, [(u @ u - r * r) / 2]])
        J = self.zeros(n + 1, n + 2)
        J[:n, :n] = Hm / np.outer(self.s, self.s)
        for i in range(n):
            J[i, i] -= mu
        J[:n, n] = -self.scale * u
        J[n, :n] = u
        J[n, n + 1] = -r
        return F, J, L


def _solve(M, b):
    if M.dtype != object:
        return np.linalg.solve(M, b)
    try:
        x = mpmath.lu_solve(mpmath.matrix(M.tolist()), mpmath.matrix(list(b)))
    except ZeroDivisionError:
        raise np.linalg.LinAlgError("singular matrix") from None
    return np.array([x[i] for i in range(len(b))], dtype=object)


def _norm(x):
    return mpmath.sqrt(x @ x) if x.dtype == object else float(np.sqrt(x @ x))


def _amax(x):
    return max(abs(v) for v in x)


def _newton(system, y, extra, tol=None, maxit=10):
    """Newton on [Φ(y); extra(y)] (``extra`` returns (value, gradient row)); returns
    (y, L, iterations, Φ'(y)) or raises FloatingPointError / np.linalg.LinAlgError.
    Converged: a step below ``tol`` (relative), or, at large k where float64 evaluation of
    the loss leaves a noise floor, steps that stop shrinking below ``NOISE`` (relative)."""
    tol = system.tol if tol is None else tol
    prev = np.inf
    for it in range(maxit):
        F, J, L = system(y)
        e, row = extra(y)
        d = _solve(np.vstack([J, row]), np.concatenate([F, [e]]))
        y = y - d
        size = _amax(d) / max(1, _amax(y))
        if size <= tol or (size <= system.noise and size >= prev / 2):
            F, J, L = system(y)
            return y, L, it + 1, J
        prev = size
    raise np.linalg.LinAlgError("no convergence")


def _tangent(J, t_prev):
    e = np.zeros(J.shape[0] + 1, dtype=J.dtype)
    if J.dtype == object:
        e[...] = mpmath.mpf(0)
    e[-1] = 1
    t = _solve(np.vstack([J, t_prev]), e)
    return t / _norm(t)


def trace_arc(start, rmax=RMAX_DEFAULT, r0=None, h0=None, hmax=None, max_steps=MAX_STEPS,
              expansion=None):
    """Follow the arc of ``start`` (an :class:`~symcrit.arcs.directions.ArcStart`) from
    r = ``r0`` until μ changes sign or r reaches ``rmax`` (float64 pseudo-arclength
    continuation; see the module docstring).

    Parameters
    ----------
    start : ArcStart
    rmax : float
        The largest radius (0 < rmax ≤ :data:`RMAX_LIMIT`).
    r0 : float, optional
        The first radius (default ``min(1e-3, rmax/100)``, or with an expansion the largest
        r ≤ rmax/20 at which its last term of μ is below 10⁻⁶ λ).
    h0, hmax : float, optional
        First and largest arclength step (default ``min(0.02, rmax/20)`` and
        ``min(0.25, rmax/10)``).
    max_steps : int
        The most steps (≤ :data:`MAX_STEPS`).
    expansion : ArcExpansion, optional
        The series of the arc (:func:`~symcrit.arcs.expansion.arc_expansion`): the first
        point is taken from it.

    Returns
    -------
    ArcTrace

    Raises
    ------
    InputError
        rmax not in (0, RMAX_LIMIT], or a bad step count.
    """
    rmax = check_rmax(rmax)
    if not isinstance(max_steps, int) or not 1 <= max_steps <= MAX_STEPS:
        raise InputError(f"max_steps must be an integer from 1 to {MAX_STEPS}")
    if start.k <= FLOAT_MAX_K:
        return _trace(_System(start), start, rmax, r0, h0, hmax, max_steps, expansion)
    with workdps(TRACK_DPS + guard_digits(start.k)):
        return _trace(_System(start, mp=True), start, rmax, r0, h0, hmax, max_steps,
                      expansion)


def _trace(S, start, rmax, r0, h0, hmax, max_steps, expansion):
    n = S.n
    conv = mpmath.mpf if S.mp else float
    if r0 is None:
        r0 = min(1e-3, rmax / 100) if expansion is None else _series_radius(expansion, S.lam,
                                                                          rmax / 20)
    r0 = conv(float(r0))
    h = min(0.02, rmax / 20) if h0 is None else float(h0)
    hmax = min(0.25, rmax / 10) if hmax is None else float(hmax)
    hmin = 1e-10 * max(1.0, rmax)
    dt = object if S.mp else float
    u0 = np.array([conv(x) for x in start.u], dtype=dt)
    if expansion is None:
        y = np.concatenate([r0 * u0, np.array([S.lam / S.scale, r0], dtype=dt)])
    else:
        eta0 = S.eta_c + sum(np.array([conv(x) for x in z], dtype=dt) * r0 ** (j + 1)
                             for j, z in enumerate(expansion.arc))
        mu0 = sum(conv(m) * r0 ** j for j, m in enumerate(expansion.mu))
        y = np.concatenate([S.s * (eta0 - S.eta_c), np.array([mu0 / S.scale, r0], dtype=dt)])
    try:
        y, L, _, J = _newton(S, y, lambda z: (z[n + 1] - r0, _unit(S, n + 2, n + 1)),
                             maxit=20)
    except (np.linalg.LinAlgError, FloatingPointError) as exc:
        return ArcTrace(np.array([]), np.array([]), np.array([]), np.zeros((0, n)), "lost",
                        f"no start at r = {float(r0):.3g}: {exc}", evaluations=S.count)
    t = S.zeros(n + 2)
    t[:n], t[n + 1] = u0, 1
    t = t / _norm(t)
    status, message, folds, cross = "steps", f"{max_steps} steps", [], None
    sign0 = _sgn(S.lam)
    steps, dr_prev = 0, 1.0
    try:
        tn = _tangent(J, t)
    except np.linalg.LinAlgError as exc:   # pragma: no cover
        tn, steps, max_steps = t, 0, 0
        status, message = "lost", f"no tangent at the start ({exc})"
    if tn @ t < 0:
        tn = -tn
    pts = [(y, tn)]
    while steps < max_steps:
        accepted = False
        while h >= hmin:
            yp = y + h * tn
            try:
                z, L, its, Jz = _newton(S, yp, lambda q, yp=yp, tn=tn: (tn @ (q - yp), tn))
                tz = _tangent(Jz, tn)
            except FloatingPointError:
                h /= 2
                if h < hmin:
                    status, message = "singular", (f"a neuron reaches zero near r = "
                                                   f"{y[n + 1]:.6g}")
                continue
            except np.linalg.LinAlgError:
                h /= 2
                continue
            if _norm(z - yp) <= 0.4 * h and abs(tz @ tn) >= 0.85:
                accepted = True
                break
            h /= 2
        if not accepted:
            if status != "singular":
                status, message = "lost", f"the step collapsed at r = {y[n + 1]:.6g}"
            break
        steps += 1
        dr = z[n + 1] - y[n + 1]
        if dr * dr_prev < 0:
            folds.append(float(y[n + 1]))
        dr_prev = dr if dr != 0 else dr_prev
        y_prev, y, t = y, z, tn
        tn = tz if tz @ tn >= 0 else -tz
        if _sgn(y[n]) != sign0:                      # μ changed sign: ∇L = 0 between
            a = y_prev[n] / (y_prev[n] - y[n])
            guess = (1 - a) * y_prev + a * y
            try:
                yc, _, _, Jc = _newton(S, guess, lambda q: (q[n], _unit(S, n + 2, n)))
                cross = yc
                if yc[n + 1] <= max(y[n + 1], y_prev[n + 1]) * 1.5:
                    pts.append((yc, _oriented(_tangent(Jc, t), t)))
            except (np.linalg.LinAlgError, FloatingPointError):
                cross = guess
            status, message = "critical", "μ changed sign"
            break
        if y[n + 1] >= rmax:
            try:
                guess = y_prev + (rmax - y_prev[n + 1]) / (y[n + 1] - y_prev[n + 1]) * \
                    (y - y_prev)
                y, _, _, Jr = _newton(S, guess,
                                      lambda q: (q[n + 1] - rmax, _unit(S, n + 2, n + 1)))
                tn = _oriented(_tangent(Jr, t), t)
            except (np.linalg.LinAlgError, FloatingPointError):
                pass
            pts.append((y, tn))
            status, message = "rmax", f"reached rmax = {rmax:g} before μ changed sign"
            break
        if y[n + 1] < r0 / 2:
            status = "returned"
            message = ("the arc turned back at r = " + ", ".join(f"{f:.6g}" for f in folds)
                       + " (a fold of the tangency set) and returned to c" if folds
                       else "the arc returned to c")
            break
        pts.append((y, tn))
        if its <= 4:
            h = min(1.5 * h, hmax)
    rs = np.array([float(p[n + 1]) for p, _ in pts])
    mus = np.array([float(p[n] * S.scale) for p, _ in pts])
    dmu = np.array([float(q[n] * S.scale / q[n + 1]) if q[n + 1] != 0 else np.nan
                    for _, q in pts])
    m0 = float(expansion(r0) - expansion.coefficients[0]) if expansion is not None \
        else float(S.lam * r0 ** 2 / 2)
    tr = ArcTrace(rs, mus, _integrate_m(rs, mus, dmu, m0),
                  np.array([[float(x) for x in S.eta(p[:n])] for p, _ in pts]), status,
                  message, folds, steps=steps, evaluations=S.count)
    if cross is not None:
        tr.r_cross = float(cross[n + 1])
        tr.eta_cross = np.array([float(x) for x in S.eta(cross[:n])])
    return tr


def _sgn(x):
    return int(x > 0) - int(x < 0)


def _oriented(t, ref):
    return t if t @ ref >= 0 else -t


def _integrate_m(r, mu, dmu, m0):
    r"""m(r) - L(c) along the track from :math:`m' = \mu r` (along the curve,
    :math:`dm = \mu r\,dr`, folds included), by the cubic Hermite rule with
    :math:`f = \mu r`, :math:`f' = \mu + r\,d\mu/dr`: exact slopes, so no cancellation in
    L(W) - L(c) (which loses :math:`2\log_{10}k` digits in float64)."""
    m = [m0]
    for i in range(1, len(r)):
        h = r[i] - r[i - 1]
        fa, fb = mu[i - 1] * r[i - 1], mu[i] * r[i]
        ga = mu[i - 1] + r[i - 1] * dmu[i - 1]
        gb = mu[i] + r[i] * dmu[i]
        corr = h * h / 12 * (ga - gb) if np.isfinite(ga) and np.isfinite(gb) else 0.0
        m.append(m[-1] + h / 2 * (fa + fb) + corr)
    return np.array(m)


def _series_radius(ex, lam, rcap):
    """The largest r ≤ rcap (and ≥ 1e-4) where the last term of the series of μ is below
    1e-6 |λ|."""
    last = max((abs(float(m)) for m in ex.mu[-1:]), default=0.0)
    j = len(ex.mu) - 1
    if last == 0 or j < 1:
        return min(1e-2, rcap)
    r = (1e-6 * abs(lam) / last) ** (1.0 / j)
    return float(min(max(r, 1e-4), rcap, 0.1))


def _unit(S, n, i):
    e = S.zeros(n)
    e[i] = 1
    return e


def check_rmax(rmax):
    """rmax as a float in (0, :data:`RMAX_LIMIT`] (an InputError otherwise)."""
    try:
        r = float(rmax)
    except (TypeError, ValueError):
        raise InputError(f"rmax must be a number, got {rmax!r}") from None
    if not (np.isfinite(r) and 0 < r <= RMAX_LIMIT):
        raise InputError(f"rmax must be positive (and at most {RMAX_LIMIT:g}), got {rmax}")
    return r


def _mp_system(start, r):
    """The tangency system at fixed r in mpmath: evaluate(x) for core.newton, x = (u, μ)."""
    R = start.restricted
    k = mpmath.mpf(start.k)
    eta_c = [mpmath.mpf(x) for x in start.eta_c]
    s = [mpmath.sqrt(mpmath.mpf(w)) for w in start.weights]
    n = len(eta_c)
    r = mpmath.mpf(r)

    def evaluate(x):
        u, mu = x[:n], x[n]
        eta = [e + ui / si for e, ui, si in zip(eta_c, u, s)]
        L, g, Hm = R.evaluate(eta, k, system="mpmath")
        F = [g[i] / s[i] - mu * u[i] for i in range(n)]
        F.append((mpmath.fsum(ui * ui for ui in u) - r * r) / 2)
        J = mpmath.matrix(n + 1, n + 1)
        for i in range(n):
            for j in range(n):
                J[i, j] = Hm[i, j] / (s[i] * s[j])
            J[i, i] -= mu
            J[i, n] = -u[i]
            J[n, i] = u[i]
        return F, J, (L, eta)
    return evaluate, eta_c, s


def refine_on_arc(start, trace, r, dps=30, expansion=None):
    """The point of the arc at radius ``r``, refined to ``dps`` digits by Newton's method on
    the tangency system at fixed r (mpmath, with guard digits for large k), from the traced
    path, or below its first point from the ``expansion`` (an
    :class:`~symcrit.arcs.expansion.ArcExpansion`).

    Returns
    -------
    ArcPoint
        ``residual``: the largest :math:`|\\partial L/\\partial W_{ij} - \\mu(W-c)_{ij}|`
        over the entries of W.

    Raises
    ------
    ConvergenceError
        Newton's method does not converge.
    """
    if expansion is not None and len(trace.r) and float(r) < trace.r[0]:
        eta_f = [float(e) + sum(float(z[i]) * float(r) ** (j + 1)
                                for j, z in enumerate(expansion.arc))
                 for i, e in enumerate(start.eta_c)]
        mu_f = sum(float(m) * float(r) ** j for j, m in enumerate(expansion.mu))
    else:
        eta_f, mu_f = trace.interpolate(float(r))
    with workdps(int(dps) + guard_digits(start.k)):
        evaluate, eta_c, s = _mp_system(start, r)
        x0 = [si * (mpmath.mpf(float(e)) - ec) for si, e, ec in zip(s, eta_f, eta_c)]
        x0.append(mpmath.mpf(float(mu_f)))
        tol = mpmath.mpf(10) ** (-(int(dps) + 3)) * max(1, abs(x0[-1]))
        try:
            res = newton(evaluate, x0, tol, maxsteps=30, line_search=True,
                         scale=[1] * len(eta_c) + [max(mpmath.mpf(r) ** 2, tol)])
        except ConvergenceError as exc:
            raise ConvergenceError(f"the arc point at r = {r}: {exc}") from None
        n = len(eta_c)
        L, eta = res.info
        resid = max(abs(res.F[i] / s[i]) for i in range(n))
    with workdps(int(dps)):
        return ArcPoint(+mpmath.mpf(r), +res.x[n], +L, [+e for e in eta], +resid, int(dps))


def refine_endpoint(start, trace, dps=30):
    """The critical point where μ = 0 on the arc (``trace.status == "critical"``), refined
    to ``dps`` digits in Fix(G) (:func:`symcrit.critical.refine`, with the full-space check
    at k ≤ 40), and its distance r* from c (mpmath).  Returns ``(CriticalPoint, r*)``."""
    if trace.eta_cross is None:
        raise InputError("the arc did not reach another critical point")
    k = start.k
    cp = refine(start.group, [float(x) for x in trace.eta_cross], k, dps=dps,
                full_check=k <= 40, full_check_max_k=40)
    with workdps(int(dps) + guard_digits(k)):
        rstar = mpmath.sqrt(mpmath.fsum(mpmath.mpf(w) * (x - e) ** 2 for w, x, e in
                                        zip(start.weights, cp.xi, start.eta_c)))
    with workdps(int(dps)):
        return cp, +rstar
