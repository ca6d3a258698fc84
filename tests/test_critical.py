"""Critical points: full-space gradient checks (independent), precision agreement,
continuation in real k, search, and what full-space training finds."""
import mpmath
import numpy as np
import pytest
import sympy
from scipy.optimize import minimize

from symcrit import (ConvergenceError, InputError, Problem, follow, get_family, gradient,
                     hessian, identify, list_families, loss, refine, register_family,
                     restricted_loss, search, workdps)


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
    """Every family down to its block limit and up to 10^12 (the wider families, whose
    continuation to 10^12 takes several seconds each, only to 10^4 here: in full with
    ``pytest -m slow``)."""
    for fam in list_families():
        if fam.exact:
            continue
        top = 10 ** 12 if not fam.n_extra else 10 ** 4
        pts = fam.points([fam.k_min + 0.5, top], dps=20, full_check=False)
        assert all(p.residual < 1e-20 for p in pts)


@pytest.mark.slow
def test_wider_families_follow_to_1e12():
    for fam in list_families():
        if fam.n_extra:
            p = fam.point(10 ** 12, dps=20, full_check=False)
            assert p.residual < 1e-20


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


# a branch of Fix(Δ(S_{k-2}×S_2)) found by search(..., k=8) that folds near k = 5.61, and
# one of Fix(ΔS_{k-1}) whose last neuron shrinks to zero near k = 15.19
FOLDING = ("Δ(S_{k-2}×S_2)", ["0.197240323174645", "0.197240323174645", "0.193418267964151",
                               "-0.106082344647139", "1.07189761195105", "-1.25837299988342"])
DYING = ("ΔS_{k-1}", ["-0.819539178256961", "0.304955917624212", "0.145191437726552",
                      "-0.0222644629311086", "-0.0218312270121222"])


def test_fold_is_located_and_is_a_fold():
    spec, x0 = FOLDING
    br = follow(refine(spec, x0, 8, dps=20), 4.05, dps=20, record=[7, 6])
    assert br.status == "fold" and "turns back" in br.message
    assert [float(p.k) for p in br.points[1:]] == [7.0, 6.0]
    f = br.fold
    assert 5.6 < f.k < 5.62
    # the normal form of a fold, checked by plain Newton at fixed k (not by the locator):
    # above k* two critical points at distance ~ sqrt(k - k*) on either side of ξ*, with
    # opposite signs of det ∇²L_H; below k* none near ξ*
    R = restricted_loss(spec)
    with workdps(30):
        xs, v = [mpmath.mpf(x) for x in f.xi], [mpmath.mpf(x) for x in f.v]
        side = 1 if float(br.points[-1].k) > f.k else -1          # the branch's side
        gaps = []
        for delta in (mpmath.mpf("1e-4"), mpmath.mpf("1e-6")):
            k = f.k + side * delta
            pts = []
            for c in (-2, -1, -0.5, 0.5, 1, 2):
                start = [a + c * mpmath.sqrt(delta) * b for a, b in zip(xs, v)]
                try:
                    p = refine(spec, start, k, dps=25, full_check=False)
                except ConvergenceError:
                    continue
                near = max(abs(a - b) for a, b in zip(p.xi, xs)) < mpmath.sqrt(delta)
                new = all(max(abs(a - b) for a, b in zip(p.xi, q.xi)) > 1e-12 for q in pts)
                if near and new:
                    pts.append(p)
            assert len(pts) == 2
            gap = max(abs(a - b) for a, b in zip(pts[0].xi, pts[1].xi))
            dets = [mpmath.det(R.hessian(p.xi, k, system="mpmath")) for p in pts]
            assert mpmath.sign(dets[0]) != mpmath.sign(dets[1])
            gaps.append(gap)
        assert 5 < gaps[0] / gaps[1] < 20                          # ∝ sqrt(k - k*): 10
        with pytest.raises(ConvergenceError):
            refine(spec, xs, f.k - side * mpmath.mpf("1e-4"), dps=25, maxsteps=25,
                   full_check=False)
    # the same fold at twice the precision
    f40 = follow(refine(spec, x0, 8, dps=40), 4.05, dps=40).fold
    with workdps(40):
        assert abs(f40.k - f.k) < mpmath.mpf(10) ** -18


def test_branch_into_a_dying_neuron_is_reported():
    spec, x0 = DYING
    br = follow(refine(spec, x0, 8, dps=20), 20, dps=20)
    assert br.status == "singular" and "a neuron dies" in br.message
    k_end = float(br.events[-1][1])
    assert 15.1 < k_end < 15.3
    # independently: the last row of the full-space W shrinks as k approaches the end
    norms = []
    for k in (14, 15):
        W = follow(refine(spec, x0, 8, dps=20), k, dps=20).points[-1].W()
        norms.append(np.linalg.norm(W[-1]))
    assert norms[1] < norms[0] < 0.5 * np.linalg.norm(W[0])


