r"""A grammar for isotropy specs written as in the papers.

Accepted spellings (Unicode, ASCII and LaTeX mix freely)::

    ΔS_k    DS_k    \Delta S_k
    ΔS_{k-1}        DS_{k-1}
    Δ(S_{k-2}×S_2)  D(S_{k-2}xS_2)   \Delta(S_{k-2}\times S_2)
    ΔS_{k-1}×S_{d-k}
    ΔS_{k-1}×S_2^r; n=k+1        DS_{k-1}xS^r_2, n=k+1

Wider students (n = k + m neurons against the k teacher neurons, Arjevani & Field 2022,
"Annihilation of spurious minima in two-layer ReLU networks", NeurIPS, arXiv:2210.06088):
a factor ``S_m^r`` permutes a block of student rows alone (equal rows, as a neuron split
with λ = 1/2 makes them), and the clause ``; n=k+m`` says how many student rows there are
(default n = k).  A bare ``S_m`` (or ``S_m^c``) permutes non-teacher columns alone.

Grammar (whitespace ignored)::

    spec    := factor (TIMES factor)* [SEP 'n' '=' linear]
    factor  := DELTA group | sym                 bare sym: S_n acting on columns only
    group   := sym | '(' sym (TIMES sym)* ')'
    sym     := 'S' [side] '_' size [side]        side: rows alone (r) or columns alone (c)
    side    := '^' ('r' | 'c' | '{r}' | '{c}')
    size    := INT | VAR | '{' linear '}'
    linear  := ['-'] term (('+' | '-') term)*
    term    := INT | INT? ['*'] VAR              VAR is k or d
    TIMES   := '×' | 'x' | '*' | '\times'        DELTA := 'Δ' | 'D' | '\Delta'
    SEP     := ';' | ','

Sizes are linear in ``k`` and ``d`` with integer coefficients; they become sympy
expressions in the symbols ``k`` and ``d``; n − k must be a fixed integer.  Nothing is
ever passed to ``eval`` or ``sympify``.

>>> parse_spec("D(S_{k-2}xS_2)")
IsotropySpec(delta=((k - 2, 2),), bare=())
>>> parse_spec("ΔS_{k-1}×S_{d-k}")
IsotropySpec(delta=((k - 1,),), bare=(d - k,))
>>> parse_spec("ΔS_{k-1}×S_2^r; n=k+1")
IsotropySpec(delta=((k - 1,),), bare=(), rows=(2,), extra=1)
>>> parse_spec("ΔS_{k-1}; n = k") == parse_spec("ΔS_{k-1}")
True
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

#: the number of neurons k as a sympy Symbol (positive): block sizes, multiplicities and
#: restricted losses are expressions in it
K = sympy.Symbol("k", positive=True)
#: the input dimension d as a sympy Symbol (positive; d = k unless a spec says otherwise)
D = sympy.Symbol("d", positive=True)
_VARS = {"k": K, "d": D}

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<delta>Δ|\\Delta\b|D(?=\s*[S(]))
  | (?P<times>×|\\times\b|\*|x(?=\s*[S(]))
  | (?P<S>S)
  | (?P<int>\d+)
  | (?P<var>[kd])
  | (?P<side>\^\s*(?:[rc]|\{\s*[rc]\s*\}))
  | (?P<n>n(?=\s*=))
  | (?P<sep>[;,])
  | (?P<punct>[_{}()+\-=])
""", re.VERBOSE)


@dataclass(frozen=True)
class IsotropySpec:
    """A parsed spec: ``delta`` is a tuple of Δ-factors (each a tuple of block sizes, the
    same permutation acting on a block of rows and its partner block of columns);
    ``bare`` holds the sizes of symmetric groups acting on columns alone, ``rows`` those
    acting on student rows alone, and ``extra`` = n − k is the number of student rows
    beyond the k teacher neurons."""
    delta: tuple
    bare: tuple
    rows: tuple = ()
    extra: int = 0

    def __repr__(self):
        more = ""
        if self.rows or self.extra:
            more = f", rows={self.rows!r}, extra={self.extra!r}"
        return f"IsotropySpec(delta={self.delta!r}, bare={self.bare!r}{more})"


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
        delta, bare, rows = [], [], []
        self.factor(delta, bare, rows)
        while self.peek() == "times":
            self.take("times")
            self.factor(delta, bare, rows)
        extra = 0
        if self.peek() == "sep":
            self.take("sep")
            extra = self.rows_clause()
        self.take("end", "'×', '; n=…' or the end of the spec")
        return IsotropySpec(tuple(delta), tuple(bare), tuple(rows), extra)

    def rows_clause(self):
        """``n = linear``: the number of student rows, k plus a fixed integer."""
        pos = self.toks[self.i][2]
        self.take("n", "'n=' (the number of student rows)")
        self.take("=", "'=' after n")
        n = self.linear()
        extra = sympy.expand(n - _VARS["k"])
        if not extra.is_Integer:
            raise SpecError(f"isotropy spec {self.text!r}: n = {n} at position {pos}: the "
                            "number of student rows must be k plus a fixed integer")
        return int(extra)

    def factor(self, delta, bare, rows):
        if self.peek() == "delta":
            self.take("delta")
            if self.peek() == "(":
                self.take("(")
                sizes = [self.sym(plain=True)]
                while self.peek() == "times":
                    self.take("times")
                    sizes.append(self.sym(plain=True))
                self.take(")", "')' or '×'")
            else:
                sizes = [self.sym(plain=True)]
            delta.append(tuple(sizes))
        elif self.peek() == "S":
            size, side = self.sym()
            (rows if side == "r" else bare).append(size)
        else:
            self.take("S", "'Δ' (or D) or 'S'")

    def side(self, side):
        tok = self.take("side")
        if side is not None:
            raise SpecError(f"isotropy spec {self.text!r}: a second side marker at position "
                            f"{tok[2]}")
        return "r" if "r" in tok[1] else "c"

    def sym(self, plain=False):
        start = self.toks[self.i][2]
        self.take("S", "'S'")
        side = self.side(None) if self.peek() == "side" else None
        self.take("_", "'_' after S")
        if self.peek() == "{":
            self.take("{")
            val = self.linear()
            self.take("}", "'}'")
        elif self.peek() == "int":
            val = sympy.Integer(int(self.take("int")[1]))
        else:
            val = _VARS[self.take("var", "a size (an integer, k, d or {...})")[1]]
        if self.peek() == "side":
            side = self.side(side)
        if plain:
            if side is not None:
                raise SpecError(f"isotropy spec {self.text!r}: a Δ-factor acts on rows and "
                                f"columns together; no side marker (position {start})")
            return val
        return val, side

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


def parse_spec(text: str) -> IsotropySpec:
    """Parse an isotropy spec into an :class:`IsotropySpec` (raises ``SpecError``)."""
    if not isinstance(text, str):
        raise SpecError(f"an isotropy spec is text, got {type(text).__name__}")
    if not text.strip():
        raise SpecError("empty isotropy spec (try 'ΔS_{k-1}' or 'DS_{k-1}')")
    return _Parser(text).spec()
