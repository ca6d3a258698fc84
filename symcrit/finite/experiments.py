r"""Saddle-to-saddle runs analysed end to end, and the paper's three experiments.

:func:`analyse_run` takes a gradient-descent run (:mod:`.dynamics`) and reports

* its plateaus (:func:`~symcrit.finite.plateaus.find_plateaus`), each with the run's loss,
  the exact stationary point it approaches and its exact loss
  (:func:`~symcrit.finite.plateaus.snap_point`), and the escape-neuron analysis there
  (:func:`~symcrit.finite.escape.analyse`: exact on the snapped point, numerical on the
  run's point when no exact point could be built);
* the final point's classification and a random perturbation test of it (within the
  certificate radius when there is one);
* the neuron groups by direction at the end and the drift of the balancedness
  :math:`|w_i|^2 - |h_i|^2` (conserved by gradient flow).

:data:`EXPERIMENTS` holds the settings of the three experiments of Wu, Şimşek, Ged,
"Loss landscape of shallow ReLU-like neural networks: stationary points, saddle escape,
and network embedding", ICLR 2025, arXiv:2402.05626 (m = 50, ReLU, no bias but a constant
input where the data have one, Gaussian start N(0, (m^μ)²), full-batch GD):

============ ======= ====== ====== ========== ====================================
name          data     μ      η     steps      setting
============ ======= ====== ====== ========== ====================================
wsg-1d        5 × 2    −3    1e-3   600 000    scalar output, x = (s, 1)
wsg-3d        7 × 3   −6.5   1e-3   800 000    scalar output, 3-D input
wsg-2out      4 × 2   −6.5   2e-3   300 000    2-D output, 2-D input
============ ======= ====== ====== ========== ====================================

>>> sorted(EXPERIMENTS)
['wsg-1d', 'wsg-2out', 'wsg-3d']
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..core import InputError
from .data import load_data
from .dynamics import gradient_descent
from .escape import analyse, perturbation_test
from .network import RELU
from .plateaus import find_plateaus, snap_point

__all__ = ["EXPERIMENTS", "PlateauReport", "RunReport", "analyse_run", "run_experiment",
           "neuron_groups", "final_status"]

#: the three experiments of Wu, Şimşek & Ged (arXiv:2402.05626): data set, width m,
#: initial scale exponent μ (weights ~ N(0, (m^μ)²)), learning rate and steps
EXPERIMENTS = {
    "wsg-1d": {"data": "wsg-1d", "width": 50, "mu": -3.0, "lr": 1e-3, "steps": 600000},
    "wsg-3d": {"data": "wsg-3d", "width": 50, "mu": -6.5, "lr": 1e-3, "steps": 800000},
    "wsg-2out": {"data": "wsg-2out", "width": 50, "mu": -6.5, "lr": 2e-3, "steps": 300000},
}

#: numerical tolerances for points of a run (gradient descent stops short of the kinks)
RUN_TOL, RUN_KINK_TOL = 1e-6, 1e-6


@dataclass
class PlateauReport:
    """One plateau: where, the run's loss, the snapped exact point and its analysis."""
    start: int
    end: int
    center: int
    loss: float
    snap: object
    analysis: object

    def to_json(self):
        """The plateau as a JSON-ready dict: its steps, the run's loss, the exact loss of
        the stationary point it approaches and that point's analysis."""
        s, a = self.snap, self.analysis
        ex = s.exact_loss
        return {"start": self.start, "end": self.end, "center": self.center,
                "loss": repr(float(self.loss)), "exact_loss": s.loss_text(),
                "exact_loss_decimal": None if ex is None else _decimal(ex),
                "method": s.method, "loss_gap": repr(float(s.loss_gap)),
                "escape_neurons": a.escape_neurons if a else None,
                "d_stationary": a.d_stationary if a else None,
                "local_minimum": a.local_minimum if a else None,
                "certainty": a.certainty if a else None,
                "patterns": [{"neurons": p["members"], "pattern": list(p["pattern"])}
                             for p in s.patterns],
                "notes": s.notes}


def _decimal(x, digits=25):
    import mpmath
    from fractions import Fraction
    if isinstance(x, Fraction):
        with mpmath.workdps(digits + 10):
            return mpmath.nstr(mpmath.mpf(x.numerator) / x.denominator, digits)
    import sympy
    return str(sympy.N(x, digits))


def final_status(analysis):
    """A word for an analysed point: ``local minimum``, ``saddle``, ``not stationary`` or
    ``undecided``."""
    if not analysis.d_stationary:
        return "not stationary"
    if analysis.local_minimum is True:
        return "local minimum"
    if analysis.local_minimum is False:
        return "saddle"
    return "undecided"


