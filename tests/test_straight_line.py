"""The straight-line assembly of the restricted losses (traced once, symcrit.core.tracing)
against the numpy object-array assembly it replaces: the same values bit for bit — equal
mpmath numbers and sympy expressions, identical midpoints and radii of Arb balls, identical
series and Taylor-model coefficients — in every object number system, on several
isotropy types and points."""
from fractions import Fraction

import numpy as np
import pytest
from flint import arb, ctx as flint_ctx

from symcrit import workdps
from symcrit.algebra import QQ_PI, LaurentSystem
from symcrit.certificates.taylor import TaylorSystem
from symcrit.restricted import restricted_loss

#: (isotropy, d, values of k)
SPECS = [("ΔS_k", None, (12, Fraction(151, 2), 10 ** 6)),
         ("ΔS_{k-1}", None, (12, Fraction(151, 2), 10 ** 6)),
         ("Δ(S_{k-2}×S_2)", None, (12, 10 ** 6)), ("ΔS_{k-1}×S_{d-k}", 19, (7, 12))]


def _points(n, rng, count=2):
    """Rational points (exact in every system) near the type-A family's scale."""
    out = []
    for _ in range(count):
        xs = rng.normal(0, 0.5, size=n)
        xs[0] = 1 + xs[0] / 10
        out.append([Fraction(int(round(x * 1000)), 1000) for x in xs])
    return out


def _same(a, b):
    """a and b are the same value, bit for bit."""
    if isinstance(a, arb):
        return isinstance(b, arb) and a.mid() == b.mid() and a.rad() == b.rad()
    if type(a).__name__ == "LaurentSeries":
        return (type(b) is type(a) and (a.val, a.prec) == (b.val, b.prec)
                and len(a.coeffs) == len(b.coeffs)
                and all(type(x) is type(y) and x == y for x, y in zip(a.coeffs, b.coeffs)))
    if type(a).__name__ == "TaylorModel":
        return (type(b) is type(a) and (a.v, a.p, a.xend) == (b.v, b.p, b.xend)
                and len(a.c) == len(b.c) and all(map(_same, a.c, b.c))
                and _same(a.rem, b.rem) and len(a.ex) == len(b.ex)
                and all(x.P == y.P and x.s == y.s for x, y in zip(a.ex, b.ex)))
    return type(a) is type(b) and a == b


def _entries(x):
    """A result of evaluate() (scalar, list, numpy array, mpmath/sympy/arb matrix) as a
    flat list of scalars."""
    if isinstance(x, (list, tuple)):
        return list(x)
    if isinstance(x, np.ndarray):
        return list(x.reshape(-1))
    if hasattr(x, "nrows"):                                  # arb_mat
        return [x[i, j] for i in range(x.nrows()) for j in range(x.ncols())]
    if hasattr(x, "rows") and hasattr(x, "cols"):           # mpmath / sympy matrices
        return [x[i, j] for i in range(x.rows) for j in range(x.cols)]
    return [x]


def _check(old, new, what):
    assert len(old) == len(new)
    for o, w in zip(old, new):
        o, w = _entries(o), _entries(w)
        bad = [i for i, (x, y) in enumerate(zip(o, w)) if not _same(x, y)]
        assert len(o) == len(w) and not bad, (what, bad[:3])


@pytest.mark.parametrize("spec,d,ks", SPECS)
def test_straight_line_equals_object_arrays_arb_mpmath(spec, d, ks, rng):
    R = restricted_loss(spec)
    assert R.straight_line() is not None
    for xi in _points(len(R.symbols), rng):
        for k in ks:
            for system in ("mpmath", "arb"):
                with workdps(40):
                    old = R.evaluate(xi, k, d, system=system, straight_line=False)
                    new = R.evaluate(xi, k, d, system=system, straight_line=True)
                _check(old, new, (spec, system, k))


@pytest.mark.parametrize("spec,d,ks", SPECS[:3])
def test_straight_line_equals_object_arrays_sympy(spec, d, ks, rng):
    R = restricted_loss(spec)
    xi = _points(len(R.symbols), rng, 1)[0]
    old = R.evaluate(xi, 9, d, system="sympy", straight_line=False)
    new = R.evaluate(xi, 9, d, system="sympy", straight_line=True)
    _check(old, new, spec)


