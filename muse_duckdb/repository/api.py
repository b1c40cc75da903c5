"""The Muse repository: versioned composition history in one DuckDB file.

:class:`Repository` is the public API: a facade over small services that
share one :class:`~muse_duckdb.repository.context.ProjectContext` (the
database, the project, the clock and the caches) -
:class:`~muse_duckdb.repository.reading.ReadService` (log, diff, blame...),
:class:`~muse_duckdb.repository.committing.CommitService` (commit, checkout,
status), :class:`~muse_duckdb.repository.branches.RefService` (branches and
tags), :class:`~muse_duckdb.repository.merging.MergeService` (merge, revert,
cherry-pick) and :class:`~muse_duckdb.repository.staging.StagingService`
(variations and change sets). Every operation is one transaction on a
short-lived connection (see :mod:`muse_duckdb.storage.database`).

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
from datetime import datetime
from pathlib import Path
from typing import Self

from muse_duckdb.convert import RegionLayout
from muse_duckdb.diff.states import ProjectDiff
from muse_duckdb.history import refs
from muse_duckdb.history.blame import BlameResult, RegionVersion
from muse_duckdb.history.log import CommitLog
from muse_duckdb.merge.conflicts import Strategy
from muse_duckdb.model.commit import Commit
from muse_duckdb.project import ProjectState
from muse_duckdb.repository.branches import RefService
from muse_duckdb.repository.committing import CommitService, PendingCommit
from muse_duckdb.repository.context import Clock, ProjectContext, StateLike
from muse_duckdb.repository.merging import MergeService
from muse_duckdb.repository.reading import MuseLogGraph, ReadService
from muse_duckdb.repository.results import CheckoutResult, MergeOutcome, Status
from muse_duckdb.repository.saved import SavedVariations
from muse_duckdb.repository.staging import StagingService
from muse_duckdb.storage.append import PhraseSummary, ensure_project
from muse_duckdb.storage.database import Connection, Database, first_row
from muse_duckdb.storage.integrity import IntegrityReport
from muse_duckdb.variations.candidate import CommitCandidate
from muse_duckdb.variations.changes import ChangeSet
from muse_duckdb.variations.model import Variation, VariationStore
from storpheus.score import Score

__all__ = ["MuseLogGraph", "PendingCommit", "Repository", "init"]


class Repository:
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
        self.context = ProjectContext(database, project_id, clock)
        self._reads = ReadService(self.context)
        self._commits = CommitService(self.context)
        self._refs = RefService(self.context)
        self._merges = MergeService(self.context)
        self._staging = StagingService(self.context)
        self._saved = SavedVariations(self.context, self._staging)

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

    @property
    def database(self) -> Database:
        """Where the data lives."""
        return self.context.database

    @property
    def project_id(self) -> str:
        """The project this repository versions."""
        return self.context.project_id

    @property
    def clock(self) -> Clock:
        """The time source (microseconds since the Unix epoch)."""
        return self.context.clock

    @property
    def path(self) -> str:
        """The database file (or ``":memory:"``)."""
        return self.context.database.path

    def close(self) -> None:
        """Release an in-memory database."""
        self.context.database.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Repository({self.path!r}, project={self.project_id!r})"

    @contextmanager
    def session(self, *, write: bool = True) -> Iterator[Repository]:
        """Hold one connection for a batch of operations (other processes wait)."""
        with self.context.database.session(write=write):
            yield self

    @property
    def saved_variations(self) -> SavedVariations:
        """Variations kept in the database between processes (``muse variations``)."""
        return self._saved

    @property
    def variations(self) -> VariationStore:
        """The staging area: variations proposed against HEAD (in memory)."""
        return self._staging.variations

    def head(self) -> refs.Head:
        """Where HEAD points (branch and commit)."""
        return self._reads.head()

    def resolve(self, ref: str) -> str:
        """The full commit id a ref names (typed errors for unknown or ambiguous refs)."""
        return self._reads.resolve(ref)

    def branches(self) -> dict[str, str]:
        """Branch name -> tip commit id."""
        return self._reads.branches()

    def tags(self) -> dict[str, str]:
        """Tag name -> commit id (names may be namespaced, e.g. ``stage:mixed``)."""
        return self._reads.tags()

    def branch(self, name: str, start: str = "HEAD", *, force: bool = False) -> str:
        """Create (or with ``force`` move) a branch at ``start``; return its commit id."""
        return self._refs.set("branch", name, start, force)

    def tag(self, name: str, ref: str = "HEAD", *, force: bool = False) -> str:
        """Create (or with ``force`` move) a tag at ``ref``; return its commit id."""
        return self._refs.set("tag", name, ref, force)

    def delete_branch(self, name: str, *, force: bool = False) -> None:
        """Delete a branch (not the one HEAD is on).

        Refuses (:class:`~muse_duckdb.errors.BranchNotMergedError`) when some of
        its commits are reachable from no other branch, tag or HEAD, unless
        ``force`` (as ``git branch -d`` / ``-D``).
        """
        return self._refs.delete_branch(name, force=force)

    def delete_tag(self, name: str) -> None:
        """Delete a tag."""
        return self._refs.delete_tag(name)

    def projects(self) -> list[str]:
        """Every project id in the database: this repository's own first, then the rest by id."""
        return self._reads.projects()

    def get_commit(self, ref: str = "HEAD") -> Commit:
        """The commit a ref names."""
        return self._reads.get_commit(ref)

    def snapshot(self, ref: str = "HEAD") -> ProjectState:
        """The project state at a ref (HEAD does not move)."""
        return self._reads.snapshot(ref)

    def score(self, ref: str = "HEAD") -> Score:
        """The project state at a ref as a :class:`~storpheus.score.Score`."""
        return self._reads.score(ref)

    def phrases(self, ref: str = "HEAD") -> list[PhraseSummary]:
        """Phrase summaries recorded with a commit (from the variation it accepted)."""
        return self._reads.phrases(ref)

    def log(self, ref: str = "HEAD", *, limit: int | None = None) -> CommitLog:
        """Commits reachable from ``ref``, newest first (empty for a project with no commits).

        The result is a ``Sequence[Commit]`` backed by columns; use
        ``.to_pandas()`` for a DataFrame of every field.
        """
        return self._reads.log(ref, limit=limit)

    def log_graph(self) -> MuseLogGraph:
        """Every commit of the project, parents before children, with HEAD."""
        return self._reads.log_graph()

    def diff(self, a: str | StateLike = "HEAD~1", b: str | StateLike = "HEAD") -> ProjectDiff:
        """Per-region differences from ``a`` to ``b`` (refs or states)."""
        return self._reads.diff(a, b)

    def blame(self, target: str, at: str = "HEAD") -> BlameResult:
        """For every note of a region / track / section: the commit that introduced it."""
        return self._reads.blame(target, at)

    def history(self, name: str, at: str = "HEAD") -> list[RegionVersion]:
        """Every version of a region, track or section (by name), oldest first."""
        return self._reads.history(name, at)

    def check_integrity(self, *, deep: bool = False) -> IntegrityReport:
        """Check that every referenced object exists (``deep``: and every id matches)."""
        return self._reads.check_integrity(deep=deep)

    def checkpoint(self) -> None:
        """Fold the write-ahead log into the database file (before copying the file alone)."""
        return self._reads.checkpoint()

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
        return self._commits.commit(
            state,
            message,
            author=author,
            explanation=explanation,
            variation_id=variation_id,
            accepted_phrase_ids=accepted_phrase_ids,
            phrases=phrases,
            metadata=metadata,
            changeset=changeset,
            layout=layout,
            branch=branch,
            timestamp=timestamp,
            allow_empty=allow_empty,
            orphan=orphan,
        )

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
        return self._commits.commit_many(
            items,
            layout=layout,
            skip_unchanged=skip_unchanged,
            progress=progress,
            flush_every=flush_every,
        )

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
        return self._commits.checkout(
            ref, force=force, working=working, create_branch=create_branch
        )

    def sync_working(self, state: StateLike) -> Status:
        """Record the working state (what the DAW or notebook holds now); return its status."""
        return self._commits.sync_working(state)

    def status(self, working: StateLike | None = None) -> Status:
        """Compare a working state (default: the last recorded one) with HEAD."""
        return self._commits.status(working)

    def propose(
        self,
        proposed: StateLike,
        intent: str,
        *,
        explanation: str | None = None,
        phrase_bars: int | None = None,
    ) -> Variation:
        """Stage the difference between HEAD and ``proposed`` as a READY variation of phrases."""
        return self._staging.propose(
            proposed, intent, explanation=explanation, phrase_bars=phrase_bars
        )

    def commit_variation(
        self,
        variation_id: str,
        accepted_phrase_ids: Sequence[str] | None = None,
        *,
        author: str = "muse",
        metadata: Mapping[str, object] | None = None,
        base: ProjectState | None = None,
    ) -> Commit:
        """Accept a READY variation: apply its structural changes and accepted phrases to HEAD.

        ``accepted_phrase_ids=None`` accepts every phrase; a subset is a
        partial acceptance. The commit records the variation id, the accepted
        phrase ids and a summary of every phrase (accepted or not). Same as
        ``record(prepare_variation(...))``; ``base`` as there.

        Raises
        ------
        StaleBaseError
            HEAD moved since the variation was proposed (optimistic concurrency).
        VariationStateError
            The variation is not READY.
        PhraseNotFoundError
            An accepted id names no phrase of the variation.
        """
        return self._staging.commit_variation(
            variation_id, accepted_phrase_ids, author=author, metadata=metadata, base=base
        )

    def prepare_variation(
        self,
        variation_id: str,
        accepted_phrase_ids: Sequence[str] | None = None,
        *,
        author: str = "muse",
        metadata: Mapping[str, object] | None = None,
        base: ProjectState | None = None,
    ) -> CommitCandidate:
        """The commit candidate of accepting a READY variation (nothing is written).

        ``base`` is the state of the variation's base commit if the caller
        holds it (used when its snapshot id is that commit's, saving reading
        the state back); otherwise it is loaded.
        """
        return self._staging.prepare_variation(
            variation_id, accepted_phrase_ids, author=author, metadata=metadata, base=base
        )

    def prepare_changes(
        self,
        changeset: ChangeSet,
        *,
        author: str = "muse",
        message: str | None = None,
        metadata: Mapping[str, object] | None = None,
    ) -> CommitCandidate:
        """The commit candidate of applying a structural change set to HEAD."""
        return self._staging.prepare_changes(
            changeset, author=author, message=message, metadata=metadata
        )

    def record(self, candidate: CommitCandidate) -> Commit:
        """Persist a commit candidate on HEAD (one transaction).

        Raises
        ------
        StaleBaseError
            HEAD is no longer the candidate's parent.
        """
        return self._staging.record(candidate)

    def discard_variation(self, variation_id: str) -> None:
        """Discard a variation (idempotent)."""
        return self._staging.discard_variation(variation_id)

    def apply(
        self,
        changeset: ChangeSet,
        *,
        author: str = "muse",
        message: str | None = None,
        metadata: Mapping[str, object] | None = None,
    ) -> Commit:
        """Apply a structural change set to HEAD and auto-commit it (no review)."""
        return self._staging.apply(changeset, author=author, message=message, metadata=metadata)

    def merge(
        self,
        ours: str,
        theirs: str,
        *,
        strategy: Strategy | None = None,
        message: str | None = None,
        author: str = "muse",
        fast_forward: bool = True,
        force: bool = False,
        metadata: Mapping[str, object] | None = None,
    ) -> MergeOutcome:
        """Three-way, note-level merge of ``theirs`` into ``ours``.

        The result is a merge commit with parents ``(ours, theirs)``; if
        ``ours`` is a branch (or ``HEAD``) it advances. A fast-forward moves
        the ref instead when ``ours`` is an ancestor of ``theirs``.

        Raises
        ------
        MergeConflictError
            Conflicts and no ``strategy``; every conflict is listed with its
            location and nothing is committed.
        UnrelatedHistoriesError
            The two commits share no ancestor.
        """
        return self._merges.merge(
            ours,
            theirs,
            strategy=strategy,
            message=message,
            author=author,
            fast_forward=fast_forward,
            force=force,
            metadata=metadata,
        )

    def revert(
        self,
        ref: str,
        *,
        author: str = "muse",
        message: str | None = None,
        strategy: Strategy | None = None,
    ) -> Commit:
        """A new commit on HEAD undoing the changes ``ref`` made (three-way, note level)."""
        return self._merges.revert(ref, author=author, message=message, strategy=strategy)

    def cherry_pick(
        self,
        ref: str,
        *,
        author: str | None = None,
        message: str | None = None,
        strategy: Strategy | None = None,
    ) -> Commit:
        """A new commit on HEAD applying the changes ``ref`` made (three-way, note level)."""
        return self._merges.cherry_pick(ref, author=author, message=message, strategy=strategy)


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
