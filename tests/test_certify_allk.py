"""Proofs for every k (issue 15): Taylor models, tubes, interval pieces, the piece at
infinity, the chained proof and its verification.

Every test compares with something obtained independently: closed forms (toy problems),
direct ball evaluation at sampled t, per-k certificates (:func:`symcrit.certificates.certify`)
at sampled integers, and points refined by Newton's method in mpmath at k = 10^6, 10^12
and 10^100.  The all-family runs are marked ``slow``.
"""
from __future__ import annotations

import copy
import json
import math
import subprocess
import sys
from fractions import Fraction

import mpmath
import pytest
from flint import arb

from symcrit.certificates import (AllKProof, TaylorModelError, TaylorSystem, certify,
                                  certify_infinity, certify_interval, check_infinity,
                                  check_interval, krawczyk_tube, prove_all_k, verify_all_k)
from symcrit.certificates.tubes import positive_tube
from symcrit.core import workdps
from symcrit.critical import get_family, newton_restricted
from symcrit.restricted import restricted_loss
from symcrit.series.rescaled import RescaledSystem

# --------------------------------------------------------------------- Taylor models


def _value(tm, t):
    """The polynomial part at t plus the remainder term: a ball that must contain f(t)."""
    tot = sum((c * arb(t) ** (tm.v + i) for i, c in enumerate(tm.c)), arb(0))
    if tm.p < 1 << 40:
        tot += tm.rem * arb(t) ** tm.p
    return tot


@pytest.mark.parametrize("t", ["-1", "-0.37", "0", "0.5", "1"])
def test_taylor_models_enclose_functions(t):
    with workdps(40):
        _check_enclosures(t)


def _check_enclosures(t):
    S = TaylorSystem(arb(0, 1), order=8)
    x = S.variable()
    k = 10 + 3 * x                                        # k ∈ [7, 13]
    tv = mpmath.mpf(t)
    kv = 10 + 3 * tv
    cases = [(1 / k, 1 / kv), (S.sqrt(k), mpmath.sqrt(kv)),
             (S.acos(1 / k), mpmath.acos(1 / kv)),
             (S.sqrt(1 - (1 / k) * (1 / k)) * k, mpmath.sqrt(1 - 1 / kv ** 2) * kv)]
    for tm, exact in cases:
        true = arb(mpmath.nstr(exact, 42), "1e-36")      # the true value, to 36 digits
        assert _value(tm, t).overlaps(true), (tm, exact)
        assert S.range(tm).overlaps(true)


def test_angle_of_a_pair_that_becomes_parallel():
    # x = cos θ = 1 − 2ε²: θ = 2 asin ε, analytic in ε, although acos is not at 1
    S = TaylorSystem(arb("0.05", "0.05"), order=10, ndelta=0, exact_order=8)
    e = S.variable()
    th = S.acos(1 - 2 * e * e)
    for ev in ("0", "0.03", "0.1"):
        assert _value(th, ev).contains(2 * arb(ev).asin())
    assert th.coefficient(1).contains(2) and th.exact(0) == 0


def test_principal_part_dropped_only_when_proven_zero():
    S = TaylorSystem(arb("0.05", "0.05"), order=8, ndelta=1, exact_order=6)
    e = S.variable()
    k = S.monomial(1, -2)
    eta = S.convert(1) + S.offset(0, arb(0, "0.01"))       # η ∈ 1 ± 0.01
    x = e * eta                                            # x = ε η
    # k(x+1)² − k(x²+2x+1) + (k x² − 1) = η² − 1: the ε^{-2} parts cancel identically
    F = k * (x + 1) * (x + 1) - k * (x * x + 2 * x + 1) + (k * x * x - 1)
    G = F.drop_principal()
    assert S.range(G).contains(0) and bool(abs(S.range(G)) < arb("0.03"))
    # k²(x² − 1/k) = ε^{-2}(η² − 1): its principal part is not identically zero
    with pytest.raises(TaylorModelError):
        (k * k * (x * x - 1 / k)).drop_principal()


