r"""Input laws and activations for teacher–student experiments beyond the standard Gaussian.

For a centred Gaussian input :math:`x\sim N(0,\Sigma)` and an activation σ, the expectation
:math:`K(u, v) = E[\sigma(u\cdot x)\,\sigma(v\cdot x)]` depends only on the Gram entries in
the covariance's inner product, :math:`g_{uu} = u^\top\Sigma u`, :math:`g_{vv}`,
:math:`g_{uv} = u^\top\Sigma v`, so the closed-form loss

.. math::

    L(W) = \tfrac12\sum_{ij}\alpha_i\alpha_j K(w_i, w_j) - \sum_{ij}\alpha_i\beta_j
           K(w_i, v_j) + \tfrac12\sum_{ij}\beta_i\beta_j K(v_i, v_j)

holds with:

* ReLU: the arc-cosine kernel (Cho & Saul 2009, "Kernel methods for deep learning"),
  :func:`symcrit.model.kernel.kernel`, written once for all number systems;
* erf: :math:`K = \frac{2}{\pi}\arcsin\frac{2g_{uv}}{\sqrt{(1+2g_{uu})(1+2g_{vv})}}`
  (Williams 1998, "Computation with infinite neural networks", Neural Comput. 10).

An equicorrelated covariance :math:`\Sigma = (1-\rho)I + \rho J` keeps the permutation
symmetry of the problem but is not a product law.  A centred Gaussian mixture
:math:`\sum_m \pi_m N(0, \Sigma_m)` gives the weighted sum of the kernels.  Laws without a
closed form (uniform on a cube or a sphere) and activations without one (softplus, tanh)
are trained by SGD on fresh samples (:mod:`symcrit.landscape.train`).

>>> import numpy as np
>>> law = GaussianLaw.equicorrelated(3, 0.2)
>>> W = np.eye(3); V = np.eye(3)
>>> float(closed_form_loss(W, V, law, "relu"))
0.0
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError
from ..model.kernel import kernel as relu_kernel, kernel_grad_coefficients
from ..systems import get_system

__all__ = ["GaussianLaw", "GaussianMixtureLaw", "SampledLaw", "make_law", "ACTIVATIONS",
           "closed_form_loss", "closed_form_gradient", "has_closed_form", "activation"]

FLOAT = get_system("float")


# ----------------------------------------------------------------------------- laws
@dataclass
class GaussianLaw:
    """A centred Gaussian N(0, Σ) in R^d."""
    cov: np.ndarray
    name: str = "gaussian"

    @classmethod
    def standard(cls, d):
        return cls(np.eye(d), "gaussian")

    @classmethod
    def equicorrelated(cls, d, rho):
        r"""Σ = (1-ρ) I + ρ J (positive definite for -1/(d-1) < ρ < 1)."""
        if not -1.0 / max(d - 1, 1) < rho < 1:
            raise InputError(f"equicorrelated covariance needs -1/(d-1) < rho < 1, got {rho}")
        return cls((1 - rho) * np.eye(d) + rho * np.ones((d, d)), f"equicorrelated({rho})")

    @property
    def d(self):
        return self.cov.shape[0]

    def components(self):
        return [(1.0, self.cov)]

    def sample(self, rng, shape):
        L = np.linalg.cholesky(self.cov)
        return rng.standard_normal(tuple(shape) + (self.d,)) @ L.T


@dataclass
class GaussianMixtureLaw:
    r"""A centred Gaussian mixture :math:`\sum_m \pi_m N(0, \Sigma_m)`."""
    weights: list
    covs: list
    name: str = "mixture"

    @property
    def d(self):
        return self.covs[0].shape[0]

    def components(self):
        return list(zip(self.weights, self.covs))

    def sample(self, rng, shape):
        n = int(np.prod(shape))
        which = rng.choice(len(self.weights), size=n, p=np.asarray(self.weights))
        out = np.empty((n, self.d))
        for m, C in enumerate(self.covs):
            idx = which == m
            out[idx] = rng.standard_normal((idx.sum(), self.d)) @ np.linalg.cholesky(C).T
        return out.reshape(tuple(shape) + (self.d,))


@dataclass
class SampledLaw:
    """A law known only through samples: ``uniform-cube`` (on [-√3, √3]^d, unit variance
    per coordinate) or ``uniform-sphere`` (radius √d)."""
    kind: str
    d: int
    name: str = field(default="")

    def __post_init__(self):
        if self.kind not in ("uniform-cube", "uniform-sphere"):
            raise InputError(f"unknown sampled law {self.kind!r}")
        self.name = self.name or self.kind

    def components(self):
        return None

    def sample(self, rng, shape):
        shape = tuple(shape) + (self.d,)
        if self.kind == "uniform-cube":
            return rng.uniform(-np.sqrt(3), np.sqrt(3), size=shape)
        x = rng.standard_normal(shape)
        return x / np.linalg.norm(x, axis=-1, keepdims=True) * np.sqrt(self.d)


def make_law(spec, d):
    r"""A law from a command-line spelling: ``gaussian``, ``equicorrelated:RHO``,
    ``mixture:S1,S2`` (two equal-weight centred components with covariances
    :math:`s_m^2 I`), ``uniform-cube``, ``uniform-sphere``.

    >>> float(make_law("equicorrelated:0.3", 4).cov[0, 1])
    0.3
    """
    from ..commands.common import parse_value
    spec = spec.strip()
    if spec == "gaussian":
        return GaussianLaw.standard(d)
    if spec.startswith("equicorrelated:"):
        rho = _number(spec.split(":", 1)[1], parse_value)
        return GaussianLaw.equicorrelated(d, rho)
    if spec.startswith("mixture:"):
        parts = spec.split(":", 1)[1].split(",")
        scales = [_number(p, parse_value) for p in parts]
        if len(scales) < 2 or any(s <= 0 for s in scales):
            raise InputError("mixture:S1,S2,... needs two or more positive scales")
        return GaussianMixtureLaw([1.0 / len(scales)] * len(scales),
                                  [s * s * np.eye(d) for s in scales],
                                  f"mixture({','.join(parts)})")
    if spec in ("uniform-cube", "uniform-sphere"):
        return SampledLaw(spec, d)
    raise InputError(f"unknown law {spec!r}: use gaussian, equicorrelated:RHO, "
                     "mixture:S1,S2, uniform-cube or uniform-sphere")


def _number(text, parse_value):
    t = text.strip()
    neg = t.startswith("-")
    v = float(parse_value(t.lstrip("-+"), text))
    return -v if neg else v


# ----------------------------------------------------------------------------- activations
def _softplus(z):
    return np.logaddexp(0.0, z)


def _sigmoid(z):
    return 0.5 * (1 + np.tanh(z / 2))


def _erf(z):
    from scipy.special import erf
    return erf(z)


def _erf_prime(z):
    return 2 / np.sqrt(np.pi) * np.exp(-z * z)


ACTIVATIONS = {
    "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(float)),
    "erf": (_erf, _erf_prime),
    "softplus": (_softplus, _sigmoid),
    "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
}


def activation(name):
    """``(σ, σ')`` for an activation name."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise InputError(f"unknown activation {name!r}: use one of "
                         f"{', '.join(ACTIVATIONS)}") from None


