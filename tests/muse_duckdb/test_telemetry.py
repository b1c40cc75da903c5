"""Telemetry: records built without a database, bulk ingest, one-row-per-candidate queries."""

from __future__ import annotations

import json
import multiprocessing
import pickle
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from muse_duckdb import Repository
from muse_duckdb import telemetry as tm
from muse_duckdb.errors import SchemaVersionError
from muse_duckdb.storage.schema import MUSE_SCHEMA
from storpheus.identity import content_id
from storpheus.notes import NoteArray
from storpheus.score import Score, Track
from storpheus.seeding import rng_for

DIMENSIONS = ("groove", "key_fit", "pitch_range")


def fixed_clock() -> datetime:
    return datetime(2026, 1, 1, 12, 0, 0)


def riff(*pitches: int) -> NoteArray:
    return NoteArray(list(pitches), 90, [float(i) for i in range(len(pitches))], 1.0)


def recorded_run(run_id: str = "run-1", *, style: str = "lofi", k: int = 4) -> tm.TelemetryRecorder:
    """A run with two roles in two sections, k candidates each, 3 dimensions per candidate."""
    rec = tm.TelemetryRecorder(run_id, detect_environment=False, clock=fixed_clock)
    rec.start_run(
        experiment="demo",
        notebook="compose.ipynb",
        parameters={"prompt": "lofi", "candidates": k},
        seed=42,
        package_versions={"numpy": "2.0"},
        git_commit="a" * 40,
    )
    for section in ("intro", "verse"):
        for role in ("drums", "bass"):
            rng = rng_for(0, run_id, section, role)
            scores = np.round(rng.random(k), 3)
            best = int(np.argmax(scores))
            gen = rec.add_generation(
                role=role,
                backend="embedded@1",
                section=section,
                style=style,
                seed=7,
                num_candidates=k,
                accepted=True,
                best_index=best,
                best_score=float(scores[best]),
                duration_ms=3.5,
                scorer="default@1",
            )
            notes = [riff(36 + i, 40 + (i % 2)) for i in range(k)]
            notes[-1] = notes[0]  # duplicate content: stored once
            rec.add_candidates(
                gen,
                notes=notes,
                seeds=list(range(100, 100 + k)),
                scores=scores,
                metrics={d: rng.random(k) for d in DIMENSIONS},
                accepted=scores >= 0.3,
                selected=best,
                reject_reasons=[None if s >= 0.3 else "score below 0.3" for s in scores],
            )
    rec.finish_run("completed", metadata={"commit_id": "c" * 64})
    return rec


def test_recorder_batch_ingests_into_memory_and_runs_reports_it() -> None:
    con = duckdb.connect()
    report = tm.ingest(con, recorded_run().batch())
    assert (report.runs, report.generations, report.candidates) == (1, 4, 16)
    assert report.metrics == 16 * len(DIMENSIONS)
    assert report.notes_new == 3  # every generation reuses the same 3 riffs (4th = 1st)
    runs = tm.runs(con)
    assert len(runs) == 1
    row = runs.iloc[0]
    assert row["status"] == "completed"
    assert json.loads(row["parameters"]) == {"candidates": 4, "prompt": "lofi"}
    assert json.loads(row["package_versions"]) == {"numpy": "2.0"}
    assert json.loads(row["metadata"]) == {"commit_id": "c" * 64}
    assert row["git_commit"] == "a" * 40
    assert row["seed"] == 42
    assert row["n_candidates"] == 16
    assert row["n_generations"] == 4
    assert pd.Timestamp(row["started_at"]) == pd.Timestamp("2026-01-01 12:00:00")


