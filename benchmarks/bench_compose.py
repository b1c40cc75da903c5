"""One composition end to end, time split by stage: plan, generate, score, post-process, ...

The workload of the issue: a 4-role (drums, bass, chords, melody), 2-section,
16-bar lofi composition with 16 candidates per generation on the embedded
backend, composed by :func:`maestro_lab.compose` into a fresh Muse DuckDB
file (history and telemetry), MIDI written. After one warm-up run (imports,
caches, the file's schema), each repetition composes with a new seed into a
new project of the same database (``--fresh-db``: a new file per run, which
adds creating the file and its schema). The stages come from
the run's own timers (``CompositionResult.timings``); "other" is the rest of
the wall time (opening the database, events, contracts, the variation diff,
the MIDI file).

Goals (issue 7): total <= 2 s on the 2-core machine, and everything except
generation <= 10 % of the total.

Side by side with older code (``--against REF``): the same workload runs
once in a ``git worktree`` of ``REF`` and once on this checkout, each in its
own process (same interpreter, the worktree first on ``sys.path``), and a
ratio table compares the stage medians. The same composition's per-note
path is checked too: new code writes generated notes columnar (no
``stori_add_notes`` validated note by note between the backend and the
commit).

    python benchmarks/bench_compose.py            # full run (about 10 s)
    python benchmarks/bench_compose.py --quick    # smoke run (a few seconds)
    python benchmarks/bench_compose.py --against df2ab6f   # old vs new, one run
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

GOAL_TOTAL_S = 2.0
GOAL_NON_GENERATION_SHARE = 0.10

PROMPT = """MAESTRO PROMPT
Mode: compose
Style: lofi
Key: Am
Role: [drums, bass, chords, melody]
Constraints: {sections: {verse: 8, chorus: 8}}
"""

STAGES = (
    ("plan", ("plan",)),
    ("generate", ("generate",)),
    ("score", ("score",)),
    ("post-process", ("postprocess",)),
    ("commit", ("commit", "commit_close")),
    ("telemetry", ("record", "telemetry")),
)
"""Reported stage -> the run timers it adds up."""

PARTS = (
    ("commit", "commit", "the Muse commit's statements (HEAD, snapshot, objects, refs)"),
    ("commit", "commit_close", "COMMIT and releasing the file (WAL sync, checkpoint)"),
    ("telemetry", "record", "building the telemetry batch from the agents' results"),
    ("telemetry", "telemetry", "events as JSON and the ingest statements"),
    ("other", "open", "opening the database, checking it is writable, reading HEAD"),
    ("other", "variation", "the variation (diff against the base) and its phrase events"),
    ("other", "midi", "writing the MIDI file"),
)
"""Run timers shown under their stage, so every millisecond is attributed."""


def _one(
    seed: int, candidates: int, workers: int, folder: Path, fresh_db: bool
) -> dict[str, float]:
    import maestro_lab

    db = folder / (f"bench-{seed}.duckdb" if fresh_db else "bench.duckdb")
    began = time.perf_counter()
    result = maestro_lab.compose(
        PROMPT,
        seed=seed,
        db=db,
        project=f"bench-{seed}",
        candidates=candidates,
        workers=workers,
        out=folder / "midi",
    )
    total = time.perf_counter() - began
    timings = dict(result.timings)
    row = {name: sum(timings.get(k, 0.0) for k in keys) for name, keys in STAGES}
    row["other"] = max(0.0, total - sum(row.values()))
    row["total"] = total
    row.update({f"{stage}/{part}": timings.get(part, 0.0) for stage, part, _ in PARTS})
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small workload for a smoke test")
    parser.add_argument("--candidates", type=int, default=16, help="candidates per generation")
    parser.add_argument("--repeats", type=int, default=7, help="timed runs")
    parser.add_argument("--workers", type=int, default=1, help="agent pool size")
    parser.add_argument(
        "--fresh-db",
        action="store_true",
        help="create a new database file per run (default: one file, a new project per run)",
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument(
        "--against",
        metavar="REF",
        help="also run the workload on git REF (a worktree) and print old vs new ratios",
    )
    args = parser.parse_args(argv)
    if args.against:
        return _side_by_side(args)
    candidates, repeats = args.candidates, args.repeats
    if args.quick:
        candidates, repeats = 4, 2
    with tempfile.TemporaryDirectory(prefix="bench-compose-") as tmp:
        folder = Path(tmp)
        fresh = args.fresh_db
        _one(0, candidates, args.workers, folder, fresh)  # warm-up: imports, caches, the file
        runs = [_one(s, candidates, args.workers, folder, fresh) for s in range(1, repeats + 1)]
    names = [name for name, _ in STAGES] + ["other", "total"]
    medians = {n: statistics.median(r[n] for r in runs) for n in names}
    total = medians["total"]
    non_generation = total - medians["generate"]
    verdict = {
        "total_s": round(total, 4),
        "total_goal_met": total <= GOAL_TOTAL_S,
        "non_generation_share": round(non_generation / total, 4),
        "non_generation_goal_met": non_generation / total <= GOAL_NON_GENERATION_SHARE,
        "non_generation_share_of_2s_budget": round(non_generation / GOAL_TOTAL_S, 4),
    }
    if args.json:
        json.dump(
            {
                "candidates": candidates,
                "repeats": repeats,
                "workers": args.workers,
                "fresh_db": args.fresh_db,
                "median_s": {n: round(v, 5) for n, v in medians.items()},
                **verdict,
            },
            sys.stdout,
            indent=2,
        )
        print()
        return 0
    where = "a new database file per run" if args.fresh_db else "one database, a project per run"
    print(
        f"compose: 4 roles x 2 sections, 16 bars, {candidates} candidates per generation, "
        f"embedded backend, workers={args.workers}; median of {repeats} runs ({where})\n"
    )
    header = f"{'stage':<14} {'median ms':>10} {'min ms':>8} {'max ms':>8} {'share':>7}"
    print(header)
    print("-" * len(header))
    for name in names:
        values = [r[name] for r in runs]
        print(
            f"{name:<14} {medians[name] * 1000:>10.1f} {min(values) * 1000:>8.1f} "
            f"{max(values) * 1000:>8.1f} {medians[name] / total:>7.1%}"
        )
        for stage, part, what in PARTS:
            if stage == name:
                value = statistics.median(r[f"{stage}/{part}"] for r in runs)
                print(f"  {part:<12} {value * 1000:>10.1f}   {what}")
    print()
    met = "met" if verdict["total_goal_met"] else "MISSED"
    print(f"goal: total <= {GOAL_TOTAL_S:.1f} s ............ {total:.3f} s ({met})")
    share = non_generation / total
    met = "met" if verdict["non_generation_goal_met"] else "MISSED"
    print(
        f"goal: non-generation <= {GOAL_NON_GENERATION_SHARE:.0%} of total ... "
        f"{share:.1%} of {total * 1000:.0f} ms ({met}); "
        f"{non_generation / GOAL_TOTAL_S:.1%} of the 2 s budget"
    )
    return 0


def _run_json(args: argparse.Namespace, source: Path) -> dict[str, object]:
    """The ``--json`` results of this benchmark run with ``source``'s packages first on the path."""
    command = [sys.executable, str(Path(__file__).resolve()), "--json"]
    command += ["--candidates", str(args.candidates), "--repeats", str(args.repeats)]
    command += ["--workers", str(args.workers)] + (["--quick"] if args.quick else [])
    command += ["--fresh-db"] if args.fresh_db else []
    env = {**os.environ, "PYTHONPATH": str(source)}
    out = subprocess.run(command, env=env, cwd=source, capture_output=True, text=True, check=True)
    probe = "import maestro_lab, pathlib; print(pathlib.Path(maestro_lab.__file__).parent.parent)"
    where = subprocess.run(
        [sys.executable, "-c", probe], env=env, cwd=source, capture_output=True, text=True
    ).stdout.strip()
    if Path(where).resolve() != source.resolve():
        raise RuntimeError(f"the run meant for {source} imported maestro_lab from {where}")
    result: dict[str, object] = json.loads(out.stdout)
    return result


