r"""The computation of a family's series at one working precision: exact where possible,
numeric from where exactness stops.

**Derived, identified, numeric.**  The lifting (:mod:`symcrit.series.lifting`) runs first
over the exact field :math:`\mathbb{Q}(\pi)`: the numerical :math:`\eta(0)` is
recognised in :math:`\mathbb{Q}(\pi)` by a small-height integer-relation search and then
*proved* (:meth:`~symcrit.series.rescaled.RescaledSystem.exact_leading`); coefficients
obtained this way are **derived**.  A square root of s·(a square), s a square-free
integer, moves the computation to :math:`\mathbb{Q}(\pi)(\sqrt s)` (type-A2 needs √2).
Where exact arithmetic is not possible (a square root outside that field, an arc cosine
outside 0, ±1/2, ±1, an eigenvalue branch whose edge polynomial cannot be factored) the
computation continues with mpmath coefficients from that order on, with a note saying why:
those coefficients are **numeric**, and a closed form for one of them is reported only as
**identified**: found by PSLQ with a height bound and confirmed against the coefficient
recomputed by a second pass at about twice the precision
(:func:`symcrit.algebra.closed_form`).  The same holds for the loss and the Hessian
eigenvalues, whose series need η to a few more orders (found by trying: the series
arithmetic says how many terms are determined).

>>> from symcrit.critical import get_family
>>> from .rescaled import RescaledSystem
>>> with mpmath.workdps(40):
...     P = SeriesPass(RescaledSystem(get_family("type-A"), 40), 2, 40, False, True, [],
...                    None).run()
...     out = P.result(None)
>>> [str(t.exact) for t in out["coordinates"]["d"]], out["domain"]
(['4/pi', '32/pi**3', '-56/pi**2 - 64/pi**3 + 512/pi**5'], 'Q(pi)')
"""
from __future__ import annotations

import time
from fractions import Fraction

import mpmath

from ..algebra import MPMATH_DOMAIN, QQ_PI, NotExact, QPiSqrtDomain, closed_form
from ..core import ConvergenceError, workdps
from .lifting import Lifting, eigen_series, loss_series, numeric_coefficients
from .terms import SeriesTerm

__all__ = ["SeriesPass"]


class SeriesPass:
    """One computation of all the series of a family at one working precision.

    The exact part runs in the first pass only (a second pass at higher precision, given
    the first as ``reuse``, keeps its derived coefficients); the rest is numeric.

    Parameters
    ----------
    resc : RescaledSystem
    N : int
        Terms through relative order ε^N.
    work : int
        Working digits.
    eigenvalues, exact : bool
        Series of the eigenvalues too; try the exact lifting first.
    notes : list
        Where the reasons exactness stopped are appended (shared by both passes).
    progress : callable or None
        Called with each order of the lifting.
    reuse : SeriesPass, optional
        The pass at lower precision.
    """

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
        self.lift = Lifting(resc)
        self.exact_ok = False
        if not resc.p:
            return
        prev = self.reuse
        start = [MPMATH_DOMAIN.convert(c[0]) for c in prev.lift.coeffs] if prev else None
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
        lift.coeffs = numeric_coefficients(lift.coeffs)
        lift.run(MPMATH_DOMAIN, self.J0, upto, t0, self.progress)

    # ---------------------------------------------------------------- all
    def run(self):
        """Compute the pass: the leading coefficients, then the lifting order by order,
        extended until the loss and eigenvalue series are known through relative order
        ε^N; ``timings`` records the time of each step.

        Returns
        -------
        SeriesPass
            ``self``.

        Raises
        ------
        ConvergenceError
            The loss or eigenvalue series lose more than 40 orders.
        """
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
                    loss_series(self.resc, D, coeffs, n, self.extra[what]) if what == "loss" \
                    else eigen_series(self.resc, D, coeffs, n, self.N)
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
            n: [(resc.m[n] + j, MPMATH_DOMAIN.convert(lift.coeffs[i][j]),
                 lift.coeffs[i][j] if j < n_ex else None) for j in range(N + 1)]
            for i, n in enumerate(resc.unknown)}
        num = numeric_coefficients(lift.coeffs)
        t = time.perf_counter()
        self.ex_loss = self._exact("loss", NI)
        xn = None
        if self.ex_loss is None or _short(self.ex_loss, N):
            if self.ex_loss is not None and all_exact:
                return "loss"
            xn = loss_series(resc, MPMATH_DOMAIN, num, NI, self.extra["loss"])
            if _short(xn, N):
                return "loss"
        self.loss_terms = merge_terms(self.ex_loss, xn, N + 1, "the loss")
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
            num_blocks = eigen_series(self.resc, MPMATH_DOMAIN, num, self._known_eigen(NI), N)
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
                            merge_terms(xe, x if nb is not None else None, N + 1,
                                   f"eigenvalue {irrep}#{j + 1}")))
        return out

    def has_numeric(self):
        """True when some coefficient (coordinates, loss or eigenvalues) is numeric, not
        derived exactly."""
        terms = [t for ts in self.coord_terms.values() for t in ts] + list(self.loss_terms)
        terms += [t for _, _, _, ts in self.eig for t in ts]
        return any(t[2] is None for t in terms)

    # ---------------------------------------------------------------- results
    def result(self, hi):
        """The series as the fields of a :class:`~symcrit.series.FamilySeries`:
        ``coordinates``, ``loss``, ``eigenvalues``, ``eigen_info``, ``exponents``,
        ``limits``, ``notes``, ``domain`` (numeric terms confirmed against the pass ``hi``
        at higher precision, when given)."""
        resc = self.resc
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
        return dict(limits=lims, exponents=exps, coordinates=coords, loss=loss,
                    eigenvalues=eig_terms, eigen_info=eig_info, notes=self.notes,
                    domain=getattr(self, "exact_domain", QQ_PI).name)

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


def merge_terms(xe, xn, n, what):
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


def _short(x, N):
    """The series x is known to fewer than N + 1 terms from its valuation.  A series that
    is zero to its precision has no known valuation: it counts as short until it is known
    to 2N + 6 orders (then it is reported as zero to that order, e.g. the loss at W = I)."""
    return x.prec - x.val < N + 1 if x.coeffs else x.prec < 2 * N + 6


def _branch_key(x):
    return (-x.val, [float(MPMATH_DOMAIN.convert(c)) for c in x.coeffs[:6]])


def _terms(x, n, exact):
    """The first n terms of the series x (from its valuation) as [(power of ε, value,
    exact or None)]; fewer when x is not known that far."""
    out = []
    for j in range(min(n, x.prec - x.val)):
        c = x.coefficient(x.val + j)
        out.append((x.val + j, MPMATH_DOMAIN.convert(c), c if exact else None))
    return out
