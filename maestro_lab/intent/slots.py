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
_KEY_LEAD_RE: Final = re.compile(
    r"\b(?:in the key of|the key of|key of|key is|key to|key =|key:|key|into|to|in|of|it)\s+"
    r"|(?:^|\s)(?=(?-i:[A-G])(?:#|b|♯|♭)?m\b)",
    re.IGNORECASE,
)  # what may come before a key name ("to Am", "in the key of B♭", "key: Dm")
_KEY_WORD_RE: Final = re.compile(r"[^\s,.;!?()]+")
_KEY_WORDS_MAX: Final = 4  # "F sharp harmonic minor"
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


def find_key(text: str) -> tuple[str, int, int] | None:
    """The first key name in ``text``: its canonical form, start and end offsets.

    A key name must follow a word that introduces one (``in``, ``to``,
    ``into``, ``key``, ``key of``, ``the key of``, ``key:``, ``it``...) or be a
    tonic with an ``m`` suffix (``"Am"``, ``"F#m"``); the words after it are
    read by the one key parser (:func:`storpheus.theory.parse_key`, through
    :func:`maestro_lab.prompts.keys.normalise_key`), longest reading first,
    so every spelling it accepts is a key here too (``"Am"``, ``"B♭m"``,
    ``"Bb minor"``, ``"F sharp minor"``, ``"A flat major"``, ``"C dorian"``).
    A lone ``a`` followed by more words is the article ("to a synth"), as is
    ``a minor key``; ``am`` before ``i`` is the verb.

    >>> find_key("set key to Am")
    ('A minor', 11, 13)
    >>> find_key("a piece in the key of B♭ minor")[0], find_key("change it to a synth")
    ('Bb minor', None)
    """
    for lead in _KEY_LEAD_RE.finditer(text):
        contiguous: list[re.Match[str]] = []
        previous = lead.end()
        for word in _KEY_WORD_RE.finditer(text, lead.end()):
            if text[previous : word.start()].strip() or len(contiguous) == _KEY_WORDS_MAX:
                break  # punctuation ends the name ("in Bm, at 96 BPM")
            contiguous.append(word)
            previous = word.end()
        for count in range(len(contiguous), 0, -1):
            span = contiguous[:count]
            candidate = " ".join(w.group(0) for w in span)
            rest = text[span[-1].end() :].lstrip().lower()
            if _article_or_verb(candidate, rest, lead.group(0)):
                continue
            try:
                return normalise_key(candidate), span[0].start(), span[-1].end()
            except InvalidKeyError:
                continue
    return None


def mark_key(text: str, marker: str = "<key>") -> str:
    """``text`` with its first key name (see :func:`find_key`) replaced by ``marker``.

    >>> mark_key("set key to am")
    'set key to <key>'
    """
    found = find_key(text)
    if found is None:
        return text
    return text[: found[1]] + marker + text[found[2] :]


def _article_or_verb(candidate: str, rest: str, lead: str) -> bool:
    lowered = candidate.lower()
    if lowered == "a" and rest and rest[0].isalpha() and "key" not in lead.lower():
        return True  # "to a synth", "in a minute": the article
    if lowered.startswith("a ") and rest.startswith("key") and "key" not in lead.lower():
        return True  # "in a minor key": no key named
    return lowered == "am" and (rest == "i" or rest.startswith(("i ", "i'")))


def _key(text: str) -> str | None:
    found = find_key(text)
    return found[0] if found is not None else None
