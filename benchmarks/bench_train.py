"""Benchmark of ``symcrit train`` (issues 7 and 19).

Default (issue 19): the wall time of ``symcrit train --k 20 --runs 100`` and of
``symcrit train --k 40 --runs 20``, each in a fresh process (imports, training on all
cores, isotypic classification of every end point), printed next to the figures before the
change: at k = 20 the command did not finish in 40 minutes (classifying the runs summed
character projectors over m! permutations with Python fractions), at k = 40 it was killed
at 3.4 GB of memory.  The largest resident memory of a process is printed too.

    python benchmarks/bench_train.py              # the two commands of issue 19
    python benchmarks/bench_train.py --quick      # a small variant (k = 6 and 8), seconds

``--ensemble`` runs the older benchmark (issue 7): 1000 runs of full-batch gradient descent
on the closed-form loss at k = d = 20 (Gaussian inputs, ReLU, teacher I, Xavier starts, the
default step 1/λ̂_max) to gradient norm 1e-8, target under 60 s on this machine; prints runs
per second and, side by side, the same with one run at a time.  The step limit is 200000,
so that every run reaches the tolerance (a few per cent end in minima whose smallest
Hessian eigenvalue is ~4e-4 and need ~1e5 steps; with ``--max-iter 20000`` they stop there
and are counted as such).

Three timings of the same runs (same seeds, same stopping rule):
  * batched: ``run_ensemble`` as ``symcrit train`` runs it — runs vectorised in chunks, the
    chunks spread over the local cores (a process pool);
  * batched, one process: the same chunks, one after the other (vectorisation alone);
  * one run at a time, one process: ``train_runs(cfg, [r])`` per run.  This one is measured
    on a subset of the runs and extrapolated (it says so), as are the others when
    ``--runs`` is smaller than 1000.

Runs that stop at ``max_iter`` instead of reaching the gradient norm are counted and
reported, and the final gradient norms are re-evaluated with the full-space gradient of
:mod:`symcrit.model` (a separate implementation of the formula).

    python benchmarks/bench_train.py --ensemble
    python benchmarks/bench_train.py --ensemble --runs 200 --subset 20
"""
import argparse
import collections
import os
import sys
import time

import numpy as np

from common import header, run_fresh


#: the commands of issue 19 and their figures before the change (same machine)
COMMANDS = [(["train", "--k", "20", "--runs", "100"],
             "did not finish in 40 min (killed)"),
            (["train", "--k", "40", "--runs", "20"],
             "killed at 3.4 GB of memory")]
QUICK = [(["train", "--k", "6", "--runs", "10"], "-"),
         (["train", "--k", "8", "--runs", "4"], "-")]


def _peak_rss_mb():
    """The largest resident memory of any child process waited for so far (MB)."""
    import resource
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def commands(quick, workers):
    """Time each command in a fresh process, next to its old figure."""
    header("bench_train" + (" (quick)" if quick else ""))
    extra = ["--workers", str(workers)] if workers else []
    rows = []
    for args, old in (QUICK if quick else COMMANDS):
        sec, rc = run_fresh([*args, *extra, "--json", "-q"])
        rows.append((" ".join(["symcrit", *args, *extra]), sec, rc, _peak_rss_mb(), old))
        print(f"  {rows[-1][0]}: {sec:.1f} s (exit {rc})", flush=True)
    w = max(len(r[0]) for r in rows)
    print(f"\n{'command':<{w}}  {'now (s)':>8}  {'exit':>4}  {'peak RSS so far':>15}  before")
    for cmd, sec, rc, mb, old in rows:
        print(f"{cmd:<{w}}  {sec:>8.1f}  {rc:>4}  {mb:>12.0f} MB  {old}")
    return 0 if all(r[2] == 0 for r in rows) else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true",
                    help="a small variant of the two commands (k = 6 and 8), seconds")
    ap.add_argument("--ensemble", action="store_true",
                    help="the issue-7 benchmark: 1000 GD runs at k = 20, batched and one at a "
                         "time")
    ap.add_argument("--runs", type=int, default=1000, help="--ensemble: runs")
    ap.add_argument("--k", type=int, default=20, help="--ensemble: k = d")
    ap.add_argument("--subset", type=int, default=40,
                    help="--ensemble: runs timed one at a time (and batched in one process)")
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--max-iter", type=int, default=None,
                    help="--ensemble: step limit per run (default 200000, the command's: "
                         "the slowest minima at k = 20, smallest Hessian eigenvalue 4e-4, "
                         "need about 1e5 steps)")
    a = ap.parse_args()
    if not a.ensemble:
        return commands(a.quick, a.workers)
    return ensemble(a)


