"""Series in k^(-1/2): Newton polygons and Puiseux series (:mod:`.puiseux`), truncated
Laurent series as a number system (:mod:`.laurent`), family expansions (:mod:`.family`) and
Hessian eigenvalue branches (:mod:`.eigen`)."""
from .puiseux import NewtonPolygon, PuiseuxSeries, newton_polygon, puiseux_branches

__all__ = ["NewtonPolygon", "PuiseuxSeries", "newton_polygon", "puiseux_branches"]
