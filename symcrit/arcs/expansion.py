r"""The expansion of a tangency arc and of m(r) at r = 0.

In the coordinates η of the arc's fixed space Fix(G), with the Frobenius weights
:math:`D = \mathrm{diag}(w_p)` and :math:`g = \nabla_\eta L_G`, the arc solves

.. math::

    g(\eta) = \mu\, D\,(\eta - \eta_c), \qquad (\eta-\eta_c)^\top D\,(\eta-\eta_c) = r^2 .

**Blow-up.**  Write :math:`\eta = \eta_c + r\,z(r)`, :math:`z^\top D z = 1`.  Dividing the
first equation by r, the system in :math:`(z, \mu)` at r = 0 is the eigenproblem
:math:`H z = \mu D z` (:math:`H = \nabla^2 L_G(\eta_c)`), solved by the start
:math:`(v, \lambda)`; its Jacobian there,

.. math::

    J_0 = \begin{pmatrix} H - \lambda D & -D v \\ (D v)^\top & 0 \end{pmatrix},

is invertible when λ is a simple eigenvalue of the pencil (H, D), which is what makes G
axial.  So, by the implicit function theorem, z(r) and μ(r) are power series in r: the
Newton–Puiseux exponents of the arc are integers, and the expansion is the lifting
:math:`(z_j, \mu_j) = -J_0^{-1}[r^j](\text{equations})`, one order at a time, with the
restricted loss evaluated in truncated power series of r
(:class:`symcrit.algebra.LaurentSystem`; the formula is the compiled one, never re-derived).
Each order costs one evaluation of the gradient of :math:`L_G` in series, whatever k is.

**m(r).**  On the arc :math:`m'(r) = \nabla L\cdot\gamma'(r) = \mu\,(\gamma-c)\cdot\gamma' =
\mu(r)\,r`, so

.. math::

    m(r) = L(c) + \frac{\lambda}{2} r^2 + \sum_{j\ge1}\frac{\mu_j}{j+2}\, r^{j+2},
    \qquad c_3 = \frac{\mu_1}{3} = \frac{1}{6}D^3L(c)[v,v,v],

and the series of :math:`L(\eta_c + r z(r))` from the last evaluation confirms every
coefficient but the last (``check``).  The opposite arc (start -v) is the same curve at
negative r: its coefficients are :math:`(-1)^j c_j`.  When an element of the isotropy group
maps v to -v, m is even in r and the odd coefficients vanish exactly (``zero_by_symmetry``);
in particular c₃ = 0 and the first term beyond r² is quartic (Arjevani 2023, "Hidden minima
in two-layer ReLU networks", arXiv:2312.16819).

**Exact or numeric.**  The lifting is written once over a coefficient domain
(:mod:`symcrit.algebra.domains`): given a critical point, eigenvalue and eigenvector in
:math:`\mathbb{Q}(\pi)` (or an extension) it is exact, with :func:`symcrit.algebra.exact_inverse`
for :math:`J_0`; the weights are integers, so no square root enters.  The critical points of
the families are roots of transcendental equations, known numerically at each finite k, so
their arcs are expanded over mpmath (``certainty = "refined"``: to the working precision).

>>> from symcrit.critical import get_family
>>> from symcrit.arcs import arc_starts
>>> st = arc_starts(get_family("hidden-D").point(10, dps=30), "min")[0]
>>> ex = arc_expansion(st, order=6)
>>> ex.leading()                       # c3 = 0 by symmetry: quartic
('quartic', 4)
>>> mpmath.nstr(ex.coefficients[2], 15), mpmath.nstr(ex.coefficients[4], 12)
('0.0087441692987061', '-0.00982486947449')
>>> ex.certainty, ex.zero_by_symmetry, float(ex.check) < 1e-25
('refined', True, True)
"""
from __future__ import annotations

from dataclasses import dataclass, field

import mpmath

from ..algebra import MPMATH_DOMAIN, LaurentSystem, exact_inverse
from ..core import InputError, check_dps, dec, guard_digits, workdps

__all__ = ["ArcExpansion", "arc_expansion", "lift_arc", "fit_coefficients", "MAX_ORDER"]

#: the highest power of r computed
MAX_ORDER = 12


