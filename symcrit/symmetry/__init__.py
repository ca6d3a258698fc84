"""Symmetry: isotropy specs (:mod:`.spec`), Young-type isotropy groups and the symmetry
group (:mod:`.young`), fixed spaces (:mod:`.fixed`), characters of symmetric groups
(:mod:`.characters`), the isotypic decomposition of M(n, d) (:mod:`.isotypic`,
:mod:`.layout`) and the isotropy of a given point (:mod:`.detect`).

Names are imported on first use (the detection loads networkx, which most commands never
need)."""
from ..core.lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "spec": ["parse_spec", "IsotropySpec", "K", "D"],
    "young": ["YoungIsotropy", "SymmetryGroup", "isotropy", "act", "young_order",
              "wider_isotropy"],
    "fixed": ["FixedSpace", "Parameter"],
    "characters": ["partitions", "character", "irrep_dimension", "kostka", "big_dimension"],
    "isotypic": ["Irrep", "IsotypicComponent", "IsotypicDecomposition", "Layout",
                 "isotypic_decomposition", "size_value"],
    "detect": ["Isotropy", "detect_isotropy", "cluster_entries", "automorphism_order_bound",
               "automorphism_order"],
})
