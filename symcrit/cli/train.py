"""``symcrit train --k K --runs N [...]``: a training ensemble, the isotropy of what it finds,
whether each end point is a minimum, and which catalogue family each spurious minimum is.

Example::

    symcrit train --k 10 --runs 50                      # GD on the closed-form loss
    symcrit train --k 8 --runs 40 --law equicorrelated:0.2 --optimizer adam
    symcrit train --k 6 --runs 20 --activation tanh --optimizer sgd --max-iter 3000
    symcrit train --k 10 --runs 200 --out sweep.jsonl   # interrupted? run it again

References: Safran & Shamir 2018, "Spurious local minima are common in two-layer ReLU
neural networks", ICML (the experiment); Arjevani & Field 2020, "Analytic characterization
of the Hessian in shallow ReLU models: a tale of symmetry", NeurIPS (Hessian spectra by
isotypic blocks, used above k = 40); Arjevani & Field 2021, "Analytic study of families of
spurious minima in two-layer ReLU neural networks: a tale of symmetry II", NeurIPS, and
"Symmetry & critical points for a model shallow neural network", Physica D (the families
and their isotropy); Arjevani & Field, "On the principle of least symmetry breaking in
shallow ReLU models", arXiv:1912.11939.

How each run is classified (the ``kind`` and ``evidence`` columns):

* Gaussian inputs, ReLU, k = d, two layers (the catalogue's problem): the isotropy found
  is confirmed by refinement in Fix(H) (mpmath); the refined critical point is a
  ``global`` minimum (loss 0), a ``spurious`` minimum or a ``saddle`` by the smallest
  eigenvalue of the full Hessian (by isotypic blocks, :func:`symcrit.spectrum.spectrum_of`,
  at a cost independent of k), and is named by :func:`symcrit.critical.families.identify`;
* other closed-form problems: the end point itself, when its closed-form gradient norm is
  at most 1e-6, classified by the smallest eigenvalue of the Hessian (central differences
  of the closed-form gradient, k·d ≤ 1600; above that the type is not determined and the
  kind is ``critical``);
* SGD end points of closed-form problems jitter around the point they approach (the
  minibatch noise does not vanish at a spurious minimum): they are first *polished* by
  gradient descent on the closed-form loss (to |grad| < 1e-8, the distance moved is
  recorded as ``polish_distance``), then treated as above;
* no closed form (uniform laws, softplus/tanh, three layers): only Monte Carlo estimates
  are known, so no critical point is established: ``global`` if the loss is below 1e-3,
  else ``non-global`` (a spurious minimum, a saddle region or a run still moving: the
  Monte Carlo gradient norm and its noise floor are in the records);
* ``not converged``: stopped at ``max_iter`` with no critical point established;
  ``diverged``: non-finite parameters.
"""
from __future__ import annotations

import math
from collections import OrderedDict

import numpy as np

from ..core import InputError
from ..symmetry.detect import detect_isotropy
from ..landscape.laws import ClosedForm, has_closed_form, make_law
from ..landscape.train import OPTIMIZERS, TrainConfig, run_ensemble

__all__ = ["add_parser", "run", "analyse", "summary_table", "KINDS"]

from ..plotting import KINDS, check_plot_path, plot_training


def add_parser(sub):
    p = sub.add_parser("train", help="training ensemble and the isotropy of what it finds",
                       description="Train many students (GD on the closed-form loss, SGD on "
                                   "fresh samples, or Adam) from random Xavier/He starts, "
                                   "detect the isotropy group of each end point, confirm it "
                                   "by refinement in its fixed space, check that it is a "
                                   "minimum, and name the catalogue family of each spurious "
                                   "minimum (the principle of least symmetry breaking, "
                                   "Arjevani & Field).")
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
    p.add_argument("--lr", type=float, default=None,
                   help="step size (default: gd 1/λ̂ with λ̂ the largest Hessian eigenvalue "
                        "by power iteration, sgd an eighth of that, adam 0.01)")
    p.add_argument("--max-iter", type=int, default=None,
                   help="steps per run (default 200000 for GD and Adam on a closed-form "
                        "loss, which stop at --gtol; 20000 otherwise)")
    p.add_argument("--gtol", type=float, default=1e-8, help="stop at this gradient norm")
    p.add_argument("--batch", type=int, default=256, help="SGD minibatch")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--tol", type=float, default=None,
                   help="tolerance for equal entries in isotropy detection (default 1e-4 "
                        "with a closed-form loss, SGD end points being polished by GD "
                        "first; 3e-2 without one)")
    p.add_argument("--workers", type=int, default=None, help="local processes (default: "
                                                             "all cores)")
    p.add_argument("--chunk", type=int, default=None, help="runs per task (default: about "
                                                           "four tasks per worker)")
    p.add_argument("--scheduler", help="Dask scheduler address (tcp://host:port)")
    p.add_argument("--out", help="JSON-lines file for the runs (written as they finish; "
                                 "an existing file is resumed)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--plot", metavar="FILE", help="bar chart of isotropy types and losses")
    p.set_defaults(func=run)
    return p


