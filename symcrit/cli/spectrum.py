"""``symcrit spectrum FAMILY --k K [--dps D] [--plot FILE] [--json]``: the Hessian spectrum
of a family by isotypic blocks at one k or along a range of k (integer or real)."""
from __future__ import annotations

import mpmath

from ..core import DPS_MAX, DPS_MIN, k_json, parse_k
from ..critical import family_spectra, get_family
from ..plotting import check_plot_path, plot_spectra
from ..spectra import count_text, multiplicity_text, spectrum_of
from .common import add_plot_options, check_cli_dps, emit_json, progress

__all__ = ["add_parser", "run"]


#: the most values of k one run computes (each is one refined spectr; split longer ranges)
MAX_VALUES = 5000

def add_parser(sub):
    """Register ``symcrit spectrum`` (its options and help) on the subcommand parsers
    ``sub``; the parser's ``func`` is :func:`run`."""
    from . import HELP, command_parser
    p = command_parser(
        sub, "spectrum", HELP["spectrum"],
        examples=['symcrit spectrum type-A --k 12',
                  'symcrit spectrum type-A2 --k 6:40:2 --plot spectrum.pdf',
                  'symcrit spectrum hidden-A --k 10^6 --dps 50 --json'],
        description="The distinct eigenvalues of the full k²×k² Hessian at a "
                    "family's critical point, each with its irreducible "
                    "representation and multiplicity (a polynomial in k), at a "
                    "cost independent of k; at one k or along a range "
                    "(e.g. 6:20, 6:20:0.5, or 10,100,1000).")
    p.add_argument("family", help="family name (see `symcrit families`)")
    p.add_argument("--k", required=True, help="k: 12, 12.5, 10^6, or a range 6:20")
    p.add_argument("--dps", type=int, default=30,
                   help=f"decimal digits ({DPS_MIN} to {DPS_MAX})")
    add_plot_options(p, "the eigenvalues against k (large-k limits dashed)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run)
    return p


def run(args):
    """Run ``symcrit spectrum`` with the parsed arguments ``args``; the return value is the
    exit code (None for 0)."""
    check_cli_dps(args.dps)
    check_plot_path(args.plot, dpi=args.dpi)
    fam = get_family(args.family)
    ks = parse_k(args.k, max_count=MAX_VALUES)
    bar = progress(range(len(ks)), total=len(ks), desc=f"{fam.name}", enabled=not args.json)
    sps = family_spectra(fam, ks, dps=args.dps, progress=lambda p: bar.update(1))
    bar.close()
    if args.plot:
        limits = None
        if max(float(k) for k in ks) < 1e12 and len(ks) > 1:
            big = spectrum_of(fam.point(10 ** 12, dps=args.dps, full_check=False))
            limits = {}
            for e in big.entries:
                if abs(e.eigenvalue) < 100:          # the bounded ones have a limit
                    limits.setdefault(e.irrep, []).append(e.eigenvalue)
        plot_spectra(sps, args.plot, limits=limits, dpi=args.dpi)
    single = len(sps) == 1 and ":" not in args.k and "," not in args.k
    if args.json:
        out = []
        for s in sps:
            js = s.to_json()
            js["family"] = fam.name
            js["loss"] = None if s.loss is None else mpmath.nstr(s.loss, args.dps,
                                                                 strip_zeros=True)
            out.append(js)
        emit_json("spectrum", {"family": fam.name, "isotropy": fam.isotropy,
                               "dps": args.dps, "spectra": out})
        return 0
    if single:
        print(sps[0])
    else:
        print(f"Hessian spectrum along {fam.name} (Fix({fam.isotropy})), {args.dps} digits; "
              "eigenvalues of each block ascending")
        wl = max(len(e.irrep) for s in sps for e in s.entries)
        for s in sps:
            per = {}
            for e in s.entries:
                per.setdefault((e.irrep, multiplicity_text(e.multiplicity)), []).append(e.eigenvalue)
            idx = s.index
            print(f"k = {k_json(s.k)}: index {idx if isinstance(idx, int) else count_text(idx)}"
                  f" ({s.kind})")
            for (irrep, m), vals in per.items():
                print(f"  {irrep:<{wl}}  mult {m:<16s} "
                      + "  ".join(mpmath.nstr(v, 12) for v in sorted(vals)))
    if args.plot:
        print(f"plot written to {args.plot}")
    return 0
