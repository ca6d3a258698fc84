r"""Characters and Kostka numbers of the symmetric groups :math:`S_m`.

The isotypic decomposition (:mod:`symcrit.symmetry.isotypic`) needs, for the small factors
:math:`S_m` of a Young-type isotropy group, their irreducibles (partitions λ of m), the
characters :math:`\chi^\lambda` (Murnaghan–Nakayama rule), the dimensions (hook length
formula) and the Kostka numbers :math:`K_{\lambda\mu} = \dim\mathrm{Fix}_{S_\mu}[\lambda]`
(Young's rule); for the big factor :math:`S_n` with n symbolic only four irreducibles occur,
whose dimensions are polynomials in n (Fulton & Harris, "Representation Theory", Springer
1991, §4.1–4.3, Problem 4.45).

>>> kostka((2, 1, 1), (2, 1, 1)), kostka((3, 1), (2, 1, 1)), character((2, 1), (3,))
(1, 2, -1)
"""
from __future__ import annotations

import itertools
import math
from functools import lru_cache

import sympy
from sympy.utilities.iterables import partitions as sympy_partitions

from ..core import InputError

__all__ = ["partitions", "character", "irrep_dimension", "kostka", "big_dimension"]


def partitions(m):
    """The partitions of m as tuples, in decreasing lexicographic order (from
    :func:`sympy.utilities.iterables.partitions`).

    >>> list(partitions(4))
    [(4,), (3, 1), (2, 2), (2, 1, 1), (1, 1, 1, 1)]
    """
    out = [tuple(sorted((part for part, mult in p.items() for _ in range(mult)),
                        reverse=True))
           for p in sympy_partitions(int(m))]
    return sorted(out, reverse=True)


@lru_cache(maxsize=None)
def character(lam, cycle_type):
    r"""The character :math:`\chi^\lambda` of :math:`S_m` at a permutation of the given cycle
    type (Murnaghan–Nakayama rule on β-sets; Fulton & Harris, Problem 4.45).

    >>> [character((2, 1), c) for c in [(1, 1, 1), (2, 1), (3,)]]
    [2, 0, -1]
    """
    lam = tuple(x for x in lam if x)
    cyc = tuple(sorted((c for c in cycle_type if c), reverse=True))
    if sum(lam) != sum(cyc):
        raise InputError(f"partition {lam} and cycle type {cyc} have different sizes")
    if not cyc:
        return 1
    r, rest = cyc[0], cyc[1:]
    ell = len(lam)
    beta = [lam[i] + ell - 1 - i for i in range(ell)]
    bset = set(beta)
    total = 0
    for b in beta:
        nb = b - r
        if nb < 0 or nb in bset:
            continue
        sign = (-1) ** sum(1 for x in beta if nb < x < b)
        new = sorted((nb if x == b else x for x in beta), reverse=True)
        mu = tuple(x - (ell - 1 - i) for i, x in enumerate(new))
        total += sign * character(tuple(x for x in mu if x), rest)
    return total


def irrep_dimension(lam):
    """The dimension of the irreducible :math:`[\\lambda]` of :math:`S_m` (hook lengths).

    >>> irrep_dimension((3, 2)), irrep_dimension((2, 1, 1))
    (5, 3)
    """
    lam = [x for x in lam if x]
    conj = [sum(1 for x in lam if x > j) for j in range(lam[0])] if lam else []
    hooks = 1
    for i, row in enumerate(lam):
        for j in range(row):
            hooks *= row - j + conj[j] - i - 1
    return math.factorial(sum(lam)) // hooks


@lru_cache(maxsize=None)
def kostka(lam, mu):
    """The Kostka number :math:`K_{\\lambda\\mu}`: semistandard tableaux of shape λ and content
    μ, i.e. :math:`\\dim \\mathrm{Fix}_{S_\\mu}[\\lambda]` (Young's rule; Fulton & Harris §4.3).
    Computed by removing horizontal strips.

    >>> kostka((3, 1), (2, 2)), kostka((2, 2), (2, 1, 1)), kostka((2, 1, 1), (2, 2))
    (1, 1, 0)
    """
    lam = tuple(x for x in lam if x)
    mu = tuple(x for x in mu if x)
    if sum(lam) != sum(mu):
        return 0
    if not mu:
        return 1
    last, rest = mu[-1], mu[:-1]
    total = 0
    # remove a horizontal strip of size `last`: nu with lam_{i+1} <= nu_i <= lam_i
    ranges = [range(max(lam[i + 1] if i + 1 < len(lam) else 0, 0), lam[i] + 1)
              for i in range(len(lam))]
    for nu in itertools.product(*ranges):
        if sum(lam) - sum(nu) == last:
            total += kostka(tuple(nu), rest)
    return total


def big_dimension(tail, n):
    """dim :math:`[n-|\\nu|, \\nu]` of :math:`S_n` for the tails ν = (), (1), (2), (1, 1), as a
    polynomial in n (hook length formula).

    >>> n = sympy.Symbol("n")
    >>> [sympy.factor(big_dimension(t, n)) for t in [(), (1,), (2,), (1, 1)]]
    [1, n - 1, n*(n - 3)/2, (n - 2)*(n - 1)/2]
    """
    return {(): sympy.Integer(1), (1,): n - 1, (2,): n * (n - 3) / 2,
            (1, 1): (n - 1) * (n - 2) / 2}[tuple(tail)]
