r"""Tangency arcs: how hidden minima differ from detectable ones (Arjevani 2023, "Hidden
minima in two-layer ReLU networks", arXiv:2312.16819).

For a critical point c of the loss, the tangency arcs are the curves of critical points of
L on the spheres :math:`\|W - c\|_F = r` (:math:`\nabla L(W) = \mu(W - c)`) that leave c
along an eigenvector of the lowest (highest) Hessian eigenvalue; the one along which L is
least (greatest) gives :math:`m(r) = \min_{\|W-c\|=r} L` (:math:`M(r)`).  This package
enumerates the branches by symmetry, traces each in its own fixed space at a cost
independent of k, expands m(r) at r = 0, tests each arc on its spheres in the full space,
ends it where it meets another critical point and compares families.

One concept per module:

* :mod:`.subgroups` — axial Young subgroups of an irreducible, coordinate maps between
  fixed spaces;
* :mod:`.invariants` — invariant cubic forms on an irreducible (when c₃ must vanish);
* :mod:`.directions` — the extreme eigenvalue, its component and the starting directions;
* :mod:`.tracer` — predictor–corrector continuation in r, refinement at any precision;
* :mod:`.expansion` — the power series of the arc and of m(r) at r = 0;
* :mod:`.sphere` — the second-order test on the spheres, by isotypic blocks;
* :mod:`.endpoint` — the critical point at r*, refined and identified;
* :mod:`.tangency` — all arcs of one kind at a point (:func:`tangency_arcs`);
* :mod:`.compare` — the table of hidden and detectable minima, large-k fits;
* :mod:`.figures` — the figure of m(r) − L(c) and μ(r).

>>> from symcrit.arcs import tangency_arcs
>>> best = tangency_arcs("type-A", 8, dps=20).realising
>>> best.isotropy, best.leading_term(), best.endpoint.kind, best.endpoint.index
('ΔS_{k-2}', 'cubic', 'saddle', 1)
"""
from .subgroups import (BlockGroup, Refinement, axial_subgroups, big_kostka, coarsenings,
                        block_permutations, DEFAULT_MAX_SPLIT, MAX_SPLIT)
from .invariants import cubic_invariants, symmetric_cube_multiplicity
from .directions import (ArcStart, arc_starts, extreme_eigenvalues, check_smooth,
                         check_kind, component_of, KINDS)
from .tracer import (ArcTrace, ArcPoint, trace_arc, refine_on_arc, refine_endpoint,
                     check_rmax, RMAX_DEFAULT, RMAX_LIMIT, MAX_STEPS, FLOAT_MAX_K)
from .expansion import ArcExpansion, arc_expansion, lift_arc, fit_coefficients, MAX_ORDER
from .sphere import SphereTest, tangent_eigenvalues, sphere_test
from .endpoint import Endpoint, arc_endpoint, lattice_isotropy, match_family, DETECT_MAX_K
from .tangency import TangencyArc, ArcSet, tangency_arcs, hermite_m, K_LIMIT
from .compare import (ComparisonRow, Comparison, compare_families, LargeKFit, large_k_fit,
                      MAX_COMPARE)
from .figures import plot_arcs, check_figure_path

__all__ = ["BlockGroup", "Refinement", "axial_subgroups", "big_kostka", "coarsenings",
           "block_permutations", "DEFAULT_MAX_SPLIT", "MAX_SPLIT", "cubic_invariants",
           "symmetric_cube_multiplicity", "ArcStart", "arc_starts", "extreme_eigenvalues",
           "check_smooth", "check_kind", "component_of", "KINDS", "ArcTrace", "ArcPoint",
           "trace_arc", "refine_on_arc", "refine_endpoint", "check_rmax", "RMAX_DEFAULT",
           "RMAX_LIMIT", "MAX_STEPS", "FLOAT_MAX_K", "ArcExpansion", "arc_expansion",
           "lift_arc", "fit_coefficients", "MAX_ORDER", "SphereTest", "tangent_eigenvalues",
           "sphere_test", "Endpoint", "arc_endpoint", "lattice_isotropy", "match_family",
           "DETECT_MAX_K", "TangencyArc", "ArcSet", "tangency_arcs", "hermite_m", "K_LIMIT",
           "ComparisonRow", "Comparison", "compare_families", "LargeKFit", "large_k_fit",
           "MAX_COMPARE", "plot_arcs", "check_figure_path"]
