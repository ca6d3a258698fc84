"""Wider students (issue 12): embeddings, their spectra by the blocks of their own group,
interlacing, certificates, the wider families, the annihilation table, training with n ≠ k
and the perturbed target.  Every check compares with something computed independently:
the dense full-space formula and numpy's eigvalsh, brute-force minimisation over the
sphere, networkx orbits, Arb."""
import json

import mpmath
import numpy as np
import pytest

from symcrit.cli import main
from symcrit.core import InputError, SpecError
from symcrit.critical import get_family
from symcrit.model import Problem, canonical_teacher
from symcrit.spectra import spectrum
from symcrit.symmetry import (FixedSpace, YoungIsotropy, detect_isotropy,
                              isotypic_decomposition, parse_spec)
from symcrit.wider import (annihilation_table, brute_force_minimum, certify_split,
                           directional_derivative, follow_perturbation, identify_wide,
                           multi_split_group, neuron_curvature, row_classes, split_index,
                           split_neuron, zero_neuron)


def run_cli(capsys, *argv):
    rc = main(list(argv))
    out = capsys.readouterr()
    return rc, out.out, out.err


def clusters(values, tol=1e-6):
    """(value, count) of sorted values, neighbours within tol merged."""
    out = []
    for v in sorted(values):
        if out and abs(v - out[-1][0]) <= tol * max(1.0, abs(v)):
            out[-1][1] += 1
        else:
            out.append([v, 1])
    return out


def dense_eigenvalues(W, k):
    H = np.asarray(Problem(canonical_teacher(k)).hessian(np.asarray(W, float)), float)
    return np.linalg.eigvalsh((H + H.T) / 2)


# ----------------------------------------------------------------------------- groups
@pytest.mark.parametrize("text,label", [
    ("ΔS_{k-1}×S_2^r; n=k+1", "ΔS_{k-1}×S_2^r; n=k+1"),
    ("DS_{k-1}xS^r_2, n = k+1", "ΔS_{k-1}×S_2^r; n=k+1"),
    ("ΔS_{k-1}; n=k+2", "ΔS_{k-1}; n=k+2"),
    ("ΔS_{k-1}; n=k", "ΔS_{k-1}"),
])
def test_wider_spec_grammar(text, label):
    H = YoungIsotropy(text)
    assert H.label == label
    assert parse_spec(H.label) == parse_spec(text) == parse_spec(H.ascii)


@pytest.mark.parametrize("bad", ["ΔS_{k-1}; n=2k", "ΔS_{k-1}^r", "ΔS_{k-1}×S_2^r",
                                 "ΔS_{k-1}; m=k+1", "S^r_2^c"])
def test_wider_spec_errors_one_line(bad):
    with pytest.raises((SpecError, InputError)) as e:
        YoungIsotropy(bad)
    assert "\n" not in str(e.value)


@pytest.mark.parametrize("spec,k", [("ΔS_{k-1}×S_2^r; n=k+1", 6), ("ΔS_{k-1}; n=k+1", 6),
                                    ("Δ(S_{k-2}×S_2)×S_2^r; n=k+2", 7),
                                    ("ΔS_{k-1}×S_3^r; n=k+2", 5)])
def test_wider_fixed_space_against_orbits(spec, k):
    """The H-orbits of entries (networkx, from the generators) are the level sets of the
    template, and the weights count them."""
    F = FixedSpace(spec)
    T = F.template(k)
    assert T.shape == (k + F.H.extra, k)
    orbits = F.orbits(k)
    assert len(orbits) == F.dimension
    for orb in orbits:
        assert len({T[i, j] for (i, j) in orb}) == 1
    for p in F.params:
        assert int(p.weight.subs(F.H.k, k)) == int((T == p.symbol).sum())
    assert F.H.at(k).order() == F.H.order().subs(F.H.k, k)


@pytest.mark.parametrize("spec", ["ΔS_{k-1}×S_2^r; n=k+1", "ΔS_{k-2}×S_2^r; n=k+1",
                                  "Δ(S_{k-2}×S_2); n=k+1", "ΔS_{k-1}×S_{d-k}"])
def test_wider_decomposition_dimensions(spec):
    dec = isotypic_decomposition(spec)
    n, d = dec.shape
    for k, dd in [(9, 12), (13, 15)]:
        sub = {dec.H.k: k} | ({dec.H.d: dd} if dec.H.d != dec.H.k else {})
        total = sum(c.copies * int(c.dimension.subs(sub)) for c in dec.components)
        assert total == int((n * d).subs(sub))


