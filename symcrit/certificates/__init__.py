"""Rigorous certificates (python-flint Arb): existence, uniqueness and type of critical points."""
from .certificate import *  # noqa: F401,F403
from .certificate import __all__  # noqa: F401
