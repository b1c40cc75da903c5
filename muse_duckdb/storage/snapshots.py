"""Reading the object store: project snapshots and region objects from DuckDB.

(Writes are in :mod:`muse_duckdb.storage.batch`.) Each kind of event of all the
requested objects comes back with one query, fetched as numpy columns and
split per object. Reads come back as normalised :class:`~muse_duckdb.project.ProjectState`
values carrying their known ids, so nothing is re-hashed on checkout.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import duckdb
import numpy as np
import numpy.typing as npt

from muse_duckdb.model.ids import ticks_to_beats
from muse_duckdb.project import Mixer, ProjectState, RegionState, TrackState
from muse_duckdb.storage.database import first_row
from storpheus.columnar import ColumnarArray
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
    """The project state of a stored snapshot (``KeyError`` if absent).

    Two queries: the snapshot with its tracks and regions (joined), then the
    events of its region objects.
    """
    rows = conn.execute(
        "SELECT s.bpm, s.ts_numerator, s.ts_denominator, s.key, t.position, t.track_id, "
        "t.name, t.program, t.is_drum, t.channel, t.role, t.volume, t.pan, t.mute, t.solo, "
        "m.region_id, m.name, m.start_tick, m.duration_ticks, m.object_key, o.object_id, "
        "o.n_notes, o.n_cc, o.n_bends, o.n_aftertouch FROM snapshots s "
        "LEFT JOIN snapshot_tracks t ON t.snapshot_key = s.snapshot_key "
        "LEFT JOIN manifest_regions m ON m.manifest_key = t.manifest_key "
        "LEFT JOIN region_objects o ON o.object_key = m.object_key "
        "WHERE s.snapshot_id = ?",
        [snapshot_id],
    ).fetchall()
    if not rows:
        raise KeyError(f"snapshot {snapshot_id} is not stored")
    bpm, num, den, music_key = rows[0][:4]
    track_rows = {int(r[4]): r[5:15] for r in rows if r[4] is not None}
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
        for tid, name, program, drum, channel, role, volume, pan, mute, solo in (
            track_rows[position] for position in sorted(track_rows)
        )
    )
    region_rows = sorted(r[15:20] + r[5:6] + r[20:] for r in rows if r[15] is not None)
    objects = {int(r[4]): r[7:] for r in region_rows}
    totals = [sum(int(n[i]) for n in objects.values()) for i in range(len(_EVENT_TABLES))]
    events = load_objects(conn, sorted(objects), totals)
    regions = tuple(
        RegionState._trusted(rid, tid, int(start), int(dur), name, events[int(okey)], oid)
        for rid, name, start, dur, okey, tid, oid, *_counts in region_rows
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


def load_objects(
    conn: Connection, keys: Sequence[int], totals: Sequence[int] | None = None
) -> dict[int, Events]:
    """The events of region objects by ``object_key``, in canonical order.

    ``totals`` are the numbers of notes, CC, bends and aftertouch events of
    these objects if the caller knows them (event tables with none are not
    queried); otherwise they are read first.
    """
    out: dict[int, Events] = {}
    if not keys:
        return out
    key_list = [int(k) for k in keys]
    if totals is None:
        counts = first_row(
            conn.execute(
                "SELECT sum(n_notes), sum(n_cc), sum(n_bends), sum(n_aftertouch) "
                "FROM region_objects WHERE object_key IN (SELECT unnest(?::BIGINT[]))",
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
def _split(attr: str, data: Mapping[str, npt.NDArray[np.generic]]) -> dict[int, object]:
    """One event array per object, from rows sorted by object key.

    The rows of all objects are validated once, as one array, then sliced
    per object (slices of a validated array need no validation).
    """
    keys = data["object_key"].astype(np.int64)
    bounds = np.flatnonzero(np.diff(keys)) + 1
    starts = np.concatenate([[0], bounds])
    ends = np.concatenate([bounds, [len(keys)]])
    whole: ColumnarArray
    if attr == "notes":
        whole = NoteArray(
            pitch=data["pitch"],
            velocity=data["velocity"],
            start_beat=ticks_to_beats(data["start_tick"]),
            duration_beats=ticks_to_beats(data["duration_ticks"]),
            channel=data["channel"],
        )
    elif attr == "cc":
        whole = ControlChangeArray(
            number=data["number"], value=data["value"], beat=ticks_to_beats(data["tick"])
        )
    elif attr == "bends":
        whole = PitchBendArray(value=data["value"], beat=ticks_to_beats(data["tick"]))
    else:
        whole = AftertouchArray(
            value=data["value"], beat=ticks_to_beats(data["tick"]), pitch=data["pitch"]
        )
    return {int(keys[s]): whole[s:e] for s, e in zip(starts.tolist(), ends.tolist(), strict=True)}
