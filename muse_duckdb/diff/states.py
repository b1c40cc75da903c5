"""Diffs between two project states, per region, with a severity.

:func:`diff_states` compares an old state ``a`` with a new state ``b``:

* global properties (tempo, meter, key) and tracks (added, removed, every
  property, the mixer, the order) as :class:`PropertyChange` values;
* every region that differs as a :class:`RegionDiff`: added, removed, moved
  (placement changed: start, track, length or name) and/or modified
  (content changed), with its note
  changes (:class:`NoteChanges`: added / removed / modified before-after
  pairs, from :func:`~muse_duckdb.diff.matching.match_notes`) and controller
  changes (:class:`EventChanges` for CC, pitch bends and aftertouch).

Severity
--------
Each change gets a :class:`Severity`; a region's and the diff's severity is
the highest of their parts.

* ``high``: tempo, meter or key changed; a track or region added or removed;
  more than half of a region's notes changed.
* ``medium``: a track's program, drum flag, channel or role changed; a region
  moved (start or track); 10-50 % of a region's notes changed.
* ``low``: renames, mixer changes, track order, a region's length; up to
  10 % of the notes changed, or only controller events.
* ``none``: nothing changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Literal

import numpy as np
import numpy.typing as npt

from muse_duckdb.diff.matching import DEFAULT_TOLERANCE, NoteTable, match_notes, pair_equal
from muse_duckdb.model.commit import JSONValue
from muse_duckdb.model.ids import beats_to_ticks
from muse_duckdb.project import ProjectState, RegionState
from storpheus.columnar import ColumnarArray
from storpheus.events import AftertouchArray, ControlChangeArray, PitchBendArray
from storpheus.notes import NoteArray

RegionStatus = Literal["added", "removed", "modified", "moved", "moved+modified"]


class Severity(IntEnum):
    """How much a change matters (see the module docstring)."""

    NONE = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3

    @property
    def label(self) -> str:
        """Lower-case name: ``"none"``, ``"low"``, ``"medium"``, ``"high"``."""
        return self.name.lower()


@dataclass(frozen=True)
class PropertyChange:
    """A change of one property, named by a path such as ``"tracks.bass.program"``."""

    path: str
    before: JSONValue
    after: JSONValue
    severity: Severity

    def to_dict(self) -> dict[str, JSONValue]:
        """JSON-ready dict."""
        return {
            "path": self.path,
            "before": self.before,
            "after": self.after,
            "severity": self.severity.label,
        }

    def __str__(self) -> str:
        return f"{self.path}: {self.before!r} -> {self.after!r}"


@dataclass(frozen=True)
class NoteChanges:
    """Note-level changes of one region (times relative to the region start)."""

    added: NoteArray = field(default_factory=NoteArray.empty)
    removed: NoteArray = field(default_factory=NoteArray.empty)
    modified_before: NoteArray = field(default_factory=NoteArray.empty)
    modified_after: NoteArray = field(default_factory=NoteArray.empty)
    unchanged: int = 0

    @property
    def n_changed(self) -> int:
        """Added + removed + modified."""
        return len(self.added) + len(self.removed) + len(self.modified_before)

    def to_dict(self) -> dict[str, JSONValue]:
        """Counts and the changed notes as wire (camelCase) dicts."""
        return {
            "added": _dicts(self.added),
            "removed": _dicts(self.removed),
            "modified": [
                {"before": b, "after": a}
                for b, a in zip(
                    _dicts(self.modified_before), _dicts(self.modified_after), strict=True
                )
            ],
            "unchanged": self.unchanged,
        }


@dataclass(frozen=True)
class EventChanges:
    """Added and removed controller events of one kind (exact comparison)."""

    added: ColumnarArray
    removed: ColumnarArray

    @property
    def n_changed(self) -> int:
        """Added + removed."""
        return len(self.added) + len(self.removed)


@dataclass(frozen=True)
class RegionDiff:
    """How one region differs between the two states."""

    region_id: str
    track_id: str
    status: RegionStatus
    before: RegionState | None
    after: RegionState | None
    notes: NoteChanges
    cc: EventChanges
    bends: EventChanges
    aftertouch: EventChanges
    placement: tuple[PropertyChange, ...]
    severity: Severity

    def summary(self) -> str:
        """One line such as ``"bass/verse modified: +3 -1 ~2 notes, 4 CC (medium)"``."""
        parts = []
        n = self.notes
        if n.n_changed:
            parts.append(f"+{len(n.added)} -{len(n.removed)} ~{len(n.modified_before)} notes")
        events = self.cc.n_changed + self.bends.n_changed + self.aftertouch.n_changed
        if events:
            parts.append(f"{events} controller events")
        parts.extend(str(p) for p in self.placement)
        detail = ": " + ", ".join(parts) if parts else ""
        return f"{self.region_id} {self.status}{detail} ({self.severity.label})"

    @property
    def region_state(self) -> RegionState:
        """The region after the change (before it, for a removed region)."""
        region = self.after or self.before
        assert region is not None
        return region

    def to_dict(self) -> dict[str, JSONValue]:
        """JSON-ready dict (camelCase)."""
        return {
            "regionId": self.region_id,
            "trackId": self.track_id,
            "status": self.status,
            "severity": self.severity.label,
            "startBeat": self.region_state.start_beat,
            "notes": self.notes.to_dict(),
            "ccChanges": self.cc.n_changed,
            "pitchBendChanges": self.bends.n_changed,
            "aftertouchChanges": self.aftertouch.n_changed,
            "placement": [p.to_dict() for p in self.placement],
        }


@dataclass(frozen=True)
class ProjectDiff:
    """Everything that differs between two project states."""

    before_id: str
    after_id: str
    properties: tuple[PropertyChange, ...]
    regions: tuple[RegionDiff, ...]

    @property
    def is_empty(self) -> bool:
        """Whether the states are identical."""
        return not self.properties and not self.regions

    @property
    def severity(self) -> Severity:
        """The highest severity of any change."""
        levels = [p.severity for p in self.properties] + [r.severity for r in self.regions]
        return max(levels, default=Severity.NONE)

    @property
    def changed_paths(self) -> tuple[str, ...]:
        """Property paths and region ids that differ (for short messages)."""
        return tuple(p.path for p in self.properties) + tuple(
            f"region {r.region_id}" for r in self.regions
        )

    def region(self, region_id: str) -> RegionDiff:
        """The diff of one region (``KeyError`` if it did not change)."""
        for r in self.regions:
            if r.region_id == region_id:
                return r
        raise KeyError(f"region {region_id!r} did not change")

    def counts(self) -> dict[str, int]:
        """Totals of added / removed / modified notes and controller changes."""
        return {
            "added": sum(len(r.notes.added) for r in self.regions),
            "removed": sum(len(r.notes.removed) for r in self.regions),
            "modified": sum(len(r.notes.modified_before) for r in self.regions),
            "controllers": sum(
                r.cc.n_changed + r.bends.n_changed + r.aftertouch.n_changed for r in self.regions
            ),
        }

    def to_dict(self) -> dict[str, JSONValue]:
        """JSON-ready dict (camelCase)."""
        return {
            "before": self.before_id,
            "after": self.after_id,
            "severity": self.severity.label,
            "counts": dict(self.counts()),
            "properties": [p.to_dict() for p in self.properties],
            "regions": [r.to_dict() for r in self.regions],
        }

    def summary(self) -> list[str]:
        """Human-readable lines, properties first."""
        return [str(p) for p in self.properties] + [r.summary() for r in self.regions]


# --------------------------------------------------------------------- diff
def diff_states(
    a: ProjectState, b: ProjectState, *, tolerance: int = DEFAULT_TOLERANCE
) -> ProjectDiff:
    """Compare ``a`` (before) with ``b`` (after); see the module docstring."""
    if a.snapshot_id == b.snapshot_id:
        return ProjectDiff(a.snapshot_id, b.snapshot_id, (), ())
    props = _global_changes(a, b) + _track_changes(a, b)
    regions_a = {r.region_id: r for r in a.regions}
    regions_b = {r.region_id: r for r in b.regions}
    ids = sorted(set(regions_a) | set(regions_b))
    content_changed = [
        rid
        for rid in ids
        if rid in regions_a
        and rid in regions_b
        and regions_a[rid].object_id != regions_b[rid].object_id
    ]
    note_changes = note_changes_by_region(
        {rid: regions_a[rid].notes for rid in content_changed},
        {rid: regions_b[rid].notes for rid in content_changed},
        tolerance=tolerance,
    )
    out: list[RegionDiff] = []
    for rid in ids:
        ra, rb = regions_a.get(rid), regions_b.get(rid)
        if ra is not None and rb is not None:
            placement = _placement_changes(ra, rb)
            if not placement and rid not in note_changes:
                continue
            out.append(_modified_region(ra, rb, placement, note_changes.get(rid, NoteChanges())))
        elif ra is not None:
            out.append(_whole_region(ra, "removed"))
        elif rb is not None:
            out.append(_whole_region(rb, "added"))
    return ProjectDiff(a.snapshot_id, b.snapshot_id, tuple(props), tuple(out))


def note_changes_by_region(
    before: dict[str, NoteArray], after: dict[str, NoteArray], *, tolerance: int
) -> dict[str, NoteChanges]:
    """Note changes of many regions in one vectorised matching pass."""
    ids = sorted(before)
    if not ids:
        return {}
    codes = {rid: i for i, rid in enumerate(ids)}
    ta = NoteTable.build({codes[r]: before[r] for r in ids})
    tb = NoteTable.build({codes[r]: after[r] for r in ids})
    m = match_notes(ta, tb, tolerance)
    removed = m.unmatched_a(len(ta))
    added = m.unmatched_b(len(tb))
    mod = ~m.exact
    mod_a, mod_b = m.a_index[mod], m.b_index[mod]
    order = np.argsort(mod_a, kind="stable")
    mod_a, mod_b = mod_a[order], mod_b[order]
    unchanged = np.bincount(ta.region[m.a_index[m.exact]], minlength=len(ids))
    out: dict[str, NoteChanges] = {}
    for rid, code in codes.items():
        sel_r = removed[ta.region[removed] == code]
        sel_a = added[tb.region[added] == code]
        sel_m = ta.region[mod_a] == code
        out[rid] = NoteChanges(
            added=tb.notes(sel_a).sort(),
            removed=ta.notes(sel_r).sort(),
            modified_before=ta.notes(mod_a[sel_m]),
            modified_after=tb.notes(mod_b[sel_m]),
            unchanged=int(unchanged[code]),
        )
    return out


def event_changes(a: ColumnarArray, b: ColumnarArray) -> EventChanges:
    """Added and removed events between two arrays of the same kind (multiset difference)."""
    cols_a = [_int_col(a.column(s.name)) for s in a.COLUMNS]
    cols_b = [_int_col(b.column(s.name)) for s in b.COLUMNS]
    ia, ib = pair_equal(cols_a, cols_b)
    keep_a = np.ones(len(a), dtype=bool)
    keep_a[ia] = False
    keep_b = np.ones(len(b), dtype=bool)
    keep_b[ib] = False
    return EventChanges(added=b[keep_b], removed=a[keep_a])


# ------------------------------------------------------------------ helpers
def _int_col(col: npt.NDArray[np.generic]) -> npt.NDArray[np.int64]:
    if col.dtype.kind == "f":
        return beats_to_ticks(col)
    return col.astype(np.int64)


def _dicts(notes: NoteArray) -> list[JSONValue]:
    return list(notes.to_dicts(wire=True))  # type: ignore[arg-type]


def _ratio_severity(changed: int, base: int) -> Severity:
    if changed == 0:
        return Severity.NONE
    ratio = changed / max(1, base)
    if ratio > 0.5:
        return Severity.HIGH
    if ratio > 0.1:
        return Severity.MEDIUM
    return Severity.LOW


def _modified_region(
    ra: RegionState, rb: RegionState, placement: Sequence[PropertyChange], notes: NoteChanges
) -> RegionDiff:
    cc = event_changes(ra.cc, rb.cc)
    bends = event_changes(ra.bends, rb.bends)
    aftertouch = event_changes(ra.aftertouch, rb.aftertouch)
    levels = [p.severity for p in placement]
    levels.append(_ratio_severity(notes.n_changed, len(ra.notes)))
    if cc.n_changed or bends.n_changed or aftertouch.n_changed:
        levels.append(Severity.LOW)
    content = ra.object_id != rb.object_id
    status: RegionStatus = "modified"
    if placement:
        status = "moved+modified" if content else "moved"
    return RegionDiff(
        region_id=rb.region_id,
        track_id=rb.track_id,
        status=status,
        before=ra,
        after=rb,
        notes=notes,
        cc=cc,
        bends=bends,
        aftertouch=aftertouch,
        placement=tuple(placement),
        severity=max(levels),
    )


def _whole_region(region: RegionState, status: Literal["added", "removed"]) -> RegionDiff:
    empty = {
        "cc": ControlChangeArray.empty(),
        "bends": PitchBendArray.empty(),
        "aftertouch": AftertouchArray.empty(),
    }
    added = status == "added"

    def changes(kind: str) -> EventChanges:
        events: ColumnarArray = getattr(region, kind)
        return EventChanges(
            added=events if added else empty[kind], removed=empty[kind] if added else events
        )

    notes = NoteChanges(
        added=region.notes if added else NoteArray.empty(),
        removed=NoteArray.empty() if added else region.notes,
    )
    return RegionDiff(
        region_id=region.region_id,
        track_id=region.track_id,
        status=status,
        before=None if added else region,
        after=region if added else None,
        notes=notes,
        cc=changes("cc"),
        bends=changes("bends"),
        aftertouch=changes("aftertouch"),
        placement=(),
        severity=Severity.HIGH,
    )


def _placement_changes(ra: RegionState, rb: RegionState) -> tuple[PropertyChange, ...]:
    out = []
    base = f"regions.{ra.region_id}"
    for name, before, after, level in (
        ("track", ra.track_id, rb.track_id, Severity.MEDIUM),
        ("start_beat", ra.start_beat, rb.start_beat, Severity.MEDIUM),
        ("duration_beats", ra.duration_beats, rb.duration_beats, Severity.LOW),
        ("name", ra.name, rb.name, Severity.LOW),
    ):
        if before != after:
            out.append(PropertyChange(f"{base}.{name}", before, after, level))
    return tuple(out)


def _global_changes(a: ProjectState, b: ProjectState) -> list[PropertyChange]:
    out = []
    if a.bpm != b.bpm:
        out.append(PropertyChange("bpm", a.bpm, b.bpm, Severity.HIGH))
    if a.time_signature != b.time_signature:
        out.append(
            PropertyChange(
                "time_signature", str(a.time_signature), str(b.time_signature), Severity.HIGH
            )
        )
    if a.key != b.key:
        out.append(PropertyChange("key", a.key, b.key, Severity.HIGH))
    return out


_TRACK_FIELDS: tuple[tuple[str, Severity], ...] = (
    ("name", Severity.LOW),
    ("role", Severity.MEDIUM),
    ("program", Severity.MEDIUM),
    ("is_drum", Severity.MEDIUM),
    ("channel", Severity.MEDIUM),
)
_MIXER_FIELDS = ("volume", "pan", "mute", "solo")


def _track_changes(a: ProjectState, b: ProjectState) -> list[PropertyChange]:
    out: list[PropertyChange] = []
    tracks_a = {t.track_id: t for t in a.tracks}
    tracks_b = {t.track_id: t for t in b.tracks}
    for tid in a.track_ids:
        if tid not in tracks_b:
            out.append(PropertyChange(f"tracks.{tid}", tracks_a[tid].name, None, Severity.HIGH))
    for tid in b.track_ids:
        tb = tracks_b[tid]
        ta = tracks_a.get(tid)
        if ta is None:
            out.append(PropertyChange(f"tracks.{tid}", None, tb.name, Severity.HIGH))
            continue
        for name, level in _TRACK_FIELDS:
            before, after = getattr(ta, name), getattr(tb, name)
            if before != after:
                out.append(PropertyChange(f"tracks.{tid}.{name}", before, after, level))
        for name in _MIXER_FIELDS:
            before, after = getattr(ta.mixer, name), getattr(tb.mixer, name)
            if before != after:
                out.append(
                    PropertyChange(f"tracks.{tid}.mixer.{name}", before, after, Severity.LOW)
                )
    common_a = [t for t in a.track_ids if t in tracks_b]
    common_b = [t for t in b.track_ids if t in tracks_a]
    if common_a != common_b:
        out.append(PropertyChange("tracks.order", list(common_a), list(common_b), Severity.LOW))
    return out