@dataclass
class RunReport:
    """The analysis of a run (:func:`analyse_run`)."""
    config: dict
    plateaus: list
    final_loss: float
    final_snap: object
    final: object
    perturbation: dict
    groups: list
    balancedness_drift: float
    seconds: float
    steps_done: int
    notes: list = field(default_factory=list)

    @property
    def final_status(self):
        """The final point in a word (:func:`final_status`): ``local minimum``,
        ``saddle``, ``not stationary`` or ``undecided``."""
        return final_status(self.final)

    def plateau_sequence(self):
        """[(run's loss, exact loss text)] in order."""
        return [(p.loss, p.snap.loss_text()) for p in self.plateaus]

    def to_json(self):
        """The run as a JSON-ready dict: its configuration, the plateaus
        (:meth:`PlateauReport.to_json`), the final loss, exact and numerical, and the
        final point's classification."""
        return {"config": self.config, "steps_done": self.steps_done,
                "plateaus": [p.to_json() for p in self.plateaus],
                "final_loss": repr(float(self.final_loss)),
                "final_exact_loss": self.final_snap.loss_text(),
                "final_snapped_weights": (self.final_snap.net.to_json()
                                          if self.final_snap.net is not None else None),
                "final_status": self.final_status,
                "final": self.final.to_json(),
                "perturbation": {k: (v if isinstance(v, (int, str)) or v is None
                                     else repr(float(v)))
                                 for k, v in self.perturbation.items()},
                "groups": self.groups,
                "balancedness_drift": repr(float(self.balancedness_drift)),
                "seconds": f"{self.seconds:.2f}", "notes": self.notes}


def neuron_groups(W, H, amp_tol=1e-3, cos_tol=1e-4):
    """Grown neurons grouped by the direction of w_i (and, with scalar output, the sign of
    h_i): a list of ``{"neurons", "direction", "angle"}`` (angle in degrees for d = 2,
    else None)."""
    W = np.asarray(W, float)
    H = np.asarray(H, float)
    amp = np.linalg.norm(W, axis=1) * np.linalg.norm(H, axis=1)
    if amp.max(initial=0) == 0:
        return []
    out = []
    for i in np.argsort(-amp):
        if amp[i] <= amp_tol * amp.max():
            break
        w = W[i] / np.linalg.norm(W[i])
        h = H[i] / np.linalg.norm(H[i])
        for g in out:
            if w @ g["_w"] > 1 - cos_tol and (len(h) > 1 or h @ g["_h"] > 0):
                g["neurons"].append(int(i))
                break
        else:
            out.append({"neurons": [int(i)], "_w": w, "_h": h})
    for g in out:
        w = g.pop("_w")
        g.pop("_h")
        g["direction"] = [repr(float(v)) for v in w]
        g["angle"] = (repr(float(np.degrees(np.arctan2(w[1], w[0])) % 360))
                      if len(w) == 2 else None)
    return out


def _analyse_point(W, H, data, activation, target):
    s = snap_point(W, H, data, activation, target=target)
    if s.net is not None:
        return s, analyse(s.net, data, exact=True, clarke=False)
    from .network import Network
    return s, analyse(Network(np.array(W), np.array(H), activation), data, exact=False,
                      tol=RUN_TOL, kink_tol=RUN_KINK_TOL, clarke=False)


def analyse_run(tr, perturb_draws=5000, seed=0, progress=None):
    """Plateaus, exact losses, escape neurons, final classification and perturbation test
    of a run.

    Parameters
    ----------
    tr : Trajectory
    perturb_draws : int
        Random perturbations of the final point (0: none).
    seed : int
        Seed of the perturbations.

    Returns
    -------
    RunReport
    """
    data, act = tr.data, tr.activation
    lr = float(tr.config["lr"])
    reps = []
    for p in find_plateaus(tr.loss_steps, tr.losses, lr):
        k = int(np.argmin(np.abs(tr.snap_steps - p.center)))
        from .network import loss
        target = float(loss(tr.network(k), data))
        s, a = _analyse_point(tr.W_snaps[k], tr.H_snaps[k], data, act, target)
        reps.append(PlateauReport(p.start, p.end, int(tr.snap_steps[k]), target, s, a))
        if progress:
            progress(1)
    final_loss = tr.final_loss()
    fs, fa = _analyse_point(tr.W, tr.H, data, act, final_loss)
    pert = {"draws": 0}
    if perturb_draws:
        net = fs.net if fs.net is not None else tr.network()
        if fa.local_minimum and fa.alive_radius not in (None, math.inf):
            alive = [n.index for n in fa.neurons if n.status != "dead"]
            pert = perturbation_test(net, data, float(fa.alive_radius), perturb_draws, seed,
                                     neurons=alive)
            pert["scope"] = "alive neurons, within the certificate radius"
        else:
            pert = perturbation_test(net, data, 1e-4, perturb_draws, seed)
            pert["scope"] = "all parameters, radius 1e-4 (no certificate)"
    bal = tr.balancedness()
    notes = []
    if not reps:
        notes.append("no plateau detected")
    return RunReport(dict(tr.config), reps, final_loss, fs, fa, pert, neuron_groups(tr.W, tr.H),
                     float(np.abs(bal[-1] - bal[0]).max()), tr.seconds, tr.steps_done, notes)


def run_experiment(name, seed=0, steps=None, out=None, perturb_draws=5000, progress=None):
    """Run one of :data:`EXPERIMENTS` (optionally fewer steps) and analyse it.

    Returns
    -------
    (Trajectory, RunReport)
    """
    if name not in EXPERIMENTS:
        raise InputError(f"no experiment {name!r}: one of {', '.join(sorted(EXPERIMENTS))}")
    cfg = EXPERIMENTS[name]
    data = load_data(cfg["data"])
    tr = gradient_descent(data, cfg["width"], cfg["mu"], cfg["lr"], steps or cfg["steps"],
                          seed=seed, activation=RELU, out=out, progress=progress)
    return tr, analyse_run(tr, perturb_draws=perturb_draws, seed=seed)

