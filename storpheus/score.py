"""The :class:`Score`: the unit that MIDI I/O, scoring and Muse exchange.

A score is a tempo, a time signature, an optional key and an ordered tuple of
:class:`Track` values. Everything is frozen; "changing" a score means building
a new one with :func:`dataclasses.replace`.

MIDI channels
-------------
In a score, each track plays on its *playback channel*, fixed by its
position: drum tracks use channel 9; another track uses its position for
positions 0-8, skips 9 above that and wraps round after 16. The score sets
every track's ``channel`` (and its notes' channel column) to that value,
whatever the track carried before, because that is the channel MIDI files are
written with (symusic assigns channels by position and does not report them
on read). A score therefore survives a file round trip exactly.

Example
-------
>>> from storpheus.notes import NoteArray
>>> bass = Track("bass", NoteArray([36, 43], 100, [0.0, 2.0], 2.0), program=33, role="bass")
>>> kit = Track("drums", NoteArray([36, 38], 110, [0.0, 1.0], 0.25), is_drum=True)
>>> score = Score(tracks=(bass, kit), bpm=92)
>>> [t.channel for t in score.tracks]
[0, 9]
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Final

import numpy as np
import pandas as pd

from storpheus import midi_types as mt
from storpheus.events import AftertouchArray, ControlChangeArray, PitchBendArray
from storpheus.notes import NoteArray

DEFAULT_TICKS_PER_QUARTER: Final = 480


@dataclass(frozen=True)
class TimeSignature:
    """A meter such as 4/4 or 6/8; the denominator is a power of two."""

    numerator: int = 4
    denominator: int = 4

    def __post_init__(self) -> None:
        if not 1 <= self.numerator <= 64:
            raise ValueError(f"time signature numerator={self.numerator} must be 1-64")
        if self.denominator not in (1, 2, 4, 8, 16, 32, 64):
            raise ValueError(
                f"time signature denominator={self.denominator} must be a power of two (1-64)"
            )

    @property
    def beats_per_bar(self) -> float:
        """Length of one bar in quarter-note beats (6/8 -> 3.0)."""
        return self.numerator * 4.0 / self.denominator

    @classmethod
    def parse(cls, text: str) -> TimeSignature:
        """Parse ``"3/4"``-style text."""
        num, sep, den = text.strip().partition("/")
        if not sep or not num.strip().isdigit() or not den.strip().isdigit():
            raise ValueError(f"time signature {text!r} is not of the form N/D")
        return cls(int(num), int(den))

    def __str__(self) -> str:
        return f"{self.numerator}/{self.denominator}"


def playback_channel(index: int, is_drum: bool) -> int:
    """The channel the track at position ``index`` plays on when none is given.

    Drums use :data:`~storpheus.midi_types.DRUM_CHANNEL`; other tracks cycle
    through the 15 melodic channels (0-8, then 10-15) by position, so the
    drum channel is never given to a melodic track however many tracks a
    score has. This is the assignment symusic writes MIDI files with.

    >>> [playback_channel(i, False) for i in (0, 8, 9, 14, 15, 24)]
    [0, 8, 10, 15, 0, 10]
    """
    if is_drum:
        return mt.DRUM_CHANNEL
    slot = index % 15
    return slot if slot < mt.DRUM_CHANNEL else slot + 1


@dataclass(frozen=True)
class Track:
    """One instrument part.

    Parameters
    ----------
    name:
        Display name.
    notes:
        The notes (their ``channel`` column is set to the track's channel).
    program:
        General MIDI program 0-127 (ignored by players on drum tracks).
    is_drum:
        Percussion track; plays on channel 9.
    channel:
        MIDI channel 0-15; a :class:`Score` sets it to the playback channel of
        the track's position.
    role:
        Instrument role such as ``"bass"`` or ``"drums"``, if known.
    cc, bends, aftertouch:
        Controller events.
    """

    name: str
    notes: NoteArray = field(default_factory=NoteArray.empty)
    program: int = 0
    is_drum: bool = False
    channel: int | None = None
    role: str | None = None
    cc: ControlChangeArray = field(default_factory=ControlChangeArray.empty)
    bends: PitchBendArray = field(default_factory=PitchBendArray.empty)
    aftertouch: AftertouchArray = field(default_factory=AftertouchArray.empty)

    def __post_init__(self) -> None:
        mt.assert_range(self.program, mt.GM_PROGRAM)
        if self.channel is None:
            return
        mt.assert_range(self.channel, mt.CHANNEL)
        if self.is_drum and self.channel != mt.DRUM_CHANNEL:
            raise ValueError(
                f"track {self.name!r}: drum tracks play on channel 9, got channel={self.channel}"
            )
        if not self.is_drum and self.channel == mt.DRUM_CHANNEL:
            raise ValueError(
                f"track {self.name!r}: channel=9 is the General MIDI drum channel; "
                "set is_drum=True or choose another channel"
            )
        if len(self.notes) and not bool((self.notes.channel == self.channel).all()):
            object.__setattr__(self, "notes", self.notes.with_channel(self.channel))

    @property
    def end_beat(self) -> float:
        """The latest note offset or controller event, in beats."""
        ends = [self.notes.last_beat]
        for events in (self.cc, self.bends, self.aftertouch):
            if len(events):
                ends.append(float(events.beat.max()))
        return max(ends)


@dataclass(frozen=True)
class Score:
    """A multi-track piece at one tempo, meter and key.

    Parameters
    ----------
    tracks:
        The parts, in order (the order fixes each track's playback channel).
    bpm:
        Tempo, an integer 20-300.
    time_signature:
        The meter.
    key:
        Key name such as ``"Eb major"`` or ``"F# minor"``, if known.
    ticks_per_quarter:
        Resolution of the source (MIDI files are written at this resolution;
        metrics default to it). Not part of the musical content.
    """

    tracks: tuple[Track, ...] = ()
    bpm: int = 120
    time_signature: TimeSignature = field(default_factory=TimeSignature)
    key: str | None = None
    ticks_per_quarter: int = DEFAULT_TICKS_PER_QUARTER

    def __post_init__(self) -> None:
        if isinstance(self.bpm, bool) or not isinstance(self.bpm, int | np.integer):
            raise ValueError(f"bpm={self.bpm!r} must be an integer (MidiBPM)")
        mt.assert_range(int(self.bpm), mt.BPM)
        if not 1 <= self.ticks_per_quarter <= 32767:
            raise ValueError(f"ticks_per_quarter={self.ticks_per_quarter} must be 1-32767")
        tracks = tuple(self.tracks)
        resolved: list[Track] = []
        for index, track in enumerate(tracks):
            if not isinstance(track, Track):
                raise TypeError(f"tracks[{index}] is {type(track).__name__}, expected Track")
            channel = playback_channel(index, track.is_drum)
            if track.channel != channel or (
                len(track.notes) and not bool((track.notes.channel == channel).all())
            ):
                track = replace(track, channel=channel)
            resolved.append(track)
        object.__setattr__(self, "tracks", tuple(resolved))

    # ------------------------------------------------------------- queries
    @property
    def beats_per_bar(self) -> float:
        """Quarter-note beats in one bar."""
        return self.time_signature.beats_per_bar

    @property
    def end_beat(self) -> float:
        """The latest event of any track, in beats (0.0 for an empty score)."""
        return max((t.end_beat for t in self.tracks), default=0.0)

    @property
    def n_bars(self) -> int:
        """Whole bars needed to hold every event (at least 1)."""
        return max(1, math.ceil(self.end_beat / self.beats_per_bar - 1e-9))

    @property
    def n_notes(self) -> int:
        """Total number of notes over all tracks."""
        return sum(len(t.notes) for t in self.tracks)

    def track(self, name: str) -> Track:
        """The first track called ``name``; ``KeyError`` listing the names if absent."""
        for t in self.tracks:
            if t.name == name:
                return t
        raise KeyError(f"no track named {name!r}; tracks are {[t.name for t in self.tracks]}")

    def pitched_notes(self) -> NoteArray:
        """All notes of the non-drum tracks, concatenated in track order."""
        return NoteArray.concat([t.notes for t in self.tracks if not t.is_drum])

    def notes_frame(self) -> pd.DataFrame:
        """Every note as one row, with ``track`` (index), ``name``, ``is_drum`` and ``program``."""
        frames = []
        for i, t in enumerate(self.tracks):
            frame = t.notes.to_pandas()
            frame.insert(0, "track", i)
            frame.insert(1, "name", t.name)
            frame.insert(2, "is_drum", t.is_drum)
            frame.insert(3, "program", t.program)
            frames.append(frame)
        if not frames:
            empty = NoteArray.empty().to_pandas()
            for pos, col in enumerate(("track", "name", "is_drum", "program")):
                empty.insert(pos, col, pd.Series(dtype=object))
            return empty
        return pd.concat(frames, ignore_index=True)
