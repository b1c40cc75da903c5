"""History reads shared by the HTTP routes and the MCP tools: log, show and diff as JSON.

Each function takes a :class:`muse_duckdb.Repository` and returns a JSON
object built from Muse's own ``to_dict`` forms, so the server adds no second
serialisation of commits or diffs.
"""

from __future__ import annotations

from pydantic import JsonValue

from maestro_lab.wire import JSONObject
from muse_duckdb import Repository

MAX_LOG = 1000
"""Most commits one log request returns."""


def log_json(repo: Repository, ref: str = "HEAD", limit: int | None = 50) -> JSONObject:
    """``{"project", "head", "commits": [...]}``: commits reachable from ``ref``, newest first."""
    bounded = MAX_LOG if limit is None else max(0, min(int(limit), MAX_LOG))
    commits: list[JsonValue] = [c.to_dict() for c in repo.log(ref, limit=bounded)]
    head = repo.head()
    return {
        "project": repo.project_id,
        "head": {"branch": head.branch, "commitId": head.commit_id},
        "commits": commits,
    }


def show_json(repo: Repository, ref: str = "HEAD") -> JSONObject:
    """``{"commit", "diff"}``: one commit and what it changed against its first parent."""
    commit = repo.get_commit(ref)
    diff: JsonValue = None
    if commit.parent is not None:
        diff = repo.diff(commit.parent, commit.commit_id).to_dict()
    return {"commit": commit.to_dict(), "diff": diff}


def diff_json(repo: Repository, a: str = "HEAD~1", b: str = "HEAD") -> JSONObject:
    """``{"a", "b", "diff"}``: per-region differences from ``a`` to ``b`` (refs)."""
    return {"a": a, "b": b, "diff": repo.diff(a, b).to_dict()}


__all__ = ["MAX_LOG", "diff_json", "log_json", "show_json"]
