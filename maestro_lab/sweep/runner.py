"""The sweep runner: cells to workers, telemetry back, one transaction per batch of results.

:func:`run` expands an experiment into cells, records the sweep and its
cells (``pending``) in the ``sweeps`` and ``sweep_cells`` tables, and
submits every cell still to do to an executor (see
:mod:`maestro_lab.sweep.executors`). Workers compose and return telemetry
batches (:mod:`maestro_lab.sweep.worker`); only this process writes the
database. As results complete, the runner collects them and writes every
finished cell's run and its cell row together, in **one** transaction per
batch (at most every :data:`FLUSH_SECONDS`), so a cell is ``completed``
exactly when its telemetry is stored, and a kill at any moment loses at
most the cells in flight or waiting to be written.

``resume=True`` continues the newest sweep of the same experiment and grid
in the database: completed cells are skipped, failed and unfinished ones run
again (under the same run ids, so nothing is ever duplicated). A cell that
raises is recorded with its traceback and the sweep goes on, unless
``fail_fast``.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Final

from pydantic import JsonValue

from maestro_lab.sweep.cells import Cell, canonical, expand, run_id_for
from maestro_lab.sweep.errors import CellFailedError
from maestro_lab.sweep.executors import ClientLike, open_executor
from maestro_lab.sweep.spec import Experiment, load_spec
from maestro_lab.sweep.worker import CellOutcome, failure, run_cell

if TYPE_CHECKING:
    import pandas as pd

    from muse_duckdb.storage.database import Database

PathLike = str | os.PathLike[str]


@dataclass(frozen=True)
class CellFailure:
    """A failed cell: its key, index, error and the traceback from the worker."""

    cell_key: str
    cell_index: int
    error: str
    traceback: str


@dataclass(frozen=True)
class SweepResult:
    """What a sweep did.

    Attributes
    ----------
    sweep_id:
        Links the sweep's runs (``sweep_cells.run_id``; ``runs.parameters``
        holds it too).
    cells, completed, failed:
        Cells of the grid, and how many are completed and failed now.
    ran, skipped:
        Cells run by this call, and cells skipped as already complete.
    seconds:
        Wall time of this call from the first submission.
    ingest_seconds:
        Of which the coordinator spent writing results (telemetry and cell rows).
    coordinator_cpu_seconds, worker_cpu_seconds:
        CPU time of this process while the cells ran, and the workers' CPU
        time on the cells (the coordinator keeps up with ``n`` workers while
        its CPU per cell is well under ``1/n`` of theirs).
    """

    sweep_id: str
    name: str
    kind: str
    db: str
    executor: str
    cells: int
    completed: int
    failed: int
    ran: int
    skipped: int
    seconds: float
    resumed: bool
    failures: tuple[CellFailure, ...] = ()
    outputs: dict[str, str] = field(default_factory=dict)
    ingest_seconds: float = 0.0
    coordinator_cpu_seconds: float = 0.0
    worker_cpu_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Whether every cell is completed."""
        return self.completed == self.cells

    @property
    def cells_per_second(self) -> float:
        """Cells this call ran per second of wall time."""
        return self.ran / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, JsonValue]:
        """A JSON-ready summary (camelCase keys, as the CLI prints it)."""
        return {
            "sweepId": self.sweep_id,
            "name": self.name,
            "kind": self.kind,
            "db": self.db,
            "executor": self.executor,
            "cells": self.cells,
            "completed": self.completed,
            "failed": self.failed,
            "ran": self.ran,
            "skipped": self.skipped,
            "seconds": round(self.seconds, 3),
            "ingestSeconds": round(self.ingest_seconds, 3),
            "coordinatorCpuSeconds": round(self.coordinator_cpu_seconds, 3),
            "workerCpuSeconds": round(self.worker_cpu_seconds, 3),
            "cellsPerSecond": round(self.cells_per_second, 3),
            "resumed": self.resumed,
            "failures": [
                {
                    "cellKey": f.cell_key,
                    "cellIndex": f.cell_index,
                    "error": f.error,
                    "traceback": f.traceback,
                }
                for f in self.failures
            ],
        }

    def cell_table(self) -> pd.DataFrame:
        """Every cell of the sweep as recorded in the database."""
        from muse_duckdb.telemetry import open_database
        from muse_duckdb.telemetry.sweeps import sweep_cells

        return sweep_cells(open_database(self.db, read_only=True), self.sweep_id)


