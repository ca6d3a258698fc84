r"""Hidden and detectable minima compared through their tangency arcs.

Two families of spurious minima of the canonical problem (k = d, teacher :math:`I_k`) have
Hessian spectra that agree up to :math:`O(k^{-1/2})`: type-A (loss → 0 as k → ∞; found by
gradient descent) and the hidden minima hidden-A and hidden-D (loss bounded away from 0;
never found).  Arjevani (2023, "Hidden minima in two-layer ReLU networks",
arXiv:2312.16819) separates them by their tangency arcs, whose structure and symmetry
differ precisely through the :math:`k^{-1/2}` terms of the eigenvalues: for type-A the
lowest eigenvalue, :math:`\tfrac14 - \tfrac1{2\pi} - \tfrac1{\pi^2}k^{-1/2} + \dots`, lies in
the standard representation :math:`[k-2,1]` of :math:`S_{k-1}`, which carries an invariant
cubic form, and the minimising arc breaks the symmetry by one point, with :math:`c_3 \ne 0`;
for the hidden minima it is :math:`\tfrac14 - \tfrac1{2\pi} - \tfrac1\pi k^{-1/2} + \dots`
in :math:`[n-2,1,1]`, which carries none, and the arc breaks it by two points, with
:math:`c_3 = 0` (the first term beyond r² is quartic).

:func:`compare_families` computes, per family and k, the lowest eigenvalue and its
irreducible, the isotropy of the arc that realises m(r), :math:`c_3, c_4`, :math:`r^*`, the
endpoint and the barrier :math:`L(c^*) - L(c)`; :func:`large_k_fit` fits the large-k series
of these quantities in :math:`\varepsilon = k^{-1/2}`: :math:`c_3, c_4` from their
expansions at k = 10^8 … 10^14 (a cost independent of k; five terms, the leading one then
looked up in :math:`\mathbb{Q}(\pi)` or its quadratic extensions and labelled
*identified*), :math:`r^*` and the barrier from traced arcs at k = 10^4 … 10^7
(numerical: a least-squares fit after the leading power is read off the last two points,
with an error estimate); the series of :math:`c_2 = \lambda/2` comes exactly from the
family's series (:func:`symcrit.series.family_series`, derived over
:math:`\mathbb{Q}(\pi)`).

>>> cmp = compare_families(["type-A", "hidden-D"], [10], dps=20)
>>> [(r.family, r.arc_isotropy, r.leading) for r in cmp.rows]
[('type-A', 'ΔS_{k-2}', 'cubic'), ('hidden-D', 'ΔS_{k-2}', 'quartic')]
"""
from __future__ import annotations

from dataclasses import dataclass, field

import mpmath

from ..algebra import closed_form
from ..core import InputError, SymcritError, dec, k_json
from ..critical import get_family
from .directions import arc_starts
from .expansion import arc_expansion
from .tangency import tangency_arcs
from .tracer import RMAX_DEFAULT

__all__ = ["ComparisonRow", "Comparison", "compare_families", "LargeKFit", "large_k_fit",
           "MAX_COMPARE", "QUANTITIES"]

#: the most (family, k) pairs one comparison computes
MAX_COMPARE = 200
#: the quantities of the table that have large-k fits
QUANTITIES = ("c2", "c3", "c4", "r_star", "barrier")


@dataclass
class ComparisonRow:
    """One line of the comparison: family, k, the lowest (highest) eigenvalue and its
    irreducible, the realising arc's isotropy and subgroup, the leading term beyond r²,
    c2, c3 (and why it is 0 when it is), c4, r*, the endpoint and the barrier."""
    family: str
    k: int
    loss: object
    eigenvalue: object
    irrep: str
    arc_isotropy: str
    subgroup: str
    leading: str
    c2: object
    c3: object
    c3_zero: str | None
    c4: object
    r_star: object
    endpoint: object
    barrier: object
    dps: int

    def values(self):
        """The row's numbers by name: the coefficients c2, c3, c4 of
        :math:`m(r) - L(c)`, the radius ``r_star`` and the ``barrier``."""
        return {"c2": self.c2, "c3": self.c3, "c4": self.c4, "r_star": self.r_star,
                "barrier": self.barrier}

    def to_json(self, digits=None):
        """The row as a JSON-ready dict, numbers as decimal strings to ``digits`` digits
        (default: the row's precision)."""
        d = digits or self.dps
        e = self.endpoint
        return {"family": self.family, "k": k_json(self.k), "loss": dec(self.loss, d),
                "eigenvalue": dec(self.eigenvalue, d), "irrep": self.irrep,
                "isotropy": self.arc_isotropy, "subgroup": self.subgroup,
                "leading_term": self.leading,
                "coefficients": {"2": dec(self.c2, d),
                                 "3": "0" if self.c3_zero else dec(self.c3, d),
                                 "4": dec(self.c4, d)},
                "c3_zero": self.c3_zero,
                "r_star": None if self.r_star is None else dec(self.r_star, d),
                "barrier": None if self.barrier is None else dec(self.barrier, d),
                "endpoint": None if e is None else e.to_json(d)}


