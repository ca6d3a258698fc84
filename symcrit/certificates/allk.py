r"""A proof for every k: a family of the catalogue is a strict local minimum for all integers
k ≥ k₀ at once.

The proof is a chain of pieces (:class:`~.tubes.Piece`) without gaps:

* intervals :math:`[k_0, k_1], [k_1, k_2], \dots, [k_{n-1}, K]`, each proven for every
  real k in it by one computation in Taylor models in k (:mod:`.intervals`);
* the piece at infinity, every k ≥ K, proven by one computation in Taylor models in
  :math:`\varepsilon = k^{-1/2} \in [0, K^{-1/2}]` on the rescaled system
  (:mod:`.infinity`).

Each piece proves, for every integer k it covers: Fix(H) contains exactly one critical
point of the restricted loss in the piece's box B(k) (Krawczyk), it is a critical point of
the full loss (symmetric criticality), the box avoids the non-smooth set, and the Hessian
is positive definite on every isotypic component (which cover M(k, k), with positive
integer multiplicities) — a strict local minimum of L on M(k, k).  Safran & Shamir
("Spurious local minima are common in two-layer ReLU neural networks", ICML 2018,
arXiv:1712.08968) proved the type-A minima for 6 ≤ k ≤ 20; Arjevani & Field ("Symmetry &
critical points for a model shallow neural network", Physica D 2021, arXiv:2003.10576)
showed the family exists for all large k by the real-analytic implicit function theorem;
here the statement for every k ≥ k₀ is checked by computer.

The proof is data (:meth:`AllKProof.to_json`, format ``symcrit-allk/1``): per piece the
k it covers, its centre polynomials and radii, the rescaling at infinity.
:func:`verify_all_k` re-proves every piece from these alone, checks that the pieces chain
from k₀ to ∞ without gaps, and that the family's own points (continued again from its
seed) lie in the boxes; anything else it rejects.

>>> statement(get_family("type-A"), 6)
'for every integer k ≥ 6, Fix(ΔS_{k-1}) contains exactly one critical point of the loss in the box B(k) of the proof, and it is a strict local minimum of L on M(k, k) (family type-A)'
>>> proof = prove_all_k("hidden-D", k_from=6)                      # doctest: +SKIP
>>> proof.status, len(proof.pieces)                                # doctest: +SKIP
('proved', 13)
"""
from __future__ import annotations

import json
import logging
import math
import os
import re
import time
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import mpmath
from flint import arb

from ..core import (ARB, K_MAX, ConvergenceError, InputError, SymcritError, k_key,
                    workdps)
from ..critical import get_family
from ..restricted import restricted_loss
from ..schemas import document, read_format
from ..series.rescaled import RescaledSystem
from .infinity import DPS_INF, EXACT_ORDER, ORDER_INF, check_infinity, certify_infinity
from .intervals import DPS, ORDER, check_interval, cover_interval, tube_variable
from .tubes import Piece, k_exact_text

log = logging.getLogger(__name__)

__all__ = ["ALLK_FORMAT", "K_INF", "AllKProof", "default_k_from", "statement",
           "prove_all_k", "verify_all_k", "piece_from_json"]

#: the format tag of all-k proof files (version :func:`symcrit.schemas.version`
#: ``("allk")``; files of the older ``symcrit-allk/1`` still verify: the content is the same)
ALLK_FORMAT = "symcrit.allk"
#: where the piece at infinity starts, tried in turn
K_INF = (400, 1600, 6400)


def statement(fam, k_from, proved=True):
    """The theorem in words."""
    H = restricted_loss(fam.isotropy).H.label
    core = (f"for every integer k ≥ {k_from}, Fix({H}) contains exactly one critical point "
            f"of the loss in the box B(k) of the proof, and it is a strict local minimum of "
            f"L on M(k, k) (family {fam.name})")
    return core if proved else "not proven: " + core


