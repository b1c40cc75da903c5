"""Sweep telemetry: which sweeps ran, every cell's outcome, and re-scoring results.

A sweep runs one composition (or one notebook, or one re-scoring) per *cell*
of an experiment grid. Its runs are ordinary telemetry runs; these tables
link them and say what ran, what failed and why. They are version 2 of the
``"telemetry"`` schema component (:data:`SWEEPS_MIGRATION`).

``sweeps``
    One row per sweep: ``sweep_id``, experiment ``name``, ``kind`` (compose,
    notebook, rescore), ``spec_hash`` and the validated ``spec`` (JSON),
    ``status`` (running / completed / failed / interrupted), the executor,
    the number of cells, package versions, git commit, start and end times,
    ``metadata`` (JSON).
``sweep_cells``
    One row per (sweep, cell): ``cell_key`` (hash of the cell's parameters
    and seed), its index in the grid, ``parameters`` (JSON), seed, the
    ``run_id`` it recorded, ``status`` (pending / completed / failed),
    ``attempts``, ``error`` and ``traceback`` of a failure, duration, end
    time, ``outputs`` (JSON: an executed notebook and its outputs, a
    re-scoring summary).
``sweep_rescores``
    One row per (re-scoring cell, generation): the old and the new choice.

The coordinator writes cell rows with :func:`record_cells` in the same
transaction as the runs they describe, so a cell is ``completed`` exactly
when its telemetry is stored; :func:`check_sweep` verifies that.
"""

from __future__ import annotations

import contextlib
import itertools
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Final

import pyarrow as pa

from muse_duckdb.storage.database import Connection, Database, first_row
from muse_duckdb.storage.schema import Migration

if TYPE_CHECKING:
    import pandas as pd

_COUNTER = itertools.count()

SWEEP_STATUSES: Final = ("running", "completed", "failed", "interrupted")
"""Values of ``sweeps.status``."""

CELL_STATUSES: Final = ("pending", "completed", "failed")
"""Values of ``sweep_cells.status``."""

_V2: Final = (
    """CREATE TABLE sweeps (
        sweep_id VARCHAR PRIMARY KEY,
        name VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        spec_hash VARCHAR NOT NULL,
        spec VARCHAR NOT NULL,
        status VARCHAR NOT NULL,
        executor VARCHAR,
        n_cells INTEGER NOT NULL,
        package_versions VARCHAR NOT NULL,
        git_commit VARCHAR,
        started_at TIMESTAMP,
        ended_at TIMESTAMP,
        metadata VARCHAR NOT NULL
    )""",
    """CREATE TABLE sweep_cells (
        sweep_id VARCHAR NOT NULL,
        cell_key VARCHAR NOT NULL,
        cell_index INTEGER NOT NULL,
        parameters VARCHAR NOT NULL,
        seed BIGINT,
        run_id VARCHAR,
        status VARCHAR NOT NULL,
        attempts INTEGER NOT NULL,
        error VARCHAR,
        traceback VARCHAR,
        duration_s DOUBLE,
        ended_at TIMESTAMP,
        outputs VARCHAR,
        PRIMARY KEY (sweep_id, cell_key)
    )""",
    """CREATE TABLE sweep_rescores (
        sweep_id VARCHAR NOT NULL,
        cell_key VARCHAR NOT NULL,
        scorer VARCHAR NOT NULL,
        run_id VARCHAR NOT NULL,
        generation_id VARCHAR NOT NULL,
        section VARCHAR,
        role VARCHAR NOT NULL,
        candidates INTEGER NOT NULL,
        old_index INTEGER,
        old_score DOUBLE,
        new_index INTEGER,
        new_score DOUBLE,
        changed BOOLEAN NOT NULL
    )""",
)

SWEEPS_MIGRATION: Final = Migration(2, "sweeps, sweep cells, sweep re-scores", _V2)
"""The telemetry schema's version 2: the three sweep tables."""

