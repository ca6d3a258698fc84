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
  (Williams 1997, "Computing with infinite networks", NIPS 9; Williams 1998,
  "Computation with infinite neural networks", Neural Comput. 10).

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

from ..core import FLOAT, InputError, parse_value
from ..model import (kernel as relu_kernel, kernel_grad_coefficients,
                     unit_grad_coefficients_float)

__all__ = ["GaussianLaw", "GaussianMixtureLaw", "SampledLaw", "make_law", "ACTIVATIONS",
           "ClosedForm", "closed_form_loss", "closed_form_gradient", "has_closed_form",
           "activation", "LOSS_ROUNDOFF"]

#: the round-off tolerated below 0 in a closed-form loss, relative to the teacher's term
#: ½βKβ (:meth:`ClosedForm.loss`): such values are returned as 0
LOSS_ROUNDOFF = 1e-12


# ----------------------------------------------------------------------------- laws
@dataclass
class GaussianLaw:
    """A centred Gaussian N(0, Σ) in R^d."""
    cov: np.ndarray
    name: str = "gaussian"

    @classmethod
    def standard(cls, d):
        """The standard Gaussian N(0, I_d) of the papers."""
        return cls(np.eye(d), "gaussian")

    @classmethod
    def equicorrelated(cls, d, rho):
        r"""Σ = (1-ρ) I + ρ J (positive definite for -1/(d-1) < ρ < 1)."""
        if not -1.0 / max(d - 1, 1) < rho < 1:
            raise InputError(f"equicorrelated covariance needs -1/(d-1) < rho < 1, got {rho}")
        return cls((1 - rho) * np.eye(d) + rho * np.ones((d, d)), f"equicorrelated({rho})")

    @property
    def d(self):
        """The dimension of the inputs."""
        return self.cov.shape[0]

    def components(self):
        """``[(weight, covariance)]`` of the centred Gaussians the law is a mixture of
        (here one): what the closed-form loss integrates against."""
        return [(1.0, self.cov)]

    def sample(self, rng, shape):
        """Samples of shape ``shape + (d,)`` from the numpy Generator ``rng``
        (x = L z, L the Cholesky factor of Σ, z standard normal)."""
        if getattr(self, "_chol", None) is None:
            self._chol = np.linalg.cholesky(self.cov)
        return rng.standard_normal(tuple(shape) + (self.d,)) @ self._chol.T


@dataclass
class GaussianMixtureLaw:
    r"""A centred Gaussian mixture :math:`\sum_m \pi_m N(0, \Sigma_m)`."""
    weights: list
    covs: list
    name: str = "mixture"

    @property
    def d(self):
        """The dimension of the inputs."""
        return self.covs[0].shape[0]

    def components(self):
        """``[(π_m, Σ_m)]``: the weights and covariances of the mixture."""
        return list(zip(self.weights, self.covs))

    def sample(self, rng, shape):
        """Samples of shape ``shape + (d,)``: a component drawn with probability π_m for
        each sample, then a Gaussian sample of it."""
        n = int(np.prod(shape))
        which = rng.choice(len(self.weights), size=n, p=np.asarray(self.weights))
        if getattr(self, "_chol", None) is None:
            self._chol = [np.linalg.cholesky(C) for C in self.covs]
        out = np.empty((n, self.d))
        for m, L in enumerate(self._chol):
            idx = which == m
            out[idx] = rng.standard_normal((idx.sum(), self.d)) @ L.T
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
        """None: the law has no closed-form loss (training uses fresh samples: SGD)."""
        return None

    def sample(self, rng, shape):
        """Samples of shape ``shape + (d,)`` from the numpy Generator ``rng``."""
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
    spec = spec.strip()
    if spec == "gaussian":
        return GaussianLaw.standard(d)
    if spec.startswith("equicorrelated:"):
        return GaussianLaw.equicorrelated(d, _number(spec.split(":", 1)[1]))
    if spec.startswith("mixture:"):
        parts = spec.split(":", 1)[1].split(",")
        scales = [_number(p) for p in parts]
        if len(scales) < 2 or any(s <= 0 for s in scales):
            raise InputError("mixture:S1,S2,... needs two or more positive scales")
        return GaussianMixtureLaw([1.0 / len(scales)] * len(scales),
                                  [s * s * np.eye(d) for s in scales],
                                  f"mixture({','.join(parts)})")
    if spec in ("uniform-cube", "uniform-sphere"):
        return SampledLaw(spec, d)
    raise InputError(f"unknown law {spec!r}: use gaussian, equicorrelated:RHO, "
                     "mixture:S1,S2, uniform-cube or uniform-sphere")