def test_one_sql_query_returns_one_row_per_candidate_with_every_dimension() -> None:
    con = duckdb.connect()
    rec = recorded_run()
    tm.ingest(con, rec.batch())
    rows = con.execute(
        "SELECT generation_id, candidate_index, metrics FROM candidate_scores WHERE run_id = ?",
        ["run-1"],
    ).fetchall()
    assert len(rows) == 16
    assert len({(g, i) for g, i, _ in rows}) == 16
    for _, _, metrics in rows:
        assert sorted(metrics) == sorted(DIMENSIONS)
    wide = tm.candidates(con, "run-1")
    assert len(wide) == 16
    assert list(wide.columns[-3:]) == sorted(DIMENSIONS)
    assert not wide[list(DIMENSIONS)].isna().any().any()
    batch = rec.batch()
    original = batch.metrics.to_pandas()
    first = original[(original["candidate_row"] == 5) & (original["name"] == "key_fit")]
    cand = batch.candidates.to_pandas().iloc[5]
    match = wide[
        (wide["generation_id"] == cand["generation_id"])
        & (wide["candidate_index"] == cand["candidate_index"])
    ]
    assert match["key_fit"].iloc[0] == first["value"].iloc[0]
    assert set(wide["role"]) == {"drums", "bass"}
    assert wide["selected"].sum() == 4


def test_candidate_notes_are_content_addressed_and_deduplicated() -> None:
    con = duckdb.connect()
    rec = recorded_run()
    tm.ingest(con, rec.batch())
    assert con.execute("SELECT count(*) FROM candidate_notes").fetchone() == (3,)
    ids = [str(i) for i in tm.candidates(con, "run-1")["notes_id"]]
    stored = tm.candidate_notes(con, ids)
    assert set(stored) == set(ids)
    for note_id, notes in stored.items():
        assert content_id(notes) == note_id
    assert stored[content_id(riff(37, 41))] == riff(37, 41)
    second = recorded_run("run-2")
    report = tm.ingest(con, second.batch())
    assert report.notes_new == 0


def test_reingesting_a_batch_replaces_generations_instead_of_duplicating() -> None:
    con = duckdb.connect()
    rec = recorded_run()
    tm.ingest(con, rec.batch())
    report = tm.ingest(con, rec.batch())
    assert report.replaced_generations == 4
    assert con.execute("SELECT count(*) FROM candidates").fetchone() == (16,)
    assert con.execute("SELECT count(*) FROM candidate_metrics").fetchone() == (48,)
    assert con.execute("SELECT count(*) FROM runs").fetchone() == (1,)


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, object]:
    tables = ("runs", "generations", "candidates", "candidate_metrics", "candidate_notes", "events")
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in tables}


def test_a_bad_batch_is_refused_whole_and_leaves_the_database_unchanged() -> None:
    con = duckdb.connect()
    tm.ingest(con, recorded_run().batch())
    before = table_counts(con)
    good = recorded_run("run-2").batch()
    ids = good.candidates.column("generation_id").to_pylist()
    broken = good.candidates.set_column(1, "generation_id", pa.array(["nowhere", *ids[1:]]))
    bad = tm.TelemetryBatch(
        runs=good.runs,
        generations=good.generations,
        candidates=broken,
        metrics=good.metrics,
        notes=good.notes,
    )
    with pytest.raises(tm.TelemetryBatchError, match="unknown generation 'nowhere'"):
        tm.ingest(con, bad)
    assert table_counts(con) == before


class FailingConnection:
    """A connection whose n-th INSERT fails, to kill an ingest half-way."""

    def __init__(self, con: duckdb.DuckDBPyConnection, fail_on: str) -> None:
        self.con = con
        self.fail_on = fail_on

    def execute(self, sql: str, params: object = None) -> duckdb.DuckDBPyConnection:
        if sql.startswith(self.fail_on):
            raise duckdb.IOException("disk full (simulated)")
        return self.con.execute(sql, params) if params is not None else self.con.execute(sql)

    def register(self, name: str, table: object) -> None:
        self.con.register(name, table)

    def unregister(self, name: str) -> None:
        self.con.unregister(name)


