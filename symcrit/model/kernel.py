r"""The degree-1 arc-cosine kernel and its derivatives: the one source formula.

For a standard Gaussian ``x`` in :math:`\mathbb{R}^d` (Cho & Saul 2009, "Kernel methods
for deep learning", NIPS),

.. math::

    K(u, v) = \mathbb{E}[\mathrm{relu}(u\cdot x)\,\mathrm{relu}(v\cdot x)]
            = \frac{|u||v|}{2\pi}\bigl(\sin\theta + (\pi-\theta)\cos\theta\bigr),
    \qquad \theta = \arccos\frac{u\cdot v}{|u||v|}.

Everything in this module is written once against a :class:`~symcrit.systems.NumberSystem`
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
>>> from symcrit.systems import FLOAT, SYMPY
>>> K = kernel(FLOAT, 1.0, 1.0, 0.0)         # orthogonal unit vectors: 1/(2 pi)
>>> bool(np.isclose(K, 1 / (2 * np.pi)))
True
>>> kernel(SYMPY, SYMPY.convert(4), SYMPY.convert(1), SYMPY.convert(-1))   # theta = 2 pi/3
(-pi/3 + sqrt(3))/(2*pi)
"""
from __future__ import annotations

import numpy as np

__all__ = ["angle", "kernel", "kernel_grad_u", "kernel_hess_uu", "kernel_hess_uv",
           "kernel_gram_partials"]


def angle(ns, guu, gvv, guv):
    r"""Norms, cosine, angle and sine from the Gram entries ``u·u, v·v, u·v``.

    Returns ``(|u|, |v|, cos θ, θ, sin θ)`` with :math:`\sin\theta = \sqrt{(1-c)(1+c)}`.
    """
    nu, nv = ns.sqrt(guu), ns.sqrt(gvv)
    c = guv / (nu * nv)
    theta = ns.acos(c)
    s = ns.sqrt((1 - c) * (1 + c))
    return nu, nv, c, theta, s


def kernel(ns, guu, gvv, guv):
    r"""``K(u, v)`` from the Gram entries: :math:`\frac{1}{2\pi}(|u||v|\sin\theta + (\pi-\theta)\,u\cdot v)`."""
    nu, nv, c, theta, s = angle(ns, guu, gvv, guv)
    return (nu * nv * s + (ns.pi - theta) * guv) / (2 * ns.pi)


def _dot(u, v):
    return (u * v).sum(axis=-1)


def _outer(a, b):
    return a[..., :, None] * b[..., None, :]


def _frame(ns, u, v):
    """Shared quantities of a pair: norms, cos, θ, sin, û and e (zero where sin θ = 0)."""
    nu, nv, c, theta, s = angle(ns, _dot(u, u), _dot(v, v), _dot(u, v))
    uh = u / nu[..., None]
    n = v / nv[..., None] - c[..., None] * uh          # = sin θ · e
    e = n * _reciprocal_or_zero(ns, s)[..., None]
    return nu, nv, c, theta, s, uh, e


def _reciprocal_or_zero(ns, s):
    """1/s, and 0 where s is exactly zero (there the factor it multiplies vanishes)."""
    if isinstance(s, np.ndarray) and s.dtype != object:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(s == 0, 0.0, 1.0 / np.where(s == 0, 1.0, s))
    f = np.frompyfunc(lambda x: 0 if (x == 0) is True else 1 / x, 1, 1)
    return f(s) if isinstance(s, np.ndarray) else (0 if (s == 0) is True else 1 / s)


def kernel_grad_u(ns, u, v):
    r""":math:`\nabla_u K(u, v)` along the last axis (broadcasting over leading axes)."""
    nu, nv, c, theta, s = angle(ns, _dot(u, u), _dot(v, v), _dot(u, v))
    a = (nv * s)[..., None]
    return (a * u / nu[..., None] + (ns.pi - theta)[..., None] * v) / (2 * ns.pi)


def kernel_hess_uu(ns, u, v):
    r""":math:`\nabla^2_{uu} K(u, v)`, shape ``(..., d, d)``."""
    nu, nv, c, theta, s, uh, e = _frame(ns, u, v)
    d = u.shape[-1]
    eye = np.eye(d, dtype=int)
    a = (nv * s / (nu * 2 * ns.pi))[..., None, None]
    return a * (eye - _outer(uh, uh) + _outer(e, e))


def kernel_hess_uv(ns, u, v):
    r""":math:`\nabla^2_{uv} K(u, v) = \partial_u\partial_v K`, shape ``(..., d, d)``: entry
    ``[a, b]`` is :math:`\partial^2 K/\partial u_a\partial v_b`."""
    nu, nv, c, theta, s, uh, e = _frame(ns, u, v)
    d = u.shape[-1]
    eye = np.eye(d, dtype=int)
    s2, c2 = s[..., None, None], c[..., None, None]
    mixed = s2 * (s2 * (_outer(uh, e) + _outer(e, uh)) + c2 * (_outer(uh, uh) - _outer(e, e)))
    return ((ns.pi - theta)[..., None, None] * eye + mixed) / (2 * ns.pi)


def kernel_gram_partials(ns, guu, gvv, guv):
    r"""First and second partial derivatives of ``K`` in the Gram coordinates
    :math:`(g_{uu}, g_{vv}, g_{uv}) = (u\cdot u, v\cdot v, u\cdot v)`.

    With :math:`s = \sqrt{g_{uu}g_{vv} - g_{uv}^2} = |u||v|\sin\theta`:

    .. math::

        \partial_{uu}K = \frac{s}{4\pi g_{uu}},\quad \partial_{uv}K = \frac{\pi-\theta}{2\pi},
        \quad \partial^2_{uv,uv}K = \frac{1}{2\pi s},\quad
        \partial^2_{uu,vv}K = \frac{1}{8\pi s},\quad
        \partial^2_{uu,uv}K = -\frac{g_{uv}}{4\pi g_{uu}s},\quad
        \partial^2_{uu,uu}K = \frac{2g_{uv}^2 - g_{uu}g_{vv}}{8\pi g_{uu}^2 s}

    (and the same with u and v exchanged).  Returns ``(first, second)``: ``first`` is the
    list of the three first partials and ``second`` the symmetric 3 × 3 list of second
    partials, both in the order (uu, vv, uv).  The first partials are smooth everywhere
    off zero vectors; the second ones carry ``1/s`` (they combine into the C² Hessian).

    >>> from symcrit.systems import SYMPY
    >>> g = SYMPY.convert
    >>> first, second = kernel_gram_partials(SYMPY, g(1), g(1), g(0))
    >>> first
    [1/(4*pi), 1/(4*pi), 1/4]
    """
    nu, nv, c, theta, sn = angle(ns, guu, gvv, guv)
    s = nu * nv * sn
    pi = ns.pi
    first = [s / (4 * pi * guu), s / (4 * pi * gvv), (pi - theta) / (2 * pi)]
    a = (2 * guv ** 2 - guu * gvv) / (8 * pi * s)
    uu_uu = a / guu ** 2
    vv_vv = a / gvv ** 2
    uu_vv = 1 / (8 * pi * s)
    uu_uv = -guv / (4 * pi * guu * s)
    vv_uv = -guv / (4 * pi * gvv * s)
    uv_uv = 1 / (2 * pi * s)
    second = [[uu_uu, uu_vv, uu_uv], [uu_vv, vv_vv, vv_uv], [uu_uv, vv_uv, uv_uv]]
    return first, second
