"""``symcrit report [FAMILY] [--latex] [--json]``: the main job.

For a family (default ``type-A``): the critical point for k = 6…20 refined to 30 digits,
with the residual, the independent full-space gradient, and what is known of its type
(the Hessian spectrum's index and kind, and an Arb certificate where available); then the
large-k behaviour by continuation up to k = 10^12: the loss, k·loss and each parameter's
power law read off a log–log slope.  ``--latex`` writes all of it, with the spectrum at the
largest k of the table, the series and the saddle-to-minimum threshold, as a standalone
document for pdflatex.
"""
from __future__ import annotations

import mpmath
import sympy

from ..certificates import certify
from ..core import DPS_MAX, DPS_MIN, SymcritError, dec, k_json, latex_number, parse_k
from ..critical import get_family
from ..series import family_series
from ..symmetry import YoungIsotropy
from .common import (SpectrumUnavailable, check_cli_dps, emit_json, point_json, progress,
                     spectrum_or_reason)

__all__ = ["add_parser", "run"]


#: the most values of k one run computes (each is one refined row; split longer ranges)
MAX_VALUES = 500

def add_parser(sub):
    """Register ``symcrit report`` (its options and help) on the subcommand parsers
    ``sub``; the parser's ``func`` is :func:`run`."""
    from . import HELP, command_parser
    p = command_parser(
        sub, "report", HELP["report"],
        examples=['symcrit report',
                  'symcrit report hidden-A --k 6:12',
                  'symcrit report --latex > report.tex'],
        description="Report on a family (default type-A): refined critical "
                    "points for k = 6..20 with residuals, full-space checks, "
                    "Hessian index and kind, certificates; then the large-k "
                    "behaviour up to k = 10^12.")
    p.add_argument("family", nargs="?", default="type-A", help="family name (default type-A)")
    p.add_argument("--k", default="6:20", help="k values of the table (default 6:20)")
    p.add_argument("--large", default="10^2,10^3,10^4,10^6,10^8,10^10,10^12",
                   help="k values of the large-k table")
    p.add_argument("--dps", type=int, default=30,
                   help=f"decimal digits ({DPS_MIN} to {DPS_MAX}, default 30)")
    p.add_argument("--no-certify", action="store_true", help="skip the Arb certificates")
    p.add_argument("--latex", action="store_true",
                   help="a complete LaTeX document (booktabs; compile with pdflatex): the "
                        "table with residuals, index and certificates, the spectrum, large "
                        "k, the series and the threshold")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run)
    return p


def _deviation_law(pts, i):
    """Fit x_i(k) ≈ x_inf + C k^p from the three largest k (x_inf from the last point
    rounded where the deviation is tiny)."""
    p1, p2, p3 = pts[-3], pts[-2], pts[-1]
    x1, x2, x3 = p1.xi[i], p2.xi[i], p3.xi[i]
    # deviations from the limit estimated by Aitken-like differences in log k
    d12, d23 = x2 - x1, x3 - x2
    if d12 == 0 or d23 == 0 or mpmath.sign(d12) != mpmath.sign(d23):
        return None
    r = mpmath.log(abs(d23 / d12)) / mpmath.log(mpmath.mpf(p3.k) / p2.k)
    p = float(r)
    limit = x3 - d23 / (mpmath.mpf(p3.k / p2.k) ** p - 1) * (mpmath.mpf(p3.k / p2.k) ** p) \
        if p < 0 else None
    return p, limit


