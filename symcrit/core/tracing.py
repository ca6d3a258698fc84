r"""Straight-line code from a formula written against the number-system interface.

A formula such as the restricted loss's assembly (the one kernel formula summed over the
pair types, :mod:`symcrit.restricted.assemble`) is written once, vectorised with numpy over
the pair types.  In the object systems (Arb balls, mpmath, truncated series, Taylor
models) numpy's object arrays then cost more than the arithmetic: every operation on an
array goes through a ufunc call, temporaries and broadcasting, for a few hundred
elements.  Running the formula *once* in a :class:`TracingSystem`, whose scalars record
the operation that made them instead of a value, gives the whole computation as a list of
scalar operations; :func:`trace_straight_line` prints it as one straight-line Python
function (``t7 = t3 * t5`` …) that then runs in any number system without numpy.

The code performs exactly the operations the formula performs, on the same operands in the
same order (``2 * x`` stays ``2 * x``; ``ns.sqrt``, ``ns.acos``, ``ns.pow``,
``ns.reciprocal_or_zero``, ``ns.convert``, ``ns.rational`` and ``ns.pi`` are called as the
formula calls them), so its results are the formula's, bit for bit, in every number system.
Two refinements change nothing in the values: an operation repeated on the same operands
is done once (the operations are deterministic), and operations whose results reach no
output are dropped.  The formula must be straight-line in its scalars — no branch on a
computed value; branching on data happens inside the system's functions (such as
:meth:`~symcrit.core.NumberSystem.reciprocal_or_zero`).

>>> import numpy as np
>>> from symcrit.core import MPMATH, SYMPY
>>> def formula(ns, x):
...     v = np.array([x[0], x[1], x[0]], dtype=object)
...     n = ns.sqrt((v * v).sum())
...     return [[n], [x[0] / n, 2 * x[1] / n]]
>>> f = trace_straight_line(formula, 2)
>>> print(f.source)                                     # sqrt(x0² + x1² + x0²): x0² once
def straight_line(ns, args, upto=None):
    _sqrt, _acos, _rz, _pow, _conv, _rat = ns.sqrt, ns.acos, ns.reciprocal_or_zero, ns.pow, ns.convert, ns.rational
    t0 = args[0]
    t1 = args[1]
    t2 = t0 * t0
    t3 = t1 * t1
    t4 = t2 + t3
    t5 = t4 + t2
    t6 = _sqrt(t5)
    if upto == 0:
        return [t6]
    t7 = t0 / t6
    t8 = 2 * t1
    t9 = t8 / t6
    return [t6, t7, t9]
>>> f(SYMPY, [SYMPY.convert(1), SYMPY.convert(1)], 0)
[sqrt(3)]
>>> x = [MPMATH.convert(3), MPMATH.convert("0.1")]
>>> f(MPMATH, x) == [v for part in formula(MPMATH, x) for v in part]     # bit for bit
True
"""
from __future__ import annotations

import numpy as np

from .codegen import compile_source
from .systems import NumberSystem

__all__ = ["TraceError", "Traced", "TracingSystem", "trace_straight_line"]


class TraceError(TypeError):
    """The formula did something that straight-line code cannot replay: an operand other
    than a traced scalar or a Python int, or a branch on a computed value."""


class Traced:
    """A scalar of a :class:`TracingSystem`: the index of the operation that made it."""
    __slots__ = ("tape", "i")

    def __init__(self, tape, i):
        self.tape, self.i = tape, i

    def _binary(self, op, other, reflected=False):
        if isinstance(other, Traced):
            o = ("t", other.i)
        elif type(other) is int:
            o = ("c", other)
        else:
            return NotImplemented
        me = ("t", self.i)
        return self.tape.record(op, (o, me) if reflected else (me, o))

    def __add__(self, o):
        return self._binary("+", o)

    def __radd__(self, o):
        return self._binary("+", o, True)

    def __sub__(self, o):
        return self._binary("-", o)

    def __rsub__(self, o):
        return self._binary("-", o, True)

    def __mul__(self, o):
        return self._binary("*", o)

    def __rmul__(self, o):
        return self._binary("*", o, True)

    def __truediv__(self, o):
        return self._binary("/", o)

    def __rtruediv__(self, o):
        return self._binary("/", o, True)

    def __neg__(self):
        return self.tape.record("neg", (("t", self.i),))

    def __pow__(self, n):
        return self.tape.pow(self, n)

    def __bool__(self):
        raise TraceError("a branch on a traced value: the formula is not straight-line")

    def __eq__(self, other):
        raise TraceError("a comparison of a traced value: the formula is not straight-line")

    __lt__ = __le__ = __gt__ = __ge__ = __ne__ = __eq__
    __hash__ = None  # type: ignore[assignment]

    def __repr__(self):
        return f"t{self.i}"


