"""Benchmark (issue 14): finite-data ReLU networks.

1. One run of experiment 1 of Wu, Şimşek, Ged (ICLR 2025, arXiv:2402.05626): 6·10^5
   full-batch gradient steps, m = 50, N = 5 — target under 30 s on this 2-core machine.
   Printed beside it: the same steps as a plain numpy loop (one numpy call per operation,
   the usual way to write it), timed on ``--baseline-steps`` steps and extrapolated
   (``--baseline-steps 600000`` times it in full), and the ratio.  The two trajectories
   are compared on the common steps.
2. The stationarity test of a 50-neuron point — target under 1 s: the end point of that
   run (numerical mode, one LP per kink cone) and its exact snap (rational mode).

    python benchmarks/bench_finite.py
    python benchmarks/bench_finite.py --baseline-steps 600000
"""
import argparse
import os
import time

import numpy as np


def numpy_loop(W, H, X, Y, lr, steps):
    """The plain per-step numpy gradient descent (ReLU)."""
    N, k = Y.shape
    c = 2.0 / (N * k)
    losses = np.empty(steps)
    for s in range(steps):
        Z = W @ X.T
        P = Z > 0
        A = Z * P
        R = H.T @ A - Y.T
        losses[s] = np.vdot(R, R) / (N * k)
        gH = A @ R.T
        gW = ((H @ R) * P) @ X
        H = H - (lr * c) * gH
        W = W - (lr * c) * gW
    return losses


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline-steps", type=int, default=60000)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    t0 = time.perf_counter()
    from symcrit.finite import (EXPERIMENTS, analyse, gd_steps, gradient_descent,
                                initial_weights, load_data, snap_point)
    print(f"import: {time.perf_counter() - t0:.2f} s; {os.cpu_count()} cores; load average "
          + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    cfg = EXPERIMENTS["wsg-1d"]
    data = load_data(cfg["data"])
    W, H = initial_weights(cfg["width"], data.d, data.d_out, cfg["mu"], a.seed)
    t = time.perf_counter()
    gd_steps(W.copy(), H.copy(), data, cfg["lr"], 10)
    print(f"compile (or load from the numba cache): {time.perf_counter() - t:.2f} s")

    t = time.perf_counter()
    tr = gradient_descent(data, cfg["width"], cfg["mu"], cfg["lr"], cfg["steps"], seed=a.seed)
    t_run = time.perf_counter() - t
    print(f"\nexperiment 1 (m = {cfg['width']}, N = {data.N}, {cfg['steps']} steps): "
          f"{t_run:.2f} s in total, {tr.seconds:.2f} s of gradient descent "
          f"({1e6 * tr.seconds / cfg['steps']:.2f} µs per step); target < 30 s: "
          f"{'met' if t_run < 30 else 'NOT met'}")

    nb = min(a.baseline_steps, cfg["steps"])
    t = time.perf_counter()
    ref = numpy_loop(W.copy(), H.copy(), data.Xf, data.Yf, cfg["lr"], nb)
    t_np = (time.perf_counter() - t) * cfg["steps"] / nb
    how = "measured" if nb == cfg["steps"] else f"extrapolated from {nb} steps"
    print(f"plain numpy loop: {t_np:.2f} s ({how}; "
          f"{1e6 * t_np / cfg['steps']:.2f} µs per step)")
    print(f"ratio numpy loop / compiled run: {t_np / tr.seconds:.1f}x")
    sel = tr.loss_steps < nb
    dev = np.abs(tr.losses[sel] - ref[tr.loss_steps[sel]]).max()
    print(f"largest loss difference on the common steps: {dev:.2e}")

    print("\nstationarity test of the 50-neuron end point:")
    net = tr.network()
    for mode, kw in (("numerical (LP per cone)", dict(exact=False, tol=1e-8,
                                                      kink_tol=1e-8)),):
        t = time.perf_counter()
        rep = analyse(net, data, **kw)
        dt = time.perf_counter() - t
        print(f"  {mode}: {dt:.3f} s — d-stationary {rep.d_stationary}, Clarke "
              f"{rep.clarke_stationary}, local minimum {rep.local_minimum}; target < 1 s: "
              f"{'met' if dt < 1 else 'NOT met'}")
    t = time.perf_counter()
    s = snap_point(tr.W, tr.H, data)
    t_snap = time.perf_counter() - t
    t = time.perf_counter()
    rep = analyse(s.net, data, exact=True)
    dt = time.perf_counter() - t
    print(f"  exact snap {s.loss_text()} ({t_snap:.3f} s), exact test: {dt:.3f} s — "
          f"d-stationary {rep.d_stationary}, Clarke {rep.clarke_stationary}, local minimum "
          f"{rep.local_minimum}, radius {float(rep.certificate_radius):.3g}; target < 1 s: "
          f"{'met' if dt < 1 else 'NOT met'}")

    cfg = EXPERIMENTS["wsg-2out"]
    data = load_data(cfg["data"])
    tr = gradient_descent(data, cfg["width"], cfg["mu"], cfg["lr"], cfg["steps"], seed=a.seed)
    print("\nthe 50-neuron end point of experiment 3 (2-D output, many neurons on kinks):")
    t = time.perf_counter()
    rep = analyse(tr.network(), data, exact=False, tol=1e-6, kink_tol=1e-6)
    dt = time.perf_counter() - t
    kinks = sum(n.status == "kink" or bool(n.kinks) for n in rep.neurons)
    print(f"  numerical (LP per cone): {dt:.3f} s, {kinks} neurons with kinks — d-stationary "
          f"{rep.d_stationary}, Clarke {rep.clarke_stationary}; target < 1 s: "
          f"{'met' if dt < 1 else 'NOT met'}")
    s = snap_point(tr.W, tr.H, data)
    t = time.perf_counter()
    rep = analyse(s.net, data, exact=True)
    dt = time.perf_counter() - t
    kinks = sum(bool(n.kinks) for n in rep.neurons)
    print(f"  exact snap {s.loss_text()}, exact test: {dt:.3f} s, {kinks} neurons with kinks — "
          f"d-stationary {rep.d_stationary}, Clarke {rep.clarke_stationary}, local minimum "
          f"{rep.local_minimum}; target < 1 s: {'met' if dt < 1 else 'NOT met'}")


if __name__ == "__main__":
    main()
