"""Series in k^(-1/2) of the families, against independent computations: refined critical
points and Hessian spectra at large k (the truncation error must shrink like ε^(N+1)),
the numeric lifting against the exact one, the restricted loss evaluated at the truncated
coordinates, numeric eigenvalues of explicit matrices, and mpmath evaluations of the exact
arithmetic."""
import json
from fractions import Fraction

import mpmath
import pytest
from hypothesis import given, strategies as st

from symcrit.cli import main
from symcrit.critical import get_family
from symcrit.restricted import restricted_loss
from symcrit.algebra import QQ_PI, NotExact, QPi, closed_form, LaurentSystem
from symcrit.series import charpoly, eigen_branches, family_series

PI = QQ_PI.pi


def q(x):
    return QQ_PI.convert(x)


@pytest.fixture(scope="module")
def type_a():
    return family_series("type-A", order=8, dps=30, eigenvalues=True)


@pytest.fixture(scope="module")
def type_a_numeric():
    return family_series("type-A", order=5, dps=30, exact=False, identify=True)


# ----------------------------------------------------------------------------- exact lifting
def test_type_a_is_derived_exactly(type_a):
    c = type_a.counts()
    assert c["numeric"] == 0 and c["identified"] == 0 and not type_a.notes
    assert c["derived"] == 9 * (5 + 1 + 12)
    # N + 1 = 9 terms per series, the first exponents as the dominant balance says
    assert [t.exponent for t in type_a.coordinates["c"][:3]] == [-1, -1.5, -2]
    assert type_a.exponents == {"a": "-2", "b": "-2", "c": "-1", "d": "-1", "e": "-1"}


def test_leading_terms_against_refined_points(type_a):
    # independent: the refined point at k = 10^10, deviations scaled by the leading power
    # (corrections O(k^(-1/2)) = 1e-5 relative); the closed forms are those of Arjevani &
    # Field (2021), here compared exactly with the derived coefficients
    p = get_family("type-A").point(10 ** 10, dps=40, full_check=False)
    k = mpmath.mpf(10) ** 10
    x = dict(zip(p.names, p.xi))
    expected = {"c": (x["c"] * k, q(2)), "d": (x["d"] * k, 4 / PI),
                "e": ((x["e"] + 1) * k, 2 + 8 / PI + 8 / PI ** 2),
                "a": ((x["a"] - 1) * k ** 2, 8 / PI), "b": (x["b"] * k ** 2, -4 / PI)}
    for name, (refined, form) in expected.items():
        t = type_a.coordinates[name][0]
        assert t.exact == form, name
        assert abs(refined - form.mpf()) < 1e-4 * abs(refined), name
    L = type_a.loss[0]
    assert L.exponent == -1 and L.exact == q(1) / 2 - 2 / PI ** 2
    assert abs(p.loss * k - L.exact.mpf()) < 1e-4


def test_d_second_coefficient_is_32_over_pi_cubed(type_a):
    t = type_a.coordinates["d"][1]
    assert t.exponent == Fraction(-3, 2) and t.exact == 32 / PI ** 3
    # independent estimate from a refined point: (d - 4/(πk)) k^(3/2) -> 32/π³ + O(k^-1/2)
    k = 10 ** 8
    p = get_family("type-A").point(k, dps=40, full_check=False)
    with mpmath.workdps(40):
        est = (p.xi[p.names.index("d")] - 4 / (mpmath.pi * k)) * mpmath.mpf(k) ** 1.5
        assert abs(est - 32 / mpmath.pi ** 3) < 1e-2


def test_exact_and_numeric_lifting_agree(type_a):
    num = family_series("type-A", order=8, dps=30, exact=False, identify=False)
    assert num.counts()["derived"] == 0
    with mpmath.workdps(40):
        for name, ts in type_a.coordinates.items():
            for t, u in zip(ts, num.coordinates[name]):
                assert t.exponent == u.exponent
                assert abs(t.exact.mpf() - u.value) <= 1e-25 * max(1, abs(u.value)), name
        for t, u in zip(type_a.loss, num.loss):
            assert abs(t.exact.mpf() - u.value) <= 1e-25 * max(1, abs(u.value))


