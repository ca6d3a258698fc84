"""``symcrit critical FAMILY --k K [--dps D] [--json]``: a family's critical point at one k
or over a range of k (integer or real)."""
from __future__ import annotations

import mpmath

from ..core import DPS_MAX, DPS_MIN, k_json, parse_k
from ..critical import get_family
from .common import (SpectrumUnavailable, check_cli_dps, emit_json, point_json, progress,
                     spectrum_or_reason)

__all__ = ["add_parser", "run"]


#: the most values of k one run computes (each is one refined point; split longer ranges)
MAX_VALUES = 5000

def add_parser(sub):
    """Register ``symcrit critical`` (its options and help) on the subcommand parsers
    ``sub``; the parser's ``func`` is :func:`run`."""
    from . import HELP, command_parser
    p = command_parser(
        sub, "critical", HELP["critical"],
        examples=['symcrit critical type-A --k 12',
                  'symcrit critical type-A2 --k 8:20 --dps 50',
                  'symcrit critical type-A --k 10^100 --json'],
        description="Refine a family's critical point at each k (integer, "
                    "real, or a range such as 6:20) to --dps digits, with the "
                    "full-space gradient check and, where available, the "
                    "Hessian spectrum.")
    p.add_argument("family", help="family name (see `symcrit families`)")
    p.add_argument("--k", required=True, help="k: 12, 12.5, 10^12, or a range 6:20")
    p.add_argument("--dps", type=int, default=30,
                   help=f"decimal digits ({DPS_MIN} to {DPS_MAX})")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--no-spectrum", action="store_true", help="skip the Hessian spectrum")
    p.set_defaults(func=run)
    return p


def run(args):
    """Run ``symcrit critical`` with the parsed arguments ``args``; the return value is the
    exit code (None for 0)."""
    check_cli_dps(args.dps)
    fam = get_family(args.family)
    ks = parse_k(args.k, max_count=MAX_VALUES)
    bar = progress(range(len(ks)), total=len(ks), desc=f"{fam.name}", enabled=not args.json)
    pts = fam.points(ks, dps=args.dps, progress=lambda p: bar.update(1))
    bar.close()
    rows = []
    for cp in pts:
        spec = None if args.no_spectrum else spectrum_or_reason(cp)
        rows.append((cp, spec))
    if args.json:
        emit_json("critical", {"family": fam.name, "isotropy": fam.isotropy,
                               "dps": args.dps,
                               "points": [point_json(cp, spec) for cp, spec in rows]})
        return 0
    if len(rows) == 1:
        cp, spec = rows[0]
        print(f"family {fam.name}: {fam.description}")
        print(f"isotropy {cp.isotropy}, k = {k_json(cp.k)}, {cp.dps} digits ({cp.certainty})")
        for n, x in zip(cp.names, cp.xi):
            print(f"  {n} = {mpmath.nstr(x, cp.dps)}")
        print(f"loss           = {mpmath.nstr(cp.loss, cp.dps)}")
        print(f"residual       = {mpmath.nstr(cp.residual, 3)}   (max |∂L_H/∂ξ_p| / w_p)")
        print(f"|∇L(W)|_F      = {mpmath.nstr(cp.gradient_norm, 3)}   (by symmetric criticality)")
        if cp.checks:
            print("full-space check (the full-space formula at W(ξ), independent of L_H):")
            for key, v in cp.checks.items():
                digits = 5 if "gradient" in key else (16 if key.endswith("float") else cp.dps)
                print(f"  {key.replace('full_', ''):22s} {mpmath.nstr(v, digits)}")
        if spec is not None:
            print(spec)
        if cp.merged_with:
            print(f"note: at k = {k_json(cp.k)} the {fam.name} branch meets {cp.merged_with}: "
                  f"this point is also the {cp.merged_with} point (up to the symmetry "
                  f"group); {fam.name} is a family of its own for {fam.k_range}")
        return 0
    head = f"{'k':>14s} {'loss':>24s} {'residual':>10s} {'|grad L|':>10s}"
    has_spec = any(s is not None for _, s in rows)
    notes = []
    if has_spec:
        head += f" {'index':>8s}  kind"
    print(f"family {fam.name} ({fam.isotropy}), {args.dps} digits")
    print(head)
    for cp, spec in rows:
        line = (f"{k_json(cp.k):>14s} {mpmath.nstr(cp.loss, 18):>24s} "
                f"{mpmath.nstr(cp.residual, 2):>10s} {mpmath.nstr(cp.gradient_norm, 2):>10s}")
        if isinstance(spec, SpectrumUnavailable):
            line += f" {'-':>8}  - (spectrum not available)"
            notes.append(f"k = {k_json(cp.k)}: {spec.reason}")
        elif spec is not None:
            idx = spec.index
            line += f" {idx if isinstance(idx, int) else mpmath.nstr(idx, 6):>8}  {spec.kind}"
        if cp.merged_with:
            line += f"  (= {cp.merged_with})"
            notes.append(f"k = {k_json(cp.k)}: the branch meets {cp.merged_with} there; "
                         f"{fam.name} is a family of its own for {fam.k_range}")
        print(line)
    for n in notes:
        print(f"  note: {n}")
    return 0
