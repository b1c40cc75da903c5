"""What the planner may know about an existing project: tempo, key, meter, sections, tracks.

:class:`ProjectState` is the planner's typed view; :meth:`ProjectState.from_context`
reads the reference's camelCase ``ProjectContext`` (as a DAW or a notebook
sends it) and validates it, raising :class:`~maestro_lab.errors.PlanningError`
with one line per problem. Sections come from an explicit ``sections`` list
or, failing that, from region names (all regions called ``"Verse"`` span the
``verse`` section).

Example
-------
>>> p = ProjectState.from_context({"tempo": 90, "timeSignature": "3/4",
...     "sections": [{"name": "Intro", "startBeat": 0, "lengthBeats": 12}]})
>>> p.section("intro").end_beat, p.time_signature
(12.0, (3, 4))
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from pydantic import TypeAdapter, ValidationError
from typing_extensions import TypedDict

from maestro_lab.errors import InvalidKeyError, PlanningError
from maestro_lab.prompts.keys import normalise_key


class _RegionIn(TypedDict, total=False):
    id: str
    name: str
    startBeat: float
    durationBeats: float
    noteCount: int


class _TrackIn(TypedDict, total=False):
    id: str
    name: str
    gmProgram: int | None
    drumKitId: str | None
    isDrums: bool
    role: str | None
    regions: list[_RegionIn]


class _SectionIn(TypedDict):
    name: str
    startBeat: float
    lengthBeats: float


class _TimeSigIn(TypedDict):
    numerator: int
    denominator: int


class ProjectContextIn(TypedDict, total=False):
    """The accepted input shape (the reference's ``ProjectContext`` plus ``sections``)."""

    id: str
    name: str
    style: str | None
    tempo: int | None
    key: str | None
    timeSignature: str | _TimeSigIn | None
    tracks: list[_TrackIn]
    sections: list[_SectionIn]
    buses: list[dict[str, str]]
    endBeat: float


@dataclass(frozen=True)
class ProjectSection:
    """A named span of the existing arrangement, in beats."""

    name: str
    start_beat: float
    length_beats: float

    @property
    def end_beat(self) -> float:
        """First beat after the section."""
        return self.start_beat + self.length_beats


@dataclass(frozen=True)
class ProjectRegion:
    """An existing region: where it sits (beats) and how many notes it holds."""

    id: str
    name: str
    start_beat: float
    duration_beats: float
    note_count: int = 0

    @property
    def end_beat(self) -> float:
        """First beat after the region."""
        return self.start_beat + self.duration_beats

    def overlaps(self, start: float, end: float) -> bool:
        """Whether the region shares any beat with ``[start, end)``."""
        return self.start_beat < end and start < self.end_beat


@dataclass(frozen=True)
class ProjectTrack:
    """An existing track the planner may reuse instead of creating a new one."""

    id: str
    name: str
    role: str | None = None
    program: int | None = None
    is_drum: bool = False
    regions: tuple[ProjectRegion, ...] = ()


@dataclass(frozen=True)
class ProjectState:
    """The existing project: ``None`` fields mean "unknown"."""

    tempo: int | None = None
    key: str | None = None
    time_signature: tuple[int, int] | None = None
    sections: tuple[ProjectSection, ...] = ()
    tracks: tuple[ProjectTrack, ...] = ()
    end_beat: float = 0.0
    style: str | None = None

    def track_by_id(self, track_id: str) -> ProjectTrack | None:
        """The track with id ``track_id``, if any."""
        return next((t for t in self.tracks if t.id == track_id), None)

    def section(self, name: str) -> ProjectSection | None:
        """The section called ``name`` (case-insensitive), if any."""
        wanted = name.lower()
        for section in self.sections:
            if section.name == wanted:
                return section
        return None

    @property
    def content_end(self) -> float:
        """First beat after all existing content."""
        ends = [s.end_beat for s in self.sections]
        return max([self.end_beat, *ends]) if ends else self.end_beat

    @classmethod
    def from_context(cls, data: Mapping[str, object]) -> ProjectState:
        """Validate a camelCase ``ProjectContext`` dict and build the state."""
        try:
            checked = _adapter().validate_python(dict(data))
        except ValidationError as exc:
            details = [
                f"project.{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
            ]
            raise PlanningError("invalid project context: " + "; ".join(details)) from None
        tempo = checked.get("tempo")
        if tempo is not None and not 20 <= tempo <= 300:
            raise PlanningError(f"invalid project context: project.tempo={tempo} is outside 20-300")
        key = checked.get("key")
        if key:
            try:
                key = normalise_key(key)
            except InvalidKeyError as exc:
                raise PlanningError(f"invalid project context: project.key: {exc}") from None
        tracks = tuple(
            ProjectTrack(
                id=str(t.get("id") or ""),
                name=str(t.get("name") or ""),
                role=(t.get("role") or None),
                program=t.get("gmProgram"),
                is_drum=bool(t.get("isDrums") or t.get("drumKitId")),
                regions=tuple(
                    ProjectRegion(
                        id=str(r.get("id") or ""),
                        name=str(r.get("name") or ""),
                        start_beat=float(r.get("startBeat", 0.0)),
                        duration_beats=float(r.get("durationBeats", 0.0)),
                        note_count=int(r.get("noteCount", 0)),
                    )
                    for r in t.get("regions", [])
                ),
            )
            for t in checked.get("tracks", [])
        )
        sections = tuple(
            ProjectSection(
                s["name"].strip().lower(), float(s["startBeat"]), float(s["lengthBeats"])
            )
            for s in checked.get("sections", [])
        ) or _sections_from_regions(checked.get("tracks", []))
        region_ends = [
            float(r.get("startBeat", 0.0)) + float(r.get("durationBeats", 0.0))
            for t in checked.get("tracks", [])
            for r in t.get("regions", [])
        ]
        style = checked.get("style")
        return cls(
            style=style.strip() if style and style.strip() else None,
            tempo=tempo,
            key=key or None,
            time_signature=_time_signature(checked.get("timeSignature")),
            sections=sections,
            tracks=tracks,
            end_beat=max([float(checked.get("endBeat", 0.0)), *region_ends]),
        )


@cache
def _adapter() -> TypeAdapter[ProjectContextIn]:
    return TypeAdapter(ProjectContextIn)


def _time_signature(value: str | _TimeSigIn | None) -> tuple[int, int] | None:
    if value is None:
        return None
    if isinstance(value, str):
        num, sep, den = value.partition("/")
        if not sep or not num.strip().isdigit() or not den.strip().isdigit():
            raise PlanningError(f"invalid project context: timeSignature {value!r} is not 'N/D'")
        pair = (int(num), int(den))
    else:
        pair = (value["numerator"], value["denominator"])
    if not 1 <= pair[0] <= 64 or pair[1] not in (1, 2, 4, 8, 16, 32):
        raise PlanningError(
            f"invalid project context: timeSignature {pair[0]}/{pair[1]} is invalid"
        )
    return pair


def _sections_from_regions(tracks: list[_TrackIn]) -> tuple[ProjectSection, ...]:
    spans: dict[str, tuple[float, float]] = {}
    for track in tracks:
        for region in track.get("regions", []):
            name = str(region.get("name") or "").strip().lower()
            if not is_section_name(name):
                continue
            start = float(region.get("startBeat", 0.0))
            end = start + float(region.get("durationBeats", 0.0))
            low, high = spans.get(name, (start, end))
            spans[name] = (min(low, start), max(high, end))
    ordered = sorted(spans.items(), key=lambda item: (item[1][0], item[0]))
    return tuple(ProjectSection(name, low, high - low) for name, (low, high) in ordered)


_LAYOUT_NAME = re.compile(r"^(main|bars \d+-\d+)$")


def is_section_name(name: str) -> bool:
    """Whether a region name names a section (not ``main`` or ``bars 1-8`` of a bar layout)."""
    return bool(name.strip()) and _LAYOUT_NAME.match(name.strip().lower()) is None


def as_project(project: ProjectState | Mapping[str, object] | None) -> ProjectState:
    """A :class:`ProjectState` from a state, a ``ProjectContext`` dict, or ``None`` (empty)."""
    if project is None:
        return ProjectState()
    if isinstance(project, ProjectState):
        return project
    return ProjectState.from_context(project)
