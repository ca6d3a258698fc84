r"""Training ensembles for the teacher–student problem: many independent runs of gradient
descent on the closed-form loss, SGD on fresh samples, or Adam, vectorised over runs.

The student :math:`f(x; W) = \sum_i \sigma(w_i\cdot x)` (k neurons, inputs in
:math:`R^d`) is fitted to the teacher :math:`V = I_d` (d neurons) — the setting of Safran &
Shamir (2018, "Spurious local minima are common in two-layer ReLU neural networks", ICML,
arXiv:1712.08968) and Arjevani & Field (2021, "Analytic study of families of spurious
minima in two-layer ReLU neural networks: a tale of symmetry II", NeurIPS,
arXiv:2107.10370) — under a law of the inputs (:mod:`symcrit.landscape.laws`); or a
three-layer student (:class:`~symcrit.landscape.networks.ThreeLayer`).  Starts, updates
and the vectorised loop are those of :mod:`symcrit.landscape.steps`.

Optimisers: ``gd`` — full-batch gradient descent on the closed-form loss,
:math:`W \leftarrow W - \eta\nabla L(W)`, default step :math:`\eta = 1/\hat\lambda`
(:func:`default_lr`): :math:`\hat\lambda` is the largest Hessian eigenvalue at the global
minimum and at three Xavier starts (power iteration), so :math:`\eta\lambda_{\max}\approx 1`
along the runs — every Hessian direction decays monotonically, well inside the stability
bound 2 (a test checks it with dense Hessians).  For Gaussian ReLU with k = d,
:math:`\lambda_{\max}\approx(k+4)/4` (measured for k = 6…40); a covariance Σ multiplies it
by about :math:`\lambda_{\max}(\Sigma)` (the kernel lives in Σ's inner product);
``sgd`` — minibatches of ``batch`` fresh samples per step; ``adam`` (Kingma & Ba 2015) on
the closed-form gradient when there is one, else on minibatches.

Stopping: the closed-form gradient norm below ``gtol`` (checked every step for GD and Adam,
every ``check_every`` steps for SGD — whose noise keeps it above a small ``gtol``), or
``max_iter`` steps (default 200000 for GD and Adam on a closed form — the slowest spurious
minima at k = 20, smallest Hessian eigenvalue ~4e-4, take ~1e5 steps to 1e-8 — and 20000
otherwise); a run whose gradient or parameters become non-finite or blow up stops with
reason ``diverged``, and is labelled so everywhere (record, analysis, summary).  Laws,
activations or depths without a closed form have no exact gradient:
those runs stop at ``max_iter``, and their final loss and gradient norm are Monte Carlo
estimates (:func:`~symcrit.landscape.networks.monte_carlo`, with the standard error of the
loss and the noise floor of the gradient norm recorded).

Runs are split into chunks, run on a local process pool (all cores by default) or on a Dask
cluster (``scheduler="tcp://..."``, or a :class:`distributed.Client`); each finished chunk
is appended to a JSON-lines file at once (flushed and fsync'ed), so an interrupted sweep
loses no finished run, and :func:`run_ensemble` with the same file resumes with the missing
runs only (those in progress at the interruption are run again, from their seeds).  Every
number in the file is a decimal string (``repr`` of the float64, which reads back to the
same float64).  The file is locked while a sweep writes it, its records
are validated against its header when resuming, and lines that are not records of the
sweep are quarantined (:mod:`symcrit.landscape.results`).  Worker processes die with the
process that started them.

Sizes are checked before any work (:mod:`symcrit.landscape.limits`): k and d up to
:data:`K_MAX`, at most four processes per core, and the memory the
workers (their batches) and the finished runs would take against a limit (half the
physical memory unless ``max_memory`` says otherwise).

>>> cfg = TrainConfig(k=4, runs=3, optimizer="gd", max_iter=3000, seed=1)
>>> recs = run_ensemble(cfg, workers=1)
>>> sorted(r["run"] for r in recs), all(r["reason"] in REASONS for r in recs)
([0, 1, 2], True)
"""
from __future__ import annotations