CELLS_SCHEMA: Final = pa.schema(
    [
        ("sweep_id", pa.string()),
        ("cell_key", pa.string()),
        ("cell_index", pa.int32()),
        ("parameters", pa.string()),
        ("seed", pa.int64()),
        ("run_id", pa.string()),
        ("status", pa.string()),
        ("attempts", pa.int32()),
        ("error", pa.string()),
        ("traceback", pa.string()),
        ("duration_s", pa.float64()),
        ("ended_at", pa.timestamp("us")),
        ("outputs", pa.string()),
    ]
)
"""The Arrow schema of :func:`record_cells` input (the columns of ``sweep_cells``)."""

RESCORES_SCHEMA: Final = pa.schema(
    [
        ("sweep_id", pa.string()),
        ("cell_key", pa.string()),
        ("scorer", pa.string()),
        ("run_id", pa.string()),
        ("generation_id", pa.string()),
        ("section", pa.string()),
        ("role", pa.string()),
        ("candidates", pa.int32()),
        ("old_index", pa.int32()),
        ("old_score", pa.float64()),
        ("new_index", pa.int32()),
        ("new_score", pa.float64()),
        ("changed", pa.bool_()),
    ]
)
"""The Arrow schema of :func:`record_rescores` input."""


@dataclass(frozen=True)
class SweepRow:
    """The ``sweeps`` row of a sweep as it starts."""

    sweep_id: str
    name: str
    kind: str
    spec_hash: str
    spec: str
    executor: str
    n_cells: int
    package_versions: str
    git_commit: str | None
    started_at: datetime
    metadata: str = "{}"


Target = Connection | Database
"""Where sweeps live: an open DuckDB connection or a Muse :class:`Database`."""


@contextmanager
def _reading(target: Target) -> Iterator[Connection]:
    if isinstance(target, Database):
        with target.read() as conn:
            yield conn
    else:
        yield target


@contextmanager
def _registered(conn: Connection, table: pa.Table) -> Iterator[str]:
    name = f"__sweep_rows_{next(_COUNTER)}"
    conn.register(name, table)
    try:
        yield name
    finally:
        with contextlib.suppress(Exception):  # fails inside an aborted transaction
            conn.unregister(name)


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    missing = [f.name for f in schema if f.name not in table.column_names]
    if missing:
        raise ValueError(f"sweep rows miss the columns {missing}")
    return pa.Table.from_arrays([table.column(f.name).cast(f.type) for f in schema], schema=schema)


# ------------------------------------------------------------------ writes
def start_sweep(conn: Connection, row: SweepRow) -> None:
    """Insert the ``sweeps`` row of a new sweep (status ``running``), inside the caller's write."""
    conn.execute(
        "INSERT INTO sweeps VALUES (?, ?, ?, ?, ?, 'running', ?, ?, ?, ?, ?, NULL, ?)",
        [
            row.sweep_id,
            row.name,
            row.kind,
            row.spec_hash,
            row.spec,
            row.executor,
            row.n_cells,
            row.package_versions,
            row.git_commit,
            row.started_at,
            row.metadata,
        ],
    )


def set_sweep_status(
    conn: Connection,
    sweep_id: str,
    status: str,
    *,
    ended_at: datetime | None = None,
    executor: str | None = None,
) -> None:
    """Set a sweep's status (and end time, executor), inside the caller's write."""
    if status not in SWEEP_STATUSES:
        raise ValueError(f"sweep status {status!r} is not one of {SWEEP_STATUSES}")
    conn.execute(
        "UPDATE sweeps SET status = ?, ended_at = ?, executor = coalesce(?, executor) "
        "WHERE sweep_id = ?",
        [status, ended_at, executor, sweep_id],
    )


def record_cells(conn: Connection, rows: pa.Table) -> int:
    """Insert or replace ``sweep_cells`` rows (schema :data:`CELLS_SCHEMA`); returns the count.

    One ``INSERT OR REPLACE ... SELECT`` over the Arrow table, inside the
    caller's transaction: a cell written again (a resumed sweep re-running a
    failed cell) replaces its row, never duplicates it.
    """
    table = _conform(rows, CELLS_SCHEMA)
    bad = set(table.column("status").to_pylist()) - set(CELL_STATUSES)
    if bad:
        raise ValueError(f"sweep cell status {sorted(map(str, bad))} is not one of {CELL_STATUSES}")
    if not table.num_rows:
        return 0
    with _registered(conn, table) as name:
        conn.execute(f"INSERT OR REPLACE INTO sweep_cells SELECT * FROM {name}")
    return int(table.num_rows)