def test_identified_candidates_are_all_true(type_a, type_a_numeric):
    # every closed form the integer-relation search reports (after confirmation at twice
    # the precision) equals the exactly derived coefficient; nothing is overfitted
    found = 0
    for name, ts in list(type_a_numeric.coordinates.items()) + [("L", type_a_numeric.loss)]:
        ref = type_a.loss if name == "L" else type_a.coordinates[name]
        for t, r in zip(ts, ref):
            assert t.exact is None
            if t.identified is not None:
                found += 1
                assert t.identified == r.exact, (name, t.exponent)
            assert t.digits is not None and t.digits >= 30
    assert found >= 10
    # zero coefficients are identified as 0 (c has no k^(-3/2) term), not as a fit
    assert type_a_numeric.coordinates["c"][1].identified == 0
    assert type_a.coordinates["c"][1].exact == 0
    # a true closed form beyond the height the digits allow is left numeric
    a2 = type_a.coordinates["a"][1].exact
    assert a2 == -320 / (3 * PI ** 3 * (PI - 2))
    assert type_a_numeric.coordinates["a"][1].status == "numeric"


# ----------------------------------------------------------------------------- verification
def test_truncation_error_shrinks_like_eps_to_the_n_plus_1(type_a):
    rows = type_a.verify(ks=(10 ** 4, 10 ** 6, 10 ** 8), orders=[4, 8])
    last = {r["order"]: r for r in rows if r["k"] == 10 ** 8}
    for N, r in last.items():
        for c in ("coordinates", "loss", "eigenvalues"):
            assert r[c + "_slope"] > N + 1 - 0.05, (N, c, r[c + "_slope"])
            assert r[c] < 10.0 ** (-4 * (N + 1) + 6)
    assert "slope" in type_a.verify_table(rows)


def test_loss_series_matches_restricted_loss_at_truncated_coordinates(type_a):
    R = restricted_loss("ΔS_{k-1}")
    with mpmath.workdps(50):
        k = mpmath.mpf(10) ** 6
        xs, Lser = type_a.evaluate(k, 8, dps=50)
        Ldirect = R.loss(xs, k, system="mpmath")
        # the loss series is truncated after ε^(2+8): the difference is ~ε^11 (the
        # coordinates' own truncation error enters squared: the point is critical)
        assert abs(Ldirect - Lser) < 1e-22 * abs(Ldirect)


def test_eigenvalue_branches_and_labels(type_a):
    labels = list(type_a.eigenvalues)
    # every distinct eigenvalue of each block has a branch: 5 + 5 + 1 + 1
    assert len(labels) == 12
    assert sum(1 for lab in labels if lab.startswith("[k-2,1]#")) == 5
    big = type_a.eigenvalues["[k-1]#3"]
    assert big[0].exponent == 1 and big[0].exact == 1 / (2 * PI)


def test_identity_eigenvalues_are_exact_constants():
    # W = I: the spectrum is known in closed form (hessian_blocks doctest): constant in k
    S = family_series("global", order=3, dps=30, eigenvalues=True)
    assert S.loss == [] and S.counts()["numeric"] == 0
    for lab, target in (("[k-2,1,1]#1", q(1) / 4 - 1 / (2 * PI)),
                        ("[k-2,2]#1", q(1) / 4 + 1 / (2 * PI))):
        ts = S.eigenvalues[lab]
        assert ts[0].exponent == 0 and ts[0].exact == target
        assert all(t.exact == 0 for t in ts[1:])


@pytest.mark.parametrize("name", ["hidden-D", "hidden-A", "type-A3", "type-A4", "type-A5"])
def test_other_families_exact_and_converging(name):
    S = family_series(name, order=3 if name.startswith("hidden") else 2, dps=30,
                      eigenvalues=(name == "hidden-D"))
    assert S.counts()["numeric"] == 0 and S.counts()["identified"] == 0
    N = S.order
    rows = S.verify(ks=(10 ** 4, 10 ** 6), orders=[N])
    for c in ("coordinates", "loss") + (("eigenvalues",) if S.eigenvalues else ()):
        assert rows[1][c + "_slope"] > N + 0.9, (c, rows[1][c + "_slope"])


