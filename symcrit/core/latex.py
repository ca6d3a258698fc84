r"""LaTeX in one place: numbers in math mode, text and labels made safe, tables, whole
documents, sympy's LaTeX with symcrit's conventions, the sympy printing protocol of result
objects, and a check with a real engine.

Every piece of LaTeX symcrit writes follows these rules, so that it compiles inside a
standard document (``article`` with ``amsmath``, ``amssymb`` and, for tables,
``booktabs``):

- **Numbers in math mode**: ``$-0.0653$``, ``$5.92 \times 10^{-5}$``, never ``5.92e-5`` in
  text, where the minus sign would come out as a hyphen (:func:`latex_number`).
- **No row starts with** ``[``: after ``\\`` LaTeX reads ``[k-2]`` as the optional length
  of the line break (``\\[length]``) and stops with "Missing number"; every cell is
  therefore written in braces (:func:`latex_table`, :func:`latex_array`).
- **No raw Unicode**: ``Δ``, ``×``, ``⊗``, ``λ``, ``ε``, ``→``, ``≥`` … become LaTeX commands,
  in text (:func:`latex_text`) and in math (:func:`latex_math_text`).
- **Inverse trigonometric functions written out**: ``\arccos``, not
  ``\operatorname{acos}``, so that sympy's ``parse_latex`` reads formulas back
  (:func:`sympy_latex`).  Code generation keeps ``acos`` (:mod:`symcrit.core.codegen`).
- **Tables with booktabs** in documents; arrays inside formulas use ``\hline``, which
  MathJax (Jupyter) understands as well.

Result objects print themselves through :class:`SympyConvertible`: ``as_expr()`` gives a
sympy object and ``sympy.latex``, ``sympy.pretty``, ``sympy.sstr`` and ``sympy.srepr`` print
that object through sympy's printer hooks (``_latex``, ``_pretty``, ``_sympystr``,
``_sympyrepr``).

>>> latex_number("5.92214451233e-5"), latex_number(-0.0653)
('5.92214451233 \\times 10^{-5}', '-0.0653')
>>> print(latex_table(["$k$", "irrep"], [["6", "$[k-1]$"]], "rl"))
\begin{tabular}{rl}
\toprule
{$k$} & {irrep} \\
\midrule
{6} & {$[k-1]$} \\
\bottomrule
\end{tabular}
>>> latex_text("loss ~ 0.297/k (6 <= k <= 20) & ΔS_{k-1}")
'loss $\\sim$ 0.297/k (6 $\\leq$ k $\\leq$ 20) \\& $\\Delta$S\\_\\{k-1\\}'
>>> latex_math_text("[k-2]⊗[2]#1")
'[k-2] \\otimes [2]\\#1'
"""
from __future__ import annotations

import math
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from .errors import SymcritError

__all__ = ["LatexError", "SympyConvertible", "PACKAGES", "sympy_latex", "latex_number",
           "latex_text", "latex_math_text", "latex_table", "latex_array", "latex_summary",
           "latex_document", "latex_group", "latex_width", "latex_lines", "latex_equation",
           "latex_engine", "compile_latex"]

#: the packages of every document symcrit writes (all in TeX Live's latex-base and
#: latex-recommended sets)
PACKAGES = ("amsmath", "amssymb", "booktabs")


class LatexError(SymcritError):
    """A LaTeX engine rejected a document (the message has the first error of its log),
    or there is no engine."""


# ----------------------------------------------------------------------------- sympy
def sympy_latex(expr, **settings):
    r"""``sympy.latex`` with symcrit's conventions: inverse trigonometric functions written
    out (``\arccos``, which ``parse_latex`` reads back), a symbol before a parenthesis
    braced (``{k} \left(k - 1\right)``: read back as a product, not as a call of k),
    other settings passed on.

    >>> import sympy
    >>> x, k = sympy.symbols("x k")
    >>> sympy_latex(sympy.acos(x)), sympy_latex(k * (k - 1 + sympy.pi))
    ('\\arccos{\\left(x \\right)}', '{k} \\left(k - 1 + \\pi\\right)')
    """
    import sympy
    settings.setdefault("inv_trig_style", "full")
    return _CALL_LIKE.sub(r"{\1} \\left(", sympy.latex(expr, **settings))