def _number(text):
    """A signed decimal number typed by a user (:func:`symcrit.core.parse_value` reads the
    digits: no ``eval``)."""
    t = text.strip()
    v = float(parse_value(t.lstrip("-+"), text))
    return -v if t.startswith("-") else v


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


#: the activations by name: ``(σ, σ')`` as vectorised numpy functions
ACTIVATIONS = {
    "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(float)),
    "erf": (_erf, _erf_prime),
    "softplus": (_softplus, _sigmoid),
    "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
}


def activation(name):
    """``(σ, σ')`` for an activation name (:data:`ACTIVATIONS`).

    >>> sig, dsig = activation("relu")
    >>> sig(np.array([-1.0, 2.0])).tolist(), dsig(np.array([-1.0, 2.0])).tolist()
    ([0.0, 2.0], [0.0, 1.0])
    """
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise InputError(f"unknown activation {name!r}: use one of "
                         f"{', '.join(ACTIVATIONS)}") from None


def has_closed_form(law, act):
    """Whether the loss has a closed form (Gaussian or centred mixture law, ReLU or erf).

    >>> has_closed_form(make_law("mixture:1,2", 3), "erf"), has_closed_form(
    ...     make_law("uniform-cube", 3), "relu")
    (True, False)
    """
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


def _pair_terms(A, B, cov):
    """Gram entries for all pairs of rows of A (…, m, d), B (…, n, d) in the inner product
    of ``cov``, and A Σ, B Σ."""
    SA, SB = A @ cov, B @ cov
    guu = np.einsum("...id,...id->...i", SA, A)[..., :, None]
    gvv = np.einsum("...jd,...jd->...j", SB, B)[..., None, :]
    guv = SA @ np.swapaxes(B, -1, -2)
    guu, gvv = np.broadcast_to(guu, guv.shape), np.broadcast_to(gvv, guv.shape)
    return guu, gvv, guv, SA, SB


