"""Connections to the Muse database: short-lived, locked, transactional.

DuckDB lets one process open a file for writing, or many processes open it
read-only, never both at once. Muse therefore keeps connections
*short-lived*: each read attaches the file read-only and each write attaches
it writable inside one transaction, and both release the file when the
operation ends. A notebook, a papermill run and the ``muse`` CLI can then
share a file; while one of them is writing, the others wait up to
``lock_timeout`` seconds and then get
:class:`~muse_duckdb.errors.RepositoryLockedError`, which names the database
and the lock holder (program and PID, as DuckDB reports them).

Files are attached to one in-memory DuckDB instance per process
(:mod:`muse_duckdb.storage.engine`): attaching costs ~0.5 ms where creating a DuckDB
instance per operation cost ~14 ms. :meth:`Database.session` holds one
attachment for a batch of operations (faster still); other processes are
locked out meanwhile. A ``":memory:"`` database, or a connection passed in
by the caller, is held for the life of the object.

Every write runs in one transaction: if anything fails, or the process is
killed, nothing of it is visible afterwards. A committed transaction is
durable in DuckDB's write-ahead log (``<file>.wal``) and folded into the file
by a checkpoint once the log grows (:data:`~muse_duckdb.storage.engine.WAL_LIMIT`)
or on :meth:`Database.checkpoint`; copy both files, or checkpoint first, to
copy a repository.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final, TypeVar

import duckdb

from muse_duckdb.errors import (
    CorruptRepositoryError,
    FileInUseError,
    InvalidDatabasePathError,
    NotARepositoryError,
    ReadOnlyRepositoryError,
    RepositoryLockedError,
    StorageError,
)
from muse_duckdb.storage.engine import SAFE_CONFIG, Lease, attach
from muse_duckdb.storage.schema import (
    MUSE_SCHEMA,
    SchemaComponent,
    check_tables,
    installed_versions,
    main_tables,
)
from muse_duckdb.storage.schema import migrate as apply_migrations
from muse_duckdb.storage.schema import pending as pending_migrations

MEMORY: Final = ":memory:"
DISABLED_COMPRESSION: Final = "dict_fsst"
BLOCK_SIZE: Final = 65536
"""Block size of new files: a quarter of DuckDB's default, since each commit adds
little data, yet large enough for bitpacked integer columns (with 16-32 KiB blocks
DuckDB 2.0 stores note times uncompressed, three times larger)."""
_URL_RE: Final = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_LOCK_RE: Final = re.compile(
    r"Conflicting lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)(?: by user (?P<user>\S+))?"
)

Connection = duckdb.DuckDBPyConnection
T = TypeVar("T")


def first_row(rows: list[T]) -> T | None:
    """The first of ``rows`` or ``None``.

    Used as ``first_row(conn.execute(...).fetchall())``: DuckDB refuses
    further work on a connection while a result is only partly fetched, so
    ``fetchone()`` is never used.
    """
    return rows[0] if rows else None


def upsert(
    conn: Connection,
    table: str,
    keys: dict[str, object],
    values: dict[str, object],
) -> None:
    """Update the row of ``table`` matching ``keys``, or insert it (tables have no indexes)."""
    where = " AND ".join(f"{k} = ?" for k in keys)
    sets = ", ".join(f"{k} = ?" for k in values)
    params = [*values.values(), *keys.values()]
    updated = conn.execute(f"UPDATE {table} SET {sets} WHERE {where}", params).fetchall()
    if updated and updated[0][0]:
        return
    columns = {**keys, **values}
    marks = ", ".join("?" for _ in columns)
    conn.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", list(columns.values())
    ).fetchall()


def check_path(target: str | os.PathLike[str]) -> str:
    """A database path as text, refusing anything but a local file or ``":memory:"``.

    URLs and DuckDB's remote prefixes (``http://``, ``s3://``, ``md:``...)
    raise :class:`~muse_duckdb.errors.InvalidDatabasePathError`: DuckDB would
    otherwise load an extension and reach for the network to open them.
    """
    path = os.fspath(target)
    if not isinstance(path, str):
        raise InvalidDatabasePathError(str(path), "the path must be text")
    if path == MEMORY:
        return path
    if not path or "\0" in path:
        raise InvalidDatabasePathError(path, "empty path or NUL character")
    if _URL_RE.match(path) and not os.path.exists(path):
        scheme = path.split(":", 1)[0]
        raise InvalidDatabasePathError(
            path, f"{scheme}: paths are not supported; Muse opens local files only"
        )
    return path


def _now_us() -> int:
    return time.time_ns() // 1000


class Database:
    """Where a Muse repository lives, and how to reach it.

    Parameters
    ----------
    target:
        A file path, ``":memory:"``, or an open DuckDB connection (used as
        is, never closed by Muse).
    read_only:
        Refuse every write (:class:`ReadOnlyRepositoryError`).
    create:
        Create and initialise a missing file (otherwise
        :class:`NotARepositoryError`).
    lock_timeout:
        Seconds to wait for another process's lock before
        :class:`RepositoryLockedError`.
    components:
        Schema components to check and migrate (Muse history by default).
    """

    def __init__(
        self,
        target: str | os.PathLike[str] | Connection,
        *,
        read_only: bool = False,
        create: bool = True,
        lock_timeout: float = 2.0,
        components: tuple[SchemaComponent, ...] = (MUSE_SCHEMA,),
    ) -> None:
        self.read_only = read_only
        self.lock_timeout = float(lock_timeout)
        self.components = components
        self._held: Connection | None = None
        self._external = False
        self._tx_depth = 0
        self._checked = False
        self._block_size: int | None = None
        if isinstance(target, Connection):
            self.path = _connection_path(target)
            self._held = target
            self._external = True
        else:
            self.path = check_path(target)
            if self.path == MEMORY:
                self._held = duckdb.connect(MEMORY, config=dict(SAFE_CONFIG))
            elif not Path(self.path).exists():
                if not create:
                    raise NotARepositoryError(self.path, "no such file (run `muse init` first)")
                if read_only:
                    raise NotARepositoryError(self.path, "no such file (cannot create read-only)")
                parent = Path(self.path).parent
                if not parent.is_dir():
                    raise NotARepositoryError(self.path, f"directory {parent} does not exist")
                self._block_size = BLOCK_SIZE
            elif Path(self.path).is_dir():
                raise NotARepositoryError(self.path, "is a directory, not a database file")
        if self._held is not None:
            self._ensure_schema(self._held, writable=not read_only)
        elif not Path(self.path).exists():
            with self.write("create the repository"):
                pass
            self._block_size = None

    # ------------------------------------------------------------ sessions
    @property
    def is_file(self) -> bool:
        """Whether connections are opened per operation (a file not held open)."""
        return self._held is None

    @contextmanager
    def session(self, *, write: bool = True) -> Iterator[Database]:
        """Hold one connection for every operation inside the block.

        Other processes cannot open the file meanwhile (they wait, then get
        :class:`RepositoryLockedError`). Nested sessions reuse the outer one.
        """
        if self._held is not None:
            yield self
            return
        lease = self._open(write=write and not self.read_only)
        self._held = lease.conn
        try:
            yield self
        finally:
            self._held = None
            lease.close()

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for reading (short-lived unless a session is held)."""
        with _storage_errors(self.path):
            if self._held is not None:
                self._ensure_schema(self._held, writable=not self.read_only)
                yield self._held
                return
            lease = self._open(write=False)
            try:
                yield lease.conn
            finally:
                lease.close()

    @contextmanager
    def write(self, operation: str = "write") -> Iterator[Connection]:
        """A writable connection inside one transaction, committed at the end.

        An exception (or a kill) rolls everything back. Nested ``write``
        blocks join the outer transaction.
        """
        if self.read_only:
            raise ReadOnlyRepositoryError(self.path, operation)
        with _storage_errors(self.path):
            if self._held is not None:
                conn = self._held
                self._ensure_schema(conn, writable=True)
                yield from _transaction(conn, self)
                return
            lease = self._open(write=True)
            try:
                yield from _transaction(lease.conn, self)
            finally:
                lease.close()

    def checkpoint(self) -> None:
        """Fold the write-ahead log into the database file (the file alone is then complete).

        Muse checkpoints on its own once the log grows; call this before
        copying the file without its ``.wal``. Not inside a write.
        """
        if self.read_only:
            raise ReadOnlyRepositoryError(self.path, "checkpoint")
        if self._tx_depth:
            raise RuntimeError("checkpoint() inside a write transaction; call it afterwards")
        with _storage_errors(self.path):
            if self._held is not None:
                self._held.execute("CHECKPOINT").fetchall()
                return
            lease = self._open(write=True)
            try:
                lease.conn.execute("CHECKPOINT").fetchall()
            finally:
                lease.close()

    def close(self) -> None:
        """Close a held in-memory connection (no-op for files and external connections)."""
        if self._held is not None and not self._external and self.path == MEMORY:
            self._held.close()
            self._held = None

    # -------------------------------------------------------------- opening
    def _open(self, *, write: bool) -> Lease:
        lease = _open_with_retry(
            self.path, write=write, timeout=self.lock_timeout, block_size=self._block_size
        )
        try:
            self._ensure_schema(lease.conn, writable=write)
        except BaseException:
            lease.close()
            raise
        if not self._checked and not write:
            # The schema needed migrating: reopen writable once, then read.
            lease.close()
            with self.write("migrate the schema"):
                pass
            return self._open(write=False)
        return lease

    def _ensure_schema(self, conn: Connection, *, writable: bool) -> None:
        if self._checked:
            return
        try:
            tables = main_tables(conn)
            versions = installed_versions(conn, self.path, tables)
            todo = {c.name: pending_migrations(versions, c, self.path) for c in self.components}
        except duckdb.Error as exc:
            text = _first_line(exc)
            if "corrupt" in text.lower() or "checksum" in text.lower():
                raise CorruptRepositoryError(self.path, f"damaged file: {text}") from exc
            raise NotARepositoryError(self.path, f"cannot read schema: {text}") from exc
        if any(todo.values()):
            if not writable:
                if self.read_only:
                    names = ", ".join(f"{k} -> v{v[-1].version}" for k, v in todo.items() if v)
                    raise NotARepositoryError(
                        self.path, f"schema needs migrating ({names}); open it writable once"
                    )
                return  # _open reopens writable and migrates
            for component in self.components:
                if todo[component.name]:
                    apply_migrations(conn, component, self.path, _now_us())
            tables = main_tables(conn)
        for component in self.components:
            check_tables(conn, component, self.path, tables)
        self._checked = True

    def has_component(self, component: SchemaComponent) -> bool:
        """Whether ``component`` is among this database's checked and migrated components."""
        return self._checked and component in self.components


