"""Rigorous certificates, against independent facts.

The reference values come from a dense full-space computation written out here from the
formulas of the literature (the arc-cosine kernel of Cho & Saul and its gradient, the
embedding W(ξ) of Fix(ΔS_{k-1}) from docs/math): the k×k loss, its gradient in closed form,
the k²×k² Hessian by complex-step differentiation of that gradient, its eigenvalues by
mpmath.eigsy, all at 150 digits (values good to 100 digits), and the critical point by Newton
on that route.  None of it goes through symcrit's restricted loss, isotypic blocks or
kernel module.  The Arb enclosures of the certificates must contain these values; the
published result (Safran & Shamir 2018: spurious minima exactly for 6 <= k <= 20, a saddle
at k = 5) must come out; perturbed points, oversized boxes, the threshold in k and tampered
files must not be certified.
"""
import json
import re
from fractions import Fraction
from pathlib import Path

import mpmath
import pytest
from flint import arb, fmpq

from symcrit.cli import main
from symcrit.certificates import (certify, certify_family, certify_point, coverage, k_ball,
                                  krawczyk, verify_certificate)
from symcrit.critical import get_family
from symcrit.restricted import restricted_loss
from symcrit.spectra import hessian_blocks
from symcrit.transitions import threshold
from symcrit.core import workdps


# ----------------------------------------------------------------------------- reference
def _K(u, v):
    """The degree-1 arc-cosine kernel (Cho & Saul 2009), analytic in the entries."""
    uu, vv = mpmath.fsum(x * x for x in u), mpmath.fsum(x * x for x in v)
    uv = mpmath.fsum(x * y for x, y in zip(u, v))
    nu, nv = mpmath.sqrt(uu), mpmath.sqrt(vv)
    c = uv / (nu * nv)
    return nu * nv * (mpmath.sqrt(1 - c * c) + (mpmath.pi - mpmath.acos(c)) * c) / (2 * mpmath.pi)


def _grad_u_K(u, v):
    """∇_u K = (|v| sin θ u/|u| + (π − θ) v) / (2π)."""
    uu, vv = mpmath.fsum(x * x for x in u), mpmath.fsum(x * x for x in v)
    uv = mpmath.fsum(x * y for x, y in zip(u, v))
    nu, nv = mpmath.sqrt(uu), mpmath.sqrt(vv)
    c = uv / (nu * nv)
    s, th = mpmath.sqrt(1 - c * c), mpmath.acos(c)
    return [(nv * s * x / nu + (mpmath.pi - th) * y) / (2 * mpmath.pi) for x, y in zip(u, v)]


def _loss(W):
    """L(W) for the identity teacher, k = d, unit weights (K(w, w) = |w|²/2)."""
    k = len(W)
    V = [[int(i == j) for j in range(k)] for i in range(k)]
    L = mpmath.mpf(k) / 4 + k * (k - 1) / (4 * mpmath.pi)
    for i in range(k):
        L += mpmath.fsum(x * x for x in W[i]) / 4
        for j in range(k):
            if j != i:
                L += _K(W[i], W[j]) / 2
            L -= _K(W[i], V[j])
    return L


def _grad(W):
    k = len(W)
    V = [[int(i == j) for j in range(k)] for i in range(k)]
    G = []
    for i in range(k):
        g = [x / 2 for x in W[i]]
        for j in range(k):
            if j != i:
                g = [a + b for a, b in zip(g, _grad_u_K(W[i], W[j]))]
            g = [a - b for a, b in zip(g, _grad_u_K(W[i], V[j]))]
        G.append(g)
    return G


def _embed(xi, k):
    """W = [[a I + b (J − I), c 1], [d 1ᵀ, e]] (math.md §2), top-left (k−1)×(k−1)."""
    a, b, c, d, e = xi
    W = [[(a if i == j else b) for j in range(k - 1)] + [c] for i in range(k - 1)]
    W.append([d] * (k - 1) + [e])
    return W


