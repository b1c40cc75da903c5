"""Content identity: the same music always has the same id.

``content_id`` is SHA-256 over a canonical byte serialisation:

* times are integer ticks at :data:`IDENTITY_TICKS_PER_QUARTER` (960 per
  quarter note) — ``round(beats * 960)``, ties to even — so float noise below
  half a tick never changes an id; a note's duration is at least one tick;
* rows are sorted canonically (onset, pitch, channel, duration, velocity for
  notes), so the order notes happen to have in memory does not matter;
* integers are fixed-width little-endian, strings UTF-8 inside canonical JSON
  (sorted keys, no whitespace), each object kind tagged with a versioned
  domain string (``storpheus.notes.v1``...), so a note array and a CC array
  with the same bytes never collide.

Nothing depends on Python's ``hash``, dict order or the platform's byte
order. A track id covers its name, role, program, drum flag, channel and the
ids of its notes and controller events; a score id covers tempo, meter, key
and the ordered track ids (not the file's source resolution).

Example
-------
>>> from storpheus.notes import NoteArray
>>> a = NoteArray([60, 64], 90, [0.0, 1.0], 1.0)
>>> b = NoteArray([64, 60], 90, [1.0 + 1e-9, 0.0], 1.0)
>>> content_id(a) == content_id(b)
True
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Final

import numpy as np
import numpy.typing as npt

from storpheus.columnar import ColumnarArray
from storpheus.events import AftertouchArray, ControlChangeArray, PitchBendArray
from storpheus.notes import NoteArray
from storpheus.score import Score, Track

IDENTITY_TICKS_PER_QUARTER: Final = 960
"""The fixed resolution of content identity, in ticks per quarter note."""

Identifiable = NoteArray | ControlChangeArray | PitchBendArray | AftertouchArray | Track | Score


def to_ticks(
    beats: npt.NDArray[np.float64], tpq: int = IDENTITY_TICKS_PER_QUARTER
) -> npt.NDArray[np.int64]:
    """Beats to integer ticks at ``tpq``, rounding half to even."""
    return np.rint(beats * tpq).astype(np.int64)


def content_id(obj: Identifiable) -> str:
    """SHA-256 hex digest identifying ``obj`` by content (see the module docstring)."""
    if isinstance(obj, Score):
        return _score_id(obj)
    if isinstance(obj, Track):
        return _track_id(obj)
    return _array_id(obj)


def _array_id(arr: ColumnarArray) -> str:
    kind = {
        NoteArray: "notes",
        ControlChangeArray: "cc",
        PitchBendArray: "bends",
        AftertouchArray: "aftertouch",
    }[type(arr)]
    canonical = _canonical_columns(arr)
    order = np.lexsort([canonical[k] for k in reversed(arr.SORT_KEYS)])
    digest = hashlib.sha256(f"storpheus.{kind}.v1\0".encode())
    digest.update(np.int64(len(arr)).astype("<i8").tobytes())
    for spec in arr.COLUMNS:
        col = canonical[spec.name][order]
        digest.update(col.astype(col.dtype.newbyteorder("<"), copy=False).tobytes())
    return digest.hexdigest()


def _canonical_columns(arr: ColumnarArray) -> dict[str, npt.NDArray[np.generic]]:
    cols: dict[str, npt.NDArray[np.generic]] = {}
    for spec in arr.COLUMNS:
        col = arr.column(spec.name)
        if col.dtype.kind == "f":
            ticks = to_ticks(col.astype(np.float64))
            if spec.name == "duration_beats":
                ticks = np.maximum(ticks, 1)
            cols[spec.name] = ticks
        else:
            cols[spec.name] = col.astype(np.int64)
    return cols


def _track_id(track: Track) -> str:
    doc = {
        "name": track.name,
        "role": track.role,
        "program": track.program,
        "is_drum": track.is_drum,
        "channel": track.channel,
        "notes": _array_id(track.notes),
        "cc": _array_id(track.cc),
        "bends": _array_id(track.bends),
        "aftertouch": _array_id(track.aftertouch),
    }
    return _json_digest("storpheus.track.v1", doc)


def _score_id(score: Score) -> str:
    doc = {
        "bpm": int(score.bpm),
        "time_signature": [score.time_signature.numerator, score.time_signature.denominator],
        "key": score.key,
        "tracks": [_track_id(t) for t in score.tracks],
    }
    return _json_digest("storpheus.score.v1", doc)


def _json_digest(domain: str, doc: Mapping[str, object]) -> str:
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{domain}\0{text}".encode()).hexdigest()
