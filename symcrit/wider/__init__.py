"""Wider students: n > k neurons against the teacher I_k (Arjevani & Field 2022,
"Annihilation of spurious minima in two-layer ReLU networks", NeurIPS, arXiv:2210.06088).

Modules: :mod:`.blocks` (Young groups as index blocks, exact maps between fixed spaces),
:mod:`.embed` (neuron splits), :mod:`.zero` (the zero neuron and its directional
derivative), :mod:`.interlacing` (the split curvature M and Cauchy interlacing),
:mod:`.certify` (Arb certificates that split points are saddles), :mod:`.annihilation`
(the table), :mod:`.search` (minima of lesser symmetry in the wider fixed spaces),
:mod:`.perturb` (a symmetry-breaking target followed in ε), :mod:`.identify` (what a wide
point is)."""
from .blocks import BlockLayout, LinearMap, transfer, LAM, generic_k
from .embed import (RowClass, row_classes, row_class_of, split_group, multi_split_group,
                    EmbeddedPoint, split_neuron, narrow_point, parse_lambda, embedding_json)
from .zero import (ZeroNeuron, zero_neuron, directional_derivative, zero_group,
                   brute_force_minimum)
from .interlacing import (CurvatureBlock, NeuronCurvature, neuron_curvature,
                          curvature_blocks, fixed_space_compression)
from .certify import SplitCertificate, certify_split
from .annihilation import (WIDER_PARENTS, Embedding, AnnihilationRow, AnnihilationTable,
                           annihilation_table, split_index)
from .search import WideMinimum, wider_spaces, search_wider, identify_wide_family
from .perturb import (PerturbationStep, Perturbation, follow_perturbation,
                      random_direction)
from .identify import reduce_rows, identify_wide

__all__ = ["BlockLayout", "LinearMap", "transfer", "LAM", "generic_k", "RowClass",
           "row_classes", "row_class_of", "split_group", "multi_split_group",
           "EmbeddedPoint", "split_neuron", "narrow_point", "parse_lambda", "embedding_json",
           "ZeroNeuron", "zero_neuron", "directional_derivative", "zero_group",
           "brute_force_minimum", "CurvatureBlock", "NeuronCurvature", "neuron_curvature",
           "curvature_blocks", "fixed_space_compression", "SplitCertificate",
           "certify_split", "WIDER_PARENTS", "Embedding", "AnnihilationRow",
           "AnnihilationTable", "annihilation_table", "split_index", "WideMinimum",
           "wider_spaces", "search_wider", "identify_wide_family", "PerturbationStep",
           "Perturbation", "follow_perturbation", "random_direction", "reduce_rows",
           "identify_wide"]