def _tune_writes(conn: Connection) -> None:
    """Skip DuckDB's DICT_FSST string compression on write connections.

    Every write checkpoints when the file is closed, and analysing DICT_FSST
    for the columns of random 64-digit ids costs several milliseconds per
    table per checkpoint (10 ms for ``commits``); plain dictionary and FSST
    compression are still used. (The engine of :mod:`muse_duckdb.storage.engine`
    has this setting; this is for files opened by ``duckdb.connect``.)
    """
    with contextlib.suppress(duckdb.Error):  # a DuckDB without the setting or the method
        conn.execute(f"SET disabled_compression_methods = '{DISABLED_COMPRESSION}'").fetchall()


@contextmanager
def _storage_errors(path: str) -> Iterator[None]:
    """Turn DuckDB's storage failures into typed errors.

    A full disk or another I/O failure becomes :class:`StorageError`; a
    damaged or truncated file (a checksum or block error, DuckDB's internal
    and fatal errors) :class:`CorruptRepositoryError`.
    """
    try:
        yield
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EROFS):
            raise StorageError(path, f"{exc.strerror or exc} (nothing was kept)") from exc
        raise
    except duckdb.Error as exc:
        text = _first_line(exc)
        lowered = text.lower()
        if "could not set lock" in lowered:
            raise
        if "corrupt" in lowered or "checksum" in lowered:
            raise CorruptRepositoryError(path, f"corrupt or unreadable database: {text}") from exc
        if any(word in lowered for word in _FULL):
            raise StorageError(path, f"disk full: {text} (nothing was kept)") from exc
        if any(word in lowered for word in _IO) or isinstance(exc, duckdb.IOException):
            raise StorageError(path, f"I/O error: {text} (nothing was kept)") from exc
        if isinstance(exc, duckdb.InternalException | duckdb.FatalException):
            raise CorruptRepositoryError(path, f"corrupt or unreadable database: {text}") from exc
        raise


