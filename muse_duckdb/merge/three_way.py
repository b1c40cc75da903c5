"""Three-way merge of project states: global, track, region and note level.

:func:`merge_states` merges ``ours`` and ``theirs`` against their common
``base``:

* **global** properties (tempo, meter, key) and every **track** property
  (name, role, program, drum flag, channel, mixer) merge field by field: the
  side that changed wins; both changing a field differently is a conflict;
* **tracks** added on one side are kept; a track deleted on one side and
  changed on the other conflicts. Track order: the side that reordered wins;
  if both did, differently, it conflicts; tracks added on both sides follow
  the base tracks, ordered by id;
* **regions**: placement (track, start, duration, name) merges field by
  field; a region deleted on one side and changed on the other conflicts;
  when both sides changed its content, notes and controller events merge at
  note level (:mod:`muse_duckdb.merge.notes`).

The result is order independent: when there are no conflicts,
``merge_states(base, a, b)`` and ``merge_states(base, b, a)`` give states
with the same snapshot id. ``merge_states(base, a, a)`` is ``a``, and when
one side equals the base the result is the other side.

With ``strategy="ours"`` or ``"theirs"`` every conflict is resolved by taking
that side (non-conflicting changes of both sides are still merged) and the
conflicts are still reported in :attr:`MergeResult.conflicts`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from muse_duckdb.diff.matching import DEFAULT_TOLERANCE
from muse_duckdb.errors import ProjectStateError
from muse_duckdb.merge.conflicts import Conflict, ConflictKind, Resolver, Strategy
from muse_duckdb.merge.notes import NoteJob, merge_events, merge_notes
from muse_duckdb.model.commit import JSONValue
from muse_duckdb.project import Mixer, ProjectState, RegionState, TrackState

_TRACK_FIELDS = ("name", "role", "program", "is_drum", "channel")
_MIXER_FIELDS = ("volume", "pan", "mute", "solo")
_PLACEMENT = ("track_id", "start_beat", "duration_beats", "name")


@dataclass(frozen=True)
class MergeResult:
    """Outcome of a three-way merge.

    ``state`` is ``None`` when there are conflicts and no strategy; with a
    strategy it is the resolved state and ``conflicts`` lists what was
    overridden.
    """

    state: ProjectState | None
    conflicts: tuple[Conflict, ...]
    strategy: Strategy | None = None

    @property
    def clean(self) -> bool:
        """Whether the merge had no conflicts at all."""
        return not self.conflicts


def merge_states(
    base: ProjectState,
    ours: ProjectState,
    theirs: ProjectState,
    *,
    strategy: Strategy | None = None,
    tolerance: int = DEFAULT_TOLERANCE,
) -> MergeResult:
    """Three-way merge of two states against their base (see the module docstring).

    Examples
    --------
    >>> from storpheus.notes import NoteArray
    >>> t = TrackState("piano", "Piano")
    >>> def state(pitches):
    ...     notes = NoteArray(pitches, 80, [0.0, 1.0, 2.0][: len(pitches)], 1.0)
    ...     return ProjectState((t,), (RegionState("piano/a", "piano", 0, 4, notes=notes),))
    >>> merged = merge_states(state([60, 62, 64]), state([61, 62, 64]), state([60, 62, 65]))
    >>> merged.state.region("piano/a").notes.pitch.tolist()
    [61, 62, 65]
    """
    resolver = Resolver(strategy)
    bpm = resolver.pick(
        base.bpm, ours.bpm, theirs.bpm, _prop("bpm", base.bpm, ours.bpm, theirs.bpm)
    )
    meter = resolver.pick(
        base.time_signature,
        ours.time_signature,
        theirs.time_signature,
        _prop(
            "time_signature",
            str(base.time_signature),
            str(ours.time_signature),
            str(theirs.time_signature),
        ),
    )
    key = resolver.pick(
        base.key, ours.key, theirs.key, _prop("key", base.key, ours.key, theirs.key)
    )
    tracks = _merge_tracks(base, ours, theirs, resolver)
    regions = _merge_regions(base, ours, theirs, resolver, tolerance)
    track_ids = {t.track_id for t in tracks}
    kept = []
    for region in regions:
        if region.track_id in track_ids:
            kept.append(region)
            continue
        resolver.add(
            Conflict(
                "region_on_deleted_track",
                f"regions.{region.region_id}",
                ours=region.track_id,
                region_id=region.region_id,
                track_id=region.track_id,
            )
        )
    if resolver.conflicts and strategy is None:
        return MergeResult(None, tuple(resolver.conflicts), None)
    state = ProjectState(
        tracks=tuple(tracks), regions=tuple(kept), bpm=bpm, time_signature=meter, key=key
    )
    return MergeResult(state, tuple(resolver.conflicts), strategy)


# ------------------------------------------------------------------- tracks
def _merge_tracks(
    base: ProjectState, ours: ProjectState, theirs: ProjectState, r: Resolver
) -> list[TrackState]:
    b = {t.track_id: t for t in base.tracks}
    o = {t.track_id: t for t in ours.tracks}
    t = {t.track_id: t for t in theirs.tracks}
    merged: dict[str, TrackState] = {}
    for tid in sorted(set(b) | set(o) | set(t)):
        result = _merge_track(tid, b.get(tid), o.get(tid), t.get(tid), r)
        if result is not None:
            merged[tid] = result
    order = _merge_order(base.track_ids, ours.track_ids, theirs.track_ids, set(merged), r)
    return [merged[tid] for tid in order]


def _merge_track(
    tid: str, b: TrackState | None, o: TrackState | None, t: TrackState | None, r: Resolver
) -> TrackState | None:
    if o == t:
        return o
    if o == b:
        return t
    if t == b:
        return o
    if o is None or t is None:
        r.add(
            Conflict(
                "track_delete_modify",
                f"tracks.{tid}",
                base=None if b is None else b.name,
                ours=None if o is None else o.name,
                theirs=None if t is None else t.name,
                track_id=tid,
            )
        )
        return r.side(o, t)
    values = _pick_fields(_TRACK_FIELDS, b, o, t, r, "track_property", f"tracks.{tid}", tid)
    mixer = _pick_fields(
        _MIXER_FIELDS,
        None if b is None else b.mixer,
        o.mixer,
        t.mixer,
        r,
        "track_property",
        f"tracks.{tid}.mixer",
        tid,
    )
    try:
        return TrackState(
            track_id=tid,
            name=str(values["name"]),
            program=_as_int(values["program"]),
            is_drum=bool(values["is_drum"]),
            channel=_as_int(values["channel"]),
            role=None if values["role"] is None else str(values["role"]),
            mixer=Mixer(
                _as_float(mixer["volume"]),
                _as_float(mixer["pan"]),
                bool(mixer["mute"]),
                bool(mixer["solo"]),
            ),
        )
    except ProjectStateError as exc:
        r.add(Conflict("track_property", f"tracks.{tid}", ours=o.name, theirs=str(exc)))
        return r.side(o, t)


def _merge_order(
    base: Sequence[str], ours: Sequence[str], theirs: Sequence[str], kept: set[str], r: Resolver
) -> list[str]:
    """Track order (see the module docstring); every id in ``kept`` exactly once."""
    base_kept = [t for t in base if t in kept]

    def common(order: Sequence[str]) -> list[str]:
        return [t for t in order if t in base and t in kept]

    ours_c, theirs_c = common(ours), common(theirs)
    if ours_c == theirs_c:
        spine = ours_c
    elif ours_c == base_kept:
        spine = theirs_c
    elif theirs_c == base_kept:
        spine = ours_c
    else:
        r.add(
            Conflict(
                "track_order", "tracks.order", _json(base_kept), _json(ours_c), _json(theirs_c)
            )
        )
        spine = r.side(ours_c, theirs_c)
    new_o = [t for t in ours if t in kept and t not in base]
    new_t = [t for t in theirs if t in kept and t not in base]
    if not new_t:
        return _insert_new(spine, ours, new_o)
    if not new_o:
        return _insert_new(spine, theirs, new_t)
    added = sorted(set(new_o) | set(new_t))
    return spine + added


def _insert_new(spine: list[str], side: Sequence[str], new: list[str]) -> list[str]:
    """Insert one side's new tracks after the track that precedes them on that side."""
    out = list(spine)
    for tid in new:
        pos = list(side).index(tid)
        before = [x for x in side[:pos] if x in out]
        out.insert(out.index(before[-1]) + 1 if before else 0, tid)
    return out


