from __future__ import annotations

import duckdb

from muse_duckdb import Repository
from tests.muse_duckdb.states import band_state, notes, with_notes


def _repo(tmp_path):
    repo = Repository.open(tmp_path / "m.duckdb", "p")
    repo.commit(band_state(), "one")
    repo.commit(with_notes(band_state(), "bass/verse", notes([40])), "two")
    return repo


def test_a_healthy_repository_passes_the_deep_check(tmp_path):
    report = _repo(tmp_path).check_integrity(deep=True)
    assert report.ok
    assert report.counts["commits"] == 2
    assert report.to_dict()["ok"] is True


def _tamper(tmp_path, sql: str) -> None:
    con = duckdb.connect(str(tmp_path / "m.duckdb"))
    con.execute(sql)
    con.close()


def test_a_missing_object_is_reported(tmp_path):
    repo = _repo(tmp_path)
    _tamper(tmp_path, "DELETE FROM region_objects WHERE object_key = 1")
    report = repo.check_integrity()
    assert not report.ok
    assert any("missing object 1" in p for p in report.problems)
    assert any("belong to no object" in p for p in report.problems)


def test_missing_parents_snapshots_and_refs_are_reported(tmp_path):
    repo = _repo(tmp_path)
    first = repo.log()[-1]
    _tamper(tmp_path, f"DELETE FROM commits WHERE commit_id = '{first.commit_id}'")
    _tamper(tmp_path, "UPDATE refs SET commit_id = 'nothing'")
    problems = repo.check_integrity().problems
    assert any("missing parent" in p for p in problems)
    assert any("points at missing commit nothing" in p for p in problems)


def test_the_deep_check_catches_altered_content(tmp_path):
    repo = _repo(tmp_path)
    _tamper(tmp_path, "UPDATE object_notes SET velocity = 1 WHERE object_key = 1")
    assert repo.check_integrity().ok  # every reference still resolves
    problems = repo.check_integrity(deep=True).problems
    assert any("content hashes to" in p for p in problems)