def record_rescores(conn: Connection, rows: pa.Table) -> int:
    """Replace the ``sweep_rescores`` rows of the cells in ``rows`` with ``rows``."""
    table = _conform(rows, RESCORES_SCHEMA)
    if not table.num_rows:
        return 0
    with _registered(conn, table) as name:
        conn.execute(
            "DELETE FROM sweep_rescores WHERE (sweep_id, cell_key) IN "
            f"(SELECT DISTINCT sweep_id, cell_key FROM {name})"
        )
        conn.execute(f"INSERT INTO sweep_rescores SELECT * FROM {name}")
    return int(table.num_rows)


# ------------------------------------------------------------------- reads
def latest_sweep(target: Target, name: str, spec_hash: str) -> str | None:
    """The newest sweep of experiment ``name`` with this spec hash (what ``--resume`` continues)."""
    with _reading(target) as conn:
        row = first_row(
            conn.execute(
                "SELECT sweep_id FROM sweeps WHERE name = ? AND spec_hash = ? "
                "ORDER BY started_at DESC, sweep_id DESC LIMIT 1",
                [name, spec_hash],
            ).fetchall()
        )
    return None if row is None else str(row[0])


def cell_states(target: Target, sweep_id: str) -> dict[str, tuple[str, int]]:
    """``{cell_key: (status, attempts)}`` of every recorded cell of a sweep (for resuming)."""
    with _reading(target) as conn:
        rows = conn.execute(
            "SELECT cell_key, status, attempts FROM sweep_cells WHERE sweep_id = ?", [sweep_id]
        ).fetchall()
    return {str(k): (str(s), int(a)) for k, s, a in rows}


def sweep_run_ids(target: Target, sweep_id: str) -> tuple[str, ...]:
    """Run ids of the completed cells of ``sweep_id``, in grid order."""
    with _reading(target) as conn:
        rows = conn.execute(
            "SELECT run_id FROM sweep_cells WHERE sweep_id = ? AND status = 'completed' "
            "AND run_id IS NOT NULL ORDER BY cell_index",
            [sweep_id],
        ).fetchall()
    return tuple(str(r[0]) for r in rows)


def sweeps(target: Target, *, name: str | None = None) -> pd.DataFrame:
    """Every sweep (newest first) with its counts of completed, failed and pending cells."""
    where, params = ("WHERE s.name = ?", [name]) if name is not None else ("", [])
    sql = f"""
        SELECT s.*,
            count(c.cell_key) FILTER (WHERE c.status = 'completed') AS completed,
            count(c.cell_key) FILTER (WHERE c.status = 'failed') AS failed,
            count(c.cell_key) FILTER (WHERE c.status = 'pending') AS pending
        FROM sweeps s LEFT JOIN sweep_cells c USING (sweep_id) {where}
        GROUP BY ALL
        ORDER BY s.started_at DESC NULLS LAST, s.sweep_id"""
    with _reading(target) as conn:
        frame: pd.DataFrame = conn.execute(sql, params).df()
    return frame


def sweep_cells(target: Target, sweep_id: str) -> pd.DataFrame:
    """Every cell of a sweep, in grid order."""
    with _reading(target) as conn:
        frame: pd.DataFrame = conn.execute(
            "SELECT * FROM sweep_cells WHERE sweep_id = ? ORDER BY cell_index", [sweep_id]
        ).df()
    return frame


def sweep_rescores(target: Target, sweep_id: str) -> pd.DataFrame:
    """Every re-scored choice of a re-scoring sweep."""
    with _reading(target) as conn:
        frame: pd.DataFrame = conn.execute(
            "SELECT * FROM sweep_rescores WHERE sweep_id = ? "
            "ORDER BY cell_key, run_id, generation_id",
            [sweep_id],
        ).df()
    return frame


