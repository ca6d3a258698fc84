"""Work on a pool of local processes that stops at once on Ctrl-C.

:func:`parallel_map` applies a function to many items in worker processes (forked, so
that compiled objects of the parent are inherited), in the order of the items, chunk by
chunk, calling ``progress`` as results arrive.  The workers ignore SIGINT: Ctrl-C raises
KeyboardInterrupt in the parent only, which terminates the pool at once and propagates,
the results received by then having been passed to ``progress``.

>>> parallel_map(abs, [-1, 2, -3], workers=1)
[1, 2, 3]
"""
from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["default_workers", "parallel_map"]


def default_workers(n_items: int, threshold: int = 64, most: int = 8) -> int:
    """The processes for ``n_items`` independent pieces of work: one below ``threshold``
    items, else the local cores (at most ``most``).

    >>> default_workers(3)
    1
    """
    if n_items < threshold:
        return 1
    return max(1, min(most, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                      else (os.cpu_count() or 1)))


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def parallel_map(func: Callable[[Any], Any], items: Iterable[Any], workers: int | None = None,
                 progress: Callable[[Any], Any] | None = None,
                 chunksize: int | None = None) -> list[Any]:
    """``[func(x) for x in items]`` on ``workers`` processes.

    Parameters
    ----------
    func : callable
        A module-level function (it is sent to the workers by reference).
    items : iterable
    workers : int, optional
        Processes; default :func:`default_workers`.  One worker: no pool, in this process.
    progress : callable, optional
        Called with each result as it arrives, in the order of ``items``.
    chunksize : int, optional
        Items sent to a worker at a time; default: about 8 chunks per worker, at most 16
        items each (a bar that moves, little overhead).

    Returns
    -------
    list
        The results in the order of ``items``.

    Raises
    ------
    KeyboardInterrupt
        Ctrl-C: the workers are terminated at once.
    Exception
        The first exception raised by ``func`` in a worker.
    """
    items = list(items)
    workers = default_workers(len(items)) if workers is None else max(1, int(workers))
    out = []
    if workers == 1 or len(items) < 2:
        for x in items:
            out.append(func(x))
            if progress:
                progress(out[-1])
        return out
    import multiprocessing as mp
    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
    chunksize = chunksize or max(1, min(16, len(items) // (8 * workers)))
    pool = ctx.Pool(min(workers, len(items)), initializer=_ignore_sigint)
    try:
        for r in pool.imap(func, items, chunksize=chunksize):
            out.append(r)
            if progress:
                progress(r)
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
    return out
