r"""The house style of every figure symcrit draws.

* One set of matplotlib settings (:data:`HOUSE_STYLE`, applied by :func:`house_style`):
  type of at least 8 points at the saved size, light grids, no top and right spines.
* Labels in mathtext: an isotropy group ``ΔS_{k-1}`` is typeset as
  :math:`\mathrm{Fix}(\Delta S_{k-1})` (:func:`mathtext`, :func:`fix_mathtext`), a
  multiplicity such as ``(k-4)*(k-1)/2`` as a fraction (:func:`multiplicity_mathtext`).
* One colour (and marker) per irreducible representation in every figure
  (:func:`irrep_colour`, :func:`irrep_marker`): the label ``[k-m-a, λ]⊗[m-b, ν]`` is read as
  the pair of partitions (λ, ν) — the irreducible's shape beyond the large first rows —,
  the pairs are numbered in a fixed order (by size, then lexicographically), and the
  number picks the colour of a fixed palette.  Two irreducibles of one isotropy group have
  different pairs, so they never share a colour (up to :data:`PALETTE`'s 16 colours), and
  the same label has the same colour everywhere.
* Any format matplotlib writes, chosen by the suffix of the path (:func:`check_plot_path`
  refuses others in one line, listing the supported ones); ``dpi`` for raster formats.

matplotlib is imported only when a figure is drawn (never by ``import symcrit``), and only
its object-oriented interface is used (a :class:`~matplotlib.figure.Figure` on the Agg
canvas): no pyplot state, no global backend switch.

>>> mathtext("Δ(S_{k-2}×S_2)")
'$\\Delta (S_{k-2} \\times S_2)$'
>>> irrep_colour("[k-2,1]") == irrep_colour("[k-2,1]") != irrep_colour("[k-1]")
True
"""
from __future__ import annotations

import contextlib
import os
import re
import zlib
from collections.abc import Iterator
from itertools import product
from pathlib import Path
from typing import Any

from ..core import InputError, check_writable, latex_math_text
from ..symmetry import partitions

__all__ = ["HOUSE_STYLE", "PALETTE", "MARKERS", "DEFAULT_DPI", "house_style", "new_figure",
           "save_figure", "plot_formats", "check_plot_path", "mathtext", "fix_mathtext",
           "multiplicity_mathtext", "irrep_key", "irrep_index", "irrep_colour",
           "irrep_marker", "k_float"]

#: resolution of raster figures (dots per inch) unless ``dpi`` is given
DEFAULT_DPI = 200

#: the matplotlib settings of every figure (sizes in points at the saved size)
HOUSE_STYLE: dict[str, Any] = {
    "font.size": 9, "axes.titlesize": 10, "axes.labelsize": 9, "legend.fontsize": 8,
    "xtick.labelsize": 8, "ytick.labelsize": 8, "figure.titlesize": 10,
    "mathtext.fontset": "dejavusans", "axes.grid": True, "grid.alpha": 0.3,
    "grid.linewidth": 0.5, "axes.spines.top": False, "axes.spines.right": False,
    "lines.linewidth": 1.3, "lines.markersize": 4, "legend.frameon": False,
    "legend.handlelength": 2.4, "savefig.bbox": "tight", "savefig.pad_inches": 0.05,
    "svg.fonttype": "none", "pdf.fonttype": 42, "ps.fonttype": 42,
}

#: the colours of the irreducibles, in the order of :func:`irrep_index` (tab10, then six
#: darker shades that stay apart from it)
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#e7ba52", "#843c39", "#5254a3",
           "#637939", "#7b4173")

#: the markers of the irreducibles (in the order of :func:`irrep_index`)
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "p", "h", "*")


@contextlib.contextmanager
def house_style() -> Iterator[None]:
    """A context in which matplotlib draws in the house style (:data:`HOUSE_STYLE`).

    >>> with house_style():
    ...     import matplotlib
    ...     matplotlib.rcParams["legend.fontsize"]
    8.0
    """
    matplotlib = _matplotlib()
    with matplotlib.rc_context(HOUSE_STYLE):
        yield


def _matplotlib():
    try:
        import matplotlib
    except ImportError:   # pragma: no cover
        raise InputError("plotting needs matplotlib: pip install 'symcrit[plot]'") from None
    return matplotlib


