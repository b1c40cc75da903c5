"""The Muse database schema and its forward migrations.

One DuckDB file (or ``:memory:``) holds any number of projects. The schema
is split into *components*, each with its own ordered list of forward
migrations and its own version, recorded in ``muse_schema_versions``. Muse
history is the ``"muse"`` component (:data:`MUSE_SCHEMA`); generation
telemetry adds its tables later as another component with its own
migrations, applied by the same :func:`migrate`. A database whose version of
a component is newer than the code raises
:class:`~muse_duckdb.errors.SchemaVersionError`; a DuckDB file with tables
but no ``muse_schema_versions`` is foreign and raises
:class:`~muse_duckdb.errors.NotARepositoryError`.

Keys and uniqueness are kept by the code (ids are content hashes; there is
one writer at a time) rather than by DuckDB indexes, which would be loaded
from disk by every short-lived connection. The integrity check
(:mod:`muse_duckdb.storage.integrity`) verifies them.

Tables of the ``muse`` component (version 1)
--------------------------------------------
``projects``
    One row per project id.
``region_objects``
    Immutable region content objects: ``object_id`` (content hash, unique)
    and a compact surrogate ``object_key`` used by the event tables, plus
    event counts. Shared by every snapshot that uses the same content.
``object_notes``, ``object_cc``, ``object_bends``, ``object_aftertouch``
    The events of each object, columnar, times in ticks at 960 per quarter
    relative to the region start, inserted in bulk from Arrow.
``snapshots``
    Project snapshots: ``snapshot_id`` (content hash, unique), surrogate
    ``snapshot_key``, tempo, meter, key and counts.
``snapshot_tracks``
    The tracks of each snapshot in order, with program, drum flag, channel,
    role, mixer and the ``manifest_key`` of the track's regions.
``manifests``, ``manifest_regions``
    The regions of one track (id, name, start and duration in ticks, and the
    ``object_key`` of their content), content-addressed by ``manifest_id``
    and shared between snapshots, as git shares trees: a commit that changes
    one region writes one new manifest for one track.
``snapshot_regions`` (view)
    Every region of every snapshot with its track: ``snapshot_tracks``
    joined with ``manifest_regions``.
``commits``
    Commits: content-hash id, project, up to two parents, snapshot,
    generation number (longest path from a root, for topological order),
    timestamp (microseconds since the Unix epoch, UTC), author and author
    kind (``person`` / ``agent`` / ``muse``), message (intent), explanation,
    variation id, accepted phrase ids, affected region ids, change set JSON
    and metadata JSON (seed, plan hash, scorer id, run id...).
``commit_phrases``
    Phrase summaries of the variation a commit accepted (one row per phrase,
    accepted or not).
``refs``
    Branches and tags per project (``kind`` = ``branch`` / ``tag``); tag
    names may carry a namespace such as ``stage:mixed``.
``heads``
    HEAD per project: a branch name (possibly without commits yet), or a
    commit id when detached.
``worktrees``
    The last working state synchronised per project (for status and the
    dirty check of checkout).

Version 2 adds ``variations``: variations proposed from the command line
and kept between processes (id, project, base commit, the proposed state's
snapshot id, intent, phrase size, status ``ready`` / ``committed`` /
``discarded``, times and the commit that accepted it). The proposed state
is a stored snapshot like any other; phrases are recomputed from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import duckdb

from muse_duckdb.errors import NotARepositoryError, SchemaVersionError

VERSIONS_TABLE: Final = "muse_schema_versions"


@dataclass(frozen=True)
class Migration:
    """One forward step of a schema component: its version, name and SQL statements."""

    version: int
    name: str
    statements: tuple[str, ...]


@dataclass(frozen=True)
class SchemaComponent:
    """A named group of tables with its own migration history."""

    name: str
    migrations: tuple[Migration, ...]

    def __post_init__(self) -> None:
        versions = [m.version for m in self.migrations]
        if versions != list(range(1, len(versions) + 1)):
            raise ValueError(f"schema {self.name!r}: migrations must be numbered 1..n in order")

    @property
    def latest(self) -> int:
        """The newest version this code knows."""
        return len(self.migrations)

    @property
    def tables(self) -> tuple[str, ...]:
        """Tables created by the migrations (for checks and documentation)."""
        out = []
        for m in self.migrations:
            for stmt in m.statements:
                words = stmt.split()
                if words[:2] == ["CREATE", "TABLE"]:
                    out.append(words[2].split("(")[0])
        return tuple(out)


_V1: Final = (
    """CREATE TABLE projects (
        project_id VARCHAR NOT NULL,
        created_at BIGINT NOT NULL
    )""",
    """CREATE TABLE region_objects (
        object_key BIGINT NOT NULL,
        object_id VARCHAR NOT NULL,
        n_notes INTEGER NOT NULL,
        n_cc INTEGER NOT NULL,
        n_bends INTEGER NOT NULL,
        n_aftertouch INTEGER NOT NULL
    )""",
    """CREATE TABLE object_notes (
        object_key BIGINT NOT NULL,
        pitch UTINYINT NOT NULL,
        velocity UTINYINT NOT NULL,
        channel UTINYINT NOT NULL,
        start_tick BIGINT NOT NULL,
        duration_ticks BIGINT NOT NULL
    )""",
    """CREATE TABLE object_cc (
        object_key BIGINT NOT NULL,
        number UTINYINT NOT NULL,
        value UTINYINT NOT NULL,
        tick BIGINT NOT NULL
    )""",
    """CREATE TABLE object_bends (
        object_key BIGINT NOT NULL,
        value SMALLINT NOT NULL,
        tick BIGINT NOT NULL
    )""",
    """CREATE TABLE object_aftertouch (
        object_key BIGINT NOT NULL,
        value UTINYINT NOT NULL,
        tick BIGINT NOT NULL,
        pitch SMALLINT NOT NULL
    )""",
    """CREATE TABLE snapshots (
        snapshot_key BIGINT NOT NULL,
        snapshot_id VARCHAR NOT NULL,
        bpm SMALLINT NOT NULL,
        ts_numerator SMALLINT NOT NULL,
        ts_denominator SMALLINT NOT NULL,
        key VARCHAR,
        n_tracks INTEGER NOT NULL,
        n_regions INTEGER NOT NULL,
        n_notes BIGINT NOT NULL
    )""",
    """CREATE TABLE snapshot_tracks (
        snapshot_key BIGINT NOT NULL,
        position INTEGER NOT NULL,
        track_id VARCHAR NOT NULL,
        name VARCHAR NOT NULL,
        role VARCHAR,
        program UTINYINT NOT NULL,
        is_drum BOOLEAN NOT NULL,
        channel UTINYINT NOT NULL,
        volume DOUBLE NOT NULL,
        pan DOUBLE NOT NULL,
        mute BOOLEAN NOT NULL,
        solo BOOLEAN NOT NULL,
        manifest_key BIGINT NOT NULL
    )""",
    """CREATE TABLE manifests (
        manifest_key BIGINT NOT NULL,
        manifest_id VARCHAR NOT NULL,
        n_regions INTEGER NOT NULL
    )""",
    """CREATE TABLE manifest_regions (
        manifest_key BIGINT NOT NULL,
        region_id VARCHAR NOT NULL,
        name VARCHAR NOT NULL,
        start_tick BIGINT NOT NULL,
        duration_ticks BIGINT NOT NULL,
        object_key BIGINT NOT NULL
    )""",
    """CREATE VIEW snapshot_regions AS
        SELECT t.snapshot_key, m.region_id, t.track_id, m.name, m.start_tick,
               m.duration_ticks, m.object_key
        FROM snapshot_tracks t JOIN manifest_regions m ON m.manifest_key = t.manifest_key""",
    """CREATE TABLE commits (
        commit_id VARCHAR NOT NULL,
        project_id VARCHAR NOT NULL,
        parent_id VARCHAR,
        parent2_id VARCHAR,
        snapshot_key BIGINT NOT NULL,
        snapshot_id VARCHAR NOT NULL,
        generation INTEGER NOT NULL,
        committed_at BIGINT NOT NULL,
        author VARCHAR NOT NULL,
        author_kind VARCHAR NOT NULL,
        message VARCHAR NOT NULL,
        explanation VARCHAR,
        variation_id VARCHAR,
        accepted_phrase_ids VARCHAR[] NOT NULL,
        affected_regions VARCHAR[] NOT NULL,
        changeset VARCHAR,
        metadata VARCHAR NOT NULL
    )""",
    """CREATE TABLE commit_phrases (
        commit_id VARCHAR NOT NULL,
        phrase_id VARCHAR NOT NULL,
        track_id VARCHAR NOT NULL,
        region_id VARCHAR NOT NULL,
        start_beat DOUBLE NOT NULL,
        end_beat DOUBLE NOT NULL,
        label VARCHAR NOT NULL,
        tags VARCHAR[] NOT NULL,
        n_added INTEGER NOT NULL,
        n_removed INTEGER NOT NULL,
        n_modified INTEGER NOT NULL,
        accepted BOOLEAN NOT NULL
    )""",
    """CREATE TABLE refs (
        project_id VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        name VARCHAR NOT NULL,
        commit_id VARCHAR NOT NULL
    )""",
    """CREATE TABLE heads (
        project_id VARCHAR NOT NULL,
        branch VARCHAR,
        commit_id VARCHAR
    )""",
    """CREATE TABLE worktrees (
        project_id VARCHAR NOT NULL,
        snapshot_id VARCHAR NOT NULL
    )""",
)

_V2: Final = (
    """CREATE TABLE variations (
        variation_id VARCHAR NOT NULL,
        project_id VARCHAR NOT NULL,
        base_commit_id VARCHAR,
        proposed_snapshot_id VARCHAR NOT NULL,
        intent VARCHAR NOT NULL,
        explanation VARCHAR,
        phrase_bars INTEGER,
        status VARCHAR NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        commit_id VARCHAR
    )""",
)

MUSE_SCHEMA: Final = SchemaComponent(
    "muse", (Migration(1, "history", _V1), Migration(2, "saved variations", _V2))
)
"""The Muse history tables (see the module docstring)."""


def main_tables(conn: duckdb.DuckDBPyConnection) -> set[str]:
    """Names of the tables and views in the ``main`` schema of the connection's database."""
    rows = conn.execute(
        "SELECT table_name FROM duckdb_tables() "
        "WHERE database_name = current_database() AND schema_name = 'main' "
        "UNION ALL SELECT view_name FROM duckdb_views() "
        "WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal"
    ).fetchall()
    return {str(row[0]) for row in rows}


