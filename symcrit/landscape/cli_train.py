"""``symcrit train --k K --runs N [...]``: a training ensemble, the isotropy of what it finds,
and which catalogue family each spurious minimum is.

Example::

    symcrit train --k 10 --runs 50                      # GD on the closed-form loss
    symcrit train --k 8 --runs 40 --law equicorrelated:0.2 --optimizer adam
    symcrit train --k 6 --runs 20 --activation tanh --optimizer sgd --max-iter 3000
    symcrit train --k 10 --runs 200 --out sweep.jsonl   # interrupted? run it again
"""
from __future__ import annotations

import math
from collections import OrderedDict

import numpy as np

from ..errors import InputError
from .detect import detect_isotropy
from .laws import has_closed_form, make_law
from .train import OPTIMIZERS, TrainConfig, run_ensemble

__all__ = ["add_parser", "run", "analyse", "summary_table"]


def add_parser(sub):
    p = sub.add_parser("train", help="training ensemble and the isotropy of what it finds",
                       description="Train many students (GD on the closed-form loss, SGD on "
                                   "fresh samples, or Adam) from random Xavier/He starts, "
                                   "detect the isotropy group of each end point, confirm it "
                                   "by refinement in its fixed space, and name the catalogue "
                                   "family of each spurious minimum (the principle of least "
                                   "symmetry breaking, Arjevani & Field).")
    p.add_argument("--k", type=int, required=True, help="neurons (student), = d by default")
    p.add_argument("--d", type=int, default=None, help="input dimension (default k)")
    p.add_argument("--runs", type=int, default=20, help="independent runs")
    p.add_argument("--optimizer", choices=OPTIMIZERS, default="gd")
    p.add_argument("--law", default="gaussian",
                   help="gaussian, equicorrelated:RHO, mixture:S1,S2, uniform-cube, "
                        "uniform-sphere")
    p.add_argument("--activation", default="relu", help="relu, erf, softplus, tanh")
    p.add_argument("--depth", type=int, choices=(2, 3), default=2)
    p.add_argument("--init", choices=("xavier", "he"), default="xavier")
    p.add_argument("--lr", type=float, default=None, help="step size (default by optimizer)")
    p.add_argument("--max-iter", type=int, default=20000)
    p.add_argument("--gtol", type=float, default=1e-8, help="stop at this gradient norm")
    p.add_argument("--batch", type=int, default=256, help="SGD minibatch")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--tol", type=float, default=1e-4,
                   help="tolerance for equal entries in isotropy detection")
    p.add_argument("--workers", type=int, default=None, help="local processes (default: "
                                                             "all cores)")
    p.add_argument("--scheduler", help="Dask scheduler address (tcp://host:port)")
    p.add_argument("--out", help="JSON-lines file for the runs (written as they finish; "
                                 "an existing file is resumed)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--plot", metavar="FILE", help="bar chart of isotropy types and losses")
    p.set_defaults(func=run)
    return p


def analyse(records, cfg, tol=1e-4, dps=25):
    """Per record: the isotropy (detected, and confirmed by refinement in Fix(H) for the
    Gaussian ReLU problem with k = d), the catalogue family, and whether it is a global
    minimum.  Returns a list of dicts."""
    from ..critical.families import list_families
    law = make_law(cfg.law, cfg.d)
    standard = (cfg.law == "gaussian" and cfg.activation == "relu" and cfg.depth == 2
                and cfg.k == cfg.d)
    fams = {}
    out = []
    for r in records:
        row = {"run": r["run"], "loss": float(r["loss"]), "reason": r["reason"]}
        W = np.array([[float(x) for x in line] for line in r["W"]])
        if not np.isfinite(W).all():
            row.update(isotropy=None, family=None, kind="diverged", margin=None)
            out.append(row)
            continue
        iso = detect_isotropy(W, tol=tol, confirm=standard, dps=dps)
        row["isotropy"] = iso.label or ("other: " + iso.note)
        row["margin"] = iso.margin
        row["order"] = iso.order
        fam = None
        if standard and iso.confirmed is not None:
            cp = iso.confirmed
            row["refined_loss"] = cp.loss
            for f in list_families():
                if f.isotropy != iso.label or cfg.k < f.k_min:
                    continue
                key = (f.name, cfg.k)
                if key not in fams:
                    try:
                        fams[key] = f.point(cfg.k, dps=dps, full_check=False)
                    except Exception:                 # a family not defined at this k
                        fams[key] = None
                q = fams[key]
                # same isotropy and the same loss to 1e-12 (the parameters may differ by
                # the conjugation that relabels a small Δ-block)
                if q is not None and abs(q.loss - cp.loss) < 1e-12:
                    fam = f.name
                    break
        row["family"] = fam
        # a global minimum has loss 0: 1e-10 for closed-form losses, 1e-3 for Monte
        # Carlo estimates of noisy SGD end points (a loose call, said so in the output)
        zero = 1e-10 if str(r.get("loss_method", "closed")).startswith("closed") else 1e-3
        glob = row["loss"] < zero or fam == "global"
        row["kind"] = "global" if glob else "spurious"
        out.append(row)
    return out


