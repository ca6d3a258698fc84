"""``symcrit isotypic ISOTROPY [--k K] [--latex] [--json]``: the isotypic decomposition of
M(k, k) under a Young-type isotropy group, with symbolic k."""
from __future__ import annotations

from ..core import InputError, parse_value
from ..spectra import multiplicity_value
from ..symmetry import isotypic_decomposition
from .common import emit_json

__all__ = ["add_parser", "run"]


def add_parser(sub):
    """Register ``symcrit isotypic`` (its options and help) on the subcommand parsers
    ``sub``; the parser's ``func`` is :func:`run`."""
    from . import HELP, command_parser
    p = command_parser(
        sub, "isotypic", HELP["isotypic"],
        examples=["symcrit isotypic 'ΔS_{k-1}'",
                  "symcrit isotypic 'Δ(S_{k-2}×S_2)' --latex"],
        description="Decompose the k×k matrices M(k,k) under a Young-type "
                    "isotropy group H (k symbolic, d = k) into irreducible "
                    "representations: copies and dimensions (polynomials "
                    "in k).  The Hessian at a point of Fix(H) has one block "
                    "of size 'copies' per irreducible.")
    p.add_argument("isotropy", help="isotropy spec, e.g. 'ΔS_{k-1}' or 'D(S_{k-2}xS_2)'")
    p.add_argument("--k", help="also give the dimensions at this integer k")
    p.add_argument("--latex", action="store_true",
                   help="print LaTeX displays for a document body")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run)
    return p


def run(args):
    """Run ``symcrit isotypic`` with the parsed arguments ``args``; the return value is the
    exit code (None for 0)."""
    dec = isotypic_decomposition(args.isotropy)
    kval = None
    if args.k is not None:
        kval = parse_value(args.k)
        if not isinstance(kval, int) or kval < dec.H.min_k:
            raise InputError(f"--k must be an integer >= {dec.H.min_k} for {dec.H.label}, "
                             f"got {args.k}")
    if args.json:
        out = dec.to_json()
        if kval is not None:
            out["k"] = str(kval)
            for c, js in zip(dec.components, out["components"]):
                js["multiplicity"] = str(multiplicity_value(c.dimension, kval))
        emit_json("isotypic", out)
        return 0
    if args.latex:                   # displays for a document body
        print("\\[\n" + dec.latex() + "\n\\]")
        print("\\[\n" + dec.latex_table() + "\n\\]")
        return 0
    print(dec)
    if kval is not None:
        print(f"at k = {kval}: " + ", ".join(
            f"{c.label}: {c.copies} × {multiplicity_value(c.dimension, kval)}"
            for c in dec.components))
    return 0