def test_type_a2_is_exact_over_q_pi_sqrt2():
    # the leading-order system needs sqrt(8): the lifting runs over Q(π)(√2)
    S = family_series("type-A2", order=3, dps=30, eigenvalues=True)
    assert S.domain == "Q(pi)(sqrt(2))" and not S.notes
    assert S.counts()["numeric"] == 0 and S.counts()["identified"] == 0
    # one branch per eigenvalue of each isotypic block (the spectrum at a refined point)
    from symcrit.spectra import spectrum_of
    spec = spectrum_of(get_family("type-A2").point(10 ** 4, dps=30, full_check=False))
    assert len(S.eigenvalues) == sum(len(v) for v in spec.by_irrep().values()) == 19
    f0 = S.coordinates["f"][0].exact                 # not a Laurent polynomial in π
    assert f0 == (2 * PI ** 3 + 8 * PI ** 2 - 24 * PI + 32) / (PI ** 2 * (PI + 2))
    assert not S.coordinates["a"][2].exact.b.is_zero()       # a genuine √2 term at k^-3
    # the numeric lifting (no exact arithmetic at all) agrees, and the series converges
    N = family_series("type-A2", order=3, dps=30, exact=False, identify=False)
    with mpmath.workdps(40):
        for name, ts in S.coordinates.items():
            for t, u in zip(ts, N.coordinates[name]):
                assert abs(t.exact.mpf() - u.value) <= 1e-25 * max(1, abs(u.value)), name
    rows = S.verify(ks=(10 ** 4, 10 ** 6), orders=[3])
    for c in ("coordinates", "loss", "eigenvalues"):
        assert rows[1][c + "_slope"] > 3.9, c


# ----------------------------------------------------------------------------- eigen branches
def _two_by_two(S):
    e, one, zero = S.epsilon(), S.convert(1), S.convert(0)
    A = [[one + e ** 2, e ** 3], [e ** 3, one + 2 * e ** 2]]
    return A, [[one, zero], [zero, one]]


@pytest.mark.parametrize("exact", [False, True])
def test_eigen_branches_degenerate_leading_terms(exact):
    # A = [[1 + ε², ε³], [ε³, 1 + 2ε²]]: equal leading eigenvalues split at order ε²;
    # compared with the eigenvalues of the matrix at ε = 0.01 (mpmath eigsy)
    with mpmath.workdps(30):
        S = LaurentSystem(order=10, domain=QQ_PI) if exact else LaurentSystem(order=10)
        br = sorted(eigen_branches(charpoly(*_two_by_two(S)), 6),
                    key=lambda s: float(QQ_PI.value(s.coefficient(2)) if exact
                                        else s.coefficient(2)))
        eps = mpmath.mpf("0.01")
        M = mpmath.matrix([[1 + eps ** 2, eps ** 3], [eps ** 3, 1 + 2 * eps ** 2]])
        ev = sorted(mpmath.eigsy(M, eigvals_only=True))
        for x, v in zip(br, ev):
            cs = [QQ_PI.value(c) if exact else c for c in x.coefficients(8)]
            assert abs(mpmath.fsum(c * eps ** j for j, c in enumerate(cs)) - v) < 1e-14
        if exact:
            assert [str(c) for c in br[0].coefficients(4)] == ["1", "0", "1", "0"]


# ----------------------------------------------------------------------------- arithmetic
def _qpi(nums, dens):
    from flint import fmpz_poly
    d = fmpz_poly(dens)
    return QPi(fmpz_poly(nums), d if not d.is_zero() else fmpz_poly([1]))


small = st.lists(st.integers(-9, 9), min_size=1, max_size=4)
nonzero = small.filter(lambda cs: any(cs) and cs[-1] != 0)


@given(small, nonzero, small, nonzero)
def test_qpi_arithmetic_against_mpmath(n1, d1, n2, d2):
    x, y = _qpi(n1, d1), _qpi(n2, d2)
    with mpmath.workdps(40):
        def val(cs):
            return mpmath.fsum(c * mpmath.pi ** j for j, c in enumerate(cs))
        vx, vy = val(n1) / val(d1), val(n2) / val(d2)
        for got, want in ((x + y, vx + vy), (x - y, vx - vy), (x * y, vx * vy)):
            assert abs(got.mpf() - want) <= 1e-30 * max(1, abs(want))
        if not y.is_zero():
            assert abs((x / y).mpf() - vx / vy) <= 1e-30 * max(1, abs(vx / vy))
            assert (x / y) * y == x                      # canonical form
        if not x.is_zero():
            assert (x * x).sqrt() == (x if x.sign() > 0 else -x)
            assert x.sign() == (1 if vx > 0 else -1)


@given(small, nonzero, small, nonzero, st.sampled_from([2, 3, 5]))
def test_qpi_sqrt_extension_against_mpmath(n1, d1, n2, d2, r):
    from symcrit.algebra import QPiSqrt
    x, y = QPiSqrt(_qpi(n1, d1), _qpi(n2, d2), r), QPiSqrt(_qpi(n2, d1), _qpi(n1, d2), r)
    with mpmath.workdps(40):
        vx, vy = x.mpf(), y.mpf()
        for got, want in ((x + y, vx + vy), (x * y, vx * vy), (x - y, vx - vy)):
            assert abs(got.mpf() - want) <= 1e-30 * max(1, abs(want))
        if not y.is_zero():
            assert (x / y) * y == x
        if not x.is_zero():
            assert abs(x.mpf() - (x.a.mpf() + x.b.mpf() * mpmath.sqrt(r))) < 1e-30 * max(
                1, abs(x.mpf()))
            sq = (x * x).sqrt()
            assert sq == (x if x.sign() > 0 else -x)


