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

import os
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from pathlib import Path
from typing import Final

from maestro_lab.sweep.cells import Cell, expand, run_id_for
from maestro_lab.sweep.errors import CellFailedError
from maestro_lab.sweep.executors import ClientLike, open_executor
from maestro_lab.sweep.records import SweepLedger, SweepResult, begin
from maestro_lab.sweep.spec import Experiment, load_spec
from maestro_lab.sweep.worker import CellOutcome, failure, run_cell

PathLike = str | os.PathLike[str]


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
    sweep: SweepLedger,
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
    "Task",
    "drive",
    "run",
]