def test_straight_line_equals_object_arrays_series():
    """Laurent series in ε = k^(-1/2) over mpmath and exactly over Q(π), as the family
    series evaluate the loss (k = ε^(-2), parameters series in ε)."""
    R = restricted_loss("ΔS_{k-1}")
    for domain in (None, QQ_PI):
        with workdps(30):
            S = LaurentSystem(order=9) if domain is None else LaurentSystem(order=9,
                                                                           domain=QQ_PI)
            e = S.epsilon()               # near type-A's leading point (1, 0, 0, 0, -1)
            xi = [1 + e ** 2 / 3, e ** 4 / 7, 2 * e ** 2, Fraction(4, 3) * e ** 2,
                  -1 + e ** 2 / 5 - e ** 3]
            old = R.evaluate(xi, S.monomial(1, -2), system=S, straight_line=False)
            new = R.evaluate(xi, S.monomial(1, -2), system=S, straight_line=True)
        assert old[0].prec - old[0].val >= 3
        _check(old, new, domain)


@pytest.mark.parametrize("ndelta", [None, 0])
def test_straight_line_equals_object_arrays_taylor(ndelta):
    """Taylor models in t with k = 10 + t (t ∈ [−1, 1]), with and without exact parts."""
    R = restricted_loss("ΔS_{k-1}")
    old_prec = flint_ctx.prec
    flint_ctx.prec = 120
    try:
        S = TaylorSystem(arb(0, 1), order=4, ndelta=ndelta)
        t = S.variable()
        xi = [S.convert(Fraction(1)) + t / 1000, S.convert(Fraction(-1, 50)),
              S.convert(Fraction(1, 5)), S.convert(Fraction(1, 10)) - t / 500,
              S.convert(Fraction(-3, 5))]
        old = R.evaluate(xi, 10 + t, system=S, straight_line=False)
        new = R.evaluate(xi, 10 + t, system=S, straight_line=True)
    finally:
        flint_ctx.prec = old_prec
    _check(old, new, ndelta)


def test_automatic_switch_and_one_off_evaluations():
    """evaluate() without the keyword gives the same values before and after the switch."""
    R = restricted_loss("ΔS_k")
    xi = [Fraction(9, 10), Fraction(1, 20)]
    with workdps(30):
        a = R.evaluate(xi, 5, system="arb", straight_line=False)
        b = R.evaluate(xi, 5, system="arb")
    _check(a, b, "auto")


def test_traced_code_kept_in_the_disk_cache_and_rebuilt_when_damaged(tmp_path, monkeypatch):
    """A later process (here: a fresh RestrictedLoss) reads the traced code from the disk
    cache and gets the same values bit for bit; a damaged entry is traced again."""
    import mpmath
    from symcrit.restricted import RestrictedLoss
    monkeypatch.setenv("SYMCRIT_CACHE", str(tmp_path))
    x = [mpmath.mpf("1.01"), mpmath.mpf("-0.02"), mpmath.mpf("0.15"), mpmath.mpf("0.1"),
         mpmath.mpf("-0.7")]
    first = RestrictedLoss("ΔS_{k-1}")
    reference = first.evaluate(x, 12, system="mpmath", straight_line=False)
    first.straight_line()                               # traced, then stored
    entries = sorted(tmp_path.rglob("*.json"))
    stored = [p for p in entries if "straight-line" in p.read_text()]
    assert len(stored) == 1
    again = RestrictedLoss("ΔS_{k-1}")
    f = again.straight_line()                           # read back, not traced
    assert f.operations == first.straight_line().operations
    L, g, H = again.evaluate(x, 12, system="mpmath", straight_line=True)
    assert L == reference[0] and list(g) == list(reference[1])
    assert H.tolist() == reference[2].tolist()
    stored[0].write_text(stored[0].read_text().replace("t1", "t9", 1))   # checksum breaks
    damaged = RestrictedLoss("ΔS_{k-1}")
    L2, _, _ = damaged.evaluate(x, 12, system="mpmath", straight_line=True)
    assert L2 == reference[0]
