"""Change sets: structural, global and mix edits recorded without review.

One grammar for every edit: content changes (notes, controllers)
go through a reviewed :class:`~muse_duckdb.variations.Variation`; structural
changes (tracks, regions), global changes (tempo, key, meter) and mix
changes (volume, pan, mute, solo) apply immediately and are *recorded* as an
auto-committed :class:`ChangeSet` (:meth:`muse_duckdb.Repository.apply`).
Every change is a small frozen value with ``apply(state) -> state`` and a
JSON form (``to_dict`` / :func:`change_from_dict`), stored with the commit.

Example
-------
>>> from muse_duckdb.project import ProjectState, TrackState
>>> state = ProjectState((TrackState("bass", "Bass"),))
>>> cs = ChangeSet((SetTempo(140), RenameTrack("bass", "Upright Bass")))
>>> new = cs.apply(state)
>>> new.bpm, new.track("bass").name
(140, 'Upright Bass')
>>> cs.describe()
'set tempo to 140 BPM; rename track bass to Upright Bass'
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import ClassVar, Literal

from muse_duckdb.errors import ProjectStateError
from muse_duckdb.model.commit import JSONValue
from muse_duckdb.project import Mixer, ProjectState, RegionState, TrackState
from storpheus.score import TimeSignature

Category = Literal["structural", "global", "mix"]


class Change:
    """Base class of one edit; subclasses are frozen dataclasses."""

    kind: ClassVar[str]
    category: ClassVar[Category]

    def apply(self, state: ProjectState) -> ProjectState:
        """The state after this change."""
        raise NotImplementedError

    def describe(self) -> str:
        """A short human-readable description."""
        raise NotImplementedError

    def to_dict(self) -> dict[str, JSONValue]:
        """JSON-ready dict with a ``kind`` key."""
        out: dict[str, JSONValue] = {"kind": self.kind}
        for f in fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if isinstance(value, TrackState):
                value = value.to_dict()
            out[f.name] = value
        return out


# ------------------------------------------------------------------- global
@dataclass(frozen=True)
class SetTempo(Change):
    """``project.set_tempo``."""

    bpm: int
    kind: ClassVar[str] = "project.set_tempo"
    category: ClassVar[Category] = "global"

    def apply(self, state: ProjectState) -> ProjectState:  # noqa: D102
        return replace(state, bpm=self.bpm)

    def describe(self) -> str:  # noqa: D102
        return f"set tempo to {self.bpm} BPM"


@dataclass(frozen=True)
class SetKey(Change):
    """``project.set_key`` (``None`` clears it)."""

    key: str | None
    kind: ClassVar[str] = "project.set_key"
    category: ClassVar[Category] = "global"

    def apply(self, state: ProjectState) -> ProjectState:  # noqa: D102
        return replace(state, key=self.key)

    def describe(self) -> str:  # noqa: D102
        return f"set key to {self.key}"


@dataclass(frozen=True)
class SetTimeSignature(Change):
    """``project.set_time_signature``."""

    numerator: int
    denominator: int
    kind: ClassVar[str] = "project.set_time_signature"
    category: ClassVar[Category] = "global"

    def apply(self, state: ProjectState) -> ProjectState:  # noqa: D102
        return replace(state, time_signature=TimeSignature(self.numerator, self.denominator))

    def describe(self) -> str:  # noqa: D102
        return f"set time signature to {self.numerator}/{self.denominator}"


# ------------------------------------------------------------------- tracks
@dataclass(frozen=True)
class CreateTrack(Change):
    """``track.create`` (appended at the end, or at ``position``)."""

    track: TrackState
    position: int | None = None
    kind: ClassVar[str] = "track.create"
    category: ClassVar[Category] = "structural"

    def apply(self, state: ProjectState) -> ProjectState:  # noqa: D102
        if self.track.track_id in state.track_ids:
            raise ProjectStateError("track.create", self.track.track_id, "track already exists")
        tracks = list(state.tracks)
        tracks.insert(len(tracks) if self.position is None else self.position, self.track)
        return replace(state, tracks=tuple(tracks))

    def describe(self) -> str:  # noqa: D102
        return f"create track {self.track.track_id}"


@dataclass(frozen=True)
class DeleteTrack(Change):
    """``track.delete`` (its regions go with it)."""

    track_id: str
    kind: ClassVar[str] = "track.delete"
    category: ClassVar[Category] = "structural"

    def apply(self, state: ProjectState) -> ProjectState:  # noqa: D102
        _track(state, self.track_id, self.kind)
        tracks = tuple(t for t in state.tracks if t.track_id != self.track_id)
        regions = tuple(r for r in state.regions if r.track_id != self.track_id)
        return replace(state, tracks=tracks, regions=regions)

    def describe(self) -> str:  # noqa: D102
        return f"delete track {self.track_id}"


@dataclass(frozen=True)
class RenameTrack(Change):
    """``track.rename``."""

    track_id: str
    name: str
    kind: ClassVar[str] = "track.rename"
    category: ClassVar[Category] = "structural"

    def apply(self, state: ProjectState) -> ProjectState:  # noqa: D102
        track = _track(state, self.track_id, self.kind)
        return state.with_tracks([replace(track, name=self.name)])

    def describe(self) -> str:  # noqa: D102
        return f"rename track {self.track_id} to {self.name}"


@dataclass(frozen=True)
class SetProgram(Change):
    """``track.set_program`` (General MIDI program 0-127)."""

    track_id: str
    program: int
    kind: ClassVar[str] = "track.set_program"
    category: ClassVar[Category] = "structural"

    def apply(self, state: ProjectState) -> ProjectState:  # noqa: D102
        track = _track(state, self.track_id, self.kind)
        return state.with_tracks([replace(track, program=self.program)])

    def describe(self) -> str:  # noqa: D102
        return f"set program of {self.track_id} to {self.program}"


@dataclass(frozen=True)
class UpdateTrack(Change):
    """Set a track's role, drum flag and channel together (fields left ``None`` are kept)."""

    track_id: str
    role: str | None = None
    is_drum: bool | None = None
    channel: int | None = None
    kind: ClassVar[str] = "track.update"
    category: ClassVar[Category] = "structural"

    def apply(self, state: ProjectState) -> ProjectState:  # noqa: D102
        track = _track(state, self.track_id, self.kind)
        new = replace(
            track,
            role=track.role if self.role is None else self.role,
            is_drum=track.is_drum if self.is_drum is None else self.is_drum,
            channel=track.channel if self.channel is None else self.channel,
        )
        return state.with_tracks([new])

    def describe(self) -> str:  # noqa: D102
        return f"update track {self.track_id}"


