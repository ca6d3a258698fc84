r"""Verification of a family's series against refined critical points and spectra.

A series through relative order :math:`\varepsilon^N` (:math:`\varepsilon = k^{-1/2}`)
should miss the value at k by about :math:`\varepsilon^{N+1}` relative to its leading term
(the first omitted term; faster where that term is zero).  The check is independent of the
series: the reference points are refined from the family's seed by continuation in k
(:meth:`symcrit.critical.Family.points`) and the reference eigenvalues are the Hessian
spectra there (:func:`symcrit.spectra.spectrum_of`).  The observed slope
:math:`d\log(\text{error})/d\log\varepsilon` between successive k must approach N + 1.

Everything is computed at the precision the errors need (about
:math:`(N+1)\log_{10}(1/\varepsilon)` digits plus the size of the leading terms): the
reference points and spectra are refined to that precision, derived coefficients are
evaluated at it, and a series whose numeric coefficients are not known to enough digits is
recomputed at that precision first.  Without this the errors at large k would level off at
the working precision instead of decaying.

>>> rows = [{"k": k, "order": 1, "eps": mpmath.mpf(k) ** -0.5, "coordinates": mpmath.mpf(k) ** -1,
...          "loss": None, "eigenvalues": None, "dps": 40} for k in (10 ** 4, 10 ** 6)]
>>> slopes(rows)
>>> print(verify_table(rows))                               # doctest: +NORMALIZE_WHITESPACE
error relative to the leading term, with terms through relative order ε^N (expected ~ ε^(N+1));
slope: observed power of ε between successive k (computed at 40 digits)
     k   N coordinates  /ε^(N+1)  slope
  10^4   1      0.0001       1.0
  10^6   1      1.0e-6       1.0   2.00
"""
from __future__ import annotations

import math

import mpmath

from ..core import InputError, workdps
from ..critical import get_family
from ..spectra import spectrum_of
from .terms import leading_value, partial_sum

__all__ = ["verify_series", "verify_table", "slopes"]

COLUMNS = ("coordinates", "loss", "eigenvalues")


def verify_series(S, ks, orders, recompute, progress=None):
    r"""Truncation errors of the series ``S`` against refined points and spectra.

    Parameters
    ----------
    S : FamilySeries
    ks : iterable
        Where to compare (large k: 10^4 … 10^12).
    orders : list of int or None
        Truncation orders N to compare (default: N/2 and N of the series).
    recompute : callable
        ``recompute(dps)``: the same series at ``dps`` digits (used when the numeric
        coefficients of ``S`` are not known to the digits the errors need).
    progress : callable, optional
        Called with each k once the series has been compared there.

    Returns
    -------
    list of dict
        Per k and N: ``k``, ``order``, ``eps``, the errors relative to the leading term of
        the ``coordinates`` (max over them), the ``loss`` and the ``eigenvalues`` (max over
        them; None without eigenvalues), their ``*_slope``, and ``dps``.

    Raises
    ------
    InputError
        An order beyond the series' own.
    """
    fam = get_family(S.family)
    ks = list(ks)
    orders = list(orders if orders is not None else sorted({S.order // 2, S.order}))
    if max(orders) > S.order:
        raise InputError(f"the series has order {S.order}; cannot verify order "
                         f"{max(orders)}")
    lk = max(math.log10(float(k)) for k in ks)
    # ε^(N+1) relative to the leading terms, which may be as small as ε^m · (lim ~ 1)
    mmax = max(list(S.exponent_powers().values()) + [2])
    need = int(math.ceil((max(orders) + 1 + mmax) * lk / 2)) + 15
    src = S
    ds = [t.digits or S.dps for _, ts in S.all_series() for t in ts if t.exact is None]
    if ds and min(ds) < need:
        src = recompute(need)
    ref_dps = need + int(lk) + 10
    pts = fam.points(ks, dps=ref_dps, full_check=False)
    rows = []
    with workdps(ref_dps):
        for p in pts:
            spec = spectrum_of(p).by_irrep() if S.eigenvalues else None
            kk = mpmath.mpf(p.k)
            for N in orders:
                err = []
                for i, (n, ts) in enumerate(src.coordinates.items()):
                    if not ts:
                        continue
                    x = src.limits[n] + partial_sum(ts, kk, N, ref_dps)
                    err.append(abs(x - p.xi[i]) / abs(leading_value(ts, kk, ref_dps)))
                e_c = max(err) if err else mpmath.mpf(0)
                e_l = None
                if src.loss:
                    e_l = abs(partial_sum(src.loss, kk, N, ref_dps) - p.loss) / \
                        abs(leading_value(src.loss, kk, ref_dps))
                e_e = None
                if spec is not None:
                    e_e = mpmath.mpf(0)
                    for lab, ts in src.eigenvalues.items():
                        v = partial_sum(ts, kk, N, ref_dps)
                        r = min(spec[src.eigen_info[lab][0]], key=lambda z: abs(z - v))
                        lead = leading_value(ts, kk, ref_dps) if ts else mpmath.mpf(1)
                        e_e = max(e_e, abs(v - r) / (abs(lead) if lead else 1))
                rows.append({"k": p.k, "order": N, "eps": kk ** -0.5,
                             "coordinates": e_c, "loss": e_l, "eigenvalues": e_e,
                             "dps": ref_dps})
            if progress:
                progress(p.k)
    slopes(rows)
    return rows


def slopes(rows):
    """Add to each row the observed slopes in ε (``coordinates_slope``, ...) between
    successive k of the same order (None for the first k)."""
    last = {}
    for r in rows:
        for c in COLUMNS:
            key = (r["order"], c)
            prev = last.get(key)
            r[c + "_slope"] = None
            if prev is not None and r[c] and prev[1]:
                r[c + "_slope"] = mpmath.log(r[c] / prev[1]) / mpmath.log(r["eps"] / prev[0])
            if r[c] is not None:
                last[key] = (r["eps"], r[c])


def verify_table(rows):
    """The rows of :func:`verify_series` as a text table: per quantity the relative error,
    its ratio to ε^(N+1) and the observed slope between successive k."""
    cols = [c for c in COLUMNS if any(r[c] is not None for r in rows)]
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
