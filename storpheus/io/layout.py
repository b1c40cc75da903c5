"""The layout marker: what symusic cannot carry through a MIDI file.

symusic drops tracks that have no notes (with their controller events) when it
reads a file, and MIDI has no event for a track's role or for keys other than
major and minor. :func:`write_midi <storpheus.io.write_midi>` therefore adds
one marker meta event at tick 0 whose text is ``storpheus:layout:`` followed by
canonical JSON::

    {"v": 1, "key": "D dorian" | null,
     "tracks": [{"name": ..., "program": ..., "drum": ..., "role": ...,
                 "notes": true}                       # read back from the file
                | {..., "notes": false,
                   "cc": [[tick, number, value], ...],  # kept here instead
                   "bends": [[tick, value], ...]}]}

When a file is read, the marker is validated by the pydantic model
:class:`Layout` (a marker that does not validate is ignored) and puts the
note-less tracks back in their places and restores roles and the key. A file
without the marker, or whose tracks no longer match it (edited by another
program), is read as it is.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from storpheus.events import ControlChangeArray, PitchBendArray
from storpheus.score import Score, Track

PREFIX = "storpheus:layout:"


def layout_text(score: Score) -> str:
    """The marker text describing ``score``'s tracks (ticks at its own resolution)."""
    tpq = score.ticks_per_quarter
    tracks: list[dict[str, object]] = []
    for t in score.tracks:
        entry: dict[str, object] = {
            "name": t.name,
            "program": t.program,
            "drum": t.is_drum,
            "role": t.role,
            "notes": len(t.notes) > 0,
        }
        if not len(t.notes):
            cc, bends = t.cc.sort(), t.bends.sort()
            entry["cc"] = np.column_stack(
                [np.rint(cc.beat * tpq).astype(np.int64), cc.number, cc.value]
            ).tolist()
            entry["bends"] = np.column_stack(
                [np.rint(bends.beat * tpq).astype(np.int64), bends.value]
            ).tolist()
        tracks.append(entry)
    doc = {"v": 1, "key": score.key, "tracks": tracks}
    return PREFIX + json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class LayoutTrack(BaseModel):
    """One track entry of the layout marker (``notes`` false: events kept in the marker)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    name: str = ""
    program: int = Field(default=0, ge=0, le=127)
    drum: bool = False
    role: str | None = None
    notes: bool = True
    cc: tuple[tuple[int, int, int], ...] = ()
    bends: tuple[tuple[int, int], ...] = ()


class Layout(BaseModel):
    """A parsed version-1 layout marker: the key and the written tracks in order."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    v: Literal[1]
    key: str | None = None
    tracks: tuple[LayoutTrack, ...]


def parse_layout(text: str) -> Layout | None:
    """Parse marker text; ``None`` if it is not a valid version-1 layout."""
    if not text.startswith(PREFIX):
        return None
    try:
        return Layout.model_validate_json(text.removeprefix(PREFIX))
    except ValidationError:
        return None


def apply_layout(layout: Layout, read_tracks: list[Track], tpq: int) -> list[Track] | None:
    """Rebuild the written track list, or ``None`` if the file does not match the layout."""
    with_notes = [e for e in layout.tracks if e.notes]
    if len(with_notes) != len(read_tracks):
        return None
    out: list[Track] = []
    remaining = iter(read_tracks)
    for entry in layout.tracks:
        if entry.notes:
            track = next(remaining)
            if track.name != entry.name:
                return None
            out.append(replace(track, role=entry.role, channel=None))
            continue
        cc = np.asarray(entry.cc, dtype=np.int64).reshape(-1, 3)
        bends = np.asarray(entry.bends, dtype=np.int64).reshape(-1, 2)
        out.append(
            Track(
                name=entry.name,
                program=entry.program,
                is_drum=entry.drum,
                role=entry.role,
                cc=ControlChangeArray(cc[:, 1], cc[:, 2], cc[:, 0] / tpq),
                bends=PitchBendArray(bends[:, 1], bends[:, 0] / tpq),
            )
        )
    return out


def section_markers(path: str | os.PathLike[str]) -> tuple[tuple[str, float], ...]:
    """The section markers of a MIDI file: ``(name, start beat)`` in time order.

    Every marker meta event except the layout marker counts (a DAW writes one
    per section: ``"Verse"`` at bar 9...). Names are stripped; empty ones and
    repeats at the same beat are skipped. Beats are quarter notes.
    """
    from pathlib import Path

    from symusic import core as sym_core

    sym = sym_core.ScoreTick.from_midi(Path(path).read_bytes())
    tpq = int(sym.ticks_per_quarter)
    found: dict[float, str] = {}
    for marker in sym.markers:
        text = str(marker.text).strip()
        if not text or text.startswith(PREFIX):
            continue
        found.setdefault(int(marker.time) / tpq, text)
    return tuple((name, beat) for beat, name in sorted(found.items()))
