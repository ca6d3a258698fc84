r"""The catalogue of families of critical points (k = d, identity teacher), and user families.

A family is an isotropy group and a seed (a point of Fix(H) at one k) from which the
family is followed to any k, integer or real, by continuation
(:mod:`symcrit.critical.continuation`).  The seeds were found by
:func:`~symcrit.critical.search.search` at k = 12 without being told where to look
(``derivations/catalogue.py`` reproduces them), and were then matched with the
literature:

``global``
    W = I, isotropy :math:`\Delta S_k`; the global minimum, loss 0.
``type-A``
    :math:`\Delta S_{k-1}`: k-1 neurons close to their targets, the last nearly
    anti-aligned with its own; the spurious minima of Safran & Shamir (2018, "Spurious
    local minima are common in two-layer ReLU neural networks", ICML) for
    6 ≤ k ≤ 20; loss ~ 0.297/k (Arjevani & Field 2021, "Analytic study of families of
    spurious minima in two-layer ReLU neural networks", NeurIPS).
``type-A2``
    :math:`\Delta(S_{k-2}\times S_2)`: two such defect neurons; the second spurious minimum
    that gradient descent finds (Safran & Shamir 2018, k = 10).
``type-A3``, ``type-A4``, ``type-A5``
    :math:`\Delta(S_{k-m}\times S_m)`, m = 3, 4, 5: m defect neurons.  The minima that
    full-space gradient descent reaches at k = 16 … 20 besides type-A and type-A2
    (found by the isotropy detection of :func:`symcrit.symmetry.detect_isotropy` and :mod:`symcrit.landscape`, then seeded by
    the search at k = 12); the loss is about :math:`m(1/2 - 2/\pi^2)/k` for large k.
``hidden-A``
    :math:`\Delta S_{k-1}`: a → -1, e → +1 as k grows; loss bounded away from 0.
``hidden-D``
    :math:`\Delta S_k`: a → -1, b → 0; loss bounded away from 0.

Wider students (n = k + 1 neurons against the teacher :math:`I_k`; Arjevani & Field 2022,
"Annihilation of spurious minima in two-layer ReLU networks", NeurIPS, arXiv:2210.06088):
strict local minima of lesser symmetry that are not embeddings of narrow points, found by
the search in the fixed spaces of the (k+1)-neuron problem (``derivations/wider.py``):

``wide-A``
    :math:`\Delta S_{k-1}`, n = k + 1: type-A's k − 1 good neurons and two distinct defect
    neurons; a minimum for k > 6.665 (`symcrit threshold`), loss ~ 0.267/k.
``wide-A2``
    :math:`\Delta(S_{k-2}\times S_2)`, n = k + 1: type-A2 with a third defect neuron; a
    minimum for k > 8.826; the branch folds at k = 4.5516.
``wide-hidden-A``, ``wide-hidden-A2``
    the hidden families with an extra neuron; minima for k > 11.61 and for
    10.94 < k < 68.23; loss bounded away from 0.
``wide-A3``, ``wide-A4``, ``wide-A5``
    :math:`\Delta(S_{k-m}\times S_m)`, n = k + 1: type-A3 … A5 with one more defect neuron;
    minima for k > 10.725, k > 12.295 and from the fold at k = 14.760.
``wide-A4b``, ``wide-A5b``
    the same groups with the extra neuron on the m defect targets; minima for
    k > 13.677 and k > 12.702.

Each family is followed, in real k, from the smallest k its blocks allow up to 10^12
without a fold (checked in the tests).

User families: :func:`register_family` (Python), or ``symcrit families add`` which stores
them in a JSON file (``$SYMCRIT_FAMILIES`` or ``~/.config/symcrit/families.json``); every
command then accepts the new name.

>>> fam = get_family("type-A")
>>> fam
Family('type-A', 'ΔS_{k-1}', seed at k = 12)
>>> cp = fam.point(20, dps=20)
>>> cp.names, mpmath.nstr(cp.loss, 10)
(['a', 'b', 'c', 'd', 'e'], '0.01127558195')
"""
from __future__ import annotations

import json
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import mpmath

from ..core import (ConvergenceError, InputError, as_mpf, exact_k, fmt_k, guard_digits,
                    is_decimal, is_integer, k_key, k_text, lagrange_weights, read_json, workdps,
                    write_text_atomic)