# ------------------------------------------------------------------ regions
def _same(a: RegionState | None, b: RegionState | None) -> bool:
    if a is None or b is None:
        return a is b
    return a.placement() == b.placement() and a.object_id == b.object_id


def _merge_regions(
    base: ProjectState, ours: ProjectState, theirs: ProjectState, r: Resolver, tolerance: int
) -> list[RegionState]:
    b = {x.region_id: x for x in base.regions}
    o = {x.region_id: x for x in ours.regions}
    t = {x.region_id: x for x in theirs.regions}
    out: list[RegionState] = []
    content_jobs: list[tuple[RegionState, RegionState | None, RegionState, RegionState]] = []
    for rid in sorted(set(b) | set(o) | set(t)):
        rb, ro, rt = b.get(rid), o.get(rid), t.get(rid)
        if _same(ro, rt):
            chosen = ro
        elif _same(ro, rb):
            chosen = rt
        elif _same(rt, rb):
            chosen = ro
        elif ro is None or rt is None:
            r.add(
                Conflict(
                    "region_delete_modify",
                    f"regions.{rid}",
                    base=None if rb is None else rb.object_id,
                    ours=None if ro is None else ro.object_id,
                    theirs=None if rt is None else rt.object_id,
                    region_id=rid,
                    track_id=_any_region(ro, rt, rb).track_id,
                )
            )
            chosen = r.side(ro, rt)
        else:
            placed = _merge_placement(rid, rb, ro, rt, r)
            if ro.object_id == rt.object_id or (rb is not None and rt.object_id == rb.object_id):
                chosen = placed.with_events(ro.notes, ro.cc, ro.bends, ro.aftertouch)
            elif rb is not None and ro.object_id == rb.object_id:
                chosen = placed.with_events(rt.notes, rt.cc, rt.bends, rt.aftertouch)
            else:
                content_jobs.append((placed, rb, ro, rt))
                continue
        if chosen is not None:
            out.append(chosen)
    out.extend(_merge_contents(content_jobs, r, tolerance))
    return out