@dataclass
class Comparison:
    """The table of :func:`compare_families` and the large-k fits (if asked)."""
    rows: list
    kind: str
    fits: dict = field(default_factory=dict)
    arcsets: list = field(default_factory=list, repr=False)

    def table(self, digits=8):
        """The comparison as text."""
        head = (f"{'family':<10s} {'k':>8s} {'lowest eigenvalue':>18s} {'irrep':<10s} "
                f"{'arc isotropy':<15s} {'term':<7s} {'c3':>12s} {'c4':>12s} {'r*':>12s}  "
                f"endpoint")
        lines = [head]
        for r in self.rows:
            e = r.endpoint
            end = "-" if e is None else (f"{e.family or e.isotropy} {e.kind} (index "
                                         f"{e.index}), L = {mpmath.nstr(e.loss, 8)}")
            c3 = "0 (exact)" if r.c3_zero else mpmath.nstr(r.c3, digits - 2)
            rs = "-" if r.r_star is None else mpmath.nstr(r.r_star, digits)
            lines.append(f"{r.family:<10s} {k_json(r.k):>8s} "
                         f"{mpmath.nstr(r.eigenvalue, digits + 2):>18s} {r.irrep:<10s} "
                         f"{r.arc_isotropy:<15s} {r.leading:<7s} {c3:>12s} "
                         f"{mpmath.nstr(r.c4, digits - 2):>12s} {rs:>12s}  {end}")
        for name, fits in self.fits.items():
            lines.append(f"large-k series of {name} (ε = k^(-1/2)):")
            lines += [f"  {f}" for f in fits]
        return "\n".join(lines)

    __str__ = table

    def latex(self):
        """The table as a LaTeX ``tabular``."""
        rows = []
        for r in self.rows:
            c3 = "0" if r.c3_zero else mpmath.nstr(r.c3, 6)
            rs = "--" if r.r_star is None else mpmath.nstr(r.r_star, 8)
            e = r.endpoint
            end = "--" if e is None else (f"{e.kind}, index {e.index}")
            rows.append(f"{r.family} & {r.k} & {mpmath.nstr(r.eigenvalue, 8)} & "
                        f"${r.irrep}$ & ${r.arc_isotropy.replace('Δ', chr(92) + 'Delta ')}$"
                        f" & {c3} & {mpmath.nstr(r.c4, 6)} & {rs} & {end} \\\\")
        return ("\\begin{tabular}{lrrllrrrl}\n"
                "family & $k$ & $\\lambda_{\\min}$ & irrep & arc isotropy & $c_3$ & $c_4$ & "
                "$r^*$ & endpoint \\\\\n\\hline\n" + "\n".join(rows) + "\n\\end{tabular}")

    def to_json(self, digits=None):
        """The comparison as a JSON-ready dict: its rows (:meth:`ComparisonRow.to_json`)
        and the large-k fits of each family."""
        return {"kind": self.kind, "rows": [r.to_json(digits) for r in self.rows],
                "large_k": {name: [f.to_json() for f in fits]
                            for name, fits in self.fits.items()}}


def _row(arcs, fam):
    best = arcs.realising
    if best is None:   # pragma: no cover - every branch fails the sphere test
        raise InputError(f"{fam}: no arc realises the extremum")
    st, c = best.start, best.expansion.coefficients
    e = best.endpoint
    return ComparisonRow(fam, st.k, arcs.point.loss, st.eigenvalue, st.irrep, st.isotropy,
                         st.subgroup_note, best.leading_term(), c[2], c[3],
                         best.c3_zero(), c[4], best.r_star, e,
                         None if e is None else e.loss - arcs.point.loss, st.dps)