from ..core import latex_number, latex_summary, latex_text
from ..restricted import restricted_loss
from ..spectra import spectrum_of
from ..symmetry import YoungIsotropy
from .continuation import follow
from .point import full_gradient_check
from .refine import refine

if TYPE_CHECKING:
    from ..spectra import Spectrum

__all__ = ["Family", "Asymptotics", "asymptotics_of", "get_family", "list_families",
           "register_family", "family_spectra", "CATALOGUE", "user_catalogue_path",
           "UserFamilyWarning", "MAX_USER_FILE", "FAR"]

#: beyond this k a family's point is extrapolated in ε = k^(-1/2) and refined (no walk)
FAR = 10 ** 7


@dataclass
class Family:
    """A family of critical points: name, isotropy spec, seed (k and parameters as decimal
    strings), description and the smallest k at which it is followed."""
    name: str
    isotropy: str
    seed_k: object
    seed: list
    description: str = ""
    exact: bool = False            # the seed is the exact point for every k (W = I)
    builtin: bool = True
    merges: dict = field(default_factory=dict)   # integer k -> the family it coincides with
    _cache: dict = field(default_factory=dict, repr=False, compare=False)
    k_low: int | None = None       # where the branch ends above the block-size limit

    def __repr__(self):
        return f"Family({self.name!r}, {self.isotropy!r}, seed at k = {fmt_k(self.seed_k)})"

    def _repr_latex_(self):
        return latex_summary(f"family {self.name}", [
            ("isotropy", rf"\mathrm{{Fix}}({self.H.latex})"),
            ("seed", rf"k = {latex_number(fmt_k(self.seed_k))}"),
            ("defined for", rf"\text{{{latex_text(self.k_range)}}}"),
            ("description", rf"\text{{{latex_text(self.description)}}}")])

    @property
    def H(self):
        """The family's isotropy group H as a :class:`~symcrit.symmetry.YoungIsotropy`
        (symbolic k), parsed from :attr:`isotropy`."""
        return YoungIsotropy(self.isotropy)

    @property
    def k_range(self):
        """Where the family is a family of its own: ``k >= k_min``, or ``k > k_min`` when at
        its smallest k it coincides with another family's point (up to the symmetry
        group), as type-A2 does with hidden-D at k = 4."""
        if self.k_min in self.merges:
            return (f"k > {self.k_min} (at k = {self.k_min}: the {self.merges[self.k_min]} "
                    "point)")
        return f"k >= {self.k_min}"

    @property
    def k_min(self):
        """The smallest (real) k at which the family is defined: the block-size limit (or,
        for a branch that folds above it, the first integer beyond the fold)."""
        return self.H.min_k if self.k_low is None else max(self.H.min_k, self.k_low)

    @property
    def n_extra(self):
        """n − k: the student's neurons beyond the teacher's (0 for the k-neuron problem)."""
        return self.H.extra

    def seed_point(self, dps):
        """The seed refined to ``dps`` digits (cached)."""
        key = ("seed", dps)
        if key not in self._cache:
            self._cache[key] = refine(self.isotropy, self.seed, self.seed_k, dps=dps,
                                      family=self.name, full_check=False)
        return self._cache[key]

    def point(self, k, dps=30, full_check=True):
        """The family's critical point at k (integer or real), refined to ``dps`` digits."""
        return self.points([k], dps, full_check=full_check)[0]

    def follow(self, ks, dps=30, progress=None):
        """The family's points at the k of ``ks``, by one continuation upwards and one
        downwards from the known point nearest to them on the seed's side (cost
        independent of k).  Returns ``(points, lost)``: a dict ``k_key(k) → point`` of the
        k reached, and the messages of branches that were lost (a fold, a dying neuron)
        before reaching the rest.  ``progress`` is called with every point."""
        ks = list(ks)
        for k in ks:
            if float(k) < self.k_min:
                raise InputError(f"family {self.name} ({self.isotropy}) needs k >= "
                                 f"{self.k_min}, got k = {fmt_k(k)}")
        if self.exact:
            found = {}
            for k in ks:
                found[k_key(k)] = p = refine(self.isotropy, self.seed, k, dps=dps,
                                             family=self.name, full_check=False)
                if progress:
                    progress(p)
            return found, []
        seed = self.seed_point(dps)
        known = self._cache.setdefault(("points", dps), {k_key(self.seed_k): seed})
        found, lost = {}, []
        for k in sorted({k for k in ks if float(k) > FAR and k_key(k) not in known},
                        key=float):
            try:
                found[k_key(k)] = p = self.far_point(k, dps)
            except (ConvergenceError, InputError):
                continue                     # continued below, as any other k
            if progress:
                progress(p)
        ks = [k for k in ks if k_key(k) not in found]
        up = sorted({k for k in ks if float(k) >= self.seed_k}, key=float)
        down = sorted({k for k in ks if float(k) < self.seed_k}, key=float, reverse=True)
        for group, sign in ((up, 1), (down, -1)):
            group = [k for k in group if k_key(k) not in known]
            if not group:
                continue
            # start from the known point nearest to the group, on the seed's side of it
            side = [p for p in known.values()
                    if sign * (float(p.k) - float(group[0])) <= 0
                    and sign * (float(p.k) - self.seed_k) >= 0]
            start = max(side, key=lambda p: sign * float(p.k)) if side else seed
            br = follow(start, group[-1], dps=dps, record=group, progress=progress)
            if br.status != "reached":
                lost.append(br.message)
            for k, p in zip(group, br.points[1:]):      # targets are met in this order
                found[k_key(k)] = p
        for k in ks:
            if k_key(k) in known and k_key(k) not in found:
                found[k_key(k)] = known[k_key(k)]
                if progress:
                    progress(known[k_key(k)])
        if len(known) < 10000:
            known.update(found)
        return found, lost

    def asymptotics(self, dps=30):
        r"""The large-k behaviour read off the family's points at k = 10^4, 10^5, 10^6 (cached):
        an :class:`Asymptotics` with each coordinate's limit (the nearest integer, checked)
        and the power m of :math:`\varepsilon = k^{-1/2}` of its deviation (log–log slopes,
        rounded and checked to be integers in ε; None when the coordinate sits on its limit
        for all k).  The series of :mod:`symcrit.series` prove these at leading order.
        """
        key = ("asymptotics", dps)
        if key not in self._cache:
            self._cache[key] = asymptotics_of(self, dps)
        return self._cache[key]

    def far_point(self, k, dps=30):
        r"""The point at a large k (beyond :data:`FAR`) by extrapolation in ε, then Newton.

        With :math:`\xi_p = \xi_p^\infty + \varepsilon^{m_p}\eta_p(\varepsilon)` and
        :math:`\eta_p` analytic in ε, the rescaled coordinates :math:`\eta_p` at five
        anchors :math:`k_j = 10^{4 + j/2}` are extrapolated to :math:`\varepsilon =
        k^{-1/2}` by the Lagrange polynomial, and the point is refined there: the cost does
        not depend on k (10^300 costs what 10^8 costs, up to the guard digits).  The
        refinement must stay within 10^-6 (relative) of the extrapolated η, or
        :class:`~symcrit.core.ConvergenceError` is raised (the caller then continues the
        branch instead)."""
        anchors = [int(round(10 ** (4 + j / 2))) for j in range(5)]
        pts = self.points(anchors, dps=dps, full_check=False)
        asy = self.asymptotics(dps)          # from the anchors 10^4, 10^5, 10^6 just computed
        with workdps(dps + guard_digits(as_mpf(k))):
            eps = [mpmath.mpf(a) ** -0.5 for a in anchors]
            e = as_mpf(k) ** -0.5
            ws = lagrange_weights(eps, e)
            guess, eta = [], []
            for i, n in enumerate(asy.names):
                L, m = asy.limits[n], asy.powers[n]
                if m is None:
                    guess.append(mpmath.mpf(L))
                    eta.append(None)
                    continue
                h = mpmath.fsum(w * (p.xi[i] - L) / ej ** m for w, p, ej in zip(ws, pts, eps))
                guess.append(L + e ** m * h)
                eta.append(h)
        cp = refine(self.isotropy, guess, k, dps=dps, family=self.name, full_check=False)
        with workdps(dps + guard_digits(as_mpf(k))):
            for i, n in enumerate(asy.names):
                if eta[i] is None:
                    continue
                h = (cp.xi[i] - asy.limits[n]) / e ** asy.powers[n]
                if abs(h - eta[i]) > mpmath.mpf("1e-6") * max(1, abs(eta[i])):
                    raise ConvergenceError(f"family {self.name}: the refined point at k = "
                                           f"{fmt_k(k)} is not the extrapolated one "
                                           f"({n} moved by {mpmath.nstr(h - eta[i], 3)} "
                                           f"in rescaled units)")
        return cp

    def points(self, ks, dps=30, full_check=True, progress=None):
        """Points at several k (see :meth:`follow`), in the order of ``ks``; raises
        :class:`~symcrit.core.ConvergenceError` when the family cannot be followed to one
        of them."""
        ks = list(ks)
        found, lost = self.follow(ks, dps, progress)
        out = []
        for k in ks:
            p = found.get(k_key(k))
            if p is None:
                raise ConvergenceError(f"family {self.name}: {'; '.join(lost)}")
            p.family = self.name
            p.merged_with = self.merges.get(int(k)) if is_integer(k) else None
            if full_check and isinstance(p.k, int) and p.k <= 40 and not p.checks:
                p.checks.update(full_gradient_check(p))
            out.append(p)
        return out

    def to_json(self):
        """A JSON-ready dict (the seed as decimal strings, k exact)."""
        return {"name": self.name, "isotropy": self.isotropy, "k_range": self.k_range,
                "seed_k": str(self.seed_k) if isinstance(self.seed_k, int)
                else k_text(self.seed_k),
                "seed": [str(x) for x in self.seed], "description": self.description,
                "k_min": str(self.k_min) if isinstance(self.k_min, int) else k_text(self.k_min),
                "builtin": self.builtin,
                **({"n": f"k{self.n_extra:+d}"} if self.n_extra else {})}