def new_figure(width: float, height: float, nrows: int = 1, ncols: int = 1,
               **kwargs: Any) -> tuple[Any, Any]:
    """A :class:`~matplotlib.figure.Figure` of ``width`` × ``height`` inches on the Agg
    canvas (no pyplot, no display) and its axes (``squeeze`` as in
    :func:`matplotlib.pyplot.subplots`; ``kwargs`` go to ``Figure.subplots``).  Call inside
    :func:`house_style`.

    >>> with house_style():
    ...     fig, ax = new_figure(3, 2)
    >>> type(fig).__name__
    'Figure'
    """
    _matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, **kwargs)
    return fig, axes


def plot_formats() -> list[str]:
    """The file suffixes matplotlib writes here (without the dot), sorted.

    >>> {"png", "pdf", "svg"} <= set(plot_formats())
    True
    """
    _matplotlib()
    from matplotlib.backend_bases import FigureCanvasBase
    return sorted(FigureCanvasBase.get_supported_filetypes())


def check_plot_path(path: str | os.PathLike[str] | None, option: str = "--plot",
                    dpi: int | None = None) -> None:
    """Refuse, before any work, a figure path whose suffix is not a format matplotlib
    writes (the message lists them) or that cannot be written
    (:func:`symcrit.core.check_writable`), and a ``dpi`` outside 10 to 2400; a path
    ``None`` passes.

    Raises
    ------
    InputError
        In one line.

    >>> check_plot_path("figure.pdf")
    >>> check_plot_path("figure.txt")
    Traceback (most recent call last):
    ...
    symcrit.core.errors.InputError: --plot: cannot write a figure as '.txt' (figure.txt); supported: ...
    """
    if dpi is not None and (isinstance(dpi, bool) or not 10 <= dpi <= 2400):
        raise InputError(f"--dpi must be from 10 to 2400, got {dpi}")
    if path is None:
        return
    suffix = Path(path).suffix.lower()
    formats = plot_formats()
    if suffix[1:] not in formats:
        raise InputError(f"{option}: cannot write a figure as {suffix or 'no suffix'!r} "
                         f"({os.fspath(path)}); supported: " + ", ".join(formats))
    check_writable(path, option)


def save_figure(fig: Any, path: str | os.PathLike[str], dpi: int | None = None) -> None:
    """Write ``fig`` to ``path`` in the format of its suffix (``dpi`` for raster formats,
    default :data:`DEFAULT_DPI`).

    Raises
    ------
    InputError
        A format matplotlib does not write, or a path that cannot be written (one line).
    """
    check_plot_path(path, "plot", dpi)
    try:
        fig.savefig(path, dpi=dpi or DEFAULT_DPI)
    except OSError as exc:
        raise InputError(f"cannot write the plot {os.fspath(path)!r}: "
                         f"{exc.strerror or exc}") from None


# ----------------------------------------------------------------------------- labels
def mathtext(label: Any) -> str:
    r"""A label printed by symcrit (isotropy groups ``ΔS_{k-1}``, irreducibles
    ``[k-3,1]⊗[2]``, ``; n=k+1``) as mathtext (``$…$``), through
    :func:`symcrit.core.latex.latex_math_text`.

    >>> mathtext("ΔS_{k-1}")
    '$\\Delta S_{k-1}$'
    >>> mathtext("[k-3,1]⊗[2]")
    '$[k-3,1] \\otimes [2]$'
    """
    return "$" + latex_math_text(str(label)).replace("; ", r";\ ") + "$"


def fix_mathtext(isotropy: Any) -> str:
    r"""The fixed space of an isotropy group as mathtext: ``ΔS_{k-1}`` →
    ``$\mathrm{Fix}(\Delta S_{k-1})$`` (a wider student's ``; n=k+1`` stays outside the
    parentheses).

    >>> fix_mathtext("ΔS_{k-1}")
    '$\\mathrm{Fix}(\\Delta S_{k-1})$'
    >>> fix_mathtext("Δ(S_{k-2}×S_2)")
    '$\\mathrm{Fix}(\\Delta (S_{k-2} \\times S_2))$'
    """
    group, _, rest = str(isotropy).partition(";")
    out = rf"\mathrm{{Fix}}({latex_math_text(group.strip())})"
    if rest.strip():
        out += r",\ " + latex_math_text(rest.strip())
    return f"${out}$"


