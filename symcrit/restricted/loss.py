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

Gradient and Hessian in ξ are the pull-backs of the kernel's derivatives through the linear
maps ξ ↦ (u, v) of each pair type (:func:`~symcrit.model.kernel.kernel_hessian_pullback`,
the same formula the full-space Hessian uses), so parallel and anti-parallel pairs, such as
every neuron of the global minimum W = I, give the exact limits.  All three are compiled once per group (``sympy.cse``) into code that runs
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

from ..core import compile_exprs
from ..core import InputError, ShapeError
from ..model.kernel import kernel, kernel_gradient_pullback, kernel_hessian_pullback
from ..symmetry.fixed import FixedSpace
from ..symmetry.young import YoungIsotropy
from ..core import SYMPY, get_system

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
    guv2: sympy.Expr = None      # u(ξ)·v(η): the inner product with the second row's own copy


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


def _primed(A, prime):
    vals = [tuple(v.xreplace(prime) for v in x) if isinstance(x, tuple) else x.xreplace(prime)
            for x in A.values]
    return _RowClass(A.size, A.paired, vals, A.teacher)


def _pair_types(A, B, cols, eps, tag, prime):
    nA, nB = _norm2(A, cols), _norm2(B, cols)
    B2 = _primed(B, prime)
    out = []
    if A is B:
        out.append(PairType(eps * A.size, nA, nA, nA, True, f"{tag} self"))
        if not (A.size.is_Integer and A.size <= 1):
            cnt = sympy.expand(A.size * (A.size - 1))
            if A.paired is None:        # all rows of the class are equal
                out.append(PairType(eps * cnt, nA, nA, nA, True, f"{tag} equal rows"))
            else:
                out.append(PairType(eps * cnt, nA, nA, _dot(A, A, cols, "distinct"), False,
                                    f"{tag} distinct rows", _dot(A, B2, cols, "distinct")))
        return out
    if A.paired is not None and A.paired == B.paired:
        m = A.size
        out.append(PairType(eps * m, nA, nB, _dot(A, B, cols, "matched"), False,
                            f"{tag} matched", _dot(A, B2, cols, "matched")))
        out.append(PairType(eps * sympy.expand(m * (m - 1)), nA, nB,
                            _dot(A, B, cols, "unmatched"), False, f"{tag} unmatched",
                            _dot(A, B2, cols, "unmatched")))
        return out
    out.append(PairType(eps * sympy.expand(A.size * B.size), nA, nB,
                        _dot(A, B, cols, "cross"), False, f"{tag} cross",
                        _dot(A, B2, cols, "cross")))
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
        self._prime = {x: sympy.Symbol(x.name + "__2", real=True) for x in self.symbols}
        prime = self._prime
        half = sympy.Rational(1, 2)
        types = []
        for i, A in enumerate(S):
            for j, B in enumerate(S):
                if j >= i:
                    types += _pair_types(A, B, cols, half if i == j else sympy.Integer(1),
                                         f"student{i}-student{j}", prime)
            for j, B in enumerate(T):
                types += _pair_types(A, B, cols, -sympy.Integer(1), f"student{i}-teacher{j}",
                                     prime)
        const = []
        for i, A in enumerate(T):
            for j, B in enumerate(T):
                if j >= i:
                    const += _pair_types(A, B, cols, half if i == j else sympy.Integer(1),
                                         f"teacher{i}-teacher{j}", prime)
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
    def _contractions(self):
        """Per kernel pair type, the pull-back data of u = A ξ, v = B ξ as sympy expressions:
        P = Aᵀu, Q = Bᵀv, R1 = Aᵀv, R2 = Bᵀu (vectors) and AᵀA, BᵀB, AᵀB (matrices)."""
        xs = self.symbols
        back = {v: k for k, v in self._prime.items()}
        ys = [self._prime[x] for x in xs]
        half = sympy.Rational(1, 2)
        zero = sympy.S.Zero

        def grad(e, vs):
            # only the variables e involves (a pair type sees the entries of two rows)
            free = e.free_symbols
            return [sympy.diff(e, v) if v in free else zero for v in vs]

        out = []
        for t in self.pair_types:
            P = [half * g for g in grad(t.guu, xs)]
            AA = [grad(p, xs) for p in P]
            if t.identical:
                out.append((t, P, None, None, None, AA, None, None))
                continue
            Q = [half * g for g in grad(t.gvv, xs)]
            BB = [grad(q, xs) for q in Q]
            R1 = grad(t.guv2, xs)
            R2 = grad(t.guv2, ys)
            AB = [grad(r, ys) for r in R1]
            R1 = [r.xreplace(back) for r in R1]
            R2 = [r.xreplace(back) for r in R2]
            out.append((t, P, Q, R1, R2, AA, BB, AB))
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
        vals = [_sym_data(c) for c in self._contractions]
        return _assemble(SYMPY, self.expr, vals, len(self.symbols), order)

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
        """One compiled function returning, for every pair type, its weight, Gram entries and
        pull-back data: everything but the kernel, which is evaluated at run time by the one
        kernel formula (:mod:`symcrit.model.kernel`) in the number system at hand."""
        n = len(self.symbols)
        exprs, slots = [self.constant], []
        for (t, P, Q, R1, R2, AA, BB, AB) in self._contractions:
            # the parameters the pair depends on: u = Aξ and v = Bξ involve only the
            # entries of two rows, so the pull-backs are computed on that support only
            sup = [p for p in range(n)
                   if any(vec is not None and vec[p] != 0 for vec in (P, Q, R1, R2))
                   or any(mat is not None and (any(x != 0 for x in mat[p]) or
                                               any(row[p] != 0 for row in mat))
                          for mat in (AA, BB, AB))]
            slot = {"identical": t.identical, "sup": tuple(sup)}
            def put(name, items):
                slot[name] = (len(exprs), len(items))
                exprs.extend(items)
            put("w", [t.weight])
            put("g", [t.guu] if t.identical else [t.guu, t.gvv, t.guv])
            for name, vec in (("P", P), ("Q", Q), ("R1", R1), ("R2", R2)):
                if vec is not None:
                    put(name, [vec[p] for p in sup])
            for name, mat in (("AA", AA), ("BB", BB), ("AB", AB)):
                if mat is not None:
                    put(name, [mat[p][q] for p in sup for q in sup])
            slots.append(slot)
        return compile_exprs(exprs, self.args, "pair_data"), slots

    def _evaluate(self, ns, args, order):
        fn, slots = self._layout
        out = fn(ns, *args)
        n = len(self.symbols)
        vals = []
        for slot in slots:
            d = {"identical": slot["identical"]}
            for name, pos in slot.items():
                if name == "sup":
                    d[name] = pos
                elif name != "identical":
                    d[name] = out[pos[0]:pos[0] + pos[1]]
            vals.append(d)
        const = out[0] if _native(out[0], ns) else ns.convert(out[0])
        return _assemble(ns, const, vals, n, order, numeric=True)

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

    def pair_gram(self, xi, k, d=None, system="float"):
        """For every pair type: ``(label, weight, g_uu, g_vv, g_uv, identical)`` at ξ.

        This is what a certificate checks to stay off the non-smooth set: every squared
        norm positive, and :math:`g_{uv}^2 < g_{uu}g_{vv}` for non-identical pairs."""
        ns = get_system(system)
        fn, slots = self._layout
        out = fn(ns, *self._call_args(xi, k, d, ns))
        conv = lambda x: x if _native(x, ns) else ns.convert(x)
        rows = []
        for t, slot in zip(self.pair_types, slots):
            i, ln = slot["g"]
            g = [conv(x) for x in out[i:i + ln]]
            if ln == 1:
                g = g * 3
            rows.append((t.label, conv(out[slot["w"][0]]), g[0], g[1], g[2], t.identical))
        return rows

    def hessian(self, xi, k, d=None, system="float"):
        """The Hessian in ξ (n × n matrix of the number system)."""
        return self.evaluate(xi, k, d, system, order=2)[2]

    # ------------------------------------------------------------------ helpers
    def weights(self, k, d=None, system="float"):
        """Frobenius weights of the parameters at k (the Gram matrix of W(ξ))."""
        return self.fixed.weights_at(k, d, system)


