"""Tangency arcs (issue 13; Arjevani 2023, "Hidden minima in two-layer ReLU networks",
arXiv:2312.16819).  Every value is checked against something obtained independently: the
dense full-space loss, gradient and Hessian (symcrit.model, never the restricted loss), a
brute-force minimisation of L on the sphere in the full space (random starts, L-BFGS), a
finite-difference fit of m(r), a sympy perturbation series, Kostka numbers computed
directly, and the command line's own output."""
import json
import subprocess
import sys

import mpmath
import numpy as np
import pytest
import sympy

from symcrit.algebra import MPMATH_DOMAIN, QQ_PI
from symcrit.arcs import (BlockGroup, arc_expansion, arc_starts, axial_subgroups,
                          big_kostka, block_permutations, cubic_invariants,
                          fit_coefficients, lift_arc, tangency_arcs)
from symcrit.cli import main
from symcrit.core import InputError
from symcrit.critical import get_family
from symcrit.model import Problem, canonical_teacher
from symcrit.symmetry import FixedSpace, K, kostka

FAMILIES = ("type-A", "hidden-A", "hidden-D")


@pytest.fixture(scope="module")
def arcs8():
    """All minimising arcs of the three families at k = 8 (20 digits)."""
    return {f: tangency_arcs(f, 8, dps=20) for f in FAMILIES}


def dense(start, eta, k):
    """W(η) of Fix(G) as a float matrix (the fixed-space template, not the loss)."""
    return np.asarray(start.refinement.child.fixed.embed([float(x) for x in eta], k),
                      dtype=float)


# ----------------------------------------------------------------------------- symmetry
def test_big_kostka_is_the_kostka_number_at_every_n():
    """The shortcut (Kostka numbers evaluated at a small n) against the direct count."""
    for tail in [(), (1,), (2,), (1, 1)]:
        for parts in [(), (1,), (2,), (1, 1), (3,), (2, 1), (1, 1, 1)]:
            for n in range(9, 15):
                lam = (n - sum(tail),) + tail
                mu = tuple(sorted((n - sum(parts),) + parts, reverse=True))
                assert big_kostka(tail, parts, n) == kostka(lam, mu)


def test_axial_subgroups_of_the_standard_and_the_exterior_square():
    assert [g.child.label for g in axial_subgroups("ΔS_{k-1}", (1,), (), 20, 4)] == \
        ["ΔS_{k-2}", "Δ(S_{k-3}×S_2)", "Δ(S_{k-4}×S_3)", "Δ(S_{k-5}×S_4)"]
    labels = [g.child.label for g in axial_subgroups("ΔS_k", (1, 1), (), 20, 4)]
    assert labels[:2] == ["ΔS_{k-2}", "Δ(S_{k-3}×S_2)"]       # S_{n-2}; S_{n-3}×S_2
    assert "Δ(S_{k-4}×S_2×S_2)" in labels                     # S_{n-4}×S_2×S_2
    assert axial_subgroups("ΔS_k", (), (), 20)[0].child.label == "ΔS_k"
    with pytest.raises(InputError):
        axial_subgroups("ΔS_k", (1,), (), 20, max_split=99)


@pytest.mark.parametrize("H,tail", [("ΔS_{k-1}", (1,)), ("ΔS_k", (1, 1)),
                                     ("Δ(S_{k-2}×S_2)", (1,))])
