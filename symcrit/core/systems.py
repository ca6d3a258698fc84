r"""Number systems: the small interface every formula in symcrit is written against.

A formula such as the arc-cosine kernel is written once, in terms of ``+ - * /``,
integer powers and the handful of functions a :class:`NumberSystem` provides
(``sqrt``, ``acos``, ``pi``).  Evaluating it in another number system means passing
another ``NumberSystem``:

========  =======================  ==========================================
name      scalars                  what a result means
========  =======================  ==========================================
float     numpy float64 arrays     numerical (round-off)
mpmath    ``mpmath.mpf``           refined (working precision ``mp.dps``)
sympy     sympy expressions        exact or symbolic
arb       ``flint.arb`` balls      certified: the ball contains the true value
========  =======================  ==========================================

Arrays of the non-float systems are numpy arrays of ``dtype=object``; the functions
act elementwise on them, so the same vectorised assembly code serves all four.

Precision is a context, as in mpmath: :func:`workdps` sets both ``mpmath.mp.dps``
and ``flint.ctx.dps``.

>>> import numpy as np
>>> FLOAT.acos(np.array([1.0000000000000002, 0.0]))   # round-off beyond 1 is clipped
array([0.        , 1.57079633])
>>> with workdps(30):
...     print(MPMATH.sqrt(MPMATH.convert('2')))
1.41421356237309504880168872421
>>> SYMPY.acos(SYMPY.convert('1/2'))
pi/3
>>> with workdps(20):
...     print(ARB.pi)
[3.14159265358979323... +/- ...]
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from fractions import Fraction

import mpmath
import numpy as np
import sympy
from flint import arb, arb_mat, ctx as flint_ctx, fmpq, fmpz

__all__ = ["NumberSystem", "ElementSystem", "FLOAT", "MPMATH", "SYMPY", "ARB", "get_system", "workdps",
           "SYSTEMS", "int_power"]


@contextlib.contextmanager
def workdps(dps: int) -> Iterator[None]:
    """Set the working precision (decimal digits) of mpmath and of Arb together."""
    old_mp, old_fl = mpmath.mp.dps, flint_ctx.dps
    mpmath.mp.dps = int(dps)
    flint_ctx.dps = int(dps)
    try:
        yield
    finally:
        mpmath.mp.dps = old_mp
        flint_ctx.dps = old_fl


def _elementwise(f):
    ufunc = np.frompyfunc(f, 1, 1)

    def g(x):
        if isinstance(x, np.ndarray):
            return ufunc(x)
        return f(x)
    g.__name__ = getattr(f, "__name__", "f")
    return g


class NumberSystem:
    """One number system: scalar conversion, the elementary functions, matrices.

    Subclasses define ``name``, ``certainty`` (``numerical``, ``refined``, ``exact``,
    ``certified``) and the methods below.
    """
    name = ""
    certainty = ""
    dtype = object

    def __repr__(self):
        return f"<number system {self.name}>"

    # --- scalars -----------------------------------------------------------------
    def convert(self, x):  # pragma: no cover - abstract
        """A scalar of this system for ``x``.

        Parameters
        ----------
        x : int, Fraction, float, mpmath.mpf, sympy.Expr or flint.arb
            A number of any of the four systems.

        Returns
        -------
        object
            A float, an ``mpmath.mpf`` (rounded to the working precision), a sympy
            expression (exact: a float becomes the rational it represents) or a
            ``flint.arb`` ball that contains ``x``.
        """
        raise NotImplementedError

    def rational(self, p, q):
        """The rational p/q (exact where the system allows)."""
        return self.convert(Fraction(int(p), int(q)))

    # --- arrays ------------------------------------------------------------------
    def asarray(self, a):
        """A numpy array of this system's scalars (object dtype except for float)."""
        if isinstance(a, (mpmath.matrix, sympy.MatrixBase, arb_mat)):
            arr = np.array(a.tolist(), dtype=object)
        elif isinstance(a, np.ndarray):
            arr = a
        else:
            arr = np.array(a, dtype=object)
        conv = np.frompyfunc(self.convert, 1, 1)
        out = conv(np.asarray(arr, dtype=object))
        if not isinstance(out, np.ndarray):
            out = np.array(out, dtype=object)
        return out.astype(self.dtype)

    def matrix(self, arr):
        """Turn a 2-d array into this system's own matrix type."""
        raise NotImplementedError  # pragma: no cover

    def is_zero(self, x):
        """True when x is (or, for balls, may be) zero; None when undecidable."""
        return x == 0

    def sqrt(self, x):  # pragma: no cover - abstract
        """The square root of a scalar (or, for float, elementwise of an array) x ≥ 0."""
        raise NotImplementedError

    def acos(self, x):  # pragma: no cover - abstract
        """The arc cosine of x ∈ [−1, 1], in [0, π]: the angle θ of the kernel
        :math:`K(u, v) = |u||v|(\\sin\\theta + (\\pi - \\theta)\\cos\\theta)/(2\\pi)`."""
        raise NotImplementedError

    def pow(self, x, n):
        """x to the integer power n (compiled formulas call this for every power)."""
        return x ** n

    def reciprocal_or_zero(self, x):
        """1/x, and the integer 0 where x is exactly zero (elementwise on arrays): the
        kernel's Hessian multiplies it by a factor that vanishes like x² there, so that
        parallel and anti-parallel pairs give the exact limits."""
        return _RECIPROCAL_OR_ZERO(x) if isinstance(x, np.ndarray) else _reciprocal_or_zero(x)

    #: the one Python type of this system's scalars (None: no single type)
    native_type: type | None = None

    def is_native(self, x):
        """True when x is already a scalar (or array) of this system."""
        return self.native_type is not None and isinstance(x, self.native_type)

    def column(self, vals):
        """A vector as this system's column type: a list (a numpy array for float, a
        one-column matrix for mpmath and sympy)."""
        return list(vals)

    def to_array(self, M):
        """A matrix of this system (or a nested list) as a 2-d numpy array."""
        if isinstance(M, np.ndarray):
            return M
        if isinstance(M, list):
            return np.array(M, dtype=object)
        if isinstance(M, mpmath.matrix):
            return np.array(M.tolist(), dtype=object)
        return np.array(M.tolist(), dtype=object)

    def symmetrize(self, A):
        """The symmetric part of a square array (exact systems: unchanged)."""
        return (A + A.T) / 2

    def certainly_nonzero(self, x):
        """True when x is proven (Arb, sympy) or numerically (float, mpmath: above the
        square of the working precision) distinct from zero."""
        return not self.is_zero(x)


