r"""The figure of certificates over a range of k (:func:`plot_certificates`): the status at
each k and the rigorous lower bound of the smallest eigenvalue of every isotypic block
(:func:`symcrit.certificates.certify_family`, Arb ball arithmetic).
"""
from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import Any

from ..core import InputError
from .spectrum import value_scale
from .style import (fix_mathtext, house_style, irrep_colour, irrep_index, irrep_marker,
                    k_float, mathtext, new_figure, save_figure)

__all__ = ["plot_certificates", "STATUS_STYLE"]

#: colour and marker of each status of a certificate
STATUS_STYLE = {"minimum": ("#2ca02c", "o"), "saddle": ("#d62728", "v"),
                "unverified": ("#7f7f7f", "x")}


def _lower(b):
    """The certified lower bound of a block's smallest eigenvalue as a float (None when
    there is none)."""
    if b.lower is None or getattr(b, "sign", "") == "absent":
        return None
    try:
        import flint
        v = float(flint.arb(b.lower).lower()) if not isinstance(b.lower, (int, float)) \
            else float(b.lower)
    except (TypeError, ValueError, ImportError):
        return None
    return v if math.isfinite(v) else None


def plot_certificates(certs: Sequence[Any], path: str | os.PathLike[str],
                      title: str | None = None, dpi: int | None = None) -> None:
    r"""Plot certificates along k: on top the status at each k (minimum, saddle,
    unverified: colour and marker of :data:`STATUS_STYLE`), below the certified lower
    bound of :math:`\lambda_{\min}` of each isotypic block against k, coloured by the
    irreducible as in every figure.  The bounds are drawn on a logarithmic axis when all
    are positive (a strict minimum: the margin), else on a symmetric-logarithmic one; k on
    a logarithmic axis for wide ranges.

    Parameters
    ----------
    certs : list of Certificate
        From :func:`symcrit.certificates.certify_family` (any order).
    path : str or path
        Any format matplotlib writes (from the suffix).
    title : str, optional
    dpi : int, optional

    Raises
    ------
    InputError
        No certificate, or a path that cannot be written.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from symcrit import certify_family
    >>> certs = certify_family("type-A", [6, 7, 8], dps=20)
    >>> plot_certificates(certs, pathlib.Path(tempfile.mkdtemp()) / "c.png")
    """
    if not certs:
        raise InputError("nothing to plot: no certificate")
    certs = sorted(certs, key=lambda c: k_float(c.k))
    ks = [k_float(c.k) for c in certs]
    series: dict[str, list[tuple[float, float]]] = {}
    for k, c in zip(ks, certs):
        for b in c.blocks:
            v = _lower(b)
            if v is not None:
                series.setdefault(b.irrep, []).append((k, v))
    dense = len(certs) > 60
    with house_style():
        fig, (a1, a2) = new_figure(7.0, 4.8, 2, 1, sharex=True,
                                   gridspec_kw={"height_ratios": [1, 3.2]})
        names = list(STATUS_STYLE)
        for s, (colour, marker) in STATUS_STYLE.items():
            xs = [k for k, c in zip(ks, certs) if (c.status if c.status in names
                                                   else "unverified") == s]
            if xs:
                a1.plot(xs, [names.index(s)] * len(xs), ls="none", marker=marker,
                        color=colour, ms=3 if dense else 5)
        a1.set_yticks(range(len(names)), names)
        a1.set_ylim(len(names) - 0.5, -0.5)
        a1.grid(axis="y", visible=False)
        counts = ", ".join(f"{sum(c.status == s for c in certs)} {s}" for s in names)
        a1.set_title(f"status at each $k$ ({counts})")
        allv: list[float] = []
        for irrep in sorted(series, key=irrep_index):
            x, y = zip(*series[irrep])
            allv += y
            a2.plot(x, y, "-", color=irrep_colour(irrep),
                    marker=None if dense else irrep_marker(irrep), ms=3, lw=1.2,
                    label=mathtext(irrep))
        if allv:
            value_scale(a2, allv, lo=1e-12)
        if max(ks) / max(min(ks), 1e-300) > 20:
            a2.set_xscale("log")
        a2.set_xlabel("$k$")
        a2.set_ylabel(r"certified lower bound of $\lambda_{\min}$")
        if series:
            a2.legend(title="block", loc="upper left", bbox_to_anchor=(1.01, 1.0),
                      borderaxespad=0.0)
        fam = certs[0].family or ""
        fig.suptitle(title or f"certificates of {fam} in {fix_mathtext(certs[0].isotropy)} "
                              "(Arb, rigorous)")
        save_figure(fig, path, dpi)
