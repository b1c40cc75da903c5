"""The execution plan: ``stori_*`` tool calls in setup, instrument and mixing phases.

=============  ==============================  =========================================
Phase          Tool                            Params (camelCase)
=============  ==============================  =========================================
setup          ``stori_set_tempo``             ``tempo``
setup          ``stori_set_key``               ``key``
setup          ``stori_set_time_signature``    ``numerator``, ``denominator``
instrument     ``stori_add_midi_track``        ``name``, ``role``, ``instrument``,
                                               ``color``, ``icon``, and ``gmProgram`` or
                                               (drums) ``drumKitId`` + ``isDrums``
instrument     ``stori_clear_notes``           ``regionId``, ``controllers`` [,
                                               ``startBeat``, ``endBeat``] (an edit)
instrument     ``stori_add_midi_region``       ``name``, ``trackName``, ``startBeat``,
                                               ``durationBeats`` [, ``trackId``]
instrument     ``stori_generate_midi``         ``role``, ``style``, ``tempo``, ``bars``,
                                               ``key``, ``trackName``, ``regionName``,
                                               ``section``, ``startBeat``, ``seed``,
                                               ``numCandidates``, ``constraints``,
                                               ``prompt`` (a one-line brief) [, ``trackId``,
                                               ``regionId``]
instrument     ``stori_add_insert_effect``     ``trackId``, ``type``
mixing         ``stori_ensure_bus``            ``name``
mixing         ``stori_add_send``              ``trackId``, ``busName``, ``sendLevel`` (0-1)
mixing         ``stori_set_track_volume``      ``trackId``, ``volume`` (linear gain 0-1)
mixing         ``stori_set_track_pan``         ``trackId``, ``pan`` (-1 left .. 1 right)
=============  ==============================  =========================================

The calls are the tool catalogue's :class:`~maestro_lab.tools.validation.ToolCall`
and their phases the catalogue's; the registry checks them when the plan is
made (:mod:`maestro_lab.tools`).
``trackId`` is the existing track's id when the plan reuses one, else the
track's name (the catalogue resolves names). ``constraints`` is exactly
``GenerationConstraints.to_dict()``. Volumes and pans are stored on the
:class:`RolePlan` in dB and -100..100 (the units of ``MixStepDict``,
used by :meth:`CompositionPlan.wire`) and converted here.

Setup steps that would not change the project (same tempo, key or meter)
are left out; an existing song without a key keeps none unless the prompt
gives one.

Editing in place: a region is named after its section. Where the track
already has that section's region spanning exactly the section's beats, the
plan clears it and generates into it (``regionId``; the region keeps its
id). Otherwise a new region is added: other regions inside those beats are
deleted (``stori_delete_region``) and regions that only overlap them lose
the notes and controller events whose onsets fall inside
(``stori_clear_notes`` with a span). With ``Layer: yes`` nothing is cleared
and a new region is stacked.

Instrument steps are grouped per track: the track, then per section a region
and its generation, then the track's insert effects. Mixing creates the buses
before any send, then sets volumes and pans.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import JsonValue

from maestro_lab.planner.gm import program_name
from maestro_lab.planner.mixing import pan_text
from maestro_lab.planner.model import GenerationStep, RolePlan, SectionPlan
from maestro_lab.planner.project import ProjectView
from maestro_lab.tools.base import ToolName
from maestro_lab.tools.validation import ToolCall
from storpheus.project import RegionState, TrackState


@dataclass(frozen=True)
class ExecutionInputs:
    """What the tool calls are built from."""

    tempo: int
    key: str
    time_signature: tuple[int, int]
    style: str
    num_candidates: int
    roles: tuple[RolePlan, ...]
    sections: tuple[SectionPlan, ...]
    generations: tuple[GenerationStep, ...]
    project: ProjectView
    setup_only_changes: bool = True
    layer: bool = False
    key_given: bool = True


def _edit_regions(
    b: _Builder,
    project: ProjectView,
    track: TrackState | None,
    start: float,
    length: float,
    layer: bool,
    name: str,
    section: str,
    role_key: str,
) -> RegionState | None:
    """Clear what a generation at ``[start, start + length)`` replaces on an existing track.

    Returns the existing region of that section (same name, any case) that
    spans exactly those beats: its notes are replaced and it keeps its id.
    Otherwise ``None`` (a new region is added): other regions that lie
    inside the span are deleted, and regions that only overlap it lose the
    notes and controller events whose onsets fall inside; everything
    outside the span is kept. With ``layer`` nothing is touched.
    """
    if track is None or layer:
        return None
    end = start + length
    regions = project.regions_of(track.track_id)
    exact = next(
        (
            r
            for r in regions
            if abs(r.start_beat - start) < 1e-6
            and abs(r.duration_beats - length) < 1e-6
            and " ".join(r.name.split()).lower() == " ".join(section.split()).lower()
        ),
        None,
    )
    for region in regions:
        if not (region.start_beat < end and start < region.end_beat):
            continue
        params: dict[str, JsonValue] = {"regionId": region.region_id, "controllers": True}
        whole = region.start_beat >= start and region.end_beat <= end
        if whole and region is not exact:
            b.add(
                "stori_delete_region",
                {"regionId": region.region_id},
                f"Delete {name} region {region.region_id} (inside beats {start:g}-{end:g})",
                role_key,
            )
            continue
        if not whole:
            params["startBeat"] = round(max(0.0, start - region.start_beat), 6)
            params["endBeat"] = round(min(region.duration_beats, end - region.start_beat), 6)
        what = "" if whole else f" in beats {start:g}-{end:g}"
        b.add(
            "stori_clear_notes", params, f"Clear {name} region {region.region_id}{what}", role_key
        )
    return exact


class _Builder:
    def __init__(self) -> None:
        self.calls: list[ToolCall] = []

    def add(
        self,
        tool: ToolName,
        params: dict[str, JsonValue],
        label: str,
        instrument: str | None = None,
    ) -> None:
        self.calls.append(
            ToolCall(
                tool, params, id=f"{len(self.calls) + 1:03d}", label=label, instrument=instrument
            )
        )


def build_tool_calls(inputs: ExecutionInputs) -> tuple[ToolCall, ...]:
    """The ordered tool calls of a plan (see the module docstring)."""
    b = _Builder()
    _setup(b, inputs)
    sections = {s.name: s for s in inputs.sections}
    for role in inputs.roles:
        _instrument(b, inputs, role, sections)
    _mixing(b, inputs.roles)
    return tuple(b.calls)


def _setup(b: _Builder, inputs: ExecutionInputs) -> None:
    project = inputs.project
    if project.tempo != inputs.tempo:
        b.add("stori_set_tempo", {"tempo": inputs.tempo}, f"Set tempo to {inputs.tempo} BPM")
    keyless = project.key is None and bool(project.tracks) and not inputs.key_given
    if project.key != inputs.key and not keyless:  # an existing keyless song keeps no key
        b.add("stori_set_key", {"key": inputs.key}, f"Set key to {inputs.key}")
    num, den = inputs.time_signature
    if (project.time_signature or (4, 4)) != (num, den):
        b.add(
            "stori_set_time_signature",
            {"numerator": num, "denominator": den},
            f"Set time signature to {num}/{den}",
        )


def _instrument(
    b: _Builder, inputs: ExecutionInputs, role: RolePlan, sections: dict[str, SectionPlan]
) -> None:
    name = role.track_name
    if role.existing_track_id is None:
        params: dict[str, JsonValue] = {
            "name": name,
            "role": role.role,
            "instrument": instrument_name(role),
            "color": role.color,
            "icon": role.icon,
        }
        if role.is_drum:
            params["drumKitId"] = role.drum_kit or "standard"
            params["isDrums"] = True
        else:
            params["gmProgram"] = role.program if role.program is not None else 0
        what = f"kit {role.drum_kit}" if role.is_drum else f"GM program {role.program}"
        b.add("stori_add_midi_track", params, f"Create {name} track ({what})", role.key)
    bpb = inputs.time_signature[0] * 4.0 / inputs.time_signature[1]
    existing = (
        inputs.project.track_by_id(role.existing_track_id)
        if role.existing_track_id is not None
        else None
    )
    for step in inputs.generations:
        if step.role_key != role.key:
            continue
        section = sections[step.section]
        start, length = step.start_beat, step.bars * bpb
        first = section.start_bar + 1
        span = f"{section.name} (bars {first}-{first + step.bars - 1})"
        target = _edit_regions(
            b, inputs.project, existing, start, length, inputs.layer, name, section.name, role.key
        )
        generate: dict[str, JsonValue] = {
            "role": step.role,
            "style": inputs.style,
            "tempo": inputs.tempo,
            "bars": step.bars,
            "key": inputs.key,
            "trackName": name,
            "regionName": section.name,
            "section": section.name,
            "startBeat": start,
            "seed": step.seed,
            "numCandidates": inputs.num_candidates,
            "constraints": step.constraints.to_dict(),
            "prompt": describe(step, role, section, inputs.style),
        }
        if role.existing_track_id is not None:
            generate["trackId"] = role.existing_track_id
        if target is not None:
            generate["regionId"] = target.region_id
        else:
            region_params: dict[str, JsonValue] = {
                "name": section.name,
                "trackName": name,
                "startBeat": start,
                "durationBeats": length,
            }
            if role.existing_track_id is not None:
                region_params["trackId"] = role.existing_track_id
            b.add("stori_add_midi_region", region_params, f"Add {name} region for {span}", role.key)
        b.add(
            "stori_generate_midi",
            generate,
            f"{'Regenerate' if target is not None else 'Generate'} {step.role} for "
            f"{section.name} ({step.bars} bars, {inputs.num_candidates} candidates)",
            role.key,
        )
    for effect in role.inserts:
        b.add(
            "stori_add_insert_effect",
            {"trackId": track_ref(role), "type": effect},
            f"Add {effect} to {name}",
            role.key,
        )


def _mixing(b: _Builder, roles: tuple[RolePlan, ...]) -> None:
    buses = sorted({bus for role in roles for bus in role.sends})
    for bus in buses:
        b.add("stori_ensure_bus", {"name": bus}, f"Create {bus} bus")
    for role in roles:
        for bus in role.sends:
            level = SEND_LEVELS.get(role.role, 0.25)
            b.add(
                "stori_add_send",
                {"trackId": track_ref(role), "busName": bus, "sendLevel": level},
                f"Send {role.track_name} to {bus} ({level:.2f})",
            )
    for role in roles:
        b.add(
            "stori_set_track_volume",
            {"trackId": track_ref(role), "volume": db_to_gain(role.volume_db)},
            f"Set {role.track_name} volume to {role.volume_db:+.1f} dB",
        )
        b.add(
            "stori_set_track_pan",
            {"trackId": track_ref(role), "pan": round(role.pan / 100.0, 4)},
            f"Pan {role.track_name} {pan_text(role.pan)}",
        )


SEND_LEVELS: dict[str, float] = {
    "chords": 0.2,
    "pads": 0.35,
    "melody": 0.25,
    "lead": 0.25,
    "arp": 0.3,
    "fx": 0.4,
}
"""Reverb send level (0-1) per role."""


def track_ref(role: RolePlan) -> str:
    """The ``trackId`` of a role's track: the existing id, else the track name."""
    return role.existing_track_id or role.track_name


