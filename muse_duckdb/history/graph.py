"""The commit graph of a project: ancestry, merge bases, order.

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

Connection = duckdb.DuckDBPyConnection


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