def test_an_ingest_that_dies_half_way_writes_nothing() -> None:
    con = duckdb.connect()
    tm.ingest(con, recorded_run().batch())
    before = table_counts(con)
    second = recorded_run("run-2")
    second.add_event(0, "state", {"type": "state"})
    failing = FailingConnection(con, "INSERT OR REPLACE INTO events")
    with pytest.raises(tm.TelemetryWriteError, match="disk full"):
        tm.ingest(failing, second.batch())  # type: ignore[arg-type]
    assert table_counts(con) == before
    tm.ingest(con, second.batch())
    assert table_counts(con)["runs"] == 2


@pytest.mark.parametrize(
    ("mutate", "table", "message"),
    [
        (lambda b: {"runs": pa.table({"run_id": ["other"]})}, "runs", "'parameters' is missing"),
        (
            lambda b: {"generations": b.generations, "runs": b.runs.slice(0, 0)},
            "generations",
            "unknown run 'run-9'",
        ),
        (
            lambda b: {"notes": b.notes.slice(0, 1)},
            "candidates",
            "neither in the batch nor in the database",
        ),
        (
            lambda b: {"events": pa.concat_tables([b.events, b.events])},
            "events",
            "appears twice",
        ),
        (
            lambda b: {"candidates": pa.concat_tables([b.candidates, b.candidates.slice(0, 1)])},
            "candidates",
            "appears twice",
        ),
    ],
)
def test_inconsistent_batches_name_the_table_and_the_id(
    mutate: object, table: str, message: str
) -> None:
    rec = recorded_run("run-9")
    rec.add_event(0, "state", {"type": "state", "seq": 0})
    batch = rec.batch()
    tables = {
        "runs": batch.runs,
        "generations": batch.generations,
        "candidates": batch.candidates,
        "metrics": batch.metrics,
        "notes": batch.notes,
        "events": batch.events,
    }
    assert callable(mutate)
    con = duckdb.connect()
    with pytest.raises(tm.TelemetryBatchError) as info:
        tm.ingest(con, tm.TelemetryBatch(**{**tables, **mutate(batch)}))
    assert info.value.table == table
    assert message in str(info.value)


def test_recorder_refuses_inconsistent_records() -> None:
    rec = tm.TelemetryRecorder("r", detect_environment=False)
    gen = rec.add_generation(role="bass", backend="b", num_candidates=2, accepted=True)
    with pytest.raises(tm.TelemetryBatchError, match="scores has 1 values for 2 candidates"):
        rec.add_candidates(gen, accepted=[True, False], scores=[0.5])
    with pytest.raises(tm.TelemetryBatchError, match="metric 'x' has shape"):
        rec.add_candidates(gen, accepted=[True, False], metrics={"x": [1.0]})
    with pytest.raises(tm.TelemetryBatchError, match="was not added"):
        rec.add_candidates("nope", accepted=[True])
    rec.add_candidates(gen, accepted=[True, False])
    with pytest.raises(tm.TelemetryBatchError, match="candidate 0 of 'r/-/bass' already"):
        rec.add_candidate(gen, 0, accepted=True)
    with pytest.raises(tm.TelemetryBatchError, match="never started"):
        rec.finish_run()
    with pytest.raises(tm.TelemetryBatchError, match="status='done'"):
        rec.finish_run("done")  # type: ignore[arg-type]
    assert rec.add_generation(role="bass", backend="b", num_candidates=1, accepted=True) == (
        "r/-/bass#2"
    )
    with pytest.raises(tm.TelemetryBatchError, match="metrics"):
        tm.TelemetryBatch(
            candidates=rec.batch().candidates,
            metrics=pa.table({"candidate_row": [9], "name": ["x"], "value": [1.0]}),
        )


def _worker(index: int) -> tm.TelemetryBatch:
    rec = recorded_run(f"sweep-{index}", style=("lofi", "house")[index % 2], k=2 + index)
    return rec.batch()


