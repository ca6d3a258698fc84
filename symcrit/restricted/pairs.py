r"""The pair types of a Young-type isotropy group: which Gram entries occur, how often.

Rows of one block of a Young-type ``H`` are equivalent, so every inner product between two
student neurons, or a student and a teacher neuron, is one of finitely many polynomials in
the parameters ξ and the block sizes, each occurring for a number of neuron pairs that is a
polynomial in the sizes (Arjevani & Field 2021, "Symmetry & critical points for a model
shallow neural network", Physica D 427, arXiv:2003.10576, §4–5).  A **pair type** records
one of them: its multiplicity times the loss's sign (½ for student–student and
teacher–teacher pairs, −1 for student–teacher pairs), the Gram entries
:math:`g_{uu}, g_{vv}, g_{uv}`, and whether the two rows are the same row
(then :math:`K = g_{uu}/2`).

For the pull-backs of the kernel's derivatives the inner product :math:`u(\xi)\cdot
v(\eta)` with a second, independent copy η of the parameters is also kept (``guv2``): its
derivatives in ξ and η are the contractions :math:`A^\top v` and :math:`B^\top u`.

>>> import sympy
>>> from symcrit.symmetry import FixedSpace
>>> types = pair_types(FixedSpace("ΔS_k"))
>>> [(t.label, str(sympy.factor(t.weight))) for t in types]  # doctest: +NORMALIZE_WHITESPACE
[('student0-student0 self', 'k/2'), ('student0-student0 distinct rows', 'k*(k - 1)/2'),
 ('student0-teacher0 matched', '-k'), ('student0-teacher0 unmatched', '-k*(k - 1)')]
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy

__all__ = ["PairType", "pair_types", "teacher_pair_types"]


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


def _pair_types_of(A, B, cols, eps, tag, prime):
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

def pair_types(F, prime=None):
    """The pair types of Fix(H) that depend on ξ (student–student and student–teacher),
    in the order of the loss.

    Parameters
    ----------
    F : FixedSpace
        The fixed space (its group gives the blocks).
    prime : dict, optional
        Symbol → symbol of the second copy η of the parameters (default ``x → x__2``).

    Returns
    -------
    list of PairType
    """
    prime = prime or {x: sympy.Symbol(x.name + "__2", real=True) for x in F.symbols}
    cols = F.H.col_sizes
    S, T = _student_classes(F), _teacher_classes(F.H)
    out = []
    for i, A in enumerate(S):
        for j, B in enumerate(S):
            if j >= i:
                out += _pair_types_of(A, B, cols,
                                      sympy.Rational(1, 2) if i == j else sympy.Integer(1),
                                      f"student{i}-student{j}", prime)
        for j, B in enumerate(T):
            out += _pair_types_of(A, B, cols, -sympy.Integer(1), f"student{i}-teacher{j}",
                                  prime)
    return out


def teacher_pair_types(H):
    """The teacher–teacher pair types of the group (they give the constant term of L_H)."""
    cols = H.col_sizes
    T = _teacher_classes(H)
    out = []
    for i, A in enumerate(T):
        for j, B in enumerate(T):
            if j >= i:
                out += _pair_types_of(A, B, cols,
                                      sympy.Rational(1, 2) if i == j else sympy.Integer(1),
                                      f"teacher{i}-teacher{j}", {})
    return out
