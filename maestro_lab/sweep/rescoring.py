"""Re-score sweeps: a grid over scorers and weights applied to an earlier sweep's candidates.

Nothing is generated. Telemetry keeps every candidate a sweep's runs saw
(their notes and each generation's scoring targets), so each cell here —
one scorer with one set of weights — scores every generation of the source
sweep again and records, per generation, the old and the new choice in
``sweep_rescores``; the cell's ``outputs`` summarise how many choices
changed and the mean best score before and after. This is the fast path for
iterating on scoring.

.. code-block:: yaml

    name: scorer-weights
    rescore: {sweep: acceptance-vs-candidates}   # an experiment name or a sweep id
    scorer: default
    grid:
      weights: [{}, {harmony: 2.0}, {rhythm: 2.0}]
"""

from __future__ import annotations

import itertools
import json
import os
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import pyarrow as pa

from maestro_lab.sweep.cells import Cell, canonical, cell_key
from maestro_lab.sweep.errors import CellFailedError, SweepError
from maestro_lab.sweep.spec import Experiment
from maestro_lab.sweep.worker import CellOutcome, failure

if TYPE_CHECKING:
    from maestro_lab.sweep.records import SweepResult
    from muse_duckdb.storage.database import Database


def source_sweep(database: Database, ref: str) -> str:
    """The sweep id ``ref`` names: a sweep id, or the newest sweep of an experiment name.

    Raises
    ------
    SweepError
        No composing sweep has this id or experiment name.
    """
    with database.read() as conn:
        rows = conn.execute(
            "SELECT sweep_id FROM sweeps WHERE (sweep_id = ? OR name = ?) AND kind = 'compose' "
            "ORDER BY (sweep_id = ?) DESC, started_at DESC LIMIT 1",
            [ref, ref, ref],
        ).fetchall()
    if not rows:
        raise SweepError(
            f"{database.path}: no composing sweep has the id or experiment name {ref!r}"
        )
    return str(rows[0][0])


def rescore_cells(experiment: Experiment, source: str) -> tuple[Cell, ...]:
    """One cell per (scorer, weights) of the grid; keyed by them and the source sweep."""
    spec = experiment.spec
    scorers = spec.grid.scorer or [spec.scorer]
    weight_sets = spec.grid.weights or [spec.weights]
    cells: list[Cell] = []
    for scorer, weights in itertools.product(scorers, weight_sets):
        cell = Cell(
            index=len(cells),
            key="",
            experiment=spec.name,
            prompt_name=f"rescore:{source}",
            prompt="",
            seed=0,
            candidates=None,
            style=None,
            roles=None,
            scorer=scorer,
            weights=tuple(sorted((str(k), float(v)) for k, v in weights.items())),
            threshold=None,
            options=canonical({}),
            backend="-",
            backend_options=canonical({}),
            search_path=str(experiment.folder),
        )
        cells.append(replace(cell, key=cell_key(cell.parameters())))
    return tuple(cells)


def rescore_cell(database: Database, cell: Cell, sweep_id: str, runs: Sequence[str]) -> pa.Table:
    """The ``sweep_rescores`` rows of one cell: every generation of ``runs`` chosen again."""
    import numpy as np

    from maestro_lab.runtime.rescore import scorer_rescorer
    from maestro_lab.sweep.worker import cell_scorer
    from muse_duckdb.telemetry import rescore
    from storpheus.scoring import Scorer, load_scorer

    chosen = cell_scorer(cell)
    scorer = (
        chosen
        if isinstance(chosen, Scorer)
        else Scorer()
        if chosen is None
        else load_scorer(chosen)
    )
    rescorer = scorer_rescorer(scorer)
    frames = [rescore(database, run_id, rescorer).assign(run_id=run_id) for run_id in runs]
    columns: dict[str, list[object]] = {
        name: [] for name in ("run_id", "generation_id", "section", "role", "candidates")
    }
    numbers: dict[str, list[object]] = {
        name: [] for name in ("old_index", "old_score", "new_index", "new_score", "changed")
    }
    for frame in frames:
        for name in columns:
            columns[name].extend(frame[name].tolist())
        for name in numbers:
            values = frame[name].to_numpy()
            numbers[name].extend(
                None if isinstance(v, float) and not np.isfinite(v) else v for v in values.tolist()
            )
    n = len(columns["run_id"])
    from muse_duckdb.telemetry.sweeps import RESCORES_SCHEMA

    return (
        pa.table(
            {
                "sweep_id": [sweep_id] * n,
                "cell_key": [cell.key] * n,
                "scorer": [scorer.scorer_id] * n,
                **columns,
                **numbers,
            }
        )
        .select(RESCORES_SCHEMA.names)
        .cast(RESCORES_SCHEMA)
    )


