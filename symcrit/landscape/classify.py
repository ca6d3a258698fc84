r"""What each training run found: the isotropy of its end point, confirmed by refinement in
the fixed space, whether the critical point is the global minimum, a spurious minimum or a
saddle, and which catalogue family it is.

The experiment is Safran & Shamir's (2018, "Spurious local minima are common in two-layer
ReLU neural networks", ICML, arXiv:1712.08968), read through symmetry as Arjevani & Field
do ("On the principle of least symmetry breaking in shallow ReLU models",
arXiv:1912.11939; "Analytic study of families of spurious minima in two-layer ReLU neural
networks: a tale of symmetry II", NeurIPS 2021, arXiv:2107.10370; "Symmetry & critical
points for a model shallow neural network", Physica D 2021, arXiv:2003.10576).

How each run is classified (the ``kind`` and ``evidence`` of :func:`analyse`):

* Gaussian inputs, ReLU, k = d, two layers (the catalogue's problem): the isotropy found
  (:func:`~symcrit.symmetry.detect.detect_isotropy`) is confirmed by refinement in Fix(H)
  (:func:`confirmed_isotropy`, mpmath); the refined critical point is a ``global`` minimum
  (loss 0), a ``spurious`` minimum or a ``saddle`` by the smallest eigenvalue of the full
  Hessian (by isotypic blocks, :func:`symcrit.spectra.spectrum_of`, at a cost independent
  of k), and is named by :func:`symcrit.critical.identify`;
* the same with a wider student (k > d neurons against the teacher :math:`I_d`,
  ``symcrit train --n``): the isotropy is labelled in :math:`S_n\times S_d` (row factors,
  ``n=k+m``), confirmed in its fixed space, and the point is named as an embedding of a
  catalogue point (a split or a zero neuron) or a wider family
  (:func:`symcrit.wider.identify_wide`);
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
  ``diverged``: stopped because the gradient or the parameters became non-finite or blew
  up (stopping reason ``diverged``; its loss is not a number).

Minimum, saddle or degenerate is decided in one place, :func:`symcrit.spectra.classify`,
with tolerance 1e-8 on the smallest eigenvalue (:func:`kind_of_minimum`).

>>> from symcrit.landscape import TrainConfig, run_ensemble
>>> cfg = TrainConfig(k=4, runs=3, seed=1)
>>> rows = analyse(run_ensemble(cfg, workers=1), cfg)
>>> [(r["kind"], r["isotropy"], r["family"]) for r in rows]
[('global', 'ΔS_k', 'global'), ('global', 'ΔS_k', 'global'), ('global', 'ΔS_k', 'global')]
>>> [(t["kind"], t["count"]) for t in summary_table(rows)]
[('global', 3)]
"""
from __future__ import annotations

import dataclasses
import math
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..core import ConvergenceError, InputError
from ..critical import identify, list_families, refine
from ..model import Problem
from ..spectra import classify, spectrum_of
from ..symmetry import FixedSpace, detect_isotropy
from ..wider import identify_wide
from .laws import ClosedForm, make_law
from .steps import gradient_norms
from .train import descend

if TYPE_CHECKING:
    from ..symmetry import Isotropy
    from .train import TrainConfig

__all__ = ["KINDS", "analyse", "summary_table", "confirmed_isotropy", "default_tolerance",
           "kind_of_minimum"]

#: the kinds of end points of training runs, in the order of tables and legends
KINDS = ("global", "spurious", "saddle", "degenerate", "critical", "non-global",
         "not converged", "diverged")

#: the largest Fix(H) refined by :func:`confirmed_isotropy`
MAX_CONFIRM_DIMENSION = 30

#: the tolerance on the smallest Hessian eigenvalue (:func:`kind_of_minimum`)
EIGENVALUE_TOL = 1e-8