def _standard(cfg):
    return (cfg.law == "gaussian" and cfg.activation == "relu" and cfg.depth == 2
            and cfg.k == cfg.d)


def _fd_hessian_min(cf, W, h=1e-5):
    """Smallest eigenvalue of the Hessian of the closed-form loss at W, by central
    differences of the closed-form gradient (all k·d directions in one batch)."""
    k, d = W.shape
    n = k * d
    E = np.eye(n).reshape(n, k, d) * h
    Gp = cf.gradient(W[None] + E).reshape(n, n)
    Gm = cf.gradient(W[None] - E).reshape(n, n)
    H = (Gp - Gm) / (2 * h)
    return float(np.linalg.eigvalsh(0.5 * (H + H.T))[0])


def _hessian_min_standard(cp, W):
    """Smallest eigenvalue of the full Hessian at a point of the standard problem: by
    isotypic blocks at the refined point ``cp`` (symcrit.spectrum, cost independent of k);
    without one (k ≤ 40), the dense float64 Hessian of symcrit.model at W."""
    if cp is not None:
        from ..spectra.spectrum import spectrum_of
        return float(spectrum_of(cp).min_eigenvalue)
    from ..model.loss import Problem
    k = W.shape[0]
    H = np.asarray(Problem.canonical(k, k).hessian(W), float).reshape(k * k, k * k)
    return float(np.linalg.eigvalsh(0.5 * (H + H.T))[0])


def _kind_from_eig(lam, scale=1.0):
    if lam > 1e-8 * scale:
        return "spurious"
    if lam < -1e-8 * scale:
        return "saddle"
    return "degenerate"


