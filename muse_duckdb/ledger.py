"""Appending commits: snapshot, commit row, phrase summaries, in the caller's transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from muse_duckdb.commit import Commit, check_author, commit_id, metadata_json
from muse_duckdb.database import first_row
from muse_duckdb.errors import InvalidCommitError
from muse_duckdb.graph import load_commit
from muse_duckdb.project import ProjectState
from muse_duckdb.store import insert_arrow, store_snapshot

Connection = duckdb.DuckDBPyConnection


@dataclass(frozen=True)
class PhraseSummary:
    """One phrase of the variation a commit came from (stored in ``commit_phrases``)."""

    phrase_id: str
    track_id: str
    region_id: str
    start_beat: float
    end_beat: float
    label: str = ""
    tags: tuple[str, ...] = ()
    n_added: int = 0
    n_removed: int = 0
    n_modified: int = 0
    accepted: bool = True


@dataclass(frozen=True)
class CommitFields:
    """What the caller says about a commit (everything but parents and state)."""

    message: str
    author: str = "muse"
    explanation: str | None = None
    variation_id: str | None = None
    accepted_phrase_ids: tuple[str, ...] = ()
    changeset_json: str | None = None
    metadata_json: str = "{}"
    phrases: tuple[PhraseSummary, ...] = ()

    @classmethod
    def build(
        cls,
        message: str,
        *,
        author: str = "muse",
        explanation: str | None = None,
        variation_id: str | None = None,
        accepted_phrase_ids: Sequence[str] = (),
        changeset_json: str | None = None,
        metadata: Mapping[str, object] | None = None,
        phrases: Sequence[PhraseSummary] = (),
    ) -> CommitFields:
        """Validate caller input (typed errors name the bad argument)."""
        if not isinstance(message, str) or not message.strip():
            raise InvalidCommitError("message", message, "must be non-empty text")
        if explanation is not None and not isinstance(explanation, str):
            raise InvalidCommitError("explanation", explanation, "must be text or None")
        if variation_id is not None and (not isinstance(variation_id, str) or not variation_id):
            raise InvalidCommitError("variation_id", variation_id, "must be non-empty text")
        ids = tuple(accepted_phrase_ids)
        if any(not isinstance(p, str) or not p for p in ids):
            raise InvalidCommitError("accepted_phrase_ids", ids, "must be non-empty strings")
        return cls(
            message=message.strip(),
            author=check_author(author),
            explanation=explanation,
            variation_id=variation_id,
            accepted_phrase_ids=ids,
            changeset_json=changeset_json,
            metadata_json=metadata_json(metadata),
            phrases=tuple(phrases),
        )


def write_commit(
    conn: Connection,
    project_id: str,
    state: ProjectState,
    parents: Sequence[str],
    fields: CommitFields,
    committed_at_us: int,
) -> Commit:
    """Store ``state`` and append a commit with ``parents``; idempotent for identical input."""
    parent_rows = [load_commit(conn, p) for p in parents]
    if any(p is None for p in parent_rows):
        raise InvalidCommitError("parents", list(parents), "unknown parent commit")
    store_snapshot(conn, state)
    key = _snapshot_key(conn, state.snapshot_id)
    generation = 1 + max((p.generation for p in parent_rows if p is not None), default=0)
    affected = _affected_regions(conn, state, parent_rows[0] if parent_rows else None)
    cid = commit_id(
        project_id=project_id,
        parents=parents,
        snapshot_id=state.snapshot_id,
        committed_at_us=committed_at_us,
        author=fields.author,
        message=fields.message,
        explanation=fields.explanation,
        variation_id=fields.variation_id,
        accepted_phrase_ids=fields.accepted_phrase_ids,
        changeset_json=fields.changeset_json,
        metadata_json=fields.metadata_json,
    )
    existing = load_commit(conn, cid)
    if existing is not None:
        return existing
    commit = Commit(
        commit_id=cid,
        project_id=project_id,
        parents=tuple(parents),
        snapshot_id=state.snapshot_id,
        generation=generation,
        committed_at_us=committed_at_us,
        author=fields.author,
        message=fields.message,
        explanation=fields.explanation,
        variation_id=fields.variation_id,
        accepted_phrase_ids=fields.accepted_phrase_ids,
        affected_regions=affected,
        changeset_json=fields.changeset_json,
        metadata_json=fields.metadata_json,
    )
    conn.execute(
        "INSERT INTO commits VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            cid,
            project_id,
            commit.parent,
            commit.parent2,
            key,
            state.snapshot_id,
            generation,
            committed_at_us,
            fields.author,
            commit.author_kind,
            fields.message,
            fields.explanation,
            fields.variation_id,
            list(fields.accepted_phrase_ids),
            list(affected),
            fields.changeset_json,
            fields.metadata_json,
        ],
    )
    if fields.phrases:
        _write_phrases(conn, cid, fields.phrases)
    return commit


def ensure_project(conn: Connection, project_id: str, now_us: int) -> None:
    """Register the project if it is new."""
    conn.execute(
        "INSERT INTO projects VALUES (?, ?) ON CONFLICT (project_id) DO NOTHING",
        [project_id, now_us],
    )


def _snapshot_key(conn: Connection, snapshot_id: str) -> int:
    row = first_row(
        conn.execute(
            "SELECT snapshot_key FROM snapshots WHERE snapshot_id = ?", [snapshot_id]
        ).fetchall()
    )
    assert row is not None
    return int(row[0])


def _affected_regions(
    conn: Connection, state: ProjectState, parent: Commit | None
) -> tuple[str, ...]:
    """Ids of regions added, removed, moved or changed relative to the first parent."""
    now = {r.region_id: (*r.placement().values(), r.object_id) for r in state.regions}
    if parent is None:
        return tuple(sorted(now))
    rows = conn.execute(
        "SELECT r.region_id, r.track_id, r.name, r.start_tick, r.duration_ticks, o.object_id "
        "FROM snapshots s JOIN snapshot_regions r ON r.snapshot_key = s.snapshot_key "
        "JOIN region_objects o ON o.object_key = r.object_key WHERE s.snapshot_id = ?",
        [parent.snapshot_id],
    ).fetchall()
    before = {
        str(rid): (str(rid), str(t), str(n), int(s), int(d), str(o)) for rid, t, n, s, d, o in rows
    }
    changed = {rid for rid in set(now) | set(before) if now.get(rid) != before.get(rid)}
    return tuple(sorted(changed))


def _write_phrases(conn: Connection, cid: str, phrases: Sequence[PhraseSummary]) -> None:
    insert_arrow(
        conn,
        "commit_phrases",
        pa.table(
            {
                "commit_id": pa.array([cid] * len(phrases), pa.string()),
                "phrase_id": pa.array([p.phrase_id for p in phrases], pa.string()),
                "track_id": pa.array([p.track_id for p in phrases], pa.string()),
                "region_id": pa.array([p.region_id for p in phrases], pa.string()),
                "start_beat": pa.array([float(p.start_beat) for p in phrases], pa.float64()),
                "end_beat": pa.array([float(p.end_beat) for p in phrases], pa.float64()),
                "label": pa.array([p.label for p in phrases], pa.string()),
                "tags": pa.array([list(p.tags) for p in phrases], pa.list_(pa.string())),
                "n_added": pa.array([p.n_added for p in phrases], pa.int32()),
                "n_removed": pa.array([p.n_removed for p in phrases], pa.int32()),
                "n_modified": pa.array([p.n_modified for p in phrases], pa.int32()),
                "accepted": pa.array([p.accepted for p in phrases], pa.bool_()),
            }
        ),
    )


def load_phrases(conn: Connection, cid: str) -> list[PhraseSummary]:
    """The phrase summaries recorded with a commit."""
    rows = conn.execute(
        "SELECT phrase_id, track_id, region_id, start_beat, end_beat, label, tags, n_added, "
        "n_removed, n_modified, accepted FROM commit_phrases WHERE commit_id = ? "
        "ORDER BY start_beat, region_id, phrase_id",
        [cid],
    ).fetchall()
    return [
        PhraseSummary(
            str(p),
            str(t),
            str(r),
            float(s),
            float(e),
            str(lbl),
            tuple(tags),
            int(a),
            int(rm),
            int(m),
            bool(acc),
        )
        for p, t, r, s, e, lbl, tags, a, rm, m, acc in rows
    ]
