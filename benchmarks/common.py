"""Helpers shared by the benchmark scripts: BLAS threads pinned (and printed), the load of
the machine, timing a command in a fresh process, and the figures measured before the
change (for the side-by-side columns)."""
import os
import subprocess
import sys
import time

from threadpoolctl import threadpool_info, threadpool_limits

__all__ = ["pin_blas", "header", "run_fresh", "OLD"]

#: figures measured on this machine before the layering change (commit 0520c80), seconds
OLD = {
    "critical type-A k=12 (CLI, cold)": 1.13,
    "threshold type-A": 23.0, "threshold type-A3": 80.0, "threshold type-A5": 179.0,
    "search ΔS_{k-1} k=10, 300 starts": 43.0, "series type-A2 --order 3": 19.0,
    "critical type-A5 --k 14": 11.5, "symcrit --help": 0.84,
    "critical k=1000": 0.25, "critical k=10^6": 0.244, "critical k=10^12": 0.324,
    "series type-A order 12": 6.4, "certify k=6..10^4": 47.8,
}


def pin_blas(threads=1):
    """Limit BLAS to ``threads`` threads (the dense baselines' ratios otherwise swing with
    the number of cores BLAS grabs) and return the limiter (keep it alive)."""
    return threadpool_limits(threads, user_api="blas")


def header(name):
    """Print what the figures depend on: BLAS threads, cores, load."""
    blas = [f"{i.get('internal_api')}:{i.get('num_threads')}" for i in threadpool_info()
            if i.get("user_api") == "blas"]
    load = os.getloadavg() if hasattr(os, "getloadavg") else ("?",)
    print(f"{name}: {os.cpu_count()} cores, BLAS threads {', '.join(blas) or '?'}, "
          f"load average {' '.join(f'{x:.2f}' for x in load)}")


def run_fresh(args, env=None):
    """Wall time of ``python -m symcrit ARGS`` in a fresh process (seconds) and its exit
    code."""
    t = time.perf_counter()
    p = subprocess.run([sys.executable, "-m", "symcrit", *args], capture_output=True,
                       env=env)
    return time.perf_counter() - t, p.returncode
