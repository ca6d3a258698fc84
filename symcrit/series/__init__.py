"""Series of families of critical points in k^(-1/2)."""
from .family import FamilySeries, SeriesTerm, family_series

__all__ = ["FamilySeries", "SeriesTerm", "family_series"]