def test_embedding_of_fixed_spaces_is_the_same_matrix(H, tail, rng):
    """Fix(H) inside Fix(G): W_G(embed(ξ)) = W_H(ξ) with rows and columns relabelled by σ
    (child block b takes the next rows of its parent block), both matrices built by the
    fixed-space templates at k = 9."""
    small = ((2,),) if "S_2)" in H else ()
    FH = FixedSpace(H)
    for ref in axial_subgroups(H, tail, small, 9):
        prow = ref.parent.rows_at(9)
        taken = [0] * len(prow)
        sigma = []
        for b, size in enumerate(ref.child.sizes_at(9)):
            p = ref.parent_of[b]
            sigma += prow[p][taken[p]:taken[p] + size]
            taken[p] += size
        xi = rng.standard_normal(FH.dimension)
        WH = np.asarray(FH.embed(xi, 9), dtype=float)
        WG = np.asarray(ref.child.fixed.embed(ref.embed(xi), 9), dtype=float)
        assert np.array_equal(WG, WH[sigma][:, sigma])
        pairs = [(a, b) for a in range(len(ref.child.sizes))
                 for b in range(a + 1, len(ref.child.sizes))
                 if ref.parent_of[a] == ref.parent_of[b]
                 and ref.child.sizes[a] == ref.child.sizes[b]]
        assert len(pairs) == len(ref.swaps)
        rows = ref.child.rows_at(9)
        for (a, b), perm in zip(pairs, ref.swaps):   # a swap = exchanging two blocks
            tau = np.arange(9)
            tau[rows[a]], tau[rows[b]] = rows[b], rows[a]
            eta = rng.standard_normal(ref.child.fixed.dimension)
            moved = np.empty_like(eta)
            moved[list(perm)] = eta
            W = np.asarray(ref.child.fixed.embed(eta, 9), dtype=float)
            Wm = np.asarray(ref.child.fixed.embed(moved, 9), dtype=float)
            assert np.array_equal(Wm, W[tau][:, tau])


def test_block_permutations_generate_the_normaliser():
    G = BlockGroup.canonical([K - 3, 1, 1, 1])
    assert len(block_permutations(G)) == 6


def test_cubic_invariants_decide_c3():
    """Representation theory against the numbers: the standard representation has an
    invariant cubic (c3 ≠ 0 on type-A's arcs), [n-2,1,1] has none (c3 = 0 on every arc
    of the hidden minima, also where no symmetry maps v to -v)."""
    assert cubic_invariants((1,), (), 30) == 1
    assert cubic_invariants((1, 1), (), 30) == 0
    cp = get_family("hidden-D").point(9, dps=30)
    for st in arc_starts(cp, "min"):
        ex = arc_expansion(st, order=5)
        if not st.symmetric:                           # numerically, not by the symmetry
            assert abs(ex.coefficients[3]) < 1e-25
            assert abs(ex.coefficients[5]) > 1e-8      # odd terms do not all vanish
    cp = get_family("type-A").point(9, dps=30)
    st = arc_starts(cp, "min")[0]
    assert abs(arc_expansion(st, order=4).coefficients[3]) > 1e-3


# ----------------------------------------------------------------------------- directions
@pytest.mark.parametrize("family", FAMILIES)
def test_direction_is_an_eigenvector_of_the_dense_hessian(family):
    cp = get_family(family).point(7, dps=30)
    C = np.asarray(cp.W("float"), dtype=float)
    Hd = np.asarray(Problem(canonical_teacher(7)).hessian(C), dtype=float)
    ev = np.linalg.eigvalsh(Hd)
    for st in arc_starts(cp, "min"):
        s = np.sqrt([float(w) for w in st.weights])
        eta = np.array([float(e) for e in st.eta_c]) + np.array([float(u) for u in st.u]) / s
        V = (dense(st, eta, 7) - C).ravel()
        assert abs(np.linalg.norm(V) - 1) < 1e-12
        assert np.allclose(Hd @ V, float(st.eigenvalue) * V, atol=1e-10)
        assert abs(float(st.eigenvalue) - ev[0]) < 1e-10      # the lowest of all k² values


# ----------------------------------------------------------------------------- the arcs
@pytest.mark.parametrize("family", FAMILIES)
def test_points_solve_the_lagrange_system_in_the_full_space(family, arcs8):
    arcs = arcs8[family]
    C = np.asarray(arcs.point.W("float"), dtype=float)
    P = Problem(canonical_teacher(8))
    for a in arcs:
        top = float(a.r_star) if a.r_star is not None else float(a.trace.r[-1])
        for r in (0.05, 0.5 * top, 0.95 * top):
            p = a.point(r, dps=20)
            W = dense(a.start, p.eta, 8)
            assert abs(np.linalg.norm(W - C) - r) < 1e-12
            G = np.asarray(P.gradient(W), dtype=float)
            assert np.max(np.abs(G - float(p.mu) * (W - C))) < 1e-12
            assert abs(float(P.loss(W)) - float(p.loss)) < 1e-13
            assert float(p.residual) < 1e-18


