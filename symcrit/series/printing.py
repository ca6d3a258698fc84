r"""The series of a family as text, LaTeX and JSON.

LaTeX: one aligned line per series, broken where a line would be wider than the page
(between terms, and inside a long coefficient between the summands of its numerator),
numbers in math mode; one series alone prints on one line, which sympy's ``parse_latex``
reads back.

A term is printed with its closed form when it was derived (exactly, over
:math:`\mathbb{Q}(\pi)` or :math:`\mathbb{Q}(\pi)(\sqrt s)`), as ``~(...)`` when a closed
form was only identified (an integer-relation candidate, confirmed at higher precision),
and by its value otherwise; derived zeros are not shown; each series ends with its O-term.
Numbers in JSON are decimal strings (:func:`symcrit.core.dec`), never floats.

>>> from fractions import Fraction
>>> from symcrit.algebra import QQ_PI
>>> from .terms import SeriesTerm
>>> term_text(SeriesTerm(Fraction(-3, 2), mpmath.mpf(0), exact=32 / QQ_PI.pi ** 3))
'+ (32/pi**3) k^(-3/2)'
>>> term_text(SeriesTerm(Fraction(-2), mpmath.mpf("-3.0134774098812"), digits=30))
'- (3.01347741) k^(-2)'
"""
from __future__ import annotations

from fractions import Fraction

import mpmath

from ..core import dec, latex_group, latex_lines, latex_math_text, latex_number, latex_width

__all__ = ["series_json", "series_text", "series_latex", "term_text", "WIDTH"]


def series_json(S, digits=30):
    """The series ``S`` (a :class:`~symcrit.series.FamilySeries`) as a JSON-ready dict.

    Per term: ``exponent`` (text), ``coefficient`` (the derived closed form as text, or
    None), ``identified``, ``status`` and ``value`` (a decimal string: exact digits for
    derived terms, at most the confirmed digits for numeric ones).
    """
    def terms(ts):
        out = []
        for t in ts:
            d = digits if t.digits is None else min(digits, t.digits)
            val = t.value_at(digits + 5) if t.exact is not None else t.value
            out.append({"exponent": str(t.exponent),
                        "coefficient": None if t.exact is None else str(t.exact),
                        "identified": None if t.identified is None else str(t.identified),
                        "status": t.status,
                        "value": "0" if t.exact is not None and t.exact.is_zero()
                        else dec(val, d)})
        return out
    out = {"family": S.family, "isotropy": S.isotropy, "order": S.order,
           "variable": "k^(-1/2)",
           "coefficients_note": "'coefficient': closed form derived by exact lifting "
                                "over Q(pi) (null when not derived); 'identified': a "
                                "closed form found by integer-relation search (PSLQ, "
                                "small height) and confirmed at higher precision, a "
                                "candidate, not a derivation; 'value': decimal, exact "
                                "digits for derived terms, numerical otherwise",
           "counts": S.counts(),
           "exact_domain": S.domain,
           "notes": list(S.notes),
           "loss": terms(S.loss),
           "parameters": {n: {"limit": dec(S.limits[n], digits),
                              "exponent": S.exponents[n],
                              "terms": terms(ts)} for n, ts in S.coordinates.items()}}
    out["eigenvalues"] = [{"label": lab, "irrep": S.eigen_info[lab][0],
                           "multiplicity_in_k": str(S.eigen_info[lab][1]).replace(" ", ""),
                           "terms": terms(ts)} for lab, ts in S.eigenvalues.items()]
    return out


def series_text(S):
    """The series ``S`` as text: a header with the counts of derived, identified and
    numeric terms, one line per coordinate, the loss and each eigenvalue, and the notes."""
    c = S.counts()
    lines = [f"series of {S.family} in Fix({S.isotropy}) in powers of k "
             f"(ε = k^(-1/2)), through relative order ε^{S.order}, {S.dps} digits",
             f"{c['derived']} terms derived exactly over {S.domain} (terms not shown are "
             f"exactly 0), {c['identified']} identified (~(...): integer-relation "
             f"search, confirmed at higher precision, not derived), {c['numeric']} "
             "numeric"]
    for n, ts in S.coordinates.items():
        lines.append(f"  {n} = " + _line(S, n, ts, 6))
    lines.append("  L = " + _line(S, "L", S.loss, 6))
    for key, ts in S.eigenvalues.items():
        lines.append(f"  λ{key} = " + _line(S, key, ts, 4))
    for note in S.notes:
        lines.append(f"  note: {note}")
    return "\n".join(lines)


#: the widest right-hand side of one line of LaTeX, in digit widths (a line of an
#: 11pt article with 2 cm margins holds about 85)
WIDTH = 62


