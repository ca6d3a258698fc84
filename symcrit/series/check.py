r"""Checking a coefficient from a paper against a family's series: EQUAL or DIFFERENT when
both are exact, AGREES or DISAGREES to a stated number of digits otherwise.

A derived coefficient is an element of :math:`\mathbb{Q}(\pi)` (or
:math:`\mathbb{Q}(\pi)(\sqrt s)`), and so is an exact value such as ``1/2 - 2/pi**2``
(read by the grammar of :mod:`symcrit.algebra.grammar`, never by ``eval`` or
``sympify``): since π is transcendental, their difference is zero exactly when its
numerator polynomial is, so the answer **EQUAL** or **DIFFERENT** is decided exactly, not
to some tolerance.  A decimal value (``0.2974``), a float or an mpmath number, or a
coefficient that is only known numerically, is compared to the digits it carries, and the
answer says how many: **AGREES to 4 significant digits** is not a proof of equality.

>>> from symcrit.series import family_series
>>> S = family_series("type-A", order=2, dps=20)
>>> r = check_coefficient(S, "L", "-1", "1/2 - 2/pi**2")
>>> r.verdict, r.exact, bool(r)
('EQUAL', True, True)
>>> check_coefficient(S, "L", "k^-1", "1/2 - 2/pi**3").verdict
'DIFFERENT'
>>> r = check_coefficient(S, "L", -1, "0.2974")
>>> r.verdict, r.digits
('AGREES', 4)
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import mpmath

from ..algebra import (ExactValue, NotExact, QPi, QPiSqrt, exact_from_sympy, parse_exact,
                       parse_exponent)
from ..core import InputError, latex_math_text, latex_number, latex_summary, workdps

__all__ = ["CoefficientCheck", "check_coefficient", "as_check_value"]


@dataclass
class CoefficientCheck:
    """The outcome of a coefficient check.

    Attributes
    ----------
    name : str
        The series (a parameter, ``"L"`` or an eigenvalue label).
    exponent : Fraction
        The power of k.
    value : str
        The value checked, as text.
    verdict : str
        ``EQUAL`` or ``DIFFERENT`` (decided exactly), ``AGREES`` or ``DISAGREES`` (to
        ``digits`` significant digits, or to ``tolerance``).
    exact : bool
        The verdict was decided in exact arithmetic.
    computed : mpmath.mpf
        The series' coefficient.
    difference : mpmath.mpf
        ``|coefficient - value|``.
    digits : int or None
        The significant digits compared (approximate checks).
    tolerance : mpmath.mpf or None
        The largest difference counted as agreement (approximate checks).
    coefficient : QPi, QPiSqrt or None
        The derived closed form of the coefficient.
    status : str
        How the coefficient was obtained: ``derived``, ``identified`` or ``numeric``.

    ``bool(result)`` is the agreement, and ``agrees, computed, difference = result``
    unpacks as the tuple that ``FamilySeries.check`` returned before.
    """
    name: str
    exponent: Fraction
    value: str
    verdict: str
    exact: bool
    computed: object
    difference: object
    digits: int | None = None
    tolerance: object = None
    coefficient: object = None
    status: str = "derived"

    @property
    def agrees(self):
        """EQUAL or AGREES."""
        return self.verdict in ("EQUAL", "AGREES")

    @property
    def exit_code(self):
        """0 for agreement, 1 for disagreement (as ``symcrit series --check`` exits)."""
        return 0 if self.agrees else 1

    def __bool__(self):
        return self.agrees

    def __iter__(self):
        return iter((self.agrees, self.computed, self.difference))

    def _term(self):
        return f"{self.name} k^({self.exponent})"

    def _coefficient_text(self):
        c = mpmath.nstr(self.computed, 15)
        if self.coefficient is not None:
            return f"{self.coefficient} = {c}..."
        return f"{c} ({self.status})"

    def __str__(self):
        head = f"check {self._term()} = {self.value}: {self.verdict}"
        if self.exact:
            field = "Q(pi)" if isinstance(self.coefficient, QPi) else \
                getattr(self.coefficient, "field_name", lambda: "Q(pi)")()
            return (f"{head} (decided exactly in {field}: the coefficient is "
                    f"{self._coefficient_text()}"
                    + ("" if self.agrees else
                       f", difference {mpmath.nstr(self.difference, 5)}") + ")")
        what = f"to {self.digits} significant digits" if self.digits is not None else \
            f"within {mpmath.nstr(self.tolerance, 3)}"
        return (f"{head} {what} (not an exact check: the coefficient is "
                f"{self._coefficient_text()}, difference "
                f"{mpmath.nstr(self.difference, 3)})")

    __repr__ = __str__

    def to_json(self, digits=20):
        """A JSON-ready dict (numbers as decimal strings)."""
        return {"name": self.name, "exponent": str(self.exponent), "value": self.value,
                "verdict": self.verdict, "agrees": self.agrees, "exact": self.exact,
                "digits": self.digits,
                "tolerance": None if self.tolerance is None else mpmath.nstr(self.tolerance,
                                                                             3),
                "coefficient": None if self.coefficient is None else str(self.coefficient),
                "status": self.status, "computed": mpmath.nstr(self.computed, digits),
                "difference": mpmath.nstr(self.difference, 5)}

    def _repr_latex_(self):
        lab = self.name if self.name == "L" or not self.name.startswith("[") else \
            r"\lambda_{" + latex_math_text(self.name) + "}"
        how = "exactly" if self.exact else (f"to {self.digits} digits"
                                            if self.digits is not None else "numerically")
        rows = [("term", f"{latex_math_text(lab)}:\\ k^{{{self.exponent}}}"),
                ("coefficient", self.coefficient.text(latex=True)
                 if self.coefficient is not None else latex_number(self.computed, 15)),
                ("value", r"\texttt{" + _tt(self.value) + "}"),
                ("verdict", rf"\text{{{self.verdict} ({how})}}")]
        if not self.agrees or not self.exact:
            rows.append(("difference", latex_number(self.difference, 3)))
        return latex_summary("coefficient check", rows)


def _tt(text):
    return "".join("\\" + c if c in "#$%&_{}" else (r"\^{}" if c == "^" else c)
                   for c in str(text))


def as_check_value(value):
    """A value to check, as an :class:`~symcrit.algebra.ExactValue` or ``(mpf, digits)``.

    Exact: text of the grammar (:func:`~symcrit.algebra.parse_exact`), sympy expressions in
    π, square roots and rationals, int, Fraction, QPi and QPiSqrt.  Approximate: decimal
    text, float (15 digits), mpmath numbers (the current precision, less one digit).

    Raises
    ------
    InputError
        Anything else.
    """
    if isinstance(value, ExactValue):
        return value
    if isinstance(value, bool):
        raise InputError("a coefficient value cannot be a bool")
    if isinstance(value, str):
        return parse_exact(value)
    if isinstance(value, (QPi, QPiSqrt)):
        return ExactValue(str(value), value)
    if isinstance(value, (int, Fraction)):
        return ExactValue(str(value), QPi.from_rational(value))
    if isinstance(value, float):
        return (mpmath.mpf(value), 14)
    if isinstance(value, mpmath.mpf):
        return (value, max(mpmath.mp.dps - 1, 1))
    try:
        import sympy
    except ImportError:          # pragma: no cover - sympy is a dependency
        sympy = None
    if sympy is not None and isinstance(value, sympy.Basic):
        return exact_from_sympy(value)
    raise InputError(f"cannot check a value of type {type(value).__name__}: give text such "
                     "as '1/2 - 2/pi**2', a sympy expression, a Fraction or an mpmath number")


def _exact_equal(c, v):
    """c == v for elements of Q(π) and its quadratic extensions (maybe different ones)."""
    try:
        return (c - v).is_zero()
    except NotExact:                        # Q(π)(√s) against Q(π)(√t), s ≠ t
        parts = [(x.a, x.b) if isinstance(x, QPiSqrt) else (x, QPi.ZERO) for x in (c, v)]
        return parts[0][1].is_zero() and parts[1][1].is_zero() and parts[0][0] == parts[1][0]


def _tolerance(v, digits, last_place):
    """Half a unit in the last place: of the decimal typed, or of ``digits`` significant
    digits of v."""
    if last_place is not None:
        return mpmath.mpf(10) ** last_place / 2
    e = 0 if v == 0 else int(mpmath.floor(mpmath.log10(abs(v))))
    return mpmath.mpf(10) ** (e - digits + 1) / 2


def check_coefficient(S: Any, name: str, exponent: Fraction | int | str, value: Any,
                      digits: int | None = None, abs_tol: Any = None) -> CoefficientCheck:
    """Check the coefficient of ``k^exponent`` in the series ``name`` of ``S``.

    Parameters
    ----------
    S : FamilySeries
    name : str
        A parameter (its series includes the limit, the term ``k^0``), ``"L"`` or an
        eigenvalue label.
    exponent : Fraction, int or str
        The power of k: ``-1``, ``"-3/2"``, ``"k^-3/2"`` (:func:`~symcrit.algebra.parse_exponent`).
    value : str, sympy expression, Fraction, int, QPi, float or mpmath.mpf
        See :func:`as_check_value`.
    digits, abs_tol : optional
        Compare numerically, within ``abs_tol``, or to ``digits`` digits relative to
        ``max(1, |value|)``, instead of the default (exact when possible, else to the digits
        of the value and of the coefficient).

    Returns
    -------
    CoefficientCheck

    Raises
    ------
    InputError
        No such series, no term with that exponent up to the series' order, or a value
        that cannot be read.
    """
    q = parse_exponent(exponent)
    val = as_check_value(value)
    ts: list[Any] | None
    if name == "L":
        ts = S.loss
    else:
        ts = S.coordinates.get(name) or S.eigenvalues.get(name)
    if ts is None:
        opts = ", ".join(list(S.coordinates) + ["L"] + list(S.eigenvalues))
        raise InputError(f"unknown series {name!r}: use one of {opts}")
    match = [t for t in ts if t.exponent == q]
    exact_c = match[0].exact if match else None
    status = match[0].status if match else "derived"
    typed = val.digits if isinstance(val, ExactValue) else val[1]
    work = max(S.dps, typed or 0, digits or 0) + 10     # a derived term to any precision
    with workdps(work):
        if match:
            c = match[0].value_at(work)
        elif name in S.coordinates and q == 0 and mpmath.isint(S.limits[name]):
            c = S.limits[name]                              # the limit, an integer
            exact_c = QPi.from_rational(int(c))
        elif ts and q > ts[0].exponent:
            raise InputError(f"the series of {name} starts at k^({ts[0].exponent}): it has "
                             f"no term k^({q})")
        else:
            raise InputError(f"the series of {name} has no term k^({q}) up to relative "
                             f"order {S.order} (a larger --order may reach it)")
        text = val.text if isinstance(val, ExactValue) else mpmath.nstr(val[0], val[1])
        v = val.mpf() if isinstance(val, ExactValue) else +val[0]
        diff = abs(c - v)
        common = dict(name=name, exponent=q, value=text, computed=c, difference=diff,
                      coefficient=exact_c, status=status)
        if abs_tol is not None or digits is not None:
            tol = mpmath.mpf(abs_tol) if abs_tol is not None else \
                mpmath.mpf(10) ** (-(digits or 0)) * max(1, abs(v))
            return CoefficientCheck(verdict="AGREES" if diff <= tol else "DISAGREES",
                                    exact=False, digits=digits if abs_tol is None else None,
                                    tolerance=tol, **common)
        if isinstance(val, ExactValue) and not val.approximate and exact_c is not None:
            same = _exact_equal(exact_c, val.value)
            return CoefficientCheck(verdict="EQUAL" if same else "DIFFERENT", exact=True,
                                    **common)
        if isinstance(val, ExactValue):
            n, last = val.digits, val.last_place
        else:
            n, last = val[1], None
        known = None if exact_c is not None else (
            match[0].digits if match[0].digits is not None else S.dps - 10)
        if n is None or (known is not None and known < n):
            n, last = known, None
        tol = _tolerance(v, n, last)
        return CoefficientCheck(verdict="AGREES" if diff <= tol else "DISAGREES",
                                exact=False, digits=n, tolerance=tol, **common)