# ----------------------------------------------------------------------------- confirmation
def confirmed_isotropy(W: Any, tol: float = 1e-6, dps: int = 30,
                       cache: dict[Any, Any] | None = None) -> Isotropy:
    r"""The isotropy of W (:func:`~symcrit.symmetry.detect.detect_isotropy`), confirmed by
    refinement in its fixed space.

    For a Young Δ-type group H (k = d) the point, permuted to the block layout of
    :class:`~symcrit.symmetry.FixedSpace`, is projected on Fix(H) and refined there with
    mpmath (:func:`symcrit.critical.refine`); the refined point must lie near W
    (``confirm_distance``, at most ten times ``tol`` or the clustering spread) and have
    exactly the isotropy H again (re-detected at round-off tolerance); its full-space
    gradient (:mod:`symcrit.model`, a separate formula) is recorded as
    ``full_gradient_norm``.

    Parameters
    ----------
    W : array_like, shape (k, d)
        The point.
    tol : float, optional
        The detection tolerance.
    dps : int, optional
        Digits of the refinement.
    cache : dict, optional
        Shared between calls, so that points projecting to the same parameters (to 6
        decimals) are refined once.

    Returns
    -------
    Isotropy
        With ``confirmed`` the refined :class:`~symcrit.critical.CriticalPoint`, or None
        (``note`` says why: a trivial group, no Young Δ-type label, a fixed space of
        dimension above 30, no convergence, or a refined point elsewhere).

    Raises
    ------
    InputError
        W is not a finite matrix, or ``tol`` is not positive.

    Examples
    --------
    >>> from symcrit.critical import get_family
    >>> W = np.asarray(get_family("type-A").point(8, dps=20).W("float"), float)
    >>> iso = confirmed_isotropy(W[::-1] + 1e-10, tol=1e-6)
    >>> iso.label, float(iso.confirmed.loss) > 0, iso.confirm_distance < 1e-8
    ('ΔS_{k-1}', True, True)
    """
    W = np.asarray(W, float)
    iso = detect_isotropy(W, tol=tol)
    if iso.label and iso.label != "trivial":
        iso.confirmed = _confirm(W, iso, dps, cache)
    return iso


def _confirm(W, iso, dps, cache):
    P = W[iso.row_order][:, iso.col_order]
    near = max(10 * iso.tol, 10 * iso.spread)
    try:
        F = FixedSpace(iso.label)
        if F.dimension > MAX_CONFIRM_DIMENSION:
            iso.note = (f"Fix({iso.label}) has dimension {F.dimension} > "
                        f"{MAX_CONFIRM_DIMENSION}: not refined")
            return None
        xi = F.project(P)
        back = np.asarray(F.embed(xi, iso.d, system="float"), float)     # teacher I_d
    except Exception as exc:                      # a layout the template does not match
        iso.note = f"could not project on Fix({iso.label}): {exc}"
        return None
    dist = float(np.max(np.abs(back - P)))
    if dist > near:
        iso.note = (f"the permuted point is {dist:.2g} from Fix({iso.label}) (template "
                    "layout differs)")
        return None
    key = (iso.label, iso.k, dps, tuple(np.round(np.asarray(xi, float), 6)))
    if cache is None or key not in cache:
        found = _refine_in_fixed_space(iso, xi, dps)
        if cache is not None:
            cache[key] = found
    else:
        found = cache[key]
    cp, Wr, gnorm, again = found
    if cp is None:
        iso.note = again
        return None
    iso.confirm_distance = float(np.max(np.abs(Wr - P)))
    iso.full_gradient_norm = gnorm
    if again != (iso.label, iso.order):
        iso.note = (f"the refined point has isotropy {again[0]} (order {again[1]}), "
                    f"not {iso.label}")
        return None
    if iso.confirm_distance > near:
        iso.note = (f"refinement in Fix({iso.label}) moved {iso.confirm_distance:.2g} "
                    "away: a different critical point")
        return None
    return cp


def _refine_in_fixed_space(iso, xi, dps):
    """``(point, W, full gradient norm, (label, order) re-detected)``, or ``(None, None,
    None, note)`` when the refinement fails."""
    try:
        cp = refine(iso.label, [float(x) for x in xi], iso.d, dps=dps, full_check=False)
    except (ConvergenceError, InputError) as exc:
        return None, None, None, f"refinement in Fix({iso.label}) did not converge: {exc}"
    Wr = np.asarray(cp.W("float"), float)
    G = np.asarray(Problem.canonical(iso.d).gradient(Wr), float)     # teacher I_d
    again = detect_isotropy(Wr, tol=1e-9 * max(1.0, float(np.abs(Wr).max())))
    return cp, Wr, float(np.sqrt((G * G).sum())), (again.label, again.order)


# ----------------------------------------------------------------------------- Hessians
def kind_of_minimum(lam, tol=EIGENVALUE_TOL):
    """The kind of a critical point that is not the global minimum from the smallest
    eigenvalue of its Hessian: :func:`symcrit.spectra.classify`, a minimum being
    ``spurious``; ``degenerate`` if the eigenvalue is not a number.

    >>> kind_of_minimum(0.02), kind_of_minimum(-0.1), kind_of_minimum(1e-12)
    ('spurious', 'saddle', 'degenerate')
    """
    if not math.isfinite(lam):
        return "degenerate"
    kind = classify([lam], tol)
    return "spurious" if kind == "minimum" else kind


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


