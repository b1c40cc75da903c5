"""compose / stream / propose: commit, metadata, telemetry, events, branches, bad input."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

import maestro_lab
from maestro_lab.errors import (
    AgentError,
    InvalidMaestroPrompt,
    NothingToComposeError,
    UnknownBackendError,
)
from maestro_lab.runtime import session as session_module
from maestro_lab.runtime.events import (
    CompleteEvent,
    DoneEvent,
    ErrorEvent,
    MaestroEvent,
    MetaEvent,
    PhraseEvent,
    StateEvent,
)
from maestro_lab.runtime.ordering import check_event_order
from muse_duckdb import Repository, telemetry
from muse_duckdb.errors import (
    ReadOnlyRepositoryError,
    RepositoryLockedError,
    StaleBaseError,
    VariationStateError,
)
from storpheus.backends.testing import SeededTestBackend
from storpheus.io import score_to_midi_bytes
from storpheus.project import project_to_score
from storpheus.scoring import METRIC_NAMES, Scorer
from tests.maestro_lab.compose_fixtures import SMALL_PROMPT, assert_valid_wire, lock_held


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "lab.duckdb"


def _head(db: Path) -> str | None:
    return Repository.open(db, "default").head().commit_id


def test_compose_commits_a_variation_and_writes_its_midi(db: Path, tmp_path: Path) -> None:
    result = maestro_lab.compose(SMALL_PROMPT, seed=5, db=db, out=tmp_path / "midi")
    repo = Repository.open(db, "default")
    commit = repo.get_commit("HEAD")
    assert commit.commit_id == result.commit_id
    assert commit.snapshot_id == result.snapshot_id
    assert commit.variation_id == result.variation_id
    assert len(commit.accepted_phrase_ids) == result.phrase_count > 0
    assert result.midi_path is not None
    assert result.midi_path.parent == tmp_path / "midi"
    expected = score_to_midi_bytes(project_to_score(repo.snapshot(result.commit_id)))
    assert result.midi_path.read_bytes() == expected
    assert set(result.role_cards) == {"drums", "bass", "chords"}
    assert all(len(cards) == 2 for cards in result.role_cards.values())
    assert all(card.candidates == 4 for card in result.cards)
    assert set(result.best_cards) == {"drums", "bass", "chords"}
    table = result.score_table()
    assert table["sections"].tolist() == [2, 2, 2]


def test_commit_metadata_records_every_input_needed_to_reproduce(db: Path) -> None:
    result = maestro_lab.compose(SMALL_PROMPT, seed=5, db=db, out=None)
    commit = Repository.open(db, "default").get_commit(result.commit_id)
    record = json.loads(commit.metadata_json)["maestro"]
    assert record["prompt"] == SMALL_PROMPT
    assert record["plan_hash"] == result.plan_hash == record["plan"]["planHash"]
    assert record["base_seed"] == 5
    assert set(record["role_seeds"]) == {"drums", "bass", "chords"}
    assert len(record["generation_seeds"]) == 6
    assert record["backend"] == {"name": "embedded", "id": result.backend_id, "version": "1.0"}
    assert record["scorer"]["id"] == Scorer().scorer_id == result.scorer_id
    assert record["run_id"] == result.run_id
    assert record["package_version"] == maestro_lab.__version__
    assert record["options"]["threshold"] == 0.6
    assert result.midi_path is None


def test_one_sql_query_returns_one_row_per_candidate_with_every_dimension(db: Path) -> None:
    result = maestro_lab.compose(SMALL_PROMPT, seed=5, db=db, out=None)
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute(
        "SELECT role, section, candidate_index, score, selected, metrics "
        "FROM candidate_scores WHERE run_id = ? ORDER BY role, section, candidate_index",
        [result.run_id],
    ).fetchall()
    con.close()
    assert len(rows) == sum(card.candidates for card in result.cards) == 24
    dimensions = {d.name for d in Scorer().dimensions}
    drum_metrics = {"drum_in_pattern_rate", "drum_pattern_consistency"}
    for role, _section, _index, score, _selected, metrics in rows:
        # what does not apply to a part is not recorded: drum metrics for pitched
        # parts, key and register for drums; everything recorded has a value
        if role == "drums":
            expected = (dimensions - {"key_compliance", "register_fit"}) | drum_metrics
        else:
            expected = dimensions | (set(METRIC_NAMES) - drum_metrics)
        assert expected <= set(metrics) <= dimensions | set(METRIC_NAMES), role
        assert not any(v is None or math.isnan(v) for v in metrics.values())
        assert score is not None
    assert sum(1 for r in rows if r[4]) == 6  # one chosen per generation
    frame = telemetry.candidates(telemetry.open_database(db, read_only=True), result.run_id)
    assert len(frame) == 24
    assert dimensions <= set(frame.columns)
    stored = telemetry.candidate_notes(
        telemetry.open_database(db, read_only=True), frame["notes_id"].tolist()
    )
    assert len(stored) == frame["notes_id"].nunique()


def test_runs_record_every_event_of_the_stream(db: Path) -> None:
    events = list(maestro_lab.stream(SMALL_PROMPT, seed=5, db=db, out=None))
    complete = events[-1]
    assert isinstance(complete, CompleteEvent)
    assert complete.success
    recorded = telemetry.events(telemetry.open_database(db, read_only=True), str(complete.run_id))
    assert recorded["seq"].tolist() == list(range(len(events)))
    assert recorded["type"].tolist() == [e.type for e in events]
    assert json.loads(recorded["payload"].iloc[-1])["commitId"] == complete.commit_id
    runs = maestro_lab.runs(db)
    assert runs["status"].tolist() == ["completed"]
    assert json.loads(runs["metadata"].iloc[0])["commit_id"] == complete.commit_id


def test_stream_yields_state_first_then_variation_and_complete_last(db: Path) -> None:
    events: list[MaestroEvent] = list(maestro_lab.stream(SMALL_PROMPT, seed=5, db=db, out=None))
    assert_valid_wire(events)
    check_event_order(events)
    first = events[0]
    assert isinstance(first, StateEvent)
    assert (first.state, first.execution_mode, first.intent) == (
        "composing",
        "variation",
        "compose.generate",
    )
    assert events[1].type == "plan"
    types = [e.type for e in events]
    meta, done = types.index("meta"), types.index("done")
    assert set(types[meta + 1 : done]) == {"phrase"}
    assert types.index("generatorComplete") < meta
    assert isinstance(events[meta], MetaEvent)
    assert isinstance(events[done], DoneEvent)
    phrases = [e for e in events if isinstance(e, PhraseEvent)]
    assert events[done].phrase_count == len(phrases) == 6
    assert all(c.change_type == "added" for p in phrases for c in p.note_changes)
    last = events[-1]
    assert isinstance(last, CompleteEvent)
    assert last.commit_id == _head(db)
    assert [e.seq for e in events] == list(range(len(events)))


def test_propose_then_accept_some_phrases_commits_only_those(db: Path) -> None:
    pending = maestro_lab.propose(SMALL_PROMPT, seed=5, db=db, out=None)
    assert _head(db) is None  # nothing committed yet
    assert maestro_lab.runs(db)["status"].tolist() == ["completed"]
    chosen = [p for p in pending.phrase_ids if ":drums/" in p]
    result = pending.accept(chosen)
    commit = Repository.open(db, "default").get_commit(result.commit_id)
    assert set(commit.accepted_phrase_ids) == set(chosen)
    state = Repository.open(db, "default").snapshot(result.commit_id)
    assert state.regions_of("drums")
    assert all(r.n_notes for r in state.regions_of("drums"))
    assert not any(r.n_notes for r in state.regions_of("bass"))
    run = maestro_lab.runs(db).iloc[0]
    assert json.loads(run["metadata"])["commit_id"] == result.commit_id


def test_accepting_after_head_moved_is_refused_and_commits_nothing(db: Path) -> None:
    pending = maestro_lab.propose(SMALL_PROMPT, seed=5, db=db, out=None)
    other = maestro_lab.compose(SMALL_PROMPT, seed=6, db=db, out=None)
    with pytest.raises(StaleBaseError):
        pending.accept()
    assert _head(db) == other.commit_id
    assert len(list(Repository.open(db, "default").log())) == 1
    pending.discard()
    with pytest.raises(VariationStateError):
        pending.accept()


def test_runs_record_experiment_notebook_and_parameters(db: Path) -> None:
    result = maestro_lab.compose(
        SMALL_PROMPT,
        seed=5,
        db=db,
        out=None,
        experiment="sweep-1",
        notebook="02_compose.ipynb",
        parameters={"temperature_note": "default"},
    )
    row = maestro_lab.runs(db, experiment="sweep-1").iloc[0]
    assert row["run_id"] == result.run_id
    assert row["notebook"] == "02_compose.ipynb"
    parameters = json.loads(row["parameters"])
    assert parameters["temperature_note"] == "default"
    assert parameters["seed"] == 5
    assert parameters["backend"] == "embedded"
    assert json.loads(row["package_versions"])["python"]


def test_compose_on_a_new_branch_leaves_main_where_it_was(db: Path) -> None:
    first = maestro_lab.compose(SMALL_PROMPT, seed=1, db=db, out=None)
    second = maestro_lab.compose(SMALL_PROMPT, seed=2, db=db, out=None, branch="idea")
    repo = Repository.open(db, "default")
    assert repo.branches() == {"main": first.commit_id, "idea": second.commit_id}
    assert repo.head().branch == "idea"
    assert second.branch == "idea"
    assert repo.get_commit(second.commit_id).parent == first.commit_id


def test_worker_count_and_runs_do_not_change_the_snapshot(tmp_path: Path) -> None:
    one = maestro_lab.compose(SMALL_PROMPT, seed=9, db=tmp_path / "a.duckdb", out=None)
    two = maestro_lab.compose(SMALL_PROMPT, seed=9, db=tmp_path / "b.duckdb", out=None, workers=3)
    assert one.snapshot_id == two.snapshot_id
    assert one.run_id != two.run_id


# ---------------------------------------------------------------- bad input
def test_invalid_prompt_raises_before_anything_is_written(db: Path) -> None:
    with pytest.raises(InvalidMaestroPrompt, match="Tempo"):
        maestro_lab.compose("MAESTRO PROMPT\nMode: compose\nTempo: 900", db=db, out=None)
    assert not Path(db).exists() or _head(db) is None


def test_unknown_backend_names_the_known_ones_and_creates_nothing(db: Path) -> None:
    with pytest.raises(UnknownBackendError, match="known backends: embedded, orpheus, testing"):
        maestro_lab.compose(SMALL_PROMPT, db=db, backend="orpheus-typo", out=None)
    assert not db.exists()


def test_ask_mode_has_nothing_to_compose(db: Path) -> None:
    with pytest.raises(NothingToComposeError):
        maestro_lab.compose("MAESTRO PROMPT\nMode: ask\nRequest: what key?", db=db, out=None)


def test_backend_failing_mid_run_commits_nothing_and_records_a_failed_run(db: Path) -> None:
    before = maestro_lab.compose(SMALL_PROMPT, seed=1, db=db, out=None)
    run = maestro_lab.start(
        SMALL_PROMPT, seed=2, db=db, out=None, backend=SeededTestBackend(fail_after=3)
    )
    events = list(run.events())
    with pytest.raises(AgentError, match="injected failure"):
        run.result()
    assert isinstance(events[-2], ErrorEvent)
    assert events[-2].code == "AgentError"
    assert isinstance(events[-1], CompleteEvent)
    assert not events[-1].success
    check_event_order(events)
    repo = Repository.open(db, "default")
    assert repo.head().commit_id == before.commit_id
    assert [c.commit_id for c in repo.log()] == [before.commit_id]
    assert repo.check_integrity(deep=True).ok
    runs = maestro_lab.runs(db).set_index("run_id")
    assert runs.loc[run.run_id, "status"] == "failed"
    assert "injected failure" in str(runs.loc[run.run_id, "error"])
    kept = telemetry.generations(telemetry.open_database(db, read_only=True), run.run_id)
    assert sorted(zip(kept["section"], kept["role"], strict=True)) == [
        ("chorus", "drums"),
        ("verse", "bass"),
        ("verse", "drums"),
    ]
    assert runs.loc[run.run_id, "n_candidates"] == 12
    recorded = telemetry.events(telemetry.open_database(db, read_only=True), run.run_id)
    assert recorded["type"].tolist() == [e.type for e in events]


def test_locked_database_fails_fast_and_commits_nothing(db: Path) -> None:
    before = maestro_lab.compose(SMALL_PROMPT, seed=1, db=db, out=None)
    with lock_held(db) as pid, pytest.raises(RepositoryLockedError) as caught:
        maestro_lab.compose(SMALL_PROMPT, seed=2, db=db, out=None, lock_timeout=0.2)
    assert caught.value.pid == pid
    repo = Repository.open(db, "default")
    assert repo.head().commit_id == before.commit_id
    assert repo.check_integrity().ok


def test_unwritable_database_file_is_refused_before_generating(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = maestro_lab.compose(SMALL_PROMPT, seed=1, db=db, out=None)
    monkeypatch.setattr(session_module.os, "access", lambda *_args: False)
    backend = SeededTestBackend()
    with pytest.raises(ReadOnlyRepositoryError, match="not writable"):
        maestro_lab.compose(SMALL_PROMPT, seed=2, db=db, out=None, backend=backend)
    assert backend.calls == 0
    assert _head(db) == before.commit_id


def test_import_maestro_lab_stays_light_and_exposes_compose_lazily() -> None:
    code = (
        "import sys, maestro_lab\n"
        "heavy = [m for m in ('duckdb', 'maestro_lab.api', 'maestro_lab.runtime.session') "
        "if m in sys.modules]\n"
        "print(heavy, callable(maestro_lab.compose), callable(maestro_lab.reproduce))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[] True True"
