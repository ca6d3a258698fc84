"""Experiments around the landscape: training ensembles, input laws and activations beyond
the Gaussian ReLU case, deeper networks, and the classification of what training finds."""
from .laws import (GaussianLaw, GaussianMixtureLaw, SampledLaw, make_law, ACTIVATIONS,
                   ClosedForm, closed_form_loss, closed_form_gradient, has_closed_form,
                   activation)
from .train import (TrainConfig, run_ensemble, train_runs, load_records, descend, default_lr,
                    largest_hessian_eigenvalue, single_threaded_blas, REASONS, OPTIMIZERS,
                    default_workers)
from .deep import train_deep, deep_forward, deep_gradients

__all__ = ["GaussianLaw", "GaussianMixtureLaw", "SampledLaw", "make_law", "ACTIVATIONS",
           "ClosedForm", "closed_form_loss", "closed_form_gradient", "has_closed_form",
           "activation", "TrainConfig", "run_ensemble", "train_runs", "load_records",
           "descend", "default_lr", "largest_hessian_eigenvalue", "single_threaded_blas",
           "REASONS", "OPTIMIZERS", "default_workers", "train_deep", "deep_forward",
           "deep_gradients"]
