r"""The four function-preserving embeddings of a network into a wider one, and whether each
preserves stationarity and local minimality at a given point.

For a network θ with m neurons, each embedding gives a network with more neurons and the
same function (so the same residuals :math:`r_n`):

* **zero neuron**: add (h, w) = (0, 0);
* **inactive unit**: add (0, w) for a given w;
* **inactive propagation**: add (h, 0) for a given h;
* **unit replication**: replace neuron j by copies :math:`(\lambda_l h_j/\alpha_l,\;
  \alpha_l w_j)` with :math:`\sum_l \lambda_l = 1` and :math:`\alpha_l > 0` (positive
  homogeneity); the usual form is two copies :math:`(\lambda h_j, w_j)`,
  :math:`((1-\lambda) h_j, w_j)`.

The answer to "does it preserve stationarity / local minimality here" is the escape-neuron
analysis of the embedded point (:func:`symcrit.finite.escape.analyse`), and it is checked
against the conditions of arXiv:2402.05626 (Section 5), written with the quantities of the
*original* point only — :math:`d(w)`, the one-sided derivative :math:`D_w` of d at w and
:math:`D_0(u) = 2c\sum_n r_n \rho(u\cdot x_n)`:

============================ ======================================== ===================================================
embedding                     stationary after ⇔ stationary before and  new escape neuron ⇔
============================ ======================================== ===================================================
zero neuron                   (always)                                  :math:`D_0 \not\equiv 0`
inactive unit (0, w)          d(w) = 0                                  :math:`D_w \not\equiv 0`
inactive propagation (h, 0)   :math:`h\cdot D_0(u) \ge 0` for all u     some u: :math:`D_0(u) \ne 0 = h\cdot D_0(u)`
replication of j              all :math:`\lambda_l \ge 0`, or           j is one, or some :math:`\lambda_l = 0` and
                              :math:`h_j\cdot D_j \equiv 0`             :math:`D_j \not\equiv 0`
============================ ======================================== ===================================================

and the embedded point is a local minimum when it is stationary without escape neurons,
not one when it has an escape neuron and scalar output (undecided with vector output).

>>> from symcrit.finite import Dataset, Network
>>> ds = Dataset.from_arrays([[1, 0], [0, 1]], [[1], [0]])
>>> net = Network.from_arrays([[1, 0]], [[1]], exact=True)       # a global minimum
>>> rep = embedding_report(net, ds, "replicate", neuron=0, lambdas=["1/3", "2/3"])
>>> rep["preserves_stationarity"], rep["preserves_local_minimum"], rep["agrees"]
(True, True, True)
"""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from ..core import InputError
from .data import parse_number
from .escape import analyse, neuron_margin
from .network import Network, predict
from .stationarity import exact_cone_test, lp_cone_test, probe_neuron

__all__ = ["EMBEDDINGS", "embed", "embedding_report", "paper_conditions"]

#: the embeddings, by name
EMBEDDINGS = ("zero", "inactive-unit", "inactive-propagation", "replicate")


def _vec(v, n, exact, what):
    if v is None:
        raise InputError(f"the embedding needs {what}")
    if isinstance(v, str):
        v = v.split(",")
    v = list(v)
    if len(v) != n:
        raise InputError(f"{what} must have {n} entries, got {len(v)}")
    out = []
    for x in v:
        if isinstance(x, (str, int, Fraction)):
            q = parse_number(x, what) if isinstance(x, str) else Fraction(x)
        else:
            if not math.isfinite(float(x)):
                raise InputError(f"{what}: not a finite number")
            q = Fraction(float(x))
        out.append(q if exact else float(q))
    return out


def _replication(net, neuron, lambdas, alphas):
    if neuron is None or not (0 <= int(neuron) < net.m):
        raise InputError(f"replication needs a neuron index 0..{net.m - 1}")
    lam = _vec(lambdas if lambdas is not None else ["1/2", "1/2"],
               len(lambdas) if lambdas is not None else 2, True, "the weights λ")
    if len(lam) < 2:
        raise InputError("replication needs at least two weights λ")
    if sum(lam) != 1:
        raise InputError(f"the weights λ must add up to 1, they add up to {sum(lam)}")
    al = _vec(alphas if alphas is not None else [1] * len(lam), len(lam), True,
              "the scales α")
    if any(a <= 0 for a in al):
        raise InputError("the scales α must be positive")
    return int(neuron), lam, al


def embed(net, kind, w=None, h=None, neuron=None, lambdas=None, alphas=None):
    """The embedded network (the new neurons are appended; a replicated neuron's copies
    replace it and follow it).

    Parameters
    ----------
    net : Network
    kind : str
        One of :data:`EMBEDDINGS`.
    w, h : sequence, optional
        The input weights of an inactive unit, the output weights of an inactive
        propagation.
    neuron : int, optional
        The neuron to replicate.
    lambdas, alphas : sequence, optional
        Replication weights (sum 1; default 1/2, 1/2) and positive scales (default 1).

    Raises
    ------
    InputError
        Unknown kind, missing or mis-shaped arguments, λ not summing to 1, α ≤ 0.

    Examples
    --------
    >>> net = Network.from_arrays([[1, 0]], [[2]], exact=True)
    >>> embed(net, "replicate", neuron=0, lambdas=["1/4", "3/4"], alphas=[1, 2]).H.tolist()
    [[Fraction(1, 2)], [Fraction(3, 4)]]
    """
    ex = net.exact
    zero = Fraction(0) if ex else 0.0
    W, H = [list(r) for r in net.W], [list(r) for r in net.H]
    if kind == "zero":
        W.append([zero] * net.d)
        H.append([zero] * net.d_out)
    elif kind == "inactive-unit":
        W.append(_vec(w, net.d, ex, "the input weights w"))
        H.append([zero] * net.d_out)
    elif kind == "inactive-propagation":
        W.append([zero] * net.d)
        H.append(_vec(h, net.d_out, ex, "the output weights h"))
    elif kind == "replicate":
        j, lam, al = _replication(net, neuron, lambdas, alphas)
        cw = [[a * x if ex else float(a) * x for x in W[j]] for a in al]
        ch = [[(l / a) * x if ex else float(l / a) * x for x in H[j]] for l, a in zip(lam, al)]
        W = W[:j] + cw + W[j + 1:]
        H = H[:j] + ch + H[j + 1:]
    else:
        raise InputError(f"unknown embedding {kind!r}: one of {', '.join(EMBEDDINGS)}")
    return Network.from_arrays(W, H, net.activation, ex)


