r"""Training ensembles for the teacher–student problem: many independent runs of gradient
descent on the closed-form loss, SGD on fresh samples, or Adam, vectorised over runs.

The student :math:`f(x; W) = \sum_i \sigma(w_i\cdot x)` (k neurons, inputs in
:math:`R^d`) is fitted to the teacher :math:`V = I_d` (d neurons) — the setting of Safran &
Shamir (2018, "Spurious local minima are common in two-layer ReLU neural networks", ICML)
and Arjevani & Field (2021) — under a law of the inputs (:mod:`symcrit.landscape.laws`).

Initialisation, each run with its own generator ``numpy.random.default_rng([seed, run])``
(so any run can be reproduced alone): Xavier/Glorot, entries
:math:`N(0, 2/(\text{fan-in}+\text{fan-out})) = N(0, 2/(d+k))` (:math:`1/d` for k = d),
or He, :math:`N(0, 2/\text{fan-in}) = N(0, 2/d)`; for three layers the second layer
``U`` (k × k) likewise.

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
otherwise); a run whose gradient or parameters become non-finite stops with reason
``diverged``.  Laws or activations without a closed form have no exact gradient: those runs
stop at ``max_iter``, and their final loss and gradient norm are Monte Carlo estimates
(with the standard error of the loss and the noise floor of the gradient norm recorded).

Runs are split into chunks, run on a local process pool (all cores by default) or on a Dask
cluster (``scheduler="tcp://..."``, or a :class:`distributed.Client`); each finished chunk
is appended to a JSON-lines file at once (flushed and fsync'ed), so an interrupted sweep
loses no finished run, and :func:`run_ensemble` with the same file resumes with the missing
runs only (those in progress at the interruption are run again, from their seeds).  Every number in the file is a decimal string (``repr`` of the float64, which reads
back to the same float64).

>>> cfg = TrainConfig(k=4, runs=3, optimizer="gd", max_iter=3000, seed=1)
>>> recs = run_ensemble(cfg, workers=1)
>>> sorted(r["run"] for r in recs), all(r["reason"] in REASONS for r in recs)
([0, 1, 2], True)
"""
from __future__ import annotations

import contextlib
import json
import os
import signal
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from ..core import InputError, SymcritError
from .laws import ClosedForm, activation, has_closed_form, make_law

__all__ = ["TrainConfig", "run_ensemble", "train_runs", "load_records", "descend",
           "default_lr", "largest_hessian_eigenvalue", "single_threaded_blas", "REASONS",
           "OPTIMIZERS", "default_workers"]

REASONS = ("gradient", "max_iter", "diverged")
OPTIMIZERS = ("gd", "sgd", "adam")
FORMAT = "symcrit-train-2"


@contextlib.contextmanager
def single_threaded_blas():
    """Run BLAS on one thread inside the block (threadpoolctl).  The training loop's matrix
    products are small and batched, and runs are already spread over the cores by
    processes: a multi-threaded BLAS only contends with itself (at k = d = 100 a step was
    65× slower on a loaded two-core machine)."""
    from threadpoolctl import threadpool_limits
    with threadpool_limits(1, user_api="blas"):
        yield


def default_workers():
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):      # pragma: no cover - not Linux
        return os.cpu_count() or 1