def analyse(records, cfg, tol=None, dps=25, progress=None):
    """Per record: the isotropy (detected; for the Gaussian ReLU problem with k = d
    confirmed by refinement in Fix(H)), whether the critical point is the global minimum,
    a spurious minimum or a saddle (see the module docstring), and the catalogue family.
    Returns a list of dicts."""
    from ..critical.families import identify, list_families
    law = make_law(cfg.law, cfg.d)
    standard = _standard(cfg)
    closed = has_closed_form(law, cfg.activation) and cfg.depth == 2
    cf = ClosedForm(law, cfg.activation) if closed else None
    if tol is None:
        tol = 1e-4 if closed else 3e-2
    points = [np.array([[float(x) for x in line] for line in r["W"]]) for r in records]
    polish = {}
    if closed and cfg.optimizer == "sgd":
        from ..landscape.train import descend
        idx = [i for i, W in enumerate(points) if np.isfinite(W).all()]
        if idx:
            P0 = np.stack([points[i] for i in idx])
            import dataclasses
            from ..landscape.train import default_lr
            lr = default_lr(dataclasses.replace(cfg, optimizer="gd", lr=None))
            P1, steps, why = descend(cf, P0, lr)
            G = cf.gradient(P1)
            gn = np.sqrt(np.einsum("rkd,rkd->r", G, G))
            for n, i in enumerate(idx):
                polish[i] = (float(np.abs(P1[n] - P0[n]).max()), why[n], float(gn[n]),
                             float(cf.loss(P1[n])))
                points[i] = P1[n]
    fam_cache, hess_cache, refine_cache = {}, {}, {}
    out = []
    for n_rec, r in enumerate(records):
        row = {"run": r["run"], "loss": float(r["loss"]), "reason": r["reason"],
               "gradient_norm": float(r["gradient_norm"]), "isotropy": None,
               "order": None, "exact": None, "margin": None, "family": None,
               "refined_loss": None, "confirm_distance": None, "full_gradient_norm": None,
               "min_hessian_eigenvalue": None, "polish_distance": None}
        if progress:
            progress(1)
        W = points[n_rec]
        if n_rec in polish:
            dist, why, gn, loss = polish[n_rec]
            row.update(polish_distance=dist, gradient_norm=gn, loss=loss)
        if not np.isfinite(W).all():
            row.update(kind="diverged", evidence="non-finite parameters")
            out.append(row)
            continue
        iso = detect_isotropy(W, tol=tol, confirm=standard, dps=dps, cache=refine_cache)
        row.update(isotropy=iso.label or ("other: " + iso.note), order=iso.order,
                   exact=iso.exact, margin=iso.margin)
        crit, loss_c, key = None, None, None
        if standard and iso.confirmed is not None:
            cp = iso.confirmed
            crit = np.asarray(cp.W("float"), float)
            loss_c = float(cp.loss)
            row.update(refined_loss=cp.loss, confirm_distance=iso.confirm_distance,
                       full_gradient_norm=iso.full_gradient_norm)
            key = (iso.label, round(loss_c, 12))
            evidence = "refined in Fix(H) (mpmath); full Hessian"
            if row["polish_distance"] is not None:
                evidence = "polished by GD, " + evidence
        elif closed and row["gradient_norm"] <= 1e-6:
            crit, loss_c = W, row["loss"]
            key = (iso.label or iso.note, iso.order, round(loss_c, 9))
            evidence = "closed-form gradient; Hessian by differences"
            if row["polish_distance"] is not None:
                evidence = "polished by GD, " + evidence
        if crit is None:
            if closed:
                row.update(kind="not converged",
                           evidence=f"stopped at max_iter, |grad| {row['gradient_norm']:.1e}"
                           + (", also after polishing" if row["polish_distance"] is not None
                              else ""))
            else:
                floor = r.get("gradient_noise_floor")
                row.update(kind="global" if row["loss"] < 1e-3 else "non-global",
                           evidence="Monte Carlo estimates only (global if loss < 1e-3); "
                                    f"|grad| {row['gradient_norm']:.1e}" +
                                    (f" (noise floor {float(floor):.1e})" if floor else ""))
            out.append(row)
            continue
        if loss_c < 1e-10:
            kind = "global"
            if key not in hess_cache:
                hess_cache[key] = None
        else:
            if key not in hess_cache:
                if standard and (iso.confirmed is not None or cfg.k <= 40):
                    hess_cache[key] = _hessian_min_standard(iso.confirmed, crit)
                elif cfg.k * cfg.d <= 1600:
                    hess_cache[key] = _fd_hessian_min(cf, crit)
                else:
                    hess_cache[key] = None
            lam = hess_cache[key]
            kind = "critical" if lam is None else _kind_from_eig(lam)
            row["min_hessian_eigenvalue"] = lam
            if lam is None:
                evidence += " (Hessian not computed: k·d > 1600, type not determined)"
        if standard:
            if key not in fam_cache:
                cands = [f for f in list_families() if f.isotropy == iso.label
                         and cfg.k >= f.k_min]
                name = None
                if cands:
                    try:
                        name, _ = identify(crit, tol=1e-6, families=cands, dps=dps)
                    except Exception:            # a family not defined at this k
                        name = None
                fam_cache[key] = name
            row["family"] = fam_cache[key]
            if row["family"] == "global":
                kind = "global"
        row.update(kind=kind, evidence=evidence)
        out.append(row)
    return out


def summary_table(rows):
    """(kind, isotropy, family) → count, fraction, min/max loss, smallest margin."""
    groups = OrderedDict()
    rank = {k: i for i, k in enumerate(KINDS)}
    for r in sorted(rows, key=lambda r: (rank.get(r["kind"], 9),
                                         r["loss"] if np.isfinite(r["loss"]) else np.inf)):
        key = (r["kind"], r["isotropy"], r["family"])
        groups.setdefault(key, []).append(r)
    n = len(rows)
    table = []
    for (kind, iso, fam), rs in groups.items():
        losses = [r["loss"] for r in rs]
        eig = [r["min_hessian_eigenvalue"] for r in rs
               if r.get("min_hessian_eigenvalue") is not None]
        dist = [r["confirm_distance"] for r in rs if r.get("confirm_distance") is not None]
        table.append({"kind": kind, "isotropy": iso, "family": fam, "count": len(rs),
                      "fraction": len(rs) / n, "loss_min": min(losses),
                      "loss_max": max(losses),
                      "min_hessian_eigenvalue": min(eig) if eig else None,
                      "max_confirm_distance": max(dist) if dist else None,
                      "margin_min": min((r["margin"] for r in rs
                                         if r.get("margin") is not None), default=None),
                      "evidence": rs[0].get("evidence", "")})
    return table


def _s(x):
    return None if x is None else repr(float(x))


