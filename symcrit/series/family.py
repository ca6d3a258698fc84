r"""Series of a family of critical points in :math:`\varepsilon = k^{-1/2}`.

Along a family, the coordinates approach limits and some angles approach 0 or π; since
:math:`\arccos(-1+\delta) = \pi - \sqrt{2\delta}(1 + \delta/12 + \dots)` the expansions are
Puiseux series in :math:`k^{-1/2}` (Arjevani & Field 2021, "Analytic study of families of
spurious minima in two-layer ReLU neural networks", NeurIPS).  The method (see
``../shared/math.md`` §4):

1. *Limits and leading exponents.*  The family is followed to k = 10^10, 10^12, 10^14
   (:mod:`symcrit.critical.continuation`); each coordinate's limit and the power
   :math:`m_p` of ε of its deviation are read off (log–log slopes, rounded to integers in ε,
   and then *checked*: step 2 must give an invertible leading Jacobian, step 4 a consistent
   series).
2. *Rescaling.*  :math:`\xi_p = \xi_p^\infty + \varepsilon^{m_p}\eta_p` and equation p divided
   by :math:`\varepsilon^{r_p}`, with :math:`r_p` the lowest power of ε in row p of
   :math:`\partial G/\partial\eta` (the dominant balance: the lower edge of each row's Newton
   polygon).  The system :math:`F(\eta, \varepsilon) = 0` is analytic at ε = 0 with
   invertible Jacobian :math:`J_0`.
3. *Leading coefficients* :math:`\eta(0)`: Newton's method on :math:`F(\eta, 0) = 0`.
4. *Lifting*, order by order: the lowest non-vanishing order j of :math:`F(\eta(\varepsilon),
   \varepsilon)` fixes :math:`\eta_j` by one linear solve with :math:`J_0`.

Every evaluation of ``G`` is the compiled restricted gradient run in the number system of
truncated Laurent series (:mod:`symcrit.series.laurent`), so nothing is re-derived by
hand.  Coefficients are numerical (mpmath, at the working precision); a closed form found by
an integer-relation search (``mpmath.identify``) is reported as *identified*, never as
derived.  :meth:`FamilySeries.verify` compares the truncated series with refined points at
k = 10^4 … 10^12.

>>> S = family_series("type-A", order=4, dps=40)
>>> S.exponents["c"], S.term("c", 0)[0]          # c = 2/k + ...: exponent of k, coefficient
('-1', mpf('2.0'))
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from fractions import Fraction

import mpmath

from ..errors import ConvergenceError, InputError
from ..restricted import restricted_loss
from ..systems import workdps
from .laurent import LaurentSeries, LaurentSystem

__all__ = ["FamilySeries", "family_series"]

def _identify(x, digits):
    r"""A closed form :math:`p + q\pi + r/\pi + s/\pi^2 + u\pi^2` (rational
    coefficients up to 1000)
    matching x to ``digits`` digits, found by integer-relation search (PSLQ, Ferguson &
    Bailey 1992), or None.  Only a candidate: it is labelled *identified*, never derived.

    >>> import mpmath
    >>> with mpmath.workdps(40):
    ...     print(_identify(2 + 8 / mpmath.pi, 30))
    2 + 8/pi
    """
    import sympy
    if abs(x) < mpmath.mpf(10) ** (-digits):
        return sympy.Integer(0)
    digits = int(min(digits, 40))
    if digits < 15:
        return None
    pi = sympy.pi
    with workdps(digits + 5):
        x = +x
        ipi = 1 / mpmath.pi
        for basis, syms in (([1], [1]), ([1, mpmath.pi, ipi], [1, pi, 1 / pi]),
                            ([1, mpmath.pi, ipi, ipi ** 2, mpmath.pi ** 2],
                             [1, pi, 1 / pi, pi ** -2, pi ** 2])):
            try:
                rel = mpmath.pslq([x] + [mpmath.mpf(b) for b in basis],
                                  tol=mpmath.mpf(10) ** (-(digits - 3)), maxcoeff=1000,
                                  maxsteps=5000)
            except (ValueError, ZeroDivisionError):   # pragma: no cover
                rel = None
            if not rel or rel[0] == 0:
                continue
            expr = -sum(sympy.Rational(c, rel[0]) * b for c, b in zip(rel[1:], syms))
            if abs(mpmath.mpf(sympy.N(expr, digits + 5)) - x) <= \
                    mpmath.mpf(10) ** (-(digits - 3)) * max(1, abs(x)):
                return expr
    return None


@dataclass
class SeriesTerm:
    exponent: Fraction          # power of k
    value: object               # mpf
    identified: object = None   # a closed form (sympy) found by PSLQ: a candidate, not derived
    exact: object = None        # a derived closed form (sympy), where the lifting gives one


@dataclass
class FamilySeries:
    """The series of a family: per coordinate, the loss, as lists of terms in powers of k."""
    family: str
    isotropy: str
    order: int
    dps: int
    limits: dict
    exponents: dict                       # leading power of k of each deviation (string)
    coordinates: dict                     # name -> [SeriesTerm] (deviation from the limit)
    loss: list
    eigenvalues: dict = field(default_factory=dict)   # label -> [SeriesTerm] (whole value)
    eigen_info: dict = field(default_factory=dict)    # label -> (irrep, multiplicity in k)
    timings: list = field(default_factory=list)

    def term(self, name, j):
        t = self.coordinates[name][j]
        return t.value, t.exponent

    def evaluate(self, k, order=None):
        """The truncated series (first ``order`` terms) at k: coordinates and loss."""
        with workdps(self.dps):
            k = mpmath.mpf(k)

            def power(q):
                return k ** (mpmath.mpf(q.numerator) / q.denominator)
            out = [self.limits[n] + mpmath.fsum(t.value * power(t.exponent)
                                                for t in self.coordinates[n][:order])
                   for n in self.coordinates]
            L = mpmath.fsum(t.value * power(t.exponent) for t in self.loss[:order])
        return out, L

    def eigenvalue_values(self, k, order=None):
        """The truncated eigenvalue series at k: label -> value."""
        with workdps(self.dps):
            return self._eigenvalue_values(mpmath.mpf(k), order)

    def _eigenvalue_values(self, k, order):
        return {lab: mpmath.fsum(t.value * k ** (mpmath.mpf(t.exponent.numerator) /
                                                 t.exponent.denominator)
                                 for t in ts[:order])
                for lab, ts in self.eigenvalues.items()}

    def verify(self, ks=(10 ** 4, 10 ** 6, 10 ** 8, 10 ** 10, 10 ** 12), orders=None):
        """Truncation errors of the series against refined points (and, when the series has
        eigenvalues, against the spectrum there, :func:`symcrit.spectrum.spectrum_of`): a
        list of rows ``(k, order, max coordinate error, loss error, max eigenvalue error)``
        (the last relative to max(1, |λ|); None without eigenvalues).  At order N the
        errors should shrink like :math:`\varepsilon^{N+1}` times the leading power."""
        from ..critical.families import get_family
        fam = get_family(self.family)
        pts = fam.points(list(ks), dps=self.dps, full_check=False)
        orders = orders or [self.order // 2, self.order]
        rows = []
        with workdps(self.dps):
            for p in pts:
                ref = None
                if self.eigenvalues:
                    from ..spectrum import spectrum_of
                    ref = spectrum_of(p).by_irrep()
                for N in orders:
                    xs, L = self.evaluate(p.k, N)
                    err = max(abs(a - b) for a, b in zip(xs, p.xi))
                    eerr = None
                    if ref is not None:
                        vals = self.eigenvalue_values(p.k, N)
                        eerr = max(min(abs(v - r) for r in ref[self.eigen_info[lab][0]])
                                   / max(1, abs(v)) for lab, v in vals.items())
                    rows.append((p.k, N, err, abs(L - p.loss), eerr))
        return rows

    def verify_table(self, rows=None):
        """The table of :meth:`verify` as text."""
        rows = rows if rows is not None else self.verify()
        lines = [f"{'k':>8s} {'order':>5s} {'coordinates':>12s} {'loss':>12s} "
                 f"{'eigenvalues':>12s}"]
        for k, N, e1, e2, e3 in rows:
            kt = f"10^{int(round(math.log10(float(k))))}" if k == 10 ** round(
                math.log10(float(k))) else str(k)
            lines.append(f"{kt:>8s} {N:>5d} {mpmath.nstr(e1, 3):>12s} {mpmath.nstr(e2, 3):>12s} "
                         f"{'-' if e3 is None else mpmath.nstr(e3, 3):>12s}")
        return "\n".join(lines)

    def check(self, name, exponent, value, digits=None):
        """Check a user-supplied coefficient (for example from a paper) against the series:
        ``name`` a parameter, ``"L"`` or an eigenvalue label; ``exponent`` the power of k
        (a Fraction, int or text such as ``"-3/2"``); ``value`` an mpmath number or decimal
        text (not an expression: evaluate it yourself, e.g. ``8/mpmath.pi``).  Returns
        ``(agrees, computed value, difference)``."""
        q = Fraction(exponent) if not isinstance(exponent, Fraction) else exponent
        ts = self.loss if name == "L" else self.coordinates.get(name) or \
            self.eigenvalues.get(name)
        if ts is None:
            raise InputError(f"unknown series {name!r}: use a parameter, 'L' or one of "
                             f"{', '.join(self.eigenvalues)}")
        match = [t for t in ts if t.exponent == q]
        if not match:
            raise InputError(f"the series of {name} has no term k^({_fmt(q)}) up to order "
                             f"{self.order}")
        with workdps(self.dps):
            v = mpmath.mpf(value)
            diff = abs(match[0].value - v)
            tol = mpmath.mpf(10) ** (-(digits or self.dps - 10)) * max(1, abs(v))
            return bool(diff <= tol), match[0].value, diff

    def to_json(self, digits=30):
        from ..commands.common import dec

        def terms(ts):
            return [{"exponent": _fmt(t.exponent),
                     "coefficient": None if t.exact is None else str(t.exact),
                     "identified": None if t.identified is None else str(t.identified),
                     "value": dec(t.value, digits)} for t in ts]
        out = {"family": self.family, "isotropy": self.isotropy, "order": self.order,
               "variable": "k^(-1/2)",
               "coefficients_note": "'value' is numerical at the working precision "
                                    "(order-by-order lifting); 'coefficient' is a derived "
                                    "closed form (null when none is derived); 'identified' "
                                    "is a closed form found by integer-relation search "
                                    "(PSLQ) that matches 'value' to the working precision: "
                                    "a candidate, not a derivation",
               "loss": terms(self.loss),
               "parameters": {n: {"limit": dec(self.limits[n], digits),
                                  "terms": terms(ts)} for n, ts in self.coordinates.items()}}
        out["eigenvalues"] = [{"label": lab, "irrep": self.eigen_info[lab][0],
                               "multiplicity": str(self.eigen_info[lab][1]).replace(" ", ""),
                               "terms": terms(ts)} for lab, ts in self.eigenvalues.items()]
        return out

    def __str__(self):
        lines = [f"series of {self.family} in Fix({self.isotropy}) in powers of k "
                 f"(ε = k^(-1/2)), {self.order} terms, {self.dps} digits "
                 "(~(...): closed form identified by PSLQ, not derived)"]
        for n, ts in self.coordinates.items():
            lines.append(f"  {n} = {mpmath.nstr(self.limits[n], 6)} " + " ".join(
                _term_str(t) for t in ts[:6]) + (" + ..." if len(ts) > 6 else ""))
        lines.append("  L = " + (" ".join(_term_str(t) for t in self.loss[:6]) or "0"))
        for key, ts in self.eigenvalues.items():
            lines.append(f"  λ{key} = " + " ".join(_term_str(t) for t in ts[:4])
                         + (" + ..." if len(ts) > 4 else ""))
        return "\n".join(lines)

    def latex(self):
        """The series as a LaTeX ``aligned`` block (identified closed forms shown)."""
        out = []
        for n, ts in list(self.coordinates.items()) + [("L", self.loss)] + [
                (f"\\lambda_{{{lab}}}", ts) for lab, ts in self.eigenvalues.items()]:
            lim = mpmath.nstr(self.limits[n], 6) if n in self.limits else ""
            body = " ".join(_term_tex(t) for t in ts[:6])
            out.append(f"{n} &= {lim} {body} + \\dots")
        return "\\begin{aligned}\n" + " \\\\\n".join(out) + "\n\\end{aligned}"

    def _repr_latex_(self):
        return f"$${self.latex()}$$"


def _small_rational(x):
    """x snapped to a rational with denominator <= 24 (structural coefficients)."""
    q = Fraction(mpmath.nstr(x, 12, min_fixed=-50, max_fixed=50)).limit_denominator(24)
    return mpmath.mpf(q.numerator) / q.denominator


def _fmt(q):
    return str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"


def _coef_text(t, latex=False):
    import sympy
    form = t.exact if t.exact is not None else t.identified
    if form is None:
        return mpmath.nstr(t.value, 10), t.value < 0
    neg = bool(form < 0) if form.is_number else t.value < 0
    mag = -form if neg else form
    return (sympy.latex(mag) if latex else str(mag)), neg


def _term_str(t):
    c, neg = _coef_text(t)
    c = c.lstrip("-")
    mark = "" if t.exact is not None or t.identified is None else "~"
    return f"{'-' if neg else '+'} {mark}({c}) k^({_fmt(t.exponent)})"


def _term_tex(t):
    c, neg = _coef_text(t, latex=True)
    c = c.lstrip("-")
    return f"{'-' if neg else '+'} \\left({c}\\right) k^{{{_fmt(t.exponent)}}}"


def _limits_and_exponents(fam, dps):
    """Limits (nearest integers, checked) and leading powers of ε of the deviations."""
    ks = [10 ** 6, 10 ** 8, 10 ** 10]
    pts = fam.points(ks, dps=dps, full_check=False)
    names = pts[0].names
    lim, m, est = {}, {}, {}
    for i, n in enumerate(names):
        x = pts[-1].xi[i]
        L = mpmath.nint(x)
        if abs(x - L) > 1e-4:
            raise InputError(f"family {fam.name}: the limit of {n} ({mpmath.nstr(x, 10)}) is "
                             "not an integer; series need a recognised limit")
        lim[n] = L
        d1, d2 = pts[-2].xi[i] - L, pts[-1].xi[i] - L
        if abs(d2) < mpmath.mpf(10) ** (-(dps - 10)):
            m[n] = None                           # on its limit for all k
            continue
        slope = mpmath.log(abs(d2 / d1)) / mpmath.log(mpmath.mpf(100))   # power of k
        if abs(2 * slope - mpmath.nint(2 * slope)) > 0.1:
            raise ConvergenceError(f"family {fam.name}: the deviation of {n} from its limit "
                                   f"does not decay like a power of k^(-1/2) (slope "
                                   f"{mpmath.nstr(slope, 5)})")
        m[n] = int(mpmath.nint(-2 * slope))       # power of ε
        est[n] = d2 * mpmath.mpf(10) ** (5 * m[n])    # d2 / ε^m at k = 10^10 (ε = 10^-5)
    return names, lim, m, est


def family_series(family, order=8, dps=50, eigenvalues=False, progress=None):
    r"""The series of a family (name or :class:`~symcrit.critical.families.Family`) in
    :math:`\varepsilon = k^{-1/2}`: ``order`` terms of each coordinate's deviation from its
    limit, of the loss and (``eigenvalues=True``) of every distinct Hessian eigenvalue
    (:mod:`symcrit.series.eigen`), at ``dps`` digits (working with 20 more).  Returns a
    :class:`FamilySeries`; ``timings`` holds the time to reach each order."""
    from ..critical.families import Family, get_family
    fam = family if isinstance(family, Family) else get_family(family)
    if order < 1 or order > 40:
        raise InputError(f"order must be between 1 and 40, got {order}")
    R = restricted_loss(fam.isotropy)
    work = dps + 20
    timings = []
    with workdps(work):
        names, lim, m, est = _limits_and_exponents(fam, work)
        unknown = [n for n in names if m[n] is not None]
        idx = {n: i for i, n in enumerate(names)}
        p_n = len(unknown)

        def build(S, eta):
            """ξ(η) as series and k = ε^-2."""
            xi = []
            for n in names:
                if m[n] is None:
                    xi.append(S.convert(lim[n]))
                else:
                    xi.append(S.convert(lim[n]) + eta[unknown.index(n)] *
                              S.monomial(1, m[n]))
            return xi, S.monomial(1, -2)

        # -- step 2: equation scaling (dominant balance) and leading Jacobian.  Rows of
        # G and of dG/dη are scaled to valuation 0; where the leading Jacobian is singular,
        # a row is replaced by the combination that cancels its leading part (a left null
        # vector, which is structural and snapped to small rationals), and its valuation
        # is read again: a local Smith form over the series in ε.
        rows = [idx[n] for n in unknown]
        ops = []                      # (row, combination vector, shift)

        def transform(g_list, J_rows, S, r):
            """Apply the scaling and the stored row operations."""
            G = [g_list[i] * S.monomial(1, -r[i]) for i in range(p_n)]
            J = [[x * S.monomial(1, -r[i]) for x in J_rows[i]] for i in range(p_n)]
            for (row, y, shift) in ops:
                G[row] = sum((G[i] * y[i] for i in range(p_n) if y[i] != 0),
                             S.convert(0)) * S.monomial(1, -shift)
                if J is not None:
                    J[row] = [sum((J[i][q] * y[i] for i in range(p_n) if y[i] != 0),
                                  S.convert(0)) * S.monomial(1, -shift) for q in range(p_n)]
            return G, J

        def raw(eta_vals, extra, order=2):
            S = LaurentSystem(order=extra)
            eta = [S.convert(v) if not isinstance(v, LaurentSeries) else v for v in eta_vals]
            xi, k = build(S, eta)
            out = R.evaluate(xi, k, system=S, order=order)
            g = [out[1][i] for i in rows]
            J = None
            if order == 2:
                J = [[out[2][i, idx[n]] * S.monomial(1, m[n]) for n in unknown] for i in rows]
            return S, g, J

        N = order
        NI = order + 4          # internal terms: the loss and eigenvalues lose a few orders
        if not p_n:             # every coordinate is on its limit for all k (W = I)
            coeffs, extra = [], N + 10
        else:
            base = 14
            S, g_raw, J_raw = raw([est[n] for n in unknown], base)
            r = []
            for i in range(p_n):
                vals = [e.normalized().val for e in J_raw[i] if e.normalized().coeffs]
                if not vals:
                    raise ConvergenceError(f"equation {unknown[i]} does not depend on the unknowns")
                r.append(min(vals))
            for attempt in range(4 * p_n):
                G, J = transform(g_raw, J_raw, S, r)
                J0 = mpmath.matrix([[J[i][q].coefficient(0) for q in range(p_n)]
                                    for i in range(p_n)])
                U, sv, V = mpmath.svd_r(J0)
                if min(abs(x) for x in sv) > mpmath.mpf(10) ** -8 * max(abs(x) for x in sv):
                    break
                j = min(range(p_n), key=lambda t: abs(sv[t]))
                y = [U[i, j] for i in range(p_n)]
                big = max(range(p_n), key=lambda i: abs(y[i]))
                y = [_small_rational(v / y[big]) for v in y]
                new_vals = []
                for q in range(p_n):
                    c = sum((J[i][q] * y[i] for i in range(p_n) if y[i] != 0),
                            S.convert(0)).normalized()
                    if c.coeffs:
                        new_vals.append(c.val)
                if not new_vals or min(new_vals) < 1:
                    raise ConvergenceError(f"family {fam.name}: the leading Jacobian is singular "
                                           "and no row combination regularises it")
                ops.append((big, y, min(new_vals)))
            else:
                raise ConvergenceError(f"family {fam.name}: could not regularise the leading "
                                       "Jacobian (the numerically read exponents may be wrong)")
            # -- step 3: leading coefficients: Newton on F(η, 0) = 0
            eta0 = mpmath.matrix([est[n] for n in unknown])
            for it in range(60):
                S, g_raw, J_raw = raw(list(eta0), base)
                G, J = transform(g_raw, J_raw, S, r)
                F0 = mpmath.matrix([G[i].coefficient(0) for i in range(p_n)])
                J0 = mpmath.matrix([[J[i][q].coefficient(0) for q in range(p_n)]
                                    for i in range(p_n)])
                if mpmath.norm(F0, mpmath.inf) < mpmath.mpf(10) ** (-(work - 10)):
                    break
                eta0 = eta0 - mpmath.lu_solve(J0, F0)
            else:
                raise ConvergenceError(f"family {fam.name}: the leading-order system did not "
                                       "converge; the exponents read off numerically may be wrong")
            # -- step 4: lifting, one order per linear solve with J0
            coeffs = [[eta0[i]] + [mpmath.mpf(0)] * (NI - 1) for i in range(p_n)]
            shift_total = max(r) + sum(op[2] for op in ops)
            extra = NI + shift_total + 10
            t0 = time.perf_counter()
            done = 1
            for sweep in range(3 * NI + 5):
                S0 = LaurentSystem(order=extra)
                eta = [LaurentSeries(coeffs[i], 0, extra, S0) for i in range(p_n)]
                S, g_raw, _ = raw(eta, extra, order=1)
                F, _ = transform(g_raw, [[S.convert(0)] * p_n] * p_n, S, r)
                lowest = None
                for j in range(NI):
                    vec = mpmath.matrix([F[i].coefficient(j) for i in range(p_n)])
                    if mpmath.norm(vec, mpmath.inf) > mpmath.mpf(10) ** (-(work - 15)):
                        lowest = (j, vec)
                        break
                if lowest is None:
                    break
                j, vec = lowest
                delta = mpmath.lu_solve(J0, -vec)
                for i in range(p_n):
                    coeffs[i][j] += delta[i]
                if j + 1 > done:
                    timings.append((done, time.perf_counter() - t0))
                    done = j + 1
                    if progress:
                        progress(j)
            else:
                raise ConvergenceError(f"family {fam.name}: lifting did not converge")
            timings.append((N, time.perf_counter() - t0))
        # loss series
        S = LaurentSystem(order=extra)
        # η is known to NI terms: the series arithmetic then tells how many terms of the
        # loss (and of the eigenvalues) these determine
        eta = [LaurentSeries(coeffs[i], 0, NI, S) for i in range(p_n)]
        xi, k = build(S, eta)
        Ls = R.evaluate(xi, k, system=S, order=0).normalized()
        eig = []
        if eigenvalues:
            from .eigen import charpoly, eigen_branches, series_blocks
            t1 = time.perf_counter()
            # the blocks need the point to about N + 2 orders (eigenvalues up to ~k)
            Se = LaurentSystem(order=N + 4)
            xe = [LaurentSeries(x.coeffs, x.val, min(x.prec, N + 4), Se) for x in xi]
            for b in series_blocks(fam.isotropy, xe, Se):
                brs = eigen_branches(charpoly(b.A.tolist(), b.B.tolist()), N)
                brs = [x.normalized() for x in brs]
                brs.sort(key=lambda x: (-x.val, x.coefficient(x.val)))
                for j, x in enumerate(brs):
                    eig.append((f"{b.irrep}#{j + 1}", b.irrep, b.multiplicity, x))
            timings.append(("eigenvalues", time.perf_counter() - t1))
    with workdps(dps):
        digits = dps - 10
        eig_terms, eig_info = {}, {}
        chop = mpmath.mpf(10) ** (-(dps - 5))
        for label, irrep, mult, x in eig:
            n_terms = min(N, x.prec - x.val)
            eig_terms[label] = [SeriesTerm(Fraction(-(x.val + j), 2),
                                           +mpmath.chop(x.coefficient(x.val + j), chop),
                                           _identify(x.coefficient(x.val + j), digits))
                                for j in range(n_terms)]
            eig_info[label] = (irrep, mult)
        coords = {}
        for n in names:
            if m[n] is None:
                coords[n] = []
                continue
            i = unknown.index(n)
            coords[n] = [SeriesTerm(Fraction(-(m[n] + j), 2), +coeffs[i][j],
                                    _identify(coeffs[i][j], digits)) for j in range(N)]
        v0 = Ls.val
        loss_terms = [SeriesTerm(Fraction(-(v0 + j), 2), +Ls.coefficient(v0 + j),
                                 _identify(Ls.coefficient(v0 + j), digits))
                      for j in range(min(N, Ls.prec - v0))]
        exps = {n: (None if m[n] is None else _fmt(Fraction(-m[n], 2))) for n in names}
        out = FamilySeries(fam.name, fam.isotropy, N, dps, {n: +lim[n] for n in names},
                           exps, coords, loss_terms, eigenvalues=eig_terms,
                           eigen_info=eig_info, timings=timings)
    return out