class ElementSystem(NumberSystem):
    """A number system whose elements carry their own ``sqrt()`` and ``acos()`` (truncated
    Laurent series, Taylor models): :meth:`sqrt` and :meth:`acos` convert their argument
    and call the element's method, elementwise on object arrays."""

    def _apply(self, x, method):
        if isinstance(x, np.ndarray):
            return np.frompyfunc(lambda t: getattr(self.convert(t), method)(), 1, 1)(x)
        return getattr(self.convert(x), method)()

    def sqrt(self, x):
        """√x by the element's ``sqrt`` (elementwise on arrays)."""
        return self._apply(x, "sqrt")

    def acos(self, x):
        """arccos x by the element's ``acos`` (elementwise on arrays)."""
        return self._apply(x, "acos")


def _reciprocal_or_zero(x):
    return 0 if (x == 0) is True else 1 / x


_RECIPROCAL_OR_ZERO = np.frompyfunc(_reciprocal_or_zero, 1, 1)


def int_power(x, n, one=None):
    """x**n for an integer n by repeated squaring, using only ``*`` (and ``1/x`` for n < 0):
    for any ring element (balls, series, field elements).  ``one`` is returned for n = 0
    (default ``x*0 + 1``).

    >>> int_power(3, 5), int_power(2.0, -2)
    (243, 0.25)
    """
    if n < 0:
        return 1 / int_power(x, -n, one)
    out, base = None, x
    while n:
        if n & 1:
            out = base if out is None else out * base
        n >>= 1
        if n:
            base = base * base
    if out is None:
        return one if one is not None else x * 0 + 1
    return out


