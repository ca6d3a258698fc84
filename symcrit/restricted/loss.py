r"""The loss restricted to a fixed space, :math:`L_H(\xi; k) = L(W(\xi))`, with k symbolic.

Rows of one block of a Young-type ``H`` are equivalent, so every inner product between two
student neurons, or a student and a teacher neuron, is one of finitely many polynomials in
the parameters ξ and the block sizes, each occurring for a number of neuron pairs that is a
polynomial in the sizes (Arjevani & Field 2021, "Symmetry & critical points for a model
shallow neural network", Physica D 427, arXiv:2003.10576, §4–5; the pair types are
derived in :mod:`symcrit.restricted.pairs`).  Writing ``T`` for these pair types,

.. math::

    L_H(\xi; k) = \sum_{t\in T} \epsilon_t\, n_t(k)\,
        K\bigl(g^{(t)}_{uu}(\xi), g^{(t)}_{vv}(\xi), g^{(t)}_{uv}(\xi)\bigr),

with :math:`\epsilon_t\in\{\tfrac12, -1\}` (student–student or teacher–teacher pairs,
student–teacher pairs) and ``K`` the one arc-cosine formula
(:func:`symcrit.model.kernel.kernel`) evaluated in sympy.  The expression is valid for real
k at least the block sizes (``H.min_k``), so families can be followed in real k.

Gradient and Hessian in ξ are the pull-backs of the kernel's derivatives through the linear
maps ξ ↦ (u, v) of each pair type (:func:`~symcrit.model.kernel.kernel_hessian_pullback`,
the same formula the full-space Hessian uses), so parallel and anti-parallel pairs, such as
every neuron of the global minimum W = I, give the exact limits.  Everything but the kernel
is compiled once per group (``sympy.cse``) into code that runs in every number system; the
kernel terms are summed at run time by :func:`symcrit.restricted.assemble.assemble`.

>>> import sympy
>>> R = restricted_loss("ΔS_k")
>>> sympy.simplify(R.expr.subs({R.k: 3, R.symbols[0]: 1, R.symbols[1]: 0}))  # W = I
0
>>> import mpmath
>>> R.loss([1, 0], 10, system="mpmath")                            # any k, same cost
mpf('0.0')
>>> from symcrit.model import loss                                 # = the full loss at W(ξ)
>>> W = R.fixed.embed([0.5, 0.1], 3)
>>> bool(abs(R.loss([0.5, 0.1], 3) - loss(W)) < 1e-14)
True
>>> round(float(R.loss([0.5, 0.1], 2.5)), 9)                       # real k works too
0.190888392
"""
from __future__ import annotations

import sys
import time
from functools import cached_property, lru_cache

import mpmath
import numpy as np
import sympy

from ..core import (InputError, ShapeError, SYMPY, SYSTEMS, SympyConvertible, TraceError,
                    compile_exprs, compile_source, get_system, sympy_latex)
from ..core.cache import fingerprint, load, store
from ..model import kernel
from ..symmetry import FixedSpace, YoungIsotropy
from .assemble import assemble, converter, straight_line_assembly
from .pairs import pair_types, teacher_pair_types

__all__ = ["RestrictedLoss", "restricted_loss", "entry_residual", "gradient_norm",
           "STRAIGHT_LINE_AFTER"]

#: seconds of evaluation in the scalar object systems (Arb, mpmath, sympy) after which a
#: restricted loss compiles its assembly to straight-line code
#: (:meth:`RestrictedLoss.straight_line`): tracing and compiling costs about as much as
#: a few dozen evaluations, which one-off uses never repay.  In the costlier systems
#: (truncated series, Taylor models) the straight-line code is used from the start.
STRAIGHT_LINE_AFTER = 0.1

_VECTORS = ("P", "Q", "R1", "R2")
_MATRICES = ("AA", "BB", "AB")


