r"""Everything about k and the precision: parse, convert, print, check.

k is the number of student neurons.  Families of critical points are analytic in k, so k may
be an integer, a real number or a decimal typed by a user; symcrit keeps it **exact** until a
computation converts it at its own working precision.  Text is read by a small grammar, never
by ``eval``:

.. code-block:: text

    K      := item (',' item)*
    item   := value | value ':' value [':' value]      a:b inclusive, a:b:step
    value  := decimal literal (12, 12.5, 1e12) | '10^' INT

``7.3`` is the rational 73/10, never the nearest double, and certificates state their
results for the k that was written.

Precision is counted in decimal digits (``dps``, as in mpmath).  One range is accepted
everywhere (:data:`DPS_MIN` … :data:`DPS_MAX`); large k needs guard digits
(:func:`guard_digits`), because angles between neurons close like :math:`k^{-1/2}` and the
cancellations in the kernel then cost :math:`2\log_{10}k` digits.

>>> parse_k("6:9")
[6, 7, 8, 9]
>>> parse_k("10^12")
[1000000000000]
>>> parse_k("7.5, 7.3")
[Fraction(15, 2), Fraction(73, 10)]
>>> k_text(Fraction(73, 10)), k_text(mpmath.mpf(7.5)), k_text("1/3")
('7.3', '7.5', '1/3')
>>> with mpmath.workdps(40):
...     x = mpmath.mpf(1) / 3
>>> dec(x, 30)                           # every requested digit is x's own
'0.333333333333333333333333333333'
>>> parse_k("6:x")
Traceback (most recent call last):
...
symcrit.core.errors.InputError: bad k 'x' in '6:x': expected a number such as 12, 12.5, 1e12 or 10^12
"""
from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation, localcontext
from fractions import Fraction
from functools import lru_cache

import mpmath
import numpy as np

from .errors import InputError

__all__ = ["K_MAX", "MAX_EXP", "DPS_MIN", "DPS_MAX", "K_RANGE_MAX", "parse_value", "parse_k",
           "exact_k", "k_text", "is_integer", "as_mpf", "fmt_k", "k_json", "k_key", "dec",
           "float_text", "is_decimal", "guard_digits", "working_dps", "check_dps"]

_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\Z")

#: the largest power of ten accepted for k
MAX_EXP = 300
#: the largest k accepted anywhere
K_MAX = 10 ** MAX_EXP
#: the precision range accepted everywhere (decimal digits)
DPS_MIN, DPS_MAX = 10, 2000
#: the most values one k range may hold
K_RANGE_MAX = 100000

