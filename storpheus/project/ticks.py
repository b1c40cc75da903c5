"""The identity grid of the project model: times in integer ticks, content ids by SHA-256.

A project keeps every time on a grid of :data:`TPQ` (960) ticks per quarter
note, so the same music always has the same content id
(:func:`json_digest` over canonical JSON, under a versioned domain string).

>>> beat_to_tick(1.5), float(ticks_to_beats([1440])[0])
(1440, 1.5)
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
"""Ticks per quarter note of every stored time (960)."""


def beats_to_ticks(beats: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Beats to integer ticks at :data:`TPQ`, rounding half to even (as content ids do)."""
    return np.rint(np.asarray(beats, dtype=np.float64) * TPQ).astype(np.int64)


def ticks_to_beats(ticks: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Integer ticks back to beats (exact for every tick count below 2**53)."""
    return np.asarray(ticks, dtype=np.int64) / TPQ


def beat_to_tick(beat: float) -> int:
    """One beat position to ticks."""
    return int(np.rint(float(beat) * TPQ))


def canonical_json(doc: object) -> str:
    """Canonical JSON text: sorted keys, no whitespace, UTF-8 kept as is."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def json_digest(domain: str, doc: Mapping[str, object]) -> str:
    """SHA-256 of ``domain`` and the canonical JSON of ``doc`` (sorted keys, no spaces)."""
    text = canonical_json(doc)
    return hashlib.sha256(f"{domain}\0{text}".encode()).hexdigest()
