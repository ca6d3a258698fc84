"""Benchmark (issue 18): the commands users wait for, each in a fresh process on a warm
disk cache (best of 2), beside the figures measured before (benchmarks/common.py OLD).
Targets: every threshold under 3 s, search of a 5-parameter fixed space with 300 starts
under 5 s, every `critical` call for a catalogue family under 1 s.

    python benchmarks/bench_edges.py
"""
import os
import sys
import tempfile

from common import OLD, header, run_fresh

CASES = [
    ("threshold type-A", ["threshold", "type-A"], 3.0),
    ("threshold type-A3", ["threshold", "type-A3"], 3.0),
    ("threshold type-A5", ["threshold", "type-A5"], 3.0),
    ("search ΔS_{k-1} k=10, 300 starts", ["search", "ΔS_{k-1}", "--k", "10", "--starts", "300"],
     5.0),
    ("critical type-A5 --k 14", ["critical", "type-A5", "--k", "14"], 1.0),
    ("series type-A2 --order 3", ["series", "type-A2", "--order", "3"], None),
] + [(f"critical {f} --k 14", ["critical", f, "--k", "14"], 1.0)
     for f in ("type-A", "type-A2", "type-A3", "type-A4", "hidden-A", "hidden-D")]


def main():
    header("bench_edges")
    env = dict(os.environ, SYMCRIT_CACHE=tempfile.mkdtemp(prefix="symcrit-bench-"))
    for _, args, _ in CASES:                 # warm the disk cache
        run_fresh(args, env)
    print(f"{'command':36s} {'now (s)':>8s} {'before (s)':>11s} {'ratio':>7s} {'target':>7s}")
    for name, args, target in CASES:
        t = min(run_fresh(args, env)[0] for _ in range(2))
        old = OLD.get(name)
        ratio = f"{old / t:7.1f}" if old else f"{'-':>7s}"
        verdict = "" if target is None else ("met" if t < target else "NOT met")
        print(f"{name:36s} {t:8.2f} {old if old else '-':>11} {ratio} "
              f"{target if target else '-':>7} {verdict}")
    print("(times include the start-up of Python and of symcrit, about 0.5 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