def _restricted_grad(xi, k):
    """∇_ξ L_H = Bᵀ ∇L(W(ξ)), B the 0/1 embedding."""
    G = _grad(_embed(xi, k))
    out = []
    for p in range(5):
        Bp = _embed([int(q == p) for q in range(5)], k)
        out.append(mpmath.fsum(G[i][j] for i in range(k) for j in range(k) if Bp[i][j]))
    return out


_H = mpmath.mpf(10) ** -50          # complex step (at 150 digits: errors ~ 1e-100)


def _critical_point(xi, k, steps=3):
    xi = [mpmath.mpf(x) for x in xi]
    for _ in range(steps):
        g = _restricted_grad(xi, k)
        J = mpmath.matrix(5, 5)
        for p in range(5):
            xc = [mpmath.mpc(x) for x in xi]
            xc[p] += mpmath.mpc(0, _H)
            for q, v in enumerate(_restricted_grad(xc, k)):
                J[q, p] = v.imag / _H
        dx = mpmath.lu_solve(J, mpmath.matrix(g))
        xi = [x - dx[i] for i, x in enumerate(xi)]
    return xi


def _dense_hessian(W):
    k = len(W)
    Hm = mpmath.matrix(k * k, k * k)
    for a in range(k):
        for b in range(k):
            Wc = [[mpmath.mpc(x) for x in row] for row in W]
            Wc[a][b] += mpmath.mpc(0, _H)
            G = _grad(Wc)
            for i in range(k):
                for j in range(k):
                    Hm[i * k + j, a * k + b] = G[i][j].imag / _H
    return (Hm + Hm.T) / 2


def _frac(x):
    """An exact arb or an mpf as a Fraction."""
    if isinstance(x, arb):
        assert x.rad() == 0
        m, e = x.mid().man_exp()
        return Fraction(int(m)) * Fraction(2) ** int(e)
    sign, m, e, _ = x._mpf_                      # (mpf.man_exp drops the sign)
    return (-1) ** sign * Fraction(int(m)) * Fraction(2) ** int(e)


def _contains(ball, x):
    """Does the ball contain the mpf x (exactly, in rational arithmetic)?"""
    assert ball.is_finite()
    mid, rad = _frac(ball.mid()), _frac(ball.rad())
    return mid - rad <= _frac(x) <= mid + rad


@pytest.fixture(scope="module")
def type_a_certs():
    return certify_family("type-A", list(range(5, 21)))


# ----------------------------------------------------------------------------- the result
def test_type_a_minimum_for_6_to_20_and_saddle_at_5(type_a_certs):
    status = {int(c.k): c.status for c in type_a_certs}
    assert status[5] == "saddle"                             # Safran & Shamir 2018
    assert all(status[k] == "minimum" for k in range(6, 21))
    for c in type_a_certs:
        assert c.exists and c.smooth and c.radius < 1e-6
        assert sum(int(b.count) * b.dimension for b in c.blocks) == int(c.k) ** 2
    neg = [b.irrep for b in type_a_certs[0].blocks if b.sign == "negative"]
    assert neg == ["[k-2,1]"]                                # the block that turns at 5.59


