r"""Certificates for a family at many k, at a cost per k that does not grow with k.

Along the sorted k the point of the family is not continued from its seed again.  It is
*predicted* by Lagrange extrapolation in k through the last (up to five) certified centres,

.. math::

    \tilde\xi(k) = \sum_i \ell_i(k)\, \xi(k_i), \qquad
    \ell_i(k) = \prod_{j \ne i} \frac{k - k_j}{k_i - k_j},

(weights in exact rational arithmetic), and *corrected* by the chord method in Arb
midpoints, :math:`x_{j+1} = x_j - Y F(x_j)` (:func:`symcrit.core.newton` with a fixed
inverse; Deuflhard, "Newton Methods for Nonlinear Problems", Springer 2004, §2.1), Y the
inverse of the Jacobian extrapolated the same way from the last three boxes (refreshed once
at the current point when convergence is slow).  Typically one gradient evaluation per k
suffices; the last step's Y and F are then exactly the Krawczyk preconditioner and the
residual of the certificate (:func:`~.certificate.choose_box`), so nothing is evaluated
twice.  Where this does not settle, the point is continued from the seed as in
:func:`~.certificate.certify`.

Long ranges run on a process pool: the sorted k are cut into contiguous chunks, each
warm-started on its own; Arb balls cross process boundaries exactly (midpoint and radius as
mantissa–exponent pairs).

>>> [c.status for c in certify_family("type-A", [5, 6, 7])]
['saddle', 'minimum', 'minimum']
"""
from __future__ import annotations

import copyreg
import logging
import math
import os
import time
from dataclasses import dataclass

import mpmath
from flint import arb, arb_mat, ctx, fmpz

from ..core import (ARB, ConvergenceError, SymcritError, check_dps, dec, exact_k,
                    k_text, lagrange_weights, newton, working_dps, workdps)
from ..critical import Family, get_family
from ..restricted import restricted_loss
from ..spectra import hessian_blocks
from ..symmetry import isotypic_decomposition
from .balls import arb_column, k_ball, mid_inverse
from .certificate import RADII, Certificate, certify, choose_box, family_k

__all__ = ["certify_family", "MIN_CHUNK"]

log = logging.getLogger(__name__)


# Arb balls cross process boundaries exactly: midpoint and radius as (mantissa, exponent)
def _arb_reduce(x):
    m, e = x.mid().man_exp()
    r, f = x.rad().man_exp()
    return _arb_rebuild, (int(m), int(e), int(r), int(f))


def _arb_rebuild(m, e, r, f):
    old = ctx.prec
    ctx.prec = max(old, abs(m).bit_length() + 8, 64)     # the midpoint exactly
    try:
        return arb(arb(fmpz(m)) * arb(2) ** e, arb(fmpz(r)) * arb(2) ** f)
    finally:
        ctx.prec = old


def _arb_mat_reduce(M):
    return arb_mat, ([[M[i, j] for j in range(M.ncols())] for i in range(M.nrows())],)


copyreg.pickle(arb, _arb_reduce)
copyreg.pickle(arb_mat, _arb_mat_reduce)