# --------------------------------------------------------------------- toy problem


def test_tube_on_the_toy_problem_x2_equals_one_over_k():
    """x² = 1/k on k ∈ [6, 10]: the root k^(-1/2) lies in the proven tube for every k, and
    a tube shifted off it is not proven."""
    S = TaylorSystem(arb(0, 1), order=10)
    t = S.variable()
    k = 8 + 2 * t
    # centre: Chebyshev interpolant of k^(-1/2), degree 6
    ts = [mpmath.cos(mpmath.pi * (j + 0.5) / 7) for j in range(7)]
    V = mpmath.matrix([[x ** m for m in range(7)] for x in ts])
    c = mpmath.lu_solve(V, mpmath.matrix([1 / mpmath.sqrt(8 + 2 * x) for x in ts]))
    coeffs = [mpmath.nstr(c[m], 25) for m in range(7)]
    centre = [S.polynomial(coeffs)]
    system = lambda X: ([X[0] * X[0] - 1 / k], [[2 * X[0]]])
    res = krawczyk_tube(system, centre, ["1e-4"], S)
    assert res.ok
    for kv in (6, 7, 7.5, 9, 10):
        tv = Fraction(kv) / 2 - 4
        x_c = sum(Fraction(q) * tv ** j for j, q in enumerate(coeffs))
        assert abs(float(x_c) - kv ** -0.5) < 1e-4          # the known answer is inside
    bad = [S.polynomial([str(Fraction(coeffs[0]) + Fraction(1, 100))] + coeffs[1:])]
    assert not krawczyk_tube(system, bad, ["1e-4"], S).ok


def test_positive_tube_on_a_known_pencil():
    S = TaylorSystem(arb(0, 1), order=6)
    t = S.variable()
    # A = [[2+t/4, 1], [1, 2]] > 0 for t ∈ [−1, 1]; B = diag(1, 1+t/8): λ ∈ [0.8, 3.3]
    A = [[2 + t * Fraction(1, 4), S.convert(1)], [S.convert(1), S.convert(2)]]
    B = [[S.convert(1), S.convert(0)], [S.convert(0), 1 + t * Fraction(1, 8)]]
    assert positive_tube(A, S, B)
    assert positive_tube(A, S, B, Fraction(1, 5))
    assert not positive_tube(A, S, B, Fraction(2))        # λ_min < 2 somewhere


# --------------------------------------------------------------------- interval pieces


@pytest.fixture(scope="module")
def piece_8_11():
    return certify_interval("type-A", 8, 11)


def test_interval_piece_agrees_with_per_k_certificates(piece_8_11):
    p = piece_8_11
    assert p.status == "proved", p.reason
    kc, h = Fraction(19, 2), Fraction(3, 2)
    for k in (8, 9, 10, 11):
        cert = certify("type-A", k)
        assert cert.status == "minimum"
        t = (Fraction(k) - kc) / h
        for row, r, c in zip(p.data["center"], p.data["radii"], cert.center):
            centre = sum(Fraction(x) * t ** j for j, x in enumerate(row))
            assert abs(Fraction(c) - centre) < Fraction(r)    # the same critical point
        low = cert.lambda_min()
        for irrep, bound in p.facts["lambda_min_lower"].items():
            assert float(bound) <= float(low[irrep].upper()) + 1e-9


def test_interval_piece_is_rechecked_and_tampering_fails(piece_8_11):
    p = piece_8_11
    again = check_interval("type-A", 8, 11, p.data["center"], p.data["radii"])
    assert again.status == "proved"
    shifted = [list(row) for row in p.data["center"]]
    shifted[2][0] = str(Fraction(shifted[2][0]) + Fraction(1, 1000))
    assert check_interval("type-A", 8, 11, shifted, p.data["radii"]).status == "unverified"


def test_interval_below_the_threshold_is_not_proven():
    p = certify_interval("type-A", 5, 6)              # type-A is a saddle at k = 5
    assert p.status == "unverified"
    assert "block [k-2,1]" in p.reason


