r"""Full-batch gradient descent from a vanishing initialisation: the runs behind the
saddle-to-saddle dynamics, resumable, with the loss, snapshots of the weights, the
balancedness and the neuron directions along the run.

Every weight starts i.i.d. :math:`\mathcal N(0, \sigma^2)` with :math:`\sigma = m^{\mu}`
(μ < 0: the smaller, the closer to the vanishing-initialisation limit), and

.. math::

    W \leftarrow W - \eta\, \partial L/\partial W, \qquad
    H \leftarrow H - \eta\, \partial L/\partial H

with the loss of :mod:`.network` (on a kink the slope b is used, as for ReLU in autodiff
frameworks).  Gradient flow conserves the balancedness :math:`|w_i|^2 - |h_i|^2` of every
neuron (gradient descent up to O(η²) per step); from a vanishing start it stays
:math:`O(\sigma^2)`, so grown neurons have :math:`|w_i| \approx |h_i|`
(:meth:`Trajectory.balancedness`).

The inner loop is compiled (numba, ``cache=True``): one step costs a few microseconds at
m = 50, N = 5, against about 30 µs for the same step written as numpy calls.  The run is
cut into chunks; after each chunk the recorded losses and a snapshot of the weights are
appended to the ``out`` file (JSON lines, numbers as decimal strings that read back to
the same float64) — run the same call again with the same file to resume after an
interrupt.

Reference: Wu, Şimşek, Ged, "Loss landscape of shallow ReLU-like neural networks:
stationary points, saddle escape, and network embedding", ICLR 2025, arXiv:2402.05626
(Section 4: saddle-to-saddle dynamics from vanishing initialisation).

>>> from symcrit.finite import load_data
>>> tr = gradient_descent(load_data("wsg-2out"), width=4, mu=-1, lr=0.01, steps=200, seed=1)
>>> tr.steps_done, tr.losses.shape
(200, (200,))
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import numba
import numpy as np

from ..core import ConvergenceError, InputError
from .network import MAX_WIDTH, RELU, Network

__all__ = ["Trajectory", "gradient_descent", "initial_weights", "gd_steps", "MAX_STEPS",
           "MAX_WORK"]

#: the most gradient steps of one run
MAX_STEPS = 10 ** 8
#: the most multiply-adds of one run (steps · m · N · (d + d_out))
MAX_WORK = 2 * 10 ** 12
#: the most numbers kept in the snapshots of one run
MAX_SNAPSHOT_NUMBERS = 2 * 10 ** 7


@numba.njit(cache=True, fastmath=True)
def _gd_kernel(W, H, X, Y, a, b, lr, steps, losses):      # pragma: no cover - compiled
    m, d = W.shape
    N = X.shape[0]
    dout = H.shape[1]
    c = lr * 2.0 / (N * dout)
    A = np.empty((N, m))
    S = np.empty((N, m))
    R = np.empty((N, dout))
    gW = np.zeros((m, d))
    gH = np.zeros((m, dout))
    for k in range(steps):
        L = 0.0
        for n in range(N):
            for i in range(m):
                z = 0.0
                for j in range(d):
                    z += W[i, j] * X[n, j]
                s = a if z > 0 else b
                S[n, i] = s
                A[n, i] = s * z
            for o in range(dout):
                f = 0.0
                for i in range(m):
                    f += H[i, o] * A[n, i]
                r = f - Y[n, o]
                R[n, o] = r
                L += r * r
        losses[k] = L / (N * dout)
        gW[:, :] = 0.0
        gH[:, :] = 0.0
        for n in range(N):
            for i in range(m):
                e = 0.0
                for o in range(dout):
                    e += H[i, o] * R[n, o]
                    gH[i, o] += A[n, i] * R[n, o]
                e *= S[n, i]
                for j in range(d):
                    gW[i, j] += e * X[n, j]
        for i in range(m):
            for o in range(dout):
                H[i, o] -= c * gH[i, o]
            for j in range(d):
                W[i, j] -= c * gW[i, j]


def gd_steps(W, H, data, lr, steps, activation=RELU):
    """``steps`` full-batch gradient steps in place on float64 arrays W, H; returns the loss
    before each step (compiled loop).

    >>> from symcrit.finite import load_data
    >>> ds = load_data("wsg-1d")
    >>> W, H = np.zeros((1, 2)), np.zeros((1, 1))
    >>> bool(abs(gd_steps(W, H, ds, 0.1, 3)[0] - 953 / 25000) < 1e-15)    # the zero net
    True
    """
    losses = np.empty(int(steps))
    _gd_kernel(W, H, data.Xf, data.Yf, activation.af, activation.bf, float(lr), int(steps),
               losses)
    return losses


def initial_weights(m, d, d_out, mu, seed):
    """The start of a run: W (m × d) and H (m × d_out) i.i.d. N(0, (m^μ)²) from
    ``numpy.random.default_rng(seed)`` (W first)."""
    sigma = float(m) ** float(mu)
    rng = np.random.default_rng(seed)
    return rng.normal(0.0, sigma, (m, d)), rng.normal(0.0, sigma, (m, d_out))


@dataclass
class Trajectory:
    """A gradient-descent run: the loss every ``record_every`` steps and the weights every
    ``snapshot_every`` steps (and at the end)."""
    config: dict
    data: object
    activation: object
    loss_steps: np.ndarray
    losses: np.ndarray
    snap_steps: np.ndarray
    W_snaps: np.ndarray
    H_snaps: np.ndarray
    steps_done: int
    resumed_from: int = 0
    seconds: float = 0.0
    notes: list = field(default_factory=list)

    @property
    def W(self):
        """The input weights at the last snapshot (m × d, float64)."""
        return self.W_snaps[-1]

    @property
    def H(self):
        """The output weights at the last snapshot (m × d_out, float64)."""
        return self.H_snaps[-1]

    def network(self, k=-1):
        """The network at snapshot k (float64)."""
        return Network(self.W_snaps[k].copy(), self.H_snaps[k].copy(), self.activation, False)

    def final_loss(self):
        """The empirical loss of the last snapshot (float64)."""
        from .network import loss
        return float(loss(self.network(), self.data))

    def balancedness(self):
        """The balancedness ``|w_i|² − |h_i|²`` at every snapshot (snapshots × m)."""
        return (self.W_snaps ** 2).sum(axis=2) - (self.H_snaps ** 2).sum(axis=2)

    def amplitudes(self):
        """The norms ``(|w_i|, |h_i|)`` at every snapshot, two arrays snapshots × m."""
        return (np.linalg.norm(self.W_snaps, axis=2), np.linalg.norm(self.H_snaps, axis=2))

    def angles(self):
        """The direction of every w_i: its angle in [0, 2π) with (1, 0) when d = 2, else its
        angle with its own final direction (snapshots × m)."""
        Ws = self.W_snaps
        if Ws.shape[2] == 2:
            return np.mod(np.arctan2(Ws[:, :, 1], Ws[:, :, 0]), 2 * np.pi)
        fin = Ws[-1] / np.maximum(np.linalg.norm(Ws[-1], axis=1, keepdims=True), 1e-300)
        cur = Ws / np.maximum(np.linalg.norm(Ws, axis=2, keepdims=True), 1e-300)
        return np.arccos(np.clip((cur * fin[None]).sum(axis=2), -1, 1))


def _check(data, width, mu, lr, steps, seed):
    for name, v in (("--width", width), ("--steps", steps), ("--seed", seed)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise InputError(f"{name} must be an integer, got {v!r}")
    if not 1 <= width <= MAX_WIDTH:
        raise InputError(f"--width must be from 1 to {MAX_WIDTH}, got {width}")
    if not 1 <= steps <= MAX_STEPS:
        raise InputError(f"--steps must be from 1 to {MAX_STEPS}, got {steps}")
    if seed < 0:
        raise InputError(f"--seed must be non-negative, got {seed}")
    for name, v in (("--lr", lr), ("--mu", mu)):
        if isinstance(v, bool) or not isinstance(v, (int, float, np.floating, np.integer)) \
                or not math.isfinite(float(v)):
            raise InputError(f"{name} must be a finite number, got {v!r}")
    if not 0 < float(lr) <= 10:
        raise InputError(f"--lr must be in (0, 10], got {lr}")
    if not -50 <= float(mu) <= 5:
        raise InputError(f"--mu must be in [-50, 5], got {mu}")
    sigma = float(width) ** float(mu)
    if not (1e-150 <= sigma <= 1e3):
        raise InputError(f"the initial scale m^mu = {sigma:g} is out of range [1e-150, 1e3]")
    work = steps * width * data.N * (data.d + data.d_out)
    if work > MAX_WORK:
        raise InputError(f"the run needs {work:.2g} multiply-adds (at most {MAX_WORK:.0e}: "
                         "fewer steps, neurons or data)")


def _data_key(data):
    text = json.dumps(data.to_json()["inputs"]) + json.dumps(data.to_json()["outputs"])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def gradient_descent(data, width, mu, lr, steps, seed=0, activation=RELU, out=None,
                     record_every=None, snapshot_every=None, progress=None):
    """Run full-batch gradient descent from N(0, (m^μ)²) (resumable).

    Parameters
    ----------
    data : Dataset
    width : int
        m, the number of hidden neurons (at most :data:`~symcrit.finite.network.MAX_WIDTH`).
    mu : float
        The initial scale is m^μ.
    lr : float
        Step size η, finite, in (0, 10].
    steps : int
        Number of steps (at most :data:`MAX_STEPS`; the work is bounded by
        :data:`MAX_WORK`).
    seed : int
    activation : Activation
    out : str or Path, optional
        JSON-lines file written as the run goes (one line per chunk, flushed); an existing
        file for the same run is resumed, one for another run is refused.
    record_every, snapshot_every : int, optional
        Loss recorded every ``record_every`` steps (default: about 20000 values), weights
        every ``snapshot_every`` steps (default: about 600 snapshots).
    progress : callable, optional
        Called with the number of steps done after each chunk.

    Returns
    -------
    Trajectory

    Raises
    ------
    InputError
        Bad or out-of-range parameters, an ``out`` file of another run.
    ConvergenceError
        The loss became non-finite (the step is too large).
    """
    data_key = _data_key(data)
    _check(data, width, mu, lr, steps, seed)
    m, d, k = int(width), data.d, data.d_out
    rec = int(record_every or max(1, steps // 20000))
    nsnap = max(1, min(600, MAX_SNAPSHOT_NUMBERS // (m * (d + k))))
    snap = int(snapshot_every or max(rec, -(-steps // nsnap)))
    snap = max(rec, (snap // rec) * rec)
    if rec < 1 or snap < 1 or steps // snap + 2 > MAX_SNAPSHOT_NUMBERS // (m * (d + k)):
        raise InputError("too many snapshots for the memory limit: raise --snapshot-every")
    config = {"data": data.name, "data_sha256": data_key, "width": m, "mu": repr(float(mu)),
              "lr": repr(float(lr)), "steps": int(steps), "seed": int(seed),
              "activation": activation.to_json(), "record_every": rec,
              "snapshot_every": snap}
    W, H = initial_weights(m, d, k, mu, seed)
    loss_steps, losses, snap_steps, Ws, Hs = [], [], [0], [W.copy()], [H.copy()]
    done = 0
    fh = None
    if out is not None:
        done, W, H = _resume(Path(out), config, loss_steps, losses, snap_steps, Ws, Hs, W, H)
        fh = open(out, "a", encoding="utf-8")
        if done == 0 and Path(out).stat().st_size == 0:
            fh.write(json.dumps({"kind": "symcrit finite dynamics", "config": config}) + "\n")
            fh.flush()
    start = done
    t0 = time.perf_counter()
    try:
        while done < steps:
            n = min(snap, steps - done)
            L = gd_steps(W, H, data, lr, n, activation)
            if not np.isfinite(L).all() or not (np.isfinite(W).all() and np.isfinite(H).all()):
                bad = done + int(np.argmax(~np.isfinite(L))) if not np.isfinite(L).all() \
                    else done + n
                raise ConvergenceError(f"gradient descent diverged at step {bad} (the loss is "
                                       f"not finite): lower the learning rate {lr}")
            sel = np.arange(done, done + n)
            keep = sel % rec == 0
            loss_steps.extend(sel[keep].tolist())
            losses.extend(L[keep].tolist())
            done += n
            snap_steps.append(done)
            Ws.append(W.copy())
            Hs.append(H.copy())
            if fh is not None:
                fh.write(json.dumps({"step": done, "loss_steps": [int(s) for s in sel[keep]],
                                     "losses": [repr(float(x)) for x in L[keep]],
                                     "W": [[repr(float(v)) for v in r] for r in W],
                                     "H": [[repr(float(v)) for v in r] for r in H]}) + "\n")
                fh.flush()
            if progress is not None:
                progress(n)
    finally:
        if fh is not None:
            fh.flush()
            os.fsync(fh.fileno())
            fh.close()
    return Trajectory(config, data, activation, np.array(loss_steps), np.array(losses),
                      np.array(snap_steps), np.array(Ws), np.array(Hs), done,
                      resumed_from=start, seconds=time.perf_counter() - t0)


def _resume(path, config, loss_steps, losses, snap_steps, Ws, Hs, W, H):
    """Read an existing run file: its complete chunks are taken over, a truncated last line
    (an interrupt while writing) is dropped."""
    if not path.exists() or path.stat().st_size == 0:
        path.touch()
        return 0, W, H
    with open(path, encoding="utf-8") as fh:
        lines = fh.readlines()
    try:
        head = json.loads(lines[0])
    except (json.JSONDecodeError, IndexError):
        raise InputError(f"{path}: not a symcrit dynamics file (remove it or use another "
                         "--out)") from None
    if not isinstance(head, dict) or head.get("config") != config:
        raise InputError(f"{path} was written for another run (different data or "
                         "settings): use another --out or the same settings to resume")
    good = 1
    done = 0
    for line in lines[1:]:
        try:
            rec = json.loads(line)
            step = int(rec["step"])
            Wn = np.array([[float(v) for v in r] for r in rec["W"]])
            Hn = np.array([[float(v) for v in r] for r in rec["H"]])
            ls = [int(s) for s in rec["loss_steps"]]
            lv = [float(v) for v in rec["losses"]]
        except (json.JSONDecodeError, KeyError, TypeError, ValueError):
            break
        if Wn.shape != W.shape or Hn.shape != H.shape or step <= done:
            break
        loss_steps.extend(ls)
        losses.extend(lv)
        snap_steps.append(step)
        Ws.append(Wn)
        Hs.append(Hn)
        W, H, done = Wn.copy(), Hn.copy(), step
        good += 1
    if good < len(lines):                      # drop a truncated tail
        with open(path, "w", encoding="utf-8") as fh:
            fh.writelines(lines[:good])
    return done, W, H
