"""Result values returned by repository operations (checkout, merge, status)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from muse_duckdb.diff.states import ProjectDiff
from muse_duckdb.merge.conflicts import Conflict, Strategy
from muse_duckdb.model.commit import Commit, JSONValue
from muse_duckdb.project import ProjectState

MergeStatus = Literal["merged", "fast_forward", "up_to_date"]


@dataclass(frozen=True)
class CheckoutResult:
    """HEAD moved to ``commit``; ``state`` is the full project state there."""

    commit: Commit
    state: ProjectState
    branch: str | None
    previous: str | None

    @property
    def head_moved(self) -> bool:
        """Whether HEAD points at a different commit than before."""
        return self.previous != self.commit.commit_id

    def to_dict(self) -> dict[str, JSONValue]:
        """JSON-ready summary (camelCase): project, the commit moved from and to."""
        return {
            "projectId": self.commit.project_id,
            "fromCommitId": self.previous,
            "toCommitId": self.commit.commit_id,
            "branch": self.branch,
            "snapshotId": self.state.snapshot_id,
            "headMoved": self.head_moved,
            "tracks": len(self.state.tracks),
            "regions": len(self.state.regions),
            "notes": self.state.n_notes,
        }


@dataclass(frozen=True)
class MergeOutcome:
    """What a merge did.

    ``status`` is ``"merged"`` (a new merge commit with two parents),
    ``"fast_forward"`` (ours was an ancestor of theirs; the ref moved to
    theirs) or ``"up_to_date"`` (theirs was already contained in ours).
    ``conflicts`` lists conflicts that ``strategy`` resolved.
    """

    status: MergeStatus
    commit: Commit
    ours: str
    theirs: str
    base: str | None
    strategy: Strategy | None = None
    conflicts: tuple[Conflict, ...] = ()
    moved_ref: str | None = None

    def to_dict(self) -> dict[str, JSONValue]:
        """JSON-ready summary (camelCase): status, merge commit, both sides and base."""
        return {
            "status": self.status,
            "projectId": self.commit.project_id,
            "mergeCommitId": self.commit.commit_id,
            "snapshotId": self.commit.snapshot_id,
            "leftId": self.ours,
            "rightId": self.theirs,
            "baseId": self.base,
            "strategy": self.strategy,
            "movedRef": self.moved_ref,
            "headMoved": self.moved_ref is not None,
            "resolvedConflicts": [c.to_dict() for c in self.conflicts],
        }


@dataclass(frozen=True)
class Status:
    """The working state compared with HEAD (like ``git status``)."""

    project_id: str
    branch: str | None
    head: str | None
    working_snapshot: str | None
    diff: ProjectDiff

    @property
    def dirty(self) -> bool:
        """Whether the working state differs from HEAD."""
        return not self.diff.is_empty

    def to_dict(self) -> dict[str, JSONValue]:
        """JSON-ready dict (camelCase)."""
        return {
            "projectId": self.project_id,
            "branch": self.branch,
            "head": self.head,
            "workingSnapshotId": self.working_snapshot,
            "dirty": self.dirty,
            "diff": self.diff.to_dict(),
        }


WorkingTreeProjection = Status
"""Another name for :class:`Status`: the working state compared with HEAD."""
