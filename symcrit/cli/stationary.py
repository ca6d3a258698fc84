"""``symcrit stationary DATA --weights FILE [--exact] [--json]``: directional (d-) and
Clarke stationarity of a ReLU-like network on finite data, its escape neurons, the
classification of every neuron, and a local-minimum certificate or a descent path; with
``--embed KIND`` the same for the network embedded into a wider one.

Example::

    symcrit stationary wsg-1d --weights point.json --exact --json
    symcrit stationary data.csv --weights point.json --embed replicate --neuron 0 \\
        --lambdas 1/3,2/3
    symcrit stationary wsg-2out --weights point.json --embed inactive-unit --w 1,-1

DATA is a built-in data set (``wsg-1d``, ``wsg-3d``, ``wsg-2out``) or a .json/.csv file;
the weights file holds ``input_weights`` (m × d), ``output_weights`` (m × d_out) and
optionally ``activation`` ({"a": "1", "b": "0"}), numbers as decimal strings or ``p/q``.
The analysis is :func:`symcrit.finite.analyse` (Wu, Şimşek, Ged, ICLR 2025,
arXiv:2402.05626); this module parses the arguments and prints.
"""
from __future__ import annotations

import math

from ..core import InputError
from ..finite import (EMBEDDINGS, Activation, analyse, embedding_report, load_data,
                      load_weights, perturbation_test)
from .common import emit_json

__all__ = ["add_parser", "run"]