def compare_families(families, ks, kind="min", dps=30, rmax=RMAX_DEFAULT, max_split=3,
                     fit=False, progress=None):
    """The comparison table (and, with ``fit=True``, the large-k fits of every family).

    Parameters
    ----------
    families : list of str
    ks : list of int
    kind : {"min", "max"}
    dps : int
    rmax : float
    max_split : int
    fit : bool
        Also fit the large-k series (:func:`large_k_fit`).
    progress : callable, optional
        Called after each (family, k) with the row.

    Returns
    -------
    Comparison
    """
    families = [get_family(f).name for f in families]
    if not families:
        raise InputError("give at least one family")
    if len(families) * len(ks) > MAX_COMPARE:
        raise InputError(f"{len(families)} families × {len(ks)} values of k is more than "
                         f"{MAX_COMPARE} arcs computations: split the run")
    rows, sets = [], []
    for fam in families:
        for k in ks:
            arcs = tangency_arcs(fam, k, kind=kind, dps=dps, rmax=rmax, max_split=max_split)
            rows.append(_row(arcs, fam))
            sets.append(arcs)
            if progress:
                progress(rows[-1])
    out = Comparison(rows, kind, arcsets=sets)
    if fit:
        for fam in families:
            out.fits[fam] = large_k_fit(fam, kind=kind, dps=dps, rmax=rmax,
                                        max_split=max_split)
    return out


@dataclass
class LargeKFit:
    r"""The fitted series :math:`q(k) = k^{p}\,(a_0 + a_1\varepsilon + \dots)`,
    :math:`\varepsilon = k^{-1/2}`: ``power`` p (a multiple of 1/2, read off the last two
    points), coefficients ``a`` with error estimates (the change when the smallest k is
    dropped), and ``status``: ``derived`` (exact, from the family's series) or
    ``numeric``."""
    quantity: str
    power: object
    a: list
    errors: list
    status: str = "numeric"
    exact: list = field(default_factory=list)
    ks: list = field(default_factory=list)
    identified: object = None

    def __str__(self):
        def term(j, a):
            e = mpmath.mpf(self.power) - mpmath.mpf(j) / 2
            pw = "" if e == 0 else f" k^({mpmath.nstr(e, 3)})"
            return f"({a}){pw}"
        if self.status == "derived":
            body = " + ".join(term(j, a) for j, a in enumerate(self.exact))
        else:
            body = " + ".join(term(j, f"{mpmath.nstr(a, 10)} ± {mpmath.nstr(err, 1)}")
                              for j, (a, err) in enumerate(zip(self.a, self.errors)))
        ident = "" if self.identified is None else \
            f"; leading coefficient identified as {self.identified} (PSLQ, confirmed by a " \
            "second fit; a candidate, not derived)"
        return f"{self.quantity} = {body} + …   [{self.status}{ident}]"

    def to_json(self):
        """The fit as a JSON-ready dict: power of k, coefficients and their errors as
        decimal strings, exact forms, status and the k used."""
        return {"quantity": self.quantity, "power_of_k": mpmath.nstr(self.power, 3),
                "coefficients": [dec(a, 15) for a in self.a],
                "errors": [dec(e, 2) for e in self.errors],
                "exact": [str(x) for x in self.exact], "status": self.status,
                "identified": None if self.identified is None else str(self.identified),
                "k": [k_json(k) for k in self.ks]}


def _fit(quantity, ks, values, terms=3, identify=False):
    """Least squares for ``values[i] = k^p Σ_j a_j ε_i^j`` (p from the last two points,
    rounded to a multiple of 1/2); the error estimate of each coefficient is its change
    when the smallest k is dropped.  With ``identify``, the leading coefficient is looked
    up in Q(π), or its square (then it lies in an extension Q(π)(√s))
    (:func:`symcrit.algebra.closed_form`), found with one fit and confirmed by the
    other."""
    with mpmath.workdps(50):
        ks_ = [mpmath.mpf(k) for k in ks]
        vals = [mpmath.mpf(v) for v in values]
        if abs(vals[-1]) == 0 or abs(vals[-2]) == 0:
            p = mpmath.mpf(0)
        else:
            slope = mpmath.log(abs(vals[-1] / vals[-2])) / mpmath.log(ks_[-1] / ks_[-2])
            p = mpmath.nint(2 * slope) / 2

        def solve(kk, vv, m):
            A = mpmath.matrix([[(1 / mpmath.sqrt(k)) ** j for j in range(m)] for k in kk])
            b = mpmath.matrix([v / k ** p for k, v in zip(kk, vv)])
            x, _ = mpmath.qr_solve(A, b)
            return [x[j] for j in range(m)]
        m = min(terms, len(ks) - 1)
        a = solve(ks_, vals, m)
        b = solve(ks_[1:], vals[1:], m) if len(ks) - 1 >= m else a
        err = [abs(x - y) for x, y in zip(a, b)]
        found = None
        if identify and err[0] > 0:
            digits = int(-mpmath.log10(err[0] / max(abs(a[0]), mpmath.mpf(10) ** -30))) - 1
            if digits >= 8:
                found = closed_form(b[0], digits, a[0], digits)
                if found is None:          # in Q(π)(√s): its square is in Q(π)
                    sq = closed_form(b[0] ** 2, digits, a[0] ** 2, digits)
                    if sq is not None:
                        found = f"{'-' if a[0] < 0 else ''}sqrt({sq})"
    return LargeKFit(quantity, p, a, err, ks=list(ks), identified=found)


