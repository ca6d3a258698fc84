r"""The series of a family as text, LaTeX and JSON.

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

from ..core import dec

__all__ = ["series_json", "series_text", "series_latex", "term_text"]


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
                           "multiplicity": str(S.eigen_info[lab][1]).replace(" ", ""),
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


def series_latex(S):
    """The series ``S`` as a LaTeX ``aligned`` block (identified closed forms marked ~)."""
    out = []
    for n, ts in list(S.coordinates.items()) + [("L", S.loss)] + [
            (lab, ts) for lab, ts in S.eigenvalues.items()]:
        name = n if n in S.coordinates or n == "L" else \
            f"\\lambda_{{{n.replace('#', chr(92) + '#')}}}"
        out.append(f"{name} &= {_line(S, n, ts, 6, latex=True)}")
    return "\\begin{aligned}\n" + " \\\\\n".join(out) + "\n\\end{aligned}"


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
    form = t.exact if t.exact is not None else t.identified
    mark = "" if t.exact is not None or t.identified is None else "~"
    if form is None:
        neg = t.value < 0
        body = mpmath.nstr(abs(t.value), 10)
    else:
        body = form.text(latex)
        neg = body.startswith("-")
        if neg:
            body = (-form).text(latex)
    sg = "-" if neg else "+"
    if latex:
        return f"{sg} {mark}\\left({body}\\right) k^{{{str(t.exponent)}}}"
    return f"{sg} {mark}({body}) k^({str(t.exponent)})"
