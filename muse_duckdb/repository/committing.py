"""Recording states and moving HEAD: the commit service of a repository.

``commit`` and ``commit_many`` append commits; ``checkout`` moves HEAD and
returns the state there; ``sync_working`` and ``status`` record and compare
the working state (what a DAW or notebook holds now) with HEAD.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from muse_duckdb.convert import RegionLayout, score_to_project
from muse_duckdb.errors import InvalidCommitError, NothingToCommitError, RefExistsError
from muse_duckdb.history import refs
from muse_duckdb.model.commit import Commit
from muse_duckdb.repository.context import ProjectContext, StateLike
from muse_duckdb.repository.results import CheckoutResult, Status
from muse_duckdb.storage.append import CommitFields, PhraseSummary
from muse_duckdb.storage.batch import Batch
from muse_duckdb.storage.snapshots import load_snapshot
from muse_duckdb.variations.changes import ChangeSet
from storpheus.score import Score


@dataclass(frozen=True)
class PendingCommit:
    """One state to commit with :meth:`~muse_duckdb.Repository.commit_many`."""

    state: StateLike
    message: str
    author: str = "muse"
    explanation: str | None = None
    metadata: Mapping[str, object] | None = None
    timestamp: datetime | float | None = None


class CommitService:
    """Commits, checkout and the working state (see :class:`~muse_duckdb.Repository`)."""

    def __init__(self, context: ProjectContext) -> None:
        self.context = context

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
        with self.context.writing("commit") as conn:
            head = refs.read_head(conn, self.context.project_id)
            on = branch if branch is not None else head.branch
            parent = head.commit_id
            if branch is not None and branch != head.branch:
                parent = refs.ref_commit(conn, self.context.project_id, "branch", branch) or parent
            if orphan:
                if branch is None:
                    raise InvalidCommitError("branch", None, "an orphan commit needs a new branch")
                existing = refs.ref_commit(conn, self.context.project_id, "branch", branch)
                if existing is not None:
                    raise RefExistsError("branch", branch, existing)
                parent = None
            resolved = self.context.as_state(conn, state, layout, parent)
            if parent is not None and not allow_empty and changeset is None:
                previous = self.context.commit(conn, parent)
                if previous.snapshot_id == resolved.snapshot_id:
                    raise NothingToCommitError(resolved.snapshot_id, parent)
            commit, _ = self.context.append(
                conn, resolved, (parent,) if parent else (), fields, timestamp
            )
            self.context.advance(conn, on, commit, moves_head=on == head.branch)
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
        with self.context.writing("commit") as conn:
            head = refs.read_head(conn, self.context.project_id)
            parent = self.context.commit(conn, head.commit_id) if head.commit_id else None
            previous = self.context.load(conn, head.commit_id) if head.commit_id else None
            manifest = self.context.manifest(parent.snapshot_id) if parent else None
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
                parent, manifest = self.context.append(
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
                self.context.advance(conn, head.branch, parent, moves_head=True)
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
        with self.context.writing("checkout") as conn:
            located = refs.locate(conn, self.context.project_id, ref)
            target, head = located.commit_id, located.head
            if not force:
                self.context.refuse_dirty(conn, head, working)
            commit = self.context.commit(conn, target)
            state = load_snapshot(conn, commit.snapshot_id)
            branch = located.branch
            if create_branch is not None:
                existing = refs.ref_commit(conn, self.context.project_id, "branch", create_branch)
                if existing is not None:
                    raise RefExistsError("branch", create_branch, existing)
                refs.set_ref(conn, self.context.project_id, "branch", create_branch, target)
                branch = create_branch
            refs.write_head(conn, self.context.project_id, branch, target)
            self.context.set_worktree(conn, commit.snapshot_id)
            return CheckoutResult(commit, state, branch, head.commit_id)

    def sync_working(self, state: StateLike) -> Status:
        """Record the working state (what the DAW or notebook holds now); return its status."""
        with self.context.writing("record the working state") as conn:
            head = refs.read_head(conn, self.context.project_id)
            resolved = self.context.as_state(conn, state, None, head.commit_id)
            batch = Batch(conn)
            batch.add_snapshot(resolved, None)
            batch.flush()
            self.context.set_worktree(conn, resolved.snapshot_id)
            return self.context.status(conn, head, resolved)

    def status(self, working: StateLike | None = None) -> Status:
        """Compare a working state (default: the last recorded one) with HEAD."""
        with self.context.database.read() as conn:
            head = refs.read_head(conn, self.context.project_id)
            resolved = None
            if working is not None:
                resolved = self.context.as_state(conn, working, None, head.commit_id)
            return self.context.status(conn, head, resolved)
