r"""Directional (d-)stationarity and Clarke stationarity of a ReLU-like network on finite
data: the per-neuron cones, one linear program per cone (numerical mode), and the exact
rational decision (exact mode).

The one-sided directional derivative separates over neurons and over input and output
weights (:mod:`.network`):
:math:`L'(\theta;\delta) = \sum_i \delta h_i \cdot d(w_i) + \sum_i \varphi_i(\delta w_i)`
with :math:`\varphi_i(u) = h_i \cdot D_i(u)`.  Hence θ is **d-stationary**
(:math:`L'(\theta;\delta) \ge 0` for every δ) if and only if, for every neuron,

1. :math:`d(w_i) = 0`, and
2. :math:`\varphi_i(u) \ge 0` for every :math:`u \in \mathbb{R}^d`.

With :math:`K_i` the kink set of neuron i (data with :math:`w_i\cdot x_n = 0`),
:math:`e_n = 2c\, h_i\cdot r_n` and :math:`s_n \in \{a, b\}` the slope on the other data,

.. math::

    \varphi_i(u) = v_i \cdot u + \sum_{n \in K_i} \alpha_n \max(x_n\cdot u, 0), \qquad
    v_i = 2c\sum_{n\notin K_i} s_n (h_i\cdot r_n)\, x_n + b \sum_{n\in K_i} e_n x_n,
    \quad \alpha_n = (a-b)\, e_n ,

positively homogeneous and linear on each cone
:math:`C_\sigma = \{u : \sigma_n\, x_n\cdot u \ge 0,\ n \in K_i\}` of the central hyperplane
arrangement that :math:`K_i` cuts out, where it equals :math:`g_\sigma\cdot u` with
:math:`g_\sigma = v_i + \sum_{\sigma_n = +} \alpha_n x_n`.  Condition 2 is a finite check:

* **numerical mode** — the full-dimensional cones are enumerated by adding the hyperplanes
  one at a time (a cone survives a split when the LP "maximise s with
  :math:`\sigma_j x_j\cdot u \ge s`" has s > 0), then one linear program per cone,
  :math:`\min g_\sigma\cdot u` over :math:`C_\sigma \cap [-1,1]^d` (scipy's ``linprog``,
  HiGHS), must not go below −tol;
* **exact mode** — with V the span of the kink inputs, :math:`\varphi_i \ge 0` if and only
  if :math:`v_i \perp V^\perp` (the lineality space, where :math:`\varphi_i` is linear) and
  :math:`\varphi_i(e) \ge 0` on every extreme ray e of the arrangement inside V: each
  cone in V is pointed and spanned by its extreme rays, which are the lines cut out by
  dim V − 1 independent kink hyperplanes.  Rays are computed in rational arithmetic and the
  signs are exact: a point on a kink is decided without tolerances.

**Clarke stationarity** asks :math:`0 \in \partial_C L(\theta)`.  For a piecewise-smooth
function the Clarke subdifferential is the convex hull of the gradients of the
essentially active pieces; here these are the full-dimensional cones of every neuron,
whose w-gradient is :math:`g_\sigma`.  So θ is Clarke stationary iff
:math:`d(w_i) = 0` and :math:`0 \in \mathrm{conv}\{g_\sigma\}` for every neuron (an LP;
in the exact mode sympy's rational simplex).  d-stationary implies Clarke stationary;
the converse fails (see :func:`clarke_not_d_example`).

Reference: Wu, Şimşek, Ged, "Loss landscape of shallow ReLU-like neural networks:
stationary points, saddle escape, and network embedding", ICLR 2025, arXiv:2402.05626
(Section 3: stationarity conditions).

>>> from symcrit.finite import load_data, Network
>>> net, ds = clarke_not_d_example()
>>> res = stationarity(net, ds)
>>> res.d_stationary, res.clarke_stationary, res.certainty
(False, True, 'exact')
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from itertools import combinations

import numpy as np
from scipy.optimize import linprog

from ..core import InputError
from . import rational as Q
from .network import Network, residual

__all__ = ["NeuronLocal", "neuron_locals", "probe_neuron", "arrangement_cells", "arrangement_rays",
           "lp_cone_test", "exact_cone_test", "clarke_test", "NeuronStationarity",
           "Stationarity", "stationarity", "clarke_not_d_example", "MAX_KINKS"]

#: the most kink points one neuron may have (the cones are enumerated)
MAX_KINKS = 24
#: the most cones (or rays) enumerated for one neuron
MAX_CELLS = 20000
#: the most neuron-datum pairs decided in rational arithmetic
MAX_EXACT_PAIRS = 200000


@dataclass
class NeuronLocal:
    """The first-order data of neuron i at θ: its partition of the data and the pieces of
    :math:`D_i` and :math:`\\varphi_i` (numbers float64 or Fraction)."""
    index: int
    w: np.ndarray
    h: np.ndarray
    active: tuple
    inactive: tuple
    kinks: tuple
    d_w: np.ndarray          # ∂L/∂h_i = d(w_i)
    L: np.ndarray            # d_out × d: the linear part of D_i
    kink_x: np.ndarray       # |K| × d
    kink_r: np.ndarray       # |K| × d_out: 2c r_n on the kinks
    a: object
    b: object
    exact: bool

    def D(self, u):
        """:math:`D_i(u)` (a d_out vector)."""
        u = np.asarray(u, dtype=object if self.exact else float)
        t = self.kink_x @ u if len(self.kinks) else np.zeros(0)
        rho = np.where(t > 0, self.a * t, self.b * t)
        out = self.L @ u
        if len(self.kinks):
            out = out + rho @ self.kink_r
        return out

    def phi(self, u):
        """:math:`\\varphi_i(u) = h_i\\cdot D_i(u)`."""
        return self.h @ self.D(u)

    def coefficients(self):
        """(v, α): :math:`\\varphi_i(u) = v\\cdot u + \\sum_K α_n \\max(x_n\\cdot u, 0)`."""
        v = self.h @ self.L
        if not len(self.kinks):
            return v, self.kink_x[:, 0] * 0
        e = self.kink_r @ self.h
        v = v + self.b * (e @ self.kink_x)
        return v, (self.a - self.b) * e

    def cone_gradient(self, sigma):
        """:math:`g_\\sigma`, the gradient of :math:`\\varphi_i` on the cone σ (a tuple of
        ±1 over the kinks); it is also the w-gradient of the smooth piece σ of L."""
        v, alpha = self.coefficients()
        for s, al, x in zip(sigma, alpha, self.kink_x):
            if s > 0:
                v = v + al * x
        return v


def neuron_locals(net, data, kink_tol=1e-9, R=None):
    """The :class:`NeuronLocal` of every neuron (one pass over the data).

    Parameters
    ----------
    kink_tol : float
        Numerical mode: ``|w_i·x_n| ≤ kink_tol·|w_i| |x_n|`` counts as a kink.
        The exact mode uses ``w·x == 0``.
    R : array, optional
        The residuals to use (default: the network's own); :func:`probe_neuron` passes
        another network's.
    """
    net.check_data(data)
    exact = net.exact
    X = data.object_arrays()[0] if exact else data.Xf
    R = residual(net, data) if R is None else R
    a, b = net.activation.slopes(exact)
    c2 = Fraction(2, data.N * data.d_out) if exact else 2.0 / (data.N * data.d_out)
    Z = X @ net.W.T                                    # N × m
    if exact:
        kink = Z == 0
    else:
        scale = np.linalg.norm(data.Xf, axis=1)[:, None] * np.linalg.norm(net.W, axis=1)
        kink = np.abs(Z) <= kink_tol * scale
    pos = (Z > 0) & ~kink
    S = np.where(pos, a, b)
    S = np.where(kink, 0 if not exact else Fraction(0), S)
    rho = np.where(Z > 0, a * Z, b * Z)
    DW = c2 * (rho.T @ R)                              # m × d_out: d(w_i)
    out = []
    for i in range(net.m):
        K = np.flatnonzero(kink[:, i])
        Sr = (S[:, i][:, None] * R) * c2               # N × d_out
        Li = Sr.T @ X                                  # d_out × d
        out.append(NeuronLocal(
            index=i, w=net.W[i], h=net.H[i],
            active=tuple(int(n) for n in np.flatnonzero(pos[:, i])),
            inactive=tuple(int(n) for n in np.flatnonzero(~pos[:, i] & ~kink[:, i])),
            kinks=tuple(int(n) for n in K), d_w=DW[i], L=Li,
            kink_x=X[K], kink_r=c2 * R[K], a=a, b=b, exact=exact))
    return out


def probe_neuron(net, data, w, h, kink_tol=1e-9):
    """The :class:`NeuronLocal` of a neuron (w, h) that is *not* in the network, at the
    network's residuals: what that neuron would see if it were added without changing the
    function (it contributes nothing when h = 0 or w = 0)."""
    R = residual(net, data)
    probe = Network.from_arrays([list(w)], [list(h)], net.activation, net.exact)
    return neuron_locals(probe, data, kink_tol, R=R)[0]


# --------------------------------------------------------------------------------------
# the cone arrangement of a kink set


def arrangement_cells(rows, with_points=False):
    """The full-dimensional cones of the central arrangement {x·u = 0 : x in rows}, as sign
    vectors (tuples of ±1), numerically.

    Hyperplanes are added one at a time.  Each cone keeps a point of its interior: the side
    of a new hyperplane that point lies on is open for free, and the other side is open
    when the LP "maximise s subject to σ_j x_j·u ≥ s, ``|u|∞ ≤ 1``" has s > 0 (its solution
    is then the new cone's interior point).  Parallel rows are one hyperplane.

    >>> sorted(arrangement_cells(np.array([[1.0, 0.0], [0.0, 1.0]])))
    [(-1, -1), (-1, 1), (1, -1), (1, 1)]
    """
    rows = np.asarray(rows, dtype=float)
    if len(rows) > MAX_KINKS:
        raise InputError(f"{len(rows)} kink points on one neuron (at most {MAX_KINKS})")
    d = rows.shape[1] if rows.ndim == 2 else 0
    rows = rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-300)
    uniq, link = [], []                    # link[j] = (index in uniq, sign)
    for x in rows:
        for k, y in enumerate(uniq):
            c = float(x @ y)
            if abs(abs(c) - 1) < 1e-12:
                link.append((k, 1 if c > 0 else -1))
                break
        else:
            link.append((len(uniq), 1))
            uniq.append(x)
    U = np.array(uniq).reshape(-1, d)
    rng = np.random.default_rng(0)
    cells = [((), rng.standard_normal(d))]
    for j in range(len(U)):
        new = []
        for sig, p in cells:
            t = float(U[j] @ p)
            for s in (1, -1):
                cand = sig + (s,)
                if t * s > 1e-12 * np.abs(p).max():
                    new.append((cand, p))
                else:
                    q = _open_cone(U[:j + 1], cand, d)
                    if q is not None:
                        new.append((cand, q))
        cells = new
        if len(cells) > MAX_CELLS:
            raise InputError(f"more than {MAX_CELLS} cones for one neuron")
    out = [(tuple(sig[k] * s for k, s in link), p) for sig, p in cells]
    return out if with_points else [c for c, _ in out]


def _open_cone(rows, sigma, d):
    """An interior point of the open cone σ, or None (maximise s: σ_j x_j·u ≥ s)."""
    A = np.hstack([-np.asarray(sigma, float)[:, None] * rows, np.ones((len(rows), 1))])
    res = linprog(np.r_[np.zeros(d), -1.0], A_ub=A, b_ub=np.zeros(len(rows)),
                  bounds=[(-1, 1)] * d + [(None, 1)], method="highs")
    if res.status == 0 and -res.fun > 1e-9:
        return res.x[:d]
    return None


def _float_nullspace(A, d, tol=1e-10):
    A = np.asarray(A, dtype=float).reshape(-1, d)
    if A.shape[0] == 0:
        return np.eye(d)
    _, s, vt = np.linalg.svd(A)
    r = int((s > tol * max(1.0, s[0] if len(s) else 0)).sum())
    return vt[r:]


def arrangement_rays(rows, d, exact=True):
    """The extreme rays of the arrangement {x·u = 0 : x in rows} inside V = span(rows),
    and a basis of the lineality space V^⊥.

    Each ray spans the line V ∩ x_J^⊥ for dim V − 1 independent rows J; both signs are
    returned.  Exact (rational) or numerical (SVD).

    Returns
    -------
    rays : list of vectors
    lineality : list of vectors (a basis of V^⊥)

    >>> rays, lin = arrangement_rays([[1, 1, 0]], 3)
    >>> rays, len(lin)
    ([[Fraction(1, 1), Fraction(1, 1), Fraction(0, 1)], [Fraction(-1, 1), Fraction(-1, 1), Fraction(0, 1)]], 2)
    """
    if exact:
        rows = Q.fraction_matrix(rows)
        lin = Q.nullspace(rows, d)
        k = d - len(lin)
    else:
        rows = np.asarray(rows, dtype=float).reshape(-1, d)
        lin = list(_float_nullspace(rows, d))
        k = d - len(lin)
    if k == 0:
        return [], lin
    from math import comb
    if comb(len(rows), k - 1) > MAX_CELLS:
        raise InputError(f"too many rays to enumerate ({len(rows)} kink points in "
                         f"dimension {k}; at most {MAX_CELLS})")
    rays, seen = [], set()
    for J in combinations(range(len(rows)), k - 1):
        sub = [rows[j] for j in J]
        if exact:
            if sub and Q.rank(sub, d) < k - 1:
                continue
            ns = Q.nullspace(sub + lin, d)
            if len(ns) != 1:
                continue
            u = ns[0]
            m = max(abs(x) for x in u)
            u = [x / m for x in u]
            key = tuple(u)
        else:
            if sub and np.linalg.matrix_rank(np.array(sub), tol=1e-10) < k - 1:
                continue
            ns = _float_nullspace(np.array(sub + lin).reshape(-1, d), d)
            if len(ns) != 1:
                continue
            u = ns[0] / np.abs(ns[0]).max()
            key = tuple(np.round(u, 9))
        for sgn in (1, -1):
            kk = tuple(sgn * x for x in key)
            if kk not in seen:
                seen.add(kk)
                rays.append([sgn * x for x in u] if exact else sgn * u)
    return rays, lin


# --------------------------------------------------------------------------------------
# the tests of one neuron


def lp_cone_test(loc, tol=1e-9, first=False):
    """Condition 2 by one LP per cone: (holds, worst value, a direction attaining it).

    The worst value is :math:`\\min \\varphi_i` over the box :math:`[-1,1]^d` (with
    ``first``, the first negative one found: enough to decide).
    """
    v, alpha = (np.asarray(x, dtype=float) for x in loc.coefficients())
    d = len(v)
    Xk = np.asarray(loc.kink_x, dtype=float).reshape(-1, d)
    if not len(loc.kinks) or np.abs(alpha).max(initial=0) <= tol * 1e-3:
        worst = -np.abs(v).sum()
        u = -np.sign(v)
        return bool(worst >= -tol), float(worst), u
    if first:       # a cheap witness decides most failures without an LP
        cands = np.vstack([np.eye(d), -np.eye(d), Xk, -Xk, -v[None]])
        cands = cands / np.maximum(np.abs(cands).max(axis=1, keepdims=True), 1e-300)
        vals = cands @ v + np.maximum(cands @ Xk.T, 0) @ alpha
        k = int(np.argmin(vals))
        if vals[k] < -tol:
            return False, float(vals[k]), cands[k]
    best, arg = 0.0, np.zeros(d)
    for sig in arrangement_cells(Xk):
        g = v + sum((al * x for s, al, x in zip(sig, alpha, Xk) if s > 0), np.zeros(d))
        A = -np.asarray(sig, float)[:, None] * Xk
        res = linprog(g, A_ub=A, b_ub=np.zeros(len(sig)), bounds=[(-1, 1)] * d,
                      method="highs")
        if res.status == 0 and res.fun < best:
            best, arg = float(res.fun), res.x
            if first and best < -tol:
                break
    return bool(best >= -tol), best, arg


def exact_cone_test(loc):
    """Condition 2 decided exactly (extreme rays; no tolerance): (holds, worst ray value,
    a direction with φ < 0 or None).  The worst value is min φ over the rays (rays
    normalised to max-norm 1) and over ± the lineality basis."""
    v, _ = loc.coefficients()
    d = len(v)
    rays, lin = arrangement_rays([list(x) for x in loc.kink_x], d, exact=True)
    worst, arg = Fraction(0), None
    for u in lin:
        t = Q.dot(v, u)
        if t != 0:
            cand = [-x for x in u] if t > 0 else list(u)
            val = -abs(t)
            if val < worst:
                worst, arg = val, cand
    for e in rays:
        val = loc.phi(e)
        if val < worst:
            worst, arg = val, list(e)
    return worst >= 0, worst, arg


def clarke_test(loc, exact, tol=1e-9):
    """0 ∈ conv{g_σ : σ a full-dimensional cone} (the w-part of Clarke stationarity)."""
    d = len(loc.w)
    if not len(loc.kinks):
        v, _ = loc.coefficients()
        return all(x == 0 for x in v) if exact else bool(np.abs(np.asarray(v, float)).max()
                                                          <= tol)
    if exact:
        cells = _exact_cells([list(x) for x in loc.kink_x], d)
        G = [loc.cone_gradient(s) for s in cells]
        return _exact_in_hull(G, d)
    cells = arrangement_cells(np.asarray(loc.kink_x, float))
    G = np.array([np.asarray(loc.cone_gradient(s), float) for s in cells])
    n = len(G)
    # minimise sum t subject to -t <= G^T lam <= t, sum lam = 1, lam >= 0
    c = np.r_[np.zeros(n), np.ones(d)]
    A = np.block([[G.T, -np.eye(d)], [-G.T, -np.eye(d)]])
    res = linprog(c, A_ub=A, b_ub=np.zeros(2 * d), A_eq=np.r_[np.ones(n), np.zeros(d)][None],
                  b_eq=[1.0], bounds=[(0, None)] * (n + d), method="highs")
    return bool(res.status == 0 and res.fun <= tol)


def _exact_cells(rows, d):
    from sympy import Matrix, Rational
    from sympy.solvers.simplex import InfeasibleLPError, linprog as slp
    if len(rows) > MAX_KINKS:
        raise InputError(f"{len(rows)} kink points on one neuron (at most {MAX_KINKS})")

    def feasible(sig):
        # sigma_j x_j·u >= 1 with u = p - q, p, q >= 0 (sympy's free bounds are unreliable)
        A = Matrix([[Rational(-s * x.numerator, x.denominator) for x in rows[j]]
                    for j, s in enumerate(sig)])
        try:
            slp(Matrix([0] * (2 * d)), A.row_join(-A), Matrix([-1] * len(sig)))
            return True
        except InfeasibleLPError:
            return False
    cells = [()]
    for _ in rows:
        cells = [s + (t,) for s in cells for t in (1, -1) if feasible(s + (t,))]
    return cells


def _exact_in_hull(G, d):
    from sympy import Matrix, Rational
    from sympy.solvers.simplex import InfeasibleLPError, linprog as slp
    n = len(G)
    R = [[Rational(g[j].numerator, g[j].denominator) for g in G] for j in range(d)]
    Aeq = Matrix(R + [[1] * n])
    beq = Matrix([0] * d + [1])
    try:
        slp(Matrix([0] * n), Matrix([[-1] * n]), Matrix([-1]), Aeq, beq)
        return True
    except InfeasibleLPError:
        return False


# --------------------------------------------------------------------------------------
# the test of a point


@dataclass
class NeuronStationarity:
    """One neuron's stationarity: ``output_ok`` (d(w_i) = 0), ``cone_ok``
    (φ_i ≥ 0), ``clarke_ok``, ``worst`` (min of φ_i over the box or the rays) and a
    direction that attains it (a descent direction when ``cone_ok`` fails)."""
    index: int
    kinks: tuple
    output_ok: bool
    cone_ok: bool
    clarke_ok: bool
    worst: object
    direction: object = None


@dataclass
class Stationarity:
    """The result of :func:`stationarity`."""
    d_stationary: bool
    clarke_stationary: bool
    neurons: list
    certainty: str
    locals: list = field(default_factory=list, repr=False)


def stationarity(net, data, exact=None, tol=1e-9, kink_tol=1e-9, clarke=True):
    """Decide d-stationarity (and Clarke stationarity) of the network on the data.

    Parameters
    ----------
    net : Network
    data : Dataset
    exact : bool, optional
        Decide exactly (rational arithmetic, no tolerance); default ``net.exact``.  A float
        network is converted exactly (each float is a rational).
    tol : float
        Numerical mode: ``|d(w_i)| ≤ tol`` and min φ_i ≥ −tol over the unit box count as 0.
    kink_tol : float
        Numerical mode: the relative tolerance of the kink sets.
    clarke : bool
        Also decide Clarke stationarity (else ``clarke_stationary`` is None).

    Returns
    -------
    Stationarity
        ``certainty`` is ``"exact"`` or ``"numerical"``.

    Examples
    --------
    The zero network is d-stationary (every neuron is on all its kinks, h = 0):

    >>> from symcrit.finite import load_data
    >>> ds = load_data("wsg-1d")
    >>> stationarity(Network.from_arrays([[0, 0]], [[0]], exact=True), ds).d_stationary
    True
    """
    exact = net.exact if exact is None else bool(exact)
    if exact and net.m * data.N > MAX_EXACT_PAIRS:
        raise InputError(f"the exact mode handles at most {MAX_EXACT_PAIRS} neuron-datum "
                         f"pairs, got {net.m} × {data.N}")
    if exact and not net.exact:
        net = net.to_exact()
    if not exact and net.exact:
        net = net.to_float()
    locs = neuron_locals(net, data, kink_tol)
    out = []
    for loc in locs:
        if exact:
            out_ok = all(x == 0 for x in loc.d_w)
            ok, worst, u = exact_cone_test(loc)
        else:
            out_ok = bool(np.abs(loc.d_w).max() <= tol)
            ok, worst, u = lp_cone_test(loc, tol, first=True)
        cl = (out_ok and clarke_test(loc, exact, tol)) if clarke else None
        out.append(NeuronStationarity(loc.index, loc.kinks, out_ok, bool(ok), cl, worst, u))
    d_st = all(n.output_ok and n.cone_ok for n in out)
    cl_st = all(n.clarke_ok for n in out) if clarke else None
    return Stationarity(d_st, cl_st, out, "exact" if exact else "numerical", locs)


def clarke_not_d_example():
    """A point that is Clarke stationary but not d-stationary (exact).

    One ReLU neuron w = (1, −1), h = 1, on the data x₁ = (1, 1) with y₁ = 1 (on the
    kink) and x₂ = (1, 0) with y₂ = 1 (active).  The residuals are r = (−1, 0): the
    active datum is fitted, and the kink datum wants f larger.  Then
    φ(u) = −max(u₁ + u₂, 0)·(2/2) < 0 for u = (1, 1): a descent direction
    (:math:`L'(\\theta;\\delta) = -2` along δw = (1, 1)), so θ is not d-stationary; yet the
    two cone gradients are 0 (cone x₁·u < 0) and −(1, 1) (cone x₁·u > 0), and
    0 = 1·0 + 0·(−(1, 1)) lies in their hull, so θ is Clarke stationary.

    Returns
    -------
    (Network, Dataset)
    """
    from .data import Dataset
    ds = Dataset.from_arrays([[1, 1], [1, 0]], [[1], [1]], name="clarke-not-d")
    net = Network.from_arrays([[1, -1]], [[1]], exact=True)
    return net, ds