# Seeds found by search(..., k=12) (see derivations/catalogue.py), 15 digits.
#: the built-in families by name (``symcrit families``): the global minimum, type-A …
#: type-A5, hidden-A, hidden-D and the wider families; user families are added by
#: :func:`register_family`
CATALOGUE = {f.name: f for f in [
    Family("global", "ΔS_k", 12, ["1", "0"],
           "W = I: every neuron on its target; the global minimum (loss 0).", exact=True),
    Family("type-A", "ΔS_{k-1}", 12,
           ["1.00467905624244", "-0.010677712121738", "0.152492754639201",
            "0.104809313009357", "-0.730736389028588"],
           "k-1 neurons close to their targets, the last nearly anti-aligned with its "
           "target; the spurious minima of Safran & Shamir (6 <= k <= 20); loss ~ 0.297/k.",
           merges={3: "hidden-D"}),
    Family("type-A2", "Δ(S_{k-2}×S_2)", 12,
           ["1.00333369419433", "-0.0243124310877003", "0.157929630136476",
            "0.110141200407948", "-0.755094062646724", "0.129020919416569"],
           "two defect neurons, each nearly anti-aligned with its target; the second "
           "spurious minimum gradient descent finds (k = 10).", merges={4: "hidden-D"}),
    Family("type-A3", "Δ(S_{k-3}×S_3)", 12,
           ["0.995187178292875", "-0.041933961281822", "0.163181527709651",
            "0.115578242962592", "-0.775783444070015", "0.13292796370489"],
           "three defect neurons; a minimum for k > 9.32 (`symcrit threshold`), found by "
           "gradient descent at k = 16 and 20; loss ~ 3 x 0.297/k.", merges={5: "hidden-D"}),
    Family("type-A4", "Δ(S_{k-4}×S_4)", 12,
           ["0.978112562743283", "-0.0652333603013728", "0.168347312594494",
            "0.121540917307317", "-0.793946457981319", "0.136962482494995"],
           "four defect neurons; a minimum for k > 10.98, found by gradient descent at "
           "k = 20; loss ~ 4 x 0.297/k.", merges={6: "hidden-D"}),
    Family("type-A5", "Δ(S_{k-5}×S_5)", 12,
           ["0.94853421673991", "-0.096953713128067", "0.173326368688267",
            "0.128294503737515", "-0.809783759248459", "0.141248363160848"],
           "five defect neurons; a minimum for k > 12.57, found by gradient descent at "
           "k = 20; loss ~ 5 x 0.297/k.", merges={7: "hidden-D"}),
    Family("hidden-A", "ΔS_{k-1}", 12,
           ["-0.816393017453142", "0.17843081599151", "-0.00611617239520702",
            "0.0190686398262311", "1.05996824706195"],
           "a -> -1, e -> +1 as k grows; the loss stays bounded away from 0.",
           merges={3: "global"}),
    Family("hidden-D", "ΔS_k", 12, ["-0.834008042092185", "0.165425118152131"],
           "a -> -1, b -> 0 as k grows; the loss stays bounded away from 0.",
           merges={2: "global"}),
    # wider students, n = k + 1 (seeds found by symcrit.wider.search_wider at k = 10 and
    # 14, continued to k = 12; derivations/wider.py)
    Family("wide-A", "ΔS_{k-1}; n=k+1", 12,
           ["0.995223093691973", "-0.0124131961928368", "0.154675994737243",
            "0.0494547596150311", "-0.566770897200098", "0.0787264729272409",
            "-0.188865334901629"],
           "k+1 neurons: type-A's k-1 good neurons and two distinct defect neurons (not a "
           "split); a strict minimum for k > 6.665, a saddle below; loss ~ 0.267/k."),
    Family("wide-A2", "Δ(S_{k-2}×S_2); n=k+1", 12,
           ["0.991245624955865", "-0.0250228806903965", "0.159409551767793",
            "0.056903346240057", "0.156488183799688", "-0.639779791048962",
            "0.119425619559284", "-0.15827283405788"],
           "k+1 neurons: type-A2 with a third defect neuron; a strict minimum for k > 8.826; "
           "the branch folds at k = 4.5516.", k_low=5),
    Family("wide-hidden-A", "ΔS_{k-1}; n=k+1", 12,
           ["-0.80608231482687", "0.151847950764374", "0.0328396510657042",
            "0.195213592766969", "-0.303705904427549", "0.0661658562522015",
            "0.934091634188313"],
           "k+1 neurons: hidden-A with an extra neuron; a minimum for k > 11.61; the loss "
           "stays bounded away from 0."),
    Family("wide-hidden-A2", "Δ(S_{k-2}×S_2); n=k+1", 12,
           ["-0.789608242656954", "0.156838077071191", "0.0255942213956463",
            "0.060191920494089", "0.985301403173353", "-0.0261467218796597",
            "0.231145782589911", "-0.223704523579617"],
           "k+1 neurons: a hidden family with two special columns and an extra neuron; a "
           "minimum for 10.94 < k < 68.23, a saddle elsewhere; loss 0 at k = 4 (an "
           "embedding of the global minimum)."),
    Family("wide-A3", "Δ(S_{k-3}×S_3); n=k+1", 12,
           ["0.983414859821268", "-0.0390697839258874", "0.162064616200221",
            "0.0531351119129355", "-0.668670973655614", "0.159631045828571",
            "0.168065452043684", "-0.151668726389391"],
           "k+1 neurons: type-A3 with a fourth defect neuron; a strict minimum for "
           "k > 10.725; the branch folds at k = 8.0803.", k_low=9),
    Family("wide-A4", "Δ(S_{k-4}×S_4); n=k+1", 14,
           ["0.985902112556852", "-0.0369300699786542", "0.13849369463969",
            "0.0419707480443496", "-0.710173383953307", "0.146578949408106",
            "0.176146431614055", "-0.151713473157382"],
           "k+1 neurons: type-A4 with a fifth defect neuron; a strict minimum for "
           "k > 12.295; the branch folds at k = 11.811.", k_low=12),
    Family("wide-A4b", "Δ(S_{k-4}×S_4); n=k+1", 14,
           ["1.00448669478082", "-0.00272936463328296", "0.0631725210393798",
            "0.0265025142068441", "-0.654545762064326", "0.176447788279432",
            "-0.091580582975808", "0.464898933201723"],
           "k+1 neurons: type-A4's defect block with the extra neuron on its four targets; "
           "a strict minimum for k > 13.677.", merges={6: "wide-hidden-A2"}),
    Family("wide-A5", "Δ(S_{k-5}×S_5); n=k+1", 16,
           ["0.988857052981956", "-0.0335789040875531", "0.119646923703291",
            "0.0330027399002771", "-0.740623289137223", "0.136286407925585",
            "0.178977776224833", "-0.153789388153174"],
           "k+1 neurons: type-A5 with a sixth defect neuron; a strict minimum from the fold "
           "at k = 14.760 on (no threshold up to k = 40).", k_low=15),
    Family("wide-A5b", "Δ(S_{k-5}×S_5); n=k+1", 14,
           ["1.00585274472131", "-0.00394913434718114", "0.0614718232324152",
            "0.025492544016571", "-0.688595694451841", "0.169685262916807",
            "-0.108004475527089", "0.428788757377087"],
           "k+1 neurons: type-A5's defect block with the extra neuron on its five "
           "targets; a strict minimum for k > 12.702.", merges={7: "wide-hidden-A2"}),
]}


