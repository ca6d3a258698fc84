"""``symcrit certify FAMILY --k K [--dps D] [--json] [--out FILE]``: rigorous (Arb)
certificates that a family's critical point exists, is unique in a box, and is a strict
local minimum or a saddle of the full loss; ``symcrit certify FAMILY --all-k [--from K0]
[--out FILE] [--json]``: one proof for every integer k ≥ k₀ (intervals of k chained to a
certificate at k = ∞); ``symcrit certify --verify FILE`` re-checks certificate and all-k
files from their data alone.

Statuses: ``minimum``, ``saddle``, ``unverified`` (with the reason).  Exit code 0 whatever
the statuses (they are results, not errors), except ``--verify``, which exits 1 when a
file does not verify; bad input (family, k, precision, files) exits 2.  k is read exactly
(:func:`symcrit.core.parse_k` keeps decimals exact): ``--k 7.3`` certifies
k = 73/10, not the nearest double.
"""
from __future__ import annotations

import json
import math

from ..certificates import (ALLK_FORMAT, certify, certify_family, prove_all_k,
                            verify_all_k, verify_certificate)
from ..core import DPS_MAX, DPS_MIN, InputError, parse_k
from ..critical import get_family
from .common import check_cli_dps, check_output_path, dump_json, progress, read_json

__all__ = ["add_parser", "run"]


#: the most values of k one run computes (each is one refined certificate; split longer ranges)
MAX_VALUES = 20000

def add_parser(sub):
    """Register ``symcrit certify`` (its options and help) on the subcommand parsers
    ``sub``; the parser's ``func`` is :func:`run`."""
    from . import HELP
    p = sub.add_parser(
        "certify", help=HELP["certify"],
        description="Prove with Arb ball arithmetic (python-flint) that a family's critical "
                    "point exists and is unique in a small box (Krawczyk test), that the "
                    "box avoids the non-smooth set, and whether the point is a strict local "
                    "minimum or a saddle of the full loss (rigorous bounds on every "
                    "isotypic block of the Hessian).  Near a threshold the answer is "
                    "'unverified' with the reason.")
    p.add_argument("family", nargs="?", help="family name (see 'symcrit families')")
    p.add_argument("--k", help="k: a value (12, 7.3, 10^12), a range (6:20, 6:10000, "
                               "7:8:0.25) or a list (6,7.5); decimals are exact (7.3 is "
                               "73/10)")
    p.add_argument("--dps", type=int, default=30,
                   help=f"digits ({DPS_MIN} to {DPS_MAX}; guard digits growing with log10 k "
                        "are added; default 30)")
    p.add_argument("--radius", type=float, default=None,
                   help="fix the box radius (absolute, every coordinate) instead of the "
                        "adaptive choice")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--out", help="write the certificate(s) to this JSON file "
                                 "(one object for one k, a list for several)")
    p.add_argument("--all-k", action="store_true", dest="all_k",
                   help="prove the family a strict local minimum for every integer k >= K0 "
                        "at once: intervals of k, chained to a certificate at k = infinity")
    p.add_argument("--from", type=int, default=None, dest="k_from", metavar="K0",
                   help="with --all-k: where the proof starts (default: the first integer "
                        "above the family's saddle -> minimum threshold)")
    p.add_argument("--verify", nargs="+", metavar="FILE",
                   help="re-check certificate files or all-k proofs (recomputed from their "
                        "data alone)")
    p.set_defaults(func=run)
    return p


