r"""The annihilation table: does a spurious minimum survive m = 0, 1, 2 extra neurons?

For a family of critical points of the k-neuron problem (or of a wider family, with its own
n = k + m₀) and m extra neurons, the table lists at each k

* the family's own index (m = m₀);
* the index of every symmetric embedding: each class of rows split into two halves
  (m = 1 beyond the family), and for m = 2 each class split into three thirds and each pair
  of classes (a class with itself when it has two rows) split into halves;
* the zero-neuron embedding: the minimum of the one-sided directional derivative g
  (:mod:`symcrit.wider.zero`), a first-order descent direction when negative;
* the genuine minima of lesser symmetry of the wider problem that belong to the family
  (:data:`WIDER_PARENTS`: the wider families of the catalogue, found by the search of
  :func:`~symcrit.wider.search_wider`).

**The index of a symmetric split** comes from the narrow point and the split curvature M
(:mod:`symcrit.wider.interlacing`) exactly: under the permutations of the equal rows the
wide Hessian splits into the symmetric component — the narrow Hessian in other coordinates,
so of the same inertia (Sylvester's law) — and, for each block of r equal rows, r − 1
copies of :math:`r\,M(w)` (two halves: :math:`2M`; three thirds: :math:`3M` on the
two-dimensional standard representation of :math:`S_3`).  Hence

.. math::

    \operatorname{index} = \operatorname{index}_{\text{narrow}}
        + \sum_{\text{split rows}} (r - 1)\,\#\{\mu < 0\},

checked against the block spectra of the embedded points themselves in the tests (and by
``blocks=True`` here).  A spurious minimum *survives* m extra neurons when an embedding has
index 0 (a degenerate critical point: not excluded), the zero neuron gives no first-order
descent, or a wider minimum of the family exists; otherwise it is *annihilated*
(Arjevani & Field 2022, "Annihilation of spurious minima in two-layer ReLU networks",
NeurIPS, arXiv:2210.06088).

>>> t = annihilation_table(["type-A"], ks=[8], extra=[0, 1])
>>> [(r.m, r.index_min, r.verdict) for r in t.rows]
[(0, 0, 'spurious minimum'), (1, 7, 'survives: wide-A (minimum)')]
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

from ..core import ConvergenceError, InputError, dec, generalized_eigh
from ..critical import get_family, list_families
from ..spectra import classify, multiplicity_value, point_blocks
from .embed import multi_split_group, row_classes, split_neuron
from .interlacing import curvature_blocks
from .zero import zero_neuron

__all__ = ["WIDER_PARENTS", "Embedding", "AnnihilationRow", "AnnihilationTable",
           "annihilation_table", "split_index"]

#: the narrow family each wider family of the catalogue descends from
WIDER_PARENTS = {"wide-A": "type-A", "wide-A2": "type-A2", "wide-hidden-A": "hidden-A",
                 "wide-hidden-A2": None, "wide-A3": "type-A3", "wide-A4": "type-A4",
                 "wide-A4b": "type-A4", "wide-A5": "type-A5", "wide-A5b": "type-A5"}

#: relative tolerance for a zero eigenvalue in float64 (the split direction is exactly 0)
FLOAT_TOL = 1e-8


@dataclass
class Embedding:
    """One embedding of a family's point with m extra neurons: ``kind`` (``split`` or
    ``zero``), a description, the wide ``isotropy``, the ``index`` (splits) or the
    minimum of g (zero neuron), and ``kind_of_point``."""
    kind: str
    description: str
    isotropy: str
    index: int | None = None
    nullity: int | None = None
    min_g: object = None
    point_kind: str = ""

    def to_json(self):
        out = {"embedding": self.kind, "description": self.description,
               "isotropy": self.isotropy, "kind": self.point_kind}
        if self.kind == "zero":
            out["min_directional_derivative"] = dec(self.min_g, 12)
        else:
            out["index"] = str(self.index)
            out["nullity"] = str(self.nullity)
        return out


@dataclass
class AnnihilationRow:
    """One (family, m, k) of the table."""
    family: str
    m: int
    k: int
    n: int
    own: bool
    kind: str
    index: int | None = None
    loss: object = None
    embeddings: list = field(default_factory=list)
    wider: list = field(default_factory=list)
    survives: bool = False
    verdict: str = ""
    certainty: str = "numerical"

    @property
    def index_min(self):
        """The family's own index (m = m₀), else the smallest index of its splits."""
        if self.own:
            return self.index
        idx = [e.index for e in self.embeddings if e.index is not None]
        return min(idx) if idx else None

    def to_json(self):
        return {"family": self.family, "m": self.m, "k": str(self.k), "n": self.n,
                "kind": self.kind, "index": None if self.index_min is None else
                str(self.index_min), "loss": None if self.loss is None else
                dec(self.loss, 15), "embeddings": [e.to_json() for e in self.embeddings],
                "wider_minima": self.wider, "survives": self.survives,
                "verdict": self.verdict, "certainty": self.certainty}