def _sym_data(c):
    t, P, Q, R1, R2, AA, BB, AB = c
    n = len(P)
    d = {"identical": t.identical, "w": [t.weight]}
    d["g"] = [t.guu] if t.identical else [t.guu, t.gvv, t.guv]
    for name, vec in (("P", P), ("Q", Q), ("R1", R1), ("R2", R2)):
        if vec is not None:
            d[name] = vec
    for name, mat in (("AA", AA), ("BB", BB), ("AB", AB)):
        if mat is not None:
            d[name] = [mat[p][q] for p in range(n) for q in range(n)]
    return d


def _assemble(ns, base, vals, n, order, numeric=False):
    """Sum the pair types: ``L = base + Σ w K(g)`` (``w g/2`` for identical rows), and the
    gradient and Hessian from the kernel pull-backs, vectorised over the pair types."""
    if numeric:
        native = _native_type(ns)
        if native is not None:          # fast path: one type check per value, and the
            ints = {}                       # integer constants converted once per call

            def conv(xs):
                out = []
                for x in xs:
                    if type(x) is native:
                        out.append(x)
                    elif type(x) is int:
                        c = ints.get(x)
                        if c is None:
                            c = ints[x] = ns.convert(x)
                        out.append(c)
                    else:
                        out.append(ns.convert(x))
                return out
        else:
            conv = lambda xs: [x if _native(x, ns) else ns.convert(x) for x in xs]
    else:
        conv = lambda xs: list(xs)
    kern = [v for v in vals if not v["identical"]]
    ident = [v for v in vals if v["identical"]]
    dt = float if ns.dtype is float else object

    def arr(items, shape):
        a = np.empty(len(items), dtype=object)
        for i, x in enumerate(items):
            a[i] = x
        return a.reshape(shape).astype(dt)

    T, I = len(kern), len(ident)
    L = base
    guu = gvv = guv = w = None
    if T:
        w = arr(conv([v["w"][0] for v in kern]), (T,))
        G = arr(conv([x for v in kern for x in v["g"]]), (T, 3))
        guu, gvv, guv = G[:, 0], G[:, 1], G[:, 2]
        L = L + (w * kernel(ns, guu, gvv, guv)).sum()
    if I:
        wi = arr(conv([v["w"][0] for v in ident]), (I,))
        gi = arr(conv([v["g"][0] for v in ident]), (I,))
        L = L + (wi * gi).sum() / 2
    if order == 0:
        return L, None, None
    if vals and "sup" in vals[0]:
        return (L,) + _assemble_sparse(ns, kern, ident, guu, gvv, guv, w, n, order, conv,
                                       arr, dt)
    grad = np.zeros(n, dtype=dt)
    if T:
        vec = {name: arr(conv([x for v in kern for x in v[name]]), (T, n))
               for name in ("P", "Q", "R1", "R2")}
        gk = kernel_gradient_pullback(ns, guu, gvv, guv, vec["P"], vec["Q"], vec["R1"],
                                      vec["R2"])
        grad = grad + (w[:, None] * gk).sum(axis=0)
    if I:
        Pi = arr(conv([x for v in ident for x in v["P"]]), (I, n))
        grad = grad + (wi[:, None] * Pi).sum(axis=0)
    if order == 1:
        return L, grad, None
    Hm = np.zeros((n, n), dtype=dt)
    if T:
        mats = {name: arr(conv([x for v in kern for x in v[name]]), (T, n, n))
                for name in ("AA", "BB", "AB")}
        pieces = kernel_hessian_pullback(ns, guu, gvv, guv, vec["P"], vec["Q"], vec["R1"],
                                         vec["R2"], mats["AA"], mats["BB"], mats["AB"])
        Huv = pieces["uv"]
        Hk = pieces["uu"] + pieces["vv"] + Huv + np.swapaxes(Huv, -1, -2)
        Hm = Hm + (w[:, None, None] * Hk).sum(axis=0)
    if I:
        AAi = arr(conv([x for v in ident for x in v["AA"]]), (I, n, n))
        Hm = Hm + (wi[:, None, None] * AAi).sum(axis=0)
    return L, grad, Hm


