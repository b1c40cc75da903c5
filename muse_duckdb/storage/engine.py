"""The process's DuckDB engine: one in-memory instance that attaches files per operation.

``duckdb.connect(path)`` creates a whole database instance, and most of its
cost has nothing to do with the file: registering DuckDB's built-in
functions takes ~11 ms and tearing them down ~3 ms (the same for
``":memory:"``), more than the rest of a one-region commit. Muse therefore
creates one in-memory instance per process, lazily, and for each operation
attaches the database file to it (``ATTACH``, ~0.5 ms) and detaches it at
the end.

The file lock is the attachment's, so nothing changes for other processes: a
read attaches ``READ_ONLY`` (a shared lock), a write attaches read-write (an
exclusive lock), and the lock is released when the operation ends.
Operations of one process on the same file share one attachment (counted;
detached when the last ends), as connections shared DuckDB's instance cache
before. If the file is already open in this process through another DuckDB
instance (the caller's own ``duckdb.connect``), :func:`attach` falls back to
``duckdb.connect``, which joins that instance.

After ``fork`` the child creates its own engine: a DuckDB instance must not
be used across a fork.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import threading
from dataclasses import dataclass
from typing import Final

import duckdb

from muse_duckdb.errors import FileInUseError

Connection = duckdb.DuckDBPyConnection

SAFE_CONFIG: Final = {
    "autoinstall_known_extensions": "false",
    "autoload_known_extensions": "false",
    "allow_community_extensions": "false",
}
"""DuckDB never installs or loads an extension on its own (a foreign file or a URL would
otherwise make it download one); set on every instance Muse creates."""

ENGINE_SETTINGS: Final = {
    "disabled_compression_methods": "dict_fsst",
    "checkpoint_on_detach": "DISABLED",
}
"""Settings of the engine instance.

``dict_fsst`` compression is skipped because analysing it for columns of
random hex ids costs milliseconds per table per checkpoint. Detaching does
not checkpoint: :meth:`Lease.close` decides (see :data:`WAL_LIMIT`).
"""

WAL_LIMIT: Final = 64 * 1024
"""Checkpoint a file when a write leaves more than this many bytes in its WAL.

A commit is durable once DuckDB has synced it to the write-ahead log, so
folding the log into the database file (a *checkpoint*) can wait. A
checkpoint rewrites the changed tables' last row groups: ~15 ms after a
one-region commit, whatever its size, while every attach replays the log
(~0.4 ms per one-region commit it holds). Checkpointing once the log passes
64 KiB (about 8 such commits) costs a fraction of checkpointing after every
write and bounds what readers replay.
"""


@dataclass
class _Attachment:
    alias: str
    writable: bool
    users: int


class Lease:
    """A connection to one attached database file; :meth:`close` releases it.

    ``conn`` is a cursor of the engine whose default database is the file,
    so unqualified table names refer to the file's tables.
    """

    def __init__(self, conn: Connection, key: str | None) -> None:
        self.conn = conn
        self._key = key

    def close(self) -> None:
        """Close the cursor, and detach the file if no other operation of the process uses it."""
        self.conn.close()
        if self._key is not None:
            key, self._key = self._key, None
            _ENGINE.release(key)


class _Engine:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._instance: Connection | None = None
        self._pid = -1
        self._attached: dict[str, _Attachment] = {}
        self._aliases = itertools.count(1)
        self._abandoned: list[Connection] = []

    def _get(self) -> Connection:
        if self._instance is None or self._pid != os.getpid():
            if self._instance is not None:
                # Inherited through fork: never touch (or free) the parent's instance.
                self._abandoned.append(self._instance)
                self._attached = {}
            self._instance = _new_instance()
            self._pid = os.getpid()
        return self._instance

    def attach(self, path: str, *, write: bool, block_size: int | None) -> Lease:
        key = os.path.realpath(path)
        with self._lock:
            engine = self._get()
            held = self._attached.get(key)
            if held is not None and (held.writable or not write):
                held.users += 1
                return Lease(_use(engine, held.alias), key)
            if held is not None:
                raise FileInUseError(f"{path} is open read-only in this process")
            alias = f"muse_{next(self._aliases)}"
            options = [] if write else ["READ_ONLY"]
            if block_size is not None and write:
                options.append(f"BLOCK_SIZE {int(block_size)}")
            suffix = f" ({', '.join(options)})" if options else ""
            try:
                engine.execute(f"ATTACH {_quote(path)} AS {alias}{suffix}")
            except duckdb.Error as exc:
                if "Unique file handle conflict" in str(exc):
                    raise FileInUseError(str(exc)) from exc
                raise
            self._attached[key] = _Attachment(alias, write, 1)
            try:
                return Lease(_use(engine, alias), key)
            except BaseException:
                self._detach(key)
                raise

    def release(self, key: str) -> None:
        with self._lock:
            held = self._attached.get(key)
            if held is None or self._pid != os.getpid():
                return
            held.users -= 1
            if held.users <= 0:
                self._detach(key)

    def _detach(self, key: str) -> None:
        held = self._attached.pop(key)
        assert self._instance is not None
        if held.writable and _wal_size(key) > WAL_LIMIT:
            # The writes are committed and durable in the log whatever happens here: a
            # failed checkpoint is retried by the next writer, never reported as a failed write.
            with contextlib.suppress(duckdb.Error):
                self._instance.execute(f"CHECKPOINT {held.alias}")
        self._instance.execute(f"DETACH {held.alias}")


def _new_instance() -> Connection:
    instance = duckdb.connect(":memory:", config=dict(SAFE_CONFIG))
    # An in-memory instance would spill large queries to ./.tmp; use the system's temp folder.
    import tempfile

    spill = os.path.join(tempfile.gettempdir(), f"muse-duckdb-{os.getpid()}")
    for name, value in {**ENGINE_SETTINGS, "temp_directory": spill}.items():
        with contextlib.suppress(duckdb.Error):  # a DuckDB without this setting
            instance.execute(f"SET {name} = {_quote(value)}")
    # Nothing may change these afterwards (the instance is Muse's own).
    with contextlib.suppress(duckdb.Error):
        instance.execute("SET lock_configuration = true")
    return instance


def _use(engine: Connection, alias: str) -> Connection:
    cursor = engine.cursor()
    try:
        cursor.execute(f"USE {alias}")
    except BaseException:
        cursor.close()
        raise
    return cursor


def _wal_size(path: str) -> int:
    try:
        return os.path.getsize(path + ".wal")
    except OSError:
        return 0


def _quote(path: str) -> str:
    return "'" + path.replace("'", "''") + "'"


_ENGINE: Final = _Engine()


def attach(path: str, *, write: bool, block_size: int | None = None) -> Lease:
    """Attach the database file ``path`` to the engine (created if missing when ``write``).

    ``block_size`` applies when the file is created. DuckDB's errors (the
    lock held by another process, a file that is not a database) propagate
    unchanged.

    Raises
    ------
    FileInUseError
        The file is open in this process through another DuckDB instance,
        or read-only by the engine while a write is asked for.
    """
    return _ENGINE.attach(path, write=write, block_size=block_size)
