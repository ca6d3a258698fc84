"""The figure of a saddle-to-saddle run: loss, neuron directions and amplitudes against the
iteration (matplotlib, Agg backend), as in Figure 3 of Wu, Şimşek, Ged, ICLR 2025,
arXiv:2402.05626.

Only neurons that grow (final amplitude |w_i||h_i| above 10⁻³ of the largest) are drawn
in the direction panel; every neuron is drawn in the amplitude panel.  Plateaus are shaded
and labelled with their exact losses where known.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..core import InputError

__all__ = ["plot_run", "check_figure_path"]

_FORMATS = (".png", ".pdf", ".svg")


def check_figure_path(path):
    """Refuse a figure path with an unknown extension or a missing folder (before any
    computation)."""
    p = Path(path)
    if p.suffix.lower() not in _FORMATS:
        raise InputError(f"--plot {path!r}: use a .png, .pdf or .svg file name")
    if p.is_dir():
        raise InputError(f"--plot {path!r} is a folder")
    if not p.parent.exists():
        raise InputError(f"--plot {path!r}: the folder {str(p.parent)!r} does not exist")
    return p


def plot_run(tr, report, path, title=None):
    """Write the three-panel figure of a run (:class:`~symcrit.finite.dynamics.Trajectory`)
    and its analysis (:class:`~symcrit.finite.experiments.RunReport`) to ``path``."""
    p = check_figure_path(path)
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:   # pragma: no cover
        raise InputError("plotting needs matplotlib: pip install 'symcrit[plot]'") from None
    fig, ax = plt.subplots(3, 1, figsize=(7.5, 8.5), sharex=True)
    ax[0].plot(tr.loss_steps, tr.losses, color="k", lw=1.2)
    for pl in report.plateaus:
        ax[0].axvspan(pl.start, pl.end, color="tab:blue", alpha=0.08)
        text = pl.snap.loss_text() or f"{pl.loss:.6g}"
        ax[0].annotate(text, (pl.center, pl.loss), textcoords="offset points", xytext=(4, 4),
                       fontsize=7)
    ax[0].set_ylabel("loss")
    ax[0].set_yscale("log")
    amp = np.linalg.norm(tr.W, axis=1) * np.linalg.norm(tr.H, axis=1)
    grown = amp > 1e-3 * amp.max() if amp.max() > 0 else np.zeros(len(amp), bool)
    ang = tr.angles()
    for i in np.flatnonzero(grown):
        ax[1].plot(tr.snap_steps, ang[:, i], lw=0.8)
    ax[1].set_ylabel("angle of w_i (rad)" if tr.W.shape[1] == 2 else
                     "angle to final w_i (rad)")
    wn, hn = tr.amplitudes()
    for i in range(tr.W.shape[0]):
        ax[2].plot(tr.snap_steps, wn[:, i], lw=0.6, color="tab:red" if grown[i] else "0.7")
        ax[2].plot(tr.snap_steps, hn[:, i], lw=0.6, ls="--",
                   color="tab:blue" if grown[i] else "0.8")
    ax[2].set_yscale("log")
    ax[2].set_ylabel("|w_i| (solid), |h_i| (dashed)")
    ax[2].set_xlabel("iteration")
    fig.suptitle(title or f"{tr.data.name}: m = {tr.config['width']}, μ = {tr.config['mu']}, "
                 f"η = {tr.config['lr']}")
    fig.tight_layout()
    fig.savefig(p, dpi=120)
    plt.close(fig)
    return p
