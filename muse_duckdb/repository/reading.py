"""Reading a project's history: refs, commits, states, log, diff, blame, integrity."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from muse_duckdb.convert import project_to_score
from muse_duckdb.diff.states import ProjectDiff, diff_states
from muse_duckdb.errors import NoCommitsError
from muse_duckdb.history import refs
from muse_duckdb.history.blame import BlameResult, RegionVersion, blame, history
from muse_duckdb.history.log import CommitLog, load_log
from muse_duckdb.history.wire import MuseLogGraphResponse, MuseLogNodeResponse
from muse_duckdb.model.commit import Commit
from muse_duckdb.project import ProjectState
from muse_duckdb.repository.context import ProjectContext, StateLike
from muse_duckdb.storage.append import PhraseSummary, load_phrases
from muse_duckdb.storage.commits import load_commit
from muse_duckdb.storage.integrity import IntegrityReport, check_integrity
from muse_duckdb.storage.snapshots import load_snapshot
from storpheus.score import Score


@dataclass(frozen=True)
class MuseLogGraph:
    """The commit DAG of a project, parents before children (see :meth:`to_response`)."""

    project_id: str
    head: str | None
    nodes: Sequence[Commit]

    def to_response(self) -> MuseLogGraphResponse:
        """The camelCase wire model of the log graph (:class:`MuseLogGraphResponse`)."""
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


class ReadService:
    """Read-only operations on one project (see :class:`~muse_duckdb.Repository`)."""

    def __init__(self, context: ProjectContext) -> None:
        self.context = context

    def head(self) -> refs.Head:
        """Where HEAD points (branch and commit)."""
        with self.context.database.read() as conn:
            return refs.read_head(conn, self.context.project_id)

    def resolve(self, ref: str) -> str:
        """The full commit id a ref names (typed errors for unknown or ambiguous refs)."""
        with self.context.database.read() as conn:
            return refs.resolve(conn, self.context.project_id, ref)

    def branches(self) -> dict[str, str]:
        """Branch name -> tip commit id."""
        with self.context.database.read() as conn:
            return refs.list_refs(conn, self.context.project_id, "branch")

    def tags(self) -> dict[str, str]:
        """Tag name -> commit id (names may be namespaced, e.g. ``stage:mixed``)."""
        with self.context.database.read() as conn:
            return refs.list_refs(conn, self.context.project_id, "tag")

    def projects(self) -> list[str]:
        """Every project id in the database: this repository's own first, then the rest by id.

        Code that searches the projects for a ref (``reproduce HEAD``) thus
        finds it in the project it was opened on - the default one - before
        any other, whatever their names.
        """
        with self.context.database.read() as conn:
            rows = conn.execute("SELECT project_id FROM projects ORDER BY project_id").fetchall()
        names = [str(r[0]) for r in rows]
        own = self.context.project_id
        return ([own] if own in names else []) + [n for n in names if n != own]

    def get_commit(self, ref: str = "HEAD") -> Commit:
        """The commit a ref names."""
        with self.context.database.read() as conn:
            commit = load_commit(conn, refs.resolve(conn, self.context.project_id, ref))
        assert commit is not None
        return commit

    def snapshot(self, ref: str = "HEAD") -> ProjectState:
        """The project state at a ref (HEAD does not move)."""
        with self.context.database.read() as conn:
            commit = load_commit(conn, refs.resolve(conn, self.context.project_id, ref))
            assert commit is not None
            return load_snapshot(conn, commit.snapshot_id)

    def score(self, ref: str = "HEAD") -> Score:
        """The project state at a ref as a :class:`~storpheus.score.Score`."""
        return project_to_score(self.snapshot(ref))

    def phrases(self, ref: str = "HEAD") -> list[PhraseSummary]:
        """Phrase summaries recorded with a commit (from the variation it accepted)."""
        with self.context.database.read() as conn:
            return load_phrases(conn, refs.resolve(conn, self.context.project_id, ref))

    def log(self, ref: str = "HEAD", *, limit: int | None = None) -> CommitLog:
        """Commits reachable from ``ref``, newest first (empty for a project with no commits).

        The result is a ``Sequence[Commit]``; use ``.to_pandas()`` for a
        DataFrame of every field. ``limit`` keeps the newest ``limit`` commits
        (a negative limit is a ``ValueError``).
        """
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)):
            raise ValueError(f"limit={limit!r} must be a whole number or None")
        if limit is not None and limit < 0:
            raise ValueError(f"limit={limit} is negative; give 0 or more, or None for all")
        with self.context.database.read() as conn:
            try:
                start = refs.resolve(conn, self.context.project_id, ref)
            except NoCommitsError:
                return CommitLog([])
            return load_log(conn, self.context.project_id, start, limit, columnar=True)

    def log_graph(self) -> MuseLogGraph:
        """Every commit of the project, parents before children, with HEAD."""
        with self.context.database.read() as conn:
            log = load_log(conn, self.context.project_id, None, columnar=True)
            head = refs.read_head(conn, self.context.project_id).commit_id
        return MuseLogGraph(self.context.project_id, head, log[::-1])

    def diff(self, a: str | StateLike = "HEAD~1", b: str | StateLike = "HEAD") -> ProjectDiff:
        """Per-region differences from ``a`` to ``b`` (refs or states)."""
        return diff_states(self.context.state(a), self.context.state(b))

    def blame(self, target: str, at: str = "HEAD") -> BlameResult:
        """For every note of a region / track / section: the commit that introduced it."""
        with self.context.database.read() as conn:
            return blame(
                conn,
                self.context.project_id,
                refs.resolve(conn, self.context.project_id, at),
                target,
            )

    def history(self, name: str, at: str = "HEAD") -> list[RegionVersion]:
        """Every version of a region, track or section (by name), oldest first."""
        with self.context.database.read() as conn:
            return history(
                conn, self.context.project_id, refs.resolve(conn, self.context.project_id, at), name
            )

    def check_integrity(self, *, deep: bool = False) -> IntegrityReport:
        """Check that every referenced object exists (``deep``: and every id matches)."""
        with self.context.database.read() as conn:
            return check_integrity(conn, deep=deep)

    def checkpoint(self) -> None:
        """Fold the write-ahead log into the database file (before copying the file alone)."""
        self.context.database.checkpoint()
