r"""The zero-neuron embedding: the one-sided directional derivative of the loss at
:math:`[W;\,0]` and its minimum over the unit sphere.

For a critical point W of the k-neuron network and a new row :math:`t u`, t ≥ 0, positive
homogeneity of the arc-cosine kernel gives exactly

.. math::

    L([W;\,t u]) = L(W) + t\,g(u) + \tfrac{t^2}{4}|u|^2,\qquad
    g(u) = \sum_i K(w_i, u) - \sum_j K(v_j, u),

so g is the one-sided directional derivative at the zero neuron (Arjevani & Field 2022,
"Annihilation of spurious minima in two-layer ReLU networks", NeurIPS, arXiv:2210.06088;
the zero neuron is also the end λ → 0 of every split line).  g is positively homogeneous of
degree 1 and :math:`g(w_i) = \nabla_{w_i}L\cdot w_i = 0` at a critical point, so
:math:`\min_{|u|=1} g \le 0`; a negative minimum is a first-order descent direction out of
the zero-neuron embedding.

**Cost independent of k.**  g is invariant under the column action of the isotropy H of
W, so it is minimised on the fixed spaces of the subgroups that set apart p = 0, 1, 2 points
of the big Δ-block (and, optionally, every point of the small ones): the row u is then one
value per column block, and :math:`g(u) = L_G([W;\,u]) - L(W) - \tfrac14\sum_c m_c u_c^2`
with :math:`L_G` the restricted loss of the wide group G (:func:`~.blocks.transfer`).
Each minimum is polished on the sphere :math:`\sum_c m_c u_c^2 = 1` by Newton's method on
the Lagrange system (at the minimum the multiplier equals g, by Euler's relation).

>>> z = zero_neuron("type-A", k=8, dps=20)
>>> float(z.min_directional_derivative) < 0, z.isotropy
(True, 'ΔS_{k-1}; n=k+1')
"""
from __future__ import annotations

from dataclasses import dataclass, field

import mpmath
import numpy as np

from ..core import (ConvergenceError, InputError, as_mpf, check_dps, dec, guard_digits,
                    is_integer, k_json, newton, workdps)
from ..model import Problem, canonical_teacher
from ..restricted import restricted_loss
from .blocks import transfer
from .embed import narrow_point

__all__ = ["ZeroNeuron", "zero_neuron", "directional_derivative", "zero_group",
           "brute_force_minimum"]


def _zero_builder(p_big, split_small):
    def build(lay, T):
        big = [i for i, (_, s) in enumerate(lay.delta) if not s.is_Integer]
        pts = []
        if big:
            pts = lay.rows_of("delta", big[0])[-p_big:] if p_big else []
        if split_small:
            pts += [x for i, (b, s) in enumerate(lay.delta) if s.is_Integer for x in b]
        for x in pts:
            lay.detach(x)
        new = lay.add_row()
        return {new: "free"}, {}
    return build


def zero_group(H, p_big=0, split_small=False):
    """The group of :math:`[W;\\,u]` with u constant on the column blocks of the subgroup of
    H that sets apart ``p_big`` points of the big Δ-block (and every point of the small
    ones), and the map (narrow ξ, u) → its parameters.

    >>> G, m = zero_group("ΔS_{k-1}", 1)
    >>> G.label, m.free
    ('ΔS_{k-2}; n=k+1', 3)
    """
    return transfer(H, _zero_builder(p_big, split_small), ("zero", p_big, split_small))


