"""``symcrit dynamics DATA --width M --mu MU --lr LR --steps S [--seed N] [--out FILE]
[--plot FILE] [--json]``: full-batch gradient descent from a vanishing initialisation
N(0, (m^μ)²), its plateaus, the exact stationary point and loss of each, the escape
neurons there, and the final point's classification.

Example::

    symcrit dynamics wsg-1d                       # experiment 1 of arXiv:2402.05626
    symcrit dynamics wsg-2out --plot run.png --json
    symcrit dynamics my.csv --width 20 --mu -4 --lr 1e-3 --steps 200000 --out run.jsonl
    # interrupted (Ctrl-C)?  run the very same command again: it resumes from run.jsonl

For the built-in data sets the settings of the paper's experiments are the defaults
(wsg-1d: m = 50, μ = −3, η = 1e-3, 6·10^5 steps; wsg-3d: μ = −6.5, 8·10^5 steps;
wsg-2out: μ = −6.5, η = 2e-3, 3·10^5 steps).  The analysis is
:func:`symcrit.finite.analyse_run`; this module parses the arguments and prints.
"""
from __future__ import annotations

import json
from pathlib import Path

from ..core import InputError
from ..finite import (EXPERIMENTS, Activation, analyse_run, check_figure_path,
                      gradient_descent, load_data, parse_number, plot_run)
from .common import emit_json, progress

__all__ = ["add_parser", "run"]


def add_parser(sub):
    """Register ``symcrit dynamics`` (its options and help) on the subcommand parsers
    ``sub``; the parser's ``func`` is :func:`run`."""
    from . import HELP, command_parser
    p = command_parser(
        sub, "dynamics", HELP["dynamics"],
        examples=['symcrit dynamics wsg-1d',
                  'symcrit dynamics wsg-3d --plot plateaus.pdf --json',
                  'symcrit dynamics wsg-1d --out run.jsonl --weights-out point.json'],
        description="Gradient descent from a vanishing initialisation on finite data: "
                    "plateaus (saddles), each snapped to the exact stationary point of "
                    "its activation pattern with its loss as a fraction or closed form, "
                    "the escape neurons there, the neuron groups and the final point's "
                    "classification with a random perturbation test.")
    p.add_argument("data", metavar="DATA", help="wsg-1d, wsg-3d, wsg-2out or a .json/.csv "
                                                "file")
    p.add_argument("--width", type=int, help="hidden neurons m (built-in data: 50)")
    p.add_argument("--mu", help="initial scale m^MU (built-in data: the paper's)")
    p.add_argument("--lr", help="learning rate, finite and positive")
    p.add_argument("--steps", type=int, help="gradient steps")
    p.add_argument("--seed", type=int, default=0,
                   help="seed of the random initialisation and of the perturbations")
    p.add_argument("--activation", default="relu", help="relu, leaky:ALPHA or A,B")
    p.add_argument("--perturb", type=int, default=5000, metavar="N",
                   help="random perturbations of the final point (default 5000)")
    p.add_argument("--out", metavar="FILE",
                   help="JSON-lines run file, written as the run goes; run the same "
                        "command again to resume")
    p.add_argument("--weights-out", metavar="FILE",
                   help="write the final weights (input for `symcrit stationary`)")
    p.add_argument("--plot", metavar="FILE", help="loss, angles and amplitudes (png/pdf/svg)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run)
    return p


def _setting(args, name, conv):
    v = getattr(args, name)
    if v is None:
        exp = EXPERIMENTS.get(args.data)
        if exp is None:
            raise InputError(f"--{name} is required (defaults exist only for "
                             f"{', '.join(sorted(EXPERIMENTS))})")
        return exp[name]
    return conv(v, name)


def _number(text, name):
    return float(parse_number(text, f"--{name}"))


def run(args):
    """Run ``symcrit dynamics`` with the parsed arguments ``args``; the return value is the
    exit code (None for 0)."""
    if args.plot:
        check_figure_path(args.plot)
    if args.weights_out and not Path(args.weights_out).parent.exists():
        raise InputError(f"--weights-out {args.weights_out!r}: the folder does not exist")
    if not 0 <= args.perturb <= 10 ** 6:
        raise InputError("--perturb must be from 0 to 10^6")
    data = load_data(args.data)
    width = _setting(args, "width", lambda v, n: v)
    mu = _setting(args, "mu", _number)
    lr = _setting(args, "lr", _number)
    steps = _setting(args, "steps", lambda v, n: v)
    act = Activation.parse(args.activation)
    bar = progress(range(steps), total=steps, desc="gradient descent", enabled=not args.json)
    try:
        tr = gradient_descent(data, width, mu, lr, steps, seed=args.seed, activation=act,
                              out=args.out, progress=lambda n: bar.update(n))
    finally:
        bar.close()
    rep = analyse_run(tr, perturb_draws=args.perturb, seed=args.seed)
    if args.weights_out:
        Path(args.weights_out).write_text(json.dumps(tr.network().to_json(), indent=1) + "\n")
    if args.plot:
        plot_run(tr, rep, args.plot)
    js = rep.to_json()
    if args.json:
        emit_json("dynamics", js)
        return 0
    c = js["config"]
    print(f"{data.name}: m = {c['width']}, mu = {c['mu']}, lr = {c['lr']}, "
          f"{js['steps_done']} steps (seed {c['seed']}"
          + (f", resumed at step {tr.resumed_from}" if tr.resumed_from else "")
          + f"), {js['seconds']} s of gradient descent")
    print(f"{'start':>8} {'end':>8} {'loss (run)':>22}  {'exact loss':<28} {'gap':>9} "
          f"{'escape':>6}  point")
    for p in js["plateaus"]:
        esc = p["escape_neurons"]
        lm = {True: "local minimum", False: "saddle", None: "undecided"}[p["local_minimum"]]
        if p["d_stationary"] is False:
            lm = "not stationary"
        print(f"{p['start']:>8} {p['end']:>8} {p['loss']:>22}  "
              f"{(p['exact_loss'] or '(numerical)'):<28} {float(p['loss_gap']):>9.1e} "
              f"{len(esc) if esc is not None else '-':>6}  {lm} ({p['certainty']})")
    print(f"final loss {js['final_loss']}  exact {js['final_exact_loss']}: "
          f"{js['final_status']} ({js['final']['certainty']})")
    pt = js["perturbation"]
    if int(pt.get("draws", 0)):
        print(f"perturbation test ({pt['scope']}): {pt['draws']} draws of radius "
              f"{pt['radius']}, smallest loss change {pt['min_change']}, "
              f"{pt['negative']} lowered the loss")
    print("neuron groups at the end: " + "; ".join(
        f"{len(g['neurons'])} at {float(g['angle']):.3f}°" if g["angle"] else
        f"{len(g['neurons'])}" for g in js["groups"]))
    print(f"balancedness |w|²−|h|² drift (max over neurons): {js['balancedness_drift']}")
    if args.out:
        print(f"run file: {args.out} (run the same command again to resume or re-analyse)")
    return 0