def test_not_exact_and_exact_functions():
    with pytest.raises(NotExact) as exc:
        QQ_PI.sqrt(q(8) / PI ** 2)
    assert exc.value.radicand == 2                      # 8/π² = 2 (2/π)²: in Q(π)(√2)
    with pytest.raises(NotExact):
        QQ_PI.acos(q(1) / 3)
    assert QQ_PI.acos(q(-1) / 2) == 2 * PI / 3
    # the same series arithmetic, exact and numeric, agree (acos at an end point, sqrt)
    X, N = LaurentSystem(order=8, domain=QQ_PI), LaurentSystem(order=8)
    with mpmath.workdps(30):
        ex = X.acos(-1 + 2 * X.epsilon() ** 2 / PI ** 2) * (1 + X.epsilon()).sqrt()
        nu = N.acos(-1 + 2 * N.epsilon() ** 2 / mpmath.pi ** 2) * (1 + N.epsilon()).sqrt()
        assert ex.coefficient(1) == PI / 2 - 2 / PI      # (π - 2ε/π - ...)(1 + ε/2 - ...)
        for a, b in zip(ex.coefficients(6), nu.coefficients(6)):
            assert abs(a.mpf() - b) < 1e-25


def test_closed_form_needs_confirmation_and_small_height():
    with mpmath.workdps(80):
        x = 32 / mpmath.pi ** 3 + 8 / mpmath.pi
        assert closed_form(x + mpmath.mpf(10) ** -31, 30, x, 70) == 32 / PI ** 3 + 8 / PI
        # the same digits continued differently at high precision: no relation survives
        assert closed_form(x, 30, x + mpmath.mpf(10) ** -40, 70) is None
        # a number of no small height: PSLQ within n log10 H <= D/2 finds nothing true
        assert closed_form(mpmath.e / 7, 30, mpmath.e / 7, 70) is None


# ----------------------------------------------------------------------------- command line
def test_cli_series_json_and_check(capsys):
    assert main(["series", "type-A", "--order", "2", "--json", "--no-eigenvalues",
                 "--check", "d", "-1.5", "1.0320491018623837"]) == 0
    js = json.loads(capsys.readouterr().out)          # --check: the check alone
    assert "loss" not in js and js["check"]["agrees"] is True
    assert js["check"]["verdict"] == "AGREES" and js["check"]["digits"] == 17
    assert main(["series", "type-A", "--order", "2", "--json", "--no-eigenvalues"]) == 0
    js = json.loads(capsys.readouterr().out)
    assert {"loss", "parameters", "eigenvalues", "counts"} <= set(js)
    for t in js["loss"] + js["parameters"]["c"]["terms"]:
        assert {"exponent", "coefficient", "identified", "value", "status"} <= set(t)
        mpmath.mpf(t["value"])                    # a decimal string
    c = js["parameters"]["c"]["terms"]
    assert [t["exponent"] for t in c] == ["-1", "-3/2", "-2"]
    assert c[0]["coefficient"] == "2" and c[1]["coefficient"] == "0" and c[1]["value"] == "0"
    assert js["parameters"]["d"]["terms"][1]["coefficient"] == "32/pi**3"


@pytest.mark.parametrize("argv", [
    ["series", "type-A", "--order", "-1"],
    ["series", "nosuch"],
    ["series", "type-A", "--check", "c", "-1", "__import__('os')"],
    ["series", "type-A", "--dps", "5"],
])
def test_cli_bad_input(capsys, argv):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize("name", ["type-A3", "type-A4"])
def test_rescaling_does_not_depend_on_the_working_precision(name):
    """The row operations of the regularisation are read in a canonical form (the reduced
    echelon form of the left null space of J0): the same at 30, 45 and 60 digits (type-A4
    used to fail at some precisions and succeed at others)."""
    from symcrit.series.rescaled import RescaledSystem
    ops = [RescaledSystem(get_family(name), w).ops for w in (30, 45, 60)]
    assert ops[0] == ops[1] == ops[2] and len(ops[0]) == 2