@pytest.mark.parametrize("spec,k,d", [("ΔS_{k-1}×S_3^r; n=k+2", 7, None),
                                      ("ΔS_{k-1}×S_{d-k}", 6, 9),
                                      ("Δ(S_{k-3}×S_3)×S_2^r; n=k+2", 8, None)])
def test_wider_block_spectra_at_random_points(spec, k, d, rng):
    """Blocks of groups with row factors, extra rows and column factors against dense
    eigvalsh at a random point of the fixed space."""
    F = FixedSpace(spec)
    x = rng.normal(size=F.dimension)
    W = np.asarray(F.embed(x, k, d), float)
    H = np.asarray(Problem(canonical_teacher(k, W.shape[1])).hessian(W), float)
    dense = np.sort(np.linalg.eigvalsh((H + H.T) / 2))
    sp = spectrum(spec, x, k, d, dps=20, warn=False)
    assert np.max(np.abs(dense - np.array(sp.expanded()))) < 1e-7 * max(1, dense.max())


def test_detection_labels_wider_points(rng):
    for spec, k in [("ΔS_{k-1}×S_2^r; n=k+1", 7), ("Δ(S_{k-2}×S_2); n=k+1", 8)]:
        F = FixedSpace(spec)
        W = np.asarray(F.embed(rng.uniform(-1, 1, F.dimension), k), float)
        p, q = rng.permutation(W.shape[0]), rng.permutation(k)
        iso = detect_isotropy(W[p][:, q], tol=1e-9)
        assert iso.label == F.H.label and iso.exact
        P = W[p][:, q][iso.row_order][:, iso.col_order]
        assert FixedSpace(iso.label).contains(P)


# ----------------------------------------------------------------------------- splits
@pytest.mark.parametrize("k", range(6, 13))
def test_split_critical_and_blocks_equal_dense(k):
    """Split of the special row of type-A (λ = 1/2): critical by the dense (k+1) × k
    formula (mpmath), and its block spectrum equals numpy's eigvalsh of the dense Hessian
    (same distinct values, same multiplicities; float64 resolves a parallel pair to about
    1e-8, so values are matched to 1e-6)."""
    pt = split_neuron("type-A", k=k, J=k, dps=25)
    chk = pt.full_check()
    assert chk["full_gradient_norm"] < mpmath.mpf(10) ** -20
    assert abs(chk["full_loss"] - pt.narrow.loss) < mpmath.mpf(10) ** -20
    sp = pt.spectrum()
    dense = dense_eigenvalues(pt.W(), k)
    assert len(dense) == (k + 1) * k == sp.total_multiplicity
    ours = clusters([float(e.eigenvalue) for e in sp.entries for _ in range(e.count)])
    theirs = clusters(dense)
    assert [c for _, c in ours] == [c for _, c in theirs]
    assert max(abs(a - b) for (a, _), (b, _) in zip(ours, theirs)) < 1e-6
    assert sp.index == k - 1 and sp.kind == "saddle"


@pytest.mark.parametrize("family,k,J,lam", [("type-A", 7, 2, "1/3"), ("type-A2", 9, 9, "1/5"),
                                            ("wide-A", 8, 9, "1/2"), ("hidden-A", 8, 1, "1/2")])
def test_other_splits_against_dense(family, k, J, lam):
    pt = split_neuron(family, k=k, J=J, lam=lam, dps=25)
    assert pt.critical and pt.full_check()["full_gradient_norm"] < 1e-20
    sp = pt.spectrum()
    dense = np.sort(dense_eigenvalues(pt.W(), k))
    assert np.max(np.abs(dense - np.array(sp.expanded()))) < 1e-6


def test_split_groups_named():
    H = YoungIsotropy("ΔS_{k-1}")
    big, special = row_classes(H)
    assert split_neuron("type-A", k=8, J=8).isotropy == "ΔS_{k-1}×S_2^r; n=k+1"
    assert split_neuron("type-A", k=8, J=3).isotropy == "ΔS_{k-2}×S_2^r; n=k+1"
    assert multi_split_group(H, [(special, 3)])[0].label == "ΔS_{k-1}×S_3^r; n=k+2"


def test_split_at_huge_k_is_cheap():
    import time
    cp = get_family("type-A").point(10 ** 6, dps=60, full_check=False)
    t0 = time.perf_counter()
    pt = split_neuron(cp, J=10 ** 6, dps=50)
    sp = pt.spectrum()
    assert time.perf_counter() - t0 < 20
    assert pt.critical and sp.kind == "saddle" and sp.index == 10 ** 6 - 1


# ----------------------------------------------------------------------------- interlacing
@pytest.mark.parametrize("family,k,J", [("type-A", 9, 9), ("type-A", 9, 4), ("type-A2", 10, 1),
                                        ("wide-A", 9, 10)])
