r"""Values typed by a user — ``1/2 - 2/pi**2``, ``-32/(3*pi^4)``, ``sqrt(2)/pi``,
``0.2974`` — read by a small grammar of their own into :math:`\mathbb{Q}(\pi)` or
:math:`\mathbb{Q}(\pi)(\sqrt m)`, and powers of k such as ``-3/2`` or ``k^-3/2``.

The text is never given to ``eval``, ``sympify`` or ``parse_expr``: a tokenizer accepts
numbers, ``pi`` (or ``π``), ``sqrt`` (or ``√``), ``+ - * / ( )`` and ``**`` or ``^``, and a
recursive-descent parser computes the value exactly while it reads (integers and decimals
as rationals, π as the transcendental of :class:`~symcrit.algebra.QPi`, square roots of
rational numbers and of squares in :math:`\mathbb{Q}(\pi)` in
:class:`~symcrit.algebra.QPiSqrt`).  Anything else is an :class:`~symcrit.core.InputError`
that says where the text went wrong.

.. code-block:: text

    expr     := term (('+' | '-') term)*
    term     := factor (('*' | '/') factor)*
    factor   := ('+' | '-') factor | power
    power    := atom [('**' | '^') exponent]
    exponent := ['+' | '-'] INTEGER | '(' ['+' | '-'] INTEGER ')'
    atom     := NUMBER | 'pi' | 'π' | ('sqrt' | '√') atom | '(' expr ')'
    NUMBER   := 12 | 12.5 | .5 | 1e-3 | 2.5E+4

Products are written with ``*`` (``2*pi``, not ``2pi``), so that ``1/2pi`` cannot mean two
things.  A value with a decimal number in it is an approximation: it carries the number
of significant digits typed (:attr:`ExactValue.digits`), and checks against it say
"agrees to n digits", never "equal".

>>> v = parse_exact("1/2 - 2/pi**2")
>>> v.value, v.approximate
(1/2 - 2/pi**2, False)
>>> parse_exact("-32/(3*pi^4)").value
-32/(3*pi**4)
>>> parse_exact("sqrt(8)/pi + 1").value
1 + (2/pi)*sqrt(2)
>>> d = parse_exact("0.2974")
>>> d.approximate, d.digits, d.value
(True, 4, 1487/5000)
>>> parse_exponent("k^-3/2"), parse_exponent("-1/2"), parse_exponent("-1.5")
(Fraction(-3, 2), Fraction(-1, 2), Fraction(-3, 2))
>>> parse_exact("__import__('os')")
Traceback (most recent call last):
    ...
symcrit.core.errors.InputError: cannot read the value "__import__('os')": unexpected '_' at position 1 (use numbers, pi, sqrt(...), + - * / ( ) and ** or ^)
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from flint.utils.flint_exceptions import DomainError

from ..core import InputError
from .extensions import QPiSqrt
from .qpi import NotExact, QPi

__all__ = ["ExactValue", "parse_exact", "parse_exponent", "exact_from_sympy", "exact_sqrt",
           "MAX_TEXT", "MAX_POWER"]

#: the longest value text read
MAX_TEXT = 1000
#: the largest |n| in a power x**n
MAX_POWER = 200
#: the most digits of one number literal
MAX_DIGITS = 400
#: the deepest nesting of parentheses and signs
MAX_DEPTH = 100
#: the largest integer content under a square root that is not a square
MAX_RADICAND = 10 ** 12

HINT = "use numbers, pi, sqrt(...), + - * / ( ) and ** or ^"

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<number>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<pow>\*\*|\^)
  | (?P<op>[-+*/()])
  | (?P<pi>pi\b|π)
  | (?P<sqrt>sqrt\b|√)
""", re.VERBOSE)


@dataclass(frozen=True)
class ExactValue:
    r"""A value read from text (or converted from a sympy expression).

    Attributes
    ----------
    text : str
        What was read.
    value : QPi or QPiSqrt
        The value, exactly (a decimal number is the rational it spells).
    digits : int or None
        None for an exact value; for a value with decimal numbers in it, the fewest
        significant digits of any of them (the value is known to about that many digits).
    last_place : int or None
        For a value that is a single decimal number, the power of ten of its last digit
        (``0.2974``: -4): it stands for every number within half a unit of that place.
    """
    text: str
    value: object
    digits: int | None = None
    last_place: int | None = None

    @property
    def approximate(self):
        """The text has a decimal number in it (an approximation)."""
        return self.digits is not None

    def mpf(self):
        """The value at the current mpmath precision."""
        return self.value.mpf()