class ClosedForm:
    r"""The closed-form loss and gradient of one problem: a law with a closed form (centred
    Gaussian or centred Gaussian mixture), the ReLU or erf activation, the teacher ``V``
    (default :math:`I_d`) with output weights β (default 1); the student's output weights
    α (default 1) are given per call.  ``W`` may carry leading axes (runs): everything is
    vectorised over them.

    Gradient: :math:`\partial L/\partial w_i = \alpha_i\sum_j\alpha_j\partial_1K(w_i,w_j)
    - \alpha_i\sum_j\beta_j\partial_1K(w_i,v_j)`, with, in the inner product of Σ,
    :math:`\partial_1 K(u,v) = \Sigma(2K_{g_{uu}}u + K_{g_{uv}}v)`.  For ReLU this is
    :math:`\Sigma\bigl(|v|_\Sigma\sin\theta\,\hat u + (\pi-\theta)\,v\bigr)/2\pi`
    (:func:`symcrit.model.kernel.kernel_grad_coefficients`, evaluated in place by
    :func:`~symcrit.model.kernel.unit_grad_coefficients_float`; Brutzkus & Globerson 2017,
    Safran & Shamir 2018), which the training loop evaluates for all runs at once from the
    matrix of cosines :math:`C = \hat W_\Sigma\,[\hat W;\hat V]^\top` with preallocated
    buffers (a self-pair has :math:`\theta = 0` exactly): batched matmuls and a handful of
    elementwise passes, about 7 µs per run and step at k = d = 20.  The tests check it
    against the full-space gradient of :mod:`symcrit.model`, finite differences of the loss,
    and Monte Carlo.

    >>> import numpy as np
    >>> cf = ClosedForm(make_law("gaussian", 3))
    >>> W = np.stack([np.eye(3), 0.5 * np.eye(3)])          # two runs
    >>> [round(float(x), 12) for x in cf.loss(W)]     # ½(1-c)²(k/2 + k(k-1)/2π) at W = cI
    [0.0, 0.306866207319]
    >>> round(0.5 * 0.25 * (1.5 + 6 / (2 * np.pi)), 12)
    0.306866207319
    >>> float(np.abs(cf.gradient(W)[0]).max())
    0.0
    """

    def __init__(self, law, act="relu", V=None, beta=None):
        if not has_closed_form(law, act):
            raise InputError(f"no closed form for law {law.name!r} with activation {act!r}")
        self.law, self.act = law, act
        self.V = np.eye(law.d) if V is None else np.asarray(V, float)
        if self.V.ndim != 2 or self.V.shape[1] != law.d:
            raise InputError(f"the teacher must be m × {law.d}, got shape {self.V.shape}")
        m = self.V.shape[0]
        self.beta = np.ones(m) if beta is None else np.asarray(beta, float)
        self.comps = []
        for pw, cov in law.components():
            cov = np.asarray(cov, float)
            ident = np.array_equal(cov, np.eye(law.d))
            SV = self.V if ident else self.V @ cov
            nv = np.sqrt(np.einsum("jd,jd->j", SV, self.V))
            self.comps.append((float(pw), None if ident else cov, SV, nv))
        self._work = {}

    # -- loss ----------------------------------------------------------------------
    def loss(self, W, alpha=None):
        """½E[(f_W - f_V)²] (leading axes of W are runs).

        The three terms ½αKα − αKβ + ½βKβ cancel at a global minimum, and their round-off
        can leave a value a few units of 1e-16 below 0, though the loss is an expectation
        of squares: values in [−:data:`LOSS_ROUNDOFF` · ½βKβ, 0) are returned as 0 (a
        more negative value would be a bug, and is returned as it is)."""
        W = np.asarray(W, float)
        alpha = np.ones(W.shape[-2]) if alpha is None else np.asarray(alpha, float)
        beta, V = self.beta, self.V
        total, teacher = 0.0, 0.0
        for pw, cov in self.law.components():
            Kww = _gram_kernel(self.act, *_pair_terms(W, W, cov)[:3])[0]
            Kwv = _gram_kernel(self.act, *_pair_terms(W, V, cov)[:3])[0]
            Kvv = _gram_kernel(self.act, *_pair_terms(V, V, cov)[:3])[0]
            t = 0.5 * np.einsum("i,...ij,j->...", beta, Kvv, beta)
            teacher = teacher + pw * t
            total = total + pw * (0.5 * np.einsum("i,...ij,j->...", alpha, Kww, alpha)
                                  - np.einsum("i,...ij,j->...", alpha, Kwv, beta) + t)
        total = np.asarray(total, float)
        tiny = (total < 0) & (total >= -LOSS_ROUNDOFF * np.abs(teacher))
        return np.where(tiny, 0.0, total)[()]

    # -- gradient ------------------------------------------------------------------
    def gradient(self, W, alpha=None, copy=True):
        """∇_W L, the shape of W.  ``copy=False`` returns a view of an internal buffer,
        overwritten by the next call (the training loop's hot path)."""
        W = np.asarray(W, float)
        shape = W.shape
        k, d = shape[-2:]
        W3 = np.ascontiguousarray(W.reshape((-1, k, d)))
        alpha = None if alpha is None else np.asarray(alpha, float)
        if self.act != "relu":
            G = self._gradient_gram(W3, alpha)
        else:
            G = None
            for c, comp in enumerate(self.comps):
                Gc = self._relu_component(W3, alpha, c, comp)
                if len(self.comps) == 1:
                    G = Gc
                    if comp[0] != 1.0:
                        G *= comp[0]
                elif G is None:
                    G = np.multiply(Gc, comp[0], out=self._buffer("total", W3.shape))
                else:
                    G += comp[0] * Gc
        G = G.reshape(shape)
        return G.copy() if copy else G

    def _buffer(self, name, shape):
        """A preallocated array of at least ``shape`` (a view of the first rows)."""
        buf = self._work.get(name)
        if buf is None or buf.shape[0] < shape[0] or buf.shape[1:] != tuple(shape[1:]):
            buf = np.empty(tuple(shape))
            self._work[name] = buf
        return buf[:shape[0]]

    def _relu_component(self, W, alpha, c, comp):
        pw, cov, SV, nv = comp
        R, k, d = W.shape
        m = self.V.shape[0]
        key = (c, k)
        ws = self._work.get(key)
        if ws is None or ws["BT"].shape[0] < R:
            n = max(R, 1)
            # (BT: the unit rows [Ŵ; V̂] as columns, contiguous, so that the batched
            # matmul below runs in BLAS; a transposed view would not)
            ws = {"BT": np.empty((n, d, k + m)), "SB": np.empty((n, k + m, d)),
                  "nb": np.empty((n, k + m)), "C": np.empty((n, k, k + m)),
                  "S": np.empty((n, k, k + m)), "T": np.empty((n, k, k + m)),
                  "G": np.empty((n, k, d)), "M": np.empty((n, k, d)),
                  "Wh": np.empty((n, k, d)), "SW": np.empty((n, k, d)),
                  "SWh": np.empty((n, k, d))}
            ws["BT"][:, :, k:] = (self.V / nv[:, None]).T  # teacher rows, unit Σ-norm
            ws["SB"][:, k:] = SV
            ws["nb"][:, k:] = nv
            self._work[key] = ws
        BT, SB, nb = ws["BT"][:R], ws["SB"][:R], ws["nb"][:R]
        C, S, T, G, M = (ws[x][:R] for x in ("C", "S", "T", "G", "M"))
        a = np.ones(k) if alpha is None else alpha
        coef = np.concatenate([a, -self.beta]) / (2 * np.pi)
        SW = W if cov is None else np.matmul(W, cov, out=ws["SW"][:R])
        nw = nb[:, :k]
        np.einsum("rid,rid->ri", SW, W, out=nw)
        np.sqrt(nw, out=nw)
        Wh = np.divide(W, nw[..., None], out=ws["Wh"][:R])
        BT[:, :, :k] = np.swapaxes(Wh, -1, -2)
        SWh = Wh if cov is None else np.divide(SW, nw[..., None], out=ws["SWh"][:R])
        SB[:, :k] = SW
        np.matmul(SWh, BT, out=C)                               # cosines
        i = np.arange(k)
        C[:, i, i] = 1.0                                        # a self-pair: θ = 0
        unit_grad_coefficients_float(C, S, T)                   # S = sin θ, T = π − θ
        T *= coef                                               # coef_j (π − θ)/2π
        np.matmul(T, SB, out=M)                                 # Σ_j … Σ b_j
        sv = np.matmul(S, (coef * nb)[..., None])               # Σ_j coef_j |b_j| sin θ/2π
        np.multiply(sv, SWh, out=G)
        G += M
        if alpha is not None:
            G *= alpha[:, None]
        return G

    def _gradient_gram(self, W, alpha):
        V, beta = self.V, self.beta
        a = np.ones(W.shape[-2]) if alpha is None else alpha
        G = np.zeros_like(W)
        for pw, cov in self.law.components():
            for other, coef in ((W, a), (V, -beta)):
                guu, gvv, guv, SA, SB = _pair_terms(W, other, cov)
                _, Kuu, Kuv = _gram_kernel(self.act, guu, gvv, guv)
                cw = (Kuu * coef).sum(-1)
                G = G + pw * a[:, None] * (2 * cw[..., None] * SA + (Kuv * coef) @ SB)
        return G


def closed_form_loss(W, V, law, act="relu", alpha=None, beta=None):
    """The loss ½E[(f_W - f_V)²] in closed form; W may carry leading batch axes (runs)."""
    return ClosedForm(law, act, V, beta).loss(W, alpha)


def closed_form_gradient(W, V, law, act="relu", alpha=None, beta=None):
    r"""The gradient of :func:`closed_form_loss` in W (see :class:`ClosedForm`)."""
    return ClosedForm(law, act, V, beta).gradient(W, alpha)
