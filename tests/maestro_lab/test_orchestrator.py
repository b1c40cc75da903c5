"""The orchestrator: phases, agents on a pool, drum telemetry, chaining, contracts, failures."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from maestro_lab.errors import AgentError, ProtocolViolationError
from maestro_lab.planner import CompositionPlan, plan
from maestro_lab.runtime import orchestrator as orchestrator_module
from maestro_lab.runtime.context import DrumTelemetry
from maestro_lab.runtime.events import (
    AgentCompleteEvent,
    GeneratorCompleteEvent,
    GeneratorStartEvent,
    StateEvent,
)
from maestro_lab.runtime.orchestrator import (
    ContractSet,
    OrchestrationResult,
    Orchestrator,
    build_contracts,
    plan_event,
)
from maestro_lab.runtime.stream import EventStream
from maestro_lab.tools import StateStore
from storpheus.backends.embedded import EmbeddedBackend
from storpheus.backends.testing import SeededTestBackend
from storpheus.identity import content_id
from storpheus.notes import NoteArray
from tests.maestro_lab.compose_fixtures import FULL_PROMPT, SMALL_PROMPT, assert_valid_wire


@pytest.fixture(scope="module")
def small_plan() -> CompositionPlan:
    return plan(SMALL_PROMPT, seed=11)


def _run(
    p: CompositionPlan, backend: object, workers: int = 1
) -> tuple[OrchestrationResult, EventStream, StateStore]:
    stream, store = EventStream(), StateStore()
    stream.emit(StateEvent(state="composing", intent=p.intent_label))
    stream.emit(plan_event(p))
    assert isinstance(backend, EmbeddedBackend | SeededTestBackend)
    result = Orchestrator(backend, workers=workers).run(p, store, stream, run_id="run-test")
    return result, stream, store


def test_worker_count_changes_nothing_in_the_project() -> None:
    p = plan(FULL_PROMPT, seed=7, num_candidates=6)
    snapshots = {
        _run(p, EmbeddedBackend(), workers)[0].snapshot.project.snapshot_id for workers in (1, 2, 4)
    }
    assert len(snapshots) == 1


def test_tracks_and_regions_follow_plan_order_whatever_the_pool(
    small_plan: CompositionPlan,
) -> None:
    result, _, store = _run(small_plan, EmbeddedBackend(), workers=3)
    assert store.snapshot.track_ids == tuple(r.key for r in small_plan.roles)
    assert [a.role.key for a in result.agents] == ["drums", "bass", "chords"]
    for agent in result.agents:
        assert [s.section for s in agent.sections] == ["verse", "chorus"]
        for section in agent.sections:
            region = store.snapshot.region(section.region_id)
            assert len(region.notes) == len(section.part.notes) > 0


def test_drum_agent_runs_first_and_its_kicks_reach_bass_and_chords(
    small_plan: CompositionPlan,
) -> None:
    backend = SeededTestBackend()
    result, _, _ = _run(small_plan, backend, workers=1)
    assert [r.role for r in backend.requests[:2]] == ["drums", "drums"]
    drums = result.agent("drums")
    for role in ("bass", "chords"):
        for section in result.agent(role).sections:
            telemetry = next(s for s in drums.sections if s.section == section.section)
            assert telemetry.drum_telemetry is not None
            kicks = telemetry.drum_telemetry.kick_beats
            assert kicks, "the test backend's drums have kicks"
            assert section.request.drum_kick_beats == kicks
            assert section.context.drum_telemetry == telemetry.drum_telemetry
    for section in drums.sections:
        assert section.request.drum_kick_beats is None


def test_each_section_chains_from_the_previous_sections_notes(small_plan: CompositionPlan) -> None:
    result, _, _ = _run(small_plan, SeededTestBackend(), workers=2)
    for agent in result.agents:
        first, second = agent.sections
        assert first.request.previous_notes is None
        assert second.request.previous_notes is not None
        assert content_id(second.request.previous_notes) == content_id(first.part.notes)


def test_events_validate_and_pair_up_per_agent_and_section(small_plan: CompositionPlan) -> None:
    _, stream, _ = _run(small_plan, EmbeddedBackend(), workers=2)
    events = list(stream.events)
    assert_valid_wire(events)
    starts = [e for e in events if isinstance(e, GeneratorStartEvent)]
    completes = [e for e in events if isinstance(e, GeneratorCompleteEvent)]
    assert sorted((e.agent_id, e.section_name) for e in starts) == sorted(
        (e.agent_id, e.section_name) for e in completes
    )
    assert len(starts) == len(small_plan.generations)
    done = [e for e in events if isinstance(e, AgentCompleteEvent)]
    assert sorted(e.agent_id for e in done) == ["bass", "chords", "drums"]
    assert all(e.success for e in done)
    generated = {e.params["role"] for e in events if e.type == "toolCall" and "role" in e.params}
    assert generated == {"drums", "bass", "chords"}


def test_contract_lineage_chains_every_section_to_the_composition(
    small_plan: CompositionPlan,
) -> None:
    contracts = build_contracts(small_plan, run_id="r", project_id="p")
    contracts.verify()
    for step in small_plan.generations:
        section = contracts.sections[step.id]
        assert section.seed == step.seed
        assert section.instrument_hash == contracts.instruments[step.role_key].hash
    assert contracts.composition.plan_hash == small_plan.plan_hash


def _tamper(contracts: ContractSet, step_id: str, **changes: object) -> ContractSet:
    sections = dict(contracts.sections)
    sections[step_id] = replace(sections[step_id], **changes)
    return ContractSet(contracts.composition, contracts.instruments, sections)


def test_a_section_contract_edited_after_issue_raises_protocol_violation(
    small_plan: CompositionPlan, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = build_contracts

    def tampered(p: CompositionPlan, *, run_id: str, project_id: str) -> ContractSet:
        good = real(p, run_id=run_id, project_id=project_id)
        section = good.sections["chorus/bass"]
        forged = replace(section, seed=section.seed + 1)  # new hash, consistent
        object.__setattr__(forged, "hash", section.hash)  # ...then the old hash pasted on
        sections = dict(good.sections)
        sections["chorus/bass"] = forged
        return ContractSet(good.composition, good.instruments, sections)

    monkeypatch.setattr(orchestrator_module, "build_contracts", tampered)
    with pytest.raises(ProtocolViolationError, match="hash"):
        _run(small_plan, SeededTestBackend())


def test_a_request_that_contradicts_its_contract_raises_protocol_violation(
    small_plan: CompositionPlan, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = build_contracts

    def reseeded(p: CompositionPlan, *, run_id: str, project_id: str) -> ContractSet:
        good = real(p, run_id=run_id, project_id=project_id)
        instrument = good.instruments["bass"]
        sections = dict(good.sections)
        sections["verse/bass"] = instrument.section("verse", seed=1)
        return ContractSet(good.composition, good.instruments, sections)

    monkeypatch.setattr(orchestrator_module, "build_contracts", reseeded)
    with pytest.raises(ProtocolViolationError, match=r"request\.seed"):
        _run(small_plan, SeededTestBackend(), workers=2)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_backend_failing_mid_run_raises_agent_error_naming_role_and_section(
    small_plan: CompositionPlan, workers: int
) -> None:
    stream, store = EventStream(), StateStore()
    stream.emit(StateEvent(state="composing", intent=small_plan.intent_label))
    stream.emit(plan_event(small_plan))
    backend = SeededTestBackend(fail_roles=frozenset({"bass"}))
    with pytest.raises(AgentError) as caught:
        Orchestrator(backend, workers=workers).run(small_plan, store, stream, run_id="r")
    assert caught.value.role == "bass"
    assert caught.value.section == "verse"
    assert "injected failure" in str(caught.value)
    failed = [e for e in stream.events if isinstance(e, AgentCompleteEvent) and not e.success]
    assert [e.agent_id for e in failed if "injected" in (e.error or "")] == ["bass"]


def test_unknown_worker_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="workers"):
        Orchestrator(SeededTestBackend(), workers=0)


def test_drum_telemetry_measures_groove_kicks_and_complexity() -> None:
    straight = NoteArray([36, 38, 36, 38], 100, [0.0, 1.0, 2.0, 3.0], 0.25, channel=9)
    t = DrumTelemetry.from_notes(straight, bars=1, beats_per_bar=4.0)
    assert t.kick_beats == (0.0, 2.0)
    assert t.rhythmic_complexity == 0.0
    assert t.groove_vector == (1.0, 0, 0, 0, 1.0, 0, 0, 0, 1.0, 0, 0, 0, 1.0, 0, 0, 0)
    assert 0.0 < t.energy_level <= 1.0
    moved = NoteArray([36, 38, 36, 38], 100, [0.0, 1.0, 2.5, 3.0], 0.25, channel=9)
    other = DrumTelemetry.from_notes(moved, bars=1, beats_per_bar=4.0)
    assert other.kick_pattern_hash != t.kick_pattern_hash
    assert other.rhythmic_complexity == 0.25
    empty = DrumTelemetry.from_notes(NoteArray.empty(), bars=2, beats_per_bar=4.0)
    assert empty.kick_beats == ()
    assert empty.density_score == 0.0
    assert np.allclose(empty.groove_vector, 0.0)