#: ``k \left(...\right)``, which ``parse_latex`` reads as a function k applied to (...);
#: braced (``{k} \left(``) it reads as a product, and prints the same
_CALL_LIKE = re.compile(r"(?<![\\A-Za-z])([A-Za-z](?:_\{\d+\})?|\\pi) \\left\(")


class SympyConvertible:
    r"""Mixin: an object that converts to a sympy object by ``as_expr()``.

    ``sympy.sympify(obj)`` (through ``_sympy_``) gives ``obj.as_expr()``, and sympy's
    printers print that object: ``sympy.latex(obj) == sympy.latex(obj.as_expr())``, and
    the same for ``sympy.pretty``, ``sympy.sstr`` and ``sympy.srepr``.  Subclasses define
    :meth:`as_expr`.

    >>> import sympy
    >>> class Half(SympyConvertible):
    ...     def as_expr(self):
    ...         return sympy.Rational(1, 2) + sympy.Symbol("x")
    >>> sympy.latex(Half()), sympy.sympify(Half()) * 2
    ('x + \\frac{1}{2}', 2*x + 1)
    """
    __slots__ = ()

    def as_expr(self):                 # pragma: no cover - every subclass defines it
        """The object as a sympy expression (or matrix) that sympy's printers print."""
        raise NotImplementedError

    def _sympy_(self):
        return self.as_expr()

    def _latex(self, printer):
        return printer._print(self.as_expr())

    def _pretty(self, printer):
        return printer._print(self.as_expr())

    def _sympystr(self, printer):
        return printer._print(self.as_expr())

    def _sympyrepr(self, printer):
        return printer._print(self.as_expr())


# ----------------------------------------------------------------------------- numbers
_NUMBER = re.compile(r"^\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$")


def latex_number(x, digits=None):
    r"""A number as math-mode LaTeX (without the ``$``): ``-0.065``, ``5.92 \times 10^{-5}``.

    Parameters
    ----------
    x : int, float, mpmath.mpf, Fraction or str
        A number, or its decimal text (``"5.92e-5"``, as :func:`mpmath.nstr` prints).
    digits : int, optional
        Significant digits for a float or mpf (default: mpmath's ``nstr`` default, 6).

    Returns
    -------
    str

    Examples
    --------
    >>> import mpmath
    >>> latex_number(mpmath.mpf("1e-31"), 3), latex_number("1.0e+12"), latex_number(7)
    ('1.0 \\times 10^{-31}', '1.0 \\times 10^{12}', '7')
    >>> latex_number(float("inf")), latex_number("-"), latex_number(9.867e-11, 3)
    ('\\infty', '-', '9.87 \\times 10^{-11}')
    """
    from fractions import Fraction
    if isinstance(x, Fraction):
        if x.denominator == 1:
            return str(x.numerator)
        sign = "-" if x < 0 else ""
        return rf"{sign}\frac{{{abs(x.numerator)}}}{{{x.denominator}}}"
    if isinstance(x, bool):
        return r"\text{%s}" % x
    if isinstance(x, int):
        return str(x)
    if isinstance(x, str):
        text = x.strip()
    else:
        import mpmath
        if isinstance(x, float) and not math.isfinite(x):
            text = "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
        else:
            text = mpmath.nstr(mpmath.mpf(x) if isinstance(x, float) else x, digits or 6)
    low = text.lower().lstrip("+")
    if low in ("inf", "+inf", "-inf"):
        return r"-\infty" if low.startswith("-") else r"\infty"
    if low == "nan":
        return r"\mathrm{NaN}"
    m = _NUMBER.match(text)
    if not m or not (m.group(2) or m.group(3)):
        return latex_math_text(text)
    sign, whole, frac, exp = m.groups()
    mant = (whole or "0") + (f".{frac}" if frac is not None else "")
    sign = "-" if sign == "-" else ""
    if exp is None or int(exp) == 0:
        return sign + mant
    return rf"{sign}{mant} \times 10^{{{int(exp)}}}"


