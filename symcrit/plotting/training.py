r"""The figure of a training ensemble (:func:`plot_training`): which isotropy types the runs
ended at, and the final losses of those that did not reach the global minimum (Safran &
Shamir 2018, arXiv:1712.08968, counted spurious minima this way).
"""
from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..core import InputError
from ..landscape import KINDS
from .style import house_style, mathtext, new_figure, save_figure

__all__ = ["plot_training", "KIND_COLOURS", "LOSS_FLOOR"]

#: the colour of each kind of end point (:data:`symcrit.landscape.KINDS`)
KIND_COLOURS = {"global": "#2ca02c", "spurious": "#d62728", "saddle": "#ff7f0e",
                "degenerate": "#9467bd", "critical": "#e377c2", "non-global": "#8c564b",
                "not converged": "#7f7f7f", "diverged": "#000000"}

#: losses below this are drawn at it (float64 round-off)
LOSS_FLOOR = 1e-16


def _label(t):
    iso = str(t["isotropy"])
    iso = mathtext(iso) if iso.startswith("Δ") else (iso if len(iso) <= 24 else
                                                      iso[:22] + "…")
    return f"{iso}\n{t['family'] or t['kind']}"


def plot_training(table: Sequence[dict[str, Any]], rows: Sequence[dict[str, Any]],
                  path: str | os.PathLike[str], title: str,
                  dpi: int | None = None) -> None:
    """The end points of a training ensemble, from :func:`symcrit.landscape.analyse` rows
    and their :func:`symcrit.landscape.summary_table`.

    Left: the number of runs per isotropy type, coloured by kind (global minimum,
    spurious minimum, saddle, ...), the global runs included, as a count.  Right: the final
    loss of every run that did *not* reach the global minimum (one dot per run, log
    scale, floored at :data:`LOSS_FLOOR`): the global runs' losses are round-off and are
    not drawn there, so they cannot dominate the panel; a note gives their number and
    largest loss.

    Raises
    ------
    InputError
        Nothing to plot, or a path that cannot be written.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> rows = [{"kind": "global", "isotropy": "ΔS_k", "family": "global", "loss": 1e-19},
    ...         {"kind": "spurious", "isotropy": "ΔS_{k-1}", "family": "type-A",
    ...          "loss": 0.02}]
    >>> from symcrit.landscape import summary_table
    >>> plot_training(summary_table(rows), rows,
    ...               pathlib.Path(tempfile.mkdtemp()) / "t.png", "two runs")
    """
    if not table:
        raise InputError("nothing to plot")
    others = [t for t in table if t["kind"] != "global"]
    glob = [r for r in rows if r["kind"] == "global"]
    with house_style():
        width = max(9.0, 0.75 * (len(table) + len(others)) + 4.0)
        fig, (a1, a2) = new_figure(width, 4.4, 1, 2, gridspec_kw={
            "width_ratios": [max(1, len(table)), max(1.5, len(others))]})
        x = np.arange(len(table))
        a1.bar(x, [t["count"] for t in table], width=0.7,
               color=[KIND_COLOURS.get(t["kind"], "#1f77b4") for t in table])
        for i, t in enumerate(table):
            a1.annotate(str(t["count"]), (i, t["count"]), ha="center", va="bottom",
                        xytext=(0, 1), textcoords="offset points")
        a1.set_xticks(x, [_label(t) for t in table], rotation=35, ha="right",
                      rotation_mode="anchor")
        a1.set_xlim(-0.6, len(table) - 0.4)
        a1.set_ylim(0, 1.12 * max(t["count"] for t in table))
        a1.grid(axis="x", visible=False)
        a1.set_ylabel("runs")
        a1.set_title(f"end points of {len(rows)} runs")
        from matplotlib.patches import Patch
        kinds = [k for k in KINDS if any(t["kind"] == k for t in table)]
        a1.legend(handles=[Patch(color=KIND_COLOURS[k], label=k) for k in kinds])
        _losses(a2, others, rows)
        note = (f"global minimum: {len(glob)} run{'s' if len(glob) != 1 else ''}"
                + (f"\nloss ≤ {max(r['loss'] for r in glob):.1e} (round-off, not drawn)"
                   if glob and all(np.isfinite(r["loss"]) for r in glob) else ""))
        a2.set_title("final loss of the other runs")
        a2.text(0.02, 0.98, note, transform=a2.transAxes, ha="left", va="top",
                bbox={"facecolor": "white", "edgecolor": KIND_COLOURS["global"],
                      "alpha": 0.9, "boxstyle": "round,pad=0.3"})
        fig.suptitle(title)
        save_figure(fig, path, dpi)


def _losses(ax, groups, rows):
    if not groups:
        ax.text(0.5, 0.5, "every run reached the global minimum", ha="center",
                va="center", transform=ax.transAxes)
        ax.set_xticks([])
        ax.set_yticks([])
        return
    rng = np.random.default_rng(0)
    for i, t in enumerate(groups):
        ls = [max(r["loss"], LOSS_FLOOR) for r in rows
              if (r["kind"], r["isotropy"], r["family"]) ==
              (t["kind"], t["isotropy"], t["family"]) and np.isfinite(r["loss"])]
        ax.scatter(i + rng.uniform(-0.15, 0.15, len(ls)), ls, s=14, alpha=0.8,
                   color=KIND_COLOURS.get(t["kind"], "#1f77b4"), linewidths=0)
    ax.set_xticks(np.arange(len(groups)), [_label(t) for t in groups], rotation=35,
                  ha="right", rotation_mode="anchor")
    ax.set_xlim(-0.6, len(groups) - 0.4)
    ax.grid(axis="x", visible=False)
    ax.set_yscale("log")
    lo, hi = ax.get_ylim()
    ax.set_ylim(lo, hi * (hi / lo) ** 0.4)          # room for the note on the global runs
    ax.set_ylabel("final loss")