# --------------------------------------------------------------------- infinity


def _refined_in_box(piece, fam, k):
    """Newton's method in mpmath at k from the box centre; the limit must lie in the box."""
    rs = RescaledSystem.from_data(fam, piece.data["rescaling"])
    R = restricted_loss(fam.isotropy)
    e = int(math.log10(k))
    digits = 3 * e + 60
    with mpmath.workdps(digits):
        eps = 1 / mpmath.sqrt(mpmath.mpf(k))
        eta_c = [mpmath.fsum(mpmath.mpf(Fraction(c).numerator) / Fraction(c).denominator
                             * eps ** j for j, c in enumerate(row))
                 for row in piece.data["center"]]
        x0 = [rs.lim[n] + eps ** rs.m[n] * e for n, e in zip(rs.names, eta_c)]
        res = newton_restricted(R, x0, mpmath.mpf(k), maxsteps=40, diverge=None,
                                tol=mpmath.mpf(10) ** (-(digits - 2 * e - 30)))
        eta = [(x - rs.lim[n]) / eps ** rs.m[n] for x, n in zip(res.x, rs.names)]
        return all(abs(a - b) < mpmath.mpf(r) for a, b, r in
                   zip(eta, eta_c, piece.data["radii"]))


@pytest.fixture(scope="module")
def typeA_infinity():
    return certify_infinity("type-A", 400)


def test_piece_at_infinity_contains_refined_points(typeA_infinity):
    p = typeA_infinity
    assert p.status == "proved", p.reason
    fam = get_family("type-A")
    for k in (10 ** 6, 10 ** 12, 10 ** 100):
        assert _refined_in_box(p, fam, k), k


def test_piece_at_infinity_rejects_a_wrong_rescaling(typeA_infinity):
    p = typeA_infinity
    bad = copy.deepcopy(p.data["rescaling"])
    bad["rows"][0] += 2                                    # divide row a by ε² too much
    q = check_infinity("type-A", 400, bad, p.data["center"], p.data["radii"])
    assert q.status == "unverified" and "not proven zero" in q.reason
    shifted = [list(row) for row in p.data["center"]]
    shifted[4][0] = str(Fraction(shifted[4][0]) + Fraction(1, 10))
    q = check_infinity("type-A", 400, p.data["rescaling"], shifted, p.data["radii"])
    assert q.status == "unverified" and "Krawczyk" in q.reason


# --------------------------------------------------------------------- the chained proof


@pytest.fixture(scope="module")
def hiddenD_file(tmp_path_factory):
    proof = prove_all_k("hidden-D", k_from=6, k_inf=100, workers=1)
    path = tmp_path_factory.mktemp("allk") / "hidden-D.json"
    proof.save(path)
    return proof, path


def test_all_k_proof_of_hidden_D(hiddenD_file):
    proof, path = hiddenD_file
    assert isinstance(proof, AllKProof)
    assert proof.status == "proved", proof.reason
    assert proof.pieces[0].k_lo == 6 and proof.pieces[-1].k_hi is None
    assert proof.pieces[-1].k_lo == 100
    d = json.loads(path.read_text())
    assert set(d) >= {"family", "statement", "k_from", "pieces", "status"}
    assert d["statement"].startswith("for every integer k ≥ 6")
    assert all(set(p) >= {"k_lo", "k_hi", "status", "radius"} for p in d["pieces"])
    assert d["pieces"][-1]["k_hi"] == "inf"
    v = verify_all_k(path, workers=1)
    assert v.verified and v.status == "proved"


def test_verifier_rejects_a_gap(hiddenD_file):
    _, path = hiddenD_file
    d = json.loads(path.read_text())
    d["pieces"][1]["k_lo"] = str(Fraction(d["pieces"][1]["k_lo"]) + Fraction(1, 8))
    v = verify_all_k(d, workers=1)
    assert not v.verified and "gap" in v.reason


