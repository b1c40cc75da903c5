"""What the planner reads of an existing project: the one project model, and what is unknown.

The planner reads :class:`storpheus.project.ProjectState` - the project Muse
versions and the tool layer edits - through a :class:`ProjectView`, which
adds what the model cannot say: whether tempo, key and meter are known (an
empty project has none to keep), the arrangement when it is given apart
from the regions, and the style the project was composed in.
:meth:`ProjectView.of` views a model (Muse HEAD); :meth:`ProjectView.from_context`
reads a camelCase ``ProjectContext`` (as a DAW or a notebook
sends it) into the model and validates it, raising
:class:`~maestro_lab.errors.PlanningError` with one line per problem.
Sections come from an explicit ``sections`` list or, failing that, from
region names (all regions called ``"Verse"`` span the ``verse`` section).

Example
-------
>>> p = ProjectView.from_context({"tempo": 90, "timeSignature": "3/4",
...     "sections": [{"name": "Intro", "startBeat": 0, "lengthBeats": 12}]})
>>> p.section("intro").end_beat, p.time_signature
(12.0, (3, 4))
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

from pydantic import TypeAdapter, ValidationError
from typing_extensions import TypedDict

from maestro_lab.errors import InvalidKeyError, PlanningError
from maestro_lab.prompts.keys import normalise_key
from storpheus.project import (
    ProjectState,
    ProjectStateError,
    RegionState,
    Section,
    TrackState,
    slug,
    unique_id,
)
from storpheus.score import TimeSignature


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
    """The accepted input shape: a DAW's camelCase ``ProjectContext`` plus ``sections``."""

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
class ProjectView:
    """What the planner knows of the existing project: the one model plus the unknowns.

    ``state`` is the :class:`storpheus.project.ProjectState` (tracks, regions,
    mixer) - Muse HEAD when the runtime plans, or one built from a
    ``ProjectContext`` dict. ``tempo``, ``key`` and ``time_signature`` are
    ``None`` when unknown (an empty project has no tempo to keep).
    ``sections`` is the arrangement (from a ``sections`` list or the
    ``Sections:`` field, else the model's own, from region names); ``style``
    is the style the project was composed in, if known.
    """

    state: ProjectState = field(default_factory=ProjectState)
    tempo: int | None = None
    key: str | None = None
    time_signature: tuple[int, int] | None = None
    sections: tuple[Section, ...] = ()
    end_beat: float = 0.0
    style: str | None = None

    @classmethod
    def of(
        cls,
        state: ProjectState,
        *,
        style: str | None = None,
        sections: tuple[Section, ...] | None = None,
    ) -> ProjectView:
        """The view of a project (e.g. Muse HEAD): tempo, key and meter are facts.

        An empty project (no tracks) has nothing to keep: tempo and meter are unknown.
        """
        empty = not state.tracks
        meter = state.time_signature
        return cls(
            state=state,
            tempo=None if empty else state.bpm,
            key=state.key,
            time_signature=None if empty else (meter.numerator, meter.denominator),
            sections=state.sections if sections is None else sections,
            end_beat=state.end_beat,
            style=style,
        )

    @property
    def tracks(self) -> tuple[TrackState, ...]:
        """The existing tracks, in order."""
        return self.state.tracks

    def regions_of(self, track_id: str) -> tuple[RegionState, ...]:
        """The regions of one track, by start."""
        return self.state.regions_of(track_id)

    def track_by_id(self, track_id: str) -> TrackState | None:
        """The track with id ``track_id``, if any."""
        return next((t for t in self.state.tracks if t.track_id == track_id), None)

    def section(self, name: str) -> Section | None:
        """The section called ``name`` (case-insensitive), if any."""
        wanted = " ".join(name.split()).lower()
        return next((s for s in self.sections if s.name == wanted), None)

    @property
    def content_end(self) -> float:
        """First beat after all existing content."""
        ends = [s.end_beat for s in self.sections]
        return max([self.end_beat, *ends])

    @classmethod
    def from_context(cls, data: Mapping[str, object]) -> ProjectView:
        """Validate a camelCase ``ProjectContext`` dict and build the view."""
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
        meter = _time_signature(checked.get("timeSignature"))
        try:
            state = _state(checked, tempo, key or None, meter)
        except ProjectStateError as exc:
            raise PlanningError(f"invalid project context: {exc}") from None
        explicit = tuple(
            Section(s["name"].strip().lower(), float(s["startBeat"]), float(s["lengthBeats"]))
            for s in checked.get("sections", [])
        )
        style = checked.get("style")
        return cls(
            state=state,
            tempo=tempo,
            key=key or None,
            time_signature=meter,
            sections=explicit or state.sections,
            end_beat=max(float(checked.get("endBeat", 0.0)), state.end_beat),
            style=style.strip() if style and style.strip() else None,
        )


def _state(
    checked: ProjectContextIn, tempo: int | None, key: str | None, meter: tuple[int, int] | None
) -> ProjectState:
    """The project model of a validated ``ProjectContext`` (regions without their notes)."""
    tracks: list[TrackState] = []
    regions: list[RegionState] = []
    taken: set[str] = set()
    for i, t in enumerate(checked.get("tracks", [])):
        name = str(t.get("name") or "")
        track_id = str(t.get("id") or "") or unique_id(slug(name, f"track-{i + 1}"), taken)
        taken.add(track_id)
        drum = bool(t.get("isDrums") or t.get("drumKitId"))
        program = t.get("gmProgram")
        tracks.append(
            TrackState(track_id, name, program or 0, is_drum=drum, role=t.get("role") or None)
        )
        for j, r in enumerate(t.get("regions", [])):
            duration = float(r.get("durationBeats", 0.0))
            if duration <= 0:
                continue
            regions.append(
                RegionState(
                    region_id=str(r.get("id") or f"{track_id}/region-{j + 1}"),
                    track_id=track_id,
                    start_beat=float(r.get("startBeat", 0.0)),
                    duration_beats=duration,
                    name=str(r.get("name") or ""),
                )
            )
    num, den = meter or (4, 4)
    return ProjectState(
        tracks=tuple(tracks),
        regions=tuple(regions),
        bpm=tempo or 120,
        time_signature=TimeSignature(num, den),
        key=key,
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


def as_project(project: ProjectView | ProjectState | Mapping[str, object] | None) -> ProjectView:
    """The planner's view of a view, the model itself, a ``ProjectContext`` dict or ``None``."""
    if project is None:
        return ProjectView()
    if isinstance(project, ProjectView):
        return project
    if isinstance(project, ProjectState):
        return ProjectView.of(project)
    return ProjectView.from_context(project)
