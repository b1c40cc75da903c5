"""Ingest: the coordinator writes a telemetry batch into DuckDB in one transaction.

Each Arrow table of the batch is registered with the connection and copied
with one ``INSERT ... SELECT`` (no per-row statements). Before writing, the
batch is checked against itself and the database: unique keys, every
generation's run known, every candidate's generation known (and of the same
run), every referenced note object present. Re-ingesting a generation
replaces it (and its candidates and metrics); runs and events are upserted;
note objects are inserted once per content id. Anything wrong rolls the whole
batch back.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Final

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from muse_duckdb.storage.database import Connection, Database, first_row
from muse_duckdb.storage.schema import installed_versions
from muse_duckdb.telemetry.batch import TelemetryBatch
from muse_duckdb.telemetry.errors import TelemetryBatchError, TelemetryError, TelemetryWriteError
from muse_duckdb.telemetry.schema import TELEMETRY_SCHEMA, ensure_schema

Target = Connection | Database
"""Where telemetry lives: an open DuckDB connection or a Muse :class:`Database`."""

_COUNTER = itertools.count()


@dataclass(frozen=True)
class IngestReport:
    """What one ingest wrote."""

    runs: int
    generations: int
    replaced_generations: int
    candidates: int
    metrics: int
    notes_new: int
    events: int
    first_candidate_id: int | None


def ingest(target: Target, batch: TelemetryBatch, *, in_transaction: bool = False) -> IngestReport:
    """Write ``batch`` in one transaction and report what was written.

    Parameters
    ----------
    target:
        A DuckDB connection (the telemetry tables are created or migrated
        first) or a Muse :class:`~muse_duckdb.storage.database.Database` opened with
        the telemetry component (see :func:`muse_duckdb.telemetry.open_database`).
    batch:
        The records to write.
    in_transaction:
        The caller already opened a transaction on the connection: join it
        instead of beginning and committing one (the schema must exist).

    Raises
    ------
    TelemetryBatchError
        The batch contradicts itself or the database (names the table and the id).
    TelemetryWriteError
        The database refused the write (read-only, locked, schema missing).
    """
    if isinstance(target, Database):
        if target.read_only:
            raise TelemetryWriteError(target.path, "the database is opened read-only")
        try:
            with target.write("record telemetry") as conn:
                if not target.has_component(TELEMETRY_SCHEMA):
                    _require_schema(conn, target.path)
                return _ingest(conn, batch)
        except (TelemetryError, duckdb.Error) as exc:
            raise _wrap(exc, target.path) from exc
    path = _path_of(target)
    try:
        if in_transaction:
            _require_schema(target, path)
            return _ingest(target, batch)
        ensure_schema(target, path)
        target.execute("BEGIN TRANSACTION")
        try:
            report = _ingest(target, batch)
        except BaseException:
            target.execute("ROLLBACK")
            raise
        target.execute("COMMIT")
        return report
    except (TelemetryError, duckdb.Error) as exc:
        raise _wrap(exc, path) from exc


def _wrap(exc: BaseException, path: str) -> TelemetryError:
    if isinstance(exc, TelemetryError):
        return exc
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if "read-only" in text or "read only" in text:
        return TelemetryWriteError(path, "the database is opened read-only")
    return TelemetryWriteError(path, text)


def _require_schema(conn: Connection, path: str) -> None:
    versions = installed_versions(conn, path)
    if versions.get(TELEMETRY_SCHEMA.name, 0) < TELEMETRY_SCHEMA.latest:
        raise TelemetryWriteError(
            path,
            "the telemetry tables are missing or out of date; open the database with "
            "muse_duckdb.telemetry.open_database(path) (or call ensure_schema on a connection)",
        )


def _path_of(conn: Connection) -> str:
    try:
        rows = conn.execute(
            "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
        ).fetchall()
    except duckdb.Error:
        return "<connection>"
    row = first_row(rows)
    return str(row[0]) if row and row[0] else ":memory:"


@contextmanager
def _registered(conn: Connection, tables: dict[str, pa.Table]) -> Iterator[dict[str, str]]:
    tag = next(_COUNTER)
    names = {key: f"__telemetry_{key}_{tag}" for key in tables}
    for key, table in tables.items():
        conn.register(names[key], table)
    try:
        yield names
    finally:
        for name in names.values():
            with contextlib.suppress(duckdb.Error):  # fails inside an aborted transaction
                conn.unregister(name)


def _one(
    conn: Connection, sql: str, params: list[object] | None = None
) -> tuple[object, ...] | None:
    return first_row(conn.execute(sql, params or []).fetchall())


def _int(value: object) -> int:
    return value if isinstance(value, int) else 0


def _ingest(conn: Connection, batch: TelemetryBatch) -> IngestReport:
    candidates = batch.candidates.append_column(
        "candidate_row", pa.array(range(batch.candidates.num_rows), pa.int64())
    )
    tables = {
        "runs": batch.runs,
        "gens": batch.generations,
        "cands": candidates,
        "metrics": batch.metrics,
        "notes": batch.notes,
        "events": batch.events,
    }
    # A self-contained batch (a whole run's) takes each candidate's section, role and
    # style from its own generations; otherwise from the table, earlier batches included.
    own_gens = not _outside(candidates.column("generation_id"), batch.generations.column(
        "generation_id"))  # fmt: skip
    with _registered(conn, tables) as t:
        _check(conn, batch, t)
        row = _one(
            conn,
            f"SELECT (SELECT count(*) FROM generations WHERE generation_id IN "
            f"(SELECT generation_id FROM {t['gens']})), "
            f"(SELECT coalesce(max(candidate_id) + 1, 0) FROM candidates)",
        )
        n_replaced, offset = (_int(row[0]), _int(row[1])) if row else (0, 0)
        if n_replaced:
            doomed = (
                f"SELECT candidate_id FROM candidates WHERE generation_id IN "
                f"(SELECT generation_id FROM {t['gens']})"
            )
            conn.execute(f"DELETE FROM candidate_metrics WHERE candidate_id IN ({doomed})")
            conn.execute(
                f"DELETE FROM candidates WHERE generation_id IN "
                f"(SELECT generation_id FROM {t['gens']})"
            )
            conn.execute(
                f"DELETE FROM generations WHERE generation_id IN "
                f"(SELECT generation_id FROM {t['gens']})"
            )
            after = _one(conn, "SELECT coalesce(max(candidate_id) + 1, 0) FROM candidates")
            offset = _int(after[0]) if after else 0
        # One statement per table that has rows (an empty one costs a statement for nothing).
        if batch.runs.num_rows:
            conn.execute(f"INSERT OR REPLACE INTO runs BY NAME SELECT * FROM {t['runs']}")
        if batch.generations.num_rows:
            conn.execute(f"INSERT INTO generations BY NAME SELECT * FROM {t['gens']}")
        if candidates.num_rows:
            source = t["gens"] if own_gens else "generations"
            conn.execute(
                f"INSERT INTO candidates BY NAME "
                f"SELECT ?::BIGINT + c.candidate_row AS candidate_id, c.run_id, c.generation_id, "
                f"g.section, g.role, g.style, g.num_candidates, c.candidate_index, c.seed, "
                f"c.notes_id, c.n_notes, c.score, c.accepted, c.selected, c.reject_reason "
                f"FROM {t['cands']} c JOIN {source} g ON g.generation_id = c.generation_id",
                [offset],
            )
        if batch.metrics.num_rows:
            conn.execute(
                f"INSERT INTO candidate_metrics BY NAME "
                f"SELECT ?::BIGINT + candidate_row AS candidate_id, name, value "
                f"FROM {t['metrics']}",
                [offset],
            )
        n_new = 0
        if batch.notes.num_rows:
            inserted = _one(
                conn, f"INSERT OR IGNORE INTO candidate_notes BY NAME SELECT * FROM {t['notes']}"
            )
            n_new = _int(inserted[0]) if inserted else 0
        if batch.events.num_rows:
            conn.execute(f"INSERT OR REPLACE INTO events BY NAME SELECT * FROM {t['events']}")
    return IngestReport(
        runs=batch.runs.num_rows,
        generations=batch.generations.num_rows,
        replaced_generations=n_replaced,
        candidates=batch.candidates.num_rows,
        metrics=batch.metrics.num_rows,
        notes_new=n_new,
        events=batch.events.num_rows,
        first_candidate_id=offset if batch.candidates.num_rows else None,
    )


def _check(conn: Connection, batch: TelemetryBatch, t: dict[str, str]) -> None:
    """Raise :class:`TelemetryBatchError` at the first inconsistency of the batch.

    What the batch says about itself (duplicates, references between its
    tables) is checked on the Arrow tables in memory; the database is asked
    only about what the batch refers to outside itself (runs, generations or
    note objects recorded by earlier batches), and not at all when the batch
    is self-contained, as a whole run's batch is.
    """
    runs, gens, cands = batch.runs, batch.generations, batch.candidates
    notes, events = batch.notes, batch.events
    _refuse(_duplicate(runs, "run_id"), "runs", "run {} appears twice")
    _refuse(_duplicate(gens, "generation_id"), "generations", "generation {} appears twice")
    if _outside(gens.column("run_id"), runs.column("run_id")):
        _refuse_sql(
            conn,
            "generations",
            f"SELECT g.run_id FROM {t['gens']} g WHERE g.run_id NOT IN "
            f"(SELECT run_id FROM {t['runs']}) AND g.run_id NOT IN (SELECT run_id FROM runs)",
            "generation of unknown run {}: record the run (start_run) in this or an earlier batch",
        )
    _refuse(
        _duplicate(cands, "generation_id", "candidate_index"),
        "candidates",
        "candidate {} appears twice",
    )
    outside_gens = _outside(cands.column("generation_id"), gens.column("generation_id"))
    if outside_gens:
        _refuse_sql(
            conn,
            "candidates",
            f"SELECT c.generation_id FROM {t['cands']} c WHERE c.generation_id NOT IN "
            f"(SELECT generation_id FROM {t['gens']}) AND c.generation_id NOT IN "
            f"(SELECT generation_id FROM generations)",
            "candidate of unknown generation {}",
        )
    _refuse(
        _run_mismatch(cands, gens),
        "candidates",
        "candidate run_id differs from the run of its generation {}",
    )
    if outside_gens:
        _refuse_sql(
            conn,
            "candidates",
            f"SELECT c.generation_id FROM {t['cands']} c JOIN generations g "
            f"USING (generation_id) WHERE g.run_id <> c.run_id "
            f"AND c.generation_id NOT IN (SELECT generation_id FROM {t['gens']})",
            "candidate run_id differs from the run of its generation {}",
        )
        _refuse_sql(
            conn,
            "candidates",
            f"SELECT c.generation_id || ' #' || c.candidate_index FROM {t['cands']} c "
            f"JOIN candidates d ON d.generation_id = c.generation_id "
            f"AND d.candidate_index = c.candidate_index "
            f"WHERE c.generation_id NOT IN (SELECT generation_id FROM {t['gens']})",
            "candidate {} is already recorded (re-send its generation to replace it)",
        )
    if _outside(cands.column("notes_id"), notes.column("notes_id")):
        _refuse_sql(
            conn,
            "candidates",
            f"SELECT c.notes_id FROM {t['cands']} c WHERE c.notes_id IS NOT NULL "
            f"AND c.notes_id NOT IN (SELECT notes_id FROM {t['notes']}) "
            f"AND c.notes_id NOT IN (SELECT notes_id FROM candidate_notes)",
            "candidate notes {} are neither in the batch nor in the database",
        )
    _refuse(_duplicate(notes, "notes_id"), "notes", "note object {} appears twice")
    _refuse(_duplicate(events, "run_id", "seq"), "events", "event {} appears twice")
    if _outside(events.column("run_id"), runs.column("run_id")):
        _refuse_sql(
            conn,
            "events",
            f"SELECT e.run_id FROM {t['events']} e WHERE e.run_id NOT IN "
            f"(SELECT run_id FROM {t['runs']}) AND e.run_id NOT IN (SELECT run_id FROM runs)",
            "events of unknown run {}",
        )


_KEY_SEPARATORS: Final[dict[tuple[str, ...], str]] = {
    ("generation_id", "candidate_index"): " #",
    ("run_id", "seq"): " seq ",
}


def _duplicate(table: pa.Table, *keys: str) -> str | None:
    """The first key of ``table`` (in row order) that appears more than once, as text.

    Each key column is dictionary-encoded and the codes combined into one
    integer per row; a sort finds repeats (no Python object per row).
    """
    rows = table.num_rows
    if rows < 2:
        return None
    combined = np.zeros(rows, dtype=np.int64)
    for key in keys:
        encoded = pc.dictionary_encode(table.column(key)).combine_chunks()
        codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        combined = combined * len(encoded.dictionary) + codes  # < rows ** len(keys)
    ranked = np.sort(combined)
    if not (ranked[1:] == ranked[:-1]).any():
        return None
    order = np.argsort(combined, kind="stable")
    ranked = combined[order]
    repeats = np.flatnonzero(ranked[1:] == ranked[:-1])  # i: rows order[i], order[i+1] equal
    starts = repeats[np.r_[True, repeats[1:] != repeats[:-1] + 1]]  # first of each run
    row = table.slice(int(order[starts].min()), 1).to_pylist()[0]
    return _KEY_SEPARATORS.get(keys, "").join(str(row[k]) for k in keys)


def _outside(values: pa.ChunkedArray, inside: pa.ChunkedArray) -> bool:
    """Whether some non-null value of ``values`` is not among ``inside``."""
    present = values.drop_null()
    if not len(present):
        return False
    found = pc.is_in(present, value_set=inside.combine_chunks().drop_null())
    return not pc.all(found).as_py()


def _run_mismatch(cands: pa.Table, gens: pa.Table) -> str | None:
    """A generation of the batch having a candidate of another run, if any."""
    if not cands.num_rows or not gens.num_rows:
        return None
    at = pc.index_in(cands.column("generation_id"), value_set=gens.column("generation_id"))
    gen_runs = gens.column("run_id").combine_chunks().take(at)  # null where not in the batch
    differs = pc.fill_null(pc.not_equal(cands.column("run_id"), gen_runs), False)
    if not pc.any(differs).as_py():
        return None
    first = pc.index(differs, True).as_py()
    return str(cands.column("generation_id")[first].as_py())


def _refuse(found: str | None, table: str, message: str) -> None:
    if found is not None:
        raise TelemetryBatchError(table, message.format(repr(found)))


def _refuse_sql(conn: Connection, table: str, sql: str, message: str) -> None:
    row = _one(conn, sql + " LIMIT 1")
    if row is not None:
        raise TelemetryBatchError(table, message.format(repr(row[0])))