def run(args):
    from .common import dec, dump_json, progress
    if args.plot:
        check_plot_path(args.plot)
    if args.tol is not None and not (args.tol > 0 and math.isfinite(args.tol)):
        raise InputError(f"--tol must be positive, got {args.tol}")
    if args.workers is not None and args.workers < 1:
        raise InputError("--workers must be at least 1")
    if args.chunk is not None and args.chunk < 1:
        raise InputError("--chunk must be at least 1")
    cfg = TrainConfig(k=args.k, d=args.d, runs=args.runs, optimizer=args.optimizer,
                      law=args.law, activation=args.activation, depth=args.depth,
                      init=args.init, lr=args.lr, max_iter=args.max_iter, gtol=args.gtol,
                      batch=args.batch, seed=args.seed)
    bar = progress(range(cfg.runs), total=cfg.runs, desc="runs", enabled=not args.json)
    try:
        recs = run_ensemble(cfg, out=args.out, workers=args.workers,
                            scheduler=args.scheduler, chunk=args.chunk,
                            progress=lambda n: bar.update(n))
    finally:
        bar.close()
    bar = progress(range(len(recs)), total=len(recs), desc="isotropy",
                   enabled=not args.json)
    rows = analyse(recs, cfg, tol=args.tol, progress=lambda n: bar.update(n))
    bar.close()
    table = summary_table(rows)
    law = make_law(cfg.law, cfg.d)
    closed = has_closed_form(law, cfg.activation) and cfg.depth == 2
    tol = args.tol if args.tol is not None else (1e-4 if closed else 3e-2)
    title = (f"k = {cfg.k}, d = {cfg.d}, {cfg.runs} runs, {cfg.optimizer}, law {cfg.law}, "
             f"{cfg.activation}, depth {cfg.depth}")
    reasons = {}
    for r in recs:
        reasons[r["reason"]] = reasons.get(r["reason"], 0) + 1
    if args.plot:
        plot_training(table, rows, args.plot, title)
    if args.json:
        dump_json({"config": cfg.key() | {"runs": cfg.runs},
                   "loss_method": "closed form" if closed else "Monte Carlo",
                   "isotropy_tolerance": repr(float(tol)),
                   "stopping": reasons,
                   "summary": [{**t, "fraction": f"{t['fraction']:.4f}",
                                "loss_min": _s(t["loss_min"]),
                                "loss_max": _s(t["loss_max"]),
                                "min_hessian_eigenvalue": _s(t["min_hessian_eigenvalue"]),
                                "max_confirm_distance": _s(t["max_confirm_distance"]),
                                "margin_min": _s(t["margin_min"])} for t in table],
                   "runs": [{**r, "loss": _s(r["loss"]),
                             "gradient_norm": _s(r["gradient_norm"]),
                             "order": None if r["order"] is None else str(r["order"]),
                             "margin": _s(r["margin"]),
                             "refined_loss": None if r["refined_loss"] is None else
                             dec(r["refined_loss"], 20),
                             "confirm_distance": _s(r["confirm_distance"]),
                             "full_gradient_norm": _s(r["full_gradient_norm"]),
                             "min_hessian_eigenvalue": _s(r["min_hessian_eigenvalue"]),
                             "polish_distance": _s(r["polish_distance"])}
                            for r in rows]})
        return 0
    print(title)
    how = ("isotropy confirmed by refinement in Fix(H) (mpmath); minimum or saddle by the "
           "full Hessian" if _standard(cfg) else
           "minimum or saddle by the Hessian of the closed-form loss" if closed else
           "no closed form: losses are Monte Carlo estimates, 'global' means loss < 1e-3 "
           "(a loose call)")
    print(f"losses: {'closed form' if closed else 'Monte Carlo'}; isotropy detected with "
          f"tolerance {tol:g}; {how}")
    w = max([8] + [len(str(t["isotropy"])) for t in table])
    print(f"{'kind':<13} {'isotropy':<{w}} {'family':<10} {'runs':>5} {'fraction':>9} "
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
        print(f"{t['kind']:<13} {str(t['isotropy']):<{w}} {str(t['family'] or '-'):<10} "
              f"{t['count']:>5} {t['fraction']:>9.3f} {lt:>30} {ev:>10} {dt:>8} {mg:>8}")
    print("(min eig H: smallest Hessian eigenvalue at the critical point; dist: largest "
          "distance from an end point to its refined critical point; margin: isotropy "
          "clustering margin, near 1 = borderline)")
    print("stopping: " + ", ".join(f"{k} {v}" for k, v in sorted(reasons.items())))
    if args.out:
        print(f"runs written to {args.out}")
    if args.plot:
        print(f"plot written to {args.plot}")
    return 0
