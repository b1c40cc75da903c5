"""The commit graph of a project: loading commits, ancestry, merge bases, order.

Commits form a DAG (one parent, or two for a merge). Each commit stores its
*generation* (1 for a root, else 1 + the largest parent generation), so
sorting by ``(generation, timestamp, id)`` is a deterministic topological
order with parents before children; :func:`log_order` is its reverse.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import duckdb

from muse_duckdb.model.commit import Commit
from muse_duckdb.storage.database import first_row

Connection = duckdb.DuckDBPyConnection

COMMIT_COLUMNS = (
    "commit_id, project_id, parent_id, parent2_id, snapshot_id, generation, committed_at, "
    "author, message, explanation, variation_id, accepted_phrase_ids, affected_regions, "
    "changeset, metadata"
)


def row_to_commit(row: tuple[object, ...]) -> Commit:
    """A :class:`Commit` from a row of ``SELECT {COMMIT_COLUMNS} FROM commits``."""
    (cid, project, p1, p2, sid, gen, ts, author, message, expl, var, acc, aff, cs, meta) = row
    parents = tuple(str(p) for p in (p1, p2) if p is not None)
    return Commit(
        commit_id=str(cid),
        project_id=str(project),
        parents=parents,
        snapshot_id=str(sid),
        generation=_int(gen),
        committed_at_us=_int(ts),
        author=str(author),
        message=str(message),
        explanation=None if expl is None else str(expl),
        variation_id=None if var is None else str(var),
        accepted_phrase_ids=_strs(acc),
        affected_regions=_strs(aff),
        changeset_json=None if cs is None else str(cs),
        metadata_json=str(meta),
    )


def _int(value: object) -> int:
    assert isinstance(value, int)
    return value


def _strs(value: object) -> tuple[str, ...]:
    assert isinstance(value, list | tuple)
    return tuple(str(v) for v in value)


def load_commit(conn: Connection, commit_id: str) -> Commit | None:
    """One commit by full id, or ``None``."""
    row = first_row(
        conn.execute(
            f"SELECT {COMMIT_COLUMNS} FROM commits WHERE commit_id = ?", [commit_id]
        ).fetchall()
    )
    return None if row is None else row_to_commit(row)


def load_commits_by_id(conn: Connection, ids: Sequence[str]) -> dict[str, Commit]:
    """Several commits by full id (missing ids are left out)."""
    if not ids:
        return {}
    rows = conn.execute(
        f"SELECT {COMMIT_COLUMNS} FROM commits WHERE commit_id IN (SELECT unnest(?::VARCHAR[]))",
        [list(ids)],
    ).fetchall()
    return {str(r[0]): row_to_commit(r) for r in rows}


def load_commits(conn: Connection, project_id: str) -> dict[str, Commit]:
    """Every commit of a project by id."""
    rows = conn.execute(
        f"SELECT {COMMIT_COLUMNS} FROM commits WHERE project_id = ?", [project_id]
    ).fetchall()
    return {str(r[0]): row_to_commit(r) for r in rows}


@dataclass(frozen=True)
class CommitGraph:
    """Parent links of a project's commits (ids, parents, generation, time)."""

    parents: dict[str, tuple[str, ...]]
    generation: dict[str, int]
    time_us: dict[str, int]

    @classmethod
    def load(cls, conn: Connection, project_id: str) -> CommitGraph:
        """Read the graph of one project (a light query: no messages or metadata)."""
        rows = conn.execute(
            "SELECT commit_id, parent_id, parent2_id, generation, committed_at "
            "FROM commits WHERE project_id = ?",
            [project_id],
        ).fetchall()
        parents: dict[str, tuple[str, ...]] = {}
        generation: dict[str, int] = {}
        time_us: dict[str, int] = {}
        for cid, p1, p2, gen, ts in rows:
            parents[cid] = tuple(p for p in (p1, p2) if p is not None)
            generation[cid] = int(gen)
            time_us[cid] = int(ts)
        return cls(parents, generation, time_us)

    @classmethod
    def from_commits(cls, commits: Iterable[Commit]) -> CommitGraph:
        """Build from already loaded commits."""
        parents: dict[str, tuple[str, ...]] = {}
        generation: dict[str, int] = {}
        time_us: dict[str, int] = {}
        for c in commits:
            parents[c.commit_id] = c.parents
            generation[c.commit_id] = c.generation
            time_us[c.commit_id] = c.committed_at_us
        return cls(parents, generation, time_us)

    def ancestors(self, start: str | Iterable[str]) -> set[str]:
        """Every commit reachable from ``start`` (included), following all parents."""
        stack = [start] if isinstance(start, str) else list(start)
        seen: set[str] = set()
        parents = self.parents
        while stack:
            cid = stack.pop()
            if cid in seen:
                continue
            seen.add(cid)
            stack.extend(parents.get(cid, ()))
        return seen

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        """Whether ``ancestor`` is reachable from ``descendant`` (a commit is its own ancestor)."""
        if ancestor == descendant:
            return True
        floor = self.generation.get(ancestor, 0)
        stack = [descendant]
        seen: set[str] = set()
        while stack:
            cid = stack.pop()
            if cid == ancestor:
                return True
            if cid in seen or self.generation.get(cid, 0) <= floor:
                continue
            seen.add(cid)
            stack.extend(self.parents.get(cid, ()))
        return False

    def merge_base(self, a: str, b: str) -> str | None:
        """The best common ancestor of ``a`` and ``b`` (``None`` for unrelated histories).

        Among the common ancestors, the one with the largest generation wins
        (ties: latest timestamp, then smallest id), so the choice is
        deterministic even for criss-cross histories.
        """
        common = self.ancestors(a) & self.ancestors(b)
        if not common:
            return None
        return max(common, key=lambda c: (self.generation[c], self.time_us[c], _neg(c)))

    def topo_order(self, ids: Iterable[str]) -> list[str]:
        """``ids`` with parents before children (generation, then time, then id)."""
        return sorted(ids, key=lambda c: (self.generation[c], self.time_us[c], c))


def log_order(graph: CommitGraph, ids: Iterable[str]) -> list[str]:
    """Newest first: the reverse of :meth:`CommitGraph.topo_order`."""
    return graph.topo_order(ids)[::-1]


def first_parent_chain(graph: CommitGraph, start: str) -> Sequence[str]:
    """``start`` and its first parents back to the root, newest first."""
    out = [start]
    while graph.parents.get(out[-1]):
        out.append(graph.parents[out[-1]][0])
    return out


def _neg(text: str) -> tuple[int, ...]:
    return tuple(-ord(ch) for ch in text)