@dataclass
class AnnihilationTable:
    """The table: ``rows`` (:class:`AnnihilationRow`), the families, ks and m values."""
    families: list
    ks: list
    extra: list
    rows: list
    certainty: str
    seconds: float = 0.0

    def row(self, family, m, k):
        for r in self.rows:
            if (r.family, r.m, r.k) == (family, m, k):
                return r
        return None

    def to_json(self):
        return {"families": self.families, "ks": [str(k) for k in self.ks],
                "extra": self.extra, "certainty": self.certainty,
                "method": "index of the symmetric splits = narrow index + (r-1)·#(μ < 0) "
                          "of the split curvature M (exact); zero neuron: min g over the "
                          "sphere (float64 search, a negative value proves descent)",
                "rows": [r.to_json() for r in self.rows],
                "seconds": f"{self.seconds:.2f}"}

    def latex(self):
        """A LaTeX table per m: families × k, each cell the index (own point) or the
        smallest index of the embeddings, with a dagger where a minimum survives."""
        from ..core import latex_text
        out = []
        for m in self.extra:
            cols = "l" + "r" * len(self.ks)
            lines = [r"\begin{tabular}{" + cols + "}",
                     "family & " + " & ".join(f"$k={k}$" for k in self.ks) + r" \\",
                     r"\hline"]
            for fam in self.families:
                if not any(self.row(fam, m, k) for k in self.ks):
                    continue
                cells = []
                for k in self.ks:
                    r = self.row(fam, m, k)
                    if r is None:
                        cells.append("")
                        continue
                    i = r.index_min
                    txt = "-" if i is None else str(i)
                    cells.append(txt + (r"$^\dagger$" if r.survives and fam != "global"
                                        else ""))
                lines.append(latex_text(fam) + " & " + " & ".join(cells) + r" \\")
            lines.append(r"\end{tabular}")
            out.append(f"% m = {m} extra neuron(s): index; $^\\dagger$: a spurious minimum "
                       "survives\n" + "\n".join(lines))
        return "\n\n".join(out)

    def __str__(self):
        lines = [f"annihilation table ({self.certainty}): index of the point (m = its own) "
                 "or the smallest index of its embeddings; * = a spurious minimum survives"]
        w = max(8, max(len(f) for f in self.families))
        for m in self.extra:
            lines.append(f"m = {m} extra neuron(s):")
            lines.append(f"  {'family':<{w}} " + " ".join(f"{k:>5d}" for k in self.ks))
            for fam in self.families:
                if not any(self.row(fam, m, k) for k in self.ks):
                    continue                     # a wider family below its own width
                cells = []
                for k in self.ks:
                    r = self.row(fam, m, k)
                    if r is None:
                        cells.append(f"{'':>5}")
                        continue
                    i = r.index_min
                    mark = "*" if r.survives and fam != "global" else ""
                    cells.append(f"{('-' if i is None else str(i)) + mark:>5}")
                lines.append(f"  {fam:<{w}} " + " ".join(cells))
        return "\n".join(lines)


def _float_spectrum_index(cp):
    """(index, nullity, kind) of a catalogue point by its isotypic blocks in float64."""
    pb = point_blocks(cp.isotropy, [float(x) for x in cp.xi], cp.k, system="float")
    evs, counts = [], []
    for b in pb.blocks:
        ev = generalized_eigh(np.asarray(b.A, float), np.asarray(b.B, float), "float")
        mult = multiplicity_value(b.multiplicity, cp.k)
        evs += list(ev)
        counts += [mult] * len(ev)
    tol = FLOAT_TOL * max(1.0, max(abs(e) for e in evs))
    idx = sum(c for e, c in zip(evs, counts) if e < -tol)
    nul = sum(c for e, c in zip(evs, counts) if abs(e) <= tol)
    return idx, nul, classify(evs, tol)