def certify_family(family, ks, dps=30, blocks=True, progress=None, workers=None):
    """Certify a family at many k, returning certificates in the order of ``ks``.

    Parameters
    ----------
    family : str or Family
    ks : list
        Values of k (int, decimal text, Fraction, float or mpf; read exactly).
    dps : int
        Digits asked for (see :func:`~.certificate.certify_point`).
    blocks : bool
        Also certify the type.
    progress : callable, optional
        Called with each certificate as it is made (in a parallel run too, one at a time,
        in the order they finish).
    workers : int, optional
        Processes; default: the local cores (at most 8) for 400 values of k or more,
        else one.  The sorted k are cut into contiguous chunks (at least
        :data:`MIN_CHUNK` values each), each warm-started on its own.  Ctrl-C stops the
        workers at once: the KeyboardInterrupt propagates, and every certificate
        finished by then has been passed to ``progress``.

    Returns
    -------
    list of Certificate

    Raises
    ------
    InputError
        An unknown family, a bad k or ``dps``, or a k below the family's range.

    Examples
    --------
    >>> cs = certify_family("type-A", ["5.5", 6, "6.5"])
    >>> [(c.k, c.status) for c in cs]
    [('5.5', 'saddle'), ('6', 'minimum'), ('6.5', 'minimum')]
    """
    fam = family if isinstance(family, Family) else get_family(family)
    dps = check_dps(dps)
    if workers is None:
        workers = min(os.cpu_count() or 1, 8) if len(ks) >= 400 else 1
    if workers > 1 and len(ks) >= 2 * workers:
        return _certify_parallel(fam, ks, dps, blocks, progress, workers)
    R = restricted_loss(fam.isotropy)
    texts, order = _sorted_texts(fam, ks)
    out = [None] * len(texts)
    hist = []                       # (k float, [mpf xi]) of the last centres
    jhist = []                      # (k float, midpoint of J(X)) of the last boxes
    for idx in order:
        ktext = texts[idx]
        kq = exact_k(ktext)
        t0 = time.perf_counter()
        work = working_dps(dps, float(kq))
        cert = better = None
        if hist and jhist and not fam.exact:
            with workdps(work):
                Y = mid_inverse(_predict_matrix(jhist, float(kq)))
                if Y is not None:
                    cert, better = _warm(R, fam, ktext, kq, hist, work, blocks, t0, Y)
        if cert is None:
            cert = certify(fam, ktext, dps=dps, blocks=blocks)
        hist = [h for h in hist if h[0] != float(kq)]
        jhist = [h for h in jhist if h[0] != float(kq)]
        if cert.exists:
            with workdps(work):
                hist.append((float(kq), better or [mpmath.mpf(c) for c in cert.center]))
                if cert.jacobian is not None:
                    jhist.append((float(kq), cert.jacobian.mid()))
        else:
            hist, jhist = [], []
        hist, jhist = hist[-5:], jhist[-3:]
        out[idx] = cert
        if progress:
            progress(cert)
    return out


def _sorted_texts(fam, ks):
    """The exact texts of the k and their order by size; the smallest checked against
    the family's range (before any work)."""
    texts = [k_text(k) for k in ks]
    order = sorted(range(len(texts)), key=lambda i: exact_k(texts[i]))
    for i in order[:1]:
        family_k(fam, texts[i])
    return texts, order


#: the fewest values of k in one chunk of a parallel run (each chunk starts cold, from the
#: family's seed: about ten warm-started certificates' worth of work)
MIN_CHUNK = 16

#: the queue a worker of a parallel run sends its certificates through, one at a time
_results = None


def _init_worker(queue):
    """A worker of :func:`_certify_parallel`: Ctrl-C is for the parent (which stops the
    workers itself), the results go to ``queue``."""
    import signal
    global _results
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _results = queue


def _certify_chunk(args):
    """Certify one contiguous chunk of the sorted k (warm-started along it), sending each
    certificate to the parent as soon as it is made (with its place in the caller's list)."""
    family, indices, ks, dps, blocks = args
    place = iter(indices)

    def send(cert):
        cert.jacobian = None          # large, and only needed here, for the next warm start
        _results.put((next(place), cert))
    certify_family(family, ks, dps=dps, blocks=blocks, workers=1, progress=send)
    return len(ks)


def _compile_before_fork(fam):
    """Derive and compile what every certificate of the family uses (its restricted loss
    and the isotypic blocks' loss and layout) once, here, so that forked workers inherit
    it: one float evaluation of the Hessian blocks at the family's seed, and the
    straight-line Arb code of both losses (:meth:`RestrictedLoss.straight_line
    <symcrit.restricted.RestrictedLoss.straight_line>`), which each worker would otherwise
    trace on its own."""
    restricted_loss(fam.isotropy).compile().straight_line()
    try:
        hessian_blocks(fam.isotropy, fam.seed, fam.seed_k, system="float")
        restricted_loss(isotypic_decomposition(fam.isotropy).k_spec).straight_line()
    except (SymcritError, ArithmeticError, ValueError):
        pass                          # each worker then compiles on its own


