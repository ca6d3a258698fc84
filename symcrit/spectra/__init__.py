"""Hessian spectra at symmetric points by isotypic blocks, with multiplicities in k."""
from .spectrum import *  # noqa: F401,F403  (refined below)
from .spectrum import __all__  # noqa: F401
