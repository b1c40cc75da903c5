"""reproduce: same snapshot and MIDI bytes in a fresh process; differences named by role."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import maestro_lab
from maestro_lab.errors import ReproductionError, ReproductionMismatchError, UnknownBackendError
from maestro_lab.planner import CompositionPlan
from maestro_lab.runtime.backends_registry import register_backend, unregister_backend
from muse_duckdb import ProjectState, RegionState, Repository, TrackState
from storpheus.backends.testing import SeededTestBackend
from storpheus.notes import NoteArray
from tests.maestro_lab.compose_fixtures import FULL_PROMPT, SMALL_PROMPT, WOBBLE, WobblyBackend

ROOT = Path(__file__).resolve().parents[2]
_MAIN = "import sys; from maestro_lab.cli import main; sys.exit(main(sys.argv[1:]))"


@pytest.fixture
def wobbly() -> Iterator[None]:
    register_backend("wobbly", WobblyBackend, replace=True)
    WOBBLE["bass"] = False
    yield
    WOBBLE["bass"] = False
    unregister_backend("wobbly")


def _fresh_process(args: list[str], hashseed: str) -> dict[str, object]:
    env = {**os.environ, "PYTHONHASHSEED": hashseed}
    done = subprocess.run(
        [sys.executable, "-c", _MAIN, *args, "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    payload = json.loads(done.stdout)
    assert isinstance(payload, dict)
    return payload


@pytest.mark.parametrize(
    ("compose_workers", "compose_seed", "reproduce_workers", "reproduce_seed"),
    [(1, "0", 2, "4242"), (2, "99", 1, "1")],
)
def test_compose_then_reproduce_in_a_fresh_process_gives_identical_bytes(
    tmp_path: Path,
    compose_workers: int,
    compose_seed: str,
    reproduce_workers: int,
    reproduce_seed: str,
) -> None:
    db, prompt = tmp_path / "lab.duckdb", tmp_path / "prompt.txt"
    prompt.write_text(FULL_PROMPT)
    composed = _fresh_process(
        [
            *("compose", str(prompt), "--seed", "7", "--candidates", "6", "--db", str(db)),
            *("--out", str(tmp_path / "out"), "--workers", str(compose_workers), "--no-progress"),
        ],
        compose_seed,
    )
    commit = str(composed["commitId"])
    reproduced = _fresh_process(
        [
            *("reproduce", commit[:12], "--db", str(db), "--out", str(tmp_path / "again")),
            *("--workers", str(reproduce_workers)),
        ],
        reproduce_seed,
    )
    assert reproduced["ok"] is True
    assert reproduced["reproducedSnapshotId"] == composed["snapshotId"]
    original = Path(str(composed["midiPath"])).read_bytes()
    again = Path(str(reproduced["midiPath"])).read_bytes()
    assert again == original


def test_reproduce_in_process_matches_with_any_worker_count(tmp_path: Path) -> None:
    db = tmp_path / "lab.duckdb"
    result = maestro_lab.compose(SMALL_PROMPT, seed=3, db=db, out=None, workers=2)
    for workers in (1, 3):
        again = maestro_lab.reproduce(result.commit_id, db, workers=workers)
        assert again.ok
        assert again.reproduced_snapshot_id == result.snapshot_id
        assert again.run_id == result.run_id
        assert again.warnings == ()  # planning the prompt again gives the recorded plan
        again.raise_for_mismatch()  # no error


def test_partial_acceptance_reproduces_the_same_phrases(tmp_path: Path) -> None:
    db = tmp_path / "lab.duckdb"
    maestro_lab.compose(SMALL_PROMPT, seed=1, db=db, out=None)
    pending = maestro_lab.propose(SMALL_PROMPT, seed=2, db=db, out=None)
    chosen = [p for p in pending.phrase_ids if ":bass/" in p]
    result = pending.accept(chosen)
    again = maestro_lab.reproduce(result.commit_id, db)
    assert again.ok
    assert again.warnings == ()


def test_a_planner_that_changed_since_is_a_warning_not_a_mismatch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "lab.duckdb"
    result = maestro_lab.compose(SMALL_PROMPT, seed=3, db=db, out=None)
    import maestro_lab.planner as planner

    real = planner.plan

    def drifted(
        prompt: str,
        project: dict[str, object] | None = None,
        seed: int | None = None,
        *,
        num_candidates: int | None = None,
    ) -> CompositionPlan:
        moved = None if seed is None else seed + 1
        return real(prompt, project, moved, num_candidates=num_candidates)

    monkeypatch.setattr(planner, "plan", drifted)
    again = maestro_lab.reproduce(result.commit_id, db)
    assert again.ok
    assert len(again.warnings) == 1
    assert "plans this prompt differently" in again.warnings[0]


def test_a_drifting_backend_is_reported_by_role_and_section(tmp_path: Path, wobbly: None) -> None:
    db = tmp_path / "lab.duckdb"
    result = maestro_lab.compose(SMALL_PROMPT, seed=3, db=db, out=None, backend="wobbly")
    assert maestro_lab.reproduce(result.commit_id, db).ok
    WOBBLE["bass"] = True
    drifted = maestro_lab.reproduce(result.commit_id, db)
    assert not drifted.ok
    assert not drifted.same_snapshot
    assert not drifted.same_midi
    regions = [d for d in drifted.differences if d.kind == "region"]
    assert {(d.role, d.section) for d in regions} == {("bass", "verse"), ("bass", "chorus")}
    with pytest.raises(ReproductionMismatchError, match="bass/verse") as caught:
        drifted.raise_for_mismatch()
    assert "MIDI bytes differ" in caught.value.differences


def test_a_commit_not_made_by_compose_cannot_be_reproduced(tmp_path: Path) -> None:
    db = tmp_path / "lab.duckdb"
    repo = Repository.open(db, "default")
    piano = TrackState("piano", "Piano")
    region = RegionState("piano/a", "piano", 0, 4, notes=NoteArray([60], 90, [0.0], 1.0))
    commit = repo.commit(ProjectState((piano,), (region,)), "by hand")
    with pytest.raises(ReproductionError, match="no recorded composition inputs"):
        maestro_lab.reproduce(commit.commit_id, db)


def test_another_backend_version_is_refused_with_both_ids(tmp_path: Path) -> None:
    db = tmp_path / "lab.duckdb"

    class Newer(SeededTestBackend):
        version = "2"

    result = maestro_lab.compose(SMALL_PROMPT, seed=3, db=db, out=None, backend="testing")
    with pytest.raises(ReproductionError, match=r"testing@1.*testing@2"):
        maestro_lab.reproduce(result.commit_id, db, backend=Newer())


def test_an_unregistered_backend_name_is_a_clear_error(tmp_path: Path, wobbly: None) -> None:
    db = tmp_path / "lab.duckdb"
    result = maestro_lab.compose(SMALL_PROMPT, seed=3, db=db, out=None, backend="wobbly")
    unregister_backend("wobbly")
    with pytest.raises(UnknownBackendError, match="wobbly"):
        maestro_lab.reproduce(result.commit_id, db)


def test_another_scorer_is_refused_unless_it_is_the_recorded_one(tmp_path: Path) -> None:
    db = tmp_path / "lab.duckdb"
    spec = "storpheus.scoring.scorer:default_scorer"
    result = maestro_lab.compose(SMALL_PROMPT, seed=3, db=db, out=None, scorer=spec)
    record = json.loads(Repository.open(db, "default").get_commit("HEAD").metadata_json)
    assert record["maestro"]["scorer"]["spec"] == spec
    assert maestro_lab.reproduce(result.commit_id, db, scorer=spec).ok
    from storpheus.scoring import Scorer

    other = Scorer().with_weights(key_compliance=3.0)
    with pytest.raises(ReproductionError, match="scorer"):
        maestro_lab.reproduce(result.commit_id, db, scorer=other)


def test_a_recorded_module_scorer_is_never_imported_by_reproduce(tmp_path: Path) -> None:
    from storpheus.scoring import UnregisteredScorerError

    db = tmp_path / "lab.duckdb"
    spec = "storpheus.scoring.scorer:default_scorer"
    result = maestro_lab.compose(SMALL_PROMPT, seed=3, db=db, out=None, scorer=spec)
    with pytest.raises(UnregisteredScorerError, match="never imported on its own say"):
        maestro_lab.reproduce(result.commit_id, db)


def test_a_registered_scorer_name_is_recorded_and_reproduces(tmp_path: Path) -> None:
    from storpheus.scoring import Scorer, register_scorer, unregister_scorer

    register_scorer("key-heavy", lambda: Scorer().with_weights(key_compliance=3.0))
    try:
        db = tmp_path / "lab.duckdb"
        result = maestro_lab.compose(SMALL_PROMPT, seed=3, db=db, out=None, scorer="key-heavy")
        record = json.loads(Repository.open(db, "default").get_commit("HEAD").metadata_json)
        assert record["maestro"]["scorer"]["spec"] == "key-heavy"
        assert maestro_lab.reproduce(result.commit_id, db).ok
    finally:
        unregister_scorer("key-heavy")


def test_reproduce_of_a_tampered_scorer_record_imports_nothing(tmp_path: Path) -> None:
    import duckdb

    db = tmp_path / "lab.duckdb"
    maestro_lab.compose(SMALL_PROMPT, seed=3, db=db, out=None)
    marker = tmp_path / "imported"
    (tmp_path / "evil_scorer.py").write_text(
        f"open({str(marker)!r}, 'w').write('x')\nscorer = None\n", encoding="utf-8"
    )
    con = duckdb.connect(str(db))
    (metadata,) = con.execute("SELECT metadata FROM commits").fetchone()  # type: ignore[misc]
    record = json.loads(metadata)
    record["maestro"]["scorer"]["spec"] = "evil_scorer:scorer"
    con.execute("UPDATE commits SET metadata = ?", [json.dumps(record)])
    con.close()
    out = subprocess.run(
        [sys.executable, "-c", _MAIN, "reproduce", "HEAD", "--db", str(db), "--json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 2, out.stderr
    error = json.loads(out.stdout)["error"]
    assert error["type"] == "UnregisteredScorerError"
    assert "'evil_scorer:scorer'" in error["message"]
    assert "--scorer evil_scorer:scorer" in error["message"]
    assert not marker.exists()
