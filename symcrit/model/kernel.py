r"""The degree-1 arc-cosine kernel and its derivatives: the one source formula.

For a standard Gaussian ``x`` in :math:`\mathbb{R}^d` (Cho & Saul 2009, "Kernel methods
for deep learning", NIPS),

.. math::

    K(u, v) = \mathbb{E}[\mathrm{relu}(u\cdot x)\,\mathrm{relu}(v\cdot x)]
            = \frac{|u||v|}{2\pi}\bigl(\sin\theta + (\pi-\theta)\cos\theta\bigr),
    \qquad \theta = \arccos\frac{u\cdot v}{|u||v|}.

Everything in this module is written once against a :class:`~symcrit.core.NumberSystem`
``ns`` and acts elementwise (or, for vectors, along the last axis), so the same code gives
float64, mpmath, exact sympy and Arb-ball values.

Derivatives (Brutzkus & Globerson 2017; Safran & Shamir 2018, "Spurious local minima are
common in two-layer ReLU neural networks", ICML), with ``e`` the unit vector of
:math:`v - (u\cdot v/|u|^2)\,u` (orthogonal to ``u`` in the plane of ``u, v``) and
:math:`\hat u = u/|u|`:

.. math::

    \nabla_u K &= \tfrac{1}{2\pi}\bigl(|v|\sin\theta\,\hat u + (\pi-\theta)\,v\bigr),\\
    \nabla^2_{uu} K &= \tfrac{|v|\sin\theta}{2\pi|u|}\bigl(I - \hat u\hat u^\top + e e^\top\bigr),\\
    \nabla^2_{uv} K &= \tfrac{1}{2\pi}\Bigl((\pi-\theta) I + \sin\theta\bigl(
        \sin\theta\,(\hat u e^\top + e\hat u^\top) + \cos\theta\,(\hat u\hat u^\top - e e^\top)
        \bigr)\Bigr).

Written this way nothing is divided by :math:`\sin\theta`, so the limits at parallel and
anti-parallel pairs (:math:`\theta\in\{0,\pi\}`, where ``K`` is :math:`C^2` but not
:math:`C^3`) come out exactly, with ``e`` irrelevant there.

>>> import numpy as np
>>> from symcrit.core import FLOAT, SYMPY
>>> K = kernel(FLOAT, 1.0, 1.0, 0.0)         # orthogonal unit vectors: 1/(2 pi)
>>> bool(np.isclose(K, 1 / (2 * np.pi)))
True
>>> kernel(SYMPY, SYMPY.convert(4), SYMPY.convert(1), SYMPY.convert(-1))   # theta = 2 pi/3
(-pi/3 + sqrt(3))/(2*pi)
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from ..core import NumberSystem

__all__ = ["angle", "kernel", "kernel_grad_coefficients", "unit_grad_coefficients_float",
           "kernel_grad_u", "kernel_hess_uu",
           "kernel_hess_uv", "kernel_gradient_pullback", "kernel_hessian_pullback"]


def angle(ns, guu, gvv, guv):
    r"""Norms, cosine, angle and sine from the Gram entries ``u·u, v·v, u·v``.

    Returns ``(|u|, |v|, cos θ, θ, sin θ)`` with :math:`\sin\theta = \sqrt{(1-c)(1+c)}`.
    """
    nu, nv = ns.sqrt(guu), ns.sqrt(gvv)
    c = guv / (nu * nv)
    theta = ns.acos(c)
    s = ns.sqrt((1 - c) * (1 + c))
    return nu, nv, c, theta, s


def kernel(ns: NumberSystem, guu: Any, gvv: Any, guv: Any) -> Any:
    r"""``K(u, v)`` from the Gram entries:
    :math:`\frac{|u||v|}{2\pi}\bigl(\sin\theta + (\pi-\theta)\cos\theta\bigr)`.

    ``sin θ`` and ``θ`` are both computed from the same ``cos θ``, so that near parallel
    pairs their rounding errors cancel (:math:`\sin\theta - \theta\cos\theta = O(\theta^3)`)
    instead of leaving a square-root-size error."""
    nu, nv, c, theta, s = angle(ns, guu, gvv, guv)
    return nu * nv * (s + (ns.pi - theta) * c) / (2 * ns.pi)


def _dot(u, v):
    return (u * v).sum(axis=-1)


def _outer(a, b):
    return a[..., :, None] * b[..., None, :]


def kernel_grad_coefficients(ns, guu, gvv, guv):
    r"""The coefficients of :math:`\nabla_u K = c_u\,u + c_{uv}\,v` and
    :math:`\nabla_v K = c_v\,v + c_{uv}\,u`:

    .. math::

        c_u = \frac{\sqrt{g_{uu}g_{vv} - g_{uv}^2}}{2\pi g_{uu}} = \frac{|v|\sin\theta}{2\pi|u|},
        \qquad c_v = \frac{\sqrt{g_{uu}g_{vv} - g_{uv}^2}}{2\pi g_{vv}},\qquad
        c_{uv} = \frac{\pi-\theta}{2\pi}

    (elementwise; no division by :math:`\sin\theta`, smooth up to parallel pairs).

    >>> from symcrit.core import SYMPY
    >>> kernel_grad_coefficients(SYMPY, *map(SYMPY.convert, (1, 1, 0)))
    (1/(2*pi), 1/(2*pi), 1/4)
    """
    nu, nv, c, theta, sn = angle(ns, guu, gvv, guv)
    two_pi = 2 * ns.pi
    return nv * sn / (two_pi * nu), nu * sn / (two_pi * nv), (ns.pi - theta) / two_pi


def unit_grad_coefficients_float(C, S, T):
    r"""The float64 hot path of :func:`kernel_grad_coefficients` for unit vectors
    (:math:`|u| = |v| = 1`), in place on preallocated arrays: ``C`` (the cosines) is clipped
    to [-1, 1], :math:`\sin\theta = \sqrt{(1-c)(1+c)}` is written into ``S`` and
    :math:`\pi - \theta` into ``T``, so that :math:`c_u = c_v = S/2\pi` and
    :math:`c_{uv} = T/2\pi`.  For general vectors, :math:`\nabla_u K = |v|(c_u\hat u +
    c_{uv}\hat v)`.  It is the same formula as the generic one, evaluated without
    temporaries for the training loop (:mod:`symcrit.landscape.laws`), where it runs for
    millions of pairs.

    >>> import numpy as np
    >>> from symcrit.core import FLOAT
    >>> C = np.array([[0.3, -1.0000000000000002, 1.0]])
    >>> S, T = np.empty_like(C), np.empty_like(C)
    >>> unit_grad_coefficients_float(C, S, T)
    >>> cu, cv, cuv = kernel_grad_coefficients(FLOAT, 1.0, 1.0, C)
    >>> bool(np.allclose(S / (2 * np.pi), cu) and np.allclose(T / (2 * np.pi), cuv))
    True
    """
    np.clip(C, -1.0, 1.0, out=C)
    np.subtract(1.0, C, out=S)
    np.add(1.0, C, out=T)
    S *= T
    np.sqrt(S, out=S)
    np.arccos(C, out=T)
    np.subtract(np.pi, T, out=T)


def kernel_gradient_pullback(ns, guu, gvv, guv, P, Q, R1, R2):
    r"""The gradient of :math:`\xi\mapsto K(A\xi, B\xi)` for linear maps A, B, from the
    contractions :math:`P = A^\top u`, :math:`Q = B^\top v`, :math:`R_1 = A^\top v`,
    :math:`R_2 = B^\top u` (vectors along the last axis):
    :math:`c_u P + c_v Q + c_{uv}(R_1 + R_2)` with the coefficients of
    :func:`kernel_grad_coefficients`.
    """
    cu, cv, cuv = kernel_grad_coefficients(ns, guu, gvv, guv)
    e = lambda x: x[..., None]
    return e(cu) * P + e(cv) * Q + e(cuv) * (R1 + R2)


def kernel_hessian_pullback(ns, guu, gvv, guv, P, Q, R1, R2, AA, BB, AB,
                            parts=("uu", "vv", "uv")):
    r"""The Hessian of :math:`\xi\mapsto K(A\xi, B\xi)`, in three pieces
    :math:`A^\top K_{uu}A`, :math:`B^\top K_{vv}B`, :math:`A^\top K_{uv}B` (the Hessian is
    their sum plus the transpose of the last), from the contractions of
    :func:`kernel_gradient_pullback` and the matrices :math:`A^\top A`, :math:`B^\top B`,
    :math:`A^\top B`.  With :math:`\hat u = u/|u|`, ``e`` the unit vector of
    :math:`\hat v - \cos\theta\,\hat u`, and ``f`` that of :math:`\hat u-\cos\theta\,\hat v`:

    .. math::

        K_{uu} &= \tfrac{|v|\sin\theta}{2\pi|u|}\bigl(I - \hat u\hat u^\top + e e^\top\bigr),
        \qquad K_{vv} = \tfrac{|u|\sin\theta}{2\pi|v|}\bigl(I - \hat v\hat v^\top + f f^\top\bigr),\\
        K_{uv} &= \tfrac{1}{2\pi}\Bigl((\pi-\theta) I + \sin\theta\bigl(
            \sin\theta\,(\hat u e^\top + e\hat u^\top) + \cos\theta\,(\hat u\hat u^\top - e e^\top)
            \bigr)\Bigr).

    Only :math:`\sin\theta\,A^\top e = A^\top(\hat v - \cos\theta\,\hat u)` is formed, and
    its square divided by :math:`\sin\theta`, which tends to 0; so parallel and
    anti-parallel pairs (where K is :math:`C^2` but not :math:`C^3`) give the exact limits.
    """
    nu, nv, c, theta, s = angle(ns, guu, gvv, guv)
    e = lambda x: x[..., None]
    m = lambda x: x[..., None, None]
    r = ns.reciprocal_or_zero(s)      # 1/s, and 0 where s is exactly 0
    Au = P / e(nu)                       # A^T u^
    Bv = Q / e(nv)                       # B^T v^
    An = R1 / e(nv) - e(c) * Au          # A^T (v^ - c u^) = sin θ A^T e
    Bu = R2 / e(nu)                      # B^T u^
    Bm = Bu - e(c) * Bv                  # B^T (u^ - c v^) = sin θ B^T f
    Bn = Bv - e(c) * Bu                  # B^T (v^ - c u^) = sin θ B^T e
    out = {}
    two_pi = 2 * ns.pi
    if "uu" in parts:
        out["uu"] = m(nv / (two_pi * nu)) * (m(s) * (AA - _outer(Au, Au)) + m(r) * _outer(An, An))
    if "vv" in parts:
        out["vv"] = m(nu / (two_pi * nv)) * (m(s) * (BB - _outer(Bv, Bv)) + m(r) * _outer(Bm, Bm))
    if "uv" in parts:
        out["uv"] = (m(ns.pi - theta) * AB + m(s) * (_outer(Au, Bn) + _outer(An, Bu))
                     + m(c) * (m(s) * _outer(Au, Bu) - m(r) * _outer(An, Bn))) / two_pi
    return out


def kernel_grad_u(ns, u, v):
    r""":math:`\nabla_u K(u, v) = c_u u + c_{uv} v` along the last axis (broadcasting over
    leading axes), with the coefficients of :func:`kernel_grad_coefficients`."""
    cu, cv, cuv = kernel_grad_coefficients(ns, _dot(u, u), _dot(v, v), _dot(u, v))
    return cu[..., None] * u + cuv[..., None] * v


def _eye_like(u):
    d = u.shape[-1]
    return np.eye(d, dtype=int)


def kernel_hess_uu(ns, u, v):
    r""":math:`\nabla^2_{uu} K(u, v)`, shape ``(..., d, d)`` (the pull-back with A = I, B = 0)."""
    z = u * 0
    eye = _eye_like(u)
    return kernel_hessian_pullback(ns, _dot(u, u), _dot(v, v), _dot(u, v), u, z, v, z,
                                   eye, 0 * eye, 0 * eye, parts=("uu",))["uu"]


def kernel_hess_uv(ns, u, v):
    r""":math:`\nabla^2_{uv} K(u, v) = \partial_u\partial_v K`, shape ``(..., d, d)``: entry
    ``[a, b]`` is :math:`\partial^2 K/\partial u_a\partial v_b` (the pull-back with
    A = B = I)."""
    eye = _eye_like(u)
    return kernel_hessian_pullback(ns, _dot(u, u), _dot(v, v), _dot(u, v), u, v, v, u,
                                   eye, eye, eye, parts=("uv",))["uv"]
