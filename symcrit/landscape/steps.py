r"""One start and one step for every trainer: the initialisation of a run, the update rules
(gradient descent and Adam), and the one loop that runs many runs at once, vectorised,
with their stopping rules.  The training ensembles (:func:`~symcrit.landscape.train_runs`,
two and three layers) and the polishing of noisy end points
(:func:`~symcrit.landscape.descend`) all go through :func:`run_descent`.

**Initialisation.**  Each run has its own generator
``numpy.random.default_rng([seed, run])``, so any run can be reproduced alone.  Xavier/Glorot draws the first layer ``W`` (k × d) with
entries :math:`N(0, 2/(\text{fan-in}+\text{fan-out})) = N(0, 2/(d+k))` (:math:`1/d` for
k = d), He with :math:`N(0, 2/\text{fan-in}) = N(0, 2/d)`; a three-layer network draws its
second layer ``U`` (k × k) after ``W`` from the same generator, :math:`N(0, 1/k)` (Xavier)
or :math:`N(0, 2/k)` (He).

**Updates.**  Gradient descent :math:`\theta \leftarrow \theta - \eta\,g`; Adam (Kingma & Ba
2015, "Adam: a method for stochastic optimization", ICLR, arXiv:1412.6980)

.. math::

    m \leftarrow \beta_1 m + (1-\beta_1) g,\quad v \leftarrow \beta_2 v + (1-\beta_2) g^2,
    \quad \theta \leftarrow \theta - \eta\,\frac{m/(1-\beta_1^t)}{\sqrt{v/(1-\beta_2^t)}
    + \epsilon},

with :math:`\beta_1 = 0.9`, :math:`\beta_2 = 0.999`, :math:`\epsilon = 10^{-12}` and t the
run's own step count.

**The loop.**  At most ``width`` runs are stacked along a leading axis; every parameter,
gradient and optimiser moment carries it, so one batched matmul serves all of them.  When
a run stops, the next waiting run takes its slot (each run keeps its own step counter and
generator, so its result does not depend on which runs share its batch).  A run stops with
reason ``gradient`` (the exact gradient norm is below ``gtol``), ``max_iter`` or
``diverged`` (a gradient norm, or without an exact gradient a parameter, that is not
finite or exceeds :data:`BLOWUP`).  With an exact gradient the check costs
nothing extra (the gradient of the check is the gradient of the step) and is made every
step; with a sampled gradient it is made every ``check_every`` steps.

>>> import numpy as np
>>> from symcrit.landscape import ClosedForm, make_law
>>> cf = ClosedForm(make_law("gaussian", 3))
>>> task = ClosedFormTask(cf, 1e-10, lambda p: ([np.eye(3) * (1 + 0.1 * p)], None))
>>> final, steps, why = run_descent(task, 2, GradientDescent(0.5), max_iter=5000)
>>> why, float(np.abs(final[0] - np.eye(3)).max()) < 1e-9
(['gradient', 'gradient'], True)
"""
from __future__ import annotations

import contextlib

import numpy as np

from ..core import float_text
from .networks import minibatch_gradient

__all__ = ["REASONS", "BLOWUP", "initial_weights", "GradientDescent", "Adam", "update_rule",
           "DescentTask", "ClosedFormTask", "SampledTask", "run_descent", "gradient_norms",
           "matrix_text", "single_threaded_blas"]

#: why a run stopped
REASONS = ("gradient", "max_iter", "diverged")

#: a gradient norm (or, without an exact gradient, a parameter) above this has blown up:
#: the run is stopped as ``diverged`` (a ReLU loss is quadratic in W, so its gradient
#: grows like ‖W‖; squares of entries above ~1e154 overflow)
BLOWUP = 1e100


# ----------------------------------------------------------------------------- starts
def initial_weights(cfg, run):
    """The start of run ``run`` of the sweep ``cfg`` (see the module docstring).

    Parameters
    ----------
    cfg : TrainConfig
        Uses ``k``, ``d``, ``init`` (``xavier`` or ``he``), ``depth`` and ``seed``.
    run : int
        The run index.

    Returns
    -------
    W : ndarray, shape (k, d)
    U : ndarray, shape (k, k), or None
        The second layer (three layers only).
    rng : numpy.random.Generator
        The run's generator, after drawing the start (SGD draws its samples from it).

    Examples
    --------
    >>> from symcrit.landscape import TrainConfig
    >>> W, U, rng = initial_weights(TrainConfig(k=4, runs=1), 0)
    >>> W.shape, U, bool((W == initial_weights(TrainConfig(k=4, runs=1), 0)[0]).all())
    ((4, 4), None, True)
    """
    rng = np.random.default_rng([cfg.seed, run])
    var = 2.0 / (cfg.d + cfg.k) if cfg.init == "xavier" else 2.0 / cfg.d
    W = rng.standard_normal((cfg.k, cfg.d)) * np.sqrt(var)
    U = None
    if cfg.depth == 3:
        var_u = 1.0 / cfg.k if cfg.init == "xavier" else 2.0 / cfg.k
        U = rng.standard_normal((cfg.k, cfg.k)) * np.sqrt(var_u)
    return W, U, rng


