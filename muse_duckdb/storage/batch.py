"""Buffered, bulk writes of objects, snapshots and commits in one transaction.

A :class:`Batch` collects the rows of any number of commits as Arrow tables
and inserts them table by table on :meth:`Batch.flush`: one
``INSERT ... SELECT`` per table, never a Python loop of ``INSERT`` statements.
Objects and snapshots are content-addressed, so anything already stored (or
already buffered) is skipped: a commit that changes one region adds one
region object. A single commit and an import of thousands go through the
same code; the caller's transaction makes the whole batch atomic.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from muse_duckdb.model.commit import Commit
from muse_duckdb.model.ids import beats_to_ticks, json_digest
from muse_duckdb.project import ProjectState, RegionState
from muse_duckdb.storage.database import first_row
from storpheus.columnar import ColumnarArray
from storpheus.events import AftertouchArray, ControlChangeArray, PitchBendArray
from storpheus.notes import NoteArray

Connection = duckdb.DuckDBPyConnection

_TABLE_ORDER = (
    "region_objects",
    "object_notes",
    "object_cc",
    "object_bends",
    "object_aftertouch",
    "manifests",
    "manifest_regions",
    "snapshots",
    "snapshot_tracks",
    "commits",
    "commit_phrases",
)


@dataclass(frozen=True)
class StoredSnapshot:
    """What a stored snapshot is made of: its regions and its tracks' manifests.

    ``regions`` maps region id to (placement, object id, object key);
    ``manifests`` maps track id to (manifest id, manifest key). Snapshots are
    immutable, so this can be cached by snapshot id for the life of a process
    (the repository does, to commit without lookups).
    """

    snapshot_id: str
    snapshot_key: int
    regions: Mapping[str, tuple[tuple[object, ...], str, int]]
    manifests: Mapping[str, tuple[str, int]]

    @property
    def object_keys(self) -> dict[str, int]:
        """``object_id -> object_key`` of every region."""
        return {oid: key for _placement, oid, key in self.regions.values()}

    @property
    def manifest_keys(self) -> dict[str, int]:
        """``manifest_id -> manifest_key`` of every track."""
        return dict(self.manifests.values())

    def affected(self, state: ProjectState) -> tuple[str, ...]:
        """Region ids added, removed, moved or changed in ``state`` relative to this one."""
        now = {r.region_id: (placement(r), r.object_id) for r in state.regions}
        before = {rid: (p, oid) for rid, (p, oid, _key) in self.regions.items()}
        return tuple(sorted(r for r in set(now) | set(before) if now.get(r) != before.get(r)))


def placement(region: RegionState) -> tuple[object, ...]:
    """Track, name, start and duration (ticks) of a region, for comparisons."""
    return (region.track_id, region.name, region.start_tick, region.duration_ticks)


def manifest_id(regions: Sequence[RegionState]) -> str:
    """Content id of the region list of one track (placements and object ids)."""
    return manifest_id_of(
        (r.region_id, r.name, r.start_tick, r.duration_ticks, r.object_id) for r in regions
    )


def manifest_id_of(entries: Iterable[tuple[str, str, int, int, str]]) -> str:
    """:func:`manifest_id` from ``(region id, name, start, duration, object id)`` tuples."""
    doc = [
        {"id": rid, "name": name, "start": start, "duration": dur, "object": oid}
        for rid, name, start, dur, oid in sorted(entries)
    ]
    return json_digest("muse.manifest.v1", {"regions": doc})


def load_manifest(conn: Connection, snapshot_id: str) -> StoredSnapshot | None:
    """The make-up of a stored snapshot, or ``None`` if it is not stored."""
    head = conn.execute(
        "SELECT snapshot_key FROM snapshots WHERE snapshot_id = ?", [snapshot_id]
    ).fetchall()
    if not head:
        return None
    key = int(head[0][0])
    rows = conn.execute(
        "SELECT t.track_id, t.manifest_key, mf.manifest_id, m.region_id, m.name, m.start_tick, "
        "m.duration_ticks, m.object_key, o.object_id FROM snapshot_tracks t "
        "JOIN manifests mf ON mf.manifest_key = t.manifest_key "
        "LEFT JOIN manifest_regions m ON m.manifest_key = t.manifest_key "
        "LEFT JOIN region_objects o ON o.object_key = m.object_key "
        "WHERE t.snapshot_key = ?",
        [key],
    ).fetchall()
    regions = {
        str(rid): ((str(tid), str(name), int(start), int(dur)), str(oid), int(okey))
        for tid, _mk, _mid, rid, name, start, dur, okey, oid in rows
        if rid is not None
    }
    manifests = {str(tid): (str(mid), int(mk)) for tid, mk, mid, *_rest in rows}
    return StoredSnapshot(snapshot_id, key, regions, manifests)


def object_keys(conn: Connection, object_ids: Sequence[str]) -> dict[str, int]:
    """``object_id -> object_key`` for the ids already stored."""
    if not object_ids:
        return {}
    rows = conn.execute(
        "SELECT object_id, object_key FROM region_objects "
        "WHERE object_id IN (SELECT unnest(?::VARCHAR[]))",
        [list(object_ids)],
    ).fetchall()
    return {str(oid): int(key) for oid, key in rows}


class Batch:
    """Rows waiting to be inserted in the caller's transaction (see the module docstring)."""

    def __init__(self, conn: Connection, *, preload: bool = False) -> None:
        self.conn = conn
        self._tables: dict[str, list[pa.Table]] = defaultdict(list)
        self._keys: list[int] | None = None  # next object, snapshot and manifest keys
        self._objects: dict[str, int] = {}
        self._manifests: dict[str, int] = {}
        self._snapshots: dict[str, StoredSnapshot] = {}
        self._commits: set[str] = set()
        self._absent_commits: set[str] = set()
        self.pending_commits = 0
        # Bulk mode: read every stored id once instead of one lookup per commit.
        self._preloaded = preload
        self._stored_snapshots: set[str] = set()
        if preload:
            self._keys = list(_next_keys(conn))
            rows = conn.execute("SELECT object_id, object_key FROM region_objects").fetchall()
            self._objects.update((str(o), int(k)) for o, k in rows)
            rows = conn.execute("SELECT manifest_id, manifest_key FROM manifests").fetchall()
            self._manifests.update((str(m), int(k)) for m, k in rows)
            rows = conn.execute("SELECT snapshot_id FROM snapshots").fetchall()
            self._stored_snapshots.update(str(r[0]) for r in rows)
            rows = conn.execute("SELECT commit_id FROM commits").fetchall()
            self._commits.update(str(r[0]) for r in rows)

    # ------------------------------------------------------------ snapshots
    def add_snapshot(
        self, state: ProjectState, parent: StoredSnapshot | None, commit_id: str | None = None
    ) -> StoredSnapshot:
        """Buffer a snapshot, its new manifests and objects (no-op if stored).

        ``commit_id`` (of the commit about to be added) is looked up in the
        same query, for :meth:`has_commit`.
        """
        sid = state.snapshot_id
        if parent is not None and parent.snapshot_id == sid:
            return parent
        if sid in self._snapshots:
            return self._snapshots[sid]
        if parent is not None:
            self._objects.update(parent.object_keys)
            self._manifests.update(parent.manifest_keys)
        by_track: dict[str, list[RegionState]] = {t.track_id: [] for t in state.tracks}
        for region in state.regions:
            by_track[region.track_id].append(region)
        track_manifests = {tid: manifest_id(regions) for tid, regions in by_track.items()}
        if self._probe(sid, state.regions, track_manifests.values(), commit_id):
            existing = load_manifest(self.conn, sid)
            assert existing is not None
            self._snapshots[sid] = existing
            return existing
        keys = self._add_objects(state.regions)
        manifests: dict[str, tuple[str, int]] = {}
        for tid, regions in by_track.items():
            mid = track_manifests[tid]
            if mid not in self._manifests:
                self._add_manifest(mid, regions, keys)
            manifests[tid] = (mid, self._manifests[mid])
        key = self._next(1)
        self._add_snapshot_rows(state, key, manifests)
        regions_info = {
            r.region_id: (placement(r), r.object_id, keys[r.object_id]) for r in state.regions
        }
        stored = StoredSnapshot(sid, key, regions_info, manifests)
        self._snapshots[sid] = stored
        return stored

    def _probe(
        self,
        sid: str,
        regions: Sequence[RegionState],
        manifest_ids: Iterable[str],
        commit_id: str | None,
    ) -> bool:
        """Look up, in one query, what this snapshot needs from the database.

        Whether the snapshot (and the commit) are stored, the keys of unknown
        objects and manifests, and the next free keys.
        """
        if self._preloaded:
            return sid in self._stored_snapshots
        objects = list({r.object_id for r in regions if r.object_id not in self._objects})
        manifests = list({m for m in manifest_ids if m not in self._manifests})
        sql = (
            "SELECT 's', snapshot_id, snapshot_key FROM snapshots WHERE snapshot_id = ? "
            "UNION ALL SELECT 'o', object_id, object_key FROM region_objects "
            "WHERE list_contains(?::VARCHAR[], object_id) "
            "UNION ALL SELECT 'm', manifest_id, manifest_key FROM manifests "
            "WHERE list_contains(?::VARCHAR[], manifest_id) "
            "UNION ALL SELECT 'c', commit_id, 0 FROM commits WHERE commit_id = ?"
        )
        if self._keys is None:
            sql += (
                " UNION ALL SELECT 'k', 'object', coalesce(max(object_key), 0) + 1 "
                "FROM region_objects UNION ALL SELECT 'k', 'snapshot', "
                "coalesce(max(snapshot_key), 0) + 1 FROM snapshots UNION ALL SELECT 'k', "
                "'manifest', coalesce(max(manifest_key), 0) + 1 FROM manifests"
            )
        rows = self.conn.execute(sql, [sid, objects, manifests, commit_id or ""]).fetchall()
        stored = False
        keys: dict[str, int] = {}
        for kind, ident, key in rows:
            if kind == "s":
                stored = True
            elif kind == "o":
                self._objects[str(ident)] = int(key)
            elif kind == "m":
                self._manifests[str(ident)] = int(key)
            elif kind == "c":
                self._commits.add(str(ident))
            else:
                keys[str(ident)] = int(key)
        if commit_id is not None and commit_id not in self._commits:
            self._absent_commits.add(commit_id)
        if keys:
            self._keys = [keys["object"], keys["snapshot"], keys["manifest"]]
        return stored

    def _next(self, which: int, count: int = 1) -> int:
        if self._keys is None:
            self._keys = list(_next_keys(self.conn))
        first = self._keys[which]
        self._keys[which] += count
        return first

    def _add_manifest(self, mid: str, regions: Sequence[RegionState], keys: dict[str, int]) -> None:
        key = self._next(2)
        self._manifests[mid] = key
        self._tables["manifests"].append(
            pa.table(
                {
                    "manifest_key": pa.array([key], pa.int64()),
                    "manifest_id": pa.array([mid], pa.string()),
                    "n_regions": pa.array([len(regions)], pa.int32()),
                }
            )
        )
        if regions:
            self._tables["manifest_regions"].append(
                pa.table(
                    {
                        "manifest_key": np.full(len(regions), key, np.int64),
                        "region_id": pa.array([r.region_id for r in regions], pa.string()),
                        "name": pa.array([r.name for r in regions], pa.string()),
                        "start_tick": np.array([r.start_tick for r in regions], np.int64),
                        "duration_ticks": np.array([r.duration_ticks for r in regions], np.int64),
                        "object_key": np.array([keys[r.object_id] for r in regions], np.int64),
                    }
                )
            )

    def _add_objects(self, regions: Sequence[RegionState]) -> dict[str, int]:
        unique: dict[str, RegionState] = {}
        for region in regions:
            unique.setdefault(region.object_id, region)
        missing = [oid for oid in unique if oid not in self._objects]
        if missing:
            first = self._next(0, len(missing))
            new = [unique[oid] for oid in missing]
            key_col = np.arange(first, first + len(missing), dtype=np.int64)
            self._objects.update(zip(missing, key_col.tolist(), strict=True))
            self._tables["region_objects"].append(
                pa.table(
                    {
                        "object_key": key_col,
                        "object_id": pa.array(missing, pa.string()),
                        "n_notes": np.array([len(r.notes) for r in new], np.int32),
                        "n_cc": np.array([len(r.cc) for r in new], np.int32),
                        "n_bends": np.array([len(r.bends) for r in new], np.int32),
                        "n_aftertouch": np.array([len(r.aftertouch) for r in new], np.int32),
                    }
                )
            )
            for attr, table in (
                ("notes", "object_notes"),
                ("cc", "object_cc"),
                ("bends", "object_bends"),
                ("aftertouch", "object_aftertouch"),
            ):
                arrays: list[ColumnarArray] = [getattr(r, attr) for r in new]
                counts = np.array([len(a) for a in arrays], dtype=np.int64)
                if not counts.sum():
                    continue
                joined = type(arrays[0]).concat(arrays)
                columns: dict[str, npt.NDArray[np.generic]] = {
                    "object_key": np.repeat(key_col, counts)
                }
                columns.update(event_columns(joined))
                self._tables[table].append(pa.table(columns))
        return {oid: self._objects[oid] for oid in unique}

    def _add_snapshot_rows(
        self, state: ProjectState, key: int, manifests: dict[str, tuple[str, int]]
    ) -> None:
        ts = state.time_signature
        self._tables["snapshots"].append(
            pa.table(
                {
                    "snapshot_key": pa.array([key], pa.int64()),
                    "snapshot_id": pa.array([state.snapshot_id], pa.string()),
                    "bpm": pa.array([state.bpm], pa.int16()),
                    "ts_numerator": pa.array([ts.numerator], pa.int16()),
                    "ts_denominator": pa.array([ts.denominator], pa.int16()),
                    "key": pa.array([state.key], pa.string()),
                    "n_tracks": pa.array([len(state.tracks)], pa.int32()),
                    "n_regions": pa.array([len(state.regions)], pa.int32()),
                    "n_notes": pa.array([state.n_notes], pa.int64()),
                }
            )
        )
        tracks = state.tracks
        if tracks:
            self._tables["snapshot_tracks"].append(
                pa.table(
                    {
                        "snapshot_key": np.full(len(tracks), key, np.int64),
                        "position": np.arange(len(tracks), dtype=np.int32),
                        "track_id": pa.array([t.track_id for t in tracks], pa.string()),
                        "name": pa.array([t.name for t in tracks], pa.string()),
                        "role": pa.array([t.role for t in tracks], pa.string()),
                        "program": np.array([t.program for t in tracks], np.uint8),
                        "is_drum": np.array([t.is_drum for t in tracks], np.bool_),
                        "channel": np.array([t.midi_channel for t in tracks], np.uint8),
                        "volume": np.array([t.mixer.volume for t in tracks], np.float64),
                        "pan": np.array([t.mixer.pan for t in tracks], np.float64),
                        "mute": np.array([t.mixer.mute for t in tracks], np.bool_),
                        "solo": np.array([t.mixer.solo for t in tracks], np.bool_),
                        "manifest_key": np.array(
                            [manifests[t.track_id][1] for t in tracks], np.int64
                        ),
                    }
                )
            )

    # -------------------------------------------------------------- commits
    def has_commit(self, commit_id: str) -> bool:
        """Whether a commit with this id is buffered or stored."""
        if commit_id in self._commits:
            return True
        if self._preloaded or commit_id in self._absent_commits:
            return False
        rows = self.conn.execute("SELECT 1 FROM commits WHERE commit_id = ?", [commit_id])
        return bool(rows.fetchall())

    def add_commit(self, commit: Commit, snapshot_key: int, author_kind: str) -> None:
        """Buffer one commit row."""
        self._commits.add(commit.commit_id)
        self.pending_commits += 1
        self._tables["commits"].append(
            pa.table(
                {
                    "commit_id": pa.array([commit.commit_id], pa.string()),
                    "project_id": pa.array([commit.project_id], pa.string()),
                    "parent_id": pa.array([commit.parent], pa.string()),
                    "parent2_id": pa.array([commit.parent2], pa.string()),
                    "snapshot_key": pa.array([snapshot_key], pa.int64()),
                    "snapshot_id": pa.array([commit.snapshot_id], pa.string()),
                    "generation": pa.array([commit.generation], pa.int32()),
                    "committed_at": pa.array([commit.committed_at_us], pa.int64()),
                    "author": pa.array([commit.author], pa.string()),
                    "author_kind": pa.array([author_kind], pa.string()),
                    "message": pa.array([commit.message], pa.string()),
                    "explanation": pa.array([commit.explanation], pa.string()),
                    "variation_id": pa.array([commit.variation_id], pa.string()),
                    "accepted_phrase_ids": pa.array(
                        [list(commit.accepted_phrase_ids)], pa.list_(pa.string())
                    ),
                    "affected_regions": pa.array(
                        [list(commit.affected_regions)], pa.list_(pa.string())
                    ),
                    "changeset": pa.array([commit.changeset_json], pa.string()),
                    "metadata": pa.array([commit.metadata_json], pa.string()),
                }
            )
        )

    def add_rows(self, table: str, data: pa.Table) -> None:
        """Buffer rows for ``table`` (columns in the table's order)."""
        self._tables[table].append(data)

    # ---------------------------------------------------------------- flush
    def flush(self) -> None:
        """Insert everything buffered, one statement per table, parents before children."""
        for table in _TABLE_ORDER:
            parts = self._tables.pop(table, [])
            if parts:
                batch_rows = parts[0] if len(parts) == 1 else pa.concat_tables(parts)
                # DuckDB reads the Arrow table by its Python name in this frame (a
                # replacement scan): ~20% cheaper than a from_arrow relation or a
                # registered view. ``conn`` must be the DuckDB connection itself.
                self.conn.execute(f"INSERT INTO {table} SELECT * FROM batch_rows")
                del batch_rows
        self.pending_commits = 0


