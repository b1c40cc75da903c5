"""Conversion between a :class:`~storpheus.score.Score` and a :class:`ProjectState`.

The runtime commits Scores and the CLI commits MIDI files, while Muse
versions *regions*. :func:`score_to_project` cuts each track of a score into
regions following a :class:`RegionLayout`:

* ``RegionLayout.whole()`` - one region per track spanning the piece
  (region id ``"<track>/main"``);
* ``RegionLayout.per_bars(8)`` - one region every 8 bars
  (``"<track>/bars-001-008"``, named ``"bars 1-8"``);
* ``RegionLayout.from_sections([...])`` - one region per named section
  (``"<track>/<section>"``, named after the section), e.g. from a MusicSpec
  section map.

Passing ``like=`` (typically the HEAD state) reuses that state's track mixer
settings and, for tracks it already has, its region boundaries and ids, so a
new version of a piece lines up region by region with the old one and diffs
stay local. Events are assigned to the region containing their onset; a
region grows if the piece outgrew it.

Track ids are slugs of the track names (``"Upright Bass"`` ->
``"upright-bass"``, ``"Café Keys"`` -> ``"cafe-keys"``), numbered when names
repeat and ``"track-<n>"`` when a name is empty, so the same score always
gives the same ids (:func:`storpheus.project.ids.track_ids`, the slug the
tool layer uses too).

:func:`project_to_score` is the inverse: each track's regions are joined
(onsets made absolute, in ticks) into one :class:`~storpheus.score.Track`.
``project_to_score(score_to_project(s))`` has the same
:func:`~storpheus.identity.content_id` as ``s`` (times on the 960-tick grid).

Example
-------
>>> from storpheus.notes import NoteArray
>>> from storpheus.score import Score, Track
>>> score = Score((Track("Bass", NoteArray([36, 38], 100, [0.0, 20.0], 1.0)),), bpm=90)
>>> state = score_to_project(score, RegionLayout.per_bars(4))
>>> [(r.region_id, r.n_notes) for r in state.regions]
[('bass/bars-001-004', 1), ('bass/bars-005-008', 1)]
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar

import numpy as np
import numpy.typing as npt

from storpheus.columnar import ColumnarArray
from storpheus.events import AftertouchArray, ControlChangeArray, PitchBendArray
from storpheus.notes import NoteArray
from storpheus.project.errors import ProjectStateError
from storpheus.project.ids import slug, track_ids
from storpheus.project.model import (
    Mixer,
    ProjectState,
    RegionState,
    Section,
    TrackState,
    shift_ticks,
)
from storpheus.project.ticks import TPQ, beat_to_tick, beats_to_ticks
from storpheus.score import Score, Track

C = TypeVar("C", bound=ColumnarArray)


@dataclass(frozen=True)
class RegionLayout:
    """How a score's tracks are cut into regions (see the module docstring)."""

    kind: Literal["whole", "bars", "sections"] = "whole"
    bars: int = 0
    sections: tuple[Section, ...] = ()

    @classmethod
    def whole(cls) -> RegionLayout:
        """One region per track spanning the piece."""
        return cls("whole")

    @classmethod
    def per_bars(cls, bars: int) -> RegionLayout:
        """One region every ``bars`` bars."""
        if isinstance(bars, bool) or not isinstance(bars, int) or bars < 1:
            raise ProjectStateError("layout.bars", bars, "must be an integer >= 1")
        return cls("bars", bars=bars)

    @classmethod
    def from_sections(cls, sections: Iterable[Section | tuple[str, float, float]]) -> RegionLayout:
        """One region per named section (``(name, start_beat, duration_beats)`` tuples work)."""
        items = tuple(s if isinstance(s, Section) else Section(*s) for s in sections)
        if not items:
            raise ProjectStateError("layout.sections", [], "needs at least one section")
        slugs = [slug(s.name) for s in items]
        if len(set(slugs)) != len(slugs):
            raise ProjectStateError("layout.sections", [s.name for s in items], "duplicate names")
        return cls("sections", sections=tuple(sorted(items, key=lambda s: s.start_beat)))

    @classmethod
    def from_markers(
        cls, markers: Sequence[tuple[str, float]], end_beat: float
    ) -> RegionLayout | None:
        """One region per section marker (``(name, start beat)``), ``None`` if there are none.

        A section lasts until the next marker; the last one until ``end_beat``.
        Names repeated later in the piece get a number (``verse``, ``verse 2``).
        """
        if not markers:
            return None
        ordered = sorted(markers, key=lambda m: m[1])
        seen: dict[str, int] = {}
        sections = []
        for i, (name, start) in enumerate(ordered):
            stop = ordered[i + 1][1] if i + 1 < len(ordered) else max(end_beat, start + 1.0)
            if stop <= start:
                continue
            base = name.strip()
            seen[slug(base)] = seen.get(slug(base), 0) + 1
            count = seen[slug(base)]
            sections.append(Section(base if count == 1 else f"{base} {count}", start, stop - start))
        return cls.from_sections(sections) if sections else None

    @classmethod
    def parse(cls, text: str) -> RegionLayout:
        """Parse the CLI form: ``"whole"`` (or ``"track"``) or ``"bars:N"``."""
        value = text.strip().lower()
        if value in ("whole", "track"):
            return cls.whole()
        name, _, count = value.partition(":")
        if name == "bars" and count.isdigit() and int(count) >= 1:
            return cls.per_bars(int(count))
        raise ProjectStateError("layout", text, "expected 'whole' or 'bars:N' (N >= 1)")

    def spans(self, end_beat: float, beats_per_bar: float) -> list[tuple[str, str, float, float]]:
        """``(id suffix, name, start, duration)`` of every region of one track."""
        if self.kind == "whole":
            return [("main", "main", 0.0, max(end_beat, beats_per_bar))]
        if self.kind == "bars":
            span = self.bars * beats_per_bar
            count = max(1, math.ceil(end_beat / span - 1e-9))
            out = []
            for i in range(count):
                first, last = i * self.bars + 1, (i + 1) * self.bars
                out.append((f"bars-{first:03d}-{last:03d}", f"bars {first}-{last}", i * span, span))
            return out
        return [(slug(s.name), s.name, s.start_beat, s.duration_beats) for s in self.sections]


