"""Hessian spectra at symmetric points by isotypic blocks, with multiplicities in k, at a
cost independent of k (:mod:`.blocks`); distinct eigenvalues, index and the one
classification of a critical point (:mod:`.spectrum`)."""
from .blocks import (IsotypicBlock, PointBlocks, multiplicity_value, point_blocks,
                     isotypic_blocks, hessian_blocks, block_minima)
from .spectrum import (NonCriticalWarning, classify, SpectrumEntry, Spectrum, spectrum,
                       spectrum_of, multiplicity_text, count_text)

__all__ = ["IsotypicBlock", "PointBlocks", "multiplicity_value", "point_blocks",
           "isotypic_blocks", "hessian_blocks", "block_minima", "NonCriticalWarning",
           "classify", "SpectrumEntry", "Spectrum", "spectrum", "spectrum_of",
           "multiplicity_text", "count_text"]