def run(args):
    """Run ``symcrit report`` with the parsed arguments ``args``; the return value is the
    exit code (None for 0)."""
    check_cli_dps(args.dps)
    fam = get_family(args.family)
    ks = parse_k(args.k, max_count=MAX_VALUES)
    large = parse_k(args.large, max_count=MAX_VALUES)
    with_certificates = not args.no_certify
    quiet = args.json or args.latex
    bar = progress(range(len(ks) + len(large)), desc=f"report {fam.name}", enabled=not quiet)
    pts = fam.points(ks, dps=args.dps, progress=lambda p: bar.update(1))
    rows = []
    for k, cp in zip(ks, pts):
        row = {"cp": cp, "spec": None, "cert": None}
        row["spec"] = spectrum_or_reason(cp)
        if with_certificates:
            try:               # k as parsed (exact), not the rounded cp.k
                row["cert"] = certify(fam, k, dps=args.dps)
            except Exception as exc:          # a failed certificate is reported, not fatal
                row["cert"] = exc
        rows.append(row)
    big = fam.points(large, dps=args.dps, full_check=False, progress=lambda p: bar.update(1))
    bar.close()
    asym = []
    if len(big) >= 3:
        for i, n in enumerate(big[-1].names):
            law = _deviation_law(big, i)
            asym.append((n, big[-1].xi[i], law))
    loss_slope = None
    if len(big) >= 2 and big[-1].loss > 0 and big[-2].loss > 0:
        loss_slope = float(mpmath.log(big[-1].loss / big[-2].loss) /
                           mpmath.log(mpmath.mpf(big[-1].k) / big[-2].k))
    try:
        S = family_series(fam, order=4, dps=30)
    except SymcritError as exc:      # a family whose series is not regular
        S, why = None, str(exc)
    lead = S.loss[0].exponent if S is not None and S.loss else None
    decaying = (lead == -1) if S is not None else (
        loss_slope is not None and abs(loss_slope + 1) < 1e-2)
    if args.json:
        return _json(fam, rows, big, asym, loss_slope, args, S, decaying)
    if args.latex:
        return _latex(fam, rows, big, args, S, decaying)
    print(f"symcrit report: family {fam.name}, isotropy {fam.isotropy}")
    print(f"  {fam.description}")
    print(f"  points refined to {args.dps} digits with mpmath (Newton on the restricted "
          "gradient); 'full |grad L|' is the full-space formula at W(ξ) in float64, "
          "independent of the restricted loss.")
    print()
    head = f"{'k':>4s} {'loss':>22s} {'residual':>9s} {'full |grad L|':>14s}"
    head += f" {'index':>6s} {'kind':>10s}"
    if with_certificates:
        head += "  certificate"
    print(head)
    for r in rows:
        cp = r["cp"]
        full = cp.checks.get("full_gradient_norm_float")
        line = (f"{k_json(cp.k):>4s} {mpmath.nstr(cp.loss, 16):>22s} "
                f"{mpmath.nstr(cp.residual, 2):>9s} "
                f"{'-' if full is None else f'{full:.1e}':>14s}")
        s = r["spec"]
        if isinstance(s, SpectrumUnavailable):
            line += f" {'-':>6s} {'-':>10s}"
        else:
            idx = s.index if isinstance(s.index, int) else mpmath.nstr(s.index, 4)
            line += f" {idx:>6} {s.kind:>10s}"
        if with_certificates:
            c = r["cert"]
            line += "  " + (f"error: {c}" if isinstance(c, Exception) else _cert_text(c))
        print(line)
    print()
    print(f"large k (continuation in log k; the restricted system has {len(big[0].names)} "
          "unknowns whatever k is):")
    print(f"{'k':>15s} {'loss':>22s} " + (f"{'k * loss':>20s}   " if decaying else "  ")
          + " ".join(f"{n:>12s}" for n in big[0].names))
    for cp in big:
        print(f"{k_json(cp.k):>15s} {mpmath.nstr(cp.loss, 14):>22s} "
              + (f"{mpmath.nstr(cp.loss * cp.k, 12):>20s}   " if decaying else "  ")
              + " ".join(f"{mpmath.nstr(x, 5):>12s}" for x in cp.xi))
    if S is not None:
        print("\nlimits as k -> oo (exact, from the series): "
              + ", ".join(f"{n} -> {int(S.limits[n])}" for n in big[0].names)
              + f"; loss ~ ({S.loss[0].exact if S.loss[0].exact is not None else S.loss[0].value})"
              + (f" k^({S.loss[0].exponent})" if S.loss[0].exponent else ""))
        print("series in k^(-1/2) (order-by-order lifting):")
        print("\n".join(str(S).splitlines()[1:]))
        print(f"more terms, eigenvalues and the check against refined points: "
              f"`symcrit series {fam.name} --order 12 --verify`")
        return 0
    if loss_slope is not None:
        print(f"\nloss ~ C k^p with p = {loss_slope:.6f} between k = {k_json(big[-2].k)} and "
              f"{k_json(big[-1].k)} (numerical)")
    if asym:
        print("parameters: x(k) ≈ x_∞ + C k^p (p from the last three k, numerical):")
        for n, x, law in asym:
            if law is None:
                print(f"  {n}: {mpmath.nstr(x, 12)} (no clean power law)")
            else:
                print(f"  {n}: p ≈ {law[0]:.4f}")
    print(f"\nseries in k^(-1/2): not available for {fam.name} ({why})")
    return 0


