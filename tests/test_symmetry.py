"""Specs, Young-type groups and fixed spaces, checked against an orbit computation."""
import re

import numpy as np
import pytest

from symcrit import InputError, SpecError
from symcrit.symmetry import K, FixedSpace, YoungIsotropy, act, parse_spec


@pytest.mark.parametrize("a,b", [
    ("ΔS_{k-1}", "DS_{k-1}"), ("ΔS_{k-1}", r"\Delta S_{k-1}"),
    ("Δ(S_{k-2}×S_2)", "D(S_{k-2}xS_2)"), ("Δ(S_{k-2}×S_2)", r"\Delta(S_{k-2}\times S_2)"),
    ("ΔS_k", "D S_k"), ("ΔS_{k-1}×S_{d-k}", "DS_{k-1} x S_{d-k}"),
])
def test_spellings(a, b):
    assert parse_spec(a) == parse_spec(b)


@pytest.mark.parametrize("bad,msg", [
    ("", "empty"), ("ΔS_{k-1", "expected '}'"), ("ΔS{k-1}", "'_' after S"),
    ("ΔS_{k-1}×", "'Δ' (or D) or 'S'"), ("ΔS_{k/2}", "unexpected character '/'"),
    ("__import__('os')", "unexpected character"), ("ΔS_{k-1}junk", "unexpected character"),
    ("ΔT_3", "unexpected character 'T'"),
])
def test_malformed_specs(bad, msg):
    with pytest.raises(SpecError, match=re.escape(msg)):
        parse_spec(bad)


def test_one_line_errors():
    for bad in ["ΔS_{k-1", "Δ(S_2", "S"]:
        with pytest.raises(SpecError) as e:
            parse_spec(bad)
        assert "\n" not in str(e.value)


@pytest.mark.parametrize("spec,dim", [("ΔS_k", 2), ("ΔS_{k-1}", 5), ("Δ(S_{k-2}×S_2)", 6),
                                      ("ΔS_{k-2}", 10)])
def test_dimensions(spec, dim):
    assert FixedSpace(spec).dimension == dim


@pytest.mark.parametrize("spec,k,d", [("ΔS_k", 5, None), ("ΔS_{k-1}", 6, None),
                                      ("Δ(S_{k-2}×S_2)", 7, None), ("ΔS_{k-2}", 6, None),
                                      ("ΔS_{k-1}×S_{d-k}", 4, 7)])
def test_orbits_match_block_description(spec, k, d):
    """The orbits of matrix entries under the group generators (networkx) are exactly the
    level sets of the symbolic template W(ξ), and the Frobenius weights count them."""
    F = FixedSpace(spec)
    T = F.template(k, d)
    orbits = F.orbits(k, d)
    assert len(orbits) == F.dimension
    for orb in orbits:
        syms = {T[i, j] for (i, j) in orb}
        assert len(syms) == 1
    sub = {F.H.k: k} | ({F.H.d: d} if d is not None else {})
    for p in F.params:
        assert int(p.weight.subs(sub)) == int((T == p.symbol).sum())


def test_fixed_points_are_fixed_by_the_group(rng):
    for spec, k in [("ΔS_{k-1}", 6), ("Δ(S_{k-2}×S_2)", 7)]:
        F = FixedSpace(spec)
        H = F.H.at(k)
        W = F.embed(rng.normal(size=F.dimension), k)
        for _ in range(5):
            assert np.array_equal(act(H.random_element(rng), W), W)
        for g in H.generators():
            assert np.array_equal(act(g, W), W)
        # a generic point is not fixed
        assert not F.contains(rng.normal(size=(k, k)), tol=1e-9)
        assert F.contains(W)


def test_projection_is_orthogonal(rng):
    F = FixedSpace("ΔS_{k-1}")
    k = 6
    W = rng.normal(size=(k, k))
    P = F.embed(F.project(W), k)
    Y = F.embed(rng.normal(size=F.dimension), k)
    assert abs(np.sum((W - P) * Y)) < 1e-12        # W - P ⟂ Fix(H)


