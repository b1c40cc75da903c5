"""The compose path of the planner: sections, harmony, per-section specs, generations.

Section layout, in order of precedence: ``Constraints: sections`` (a list
shared by weight, or ``{name: bars}``), a single ``Section:``, section names
mentioned in the request (two or more, in the order they are named), else the
style's short- or long-form template. Total bars come from ``Constraints:
bars``, else ``duration`` seconds, else the section default (8 bars for most
single sections) or 16 bars. ``Position`` places the new material; ``between``
without ``bars`` fills the gap.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping

from pydantic import JsonValue

from maestro_lab.emotion import emotion_to_constraints, emotion_vector
from maestro_lab.errors import PlanningError
from maestro_lab.intent import extract_slots
from maestro_lab.planner import arrangement as arr
from maestro_lab.planner import harmony, mixing, specs
from maestro_lab.planner.arrangement import PlannedSection
from maestro_lab.planner.context import PlanContext
from maestro_lab.planner.cost import check_requested_bars
from maestro_lab.planner.model import CompositionPlan, GenerationStep, RolePlan, SectionPlan
from maestro_lab.planner.tracks import plan_tracks
from maestro_lab.prompts.constraints import DENSITY_WORDS
from storpheus.seeding import derive_seed, rng_for
from storpheus.spec import (
    ChordScheduleEntry,
    EmotionVector,
    GenerationConstraints,
    GlobalSpec,
    MusicSpec,
    SectionMapEntry,
)

HARMONY_KIND = {"intro": "verse", "outro": "chorus", "section": "verse"}
"""Sections that borrow another kind's progression (an intro plays the verse's)."""


def compose_plan(ctx: PlanContext, intent: str, label: str) -> CompositionPlan:
    """Plan new material (compose mode, or an edit that names roles)."""
    prompt = ctx.prompt
    bpb = ctx.beats_per_bar
    total, form, pairs = section_pairs(ctx)
    in_place = None if prompt.position is not None else in_place_sections(ctx, pairs)
    if in_place is not None:
        start_beat, pairs = in_place
        placement = arr.Placement(start_beat, None, (), ())
        names = ", ".join(name for name, _ in pairs)
        ctx.notes.append(f"edits the project's {names} in place, from beat {start_beat:g}")
    else:
        creating = tuple(name for name, _ in pairs)
        placement = arr.place(prompt.position, ctx.project, total * bpb, creating=creating)
    ctx.notes.extend(placement.notes)
    ctx.warnings.extend(placement.warnings)
    if placement.gap_beats and "bars" not in prompt.constraints and len(pairs) == 1:
        gap_bars = max(1, round(placement.gap_beats / bpb))
        pairs = [(pairs[0][0], gap_bars)]
        ctx.notes.append(f"section fills the {gap_bars}-bar gap")
    check_requested_bars(sum(bars for _, bars in pairs))  # before any per-bar work
    layout = arr.lay_out(pairs)
    words = prompt.roles or ctx.style.default_roles
    if not prompt.roles:
        ctx.notes.append(f"roles from the {ctx.style.name} defaults: {', '.join(words)}")
    roles = plan_tracks(
        words,
        style=ctx.style,
        constraints=prompt.constraints,
        effects=_effects_block(prompt.extensions),
        project=ctx.project,
        base_seed=ctx.base_seed,
        notes=ctx.notes,
        warnings=ctx.warnings,
    )
    master = mixing.master_effects(_effects_block(prompt.extensions))
    if master:
        listed = ", ".join(master)
        ctx.notes.append(f"Effects.master ({listed}) not planned: the tools have no master bus")
    user_chords = user_progression(ctx)
    sections: list[SectionPlan] = []
    generations: list[GenerationStep] = []
    schedule: list[ChordScheduleEntry] = []
    picked: dict[str, tuple[str, ...]] = {}
    moods = []
    for planned in layout:
        vector = emotion_vector(prompt, section=planned.name)
        neutral = _constraints(vector, ctx, None)
        by_role = {r.key: _constraints(vector, ctx, r.role) for r in roles}
        chords = user_chords or _progression(ctx, planned, neutral, picked)
        changes = harmony.bar_chords(chords, planned.bars, neutral.harmonic_rhythm)
        schedule.extend(specs.schedule_entries(changes, planned.start_bar, bpb))
        moods.append((planned, vector, neutral, by_role, changes))
    timeline = tuple(schedule)
    for planned, vector, neutral, by_role, changes in moods:
        spec = _section_spec(ctx, planned, layout, roles, by_role, neutral, timeline)
        start_beat = placement.start_beat + planned.start_bar * bpb
        sections.append(
            SectionPlan(
                name=planned.name,
                kind=planned.kind,
                start_bar=planned.start_bar,
                bars=planned.bars,
                start_beat=start_beat,
                seed=derive_seed(ctx.base_seed, "section", planned.name),
                emotion=vector,
                constraints=neutral,
                chords=tuple(bar[0][1] for bar in changes),
                spec=spec,
            )
        )
        for role in roles:
            seed = derive_seed(ctx.base_seed, "section", planned.name, "role", role.key)
            generations.append(
                GenerationStep(
                    id=f"{planned.name}/{role.key}",
                    section=planned.name,
                    role_key=role.key,
                    role=role.role,
                    track_name=role.track_name,
                    start_bar=planned.start_bar,
                    bars=planned.bars,
                    start_beat=start_beat,
                    seed=seed,
                    candidate_seeds=tuple(
                        derive_seed(seed, "candidate", i) for i in range(ctx.num_candidates)
                    ),
                    constraints=by_role[role.key],
                )
            )
    piece = _piece_spec(ctx, layout, roles, tuple(schedule))
    return ctx.finish(
        intent,
        label,
        sections=tuple(sections),
        roles=roles,
        generations=tuple(generations),
        form=form,
        start_beat=placement.start_beat,
        spec=piece,
    )


def in_place_sections(
    ctx: PlanContext, pairs: list[tuple[str, int]]
) -> tuple[float, list[tuple[str, int]]] | None:
    """Where planned sections the project already has go: their own beats (edit in place).

    When every planned section names a section of the project and those
    sections follow each other in the planned order, the plan takes the
    project's spans: ``(start beat, [(project section name, bars)...])``.
    Otherwise (new sections, or a different order) ``None``: the material is
    placed as ``Position`` says.
    """
    if not pairs or not ctx.project.sections:
        return None
    found = [ctx.project.section(name) for name, _ in pairs]
    if any(s is None for s in found):
        return None
    sections = [s for s in found if s is not None]
    for before, after in itertools.pairwise(sections):
        if abs(before.end_beat - after.start_beat) > 1e-6:
            ctx.notes.append(
                f"sections {before.name} and {after.name} are not adjacent in the project; "
                "placing the new material as planned"
            )
            return None
    bpb = ctx.beats_per_bar
    out: list[tuple[str, int]] = []
    for (asked, bars), section in zip(pairs, sections, strict=True):
        have = max(1, round(section.duration_beats / bpb))
        if "bars" in ctx.prompt.constraints and bars != have and len(pairs) == 1:
            ctx.warnings.append(
                f"{asked}: the project's {section.name} is {have} bars, not {bars}; "
                "editing it in place"
            )
        out.append((section.name, have))
    return sections[0].start_beat, out


def section_pairs(ctx: PlanContext) -> tuple[int, str, list[tuple[str, int]]]:
    """Total bars, the form label, and (name, bars) per section (see the module docstring)."""
    prompt = ctx.prompt
    c = prompt.constraints
    explicit = c.get("sections")
    given_bars = c.get("bars")
    bars = given_bars if isinstance(given_bars, int) and not isinstance(given_bars, bool) else None
    duration = c.get("duration")
    from_duration = (
        max(1, round(float(duration) * ctx.tempo / 60.0 / ctx.beats_per_bar))
        if isinstance(duration, int | float) and not isinstance(duration, bool)
        else None
    )
    if isinstance(explicit, dict):
        pairs = [(str(k), int(v)) for k, v in explicit.items() if isinstance(v, int)]
        total = sum(b for _, b in pairs)
        if bars is not None and bars != total:
            ctx.warnings.append(
                f"Constraints: sections add up to {total} bars, not bars={bars}; using the sections"
            )
        return total, "explicit", pairs
    named = _section_names(explicit, prompt.section, prompt.request)
    if named is not None:
        names, form = named
        total = bars or from_duration or arr.DEFAULT_TOTAL_BARS
        weights = [(n, arr.SECTION_WEIGHTS.get(arr.kind_of(n), 1.0)) for n in names]
        return total, form, arr.allocate(weights, total)
    if prompt.section:
        total = bars or from_duration or arr.SINGLE_SECTION_BARS.get(arr.kind_of(prompt.section), 8)
        return total, "single", [(prompt.section, total)]
    total = bars or from_duration or arr.DEFAULT_TOTAL_BARS
    secs = arr.seconds(total, ctx.tempo, ctx.beats_per_bar)
    form_choice = c.get("form")
    long_form = form_choice == "long" or (form_choice != "short" and secs >= arr.LONG_FORM_SECONDS)
    slots = arr.template(ctx.style.form, long_form, secs)
    ctx.notes.append(
        f"{'long' if long_form else 'short'}-form {ctx.style.form} template "
        f"({secs:.0f} s at {ctx.tempo} BPM)"
    )
    if long_form:
        return total, "long", arr.long_form_sections(slots, total, ctx.tempo, ctx.beats_per_bar)
    return total, "short", arr.allocate([(s.name, s.weight) for s in slots], total)


def _section_names(
    explicit: JsonValue, section: str | None, request: str
) -> tuple[list[str], str] | None:
    if isinstance(explicit, list):
        return [str(n) for n in explicit], "explicit"
    if section is None:
        mentioned = extract_slots(request).sections
        if len(mentioned) >= 2:
            return list(mentioned), "request"
    return None


def _constraints(
    vector: EmotionVector, ctx: PlanContext, role: str | None
) -> GenerationConstraints:
    try:
        return emotion_to_constraints(
            vector, style=ctx.style, role=role, overrides=ctx.prompt.constraints
        )
    except ValueError as exc:
        raise PlanningError(f"Constraints: {exc}") from None


def user_progression(ctx: PlanContext) -> tuple[str, ...] | None:
    """Chords given in ``Constraints: progression`` or ``Harmony: progression``, if valid."""
    from storpheus.theory import parse_chord

    given = ctx.prompt.constraints.get("progression")
    source = "Constraints.progression"
    if given is None:
        block = _ext(ctx.prompt.extensions, "harmony")
        if isinstance(block, dict):
            given = _ext(block, "progression")
            source = "Harmony.progression"
    if given is None:
        return None
    items = given if isinstance(given, list) else str(given).replace("-", " ").split()
    chords = tuple(str(c).strip() for c in items if str(c).strip())
    try:
        for chord in chords:
            parse_chord(chord)
    except ValueError as exc:
        ctx.warnings.append(f"{source}: {exc}; using the style's progressions instead")
        return None
    if not chords:
        return None
    ctx.notes.append(f"chords from {source}: {' '.join(chords)}")
    return chords


def _progression(
    ctx: PlanContext,
    planned: PlannedSection,
    neutral: GenerationConstraints,
    picked: dict[str, tuple[str, ...]],
) -> tuple[str, ...]:
    kind = HARMONY_KIND.get(planned.kind, planned.kind)
    if kind not in picked:
        pool = ctx.style.progressions(ctx.key.is_minor)
        index = int(rng_for(ctx.base_seed, "harmony", kind).integers(len(pool)))
        numerals = pool[index]
        extended = neutral.chord_extensions
        chords = harmony.progression_in_key(
            numerals, ctx.key, extensions=extended, extend_triads=extended
        )
        picked[kind] = chords
        ctx.notes.append(f"{kind} progression: {numerals} -> {' '.join(chords)}")
    return picked[kind]


def _section_spec(
    ctx: PlanContext,
    planned: PlannedSection,
    layout: tuple[PlannedSection, ...],
    roles: tuple[RolePlan, ...],
    by_role: Mapping[str, GenerationConstraints],
    neutral: GenerationConstraints,
    timeline: tuple[ChordScheduleEntry, ...],
) -> MusicSpec:
    """The spec one section's generations use: the whole timeline, this section's parts.

    Bars are absolute (bar 0 = the first bar of the new material), as the
    backends expect with ``GenerationRequest.section_start_bar``; the drum,
    bass, voicing and melody parts follow this section's constraints.
    """
    bpb = ctx.beats_per_bar
    role_c = {r.role: by_role[r.key] for r in reversed(roles)}
    drums = next((r for r in roles if r.is_drum), None)
    total = sum(s.bars for s in layout)
    return MusicSpec(
        global_spec=GlobalSpec(ctx.tempo, total, *ctx.time_signature, key=str(ctx.key)),
        drum_spec=specs.drum_spec(
            ctx.style, role_c.get("drums", neutral), bpb, drums.drum_parts if drums else ()
        ),
        bass_spec=specs.bass_spec(ctx.style, role_c.get("bass", neutral), bpb, busier=_busier(ctx)),
        harmonic_spec=specs.harmonic_spec(ctx.style, neutral, timeline),
        melody_spec=specs.melody_spec(
            ctx.style, ctx.key, role_c.get("melody", role_c.get("lead", neutral))
        ),
        section_map=tuple(SectionMapEntry(s.name, s.start_bar, s.bars) for s in layout),
        style=ctx.style.id,
    )


def _piece_spec(
    ctx: PlanContext,
    layout: tuple[PlannedSection, ...],
    roles: tuple[RolePlan, ...],
    schedule: tuple[ChordScheduleEntry, ...],
) -> MusicSpec:
    vector = emotion_vector(ctx.prompt)
    neutral = _constraints(vector, ctx, None)
    total = sum(s.bars for s in layout)
    drums = next((r for r in roles if r.is_drum), None)
    bpb = ctx.beats_per_bar
    return MusicSpec(
        global_spec=GlobalSpec(ctx.tempo, total, *ctx.time_signature, key=str(ctx.key)),
        drum_spec=specs.drum_spec(
            ctx.style, _constraints(vector, ctx, "drums"), bpb, drums.drum_parts if drums else ()
        ),
        bass_spec=specs.bass_spec(
            ctx.style, _constraints(vector, ctx, "bass"), bpb, busier=_busier(ctx)
        ),
        harmonic_spec=specs.harmonic_spec(ctx.style, neutral, schedule),
        melody_spec=specs.melody_spec(ctx.style, ctx.key, _constraints(vector, ctx, "melody")),
        section_map=tuple(SectionMapEntry(s.name, s.start_bar, s.bars) for s in layout),
        style=ctx.style.id,
    )


def _busier(ctx: PlanContext) -> bool:
    """Whether the prompt asks for a dense part (``Constraints: density`` >= 0.8)."""
    density = ctx.prompt.constraints.get("density")
    if isinstance(density, str):
        density = DENSITY_WORDS.get(density)
    return (
        isinstance(density, int | float)
        and not isinstance(density, bool)
        and density >= specs.BUSY_DENSITY
    )


def _ext(block: Mapping[str, JsonValue], name: str) -> JsonValue:
    for key, value in block.items():
        if key.strip().lower() == name:
            return value
    return None


def _effects_block(extensions: Mapping[str, JsonValue]) -> Mapping[str, JsonValue] | None:
    block = _ext(extensions, "effects")
    return block if isinstance(block, dict) else None