def _assemble_sparse(ns, kern, ident, guu, gvv, guv, w, n, order, conv, arr, dt):
    """Gradient and Hessian of ``Σ w K`` when each pair type carries its support (the
    parameters its two rows depend on): the kernel pull-backs are formed on the support
    only, vectorised over the pair types that share a support size, and scattered into
    the full arrays.  Same formulas as the dense path of :func:`_assemble`."""
    zero = 0.0 if dt is float else ns.convert(0)
    grad = np.full(n, zero, dtype=dt)
    Hm = np.full((n, n), zero, dtype=dt) if order >= 2 else None
    groups = {}
    for i, v in enumerate(kern):
        groups.setdefault(len(v["sup"]), []).append(i)
    for m, members in groups.items():
        if m == 0:
            continue
        T = len(members)
        idx = np.array([kern[i]["sup"] for i in members], dtype=int)
        sel = np.array(members, dtype=int)
        gu, gv, guvv, ww = guu[sel], gvv[sel], guv[sel], w[sel]
        vec = {name: arr(conv([x for i in members for x in kern[i][name]]), (T, m))
               for name in ("P", "Q", "R1", "R2")}
        gk = ww[:, None] * kernel_gradient_pullback(ns, gu, gv, guvv, vec["P"], vec["Q"],
                                                    vec["R1"], vec["R2"])
        for t in range(T):
            grad[idx[t]] = grad[idx[t]] + gk[t]
        if order < 2:
            continue
        mats = {name: arr(conv([x for i in members for x in kern[i][name]]), (T, m, m))
                for name in ("AA", "BB", "AB")}
        pieces = kernel_hessian_pullback(ns, gu, gv, guvv, vec["P"], vec["Q"], vec["R1"],
                                         vec["R2"], mats["AA"], mats["BB"], mats["AB"])
        Huv = pieces["uv"]
        Hk = ww[:, None, None] * (pieces["uu"] + pieces["vv"] + Huv
                                  + np.swapaxes(Huv, -1, -2))
        for t in range(T):
            ix = np.ix_(idx[t], idx[t])
            Hm[ix] = Hm[ix] + Hk[t]
    for v in ident:
        sup = list(v["sup"])
        if not sup:
            continue
        wv = conv([v["w"][0]])[0]
        Pi = arr(conv(v["P"]), (len(sup),))
        grad[sup] = grad[sup] + wv * Pi
        if order >= 2:
            AAi = arr(conv(v["AA"]), (len(sup), len(sup)))
            ix = np.ix_(sup, sup)
            Hm[ix] = Hm[ix] + wv * AAi
    if order < 2:
        return grad, None
    return grad, Hm


def _native_type(ns):
    """The one Python type of the number system's scalars (None: no single type)."""
    name = getattr(ns, "name", None)
    if name == "arb":
        from flint import arb
        return arb
    if name == "mpmath":
        import mpmath
        return mpmath.mpf
    return None


def _native(x, ns):
    f = getattr(ns, "is_native", None)
    if f is not None:
        return f(x)
    import mpmath
    from flint import arb
    return {"float": isinstance(x, (float, np.ndarray)),
            "mpmath": isinstance(x, mpmath.mpf),
            "arb": isinstance(x, arb),
            "sympy": isinstance(x, sympy.Basic)}.get(ns.name, False)


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
    if isinstance(H, str):
        return _by_text(H)
    return _cached(YoungIsotropy(H).spec)


@lru_cache(maxsize=None)
def _by_text(text):
    return _cached(YoungIsotropy(text).spec)
