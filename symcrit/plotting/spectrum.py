r"""Figures of Hessian spectra: the eigenvalues of each isotypic block against k
(:func:`plot_spectra`), and the index of the families of wider students
(:func:`plot_annihilation`), in the house style (:mod:`symcrit.plotting.style`).

The eigenvalues come from :func:`symcrit.critical.family_spectra` (distinct eigenvalues of
the :math:`k^2 \times k^2` Hessian by irreducible, Arjevani & Field 2020, arXiv:2008.01805).
"""
from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from typing import Any

from ..core import InputError
from .style import (fix_mathtext, house_style, irrep_colour, irrep_index, irrep_marker,
                    k_float, mathtext, multiplicity_mathtext, new_figure, save_figure)

__all__ = ["plot_spectra", "plot_annihilation", "symlog_threshold", "value_scale"]


def value_scale(ax: Any, values: Sequence[float], lo: float = 1e-6) -> None:
    """A logarithmic y axis for ``ax`` when every value is positive, else a
    symmetric-logarithmic one (:func:`symlog_threshold`) with the zero line drawn."""
    vals = [v for v in values if math.isfinite(v)]
    if vals and min(vals) > 0:
        ax.set_yscale("log")
    else:
        ax.set_yscale("symlog", linthresh=symlog_threshold(vals, lo=lo))
        ax.axhline(0.0, color="black", lw=0.6)


def symlog_threshold(values: Sequence[float], lo: float = 1e-6, hi: float = 1e-1) -> float:
    """The linear range of a symmetric-logarithmic axis for ``values``: the power of ten
    below the smallest nonzero magnitude, kept in [lo, hi].

    >>> symlog_threshold([0.003, -2.0, 40.0])
    0.001
    """
    mags = [abs(v) for v in values if v and math.isfinite(v)]
    if not mags:
        return hi
    return min(hi, max(lo, 10.0 ** math.floor(math.log10(min(mags)))))


def plot_spectra(spectra: Sequence[Any], path: str | os.PathLike[str],
                 title: str | None = None,
                 limits: Mapping[str, Sequence[Any]] | None = None,
                 dpi: int | None = None) -> str | os.PathLike[str]:
    r"""Plot the Hessian eigenvalues of a family against k to ``path`` (any format
    matplotlib writes, from the suffix).

    Along a range of k: one line per eigenvalue of each isotypic block, coloured by the
    irreducible (:func:`~symcrit.plotting.style.irrep_colour`, the same in every figure),
    labelled with the irreducible and its multiplicity (a polynomial in k) in mathtext; the
    y axis is symmetric-logarithmic, so eigenvalues growing like k and those tending to a
    constant are both visible; ``limits`` (irrep → values, e.g. the spectrum at
    k = 10^12) are drawn as dashed lines, which the legend explains.  At one k: the
    eigenvalues of each block as markers over the irreducibles.

    Parameters
    ----------
    spectra : list of Spectrum
        Along a family (:func:`symcrit.critical.family_spectra`).
    path : str or path
    title : str, optional
    limits : dict, optional
        Large-k limits per irreducible.
    dpi : int, optional
        Resolution of raster formats.

    Returns
    -------
    path

    Raises
    ------
    InputError
        Nothing to plot, or a path that cannot be written.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from symcrit import family_spectra
    >>> sps = family_spectra("type-A", [6, 8, 10], dps=15)
    >>> plot_spectra(sps, pathlib.Path(tempfile.mkdtemp()) / "spectrum.svg").name
    'spectrum.svg'
    """
    if not spectra:
        raise InputError("nothing to plot")
    spectra = sorted(spectra, key=lambda s: k_float(s.k))
    fam = spectra[0].family or ""
    iso = fix_mathtext(spectra[0].isotropy)
    with house_style():
        if len(spectra) == 1:
            fig = _one_k(spectra[0], title or f"Hessian spectrum of {fam} at "
                         f"$k = {spectra[0].k_text()}$, {iso}")
        else:
            fig = _along_k(spectra, limits, title or f"Hessian spectrum along {fam}, {iso}")
        save_figure(fig, path, dpi)
    return path


def _blocks(s):
    """irrep -> (sorted eigenvalues as floats, multiplicity), irreducibles in colour order."""
    per: dict[str, Any] = {}
    for e in s.entries:
        vals, _ = per.setdefault(e.irrep, ([], e.multiplicity))
        vals.append(float(e.eigenvalue))
    return {ir: (sorted(v), m) for ir, (v, m) in sorted(per.items(),
                                                          key=lambda t: irrep_index(t[0]))}