def entry_residual(g, weights):
    r"""The gradient per entry of W: :math:`\max_p |g_p| / w_p`, with ``g`` the gradient of
    :math:`L_H` in ξ and ``w`` the Frobenius weights.  All entries of W in the orbit of a
    parameter share one gradient value, so this is the max-norm of the full gradient and
    its tolerance does not depend on k.

    >>> entry_residual([2.0, -6.0], [1.0, 4.0])
    2.0
    """
    return max(abs(gp / w) for gp, w in zip(g, weights))


def gradient_norm(g, weights):
    r"""The Frobenius norm of the full gradient at W(ξ): :math:`(\sum_p g_p^2/w_p)^{1/2}`
    (mpmath).

    >>> float(gradient_norm([2, -6], [1, 4]))
    3.605551275463989
    """
    return mpmath.sqrt(mpmath.fsum(mpmath.mpf(gp) ** 2 / w for gp, w in zip(g, weights)))


class RestrictedLoss(SympyConvertible):
    r"""``L_H(ξ; k)`` for a Young-type isotropy group ``H`` (spec text or ``YoungIsotropy``,
    symbolic k), with its gradient and Hessian: sympy expressions, LaTeX, and compiled
    evaluation in any number system (``float``, ``mpmath``, ``sympy``, ``arb``).

    A sympy object: ``as_expr()`` is :attr:`expr`, so ``sympy.sympify(R)``,
    ``sympy.latex(R)`` and ``sympy.pretty(R)`` work on it; :meth:`latex` writes
    ``\arccos`` (which ``parse_latex`` reads back).  In float64 it evaluates arrays of
    points and of k at once, as ``lambdify`` would (:meth:`loss`, :meth:`evaluate`).

    Parameters
    ----------
    H : str or YoungIsotropy
        The isotropy group (k symbolic; a concrete group is made symbolic).

    Examples
    --------
    >>> R = RestrictedLoss("ΔS_{k-1}")
    >>> R.fixed.names, len(R.pair_types)
    (['a', 'b', 'c', 'd', 'e'], 9)
    """

    def __init__(self, H: str | YoungIsotropy) -> None:
        if not isinstance(H, YoungIsotropy):
            H = YoungIsotropy(H)
        if not H.symbolic:
            H = YoungIsotropy(H.spec)
        self.H = H
        self.fixed = FixedSpace(H)
        self.k = H.k
        self.d = H.d if H.d != H.k else None
        self.symbols = self.fixed.symbols
        self.prime = {x: sympy.Symbol(x.name + "__2", real=True) for x in self.symbols}
        self._straight = None             # the straight-line assembly (False: unavailable)
        self._object_seconds = 0.0        # time spent evaluating in the object systems
        self._straight_looked_up = False  # the disk cache asked for the straight-line code

    @cached_property
    def pair_types(self):
        """The pair types of Fix(H) (:func:`~symcrit.restricted.pairs.pair_types`)."""
        return pair_types(self.fixed, self.prime)

    @cached_property
    def constant(self):
        """The teacher–teacher part of the loss (constant in ξ)."""
        return sympy.simplify(sum(self._term(t) for t in teacher_pair_types(self.H)))

    # ------------------------------------------------------------------ symbolic
    @staticmethod
    def _term(t):
        if t.identical:
            return t.weight * t.guu / 2
        return t.weight * kernel(SYMPY, t.guu, t.gvv, t.guv)

    @property
    def args(self):
        """The arguments of the compiled functions: the parameters, k (and d)."""
        return self.symbols + [self.k] + ([self.d] if self.d is not None else [])

    @cached_property
    def expr(self):
        """``L_H(ξ; k)`` as a sympy expression."""
        return sum((self._term(t) for t in self.pair_types), self.constant)

    @cached_property
    def _pairs(self):
        """Per pair type, the data :func:`~symcrit.restricted.assemble.assemble` sums, as
        sympy expressions on the pair's support (the parameters its two rows depend on):
        ``P = Aᵀu, Q = Bᵀv, R1 = Aᵀv, R2 = Bᵀu`` and ``AᵀA, BᵀB, AᵀB`` for u = Aξ,
        v = Bξ."""
        xs = self.symbols
        back = {v: k for k, v in self.prime.items()}
        ys = [self.prime[x] for x in xs]
        half = sympy.Rational(1, 2)
        zero = sympy.S.Zero

        def grad(e, vs):
            free = e.free_symbols
            return [sympy.diff(e, v) if v in free else zero for v in vs]

        out = []
        for t in self.pair_types:
            P = [half * g for g in grad(t.guu, xs)]
            data = {"identical": t.identical, "w": [t.weight], "P": P,
                    "AA": [grad(p, xs) for p in P]}
            if t.identical:
                data["g"] = [t.guu]
            else:
                Q = [half * g for g in grad(t.gvv, xs)]
                R1 = grad(t.guv2, xs)
                data.update(g=[t.guu, t.gvv, t.guv], Q=Q, BB=[grad(q, xs) for q in Q],
                            R1=[r.xreplace(back) for r in R1],
                            R2=[r.xreplace(back) for r in grad(t.guv2, ys)],
                            AB=[grad(r, ys) for r in R1])
            vecs = [data[name] for name in _VECTORS if name in data]
            mats = [data[name] for name in _MATRICES if name in data]
            sup = tuple(p for p in range(len(xs))
                        if any(v[p] != 0 for v in vecs)
                        or any(any(x != 0 for x in M[p]) or any(row[p] != 0 for row in M)
                               for M in mats))
            for name in _VECTORS:
                if name in data:
                    data[name] = [data[name][p] for p in sup]
            for name in _MATRICES:
                if name in data:
                    data[name] = [data[name][p][q] for p in sup for q in sup]
            data["sup"] = sup
            out.append(data)
        return out

    @cached_property
    def gradient_exprs(self):
        r"""The gradient :math:`\nabla_\xi L_H` (list of sympy expressions): the pull-back
        of the kernel gradient through each pair type."""
        return list(self._symbolic(1)[1])

    @cached_property
    def hessian_exprs(self):
        r"""The Hessian :math:`\nabla^2_\xi L_H` (sympy Matrix)."""
        return sympy.Matrix(self._symbolic(2)[2].tolist())

    def _symbolic(self, order):
        return assemble(SYMPY, self.expr, self._pairs, len(self.symbols), order,
                        conv=list)

    # ------------------------------------------------------------------ LaTeX
    def as_expr(self):
        """``L_H(ξ; k)`` as a sympy expression (:attr:`expr`)."""
        return self.expr

    def latex(self):
        r"""LaTeX of ``L_H`` (``\arccos``, as :func:`symcrit.core.sympy_latex` writes).

        >>> "\\arccos" in restricted_loss("ΔS_k").latex()
        True
        """
        return sympy_latex(self.expr)

    def gradient_latex(self):
        """LaTeX of each component of the gradient."""
        return [sympy_latex(g) for g in self.gradient_exprs]

    def hessian_latex(self):
        """LaTeX of the Hessian matrix."""
        return sympy_latex(self.hessian_exprs)

    def _repr_latex_(self):
        return f"$L_{{{self.H.latex}}} = {self.latex()}$"

    def __repr__(self):
        return (f"RestrictedLoss({self.H.label!r}: {len(self.symbols)} parameters "
                f"{', '.join(s.name for s in self.symbols)}; {len(self._compiled[1])} pair "
                "types)")

    # ------------------------------------------------------------------ compiled
    @cached_property
    def _compiled(self):
        """One compiled function returning, for every pair type, its weight, Gram entries
        and contractions on its support (everything but the kernel, which is evaluated at
        run time by the one kernel formula in the number system at hand), and where each
        piece sits in its output.  Read from the disk cache (:mod:`symcrit.core.cache`)
        when an earlier process derived it."""
        key = (f"restricted-loss/{self.H.label}/{self.d is not None}/"
               f"{_fingerprint()}")
        hit = load(key)
        if hit is not None:
            try:
                slots = [dict(sl, sup=tuple(sl["sup"]),
                              **{n: tuple(v) for n, v in sl.items()
                                 if n not in ("identical", "sup", "label")})
                         for sl in hit["slots"]]
                return compile_source(hit["source"], "pair_data"), slots
            except (KeyError, TypeError, ValueError, SyntaxError):
                pass                          # a foreign or damaged file: derive again
        exprs, slots = [self.constant], []
        for t, data in zip(self.pair_types, self._pairs):
            slot = {"identical": data["identical"], "sup": data["sup"], "label": t.label}
            for name in ("w", "g") + _VECTORS + _MATRICES:
                if name in data:
                    slot[name] = (len(exprs), len(data[name]))
                    exprs.extend(data[name])
            slots.append(slot)
        fn = compile_exprs(exprs, self.args, "pair_data")
        store(key, {"source": fn.source,
                    "slots": [dict(sl, sup=list(sl["sup"])) for sl in slots]})
        return fn, slots

    def compile(self):
        """Derive and compile now (before forking worker processes, say); returns self."""
        self._compiled
        return self

    def _raw(self, ns, args):
        fn, slots = self._compiled
        out = fn(ns, *args)
        pairs = []
        for slot in slots:
            d = {"identical": slot["identical"], "sup": slot["sup"], "label": slot["label"]}
            for name, pos in slot.items():
                if name not in ("identical", "sup", "label"):
                    d[name] = out[pos[0]:pos[0] + pos[1]]
            pairs.append(d)
        return out[0], pairs

    def straight_line(self):
        """The evaluation in the object systems compiled to straight-line code
        (:func:`~symcrit.restricted.assemble.straight_line_assembly`: the same values, bit
        for bit, without numpy's object arrays): ``f(ns, args, order) -> (L, ∇L, ∇²L)``,
        or None when it cannot be traced (the traced code is kept in the disk cache,
        :mod:`symcrit.core.cache`, for later processes: loading it costs about a tenth of
        tracing it, but for a large group still more than one evaluation without it).
        Built when first asked for, at the first evaluation in truncated series or Taylor
        models, or once
        :data:`STRAIGHT_LINE_AFTER` seconds have been spent evaluating without it (ask for
        it before forking worker processes, so that they inherit it).

        >>> from flint import arb
        >>> from symcrit.core import ARB
        >>> f = restricted_loss("ΔS_k").straight_line()
        >>> L, g, H = f(ARB, [arb("0.9"), arb("0.05"), arb(5)], 2)
        >>> bool(abs(float(L.mid()) - restricted_loss("ΔS_k").loss([0.9, 0.05], 5)) < 1e-14)
        True
        >>> H.shape, f.operations > 100
        ((2, 2), True)
        """
        if self._straight is None:
            self._straight = self._cached_straight_line()
        if self._straight is None:
            try:
                self._straight = straight_line_assembly(self._raw, len(self.args),
                                                        len(self.symbols))
            except TraceError:
                self._straight = False
            if self._straight:
                store(self._straight_key, {"source": self._straight.source,
                                           "operations": self._straight.operations})
        return self._straight or None

    @property
    def _straight_key(self):
        return f"straight-line/{self.H.label}/{self.d is not None}/{_fingerprint()}"

    def _cached_straight_line(self):
        """The straight-line code an earlier process traced (from the disk cache), or None
        (looked up once: a miss is not read again)."""
        if self._straight_looked_up:
            return None
        self._straight_looked_up = True
        hit = load(self._straight_key)
        if hit is None:
            return None
        try:
            code = compile_source(hit["source"], "assembled")
            code.operations = int(hit["operations"])
        except (KeyError, TypeError, ValueError, SyntaxError):
            return None                       # a foreign or damaged file: trace again
        return straight_line_assembly(self._raw, len(self.args), len(self.symbols),
                                      code=code)

    def _assemble(self, ns, args, order):
        base, pairs = self._raw(ns, args)
        conv = converter(ns)
        return assemble(ns, conv([base])[0], pairs, len(self.symbols), order, conv)

    def _evaluate(self, ns, args, order, straight_line=None):
        if ns.dtype is float:                # vectorised over points: numpy's own arrays
            return self._assemble(ns, args, order)
        if straight_line is not None:        # the caller's choice (tests compare the two)
            f = self.straight_line() if straight_line else None
            return f(ns, args, order) if f else self._assemble(ns, args, order)
        if self._straight is None and (self._object_seconds >= STRAIGHT_LINE_AFTER
                                       or _costly_scalars(ns)):
            self.straight_line()
        if self._straight:
            return self._straight(ns, args, order)
        t = time.perf_counter()
        out = self._assemble(ns, args, order)
        self._object_seconds += time.perf_counter() - t
        return out

    def _call_args(self, xi, k, d, ns):
        if isinstance(xi, np.ndarray) and xi.ndim >= 2:
            if ns.dtype is not float:
                raise InputError("a batch of points (an array of shape (..., n)) is "
                                 "evaluated in float64 only")
            xi = list(np.moveaxis(np.asarray(xi, dtype=float), -1, 0))
        xi = list(xi.values()) if isinstance(xi, dict) else list(xi)
        if len(xi) != len(self.symbols):
            raise ShapeError(f"Fix({self.H.label}) has {len(self.symbols)} parameters "
                             f"({', '.join(s.name for s in self.symbols)}); got {len(xi)}")
        if k is None:
            raise InputError("give k")
        vals = xi + [k]
        if self.d is not None:
            if d is None:
                raise InputError(f"isotropy {self.H.label} involves d: give d as well as k")
            vals.append(d)
        return [x if ns.is_native(x) else ns.convert(x) for x in vals]

    def loss(self, xi, k, d=None, system="float"):
        """``L_H(ξ; k)`` in a number system.

        In float64 ``xi`` may be an array of points of shape (..., n) and ``k`` a number
        or an array that broadcasts with its leading axes (a single point with an array
        of k works too): the result has their broadcast shape, computed at once.

        >>> R = restricted_loss("ΔS_{k-1}")
        >>> X = np.array([[1.0, -0.01, 0.15, 0.1, -0.73], [0.9, 0.0, 0.1, 0.1, -0.5]])
        >>> R.loss(X, 12).shape, R.loss(X[0], np.array([8.0, 12.0, 20.0])).shape
        ((2,), (3,))
        >>> bool(abs(R.loss(X, np.array([8.0, 12.0]))[1] - R.loss(X[1], 12)) < 1e-15)
        True
        """
        ns = get_system(system)
        return self._evaluate(ns, self._call_args(xi, k, d, ns), 0)[0]

    def gradient(self, xi, k, d=None, system="float"):
        """The gradient in ξ (a column: numpy array, mpmath/sympy matrix, list of balls)."""
        ns = get_system(system)
        return ns.column(self._evaluate(ns, self._call_args(xi, k, d, ns), 1)[1])

    def evaluate(self, xi, k, d=None, system="float", order=2, straight_line=None):
        """``(L, ∇L, ∇²L)`` (fewer for ``order`` < 2) from one shared evaluation.

        In float64, ``xi`` may be an array of points of shape (..., n) and ``k`` an array
        broadcasting with its leading axes: the results then have shapes (...), (..., n)
        and (..., n, n), computed at once (vectorised, as ``lambdify`` would).

        In the object systems the assembly runs on numpy object arrays, or as
        straight-line code (:meth:`straight_line`; the same values, bit for bit):
        ``straight_line`` True or False forces one of the two, None (the default) uses
        straight-line code in truncated series and Taylor models, and in Arb, mpmath and
        sympy after :data:`STRAIGHT_LINE_AFTER` seconds of evaluation.

        >>> R = restricted_loss("ΔS_k")
        >>> X = np.array([[1.0, 0.0], [0.5, 0.1], [0.9, 0.05]])
        >>> L, g, H = R.evaluate(X, np.array([3.0, 3.0, 7.5]))
        >>> L.shape, g.shape, H.shape
        ((3,), (3, 2), (3, 2, 2))
        >>> bool(np.allclose(L[1], R.loss([0.5, 0.1], 3)))
        True
        """
        ns = get_system(system)
        L, g, Hm = self._evaluate(ns, self._call_args(xi, k, d, ns), order, straight_line)
        if order == 0:
            return L
        if order == 1:
            return L, ns.column(g)
        return L, ns.column(g), ns.matrix(Hm)

    def hessian(self, xi, k, d=None, system="float"):
        """The Hessian in ξ (n × n matrix of the number system)."""
        return self.evaluate(xi, k, d, system, order=2)[2]

    def pair_gram(self, xi, k, d=None, system="float"):
        """For every pair type: ``(label, weight, g_uu, g_vv, g_uv, identical)`` at ξ.

        This is what a certificate checks to stay off the non-smooth set: every squared
        norm positive, and :math:`g_{uv}^2 < g_{uu}g_{vv}` for non-identical pairs."""
        ns = get_system(system)
        _, pairs = self._raw(ns, self._call_args(xi, k, d, ns))
        conv = converter(ns)
        rows = []
        for data in pairs:
            g = conv(data["g"])
            if len(g) == 1:
                g = g * 3
            rows.append((data["label"], conv(data["w"])[0], g[0], g[1], g[2],
                         data["identical"]))
        return rows

    # ------------------------------------------------------------------ weights
    def weights(self, k, d=None, system="float"):
        """Frobenius weights of the parameters at k (the Gram matrix of W(ξ))."""
        return self.fixed.weights_at(k, d, system)

    def residual(self, g, k, d=None):
        """The gradient ``g`` (in ξ) per entry of W at k: :func:`entry_residual` with the
        weights at k (mpmath)."""
        return entry_residual(list(g), self.weights(k, d, system="mpmath"))