@dataclass
class TrainConfig:
    """One sweep: problem (k, d, law, activation, depth), optimiser and stopping rule."""
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
        if not (1 <= self.k <= 1000 and 1 <= self.d <= 1000):
            raise InputError(f"k and d must be between 1 and 1000, got k = {self.k}, "
                             f"d = {self.d}")
        if self.runs < 1:
            raise InputError(f"runs must be positive, got {self.runs}")
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
        law = make_law(self.law, self.d)
        if self.max_iter is None:
            exact = (self.depth == 2 and self.optimizer in ("gd", "adam")
                     and has_closed_form(law, self.activation))
            self.max_iter = 200000 if exact else 20000
        if self.max_iter < 1 or self.batch < 1 or self.check_every < 1:
            raise InputError("max_iter, batch and check_every must be positive")
        if self.optimizer == "gd" and self.depth == 2 and not has_closed_form(
                make_law(self.law, self.d), self.activation):
            raise InputError(f"gradient descent needs a closed-form loss; law {self.law!r} "
                             f"with activation {self.activation!r} has none: use "
                             "--optimizer sgd or adam")
        if self.lr is None:
            self.lr = default_lr(self)
        if not (self.lr > 0 and np.isfinite(self.lr)):
            raise InputError(f"the learning rate must be positive, got {self.lr}")
        if not (self.gtol > 0 and np.isfinite(self.gtol)):
            raise InputError(f"the gradient tolerance must be positive, got {self.gtol}")
        if self.seed < 0:
            raise InputError(f"the seed must be non-negative, got {self.seed}")

    def key(self):
        """What identifies the sweep in a results file (everything but the run count), as
        JSON: numbers other than integers are decimal strings."""
        d = asdict(self)
        d.pop("runs")
        return {k: repr(float(v)) if isinstance(v, float) else v for k, v in d.items()}


def largest_hessian_eigenvalue(cf, W, iters=40, h=1e-5):
    """The largest eigenvalue of the Hessian of a closed-form loss at W, by power
    iteration with Hessian–vector products from central differences of the gradient
    (from a fixed start vector, so the result is reproducible)."""
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
    law = make_law(cfg.law, cfg.d)
    if cfg.depth == 3 or not has_closed_form(law, cfg.activation):
        return 0.5 / (cfg.k + 4)
    cf = ClosedForm(law, cfg.activation)
    probe = TrainConfig(**{**asdict(cfg), "lr": 1.0, "runs": 1})
    pts = [np.eye(cfg.k, cfg.d)] + [_init(probe, r)[0] for r in range(3)]
    with single_threaded_blas():
        lam = max(largest_hessian_eigenvalue(cf, W) for W in pts)
    eta = float(f"{1.0 / lam:.3g}")
    return eta if cfg.optimizer == "gd" else eta / 8


# ----------------------------------------------------------------------------- training
def _init(cfg, run):
    rng = np.random.default_rng([cfg.seed, run])
    var = 2.0 / (cfg.d + cfg.k) if cfg.init == "xavier" else 2.0 / cfg.d
    W = rng.standard_normal((cfg.k, cfg.d)) * np.sqrt(var)
    extra = None
    if cfg.depth == 3:
        var_u = 1.0 / cfg.k if cfg.init == "xavier" else 2.0 / cfg.k
        extra = rng.standard_normal((cfg.k, cfg.k)) * np.sqrt(var_u)
    return W, extra, rng


def _s(x):
    """A float as a decimal string that reads back to the same float64."""
    return repr(float(x))


def _matrix(W):
    return [[_s(x) for x in row] for row in W]


def train_runs(cfg, runs, width=32):
    """Train the runs ``runs`` (a list of run indices); returns their records.

    At most ``width`` runs are vectorised together; when one stops, the next waiting run
    takes its place (each run keeps its own step counter and random generator, so its
    result does not depend on which runs share its batch)."""
    with single_threaded_blas():
        return _train_runs(cfg, runs, width)


