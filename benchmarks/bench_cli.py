"""CLI startup: ``muse`` and ``maestro-lab`` versus ``git``, as a user runs them.

Every figure is the wall time of a whole subprocess (interpreter start,
imports, opening the database, output), measured in the same run, the
commands interleaved round by round so that both sides see the same machine
load. The repositories are equivalent: ten commits of the same ten MIDI
takes (one file changing each time) with the same messages, in a Muse
database and in a git repository.

Pairs: ``muse --help`` / ``git --help``, ``muse log`` / ``git log``,
``muse status`` / ``git status``; then ``maestro-lab --help`` and two
floors that bound what any Python CLI using DuckDB can reach here
(``python -c pass`` and ``python -c "import duckdb"``). The goal for every
Muse and maestro-lab command is 150 ms.

Run ``python benchmarks/bench_cli.py`` (about a minute) or ``--quick``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GOAL_MS = 150.0
BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    local = BIN / name
    return str(local) if local.exists() else (shutil.which(name) or name)


def build(workdir: Path) -> tuple[Path, Path]:
    """Ten MIDI takes committed to a Muse database and to a git repository."""
    from muse_duckdb import Repository
    from storpheus.io import read_midi, write_midi
    from storpheus.notes import NoteArray
    from storpheus.score import Score, Track

    takes = workdir / "takes"
    takes.mkdir()
    db = workdir / "song.duckdb"
    repo = Repository.open(db, "default")
    git_dir = workdir / "git"
    git_dir.mkdir()
    env = _git_env()
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=git_dir, env=env, check=True)
    for i in range(10):
        pitches = [48 + (i * 7 + k * 5) % 36 for k in range(32)]
        notes = NoteArray(pitches, 90, [k * 0.5 for k in range(32)], 0.5)
        take = takes / f"take{i}.mid"
        write_midi(Score((Track("Piano", notes),), bpm=120), take)
        repo.commit(read_midi(take), f"take {i}", author="ada")
        shutil.copy(take, git_dir / "song.mid")
        subprocess.run(["git", "add", "song.mid"], cwd=git_dir, env=env, check=True)
        subprocess.run(["git", "commit", "-q", "-m", f"take {i}"], cwd=git_dir, env=env, check=True)
    repo.checkpoint()
    return db, git_dir


def _git_env() -> dict[str, str]:
    return {
        **os.environ,
        "GIT_AUTHOR_NAME": "ada",
        "GIT_AUTHOR_EMAIL": "ada@example.invalid",
        "GIT_COMMITTER_NAME": "ada",
        "GIT_COMMITTER_EMAIL": "ada@example.invalid",
        "GIT_PAGER": "cat",
        "PAGER": "cat",
    }


def commands(db: Path, git_dir: Path) -> dict[str, tuple[list[str], Path]]:
    """Name -> (argv, working directory)."""
    muse = [_tool("muse"), "--db", str(db)]
    py = sys.executable
    return {
        "muse --help": ([*muse, "--help"], db.parent),
        "git --help": (["git", "--help"], git_dir),
        "muse log": ([*muse, "log"], db.parent),
        "git log": (["git", "log"], git_dir),
        "muse status": ([*muse, "status"], db.parent),
        "git status": (["git", "status"], git_dir),
        "maestro-lab --help": ([_tool("maestro-lab"), "--help"], db.parent),
        "python -c pass": ([py, "-c", "pass"], db.parent),
        'python -c "import duckdb"': ([py, "-c", "import duckdb"], db.parent),
    }


def measure(cmds: dict[str, tuple[list[str], Path]], rounds: int) -> dict[str, list[float]]:
    """Wall times in ms, every command once per round (interleaved), after one warm-up."""
    env = _git_env()
    times: dict[str, list[float]] = {name: [] for name in cmds}
    for r in range(rounds + 1):
        for name, (argv, cwd) in cmds.items():
            start = time.perf_counter()
            out = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, check=False)
            elapsed = (time.perf_counter() - start) * 1000
            if out.returncode != 0:
                raise RuntimeError(f"{name} exited {out.returncode}: {out.stderr[-500:]!r}")
            if r:  # round 0 warms the page cache
                times[name].append(elapsed)
    return times


def render(times: dict[str, list[float]]) -> str:
    def med(name: str) -> float:
        return statistics.median(times[name])

    rows = []
    for muse_cmd, git_cmd in (
        ("muse --help", "git --help"),
        ("muse log", "git log"),
        ("muse status", "git status"),
    ):
        m, g = med(muse_cmd), med(git_cmd)
        verdict = "ok" if m <= GOAL_MS else "OVER"
        rows.append((muse_cmd, f"{m:.1f}", git_cmd, f"{g:.1f}", f"{m / g:.1f}x", verdict))
    m = med("maestro-lab --help")
    rows.append(("maestro-lab --help", f"{m:.1f}", "", "", "", "ok" if m <= GOAL_MS else "OVER"))
    for floor in ("python -c pass", 'python -c "import duckdb"'):
        rows.append((floor, f"{med(floor):.1f}", "", "", "", "floor"))
    header = ("command", "ms (median)", "peer", "peer ms", "muse/git", f"<= {GOAL_MS:.0f} ms")
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]
    out = ["  ".join(str(h).ljust(w) for h, w in zip(header, widths, strict=True))]
    out.append("  ".join("-" * w for w in widths))
    out += ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    n = len(next(iter(times.values())))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    out.append("")
    out.append(
        f"wall time of whole processes, median of {n} interleaved rounds; "
        f"{os.cpu_count()} CPUs, load average {load:.1f} at the end"
    )
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 rounds instead of 15")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    if shutil.which("git") is None:
        print("git not found: the peer columns need the git CLI", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="bench_cli_") as tmp:
        db, git_dir = build(Path(tmp))
        times = measure(commands(db, git_dir), 3 if args.quick else 15)
    print(render(times))
    if args.json:
        summary = {name: statistics.median(t) for name, t in times.items()}
        args.json.write_text(json.dumps({"median_ms": summary, "samples_ms": times}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