def _counts(blocks, k):
    """(#negative, #zero) eigenvalues of M(w), with multiplicity, from its float blocks."""
    evs = []
    for b in blocks:
        ev = generalized_eigh(np.asarray(b.A, float), np.asarray(b.B, float), "float")
        evs.append((ev, multiplicity_value(b.multiplicity, k)))
    scale = max([1.0] + [abs(e) for ev, _ in evs for e in ev])
    neg = sum(m * int(np.sum(ev < -FLOAT_TOL * scale)) for ev, m in evs)
    zero = sum(m * int(np.sum(np.abs(ev) <= FLOAT_TOL * scale)) for ev, m in evs)
    return neg, zero


def _curvature_table(points):
    """``{(k, class key): (#neg, #zero)}`` of M for every row class of the family's points
    (one batched evaluation per class)."""
    if not points:
        return {}
    cps = list(points.values())
    H = cps[0].isotropy
    X = np.array([[float(x) for x in cp.xi] for cp in cps])
    ks = [cp.k for cp in cps]
    out = {}
    for cls in row_classes(H):
        for cp, blocks in zip(cps, curvature_blocks(H, cls, X, ks, "float")):
            out[(cp.k, cls.key)] = _counts(blocks, cp.k)
    return out


def split_index(cp, splits, own=None, curv=None):
    r"""(index, nullity) of the symmetric split of a critical point: ``splits`` lists
    ``(class, parts)`` (a class may appear twice: two of its rows), ``own`` the point's
    (index, nullity), ``curv`` the counts of M per class (``{(k, class key): (#neg,
    #zero)}``, computed when missing).

    >>> from symcrit.critical import get_family
    >>> cp = get_family("type-A").point(8, dps=20)
    >>> split_index(cp, [(row_classes(cp.isotropy)[1], 2)])
    (7, 1)
    """
    own = own or _float_spectrum_index(cp)[:2]
    curv = {} if curv is None else curv
    idx, nul = own
    for cls, parts in splits:
        if (cp.k, cls.key) not in curv:
            curv[(cp.k, cls.key)] = _counts(
                curvature_blocks(cp.isotropy, cls, [float(x) for x in cp.xi], cp.k,
                                 "float"), cp.k)
        neg, zero = curv[(cp.k, cls.key)]
        idx += (parts - 1) * neg
        nul += (parts - 1) * zero
    return idx, nul


def _split_sets(cp, extra):
    """The symmetric splits with ``extra`` new rows: (description, [(class, parts)])."""
    classes = row_classes(cp.isotropy)
    if extra == 1:
        return [(f"split {c.description}", [(c, 2)]) for c in classes]
    out = [(f"split {c.description} in three", [(c, 3)]) for c in classes]
    for a, b in itertools.combinations_with_replacement(range(len(classes)), 2):
        ca, cb = classes[a], classes[b]
        if a == b and (ca.kind == "single" or (ca.size.is_Integer and int(ca.size) < 2)):
            continue
        what = (f"split two rows of {ca.description}" if a == b else
                f"split {ca.description} and {cb.description}")
        out.append((what, [(ca, 2), (cb, 2)]))
    return out


def _group_label(cp, splits):
    """The wide group of a split set."""
    return multi_split_group(cp.isotropy, splits)[0].label


def _embeddings(cp, m, own, curv, zero, blocks=False):
    """The embeddings of the point cp with m extra rows (m = 1, 2)."""
    out = []
    for what, splits in _split_sets(cp, m):
        idx, nul = split_index(cp, splits, own, curv)
        kind = "saddle" if idx > 0 else "degenerate"
        e = Embedding("split", what, _group_label(cp, splits), idx, nul, point_kind=kind)
        if blocks and len(splits) == 1:
            sp = split_neuron(cp, row=splits[0][0], parts=splits[0][1], dps=20).spectrum()
            e.index, e.point_kind = sp.index, sp.kind
        out.append(e)
    z = zero
    out.append(Embedding("zero", "zero neuron" + ("s" if m > 1 else ""), z.isotropy,
                         min_g=z.min_directional_derivative,
                         point_kind="descent" if z.descent else "no first-order descent"))
    return out