class _Float(NumberSystem):
    name = "float"
    certainty = "numerical"
    dtype = float

    def convert(self, x):
        if isinstance(x, arb):
            return float(x.mid())
        if isinstance(x, Fraction):
            return x.numerator / x.denominator
        return float(x)

    def asarray(self, a):
        if isinstance(a, np.ndarray) and a.dtype != object:
            return a.astype(float)
        return super().asarray(a)

    def sqrt(self, x):
        # arguments are squared norms or (1-c)(1+c): non-negative up to round-off
        return np.sqrt(np.maximum(x, 0.0))

    def acos(self, x):
        return np.arccos(np.clip(x, -1.0, 1.0))

    def reciprocal_or_zero(self, x):
        if isinstance(x, np.ndarray) and x.dtype != object:
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.where(x == 0, 0.0, 1.0 / np.where(x == 0, 1.0, x))
        return super().reciprocal_or_zero(x)

    @property
    def pi(self):
        return np.pi

    def matrix(self, arr):
        return np.asarray(arr, dtype=float)

    def is_native(self, x):
        return isinstance(x, (float, np.ndarray))

    def column(self, vals):
        return np.array(list(vals), dtype=float)

    def to_array(self, M):
        return np.asarray(M, dtype=float)

    def certainly_nonzero(self, x):
        return bool(abs(x) > 1e-300)


class _Mpmath(NumberSystem):
    name = "mpmath"
    certainty = "refined"

    def convert(self, x):
        if isinstance(x, mpmath.mpf):
            return +x
        if isinstance(x, Fraction):
            return mpmath.mpf(x.numerator) / x.denominator
        if isinstance(x, arb):
            return mpmath.mpf(x.mid().str(mpmath.mp.dps + 5, radius=False))
        if isinstance(x, sympy.Basic):
            return mpmath.mpf(sympy.Float(x, mpmath.mp.dps + 5)._mpf_)
        if isinstance(x, (np.floating, np.integer)):
            x = x.item()
        return mpmath.mpf(x)

    def __init__(self):
        self._sqrt = _elementwise(lambda x: mpmath.sqrt(x if x > 0 else mpmath.mpf(0)))
        self._acos = _elementwise(lambda x: mpmath.acos(min(max(x, -1), 1)))

    def sqrt(self, x):
        return self._sqrt(x)

    def acos(self, x):
        return self._acos(x)

    @property
    def pi(self):
        return +mpmath.mp.pi

    def matrix(self, arr):
        return mpmath.matrix(np.asarray(arr, dtype=object).tolist())

    native_type = mpmath.mpf

    def column(self, vals):
        return mpmath.matrix([[v] for v in vals])

    def certainly_nonzero(self, x):
        return bool(abs(x) > mpmath.mpf(10) ** (-2 * mpmath.mp.dps))


class _Sympy(NumberSystem):
    name = "sympy"
    certainty = "exact"

    def convert(self, x):
        if isinstance(x, sympy.Basic):
            return x
        if isinstance(x, str):
            # a decimal or rational literal; never parsed as an expression
            return sympy.Rational(Fraction(x))
        if isinstance(x, Fraction):
            return sympy.Rational(x.numerator, x.denominator)
        if isinstance(x, (bool, np.bool_)):
            raise TypeError("booleans are not numbers here")
        if isinstance(x, (int, np.integer)):
            return sympy.Integer(int(x))
        if isinstance(x, (float, np.floating)):
            return sympy.Rational(Fraction(float(x)))
        if isinstance(x, mpmath.mpf):
            sign, man, exp, _ = x._mpf_          # x = (-1)^sign · man · 2^exp exactly
            if not man and x != 0:
                raise TypeError(f"cannot convert {x} to an exact number")
            v = sympy.Integer(man) * sympy.Integer(2) ** exp
            return -v if sign else v
        raise TypeError(f"cannot convert {type(x).__name__} to an exact number")

    def __init__(self):
        self._sqrt = _elementwise(sympy.sqrt)
        self._acos = _elementwise(sympy.acos)

    def sqrt(self, x):
        return self._sqrt(x)

    def acos(self, x):
        return self._acos(x)

    @property
    def pi(self):
        return sympy.pi

    def is_zero(self, x):
        return sympy.S(x).is_zero

    def matrix(self, arr):
        return sympy.Matrix(np.asarray(arr, dtype=object).tolist())

    native_type = sympy.Basic

    def column(self, vals):
        return sympy.Matrix([[v] for v in vals])

    def symmetrize(self, A):
        return A

    def certainly_nonzero(self, x):
        return sympy.simplify(x) != 0