def series_latex(S, name=None, environment="aligned", terms=None, width=WIDTH):
    r"""The series ``S`` as LaTeX that compiles in a standard document (``amsmath``).

    Parameters
    ----------
    S : FamilySeries
    name : str, optional
        One series only (a parameter, ``"L"`` or an eigenvalue label): its right-hand side
        on one line, without alignment (what ``parse_latex`` reads back).
    environment : str
        ``"aligned"`` (inside a formula: ``$$...$$`` or ``\[...\]``) or ``"align*"`` (a
        display of its own, which may break across pages).
    terms : int, optional
        Show at most this many terms of each series (default: all).
    width : int or None
        Break lines wider than this many digit widths (None: never): between terms, and a
        long coefficient inside its numerator.

    Returns
    -------
    str
        Identified closed forms are marked ``{\sim}``; numeric coefficients are decimals in
        math mode.

    Examples
    --------
    >>> from symcrit.series import family_series
    >>> S = family_series("hidden-D", order=1, eigenvalues=False)
    >>> print(series_latex(S))
    \begin{aligned}
    a &= -1 + \left(2\right) k^{-1} + O(k^{-2}) \\
    b &= \left(2\right) k^{-1} + O(k^{-2}) \\
    L &= \left(\frac{1}{2} - \frac{1}{\pi}\right) - \left(\frac{4}{3 \pi}\right) k^{-1/2} + O(k^{-1})
    \end{aligned}
    """
    if name is not None:
        ts = S.loss if name == "L" else S.coordinates.get(name) or S.eigenvalues.get(name)
        if ts is None:
            raise KeyError(name)
        return " ".join(_latex_pieces(S, name, ts, terms, None))
    rows = []
    for n, ts in S.all_series():
        lhs = n if n in S.coordinates or n == "L" else \
            r"\lambda_{" + latex_math_text(n) + "}"
        lines = latex_lines(_latex_pieces(S, n, ts, terms, width), width)
        rows.append(f"{lhs} &= {lines[0]}" + "".join(f" \\\\\n&\\quad {ln}"
                                                     for ln in lines[1:]))
    if environment not in ("aligned", "align*", "align"):
        raise ValueError(f"environment must be aligned or align*, got {environment!r}")
    return (f"\\begin{{{environment}}}\n" + " \\\\\n".join(rows)
            + f"\n\\end{{{environment}}}")


def _latex_pieces(S, name, ts, terms, width):
    """The pieces of one series' right-hand side: the limit, each term (long coefficients
    split in several pieces) and the O-term; joined by spaces they are the formula."""
    lim = S.limits.get(name) if name in S.coordinates else None
    head = "" if lim is None or lim == 0 else mpmath.nstr(lim, 6, strip_zeros=True)
    head = latex_number(head[:-2] if head.endswith(".0") else head) if head else ""
    shown = [t for t in ts if not (t.exact is not None and t.exact.is_zero())]
    n = len(shown) if terms is None else terms
    pieces = [head] if head else []
    for t in shown[:n]:
        pieces += _term_pieces(t, width)
    if len(shown) > n:
        pieces.append(r"+ \dots")
    elif ts:
        pieces.append(f"+ O(k^{{{ts[-1].exponent - Fraction(1, 2)}}})")
    if not pieces or (pieces == [head] and not ts):
        forall = r" \quad\text{(for all $k$)}" if name in S.coordinates else ""
        return [(head or "0") + forall]
    if not head:                     # the first term's sign: "+ x" -> "x", "- x" -> "-x"
        first = pieces[0]
        pieces[0] = first[2:] if first.startswith("+ ") else "-" + first[2:]
    return pieces


def _power(e):
    return "" if e == 0 else " k" if e == 1 else f" k^{{{e}}}"


def _signed(t, latex):
    """A term's sign (``+``/``-``), mark (``~`` when its form is only identified) and the
    text of its absolute value: the closed form, or the value to 10 digits."""
    form = t.exact if t.exact is not None else t.identified
    mark = "" if t.exact is not None or t.identified is None else "~"
    if form is None:
        text = mpmath.nstr(abs(t.value), 10)
        return ("-" if t.value < 0 else "+"), mark, latex_number(text) if latex else text
    body = form.text(latex)
    if body.startswith("-"):
        return "-", mark, (-form).text(latex)
    return "+", mark, body


def _term_pieces(t, width):
    """One term as pieces: ``+ \\left(c\\right) k^{e}``, or, when wider than ``width``,
    ``+ \\frac{1}{D} k^{e} \\bigl(n_1`` ``+ n_2`` … ``\\bigr)`` split at the summands of its
    numerator (or of the coefficient)."""
    sg, mark, body = _signed(t, True)
    mark = mark and r"{\sim}"
    suffix = _power(t.exponent)
    whole = f"{sg} {mark}\\left({body}\\right){suffix}"
    if width is None or latex_width(whole) <= width:
        return [whole]
    frac = _split_frac(body)
    if frac is not None and len(_split_sum(frac[0])) > 1:
        return _enclose(f"{sg} {mark}\\frac{{1}}{{{frac[1]}}}{suffix} ",
                        _flat(_split_sum(frac[0]), width), "")
    parts = _split_sum(body)
    if len(parts) > 1:
        return _enclose(f"{sg} {mark}", _flat(parts, width), suffix)
    return [whole]


