"""Hessian spectra by isotypic blocks, against independent computations: the dense
float64 Hessian of the full-space formula and numpy's eigvalsh, the trace of that
Hessian, the closed form at W = I, and the index on both sides of a threshold."""
import json
import os

import mpmath
import numpy as np
import pytest
import sympy
from flint import arb

from symcrit.cli import main
from symcrit import (InputError, NonCriticalWarning, Problem, SingularPointError, block_minima,
                     get_family, hessian_blocks, isotypic_decomposition, list_families, spectrum,
                     spectrum_of, threshold, thresholds)
from symcrit.symmetry import K, FixedSpace

FULL = os.environ.get("SYMCRIT_FULL") == "1"


def dense_spectrum(W):
    k, d = W.shape                   # k rows (n = k + m for a wider student), teacher I_d
    H = np.asarray(Problem.canonical(d).hessian(W, system="float"), dtype=float)
    return np.linalg.eigvalsh(H.reshape(k * d, k * d)), H.reshape(k * d, k * d)


def compare_dense(sp, W):
    ev, H = dense_spectrum(W)
    ours = np.array(sp.expanded())
    assert len(ours) == len(ev) == W.size
    scale = max(1.0, np.max(np.abs(ev)))
    assert np.max(np.abs(np.sort(ev) - ours)) < 1e-11 * scale
    # the distinct values and their multiplicities: cluster the dense eigenvalues
    for e in sp.entries:
        near = np.sum(np.abs(ev - float(e.eigenvalue)) < 1e-9 * scale)
        same = sum(int(f.count) for f in sp.entries
                   if abs(float(f.eigenvalue - e.eigenvalue)) < 1e-9 * scale)
        assert near == same
    assert abs(float(sp.trace()) - np.trace(H)) < 1e-10 * np.abs(np.trace(H))
    return ev


KS = [4, 7, 13, 30] if FULL else [7, 13]


@pytest.mark.parametrize("name", [f.name for f in list_families() if f.builtin])
def test_families_against_dense_eigvalsh(name):
    fam = get_family(name)
    ks = [k for k in KS if k >= fam.k_min and k > isotypic_decomposition(fam.isotropy).generic_k_min - 2]
    for cp in fam.points(ks, dps=30, full_check=False):
        sp = spectrum_of(cp)
        W = np.asarray(cp.W("float"), dtype=float)
        assert sp.total_multiplicity == W.size        # n·k: k² unless a wider family
        ev = compare_dense(sp, W)
        # index and kind from the dense spectrum
        assert sp.index == int(np.sum(ev < -1e-9))


@pytest.mark.parametrize("k", [3, 5, 12] + ([30] if FULL else []))
def test_identity_closed_form_and_dense(k):
    sp = spectrum("ΔS_k", [1, 0], k, dps=30)
    compare_dense(sp, np.eye(k))
    # closed form at W = I: 1/4 ± 1/(2π) occur on [k-2,1,1] and [k-2,2]
    vals = sp.by_irrep()
    with mpmath.workdps(30):
        lo, hi = mpmath.mpf(1) / 4 - 1 / (2 * mpmath.pi), mpmath.mpf(1) / 4 + 1 / (2 * mpmath.pi)
        assert abs(vals["[k-2,1,1]"][0] - lo) < 1e-28
        if k >= 4:
            assert abs(vals["[k-2,2]"][0] - hi) < 1e-28
    assert sp.kind == "minimum" and sp.index == 0


def test_small_k_dense_layout_and_generic_agree_in_k():
    # at integer k below the generic layout the blocks come from the dense Hessian;
    # the generic layout at real k must connect continuously to it
    fam = get_family("type-A")
    a = spectrum_of(fam.point(12, dps=30))
    b = spectrum_of(fam.point(mpmath.mpf(12) + mpmath.mpf(10) ** -12, dps=30))
    for x, y in zip(a.entries, b.entries):
        assert x.irrep == y.irrep
        assert abs(x.eigenvalue - y.eigenvalue) < 1e-9


