r"""Compile sympy expressions once into Python code that runs in any number system.

The expressions are reduced by common-subexpression elimination (``sympy.cse``) and
printed as Python in which every function goes through a
:class:`~symcrit.core.NumberSystem` ``ns`` (``ns.sqrt``, ``ns.acos``, ``ns.pi``, integer
powers through ``ns.pow``) and every rational through ``ns.rational`` (exact in sympy and
Arb).  The same compiled
function then evaluates in float64 (vectorised over numpy arrays), mpmath, sympy and Arb.

The code is generated from sympy expressions that symcrit itself built; user text never
reaches it.

>>> import sympy
>>> from symcrit.core import FLOAT, SYMPY
>>> x, k = sympy.symbols("x k")
>>> f = compile_exprs([sympy.sqrt(x) / 3 + sympy.acos(x / k)], [x, k])
>>> f(SYMPY, SYMPY.convert(1), SYMPY.convert(2))
[1/3 + pi/3]
>>> round(float(f(FLOAT, 1.0, 2.0)[0]), 12)
1.38053088453
"""
from __future__ import annotations

import sympy
from sympy.printing.str import StrPrinter

__all__ = ["compile_exprs", "compile_source"]


class _NSPrinter(StrPrinter):
    def _print_Rational(self, e):
        return f"_r({e.p}, {e.q})"

    def _print_Half(self, e):
        return "_r(1, 2)"

    def _print_Integer(self, e):
        return str(e.p)

    def _print_Pi(self, e):
        return "_pi"

    def _print_Pow(self, e, rational=False):
        b, ex = e.as_base_exp()
        if ex.is_Rational and ex.q == 2:
            s = f"_sqrt({self._print(b)})"
            return s if ex.p == 1 else f"_pow({s}, {ex.p})"
        if ex.is_Integer:
            return f"_pow({self._print(b)}, {ex.p})"
        raise ValueError(f"cannot compile the power {e}")  # pragma: no cover

    def _print_acos(self, e):
        return f"_acos({self._print(e.args[0])})"

    def _print_Abs(self, e):
        return f"abs({self._print(e.args[0])})"

    def _print_Symbol(self, e):
        return _safe(e.name)

    def _print_Float(self, e):  # pragma: no cover - symcrit never builds floats
        raise ValueError("floating-point constants are not compiled")


def _safe(name):
    return "v_" + name


def compile_exprs(exprs, args, name="f"):
    """Compile a list of sympy expressions into ``f(ns, *args) -> list``.

    Nested lists (a gradient, a Hessian) are flattened by the caller.
    """
    exprs = list(exprs)
    reps, reduced = sympy.cse(exprs, optimizations="basic", order="none")
    pr = _NSPrinter()
    lines = [f"def {name}(ns, {', '.join(_safe(a.name) for a in args)}):",
             "    _sqrt, _acos, _r, _pi, _pow = ns.sqrt, ns.acos, ns.rational, ns.pi, ns.pow"]
    for sym, e in reps:
        lines.append(f"    {_safe(sym.name)} = {pr.doprint(e)}")
    lines.append(f"    return [{', '.join(pr.doprint(e) for e in reduced)}]")
    return compile_source("\n".join(lines), name)


def compile_source(src, name="f"):
    """The function ``name`` defined by generated source ``src`` (from :func:`compile_exprs`,
    possibly read back from symcrit's own disk cache, whose files carry a checksum); its
    ``source`` attribute keeps the text.  Never called on user text."""
    if not src.startswith(f"def {name}(ns"):
        raise ValueError(f"not symcrit-generated code for {name}")
    namespace = {}
    exec(compile(src, f"<symcrit generated {name}>", "exec"), namespace)  # own code only
    fn = namespace[name]
    fn.source = src
    return fn