import os
import signal
import threading
import time
from dataclasses import asdict, dataclass
from collections.abc import Callable
from typing import Any

import numpy as np

from ..core import InputError, SymcritError, float_text
from .laws import ClosedForm, activation, has_closed_form, make_law
from .networks import monte_carlo, network_for
from .limits import K_MAX, MAX_ITER, check_resources, default_workers, memory_limit
from .results import FORMAT, ResultsFile, load_records
from .steps import (REASONS, ClosedFormTask, GradientDescent, SampledTask, gradient_norms,
                    initial_weights, matrix_text, run_descent, single_threaded_blas,
                    update_rule)

__all__ = ["TrainConfig", "run_ensemble", "train_runs", "train_deep", "load_records",
           "descend", "default_lr", "largest_hessian_eigenvalue", "OPTIMIZERS",
           "default_workers", "FORMAT"]

#: the optimisers of :func:`run_ensemble`: full gradient descent on the closed-form loss,
#: SGD on fresh samples, Adam
OPTIMIZERS = ("gd", "sgd", "adam")



@dataclass
class TrainConfig:
    """One sweep: problem (k, d, law, activation, depth), optimiser and stopping rule.

    Parameters
    ----------
    k : int
        Student neurons (1 … :data:`K_MAX`).
    runs : int
        Independent runs.
    d : int, optional
        Input dimension (default k); the teacher is :math:`I_d`.
    optimizer : {'gd', 'sgd', 'adam'}
    law : str
        The input law (:func:`~symcrit.landscape.laws.make_law`).
    activation : str
        ``relu``, ``erf``, ``softplus`` or ``tanh``.
    depth : {2, 3}
        Three layers need k = d and SGD or Adam.
    init : {'xavier', 'he'}
    lr : float, optional
        The step (default :func:`default_lr`).
    max_iter : int, optional
        Steps per run (default 200000 with an exact gradient, else 20000).
    gtol : float
        Stop at this closed-form gradient norm.
    batch : int
        Samples per SGD step.
    check_every : int
        Steps between checks of a sampled run.
    seed : int
        Run r starts from ``numpy.random.default_rng([seed, r])``.

    Raises
    ------
    InputError
        Any field out of range, or an optimiser the problem does not allow.

    Examples
    --------
    >>> cfg = TrainConfig(k=6, runs=4)
    >>> cfg.d, cfg.max_iter, cfg.lr, cfg.closed_form, cfg.catalogue
    (6, 200000, 0.47, True, True)
    """
    k: int
    runs: int = 10
    d: int | None = None
    optimizer: str = "gd"
    law: str = "gaussian"
    activation: str = "relu"
    depth: int = 2
    init: str = "xavier"
    lr: float | None = None
    max_iter: int | None = None
    gtol: float = 1e-8
    batch: int = 256
    check_every: int = 100
    seed: int = 0

    def __post_init__(self):
        self.d = self.k if self.d is None else self.d
        if not (1 <= self.k <= K_MAX and 1 <= self.d <= K_MAX):
            why = (f" (a gradient step costs O(k²d) per run: about 4 ms at k = d = {K_MAX}, "
                   "and a run takes 10^4 to 10^5 steps)" if max(self.k, self.d) > K_MAX
                   else "")
            raise InputError(f"k and d must be between 1 and {K_MAX}, got k = {self.k}, "
                             f"d = {self.d}{why}")
        if self.runs < 1:
            raise InputError(f"runs must be positive, got {self.runs}")
        if not 0 <= self.seed < 2 ** 63:
            raise InputError(f"the seed must be an integer from 0 to 2^63 - 1, got "
                             f"{self.seed}")
        if self.optimizer not in OPTIMIZERS:
            raise InputError(f"unknown optimizer {self.optimizer!r}: use gd, sgd or adam")
        if self.init not in ("xavier", "he"):
            raise InputError(f"unknown init {self.init!r}: use xavier or he")
        if self.depth not in (2, 3):
            raise InputError(f"depth must be 2 or 3, got {self.depth}")
        if self.depth == 3 and self.k != self.d:
            raise InputError("three layers need k = d (teacher W = U = I)")
        if self.depth == 3 and self.optimizer == "gd":
            raise InputError("three layers have no closed-form loss: use --optimizer sgd "
                             "or adam")
        activation(self.activation)
        closed = self.closed_form
        if self.max_iter is None:
            self.max_iter = 200000 if closed and self.optimizer in ("gd", "adam") else 20000
        if self.max_iter < 1 or self.batch < 1 or self.check_every < 1:
            raise InputError("max_iter, batch and check_every must be positive")
        if self.max_iter > MAX_ITER:
            raise InputError(f"max_iter must be at most {MAX_ITER:.0e} steps per run, got "
                             f"{self.max_iter}")
        if self.optimizer == "gd" and not closed:
            raise InputError(f"gradient descent needs a closed-form loss; law {self.law!r} "
                             f"with activation {self.activation!r} has none: use "
                             "--optimizer sgd or adam")
        if self.lr is None:
            self.lr = default_lr(self)
        if not (self.lr > 0 and np.isfinite(self.lr)):
            raise InputError(f"the learning rate must be positive, got {self.lr}")
        if not (self.gtol > 0 and np.isfinite(self.gtol)):
            raise InputError(f"the gradient tolerance must be positive, got {self.gtol}")

    @property
    def closed_form(self):
        """Whether the loss has a closed form (two layers, a Gaussian or centred Gaussian
        mixture law, ReLU or erf): then GD is possible and losses are exact."""
        return self.depth == 2 and has_closed_form(make_law(self.law, self.d),
                                                   self.activation)

    @property
    def catalogue(self):
        """Whether this is the catalogue's problem (Gaussian inputs, ReLU, two layers,
        k = d), whose critical points are refined in Fix(H) and named by family."""
        return (self.law == "gaussian" and self.activation == "relu" and self.depth == 2
                and self.k == self.d)

    @property
    def wider(self):
        """Whether this is the catalogue's problem with a wider student (k > d neurons
        against the teacher :math:`I_d`; Arjevani & Field 2022, arXiv:2210.06088): its
        critical points are refined in Fix(H) of the wider groups and named as an
        embedding of a catalogue point or a wider family."""
        return (self.law == "gaussian" and self.activation == "relu" and self.depth == 2
                and self.k > self.d)

    def key(self):
        """What identifies the sweep in a results file (everything but the run count), as
        JSON: numbers other than integers are decimal strings."""
        d = asdict(self)
        d.pop("runs")
        return {k: float_text(v) if isinstance(v, float) else v for k, v in d.items()}


