r"""Hessian spectra at symmetric critical points: distinct eigenvalues with their
irreducible representation and multiplicity (a polynomial in k), the index and the type.

The eigenvalues come from the isotypic blocks (:mod:`symcrit.spectra.blocks`), each block's
generalized eigenvalues computed by :func:`symcrit.core.generalized_eigh`.  The type of the
point is decided in one place, :func:`classify`.

>>> from symcrit.critical import refine
>>> cp = refine("ΔS_{k-1}", [1.0, -0.0107, 0.1525, 0.1048, -0.7307], k=12, dps=30)
>>> sp = spectrum_of(cp)
>>> sp.kind, sp.index, sp.total_multiplicity
('minimum', 0, 144)
>>> print(sp)            # doctest: +ELLIPSIS
Hessian spectrum at a critical point in Fix(ΔS_{k-1}), k = 12, 30 digits:
  irrep      mult             at k  eigenvalue
  [k-1]      1                   1  0.0830088642364797362939...
  ...
  [k-3,1,1]  (k-3)*(k-2)/2      45  0.0671485698244677950175...
  index 0 (minimum); residual ... (critical)
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import mpmath
import sympy

from ..core import (SympyConvertible, latex_array, latex_math_text, latex_number, sympy_latex)
from ..core import (InputError, check_dps, dec, generalized_eigh, get_system, guard_digits,
                    is_integer, k_json, k_text, workdps)
from .blocks import point_blocks

if TYPE_CHECKING:
    from ..symmetry import YoungIsotropy

__all__ = ["NonCriticalWarning", "classify", "SpectrumEntry", "Spectrum", "spectrum",
           "spectrum_of", "multiplicity_text", "count_text"]


class NonCriticalWarning(UserWarning):
    """The spectrum was asked for at a point that is not a critical point."""


def classify(eigenvalues: Iterable[Any] | Mapping[Any, Any], tol: Any) -> str:
    """The type of a critical point from eigenvalues of its Hessian (all of them, or the
    smallest of each block; a dict is read by its values): ``saddle`` when one is below
    ``-tol``, ``degenerate`` when none is but one lies within ``tol`` of 0, else
    ``minimum``.  The one place symcrit decides this.

    >>> classify([0.5, 2.0], 1e-9), classify({"a": -0.1, "b": 1}, 1e-9), classify([0.0], 1e-9)
    ('minimum', 'saddle', 'degenerate')
    """
    vals = list(eigenvalues.values()) if isinstance(eigenvalues, dict) else list(eigenvalues)
    if any(v < -tol for v in vals):
        return "saddle"
    if any(abs(v) <= tol for v in vals):
        return "degenerate"
    return "minimum"


@dataclass
class SpectrumEntry:
    """One distinct eigenvalue: its irreducible (label), multiplicity (polynomial in k and
    its value at k) and value."""
    irrep: str
    multiplicity: sympy.Expr
    count: object
    eigenvalue: mpmath.mpf
    latex: str = ""
    block: int = 0

    def to_json(self, digits):
        """A JSON-ready dict (the eigenvalue to ``digits`` digits)."""
        return {"irrep": self.irrep, "multiplicity": count_text(self.count),
                "multiplicity_in_k": multiplicity_text(self.multiplicity),
                "eigenvalue": dec(self.eigenvalue, digits)}


def multiplicity_text(e):
    """A multiplicity (a polynomial in k) as compact text: ``(k-4)*(k-1)/2``."""
    return str(sympy.factor(e)).replace(" ", "")


def count_text(c):
    """A multiplicity at k as text: the integer, or 20 digits at real k."""
    if isinstance(c, int):
        return str(c)
    return mpmath.nstr(c, 20, strip_zeros=True)


@dataclass
class Spectrum(SympyConvertible):
    r"""The Hessian spectrum at a point of Fix(H): distinct eigenvalues with irreducible and
    multiplicity, the index (number of negative eigenvalues counted with multiplicity; at
    non-integer k the value of that polynomial in k) and the kind: ``minimum`` (all
    eigenvalues > tol), ``saddle`` (some < -tol) or ``degenerate`` (none negative, one within
    tol of 0).  ``critical`` says whether the point is critical (``residual``: the largest
    restricted gradient per entry of W)."""
    isotropy: str
    k: object
    dps: int
    entries: list
    tol: mpmath.mpf
    loss: object = None
    residual: object = None
    critical: bool = True
    family: str | None = None
    blocks: list = field(default_factory=list, repr=False)

    # -------------------------------------------------------------- summary
    @property
    def eigenvalues(self):
        """The distinct eigenvalues, ascending."""
        return sorted(e.eigenvalue for e in self.entries)

    @property
    def min_eigenvalue(self):
        """The smallest eigenvalue of the full Hessian (over all blocks)."""
        return min(e.eigenvalue for e in self.entries)

    @property
    def index(self):
        """The Morse index: the number of eigenvalues below ``-tol``, counted with their
        multiplicity at k (an integer at integer k)."""
        tot = sum((e.count for e in self.entries if e.eigenvalue < -self.tol), 0)
        return int(tot) if is_integer(tot) else tot

    @property
    def index_in_k(self):
        """The index as a polynomial in k."""
        return sympy.factor(sum((e.multiplicity for e in self.entries
                                 if e.eigenvalue < -self.tol), sympy.Integer(0)))

    @property
    def kind(self):
        """``'minimum'``, ``'saddle'`` or ``'degenerate'`` (no eigenvalue below ``-tol``,
        one within ``tol`` of 0): :func:`~symcrit.spectra.classify` of the eigenvalues."""
        return classify((e.eigenvalue for e in self.entries), self.tol)

    @property
    def total_multiplicity(self):
        """Σ multiplicities (= k·d at integer k)."""
        tot = sum((e.count for e in self.entries), 0)
        return int(tot) if is_integer(tot) else tot

    def trace(self):
        """Σ multiplicity × eigenvalue: the trace of the full Hessian."""
        return mpmath.fsum(mpmath.mpf(e.count) * e.eigenvalue for e in self.entries)

    def expanded(self):
        """All k² eigenvalues (integer k), ascending, as floats: for comparisons."""
        if not is_integer(self.k):
            raise InputError("the expanded list of eigenvalues needs an integer k")
        out = []
        for e in self.entries:
            out += [float(e.eigenvalue)] * int(e.count)
        return sorted(out)

    def by_irrep(self):
        """irrep label → ascending eigenvalues."""
        out = {}
        for e in self.entries:
            out.setdefault(e.irrep, []).append(e.eigenvalue)
        return out

    # -------------------------------------------------------------- output
    def to_json(self, digits=None):
        """A JSON-ready dict (numbers as decimal strings)."""
        digits = digits or self.dps
        idx = self.index
        return {"isotropy": self.isotropy, "k": k_json(self.k) if is_integer(self.k) or
                isinstance(self.k, mpmath.mpf) else k_text(self.k), "dps": self.dps,
                "spectrum": [e.to_json(digits) for e in self.entries],
                "index": idx if isinstance(idx, int) else count_text(idx),
                "index_in_k": multiplicity_text(self.index_in_k),
                "kind": self.kind, "critical": self.critical,
                "residual": None if self.residual is None else dec(self.residual, 5),
                "tolerance": dec(self.tol, 5),
                "total_multiplicity": count_text(self.total_multiplicity)}

    def k_text(self):
        """k as printed: the integer, or 15 digits."""
        if is_integer(self.k):
            return str(int(self.k))
        return mpmath.nstr(mpmath.mpf(self.k), 15)

    def __str__(self):
        digits = min(self.dps, 25)
        wl = max([5] + [len(e.irrep) for e in self.entries])
        wm = max([4] + [len(multiplicity_text(e.multiplicity)) for e in self.entries])
        fam = f" ({self.family})" if self.family else ""
        lines = [f"Hessian spectrum at a critical point{fam} in Fix({self.isotropy}), "
                 f"k = {self.k_text()}, {self.dps} digits:"
                 if self.critical else
                 f"Hessian spectrum at a NON-critical point in Fix({self.isotropy}), "
                 f"k = {self.k_text()}, {self.dps} digits:",
                 f"  {'irrep':<{wl}}  {'mult':<{wm}}  {'at k':>6s}  eigenvalue"]
        for e in self.entries:
            lines.append(f"  {e.irrep:<{wl}}  {multiplicity_text(e.multiplicity):<{wm}}  "
                         f"{count_text(e.count):>6s}  {mpmath.nstr(e.eigenvalue, digits)}")
        idx = self.index
        res = "" if self.residual is None else \
            f"; residual {mpmath.nstr(self.residual, 3)} " + \
            ("(critical)" if self.critical else "(NOT critical)")
        lines.append(f"  index {idx if isinstance(idx, int) else mpmath.nstr(idx, 10)} "
                     f"({self.kind}){res}")
        merged = self.distinct()
        if len(merged) < len(self.entries):
            shared = [f"{mpmath.nstr(v, 12)} ({', '.join(irreps)})"
                      for v, _, irreps in merged if len(irreps) > 1]
            lines.append(f"  (one row per eigenvalue of each block: {len(merged)} distinct values "
                         f"overall; in several blocks: {'; '.join(shared)})")
        return "\n".join(lines)

    def distinct(self, rel=None):
        """The distinct eigenvalues over all blocks, ascending: ``(value, total count,
        [irreps])``; values of different blocks equal within ``rel`` (default
        :math:`10^{-\\lfloor 3\\,dps/4\\rfloor}` relative) are merged, their counts added."""
        rel = mpmath.mpf(10) ** (-(3 * self.dps // 4)) if rel is None else rel
        out = []
        for e in sorted(self.entries, key=lambda e: e.eigenvalue):
            if out and abs(e.eigenvalue - out[-1][0]) <= rel * max(1, abs(e.eigenvalue)):
                out[-1][1] += e.count
                if e.irrep not in out[-1][2]:
                    out[-1][2].append(e.irrep)
            else:
                out.append([e.eigenvalue, e.count, [e.irrep]])
        return [tuple(x) for x in out]

    __repr__ = __str__

    def latex(self, digits=15):
        r"""The spectrum as a LaTeX ``array`` (math mode): irreducible, multiplicity (a
        polynomial in k), its value at k and the eigenvalue to ``digits`` digits.

        >>> sp = spectrum("ΔS_k", [1, 0], 6, dps=20)
        >>> print(sp.latex(6).splitlines()[3])
        {[k]} & {1} & {1} & {0.889663} \\
        """
        rows = [[e.latex or latex_math_text(e.irrep),
                 sympy_latex(sympy.factor(e.multiplicity)), latex_number(count_text(e.count)),
                 latex_number(e.eigenvalue, digits)] for e in self.entries]
        return latex_array([r"\text{irrep}", r"\text{multiplicity}", r"\text{at } k",
                            r"\lambda"], rows, "llrr")

    def _repr_latex_(self):
        return f"$${self.latex()}$$"

    def as_expr(self):
        """The spectrum as a sympy matrix, one row per entry: the multiplicity (a
        polynomial in k) and the eigenvalue (a Float to the spectrum's digits).
        ``sympy.latex(sp)`` and ``sympy.pretty(sp)`` print it.

        >>> spectrum("ΔS_k", [1, 0], 6, dps=20).as_expr()[2, :]     # 1/4 - 1/(2π) at W = I
        Matrix([[k - 1, 0.090845056908104664231]])
        """
        return sympy.ImmutableMatrix([[sympy.factor(e.multiplicity),
                                       sympy.Float(e.eigenvalue, self.dps)]
                                      for e in self.entries])


def _criticality_tol(dps):
    return mpmath.mpf(10) ** (-min(int(dps) // 2, 12))


def spectrum(H: str | YoungIsotropy, xi: Any, k: Any = None, d: Any = None, dps: int = 30,
             tol: Any = None, family: str | None = None, warn: bool = True) -> Spectrum:
    r"""The Hessian spectrum at the point ξ of Fix(H) (or a k × k matrix W in Fix(H)), by
    isotypic blocks, at ``dps`` digits (working with extra guard digits for large k).

    Zero eigenvalues: ``|λ| <= tol`` (default :math:`10^{-\lfloor 3 dps/4\rfloor}\max|\lambda|`:
    the blocks are evaluated with guard digits for large k, so an eigenvalue's error is
    about :math:`10^{-dps}\max|\lambda|` from the point's own error; a quarter of the digits
    is kept as margin).
    A point that is not critical gives a :class:`NonCriticalWarning` (the spectrum is still
    that of the Hessian there); a zero row, a point outside Fix(H) or a k too small raise
    :class:`~symcrit.core.errors.InputError`.

    At the global minimum W = I two of the eigenvalues are :math:`1/4 \mp 1/(2\pi)`:

    >>> sp = spectrum("ΔS_k", [1, 0], 6, dps=20)
    >>> [(e.irrep, e.count, mpmath.nstr(e.eigenvalue, 8)) for e in sp.entries]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('[k]', 1, '0.88966274'), ('[k]', 1, '2.0652669'), ('[k-1,1]', 5, '0.090845057'),
     ('[k-1,1]', 5, '0.28708147'), ('[k-1,1]', 5, '1.7129185'), ('[k-2,2]', 9, '0.40915494'),
     ('[k-2,1,1]', 10, '0.090845057')]
    >>> mpmath.nstr(mpmath.mpf(1)/4 - 1/(2*mpmath.pi), 8), sp.total_multiplicity
    ('0.090845057', 36)
    """
    dps = check_dps(dps)
    work = dps + guard_digits(float(k) if k is not None else 10)
    with workdps(work):
        pb = point_blocks(H, xi, k, d, get_system("mpmath"))
        kk, blocks, L = pb.k, pb.blocks, pb.loss
        residual = pb.residual()
        entries = []
        for bi, b in enumerate(blocks):
            for ev in generalized_eigh(b.A, b.B, "mpmath"):
                entries.append(SpectrumEntry(b.irrep, b.multiplicity,
                                             b.multiplicity_at(kk, pb.d), ev, b.latex, bi))
    with workdps(int(dps)):
        for e in entries:
            e.eigenvalue = +e.eigenvalue
        scale = max([abs(e.eigenvalue) for e in entries] + [mpmath.mpf(0)])
        if tol is None:
            tol = mpmath.mpf(10) ** (-(3 * int(dps) // 4)) * (scale if scale > 0 else 1)
        critical = residual <= _criticality_tol(dps)
        sp = Spectrum(pb.decomposition.H.label, kk, int(dps), entries, mpmath.mpf(tol), +L,
                      +residual, bool(critical), family, blocks)
    if not critical and warn:
        warnings.warn(f"the spectrum is of a non-critical point: the gradient per entry of W "
                      f"is {mpmath.nstr(residual, 3)} at k = {sp.k_text()} in "
                      f"Fix({sp.isotropy})", NonCriticalWarning, stacklevel=2)
    return sp


def spectrum_of(cp: Any, dps: int | None = None, tol: Any = None) -> Spectrum:
    """The spectrum at a critical point (a :class:`~symcrit.critical.CriticalPoint`, or
    anything with ``isotropy, xi, k, d, dps`` and ``family``), at its precision by default.
    """
    return spectrum(cp.isotropy, cp.xi, cp.k, cp.d, dps=dps or cp.dps, tol=tol,
                    family=getattr(cp, "family", None))