def test_curvature_is_the_sign_block_and_bounds_the_spectrum(family, k, J):
    """At λ = 1/2 the doubled eigenvalues of M are the [·]⊗[1,1] eigenvalues of the wide
    Hessian; for λ = 1/3 the interlacing bounds hold against the exact spectrum."""
    c = neuron_curvature(family, k=k, J=J, dps=25)
    sp = split_neuron(family, k=k, J=J, dps=25).spectrum()
    by = sp.by_irrep()
    for b in c.blocks:
        for e in b.eigenvalues:
            assert min(abs(2 * e - v) for v in by[b.wide_irrep]) < 1e-15
    sp3 = split_neuron(family, k=k, J=J, lam="1/3", dps=25).spectrum()
    idx, top = c.interlacing("1/3")
    assert sp3.index >= idx and sp3.min_eigenvalue <= top + 1e-15


def test_split_index_formula_against_block_spectra():
    """index(split) = narrow index + (r-1)·#(μ < 0), for one, two and three-way splits,
    against the block spectra of the embedded points themselves."""
    from symcrit.restricted import restricted_loss
    cp = get_family("type-A2").point(9, dps=25)
    classes = row_classes(cp.isotropy)
    for splits in ([(classes[0], 2)], [(classes[1], 3)], [(classes[0], 2), (classes[1], 2)],
                   [(classes[1], 2), (classes[1], 2)]):
        G, m = multi_split_group(cp.isotropy, splits)
        with mpmath.workdps(60):
            sp = spectrum(G, m(list(cp.xi), ns=_MP), 9, dps=50, warn=False,
                          tol=mpmath.mpf(10) ** -20)
        assert split_index(cp, splits)[0] == sp.index
        assert restricted_loss(G).H.extra == sum(p - 1 for _, p in splits)


class _MP:
    @staticmethod
    def convert(x):
        return mpmath.mpf(x.numerator) / x.denominator


def test_split_certificate_saddle():
    c = certify_split("type-A", 8, J=8)
    assert c.status == "saddle" and c.block == "[k-1]⊗[1,1]"
    sp = split_neuron("type-A", k=8, J=8, dps=30).spectrum()
    lo, hi = c.negative
    assert any(float(lo.lower()) <= float(v) <= float(hi.upper())
               for v in sp.by_irrep()["[k-1]⊗[1,1]"])
    js = c.to_json()
    assert js["status"] == "saddle" and js["narrow"]["exists"]


# ----------------------------------------------------------------------------- zero neuron
@pytest.mark.parametrize("family,k", [("type-A", 6), ("hidden-A", 7), ("type-A2", 8)])
def test_zero_neuron_against_brute_force(family, k):
    z = zero_neuron(family, k=k, dps=25)
    best, u = brute_force_minimum(z.narrow, starts=40)
    assert abs(float(z.min_directional_derivative) - best) < 1e-7
    assert z.descent and z.check_at_rows < 1e-20
    # the reported direction, expanded to R^k, gives the value by the dense formula
    assert abs(directional_derivative(z.narrow, u) - best) < 1e-12


def test_zero_neuron_at_the_global_minimum_is_flat():
    z = zero_neuron("global", k=6, dps=25)
    assert abs(z.min_directional_derivative) < 1e-12 and not z.descent


# ----------------------------------------------------------------------------- families
def test_wider_minima_dense_and_certified():
    fam = get_family("wide-A")
    cp = fam.point(8, dps=30)
    assert cp.checks["full_gradient_norm_mpmath"] < 1e-25
    ev = dense_eigenvalues(cp.W(), 8)
    assert ev[0] > 1e-4                                  # a strict minimum (dense Hessian)
    from symcrit.certificates import certify
    assert certify("wide-A", 8).status == "minimum"
    assert certify("wide-A", 6).status == "saddle"
    assert certify("wide-A2", 10).status == "minimum"


def test_wider_family_is_not_an_embedding():
    W = np.asarray(get_family("wide-A").point(9).W(), float)
    rng = np.random.default_rng(3)
    assert identify_wide(W[rng.permutation(10)][:, rng.permutation(9)])[0] == "wide-A"
    Ws = np.asarray(split_neuron("type-A", k=9, J=2, lam="1/4").W(), float)
    assert identify_wide(Ws)[0] == "split of type-A"


# ----------------------------------------------------------------------------- table
def test_annihilation_table_small():
    t = annihilation_table(["type-A", "global"], ks=[7, 9], extra=[0, 1, 2])
    a1 = t.row("type-A", 1, 7)
    assert a1.index_min == 6 and a1.wider == ["wide-A"] and a1.survives
    assert not t.row("type-A", 2, 9).survives
    assert t.row("global", 1, 7).index_min == 0
    js = t.to_json()
    assert {"family", "m", "k", "index", "embeddings", "survives"} <= set(js["rows"][0])
    assert r"\begin{tabular}" in t.latex()