def event_columns(events: ColumnarArray) -> dict[str, npt.NDArray[np.generic]]:
    """The stored columns of an event array (times as ticks), in table order."""
    if isinstance(events, NoteArray):
        return {
            "pitch": events.pitch,
            "velocity": events.velocity,
            "channel": events.channel,
            "start_tick": beats_to_ticks(events.start_beat),
            "duration_ticks": beats_to_ticks(events.duration_beats),
        }
    if isinstance(events, ControlChangeArray):
        return {"number": events.number, "value": events.value, "tick": beats_to_ticks(events.beat)}
    if isinstance(events, PitchBendArray):
        return {"value": events.value, "tick": beats_to_ticks(events.beat)}
    assert isinstance(events, AftertouchArray)
    return {"value": events.value, "tick": beats_to_ticks(events.beat), "pitch": events.pitch}


def _next_keys(conn: Connection) -> tuple[int, int, int]:
    """The next free ``object_key``, ``snapshot_key`` and ``manifest_key``."""
    row = first_row(
        conn.execute(
            "SELECT (SELECT coalesce(max(object_key), 0) FROM region_objects) + 1, "
            "(SELECT coalesce(max(snapshot_key), 0) FROM snapshots) + 1, "
            "(SELECT coalesce(max(manifest_key), 0) FROM manifests) + 1"
        ).fetchall()
    )
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2])
