"""Symmetry: isotropy specs (:mod:`.spec`), Young-type isotropy groups and the symmetry
group (:mod:`.young`), fixed spaces (:mod:`.fixed`), characters of symmetric groups
(:mod:`.characters`), the isotypic decomposition of M(k, k) (:mod:`.isotypic`) and the
isotropy of a given point (:mod:`.detect`)."""
from .spec import parse_spec, IsotropySpec, K, D
from .young import YoungIsotropy, SymmetryGroup, isotropy, act, young_order, wider_isotropy
from .fixed import FixedSpace, Parameter
from .characters import partitions, character, irrep_dimension, kostka, big_dimension
from .isotypic import (Irrep, IsotypicComponent, IsotypicDecomposition, Layout,
                       isotypic_decomposition, size_value)
from .detect import (Isotropy, detect_isotropy, cluster_entries, automorphism_order_bound,
                     automorphism_order)

__all__ = ["parse_spec", "IsotropySpec", "K", "D", "YoungIsotropy", "SymmetryGroup",
           "isotropy", "act", "young_order", "wider_isotropy", "FixedSpace", "Parameter", "partitions", "character",
           "irrep_dimension", "kostka", "big_dimension", "Irrep", "IsotypicComponent",
           "IsotypicDecomposition", "Layout", "isotypic_decomposition", "size_value", "Isotropy",
           "detect_isotropy", "cluster_entries", "automorphism_order_bound",
           "automorphism_order"]
