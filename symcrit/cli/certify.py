"""``symcrit certify FAMILY --k K [--dps D] [--json] [--out FILE] [--plot FILE]``: rigorous
(Arb) certificates that a family's critical point exists, is unique in a box, and is a
strict local minimum or a saddle of the full loss; ``symcrit certify FAMILY --all-k [--from
K0] [--out FILE] [--json]``: one proof for every integer k ≥ k₀ (intervals of k chained to
a certificate at k = ∞); ``symcrit certify --verify FILE`` re-checks certificate and all-k
files from their data alone (those of earlier versions too).

Statuses: ``minimum``, ``saddle``, ``unverified`` (with the reason).  Exit code 0 whatever
the statuses (they are results, not errors), except ``--verify``, which exits 1 when a
file does not verify; bad input (family, k, precision, files) exits 2; Ctrl-C exits 130
after writing every certificate finished by then.  k is read exactly
(:func:`symcrit.core.parse_k` keeps decimals exact): ``--k 7.3`` certifies k = 73/10, not
the nearest double.

``--out`` is written as the certificates finish (at most once a second, and at the end or
on Ctrl-C), atomically: the file is always a complete ``symcrit.certificates`` document,
with ``"complete": false`` until every k is done.
"""
from __future__ import annotations

import json
import logging
import math
import sys
import time

from ..certificates import (bound_text, certify, certify_family, prove_all_k,
                            upgrade_certificate, verify_all_k, verify_certificates)
from ..core import DPS_MAX, DPS_MIN, InputError, k_text, parse_k, write_text_atomic
from ..critical import get_family
from ..schemas import document, kind_of
from .common import (add_plot_options, check_cli_dps, check_output_path, emit_json,
                     progress, read_json)

__all__ = ["add_parser", "run"]

log = logging.getLogger(__name__)

#: the most values of k one run computes (each is one refined certificate; split longer ranges)
MAX_VALUES = 20000

#: the least time between two writes of ``--out`` while certificates come in (seconds)
WRITE_EVERY = 1.0


def add_parser(sub):
    """Register ``symcrit certify`` (its options and help) on the subcommand parsers
    ``sub``; the parser's ``func`` is :func:`run`."""
    from . import HELP, command_parser
    p = command_parser(
        sub, "certify", HELP["certify"],
        description="Prove with Arb ball arithmetic (python-flint) that a family's critical "
                    "point exists and is unique in a small box (Krawczyk test), that the "
                    "box avoids the non-smooth set, and whether the point is a strict local "
                    "minimum or a saddle of the full loss (rigorous bounds on every "
                    "isotypic block of the Hessian).  Near a threshold the answer is "
                    "'unverified' with the reason.",
        examples=["symcrit certify type-A --k 6:20",
                  "symcrit certify type-A --k 6:2000 --out certs.json --plot certs.pdf",
                  "symcrit certify --verify certs.json",
                  "symcrit certify hidden-D --all-k --out hidden-D.json"])
    p.add_argument("family", nargs="?", help="family name (see 'symcrit families')")
    p.add_argument("--k", help="k: a value (12, 7.3, 10^12), a range (6:20, 6:10000, "
                               "7:8:0.25) or a list (6,7.5); decimals are exact (7.3 is "
                               "73/10)")
    p.add_argument("--dps", type=int, default=30,
                   help=f"digits ({DPS_MIN} to {DPS_MAX}; guard digits growing with log10 k "
                        "are added)")
    p.add_argument("--radius", type=float, default=None,
                   help="fix the box radius (absolute, every coordinate) instead of the "
                        "adaptive choice (default: adaptive)")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="processes (default: the cores, at most 8, from 400 values of k "
                        "on; else 1)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--out", metavar="FILE",
                   help="write the certificates to this JSON file as they finish (a "
                        "symcrit.certificates document; with --all-k the proof)")
    add_plot_options(p, "the status and the lower bound of λ_min of each block against k")
    p.add_argument("--all-k", action="store_true", dest="all_k",
                   help="prove the family a strict local minimum for every integer k >= K0 "
                        "at once: intervals of k, chained to a certificate at k = infinity")
    p.add_argument("--from", type=int, default=None, dest="k_from", metavar="K0",
                   help="with --all-k: where the proof starts (default: the first integer "
                        "above the family's saddle -> minimum threshold)")
    p.add_argument("--verify", nargs="+", metavar="FILE",
                   help="re-check certificate files or all-k proofs (recomputed from their "
                        "data alone; files of every symcrit version)")
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
    _check_plot(args)
    if args.radius is not None and not (args.radius > 0 and math.isfinite(args.radius)):
        raise InputError(f"--radius must be positive, got {args.radius}")
    if args.workers is not None and not 1 <= args.workers <= 256:
        raise InputError(f"--workers must be from 1 to 256, got {args.workers}")
    fam = get_family(args.family)
    ks = parse_k(args.k, max_count=MAX_VALUES)
    results = _Results(fam, ks, args.dps, args.out)
    bar = progress(None, total=len(ks), desc=f"certify {fam.name}", enabled=not args.json)
    try:
        if args.radius is not None:
            for k in ks:
                results.add(certify(fam, k, dps=args.dps, radius=args.radius))
                bar.update(1)
        else:
            certify_family(fam, ks, dps=args.dps, workers=args.workers,
                           progress=lambda c: (results.add(c), bar.update(1)))
    except KeyboardInterrupt:
        bar.close()
        results.write()
        sys.stderr.write(f"symcrit certify: interrupted: {len(results.done)} of {len(ks)} "
                         "certificate(s) finished"
                         + (f", written to {args.out}" if args.out else "") + "\n")
        _report(args, results)
        return 130
    bar.close()
    results.write()
    return _report(args, results)


