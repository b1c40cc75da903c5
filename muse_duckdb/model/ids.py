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

import hashlib
import json
from collections.abc import Mapping
from typing import Final

import numpy as np
import numpy.typing as npt

from storpheus.identity import IDENTITY_TICKS_PER_QUARTER

TPQ: Final = IDENTITY_TICKS_PER_QUARTER
"""Muse stores every time in integer ticks at this resolution (960 per quarter note)."""

HEX_DIGITS: Final = frozenset("0123456789abcdef")


def beats_to_ticks(beats: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Beats to integer ticks at :data:`TPQ`, rounding half to even (as content ids do)."""
    return np.rint(np.asarray(beats, dtype=np.float64) * TPQ).astype(np.int64)


def ticks_to_beats(ticks: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Integer ticks back to beats (exact for every tick count below 2**53)."""
    return np.asarray(ticks, dtype=np.int64) / TPQ


def beat_to_tick(beat: float) -> int:
    """One beat position to ticks."""
    return int(np.rint(float(beat) * TPQ))


def json_digest(domain: str, doc: Mapping[str, object]) -> str:
    """SHA-256 of ``domain`` and the canonical JSON of ``doc`` (sorted keys, no spaces)."""
    text = canonical_json(doc)
    return hashlib.sha256(f"{domain}\0{text}".encode()).hexdigest()


def canonical_json(doc: object) -> str:
    """Canonical JSON text: sorted keys, no whitespace, UTF-8 kept as is."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def is_hex_prefix(text: str) -> bool:
    """Whether ``text`` could be the start of an id (lower-case hex)."""
    return bool(text) and set(text) <= HEX_DIGITS