def test_parallel_workers_build_batches_and_the_coordinator_ingests_them(tmp_path: Path) -> None:
    spawn = multiprocessing.get_context("spawn")  # fork is unsafe once DuckDB threads exist
    with ProcessPoolExecutor(max_workers=2, mp_context=spawn) as pool:
        batches = list(pool.map(_worker, range(4)))
    con = duckdb.connect(str(tmp_path / "lab.duckdb"))
    tm.ingest(con, tm.TelemetryBatch.concat(batches))
    assert tm.run_ids(con) == ("sweep-0", "sweep-1", "sweep-2", "sweep-3")
    rate = tm.acceptance_rate(con, ("role", "num_candidates"))
    assert list(rate.columns) == ["role", "num_candidates", "candidates", "accepted", "rate"]
    assert sorted(rate["num_candidates"].unique()) == [2, 3, 4, 5]
    assert rate["candidates"].sum() == sum(4 * (2 + i) for i in range(4))
    frame = con.execute(
        "SELECT g.role, g.num_candidates, avg(c.accepted::DOUBLE) FROM candidates c "
        "JOIN generations g USING (generation_id) GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    assert [tuple(r) for r in rate[["role", "num_candidates", "rate"]].itertuples(index=False)] == [
        (a, b, pytest.approx(c)) for a, b, c in frame
    ]


def test_score_quantiles_by_style_match_numpy() -> None:
    con = duckdb.connect()
    tm.ingest(con, recorded_run("a", style="lofi").batch())
    tm.ingest(con, recorded_run("b", style="house").batch())
    table = tm.score_quantiles(con, "style", quantiles=(0.1, 0.5, 0.9))
    assert list(table.columns) == ["style", "n", "mean", "q10", "q50", "q90"]
    wide = tm.candidates(con, ["a", "b"])
    for row in table.itertuples(index=False):
        scores = wide[wide["style"] == row.style]["score"].to_numpy()
        assert row.n == len(scores)
        assert row.q50 == pytest.approx(np.quantile(scores, 0.5))
        assert row.q90 == pytest.approx(np.quantile(scores, 0.9))
    groove = tm.score_quantiles(con, ["style", "role"], metric="groove", quantiles=(0.5,))
    assert len(groove) == 4
    lofi_bass = wide[(wide["style"] == "lofi") & (wide["role"] == "bass")]["groove"]
    got = groove[(groove["style"] == "lofi") & (groove["role"] == "bass")]["q50"].iloc[0]
    assert got == pytest.approx(np.quantile(lofi_bass, 0.5))


def test_analysis_arguments_are_checked() -> None:
    con = duckdb.connect()
    tm.ingest(con, recorded_run().batch())
    with pytest.raises(tm.TelemetryError, match="cannot group by"):
        tm.acceptance_rate(con, "role; DROP TABLE runs")
    with pytest.raises(tm.TelemetryError, match="quantiles"):
        tm.score_quantiles(con, quantiles=(1.5,))
    with pytest.raises(tm.UnknownRunError, match="unknown run 'nope'; recorded runs: 'run-1'"):
        tm.candidates(con, "nope")
    by_experiment = tm.acceptance_rate(con, "experiment")
    assert by_experiment["experiment"].tolist() == ["demo"]


class FakeEvent:
    def __init__(self, seq: int, kind: str) -> None:
        self.seq = seq
        self.type = kind

    def to_json(self) -> str:
        return json.dumps({"type": self.type, "seq": self.seq})


def test_events_are_stored_as_json_in_sequence_order() -> None:
    rec = recorded_run()
    rec.add_events([FakeEvent(1, "status"), FakeEvent(0, "state"), FakeEvent(2, "complete")])
    con = duckdb.connect()
    tm.ingest(con, rec.batch())
    frame = tm.events(con, "run-1")
    assert frame["seq"].tolist() == [0, 1, 2]
    assert frame["type"].tolist() == ["state", "status", "complete"]
    assert json.loads(frame["payload"].iloc[2]) == {"type": "complete", "seq": 2}