@pytest.mark.parametrize("k", [4, 5, 6])
def test_enclosures_contain_100_digit_dense_values(k):
    cert = certify("type-A", k)
    R = restricted_loss(cert.isotropy)
    with mpmath.workdps(150):
        xi_c = [mpmath.mpf(c) for c in cert.center]
        W_c = _embed(xi_c, k)
        assert W_c == [[mpmath.mpf(x) for x in row]
                       for row in R.fixed.embed(xi_c, k, system="mpmath").tolist()]
        g_c = _restricted_grad(xi_c, k)
        xi = _critical_point(xi_c, k)
        assert max(abs(g) for g in _restricted_grad(xi, k)) < mpmath.mpf(10) ** -100
        W = _embed(xi, k)
        # symmetric criticality: the zero of Bᵀ∇L is a zero of all k² entries of ∇L
        assert max(abs(g) for row in _grad(W) for g in row) < mpmath.mpf(10) ** -95
        L = _loss(W)
        # the smallest sin² θ over all pairs of rows (student–student, student–teacher)
        rows = W + [[int(i == j) for j in range(k)] for i in range(k)]
        sin2 = min(1 - mpmath.fsum(x * y for x, y in zip(u, v)) ** 2
                   / (mpmath.fsum(x * x for x in u) * mpmath.fsum(y * y for y in v))
                   for i, u in enumerate(rows[:k]) for j, v in enumerate(rows) if j != i)
        Hm = _dense_hessian(W)
        ev = sorted(mpmath.eigsy(Hm, eigvals_only=True))
        Hr = mpmath.matrix(5, 5)           # the restricted Hessian Bᵀ H B
        cols = [[i * k + j for i in range(k) for j in range(k)
                 if _embed([int(q == p) for q in range(5)], k)[i][j]] for p in range(5)]
        for p in range(5):
            for q in range(5):
                Hr[p, q] = mpmath.fsum(Hm[i, j] for i in cols[p] for j in cols[q])
    # the dense critical point is in the box, in K(X), and the loss enclosure holds there
    with workdps(cert.dps):
        center = [arb(c) for c in cert.center]
        kres = krawczyk(R, center, cert.radii, arb(k))
        assert kres.ok
        _, F = R.evaluate(center, arb(k), system="arb", order=1)
    for x, c, r, K in zip(xi, cert.center, cert.radii, kres.K):
        assert abs(x - mpmath.mpf(c)) < mpmath.mpf(r)
        assert _contains(K, x)
    assert _contains(kres.loss, L) and _contains(cert.loss, L)
    assert cert.smooth and _frac(cert.smooth_margin) <= _frac(sin2)   # a true lower bound
    # gradient at the centre and restricted Hessian: Arb balls contain the dense values
    for i in range(5):
        assert _contains(F[i], g_c[i])
        for j in range(5):
            assert _contains(kres.J[i, j], Hr[i, j])
    # the k² dense eigenvalues: each certified enclosure holds exactly `count` of them
    encs = [(e, int(b.count)) for b in cert.blocks for e in b.enclosures]
    assert all(e is not None for e, _ in encs)
    assert sum(n for _, n in encs) == k * k == len(ev)
    spans = sorted((_frac(lo), _frac(hi)) for (lo, hi), _ in encs)
    assert all(a[1] < b[0] for a, b in zip(spans, spans[1:]))       # disjoint
    for (lo, hi), n in encs:
        assert sum(_frac(lo) <= _frac(v) <= _frac(hi) for v in ev) == n
    for b in cert.blocks:
        assert b.lower is not None and bool(b.lower <= b.enclosures[0][1])
    assert cert.status == ("minimum" if ev[0] > 0 else "saddle")
    assert cert.status == ("minimum" if k >= 6 else "saddle")


def test_blocks_must_cover_the_whole_space():
    cp = get_family("type-A").point(9, dps=30)
    blocks = hessian_blocks("ΔS_{k-1}", cp.xi, 9, system="arb")
    assert coverage(blocks, "9", "81") == ""
    assert "does not cover" in coverage(blocks[:-1], "9", "81")      # one block missing


def test_a_block_that_does_not_occur_takes_no_part():
    import sympy
    from flint import arb_mat
    from symcrit.certificates import block_bounds, decide_status
    from symcrit.spectra import IsotypicBlock
    from symcrit.symmetry import K
    pos = IsotypicBlock("p", sympy.Integer(1), 1, arb_mat([[2]]), arb_mat([[1]]))
    neg = IsotypicBlock("n", K - 9, 1, arb_mat([[-1]]), arb_mat([[1]]))   # none at k = 9
    b = block_bounds([pos, neg], "9")
    assert [x.sign for x in b] == ["positive", "absent"]
    assert decide_status(True, True, b, "", "")[0] == "minimum"
    b = block_bounds([pos, neg], "10")
    assert [x.sign for x in b] == ["positive", "negative"]
    assert decide_status(True, True, b, "", "")[0] == "saddle"


