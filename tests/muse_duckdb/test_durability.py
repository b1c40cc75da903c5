"""A commit killed half way leaves the previous HEAD and no partial rows."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb

from muse_duckdb import Repository
from tests.muse_duckdb.states import piano_state

ROOT = Path(__file__).resolve().parents[2]

BIG_COMMIT = """
import sys, time
sys.path.insert(0, {root!r})
import numpy as np
from muse_duckdb import ProjectState, RegionState, Repository, TrackState
from storpheus.notes import NoteArray
{patch}
rng = np.random.default_rng(0)
tracks = tuple(TrackState(f"t{{i}}", f"T{{i}}") for i in range(12))
regions = []
for i, t in enumerate(tracks):
    for r in range(50):
        n = 2000
        regions.append(RegionState(f"t{{i}}/r{{r}}", t.track_id, r * 64.0, 64.0,
            notes=NoteArray(rng.integers(30, 90, n), rng.integers(1, 127, n),
                            np.sort(rng.integers(0, 64 * 8, n)) / 8, 0.25)))
state = ProjectState(tracks, tuple(regions))
repo = Repository.open({path!r}, "p")
print("START", flush=True)
repo.commit(state, "huge")
print("DONE", flush=True)
"""

PAUSE_MID_FLUSH = """
import muse_duckdb.storage.batch as w
_real_flush = w.Batch.flush
def flush(self):
    tables = list(self._tables)
    first = {k: self._tables.pop(k) for k in tables[: len(tables) // 2 + 1]}
    for table, parts in first.items():
        import pyarrow as pa
        self.conn.from_arrow(pa.concat_tables(parts)).insert_into(table)
    print("MID", flush=True)
    time.sleep(60)
    _real_flush(self)
w.Batch.flush = flush
"""


def _counts(path: Path) -> dict[str, int]:
    con = duckdb.connect(str(path), read_only=True)
    tables = ["commits", "snapshots", "snapshot_regions", "region_objects", "object_notes"]
    out = {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in tables}
    con.close()
    return out


def _prepare(tmp_path: Path) -> Path:
    path = tmp_path / "crash.duckdb"
    repo = Repository.open(path, "p")
    repo.commit(piano_state([60, 64]), "small")
    repo.commit(piano_state([60, 65]), "previous head")
    return path


def _run(path: Path, patch: str, wait_for: str, delay: float) -> str:
    """Start the big commit in a child, wait for ``wait_for``, sleep ``delay``, SIGKILL it."""
    code = textwrap.dedent(BIG_COMMIT).format(root=str(ROOT), path=str(path), patch=patch)
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    lines = []
    while True:
        line = proc.stdout.readline().strip()
        lines.append(line)
        if line == wait_for or not line:
            break
    time.sleep(delay)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    rest = proc.stdout.read()
    return "\n".join(lines) + rest


def _kill_and_check(path: Path, patch: str, wait_for: str, delay: float) -> bool:
    """Run the big commit, kill it; all of it or nothing of it is visible. True if nothing."""
    repo = Repository.open(path, "p")
    head = repo.head().commit_id
    log = repo.log().ids
    state = repo.snapshot()
    before = _counts(path)
    out = _run(path, patch, wait_for, delay)
    assert "DONE" not in out, "the commit finished before the kill; make it bigger"
    repo = Repository.open(path, "p")
    report = repo.check_integrity(deep=True)
    assert report.ok, report.problems
    killed_before_commit = repo.head().commit_id == head
    if killed_before_commit:
        assert repo.log().ids == log
        assert _counts(path) == before  # no partial rows of the killed commit
        assert repo.checkout("HEAD").state == state
    else:  # killed after COMMIT, while closing: the whole commit is there
        assert repo.log()[0].message == "huge"
        assert repo.log().ids[1:] == log
        assert repo.snapshot().n_notes == 12 * 50 * 2000
    repo.commit(piano_state([61, len(log)]), f"life goes on {len(log)}")
    assert repo.check_integrity().ok
    return killed_before_commit


def test_kill_in_the_middle_of_inserting_a_large_commit(tmp_path):
    path = _prepare(tmp_path)
    assert _kill_and_check(path, PAUSE_MID_FLUSH, "MID", 0.2)


def test_kill_at_random_moments_of_a_large_commit(tmp_path):
    path = _prepare(tmp_path)
    outcomes = [_kill_and_check(path, "", "START", delay) for delay in (0.02, 0.1, 0.25)]
    assert outcomes[0]  # 20 ms after starting a commit of 1.2M notes it cannot be done
