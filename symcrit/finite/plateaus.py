r"""Plateaus of a gradient-descent run, the stationary point each one approaches, snapped
exactly, and its loss named exactly.

**Detection.**  With t = η·step (gradient-flow time), a plateau is a maximal stretch where
:math:`|d \ln L/dt|` stays below ``threshold`` (default 10⁻³) for at least a fraction
``min_fraction`` of the run; its loss is read where the rate is smallest.  An exponential
approach to a minimum of loss 0 is not a plateau (its log-rate stays large).

**Snapping.**  At the quietest point of a plateau the neurons split into *grown* ones
(amplitude :math:`|w_i||h_i|` above ``amp_tol`` times the largest) and small ones.  A small
ReLU neuron with every datum strictly inactive is kept (a dead neuron: it does not move and
contributes nothing); any other small neuron becomes the zero neuron — the limit of a
vanishing initialisation.  Grown neurons are grouped by *activation pattern* on the data
(active, inactive or on the kink, :math:`|w_i\cdot x_n| \le \kappa |w_i||x_n|`).  For ReLU-like
ρ, the neurons of one pattern p contribute :math:`M_p (s_{pn} x_n)` with
:math:`M_p = \sum_{i\in p} h_i w_i^T` and :math:`s_{pn} \in \{a, b, 0\}`, so the
network's outputs on the data are *linear* in the :math:`M_p`, whose rows must lie in
:math:`K_p^\perp` (the kinks stay kinks).  When the members of a pattern span
:math:`K_p^\perp` (always with scalar output), the stationary point of that activation
pattern is an **exact least-squares problem** over the rationals: the solution nearest to
the run's :math:`M_p` is computed in rational arithmetic, distributed back over the
members (kinks exact), checked to keep the pattern, and the plateau's loss is a fraction.
A pattern whose members share one free direction (vector output) is a rank-one problem:
with one such pattern the loss is :math:`(|E|^2 - \lambda_{\max}(E_C^T E_C))/(N d_{out})`
(E the residual of the linear patterns, :math:`E_C` its projection on the rank-one
pattern's columns), a closed form with square roots (sympy); with more, the loss stays
numerical.  Several kink tolerances κ are tried and the snap whose exact loss is nearest
the run's is kept (``loss_gap``).

Reference: Wu, Şimşek, Ged, "Loss landscape of shallow ReLU-like neural networks:
stationary points, saddle escape, and network embedding", ICLR 2025, arXiv:2402.05626.

>>> import numpy as np
>>> from symcrit.finite import load_data
>>> ds = load_data("wsg-1d")
>>> s = snap_point(np.zeros((3, 2)), np.zeros((3, 1)), ds)       # the zero network
>>> s.exact_loss, s.method
(Fraction(953, 25000), 'rational')
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from . import rational as Q
from .network import RELU, Network, loss

__all__ = ["Plateau", "find_plateaus", "Snap", "snap_point", "KINK_TOLERANCES"]

#: the kink tolerances tried by :func:`snap_point`
KINK_TOLERANCES = (1e-9, 1e-7, 1e-5, 1e-3)


@dataclass
class Plateau:
    """A plateau of a run: steps ``start`` … ``end``, the step of least change
    ``center`` and the loss there."""
    start: int
    end: int
    center: int
    loss: float
    rate: float


def find_plateaus(steps, losses, lr, threshold=1e-3, min_fraction=0.01):
    """Plateaus of a loss curve (steps ascending, losses recorded there).

    Parameters
    ----------
    steps, losses : array_like
    lr : float
        The step size (t = lr·step).
    threshold : float
        Largest :math:`|d \\ln L/dt|` on a plateau.
    min_fraction : float
        Shortest plateau, as a fraction of the run.

    Returns
    -------
    list of Plateau

    Examples
    --------
    >>> t = np.arange(0, 3000)
    >>> L = 0.5 - 0.25 / (1 + np.exp(-(t - 1500) / 20.0))       # one drop
    >>> [(p.start < 1400, p.end > 1600, round(p.loss, 3)) for p in find_plateaus(t, L, 0.1)]
    [(True, False, 0.5), (False, True, 0.25)]
    """
    s = np.asarray(steps, dtype=float)
    L = np.asarray(losses, dtype=float)
    if len(s) < 5:
        return []
    t = s * float(lr)
    logL = np.log(np.maximum(L, 1e-300))
    w = max(1, len(s) // 400)                    # smooth over a few points
    lo = np.r_[np.zeros(w, dtype=int), np.arange(len(s) - w)]
    hi = np.r_[np.arange(w, len(s)), np.full(w, len(s) - 1)]
    rate = np.abs(logL[hi] - logL[lo]) / np.maximum(t[hi] - t[lo], 1e-300)
    quiet = rate < threshold
    out = []
    i = 0
    total = t[-1] - t[0]
    while i < len(s):
        if not quiet[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(s) and quiet[j + 1]:
            j += 1
        if t[j] - t[i] >= min_fraction * total:
            k = i + int(np.argmin(rate[i:j + 1]))
            out.append(Plateau(int(s[i]), int(s[j]), int(s[k]), float(L[k]), float(rate[k])))
        i = j + 1
    return out


@dataclass
class Snap:
    """The exact stationary point a plateau approaches (:func:`snap_point`).

    ``net`` is the snapped network (exact) or None (closed-form or numerical loss only);
    ``exact_loss`` a Fraction, a sympy expression or None; ``method`` ``"rational"``,
    ``"closed form"`` or ``"numerical"``; ``loss_gap`` ``|exact − run's loss|``."""
    net: object
    exact_loss: object
    method: str
    kink_tol: float
    patterns: list
    consistent: bool
    loss_gap: float
    float_loss: float
    notes: list = field(default_factory=list)

    def loss_text(self):
        """The exact loss as text (``p/q`` or the closed form), or None."""
        if self.exact_loss is None:
            return None
        if isinstance(self.exact_loss, Fraction):
            q = self.exact_loss
            return str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"
        return str(self.exact_loss)


