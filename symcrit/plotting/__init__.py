r"""Figures: one house style for every plot symcrit makes (matplotlib's object-oriented
interface on the Agg canvas, so no display is needed and no pyplot state is touched).
Every function takes the results objects of the library and a path; the format follows the
suffix (any format matplotlib writes: pdf, png, svg, eps, ...), ``dpi`` sets the resolution
of raster formats.

* :mod:`~symcrit.plotting.style`: the house style, mathtext labels
  (:math:`\mathrm{Fix}(\Delta S_{k-1})`), one colour per irreducible in every figure.
* :mod:`~symcrit.plotting.spectrum`: Hessian spectra against k; the annihilation table.
* :mod:`~symcrit.plotting.verification`: truncation errors of a family's series (log–log).
* :mod:`~symcrit.plotting.crossing`: thresholds, an eigenvalue through zero in real k.
* :mod:`~symcrit.plotting.certified`: certificates over a range of k.
* :mod:`~symcrit.plotting.training`: the end points of a training ensemble.

Plotting needs matplotlib (``pip install 'symcrit[plot]'``); without it these functions
raise a one-line :class:`~symcrit.core.InputError`.  matplotlib is imported only when a
figure is drawn.

>>> mathtext("ΔS_{k-1}"), fix_mathtext("ΔS_{k-1}")
('$\\Delta S_{k-1}$', '$\\mathrm{Fix}(\\Delta S_{k-1})$')
"""
from __future__ import annotations

from .certified import plot_certificates
from .crossing import plot_thresholds, threshold_curve
from .spectrum import plot_annihilation, plot_spectra
from .style import (DEFAULT_DPI, HOUSE_STYLE, PALETTE, check_plot_path, fix_mathtext,
                    house_style, irrep_colour, irrep_marker, mathtext, multiplicity_mathtext,
                    plot_formats)
from .training import plot_training
from .verification import plot_series_verification

__all__ = ["check_plot_path", "plot_formats", "house_style", "mathtext", "fix_mathtext",
           "multiplicity_mathtext", "irrep_colour", "irrep_marker", "HOUSE_STYLE",
           "PALETTE", "DEFAULT_DPI", "plot_spectra", "plot_training", "plot_annihilation",
           "plot_series_verification", "threshold_curve", "plot_thresholds",
           "plot_certificates"]
