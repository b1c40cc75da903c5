"""The in-memory project: immutable entities and the :class:`StateSnapshot` holding them.

A snapshot is a frozen value: tempo, key, time signature, and the tracks,
regions and buses in creation order. Applying a tool call builds a new
snapshot (unchanged entities are shared), so a transaction rolls back by
keeping the old one. Region events are columnar (``NoteArray`` and the
controller arrays of storpheus) with times relative to the region start.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum
from functools import cached_property
from typing import Literal

from maestro_lab.errors import EntityNotFoundError
from storpheus.events import AftertouchArray, ControlChangeArray, PitchBendArray
from storpheus.notes import NoteArray
from storpheus.score import TimeSignature

EntityType = Literal["project", "track", "region", "bus"]


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
class TrackEntity:
    """One track: identity, instrument, mixer state, inserts and sends."""

    track_id: str
    name: str
    program: int = 0
    is_drums: bool = False
    role: str | None = None
    instrument: str | None = None
    drum_kit_id: str | None = None
    color: str | None = None
    icon: str | None = None
    volume: float = 1.0
    pan: float = 0.0
    muted: bool = False
    solo: bool = False
    inserts: tuple[InsertEffect, ...] = ()
    sends: tuple[Send, ...] = ()


@dataclass(frozen=True)
class RegionEntity:
    """A region: a span of a track holding notes and controller events (relative times)."""

    region_id: str
    track_id: str
    start_beat: float
    duration_beats: float
    name: str = ""
    notes: NoteArray = field(default_factory=NoteArray.empty)
    cc: ControlChangeArray = field(default_factory=ControlChangeArray.empty)
    bends: PitchBendArray = field(default_factory=PitchBendArray.empty)
    aftertouch: AftertouchArray = field(default_factory=AftertouchArray.empty)

    @property
    def end_beat(self) -> float:
        """Where the region ends on the timeline."""
        return self.start_beat + self.duration_beats


@dataclass(frozen=True)
class BusEntity:
    """A named bus that sends feed."""

    bus_id: str
    name: str


@dataclass(frozen=True)
class StateSnapshot:
    """The whole project at one version (``StateSnapshot`` of Diagram 12)."""

    version: int = 0
    tempo: int = 120
    key: str | None = None
    time_signature: TimeSignature = field(default_factory=TimeSignature)
    tracks: tuple[TrackEntity, ...] = ()
    regions: tuple[RegionEntity, ...] = ()
    buses: tuple[BusEntity, ...] = ()

    # ------------------------------------------------------------- indexes
    @cached_property
    def _track_index(self) -> dict[str, int]:
        return {t.track_id: i for i, t in enumerate(self.tracks)}

    @cached_property
    def _region_index(self) -> dict[str, int]:
        return {r.region_id: i for i, r in enumerate(self.regions)}

    # ------------------------------------------------------------- lookups
    @property
    def track_ids(self) -> tuple[str, ...]:
        """Track ids in creation order."""
        return tuple(t.track_id for t in self.tracks)

    @property
    def region_ids(self) -> tuple[str, ...]:
        """Region ids in creation order."""
        return tuple(r.region_id for r in self.regions)

    @property
    def n_notes(self) -> int:
        """Notes over all regions."""
        return sum(len(r.notes) for r in self.regions)

    def has_track(self, track_id: str) -> bool:
        """Whether a track has this id."""
        return track_id in self._track_index

    def has_region(self, region_id: str) -> bool:
        """Whether a region has this id."""
        return region_id in self._region_index

    def track(self, ref: str, parameter: str = "trackId") -> TrackEntity:
        """The track with id ``ref``, else the first whose name is ``ref`` (any case).

        Raises :class:`~maestro_lab.errors.EntityNotFoundError` naming ``parameter``.
        """
        index = self._track_index.get(ref)
        if index is not None:
            return self.tracks[index]
        folded = ref.casefold()
        for track in self.tracks:
            if track.name.casefold() == folded:
                return track
        raise EntityNotFoundError(parameter, ref, self.track_ids)

    def region(self, region_id: str, parameter: str = "regionId") -> RegionEntity:
        """The region with this id; :class:`~maestro_lab.errors.EntityNotFoundError` if none."""
        index = self._region_index.get(region_id)
        if index is None:
            raise EntityNotFoundError(parameter, region_id, self.region_ids)
        return self.regions[index]

    def regions_of(self, track_id: str) -> tuple[RegionEntity, ...]:
        """The regions of one track, in creation order."""
        return tuple(r for r in self.regions if r.track_id == track_id)

    def bus_named(self, name: str) -> BusEntity | None:
        """The bus called ``name`` (any case), if there is one."""
        folded = name.casefold()
        return next((b for b in self.buses if b.name.casefold() == folded), None)

    # ------------------------------------------------------------- updates
    def with_track(self, track: TrackEntity) -> StateSnapshot:
        """A snapshot with ``track`` replacing the track of the same id (or appended)."""
        index = self._track_index.get(track.track_id)
        if index is None:
            return replace(self, tracks=(*self.tracks, track))
        tracks = list(self.tracks)
        tracks[index] = track
        return replace(self, tracks=tuple(tracks))

    def with_region(self, region: RegionEntity) -> StateSnapshot:
        """A snapshot with ``region`` replacing the region of the same id (or appended)."""
        index = self._region_index.get(region.region_id)
        if index is None:
            return replace(self, regions=(*self.regions, region))
        regions = list(self.regions)
        regions[index] = region
        return replace(self, regions=tuple(regions))

    def without_region(self, region_id: str) -> StateSnapshot:
        """A snapshot without the region ``region_id``."""
        return replace(self, regions=tuple(r for r in self.regions if r.region_id != region_id))

    def with_bus(self, bus: BusEntity) -> StateSnapshot:
        """A snapshot with one more bus."""
        return replace(self, buses=(*self.buses, bus))


class ChangeKind(Enum):
    """What a state change did (``EventType`` of Diagram 12)."""

    PROJECT_UPDATED = "project_updated"
    TRACK_CREATED = "track_created"
    TRACK_UPDATED = "track_updated"
    REGION_CREATED = "region_created"
    REGION_UPDATED = "region_updated"
    REGION_DELETED = "region_deleted"
    NOTES_WRITTEN = "notes_written"
    CONTROLLERS_WRITTEN = "controllers_written"
    BUS_CREATED = "bus_created"
    MIX_UPDATED = "mix_updated"


@dataclass(frozen=True)
class StateChange:
    """One entry of the store's change log: which call changed what, at which version."""

    version: int
    kind: ChangeKind
    entity_type: EntityType
    entity_id: str | None
    tool: str
    call_id: str
    summary: str


@dataclass(frozen=True)
class ToolResult:
    """What applying one tool call did (the result returned to the caller or agent)."""

    call_id: str
    tool: str
    entity_type: EntityType
    entity_id: str | None
    created: bool
    version: int
    summary: str

    def to_dict(self) -> dict[str, str | int | bool | None]:
        """CamelCase JSON object."""
        return {
            "callId": self.call_id,
            "tool": self.tool,
            "entityType": self.entity_type,
            "entityId": self.entity_id,
            "created": self.created,
            "version": self.version,
            "summary": self.summary,
        }
