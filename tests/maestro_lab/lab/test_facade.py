"""Lab: the facade over compose, telemetry and history, with short-lived connections."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from maestro_lab.errors import LabError, UnknownCandidateError
from maestro_lab.lab import Lab


def test_candidates_have_a_column_for_every_recorded_dimension(composed) -> None:
    lab, run_id, _ = composed
    frame = lab.candidates(run_id)
    names = set(
        lab.sql(
            "SELECT DISTINCT m.name FROM candidate_metrics m JOIN candidates c "
            "USING (candidate_id) WHERE c.run_id = ?",
            [run_id],
        )["name"]
    )
    assert names
    assert names <= set(frame.columns)
    counts = lab.sql("SELECT count(*) AS n FROM candidates WHERE run_id = ?", [run_id])
    assert len(frame) == int(counts["n"].iloc[0])
    assert frame.groupby("generation_id")["selected"].sum().eq(1).all()


def test_candidates_default_to_the_newest_run(composed) -> None:
    lab, run_id, _ = composed
    assert lab.latest_run() == run_id
    assert lab.candidates()["run_id"].eq(run_id).all()


def test_candidate_notes_are_the_stored_note_object(composed) -> None:
    lab, run_id, _ = composed
    row = lab.candidates(run_id).iloc[5]
    notes = lab.candidate_notes(int(row["candidate_id"]))
    assert len(notes) == int(row["n_notes"])
    stored = lab.sql(
        "SELECT pitch FROM candidate_notes WHERE notes_id = ?", [str(row["notes_id"])]
    )["pitch"].iloc[0]
    assert np.array_equal(notes.pitch, np.asarray(stored))


def test_unknown_candidate_is_a_typed_error(composed) -> None:
    lab, _, _ = composed
    with pytest.raises(UnknownCandidateError, match="no candidate with id 999999"):
        lab.candidate_notes(999999)


def test_latest_run_of_an_empty_database_names_the_file(tmp_path: Path) -> None:
    lab = Lab(tmp_path / "empty.duckdb")
    lab.repository()  # creates the file
    with pytest.raises(LabError, match="no run is recorded"):
        lab.latest_run()


def test_no_connection_is_held_between_calls(composed) -> None:
    lab, run_id, _ = composed
    lab.candidates(run_id)
    lab.history()
    lab.sql("SELECT 1")
    # another process can now open the file for writing (DuckDB allows one writer per file)
    code = (
        "import duckdb, sys; con = duckdb.connect(sys.argv[1]); "
        "con.execute('CREATE TABLE scratch AS SELECT 1 AS x'); con.close()"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, lab.db], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr


def test_rescore_with_the_recorded_scorer_changes_nothing(composed) -> None:
    lab, run_id, _ = composed
    assert not lab.rescore(run_id)["changed"].any()


def test_history_branch_checkout_and_merge(composed) -> None:
    lab, run_id, commit_id = composed
    assert lab.history()["commit_id"].tolist() == [commit_id]
    lab.branch("idea")
    frame = lab.candidates(run_id)
    other = frame[~frame["selected"]].iloc[0]
    lab.checkout("idea")
    chosen = lab.commit_candidate(int(other["candidate_id"]))
    assert lab.head() == ("idea", chosen.commit_id)
    lab.checkout("main")
    outcome = lab.merge("idea")
    assert outcome.status == "fast_forward"
    assert lab.head() == ("main", chosen.commit_id)
    assert lab.branches() == {"main": chosen.commit_id, "idea": chosen.commit_id}


def test_importing_the_lab_loads_no_heavy_dependency() -> None:
    code = (
        "import sys, maestro_lab.lab, maestro_lab.audio, maestro_lab.viz.pianoroll; "
        "from maestro_lab.lab import Lab; Lab('x.duckdb'); "
        "print(sorted(m for m in ('ipywidgets', 'matplotlib', 'duckdb', 'fluidsynth') "
        "if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_lab_composes_with_the_backend_and_options_it_was_given(tmp_path: Path) -> None:
    from maestro_lab.runtime.backends_registry import register_backend, unregister_backend
    from storpheus.backends.testing import SeededTestBackend
    from tests.maestro_lab.compose_fixtures import SMALL_PROMPT

    made: list[int] = []

    def factory(notes_per_bar: int = 4) -> SeededTestBackend:
        made.append(notes_per_bar)
        return SeededTestBackend(notes_per_bar=notes_per_bar)

    register_backend("lab-sparse", factory)
    try:
        lab = Lab(
            tmp_path / "lab.duckdb", backend="lab-sparse", backend_options={"notes_per_bar": 2}
        )
        result = lab.compose(SMALL_PROMPT, seed=3)
        assert result.backend_id.startswith(SeededTestBackend.name)
        assert made == [2]
        pending = lab.propose(SMALL_PROMPT, seed=4)
        assert made == [2, 2]
        pending.discard()
    finally:
        unregister_backend("lab-sparse")