def test_k_too_small_and_d():
    with pytest.raises(InputError, match="needs k >= 3"):
        YoungIsotropy("ΔS_{k-1}", k=2)
    with pytest.raises(InputError, match="needs k >= 4"):
        FixedSpace("Δ(S_{k-2}×S_2)").template(3)
    with pytest.raises(InputError, match="give d"):
        YoungIsotropy("ΔS_{k-1}×S_{d-k}", k=4)
    assert YoungIsotropy("ΔS_{k-2}").min_k == 4


def test_labels_and_latex():
    H = YoungIsotropy("D(S_{k-2}xS_2)")
    assert H.label == "Δ(S_{k-2}×S_2)" and H.ascii == "D(S_{k-2}xS_2)"
    assert H.latex == r"\Delta (S_{k-2}\times S_2)"
    assert "pmatrix" in FixedSpace(H).latex() and FixedSpace(H)._repr_latex_().startswith("$")


@pytest.mark.parametrize("spec,k", [("Δ(S_{k-3}×S_3)", 6), ("Δ(S_{k-4}×S_4)", 7),
                                    ("Δ(S_{k-2}×S_2)", 5), ("ΔS_{k-1}", 4),
                                    ("Δ(S_{k-4}×S_4)", None), ("Δ(S_{k-2}×S_2)", None),
                                    ("ΔS_{k-1}", None)])
def test_isotypic_bases_against_brute_force_character_projectors(spec, k):
    """Every basis vector of a component [λ]⊗[μ] (built by Young-subgroup peeling, no
    characters) is fixed by the character projectors (dim/|G|) Σ_g χ(g) g of both factors,
    summed over all permutations of each block (independent: Murnaghan–Nakayama
    characters and brute force); k = None is the generic layout (at its own k)."""
    import itertools
    import math
    from symcrit.core import FLOAT
    from symcrit.symmetry import character, irrep_dimension, isotypic_decomposition
    dec = isotypic_decomposition(spec)
    lay = dec.layout(k)
    assert lay.mode == ("generic" if k is None else "dense")
    k = lay.kk
    H = YoungIsotropy(spec).at(k)
    blocks = [list(map(int, r)) for r in H.row_ranges()[:H.n_delta]]

    def cycle_type(g):
        seen, out = set(), []
        for s in range(len(g)):
            if s not in seen:
                n, t = 0, s
                while t not in seen:
                    seen.add(t)
                    t, n = g[t], n + 1
                out.append(n)
        return tuple(sorted(out, reverse=True))

    def project(V, block, mu):
        m = len(block)
        out = np.zeros_like(V)
        for g in itertools.permutations(range(m)):
            chi = character(mu, cycle_type(g))
            if chi:
                perm = np.arange(k)
                perm[block] = np.array(block)[list(g)]
                W = np.empty_like(V)
                W[np.ix_(perm, perm)] = V
                out += chi * irrep_dimension(mu) / math.factorial(m) * W
        return out

    checked = 0
    for comp in lay.comps:
        if not comp.copies:
            continue
        Q = lay.basis(comp, float(k), FLOAT)
        parts = [(blocks[dec.big_block], comp.irrep.partition)] + \
            list(zip([blocks[b] for b in dec.small_blocks], comp.irrep.small))
        for j in range(comp.copies):
            V = np.zeros((k, k))
            for c, ents in enumerate(lay.entries):
                for (i, jj) in ents:
                    V[i, jj] = Q[c, j]
            assert np.abs(V).max() > 0.1
            for block, mu in parts:
                mu = tuple(int(x.subs(K, k)) if hasattr(x, "subs") else int(x) for x in mu)
                assert np.allclose(project(V, block, mu), V, atol=1e-12), (comp.label, mu)
                checked += 1
    assert checked >= 10
