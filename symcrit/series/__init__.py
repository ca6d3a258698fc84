"""Series in k^(-1/2): Newton polygons and Puiseux series (:mod:`.puiseux`), coefficient
domains, numeric or exact over Q(π) (:mod:`.domains`), truncated Laurent series as a number
system over a domain (:mod:`.laurent`), family expansions (:mod:`.family`), Hessian
eigenvalue branches (:mod:`.eigen`) and closed-form recognition with confirmation
(:mod:`.identify`)."""
from .puiseux import NewtonPolygon, PuiseuxSeries, newton_polygon, puiseux_branches

__all__ = ["NewtonPolygon", "PuiseuxSeries", "newton_polygon", "puiseux_branches"]