def _D_zero(loc, exact, tol):
    """D ≡ 0 for a probe neuron (its margin is infinite exactly then)."""
    return neuron_margin(loc, exact, tol)[0] == math.inf


def paper_conditions(net, data, kind, before, w=None, h=None, neuron=None, lambdas=None,
                     alphas=None, tol=1e-9, kink_tol=1e-9):
    """The predicted (stationary, new escape neuron, local minimum) after the embedding,
    from the original point only (the table of the module docstring).

    ``before`` is :func:`~symcrit.finite.escape.analyse` of ``net``.
    """
    exact = before.certainty == "exact"
    st0 = before.d_stationary
    esc0 = bool(before.escape_neurons)
    zero_w = [0] * net.d
    if kind == "zero":
        p = probe_neuron(net, data, zero_w, [0] * net.d_out, kink_tol)
        stat, new = st0, not _D_zero(p, exact, tol)
    elif kind == "inactive-unit":
        p = probe_neuron(net, data, _vec(w, net.d, exact, "w"), [0] * net.d_out, kink_tol)
        d_ok = all(x == 0 for x in p.d_w) if exact else float(np.abs(p.d_w).max()) <= tol
        stat, new = st0 and d_ok, not _D_zero(p, exact, tol)
    elif kind == "inactive-propagation":
        p = probe_neuron(net, data, zero_w, _vec(h, net.d_out, exact, "h"), kink_tol)
        cone_ok = exact_cone_test(p)[0] if exact else lp_cone_test(p, tol)[0]
        stat = st0 and bool(cone_ok)
        new = bool(cone_ok) and neuron_margin(p, exact, tol)[2]
    elif kind == "replicate":
        j, lam, _ = _replication(net, neuron, lambdas, alphas)
        pj = probe_neuron(net, data, list(net.W[j]), list(net.H[j]), kink_tol)
        hD_zero = _phi_zero(pj, exact, tol)
        stat = st0 and (all(x >= 0 for x in lam) or hD_zero)
        esc_j = j in before.escape_neurons
        new = esc_j or (any(x == 0 for x in lam) and not _D_zero(pj, exact, tol))
    else:
        raise InputError(f"unknown embedding {kind!r}: one of {', '.join(EMBEDDINGS)}")
    if not stat:
        lm = False
    elif not (esc0 or new):
        lm = True
    else:
        lm = False if data.d_out == 1 else None
    return {"stationary": bool(stat), "new_escape_neuron": bool(new), "local_minimum": lm}


def _phi_zero(loc, exact, tol):
    """h·D ≡ 0: φ ≥ 0 and −φ ≥ 0 (both cone tests)."""
    if exact:
        ok = exact_cone_test(loc)[0]
    else:
        ok = lp_cone_test(loc, tol)[0]
    neg = type(loc)(**{**loc.__dict__, "h": -loc.h})
    return bool(ok and (exact_cone_test(neg)[0] if exact else lp_cone_test(neg, tol)[0]))


def embedding_report(net, data, kind, exact=None, tol=1e-9, kink_tol=1e-9, **kw):
    """Embed, analyse before and after, and compare with :func:`paper_conditions`.

    Returns
    -------
    dict
        ``kind``, ``function_preserved``, ``stationary_before/after``,
        ``local_minimum_before/after``, ``escape_neurons_after``,
        ``preserves_stationarity``, ``preserves_local_minimum`` (True, False or None),
        ``predicted`` (the paper's conditions) and ``agrees``.
    """
    exact = net.exact if exact is None else bool(exact)
    net = net.to_exact() if exact and not net.exact else (net.to_float() if not exact and
                                                          net.exact else net)
    new = embed(net, kind, **kw)
    before = analyse(net, data, tol=tol, kink_tol=kink_tol, clarke=False)
    after = analyse(new, data, tol=tol, kink_tol=kink_tol, clarke=False)
    f0, f1 = predict(net, data), predict(new, data)
    same = bool((f0 == f1).all()) if exact else bool(np.allclose(f0, f1, rtol=0, atol=1e-12))
    pred = paper_conditions(net, data, kind, before, tol=tol, kink_tol=kink_tol, **kw)
    new_esc = [i for i in after.escape_neurons]
    pres_lm = (None if before.local_minimum is not True or after.local_minimum is None
               else after.local_minimum)
    agrees = (pred["stationary"] == after.d_stationary
              and pred["local_minimum"] == after.local_minimum)
    return {"kind": kind, "certainty": after.certainty, "function_preserved": same,
            "m_before": net.m, "m_after": new.m,
            "stationary_before": before.d_stationary, "stationary_after": after.d_stationary,
            "local_minimum_before": before.local_minimum,
            "local_minimum_after": after.local_minimum,
            "escape_neurons_after": new_esc,
            "preserves_stationarity": (after.d_stationary if before.d_stationary else None),
            "preserves_local_minimum": pres_lm,
            "predicted": pred, "agrees": bool(agrees), "network": new, "after": after}
