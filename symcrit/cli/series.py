"""``symcrit series FAMILY --order N [--dps D] [--verify] [--latex] [--json]``: the Puiseux
series in k^(-1/2) of a family's coordinates, loss and Hessian eigenvalues (derived exactly
over Q(pi) where possible, numeric otherwise; closed forms of numeric coefficients only as
confirmed PSLQ candidates)."""
from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction

import mpmath

from ..core import DPS_MAX, DPS_MIN, InputError, parse_value
from ..critical import get_family
from ..series import family_series
from .common import check_cli_dps, dump_json

__all__ = ["add_parser", "run"]


#: the highest relative order (order 20 with eigenvalues takes tens of seconds)
MAX_ORDER = 20

def add_parser(sub):
    from . import HELP
    p = sub.add_parser(
        "series", help=HELP["series"],
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
                   help="check a coefficient (e.g. from a paper): NAME a parameter, L, or an "
                        "eigenvalue label; EXPONENT the power of k such as -1 or -1.5 (a "
                        "negative fraction such as -3/2 would be read as an option); VALUE a "
                        "decimal number")
    p.add_argument("--latex", action="store_true", help="print LaTeX")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run)
    return p


def _check_args(args):
    if not 0 <= args.order <= MAX_ORDER:
        raise InputError(f"--order must be between 0 and {MAX_ORDER}, got {args.order}")
    check_cli_dps(args.dps)
    if args.check:
        name, exponent, value = args.check
        if not re.fullmatch(r"[+-]?\d+(/\d+|\.\d+)?", exponent.strip()):
            raise InputError(f"--check: bad exponent {exponent!r} (use e.g. -1, -3/2 or -1.5)")
        parse_value(value.lstrip("-"))         # a decimal, never an expression
        return name, Fraction(exponent.strip()), value.strip()
    return None


def run(args):
    check = _check_args(args)
    fam = get_family(args.family)
    S = family_series(fam, order=args.order, dps=args.dps,
                      eigenvalues=not args.no_eigenvalues, exact=not args.numeric,
                      identify=not args.no_identify)
    rows = S.verify() if args.verify else None
    checked = None
    if check:
        name, q, value = check
        # the given decimal agrees if the computed value rounds to it: within half a unit
        # of its last digit (and never more precisely than the series is known)
        last = Decimal(value).as_tuple().exponent
        with mpmath.workdps(args.dps):
            tol = max(mpmath.mpf(10) ** last / 2, mpmath.mpf(10) ** (-(args.dps - 10)))
            ok, val, diff = S.check(name, q, mpmath.mpf(value), abs_tol=tol)
        checked = {"name": name, "exponent": str(q), "value": value, "agrees": ok,
                   "computed": mpmath.nstr(val, args.dps - 10),
                   "difference": mpmath.nstr(diff, 5)}
    if args.json:
        out = S.to_json(digits=args.dps - 10)
        if rows is not None:
            out["verification"] = [
                {"k": str(r["k"]), "order": r["order"], "digits": r["dps"],
                 **{f"{c}_error": None if r[c] is None else mpmath.nstr(r[c], 5)
                    for c in ("coordinates", "loss", "eigenvalues")},
                 **{f"{c}_slope": None if r[c + "_slope"] is None
                    else mpmath.nstr(r[c + "_slope"], 5)
                    for c in ("coordinates", "loss", "eigenvalues")}}
                for r in rows]
        if checked:
            out["check"] = checked
        out["seconds"] = {str(key): f"{t:.3f}" for key, t in S.timings}
        dump_json(out)
        return 0
    if args.latex:
        print(S.latex())
    else:
        print(S)
    if rows is not None:
        print("truncation error against refined points (coordinates: max over them; "
              "eigenvalues: max over the branches):")
        print(S.verify_table(rows))
    if checked:
        print(f"check {checked['name']} k^({checked['exponent']}): "
              f"{'AGREES' if checked['agrees'] else 'DISAGREES'} (computed "
              f"{checked['computed']}, difference {checked['difference']})")
    return 0
