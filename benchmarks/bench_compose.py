"""Compose end to end at 8/32/64 bars x 4/16/64 candidates: where the time goes outside generation.

The workload: a 4-role (drums, bass, chords, melody), 2-section lofi
composition on the embedded backend, composed by :func:`maestro_lab.compose`
into one Muse DuckDB file (history and telemetry; a new project per run,
after a warm-up run that pays imports, caches and the file's schema), MIDI
written. Each cell of the grid (bars x candidates per generation) is composed
``--repeats`` times with new seeds; the table shows, per stage, the median
time and its share of the median total. The stages come from the run's own
timers (``CompositionResult.timings``):

==============  ===============================================================
open            opening the Muse database, checking it is writable, reading HEAD
plan            prompt -> plan
generate        the backend's candidates (the only stage that is "generation")
score           scoring and rejection sampling
post-process    finishing each chosen part (quantise, humanise, ...)
commit          the Muse commit's statements, COMMIT and releasing the file
telemetry       building the telemetry batch, events as JSON, the ingest
events          the variation (diff against the base) and its phrase events
MIDI            writing the MIDI file
other           the rest of the wall time (the agents' bookkeeping: contracts,
                tool calls, events, the state store)
==============  ===============================================================

Memory per compose is the ``tracemalloc`` peak of one extra, untimed compose
per cell (Python allocations; DuckDB's own buffers are not counted) and the
growth of the process's peak RSS over the cell.

Goals (issue 14): 64 bars x 64 candidates <= 2 s; the non-generation share
"as small as possible" on the embedded backend (<= 10 % on a backend as slow
as Orpheus, where generation takes seconds); with ``--against REF``, the
16 x 16 compose at least 2x faster than ``REF``'s code in the same run (each
side in its own process, 3 alternating rounds, the old code from a ``git
worktree`` of ``REF`` first on ``sys.path``).

    python benchmarks/bench_compose.py                     # the grid (about a minute)
    python benchmarks/bench_compose.py --quick             # smoke run (a few seconds)
    python benchmarks/bench_compose.py --against df2ab6f   # the grid + old vs new 16 x 16
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

GOAL_64X64_S = 2.0
GOAL_SPEEDUP_16X16 = 2.0
BARS: tuple[int, ...] = (8, 32, 64)
CANDIDATES: tuple[int, ...] = (4, 16, 64)
QUICK_BARS: tuple[int, ...] = (8,)
QUICK_CANDIDATES: tuple[int, ...] = (4, 16)

STAGES = (
    ("open", ("open",)),
    ("plan", ("plan",)),
    ("generate", ("generate",)),
    ("score", ("score",)),
    ("post-process", ("postprocess",)),
    ("commit", ("commit", "commit_close")),
    ("telemetry", ("record", "telemetry")),
    ("events", ("variation",)),
    ("MIDI", ("midi",)),
)
"""Reported stage -> the run timers it adds up."""

NAMES = [name for name, _ in STAGES] + ["other", "total"]


def prompt(bars: int) -> str:
    """The workload's prompt: two sections (verse, chorus) splitting ``bars``."""
    verse = bars // 2
    return (
        "MAESTRO PROMPT\nMode: compose\nStyle: lofi\nKey: Am\n"
        "Role: [drums, bass, chords, melody]\n"
        f"Constraints: {{sections: {{verse: {verse}, chorus: {bars - verse}}}}}\n"
    )


def _limits(bars: int, candidates: int) -> AbstractContextManager[object]:
    """Plan limits wide enough for the cell (the default stops at 8192 candidate-bars)."""
    try:
        from maestro_lab.planner.cost import plan_limits
    except ImportError:  # older code (``--against``) has no limits
        return nullcontext()
    return plan_limits(max_candidate_bars=max(8192, 4 * bars * candidates))


