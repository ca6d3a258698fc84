r"""Training ensembles for the teacher–student problem: many independent runs of gradient
descent on the closed-form loss, SGD on fresh samples, or Adam, vectorised over runs.

The student :math:`f(x; W) = \sum_i \sigma(w_i\cdot x)` (k neurons, inputs in
:math:`R^d`) is fitted to the teacher :math:`V = I_d` (d neurons) — the setting of Safran &
Shamir (2018) and Arjevani & Field (2021) — under a law of the inputs
(:mod:`symcrit.landscape.laws`).  Initialisation: Xavier (:math:`N(0, 1/d)` entries, i.e.
variance :math:`2/(\text{fan-in}+\text{fan-out})` with fan-out 1 … here the common
:math:`1/d`) or He (:math:`N(0, 2/d)`), each run with its own seed
``seed + run``, so any run can be reproduced alone.  Stopping: the gradient norm below
``gtol`` (closed-form gradient; for SGD checked every ``check_every`` steps) or
``max_iter`` steps; a run whose loss becomes non-finite stops with reason ``diverged``.

Runs are split into chunks, run on a local process pool (all cores by default) or on a Dask
cluster (``scheduler="tcp://..."``, or a :class:`distributed.Client`); each finished chunk
is appended to a JSON-lines file at once, so an interrupted sweep loses nothing and
:func:`run_ensemble` with the same file resumes with the missing runs only.

>>> cfg = TrainConfig(k=4, runs=3, optimizer="gd", max_iter=3000, seed=1)
>>> recs = run_ensemble(cfg, workers=1)
>>> sorted(r["run"] for r in recs), all(r["reason"] in REASONS for r in recs)
([0, 1, 2], True)
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from ..errors import InputError
from .laws import (activation, closed_form_gradient, closed_form_loss, has_closed_form,
                   make_law)

__all__ = ["TrainConfig", "run_ensemble", "train_runs", "load_records", "REASONS",
           "OPTIMIZERS"]

REASONS = ("gradient", "max_iter", "diverged")
OPTIMIZERS = ("gd", "sgd", "adam")


@dataclass
class TrainConfig:
    """One sweep: problem (k, d, law, activation, depth), optimiser and stopping rule."""
    k: int
    runs: int = 10
    d: int | None = None
    optimizer: str = "gd"
    law: str = "gaussian"
    activation: str = "relu"
    depth: int = 2
    init: str = "xavier"
    lr: float | None = None
    max_iter: int = 20000
    gtol: float = 1e-8
    batch: int = 256
    check_every: int = 100
    seed: int = 0

    def __post_init__(self):
        self.d = self.k if self.d is None else self.d
        if not (1 <= self.k <= 1000 and 1 <= self.d <= 1000):
            raise InputError(f"k and d must be between 1 and 1000, got k = {self.k}, "
                             f"d = {self.d}")
        if self.runs < 1:
            raise InputError(f"runs must be positive, got {self.runs}")
        if self.optimizer not in OPTIMIZERS:
            raise InputError(f"unknown optimizer {self.optimizer!r}: use gd, sgd or adam")
        if self.init not in ("xavier", "he"):
            raise InputError(f"unknown init {self.init!r}: use xavier or he")
        if self.depth not in (2, 3):
            raise InputError(f"depth must be 2 or 3, got {self.depth}")
        activation(self.activation)
        make_law(self.law, self.d)
        if self.lr is None:
            self.lr = {"gd": 2.0 / (self.k + 4), "sgd": 0.5 / (self.k + 4),
                       "adam": 0.01}[self.optimizer]
        if not self.lr > 0:
            raise InputError(f"the learning rate must be positive, got {self.lr}")
        if self.max_iter < 1 or self.batch < 1:
            raise InputError("max_iter and batch must be positive")
        if self.optimizer == "gd" and self.depth == 2 and not has_closed_form(
                make_law(self.law, self.d), self.activation):
            raise InputError(f"gradient descent needs a closed-form loss; law {self.law!r} "
                             f"with activation {self.activation!r} has none: use "
                             "--optimizer sgd or adam")

    def key(self):
        """What identifies the sweep in a results file (everything but the run count)."""
        d = asdict(self)
        d.pop("runs")
        return d


# ----------------------------------------------------------------------------- training
def _init(cfg, run):
    rng = np.random.default_rng([cfg.seed, run])
    scale = np.sqrt((1.0 if cfg.init == "xavier" else 2.0) / cfg.d)
    W = rng.standard_normal((cfg.k, cfg.d)) * scale
    extra = None
    if cfg.depth == 3:
        extra = np.eye(cfg.k) + rng.standard_normal((cfg.k, cfg.k)) * np.sqrt(1.0 / cfg.k)
    return W, extra, rng


def train_runs(cfg, runs):
    """Train the runs ``runs`` (a list of run indices) together; returns their records."""
    if cfg.depth == 3:
        from .deep import train_deep
        return train_deep(cfg, runs)
    law = make_law(cfg.law, cfg.d)
    sig, dsig = activation(cfg.activation)
    closed = has_closed_form(law, cfg.activation)
    V = np.eye(cfg.d)
    inits = [_init(cfg, r) for r in runs]
    W = np.stack([w for w, _, _ in inits])                       # (R, k, d)
    rngs = [g for _, _, g in inits]
    R = len(runs)
    active = np.ones(R, bool)
    reason = np.array(["max_iter"] * R, dtype=object)
    iters = np.full(R, cfg.max_iter)
    m = np.zeros_like(W)
    v = np.zeros_like(W)
    b1, b2, eps = 0.9, 0.999, 1e-12

    def sampled_grad(Wa, idx):
        X = np.stack([law.sample(rngs[i], (cfg.batch,)) for i in idx])   # (r, B, d)
        Z = X @ np.swapaxes(Wa, -1, -2)                                   # (r, B, k)
        res = sig(Z).sum(-1) - sig(X @ V.T).sum(-1)                       # (r, B)
        return np.einsum("rb,rbk,rbd->rkd", res, dsig(Z), X) / cfg.batch

    for it in range(1, cfg.max_iter + 1):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        Wa = W[idx]
        exact = closed and cfg.optimizer in ("gd", "adam")
        G = closed_form_gradient(Wa, V, law, cfg.activation) if exact else \
            sampled_grad(Wa, idx)
        if cfg.optimizer == "adam":
            m[idx] = b1 * m[idx] + (1 - b1) * G
            v[idx] = b2 * v[idx] + (1 - b2) * G * G
            step = cfg.lr * (m[idx] / (1 - b1 ** it)) / (np.sqrt(v[idx] / (1 - b2 ** it)) + eps)
        else:
            step = cfg.lr * G
        W[idx] = Wa - step
        bad = ~np.isfinite(W[idx]).all(axis=(1, 2))
        for j in np.flatnonzero(bad):
            active[idx[j]] = False
            reason[idx[j]] = "diverged"
            iters[idx[j]] = it
        check = exact or (closed and it % cfg.check_every == 0)
        if check:
            Gc = G if exact else closed_form_gradient(W[idx], V, law, cfg.activation)
            gn = np.sqrt((Gc * Gc).sum(axis=(1, 2)))
            for j in np.flatnonzero((gn < cfg.gtol) & ~bad):
                active[idx[j]] = False
                reason[idx[j]] = "gradient"
                iters[idx[j]] = it
    out = []
    for j, r in enumerate(runs):
        Wj = W[j]
        ok = np.isfinite(Wj).all()
        if closed and ok:
            loss = float(closed_form_loss(Wj, V, law, cfg.activation))
            G = closed_form_gradient(Wj, V, law, cfg.activation)
            gnorm = float(np.sqrt((G * G).sum()))
            how = "closed form"
        elif ok:
            rng = np.random.default_rng([cfg.seed, r, 1])
            X = law.sample(rng, (200000,))
            res = sig(X @ Wj.T).sum(-1) - sig(X @ V.T).sum(-1)
            loss = float(0.5 * np.mean(res ** 2))
            G = np.einsum("b,bk,bd->kd", res, dsig(X @ Wj.T), X) / X.shape[0]
            gnorm = float(np.sqrt((G * G).sum()))
            how = "Monte Carlo (2e5 samples)"
        else:
            loss, gnorm, how = float("nan"), float("nan"), "diverged"
        out.append({"run": int(r), "seed": [cfg.seed, int(r)], "loss": repr(loss),
                    "gradient_norm": repr(gnorm), "loss_method": how,
                    "iterations": int(iters[j]), "reason": str(reason[j]),
                    "W": [[repr(float(x)) for x in row] for row in Wj]})
    return out


# ----------------------------------------------------------------------------- sweeps
def load_records(path, cfg=None):
    """Records of a JSON-lines results file (the first line is the sweep's header);
    ``cfg``: refuse a file written for another sweep."""
    path = Path(path)
    if not path.exists():
        return []
    recs = []
    with path.open() as fh:
        for n, line in enumerate(fh):
            line = line.strip()
            if not line:
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError:
                if n > 0:               # a line cut by an interruption: ignore it
                    continue
                raise InputError(f"{path}: not a symcrit results file") from None
            if n == 0:
                if "sweep" not in obj:
                    raise InputError(f"{path}: not a symcrit results file (no header)")
                if cfg is not None and obj["sweep"] != cfg.key():
                    raise InputError(f"{path} holds another sweep ({obj['sweep']}); use "
                                     "another --out file")
                continue
            recs.append(obj)
    return recs


def _chunks(items, size):
    return [items[i:i + size] for i in range(0, len(items), size)]


def run_ensemble(cfg, out=None, workers=None, scheduler=None, chunk=None, progress=None):
    """Run the sweep ``cfg``; returns all records (sorted by run).  ``out``: a JSON-lines
    file written incrementally and resumed from; ``workers``: local processes (default
    all cores); ``scheduler``: a Dask scheduler address or Client (then ``workers`` is
    ignored); ``progress(n)`` is called with the number of runs finished."""
    done = load_records(out, cfg) if out else []
    have = {r["run"] for r in done}
    todo = [r for r in range(cfg.runs) if r not in have]
    if out and not Path(out).exists():
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        with open(out, "w") as fh:
            fh.write(json.dumps({"sweep": cfg.key(), "format": "symcrit-train-1"}) + "\n")
    if out and Path(out).exists() and Path(out).stat().st_size:
        with open(out, "rb+") as fh:               # a line cut by an interruption ends here
            fh.seek(-1, os.SEEK_END)
            if fh.read(1) != b"\n":
                fh.write(b"\n")
    if progress and done:
        progress(len(done))
    workers = workers or os.cpu_count() or 1
    size = chunk or max(1, min(32, -(-len(todo) // max(1, workers * 2))))
    parts = _chunks(todo, size)
    records = list(done)

    def finish(recs):
        records.extend(recs)
        if out:
            with open(out, "a") as fh:
                for r in recs:
                    fh.write(json.dumps(r) + "\n")
                fh.flush()
        if progress:
            progress(len(recs))

    if not parts:
        pass
    elif scheduler is not None:
        from distributed import Client, as_completed as dask_completed
        client = scheduler if isinstance(scheduler, Client) else Client(scheduler)
        try:
            futs = client.map(train_runs, [cfg] * len(parts), parts, pure=False)
            for fut in dask_completed(futs):
                finish(fut.result())
        finally:
            if client is not scheduler:
                client.close()
    elif workers == 1 or len(parts) == 1:
        for p in parts:
            finish(train_runs(cfg, p))
    else:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor, as_completed
        ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            futs = [pool.submit(train_runs, cfg, p) for p in parts]
            for fut in as_completed(futs):
                finish(fut.result())
    return sorted(records, key=lambda r: r["run"])