@dataclass
class AllKProof:
    """A chained proof for all k ≥ ``k_from`` (see the module docstring).

    Attributes
    ----------
    family, isotropy : str
    k_from : Fraction
    pieces : list of Piece
    status : str
        ``proved`` when every piece is proven and they chain from ``k_from`` to ∞;
        otherwise ``unverified`` with ``reason``.
    seconds : dict
        Wall-clock time per stage (``threshold``, ``intervals``, ``infinity``, ``total``).
    cpu_seconds : float
        Processor time of this process and its finished workers.
    verified : bool or None
        Set by :func:`verify_all_k`.
    """
    family: str
    isotropy: str
    k_from: Fraction
    pieces: list
    status: str
    reason: str = ""
    seconds: dict = field(default_factory=dict)
    cpu_seconds: float = 0.0
    verified: bool | None = None

    @property
    def statement(self):
        return statement(get_family(self.family), _num(self.k_from),
                         self.status == "proved")

    @property
    def k_inf(self):
        """Where the piece at infinity starts (None without one)."""
        inf = [p for p in self.pieces if p.kind == "infinity"]
        return inf[0].k_lo if inf else None

    def to_json(self):
        """The proof as JSON (numbers as decimal strings)."""
        out = {"family": self.family, "isotropy": self.isotropy,
               "statement": self.statement, "k_from": _num(self.k_from),
               "status": self.status,
               "pieces": [p.to_json() for p in self.pieces],
               "seconds": {k: f"{v:.2f}" for k, v in self.seconds.items()},
               "cpu_seconds": f"{self.cpu_seconds:.2f}"}
        if self.reason:
            out["reason"] = self.reason
        if self.verified is not None:
            out["verified"] = self.verified
        return document("allk", out)

    def save(self, path):
        """Write the proof to a JSON file (re-checked by :func:`verify_all_k`)."""
        Path(path).write_text(json.dumps(self.to_json(), indent=1, ensure_ascii=False)
                              + "\n")
        return path

    def __str__(self):
        lines = [f"{self.family} ({self.isotropy}) for all k ≥ {_num(self.k_from)}: "
                 f"{self.status}" + (f" ({self.reason})" if self.reason else ""),
                 "  " + self.statement]
        for p in self.pieces:
            hi = "∞" if p.k_hi is None else _num(p.k_hi)
            rad = "-" if p.radius is None else f"{p.radius:.2e}"
            lines.append(f"  {p.kind:<8} k ∈ [{_num(p.k_lo)}, {hi}]  {p.status:<10} radius "
                         f"{rad}  {p.seconds:6.2f} s" + (f"  ({p.reason})" if p.reason
                                                        else ""))
        if self.seconds:
            lines.append("  time: " + ", ".join(f"{k} {v:.1f} s"
                                                 for k, v in self.seconds.items()))
        return "\n".join(lines)

    __repr__ = __str__


def _num(q):
    return "inf" if q is None else k_exact_text(q)


def default_k_from(family):
    """The first integer above the family's last saddle → minimum threshold
    (:func:`symcrit.transitions.thresholds`, refined numerically — it only chooses where
    the proof starts), or the family's smallest k when it has none below k = 40."""
    from ..transitions import thresholds
    fam = get_family(family)
    try:
        th = [t for t in thresholds(fam, k_max=40, dps=20) if t.after == "minimum"]
    except (ConvergenceError, InputError, SymcritError):
        th = []
    if th:
        return int(math.floor(float(th[-1].k))) + 1
    return int(math.ceil(fam.k_min))


def _infinity(args):
    name, Ks, dps = args
    t0 = time.process_time()
    fam = get_family(name)
    last = None
    for K in Ks:
        last = certify_infinity(fam, K, dps=dps)
        if last.proved or "no rescaled system" in last.reason:
            break
    return last, time.process_time() - t0


