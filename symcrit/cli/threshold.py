"""``symcrit threshold FAMILY [--k-max K] [--dps D] [--all] [--json]``: the real k at which a
family turns from saddle into minimum (an isotypic block's smallest eigenvalue crosses 0)."""
from __future__ import annotations

import mpmath

from ..core import DPS_MAX, DPS_MIN, k_json, parse_value
from ..critical import get_family
from ..transitions import threshold, thresholds
from .common import add_plot_options, check_cli_dps, emit_json, progress, ticking

__all__ = ["add_parser", "run"]


def add_parser(sub):
    """Register ``symcrit threshold`` (its options and help) on the subcommand parsers
    ``sub``; the parser's ``func`` is :func:`run`."""
    from . import HELP, command_parser
    p = command_parser(
        sub, "threshold", HELP["threshold"],
        examples=['symcrit threshold type-A',
                  'symcrit threshold type-A3 --all --k-max 100',
                  'symcrit threshold type-A --plot threshold.pdf'],
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
    add_plot_options(p, "the crossing block's smallest eigenvalue against real k around "
                        "each threshold")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run)
    return p


def run(args):
    """Run ``symcrit threshold`` with the parsed arguments ``args``; the return value is the
    exit code (None for 0)."""
    check_cli_dps(args.dps)
    if args.plot:
        from ..plotting import check_plot_path
        check_plot_path(args.plot, dpi=args.dpi)
    fam = get_family(args.family)
    kmax = parse_value(args.k_max)
    # grid points of the scan as they are reached (the polishing to --dps digits after
    # it reports nothing: the bar's clock keeps moving), then the points of the curves
    bar = progress(None, total=None, desc=f"threshold {fam.name}: scan",
                   enabled=not args.json)
    with bar, ticking(bar):
        step = lambda i: bar.update(1)      # noqa: E731
        found = thresholds(fam, k_max=kmax, dps=args.dps, progress=step) if args.all \
            else [threshold(fam, k_max=kmax, dps=args.dps, progress=step)]
        if args.plot and found:
            from ..plotting import plot_thresholds
            bar.reset()
            bar.set_description_str(f"threshold {fam.name}: curve points")
            plot_thresholds(found, args.plot, dpi=args.dpi, progress=step)
    if args.json:
        emit_json("threshold", {"family": fam.name, "isotropy": fam.isotropy,
                                "k_max": k_json(kmax), "all": bool(args.all),
                                "thresholds": [t.to_json() for t in found]})
        return 0
    if not found:
        print(f"{fam.name}: no block changes sign for k up to {args.k_max}")
    for t in found:
        print(t)
        for n, x in zip(t.point.names, t.point.xi):
            print(f"  {n} = {mpmath.nstr(x, min(args.dps, 25))}")
    if args.plot and found:
        print(f"plot written to {args.plot}")
    return 0