def _one(bars: int, candidates: int, seed: int, folder: Path) -> dict[str, float]:
    """One timed compose: seconds per stage, ``other`` and ``total``."""
    import maestro_lab

    with _limits(bars, candidates):
        began = time.perf_counter()
        result = maestro_lab.compose(
            prompt(bars),
            seed=seed,
            db=folder / "bench.duckdb",
            project=f"bench-{bars}-{candidates}-{seed}",
            candidates=candidates,
            out=folder / "midi",
        )
        total = time.perf_counter() - began
    timings = dict(result.timings)
    row = {name: sum(timings.get(k, 0.0) for k in keys) for name, keys in STAGES}
    row["other"] = max(0.0, total - sum(row.values()))
    row["total"] = total
    return row


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cell(bars: int, candidates: int, repeats: int, folder: Path) -> dict[str, object]:
    """Median stage times of ``repeats`` composes and the memory of one more."""
    rss_before = _peak_rss_mb()
    runs = [_one(bars, candidates, 1000 + s, folder) for s in range(repeats)]
    rss_growth = _peak_rss_mb() - rss_before
    tracemalloc.start()
    try:
        _one(bars, candidates, 999, folder)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    medians = {n: statistics.median(r[n] for r in runs) for n in NAMES}
    return {
        "bars": bars,
        "candidates": candidates,
        "median_s": medians,
        "min_total_s": min(r["total"] for r in runs),
        "tracemalloc_peak_mb": peak / 2**20,
        "peak_rss_growth_mb": rss_growth,
    }


def grid(
    bars: tuple[int, ...], candidates: tuple[int, ...], repeats: int
) -> list[dict[str, object]]:
    """Every cell of ``bars`` x ``candidates``, after one warm-up compose."""
    with tempfile.TemporaryDirectory(prefix="bench-compose-") as tmp:
        folder = Path(tmp)
        _one(8, 4, 0, folder)  # warm-up: imports, caches, the file's schema
        return [_cell(b, c, repeats, folder) for b in bars for c in candidates]


def _print_grid(cells: list[dict[str, object]], repeats: int) -> None:
    print(
        "compose: 4 roles x 2 sections, embedded backend, one database (a project per run); "
        f"median of {repeats} runs per cell\n"
        "per stage: median ms (share of the total); 'non-gen' = everything but generate\n"
    )
    header = f"{'bars x cand':<12}" + "".join(f"{n:>13}" for n in NAMES)
    header += f"{'non-gen':>9}{'tracemalloc':>13}{'RSS +':>8}"
    print(header)
    print("-" * len(header))
    for cell in cells:
        m = cell["median_s"]
        assert isinstance(m, dict)
        total = m["total"]
        line = f"{cell['bars']:>4} x {cell['candidates']:<5}"
        for name in NAMES:
            share = "" if name == "total" else f"({m[name] / total:>3.0%})"
            line += f"{m[name] * 1000:>{13 - len(share)}.1f}{share}"
        line += f"{(total - m['generate']) / total:>9.1%}"
        line += f"{cell['tracemalloc_peak_mb']:>10.1f} MB{cell['peak_rss_growth_mb']:>5.0f} MB"
        print(line)


def _verdict_64(cells: list[dict[str, object]]) -> dict[str, object] | None:
    for cell in cells:
        if cell["bars"] == 64 and cell["candidates"] == 64:
            m = cell["median_s"]
            assert isinstance(m, dict)
            return {"total_s": m["total"], "goal_s": GOAL_64X64_S, "met": m["total"] <= 2.0}
    return None


def _run_json(source: Path, repeats: int) -> dict[str, object]:
    """16 x 16 medians of this script run in ``--cell`` mode with ``source`` first on the path."""
    command = [sys.executable, str(Path(__file__).resolve()), "--cell", "16x16"]
    command += ["--repeats", str(repeats), "--json"]
    env = {**os.environ, "PYTHONPATH": str(source)}
    out = subprocess.run(command, env=env, cwd=source, capture_output=True, text=True, check=True)
    probe = "import maestro_lab, pathlib; print(pathlib.Path(maestro_lab.__file__).parent.parent)"
    where = subprocess.run(
        [sys.executable, "-c", probe], env=env, cwd=source, capture_output=True, text=True
    ).stdout.strip()
    if Path(where).resolve() != source.resolve():
        raise RuntimeError(f"the run meant for {source} imported maestro_lab from {where}")
    result: dict[str, object] = json.loads(out.stdout)[0]
    return result


