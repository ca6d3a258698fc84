r"""The rescaled system of a family: limits, leading exponents, dominant balance, and the
leading coefficients.

Along a family of critical points (Arjevani & Field 2021, "Analytic study of families of
spurious minima in two-layer ReLU neural networks", NeurIPS, arXiv:2107.10370) each
coordinate tends to a limit :math:`\xi_p^\infty` as :math:`k \to \infty`, and its
deviation is a series in :math:`\varepsilon = k^{-1/2}` starting at a power
:math:`\varepsilon^{m_p}`:

1. *Limits and leading exponents.*  The family is followed to k = 10^4, 10^5, 10^6
   (:meth:`symcrit.critical.Family.points`); each coordinate's limit (an integer) and the
   power :math:`m_p` are read off (log–log slopes, rounded to integers in ε, and then
   *checked*: step 2 must give an invertible leading Jacobian).
2. *Rescaling.*  :math:`\xi_p = \xi_p^\infty + \varepsilon^{m_p}\eta_p` and equation p
   divided by :math:`\varepsilon^{r_p}`, with :math:`r_p` the lowest power of ε in row p
   of :math:`\partial G/\partial\eta` (the dominant balance: the lower edge of each row's
   Newton polygon).  Where the leading Jacobian is singular a row is replaced by the
   rational combination of rows that cancels its leading part, divided by the power of ε
   that remains (a local Smith form).  The system :math:`F(\eta, \varepsilon) = 0` has
   an invertible Jacobian :math:`J_0` at ε = 0.
3. *Leading coefficients* :math:`\eta(0)`: Newton's method (:func:`symcrit.core.newton`)
   on :math:`F(\eta, 0) = 0`; then, over :math:`\mathbb{Q}(\pi)`, recognised by an
   integer-relation search and *proved*: :math:`F(\eta(0), 0) = 0` and
   :math:`\det J_0 \ne 0` checked in exact arithmetic (:meth:`RescaledSystem.exact_leading`).

Every evaluation of F is the compiled restricted gradient
(:func:`symcrit.restricted.restricted_loss`) run in the number system of truncated Laurent
series (:class:`symcrit.algebra.LaurentSystem`): nothing is re-derived by hand.

>>> from symcrit.critical import get_family
>>> R = RescaledSystem(get_family("type-A"), 40)
>>> R.unknown, [R.m[n] for n in R.unknown]          # deviations ~ ε^m
(['a', 'b', 'c', 'd', 'e'], [4, 4, 2, 2, 2])
>>> with mpmath.workdps(40):
...     eta0, J0 = R.leading(40)
>>> mpmath.nstr(eta0[2], 10)                         # c ~ 2/k
'2.0'
"""
from __future__ import annotations

from fractions import Fraction

import mpmath

from ..algebra import QQ_PI, LaurentSystem, NotExact, exact_inverse, find_relation
from ..core import ConvergenceError, InputError, newton, workdps
from ..restricted import restricted_loss

__all__ = ["RescaledSystem"]

BASE = 14                  # internal orders for the leading-order system


def _small_rational(x):
    """x snapped to a rational with denominator <= 24 (structural coefficients)."""
    return Fraction(mpmath.nstr(x, 12, min_fixed=-50, max_fixed=50)).limit_denominator(24)


def _rational_null_row(U, sv, p):
    """A row combination y with yᵀJ0 = 0 in a canonical form: the left singular vectors of
    the (numerically) vanishing singular values span the left null space; its reduced row
    echelon form does not depend on which basis the SVD returned, and a null space defined
    over Q has rational rows there, which are snapped to small rationals.  Returns the
    pivot (the row the combination replaces) and y."""
    top = max(abs(x) for x in sv)
    null = [j for j in range(p) if abs(sv[j]) <= mpmath.mpf(10) ** -8 * top]
    M = [[U[i, j] for i in range(p)] for j in null]          # rows span the null space
    pivots, r = [], 0
    for c in range(p):
        if r == len(M):
            break
        piv = max(range(r, len(M)), key=lambda i: abs(M[i][c]))
        if abs(M[piv][c]) < mpmath.mpf(10) ** -6:
            continue
        M[r], M[piv] = M[piv], M[r]
        M[r] = [v / M[r][c] for v in M[r]]
        for i in range(len(M)):
            if i != r:
                M[i] = [a - M[i][c] * b for a, b in zip(M[i], M[r])]
        pivots.append(c)
        r += 1
    return pivots[0], [_small_rational(v) for v in M[0]]