def large_k_fit(family, ks=(10 ** 4, 10 ** 5, 10 ** 6, 10 ** 7),
                coefficient_ks=(10 ** 8, 10 ** 9, 10 ** 10, 10 ** 11, 10 ** 12, 10 ** 13,
                                10 ** 14),
                kind="min", dps=30, rmax=RMAX_DEFAULT, max_split=3, exact_eigenvalue=True):
    """Fits of the large-k series of c2, c3, c4, r* and the barrier for the arc realising
    the extremum.  r* and the barrier come from that arc traced alone
    (:func:`~symcrit.arcs.tangency.tangency_arcs` with ``only_realising=True``) at ``ks``;
    c3 and c4 need only the expansion at r = 0 of the same branch (same subgroup and sign),
    computed at ``coefficient_ks`` (10^8 … 10^14 by default, at no less than 40 digits:
    its cost does not depend on k), where five terms are fitted and the leading
    coefficient looked up in Q(π) and its quadratic extensions; c2 = λ/2 is taken
    from the family's exact series when its eigenvalue branch can be matched
    (``exact_eigenvalue``).

    Returns
    -------
    list of LargeKFit
    """
    if len(ks) < 3 or len(coefficient_ks) < 3:
        raise InputError("a large-k fit needs at least 3 values of k")
    name = get_family(family).name
    rows = []
    for k in ks:
        arcs = tangency_arcs(family, k, kind=kind, dps=dps, rmax=rmax, max_split=max_split,
                             only_realising=True)
        rows.append(_row(arcs, name))
    best = arcs.realising.start
    coef = []
    cdps = max(int(dps), 40)
    for k in coefficient_ks:
        cp = get_family(family).point(k, dps=cdps, full_check=False)
        st = [s for s in arc_starts(cp, kind, max_split)
              if s.isotropy == best.isotropy and s.sign == best.sign]
        if not st:   # pragma: no cover - the branch disappeared
            raise InputError(f"{name}: no branch {best.isotropy} at k = {k}")
        c = arc_expansion(st[0], order=5, dps=cdps).coefficients
        coef.append({"c3": c[3], "c4": c[4]})
    fits = []
    for q in QUANTITIES:
        if q == "c3" and all(r.c3_zero for r in rows):
            fits.append(LargeKFit("c3", 0, [mpmath.mpf(0)], [mpmath.mpf(0)], "derived",
                                  ["0"], list(coefficient_ks)))
            continue
        if q in ("c3", "c4"):
            fits.append(_fit(q, list(coefficient_ks), [c[q] for c in coef], terms=5,
                             identify=True))
            continue
        vals = [r.values()[q] for r in rows]
        if any(v is None for v in vals):
            continue
        fits.append(_fit(q, list(ks), vals))
    if exact_eigenvalue:
        ex = _exact_c2(family, rows[-1])
        if ex is not None:
            fits = [ex if f.quantity == "c2" else f for f in fits]
    return fits


def _exact_c2(family, row, order=2):
    """c2 = λ/2 from the family's exact eigenvalue series (the branch of the row's
    irreducible whose value at the row's k is λ), or None."""
    from ..series import family_series
    try:
        S = family_series(family, order=order, eigenvalues=True)
    except SymcritError:                   # pragma: no cover - the series may not exist
        return None
    best = None
    for label, terms in S.eigenvalues.items():
        irrep, _ = S.eigen_info[label]
        if irrep != row.irrep or any(t.exact is None for t in terms):
            continue
        with mpmath.workdps(30):
            val = mpmath.fsum(t.value * mpmath.mpf(row.k) ** _mpq(t.exponent)
                              for t in terms)
            d = abs(val - row.eigenvalue)
        if best is None or d < best[0]:
            best = (d, terms)
    if best is None or best[0] > mpmath.mpf(row.k) ** -1.2:
        return None
    terms = best[1]
    return LargeKFit("c2", _mpq(terms[0].exponent), [t.value / 2 for t in terms],
                     [mpmath.mpf(0)] * len(terms), "derived",
                     [f"({t.exact})/2" for t in terms], [row.k])


def _mpq(q):
    return mpmath.mpf(q.numerator) / q.denominator