_NUM = re.compile(r"^[+]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_POW = re.compile(r"^10\^(\d+)$")


def parse_value(text: str, whole: str | None = None) -> int | Fraction:
    """One k value typed by a user: an int when it is integral, else the exact rational the
    decimal text denotes (a :class:`~fractions.Fraction`).

    Parameters
    ----------
    text : str
        ``12``, ``12.5``, ``1e12`` or ``10^12``.
    whole : str, optional
        The whole text ``text`` came from, for the error message.

    Raises
    ------
    InputError
        Not a number of that form, or larger than 10^300.

    Examples
    --------
    >>> parse_value("12"), parse_value("7.3"), parse_value("10^3")
    (12, Fraction(73, 10), 1000)
    """
    t = text.strip()
    m = _POW.match(t)
    if m:
        if int(m.group(1)) > MAX_EXP:
            raise InputError(f"k = {t} is too large (at most 10^{MAX_EXP})")
        return 10 ** int(m.group(1))
    if not _NUM.match(t):
        raise InputError(f"bad k {t!r} in {whole or t!r}: expected a number such as 12, "
                         "12.5, 1e12 or 10^12")
    try:
        dv = Decimal(t)
    except InvalidOperation:   # pragma: no cover - the pattern admits only decimals
        raise InputError(f"bad k {t!r}") from None
    if dv.adjusted() > MAX_EXP:
        raise InputError(f"k = {t} is too large (at most 10^{MAX_EXP})")
    if dv == dv.to_integral_value():
        return int(dv)
    return Fraction(dv)


def parse_k(text: str, max_count: int = K_RANGE_MAX) -> list[int | Fraction]:
    """A list of k values from ``12``, ``12.5``, ``6:20``, ``6:20:0.5`` or ``6,8,10``.

    Parameters
    ----------
    text : str
        The k grammar of this module.
    max_count : int
        The most values a range may hold (refused before anything is computed).

    Returns
    -------
    list of int or Fraction

    Examples
    --------
    >>> parse_k("6:7:0.5")
    [6, Fraction(13, 2), 7]
    """
    if not isinstance(text, str) or not text.strip():
        raise InputError("empty k (try --k 12 or --k 6:20)")
    out = []
    for part in text.split(","):
        bits = part.split(":")
        if len(bits) == 1:
            out.append(parse_value(bits[0], text))
            continue
        if len(bits) not in (2, 3):
            raise InputError(f"bad k range {part!r}: use a:b or a:b:step")
        a, b = parse_value(bits[0], text), parse_value(bits[1], text)
        step = parse_value(bits[2], text) if len(bits) == 3 else 1
        if step <= 0:
            raise InputError(f"bad k range {part!r}: the step must be positive")
        if b < a:
            raise InputError(f"bad k range {part!r}: the end is below the start")
        count = int((b - a) / step) + 1
        if count > max_count or len(out) + count > max_count:
            raise InputError(f"k range {text!r} has {len(out) + count} values (at most "
                             f"{max_count} per run: split it into several runs)")
        for i in range(count):
            v = a + i * step
            out.append(int(v) if isinstance(v, int) or v == int(v) else v)
    return out


@lru_cache(maxsize=4096)
def _fraction_of_text(text):
    try:
        q = Fraction(str(text).strip())
    except (ValueError, ZeroDivisionError):
        raise InputError(f"bad k {text!r}: expected a number such as 12, 7.5 or 10^12") \
            from None
    if not 0 < q <= K_MAX:
        raise InputError(f"k = {text} is out of range (0 < k <= 10^{MAX_EXP})")
    return q


def exact_k(k: int | Fraction | float | str | mpmath.mpf) -> Fraction:
    """k as an exact :class:`~fractions.Fraction` in (0, 10^300].

    Integers and Fractions as they are; an mpmath number by its exact (dyadic) value; a
    float by its shortest decimal ``repr`` (``7.3`` means 73/10, what was typed); text as a
    decimal or ``p/q``.

    Examples
    --------
    >>> exact_k(7.3), exact_k("1/3"), exact_k(mpmath.mpf("0.5"))
    (Fraction(73, 10), Fraction(1, 3), Fraction(1, 2))
    """
    if isinstance(k, bool):
        raise InputError(f"k must be a number, got {k!r}")
    if isinstance(k, (int, np.integer)):
        q = Fraction(int(k))
    elif isinstance(k, Fraction):
        q = k
    elif isinstance(k, mpmath.mpf):
        if not mpmath.isfinite(k):
            raise InputError(f"k must be finite, got {k}")
        sign, man, exp, _ = k._mpf_          # mpf.man_exp drops the sign: read _mpf_
        q = (-1) ** sign * Fraction(int(man)) * Fraction(2) ** int(exp)
    elif isinstance(k, (float, np.floating)):
        if not math.isfinite(float(k)):
            raise InputError(f"k must be finite, got {k}")
        return _fraction_of_text(repr(float(k)))
    elif isinstance(k, str):
        return _fraction_of_text(k)
    else:
        raise InputError(f"k must be a number, got {k!r}")
    if not 0 < q <= K_MAX:
        raise InputError(f"k = {q} is out of range (0 < k <= 10^{MAX_EXP})")
    return q


def _terminating_decimal(q):
    """The finite decimal expansion of a rational whose denominator is 2^a 5^b."""
    with localcontext() as ctx:
        ctx.prec = 2000
        d = Decimal(q.numerator) / Decimal(q.denominator)
        return format(d.normalize(), "f")


def k_text(k: int | Fraction | float | str | mpmath.mpf) -> str:
    """k as exact text: the integer, a terminating decimal (``7.3``), or ``p/q``.

    Reading the text back with :func:`exact_k` gives the same rational; this is how
    certificates store k.
    """
    if isinstance(k, str):
        q = _fraction_of_text(k)
        if q.denominator == 1:
            return str(q.numerator)
        return k.strip() if "/" not in k else f"{q.numerator}/{q.denominator}"
    q = exact_k(k)
    if q.denominator == 1:
        return str(q.numerator)
    d = q.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    return _terminating_decimal(q) if d == 1 else f"{q.numerator}/{q.denominator}"


def is_integer(k):
    """True when k is an integral number (int, integral Fraction/mpf/float, ``"12"``)."""
    if isinstance(k, bool):
        return False
    if isinstance(k, str):
        return k.strip().lstrip("+").isdigit()
    try:
        return int(k) == k
    except (TypeError, ValueError, OverflowError):
        return False


def as_mpf(x):
    """x at the current mpmath precision: mpf, int, decimal text, or an exact Fraction.

    >>> with mpmath.workdps(20):
    ...     as_mpf(Fraction(1, 4)), as_mpf("0.1") == mpmath.mpf(1) / 10
    (mpf('0.25'), True)
    """
    if isinstance(x, mpmath.mpf):
        return +x
    if isinstance(x, str):
        return mpmath.mpf(x)
    if isinstance(x, Fraction):
        return mpmath.mpf(x.numerator) / x.denominator
    if isinstance(x, (int, np.integer)):
        return mpmath.mpf(int(x))
    if isinstance(x, (float, np.floating)):
        return mpmath.mpf(float(x))
    if hasattr(x, "mid") and hasattr(x, "rad"):          # an Arb ball: its midpoint
        return mpmath.mpf(x.mid().str(mpmath.mp.dps + 5, radius=False))
    return mpmath.mpf(x)


def fmt_k(k):
    """k for messages and tables: the integer, or 15 significant digits."""
    if is_integer(k) and not isinstance(k, str):
        return str(int(k))
    if isinstance(k, Fraction):
        k = as_mpf(k)
    return mpmath.nstr(k, 15) if isinstance(k, mpmath.mpf) else str(k)


def dec(x: object, digits: int = 20) -> str | None:
    """A number as a decimal string with ``digits`` significant digits, never a float that
    loses digits (int, mpf, Fraction, Arb ball (its midpoint), sympy number)."""
    if x is None:
        return None
    if isinstance(x, int):
        return str(x)
    if hasattr(x, "mid") and hasattr(x, "rad"):
        return x.mid().str(digits, radius=False)
    if not isinstance(x, mpmath.mpf):       # convert at enough precision for the digits
        with mpmath.workdps(max(int(digits) + 5, mpmath.mp.dps)):
            x = _to_mpf(x)
    return mpmath.nstr(x, digits, strip_zeros=True)     # (nstr reads all of x's bits)


def _to_mpf(x):
    if isinstance(x, Fraction):
        return mpmath.mpf(x.numerator) / x.denominator
    if hasattr(x, "evalf") and hasattr(x, "free_symbols"):       # a sympy number
        import sympy
        return mpmath.mpf(sympy.Float(x, mpmath.mp.dps + 5)._mpf_)
    if isinstance(x, (np.floating, np.integer)):
        x = x.item()
    return mpmath.mpf(x)


def k_json(k):
    """k for JSON: the integer as text, or 30 significant digits of a real k."""
    return str(k) if isinstance(k, int) else dec(k, 30)


def k_key(k):
    """A hashable key that identifies k up to 30 digits (for caches of points)."""
    with mpmath.workdps(40):
        return mpmath.nstr(as_mpf(k), 30)


def is_decimal(text):
    """Whether ``text`` is a finite decimal string (``-1.5``, ``2e-9``, ``.5``; no spaces,
    no ``inf``/``nan``): what symcrit writes for a number in JSON.

    >>> [is_decimal(t) for t in ("-1.5", "2e-9", "1/2", " 1", "nan", 1.5)]
    [True, True, False, False, False, False]
    """
    return isinstance(text, str) and _DECIMAL.match(text) is not None


def float_text(x):
    """A float64 as a decimal string that reads back to the same float64."""
    return repr(float(x))


def guard_digits(k):
    """Extra working digits for large k: ``10 + 3 floor(log10 k)``.

    The restricted loss sums about k² pair terms of size O(1) to a value that may be O(1/k)
    (type-A), and its Hessian in the parameters has entries from O(1) to O(k²): both cost
    3 log10 k digits (with 2 log10 k the loss at k = 10^12 lost its last two of 30 digits,
    and Newton at k = 10^50 saw a singular Jacobian).

    >>> guard_digits(12), guard_digits(10 ** 12), guard_digits(10 ** 300)
    (13, 46, 910)
    """
    try:
        lk = math.log10(max(float(k), 1.0))
    except OverflowError:      # pragma: no cover - k is at most 10^300
        lk = MAX_EXP
    return 10 + 3 * int(lk)


def working_dps(dps, k):
    """The working precision for ``dps`` requested digits at k: ``dps`` plus
    :func:`guard_digits`."""
    return int(dps) + guard_digits(k)


def check_dps(dps, what="dps"):
    """Refuse a precision outside ``DPS_MIN … DPS_MAX`` (one range for the library and the
    command line)."""
    if isinstance(dps, bool) or not isinstance(dps, (int, np.integer)):
        raise InputError(f"{what} must be an integer number of digits, got {dps!r}")
    if not DPS_MIN <= int(dps) <= DPS_MAX:
        raise InputError(f"{what} must be between {DPS_MIN} and {DPS_MAX}, got {dps}")
    return int(dps)
