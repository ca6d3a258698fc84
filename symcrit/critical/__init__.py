"""Critical points: the point and its refinement, continuation in k, search, the catalogue
of families, identification of a point with a family."""
from .refine import CriticalPoint, refine, full_gradient_check
from .continuation import Branch, Fold, follow, locate_fold
from .search import search
from .families import (Family, get_family, list_families, register_family, identify,
                       permutation_distance, CATALOGUE, user_catalogue_path)

__all__ = ["CriticalPoint", "refine", "full_gradient_check", "Branch", "Fold", "follow",
           "locate_fold", "search", "Family", "get_family", "list_families",
           "register_family", "identify", "permutation_distance", "CATALOGUE",
           "user_catalogue_path"]
