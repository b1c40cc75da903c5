r"""``validate_plan``: check a plan's invariants before anything executes it.

Errors make a plan unsafe to run (overlapping sections, a generation whose
seed is not derived from the base seed, a send to a bus nobody creates, a
chord the theory parser cannot read, a generation before its region...).
Warnings are worth a look but do not block (the planner's own warnings,
one candidate only, an unknown style).

Example
-------
>>> from maestro_lab.planner import plan
>>> report = validate_plan(plan("MAESTRO PROMPT\nMode: compose\nStyle: jazz", seed=7))
>>> report.valid, report.errors
(True, ())
"""

from __future__ import annotations

from dataclasses import dataclass

from maestro_lab.errors import MaestroLabError
from maestro_lab.planner.model import CompositionPlan
from maestro_lab.tools.registry import get_registry
from maestro_lab.tools.validation import ToolCall, check_tool_call
from storpheus.seeding import derive_seed

_PHASE_ORDER = {"setup": 0, "instrument": 1, "mixing": 2}


@dataclass(frozen=True)
class PlanValidation:
    """The outcome of :func:`validate_plan`."""

    errors: tuple[str, ...]
    warnings: tuple[str, ...]

    @property
    def valid(self) -> bool:
        """True when there are no errors."""
        return not self.errors

    def to_dict(self) -> dict[str, object]:
        """JSON of the report."""
        return {"valid": self.valid, "errors": list(self.errors), "warnings": list(self.warnings)}


def validate_plan(plan: CompositionPlan) -> PlanValidation:
    """Check sections, roles, generations, seeds, harmony and tool calls of a plan."""
    errors: list[str] = []
    warnings: list[str] = list(plan.warnings)
    _sections(plan, errors)
    _roles(plan, errors)
    _generations(plan, errors)
    _harmony(plan, errors)
    _tool_calls(plan, errors)
    if plan.num_candidates == 1 and plan.generations:
        warnings.append("one candidate per generation: rejection sampling has nothing to choose")
    if not plan.style_matched and plan.prompt.style:
        warnings.append(f"style {plan.prompt.style!r} fell back to {plan.style!r}")
    if plan.prompt.mode == "compose" and not plan.generations:
        errors.append("compose plan has no generations")
    return PlanValidation(tuple(errors), tuple(dict.fromkeys(warnings)))


def _sections(plan: CompositionPlan, errors: list[str]) -> None:
    expected = 0
    names: set[str] = set()
    bpb = plan.beats_per_bar
    for s in plan.sections:
        where = f"section {s.name!r}"
        if s.name in names:
            errors.append(f"{where}: name used twice")
        names.add(s.name)
        if s.start_bar != expected:
            errors.append(f"{where}: starts at bar {s.start_bar}, expected {expected}")
        if not 1 <= s.bars <= 64:
            errors.append(f"{where}: {s.bars} bars, must be 1-64")
        if abs(s.start_beat - (plan.start_beat + s.start_bar * bpb)) > 1e-9:
            errors.append(f"{where}: start beat {s.start_beat} does not match its bar")
        if s.spec.global_spec.bars != plan.bars:
            errors.append(f"{where}: spec covers {s.spec.global_spec.bars} bars, not {plan.bars}")
        if len(s.chords) != s.bars:
            errors.append(f"{where}: {len(s.chords)} bar chords for {s.bars} bars")
        if s.seed != derive_seed(plan.base_seed, "section", s.name):
            errors.append(f"{where}: seed is not derived from the base seed")
        expected = s.start_bar + s.bars
    if expected != plan.bars:
        errors.append(f"sections cover {expected} bars, the plan says {plan.bars}")
    if plan.spec is not None:
        if plan.spec.global_spec.bars != plan.bars and plan.sections:
            errors.append("piece spec length differs from the plan")
        mapped = [(e.name, e.start_bar, e.length_bars) for e in plan.spec.section_map]
        if mapped != [(s.name, s.start_bar, s.bars) for s in plan.sections]:
            errors.append("piece spec section_map differs from the sections")


def _roles(plan: CompositionPlan, errors: list[str]) -> None:
    keys: set[str] = set()
    names: set[str] = set()
    channels: set[int] = set()
    for r in plan.roles:
        where = f"role {r.key!r}"
        if r.key in keys:
            errors.append(f"{where}: key used twice")
        if r.track_name.lower() in names:
            errors.append(f"{where}: track name {r.track_name!r} used twice")
        keys.add(r.key)
        names.add(r.track_name.lower())
        if r.is_drum:
            if r.channel != 9 or r.program is not None:
                errors.append(f"{where}: drums must be on channel 9 with no GM program")
        else:
            if r.channel == 9 or r.channel in channels:
                errors.append(f"{where}: channel {r.channel} is the drum channel or taken")
            if r.program is None or not 0 <= r.program <= 127:
                errors.append(f"{where}: GM program {r.program} must be 0-127")
        channels.add(r.channel)
        if r.seed != derive_seed(plan.base_seed, "role", r.key):
            errors.append(f"{where}: seed is not derived from the base seed")


