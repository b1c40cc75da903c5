"""The sweep tables: version 2 of the telemetry schema, upserts, and the sweep check."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from muse_duckdb import telemetry as tm
from muse_duckdb.telemetry.schema import TELEMETRY_SCHEMA, SchemaComponent, migrate
from muse_duckdb.telemetry.sweeps import (
    SweepRow,
    cell_rows,
    cell_states,
    check_sweep,
    latest_sweep,
    record_cells,
    start_sweep,
    sweeps,
)


def _row(sweep_id: str = "sweep-1", n_cells: int = 2) -> SweepRow:
    return SweepRow(
        sweep_id=sweep_id,
        name="demo",
        kind="compose",
        spec_hash="abc",
        spec="{}",
        executor="local-pool:1",
        n_cells=n_cells,
        package_versions="{}",
        git_commit=None,
        started_at=datetime(2026, 1, 1),
    )


def _cells(statuses: list[str], runs: list[str | None]) -> object:
    return cell_rows(
        sweep_id="sweep-1",
        cell_keys=[f"k{i}" for i in range(len(statuses))],
        cell_indexes=list(range(len(statuses))),
        parameters=["{}"] * len(statuses),
        seeds=list(range(len(statuses))),
        run_ids=runs,
        statuses=statuses,
        attempts=[1] * len(statuses),
    )


def test_a_version_1_telemetry_file_is_migrated_to_the_sweep_tables(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    v1 = SchemaComponent("telemetry", TELEMETRY_SCHEMA.migrations[:1])
    migrate(con, v1, str(path), 0)
    recorder = tm.TelemetryRecorder("run-old", detect_environment=False)
    recorder.start_run(experiment="before", seed=1)
    recorder.finish_run("completed")
    con.close()
    database = tm.open_database(path)
    tm.ingest(database, recorder.batch())
    with database.read() as conn:
        versions = dict(
            conn.execute("SELECT component, version FROM muse_schema_versions").fetchall()
        )
        assert versions["telemetry"] == 2
        assert conn.execute("SELECT count(*) FROM sweep_cells").fetchall() == [(0,)]
    assert tm.run_ids(database) == ("run-old",)


def test_cells_are_replaced_not_duplicated_and_the_check_finds_what_is_wrong() -> None:
    con = duckdb.connect()
    tm.ensure_schema(con)
    start_sweep(con, _row())
    record_cells(con, _cells(["pending", "pending"], [None, None]))  # type: ignore[arg-type]
    record_cells(con, _cells(["completed", "failed"], ["run-x", None]))  # type: ignore[arg-type]
    assert cell_states(con, "sweep-1") == {"k0": ("completed", 1), "k1": ("failed", 1)}
    assert con.execute("SELECT count(*) FROM sweep_cells").fetchall() == [(2,)]
    # run-x was never ingested: the check says so
    assert check_sweep(con, "sweep-1") == ["cell k0 is completed but its run run-x is missing"]
    recorder = tm.TelemetryRecorder("run-x", detect_environment=False)
    recorder.start_run()
    tm.ingest(con, recorder.batch())
    assert check_sweep(con, "sweep-1") == []
    record_cells(
        con,
        cell_rows(  # a third cell claiming the same run, beyond the recorded count
            sweep_id="sweep-1", cell_keys=["k2"], cell_indexes=[1], parameters=["{}"],
            seeds=[2], run_ids=["run-x"], statuses=["completed"], attempts=[1],
        ),
    )  # fmt: skip
    assert check_sweep(con, "sweep-1") == [
        "sweep sweep-1 records 2 cells but has 3",
        "run run-x is recorded by 2 cells",
        "cell index 1 appears 2 times",
    ]
    assert check_sweep(con, "sweep-nope") == ["no sweep 'sweep-nope'"]


def test_unknown_cell_statuses_are_refused() -> None:
    con = duckdb.connect()
    tm.ensure_schema(con)
    with pytest.raises(ValueError, match="'done'"):
        record_cells(con, _cells(["done"], [None]))  # type: ignore[arg-type]


def test_the_newest_sweep_of_a_spec_is_the_one_to_resume() -> None:
    con = duckdb.connect()
    tm.ensure_schema(con)
    start_sweep(con, _row("sweep-a"))
    later = _row("sweep-b")
    start_sweep(con, SweepRow(**{**later.__dict__, "started_at": datetime(2026, 2, 1)}))
    assert latest_sweep(con, "demo", "abc") == "sweep-b"
    assert latest_sweep(con, "demo", "other") is None
    assert list(sweeps(con)["sweep_id"]) == ["sweep-b", "sweep-a"]
