r"""Figures: one house style for every plot symcrit makes (matplotlib, the Agg backend, so
no display is needed).  Every function takes the results objects of the library and a path;
the format follows the suffix (png, pdf, svg).

Plotting needs matplotlib (``pip install 'symcrit[plot]'``); without it these functions raise
a one-line :class:`~symcrit.core.InputError`.
"""
from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .core import InputError, check_writable
from .landscape import KINDS
from .spectra import multiplicity_text

__all__ = ["check_plot_path", "plot_spectra", "plot_training", "plot_annihilation"]


def _pyplot():
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:   # pragma: no cover
        raise InputError("plotting needs matplotlib: pip install 'symcrit[plot]'") from None
    return plt


def check_plot_path(path):
    """Refuse, before any work, a plot path whose format is not png, pdf or svg, or that
    cannot be written (:func:`symcrit.core.check_writable`)."""
    if path is None:
        return
    if Path(path).suffix.lower() not in (".png", ".pdf", ".svg"):
        raise InputError(f"--plot FILE must end in .png, .pdf or .svg, got {path!r}")
    check_writable(path, "--plot")


def _save(fig, path):
    """Write the figure; a path that cannot be written is an InputError (one line)."""
    plt = _pyplot()
    try:
        fig.savefig(path)
    except OSError as exc:
        raise InputError(f"cannot write the plot {str(path)!r}: {exc.strerror or exc}") \
            from None
    finally:
        plt.close(fig)


def plot_spectra(spectra: Sequence[Any], path: str | os.PathLike[str],
                 title: str | None = None,
                 limits: Mapping[str, Sequence[Any]] | None = None
                 ) -> str | os.PathLike[str]:
    r"""Plot eigenvalues against k (one line per eigenvalue of each block, labelled by
    irreducible and multiplicity) to ``path`` (png, pdf or svg; matplotlib).

    ``spectra``: a list of :class:`Spectrum` along a family (ascending k).  The y axis is
    symmetric-logarithmic so eigenvalues growing like k and those tending to a constant are
    both visible; ``limits`` (irrep → list of values, e.g. the spectrum at k = 10^12) are
    drawn as dashed horizontal lines: the large-k limits.
    """
    plt = _pyplot()
    if not spectra:
        raise InputError("nothing to plot")
    ks = [float(s.k) for s in spectra]
    fig, ax = plt.subplots(figsize=(8, 5))
    series: dict[Any, list[Any]] = {}
    for s in spectra:
        per: dict[Any, Any] = {}
        for e in s.entries:
            per.setdefault(e.irrep, []).append((e.eigenvalue, e.multiplicity))
        for irrep, vals in per.items():
            for j, (v, m) in enumerate(sorted(vals, key=lambda t: t[0])):
                series.setdefault((irrep, j, multiplicity_text(m)), []).append((float(s.k), float(v)))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    irreps = list(dict.fromkeys(key[0] for key in series))
    for (irrep, j, m), pts in series.items():
        c = colours[irreps.index(irrep) % len(colours)]
        x, y = zip(*pts)
        ax.plot(x, y, "-o", ms=2.5, color=c, lw=1.2,
                label=f"{irrep}, mult {m}" if j == 0 else None)
    if limits:
        for irrep, vals in limits.items():
            c = colours[irreps.index(irrep) % len(colours)] if irrep in irreps else "grey"
            for v in vals:
                ax.axhline(float(v), ls="--", lw=0.8, color=c, alpha=0.7)
    ax.axhline(0.0, color="black", lw=0.6)
    ax.set_xscale("log" if max(ks) / max(min(ks), 1e-300) > 20 else "linear")
    ax.set_yscale("symlog", linthresh=1e-2)
    ax.set_xlabel("k")
    ax.set_ylabel("Hessian eigenvalue")
    fam = spectra[0].family or ""
    ax.set_title(title or f"Hessian spectrum along {fam} (Fix({spectra[0].isotropy}))"
                 + ("; dashed: large-k limits" if limits else ""))
    ax.legend(fontsize=7, loc="best")
    fig.tight_layout()
    _save(fig, path)
    return path


