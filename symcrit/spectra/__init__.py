"""Hessian spectra at symmetric points by isotypic blocks, with multiplicities in k, at a
cost independent of k; the one classification of a critical point."""
from .spectrum import (IsotypicBlock, hessian_blocks, isotypic_blocks, classify,
                       SpectrumEntry, Spectrum, spectrum, spectrum_of, block_minima,
                       NonCriticalWarning, multiplicity_text, count_text)

__all__ = ["IsotypicBlock", "hessian_blocks", "isotypic_blocks", "classify", "SpectrumEntry",
           "Spectrum", "spectrum", "spectrum_of", "block_minima", "NonCriticalWarning", "multiplicity_text",
           "count_text"]
