"""One vocabulary: the tool catalogue is the only source of tool names, phases and params."""

from __future__ import annotations

from dataclasses import replace
from typing import get_args

import pytest

from maestro_lab.errors import PlanningError
from maestro_lab.planner import ToolCall as PlannerToolCall
from maestro_lab.planner import plan, validate_plan
from maestro_lab.tools import ToolCall
from maestro_lab.tools.apply import APPLIERS
from maestro_lab.tools.base import ToolName
from maestro_lab.tools.registry import get_registry


def test_tool_names_are_one_closed_set_shared_by_registry_and_appliers() -> None:
    names = set(get_args(ToolName))
    assert set(get_registry().names) == names
    assert set(APPLIERS) == names
    assert len(get_args(ToolName)) == len(names)


def test_the_planner_emits_the_catalogues_tool_call_with_the_catalogues_phase() -> None:
    assert PlannerToolCall is ToolCall
    p = plan("MAESTRO PROMPT\nMode: compose\nStyle: house\nRole: [drums, bass]", seed=3)
    registry = get_registry()
    for call in p.tool_calls:
        assert isinstance(call, ToolCall)
        assert call.phase == registry.spec(call.name).phase
        assert call.to_step()["tool"] == call.name
    assert validate_plan(p).valid


def test_a_plan_is_checked_by_the_registry_that_runs_it() -> None:
    p = plan("MAESTRO PROMPT\nMode: compose\nStyle: house\nRole: [bass]", seed=3)
    broken = tuple(
        ToolCall(c.name, {**c.params, "bars": 0}, id=c.id, label=c.label, instrument=c.instrument)
        if c.name == "stori_generate_midi"
        else c
        for c in p.tool_calls
    )
    report = validate_plan(replace(p, tool_calls=broken))
    assert not report.valid
    assert any("stori_generate_midi" in e and "bars" in e for e in report.errors)


def test_the_planner_refuses_when_the_catalogue_would(monkeypatch: pytest.MonkeyPatch) -> None:
    from maestro_lab.planner import execution

    real = execution.build_tool_calls

    def with_a_bad_tempo(inputs: execution.ExecutionInputs) -> tuple[ToolCall, ...]:
        calls = real(inputs)
        return tuple(
            ToolCall(c.name, {"tempo": 999}, id=c.id, label=c.label)
            if c.name == "stori_set_tempo"
            else c
            for c in calls
        )

    monkeypatch.setattr("maestro_lab.planner.context.build_tool_calls", with_a_bad_tempo)
    with pytest.raises(PlanningError, match="stori_set_tempo"):
        plan("MAESTRO PROMPT\nMode: compose\nStyle: house\nTempo: 90\nRole: [bass]", seed=1)
