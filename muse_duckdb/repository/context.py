"""What every repository operation shares: one project in one database.

:class:`ProjectContext` holds the database, the project id, the clock and
the caches of immutable commits and snapshot manifests, and offers the
steps operations are built from: a write transaction, appending a commit,
loading a state, moving a ref, and the working state and its dirty check.
The services of :class:`~muse_duckdb.Repository`
(:mod:`~muse_duckdb.repository.committing`, :mod:`~muse_duckdb.repository.branches`,
:mod:`~muse_duckdb.repository.reading`, :mod:`~muse_duckdb.repository.merging`,
:mod:`~muse_duckdb.repository.staging`) each hold one and call only its
public methods.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TypeVar

from muse_duckdb.convert import RegionLayout, score_to_project
from muse_duckdb.diff.states import diff_states
from muse_duckdb.errors import DirtyWorkingTreeError, InvalidCommitError, RefNotFoundError
from muse_duckdb.history import refs
from muse_duckdb.model.commit import Commit
from muse_duckdb.project import ProjectState
from muse_duckdb.repository.results import Status
from muse_duckdb.storage.append import CommitFields, ensure_project, write_commit
from muse_duckdb.storage.batch import Batch, StoredSnapshot
from muse_duckdb.storage.commits import load_commit
from muse_duckdb.storage.database import Connection, Database, first_row, upsert
from muse_duckdb.storage.snapshots import load_snapshot
from storpheus.score import Score

Clock = Callable[[], int]
"""Returns the current time in microseconds since the Unix epoch (UTC)."""

StateLike = ProjectState | Score
K = TypeVar("K")
V = TypeVar("V")


def wall_clock() -> int:
    """The system time in microseconds (the default clock)."""
    return time.time_ns() // 1000


class ProjectContext:
    """One project in one database, with caches of what never changes.

    Parameters
    ----------
    database:
        Where the data lives.
    project_id:
        The project; one database holds any number.
    clock:
        Time source in microseconds (defaults to the wall clock).
    """

    def __init__(self, database: Database, project_id: str, clock: Clock | None = None) -> None:
        if not isinstance(project_id, str) or not project_id.strip():
            raise ValueError(f"project_id={project_id!r} must be non-empty text")
        self.database = database
        self.project_id = project_id
        self.clock: Clock = clock or wall_clock
        # Commits and snapshot manifests are immutable: cache them by id.
        self._commits: dict[str, Commit] = {}
        self._manifests: dict[str, StoredSnapshot] = {}
        self._pending: list[Commit | StoredSnapshot] | None = None

    def now(self, timestamp: datetime | float | None) -> int:
        """A commit time in microseconds: ``timestamp`` (aware datetime or POSIX s) or the clock."""
        if timestamp is None:
            return int(self.clock())
        if isinstance(timestamp, datetime):
            if timestamp.tzinfo is None:
                raise InvalidCommitError("timestamp", timestamp, "must be timezone-aware")
            return round(timestamp.timestamp() * 1_000_000)
        if isinstance(timestamp, bool) or not isinstance(timestamp, int | float):
            raise InvalidCommitError("timestamp", timestamp, "must be a datetime or POSIX seconds")
        return round(float(timestamp) * 1_000_000)

    @contextmanager
    def writing(self, operation: str) -> Iterator[Connection]:
        """A write transaction; what it caches is kept only if it commits."""
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

    def append(
        self,
        conn: Connection,
        state: ProjectState,
        parents: tuple[str, ...] | tuple[Commit, ...],
        fields: CommitFields,
        timestamp: datetime | float | None,
        batch: Batch | None = None,
        manifest: StoredSnapshot | None = None,
    ) -> tuple[Commit, StoredSnapshot]:
        """Write a commit of ``state`` on ``parents`` (through ``batch`` if given, else now)."""
        now = self.now(timestamp)
        parent_commits = [p if isinstance(p, Commit) else self.commit(conn, p) for p in parents]
        if not parents:
            ensure_project(conn, self.project_id, now)
        if manifest is None and parent_commits:
            manifest = self.manifest(parent_commits[0].snapshot_id)
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

    def manifest(self, snapshot_id: str) -> StoredSnapshot | None:
        """The cached manifest of a snapshot, if this process wrote or read it lately."""
        return self._manifests.get(snapshot_id)

    def commit(self, conn: Connection, commit_id: str) -> Commit:
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

    def advance(
        self, conn: Connection, branch: str | None, commit: Commit, moves_head: bool
    ) -> None:
        """Point ``branch`` (or a detached HEAD) at ``commit``; move the working state along."""
        if branch is not None:
            refs.set_ref(conn, self.project_id, "branch", branch, commit.commit_id)
        elif moves_head:
            refs.write_head(conn, self.project_id, None, commit.commit_id)
        if moves_head:
            self.set_worktree(conn, commit.snapshot_id)

    def load(self, conn: Connection, commit_id: str | None) -> ProjectState:
        """The state of a commit (the empty state for ``None``)."""
        if commit_id is None:
            return ProjectState()
        return load_snapshot(conn, self.commit(conn, commit_id).snapshot_id)

    def state(self, value: str | StateLike) -> ProjectState:
        """A ref's state, or a given state (a score is lined up with HEAD's regions)."""
        if isinstance(value, ProjectState):
            return value
        with self.database.read() as conn:
            if isinstance(value, Score):
                head = refs.read_head(conn, self.project_id)
                return self.as_state(conn, value, None, head.commit_id)
            return self.load(conn, refs.resolve(conn, self.project_id, value))

    def as_state(
        self,
        conn: Connection,
        state: StateLike,
        layout: RegionLayout | None,
        like_commit: str | None,
    ) -> ProjectState:
        """``state`` as a :class:`ProjectState` (a score is cut like ``like_commit``'s regions)."""
        if isinstance(state, ProjectState):
            return state
        if isinstance(state, Score):
            like = self.load(conn, like_commit) if like_commit else None
            return score_to_project(state, layout, like=like)
        raise InvalidCommitError("state", type(state).__name__, "must be a ProjectState or Score")

    def set_worktree(self, conn: Connection, snapshot_id: str) -> None:
        """Record the snapshot the working state is at."""
        upsert(conn, "worktrees", {"project_id": self.project_id}, {"snapshot_id": snapshot_id})

    def worktree(self, conn: Connection) -> str | None:
        """The recorded working snapshot id, if any."""
        row = first_row(
            conn.execute(
                "SELECT snapshot_id FROM worktrees WHERE project_id = ?", [self.project_id]
            ).fetchall()
        )
        return None if row is None else str(row[0])

    def status(self, conn: Connection, head: refs.Head, working: ProjectState | None) -> Status:
        """The working state (given, else the recorded one) compared with HEAD."""
        head_state = self.load(conn, head.commit_id)
        if working is None:
            recorded = self.worktree(conn)
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

    def refuse_dirty(self, conn: Connection, head: refs.Head, working: StateLike | None) -> None:
        """Raise :class:`DirtyWorkingTreeError` if the working state differs from HEAD."""
        resolved = None
        if working is not None:
            resolved = self.as_state(conn, working, None, head.commit_id)
            if head.commit_id is None:
                return
        elif head.commit_id is None:
            return
        else:
            recorded = self.worktree(conn)
            commit = load_commit(conn, head.commit_id)
            if recorded is None or commit is None or recorded == commit.snapshot_id:
                return
        status = self.status(conn, head, resolved)
        if status.dirty:
            raise DirtyWorkingTreeError(head.commit_id, status.diff.changed_paths)


def _bounded_put(cache: dict[K, V], key: K, value: V, limit: int) -> None:
    cache[key] = value
    while len(cache) > limit:
        del cache[next(iter(cache))]