def installed_versions(
    conn: duckdb.DuckDBPyConnection, path: str, tables: set[str] | None = None
) -> dict[str, int]:
    """Component versions recorded in the database; ``{}`` for an empty database.

    ``tables`` is :func:`main_tables` if the caller has it already.

    Raises
    ------
    NotARepositoryError
        The database has tables but no Muse version table (a foreign file).
    """
    if tables is None:
        tables = main_tables(conn)
    if VERSIONS_TABLE not in tables:
        if tables:
            shown = ", ".join(sorted(tables)[:5])
            raise NotARepositoryError(
                path, f"DuckDB database with other tables ({shown}) and no Muse schema"
            )
        return {}
    rows = conn.execute(f"SELECT component, version FROM {VERSIONS_TABLE}").fetchall()
    return {str(c): int(v) for c, v in rows}


def pending(
    versions: dict[str, int], component: SchemaComponent, path: str
) -> tuple[Migration, ...]:
    """Migrations of ``component`` not yet applied; raises if the file is newer."""
    found = versions.get(component.name, 0)
    if found > component.latest:
        raise SchemaVersionError(path, component.name, found, component.latest)
    return component.migrations[found:]


def migrate(
    conn: duckdb.DuckDBPyConnection, component: SchemaComponent, path: str, now_us: int
) -> list[Migration]:
    """Apply the pending migrations of ``component`` in one transaction; return them.

    The caller must hold a writable connection outside any transaction.
    """
    conn.execute("BEGIN TRANSACTION")
    try:
        versions = installed_versions(conn, path)
        if not versions:
            conn.execute(
                f"CREATE TABLE IF NOT EXISTS {VERSIONS_TABLE} ("
                "component VARCHAR NOT NULL, version INTEGER NOT NULL, "
                "applied_at BIGINT NOT NULL)"
            )
        todo = pending(versions, component, path)
        for migration in todo:
            for statement in migration.statements:
                conn.execute(statement)
        if todo:
            conn.execute(f"DELETE FROM {VERSIONS_TABLE} WHERE component = ?", [component.name])
            conn.execute(
                f"INSERT INTO {VERSIONS_TABLE} VALUES (?, ?, ?)",
                [component.name, todo[-1].version, now_us],
            )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return list(todo)


def check_tables(
    conn: duckdb.DuckDBPyConnection,
    component: SchemaComponent,
    path: str,
    tables: set[str] | None = None,
) -> None:
    """Raise :class:`NotARepositoryError` if a table of ``component`` is missing.

    ``tables`` is :func:`main_tables` if the caller has it already.
    """
    if tables is None:
        tables = main_tables(conn)
    missing = [t for t in component.tables if t not in tables]
    if missing:
        raise NotARepositoryError(path, f"Muse tables missing: {', '.join(missing)}")
