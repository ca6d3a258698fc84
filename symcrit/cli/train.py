"""``symcrit train --k K --runs N [...]``: a training ensemble, the isotropy of what it finds,
whether each end point is a minimum, and which catalogue family each spurious minimum is.

Example::

    symcrit train --k 10 --runs 50                      # GD on the closed-form loss
    symcrit train --k 8 --runs 40 --law equicorrelated:0.2 --optimizer adam
    symcrit train --k 6 --runs 20 --activation tanh --optimizer sgd --max-iter 3000
    symcrit train --k 10 --runs 200 --out sweep.jsonl   # interrupted? run it again
    symcrit train --k 6 --n 7 --runs 20                 # a wider student, teacher I_6

The training is :func:`symcrit.landscape.run_ensemble`, the classification of each run
:func:`symcrit.landscape.analyse` (its module docstring says how each ``kind`` is decided),
the figure :func:`symcrit.plotting.plot_training`; this module parses the arguments and
prints.  References: Safran & Shamir 2018, "Spurious local minima are common in two-layer
ReLU neural networks", ICML, arXiv:1712.08968 (the experiment); Arjevani & Field 2021,
"Analytic study of families of spurious minima in two-layer ReLU neural networks: a tale of
symmetry II", NeurIPS, arXiv:2107.10370 (the families and their isotropy).
"""
from __future__ import annotations

import math
from collections import Counter
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

from ..core import InputError, dec, float_text, k_json
from ..landscape import (K_MAX, MAX_ITER, OPTIMIZERS, WORKERS_PER_CORE, TrainConfig, analyse,
                         check_results_path, default_tolerance, memory_limit, run_ensemble,
                         summary_table)
from ..plotting import check_plot_path, plot_training
from .common import emit_json, progress

__all__ = ["add_parser", "run", "fraction_text"]


def add_parser(sub):
    """Register ``symcrit train`` (its options and help) on the subcommand parsers
    ``sub``; the parser's ``func`` is :func:`run`."""
    from . import HELP, command_parser
    p = command_parser(
        sub, "train", HELP["train"],
        description="Train many students (GD on the closed-form loss, SGD on "
                    "fresh samples, or Adam) from random Xavier/He starts, "
                    "detect the isotropy group of each end point, confirm it "
                    "by refinement in its fixed space, check that it is a "
                    "minimum, and name the catalogue family of each spurious "
                    "minimum (the principle of least symmetry breaking, "
                    "Arjevani & Field).  Sizes are checked before any work: k and d up "
                    f"to {K_MAX}, at most {WORKERS_PER_CORE} worker processes per core, "
                    "and the memory the runs would take against --max-memory.",
        examples=["symcrit train --k 10 --runs 50",
                  "symcrit train --k 8 --runs 40 --law equicorrelated:0.2 --optimizer adam",
                  "symcrit train --k 6 --runs 20 --activation tanh --optimizer sgd "
                  "--max-iter 3000",
                  "symcrit train --k 10 --runs 200 --out sweep.jsonl",
                  "symcrit train --k 6 --n 7 --runs 20"])
    p.add_argument("--k", type=int, required=True,
                   help=f"neurons of the student (1 to {K_MAX}), = d by default; with --n: "
                        "the teacher's neurons")
    p.add_argument("--d", type=int, default=None,
                   help=f"input dimension, 1 to {K_MAX} (default: k)")
    p.add_argument("--n", type=int, default=None,
                   help="a wider student: n neurons against the teacher I_k (k = d); the "
                        "isotropy is labelled in S_n × S_d and each point named as an "
                        "embedding or a wider family")
    p.add_argument("--runs", type=int, default=20,
                   help="independent runs (bounded by the memory their records take, "
                        "see --max-memory)")
    p.add_argument("--optimizer", choices=OPTIMIZERS, default="gd",
                   help="gd: full-batch gradient descent on the closed-form loss; sgd: "
                        "minibatches of fresh samples; adam")
    p.add_argument("--law", default="gaussian",
                   help="input law: gaussian, equicorrelated:RHO, mixture:S1,S2, "
                        "uniform-cube, uniform-sphere")
    p.add_argument("--activation", default="relu", help="relu, erf, softplus, tanh")
    p.add_argument("--depth", type=int, choices=(2, 3), default=2,
                   help="layers of the student (3 needs k = d and sgd or adam)")
    p.add_argument("--init", choices=("xavier", "he"), default="xavier",
                   help="initialisation of the starts")
    p.add_argument("--lr", type=float, default=None,
                   help="step size (default: gd 1/λ̂ with λ̂ the largest Hessian eigenvalue "
                        "by power iteration, sgd an eighth of that, adam 0.01)")
    p.add_argument("--max-iter", type=int, default=None,
                   help=f"steps per run, at most {MAX_ITER:.0e} (default 200000 for GD "
                        "and Adam on a closed-form loss, which stop at --gtol; 20000 "
                        "otherwise)")
    p.add_argument("--gtol", type=float, default=1e-8, help="stop at this gradient norm")
    p.add_argument("--batch", type=int, default=256,
                   help="SGD minibatch (bounded by the memory it takes, see --max-memory)")
    p.add_argument("--seed", type=int, default=0,
                   help="run r starts from the generator [seed, r]")
    p.add_argument("--tol", type=float, default=None,
                   help="tolerance for equal entries in isotropy detection (default 1e-4 "
                        "with a closed-form loss, SGD end points being polished by GD "
                        "first; 3e-2 without one)")
    p.add_argument("--workers", type=int, default=None,
                   help=f"local processes, at most {WORKERS_PER_CORE} per core (default: "
                        "all cores)")
    p.add_argument("--chunk", type=int, default=None, help="runs per task (default: about "
                                                           "four tasks per worker)")
    p.add_argument("--scheduler", help="Dask scheduler address (tcp://host:port; default: "
                                       "none, local processes)")
    p.add_argument("--out", metavar="FILE",
                   help="JSON-lines file for the runs, a regular file or a new path "
                        "(written as they finish and locked meanwhile; an existing file "
                        "is resumed, lines that are not records of this sweep are moved "
                        "to FILE.quarantine and their runs run again; default: none)")
    p.add_argument("--max-memory", type=float, default=None, metavar="GIB",
                   help="memory the sweep may take, GiB: the workers' batches and the "
                        "records of all runs are checked against it before any work "
                        f"(default: half the physical memory, {memory_limit() / 2 ** 30:.3g} "
                        "GiB here)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--plot", metavar="FILE", help="bar chart of isotropy types and losses")
    p.set_defaults(func=run)
    return p


