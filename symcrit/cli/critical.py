"""``symcrit critical FAMILY --k K [--dps D] [--json]``: a family's critical point at one k
or over a range of k (integer or real)."""
from __future__ import annotations

import mpmath

from ..critical.families import get_family
from ..core import InputError
from .common import dec, dump_json, k_json, parse_k, progress


def add_parser(sub):
    p = sub.add_parser("critical", help="a family's critical point at k (value or range)",
                       description="Refine a family's critical point at each k (integer, "
                                   "real, or a range such as 6:20) to --dps digits, with the "
                                   "full-space gradient check and, where available, the "
                                   "Hessian spectrum.")
    p.add_argument("family", help="family name (see `symcrit families`)")
    p.add_argument("--k", required=True, help="k: 12, 12.5, 10^12, or a range 6:20")
    p.add_argument("--dps", type=int, default=30, help="decimal digits (15 to 1000)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--no-spectrum", action="store_true", help="skip the Hessian spectrum")
    p.set_defaults(func=run)
    return p


class SpectrumUnavailable:
    """Stands for the spectrum where it cannot be computed (the reason is kept)."""

    def __init__(self, reason):
        self.reason = reason

    def __str__(self):
        return f"Hessian spectrum: not available ({self.reason})"


def _spectrum(cp):
    try:
        from ..spectra.spectrum import spectrum_of
    except ImportError:     # the spectrum module is optional at this layer
        return None
    try:
        return spectrum_of(cp)
    except InputError as exc:   # e.g. real k below the range of the isotypic layout
        return SpectrumUnavailable(str(exc))


def point_json(cp, spec=None, digits=None):
    """A CriticalPoint as JSON (decimal strings)."""
    digits = digits or cp.dps
    out = {"family": cp.family, "isotropy": cp.isotropy, "k": k_json(cp.k),
           "parameters": {n: dec(x, digits) for n, x in zip(cp.names, cp.xi)},
           "loss": dec(cp.loss, digits), "gradient_norm": dec(cp.gradient_norm, 5),
           "residual": dec(cp.residual, 5), "dps": cp.dps, "certainty": cp.certainty}
    if cp.checks:
        out["full_space_check"] = {k: dec(v, 5 if "gradient" in k else digits)
                                   for k, v in cp.checks.items()}
    if isinstance(spec, SpectrumUnavailable):
        out["spectrum"] = out["index"] = out["kind"] = None
        out["spectrum_note"] = spec.reason
    elif spec is not None:
        js = spec.to_json()
        out["spectrum"] = js.get("spectrum", js) if isinstance(js, dict) else js
        out["index"] = js["index"]
        out["kind"] = spec.kind
    return out


def check_dps(dps):
    from ..core import InputError
    if not 15 <= dps <= 1000:
        raise InputError(f"--dps must be between 15 and 1000, got {dps}")


def run(args):
    check_dps(args.dps)
    fam = get_family(args.family)
    ks = parse_k(args.k)
    bar = progress(range(len(ks)), total=len(ks), desc=f"{fam.name}", enabled=not args.json)
    pts = fam.points(ks, dps=args.dps, progress=lambda p: bar.update(1))
    bar.close()
    rows = []
    for cp in pts:
        spec = None if args.no_spectrum else _spectrum(cp)
        rows.append((cp, spec))
    if args.json:
        out = [point_json(cp, spec) for cp, spec in rows]
        dump_json(out[0] if len(out) == 1 and ":" not in args.k and "," not in args.k
                  else out)
        return 0
    if len(rows) == 1:
        cp, spec = rows[0]
        print(f"family {fam.name}: {fam.description}")
        print(f"isotropy {cp.isotropy}, k = {k_json(cp.k)}, {cp.dps} digits ({cp.certainty})")
        for n, x in zip(cp.names, cp.xi):
            print(f"  {n} = {mpmath.nstr(x, cp.dps)}")
        print(f"loss           = {mpmath.nstr(cp.loss, cp.dps)}")
        print(f"residual       = {mpmath.nstr(cp.residual, 3)}   (max |∂L_H/∂ξ_p| / w_p)")
        print(f"|∇L(W)|_F      = {mpmath.nstr(cp.gradient_norm, 3)}   (by symmetric criticality)")
        if cp.checks:
            print("full-space check (the full-space formula at W(ξ), independent of L_H):")
            for key, v in cp.checks.items():
                digits = 5 if "gradient" in key else (16 if key.endswith("float") else cp.dps)
                print(f"  {key.replace('full_', ''):22s} {mpmath.nstr(v, digits)}")
        if spec is not None:
            print(spec)
        return 0
    head = f"{'k':>14s} {'loss':>24s} {'residual':>10s} {'|grad L|':>10s}"
    has_spec = any(s is not None for _, s in rows)
    notes = []
    if has_spec:
        head += f" {'index':>8s}  kind"
    print(f"family {fam.name} ({fam.isotropy}), {args.dps} digits")
    print(head)
    for cp, spec in rows:
        line = (f"{k_json(cp.k):>14s} {mpmath.nstr(cp.loss, 18):>24s} "
                f"{mpmath.nstr(cp.residual, 2):>10s} {mpmath.nstr(cp.gradient_norm, 2):>10s}")
        if isinstance(spec, SpectrumUnavailable):
            line += f" {'-':>8}  - (spectrum not available)"
            notes.append(f"k = {k_json(cp.k)}: {spec.reason}")
        elif spec is not None:
            idx = spec.index
            line += f" {idx if isinstance(idx, int) else mpmath.nstr(idx, 6):>8}  {spec.kind}"
        print(line)
    for n in notes:
        print(f"  note: {n}")
    return 0