def largest_hessian_eigenvalue(cf, W, iters=40, h=1e-5):
    """The largest eigenvalue of the Hessian of a closed-form loss at W, by power
    iteration with Hessian–vector products from central differences of the gradient
    (from a fixed start vector, so the result is reproducible).

    Against the dense Hessian of :mod:`symcrit.model` at a Xavier start:

    >>> from symcrit.model import Problem
    >>> W = initial_weights(TrainConfig(k=4, runs=1), 0)[0]
    >>> H = np.asarray(Problem.canonical(4, 4).hessian(W), float).reshape(16, 16)
    >>> lam = largest_hessian_eigenvalue(ClosedForm(make_law("gaussian", 4)), W)
    >>> bool(abs(lam - np.linalg.eigvalsh(H)[-1]) < 1e-6)
    True
    """
    W = np.asarray(W, float)
    v = np.cos(np.arange(W.size) + 1.0).reshape(W.shape)
    v /= np.linalg.norm(v)
    lam = 0.0
    for _ in range(iters):
        Hv = (cf.gradient(W + h * v) - cf.gradient(W - h * v)) / (2 * h)
        lam = float((Hv * v).sum())
        n = np.linalg.norm(Hv)
        if not n > 0:
            break
        v = Hv / n
    return lam


def default_lr(cfg):
    r"""The default step.  Adam: 0.01.  GD on a closed-form loss: :math:`1/\hat\lambda`,
    :math:`\hat\lambda` the largest Hessian eigenvalue found by power iteration at the
    global minimum W = I and at the starts of runs 0, 1, 2 (3 significant
    digits, so that the value, part of the sweep's key, is reproducible); SGD: an eighth of
    that.  Without a closed form, SGD: 0.5/(k+4) (the value the Gaussian ReLU problem gives,
    where :math:`\lambda_{\max}\approx(k+4)/4`)."""
    if cfg.optimizer == "adam":
        return 0.01
    if not cfg.closed_form:
        return 0.5 / (cfg.k + 4)
    cf = ClosedForm(make_law(cfg.law, cfg.d), cfg.activation)
    pts = [np.eye(cfg.k, cfg.d)] + [initial_weights(cfg, r)[0] for r in range(3)]
    with single_threaded_blas():
        lam = max(largest_hessian_eigenvalue(cf, W) for W in pts)
    eta = float(f"{1.0 / lam:.3g}")
    return eta if cfg.optimizer == "gd" else eta / 8