def matrix_text(M):
    """A matrix as rows of decimal strings that read back to the same float64s.

    >>> matrix_text([[0.1, -2.0]])
    [['0.1', '-2.0']]
    """
    return [[float_text(x) for x in row] for row in M]


@contextlib.contextmanager
def single_threaded_blas():
    """Run BLAS on one thread inside the block (threadpoolctl).  The training loop's matrix
    products are small and batched, and runs are already spread over the cores by
    processes: a multi-threaded BLAS only contends with itself (at k = d = 100 a step was
    65× slower on a loaded two-core machine)."""
    from threadpoolctl import threadpool_limits
    with threadpool_limits(1, user_api="blas"):
        yield


# ----------------------------------------------------------------------------- updates
class GradientDescent:
    r"""The update :math:`\theta \leftarrow \theta - \eta g`, in place (the gradient
    buffers are overwritten).

    >>> P, G = [np.ones((1, 2, 2))], [np.full((1, 2, 2), 4.0)]
    >>> GradientDescent(0.25).update(P, G, [[]], np.ones((1, 1, 1)))
    >>> float(P[0][0, 0, 0])
    0.0
    """
    #: optimiser moments kept per parameter
    slots = 0

    def __init__(self, lr):
        self.lr = float(lr)

    def update(self, params, grads, state, t):
        """One step of every run: ``params`` and ``grads`` are lists of arrays with the
        runs on the leading axis; ``state`` holds ``slots`` arrays per parameter; ``t``
        is the step number of each run (counted from 1), broadcastable to the
        parameters."""
        for P, G in zip(params, grads):
            G *= self.lr
            P -= G


class Adam:
    r"""Adam (Kingma & Ba 2015, arXiv:1412.6980) with bias correction by each run's own
    step count (see the module docstring).

    >>> P, G = [np.zeros((1, 1, 1))], [np.ones((1, 1, 1))]
    >>> state = [[np.zeros((1, 1, 1)), np.zeros((1, 1, 1))]]     # (m, v) of the parameter
    >>> Adam(0.01).update(P, G, state, np.ones((1, 1, 1)))
    >>> round(float(P[0][0, 0, 0]), 12)                   # the first step is -lr sign(g)
    -0.01
    """
    slots = 2

    def __init__(self, lr, beta1=0.9, beta2=0.999, eps=1e-12):
        self.lr, self.beta1, self.beta2, self.eps = float(lr), beta1, beta2, eps

    def update(self, params, grads, state, t):
        """As :meth:`GradientDescent.update`; ``state`` holds the moments (m, v)."""
        b1, b2 = self.beta1, self.beta2
        for P, G, (m, v) in zip(params, grads, state):
            m *= b1
            m += (1 - b1) * G
            v *= b2
            v += (1 - b2) * G * G
            P -= self.lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + self.eps)


def update_rule(optimizer, lr):
    """The update of an optimiser name: ``gd`` and ``sgd`` step along the (exact or
    sampled) gradient, ``adam`` is :class:`Adam`.

    >>> type(update_rule("sgd", 0.1)).__name__, update_rule("adam", 0.01).lr
    ('GradientDescent', 0.01)
    """
    return Adam(lr) if optimizer == "adam" else GradientDescent(lr)


# ----------------------------------------------------------------------------- tasks
def gradient_norms(G):
    """The Frobenius norms of a batch of gradients (runs on the leading axis).

    >>> gradient_norms(np.ones((2, 3, 4))).tolist()
    [3.4641016151377544, 3.4641016151377544]
    """
    return np.sqrt(np.einsum("rkd,rkd->r", G, G))


def _gradient_check(cf, W, gtol):
    G = cf.gradient(W, copy=False)
    gn = gradient_norms(G)
    return ~(gn < BLOWUP), gn < gtol, G          # nan, inf or above BLOWUP: diverged


def _all_finite(params):
    ok = np.ones(len(params[0]), bool)
    for P in params:
        axes = tuple(range(1, P.ndim))
        ok &= np.isfinite(P).all(axis=axes) & (np.abs(P).max(axis=axes) < BLOWUP)
    return ok


class DescentTask:
    """What :func:`run_descent` needs to know about a problem.

    ``starts(p)`` returns the parameters of run ``p`` (a list of arrays) and its random
    generator (or None).  :meth:`check` returns, for the runs given, whether each diverged
    and whether each reached the gradient tolerance, and, when ``exact``, the gradient
    itself (then it is the gradient of the step, and the check is made every step);
    :meth:`gradient` gives the gradient of the step otherwise."""
    exact = False

    def __init__(self, starts, gtol):
        self.starts, self.gtol = starts, gtol
        self.rngs = {}

    def start(self, p):
        """The starting parameters of run ``p`` (a list of arrays); its random generator
        is kept in ``rngs[p]`` for the steps that sample."""
        params, self.rngs[p] = self.starts(p)
        return params

    def check(self, params, pos):
        """``(diverged, converged, gradient or None)`` for the runs at positions ``pos``."""
        raise NotImplementedError

    def gradient(self, params, pos):
        """The gradient of the step, a list of arrays like ``params``."""
        raise NotImplementedError