def _enclose(head, pieces, tail):
    """``head ( pieces ) tail`` with parentheses that may break across lines (``\\bigl(``
    … ``\\bigr)``, or ``\\biggl`` around fractions)."""
    size = "bigg" if any(r"\frac" in p for p in pieces) else "big"
    head, tail = f"{head}\\{size}l(", f" \\{size}r){tail}"
    return [head + pieces[0]] + pieces[1:-1] + [pieces[-1] + tail] if len(pieces) > 1 \
        else [head + pieces[0] + tail]


def _flat(parts, width):
    """Summands as pieces no wider than ``width`` where possible: a wide ``\\frac{N}{D}``
    as ``\\frac{1}{D} \\bigl(`` and the summands of N, a wide ``\\left(X\\right) r`` as
    ``\\bigl(`` and the summands of X."""
    out = []
    for p in parts:
        if latex_width(p) <= width:
            out.append(p)
            continue
        sign, x = (p[:2], p[2:]) if p[:2] in ("+ ", "- ") else \
            (("-", p[1:]) if p.startswith("-") else ("", p))
        frac = _split_frac(x)
        if frac is not None and len(_split_sum(frac[0])) > 1:
            out += _enclose(f"{sign}\\frac{{1}}{{{frac[1]}}} ",
                            _flat(_split_sum(frac[0]), width), "")
            continue
        m = _left_group(x)
        if m is not None and len(_split_sum(m[0])) > 1:
            out += _enclose(sign, _flat(_split_sum(m[0]), width), m[1])
            continue
        out.append(p)
    return out


def _left_group(s):
    """``\\left(X\\right) rest`` (s starting with the group) as (X, rest), else None."""
    if not s.startswith(r"\left("):
        return None
    depth, i = 0, 0
    while i < len(s):
        if s.startswith(r"\left", i):
            depth, i = depth + 1, i + 5
        elif s.startswith(r"\right", i):
            depth, i = depth - 1, i + 6
            if depth == 0:
                return s[6:i - 6], s[i + 1:]
        else:
            i += 1
    return None


def _split_frac(s):
    r"""``\frac{N}{D}`` (the whole of s) as (N, D), else None."""
    if not s.startswith(r"\frac{"):
        return None
    num, i = latex_group(s, 5)
    if i >= len(s) or s[i] != "{":
        return None
    den, j = latex_group(s, i)
    return (num, den) if j == len(s) else None


def _split_sum(s):
    """The summands of s at the top level (outside braces and \\left...\\right): the first
    as it is, the others as ``+ x`` or ``- x``."""
    out, depth, start, i = [], 0, 0, 0
    while i < len(s):
        if s.startswith(r"\left", i) or s.startswith(r"\right", i):
            depth += 1 if s.startswith(r"\left", i) else -1
            i += 5 if s.startswith(r"\left", i) else 6
            continue
        c = s[i]
        depth += (c == "{") - (c == "}")
        if depth == 0 and c in "+-" and i > 0 and s[i - 1] == " " and s[i + 1:i + 2] == " ":
            out.append(s[start:i].strip())
            start = i
        i += 1
    out.append(s[start:].strip())
    return [p for p in out if p]


def _body(ts, n_show, latex=False):
    shown = [t for t in ts if not (t.exact is not None and t.exact.is_zero())]
    out = " ".join(term_text(t, latex) for t in shown[:n_show])
    more = " + \\dots" if latex else " + ..."
    if len(shown) > n_show:
        return out + more
    if ts:
        nxt = ts[-1].exponent - Fraction(1, 2)
        o = f"O(k^{{{str(nxt)}}})" if latex else f"O(k^({str(nxt)}))"
        return (out + " + " if out else "") + o
    return out


def _line(S, name, ts, n_show, latex=False):
    """'limit + terms + O(...)' (the limit omitted when it is 0)."""
    lim = S.limits.get(name) if name in S.coordinates else None
    head = "" if lim is None or lim == 0 else mpmath.nstr(lim, 6, strip_zeros=True)
    head = head[:-2] if head.endswith(".0") else head
    body = _body(ts, n_show, latex) if ts else ""
    if not body:
        forall = (r" \quad\text{(for all $k$)}" if latex else " (for all k)") \
            if name in S.coordinates else ""
        return (head or "0") + forall
    if not head:
        return body[2:] if body.startswith("+ ") else "-" + body[2:]
    return f"{head} {body}"


def term_text(t, latex=False):
    """A :class:`~symcrit.series.SeriesTerm` as ``+ (form) k^(e)``: its closed form (derived,
    or ``~(...)`` when identified) or its value to 10 digits."""
    sg, mark, body = _signed(t, latex)
    if latex:
        return f"{sg} {mark}\\left({body}\\right) k^{{{str(t.exponent)}}}"
    return f"{sg} {mark}({body}) k^({str(t.exponent)})"
