"""``symcrit threshold FAMILY [--k-max K] [--dps D] [--all] [--json]``: the real k at which a
family turns from saddle into minimum (an isotypic block's smallest eigenvalue crosses 0)."""
from __future__ import annotations

import mpmath

from ..core import DPS_MAX, DPS_MIN, parse_value
from ..critical import get_family
from ..transitions import threshold, thresholds
from .common import check_cli_dps, dump_json

__all__ = ["add_parser", "run"]


def add_parser(sub):
    """Register ``symcrit threshold`` (its options and help) on the subcommand parsers
    ``sub``; the parser's ``func`` is :func:`run`."""
    from . import HELP
    p = sub.add_parser(
        "threshold", help=HELP["threshold"],
        description="Follow the family in real k, find where the smallest "
                    "eigenvalue of an isotypic block of the Hessian changes "
                    "sign, and solve for that k to --dps digits (with the "
                    "block responsible and the critical point there).")
    p.add_argument("family", help="family name (see `symcrit families`)")
    p.add_argument("--k-max", default="40", help="scan k up to this value (default 40)")
    p.add_argument("--dps", type=int, default=30,
                   help=f"decimal digits ({DPS_MIN} to {DPS_MAX})")
    p.add_argument("--all", action="store_true",
                   help="every sign change in the range, not only saddle -> minimum")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run)
    return p


def run(args):
    """Run ``symcrit threshold`` with the parsed arguments ``args``; the return value is the
    exit code (None for 0)."""
    check_cli_dps(args.dps)
    fam = get_family(args.family)
    kmax = parse_value(args.k_max)
    found = thresholds(fam, k_max=kmax, dps=args.dps) if args.all else \
        [threshold(fam, k_max=kmax, dps=args.dps)]
    if args.json:
        out = [t.to_json() for t in found]
        dump_json(out if args.all else out[0])
        return 0
    if not found:
        print(f"{fam.name}: no block changes sign for k up to {args.k_max}")
    for t in found:
        print(t)
        for n, x in zip(t.point.names, t.point.xi):
            print(f"  {n} = {mpmath.nstr(x, min(args.dps, 25))}")
    return 0
