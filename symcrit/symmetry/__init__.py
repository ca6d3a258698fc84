"""Symmetry: the group of the problem, Young-type isotropy groups, fixed spaces."""
from .spec import parse_spec, IsotropySpec, K, D
from .young import YoungIsotropy, SymmetryGroup, isotropy, act
from .fixed import FixedSpace, Parameter

__all__ = ["parse_spec", "IsotropySpec", "K", "D", "YoungIsotropy", "SymmetryGroup",
           "isotropy", "act", "FixedSpace", "Parameter"]
