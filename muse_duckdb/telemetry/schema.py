"""The telemetry tables: a schema component migrated like Muse's own.

Telemetry lives in the same DuckDB file as Muse history, as the
``"telemetry"`` :class:`~muse_duckdb.storage.schema.SchemaComponent` with its own
forward migrations and version (recorded in ``muse_schema_versions``). A
:class:`~muse_duckdb.storage.database.Database` opened with
``components=(MUSE_SCHEMA, TELEMETRY_SCHEMA)`` migrates both; on a bare
connection :func:`ensure_schema` does it (idempotent).

Tables (version 1)
------------------
``runs``
    One row per run: ``run_id``, experiment, notebook, papermill
    ``parameters`` (JSON text), base ``seed``, ``package_versions`` (JSON),
    ``git_commit``, ``status`` (running / completed / failed / cancelled),
    ``started_at`` / ``ended_at`` (UTC), ``error``, ``metadata`` (JSON: prompt,
    plan hash, commit id...).
``generations``
    One row per (run, section, role) generation: backend, seed, candidates
    asked, attempts, accepted, best index and score, duration, cache hit,
    scorer, request hash, metadata.
``candidates``
    Every candidate rejection sampling saw: surrogate ``candidate_id``
    (BIGINT, assigned at ingest), run, generation, index, seed, ``notes_id``
    (content id of its notes), note count, total ``score``, ``accepted``,
    ``selected`` (the chosen one) and ``reject_reason``; its generation's
    section, role, style and candidate count are copied in at ingest so the
    usual analyses need no join.
``candidate_metrics``
    Long table ``(candidate_id, name, value)``: every score dimension and
    metric of every candidate.
``candidate_notes``
    Candidate note objects, content-addressed and deduplicated: one row per
    ``notes_id`` with columnar list columns (pitch, velocity, channel,
    start_beat, duration_beats).
``events``
    Every runtime event of a run: ``(run_id, seq, type, payload JSON)``.

Version 2 adds the sweep tables ``sweeps``, ``sweep_cells`` and
``sweep_rescores`` (see :mod:`muse_duckdb.telemetry.sweeps`).

View ``candidate_scores``: one row per candidate with its generation's
section, role, style, backend and candidate count, and ``metrics`` as a
``MAP(VARCHAR, DOUBLE)`` of every dimension — ``SELECT * FROM
candidate_scores WHERE run_id = ?`` is the one-row-per-candidate query.
"""

from __future__ import annotations

import time
from typing import Final

import duckdb

from muse_duckdb.storage.schema import (
    Migration,
    SchemaComponent,
    check_tables,
    installed_versions,
    migrate,
    pending,
)
from muse_duckdb.telemetry.sweeps import SWEEPS_MIGRATION

_V1: Final = (
    """CREATE TABLE runs (
        run_id VARCHAR PRIMARY KEY,
        experiment VARCHAR,
        notebook VARCHAR,
        parameters VARCHAR NOT NULL,
        seed BIGINT,
        package_versions VARCHAR NOT NULL,
        git_commit VARCHAR,
        status VARCHAR NOT NULL,
        started_at TIMESTAMP,
        ended_at TIMESTAMP,
        error VARCHAR,
        metadata VARCHAR NOT NULL
    )""",
    """CREATE TABLE generations (
        generation_id VARCHAR PRIMARY KEY,
        run_id VARCHAR NOT NULL,
        section VARCHAR,
        role VARCHAR NOT NULL,
        style VARCHAR,
        backend VARCHAR NOT NULL,
        seed BIGINT,
        num_candidates INTEGER NOT NULL,
        attempts INTEGER NOT NULL,
        accepted BOOLEAN NOT NULL,
        best_index INTEGER,
        best_score DOUBLE,
        duration_ms DOUBLE,
        cache_hit BOOLEAN NOT NULL,
        scorer VARCHAR,
        request_hash VARCHAR,
        metadata VARCHAR NOT NULL
    )""",
    """CREATE TABLE candidates (
        candidate_id BIGINT PRIMARY KEY,
        run_id VARCHAR NOT NULL,
        generation_id VARCHAR NOT NULL,
        section VARCHAR,
        role VARCHAR NOT NULL,
        style VARCHAR,
        num_candidates INTEGER NOT NULL,
        candidate_index INTEGER NOT NULL,
        seed BIGINT,
        notes_id VARCHAR,
        n_notes INTEGER,
        score DOUBLE,
        accepted BOOLEAN NOT NULL,
        selected BOOLEAN NOT NULL,
        reject_reason VARCHAR
    )""",
    """CREATE TABLE candidate_metrics (
        candidate_id BIGINT NOT NULL,
        name VARCHAR NOT NULL,
        value DOUBLE
    )""",
    """CREATE TABLE candidate_notes (
        notes_id VARCHAR PRIMARY KEY,
        n_notes INTEGER NOT NULL,
        pitch UTINYINT[] NOT NULL,
        velocity UTINYINT[] NOT NULL,
        channel UTINYINT[] NOT NULL,
        start_beat DOUBLE[] NOT NULL,
        duration_beats DOUBLE[] NOT NULL
    )""",
    """CREATE TABLE events (
        run_id VARCHAR NOT NULL,
        seq INTEGER NOT NULL,
        type VARCHAR NOT NULL,
        payload VARCHAR NOT NULL,
        PRIMARY KEY (run_id, seq)
    )""",
    """CREATE VIEW candidate_scores AS
    SELECT
        c.candidate_id, c.run_id, c.generation_id, c.section, c.role, c.style, g.backend,
        c.num_candidates, g.scorer, c.candidate_index, c.seed, c.notes_id, c.n_notes,
        c.score, c.accepted, c.selected, c.reject_reason,
        coalesce(
            (SELECT map(list(m.name ORDER BY m.name), list(m.value ORDER BY m.name))
             FROM candidate_metrics m WHERE m.candidate_id = c.candidate_id),
            map()
        ) AS metrics
    FROM candidates c
    JOIN generations g ON g.generation_id = c.generation_id""",
)

TELEMETRY_SCHEMA: Final = SchemaComponent(
    "telemetry",
    (
        Migration(1, "runs, generations, candidates, metrics, notes, events", _V1),
        SWEEPS_MIGRATION,  # version 2: sweeps, sweep_cells, sweep_rescores
    ),
)
"""The telemetry schema component (see the module docstring)."""


def ensure_schema(conn: duckdb.DuckDBPyConnection, path: str = "<connection>") -> None:
    """Create or migrate the telemetry tables on ``conn`` (idempotent).

    Call it outside any open transaction. Raises
    :class:`~muse_duckdb.errors.SchemaVersionError` if the file was written
    by a newer version, :class:`~muse_duckdb.errors.NotARepositoryError` for
    a DuckDB file holding unrelated tables.
    """
    versions = installed_versions(conn, path)
    if pending(versions, TELEMETRY_SCHEMA, path):
        migrate(conn, TELEMETRY_SCHEMA, path, time.time_ns() // 1000)
    check_tables(conn, TELEMETRY_SCHEMA, path)