def _smallest_eigenvalue(cfg, cp, W, cf):
    """The smallest Hessian eigenvalue at the critical point W (refined point ``cp`` or
    None): by blocks or dense for the catalogue's problem, by differences of the
    closed-form gradient for k·d ≤ 1600, else None (not computed)."""
    if (cfg.catalogue or cfg.wider) and (cp is not None or cfg.k <= 40):
        return _hessian_min_catalogue(cp, W)
    if cfg.k * cfg.d <= 1600:
        return _fd_hessian_min(cf, W)
    return None


def _hessian_min_catalogue(cp, W):
    """Smallest eigenvalue of the full Hessian at a point of the catalogue's problem: by
    isotypic blocks at the refined point ``cp`` (cost independent of k); without one
    (k ≤ 40), the dense float64 Hessian of :mod:`symcrit.model` at W."""
    if cp is not None:
        return float(spectrum_of(cp).min_eigenvalue)
    n, d = W.shape
    H = np.asarray(Problem.canonical(d).hessian(W), float).reshape(n * d, n * d)
    return float(np.linalg.eigvalsh(0.5 * (H + H.T))[0])


# ----------------------------------------------------------------------------- runs
def default_tolerance(cfg):
    """The isotropy tolerance for a sweep: 1e-4 with a closed-form loss (end points are
    critical to 1e-8, SGD ones after polishing), 3e-2 without one (noisy end points).

    >>> from symcrit.landscape import TrainConfig
    >>> default_tolerance(TrainConfig(k=3)), default_tolerance(
    ...     TrainConfig(k=3, optimizer="sgd", activation="tanh"))
    (0.0001, 0.03)
    """
    return 1e-4 if cfg.closed_form else 3e-2


def _polish(points, cfg, cf):
    """Polish the finite end points by GD on the closed form, in place; returns, per
    polished index, (distance moved, reason, gradient norm, loss)."""
    idx = [i for i, W in enumerate(points) if np.isfinite(W).all()]
    if not idx:
        return {}
    P0 = np.stack([points[i] for i in idx])
    lr = dataclasses.replace(cfg, optimizer="gd", lr=None).lr
    P1, _, why = descend(cf, P0, lr)
    gn = gradient_norms(cf.gradient(P1))
    out = {}
    for n, i in enumerate(idx):
        out[i] = (float(np.abs(P1[n] - P0[n]).max()), why[n], float(gn[n]),
                  float(cf.loss(P1[n])))
        points[i] = P1[n]
    return out