def _generations(plan: CompositionPlan, errors: list[str]) -> None:
    sections = {s.name: s for s in plan.sections}
    roles = {r.key: r for r in plan.roles}
    seen: set[tuple[str, str]] = set()
    for g in plan.generations:
        where = f"generation {g.id!r}"
        section = sections.get(g.section)
        role = roles.get(g.role_key)
        if section is None or role is None:
            errors.append(f"{where}: unknown section or role")
            continue
        seen.add((g.section, g.role_key))
        if (g.bars, g.start_bar, g.start_beat) != (
            section.bars,
            section.start_bar,
            section.start_beat,
        ):
            errors.append(f"{where}: span differs from its section")
        if g.role != role.role or g.track_name != role.track_name:
            errors.append(f"{where}: role/track differ from role {role.key!r}")
        if g.seed != derive_seed(plan.base_seed, "section", g.section, "role", g.role_key):
            errors.append(f"{where}: seed is not derived from the base seed")
        expected = tuple(derive_seed(g.seed, "candidate", i) for i in range(plan.num_candidates))
        if g.candidate_seeds != expected:
            errors.append(f"{where}: candidate seeds are not derived from the generation seed")
    missing = [(s, r) for s in sections for r in roles if (s, r) not in seen]
    if missing:
        errors.append(f"missing generations for {', '.join(f'{s}/{r}' for s, r in missing)}")


def _harmony(plan: CompositionPlan, errors: list[str]) -> None:
    from storpheus.theory import parse_chord

    bad: set[str] = set()
    for s in plan.sections:
        schedule = s.spec.harmonic_spec.chord_schedule
        bars = {e.bar for e in schedule if s.start_bar <= e.bar < s.end_bar}
        if bars != set(range(s.start_bar, s.end_bar)):
            errors.append(f"section {s.name!r}: chord schedule does not cover every bar")
        for entry in schedule:
            try:
                parse_chord(entry.chord)
            except ValueError:
                bad.add(entry.chord)
    if bad:
        errors.append(f"chords the theory parser cannot read: {', '.join(sorted(bad))}")


def _tool_calls(plan: CompositionPlan, errors: list[str]) -> None:
    tracks: set[str] = {r.track_name for r in plan.roles if r.existing_track_id is not None}
    regions: set[tuple[str, float]] = set()
    buses: set[str] = set()
    last_phase = 0
    registry = get_registry()
    for index, call in enumerate(plan.tool_calls, start=1):
        where = f"step {call.id} ({call.tool})"
        if call.id != f"{index:03d}":
            errors.append(f"{where}: id should be {index:03d}")
        try:  # the registry that will execute the call checks it now
            checked = check_tool_call(call, registry=registry)
        except MaestroLabError as exc:
            errors.append(f"{where}: {exc}")
            continue
        if not checked.valid:
            errors.append(f"{where}: " + "; ".join(map(str, checked.errors)))
            continue
        order = _PHASE_ORDER[call.phase]
        if order < last_phase:
            errors.append(f"{where}: {call.phase} step after a later phase")
        last_phase = max(last_phase, order)
        _check_order(call, tracks, regions, buses, errors, where)


def _check_order(
    call: ToolCall,
    tracks: set[str],
    regions: set[tuple[str, float]],
    buses: set[str],
    errors: list[str],
    where: str,
) -> None:
    p = call.params
    if call.tool == "stori_add_midi_track":
        tracks.add(str(p["name"]))
    elif call.tool == "stori_add_midi_region":
        if str(p.get("trackName")) not in tracks:
            errors.append(f"{where}: region on a track not created yet")
        regions.add((str(p.get("trackName")), _number(p.get("startBeat"))))
    elif call.tool == "stori_generate_midi":
        where_to = (str(p.get("trackName")), _number(p.get("startBeat")))
        if not isinstance(p.get("regionId"), str) and where_to not in regions:
            errors.append(f"{where}: generation before its region")
    elif call.tool == "stori_ensure_bus":
        buses.add(str(p["name"]))
    elif call.tool == "stori_add_send" and str(p.get("busName")) not in buses:
        errors.append(f"{where}: send to bus {p['busName']!r} before it exists")
    elif call.tool == "stori_set_track_pan":
        pan = p["pan"]
        if not isinstance(pan, int | float) or not -1 <= pan <= 1:
            errors.append(f"{where}: pan {pan!r} outside -1..1")
    elif call.tool == "stori_set_track_volume":
        volume = p["volume"]
        if not isinstance(volume, int | float) or not 0 <= volume <= 1:
            errors.append(f"{where}: volume {volume!r} outside 0..1")
    elif call.tool == "stori_set_tempo":
        tempo = p["tempo"]
        if not isinstance(tempo, int) or not 20 <= tempo <= 300:
            errors.append(f"{where}: tempo {tempo!r} outside 20-300")


def _number(value: object) -> float:
    return float(value) if isinstance(value, int | float) else float("nan")
