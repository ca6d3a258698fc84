r"""The students trained on samples, written once: the two-layer network
:math:`f(x; W) = \sum_i \sigma(w_i\cdot x)` and the three-layer network
:math:`f(x; W, U) = \mathbf 1^\top\sigma\bigl(U\,\sigma(Wx)\bigr)`, each against its
identity teacher; their residual on samples (the loss assembly), their per-sample
gradients by backpropagation, and the two estimates built on them: the minibatch gradient
of SGD (:func:`minibatch_gradient`) and the Monte Carlo loss and gradient of an end point
(:func:`monte_carlo`).  Everything is vectorised over leading axes (runs).

For the squared loss :math:`\ell = \tfrac12 r^2`, r = f(x) − f*(x), the gradient in a
weight matrix M of a layer is an outer product per sample,
:math:`\partial\ell/\partial M = a\,b^\top` (a: the back-propagated error of the layer's
units, b: the layer's input), so a network only gives the pairs (a, b)
(:meth:`TwoLayer.factors`); the minibatch gradient is :math:`A^\top B/n`, and the mean and
variance of the per-sample gradient follow from :math:`A^\top B/n` and
:math:`(A\circ A)^\top (B\circ B)/n` without forming the n × k × d array.

**Three layers.**  Student ``W`` (k × d), ``U`` (k × k); teacher :math:`W^* = U^* = I`
(k = d), which keeps the symmetry :math:`S_k` acting on the hidden units together with the
inputs.  The principle of least symmetry breaking (Arjevani & Field, arXiv:1912.11939) is
tested on the first layer, read up to the symmetries of the network that are not in
:math:`S_k\times S_d` (:func:`canonical`):

* ReLU is positively homogeneous, so :math:`w_i\mapsto c_i w_i`,
  :math:`u_{\cdot i}\mapsto u_{\cdot i}/c_i` (:math:`c_i > 0`) leaves f unchanged, and
  gradient flow conserves :math:`|w_i|^2 - |u_{\cdot i}|^2` (Du, Hu & Lee 2018,
  "Algorithmic regularization in learning deep homogeneous models", NeurIPS,
  arXiv:1806.00900): a trained ``W`` keeps the random imbalance of its start.  Worse, with
  the identity teacher the second ReLU only ever sees non-negative inputs, so every ``U``
  with non-negative entries and column sums :math:`s_i`, with :math:`w_i = e_{\pi(i)}/s_i`,
  is a global minimum: the global minima form a manifold on which the raw ``W`` has no
  particular isotropy.  The representative read is therefore the one with unit rows
  (:math:`c_i = 1/|w_i|`), i.e. the directions of the hidden units: a permutation matrix
  at every global minimum (isotropy conjugate to :math:`\Delta S_k`).
* tanh and erf are odd: :math:`(w_i, u_{\cdot i})\mapsto(-w_i, -u_{\cdot i})` leaves f
  unchanged; the representative has the largest entry of each row (in absolute value)
  positive.

>>> rng = np.random.default_rng(0)
>>> net = TwoLayer("relu")
>>> X = rng.standard_normal((4000, 3))
>>> est = monte_carlo(net, [np.eye(3)], X)               # the global minimum
>>> float(est["loss"]), float(est["gradient_norm"])
(0.0, 0.0)
"""
from __future__ import annotations

import numpy as np

from .laws import activation

__all__ = ["TwoLayer", "ThreeLayer", "network_for", "minibatch_gradient", "monte_carlo",
           "deep_forward", "deep_gradients", "canonical"]


def _t(A):
    return np.swapaxes(A, -1, -2)


class TwoLayer:
    r"""The two-layer student :math:`f(x; W) = \sum_i \sigma(w_i\cdot x)` (W: k × d, unit
    output weights) against the teacher :math:`V = I_d`.

    Parameters
    ----------
    act : str
        The activation (:data:`~symcrit.landscape.laws.ACTIVATIONS`).
    """
    #: names of the parameters, in order
    names: tuple[str, ...] = ("W",)
    #: samples of the Monte Carlo estimate of an end point
    mc_samples = 200000

    def __init__(self, act):
        self.act = act
        self.sig, self.dsig = activation(act)

    def residual(self, X, params):
        """``(f(X) − f*(X), cache)`` for samples X (…, n, d)."""
        (W,) = params
        Z = X @ _t(W)
        return self.sig(Z).sum(-1) - self.sig(X).sum(-1), Z

    def factors(self, X, params, res, cache):
        r"""The pairs (A, B), one per parameter, with per-sample gradient
        :math:`a_b b_b^\top` of :math:`\tfrac12 r_b^2`: :math:`a = r\,\sigma'(Wx)`,
        b = x."""
        return [(res[..., None] * self.dsig(cache), X)]

    def export(self, params, finite):
        """The matrices a record keeps."""
        return {"W": params[0]}


