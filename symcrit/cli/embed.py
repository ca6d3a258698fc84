"""``symcrit embed FAMILY --k K (--neuron J [--lam 1/2] | --zero) [--dps D] [--certify]
[--perturb SEED --eps LIST] [--json]``: a family's critical point embedded into a wider
student (a neuron split or a zero neuron), its spectrum by the isotypic blocks of its own
group, the interlacing bound, an Arb certificate that it is a saddle, and how the spectrum
survives a symmetry-breaking target (Arjevani & Field 2022, arXiv:2210.06088)."""
from __future__ import annotations

import mpmath

from ..core import DPS_MAX, DPS_MIN, InputError, dec, fmt_k, parse_value
from ..wider import (certify_split, embedding_json, follow_perturbation, neuron_curvature,
                     split_neuron, zero_neuron)
from .common import check_cli_dps, emit_json

__all__ = ["add_parser", "run"]


def add_parser(sub):
    """Register ``symcrit embed`` (its options and help) on the subcommand parsers
    ``sub``; the parser's ``func`` is :func:`run`."""
    from . import HELP, command_parser
    p = command_parser(
        sub, "embed", HELP["embed"],
        examples=['symcrit embed type-A --k 10 --neuron 1 --lam 0.5',
                  'symcrit embed type-A --k 12 --neuron 12 --certify',
                  'symcrit embed type-A --k 10 --zero'],
        description="Embed a family's critical point at k into a student with one more "
                    "neuron: split neuron J into λ w_J and (1-λ) w_J (the function and "
                    "the criticality are kept; J = k is the last row), or add a zero "
                    "neuron (not smooth: the minimum over the unit sphere of the "
                    "one-sided directional derivative g(u) is reported; g < 0 is a "
                    "first-order descent direction).  The split point's Hessian spectrum "
                    "comes from the isotypic blocks of its own group (cost independent "
                    "of k), with the interlacing bound of the split curvature M.")
    p.add_argument("family", help="family name (see `symcrit families`)")
    p.add_argument("--k", required=True, help="k (an integer for --neuron; 10^6 works)")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--neuron", type=int, metavar="J", help="split row J (1 … k)")
    what.add_argument("--zero", action="store_true", help="add a zero neuron")
    p.add_argument("--lam", default="1/2", help="the split λ in (0, 1) (default 1/2)")
    p.add_argument("--allow-negative", action="store_true",
                   help="accept λ outside [0, 1] (the point is then not critical)")
    p.add_argument("--dps", type=int, default=30,
                   help=f"decimal digits ({DPS_MIN} to {DPS_MAX})")
    p.add_argument("--certify", action="store_true",
                   help="Arb certificate that the split point is a saddle")
    p.add_argument("--perturb", type=int, metavar="SEED", default=None,
                   help="follow the split point for the target I + ε Δ, Δ random (seed)")
    p.add_argument("--eps", default="0,0.01,0.02,0.05",
                   help="ε values for --perturb (increasing from 0)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run)
    return p


def _k(text):
    k = parse_value(text)
    if not isinstance(k, int):
        k = mpmath.mpf(k.numerator) / k.denominator
    return k


def run(args):
    """Run ``symcrit embed`` with the parsed arguments ``args``; the return value is the
    exit code (None for 0)."""
    check_cli_dps(args.dps)
    k = _k(args.k)
    if args.zero:
        if args.certify or args.perturb is not None:
            raise InputError("--certify and --perturb need a split (--neuron), not --zero")
        z = zero_neuron(args.family, k=k, dps=args.dps)
        if args.json:
            emit_json("zero_neuron", z.to_json())
            return 0
        _print_zero(z)
        return 0
    if not isinstance(k, int):
        raise InputError(f"--neuron needs an integer k, got {args.k}")
    pt = split_neuron(args.family, k=k, J=args.neuron, lam=args.lam, dps=args.dps,
                      allow_negative=args.allow_negative)
    sp = pt.spectrum()
    # the interlacing bound is about the critical splits, λ in (0, 1)
    curv = neuron_curvature(pt.narrow, J=args.neuron, dps=args.dps) if pt.critical else None
    checks = pt.full_check() if k <= 40 else {}
    cert = None
    if args.certify:
        if not pt.critical:
            raise InputError("--certify needs a critical split (λ in (0, 1))")
        cert = certify_split(pt.narrow, J=args.neuron, lam=pt.lam, dps=args.dps)
    pert = None
    if args.perturb is not None:
        if k > 12:
            raise InputError("--perturb follows the point in the full space: k <= 12")
        eps = _eps(args.eps)
        pert = follow_perturbation(pt, eps=eps, seed=args.perturb)
    if args.json:
        out = embedding_json(pt, spectrum_=sp,
                             certificate=None if cert is None else cert.to_json())
        out["interlacing"] = None if curv is None else curv.to_json(pt.lam or "1/2",
                                                                   args.dps)
        if checks:
            out["full_space_check"] = {key: dec(v, 5 if "gradient" in key else args.dps)
                                       for key, v in checks.items()}
        if pert is not None:
            out["perturbation"] = pert.to_json()
        emit_json("embedding", out)
        return 0
    _print_split(pt, sp, curv, checks, cert, pert)
    return 0


def _eps(text):
    from fractions import Fraction
    try:
        return [float(Fraction(x.strip())) for x in text.split(",")]
    except (ValueError, ZeroDivisionError):
        raise InputError(f"--eps must be numbers separated by commas, got {text!r}") from None


def _print_split(pt, sp, curv, checks, cert, pert):
    print(f"{pt}")
    print(f"narrow point: {pt.narrow.family} in Fix({pt.narrow.isotropy}), k = "
          f"{fmt_k(pt.k)}; the split row: {pt.row.description} (every row of its block "
          "gives the same point up to the symmetry group)")
    print(f"wide point in Fix({pt.isotropy}), n = {pt.n} rows ({pt.dps} digits, refined):")
    for n, x in zip(pt.names, pt.xi):
        print(f"  {n} = {mpmath.nstr(x, pt.dps)}")
    print(f"loss = {mpmath.nstr(pt.loss, pt.dps)};  |∇L|_F = "
          f"{mpmath.nstr(pt.gradient_norm, 3)}" + ("" if pt.critical else "  (NOT critical)"))
    if checks:
        print(f"full-space check ((k+1) × k dense formula): |∇L|_F = "
              f"{mpmath.nstr(checks['full_gradient_norm'], 3)}, loss = "
              f"{mpmath.nstr(checks['full_loss'], 20)}")
    print(sp)
    if curv is None:
        print("interlacing: not applicable (the point is not critical)")
    else:
        _print_interlacing(pt, curv)
    if cert is not None:
        print(cert)
    if pert is not None:
        print(pert)


def _print_interlacing(pt, curv):
    idx, top = curv.interlacing(pt.lam or "1/2")
    print(f"interlacing: on Z = (δ, -δ)/√2 the Hessian is M/(2λ(1-λ)); M has {idx} negative "
          f"eigenvalue(s) with multiplicity, so index >= {idx} and λ_min <= "
          f"{mpmath.nstr(top, 10)}")
    for b in curv.blocks:
        print(f"  M on {b.component} (mult {b.multiplicity}): "
              + ", ".join(mpmath.nstr(e, 10) for e in b.eigenvalues)
              + f"   [wide block {b.wide_irrep} at λ = 1/2]")


def _print_zero(z):
    print(f"zero neuron added to the {z.narrow.family} point at k = {fmt_k(z.k)} "
          f"(n = k+1): not a smooth point")
    print(f"min over |u| = 1 of g(u) = Σ_i K(w_i, u) - Σ_j K(v_j, u): "
          f"{mpmath.nstr(z.min_directional_derivative, z.dps)} ({z.certainty}"
          + (f", residual {mpmath.nstr(z.residual, 3)}" if z.certainty == "refined" else "")
          + ")")
    print("first-order descent direction" if z.descent else
          "no first-order descent direction")
    print(f"attained in Fix({z.isotropy}) at u (per column block):")
    for cols, m, v in z.direction:
        print(f"  columns {cols} ({m}): {mpmath.nstr(v, 15)}")
    if z.check_at_rows is not None:
        print(f"check: max_i |g(w_i/|w_i|)| = {mpmath.nstr(z.check_at_rows, 3)} (0 at a "
              "critical point)")