def ensemble(a):
    """The issue-7 benchmark (see the module docstring)."""
    t0 = time.perf_counter()
    from symcrit.landscape import TrainConfig, default_workers, run_ensemble, train_runs
    from symcrit.model import Problem
    print(f"import: {time.perf_counter() - t0:.2f} s")
    workers = a.workers or default_workers()
    cfg = TrainConfig(k=a.k, runs=a.runs, optimizer="gd", seed=0, max_iter=a.max_iter)
    print(f"k = d = {cfg.k}, {cfg.runs} runs, GD on the closed-form loss, step {cfg.lr:.4g}, "
          f"gtol {cfg.gtol:g}, max_iter {cfg.max_iter}, Xavier starts, {workers} worker "
          f"process(es) on {os.cpu_count()} cores")
    print("load average before the start (other work on the machine slows this down): "
          + ", ".join(f"{x:.2f}" for x in os.getloadavg()))

    # 1. batched, over the local cores (what `symcrit train` does)
    t = time.perf_counter()
    recs = run_ensemble(cfg, workers=workers)
    t_batch = time.perf_counter() - t
    reasons = collections.Counter(r["reason"] for r in recs)
    its = np.array([r["iterations"] for r in recs])
    gnorm = np.array([float(r["gradient_norm"]) for r in recs])
    reached = reasons.get("gradient", 0)
    print(f"\nbatched, {workers} process(es): {t_batch:.1f} s for {len(recs)} runs")
    print(f"  stopping: reached |grad| < {cfg.gtol:g}: {reached}; "
          f"max_iter ({cfg.max_iter}): {reasons.get('max_iter', 0)}; "
          f"diverged: {reasons.get('diverged', 0)}")
    print(f"  steps per run: mean {its.mean():.0f}, median {np.median(its):.0f}, "
          f"max {its.max()}; total {its.sum()} steps")
    if reasons.get("max_iter"):
        left = gnorm[[r["reason"] == "max_iter" for r in recs]]
        print(f"  runs stopped at max_iter: final |grad| from {left.min():.2e} to "
              f"{left.max():.2e}")
    # the final gradient norms again, by the full-space formula of symcrit.model
    P = Problem.canonical(cfg.k, cfg.d)
    worst = 0.0
    for r in recs:
        if r["reason"] != "gradient":
            continue
        W = np.array([[float(x) for x in row] for row in r["W"]])
        worst = max(worst, float(np.sqrt((np.asarray(P.gradient(W), float) ** 2).sum())))
    print(f"  largest |grad| of the runs that reached the tolerance, by symcrit.model's "
          f"full-space gradient: {worst:.3e}")

    # 2. and 3. on a subset: batched in one process, and one run at a time
    sub = list(range(min(a.subset, cfg.runs)))
    t = time.perf_counter()
    train_runs(cfg, sub)                      # 32 runs wide, refilled as runs stop
    t_one_proc = time.perf_counter() - t
    t = time.perf_counter()
    single = [train_runs(cfg, [r])[0] for r in sub]
    t_single = time.perf_counter() - t
    same = max(np.abs(np.array(s["W"], float) - np.array(recs[r]["W"], float)).max()
               for s, r in zip(single, sub))
    its_sub = its[sub].sum()
    scale = its.sum() / its_sub               # extrapolate by the number of steps
    est_one_proc = t_one_proc * scale
    est_single = t_single * scale
    est_batch = t_batch * 1000 / cfg.runs
    print(f"\none run at a time, 1 process: {t_single:.1f} s for runs 0..{len(sub) - 1} "
          f"({its_sub} steps); extrapolated by steps to the {cfg.runs} runs: "
          f"{est_single:.0f} s")
    print(f"batched, 1 process:           {t_one_proc:.1f} s for the same runs; "
          f"extrapolated: {est_one_proc:.0f} s")
    print(f"  the single-run end points equal the batched ones to {same:.1e} (max |ΔW|)")

    print(f"\n{'':34s} {'time (s)':>10s} {'runs/s':>9s}")
    rows = [(f"batched, {workers} process(es) [measured]", t_batch),
            ("batched, 1 process [extrapolated]", est_one_proc),
            ("one run at a time [extrapolated]", est_single)]
    for name, sec in rows:
        print(f"{name:34s} {sec:>10.1f} {cfg.runs / sec:>9.1f}")
    print(f"ratio one-at-a-time / batched: {est_single / t_batch:.1f}x "
          f"(vectorisation alone: {est_single / est_one_proc:.1f}x)")
    note = "" if cfg.runs == 1000 else f" (scaled from {cfg.runs} runs)"
    print(f"1000 runs batched: {est_batch:.1f} s{note}   [target < 60 s: "
          f"{'met' if est_batch < 60 else 'NOT met'}]; {reached} of {cfg.runs} runs "
          f"reached |grad| < {cfg.gtol:g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
