"""Series in k^(-1/2) of the families, against independent computations: refined critical
points and Hessian spectra at large k (the truncation error must shrink like a power of
ε = k^(-1/2)), the restricted loss evaluated at the truncated coordinates, and the closed
forms known at W = I."""
import json

import mpmath
import pytest

from symcrit.cli import main
from symcrit.critical.families import get_family
from symcrit.restricted import restricted_loss
from symcrit.series.eigen import charpoly, eigen_branches
from symcrit.series.family import family_series
from symcrit.series.laurent import LaurentSystem


@pytest.fixture(scope="module")
def type_a():
    return family_series("type-A", order=8, dps=30, eigenvalues=True)


def test_truncation_error_shrinks_like_a_power_of_eps(type_a):
    rows = type_a.verify(ks=(10 ** 4, 10 ** 6), orders=[4, 8])
    err = {(int(k), N): (e1, e2, e3) for k, N, e1, e2, e3 in rows}
    for N in (4, 8):
        for i in range(3):
            # ε drops by 10 from k = 10^4 to 10^6; the error by at least ε^N (m ≥ 1 more)
            assert err[(10 ** 6, N)][i] < 10.0 ** (-N) * err[(10 ** 4, N)][i] * 10
        assert err[(10 ** 6, N)][0] < 1e-14
    # more terms, smaller error
    assert err[(10 ** 4, 8)][0] < 1e-4 * err[(10 ** 4, 4)][0]


def test_leading_terms_against_refined_points(type_a):
    # c ~ 2/k and the loss ~ L1/k: read off refined points at k = 10^10 independently
    p = get_family("type-A").point(10 ** 10, dps=30, full_check=False)
    c = p.xi[p.names.index("c")]
    assert abs(c * 10 ** 10 - type_a.coordinates["c"][0].value) < 1e-3
    assert abs(p.loss * 10 ** 10 - type_a.loss[0].value) < 1e-3
    assert type_a.exponents["c"] == "-1" and type_a.loss[0].exponent == -1


def test_loss_series_matches_restricted_loss_at_truncated_coordinates(type_a):
    R = restricted_loss("ΔS_{k-1}")
    with mpmath.workdps(40):
        k = mpmath.mpf(10) ** 6
        xs, Lser = type_a.evaluate(k, 8)
        Ldirect = R.loss(xs, k, system="mpmath")
        assert abs(Ldirect - Lser) < 1e-20 * abs(Ldirect)


def test_eigenvalue_series_against_spectrum(type_a):
    rows = type_a.verify(ks=(10 ** 5,), orders=[8])
    assert rows[0][4] < 1e-14
    labels = list(type_a.eigenvalues)
    # every distinct eigenvalue of each block has a branch: 5 + 5 + 1 + 1
    assert len(labels) == 12
    assert sum(1 for lab in labels if lab.startswith("[k-2,1]#")) == 5


def test_identity_eigenvalues_are_exact_constants():
    S = family_series("global", order=5, dps=30, eigenvalues=True)
    with mpmath.workdps(30):
        lo = mpmath.mpf(1) / 4 - 1 / (2 * mpmath.pi)
        hi = mpmath.mpf(1) / 4 + 1 / (2 * mpmath.pi)
        for lab, target in (("[k-2,1,1]#1", lo), ("[k-2,2]#1", hi)):
            ts = S.eigenvalues[lab]
            assert ts[0].exponent == 0 and abs(ts[0].value - target) < 1e-25
            assert all(abs(t.value) < 1e-25 for t in ts[1:])
    assert S.loss == [] or all(abs(t.value) < 1e-25 for t in S.loss)


@pytest.mark.parametrize("name", ["hidden-D", "hidden-A", "type-A2"])
def test_other_families_converge(name):
    S = family_series(name, order=4, dps=30, eigenvalues=(name == "hidden-D"))
    rows = S.verify(ks=(10 ** 4, 10 ** 6), orders=[4])
    # 4 terms: the error drops by at least ε^4 = 10^-4 from k = 10^4 to 10^6 (slack 10)
    assert rows[1][2] < 1e-3 * rows[0][2] and rows[1][3] < 1e-3 * rows[0][3]


def test_eigen_branches_degenerate_leading_terms():
    # A = [[1 + ε², ε³], [ε³, 1 + 2ε²]]: equal leading eigenvalues split at order ε²
    with mpmath.workdps(30):
        S = LaurentSystem(order=10)
        e = S.epsilon()
        one = S.convert(1)
        A = [[one + e ** 2, e ** 3], [e ** 3, one + 2 * e ** 2]]
        B = [[one, S.convert(0)], [S.convert(0), one]]
        br = sorted(eigen_branches(charpoly(A, B), 6), key=lambda s: s.coefficient(2))
        # compare with the exact eigenvalues at ε = 0.01
        eps = mpmath.mpf("0.01")
        M = mpmath.matrix([[1 + eps ** 2, eps ** 3], [eps ** 3, 1 + 2 * eps ** 2]])
        ev = sorted(mpmath.eigsy(M, eigvals_only=True))
        for x, v in zip(br, ev):
            val = mpmath.fsum(x.coefficient(j) * eps ** j for j in range(8))
            assert abs(val - v) < 1e-14


def test_cli_series_json_and_check(capsys):
    assert main(["series", "type-A", "--order", "3", "--json", "--no-eigenvalues",
                 "--check", "c", "-1", "2"]) == 0
    js = json.loads(capsys.readouterr().out)
    assert {"loss", "parameters", "eigenvalues"} <= set(js)
    for t in js["loss"] + js["parameters"]["c"]["terms"]:
        assert {"exponent", "coefficient", "value"} <= set(t)
        mpmath.mpf(t["value"])                    # a decimal string
    assert js["parameters"]["c"]["terms"][0]["exponent"] == "-1"
    assert js["check"]["agrees"] is True


@pytest.mark.parametrize("argv", [
    ["series", "type-A", "--order", "0"],
    ["series", "nosuch"],
    ["series", "type-A", "--check", "c", "-1", "2*pi"],
    ["series", "type-A", "--dps", "5"],
])
def test_cli_bad_input(capsys, argv):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