def multiplicity_mathtext(m: Any) -> str:
    r"""A multiplicity (a polynomial in k, sympy, or a number) as mathtext, fractions on
    one line (legible at legend size).

    >>> import sympy
    >>> k = sympy.Symbol("k")
    >>> multiplicity_mathtext((k - 4) * (k - 1) / 2)
    '$\\left(k - 4\\right) \\left(k - 1\\right) / 2$'
    >>> multiplicity_mathtext(1)
    '$1$'
    """
    import sympy
    try:
        return f"${sympy.latex(sympy.sympify(m), fold_short_frac=True)}$"
    except (sympy.SympifyError, TypeError):
        return f"${latex_math_text(str(m))}$"


# ----------------------------------------------------------------------------- colours
_FIRST = re.compile(r"\[k(?:-(\d+))?((?:,\d+)*)\]")
_SECOND = re.compile(r"⊗\[(\d+)((?:,\d+)*)\]$")


def irrep_key(label: str) -> tuple[tuple[int, ...], tuple[int, ...]] | None:
    """The shape of an irreducible beyond its first rows: ``[k-m-a, λ]⊗[m-b, ν]`` → (λ, ν)
    (None for a label not of this form).

    >>> irrep_key("[k-3,1]⊗[2]"), irrep_key("[k-2,1]"), irrep_key("[k-5]⊗[3,1,1]")
    (((1,), ()), ((1,), ()), ((), (1, 1)))
    """
    label = str(label).strip()
    m = _FIRST.match(label)
    if m is None:
        return None
    lam = tuple(int(p) for p in m.group(2).split(",")[1:])
    rest = label[m.end():]
    if not rest:
        return lam, ()
    s = _SECOND.fullmatch(rest)
    if s is None:
        return None
    return lam, tuple(int(p) for p in s.group(2).split(",")[1:])


def _shape_order(max_size=8):
    order = {}
    for size in range(max_size + 1):
        for a in range(size, -1, -1):
            for lam, nu in product(partitions(a), partitions(size - a)):
                order[(lam, nu)] = len(order)
    return order


_ORDER = _shape_order()


def irrep_index(label: str) -> int:
    """The place of an irreducible in the fixed order of shapes (:func:`irrep_key`: by the
    size of λ and ν, then lexicographically); a label of another form gets a stable hash
    (CRC-32) of its text.

    >>> [irrep_index(x) for x in ("[k]", "[k-1,1]", "[k-2,1]", "[k-2]⊗[1,1]", "[k-3,2]")]
    [0, 1, 1, 2, 3]
    """
    key = irrep_key(label)
    if key is not None and key in _ORDER:
        return _ORDER[key]
    return zlib.crc32(str(label).encode("utf-8")) % 997 + len(_ORDER)


def irrep_colour(label: str) -> str:
    """The colour of an irreducible in every figure (a hex string of :data:`PALETTE`).

    >>> irrep_colour("[k-1,1]") == irrep_colour("[k-2,1]") == PALETTE[1]
    True
    """
    return PALETTE[irrep_index(label) % len(PALETTE)]


def irrep_marker(label: str) -> str:
    """The marker of an irreducible in every figure (one of :data:`MARKERS`).

    >>> irrep_marker("[k]")
    'o'
    """
    return MARKERS[irrep_index(label) % len(MARKERS)]


def k_float(k: Any) -> float:
    """A k as written by symcrit (``12``, ``7.3``, ``73/10``, ``10^12``, mpf, Fraction) as a
    float, for an axis.

    >>> k_float("73/10"), k_float("10^12")
    (7.3, 1000000000000.0)
    """
    from fractions import Fraction
    text = str(k).strip().replace(" ", "")
    try:
        return float(Fraction(text))
    except (ValueError, ZeroDivisionError):
        pass
    m = re.fullmatch(r"(\d+)\^(\d+)", text)
    if m:
        return float(int(m.group(1)) ** int(m.group(2)))
    return float(k)
