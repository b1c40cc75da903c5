"""Refs: branches, tags, HEAD, and resolving what a user typed to a commit id.

A ref is resolved in this order:

1. ``HEAD`` - the project's current commit;
2. a branch name, then a tag name (tags may carry a namespace such as
   ``stage:mixed``);
3. a commit id or a unique prefix of one (at least 4 hex digits) among the
   project's commits; a prefix matching several commits raises
   :class:`~muse_duckdb.errors.AmbiguousRefError` listing them.

Any of these may be followed by ancestry suffixes as in git: ``~N`` (N-th
first-parent ancestor), ``^`` / ``^1`` (first parent) and ``^2`` (second
parent of a merge): ``HEAD~3``, ``main^2``, ``a1b2c3d~1^2``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal

import duckdb

from muse_duckdb.errors import (
    AmbiguousRefError,
    InvalidRefNameError,
    NoCommitsError,
    RefNotFoundError,
)
from muse_duckdb.model.digest import is_hex_prefix
from muse_duckdb.storage.database import first_row, upsert

Connection = duckdb.DuckDBPyConnection
RefKind = Literal["branch", "tag"]
HEAD: Final = "HEAD"
DEFAULT_BRANCH: Final = "main"
MIN_PREFIX: Final = 4
_SUFFIX_RE: Final = re.compile(r"(~\d*|\^\d?)+$")
_STEP_RE: Final = re.compile(r"~(\d*)|\^(\d?)")
_NAME_RE: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/:+-]*$")


@dataclass(frozen=True)
class Head:
    """Where HEAD points: a branch (``commit_id`` is its tip, ``None`` if unborn) or a commit."""

    branch: str | None
    commit_id: str | None

    @property
    def detached(self) -> bool:
        """Whether HEAD points at a commit rather than a branch."""
        return self.branch is None


def check_ref_name(name: str, kind: RefKind) -> str:
    """Validate a branch or tag name; return it.

    Names start with a letter or digit and use letters, digits and
    ``. _ / : + -``; they may not contain ``..``, end with ``/`` or ``.``,
    be ``HEAD``, or look like a commit id (all hex, 4+ characters), which
    would make refs ambiguous.
    """
    if not isinstance(name, str) or not name:
        raise InvalidRefNameError(str(name), "must be non-empty text")
    if name == HEAD:
        raise InvalidRefNameError(name, "HEAD is reserved")
    if not _NAME_RE.match(name):
        raise InvalidRefNameError(
            name, "use letters, digits and . _ / : + - (starting with a letter or digit)"
        )
    if ".." in name or name.endswith(("/", ".", ":")) or "//" in name:
        raise InvalidRefNameError(name, "no '..', '//' or trailing '/', '.', ':'")
    if len(name) >= MIN_PREFIX and is_hex_prefix(name):
        raise InvalidRefNameError(name, f"looks like a commit id; {kind} names must not")
    if len(name) > 200:
        raise InvalidRefNameError(name, "longer than 200 characters")
    return name


# --------------------------------------------------------------------- HEAD
@dataclass(frozen=True)
class RefLookup:
    """HEAD and what one name means as a branch or a tag, read with one query."""

    head: Head
    branch: str | None
    """Tip of the branch called by the name, if there is one."""
    tag: str | None
    """Commit of the tag called by the name, if there is one."""


def lookup(conn: Connection, project_id: str, name: str) -> RefLookup:
    """HEAD (with its branch's tip) and the branch and tag called ``name``, in one query.

    (Every branch of the project is read: one simple query is cheaper than
    a filtered one, and projects have few branches; tags are read by name.)
    """
    rows = conn.execute(
        "SELECT 'HEAD', branch, commit_id FROM heads WHERE project_id = $1 "
        "UNION ALL SELECT kind, name, commit_id FROM refs "
        "WHERE project_id = $1 AND (kind = 'branch' OR name = $2)",
        [project_id, name],
    ).fetchall()
    head_row = None
    branches: dict[str, str] = {}
    tags: dict[str, str] = {}
    for kind, ref_name, commit in rows:
        if kind == HEAD:
            head_row = (ref_name, commit)
        elif kind == "branch":
            branches[str(ref_name)] = str(commit)
        else:
            tags[str(ref_name)] = str(commit)
    if head_row is None:
        head = Head(DEFAULT_BRANCH, branches.get(DEFAULT_BRANCH))
    elif head_row[0] is not None:
        head = Head(str(head_row[0]), branches.get(str(head_row[0])))
    else:
        head = Head(None, None if head_row[1] is None else str(head_row[1]))
    return RefLookup(head, branches.get(name), tags.get(name))


def read_head(conn: Connection, project_id: str) -> Head:
    """The project's HEAD (an unborn ``main`` if the project has none yet)."""
    return lookup(conn, project_id, HEAD).head


def write_head(
    conn: Connection, project_id: str, branch: str | None, commit_id: str | None
) -> None:
    """Point HEAD at a branch (``commit_id`` ignored) or detach it at a commit."""
    upsert(
        conn,
        "heads",
        {"project_id": project_id},
        {"branch": branch, "commit_id": None if branch is not None else commit_id},
    )


# --------------------------------------------------------------------- refs
def ref_commit(conn: Connection, project_id: str, kind: RefKind, name: str) -> str | None:
    """The commit a branch or tag points at, or ``None``."""
    row = first_row(
        conn.execute(
            "SELECT commit_id FROM refs WHERE project_id = ? AND kind = ? AND name = ?",
            [project_id, kind, name],
        ).fetchall()
    )
    return None if row is None else str(row[0])


def set_ref(conn: Connection, project_id: str, kind: RefKind, name: str, commit_id: str) -> None:
    """Create or move a branch or tag."""
    upsert(
        conn,
        "refs",
        {"project_id": project_id, "kind": kind, "name": name},
        {"commit_id": commit_id},
    )


def delete_ref(conn: Connection, project_id: str, kind: RefKind, name: str) -> None:
    """Remove a branch or tag."""
    conn.execute(
        "DELETE FROM refs WHERE project_id = ? AND kind = ? AND name = ?", [project_id, kind, name]
    )


def list_refs(conn: Connection, project_id: str, kind: RefKind) -> dict[str, str]:
    """``name -> commit id`` of every branch or tag, sorted by name."""
    rows = conn.execute(
        "SELECT name, commit_id FROM refs WHERE project_id = ? AND kind = ? ORDER BY name",
        [project_id, kind],
    ).fetchall()
    return {str(n): str(c) for n, c in rows}


# --------------------------------------------------------------- resolution
@dataclass(frozen=True)
class Located:
    """What a ref resolved to, with the HEAD read on the way."""

    commit_id: str
    head: Head
    branch: str | None
    """The ref itself when it is exactly a branch name (no ``~``/``^`` suffix), else ``None``."""


def resolve(conn: Connection, project_id: str, ref: str) -> str:
    """The full commit id ``ref`` names (see the module docstring).

    Raises
    ------
    RefNotFoundError
        Nothing matches (the message suggests close branch or tag names).
    AmbiguousRefError
        A commit id prefix matches several commits.
    NoCommitsError
        ``HEAD`` (or a branch) has no commits yet.
    """
    return locate(conn, project_id, ref).commit_id


def locate(conn: Connection, project_id: str, ref: str) -> Located:
    """:func:`resolve`, also returning HEAD and whether ``ref`` is a branch name."""
    if not isinstance(ref, str) or not ref.strip():
        raise RefNotFoundError(str(ref), project_id)
    ref = ref.strip()
    base, steps = ref, ""
    match = _SUFFIX_RE.search(ref)
    if match and match.start() > 0:
        base, steps = ref[: match.start()], match.group(0)
    found = lookup(conn, project_id, base)
    commit = _resolve_base(conn, project_id, base, ref, found)
    for step in _STEP_RE.finditer(steps):
        if step.group(0).startswith("~"):
            count = int(step.group(1) or 1)
            for _ in range(count):
                commit = _parent(conn, commit, 0, ref)
        else:
            index = int(step.group(2) or 1)
            if index not in (1, 2):
                raise RefNotFoundError(ref, project_id, reason="only ^1 and ^2 exist")
            commit = _parent(conn, commit, index - 1, ref)
    branch = base if not steps and found.branch is not None else None
    return Located(commit, found.head, branch)


def _resolve_base(conn: Connection, project_id: str, base: str, ref: str, found: RefLookup) -> str:
    if base == HEAD:
        if found.head.commit_id is None:
            raise NoCommitsError(project_id, found.head.branch)
        return found.head.commit_id
    if found.branch is not None:
        return found.branch
    if found.tag is not None:
        return found.tag
    if found.head.branch == base:
        raise NoCommitsError(project_id, base)
    if is_hex_prefix(base.lower()) and len(base) >= MIN_PREFIX:
        rows = conn.execute(
            "SELECT commit_id FROM commits WHERE project_id = ? AND starts_with(commit_id, ?) "
            "ORDER BY commit_id LIMIT 11",
            [project_id, base.lower()],
        ).fetchall()
        if len(rows) == 1:
            return str(rows[0][0])
        if len(rows) > 1:
            raise AmbiguousRefError(ref, [str(r[0]) for r in rows])
    names = list(list_refs(conn, project_id, "branch")) + list(list_refs(conn, project_id, "tag"))
    import difflib  # only for the suggestions of an error

    raise RefNotFoundError(ref, project_id, difflib.get_close_matches(base, names, n=3))


def _parent(conn: Connection, commit: str, index: int, ref: str) -> str:
    row = first_row(
        conn.execute(
            "SELECT project_id, parent_id, parent2_id FROM commits WHERE commit_id = ?",
            [commit],
        ).fetchall()
    )
    if row is None or row[1 + index] is None:
        project = "?" if row is None else str(row[0])
        which = "second parent" if index else "parent"
        raise RefNotFoundError(ref, project, reason=f"commit {commit[:12]} has no {which}")
    return str(row[1 + index])
