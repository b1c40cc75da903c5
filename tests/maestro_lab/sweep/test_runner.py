"""The runner on real executors: a local process pool and a Dask LocalCluster."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import pytest
from distributed import Client

from maestro_lab.sweep import CellFailedError, SweepError, expand, load_spec, run, summary
from maestro_lab.sweep.summary import acceptance_curve
from muse_duckdb import Repository
from muse_duckdb.telemetry.sweeps import check_sweep, sweep_cells
from tests.maestro_lab.sweep.conftest import BROKEN_SCORER, GRID_32, write_spec

CANDIDATES_SQL = """
    SELECT sc.cell_key, c.section, c.role, c.candidate_index, c.seed, c.notes_id, c.score,
           c.accepted, c.selected
    FROM candidates c JOIN sweep_cells sc ON sc.run_id = c.run_id
    WHERE sc.sweep_id = ?
    ORDER BY sc.cell_key, c.section, c.role, c.candidate_index
"""


def candidate_table(db: Path, sweep_id: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(CANDIDATES_SQL, [sweep_id]).fetchall()


@pytest.fixture(scope="module")
def grid32(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_spec(tmp_path_factory.mktemp("grid32"), "grid32", GRID_32)


@pytest.fixture(scope="module")
def pool_sweep(grid32: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    db = tmp_path_factory.mktemp("pool") / "pool.duckdb"
    result = run(grid32, db=db, workers=2)
    assert (result.cells, result.completed, result.failed) == (32, 32, 0)
    assert result.executor == "local-pool:2"
    return db, result.sweep_id


@pytest.mark.slow
def test_a_32_cell_sweep_gives_the_same_candidates_on_a_local_pool_and_a_dask_cluster(
    grid32: Path, pool_sweep: tuple[Path, str], dask_client: Client, tmp_path: Path
) -> None:
    db = tmp_path / "dask.duckdb"
    result = run(grid32, dask_client, db=db)
    assert (result.cells, result.completed, result.failed) == (32, 32, 0)
    assert result.executor.startswith("dask:tcp://127.0.0.1:")
    pool_db, pool_id = pool_sweep
    local = candidate_table(pool_db, pool_id)
    remote = candidate_table(db, result.sweep_id)
    # 16 cells with one candidate per generation, 16 with two; two generations per cell
    assert len(local) == 16 * 2 * 1 + 16 * 2 * 2
    assert remote == local
    # every cell is keyed as the spec expands it, and each has exactly one run
    keys = {c.key for c in expand(load_spec(grid32))}
    for path, sweep_id in ((pool_db, pool_id), (db, result.sweep_id)):
        cells = sweep_cells(duckdb.connect(str(path), read_only=True), sweep_id)
        assert set(cells["cell_key"]) == keys
        assert cells["run_id"].is_unique
        assert (cells["status"] == "completed").all()


def test_cells_link_their_runs_to_the_sweep_and_the_database_checks_clean(
    pool_sweep: tuple[Path, str],
) -> None:
    db, sweep_id = pool_sweep
    with duckdb.connect(str(db), read_only=True) as con:
        assert check_sweep(con, sweep_id) == []
        rows = con.execute(
            "SELECT r.experiment, json_extract_string(r.parameters, '$.sweep_id'), "
            "json_extract_string(r.parameters, '$.cell_key') = c.cell_key, r.status "
            "FROM runs r JOIN sweep_cells c USING (run_id) WHERE c.sweep_id = ?",
            [sweep_id],
        ).fetchall()
        status = con.execute("SELECT status, n_cells FROM sweeps").fetchall()
    assert len(rows) == 32
    assert set(rows) == {("grid32", sweep_id, True, "completed")}
    assert status == [("completed", 32)]
    assert Repository.open(str(db)).check_integrity(deep=True).ok


def test_a_resumed_complete_sweep_runs_nothing_and_duplicates_nothing(
    grid32: Path, pool_sweep: tuple[Path, str]
) -> None:
    db, sweep_id = pool_sweep
    before = candidate_table(db, sweep_id)
    again = run(grid32, db=db, resume=True, workers=1)
    assert (again.sweep_id, again.resumed, again.ran, again.skipped) == (sweep_id, True, 0, 32)
    assert candidate_table(db, sweep_id) == before


def _failing_spec(folder: Path) -> Path:
    (folder / "broken.py").parent.mkdir(parents=True, exist_ok=True)
    (folder / "broken.py").write_text(BROKEN_SCORER, encoding="utf-8")
    return write_spec(
        folder,
        "failing",
        """\
        name: failing
        prompt_file: prompt.txt
        seeds: [1, 2]
        candidates: 1
        grid:
          scorer: [default, "broken:scorer"]
        """,
    )


@pytest.mark.slow
def test_a_cell_that_raises_is_recorded_with_its_traceback_and_the_others_complete(
    dask_client: Client, tmp_path: Path
) -> None:
    spec = _failing_spec(tmp_path / "spec")
    db = tmp_path / "failing.duckdb"
    address = dask_client.scheduler.address  # type: ignore[union-attr]
    result = run(spec, db=db, scheduler=address)
    assert (result.cells, result.completed, result.failed) == (4, 2, 2)
    assert not result.ok
    for failure in result.failures:
        assert failure.error == "RuntimeError: this scorer is broken on purpose"
        assert "Traceback (most recent call last)" in failure.traceback
        assert 'broken.py", line 6, in scorer' in failure.traceback
    cells = sweep_cells(duckdb.connect(str(db), read_only=True), result.sweep_id)
    failed = cells[cells["status"] == "failed"]
    assert len(failed) == 2
    assert failed["traceback"].str.contains("broken on purpose").all()
    assert failed["run_id"].isna().all()
    done = cells[cells["status"] == "completed"]
    assert len(done) == 2
    assert done["run_id"].notna().all()
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT status FROM sweeps").fetchall() == [("failed",)]
        assert con.execute("SELECT count(*) FROM runs").fetchall() == [(2,)]


@pytest.mark.slow
def test_fail_fast_stops_at_the_first_failure_and_resume_runs_only_what_is_left(
    dask_client: Client, tmp_path: Path
) -> None:
    spec = _failing_spec(tmp_path / "spec")
    db = tmp_path / "failfast.duckdb"
    with pytest.raises(CellFailedError, match="broken on purpose") as info:
        run(spec, dask_client, db=db, fail_fast=True)
    assert "Traceback" in info.value.traceback
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT status FROM sweeps").fetchall() == [("failed",)]
    resumed = run(spec, dask_client, db=db, resume=True)
    assert resumed.sweep_id == info.value.sweep_id
    assert resumed.resumed
    assert (resumed.completed, resumed.failed) == (2, 2)
    assert resumed.ran == 4 - resumed.skipped
    assert resumed.skipped <= 2
    cells = sweep_cells(duckdb.connect(str(db), read_only=True), resumed.sweep_id)
    assert len(cells) == 4
    assert cells["cell_key"].is_unique
    assert (cells.loc[cells["status"] == "failed", "attempts"] >= 1).all()


def test_backend_options_reach_the_backend_factory(tmp_path: Path) -> None:
    spec = write_spec(
        tmp_path,
        "options",
        """\
        name: options
        prompt_file: prompt.txt
        seeds: [1]
        backend: embedded
        backend_options: {space: "http://127.0.0.1:9/"}
        """,
    )
    with ThreadPoolExecutor(1) as pool:
        result = run(spec, pool, db=tmp_path / "options.duckdb")
    (failure,) = result.failures
    assert failure.error.startswith("BackendLoadError")
    assert "space" in failure.error  # the embedded backend takes no options


def test_the_summary_groups_generations_by_cell_parameters(
    pool_sweep: tuple[Path, str],
) -> None:
    db, sweep_id = pool_sweep
    table = summary(db, sweep_id, by=["candidates", "style"])
    assert list(zip(table["candidates"], table["style"], strict=True)) == [
        ("1", "house"), ("1", "lofi"), ("2", "house"), ("2", "lofi"),
    ]  # fmt: skip
    assert list(table["cells"]) == [8, 8, 8, 8]
    assert list(table["generations"]) == [16, 16, 16, 16]
    with duckdb.connect(str(db), read_only=True) as con:
        accepted = con.execute(
            "SELECT avg(CAST(g.accepted AS DOUBLE)) FROM generations g JOIN sweep_cells c "
            "USING (run_id) WHERE c.parameters LIKE '%\"candidates\":2%' "
            'AND c.parameters LIKE \'%"style":"lofi"%\''
        ).fetchall()[0][0]
    assert table["acceptance_rate"].iloc[3] == pytest.approx(accepted)
    curve = acceptance_curve(db, sweep_id)
    overall = curve[curve["role"] == "all"]
    assert list(overall["candidates"]) == [1, 2]
    assert list(overall["generations"]) == [64, 32]  # every generation has a first candidate
    with pytest.raises(SweepError, match="cannot group by"):
        summary(db, sweep_id, by=["colour"])
