"""The process's DuckDB engine: files attached per operation, released in between."""

from __future__ import annotations

import itertools
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import duckdb

from muse_duckdb import Repository
from muse_duckdb.storage.database import Database
from muse_duckdb.storage.engine import WAL_LIMIT
from tests.muse_duckdb.states import piano_state

OPEN_WRITABLE = "import duckdb, sys; duckdb.connect(sys.argv[1]).close(); print('opened')"


def _other_process_can_write(path: Path) -> bool:
    out = subprocess.run(
        [sys.executable, "-c", OPEN_WRITABLE, str(path)], capture_output=True, text=True
    )
    return out.stdout.strip() == "opened"


def test_the_file_is_released_between_operations(tmp_path):
    path = tmp_path / "m.duckdb"
    repo = Repository.open(path, "p")
    repo.commit(piano_state([60]), "one")
    assert _other_process_can_write(path)
    assert repo.log()[0].message == "one"
    assert _other_process_can_write(path)


def test_a_held_session_keeps_other_processes_out_until_it_ends(tmp_path):
    path = tmp_path / "m.duckdb"
    repo = Repository.open(path, "p")
    with repo.session():
        repo.commit(piano_state([60]), "one")
        assert not _other_process_can_write(path)
    assert _other_process_can_write(path)


def test_two_databases_on_one_file_in_one_process_share_it(tmp_path):
    path = tmp_path / "m.duckdb"
    first = Repository.open(path, "p")
    first.commit(piano_state([60]), "one")
    second = Repository.open(path, "p")
    with first.database.write("outer") as conn:
        # a read of another Database object inside this write sees the file
        assert second.log()[0].message == "one"
        conn.execute("SELECT 1").fetchall()
    assert _other_process_can_write(path)


def test_a_file_the_caller_holds_open_in_this_process_is_joined(tmp_path):
    path = tmp_path / "m.duckdb"
    Repository.open(path, "p").commit(piano_state([60]), "one")
    own = duckdb.connect(str(path))
    try:
        repo = Repository.open(path, "p")
        repo.commit(piano_state([61]), "two")
        assert [c.message for c in repo.log()] == ["two", "one"]
        assert own.execute("SELECT count(*) FROM commits").fetchall() == [(2,)]
    finally:
        own.close()


def test_checkpoint_leaves_a_file_complete_without_its_log(tmp_path):
    path = tmp_path / "m.duckdb"
    repo = Repository.open(path, "p")
    for i in range(3):
        repo.commit(piano_state([60 + i]), f"commit {i}")
    repo.checkpoint()
    copy = tmp_path / "copy.duckdb"
    shutil.copyfile(path, copy)  # the file alone, without any .wal
    assert [c.message for c in Repository.open(copy, "p").log()] == [
        "commit 2",
        "commit 1",
        "commit 0",
    ]


def test_the_write_ahead_log_stays_bounded(tmp_path):
    path = tmp_path / "m.duckdb"
    repo = Repository.open(path, "p")
    sizes = []
    for i in range(40):
        repo.commit(piano_state([40 + i, 41 + i, 42 + i]), f"commit {i}")
        wal = Path(str(path) + ".wal")
        sizes.append(wal.stat().st_size if wal.exists() else 0)
    assert sizes[0] > 0  # a commit is durable in the log before any checkpoint
    assert max(sizes) <= WAL_LIMIT + max(b - a for a, b in itertools.pairwise(sizes))
    assert any(b < a for a, b in itertools.pairwise(sizes))  # checkpointed on the way
    assert len(repo.log()) == 40


def _commit_in_child(path: str) -> None:
    Repository.open(path, "p").commit(piano_state([70]), "from the child")


def test_a_forked_child_opens_the_file_with_its_own_engine(tmp_path):
    path = tmp_path / "m.duckdb"
    repo = Repository.open(path, "p")
    repo.commit(piano_state([60]), "parent")
    if "fork" not in multiprocessing.get_all_start_methods():  # pragma: no cover - not POSIX
        return
    child = multiprocessing.get_context("fork").Process(target=_commit_in_child, args=(str(path),))
    child.start()
    child.join(30)
    assert child.exitcode == 0
    assert [c.message for c in repo.log()] == ["from the child", "parent"]


def test_a_read_only_database_reads_a_file_with_a_pending_log(tmp_path):
    path = tmp_path / "m.duckdb"
    Repository.open(path, "p").commit(piano_state([60]), "in the log")
    reader = Repository(Database(path, read_only=True), "p")
    assert reader.log()[0].message == "in the log"
    assert os.path.exists(path)


COMMIT_THEN_HANG = """
import sys, time
sys.path.insert(0, {root!r})
from muse_duckdb import Repository
from tests.muse_duckdb.states import piano_state
Repository.open({path!r}, "p").commit(piano_state([62, 65]), "only in the log")
print("DONE", flush=True)
time.sleep(60)
"""


def test_a_commit_only_in_the_log_survives_a_killed_process(tmp_path):
    path = tmp_path / "m.duckdb"
    repo = Repository.open(path, "p")
    repo.commit(piano_state([60]), "first")
    repo.checkpoint()
    root = str(Path(__file__).resolve().parents[2])
    code = COMMIT_THEN_HANG.format(root=root, path=str(path))
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "DONE"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert Path(str(path) + ".wal").stat().st_size > 0  # not checkpointed: only the log has it
    assert [c.message for c in repo.log()] == ["only in the log", "first"]
    assert repo.check_integrity(deep=True).ok