def test_rescore_with_the_same_scorer_changes_no_choice_and_another_does() -> None:
    con = duckdb.connect()
    rec = recorded_run()
    tm.ingest(con, rec.batch())
    stored = tm.candidates(con, "run-1")
    score_of = {
        (str(r.generation_id), int(r.candidate_index)): float(r.score)
        for r in stored.itertuples(index=False)
    }

    def same(notes: object, info: tm.GenerationInfo) -> list[float]:
        part = stored[stored["generation_id"] == info.generation_id]
        return [score_of[(info.generation_id, int(i))] for i in part["candidate_index"]]

    unchanged = tm.rescore(con, "run-1", same)
    assert len(unchanged) == 4
    assert not unchanged["changed"].any()
    assert (unchanged["old_index"] == unchanged["new_index"]).all()

    def highest_first_pitch(notes: list[NoteArray], info: tm.GenerationInfo) -> np.ndarray:
        return np.array([float(n.pitch[0]) if len(n) else 0.0 for n in notes])

    changed = tm.rescore(con, "run-1", highest_first_pitch)
    assert (changed["new_index"] == 2).all()  # 36+i, and the last repeats the first
    assert changed["changed"].tolist() == (changed["old_index"] != 2).tolist()
    with pytest.raises(tm.TelemetryError, match="returned"):
        tm.rescore(con, "run-1", lambda notes, info: [1.0])


def test_batches_pickle_and_round_trip_through_parquet(tmp_path: Path) -> None:
    batch = recorded_run().batch()
    assert pickle.loads(pickle.dumps(batch)) == batch
    again = tm.TelemetryBatch.from_parquet(batch.to_parquet(tmp_path / "shard"))
    assert again == batch
    assert again.counts == batch.counts


def test_bulk_frames_ingest_without_a_recorder() -> None:
    n_gen, k = 500, 16
    n = n_gen * k
    gens = pd.DataFrame(
        {
            "generation_id": [f"g{i}" for i in range(n_gen)],
            "run_id": "bulk",
            "role": np.where(np.arange(n_gen) % 2, "bass", "drums"),
            "style": "house",
            "backend": "embedded@1",
            "num_candidates": k,
            "attempts": k,
            "accepted": True,
            "cache_hit": False,
            "metadata": "{}",
        }
    )
    cands = pd.DataFrame(
        {
            "run_id": "bulk",
            "generation_id": np.repeat(gens["generation_id"].to_numpy(), k),
            "candidate_index": np.tile(np.arange(k), n_gen),
            "score": np.linspace(0, 1, n),
            "accepted": np.arange(n) % 4 != 0,
            "selected": np.tile(np.arange(k) == 0, n_gen),
        }
    )
    metrics = pd.DataFrame(
        {
            "candidate_row": np.repeat(np.arange(n), 2),
            "name": np.tile(["a", "b"], n),
            "value": np.arange(2 * n, dtype=float),
        }
    )
    runs = pd.DataFrame(
        {
            "run_id": ["bulk"],
            "parameters": "{}",
            "package_versions": "{}",
            "status": "completed",
            "metadata": "{}",
        }
    )
    batch = tm.TelemetryBatch.from_frames(
        runs=runs, generations=gens, candidates=cands, metrics=metrics
    )
    con = duckdb.connect()
    report = tm.ingest(con, batch)
    assert (report.candidates, report.metrics) == (n, 2 * n)
    rate = tm.acceptance_rate(con, "role")
    assert rate["rate"].tolist() == [0.75, 0.75]
    wide = tm.candidates(con, "bulk")
    assert len(wide) == n
    last = wide[(wide["generation_id"] == "g499") & (wide["candidate_index"] == k - 1)]
    assert last["b"].iloc[0] == 2 * n - 1