def _cert_text(c):
    status = getattr(c, "status", None) or (c.get("status") if isinstance(c, dict) else "?")
    return f"{status} (Arb)" if status in ("minimum", "saddle") else f"{status}"


def _json(fam, rows, big, asym, loss_slope, args, S, decaying):
    out = {"family": fam.name, "isotropy": fam.isotropy, "description": fam.description,
           "dps": args.dps, "table": [], "large_k": []}
    for r in rows:
        d = point_json(r["cp"], r["spec"])
        c = r["cert"]
        if c is not None:
            d["certificate"] = {"error": str(c)} if isinstance(c, Exception) else (
                c.to_json() if hasattr(c, "to_json") else c)
        out["table"].append(d)
    for cp in big:
        row = {"k": k_json(cp.k), "loss": dec(cp.loss, args.dps)}
        if decaying:
            row["k_times_loss"] = dec(cp.loss * cp.k, args.dps)
        row["parameters"] = {n: dec(x, args.dps) for n, x in zip(cp.names, cp.xi)}
        out["large_k"].append(row)
    if S is not None:
        out["limits"] = {n: str(int(v)) for n, v in S.limits.items()}
        out["loss_leading_term"] = {"exponent": str(S.loss[0].exponent),
                                    "coefficient": str(S.loss[0].exact)
                                    if S.loss[0].exact is not None else
                                    dec(S.loss[0].value, 20)}
    if loss_slope is not None:
        out["loss_exponent_numerical"] = f"{loss_slope:.6f}"
    out["parameter_laws_numerical"] = {
        n: None if law is None else {"exponent": f"{law[0]:.4f}",
                                     "limit": None if law[1] is None else dec(law[1], 10)}
        for n, x, law in asym}
    emit_json("report", out)
    return 0


