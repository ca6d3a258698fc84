"""``symcrit arcs FAMILY --k K [--kind min|max] [--dps D] [--rmax R] [--json] [--plot FILE]``
and ``symcrit arcs --compare F1,F2,… --k K``: tangency arcs of a critical point (Arjevani
2023, "Hidden minima in two-layer ReLU networks", arXiv:2312.16819).

Example::

    symcrit arcs type-A --k 10                     # every minimising arc, table
    symcrit arcs hidden-D --k 10^6 --json          # the same at k = 10^6, as JSON
    symcrit arcs type-A --k 12 --kind max --plot arcs.png
    symcrit arcs --compare type-A,hidden-A,hidden-D --k 8:20 --fit

The computation is :func:`symcrit.arcs.tangency_arcs` (its docstring says what each field
means), the table :func:`symcrit.arcs.compare_families`, the figure
:func:`symcrit.arcs.plot_arcs`; this module parses the arguments and prints.
"""
from __future__ import annotations

from ..arcs import (DEFAULT_MAX_SPLIT, K_LIMIT, KINDS, MAX_ORDER, MAX_SPLIT, RMAX_DEFAULT,
                    check_figure_path, check_rmax, compare_families, plot_arcs,
                    tangency_arcs)
from ..core import DPS_MAX, DPS_MIN, InputError, is_integer, parse_k
from ..critical import get_family
from .common import check_cli_dps, emit_json, progress

__all__ = ["add_parser", "run", "MAX_VALUES"]

#: the most values of k in one comparison (each is one set of arcs)
MAX_VALUES = 40


def add_parser(sub):
    """Register ``symcrit arcs`` (its options and help) on the subcommand parsers
    ``sub``; the parser's ``func`` is :func:`run`."""
    from . import HELP, command_parser
    p = command_parser(
        sub, "arcs", HELP["arcs"],
        examples=['symcrit arcs type-A --k 10',
                  'symcrit arcs hidden-A --k 10 --kind max --dps 20',
                  'symcrit arcs --compare type-A,hidden-A --k 10'],
        description="Tangency arcs of a family's critical point at k: the curves "
                    "along which L is minimised (or maximised) on the spheres "
                    "|W - c| = r.  Each branch (one per axial subgroup of the "
                    "extreme eigenvalue's irreducible, and per sign) is traced in "
                    "its own fixed space, expanded at r = 0 (m(r) = L(c) + "
                    "λr²/2 + c3 r³ + c4 r⁴ + …), tested for being a local "
                    "extremum on its spheres, and followed to the radius r* "
                    "where it meets another critical point, which is refined "
                    "and identified.  --compare prints the table of hidden and "
                    "detectable minima (Arjevani 2023, arXiv:2312.16819).")
    p.add_argument("family", nargs="?", help="family name (see `symcrit families`)")
    p.add_argument("--k", required=True,
                   help="k: 12 or 10^6 (with --compare also lists and ranges: 8:20,10^6)")
    p.add_argument("--kind", choices=KINDS, default="min",
                   help="minimising arcs (lowest eigenvalue) or maximising ones (highest)")
    p.add_argument("--dps", type=int, default=30,
                   help=f"decimal digits ({DPS_MIN} to {DPS_MAX}, default 30)")
    p.add_argument("--rmax", default=str(RMAX_DEFAULT),
                   help=f"follow the arcs up to this radius (default {RMAX_DEFAULT:g})")
    p.add_argument("--max-split", type=int, default=DEFAULT_MAX_SPLIT,
                   help="points split off the growing block in the symmetry-adapted "
                        f"directions (0 to {MAX_SPLIT}, default {DEFAULT_MAX_SPLIT})")
    p.add_argument("--order", type=int, default=6,
                   help=f"highest power of r in the expansion of m(r) (4 to {MAX_ORDER})")
    p.add_argument("--compare", metavar="F1,F2,...",
                   help="the comparison table of these families over the k of --k")
    p.add_argument("--fit", action="store_true",
                   help="with --compare: also the large-k series (fits at k = 10^4..10^14)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--latex", action="store_true", help="with --compare: a LaTeX table")
    p.add_argument("--plot", metavar="FILE",
                   help="m(r) - L(c) and μ(r) against r, one curve per arc (.png/.pdf/.svg)")
    p.set_defaults(func=run)
    return p


