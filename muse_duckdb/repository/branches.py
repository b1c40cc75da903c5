"""Creating, moving and deleting branches and tags: the ref service of a repository."""

from __future__ import annotations

from collections.abc import Iterable

from muse_duckdb.errors import (
    BranchNotMergedError,
    InvalidCommitError,
    RefExistsError,
    RefNotFoundError,
)
from muse_duckdb.history import refs
from muse_duckdb.history.graph import CommitGraph
from muse_duckdb.repository.context import ProjectContext


class RefService:
    """Branches and tags of one project (see :class:`~muse_duckdb.Repository`)."""

    def __init__(self, context: ProjectContext) -> None:
        self.context = context

    def set(self, kind: refs.RefKind, name: str, start: str, force: bool) -> str:
        """Create (or with ``force`` move) a branch or tag at ``start``; return its commit id."""
        refs.check_ref_name(name, kind)
        project = self.context.project_id
        with self.context.writing(f"create a {kind}") as conn:
            target = refs.resolve(conn, project, start)
            existing = refs.ref_commit(conn, project, kind, name)
            if existing is not None and not force:
                raise RefExistsError(kind, name, existing)
            refs.set_ref(conn, project, kind, name, target)
            return target

    def delete_branch(self, name: str, *, force: bool = False) -> None:
        """Delete a branch (not the one HEAD is on).

        Refuses (:class:`~muse_duckdb.errors.BranchNotMergedError`) when some of
        its commits are reachable from no other branch, tag or HEAD, unless
        ``force``.
        """
        project = self.context.project_id
        with self.context.writing("delete a branch") as conn:
            tip = refs.ref_commit(conn, project, "branch", name)
            if tip is None:
                raise RefNotFoundError(name, project, reason="no such branch")
            head = refs.read_head(conn, project)
            if head.branch == name:
                raise InvalidCommitError("branch", name, "is checked out; check out another first")
            if not force:
                branches = refs.list_refs(conn, project, "branch")
                others = [c for n, c in branches.items() if n != name]
                others += refs.list_refs(conn, project, "tag").values()
                if head.commit_id is not None:
                    others.append(head.commit_id)
                graph = CommitGraph.load(conn, project)
                only = _ancestry(graph, [tip]) - _ancestry(graph, others)
                if only:
                    raise BranchNotMergedError(name, tip, len(only))
            refs.delete_ref(conn, project, "branch", name)

    def delete_tag(self, name: str) -> None:
        """Delete a tag."""
        project = self.context.project_id
        with self.context.writing("delete a tag") as conn:
            if refs.ref_commit(conn, project, "tag", name) is None:
                raise RefNotFoundError(name, project, reason="no such tag")
            refs.delete_ref(conn, project, "tag", name)


def _ancestry(graph: CommitGraph, starts: Iterable[str]) -> set[str]:
    """Every commit reachable from ``starts`` (themselves included)."""
    seen: set[str] = set()
    stack = list(starts)
    while stack:
        commit = stack.pop()
        if commit in seen:
            continue
        seen.add(commit)
        stack.extend(graph.parents.get(commit, ()))
    return seen