def prove_all_k(family, k_from=None, k_inf=None, dps=DPS, progress=None, workers=None):
    r"""Prove that the family is a strict local minimum for every integer k ≥ ``k_from``.

    Parameters
    ----------
    family : str or Family
        A catalogue family (the piece at infinity needs its rescaled system).
    k_from : int, optional
        k₀ (default: the first integer above the saddle → minimum threshold,
        :func:`default_k_from`).
    k_inf : int, optional
        Where the piece at infinity starts (default: the first of :data:`K_INF` that
        works).
    dps : int
        Working digits.
    progress : callable, optional
        Called with each piece.
    workers : int, optional
        2 (default on a machine with two cores or more): the piece at infinity in a
        second process while the intervals are proven here.

    Returns
    -------
    AllKProof
        ``proved``, or ``unverified`` with the pieces that failed and why.

    Raises
    ------
    InputError
        An unknown family or a k_from below the family's range.
    """
    t_start, c_start = time.perf_counter(), time.process_time()
    fam = get_family(family)
    seconds = {}
    if k_from is None:
        t = time.perf_counter()
        k_from = default_k_from(fam)
        seconds["threshold"] = time.perf_counter() - t
    k0 = Fraction(k_from)
    if k0 < fam.k_min:
        raise InputError(f"family {fam.name} needs k >= {fam.k_min}, got k_from = {k0}")
    Ks = [int(k_inf)] if k_inf is not None else list(K_INF)
    Ks = [K for K in Ks if K > k0] or [int(k0) + 1]
    workers = workers if workers is not None else min(os.cpu_count() or 1, 2)
    cpu_workers = 0.0
    pool = fut = None
    if workers > 1:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor
        restricted_loss(fam.isotropy).compile()
        ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
        pool = ProcessPoolExecutor(max_workers=1, mp_context=ctx)
        fut = pool.submit(_infinity, (fam.name if fam.builtin else fam, Ks, dps))
    t = time.perf_counter()
    if fut is None:
        inf_piece, _ = _infinity((fam, Ks, dps))
        seconds["infinity"] = time.perf_counter() - t
        t = time.perf_counter()
    K = Ks[0]
    if fut is not None:
        # the intervals up to the first K; extended below if the piece at infinity needs more
        pieces = cover_interval(fam, k0, K, dps=dps, progress=progress)
        seconds["intervals"] = time.perf_counter() - t
        t = time.perf_counter()
        inf_piece, cpu_workers = fut.result()
        pool.shutdown()
        seconds["infinity (waited)"] = time.perf_counter() - t
    else:
        pieces = []
    K_used = inf_piece.k_lo if inf_piece.proved else Fraction(Ks[0])
    t = time.perf_counter()
    if fut is None:
        pieces = cover_interval(fam, k0, K_used, dps=dps, progress=progress)
    elif K_used > K:
        pieces += cover_interval(fam, Fraction(K), K_used, dps=dps, progress=progress)
    seconds["intervals"] = seconds.get("intervals", 0.0) + time.perf_counter() - t
    if progress:
        progress(inf_piece)
    pieces.append(inf_piece)
    status, reason = _chain_status(pieces, k0)
    seconds["total"] = time.perf_counter() - t_start
    log.info("all-k proof of %s from k = %s: %d pieces, %s", fam.name, k0, len(pieces), status)
    return AllKProof(fam.name, restricted_loss(fam.isotropy).H.label, k0, pieces, status,
                     reason, seconds, time.process_time() - c_start + cpu_workers)


def _chain_status(pieces, k0):
    """``(status, reason)`` of a chain of (already checked) pieces."""
    if not pieces:
        return "unverified", "no pieces"
    if pieces[0].k_lo != k0:
        return "unverified", f"the first piece starts at {_num(pieces[0].k_lo)}, not {_num(k0)}"
    for a, b in zip(pieces, pieces[1:]):
        if a.k_hi is None or a.k_hi != b.k_lo:
            return "unverified", (f"a gap between the pieces [{_num(a.k_lo)}, "
                                  f"{_num(a.k_hi)}] and [{_num(b.k_lo)}, ...]")
    if pieces[-1].kind != "infinity" or pieces[-1].k_hi is not None:
        return "unverified", "the chain does not end with the piece at infinity"
    bad = [p for p in pieces if not p.proved]
    if bad:
        p = bad[0]
        hi = "∞" if p.k_hi is None else _num(p.k_hi)
        return "unverified", f"the piece k ∈ [{_num(p.k_lo)}, {hi}] is not proven: {p.reason}"
    return "proved", ""


# ----------------------------------------------------------------------------- files
_NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d{1,3})?(/\d+)?")


def _frac(text, what):
    """A number of a proof file: a decimal or p/q literal of bounded size, exactly."""
    text = str(text)
    if len(text) > 120 or not _NUMBER.fullmatch(text):
        raise InputError(f"not an all-k proof: bad {what} {text[:40]!r}")
    try:
        q = Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise InputError(f"not an all-k proof: bad {what} {text[:40]!r}") from None
    if what.startswith("k") and not 0 < q <= K_MAX:
        raise InputError(f"not an all-k proof: {what} = {text[:40]} out of range")
    return q


def piece_from_json(d):
    """The claimed piece of a file (its input data; nothing in it is trusted)."""
    if not isinstance(d, dict):
        raise InputError("not an all-k proof: a piece must be an object")
    kind = d.get("kind")
    if kind not in ("interval", "infinity"):
        raise InputError(f"not an all-k proof: unknown piece kind {kind!r}")
    lo = _frac(d.get("k_lo"), "k_lo")
    hi = None if d.get("k_hi") == "inf" else _frac(d.get("k_hi"), "k_hi")
    keys = ("center", "radii", "order", "dps", "rescaling", "exact_order", "eps0")
    data = {k: d[k] for k in keys if k in d}
    return Piece(kind, lo, hi, str(d.get("status")), d.get("reason") or "", data, {})