def _sphere_min(C, r, starts, rng, gtol=1e-9):
    """min L on |W - C| = r in the full space: L-BFGS on W = C + r z/|z| from random z
    (the hidden minima's spheres are flat to O(r⁴) across directions: slow to converge)."""
    from scipy.optimize import minimize
    k = C.shape[0]
    P = Problem(canonical_teacher(k))

    def f(z):
        n = np.linalg.norm(z)
        zz = z / n
        W = C + r * zz.reshape(k, k)
        G = np.asarray(P.gradient(W), dtype=float).ravel()
        return float(P.loss(W)), r * (G - zz * (zz @ G)) / n
    return min(minimize(f, rng.standard_normal(k * k), jac=True, method="L-BFGS-B",
                        options={"maxiter": 3000, "gtol": gtol, "ftol": 1e-14}).fun
               for _ in range(starts))


@pytest.mark.parametrize("family", FAMILIES)
def test_tracer_equals_brute_force_minimum_on_the_sphere(family, arcs8):
    arcs = arcs8[family]
    best = arcs.realising
    C = np.asarray(arcs.point.W("float"), dtype=float)
    rng = np.random.default_rng(7)
    for r in (0.15, 0.3):
        m = float(best.point(r).loss)
        brute = _sphere_min(C, r, 3, rng)
        assert m <= brute + 1e-12             # nothing on the sphere is lower than the arc
        assert abs(brute - m) < 1e-9          # and brute force finds the arc's value


@pytest.mark.slow
@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("k", [10, 12])
def test_tracer_equals_brute_force_at_several_radii(family, k):
    arcs = tangency_arcs(family, k, dps=20)
    best = arcs.realising
    C = np.asarray(arcs.point.W("float"), dtype=float)
    rng = np.random.default_rng(k)
    for r in (0.1, 0.4) if k == 10 else (0.25,):
        m = float(best.point(r).loss)
        brute = _sphere_min(C, r, 4, rng, gtol=1e-11)
        assert m <= brute + 1e-12 and abs(brute - m) < 1e-9


@pytest.mark.parametrize("family", FAMILIES)
def test_coefficients_match_a_finite_difference_fit(family, arcs8):
    best = arcs8[family].realising
    c = best.expansion.coefficients
    rs = [mpmath.mpf(i) / 800 for i in range(1, 11)]
    with mpmath.workdps(40):
        ms = [best.point(r, dps=40).loss for r in rs]
        fit = fit_coefficients(rs, ms, c[0], c[2], degree=4)
    assert abs(fit[0] - c[3]) < 1e-9
    assert abs(fit[1] - c[4]) < 1e-6 * max(1, abs(c[4]))
    assert mpmath.nstr(c[2], 12) == mpmath.nstr(best.start.eigenvalue / 2, 12)
    assert best.expansion.check < 1e-15


def test_leading_term_is_cubic_for_type_a_and_quartic_for_the_hidden_minima(arcs8):
    assert arcs8["type-A"].realising.leading_term() == "cubic"
    for f in ("hidden-A", "hidden-D"):
        best = arcs8[f].realising
        assert best.leading_term() == "quartic" and best.c3_zero() == "symmetry"
        assert best.expansion.coefficients[3] == 0


def test_opposite_arc_has_reflected_coefficients(arcs8):
    a, b = arcs8["type-A"].arcs[:2]
    assert a.isotropy == b.isotropy and a.start.sign == -b.start.sign
    with mpmath.workdps(30):
        for j, c in a.expansion.coefficients.items():
            assert b.expansion.coefficients[j] == (-1) ** j * c
    assert abs(a.r_star - b.r_star) > 0.1           # not the same arc: c3 has the other sign


@pytest.mark.parametrize("family", FAMILIES)
def test_endpoint_is_a_critical_point_in_the_full_space(family, arcs8):
    for a in arcs8[family]:
        e = a.endpoint
        assert e is not None
        assert e.point.checks["full_gradient_norm_mpmath"] < 1e-18     # dense formula
        W = np.asarray(e.point.W("float"), dtype=float)
        G = Problem(canonical_teacher(8)).gradient(W)
        assert np.max(np.abs(np.asarray(G, dtype=float))) < 1e-13
        C = np.asarray(a.start.point.W("float"), dtype=float)
        assert abs(np.linalg.norm(W - C) - float(e.r_star)) < 1e-10 or e.isotropy != \
            a.isotropy                      # (re-embedded in a larger group's layout)
    best = arcs8[family].realising
    assert best.endpoint.kind == "saddle" and best.endpoint.index == 1
    assert best.endpoint.detected["agrees"]


