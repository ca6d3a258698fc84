"""Critical points: full-space gradient checks (independent), precision agreement,
continuation in real k, search, and what full-space training finds."""
import mpmath
import numpy as np
import pytest
import sympy
from scipy.optimize import minimize

from symcrit.critical.continuation import follow
from symcrit.critical.families import get_family, identify, list_families, register_family
from symcrit.critical.refine import refine
from symcrit.critical.search import search
from symcrit.errors import ConvergenceError, InputError
from symcrit.model import Problem, gradient, hessian, loss
from symcrit.restricted import restricted_loss
from symcrit.systems import workdps


def test_refined_points_full_space_float_k6_to_20():
    fam = get_family("type-A")
    for cp in fam.points(range(6, 21), dps=30):
        W = cp.W("float")
        G = gradient(W)                                   # the full-space formula
        assert np.sqrt((G ** 2).sum()) < 1e-13
        assert abs(loss(W) - float(cp.loss)) < 1e-13     # float64 sum of k^2 terms


def test_refined_points_full_space_mpmath():
    fam = get_family("type-A")
    for k in (6, 13):
        cp = fam.point(k, dps=30)
        with workdps(30):
            W = cp.W("mpmath")
            G = Problem.canonical(k).gradient(W, system="mpmath")
            assert mpmath.sqrt(mpmath.fsum(x ** 2 for x in G)) < mpmath.mpf(10) ** -27
        assert cp.checks["full_gradient_norm_mpmath"] < mpmath.mpf(10) ** -27


def test_k_1000_full_space_float():
    cp = get_family("type-A").point(1000, dps=30)
    W = cp.W("float")
    G = gradient(W)                                      # 10^6 entries, full formula
    assert np.max(np.abs(G)) < 1e-12                     # k * eps: sums of k terms
    W[0, 0] += 1e-7                                      # control: a nearby point fails
    assert np.max(np.abs(gradient(W))) > 1e-9


@pytest.mark.parametrize("k", [10 ** 6, 10 ** 12])
def test_huge_k_against_symbolic_derivative(k):
    """At k = 10^6, 10^12 the matrix W has k^2 entries; the check is sympy's own
    derivative of L_H (not the pull-back code) at the refined point, at 60 digits."""
    cp = get_family("type-A").point(k, dps=60)
    R = restricted_loss("ΔS_{k-1}")
    sub = {s: sympy.Float(mpmath.nstr(x, 75), 90) for s, x in zip(R.symbols, cp.xi)}
    sub[R.k] = sympy.Integer(k)
    w = [sympy.Integer(int(x.subs(R.k, k))) for x in R.fixed.weights]
    for s, ws in zip(R.symbols, w):
        g = sympy.diff(R.expr, s).subs(sub).evalf(90)
        assert abs(g / ws) < 1e-40
    # control: moving e by 1e-30 breaks the condition
    sub[R.symbols[4]] += sympy.Float("1e-30", 90)
    g = sympy.diff(R.expr, R.symbols[4]).subs(sub).evalf(90)
    assert abs(g) > 1e-35


def test_30_and_60_digits_agree():
    a = refine("ΔS_{k-1}", get_family("type-A").seed, 9, dps=30)
    b = refine("ΔS_{k-1}", get_family("type-A").seed, 9, dps=60)
    for x, y in zip(a.xi, b.xi):
        assert abs(x - y) < mpmath.mpf(10) ** -30
    assert abs(a.loss - b.loss) < mpmath.mpf(10) ** -30


def test_continuation_real_k_smooth_and_matches_integer_solves():
    seed = refine("ΔS_{k-1}", get_family("type-A").seed, 12, dps=30)
    ks = [mpmath.mpf(6) + mpmath.mpf(i) / 4 for i in range(9)]          # 6, 6.25, ..., 8
    br = follow(seed, ks[0], dps=30, record=ks)
    pts = {round(float(p.k), 8): p for p in br.points}
    vals = [pts[round(float(k), 8)] for k in ks]
    # smooth: second differences of every coordinate are O(h^2)
    for i in range(5):
        sd = [vals[j - 1].xi[i] - 2 * vals[j].xi[i] + vals[j + 1].xi[i] for j in range(1, 8)]
        assert max(abs(x) for x in sd) < 5e-3
    # agrees with separate solves from a different start at integer k
    for k in (6, 7, 8):
        other = refine("ΔS_{k-1}", [1.0, -0.03, 0.25, 0.2, -0.65], k, dps=30)
        got = pts[float(k)]
        assert max(abs(x - y) for x, y in zip(other.xi, got.xi)) < mpmath.mpf(10) ** -25