# ----------------------------------------------------------------------------- text
#: Unicode that symcrit prints, as math-mode LaTeX
_MATH = {"Δ": r"\Delta", "×": r"\times", "⊗": r"\otimes", "⊕": r"\oplus", "≅": r"\cong",
         "λ": r"\lambda", "ε": r"\varepsilon", "ξ": r"\xi", "π": r"\pi", "η": r"\eta",
         "ρ": r"\rho", "σ": r"\sigma", "μ": r"\mu", "ν": r"\nu", "α": r"\alpha",
         "β": r"\beta", "γ": r"\gamma", "δ": r"\delta", "τ": r"\tau", "θ": r"\theta",
         "∞": r"\infty", "→": r"\to", "←": r"\leftarrow", "≥": r"\geq", "≤": r"\leq",
         "≈": r"\approx", "≠": r"\neq", "±": r"\pm", "∓": r"\mp", "·": r"\cdot",
         "∈": r"\in", "∂": r"\partial", "∇": r"\nabla", "√": r"\surd", "∼": r"\sim",
         "ᵀ": r"^{\top}", "²": r"^{2}", "³": r"^{3}", "⁻": r"^{-}", "¹": r"^{1}",
         "½": r"\tfrac{1}{2}", "…": r"\dots", "−": "-", "∑": r"\sum", "∏": r"\prod",
         "∩": r"\cap", "∪": r"\cup", "⊂": r"\subset", "⊆": r"\subseteq", "∅": r"\emptyset",
         "≡": r"\equiv", "⋯": r"\cdots", "ℝ": r"\mathbb{R}", "ℚ": r"\mathbb{Q}",
         "ℤ": r"\mathbb{Z}", "ℕ": r"\mathbb{N}", "Σ": r"\Sigma", "Π": r"\Pi",
         "Γ": r"\Gamma", "Λ": r"\Lambda", "Ω": r"\Omega", "ω": r"\omega", "φ": r"\varphi",
         "χ": r"\chi", "κ": r"\kappa", "ζ": r"\zeta", "ψ": r"\psi"}
#: Unicode in text that has a text-mode spelling
_TEXT = {"–": "--", "—": "---", "‘": "`", "’": "'", "“": "``", "”": "''", "é": r"\'e",
         "è": r"\`e", "ö": r'\"o', "ü": r'\"u', "ä": r'\"a', "ñ": r"\~n", "\u00a0": "~"}
_SPECIAL = {"&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{",
            "}": r"\}", "~": r"$\sim$", "^": r"\textasciicircum{}",
            "\\": r"\textbackslash{}", "<": r"\textless{}", ">": r"\textgreater{}",
            "|": r"\textbar{}"}
_TEXT_PAIRS = (("<=", r"$\leq$"), (">=", r"$\geq$"), ("->", r"$\to$"), ("<-", r"$\leftarrow$"))


def latex_text(s):
    r"""Plain (Unicode) text as text-mode LaTeX: special characters escaped, ``<=``, ``->``
    and symbols such as Δ, ×, λ, ε, → in math mode, ```code``` in typewriter type;
    anything else outside ASCII becomes ``?``.

    >>> latex_text("a -> -1, `symcrit threshold`, 50%")
    'a $\\to$ -1, \\texttt{symcrit threshold}, 50\\%'
    """
    out = []
    parts = re.split(r"(`[^`]*`)", str(s))
    for part in parts:
        if len(part) >= 2 and part.startswith("`") and part.endswith("`"):
            out.append(r"\texttt{" + latex_text(part[1:-1]) + "}")
            continue
        i = 0
        while i < len(part):
            pair = next((t for p, t in _TEXT_PAIRS if part.startswith(p, i)), None)
            if pair is not None:
                out.append(pair)
                i += 2
                continue
            c = part[i]
            if c in _SPECIAL:
                out.append(_SPECIAL[c])
            elif c in _MATH:
                out.append(f"${_MATH[c]}$")
            elif c in _TEXT:
                out.append(_TEXT[c])
            elif ord(c) < 128:
                out.append(c)
            else:
                out.append("?")
            i += 1
    return "".join(out)


