r"""A three-layer student and teacher, trained by SGD (or Adam) on fresh samples.

Student :math:`f(x) = \mathbf 1^\top\sigma\bigl(U\,\sigma(Wx)\bigr)` with ``W`` (k × d) and
``U`` (k × k); teacher :math:`W^* = I`, :math:`U^* = I` (k = d), which keeps the symmetry
:math:`S_k` acting on the hidden units together with the inputs.  The principle of least
symmetry breaking is tested on the first layer: the isotropy of the trained ``W``
(:mod:`symcrit.landscape.detect`).  Gradients by backpropagation, vectorised over runs.

>>> from symcrit.landscape.train import TrainConfig
>>> recs = train_deep(TrainConfig(k=3, runs=2, depth=3, optimizer="sgd", max_iter=50), [0, 1])
>>> [r["reason"] for r in recs], len(recs[0]["U"])
(['max_iter', 'max_iter'], 3)
"""
from __future__ import annotations

import numpy as np

from .laws import activation, make_law

__all__ = ["train_deep", "deep_forward"]


def deep_forward(X, W, U, sig):
    """Hidden values and output for inputs X (…, B, d)."""
    Z1 = X @ np.swapaxes(W, -1, -2)
    H1 = sig(Z1)
    Z2 = H1 @ np.swapaxes(U, -1, -2)
    return Z1, H1, Z2, sig(Z2).sum(-1)


def train_deep(cfg, runs):
    from .train import _init
    law = make_law(cfg.law, cfg.d)
    sig, dsig = activation(cfg.activation)
    Wt, Ut = np.eye(cfg.k, cfg.d), np.eye(cfg.k)
    inits = [_init(cfg, r) for r in runs]
    W = np.stack([w for w, _, _ in inits])
    U = np.stack([u for _, u, _ in inits])
    rngs = [g for _, _, g in inits]
    params = [W, U]
    mom = [np.zeros_like(W), np.zeros_like(U)]
    vel = [np.zeros_like(W), np.zeros_like(U)]
    b1, b2, eps = 0.9, 0.999, 1e-12
    reason = ["max_iter"] * len(runs)
    for it in range(1, cfg.max_iter + 1):
        X = np.stack([law.sample(g, (cfg.batch,)) for g in rngs])        # (R, B, d)
        Z1, H1, Z2, out = deep_forward(X, W, U, sig)
        target = deep_forward(X, Wt, Ut, sig)[3]
        r = (out - target) / cfg.batch                                    # (R, B)
        D2 = r[..., None] * dsig(Z2)                                      # (R, B, k)
        gU = np.swapaxes(D2, -1, -2) @ H1                                 # (R, k, k)
        D1 = (D2 @ U) * dsig(Z1)                                          # (R, B, k)
        gW = np.swapaxes(D1, -1, -2) @ X                                  # (R, k, d)
        for P, G, m, v in zip(params, (gW, gU), mom, vel):
            if cfg.optimizer == "adam":
                m[:] = b1 * m + (1 - b1) * G
                v[:] = b2 * v + (1 - b2) * G * G
                P -= cfg.lr * (m / (1 - b1 ** it)) / (np.sqrt(v / (1 - b2 ** it)) + eps)
            else:
                P -= cfg.lr * G
        if not (np.isfinite(W).all() and np.isfinite(U).all()):
            bad = ~(np.isfinite(W).all(axis=(1, 2)) & np.isfinite(U).all(axis=(1, 2)))
            for j in np.flatnonzero(bad):
                reason[j] = "diverged"
            if bad.all():
                break
    out = []
    for j, run in enumerate(runs):
        g = np.random.default_rng([cfg.seed, run, 1])
        X = law.sample(g, (100000,))
        res = deep_forward(X, W[j], U[j], sig)[3] - deep_forward(X, Wt, Ut, sig)[3]
        loss = float(0.5 * np.mean(res ** 2))
        out.append({"run": int(run), "seed": [cfg.seed, int(run)], "loss": repr(loss),
                    "gradient_norm": repr(float("nan")),
                    "loss_method": "Monte Carlo (1e5 samples)", "iterations": cfg.max_iter,
                    "reason": reason[j],
                    "W": [[repr(float(x)) for x in row] for row in W[j]],
                    "U": [[repr(float(x)) for x in row] for row in U[j]]})
    return out