def test_perturbed_target_keeps_the_index():
    out = follow_perturbation("type-A", 7, eps=[0, 0.005, 0.01], seed=2)
    assert out.status == "reached" and [s.index for s in out.steps] == [0, 0, 0]
    assert all(s.gradient_norm < 1e-9 for s in out.steps)
    assert 0 < out.steps[-1].cluster_spread < 0.05


# ----------------------------------------------------------------------------- training
def test_training_labels_wider_points():
    from symcrit.landscape import TrainConfig, analyse
    from symcrit.landscape import matrix_text
    cfg = TrainConfig(k=9, d=8, runs=1, max_iter=10)
    assert cfg.wider and not cfg.catalogue
    W = np.asarray(get_family("wide-A").point(8).W(), float)
    rec = {"run": 0, "loss": "0.02", "reason": "gradient", "gradient_norm": "1e-12",
           "W": matrix_text(W[::-1] + 1e-11)}
    row, = analyse([rec], cfg)
    assert row["isotropy"] == "ΔS_{k-1}; n=k+1"
    assert row["family"] == "wide-A" and row["kind"] == "spurious"


# ----------------------------------------------------------------------------- CLI
def test_cli_embed_json_keys(capsys):
    rc, out, _ = run_cli(capsys, "embed", "type-A", "--k", "7", "--neuron", "7", "--json",
                         "--certify", "--dps", "20")
    assert rc == 0
    js = json.loads(out)
    assert {"family", "k", "n", "isotropy", "loss", "gradient_norm", "spectrum", "index",
            "kind", "certificate"} <= set(js)
    assert js["n"] == 8 and js["kind"] == "saddle" and js["certificate"]["status"] == "saddle"
    assert all({"irrep", "multiplicity", "eigenvalue"} <= set(e) for e in js["spectrum"])
    assert isinstance(js["loss"], str)
    rc, out, _ = run_cli(capsys, "embed", "type-A", "--k", "7", "--zero", "--json")
    js = json.loads(out)
    assert rc == 0 and {"min_directional_derivative", "direction"} <= set(js)
    assert float(js["min_directional_derivative"]) < 0


@pytest.mark.parametrize("argv", [
    ["embed", "type-A", "--k", "7", "--neuron", "8"],
    ["embed", "type-A", "--k", "7", "--neuron", "0"],
    ["embed", "type-A", "--k", "7", "--neuron", "3", "--lam", "1.5"],
    ["embed", "type-A", "--k", "7", "--neuron", "3", "--lam", "0"],
    ["embed", "type-A5", "--k", "6", "--neuron", "1"],
    ["embed", "type-A", "--k", "7.5", "--neuron", "1"],
    ["annihilation", "type-A", "--extra", "3"],
    ["annihilation", "nosuch"],
])
def test_cli_bad_input_exit_2(capsys, argv):
    rc, out, err = run_cli(capsys, *argv)
    assert rc == 2 and err.count("\n") == 1 and "Traceback" not in err


def test_cli_annihilation_and_families(capsys, tmp_path):
    png = tmp_path / "a.png"
    rc, out, _ = run_cli(capsys, "annihilation", "type-A", "--k", "7:8", "--extra", "0:1",
                         "--plot", str(png))
    assert rc == 0 and png.stat().st_size > 1000 and "m = 1" in out
    rc, out, _ = run_cli(capsys, "families", "--json")
    names = {f["name"]: f for f in json.loads(out)["families"]}
    assert names["wide-A"]["n"] == "k+1" and names["wide-A2"]["k_min"] == "5"


def test_cli_train_wider_student(capsys):
    """``symcrit train --n``: students with n = k + 1 neurons against I_k land on splits of
    the global minimum, labelled in S_n × S_d and named as embeddings."""
    rc, out, _ = run_cli(capsys, "train", "--k", "4", "--n", "5", "--runs", "2", "--workers",
                         "1", "--seed", "2", "--json")
    js = json.loads(out)
    assert rc == 0 and js["config"]["n"] == "5" and js["config"]["teacher_k"] == "4"
    assert all(r["kind"] == "global" and r["isotropy"].endswith("n=k+1")
               and r["family"] == "split of global" for r in js["runs"])
    rc, out, err = run_cli(capsys, "train", "--k", "4", "--n", "5", "--d", "6")
    assert rc == 2 and err.count("\n") == 1