def fraction_text(count, total):
    """``count/total`` as a decimal string: exact when it has at most 6 decimals
    (``"1"``, ``"0.25"``), else rounded to 4 decimals (``"0.3333"``).

    >>> fraction_text(4, 4), fraction_text(1, 4), fraction_text(1, 3), fraction_text(0, 7)
    ('1', '0.25', '0.3333', '0')
    """
    q = Fraction(count, total)
    for places in range(7):
        if (q * 10 ** places).denominator == 1:
            break
    else:
        places = 4
    v = Decimal(q.numerator) / Decimal(q.denominator)
    text = f"{v.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN):f}"
    return text


def _s(x):
    return None if x is None else float_text(x)


def run(args):
    """Run ``symcrit train`` with the parsed arguments ``args``; the return value is the
    exit code (None for 0)."""
    if args.plot:
        check_plot_path(args.plot)
    if args.tol is not None and not (args.tol > 0 and math.isfinite(args.tol)):
        raise InputError(f"--tol must be positive, got {args.tol}")
    if args.workers is not None and args.workers < 1:
        raise InputError("--workers must be at least 1")
    if args.chunk is not None and args.chunk < 1:
        raise InputError("--chunk must be at least 1")
    max_memory = None
    if args.max_memory is not None:
        if not (math.isfinite(args.max_memory) and 0 < args.max_memory <= 2 ** 20):
            raise InputError(f"--max-memory must be a number of GiB in (0, 1048576], got "
                             f"{args.max_memory}")
        max_memory = int(args.max_memory * 2 ** 30)
    if args.out is not None:
        check_results_path(args.out)
    if args.n is not None:
        if args.d is not None and args.d != args.k:
            raise InputError("--n takes the teacher I_k with d = k: leave out --d")
        if args.n < 1:
            raise InputError(f"--n must be positive, got {args.n}")
        args.k, args.d = args.n, args.k        # TrainConfig: k student neurons, d inputs
    cfg = TrainConfig(k=args.k, d=args.d, runs=args.runs, optimizer=args.optimizer,
                      law=args.law, activation=args.activation, depth=args.depth,
                      init=args.init, lr=args.lr, max_iter=args.max_iter, gtol=args.gtol,
                      batch=args.batch, seed=args.seed)
    bar = progress(range(cfg.runs), total=cfg.runs, desc="runs", enabled=not args.json)
    try:
        recs = run_ensemble(cfg, out=args.out, workers=args.workers,
                            scheduler=args.scheduler, chunk=args.chunk,
                            progress=lambda n: bar.update(n), max_memory=max_memory)
    finally:
        bar.close()
    bar = progress(range(len(recs)), total=len(recs), desc="isotropy",
                   enabled=not args.json)
    rows = analyse(recs, cfg, tol=args.tol, progress=lambda n: bar.update(n))
    bar.close()
    table = summary_table(rows)
    tol = args.tol if args.tol is not None else default_tolerance(cfg)
    title = (f"k = {cfg.k}, d = {cfg.d}, {cfg.runs} runs, {cfg.optimizer}, law {cfg.law}, "
             f"{cfg.activation}, depth {cfg.depth}")
    if args.n is not None:
        title = (f"n = {cfg.k} student neurons, teacher I_k with k = d = {cfg.d}, "
                 f"{cfg.runs} runs, {cfg.optimizer}, law {cfg.law}, {cfg.activation}")
    reasons = dict(Counter(r["reason"] for r in recs))
    if args.plot:
        plot_training(table, rows, args.plot, title)
    if args.json:
        emit_json("train", _json(cfg, tol, reasons, table, rows))
        return 0
    _print(cfg, tol, reasons, table, title)
    if args.out:
        print(f"runs written to {args.out}")
    if args.plot:
        print(f"plot written to {args.plot}")
    return 0