_CHECKS: Final[tuple[tuple[str, str], ...]] = (
    (
        "sweep {0} records {1} cells but has {2}",
        "SELECT s.sweep_id, s.n_cells, count(c.cell_key) FROM sweeps s "
        "LEFT JOIN sweep_cells c USING (sweep_id) WHERE s.sweep_id = ? "
        "GROUP BY s.sweep_id, s.n_cells HAVING count(c.cell_key) <> s.n_cells",
    ),
    (
        "cell {0} is completed but its run {1} is missing",
        "SELECT c.cell_key, c.run_id FROM sweep_cells c WHERE c.sweep_id = ? "
        "AND c.status = 'completed' AND c.run_id IS NOT NULL "
        "AND c.run_id NOT IN (SELECT run_id FROM runs)",
    ),
    (
        "run {0} is recorded by {1} cells",
        "SELECT run_id, count(*) FROM sweep_cells WHERE sweep_id = ? AND run_id IS NOT NULL "
        "GROUP BY run_id HAVING count(*) > 1",
    ),
    (
        "cell index {0} appears {1} times",
        "SELECT cell_index, count(*) FROM sweep_cells WHERE sweep_id = ? "
        "GROUP BY cell_index HAVING count(*) > 1",
    ),
)


def check_sweep(target: Target, sweep_id: str) -> list[str]:
    """Problems of a sweep's records (empty when consistent).

    Checks that the sweep has exactly its cells, every completed cell's run
    is stored, no run is claimed by two cells and no grid index repeats.
    """
    problems: list[str] = []
    with _reading(target) as conn:
        if not conn.execute("SELECT 1 FROM sweeps WHERE sweep_id = ?", [sweep_id]).fetchall():
            return [f"no sweep {sweep_id!r}"]
        for message, sql in _CHECKS:
            for row in conn.execute(sql, [sweep_id]).fetchall():
                problems.append(message.format(*row))
    return problems


def cell_rows(
    *,
    sweep_id: str,
    cell_keys: Sequence[str],
    cell_indexes: Sequence[int],
    parameters: Sequence[str],
    seeds: Sequence[int | None],
    run_ids: Sequence[str | None],
    statuses: Sequence[str],
    attempts: Sequence[int],
    errors: Sequence[str | None] | None = None,
    tracebacks: Sequence[str | None] | None = None,
    durations: Sequence[float | None] | None = None,
    ended_at: Sequence[datetime | None] | None = None,
    outputs: Sequence[str | None] | None = None,
) -> pa.Table:
    """A :data:`CELLS_SCHEMA` table from columns (missing optional columns are null)."""
    n = len(cell_keys)

    def nulls(values: Sequence[object] | None) -> list[object]:
        return [None] * n if values is None else list(values)

    return pa.table(
        {
            "sweep_id": [sweep_id] * n,
            "cell_key": list(cell_keys),
            "cell_index": list(cell_indexes),
            "parameters": list(parameters),
            "seed": list(seeds),
            "run_id": list(run_ids),
            "status": list(statuses),
            "attempts": list(attempts),
            "error": nulls(errors),
            "traceback": nulls(tracebacks),
            "duration_s": nulls(durations),
            "ended_at": nulls(ended_at),
            "outputs": nulls(outputs),
        },
        schema=CELLS_SCHEMA,
    )


def spec_json(spec: object) -> str:
    """Canonical JSON text (sorted keys, no spaces) of a JSON-ready spec."""
    return json.dumps(spec, sort_keys=True, separators=(",", ":"))


__all__ = [
    "CELLS_SCHEMA",
    "CELL_STATUSES",
    "RESCORES_SCHEMA",
    "SWEEPS_MIGRATION",
    "SWEEP_STATUSES",
    "SweepRow",
    "cell_rows",
    "cell_states",
    "check_sweep",
    "latest_sweep",
    "record_cells",
    "record_rescores",
    "set_sweep_status",
    "spec_json",
    "start_sweep",
    "sweep_cells",
    "sweep_rescores",
    "sweep_run_ids",
    "sweeps",
]