def test_telemetry_shares_a_file_with_muse_history(tmp_path: Path) -> None:
    path = tmp_path / "lab.duckdb"
    db = tm.open_database(path)
    tm.ingest(db, recorded_run().batch())
    repo = Repository(db, "demo")
    score = Score(tracks=(Track("Bass", riff(36, 43), program=33),), bpm=90)
    commit = repo.commit(score, "compose", metadata={"run_id": "run-1"})
    assert repo.get_commit("HEAD").commit_id == commit.commit_id
    reopened = tm.open_database(path)
    assert tm.run_ids(reopened) == ("run-1",)
    assert len(tm.candidates(reopened, "run-1")) == 16
    con = duckdb.connect(str(path), read_only=True)
    versions = dict(con.execute("SELECT component, version FROM muse_schema_versions").fetchall())
    assert versions == {"muse": MUSE_SCHEMA.latest, "telemetry": tm.TELEMETRY_SCHEMA.latest}
    assert Repository.open(con, "demo").get_commit("HEAD").commit_id == commit.commit_id
    con.close()


def test_read_only_databases_refuse_telemetry_writes_clearly(tmp_path: Path) -> None:
    path = tmp_path / "lab.duckdb"
    tm.ingest(tm.open_database(path), recorded_run().batch())
    with pytest.raises(tm.TelemetryWriteError, match="read-only"):
        tm.ingest(tm.open_database(path, read_only=True), recorded_run("run-2").batch())
    con = duckdb.connect(str(path), read_only=True)
    with pytest.raises(tm.TelemetryWriteError, match="read-only") as info:
        tm.ingest(con, recorded_run("run-2").batch())
    assert str(path) in str(info.value)
    assert tm.run_ids(con) == ("run-1",)
    con.close()


def test_a_database_without_the_telemetry_component_gets_a_clear_error() -> None:
    repo = Repository.open(":memory:", "demo")
    with pytest.raises(tm.TelemetryWriteError, match="open_database"):
        tm.ingest(repo.database, recorded_run().batch())


def test_schema_is_a_versioned_component_and_newer_files_are_refused() -> None:
    con = duckdb.connect()
    tm.ensure_schema(con)
    tm.ensure_schema(con)
    assert con.execute(
        "SELECT version FROM muse_schema_versions WHERE component = 'telemetry'"
    ).fetchone() == (tm.TELEMETRY_SCHEMA.latest,)
    con.execute("UPDATE muse_schema_versions SET version = 99 WHERE component = 'telemetry'")
    with pytest.raises(SchemaVersionError, match="'telemetry' is at version 99"):
        tm.ingest(con, recorded_run().batch())


@settings(max_examples=25, deadline=None)
@given(
    values=st.lists(
        st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=2, max_size=2),
        min_size=1,
        max_size=12,
    )
)
def test_metric_values_come_back_exactly(values: list[list[float]]) -> None:
    rec = tm.TelemetryRecorder("p", detect_environment=False)
    rec.start_run()
    gen = rec.add_generation(role="pads", backend="b", num_candidates=len(values), accepted=True)
    array = np.array(values)
    rec.add_candidates(
        gen,
        accepted=[True] * len(values),
        metrics={"x": array[:, 0], "y": array[:, 1]},
        scores=array[:, 0],
    )
    con = duckdb.connect()
    tm.ingest(con, rec.batch())
    wide = tm.candidates(con, "p")
    np.testing.assert_array_equal(wide["x"].to_numpy(), array[:, 0])
    np.testing.assert_array_equal(wide["y"].to_numpy(), array[:, 1])


def test_a_database_locked_by_another_process_is_a_clear_error(tmp_path: Path) -> None:
    import subprocess
    import sys

    from muse_duckdb.errors import RepositoryLockedError

    path = tmp_path / "lab.duckdb"
    tm.ingest(tm.open_database(path), recorded_run().batch())
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
            "print('ready', flush=True); time.sleep(30)",
            str(path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(RepositoryLockedError, match="locked by") as info:
            tm.ingest(tm.open_database(path, lock_timeout=0.2), recorded_run("run-2").batch())
        assert str(path) in str(info.value)
    finally:
        holder.kill()
        holder.wait()
    assert tm.run_ids(tm.open_database(path)) == ("run-1",)