def _rat(x, den=10 ** 6):
    return Fraction(float(x)).limit_denominator(den)


def snap_point(W, H, data, activation=RELU, amp_tol=1e-3, kink_tols=KINK_TOLERANCES,
               target=None):
    """Snap a float point (a plateau of a run) to the exact stationary point of its
    activation pattern and name its loss exactly.

    Parameters
    ----------
    W, H : numpy.ndarray
        The run's weights at the plateau.
    data : Dataset
    activation : Activation
    amp_tol : float
        Grown neurons have ``|w_i| |h_i| > amp_tol · max_j |w_j| |h_j|``.
    kink_tols : sequence of float
        Kink tolerances κ tried; the consistent snap nearest the run's loss wins.
    target : float, optional
        The run's loss to match (default: the loss at W, H).

    Returns
    -------
    Snap
    """
    W = np.asarray(W, dtype=float)
    H = np.asarray(H, dtype=float)
    run_loss = float(loss(Network(W, H, activation), data)) if target is None else target
    best = None
    for at in sorted({amp_tol, 10 * amp_tol, 100 * amp_tol}):
        for kt in kink_tols:
            s = _snap_once(W, H, data, activation, at, kt, run_loss)
            key = (not s.consistent, s.loss_gap if s.exact_loss is not None else np.inf)
            if best is None or key < best[0]:
                best = (key, s)
    s = best[1]
    if not s.consistent and s.exact_loss is not None:
        s.notes.append(f"no consistent exact point (nearest candidate loss {s.exact_loss}, "
                       "which leaves its activation pattern): not a stationary point of "
                       "one pattern, the loss stays numerical")
        s.exact_loss, s.method, s.loss_gap = None, "numerical", np.inf
    return s


