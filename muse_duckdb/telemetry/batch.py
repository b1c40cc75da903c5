"""A telemetry batch: plain Arrow tables a worker builds without a database.

Parallel workers (sweep processes, Dask tasks) never open the DuckDB file for
writing; they build a :class:`TelemetryBatch` — six Arrow tables with fixed
schemas — and return it (it pickles) or write it as Parquet shards. The
coordinator then ingests batches in one transaction each
(:func:`muse_duckdb.telemetry.ingest`, in :mod:`muse_duckdb.telemetry.ingestion`).

Inside a batch a candidate's metrics refer to it by its row in the
``candidates`` table (``candidate_row``); the database ids are assigned at
ingest. :meth:`TelemetryBatch.concat` shifts those rows when it joins batches.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Final, TypeAlias

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from muse_duckdb.telemetry.errors import TelemetryBatchError

RUNS_SCHEMA: Final = pa.schema(
    [
        ("run_id", pa.string()),
        ("experiment", pa.string()),
        ("notebook", pa.string()),
        ("parameters", pa.string()),
        ("seed", pa.int64()),
        ("package_versions", pa.string()),
        ("git_commit", pa.string()),
        ("status", pa.string()),
        ("started_at", pa.timestamp("us")),
        ("ended_at", pa.timestamp("us")),
        ("error", pa.string()),
        ("metadata", pa.string()),
    ]
)
GENERATIONS_SCHEMA: Final = pa.schema(
    [
        ("generation_id", pa.string()),
        ("run_id", pa.string()),
        ("section", pa.string()),
        ("role", pa.string()),
        ("style", pa.string()),
        ("backend", pa.string()),
        ("seed", pa.int64()),
        ("num_candidates", pa.int32()),
        ("attempts", pa.int32()),
        ("accepted", pa.bool_()),
        ("best_index", pa.int32()),
        ("best_score", pa.float64()),
        ("duration_ms", pa.float64()),
        ("cache_hit", pa.bool_()),
        ("scorer", pa.string()),
        ("request_hash", pa.string()),
        ("metadata", pa.string()),
    ]
)
CANDIDATES_SCHEMA: Final = pa.schema(
    [
        ("run_id", pa.string()),
        ("generation_id", pa.string()),
        ("candidate_index", pa.int32()),
        ("seed", pa.int64()),
        ("notes_id", pa.string()),
        ("n_notes", pa.int32()),
        ("score", pa.float64()),
        ("accepted", pa.bool_()),
        ("selected", pa.bool_()),
        ("reject_reason", pa.string()),
    ]
)
METRICS_SCHEMA: Final = pa.schema(
    [("candidate_row", pa.int64()), ("name", pa.string()), ("value", pa.float64())]
)
NOTES_SCHEMA: Final = pa.schema(
    [
        ("notes_id", pa.string()),
        ("n_notes", pa.int32()),
        ("pitch", pa.list_(pa.uint8())),
        ("velocity", pa.list_(pa.uint8())),
        ("channel", pa.list_(pa.uint8())),
        ("start_beat", pa.list_(pa.float64())),
        ("duration_beats", pa.list_(pa.float64())),
    ]
)
EVENTS_SCHEMA: Final = pa.schema(
    [
        ("run_id", pa.string()),
        ("seq", pa.int32()),
        ("type", pa.string()),
        ("payload", pa.string()),
    ]
)

SCHEMAS: Final[dict[str, pa.Schema]] = {
    "runs": RUNS_SCHEMA,
    "generations": GENERATIONS_SCHEMA,
    "candidates": CANDIDATES_SCHEMA,
    "metrics": METRICS_SCHEMA,
    "notes": NOTES_SCHEMA,
    "events": EVENTS_SCHEMA,
}
"""The Arrow schema of each batch table."""

REQUIRED: Final[dict[str, tuple[str, ...]]] = {
    "runs": ("run_id", "parameters", "package_versions", "status", "metadata"),
    "generations": (
        "generation_id",
        "run_id",
        "role",
        "backend",
        "num_candidates",
        "attempts",
        "accepted",
        "cache_hit",
        "metadata",
    ),
    "candidates": ("run_id", "generation_id", "candidate_index", "accepted", "selected"),
    "metrics": ("candidate_row", "name"),
    "notes": ("notes_id", "n_notes", "pitch", "velocity", "channel", "start_beat"),
    "events": ("run_id", "seq", "type", "payload"),
}
"""Columns that may not hold nulls."""

TableLike: TypeAlias = "pa.Table | pd.DataFrame"


def empty_table(name: str) -> pa.Table:
    """An empty table with the schema of batch table ``name``."""
    return SCHEMAS[name].empty_table()


def conform(name: str, data: TableLike) -> pa.Table:
    """``data`` as an Arrow table with exactly the schema of batch table ``name``.

    Columns are selected by name and cast; a missing column that may be null
    is filled with nulls. Raises :class:`TelemetryBatchError` naming the
    column for a missing required column, a failed cast or a null in a
    required column.
    """
    schema = SCHEMAS[name]
    table = data if isinstance(data, pa.Table) else pa.Table.from_pandas(data, preserve_index=False)
    columns = []
    for target in schema:
        if target.name not in table.column_names:
            if target.name in REQUIRED[name]:
                raise TelemetryBatchError(name, f"required column {target.name!r} is missing")
            columns.append(pa.nulls(table.num_rows, target.type))
            continue
        column = table.column(target.name)
        try:
            columns.append(column.cast(target.type))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise TelemetryBatchError(
                name, f"column {target.name!r} ({column.type}) cannot be {target.type}: {exc}"
            ) from exc
    out = pa.Table.from_arrays(columns, schema=schema)
    for column_name in REQUIRED[name]:
        if out.column(column_name).null_count:
            raise TelemetryBatchError(name, f"column {column_name!r} has null values")
    return out


@dataclass(frozen=True)
class TelemetryBatch:
    """Telemetry records of one worker or one run, as Arrow tables (picklable).

    Attributes
    ----------
    runs, generations, candidates, metrics, notes, events:
        One table per telemetry table, with the schemas of :data:`SCHEMAS`.
        ``metrics.candidate_row`` indexes rows of ``candidates``.
    """

    runs: pa.Table = field(default_factory=lambda: empty_table("runs"))
    generations: pa.Table = field(default_factory=lambda: empty_table("generations"))
    candidates: pa.Table = field(default_factory=lambda: empty_table("candidates"))
    metrics: pa.Table = field(default_factory=lambda: empty_table("metrics"))
    notes: pa.Table = field(default_factory=lambda: empty_table("notes"))
    events: pa.Table = field(default_factory=lambda: empty_table("events"))

    def __post_init__(self) -> None:
        for name in SCHEMAS:
            table = getattr(self, name)
            if not (isinstance(table, pa.Table) and table.schema.equals(SCHEMAS[name])):
                object.__setattr__(self, name, conform(name, table))
        rows = self.metrics.column("candidate_row")
        if self.metrics.num_rows:
            low, high = pc.min(rows).as_py(), pc.max(rows).as_py()
            if low < 0 or high >= self.candidates.num_rows:
                bad = low if low < 0 else high
                raise TelemetryBatchError(
                    "metrics",
                    f"candidate_row={bad} does not index one of the "
                    f"{self.candidates.num_rows} candidates",
                )

    # ---------------------------------------------------------- construction
    @classmethod
    def from_frames(
        cls,
        *,
        runs: TableLike | None = None,
        generations: TableLike | None = None,
        candidates: TableLike | None = None,
        metrics: TableLike | None = None,
        notes: TableLike | None = None,
        events: TableLike | None = None,
    ) -> TelemetryBatch:
        """A batch from DataFrames or Arrow tables (missing tables are empty)."""
        given = {
            "runs": runs,
            "generations": generations,
            "candidates": candidates,
            "metrics": metrics,
            "notes": notes,
            "events": events,
        }
        return cls(
            **{k: conform(k, v) if v is not None else empty_table(k) for k, v in given.items()}
        )

    @classmethod
    def concat(cls, batches: Sequence[TelemetryBatch]) -> TelemetryBatch:
        """Join batches (metric rows are re-pointed at the joined candidates)."""
        if not batches:
            return cls()
        metrics = []
        offset = 0
        for batch in batches:
            rows = pc.add(batch.metrics.column("candidate_row"), pa.scalar(offset, pa.int64()))
            metrics.append(batch.metrics.set_column(0, "candidate_row", rows))
            offset += batch.candidates.num_rows
        notes = pa.concat_tables([b.notes for b in batches])
        if notes.num_rows:
            notes = _first_per_key(notes, "notes_id")
        return cls(
            runs=pa.concat_tables([b.runs for b in batches]),
            generations=pa.concat_tables([b.generations for b in batches]),
            candidates=pa.concat_tables([b.candidates for b in batches]),
            metrics=pa.concat_tables(metrics),
            notes=notes,
            events=pa.concat_tables([b.events for b in batches]),
        )

    # --------------------------------------------------------------- Parquet
    def to_parquet(self, directory: str | Path) -> Path:
        """Write the batch as one Parquet file per table into ``directory`` (created)."""
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        for name in SCHEMAS:
            pq.write_table(getattr(self, name), out / f"{name}.parquet")
        return out

    @classmethod
    def from_parquet(cls, directory: str | Path) -> TelemetryBatch:
        """Read a batch written by :meth:`to_parquet`."""
        src = Path(directory)
        tables = {}
        for name in SCHEMAS:
            path = src / f"{name}.parquet"
            if not path.is_file():
                raise TelemetryBatchError(name, f"{path} is missing")
            tables[name] = pq.read_table(path)
        return cls(**tables)

    # ----------------------------------------------------------------- views
    @property
    def counts(self) -> dict[str, int]:
        """Rows per table."""
        return {f.name: getattr(self, f.name).num_rows for f in fields(self)}

    @property
    def is_empty(self) -> bool:
        """Whether every table is empty."""
        return not any(self.counts.values())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TelemetryBatch):
            return NotImplemented
        return all(getattr(self, n).equals(getattr(other, n)) for n in SCHEMAS)

    __hash__ = None  # type: ignore[assignment]


def _first_per_key(table: pa.Table, key: str) -> pa.Table:
    """Rows of ``table`` keeping the first row of each distinct ``key`` (in order)."""
    indexed = table.append_column("__row", pa.array(range(table.num_rows), pa.int64()))
    firsts = indexed.group_by(key, use_threads=False).aggregate([("__row", "min")])
    keep = pc.sort_indices(firsts.column("__row_min"))
    return table.take(pc.take(firsts.column("__row_min"), keep))
