"""Tracks of a plan: roles from the prompt (or the style), with programs, channels and mix.

Drum words (``kick``, ``snare``, ``hats``, ``drums``...) merge into one drum
track on channel 9; its ``drum_parts`` lists the parts named (empty for a
full kit). Pitched tracks take channels 0-8 then 10-15 in prompt order. GM
programs resolve in this order: ``Constraints: programs`` by word, then by
role; ``gm_program`` when there is a single pitched track; the instrument
word's own program (``rhodes`` -> 4); the style's program for the role; the
role default. Existing project tracks are reused by name, then by role.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import JsonValue

from maestro_lab.errors import PlanningError
from maestro_lab.planner import mixing
from maestro_lab.planner.model import RolePlan
from maestro_lab.planner.project import ProjectView
from maestro_lab.roles import (
    DEFAULT_PROGRAMS,
    ROLE_COLORS,
    ROLE_ICONS,
    RoleMatch,
    normalise_role,
)
from storpheus.project import TrackState
from storpheus.seeding import derive_seed
from storpheus.styles import StyleProfile

MAX_PITCHED_TRACKS = 15


@dataclass(frozen=True)
class _Track:
    match: RoleMatch
    name: str
    parts: tuple[str, ...]


def plan_tracks(
    words: tuple[str, ...],
    *,
    style: StyleProfile,
    constraints: Mapping[str, JsonValue],
    effects: Mapping[str, JsonValue] | None,
    project: ProjectView,
    base_seed: int,
    notes: list[str],
    warnings: list[str],
) -> tuple[RolePlan, ...]:
    """One :class:`RolePlan` per track (see the module docstring)."""
    tracks = _merge_drums([normalise_role(w) for w in words])
    for track in tracks:
        if not track.match.known:
            warnings.append(
                f"Role: {track.match.word!r} is not a known instrument; planned as a melody"
            )
    pitched = [t for t in tracks if t.match.role != "drums"]
    if len(pitched) > MAX_PITCHED_TRACKS:
        raise PlanningError(
            f"Role: {len(pitched)} pitched tracks requested; at most {MAX_PITCHED_TRACKS} fit "
            "the 15 non-drum MIDI channels"
        )
    names = _unique([t.name for t in tracks])
    keys = _unique([_slug(n) for n in names], sep="_")
    channels = iter([c for c in range(16) if c != 9])
    used_existing: set[str] = set()
    seen_roles: dict[str, int] = {}
    no_effects = bool(constraints.get("no_effects"))
    no_reverb = bool(constraints.get("no_reverb"))
    out = []
    for track, name, key in zip(tracks, names, keys, strict=True):
        m = track.match
        is_drum = m.role == "drums"
        existing = _existing(project, name, m.role, used_existing)
        if existing is not None:
            used_existing.add(existing.track_id)
            notes.append(f"track {name!r} reuses the existing track {existing.name!r}")
            name = existing.name
        requested, unknown = mixing.effects_block_for(effects, name, m.role, m.word)
        if unknown:
            notes.append(f"Effects for {name}: not understood: {', '.join(unknown)}")
        count = seen_roles.get(m.role, 0)
        seen_roles[m.role] = count + 1
        nudge = 0.0 if count == 0 else (15.0 * ((count + 1) // 2)) * (1 if count % 2 else -1)
        mix = mixing.plan_track_mix(
            role=m.role,
            style=style,
            requested=requested,
            no_effects=no_effects,
            no_reverb=no_reverb,
            pan_nudge=nudge,
        )
        program = None if is_drum else _program(m, style, constraints, len(pitched), notes)
        out.append(
            RolePlan(
                key=key,
                role=m.role,
                source=m.word,
                track_name=name,
                program=program,
                is_drum=is_drum,
                channel=9 if is_drum else next(channels),
                seed=derive_seed(base_seed, "role", key),
                color=ROLE_COLORS[m.role],
                icon=ROLE_ICONS[m.role],
                drum_kit=style.drum_kit if is_drum else None,
                drum_parts=track.parts,
                existing_track_id=existing.track_id if existing is not None else None,
                inserts=mix.inserts,
                sends=mix.sends,
                volume_db=mix.volume_db,
                pan=mix.pan,
            )
        )
    return tuple(out)


def _merge_drums(matches: list[RoleMatch]) -> list[_Track]:
    drums = [m for m in matches if m.role == "drums"]
    out: list[_Track] = []
    placed = False
    for m in matches:
        if m.role != "drums":
            out.append(_Track(m, m.track_name, ()))
        elif not placed:
            placed = True
            full_kit = any(d.drum_part is None for d in drums)
            parts = () if full_kit else tuple(dict.fromkeys(d.drum_part or "" for d in drums))
            name = drums[0].track_name if len(drums) == 1 else "Drums"
            out.append(_Track(m, name, parts))
    return out


def _program(
    m: RoleMatch,
    style: StyleProfile,
    constraints: Mapping[str, JsonValue],
    pitched: int,
    notes: list[str],
) -> int:
    programs = constraints.get("programs")
    if isinstance(programs, dict):
        for name in (m.word, m.role):
            value = programs.get(name)
            if isinstance(value, int):
                return value
    single = constraints.get("gm_program")
    if isinstance(single, int):
        if pitched == 1:
            return single
        notes.append("gm_program ignored: it applies only when there is one pitched track")
    if m.program is not None:
        return m.program
    styled = style.program(m.role)
    return styled if styled is not None else DEFAULT_PROGRAMS[m.role]


def _existing(project: ProjectView, name: str, role: str, used: set[str]) -> TrackState | None:
    free = [t for t in project.tracks if t.track_id not in used]
    for track in free:
        if track.name.lower() == name.lower():
            return track
    for track in free:
        if track.role == role or (role == "drums" and track.is_drum and track.role is None):
            return track
    return None


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "track"


def _unique(values: list[str], sep: str = " ") -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for value in values:
        seen[value] = seen.get(value, 0) + 1
        out.append(value if seen[value] == 1 else f"{value}{sep}{seen[value]}")
    return out
