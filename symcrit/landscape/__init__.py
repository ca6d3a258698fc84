"""Experiments around the landscape: training ensembles, isotropy detection, input laws
and activations beyond the Gaussian ReLU case, deeper networks."""
