"""Experiments around the landscape: training ensembles, input laws and activations beyond
the Gaussian ReLU case, deeper networks, and the classification of what training finds.

Modules: :mod:`.laws` (input laws, activations, the closed-form loss), :mod:`.networks`
(the two- and three-layer students on samples), :mod:`.steps` (starts, updates and the one
vectorised loop), :mod:`.results` (the results file: locked, validated, quarantined),
:mod:`.limits` (the bounds of a sweep, checked before any work), :mod:`.train` (sweeps),
:mod:`.classify` (what each run found)."""
from .laws import (GaussianLaw, GaussianMixtureLaw, SampledLaw, make_law, ACTIVATIONS,
                   ClosedForm, closed_form_loss, closed_form_gradient, has_closed_form,
                   activation, LOSS_ROUNDOFF)
from .networks import (TwoLayer, ThreeLayer, network_for, minibatch_gradient, monte_carlo,
                       deep_forward, deep_gradients, canonical)
from .steps import (REASONS, BLOWUP, initial_weights, GradientDescent, Adam, update_rule,
                    DescentTask, ClosedFormTask, SampledTask, run_descent, gradient_norms,
                    matrix_text, single_threaded_blas)
from .train import (TrainConfig, run_ensemble, train_runs, train_deep, load_records,
                    descend, default_lr, largest_hessian_eigenvalue, OPTIMIZERS,
                    default_workers)
from .limits import (K_MAX, MAX_ITER, WORKERS_PER_CORE, memory_limit, record_bytes,
                     worker_bytes, check_resources)
from .results import (FORMAT, ResultsFile, ResultsWarning, record_problem,
                      check_results_path)
from .classify import (KINDS, analyse, summary_table, confirmed_isotropy, default_tolerance,
                       kind_of_minimum)

__all__ = ["GaussianLaw", "GaussianMixtureLaw", "SampledLaw", "make_law", "ACTIVATIONS",
           "ClosedForm", "closed_form_loss", "closed_form_gradient", "has_closed_form",
           "activation", "TwoLayer", "ThreeLayer", "network_for", "minibatch_gradient",
           "monte_carlo", "deep_forward", "deep_gradients", "canonical", "REASONS",
           "initial_weights", "GradientDescent", "Adam", "update_rule", "DescentTask",
           "ClosedFormTask", "SampledTask", "run_descent", "gradient_norms", "matrix_text",
           "single_threaded_blas", "TrainConfig", "run_ensemble", "train_runs",
           "train_deep",
           "load_records", "descend", "default_lr", "largest_hessian_eigenvalue",
           "OPTIMIZERS", "default_workers", "KINDS", "analyse", "summary_table",
           "confirmed_isotropy", "default_tolerance", "kind_of_minimum", "LOSS_ROUNDOFF",
           "BLOWUP", "K_MAX", "MAX_ITER", "WORKERS_PER_CORE", "memory_limit",
           "record_bytes", "worker_bytes", "check_resources", "FORMAT", "ResultsFile",
           "ResultsWarning", "record_problem", "check_results_path"]