def _recheck(fam, p):
    """The piece proven again from its data (or the reason it cannot be)."""
    try:
        if p.kind == "interval":
            if p.k_hi is None:
                raise InputError("an interval piece needs k_hi")
            return check_interval(fam, p.k_lo, p.k_hi, _texts(p.data["center"]),
                                  _radii(p.data["radii"]), _small(p.data.get("order", ORDER)),
                                  _dps(p.data.get("dps", DPS)))
        if p.k_hi is not None:
            raise InputError("the piece at infinity must have k_hi = inf")
        return check_infinity(fam, p.k_lo, _rescaling(p.data["rescaling"]),
                              _texts(p.data["center"]), _radii(p.data["radii"]),
                              _small(p.data.get("order", ORDER_INF)),
                              _small(p.data.get("exact_order", EXACT_ORDER)),
                              _dps(p.data.get("dps", DPS_INF)))
    except KeyError as exc:
        raise InputError(f"not an all-k proof: a piece lacks {exc}") from None
    except (TypeError, ValueError) as exc:
        raise InputError(f"not an all-k proof: a malformed piece ({exc})") from None


def _texts(center):
    if not isinstance(center, list) or len(center) > 64:
        raise InputError("not an all-k proof: a malformed centre")
    out = []
    for c in center:
        if not isinstance(c, list) or len(c) > 64:
            raise InputError("not an all-k proof: a malformed centre")
        row = [str(x) for x in c]
        for x in row:
            _frac(x, "coefficient")
        out.append(row)
    return out


def _radii(rs):
    if not isinstance(rs, list) or len(rs) > 64:
        raise InputError("not an all-k proof: malformed radii")
    for r in rs:
        if not _frac(r, "radius") >= 0:
            raise InputError(f"not an all-k proof: a negative radius {r!r}")
    return [str(r) for r in rs]


def _small(x, top=40):
    n = int(x)
    if not 0 <= n <= top:
        raise InputError(f"not an all-k proof: an order {n} out of range")
    return n


def _rescaling(d):
    """The rescaling of a file, its integers bounded (it is re-checked by
    :meth:`~symcrit.series.rescaled.RescaledSystem.from_data`)."""
    try:
        ints = [v for v in d["powers"].values() if v is not None] + list(d["rows"]) + \
            [x for op in d["ops"] for x in (op[0], op[2])] + list(d["limits"].values())
        for c in (c for op in d["ops"] for c in op[1]):
            _frac(c, "coefficient")
    except (KeyError, TypeError, AttributeError, IndexError) as exc:
        raise InputError(f"not an all-k proof: a malformed rescaling ({exc})") from None
    if not all(isinstance(v, int) and abs(v) <= 64 for v in ints):
        raise InputError("not an all-k proof: a rescaling with integers out of range")
    return d


def _dps(x):
    d = int(x)
    if not 10 <= d <= 200:
        raise InputError(f"not an all-k proof: bad precision {d}")
    return d


def _recheck_all(fam, todo, workers):
    """``id(claim) → recomputed piece`` for the claims ``todo``: in turn, stopping at the
    first that fails, or on a pool of ``workers`` processes (all of them)."""
    if workers > 1 and len(todo) > 1:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor
        restricted_loss(fam.isotropy).compile()
        ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
        name = fam.name if fam.builtin else fam
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            out = list(pool.map(_recheck_one, [(name, p) for p in todo]))
        return {id(p): q for p, q in zip(todo, out)}
    done = {}
    for p in todo:
        q = _recheck(fam, p)
        done[id(p)] = q
        if p.status == "proved" and not q.proved:
            break
    return done


def _recheck_one(args):
    name, p = args
    return _recheck(get_family(name) if isinstance(name, str) else name, p)


