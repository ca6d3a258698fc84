r"""The teacher–student loss, its gradient and Hessian in closed form, in any number system.

Student :math:`f(x; W, \alpha) = \sum_i \alpha_i\,\mathrm{relu}(w_i\cdot x)` with
:math:`W\in M(k, d)` (rows are neurons), teacher :math:`f(x; V, \beta)`,
:math:`x\sim N(0, I_d)`:

.. math::

    L(W) = \tfrac12\,\mathbb{E}\bigl[(f(x;W,\alpha) - f(x;V,\beta))^2\bigr]
         = \tfrac12\sum_{ij}\alpha_i\alpha_j K(w_i,w_j) - \sum_{ij}\alpha_i\beta_j K(w_i,v_j)
           + \tfrac12\sum_{ij}\beta_i\beta_j K(v_i,v_j)

with the arc-cosine kernel :func:`~symcrit.model.kernel.kernel` (Safran & Shamir 2018,
"Spurious local minima are common in two-layer ReLU neural networks", ICML). Gradient and
Hessian are assembled from the analytic kernel derivatives, never by finite differences:

.. math::

    \nabla_{w_i} L &= \alpha_i\Bigl(\sum_j \alpha_j\nabla_u K(w_i,w_j)
                       - \sum_j\beta_j\nabla_u K(w_i,v_j)\Bigr),\\
    \nabla^2_{w_iw_i} L &= \tfrac{\alpha_i^2}{2} I + \sum_{j\ne i}\alpha_i\alpha_j
        \nabla^2_{uu}K(w_i,w_j) - \sum_j\alpha_i\beta_j\nabla^2_{uu}K(w_i,v_j),\qquad
    \nabla^2_{w_iw_j} L = \alpha_i\alpha_j\nabla^2_{uv}K(w_i,w_j)\ (i\ne j).

The loss is defined at zero rows (``K(u, 0) = 0``) but not differentiable there; the
gradient and Hessian raise :class:`~symcrit.core.errors.SingularPointError`.

>>> import numpy as np
>>> k = 5
>>> bool(np.isclose(loss(np.eye(k)), 0.0))                     # the global minimum
True
>>> bool(np.isclose(loss(np.zeros((k, k))), k / 4 + k * (k - 1) / (4 * np.pi)))
True
>>> from symcrit.core import SYMPY
>>> loss([[1, 0], [0, 0]], system=SYMPY)                       # one neuron missing
1/4
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..core import ShapeError, SingularPointError
from ..core import get_system
from .kernel import kernel, kernel_grad_coefficients, kernel_hess_uu, kernel_hess_uv

if TYPE_CHECKING:
    from ..core import NumberSystem

__all__ = ["Problem", "loss", "gradient", "hessian", "canonical_teacher"]


def canonical_teacher(k: int, d: int | None = None) -> np.ndarray:
    """The teacher of the literature: ``V = [I_k | 0]`` (k × d), i.e. ``V = I_k`` when d = k."""
    d = k if d is None else d
    if d < k:
        raise ShapeError(f"the canonical teacher needs d >= k (got k={k}, d={d})")
    return np.eye(k, d, dtype=int)


class Problem:
    """A teacher (``V``, ``β``) and student second-layer weights ``α`` (both fixed).

    ``Problem(V)`` with unit weights; ``Problem.canonical(k, d)`` is the identity teacher.
    Methods :meth:`loss`, :meth:`gradient`, :meth:`hessian` take ``W`` (k × d) and
    ``system=`` one of ``float``, ``mpmath``, ``sympy``, ``arb``.

    >>> P = Problem.canonical(3)
    >>> P
    Problem(k_t=3, d=3, identity teacher, unit weights)
    >>> c = 2.0       # K is 2-homogeneous, so L(cI) = (c - 1)^2 L(0)
    >>> bool(np.isclose(P.loss(c * np.eye(3)), (c - 1) ** 2 * P.loss(np.zeros((3, 3)))))
    True
    """

    def __init__(self, V: Any, alpha: Any = None, beta: Any = None) -> None:
        V = np.asarray(V, dtype=object)
        if V.ndim != 2:
            raise ShapeError(f"the teacher V must be a matrix, got shape {V.shape}")
        self.V = V
        self.k_t, self.d = V.shape
        self.beta = None if beta is None else np.asarray(beta, dtype=object)
        self.alpha = None if alpha is None else np.asarray(alpha, dtype=object)
        if self.beta is not None and self.beta.shape != (self.k_t,):
            raise ShapeError(f"beta must have length {self.k_t} (one per teacher neuron), "
                             f"got shape {self.beta.shape}")

    @classmethod
    def canonical(cls, k, d=None):
        """The canonical problem of the papers: the teacher :math:`V = [I_k \\,|\\, 0]` (k
        rows, d ≥ k columns, d = k by default; :func:`canonical_teacher`) and unit
        output weights."""
        return cls(canonical_teacher(k, d))

    def __repr__(self):
        ident = (self.V.shape[0] <= self.V.shape[1]
                 and np.array_equal(self.V.astype(float), np.eye(*self.V.shape)))
        t = "identity teacher" if ident else "teacher V"
        w = "unit weights" if self.alpha is None and self.beta is None else "weights α, β"
        return f"Problem(k_t={self.k_t}, d={self.d}, {t}, {w})"

    # ------------------------------------------------------------------ helpers
    def _prepare(self, W, system):
        ns = get_system(system)
        W = ns.asarray(W)
        if W.ndim < 2 or W.shape[-1] != self.d:
            raise ShapeError(f"W must have shape (k, {self.d}) to match the teacher, "
                             f"got {W.shape}")
        k = W.shape[-2]
        V = ns.asarray(self.V)
        alpha = ns.asarray(np.ones(k, dtype=int) if self.alpha is None else self.alpha)
        beta = ns.asarray(np.ones(self.k_t, dtype=int) if self.beta is None else self.beta)
        if alpha.shape != (k,):
            raise ShapeError(f"alpha must have length k={k}, got shape {alpha.shape}")
        return ns, W, V, alpha, beta

    @staticmethod
    def _zero_mask(ns, g):
        """1 where the squared norm ``g`` is non-zero, 0 where it is exactly zero."""
        if g.dtype != object:
            return (g != 0).astype(float)
        return np.frompyfunc(lambda x: 0 if ns.is_zero(x) is True and _exact_zero(x) else 1,
                             1, 1)(g)

    @staticmethod
    def _check_rows(ns, W):
        """The row norms of W; a zero row (or a ball of one containing 0) is refused."""
        g = _row_norms(ns, W)
        flat = np.ravel(g)
        for i, x in enumerate(flat):
            z = ns.is_zero(x)
            if z is not None and bool(z):
                what = "is zero" if _exact_zero(x) else "may be zero (its ball contains 0)"
                raise SingularPointError(
                    f"row {i % W.shape[-2]} of W {what}: the loss is not differentiable "
                    "at a zero neuron")
        return g

    # ------------------------------------------------------------------ loss
    def _gram_kernel(self, ns, A, B, same):
        """Matrix ``K(a_i, b_j)`` with zero rows giving 0 and the diagonal exact if same."""
        ga = (A * A).sum(axis=-1)
        gb = (B * B).sum(axis=-1)
        ma, mb = self._zero_mask(ns, ga), self._zero_mask(ns, gb)
        one = 1.0 if ga.dtype != object else 1
        ga_s = ga * ma + (1 - ma) * one     # stand-in 1 for zero rows (their K is masked)
        gb_s = gb * mb + (1 - mb) * one
        G = A @ np.swapaxes(B, -1, -2)
        K = kernel(ns, ga_s[..., :, None], gb_s[..., None, :], G)
        if same:
            k = A.shape[-2]
            idx = np.arange(k)
            K[..., idx, idx] = ga / 2               # K(u, u) = |u|^2 / 2, exactly
        return K * ma[..., :, None] * mb[..., None, :]

    def loss(self, W: Any, system: str | NumberSystem = "float") -> Any:
        """The loss ``L(W)`` (a scalar of the number system; float arrays may be batched
        over leading axes)."""
        ns, W, V, a, b = self._prepare(W, system)
        Kww = self._gram_kernel(ns, W, W, True)
        Kwv = self._gram_kernel(ns, W, V, False)
        Kvv = self._gram_kernel(ns, V, V, True)
        val = ((a[:, None] * a[None, :] * Kww).sum(axis=(-1, -2)) / 2
               - (a[:, None] * b[None, :] * Kwv).sum(axis=(-1, -2))
               + (b[:, None] * b[None, :] * Kvv).sum(axis=(-1, -2)) / 2)
        return val

    # ------------------------------------------------------------------ gradient
    def gradient(self, W: Any, system: str | NumberSystem = "float") -> Any:
        r"""The gradient, a k × d matrix of the number system (numpy array for float,
        ``mpmath.matrix``, ``sympy.Matrix``, ``flint.arb_mat``).

        With unit rows :math:`\hat w_i = w_i/|w_i|`, :math:`\hat v_j` and the coefficients
        :math:`s_{ij} = \sin\theta_{ij}/2\pi`, :math:`t_{ij} = (\pi-\theta_{ij})/2\pi` of
        :func:`~symcrit.model.kernel.kernel_grad_coefficients` at unit vectors
        (:math:`\nabla_u K(u, v) = |v|\,(s\,\hat u + t\,\hat v)`),

        .. math::

            \nabla_{w_i}L = \alpha_i\Bigl(\bigl(\sum_j\alpha_j |w_j| s_{ij}
            - \sum_j\beta_j |v_j| \tilde s_{ij}\bigr)\hat w_i + \sum_j\alpha_j t_{ij}w_j
            - \sum_j\beta_j\tilde t_{ij}v_j\Bigr)

        (O(k²) memory, matrix products), the self pairs exact (:math:`\nabla_u K(u,u) =
        u/2`).  Only directions and norms enter, never a squared norm, so a row of norm
        1e-200 keeps its gradient in float64 (its square would underflow).
        """
        ns, W, V, a, b = self._prepare(W, system)
        if W.ndim != 2:
            raise ShapeError("gradient takes one point W (k × d), not a batch")
        nw = self._check_rows(ns, W)
        nv = _row_norms(ns, V)
        mv = self._zero_mask(ns, nv)
        one = ns.convert(1)
        U = W / nw[:, None]
        Vh = V / (nv * mv + (1 - mv) * one)[:, None]
        k = W.shape[0]
        idx = np.arange(k)
        C = U @ U.T
        C[idx, idx] = 0 * C[idx, idx]  # stand-in: orthogonal self pairs (overwritten below)
        s, _, t = kernel_grad_coefficients(ns, one, one, C)
        s = s * nw[None, :]
        s[idx, idx] = 0 * s[idx, idx]  # grad_u K(u, u) = u / 2 exactly
        t[idx, idx] = ns.rational(1, 2)
        s2, _, t2 = kernel_grad_coefficients(ns, one, one, U @ Vh.T)
        s2, t2 = s2 * (nv * mv)[None, :], t2 * mv[None, :]
        ca = (s * a[None, :]).sum(axis=1) - (s2 * b[None, :]).sum(axis=1)
        grad = a[:, None] * (ca[:, None] * U + (t * a[None, :]) @ W - (t2 * b[None, :]) @ V)
        return ns.matrix(grad)

    # ------------------------------------------------------------------ Hessian
    def hessian(self, W: Any, system: str | NumberSystem = "float",
                as_tensor: bool = False) -> Any:
        """The Hessian, a (k d) × (k d) matrix in the row-major order of ``vec(W)``
        (``as_tensor=True`` gives the array of shape (k, d, k, d))."""
        ns, W, V, a, b = self._prepare(W, system)
        if W.ndim != 2:
            raise ShapeError("hessian takes one point W (k × d), not a batch")
        self._check_rows(ns, W)
        k, d = W.shape
        gv = (V * V).sum(axis=-1)
        mv = self._zero_mask(ns, gv)
        Vs = _safe_rows(V, mv)
        Wp = _offdiag_partner(W)
        Huu_w = kernel_hess_uu(ns, W[:, None, :], Wp)              # (k, k, d, d)
        Huv_w = kernel_hess_uv(ns, W[:, None, :], Wp)
        Huu_v = kernel_hess_uu(ns, W[:, None, :], Vs[None, :, :]) * mv[None, :, None, None]
        off = 1 - np.eye(k, dtype=int)
        aa = a[:, None] * a[None, :]
        ab = a[:, None] * b[None, :]
        diag = ((aa * off)[:, :, None, None] * Huu_w).sum(axis=1) \
            - (ab[:, :, None, None] * Huu_v).sum(axis=1)
        diag = diag + (a * a)[:, None, None] * np.eye(d, dtype=int) / 2
        H = (aa * off)[:, :, None, None] * Huv_w                   # (i, j, a, b)
        H = np.swapaxes(H, 1, 2).copy()                             # (i, a, j, b)
        for i in range(k):
            H[i, :, i, :] = diag[i]
        if as_tensor:
            return H
        H = H.reshape(k * d, k * d)
        return ns.matrix(H)


def _row_norms(ns, A):
    """The Euclidean norms of the rows of A: for float64 scaled by the largest entry first
    (no underflow below 1e-154, no overflow above 1e154), else ``ns.sqrt`` of the sum of
    squares."""
    if A.dtype != object:
        big = np.max(np.abs(A), axis=-1)
        safe = np.where(big > 0, big, 1.0)
        return big * np.sqrt(((A / safe[..., None]) ** 2).sum(axis=-1))
    return ns.sqrt((A * A).sum(axis=-1))


def _exact_zero(x):
    try:
        return bool(x == 0)
    except TypeError:   # pragma: no cover
        return False


def _offdiag_partner(W):
    """``W[None, :, :]`` broadcast against ``W[:, None, :]``, with each self pair replaced
    by a harmless stand-in (the next row's vector if independent ... any non-parallel
    vector): the self terms are overwritten by their exact values afterwards."""
    k, d = W.shape
    P = np.broadcast_to(W[None, :, :], (k, k, d)).copy()
    for i in range(k):
        # a vector orthogonal-ish to w_i keeps every formula finite on the diagonal
        P[i, i] = _stand_in(W[i])
    return P


def _stand_in(w):
    d = w.shape[0]
    out = w * 0                  # zeros of w's own number system (balls stay balls)
    if d == 1:
        out[0] = -w[0]
        return out
    # rotate the first two coordinates by 90 degrees: orthogonal to w when d >= 2
    # unless both are zero, then use a basis vector orthogonal to w's support
    if _exact_zero(w[0]) and _exact_zero(w[1]):
        out[0] = out[0] + 1
    else:
        out[0], out[1] = -w[1], w[0]
    return out


def _safe_rows(V, mask):
    """Replace zero teacher rows by a unit vector (their terms are masked out)."""
    V = V.copy()
    for j, m in enumerate(np.ravel(mask)):
        if m == 0:
            V[j] = 0
            V[j, 0] = 1
    return V


_CANONICAL_CACHE: dict[tuple[int, int], Problem] = {}


def _problem_for(W, V=None, alpha=None, beta=None):
    if V is None:
        shape = np.shape(W) if not hasattr(W, "rows") else (W.rows, W.cols)
        if hasattr(W, "nrows"):
            shape = (W.nrows(), W.ncols())
        k, d = shape[-2], shape[-1]
        key = (k, d)
        if key not in _CANONICAL_CACHE:
            if d < k:
                raise ShapeError(f"with no teacher given, W must have d >= k (got {k} × {d})")
            _CANONICAL_CACHE[key] = Problem.canonical(k, d)
        if alpha is None and beta is None:
            return _CANONICAL_CACHE[key]
        V = _CANONICAL_CACHE[key].V
    return Problem(V, alpha, beta)


def loss(W: Any, V: Any = None, alpha: Any = None, beta: Any = None,
         system: str | NumberSystem = "float") -> Any:
    """The closed-form loss ``L(W)``; the default teacher is the canonical ``[I_k | 0]``.
    See :class:`Problem`."""
    return _problem_for(W, V, alpha, beta).loss(W, system)


def gradient(W: Any, V: Any = None, alpha: Any = None, beta: Any = None,
             system: str | NumberSystem = "float") -> Any:
    """The analytic gradient ``∇L(W)`` (k × d); see :class:`Problem`."""
    return _problem_for(W, V, alpha, beta).gradient(W, system)


def hessian(W: Any, V: Any = None, alpha: Any = None, beta: Any = None,
            system: str | NumberSystem = "float", as_tensor: bool = False) -> Any:
    """The analytic Hessian of ``L`` at ``W`` ((k d) × (k d)); see :class:`Problem`."""
    return _problem_for(W, V, alpha, beta).hessian(W, system, as_tensor=as_tensor)