_UNIT = arb(0, 1)   # the ball [-1, 1]


def _arb_acos(x):
    """acos of a ball whose true value lies in [-1, 1].  Inside (-1, 1) Arb's own acos;
    a ball touching ±1 (parallel or anti-parallel pairs) goes through
    acos x = 2 atan2(sqrt(1 - x), sqrt(1 + x)), which stays finite and rigorous there."""
    y = x.intersection(_UNIT).acos()
    if y.is_finite():
        return y
    return 2 * arb.atan2((1 - x).nonnegative_part().sqrt(), (1 + x).nonnegative_part().sqrt())


class _Arb(NumberSystem):
    name = "arb"
    certainty = "certified"

    def convert(self, x):
        if isinstance(x, arb):
            return x
        if isinstance(x, mpmath.mpf):
            sign, man, exp, _ = x._mpf_          # x = (-1)^sign · man · 2^exp exactly
            if not man:
                if x != 0:
                    raise ValueError(f"cannot convert {x} to an arb ball")
                return arb(0)
            v = arb(fmpz(int(man))) * arb(2) ** int(exp)
            return -v if sign else v
        if isinstance(x, Fraction):
            return arb(fmpq(x.numerator, x.denominator))
        if isinstance(x, sympy.Rational):
            return arb(fmpq(int(x.p), int(x.q)))
        if isinstance(x, (np.floating, np.integer)):
            x = x.item()
        if isinstance(x, str):
            return arb(x)
        if isinstance(x, (int, float)):
            return arb(x)
        raise TypeError(f"cannot convert {type(x).__name__} to an arb ball")

    def __init__(self):
        # true arguments are >= 0 (squared norms, 1 - cos^2): discard the negative part
        self._sqrt = _elementwise(lambda x: x.nonnegative_part().sqrt())
        self._acos = _elementwise(_arb_acos)

    def sqrt(self, x):
        return self._sqrt(x)

    def acos(self, x):
        return self._acos(x)

    def pow(self, x, n):
        # python-flint's arb ** int goes through exp(n log x): NaN for a ball that
        # contains 0, and loose for negative balls; repeated products are always valid
        if isinstance(x, np.ndarray):
            return np.frompyfunc(lambda t: int_power(t, int(n)), 1, 1)(x)
        return int_power(x, int(n))

    @property
    def pi(self):
        return arb.pi()

    def is_zero(self, x):
        return x.contains(0)

    def matrix(self, arr):
        return arb_mat(np.asarray(arr, dtype=object).tolist())

    native_type = arb

    def symmetrize(self, A):
        # keep the intersection of both enclosures: each contains the true (symmetric) value
        n = A.shape[0]
        for i in range(n):
            for j in range(i + 1, n):
                A[i, j] = A[j, i] = A[i, j].intersection(A[j, i])
        return A

    def certainly_nonzero(self, x):
        return not x.contains(0)


#: float64 through numpy, vectorised (results are "numerical")
FLOAT = _Float()
#: mpmath at the working precision ``mp.dps`` (results are "refined")
MPMATH = _Mpmath()
#: sympy, exact and symbolic (results are "exact")
SYMPY = _Sympy()
#: python-flint Arb balls that contain the true value (results are "certified")
ARB = _Arb()
#: the number systems by name, with the aliases ``mp`` (mpmath) and ``numpy`` (float)
SYSTEMS = {s.name: s for s in (FLOAT, MPMATH, SYMPY, ARB)}
SYSTEMS["mp"] = MPMATH
SYSTEMS["numpy"] = FLOAT


def get_system(system: str | NumberSystem) -> NumberSystem:
    """Look a number system up by name (``float``, ``mpmath``, ``sympy``, ``arb``)."""
    if isinstance(system, NumberSystem):
        return system
    try:
        return SYSTEMS[system]
    except KeyError:
        raise ValueError(f"unknown number system {system!r}; choose one of "
                         "float, mpmath, sympy, arb") from None