class RescaledSystem:
    r"""The rescaled system :math:`F(\eta, \varepsilon)` of a family, evaluated in a
    :class:`~symcrit.algebra.LaurentSystem` over any coefficient domain.

    Parameters
    ----------
    fam : Family
        A family of the catalogue (:func:`symcrit.critical.get_family`).
    work : int
        Working digits (the limits and exponents are read at 30 digits).

    Attributes
    ----------
    names, unknown : list of str
        All parameters of Fix(H), and those that are not on their limit for all k.
    lim, m : dict
        The limit (an integer) and the power of ε of the deviation of each parameter.
    p : int
        The number of unknowns.
    r, ops : list
        The row scalings and the row operations of the regularisation.
    """

    def __init__(self, fam, work):
        self.fam = fam
        self.R = restricted_loss(fam.isotropy)
        # 30 digits are plenty to read limits, powers and estimates (Newton refines η(0))
        asy = fam.asymptotics(30)
        self.names, self.lim, self.m, self.est = (asy.names, asy.limits, asy.powers,
                                                  asy.estimates)
        self.unknown = [n for n in self.names if self.m[n] is not None]
        self.idx = {n: i for i, n in enumerate(self.names)}
        self.rows = [self.idx[n] for n in self.unknown]
        self.p = len(self.unknown)
        self.r = [0] * self.p
        self.ops = []                  # (row, rational combination, shift)
        if self.p:
            with workdps(work):        # the regularisation reads singular values: at a
                self._regularise()     # fixed precision, whatever the caller's

    def to_data(self):
        """The rescaling as plain data: the limits, the powers m of ε, the row scalings r
        and the row operations ``[row, combination, shift]`` (rationals as texts).

        >>> from symcrit.critical import get_family
        >>> d = RescaledSystem(get_family("hidden-D"), 30).to_data()
        >>> d["limits"], d["powers"], d["rows"]
        ({'a': -1, 'b': 0}, {'a': 2, 'b': 2}, [-2, -4])
        """
        return {"names": list(self.names),
                "limits": {n: int(self.lim[n]) for n in self.names},
                "powers": {n: self.m[n] for n in self.names},
                "rows": [int(x) for x in self.r],
                "ops": [[int(row), [str(Fraction(c)) for c in y], int(shift)]
                        for row, y, shift in self.ops]}

    @classmethod
    def from_data(cls, fam, data):
        """The rescaled system of ``fam`` with a given rescaling (:meth:`to_data`), without
        reading limits and powers off refined points.  Any such data defines an equivalent
        system for ε > 0 as long as each row operation keeps its own row (its combination
        has a non-zero entry there), which is checked.

        Raises
        ------
        InputError
            Data of the wrong shape, or a row operation that is not invertible.
        """
        self = cls.__new__(cls)
        self.fam = fam
        self.R = restricted_loss(fam.isotropy)
        try:
            names = [str(n) for n in data["names"]]
            if names != list(self.R.fixed.names):
                raise InputError(f"the rescaling names {names}, not the parameters "
                                 f"{self.R.fixed.names} of Fix({self.R.H.label})")
            self.names = names
            self.lim = {n: int(data["limits"][n]) for n in names}
            self.m = {n: None if data["powers"][n] is None else int(data["powers"][n])
                      for n in names}
            self.est = {}
            self.unknown = [n for n in names if self.m[n] is not None]
            self.idx = {n: i for i, n in enumerate(names)}
            self.rows = [self.idx[n] for n in self.unknown]
            self.p = len(self.unknown)
            self.r = [int(x) for x in data["rows"]]
            self.ops = [(int(row), [Fraction(str(c)) for c in y], int(shift))
                        for row, y, shift in data["ops"]]
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"not a rescaling ({exc})") from None
        if len(self.r) != self.p or any(not 0 <= row < self.p or len(y) != self.p or
                                        y[row] == 0 for row, y, _ in self.ops):
            raise InputError("the rescaling's row scalings or operations do not fit (each "
                             "operation must keep a non-zero multiple of its own row)")
        return self

    def point(self, S, eta):
        """ξ(η) as series: the limits plus ε^m η."""
        xi, j = [], 0
        for n in self.names:
            if self.m[n] is None:
                xi.append(S.convert(self.lim[n]))
            else:
                xi.append(S.convert(eta[j]) * S.monomial(1, self.m[n]) + self.lim[n])
                j += 1
        return xi

    def residual(self, S, eta, deriv=False):
        """F(η, ε) (and ∂F/∂η with ``deriv``): the restricted gradient at ξ(η), scaled
        and combined as the regularisation prescribes."""
        xi = self.point(S, eta)
        out = self.R.evaluate(xi, S.monomial(1, -2), system=S, order=2 if deriv else 1)
        g = [out[1][i] for i in self.rows]
        J = [[out[2][i, self.idx[n]] * S.monomial(1, self.m[n]) for n in self.unknown]
             for i in self.rows] if deriv else None
        return self._transform(S, g, J)

    def _transform(self, S, g, J):
        D = S.domain
        G = [g[i] * S.monomial(1, -self.r[i]) for i in range(self.p)]
        if J is not None:
            J = [[x * S.monomial(1, -self.r[i]) for x in J[i]] for i in range(self.p)]
        for (row, y, shift) in self.ops:
            yv = [D.convert(c) for c in y]
            sh = S.monomial(1, -shift)
            G[row] = sum((G[i] * yv[i] for i in range(self.p) if y[i]), S.convert(0)) * sh
            if J is not None:
                J[row] = [sum((J[i][q] * yv[i] for i in range(self.p) if y[i]),
                              S.convert(0)) * sh for q in range(self.p)]
        return G, J

    def _regularise(self, eta=None):
        """Row scalings r and row operations making J0 invertible (numerically, at η:
        by default the estimate from the refined points)."""
        p = self.p
        self.r, self.ops = [0] * p, []
        S = LaurentSystem(order=BASE)
        eta = eta if eta is not None else [self.est[n] for n in self.unknown]
        xi = self.point(S, eta)
        out = self.R.evaluate(xi, S.monomial(1, -2), system=S, order=2)
        J_raw = [[out[2][i, self.idx[n]] * S.monomial(1, self.m[n]) for n in self.unknown]
                 for i in self.rows]
        g_raw = [out[1][i] for i in self.rows]
        for i in range(p):
            vals = [v for v in (e.valuation() for e in J_raw[i]) if v is not None]
            if not vals:
                raise ConvergenceError(f"equation {self.unknown[i]} does not depend on the "
                                       "unknowns")
            self.r[i] = min(vals)
        for attempt in range(4 * p):
            G, J = self._transform(S, g_raw, J_raw)
            J0 = mpmath.matrix([[J[i][q].coefficient(0) for q in range(p)] for i in range(p)])
            U, sv, V = mpmath.svd_r(J0)
            if min(abs(x) for x in sv) > mpmath.mpf(10) ** -8 * max(abs(x) for x in sv):
                return
            big, y = _rational_null_row(U, sv, p)
            new_vals = []
            for q in range(p):
                c = sum((J[i][q] * y[i] for i in range(p) if y[i]), S.convert(0))
                if c.valuation() is not None:
                    new_vals.append(c.valuation())
            if not new_vals or min(new_vals) < 1:
                raise ConvergenceError(f"family {self.fam.name}: the leading Jacobian is "
                                       "singular and no row combination regularises it")
            self.ops.append((big, y, min(new_vals)))
        raise ConvergenceError(f"family {self.fam.name}: could not regularise the leading "
                               "Jacobian (the numerically read exponents may be wrong)")

    @property
    def leading_order(self):
        """Internal orders enough to know F(η, 0) and J0 (checked where they are used)."""
        return self.shift + 3

    @property
    def shift(self):
        """The orders of ε the rescaling costs: the largest row scaling :math:`r_i` plus
        the powers of ε divided out by the row combinations (``ops``)."""
        return max(self.r + [0]) + sum(op[2] for op in self.ops)

    def leading(self, work, start=None):
        """η(0) by Newton's method (:func:`symcrit.core.newton`) on F(η, 0) = 0 at ``work``
        digits (mpmath), and J0 there.  Without a ``start`` (the estimate from the refined
        points) the regularisation is redone once at the solution and, if it changes, Newton
        continues with the new rows."""
        p = self.p
        tol = mpmath.mpf(10) ** (-(work - 10))

        def evaluate(eta):
            S = LaurentSystem(order=self.leading_order)
            G, J = self.residual(S, list(eta), deriv=True)
            if min([g.prec for g in G] + [x.prec for row in J for x in row]) < 1:
                raise ConvergenceError(f"family {self.fam.name}: the leading-order system "
                                       "loses more orders than expected (internal error)")
            F0 = [G[i].coefficient(0) for i in range(p)]
            J0 = mpmath.matrix([[J[i][q].coefficient(0) for q in range(p)] for i in range(p)])
            return F0, J0, None

        def solve(eta):
            try:
                return newton(evaluate, eta, tol, maxsteps=60)
            except ConvergenceError as exc:
                raise ConvergenceError(f"family {self.fam.name}: the leading-order system did "
                                       f"not converge ({exc}); the exponents read off "
                                       "numerically may be wrong") from None

        res = solve(list(start) if start is not None else [self.est[n] for n in self.unknown])
        if start is None:                     # again, at the solution
            old = (list(self.r), list(self.ops))
            self._regularise(list(res.x))
            if (list(self.r), list(self.ops)) != old:
                res = solve(res.x)
        return list(res.x), res.J

    def exact_leading(self, eta0, digits, D=QQ_PI):
        r"""η(0) in :math:`\mathbb{Q}(\pi)`, proved: each numerical component recognised by
        a small-height relation search, then :math:`F(\eta_0, 0) = 0`, no negative powers
        of ε in F and ∂F/∂η, and :math:`\det J_0 \ne 0` checked exactly in the domain D
        (Q(π), or an extension Q(π)(√s) when the system's square roots need it).  Returns
        ``(η0, J0^{-1})`` or ``(None, reason)``, the reason a NotExact when the domain
        was too small."""
        cands = [find_relation(x, digits) for x in eta0]
        bad = [n for n, c in zip(self.unknown, cands) if c is None]
        if bad:
            return None, (f"the leading coefficients of {', '.join(bad)} were not recognised "
                          "in Q(pi)")
        try:
            S = LaurentSystem(order=self.leading_order, domain=D)
            G, J = self.residual(S, cands, deriv=True)
        except NotExact as exc:
            return None, exc
        for x in G + [e for row in J for e in row]:
            v = x.valuation()
            if (v is not None and v < 0) or x.prec < 1:
                return None, "the rescaled system has negative powers of ε at the recognised η(0)"
        if any(g.valuation() == 0 for g in G):
            return None, "the recognised η(0) does not solve the leading-order system exactly"
        J0 = [[J[i][q].coefficient(0) for q in range(self.p)] for i in range(self.p)]
        try:
            inv = exact_inverse(J0)
        except ZeroDivisionError:
            return None, f"the leading Jacobian is singular over {D.name}"
        return [D.convert(c) for c in cands], inv
