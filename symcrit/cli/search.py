"""``symcrit search ISOTROPY --k K [--starts N] [--json]``: all critical points found in
Fix(H) from many starts."""
from __future__ import annotations

import mpmath

from ..core import InputError, k_json, parse_k
from ..critical import search
from ..symmetry import YoungIsotropy
from .common import (SpectrumUnavailable, check_cli_dps, emit_json, point_json, progress,
                     spectrum_or_reason)

__all__ = ["add_parser", "run"]


def add_parser(sub):
    """Register ``symcrit search`` (its options and help) on the subcommand parsers
    ``sub``; the parser's ``func`` is :func:`run`."""
    from . import HELP, command_parser
    p = command_parser(
        sub, "search", HELP["search"],
        examples=["symcrit search 'ΔS_{k-1}' --k 10",
                  "symcrit search 'Δ(S_{k-2}×S_2)' --k 12 --starts 1000 --json"],
        description="Find critical points of the restricted loss from many "
                    "random starts (float64 root-finding), polish them with "
                    "mpmath, merge duplicates, sort by loss.")
    p.add_argument("isotropy", help="isotropy spec, e.g. 'ΔS_{k-1}' or 'DS_{k-1}'")
    p.add_argument("--k", required=True, help="one value of k (integer or real)")
    p.add_argument("--starts", type=int, default=200, help="number of random starts")
    p.add_argument("--seed", type=int, default=0, help="random seed")
    p.add_argument("--dps", type=int, default=30, help="decimal digits of the polish")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run)
    return p


def run(args):
    """Run ``symcrit search`` with the parsed arguments ``args``; the return value is the
    exit code (None for 0)."""
    check_cli_dps(args.dps)
    ks = parse_k(args.k)
    if len(ks) != 1:
        raise InputError("search takes one value of k")
    k = ks[0]
    pts = search(args.isotropy, k, starts=args.starts, seed=args.seed, dps=args.dps,
                 progress=lambda chunks: progress(chunks, total=len(chunks),
                                                  desc="chunks of starts",
                                                  enabled=not args.json))
    specs = [spectrum_or_reason(cp) for cp in pts]
    if args.json:
        out = []
        for cp, s in zip(pts, specs):
            js = point_json(cp, s)
            js["set_dimension"] = cp.set_dimension
            js["samples"] = cp.samples
            out.append(js)
        emit_json("search", {"isotropy": YoungIsotropy(args.isotropy).label,
                             "k": k_json(k), "starts": args.starts, "seed": args.seed,
                             "dps": args.dps, "points": out})
        return 0
    if not pts:
        print("no critical points found")
        return 0
    print(f"{len(pts)} critical points in Fix({pts[0].isotropy}) at k = {k_json(k)}:")
    names = pts[0].names
    head = f"{'loss':>20s} {'index':>6s} {'kind':>10s}  " + " ".join(f"{n:>11s}" for n in names)
    print(head)
    notes = []
    for cp, s in zip(pts, specs):
        ok = s is not None and not isinstance(s, SpectrumUnavailable)
        idx = str(s.index) if ok else "-"
        kind = s.kind if ok else "-"
        if cp.set_dimension:
            kind = f"set({cp.set_dimension})"
            notes.append(f"loss {mpmath.nstr(cp.loss, 12)}: a critical set of dimension "
                         f"{cp.set_dimension} in Fix(H) (not isolated; the restricted Hessian "
                         f"is singular there); {cp.samples} distinct point(s) found on it, "
                         "one shown")
        print(f"{mpmath.nstr(cp.loss, 12):>20s} {idx:>6s} {kind:>10s}  "
              + " ".join(f"{mpmath.nstr(x, 6):>11s}" for x in cp.xi))
    for n in notes:
        print(f"  note: {n}")
    return 0