def test_verifier_rejects_a_start_below_the_threshold(hiddenD_file):
    _, path = hiddenD_file
    d = json.loads(path.read_text())                   # hidden-D: saddle below k ≈ 5.76
    d["k_from"] = "5"
    d["pieces"][0]["k_lo"] = "5"
    v = verify_all_k(d, workers=1)
    assert not v.verified
    v = verify_all_k(d, family_check=False, workers=1)   # the mathematics alone rejects it
    assert not v.verified and "k ∈ [5, 6.25] does not verify" in v.reason


def test_verifier_rejects_a_shifted_box(hiddenD_file):
    _, path = hiddenD_file
    d = json.loads(path.read_text())
    row = d["pieces"][1]["center"][0]
    row[0] = str(Fraction(row[0]) + Fraction(1, 100))
    v = verify_all_k(d, workers=1)
    assert not v.verified and "not in the box" in v.reason
    v = verify_all_k(d, family_check=False, workers=1)
    assert not v.verified and "does not verify" in v.reason and "Krawczyk" in v.reason


def test_verifier_rejects_a_false_status_and_another_family(hiddenD_file):
    _, path = hiddenD_file
    d = json.loads(path.read_text())
    d["pieces"][0]["order"] = 1                     # too low an order: not proven
    v = verify_all_k(d, workers=1)
    assert not v.verified
    d = json.loads(path.read_text())
    d["family"] = "global"                          # same group, another critical point
    v = verify_all_k(d, workers=1)
    assert not v.verified and "global" in v.reason


def test_command_line_arguments():
    run = lambda *a: subprocess.run([sys.executable, "-m", "symcrit", "certify", *a],
                                    capture_output=True, text=True)
    r = run("type-A", "--from", "6", "--k", "7")
    assert r.returncode == 2 and "--all-k" in r.stderr
    r = run("type-A", "--all-k", "--k", "7")
    assert r.returncode == 2
    r = run("type-A", "--all-k", "--from", "2")
    assert r.returncode == 2 and "needs k" in r.stderr


# --------------------------------------------------------------------- every family (slow)

EXPECTED = {"type-A": 6, "hidden-A": 7, "hidden-D": 6, "type-A2": 8, "type-A3": 10,
            "type-A4": 11, "type-A5": 13}


@pytest.mark.slow
@pytest.mark.parametrize("family", sorted(EXPECTED))
def test_all_k_every_family(family, tmp_path):
    proof = prove_all_k(family)
    assert proof.status == "proved", proof.reason
    assert proof.k_from == EXPECTED[family]
    path = proof.save(tmp_path / f"{family}.json")
    assert verify_all_k(path).verified
    # every interval piece agrees with the per-k certificates at sampled integers
    for p in proof.pieces:
        if p.kind == "interval":
            k = int(math.ceil(p.k_lo))
            if k <= p.k_hi:
                assert certify(family, k).status == "minimum"
    inf = proof.pieces[-1]
    for k in (10 ** 6, 10 ** 12, 10 ** 100):
        assert _refined_in_box(inf, get_family(family), k)


@pytest.mark.slow
def test_an_unprovable_piece_is_reported_unverified_with_the_reason():
    """A piece that is not a minimum is never stated as proved: type-A is a saddle at k = 5
    (below its threshold 5.5855…), so a proof asked to start there is unverified, naming
    the piece and the block."""
    proof = prove_all_k("type-A", k_from=5, k_inf=400)
    assert proof.status == "unverified"
    assert "[5," in proof.reason and "[k-2,1]" in proof.reason
    assert not proof.pieces[0].proved


@pytest.mark.slow
def test_command_line_all_k_and_verify(tmp_path):
    out = tmp_path / "a.json"
    r = subprocess.run([sys.executable, "-m", "symcrit", "certify", "hidden-D", "--all-k",
                        "--from", "6", "--out", str(out), "--json"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["status"] == "proved" and d["k_from"] == "6"
    r = subprocess.run([sys.executable, "-m", "symcrit", "certify", "--verify", str(out)],
                       capture_output=True, text=True)
    assert r.returncode == 0 and "verified, proved" in r.stdout
