r"""Search for all critical points of :math:`L_H(\cdot; k)` that can be found from many starts.

All starts are driven at once to roots of the restricted gradient by a damped Newton
iteration in float64, vectorised over the starts (the restricted loss evaluates a whole
array of points in one call), so saddles are found as well as minima.  Roots with a
(nearly) zero neuron are discarded (the loss is not differentiable there), duplicates are
merged, and only the distinct survivors are polished with mpmath
(:func:`~symcrit.critical.refine`).

**Non-isolated critical points.**  Where the restricted Hessian is singular at a root (a
generalized eigenvalue of :math:`(\nabla^2 L_H, D)` vanishes, D the Frobenius weights)
Newton's method has no unique step: such a point is polished with the minimum-norm
(pseudo-inverse) Newton step instead, and reported with ``set_dimension`` the number of
vanishing eigenvalues: the dimension of the critical set through it, as far as the Hessian
tells (Morse–Bott).  Points with the same loss on sets of the same dimension are reported
once, with the number of points found on them.

Starts are random: half Gaussian, half near the "signed permutation" points whose entries
are in {-1, 0, 1} (where the known families live), with a fixed seed, so a search is
reproducible.

>>> pts = search("ΔS_k", k=6, starts=60, seed=0, dps=20)
>>> any(abs(p.loss) < 1e-15 for p in pts)        # finds the global minimum W = I
True
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import mpmath
import numpy as np

from ..core import ConvergenceError, InputError, fmt_k, generalized_eigh, newton, workdps
from ..restricted import restricted_loss
from .refine import refine

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from ..symmetry import YoungIsotropy
    from .point import CriticalPoint

__all__ = ["search", "MAX_STARTS", "CHUNK"]

#: the most random starts one search takes
MAX_STARTS = 20000
#: starts driven together (one vectorised evaluation per Newton step)
CHUNK = 256


def _starts(n, count, rng):
    out = []
    for i in range(count):
        if i % 2 == 0:
            out.append(rng.normal(0.0, 0.7, size=n))
        else:
            out.append(rng.choice([-1.0, 0.0, 0.0, 1.0], size=n) + rng.normal(0, 0.15, size=n))
    return np.array(out)


def _residual(R, X, kf, df, w):
    """(F, J, r): the gradient per entry of W, its Jacobian and the max-norm residual for
    every row of X (non-finite where the loss is not differentiable)."""
    with np.errstate(all="ignore"):
        _, g, H = R.evaluate(X, kf, df)
        F = g / w
        J = H / w[:, None]
        r = np.max(np.abs(F), axis=-1)
    r[~np.isfinite(r)] = np.inf
    return F, J, r


def _newton_float(R, X, kf, df, w, tol, maxit=60):
    """Damped Newton (minimum-norm steps) on every row of X at once; returns the rows
    that converged."""
    F, J, r = _residual(R, X, kf, df, w)
    done = np.zeros(len(X), bool)
    alive = np.isfinite(r)
    for _ in range(maxit):
        scale = np.maximum(1.0, np.max(np.abs(X), axis=-1))
        done |= alive & (r <= tol * scale)
        act = np.flatnonzero(alive & ~done)
        if not len(act):
            break
        with np.errstate(all="ignore"):
            # the minimum-norm Newton step (pseudo-inverse): the Newton step where J is
            # regular, and still a step onto a critical set where J is singular
            try:
                step = (np.linalg.pinv(J[act], rcond=1e-10) @ F[act][..., None])[..., 0]
            except np.linalg.LinAlgError:    # pragma: no cover - SVD did not converge
                alive[act] = False
                continue
        lam = np.ones(len(act))
        todo = np.arange(len(act))
        for _ in range(12):                    # backtracking, all starts at once
            trial = X[act[todo]] - lam[todo, None] * step[todo]
            Ft, Jt, rt = _residual(R, trial, kf, df, w)
            ok = rt < r[act[todo]] * (1 - lam[todo] / 4)
            idx = act[todo[ok]]
            X[idx], F[idx], J[idx], r[idx] = trial[ok], Ft[ok], Jt[ok], rt[ok]
            todo = todo[~ok]
            if not len(todo):
                break
            lam[todo] /= 2
        alive[act[todo]] = False               # no descent along the Newton direction
        alive &= np.all(np.isfinite(X), axis=-1)
    return X[done]


def _min_row_norm(R, x, k, d):
    """The smallest squared norm over the student row classes (0 means a zero neuron)."""
    vals = [g[2] for g in R.pair_gram(list(x), k, d) if "self" in g[0] and
            g[0].startswith("student")]
    return min(float(v) for v in vals) if vals else 1.0


def _nullity(R, x, k, d, rel=1e-7):
    """The number of (numerically) vanishing generalized eigenvalues of the restricted
    Hessian in the Frobenius metric at x (float64)."""
    _, _, H = R.evaluate(list(x), k, d)
    w = np.array([float(v) for v in R.weights(k, d)])
    ev = generalized_eigh(H, np.diag(w), "float")
    top = max(np.max(np.abs(ev)), 1e-300)
    return int(np.sum(np.abs(ev) <= rel * top))


def _polish_on_set(R, x, k, d, dps, rank_tol):
    """Newton with the minimum-norm step (pseudo-inverse, singular values below
    ``rank_tol`` × the largest dropped) at ``dps`` digits: converges onto a critical set
    of positive dimension; returns the refined point as a CriticalPoint with its set
    dimension."""
    from .point import CriticalPoint
    from ..restricted import gradient_norm
    with workdps(dps + 10):
        kk, dd = mpmath.mpf(k), None if d is None else mpmath.mpf(d)
        w = R.weights(kk, dd, system="mpmath")

        def evaluate(x):
            L, g, Hm = R.evaluate(x, kk, dd, system="mpmath")
            return g, Hm, L

        def solve(J, F):
            U, S, V = mpmath.svd_r(J)
            top = max(S)
            step = mpmath.matrix(len(F), 1)
            for i in range(len(S)):
                if S[i] > rank_tol * top:
                    c = mpmath.fsum(U[j, i] * F[j] for j in range(len(F))) / S[i]
                    for j in range(len(F)):
                        step[j] += c * V[i, j]
            return step

        res = newton(evaluate, [mpmath.mpf(v) for v in x], mpmath.mpf(10) ** (-(dps + 3)),
                     maxsteps=60, scale=w, solve=solve)
        gn = gradient_norm(res.F, w)
    with workdps(dps):
        return CriticalPoint(isotropy=R.H.label, k=k, d=d, xi=[+v for v in res.x],
                             names=R.fixed.names, loss=+res.info, residual=+res.residual,
                             gradient_norm=+gn, dps=dps, iterations=res.iterations)


def search(H: str | YoungIsotropy, k: Any, d: Any = None, starts: int = 200, seed: int = 0,
           dps: int = 30, tol: float = 1e-9, progress: Callable[..., Any] | None = None,
           min_norm: float = 1e-4, initial: Any = None) -> list[CriticalPoint]:
    """Critical points of ``L_H(·; k)`` found from ``starts`` random starts, refined to
    ``dps`` digits and sorted by loss.

    Parameters
    ----------
    H : str or YoungIsotropy
    k, d : number
    starts : int
        Random starts (at most :data:`MAX_STARTS`).
    seed : int
        The random seed (non-negative): a search is reproducible.
    dps : int
        Digits of the polish.
    tol : float
        Residual (gradient per entry of W) at which a float64 root is accepted.
    progress : callable, optional
        Wraps the list of chunks of starts (e.g. a tqdm factory).
    min_norm : float
        Roots with a neuron of squared norm below this are discarded.
    initial : array_like, optional
        Starts of one's own (rows of parameters), tried before the random ones.

    Returns
    -------
    list of CriticalPoint
        Each with ``set_dimension`` (0 for an isolated, non-degenerate point) and
        ``samples`` (the number of distinct roots found on it).
    """
    R = restricted_loss(H)
    n = len(R.symbols)
    if isinstance(starts, bool) or not isinstance(starts, (int, np.integer)) or \
            not 1 <= starts <= MAX_STARTS:
        raise InputError(f"starts must be an integer from 1 to {MAX_STARTS}, got {starts}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(f"the random seed must be a non-negative integer, got {seed}")
    rng = np.random.default_rng(seed)
    kf = float(k)
    if kf < R.H.min_k:
        raise InputError(f"isotropy {R.H.label} needs k >= {R.H.min_k}, got k = {fmt_k(k)}")
    df = None if d is None else float(d)
    w = np.array([float(x) for x in R.weights(kf, df)])
    X0 = _starts(n, starts, rng)
    if initial is not None:
        extra = np.asarray(initial, dtype=float).reshape(-1, n)
        if len(extra) > MAX_STARTS or not np.all(np.isfinite(extra)):
            raise InputError(f"initial: at most {MAX_STARTS} finite starts of {n} values")
        X0 = np.concatenate([extra, X0])
    chunks = [X0[i:i + CHUNK] for i in range(0, len(X0), CHUNK)]
    found: list[np.ndarray] = []
    for X in (progress(chunks) if progress is not None else chunks):
        for x in _newton_float(R, X.copy(), kf, df, w, tol):
            if _min_row_norm(R, x, kf, df) < min_norm:
                continue
            if any(np.max(np.abs(x - y)) < 1e-6 for y in found):
                continue
            found.append(x)
    log.info("search Fix(%s) at k = %s: %d distinct float64 roots from %d starts",
             R.H.label, fmt_k(k), len(found), starts)
    out: list[Any] = []                  # CriticalPoints (sorted by their mpf loss)
    for x in found:
        nul = _nullity(R, x, kf, df)
        try:
            if nul:
                cp = _polish_on_set(R, x, k, d, dps, mpmath.mpf(10) ** (-(dps // 2)))
            else:
                cp = refine(R.H, list(x), k, d=d, dps=dps, full_check=False)
        except (ConvergenceError, ZeroDivisionError, ValueError):
            continue
        cp.set_dimension, cp.samples = nul, 1
        same = [q for q in out if max(abs(a - b) for a, b in zip(cp.xi, q.xi))
                < mpmath.mpf(10) ** (-dps // 2)]
        if nul:
            same += [q for q in out if q.set_dimension == nul and
                     abs(q.loss - cp.loss) <= mpmath.mpf(10) ** (-dps // 2) * (1 + abs(cp.loss))]
        if same:
            same[0].samples += 1
            continue
        out.append(cp)
    out.sort(key=lambda c: c.loss)
    log.info("search Fix(%s): %d critical point(s) or set(s) after refinement to %d digits",
             R.H.label, len(out), dps)
    return out
