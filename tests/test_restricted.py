"""The restricted loss against the full space: values, gradients (symmetric criticality),
Hessians (J^T H J), symbolic differentiation, number systems, real k."""
import mpmath
import numpy as np
import pytest
import sympy
from flint import arb

from symcrit.model import gradient, hessian, loss
from symcrit.restricted import restricted_loss
from symcrit import workdps

GROUPS = [("ΔS_k", [4, 7]), ("ΔS_{k-1}", [5, 8]), ("Δ(S_{k-2}×S_2)", [6, 9]),
          ("ΔS_{k-2}", [5, 7])]


def _embedding(F, k, d=None):
    T = F.template(k, d).ravel()
    return np.array([[1.0 if T[i] == s else 0.0 for s in F.symbols] for i in range(T.size)])


@pytest.mark.parametrize("spec,ks", GROUPS)
def test_against_full_space(spec, ks, rng):
    R = restricted_loss(spec)
    for k in ks:
        xi = rng.normal(size=len(R.symbols))
        W = R.fixed.embed(xi, k)
        L, g, Hm = R.evaluate(xi, k)
        assert abs(L - loss(W)) < 1e-12
        G = gradient(W)
        # symmetric criticality: the full gradient lies in Fix(H)
        back = R.fixed.embed(R.fixed.project(G), k)
        assert np.max(np.abs(G - back)) < 1e-12
        J = _embedding(R.fixed, k)
        assert np.allclose(g, J.T @ G.ravel(), atol=1e-11)
        assert np.allclose(Hm, J.T @ hessian(W) @ J, atol=1e-10)


def test_d_larger_than_k(rng):
    R = restricted_loss("ΔS_{k-1}×S_{d-k}")
    k, d = 4, 7
    xi = rng.normal(size=len(R.symbols))
    W = R.fixed.embed(xi, k, d)
    assert abs(R.loss(xi, k, d) - loss(W)) < 1e-12
    J = _embedding(R.fixed, k, d)
    assert np.allclose(R.gradient(xi, k, d), J.T @ gradient(W).ravel(), atol=1e-11)


def test_gradient_against_sympy_diff(rng):
    """Symbolic differentiation of L_H (a different algorithm) against the pull-back."""
    R = restricted_loss("ΔS_{k-1}")
    xi = [sympy.Rational(int(x * 1000), 1000) for x in rng.normal(size=5)]
    sub = dict(zip(R.symbols, xi)) | {R.k: 9}
    for s, g in zip(R.symbols, R.gradient_exprs):
        d1 = sympy.N(sympy.diff(R.expr, s).subs(sub), 30)
        d2 = sympy.N(g.subs(sub), 30)
        assert abs(d1 - d2) < 1e-25
    H = R.hessian_exprs
    d2 = sympy.N(sympy.diff(R.expr, R.symbols[0], R.symbols[4]).subs(sub), 30)
    assert abs(d2 - sympy.N(H[0, 4].subs(sub), 30)) < 1e-25


def test_number_systems_and_real_k(rng):
    R = restricted_loss("ΔS_{k-1}")
    xi = [0.9, -0.02, 0.2, 0.1, -0.6]
    for k in [7, 7.5, 10 ** 6]:
        with workdps(80):
            ref = R.evaluate([mpmath.mpf(x) for x in xi], mpmath.mpf(k), system="mpmath")
            refs = [arb(mpmath.nstr(ref[0], 75))] + [arb(mpmath.nstr(x, 75)) for x in ref[1]]
        with workdps(40):
            La, ga, Ha = R.evaluate(xi, k, system="arb")
            assert La.contains(refs[0])
            for a, r in zip(ga, refs[1:]):
                assert a.contains(r)
        f = R.evaluate(xi, float(k))
        assert abs(f[0] - float(ref[0])) < 1e-9 * max(1, abs(float(ref[0])))
    # real k: L_H is smooth in k (central difference of consecutive values)
    vals = [R.loss(xi, 7.5 + h) for h in (-1e-3, 0, 1e-3)]
    assert abs(vals[0] - 2 * vals[1] + vals[2]) < 1e-5


