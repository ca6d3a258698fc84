"""Reproduce the wider families of the catalogue (issue 12; Arjevani & Field 2022,
"Annihilation of spurious minima in two-layer ReLU networks", arXiv:2210.06088): search the
fixed spaces of the (k+1)-neuron problem for strict local minima with a positive loss, match
them with the wider families of symcrit.critical.CATALOGUE (up to the symmetry group), and
compare each family's point at its seed k with the stored seed; then search the
(k+2)-neuron problem, where no strict minimum is found.

Run:  python derivations/wider.py          (ten minutes or so)
"""
import mpmath

from symcrit.critical import CATALOGUE
from symcrit.wider import search_wider

SEARCHES = [("ΔS_{k-1}", 10), ("Δ(S_{k-2}×S_2)", 10), ("ΔS_{k-1}", 14),
            ("Δ(S_{k-2}×S_2)", 14), ("Δ(S_{k-3}×S_3)", 14), ("Δ(S_{k-4}×S_4)", 14),
            ("Δ(S_{k-5}×S_5)", 16)]


def main():
    seen = set()
    for base, k in SEARCHES:
        for m in search_wider(base, k, extra=1, starts=400):
            print(f"k = {k}: {m.isotropy}: loss {mpmath.nstr(m.loss, 15)}, λ_min "
                  f"{mpmath.nstr(m.min_eigenvalue, 5)}, {m.samples} roots -> {m.family}")
            seen.add(m.family)
    for fam in CATALOGUE.values():
        if not fam.n_extra:
            continue
        seed = fam.seed_point(30)
        diff = max(abs(a - mpmath.mpf(b)) for a, b in zip(seed.xi, fam.seed))
        print(f"{fam.name}: found by the search: {fam.name in seen}; seed at k = "
              f"{fam.seed_k} refines within {mpmath.nstr(diff, 3)} of the stored one")
    for base, k in SEARCHES[:4]:
        res = search_wider(base, k, extra=2, starts=400)
        print(f"k = {k}, n = k+2, {base}: {len(res)} strict minima")


if __name__ == "__main__":
    main()
