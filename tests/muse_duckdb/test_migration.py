"""A database written by the code before the ``variations`` table is carried forward.

``tests/data/muse_v1.duckdb`` was written by Muse at schema version 1 (two
commits on ``main``, a branch, a namespaced tag; fixed clock), before this
version added saved variations. Opening it migrates it to the current
schema in place; every id, ref and note stays as it was.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from muse_duckdb import Repository
from muse_duckdb.errors import NotARepositoryError
from muse_duckdb.storage.schema import MUSE_SCHEMA
from storpheus.notes import NoteArray

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "muse_v1.duckdb"
FIRST = "bad2420fb02e9c1b6d9cb480f7607e0a1373d7f6b1c31fdecc644021bab29e2c"
SECOND = "c94e02b4b96af2cef7c75ef28c9012ffef36f018359603bd746623be1a106d8f"
SECOND_SNAPSHOT = "3ab237b029f2f49e1ead1ee5feffccd7c997b8479954b527b7df7186a82d0cf0"


@pytest.fixture
def old_file(tmp_path: Path) -> Path:
    path = tmp_path / "old.duckdb"
    shutil.copy(FIXTURE, path)
    return path


def _version(path: Path) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute(
            "SELECT version FROM muse_schema_versions WHERE component = 'muse'"
        ).fetchall()
    finally:
        con.close()
    return int(rows[0][0])


def test_the_fixture_is_at_version_1(old_file: Path) -> None:
    assert _version(old_file) == 1
    assert MUSE_SCHEMA.latest >= 2


def test_read_only_opening_says_the_file_needs_migrating(old_file: Path) -> None:
    repo = Repository.open(old_file, read_only=True)
    with pytest.raises(NotARepositoryError, match="needs migrating"):
        repo.log()
    assert _version(old_file) == 1  # nothing written


def test_opening_migrates_and_keeps_every_id_ref_and_note(old_file: Path) -> None:
    repo = Repository.open(old_file)
    log = repo.log()
    assert [c.commit_id for c in log] == [SECOND, FIRST]
    assert _version(old_file) == MUSE_SCHEMA.latest
    assert log[0].snapshot_id == SECOND_SNAPSHOT
    assert repo.snapshot().snapshot_id == SECOND_SNAPSHOT  # recomputed from the stored notes
    assert repo.branches() == {"main": SECOND, "idea": FIRST}
    assert repo.tags() == {"stage:draft": SECOND}
    assert log[1].metadata == {"seed": 7}
    assert [s.name for s in repo.snapshot().sections] == ["verse", "hook"]
    assert repo.check_integrity(deep=True).ok
    # the new table works on the migrated file
    state = repo.snapshot()
    hook = state.region("bass/hook")
    n = hook.notes
    loud = NoteArray(n.pitch, 120, n.start_beat, n.duration_beats, n.channel)
    louder = state.with_regions([hook.with_events(notes=loud)])
    v = repo.saved_variations.propose(louder, "louder hook")
    commit = repo.saved_variations.accept(v.variation_id)
    assert commit.parents == (SECOND,)
    assert repo.snapshot().region("bass/hook").notes.velocity.tolist() == [120, 120]