def _train_runs(cfg, runs, width):
    if cfg.depth == 3:
        from .deep import train_deep
        return train_deep(cfg, runs)
    law = make_law(cfg.law, cfg.d)
    sig, dsig = activation(cfg.activation)
    closed = has_closed_form(law, cfg.activation)
    cf = ClosedForm(law, cfg.activation) if closed else None          # teacher V = I_d
    runs = [int(r) for r in runs]
    R = len(runs)
    width = max(1, int(width))
    final = np.empty((R, cfg.k, cfg.d))
    iters = np.full(R, cfg.max_iter)
    reason = ["max_iter"] * R
    rngs = [None] * R
    adam = cfg.optimizer == "adam"
    exact = closed and cfg.optimizer in ("gd", "adam")
    b1, b2, eps = 0.9, 0.999, 1e-12
    nxt = 0                                  # next waiting run (position in ``runs``)
    W = np.empty((0, cfg.k, cfg.d))          # the active runs
    act = np.empty(0, dtype=int)             # their positions in ``runs``
    steps = np.empty(0, dtype=int)           # steps each has taken
    m = np.empty_like(W) if adam else None
    v = np.empty_like(W) if adam else None

    def sampled_grad(Wa, pos):
        X = np.stack([law.sample(rngs[p], (cfg.batch,)) for p in pos])   # (r, B, d)
        Z = X @ np.swapaxes(Wa, -1, -2)                                   # (r, B, k)
        res = sig(Z).sum(-1) - sig(X).sum(-1)                             # teacher I_d
        D = res[..., None] * dsig(Z)                                      # (r, B, k)
        return np.swapaxes(D, -1, -2) @ X / cfg.batch

    while True:
        if len(act) < width and nxt < R:                   # fill the free slots
            new = list(range(nxt, min(R, nxt + width - len(act))))
            nxt += len(new)
            starts = []
            for p in new:
                w0, _, rngs[p] = _init(cfg, runs[p])
                starts.append(w0)
            W = np.concatenate([W, np.stack(starts)])
            act = np.concatenate([act, new])
            steps = np.concatenate([steps, np.zeros(len(new), dtype=int)])
            if adam:
                m = np.concatenate([m, np.zeros((len(new), cfg.k, cfg.d))])
                v = np.concatenate([v, np.zeros((len(new), cfg.k, cfg.d))])
        if not len(act):
            break
        # stopping rules
        G = None
        at_max = steps >= cfg.max_iter
        if exact:
            G = cf.gradient(W, copy=False)
            gn = np.sqrt(np.einsum("rkd,rkd->r", G, G))
            bad = ~np.isfinite(gn)
            conv = gn < cfg.gtol
            done = bad | conv | at_max
        else:
            check = (steps % cfg.check_every == 0) | at_max
            bad = np.zeros(len(act), bool)
            conv = np.zeros(len(act), bool)
            if check.any():
                idx = np.flatnonzero(check)
                if closed:
                    Gc = cf.gradient(W[idx], copy=False)
                    gn = np.sqrt(np.einsum("rkd,rkd->r", Gc, Gc))
                    bad[idx] = ~np.isfinite(gn)
                    conv[idx] = gn < cfg.gtol
                else:
                    bad[idx] = ~np.isfinite(W[idx]).all(axis=(1, 2))
            done = bad | conv | at_max
        if done.any():
            for j in np.flatnonzero(done):
                p = act[j]
                final[p] = W[j]
                iters[p] = steps[j]
                reason[p] = ("diverged" if bad[j] else "gradient" if conv[j]
                             else "max_iter")
            keep = ~done
            W, act, steps = W[keep], act[keep], steps[keep]
            if G is not None:
                G = G[keep]
            if adam:
                m, v = m[keep], v[keep]
            if not len(act):
                if nxt < R:
                    continue
                break
        if not exact:
            G = sampled_grad(W, act)
        if adam:
            m *= b1
            m += (1 - b1) * G
            v *= b2
            v += (1 - b2) * G * G
            t = (steps + 1)[:, None, None]
            W -= cfg.lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)
        else:
            G *= cfg.lr
            W -= G
        steps += 1
    return _records(cfg, runs, final, iters, reason, cf, law, sig, dsig)


def descend(cf, W0, lr, gtol=1e-8, max_iter=20000):
    """Full-batch gradient descent on a closed-form loss (:class:`~.laws.ClosedForm`)
    from the points ``W0`` (runs × k × d), all at once; returns the end points, the steps
    taken and the stopping reasons (``gradient``, ``max_iter``, ``diverged``).  Used to
    polish noisy SGD end points before their isotropy is read."""
    with single_threaded_blas():
        return _descend(cf, W0, lr, gtol, max_iter)