def analyse(records: Sequence[dict[str, Any]], cfg: TrainConfig, tol: float | None = None,
            dps: int = 25,
            progress: Callable[..., Any] | None = None) -> list[dict[str, Any]]:
    """What each run found (see the module docstring).

    Parameters
    ----------
    records : list of dict
        Records of :func:`~symcrit.landscape.run_ensemble`.
    cfg : TrainConfig
        Their sweep.
    tol : float, optional
        The isotropy tolerance (default :func:`default_tolerance`).
    dps : int, optional
        Digits of the refinement in Fix(H).
    progress : callable, optional
        Called with 1 per run analysed.

    Returns
    -------
    list of dict
        Per run: ``run``, ``loss``, ``reason``, ``gradient_norm``, ``isotropy``,
        ``order``, ``exact``, ``margin``, ``family``, ``refined_loss``,
        ``confirm_distance``, ``full_gradient_norm``, ``min_hessian_eigenvalue``,
        ``polish_distance``, ``kind`` (one of :data:`KINDS`) and ``evidence``.
    """
    closed, catalogue = cfg.closed_form, cfg.catalogue or cfg.wider
    cf = ClosedForm(make_law(cfg.law, cfg.d), cfg.activation) if closed else None
    if tol is None:
        tol = default_tolerance(cfg)
    points = [np.array([[float(x) for x in line] for line in r["W"]]) for r in records]
    polish = _polish(points, cfg, cf) if closed and cfg.optimizer == "sgd" else {}
    fam_cache: dict[Any, Any] = {}
    hess_cache: dict[Any, Any] = {}
    refine_cache: dict[Any, Any] = {}
    out = []
    for n_rec, r in enumerate(records):
        row = {"run": r["run"], "loss": float(r["loss"]), "reason": r["reason"],
               "gradient_norm": float(r["gradient_norm"]), "isotropy": None,
               "order": None, "exact": None, "margin": None, "family": None,
               "refined_loss": None, "confirm_distance": None, "full_gradient_norm": None,
               "min_hessian_eigenvalue": None, "polish_distance": None}
        out.append(row)
        if progress:
            progress(1)
        W = points[n_rec]
        polished = ""
        if n_rec in polish:
            dist, _, gn, loss = polish[n_rec]
            row.update(polish_distance=dist, gradient_norm=gn, loss=loss)
            polished = "polished by GD, "
        if r["reason"] == "diverged" or not np.isfinite(W).all():
            steps = r.get("iterations", "?")
            row.update(kind="diverged",
                       evidence=f"stopped after {steps} steps: the gradient or the "
                                "parameters became non-finite or blew up")
            continue
        iso = (confirmed_isotropy(W, tol=tol, dps=dps, cache=refine_cache) if catalogue
               else detect_isotropy(W, tol=tol))
        row.update(isotropy=iso.label or ("other: " + iso.note), order=iso.order,
                   exact=iso.exact, margin=iso.margin)
        if catalogue and iso.confirmed is not None:
            cp: Any = iso.confirmed
            crit, loss_c = np.asarray(cp.W("float"), float), float(cp.loss)
            row.update(refined_loss=cp.loss, confirm_distance=iso.confirm_distance,
                       full_gradient_norm=iso.full_gradient_norm)
            key: tuple[Any, ...] = (iso.label, round(loss_c, 12))
            evidence = polished + "refined in Fix(H) (mpmath); full Hessian"
        elif closed and row["gradient_norm"] <= 1e-6:
            crit, loss_c = W, row["loss"]
            key = (iso.label or iso.note, iso.order, round(loss_c, 9))
            evidence = polished + "closed-form gradient; Hessian by differences"
        else:
            row.update(_no_critical_point(row, r, closed))
            continue
        if loss_c < 1e-10:
            kind = "global"
        else:
            if key not in hess_cache:
                hess_cache[key] = _smallest_eigenvalue(cfg, iso.confirmed, crit, cf)
            lam = row["min_hessian_eigenvalue"] = hess_cache[key]
            if lam is None:
                kind = "critical"
                evidence += " (Hessian not computed: k·d > 1600, type not determined)"
            else:
                kind = kind_of_minimum(lam)
        if catalogue:
            if key not in fam_cache:
                fam_cache[key] = (_family(crit, iso.label, cfg.k, dps) if cfg.catalogue
                                  else identify_wide(crit, tol=max(1e-6, 10 * tol),
                                                     dps=dps)[0])
            row["family"] = fam_cache[key]
            if row["family"] == "global" or (cfg.wider and loss_c < 1e-10):
                kind = "global"
        row.update(kind=kind, evidence=evidence)
    return out


def _no_critical_point(row, record, closed):
    """``kind`` and ``evidence`` of a run at which no critical point is established."""
    if closed:
        return {"kind": "not converged",
                "evidence": f"stopped at max_iter, |grad| {row['gradient_norm']:.1e}"
                + (", also after polishing" if row["polish_distance"] is not None else "")}
    floor = record.get("gradient_noise_floor")
    return {"kind": "global" if row["loss"] < 1e-3 else "non-global",
            "evidence": "Monte Carlo estimates only (global if loss < 1e-3); "
                        f"|grad| {row['gradient_norm']:.1e}"
                        + (f" (noise floor {float(floor):.1e})" if floor else "")}


def _family(W, label, k, dps):
    """The catalogue family of the critical point W with isotropy ``label``, or None."""
    cands = [f for f in list_families() if f.isotropy == label and k >= f.k_min]
    if not cands:
        return None
    try:
        return identify(W, tol=1e-6, families=cands, dps=dps)[0]
    except Exception:            # a family not defined at this k
        return None


def summary_table(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows of :func:`analyse` grouped by (kind, isotropy, family), in the order of
    :data:`KINDS` then of the smallest loss.

    Returns
    -------
    list of dict
        Per group: ``kind``, ``isotropy``, ``family``, ``count``, ``fraction``,
        ``loss_min``, ``loss_max``, ``min_hessian_eigenvalue``, ``max_confirm_distance``,
        ``margin_min`` and the ``evidence`` of its first run.

    Examples
    --------
    >>> rows = [{"kind": "spurious", "isotropy": "ΔS_{k-1}", "family": "type-A",
    ...          "loss": 0.02, "margin": 50.0}, {"kind": "global", "isotropy": "ΔS_k",
    ...          "family": "global", "loss": 1e-15, "margin": 80.0}]
    >>> [(t["kind"], t["count"], t["fraction"]) for t in summary_table(rows)]
    [('global', 1, 0.5), ('spurious', 1, 0.5)]
    """
    groups: OrderedDict[tuple[Any, Any, Any], list[dict[str, Any]]] = OrderedDict()
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
