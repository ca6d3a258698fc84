r"""Summing the pair types: the restricted loss, its gradient and Hessian in any number system.

For a pair type with multiplicity-and-sign ``w`` and linear maps :math:`u = A\xi`,
:math:`v = B\xi` (two rows of W(ξ), or a row and a teacher neuron),

.. math::

    L_H = c + \sum_t w_t K(g^t_{uu}, g^t_{vv}, g^t_{uv}),\qquad
    \nabla L_H = \sum_t w_t\,\bigl(c_u A^\top u + c_v B^\top v + c_{uv}(A^\top v + B^\top u)\bigr),

and the Hessian is :math:`\sum_t w_t (A^\top K_{uu} A + B^\top K_{vv} B + A^\top K_{uv} B +
(A^\top K_{uv}B)^\top)`, with the coefficients and blocks of the one kernel formula
(:func:`~symcrit.model.kernel.kernel_gradient_pullback`,
:func:`~symcrit.model.kernel.kernel_hessian_pullback`).  Pairs of identical rows contribute
:math:`w\,g_{uu}/2` (its gradient :math:`w A^\top u`, its Hessian :math:`w A^\top A`).

A pair involves the entries of two rows only, so its contractions live on a **support** of
a few parameters: they are formed there, vectorised over the pair types that share a
support size, and scattered into the full gradient and Hessian.

Vectorised, the assembly suits float64 (arrays over many points at once).  In the object
systems (Arb balls, mpmath, truncated series, Taylor models) numpy's object arrays cost more
than the arithmetic, and the same small quantities (norms, angles) are formed in several
places; :func:`straight_line_assembly` runs the assembly once on traced scalars and
compiles what it did into straight-line code (:func:`symcrit.core.trace_straight_line`):
the same operations on the same operands, each done once — the same values, bit for bit.

>>> import numpy as np
>>> from symcrit.core import FLOAT
>>> pair = {"identical": True, "sup": (0,), "w": [2.0], "g": [9.0], "P": [3.0], "AA": [1.0]}
>>> L, g, H = assemble(FLOAT, 0.0, [pair], 1, 2)      # 2 · |3ξ|²/2 at ξ = 1, one parameter
>>> float(L), g.tolist(), H.tolist()
(9.0, [6.0], [[2.0]])
"""
from __future__ import annotations

import numpy as np

from ..core import trace_straight_line
from ..model import kernel, kernel_gradient_pullback, kernel_hessian_pullback

__all__ = ["assemble", "converter", "straight_line_assembly"]

_VECTORS = ("P", "Q", "R1", "R2")
_MATRICES = ("AA", "BB", "AB")


def converter(ns):
    """A function turning a list of raw values (Python ints, rationals built by compiled
    code, values of the system) into the system's scalars; native values pass through
    and integer constants are converted once per call."""
    native = ns.native_type
    ints = {}

    def conv(xs):
        out = []
        for x in xs:
            if native is not None and type(x) is native:
                out.append(x)
            elif type(x) is int:
                c = ints.get(x)
                if c is None:
                    c = ints[x] = ns.convert(x)
                out.append(c)
            elif ns.is_native(x):
                out.append(x)
            else:
                out.append(ns.convert(x))
        return out
    return conv


def _array(items, shape, dt):
    """The values as an array of shape (batch…, *shape): a float batch (some values numpy
    arrays over points) is stacked along the last axes, scalars broadcast."""
    if dt is float and any(isinstance(x, np.ndarray) and x.ndim for x in items):
        batch = np.broadcast_shapes(*(np.shape(x) for x in items))
        flat = np.stack([np.broadcast_to(np.asarray(x, dtype=float), batch) for x in items],
                        axis=-1)
        return flat.reshape(batch + shape)
    a = np.empty(len(items), dtype=object)
    for i, x in enumerate(items):
        a[i] = x
    return a.reshape(shape).astype(dt)