def _descend(cf, W0, lr, gtol, max_iter):
    W0 = np.asarray(W0, float)
    R = len(W0)
    final = W0.copy()
    steps = np.full(R, max_iter)
    reason = ["max_iter"] * R
    W = W0.copy()
    act = np.arange(R)
    for it in range(max_iter + 1):
        G = cf.gradient(W, copy=False)
        gn = np.sqrt(np.einsum("rkd,rkd->r", G, G))
        bad = ~np.isfinite(gn)
        done = bad | (gn < gtol) | (it == max_iter)
        if done.any():
            for j in np.flatnonzero(done):
                final[act[j]] = W[j]
                steps[act[j]] = it
                reason[act[j]] = ("diverged" if bad[j] else "gradient" if gn[j] < gtol
                                  else "max_iter")
            keep = ~done
            W, act, G = W[keep], act[keep], G[keep]
            if not len(act):
                break
        G *= lr
        W -= G
    return final, steps, reason


def _records(cfg, runs, final, iters, reason, cf, law, sig, dsig):
    out = []
    ok = np.isfinite(final).all(axis=(1, 2))
    if cf is not None and ok.any():
        loss = np.full(len(runs), np.nan)
        gnorm = np.full(len(runs), np.nan)
        loss[ok] = cf.loss(final[ok])
        G = cf.gradient(final[ok])
        gnorm[ok] = np.sqrt(np.einsum("rkd,rkd->r", G, G))
    for j, r in enumerate(runs):
        Wj = final[j]
        rec = {"run": int(r), "seed": [cfg.seed, int(r)]}
        if not ok[j]:
            rec.update(loss="nan", gradient_norm="nan", loss_method="diverged")
        elif cf is not None:
            rec.update(loss=_s(loss[j]), gradient_norm=_s(gnorm[j]),
                       loss_method="closed form")
        else:
            n = 200000
            rng = np.random.default_rng([cfg.seed, r, 1])
            X = law.sample(rng, (n,))
            Z = X @ Wj.T
            res = sig(Z).sum(-1) - sig(X).sum(-1)
            sq = 0.5 * res ** 2
            # per-sample gradient g_bkd = D_bk X_bd with D = res·σ'(Z): its mean and the
            # variance of its mean (the noise floor), without the n × k × d array
            D = res[:, None] * dsig(Z)
            gm = D.T @ X / n
            second = (D * D).T @ (X * X) / n
            floor = np.sqrt(max(float((second - gm * gm).sum()), 0.0) / n)
            rec.update(loss=_s(sq.mean()), loss_stderr=_s(sq.std() / np.sqrt(n)),
                       gradient_norm=_s(np.sqrt((gm * gm).sum())),
                       gradient_noise_floor=_s(floor),
                       loss_method=f"Monte Carlo ({n} samples)")
        rec.update(iterations=int(iters[j]), reason=str(reason[j]), W=_matrix(Wj))
        out.append(rec)
    return out


