"""Choosing a primer phrase: style, then role, then the nearest key.

:func:`select_seed` resolves the style the way the embedded backend does
(exact name, alias, substring, else the default style), takes the role's
seeds (``keys``/``pads`` fall back to ``chords``, ``lead`` to ``melody``),
prefers seeds in the same mode family whose tonic is nearest, and
transposes by the shortest signed distance. Drum seeds are never
transposed. Ties are broken with the caller's generator.

Example
-------
>>> import numpy as np
>>> chosen = select_seed("deep house", "bass", "B minor", np.random.default_rng(0))
>>> chosen.info.style, chosen.style_match, abs(chosen.transpose) <= 6
('house', 'alias', True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from storpheus.errors import InvalidRequestError, MidiRangeError, SeedNotFoundError
from storpheus.notes import NoteArray
from storpheus.score import Score, Track
from storpheus.seeds.library import SeedInfo, load_index, seed_notes
from storpheus.styles import DEFAULT_STYLE, MatchKind, resolve_style
from storpheus.theory import KEY_MODES, MIXED_NAMES, Key, interval_between, parse_key

ROLE_FALLBACKS: dict[str, tuple[str, ...]] = {
    "drums": ("drums",),
    "bass": ("bass",),
    "chords": ("chords",),
    "keys": ("keys", "chords"),
    "pads": ("pads", "chords"),
    "melody": ("melody", "lead"),
    "lead": ("lead", "melody"),
    "arp": ("arp", "chords"),
}
"""Roles tried, in order, for each requested role."""


@dataclass(frozen=True)
class SelectedSeed:
    """A chosen seed, transposed to the requested key."""

    info: SeedInfo
    notes: NoteArray
    transpose: int
    style_match: MatchKind
    role: str

    def to_score(self) -> Score:
        """The transposed phrase as a one-track score at the seed's tempo (for ``input_midi``)."""
        is_drum = self.info.role == "drums"
        track = Track(self.info.seed_id, self.notes, is_drum=is_drum, role=self.info.role)
        return Score(tracks=(track,), bpm=self.info.bpm, key=self.key)

    def midi_bytes(self) -> bytes:
        """The transposed phrase as Standard MIDI File bytes."""
        from storpheus.io import score_to_midi_bytes

        return score_to_midi_bytes(self.to_score())

    @property
    def key(self) -> str | None:
        """The key the notes are in after transposition (``None`` for drums)."""
        if self.info.key is None:
            return None
        key = _read_key(self.info.key)
        tonic = (key.tonic + self.transpose) % 12
        return Key(tonic, key.mode, spelling=MIXED_NAMES[tonic]).name


def _read_key(text: str) -> Key:
    return parse_key(text, modes=KEY_MODES)


def _mode_family(key: Key) -> bool:
    return key.is_minor


def _key_cost(seed_key: Key, target: Key) -> tuple[int, int, int]:
    """(mode mismatch, |shift|, shift) from a seed key to the target key."""
    if _mode_family(seed_key) == _mode_family(target):
        shift = interval_between(seed_key.tonic, target.tonic)
        return (0, abs(shift), shift)
    # different mode family: transpose so the relative keys line up
    relative = (seed_key.tonic + (3 if seed_key.is_minor else -3)) % 12
    shift = interval_between(relative, target.tonic)
    return (1, abs(shift), shift)


def select_seed(style: str, role: str, key: str | None, rng: np.random.Generator) -> SelectedSeed:
    """The primer phrase for ``style`` and ``role``, transposed to ``key``.

    Raises
    ------
    InvalidRequestError
        ``key`` cannot be read (field ``"key"``).
    SeedNotFoundError
        No seed exists for the role (nor its fallbacks) in the style or the
        default style (e.g. ``fx``).
    """
    resolution = resolve_style(style)
    target = None
    if key is not None:
        try:
            target = _read_key(key)
        except ValueError as exc:
            raise InvalidRequestError("key", key, str(exc)) from None
    index = load_index()
    match: MatchKind = resolution.match
    pool: list[SeedInfo] = []
    used_role = role
    for style_name in (resolution.profile.id, DEFAULT_STYLE):
        for candidate_role in ROLE_FALLBACKS.get(role, (role,)):
            pool = [s for s in index if s.style == style_name and s.role == candidate_role]
            if pool:
                used_role = candidate_role
                break
        if pool:
            if style_name != resolution.profile.id:
                match = "fallback"
            break
    if not pool:
        raise SeedNotFoundError(style, role, "the library has no phrase for this role")
    if used_role == "drums" or target is None:
        ranked = [(s, 0) for s in pool]
    else:
        costs = [_key_cost(_read_key(s.key), target) if s.key else (2, 0, 0) for s in pool]
        best = min(c[:2] for c in costs)
        ranked = [(s, c[2]) for s, c in zip(pool, costs, strict=True) if c[:2] == best]
    info, shift = ranked[int(rng.integers(len(ranked)))]
    notes = seed_notes(info)
    if shift:
        notes = _transpose(notes, shift)
    return SelectedSeed(info, notes, shift if shift else 0, match, used_role)


def _transpose(notes: NoteArray, shift: int) -> NoteArray:
    """Transpose by ``shift``, or by its octave complement if that leaves MIDI range."""
    try:
        return notes.transpose(shift)
    except MidiRangeError:
        return notes.transpose(shift - 12 if shift > 0 else shift + 12)


__all__ = ["ROLE_FALLBACKS", "SelectedSeed", "select_seed"]