def now_utc() -> datetime:
    """The current UTC time, naive (as the telemetry tables store it)."""
    return datetime.now(UTC).replace(tzinfo=None)


def spec_hash(name: str, kind: str, keys: Sequence[str], extra: str = "") -> str:
    """16 hex digits identifying an experiment's grid (what ``resume`` matches)."""
    text = canonical({"name": name, "kind": kind, "cells": list(keys), "extra": extra})
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass
class _Sweep:
    """The coordinator's state of one sweep while it runs."""

    database: Database
    sweep_id: str
    cells: dict[str, Cell]
    attempts: dict[str, int]
    states: dict[str, str]
    failures: list[CellFailure] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)
    ingest_seconds: float = 0.0
    worker_cpu_seconds: float = 0.0

    def record(self, outcomes: Sequence[CellOutcome]) -> None:
        """Write ``outcomes`` (runs and cell rows) in one transaction."""
        from muse_duckdb.telemetry import TelemetryBatch, ingest
        from muse_duckdb.telemetry.sweeps import cell_rows, record_cells

        began = time.perf_counter()
        batches = [o.batch for o in outcomes if o.batch is not None]
        ended = now_utc()
        for o in outcomes:
            self.attempts[o.cell_key] = self.attempts.get(o.cell_key, 0) + 1
            self.worker_cpu_seconds += o.cpu_s
        rows = cell_rows(
            sweep_id=self.sweep_id,
            cell_keys=[o.cell_key for o in outcomes],
            cell_indexes=[self.cells[o.cell_key].index for o in outcomes],
            parameters=[canonical(self.cells[o.cell_key].summary()) for o in outcomes],
            seeds=[self.cells[o.cell_key].seed for o in outcomes],
            run_ids=[o.run_id if o.batch is not None else None for o in outcomes],
            statuses=[o.status for o in outcomes],
            attempts=[self.attempts[o.cell_key] for o in outcomes],
            errors=[o.error for o in outcomes],
            tracebacks=[o.traceback for o in outcomes],
            durations=[round(o.duration_s, 6) for o in outcomes],
            ended_at=[ended] * len(outcomes),
            outputs=[o.outputs for o in outcomes],
        )
        with self.database.write("record sweep cells") as conn:
            if batches:
                ingest(conn, TelemetryBatch.concat(batches), in_transaction=True)
            record_cells(conn, rows)
        self.ingest_seconds += time.perf_counter() - began
        for o in outcomes:
            self.states[o.cell_key] = o.status
            if o.outputs is not None:
                self.outputs[o.cell_key] = o.outputs
            if o.status == "failed":
                self.failures.append(
                    CellFailure(
                        o.cell_key, self.cells[o.cell_key].index, o.error or "", o.traceback or ""
                    )
                )

    def finish(self, status: str, executor: str | None = None) -> None:
        """Set the sweep's final status."""
        from muse_duckdb.telemetry.sweeps import set_sweep_status

        with self.database.write("finish a sweep") as conn:
            set_sweep_status(conn, self.sweep_id, status, ended_at=now_utc(), executor=executor)


