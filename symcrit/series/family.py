r"""Series of a family of critical points in :math:`\varepsilon = k^{-1/2}`.

Along a family the coordinates approach limits and some angles approach 0 or π; since
:math:`\arccos(-1+\delta) = \pi - \sqrt{2\delta}(1 + \delta/12 + \dots)` the expansions are
Puiseux series in :math:`k^{-1/2}` (Arjevani & Field 2021, "Analytic study of families of
spurious minima in two-layer ReLU neural networks", NeurIPS, arXiv:2107.10370).  The method
(``shared/math.md`` §4) in four steps, one module each:

1. limits and leading exponents read off refined points, the equations rescaled by dominant
   balance, and the leading coefficients by Newton's method and exact recognition
   (:mod:`symcrit.series.rescaled`);
2. the lifting, order by order, :math:`\eta_j = -J_0^{-1}\,[\varepsilon^j]\,F(\eta^{<j},
   \varepsilon)`, and the series of the loss and the eigenvalues
   (:mod:`symcrit.series.lifting`, :mod:`symcrit.series.eigen`);
3. exact over :math:`\mathbb{Q}(\pi)` (or :math:`\mathbb{Q}(\pi)(\sqrt s)`) where possible,
   numeric from where it is not, with a confirmation pass at twice the precision
   (:mod:`symcrit.series.passes`);
4. the result, :class:`FamilySeries`: printed (:mod:`symcrit.series.printing`) and verified
   against refined points and spectra (:mod:`symcrit.series.verify`).

``order`` N means terms through relative order :math:`\varepsilon^N`: N + 1 terms from the
leading one, so that the truncation error relative to the leading term is
:math:`O(\varepsilon^{N+1})`.

>>> S = family_series("type-A", order=3)
>>> S.exponents["c"], S.coordinates["c"][0].exact          # c = 2/k + ...
('-1', 2)
>>> S.coordinates["d"][1].exact, S.coordinates["d"][1].status   # d = 4/(πk) + 32/(π³k^(3/2))
(32/pi**3, 'derived')
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from fractions import Fraction
from collections.abc import Callable
from typing import Any

import mpmath

import sympy

from ..core import InputError, SympyConvertible, check_dps, workdps
from ..critical import Family, get_family
from ..symmetry import K as KSYM
from .check import check_coefficient
from .passes import SeriesPass
from .printing import series_json, series_latex, series_text
from .rescaled import RescaledSystem
from .terms import partial_sum
from .verify import verify_series, verify_table

__all__ = ["FamilySeries", "family_series"]

GUARD = 20                 # working digits beyond the requested ones


@dataclass(repr=False)
class FamilySeries(SympyConvertible):
    """The series of a family in powers of k.

    A sympy object: :meth:`as_expr` gives one series (the loss by default) as a sympy
    expression in k with its ``O``-term, :meth:`as_exprs` all of them, and
    ``sympy.latex(S)``, ``sympy.pretty(S)``, ``sympy.srepr(S)`` print ``S.as_expr()``;
    :meth:`latex` and ``_repr_latex_`` (Jupyter) show every series.

    Per coordinate (its deviation from the limit), of the loss and of each distinct Hessian
    eigenvalue, a list of :class:`~symcrit.series.SeriesTerm` (terms through relative order
    ε^order).

    Attributes
    ----------
    family, isotropy : str
    order, dps : int
    limits : dict
        name -> the limit of the coordinate (mpmath).
    exponents : dict
        name -> the leading power of k of its deviation (text, None when on its limit).
    coordinates : dict
        name -> [SeriesTerm] (the deviation from the limit).
    loss : list
    eigenvalues : dict
        label -> [SeriesTerm] (the whole eigenvalue).
    eigen_info : dict
        label -> (irrep, multiplicity in k).
    timings, notes : list
    domain : str
        The exact field of the derived coefficients.
    exact_lifting : bool
        ``family_series(exact=...)`` as requested.
    """
    family: str
    isotropy: str
    order: int
    dps: int
    limits: dict
    exponents: dict
    coordinates: dict
    loss: list
    eigenvalues: dict = field(default_factory=dict)
    eigen_info: dict = field(default_factory=dict)
    timings: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    domain: str = "Q(pi)"
    exact_lifting: bool = True

    # ------------------------------------------------------------------ values
    def all_series(self):
        """``(name, terms)`` of every coordinate, the loss (``"L"``) and every eigenvalue."""
        yield from self.coordinates.items()
        yield "L", self.loss
        yield from self.eigenvalues.items()

    def counts(self):
        """How many terms are derived, identified and numeric."""
        out = {"derived": 0, "identified": 0, "numeric": 0}
        for _, ts in self.all_series():
            for t in ts:
                out[t.status] += 1
        return out

    def evaluate(self, k, order=None, dps=None):
        """The truncated series (through relative order ``order``) at k: coordinates and
        loss, at ``dps`` digits (default: the series' own)."""
        dps = dps or self.dps
        with workdps(dps):
            k = mpmath.mpf(k)
            out = [self.limits[n] + partial_sum(ts, k, order, dps)
                   for n, ts in self.coordinates.items()]
            return out, partial_sum(self.loss, k, order, dps)

    def exponent_powers(self):
        """Leading power of ε of each coordinate's deviation (int)."""
        return {n: int(-2 * Fraction(e)) for n, e in self.exponents.items() if e is not None}

    def check(self, name, exponent, value, digits=None, abs_tol=None):
        """Check a coefficient (for example from a paper) against the series
        (:func:`symcrit.series.check.check_coefficient`).

        Parameters
        ----------
        name : str
            A parameter, ``"L"`` or an eigenvalue label.
        exponent : Fraction, int or str
            The power of k: ``-1``, ``"-3/2"``, ``"k^-3/2"``.
        value : str, sympy expression, Fraction, int, float or mpmath.mpf
            Text in π, square roots and rationals (``"1/2 - 2/pi**2"``, read by a grammar
            of its own, never evaluated as code) or a sympy expression: decided exactly,
            EQUAL or DIFFERENT, when the coefficient is derived.  A decimal, a float or an
            mpmath number: AGREES or DISAGREES to its digits (an mpf to the current
            precision less one digit).
        digits, abs_tol : optional
            Compare numerically instead: within ``abs_tol``, or to ``digits`` digits
            relative to ``max(1, |value|)``.

        Returns
        -------
        CoefficientCheck
            ``verdict``, ``exact``, ``computed``, ``difference``, ...; true when they agree,
            and it unpacks as ``(agrees, computed, difference)``.

        Raises
        ------
        InputError
            No such series, no term with that exponent, or a value that cannot be read.

        Examples
        --------
        >>> S = family_series("type-A", order=2, dps=20)
        >>> S.check("L", -1, sympy.Rational(1, 2) - 2 / sympy.pi ** 2).verdict
        'EQUAL'
        >>> S.check("L", -1, mpmath.mpf(1) / 2 - 2 / mpmath.pi ** 2).verdict  # 15 digits
        'AGREES'
        """
        return check_coefficient(self, name, exponent, value, digits, abs_tol)

    # ------------------------------------------------------------------ verification
    def verify(self, ks=(10 ** 4, 10 ** 6, 10 ** 8, 10 ** 10, 10 ** 12), orders=None,
               progress=None):
        r"""Truncation errors against refined points and spectra
        (:func:`symcrit.series.verify.verify_series`): per k and order N the error of the
        truncated series relative to its leading term, which should behave like
        :math:`\varepsilon^{N+1}`, and the observed slopes; ``progress`` (optional) is
        called with each k once it is done."""
        return verify_series(self, ks, orders, lambda dps: family_series(
            self.family, order=self.order, dps=dps, eigenvalues=bool(self.eigenvalues),
            exact=self.exact_lifting, identify=False), progress)

    def verify_table(self, rows=None):
        """The table of :meth:`verify` as text: per quantity the relative error, its ratio
        to ε^(N+1) and the observed slope d log(error) / d log ε between successive k."""
        return verify_table(rows if rows is not None else self.verify())

    # ------------------------------------------------------------------ output
    def to_json(self, digits=30):
        """The series as a JSON-ready dict (:func:`symcrit.series.printing.series_json`)."""
        return series_json(self, digits)

    def __str__(self):
        return series_text(self)

    def __repr__(self):
        c = self.counts()
        return (f"FamilySeries({self.family!r}, {self.isotropy!r}, order={self.order}, "
                f"dps={self.dps}: {len(self.coordinates)} parameters, the loss, "
                f"{len(self.eigenvalues)} eigenvalues; {c['derived']} terms derived over "
                f"{self.domain}, {c['identified']} identified, {c['numeric']} numeric)")

    def latex(self, name=None, environment="aligned", terms=None, width=None):
        r"""The series as LaTeX (:func:`symcrit.series.printing.series_latex`): an
        ``aligned`` block (``environment="align*"``: a display of its own) with long lines
        broken, or with ``name`` one series on one line.  Identified closed forms are
        marked ``{\sim}``.

        >>> S = family_series("type-A", order=1)
        >>> S.latex("L")
        '\\left(\\frac{1}{2} - \\frac{2}{\\pi^{2}}\\right) k^{-1} - \\left(\\frac{32}{3 \\pi^{4}}\\right) k^{-3/2} + O(k^{-2})'
        """
        from .printing import WIDTH
        return series_latex(self, name, environment, terms,
                            None if name is not None else (width or WIDTH))

    def _repr_latex_(self):
        return f"$${self.latex()}$$"

    # ------------------------------------------------------------------ sympy
    def _series(self, name):
        ts = self.loss if name == "L" else self.coordinates.get(name) or \
            self.eigenvalues.get(name)
        if ts is None:
            raise InputError(f"unknown series {name!r}: use one of "
                             f"{', '.join(n for n, _ in self.all_series())}")
        return ts

    def as_expr(self, name="L"):
        """One series as a sympy expression in k (``symcrit.symmetry.K``): the limit (for
        a parameter), every term (derived coefficients exact, others as Floats to their
        digits) and ``O(k^e, (k, oo))`` for the first term not computed.

        >>> S = family_series("type-A", order=1)
        >>> S.as_expr()
        -32/(3*pi**4*k**(3/2)) + (1/2 - 2/pi**2)/k + O(k**(-2), (k, oo))
        >>> sympy.latex(S) == sympy.latex(S.as_expr())
        True
        """
        ts = self._series(name)
        lim = self.limits.get(name) if name in self.coordinates else None
        out = sympy.Integer(0) if lim is None else sympy.Integer(int(lim)) \
            if mpmath.isint(lim) else sympy.Float(lim, self.dps)
        out = out + sum((t.as_expr() for t in ts), sympy.Integer(0))
        if ts:
            nxt = ts[-1].exponent - Fraction(1, 2)
            out = out + sympy.Order(KSYM ** sympy.Rational(nxt.numerator, nxt.denominator),
                                    (KSYM, sympy.oo))
        return out

    def as_exprs(self):
        """Every series as a sympy expression: a dict name -> :meth:`as_expr` (the
        parameters, ``"L"`` and the eigenvalue labels)."""
        return {n: self.as_expr(n) for n, _ in self.all_series()}


def family_series(family: str | Family, order: int = 8, dps: int = 30,
                  eigenvalues: bool = False, exact: bool = True, identify: bool = True,
                  progress: Callable[..., Any] | None = None) -> FamilySeries:
    r"""The series of a family in :math:`\varepsilon = k^{-1/2}`.

    Each coordinate's deviation from its limit, the loss and (``eigenvalues=True``) every
    distinct Hessian eigenvalue (:mod:`symcrit.series.eigen`), each through relative order
    :math:`\varepsilon^N` (N = ``order``: N + 1 terms), following Arjevani & Field 2021
    (arXiv:2107.10370) with the method of the module docstring.

    Parameters
    ----------
    family : str or Family
        A name of the catalogue (:func:`symcrit.critical.get_family`) or a family.
    order : int
        N, from 0 to 40.
    dps : int
        Digits of the result (the work is done at ``dps`` + 20).
    eigenvalues : bool
        Also the series of every distinct Hessian eigenvalue.
    exact : bool
        Lift over :math:`\mathbb{Q}(\pi)` where possible (derived coefficients),
        numerically elsewhere; False: numerically throughout.
    identify : bool
        Look for closed forms of the numeric coefficients (PSLQ with a height bound),
        confirmed by recomputing them at twice the working precision.
    progress : callable, optional
        Called with each order of the lifting.

    Returns
    -------
    FamilySeries
        ``timings`` holds the time to reach each order of the lifting, then of the loss and
        eigenvalues; ``notes`` says where and why exactness stopped.

    Raises
    ------
    InputError
        An unknown family, an order or precision out of range, or a limit that is not an
        integer.
    ConvergenceError
        The leading-order system or the series do not converge (the exponents read off
        numerically may be wrong).

    Examples
    --------
    >>> S = family_series("type-A", order=2, dps=20)
    >>> S.loss[0].exact, S.counts()
    (1/2 - 2/pi**2, {'derived': 18, 'identified': 0, 'numeric': 0})
    >>> S.coordinates["a"][1].exact                  # a = 1 + 8/(πk²) + ... k^(-5/2)
    -320/(3*pi**3*(pi - 2))
    """
    fam = family if isinstance(family, Family) else get_family(family)
    if isinstance(order, bool) or not isinstance(order, int) or not 0 <= order <= 40:
        raise InputError(f"order must be between 0 and 40, got {order}")
    check_dps(dps)
    work = dps + GUARD
    notes: list[str] = []
    t_start = time.perf_counter()
    with workdps(work):
        resc = RescaledSystem(fam, work)
        t_setup = time.perf_counter() - t_start
        res = SeriesPass(resc, order, work, eigenvalues, exact, notes, progress).run()
    timings = [("limits and exponents", t_setup)] + list(res.timings)
    hi = None
    if identify and res.has_numeric():
        t = time.perf_counter()
        with workdps(2 * work):
            hi = SeriesPass(resc, order, 2 * work, eigenvalues, exact, notes, None,
                            reuse=res).run()
        timings.append(("confirmation pass", time.perf_counter() - t))
    with workdps(work):
        out = FamilySeries(fam.name, fam.isotropy, order, dps, exact_lifting=exact,
                           **res.result(hi))
    out.timings = timings + [("total", time.perf_counter() - t_start)]
    return out
