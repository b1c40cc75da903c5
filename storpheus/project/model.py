"""The one project model: tracks, regions, tempo, meter, key and sections.

Muse versions it (a :class:`ProjectState` is what one commit records, also
named ``RepositoryState``), the tool layer edits it, the planner reads
it and MIDI export writes it. It holds

* **tracks** (:class:`TrackState`), in display order: id, name, role, GM
  program, drum flag, MIDI channel and a :class:`Mixer`;
* **regions** (:class:`RegionState`), ordered by id: a container on a track
  with a start, a duration and a name, holding notes, CC, pitch bends and
  aftertouch with times *relative to the region start*;
* tempo (integer BPM), time signature and key;
* the **sections** of the arrangement, derived from region names: all regions
  called ``"verse"`` span the ``verse`` section (see :attr:`ProjectState.sections`).

The DAW-only parts of a project (buses, insert effects, sends, colours,
icons) are not part of this model; they live in :mod:`storpheus.project.daw`.

A track's notes carry the track's MIDI channel (as in a
:class:`~storpheus.score.Score`), and a track built without a channel gets
the playback channel of its position. Times are kept on the identity grid of
960 ticks per quarter note: a state is normalised when it is built (onsets
and durations rounded to whole ticks, durations at least one tick, events in
canonical order), so the state that comes back from a checkout is equal
(``==``) to the one that was committed.

The content of a region (its events) is an immutable *region object*
identified by :attr:`RegionState.object_id`; the whole state is identified by
:attr:`ProjectState.snapshot_id`. Both are content hashes (see
:mod:`storpheus.project.ticks`).

Example
-------
>>> from storpheus.notes import NoteArray
>>> bass = TrackState("bass", "Bass", program=33, role="bass")
>>> riff = RegionState("bass/verse", "bass", 0.0, 16.0, name="verse",
...                    notes=NoteArray([36, 43], 100, [0.0, 2.0], 1.0))
>>> state = ProjectState(tracks=(bass,), regions=(riff,), bpm=96)
>>> state.region("bass/verse").n_notes
2
>>> len(state.snapshot_id)
64
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Final, TypeVar

import numpy as np
import pyarrow as pa

from storpheus import midi_types as mt
from storpheus.events import AftertouchArray, ControlChangeArray, PitchBendArray
from storpheus.identity import content_id
from storpheus.notes import NoteArray
from storpheus.project.errors import ProjectStateError
from storpheus.project.ticks import TPQ, beat_to_tick, beats_to_ticks, json_digest, ticks_to_beats
from storpheus.score import TimeSignature, playback_channel

MAX_ID_LENGTH: Final = 200

A = TypeVar("A", NoteArray, ControlChangeArray, PitchBendArray, AftertouchArray)


@dataclass(frozen=True)
class Mixer:
    """Mix settings of one track.

    Parameters
    ----------
    volume:
        Linear gain 0.0-1.0.
    pan:
        -1.0 (left) to 1.0 (right), 0.0 = centre.
    mute, solo:
        Mute and solo switches.
    """

    volume: float = 1.0
    pan: float = 0.0
    mute: bool = False
    solo: bool = False

    def __post_init__(self) -> None:
        for name, low, high in (("volume", 0.0, 1.0), ("pan", -1.0, 1.0)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float | np.number):
                raise ProjectStateError(f"mixer.{name}", value, "must be a number")
            if not low <= float(value) <= high:
                raise ProjectStateError(f"mixer.{name}", value, f"must be {low} to {high}")
            object.__setattr__(self, name, round(float(value), 6))
        object.__setattr__(self, "mute", bool(self.mute))
        object.__setattr__(self, "solo", bool(self.solo))

    def to_dict(self) -> dict[str, float | bool]:
        """Plain dict (also the canonical form hashed into snapshot ids)."""
        return {"volume": self.volume, "pan": self.pan, "mute": self.mute, "solo": self.solo}


@dataclass(frozen=True)
class TrackState:
    """One track of a project.

    Parameters
    ----------
    track_id:
        Stable id, unique in the project (regions refer to it).
    name:
        Display name.
    program:
        General MIDI program 0-127.
    is_drum:
        Percussion track (plays on channel 9).
    channel:
        MIDI channel 0-15; ``None`` lets :class:`ProjectState` give the track
        its playback channel by position, as a :class:`~storpheus.score.Score`
        does (9 for drums).
    role:
        Instrument role (``"bass"``, ``"drums"``...) if known.
    mixer:
        Volume, pan, mute and solo.
    """

    track_id: str
    name: str
    program: int = 0
    is_drum: bool = False
    channel: int | None = None
    role: str | None = None
    mixer: Mixer = field(default_factory=Mixer)

    def __post_init__(self) -> None:
        _check_id("track_id", self.track_id)
        if not isinstance(self.name, str):
            raise ProjectStateError(f"track {self.track_id!r}.name", self.name, "must be text")
        try:
            mt.assert_range(self.program, mt.GM_PROGRAM)
        except ValueError as exc:
            raise ProjectStateError(
                f"track {self.track_id!r}.program", self.program, str(exc)
            ) from exc
        channel = self.channel
        if channel is not None:
            if isinstance(channel, bool) or not 0 <= int(channel) <= 15:
                raise ProjectStateError(f"track {self.track_id!r}.channel", channel, "must be 0-15")
            if self.is_drum and channel != mt.DRUM_CHANNEL:
                raise ProjectStateError(
                    f"track {self.track_id!r}.channel", channel, "drum tracks play on channel 9"
                )
            object.__setattr__(self, "channel", int(channel))
        object.__setattr__(self, "program", int(self.program))
        object.__setattr__(self, "is_drum", bool(self.is_drum))

    @property
    def midi_channel(self) -> int:
        """The channel (inside a :class:`ProjectState` it is always resolved)."""
        if self.channel is None:
            return mt.DRUM_CHANNEL if self.is_drum else 0
        return self.channel

    def to_dict(self) -> dict[str, object]:
        """Plain dict (also the canonical form hashed into snapshot ids)."""
        return {
            "id": self.track_id,
            "name": self.name,
            "role": self.role,
            "program": self.program,
            "is_drum": self.is_drum,
            "channel": self.channel,
            "mixer": self.mixer.to_dict(),
        }


@dataclass(frozen=True)
class RegionState:
    """A region: a timed container of MIDI events on one track.

    Parameters
    ----------
    region_id:
        Stable id, unique in the project.
    track_id:
        The track the region sits on.
    start_beat, duration_beats:
        Position and length on the timeline, in beats (rounded to ticks).
    name:
        Display name, e.g. a section name such as ``"chorus"``.
    notes, cc, bends, aftertouch:
        Events, with times relative to ``start_beat``.
    """

    region_id: str
    track_id: str
    start_beat: float
    duration_beats: float
    name: str = ""
    notes: NoteArray = field(default_factory=NoteArray.empty)
    cc: ControlChangeArray = field(default_factory=ControlChangeArray.empty)
    bends: PitchBendArray = field(default_factory=PitchBendArray.empty)
    aftertouch: AftertouchArray = field(default_factory=AftertouchArray.empty)
    _object_id: str | None = field(default=None, init=False, repr=False, compare=False)
    _ticks: tuple[int, int] = field(default=(0, 1), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_id("region_id", self.region_id)
        _check_id(f"region {self.region_id!r}.track_id", self.track_id)
        where = f"region {self.region_id!r}"
        start, duration = float(self.start_beat), float(self.duration_beats)
        if not np.isfinite(start) or start < 0:
            raise ProjectStateError(f"{where}.start_beat", self.start_beat, "must be >= 0")
        if not np.isfinite(duration) or duration <= 0:
            raise ProjectStateError(f"{where}.duration_beats", self.duration_beats, "must be > 0")
        ticks = (beat_to_tick(start), max(1, beat_to_tick(duration)))
        object.__setattr__(self, "_ticks", ticks)
        object.__setattr__(self, "start_beat", ticks[0] / TPQ)
        object.__setattr__(self, "duration_beats", ticks[1] / TPQ)
        for name, kind in (
            ("notes", NoteArray),
            ("cc", ControlChangeArray),
            ("bends", PitchBendArray),
            ("aftertouch", AftertouchArray),
        ):
            value = getattr(self, name)
            if not isinstance(value, kind):
                raise ProjectStateError(
                    f"{where}.{name}", type(value).__name__, f"must be a {kind.__name__}"
                )
        object.__setattr__(self, "notes", normalise_events(self.notes))
        object.__setattr__(self, "cc", normalise_events(self.cc))
        object.__setattr__(self, "bends", normalise_events(self.bends))
        object.__setattr__(self, "aftertouch", normalise_events(self.aftertouch))

    @classmethod
    def _trusted(
        cls,
        region_id: str,
        track_id: str,
        start_tick: int,
        duration_ticks: int,
        name: str,
        events: tuple[NoteArray, ControlChangeArray, PitchBendArray, AftertouchArray],
        object_id: str,
    ) -> RegionState:
        """Build without validation from data Muse stored itself (already normalised)."""
        obj = object.__new__(cls)
        values = {
            "region_id": region_id,
            "track_id": track_id,
            "start_beat": start_tick / TPQ,
            "duration_beats": duration_ticks / TPQ,
            "name": name,
            "notes": events[0],
            "cc": events[1],
            "bends": events[2],
            "aftertouch": events[3],
            "_object_id": object_id,
            "_ticks": (int(start_tick), int(duration_ticks)),
        }
        for key, value in values.items():
            object.__setattr__(obj, key, value)
        return obj

    # ------------------------------------------------------------ identity
    @property
    def object_id(self) -> str:
        """Content id of the region's events (the region object), cached."""
        if self._object_id is None:
            object.__setattr__(self, "_object_id", region_object_id(self))
        assert self._object_id is not None
        return self._object_id

    @property
    def start_tick(self) -> int:
        """Start in ticks at 960 per quarter."""
        return self._ticks[0]

    @property
    def duration_ticks(self) -> int:
        """Length in ticks at 960 per quarter."""
        return self._ticks[1]

    @property
    def end_beat(self) -> float:
        """Where the region ends on the timeline."""
        return (self.start_tick + self.duration_ticks) / TPQ

    @property
    def n_notes(self) -> int:
        """Number of notes."""
        return len(self.notes)

    def placement(self) -> dict[str, object]:
        """Where the region sits (everything but its events), canonical form."""
        return {
            "id": self.region_id,
            "track": self.track_id,
            "name": self.name,
            "start": self.start_tick,
            "duration": self.duration_ticks,
        }

    def same_content(self, other: RegionState) -> bool:
        """Whether both regions hold the same events (same object id)."""
        return self.object_id == other.object_id

    def with_events(
        self,
        notes: NoteArray | None = None,
        cc: ControlChangeArray | None = None,
        bends: PitchBendArray | None = None,
        aftertouch: AftertouchArray | None = None,
    ) -> RegionState:
        """A copy with some event arrays replaced."""
        return replace(
            self,
            notes=self.notes if notes is None else notes,
            cc=self.cc if cc is None else cc,
            bends=self.bends if bends is None else bends,
            aftertouch=self.aftertouch if aftertouch is None else aftertouch,
        )

    def absolute_notes(self) -> NoteArray:
        """The notes with onsets on the project timeline (region start added, in ticks)."""
        return shift_ticks(self.notes, self.start_tick)


