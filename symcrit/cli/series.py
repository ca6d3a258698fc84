"""``symcrit series FAMILY --order N [--dps D] [--verify] [--latex] [--json]``: the Puiseux
series in k^(-1/2) of a family's coordinates, loss and Hessian eigenvalues (derived exactly
over Q(pi) where possible, numeric otherwise; closed forms of numeric coefficients only as
confirmed PSLQ candidates)."""
from __future__ import annotations

import mpmath

from ..algebra import parse_exact, parse_exponent
from ..core import DPS_MAX, DPS_MIN, InputError, k_json
from ..critical import get_family
from ..series import family_series
from .common import add_plot_options, check_cli_dps, emit_json, progress, ticking

__all__ = ["add_parser", "run"]


#: the highest relative order (order 20 with eigenvalues takes tens of seconds)
MAX_ORDER = 20

def add_parser(sub):
    """Register ``symcrit series`` (its options and help) on the subcommand parsers
    ``sub``; the parser's ``func`` is :func:`run`."""
    from . import HELP, command_parser
    p = command_parser(
        sub, "series", HELP["series"],
        examples=['symcrit series type-A --order 8',
                  'symcrit series type-A --order 8 --verify --plot verify.pdf',
                  "symcrit series type-A --check L -1 '1/2-2/pi**2'",
                  'symcrit series type-A2 --order 4 --latex'],
        description="Expand a family's critical point, its loss and the "
                    "distinct eigenvalues of its Hessian as series in "
                    "eps = k^(-1/2) (leading powers by dominant balance, "
                    "coefficients by order-by-order lifting: exact over "
                    "Q(pi) where possible, numeric otherwise), and check the "
                    "truncated series against refined points at large k.")
    p.add_argument("family", help="family name (see `symcrit families`)")
    p.add_argument("--order", type=int, default=8,
                   help="relative order N: terms through eps^N relative to the leading one, "
                        "N + 1 per series (0 to 20)")
    p.add_argument("--dps", type=int, default=30,
                   help=f"working digits ({DPS_MIN} to {DPS_MAX})")
    p.add_argument("--no-eigenvalues", action="store_true", help="skip the eigenvalues")
    p.add_argument("--numeric", action="store_true",
                   help="numeric lifting only (no exact coefficients over Q(pi))")
    p.add_argument("--no-identify", action="store_true",
                   help="no closed-form search for numeric coefficients (saves the "
                        "confirmation pass at twice the precision)")
    p.add_argument("--verify", action="store_true",
                   help="print the truncation errors against refined points at k = 10^4 "
                        "... 10^12, with the observed slopes")
    p.add_argument("--check", nargs=3, metavar=("NAME", "EXPONENT", "VALUE"),
                   help="check one coefficient (e.g. from a paper) instead of printing the "
                        "series: NAME a parameter, L, or an eigenvalue label; EXPONENT the "
                        "power of k: -1, -1/2, -3/2, -1.5 or k^-3/2; VALUE an exact "
                        "expression in pi, sqrt(m) and rationals such as '1/2-2/pi**2' or "
                        "'-32/(3*pi^4)' (EQUAL or DIFFERENT, decided exactly; read by a "
                        "grammar of its own, never evaluated as code) or a decimal (AGREES "
                        "or DISAGREES to its digits).  Exit code 0: equal or agrees; "
                        "1: different or disagrees; 2: bad input")
    add_plot_options(p, "the truncation errors of --verify against k (log-log, with the "
                        "fitted and the expected slopes; implies --verify)")
    p.add_argument("--latex", action="store_true",
                   help="print LaTeX (an align* display, long lines broken)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run)
    p.allow_dash_values()           # --check L -1/2 -32/(3*pi^4)
    return p


def _check_args(args):
    if not 0 <= args.order <= MAX_ORDER:
        raise InputError(f"--order must be between 0 and {MAX_ORDER}, got {args.order}")
    check_cli_dps(args.dps)
    if args.check:
        name, exponent, value = args.check
        # read (and refuse) the text before any work: a grammar of its own, never eval
        return name.strip(), parse_exponent(exponent), parse_exact(value)
    return None


def run(args):
    """Run ``symcrit series`` with the parsed arguments ``args``; the return value is the
    exit code (None for 0)."""
    check = _check_args(args)
    if args.plot:
        if check:
            raise InputError("--plot goes with --verify, not with --check")
        from ..plotting import check_plot_path
        check_plot_path(args.plot, dpi=args.dpi)
        args.verify = True
    fam = get_family(args.family)
    eigen = not args.no_eigenvalues and (check is None or check[0].startswith("["))
    # a bar counting the orders lifted, then the k verified; redrawn twice a second
    # through the phases that report nothing (identification, eigenvalue series)
    bar = progress(None, total=None, desc=f"series {fam.name}: orders",
                   enabled=not args.json and (args.verify or args.order >= 10))
    rows = None
    with bar, ticking(bar):
        S = family_series(fam, order=args.order, dps=args.dps, eigenvalues=eigen,
                          exact=not args.numeric, identify=not args.no_identify,
                          progress=lambda j: bar.update(1))
        if args.verify and not check:
            bar.reset()
            bar.set_description_str(f"series {fam.name}: verified at k")
            rows = S.verify(progress=lambda k: (bar.set_postfix_str(f"last k = "
                                                                    f"{k_json(k)}"),
                                                bar.update(1)))
    if check:
        return _run_check(args, S, *check)
    if args.plot:
        from ..plotting import plot_series_verification
        plot_series_verification(rows, args.plot, family=fam.name, isotropy=fam.isotropy,
                                 dpi=args.dpi)
    if args.json:
        out = S.to_json(digits=args.dps - 10)
        if rows is not None:
            out["verification"] = [
                {"k": k_json(r["k"]), "order": r["order"], "digits": r["dps"],
                 **{f"{c}_error": None if r[c] is None else mpmath.nstr(r[c], 5)
                    for c in ("coordinates", "loss", "eigenvalues")},
                 **{f"{c}_slope": None if r[c + "_slope"] is None
                    else mpmath.nstr(r[c + "_slope"], 5)
                    for c in ("coordinates", "loss", "eigenvalues")}}
                for r in rows]
        out["seconds"] = {str(key): f"{t:.3f}" for key, t in S.timings}
        emit_json("series", out)
        return 0
    if args.latex:
        print(S.latex(environment="align*"))
    else:
        print(S)
    if rows is not None:
        print("truncation error against refined points (coordinates: max over them; "
              "eigenvalues: max over the branches):")
        print(S.verify_table(rows))
    if args.plot:
        print(f"plot written to {args.plot}")
    return 0


def _run_check(args, S, name, q, value):
    """One coefficient checked, printed alone; the exit code says the verdict."""
    res = S.check(name, q, value)
    if args.json:
        emit_json("coefficient_check", {"family": S.family, "isotropy": S.isotropy,
                                        "order": S.order,
                                        "check": res.to_json(digits=args.dps - 10)})
    elif args.latex:
        print(res._repr_latex_())
    else:
        print(res)
    return res.exit_code
