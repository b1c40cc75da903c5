"""Deterministic entity ids: derived from names, never from a clock or a random UUID.

A track named ``"Lead Synth"`` gets the id ``lead-synth``; its region named
``"Chorus 2"`` gets ``lead-synth/chorus-2``; ``"Café Keys"`` gets
``cafe-keys`` (accents folded to ASCII). A clash with an existing id appends
``-2``, ``-3``... so the same sequence of names always yields the same ids.
This is the one slug of the project: Muse (tracks of a committed MIDI file)
and the tool layer (tracks a composition creates) both use it.

Example
-------
>>> slug("Lead Synth #1"), slug("Café Keys"), unique_id("bass", {"bass", "bass-2"})
('lead-synth-1', 'cafe-keys', 'bass-3')
>>> track_ids(["Bass", "bass", ""])
['bass', 'bass-2', 'track-3']
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container, Sequence
from typing import Final

MAX_SLUG: Final = 80
"""Longest slug (characters); longer names are cut."""

_NON_WORD: Final = re.compile(r"[^a-z0-9]+")


def slug(name: str, default: str = "item") -> str:
    """Lower-case ASCII words joined by ``-`` (``default`` if nothing is left)."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    text = _NON_WORD.sub("-", ascii_text.lower()).strip("-")
    return text[:MAX_SLUG].strip("-") or default


def unique_id(base: str, taken: Container[str]) -> str:
    """``base``, or ``base-2``, ``base-3``... whichever is not ``taken`` first."""
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def track_ids(names: Sequence[str]) -> list[str]:
    """Stable, unique track ids for track names in order (``"track-<n>"`` for an empty name)."""
    out: list[str] = []
    used: set[str] = set()
    for i, name in enumerate(names):
        candidate = unique_id(slug(name, f"track-{i + 1}"), used)
        used.add(candidate)
        out.append(candidate)
    return out