_LAYOUT_NAME: Final = re.compile(r"^(main|bars \d+-\d+)$")


def is_section_name(name: str) -> bool:
    """Whether a region name names a section (not ``main`` or ``bars 1-8`` of a bar layout)."""
    text = name.strip().lower()
    return bool(text) and _LAYOUT_NAME.match(text) is None


@dataclass(frozen=True)
class Section:
    """A named span of the timeline, in beats."""

    name: str
    start_beat: float
    duration_beats: float

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ProjectStateError("section.name", self.name, "must be non-empty")
        if self.start_beat < 0 or self.duration_beats <= 0:
            raise ProjectStateError(
                f"section {self.name!r}",
                (self.start_beat, self.duration_beats),
                "needs start >= 0 and duration > 0",
            )

    @property
    def end_beat(self) -> float:
        """First beat after the section."""
        return self.start_beat + self.duration_beats


@dataclass(frozen=True)
class ProjectState:
    """The complete musical state of a project at one point in history.

    Parameters
    ----------
    tracks:
        Tracks in display order; ids unique.
    regions:
        Regions; ids unique, each on one of the tracks. Stored ordered by id.
    bpm:
        Tempo, integer 20-300.
    time_signature:
        Meter.
    key:
        Key name such as ``"Eb major"``, if known.
    """

    tracks: tuple[TrackState, ...] = ()
    regions: tuple[RegionState, ...] = ()
    bpm: int = 120
    time_signature: TimeSignature = field(default_factory=TimeSignature)
    key: str | None = None
    _snapshot_id: str | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if isinstance(self.bpm, bool) or not isinstance(self.bpm, int | np.integer):
            raise ProjectStateError("bpm", self.bpm, "must be an integer")
        if not 20 <= int(self.bpm) <= 300:
            raise ProjectStateError("bpm", self.bpm, "must be 20-300")
        object.__setattr__(self, "bpm", int(self.bpm))
        if not isinstance(self.time_signature, TimeSignature):
            raise ProjectStateError("time_signature", self.time_signature, "must be TimeSignature")
        if self.key is not None and not isinstance(self.key, str):
            raise ProjectStateError("key", self.key, "must be text or None")
        tracks = list(self.tracks)
        seen: set[str] = set()
        for i, track in enumerate(tracks):
            if not isinstance(track, TrackState):
                raise ProjectStateError(f"tracks[{i}]", type(track).__name__, "must be TrackState")
            if track.channel is None:
                tracks[i] = track = replace(track, channel=playback_channel(i, track.is_drum))
            if track.track_id in seen:
                raise ProjectStateError(f"tracks[{i}].track_id", track.track_id, "duplicate id")
            seen.add(track.track_id)
        regions = sorted(self.regions, key=lambda r: r.region_id)
        channels = {t.track_id: t.midi_channel for t in tracks}
        for i, region in enumerate(regions):
            if not isinstance(region, RegionState):
                raise ProjectStateError(
                    f"regions[{i}]", type(region).__name__, "must be RegionState"
                )
            if i and regions[i - 1].region_id == region.region_id:
                raise ProjectStateError("regions", region.region_id, "duplicate region id")
            if region.track_id not in seen:
                raise ProjectStateError(
                    f"region {region.region_id!r}.track_id",
                    region.track_id,
                    f"no such track; tracks are {sorted(seen)}",
                )
            ch = channels[region.track_id]
            if len(region.notes) and not bool((region.notes.channel == ch).all()):
                regions[i] = region.with_events(notes=region.notes.with_channel(ch))
        object.__setattr__(self, "tracks", tuple(tracks))
        object.__setattr__(self, "regions", tuple(regions))

    # ------------------------------------------------------------ identity
    @property
    def snapshot_id(self) -> str:
        """Content id of the whole state, cached."""
        if self._snapshot_id is None:
            object.__setattr__(self, "_snapshot_id", snapshot_id(self))
        assert self._snapshot_id is not None
        return self._snapshot_id

    # -------------------------------------------------------------- queries
    @property
    def track_ids(self) -> tuple[str, ...]:
        """Track ids in display order."""
        return tuple(t.track_id for t in self.tracks)

    @property
    def region_ids(self) -> tuple[str, ...]:
        """Region ids in canonical (sorted) order."""
        return tuple(r.region_id for r in self.regions)

    @property
    def n_notes(self) -> int:
        """Total number of notes."""
        return sum(r.n_notes for r in self.regions)

    @property
    def end_beat(self) -> float:
        """The end of the last region, in beats."""
        return max((r.end_beat for r in self.regions), default=0.0)

    @property
    def sections(self) -> tuple[Section, ...]:
        """The arrangement: one section per region name, spanning every region so named.

        Names are lowercased; ``main`` and ``bars 1-8`` (the names of Muse's
        whole-track and bar layouts) are not sections. Ordered by start.
        """
        spans: dict[str, tuple[int, int]] = {}
        for region in self.regions:
            if not is_section_name(region.name):
                continue
            name = " ".join(region.name.split()).lower()
            end = region.start_tick + region.duration_ticks
            low, high = spans.get(name, (region.start_tick, end))
            spans[name] = (min(low, region.start_tick), max(high, end))
        ordered = sorted(spans.items(), key=lambda item: (item[1][0], item[0]))
        return tuple(Section(n, low / TPQ, (high - low) / TPQ) for n, (low, high) in ordered)

    def section(self, name: str) -> Section | None:
        """The section called ``name`` (any case), if any."""
        wanted = " ".join(name.split()).lower()
        return next((s for s in self.sections if s.name == wanted), None)

    def track(self, track_id: str) -> TrackState:
        """The track with that id; ``KeyError`` listing the ids if absent."""
        for t in self.tracks:
            if t.track_id == track_id:
                return t
        raise KeyError(f"no track {track_id!r}; tracks are {list(self.track_ids)}")

    def region(self, region_id: str) -> RegionState:
        """The region with that id; ``KeyError`` listing the ids if absent."""
        for r in self.regions:
            if r.region_id == region_id:
                return r
        raise KeyError(f"no region {region_id!r}; regions are {list(self.region_ids)}")

    def has_region(self, region_id: str) -> bool:
        """Whether a region with that id exists."""
        return any(r.region_id == region_id for r in self.regions)

    def regions_of(self, track_id: str) -> tuple[RegionState, ...]:
        """The regions on one track, by start."""
        return tuple(
            sorted(
                (r for r in self.regions if r.track_id == track_id),
                key=lambda r: (r.start_tick, r.region_id),
            )
        )

    # -------------------------------------------------------------- editing
    def with_regions(self, regions: Iterable[RegionState]) -> ProjectState:
        """A copy where the given regions replace (or add to) those with the same ids."""
        new = {r.region_id: r for r in regions}
        kept = [r for r in self.regions if r.region_id not in new]
        return replace(self, regions=tuple(kept) + tuple(new.values()))

    def without_regions(self, region_ids: Iterable[str]) -> ProjectState:
        """A copy without the given regions."""
        gone = set(region_ids)
        kept = tuple(r for r in self.regions if r.region_id not in gone)
        return replace(self, regions=kept)

    def with_tracks(self, tracks: Iterable[TrackState]) -> ProjectState:
        """A copy where tracks with the same ids are replaced in place and new ones appended."""
        new = {t.track_id: t for t in tracks}
        out = [new.pop(t.track_id, t) for t in self.tracks]
        out.extend(new.values())
        return replace(self, tracks=tuple(out))


