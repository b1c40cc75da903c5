"""What a role renderer needs, resolved once per request.

:func:`build_context` turns a :class:`~storpheus.backends.base.GenerationRequest`
into a :class:`RenderContext`: the style profile, the key, the chord
timeline of the requested span (from the spec's chord schedule, else the
request's chord progression, else the style's default progression in the
key), the constraints (given or derived from the style), the register, the
section ends inside the span, and the chaining inputs (previous notes, kick
beats). Every candidate of the request shares one context; only the random
generator differs.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import numpy.typing as npt

from storpheus.backends.base import GenerationRequest
from storpheus.backends.embedded.defaults import default_constraints, progression_symbols
from storpheus.backends.embedded.grooves import Groove, groove_for, known_groove
from storpheus.backends.embedded.harmony import Chord, parse_chord, parse_key
from storpheus.errors import InvalidRequestError
from storpheus.notes import NoteArray
from storpheus.spec import (
    BassSpec,
    DrumSpec,
    GenerationConstraints,
    MelodySpec,
    MusicSpec,
)
from storpheus.styles import ROLE_CHANNELS, StyleProfile, StyleResolution, resolve_style
from storpheus.theory import Key


@dataclass(frozen=True)
class ChordSpan:
    """One chord of the timeline, in beats relative to the span start."""

    start: float
    end: float
    chord: Chord


@dataclass(frozen=True)
class RenderContext:
    """Everything shared by the candidates of one request."""

    role: str
    style: StyleProfile
    resolution: StyleResolution
    key: Key
    bars: int
    beats_per_bar: float
    bpm: int
    chords: tuple[ChordSpan, ...]
    constraints: GenerationConstraints
    register: tuple[int, int]
    channel: int
    program: int
    swing: float
    swing_unit: float
    groove: Groove
    section_name: str | None = None
    section_start_bar: int = 0
    section_ends: tuple[int, ...] = ()
    section_starts: tuple[int, ...] = (0,)
    drum_spec: DrumSpec | None = None
    bass_spec: BassSpec = field(default_factory=BassSpec)
    melody_spec: MelodySpec = field(default_factory=MelodySpec)
    spec_given: bool = False
    voicing: str = "close"
    lock_to_kick: bool = False
    previous: NoteArray | None = None
    kick_beats: tuple[float, ...] | None = None
    temperature: float = 1.0
    energy: float = 0.5
    tension: float = 0.5
    use_seed_motifs: bool = True

    @property
    def total_beats(self) -> float:
        """Length of the span in beats."""
        return self.bars * self.beats_per_bar

    @property
    def steps_per_bar(self) -> int:
        """16th-note steps in one bar."""
        return max(1, round(self.beats_per_bar * 4))

    @cached_property
    def chord_starts(self) -> tuple[float, ...]:
        """Start beat of every chord span."""
        return tuple(c.start for c in self.chords)

    @cached_property
    def change_ticks(self) -> frozenset[int]:
        """Chord-change onsets in 1/960-beat ticks (fast membership tests)."""
        return frozenset(round(c.start * 960) for c in self.chords)

    def is_change(self, beat: float) -> bool:
        """Whether a chord starts at ``beat``."""
        return round(beat * 960) in self.change_ticks

    def chord_index(self, beat: float) -> int:
        """Index of the chord span sounding at ``beat``."""
        return max(0, bisect.bisect_right(self.chord_starts, beat + 1e-9) - 1)

    def chord_at(self, beat: float) -> Chord:
        """The chord sounding at ``beat``."""
        return self.chords[self.chord_index(beat)].chord

    def chord_indices(self, beats: npt.NDArray[np.float64]) -> npt.NDArray[np.intp]:
        """Vectorised :meth:`chord_index`."""
        starts = np.asarray(self.chord_starts)
        idx: npt.NDArray[np.intp] = np.searchsorted(starts, beats + 1e-9, side="right") - 1
        return np.maximum(idx, 0)

    def next_chord(self, beat: float) -> Chord:
        """The chord after the one sounding at ``beat`` (the last one repeats)."""
        i = min(self.chord_index(beat) + 1, len(self.chords) - 1)
        return self.chords[i].chord

    @property
    def scale_pcs(self) -> frozenset[int]:
        """Pitch classes of the key's scale."""
        return frozenset(self.key.pitch_classes)