def _snap_once(W, H, data, act, amp_tol, kt, run_loss):
    m, d = W.shape
    k = H.shape[1]
    a, b = act.a, act.b
    Xf = data.Xf
    amp = np.linalg.norm(W, axis=1) * np.linalg.norm(H, axis=1)
    floor = np.sqrt((data.Yf ** 2).mean()) / max(np.sqrt((Xf ** 2).sum(1).mean()), 1e-300)
    grown = amp > amp_tol * max(amp.max(), floor)
    Wn = np.maximum(np.linalg.norm(W, axis=1), 1e-300)
    Zr = (Xf @ W.T) / (np.linalg.norm(Xf, axis=1)[:, None] * Wn[None])     # N × m
    Wq = np.empty((m, d), dtype=object)
    Hq = np.empty((m, k), dtype=object)
    Wq[:] = Fraction(0)
    Hq[:] = Fraction(0)

    def pattern(i):
        return tuple(0 if abs(z) <= kt else (1 if z > 0 else -1) for z in Zr[:, i])
    groups = {}
    for i in np.flatnonzero(grown):
        groups.setdefault(pattern(i), []).append(int(i))
    for i in np.flatnonzero(~grown):
        if b == 0 and (Zr[:, i] < -kt).all():     # a dead ReLU neuron stays as it is
            Wq[i] = [Fraction(float(v)) for v in W[i]]
            Hq[i] = [Fraction(float(v)) for v in H[i]]
        elif amp[i] > 0 and pattern(i) in groups:  # a small member of a grown pattern
            groups[pattern(i)].append(int(i))
        # any other small neuron is the zero neuron (the vanishing-initialisation limit)
    X = [list(r) for r in data.X]
    patterns, blocks, rank1 = [], [], []
    for key, members in groups.items():
        K = [X[n] for n in range(data.N) if key[n] == 0]
        B = Q.nullspace(K, d) if K else [[Fraction(int(i == j)) for j in range(d)]
                                           for i in range(d)]
        big = [i for i in members if grown[i]]
        svals = np.linalg.svd(W[big] / Wn[big, None] * amp[big, None], compute_uv=False)
        span = int((svals > 1e-3 * svals[0]).sum())
        info = {"members": members, "pattern": key, "dim": len(B), "span": span}
        patterns.append(info)
        if not B:
            return Snap(None, None, "numerical", kt, patterns, False, np.inf, run_loss,
                        ["a pattern whose kinks span the input space"])
        s = [a if v > 0 else (b if v < 0 else Fraction(0)) for v in key]
        cols = [[s[n] * Q.dot(X[n], bv) for bv in B] for n in range(data.N)]
        crank = np.linalg.matrix_rank(np.array(cols, dtype=float), tol=1e-9)
        if k == 1 or span >= min(len(B), crank):
            blocks.append((info, B, cols))
        else:
            rank1.append((info, B, cols))
    Y = [list(r) for r in data.Y]
    # the linear patterns: exact least squares, nearest to the run's values
    A = [sum((blk[2][n] for blk in blocks), []) for n in range(data.N)]
    ncol = sum(len(blk[1]) for blk in blocks)
    near = []
    for info, B, _ in blocks:
        M = sum(np.outer(H[i], W[i]) for i in info["members"])           # k × d
        Bf = np.array(B, dtype=float).T                                    # d × kp
        V = M @ Bf @ np.linalg.inv(Bf.T @ Bf)                               # k × kp
        near.append(V)
    theta = []
    for o in range(k):
        p0 = [_rat(v) for V in near for v in V[o]] if ncol else []
        theta.append(Q.least_squares(A, [Y[n][o] for n in range(data.N)], p0) if ncol
                     else [])
    E = [[Y[n][o] - (Q.dot(A[n], theta[o]) if ncol else 0) for o in range(k)]
         for n in range(data.N)]
    E2 = sum((e * e for r in E for e in r), Fraction(0))
    scale = data.N * k
    if rank1:
        return _rank_one(rank1, E, E2, scale, A, ncol, data, kt, patterns, run_loss)
    exact = E2 / scale
    # distribute M_p over the members, kinks exact
    pos = 0
    consistent = True
    notes = []
    for info, B, _ in blocks:
        kp = len(B)
        V = [[theta[o][pos + j] for j in range(kp)] for o in range(k)]
        pos += kp
        M = [[sum((V[o][j] * B[j][c] for j in range(kp)), Fraction(0)) for c in range(d)]
             for o in range(k)]
        ok = _distribute(info["members"], M, B, W, H, Wq, Hq)
        consistent &= ok
        if not ok:
            notes.append(f"pattern of neurons {info['members']}: could not distribute")
    net = Network(Wq, Hq, act, True)
    if consistent:
        Z = data.object_arrays()[0] @ Wq.T
        for info in patterns:
            for i in info["members"]:
                for n, v in enumerate(info["pattern"]):
                    z = Z[n, i]
                    if (v == 0 and z != 0) or (v > 0 and z <= 0) or (v < 0 and z >= 0):
                        consistent = False
        if not consistent:
            notes.append("the least-squares solution leaves the activation pattern")
        elif loss(net, data) != exact:
            consistent = False
            notes.append("the snapped network's loss differs from the least squares")
    return Snap(net if consistent else None, exact, "rational", kt, patterns, consistent,
                abs(float(exact) - run_loss), run_loss, notes)


