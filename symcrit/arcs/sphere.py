r"""Is a point of a tangency arc a local minimum (maximum) of L on its sphere in the full
space?  The second-order test, by isotypic blocks, at a cost independent of k.

A point W of a tangency arc, :math:`\nabla L(W) = \mu(W-c)`, :math:`\|W-c\| = r`, is a
critical point of L on the sphere :math:`S_r(c)`; the Hessian of the Lagrangian there is
:math:`\nabla^2 L(W) - \mu I` on the tangent space :math:`(W-c)^\perp`.  It is a strict local
minimum of L on the sphere when this form is positive definite, and not a local minimum when
it has a negative eigenvalue (Nocedal & Wright, *Numerical Optimization*, 2nd ed., Thm.
12.5–12.6).  An arc that realises :math:`m(r)` must pass this test at every r (with ≥).

The arc lies in Fix(G), where :math:`\nabla^2 L(W)` commutes with G, so the test splits by the
isotypic components of :math:`M(k,k)` under G (:func:`symcrit.spectra.hessian_blocks`):

* on a component of a non-trivial irreducible the whole component is tangent (it is
  orthogonal to Fix(G), which contains W - c): the eigenvalues are those of the block
  pencil, minus μ;
* on the trivial component Fix(G) the radial direction :math:`u = D^{1/2}(\eta-\eta_c)` is
  removed: the eigenvalues of :math:`P(D^{-1/2}\nabla^2 L_G D^{-1/2} - \mu)P` on
  :math:`u^\perp`.

This is the check that the arc traced inside Fix(G) is not overtaken by a symmetry-breaking
direction that leaves Fix(G) (which would make m(r) lower than the arc).

>>> from symcrit.critical import get_family
>>> from symcrit.arcs import arc_starts, trace_arc
>>> st = arc_starts(get_family("hidden-D").point(10, dps=20), "min")[0]
>>> tr = trace_arc(st)
>>> ok = sphere_test(st, tr)
>>> bool(ok.holds_up_to == tr.r[-2]), ok.fails_at      # holds until μ changes sign
(True, None)
"""
from __future__ import annotations

from dataclasses import dataclass, field

import mpmath
import numpy as np

from ..core import InputError, SingularPointError, generalized_eigh, guard_digits, workdps
from ..spectra import hessian_blocks
from ..symmetry import isotypic_decomposition
from .tracer import FLOAT_MAX_K, TRACK_DPS

__all__ = ["SphereTest", "tangent_eigenvalues", "sphere_test"]


def _trivial_label(G):
    for c in isotypic_decomposition(G).components:
        if c.irrep.tail == () and all(len(p) == 1 for p in c.irrep.small):
            return c.label
    raise InputError(f"no trivial component under {G}")   # pragma: no cover


def tangent_eigenvalues(start, eta, mu):
    """The extreme eigenvalue of :math:`\\nabla^2L(W) - \\mu` on the tangent space of the
    sphere at the point ``eta`` of Fix(G), per isotypic component of G: a dict irrep label
    → the smallest (``kind="min"``) or largest (``"max"``) such eigenvalue (a float).
    Evaluated in float64 up to k = :data:`~symcrit.arcs.tracer.FLOAT_MAX_K`, in mpmath
    (with guard digits) above."""
    G = start.group
    k = start.k
    mp = k > FLOAT_MAX_K
    with workdps(TRACK_DPS + guard_digits(k)):
        conv = mpmath.mpf if mp else float
        system = "mpmath" if mp else "float"
        eta = [conv(x) for x in eta]
        s = [mpmath.sqrt(conv(x)) if mp else float(np.sqrt(float(x))) for x in start.weights]
        u = [si * (e - conv(c)) for si, e, c in zip(s, eta, start.eta_c)]
        mu = conv(mu)
        triv = _trivial_label(G)
        out = {}
        pick = min if start.kind == "min" else max
        for b in hessian_blocks(G, eta, k, system=system):
            if b.irrep == triv:
                continue
            out[b.irrep] = float(pick(generalized_eigh(b.A, b.B, system)) - mu)
        _, _, Hm = start.restricted.evaluate(eta, conv(k), system=system)
        n = len(s)
        A = np.array([[float(Hm[i, j] / (s[i] * s[j])) for j in range(n)]
                      for i in range(n)]) - float(mu) * np.eye(n)
    uf = np.array([float(x) for x in u])
    Q, _ = np.linalg.qr(np.column_stack([uf] + [np.eye(n)[:, i] for i in range(n)]))
    B = Q[:, 1:n]
    out[triv] = float(pick(np.linalg.eigvalsh(B.T @ A @ B)))
    return out


@dataclass
class SphereTest:
    """The second-order test along a traced arc: ``radii`` tested, the extreme tangent
    eigenvalue at each (``values``) and its irreducible; ``holds_up_to``: the last tested
    radius before the first failure (the whole arc when it never fails); ``fails_at``:
    the first radius where it fails (or None)."""
    radii: list
    values: list
    irreps: list
    holds_up_to: float
    fails_at: float | None = None
    notes: list = field(default_factory=list)

    @property
    def worst_irrep(self):
        """The irreducible of the tangent eigenvalue closest to failing at the last tested
        radius."""
        return self.irreps[-1] if self.irreps else None


def sphere_test(start, trace, tol=1e-9, max_points=None):
    """The second-order test at the points of a traced arc (at most ``max_points`` of
    them, evenly spread: default 16, 8 above k = 10^6 where it runs in mpmath), up to its
    end.  A point fails when a tangent eigenvalue is below
    ``-tol`` (``kind="min"``; above ``tol`` for ``"max"``)."""
    sgn = 1 if start.kind == "min" else -1
    if max_points is None:
        max_points = 16 if start.k <= FLOAT_MAX_K else 8
    idx = list(range(1, len(trace.r)))
    if trace.status == "critical" and idx:
        idx = idx[:-1]                 # the end point: μ = 0, a critical point
    if len(idx) > max_points:
        idx = sorted(set(np.linspace(idx[0], idx[-1], max_points).astype(int)))
    radii, values, irreps = [], [], []
    holds, fails = 0.0, None
    for i in idx:
        try:
            vals = tangent_eigenvalues(start, trace.eta[i], float(trace.mu[i]))
        except (SingularPointError, InputError):   # pragma: no cover
            break
        lab = min(vals, key=lambda x: sgn * vals[x])
        radii.append(float(trace.r[i]))
        values.append(vals[lab])
        irreps.append(lab)
        if sgn * vals[lab] < -tol:
            fails = float(trace.r[i])
            break
        holds = float(trace.r[i])
    return SphereTest(radii, values, irreps, holds, fails)
