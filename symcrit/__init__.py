"""symcrit: the loss landscape of two-layer ReLU networks, by symmetry.

>>> import symcrit
>>> symcrit.loss([[1, 0], [0, 1]]) == 0
np.True_
"""
from .core import FLOAT, MPMATH, SYMPY, ARB, workdps, get_system
from .model import Problem, loss, gradient, hessian, kernel

__version__ = "0.1.0"