class ThreeLayer(TwoLayer):
    r"""The three-layer student :math:`f(x) = \mathbf 1^\top\sigma(U\sigma(Wx))` (W: k × d,
    U: k × k) against the teacher :math:`W^* = U^* = I` (k = d); see the module docstring.
    """
    names = ("W", "U")
    mc_samples = 100000

    def residual(self, X, params):
        W, U = params
        Z1, H1, Z2, out = deep_forward(X, W, U, self.sig)
        k, d = W.shape[-2:]
        target = deep_forward(X, np.eye(k, d), np.eye(k), self.sig)[3]
        return out - target, (Z1, H1, Z2)

    def factors(self, X, params, res, cache):
        r"""Backpropagation: :math:`a_U = r\,\sigma'(Z_2)` with input :math:`H_1`,
        :math:`a_W = (a_U U)\circ\sigma'(Z_1)` with input x."""
        D1, D2 = _deep_errors(res, params[1], cache, self.dsig)
        return [(D1, X), (D2, cache[1])]

    def export(self, params, finite):
        """The canonical first and second layers (:func:`canonical`; the raw ones for a
        diverged run) and the raw ones."""
        W, U = params
        Wc, Uc = canonical(W, U, self.act) if finite else (W, U)
        return {"W": Wc, "U": Uc, "W_raw": W, "U_raw": U}


def network_for(cfg):
    """The student of a sweep: :class:`TwoLayer` or :class:`ThreeLayer` by ``cfg.depth``."""
    return (ThreeLayer if cfg.depth == 3 else TwoLayer)(cfg.activation)


def minibatch_gradient(network, params, X):
    r"""The gradient of :math:`\frac1{2n}\sum_b r_b^2` on the samples X (…, n, d), one
    array per parameter: :math:`A^\top B / n` for each pair of
    :meth:`~TwoLayer.factors`."""
    res, cache = network.residual(X, params)
    n = X.shape[-2]
    return [_t(A) @ B / n for A, B in network.factors(X, params, res, cache)]


def monte_carlo(network, params, X):
    r"""Monte Carlo estimates at one point (``params`` without a run axis) from the samples
    X (n × d).

    Returns
    -------
    dict
        ``loss`` (the mean of :math:`\tfrac12 r^2`), ``loss_stderr`` (its standard
        error), ``gradient_norm`` (the norm of the mean per-sample gradient) and
        ``gradient_noise_floor`` (the norm of the standard error of that mean: the
        gradient norm a critical point would show), all floats.
    """
    n = X.shape[0]
    res, cache = network.residual(X, params)
    sq = 0.5 * res ** 2
    norm2, var = 0.0, 0.0
    for A, B in network.factors(X, params, res, cache):
        g = A.T @ B / n
        second = (A * A).T @ (B * B) / n
        norm2 += (g * g).sum()
        var += (second - g * g).sum()
    return {"loss": sq.mean(), "loss_stderr": sq.std() / np.sqrt(n),
            "gradient_norm": np.sqrt(norm2),
            "gradient_noise_floor": np.sqrt(max(float(var), 0.0) / n)}


def deep_forward(X, W, U, sig):
    """Hidden values and output of the three-layer network for inputs X (…, B, d):
    ``(Z1, H1, Z2, f)`` with Z1 = X Wᵀ, H1 = σ(Z1), Z2 = H1 Uᵀ, f = Σ σ(Z2)."""
    Z1 = X @ _t(W)
    H1 = sig(Z1)
    Z2 = H1 @ _t(U)
    return Z1, H1, Z2, sig(Z2).sum(-1)


def deep_gradients(X, W, U, sig, dsig, target):
    r"""Gradients of :math:`\frac1{2B}\sum_b (f(x_b) - t_b)^2` in W and U (backpropagation,
    :meth:`ThreeLayer.factors`), batched over leading axes; returns ``(gW, gU, r)`` with r
    the residuals f − t.

    >>> from symcrit.landscape.laws import ACTIVATIONS
    >>> sig, dsig = ACTIVATIONS["tanh"]
    >>> X = np.random.default_rng(1).standard_normal((20, 2))
    >>> t = deep_forward(X, np.eye(2), np.eye(2), sig)[3]
    >>> gW, gU, r = deep_gradients(X, np.eye(2), np.eye(2), sig, dsig, t)
    >>> float(np.abs(gW).max()), float(np.abs(gU).max())
    (0.0, 0.0)
    """
    Z1, H1, Z2, out = deep_forward(X, W, U, sig)
    res = out - target
    D1, D2 = _deep_errors(res, U, (Z1, H1, Z2), dsig)
    n = X.shape[-2]
    return _t(D1) @ X / n, _t(D2) @ H1 / n, res


def _deep_errors(res, U, cache, dsig):
    """The back-propagated errors of the hidden units of both layers."""
    Z1, _, Z2 = cache
    D2 = res[..., None] * dsig(Z2)
    return (D2 @ U) * dsig(Z1), D2


def canonical(W, U, act):
    """The representative of (W, U) used to read the first layer's isotropy (see the
    module docstring): unit rows of W for ReLU, a sign convention for odd activations.

    >>> W, U = canonical(np.diag([2.0, 0.5]), np.ones((2, 2)), "relu")
    >>> W.tolist(), U.tolist()
    ([[1.0, 0.0], [0.0, 1.0]], [[2.0, 0.5], [2.0, 0.5]])
    """
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