def marker_layout(path: str | os.PathLike[str], score: Score) -> RegionLayout | None:
    """The section layout of a MIDI file's markers (see :meth:`RegionLayout.from_markers`)."""
    from storpheus.io.layout import section_markers

    bpb = score.beats_per_bar
    end = math.ceil(max(score.end_beat, bpb) / bpb - 1e-9) * bpb
    return RegionLayout.from_markers(section_markers(path), end)


def score_to_project(
    score: Score,
    layout: RegionLayout | None = None,
    *,
    like: ProjectState | None = None,
) -> ProjectState:
    """Cut a score into a project state (see the module docstring).

    Parameters
    ----------
    score:
        The piece.
    layout:
        How tracks are cut into regions; default :meth:`RegionLayout.whole`.
    like:
        A state whose mixer settings and region boundaries are reused for the
        tracks it already has (same track id).
    """
    layout = layout or RegionLayout.whole()
    ids = track_ids([t.name for t in score.tracks])
    end_beat = max(score.end_beat, score.beats_per_bar)
    end_beat = math.ceil(end_beat / score.beats_per_bar - 1e-9) * score.beats_per_bar
    tracks: list[TrackState] = []
    regions: list[RegionState] = []
    for track_id, track in zip(ids, score.tracks, strict=True):
        old_track = _find_track(like, track_id)
        tracks.append(
            TrackState(
                track_id=track_id,
                name=track.name,
                program=track.program,
                is_drum=track.is_drum,
                channel=track.channel,
                role=track.role,
                mixer=old_track.mixer if old_track is not None else Mixer(),
            )
        )
        if like is not None and old_track is not None and like.regions_of(track_id):
            spans = [
                (r.region_id, r.name, r.start_beat, r.duration_beats)
                for r in like.regions_of(track_id)
            ]
        else:
            spans = [
                (f"{track_id}/{suffix}", name, start, dur)
                for suffix, name, start, dur in layout.spans(end_beat, score.beats_per_bar)
            ]
        bar = beat_to_tick(score.beats_per_bar)
        regions.extend(_cut_track(track, track_id, spans, bar))
    return ProjectState(
        tracks=tuple(tracks),
        regions=tuple(regions),
        bpm=score.bpm,
        time_signature=score.time_signature,
        key=score.key,
    )