def test_arb_blocks_contain_mpmath_values():
    cp = get_family("type-A").point(9, dps=60)
    with mpmath.workdps(60):
        bm = hessian_blocks(cp.isotropy, cp.xi, 9, system="mpmath")
    ba = hessian_blocks(cp.isotropy, cp.xi, 9, system="arb")
    for x, y in zip(bm, ba):
        assert x.irrep == y.irrep
        for i in range(x.dimension):
            for j in range(x.dimension):
                assert isinstance(y.A[i, j], arb)
                assert y.A[i, j].contains(arb(mpmath.nstr(x.A[i, j], 50)).mid()) or \
                    abs(float(y.A[i, j].mid()) - float(x.A[i, j])) <= float(y.A[i, j].rad()) + 1e-40


def test_large_k_spectrum_is_cheap_and_consistent():
    fam = get_family("type-A")
    cp = fam.point(10 ** 6, dps=40, full_check=False)
    sp = spectrum_of(cp)
    assert sp.total_multiplicity == 10 ** 12
    assert sp.kind == "minimum"
    # the trace by blocks equals the trace of the Hessian from the restricted Hessian:
    # trace ∇²L = Σ_p (∂²L_H/∂ξ_p²)/w_p is wrong in general, so check instead that
    # the [k-1] block contains the eigenvalues of the restricted Hessian w.r.t. the
    # Frobenius metric (the trivial isotypic component is Fix(H) itself)
    from symcrit.restricted import restricted_loss
    R = restricted_loss(cp.isotropy)
    with mpmath.workdps(60):
        Hm = R.hessian(cp.xi, cp.k, system="mpmath")
        w = R.weights(cp.k, system="mpmath")
        D = mpmath.diag([1 / mpmath.sqrt(x) for x in w])
        ev = sorted(mpmath.eigsy(D * Hm * D, eigvals_only=True))
    triv = sorted(sp.by_irrep()["[k-1]"])
    for x, y in zip(ev, triv):
        assert abs(x - y) < 1e-25 * max(1, abs(x))


def test_threshold_type_A_between_5_and_6_and_index_on_both_sides():
    t = threshold("type-A", k_max=7, dps=25)
    assert 5 < t.k < 6 and t.irrep == "[k-2,1]"
    assert (t.before, t.after) == ("saddle", "minimum")
    fam = get_family("type-A")
    lo, hi = spectrum_of(fam.point(5, dps=25)), spectrum_of(fam.point(6, dps=25))
    assert lo.kind == "saddle" and lo.index > 0 and hi.kind == "minimum"
    # real k just below and just above: the block's smallest eigenvalue changes sign there
    eps = mpmath.mpf(10) ** -8
    below = block_minima(fam.isotropy, fam.point(t.k - eps, dps=25).xi, t.k - eps)
    above = block_minima(fam.isotropy, fam.point(t.k + eps, dps=25).xi, t.k + eps)
    assert below[t.irrep] < 0 < above[t.irrep]
    # stable under raising the precision
    t2 = threshold("type-A", k_max=7, dps=40)
    assert abs(t2.k - t.k) < mpmath.mpf(10) ** -22
    # the loss there is the family's loss at that k
    assert abs(t.loss - fam.point(t.k, dps=25).loss) < 1e-20


def test_threshold_polishes_only_the_turn_into_a_minimum_and_agrees_with_all():
    """type-A3 crosses twice (saddle -> saddle near 6.29, saddle -> minimum near 9.32):
    threshold() polishes only the second, to the same digits as thresholds() does, and the
    family is a saddle at k = 9 and a minimum at k = 10."""
    every = thresholds("type-A3", k_max=40, dps=20)
    assert [(t.before, t.after) for t in every] == [("saddle", "saddle"),
                                                    ("saddle", "minimum")]
    t = threshold("type-A3", k_max=40, dps=20)
    assert t.k == every[1].k and t.irrep == every[1].irrep and 9 < t.k < 10
    fam = get_family("type-A3")
    assert spectrum_of(fam.point(9, dps=20)).kind == "saddle"
    assert spectrum_of(fam.point(10, dps=20)).kind == "minimum"


