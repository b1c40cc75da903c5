"""The coordinator's records of a sweep: its rows, each batch of results, its outcome.

:func:`begin` records a new sweep (or reopens the one to resume) with a
``pending`` row per cell; :class:`SweepLedger` writes each batch of finished
cells (their runs' telemetry and their cell rows) in one transaction and
keeps the counts; :class:`SweepResult` is what a sweep reports. Only the
coordinating process uses this module: it is the one that writes the
database.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from pydantic import JsonValue

from maestro_lab.sweep.cells import Cell, canonical
from maestro_lab.sweep.spec import Experiment
from maestro_lab.sweep.worker import CellOutcome

if TYPE_CHECKING:
    import pandas as pd

    from muse_duckdb.storage.database import Database


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
class SweepLedger:
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
) -> tuple[SweepLedger, bool]:
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
    sweep = SweepLedger(
        database=database,
        sweep_id=sweep_id,
        cells=by_key,
        attempts={k: a for k, (_, a) in states.items()},
        states={k: s for k, (s, _) in states.items()} | {c.key: "pending" for c in missing},
    )
    return sweep, found is not None


__all__ = ["CellFailure", "SweepLedger", "SweepResult", "begin", "now_utc", "spec_hash"]