@dataclass(frozen=True)
class SetMixer(Change):
    """``track.set_volume`` / ``set_pan`` / ``mute`` / ``solo`` (``None`` keeps a value)."""

    track_id: str
    volume: float | None = None
    pan: float | None = None
    mute: bool | None = None
    solo: bool | None = None
    kind: ClassVar[str] = "track.set_mixer"
    category: ClassVar[Category] = "mix"

    def apply(self, state: ProjectState) -> ProjectState:  # noqa: D102
        track = _track(state, self.track_id, self.kind)
        m = track.mixer
        mixer = Mixer(
            m.volume if self.volume is None else self.volume,
            m.pan if self.pan is None else self.pan,
            m.mute if self.mute is None else self.mute,
            m.solo if self.solo is None else self.solo,
        )
        return state.with_tracks([replace(track, mixer=mixer)])

    def describe(self) -> str:  # noqa: D102
        parts = [
            f"{n}={getattr(self, n)}"
            for n in ("volume", "pan", "mute", "solo")
            if getattr(self, n) is not None
        ]
        return f"set mixer of {self.track_id} ({', '.join(parts)})"


@dataclass(frozen=True)
class ReorderTracks(Change):
    """Put the tracks in a new order (every track id exactly once)."""

    order: tuple[str, ...]
    kind: ClassVar[str] = "track.reorder"
    category: ClassVar[Category] = "structural"

    def apply(self, state: ProjectState) -> ProjectState:  # noqa: D102
        if sorted(self.order) != sorted(state.track_ids):
            raise ProjectStateError(
                "track.reorder", list(self.order), f"must list each of {list(state.track_ids)}"
            )
        by_id = {t.track_id: t for t in state.tracks}
        return replace(state, tracks=tuple(by_id[t] for t in self.order))

    def describe(self) -> str:  # noqa: D102
        return "reorder tracks"