def run(args):
    """Run ``symcrit certify`` with the parsed arguments ``args``; the return value is the
    exit code (None for 0)."""
    if args.verify:
        return _verify(args)
    if not args.family:
        raise InputError("give a family (e.g. 'symcrit certify type-A --k 6:20') or "
                         "--verify FILE")
    if args.all_k:
        return _all_k(args)
    if args.k_from is not None:
        raise InputError("--from goes with --all-k")
    if args.k is None:
        raise InputError("give --k (a value such as 12 or a range such as 6:20)")
    check_cli_dps(args.dps)
    check_output_path(args.out)
    if args.radius is not None and not (args.radius > 0 and math.isfinite(args.radius)):
        raise InputError(f"--radius must be positive, got {args.radius}")
    fam = get_family(args.family)
    ks = parse_k(args.k, max_count=MAX_VALUES)
    bar = progress(None, total=len(ks), desc=f"certify {fam.name}", enabled=not args.json)
    if args.radius is not None:
        certs = []
        for k in ks:
            certs.append(certify(fam, k, dps=args.dps, radius=args.radius))
            bar.update(1)
    else:
        certs = certify_family(fam, ks, dps=args.dps, progress=lambda c: bar.update(1))
    bar.close()
    data = [c.to_json() for c in certs]
    if args.out:
        try:
            with open(args.out, "w") as fh:
                json.dump(data[0] if len(data) == 1 else data, fh, indent=2,
                          ensure_ascii=False)
                fh.write("\n")
        except OSError as exc:
            raise InputError(f"cannot write {args.out}: {exc}") from None
    if args.json:
        dump_json(data)
        return 0
    _table(certs)
    if args.out:
        print(f"written to {args.out}")
    return 0


def _table(certs):
    irreps = []
    for c in certs:
        for b in c.blocks:
            if b.irrep not in irreps:
                irreps.append(b.irrep)
    head = f"{'k':>14}  {'status':<10}  {'radius':>9}  " + "  ".join(
        f"{('λ_min ' + r):>18}" for r in irreps)
    print(head)
    notes = []
    for c in certs:
        low = {b.irrep: b.to_json(6)["lambda_min_lower"] for b in c.blocks}
        cells = [f"{low.get(r) or '-':>18}" for r in irreps]
        rad = f"{c.radius:.2e}" if c.radii else "-"
        print(f"{c.k:>14}  {c.status:<10}  {rad:>9}  " + "  ".join(cells))
        if c.status == "unverified":
            notes.append(f"k = {c.k}: {c.reason}")
    for n in notes:
        print(n)
    n_min = sum(c.status == "minimum" for c in certs)
    n_sad = sum(c.status == "saddle" for c in certs)
    n_unv = len(certs) - n_min - n_sad
    print(f"{len(certs)} certificate(s): {n_min} minimum, {n_sad} saddle, "
          f"{n_unv} unverified (Arb, rigorous)")


def _verify(args):
    bad = 0
    results = []
    for path in args.verify:
        data = read_json(path, "certificate")
        items = data if isinstance(data, list) else [data]
        if not items:
            raise InputError(f"{path}: no certificate in the file")
        for item in items:
            if not isinstance(item, dict):
                raise InputError(f"{path}: not a symcrit certificate")
            if item.get("format") == ALLK_FORMAT:
                v = verify_all_k(item)
            else:
                v = verify_certificate(item)
            results.append((path, v))
            bad += not v.verified
    if args.json:
        dump_json([dict(v.to_json(), file=path) for path, v in results])
    else:
        for path, v in results:
            mark = "verified" if v.verified else "NOT verified"
            extra = f": {v.reason}" if v.reason else ""
            where = (f"all k ≥ {v.to_json()['k_from']} ({len(v.pieces)} pieces)"
                     if hasattr(v, "pieces") else f"k = {v.k}")
            print(f"{path}: {where}: {mark}, {v.status}{extra}")
    return 1 if bad else 0


def _all_k(args):
    if args.k is not None or args.radius is not None:
        raise InputError("--all-k chooses k and the boxes itself: drop --k and --radius")
    check_cli_dps(args.dps)
    check_output_path(args.out)
    fam = get_family(args.family)
    if args.k_from is not None and args.k_from < fam.k_min:
        raise InputError(f"family {fam.name} needs k >= {fam.k_min}, got --from "
                         f"{args.k_from}")
    bar = progress(None, total=None, desc=f"all-k proof of {fam.name}",
                   enabled=not args.json)
    proof = prove_all_k(fam, k_from=args.k_from, dps=max(args.dps, 20),
                        progress=lambda piece: bar.update(1))
    bar.close()
    if args.out:
        try:
            proof.save(args.out)
        except OSError as exc:
            raise InputError(f"cannot write {args.out}: {exc}") from None
    if args.json:
        dump_json(proof.to_json())
        return 0
    print(proof)
    print(f"  CPU time {proof.cpu_seconds:.1f} s (this process and its worker)")
    if args.out:
        print(f"written to {args.out}")
    return 0
