r"""Boxes around a critical point: the Krawczyk test (a unique zero of the restricted
gradient in the box) and the smooth-set check (the box avoids the points where the loss is
not analytic).

**Existence and uniqueness** (Krawczyk 1969, "Newton-Algorithmen zur Bestimmung von
Nullstellen mit Fehlerschranken", Computing 4, doi:10.1007/BF02234758; Moore 1977, "A test
for existence of solutions to nonlinear systems", SIAM J. Numer. Anal. 14; Rump 1983,
"Solving algebraic problems with high accuracy", in *A New Approach to Scientific
Computation*; Moore, Kearfott & Cloud, "Introduction to Interval Analysis", SIAM 2009,
§8.2).  For :math:`F = \nabla_\xi L_H(\cdot; k)` on Fix(H), the box
:math:`X = \tilde\xi + [-r, r]`, F evaluated in Arb at the *point* :math:`\tilde\xi` (decimal
strings read into balls that contain them), an Arb enclosure :math:`J(X)` of the Jacobian of
F (the restricted Hessian) over the *whole box* (ball inputs with the box radii, so it
contains the Jacobian at every point of X), and any matrix Y (the floating inverse of the
Jacobian's midpoint at :math:`\tilde\xi`),

.. math::

    K(X) = \tilde\xi - Y F(\tilde\xi) + (I - Y J(X))(X - \tilde\xi)
    \subset \operatorname{int} X

proves that F has exactly one zero in X, and that it lies in K(X) (strict inclusion also
proves Y and every matrix of J(X) nonsingular: Rump 1983).  The test asks for K(X) strictly
inside the nominal box itself (not only its slightly larger ball enclosure).

**Symmetric criticality** (Palais 1979, "The principle of symmetric criticality", Comm.
Math. Phys. 69).  :math:`L_H(\xi) = L(W(\xi))` with W(ξ) = Bξ linear, B of full column rank
onto Fix(H), so :math:`\nabla_\xi L_H = B^\top \nabla L(W(\xi))`.  H acts by orthogonal maps
(permutations of entries) under which L is invariant, so
:math:`\nabla L(W) \in \mathrm{Fix}(H) = \mathrm{range}(B)` at W ∈ Fix(H): writing
:math:`\nabla L = Bc`, :math:`B^\top B c = 0` forces c = 0.  Hence
:math:`\nabla_\xi L_H = 0 \iff \nabla L = 0`: the zero is a critical point of L on all of
M(k, d) (for integer k; for real k the statements are about the analytic continuation in k
of :math:`L_H`, the only meaning real k has).

**The non-smooth set.**  L is analytic away from zero rows and from pairs of parallel or
anti-parallel rows (student–student and student–teacher); there it is C² but not C³ and its
Hessian is a limit.  Over the box every squared norm :math:`g_{uu}` is proved positive and
:math:`g_{uv}^2 < g_{uu}g_{vv}` (:math:`\sin^2\theta > 0`, the cosine strictly inside
(−1, 1)) is proved for every pair type of rows
(:meth:`~symcrit.restricted.RestrictedLoss.pair_gram`): every pair of rows of W(ξ) is of one
of these types, for every ξ in the box.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from flint import arb, arb_mat

from .balls import arb_column, arb_matrix, mid_inverse

__all__ = ["KrawczykResult", "krawczyk", "smooth_set_check"]


@dataclass
class KrawczykResult:
    """The outcome of one Krawczyk test.

    Attributes
    ----------
    ok : bool
        K(X) lies strictly inside X and inside the nominal box: one zero, in K(X).
    X, K : list of arb
        The box and its image (None when the Jacobian at the centre is singular).
    contraction : float
        An upper bound of :math:`\\|I - Y J(X)\\|_\\infty`.
    step_ratio : float
        The Newton step :math:`|Y F(\\tilde\\xi)|` relative to the radii (largest entry).
    reason : str
        Why the test failed ("" when ``ok``).
    J : arb_mat
        The Jacobian enclosure J(X) over the box.
    loss : arb
        The loss enclosure over the box.
    """
    ok: bool
    X: list
    K: list
    contraction: float
    step_ratio: float
    reason: str = ""
    J: object = None
    loss: object = None


def krawczyk(R, center, radii, k, d=None, FY=None):
    r"""The Krawczyk test for :math:`\nabla_\xi L_H = 0` on the box ``center ± radii``.

    F is evaluated at the (tiny) centre balls, the Jacobian J(X) over the whole box X, both
    for every k in the ball ``k``.  ``ok`` proves exactly one zero in X, lying in K(X)
    (Krawczyk 1969, doi:10.1007/BF02234758; Moore, Kearfott & Cloud 2009, Thm 8.2;
    uniqueness from the strict inclusion: Rump 1983); it also requires K(X) to lie strictly
    inside the nominal box ``center ± radii`` itself, not only inside its (slightly larger)
    enclosure X, so the zero is in the box a certificate names.

    Parameters
    ----------
    R : RestrictedLoss
        :func:`symcrit.restricted.restricted_loss` of the isotropy group.
    center : list of arb
        The centre (thin or tiny balls).
    radii : list
        Non-negative numbers, decimal strings or balls.
    k, d : arb
        Balls of k (and d, when the group involves it).
    FY : tuple, optional
        ``(F(center), Y)`` if already computed; otherwise F and the Jacobian are evaluated
        at the centre and Y is the (floating, stored exactly) inverse of its midpoint.

    Returns
    -------
    KrawczykResult

    Examples
    --------
    >>> from symcrit.core import workdps, dec
    >>> from symcrit.critical import get_family
    >>> from symcrit.restricted import restricted_loss
    >>> R = restricted_loss("ΔS_{k-1}")
    >>> with workdps(40):
    ...     cp = get_family("type-A").point(12, dps=40)
    ...     c = [arb(dec(x, 45)) for x in cp.xi]
    ...     res = krawczyk(R, c, ["1e-20"] * 5, arb(12))
    >>> res.ok, res.contraction < 1e-15
    (True, True)
    >>> with workdps(40):
    ...     krawczyk(R, c, ["0.5"] * 5, arb(12)).ok                  # far too large a box
    False
    """
    n = len(center)
    if FY is None:
        _, F, J0 = R.evaluate(center, k, d, system="arb", order=2)
        Y = mid_inverse(J0)
        if Y is None:
            return KrawczykResult(False, None, None, math.inf, math.inf,
                                  "the Jacobian at the centre is singular")
    else:
        F, Y = FY
    X = [c + arb(0, r if isinstance(r, (arb, str)) else arb(r)) for c, r in zip(center, radii)]
    L, _, JX = R.evaluate(X, k, d, system="arb", order=2)
    JX = arb_matrix(JX)
    Cm = arb_mat([[int(i == j) for j in range(n)] for i in range(n)]) - Y * JX
    D = arb_column([x - c for x, c in zip(X, center)])
    step = Y * arb_column(F)
    K = (arb_column(center) - step + Cm * D).entries()
    contraction = max(sum(float(abs(Cm[i, j]).upper()) for j in range(n)) for i in range(n))
    rad = [float(arb(r).upper()) if not isinstance(r, arb) else float(r.upper())
           for r in radii]
    ratio = max((float(abs(step[i, 0]).upper()) / rad[i]) if rad[i] > 0 else math.inf
                for i in range(n))
    # K(X) inside the interior of the computed balls X (which contain the nominal box
    # centre ± radius) proves one zero in X; K(X) strictly inside the nominal box (its
    # ends enclosed by balls) puts that zero in the box the certificate names.
    R_ = [r if isinstance(r, arb) else arb(r) for r in radii]
    bad = [i for i in range(n) if not (X[i].contains_interior(K[i])
                                       and bool(K[i] > center[i] - R_[i])
                                       and bool(K[i] < center[i] + R_[i]))]
    if not bad:
        return KrawczykResult(True, X, K, contraction, ratio, "", JX, L)
    i = bad[0]
    if contraction >= 1:
        why = (f"‖I − Y J(X)‖ ≥ {contraction:.3g} (the box is too large for the Jacobian "
               "enclosure to contract)")
    else:
        why = f"contraction {contraction:.3g}, Newton step {ratio:.3g} × radius"
    reason = (f"Krawczyk test failed: K(X) is not inside the interior of X in coordinate "
              f"{R.fixed.names[i]} ({why})")
    return KrawczykResult(False, X, K, contraction, ratio, reason, JX, L)


def smooth_set_check(R, X, k, d=None):
    r"""Prove that the box X avoids the non-smooth set of the full loss.

    For every pair type with non-zero multiplicity: :math:`g_{uu} > 0` and
    :math:`g_{vv} > 0` (no zero row) and, unless the two rows are the same row,
    :math:`g_{uu}g_{vv} - g_{uv}^2 > 0` (not parallel, not anti-parallel).  Two distinct
    rows that are equal throughout Fix(H) put every point on the non-smooth set.

    Parameters
    ----------
    R : RestrictedLoss
    X : list of arb
        The box.
    k, d : arb
        Balls of k (and d).

    Returns
    -------
    ok : bool
    reason : str
        Why the check failed ("" when ``ok``).
    margin : arb or None
        A lower bound of the smallest :math:`\sin^2\theta` over the pair types.

    Examples
    --------
    >>> from symcrit.restricted import restricted_loss
    >>> R = restricted_loss("ΔS_k")
    >>> smooth_set_check(R, [arb("0.9", "1e-10"), arb("0.05", "1e-10")], arb(5))[0]
    True
    >>> ok, why, _ = smooth_set_check(R, [arb(1), arb(0)], arb(5))   # W = I: v_i ∥ w_i
    >>> ok, why
    (False, 'the box meets the non-smooth set: pair type student0-teacher0 matched may be parallel or anti-parallel (g_uv² < g_uu g_vv not proven)')
    """
    margin = None
    for label, w, guu, gvv, guv, ident in R.pair_gram(X, k, d, system="arb"):
        if isinstance(w, arb) and w.is_zero():
            continue
        if not all(isinstance(g, arb) and g.is_finite() for g in (guu, gvv, guv)):
            return (False, f"the Gram entries of pair type {label} could not be enclosed "
                    "over the box", None)
        if not (guu > 0 and gvv > 0):
            return (False, f"the box meets the non-smooth set: pair type {label} may have "
                    "a zero row", None)
        if ident:
            if label.endswith("self"):
                continue
            return (False, f"W has equal rows ({label}): every point of Fix(H) lies on the "
                    "non-smooth set", None)
        s2 = (guu * gvv - guv * guv) / (guu * gvv)
        if not s2 > 0:
            return (False, f"the box meets the non-smooth set: pair type {label} may be "
                    "parallel or anti-parallel (g_uv² < g_uu g_vv not proven)", None)
        lo = s2.lower()
        margin = lo if margin is None or lo < margin else margin
    return True, "", margin
