"""Embedded backend throughput: candidates generated per second per core, per role.

For each role, at 8 and 32 bars, the script times ``EmbeddedBackend.generate``
over every style (one request of ``--candidates`` candidates per style) and
reports the median rate over ``--repeats`` runs, side by side with the goal
of the issue (500 candidates/s per core for an 8-bar part) and the ratio to
it. The process is pinned to one CPU where the OS allows, so the rate is per
core. Candidates include everything the backend does: context building,
rendering, clean-up and validation into a NoteArray.

    python benchmarks/bench_embedded.py            # full run (about a minute)
    python benchmarks/bench_embedded.py --quick    # smoke run (a few seconds)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

from storpheus.backends.base import GenerationRequest
from storpheus.backends.embedded import ROLES, EmbeddedBackend, style_names

GOAL_PER_CORE = 500.0


def _pin_to_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    return "not pinned (no sched_setaffinity on this OS)"


def _rate(
    backend: EmbeddedBackend, role: str, bars: int, styles: list[str], n: int, rep: int
) -> float:
    requests = [
        GenerationRequest(role=role, bars=bars, seed=1000 + rep, style=s, num_candidates=n)
        for s in styles
    ]
    began = time.perf_counter()
    for request in requests:
        backend.generate(request)
    elapsed = time.perf_counter() - began
    return n * len(styles) / elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small workload for a smoke test")
    parser.add_argument("--candidates", type=int, default=32, help="candidates per request")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per cell")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    styles = list(style_names())
    n, repeats, bar_counts = args.candidates, args.repeats, (8, 32)
    if args.quick:
        styles, n, repeats = styles[:3], 4, 2
    pinning = _pin_to_one_core()
    backend = EmbeddedBackend()
    rows = []
    for role in ROLES:
        for bars in bar_counts:
            _rate(backend, role, bars, styles[:1], 2, -1)  # warm caches (seed index, voicings)
            rates = [_rate(backend, role, bars, styles, n, rep) for rep in range(repeats)]
            median = statistics.median(rates)
            rows.append(
                {
                    "role": role,
                    "bars": bars,
                    "median_per_s": round(median, 1),
                    "min_per_s": round(min(rates), 1),
                    "max_per_s": round(max(rates), 1),
                    "ms_per_candidate": round(1000.0 / median, 3),
                    "ratio_to_goal": round(median / GOAL_PER_CORE, 2),
                }
            )
    if args.json:
        json.dump({"pinning": pinning, "styles": len(styles), "rows": rows}, sys.stdout, indent=2)
        print()
        return 0
    print(f"EmbeddedBackend throughput, 1 core ({pinning}); {len(styles)} styles x {n} "
          f"candidates per run, median of {repeats} runs")  # fmt: skip
    print(f"goal (issue): {GOAL_PER_CORE:.0f} candidates/s per core for an 8-bar part\n")
    header = f"{'role':<8} {'bars':>4} {'cand/s (median)':>16} {'min':>8} {'max':>8} "
    header += f"{'ms/cand':>8} {'x goal':>7}  {'8-bar goal':<10}"
    print(header)
    print("-" * len(header))
    for row in rows:
        verdict = ("met" if row["ratio_to_goal"] >= 1 else "MISSED") if row["bars"] == 8 else ""
        print(
            f"{row['role']:<8} {row['bars']:>4} {row['median_per_s']:>16.0f} "
            f"{row['min_per_s']:>8.0f} {row['max_per_s']:>8.0f} {row['ms_per_candidate']:>8.2f} "
            f"{row['ratio_to_goal']:>7.2f}  {verdict:<10}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