def _distribute(members, M, B, W, H, Wq, Hq):
    """Members' weights, rational, with Σ h_i w_iᵀ = M exactly and w_i in span(B)."""
    d = W.shape[1]
    k = H.shape[1]
    P = _projector(B, d)
    for i in members:
        w = [_rat(v) for v in W[i]]
        Wq[i] = [Q.dot(P[r], w) for r in range(d)]
        Hq[i] = [_rat(v) for v in H[i]]
    cur = [[sum((Hq[i][o] * Wq[i][c] for i in members), Fraction(0)) for c in range(d)]
           for o in range(k)]
    dM = [[M[o][c] - cur[o][c] for c in range(d)] for o in range(k)]
    Hm = [list(Hq[i]) for i in members]                  # n_p × k
    if Q.rank(Hm, k) == k:                               # adjust the w's: Hmᵀ δW = dM
        for c in range(d):
            col = Q.min_norm_solution(Q.transpose(Hm), [dM[o][c] for o in range(k)])
            for r, i in enumerate(members):
                Wq[i][c] += col[r]
        return True
    Wm = [list(Wq[i]) for i in members]                  # adjust the h's: Wmᵀ δH = dMᵀ
    try:
        for o in range(k):
            col = Q.min_norm_solution(Q.transpose(Wm), dM[o])
            for r, i in enumerate(members):
                Hq[i][o] += col[r]
    except Exception:                                    # noqa: BLE001 - inconsistent system
        return False
    return True


def _projector(B, d):
    """The orthogonal projector onto span(B), exactly (d × d)."""
    G = [[Q.dot(u, v) for v in B] for u in B]
    cols = []
    for c in range(d):
        e = [Fraction(int(j == c)) for j in range(d)]
        coef = Q.min_norm_solution(G, [Q.dot(u, e) for u in B])
        cols.append([sum((coef[j] * B[j][r] for j in range(len(B))), Fraction(0))
                     for r in range(d)])
    return Q.transpose(cols)


def _rank_one(rank1, E, E2, scale, A, ncol, data, kt, patterns, run_loss):
    if len(rank1) > 1:
        return Snap(None, None, "numerical", kt, patterns, True, np.inf, run_loss,
                    ["several rank-one patterns: no closed form"])
    import sympy
    info, B, cols = rank1[0]
    k = len(E[0])
    # C = the rank-one pattern's columns with the linear patterns' span removed
    C = [[cols[n][j] for n in range(data.N)] for j in range(len(B))]
    if ncol:
        Cp = []
        for col in C:
            th = Q.least_squares(A, col)
            Cp.append([col[n] - Q.dot(A[n], th) for n in range(data.N)])
        C = Cp
    Ct = Q.transpose(C)                                   # N × kp
    Ec = []
    for o in range(k):
        e = [E[n][o] for n in range(data.N)]
        th = Q.least_squares(Ct, e)
        Ec.append([Q.dot(Ct[n], th) for n in range(data.N)])
    G = sympy.Matrix(k, k, lambda i, j: sympy.Rational(Q.dot(Ec[i], Ec[j])))
    lam = max(G.eigenvals(), key=lambda z: float(sympy.N(z, 30)))
    val = sympy.radsimp((sympy.Rational(E2) - lam) / scale)
    f = float(sympy.N(val, 30))
    return Snap(None, val, "closed form", kt, patterns, True, abs(f - run_loss), run_loss,
                ["one pattern of one free direction: rank-one least squares"])