def test_all_families_follow_to_large_k_and_down_to_block_limit():
    for fam in list_families():
        if fam.exact:
            continue
        pts = fam.points([fam.k_min + 0.5, 10 ** 12], dps=20, full_check=False)
        assert all(p.residual < 1e-20 for p in pts)


def test_loss_decay_type_A_and_bounded_hidden():
    a = get_family("type-A").points([10 ** 6, 10 ** 8], dps=20, full_check=False)
    assert abs(a[0].loss * a[0].k - a[1].loss * a[1].k) < 1e-3       # ~ C / k
    for name in ("hidden-A", "hidden-D"):
        p = get_family(name).point(10 ** 8, dps=20, full_check=False)
        assert p.loss > 0.1


def test_search_finds_the_families_unaided():
    found = search("ΔS_{k-1}", 10, starts=150, seed=3, dps=20)
    for name in ("type-A", "hidden-A"):
        ref = get_family(name).point(10, dps=20, full_check=False)
        assert any(max(abs(x - y) for x, y in zip(p.xi, ref.xi)) < 1e-15 for p in found), name
    found = search("ΔS_k", 10, starts=60, seed=1, dps=20)
    ref = get_family("hidden-D").point(10, dps=20, full_check=False)
    assert any(max(abs(x - y) for x, y in zip(p.xi, ref.xi)) < 1e-15 for p in found)


@pytest.mark.parametrize("k,runs", [(10, 4), (16, 3), (20, 4)])
def test_full_space_training_lands_on_catalogue_families(k, runs):
    """Plain L-BFGS in the full space (float64, no symmetry used) from random (Xavier-type)
    starts, polished by full-space Newton, lands on catalogue families to round-off (the
    seeds of type-A3…A5 came from the search at k = 12, not from these runs)."""
    rng = np.random.default_rng(0 if k == 10 else k)
    names = []
    for run in range(runs):
        W0 = rng.normal(size=(k, k)) / np.sqrt(k)
        res = minimize(lambda w: (loss(w.reshape(k, k)), gradient(w.reshape(k, k)).ravel()),
                       W0.ravel(), jac=True, method="L-BFGS-B",
                       options={"maxiter": 5000, "gtol": 1e-12, "ftol": 1e-15})
        W = res.x.reshape(k, k)
        for _ in range(4):
            W = W - np.linalg.solve(hessian(W), gradient(W).ravel()).reshape(k, k)
        if loss(W) > 1e-10:
            name, err = identify(W, tol=1e-9)
            assert name is not None, err
            names.append(name)
    assert names                                # spurious minima are common here


def test_user_family_and_errors(tmp_path, monkeypatch):
    monkeypatch.setenv("SYMCRIT_FAMILIES", str(tmp_path / "fam.json"))
    fam = register_family("my-A", "DS_{k-1}", 12, get_family("type-A").seed, save=True)
    assert get_family("my-A").point(14, dps=20).residual < 1e-20
    with pytest.raises(InputError, match="built-in"):
        register_family("type-A", "DS_{k-1}", 12, [1, 0, 0, 0, 1])
    with pytest.raises(InputError, match="unknown family"):
        get_family("nope")
    with pytest.raises(InputError, match="needs k >= 3"):
        get_family("type-A").point(2.5)
    with pytest.raises(InputError, match="5 parameters"):
        refine("ΔS_{k-1}", [1, 2], 5)
    with pytest.raises(ConvergenceError):
        refine("ΔS_{k-1}", [0, 0, 0, 0, 0], 5)
