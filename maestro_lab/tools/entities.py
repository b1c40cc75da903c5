"""The in-memory project a run edits: the one project model plus its DAW layer.

A :class:`StateSnapshot` is a frozen value: the
:class:`~storpheus.project.ProjectState` (tempo, key, meter, tracks with
their mixer, regions with columnar events relative to the region start) that
Muse versions, the :class:`~storpheus.project.DawLayer` (buses, inserts,
sends, colours, icons) that only a DAW session needs, and a version number.
Applying a tool call builds a new snapshot (unchanged tracks and regions are
shared), so a transaction rolls back by keeping the old one.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Literal

from maestro_lab.errors import EntityNotFoundError
from storpheus.project import (
    Bus,
    DawLayer,
    DawTrack,
    ProjectState,
    RegionState,
    TrackState,
)
from storpheus.score import TimeSignature

EntityType = Literal["project", "track", "region", "bus"]


@dataclass(frozen=True)
class StateSnapshot:
    """The whole project at one version (``StateSnapshot`` of the runtime's state store).

    Parameters
    ----------
    project:
        The music: what Muse commits.
    daw:
        Buses and per-track DAW settings (inserts, sends, colour, icon...).
    version:
        Number of changes applied since the store was created.
    """

    project: ProjectState = field(default_factory=ProjectState)
    daw: DawLayer = field(default_factory=DawLayer)
    version: int = 0

    @classmethod
    def from_project(cls, project: ProjectState, *, version: int = 0) -> StateSnapshot:
        """A snapshot of a project (e.g. Muse HEAD) with no DAW settings yet."""
        return cls(project=project, version=version)

    # ------------------------------------------------------------- project
    @property
    def tempo(self) -> int:
        """Tempo in BPM."""
        return self.project.bpm

    @property
    def key(self) -> str | None:
        """Key name, if set."""
        return self.project.key

    @property
    def time_signature(self) -> TimeSignature:
        """Meter."""
        return self.project.time_signature

    @property
    def tracks(self) -> tuple[TrackState, ...]:
        """Tracks in display order."""
        return self.project.tracks

    @property
    def regions(self) -> tuple[RegionState, ...]:
        """Regions, ordered by id."""
        return self.project.regions

    @property
    def buses(self) -> tuple[Bus, ...]:
        """Buses in creation order."""
        return self.daw.buses

    @property
    def track_ids(self) -> tuple[str, ...]:
        """Track ids in display order."""
        return self.project.track_ids

    @property
    def region_ids(self) -> tuple[str, ...]:
        """Region ids (sorted)."""
        return self.project.region_ids

    @property
    def n_notes(self) -> int:
        """Notes over all regions."""
        return self.project.n_notes

    # ------------------------------------------------------------- lookups
    def has_track(self, track_id: str) -> bool:
        """Whether a track has this id."""
        return track_id in self.project.track_ids

    def has_region(self, region_id: str) -> bool:
        """Whether a region has this id."""
        return self.project.has_region(region_id)

    def track(self, ref: str, parameter: str = "trackId") -> TrackState:
        """The track with id ``ref``, else the first whose name is ``ref`` (any case).

        Raises :class:`~maestro_lab.errors.EntityNotFoundError` naming ``parameter``.
        """
        folded = ref.casefold()
        by_name = None
        for track in self.project.tracks:
            if track.track_id == ref:
                return track
            if by_name is None and track.name.casefold() == folded:
                by_name = track
        if by_name is not None:
            return by_name
        raise EntityNotFoundError(parameter, ref, self.track_ids)

    def daw_track(self, track_id: str) -> DawTrack:
        """The DAW settings of a track (inserts, sends, colour, icon...)."""
        return self.daw.track(track_id)

    def region(self, region_id: str, parameter: str = "regionId") -> RegionState:
        """The region with this id; :class:`~maestro_lab.errors.EntityNotFoundError` if none."""
        for region in self.project.regions:
            if region.region_id == region_id:
                return region
        raise EntityNotFoundError(parameter, region_id, self.region_ids)

    def regions_of(self, track_id: str) -> tuple[RegionState, ...]:
        """The regions of one track, by start."""
        return self.project.regions_of(track_id)

    def bus_named(self, name: str) -> Bus | None:
        """The bus called ``name`` (any case), if there is one."""
        return self.daw.bus_named(name)

    # ------------------------------------------------------------- updates
    def with_project(self, project: ProjectState) -> StateSnapshot:
        """A snapshot holding ``project``."""
        return replace(self, project=project)

    def with_track(self, track: TrackState) -> StateSnapshot:
        """A snapshot with ``track`` replacing the track of the same id (or appended)."""
        return replace(self, project=self.project.with_tracks([track]))

    def with_daw_track(self, track: DawTrack) -> StateSnapshot:
        """A snapshot with new DAW settings for one track."""
        return replace(self, daw=self.daw.with_track(track))

    def with_region(self, region: RegionState) -> StateSnapshot:
        """A snapshot with ``region`` replacing the region of the same id (or added)."""
        return replace(self, project=self.project.with_regions([region]))

    def without_region(self, region_id: str) -> StateSnapshot:
        """A snapshot without the region ``region_id``."""
        return replace(self, project=self.project.without_regions([region_id]))

    def with_bus(self, bus: Bus) -> StateSnapshot:
        """A snapshot with one more bus."""
        return replace(self, daw=self.daw.with_bus(bus))


class ChangeKind(Enum):
    """What a state change did (track created, region deleted, notes written...)."""

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