# ----------------------------------------------------------------------------- training
def train_runs(cfg, runs, width=32):
    """Train the runs ``runs`` (a list of run indices) of the sweep ``cfg``; returns their
    records (dicts of decimal strings: ``run``, ``seed``, ``loss``, ``gradient_norm``,
    ``loss_method``, for Monte Carlo estimates ``loss_stderr`` and
    ``gradient_noise_floor``, ``iterations``, ``reason``, and the matrices ``W``, and for
    three layers ``U``, ``W_raw``, ``U_raw``).

    At most ``width`` runs are vectorised together; when one stops, the next waiting run
    takes its place (:func:`~symcrit.landscape.steps.run_descent`).

    >>> recs = train_runs(TrainConfig(k=3, runs=2, max_iter=20), [1])
    >>> recs[0]["run"], recs[0]["reason"], recs[0]["iterations"], len(recs[0]["W"])
    (1, 'max_iter', 20, 3)
    """
    runs = [int(r) for r in runs]
    law = make_law(cfg.law, cfg.d)
    network = network_for(cfg)
    cf = ClosedForm(law, cfg.activation) if cfg.closed_form else None    # teacher V = I_d

    def starts(p):
        W, U, rng = initial_weights(cfg, runs[p])
        return ([W] if U is None else [W, U]), rng

    if cf is not None and cfg.optimizer in ("gd", "adam"):
        task = ClosedFormTask(cf, cfg.gtol, starts)
    else:
        task = SampledTask(network, law, cfg.batch, starts, cf, cfg.gtol)
    # a diverging run overflows before it is stopped (and labelled "diverged"): no warnings
    with single_threaded_blas(), np.errstate(over="ignore", invalid="ignore"):
        final, iters, reason = run_descent(task, len(runs),
                                           update_rule(cfg.optimizer, cfg.lr), cfg.max_iter,
                                           width, cfg.check_every)
        return _records(cfg, runs, final, iters, reason, network, law, cf)


def train_deep(cfg, runs):
    """The runs ``runs`` of a three-layer sweep (``cfg.depth == 3``): :func:`train_runs`,
    all runs vectorised together.

    >>> recs = train_deep(TrainConfig(k=3, runs=2, depth=3, optimizer="sgd", max_iter=50),
    ...                   [0, 1])
    >>> [r["reason"] for r in recs], len(recs[0]["U"])
    (['max_iter', 'max_iter'], 3)
    """
    if cfg.depth != 3:
        raise InputError(f"train_deep needs a three-layer sweep, got depth {cfg.depth}")
    return train_runs(cfg, runs, width=len(runs))


def descend(cf, W0, lr, gtol=1e-8, max_iter=20000):
    """Full-batch gradient descent on a closed-form loss (:class:`~.laws.ClosedForm`)
    from the points ``W0`` (runs × k × d), all at once; returns the end points, the steps
    taken and the stopping reasons (``gradient``, ``max_iter``, ``diverged``).  Used to
    polish noisy SGD end points before their isotropy is read.

    >>> cf = ClosedForm(make_law("gaussian", 3))
    >>> W, steps, why = descend(cf, [np.eye(3) * 1.1], 0.5)
    >>> why, float(np.abs(W[0] - np.eye(3)).max()) < 1e-8
    (['gradient'], True)
    """
    W0 = np.asarray(W0, float)
    if not len(W0):
        return W0.copy(), np.full(0, max_iter), []
    task = ClosedFormTask(cf, gtol, lambda p: ([W0[p]], None))
    with single_threaded_blas():
        final, steps, reason = run_descent(task, len(W0), GradientDescent(lr), max_iter,
                                           width=len(W0))
    return final[0], steps, reason