@dataclass
class ZeroNeuron:
    """The zero-neuron embedding of a critical point.

    ``min_directional_derivative`` is :math:`\\min_{|u|=1} g(u)`, attained at ``direction``
    (the row u: one value per column block of the group ``isotropy`` of :math:`[W;\\,u]`,
    with the block's columns); ``candidates`` lists the minimum found in each subspace;
    ``check_at_rows`` is max :math:`|g(\\hat w_i)|` (0 at a critical point); ``certainty``
    ``refined`` (Newton on the sphere, residual given) or ``numerical``."""
    narrow: object
    k: object
    min_directional_derivative: object
    direction: list
    isotropy: str
    candidates: list
    residual: object
    dps: int
    check_at_rows: object = None
    certainty: str = "refined"
    brute_force: dict = field(default_factory=dict)

    @property
    def descent(self):
        """Whether g < 0 somewhere (a first-order descent direction)."""
        return bool(self.min_directional_derivative < -mpmath.mpf(10) ** (-(self.dps // 2)))

    def to_json(self, digits=None):
        digits = digits or self.dps
        return {"family": self.narrow.family, "k": k_json(self.k), "n": _n(self),
                "embedding": "zero", "narrow_isotropy": self.narrow.isotropy,
                "isotropy": self.isotropy, "loss": dec(self.narrow.loss, digits),
                "min_directional_derivative": dec(self.min_directional_derivative, digits),
                "direction": [{"columns": c, "size": str(m), "value": dec(v, digits)}
                              for c, m, v in self.direction],
                "descent": self.descent, "residual": dec(self.residual, 3),
                "g_at_rows": None if self.check_at_rows is None else
                dec(self.check_at_rows, 3), "certainty": self.certainty,
                "subspaces": [{"isotropy": lab, "min": dec(v, 12)}
                              for lab, v in self.candidates]}


def _n(z):
    return int(z.k) + 1 if is_integer(z.k) else None


class _G:
    """g on one subspace: the restricted loss of G with the narrow parameters fixed."""

    def __init__(self, cp, p_big, split_small):
        self.G, self.map = zero_group(cp.isotropy, p_big, split_small)
        self.R = restricted_loss(self.G)
        self.free = [i for i, t in enumerate(self.map.terms) if t[0] == "free"]
        self.cp = cp

    def weights(self, k, system):
        w = self.R.weights(k, system=system)
        return [w[i] for i in self.free]

    def params(self, u, ns=None):
        """The parameters of Fix(G) at [W; u] (mpmath, or float without ``ns``)."""
        if ns is None:
            return [float(v) for v in self.map([float(x) for x in self.cp.xi], u=list(u))]
        return self.map(list(self.cp.xi), u=list(u), ns=ns)

    def value_float(self, U, kf):
        """g at the rows of U (float64, all at once)."""
        xi = np.array([self.params(u) for u in U])
        L = self.R.evaluate(xi, kf, order=0)
        w = np.array([float(x) for x in self.weights(kf, "float")])
        return L - float(self.cp.loss) - 0.25 * (U ** 2 * w).sum(axis=1)


def _candidates(cp, fast=False):
    """The subspaces searched: p = 0, 1, 2 points set apart from the big block, with and
    without the small blocks' points (``fast``: p = 0, 1 only)."""
    H = restricted_loss(cp.isotropy).H
    small = any(s.is_Integer for s in H.row_sizes[:H.n_delta])
    out = []
    for p in ((0, 1) if fast else (0, 1, 2)):
        for split_small in ((False, True) if small and not fast else (False,)):
            try:
                out.append(_G(cp, p, split_small))
            except InputError:
                continue
    return out


def _best_start(g, kf, starts, rng):
    """The smallest g over random starts and ± the coordinate directions, at once."""
    w = np.array([float(x) for x in g.weights(kf, "float")])
    m = len(w)
    X = np.concatenate([rng.normal(size=(starts, m)), np.eye(m), -np.eye(m)])
    X /= np.sqrt((w * X * X).sum(axis=1))[:, None]
    vals = g.value_float(X, kf)
    i = int(np.argmin(vals))
    return vals[i], X[i]


def _minimise_float(g, kf, starts, rng, runs=4):
    """The smallest g on the sphere of one subspace in float64: g at many starts at once,
    then BFGS with the analytic gradient from the best few."""
    from scipy.optimize import minimize        # (scipy loads slowly: on use)
    w = np.array([float(x) for x in g.weights(kf, "float")])
    m = len(w)
    free = np.array(g.free)

    def f(v):
        s = np.sqrt((w * v * v).sum())
        u = v / s
        L, grad = g.R.evaluate(g.params(u), kf, order=1)       # the scalar path
        gu = np.asarray(grad, float).reshape(-1)[free] - 0.5 * w * u
        val = float(L) - float(g.cp.loss) - 0.25 * float((w * u * u).sum())
        return val, (gu - (u @ gu) * w * u) / s
    best = (np.inf, None)
    X = np.concatenate([rng.normal(size=(starts, m)), np.eye(m), -np.eye(m)])
    vals = g.value_float(X / np.sqrt((w * X * X).sum(axis=1))[:, None], kf)
    for i in np.argsort(vals)[:runs]:
        res = minimize(f, X[i], jac=True, method="BFGS", options={"gtol": 1e-11})
        if res.fun < best[0]:
            best = (res.fun, res.x / np.sqrt((w * res.x * res.x).sum()))
    return best


def _polish(g, u0, k, dps):
    """Newton on the Lagrange system ∇g(u) = μ D u, uᵀDu = 1 (mpmath; at the minimum
    μ = g(u)); ∇g = ∇_u L_G - D u / 2."""
    n = len(u0)
    idx = g.free
    with workdps(dps + 10):
        D = g.weights(k, "mpmath")

        def evaluate(z):
            u, mu = z[:n], z[n]
            L, grad, H = g.R.evaluate(g.params(u, _MP), k, system="mpmath")
            F = [grad[idx[i]] - (mpmath.mpf(1) / 2 + mu) * D[i] * u[i] for i in range(n)]
            F.append((mpmath.fsum(D[i] * u[i] ** 2 for i in range(n)) - 1) / 2)
            J = mpmath.matrix(n + 1, n + 1)
            for i in range(n):
                for j in range(n):
                    J[i, j] = H[idx[i], idx[j]] - (mpmath.mpf(1) / 2 + mu) * D[i] * (i == j)
                J[i, n] = -D[i] * u[i]
                J[n, i] = D[i] * u[i]
            return F, J, L

        u = [mpmath.mpf(x) for x in u0]
        L = g.R.loss(g.params(u, _MP), k, system="mpmath")
        mu = L - g.cp.loss - mpmath.fsum(D[i] * u[i] ** 2 for i in range(n)) / 4
        res = newton(evaluate, u + [mu], mpmath.mpf(10) ** (-(dps + 3)), maxsteps=40)
        u = res.x[:n]
        val = res.info - g.cp.loss - mpmath.fsum(D[i] * u[i] ** 2 for i in range(n)) / 4
        return u, val, res.residual


class _MPNS:
    """mpmath conversion for the linear maps."""
    @staticmethod
    def convert(x):
        from fractions import Fraction
        if isinstance(x, Fraction):
            return mpmath.mpf(x.numerator) / x.denominator
        return mpmath.mpf(x) if not isinstance(x, mpmath.mpf) else x


_MP = _MPNS()


def directional_derivative(cp, u):
    r"""g(u) for a full vector u (length d) by the dense formula (independent of the
    restricted loss): :math:`L([W;u]) - L(W) - |u|^2/4` with the full-space loss (float).

    >>> from symcrit.critical import get_family
    >>> cp = get_family("global").point(5)
    >>> round(directional_derivative(cp, np.eye(5)[0]), 12)                # a target: g = 0
    0.0
    """
    W = np.asarray(cp.W("float"), float)
    u = np.asarray(u, float)
    P = Problem(canonical_teacher(W.shape[1]))
    return float(P.loss(np.vstack([W, u[None, :]])) - P.loss(W) - 0.25 * (u * u).sum())


def brute_force_minimum(cp, starts=200, seed=0):
    """min g over the full unit sphere of R^d by BFGS from many random starts, with the
    dense formula (:func:`directional_derivative`): the independent check (small k)."""
    from scipy.optimize import minimize
    W = np.asarray(cp.W("float"), float)
    d = W.shape[1]
    P = Problem(canonical_teacher(d))
    L0 = float(P.loss(W))
    rng = np.random.default_rng(seed)
    Ws = np.vstack([W, np.zeros((1, d))])

    def g(v):
        u = v / np.linalg.norm(v)
        Ws[-1] = u
        return float(P.loss(Ws)) - L0 - 0.25
    best = (np.inf, None)
    for _ in range(starts):
        res = minimize(g, rng.normal(size=d), method="BFGS")
        if res.fun < best[0]:
            best = (res.fun, res.x / np.linalg.norm(res.x))
    return best


def zero_neuron(point, k=None, dps=30, starts=24, seed=0, polish=True):
    r"""The zero-neuron embedding :math:`[W;\,0]` of a critical point: the minimum of the
    one-sided directional derivative g over the unit sphere (see the module docstring).

    Parameters
    ----------
    point : str or CriticalPoint
        A family name (with ``k``) or a critical point.
    k : int or real
    dps : int
    starts : int
        Random starts per subspace (float64), before the Newton polish.
    seed : int
    polish : bool
        Refine the minimum by Newton's method in mpmath (``refined``); otherwise float64
        only, one BFGS run per subspace (``numerical``: fast, for tables).

    Returns
    -------
    ZeroNeuron

    Raises
    ------
    InputError
        A family that does not exist at k.
    """
    dps = check_dps(dps)
    cp = narrow_point(point, k, dps + 10)
    k = cp.k
    rng = np.random.default_rng(seed)
    cands, best = [], None
    with workdps(dps + 10 + guard_digits(float(k))):
        kk = k if is_integer(k) else as_mpf(k)
        subspaces = _candidates(cp, fast=not polish)
        if not polish:                  # one BFGS run, in the subspace of the best start
            scores = [_best_start(g, float(kk), starts, rng)[0] for g in subspaces]
            subspaces = [subspaces[int(np.argmin(scores))]]
        for g in subspaces:
            val, u0 = _minimise_float(g, float(kk), starts, rng, 4 if polish else 1)
            if u0 is None or not np.isfinite(val):
                continue
            try:
                if not polish:
                    raise ValueError("no polish")
                u, v, res = _polish(g, u0, kk, dps)
            except (ConvergenceError, ZeroDivisionError, ValueError, TypeError):
                # a singular Lagrange system (g constant on the sphere, as at W = I)
                u, v, res = [mpmath.mpf(x) for x in u0], mpmath.mpf(val), mpmath.inf
            cands.append((g.G.label, v))
            # the smallest subspace that attains the minimum (to half the digits)
            if best is None or v < best[1] - mpmath.mpf(10) ** (-(dps // 2)):
                best = (g, v, u, res)
        g, v, u, res = best
        direction = _direction(g, u, kk)
        check = _check_rows(cp, kk) if polish else None
    with workdps(dps):
        return ZeroNeuron(cp, k, +v, direction, g.G.label, [(a, +b) for a, b in cands],
                          +res if res != mpmath.inf else res, dps, check,
                          "refined" if res != mpmath.inf else "numerical")


def _direction(g, u, k):
    """(columns, count, value) per column block of the row u."""
    from ..symmetry import FixedSpace
    F = FixedSpace(g.G)
    out = []
    for i, val in zip(g.free, u):
        p = F.params[i]
        cb = g.G.col_sizes[p.col_block]
        start = sum((g.G.col_sizes[b] for b in range(p.col_block)), 0)
        txt = lambda e: str(e).replace(" ", "")
        cols = (f"{txt(start + 1)}…{txt(start + cb)}" if cb != 1 else txt(start + 1))
        out.append((cols, cb.subs(g.G.k, k) if hasattr(cb, "subs") else cb, +val))
    return out


def _check_rows(cp, k):
    r""":math:`\max_i |g(\hat w_i)|` over the row classes (0 at a critical point).  The
    matrix :math:`[W;\,w_i]` is the split of row i with λ = 1/2 with both halves doubled,
    a point of the split's fixed space, so g(w_i) = L([W; w_i]) - L(W) - |w_i|²/4 comes from
    its restricted loss."""
    from .embed import row_classes, split_group
    out = mpmath.mpf(0)
    for cls in row_classes(cp.isotropy):
        G, m = split_group(cp.isotropy, cls, lam_half=True)
        R = restricted_loss(G)
        blk = G.row_blocks[-1]                    # the block of the two halves
        xi = [2 * x if R.fixed.params[i].row_block == blk else x
              for i, x in enumerate(m(list(cp.xi), ns=_MP))]
        w2 = [guu for lab, _, guu, _, _, _ in R.pair_gram(xi, k, system="mpmath")
              if lab == f"student{blk}-student{blk} self"][0]
        g = R.loss(xi, k, system="mpmath") - cp.loss - w2 / 4
        out = max(out, abs(g) / mpmath.sqrt(w2))
    return out