def user_catalogue_path():
    """Where user families are stored: ``$SYMCRIT_FAMILIES`` or
    ``~/.config/symcrit/families.json``."""
    p = os.environ.get("SYMCRIT_FAMILIES")
    return Path(p) if p else Path.home() / ".config" / "symcrit" / "families.json"


@dataclass
class Asymptotics:
    """A family's limits as k → ∞ and the powers of ε = k^(-1/2) of the deviations:
    ``names``, ``limits`` (name → int), ``powers`` (name → int, or None for a coordinate on
    its limit), ``estimates`` (name → the deviation over ε^m at k = 10^6)."""
    names: list
    limits: dict
    powers: dict
    estimates: dict


def asymptotics_of(fam, dps=30):
    """The :class:`Asymptotics` of a family from its points at k = 10^4, 10^5, 10^6 (read
    at ``dps + 20`` digits whatever the caller's precision, so the result is reproducible).
    """
    pts = fam.points([10 ** 4, 10 ** 5, 10 ** 6], dps=dps, full_check=False)
    names = pts[0].names
    lim, m, est = {}, {}, {}
    with workdps(dps + 20):
        for i, n in enumerate(names):
            x = pts[-1].xi[i]
            L = int(mpmath.nint(x))
            if abs(x - L) > 1e-2:           # (wide-A: e + 1 = 1.1e-3 at k = 10^6)
                raise InputError(f"family {fam.name}: the limit of {n} ({mpmath.nstr(x, 10)}) "
                                 "is not an integer; series need a recognised limit")
            lim[n] = L
            d1, d2 = pts[-2].xi[i] - L, pts[-1].xi[i] - L
            if abs(d2) < mpmath.mpf(10) ** (-(dps - 5)):
                m[n] = None                           # on its limit for all k
                continue
            slope = mpmath.log(abs(d2 / d1)) / mpmath.log(mpmath.mpf(10))    # power of k
            if abs(2 * slope - mpmath.nint(2 * slope)) > 0.1:
                raise ConvergenceError(f"family {fam.name}: the deviation of {n} from its "
                                       f"limit does not decay like a power of k^(-1/2) (slope "
                                       f"{mpmath.nstr(slope, 5)})")
            m[n] = int(mpmath.nint(-2 * slope))       # power of ε
            est[n] = d2 * mpmath.mpf(10) ** (3 * m[n])    # d2 / ε^m at k = 10^6 (ε = 10^-3)
    return Asymptotics(names, lim, m, est)


