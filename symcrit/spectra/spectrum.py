r"""Hessian spectra at symmetric critical points, by isotypic block, with multiplicities in k.

At a point :math:`W\in\mathrm{Fix}(H)` the Hessian :math:`\nabla^2 L(W)` commutes with
``H``, so it preserves every isotypic component of :math:`M(k,k)`; on the component of an
irreducible of dimension ``f`` occurring ``m`` times it acts as :math:`A\otimes I_f` with
``A`` an ``m × m`` matrix (Schur's lemma).  The :math:`k^2` eigenvalues therefore take at most
a dozen distinct values, and each is computed from a block whose size does not depend on k
(Arjevani & Field 2020, "Analytic characterization of the Hessian in shallow ReLU models: a
tale of symmetry", NeurIPS).

How the blocks are computed (see :mod:`symcrit.symmetry.isotypic`): for the Young subgroup
:math:`K = S_{n-2}\subset H`, ``Fix(K)`` is invariant under the Hessian, and the Hessian
restricted to it is the Hessian of the restricted loss :math:`L_K` at the embedded point,
with the Frobenius Gram matrix :math:`D_K = \mathrm{diag}(w_p)`.  With an exact basis
:math:`Q(k)` (rational in k) of one vector per copy of an irreducible inside ``Fix(K)``,

.. math::

    A = Q^\top \nabla^2_\xi L_K\, Q, \qquad B = Q^\top D_K\, Q,

and the distinct eigenvalues of the full Hessian on that isotypic component are the
generalized eigenvalues of ``(A, B)``.  ``Q`` is exact, so in Arb the enclosures of ``A`` and
``B`` are rigorous.  Cost: one Hessian of :math:`L_K` (17 parameters for
:math:`\Delta S_{k-1}`), independent of k; real k works as well (eigenvalues are analytic
functions of k).  For integer k too small for ``K`` (its block would have size ≤ 1) the same
construction runs on the dense Hessian (the trivial subgroup instead of ``K``).

>>> from symcrit.critical.refine import refine
>>> cp = refine("ΔS_{k-1}", [1.0, -0.0107, 0.1525, 0.1048, -0.7307], k=12, dps=30)
>>> sp = spectrum_of(cp)
>>> sp.kind, sp.index, sp.total_multiplicity
('minimum', 0, 144)
>>> print(sp)            # doctest: +ELLIPSIS
Hessian spectrum at a critical point in Fix(ΔS_{k-1}), k = 12, 30 digits:
  irrep      mult             at k  eigenvalue
  [k-1]      1                   1  0.0830088642364797362939...
  ...
  [k-3,1,1]  (k-3)*(k-2)/2      45  0.0671485698244677950175...
  index 0 (minimum); residual ... (critical)

The blocks themselves, in any number system (here rigorous balls):

>>> blocks = hessian_blocks("ΔS_{k-1}", cp.xi, 12, system="arb")
>>> [(b.irrep, b.dimension) for b in blocks]
[('[k-1]', 5), ('[k-2,1]', 5), ('[k-3,2]', 1), ('[k-3,1,1]', 1)]
>>> type(blocks[0].A[0, 0]).__name__
'arb'
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache

import mpmath
import numpy as np
import sympy

from ..core import ConvergenceError, InputError, SingularPointError
from ..symmetry.isotypic import _is_integer, isotypic_decomposition
from ..symmetry.fixed import FixedSpace
from ..symmetry.spec import K as KSYM
from ..symmetry.young import YoungIsotropy
from ..core import get_system, workdps

__all__ = ["IsotypicBlock", "hessian_blocks", "isotypic_blocks", "classify", "SpectrumEntry", "Spectrum", "spectrum",
           "spectrum_of", "generalized_eigenvalues", "Threshold", "thresholds", "threshold",
           "family_spectra", "NonCriticalWarning", "multiplicity_text", "count_text"]


class NonCriticalWarning(UserWarning):
    """The spectrum was asked for at a point that is not a critical point."""


# ---------------------------------------------------------------------------- blocks
@dataclass
class IsotypicBlock:
    r"""The Hessian on one isotypic component: ``(A, B)`` (``dimension`` × ``dimension``,
    numpy arrays of the number system's scalars; ``B`` positive definite), whose generalized
    eigenvalues are the distinct eigenvalues of the full Hessian on the component, each
    occurring ``multiplicity`` times (a polynomial in k)."""
    irrep: str
    multiplicity: sympy.Expr
    dimension: int
    A: np.ndarray = field(repr=False)
    B: np.ndarray = field(repr=False)
    latex: str = field(repr=False, default="")

    def multiplicity_at(self, k):
        """The multiplicity at a value of k (an int for integer k)."""
        return _mult_value(self.multiplicity, k)


def _mult_value(expr, k):
    if _is_integer(k):
        return int(expr.subs(KSYM, int(k)))
    return _poly_eval(expr, mpmath.mpf(k), get_system("mpmath"))


@lru_cache(maxsize=None)
def _poly_coeffs(expr):
    P = sympy.Poly(sympy.expand(expr), KSYM)
    return [Fraction(int(c.p), int(c.q)) for c in P.all_coeffs()]


def _poly_eval(expr, k, ns):
    """A polynomial in k with rational coefficients, by Horner in the number system."""
    out = None
    for c in _poly_coeffs(expr):
        cc = ns.convert(c) if ns.name != "float" else c.numerator / c.denominator
        out = cc if out is None else out * k + cc
    return out


def _check_k(dec, k):
    from ..critical.refine import _fmt_k
    if isinstance(k, bool) or k is None:
        raise InputError("give k (an integer or a real number)")
    try:
        kf = float(k)
    except (TypeError, ValueError):
        raise InputError(f"k must be a number, got {k!r}") from None
    except OverflowError:
        kf = math.inf
    lo = dec.generic_k_min
    if _is_integer(k):
        if int(k) < dec.H.min_k:
            raise InputError(f"isotropy {dec.H.label} needs k >= {dec.H.min_k}, got k = "
                             f"{_fmt_k(k)}")
    elif not kf > lo:
        raise InputError(f"the spectrum of Fix({dec.H.label}) at non-integer k needs k > {lo} "
                         f"(the subgroup {dec.k_spec} must have a block of size > 1); "
                         f"got k = {_fmt_k(k)}")


def _as_array(M, ns):
    if ns.name == "float":
        return np.asarray(M, dtype=float)
    if isinstance(M, list):
        return np.array(M, dtype=object)
    if hasattr(M, "rows") and hasattr(M, "cols") and not hasattr(M, "tolist"):
        return np.array([[M[i, j] for j in range(M.cols)] for i in range(M.rows)], dtype=object)
    return np.array(M.tolist(), dtype=object)


def _point_data(dec, lay, xi, k, ns, order=2):
    """(loss, gradient, Hessian) in the layout's coordinates at the point ξ of Fix(H)."""
    if lay.mode == "generic":
        from ..restricted import restricted_loss
        RK = restricted_loss(dec.k_spec)
        xk = [xi[h] for h in lay.h_of]
        kk = k if ns.name != "arb" or not isinstance(k, int) else k
        L, g, Hm = RK.evaluate(xk, kk, system=ns, order=2)
        g = _as_array(g, ns).reshape(-1)
        return L, g, _as_array(Hm, ns)
    from ..model.loss import Problem, canonical_teacher
    W = FixedSpace(dec.H).embed(xi, int(k), system=ns)
    P = Problem(canonical_teacher(int(k)))
    L = P.loss(W, system=ns)
    g = _as_array(P.gradient(W, system=ns), ns).reshape(-1)
    Hm = _as_array(P.hessian(W, system=ns), ns)
    return L, g, Hm


def _row_norms2(F, xi, k, ns):
    """Squared norm of a row of each row block of W(ξ) (any real k)."""
    H = F.H
    out = []
    for a in range(len(H.row_sizes)):
        tot = 0
        for b, cb in enumerate(H.col_sizes):
            m = _poly_eval(cb, k, ns) if cb.free_symbols else ns.convert(int(cb)) \
                if ns.name != "float" else float(cb)
            if H.pairs.get(a) == b:
                x = xi[F._index[(a, b, "diag")]]
                y = xi[F._index[(a, b, "off")]]
                tot = tot + x * x + (m - 1) * y * y
            else:
                c = xi[F._index[(a, b, "const")]]
                tot = tot + m * c * c
        out.append(tot)
    return out


@lru_cache(maxsize=None)
def _fixed_space(spec):
    return FixedSpace(YoungIsotropy(spec))


def _prepare_point(H, xi, k, d, ns):
    """Validate the input (ξ or a matrix W in Fix(H)) and return (H, dec, ξ, k)."""
    if not isinstance(H, YoungIsotropy):
        H = YoungIsotropy(H)
    if H.k.is_Integer:
        if k is None:
            k = int(H.k)
        H = YoungIsotropy(H.spec)
    dec = isotypic_decomposition(H)
    if d is not None and (k is None or d != k):
        raise InputError(f"the spectrum by isotypic blocks is implemented for d = k "
                         f"(got k = {k}, d = {d})")
    F = _fixed_space(dec.H.spec)
    W = None
    if isinstance(xi, mpmath.matrix):
        W = np.array(xi.tolist(), dtype=object)
    elif isinstance(xi, np.ndarray) and xi.ndim == 2:
        W = xi
    elif isinstance(xi, (list, tuple)) and xi and isinstance(xi[0], (list, tuple, np.ndarray)):
        W = np.array(xi, dtype=object)
    if W is not None:
        kw, dw = W.shape
        if kw != dw:
            raise InputError(f"W is {kw} × {dw}: the spectrum by isotypic blocks needs k = d")
        if k is not None and int(k) != kw:
            raise InputError(f"W is {kw} × {dw} but k = {k}")
        k = kw
        _check_k(dec, k)
        Wf = np.asarray(np.vectorize(float, otypes=[float])(W))
        if not F.contains(Wf, tol=1e-9 * max(1.0, float(np.max(np.abs(Wf))))):
            xi_f = F.project(Wf)
            back = np.asarray(np.vectorize(float, otypes=[float])(
                F.embed(xi_f, k, system="float")))
            raise InputError(f"W is not in Fix({dec.H.label}): it differs from its projection "
                             f"by {float(np.max(np.abs(Wf - back))):.3g} (max norm)")
        xi = F.project(W, system=ns)
    else:
        xi = list(xi.values()) if isinstance(xi, dict) else list(xi)
        if len(xi) != F.dimension:
            raise InputError(f"Fix({dec.H.label}) has dimension {F.dimension} "
                             f"({', '.join(F.names)}); got {len(xi)} values")
        if k is None:
            raise InputError("give k")
        _check_k(dec, k)
    xi = [x if ns.name == "arb" and hasattr(x, "rad") else ns.convert(x) for x in xi]
    return dec, F, xi, k


def _k_value(k, ns):
    if ns.name == "float":
        return float(k)
    if _is_integer(k):
        return ns.convert(int(k)) if ns.name != "mpmath" else mpmath.mpf(int(k))
    if isinstance(k, str):
        return ns.convert(k) if ns.name != "sympy" else sympy.Rational(k)
    return ns.convert(k)


def _blocks(dec, lay, Hm, k, ns):
    kv = _k_value(k, ns)
    w = [_poly_eval(x, kv, ns) for x in lay.weights]
    nc = len(w)
    dt = float if ns.name == "float" else object
    conv = (lambda f: f.numerator / f.denominator) if ns.name == "float" else ns.convert
    zero = 0.0 if ns.name == "float" else ns.convert(0)
    out = []
    Wd = np.empty(nc, dtype=dt)
    for c in range(nc):
        Wd[c] = w[c]
    for comp in lay.comps:
        r = comp.copies
        if not r:
            continue
        Q = np.empty((nc, r), dtype=dt)
        Q[...] = zero
        for a, cs in enumerate(comp.embed):
            if comp.scaled:
                wa = _poly_eval(comp.weights[a], kv, ns)
            for j in range(r):
                u = comp.U[a][j]
                if u == 0:
                    continue
                val = conv(u) / wa if comp.scaled else conv(u)
                for c in cs:
                    Q[c, j] = val
        A = Q.T.dot(Hm).dot(Q)
        B = (Q.T * Wd[None, :]).dot(Q)
        A = _symmetrize(A, ns)
        B = _symmetrize(B, ns)
        out.append(IsotypicBlock(comp.label, comp.multiplicity, r, A, B, comp.irrep.latex))
    return out


def _symmetrize(A, ns):
    if ns.name == "float":
        return (A + A.T) / 2
    if ns.name == "arb":
        # keep both enclosures' intersection: each contains the true (symmetric) value
        n = A.shape[0]
        for i in range(n):
            for j in range(i + 1, n):
                A[i, j] = A[j, i] = A[i, j].intersection(A[j, i])
        return A
    if ns.name == "mpmath":
        return (A + A.T) / 2
    return A


def isotypic_blocks(H, xi, k, system):
    """The isotypic blocks at ξ ∈ Fix(H) by the generic layout, in any number system
    (truncated series included), without the input checks of :func:`hessian_blocks`:
    ``k`` is already a scalar of ``system`` (a series in ε for :math:`k = \\varepsilon^{-2}`)."""
    dec = isotypic_decomposition(H)
    lay = dec.layout(None)
    _, _, Hm = _point_data(dec, lay, list(xi), k, system)
    return _blocks(dec, lay, Hm, k, system)


def hessian_blocks(H, xi, k=None, d=None, system="mpmath"):
    r"""The isotypic blocks ``(A, B)`` of the full Hessian at the point ξ of Fix(H).

    ``H``: a Young-type isotropy spec (one Δ block growing with k, small blocks otherwise,
    d = k); ``xi``: the parameters of Fix(H) (or a k × k matrix W in Fix(H)); ``k``: an
    integer or real k (real k must exceed the block-size limit); ``system``: ``float``,
    ``mpmath``, ``sympy`` or ``arb``.  Returns a list of :class:`IsotypicBlock`, one per
    irreducible that occurs, in the order of
    :func:`~symcrit.symmetry.isotypic.isotypic_decomposition`.

    In ``arb`` every entry of ``A`` and ``B`` is a rigorous enclosure (the basis is exact and
    the Hessian of :math:`L_K` is evaluated in ball arithmetic), so a certificate may prove
    ``A - λB`` positive definite with it.

    >>> bl = hessian_blocks("ΔS_k", [1, 0], 10, system="float")      # W = I, k = 10
    >>> [(b.irrep, b.dimension, str(b.multiplicity)) for b in bl]
    [('[k]', 2, '1'), ('[k-1,1]', 3, 'k - 1'), ('[k-2,2]', 1, 'k*(k - 3)/2'), ('[k-2,1,1]', 1, '(k - 2)*(k - 1)/2')]
    >>> import math                      # at W = I: 1/4 + 1/(2π) on [k-2,2] (closed form)
    >>> ev = generalized_eigenvalues(bl[2].A, bl[2].B, "float")
    >>> bool(abs(ev[0] - (0.25 + 1 / (2 * math.pi))) < 1e-12)
    True
    """
    ns = get_system(system)
    dec, F, xi, k = _prepare_point(H, xi, k, d, ns)
    lay = dec.layout(k)
    _check_rows(F, xi, k, ns)
    _, _, Hm = _point_data(dec, lay, xi, k, ns)
    return _blocks(dec, lay, Hm, k, ns)


def _check_rows(F, xi, k, ns):
    kv = _k_value(k, ns)
    for a, r2 in enumerate(_row_norms2(F, xi, kv, ns)):
        if ns.name == "arb":
            zero = r2.contains(0)
        elif ns.name == "sympy":
            zero = sympy.simplify(r2) == 0
        elif ns.name == "float":
            zero = not (r2 > 1e-300)
        else:
            zero = not (r2 > mpmath.mpf(10) ** (-2 * mpmath.mp.dps))
        if zero:
            raise SingularPointError(
                f"W(ξ) has a zero row (row block {a} of Fix({F.H.label})): the loss is not "
                "differentiable there, so it has no Hessian")


def generalized_eigenvalues(A, B, system="mpmath"):
    r"""The eigenvalues of :math:`B^{-1}A` for symmetric ``A`` and positive definite ``B``,
    ascending: by the Cholesky factor :math:`B = LL^\top` and the symmetric eigenproblem of
    :math:`L^{-1}AL^{-\top}` (mpmath ``cholesky``/``eigsy``; scipy ``eigh`` for floats).

    >>> ev = generalized_eigenvalues(np.array([[2.0, 0], [0, 3]]), np.array([[1.0, 0], [0, 3]]),
    ...                              "float")
    >>> bool(np.allclose(ev, [1.0, 2.0]))
    True
    >>> with mpmath.workdps(30):
    ...     ev = generalized_eigenvalues(mpmath.matrix([[2, 1], [1, 2]]), mpmath.eye(2))
    >>> [mpmath.nstr(x, 20) for x in ev]
    ['1.0', '3.0']
    """
    ns = get_system(system)
    A, B = (np.array(M.tolist(), dtype=object) if isinstance(M, mpmath.matrix) else M
            for M in (A, B))
    if ns.name == "float":
        import scipy.linalg
        return scipy.linalg.eigh(np.asarray(A, float), np.asarray(B, float), eigvals_only=True)
    A = mpmath.matrix([[mpmath.mpf(ns.convert(x)) if not isinstance(x, mpmath.mpf) else x
                        for x in row] for row in np.asarray(A, dtype=object).tolist()]) \
        if ns.name != "mpmath" else mpmath.matrix(np.asarray(A, dtype=object).tolist())
    B = mpmath.matrix(np.asarray(B, dtype=object).tolist()) if ns.name == "mpmath" else \
        mpmath.matrix([[mpmath.mpf(x) for x in row] for row in np.asarray(B).tolist()])
    n = A.rows
    if n == 1:
        return [A[0, 0] / B[0, 0]]
    try:
        L = mpmath.cholesky(B)
    except ValueError:
        raise InputError("the Gram matrix B is not positive definite (k too small for the "
                         "isotypic blocks?)") from None
    Li = mpmath.inverse(L)
    C = Li * A * Li.T
    C = (C + C.T) / 2
    ev = mpmath.eigsy(C, eigvals_only=True)
    return sorted(ev[i] for i in range(n))


# ---------------------------------------------------------------------------- spectrum
@dataclass
class SpectrumEntry:
    """One distinct eigenvalue: its irreducible (label), multiplicity (polynomial in k and
    its value at k) and value."""
    irrep: str
    multiplicity: sympy.Expr
    count: object
    eigenvalue: mpmath.mpf
    latex: str = ""
    block: int = 0

    def to_json(self, digits):
        from ..core import dec as _dec
        return {"irrep": self.irrep, "multiplicity": count_text(self.count),
                "multiplicity_in_k": multiplicity_text(self.multiplicity),
                "eigenvalue": _dec(self.eigenvalue, digits)}


def multiplicity_text(e):
    """A multiplicity (a polynomial in k) as compact text: ``(k-4)*(k-1)/2``."""
    return str(sympy.factor(e)).replace(" ", "")


def count_text(c):
    """A multiplicity at k as text: the integer, or 20 digits at real k."""
    if isinstance(c, int):
        return str(c)
    return mpmath.nstr(c, 20, strip_zeros=True)


@dataclass
class Spectrum:
    r"""The Hessian spectrum at a point of Fix(H): distinct eigenvalues with irreducible and
    multiplicity, the index (number of negative eigenvalues counted with multiplicity; at
    non-integer k the value of that polynomial in k) and the kind: ``minimum`` (all
    eigenvalues > tol), ``saddle`` (some < -tol) or ``degenerate`` (none negative, one within
    tol of 0).  ``critical`` says whether the point is critical (``residual``: the largest
    restricted gradient per entry of W)."""
    isotropy: str
    k: object
    dps: int
    entries: list
    tol: mpmath.mpf
    loss: object = None
    residual: object = None
    critical: bool = True
    family: str | None = None
    blocks: list = field(default_factory=list, repr=False)

    # -------------------------------------------------------------- summary
    @property
    def eigenvalues(self):
        """The distinct eigenvalues, ascending."""
        return sorted(e.eigenvalue for e in self.entries)

    @property
    def min_eigenvalue(self):
        return min(e.eigenvalue for e in self.entries)

    @property
    def index(self):
        tot = sum((e.count for e in self.entries if e.eigenvalue < -self.tol), 0)
        return int(tot) if _is_integer(tot) else tot

    @property
    def index_in_k(self):
        """The index as a polynomial in k."""
        return sympy.factor(sum((e.multiplicity for e in self.entries
                                 if e.eigenvalue < -self.tol), sympy.Integer(0)))

    @property
    def kind(self):
        return classify((e.eigenvalue for e in self.entries), self.tol)

    @property
    def total_multiplicity(self):
        """Σ multiplicities (= k·d at integer k)."""
        tot = sum((e.count for e in self.entries), 0)
        return int(tot) if _is_integer(tot) else tot

    def trace(self):
        """Σ multiplicity × eigenvalue: the trace of the full Hessian."""
        return mpmath.fsum(mpmath.mpf(e.count) * e.eigenvalue for e in self.entries)

    def expanded(self):
        """All k² eigenvalues (integer k), ascending, as floats: for comparisons."""
        if not _is_integer(self.k):
            raise InputError("the expanded list of eigenvalues needs an integer k")
        out = []
        for e in self.entries:
            out += [float(e.eigenvalue)] * int(e.count)
        return sorted(out)

    def by_irrep(self):
        """irrep label → ascending eigenvalues."""
        out = {}
        for e in self.entries:
            out.setdefault(e.irrep, []).append(e.eigenvalue)
        return out

    # -------------------------------------------------------------- output
    def to_json(self, digits=None):
        from ..core import dec as _dec, k_json
        digits = digits or self.dps
        idx = self.index
        return {"isotropy": self.isotropy, "k": k_json(self.k) if _is_integer(self.k) or
                isinstance(self.k, mpmath.mpf) else str(self.k), "dps": self.dps,
                "spectrum": [e.to_json(digits) for e in self.entries],
                "index": idx if isinstance(idx, int) else count_text(idx),
                "index_in_k": multiplicity_text(self.index_in_k),
                "kind": self.kind, "critical": self.critical,
                "residual": None if self.residual is None else _dec(self.residual, 5),
                "tolerance": _dec(self.tol, 5),
                "total_multiplicity": count_text(self.total_multiplicity)}

    def _k_text(self):
        if _is_integer(self.k):
            return str(int(self.k))
        return mpmath.nstr(mpmath.mpf(self.k), 15)

    def __str__(self):
        digits = min(self.dps, 25)
        wl = max([5] + [len(e.irrep) for e in self.entries])
        wm = max([4] + [len(multiplicity_text(e.multiplicity)) for e in self.entries])
        fam = f" ({self.family})" if self.family else ""
        lines = [f"Hessian spectrum at a critical point{fam} in Fix({self.isotropy}), "
                 f"k = {self._k_text()}, {self.dps} digits:"
                 if self.critical else
                 f"Hessian spectrum at a NON-critical point in Fix({self.isotropy}), "
                 f"k = {self._k_text()}, {self.dps} digits:",
                 f"  {'irrep':<{wl}}  {'mult':<{wm}}  {'at k':>6s}  eigenvalue"]
        for e in self.entries:
            lines.append(f"  {e.irrep:<{wl}}  {multiplicity_text(e.multiplicity):<{wm}}  "
                         f"{count_text(e.count):>6s}  {mpmath.nstr(e.eigenvalue, digits)}")
        idx = self.index
        res = "" if self.residual is None else \
            f"; residual {mpmath.nstr(self.residual, 3)} " + \
            ("(critical)" if self.critical else "(NOT critical)")
        lines.append(f"  index {idx if isinstance(idx, int) else mpmath.nstr(idx, 10)} "
                     f"({self.kind}){res}")
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_latex_(self):
        rows = [rf"{e.latex} & {sympy.latex(sympy.factor(e.multiplicity))} & "
                rf"{mpmath.nstr(e.eigenvalue, 15)} \\" for e in self.entries]
        return (r"$\begin{array}{llr}\text{irrep} & \text{multiplicity} & \lambda \\ \hline "
                + " ".join(rows) + r"\end{array}$")


def _criticality_tol(dps):
    return mpmath.mpf(10) ** (-min(int(dps) // 2, 12))


def spectrum(H, xi, k=None, d=None, dps=30, tol=None, family=None, warn=True):
    r"""The Hessian spectrum at the point ξ of Fix(H) (or a k × k matrix W in Fix(H)), by
    isotypic blocks, at ``dps`` digits (working with extra guard digits for large k).

    Zero eigenvalues: ``|λ| <= tol`` (default :math:`10^{-\lfloor 3 dps/4\rfloor}\max|\lambda|`:
    the blocks are evaluated with guard digits for large k, so an eigenvalue's error is
    about :math:`10^{-dps}\max|\lambda|` from the point's own error; a quarter of the digits
    is kept as margin).
    A point that is not critical gives a :class:`NonCriticalWarning` (the spectrum is still
    that of the Hessian there); a zero row, a point outside Fix(H) or a k too small raise
    :class:`~symcrit.core.errors.InputError`.

    At the global minimum W = I two of the eigenvalues are :math:`1/4 \mp 1/(2\pi)`:

    >>> sp = spectrum("ΔS_k", [1, 0], 6, dps=20)
    >>> [(e.irrep, e.count, mpmath.nstr(e.eigenvalue, 8)) for e in sp.entries]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('[k]', 1, '0.88966274'), ('[k]', 1, '2.0652669'), ('[k-1,1]', 5, '0.090845057'),
     ('[k-1,1]', 5, '0.28708147'), ('[k-1,1]', 5, '1.7129185'), ('[k-2,2]', 9, '0.40915494'),
     ('[k-2,1,1]', 10, '0.090845057')]
    >>> mpmath.nstr(mpmath.mpf(1)/4 - 1/(2*mpmath.pi), 8), sp.total_multiplicity
    ('0.090845057', 36)
    """
    from ..critical.refine import guard_digits
    if not 5 <= int(dps) <= 5000:
        raise InputError(f"dps must be between 5 and 5000, got {dps}")
    kk = k
    work = int(dps) + guard_digits(float(k) if k is not None else 10)
    with workdps(work):
        dec, F, xi_m, kk = _prepare_point(H, xi, k, d, get_system("mpmath"))
        lay = dec.layout(kk)
        ns = get_system("mpmath")
        _check_rows(F, xi_m, kk, ns)
        L, g, Hm = _point_data(dec, lay, xi_m, kk, ns)
        blocks = _blocks(dec, lay, Hm, kk, ns)
        # criticality: the restricted gradient of L_H per entry of W
        kv = _k_value(kk, ns)
        wH = [_poly_eval(w, kv, ns) for w in F.weights]
        gH = [mpmath.mpf(0)] * F.dimension
        for c, h in enumerate(lay.h_of):
            gH[h] += g[c]
        residual = max(abs(gH[h] / wH[h]) for h in range(F.dimension))
        entries = []
        for bi, b in enumerate(blocks):
            for ev in generalized_eigenvalues(b.A, b.B, "mpmath"):
                entries.append(SpectrumEntry(b.irrep, b.multiplicity,
                                             b.multiplicity_at(kk), ev, b.latex, bi))
    with workdps(int(dps)):
        for e in entries:
            e.eigenvalue = +e.eigenvalue
        scale = max([abs(e.eigenvalue) for e in entries] + [mpmath.mpf(0)])
        if tol is None:
            tol = mpmath.mpf(10) ** (-(3 * int(dps) // 4)) * (scale if scale > 0 else 1)
        critical = residual <= _criticality_tol(dps)
        sp = Spectrum(dec.H.label, kk, int(dps), entries, mpmath.mpf(tol), +L, +residual,
                      bool(critical), family, blocks)
    if not critical and warn:
        warnings.warn(f"the spectrum is of a non-critical point: the gradient per entry of W "
                      f"is {mpmath.nstr(residual, 3)} at k = {sp._k_text()} in "
                      f"Fix({dec.H.label})", NonCriticalWarning, stacklevel=2)
    return sp


def spectrum_of(cp, dps=None, tol=None):
    """The spectrum at a :class:`~symcrit.critical.refine.CriticalPoint` (its precision by
    default)."""
    return spectrum(cp.isotropy, cp.xi, cp.k, cp.d, dps=dps or cp.dps, tol=tol,
                    family=getattr(cp, "family", None))


# ---------------------------------------------------------------------------- along a family
def _family(family):
    from ..critical.families import Family, get_family
    return family if isinstance(family, Family) else get_family(family)


def block_minima(H, xi, k, d=None):
    """The smallest eigenvalue of each isotypic block (irrep label → mpf) at the point ξ of
    Fix(H), at the current mpmath precision; the cheap part of :func:`spectrum` that a scan
    in k needs.

    >>> m = block_minima("ΔS_k", [1, 0], 6)
    >>> mpmath.nstr(m["[k-2,2]"], 10), mpmath.nstr(1 / (2 * mpmath.pi) + 0.25, 10)
    ('0.4091549431', '0.4091549431')
    """
    ns = get_system("mpmath")
    dec, F, xi_m, kk = _prepare_point(H, xi, k, d, ns)
    lay = dec.layout(kk)
    _check_rows(F, xi_m, kk, ns)
    _, _, Hm = _point_data(dec, lay, xi_m, kk, ns)
    return {b.irrep: generalized_eigenvalues(b.A, b.B, "mpmath")[0]
            for b in _blocks(dec, lay, Hm, kk, ns)}


def family_spectra(family, ks, dps=30, progress=None):
    """The spectrum of a catalogue family at each k of ``ks`` (integers or reals), by one
    continuation of the family and one block computation per k: a list of
    :class:`Spectrum`.

    >>> sps = family_spectra("type-A", [6, 12], dps=20)
    >>> [(s.k, s.kind) for s in sps]
    [(6, 'minimum'), (12, 'minimum')]
    """
    fam = _family(family)
    pts = fam.points(list(ks), dps=dps, full_check=False, progress=progress)
    return [spectrum_of(p) for p in pts]


@dataclass
class Threshold:
    r"""A real k at which the smallest eigenvalue of one isotypic block of the Hessian along
    a family crosses zero: the family changes type there (``before`` → ``after``, e.g.
    ``saddle`` → ``minimum`` with increasing k).  ``slope``: :math:`d\lambda/dk` there;
    ``point``: the family's critical point at the threshold (a CriticalPoint)."""
    family: str
    isotropy: str
    k: mpmath.mpf
    irrep: str
    before: str
    after: str
    slope: mpmath.mpf
    point: object
    dps: int
    bracket: tuple

    @property
    def loss(self):
        return self.point.loss

    def to_json(self):
        from ..core import dec as _dec
        return {"family": self.family, "isotropy": self.isotropy,
                "k": _dec(self.k, self.dps), "irrep": self.irrep,
                "transition": f"{self.before} -> {self.after}",
                "before": self.before, "after": self.after,
                "slope": _dec(self.slope, 10), "loss": _dec(self.loss, self.dps),
                "parameters": {n: _dec(x, self.dps)
                               for n, x in zip(self.point.names, self.point.xi)},
                "bracket": [_dec(self.bracket[0], 10), _dec(self.bracket[1], 10)],
                "dps": self.dps, "certainty": "refined"}

    def __str__(self):
        return (f"{self.family} ({self.isotropy}): {self.before} -> {self.after} at "
                f"k = {mpmath.nstr(self.k, self.dps)}\n"
                f"  block {self.irrep}: smallest eigenvalue crosses 0 with slope "
                f"dλ/dk = {mpmath.nstr(self.slope, 8)}\n"
                f"  loss there {mpmath.nstr(self.loss, min(self.dps, 25))}")

    __repr__ = __str__


def _scan_grid(lo, hi, ratio):
    out, k = [], lo
    while k < hi:
        out.append(k)
        k *= ratio
    out.append(hi)
    return out


def _follow_to(fam, grid, dps):
    """The family's points on ``grid`` (ascending), by continuation up and down from its
    seed; where the branch is lost, the points before that and a message."""
    from ..critical.continuation import follow
    seed = fam._seed_point(dps)
    up = [k for k in grid if k >= fam.seed_k]
    down = [k for k in grid if k < fam.seed_k][::-1]
    pts, lost = {}, []
    for group in (up, down):
        if not group:
            continue
        br = follow(seed, group[-1], dps=dps, record=group)
        for p in br.points[1:]:
            pts[float(p.k)] = p
        if br.status != "reached":
            lost.append(br.message)
    if fam.seed_k in grid:
        pts[float(fam.seed_k)] = seed
    return [pts[float(k)] for k in grid if float(k) in pts], lost


def classify(eigenvalues, tol):
    """The type of a critical point from eigenvalues of its Hessian (all of them, or the
    smallest of each block; a dict is read by its values): ``saddle`` when one is below
    ``-tol``, ``degenerate`` when none is but one lies within ``tol`` of 0, else
    ``minimum``.  The one place symcrit decides this.

    >>> classify([0.5, 2.0], 1e-9), classify({"a": -0.1, "b": 1}, 1e-9), classify([0.0], 1e-9)
    ('minimum', 'saddle', 'degenerate')
    """
    vals = list(eigenvalues.values()) if isinstance(eigenvalues, dict) else list(eigenvalues)
    if any(v < -tol for v in vals):
        return "saddle"
    if any(abs(v) <= tol for v in vals):
        return "degenerate"
    return "minimum"


def _eigen_of_k(R, isotropy, irrep, xi, work):
    """λ(k): the smallest eigenvalue of block ``irrep`` at the critical point near ξ at k
    (Newton from the last point), and the state holding that point."""
    from ..critical.continuation import newton_at
    state = {"x": mpmath.matrix(list(xi))}

    def lam(k):
        x, *_ = newton_at(R, state["x"], k, maxsteps=30, tol=mpmath.mpf(10) ** (-(work - 5)))
        state["x"] = x
        return block_minima(isotropy, list(x), k)[irrep]
    return lam, state


def _illinois(f, a, b, fa, fb, xtol, maxsteps=100):
    """A root of f in [a, b] (f(a), f(b) of opposite signs) by regula falsi with the
    Illinois modification (Dowell & Jarratt 1971, BIT 11): superlinear, and the bracket is
    kept, so the root cannot escape.  Stops when the bracket or the step is below xtol."""
    side = 0
    for _ in range(maxsteps):
        if fb == fa:
            c = (a + b) / 2
        else:
            c = b - fb * (b - a) / (fb - fa)
        if not (min(a, b) < c < max(a, b)):
            c = (a + b) / 2
        fc = f(c)
        if fc == 0:
            return c
        if mpmath.sign(fc) == mpmath.sign(fb):
            step = abs(b - c)
            b, fb = c, fc
            if side == -1:
                fa /= 2
            side = -1
        else:
            step = abs(a - c)
            a, fa = b, fb
            b, fb = c, fc
            side = +1
        if abs(b - a) < xtol or step < xtol:
            return b
    raise ConvergenceError(f"threshold: no convergence in {maxsteps} steps "
                           f"(bracket [{mpmath.nstr(a, 10)}, {mpmath.nstr(b, 10)}])")


def thresholds(family, k_max=40, k_min=None, ratio=1.04, dps=30, progress=None):
    r"""All real k in ``[k_min, k_max]`` where the smallest eigenvalue of an isotypic block
    crosses zero along the family, each to ``dps`` digits (a list of :class:`Threshold`,
    ascending in k).

    Method: the family is followed in real k on a geometric grid (ratio ``ratio``); in
    each grid interval where a block's smallest eigenvalue :math:`\lambda(k)` changes sign,
    :math:`\lambda(k) = 0` is solved by the Illinois (regula falsi) method, each evaluation
    being a Newton refinement of the critical point at k followed by the block
    eigenproblem (Arjevani & Field 2020 show the eigenvalues are analytic in k, so the
    crossing is a simple root generically).  Crossings closer together than a grid step
    can be missed; a smaller ``ratio`` resolves them.

    >>> th = thresholds("type-A", k_max=7, dps=25)
    >>> [(t.irrep, t.before, t.after, mpmath.nstr(t.k, 6)) for t in th]     # doctest: +SKIP
    """
    from ..critical.refine import refine
    from ..restricted import restricted_loss
    fam = _family(family)
    dec = isotypic_decomposition(fam.isotropy)
    lo = float(k_min) if k_min is not None else float(max(fam.k_min, dec.generic_k_min)) + 0.05
    if not lo > dec.generic_k_min:
        raise InputError(f"the spectrum of Fix({dec.H.label}) at real k needs k > "
                         f"{dec.generic_k_min}; got k_min = {k_min}")
    if not float(k_max) > lo:
        raise InputError(f"k_max must exceed {lo}, got {k_max}")
    if not 1 < float(ratio) < 2:
        raise InputError(f"the grid ratio must lie in (1, 2), got {ratio}")
    grid = [mpmath.mpf(x) for x in _scan_grid(lo, float(k_max), float(ratio))]
    pts, lost = _follow_to(fam, grid, dps)
    if not pts:
        raise ConvergenceError(f"family {fam.name} could not be followed to "
                               f"[{lo}, {k_max}]: {'; '.join(lost)}")
    R = restricted_loss(fam.isotropy)
    work = int(dps) + 10
    tol = mpmath.mpf(10) ** (-(int(dps) // 2))
    out = []
    with workdps(work):
        mins = []
        for p in pts:
            mins.append(block_minima(fam.isotropy, p.xi, p.k))
            if progress:
                progress(p)
        for i in range(len(pts) - 1):
            m0, m1 = mins[i], mins[i + 1]
            for irrep in m0:
                if mpmath.sign(m0[irrep]) == mpmath.sign(m1[irrep]):
                    continue
                lam, state = _eigen_of_k(R, fam.isotropy, irrep, pts[i].xi, work)

                a, b = pts[i].k, pts[i + 1].k
                kt = _illinois(lam, mpmath.mpf(a), mpmath.mpf(b), m0[irrep], m1[irrep],
                               mpmath.mpf(10) ** (-(int(dps) + 3)))
                h = mpmath.mpf(10) ** (-(int(dps) // 3))
                slope = (lam(kt + h) - lam(kt - h)) / (2 * h)
                lam(kt)
                cp = refine(fam.isotropy, list(state["x"]), kt, dps=dps, family=fam.name,
                            full_check=False)
                before = classify(m0, tol)
                after = classify(m1, tol)
                out.append(Threshold(fam.name, dec.H.label, +kt, irrep, before, after,
                                     +slope, cp, int(dps), (a, b)))
    out.sort(key=lambda t: t.k)
    with workdps(int(dps)):
        for t in out:
            t.k = +t.k
    return out


def threshold(family, k_max=40, dps=30, ratio=1.04, progress=None):
    """The real k at which the family turns from saddle into minimum: the largest
    crossing in ``(k_min, k_max]`` after which it is a minimum (see :func:`thresholds`).
    Raises :class:`~symcrit.core.errors.ConvergenceError` when there is none in the range.

    >>> t = threshold("type-A", k_max=8, dps=25)
    >>> t.irrep, t.before, t.after, 5 < t.k < 6
    ('[k-2,1]', 'saddle', 'minimum', True)
    """
    fam = _family(family)
    th = thresholds(fam, k_max=k_max, dps=dps, ratio=ratio, progress=progress)
    good = [t for t in th if t.after == "minimum" and t.before != "minimum"]
    if not good:
        what = ", ".join(f"{t.irrep} at k = {mpmath.nstr(t.k, 8)} ({t.before} -> {t.after})"
                         for t in th) or "no block changes sign"
        raise ConvergenceError(f"family {fam.name} does not turn from saddle into minimum "
                               f"for k up to {k_max} ({what})")
    return good[-1]