def _section_bounds(
    request: GenerationRequest, spec: MusicSpec | None
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Section starts and ends inside the span (relative bars), always including 0 and the end."""
    starts, ends = {0}, {request.bars}
    if spec is not None:
        first, last = request.section_start_bar, request.section_start_bar + request.bars
        for section in spec.section_map:
            if first < section.start_bar < last:
                starts.add(section.start_bar - first)
            if first < section.end_bar < last:
                ends.add(section.end_bar - first)
    return tuple(sorted(starts)), tuple(sorted(ends))


def _chord_timeline(
    request: GenerationRequest,
    spec: MusicSpec | None,
    style: StyleProfile,
    key: Key,
    constraints: GenerationConstraints,
    beats_per_bar: float,
) -> tuple[ChordSpan, ...]:
    total = request.bars * beats_per_bar
    offset = request.section_start_bar * beats_per_bar
    entries: list[tuple[float, str]] = []
    source = "spec"
    if spec is not None and spec.harmonic_spec.chord_schedule:
        for entry in spec.harmonic_spec.chord_schedule:
            entries.append((entry.bar * beats_per_bar + entry.beat - offset, entry.chord))
        entries.sort(key=lambda e: e[0])
    else:
        if request.chord_progression:
            symbols, source = list(request.chord_progression), "chord_progression"
        else:
            symbols, source = progression_symbols(style, key, constraints), "style"
        length = beats_per_bar / constraints.harmonic_rhythm
        first = int(np.floor(offset / length + 1e-9))
        n = int(np.ceil((offset + total) / length - 1e-9)) - first
        for k in range(n):
            index = first + k
            entries.append((index * length - offset, symbols[index % len(symbols)]))
    spans: list[ChordSpan] = []
    in_force = [e for e in entries if e[0] <= 1e-9]
    later = [e for e in entries if 1e-9 < e[0] < total - 1e-9]
    timeline = ([(0.0, in_force[-1][1])] if in_force else []) + later
    if not timeline:
        raise InvalidRequestError(source, "(empty)", "no chord sounds in the requested span")
    if timeline[0][0] > 0:
        timeline.insert(0, (0.0, timeline[0][1]))
    for i, (start, symbol) in enumerate(timeline):
        end = timeline[i + 1][0] if i + 1 < len(timeline) else total
        if end - start <= 1e-9:
            continue
        try:
            chord = parse_chord(symbol)
        except ValueError as exc:
            field_name = "spec" if source == "spec" else source
            raise InvalidRequestError(field_name, symbol, str(exc)) from None
        spans.append(ChordSpan(max(0.0, start), end, chord))
    return tuple(spans)


def build_context(request: GenerationRequest, *, use_seed_motifs: bool = True) -> RenderContext:
    """Resolve a request into the context its candidates are rendered from.

    Raises :class:`~storpheus.errors.InvalidRequestError` naming the field
    for a key or chord symbol that cannot be read.
    """
    spec = request.spec
    resolution = resolve_style(request.style)
    style = resolution.profile
    key_text = spec.global_spec.key if spec is not None else request.key
    try:
        key = parse_key(key_text)
    except ValueError as exc:
        raise InvalidRequestError("key", key_text, str(exc)) from None
    beats_per_bar = request.beats_per_bar
    emotion = request.emotion
    constraints = request.constraints or default_constraints(style, request.role, emotion)
    role = request.role
    if role == "drums":
        register = (35, 81)
    else:
        register = (constraints.register_low, constraints.register_high)
    chords = _chord_timeline(request, spec, style, key, constraints, beats_per_bar)
    starts, ends = _section_bounds(request, spec)
    drum_spec = spec.drum_spec if spec is not None else None
    groove_name = style.groove
    if drum_spec is not None and known_groove(drum_spec.groove):
        groove_name = drum_spec.groove
    voicing = style.voicing
    if spec is not None:
        # "close" is the dataclass default: it only overrides a style that is close anyway
        wanted = _VOICINGS.get(spec.harmonic_spec.voicing_style)
        if wanted is not None and (spec.harmonic_spec.voicing_style != "close"):
            voicing = wanted
    kick = request.drum_kick_beats
    lock = style.lock_to_kick or bool(spec is not None and spec.bass_spec.lock_to_kick)
    return RenderContext(
        role=role,
        style=style,
        resolution=resolution,
        key=key,
        bars=request.bars,
        beats_per_bar=beats_per_bar,
        bpm=request.bpm,
        chords=chords,
        constraints=constraints,
        register=register,
        channel=ROLE_CHANNELS[role],
        program=style.program(role),
        swing=constraints.swing,
        swing_unit=style.swing_unit,
        groove=groove_for(groove_name),
        section_name=request.section_name,
        section_start_bar=request.section_start_bar,
        section_ends=ends,
        section_starts=starts,
        drum_spec=drum_spec,
        bass_spec=spec.bass_spec if spec is not None else BassSpec(),
        melody_spec=spec.melody_spec if spec is not None else MelodySpec(),
        spec_given=spec is not None,
        voicing=voicing,
        lock_to_kick=lock,
        previous=request.previous_notes if request.previous_notes is not None else None,
        kick_beats=tuple(kick) if kick else None,
        temperature=request.temperature,
        energy=emotion.energy if emotion is not None else 0.5,
        tension=emotion.tension if emotion is not None else 0.5,
        use_seed_motifs=use_seed_motifs,
    )


_VOICINGS = {
    "close": "close",
    "stabs": "close",
    "spread": "spread",
    "open": "spread",
    "drop2": "drop2",
    "rootless": "rootless",
    "shell": "shell",
    "power": "power",
}