def _along_k(spectra, limits, title):
    fig, ax = new_figure(7.0, 4.2)
    lines: dict[tuple[str, int], list[tuple[float, float]]] = {}
    mults: dict[str, Any] = {}
    for s in spectra:
        for irrep, (vals, m) in _blocks(s).items():
            mults.setdefault(irrep, m)
            for j, v in enumerate(vals):
                lines.setdefault((irrep, j), []).append((k_float(s.k), v))
    ks = [k_float(s.k) for s in spectra]
    dense = len(ks) > 40
    allv = [v for pts in lines.values() for _, v in pts]
    for (irrep, j), pts in sorted(lines.items(), key=lambda t: (irrep_index(t[0][0]), t[0][1])):
        x, y = zip(*pts)
        ax.plot(x, y, "-", color=irrep_colour(irrep), marker=None if dense else
                irrep_marker(irrep), ms=3, lw=1.2,
                label=f"{mathtext(irrep)}, mult. {multiplicity_mathtext(mults[irrep])}"
                if j == 0 else None)
    if limits:
        for irrep, vals in limits.items():
            for v in vals:
                ax.axhline(float(v), ls=(0, (4, 3)), lw=0.9, alpha=0.8,
                           color=irrep_colour(irrep) if irrep in mults else "0.4")
                allv.append(float(v))
        ax.plot([], [], ls=(0, (4, 3)), lw=0.9, color="0.3",
                label=r"limits as $k \to \infty$ (at $k = 10^{12}$)")
    if max(ks) / max(min(ks), 1e-300) > 20:
        ax.set_xscale("log")
    value_scale(ax, allv)
    ax.set_xlabel("$k$")
    ax.set_ylabel("eigenvalue of the Hessian")
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
    return fig


def _one_k(s, title):
    blocks = _blocks(s)
    fig, ax = new_figure(max(4.5, 1.15 * len(blocks) + 1.5), 4.0)
    allv: list[float] = []
    for i, (irrep, (vals, _)) in enumerate(blocks.items()):
        ax.plot([i] * len(vals), vals, ls="none", marker=irrep_marker(irrep), ms=6,
                color=irrep_colour(irrep))
        allv += vals
    ax.set_xticks(range(len(blocks)),
                  [f"{mathtext(ir)}\n{multiplicity_mathtext(m)}"
                   for ir, (_, m) in blocks.items()])
    ax.set_xlim(-0.6, len(blocks) - 0.4)
    value_scale(ax, allv)
    ax.grid(axis="x", visible=False)
    ax.set_xlabel("irreducible representation and its multiplicity")
    ax.set_ylabel("eigenvalue of the Hessian")
    ax.set_title(title)
    return fig


def plot_annihilation(table: Any, path: str | os.PathLike[str],
                      title: str | None = None, dpi: int | None = None) -> None:
    r"""The annihilation table (:func:`symcrit.wider.annihilation_table`) as a figure: per
    family, the index against k with one line per number m of extra neurons (the family's
    own index at its own m, else the smallest index of its embeddings); open markers where
    a spurious minimum survives.  The y axis is symmetric-logarithmic.

    Raises
    ------
    InputError
        A path that cannot be written.
    """
    fams = table.families
    if not fams:
        raise InputError("nothing to plot")
    cols = min(4, len(fams))
    rows = -(-len(fams) // cols)
    with house_style():
        fig, axes = new_figure(max(5.0, 2.6 * cols), 2.2 * rows + 0.7, rows, cols,
                               squeeze=False, sharex=True)
        from matplotlib import colormaps
        shades = colormaps["viridis"]
        extra = list(table.extra)
        for ax, fam in zip(axes.ravel(), fams):
            for n, m in enumerate(extra):
                pts = [(r.k, r.index_min, r.survives) for r in table.rows
                       if r.family == fam and r.m == m and r.index_min is not None]
                if not pts:
                    continue
                ks, idx, surv = zip(*pts)
                c = shades(0.85 * n / max(1, len(extra) - 1))
                ax.plot(ks, idx, "-", lw=1.2, color=c, label=f"$m = {m}$")
                ax.plot([k for k, s in zip(ks, surv) if s],
                        [i for i, s in zip(idx, surv) if s], "o", mfc="none", color=c, ms=5)
            ax.set_yscale("symlog", linthresh=1)
            ax.set_title(fam)
        for ax in axes.ravel()[len(fams):]:
            ax.axis("off")
        axes[0, 0].legend()
        for ax in axes[-1]:
            ax.set_xlabel("$k$")
        for ax in axes[:, 0]:
            ax.set_ylabel("index")
        fig.suptitle(title or "index against $k$ (o: a spurious minimum survives)")
        save_figure(fig, path, dpi)