@dataclass
class ArcExpansion:
    r"""The expansion at r = 0 of one arc: ``coefficients`` {j: c_j} of
    :math:`m(r) = \sum_j c_j r^j` (j = 0, 2, 3, …, ``order``), ``mu`` the coefficients of
    μ(r), ``arc`` the coefficients :math:`z_j` of :math:`\eta(r) = \eta_c + \sum_j z_j
    r^{j+1}`, ``certainty`` (``exact`` or ``refined``), ``dps``, ``zero_by_symmetry`` (odd
    coefficients are exactly 0) and ``check`` (the largest difference between the
    coefficients from μ and from the series of L along the arc)."""
    coefficients: dict
    mu: list
    arc: list
    order: int
    certainty: str
    dps: int
    zero_by_symmetry: bool = False
    check: object = None
    domain: str = "mpmath"
    notes: list = field(default_factory=list)

    def reflected(self):
        """The expansion of the opposite arc (start -v): :math:`c_j \\to (-1)^j c_j`."""
        neg = _neg
        return ArcExpansion({j: c if j % 2 == 0 else neg(c)
                             for j, c in self.coefficients.items()},
                            [m if j % 2 == 0 else neg(m) for j, m in enumerate(self.mu)],
                            [[neg(x) for x in z] if j % 2 == 0 else list(z)
                             for j, z in enumerate(self.arc)],
                            self.order, self.certainty, self.dps, self.zero_by_symmetry,
                            self.check, self.domain, list(self.notes))

    def leading(self, tol=None):
        """The first term beyond r²: ``("cubic", 3)`` or ``("quartic", 4)`` (c₃ = 0 by
        symmetry, or below ``tol``, default :math:`10^{-dps/2}` relative to c₂), or
        ``("higher", j)``."""
        c2 = abs(self.coefficients[2]) or 1
        tol = mpmath.mpf(10) ** (-(self.dps // 2)) if tol is None else tol
        for j in range(3, self.order + 1):
            c = self.coefficients[j]
            if not (c == 0 or abs(c) <= tol * c2):
                return ("cubic" if j == 3 else "quartic" if j == 4 else "higher"), j
        return "higher", self.order + 1

    def __call__(self, r):
        """The truncated series of m(r) at r (mpmath)."""
        return mpmath.fsum(c * mpmath.mpf(r) ** j for j, c in self.coefficients.items())

    def to_json(self, digits=None):
        """``{"2": …, "3": …}`` as decimal strings (exact zeros as "0")."""
        digits = digits or self.dps
        return {str(j): ("0" if c == 0 else dec(c, digits))
                for j, c in sorted(self.coefficients.items()) if j >= 2}


def _neg(x):
    """-x, exactly (mpmath rounds a negation to the working precision otherwise)."""
    return mpmath.fneg(x, exact=True) if isinstance(x, mpmath.mpf) else -x


def _solver(J0, domain):
    """``solve(rhs)`` for the leading Jacobian: exact inverse over an exact domain, LU at
    the working precision over mpmath."""
    if domain.exact:
        inv = exact_inverse([list(row) for row in J0], domain.is_zero)
        return lambda b: [sum((inv[i][j] * b[j] for j in range(len(b))), domain.zero)
                          for i in range(len(b))]
    M = mpmath.matrix(J0)
    return lambda b: list(mpmath.lu_solve(M, mpmath.matrix(b)))


def lift_arc(R, k, eta_c, weights, lam, v, order=6, domain=MPMATH_DOMAIN):
    r"""The power series of the arc through :math:`(\eta_c, \lambda, v)` to ``order``
    (the highest power of r in m(r)), by the order-by-order lifting of the module docstring.

    Parameters
    ----------
    R : RestrictedLoss
        :math:`L_G` of the fixed space of the arc.
    k : number
        k (an element of the domain or anything it converts).
    eta_c, weights, lam, v : sequences / number
        The critical point (coordinates of Fix(G)), the Frobenius weights, the eigenvalue
        and its eigenvector (:math:`v^\top D v = 1`), in the domain.
    order : int
        4 ≤ order ≤ :data:`MAX_ORDER`.
    domain : Domain
        :data:`~symcrit.algebra.MPMATH_DOMAIN` (numeric, at the working precision) or an
        exact field such as :data:`~symcrit.algebra.QQ_PI`.

    Returns
    -------
    (coefficients, mu, z, check)
        {j: c_j}, [μ_j], [z_j] and the largest difference between the coefficients of m
        from μ and from the series of L along the arc.
    """
    if not isinstance(order, int) or not 4 <= order <= MAX_ORDER:
        raise InputError(f"the order of the expansion must be from 4 to {MAX_ORDER}")
    D = domain
    n = len(eta_c)
    eta_c = [D.convert(x) for x in eta_c]
    w = [D.convert(x) for x in weights]
    lam, v = D.convert(lam), [D.convert(x) for x in v]
    S0 = LaurentSystem(order=2, domain=D)
    kk = S0.convert(k)
    _, _, H0 = R.evaluate([S0.convert(x) for x in eta_c], kk, system=S0)
    H = [[H0[i, j].coefficient(0) if hasattr(H0[i, j], "coefficient") else D.convert(H0[i, j])
          for j in range(n)] for i in range(n)]
    Dv = [w[i] * v[i] for i in range(n)]
    J0 = [[H[i][j] - (lam * w[i] if i == j else D.zero) for j in range(n)] + [-Dv[i]]
          for i in range(n)] + [Dv + [D.zero]]
    solve = _solver(J0, D)
    z, mu = [v], [lam]
    Ls = None
    for j in range(1, order - 1):
        S = LaurentSystem(order=j + 2, domain=D)
        eta = [S.series([eta_c[i]] + [z[a][i] for a in range(j)]) for i in range(n)]
        Ls, g = R.evaluate(eta, S.convert(k), system=S, order=1)
        res = []
        for i in range(n):
            c = g[i].coefficient(j + 1)
            for a in range(1, j):
                c = c - mu[a] * w[i] * z[j - a][i]
            res.append(-c)
        norm = D.zero
        for a in range(1, j):
            norm = norm + sum((w[i] * z[a][i] * z[j - a][i] for i in range(n)), D.zero)
        sol = solve(res + [-(norm / 2)])
        z.append(sol[:n])
        mu.append(sol[n])
    coeffs = {0: _coef0(R, eta_c, k, D), 2: lam / 2}
    for j in range(1, order - 1):
        coeffs[j + 2] = mu[j] / (j + 2)
    check = D.zero
    if Ls is not None:
        diffs = [Ls.coefficient(j) - coeffs[j] for j in range(2, order)]
        if D.exact:
            check = 0 if all(D.is_zero(x) for x in diffs) else max(abs(D.value(x))
                                                                 for x in diffs)
        else:
            check = max(abs(x) for x in diffs)
    return coeffs, mu, z, check


def _coef0(R, eta_c, k, D):
    S = LaurentSystem(order=1, domain=D)
    L = R.evaluate([S.convert(x) for x in eta_c], S.convert(k), system=S, order=0)
    return L.coefficient(0)


def arc_expansion(start, order=6, dps=None):
    """The expansion of m(r) and of the arc of ``start`` (an
    :class:`~symcrit.arcs.directions.ArcStart`) at r = 0, to ``order`` (the highest power of
    r), in mpmath at ``dps`` digits (default the start's) plus guard digits for large k.

    The lifting runs for the start along +v; the arc along -v is its reflection.

    Returns
    -------
    ArcExpansion
    """
    dps = check_dps(dps or start.dps)
    base = start if start.sign == 1 else start.opposite()
    R = start.restricted
    with workdps(dps + guard_digits(start.k)):
        s = [mpmath.sqrt(mpmath.mpf(x)) for x in base.weights]
        v = [mpmath.mpf(u) / si for u, si in zip(base.u, s)]
        coeffs, mu, z, check = lift_arc(R, mpmath.mpf(start.k), base.eta_c, base.weights,
                                        base.eigenvalue, v, order, MPMATH_DOMAIN)
        scale = abs(coeffs[2]) or mpmath.mpf(1)
        check = check / scale
    with workdps(dps):
        coeffs = {j: +c for j, c in coeffs.items()}
        notes = []
        if start.symmetric:
            tol = mpmath.mpf(10) ** (-(dps // 2)) * scale
            bad = [j for j in coeffs if j % 2 and abs(coeffs[j]) > tol]
            if bad:   # pragma: no cover - the symmetry would be wrong
                raise InputError(f"odd coefficients {bad} are not zero, though -v is "
                                 "conjugate to v")
            for j in coeffs:
                if j % 2:
                    coeffs[j] = mpmath.mpf(0)
            notes.append("odd coefficients are 0: an element of the isotropy group maps v "
                         "to -v, so m(r) is even")
        ex = ArcExpansion(coeffs, [+m for m in mu], [[+x for x in zj] for zj in z], order,
                          "refined", dps, bool(start.symmetric), +check, "mpmath", notes)
    return ex if start.sign == 1 else ex.reflected()


def fit_coefficients(radii, values, c0, c2, degree=3):
    r"""An independent estimate of :math:`c_3, c_4, \dots` from values of m(r) at small
    radii: the least-squares fit (mpmath QR) of
    :math:`(m(r) - c_0 - c_2 r^2)/r^3 = c_3 + c_4 r + \dots` by a polynomial of
    ``degree`` - 1 in r.  Returns ``[c_3, c_4, …]`` (``degree`` values).

    >>> with mpmath.workdps(30):
    ...     rs = [mpmath.mpf(i) / 100 for i in range(1, 9)]
    ...     ms = [1 + r**2 / 2 - r**3 / 7 + r**4 / 3 - r**5 for r in rs]
    ...     print([mpmath.nstr(c, 8) for c in fit_coefficients(rs, ms, 1, mpmath.mpf(1) / 2)])
    ['-0.14285714', '0.33333333', '-1.0']
    """
    rows, rhs = [], []
    for r, m in zip(radii, values):
        r = mpmath.mpf(r)
        rows.append([r ** j for j in range(degree)])
        rhs.append((m - c0 - c2 * r ** 2) / r ** 3)
    sol, _ = mpmath.qr_solve(mpmath.matrix(rows), mpmath.matrix(rhs))
    return [sol[i] for i in range(degree)]
