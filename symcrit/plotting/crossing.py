r"""The figure of a threshold (:func:`plot_thresholds`): the smallest eigenvalue of the
block that changes sign, against real k, through zero at the threshold found by
:func:`symcrit.transitions.thresholds`.

Along a family the eigenvalues of each isotypic block are analytic in the real parameter
k (Arjevani & Field 2020, arXiv:2008.01805); :func:`threshold_curve` follows the family to
a grid of real k around the threshold (:meth:`symcrit.critical.Family.follow`) and takes
the smallest eigenvalue of the block there (:func:`symcrit.spectra.hessian_blocks`, in
float64: a figure needs no more).
"""
from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

from ..core import InputError, generalized_eigh
from ..critical import get_family
from ..spectra import hessian_blocks
from ..symmetry import isotypic_decomposition
from .style import (fix_mathtext, house_style, irrep_colour, k_float, mathtext, new_figure,
                    save_figure)

__all__ = ["threshold_curve", "plot_thresholds", "CURVE_POINTS", "CURVE_WIDTH"]

#: the grid points of a curve around a threshold
CURVE_POINTS = 25

#: the half-width of the k window around a threshold, relative to the threshold
CURVE_WIDTH = 0.12


def threshold_curve(t: Any, points: int = CURVE_POINTS, width: float = CURVE_WIDTH,
                    dps: int = 15, progress: Callable[[Any], Any] | None = None
                    ) -> tuple[list[float], list[float]]:
    r"""The smallest eigenvalue of the block that crosses zero at the threshold ``t`` (a
    :class:`symcrit.transitions.Threshold`) on ``points`` real k spread evenly over
    :math:`k^* (1 \pm \text{width})` (cut above the least k where the block layout holds).

    Returns
    -------
    ks, values : list of float
        The k the family was followed to (points where it was lost are left out) and the
        smallest eigenvalue of block ``t.irrep`` there.

    Examples
    --------
    >>> from symcrit import threshold
    >>> t = threshold("type-A", k_max=7, dps=20)
    >>> ks, vs = threshold_curve(t, points=5, width=0.05)
    >>> vs[0] < 0 < vs[-1]
    True
    """
    fam = get_family(t.family)
    kt = k_float(t.k)
    lo = max(float(fam.k_min), float(isotypic_decomposition(fam.isotropy).generic_k_min)) \
        + 0.05
    a, b = max(lo, kt * (1 - width)), kt * (1 + width)
    if not b > a:
        raise InputError(f"no room for a curve around k = {kt:.6g}")
    ks = [a + (b - a) * i / (points - 1) for i in range(points)]
    found, _ = fam.follow(ks, dps, progress)
    pts = sorted(found.values(), key=lambda p: k_float(p.k))
    out_k, out_v = [], []
    for p in pts:
        xi = [float(x) for x in p.xi]
        for blk in hessian_blocks(fam.isotropy, xi, k_float(p.k), system="float"):
            if blk.irrep == t.irrep:
                out_k.append(k_float(p.k))
                out_v.append(float(generalized_eigh(blk.A, blk.B, "float")[0]))
    return out_k, out_v


def plot_thresholds(found: Sequence[Any], path: str | os.PathLike[str],
                    curves: Sequence[tuple[Sequence[float], Sequence[float]]] | None = None,
                    title: str | None = None, dpi: int | None = None,
                    progress: Callable[[Any], Any] | None = None) -> None:
    """Plot each threshold (one panel each): the smallest eigenvalue of the crossing block
    against real k, the zero line, the threshold k* marked and labelled with its digits,
    and the two sides shaded by the type of the family there (``before`` / ``after``).

    Parameters
    ----------
    found : list of Threshold
        From :func:`symcrit.transitions.thresholds` (or one from
        :func:`~symcrit.transitions.threshold`).
    path : str or path
        Any format matplotlib writes (from the suffix).
    curves : list of (ks, values), optional
        The curves (default: :func:`threshold_curve` of each threshold).
    title : str, optional
    dpi : int, optional
    progress : callable, optional
        Passed to :func:`threshold_curve` (called with each point of the curves).

    Raises
    ------
    InputError
        No threshold, or a path that cannot be written.
    """
    if not found:
        raise InputError("nothing to plot: no threshold")
    if curves is None:
        curves = [threshold_curve(t, progress=progress) for t in found]
    side = {"minimum": "#2ca02c", "saddle": "#d62728"}
    with house_style():
        n = len(found)
        fig, axes = new_figure(4.6 * min(n, 3), 3.6 * -(-n // 3), -(-n // 3), min(n, 3),
                               squeeze=False)
        for ax, t, (ks, vs) in zip(axes.ravel(), found, curves):
            kt = k_float(t.k)
            c = irrep_colour(t.irrep)
            ax.plot(ks, vs, "-", color=c, lw=1.6,
                    label=f"smallest eigenvalue of block {mathtext(t.irrep)}")
            ax.axhline(0.0, color="black", lw=0.6)
            ax.axvline(kt, color="0.3", lw=0.8, ls=(0, (4, 3)))
            ax.plot([kt], [0.0], "o", color="black", ms=5, zorder=5,
                    label=f"$k^* = {float(t.k):.10g}$, "
                          rf"$d\lambda/dk = {float(t.slope):.4g}$")
            if ks:
                ax.axvspan(min(ks), kt, color=side.get(t.before, "0.5"), alpha=0.07, lw=0)
                ax.axvspan(kt, max(ks), color=side.get(t.after, "0.5"), alpha=0.07, lw=0)
                ax.set_xlim(min(ks), max(ks))
                ax.text(0.02, 0.97, t.before, transform=ax.transAxes, va="top",
                        color=side.get(t.before, "0.3"))
                ax.text(0.98, 0.03, t.after, transform=ax.transAxes, ha="right",
                        color=side.get(t.after, "0.3"))
            ax.set_xlabel("$k$ (real)")
            ax.set_ylabel(r"$\lambda_{\min}$ of the block")
            ax.set_title(f"{t.before} → {t.after}")
            ax.legend(loc="upper left", bbox_to_anchor=(0.0, 0.9))
        for ax in axes.ravel()[n:]:
            ax.axis("off")
        fig.suptitle(title or f"threshold{'s' if n > 1 else ''} of {found[0].family} in "
                              f"{fix_mathtext(found[0].isotropy)}")
        save_figure(fig, path, dpi)