def _summary(rows: pa.Table, runs: int) -> str:
    changed = rows.column("changed").to_pylist()
    old = [v for v in rows.column("old_score").to_pylist() if v is not None]
    new = [v for v in rows.column("new_score").to_pylist() if v is not None]
    return json.dumps(
        {
            "runs": runs,
            "generations": rows.num_rows,
            "changed": sum(1 for c in changed if c),
            "mean_old_score": sum(old) / len(old) if old else None,
            "mean_new_score": sum(new) / len(new) if new else None,
        },
        sort_keys=True,
    )


def run_rescore(
    experiment: Experiment,
    *,
    db: str | os.PathLike[str] | None,
    resume: bool,
    fail_fast: bool,
    progress: bool,
) -> SweepResult:
    """Run a re-scoring experiment in this process (reading is all it does besides scoring)."""
    from maestro_lab.sweep.records import SweepResult, begin
    from muse_duckdb.telemetry import open_database
    from muse_duckdb.telemetry.sweeps import record_rescores, sweep_run_ids

    assert experiment.spec.rescore is not None
    target = str(db if db is not None else experiment.spec.output)
    database = open_database(target)
    with database.session(write=True):
        source = source_sweep(database, experiment.spec.rescore.sweep)
        runs = sweep_run_ids(database, source)
        cells = rescore_cells(experiment, source)
        sweep, resumed = begin(
            database, experiment, cells, kind="rescore", executor="coordinator",
            resume=resume, extra=source,
        )  # fmt: skip
        todo = [c for c in cells if sweep.states.get(c.key) != "completed"]
        bar = None
        if progress:
            import sys

            from tqdm import tqdm

            bar = tqdm(
                total=len(cells), initial=len(cells) - len(todo), unit="cell", file=sys.stderr
            )
        began = time.perf_counter()
        try:
            for cell in todo:
                start = time.perf_counter()
                try:
                    rows = rescore_cell(database, cell, sweep.sweep_id, runs)
                except Exception as exc:  # recorded with its traceback; the sweep goes on
                    sweep.record([failure(cell.key, None, exc, time.perf_counter() - start)])
                    if fail_fast:
                        last = sweep.failures[-1]
                        sweep.finish("failed", "coordinator")
                        raise CellFailedError(
                            sweep.sweep_id, cell.key, last.error, last.traceback
                        ) from exc
                else:
                    outcome = CellOutcome(
                        cell_key=cell.key,
                        run_id=None,
                        status="completed",
                        duration_s=time.perf_counter() - start,
                        outputs=_summary(rows, len(runs)),
                    )
                    with database.write("record re-scores"):
                        with database.write("record re-scores") as conn:
                            record_rescores(conn, rows)
                        sweep.record([outcome])
                if bar is not None:
                    bar.update(1)
        finally:
            if bar is not None:
                bar.close()
        seconds = time.perf_counter() - began
        completed = sum(1 for s in sweep.states.values() if s == "completed")
        failed = sum(1 for s in sweep.states.values() if s == "failed")
        sweep.finish("completed" if completed == len(cells) else "failed", "coordinator")
    return SweepResult(
        sweep_id=sweep.sweep_id,
        name=experiment.spec.name,
        kind="rescore",
        db=target,
        executor="coordinator",
        cells=len(cells),
        completed=completed,
        failed=failed,
        ran=len(todo),
        skipped=len(cells) - len(todo),
        seconds=seconds,
        resumed=resumed,
        failures=tuple(sweep.failures),
        outputs=dict(sweep.outputs),
        ingest_seconds=sweep.ingest_seconds,
    )


__all__ = ["rescore_cell", "rescore_cells", "run_rescore", "source_sweep"]
