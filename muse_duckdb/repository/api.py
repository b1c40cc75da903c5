"""The Muse repository: versioned composition history in one DuckDB file.

:class:`Repository` is the public API. It is a thin layer over the modules
that do the work (:mod:`~muse_duckdb.storage.snapshots`, :mod:`~muse_duckdb.history.refs`,
:mod:`~muse_duckdb.merge.three_way`, :mod:`~muse_duckdb.history.blame`...); every operation is
one transaction on a short-lived connection (see :mod:`muse_duckdb.storage.database`).

Example
-------
>>> from storpheus.notes import NoteArray
>>> from muse_duckdb import ProjectState, RegionState, Repository, TrackState
>>> repo = Repository.open(":memory:", "demo", clock=lambda: 1_700_000_000_000_000)
>>> piano = TrackState("piano", "Piano")
>>> v1 = ProjectState((piano,), (RegionState("piano/a", "piano", 0, 4,
...                   notes=NoteArray([60, 64, 67], 90, [0.0, 1.0, 2.0], 1.0)),))
>>> first = repo.commit(v1, "three notes", author="ada")
>>> repo.checkout(first.commit_id).state == v1
True
>>> [c.message for c in repo.log()]
['three notes']
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from muse_duckdb.convert import RegionLayout, project_to_score, score_to_project
from muse_duckdb.diff.states import ProjectDiff, diff_states
from muse_duckdb.errors import (
    InvalidCommitError,
    NoCommitsError,
    NothingToCommitError,
    RefExistsError,
    RefNotFoundError,
)
from muse_duckdb.history import refs
from muse_duckdb.history.blame import BlameResult, RegionVersion, blame, history
from muse_duckdb.history.graph import load_commit
from muse_duckdb.history.log import CommitLog, load_log
from muse_duckdb.history.wire import MuseLogGraphResponse, MuseLogNodeResponse
from muse_duckdb.merge.operations import MergingMixin
from muse_duckdb.model.changes import ChangeSet
from muse_duckdb.model.commit import Commit
from muse_duckdb.project import ProjectState
from muse_duckdb.repository.base import Clock, StateLike
from muse_duckdb.repository.results import CheckoutResult, Status
from muse_duckdb.storage.batch import Batch
from muse_duckdb.storage.commits import (
    CommitFields,
    PhraseSummary,
    ensure_project,
    load_phrases,
)
from muse_duckdb.storage.database import Connection, Database, first_row
from muse_duckdb.storage.integrity import IntegrityReport, check_integrity
from muse_duckdb.storage.snapshots import load_snapshot
from muse_duckdb.variations.staging import StagingMixin
from storpheus.score import Score


@dataclass(frozen=True)
class MuseLogGraph:
    """The commit DAG of a project, parents before children (see :meth:`to_response`)."""

    project_id: str
    head: str | None
    nodes: Sequence[Commit]

    def to_response(self) -> MuseLogGraphResponse:
        """The camelCase wire model of the reference (``GET /muse/log``)."""
        return MuseLogGraphResponse(
            projectId=self.project_id,
            head=self.head,
            nodes=[
                MuseLogNodeResponse(
                    id=c.commit_id,
                    parent=c.parent,
                    parent2=c.parent2,
                    isHead=c.commit_id == self.head,
                    timestamp=c.timestamp,
                    intent=c.message,
                    regions=list(c.affected_regions),
                    author=c.author,
                    variationId=c.variation_id,
                )
                for c in self.nodes
            ],
        )


@dataclass(frozen=True)
class PendingCommit:
    """One state to commit with :meth:`Repository.commit_many`."""

    state: StateLike
    message: str
    author: str = "muse"
    explanation: str | None = None
    metadata: Mapping[str, object] | None = None
    timestamp: datetime | float | None = None


class Repository(MergingMixin, StagingMixin):
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

    @classmethod
    def open(
        cls,
        target: str | os.PathLike[str] | Connection,
        project: str = "default",
        *,
        create: bool = True,
        read_only: bool = False,
        lock_timeout: float = 2.0,
        clock: Clock | None = None,
    ) -> Repository:
        """Open (or create) a repository; see :class:`~muse_duckdb.storage.database.Database`."""
        db = Database(target, read_only=read_only, create=create, lock_timeout=lock_timeout)
        return cls(db, project, clock)

    @contextmanager
    def session(self, *, write: bool = True) -> Iterator[Repository]:
        """Hold one connection for a batch of operations (other processes wait)."""
        with self.database.session(write=write):
            yield self

    def head(self) -> refs.Head:
        """Where HEAD points (branch and commit)."""
        with self.database.read() as conn:
            return refs.read_head(conn, self.project_id)

    def resolve(self, ref: str) -> str:
        """The full commit id a ref names (typed errors for unknown or ambiguous refs)."""
        with self.database.read() as conn:
            return refs.resolve(conn, self.project_id, ref)

    def branches(self) -> dict[str, str]:
        """Branch name -> tip commit id."""
        with self.database.read() as conn:
            return refs.list_refs(conn, self.project_id, "branch")

    def tags(self) -> dict[str, str]:
        """Tag name -> commit id (names may be namespaced, e.g. ``stage:mixed``)."""
        with self.database.read() as conn:
            return refs.list_refs(conn, self.project_id, "tag")

    def branch(self, name: str, start: str = "HEAD", *, force: bool = False) -> str:
        """Create (or with ``force`` move) a branch at ``start``; return its commit id."""
        return self._set_ref("branch", name, start, force)

    def tag(self, name: str, ref: str = "HEAD", *, force: bool = False) -> str:
        """Create (or with ``force`` move) a tag at ``ref``; return its commit id."""
        return self._set_ref("tag", name, ref, force)

    def delete_branch(self, name: str) -> None:
        """Delete a branch (not the one HEAD is on)."""
        with self._writing("delete a branch") as conn:
            if refs.ref_commit(conn, self.project_id, "branch", name) is None:
                raise RefNotFoundError(name, self.project_id, reason="no such branch")
            if refs.read_head(conn, self.project_id).branch == name:
                raise InvalidCommitError("branch", name, "is checked out; check out another first")
            refs.delete_ref(conn, self.project_id, "branch", name)

    def delete_tag(self, name: str) -> None:
        """Delete a tag."""
        with self._writing("delete a tag") as conn:
            if refs.ref_commit(conn, self.project_id, "tag", name) is None:
                raise RefNotFoundError(name, self.project_id, reason="no such tag")
            refs.delete_ref(conn, self.project_id, "tag", name)

    def _set_ref(self, kind: refs.RefKind, name: str, start: str, force: bool) -> str:
        refs.check_ref_name(name, kind)
        with self._writing(f"create a {kind}") as conn:
            target = refs.resolve(conn, self.project_id, start)
            existing = refs.ref_commit(conn, self.project_id, kind, name)
            if existing is not None and not force:
                raise RefExistsError(kind, name, existing)
            refs.set_ref(conn, self.project_id, kind, name, target)
            return target

    def projects(self) -> list[str]:
        """Every project id in the database."""
        with self.database.read() as conn:
            rows = conn.execute("SELECT project_id FROM projects ORDER BY project_id").fetchall()
        return [str(r[0]) for r in rows]

    def get_commit(self, ref: str = "HEAD") -> Commit:
        """The commit a ref names."""
        with self.database.read() as conn:
            commit = load_commit(conn, refs.resolve(conn, self.project_id, ref))
        assert commit is not None
        return commit

    def snapshot(self, ref: str = "HEAD") -> ProjectState:
        """The project state at a ref (HEAD does not move)."""
        with self.database.read() as conn:
            commit = load_commit(conn, refs.resolve(conn, self.project_id, ref))
            assert commit is not None
            return load_snapshot(conn, commit.snapshot_id)

    def score(self, ref: str = "HEAD") -> Score:
        """The project state at a ref as a :class:`~storpheus.score.Score`."""
        return project_to_score(self.snapshot(ref))

    def phrases(self, ref: str = "HEAD") -> list[PhraseSummary]:
        """Phrase summaries recorded with a commit (from the variation it accepted)."""
        with self.database.read() as conn:
            return load_phrases(conn, refs.resolve(conn, self.project_id, ref))

    def log(self, ref: str = "HEAD", *, limit: int | None = None) -> CommitLog:
        """Commits reachable from ``ref``, newest first (empty for a project with no commits).

        The result is a ``Sequence[Commit]`` backed by columns; use
        ``.to_pandas()`` for a DataFrame of every field.
        """
        with self.database.read() as conn:
            try:
                start = refs.resolve(conn, self.project_id, ref)
            except NoCommitsError:
                return load_log(conn, self.project_id, "")
            log = load_log(conn, self.project_id, start)
        return log if limit is None else log[:limit]

    def log_graph(self) -> MuseLogGraph:
        """Every commit of the project, parents before children, with HEAD."""
        with self.database.read() as conn:
            log = load_log(conn, self.project_id, None)
            head = refs.read_head(conn, self.project_id).commit_id
        return MuseLogGraph(self.project_id, head, log[::-1])

    def diff(self, a: str | StateLike = "HEAD~1", b: str | StateLike = "HEAD") -> ProjectDiff:
        """Per-region differences from ``a`` to ``b`` (refs or states)."""
        return diff_states(self._state(a), self._state(b))

    def blame(self, target: str, at: str = "HEAD") -> BlameResult:
        """For every note of a region / track / section: the commit that introduced it."""
        with self.database.read() as conn:
            return blame(conn, self.project_id, refs.resolve(conn, self.project_id, at), target)

    def history(self, name: str, at: str = "HEAD") -> list[RegionVersion]:
        """Every version of a region, track or section (by name), oldest first."""
        with self.database.read() as conn:
            return history(conn, self.project_id, refs.resolve(conn, self.project_id, at), name)

    def check_integrity(self, *, deep: bool = False) -> IntegrityReport:
        """Check that every referenced object exists (``deep``: and every id matches)."""
        with self.database.read() as conn:
            return check_integrity(conn, deep=deep)

    def checkpoint(self) -> None:
        """Fold the write-ahead log into the database file (before copying the file alone)."""
        self.database.checkpoint()

    def commit(
        self,
        state: StateLike,
        message: str,
        *,
        author: str = "muse",
        explanation: str | None = None,
        variation_id: str | None = None,
        accepted_phrase_ids: Sequence[str] = (),
        phrases: Sequence[PhraseSummary] = (),
        metadata: Mapping[str, object] | None = None,
        changeset: ChangeSet | None = None,
        layout: RegionLayout | None = None,
        branch: str | None = None,
        timestamp: datetime | float | None = None,
        allow_empty: bool = False,
        orphan: bool = False,
    ) -> Commit:
        """Record ``state`` as a new commit on HEAD (or on ``branch``) and advance it.

        A :class:`~storpheus.score.Score` is cut into regions first
        (:func:`~muse_duckdb.convert.score_to_project` with ``layout``,
        lined up with HEAD's regions). ``author`` is a person, ``"agent:<role>"``
        or ``"muse"``; ``metadata`` holds provenance such as seed, plan hash,
        scorer id and run id.

        ``orphan=True`` starts a new root commit (no parent) on ``branch``,
        like ``git checkout --orphan``; the branch must not exist yet.

        Raises
        ------
        NothingToCommitError
            The state equals the parent's and ``allow_empty`` is false.
        """
        fields = CommitFields.build(
            message,
            author=author,
            explanation=explanation,
            variation_id=variation_id,
            accepted_phrase_ids=accepted_phrase_ids,
            changeset_json=None if changeset is None else changeset.to_json(),
            metadata=metadata,
            phrases=phrases,
        )
        if branch is not None:
            refs.check_ref_name(branch, "branch")
        with self._writing("commit") as conn:
            head = refs.read_head(conn, self.project_id)
            on = branch if branch is not None else head.branch
            parent = head.commit_id
            if branch is not None and branch != head.branch:
                parent = refs.ref_commit(conn, self.project_id, "branch", branch) or parent
            if orphan:
                if branch is None:
                    raise InvalidCommitError("branch", None, "an orphan commit needs a new branch")
                existing = refs.ref_commit(conn, self.project_id, "branch", branch)
                if existing is not None:
                    raise RefExistsError("branch", branch, existing)
                parent = None
            resolved = self._as_state(conn, state, layout, parent)
            if parent is not None and not allow_empty and changeset is None:
                previous = self._commit(conn, parent)
                if previous.snapshot_id == resolved.snapshot_id:
                    raise NothingToCommitError(resolved.snapshot_id, parent)
            commit, _ = self._append(conn, resolved, (parent,) if parent else (), fields, timestamp)
            self._advance(conn, on, commit, moves_head=on == head.branch)
            return commit

    def commit_many(
        self,
        items: Iterable[PendingCommit],
        *,
        layout: RegionLayout | None = None,
        skip_unchanged: bool = True,
        progress: Callable[[Commit | None], None] | None = None,
        flush_every: int = 256,
    ) -> list[Commit]:
        """Commit a sequence of states on HEAD, each on top of the previous, in one transaction.

        The bulk path of imports: rows are buffered and inserted a few
        hundred commits at a time, and nothing is visible until all succeed.
        States equal to their parent are skipped when ``skip_unchanged``.
        ``progress`` is called once per item (with ``None`` for a skipped one).
        """
        created: list[Commit] = []
        with self._writing("commit") as conn:
            head = refs.read_head(conn, self.project_id)
            parent = self._commit(conn, head.commit_id) if head.commit_id else None
            previous = self._load(conn, head.commit_id) if head.commit_id else None
            manifest = self._manifests.get(parent.snapshot_id) if parent else None
            batch = Batch(conn, preload=True)
            for item in items:
                state = item.state
                if isinstance(state, Score):
                    state = score_to_project(state, layout, like=previous)
                if (
                    skip_unchanged
                    and parent is not None
                    and parent.snapshot_id == state.snapshot_id
                ):
                    if progress is not None:
                        progress(None)
                    continue
                fields = CommitFields.build(
                    item.message,
                    author=item.author,
                    explanation=item.explanation,
                    metadata=item.metadata,
                )
                parents = (parent,) if parent is not None else ()
                parent, manifest = self._append(
                    conn, state, parents, fields, item.timestamp, batch, manifest
                )
                previous = state
                created.append(parent)
                if batch.pending_commits >= flush_every:
                    batch.flush()
                if progress is not None:
                    progress(parent)
            batch.flush()
            if parent is not None and created:
                self._advance(conn, head.branch, parent, moves_head=True)
        return created

    def checkout(
        self,
        ref: str,
        *,
        force: bool = False,
        working: StateLike | None = None,
        create_branch: str | None = None,
    ) -> CheckoutResult:
        """Move HEAD to ``ref`` and return the full project state there.

        A branch name attaches HEAD to the branch; anything else detaches it.
        ``create_branch`` creates a new branch at ``ref`` and attaches HEAD
        to it. Refuses (:class:`~muse_duckdb.errors.DirtyWorkingTreeError`)
        when the working state (``working``, else the one last recorded by
        :meth:`sync_working`) differs from HEAD, unless ``force``.
        """
        if create_branch is not None:
            refs.check_ref_name(create_branch, "branch")
        with self._writing("checkout") as conn:
            located = refs.locate(conn, self.project_id, ref)
            target, head = located.commit_id, located.head
            if not force:
                self._refuse_dirty(conn, head, working)
            commit = self._commit(conn, target)
            state = load_snapshot(conn, commit.snapshot_id)
            branch = located.branch
            if create_branch is not None:
                existing = refs.ref_commit(conn, self.project_id, "branch", create_branch)
                if existing is not None:
                    raise RefExistsError("branch", create_branch, existing)
                refs.set_ref(conn, self.project_id, "branch", create_branch, target)
                branch = create_branch
            refs.write_head(conn, self.project_id, branch, target)
            self._set_worktree(conn, commit.snapshot_id)
            return CheckoutResult(commit, state, branch, head.commit_id)

    def sync_working(self, state: StateLike) -> Status:
        """Record the working state (what the DAW or notebook holds now); return its status."""
        with self._writing("record the working state") as conn:
            head = refs.read_head(conn, self.project_id)
            resolved = self._as_state(conn, state, None, head.commit_id)
            batch = Batch(conn)
            batch.add_snapshot(resolved, None)
            batch.flush()
            self._set_worktree(conn, resolved.snapshot_id)
            return self._status(conn, head, resolved)

    def status(self, working: StateLike | None = None) -> Status:
        """Compare a working state (default: the last recorded one) with HEAD."""
        with self.database.read() as conn:
            head = refs.read_head(conn, self.project_id)
            resolved = None
            if working is not None:
                resolved = self._as_state(conn, working, None, head.commit_id)
            return self._status(conn, head, resolved)


def init(
    target: str | os.PathLike[str],
    project: str = "default",
    *,
    branch: str = refs.DEFAULT_BRANCH,
    clock: Clock | None = None,
) -> Repository:
    """Create a repository file (or a new project in an existing one) with HEAD on ``branch``."""
    refs.check_ref_name(branch, "branch")
    repo = Repository.open(
        Path(target) if not isinstance(target, str) else target, project, clock=clock
    )
    with repo.database.write("initialise the project") as conn:
        head = first_row(
            conn.execute(
                "SELECT branch, commit_id FROM heads WHERE project_id = ?", [project]
            ).fetchall()
        )
        if head is None:
            refs.write_head(conn, project, branch, None)
        ensure_project(conn, project, repo.clock())
    return repo
