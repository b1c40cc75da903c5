from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from muse_duckdb import Repository
from muse_duckdb.errors import (
    NotARepositoryError,
    ReadOnlyRepositoryError,
    RepositoryLockedError,
    SchemaVersionError,
)
from muse_duckdb.storage.database import Database
from muse_duckdb.storage.schema import MUSE_SCHEMA, Migration, SchemaComponent
from tests.muse_duckdb.states import piano_state

ROOT = Path(__file__).resolve().parents[2]


def test_new_file_gets_the_schema_and_version(tmp_path):
    Repository.open(tmp_path / "m.duckdb")
    con = duckdb.connect(str(tmp_path / "m.duckdb"), read_only=True)
    versions = con.execute("SELECT component, version FROM muse_schema_versions").fetchall()
    tables = {
        r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    }
    con.close()
    assert versions == [("muse", MUSE_SCHEMA.latest)]
    assert set(MUSE_SCHEMA.tables) <= tables


def test_another_component_migrates_forward_in_the_same_file(tmp_path):
    path = tmp_path / "m.duckdb"
    repo = Repository.open(path)
    repo.commit(piano_state(), "kept")
    v1 = Migration(1, "runs", ("CREATE TABLE demo_runs (run_id VARCHAR)",))
    v2 = Migration(2, "status", ("ALTER TABLE demo_runs ADD COLUMN status VARCHAR",))
    with Database(path, components=(MUSE_SCHEMA, SchemaComponent("demo", (v1,)))).read():
        pass
    with Database(path, components=(MUSE_SCHEMA, SchemaComponent("demo", (v1, v2)))).read() as c:
        cols = [
            r[0]
            for r in c.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'demo_runs'"
            ).fetchall()
        ]
        versions = dict(c.execute("SELECT component, version FROM muse_schema_versions").fetchall())
    assert cols == ["run_id", "status"]
    assert versions == {"muse": MUSE_SCHEMA.latest, "demo": 2}
    assert [c.message for c in Repository.open(path).log()] == ["kept"]


def test_a_newer_schema_is_refused_with_the_versions(tmp_path):
    path = tmp_path / "m.duckdb"
    Repository.open(path)
    con = duckdb.connect(str(path))
    con.execute("UPDATE muse_schema_versions SET version = 99")
    con.close()
    with pytest.raises(SchemaVersionError) as info:
        Repository.open(path).log()
    assert (info.value.found, info.value.supported) == (99, MUSE_SCHEMA.latest)


def test_a_foreign_duckdb_file_is_not_a_repository(tmp_path):
    path = tmp_path / "other.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE customers (id INTEGER)")
    con.close()
    with pytest.raises(NotARepositoryError, match="customers") as info:
        Repository.open(path).log()
    assert info.value.path == path


@pytest.mark.parametrize(
    "content", [b"not a database at all" * 100, b"\x00" * 4096, b"SQLite format 3\x00" + b"x" * 500]
)
def test_a_file_that_is_not_duckdb_is_rejected_and_left_untouched(tmp_path, content):
    path = tmp_path / "notes.duckdb"
    path.write_bytes(content)
    with pytest.raises(NotARepositoryError) as info:
        Repository.open(path).log()
    assert str(path) in str(info.value)
    assert path.read_bytes() == content


def test_a_truncated_database_is_reported_as_corrupt(tmp_path):
    path = tmp_path / "m.duckdb"
    repo = Repository.open(path)
    for i in range(5):
        repo.commit(piano_state([60 + i] * 1), f"c{i}")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(NotARepositoryError):
        Repository.open(path).log()


def test_missing_file_without_create_and_directories(tmp_path):
    with pytest.raises(NotARepositoryError, match="no such file"):
        Repository.open(tmp_path / "missing.duckdb", create=False)
    with pytest.raises(NotARepositoryError, match="is a directory"):
        Repository.open(tmp_path)
    with pytest.raises(NotARepositoryError, match="does not exist"):
        Repository.open(tmp_path / "no" / "dir.duckdb")


def test_read_only_repository_refuses_writes_but_reads(tmp_path):
    path = tmp_path / "m.duckdb"
    Repository.open(path).commit(piano_state(), "one")
    ro = Repository.open(path, read_only=True)
    assert [c.message for c in ro.log()] == ["one"]
    with pytest.raises(ReadOnlyRepositoryError, match="cannot commit"):
        ro.commit(piano_state([70]), "two")


def test_an_existing_connection_can_be_used(tmp_path):
    con = duckdb.connect(str(tmp_path / "shared.duckdb"))
    repo = Repository.open(con, "p")
    repo.commit(piano_state(), "via connection")
    assert con.execute("SELECT count(*) FROM commits").fetchall() == [(1,)]
    assert repo.path.endswith("shared.duckdb")
    con.close()


def _holder(path: Path, seconds: float) -> subprocess.Popen[str]:
    code = textwrap.dedent(
        f"""
        import sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from muse_duckdb import Repository
        repo = Repository.open({str(path)!r}, "p")
        with repo.session(write=True):
            print("HELD", flush=True)
            time.sleep({seconds})
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "HELD"
    return proc


def test_a_second_writer_gets_an_error_naming_the_database_and_the_holder(tmp_path):
    path = tmp_path / "locked.duckdb"
    Repository.open(path, "p").commit(piano_state(), "before")
    holder = _holder(path, 30)
    try:
        repo = Repository.open(path, "p", lock_timeout=0.3)
        start = time.monotonic()
        with pytest.raises(RepositoryLockedError) as info:
            repo.commit(piano_state([70]), "blocked")
        assert time.monotonic() - start < 5
        assert info.value.path == str(path)
        assert info.value.pid == holder.pid
        assert str(path) in str(info.value)
        assert f"PID {holder.pid}" in str(info.value)
    finally:
        holder.kill()
        holder.wait()
    repo = Repository.open(path, "p")
    assert [c.message for c in repo.log()] == ["before"]
    repo.commit(piano_state([70]), "after the holder died")
    assert repo.check_integrity().ok


def test_readers_wait_for_a_short_write_to_finish(tmp_path):
    path = tmp_path / "shared.duckdb"
    Repository.open(path, "p").commit(piano_state(), "before")
    holder = _holder(path, 0.5)
    try:
        reader = Repository.open(path, "p", lock_timeout=10)
        assert [c.message for c in reader.log()] == ["before"]
    finally:
        holder.wait()