# ------------------------------------------------------------------ helpers
def normalise_events(events: A) -> A:
    """Round times to whole ticks (durations >= 1 tick) and sort canonically."""
    if not len(events):
        return events
    cols = events.columns
    moved = False
    for name, col in cols.items():
        if col.dtype.kind == "f":
            ticks = beats_to_ticks(col)
            if name == "duration_beats":
                ticks = np.maximum(ticks, 1)
            snapped = ticks_to_beats(ticks)
            if not np.array_equal(snapped, col):
                cols[name] = snapped
                moved = True
    rebuilt = type(events).from_arrow(pa.table(cols)) if moved else events  # already on the grid
    return rebuilt if rebuilt.is_sorted() else rebuilt.sort()


def shift_ticks(events: A, ticks: int) -> A:
    """Move onsets by a whole number of ticks, computed in ticks (no float drift)."""
    if not len(events) or ticks == 0:
        return events
    cols = events.columns
    time_col = events.TIME_COLUMN
    moved = beats_to_ticks(cols[time_col]) + int(ticks)
    if moved.min() < 0:
        raise ProjectStateError(time_col, float(moved.min()) / TPQ, "would be negative")
    cols[time_col] = ticks_to_beats(moved)
    return type(events).from_arrow(pa.table(cols))


def region_object_id(region: RegionState) -> str:
    """Content id of a region's events (see :mod:`storpheus.project.ticks`)."""
    doc = {
        "notes": content_id(region.notes),
        "cc": content_id(region.cc),
        "bends": content_id(region.bends),
        "aftertouch": content_id(region.aftertouch),
    }
    return json_digest("muse.region.v1", doc)


def snapshot_id(state: ProjectState) -> str:
    """Content id of a whole project state (see :mod:`storpheus.project.ticks`)."""
    doc = {
        "bpm": state.bpm,
        "time_signature": [state.time_signature.numerator, state.time_signature.denominator],
        "key": state.key,
        "tracks": [t.to_dict() for t in state.tracks],
        "regions": [{**r.placement(), "object": r.object_id} for r in state.regions],
    }
    return json_digest("muse.snapshot.v1", doc)


def _check_id(field_name: str, value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ProjectStateError(field_name, value, "must be non-empty text")
    if len(value) > MAX_ID_LENGTH:
        raise ProjectStateError(field_name, value, f"longer than {MAX_ID_LENGTH} characters")
    if any(ch in value for ch in "\n\r\t\0"):
        raise ProjectStateError(field_name, value, "must not contain control characters")


RepositoryState = ProjectState
"""Another name for :class:`ProjectState`: the state of a project at one commit."""