# ----------------------------------------------------------------------------- not certified
def test_perturbed_point_and_large_box_are_not_certified():
    cp = get_family("type-A").point(12, dps=40)
    moved = [x + mpmath.mpf("1e-6") for x in cp.xi]
    c = certify_point(cp.isotropy, moved, 12)
    assert c.status == "unverified" and not c.exists and "refine" in c.reason
    c = certify_point(cp.isotropy, moved, 12, radius=1e-8)          # misses the point
    assert c.status == "unverified" and not c.exists and "Krawczyk" in c.reason
    c = certify_point(cp.isotropy, moved, 12, radius=1e-5)          # contains it: fine
    assert c.status == "minimum"
    c = certify_point(cp, radius=1e-2)                  # too large a box
    assert c.status == "unverified" and not c.exists and c.reason
    c = certify_point(cp.isotropy, [1.0, -0.01, 0.15, 0.1, -0.73], 12)   # a rough guess
    assert c.status == "unverified"
    c = certify_point(cp.isotropy, cp.xi, 13)          # the k = 12 point at k = 13
    assert c.status == "unverified" and not c.exists
    W_I = certify("global", 6)                         # W = I: on the non-smooth set
    assert W_I.status == "unverified" and "non-smooth" in W_I.reason


def test_at_the_threshold_nothing_is_claimed():
    t = threshold("type-A", k_max=7, dps=30)
    assert abs(float(t.k) - 5.5855) < 1e-3
    c = certify("type-A", t.k, dps=30)
    assert c.status == "unverified"
    assert c.exists and c.smooth         # the point exists; its type cannot be decided
    assert "[k-2,1]" in c.reason and "sign not determined" in c.reason
    # a little away from it, on each side, the types are certified
    assert certify("type-A", "5.5").status == "saddle"
    assert certify("type-A", "5.7").status == "minimum"


# ----------------------------------------------------------------------------- real and large k
def test_real_k_is_the_decimal_asked_for():
    c = certify("type-A", "7.3")
    assert c.k == "7.3" and c.status == "minimum"
    assert certify("type-A", 7.3).k == "7.3"           # a float: its shortest decimal
    with workdps(c.dps):                   # the ball of k holds 73/10 exactly
        kb = k_ball(c.k)
        assert kb.contains(fmpq(73, 10)) and bool(kb.rad() < arb("1e-35"))
    assert certify("type-A", "7.5").status == "minimum"


def test_large_k():
    c = certify("type-A", 10 ** 12)
    assert c.status == "minimum" and c.exists and c.radius < 1e-20


# ----------------------------------------------------------------------------- files
@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    path = tmp_path_factory.mktemp("cert") / "c.json"
    certify("type-A", 10).save(path)
    return json.loads(path.read_text()), path


def _tampered(data, change):
    d = json.loads(json.dumps(data))
    change(d)
    return d


def test_certificate_file_roundtrip(saved):
    data, path = saved
    v = verify_certificate(path)
    assert v.verified and v.status == "minimum" and v.k == "10"


@pytest.mark.parametrize("change, why", [
    (lambda d: d.update(status="saddle"), "recomputation gives 'minimum'"),   # false type
    (lambda d: d.update(radii=dict.fromkeys(d["radii"], "0.01")), "recomputation gives"),
    (lambda d: d.update(radius="0.01"), "exceeds the box"),                  # claims more
    (lambda d: d.update(k="11"), "Krawczyk"),                                 # another k
    (lambda d: d.update(k="10.000001"), "Krawczyk"),
    (lambda d: d.update(family="hidden-A"), "not in the box"),               # another family
    (lambda d: d.update(family="type-A2"), "lives in Fix"),                  # another group
    (lambda d: d["parameters"].update(a="1.01"), "Krawczyk"),                # another point
    (lambda d: d["lambda_min_lower"].update({"[k-2,1]": "0.05"}), "lower bound 0.05"),
    (lambda d: d["blocks"][1].update(lambda_min_lower="0.05"), "lower bound 0.05"),
    (lambda d: d["blocks"][1].update(lambda_min_upper="0.02"), "upper bound 0.02"),
    (lambda d: d["blocks"][0]["eigenvalues"].__setitem__(1, ["0.5", "0.6"]), "enclosure"),
    (lambda d: d["blocks"][2].update(sign="negative"), "sign 'negative'"),
    (lambda d: d["blocks"][2].update(multiplicity="7"), "multiplicity '7'"),
    (lambda d: d.update(loss=["0.02", "0.021"]), "loss interval"),
    (lambda d: d.update(smooth_margin="0.5"), "margin"),
    (lambda d: d["blocks"].append(dict(d["blocks"][0], irrep="[k-4,4]")), "[k-4,4]"),
])
def test_tampered_certificates_are_rejected(saved, change, why):
    data, _ = saved
    v = verify_certificate(_tampered(data, change))
    assert v.verified is False and v.status == "unverified" and why in v.reason