class TracingSystem(NumberSystem):
    """A number system whose scalars are :class:`Traced` operations, recorded on a tape
    (``ops``: ``(op, operands)``, operands ``("t", index)`` or ``("c", int)``); an operation
    already on the tape with the same operands is not recorded twice."""
    name = "trace"
    certainty = "none"
    native_type = Traced

    def __init__(self):
        self.ops = []
        self._seen = {}
        self._map = {name: np.frompyfunc(getattr(self, "_" + name), 1, 1)
                     for name in ("sqrt", "acos", "rz")}

    def record(self, op, operands):
        """The scalar made by ``op`` on ``operands`` (recorded once)."""
        key = (op, operands)
        i = self._seen.get(key)
        if i is None:
            i = self._seen[key] = len(self.ops)
            self.ops.append(key)
        return Traced(self, i)

    def variables(self, n):
        """The inputs ``args[0]``, …, ``args[n-1]`` of the traced function."""
        return [self.record("arg", (("c", j),)) for j in range(n)]

    def convert(self, x):
        if isinstance(x, Traced):
            return x
        if type(x) is not int:
            raise TraceError(f"a constant {x!r} ({type(x).__name__}) in a traced formula")
        return self.record("convert", (("c", x),))

    def rational(self, p, q):
        return self.record("rational", (("c", int(p)), ("c", int(q))))

    @property
    def pi(self):
        """π: replayed as the number system's own ``ns.pi``."""
        return self.record("pi", ())

    def _unary(self, op, x):
        if not isinstance(x, Traced):
            x = self.convert(x)
        return self.record(op, (("t", x.i),))

    def _sqrt(self, x):
        return self._unary("sqrt", x)

    def _acos(self, x):
        return self._unary("acos", x)

    def _rz(self, x):
        return self._unary("rz", x)

    def sqrt(self, x):
        return self._map["sqrt"](x) if isinstance(x, np.ndarray) else self._sqrt(x)

    def acos(self, x):
        return self._map["acos"](x) if isinstance(x, np.ndarray) else self._acos(x)

    def reciprocal_or_zero(self, x):
        return self._map["rz"](x) if isinstance(x, np.ndarray) else self._rz(x)

    def pow(self, x, n):
        if isinstance(x, np.ndarray):
            return np.frompyfunc(lambda t: self.pow(t, n), 1, 1)(x)
        if not isinstance(x, Traced) or type(n) is not int:
            raise TraceError("only traced scalars to integer powers")
        return self.record("pow", (("t", x.i), ("c", n)))


_FORMS = {"+": "{} + {}", "-": "{} - {}", "*": "{} * {}", "/": "{} / {}", "neg": "-{}",
          "sqrt": "_sqrt({})", "acos": "_acos({})", "rz": "_rz({})", "pow": "_pow({}, {})",
          "convert": "_conv({})", "rational": "_rat({}, {})", "pi": "ns.pi",
          "arg": "args[{}]"}


def trace_straight_line(formula, nargs, name="straight_line"):
    """Trace ``formula(ns, args)`` once and compile it to straight-line code.

    Parameters
    ----------
    formula : callable
        ``formula(ns, args) -> [segment, …]``, each segment a list of scalars (or Python
        ints); ``args`` is a list of ``nargs`` scalars of ``ns``.
    nargs : int
    name : str
        The name of the generated function.

    Returns
    -------
    callable
        ``f(ns, args, upto=None)``: the outputs of the segments ``0 … upto`` (all of them
        by default), concatenated, computed in the number system ``ns`` (whose scalars
        ``args`` are).  Only what those segments need is computed.  ``f.source`` is its
        text, ``f.operations`` the number of operations it performs.

    Raises
    ------
    TraceError
        The formula is not straight-line in its scalars (see the module docstring).
    """
    T = TracingSystem()
    segments = formula(T, T.variables(nargs))
    ops = T.ops
    done = set()
    lines = [f"def {name}(ns, args, upto=None):",
             "    _sqrt, _acos, _rz, _pow, _conv, _rat = ns.sqrt, ns.acos, "
             "ns.reciprocal_or_zero, ns.pow, ns.convert, ns.rational"]
    outs = []

    def text(a):
        return f"t{a[1]}" if a[0] == "t" else repr(a[1])

    for s, segment in enumerate(segments):
        need, stack = [], [x.i for x in segment if isinstance(x, Traced)]
        while stack:
            i = stack.pop()
            if i in done:
                continue
            done.add(i)
            need.append(i)
            stack.extend(a[1] for a in ops[i][1] if a[0] == "t")
        for i in sorted(need):          # an operation comes after its operands
            op, operands = ops[i]
            lines.append(f"    t{i} = " + _FORMS[op].format(*map(text, operands)))
        for x in segment:
            if isinstance(x, Traced):
                outs.append(f"t{x.i}")
            elif type(x) is int:
                outs.append(f"_conv({x})")
            else:
                raise TraceError(f"an output {x!r} that is not a traced scalar")
        if s < len(segments) - 1:
            lines += [f"    if upto == {s}:", f"        return [{', '.join(outs)}]"]
    lines.append(f"    return [{', '.join(outs)}]")
    fn = compile_source("\n".join(lines), name)
    fn.operations = len(done)
    return fn
