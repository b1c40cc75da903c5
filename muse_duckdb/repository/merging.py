"""Merging, reverting and cherry-picking commits: the merge service of a repository."""

from __future__ import annotations

from collections.abc import Mapping

from muse_duckdb.errors import MergeConflictError, NoCommitsError, UnrelatedHistoriesError
from muse_duckdb.history import refs
from muse_duckdb.history.graph import CommitGraph
from muse_duckdb.merge.conflicts import Strategy
from muse_duckdb.merge.three_way import merge_states
from muse_duckdb.model.commit import Commit
from muse_duckdb.project import ProjectState
from muse_duckdb.repository.context import ProjectContext
from muse_duckdb.repository.results import MergeOutcome
from muse_duckdb.storage.append import CommitFields
from muse_duckdb.storage.commits import load_commit
from muse_duckdb.storage.database import Connection


class MergeService:
    """Three-way, note-level merge, revert and cherry-pick of a repository's commits."""

    def __init__(self, context: ProjectContext) -> None:
        self.context = context

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
        with self.context.writing("merge") as conn:
            ours_id = refs.resolve(conn, self.context.project_id, ours)
            theirs_id = refs.resolve(conn, self.context.project_id, theirs)
            head = refs.read_head(conn, self.context.project_id)
            target_branch, moves_head = self._merge_target(conn, ours, head, ours_id)
            if moves_head and not force:
                self.context.refuse_dirty(conn, head, None)
            graph = CommitGraph.load(conn, self.context.project_id)
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
            states = [self.context.load(conn, c) for c in (base_id, ours_id, theirs_id)]
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
            commit, _ = self.context.append(conn, result.state, (ours_id, theirs_id), fields, None)
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

    def _merge_target(
        self, conn: Connection, ours: str, head: refs.Head, ours_id: str
    ) -> tuple[str | None, bool]:
        """Which branch a merge advances, and whether HEAD moves with it."""
        if ours == refs.HEAD:
            return head.branch, True
        if refs.ref_commit(conn, self.context.project_id, "branch", ours) is not None:
            return ours, head.branch == ours
        return None, head.detached and head.commit_id == ours_id

    def _move(
        self, conn: Connection, branch: str | None, commit: Commit, moves_head: bool
    ) -> str | None:
        if branch is None and not moves_head:
            return None
        self.context.advance(conn, branch, commit, moves_head)
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
        with self.context.writing("revert" if revert else "cherry-pick") as conn:
            target = load_commit(conn, refs.resolve(conn, self.context.project_id, ref))
            head = refs.read_head(conn, self.context.project_id)
            if target is None or head.commit_id is None:
                raise NoCommitsError(self.context.project_id, head.branch)
            self.context.refuse_dirty(conn, head, None)
            before = self.context.load(conn, target.parent) if target.parent else ProjectState()
            after = self.context.load(conn, target.commit_id)
            ours = self.context.load(conn, head.commit_id)
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
            commit, _ = self.context.append(conn, result.state, (head.commit_id,), fields, None)
            self.context.advance(conn, head.branch, commit, moves_head=True)
            return commit
