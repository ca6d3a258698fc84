r"""Verification of certificate files: every claim is proven again from the box alone.

A certificate file (:meth:`~.certificate.Certificate.save`) is read for its *input* only:
the isotropy group, k (and d), the box (centre and radii as decimal strings) and the
precision.  From these the smooth-set check, the Krawczyk test and the isotypic block
enclosures are recomputed, and then each claim of the file is *proven* on the recomputed
enclosures, never compared with stored numbers: a lower bound c of a block's smallest
eigenvalue by "no eigenvalue below c" (the Sylvester count of A − cB is 0,
:func:`~.inertia.count_below`), an upper bound u by "an eigenvalue below u", an eigenvalue
enclosure [lo, hi] of the p-th eigenvalue by the two counts at lo and hi, a sign by the
count at 0, the status by recomputation, a named family by continuing it again to k and
finding its point in the box (Rump 2010, "Verification methods: rigorous results using
floating-point arithmetic", Acta Numerica 19, doi:10.1017/S096249291000005X: a verification
is only as good as what it recomputes).

>>> import tempfile, os, json
>>> from symcrit.certificates import certify
>>> cert = certify("type-A", 8)
>>> path = os.path.join(tempfile.mkdtemp(), "typeA-8.json")
>>> _ = cert.save(path)
>>> v = verify_certificate(path)
>>> v.status, v.verified
('minimum', True)
>>> data = json.load(open(path)); data["parameters"]["a"] = "1.01"    # tamper
>>> v = verify_certificate(data); v.status, v.verified
('unverified', False)
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import mpmath
from flint import arb

from ..core import parallel_map
from ..core import (ARB, DPS_MAX, DPS_MIN, K_MAX, ConvergenceError, InputError, as_mpf,
                    exact_k, k_text, working_dps, workdps)
from ..critical import get_family
from ..restricted import restricted_loss
from .balls import arb_matrix, k_ball
from ..schemas import document, read_format
from .certificate import BoxCheck, Certificate, check_box
from .inertia import count_below

__all__ = ["load_certificate", "verify_certificate", "verify_certificates",
           "upgrade_certificate"]


def load_certificate(path_or_dict):
    """The dict of a certificate file (or the dict itself).

    Parameters
    ----------
    path_or_dict : str, Path or dict

    Returns
    -------
    dict

    Raises
    ------
    InputError
        The file cannot be read or is not JSON.
    """
    if isinstance(path_or_dict, dict):
        return path_or_dict
    try:
        return json.loads(Path(path_or_dict).read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"cannot read certificate {path_or_dict}: {exc}") from None


_STATUSES = ("minimum", "saddle", "unverified")
#: certificate files hold the working precision: the digits asked for plus guard digits
_DPS_WORK_MAX = working_dps(DPS_MAX, K_MAX)


def verify_certificate(path_or_dict, blocks=True):
    """Re-check a certificate from its box alone, trusting nothing else in the file.

    Read: the isotropy spec, k (and d), the box centre and radii (decimal strings) and the
    precision.  Recomputed from them: the smooth-set check, the Krawczyk test and the
    isotypic blocks over the box.  Then every claim the file makes is *proven* on the
    recomputed enclosures, not compared with stored numbers:

    * the status (``minimum``/``saddle``/``unverified``) must be the recomputed one, and
      ``exists``/``smooth`` must hold when claimed;
    * each claimed lower bound c of a block's smallest eigenvalue must satisfy
      "no eigenvalue of the block below c" (Sylvester inertia of A − cB, every pair in
      the enclosures), each upper bound u "an eigenvalue below u", each eigenvalue
      enclosure [lo, hi] of the p-th eigenvalue the two counts at lo and hi, each sign the
      count at 0;
    * the claimed loss interval must contain the loss enclosure over the box, the claimed
      smooth-set margin must not exceed the recomputed one, the claimed radius must not
      exceed the box's;
    * a named family must live in this Fix(H), and its point at k (continued and refined
      again from the family's seed) must lie in the box.

    Parameters
    ----------
    path_or_dict : str, Path or dict
        A certificate file, or its dict.
    blocks : bool
        Also recompute the isotypic blocks (needed for the type and the block claims).

    Returns
    -------
    Certificate
        A new certificate whose ``verified`` is True when all of this holds; otherwise its
        status is ``unverified`` and the reason names the first claim that failed.

    Raises
    ------
    InputError
        Not a certificate: a missing or malformed field, an unknown format or status, a
        precision out of range, a box of the wrong dimension, a negative radius, or a
        claim of the wrong type (one line, never a traceback).

    Examples
    --------
    >>> from symcrit.certificates import certify
    >>> data = certify("type-A", 9).to_json()
    >>> verify_certificate(data).verified
    True
    >>> data["lambda_min_lower"]["[k-2,1]"] = "1"                       # far too high
    >>> verify_certificate(data).reason
    'the claimed lower bound 1 of block [k-2,1] is not proven'
    """
    t0 = time.perf_counter()
    data = load_certificate(path_or_dict)
    # a file of version 1 may leave out the names of the parameters
    named = not (isinstance(data, dict) and data.get("parameters") is None)
    data = upgrade_certificate(data)
    try:
        spec = str(data["isotropy"])
        ktext = k_text(str(data["k"]))
        center_txt = [str(c) for c in data["parameters"].values()]
        rads = [str(r) for r in data["radii"].values()]
        dps = int(data["dps"])
        claimed = str(data.get("status"))
        for c in center_txt + rads:
            mpmath.mpf(c)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InputError(f"not a symcrit certificate (missing or bad field: {exc})") from None
    if claimed not in _STATUSES:
        raise InputError(f"bad status {claimed!r} in certificate")
    if not DPS_MIN <= dps <= _DPS_WORK_MAX:
        raise InputError(f"bad precision {dps} in certificate")
    dtext = None if data.get("d") in (None, "None") else k_text(str(data["d"]))
    R = restricted_loss(spec)
    if len(center_txt) != len(R.symbols) or len(rads) != len(R.symbols):
        raise InputError(f"certificate box has the wrong dimension for Fix({R.H.label})")
    for r in rads:
        if not (arb(r) >= 0):
            raise InputError(f"bad radius {r!r} in certificate")
    family = data.get("family")
    _check_claim_types(data)
    with workdps(dps):
        center = [arb(c) for c in center_txt]
        kb = k_ball(ktext)
        db = None if dtext is None else k_ball(dtext)
        try:
            res = check_box(R, center, rads, kb, db, None, blocks, ktext)
        except (ZeroDivisionError, ValueError) as exc:
            res = BoxCheck.failed(f"the loss cannot be evaluated on the box ({exc})")
        cert = Certificate.from_check(R, ktext, res, center=center_txt, radii=rads, dps=dps,
                                      d=dtext, family=family, t0=t0)
        why = _claims_fail(data, cert, res, R, center, rads, ktext, claimed, named)
        if not why and family is not None:
            why = _family_fails(family, R, cert, center, rads, ktext)
    cert.verified = not why
    if why:
        cert.status, cert.reason = "unverified", why
    cert.seconds = time.perf_counter() - t0
    return cert


def verify_certificates(items, workers=None, progress=None):
    """:func:`verify_certificate` of many certificates (dicts or paths), on local processes
    when there are many (:func:`symcrit.core.parallel_map`: in order, Ctrl-C stops at once).

    Parameters
    ----------
    items : sequence of dict or path
    workers : int, optional
        Processes; default: the local cores (at most 8) from 64 certificates on, else one.
    progress : callable, optional
        Called with each verified :class:`Certificate` as it is done.

    Returns
    -------
    list of Certificate
        With :attr:`~Certificate.verified` and the reason when it is False.

    >>> from symcrit.certificates import certify
    >>> [c.verified for c in verify_certificates([certify("type-A", 6).to_json()])]
    [True]
    """
    return parallel_map(verify_certificate, items, workers=workers, progress=progress)


def upgrade_certificate(data):
    """A certificate's dict in the current layout (``symcrit.certificate``, version 2):
    files of ``symcrit-certificate/1`` (the box as ``parameters`` names, ``center`` and
    ``radii`` lists; a block's ``multiplicity`` the polynomial and ``count`` its value) are
    read into it, so that files users have keep verifying.

    Parameters
    ----------
    data : dict

    Returns
    -------
    dict
        ``data`` itself when it is current, else a converted copy.

    Raises
    ------
    InputError
        Not a certificate, or a version newer than this symcrit reads.

    >>> old = {"format": "symcrit-certificate/1", "parameters": ["a", "b"],
    ...        "center": ["1", "0"], "radii": ["1e-10", "1e-10"],
    ...        "blocks": [{"irrep": "[k]", "multiplicity": "k - 1", "count": "5"}]}
    >>> new = upgrade_certificate(old)
    >>> new["format"], new["version"], new["parameters"], new["blocks"]
    ('symcrit.certificate', 2, {'a': '1', 'b': '0'}, [{'irrep': '[k]', 'multiplicity': '5', 'multiplicity_in_k': 'k-1'}])
    """
    if read_format(data, "certificate") >= 2:
        for key in ("parameters", "radii"):
            if not isinstance(data.get(key), dict):
                raise InputError(f"not a symcrit certificate: {key!r} must be an object "
                                 "(name → decimal string)")
        if list(data["radii"]) != list(data["parameters"]):
            raise InputError("certificate box has the wrong dimension ('parameters' and "
                             "'radii' name different parameters)")
        return data
    out = {key: v for key, v in data.items() if key not in ("center", "format")}
    names, center, radii = data.get("parameters"), data.get("center"), data.get("radii")
    if not (isinstance(center, list) and isinstance(radii, list)):
        raise InputError("not a symcrit certificate (missing or bad field: 'center' and "
                         "'radii' must be lists)")
    if names is None:
        names = [f"x{i}" for i in range(len(center))]       # checked against Fix(H) below
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names) \
            or len(names) != len(center):
        raise InputError("not a symcrit certificate: 'parameters' must list one name per "
                         "entry of 'center'")
    if len(radii) != len(center):
        raise InputError("certificate box has the wrong dimension ('center' and 'radii' "
                         "differ in length)")
    out["parameters"] = dict(zip(names, center))
    out["radii"] = dict(zip(names, radii))
    blocks = []
    for blk in data.get("blocks") or []:
        if isinstance(blk, dict):
            blk = {key: v for key, v in blk.items() if key not in ("multiplicity", "count")} \
                | ({"multiplicity": blk["count"]} if "count" in blk else {}) \
                | ({"multiplicity_in_k": str(blk["multiplicity"]).replace(" ", "")}
                   if "multiplicity" in blk else {})
        blocks.append(blk)
    if "blocks" in data:
        out["blocks"] = blocks if isinstance(data["blocks"], list) else data["blocks"]
    return document("certificate", out)


_CLAIM_TYPES = {"family": (str,), "parameters": (dict,), "lambda_min_lower": (dict,),
                "blocks": (list,), "loss": (list,), "radius": (str, int, float),
                "smooth_margin": (str, int, float), "exists": (bool,), "smooth": (bool,)}


def _check_claim_types(data):
    """The optional claims of a certificate file have the types a certificate writes; a
    file with others is not a certificate (one-line error, never a traceback)."""
    for key, types in _CLAIM_TYPES.items():
        v = data.get(key)
        if v is not None and not isinstance(v, types):
            raise InputError(f"not a symcrit certificate: {key!r} must be "
                             f"{' or '.join(t.__name__ for t in types)}, got "
                             f"{type(v).__name__}")
    for irrep, c in (data.get("lambda_min_lower") or {}).items():
        if not isinstance(c, (str, type(None))):
            raise InputError(f"not a symcrit certificate: lambda_min_lower[{irrep!r}] must be "
                             "a decimal string")
    for blk in data.get("blocks") or []:
        if not isinstance(blk, dict) or not isinstance(blk.get("irrep"), str):
            raise InputError("not a symcrit certificate: each block must be an object with "
                             "an 'irrep' string")


def _claims_fail(data, cert, res, R, center, rads, ktext, claimed, named=True):
    """The first claim of the file that the recomputation does not prove ("" if none)."""
    if cert.status != claimed:
        return (f"the file claims {claimed!r}; recomputation gives {cert.status!r}"
                + (f" ({cert.reason})" if cert.reason else ""))
    for key in ("exists", "smooth"):
        if data.get(key) is True and not getattr(cert, key):
            return f"the file claims {key} = true; the recomputation does not prove it"
    names = list(data["parameters"])
    if named and names != list(R.fixed.names):
        return f"the parameters {names} are not those of Fix({R.H.label})"
    try:
        if data.get("radius") is not None:
            if not float(data["radius"]) <= 1.01 * max(float(r) for r in rads):
                return (f"the claimed radius {data['radius']} exceeds the box's "
                        f"({max(float(r) for r in rads):.3g})")
        if data.get("loss") is not None:
            lo, hi = (arb(str(x)) for x in data["loss"])
            L = cert.loss
            if L is None or not (bool(lo <= L) and bool(L <= hi)):
                return f"the claimed loss interval {data['loss']} is not proven"
        if data.get("smooth_margin") is not None:
            m = arb(str(data["smooth_margin"]))
            if cert.smooth_margin is None or not bool(m <= cert.smooth_margin):
                return f"the claimed smooth-set margin {data['smooth_margin']} is not proven"
    except (TypeError, ValueError) as exc:
        return f"a malformed claim in the file ({exc})"
    raw = {b.irrep: b for b in res.blocks}
    have = {b.irrep: b for b in cert.blocks}
    claims = []
    for irrep, c in (data.get("lambda_min_lower") or {}).items():
        if c is not None:
            claims.append((irrep, "lower", c))
    for blk in data.get("blocks") or []:
        if not isinstance(blk, dict):
            return "a malformed block in the file"
        irrep = blk.get("irrep")
        for key in ("lambda_min_lower", "lambda_min_upper", "sign", "eigenvalues",
                    "multiplicity", "multiplicity_in_k", "dimension"):
            if blk.get(key) is not None:
                claims.append((irrep, key, blk[key]))
    for irrep, key, val in claims:
        if irrep not in have or irrep not in raw:
            return f"the file claims a block {irrep!r} that the recomputation does not have"
        b, rb = have[irrep], raw[irrep]
        try:
            why = _block_claim_fails(b, rb, key, val)
        except (TypeError, ValueError) as exc:
            why = f"a malformed claim {key} = {val!r} for block {irrep} ({exc})"
        if why:
            return why
    return ""


def _block_claim_fails(b, rb, key, val):
    """Prove one claim about a block on the recomputed enclosures (A, B) ("" if proven)."""
    if key == "multiplicity_in_k":   # compared as text: file text is never parsed by sympy
        return "" if str(val).replace(" ", "") == str(b.multiplicity).replace(" ", "") else \
            f"the multiplicity {val!r} of block {b.irrep} is wrong"
    if key == "multiplicity":
        return "" if str(val) == b.count else \
            f"the multiplicity {val!r} at k of block {b.irrep} is wrong"
    if key == "dimension":
        return "" if int(val) == b.dimension else \
            f"the dimension {val!r} of block {b.irrep} is wrong"
    if not b.present:
        ok = (key == "sign" and val == "absent") or (key == "eigenvalues" and val == [])
        return "" if ok else f"block {b.irrep} does not occur at this k; the file claims {key}"
    A, B = arb_matrix(rb.A), arb_matrix(rb.B)
    m = A.nrows()
    below = lambda sigma: count_below(A, B, sigma)
    if key == "sign":
        if val == "undecided":
            return ""
        n0 = below(arb(0))
        ok = (val == "positive" and n0 == 0) or (val == "negative" and n0 is not None
                                                 and n0 >= 1)
        return "" if ok else f"the sign {val!r} of block {b.irrep} is not proven"
    if key in ("lambda_min_lower", "lower"):
        n = below(arb(str(val)))
        return "" if n == 0 else \
            f"the claimed lower bound {val} of block {b.irrep} is not proven"
    if key == "lambda_min_upper":
        n = below(arb(str(val)))
        return "" if n is not None and n >= 1 else \
            f"the claimed upper bound {val} of block {b.irrep} is not proven"
    if key == "eigenvalues":
        if not isinstance(val, list) or len(val) != m:
            return f"the file lists {len(val) if isinstance(val, list) else '?'} " \
                   f"eigenvalues for block {b.irrep}, which has {m}"
        for p, e in enumerate(val):
            if e is None:
                continue
            lo, hi = arb(str(e[0])), arb(str(e[1]))
            nlo, nhi = below(lo), below(hi)
            if nlo is None or nhi is None or not (nlo <= p < nhi):
                return (f"the claimed enclosure [{e[0]}, {e[1]}] of eigenvalue {p} of block "
                        f"{b.irrep} is not proven")
        return ""
    return ""


def _family_fails(family, R, cert, center, rads, ktext):
    """A named family must live in Fix(H) and pass through the box at k."""
    try:
        fam = get_family(family)
    except InputError as exc:
        return f"the file names an unknown family ({exc})"
    if restricted_loss(fam.isotropy).H.label != R.H.label:
        return (f"family {fam.name} lives in Fix({restricted_loss(fam.isotropy).H.label}), "
                f"not in Fix({R.H.label})")
    if not cert.certified:
        return ""
    q = exact_k(ktext)
    try:
        with workdps(cert.dps):
            kk = int(q) if q.denominator == 1 else as_mpf(q)
            cp = fam.point(kk, dps=cert.dps, full_check=False)
            for x, c, r in zip(cp.xi, center, rads):
                xb = ARB.convert(+x)
                if not (bool(xb > c - arb(r)) and bool(xb < c + arb(r))):
                    return (f"the point of family {fam.name} at k = {ktext} is not in the box "
                            "(the certificate is about another critical point)")
    except (ConvergenceError, InputError) as exc:
        return f"the point of family {fam.name} at k = {ktext} could not be computed ({exc})"
    return ""