def _certify_parallel(fam, ks, dps, blocks, progress, workers):
    """Contiguous chunks of the sorted k on a process pool (fork: the compiled restricted
    losses are inherited); results in the order of ``ks``.

    Each certificate comes back through a queue as soon as it is made, so ``progress``
    moves one certificate at a time; Ctrl-C (KeyboardInterrupt in this process) stops the
    workers at once (they ignore SIGINT themselves) and propagates, the certificates made
    until then having been passed to ``progress``."""
    import multiprocessing as mp
    import queue as queue_module
    texts, order = _sorted_texts(fam, ks)
    size = max(MIN_CHUNK, -(-len(order) // (workers * 4)))
    chunks = [order[i:i + size] for i in range(0, len(order), size)]
    _compile_before_fork(fam)
    out = [None] * len(texts)
    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
    results = ctx.Queue()
    log.info("certify %s: %d values of k in %d chunks on %d processes", fam.name,
             len(texts), len(chunks), workers)
    pool = ctx.Pool(min(workers, len(chunks)), initializer=_init_worker,
                    initargs=(results,))
    try:
        done = pool.map_async(_certify_chunk,
                              [(fam.name if fam.builtin else fam, ch, [texts[i] for i in ch],
                                dps, blocks) for ch in chunks], chunksize=1)
        received = 0
        while received < len(texts):
            try:
                i, cert = results.get(timeout=0.1)
            except queue_module.Empty:
                if done.ready() and not done.successful():
                    done.get()                  # raises the worker's exception
                continue
            out[i] = cert
            received += 1
            if progress:
                progress(cert)
        pool.close()
    except BaseException:
        pool.terminate()                        # Ctrl-C or a failure: stop now
        log.info("certify %s: stopped with %d of %d values of k done", fam.name,
                 sum(c is not None for c in out), len(texts))
        raise
    finally:
        pool.join()
    return out


def _predict_matrix(jhist, kf):
    """The Jacobian at k extrapolated from the last boxes' midpoints: its inverse is a good
    Krawczyk preconditioner Y for the next k."""
    ws = lagrange_weights([k for k, _ in jhist], kf)
    M = None
    for w, (_, J) in zip(ws, jhist):
        t = J * ARB.convert(+w)
        M = t if M is None else M + t
    return M


def _predict(hist, kf):
    """Lagrange extrapolation in k through the last (up to five) centres."""
    pts = hist[-5:]
    ws = lagrange_weights([k for k, _ in pts], kf)
    return [mpmath.fsum(w * xi[p] for w, (_, xi) in zip(ws, pts))
            for p in range(len(pts[0][1]))]


@dataclass
class _Chord:
    """One chord-Newton evaluation: the centre (texts and balls), F there, the inverse Y in
    use, the step Y F, its size relative to the centre, and the step as mpf midpoints."""
    ctext: list
    center: list
    F: list
    Y: object
    step: object
    rel: float
    delta: list


def _warm(R, fam, ktext, kq, hist, work, blocks, t0, Y):
    """Chord-Newton in Arb midpoints from the predicted point with the inverse Y of the
    extrapolated Jacobian (:func:`symcrit.core.newton`; refreshed once when the steps
    shrink by less than 20×), then the checks on the last centre.  Returns the
    certificate and the point after one more chord step (for the predictor), or
    ``(None, None)`` when it does not settle.

    The iterates are mpf at the working precision and the centres their texts to
    ``work + 5`` digits, which read back exactly: the centre is the iterate."""
    kb = k_ball(ktext)
    digits = work + 5
    rels, state = [], {"Y": Y, "refreshed": False}

    def evaluate(x):
        ctext = [dec(v, digits) for v in x]
        center = [arb(c) for c in ctext]
        if len(rels) >= 2 and not state["refreshed"] and rels[-1] > 0.05 * rels[-2]:
            state["refreshed"] = True            # slow: the Jacobian inverse here
            _, F, J = R.evaluate(center, kb, None, system="arb", order=2)
            state["Y"] = mid_inverse(J)
            if state["Y"] is None:
                raise ConvergenceError("singular Jacobian")
        else:
            _, F = R.evaluate(center, kb, None, system="arb", order=1)
        step = state["Y"] * arb_column(F)
        rel = max(float(abs(step[i, 0]).upper()) / max(abs(float(c.mid())), 1e-300)
                  for i, c in enumerate(center))
        rels.append(rel)
        if rel > 1e-2:
            raise ConvergenceError("the predicted point is too far from the family")
        delta = [mpmath.mpf(step[i, 0].mid().str(digits, radius=False))
                 for i in range(len(center))]
        return _Chord(ctext, center, F, state["Y"], step, rel, delta), None, None

    try:
        res = newton(evaluate, _predict(hist, float(kq)),
                     math.nextafter(RADII[0] * 1e-2, 0), maxsteps=9, diverge=1,
                     solve=lambda J, it: it.delta, residual=lambda it: it.rel)
    except ConvergenceError:
        return None, None
    it = res.F
    rads, check = choose_box(R, it.center, kb, None, it.F, it.Y, None, 1e-8, blocks,
                             ktext)
    if not check.exists:
        return None, None
    # the centre after this last (unevaluated) chord step: far more accurate than the
    # centre, it is what the next k's predictor extrapolates from
    better = [mpmath.mpf(c) - s for c, s in zip(it.ctext, it.delta)]
    return Certificate.from_check(R, ktext, check, center=it.ctext, radii=rads, dps=work,
                                  family=fam.name, t0=t0), better