def summary_table(rows):
    """(isotropy, family) → count, fraction, min/max loss."""
    groups = OrderedDict()
    for r in sorted(rows, key=lambda r: (r["kind"] != "global", r["loss"])):
        key = (r["kind"], r["isotropy"], r["family"])
        groups.setdefault(key, []).append(r)
    n = len(rows)
    table = []
    for (kind, iso, fam), rs in groups.items():
        losses = [r["loss"] for r in rs]
        table.append({"kind": kind, "isotropy": iso, "family": fam, "count": len(rs),
                      "fraction": len(rs) / n, "loss_min": min(losses),
                      "loss_max": max(losses),
                      "margin_min": min((r["margin"] for r in rs if r.get("margin")),
                                        default=None)})
    return table


def _plot(table, path, title):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    labels = [f"{t['isotropy']}\n{t['family'] or t['kind']}" for t in table]
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.5))
    a1.bar(range(len(table)), [t["count"] for t in table],
           color=["tab:green" if t["kind"] == "global" else "tab:red" for t in table])
    a1.set_xticks(range(len(table)), labels, fontsize=7)
    a1.set_ylabel("runs")
    a1.set_title("isotropy of the end points")
    for i, t in enumerate(table):
        a2.plot([i, i], [max(t["loss_min"], 1e-16), max(t["loss_max"], 1e-16)], "o-")
    a2.set_xticks(range(len(table)), labels, fontsize=7)
    a2.set_yscale("log")
    a2.set_ylabel("loss (clipped at 1e-16)")
    a2.set_title("losses by type")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def run(args):
    from ..commands.common import dump_json, progress
    if args.plot:
        from ..commands.spectrum import _check_plot_path
        _check_plot_path(args.plot)
    if not args.tol > 0:
        raise InputError(f"--tol must be positive, got {args.tol}")
    cfg = TrainConfig(k=args.k, d=args.d, runs=args.runs, optimizer=args.optimizer,
                      law=args.law, activation=args.activation, depth=args.depth,
                      init=args.init, lr=args.lr, max_iter=args.max_iter, gtol=args.gtol,
                      batch=args.batch, seed=args.seed)
    if args.workers is not None and args.workers < 1:
        raise InputError("--workers must be at least 1")
    bar = progress(range(cfg.runs), total=cfg.runs, desc="runs", enabled=not args.json)
    recs = run_ensemble(cfg, out=args.out, workers=args.workers, scheduler=args.scheduler,
                        progress=lambda n: bar.update(n))
    bar.close()
    rows = analyse(recs, cfg, tol=args.tol)
    table = summary_table(rows)
    closed = has_closed_form(make_law(cfg.law, cfg.d), cfg.activation) and cfg.depth == 2
    title = (f"k = {cfg.k}, d = {cfg.d}, {cfg.runs} runs, {cfg.optimizer}, law {cfg.law}, "
             f"{cfg.activation}, depth {cfg.depth}")
    if args.plot:
        _plot(table, args.plot, title)
    if args.json:
        dump_json({"config": cfg.key() | {"runs": cfg.runs},
                   "loss_method": "closed form" if closed else "Monte Carlo",
                   "summary": [{**t, "fraction": f"{t['fraction']:.4f}",
                                "loss_min": repr(t["loss_min"]),
                                "loss_max": repr(t["loss_max"]),
                                "margin_min": None if t["margin_min"] is None else
                                f"{t['margin_min']:.3g}"} for t in table],
                   "runs": [{**{k: v for k, v in r.items() if k != "refined_loss"},
                             "loss": repr(r["loss"]),
                             "margin": None if r.get("margin") is None else
                             f"{r['margin']:.3g}"} for r in rows]})
        return 0
    print(title)
    print(f"losses: {'closed form' if closed else 'Monte Carlo'}; isotropy detected with "
          f"tolerance {args.tol:g}" + ("; confirmed by refinement in Fix(H) (mpmath)"
                                       if cfg.law == "gaussian" and cfg.activation == "relu"
                                       and cfg.depth == 2 and cfg.k == cfg.d else ""))
    w = max([8] + [len(str(t["isotropy"])) for t in table])
    print(f"{'kind':<9} {'isotropy':<{w}} {'family':<10} {'runs':>5} {'fraction':>9} "
          f"{'loss (min … max)':>30} {'margin':>8}")
    for t in table:
        lo, hi = t["loss_min"], t["loss_max"]
        lt = f"{lo:.10g}" if math.isclose(lo, hi, rel_tol=1e-9, abs_tol=1e-14) else \
            f"{lo:.6g} … {hi:.6g}"
        mg = "-" if t["margin_min"] is None else f"{t['margin_min']:.3g}"
        print(f"{t['kind']:<9} {str(t['isotropy']):<{w}} {str(t['family'] or '-'):<10} "
              f"{t['count']:>5} {t['fraction']:>9.3f} {lt:>30} {mg:>8}")
    reasons = {}
    for r in recs:
        reasons[r["reason"]] = reasons.get(r["reason"], 0) + 1
    print("stopping: " + ", ".join(f"{k} {v}" for k, v in sorted(reasons.items())))
    if args.out:
        print(f"runs written to {args.out}")
    if args.plot:
        print(f"plot written to {args.plot}")
    return 0