def _records(cfg, runs, final, iters, reason, network, law, cf):
    """The records of finished runs: exact losses and gradient norms with a closed form,
    else Monte Carlo estimates from ``network.mc_samples`` fresh samples (generator
    ``[seed, run, 1]``)."""
    ok = np.array([why != "diverged" for why in reason], bool)
    for P in final:
        ok &= np.isfinite(P).all(axis=(1, 2))
    if cf is not None and ok.any():
        loss = np.full(len(runs), np.nan)
        gnorm = np.full(len(runs), np.nan)
        loss[ok] = cf.loss(final[0][ok])
        gnorm[ok] = gradient_norms(cf.gradient(final[0][ok]))
    out = []
    for j, r in enumerate(runs):
        params = [P[j] for P in final]
        rec = {"run": int(r), "seed": [cfg.seed, int(r)]}
        if not ok[j]:
            rec.update(loss="nan", gradient_norm="nan", loss_method="diverged")
        elif cf is not None:
            rec.update(loss=float_text(loss[j]), gradient_norm=float_text(gnorm[j]),
                       loss_method="closed form")
        else:
            n = network.mc_samples
            X = law.sample(np.random.default_rng([cfg.seed, r, 1]), (n,))
            est = monte_carlo(network, params, X)
            rec.update(loss=float_text(est["loss"]),
                       loss_stderr=float_text(est["loss_stderr"]),
                       gradient_norm=float_text(est["gradient_norm"]),
                       gradient_noise_floor=float_text(est["gradient_noise_floor"]),
                       loss_method=f"Monte Carlo ({n} samples)")
        rec.update(iterations=int(iters[j]), reason=str(reason[j]) if ok[j] else "diverged")
        rec.update({name: matrix_text(M)
                    for name, M in network.export(params, ok[j]).items()})
        out.append(rec)
    return out


# ----------------------------------------------------------------------------- sweeps
def _chunks(items, size):
    return [items[i:i + size] for i in range(0, len(items), size)]


def _watch_parent(parent):
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)


