r"""Series of a family of critical points in :math:`\varepsilon = k^{-1/2}`.

Along a family, the coordinates approach limits and some angles approach 0 or π; since
:math:`\arccos(-1+\delta) = \pi - \sqrt{2\delta}(1 + \delta/12 + \dots)` the expansions are
Puiseux series in :math:`k^{-1/2}` (Arjevani & Field 2021, "Analytic study of families of
spurious minima in two-layer ReLU neural networks", NeurIPS).  The method (see
``../shared/math.md`` §4):

1. *Limits and leading exponents.*  The family is followed to k = 10^4, 10^5, 10^6
   (:mod:`symcrit.critical.continuation`); each coordinate's limit (an integer) and the
   power :math:`m_p` of ε of its deviation are read off (log–log slopes, rounded to
   integers in ε, and then *checked*: step 2 must give an invertible leading Jacobian).
2. *Rescaling.*  :math:`\xi_p = \xi_p^\infty + \varepsilon^{m_p}\eta_p` and equation p
   divided by :math:`\varepsilon^{r_p}`, with :math:`r_p` the lowest power of ε in row p
   of :math:`\partial G/\partial\eta` (the dominant balance: the lower edge of each row's
   Newton polygon).  Where the leading Jacobian is singular a row is replaced by the
   rational combination of rows that cancels its leading part, divided by the power of ε
   that remains (a local Smith form).  The system :math:`F(\eta, \varepsilon) = 0` has
   an invertible Jacobian :math:`J_0` at ε = 0.
3. *Leading coefficients* :math:`\eta(0)`: Newton's method on :math:`F(\eta, 0) = 0`.
4. *Lifting*, order by order: with :math:`\eta^{<j}` known,
   :math:`\eta_j = -J_0^{-1}\,[\varepsilon^j]\,F(\eta^{<j}, \varepsilon)`.

Every evaluation of ``F`` is the compiled restricted gradient run in the number system of
truncated Laurent series (:mod:`symcrit.algebra.laurent`), so nothing is re-derived by hand,
and the lifting is written once over a coefficient domain (:mod:`symcrit.algebra.domains`).

**Derived, identified, numeric.**  The lifting runs first over the exact field
:math:`\mathbb{Q}(\pi)`: the numerical :math:`\eta(0)` is recognised in
:math:`\mathbb{Q}(\pi)` by a small-height integer-relation search and then *proved*:
:math:`F(\eta(0), 0) = 0` and :math:`\det J_0 \ne 0` are checked exactly (a zero test in
:math:`\mathbb{Q}(\pi)` is decidable, π being transcendental), and so is, at every order,
that :math:`F(\eta^{\le j}, \varepsilon) = O(\varepsilon^{j+1})`.  Coefficients obtained
this way are **derived** (``SeriesTerm.exact``).  A square root of s·(a square), s a
square-free integer, moves the computation to :math:`\mathbb{Q}(\pi)(\sqrt s)` (type-A2
needs √2).  Where exact arithmetic is not possible (a square root outside that field, an
arc cosine outside 0, ±1/2, ±1, an eigenvalue branch whose edge polynomial cannot be
factored) the computation continues with mpmath coefficients
from that order on: those coefficients are **numeric**, and a closed form for one of them
is reported only as **identified** (``SeriesTerm.identified``): found by PSLQ with a height
bound and confirmed against the coefficient recomputed at about twice the precision
(:mod:`symcrit.algebra.identify`).  The same holds for the loss (the restricted loss
evaluated on the series of the point) and the Hessian eigenvalues
(:mod:`symcrit.series.eigen`).

``order`` N means terms through relative order :math:`\varepsilon^N`: N + 1 terms from the
leading one, so that the truncation error relative to the leading term is
:math:`O(\varepsilon^{N+1})`; :meth:`FamilySeries.verify` measures it against refined
points at k = 10^4 … 10^12 and prints the observed slopes.

>>> S = family_series("type-A", order=3)
>>> S.exponents["c"], S.coordinates["c"][0].exact          # c = 2/k + ...
('-1', 2)
>>> S.coordinates["d"][1].exact, S.coordinates["d"][1].status   # d = 4/(πk) + 32/(π³k^(3/2))
(32/pi**3, 'derived')
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from fractions import Fraction

import mpmath

from ..core import ConvergenceError, InputError
from ..restricted import restricted_loss
from ..core import workdps
from ..algebra.domains import MPMATH, QQ_PI, NotExact, QPiSqrtDomain
from ..algebra.identify import closed_form, find_relation
from ..algebra.laurent import LaurentSystem

__all__ = ["FamilySeries", "SeriesTerm", "family_series"]

_BASE = 14                  # internal orders for the leading-order system
_GUARD = 20                 # working digits beyond the requested ones


# ----------------------------------------------------------------------------- results
@dataclass
class SeriesTerm:
    r"""One term :math:`c\,k^{e}` of a series: ``exponent`` e (a Fraction), ``value`` c
    (mpmath, at the working precision), ``exact`` (a :class:`~symcrit.algebra.domains.QPi`
    when c was derived in exact arithmetic), ``identified`` (a QPi found by PSLQ and
    confirmed at higher precision: a candidate, not a derivation), ``digits`` (significant
    digits of ``value`` confirmed by a computation at higher precision; None when exact or
    unconfirmed)."""
    exponent: Fraction
    value: object
    identified: object = None
    exact: object = None
    digits: int | None = None

    @property
    def status(self):
        return "derived" if self.exact is not None else \
            "identified" if self.identified is not None else "numeric"

    def value_at(self, dps):
        """The coefficient at ``dps`` digits: exact ones at any precision, numeric ones as
        computed."""
        if self.exact is not None:
            with workdps(dps):
                return self.exact.mpf()
        return self.value


@dataclass
class FamilySeries:
    """The series of a family in powers of k: per coordinate (deviation from the limit),
    of the loss and of each distinct Hessian eigenvalue, lists of :class:`SeriesTerm`
    (terms through relative order ε^order)."""
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
    notes: list = field(default_factory=list)
    domain: str = "Q(pi)"                 # the exact field of the derived coefficients
    exact_lifting: bool = True            # family_series(exact=...) as requested

    # ------------------------------------------------------------------ values
    def _all(self):
        yield from self.coordinates.items()
        yield "L", self.loss
        yield from self.eigenvalues.items()

    def counts(self):
        """How many terms are derived, identified and numeric."""
        out = {"derived": 0, "identified": 0, "numeric": 0}
        for _, ts in self._all():
            for t in ts:
                out[t.status] += 1
        return out

    @staticmethod
    def _sum(ts, k, order, dps):
        n = None if order is None else order + 1
        return mpmath.fsum(t.value_at(dps) * k ** (mpmath.mpf(t.exponent.numerator) /
                                                    t.exponent.denominator)
                           for t in ts[:n])

    def evaluate(self, k, order=None, dps=None):
        """The truncated series (through relative order ``order``) at k: coordinates and
        loss, at ``dps`` digits (default: the series' own)."""
        dps = dps or self.dps
        with workdps(dps):
            k = mpmath.mpf(k)
            out = [self.limits[n] + self._sum(ts, k, order, dps)
                   for n, ts in self.coordinates.items()]
            return out, self._sum(self.loss, k, order, dps)

    def eigenvalue_values(self, k, order=None, dps=None):
        """The truncated eigenvalue series at k: label -> value."""
        dps = dps or self.dps
        with workdps(dps):
            k = mpmath.mpf(k)
            return {lab: self._sum(ts, k, order, dps) for lab, ts in self.eigenvalues.items()}

    # ------------------------------------------------------------------ verification
    def _numeric_floor(self):
        """The least number of digits to which the non-derived terms are known."""
        ds = [t.digits or self.dps for _, ts in self._all() for t in ts if t.exact is None]
        return min(ds) if ds else None

    def verify(self, ks=(10 ** 4, 10 ** 6, 10 ** 8, 10 ** 10, 10 ** 12), orders=None):
        r"""Truncation errors of the series against refined points (and, with eigenvalues,
        the spectrum there, :func:`symcrit.spectrum.spectrum_of`): a list of dicts with
        ``k``, ``order`` N and, for ``coordinates`` (max over them), ``loss`` and
        ``eigenvalues`` (max over them, None without eigenvalues), the error of the
        truncated series relative to its leading term, which should behave like
        :math:`\varepsilon^{N+1}` (the first omitted term; faster where that term is
        zero).

        Everything is computed at the precision the errors need (about
        :math:`(N+1)\log_{10}(1/\varepsilon)` digits plus the size of the leading terms):
        the reference points and spectra are refined to that precision, derived
        coefficients are evaluated at it, and if numeric coefficients are not known to
        enough digits the series is recomputed at that precision first.  Without this the
        errors at large k would level off at the working precision instead of decaying."""
        from ..critical.families import get_family
        from ..spectra.spectrum import spectrum_of
        fam = get_family(self.family)
        ks = list(ks)
        orders = list(orders if orders is not None else sorted({self.order // 2, self.order}))
        if max(orders) > self.order:
            raise InputError(f"the series has order {self.order}; cannot verify order "
                             f"{max(orders)}")
        lk = max(math.log10(float(k)) for k in ks)
        # ε^(N+1) relative to the leading terms, which may be as small as ε^m · (lim ~ 1)
        mmax = max([v for v in self.exponent_powers().values()] + [2])
        need = int(math.ceil((max(orders) + 1 + mmax) * lk / 2)) + 15
        src = self
        floor = self._numeric_floor()
        if floor is not None and floor < need:
            src = family_series(self.family, order=self.order, dps=need,
                                eigenvalues=bool(self.eigenvalues), exact=self.exact_lifting,
                                identify=False)
        ref_dps = need + int(lk) + 10
        pts = fam.points(ks, dps=ref_dps, full_check=False)
        rows = []
        with workdps(ref_dps):
            for p in pts:
                spec = spectrum_of(p).by_irrep() if self.eigenvalues else None
                kk = mpmath.mpf(p.k)
                for N in orders:
                    err = []
                    for i, (n, ts) in enumerate(src.coordinates.items()):
                        if not ts:
                            continue
                        x = src.limits[n] + src._sum(ts, kk, N, ref_dps)
                        err.append(abs(x - p.xi[i]) / abs(_lead(ts, kk, ref_dps)))
                    e_c = max(err) if err else mpmath.mpf(0)
                    e_l = None
                    if src.loss:
                        e_l = abs(src._sum(src.loss, kk, N, ref_dps) - p.loss) / \
                            abs(_lead(src.loss, kk, ref_dps))
                    e_e = None
                    if spec is not None:
                        e_e = mpmath.mpf(0)
                        for lab, ts in src.eigenvalues.items():
                            v = src._sum(ts, kk, N, ref_dps)
                            r = min(spec[src.eigen_info[lab][0]], key=lambda z: abs(z - v))
                            lead = _lead(ts, kk, ref_dps) if ts else mpmath.mpf(1)
                            e_e = max(e_e, abs(v - r) / (abs(lead) if lead else 1))
                    rows.append({"k": p.k, "order": N, "eps": kk ** -0.5,
                                 "coordinates": e_c, "loss": e_l, "eigenvalues": e_e,
                                 "dps": ref_dps})
        _slopes(rows)
        return rows

    def exponent_powers(self):
        """Leading power of ε of each coordinate's deviation (int)."""
        return {n: int(-2 * Fraction(e)) for n, e in self.exponents.items() if e is not None}

    def verify_table(self, rows=None):
        """The table of :meth:`verify` as text: per quantity the relative error, its ratio
        to ε^(N+1) and the observed slope d log(error) / d log ε between successive k."""
        rows = rows if rows is not None else self.verify()
        cols = ["coordinates", "loss", "eigenvalues"]
        cols = [c for c in cols if any(r[c] is not None for r in rows)]
        head = f"{'k':>6s} {'N':>3s} " + " ".join(
            f"{c[:11]:>11s} {'/ε^(N+1)':>9s} {'slope':>6s}" for c in cols)
        lines = ["error relative to the leading term, with terms through relative order "
                 "ε^N (expected ~ ε^(N+1));",
                 "slope: observed power of ε between successive k "
                 f"(computed at {rows[0]['dps'] if rows else '?'} digits)", head]
        for r in rows:
            lk = math.log10(float(r["k"]))
            kt = f"10^{round(lk)}" if abs(lk - round(lk)) < 1e-12 else mpmath.nstr(r["k"], 6)
            parts = []
            for c in cols:
                e = r[c]
                if e is None:
                    parts.append(f"{'-':>11s} {'':>9s} {'':>6s}")
                    continue
                ratio = e / r["eps"] ** (r["order"] + 1)
                sl = r.get(c + "_slope")
                parts.append(f"{mpmath.nstr(e, 3):>11s} {mpmath.nstr(ratio, 3):>9s} "
                             f"{'' if sl is None else format(float(sl), '.2f'):>6s}")
            lines.append(f"{kt:>6s} {r['order']:>3d} " + " ".join(parts))
        return "\n".join(lines)

    def check(self, name, exponent, value, digits=None, abs_tol=None):
        """Check a user-supplied coefficient (for example from a paper) against the series:
        ``name`` a parameter, ``"L"`` or an eigenvalue label; ``exponent`` the power of k
        (a Fraction, int or text such as ``"-3/2"``); ``value`` an mpmath number or decimal
        text (not an expression: evaluate it yourself, e.g. ``8/mpmath.pi``).  Returns
        ``(agrees, computed value, difference)``: agreement within ``abs_tol`` when given,
        else to ``digits`` digits relative to max(1, |value|)."""
        q = Fraction(exponent) if not isinstance(exponent, Fraction) else exponent
        ts = self.loss if name == "L" else self.coordinates.get(name) or \
            self.eigenvalues.get(name)
        if ts is None:
            raise InputError(f"unknown series {name!r}: use a parameter, 'L' or one of "
                             f"{', '.join(self.eigenvalues)}")
        match = [t for t in ts if t.exponent == q]
        if not match:
            raise InputError(f"the series of {name} has no term k^({str(q)}) up to order "
                             f"{self.order}")
        with workdps(self.dps + 10):
            v = mpmath.mpf(value)
            c = match[0].value_at(self.dps + 10)
            diff = abs(c - v)
            tol = mpmath.mpf(abs_tol) if abs_tol is not None else \
                mpmath.mpf(10) ** (-(digits or self.dps - 10)) * max(1, abs(v))
            return bool(diff <= tol), c, diff

    # ------------------------------------------------------------------ output
    def to_json(self, digits=30):
        from ..core import dec

        def terms(ts):
            out = []
            for t in ts:
                d = digits if t.digits is None else min(digits, t.digits)
                val = t.value_at(digits + 5) if t.exact is not None else t.value
                out.append({"exponent": str(t.exponent),
                            "coefficient": None if t.exact is None else str(t.exact),
                            "identified": None if t.identified is None else str(t.identified),
                            "status": t.status,
                            "value": "0" if t.exact is not None and t.exact.is_zero()
                            else dec(val, d)})
            return out
        out = {"family": self.family, "isotropy": self.isotropy, "order": self.order,
               "variable": "k^(-1/2)",
               "coefficients_note": "'coefficient': closed form derived by exact lifting "
                                    "over Q(pi) (null when not derived); 'identified': a "
                                    "closed form found by integer-relation search (PSLQ, "
                                    "small height) and confirmed at higher precision, a "
                                    "candidate, not a derivation; 'value': decimal, exact "
                                    "digits for derived terms, numerical otherwise",
               "counts": self.counts(),
               "exact_domain": self.domain,
               "notes": list(self.notes),
               "loss": terms(self.loss),
               "parameters": {n: {"limit": dec(self.limits[n], digits),
                                  "exponent": self.exponents[n],
                                  "terms": terms(ts)} for n, ts in self.coordinates.items()}}
        out["eigenvalues"] = [{"label": lab, "irrep": self.eigen_info[lab][0],
                               "multiplicity": str(self.eigen_info[lab][1]).replace(" ", ""),
                               "terms": terms(ts)} for lab, ts in self.eigenvalues.items()]
        return out

    def _body(self, ts, n_show, latex=False):
        shown = [t for t in ts if not (t.exact is not None and t.exact.is_zero())]
        out = " ".join(_term_text(t, latex) for t in shown[:n_show])
        more = " + \\dots" if latex else " + ..."
        if len(shown) > n_show:
            return out + more
        if ts:
            nxt = ts[-1].exponent - Fraction(1, 2)
            o = f"O(k^{{{str(nxt)}}})" if latex else f"O(k^({str(nxt)}))"
            return (out + " + " if out else "") + o
        return out

    def __str__(self):
        c = self.counts()
        lines = [f"series of {self.family} in Fix({self.isotropy}) in powers of k "
                 f"(ε = k^(-1/2)), through relative order ε^{self.order}, {self.dps} digits",
                 f"{c['derived']} terms derived exactly over {self.domain} (terms not shown are "
                 f"exactly 0), {c['identified']} identified (~(...): integer-relation "
                 f"search, confirmed at higher precision, not derived), {c['numeric']} "
                 "numeric"]
        for n, ts in self.coordinates.items():
            lines.append(f"  {n} = " + self._line(n, ts, 6))
        lines.append("  L = " + self._line("L", self.loss, 6))
        for key, ts in self.eigenvalues.items():
            lines.append(f"  λ{key} = " + self._line(key, ts, 4))
        for note in self.notes:
            lines.append(f"  note: {note}")
        return "\n".join(lines)

    def _line(self, name, ts, n_show, latex=False):
        """'limit + terms + O(...)' (the limit omitted when it is 0)."""
        lim = self.limits.get(name) if name in self.coordinates else None
        head = "" if lim is None or lim == 0 else mpmath.nstr(lim, 6, strip_zeros=True)
        head = head[:-2] if head.endswith(".0") else head
        body = self._body(ts, n_show, latex) if ts else ""
        if not body:
            forall = (r" \quad\text{(for all $k$)}" if latex else " (for all k)") \
                if name in self.coordinates else ""
            return (head or "0") + forall
        if not head:
            return body[2:] if body.startswith("+ ") else "-" + body[2:]
        return f"{head} {body}"

    def latex(self):
        """The series as a LaTeX ``aligned`` block (identified closed forms marked ~)."""
        out = []
        for n, ts in list(self.coordinates.items()) + [("L", self.loss)] + [
                (lab, ts) for lab, ts in self.eigenvalues.items()]:
            name = n if n in self.coordinates or n == "L" else \
                f"\\lambda_{{{n.replace('#', chr(92) + '#')}}}"
            out.append(f"{name} &= {self._line(n, ts, 6, latex=True)}")
        return "\\begin{aligned}\n" + " \\\\\n".join(out) + "\n\\end{aligned}"

    def _repr_latex_(self):
        return f"$${self.latex()}$$"


def _lead(ts, k, dps):
    t = ts[0]
    return t.value_at(dps) * k ** (mpmath.mpf(t.exponent.numerator) / t.exponent.denominator)


def _slopes(rows):
    """Observed slopes in ε between successive k (same order)."""
    last = {}
    for r in rows:
        for c in ("coordinates", "loss", "eigenvalues"):
            key = (r["order"], c)
            prev = last.get(key)
            r[c + "_slope"] = None
            if prev is not None and r[c] and prev[1]:
                r[c + "_slope"] = mpmath.log(r[c] / prev[1]) / mpmath.log(r["eps"] / prev[0])
            if r[c] is not None:
                last[key] = (r["eps"], r[c])


def _term_text(t, latex=False):
    form = t.exact if t.exact is not None else t.identified
    mark = "" if t.exact is not None or t.identified is None else "~"
    if form is None:
        neg = t.value < 0
        body = mpmath.nstr(abs(t.value), 10)
    else:
        body = form.text(latex)
        neg = body.startswith("-")
        if neg:
            body = (-form).text(latex)
    sg = "-" if neg else "+"
    if latex:
        return f"{sg} {mark}\\left({body}\\right) k^{{{str(t.exponent)}}}"
    return f"{sg} {mark}({body}) k^({str(t.exponent)})"


# ----------------------------------------------------------------------------- the system
def _small_rational(x):
    """x snapped to a rational with denominator <= 24 (structural coefficients)."""
    return Fraction(mpmath.nstr(x, 12, min_fixed=-50, max_fixed=50)).limit_denominator(24)


def _limits_and_exponents(fam, dps):
    """Limits (nearest integers, checked) and leading powers of ε of the deviations."""
    ks = [10 ** 4, 10 ** 5, 10 ** 6]
    pts = fam.points(ks, dps=dps, full_check=False)
    names = pts[0].names
    lim, m, est = {}, {}, {}
    for i, n in enumerate(names):
        x = pts[-1].xi[i]
        L = int(mpmath.nint(x))
        if abs(x - L) > 1e-4:
            raise InputError(f"family {fam.name}: the limit of {n} ({mpmath.nstr(x, 10)}) is "
                             "not an integer; series need a recognised limit")
        lim[n] = L
        d1, d2 = pts[-2].xi[i] - L, pts[-1].xi[i] - L
        if abs(d2) < mpmath.mpf(10) ** (-(dps - 5)):
            m[n] = None                           # on its limit for all k
            continue
        slope = mpmath.log(abs(d2 / d1)) / mpmath.log(mpmath.mpf(10))    # power of k
        if abs(2 * slope - mpmath.nint(2 * slope)) > 0.1:
            raise ConvergenceError(f"family {fam.name}: the deviation of {n} from its limit "
                                   f"does not decay like a power of k^(-1/2) (slope "
                                   f"{mpmath.nstr(slope, 5)})")
        m[n] = int(mpmath.nint(-2 * slope))       # power of ε
        est[n] = d2 * mpmath.mpf(10) ** (3 * m[n])    # d2 / ε^m at k = 10^6 (ε = 10^-3)
    return names, lim, m, est


class _Rescaled:
    r"""The rescaled system :math:`F(\eta, \varepsilon)` of a family (steps 1–3 of the
    module docstring), evaluated in a :class:`LaurentSystem` over any coefficient domain."""

    def __init__(self, fam, work):
        self.fam = fam
        self.R = restricted_loss(fam.isotropy)
        # 30 digits are plenty to read limits, powers and estimates (Newton refines η(0))
        self.names, self.lim, self.m, self.est = _limits_and_exponents(fam, 30)
        self.unknown = [n for n in self.names if self.m[n] is not None]
        self.idx = {n: i for i, n in enumerate(self.names)}
        self.rows = [self.idx[n] for n in self.unknown]
        self.p = len(self.unknown)
        self.r = [0] * self.p
        self.ops = []                  # (row, rational combination, shift)
        if self.p:
            self._regularise()

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
        S = LaurentSystem(order=_BASE)
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
            j = min(range(p), key=lambda t: abs(sv[t]))
            y = [U[i, j] for i in range(p)]
            big = max(range(p), key=lambda i: abs(y[i]))
            y = [_small_rational(v / y[big]) for v in y]
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
        return max(self.r + [0]) + sum(op[2] for op in self.ops)

    def leading(self, work, start=None):
        """η(0) by Newton's method on F(η, 0) = 0 at ``work`` digits (mpmath), and J0."""
        p = self.p
        eta0 = mpmath.matrix(start if start is not None else [self.est[n] for n in self.unknown])
        regularised = False
        for it in range(60):
            S = LaurentSystem(order=self.leading_order)
            G, J = self.residual(S, list(eta0), deriv=True)
            if min([g.prec for g in G] + [x.prec for row in J for x in row]) < 1:
                raise ConvergenceError(f"family {self.fam.name}: the leading-order system "
                                       "loses more orders than expected (internal error)")
            F0 = mpmath.matrix([G[i].coefficient(0) for i in range(p)])
            J0 = mpmath.matrix([[J[i][q].coefficient(0) for q in range(p)] for i in range(p)])
            if mpmath.norm(F0, mpmath.inf) < mpmath.mpf(10) ** (-(work - 10)):
                if start is None and not regularised:     # again, at the solution
                    old = (list(self.r), list(self.ops))
                    self._regularise(list(eta0))
                    regularised = True
                    if (list(self.r), list(self.ops)) != old:
                        continue
                return list(eta0), J0
            eta0 = eta0 - mpmath.lu_solve(J0, F0)
        raise ConvergenceError(f"family {self.fam.name}: the leading-order system did not "
                               "converge; the exponents read off numerically may be wrong")

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
            inv = _exact_inverse(J0)
        except ZeroDivisionError:
            return None, f"the leading Jacobian is singular over {D.name}"
        return [D.convert(c) for c in cands], inv


def _exact_inverse(M):
    """The inverse of a square matrix over a field, by Gauss–Jordan elimination (exact zero
    tests); ZeroDivisionError when singular."""
    n = len(M)
    A = [list(row) + [1 if i == j else 0 for j in range(n)] for i, row in enumerate(M)]
    for c in range(n):
        piv = next((r for r in range(c, n) if not _is0(A[r][c])), None)
        if piv is None:
            raise ZeroDivisionError("singular matrix")
        A[c], A[piv] = A[piv], A[c]
        inv = 1 / A[c][c]
        A[c] = [x * inv for x in A[c]]
        for r in range(n):
            if r != c and not _is0(A[r][c]):
                f = A[r][c]
                A[r] = [x - f * y for x, y in zip(A[r], A[c])]
    return [row[n:] for row in A]


def _is0(x):
    return x == 0


def _solver(D, J0):
    """v -> J0^{-1} v in the domain (J0: numeric mpmath matrix, or an exact inverse)."""
    if D.exact:
        inv = J0
        return lambda v: [sum((inv[i][j] * v[j] for j in range(len(v))), D.zero)
                          for i in range(len(v))]
    return lambda v: list(mpmath.lu_solve(J0, mpmath.matrix(v)))


# ----------------------------------------------------------------------------- lifting
class _Lifting:
    """Coefficients η_j (lists per unknown, domain elements) and how they were obtained."""

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


def _numeric_coeffs(coeffs):
    return [[MPMATH.convert(c) for c in row] for row in coeffs]


# ----------------------------------------------------------------------------- loss, eigen
def _short(x, N):
    """The series x is known to fewer than N + 1 terms from its valuation.  A series that
    is zero to its precision has no known valuation: it counts as short until it is known
    to 2N + 6 orders (then it is reported as zero to that order, e.g. the loss at W = I)."""
    return x.prec - x.val < N + 1 if x.coeffs else x.prec < 2 * N + 6


def _loss(resc, D, coeffs, known, extra=4):
    """The loss as a series, from η known to ``known`` orders (the series arithmetic says
    how many of its terms these determine)."""
    S = LaurentSystem(order=known + extra, domain=D)
    eta = [S.series(c[:known], 0, known) for c in coeffs]
    xi = resc.point(S, eta)
    return resc.R.evaluate(xi, S.monomial(1, -2), system=S, order=0).normalized()


def _eigen(resc, D, coeffs, known, N, extra=2):
    """Per isotypic block: (irrep, multiplicity, [branch series] or the NotExact raised)."""
    from .eigen import charpoly, eigen_branches, series_blocks
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


def _branch_key(x):
    return (-x.val, [float(MPMATH.convert(c)) for c in x.coeffs[:6]])


def _terms(x, n, exact):
    """The first n terms of the series x (from its valuation) as [(power of ε, value,
    exact or None)]; fewer when x is not known that far."""
    out = []
    for j in range(min(n, x.prec - x.val)):
        c = x.coefficient(x.val + j)
        out.append((x.val + j, MPMATH.convert(c), c if exact else None))
    return out


# ----------------------------------------------------------------------------- driver
def family_series(family, order=8, dps=30, eigenvalues=False, exact=True, identify=True,
                  progress=None):
    r"""The series of a family (name or :class:`~symcrit.critical.families.Family`) in
    :math:`\varepsilon = k^{-1/2}`: each coordinate's deviation from its limit, the loss
    and (``eigenvalues=True``) every distinct Hessian eigenvalue
    (:mod:`symcrit.series.eigen`), each through relative order :math:`\varepsilon^N`
    (N = ``order``: N + 1 terms).

    ``exact``: lift over :math:`\mathbb{Q}(\pi)` where possible (derived coefficients),
    numerically (mpmath at ``dps`` + 20 digits) elsewhere; ``exact=False``: numerically
    throughout.  ``identify``: look for closed forms of the numeric coefficients (PSLQ
    with a height bound), confirmed by recomputing them at twice the working precision.
    Returns a :class:`FamilySeries`; ``timings`` holds the time to reach each order of the
    lifting, then of the loss and eigenvalues; ``notes`` says where and why exactness
    stopped."""
    from ..critical.families import Family, get_family
    fam = family if isinstance(family, Family) else get_family(family)
    if order < 0 or order > 40:
        raise InputError(f"order must be between 0 and 40, got {order}")
    work = dps + _GUARD
    notes = []
    t_start = time.perf_counter()
    with workdps(work):
        resc = _Rescaled(fam, work)
        t_setup = time.perf_counter() - t_start
        res = _Pass(resc, order, work, eigenvalues, exact, notes, progress).run()
    timings = [("limits and exponents", t_setup)] + list(res.timings)
    hi = None
    if identify and res.has_numeric():
        t = time.perf_counter()
        with workdps(2 * work):
            hi = _Pass(resc, order, 2 * work, eigenvalues, exact, notes, None,
                       reuse=res).run()
        timings.append(("confirmation pass", time.perf_counter() - t))
    with workdps(work):
        out = res.result(fam, dps, hi)
    out.timings = timings + [("total", time.perf_counter() - t_start)]
    return out


class _Pass:
    """One computation of all the series at one working precision: the exact part (first
    pass only; a second pass at higher precision reuses it) and the numeric rest."""

    def __init__(self, resc, N, work, eigenvalues, exact, notes, progress, reuse=None):
        self.resc, self.N, self.work = resc, N, work
        self.want_eigen, self.exact, self.notes = eigenvalues, exact, notes
        self.progress, self.reuse = progress, reuse
        self.timings = []
        self.ex_cache = {}

    def _note(self, text):
        if self.reuse is None and text not in self.notes:
            self.notes.append(text)

    # ---------------------------------------------------------------- coordinates
    def _start(self):
        resc = self.resc
        self.lift = _Lifting(resc)
        self.exact_ok = False
        if not resc.p:
            return
        prev = self.reuse
        start = [MPMATH.convert(c[0]) for c in prev.lift.coeffs] if prev else None
        eta0, self.J0 = resc.leading(self.work, start)
        if prev is not None:              # keep the derived coefficients, redo the rest
            n_ex = prev.lift.exact_upto
            self.lift.coeffs = [list(c[:n_ex]) if n_ex else [x]
                                for c, x in zip(prev.lift.coeffs, eta0)]
            self.lift.exact_upto = n_ex
            return
        if self.exact:
            # η(0) at twice the precision: the digits on which both agree are the ones
            # the relation search may use (cancellation in the numeric series costs some)
            with workdps(2 * self.work):
                eta_hi, _ = resc.leading(2 * self.work, eta0)
                # the high-precision values carry about `work` more correct digits
                digits = min(_agreement(a, b) for a, b in zip(eta0, eta_hi)) + self.work
                D = QQ_PI
                ex, info = resc.exact_leading(eta_hi, digits - 10, D)
                if ex is None and getattr(info, "radicand", None):
                    D = QPiSqrtDomain(info.radicand)      # e.g. √2: the extension field
                    ex, info = resc.exact_leading(eta_hi, digits - 10, D)
            if ex is not None:
                self.exact_ok = True
                self.exact_domain = D
                self.J0_exact = info
                self.lift.coeffs = [[c] for c in ex]
                self.lift.exact_upto = 1
                return
            if isinstance(info, NotExact):
                info = f"the leading-order system is not exact over {D.name} ({info})"
            self._note(f"no exact lifting: {info}")
        self.lift.coeffs = [[x] for x in eta0]

    def _lift(self, upto):
        if not self.resc.p or len(self.lift.coeffs[0]) >= upto:
            return
        lift = self.lift
        t0 = time.perf_counter() - (lift.timings[-1][1] if lift.timings else 0)
        while self.exact_ok:
            D = self.exact_domain
            try:
                lift.run(D, self.J0_exact, upto, t0, self.progress)
                return
            except NotExact as exc:
                if exc.radicand and D is QQ_PI:           # continue in Q(π)(√s)
                    E = self.exact_domain = QPiSqrtDomain(exc.radicand)
                    lift.coeffs = [[E.convert(c) for c in row] for row in lift.coeffs]
                    self.J0_exact = [[E.convert(x) for x in row] for row in self.J0_exact]
                    continue
                self.exact_ok = False
                self._note(f"exact lifting stopped at relative order "
                           f"ε^{len(lift.coeffs[0])} ({exc}); numeric from there")
        lift.coeffs = _numeric_coeffs(lift.coeffs)
        lift.run(MPMATH, self.J0, upto, t0, self.progress)

    # ---------------------------------------------------------------- all
    def run(self):
        N = self.N
        t = time.perf_counter()
        self._start()
        t_lead = time.perf_counter() - t
        prev = self.reuse
        NI = prev.NI if prev is not None else N + 2
        self.extra = dict(prev.extra) if prev is not None else {"loss": 4, "eigen": 2}
        while True:
            self._lift(NI)
            short = self._series(NI)
            if short is None:
                break
            NI += 1
            self.extra[short] += 1
            if NI > N + 40:
                raise ConvergenceError(f"family {self.resc.fam.name}: the series of the loss "
                                       "or the eigenvalues lose too many orders")
        self.NI = NI
        self.timings = [("leading coefficients", t_lead)]
        self.timings += [(j, t) for j, t in self.lift.timings if j <= N]
        extra = [t for j, t in self.lift.timings if j > N]
        if extra:
            upto = max([t for j, t in self.lift.timings if j <= N] + [0.0])
            self.timings.append((f"lifting orders {N + 1}..{self.NI - 1} (loss, eigenvalues)",
                                 extra[-1] - upto))
        self.timings.append(("loss", self.t_loss))
        if self.want_eigen:
            self.timings.append(("eigenvalues", self.t_eig))
        return self

    def _exact_coeffs(self, NI):
        """(η known exactly to n orders, n), n = 0 when nothing is exact."""
        if not self.resc.p:
            return [], (NI if self.exact else 0)
        n = self.lift.exact_upto
        return [c[:n] for c in self.lift.coeffs], n

    def _exact(self, what, NI):
        """The exact loss series / eigenvalue blocks (None when not exact), cached by the
        number of derived orders and shared with a later pass."""
        if self.reuse is not None:
            return getattr(self.reuse, "ex_" + what)
        coeffs, n = self._exact_coeffs(NI)
        if not n:
            return None
        if what == "eigen":                   # the blocks need η to fewer orders
            n = min(n, self._known_eigen(NI))
            coeffs = [c[:n] for c in coeffs]
        key = (what, n, self.extra[what])
        if key not in self.ex_cache:
            try:
                D = getattr(self, "exact_domain", QQ_PI)
                self.ex_cache[key] = \
                    _loss(self.resc, D, coeffs, n, self.extra[what]) if what == "loss" \
                    else _eigen(self.resc, D, coeffs, n, self.N)
            except NotExact as exc:
                self._note(f"no exact {'loss' if what == 'loss' else 'eigenvalue'} series "
                           f"({exc})")
                self.ex_cache[key] = None
        return self.ex_cache[key]

    def _known_eigen(self, NI):
        """Orders of η the eigenvalue blocks are computed from (N + 2 to begin with: the
        blocks are evaluated two orders beyond, which suffices for the catalogue)."""
        return min(NI, self.N + self.extra["eigen"])

    def _series(self, NI):
        """Coordinate, loss and eigenvalue terms from η known to NI orders; the name of the
        series ('loss', 'eigen') that these do not determine to N + 1 terms, or None."""
        resc, N, lift = self.resc, self.N, self.lift
        n_ex = lift.exact_upto if resc.p else (NI if self.exact else 0)
        all_exact = n_ex >= NI and self.reuse is None
        self.coord_terms = {
            n: [(resc.m[n] + j, MPMATH.convert(lift.coeffs[i][j]),
                 lift.coeffs[i][j] if j < n_ex else None) for j in range(N + 1)]
            for i, n in enumerate(resc.unknown)}
        num = _numeric_coeffs(lift.coeffs)
        t = time.perf_counter()
        self.ex_loss = self._exact("loss", NI)
        xn = None
        if self.ex_loss is None or _short(self.ex_loss, N):
            if self.ex_loss is not None and all_exact:
                return "loss"
            xn = _loss(resc, MPMATH, num, NI, self.extra["loss"])
            if _short(xn, N):
                return "loss"
        self.loss_terms = _merge(self.ex_loss, xn, N + 1, "the loss")
        self.t_loss = time.perf_counter() - t
        self.eig = []
        self.ex_eigen = None
        if self.want_eigen:
            t = time.perf_counter()
            self.ex_eigen = self._exact("eigen", NI)
            eig = self._eigen_terms(self.ex_eigen, num, NI, all_exact)
            if eig is None:
                return "eigen"
            self.eig = eig
            self.t_eig = time.perf_counter() - t
        return None

    def _eigen_terms(self, ex_blocks, num, NI, all_exact):
        """[(label, irrep, multiplicity, terms)] per branch: exact terms where the exact
        blocks give them, numeric after that; None when N + 1 terms are not determined."""
        N = self.N

        def short(brs):
            return isinstance(brs, Exception) or any(_short(x, N) for x in brs)
        num_blocks = None
        if ex_blocks is None or any(short(b[2]) for b in ex_blocks):
            if all_exact and ex_blocks is not None and not any(
                    isinstance(b[2], Exception) for b in ex_blocks):
                return None
            num_blocks = _eigen(self.resc, MPMATH, num, self._known_eigen(NI), N)
            if any(short(b[2]) for b in num_blocks):
                return None
        out = []
        for bi, (irrep, mult, brs) in enumerate(num_blocks or ex_blocks):
            exb = ex_blocks[bi][2] if ex_blocks is not None else None
            if isinstance(exb, Exception):
                self._note(f"eigenvalues of {irrep}: numeric ({exb})")
                exb = None
            nb = num_blocks[bi][2] if num_blocks is not None else None
            base = sorted(nb if nb is not None else exb, key=_branch_key)
            exs = sorted(exb, key=_branch_key) if exb is not None else [None] * len(base)
            for j, (x, xe) in enumerate(zip(base, exs)):
                out.append((f"{irrep}#{j + 1}", irrep, mult,
                            _merge(xe, x if nb is not None else None, N + 1,
                                   f"eigenvalue {irrep}#{j + 1}")))
        return out

    def has_numeric(self):
        terms = [t for ts in self.coord_terms.values() for t in ts] + list(self.loss_terms)
        terms += [t for _, _, _, ts in self.eig for t in ts]
        return any(t[2] is None for t in terms)

    # ---------------------------------------------------------------- results
    def result(self, fam, dps, hi):
        resc, N = self.resc, self.N
        coords = {n: (self._finish(self.coord_terms[n], hi.coord_terms[n] if hi else None)
                      if resc.m[n] is not None else []) for n in resc.names}
        loss = self._finish(self.loss_terms, hi.loss_terms if hi else None)
        eig_terms, eig_info = {}, {}
        hi_eig = {lab: ts for lab, _, _, ts in hi.eig} if hi else {}
        for lab, irrep, mult, ts in self.eig:
            eig_terms[lab] = self._finish(ts, hi_eig.get(lab))
            eig_info[lab] = (irrep, mult)
        exps = {n: (None if resc.m[n] is None else str(Fraction(-resc.m[n], 2)))
                for n in resc.names}
        lims = {n: mpmath.mpf(resc.lim[n]) for n in resc.names}
        return FamilySeries(fam.name, fam.isotropy, N, dps, lims, exps, coords, loss,
                            eigenvalues=eig_terms, eigen_info=eig_info, notes=self.notes,
                            domain=getattr(self, "exact_domain", QQ_PI).name,
                            exact_lifting=self.exact)

    def _finish(self, terms, hi_terms):
        """SeriesTerms; numeric ones compared with the pass at higher precision (digits
        confirmed, closed forms identified and confirmed)."""
        out = []
        for j, (v, val, ex) in enumerate(terms):
            q = Fraction(-v, 2)
            if ex is not None:
                out.append(SeriesTerm(q, val, exact=ex))
                continue
            ident, digits = None, None
            if hi_terms is not None and j < len(hi_terms) and hi_terms[j][0] == v:
                vhi = hi_terms[j][1]
                diff = abs(val - vhi) / max(mpmath.mpf(1), abs(vhi))
                digits = self.work if not diff else \
                    max(0, int(min(self.work, -mpmath.log10(diff))))
                if digits >= 16:
                    with workdps(2 * self.work + 10):
                        ident = closed_form(val, digits - 2, vhi, digits + self.work - 10)
            out.append(SeriesTerm(q, val, identified=ident, digits=digits))
        return out


def _agreement(a, b):
    """Significant digits (relative to max(1, |b|)) on which a and b agree."""
    d = abs(a - b) / max(mpmath.mpf(1), abs(b))
    return int(-mpmath.log10(d)) if d else mpmath.mp.dps


def _merge(xe, xn, n, what):
    """The first n terms [(power of ε, value, exact or None)] of a series known exactly
    (xe, possibly to fewer terms) and numerically (xn)."""
    terms = _terms(xe, n, True) if xe is not None else []
    if len(terms) < n and xn is not None:
        nt = _terms(xn, n, False)
        for (v1, x1, _), (v2, x2, _) in zip(terms, nt):
            if v1 != v2 or abs(x1 - x2) > mpmath.mpf(10) ** (-(mpmath.mp.dps // 3)) * \
                    max(1, abs(x1)):
                raise ConvergenceError(f"{what}: the exact and numeric series do not agree "
                                       "(internal error)")
        terms = terms + nt[len(terms):]
    return terms
