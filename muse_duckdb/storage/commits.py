"""Reading commit rows: one commit, several, or every commit of a project.

The columns of the ``commits`` table in one place (:data:`COMMIT_COLUMNS`)
and their conversion to :class:`~muse_duckdb.model.commit.Commit` values.
Appending commits is :mod:`muse_duckdb.storage.append`.
"""

from __future__ import annotations

from collections.abc import Sequence

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