def _worker_init(parent, close_fds):
    """In each worker process: ignore Ctrl-C (the parent handles it), close the parent's
    copy of the locked results file, and die with the parent: ``PR_SET_PDEATHSIG`` (Linux,
    by ctypes: the kernel sends SIGKILL when the parent dies, even by ``kill -9``), and a
    thread that exits when the parent is gone (``os.getppid`` changes) where there is no
    prctl."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for fd in close_fds:
        try:
            os.close(fd)              # not LOCK_UN: the lock stays with the parent
        except OSError:
            pass
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)          # PR_SET_PDEATHSIG = 1
    except (OSError, AttributeError):       # pragma: no cover - not Linux
        pass
    if os.getppid() != parent:              # the parent died before the prctl
        os.kill(os.getpid(), signal.SIGKILL)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def run_ensemble(cfg: TrainConfig, out: str | os.PathLike[str] | None = None,
                 workers: int | None = None, scheduler: object = None,
                 chunk: int | None = None,
                 progress: Callable[..., Any] | None = None,
                 max_memory: int | None = None) -> list[dict[str, Any]]:
    """Run the sweep ``cfg`` (:func:`train_runs` on chunks of runs, in parallel).

    Parameters
    ----------
    cfg : TrainConfig
    out : str or Path, optional
        A JSON-lines file (:class:`~symcrit.landscape.results.ResultsFile`: a regular
        file or a new path, locked for the sweep, its records validated and bad lines
        quarantined) written incrementally (each finished chunk flushed and fsync'ed)
        and resumed from: runs already in it are not run again.
    workers : int, optional
        Local processes (default all cores; at most
        :data:`~symcrit.landscape.limits.WORKERS_PER_CORE` per core).
        They die with this process (:func:`_worker_init`).
    scheduler : str or distributed.Client, optional
        A Dask scheduler address or client (then ``workers`` is ignored).
    chunk : int, optional
        Runs per task (default about four tasks per worker, at most 128).
    progress : callable, optional
        Called with the number of runs finished.
    max_memory : int, optional
        Bytes the sweep may use (default
        :func:`~symcrit.landscape.limits.memory_limit`): checked before any work
        (:func:`~symcrit.landscape.limits.check_resources`), and the largest results
        file read.

    Returns
    -------
    list of dict
        All records, one per run, sorted by run.

    Raises
    ------
    InputError
        Bad ``workers``/``chunk``, a sweep above the memory limit, an unusable or locked
        ``out``, or an unusable scheduler.
    SymcritError
        A worker process died, or ``out`` could not be written (after every finished
        chunk has been written; run again with the same ``out`` to resume).
    """
    workers = default_workers() if workers is None else workers
    if workers < 1:
        raise InputError("workers must be at least 1")
    if chunk is not None and chunk < 1:
        raise InputError("chunk must be at least 1")
    local = 1 if scheduler is not None else min(workers, cfg.runs)
    check_resources(cfg, local, max_memory, width=min(32, chunk or 32, cfg.runs),
                    requested=None if scheduler is not None else workers)
    limit = memory_limit() if max_memory is None else int(max_memory)
    results = ResultsFile(out, cfg, max_bytes=limit) if out else None
    try:
        return _sweep(cfg, results, workers, scheduler, chunk, progress)
    finally:
        if results is not None:
            results.close()


def _sweep(cfg, results, workers, scheduler, chunk, progress):
    done = list(results.records) if results else []
    have = {r["run"] for r in done}
    todo = [r for r in range(cfg.runs) if r not in have]
    if progress and done:
        progress(len(done))
    # tasks of up to 128 runs, about four per worker (each vectorised 32 runs wide)
    size = chunk or max(1, min(128, -(-len(todo) // max(1, workers * 4))))
    parts = _chunks(todo, size)
    records = list(done)

    def finish(recs):
        if results is not None:
            try:
                results.append(recs)
            except SymcritError as exc:
                raise lost(str(exc)) from None
        records.extend(recs)
        if progress:
            progress(len(recs))

    def lost(what):
        saved = (f"{len(records)} of {cfg.runs} runs are saved in {results.path}; run the "
                 "same command again to resume") if results else \
            "no --out file, nothing was saved"
        return SymcritError(f"{what}; {saved}")

    if not parts:
        return sorted(records, key=lambda r: r["run"])
    if scheduler is not None:
        _run_dask(cfg, parts, scheduler, finish)
    elif workers == 1 or len(parts) == 1:
        for p in parts:
            finish(train_runs(cfg, p))
    else:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor, as_completed
        from concurrent.futures.process import BrokenProcessPool
        ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
        fds = [results.fileno] if results is not None else []
        pool = ProcessPoolExecutor(max_workers=min(workers, len(parts)), mp_context=ctx,
                                   initializer=_worker_init, initargs=(os.getpid(), fds))
        try:
            futs = [pool.submit(train_runs, cfg, p) for p in parts]
            for fut in as_completed(futs):
                finish(fut.result())
        except BrokenProcessPool:
            raise lost("a worker process died") from None
        except BaseException:               # Ctrl-C or an error: stop the workers now
            for proc in list(getattr(pool, "_processes", {}).values()):
                proc.terminate()
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    return sorted(records, key=lambda r: r["run"])


def _run_dask(cfg, parts, scheduler, finish):
    from distributed import Client, as_completed as dask_completed
    own = not isinstance(scheduler, Client)
    if own:
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError, ValueError, TypeError) as exc:
            raise InputError(f"cannot connect to the Dask scheduler {scheduler!r}: "
                             f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
                             ) from None
    else:
        client = scheduler
    try:
        futs = client.map(train_runs, [cfg] * len(parts), parts, pure=False)
        for fut in dask_completed(futs):
            finish(fut.result())
    finally:
        if own:
            client.close()
