"""The remote backends' result cache in the Muse DuckDB file, with its hits and misses.

:class:`DuckDBBackendCache` implements storpheus's
:class:`~storpheus.backends.orpheus.cache.BackendCache` protocol in three
tables of the ``"backend_cache"`` schema component, beside Muse history and
telemetry in the same file:

``backend_cache``
    One row per cached request: ``cache_key`` (SHA-256 of the canonical
    request), backend id, space, the canonical request and the parameters
    sent (JSON text), candidate count, creation time.
``backend_cache_parts``
    What the remote service returned, per candidate and chunk: the raw MIDI
    bytes (``NULL`` when it sent no file) and the primer beats to cut.
``backend_cache_lookups``
    Every lookup: key, backend, ``hit`` and time, so hit rates are one
    query away (:func:`cache_lookups`).
``backend_calls``
    Every generation that went to the remote service: key, backend, space,
    outcome (``remote``, ``unavailable``, ``fallback``), attempts, the
    retried failures (JSON list), the circuit breaker's state afterwards,
    the last failure, and the time (:func:`backend_calls`).

Example
-------
>>> from storpheus.backends.orpheus.cache import CachedGeneration, CachedPart
>>> cache = DuckDBBackendCache(":memory:")
>>> cache.get("k1") is None
True
>>> cache.put(CachedGeneration("k1", "orpheus@1", "space", {"bars": 4}, {},
...                            ((CachedPart(b"MThd", 16.0),),)))
>>> cache.get("k1").candidates[0][0].prefix_beats, cache.stats()
(16.0, CacheStats(hits=1, misses=1, entries=1))
"""

from __future__ import annotations

import json
import os
import threading
import time
from datetime import UTC, datetime
from typing import Final

import pandas as pd
import pyarrow as pa

from muse_duckdb.errors import FileInUseError, MuseError, ReadOnlyRepositoryError
from muse_duckdb.storage.database import Connection, Database
from muse_duckdb.storage.schema import MUSE_SCHEMA, Migration, SchemaComponent
from muse_duckdb.telemetry.schema import TELEMETRY_SCHEMA
from storpheus.backends.orpheus.cache import (
    BackendEvent,
    CachedGeneration,
    CachedPart,
    CacheStats,
)

_V1: Final = (
    """CREATE TABLE backend_cache (
        cache_key VARCHAR PRIMARY KEY,
        backend VARCHAR NOT NULL,
        space VARCHAR NOT NULL,
        request VARCHAR NOT NULL,
        parameters VARCHAR NOT NULL,
        n_candidates INTEGER NOT NULL,
        created_at TIMESTAMP NOT NULL
    )""",
    """CREATE TABLE backend_cache_parts (
        cache_key VARCHAR NOT NULL,
        candidate INTEGER NOT NULL,
        chunk INTEGER NOT NULL,
        midi BLOB,
        prefix_beats DOUBLE NOT NULL,
        PRIMARY KEY (cache_key, candidate, chunk)
    )""",
    """CREATE TABLE backend_cache_lookups (
        cache_key VARCHAR NOT NULL,
        backend VARCHAR,
        hit BOOLEAN NOT NULL,
        looked_up_at TIMESTAMP NOT NULL
    )""",
    """CREATE TABLE backend_calls (
        cache_key VARCHAR NOT NULL,
        backend VARCHAR NOT NULL,
        space VARCHAR NOT NULL,
        outcome VARCHAR NOT NULL,
        attempts INTEGER NOT NULL,
        retries VARCHAR NOT NULL,
        breaker_state VARCHAR NOT NULL,
        detail VARCHAR,
        called_at TIMESTAMP NOT NULL
    )""",
)

BACKEND_CACHE_SCHEMA: Final = SchemaComponent(
    "backend_cache", (Migration(1, "remote backend cache: entries, parts, lookups", _V1),)
)
"""The cache's schema component (see the module docstring)."""

