"""Deterministic entity ids: derived from names, never from a clock or a random UUID.

A track named ``"Lead Synth"`` gets the id ``lead-synth``; its region named
``"Chorus 2"`` gets ``lead-synth/chorus-2``; the bus ``"Reverb"`` gets
``bus/reverb``. A clash with an existing id appends ``-2``, ``-3``... so the
same sequence of tool calls always yields the same ids.

Example
-------
>>> slug("Lead Synth #1"), unique_id("bass", {"bass", "bass-2"})
('lead-synth-1', 'bass-3')
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container

_NON_WORD = re.compile(r"[^a-z0-9]+")


def slug(name: str, default: str = "item") -> str:
    """Lower-case ASCII words joined by ``-`` (``default`` if nothing is left)."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    text = _NON_WORD.sub("-", ascii_text.lower()).strip("-")
    return text[:80] or default


def unique_id(base: str, taken: Container[str]) -> str:
    """``base``, or ``base-2``, ``base-3``... whichever is not ``taken`` first."""
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"