def _ks(text, many):
    ks = parse_k(text, max_count=MAX_VALUES)
    if not many and len(ks) != 1:
        raise InputError("--k: give one value (lists and ranges go with --compare)")
    for k in ks:
        if not is_integer(k):
            raise InputError(f"--k: tangency arcs are computed at integer k, got {k}")
        if int(k) > K_LIMIT:
            raise InputError(f"--k: at most 10^12, got {k}")
    return [int(k) for k in ks]


def _check(args):
    """Every input checked before any computation."""
    check_cli_dps(args.dps)
    rmax = check_rmax(_number(args.rmax, "--rmax"))
    if not 0 <= args.max_split <= MAX_SPLIT:
        raise InputError(f"--max-split must be from 0 to {MAX_SPLIT}, got {args.max_split}")
    if not 4 <= args.order <= MAX_ORDER:
        raise InputError(f"--order must be from 4 to {MAX_ORDER}, got {args.order}")
    if args.plot is not None:
        check_figure_path(args.plot)
    if args.compare and args.family:
        raise InputError("give a FAMILY or --compare F1,F2,..., not both")
    if not args.compare and not args.family:
        raise InputError("give a FAMILY (or --compare F1,F2,...)")
    if (args.fit or args.latex) and not args.compare:
        raise InputError("--fit and --latex go with --compare")
    return rmax


def _number(text, option):
    try:
        return float(text)
    except ValueError:
        raise InputError(f"{option}: expected a number, got {text!r}") from None


def run(args):
    """Run ``symcrit arcs`` with the parsed arguments ``args``; the return value is the
    exit code (None for 0)."""
    rmax = _check(args)
    if args.compare:
        return _compare(args, rmax)
    fam = get_family(args.family)
    (k,) = _ks(args.k, many=False)
    if k < fam.k_min:
        raise InputError(f"family {fam.name} ({fam.isotropy}) has no point at k = {k} "
                         f"(it needs k >= {fam.k_min})")
    arcs = tangency_arcs(fam, k, kind=args.kind, dps=args.dps, rmax=rmax,
                         max_split=args.max_split, order=args.order)
    if args.plot:
        plot_arcs([arcs], args.plot)
    if args.json:
        emit_json("arcs", {"family": fam.name, "isotropy": fam.isotropy, "k": str(k),
                           "kind": args.kind, "dps": args.dps, "arcs": arcs.to_json()})
        return 0
    print(arcs.table())
    print(f"({len(arcs)} arcs in {arcs.seconds:.1f} s; c2 = λ/2 and c3, c4 at {args.dps} "
          "digits, refined in mpmath; r* and the endpoints refined; the paths float64"
          + ("" if k <= 10 ** 6 else " / mpmath") + ")")
    if args.plot:
        print(f"figure: {args.plot}")
    return 0


def _compare(args, rmax):
    names = [n.strip() for n in args.compare.split(",") if n.strip()]
    if not names:
        raise InputError("--compare: give family names separated by commas")
    fams = [get_family(n) for n in names]
    ks = _ks(args.k, many=True)
    for f in fams:
        for k in ks:
            if k < f.k_min:
                raise InputError(f"family {f.name} ({f.isotropy}) has no point at k = {k} "
                                 f"(it needs k >= {f.k_min})")
    quiet = args.json or args.latex
    bar = progress(range(len(fams) * len(ks)), desc="arcs", enabled=not quiet)
    cmp = compare_families([f.name for f in fams], ks, kind=args.kind, dps=args.dps,
                           rmax=rmax, max_split=args.max_split, fit=args.fit,
                           progress=lambda row: bar.update(1))
    bar.close()
    if args.plot:
        plot_arcs([a for a in cmp.arcsets if a.point.k == ks[0]], args.plot)
    if args.json:
        emit_json("arcs_comparison", cmp.to_json())
    elif args.latex:
        print(cmp.latex())
    else:
        print(cmp.table())
        if args.plot:
            print(f"figure: {args.plot} (k = {ks[0]})")
    return 0
