r"""The figure of a series verification (:func:`plot_series_verification`): the truncation
error of a family's series in :math:`\varepsilon = k^{-1/2}` against k on log–log axes.

A series through relative order :math:`\varepsilon^N` misses the refined value by about
:math:`\varepsilon^{N+1} = k^{-(N+1)/2}` relative to its leading term (Arjevani & Field
2021, arXiv:2107.10370), so on log–log axes the errors lie on lines of slope
:math:`-(N+1)/2` (steeper where the first omitted term vanishes).  The figure fits the
slope of each order (least squares over the k verified) and draws the expected one.
"""
from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import Any

from ..core import InputError
from .style import fix_mathtext, house_style, k_float, new_figure, save_figure

__all__ = ["plot_series_verification", "fitted_slope", "QUANTITIES"]

#: the quantities of a verification row (:func:`symcrit.series.verify_series`) and their
#: panel titles
QUANTITIES = {"coordinates": "coordinates (largest error)", "loss": "loss",
              "eigenvalues": "Hessian eigenvalues (largest error)"}

#: the reference lines of slope -(N+1)/2 start this many decades below the first error
#: (parallel to the data, not on top of it)
REFERENCE_OFFSET = 2.0

#: the colours of the orders N, lowest first
ORDER_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")


def fitted_slope(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """The least-squares slope of ``ys`` against ``xs`` (None for fewer than two points).

    >>> fitted_slope([0, 1, 2], [1, 3, 5])
    2.0
    """
    n = len(xs)
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return None
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx


def _log10(v):
    if v is None:
        return None
    import mpmath
    v = mpmath.mpf(v)
    if not v > 0 or not mpmath.isfinite(v):
        return None
    return float(mpmath.log10(v))


def plot_series_verification(rows: Sequence[dict[str, Any]], path: str | os.PathLike[str],
                             family: str | None = None, isotropy: str | None = None,
                             title: str | None = None, dpi: int | None = None) -> None:
    r"""Plot the truncation errors of a series verification against k (log–log), one panel
    per quantity (coordinates, loss, eigenvalues), one line per truncation order N, with
    the fitted slope annotated and the expected slope :math:`-(N+1)/2` as a dashed
    reference line (:data:`REFERENCE_OFFSET` decades below the first point).

    Parameters
    ----------
    rows : list of dict
        The rows of :meth:`symcrit.series.FamilySeries.verify` (``k``, ``order`` and the
        errors ``coordinates``, ``loss``, ``eigenvalues``; None where not computed).
    path : str or path
        Any format matplotlib writes (from the suffix).
    family, isotropy, title : str, optional
        For the title.
    dpi : int, optional

    Raises
    ------
    InputError
        No error to plot, or a path that cannot be written.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> rows = [{"k": k, "order": 2, "coordinates": k ** -1.5, "loss": None,
    ...          "eigenvalues": None} for k in (10 ** 4, 10 ** 6, 10 ** 8)]
    >>> plot_series_verification(rows, pathlib.Path(tempfile.mkdtemp()) / "v.pdf")
    """
    panels = [q for q in QUANTITIES if any(_log10(r.get(q)) is not None for r in rows)]
    if not panels:
        raise InputError("nothing to plot: no truncation error in the verification")
    orders = sorted({int(r["order"]) for r in rows})
    with house_style():
        fig, axes = new_figure(3.3 * len(panels) + 0.4, 3.6, 1, len(panels), squeeze=False)
        for ax, q in zip(axes[0], panels):
            for n, N in enumerate(orders):
                pts = [(math.log10(k_float(r["k"])), _log10(r.get(q))) for r in rows
                       if int(r["order"]) == N]
                pts = [(x, y) for x, y in pts if y is not None]
                if not pts:
                    continue
                c = ORDER_COLOURS[n % len(ORDER_COLOURS)]
                xs, ys = zip(*pts)
                s = fitted_slope(xs, ys)
                expected = -(N + 1) / 2
                lab = f"$N = {N}$" + (f": slope ${s:.2f}$" if s is not None else "")
                ax.plot([10 ** x for x in xs], [10 ** y for y in ys], "-o", color=c, ms=4,
                        label=lab)
                y0 = ys[0] - REFERENCE_OFFSET
                ax.plot([10 ** xs[0], 10 ** xs[-1]],
                        [10 ** y0, 10 ** (y0 + expected * (xs[-1] - xs[0]))],
                        ls=(0, (4, 3)), lw=1.0, color=c, alpha=0.8,
                        label=f"expected ${expected:g}$")
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xlabel("$k$")
            ax.set_title(QUANTITIES[q])
            ax.legend(loc="lower left")
        axes[0][0].set_ylabel("error relative to the leading term")
        fam = family or ""
        iso = f", {fix_mathtext(isotropy)}" if isotropy else ""
        fig.suptitle(title or f"series of {fam}{iso} against refined values: error "
                              r"$\sim k^{-(N+1)/2}$ (dashed: expected slope)")
        save_figure(fig, path, dpi)
