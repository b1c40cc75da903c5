"""The object store: region objects and project snapshots in DuckDB.

Writes are bulk: the events of every new region object go in with one
``INSERT ... SELECT`` per event table from an Arrow table, never a Python
loop of ``INSERT`` statements. Objects and snapshots are content-addressed
and immutable, so writing one that already exists is a no-op: a commit that
changes one region stores one new region object.

Reads come back as normalised :class:`~muse_duckdb.project.ProjectState`
values carrying their known ids, so nothing is re-hashed on checkout.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from muse_duckdb.database import first_row
from muse_duckdb.ids import beats_to_ticks, ticks_to_beats
from muse_duckdb.project import Mixer, ProjectState, RegionState, TrackState
from storpheus.events import AftertouchArray, ControlChangeArray, PitchBendArray
from storpheus.notes import NoteArray
from storpheus.score import TimeSignature

Connection = duckdb.DuckDBPyConnection
Events = tuple[NoteArray, ControlChangeArray, PitchBendArray, AftertouchArray]

_EVENT_TABLES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("notes", "object_notes", ("pitch", "velocity", "channel", "start_tick", "duration_ticks")),
    ("cc", "object_cc", ("number", "value", "tick")),
    ("bends", "object_bends", ("value", "tick")),
    ("aftertouch", "object_aftertouch", ("value", "tick", "pitch")),
)
_ORDER = {
    "notes": "start_tick, pitch, channel, duration_ticks, velocity",
    "cc": "tick, number, value",
    "bends": "tick, value",
    "aftertouch": "tick, pitch, value",
}


# -------------------------------------------------------------------- write
def store_objects(conn: Connection, regions: Iterable[RegionState]) -> dict[str, int]:
    """Store the region objects not yet present; return ``object_id -> object_key``."""
    unique: dict[str, RegionState] = {}
    for region in regions:
        unique.setdefault(region.object_id, region)
    if not unique:
        return {}
    keys = object_keys(conn, list(unique))
    missing = [oid for oid in unique if oid not in keys]
    if not missing:
        return keys
    first = _next_key(conn, "region_objects", "object_key")
    new_keys = {oid: first + i for i, oid in enumerate(missing)}
    new_regions = [unique[oid] for oid in missing]
    key_col = np.fromiter(new_keys.values(), dtype=np.int64, count=len(new_keys))
    insert_arrow(
        conn,
        "region_objects",
        pa.table(
            {
                "object_key": key_col,
                "object_id": pa.array(missing, pa.string()),
                "n_notes": np.array([len(r.notes) for r in new_regions], np.int32),
                "n_cc": np.array([len(r.cc) for r in new_regions], np.int32),
                "n_bends": np.array([len(r.bends) for r in new_regions], np.int32),
                "n_aftertouch": np.array([len(r.aftertouch) for r in new_regions], np.int32),
            }
        ),
    )
    for attr, table, _cols in _EVENT_TABLES:
        arrays = [getattr(r, attr) for r in new_regions]
        counts = np.array([len(a) for a in arrays], dtype=np.int64)
        if not counts.sum():
            continue
        kind = type(arrays[0])
        joined = kind.concat(arrays)
        columns: dict[str, npt.NDArray[np.generic]] = {"object_key": np.repeat(key_col, counts)}
        columns.update(_event_columns(attr, joined))
        insert_arrow(conn, table, pa.table(columns))
    keys.update(new_keys)
    return keys


def store_snapshot(conn: Connection, state: ProjectState) -> int:
    """Store a project snapshot (and its new objects); return its ``snapshot_key``."""
    sid = state.snapshot_id
    row = first_row(
        conn.execute("SELECT snapshot_key FROM snapshots WHERE snapshot_id = ?", [sid]).fetchall()
    )
    if row is not None:
        return int(row[0])
    keys = store_objects(conn, state.regions)
    key = _next_key(conn, "snapshots", "snapshot_key")
    conn.execute(
        "INSERT INTO snapshots VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            key,
            sid,
            state.bpm,
            state.time_signature.numerator,
            state.time_signature.denominator,
            state.key,
            len(state.tracks),
            len(state.regions),
            state.n_notes,
        ],
    )
    tracks = state.tracks
    if tracks:
        insert_arrow(
            conn,
            "snapshot_tracks",
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
                }
            ),
        )
    regions = state.regions
    if regions:
        insert_arrow(
            conn,
            "snapshot_regions",
            pa.table(
                {
                    "snapshot_key": np.full(len(regions), key, np.int64),
                    "region_id": pa.array([r.region_id for r in regions], pa.string()),
                    "track_id": pa.array([r.track_id for r in regions], pa.string()),
                    "name": pa.array([r.name for r in regions], pa.string()),
                    "start_tick": np.array([r.start_tick for r in regions], np.int64),
                    "duration_ticks": np.array([r.duration_ticks for r in regions], np.int64),
                    "object_key": np.array([keys[r.object_id] for r in regions], np.int64),
                }
            ),
        )
    return key


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


# --------------------------------------------------------------------- read
def snapshot_key(conn: Connection, snapshot_id: str) -> int | None:
    """The surrogate key of a stored snapshot, or ``None``."""
    row = first_row(
        conn.execute(
            "SELECT snapshot_key FROM snapshots WHERE snapshot_id = ?", [snapshot_id]
        ).fetchall()
    )
    return None if row is None else int(row[0])


def load_snapshot(conn: Connection, snapshot_id: str) -> ProjectState:
    """The project state of a stored snapshot (``KeyError`` if absent)."""
    row = first_row(
        conn.execute(
            "SELECT snapshot_key, bpm, ts_numerator, ts_denominator, key "
            "FROM snapshots WHERE snapshot_id = ?",
            [snapshot_id],
        ).fetchall()
    )
    if row is None:
        raise KeyError(f"snapshot {snapshot_id} is not stored")
    key, bpm, num, den, music_key = row
    track_rows = conn.execute(
        "SELECT track_id, name, program, is_drum, channel, role, volume, pan, mute, solo "
        "FROM snapshot_tracks WHERE snapshot_key = ? ORDER BY position",
        [key],
    ).fetchall()
    tracks = tuple(
        TrackState(
            track_id=tid,
            name=name,
            program=int(program),
            is_drum=bool(drum),
            channel=int(channel),
            role=role,
            mixer=Mixer(float(volume), float(pan), bool(mute), bool(solo)),
        )
        for tid, name, program, drum, channel, role, volume, pan, mute, solo in track_rows
    )
    region_rows = conn.execute(
        "SELECT r.region_id, r.track_id, r.name, r.start_tick, r.duration_ticks, "
        "r.object_key, o.object_id FROM snapshot_regions r "
        "JOIN region_objects o ON o.object_key = r.object_key "
        "WHERE r.snapshot_key = ? ORDER BY r.region_id",
        [key],
    ).fetchall()
    events = load_objects(conn, sorted({int(r[5]) for r in region_rows}))
    regions = tuple(
        RegionState._trusted(rid, tid, int(start), int(dur), name, events[int(okey)], oid)
        for rid, tid, name, start, dur, okey, oid in region_rows
    )
    state = ProjectState(
        tracks=tracks,
        regions=regions,
        bpm=int(bpm),
        time_signature=TimeSignature(int(num), int(den)),
        key=music_key,
    )
    object.__setattr__(state, "_snapshot_id", snapshot_id)
    return state


def load_objects(conn: Connection, keys: Sequence[int]) -> dict[int, Events]:
    """The events of region objects by ``object_key``, in canonical order."""
    out: dict[int, Events] = {}
    if not keys:
        return out
    key_list = [int(k) for k in keys]
    counts = first_row(
        conn.execute(
            "SELECT sum(n_notes), sum(n_cc), sum(n_bends), sum(n_aftertouch) FROM region_objects "
            "WHERE object_key IN (SELECT unnest(?::BIGINT[]))",
            [key_list],
        ).fetchall()
    )
    totals = [int(x or 0) for x in counts] if counts else [0, 0, 0, 0]
    per_kind: list[dict[int, object]] = []
    for (attr, table, cols), total in zip(_EVENT_TABLES, totals, strict=True):
        if not total:
            per_kind.append({})
            continue
        data = conn.execute(
            f"SELECT object_key, {', '.join(cols)} FROM {table} "
            "WHERE object_key IN (SELECT unnest(?::BIGINT[])) "
            f"ORDER BY object_key, {_ORDER[attr]}",
            [key_list],
        ).fetchnumpy()
        per_kind.append(_split(attr, {k: np.asarray(v) for k, v in data.items()}))
    empty: Events = (
        NoteArray.empty(),
        ControlChangeArray.empty(),
        PitchBendArray.empty(),
        AftertouchArray.empty(),
    )
    for k in key_list:
        notes = per_kind[0].get(k, empty[0])
        cc = per_kind[1].get(k, empty[1])
        bends = per_kind[2].get(k, empty[2])
        aftertouch = per_kind[3].get(k, empty[3])
        assert isinstance(notes, NoteArray)
        assert isinstance(cc, ControlChangeArray)
        assert isinstance(bends, PitchBendArray)
        assert isinstance(aftertouch, AftertouchArray)
        out[k] = (notes, cc, bends, aftertouch)
    return out


# ------------------------------------------------------------------ helpers
def _event_columns(attr: str, events: object) -> dict[str, npt.NDArray[np.generic]]:
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
    assert isinstance(events, AftertouchArray), attr
    return {"value": events.value, "tick": beats_to_ticks(events.beat), "pitch": events.pitch}


def _split(attr: str, data: Mapping[str, npt.NDArray[np.generic]]) -> dict[int, object]:
    keys = data["object_key"].astype(np.int64)
    bounds = np.flatnonzero(np.diff(keys)) + 1
    starts = np.concatenate([[0], bounds])
    ends = np.concatenate([bounds, [len(keys)]])
    out: dict[int, object] = {}
    for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
        sl = slice(s, e)
        if attr == "notes":
            out[int(keys[s])] = NoteArray(
                pitch=data["pitch"][sl],
                velocity=data["velocity"][sl],
                start_beat=ticks_to_beats(data["start_tick"][sl]),
                duration_beats=ticks_to_beats(data["duration_ticks"][sl]),
                channel=data["channel"][sl],
            )
        elif attr == "cc":
            out[int(keys[s])] = ControlChangeArray(
                number=data["number"][sl],
                value=data["value"][sl],
                beat=ticks_to_beats(data["tick"][sl]),
            )
        elif attr == "bends":
            out[int(keys[s])] = PitchBendArray(
                value=data["value"][sl], beat=ticks_to_beats(data["tick"][sl])
            )
        else:
            out[int(keys[s])] = AftertouchArray(
                value=data["value"][sl],
                beat=ticks_to_beats(data["tick"][sl]),
                pitch=data["pitch"][sl],
            )
    return out


def _next_key(conn: Connection, table: str, column: str) -> int:
    row = first_row(conn.execute(f"SELECT coalesce(max({column}), 0) + 1 FROM {table}").fetchall())
    assert row is not None
    return int(row[0])


def insert_arrow(conn: Connection, table: str, data: pa.Table) -> None:
    """Bulk-insert an Arrow table into ``table`` (columns matched by name)."""
    name = f"_muse_in_{table}"
    conn.register(name, data)
    try:
        cols = ", ".join(data.schema.names)
        conn.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {name}")
    finally:
        conn.unregister(name)