def test_bad_input():
    with pytest.raises(InputError, match="not in Fix"):
        spectrum("ΔS_{k-1}", np.arange(36.0).reshape(6, 6) / 36, dps=20)
    with pytest.raises(SingularPointError):
        spectrum("ΔS_k", [0, 0], 6, dps=20)
    with pytest.raises(InputError, match="dimension"):
        spectrum("ΔS_k", [1, 0, 0], 6, dps=20)
    with pytest.raises(InputError):
        spectrum("ΔS_{k-1}", [1, 0, 0, 0, 1], 2, dps=20)
    with pytest.warns(NonCriticalWarning):
        sp = spectrum("ΔS_k", [0.9, 0.01], 6, dps=20)
    assert not sp.critical
    # a W given as a matrix in Fix(H) is accepted
    sp = spectrum("ΔS_k", np.eye(5), dps=20)
    assert sp.total_multiplicity == 25


def test_isotypic_dimensions_and_trivial_component():
    for spec, k in [("ΔS_k", 7), ("ΔS_{k-1}", 8), ("Δ(S_{k-2}×S_2)", 9)]:
        dec = isotypic_decomposition(spec)
        tot = sum(c.copies * int(sympy.sympify(c.dimension).subs(K, k))
                  for c in dec.components)
        assert tot == k * k
        # copies of the trivial representation = dim Fix(H), from orbits of entries
        triv = [c for c in dec.components if c.dimension == 1 and "1,1" not in c.label][0]
        F = FixedSpace(spec)
        assert triv.copies == len(F.orbits(k)) == F.dimension


def run_cli(capsys, *argv):
    rc = main(list(argv))
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_cli_spectrum_threshold_isotypic(capsys, tmp_path):
    rc, out, _ = run_cli(capsys, "spectrum", "type-A", "--k", "8", "--json")
    assert rc == 0
    js = json.loads(out)["spectra"][0]
    assert {"spectrum", "index", "kind"} <= set(js)
    assert all({"irrep", "multiplicity", "eigenvalue"} <= set(e) for e in js["spectrum"])
    assert sum(int(e["multiplicity"]) for e in js["spectrum"]) == 64
    png = tmp_path / "s.png"
    rc, out, _ = run_cli(capsys, "spectrum", "type-A", "--k", "6:8", "--plot", str(png))
    assert rc == 0 and png.stat().st_size > 1000
    rc, out, _ = run_cli(capsys, "critical", "type-A", "--k", "7", "--json")
    js = json.loads(out)["points"][0]
    assert js["kind"] == "minimum" and js["index"] == 0 and js["spectrum"]
    rc, out, _ = run_cli(capsys, "isotypic", "ΔS_{k-1}", "--json")
    js = json.loads(out)
    assert [c["copies"] for c in js["components"]] == [5, 5, 1, 1]
    rc, out, _ = run_cli(capsys, "threshold", "type-A", "--k-max", "6.5", "--json", "--dps", "20")
    js = json.loads(out)["thresholds"][0]
    assert {"k", "irrep", "loss"} <= set(js) and 5 < float(js["k"]) < 6


@pytest.mark.parametrize("argv", [
    ["spectrum", "type-A", "--k", "8", "--plot", "x.txt"],
    ["spectrum", "nosuch", "--k", "8"],
    ["spectrum", "type-A", "--k", "2"],
    ["isotypic", "ΔS_{k-1}×S_2^r"],          # needs n = k+1 (d > k works since issue 12)
    ["isotypic", "ΔS_{k-1", "--k", "5"],
    ["threshold", "type-A", "--k-max", "abc"],
])
def test_cli_bad_input_exit_2(capsys, argv):
    rc, out, err = run_cli(capsys, *argv)
    assert rc == 2 and err.count("\n") == 1 and "Traceback" not in err