def begin(
    database: Database,
    experiment: Experiment,
    cells: Sequence[Cell],
    *,
    kind: str,
    executor: str,
    resume: bool,
    extra: str = "",
) -> tuple[_Sweep, bool]:
    """Record a new sweep (or reopen the one to resume), a row per cell: ``(sweep, resumed)``."""
    from muse_duckdb.telemetry import detect_git_commit, package_versions
    from muse_duckdb.telemetry.sweeps import (
        SweepRow,
        cell_rows,
        cell_states,
        latest_sweep,
        record_cells,
        set_sweep_status,
        start_sweep,
    )

    name = experiment.spec.name
    digest = spec_hash(name, kind, [c.key for c in cells], extra)
    by_key = {c.key: c for c in cells}
    found = latest_sweep(database, name, digest) if resume else None
    states: dict[str, tuple[str, int]] = {}
    if found is not None:
        sweep_id = found
        states = cell_states(database, sweep_id)
    else:
        sweep_id = f"sweep-{uuid.uuid4().hex[:16]}"
    missing = [c for c in cells if c.key not in states]
    rows = cell_rows(
        sweep_id=sweep_id,
        cell_keys=[c.key for c in missing],
        cell_indexes=[c.index for c in missing],
        parameters=[canonical(c.summary()) for c in missing],
        seeds=[c.seed for c in missing],
        run_ids=[None] * len(missing),
        statuses=["pending"] * len(missing),
        attempts=[0] * len(missing),
    )
    spec_text = json.dumps(
        {
            "spec": experiment.spec.model_dump(mode="json"),
            "source": experiment.source,
            "extra": extra,
        },
        sort_keys=True,
    )
    with database.write("start a sweep") as conn:
        if found is None:
            start_sweep(
                conn,
                SweepRow(
                    sweep_id=sweep_id,
                    name=name,
                    kind=kind,
                    spec_hash=digest,
                    spec=spec_text,
                    executor=executor,
                    n_cells=len(cells),
                    package_versions=json.dumps(package_versions(), sort_keys=True),
                    git_commit=detect_git_commit(experiment.folder),
                    started_at=now_utc(),
                ),
            )
        else:
            set_sweep_status(conn, sweep_id, "running", executor=executor)
        record_cells(conn, rows)
    sweep = _Sweep(
        database=database,
        sweep_id=sweep_id,
        cells=by_key,
        attempts={k: a for k, (_, a) in states.items()},
        states={k: s for k, (s, _) in states.items()} | {c.key: "pending" for c in missing},
    )
    return sweep, found is not None


Task = Callable[[Cell, str], CellOutcome]
"""What a worker runs for one cell: ``task(cell, sweep_id) -> CellOutcome``."""


def _outcome(future: Future[CellOutcome], cell: Cell, sweep_id: str) -> CellOutcome:
    """The future's outcome; an executor-level failure (a worker died) becomes a failed cell."""
    try:
        return future.result()
    except Exception as exc:
        return failure(cell.key, run_id_for(sweep_id, cell.key), exc, 0.0)


FLUSH_SECONDS: Final = 0.5
"""Longest a finished cell waits before the coordinator writes it (results are batched)."""

MAX_BATCH: Final = 256
"""Most cells written in one transaction."""

INGEST_SHARE: Final = 0.2
"""Most of its time the coordinator spends writing: after a write of ``t`` seconds,
the next waits at least ``t / INGEST_SHARE`` (so a slow disk or a busy machine
makes batches bigger instead of starving the workers' results)."""


def drive(
    sweep: _Sweep,
    todo: Sequence[Cell],
    executor: Executor,
    task: Task,
    *,
    fail_fast: bool,
    progress: bool,
    done_before: int,
    flush_seconds: float = FLUSH_SECONDS,
) -> None:
    """Submit ``todo`` and record results as they complete, batched into few transactions.

    Finished cells are written together once ``flush_seconds`` passed since
    the last write (longer if writing is slow, see :data:`INGEST_SHARE`), or
    :data:`MAX_BATCH` are waiting, or a cell failed under ``fail_fast``, or
    nothing is left: the coordinator's per-transaction cost is paid per
    batch, not per cell, so it keeps up with many workers.
    """
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(
            total=len(sweep.cells),
            initial=done_before,
            unit="cell",
            desc=sweep.sweep_id,
            file=sys.stderr,
            dynamic_ncols=True,
        )
    futures: dict[Future[CellOutcome], Cell] = {
        executor.submit(task, cell, sweep.sweep_id): cell for cell in todo
    }
    waiting: list[CellOutcome] = []
    last = time.monotonic()
    interval = flush_seconds
    try:
        while futures or waiting:
            if futures:
                timeout = max(0.0, last + interval - time.monotonic()) if waiting else None
                done, _ = wait(list(futures), timeout=timeout, return_when=FIRST_COMPLETED)
                waiting.extend(_outcome(f, futures.pop(f), sweep.sweep_id) for f in done)
            failed = next((o for o in waiting if o.status == "failed"), None)
            due = (
                not futures
                or len(waiting) >= MAX_BATCH
                or time.monotonic() - last >= interval
                or (fail_fast and failed is not None)
            )
            if not (waiting and due):
                continue
            waiting.sort(key=lambda o: sweep.cells[o.cell_key].index)
            began = time.monotonic()
            sweep.record(waiting)
            interval = max(flush_seconds, (time.monotonic() - began) / INGEST_SHARE)
            if bar is not None:
                bar.update(len(waiting))
                bar.set_postfix(failed=len(sweep.failures), refresh=False)
            waiting, last = [], time.monotonic()
            if fail_fast and failed is not None:
                raise CellFailedError(
                    sweep.sweep_id, failed.cell_key, failed.error or "", failed.traceback or ""
                )
    finally:
        for future in futures:
            future.cancel()
        if bar is not None:
            bar.close()