def _costly_scalars(ns):
    """True for the number systems outside the built-in scalar ones (truncated series,
    Taylor models): there one evaluation costs seconds, so the straight-line code, which
    does every operation once (norms and angles are formed in several places of the
    vectorised assembly), is worth tracing before the first evaluation."""
    return all(ns is not s for s in SYSTEMS.values())


#: the modules whose code determines a derived restricted loss (the disk cache's key)
_DERIVED_BY = ("symcrit.restricted.loss", "symcrit.restricted.pairs",
               "symcrit.restricted.assemble", "symcrit.symmetry.fixed",
               "symcrit.symmetry.young", "symcrit.core.codegen", "symcrit.model.kernel",
               "symcrit.core.tracing", "symcrit.core.systems")


@lru_cache(maxsize=None)
def _fingerprint():
    return fingerprint(*(sys.modules[name] for name in _DERIVED_BY))


@lru_cache(maxsize=None)
def _cached(spec):
    return RestrictedLoss(YoungIsotropy(spec))


@lru_cache(maxsize=None)
def _by_text(text):
    return _cached(YoungIsotropy(text).spec)


def restricted_loss(H: str | YoungIsotropy) -> RestrictedLoss:
    """The (cached) :class:`RestrictedLoss` of an isotropy spec: derived once per session.

    >>> restricted_loss("DS_{k-1}") is restricted_loss("ΔS_{k-1}")
    True
    """
    if isinstance(H, YoungIsotropy):
        return _cached(H.spec)
    if isinstance(H, str):
        return _by_text(H)
    return _cached(YoungIsotropy(H).spec)
