r"""The figure of tangency arcs: :math:`m(r) - L(c)` and the multiplier μ(r) against r, one
curve per arc (matplotlib, Agg backend), as in the numerical section of Arjevani 2023,
"Hidden minima in two-layer ReLU networks", arXiv:2312.16819.

The arc that realises m(r) (M(r)) is drawn thick; the other branches thin; a dot marks
:math:`r^*`, where μ = 0 and the arc meets another critical point.  Several sets of arcs
(e.g. type-A and the hidden minima at one k) share the axes, each in its own colour.

>>> import tempfile, os
>>> from symcrit.arcs import tangency_arcs
>>> arcs = tangency_arcs("hidden-D", 8, dps=15, endpoints=False)
>>> path = os.path.join(tempfile.mkdtemp(), "arcs.png")
>>> plot_arcs([arcs], path).name
'arcs.png'
"""
from __future__ import annotations

from pathlib import Path

from ..core import InputError, check_writable

__all__ = ["plot_arcs", "check_figure_path", "FORMATS"]

#: the figure formats written
FORMATS = (".png", ".pdf", ".svg")


def check_figure_path(path):
    """Refuse, before any computation, a figure path with an unknown extension, a folder,
    a missing parent folder or one that cannot be written; returns the path.

    >>> check_figure_path("arcs.txt")
    Traceback (most recent call last):
    ...
    symcrit.core.errors.InputError: --plot 'arcs.txt': use a .png, .pdf or .svg file name
    """
    p = Path(path)
    if p.suffix.lower() not in FORMATS:
        raise InputError(f"--plot {str(path)!r}: use a .png, .pdf or .svg file name")
    if p.is_dir():
        raise InputError(f"--plot {str(path)!r} is a folder")
    if not p.parent.exists():
        raise InputError(f"--plot {str(path)!r}: the folder {str(p.parent)!r} does not exist")
    check_writable(p, "--plot")
    return p


def plot_arcs(arcsets, path, title=None):
    """Write the two-panel figure (m(r) - L(c) above, μ(r) below) of the arcs of each
    :class:`~symcrit.arcs.tangency.ArcSet` in ``arcsets`` to ``path`` (.png, .pdf, .svg);
    returns the path."""
    p = check_figure_path(path)
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:   # pragma: no cover
        raise InputError("plotting needs matplotlib: pip install 'symcrit[plot]'") from None
    fig, ax = plt.subplots(2, 1, figsize=(7.5, 7.5), sharex=True)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for n, arcs in enumerate(arcsets):
        col = colours[n % len(colours)]
        cp = arcs.point
        name = cp.family or f"Fix({cp.isotropy})"
        for a in arcs.arcs:
            tr = a.trace
            if not len(tr.r):
                continue
            lw, alpha = (2.2, 1.0) if a.realises_extremum else (0.9, 0.55)
            sign = "+" if a.start.sign > 0 else "-"
            label = f"{name}, k = {cp.k}: {a.isotropy} ({sign})" + \
                (" — realises " + ("m(r)" if arcs.kind == "min" else "M(r)")
                 if a.realises_extremum else "")
            lam = float(a.start.eigenvalue)            # the arc starts at c: (0, 0), (0, λ)
            ax[0].plot([0.0, *tr.r], [0.0, *tr.m], color=col, lw=lw, alpha=alpha,
                       label=label)
            ax[1].plot([0.0, *tr.r], [lam, *tr.mu], color=col, lw=lw, alpha=alpha)
            if a.r_star is not None:
                rs = float(a.r_star)
                ax[0].plot([rs], [float(tr.m[-1])], "o", color=col, ms=4 if lw < 2 else 6)
                ax[1].plot([rs], [0.0], "o", color=col, ms=4 if lw < 2 else 6)
    ax[1].axhline(0.0, color="0.5", lw=0.6)
    ax[0].set_ylabel("m(r) − L(c) along the arc")
    ax[1].set_ylabel("μ(r)")
    ax[1].set_xlabel("r = |W − c|_F")
    ax[0].legend(fontsize=6.5, loc="best")
    kinds = {a.kind for a in arcsets}
    fig.suptitle(title or ("tangency arcs (" + ", ".join(
        "minimising" if k == "min" else "maximising" for k in sorted(kinds)) + ")"))
    fig.tight_layout()
    try:
        fig.savefig(p, dpi=130)
    except OSError as exc:
        raise InputError(f"--plot: cannot write {str(p)!r}: {exc.strerror or exc}") from None
    finally:
        plt.close(fig)
    return p