# ----------------------------------------------------------------------------- sweeps
def load_records(path, cfg=None):
    """Records of a JSON-lines results file (the first line is the sweep's header), one per
    run (a run written twice, e.g. by two resumed copies, is kept once); ``cfg``: refuse a
    file written for another sweep, and keep only the runs ``0 … cfg.runs-1``."""
    path = Path(path)
    if not path.exists():
        return []
    if path.is_dir():
        raise InputError(f"{path} is a directory, not a results file")
    recs = {}
    try:
        fh = path.open()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None
    with fh:
        for n, line in enumerate(fh):
            line = line.strip()
            if not line:
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError:
                if n > 0:               # a line cut by an interruption: ignore it
                    continue
                raise InputError(f"{path}: not a symcrit results file") from None
            if n == 0:
                if not isinstance(obj, dict) or "sweep" not in obj:
                    raise InputError(f"{path}: not a symcrit results file (no header)")
                if obj.get("format") != FORMAT:
                    raise InputError(f"{path}: results format {obj.get('format')!r}, "
                                     f"this version reads {FORMAT!r}")
                if cfg is not None and obj["sweep"] != cfg.key():
                    raise InputError(f"{path} holds another sweep ({obj['sweep']}); use "
                                     "another --out file")
                continue
            if not isinstance(obj, dict) or not isinstance(obj.get("run"), int):
                continue
            if cfg is not None and not 0 <= obj["run"] < cfg.runs:
                continue
            recs.setdefault(obj["run"], obj)
    return [recs[r] for r in sorted(recs)]


def _chunks(items, size):
    return [items[i:i + size] for i in range(0, len(items), size)]


def _ignore_sigint():                      # in worker processes: the parent handles Ctrl-C
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _prepare_file(out, cfg):
    out = Path(out)
    if out.is_dir():
        raise InputError(f"--out {out} is a directory")
    try:
        if not out.exists() or out.stat().st_size == 0:
            out.parent.mkdir(parents=True, exist_ok=True)
            with open(out, "w") as fh:
                fh.write(json.dumps({"sweep": cfg.key(), "format": FORMAT}) + "\n")
        else:
            with open(out, "rb+") as fh:         # a line cut by an interruption ends here
                fh.seek(-1, os.SEEK_END)
                if fh.read(1) != b"\n":
                    fh.write(b"\n")
    except OSError as exc:
        raise InputError(f"cannot write {out}: {exc.strerror}") from None


def run_ensemble(cfg, out=None, workers=None, scheduler=None, chunk=None, progress=None):
    """Run the sweep ``cfg``; returns all records (sorted by run, one per run).  ``out``: a
    JSON-lines file written incrementally and resumed from; ``workers``: local processes
    (default all cores); ``scheduler``: a Dask scheduler address or Client (then
    ``workers`` is ignored); ``chunk``: runs per task (vectorised together);
    ``progress(n)`` is called with the number of runs finished.

    If a worker process dies, :class:`~symcrit.core.errors.SymcritError` is raised after every
    finished chunk has been written; run again with the same ``out`` to resume."""
    done = load_records(out, cfg) if out else []
    have = {r["run"] for r in done}
    todo = [r for r in range(cfg.runs) if r not in have]
    if out:
        _prepare_file(out, cfg)
    if progress and done:
        progress(len(done))
    workers = workers or default_workers()
    if workers < 1:
        raise InputError("workers must be at least 1")
    if chunk is not None and chunk < 1:
        raise InputError("chunk must be at least 1")
    # tasks of up to 128 runs, about four per worker (each vectorised 32 runs wide)
    size = chunk or max(1, min(128, -(-len(todo) // max(1, workers * 4))))
    parts = _chunks(todo, size)
    records = list(done)

    def finish(recs):
        records.extend(recs)
        if out:
            with open(out, "a") as fh:
                for r in recs:
                    fh.write(json.dumps(r) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
        if progress:
            progress(len(recs))

    def lost(what):
        saved = (f"{len(records)} of {cfg.runs} runs are saved in {out}; run the same "
                 "command again to resume") if out else "no --out file, nothing was saved"
        return SymcritError(f"{what}; {saved}")

    if not parts:
        pass
    elif scheduler is not None:
        _run_dask(cfg, parts, scheduler, finish)
    elif workers == 1 or len(parts) == 1:
        for p in parts:
            finish(train_runs(cfg, p))
    else:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor, as_completed
        from concurrent.futures.process import BrokenProcessPool
        ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
        pool = ProcessPoolExecutor(max_workers=min(workers, len(parts)), mp_context=ctx,
                                   initializer=_ignore_sigint)
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