#: the largest user families file read (bytes)
MAX_USER_FILE = 10 ** 7


def _check_name(name):
    if not isinstance(name, str) or not name or len(name) > 64 or \
            not all(c.isalnum() or c in "-_." for c in name):
        raise InputError(f"bad family name {name!r}: use up to 64 letters, digits, '-', '_', "
                         "'.'")
    if name in CATALOGUE:
        raise InputError(f"{name!r} is a built-in family")


def _family_of_record(d):
    """A user Family from one record of the families file (InputError when malformed)."""
    if not isinstance(d, dict):
        raise InputError("a record must be an object")
    _check_name(d.get("name"))
    spec, seed, desc = d.get("isotropy"), d.get("seed"), d.get("description", "")
    if not isinstance(spec, str):
        raise InputError("'isotropy' must be a string")
    H = YoungIsotropy(spec)
    if not isinstance(d.get("seed_k"), (str, int)) or isinstance(d.get("seed_k"), bool):
        raise InputError("'seed_k' must be a decimal string")
    q = exact_k(str(d["seed_k"]))
    if not isinstance(seed, list) or not all(isinstance(x, str) and is_decimal(x.strip())
                                             for x in seed):
        raise InputError("'seed' must be a list of decimal strings")
    dim = len(restricted_loss(H).symbols)
    if len(seed) != dim:
        raise InputError(f"'seed' has {len(seed)} values; Fix({H.label}) has dimension {dim}")
    if not isinstance(desc, str):
        raise InputError("'description' must be a string")
    if q < H.min_k:
        raise InputError(f"seed_k = {k_text(q)} is below the group's limit k >= {H.min_k}")
    return Family(d["name"], H.label, int(q) if q.denominator == 1 else q,
                  [x.strip() for x in seed], desc, builtin=False)


