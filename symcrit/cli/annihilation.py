"""``symcrit annihilation [FAMILY ...] [--k 6:20] [--extra 0:2] [--json | --latex]
[--plot FILE]``: whether a spurious minimum survives m = 0, 1, 2 extra neurons (Arjevani &
Field 2022, "Annihilation of spurious minima in two-layer ReLU networks", arXiv:2210.06088):
the index of every symmetric embedding, the zero neuron's first-order test and the wider
minima of lesser symmetry, at each k."""
from __future__ import annotations

from ..core import InputError, parse_k
from ..plotting import check_plot_path, plot_annihilation
from ..wider import annihilation_table
from .common import emit_json, progress

__all__ = ["add_parser", "run"]

#: the most values of k one table takes
MAX_K = 200


def add_parser(sub):
    """Register ``symcrit annihilation`` (its options and help) on the subcommand parsers
    ``sub``; the parser's ``func`` is :func:`run`."""
    from . import HELP, command_parser
    p = command_parser(
        sub, "annihilation", HELP["annihilation"],
        examples=['symcrit annihilation type-A --k 10:20',
                  'symcrit annihilation --k 20 --json',
                  'symcrit annihilation --k 20 --plot annihilation.pdf'],
        description="For each family (default: the whole catalogue, narrow and wider) and "
                    "m = 0, 1, 2 extra neurons: the family's own index (m = its own), the "
                    "index of every symmetric embedding (splits of each class of rows into "
                    "halves or thirds, two classes at once), the zero neuron's directional "
                    "derivative and the wider minima of lesser symmetry; a spurious minimum "
                    "survives when one of them is not a saddle.")
    p.add_argument("family", nargs="*", help="families (default: all built-in ones)")
    p.add_argument("--k", default="6:20", help="k values: 6:20, 8, 6,10,14 (integers)")
    p.add_argument("--extra", default="0:2", help="extra neurons m: 0:2, 1, 0,2")
    p.add_argument("--dps", type=int, default=15, help="digits of the family points")
    p.add_argument("--blocks", action="store_true",
                   help="also the block spectrum of every single split (slower)")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="machine-readable output")
    out.add_argument("--latex", action="store_true", help="LaTeX tables (one per m)")
    p.add_argument("--plot", metavar="FILE", help="index against k, one line per m")
    p.set_defaults(func=run)
    return p


def _extra(text):
    out = set()
    for part in text.split(","):
        bits = part.strip().split(":")
        try:
            vals = [int(b) for b in bits]
        except ValueError:
            raise InputError(f"--extra must be integers such as 0:2 or 1, got {text!r}") \
                from None
        if len(vals) == 1:
            out.add(vals[0])
        elif len(vals) == 2:
            out.update(range(vals[0], vals[1] + 1))
        else:
            raise InputError(f"bad --extra range {part!r}: use a:b")
    if not out or min(out) < 0 or max(out) > 2:
        raise InputError(f"--extra must lie in 0 … 2, got {text!r}")
    return sorted(out)


def run(args):
    """Run ``symcrit annihilation`` with the parsed arguments ``args``; the return value is the
    exit code (None for 0)."""
    if args.plot:
        check_plot_path(args.plot)
    ks = parse_k(args.k, max_count=MAX_K)
    if any(not isinstance(k, int) for k in ks):
        raise InputError(f"--k takes integers, got {args.k}")
    extra = _extra(args.extra)
    bar = progress(range(len(args.family) or 17), desc="families", enabled=not args.json)
    table = annihilation_table(args.family or None, ks=ks, extra=extra, dps=args.dps,
                               blocks=args.blocks, progress=lambda name: bar.update(1))
    bar.close()
    if args.plot:
        plot_annihilation(table, args.plot)
    if args.json:
        emit_json("annihilation", table.to_json())
        return 0
    if args.latex:
        print(table.latex())
    else:
        print(table)
        verdicts = [r for r in table.rows if not r.own and r.family != "global"]
        survivors = sorted({(r.family, r.m) for r in verdicts if r.survives})
        if survivors:
            print("spurious minima surviving extra neurons (family, m): "
                  + ", ".join(f"({f}, {m})" for f, m in survivors))
        print(f"({table.certainty}; {table.seconds:.1f} s)")
    if args.plot:
        print(f"plot written to {args.plot}")
    return 0
