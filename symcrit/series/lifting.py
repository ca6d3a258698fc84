r"""The lifting: the coefficients of a family's series order by order, and the series of its
loss and Hessian eigenvalues.

With :math:`\eta^{<j}` known, the rescaled system (:mod:`symcrit.series.rescaled`) gives the
next coefficients by one linear solve with the leading Jacobian,

.. math::

    \eta_j = -J_0^{-1}\,[\varepsilon^j]\,F(\eta^{<j}, \varepsilon),

since :math:`F(\eta^{<j} + \varepsilon^j\eta_j, \varepsilon) = F(\eta^{<j}, \varepsilon)
+ \varepsilon^j J_0\eta_j + O(\varepsilon^{j+1})` (math.md §4, step 3).  The lifting is
written once over a coefficient domain (:mod:`symcrit.algebra.domains`): over
:math:`\mathbb{Q}(\pi)` or :math:`\mathbb{Q}(\pi)(\sqrt s)` with :math:`J_0^{-1}` exact
(:func:`symcrit.algebra.exact_inverse`) and the residual checked to vanish through
:math:`\varepsilon^{j}` at every order, or in mpmath with an LU solve.  Each evaluation of F
uses as many internal orders as the series arithmetic needs to know its coefficient of
:math:`\varepsilon^j` (found once, then kept).

The loss and the eigenvalues follow from the series of the point: the restricted loss, and
the isotypic blocks of the Hessian with their eigenvalue branches
(:mod:`symcrit.series.eigen`), evaluated in the same series arithmetic.

>>> import mpmath
>>> from symcrit.critical import get_family
>>> from .rescaled import RescaledSystem
>>> with mpmath.workdps(40):
...     R = RescaledSystem(get_family("type-A"), 40)
...     eta0, J0 = R.leading(40)
...     L = Lifting(R)
...     L.coeffs = [[x] for x in eta0]
...     c = L.run(MPMATH_DOMAIN, J0, 3).coeffs[R.unknown.index("d")]
>>> [mpmath.nstr(x * mpmath.pi ** 3, 12) for x in c]   # π³·(4/π, 32/π³, -56/π² - ...)
['39.4784176044', '32.0', '-188.052742576']
"""
from __future__ import annotations

import time

import mpmath

from ..algebra import MPMATH_DOMAIN, LaurentSystem, NotExact
from ..core import ConvergenceError
from .eigen import charpoly, eigen_branches, series_blocks

__all__ = ["Lifting", "numeric_coefficients", "loss_series", "eigen_series"]


def _solver(D, J0):
    """v -> J0^{-1} v in the domain (J0: numeric mpmath matrix, or an exact inverse)."""
    if D.exact:
        inv = J0
        return lambda v: [sum((inv[i][j] * v[j] for j in range(len(v))), D.zero)
                          for i in range(len(v))]
    return lambda v: list(mpmath.lu_solve(J0, mpmath.matrix(v)))


# ----------------------------------------------------------------------------- lifting
class Lifting:
    r"""The coefficients :math:`\eta_j` of the rescaled unknowns, lifted order by order.

    Parameters
    ----------
    resc : RescaledSystem

    Attributes
    ----------
    coeffs : list of lists
        :math:`\eta_{i,0}, \eta_{i,1}, \dots` per unknown i (domain elements).
    exact_upto : int
        :math:`\eta_j` was derived in exact arithmetic for j < ``exact_upto``.
    timings : list of (int, float)
        Seconds from the start to each order.
    """

    def __init__(self, resc):
        self.resc = resc
        self.coeffs = [[] for _ in range(resc.p)]
        self.exact_upto = 0                  # η_j derived for j < exact_upto
        self.pad = resc.shift + 2
        self.timings = []

    def run(self, D, J0, upto, t0=None, progress=None):
        """Extend the coefficients to ``upto`` orders over the domain D; an operation that
        is not exact (NotExact) stops the exact lifting at that order."""
        resc = self.resc
        solve = _solver(D, J0)
        t0 = t0 if t0 is not None else time.perf_counter()
        j = len(self.coeffs[0]) if resc.p else upto
        while j < upto:
            while True:
                S = LaurentSystem(order=j + 1 + self.pad, domain=D)
                eta = [S.series(c[:j]) for c in self.coeffs]
                F, _ = resc.residual(S, eta)
                short = j + 1 - min(f.prec for f in F)
                if short <= 0:
                    break
                self.pad += short
            if D.exact:
                for f in F:
                    v = f.valuation()
                    if v is not None and v < j:
                        raise ConvergenceError(f"family {resc.fam.name}: the exact lifting is "
                                               f"inconsistent at order {j} (internal error)")
            delta = solve([f.coefficient(j) for f in F])
            for i in range(resc.p):
                self.coeffs[i].append(-delta[i])
            if D.exact:
                self.exact_upto = j + 1
            j += 1
            self.timings.append((j - 1, time.perf_counter() - t0))
            if progress:
                progress(j - 1)
        return self


def numeric_coefficients(coeffs):
    """The coefficients (lists of domain elements) as mpmath numbers."""
    return [[MPMATH_DOMAIN.convert(c) for c in row] for row in coeffs]


# ----------------------------------------------------------------------------- loss, eigen
def loss_series(resc, D, coeffs, known, extra=4):
    """The loss as a series, from η known to ``known`` orders (the series arithmetic says
    how many of its terms these determine): the restricted loss evaluated on the series of
    the point, over the domain D."""
    S = LaurentSystem(order=known + extra, domain=D)
    eta = [S.series(c[:known], 0, known) for c in coeffs]
    xi = resc.point(S, eta)
    return resc.R.evaluate(xi, S.monomial(1, -2), system=S, order=0).normalized()


def eigen_series(resc, D, coeffs, known, N, extra=2):
    """The Hessian eigenvalues as series, from η known to ``known`` orders: per isotypic
    block ``(irrep, multiplicity, [branch series] or the NotExact raised)``."""
    S = LaurentSystem(order=known + extra, domain=D)
    eta = [S.series(c[:known], 0, known) for c in coeffs]
    xi = resc.point(S, eta)
    out = []
    for b in series_blocks(resc.fam.isotropy, xi, S):
        try:
            brs = [x.normalized() for x in eigen_branches(charpoly(b.A.tolist(),
                                                                  b.B.tolist()), N + 2)]
        except NotExact as exc:
            brs = exc
        out.append((b.irrep, b.multiplicity, brs))
    return out
