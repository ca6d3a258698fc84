"""symcrit: the loss landscape of two-layer ReLU networks, by symmetry.

The public API is flat, as in networkx: everything a user needs is importable from
``symcrit`` itself (``from symcrit import get_family, spectrum_of, certify``), and each
layer is a subpackage with its own ``__all__`` (``symcrit.core``, ``symcrit.algebra``,
``symcrit.model``, ``symcrit.symmetry``, ``symcrit.restricted``, ``symcrit.spectra``,
``symcrit.critical``, ``symcrit.transitions``, ``symcrit.series``, ``symcrit.certificates``,
``symcrit.wider``, ``symcrit.landscape``, ``symcrit.plotting``).  Names are imported on first use, so
``import symcrit`` (and the command line's start-up) stays fast.

>>> import symcrit
>>> symcrit.loss([[1, 0], [0, 1]]) == 0
np.True_
>>> symcrit.get_family("type-A")
Family('type-A', 'ΔS_{k-1}', seed at k = 12)
"""
from __future__ import annotations

from .core.lazy import lazy_exports
from .core.version import __version__

#: the public names, by the subpackage that defines them
_EXPORTS = {
    "core": ["SymcritError", "InputError", "SpecError", "ShapeError", "SingularPointError",
             "ConvergenceError", "NumberSystem", "FLOAT", "MPMATH", "SYMPY", "ARB",
             "get_system", "workdps", "parse_k", "parse_value", "exact_k", "k_text", "dec",
             "newton", "generalized_eigh"],
    "algebra": ["newton_polygon", "puiseux_branches", "NewtonPolygon", "PuiseuxSeries"],
    "model": ["Problem", "loss", "gradient", "hessian", "kernel", "canonical_teacher"],
    "symmetry": ["parse_spec", "YoungIsotropy", "SymmetryGroup", "isotropy", "FixedSpace",
                 "isotypic_decomposition", "detect_isotropy"],
    "restricted": ["RestrictedLoss", "restricted_loss"],
    "spectra": ["hessian_blocks", "block_minima", "classify", "Spectrum", "spectrum",
                "spectrum_of", "NonCriticalWarning"],
    "critical": ["CriticalPoint", "refine", "follow", "locate_fold", "search", "Family",
                 "get_family", "list_families", "register_family", "family_spectra",
                 "identify", "CATALOGUE"],
    "transitions": ["Threshold", "thresholds", "threshold"],
    "series": ["FamilySeries", "family_series", "CoefficientCheck", "check_coefficient"],
    "certificates": ["Certificate", "certify", "certify_point", "certify_family",
                     "verify_certificate"],
    "wider": ["split_neuron", "zero_neuron", "neuron_curvature", "certify_split",
              "annihilation_table", "search_wider", "follow_perturbation"],
    "landscape": ["TrainConfig", "run_ensemble", "load_records", "analyse", "summary_table",
                  "confirmed_isotropy"],
    "plotting": ["plot_spectra", "plot_training", "plot_annihilation",
                 "plot_series_verification", "plot_thresholds", "plot_certificates"],
}
__getattr__, __dir__, _names = lazy_exports(__name__, _EXPORTS)
__all__ = ["__version__"] + _names