_FULL: Final = ("no space left", "disk full", "quota", "file too large")
_IO: Final = ("could not write", "could not read", "i/o error", "input/output error")


def _check_header(path: str) -> None:
    """Refuse a file that is not a DuckDB database before DuckDB opens it.

    (DuckDB would otherwise try to load a scanner extension for SQLite and
    other formats.) A DuckDB file carries ``DUCK`` at byte 8; an empty file
    is a new database.
    """
    try:
        with open(path, "rb") as f:
            head = f.read(16)
    except OSError as exc:
        raise NotARepositoryError(path, f"cannot read file: {exc.strerror or exc}") from exc
    if head and head[8:12] != b"DUCK":
        raise NotARepositoryError(path, f"not a DuckDB database file (starts with {head[:8]!r})")


def _transaction(conn: Connection, db: Database) -> Iterator[Connection]:
    if db._tx_depth:
        db._tx_depth += 1
        try:
            yield conn
        finally:
            db._tx_depth -= 1
        return
    conn.execute("BEGIN TRANSACTION")
    db._tx_depth = 1
    try:
        yield conn
    except BaseException:
        db._tx_depth = 0
        conn.execute("ROLLBACK")
        raise
    db._tx_depth = 0
    conn.execute("COMMIT")


def _open_with_retry(path: str, *, write: bool, timeout: float, block_size: int | None) -> Lease:
    """Attach ``path`` to the engine, waiting up to ``timeout`` s for another process's lock.

    A file this process already opened through another DuckDB instance is
    opened with ``duckdb.connect`` instead, which joins that instance.
    """
    if os.path.exists(path):
        _check_header(path)
    start = time.monotonic()
    delay = 0.005
    turn = _Turnstile(path, write=write)
    try:
        while True:
            try:
                turn.enter(start, timeout)
                return _attach_once(path, write=write, block_size=block_size)
            except duckdb.Error as exc:
                text = str(exc)
                if "Could not set lock" in text or "Conflicting lock" in text:
                    waited = time.monotonic() - start
                    if waited >= timeout:
                        raise _locked(path, text, waited) from exc
                    time.sleep(min(delay, max(0.0, timeout - waited)))
                    delay = min(delay * 2, 0.05)
                    continue
                if "not a valid DuckDB database" in text:
                    raise NotARepositoryError(path, "not a DuckDB database file") from exc
                raise NotARepositoryError(path, f"cannot open: {_first_line(exc)}") from exc
    finally:
        turn.leave()


