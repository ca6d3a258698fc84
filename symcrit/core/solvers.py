r"""The numerical solvers every layer shares: one Newton iteration, one generalized symmetric
eigensolver.  One-dimensional roots use mpmath's own :func:`mpmath.findroot` (its
``illinois``, ``anderson`` or ``secant`` solvers); nothing here re-implements them.

**Newton's method** (Deuflhard, "Newton Methods for Nonlinear Problems", Springer 2004,
ch. 1–3) for :math:`F(x) = 0`:

.. math::

    x_{j+1} = x_j - \lambda_j\, J(x_j)^{-1} F(x_j),

with :math:`\lambda_j = 1` (plain), or the first of :math:`1, \tfrac12, \tfrac14, \dots` that
lowers the residual by the factor :math:`1 - \lambda/4` (a backtracking line search on the
residual, so a float64 guess is enough), or a fixed matrix in place of :math:`J^{-1}` (the
chord method).  The residual is :math:`\max_i |F_i| / s_i` with per-entry scales
:math:`s_i` (for the restricted gradient: the Frobenius weights, so that the residual is the
gradient per entry of W and its tolerance does not depend on k).  Scalars may be mpmath
numbers, Arb balls or truncated series: the iteration only adds, subtracts and calls the
linear solve it is given.

**Generalized eigenvalues** of a symmetric pencil :math:`(A, B)`, :math:`B \succ 0`: with
the Cholesky factor :math:`B = LL^\top`, the eigenvalues of :math:`C = L^{-1}AL^{-\top}`
(Golub & Van Loan, "Matrix Computations", 4th ed., §8.7); in float64 after the Jacobi scaling
:math:`S = \mathrm{diag}(B)^{-1/2}` (scipy's ``eigh``), in mpmath at the working precision
(``cholesky``, ``eigsy``).

>>> import mpmath
>>> with mpmath.workdps(30):
...     res = newton(lambda x: ([x[0] ** 2 - 2], mpmath.matrix([[2 * x[0]]]), None), [1],
...                  tol=mpmath.mpf(10) ** -25)
...     mpmath.nstr(res.x[0], 25)
'1.414213562373095048801689'
>>> generalized_eigh([[2.0, 1.0], [1.0, 2.0]], [[1.0, 0.0], [0.0, 1.0]], "float")
array([1., 3.])
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import mpmath
import numpy as np

from .errors import ConvergenceError, InputError

__all__ = ["NewtonResult", "newton", "generalized_eigh", "lagrange_weights"]

_SINGULAR = (ZeroDivisionError, ValueError, ArithmeticError)


@dataclass
class NewtonResult:
    """The outcome of :func:`newton`: the point ``x`` (a list), ``F`` and ``J`` there (as
    the evaluation returned them), ``info`` (whatever else the evaluation returned, e.g.
    the loss), the ``residual`` and the number of ``iterations``."""
    x: list
    F: object
    J: object
    info: object
    residual: object
    iterations: int


def _max_scaled(F, scale):
    if scale is None:
        return max(abs(f) for f in F)
    return max(abs(f / s) for f, s in zip(F, scale))


def _lu(J, F):
    return mpmath.lu_solve(J, mpmath.matrix(list(F)))


def newton(evaluate: Callable[[list[Any]], tuple[Any, Any, Any]], x0: Sequence[Any],
           tol: Any, *, maxsteps: int = 50, scale: Sequence[Any] | None = None,
           line_search: bool = False, diverge: float | None = None,
           solve: Callable[[Any, Any], Any] | None = None,
           residual: Callable[[Any], Any] | None = None) -> NewtonResult:
    r"""Solve :math:`F(x) = 0` by Newton's method.

    Parameters
    ----------
    evaluate : callable
        ``evaluate(x) -> (F, J, info)``: the residual vector (a sequence), the Jacobian
        (whatever ``solve`` accepts; ``None`` with a chord ``solve``) and anything else to
        keep (returned with the result).  It may raise ``ZeroDivisionError`` or
        ``ValueError`` at a singular point.
    x0 : sequence
        The start.
    tol : number
        Stop when the residual is at most ``tol``.
    maxsteps : int
        The most Newton steps.
    scale : sequence, optional
        Per-entry scales: the residual is :math:`\max_i |F_i|/s_i`.
    line_search : bool
        Backtrack on the residual (:math:`\lambda = 1, 1/2, \dots`); a step is taken when it
        lowers the residual by :math:`1-\lambda/4` (or when λ < 1e-6).
    diverge : float, optional
        Stop with an error when the residual grows by more than this factor in one step.
    solve : callable, optional
        ``solve(J, F) -> δ`` with :math:`J\delta = F` (default: mpmath's LU solve); a chord
        method passes a fixed inverse here.
    residual : callable, optional
        ``residual(F) -> number`` instead of the scaled max norm.

    Returns
    -------
    NewtonResult

    Raises
    ------
    ConvergenceError
        A singular start or Jacobian, divergence, a failed line search, or no convergence
        in ``maxsteps`` steps; the message says how far it got.

    Examples
    --------
    >>> f = lambda x: ([x[0] ** 3 - 8], mpmath.matrix([[3 * x[0] ** 2]]), "info")
    >>> r = newton(f, [mpmath.mpf(30)], tol=1e-12, line_search=True)
    >>> round(float(r.x[0]), 12), r.info
    (2.0, 'info')
    """
    solve = _lu if solve is None else solve
    res = (lambda F: _max_scaled(F, scale)) if residual is None else residual
    x = list(x0)
    try:
        F, J, info = evaluate(x)
    except _SINGULAR as exc:
        raise ConvergenceError(f"the start point is singular ({exc})") from None
    r = res(F)
    it = 0
    while not r <= tol:
        if it >= maxsteps:
            raise ConvergenceError(f"no convergence in {maxsteps} Newton steps (residual "
                                   f"{mpmath.nstr(r, 3)}, wanted {mpmath.nstr(tol, 3)})")
        it += 1
        try:
            step = solve(J, F)
        except _SINGULAR:
            raise ConvergenceError(f"singular Jacobian at step {it} (residual "
                                   f"{mpmath.nstr(r, 3)})") from None
        step = [step[i] for i in range(len(x))]
        if not line_search:
            x = [a - b for a, b in zip(x, step)]
            try:
                F, J, info = evaluate(x)
            except _SINGULAR as exc:
                raise ConvergenceError(f"Newton reached a singular point ({exc})") from None
            rn = res(F)
            if diverge is not None and rn > diverge * r:
                raise ConvergenceError(f"Newton diverges (residual {mpmath.nstr(rn, 3)} "
                                       f"after {mpmath.nstr(r, 3)})")
            r = rn
            continue
        lam: float = 1
        for _ in range(40):
            xn = [a - lam * b for a, b in zip(x, step)]
            try:
                Fn, Jn, infon = evaluate(xn)
                rn = res(Fn)
            except _SINGULAR:
                rn = mpmath.inf
            if mpmath.isfinite(rn) and (rn < r * (1 - lam / 4) or lam < 1e-6):
                break
            lam /= 2
        else:   # pragma: no cover - 40 halvings reach lam < 1e-6
            raise ConvergenceError(f"the line search failed at step {it}")
        x, F, J, info, r = xn, Fn, Jn, infon, rn
    return NewtonResult(x, F, J, info, r, it)


def _as_float(M):
    return np.array([[float(x) for x in row] for row in np.asarray(M, dtype=object).tolist()],
                    dtype=float)


def _as_mp(M):
    if isinstance(M, mpmath.matrix):
        return M
    rows = M.tolist() if hasattr(M, "tolist") else M
    return mpmath.matrix([[x if isinstance(x, mpmath.mpf) else _mpf(x) for x in row]
                          for row in rows])


def _mpf(x):
    if hasattr(x, "mid") and hasattr(x, "rad"):                 # an Arb ball
        return mpmath.mpf(x.mid().str(mpmath.mp.dps + 5, radius=False))
    return mpmath.mpf(x)


def generalized_eigh(A: Any, B: Any, system: str = "mpmath", vectors: bool = False) -> Any:
    r"""The eigenvalues (ascending) of the symmetric pencil (A, B), B positive definite:
    :math:`A v = \lambda B v`.

    Parameters
    ----------
    A, B : matrix
        Symmetric (the symmetric part is used); numpy arrays (float or object), mpmath
        matrices, nested lists, or Arb matrices (their midpoints).
    system : {"float", "mpmath"}
        float64 (scipy, Jacobi-scaled) or mpmath at the working precision.
    vectors : bool
        Also return a B-orthonormal eigenbasis V (columns in the order of the eigenvalues):
        a numpy array for float, an mpmath matrix otherwise.

    Raises
    ------
    InputError
        B is not positive definite.

    Examples
    --------
    >>> generalized_eigh(np.array([[2.0, 0], [0, 3]]), np.array([[1.0, 0], [0, 3]]), "float")
    array([1., 2.])
    >>> with mpmath.workdps(30):
    ...     ev = generalized_eigh(mpmath.matrix([[2, 1], [1, 2]]), mpmath.eye(2))
    >>> [mpmath.nstr(x, 20) for x in ev]
    ['1.0', '3.0']
    """
    name = getattr(system, "name", system)
    if name == "float":
        import scipy.linalg
        Af, Bf = _as_float(A.tolist() if hasattr(A, "tolist") else A), \
            _as_float(B.tolist() if hasattr(B, "tolist") else B)
        Af, Bf = (Af + Af.T) / 2, (Bf + Bf.T) / 2
        d = np.diag(Bf)
        if not np.all(d > 0):
            raise InputError("the Gram matrix B is not positive definite")
        S = np.diag(1 / np.sqrt(d))
        try:
            lam, W = scipy.linalg.eigh(S @ Af @ S, S @ Bf @ S)
        except np.linalg.LinAlgError:
            raise InputError("the Gram matrix B is not positive definite") from None
        return (lam, S @ W) if vectors else lam
    Am, Bm = _as_mp(A), _as_mp(B)
    n = Am.rows
    Am, Bm = (Am + Am.T) / 2, (Bm + Bm.T) / 2
    if n == 1 and not vectors:
        return [Am[0, 0] / Bm[0, 0]]
    try:
        L = mpmath.cholesky(Bm)
    except (ValueError, ZeroDivisionError):
        raise InputError("the Gram matrix B is not positive definite (k too small for the "
                         "isotypic blocks?)") from None
    Li = mpmath.inverse(L)
    C = Li * Am * Li.T
    C = (C + C.T) / 2
    if not vectors:
        ev = mpmath.eigsy(C, eigvals_only=True)
        return sorted(ev[i] for i in range(n))
    E, Q = mpmath.eigsy(C)
    V = Li.T * Q
    order = sorted(range(n), key=lambda i: E[i])
    return [E[i] for i in order], mpmath.matrix([[V[i, j] for j in order] for i in range(n)])


def lagrange_weights(nodes, x):
    r"""The Lagrange weights :math:`\ell_i(x) = \prod_{j\ne i}(x - x_j)/(x_i - x_j)`, so
    that :math:`p(x) = \sum_i \ell_i(x)\,y_i` is the interpolating polynomial through
    :math:`(x_i, y_i)` (inter- or extrapolation).  Rational nodes and x (int, float, Fraction,
    decimal text: floats are dyadic rationals) are computed exactly and returned as mpf at
    the working precision; other numbers (mpf) in mpmath.

    >>> [str(w) for w in lagrange_weights([1, 2, 3], 4)]            # ℓ_i(4): 1, −3, 3
    ['1.0', '-3.0', '3.0']
    """
    from fractions import Fraction
    exact = all(isinstance(v, (int, float, Fraction, str)) and not isinstance(v, bool)
                for v in list(nodes) + [x])
    conv = Fraction if exact else mpmath.mpf
    xs, t = [conv(v) for v in nodes], conv(x)
    out = []
    for i, xi in enumerate(xs):
        w = conv(1)
        for j, xj in enumerate(xs):
            if j != i:
                w *= (t - xj) / (xi - xj)
        out.append(mpmath.mpf(w.numerator) / w.denominator if exact else w)
    return out