def annihilation_table(families=None, ks=range(6, 21), extra=(0, 1, 2), dps=15,
                       blocks=False, progress=None):
    """The annihilation table (see the module docstring).

    Parameters
    ----------
    families : list of str, optional
        Default: every catalogue family (narrow and wider).
    ks : iterable of int
    extra : iterable of int
        m, the neurons beyond the teacher's k.
    dps : int
        Digits of the family points (the blocks are float64, a zero eigenvalue below
        :data:`FLOAT_TOL` relative).
    blocks : bool
        Also compute the index of every single split from the embedded point's own block
        spectrum (slower; the tests compare both).
    progress : callable, optional
        Called once per family.

    Returns
    -------
    AnnihilationTable

    Raises
    ------
    InputError
        An unknown family, a k below 3, or m outside 0 … 2.
    """
    import time
    t0 = time.perf_counter()
    ks = [int(k) for k in ks]
    extra = sorted({int(m) for m in extra})
    if not extra or extra[0] < 0 or extra[-1] > 2:
        raise InputError(f"extra neurons m must lie in 0 … 2, got {extra}")
    if not ks or min(ks) < 3:
        raise InputError("k must be an integer >= 3")
    fams = [get_family(f) for f in (families or [f.name for f in list_families()
                                                 if f.builtin])]
    rows = []
    wide_status = {}
    names = {f.name for f in fams}
    for w, parent in WIDER_PARENTS.items():        # the wider minima of the families asked
        if parent in names and w not in names and get_family(w).n_extra in extra:
            fw = get_family(w)
            valid = [k for k in ks if k >= fw.k_min]
            try:
                for k, cp in zip(valid, fw.points(valid, dps=dps, full_check=False)):
                    wide_status[(w, k)] = _float_spectrum_index(cp)[2]
            except ConvergenceError:
                pass
    for fam in fams:
        m0 = fam.n_extra
        valid = [k for k in ks if k >= fam.k_min]
        try:
            pts = dict(zip(valid, fam.points(valid, dps=dps, full_check=False)))
        except ConvergenceError:
            pts = {}
        curv = _curvature_table(pts) if any(m > m0 for m in extra) else {}
        for k, cp in pts.items():
            own = _float_spectrum_index(cp)
            zero = (zero_neuron(cp, dps=dps, polish=False, starts=8)
                    if any(m > m0 for m in extra) else None)
            if m0 > 0:
                wide_status[(fam.name, k)] = own[2]
            for m in extra:
                if m < m0:
                    continue
                row = AnnihilationRow(fam.name, m, k, k + m, m == m0, own[2], own[0],
                                      cp.loss)
                if m > m0:
                    row.embeddings = _embeddings(cp, m - m0, own[:2], curv, zero, blocks)
                rows.append(row)
        if progress:
            progress(fam.name)
    # the wider families' own rows first: a narrow family also survives m extra neurons
    # through a wider family of its own whose embeddings survive
    for row in sorted(rows, key=lambda r: -get_family(r.family).n_extra):
        _verdict(row, wide_status, rows)
    return AnnihilationTable([f.name for f in fams], ks, extra, rows,
                             "numerical (float64 blocks of refined points)",
                             time.perf_counter() - t0)


def _verdict(row, wide_status, rows=()):
    """Whether a spurious minimum survives (see the module docstring)."""
    if row.family == "global" or (row.loss is not None and abs(row.loss) < 1e-12):
        row.verdict, row.survives = "global minimum", True
        return
    if row.own:
        row.survives = row.kind == "minimum"
        row.verdict = "spurious minimum" if row.survives else row.kind
        return
    kept = [e.description for e in row.embeddings
            if (e.kind == "split" and e.index == 0)
            or (e.kind == "zero" and e.point_kind != "descent")]
    wide = [name for (name, k), kind in wide_status.items()
            if k == row.k and kind == "minimum" and WIDER_PARENTS.get(name) == row.family
            and get_family(name).n_extra == row.m]
    wide += [f"an embedding of {r.family}" for r in rows
             if r.k == row.k and r.m == row.m and not r.own and r.survives
             and WIDER_PARENTS.get(r.family) == row.family]
    row.wider = wide
    if kept or wide:
        row.survives = True
        row.verdict = "survives: " + "; ".join(
            [w if w.startswith("an embedding") else f"{w} (minimum)" for w in wide]
            + [f"{d} (index 0)" for d in kept])
    elif row.kind == "minimum":
        row.verdict = "annihilated"
    else:
        row.verdict = f"no minimum (the point itself is a {row.kind})"