class _Results:
    """The certificates as they finish, in the order of the k asked for; ``--out`` written
    (atomically) at most every :data:`WRITE_EVERY` seconds (less often when a write takes
    more than a tenth of that), and by :meth:`write`."""

    def __init__(self, fam, ks, dps, path):
        self.fam, self.dps, self.path = fam, dps, path
        self.total = len(ks)
        self.slots = {}                   # k as exact text -> its places in the list asked
        for i, k in enumerate(ks):
            self.slots.setdefault(k_text(k), []).append(i)
        self.done = {}
        self.json = {}                    # place -> the certificate's JSON (made once)
        self.last = 0.0
        self.cost = 0.0                   # seconds the last write took

    def add(self, cert):
        free = self.slots.get(cert.k)
        self.done[free.pop(0) if free else self.total + len(self.done)] = cert
        # the whole document is written each time: wait ten times as long as the last
        # write took (at least WRITE_EVERY), so that writing stays a tenth of the run
        if self.path and time.monotonic() - self.last >= max(WRITE_EVERY, 10 * self.cost):
            self.write()

    @property
    def certificates(self):
        return [self.done[i] for i in sorted(self.done)]

    def document(self):
        return document("certificates", {
            "family": self.fam.name, "isotropy": self.fam.isotropy, "dps": self.dps,
            "complete": len(self.done) == self.total,
            "certificates": [self._json(i) for i in sorted(self.done)]})

    def _json(self, i):
        js = self.json.get(i)
        if js is None:                    # each certificate serialised once, when written
            js = self.json[i] = self.done[i].to_json()
        return js

    def write(self):
        start = time.monotonic()
        if not self.path:
            self.last = start
            return
        try:
            write_text_atomic(self.path, json.dumps(self.document(), indent=2,
                                                    ensure_ascii=False) + "\n")
        except OSError as exc:
            raise InputError(f"cannot write {self.path}: {exc}") from None
        self.last = time.monotonic()
        self.cost = self.last - start
        log.debug("%d of %d certificates written to %s", len(self.done), self.total,
                  self.path)


def _check_plot(args):
    if args.plot:
        from ..plotting import check_plot_path
        check_plot_path(args.plot, dpi=args.dpi)


def _report(args, results):
    certs = results.certificates
    if args.plot and certs:
        from ..plotting import plot_certificates
        plot_certificates(certs, args.plot, dpi=args.dpi)
    if args.json:
        from .common import dump_json
        dump_json(results.document())
        return 0
    _table(certs)
    if args.out:
        print(f"written to {args.out}")
    if args.plot and certs:
        print(f"plot written to {args.plot}")
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
        low = {b.irrep: None if b.lower is None else bound_text(b.lower, 6, -1)
               for b in c.blocks}                # not to_json: nothing is written here
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


def _items(path, data):
    """The certificates and all-k proofs of one file: a symcrit.certificates document, one
    certificate or proof (any version), or a list of certificates (version 1)."""
    if isinstance(data, list):                      # symcrit-certificate/1, several k
        return data
    if not isinstance(data, dict):
        raise InputError(f"{path}: not a symcrit certificate")
    if kind_of(data) == "certificates":
        items = data.get("certificates")
        if not isinstance(items, list):
            raise InputError(f"{path}: 'certificates' must be a list")
        return items
    return [data]


def _verify(args):
    todo = []                                      # (path, item), in the order given
    for path in args.verify:
        data = read_json(path, "certificate")
        items = _items(path, data)
        if not items:
            raise InputError(f"{path}: no certificate in the file")
        for item in items:
            if not isinstance(item, dict):
                raise InputError(f"{path}: not a symcrit certificate")
            todo.append((path, item if kind_of(item) == "allk" else upgrade_certificate(item)))
    certs = [item for _, item in todo if kind_of(item) != "allk"]
    log.info("verifying %d certificate(s) and %d all-k proof(s)", len(certs),
             len(todo) - len(certs))
    bar = progress(None, total=len(todo), desc="verify", enabled=not args.json)
    checked = iter(verify_certificates(certs, workers=args.workers,
                                       progress=lambda c: bar.update(1)))
    results = []
    for path, item in todo:
        if kind_of(item) == "allk":
            v = verify_all_k(item)
            bar.update(1)
        else:
            v = next(checked)
        results.append((path, v))
    bar.close()
    bad = sum(not v.verified for _, v in results)
    if args.json:
        emit_json("verification", {"results": [dict(v.to_json(), file=path)
                                               for path, v in results]})
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
    if args.plot:
        raise InputError("--plot goes with --k (the certificates over a range of k)")
    check_cli_dps(args.dps)
    check_output_path(args.out)
    fam = get_family(args.family)
    if args.k_from is not None and args.k_from < fam.k_min:
        raise InputError(f"family {fam.name} needs k >= {fam.k_min}, got --from "
                         f"{args.k_from}")
    bar = progress(None, total=None, desc=f"all-k proof of {fam.name}",
                   enabled=not args.json)
    proof = prove_all_k(fam, k_from=args.k_from, dps=max(args.dps, 20),
                        workers=args.workers, progress=lambda piece: bar.update(1))
    bar.close()
    if args.out:
        try:
            proof.save(args.out)
        except OSError as exc:
            raise InputError(f"cannot write {args.out}: {exc}") from None
    if args.json:
        from .common import dump_json
        dump_json(proof.to_json())
        return 0
    print(proof)
    print(f"  CPU time {proof.cpu_seconds:.1f} s (this process and its worker)")
    if args.out:
        print(f"written to {args.out}")
    return 0