def _read_user_file(path):
    """``(data, families, problems)`` of the user families file: the JSON document, the
    valid families by name, and one line per record that is not (skipped, never
    rewritten).  An unreadable or malformed file raises InputError."""
    if not path.exists():
        return {"families": []}, {}, []
    data = read_json(path, "the user families file", MAX_USER_FILE)
    if not isinstance(data, dict) or not isinstance(data.get("families"), list):
        raise InputError(f"the user families file {path} is not a symcrit families file "
                         "(expected an object with a 'families' list)")
    fams, problems = {}, []
    for i, d in enumerate(data["families"]):
        try:
            f = _family_of_record(d)
        except (InputError, ValueError, TypeError) as exc:
            problems.append(f"{path}: record {i + 1} skipped: {exc}")
            continue
        fams[f.name] = f
    return data, fams, problems


def _load_user():
    data, fams, problems = _read_user_file(user_catalogue_path())
    for p in problems:
        warnings.warn(p, UserFamilyWarning, stacklevel=3)
    return fams


class UserFamilyWarning(UserWarning):
    """A record of the user families file was skipped (it is malformed)."""


_SESSION: dict[str, Family] = {}


def register_family(name: str, isotropy: str, seed_k: Any, seed: Sequence[Any],
                    description: str = "", save: bool = False) -> Family:
    """Add a family (this session; ``save=True`` also writes it to the user file).

    Parameters
    ----------
    name : str
        Letters, digits, ``-``, ``_``, ``.``; not a built-in name.
    isotropy : str
        The isotropy spec.
    seed_k : int, Fraction or decimal string
        The k of the seed (kept exact: 12.5 stays 12.5).
    seed : sequence of decimal strings or numbers
        A point near the critical point; it must refine to one at ``seed_k``.
    description : str
    save : bool
        Also store the family in :func:`user_catalogue_path` (atomically; a malformed
        existing file is refused, never overwritten).

    Returns
    -------
    Family
    """
    _check_name(name)
    H = YoungIsotropy(isotropy)
    q = exact_k(seed_k)
    k = int(q) if q.denominator == 1 else q
    cp = refine(H, [str(x) for x in seed], k, dps=20, full_check=False)   # validates it
    fam = Family(name, H.label, k, [mpmath.nstr(x, 15) for x in cp.xi], description,
                 builtin=False)
    if save:
        path = user_catalogue_path()
        data, _, _ = _read_user_file(path)
        data["families"] = [d for d in data["families"]
                            if not (isinstance(d, dict) and d.get("name") == name)]
        data["families"].append({"name": name, "isotropy": fam.isotropy,
                                 "seed_k": k_text(q), "seed": fam.seed,
                                 "description": description})
        try:
            write_text_atomic(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        except OSError as exc:
            raise InputError(f"cannot write the user families file {path}: "
                             f"{exc.strerror or exc}") from None
    _SESSION[name] = fam
    return fam


def list_families() -> list[Family]:
    """All families: built-in, then user ones (file and session)."""
    out = dict(CATALOGUE)
    out.update(_load_user())
    out.update(_SESSION)
    return list(out.values())


def get_family(name: str | Family) -> Family:
    """A family by name (built-in or user)."""
    if isinstance(name, Family):
        return name
    fams = {f.name: f for f in list_families()}
    if name not in fams:
        raise InputError(f"unknown family {name!r}; known: {', '.join(fams)}")
    return fams[name]


def family_spectra(family: str | Family, ks: Iterable[Any], dps: int = 30,
                   progress: Callable[..., Any] | None = None) -> list[Spectrum]:
    """The Hessian spectrum of a family at each k of ``ks`` (integers or reals), by one
    continuation of the family and one block computation per k: a list of
    :class:`~symcrit.spectra.Spectrum`.

    >>> sps = family_spectra("type-A", [6, 12], dps=20)
    >>> [(s.k, s.kind) for s in sps]
    [(6, 'minimum'), (12, 'minimum')]
    """
    fam = get_family(family)
    pts = fam.points(list(ks), dps=dps, full_check=False, progress=progress)
    return [spectrum_of(p) for p in pts]
