"""Rigorous certificates, against independent facts: the Hessian index from the mpmath
spectrum on both sides, 100-digit mpmath values of the gradient and of the eigenvalues
(which the Arb enclosures must contain), perturbed points and oversized boxes (which must
not be certified), and the family's threshold in k (where nothing may be claimed)."""
import json

import mpmath
import pytest
from flint import arb

from symcrit.cli import main
from symcrit.critical.certify import (certify, certify_family, certify_point,
                                      verify_certificate)
from symcrit.critical.families import get_family
from symcrit.restricted import restricted_loss
from symcrit.spectrum import spectrum_of, threshold


@pytest.fixture(scope="module")
def type_a_certs():
    return certify_family("type-A", list(range(5, 21)))


def test_type_a_minimum_for_6_to_20_and_saddle_at_5(type_a_certs):
    status = {int(c.k): c.status for c in type_a_certs}
    assert status[5] == "saddle"
    assert all(status[k] == "minimum" for k in range(6, 21))
    for c in type_a_certs:
        assert c.exists and c.smooth and c.radius < 1e-6
    # the independent (non-rigorous) spectrum agrees with every certified type
    fam = get_family("type-A")
    for k in (5, 6, 13):
        assert spectrum_of(fam.point(k, dps=30)).kind == status[k]


def test_perturbed_point_and_large_box_are_not_certified():
    cp = get_family("type-A").point(12, dps=40)
    moved = [x + mpmath.mpf("1e-6") for x in cp.xi]
    c = certify_point(cp.isotropy, moved, 12)
    assert c.status == "unverified" and not c.exists and c.reason
    c = certify_point(cp, radius=1e-2)
    assert c.status == "unverified" and c.reason
    c = certify_point(cp.isotropy, [1.0, -0.01, 0.15, 0.1, -0.73], 12)   # a rough guess
    assert c.status == "unverified"


def test_at_the_threshold_nothing_is_claimed():
    t = threshold("type-A", k_max=7, dps=30)
    c = certify("type-A", t.k, dps=30)
    assert c.status == "unverified"
    assert c.exists                   # the point exists; its type is what cannot be decided
    assert "undecided" in c.reason or "not" in c.reason
    # a little away from it, on each side, the types are certified
    assert certify("type-A", "5.5").status == "saddle"
    assert certify("type-A", "5.7").status == "minimum"


def test_enclosures_contain_100_digit_values():
    fam = get_family("type-A")
    cert = certify("type-A", 9)
    X = cert.box()
    R = restricted_loss(cert.isotropy)
    with mpmath.workdps(100):
        cp = fam.point(9, dps=100, full_check=False)
        g100 = R.gradient([mpmath.mpf(c) for c in cert.center], 9, system="mpmath")
        sp = spectrum_of(cp)
    # the 100-digit critical point lies in the box
    for x, ball in zip(cp.xi, X):
        assert ball.contains(arb(mpmath.nstr(x, 90)).mid())
    # the gradient at the centre: Arb ball (at the certificate's precision) ∋ mpmath value
    from flint import ctx
    old = ctx.dps
    ctx.dps = cert.dps
    try:
        _, ga = R.evaluate([arb(c) for c in cert.center], arb(9), system="arb", order=1)
        for i in range(len(cert.center)):
            gi = ga[i, 0] if hasattr(ga, "nrows") else ga[i]
            assert gi.contains(arb(mpmath.nstr(g100[i], 90)).mid())
    finally:
        ctx.dps = old
    # every eigenvalue of each block lies in its certified enclosure
    by = sp.by_irrep()
    for b in cert.blocks:
        vals = sorted(by[b.irrep])
        assert len(vals) == len(b.enclosures)
        for v, enc in zip(vals, b.enclosures):
            assert enc is not None
            lo, hi = enc
            assert bool(arb(lo) <= arb(mpmath.nstr(v, 90))) and \
                bool(arb(mpmath.nstr(v, 90)) <= arb(hi))
        assert bool(b.lower <= arb(mpmath.nstr(vals[0], 90)))


def test_certificate_file_roundtrip_and_tampering(tmp_path):
    cert = certify("type-A", 10)
    path = tmp_path / "c.json"
    cert.save(path)
    v = verify_certificate(path)
    assert v.verified and v.status == "minimum"
    data = json.loads(path.read_text())
    data["status"] = "saddle"                                  # a false claim
    assert verify_certificate(data).verified is False
    data = json.loads(path.read_text())
    data["radii"] = ["0.01"] * len(data["radii"])             # a box too large
    assert verify_certificate(data).verified is False
    data = json.loads(path.read_text())
    first = next(iter(data["lambda_min_lower"]))
    data["lambda_min_lower"][first] = "10"                    # an unproven bound
    assert verify_certificate(data).verified is False


def test_real_k_and_large_k():
    assert certify("type-A", "7.5").status == "minimum"
    c = certify("type-A", 10 ** 12)
    assert c.status == "minimum" and c.exists


def test_cli_json_and_files(capsys, tmp_path):
    out = tmp_path / "certs.json"
    assert main(["certify", "type-A", "--k", "5:7", "--json", "--out", str(out)]) == 0
    js = json.loads(capsys.readouterr().out)
    assert [c["status"] for c in js] == ["saddle", "minimum", "minimum"]
    for c in js:
        assert {"k", "status", "reason", "radius", "lambda_min_lower"} <= set(c)
        for v in c["lambda_min_lower"].values():
            mpmath.mpf(v)                                   # decimal strings
    assert main(["certify", "--verify", str(out)]) == 0
    capsys.readouterr()


@pytest.mark.parametrize("argv", [
    ["certify", "nosuch", "--k", "8"],
    ["certify", "type-A", "--k", "2"],
    ["certify", "type-A", "--k", "abc"],
    ["certify", "--verify", "/nonexistent/file.json"],
    ["certify", "type-A"],
])
def test_cli_bad_input(capsys, argv):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
