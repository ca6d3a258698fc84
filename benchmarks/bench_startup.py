"""Benchmark (issue 19): the start-up of every command.  ``symcrit --help`` (target
0.3 s) and ``symcrit critical type-A --k 12`` cold (empty disk cache) and warm (the
derived losses read from the cache; target 0.5 s), each in a fresh process, best of 3.

    python benchmarks/bench_startup.py
"""
import os
import sys
import tempfile

from common import OLD, header, run_fresh


def best(args, env, n=3):
    times = []
    for _ in range(n):
        t, rc = run_fresh(args, env)
        assert rc == 0, (args, rc)
        times.append(t)
    return min(times)


def main():
    header("bench_startup")
    env = dict(os.environ, SYMCRIT_CACHE=tempfile.mkdtemp(prefix="symcrit-bench-"))
    t_help = best(["--help"], env)
    cold, rc = run_fresh(["critical", "type-A", "--k", "12"], env)
    warm = best(["critical", "type-A", "--k", "12"], env)
    print(f"{'':40s} {'now (s)':>9s} {'before (s)':>11s} {'target':>8s}")
    print(f"{'symcrit --help':40s} {t_help:>9.3f} {OLD['symcrit --help']:>11.2f} "
          f"{'0.3':>8s}  {'met' if t_help < 0.3 else 'NOT met'}")
    print(f"{'critical type-A --k 12, cold cache':40s} {cold:>9.3f} "
          f"{OLD['critical type-A k=12 (CLI, cold)']:>11.2f} {'-':>8s}")
    print(f"{'critical type-A --k 12, warm cache':40s} {warm:>9.3f} "
          f"{OLD['critical type-A k=12 (CLI, cold)']:>11.2f} {'0.5':>8s}  "
          f"{'met' if warm < 0.5 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