def test_honest_weaker_claims_verify(saved):
    data, _ = saved
    d = _tampered(data, lambda d: d["lambda_min_lower"].update({"[k-2,1]": "0.01"}))
    assert verify_certificate(d).verified is True         # a smaller lower bound is true


# ----------------------------------------------------------------------------- command line
def _no_floats(obj):
    if isinstance(obj, float):
        return False
    if isinstance(obj, dict):
        return all(_no_floats(v) for v in obj.values())
    if isinstance(obj, list):
        return all(_no_floats(v) for v in obj)
    return True


def test_cli_json_and_files(capsys, tmp_path):
    out = tmp_path / "certs.json"
    assert main(["certify", "type-A", "--k", "5:7", "--json", "--out", str(out)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["format"] == "symcrit.certificates" and doc["complete"] is True
    js = doc["certificates"]
    assert [c["status"] for c in js] == ["saddle", "minimum", "minimum"]
    assert _no_floats(js)
    for c in js:
        assert {"k", "status", "reason", "radius", "lambda_min_lower"} <= set(c)
        assert set(c["lambda_min_lower"]) == {"[k-1]", "[k-2,1]", "[k-3,2]", "[k-3,1,1]"}
        for v in c["lambda_min_lower"].values():
            mpmath.mpf(v)                                   # decimal strings
    assert float(js[0]["lambda_min_lower"]["[k-2,1]"]) < 0 < \
        float(js[1]["lambda_min_lower"]["[k-2,1]"])
    assert main(["certify", "--verify", str(out)]) == 0
    capsys.readouterr()
    data = json.loads(out.read_text())
    data["certificates"][1]["status"] = "saddle"
    out.write_text(json.dumps(data))
    assert main(["certify", "--verify", str(out)]) == 1                   # not verified
    assert "NOT verified" in capsys.readouterr().out


def test_cli_real_k_range_is_exact(capsys):
    assert main(["certify", "type-A", "--k", "7.3,7:7.5:0.25", "--json"]) == 0
    js = json.loads(capsys.readouterr().out)["certificates"]
    assert [c["k"] for c in js] == ["7.3", "7", "7.25", "7.5"]
    assert all(c["status"] == "minimum" for c in js)


@pytest.mark.parametrize("argv", [
    ["certify", "nosuch", "--k", "8"],
    ["certify", "type-A", "--k", "2"],
    ["certify", "type-A", "--k", "abc"],
    ["certify", "type-A", "--k", "1e400"],
    ["certify", "type-A", "--k", "8", "--dps", "5"],
    ["certify", "--verify", "/nonexistent/file.json"],
    ["certify", "type-A"],
])
def test_cli_bad_input(capsys, argv):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_no_neg_method_on_arb():
    """python-flint: ``arb.neg()`` returned its input before 0.9, ``acb.neg()`` may still
    be wrong; unary minus only."""
    root = Path(__file__).resolve().parents[1] / "symcrit"
    paths = sorted(root.rglob("*.py"))
    assert len(paths) > 20
    for p in paths:
        assert not re.search(r"\.neg\(", p.read_text()), p


@pytest.mark.parametrize("key,val", [("lambda_min_lower", ["x"]), ("family", ["type-A"]),
                                     ("blocks", [{"irrep": ["x"]}]), ("loss", "abc"),
                                     ("lambda_min_lower", {"[k-1]": 0.5})])
def test_malformed_certificate_file_is_one_line_exit_2(tmp_path, capsys, key, val):
    path = tmp_path / "c.json"
    certify("type-A", 8).save(path)
    data = json.loads(path.read_text())
    data[key] = val
    path.write_text(json.dumps(data))
    assert main(["certify", "--verify", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a symcrit certificate" in err