def add_parser(sub):
    """Register ``symcrit stationary`` (its options and help) on the subcommand parsers
    ``sub``; the parser's ``func`` is :func:`run`."""
    from . import HELP, command_parser
    p = command_parser(
        sub, "stationary", HELP["stationary"],
        examples=['symcrit dynamics wsg-1d --weights-out point.json',
                  'symcrit stationary wsg-1d --weights point.json --exact',
                  'symcrit stationary wsg-1d --weights point.json --embed zero --json'],
        description="Decide d-stationarity (one LP per kink cone, or exactly in rational "
                    "arithmetic with --exact) and Clarke stationarity of a two-layer "
                    "ReLU-like network on finite data; classify every neuron (active, "
                    "dead, kink, zero, escape); certify a local minimum (margin and "
                    "radius) or give a descent path.")
    p.add_argument("data", metavar="DATA", help="wsg-1d, wsg-3d, wsg-2out or a .json/.csv "
                                                "file with inputs and outputs")
    p.add_argument("--weights", required=True, metavar="FILE", help="JSON weights file")
    p.add_argument("--exact", action="store_true",
                   help="decide exactly (weights and data as fractions; no tolerance)")
    p.add_argument("--activation", help="override the file's: relu, leaky:ALPHA or A,B")
    p.add_argument("--tol", default="1e-9", help="numerical tolerance (default 1e-9)")
    p.add_argument("--kink-tol", default="1e-9",
                   help="relative tolerance of the kink sets (numerical; default 1e-9)")
    p.add_argument("--no-clarke", action="store_true", help="skip Clarke stationarity")
    p.add_argument("--perturb", type=int, default=0, metavar="N",
                   help="N random perturbations within the certificate radius")
    p.add_argument("--embed", choices=EMBEDDINGS, help="embed into a wider network first")
    p.add_argument("--w", help="inactive unit: its input weights (comma separated)")
    p.add_argument("--h", help="inactive propagation: its output weights")
    p.add_argument("--neuron", type=int, help="replication: the neuron to replicate")
    p.add_argument("--lambdas", help="replication weights, summing to 1 (default 1/2,1/2)")
    p.add_argument("--alphas", help="replication scales, positive (default 1,...)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run)
    return p


def _positive(text, name):
    try:
        v = float(text)
    except ValueError:
        raise InputError(f"{name} must be a number, got {text!r}") from None
    if not (math.isfinite(v) and v >= 0):
        raise InputError(f"{name} must be finite and non-negative, got {text}")
    return v


def run(args):
    """Run ``symcrit stationary`` with the parsed arguments ``args``; the return value is the
    exit code (None for 0)."""
    tol = _positive(args.tol, "--tol")
    ktol = _positive(args.kink_tol, "--kink-tol")
    if not 0 <= args.perturb <= 10 ** 6:
        raise InputError("--perturb must be from 0 to 10^6")
    data = load_data(args.data)
    net = load_weights(args.weights, exact=args.exact)
    if args.activation:
        net.activation = Activation.parse(args.activation)
    net.check_data(data)
    out = {}
    if args.embed:
        kw = {}
        if args.embed == "inactive-unit":
            kw["w"] = args.w
        if args.embed == "inactive-propagation":
            kw["h"] = args.h
        if args.embed == "replicate":
            kw["neuron"] = args.neuron
            if args.lambdas:
                kw["lambdas"] = args.lambdas.split(",")
            if args.alphas:
                kw["alphas"] = args.alphas.split(",")
        rep = embedding_report(net, data, args.embed, exact=args.exact, tol=tol,
                               kink_tol=ktol, **kw)
        net, res = rep.pop("network"), rep.pop("after")
        out["embedding"] = rep
    else:
        res = analyse(net, data, exact=args.exact, tol=tol, kink_tol=ktol,
                      clarke=not args.no_clarke)
    js = res.to_json()
    if args.perturb and res.local_minimum and res.certificate_radius not in (None, math.inf):
        pt = perturbation_test(net, data, float(res.certificate_radius), args.perturb)
        js["perturbation"] = {k: (v if isinstance(v, int) else repr(float(v)))
                              for k, v in pt.items()}
    js.update(out)
    if args.json:
        emit_json("stationary", js)
        return 0
    _print(js, data, net)
    return 0


def _print(js, data, net):
    print(f"data {data.name}: N = {data.N}, d = {data.d}, d_out = {data.d_out}; "
          f"{net.m} neurons, activation a = {net.activation.a}, b = {net.activation.b}")
    if "embedding" in js:
        e = js["embedding"]
        print(f"embedding {e['kind']}: {e['m_before']} -> {e['m_after']} neurons, function "
              f"preserved: {e['function_preserved']}")
        print(f"  stationary {e['stationary_before']} -> {e['stationary_after']}, local "
              f"minimum {e['local_minimum_before']} -> {e['local_minimum_after']}")
        print(f"  the paper's conditions predict stationary {e['predicted']['stationary']}, "
              f"local minimum {e['predicted']['local_minimum']}: "
              f"{'agree' if e['agrees'] else 'DISAGREE'}")
    print(f"loss {_short(js['loss'])}   ({js['certainty']})")
    print(f"d-stationary: {js['d_stationary']}    Clarke stationary: "
          f"{js['clarke_stationary']}")
    print(f"{'neuron':>6} {'status':<7} {'margin':>22} {'sign radius':>22}  kinks")
    for n in js["neurons"]:
        print(f"{n['index']:>6} {n['status']:<7} {str(n['margin']):>22} "
              f"{str(n['sign_radius']):>22}  {n['kinks'] or ''}")
    print(f"escape neurons: {js['escape_neurons'] or 'none'}")
    print(f"local minimum: {js['local_minimum']}  — {js['reason']}")
    if js["certificate_radius"] is not None:
        print(f"certificate radius: {js['certificate_radius']} (no perturbation of the "
              "parameters of this norm lowers the loss)")
    if js["descent_path"]:
        d = js["descent_path"]
        print(f"descent path ({d['kind']}, neuron {d['neuron']}): loss "
              f"{_short(d['loss'][0])} at t = 0 > {_short(d['loss'][-1])} at t = "
              f"{_short(d['t'][-1])} (and at the {len(d['t']) - 2} points between)")
    if "perturbation" in js:
        p = js["perturbation"]
        print(f"{p['draws']} perturbations within {p['radius']}: smallest loss change "
              f"{p['min_change']}, {p['negative']} lowered it")


def _short(text):
    """A number of the JSON output (decimal or p/q) in 17 significant digits."""
    from fractions import Fraction

    from ..core import dec
    if text is None or text == "inf":
        return str(text)
    return dec(Fraction(text), 17)
