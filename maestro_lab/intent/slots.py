"""Slots read from natural language: tempo, key, bars, style, sections, energy words.

These are the values a structured prompt would have given as fields; the
planner uses them to turn a natural-language compose request into a
:class:`~maestro_lab.prompts.MaestroPrompt`.

Example
-------
>>> s = extract_slots("A 32-bar reggaeton track: intro, verse and chorus in Bm at 96 BPM")
>>> s.tempo, s.key, s.bars, s.style, s.sections
(96, 'B minor', 32, 'reggaeton', ('intro', 'verse', 'chorus'))
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from maestro_lab.errors import InvalidKeyError
from maestro_lab.prompts.keys import normalise_key
from storpheus.styles import find_style
from storpheus.theory import KEY_MODES, MODE_ALIASES

_TEMPO_RE: Final = re.compile(r"\b(\d{2,3})\s*(?:bpm|beats per minute)\b")
_AT_TEMPO_RE: Final = re.compile(
    r"\b(?:at|tempo|bpm)\s+(?:to\s+|of\s+|=\s*)?(\d{2,3})\b(?!\s*(?:bars?|beats?|%|measures?))"
)
_BARS_RE: Final = re.compile(r"\b(\d{1,3})[- ]?(?:bars?|measures?)\b")
_MODE_WORDS: Final = "|".join(
    sorted(
        {*KEY_MODES, *(a for a, m in MODE_ALIASES.items() if m in KEY_MODES)} - {""},
        key=lambda w: (-len(w), w),
    )
)  # the one key vocabulary: every mode name prompts, tools and backends read, longest first
_KEY_RE: Final = re.compile(
    r"\b(?:in(?: the key of)?|key(?: of| is|:)?)\s+([A-Ga-g](?:#|b|♯|♭| sharp| flat)?"
    rf"(?:\s*(?:{_MODE_WORDS})\b)?)"
    r"(?=[\s,.;!?]|$)"
)
_SECTION_RE: Final = re.compile(
    r"\b(intro|verse|pre-?chorus|chorus|bridge|breakdown|build-?up|drop|outro|hook|interlude)s?\b"
)
_SECTION_CANON: Final = {"prechorus": "pre-chorus", "buildup": "build-up", "build up": "build-up"}
_ENERGY_RE: Final = re.compile(
    r"\b(very low|very high|low|medium|high)[- ]energy\b|\benergy (?:is |of )?(very low|very high"
    r"|low|medium|high)\b"
)


@dataclass(frozen=True)
class Slots:
    """Values read from a request; ``None``/empty when the text does not say."""

    tempo: int | None = None
    key: str | None = None
    bars: int | None = None
    style: str | None = None
    sections: tuple[str, ...] = ()
    energy: str | None = None

    def items(self) -> tuple[tuple[str, str | int], ...]:
        """Non-empty slots as ``(name, value)`` pairs (sections comma-joined)."""
        out: list[tuple[str, str | int]] = []
        for name in ("tempo", "key", "bars", "style", "energy"):
            value = getattr(self, name)
            if value is not None:
                out.append((name, value))
        if self.sections:
            out.append(("sections", ", ".join(self.sections)))
        return tuple(out)


def extract_slots(text: str) -> Slots:
    """Read tempo, key, bars, style, section names and energy from ``text``."""
    lowered = text.lower()
    tempo = _tempo(lowered)
    key = _key(text)
    bars_match = _BARS_RE.search(lowered)
    bars = int(bars_match.group(1)) if bars_match else None
    if bars is not None and not 1 <= bars <= 256:
        bars = None
    style_match = find_style(lowered)
    style = style_match.alias if style_match.matched else None
    sections: list[str] = []
    for found in _SECTION_RE.finditer(lowered):
        name = _SECTION_CANON.get(found.group(1).replace("-", ""), found.group(1))
        if name not in sections:
            sections.append(name)
    energy_match = _ENERGY_RE.search(lowered)
    energy = (energy_match.group(1) or energy_match.group(2)) if energy_match else None
    return Slots(tempo, key, bars, style, tuple(sections), energy)


def _tempo(lowered: str) -> int | None:
    for pattern in (_TEMPO_RE, _AT_TEMPO_RE):
        found = pattern.search(lowered)
        if found and 20 <= int(found.group(1)) <= 300:
            return int(found.group(1))
    return None


def _key(text: str) -> str | None:
    for found in _KEY_RE.finditer(text):
        candidate = found.group(1)
        after = text[found.end() :].lstrip().lower()
        if candidate[0] == "a" and (len(candidate) == 1 or after.startswith("key")):
            continue  # "in a ..." / "in a minor key": an article, not A major
        try:
            return normalise_key(candidate)
        except InvalidKeyError:
            continue
    return None