# ------------------------------------------------------------------ regions
@dataclass(frozen=True)
class CreateRegion(Change):
    """``region.create``: an empty container on a track."""

    region_id: str
    track_id: str
    start_beat: float
    duration_beats: float
    name: str = ""
    kind: ClassVar[str] = "region.create"
    category: ClassVar[Category] = "structural"

    def apply(self, state: ProjectState) -> ProjectState:  # noqa: D102
        if state.has_region(self.region_id):
            raise ProjectStateError(self.kind, self.region_id, "region already exists")
        _track(state, self.track_id, self.kind)
        region = RegionState(
            self.region_id, self.track_id, self.start_beat, self.duration_beats, self.name
        )
        return state.with_regions([region])

    def describe(self) -> str:  # noqa: D102
        return f"create region {self.region_id} at beat {self.start_beat:g}"


@dataclass(frozen=True)
class DeleteRegion(Change):
    """``region.delete``."""

    region_id: str
    kind: ClassVar[str] = "region.delete"
    category: ClassVar[Category] = "structural"

    def apply(self, state: ProjectState) -> ProjectState:  # noqa: D102
        _region(state, self.region_id, self.kind)
        return state.without_regions([self.region_id])

    def describe(self) -> str:  # noqa: D102
        return f"delete region {self.region_id}"


@dataclass(frozen=True)
class MoveRegion(Change):
    """``region.move``: a new start and/or track (content unchanged)."""

    region_id: str
    start_beat: float | None = None
    track_id: str | None = None
    kind: ClassVar[str] = "region.move"
    category: ClassVar[Category] = "structural"

    def apply(self, state: ProjectState) -> ProjectState:  # noqa: D102
        region = _region(state, self.region_id, self.kind)
        if self.track_id is not None:
            _track(state, self.track_id, self.kind)
        moved = replace(
            region,
            start_beat=region.start_beat if self.start_beat is None else self.start_beat,
            track_id=region.track_id if self.track_id is None else self.track_id,
        )
        return state.with_regions([moved])

    def describe(self) -> str:  # noqa: D102
        where = [f"beat {self.start_beat:g}"] if self.start_beat is not None else []
        where += [f"track {self.track_id}"] if self.track_id else []
        return f"move region {self.region_id} to {', '.join(where) or 'the same place'}"


@dataclass(frozen=True)
class ResizeRegion(Change):
    """Change a region's length and/or name."""

    region_id: str
    duration_beats: float | None = None
    name: str | None = None
    kind: ClassVar[str] = "region.resize"
    category: ClassVar[Category] = "structural"

    def apply(self, state: ProjectState) -> ProjectState:  # noqa: D102
        region = _region(state, self.region_id, self.kind)
        changed = replace(
            region,
            duration_beats=region.duration_beats
            if self.duration_beats is None
            else self.duration_beats,
            name=region.name if self.name is None else self.name,
        )
        return state.with_regions([changed])

    def describe(self) -> str:  # noqa: D102
        return f"resize region {self.region_id}"


@dataclass(frozen=True)
class DuplicateRegion(Change):
    """``region.duplicate``: copy a region (content and all) to a new id and start."""

    region_id: str
    new_region_id: str
    start_beat: float
    kind: ClassVar[str] = "region.duplicate"
    category: ClassVar[Category] = "structural"

    def apply(self, state: ProjectState) -> ProjectState:  # noqa: D102
        region = _region(state, self.region_id, self.kind)
        if state.has_region(self.new_region_id):
            raise ProjectStateError(self.kind, self.new_region_id, "region already exists")
        copy = replace(region, region_id=self.new_region_id, start_beat=self.start_beat)
        return state.with_regions([copy])

    def describe(self) -> str:  # noqa: D102
        return f"duplicate region {self.region_id} as {self.new_region_id}"


CHANGE_TYPES: dict[str, type[Change]] = {
    cls.kind: cls
    for cls in (
        SetTempo,
        SetKey,
        SetTimeSignature,
        CreateTrack,
        DeleteTrack,
        RenameTrack,
        SetProgram,
        UpdateTrack,
        SetMixer,
        ReorderTracks,
        CreateRegion,
        DeleteRegion,
        MoveRegion,
        ResizeRegion,
        DuplicateRegion,
    )
}
"""Every change kind by its name."""


