"""Reproduce the catalogue seeds: search each isotropy at k = 12 without hints, and match
the critical points found with the families described in the literature.

Run:  python derivations/catalogue.py        (about two minutes)

It prints, per isotropy, every critical point found (loss, parameters), then the seed of
each catalogue family and the difference from the seed stored in
symcrit.critical.families.CATALOGUE (which should be ~1e-15: the stored seeds are these
points at 15 digits).
"""
import mpmath

from symcrit.critical.families import CATALOGUE
from symcrit.critical.search import search


def pick(points, rule):
    for p in points:
        if rule([float(x) for x in p.xi], float(p.loss)):
            return p
    return None


RULES = {
    # k-1 neurons near their targets (a ~ 1), the last anti-aligned (e ~ -1), spurious
    "type-A": ("ΔS_{k-1}", lambda x, L: x[0] > 0.9 and x[4] < -0.5 and L > 1e-8),
    # two defect neurons: the 2x2 diagonal (e) anti-aligned
    "type-A2": ("D(S_{k-2}xS_2)", lambda x, L: x[0] > 0.9 and x[4] < -0.5 and L > 1e-8),
    # m defect neurons: the m x m diagonal (e) anti-aligned, the defects' weights on the
    # other targets (c) of the same size as for type-A2
    **{f"type-A{m}": (f"D(S_{{k-{m}}}xS_{m})",
                      lambda x, L: x[0] > 0.9 and x[4] < -0.5 and x[2] > 0.14 and L > 1e-8)
       for m in (3, 4, 5)},
    # a ~ -1, e ~ +1
    "hidden-A": ("ΔS_{k-1}", lambda x, L: x[0] < -0.5 and x[4] > 0.9),
    # a ~ -1, b ~ 0 (small positive)
    "hidden-D": ("ΔS_k", lambda x, L: x[0] < -0.5 and abs(x[1]) < 0.3),
}


def main(k=12, starts=300):
    found = {}
    for spec in sorted({s for s, _ in RULES.values()}):
        pts = search(spec, k=k, starts=starts, seed=1, dps=30)
        found[spec] = pts
        print(f"{spec}: {len(pts)} critical points at k = {k}")
        for p in pts:
            print("   loss", mpmath.nstr(p.loss, 12), [mpmath.nstr(x, 8) for x in p.xi])
    print()
    for name, (spec, rule) in RULES.items():
        p = pick(found[spec], rule)
        seed = [mpmath.nstr(x, 15) for x in p.xi]
        stored = CATALOGUE[name].seed
        diff = max(abs(mpmath.mpf(a) - mpmath.mpf(b)) for a, b in zip(seed, stored))
        print(f"{name:9s} {spec:16s} loss {mpmath.nstr(p.loss, 12):>16s}  seed {seed}")
        print(f"{'':9s} difference from the stored seed: {mpmath.nstr(diff, 3)}")


if __name__ == "__main__":
    main()
