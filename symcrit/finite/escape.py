r"""Escape neurons, local-minimum certificates, explicit descent paths and the
classification of every neuron of a ReLU-like network on finite data.

At a d-stationary point (:mod:`.stationarity`) neuron i is an **escape neuron** if some
direction δ has :math:`D_i(\delta) \ne 0` and :math:`h_i\cdot D_i(\delta) = 0`.

**No escape neuron ⇒ local minimum.**  Positive homogeneity and piecewise linearity give a
margin :math:`c_i > 0` with :math:`h_i\cdot D_i(u) \ge c_i |D_i(u)|` for all u.  For a
perturbation :math:`(u_i, \eta_i)` with :math:`|u_i| \le \rho_i` — the distance from
:math:`w_i` to the nearest hyperplane :math:`x_n^\perp` of a datum off its kink, so no
activation changes except on the kinks — the loss changes exactly by

.. math::

    \Delta L = \sum_i (h_i + \eta_i)\cdot D_i(u_i) + \tfrac{1}{N d_{out}} |\Delta F|^2
    \;\ge\; \sum_i (c_i - |\eta_i|)\, |D_i(u_i)| \;\ge\; 0
    \quad \text{when } |\eta_i| \le c_i ,

(using :math:`d(w_i) = 0`), so every perturbation of norm at most
:math:`R = \min_i \min(c_i, \rho_i)` leaves the loss unchanged or larger: R is the
**certificate radius**.  The margin is a minimum over finitely many directions: on V^⊥ (the
lineality space of the kink arrangement) D_i is linear, and inside V the ratio
:math:`h_i\cdot D_i(u)/|D_i(u)|` is smallest on an extreme ray (the set
:math:`\{z: h\cdot z \ge t|z|\}`, t ≥ 0, is a convex cone).

**Scalar output: an escape neuron ⇒ not a local minimum.**  With scalar output
:math:`h_i D_i(\delta) = 0 \ne D_i(\delta)` forces :math:`h_i = 0`.  Along the path
:math:`w_i(t) = w_i + t e`, :math:`h_i(t) = -\kappa t\, \mathrm{sign}\, D_i(e)`
(everything else fixed) the loss changes by exactly
:math:`-\kappa t^2 |D_i(e)| + \kappa^2 t^2 |\rho(X(w_i+te))|^2/(N d_{out})`; with
:math:`B \ge |\rho(X(w_i+te))|` on the path and :math:`\kappa = N d_{out}|D_i(e)|/(2B^2)`
this is at most :math:`-t^2 N d_{out} D_i(e)^2/(4B^2) < 0` (:class:`DescentPath`).  With
vector output an escape neuron leaves the question open (``local_minimum`` is None).

Reference: Wu, Şimşek, Ged, "Loss landscape of shallow ReLU-like neural networks:
stationary points, saddle escape, and network embedding", ICLR 2025, arXiv:2402.05626
(Theorems on escape neurons and local minima).

>>> from symcrit.finite import Dataset, Network
>>> ds = Dataset.from_arrays([[1, 0], [0, 1]], [[1], [-1]])
>>> net = Network.from_arrays([[1, 0], [0, 1]], [[1], [-1]], exact=True)   # fits the data
>>> rep = analyse(net, ds)
>>> rep.local_minimum, rep.loss
(True, Fraction(0, 1))
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

import mpmath
import numpy as np

from ..core import InputError, dec
from . import rational as Q
from .network import Network, loss
from .stationarity import arrangement_rays, stationarity

__all__ = ["neuron_margin", "sign_radius", "number_text", "NeuronReport", "PointAnalysis", "DescentPath",
           "analyse", "perturbation_test", "STATUSES"]

#: the neuron statuses, in the order they are decided
STATUSES = ("escape", "zero", "kink", "dead", "active")


def _norm(v, exact):
    if exact:
        return mpmath.sqrt(mpmath.mpf(sum((x * x for x in v), Fraction(0)).numerator)
                           / sum((x * x for x in v), Fraction(0)).denominator)
    return float(np.linalg.norm(np.asarray(v, dtype=float)))


def _is_zero(v, exact, tol):
    if exact:
        return all(x == 0 for x in v)
    return float(np.abs(np.asarray(v, dtype=float)).max(initial=0)) <= tol


def neuron_margin(loc, exact, tol=1e-9):
    r"""The margin :math:`c_i = \inf\{h_i\cdot D_i(u)/|D_i(u)| : D_i(u) \ne 0\}` of one
    neuron and a direction attaining it.

    Returns
    -------
    margin : float, mpmath.mpf or math.inf
        ``inf`` when :math:`D_i \equiv 0`.  In the exact mode it is computed from exact
        rational ratios (its zero is decided exactly) and given as an mpf.
    direction : list or array, or None
    escape : bool
        margin = 0 with some D_i(u) ≠ 0 (exactly, or within ``tol·(1 + |h_i|)`` numerically).
    """
    d = len(loc.w)
    rays, lin = arrangement_rays([list(x) for x in loc.kink_x], d, exact)
    best, arg, exact_best = math.inf, None, None
    for u in lin:                      # D is linear on the lineality space
        Du = loc.L @ np.asarray(u, dtype=object if exact else float)
        if not _is_zero(Du, exact, tol):
            if exact:
                t = Q.dot(loc.h, Du)
                return (mpmath.mpf(0) if t == 0 else -mpmath.inf), list(u), t == 0
            return 0.0, np.asarray(u), True
    for e in rays:
        De = loc.D(e)
        if _is_zero(De, exact, tol):
            continue
        hd = loc.h @ De
        if exact:
            n2 = sum((x * x for x in De), Fraction(0))
            key = (1 if hd > 0 else -1 if hd < 0 else 0) * hd * hd / n2
            if exact_best is None or key < exact_best:
                exact_best, arg = key, list(e)
        else:
            r = float(hd) / _norm(De, False)
            if r < best:
                best, arg = r, np.asarray(e, dtype=float)
    if exact:
        if exact_best is None:
            return math.inf, None, False
        val = mpmath.sqrt(mpmath.mpf(abs(exact_best.numerator)) / exact_best.denominator)
        return (val if exact_best >= 0 else -val), arg, exact_best == 0
    if arg is None:
        return math.inf, None, False
    hn = float(np.linalg.norm(np.asarray(loc.h, dtype=float)))
    return best, arg, best <= tol * (1 + hn)


def sign_radius(loc, X, exact):
    r"""ρ_i = min over data off the kinks of :math:`|w_i\cdot x_n|/|x_n|`: no activation
    but the kinks' changes within this distance of :math:`w_i` (``inf`` if every datum is a
    kink)."""
    idx = loc.active + loc.inactive
    if not idx:
        return math.inf
    if exact:
        vals = []
        for n in idx:
            z = Q.dot(loc.w, X[n])
            vals.append(Fraction(z * z) / sum((x * x for x in X[n]), Fraction(0)))
        q = min(vals)
        return mpmath.sqrt(mpmath.mpf(q.numerator) / q.denominator)
    Xf = np.asarray([X[n] for n in idx], dtype=float)
    return float((np.abs(Xf @ np.asarray(loc.w, float)) / np.linalg.norm(Xf, axis=1)).min())


@dataclass
class NeuronReport:
    """One neuron: ``status`` (one of :data:`STATUSES`), ``margin`` (c_i; inf when
    D_i ≡ 0), ``escape``, the kink set, the stationarity flags and ρ_i."""
    index: int
    status: str
    margin: object
    escape: bool
    kinks: tuple
    output_ok: bool
    cone_ok: bool
    radius: object

    def to_json(self):
        """The neuron as a JSON-ready dict (numbers as text: exact fractions or
        decimals)."""
        return {"index": self.index, "status": self.status, "margin": number_text(self.margin),
                "escape": self.escape, "kinks": list(self.kinks),
                "stationary": self.output_ok and self.cone_ok,
                "sign_radius": number_text(self.radius)}


def number_text(x, digits=17):
    """A number for JSON: ``p/q`` for a Fraction, ``"inf"``, else a decimal string."""
    if x is None:
        return None
    if isinstance(x, Fraction):
        return str(x) if x.denominator != 1 else str(x.numerator)
    if x == math.inf or (isinstance(x, mpmath.mpf) and mpmath.isinf(x)):
        return "inf"
    return dec(x, digits) if isinstance(x, mpmath.mpf) else repr(float(x))


@dataclass
class DescentPath:
    r"""A path from θ along which the loss decreases.

    ``kind`` is ``"direction"`` (θ is not d-stationary: the straight line θ + tδ with
    :math:`L'(\theta;\delta) = ` ``slope`` < 0) or ``"escape"`` (the quadratic path of an
    escape neuron, scalar output: the loss drops by at least ``bound``·t²).
    """
    kind: str
    neuron: int
    net: Network
    dW: np.ndarray
    dH: np.ndarray
    t_max: object
    slope: object = None
    bound: object = None
    ts: list = field(default_factory=list)
    losses: list = field(default_factory=list)

    def point(self, t):
        """The network at parameter t of the path."""
        if self.kind == "direction":
            return Network(self.net.W + t * self.dW, self.net.H + t * self.dH,
                           self.net.activation, self.net.exact)
        # escape: w_i + t e, h_i + t * dH_i (dH already holds -kappa*sign)
        W = self.net.W.copy()
        H = self.net.H.copy()
        W[self.neuron] = W[self.neuron] + t * self.dW[self.neuron]
        H[self.neuron] = H[self.neuron] + t * self.dH[self.neuron]
        return Network(W, H, self.net.activation, self.net.exact)

    def decreasing(self):
        """True when every recorded loss on the path is below the loss at t = 0."""
        return bool(self.losses) and all(x < self.losses[0] for x in self.losses[1:])

    def to_json(self):
        """The path as a JSON-ready dict: kind, neuron, its range and slope, and the
        losses sampled along it (numbers as text)."""
        return {"kind": self.kind, "neuron": self.neuron, "t_max": number_text(self.t_max),
                "slope": number_text(self.slope), "bound": number_text(self.bound),
                "t": [number_text(t) for t in self.ts], "loss": [number_text(x) for x in self.losses]}


@dataclass
class PointAnalysis:
    """The analysis of a point (:func:`analyse`)."""
    certainty: str
    loss: object
    d_stationary: bool
    clarke_stationary: bool
    neurons: list
    local_minimum: object
    certificate_radius: object
    reason: str
    descent: object = None
    alive_radius: object = None

    @property
    def escape_neurons(self):
        """The indices of the escape neurons (those whose ``escape`` flag is set)."""
        return [n.index for n in self.neurons if n.escape]

    def counts(self):
        """How many neurons have each status."""
        return {s: sum(n.status == s for n in self.neurons) for s in STATUSES}

    def to_json(self):
        """The analysis as a JSON-ready dict: certainty, loss, the stationarity flags,
        every neuron (:meth:`NeuronReport.to_json`), the escape neurons and the
        classification."""
        return {"certainty": self.certainty, "loss": number_text(self.loss),
                "d_stationary": self.d_stationary,
                "clarke_stationary": self.clarke_stationary,
                "neurons": [n.to_json() for n in self.neurons],
                "escape_neurons": self.escape_neurons,
                "local_minimum": self.local_minimum,
                "certificate_radius": number_text(self.certificate_radius),
                "alive_radius": number_text(self.alive_radius),
                "reason": self.reason,
                "descent_path": self.descent.to_json() if self.descent else None}


def analyse(net, data, exact=None, tol=1e-9, kink_tol=1e-9, clarke=True):
    """Stationarity, escape neurons, classification, certificate or descent path.

    Parameters
    ----------
    net : Network
    data : Dataset
    exact : bool, optional
        Exact rational decisions (default ``net.exact``).
    tol, kink_tol : float
        Numerical mode tolerances (:func:`symcrit.finite.stationarity`).
    clarke : bool
        Also decide Clarke stationarity.

    Returns
    -------
    PointAnalysis
        ``local_minimum`` is True (no escape neuron: certified within
        ``certificate_radius``), False (not d-stationary, or an escape neuron with scalar
        output: ``descent`` holds the path and the losses along it) or None (escape
        neurons with vector output: the theorem does not decide).

    Examples
    --------
    A zero neuron next to a non-zero residual is an escape neuron; with scalar output the
    point is a saddle, and the path lowers the loss:

    >>> from symcrit.finite import Dataset
    >>> ds = Dataset.from_arrays([[1, 0], [0, 1]], [[1], [-1]])
    >>> rep = analyse(Network.from_arrays([[1, 0], [0, 0]], [[1], [0]], exact=True), ds)
    >>> rep.local_minimum, rep.escape_neurons, rep.descent.decreasing()
    (False, [1], True)
    """
    exact = net.exact if exact is None else bool(exact)
    net = net.to_exact() if exact and not net.exact else (net.to_float() if not exact and
                                                          net.exact else net)
    st = stationarity(net, data, exact=exact, tol=tol, kink_tol=kink_tol, clarke=clarke)
    X = data.X if exact else data.Xf
    reports = []
    for loc, ns in zip(st.locals, st.neurons):
        stat = ns.output_ok and ns.cone_ok
        margin, _, esc = neuron_margin(loc, exact, tol) if stat else (None, None, False)
        zero = _is_zero(loc.w, exact, 0) and _is_zero(loc.h, exact, 0)
        status = ("escape" if esc else "zero" if zero else "kink" if loc.kinks else
                  "dead" if not loc.active else "active")
        reports.append(NeuronReport(loc.index, status, margin, bool(esc), loc.kinks,
                                    ns.output_ok, ns.cone_ok, sign_radius(loc, X, exact)))
    L0 = loss(net, data)
    kwargs = dict(certainty=st.certainty, loss=L0, d_stationary=st.d_stationary,
                  clarke_stationary=st.clarke_stationary, neurons=reports)
    if not st.d_stationary:
        bad = next(ns for ns in st.neurons if not (ns.output_ok and ns.cone_ok))
        path = _direction_path(net, data, st.locals[bad.index], bad, exact)
        return PointAnalysis(**kwargs, local_minimum=False, certificate_radius=None,
                             reason=f"not d-stationary: neuron {bad.index} has a descent "
                                    "direction", descent=path)
    esc = [r for r in reports if r.escape]
    if not esc:
        radius = min([min(r.margin, r.radius) for r in reports] or [math.inf])
        alive = min([min(r.margin, r.radius) for r in reports if r.status != "dead"]
                    or [math.inf])
        return PointAnalysis(**kwargs, local_minimum=True,
                             certificate_radius=radius, alive_radius=alive,
                             reason="d-stationary without escape neurons: a local minimum "
                                    "(certified within the radius)")
    if data.d_out == 1:
        path = _escape_path(net, data, st.locals[esc[0].index], exact, tol)
        return PointAnalysis(**kwargs, local_minimum=False, certificate_radius=None,
                             reason=f"escape neuron {esc[0].index} with scalar output: a "
                                    "saddle (descent path)", descent=path)
    return PointAnalysis(**kwargs, local_minimum=None, certificate_radius=None,
                         reason=f"{len(esc)} escape neuron(s) with vector output: the "
                                "escape-neuron theorem does not decide")


def _record(path, data, exact, k=8):
    T = path.t_max
    path.ts = [T * 0] + [T / 2 ** j for j in range(k - 1, -1, -1)]
    path.losses = [loss(path.point(t), data) for t in path.ts]
    return path


def _direction_path(net, data, loc, ns, exact):
    dt = object if exact else float
    dW = np.zeros(net.W.shape, dtype=dt) * (Fraction(0) if exact else 1.0)
    dH = np.zeros(net.H.shape, dtype=dt) * (Fraction(0) if exact else 1.0)
    i = loc.index
    if not ns.output_ok:
        dH[i] = -loc.d_w
        slope = -(loc.d_w @ loc.d_w)
    else:
        dW[i] = np.asarray(ns.direction, dtype=dt)
        slope = loc.phi(dW[i])
    scale = max(abs(x) for x in np.r_[dW.ravel(), dH.ravel()])    # max-norm 1
    if scale:                        # L'(θ; δ) is positively homogeneous in δ
        dW, dH, slope = dW / scale, dH / scale, slope / scale
    t_max = Fraction(1) if exact else 1.0
    p = DescentPath("direction", i, net, dW, dH, t_max, slope=slope)
    _record(p, data, exact)
    for _ in range(40):                 # shrink until the recorded losses all decrease
        if p.decreasing():
            break
        p.t_max = p.t_max / 4
        _record(p, data, exact)
    return p


def _escape_path(net, data, loc, exact, tol):
    d = len(loc.w)
    rays, lin = arrangement_rays([list(x) for x in loc.kink_x], d, exact)
    cands = [list(u) for u in lin] + [list(e) for e in rays]
    vals = [abs(loc.D(u)[0]) for u in cands]
    j = max(range(len(cands)), key=lambda k: vals[k])
    e, De = cands[j], loc.D(cands[j])[0]
    one = Fraction(1) if exact else 1.0
    if exact:
        l1 = lambda v: sum((abs(x) for x in v), Fraction(0))         # noqa: E731
        Xn = sum((l1(x) for x in data.X), Fraction(0))
        wn, en = l1(loc.w), l1(e)
        ab = max(abs(net.activation.a), abs(net.activation.b))
        rho = sign_radius(loc, data.X, True)
        # a rational T with T*|e| <= rho (|e| <= l1(e))
        T = one if rho == math.inf else Fraction(mpmath.nstr(rho * 0.999, 15)) / en
    else:
        Xn = float(np.linalg.norm(data.Xf))
        wn, en = float(np.linalg.norm(np.asarray(loc.w, float))), float(np.linalg.norm(e))
        ab = max(abs(net.activation.af), abs(net.activation.bf))
        rho = sign_radius(loc, data.Xf, False)
        T = 1.0 if rho == math.inf else 0.999 * rho / en
    B = ab * Xn * (wn + T * en)
    if B == 0:
        B = one
    c2 = (Fraction(2, data.N * data.d_out) if exact else 2.0 / (data.N * data.d_out))
    kappa = abs(De) / (c2 * B * B)
    dt = object if exact else float
    dW = np.zeros(net.W.shape, dtype=dt) * (Fraction(0) if exact else 1.0)
    dH = np.zeros(net.H.shape, dtype=dt) * (Fraction(0) if exact else 1.0)
    dW[loc.index] = np.asarray(e, dtype=dt)
    dH[loc.index, 0] = -kappa * (1 if De > 0 else -1)
    bound = -De * De / (2 * c2 * B * B)
    return _record(DescentPath("escape", loc.index, net, dW, dH, T, bound=bound), data, exact)


def perturbation_test(net, data, radius, draws=10000, seed=0, batch=2000, neurons=None):
    """Random perturbations of all parameters (or of the given ``neurons`` only), uniform
    in the ball of the given radius: the smallest loss change seen (float64).

    A certificate with dead neurons held fixed has the radius ``alive_radius`` of
    :class:`PointAnalysis` (a dead neuron that does not move contributes nothing).

    Returns
    -------
    dict
        ``min_change``, ``negative`` (draws that lowered the loss by more than the
        round-off allowance ``tol``), ``draws``, ``radius``, ``tol``.

    Examples
    --------
    >>> from symcrit.finite import Dataset
    >>> ds = Dataset.from_arrays([[1, 0], [0, 1]], [[1], [-1]])
    >>> net = Network.from_arrays([[1, 0], [0, 1]], [[1], [-1]])
    >>> perturbation_test(net, ds, 0.1, draws=500)["negative"]
    0
    """
    if not (isinstance(draws, int) and 1 <= draws <= 10 ** 7):
        raise InputError("draws must be an integer from 1 to 10^7")
    r = float(radius)
    if not (math.isfinite(r) and r > 0):
        raise InputError(f"the perturbation radius must be positive and finite, got {radius}")
    f = net.to_float() if net.exact else net
    W, H, X, Y = f.W, f.H, data.Xf, data.Yf
    a, b = f.activation.af, f.activation.bf
    idx = np.arange(f.m) if neurons is None else np.asarray(sorted(set(neurons)), int)
    if idx.size == 0 or idx.min() < 0 or idx.max() >= f.m:
        raise InputError(f"neurons to perturb must be indices 0..{f.m - 1}")
    mask_w = np.zeros(W.shape, bool)
    mask_h = np.zeros(H.shape, bool)
    mask_w[idx] = True
    mask_h[idx] = True
    P = int(mask_w.sum() + mask_h.sum())
    rng = np.random.default_rng(seed)

    def losses(Wb, Hb):
        Z = np.einsum("bmd,nd->bmn", Wb, X)
        F = np.einsum("bmn,bmo->bno", np.where(Z > 0, a * Z, b * Z), Hb)
        return ((F - Y) ** 2).sum(axis=(1, 2)) / (data.N * data.d_out)
    L0 = losses(W[None], H[None])[0]
    tol = 64 * np.finfo(float).eps * max(1.0, L0)
    mins, neg, done = np.inf, 0, 0
    while done < draws:
        k = min(batch, draws - done)
        g = rng.standard_normal((k, P))
        g *= (r * rng.random(k) ** (1.0 / P) / np.linalg.norm(g, axis=1))[:, None]
        gw = np.zeros((k,) + W.shape)
        gh = np.zeros((k,) + H.shape)
        nw = int(mask_w.sum())
        gw[:, mask_w] = g[:, :nw]
        gh[:, mask_h] = g[:, nw:]
        dL = losses(W[None] + gw, H[None] + gh) - L0
        mins = min(mins, float(dL.min()))
        neg += int((dL < -tol).sum())
        done += k
    return {"min_change": mins, "negative": neg, "draws": draws, "radius": r, "tol": tol}
