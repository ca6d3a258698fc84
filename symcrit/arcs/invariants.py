r"""Invariant cubic forms on an irreducible: when the cubic term of m(r) must vanish.

Let λ be an eigenvalue of the Hessian at a critical point c with isotropy H, and
:math:`E_\lambda` its eigenspace, a copy of the irreducible χ of H (for a simple eigenvalue
of the isotypic block).  The third derivative :math:`D^3L(c)` restricted to
:math:`E_\lambda` is an H-invariant cubic form on χ.  The invariant cubic forms on χ form a
space of dimension

.. math::

    \langle 1, \mathrm{Sym}^3\chi\rangle = \frac{1}{|H|}\sum_{h\in H}
    \frac{\chi(h)^3 + 3\,\chi(h^2)\chi(h) + 2\,\chi(h^3)}{6}

(the character of the symmetric cube; Fulton & Harris, *Representation Theory*, Ex. 2.2 and
§4).  When it is 0, :math:`D^3L(c)[v,v,v] = 0` for every v in the eigenspace, so every
tangency arc leaving c in :math:`E_\lambda` has :math:`c_3 = D^3L(c)[v,v,v]/6 = 0`: the first
term of m(r) beyond r² is quartic (Arjevani 2023, "Hidden minima in two-layer ReLU
networks", arXiv:2312.16819, where this separates hidden minima, whose lowest eigenvalue
lies in :math:`[n-2,1,1]`, from the type-A minima, whose lowest lies in the standard
representation :math:`[n-1,1]`, which carries the invariant cubic :math:`\sum_i x_i^3`).

The sum runs over the conjugacy classes of :math:`S_n\times\prod_j S_{m_j}` (cycle types,
class sizes :math:`n!/z_\mu`, characters by the Murnaghan–Nakayama rule,
:func:`symcrit.symmetry.character`).  For the growing factor it is evaluated at
:math:`n_0 = \min(n, 14)`: for the tails ν of size ≤ 2 used here the multiplicity is the
same for every :math:`n \ge 12` (representation stability: :math:`\mathrm{Sym}^3` of
:math:`[n-|\nu|,\nu]` is a polynomial functor of degree :math:`3|\nu| \le 6` in the
permutation representation), which is checked at two values of :math:`n_0`.

>>> cubic_invariants((1,), (), 10**6)          # the standard representation: Σ x_i³
1
>>> cubic_invariants((1, 1), (), 10**6)        # [n-2,1,1]: none, so c3 = 0
0
>>> cubic_invariants((2,), (), 9), cubic_invariants((), (), 9)
(2, 1)
"""
from __future__ import annotations

import itertools
import math
from fractions import Fraction
from functools import lru_cache

from ..core import InputError
from ..symmetry import character, partitions

__all__ = ["cubic_invariants", "symmetric_cube_multiplicity", "STABLE_N"]

#: the size of the growing factor at which the multiplicities are evaluated (and n0 - 1)
STABLE_N = 14


def _power_type(cycle_type, p):
    """The cycle type of g^p for g of the given cycle type."""
    out = []
    for c in cycle_type:
        g = math.gcd(c, p)
        out += [c // g] * g
    return tuple(sorted(out, reverse=True))


def _z(cycle_type):
    """:math:`z_\\mu = \\prod_i i^{m_i} m_i!` (the centraliser order)."""
    out = 1
    for i in set(cycle_type):
        m = cycle_type.count(i)
        out *= i ** m * math.factorial(m)
    return out


@lru_cache(maxsize=None)
def _classes(m):
    """[(cycle type, class size / m!)] of S_m."""
    return [(mu, Fraction(1, _z(mu))) for mu in partitions(m)]


@lru_cache(maxsize=None)
def symmetric_cube_multiplicity(factors):
    r""":math:`\langle 1, \mathrm{Sym}^3\chi\rangle` for the irreducible
    :math:`\chi = \otimes_j [\lambda_j]` of :math:`\prod_j S_{|\lambda_j|}` (``factors``: a
    tuple of partitions), by the character formula of the module docstring.

    >>> symmetric_cube_multiplicity(((3, 1),)), symmetric_cube_multiplicity(((2, 1, 1),))
    (1, 0)
    """
    per = []
    for lam in factors:
        m = sum(lam)
        per.append([(w, character(lam, mu), character(lam, _power_type(mu, 2)),
                     character(lam, _power_type(mu, 3))) for mu, w in _classes(m)])
    total = Fraction(0)
    for combo in itertools.product(*per):
        w, c1, c2, c3 = Fraction(1), 1, 1, 1
        for (wj, a, b, c) in combo:
            w *= wj
            c1, c2, c3 = c1 * a, c2 * b, c3 * c
        total += w * Fraction(c1 ** 3 + 3 * c2 * c1 + 2 * c3, 6)
    if total.denominator != 1:   # pragma: no cover - a bug in the characters
        raise AssertionError(f"non-integral multiplicity {total}")
    return int(total)


def cubic_invariants(tail, small, n):
    r"""The dimension of the space of H-invariant cubic forms on the irreducible
    :math:`[n-|\nu|,\nu]\otimes\rho_1\otimes\cdots` of :math:`H = S_n\times\prod_j S_{m_j}`
    (``tail`` = ν, ``small`` = the partitions :math:`\rho_j`).

    Parameters
    ----------
    tail : tuple
    small : tuple of tuples
    n : int
        The size of the growing factor (any size: evaluated at min(n, 14)).

    Returns
    -------
    int
    """
    tail = tuple(tail)
    if int(n) < sum(tail) + (tail[0] if tail else 0):
        raise InputError(f"[n-{sum(tail)},{tail}] is not a partition for n = {n}")
    small = tuple(tuple(p) for p in small)

    def at(n0):
        return symmetric_cube_multiplicity((((n0 - sum(tail),) + tail),) + small)
    if int(n) <= STABLE_N:
        return at(int(n))
    a, b = at(STABLE_N - 1), at(STABLE_N)
    if a != b:   # pragma: no cover - the stability bound would be wrong
        raise AssertionError(f"Sym^3 multiplicity not stable: {a} at n = {STABLE_N - 1}, "
                             f"{b} at n = {STABLE_N}")
    return b