def _latex(fam, rows, big, args, S=None, decaying=False):
    """The report as a complete LaTeX document (booktabs tables, numbers in math mode):
    the points with residual, full-space check, index, kind and certificate; the
    spectrum at the largest k of the table; large k; the series; the threshold."""
    from ..core import (latex_document, latex_math_text, latex_number as num, latex_table,
                        latex_text, sympy_latex)
    from ..transitions import threshold
    H = YoungIsotropy(fam.isotropy)
    names = rows[0]["cp"].names if rows else big[0].names
    m = lambda x, d=None: f"${num(x, d)}$"
    out = [rf"Family \textbf{{{latex_text(fam.name)}}}, isotropy $\mathrm{{Fix}}({H.latex})$: "
           + latex_text(fam.description),
           "",
           rf"Points refined to {args.dps} digits with mpmath (Newton on the restricted "
           r"gradient). \emph{Residual}: the restricted gradient per entry of $W$. "
           r"\emph{Full $\|\nabla L\|$}: the full-space gradient at $W(\xi)$ in float64, "
           r"independent of the restricted loss. \emph{Index}: negative eigenvalues of the "
           r"Hessian, with multiplicity. \emph{Certificate}: proven in Arb ball arithmetic "
           r"(Krawczyk test and the isotypic Hessian blocks), or not."]
    if rows:
        out += [r"\subsection*{Critical points}", r"\begin{center}",
                latex_table(["$k$"] + [f"${n}$" for n in names],
                            [[m(k_json(r["cp"].k))] + [m(x, 10) for x in r["cp"].xi]
                             for r in rows], "r" * (len(names) + 1)),
                r"\end{center}", r"\begin{center}"]
        table = []
        for r in rows:
            cp, spec, cert = r["cp"], r["spec"], r["cert"]
            full = cp.checks.get("full_gradient_norm_float")
            row = [m(k_json(cp.k)), m(cp.loss, 16), m(cp.residual, 2),
                   "--" if full is None else m(f"{full:.1e}")]
            if isinstance(spec, SpectrumUnavailable) or spec is None:
                row += ["--", "--"]
            else:
                idx = spec.index
                row += [m(idx if isinstance(idx, int) else mpmath.nstr(idx, 4)), spec.kind]
            row.append("--" if cert is None else
                       "failed" if isinstance(cert, Exception) else _cert_text(cert))
            table.append(row)
        out += [latex_table(["$k$", "$L$", "residual", r"full $\|\nabla L\|$", "index",
                             "kind", "certificate"], table, "rrrrrll"),
                r"\end{center}"]
        failed = [(r["cp"].k, r["cert"]) for r in rows if isinstance(r["cert"], Exception)]
        for k, exc in failed:
            out.append(rf"Certificate at $k = {k_json(k)}$ failed: {latex_text(exc)}.")
        spec = rows[-1]["spec"]
        out.append(rf"\subsection*{{Hessian spectrum at $k = {k_json(rows[-1]['cp'].k)}$}}")
        if isinstance(spec, SpectrumUnavailable) or spec is None:
            out.append(latex_text(getattr(spec, "reason", "not computed")))
        else:
            out += [r"One row per eigenvalue of each isotypic block; its multiplicity is a "
                    r"polynomial in $k$.", r"\begin{center}",
                    latex_table(["irreducible", "multiplicity", r"at $k$", r"eigenvalue"],
                                [[f"${e.latex or latex_math_text(e.irrep)}$",
                                  f"${sympy_latex(sympy.factor(e.multiplicity))}$",
                                  m(str(e.count) if isinstance(e.count, int)
                                    else mpmath.nstr(e.count, 10)), m(e.eigenvalue, 20)]
                                 for e in spec.entries], "llrr"),
                    r"\end{center}",
                    rf"Index {m(spec.index if isinstance(spec.index, int) else mpmath.nstr(spec.index, 6))} "
                    rf"({spec.kind}); residual {m(spec.residual, 3)}."]
    out += [r"\subsection*{Large $k$}",
            rf"Continuation in $\log k$: the restricted system has {len(big[0].names)} "
            r"unknowns whatever $k$ is.", r"\begin{center}",
            latex_table(["$k$", "$L$"] + (["$kL$"] if decaying else []),
                        [[f"${_k_tex(cp.k)}$", m(cp.loss, 14)]
                         + ([m(cp.loss * cp.k, 12)] if decaying else []) for cp in big],
                        "r" * (2 + decaying)),
            r"\end{center}", r"\begin{center}",
            latex_table(["$k$"] + [f"${n}$" for n in big[0].names],
                        [[f"${_k_tex(cp.k)}$"] + [m(x, 6) for x in cp.xi] for cp in big],
                        "r" * (len(big[0].names) + 1)),
            r"\end{center}"]
    if S is not None:
        t = S.loss[0]
        out += [r"\subsection*{Series in $\varepsilon = k^{-1/2}$}",
                rf"Order-by-order lifting through relative order $\varepsilon^{{{S.order}}}$,"
                rf" coefficients derived exactly over ${_field_tex(S.domain)}$ "
                r"where shown in closed form. Limits: "
                + ", ".join(f"${n} \\to {int(S.limits[n])}$" for n in S.coordinates)
                + "; leading loss term $"
                + (t.exact.text(True) if t.exact is not None else num(t.value, 12))
                + (f"\\, k^{{{t.exponent}}}" if t.exponent else "") + "$.",
                S.latex(environment="align*")]
    out.append(r"\subsection*{Threshold}")
    try:
        th = threshold(fam, k_max=40, dps=min(args.dps, 30))
        out.append(rf"The family turns from {th.before} into {th.after} at "
                   rf"$k = {num(th.k, min(args.dps, 30))}$, where the smallest eigenvalue of "
                   rf"the block ${latex_math_text(th.irrep)}$ crosses $0$ with slope "
                   rf"$d\lambda/dk = {num(th.slope, 8)}$ (refined, not certified).")
    except SymcritError as exc:
        out.append(r"No saddle--minimum transition found for $k \leq 40$ ("
                   + latex_text(exc) + ").")
    print(latex_document("\n".join(out) + "\n",
                         title=f"symcrit report: {fam.name}"), end="")
    return 0


def _field_tex(name):
    r"""``Q(pi)(sqrt(2))`` as ``\mathbb{Q}(\pi)(\sqrt{2})``."""
    import re
    return re.sub(r"sqrt\((\d+)\)", r"\\sqrt{\1}",
                  name.replace("Q(pi)", r"\mathbb{Q}(\pi)"))


def _k_tex(k):
    """k in LaTeX: 10^{n} for a power of ten from 100 on."""
    t = k_json(k)
    if t.isdigit() and len(t) >= 3 and t.strip("0") == "1":
        return f"10^{{{len(t) - 1}}}"
    return latex_number(t)
