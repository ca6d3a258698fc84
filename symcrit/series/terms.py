r"""One term :math:`c\,k^{e}` of a family's series, with how its coefficient was obtained.

Every coefficient of :func:`symcrit.series.family_series` carries one of three labels, and
nothing printed claims more:

- **derived** (``exact``): computed in exact arithmetic over :math:`\mathbb{Q}(\pi)` or
  :math:`\mathbb{Q}(\pi)(\sqrt s)`, every step checked exactly;
- **identified** (``identified``): a closed form for a numeric coefficient, found by an
  integer-relation search with a height bound and confirmed at about twice the precision
  (:func:`symcrit.algebra.closed_form`), a candidate, not a derivation;
- **numeric**: an mpmath value, ``digits`` of it confirmed by the pass at higher precision.

>>> from fractions import Fraction
>>> from symcrit.algebra import QQ_PI
>>> t = SeriesTerm(Fraction(-3, 2), mpmath.mpf(0), exact=32 / QQ_PI.pi ** 3)
>>> t.status, mpmath.nstr(t.value_at(20), 15)
('derived', '1.03204910186238')
>>> mpmath.nstr(partial_sum([t], 10 ** 4, None, 20), 10)        # 32/π³ · k^(-3/2)
'1.032049102e-6'
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import mpmath

import sympy

from ..core import SympyConvertible, as_mpf, workdps
from ..symmetry import K as KSYM

__all__ = ["SeriesTerm", "partial_sum", "leading_value"]


@dataclass
class SeriesTerm(SympyConvertible):
    r"""One term :math:`c\,k^{e}` of a series.

    A sympy object (:meth:`as_expr`): ``sympy.latex(t)`` prints :math:`c\,k^{e}`.

    Attributes
    ----------
    exponent : Fraction
        The power e of k.
    value : mpmath.mpf
        c at the working precision.
    identified : QPi or None
        A closed form found by PSLQ and confirmed at higher precision (a candidate).
    exact : QPi, QPiSqrt or None
        c, when it was derived in exact arithmetic.
    digits : int or None
        Significant digits of ``value`` confirmed by a computation at higher precision
        (None when exact or unconfirmed).
    """
    exponent: Fraction
    value: object
    identified: object = None
    exact: object = None
    digits: int | None = None

    @property
    def status(self):
        """``"derived"``, ``"identified"`` or ``"numeric"``."""
        return "derived" if self.exact is not None else \
            "identified" if self.identified is not None else "numeric"

    def value_at(self, dps):
        """The coefficient at ``dps`` digits: exact ones at any precision, numeric ones as
        computed."""
        if self.exact is not None:
            with workdps(dps):
                return self.exact.mpf()
        return self.value


    def coefficient_expr(self):
        """The coefficient as a sympy number: exact when derived, else a Float to its
        confirmed digits (an identified closed form is a candidate, not the value)."""
        if self.exact is not None:
            return self.exact.to_sympy()
        return sympy.Float(self.value, self.digits or max(mpmath.mp.dps, 15))

    def as_expr(self):
        r"""The term :math:`c\,k^{e}` as a sympy expression in k (``symcrit.symmetry.K``).

        >>> from symcrit.algebra import QQ_PI
        >>> SeriesTerm(Fraction(-3, 2), mpmath.mpf(0), exact=32 / QQ_PI.pi ** 3).as_expr()
        32/(pi**3*k**(3/2))
        """
        e = self.exponent
        return self.coefficient_expr() * KSYM ** sympy.Rational(e.numerator, e.denominator)

    def _repr_latex_(self):
        return f"${sympy.latex(self.as_expr())}$"


def partial_sum(ts, k, order, dps):
    r"""The truncated series :math:`\sum_j c_j k^{e_j}` of the terms ``ts`` through relative
    order ``order`` (all terms when None) at k, derived coefficients at ``dps`` digits."""
    n = None if order is None else order + 1
    k = as_mpf(k)
    return mpmath.fsum(t.value_at(dps) * k ** as_mpf(t.exponent) for t in ts[:n])


def leading_value(ts, k, dps):
    """The leading term of the series ``ts`` at k."""
    t = ts[0]
    return t.value_at(dps) * as_mpf(k) ** as_mpf(t.exponent)