_PARTS_SCHEMA: Final = pa.schema(
    [
        ("cache_key", pa.string()),
        ("candidate", pa.int32()),
        ("chunk", pa.int32()),
        ("midi", pa.binary()),
        ("prefix_beats", pa.float64()),
    ]
)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class DuckDBBackendCache:
    """A :class:`~storpheus.backends.orpheus.cache.BackendCache` in a Muse DuckDB file.

    Parameters
    ----------
    db:
        The database file (created if missing) or ``":memory:"``.
    backend:
        Recorded with each lookup (``"orpheus@1"``...).
    lock_timeout:
        Seconds to wait for another process holding the file.
    """

    def __init__(
        self,
        db: str | os.PathLike[str],
        *,
        backend: str | None = None,
        lock_timeout: float = 2.0,
    ) -> None:
        self.db = Database(
            db,
            lock_timeout=lock_timeout,
            components=(MUSE_SCHEMA, TELEMETRY_SCHEMA, BACKEND_CACHE_SCHEMA),
        )
        self.backend = backend
        self._lock = threading.Lock()  # one operation at a time: agents share the backend

    def __repr__(self) -> str:
        return f"DuckDBBackendCache({self.db.path!r})"

    def _retrying(self, attempt: int) -> None:
        if attempt >= 40:
            raise FileInUseError(f"{self.db.path}: held read-only in this process for 2 s")
        time.sleep(0.05)

    def get(self, key: str) -> CachedGeneration | None:
        """The entry for ``key`` or ``None``; the lookup is recorded as a hit or a miss.

        A file that cannot be written (read-only) is still read; the lookup
        is then not recorded.
        """
        attempt = 0
        while True:
            try:
                with self._lock, self.db.write("look up the backend cache") as conn:
                    entry = _read(conn, key)
                    conn.execute(
                        "INSERT INTO backend_cache_lookups VALUES (?, ?, ?, ?)",
                        [
                            key,
                            entry.backend_id if entry else self.backend,
                            entry is not None,
                            _now(),
                        ],
                    )
                    return entry
            except FileInUseError:  # a read of this process holds the file: wait for it
                attempt += 1
                self._retrying(attempt)
            except ReadOnlyRepositoryError:
                try:
                    with self._lock, self.db.read() as conn:
                        return _read(conn, key)
                except MuseError:  # never written by a cache: nothing cached
                    return None

    def put(self, entry: CachedGeneration) -> None:
        """Store ``entry`` (replacing any entry with its key) in one transaction."""
        rows = [
            (entry.key, i, c, part.midi, float(part.prefix_beats))
            for i, parts in enumerate(entry.candidates)
            for c, part in enumerate(parts)
        ]
        table = pa.Table.from_pylist(
            [dict(zip(_PARTS_SCHEMA.names, row, strict=True)) for row in rows],
            schema=_PARTS_SCHEMA,
        )
        attempt = 0
        while True:
            try:
                with self._lock, self.db.write("store a backend cache entry") as conn:
                    conn.execute("DELETE FROM backend_cache_parts WHERE cache_key = ?", [entry.key])
                    conn.execute("DELETE FROM backend_cache WHERE cache_key = ?", [entry.key])
                    conn.execute(
                        "INSERT INTO backend_cache VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [
                            entry.key,
                            entry.backend_id,
                            entry.space,
                            json.dumps(entry.request, sort_keys=True),
                            json.dumps(entry.parameters, sort_keys=True),
                            len(entry.candidates),
                            _now(),
                        ],
                    )
                    conn.register("backend_cache_parts_in", table)
                    try:
                        conn.execute(
                            "INSERT INTO backend_cache_parts SELECT * FROM backend_cache_parts_in"
                        )
                    finally:
                        conn.unregister("backend_cache_parts_in")
                return
            except FileInUseError:
                attempt += 1
                self._retrying(attempt)

    def record(self, event: BackendEvent) -> None:
        """Add one remote generation's outcome to ``backend_calls``."""
        attempt = 0
        while True:
            try:
                with self._lock, self.db.write("record a backend call") as conn:
                    conn.execute(
                        "INSERT INTO backend_calls VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [
                            event.key,
                            event.backend_id,
                            event.space,
                            event.kind,
                            event.attempts,
                            json.dumps(list(event.retries)),
                            event.breaker_state,
                            event.detail,
                            _now(),
                        ],
                    )
                return
            except FileInUseError:
                attempt += 1
                self._retrying(attempt)

    def stats(self) -> CacheStats:
        """Hits, misses and entries recorded in the file."""
        with self._lock, self.db.read() as conn:
            row = conn.execute(
                "SELECT count(*) FILTER (WHERE hit), count(*) FILTER (WHERE NOT hit), "
                "(SELECT count(*) FROM backend_cache) FROM backend_cache_lookups"
            ).fetchone()
        assert row is not None
        return CacheStats(int(row[0]), int(row[1]), int(row[2]))


def _read(conn: Connection, key: str) -> CachedGeneration | None:
    row = conn.execute(
        "SELECT backend, space, request, parameters, n_candidates FROM backend_cache "
        "WHERE cache_key = ?",
        [key],
    ).fetchone()
    if row is None:
        return None
    parts = conn.execute(
        "SELECT candidate, midi, prefix_beats FROM backend_cache_parts "
        "WHERE cache_key = ? ORDER BY candidate, chunk",
        [key],
    ).fetchall()
    grouped: list[list[CachedPart]] = [[] for _ in range(int(row[4]))]
    for candidate, midi, prefix in parts:
        grouped[int(candidate)].append(
            CachedPart(None if midi is None else bytes(midi), float(prefix))
        )
    return CachedGeneration(
        key=key,
        backend_id=str(row[0]),
        space=str(row[1]),
        request=json.loads(str(row[2])),
        parameters=json.loads(str(row[3])),
        candidates=tuple(tuple(g) for g in grouped),
    )


def cache_lookups(db: str | os.PathLike[str]) -> pd.DataFrame:
    """Hits and misses per backend: ``backend``, ``hits``, ``misses``, ``hit_rate``."""
    cache = DuckDBBackendCache(db)
    with cache.db.read() as conn:
        return conn.execute(
            "SELECT backend, count(*) FILTER (WHERE hit) AS hits, "
            "count(*) FILTER (WHERE NOT hit) AS misses, avg(hit::INTEGER) AS hit_rate "
            "FROM backend_cache_lookups GROUP BY backend ORDER BY backend"
        ).df()


def backend_calls(db: str | os.PathLike[str]) -> pd.DataFrame:
    """Every remote generation recorded in ``db``, oldest first (outcome, retries, breaker)."""
    cache = DuckDBBackendCache(db)
    with cache.db.read() as conn:
        return conn.execute(
            "SELECT backend, space, outcome, attempts, retries, breaker_state, detail, called_at "
            "FROM backend_calls ORDER BY called_at, rowid"
        ).df()


__all__ = ["BACKEND_CACHE_SCHEMA", "DuckDBBackendCache", "backend_calls", "cache_lookups"]