def _round_medians(results: list[dict[str, object]]) -> dict[str, float]:
    """Per stage, the median of several runs' medians."""
    medians = [r["median_s"] for r in results]
    names = [name for name, _ in STAGES] + ["other", "total"]
    out = {}
    for name in names:
        values = [float(m[name]) for m in medians if isinstance(m, dict)]
        out[name] = statistics.median(values)
    return out


def _per_note_calls() -> int:
    """``stori_add_notes`` calls validated (note by note) while composing the workload once."""
    import maestro_lab
    from maestro_lab.runtime import tool_events
    from maestro_lab.tools import validation

    seen: list[str] = []
    real = validation.validate_tool_call

    def spy(call: validation.ToolCall, **kwargs: object) -> validation.ValidatedToolCall:
        seen.append(call.name)
        return real(call, **kwargs)  # type: ignore[arg-type]

    tool_events.validate_tool_call = spy  # type: ignore[assignment]
    try:
        with tempfile.TemporaryDirectory(prefix="bench-compose-") as tmp:
            maestro_lab.compose(PROMPT, seed=1, db=Path(tmp) / "n.duckdb", candidates=2, out=None)
    finally:
        tool_events.validate_tool_call = real
    return seen.count("stori_add_notes")


def _side_by_side(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="bench-compose-old-") as tmp:
        old_tree = Path(tmp) / "old"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(old_tree), args.against],
            check=True,
            capture_output=True,
        )
        try:  # alternate old and new so that a change in machine load hits both alike
            rounds = [(_run_json(args, old_tree), _run_json(args, ROOT)) for _ in range(3)]
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old_tree)],
                check=False,
                capture_output=True,
            )
    new = rounds[0][1]
    old_m, new_m = _round_medians([r[0] for r in rounds]), _round_medians([r[1] for r in rounds])
    per_note = _per_note_calls()
    if args.json:
        json.dump(
            {
                "against": args.against,
                "old_median_s": old_m,
                "new_median_s": new_m,
                "rounds": [{"old": o, "new": n} for o, n in rounds],
                "per_note_calls": per_note,
            },
            sys.stdout,
            indent=2,
        )
        print()
        return 0
    print(
        f"compose, old ({args.against}) vs new (this checkout): same workload, 3 alternating "
        f"rounds of {new['repeats']} compositions each, {new['candidates']} candidates; "
        "median over the rounds' medians\n"
    )
    header = f"{'stage':<14} {'old ms':>9} {'new ms':>9} {'new/old':>8}"
    print(header)
    print("-" * len(header))
    for name in [name for name, _ in STAGES] + ["other", "total"]:
        before, after = old_m[name], new_m[name]
        ratio = f"{after / before:>8.2f}" if before > 0 else f"{'-':>8}"
        print(f"{name:<14} {before * 1000:>9.1f} {after * 1000:>9.1f} {ratio}")
    print()
    total_old, total_new = old_m["total"], new_m["total"]
    verdict = "no slower" if total_new <= total_old * 1.05 else "SLOWER"
    print(f"total: new/old = {total_new / total_old:.3f} ({verdict}, 5 % noise allowance)")
    print(f"stori_add_notes calls validated note by note per composition (new): {per_note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