def project_to_score(state: ProjectState, *, ticks_per_quarter: int = TPQ) -> Score:
    """Join each track's regions into a :class:`~storpheus.score.Track` of a new score.

    Mixer settings have no place in a score and are dropped; everything else
    (names, programs, drum flags, channels, roles, tempo, meter, key and all
    events) is kept.
    """
    tracks = []
    for t in state.tracks:
        parts = state.regions_of(t.track_id)
        tracks.append(
            Track(
                name=t.name,
                notes=_join([shift_ticks(r.notes, r.start_tick) for r in parts], NoteArray),
                program=t.program,
                is_drum=t.is_drum,
                channel=t.channel,
                role=t.role,
                cc=_join([shift_ticks(r.cc, r.start_tick) for r in parts], ControlChangeArray),
                bends=_join([shift_ticks(r.bends, r.start_tick) for r in parts], PitchBendArray),
                aftertouch=_join(
                    [shift_ticks(r.aftertouch, r.start_tick) for r in parts], AftertouchArray
                ),
            )
        )
    return Score(
        tracks=tuple(tracks),
        bpm=state.bpm,
        time_signature=state.time_signature,
        key=state.key,
        ticks_per_quarter=ticks_per_quarter,
    )


# ------------------------------------------------------------------ helpers
def _find_track(state: ProjectState | None, track_id: str) -> TrackState | None:
    if state is None:
        return None
    return next((t for t in state.tracks if t.track_id == track_id), None)


def _cut_track(
    track: Track, track_id: str, spans: Sequence[tuple[str, str, float, float]], bar: int
) -> list[RegionState]:
    starts = np.array([beat_to_tick(s[2]) for s in spans], dtype=np.int64)
    ends = starts + np.array([max(1, beat_to_tick(s[3])) for s in spans], dtype=np.int64)
    arrays: tuple[ColumnarArray, ...] = (track.notes, track.cc, track.bends, track.aftertouch)
    slots = [_assign(a, starts, ends) for a in arrays]
    out = []
    for i, (region_id, name, _start, _dur) in enumerate(spans):
        start, end = int(starts[i]), int(ends[i])
        parts: list[ColumnarArray] = []
        for arr, slot in zip(arrays, slots, strict=True):
            mine = arr[slot == i]
            if len(mine):  # grow the region, in whole bars, to hold its events
                onsets = beats_to_ticks(mine.column(mine.TIME_COLUMN))
                if onsets.min() < start:
                    start = int(onsets.min()) // bar * bar
                if onsets.max() >= end:
                    end = (int(onsets.max()) // bar + 1) * bar
            parts.append(mine)
        notes, cc, bends, aftertouch = parts
        assert isinstance(notes, NoteArray)
        assert isinstance(cc, ControlChangeArray)
        assert isinstance(bends, PitchBendArray)
        assert isinstance(aftertouch, AftertouchArray)
        region = RegionState(
            region_id=region_id,
            track_id=track_id,
            start_beat=start / TPQ,
            duration_beats=(end - start) / TPQ,
            name=name,
            notes=shift_ticks(notes, -start),
            cc=shift_ticks(cc, -start),
            bends=shift_ticks(bends, -start),
            aftertouch=shift_ticks(aftertouch, -start),
        )
        out.append(region)
    return out


def _assign(
    arr: ColumnarArray, starts: npt.NDArray[np.int64], ends: npt.NDArray[np.int64]
) -> npt.NDArray[np.intp]:
    """Index of the region each event falls in (containing region, else the one before)."""
    if not len(arr):
        return np.empty(0, dtype=np.intp)
    onsets = beats_to_ticks(arr.column(arr.TIME_COLUMN))
    order = np.argsort(starts, kind="stable")
    pos = np.searchsorted(starts[order], onsets, side="right") - 1
    pos = np.clip(pos, 0, len(starts) - 1)
    return order[pos].astype(np.intp)


def _join(parts: list[C], kind: type[C]) -> C:
    if not parts:
        return kind.empty()
    return kind.concat(parts).sort()