def plot_training(table: Sequence[dict[str, Any]], rows: Sequence[dict[str, Any]],
                  path: str | os.PathLike[str], title: str) -> None:
    """Bar chart of the isotropy types that training found (left) and the final losses
    by type (right, one dot per run), from :func:`symcrit.landscape.summary_table` rows."""
    plt = _pyplot()
    colors = {"global": "tab:green", "spurious": "tab:red", "saddle": "tab:orange",
              "degenerate": "tab:purple", "critical": "tab:pink", "non-global": "tab:brown",
              "not converged": "tab:gray",
              "diverged": "black"}
    def tex(label):
        label = str(label)
        if label.startswith("Δ"):
            return "$" + label.replace("Δ", r"\Delta ").replace("×", r"\times ") + "$"
        return label if len(label) <= 24 else label[:22] + "…"
    labels = [f"{tex(t['isotropy'])}\n{t['family'] or t['kind']}" for t in table]
    width = max(12.0, 1.1 * len(table) + 4)
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(width, 5.2))
    x = np.arange(len(table))
    a1.bar(x, [t["count"] for t in table],
           color=[colors.get(t["kind"], "tab:blue") for t in table])
    for i, t in enumerate(table):
        a1.text(i, t["count"], str(t["count"]), ha="center", va="bottom", fontsize=8)
    a1.set_xticks(x, labels, fontsize=8, rotation=40, ha="right", rotation_mode="anchor")
    a1.set_ylabel("runs")
    a1.set_title("isotropy of the end points")
    from matplotlib.patches import Patch
    kinds = [k for k in KINDS if any(t["kind"] == k for t in table)]
    a1.legend(handles=[Patch(color=colors[k], label=k) for k in kinds], fontsize=8)
    rng = np.random.default_rng(0)
    for i, t in enumerate(table):
        ls = [max(r["loss"], 1e-16) for r in rows
              if (r["kind"], r["isotropy"], r["family"]) ==
              (t["kind"], t["isotropy"], t["family"]) and np.isfinite(r["loss"])]
        a2.scatter(i + rng.uniform(-0.15, 0.15, len(ls)), ls, s=12,
                   color=colors.get(t["kind"], "tab:blue"))
    a2.set_xticks(x, labels, fontsize=8, rotation=40, ha="right", rotation_mode="anchor")
    a2.set_yscale("log")
    a2.set_ylabel("final loss (clipped at 1e-16)")
    a2.set_title("losses by type (one dot per run)")
    for ax in (a1, a2):
        ax.set_xlim(-0.6, len(table) - 0.4)
    fig.suptitle(title)
    fig.tight_layout()
    _save(fig, path)


def plot_annihilation(table: Any, path: str | os.PathLike[str],
                      title: str | None = None) -> None:
    r"""The annihilation table (:func:`symcrit.wider.annihilation_table`) as a figure: per
    family, the index against k with one line per number m of extra neurons (the family's
    own index at its own m, else the smallest index of its embeddings); open markers where
    a spurious minimum survives.  The y axis is symmetric-logarithmic."""
    plt = _pyplot()
    fams = table.families
    cols = min(4, len(fams))
    rows = -(-len(fams) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(max(5.0, 3.4 * cols), 2.6 * rows + 0.6),
                             squeeze=False, sharex=True)
    for ax, fam in zip(axes.ravel(), fams):
        for m in table.extra:
            pts = [(r.k, r.index_min, r.survives) for r in table.rows
                   if r.family == fam and r.m == m and r.index_min is not None]
            if not pts:
                continue
            ks, idx, surv = zip(*pts)
            line, = ax.plot(ks, idx, "-", lw=1.2, label=f"m = {m}")
            ax.plot([k for k, s in zip(ks, surv) if s], [i for i, s in zip(idx, surv) if s],
                    "o", mfc="none", color=line.get_color(), ms=5)
        ax.set_yscale("symlog", linthresh=1)
        ax.set_title(fam, fontsize=9)
        ax.grid(alpha=0.3)
    for ax in axes.ravel()[len(fams):]:
        ax.axis("off")
    axes[0, 0].legend(fontsize=7)
    for ax in axes[-1]:
        ax.set_xlabel("k")
    for ax in axes[:, 0]:
        ax.set_ylabel("index")
    fig.suptitle(title or "index against k (o: a spurious minimum survives)", fontsize=9)
    fig.tight_layout()
    _save(fig, path)