def has_closed_form(law, act):
    """Whether the loss has a closed form (Gaussian or centred mixture law, ReLU or erf)."""
    return law.components() is not None and act in ("relu", "erf")


# ----------------------------------------------------------------------------- kernels
def _gram_kernel(act, guu, gvv, guv):
    r"""K and its partial derivatives :math:`(K, \partial K/\partial g_{uu},
    \partial K/\partial g_{uv})` (arrays)."""
    if act == "relu":
        K = relu_kernel(FLOAT, guu, gvv, guv)
        cu, _, cuv = kernel_grad_coefficients(FLOAT, guu, gvv, guv)
        return K, cu / 2, cuv
    if act == "erf":
        a, b = 1 + 2 * guu, 1 + 2 * gvv
        den = np.sqrt(a * b)
        z = np.clip(2 * guv / den, -1.0, 1.0)
        K = 2 / np.pi * np.arcsin(z)
        dz = 2 / np.pi / np.sqrt(np.maximum(1 - z * z, 1e-300))
        return K, dz * (-z / a), dz * 2 / den
    raise InputError(f"no closed form for activation {act!r}")


def _pair_terms(A, B, cov, act):
    """Gram entries and kernel pieces for all pairs of rows of A (…, m, d), B (…, n, d)."""
    SA, SB = A @ cov, B @ cov
    guu = np.einsum("...id,...id->...i", SA, A)[..., :, None]
    gvv = np.einsum("...jd,...jd->...j", SB, B)[..., None, :]
    guv = SA @ np.swapaxes(B, -1, -2)
    guu, gvv = np.broadcast_to(guu, guv.shape), np.broadcast_to(gvv, guv.shape)
    return guu, gvv, guv, SA, SB


def closed_form_loss(W, V, law, act="relu", alpha=None, beta=None):
    """The loss ½E[(f_W - f_V)²] in closed form; W may carry leading batch axes (runs)."""
    W, V = np.asarray(W, float), np.asarray(V, float)
    alpha = np.ones(W.shape[-2]) if alpha is None else np.asarray(alpha, float)
    beta = np.ones(V.shape[-2]) if beta is None else np.asarray(beta, float)
    total = 0.0
    for pw, cov in law.components():
        Kww = _gram_kernel(act, *_pair_terms(W, W, cov, act)[:3])[0]
        Kwv = _gram_kernel(act, *_pair_terms(W, V, cov, act)[:3])[0]
        Kvv = _gram_kernel(act, *_pair_terms(V, V, cov, act)[:3])[0]
        total = total + pw * (0.5 * np.einsum("i,...ij,j->...", alpha, Kww, alpha)
                              - np.einsum("i,...ij,j->...", alpha, Kwv, beta)
                              + 0.5 * np.einsum("i,...ij,j->...", beta, Kvv, beta))
    return total


def closed_form_gradient(W, V, law, act="relu", alpha=None, beta=None):
    r"""The gradient of :func:`closed_form_loss` in W:
    :math:`\partial L/\partial w_i = \alpha_i\sum_j\alpha_j\partial_1K(w_i,w_j)
    - \alpha_i\sum_j\beta_j\partial_1K(w_i,v_j)`, with
    :math:`\partial_1K(u,v) = \Sigma(2K_{g_{uu}}u + K_{g_{uv}}v)`."""
    W, V = np.asarray(W, float), np.asarray(V, float)
    alpha = np.ones(W.shape[-2]) if alpha is None else np.asarray(alpha, float)
    beta = np.ones(V.shape[-2]) if beta is None else np.asarray(beta, float)
    G = np.zeros_like(W)
    for pw, cov in law.components():
        for other, coef in ((W, alpha), (V, -beta)):
            guu, gvv, guv, SA, SB = _pair_terms(W, other, cov, act)
            _, Kuu, Kuv = _gram_kernel(act, guu, gvv, guv)
            cw = (Kuu * coef[None, :]).sum(-1)                  # Σ_j coef_j 2K_uu · u
            G = G + pw * alpha[:, None] * (2 * cw[..., None] * SA
                                           + (Kuv * coef[None, :]) @ SB)
    return G
