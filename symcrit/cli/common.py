r"""Shared pieces of the command line: k ranges, decimal strings, JSON, progress bars.

k values and ranges are parsed by a small grammar (never ``eval``):

    K      := value | value ':' value [':' step] | K ',' K
    value  := decimal literal (``12``, ``12.5``, ``1e12``) or ``10^N``

``a:b`` is the integers from a to b inclusive; ``a:b:s`` steps by s (which may be real).

>>> parse_k("6:9")
[6, 7, 8, 9]
>>> parse_k("10^12")
[1000000000000]
>>> parse_k("7.5, 7.3")
[Fraction(15, 2), Fraction(73, 10)]
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

import json
import re
import sys
from decimal import Decimal, InvalidOperation
from fractions import Fraction

import mpmath

from ..core import InputError
from ..core import MPMATH

__all__ = ["parse_k", "parse_value", "dec", "dump_json", "progress", "k_json"]

#: the largest power of ten accepted for k
MAX_EXP = 300
_NUM = re.compile(r"^[+]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_POW = re.compile(r"^10\^(\d+)$")


def parse_value(text, whole=None):
    """One k value: an int when it is integral, else the exact rational the decimal text
    denotes (a :class:`~fractions.Fraction`: ``7.3`` is 73/10, not the nearest double;
    every computation converts it at its own working precision, a certificate exactly)."""
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
    except InvalidOperation:   # pragma: no cover
        raise InputError(f"bad k {t!r}") from None
    if dv.adjusted() > MAX_EXP:
        raise InputError(f"k = {t} is too large (at most 10^{MAX_EXP})")
    if dv == dv.to_integral_value():
        return int(dv)
    return Fraction(dv)


def parse_k(text, max_count=100000):
    """A list of k values from ``12``, ``12.5``, ``6:20``, ``6:20:0.5`` or ``6,8,10``."""
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
        if count > max_count:
            raise InputError(f"k range {part!r} has {count} values (at most {max_count})")
        for i in range(count):
            v = a + i * step
            out.append(int(v) if isinstance(v, int) or v == int(v) else v)
    return out


def dec(x, digits=20):
    """A number as a decimal string (never a float that loses digits)."""
    if x is None:
        return None
    if isinstance(x, int):
        return str(x)
    if hasattr(x, "mid") and hasattr(x, "rad"):      # an arb ball: its midpoint
        return x.mid().str(digits, radius=False)
    if not isinstance(x, mpmath.mpf):       # convert at enough precision for the digits
        with mpmath.workdps(max(int(digits) + 5, mpmath.mp.dps)):
            x = MPMATH.convert(x)
    return mpmath.nstr(x, digits, strip_zeros=True)     # (nstr reads all of x's bits)


def k_json(k):
    """k as text: the integer, or 30 significant digits of a real k."""
    return str(k) if isinstance(k, int) else dec(k, 30)


def dump_json(obj, stream=None):
    stream = stream or sys.stdout
    json.dump(obj, stream, indent=2, ensure_ascii=False)
    stream.write("\n")


def progress(iterable, total=None, desc=None, enabled=True):
    """A tqdm progress bar on stderr, shown only on a terminal (and not with --json)."""
    from tqdm import tqdm
    return tqdm(iterable, total=total, desc=desc, file=sys.stderr,
                disable=not (enabled and sys.stderr.isatty()), leave=False)
