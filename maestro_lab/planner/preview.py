"""Human-readable plan previews: what will be made, how, and why.

:func:`render_preview` prints a header (intent, style, tempo, key, meter,
length, seed, placement), a sections table (bars, beats, emotion, chords),
a tracks table (role, instrument, channel, effects, mix), the generations
with their seeds and key constraints, the execution steps grouped by phase,
and the planner's notes and warnings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from maestro_lab.planner.gm import program_name
from maestro_lab.planner.mixing import pan_text

if TYPE_CHECKING:
    from maestro_lab.planner.model import CompositionPlan
    from maestro_lab.tools.validation import ToolCall


def compact_chords(chords: tuple[str, ...]) -> str:
    """Bar chords as a repeating cycle: ``"Cm9 Fm9 Cm9 Gm7 (x2)"``.

    >>> compact_chords(("C", "F", "C", "F"))
    'C F (x2)'
    >>> compact_chords(("C", "F", "G"))
    'C F G'
    """
    n = len(chords)
    for period in range(1, n + 1):
        if n % period == 0 and chords == chords[:period] * (n // period):
            cycle = " ".join(chords[:period])
            return cycle if n == period else f"{cycle} (x{n // period})"
    return " ".join(chords)  # pragma: no cover - period n always matches


def _table(headers: list[str], rows: list[list[str]], indent: str = "  ") -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    lines = [indent + "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines += [
        indent + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows
    ]
    return [line.rstrip() for line in lines]


def _beats(x: float) -> str:
    return f"{x:g}"


def render_preview(plan: CompositionPlan, *, width: int = 120) -> str:
    """A compact summary of a plan, lines cut at ``width`` characters."""
    lines: list[str] = []
    bpb = plan.beats_per_bar
    num, den = plan.time_signature
    lines.append(
        f"Plan {plan.plan_hash[:12]}  {plan.intent} ({plan.intent_label}), mode {plan.prompt.mode}"
    )
    style = plan.style + ("" if plan.style_matched else " (default)")
    lines.append(
        f"{style} | {plan.tempo} BPM | {plan.key} | {num}/{den} | {plan.bars} bars | "
        f"{plan.num_candidates} candidates per generation | form {plan.form}"
    )
    lines.append(
        f"base seed {plan.base_seed} ({plan.seed_source}) | starts at beat "
        f"{_beats(plan.start_beat)} (bar {plan.start_beat / bpb + 1:g})"
    )
    lines.append(f"request: {' '.join(plan.prompt.request.split())}")
    if plan.sections:
        lines += ["", "Sections"]
        rows = []
        for s in plan.sections:
            e = s.emotion
            rows.append(
                [
                    s.name,
                    f"{s.start_bar + 1}-{s.end_bar}",
                    f"{_beats(s.start_beat)}-{_beats(s.start_beat + s.bars * bpb)}",
                    f"{e.energy:.2f}/{e.valence:.2f}/{e.tension:.2f}/{e.intimacy:.2f}/{e.motion:.2f}",
                    compact_chords(s.chords),
                ]
            )
        lines += _table(["section", "bars", "beats", "E/V/T/I/M", "chords"], rows)
        lines.append("  (E/V/T/I/M: energy, valence, tension, intimacy, motion; 0-1)")
    if plan.roles:
        lines += ["", "Tracks"]
        rows = []
        for r in plan.roles:
            if r.is_drum:
                parts = f" ({', '.join(r.drum_parts)})" if r.drum_parts else ""
                instrument = f"kit {r.drum_kit}{parts}"
            else:
                instrument = (
                    f"{r.program} {program_name(r.program)}" if r.program is not None else "-"
                )
            reuse = " (existing)" if r.existing_track_id else ""
            rows.append(
                [
                    r.track_name + reuse,
                    r.role,
                    instrument,
                    str(r.channel),
                    ", ".join(r.inserts) or "-",
                    ", ".join(r.sends) or "-",
                    f"{r.volume_db:+.1f}dB",
                    pan_text(r.pan),
                ]
            )
        lines += _table(
            ["track", "role", "instrument", "ch", "inserts", "sends", "volume", "pan"], rows
        )
    if plan.generations:
        lines += ["", f"Generations ({len(plan.generations)})"]
        rows = []
        for g in plan.generations:
            c = g.constraints
            detail = (
                f"density {c.drum_density:.2f}"
                if g.role == "drums"
                else f"register {c.register_low}-{c.register_high}, rests {c.rest_density:.2f}"
            )
            rows.append(
                [
                    g.id,
                    f"{g.start_bar + 1}-{g.start_bar + g.bars}",
                    str(g.seed),
                    detail,
                    f"swing {c.swing:.2f}",
                    f"vel {c.velocity_floor}-{c.velocity_ceiling}",
                ]
            )
        lines += _table(["step", "bars", "seed", "shape", "feel", "dynamics"], rows)
    lines += ["", f"Execution ({len(plan.tool_calls)} steps)"]
    lines += _execution(plan)
    if plan.notes:
        lines += ["", "Notes"] + [f"  - {n}" for n in plan.notes]
    if plan.warnings:
        lines += ["", "Warnings"] + [f"  ! {w}" for w in plan.warnings]
    return "\n".join(_cut(line, width) for line in lines)


def _execution(plan: CompositionPlan) -> list[str]:
    split = plan.phases()
    out: list[str] = []
    if not plan.tool_calls:
        return ["  (nothing to execute)"]
    if split.setup:
        out.append("  setup       " + "; ".join(c.label for c in split.setup))
    for key in split.instrument_order:
        calls = split.instruments[key]
        name = plan.role(key).track_name if any(r.key == key for r in plan.roles) else key
        out.append(f"  {name:<11} " + _instrument_summary(calls))
    if split.mixing:
        buses = [c.params["name"] for c in split.mixing if c.tool == "stori_ensure_bus"]
        sends = [c.params["trackId"] for c in split.mixing if c.tool == "stori_add_send"]
        levels = sum(
            c.tool in ("stori_set_track_volume", "stori_set_track_pan") for c in split.mixing
        )
        parts = []
        if buses:
            parts.append("buses " + ", ".join(str(b) for b in buses))
        if sends:
            parts.append("sends from " + ", ".join(str(s) for s in sends))
        if levels:
            parts.append(f"{levels} volume/pan settings")
        out.append("  mixing      " + "; ".join(parts))
    return out


def _instrument_summary(calls: list[ToolCall]) -> str:
    parts = []
    regions = [c for c in calls if c.tool == "stori_generate_midi"]
    if any(c.tool == "stori_add_midi_track" for c in calls):
        parts.append("create track")
    if regions:
        sections = ", ".join(str(c.params.get("section")) for c in regions)
        parts.append(f"{len(regions)} region(s) + generation(s): {sections}")
    effects = [str(c.params.get("type")) for c in calls if c.tool == "stori_add_insert_effect"]
    if effects:
        parts.append("inserts " + ", ".join(effects))
    return "; ".join(parts)


def _cut(line: str, width: int) -> str:
    return line if len(line) <= width else line[: max(1, width - 3)] + "..."
