"""PlanInspector: sections x roles grid, chord schedule, tool calls, hash, warnings."""

from __future__ import annotations

from maestro_lab.lab import PlanInspector
from maestro_lab.planner import plan

from .conftest import PROMPT


def test_grid_has_a_cell_for_every_generation() -> None:
    p = plan(PROMPT, seed=1, num_candidates=3)
    grid = PlanInspector(p).grid()
    assert list(grid.index) == [s.name for s in p.sections]
    assert list(grid.columns) == [r.key for r in p.roles]
    filled = (grid != "").sum().sum()
    assert filled == len(p.generations)
    assert grid.loc["verse", "bass"] == "bars 5-12 · 3 cand."


def test_chord_schedule_covers_every_bar() -> None:
    p = plan(PROMPT, seed=1)
    chords = PlanInspector(p).chord_schedule()
    assert sorted(set(chords["bar"])) == list(range(1, p.bars + 1))
    assert set(chords["section"]) == {s.name for s in p.sections}


def test_tool_calls_hash_and_warnings() -> None:
    p = plan(PROMPT, seed=1)
    inspector = PlanInspector(p)
    calls = inspector.tool_calls()
    assert calls["id"].tolist() == [c.id for c in p.tool_calls]
    assert "stori_generate_midi" in set(calls["tool"])
    assert inspector.plan_hash == p.plan_hash
    assert inspector.summary()["plan hash"] == p.plan_hash[:16]
    assert inspector.warnings == tuple(p.warnings)
    assert len(inspector.generations()) == len(p.generations)
