r"""The bounds of a training sweep, checked before any work: the largest problem, step
limit and number of worker processes, and the memory a sweep would take against a limit.

A sweep holds every finished run until it ends (its record: the matrices as decimal
strings; its analysis), and each worker process trains up to 32 runs side by side (the
closed-form gradient's buffers, the minibatches of a sampled gradient, the Monte Carlo
samples at an end point).  :func:`check_resources` adds these up from the sizes asked for
(``runs``, ``batch``, k, d, workers) and refuses a sweep above the limit — half the
physical memory unless the caller says otherwise (``symcrit train --max-memory GIB``) —
with one line that names the limit and how to raise it, instead of climbing to 16 GB
(``--runs 10^9``) or allocating 373 GiB (``--batch 10^9``).

>>> K_MAX, WORKERS_PER_CORE
(200, 4)
"""
from __future__ import annotations

import os

from ..core import InputError
from .networks import network_for

__all__ = ["K_MAX", "MAX_ITER", "WORKERS_PER_CORE", "default_workers", "memory_limit",
           "record_bytes", "worker_bytes", "check_resources"]

#: the largest k and d: one step of the closed-form gradient costs O(k²d) per run (about
#: 4 ms at k = d = 200 on one core, 0.3 s at k = d = 1000) and a run takes 10^4 to 10^5
#: steps, so a run at k = 1000 would take hours
K_MAX = 200

#: the largest step limit per run
MAX_ITER = 10 ** 8

#: the most worker processes per core
WORKERS_PER_CORE = 4


def default_workers():
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):      # pragma: no cover - not Linux
        return os.cpu_count() or 1


def memory_limit():
    """The default memory limit of a sweep: half the physical memory (4 GiB where it is
    not known)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2
    except (AttributeError, OSError, ValueError):      # pragma: no cover
        return 4 * 2 ** 30


def record_bytes(cfg):
    """Memory a finished run holds until the sweep ends (its record, with its matrices as
    decimal strings, about 100 bytes per entry, and its analysis), bytes."""
    entries = cfg.k * cfg.d + (2 * cfg.k * cfg.k + cfg.k * cfg.d) * (cfg.depth == 3)
    return 100 * entries + 4096


def worker_bytes(cfg, width=32):
    """Memory of one worker process while it trains ``width`` runs side by side, bytes:
    the closed-form gradient's buffers (about 6k(k+d) + 10kd floats per run), the
    minibatches of a sampled gradient (batch × (d + 4k) floats per run), and the Monte
    Carlo estimate at an end point (its samples × (d + 4k) floats)."""
    k, d = cfg.k, cfg.d
    per_run = 6 * k * (k + d) + 10 * k * d
    if cfg.optimizer == "sgd" or not cfg.closed_form:
        per_run += cfg.batch * (d + 4 * k + 4)
    mc = 0 if cfg.closed_form else network_for(cfg).mc_samples * (d + 4 * k + 4)
    return 8 * (width * per_run + mc) + 64 * 2 ** 20


def _gib(n):
    for unit, e in (("TiB", 40), ("GiB", 30), ("MiB", 20)):
        if n >= 2 ** e / 4 or unit == "MiB":
            return f"{n / 2 ** e:.3g} {unit}"


def check_resources(cfg, workers, max_memory=None, width=32, requested=None):
    """Refuse, before any work, a sweep whose memory would exceed ``max_memory`` bytes
    (default :func:`memory_limit`): ``workers`` processes each training ``width`` runs at
    a time (:func:`worker_bytes`; this bounds ``batch``), and ``cfg.runs`` finished runs
    held until the end (:func:`record_bytes`; this bounds ``runs``); and more worker
    processes than :data:`WORKERS_PER_CORE` per core (``requested``: the processes asked
    for, when more than the ``workers`` that will run).

    Raises
    ------
    InputError
        One line naming the limit and how to raise it.

    >>> from symcrit.landscape import TrainConfig
    >>> check_resources(TrainConfig(k=5, runs=10 ** 9, lr=0.1), workers=1)
    Traceback (most recent call last):
        ...
    symcrit.core.errors.InputError: --runs 1000000000 would hold about 6 TiB of run
    records (6596 bytes per run at k = 5, d = 5), above the memory limit ... (--max-memory
    GIB, default half the physical memory): use fewer runs, or split the sweep with --out
    and --seed
    """
    limit = memory_limit() if max_memory is None else int(max_memory)
    cores = default_workers()
    if requested is not None and requested > WORKERS_PER_CORE * cores:
        workers = requested
    if workers > WORKERS_PER_CORE * cores:
        raise InputError(f"--workers {workers} is more than {WORKERS_PER_CORE} processes "
                         f"per core ({cores} core(s) here: at most "
                         f"{WORKERS_PER_CORE * cores}); more processes than cores only "
                         "compete for them")
    how = "(--max-memory GIB, default half the physical memory)"
    work = workers * worker_bytes(cfg, width)
    if work > limit:
        uses = ("--batch" if cfg.optimizer == "sgd" or not cfg.closed_form else "--k/--d")
        raise InputError(f"{workers} worker(s) training {width} runs each at once would "
                         f"need about {_gib(work)} (k = {cfg.k}, d = {cfg.d}, batch "
                         f"{cfg.batch}), above the memory limit {_gib(limit)} {how}: "
                         f"use a smaller {uses} or fewer --workers")
    per = record_bytes(cfg)
    if cfg.runs * per > limit - work:
        raise InputError(f"--runs {cfg.runs} would hold about {_gib(cfg.runs * per)} of "
                         f"run records ({per} bytes per run at k = {cfg.k}, d = {cfg.d}), "
                         f"above the memory limit {_gib(limit)} {how}: use fewer runs, "
                         "or split the sweep with --out and --seed")
