"""The DAW-only parts of a project: buses, insert effects, sends, colours, icons.

These matter to a DAW session (and to the tool catalogue that drives one) but
not to the music: Muse does not version them, content ids do not cover them
and MIDI files do not carry them. :class:`DawLayer` keeps them beside a
:class:`~storpheus.project.model.ProjectState`, keyed by track id.

Example
-------
>>> layer = DawLayer().with_bus(Bus("bus/reverb", "Reverb"))
>>> layer = layer.with_track(DawTrack("pads", color="#aabbcc",
...                                   sends=(Send("bus/reverb", 0.3),)))
>>> layer.track("pads").sends[0].level, layer.bus_named("reverb").bus_id
(0.3, 'bus/reverb')
>>> layer.track("bass").inserts
()
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class InsertEffect:
    """An insert effect on a track (type and named settings)."""

    effect_type: str
    settings: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Send:
    """A send from a track to a bus at a level 0-1."""

    bus_id: str
    level: float


@dataclass(frozen=True)
class Bus:
    """A named bus that sends feed."""

    bus_id: str
    name: str


@dataclass(frozen=True)
class DawTrack:
    """What a DAW shows and routes for one track, beyond the music."""

    track_id: str
    instrument: str | None = None
    drum_kit_id: str | None = None
    color: str | None = None
    icon: str | None = None
    inserts: tuple[InsertEffect, ...] = ()
    sends: tuple[Send, ...] = ()


@dataclass(frozen=True)
class DawLayer:
    """The DAW parts of one project: per-track settings (by track id) and buses."""

    tracks: tuple[DawTrack, ...] = ()
    buses: tuple[Bus, ...] = ()

    def track(self, track_id: str) -> DawTrack:
        """The DAW settings of a track (empty ones if none were set)."""
        return next((t for t in self.tracks if t.track_id == track_id), DawTrack(track_id))

    def with_track(self, track: DawTrack) -> DawLayer:
        """A layer where ``track`` replaces the settings of the same track id."""
        kept = tuple(t for t in self.tracks if t.track_id != track.track_id)
        return replace(self, tracks=(*kept, track))

    def bus_named(self, name: str) -> Bus | None:
        """The bus called ``name`` (any case), if there is one."""
        folded = name.casefold()
        return next((b for b in self.buses if b.name.casefold() == folded), None)

    def with_bus(self, bus: Bus) -> DawLayer:
        """A layer with one more bus."""
        return replace(self, buses=(*self.buses, bus))
