"""Content ids of Muse objects: region objects, project snapshots and commits.

All ids are SHA-256 hex digests over canonical serialisations, so the same
content has the same id in every process and on every machine:

* a **region object** id covers the region's notes, CC, pitch bends and
  aftertouch (times relative to the region start), through
  :func:`storpheus.identity.content_id` of each array;
* a **snapshot** id covers tempo, meter, key, the ordered tracks (with their
  mixer) and every region's placement (track, name, start, duration in ticks)
  and object id, regions ordered by id;
* a **commit** id covers the project, the parents (in order), the snapshot id
  and all metadata, timestamp included.

Each kind is hashed under its own versioned domain string
(``muse.region.v1``...), so ids of different kinds never collide.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

from muse_duckdb.model.digest import HEX_DIGITS, canonical_json, is_hex_prefix, json_digest
from storpheus.identity import IDENTITY_TICKS_PER_QUARTER

TPQ: Final = IDENTITY_TICKS_PER_QUARTER
"""Muse stores every time in integer ticks at this resolution (960 per quarter note)."""


def beats_to_ticks(beats: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Beats to integer ticks at :data:`TPQ`, rounding half to even (as content ids do)."""
    return np.rint(np.asarray(beats, dtype=np.float64) * TPQ).astype(np.int64)


def ticks_to_beats(ticks: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Integer ticks back to beats (exact for every tick count below 2**53)."""
    return np.asarray(ticks, dtype=np.int64) / TPQ


def beat_to_tick(beat: float) -> int:
    """One beat position to ticks."""
    return int(np.rint(float(beat) * TPQ))


__all__ = [
    "HEX_DIGITS",
    "TPQ",
    "beat_to_tick",
    "beats_to_ticks",
    "canonical_json",
    "is_hex_prefix",
    "json_digest",
    "ticks_to_beats",
]