class _Parser:
    """Recursive descent over the tokens of one text; the value is computed as it reads."""

    def __init__(self, text):
        self.text = text
        self.tokens = []
        self.digits = []
        pos = 0
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if m is None:
                self.fail(f"unexpected {text[pos]!r} at position {pos + 1}")
            if m.lastgroup != "space":
                self.tokens.append((m.lastgroup, m.group(), m.start()))
            pos = m.end()
        self.i = 0
        self.depth = 0

    def fail(self, why):
        raise InputError(f"cannot read the value {self.text!r}: {why} ({HINT})")

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else (None, None, None)

    def take(self, *kinds_or_texts):
        kind, tok, _ = self.peek()
        if kind is not None and (kind in kinds_or_texts or tok in kinds_or_texts):
            self.i += 1
            return tok
        return None

    def where(self):
        kind, tok, pos = self.peek()
        return "the end" if kind is None else f"{tok!r} at position {pos + 1}"

    def parse(self):
        if not self.tokens:
            self.fail("it is empty")
        v = self.expr()
        if self.i != len(self.tokens):
            self.fail(f"unexpected {self.where()} (products need *, e.g. 2*pi)")
        return v

    def expr(self):
        v = self.term()
        while True:
            op = self.take("+", "-")
            if op is None:
                return v
            w = self.term()
            v = self.combine(v, w, op)

    def term(self):
        v = self.factor()
        while True:
            op = self.take("*", "/")
            if op is None:
                return v
            w = self.factor()
            v = self.combine(v, w, op)

    def factor(self):
        sign = self.take("+", "-")
        if sign is not None:
            self.enter()
            v = self.factor()
            self.depth -= 1
            return -v if sign == "-" else v
        return self.power()

    def power(self):
        v = self.atom()
        if self.take("pow") is None:
            return v
        paren = self.take("(") is not None
        sign = self.take("+", "-")
        kind, tok, _ = self.peek()
        if kind != "number" or not tok.isdigit():
            self.fail(f"the power at {self.where()} must be an integer")
        self.i += 1
        n = int(tok) * (-1 if sign == "-" else 1)
        if paren and self.take(")") is None:
            self.fail(f"expected ')' at {self.where()}")
        if abs(n) > MAX_POWER:
            self.fail(f"the power {n} is larger than {MAX_POWER} in size")
        try:
            return v ** n
        except ZeroDivisionError:
            self.fail("0 to a negative power")

    def atom(self):
        kind, tok, pos = self.peek()
        if kind == "number":
            self.i += 1
            return self.number(tok)
        if kind == "pi":
            self.i += 1
            return QPi.PI
        if kind == "sqrt":
            self.i += 1
            self.enter()
            v = self.atom()
            self.depth -= 1
            return self.sqrt(v)
        if tok == "(":
            self.i += 1
            self.enter()
            v = self.expr()
            self.depth -= 1
            if self.take(")") is None:
                self.fail(f"expected ')' at {self.where()}")
            return v
        self.fail(f"expected a number, pi, sqrt or '(' at {self.where()}")

    def enter(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.fail(f"nested more than {MAX_DEPTH} deep")

    def number(self, tok):
        mant = re.split("[eE]", tok)[0]
        sig = mant.replace(".", "").lstrip("0")
        if len(mant.replace(".", "")) > MAX_DIGITS or \
                ("e" in tok.lower() and abs(int(re.split("[eE]", tok)[1])) > MAX_DIGITS):
            self.fail(f"the number {tok[:20]}... is too long")
        q = Fraction(tok)
        if "." in tok or "e" in tok.lower():
            self.digits.append((max(len(sig), 1), tok))
        return QPi.from_rational(q)

    def sqrt(self, v):
        try:
            return exact_sqrt(v)
        except NotExact as exc:
            self.fail(f"sqrt: {exc} (square roots of rational numbers are supported)")

    def combine(self, v, w, op):
        try:
            if op == "+":
                return v + w
            if op == "-":
                return v - w
            if op == "*":
                return v * w
            return v / w
        except ZeroDivisionError:
            self.fail("division by zero")
        except NotExact as exc:
            self.fail(f"{exc} (a value may use one square root sqrt(m) only)")


def parse_exact(text):
    r"""Read a value in π, square roots and rationals with the grammar of this module.

    Parameters
    ----------
    text : str
        E.g. ``"1/2 - 2/pi**2"``, ``"-32/(3*pi^4)"``, ``"sqrt(2)/(4*pi)"``, ``"0.2974"``.

    Returns
    -------
    ExactValue

    Raises
    ------
    InputError
        Anything outside the grammar (one line saying where), a division by zero, two
        different square roots, or a text longer than :data:`MAX_TEXT`.

    Examples
    --------
    >>> parse_exact("(1 + sqrt(2))^2").value
    3 + (2)*sqrt(2)
    >>> parse_exact("2pi")
    Traceback (most recent call last):
        ...
    symcrit.core.errors.InputError: cannot read the value '2pi': unexpected 'pi' at position 2 (products need *, e.g. 2*pi) (use numbers, pi, sqrt(...), + - * / ( ) and ** or ^)
    """
    if not isinstance(text, str):
        raise InputError(f"expected text, got {type(text).__name__}")
    if len(text) > MAX_TEXT:
        raise InputError(f"the value text is longer than {MAX_TEXT} characters")
    p = _Parser(text.strip())
    v = p.parse()
    v = _reduce(v)
    if not p.digits:
        return ExactValue(text.strip(), v)
    digits = min(d for d, _ in p.digits)
    last = None
    if len(p.digits) == 1 and re.fullmatch(r"[+-]?" + re.escape(p.digits[0][1]), text.strip()):
        tok = p.digits[0][1]
        mant, _, exp = tok.lower().partition("e")
        frac = mant.partition(".")[2]
        last = (int(exp) if exp else 0) - len(frac)
    return ExactValue(text.strip(), v, digits, last)


def exact_sqrt(v):
    """The positive square root of v (QPi or QPiSqrt) in Q(π) or Q(π)(√m).

    Raises
    ------
    NotExact
        v is negative or its root lies in no such field.

    >>> exact_sqrt(QPi.from_rational(Fraction(9, 2))).text()
    '(3/2)*sqrt(2)'
    """
    if isinstance(v, QPiSqrt):
        return v.sqrt()
    if abs(int(v.n.content()) * int(v.d.content())) > MAX_RADICAND:
        try:                      # only squares: finding the square-free part is too slow
            v.n.sqrt()
            v.d.sqrt()
        except DomainError:
            raise NotExact(f"{v} is too large for an exact square root") from None
    try:
        return v.sqrt()
    except NotExact as exc:
        if exc.radicand is None:
            raise
        return QPiSqrt(QPi.ZERO, (v / exc.radicand).sqrt(), exc.radicand)


def _reduce(v):
    """A QPiSqrt with no √ part as a QPi."""
    if isinstance(v, QPiSqrt) and v.b.is_zero():
        return v.a
    return v


def exact_from_sympy(expr):
    r"""A sympy expression in ``pi``, square roots and rationals as an :class:`ExactValue`
    (floating-point numbers make it approximate, to their precision).  The expression
    tree is walked; nothing is evaluated as text.

    Raises
    ------
    InputError
        Symbols, other constants or functions, non-integer powers other than square roots.

    Examples
    --------
    >>> import sympy
    >>> exact_from_sympy(sympy.Rational(1, 2) - 2 / sympy.pi ** 2).value
    1/2 - 2/pi**2
    >>> exact_from_sympy(sympy.sqrt(2) / sympy.pi).value
    (1/pi)*sqrt(2)
    """
    import sympy
    digits = []

    def walk(e):
        if e.is_Integer or e.is_Rational:
            return QPi.from_rational(Fraction(int(e.p), int(e.q)))
        if e is sympy.pi:
            return QPi.PI
        if e.is_Float:
            text = str(e)
            digits.append(max(1, len(re.sub(r"[^0-9]", "", re.split("[eE]", text)[0])
                                     .lstrip("0"))))
            return QPi.from_rational(Fraction(text))
        if e.is_Add or e.is_Mul:
            vals = [walk(a) for a in e.args]
            out = vals[0]
            for v in vals[1:]:
                out = out + v if e.is_Add else out * v
            return out
        if e.is_Pow:
            base, ex = e.args
            if ex.is_Integer and abs(int(ex)) <= MAX_POWER:
                return walk(base) ** int(ex)
            if ex.is_Rational and ex.q == 2 and abs(int(ex.p)) <= MAX_POWER:
                return exact_sqrt(walk(base)) ** int(ex.p)
        raise InputError(f"cannot read {e} exactly: use rationals, pi and square roots")

    try:
        v = _reduce(walk(sympy.sympify(expr, strict=True)))
    except (ZeroDivisionError, NotExact) as exc:
        raise InputError(f"cannot read {expr} exactly: {exc}") from None
    return ExactValue(str(expr), v, min(digits) if digits else None)


_EXPONENT = re.compile(r"^\s*(?:k\s*(?:\^|\*\*)\s*)?(\()?\s*([+-]?\s*\d+(?:\s*/\s*\d+|\.\d+)?)"
                       r"\s*(\))?\s*$")


def parse_exponent(text):
    r"""A power of k as a Fraction: ``-1``, ``-1/2``, ``-3/2``, ``-1.5``, ``k^-3/2``,
    ``k^(-3/2)`` or ``k**(-3/2)`` (in ``k^-3/2`` the whole fraction is the power, as
    papers write it).  Fractions, ints and ``"k"`` itself are accepted too.

    Raises
    ------
    InputError
        Anything else.

    Examples
    --------
    >>> parse_exponent("k**(-3/2)"), parse_exponent(-1), parse_exponent("k")
    (Fraction(-3, 2), Fraction(-1, 1), Fraction(1, 1))
    """
    if isinstance(text, Fraction):
        return text
    if isinstance(text, int) and not isinstance(text, bool):
        return Fraction(text)
    if isinstance(text, float):
        q = Fraction(text)
        if q.denominator > 2:
            raise InputError(f"bad exponent {text!r}: a power of k is a multiple of 1/2")
        return q
    s = str(text).strip()
    if s == "k":
        return Fraction(1)
    m = _EXPONENT.match(s)
    if m is None or bool(m.group(1)) != bool(m.group(3)):
        raise InputError(f"bad exponent {text!r} (use e.g. -1, -1/2, -3/2, -1.5 or k^-3/2)")
    num = m.group(2).replace(" ", "")
    try:
        return Fraction(num)
    except (ValueError, ZeroDivisionError):
        raise InputError(f"bad exponent {text!r} (use e.g. -1, -1/2, -3/2, -1.5 or "
                         "k^-3/2)") from None