def side_by_side(ref: str, repeats: int) -> dict[str, object]:
    """Old (``ref``) vs new 16 x 16 stage medians: 3 alternating rounds, median of medians."""
    with tempfile.TemporaryDirectory(prefix="bench-compose-old-") as tmp:
        old_tree = Path(tmp) / "old"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(old_tree), ref],
            check=True,
            capture_output=True,
        )
        try:  # alternate old and new so that a change in machine load hits both alike
            rounds = [(_run_json(old_tree, repeats), _run_json(ROOT, repeats)) for _ in range(3)]
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old_tree)],
                check=False,
                capture_output=True,
            )

    def medians(side: int) -> dict[str, float]:
        values = [r[side]["median_s"] for r in rounds]
        return {
            n: statistics.median(float(v[n]) for v in values if isinstance(v, dict)) for n in NAMES
        }

    old, new = medians(0), medians(1)
    return {
        "against": ref,
        "old_median_s": old,
        "new_median_s": new,
        "speedup": old["total"] / new["total"],
    }


def _print_side_by_side(result: dict[str, object]) -> None:
    old, new = result["old_median_s"], result["new_median_s"]
    assert isinstance(old, dict)
    assert isinstance(new, dict)
    print(
        f"\n16 bars x 16 candidates, old ({result['against']}) vs new (this checkout), each in "
        "its own process, 3 alternating rounds, median of the rounds' medians\n"
    )
    header = f"{'stage':<14} {'old ms':>9} {'new ms':>9} {'old/new':>8}"
    print(header)
    print("-" * len(header))
    for name in NAMES:
        before, after = old[name], new[name]
        ratio = f"{before / after:>8.2f}" if after > 0 else f"{'-':>8}"
        print(f"{name:<14} {before * 1000:>9.1f} {after * 1000:>9.1f} {ratio}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small grid, one run per cell")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per cell")
    parser.add_argument("--cell", metavar="BARSxCAND", help="only this cell (e.g. 16x16)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument(
        "--against",
        metavar="REF",
        help="also compose 16 x 16 on git REF (a worktree) and print old vs new, one run",
    )
    args = parser.parse_args(argv)
    repeats = 1 if args.quick else args.repeats
    bars, candidates = (QUICK_BARS, QUICK_CANDIDATES) if args.quick else (BARS, CANDIDATES)
    if args.cell:
        b, _, c = args.cell.partition("x")
        bars, candidates = (int(b),), (int(c),)
    cells = grid(bars, candidates, repeats)
    if args.cell and args.json:
        json.dump(cells, sys.stdout)
        print()
        return 0
    versus = side_by_side(args.against, 1 if args.quick else 5) if args.against else None
    verdict = _verdict_64(cells)
    if args.json:
        json.dump({"cells": cells, "goal_64x64": verdict, "against": versus}, sys.stdout, indent=2)
        print()
        return 0
    _print_grid(cells, repeats)
    if verdict is not None:
        met = "met" if verdict["met"] else "MISSED"
        print(
            f"\ngoal: 64 bars x 64 candidates <= {GOAL_64X64_S:.1f} s ... "
            f"{verdict['total_s']:.3f} s ({met})"
        )
    if versus is not None:
        _print_side_by_side(versus)
        speedup = float(versus["speedup"])  # type: ignore[arg-type]
        met = "met" if speedup >= GOAL_SPEEDUP_16X16 else "MISSED"
        print(
            f"\ngoal: 16 x 16 at least {GOAL_SPEEDUP_16X16:.0f}x faster than "
            f"{versus['against']} ... {speedup:.2f}x ({met})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