def latex_math_text(s):
    r"""A label printed by symcrit (irreducibles ``[k-2]⊗[2]``, eigenvalue labels
    ``[k-1]#2``, isotropy groups ``ΔS_{k-1}``) as math-mode LaTeX.

    >>> latex_math_text("Δ(S_{k-2}×S_2)")
    '\\Delta (S_{k-2} \\times S_2)'
    """
    out = []
    for c in str(s):
        if c in _MATH:
            m = _MATH[c]
            out.append(f" {m} " if c in "×⊗⊕≅→≥≤≈≠±∓·∈∼≡∩∪⊂⊆" else
                       (m if m.startswith("^") else m + " "))
        elif c in "#%&$":
            out.append("\\" + c)
        elif c == "~":
            out.append(r"\sim ")
        elif ord(c) < 128:
            out.append(c)
        else:
            out.append("?")
    return re.sub(r"  +", " ", "".join(out)).strip().replace(" ^", "^").replace(" )", ")")


# ----------------------------------------------------------------------------- tables
def _row(cells):
    # every cell braced: a row never starts with '[' (read as \\[length] after \\)
    return " & ".join("{" + str(c) + "}" for c in cells) + r" \\"


def latex_table(header, rows, align=None):
    r"""A ``tabular`` with ``booktabs`` rules (``\toprule``, ``\midrule``,
    ``\bottomrule``): header and rows are lists of cells, already LaTeX (text mode;
    numbers as ``$...$``, see :func:`latex_number`).  Every cell is braced, so that a row
    may start with ``[``.

    Parameters
    ----------
    header : list of str
    rows : list of list of str
    align : str, optional
        Column alignment (default: ``l`` then ``r`` for the rest).

    Returns
    -------
    str
        Needs ``\usepackage{booktabs}``.
    """
    align = align or "l" + "r" * (len(header) - 1)
    lines = [rf"\begin{{tabular}}{{{align}}}", r"\toprule", _row(header), r"\midrule"]
    lines += [_row(r) for r in rows]
    lines += [r"\bottomrule", r"\end{tabular}"]
    return "\n".join(lines)


def latex_array(header, rows, align=None):
    r"""An ``array`` for use inside a formula (math-mode cells), with ``\hline`` under the
    header (MathJax, as Jupyter uses it, has no booktabs).  Every cell is braced.

    >>> print(latex_array([r"\text{irrep}", r"\dim"], [["[k-1]", "1"]], "lr"))
    \begin{array}{lr}
    {\text{irrep}} & {\dim} \\
    \hline
    {[k-1]} & {1} \\
    \end{array}
    """
    align = align or "l" + "r" * (len(header) - 1)
    lines = [rf"\begin{{array}}{{{align}}}", _row(header), r"\hline"]
    lines += [_row(r) for r in rows]
    lines.append(r"\end{array}")
    return "\n".join(lines)


def latex_summary(title, items):
    r"""A result object's ``_repr_latex_``: a display formula with a bold title and
    ``name: value`` rows (names plain text, where ``$...$`` is math; values math-mode
    LaTeX).

    >>> print(latex_summary("threshold of type-A", [("k", "5.5855"), ("block", "[k-2,1]")]))
    $$\begin{array}{ll}
    {\textbf{threshold of type-A}} & {} \\
    \hline
    {\text{k}} & {5.5855} \\
    {\text{block}} & {[k-2,1]} \\
    \end{array}$$
    """
    rows = [[_text_with_math(n), v] for n, v in items]
    body = latex_array([r"\textbf{" + latex_text(title) + "}", ""], rows, "ll")
    return f"$${body}$$"


