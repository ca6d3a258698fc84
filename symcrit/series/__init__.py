r"""Series of families of critical points in :math:`k^{-1/2}` (Arjevani & Field 2021,
arXiv:2107.10370): the rescaled system (:mod:`.rescaled`), the lifting (:mod:`.lifting`),
the eigenvalue branches (:mod:`.eigen`), the exact and numeric passes (:mod:`.passes`), the
result (:mod:`.family`, :mod:`.terms`), its printing (:mod:`.printing`), verification
(:mod:`.verify`) and coefficient checks (:mod:`.check`)."""
from .terms import SeriesTerm
from .eigen import charpoly, eigen_branches, series_blocks
from .family import FamilySeries, family_series
from .check import CoefficientCheck, check_coefficient

__all__ = ["FamilySeries", "SeriesTerm", "family_series", "charpoly", "eigen_branches",
           "series_blocks", "CoefficientCheck", "check_coefficient"]