def db_to_gain(db: float) -> float:
    """Decibels to linear gain (0 dB -> 1.0, -6 dB -> 0.5012), capped at 1."""
    return round(min(1.0, 10 ** (db / 20.0)), 4)


def instrument_name(role: RolePlan) -> str:
    """``"Finger Bass"``, ``"kit jazz_brushes"``: what the track plays."""
    if role.is_drum or role.program is None:
        return f"kit {role.drum_kit or 'standard'}" if role.is_drum else role.source
    return program_name(role.program)


def describe(step: GenerationStep, role: RolePlan, section: SectionPlan, style: str) -> str:
    """A one-line brief of one generation, for agents and for people reading the plan.

    >>> # e.g. "verse bass (bass), lofi; register 28-48, rests 0.47, leaps 0.14; ..."
    """
    c = step.constraints
    parts = [f"{section.name} {role.track_name.lower()} ({step.role}), {style}"]
    if role.is_drum:
        parts.append(f"{section.spec.drum_spec.groove} groove, density {c.drum_density:.2f}")
        if role.drum_parts:
            parts.append("parts: " + ", ".join(role.drum_parts))
    else:
        parts.append(
            f"register {c.register_low}-{c.register_high}, rests {c.rest_density:.2f}, "
            f"leaps {c.leap_probability:.2f}"
        )
    if c.swing > 0.5:
        parts.append(f"swing {c.swing:.2f}")
    parts.append(f"velocity {c.velocity_floor}-{c.velocity_ceiling}")
    if step.role in ("bass", "chords", "pads", "arp") and section.chords:
        changes = [
            ch for i, ch in enumerate(section.chords) if i == 0 or section.chords[i - 1] != ch
        ]
        parts.append("chords " + " ".join(changes[:8]))
    return "; ".join(parts)
