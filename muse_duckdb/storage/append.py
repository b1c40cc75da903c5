"""Appending commits: snapshot, commit row and phrase summaries, through a :class:`Batch`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from muse_duckdb.errors import InvalidCommitError
from muse_duckdb.model.commit import Commit, check_author, commit_id, metadata_json
from muse_duckdb.project import ProjectState
from muse_duckdb.storage.batch import Batch, StoredSnapshot, load_manifest
from muse_duckdb.storage.commits import load_commit

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
    batch: Batch,
    project_id: str,
    state: ProjectState,
    parents: Sequence[Commit],
    fields: CommitFields,
    committed_at_us: int,
    parent_manifest: StoredSnapshot | None = None,
) -> tuple[Commit, StoredSnapshot]:
    """Buffer ``state`` and a commit with ``parents`` in ``batch``; idempotent for equal input.

    ``parent_manifest`` is the first parent's snapshot manifest when the
    caller has it (it is loaded otherwise). Returns the commit and the
    manifest of its snapshot; the rows are written when the batch flushes.
    """
    first = parents[0] if parents else None
    if first is not None and (
        parent_manifest is None or parent_manifest.snapshot_id != first.snapshot_id
    ):
        parent_manifest = load_manifest(batch.conn, first.snapshot_id)
    parent_ids = tuple(p.commit_id for p in parents)
    cid = commit_id(
        project_id=project_id,
        parents=parent_ids,
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
    stored = batch.add_snapshot(state, parent_manifest, cid)
    generation = 1 + max((p.generation for p in parents), default=0)
    if parent_manifest is None:
        affected = tuple(sorted(r.region_id for r in state.regions))
    else:
        affected = parent_manifest.affected(state)
    commit = Commit(
        commit_id=cid,
        project_id=project_id,
        parents=parent_ids,
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
    if batch.has_commit(cid):
        existing = load_commit(batch.conn, cid)
        return (existing or commit), stored
    batch.add_commit(commit, stored.snapshot_key, commit.author_kind)
    if fields.phrases:
        batch.add_rows("commit_phrases", _phrase_table(cid, fields.phrases))
    return commit, stored


def ensure_project(conn: Connection, project_id: str, now_us: int) -> None:
    """Register the project (and an unborn ``main`` HEAD) if it is new."""
    conn.execute(
        "INSERT INTO projects SELECT ?, ? "
        "WHERE NOT EXISTS (SELECT 1 FROM projects WHERE project_id = ?)",
        [project_id, now_us, project_id],
    ).fetchall()
    conn.execute(
        "INSERT INTO heads SELECT ?, 'main', NULL "
        "WHERE NOT EXISTS (SELECT 1 FROM heads WHERE project_id = ?)",
        [project_id, project_id],
    ).fetchall()


def _phrase_table(cid: str, phrases: Sequence[PhraseSummary]) -> pa.Table:
    return pa.table(
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
