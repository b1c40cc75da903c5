r"""PlanInspector: a composition plan as tables — sections x roles, chords, tool calls.

Example
-------
>>> from maestro_lab.planner import plan
>>> inspector = PlanInspector(plan("MAESTRO PROMPT\\nMode: compose\\nStyle: house\\n"
...                                "Role: [drums, bass]", seed=1))
>>> list(inspector.grid().columns)
['drums', 'bass']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from maestro_lab.planner import CompositionPlan


class PlanInspector:
    """Read a :class:`~maestro_lab.planner.CompositionPlan` as tables."""

    def __init__(self, plan: CompositionPlan) -> None:
        self.plan = plan

    @property
    def plan_hash(self) -> str:
        """The plan's content hash (SHA-256 of its canonical JSON)."""
        return self.plan.plan_hash

    @property
    def warnings(self) -> tuple[str, ...]:
        """What the planner warns about (empty when nothing)."""
        return tuple(self.plan.warnings)

    @property
    def notes(self) -> tuple[str, ...]:
        """The planner's explanations of its choices."""
        return tuple(self.plan.notes)

    def summary(self) -> dict[str, str]:
        """Headline facts: style, tempo, key, meter, bars, form, candidates, seed, hash."""
        p = self.plan
        num, den = p.time_signature
        return {
            "style": p.style,
            "tempo": f"{p.tempo} BPM",
            "key": p.key,
            "meter": f"{num}/{den}",
            "bars": str(p.bars),
            "form": p.form,
            "candidates": str(p.num_candidates),
            "seed": f"{p.base_seed} ({p.seed_source})",
            "plan hash": p.plan_hash[:16],
        }

    def grid(self) -> pd.DataFrame:
        """Sections (rows) x roles (columns); a cell says what is generated there.

        A cell reads ``"bars 1-4 · 8 cand."``; empty when the role does not
        play in that section.
        """
        import pandas as pd

        p = self.plan
        roles = [r.key for r in p.roles]
        cells: dict[str, dict[str, str]] = {s.name: dict.fromkeys(roles, "") for s in p.sections}
        for g in p.generations:
            row = cells.setdefault(g.section or "(whole)", dict.fromkeys(roles, ""))
            first = g.start_bar + 1
            row[g.role_key] = f"bars {first}-{first + g.bars - 1} · {len(g.candidate_seeds)} cand."
        frame = pd.DataFrame.from_dict(cells, orient="index", columns=roles)
        frame.index.name = "section"
        return frame

    def sections(self) -> pd.DataFrame:
        """One row per section: kind, bars, start beat, emotion axes, chords."""
        import pandas as pd

        rows = []
        for s in self.plan.sections:
            row: dict[str, object] = {
                "section": s.name,
                "kind": s.kind,
                "first_bar": s.start_bar + 1,
                "bars": s.bars,
                "start_beat": s.start_beat,
            }
            row.update(s.emotion.to_dict())
            row["chords"] = " ".join(s.chords)
            rows.append(row)
        return pd.DataFrame(rows)

    def chord_schedule(self) -> pd.DataFrame:
        """One row per chord: section, bar (1-based), beat in bar, length in beats, chord."""
        import pandas as pd

        rows: list[dict[str, object]] = []
        spec = self.plan.spec
        harmonic = getattr(spec, "harmonic_spec", None)
        schedule = getattr(harmonic, "chord_schedule", None)
        section_of: dict[int, str] = {}
        for s in self.plan.sections:
            for bar in range(s.start_bar, s.start_bar + s.bars):
                section_of[bar] = s.name
        if schedule:
            for entry in schedule:
                rows.append(
                    {
                        "section": section_of.get(int(entry.bar), ""),
                        "bar": int(entry.bar) + 1,
                        "beat": float(entry.beat),
                        "beats": float(entry.duration_beats),
                        "chord": str(entry.chord),
                    }
                )
        else:  # no IR: one chord per bar from the sections' chord lists
            for s in self.plan.sections:
                for i, chord in enumerate(s.chords):
                    rows.append(
                        {
                            "section": s.name,
                            "bar": s.start_bar + i + 1,
                            "beat": 0.0,
                            "beats": self.plan.beats_per_bar,
                            "chord": chord,
                        }
                    )
        return pd.DataFrame(rows, columns=["section", "bar", "beat", "beats", "chord"])

    def tool_calls(self) -> pd.DataFrame:
        """Every tool call the plan makes, in order: id, phase, instrument, tool, label, params."""
        import json

        import pandas as pd

        rows = [
            {
                "id": c.id,
                "phase": c.phase,
                "instrument": c.instrument,
                "tool": c.tool,
                "label": c.label,
                "params": json.dumps(c.params, sort_keys=True),
            }
            for c in self.plan.tool_calls
        ]
        return pd.DataFrame(rows, columns=["id", "phase", "instrument", "tool", "label", "params"])

    def generations(self) -> pd.DataFrame:
        """One row per generation step: section, role, bars, seed, candidate count."""
        import pandas as pd

        rows = [
            {
                "step": g.id,
                "section": g.section,
                "role": g.role,
                "track": g.track_name,
                "first_bar": g.start_bar + 1,
                "bars": g.bars,
                "seed": g.seed,
                "candidates": len(g.candidate_seeds),
            }
            for g in self.plan.generations
        ]
        return pd.DataFrame(rows)


__all__ = ["PlanInspector"]