def _text_with_math(s):
    """Text with ``$...$`` math as math-mode LaTeX: ``\\text{...}`` around the text (no
    ``$`` inside ``\\text``, which MathJax does not read)."""
    parts = re.split(r"(\$[^$]*\$)", str(s))
    return " ".join(p[1:-1] if len(p) >= 2 and p[0] == p[-1] == "$" else
                    r"\text{" + latex_text(p) + "}" for p in parts if p)


def latex_document(body, title=None, packages=PACKAGES, margin="2cm", fontsize="11pt"):
    r"""A complete standalone document around ``body`` (``article``, the ``packages``,
    ``geometry`` margins, ``\allowdisplaybreaks`` so that long ``align*`` blocks break
    across pages).

    >>> doc = latex_document(r"\[ x^2 \]", title="A test")
    >>> doc.splitlines()[0], doc.rstrip().splitlines()[-1]
    ('\\documentclass[11pt]{article}', '\\end{document}')
    """
    pre = [rf"\documentclass[{fontsize}]{{article}}",
           rf"\usepackage[margin={margin}]{{geometry}}"]
    pre += [rf"\usepackage{{{p}}}" for p in packages]
    pre += [r"\allowdisplaybreaks", r"\setlength{\parindent}{0pt}",
            r"\setlength{\parskip}{0.5ex}", r"\begin{document}"]
    if title:
        pre.append(r"\section*{" + latex_text(title) + "}")
    return "\n".join(pre + [body.rstrip(), r"\end{document}", ""])


# ----------------------------------------------------------------------------- long formulas
def latex_group(s, i):
    r"""The braced group starting at s[i] == '{': (its content, the index after it).

    >>> latex_group(r"\frac{1}{2}", 5)
    ('1', 8)
    """
    depth = 0
    for j in range(i, len(s)):
        depth += (s[j] == "{") - (s[j] == "}")
        if depth == 0:
            return s[i + 1:j], j + 1
    return s[i + 1:], len(s)


def latex_width(s):
    r"""A rough width of a LaTeX formula in digit widths: ``\frac`` counts its wider part,
    super- and subscripts 0.7, operators with their spacing 2 (a line of an 11pt article
    with 2 cm margins holds about 85).

    >>> latex_width(r"\frac{1}{2} + \pi^{2}") < latex_width("1/2 + pi**2")
    True
    """
    w, i = 0.0, 0
    while i < len(s):
        c = s[i]
        if s.startswith(r"\frac", i) and s[i + 5:i + 6] == "{":
            a, i = latex_group(s, i + 5)
            b, i = latex_group(s, i) if i < len(s) and s[i] == "{" else ("", i)
            w += max(latex_width(a), latex_width(b)) + 0.5
            continue
        if c == "\\":
            j = i + 1
            while j < len(s) and s[j].isalpha():
                j += 1
            cmd = s[i + 1:j] or s[j:j + 1]
            i = max(j, i + 2) if not s[i + 1:j] else j
            w += {"left": 0, "right": 0, "bigl": 0.5, "bigr": 0.5, "biggl": 0.7,
                  "biggr": 0.7, "quad": 2, "qquad": 4, "text": 0, "mathrm": 0,
                  "operatorname": 0, "dots": 3, "sim": 1.5, "arccos": 5,
                  "sqrt": 1.5}.get(cmd, 0.3 if not cmd.isalpha() else 1)
            continue
        if c in "^_":
            if i + 1 < len(s) and s[i + 1] == "{":
                a, i = latex_group(s, i + 1)
            else:
                a, i = s[i + 1:i + 2], i + 2
            w += 0.7 * latex_width(a)
            continue
        if c in "+-=":
            w += 2
        elif c not in "{} ":
            w += 1
        i += 1
    return w


