"""ReLU-like networks on finite data: directional (d-)stationarity, Clarke stationarity,
escape neurons with certificates and descent paths, function-preserving embeddings, and
saddle-to-saddle dynamics from a vanishing initialisation with exact plateau losses.

The method is that of Wu, Şimşek, Ged, "Loss landscape of shallow ReLU-like neural
networks: stationary points, saddle escape, and network embedding", ICLR 2025,
arXiv:2402.05626.  Modules, one concept each:

* :mod:`.data` — data sets (JSON/CSV, validated; the built-in ``wsg-*`` sets);
* :mod:`.rational` — exact linear algebra over Q (python-flint);
* :mod:`.network` — the model, the loss, its gradient and directional derivative;
* :mod:`.stationarity` — kink cones, the LP and exact tests, Clarke stationarity;
* :mod:`.escape` — escape neurons, margins, certificates, descent paths, classification;
* :mod:`.embed` — the four embeddings and what they preserve;
* :mod:`.dynamics` — gradient descent (compiled, resumable);
* :mod:`.plateaus` — plateau detection and exact snapping;
* :mod:`.experiments` — a run analysed end to end, the paper's three experiments;
* :mod:`.figures` — the figure of a run.

Names are imported on first use (the compiled gradient descent loads numba only when a run
is made); ``stationarity`` and ``embed``, which share their modules' names, are bound at
import.

>>> from symcrit.finite import load_data, Network, analyse
>>> ds = load_data("wsg-1d")
>>> analyse(Network.from_arrays([[0, 0]], [[0]], exact=True), ds).local_minimum
False
"""
from __future__ import annotations

import importlib

_EXPORTS = {
    "data": ["Dataset", "load_data", "builtin_names", "parse_number", "MAX_POINTS",
             "MAX_DIM"],
    "network": ["Activation", "RELU", "Network", "predict", "residual", "loss", "gradient",
                "output_derivative", "directional_derivative", "load_weights", "MAX_WIDTH"],
    "stationarity": ["NeuronLocal", "neuron_locals", "probe_neuron", "arrangement_cells",
                     "arrangement_rays", "lp_cone_test", "exact_cone_test", "clarke_test",
                     "Stationarity", "stationarity", "clarke_not_d_example", "MAX_KINKS"],
    "escape": ["neuron_margin", "sign_radius", "number_text", "NeuronReport",
               "PointAnalysis", "DescentPath", "analyse", "perturbation_test", "STATUSES"],
    "embed": ["EMBEDDINGS", "embed", "embedding_report", "paper_conditions"],
    "dynamics": ["Trajectory", "gradient_descent", "initial_weights", "gd_steps",
                 "MAX_STEPS", "MAX_WORK"],
    "plateaus": ["Plateau", "find_plateaus", "Snap", "snap_point", "KINK_TOLERANCES"],
    "experiments": ["EXPERIMENTS", "PlateauReport", "RunReport", "analyse_run",
                    "run_experiment", "neuron_groups", "final_status"],
    "figures": ["plot_run", "check_figure_path"],
}
_WHERE = {name: mod for mod, names in _EXPORTS.items() for name in names}

__all__ = [name for names in _EXPORTS.values() for name in names]


def __getattr__(name):
    mod = _WHERE.get(name)
    if mod is None:
        raise AttributeError(f"module 'symcrit.finite' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{mod}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))


# two functions share their module's name: bind them now, or the first import of the
# module would leave the module object in their place
from .stationarity import stationarity  # noqa: E402
from .embed import embed  # noqa: E402
