"""Reproduce the three experiments of Wu, Şimşek, Ged, "Loss landscape of shallow ReLU-like
neural networks: stationary points, saddle escape, and network embedding", ICLR 2025,
arXiv:2402.05626, end to end.

For each experiment (m = 50, ReLU, N(0, (m^μ)²) start, full-batch GD; settings in
``symcrit.finite.EXPERIMENTS``): the run, its plateaus with the run's loss and the exact
loss of the stationary point each approaches (a fraction, or a closed form with square
roots for 2-D output), the escape neurons there (exact where the snapped point is
rational), the final point's classification (exact certificate or descent path) and a
random perturbation test of it (5000 draws; the paper's check, Figure 10), the neuron
groups at the end and the drift of the balancedness.

    python derivations/wsg_experiments.py              # all three, figures and JSON
    python derivations/wsg_experiments.py --quick      # no figures, 500 perturbations
    python derivations/wsg_experiments.py --seeds 0,1,2 --only wsg-1d --out results/

The checks at the end compare every exact plateau loss with the run's loss (to the run's
own change across the plateau) and the final exact loss with independent numpy values.
"""
import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np


def independent_checks(name, rep, data):
    """Values computed here with numpy only, against the exact losses."""
    out = []
    Y, X = data.Yf, data.Xf
    first = rep.plateaus[0].snap.exact_loss if rep.plateaus else None
    if first is not None:
        out.append(("first plateau = |y|²/(N d_out) (the zero network)",
                    abs(float(first) - (Y ** 2).mean()) < 1e-15))
    if name == "wsg-1d":
        res = np.linalg.lstsq(X, Y, rcond=None)[1]
        out.append(("final = linear least squares on (s, 1)",
                    abs(float(rep.final_snap.exact_loss) - float(res[0]) / len(Y)) < 1e-15))
    if name == "wsg-2out":
        s = np.linalg.svd(Y[:2], compute_uv=False)
        out.append(("plateau 3 = (|y4|² + σ₂(y1, y2)²)/8",
                    len(rep.plateaus) > 2 and abs(float(rep.plateaus[2].snap.exact_loss)
                                                  - ((Y[3] ** 2).sum() + s[1] ** 2) / 8)
                    < 1e-14))
        out.append(("final = |y4|²/8", abs(float(rep.final_snap.exact_loss)
                                           - (Y[3] ** 2).sum() / 8) < 1e-15))
    if name == "wsg-3d":
        out.append(("final = 0 (interpolation)", rep.final_snap.exact_loss == 0))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="no figures, 500 perturbations")
    ap.add_argument("--only", help="one experiment (wsg-1d, wsg-3d, wsg-2out)")
    ap.add_argument("--seeds", default="0", help="comma-separated seeds")
    ap.add_argument("--out", default="wsg-results", help="folder for JSON and figures")
    a = ap.parse_args()
    from symcrit.finite import EXPERIMENTS, load_data, plot_run, run_experiment
    names = [a.only] if a.only else list(EXPERIMENTS)
    out = Path(a.out)
    if not a.quick:
        out.mkdir(parents=True, exist_ok=True)
    failed = 0
    for name in names:
        for seed in (int(s) for s in a.seeds.split(",")):
            t0 = time.perf_counter()
            tr, rep = run_experiment(name, seed=seed, perturb_draws=500 if a.quick else 5000)
            cfg = rep.config
            print(f"\n== {name} (seed {seed}): m = {cfg['width']}, mu = {cfg['mu']}, "
                  f"lr = {cfg['lr']}, {cfg['steps']} steps; {time.perf_counter() - t0:.1f} s "
                  f"({tr.seconds:.1f} s of gradient descent)")
            print(f"{'start':>8} {'end':>8} {'run loss':>22}  {'exact loss':<26} "
                  f"{'= decimal':>24} {'gap':>9} {'esc':>4}  point")
            for p in rep.plateaus:
                j = p.to_json()
                kind = {True: "local min", False: "saddle", None: "undecided"}[
                    j["local_minimum"]]
                if j["d_stationary"] is False:
                    kind = "not stationary"
                print(f"{j['start']:>8} {j['end']:>8} {j['loss']:>22}  "
                      f"{(j['exact_loss'] or '(numerical)'):<26} "
                      f"{(j['exact_loss_decimal'] or '')[:24]:>24} "
                      f"{float(j['loss_gap']):>9.1e} {len(j['escape_neurons'] or []):>4}  "
                      f"{kind} ({j['certainty']})")
            pt = rep.perturbation
            print(f"final: loss {rep.final_loss!r}, exact {rep.final_snap.loss_text()}, "
                  f"{rep.final_status} ({rep.final.certainty}); perturbation test: "
                  f"{pt['draws']} draws, radius {pt.get('radius', 0):.3g}, min change "
                  f"{pt.get('min_change', float('nan')):.3g}, {pt.get('negative', 0)} "
                  f"lowered the loss")
            print("groups: " + "; ".join(
                f"{len(g['neurons'])}" + (f" at {float(g['angle']):.2f}°" if g["angle"] else "")
                for g in rep.groups) + f"; balancedness drift {rep.balancedness_drift:.2e}")
            for what, ok in independent_checks(name, rep, load_data(name)):
                print(f"  check: {what}: {'ok' if ok else 'FAILED'}")
                failed += not ok
            for p in rep.plateaus:
                if p.snap.exact_loss is not None:
                    sel = (tr.loss_steps >= p.start) & (tr.loss_steps <= p.end)
                    spread = float(np.ptp(tr.losses[sel]))
                    ok = p.snap.loss_gap <= max(spread, 1e-12)
                    failed += not ok
                    if not ok:
                        print(f"  check: plateau at {p.center}: gap {p.snap.loss_gap:.2e} "
                              f"exceeds the run's change {spread:.2e}: FAILED")
            if not a.quick:
                stem = out / f"{name}-seed{seed}"
                stem.with_suffix(".json").write_text(json.dumps(rep.to_json(), indent=1))
                plot_run(tr, rep, str(stem) + ".png")
                print(f"  wrote {stem}.json and {stem}.png")
    print("\nall checks passed" if not failed else f"\n{failed} check(s) FAILED")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
