"""``symcrit derive ISOTROPY [--k K] [--latex] [--json]``: the fixed space and the
restricted loss of an isotropy group."""
from __future__ import annotations

import sympy

from ..core import InputError, latex_equation, parse_value
from ..restricted import restricted_loss
from ..symmetry import YoungIsotropy
from .common import emit_json

__all__ = ["add_parser", "run"]


def add_parser(sub):
    """Register ``symcrit derive`` (its options and help) on the subcommand parsers
    ``sub``; the parser's ``func`` is :func:`run`."""
    from . import HELP, command_parser
    p = command_parser(
        sub, "derive", HELP["derive"],
        examples=["symcrit derive 'ΔS_{k-1}'",
                  "symcrit derive 'Δ(S_{k-2}×S_2)' --k 8 --latex",
                  "symcrit derive 'ΔS_{k-1}' --gradient --json"],
        description="Derive Fix(H) (parameters, W template, Frobenius weights) "
                    "and the restricted loss L_H(xi; k) with k symbolic.")
    p.add_argument("isotropy", help="isotropy spec, e.g. 'ΔS_{k-1}', 'DS_{k-1}', "
                                    "'D(S_{k-2}xS_2)', 'ΔS_{k-1}×S_{d-k}'")
    p.add_argument("--k", help="an integer k: also print W(ξ) and substitute k")
    p.add_argument("--d", help="d, for specs that involve d")
    p.add_argument("--latex", action="store_true",
                   help="print LaTeX displays for a document body (amsmath; the loss in an "
                        "align*, its terms over several lines)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--gradient", action="store_true", help="also print the gradient")
    p.set_defaults(func=run)
    return p


#: the largest k (and d) for which derive prints the k × d matrix W(ξ)
MAX_W = 60


def _shows_w(k, d):
    return k <= MAX_W and (d is None or d <= MAX_W)


def run(args):
    """Run ``symcrit derive`` with the parsed arguments ``args``; the return value is the
    exit code (None for 0)."""
    H = YoungIsotropy(args.isotropy)
    R = restricted_loss(H)
    F = R.fixed
    kval = None if args.k is None else parse_value(args.k)
    dval = None if args.d is None else parse_value(args.d)
    if kval is not None:
        if not isinstance(kval, int):
            raise InputError(f"--k must be an integer for derive (the W template), got {args.k}")
        H.at(kval, dval)          # validates k against the block sizes
    sub = {}
    if kval is not None:
        sub[R.k] = kval
        if R.d is not None and dval is not None:
            sub[R.d] = dval
    expr = R.expr.subs(sub) if sub else R.expr
    if args.json:
        out = {"isotropy": H.label, "isotropy_ascii": H.ascii, "dimension": F.dimension,
               "parameter_names": list(F.names),
               "weights": {n: str(w) for n, w in zip(F.names, F.weights)},
               "blocks": {"rows": [str(s) for s in H.row_sizes],
                          "columns": [str(s) for s in H.col_sizes],
                          "matrix": F.block_matrix()},
               "k_min": str(H.min_k),
               "loss": sympy.sstr(expr), "latex": sympy.latex(expr)}
        if kval is not None:
            out["k"] = str(kval)
            if dval is not None:
                out["d"] = str(dval)
            if _shows_w(kval, dval):
                out["W"] = [[str(x) for x in row] for row in F.template(kval, dval)]
        if args.gradient:
            out["gradient"] = {s.name: sympy.sstr(g.subs(sub))
                               for s, g in zip(R.symbols, R.gradient_exprs)}
        emit_json("derive", out)
        return 0
    if args.latex:                   # displays for a document body (amsmath)
        print(f"% Fix({H.ascii}), dimension {F.dimension}")
        print("\\[\n" + F.latex() + "\n\\]")
        print(latex_equation(f"L_{{{H.latex}}}", expr))
        if args.gradient:
            for s, g in zip(R.symbols, R.gradient_exprs):
                print(latex_equation(rf"\frac{{\partial L}}{{\partial {s.name}}}",
                                     g.subs(sub)))
        return 0
    print(F)
    print(f"Frobenius weights: {', '.join(f'{n}: {w}' for n, w in zip(F.names, F.weights))}")
    print(f"valid for k >= {H.min_k}")
    if kval is not None and _shows_w(kval, dval):
        print(f"W(ξ) at k = {kval}:")
        print(sympy.pretty(sympy.Matrix(F.template(kval, dval).tolist())))
    elif kval is not None:
        print(f"(W(ξ) is {kval} × {dval or kval}: printed for k, d <= {MAX_W}; L_H below is "
              f"at k = {kval})")
    print(f"L_H = {sympy.sstr(expr)}")
    if args.gradient:
        for s, g in zip(R.symbols, R.gradient_exprs):
            print(f"dL/d{s.name} = {sympy.sstr(g.subs(sub))}")
    return 0