def test_cached_and_latex():
    import time
    R1 = restricted_loss("DS_{k-1}")
    R1.evaluate([1, 0.1, 0.1, 0.1, -0.5], 8)
    t = time.perf_counter()
    R2 = restricted_loss("ΔS_{k-1}")
    R2.evaluate([1, 0.1, 0.1, 0.1, -0.5], 8)
    assert R1 is R2 and time.perf_counter() - t < 0.05
    assert r"\arccos" in R1.latex() and "acos" not in R1.latex().replace(r"\arccos", "")
    assert len(R1.gradient_latex()) == 5 and "matrix" in R1.hessian_latex()


def test_global_minimum_hessian_is_the_limit():
    """W = I has every neuron parallel to its target (K is only C^2 there); the restricted
    Hessian is the limit, equal to J^T H J of the full-space formula."""
    R = restricted_loss("ΔS_k")
    k = 5
    L, g, Hm = R.evaluate([1, 0], k)
    J = _embedding(R.fixed, k)
    assert L == 0 and np.max(np.abs(g)) == 0
    assert np.allclose(Hm, J.T @ hessian(np.eye(k)) @ J, atol=1e-12)


def test_disk_cache_hit_corruption_and_concurrent_writers(tmp_path, monkeypatch):
    """The compiled L_H is read back from the disk cache with the same values; a damaged
    file is ignored and replaced; processes deriving at once all succeed."""
    import json
    import subprocess
    import sys
    from symcrit.core import cache_dir
    from symcrit.restricted import RestrictedLoss
    monkeypatch.setenv("SYMCRIT_CACHE", str(tmp_path))
    xi, k = [0.9, -0.02, 0.13, 0.11, -0.7], 7.5
    fresh = RestrictedLoss("ΔS_{k-1}")
    L0, g0, H0 = fresh.evaluate(xi, k)
    files = list(cache_dir().glob("*.json"))
    assert len(files) == 1
    warm = RestrictedLoss("ΔS_{k-1}")
    L1, g1, H1 = warm.evaluate(xi, k)
    assert "pair_types" not in vars(warm)        # nothing was derived again
    assert L1 == L0 and np.array_equal(g1, g0) and np.array_equal(H1, H0)
    data = json.loads(files[0].read_text())
    data["payload"]["source"] = data["payload"]["source"].replace("v_a", "v_b", 1)
    files[0].write_text(json.dumps(data))          # checksum no longer matches
    again = RestrictedLoss("ΔS_{k-1}")
    assert again.evaluate(xi, k)[0] == L0 and "pair_types" in vars(again)
    files[0].write_text("{ not json")
    assert RestrictedLoss("ΔS_{k-1}").evaluate(xi, k)[0] == L0
    assert json.loads(files[0].read_text())["format"] == "symcrit-cache/1"   # rewritten
    for f in files:
        f.unlink()
    code = ("from symcrit.restricted import RestrictedLoss; "
            f"print(repr(RestrictedLoss('Δ(S_{{k-2}}×S_2)').loss([1,0,.1,.1,-.7,.1], 9)))")
    procs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
             for _ in range(4)]
    outs = [p.communicate()[0].strip() for p in procs]
    assert all(p.returncode == 0 for p in procs) and len(set(outs)) == 1
    assert len(list(cache_dir().glob("*.json"))) == 1 and not list(cache_dir().glob(".tmp*"))


@pytest.mark.parametrize("spec", ["ΔS_k", "ΔS_{k-1}", "Δ(S_{k-2}×S_2)"])
def test_batched_float_evaluation_equals_pointwise(spec, rng):
    """L_H, its gradient and Hessian on an array of points and k at once agree with the
    point-by-point evaluation (float) and with mpmath."""
    R = restricted_loss(spec)
    n = len(R.symbols)
    X = rng.normal(0, 0.7, size=(6, n))
    ks = rng.uniform(R.H.min_k + 0.5, 30, size=6)
    L, g, H = R.evaluate(X, ks)
    assert L.shape == (6,) and g.shape == (6, n) and H.shape == (6, n, n)
    for i in range(6):
        Li, gi, Hi = R.evaluate(list(X[i]), ks[i])
        assert np.isclose(L[i], Li, rtol=1e-13, atol=1e-15)
        assert np.allclose(g[i], gi, rtol=1e-12, atol=1e-14)
        assert np.allclose(H[i], Hi, rtol=1e-11, atol=1e-13)
        with workdps(30):
            Lm = R.loss(list(X[i]), mpmath.mpf(ks[i]), system="mpmath")
        assert abs(float(Lm) - L[i]) < 1e-12 * max(1, abs(L[i]))