def test_long_steps_do_not_jump_branches():
    """type-A3 followed from k = 12 to 10^12 in few long steps stays on its branch: k L
    tends to 3 (1/2 - 2/π²), three times the type-A constant (Arjevani & Field 2021)."""
    fam = get_family("type-A3")
    br = follow(fam.seed_point(20), 10 ** 12, dps=20, record=[100, 10 ** 6])
    assert br.status == "reached"
    kl = [float(p.loss * p.k) for p in br.points]
    assert kl == sorted(kl)
    assert abs(kl[-1] - 3 * (0.5 - 2 / np.pi ** 2)) < 1e-5


def test_search_reports_a_non_isolated_critical_set():
    """In Fix(ΔS_{k-1}) at k = 10 all neurons parallel to the all-ones vector form a line of
    critical points (L = 3.5986557…): the search polishes onto it and reports a set of
    dimension 1 instead of dropping it.  Independent checks: the dense full-space gradient
    vanishes there, and minimising L over the two-parameter family of such points (rows
    a·1ᵀ and d·1ᵀ, Nelder–Mead) from two different starts ends at two different points with
    the same loss."""
    from scipy.optimize import minimize
    pts = search("ΔS_{k-1}", 10, starts=1, seed=0, dps=20,
                 initial=[[0.1, 0.1, 0.1, 0.4, 0.4]])       # a start with all rows ∥ 1
    line = [p for p in pts if p.set_dimension]
    assert len(line) == 1 and line[0].set_dimension == 1
    cp = line[0]
    W = np.asarray(cp.W("float"), dtype=float)
    assert np.abs(gradient(W)).max() < 1e-12
    R = restricted_loss("ΔS_{k-1}")
    f = lambda p: R.loss([p[0], p[0], p[0], p[1], p[1]], 10)
    ends = [minimize(f, s, method="Nelder-Mead",
                     options={"xatol": 1e-12, "fatol": 1e-15, "maxiter": 4000}) for s in
            ((0.3, 0.3), (0.2, 0.5))]
    assert abs(ends[0].x[1] - ends[1].x[1]) > 0.1            # two different points ...
    for e in ends:
        assert abs(e.fun - float(cp.loss)) < 1e-9             # ... on the same level


def test_no_family_meets_another_within_its_stated_range():
    """The catalogue says where each family is a family of its own (``k_range``): at every
    integer k up to 10, two families' points coincide up to the symmetry group (an
    independent Hungarian-assignment distance of the dense matrices) exactly where the
    catalogue says they meet."""
    from symcrit.critical import CATALOGUE, permutation_distance
    fams = list(CATALOGUE.values())
    for k in range(2, 11):
        W = {f.name: np.asarray(f.point(k, dps=20, full_check=False).W("float"), dtype=float)
             for f in fams if k >= f.k_min}
        names = sorted(W)
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                if W[a].shape != W[b].shape:       # a wider family: another problem
                    continue
                meet = (CATALOGUE[a].merges.get(k) == b or CATALOGUE[b].merges.get(k) == a)
                assert (permutation_distance(W[a], W[b]) < 1e-8) == meet, (a, b, k)
    assert "k > 7" in CATALOGUE["type-A5"].k_range


@pytest.mark.parametrize("content", [b"\xff\xfe not utf-8", b"[1, 2]", b"{not json",
                                     b"[" * 50000 + b"]" * 50000,
                                     b'{"families": 7}'])
def test_malformed_user_families_file_is_one_line_exit_2(tmp_path, monkeypatch, capsys,
                                                         content):
    from symcrit.cli import main
    path = tmp_path / "fam.json"
    path.write_bytes(content)
    monkeypatch.setenv("SYMCRIT_FAMILIES", str(path))
    assert main(["families"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    # adding to a malformed file is refused and the file is left as it was
    assert main(["families", "add", "x1", "ΔS_k", "--k", "12", "--seed",
                 "-0.834,0.165"]) == 2
    assert path.read_bytes() == content


def test_user_families_records_validated_and_seed_k_kept_exact(tmp_path, monkeypatch, capsys):
    import json
    import warnings
    from symcrit.cli import main
    path = tmp_path / "fam.json"
    monkeypatch.setenv("SYMCRIT_FAMILIES", str(path))
    assert main(["families", "add", "half", "ΔS_{k-1}", "--k", "12.5", "--seed",
                 "1.0,-0.011,0.15,0.10,-0.73"]) == 0
    data = json.loads(path.read_text())
    assert data["families"][0]["seed_k"] == "12.5"
    fam = get_family("half")
    assert str(fam.seed_k) == "25/2"
    data["families"] += [{"name": "bad"}, 3, {"name": "x", "isotropy": "ΔS_k",
                                              "seed_k": "12", "seed": ["1"]}]
    path.write_text(json.dumps(data))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        names = [f.name for f in list_families()]
    assert "half" in names and "bad" not in names and "x" not in names
    assert len(caught) == 3
    monkeypatch.setenv("SYMCRIT_FAMILIES", "/proc/nonexistent/fam.json")
    assert main(["families", "add", "y", "ΔS_k", "--k", "12", "--seed", "-0.834,0.165"]) == 2