def _attach_once(path: str, *, write: bool, block_size: int | None) -> Lease:
    try:
        return attach(path, write=write, block_size=block_size)
    except FileInUseError:
        return Lease(_connect(path, write=write), None)


class _Turnstile:
    """Fair access between processes: a writer waiting its turn gets it.

    DuckDB's own file lock has no queue: readers that attach and detach in a
    tight loop keep a shared lock held almost all the time, and a writer
    retrying for an exclusive one may never get it. Every opening therefore
    passes a turnstile first - an advisory ``flock`` on a lock file under the
    system temp folder named after the database's real path (never the
    database file itself: closing any descriptor of it would drop DuckDB's
    POSIX lock). Readers pass it shared and only while they attach; a writer
    holds it exclusive from the moment it starts waiting until it has
    attached, so no new reader gets in meanwhile and the ones inside finish
    and let go. Best effort: without ``fcntl`` or a writable temp folder
    there is no turnstile, as before.
    """

    def __init__(self, path: str, *, write: bool) -> None:
        self.write = write
        self._fd: int | None = None
        self._path = path

    def enter(self, start: float, timeout: float) -> None:
        if self._fd is not None:
            return
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX
            return
        import tempfile

        folder = os.path.join(tempfile.gettempdir(), "muse-turnstiles")
        real = os.path.realpath(self._path)
        name = hashlib.sha256(real.encode("utf-8", "surrogateescape")).hexdigest()[:32]
        try:
            os.makedirs(folder, mode=0o1777, exist_ok=True)
            fd = os.open(os.path.join(folder, name), os.O_RDONLY | os.O_CREAT, 0o644)
        except OSError:
            return
        mode = (fcntl.LOCK_EX if self.write else fcntl.LOCK_SH) | fcntl.LOCK_NB
        delay = 0.0005
        while True:
            try:
                fcntl.flock(fd, mode)
                self._fd = fd
                return
            except BlockingIOError:
                waited = time.monotonic() - start
                if waited >= timeout:
                    os.close(fd)
                    raise _locked(self._path, "a writer is waiting its turn", waited) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.01)
            except OSError:
                os.close(fd)
                return

    def leave(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)


def _connect(path: str, *, write: bool) -> Connection:
    try:
        # The caller's own instance holds the file: join it (its configuration is the caller's).
        conn = duckdb.connect(path, read_only=not write)
    except duckdb.Error as exc:
        if "different configuration" not in str(exc) or write:
            raise
        conn = duckdb.connect(path)  # this process already holds the file read-write
    if write:
        _tune_writes(conn)
    return conn


def _locked(path: str, text: str, waited: float) -> RepositoryLockedError:
    match = _LOCK_RE.search(text)
    holder = pid = None
    if match:
        pid = int(match["pid"])
        holder = f"{match['program']} (PID {pid})"
        if match["user"]:
            holder += f" of user {match['user'].rstrip('.')}"
    return RepositoryLockedError(path, holder, pid, waited)


def _connection_path(conn: Connection) -> str:
    try:
        rows = conn.execute(
            "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
        ).fetchall()
    except duckdb.Error:
        return "<connection>"
    if rows and rows[0][0]:
        return str(rows[0][0])
    return MEMORY


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