def assemble(ns, base, pairs, n, order, conv=None):
    """``(L, ∇L, ∇²L)`` (``None`` beyond ``order``) from the pair data.

    Parameters
    ----------
    ns : NumberSystem
    base : scalar
        The constant term (teacher–teacher pairs).
    pairs : list of dict
        Per pair type: ``identical`` (bool), ``sup`` (the indices of the parameters it
        depends on), ``w`` ([weight]), ``g`` ([g_uu] or [g_uu, g_vv, g_uv]), the vectors
        ``P, Q, R1, R2`` (identical pairs: ``P``) and the flattened matrices
        ``AA, BB, AB`` (identical pairs: ``AA``) on the support.  In float64 the values
        may be numpy arrays over a batch of points: the results then carry the batch as
        leading axes (``L``: batch, ``∇L``: batch × n, ``∇²L``: batch × n × n).
    n : int
        The number of parameters.
    order : {0, 1, 2}
    conv : callable, optional
        Turns a list of values into the system's scalars (default: :func:`converter`);
        the identity for expressions that already are.
    """
    conv = converter(ns) if conv is None else conv
    dt = float if ns.dtype is float else object
    kern = [v for v in pairs if not v["identical"]]
    ident = [v for v in pairs if v["identical"]]
    L = base
    if kern:
        T = len(kern)
        w = _array(conv([v["w"][0] for v in kern]), (T,), dt)
        G = _array(conv([x for v in kern for x in v["g"]]), (T, 3), dt)
        guu, gvv, guv = G[..., 0], G[..., 1], G[..., 2]
        L = L + (w * kernel(ns, guu, gvv, guv)).sum(axis=-1)
    if ident:
        I = len(ident)
        wi = _array(conv([v["w"][0] for v in ident]), (I,), dt)
        gi = _array(conv([v["g"][0] for v in ident]), (I,), dt)
        L = L + (wi * gi).sum(axis=-1) / 2
    if order == 0:
        return L, None, None
    batch = np.shape(L)
    zero = conv([0])[0]
    grad = np.full(batch + (n,), zero, dtype=dt)
    Hm = np.full(batch + (n, n), zero, dtype=dt) if order >= 2 else None
    groups = {}
    for i, v in enumerate(kern):
        groups.setdefault(len(v["sup"]), []).append(i)
    for m, members in groups.items():
        if m == 0:
            continue
        T = len(members)
        idx = np.array([kern[i]["sup"] for i in members], dtype=int)
        sel = np.array(members, dtype=int)
        gu, gv, guvv, ww = guu[..., sel], gvv[..., sel], guv[..., sel], w[..., sel]
        vec = {name: _array(conv([x for i in members for x in kern[i][name]]), (T, m), dt)
               for name in _VECTORS}
        gk = ww[..., None] * kernel_gradient_pullback(ns, gu, gv, guvv, vec["P"], vec["Q"],
                                                      vec["R1"], vec["R2"])
        for t in range(T):
            grad[..., idx[t]] = grad[..., idx[t]] + gk[..., t, :]
        if order < 2:
            continue
        mats = {name: _array(conv([x for i in members for x in kern[i][name]]), (T, m, m), dt)
                for name in _MATRICES}
        pieces = kernel_hessian_pullback(ns, gu, gv, guvv, vec["P"], vec["Q"], vec["R1"],
                                         vec["R2"], mats["AA"], mats["BB"], mats["AB"])
        Huv = pieces["uv"]
        Hk = ww[..., None, None] * (pieces["uu"] + pieces["vv"] + Huv
                                    + np.swapaxes(Huv, -1, -2))
        for t in range(T):
            ix = (Ellipsis,) + np.ix_(idx[t], idx[t])
            Hm[ix] = Hm[ix] + Hk[..., t, :, :]
    for v in ident:
        sup = list(v["sup"])
        if not sup:
            continue
        wv = _array(conv([v["w"][0]]), (1,), dt)[..., 0]
        grad[..., sup] = grad[..., sup] + wv[..., None] * _array(conv(v["P"]), (len(sup),), dt)
        if order >= 2:
            ix = (Ellipsis,) + np.ix_(sup, sup)
            Hm[ix] = Hm[ix] + wv[..., None, None] * _array(conv(v["AA"]),
                                                             (len(sup), len(sup)), dt)
    return L, grad, Hm


def straight_line_assembly(raw, nargs, n, code=None):
    """:func:`assemble` of the pair data ``raw(ns, args) -> (base, pairs)``, compiled to
    straight-line code by tracing it once (:func:`symcrit.core.trace_straight_line`).

    Parameters
    ----------
    raw : callable
        The constant term and the pair data at ``args`` (as :func:`assemble` takes them),
        computed by code that is straight-line in its scalars.
    nargs : int
        The number of arguments.
    n : int
        The number of parameters.
    code : callable, optional
        The traced code itself (``f.code`` of an earlier call, or the function compiled from
        its ``source`` read back from the disk cache, with its ``operations`` set): no
        tracing.

    Returns
    -------
    callable
        ``f(ns, args, order) -> (L, ∇L, ∇²L)`` as :func:`assemble` returns them for one point
        in an object system (``None`` beyond ``order``): the same operations, each done
        once, so the same values; ``f.operations`` counts them.

    Raises
    ------
    symcrit.core.TraceError
        ``raw`` is not straight-line.

    Examples
    --------
    >>> from symcrit.core import MPMATH
    >>> def raw(ns, args):                  # one pair type on one parameter x
    ...     x = args[0]
    ...     return 0, [{"identical": False, "sup": (0,), "w": [1], "g": [x * x, 2, x],
    ...                 "P": [x], "Q": [0], "R1": [1], "R2": [1],
    ...                 "AA": [1], "BB": [0], "AB": [0]}]
    >>> f = straight_line_assembly(raw, 1, 1)
    >>> x = [MPMATH.convert(2)]
    >>> conv = converter(MPMATH)
    >>> base, pairs = raw(MPMATH, x)
    >>> L, g, H = assemble(MPMATH, conv([base])[0], pairs, 1, 2, conv)
    >>> a, b, c = f(MPMATH, x, 2)
    >>> (a, b.tolist(), c.tolist()) == (L, g.tolist(), H.tolist())       # bit for bit
    True
    """
    def formula(ns, args):
        base, pairs = raw(ns, args)
        conv = converter(ns)
        L, g, Hm = assemble(ns, conv([base])[0], pairs, n, 2, conv)
        return [[L], list(g), list(Hm.reshape(-1))]

    if code is None:
        code = trace_straight_line(formula, nargs, "assembled")

    def run(ns, args, order):
        out = code(ns, args, order)
        if order == 0:
            return out[0], None, None
        g = np.empty(n, dtype=object)
        g[:] = out[1:n + 1]
        if order == 1:
            return out[0], g, None
        Hm = np.empty(n * n, dtype=object)
        Hm[:] = out[n + 1:]
        return out[0], g, Hm.reshape(n, n)
    run.operations = code.operations
    run.source = code.source
    run.code = code
    return run
