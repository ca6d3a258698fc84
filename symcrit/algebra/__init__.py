r"""Exact and truncated algebra: :math:`\mathbb{Q}(\pi)` and its extensions, the coefficient
domains, dense polynomials, Laurent series, Newton polygons and Puiseux series, closed-form
recognition, polynomials in k, and the grammar of exact values typed by a user.

The package imports only :mod:`symcrit.core` (and python-flint, sympy, mpmath)."""
from .qpi import NotExact, QPi
from .extensions import QPiAlgebraic, QPiSqrt
from .domains import (Domain, MpmathDomain, NumberField, QPiDomain, QPiExtension,
                      QPiSqrtDomain, ExpressionDomain, MPMATH_DOMAIN, QQ, QQ_PI)
from .dense import poly_add, poly_mul, poly_eval, poly_diff
from .roots import numeric_roots
from .linalg import exact_inverse
from .laurent import LaurentSeries, LaurentSystem
from .polygon import Edge, NewtonPolygon, newton_polygon, lower_hull
from .puiseux import PuiseuxSeries, puiseux_branches
from .identify import closed_form, find_relation
from .polynomials import rational_coefficients, polyval
from .grammar import ExactValue, parse_exact, parse_exponent, exact_from_sympy, exact_sqrt

__all__ = ["NotExact", "QPi", "QPiAlgebraic", "QPiSqrt", "Domain", "MpmathDomain",
           "NumberField", "QPiDomain", "QPiExtension", "QPiSqrtDomain", "ExpressionDomain",
           "MPMATH_DOMAIN", "QQ", "QQ_PI", "poly_add", "poly_mul", "poly_eval", "poly_diff",
           "numeric_roots", "exact_inverse", "LaurentSeries", "LaurentSystem", "Edge",
           "NewtonPolygon", "newton_polygon", "lower_hull", "PuiseuxSeries",
           "puiseux_branches", "closed_form", "find_relation", "rational_coefficients",
           "polyval", "ExactValue", "parse_exact", "parse_exponent", "exact_from_sympy",
           "exact_sqrt"]
