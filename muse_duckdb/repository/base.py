"""The core of :class:`~muse_duckdb.Repository`: state, caches, transactions, helpers.

Split from :mod:`muse_duckdb.repository` so that each module has one job:
this one holds what every operation shares (the database, the clock, the
caches of immutable commits and snapshot manifests, appending a commit,
loading states, the working state and the dirty check).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Self, TypeVar

from muse_duckdb.convert import RegionLayout, score_to_project
from muse_duckdb.diff.states import diff_states
from muse_duckdb.errors import DirtyWorkingTreeError, InvalidCommitError, RefNotFoundError
from muse_duckdb.history import refs
from muse_duckdb.history.graph import load_commit
from muse_duckdb.model.commit import Commit
from muse_duckdb.project import ProjectState
from muse_duckdb.repository.results import Status
from muse_duckdb.storage.batch import Batch, StoredSnapshot
from muse_duckdb.storage.commits import CommitFields, ensure_project, write_commit
from muse_duckdb.storage.database import Connection, Database, first_row, upsert
from muse_duckdb.storage.snapshots import load_snapshot
from storpheus.score import Score

if TYPE_CHECKING:
    from muse_duckdb.variations import VariationStore

Clock = Callable[[], int]
"""Returns the current time in microseconds since the Unix epoch (UTC)."""

StateLike = ProjectState | Score
K = TypeVar("K")
V = TypeVar("V")


def wall_clock() -> int:
    """The system time in microseconds (the default clock)."""
    return time.time_ns() // 1000


class RepositoryBase:
    """Shared state and helpers of :class:`~muse_duckdb.Repository` (see there)."""

    """Version control for one project in a Muse database.

    Open one with :meth:`open` (a path, ``":memory:"`` or a DuckDB
    connection). Refs are branch names, tag names, ``HEAD``, commit ids or
    unique prefixes, with ``~N`` / ``^N`` suffixes (:mod:`muse_duckdb.history.refs`).

    Parameters
    ----------
    database:
        Where the data lives.
    project_id:
        The project; one database holds any number.
    clock:
        Time source in microseconds (defaults to the wall clock); pass a
        fixed one for reproducible commit ids.
    """

    def __init__(self, database: Database, project_id: str, clock: Clock | None = None) -> None:
        if not isinstance(project_id, str) or not project_id.strip():
            raise ValueError(f"project_id={project_id!r} must be non-empty text")
        self.database = database
        self.project_id = project_id
        self.clock: Clock = clock or wall_clock
        self._variations: VariationStore | None = None
        # Commits and snapshot manifests are immutable: cache them by id.
        self._commits: dict[str, Commit] = {}
        self._manifests: dict[str, StoredSnapshot] = {}
        self._pending: list[Commit | StoredSnapshot] | None = None

    @property
    def path(self) -> str:
        """The database file (or ``":memory:"``)."""
        return self.database.path

    def close(self) -> None:
        """Release an in-memory database."""
        self.database.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Repository({self.path!r}, project={self.project_id!r})"

    def _now(self, timestamp: datetime | float | None) -> int:
        if timestamp is None:
            return int(self.clock())
        if isinstance(timestamp, datetime):
            if timestamp.tzinfo is None:
                raise InvalidCommitError("timestamp", timestamp, "must be timezone-aware")
            return round(timestamp.timestamp() * 1_000_000)
        if isinstance(timestamp, bool) or not isinstance(timestamp, int | float):
            raise InvalidCommitError("timestamp", timestamp, "must be a datetime or POSIX seconds")
        return round(float(timestamp) * 1_000_000)

    def _append(
        self,
        conn: Connection,
        state: ProjectState,
        parents: tuple[str, ...] | tuple[Commit, ...],
        fields: CommitFields,
        timestamp: datetime | float | None,
        batch: Batch | None = None,
        manifest: StoredSnapshot | None = None,
    ) -> tuple[Commit, StoredSnapshot]:
        now = self._now(timestamp)
        parent_commits = [p if isinstance(p, Commit) else self._commit(conn, p) for p in parents]
        if not parents:
            ensure_project(conn, self.project_id, now)
        if manifest is None and parent_commits:
            manifest = self._manifests.get(parent_commits[0].snapshot_id)
        own = batch is None
        batch = batch or Batch(conn)
        commit, stored = write_commit(
            batch, self.project_id, state, parent_commits, fields, now, manifest
        )
        if own:
            batch.flush()
        self._remember(commit)
        self._remember(stored)
        return commit, stored

    def _commit(self, conn: Connection, commit_id: str) -> Commit:
        """A commit by full id, from the cache or the database."""
        cached = self._commits.get(commit_id)
        if cached is not None:
            return cached
        commit = load_commit(conn, commit_id)
        if commit is None:
            raise RefNotFoundError(commit_id, self.project_id, reason="no such commit")
        self._remember(commit)
        return commit

    def _remember(self, item: Commit | StoredSnapshot) -> None:
        if self._pending is not None:
            self._pending.append(item)  # cached once the transaction commits
            return
        if isinstance(item, Commit):
            _bounded_put(self._commits, item.commit_id, item, 4096)
        else:
            _bounded_put(self._manifests, item.snapshot_id, item, 64)

    @contextmanager
    def _writing(self, operation: str) -> Iterator[Connection]:
        outer = self._pending is not None
        if not outer:
            self._pending = []
        try:
            with self.database.write(operation) as conn:
                yield conn
        except BaseException:
            if not outer:
                self._pending = None
            raise
        if not outer:
            done, self._pending = self._pending or [], None
            for item in done:
                self._remember(item)

    def _advance(
        self, conn: Connection, branch: str | None, commit: Commit, moves_head: bool
    ) -> None:
        if branch is not None:
            refs.set_ref(conn, self.project_id, "branch", branch, commit.commit_id)
        elif moves_head:
            refs.write_head(conn, self.project_id, None, commit.commit_id)
        if moves_head:
            self._set_worktree(conn, commit.snapshot_id)

    def _load(self, conn: Connection, commit_id: str | None) -> ProjectState:
        if commit_id is None:
            return ProjectState()
        return load_snapshot(conn, self._commit(conn, commit_id).snapshot_id)

    def _state(self, value: str | StateLike) -> ProjectState:
        if isinstance(value, ProjectState):
            return value
        with self.database.read() as conn:
            if isinstance(value, Score):
                head = refs.read_head(conn, self.project_id)
                return self._as_state(conn, value, None, head.commit_id)
            return self._load(conn, refs.resolve(conn, self.project_id, value))

    def _as_state(
        self,
        conn: Connection,
        state: StateLike,
        layout: RegionLayout | None,
        like_commit: str | None,
    ) -> ProjectState:
        if isinstance(state, ProjectState):
            return state
        if isinstance(state, Score):
            like = self._load(conn, like_commit) if like_commit else None
            return score_to_project(state, layout, like=like)
        raise InvalidCommitError("state", type(state).__name__, "must be a ProjectState or Score")

    def _set_worktree(self, conn: Connection, snapshot_id: str) -> None:
        upsert(conn, "worktrees", {"project_id": self.project_id}, {"snapshot_id": snapshot_id})

    def _worktree(self, conn: Connection) -> str | None:
        row = first_row(
            conn.execute(
                "SELECT snapshot_id FROM worktrees WHERE project_id = ?", [self.project_id]
            ).fetchall()
        )
        return None if row is None else str(row[0])

    def _status(self, conn: Connection, head: refs.Head, working: ProjectState | None) -> Status:
        head_state = self._load(conn, head.commit_id)
        if working is None:
            recorded = self._worktree(conn)
            working = head_state
            if recorded is not None and recorded != head_state.snapshot_id:
                working = load_snapshot(conn, recorded)
        return Status(
            self.project_id,
            head.branch,
            head.commit_id,
            working.snapshot_id,
            diff_states(head_state, working),
        )

    def _refuse_dirty(self, conn: Connection, head: refs.Head, working: StateLike | None) -> None:
        resolved = None
        if working is not None:
            resolved = self._as_state(conn, working, None, head.commit_id)
            if head.commit_id is None:
                return
        elif head.commit_id is None:
            return
        else:
            recorded = self._worktree(conn)
            commit = load_commit(conn, head.commit_id)
            if recorded is None or commit is None or recorded == commit.snapshot_id:
                return
        status = self._status(conn, head, resolved)
        if status.dirty:
            raise DirtyWorkingTreeError(head.commit_id, status.diff.changed_paths)


def _bounded_put(cache: dict[K, V], key: K, value: V, limit: int) -> None:
    cache[key] = value
    while len(cache) > limit:
        del cache[next(iter(cache))]
