"""What a worker does with one cell: compose it and return its telemetry, never write the database.

:func:`run_cell` runs in a worker process (a local process pool or a Dask
worker). It composes the cell against an in-memory Muse database (an empty
project, so the result does not depend on what other cells did), stages the
variation without committing it, and returns a :class:`CellOutcome` holding
the run's whole telemetry as a :class:`~muse_duckdb.telemetry.TelemetryBatch`
(Arrow tables: the run, its generations, every candidate with its notes and
metrics, every event). The coordinator ingests it. A cell that raises
returns its error and formatted traceback instead; the sweep goes on.

Determinism: the run id is derived from the sweep id and the cell key, and
every seed from the cell's seed, so a cell yields the same content ids and
scores whatever the executor, the worker or the order.
"""

from __future__ import annotations

import json
import sys
import time
import traceback
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import JsonValue

from maestro_lab.sweep.cells import Cell, run_id_for

if TYPE_CHECKING:
    from muse_duckdb.telemetry import TelemetryBatch
    from storpheus.scoring import Scorer


@dataclass(frozen=True)
class CellOutcome:
    """The result of one cell, as returned to the coordinator (picklable).

    Attributes
    ----------
    cell_key, run_id:
        The cell and the telemetry run it recorded.
    status:
        ``"completed"`` or ``"failed"``.
    batch:
        The run's telemetry (``None`` for a failure or a notebook cell).
    error, traceback:
        ``"Type: message"`` and the formatted traceback of a failure.
    duration_s, cpu_s:
        Wall and CPU seconds the worker spent on the cell.
    outputs:
        JSON text of what the cell produced besides telemetry (an executed
        notebook and its outputs), or ``None``.
    """

    cell_key: str
    run_id: str | None
    status: str
    batch: TelemetryBatch | None = None
    error: str | None = None
    traceback: str | None = None
    duration_s: float = 0.0
    outputs: str | None = None
    cpu_s: float = 0.0


def failure(cell_key: str, run_id: str | None, exc: BaseException, seconds: float) -> CellOutcome:
    """The outcome of a cell that raised ``exc``, with its traceback."""
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return CellOutcome(
        cell_key=cell_key,
        run_id=run_id,
        status="failed",
        error=f"{type(exc).__name__}: {exc}",
        traceback=text,
        duration_s=seconds,
    )


def _on_path(folder: str) -> None:
    if folder and folder not in sys.path:
        sys.path.insert(0, folder)


def cell_scorer(cell: Cell) -> Scorer | str | None:
    """The cell's scorer: its spec string, or a :class:`Scorer` with the cell's weights."""
    from storpheus.scoring import load_scorer

    _on_path(cell.search_path)
    if not cell.weights:
        return None if cell.scorer == "default" else cell.scorer
    return load_scorer(cell.scorer).with_weights(**dict(cell.weights))


def cell_parameters(cell: Cell, sweep_id: str) -> dict[str, JsonValue]:
    """What the run's telemetry row records besides the runtime's own parameters."""
    return {
        "sweep_id": sweep_id,
        "cell_key": cell.key,
        "cell_index": cell.index,
        "prompt_name": cell.prompt_name,
        "style": cell.style,
        "roles": None if cell.roles is None else list(cell.roles),
        "weights": dict(cell.weights),
        "threshold": cell.threshold,
        "backend_options": json.loads(cell.backend_options),
    }


def compose_cell(cell: Cell, sweep_id: str) -> TelemetryBatch:
    """Compose ``cell`` without touching any database file; its telemetry batch.

    Raises whatever the composition raises.
    """
    from maestro_lab.runtime.commit import PendingComposition, events_batch
    from maestro_lab.runtime.options import AgentOptions
    from maestro_lab.runtime.session import RunConfig, prepare_run
    from muse_duckdb.telemetry import TelemetryBatch

    options = dict(json.loads(cell.options))
    if cell.threshold is not None:
        options["threshold"] = cell.threshold
    config = RunConfig(
        db=":memory:",
        backend=cell.backend,
        backend_options=json.loads(cell.backend_options),
        scorer=cell_scorer(cell),
        options=AgentOptions.from_dict(options),
        out=None,
        experiment=cell.experiment,
        parameters=cell_parameters(cell, sweep_id),
        detect_environment=False,
    )
    run_id = run_id_for(sweep_id, cell.key)
    prepared = prepare_run(
        cell.prompt, seed=cell.seed, candidates=cell.candidates, config=config, run_id=run_id
    )
    try:
        pending = prepared.execute(accept=False)
        if not isinstance(pending, PendingComposition):  # pragma: no cover - runtime contract
            raise TypeError("execute(accept=False) returned no pending composition")
        return TelemetryBatch.concat(
            [pending.recorder.batch(), events_batch(run_id, pending.stream.events)]
        )
    finally:
        prepared.db.close()


def run_cell(cell: Cell, sweep_id: str) -> CellOutcome:
    """Compose one cell in a worker; its outcome (telemetry, or error and traceback)."""
    began, cpu = time.perf_counter(), time.process_time()
    run_id = run_id_for(sweep_id, cell.key)
    try:
        batch = compose_cell(cell, sweep_id)
    except Exception as exc:  # reported with its traceback; the sweep goes on
        return failure(cell.key, run_id, exc, time.perf_counter() - began)
    return CellOutcome(
        cell_key=cell.key,
        run_id=run_id,
        status="completed",
        batch=batch,
        duration_s=time.perf_counter() - began,
        cpu_s=time.process_time() - cpu,
    )


def warm_up() -> int:
    """Import the runtime in a worker (so the first cell does not pay for it); returns 0."""
    import maestro_lab.runtime.session  # noqa: F401

    return 0


__all__ = [
    "CellOutcome",
    "cell_parameters",
    "cell_scorer",
    "compose_cell",
    "failure",
    "run_cell",
    "warm_up",
]
