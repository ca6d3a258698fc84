r"""A three-layer student and teacher, trained by SGD (or Adam) on fresh samples.

Student :math:`f(x) = \mathbf 1^\top\sigma\bigl(U\,\sigma(Wx)\bigr)` with ``W`` (k × d) and
``U`` (k × k); teacher :math:`W^* = I`, :math:`U^* = I` (k = d), which keeps the symmetry
:math:`S_k` acting on the hidden units together with the inputs.  The principle of least
symmetry breaking is tested on the first layer: the isotropy of the trained ``W``
(:mod:`symcrit.landscape.detect`).  Gradients by backpropagation, vectorised over runs.

The first layer is read up to the symmetries of the network that are not in
:math:`S_k\times S_d`:

* ReLU is positively homogeneous, so :math:`w_i\mapsto c_i w_i`,
  :math:`u_{\cdot i}\mapsto u_{\cdot i}/c_i` (:math:`c_i > 0`) leaves f unchanged, and
  gradient flow conserves :math:`|w_i|^2 - |u_{\cdot i}|^2` (Du, Hu & Lee 2018,
  "Algorithmic regularization in learning deep homogeneous models", NeurIPS): a trained
  ``W`` keeps the random imbalance of its start.  Worse, with the identity teacher the
  second ReLU only ever sees non-negative inputs, so every ``U`` with non-negative entries
  and column sums :math:`s_i`, with :math:`w_i = e_{\pi(i)}/s_i`, is a global minimum: the
  global minima form a manifold on which the raw ``W`` has no particular isotropy.  The
  record's ``W`` is therefore the representative with unit rows (:math:`c_i = 1/|w_i|`),
  i.e. the directions of the hidden units: a permutation matrix at every global minimum
  (isotropy conjugate to :math:`\Delta S_k`).
* tanh and erf are odd: :math:`(w_i, u_{\cdot i})\mapsto(-w_i, -u_{\cdot i})` leaves f
  unchanged; the record's ``W`` has the largest entry of each row (in absolute value)
  positive.

The raw parameters are kept as ``W_raw`` and ``U_raw``.

There is no closed form: runs stop at ``max_iter``; the final loss and gradient norm are
Monte Carlo estimates (with the standard error of the loss and the noise floor of the
gradient norm).

>>> from symcrit.landscape.train import TrainConfig
>>> recs = train_deep(TrainConfig(k=3, runs=2, depth=3, optimizer="sgd", max_iter=50), [0, 1])
>>> [r["reason"] for r in recs], len(recs[0]["U"])
(['max_iter', 'max_iter'], 3)
"""
from __future__ import annotations

import numpy as np

from .laws import activation, make_law

__all__ = ["train_deep", "deep_forward", "deep_gradients", "canonical"]


def deep_forward(X, W, U, sig):
    """Hidden values and output for inputs X (…, B, d)."""
    Z1 = X @ np.swapaxes(W, -1, -2)
    H1 = sig(Z1)
    Z2 = H1 @ np.swapaxes(U, -1, -2)
    return Z1, H1, Z2, sig(Z2).sum(-1)


def deep_gradients(X, W, U, sig, dsig, target):
    r"""Gradients of :math:`\frac1{2B}\sum_b (f(x_b) - t_b)^2` in W and U (backpropagation),
    batched over leading axes."""
    Z1, H1, Z2, out = deep_forward(X, W, U, sig)
    r = (out - target) / X.shape[-2]
    D2 = r[..., None] * dsig(Z2)
    gU = np.swapaxes(D2, -1, -2) @ H1
    D1 = (D2 @ U) * dsig(Z1)
    gW = np.swapaxes(D1, -1, -2) @ X
    return gW, gU, r * X.shape[-2]


def canonical(W, U, act):
    """The representative of (W, U) used to read the first layer's isotropy (see the
    module docstring): unit rows of W for ReLU, a sign convention for odd activations."""
    W, U = np.array(W, float), np.array(U, float)
    if act == "relu":
        c = np.linalg.norm(W, axis=-1)
        c = np.where(c > 0, c, 1.0)
        return W / c[..., :, None], U * c[..., None, :]
    if act in ("tanh", "erf"):
        idx = np.argmax(np.abs(W), axis=-1)
        sgn = np.sign(np.take_along_axis(W, idx[..., None], axis=-1))[..., 0]
        sgn = np.where(sgn == 0, 1.0, sgn)
        return W * sgn[..., :, None], U * sgn[..., None, :]
    return W, U


def train_deep(cfg, runs):
    from .train import _init, _matrix, _s
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
    live = np.ones(len(runs), bool)
    for it in range(1, cfg.max_iter + 1):
        X = np.stack([law.sample(g, (cfg.batch,)) for g in rngs])        # (R, B, d)
        target = deep_forward(X, Wt, Ut, sig)[3]
        gW, gU, _ = deep_gradients(X, W, U, sig, dsig, target)
        for P, G, m, v in zip(params, (gW, gU), mom, vel):
            G[~live] = 0.0                                   # diverged runs stay put
            if cfg.optimizer == "adam":
                m[:] = b1 * m + (1 - b1) * G
                v[:] = b2 * v + (1 - b2) * G * G
                P -= cfg.lr * (m / (1 - b1 ** it)) / (np.sqrt(v / (1 - b2 ** it)) + eps)
            else:
                P -= cfg.lr * G
        bad = live & ~(np.isfinite(W).all(axis=(1, 2)) & np.isfinite(U).all(axis=(1, 2)))
        for j in np.flatnonzero(bad):
            reason[j] = "diverged"
            live[j] = False
        if not live.any():
            break
    out = []
    n = 100000
    for j, run in enumerate(runs):
        rec = {"run": int(run), "seed": [cfg.seed, int(run)]}
        if live[j]:
            g = np.random.default_rng([cfg.seed, run, 1])
            X = law.sample(g, (n,))
            target = deep_forward(X, Wt, Ut, sig)[3]
            Z1, H1, Z2, f = deep_forward(X, W[j], U[j], sig)
            res = f - target
            sq = 0.5 * res ** 2
            # per-sample gradients, for the mean and its noise floor
            D2 = res[:, None] * dsig(Z2)                                 # (n, k)
            gU = D2[:, :, None] * H1[:, None, :]
            D1 = (D2 @ U[j]) * dsig(Z1)
            gW = D1[:, :, None] * X[:, None, :]
            gm = np.concatenate([gW.mean(0).ravel(), gU.mean(0).ravel()])
            floor = np.sqrt((gW.var(0).sum() + gU.var(0).sum()) / n)
            Wb, Ub = canonical(W[j], U[j], cfg.activation)
            rec.update(loss=_s(sq.mean()), loss_stderr=_s(sq.std() / np.sqrt(n)),
                       gradient_norm=_s(np.sqrt(gm @ gm)), gradient_noise_floor=_s(floor),
                       loss_method=f"Monte Carlo ({n} samples)")
        else:
            Wb, Ub = W[j], U[j]
            rec.update(loss="nan", gradient_norm="nan", loss_method="diverged")
        rec.update(iterations=cfg.max_iter if live[j] else it, reason=reason[j],
                   W=_matrix(Wb), U=_matrix(Ub), W_raw=_matrix(W[j]), U_raw=_matrix(U[j]))
        out.append(rec)
    return out
