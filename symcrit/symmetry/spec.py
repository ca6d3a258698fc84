r"""A grammar for isotropy specs written as in the papers.

Accepted spellings (Unicode, ASCII and LaTeX mix freely)::

    ΔS_k    DS_k    \Delta S_k
    ΔS_{k-1}        DS_{k-1}
    Δ(S_{k-2}×S_2)  D(S_{k-2}xS_2)   \Delta(S_{k-2}\times S_2)
    ΔS_{k-1}×S_{d-k}

Grammar (whitespace ignored)::

    spec    := factor (TIMES factor)*
    factor  := DELTA group | sym                 bare sym: S_n acting on columns only
    group   := sym | '(' sym (TIMES sym)* ')'
    sym     := 'S' '_' size
    size    := INT | VAR | '{' linear '}'
    linear  := ['-'] term (('+' | '-') term)*
    term    := INT | INT? ['*'] VAR              VAR is k or d
    TIMES   := '×' | 'x' | '*' | '\times'        DELTA := 'Δ' | 'D' | '\Delta'

Sizes are linear in ``k`` and ``d`` with integer coefficients; they become sympy
expressions in the symbols ``k`` and ``d``.  Nothing is ever passed to ``eval`` or
``sympify``.

>>> parse_spec("D(S_{k-2}xS_2)")
IsotropySpec(delta=((k - 2, 2),), bare=())
>>> parse_spec("ΔS_{k-1}×S_{d-k}")
IsotropySpec(delta=((k - 1,),), bare=(d - k,))
>>> parse_spec("ΔS_{k-1")
Traceback (most recent call last):
...
symcrit.core.errors.SpecError: isotropy spec 'ΔS_{k-1': expected '}' at position 7 (end of text)
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import sympy

from ..core import SpecError

__all__ = ["IsotropySpec", "parse_spec", "K", "D"]

K = sympy.Symbol("k", positive=True)
D = sympy.Symbol("d", positive=True)
_VARS = {"k": K, "d": D}

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<delta>Δ|\\Delta\b|D(?=\s*[S(]))
  | (?P<times>×|\\times\b|\*|x(?=\s*[S(]))
  | (?P<S>S)
  | (?P<int>\d+)
  | (?P<var>[kd])
  | (?P<punct>[_{}()+\-])
""", re.VERBOSE)


@dataclass(frozen=True)
class IsotropySpec:
    """A parsed spec: ``delta`` is a tuple of Δ-factors (each a tuple of block sizes, the
    same permutation acting on a block of rows and its partner block of columns);
    ``bare`` holds the sizes of symmetric groups acting on columns alone."""
    delta: tuple
    bare: tuple

    def __repr__(self):
        return f"IsotropySpec(delta={self.delta!r}, bare={self.bare!r})"


def _tokenize(text):
    pos, out = 0, []
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise SpecError(f"isotropy spec {text!r}: unexpected character {text[pos]!r} at "
                            f"position {pos}")
        kind = m.lastgroup
        if kind != "ws":
            val = m.group()
            if kind == "punct":
                kind = val
            out.append((kind, val, pos))
        pos = m.end()
    out.append(("end", "", len(text)))
    return out


class _Parser:
    def __init__(self, text):
        self.text = text
        self.toks = _tokenize(text)
        self.i = 0

    def peek(self):
        return self.toks[self.i][0]

    def take(self, kind, what=None):
        tok = self.toks[self.i]
        if tok[0] != kind:
            where = "end of text" if tok[0] == "end" else f"found {tok[1]!r}"
            raise SpecError(f"isotropy spec {self.text!r}: expected {what or repr(kind)} at "
                            f"position {tok[2]} ({where})")
        self.i += 1
        return tok

    def spec(self):
        delta, bare = [], []
        self.factor(delta, bare)
        while self.peek() == "times":
            self.take("times")
            self.factor(delta, bare)
        self.take("end", "'×' or the end of the spec")
        return IsotropySpec(tuple(delta), tuple(bare))

    def factor(self, delta, bare):
        if self.peek() == "delta":
            self.take("delta")
            if self.peek() == "(":
                self.take("(")
                sizes = [self.sym()]
                while self.peek() == "times":
                    self.take("times")
                    sizes.append(self.sym())
                self.take(")", "')' or '×'")
            else:
                sizes = [self.sym()]
            delta.append(tuple(sizes))
        elif self.peek() == "S":
            bare.append(self.sym())
        else:
            self.take("S", "'Δ' (or D) or 'S'")

    def sym(self):
        self.take("S", "'S'")
        self.take("_", "'_' after S")
        if self.peek() == "{":
            self.take("{")
            val = self.linear()
            self.take("}", "'}'")
            return val
        if self.peek() == "int":
            return sympy.Integer(int(self.take("int")[1]))
        return _VARS[self.take("var", "a size (an integer, k, d or {...})")[1]]

    def linear(self):
        sign = 1
        if self.peek() == "-":
            self.take("-")
            sign = -1
        total = sign * self.term()
        while self.peek() in ("+", "-"):
            s = 1 if self.take(self.peek())[0] == "+" else -1
            total += s * self.term()
        return sympy.expand(total)

    def term(self):
        if self.peek() == "int":
            n = sympy.Integer(int(self.take("int")[1]))
            if self.peek() == "times" and self.toks[self.i][1] == "*":
                self.take("times")
                return n * _VARS[self.take("var", "k or d after '*'")[1]]
            if self.peek() == "var":
                return n * _VARS[self.take("var")[1]]
            return n
        return _VARS[self.take("var", "an integer, k or d")[1]]


def parse_spec(text):
    """Parse an isotropy spec into an :class:`IsotropySpec` (raises ``SpecError``)."""
    if not isinstance(text, str):
        raise SpecError(f"an isotropy spec is text, got {type(text).__name__}")
    if not text.strip():
        raise SpecError("empty isotropy spec (try 'ΔS_{k-1}' or 'DS_{k-1}')")
    return _Parser(text).spec()