def run(
    spec: Experiment | PathLike,
    executor: Executor | ClientLike | None = None,
    *,
    db: PathLike | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    fail_fast: bool = False,
    notebook: PathLike | None = None,
    progress: bool = False,
) -> SweepResult:
    """Run an experiment: every cell on an executor, telemetry ingested here as results complete.

    Parameters
    ----------
    spec:
        An experiment spec file (YAML) or a loaded :class:`Experiment`.
    executor:
        A ``concurrent.futures`` executor, or a Dask ``Client`` (its
        executor is used, tasks not pure). Default: a local process pool,
        or a Dask client of ``scheduler``.
    db:
        The database (default: the spec's ``output``).
    workers:
        Processes of the local pool (default: the CPUs available).
    scheduler:
        A Dask scheduler address (``tcp://host:port``).
    resume:
        Continue the newest sweep of this experiment in ``db``: skip
        completed cells, run failed and unfinished ones again.
    fail_fast:
        Stop at the first failed cell (raise :class:`CellFailedError`).
    notebook:
        Run this notebook per cell with papermill instead of composing
        (see :mod:`maestro_lab.sweep.notebooks`).
    progress:
        Show a progress bar on stderr.

    Returns
    -------
    SweepResult
        The sweep id, counts, failures (with tracebacks) and timing.

    Raises
    ------
    SpecError
        The spec is invalid (names the key and its line).
    CellFailedError
        A cell failed with ``fail_fast``.
    MuseError, TelemetryError
        The database cannot be opened or written.
    """
    experiment = spec if isinstance(spec, Experiment) else load_spec(spec)
    if experiment.spec.rescore is not None:
        from maestro_lab.sweep.rescoring import run_rescore

        return run_rescore(experiment, db=db, resume=resume, fail_fast=fail_fast, progress=progress)
    from muse_duckdb.telemetry import open_database

    target = str(db if db is not None else experiment.spec.output)
    cells = expand(experiment)
    task: Task = run_cell
    kind, extra = "compose", ""
    if notebook is not None:
        from maestro_lab.sweep.notebooks import NotebookTask

        task = NotebookTask.for_sweep(notebook, target)
        kind, extra = "notebook", str(Path(notebook).resolve())
    database = open_database(target)
    with database.session(write=True):
        with open_executor(executor, workers=workers, scheduler=scheduler) as (pool, label):
            sweep, resumed = begin(
                database, experiment, cells, kind=kind, executor=label, resume=resume, extra=extra
            )
            todo = [c for c in cells if sweep.states.get(c.key) != "completed"]
            skipped = len(cells) - len(todo)
            began, cpu = time.perf_counter(), time.process_time()
            try:
                drive(
                    sweep,
                    todo,
                    pool,
                    task,
                    fail_fast=fail_fast,
                    progress=progress,
                    done_before=skipped,
                )
            except CellFailedError:
                sweep.finish("failed", label)
                raise
            except BaseException:
                sweep.finish("interrupted", label)
                raise
            seconds = time.perf_counter() - began
            cpu = time.process_time() - cpu
        completed = sum(1 for s in sweep.states.values() if s == "completed")
        failed = sum(1 for s in sweep.states.values() if s == "failed")
        sweep.finish("completed" if completed == len(cells) else "failed", label)
    return SweepResult(
        sweep_id=sweep.sweep_id,
        name=experiment.spec.name,
        kind=kind,
        db=target,
        executor=label,
        cells=len(cells),
        completed=completed,
        failed=failed,
        ran=len(todo),
        skipped=skipped,
        seconds=seconds,
        resumed=resumed,
        failures=tuple(sweep.failures),
        outputs=dict(sweep.outputs),
        ingest_seconds=sweep.ingest_seconds,
        coordinator_cpu_seconds=cpu,
        worker_cpu_seconds=sweep.worker_cpu_seconds,
    )


__all__ = [
    "FLUSH_SECONDS",
    "INGEST_SHARE",
    "MAX_BATCH",
    "CellFailure",
    "SweepResult",
    "Task",
    "begin",
    "drive",
    "now_utc",
    "run",
    "spec_hash",
]