@pytest.mark.parametrize("family", FAMILIES)
def test_isotropy_along_the_arc_is_detected_and_certified(family, arcs8):
    for a in arcs8[family]:
        assert a.isotropy_checks
        for c in a.isotropy_checks:
            assert c["lattice"] == a.isotropy == c["detected"] and c["certified"]


def test_realising_arc_is_a_local_minimum_on_its_spheres(arcs8):
    for f in FAMILIES:
        best = arcs8[f].realising
        assert best.sphere.fails_at is None
        assert best.lowest_up_to == pytest.approx(float(best.trace.r[-1]))
        others = [a for a in arcs8[f] if a is not best]
        assert all(a.sphere.fails_at is not None for a in others)


def test_maximising_arcs():
    arcs = tangency_arcs("hidden-D", 8, kind="max", dps=20, endpoints=False)
    top = max(e.eigenvalue for e in arcs.spectrum.entries)
    for a in arcs:
        assert abs(a.start.eigenvalue - top) < 1e-15
        assert abs(a.expansion.coefficients[2] - top / 2) < 1e-15
    assert arcs.realising is not None


def test_large_k_costs_the_same(arcs8):
    """k = 10^6: the arcs reach another critical point as at k = 8 (fixed-space system of
    the same size), and their isotropy is found in the Young lattice."""
    arcs = tangency_arcs("hidden-D", 10 ** 6, dps=20, only_realising=True)
    best = arcs.realising
    assert best.trace.status == "critical" and best.endpoint.kind == "saddle"
    assert best.isotropy == "ΔS_{k-2}" and best.isotropy_checks[0]["lattice"] == "ΔS_{k-2}"
    assert abs(best.r_star - mpmath.mpf("1.04419981795")) < 1e-9


def test_bad_input():
    with pytest.raises(InputError, match="no point at k = 2"):
        tangency_arcs("type-A", 2)
    with pytest.raises(InputError, match="rmax"):
        tangency_arcs("type-A", 8, rmax=0)
    with pytest.raises(InputError, match="kind"):
        tangency_arcs("type-A", 8, kind="saddle")
    with pytest.raises(InputError, match="not smooth"):
        tangency_arcs("global", 8)
    with pytest.raises(InputError, match="integer"):
        tangency_arcs("type-A", 8.5)


# ----------------------------------------------------------------------------- lifting
class _Toy:
    """L(x, y) = (x² + 2y²)/2 + x²y + x³/3 on R² with unit weights (a polynomial, so the
    series arithmetic is exact over Q)."""

    def evaluate(self, eta, k, system=None, order=2):
        x, y = eta
        L = (x * x + 2 * y * y) / 2 + x * x * y + x * x * x / 3
        if order == 0:
            return L
        g = [x + 2 * x * y + x * x, 2 * y + x * x]
        H = np.array([[1 + 2 * y + 2 * x, 2 * x], [2 * x, 2 + 0 * x]], dtype=object)
        return (L, g) if order == 1 else (L, g, H)


def test_exact_lifting_agrees_with_a_sympy_perturbation_series():
    """The exact lifting (over Q(π)) on a polynomial toy, against sympy solving the
    Lagrange system ∇L = μ(x, y), x² + y² = r² with the ansatz x = r + Σ a_j r^j,
    y = Σ b_j r^j, μ = 1 + Σ μ_j r^j, order by order (another formulation: no blow-up,
    no leading Jacobian)."""
    coeffs, mu, z, check = lift_arc(_Toy(), 1, [0, 0], [1, 1], 1, [1, 0], order=6,
                                    domain=QQ_PI)
    assert check == 0
    r = sympy.Symbol("r")
    N = 6
    a, b, m = (list(sympy.symbols(f"{c}1:{N + 1}")) for c in "abm")
    x = r + sum(a[j] * r ** (j + 1) for j in range(1, N))
    y = sum(b[j] * r ** (j + 1) for j in range(1, N))
    muz = 1 + sum(m[j] * r ** j for j in range(1, N))
    eqs = [sympy.expand(x + 2 * x * y + x * x - muz * x),
           sympy.expand(2 * y + x * x - muz * y), sympy.expand(x * x + y * y - r * r)]
    sol = {}
    for j in range(2, N + 1):
        e = [eqs[0].coeff(r, j), eqs[1].coeff(r, j), eqs[2].coeff(r, j + 1)]
        e = [sympy.expand(q.subs(sol)) for q in e]
        sol.update(sympy.solve(e, [m[j - 1], b[j - 1], a[j - 1]], dict=True)[0])
    L = sympy.expand(((x * x + 2 * y * y) / 2 + x * x * y + x ** 3 / 3).subs(sol))
    for j in range(2, 7):
        assert sympy.sympify(str(coeffs[j]), rational=True) == L.coeff(r, j), j
    assert sympy.sympify(str(coeffs[3]), rational=True) == sympy.Rational(1, 3)