def latex_lines(pieces, width):
    r"""Pieces of a formula joined into lines no wider than ``width`` (:func:`latex_width`;
    a wider piece gets a line of its own, and so does a piece that opens a
    ``\bigl(`` or ``\biggl(``).  ``width`` None: one line.

    >>> latex_lines(["a", "+ b", "+ c"], 5)
    ['a + b', '+ c']
    """
    if width is None:
        return [" ".join(pieces)]
    lines, cur, w = [], [], 0.0
    for p in pieces:
        pw = latex_width(p)
        opens = r"\bigl(" in p or r"\biggl(" in p
        if cur and (w + pw > width or opens):
            lines.append(" ".join(cur))
            cur, w = [], 0.0
        cur.append(p)
        w += pw + 0.5
    if cur:
        lines.append(" ".join(cur))
    return lines


def latex_equation(lhs, expr, width=62, environment="align*"):
    r"""``lhs = expr`` for a long sympy expression: a display (``align*``, which may break
    across pages) with the terms of the sum spread over lines of at most ``width``
    (:func:`latex_width`), written by :func:`sympy_latex` (``\arccos``).

    >>> import sympy
    >>> x = sympy.Symbol("x")
    >>> print(latex_equation("f", sum(x ** i for i in range(1, 5)), width=8))
    \begin{align*}
    f &= x^{4} + x^{3} \\
    &\quad + x^{2} + x
    \end{align*}
    """
    import sympy
    terms = expr.as_ordered_terms() if isinstance(expr, sympy.Add) else [expr]
    pieces = []
    for t in terms:
        if pieces and t.could_extract_minus_sign():
            pieces.append("- " + sympy_latex(-t))
        else:
            pieces.append(("+ " if pieces else "") + sympy_latex(t))
    lines = latex_lines(pieces, width)
    return (f"\\begin{{{environment}}}\n{lhs} &= {lines[0]}"
            + "".join(f" \\\\\n&\\quad {ln}" for ln in lines[1:])
            + f"\n\\end{{{environment}}}")


# ----------------------------------------------------------------------------- engine
def latex_engine(name="pdflatex"):
    """The path of a LaTeX engine (default ``pdflatex``), or None when none is installed
    (Debian: ``apt-get install texlive-latex-base texlive-latex-recommended``)."""
    return shutil.which(name)


def compile_latex(source, engine=None, timeout=120, workdir=None):
    r"""Compile a LaTeX document with a real engine and return the PDF (bytes).

    The engine runs without shell escape, in batch mode, stopping at the first error.

    Parameters
    ----------
    source : str
        A complete document (see :func:`latex_document`).
    engine : str, optional
        Path or name of the engine (default: :func:`latex_engine`).
    timeout : float
        Seconds before the run is abandoned.
    workdir : path, optional
        Where to compile (default: a temporary directory, removed afterwards); the
        ``.tex``, ``.log`` and ``.pdf`` are left there.

    Returns
    -------
    bytes
        The PDF.

    Raises
    ------
    LatexError
        No engine, a timeout, or an error in the document (the message quotes the log).
    """
    engine = engine or latex_engine()
    if not engine or not shutil.which(engine):
        raise LatexError("no LaTeX engine (pdflatex) is installed")
    tmp = None
    if workdir is None:
        tmp = tempfile.TemporaryDirectory(prefix="symcrit-latex-")
        workdir = tmp.name
    try:
        path = Path(workdir)
        (path / "doc.tex").write_text(source, encoding="utf-8")
        try:
            run = subprocess.run([engine, "-interaction=nonstopmode", "-halt-on-error",
                                  "-no-shell-escape", "doc.tex"], cwd=path,
                                 capture_output=True, timeout=timeout,
                                 stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise LatexError(f"{engine} did not finish in {timeout} s") from None
        pdf = path / "doc.pdf"
        if run.returncode != 0 or not pdf.exists():
            log = (path / "doc.log").read_text(errors="replace") \
                if (path / "doc.log").exists() else run.stdout.decode(errors="replace")
            raise LatexError(_first_error(log))
        return pdf.read_bytes()
    finally:
        if tmp is not None:
            tmp.cleanup()


def _first_error(log):
    lines = log.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("!"):
            return " | ".join(s.strip() for s in lines[i:i + 4] if s.strip())
    return "the engine failed: " + " | ".join(lines[-5:])