def _json(cfg, tol, reasons, table, rows):
    """The fields of the ``--json`` document (``symcrit.train``): numbers as decimal
    strings, k and d too; counts (runs, steps) as integers; a fraction exact from the
    counts (:func:`fraction_text`)."""
    config = cfg.key() | {"runs": cfg.runs}
    config.update(k=k_json(cfg.k), d=k_json(cfg.d))
    if cfg.k != cfg.d:
        config.update(n=k_json(cfg.k), teacher_k=k_json(cfg.d))
    n = len(rows)
    return {"config": config,
            "loss_method": "closed form" if cfg.closed_form else "Monte Carlo",
            "isotropy_tolerance": float_text(tol),
            "stopping": reasons,
            "summary": [{**t, "fraction": fraction_text(t["count"], n),
                         "loss_min": _s(t["loss_min"]),
                         "loss_max": _s(t["loss_max"]),
                         "min_hessian_eigenvalue": _s(t["min_hessian_eigenvalue"]),
                         "max_confirm_distance": _s(t["max_confirm_distance"]),
                         "margin_min": _s(t["margin_min"])} for t in table],
            "runs": [{**r, "loss": _s(r["loss"]),
                      "gradient_norm": _s(r["gradient_norm"]),
                      "order": None if r["order"] is None else str(r["order"]),
                      "margin": _s(r["margin"]),
                      "refined_loss": dec(r["refined_loss"], 20),
                      "confirm_distance": _s(r["confirm_distance"]),
                      "full_gradient_norm": _s(r["full_gradient_norm"]),
                      "min_hessian_eigenvalue": _s(r["min_hessian_eigenvalue"]),
                      "polish_distance": _s(r["polish_distance"])}
                     for r in rows]}


def _print(cfg, tol, reasons, table, title):
    """The table of kinds, isotropy types and families."""
    closed = cfg.closed_form
    print(title)
    how = ("isotropy confirmed by refinement in Fix(H) (mpmath); minimum or saddle by the "
           "full Hessian" if cfg.catalogue else
           "isotropy in S_n × S_d confirmed by refinement in Fix(H) (mpmath); minimum or "
           "saddle by the full Hessian; named as an embedding or a wider family"
           if cfg.wider else
           "minimum or saddle by the Hessian of the closed-form loss" if closed else
           "no closed form: losses are Monte Carlo estimates, 'global' means loss < 1e-3 "
           "(a loose call)")
    print(f"losses: {'closed form' if closed else 'Monte Carlo'}; isotropy detected with "
          f"tolerance {tol:g}; {how}")
    w = max([8] + [len(str(t["isotropy"])) for t in table])
    wf = max([10] + [len(str(t["family"] or "-")) for t in table])
    print(f"{'kind':<13} {'isotropy':<{w}} {'family':<{wf}} {'runs':>5} {'fraction':>9} "
          f"{'loss (min … max)':>30} {'min eig H':>10} {'dist':>8} {'margin':>8}")
    for t in table:
        lo, hi = t["loss_min"], t["loss_max"]
        lt = f"{lo:.10g}" if math.isclose(lo, hi, rel_tol=1e-9, abs_tol=1e-14) else \
            f"{lo:.6g} … {hi:.6g}"
        mg = "-" if t["margin_min"] is None else f"{t['margin_min']:.3g}"
        ev = "-" if t["min_hessian_eigenvalue"] is None else \
            f"{t['min_hessian_eigenvalue']:.3g}"
        dt = "-" if t["max_confirm_distance"] is None else \
            f"{t['max_confirm_distance']:.1e}"
        print(f"{t['kind']:<13} {str(t['isotropy'] or '-'):<{w}} {str(t['family'] or '-'):<{wf}} "
              f"{t['count']:>5} {t['fraction']:>9.3f} {lt:>30} {ev:>10} {dt:>8} {mg:>8}")
    print("(min eig H: smallest Hessian eigenvalue at the critical point; dist: largest "
          "distance from an end point to its refined critical point; margin: isotropy "
          "clustering margin, near 1 = borderline)")
    print("stopping: " + ", ".join(f"{k} {v}" for k, v in sorted(reasons.items())))
