"""The commit DAG of a Muse project as a picture.

:func:`dag_layout` places commits (parents before children) on lanes, a
branch that forks off gets a lane of its own and a merge joins two lanes;
:func:`plot_commit_dag` draws it with branch labels at the tips and HEAD
marked.

Example
-------
>>> from muse_duckdb import Repository                       # doctest: +SKIP
>>> from maestro_lab.viz.history import plot_commit_dag      # doctest: +SKIP
>>> repo = Repository.open("lab.duckdb")                     # doctest: +SKIP
>>> graph = repo.log_graph()                                # doctest: +SKIP
>>> plot_commit_dag(graph.nodes, repo.branches(), head=graph.head)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from maestro_lab.viz.figures import new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

_LANE_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b")


class CommitLike(Protocol):
    """What the DAG needs of a commit (e.g. :class:`muse_duckdb.Commit`)."""

    @property
    def commit_id(self) -> str: ...  # noqa: D102

    @property
    def parents(self) -> tuple[str, ...]: ...  # noqa: D102

    @property
    def message(self) -> str: ...  # noqa: D102


@dataclass(frozen=True)
class DagNode:
    """One commit placed on the plot: row (time order), lane, parents."""

    commit_id: str
    row: int
    lane: int
    parents: tuple[str, ...]
    message: str


def dag_layout(commits: Sequence[CommitLike]) -> list[DagNode]:
    """Rows and lanes of ``commits`` (given parents before children).

    A commit continues its first parent's lane while that parent is the
    lane's tip; otherwise (a second child: a branch forking) it takes the
    lowest free lane. The lane of a merged second parent becomes free.
    """
    tips: list[str | None] = []  # lane -> the commit at its tip, None once free
    nodes: list[DagNode] = []
    for row, commit in enumerate(commits):
        parents = tuple(commit.parents)
        first = parents[0] if parents else None
        if first is not None and first in tips:
            lane = tips.index(first)
        elif None in tips:
            lane = tips.index(None)
        else:
            lane = len(tips)
            tips.append(None)
        tips[lane] = commit.commit_id
        for other in parents[1:]:  # a merged branch's lane ends here
            if other in tips:
                tips[tips.index(other)] = None
        nodes.append(DagNode(commit.commit_id, row, lane, parents, commit.message))
    return nodes


def plot_commit_dag(
    commits: Sequence[CommitLike],
    branches: Mapping[str, str] | None = None,
    *,
    head: str | None = None,
    tags: Mapping[str, str] | None = None,
    title: str | None = None,
) -> Figure:
    """Draw the commit graph: one dot per commit, edges to parents, branch names at the tips.

    Parameters
    ----------
    commits:
        Every commit, parents before children (``Repository.log_graph().nodes``).
    branches, tags:
        Name -> commit id (``Repository.branches()``, ``Repository.tags()``).
    head:
        The commit HEAD points at (ringed).
    """
    nodes = dag_layout(commits)
    where = {n.commit_id: n for n in nodes}
    lanes = max((n.lane for n in nodes), default=0) + 1
    fig = new_figure(10.0, max(2.5, 0.45 * len(nodes) + 1.0))
    ax = fig.add_subplot()
    for node in nodes:
        colour = _LANE_COLOURS[node.lane % len(_LANE_COLOURS)]
        for parent in node.parents:
            if parent in where:
                p = where[parent]
                ax.plot([p.lane, node.lane], [p.row, node.row], "-", color=colour, zorder=1)
        ax.scatter([node.lane], [node.row], s=90, color=colour, zorder=3)
        if node.commit_id == head:
            ax.scatter([node.lane], [node.row], s=260, facecolors="none", edgecolors="black")
        labels = [n for n, c in (branches or {}).items() if c == node.commit_id]
        labels += [f"tag:{n}" for n, c in (tags or {}).items() if c == node.commit_id]
        text = f"{node.commit_id[:10]}  {node.message[:60]}"
        if labels:
            text += "  [" + ", ".join(sorted(labels)) + "]"
        if node.commit_id == head:
            text += "  ← HEAD"
        ax.text(lanes - 0.4, node.row, text, va="center", fontsize="small", family="monospace")
    ax.set_xlim(-0.6, lanes + 6.0)
    ax.set_ylim(len(nodes) - 0.4, -0.6)
    ax.axis("off")
    ax.set_title(title or f"{len(nodes)} commits, {len(branches or {})} branches")
    fig.tight_layout()
    return fig


__all__ = ["CommitLike", "DagNode", "dag_layout", "plot_commit_dag"]