def test_numeric_lifting_equals_exact_lifting_on_the_toy():
    ex, _, _, _ = lift_arc(_Toy(), 1, [0, 0], [1, 1], 1, [1, 0], order=6, domain=QQ_PI)
    with mpmath.workdps(30):
        num, _, _, _ = lift_arc(_Toy(), 1, [0, 0], [1, 1], 1, [1, 0], order=6,
                                domain=MPMATH_DOMAIN)
        for j in ex:
            assert abs(num[j] - QQ_PI.value(ex[j])) < 1e-25


# ----------------------------------------------------------------------------- command line
def test_cli_json(capsys):
    rc = main(["arcs", "hidden-D", "--k", "7", "--dps", "15", "--json"])
    assert rc == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["format"] == "symcrit.arcs" and doc["k"] == "7" and doc["family"] == "hidden-D"
    out = doc["arcs"]
    assert isinstance(out, list) and out
    for arc in out:
        for key in ("isotropy", "irrep", "realises_extremum", "coefficients", "r_star",
                    "endpoint"):
            assert key in arc
        assert set(arc["coefficients"]) >= {"2", "3", "4"}
        assert all(isinstance(v, str) for v in arc["coefficients"].values())
        assert isinstance(arc["r_star"], str) and float(arc["r_star"]) > 0
        for key in ("loss", "isotropy", "family", "index", "kind", "gradient_norm"):
            assert key in arc["endpoint"]
        assert isinstance(arc["endpoint"]["loss"], str)
    assert sum(a["realises_extremum"] for a in out) == 1


@pytest.mark.parametrize("argv,text", [
    (["arcs", "type-A", "--k", "2"], "no point at k = 2"),
    (["arcs", "type-A", "--k", "8", "--rmax", "0"], "rmax"),
    (["arcs", "type-A", "--k", "8", "--rmax", "-1"], "rmax"),
    (["arcs", "type-A", "--k", "8", "--kind", "saddle"], "invalid choice"),
    (["arcs", "type-A", "--k", "8", "--plot", "x.txt"], "png"),
    (["arcs", "--compare", "type-A,nope", "--k", "8"], "unknown family"),
    (["arcs", "type-A", "--k", "8:9"], "one value"),
    (["arcs", "--k", "8"], "FAMILY"),
    (["arcs", "type-A", "--k", "10^13"], "at most"),
])
def test_cli_bad_input_is_one_line_and_exit_2(argv, text, capsys):
    try:
        rc = main(argv)
    except SystemExit as exc:               # argparse's own errors (one line too)
        rc = exc.code
    assert rc == 2
    err = capsys.readouterr().err
    assert text in err and err.count("\n") == 1 and "Traceback" not in err


def test_cli_compare_and_plot(tmp_path, capsys):
    png = tmp_path / "arcs.png"
    rc = main(["arcs", "--compare", "type-A,hidden-D", "--k", "7", "--dps", "15",
               "--plot", str(png)])
    assert rc == 0 and png.stat().st_size > 1000
    out = capsys.readouterr().out
    assert "cubic" in out and "quartic" in out and "0 (exact)" in out


def test_cli_subprocess_help():
    res = subprocess.run([sys.executable, "-m", "symcrit", "arcs", "--help"],
                         capture_output=True, text=True)
    assert res.returncode == 0 and "--compare" in res.stdout