def verify_all_k(path_or_dict, family_check=True, workers=None):
    """Re-check an all-k proof from scratch, piece by piece.

    The pieces must chain from ``k_from`` to ∞ without gaps (checked first: a broken
    chain is rejected at once); with ``family_check`` the family's own points (continued
    again from its seed) at the start of every piece must lie in the piece's box; every
    piece is proven again from its data alone (:func:`~.intervals.check_interval`,
    :func:`~.infinity.check_infinity`); the claimed status must be the recomputed one.

    Parameters
    ----------
    path_or_dict : str, Path or dict
    family_check : bool
        Also check that the boxes hold the family's own points.
    workers : int, optional
        Processes for the pieces (default: two on a machine with two cores or more; one
        stops at the first piece that fails).

    Returns
    -------
    AllKProof
        The recomputed proof, ``verified`` True when all of this holds.

    Raises
    ------
    InputError
        Not an all-k proof file.
    """
    t0, c0 = time.perf_counter(), time.process_time()
    workers = workers if workers is not None else min(os.cpu_count() or 1, 2)
    data = path_or_dict
    if not isinstance(data, dict):
        try:
            data = json.loads(Path(path_or_dict).read_text())
        except (OSError, json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read {path_or_dict}: {exc}") from None
    if not isinstance(data, dict) or "format" not in data:
        raise InputError("not an all-k proof")
    read_format(data, "allk", "all-k proof")       # symcrit.allk, or symcrit-allk/1
    fam = get_family(str(data.get("family")))
    k0 = _frac(data.get("k_from"), "k_from")
    claimed = data.get("status")
    raw = data.get("pieces")
    if not isinstance(raw, list) or not raw or len(raw) > 10000:
        raise InputError("not an all-k proof: no pieces (or too many)")
    claims = [piece_from_json(d) for d in raw]
    why = ""
    if k0 < fam.k_min:
        why = f"k_from = {_num(k0)} is below the family's range"
    status, reason = _chain_status([Piece(p.kind, p.k_lo, p.k_hi, "proved")
                                    for p in claims], k0)
    if status != "proved":                 # the chain itself is broken: nothing to recompute
        why = why or reason
        pieces = claims
    else:
        todo = [p for p in claims if p.status == "proved" or "center" in p.data]
        for p in todo:                        # malformed data: an error before any work
            _texts(p.data.get("center", [])), _dps(p.data.get("dps", DPS))
            _radii(p.data.get("radii", []))
        if not why and family_check and all("center" in p.data for p in claims):
            why = _family_in_boxes(fam, claims)   # cheaper than the pieces: first
        done = _recheck_all(fam, todo, workers) if not why else {}
        pieces = []
        for p in claims:
            q = done.get(id(p), p)            # an honest failure without a box: as it is
            if q is not p:
                q.status = q.status if q.status == "proved" else "unverified"
            pieces.append(q)
            if p.status == "proved" and not q.proved and not why:
                hi = "∞" if p.k_hi is None else _num(p.k_hi)
                why = f"the piece k ∈ [{_num(p.k_lo)}, {hi}] does not verify: {q.reason}"
        status, reason = _chain_status(pieces, k0)
    if not why and claimed != status:
        why = f"the file claims {claimed!r}; recomputation gives {status!r}"
    if why and status == "proved":
        status = "unverified"
    out = AllKProof(fam.name, restricted_loss(fam.isotropy).H.label, k0, pieces, status,
                    why or reason, {"total": time.perf_counter() - t0},
                    time.process_time() - c0)
    out.verified = not why and claimed == status
    return out


def _family_in_boxes(fam, pieces):
    """The family's points at the start of every piece lie in the piece's box."""
    work = 40
    with workdps(work):
        ks = [mpmath.mpf(p.k_lo.numerator) / p.k_lo.denominator for p in pieces]
        try:
            found, _ = fam.follow(ks, dps=work)
        except (ConvergenceError, InputError) as exc:
            return f"the family cannot be followed through the pieces ({exc})"
        for p, k in zip(pieces, ks):
            pt = found.get(k_key(k))
            xi = None if pt is None else pt.xi
            if xi is None:
                return f"the family could not be followed to k = {_num(p.k_lo)}"
            if not _in_box(fam, p, xi):
                return (f"the point of family {fam.name} at k = {_num(p.k_lo)} is not in the "
                        "box of the piece starting there (the proof is about another "
                        "critical point)")
    return ""


def _in_box(fam, p, xi):
    radii = [arb(str(r)) for r in p.data["radii"]]
    if p.kind == "interval":
        kc, h = tube_variable(p.k_lo, p.k_hi)
        t = (p.k_lo - kc) / h                     # = −1
        centre = [sum(Fraction(c) * t ** j for j, c in enumerate(row))
                  for row in p.data["center"]]
        vals = [ARB.convert(+x) for x in xi]
    else:
        rs = RescaledSystem.from_data(fam, p.data["rescaling"])
        eps = mpmath.sqrt(1 / mpmath.mpf(p.k_lo.numerator) * p.k_lo.denominator)
        vals = [ARB.convert((x - rs.lim[n]) / eps ** rs.m[n])
                for x, n in zip(xi, rs.names)]
        centre = [mpmath.fsum(mpmath.mpf(Fraction(c).numerator) / Fraction(c).denominator
                              * eps ** j for j, c in enumerate(row))
                  for row in p.data["center"]]
        centre = [ARB.convert(c) for c in centre]
    for v, c, r in zip(vals, centre, radii):
        c = c if isinstance(c, arb) else arb(c.numerator) / c.denominator
        if not (bool(v > c - r) and bool(v < c + r)):
            return False
    return True
