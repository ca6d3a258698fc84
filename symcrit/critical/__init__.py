"""Critical points: the point (:mod:`.point`), refinement (:mod:`.refine`), continuation in k
(:mod:`.continuation`), search (:mod:`.search`), the catalogue of families
(:mod:`.families`) and the identification of a point with a family (:mod:`.identify`)."""
from .point import CriticalPoint, full_gradient_check
from .refine import refine, newton_restricted
from .continuation import Branch, Fold, follow, locate_fold
from .search import search
from .families import (Family, Asymptotics, get_family, list_families, register_family,
                       family_spectra, CATALOGUE, user_catalogue_path, FAR)
from .identify import identify, permutation_distance

__all__ = ["CriticalPoint", "full_gradient_check", "refine", "newton_restricted", "Branch",
           "Fold", "follow", "locate_fold", "search", "Family", "Asymptotics", "FAR", "get_family",
           "list_families", "register_family", "family_spectra", "CATALOGUE",
           "user_catalogue_path", "identify", "permutation_distance"]
