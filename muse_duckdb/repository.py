"""The Muse repository: versioned composition history in one DuckDB file.

:class:`Repository` is the public API. It is a thin layer over the modules
that do the work (:mod:`~muse_duckdb.store`, :mod:`~muse_duckdb.refs`,
:mod:`~muse_duckdb.merge`, :mod:`~muse_duckdb.blame`...); every operation is
one transaction on a short-lived connection (see :mod:`muse_duckdb.database`).

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
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from muse_duckdb import refs
from muse_duckdb.blame import BlameResult, RegionVersion, blame, history
from muse_duckdb.candidate import CommitCandidate
from muse_duckdb.changes import ChangeSet
from muse_duckdb.commit import Commit
from muse_duckdb.conflicts import Strategy
from muse_duckdb.convert import RegionLayout, project_to_score, score_to_project
from muse_duckdb.database import Connection, Database, first_row, upsert
from muse_duckdb.diff import ProjectDiff, diff_states
from muse_duckdb.errors import (
    DirtyWorkingTreeError,
    InvalidCommitError,
    MergeConflictError,
    NoCommitsError,
    NothingToCommitError,
    RefExistsError,
    RefNotFoundError,
    StaleBaseError,
    UnrelatedHistoriesError,
    VariationStateError,
)
from muse_duckdb.graph import CommitGraph, load_commit
from muse_duckdb.integrity import IntegrityReport, check_integrity
from muse_duckdb.ledger import (
    CommitFields,
    PhraseSummary,
    ensure_project,
    load_phrases,
    write_commit,
)
from muse_duckdb.log import CommitLog, load_log
from muse_duckdb.merge import merge_states
from muse_duckdb.project import ProjectState
from muse_duckdb.results import CheckoutResult, MergeOutcome, Status
from muse_duckdb.store import load_snapshot
from muse_duckdb.wire import MuseLogGraphResponse, MuseLogNodeResponse
from muse_duckdb.writer import Batch, StoredSnapshot
from storpheus.score import Score

if TYPE_CHECKING:
    from muse_duckdb.variations import Variation, VariationStore

Clock = Callable[[], int]
"""Returns the current time in microseconds since the Unix epoch (UTC)."""

StateLike = ProjectState | Score
K = TypeVar("K")
V = TypeVar("V")


def wall_clock() -> int:
    """The system time in microseconds (the default clock)."""
    return time.time_ns() // 1000


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


class Repository:
    """Version control for one project in a Muse database.

    Open one with :meth:`open` (a path, ``":memory:"`` or a DuckDB
    connection). Refs are branch names, tag names, ``HEAD``, commit ids or
    unique prefixes, with ``~N`` / ``^N`` suffixes (:mod:`muse_duckdb.refs`).

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
        """Open (or create) a repository; see :class:`~muse_duckdb.database.Database`."""
        db = Database(target, read_only=read_only, create=create, lock_timeout=lock_timeout)
        return cls(db, project, clock)

    @property
    def path(self) -> str:
        """The database file (or ``":memory:"``)."""
        return self.database.path

    @contextmanager
    def session(self, *, write: bool = True) -> Iterator[Repository]:
        """Hold one connection for a batch of operations (other processes wait)."""
        with self.database.session(write=write):
            yield self

    def close(self) -> None:
        """Release an in-memory database."""
        self.database.close()

    def __enter__(self) -> Repository:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Repository({self.path!r}, project={self.project_id!r})"

    # ----------------------------------------------------------------- refs
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

    # -------------------------------------------------------------- reading
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

    # -------------------------------------------------------------- writing
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
            target = refs.resolve(conn, self.project_id, ref)
            head = refs.read_head(conn, self.project_id)
            if not force:
                self._refuse_dirty(conn, head, working)
            commit = load_commit(conn, target)
            assert commit is not None
            state = load_snapshot(conn, commit.snapshot_id)
            branch: str | None = None
            if create_branch is not None:
                if refs.ref_commit(conn, self.project_id, "branch", create_branch) is not None:
                    existing = refs.ref_commit(conn, self.project_id, "branch", create_branch)
                    raise RefExistsError("branch", create_branch, existing or "")
                refs.set_ref(conn, self.project_id, "branch", create_branch, target)
                branch = create_branch
            elif refs.ref_commit(conn, self.project_id, "branch", ref) is not None:
                branch = ref
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
        with self._writing("merge") as conn:
            ours_id = refs.resolve(conn, self.project_id, ours)
            theirs_id = refs.resolve(conn, self.project_id, theirs)
            head = refs.read_head(conn, self.project_id)
            target_branch, moves_head = self._merge_target(conn, ours, head, ours_id)
            if moves_head and not force:
                self._refuse_dirty(conn, head, None)
            graph = CommitGraph.load(conn, self.project_id)
            if graph.is_ancestor(theirs_id, ours_id):
                commit = load_commit(conn, ours_id)
                assert commit is not None
                return MergeOutcome("up_to_date", commit, ours_id, theirs_id, theirs_id)
            base_id = graph.merge_base(ours_id, theirs_id)
            if base_id is None:
                raise UnrelatedHistoriesError(ours_id, theirs_id)
            if fast_forward and base_id == ours_id:
                commit = load_commit(conn, theirs_id)
                assert commit is not None
                moved = self._move(conn, target_branch, commit, moves_head)
                return MergeOutcome(
                    "fast_forward", commit, ours_id, theirs_id, base_id, None, (), moved
                )
            states = [self._load(conn, c) for c in (base_id, ours_id, theirs_id)]
            result = merge_states(*states, strategy=strategy)
            if result.state is None:
                raise MergeConflictError(result.conflicts, ours_id, theirs_id, base_id)
            info = {"base": base_id, "strategy": strategy, "conflicts": len(result.conflicts)}
            into = target_branch if ours == refs.HEAD and target_branch else ours
            fields = CommitFields.build(
                message or f"Merge {theirs} into {into}",
                author=author,
                metadata={**(metadata or {}), "merge": info},
            )
            commit, _ = self._append(conn, result.state, (ours_id, theirs_id), fields, None)
            moved = self._move(conn, target_branch, commit, moves_head)
            return MergeOutcome(
                "merged", commit, ours_id, theirs_id, base_id, strategy, result.conflicts, moved
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
        return self._replay(ref, author, message, strategy, revert=True)

    def cherry_pick(
        self,
        ref: str,
        *,
        author: str | None = None,
        message: str | None = None,
        strategy: Strategy | None = None,
    ) -> Commit:
        """A new commit on HEAD applying the changes ``ref`` made (three-way, note level)."""
        return self._replay(ref, author, message, strategy, revert=False)

    # ------------------------------------------------- variations / changes
    @property
    def variations(self) -> VariationStore:
        """The staging area: variations proposed against HEAD (in memory)."""
        if self._variations is None:
            from muse_duckdb.variations import VariationStore

            self._variations = VariationStore(clock=self.clock)
        return self._variations

    def propose(
        self,
        proposed: StateLike,
        intent: str,
        *,
        explanation: str | None = None,
        phrase_bars: int | None = None,
    ) -> Variation:
        """Stage the difference between HEAD and ``proposed`` as a READY variation of phrases."""
        from muse_duckdb.variations import variation_from_states

        with self.database.read() as conn:
            head = refs.read_head(conn, self.project_id)
            base = self._load(conn, head.commit_id) if head.commit_id else ProjectState()
            target = self._as_state(conn, proposed, None, head.commit_id)
        return variation_from_states(
            self.variations, base, target, intent, head.commit_id, explanation, phrase_bars
        )

    def commit_variation(
        self,
        variation_id: str,
        accepted_phrase_ids: Sequence[str] | None = None,
        *,
        author: str = "muse",
        metadata: Mapping[str, object] | None = None,
    ) -> Commit:
        """Accept a READY variation: apply its structural changes and accepted phrases to HEAD.

        ``accepted_phrase_ids=None`` accepts every phrase; a subset is a
        partial acceptance. The commit records the variation id, the accepted
        phrase ids and a summary of every phrase (accepted or not). Same as
        ``record(prepare_variation(...))``.

        Raises
        ------
        StaleBaseError
            HEAD moved since the variation was proposed (optimistic concurrency).
        VariationStateError
            The variation is not READY.
        PhraseNotFoundError
            An accepted id names no phrase of the variation.
        """
        candidate = self.prepare_variation(
            variation_id, accepted_phrase_ids, author=author, metadata=metadata
        )
        return self.record(candidate)

    def prepare_variation(
        self,
        variation_id: str,
        accepted_phrase_ids: Sequence[str] | None = None,
        *,
        author: str = "muse",
        metadata: Mapping[str, object] | None = None,
    ) -> CommitCandidate:
        """The commit candidate of accepting a READY variation (nothing is written)."""
        from muse_duckdb.variations import VariationState, accepted_phrases, apply_phrases

        v = self.variations.get(variation_id)
        if v.state is not VariationState.READY:
            raise VariationStateError(variation_id, v.state.value, "commit", "ready")
        chosen = accepted_phrases(v, accepted_phrase_ids)
        accepted = {p.phrase_id for p in chosen}
        with self.database.read() as conn:
            head = refs.read_head(conn, self.project_id)
            if head.commit_id != v.base_commit_id:
                raise StaleBaseError(variation_id, v.base_commit_id, head.commit_id)
            base = self._load(conn, head.commit_id)
        return CommitCandidate(
            parent=v.base_commit_id,
            state=apply_phrases(v.changeset.apply(base), chosen),
            message=v.intent.strip() or f"accept variation {variation_id}",
            author=author,
            explanation=v.explanation,
            variation_id=variation_id,
            accepted_phrase_ids=tuple(p.phrase_id for p in chosen),
            phrases=tuple(p.summary(p.phrase_id in accepted) for p in v.phrases),
            changeset=v.changeset if len(v.changeset) else None,
            metadata=dict(metadata or {}),
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
        with self.database.read() as conn:
            head = refs.read_head(conn, self.project_id)
            base = self._load(conn, head.commit_id)
        return CommitCandidate(
            parent=head.commit_id,
            state=changeset.apply(base),
            message=message or changeset.describe(),
            author=author,
            changeset=changeset,
            metadata=dict(metadata or {}),
        )

    def record(self, candidate: CommitCandidate) -> Commit:
        """Persist a commit candidate on HEAD (one transaction).

        Raises
        ------
        StaleBaseError
            HEAD is no longer the candidate's parent.
        """
        fields = CommitFields.build(
            candidate.message,
            author=candidate.author,
            explanation=candidate.explanation,
            variation_id=candidate.variation_id,
            accepted_phrase_ids=candidate.accepted_phrase_ids,
            changeset_json=None if candidate.changeset is None else candidate.changeset.to_json(),
            metadata=candidate.metadata,
            phrases=candidate.phrases,
        )
        with self._writing("record a commit") as conn:
            head = refs.read_head(conn, self.project_id)
            if head.commit_id != candidate.parent:
                what = candidate.variation_id or candidate.kind
                raise StaleBaseError(what, candidate.parent, head.commit_id)
            parents = (head.commit_id,) if head.commit_id else ()
            commit, _ = self._append(conn, candidate.state, parents, fields, None)
            self._advance(conn, head.branch, commit, moves_head=True)
        if candidate.variation_id is not None:
            self.variations.mark_committed(candidate.variation_id, commit.commit_id)
        return commit

    def discard_variation(self, variation_id: str) -> None:
        """Discard a variation (idempotent)."""
        self.variations.discard(variation_id)

    def apply(
        self,
        changeset: ChangeSet,
        *,
        author: str = "muse",
        message: str | None = None,
        metadata: Mapping[str, object] | None = None,
    ) -> Commit:
        """Apply a structural change set to HEAD and auto-commit it (no review)."""
        candidate = self.prepare_changes(
            changeset, author=author, message=message, metadata=metadata
        )
        return self.record(candidate)

    # -------------------------------------------------------------- helpers
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

    def _merge_target(
        self, conn: Connection, ours: str, head: refs.Head, ours_id: str
    ) -> tuple[str | None, bool]:
        """Which branch a merge advances, and whether HEAD moves with it."""
        if ours == refs.HEAD:
            return head.branch, True
        if refs.ref_commit(conn, self.project_id, "branch", ours) is not None:
            return ours, head.branch == ours
        return None, head.detached and head.commit_id == ours_id

    def _move(
        self, conn: Connection, branch: str | None, commit: Commit, moves_head: bool
    ) -> str | None:
        if branch is None and not moves_head:
            return None
        self._advance(conn, branch, commit, moves_head)
        return branch or refs.HEAD

    def _replay(
        self,
        ref: str,
        author: str | None,
        message: str | None,
        strategy: Strategy | None,
        *,
        revert: bool,
    ) -> Commit:
        with self._writing("revert" if revert else "cherry-pick") as conn:
            target = load_commit(conn, refs.resolve(conn, self.project_id, ref))
            head = refs.read_head(conn, self.project_id)
            if target is None or head.commit_id is None:
                raise NoCommitsError(self.project_id, head.branch)
            self._refuse_dirty(conn, head, None)
            before = self._load(conn, target.parent) if target.parent else ProjectState()
            after = self._load(conn, target.commit_id)
            ours = self._load(conn, head.commit_id)
            base, theirs = (after, before) if revert else (before, after)
            result = merge_states(base, ours, theirs, strategy=strategy)
            if result.state is None:
                raise MergeConflictError(result.conflicts, head.commit_id, target.commit_id, None)
            verb = "Revert" if revert else "Cherry-pick"
            fields = CommitFields.build(
                message or f'{verb} "{target.message}"',
                author=author or (target.author if not revert else "muse"),
                explanation=None if revert else target.explanation,
                metadata={("reverts" if revert else "cherryPickedFrom"): target.commit_id},
            )
            commit, _ = self._append(conn, result.state, (head.commit_id,), fields, None)
            self._advance(conn, head.branch, commit, moves_head=True)
            return commit

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
