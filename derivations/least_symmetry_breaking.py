"""The least-symmetry-breaking experiment (issue 7): what gradient methods find, and its
symmetry.

1. Gaussian inputs, ReLU, identity teacher, k = d = 6 … 20: gradient descent on the
   closed-form loss from Xavier starts (Safran & Shamir 2018, "Spurious local minima are
   common in two-layer ReLU neural networks", ICML, arXiv:1712.08968); the fraction of
   runs ending in a spurious minimum (it rises with k) and the isotropy types found, each
   confirmed by refinement in its fixed space, checked to be a minimum by the full
   Hessian, and named by the catalogue (Arjevani & Field 2021, Physica D,
   arXiv:2003.10576; NeurIPS 2021, arXiv:2107.10370).  The training and the
   classification are the library's (``symcrit.landscape.run_ensemble``, ``analyse``).
2. The three extensions (Arjevani & Field: the principle of least symmetry breaking
   holds experimentally beyond the Gaussian ReLU case):
   a. input laws: an equicorrelated Gaussian (non-isotropic, not a product law) and a
      Gaussian mixture, both in closed form, by GD; the uniform law on a cube, by SGD;
   b. activations: erf in closed form, by GD; tanh by SGD on fresh samples;
   c. a three-layer student and teacher, by SGD, isotropy read on the first layer.
   Without a closed form (2a cube, 2b tanh, 2c) no critical point is established: runs
   are "global" (Monte Carlo loss < 1e-3) or "non-global", and the isotropy of noisy end
   points is read with a tolerance of 3e-2.

Ends with one summary table.  ``--quick`` runs a reduced version (k = 6, 10, 14, few runs;
under 10 s on two cores); the full run (100 runs per k) takes about 3 minutes.

    python derivations/least_symmetry_breaking.py --quick
    python derivations/least_symmetry_breaking.py              # 100 runs per k
    python derivations/least_symmetry_breaking.py --runs 1000  # Safran & Shamir's count
"""
import argparse
import sys
import time

from symcrit.landscape import TrainConfig, analyse, run_ensemble, summary_table


def sweep(cfg, tol=None):
    t = time.perf_counter()
    recs = run_ensemble(cfg)
    rows = analyse(recs, cfg, tol=tol)
    table = summary_table(rows)
    n = len(rows)
    frac = {kind: sum(t["count"] for t in table if t["kind"] == kind) / n
            for kind in ("global", "spurious", "saddle", "non-global", "not converged")}
    frac["other"] = sum(t["count"] for t in table
                        if t["kind"] not in ("global", "spurious")) / n
    return table, frac, time.perf_counter() - t


def fmt_types(table, kinds=("spurious", "non-global", "saddle", "degenerate")):
    parts = [f"{t['isotropy']}{'=' + t['family'] if t['family'] else ''} ×{t['count']}"
             for t in table if t["kind"] in kinds]
    return "; ".join(parts) or "-"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--runs", type=int, default=None)
    a = ap.parse_args()
    t_all = time.perf_counter()
    runs = a.runs or (12 if a.quick else 100)
    ks = [6, 10, 14] if a.quick else list(range(6, 21))
    summary = []
    print("1. Gaussian inputs, ReLU, gradient descent on the closed-form loss "
          f"({runs} runs per k, Xavier starts, |grad| < 1e-8)")
    print(f"{'k':>3} {'global':>7} {'spurious':>9} {'other':>6}  spurious minima: isotropy "
          "(catalogue family) × runs")
    for k in ks:
        cfg = TrainConfig(k=k, runs=runs, optimizer="gd", seed=k)
        table, frac, sec = sweep(cfg)
        print(f"{k:>3} {frac['global']:>7.2f} {frac['spurious']:>9.2f} {frac['other']:>6.2f}  "
              f"{fmt_types(table)}   ({sec:.0f} s)")
        summary.append((f"gaussian relu GD, k={k}", frac, fmt_types(table)))
    print("   (other: saddles, degenerate or not converged within max_iter)")

    print("\n2. Extensions")
    k = 6 if a.quick else 10
    few = max(4, runs // 3)
    long_sgd = 3000 if a.quick else 20000
    ext = [
        ("2a equicorrelated 0.2, relu, GD", TrainConfig(
            k=k, runs=runs, optimizer="gd", law="equicorrelated:0.2", seed=1), None),
        ("2a mixture 0.5,1.5, relu, GD", TrainConfig(
            k=k, runs=runs, optimizer="gd", law="mixture:0.5,1.5", seed=5), None),
        ("2a uniform cube, relu, SGD", TrainConfig(
            k=k, runs=few, optimizer="sgd", law="uniform-cube", lr=0.05,
            max_iter=long_sgd, batch=512, seed=6), 3e-2),
        ("2b gaussian, erf, GD", TrainConfig(
            k=k, runs=runs, optimizer="gd", activation="erf", seed=2), None),
        ("2b gaussian, tanh, SGD", TrainConfig(
            k=k, runs=few, optimizer="sgd", activation="tanh", lr=0.05,
            max_iter=long_sgd, batch=512, seed=3), 3e-2),
        ("2c three layers, relu, SGD", TrainConfig(
            k=k, runs=few, depth=3, optimizer="sgd", lr=0.05, max_iter=long_sgd,
            batch=512, seed=4), 3e-2),
    ]
    for name, cfg, tol in ext:
        table, frac, sec = sweep(cfg, tol)
        print(f"{name:<34} k = {k}, {cfg.runs} runs: global {frac['global']:.2f}, "
              f"spurious {frac['spurious']:.2f}, non-global {frac['non-global']:.2f}; "
              f"{fmt_types(table)}   ({sec:.0f} s)")
        summary.append((name + f", k={k}", frac, fmt_types(table)))

    print("\nSummary")
    print(f"{'experiment':<36} {'global':>7} {'spurious':>9} {'non-global':>11}  "
          "types of the non-global end points")
    for name, frac, types in summary:
        print(f"{name:<36} {frac['global']:>7.2f} {frac['spurious']:>9.2f} "
              f"{frac['non-global']:>11.2f}  {types}")
    print("\n'spurious': a critical point confirmed (refined in Fix(H) or closed-form "
          "gradient < 1e-6) with a positive-definite Hessian; 'non-global': no closed form, "
          "Monte Carlo loss >= 1e-3 (a run may still be moving).  The spurious minima keep "
          "large isotropy groups (ΔS_{k-1}, Δ(S_{k-2}×S_2), …): the principle of least "
          "symmetry breaking.")
    print(f"total time {time.perf_counter() - t_all:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