class ClosedFormTask(DescentTask):
    """Full-batch steps on a closed-form loss (:class:`~symcrit.landscape.ClosedForm`, one
    parameter ``W``): the gradient of the check is the gradient of the step."""
    exact = True

    def __init__(self, cf, gtol, starts):
        super().__init__(starts, gtol)
        self.cf = cf

    def check(self, params, pos):
        bad, conv, G = _gradient_check(self.cf, params[0], self.gtol)
        return bad, conv, [G]


class SampledTask(DescentTask):
    """Minibatch steps: ``batch`` fresh samples of ``law`` per step and run (from the run's
    own generator), the gradient of the network on them
    (:func:`~symcrit.landscape.networks.minibatch_gradient`).  With a closed form ``cf``
    the check is its exact gradient norm; without one, only divergence is detected."""

    def __init__(self, network, law, batch, starts, cf=None, gtol=None):
        super().__init__(starts, gtol)
        self.network, self.law, self.batch, self.cf = network, law, batch, cf

    def check(self, params, pos):
        if self.cf is not None:
            bad, conv, _ = _gradient_check(self.cf, params[0], self.gtol)
            return bad, conv, None
        return ~_all_finite(params), np.zeros(len(pos), bool), None

    def gradient(self, params, pos):
        X = np.stack([self.law.sample(self.rngs[p], (self.batch,)) for p in pos])
        return minibatch_gradient(self.network, params, X)


# ----------------------------------------------------------------------------- the loop
def run_descent(task, n, rule, max_iter, width=32, check_every=1):
    """Run ``n`` runs of ``task`` with the update ``rule``, at most ``width`` at a time.

    Parameters
    ----------
    task : DescentTask
        Starts, checks and gradients.
    n : int
        The runs, at positions ``0 … n-1`` (``task.starts(p)`` gives run p's start).
    rule : GradientDescent or Adam
        The update.
    max_iter : int
        Steps per run at most.
    width : int, optional
        Runs vectorised together.
    check_every : int, optional
        Steps between checks when the gradient is sampled (``task.exact`` False).

    Returns
    -------
    final : list of ndarray
        The end points, one array per parameter with the runs on the leading axis.
    steps : ndarray of int
        The steps each run took.
    reasons : list of str
        Why each stopped (:data:`REASONS`).
    """
    width = max(1, int(width))
    exact, check, update = task.exact, task.check, rule.update
    final, P, S = [], [], []
    iters = np.full(n, max_iter)
    reason = ["max_iter"] * n
    nxt = 0                                  # next waiting run
    act = np.empty(0, dtype=int)             # positions of the active runs
    steps = np.empty(0, dtype=int)           # steps each has taken
    while True:
        if len(act) < width and nxt < n:                   # fill the free slots
            new = np.arange(nxt, min(n, nxt + width - len(act)))
            nxt += len(new)
            fresh = [np.stack(x) for x in zip(*(task.start(int(p)) for p in new))]
            if not P:
                P = [np.empty((0,) + f.shape[1:]) for f in fresh]
                S = [[np.empty((0,) + f.shape[1:]) for _ in range(rule.slots)]
                     for f in fresh]
                final = [np.empty((n,) + f.shape[1:]) for f in fresh]
            P = [np.concatenate([a, f]) for a, f in zip(P, fresh)]
            S = [[np.concatenate([s, np.zeros_like(f)]) for s in ss]
                 for ss, f in zip(S, fresh)]
            act = np.concatenate([act, new])
            steps = np.concatenate([steps, np.zeros(len(new), dtype=int)])
        if not len(act):
            break
        at_max = steps >= max_iter
        G = None
        if exact:
            bad, conv, G = check(P, act)
        else:
            bad = np.zeros(len(act), bool)
            conv = np.zeros(len(act), bool)
            due = (steps % check_every == 0) | at_max
            if due.all():
                bad, conv, _ = check(P, act)
            elif due.any():
                idx = np.flatnonzero(due)
                bad[idx], conv[idx], _ = check([a[idx] for a in P], act[idx])
        done = bad | conv | at_max
        if done.any():
            for j in np.flatnonzero(done):
                p = act[j]
                for f, a in zip(final, P):
                    f[p] = a[j]
                iters[p] = steps[j]
                reason[p] = "diverged" if bad[j] else "gradient" if conv[j] else "max_iter"
            keep = ~done
            P = [a[keep] for a in P]
            S = [[s[keep] for s in ss] for ss in S]
            act, steps = act[keep], steps[keep]
            if G is not None:
                G = [g[keep] for g in G]
            if not len(act):
                if nxt < n:
                    continue
                break
        if G is None:
            G = task.gradient(P, act)
        update(P, G, S, (steps + 1)[:, None, None] if rule.slots else None)
        steps += 1
    return final, iters, reason
