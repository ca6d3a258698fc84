r"""The loss restricted to a fixed space, :math:`L_H(\xi; k) = L(W(\xi))`, with k symbolic.

Rows of one block of a Young-type ``H`` are equivalent, so every inner product between two
student neurons, or a student and a teacher neuron, is one of finitely many polynomials in
the parameters ξ and the block sizes, each occurring for a number of neuron pairs that is a
polynomial in the sizes (Arjevani & Field 2021, "Symmetry & critical points for a model
shallow neural network", Physica D, §4–5).  Writing ``T`` for these pair types,

.. math::

    L_H(\xi; k) = \sum_{t\in T} \epsilon_t\, n_t(k)\,
        K\bigl(g^{(t)}_{uu}(\xi), g^{(t)}_{vv}(\xi), g^{(t)}_{uv}(\xi)\bigr),

with :math:`\epsilon_t\in\{\tfrac12, -1\}` (student–student or teacher–teacher pairs,
student–teacher pairs) and ``K`` the one arc-cosine formula
(:func:`symcrit.model.kernel.kernel`) evaluated in sympy.  The expression is valid for real
k at least the block sizes (``H.min_k``), so families can be followed in real k.

Gradient and Hessian in ξ come from the chain rule through the Gram coordinates
(:func:`~symcrit.model.kernel.kernel_gram_partials`): the gradient has no ``1/\sin\theta``
terms at all.  All three are compiled once per group (``sympy.cse``) into code that runs
in every number system, and cached.

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

from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np
import sympy

from .codegen import compile_exprs
from .errors import InputError, ShapeError
from .model.kernel import kernel, kernel_gram_partials
from .symmetry.fixed import FixedSpace
from .symmetry.spec import D, K
from .symmetry.young import YoungIsotropy
from .systems import SYMPY, get_system

__all__ = ["RestrictedLoss", "restricted_loss", "PairType"]


@dataclass
class _RowClass:
    """A class of equivalent rows: its size, the column block it is Δ-paired with, and its
    entries per column block ((diagonal, off-diagonal) on the paired block, else a
    constant)."""
    size: sympy.Expr
    paired: int | None
    values: list
    teacher: bool


@dataclass(frozen=True)
class PairType:
    """A type of neuron pair: how many pairs (a polynomial in k), the Gram entries, the
    sign/weight in the loss and whether it is a pair of identical rows (``K = |u|²/2``)."""
    weight: sympy.Expr
    guu: sympy.Expr
    gvv: sympy.Expr
    guv: sympy.Expr
    identical: bool
    label: str


def _student_classes(F):
    H = F.H
    out = []
    for a, size in enumerate(H.row_sizes):
        vals = []
        for b in range(len(H.col_sizes)):
            if H.pairs.get(a) == b:
                vals.append((F.param(a, b, "diag").symbol, F.param(a, b, "off").symbol))
            else:
                vals.append(F.param(a, b).symbol)
        out.append(_RowClass(size, H.pairs.get(a), vals, False))
    return out


def _teacher_classes(H):
    """The teacher [I_k | 0]: one class per teacher column block."""
    out = []
    for b in range(H.teacher_cols):
        vals = [sympy.Integer(0)] * len(H.col_sizes)
        if b < H.n_delta:
            vals[b] = (sympy.Integer(1), sympy.Integer(0))
            out.append(_RowClass(H.col_sizes[b], b, vals, True))
        else:
            vals[b] = sympy.Integer(1)
            out.append(_RowClass(sympy.Integer(1), None, vals, True))
    return out


def _norm2(A, cols):
    tot = 0
    for b, m in enumerate(cols):
        if A.paired == b:
            x, y = A.values[b]
            tot += x ** 2 + (m - 1) * y ** 2
        else:
            tot += m * A.values[b] ** 2
    return sympy.expand(tot)


def _dot(A, B, cols, relation):
    """Inner product of a row of A and a row of B.  ``relation``: 'distinct' (two rows of
    the same class), 'matched'/'unmatched' (classes Δ-paired with the same column block,
    rows with equal/different partner columns) or 'cross'."""
    tot = 0
    for b, m in enumerate(cols):
        pa, pb = A.paired == b, B.paired == b
        if pa and pb:
            (xa, ya), (xb, yb) = A.values[b], B.values[b]
            if relation == "matched":
                tot += xa * xb + (m - 1) * ya * yb
            else:       # distinct rows of one class, or unmatched rows
                tot += xa * yb + ya * xb + (m - 2) * ya * yb
        elif pa:
            xa, ya = A.values[b]
            tot += (xa + (m - 1) * ya) * B.values[b]
        elif pb:
            xb, yb = B.values[b]
            tot += (xb + (m - 1) * yb) * A.values[b]
        else:
            tot += m * A.values[b] * B.values[b]
    return sympy.expand(tot)


def _pair_types(A, B, cols, eps, tag):
    nA, nB = _norm2(A, cols), _norm2(B, cols)
    out = []
    if A is B:
        out.append(PairType(eps * A.size, nA, nA, nA, True, f"{tag} self"))
        if not (A.size.is_Integer and A.size <= 1):
            cnt = sympy.expand(A.size * (A.size - 1))
            if A.paired is None:        # all rows of the class are equal
                out.append(PairType(eps * cnt, nA, nA, nA, True, f"{tag} equal rows"))
            else:
                out.append(PairType(eps * cnt, nA, nA, _dot(A, A, cols, "distinct"), False,
                                    f"{tag} distinct rows"))
        return out
    if A.paired is not None and A.paired == B.paired:
        m = A.size
        out.append(PairType(eps * m, nA, nB, _dot(A, B, cols, "matched"), False,
                            f"{tag} matched"))
        out.append(PairType(eps * sympy.expand(m * (m - 1)), nA, nB,
                            _dot(A, B, cols, "unmatched"), False, f"{tag} unmatched"))
        return out
    out.append(PairType(eps * sympy.expand(A.size * B.size), nA, nB,
                        _dot(A, B, cols, "cross"), False, f"{tag} cross"))
    return out


class RestrictedLoss:
    """``L_H(ξ; k)`` for a Young-type isotropy group ``H`` (spec text or ``YoungIsotropy``,
    symbolic k), with its gradient and Hessian: sympy expressions, LaTeX, and compiled
    evaluation in any number system (``float``, ``mpmath``, ``sympy``, ``arb``)."""

    def __init__(self, H):
        if not isinstance(H, YoungIsotropy):
            H = YoungIsotropy(H)
        if not H.symbolic:
            H = YoungIsotropy(H.spec)
        self.H = H
        self.fixed = FixedSpace(H)
        self.k = H.k
        self.d = H.d if H.d != H.k else None
        self.symbols = self.fixed.symbols
        cols = H.col_sizes
        S, T = _student_classes(self.fixed), _teacher_classes(H)
        half = sympy.Rational(1, 2)
        types = []
        for i, A in enumerate(S):
            for j, B in enumerate(S):
                if j >= i:
                    types += _pair_types(A, B, cols, half if i == j else sympy.Integer(1),
                                         f"student{i}-student{j}")
            for j, B in enumerate(T):
                types += _pair_types(A, B, cols, -sympy.Integer(1), f"student{i}-teacher{j}")
        const = []
        for i, A in enumerate(T):
            for j, B in enumerate(T):
                if j >= i:
                    const += _pair_types(A, B, cols, half if i == j else sympy.Integer(1),
                                         f"teacher{i}-teacher{j}")
        self.pair_types = types
        self.constant = sympy.simplify(sum(self._term(t) for t in const))

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
    def _gradient_terms(self):
        xs = self.symbols
        out = []
        for t in self.pair_types:
            gs = [t.guu, t.gvv, t.guv]
            dg = [[sympy.diff(g, x) for x in xs] for g in gs]
            out.append((t, gs, dg))
        return out

    @cached_property
    def gradient_exprs(self):
        r"""The gradient :math:`\nabla_\xi L_H` (list), by the chain rule through the Gram
        coordinates of each pair type."""
        n = len(self.symbols)
        grad = [sympy.Integer(0)] * n
        for t, gs, dg in self._gradient_terms:
            if t.identical:
                for p in range(n):
                    grad[p] += t.weight * dg[0][p] / 2
                continue
            first, _ = kernel_gram_partials(SYMPY, *gs)
            for p in range(n):
                grad[p] += t.weight * sum(first[a] * dg[a][p] for a in range(3))
        return grad

    @cached_property
    def hessian_exprs(self):
        r"""The Hessian :math:`\nabla^2_\xi L_H` (sympy Matrix)."""
        xs = self.symbols
        n = len(xs)
        Hm = [[sympy.Integer(0)] * n for _ in range(n)]
        for t, gs, dg in self._gradient_terms:
            d2 = [[[sympy.diff(dg[a][p], x) for x in xs] for p in range(n)] for a in range(3)]
            if t.identical:
                for p in range(n):
                    for q in range(p, n):
                        Hm[p][q] += t.weight * d2[0][p][q] / 2
                continue
            first, second = kernel_gram_partials(SYMPY, *gs)
            for p in range(n):
                for q in range(p, n):
                    v = sum(first[a] * d2[a][p][q] for a in range(3))
                    v += sum(second[a][b] * dg[a][p] * dg[b][q]
                             for a in range(3) for b in range(3))
                    Hm[p][q] += t.weight * v
        for p in range(n):
            for q in range(p):
                Hm[p][q] = Hm[q][p]
        return sympy.Matrix(Hm)

    # ------------------------------------------------------------------ LaTeX
    def latex(self):
        """LaTeX of ``L_H``."""
        return sympy.latex(self.expr)

    def gradient_latex(self):
        return [sympy.latex(g) for g in self.gradient_exprs]

    def hessian_latex(self):
        return sympy.latex(self.hessian_exprs)

    def _repr_latex_(self):
        return f"$L_{{{self.H.latex}}} = {self.latex()}$"

    def __repr__(self):
        return (f"RestrictedLoss({self.H.label!r}: {len(self.symbols)} parameters "
                f"{', '.join(s.name for s in self.symbols)}; {len(self.pair_types)} pair types)")

    # ------------------------------------------------------------------ compiled
    @cached_property
    def _layout(self):
        """Compiled Gram polynomials of every pair type, with their first and second
        derivatives in ξ (sparse), and the pair weights: everything but the kernel, which
        is evaluated at run time by the one kernel formula in the number system at hand."""
        n = len(self.symbols)
        kern = [t for t in self.pair_types if not t.identical]
        ident = [t for t in self.pair_types if t.identical]
        exprs = []
        for t in kern:
            exprs += [t.guu, t.gvv, t.guv, t.weight]
        for t in ident:
            exprs += [t.guu, t.weight]
        dg_idx, d2_idx = [], []
        for ti, t in enumerate(kern + ident):
            gs = [t.guu, t.gvv, t.guv] if ti < len(kern) else [t.guu]
            for a, g in enumerate(gs):
                for p, x in enumerate(self.symbols):
                    dgp = sympy.diff(g, x)
                    if dgp != 0:
                        dg_idx.append((ti, a, p))
                        exprs.append(dgp)
                        for q in range(p, n):
                            d2 = sympy.diff(dgp, self.symbols[q])
                            if d2 != 0:
                                d2_idx.append((ti, a, p, q))
                                exprs.append(d2)
        fn = compile_exprs(exprs, self.args, "gram_polynomials")
        return fn, len(kern), len(ident), dg_idx, d2_idx

    def _polys(self, ns, args, order):
        fn, nk, ni, dg_idx, d2_idx = self._layout
        out = [v if _native(v, ns) else ns.convert(v) for v in fn(ns, *args)]
        G = _objarray([out[4 * i:4 * i + 3] for i in range(nk)], (nk, 3), ns)
        wk = _objarray(out[3:4 * nk:4], (nk,), ns)
        base = 4 * nk
        gi = _objarray(out[base:base + 2 * ni:2], (ni,), ns)
        wi = _objarray(out[base + 1:base + 2 * ni:2], (ni,), ns)
        return out, G, wk, gi, wi, base + 2 * ni

    def _evaluate(self, ns, args, order):
        n = len(self.symbols)
        fn, nk, ni, dg_idx, d2_idx = self._layout
        out, G, wk, gi, wi, pos = self._polys(ns, args, order)
        guu, gvv, guv = G[:, 0], G[:, 1], G[:, 2]
        L = (wk * kernel(ns, guu, gvv, guv)).sum() + (wi * gi).sum() / 2
        L = L + (_const(self.constant, ns, args, self) if self.constant != 0 else 0)
        if order == 0:
            return L, None, None
        first, second = kernel_gram_partials(ns, guu, gvv, guv)
        # coefficient of each Gram coordinate's derivative, per pair type
        c1 = [wk * first[a] for a in range(3)]
        grad = np.zeros(n, dtype=object if ns.dtype == object else float)
        dgs, d2v = {}, {}
        # re-walk the layout to split first and second derivative values
        it = iter(out[pos:])
        d2_iter = iter(d2_idx)
        nxt = next(d2_iter, None)
        for (ti, a, p) in dg_idx:
            dgs[(ti, a, p)] = next(it)
            while nxt is not None and nxt[:3] == (ti, a, p):
                d2v[nxt] = next(it)
                nxt = next(d2_iter, None)
        for (ti, a, p), v in dgs.items():
            if ti < nk:
                grad[p] = grad[p] + c1[a][ti] * v
            else:
                grad[p] = grad[p] + wi[ti - nk] * v / 2
        if order == 1:
            return L, grad, None
        Hm = np.zeros((n, n), dtype=object if ns.dtype == object else float)
        for (ti, a, p, q), v in d2v.items():
            c = c1[a][ti] if ti < nk else wi[ti - nk] / 2
            Hm[p, q] = Hm[p, q] + c * v
            if q != p:
                Hm[q, p] = Hm[q, p] + c * v
        # second-order kernel terms: sum_ab K_ab dg_a dg_b^T per kernel pair type
        per_type = {}
        for (ti, a, p), v in dgs.items():
            if ti < nk:
                per_type.setdefault(ti, []).append((a, p, v))
        for ti, entries in per_type.items():
            w = wk[ti]
            for (a, p, u) in entries:
                for (b, q, v) in entries:
                    Hm[p, q] = Hm[p, q] + w * second[a][b][ti] * u * v
        return L, grad, Hm

    def _call_args(self, xi, k, d, ns):
        xi = list(xi.values()) if isinstance(xi, dict) else list(xi)
        if len(xi) != len(self.symbols):
            raise ShapeError(f"Fix({self.H.label}) has {len(self.symbols)} parameters "
                             f"({', '.join(s.name for s in self.symbols)}); got {len(xi)}")
        if k is None:
            raise InputError("give k")
        vals = [x if _native(x, ns) else ns.convert(x) for x in xi]
        vals.append(k if _native(k, ns) else ns.convert(k))
        if self.d is not None:
            if d is None:
                raise InputError(f"isotropy {self.H.label} involves d: give d as well as k")
            vals.append(d if _native(d, ns) else ns.convert(d))
        return vals

    def loss(self, xi, k, d=None, system="float"):
        """``L_H(ξ; k)`` in a number system."""
        ns = get_system(system)
        return self._evaluate(ns, self._call_args(xi, k, d, ns), 0)[0]

    def gradient(self, xi, k, d=None, system="float"):
        """The gradient in ξ (a column: numpy array, mpmath/sympy matrix, list of arb)."""
        ns = get_system(system)
        return _column(self._evaluate(ns, self._call_args(xi, k, d, ns), 1)[1], ns)

    def evaluate(self, xi, k, d=None, system="float", order=2):
        """``(L, ∇L, ∇²L)`` (fewer for ``order`` < 2) from one shared evaluation."""
        ns = get_system(system)
        L, g, Hm = self._evaluate(ns, self._call_args(xi, k, d, ns), order)
        if order == 0:
            return L
        if order == 1:
            return L, _column(g, ns)
        return L, _column(g, ns), _square(Hm, ns)

    def hessian(self, xi, k, d=None, system="float"):
        """The Hessian in ξ (n × n matrix of the number system)."""
        return self.evaluate(xi, k, d, system, order=2)[2]

    # ------------------------------------------------------------------ helpers
    def weights(self, k, d=None, system="float"):
        """Frobenius weights of the parameters at k (the Gram matrix of W(ξ))."""
        return self.fixed.weights_at(k, d, system)


def _native(x, ns):
    import mpmath
    from flint import arb
    return {"float": isinstance(x, (float, np.ndarray)),
            "mpmath": isinstance(x, mpmath.mpf),
            "arb": isinstance(x, arb),
            "sympy": isinstance(x, sympy.Basic)}.get(ns.name, False)


def _objarray(vals, shape, ns):
    arr = np.empty(len(vals), dtype=object)
    for i, v in enumerate(vals):
        arr[i] = v
    arr = arr.reshape(shape) if len(shape) == 1 else np.array(
        [list(v) for v in vals], dtype=object).reshape(shape)
    return arr.astype(float) if ns.dtype is float else arr


def _const(c, ns, args, R):
    """The teacher–teacher constant (it may depend on k) in the number system."""
    fn = R.__dict__.get("_const_fn")
    if fn is None:
        fn = compile_exprs([c], R.args, "constant")
        R.__dict__["_const_fn"] = fn
    return fn(ns, *args)[0]


def _column(vals, ns):
    vals = list(vals)
    if ns.name == "float":
        return np.array(vals, dtype=float)
    if ns.name in ("mpmath", "sympy"):
        return ns.matrix([[v] for v in vals])
    return list(vals)


def _square(H, ns):
    if ns.name == "float":
        return np.asarray(H, dtype=float)
    return ns.matrix(H)


@lru_cache(maxsize=None)
def _cached(spec):
    return RestrictedLoss(YoungIsotropy(spec))


def restricted_loss(H):
    """The (cached) :class:`RestrictedLoss` of an isotropy spec: derived once per session."""
    if isinstance(H, YoungIsotropy):
        return _cached(H.spec)
    return _cached(YoungIsotropy(H).spec)
