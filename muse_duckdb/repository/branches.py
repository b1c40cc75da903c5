"""Creating, moving and deleting branches and tags: the ref service of a repository."""

from __future__ import annotations

from muse_duckdb.errors import InvalidCommitError, RefExistsError, RefNotFoundError
from muse_duckdb.history import refs
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

    def delete_branch(self, name: str) -> None:
        """Delete a branch (not the one HEAD is on)."""
        project = self.context.project_id
        with self.context.writing("delete a branch") as conn:
            if refs.ref_commit(conn, project, "branch", name) is None:
                raise RefNotFoundError(name, project, reason="no such branch")
            if refs.read_head(conn, project).branch == name:
                raise InvalidCommitError("branch", name, "is checked out; check out another first")
            refs.delete_ref(conn, project, "branch", name)

    def delete_tag(self, name: str) -> None:
        """Delete a tag."""
        project = self.context.project_id
        with self.context.writing("delete a tag") as conn:
            if refs.ref_commit(conn, project, "tag", name) is None:
                raise RefNotFoundError(name, project, reason="no such tag")
            refs.delete_ref(conn, project, "tag", name)
