"""Generation telemetry in the Muse DuckDB file: runs, generations, candidates, events.

Every run records what went in (experiment, notebook and papermill
parameters, seed, package versions, git commit), every generation (per
section and role: backend, seed, candidates, attempts, acceptance, best
index and score, duration, cache hit), every candidate rejection sampling
saw (seed, content id of its notes, every score dimension, accepted or
rejected and why) with its notes stored content-addressed, and every runtime
event. See :mod:`muse_duckdb.telemetry.schema` for the tables.

Workers build records without a database (:class:`TelemetryRecorder` ->
:class:`TelemetryBatch`, picklable, Parquet-able); the coordinator writes
them in bulk, one transaction per batch (:func:`ingest`). Analyses return
DataFrames: :func:`runs`, :func:`generations`, :func:`candidates` (one row
per candidate with every dimension), :func:`acceptance_rate`,
:func:`score_quantiles`, :func:`events`, and :func:`rescore` (re-run every
choice of a run with another scorer, from the stored notes).

Example
-------
>>> import duckdb
>>> from muse_duckdb import telemetry
>>> rec = telemetry.TelemetryRecorder("run-1", detect_environment=False)
>>> rec.start_run(experiment="demo", seed=7)
>>> gen = rec.add_generation(role="drums", backend="embedded@1", num_candidates=3,
...                          accepted=True, best_index=2, best_score=0.9)
>>> rec.add_candidates(gen, accepted=[False, True, True], scores=[0.1, 0.7, 0.9], selected=2)
>>> rec.finish_run("completed")
>>> con = duckdb.connect()
>>> telemetry.ingest(con, rec.batch()).candidates
3
>>> telemetry.acceptance_rate(con)[["role", "num_candidates", "rate"]].to_dict("records")
[{'role': 'drums', 'num_candidates': 3, 'rate': 0.6666666666666666}]
"""

from __future__ import annotations

import os

from muse_duckdb.storage.database import Connection, Database
from muse_duckdb.storage.schema import MUSE_SCHEMA
from muse_duckdb.telemetry.batch import SCHEMAS, TelemetryBatch
from muse_duckdb.telemetry.errors import (
    TelemetryBatchError,
    TelemetryError,
    TelemetryWriteError,
    UnknownRunError,
)
from muse_duckdb.telemetry.ingestion import IngestReport, ingest
from muse_duckdb.telemetry.queries import (
    GenerationInfo,
    Rescorer,
    acceptance_rate,
    candidate_notes,
    candidates,
    candidates_sql,
    events,
    generations,
    rescore,
    run_ids,
    runs,
    score_quantiles,
)
from muse_duckdb.telemetry.recorder import (
    TelemetryRecorder,
    WireEvent,
    detect_git_commit,
    package_versions,
)
from muse_duckdb.telemetry.schema import TELEMETRY_SCHEMA, ensure_schema


def open_database(
    target: str | os.PathLike[str] | Connection,
    *,
    read_only: bool = False,
    lock_timeout: float = 2.0,
) -> Database:
    """A Muse :class:`~muse_duckdb.storage.database.Database` holding history and telemetry.

    Both schema components are created or migrated on first write; the file
    can be shared with :class:`muse_duckdb.Repository`.
    """
    return Database(
        target,
        read_only=read_only,
        lock_timeout=lock_timeout,
        components=(MUSE_SCHEMA, TELEMETRY_SCHEMA),
    )


__all__ = [
    "SCHEMAS",
    "TELEMETRY_SCHEMA",
    "GenerationInfo",
    "IngestReport",
    "Rescorer",
    "TelemetryBatch",
    "TelemetryBatchError",
    "TelemetryError",
    "TelemetryRecorder",
    "TelemetryWriteError",
    "UnknownRunError",
    "WireEvent",
    "acceptance_rate",
    "candidate_notes",
    "candidates",
    "candidates_sql",
    "detect_git_commit",
    "ensure_schema",
    "events",
    "generations",
    "ingest",
    "open_database",
    "package_versions",
    "rescore",
    "run_ids",
    "runs",
    "score_quantiles",
]
