r"""A symmetry-breaking target :math:`V = I + \varepsilon\Delta`: a critical point and its
Hessian spectrum followed in ε from ε = 0, in the full space.

For ε ≠ 0 the target has no symmetry left, so fixed spaces and isotypic blocks are gone;
the point is followed by natural continuation in ε (secant predictor, Newton corrector on
the full gradient of :class:`symcrit.model.Problem` with teacher V, its analytic Hessian as
Jacobian), and at each ε the whole Hessian is diagonalised (dense).  Arjevani & Field
(2022, "Annihilation of spurious minima in two-layer ReLU networks", NeurIPS,
arXiv:2210.06088) show that for a fixed number of neurons and inputs the spectral results
survive such a perturbation: the eigenvalues move continuously, each cluster of
multiplicity m (an isotypic eigenvalue at ε = 0) splits into m nearby values, and the index
stays the same while no eigenvalue crosses 0.  :class:`PerturbationStep` records, per ε,
the loss, the gradient norm, the index, the smallest eigenvalue and the largest spread of
the ε = 0 clusters.

A split point stays a split point for every target (homogeneity), so its line of critical
points, and the zero eigenvalue along it, survive: Newton's steps are taken with the
minimum-norm (pseudo-inverse) solve.

>>> out = follow_perturbation("type-A", 6, eps=[0, 0.01, 0.02], seed=1)
>>> [s.index for s in out.steps], out.steps[-1].gradient_norm < 1e-10
([0, 0, 0], True)
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..core import ConvergenceError, InputError, newton
from ..critical import CriticalPoint
from ..model import Problem
from .embed import EmbeddedPoint, narrow_point

__all__ = ["PerturbationStep", "Perturbation", "follow_perturbation", "random_direction"]


@dataclass
class PerturbationStep:
    """The point at one ε: loss, gradient norm, index, smallest eigenvalue, the largest
    spread of an ε = 0 eigenvalue cluster, and the eigenvalues (float64)."""
    eps: float
    loss: float
    gradient_norm: float
    index: int
    nullity: int
    min_eigenvalue: float
    cluster_spread: float
    eigenvalues: np.ndarray = field(repr=False)

    def to_json(self):
        return {"eps": repr(self.eps), "loss": repr(self.loss),
                "gradient_norm": f"{self.gradient_norm:.3e}", "index": str(self.index),
                "nullity": str(self.nullity), "min_eigenvalue": repr(self.min_eigenvalue),
                "cluster_spread": f"{self.cluster_spread:.3e}"}


@dataclass
class Perturbation:
    """The followed point: the steps, Δ, the clusters of the spectrum at ε = 0 (value,
    multiplicity) and how the follow ended."""
    steps: list
    delta: np.ndarray = field(repr=False)
    clusters: list = field(default_factory=list)
    status: str = "reached"
    certainty: str = "numerical (float64, dense)"

    def to_json(self):
        return {"status": self.status, "certainty": self.certainty,
                "clusters_at_0": [{"eigenvalue": repr(v), "multiplicity": str(m)}
                                  for v, m in self.clusters],
                "steps": [s.to_json() for s in self.steps]}

    def __str__(self):
        lines = [f"followed in ε ({self.status}): {len(self.clusters)} eigenvalue clusters at "
                 "ε = 0", f"{'ε':>10} {'loss':>20} {'|grad|':>10} {'index':>6} "
                 f"{'λ_min':>12} {'spread':>10}"]
        for s in self.steps:
            lines.append(f"{s.eps:>10.4g} {s.loss:>20.14g} {s.gradient_norm:>10.2e} "
                         f"{s.index:>6d} {s.min_eigenvalue:>12.5g} {s.cluster_spread:>10.2e}")
        return "\n".join(lines)


def random_direction(k, seed=0):
    """A random symmetric-breaking direction Δ (k × k, standard normal, Frobenius norm 1)."""
    D = np.random.default_rng(seed).standard_normal((k, k))
    return D / np.linalg.norm(D)


def _matrix(point, k):
    if isinstance(point, EmbeddedPoint):
        return np.asarray(point.W("float"), float)
    if isinstance(point, (CriticalPoint, str)):
        return np.asarray(narrow_point(point, k, 30).W("float"), float)
    return np.asarray(point, float)


def _clusters(ev, tol):
    out = []
    for v in np.sort(ev):
        if out and abs(v - out[-1][0]) <= tol * max(1.0, abs(v)):
            out[-1][1] += 1
        else:
            out.append([v, 1])
    return [(float(v), m) for v, m in out]


def follow_perturbation(point, k=None, delta=None, eps=(0, 0.01, 0.02, 0.05), seed=0,
                        tol=1e-12):
    r"""Follow a critical point for the target :math:`I + \varepsilon\Delta` in ε.

    Parameters
    ----------
    point : str, CriticalPoint, EmbeddedPoint or array
        A family name (with k), a point, an embedded point or a matrix W (n × k) critical
        for ε = 0.
    k : int
    delta : array, optional
        Δ (k × k); default :func:`random_direction` with ``seed``.
    eps : sequence of float
        Increasing, starting at 0.
    tol : float
        Gradient norm at which Newton stops.

    Returns
    -------
    Perturbation
    """
    W = _matrix(point, k)
    n, d = W.shape
    D = random_direction(d, seed) if delta is None else np.asarray(delta, float)
    if D.shape != (d, d):
        raise InputError(f"Δ must be {d} × {d}, got {D.shape}")
    eps = [float(e) for e in eps]
    if not eps or eps[0] != 0 or any(b <= a for a, b in zip(eps, eps[1:])):
        raise InputError("eps must increase from 0")
    out = Perturbation([], D)
    hist = []
    x = W.ravel().copy()
    for e in eps:
        P = Problem(np.eye(d) + e * D)

        def evaluate(z):
            Wz = np.asarray(z, float).reshape(n, d)
            return (np.asarray(P.gradient(Wz), float).ravel(),
                    np.asarray(P.hessian(Wz), float), None)

        def solve(J, F):
            return np.linalg.lstsq(J, np.asarray(F, float), rcond=1e-10)[0]

        guess = x                                      # secant predictor in ε
        if len(hist) == 2:
            (x0, e0), (x1, e1) = hist
            guess = x1 + (x1 - x0) * (e - e1) / (e1 - e0)
        try:
            res = newton(evaluate, list(guess), tol, maxsteps=30, solve=solve)
        except ConvergenceError as exc:
            out.status = f"lost at ε = {e:g} ({exc})"
            break
        z = np.asarray(res.x, float)
        Hm = np.asarray(P.hessian(z.reshape(n, d)), float)
        ev = np.linalg.eigvalsh((Hm + Hm.T) / 2)
        scale = max(1.0, float(np.max(np.abs(ev))))
        ztol = 1e-7 * scale
        if not out.clusters:
            out.clusters = _clusters(ev, 1e-7)
        spread = _spread(out.clusters, ev)
        g = np.asarray(P.gradient(z.reshape(n, d)), float)
        out.steps.append(PerturbationStep(e, float(P.loss(z.reshape(n, d))),
                                          float(np.linalg.norm(g)),
                                          int(np.sum(ev < -ztol)),
                                          int(np.sum(np.abs(ev) <= ztol)),
                                          float(ev[0]), spread, ev))
        hist = (hist + [(z, e)])[-2:]
        x = z
    return out


def _spread(clusters, ev):
    """The largest spread (max − min) of the eigenvalues that continue an ε = 0 cluster
    (eigenvalues matched in ascending order)."""
    ev = np.sort(ev)
    out, i = 0.0, 0
    for _, m in clusters:
        part = ev[i:i + m]
        out = max(out, float(part[-1] - part[0]))
        i += m
    return out