@dataclass(frozen=True)
class ChangeSet:
    """An ordered list of changes applied and recorded together."""

    changes: tuple[Change, ...]

    def __post_init__(self) -> None:
        changes = tuple(self.changes)
        for i, change in enumerate(changes):
            if not isinstance(change, Change):
                raise ProjectStateError(f"changes[{i}]", type(change).__name__, "not a Change")
        object.__setattr__(self, "changes", changes)

    def __len__(self) -> int:
        return len(self.changes)

    @property
    def categories(self) -> tuple[Category, ...]:
        """The categories present, in order of first appearance."""
        return tuple(dict.fromkeys(c.category for c in self.changes))

    def apply(self, state: ProjectState) -> ProjectState:
        """Apply every change in order."""
        for change in self.changes:
            state = change.apply(state)
        return state

    def describe(self) -> str:
        """All descriptions joined (the default commit message)."""
        return "; ".join(c.describe() for c in self.changes) or "no changes"

    def to_json(self) -> str:
        """Canonical JSON (stored with the commit)."""
        return json.dumps(
            [c.to_dict() for c in self.changes], sort_keys=True, separators=(",", ":")
        )

    @classmethod
    def from_json(cls, text: str) -> ChangeSet:
        """Parse :meth:`to_json` output (or any list of change dicts)."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ProjectStateError("changeset", text[:80], f"not JSON: {exc.msg}") from exc
        if not isinstance(data, list):
            raise ProjectStateError("changeset", type(data).__name__, "must be a JSON list")
        return cls(tuple(change_from_dict(d, i) for i, d in enumerate(data)))


def change_from_dict(data: object, index: int = 0) -> Change:
    """Build one change from its dict form (typed errors name the bad field)."""
    where = f"changes[{index}]"
    if not isinstance(data, Mapping):
        raise ProjectStateError(where, data, "must be an object")
    kind = data.get("kind")
    cls = CHANGE_TYPES.get(str(kind))
    if cls is None:
        raise ProjectStateError(f"{where}.kind", kind, f"expected one of {sorted(CHANGE_TYPES)}")
    names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(data) - names - {"kind"})
    if unknown:
        raise ProjectStateError(where, unknown, f"unknown fields for {kind}")
    args = {k: v for k, v in data.items() if k != "kind"}
    if cls is CreateTrack and isinstance(args.get("track"), Mapping):
        args["track"] = _track_from_dict(args["track"], where)
    if cls is ReorderTracks and isinstance(args.get("order"), Sequence):
        args["order"] = tuple(args["order"])
    try:
        return cls(**args)
    except TypeError as exc:
        raise ProjectStateError(where, dict(data), str(exc)) from exc


def _track_from_dict(data: Mapping[str, object], where: str) -> TrackState:
    mixer = data.get("mixer") or {}
    if not isinstance(mixer, Mapping):
        raise ProjectStateError(f"{where}.track.mixer", mixer, "must be an object")
    try:
        return TrackState(
            track_id=str(data["id"]),
            name=str(data["name"]),
            program=int(data.get("program", 0)),  # type: ignore[call-overload]
            is_drum=bool(data.get("is_drum", False)),
            channel=data.get("channel"),  # type: ignore[arg-type]
            role=data.get("role"),  # type: ignore[arg-type]
            mixer=Mixer(**mixer),
        )
    except (KeyError, TypeError) as exc:
        raise ProjectStateError(f"{where}.track", dict(data), f"invalid track: {exc}") from exc


def _track(state: ProjectState, track_id: str, kind: str) -> TrackState:
    for t in state.tracks:
        if t.track_id == track_id:
            return t
    raise ProjectStateError(f"{kind}.track_id", track_id, f"no such track in {state.track_ids}")


def _region(state: ProjectState, region_id: str, kind: str) -> RegionState:
    for r in state.regions:
        if r.region_id == region_id:
            return r
    raise ProjectStateError(f"{kind}.region_id", region_id, "no such region")