def _merge_placement(
    rid: str, b: RegionState | None, o: RegionState, t: RegionState, r: Resolver
) -> RegionState:
    values = _pick_fields(
        _PLACEMENT, b, o, t, r, "region_placement", f"regions.{rid}", o.track_id, region_id=rid
    )
    return replace(
        o,
        track_id=str(values["track_id"]),
        start_beat=_as_float(values["start_beat"]),
        duration_beats=_as_float(values["duration_beats"]),
        name=str(values["name"]),
    )


def _pick_fields(
    names: Sequence[str],
    base: object | None,
    ours: object,
    theirs: object,
    r: Resolver,
    kind: ConflictKind,
    path: str,
    track_id: str,
    region_id: str | None = None,
) -> dict[str, object]:
    """Three-way pick of each named attribute; a clash is a ``kind`` conflict at ``path.name``."""
    values: dict[str, object] = {}
    for name in names:
        before = None if base is None else getattr(base, name)
        ours_v, theirs_v = getattr(ours, name), getattr(theirs, name)
        values[name] = r.pick(
            before,
            ours_v,
            theirs_v,
            Conflict(
                kind,
                f"{path}.{name}",
                base=_json(before),
                ours=_json(ours_v),
                theirs=_json(theirs_v),
                region_id=region_id,
                track_id=track_id,
            ),
        )
    return values


def _any_region(*regions: RegionState | None) -> RegionState:
    return next(r for r in regions if r is not None)


def _as_int(value: object) -> int:
    assert isinstance(value, int)
    return value


def _as_float(value: object) -> float:
    assert isinstance(value, int | float)
    return float(value)


def _merge_contents(
    jobs: list[tuple[RegionState, RegionState | None, RegionState, RegionState]],
    r: Resolver,
    tolerance: int,
) -> list[RegionState]:
    if not jobs:
        return []
    note_jobs = []
    for placed, rb, ro, rt in jobs:
        base_notes = rb.notes if rb is not None else type(ro.notes).empty()
        note_jobs.append(
            NoteJob(
                placed.region_id, placed.track_id, placed.start_tick, base_notes, ro.notes, rt.notes
            )
        )
    notes = merge_notes(note_jobs, r, tolerance)
    out = []
    for placed, rb, ro, rt in jobs:
        where = (placed.region_id, placed.track_id, placed.start_tick)
        empty = RegionState(placed.region_id, placed.track_id, 0.0, 1.0)
        base = rb if rb is not None else empty
        out.append(
            placed.with_events(
                notes=notes[placed.region_id],
                cc=merge_events(base.cc, ro.cc, rt.cc, ("number", "beat"), where, r),
                bends=merge_events(base.bends, ro.bends, rt.bends, ("beat",), where, r),
                aftertouch=merge_events(
                    base.aftertouch, ro.aftertouch, rt.aftertouch, ("pitch", "beat"), where, r
                ),
            )
        )
    return out


def _prop(path: str, base: object, ours: object, theirs: object) -> Conflict:
    return Conflict(
        "global_property",
        path,
        base=_json(base),
        ours=_json(ours),
        theirs=_json(theirs),
    )


def _json(value: object) -> JSONValue:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    return str(value)
