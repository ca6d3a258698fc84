"""Exact and truncated algebra: Q(π) and its extensions, coefficient domains, Laurent series,
Newton polygons and Puiseux series, closed-form recognition."""
from .puiseux import NewtonPolygon, PuiseuxSeries, newton_polygon, puiseux_branches

__all__ = ["NewtonPolygon", "PuiseuxSeries", "newton_polygon", "puiseux_branches"]
