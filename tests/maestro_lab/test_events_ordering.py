"""Ordering invariants of event streams: each rule is enforced and named."""

from __future__ import annotations

import re

import pytest

from maestro_lab.errors import EventOrderError
from maestro_lab.runtime.events import (
    AgentCompleteEvent,
    CompleteEvent,
    DoneEvent,
    ErrorEvent,
    GeneratorCompleteEvent,
    GeneratorStartEvent,
    MaestroEvent,
    MetaEvent,
    PhraseEvent,
    PlanEvent,
    PlanStep,
    PlanStepUpdateEvent,
    StateEvent,
    StatusEvent,
)
from maestro_lab.runtime.ordering import OrderChecker, check_event_order


def numbered(*events: MaestroEvent) -> list[MaestroEvent]:
    return [e.model_copy(update={"seq": i}) for i, e in enumerate(events)]


def composing() -> StateEvent:
    return StateEvent(state="composing", intent="compose", execution_mode="variation")


def editing() -> StateEvent:
    return StateEvent(state="editing", intent="edit", execution_mode="apply")


def meta(vid: str = "v1") -> MetaEvent:
    return MetaEvent(variation_id=vid, intent="compose")


def phrase(vid: str = "v1", pid: str = "p1") -> PhraseEvent:
    return PhraseEvent(
        phrase_id=pid,
        variation_id=vid,
        track_id="t",
        region_id="t/r",
        start_beat=0.0,
        end_beat=4.0,
        label="x",
    )


def start(agent: str = "bass", section: str | None = "verse", role: str = "bass") -> MaestroEvent:
    return GeneratorStartEvent(
        role=role,
        agent_id=agent,
        style="pop",
        bars=4,
        start_beat=0.0,
        label="x",
        section_name=section,
    )


def finish(agent: str = "bass", section: str | None = "verse", role: str = "bass") -> MaestroEvent:
    return GeneratorCompleteEvent(role=role, agent_id=agent, note_count=8, section_name=section)


def plan(*step_ids: str) -> PlanEvent:
    return PlanEvent(plan_id="p", title="t", steps=[PlanStep(step_id=s, label=s) for s in step_ids])


def test_a_well_formed_composing_run_passes() -> None:
    check_event_order(
        numbered(
            composing(),
            plan("bass"),
            PlanStepUpdateEvent(step_id="bass", status="active"),
            start(),
            finish(),
            AgentCompleteEvent(agent_id="bass", role="bass", success=True),
            PlanStepUpdateEvent(step_id="bass", status="completed"),
            meta(),
            phrase(pid="a"),
            phrase(pid="b"),
            DoneEvent(variation_id="v1", phrase_count=2),
            CompleteEvent(success=True, variation_id="v1", phrase_count=2),
        )
    )


def test_a_failed_run_may_end_with_error_then_complete() -> None:
    check_event_order(
        numbered(
            composing(),
            start(),
            ErrorEvent(message="backend died"),
            CompleteEvent(success=False, error="backend died"),
        )
    )
    check_event_order(numbered(composing(), ErrorEvent(message="fatal")))


@pytest.mark.parametrize(
    ("events", "bad_seq", "rule"),
    [
        ([StatusEvent(message="x"), CompleteEvent(success=True)], 0, "first event must be 'state'"),
        ([editing(), editing()], 1, "'state' may only be the first event"),
        (
            [editing(), CompleteEvent(success=True), StatusEvent(message="late")],
            2,
            "no event may follow 'complete'",
        ),
        (
            [editing(), ErrorEvent(message="x"), StatusEvent(message="y")],
            2,
            "after 'error' only 'complete' may follow",
        ),
        (
            [editing(), ErrorEvent(message="x"), CompleteEvent(success=True)],
            2,
            "success=true after an 'error' event",
        ),
        (
            [editing(), PlanStepUpdateEvent(step_id="a", status="active")],
            1,
            "'planStepUpdate' before any 'plan'",
        ),
        ([editing(), plan("a"), plan("b")], 2, "only one 'plan' per run"),
        (
            [editing(), plan("a"), PlanStepUpdateEvent(step_id="zz", status="active")],
            2,
            "stepId 'zz' is not a step of the plan",
        ),
        (
            [
                editing(),
                plan("a"),
                PlanStepUpdateEvent(step_id="a", status="completed"),
                PlanStepUpdateEvent(step_id="a", status="active"),
            ],
            3,
            "step 'a' is already completed",
        ),
        (
            [
                editing(),
                plan("a"),
                PlanStepUpdateEvent(step_id="a", status="active"),
                CompleteEvent(success=True),
            ],
            3,
            "plan steps still active: ['a']",
        ),
        ([editing(), finish()], 1, "'generatorComplete' without 'generatorStart'"),
        ([editing(), start(), start()], 2, "already generating 'verse'"),
        ([editing(), start(), finish(role="drums")], 2, "differs from generatorStart role"),
        (
            [editing(), start(), AgentCompleteEvent(agent_id="bass", role="bass", success=True)],
            2,
            "still generating sections ['verse']",
        ),
        (
            [
                editing(),
                AgentCompleteEvent(agent_id="bass", role="bass", success=True),
                start(),
            ],
            2,
            "already sent 'agentComplete'",
        ),
        ([editing(), start(), CompleteEvent(success=True)], 2, "generators still open"),
        ([editing(), meta()], 1, "variation events need executionMode 'variation'"),
        ([composing(), phrase()], 1, "'phrase' before 'meta'"),
        ([composing(), DoneEvent(variation_id="v1", phrase_count=0)], 1, "'done' before 'meta'"),
        ([composing(), meta(), meta("v2")], 2, "variation 'v1' is still open"),
        ([composing(), meta(), phrase(vid="v9")], 2, "differs from the open variation 'v1'"),
        (
            [composing(), meta(), phrase(), DoneEvent(variation_id="v1", phrase_count=3)],
            3,
            "phraseCount=3 but 1 phrase(s) were emitted",
        ),
        (
            [
                composing(),
                meta(),
                DoneEvent(variation_id="v1", phrase_count=0),
                meta(),
            ],
            3,
            "variation 'v1' was already emitted",
        ),
        ([composing(), meta(), CompleteEvent(success=True)], 2, "variation 'v1' has no 'done'"),
        (
            [composing(), CompleteEvent(success=True)],
            1,
            "a successful composing run needs a variation that ended 'ready'",
        ),
        (
            [
                composing(),
                meta(),
                DoneEvent(variation_id="v1", phrase_count=0, status="failed"),
                CompleteEvent(success=True),
            ],
            3,
            "needs a variation that ended 'ready'",
        ),
        (
            [
                composing(),
                meta(),
                phrase(),
                DoneEvent(variation_id="v1", phrase_count=1),
                CompleteEvent(success=True, phrase_count=2),
            ],
            4,
            "phraseCount=2 but 1 phrase(s) were emitted",
        ),
        (
            [
                composing(),
                meta(),
                DoneEvent(variation_id="v1", phrase_count=0),
                CompleteEvent(success=True, variation_id="v7"),
            ],
            3,
            "variationId 'v7' was never completed",
        ),
    ],
)
def test_each_ordering_rule_is_enforced_and_named(
    events: list[MaestroEvent], bad_seq: int, rule: str
) -> None:
    with pytest.raises(EventOrderError, match=re.escape(rule)) as info:
        check_event_order(numbered(*events))
    assert info.value.seq == bad_seq
    assert info.value.event_type == numbered(*events)[bad_seq].type


def test_sequence_numbers_must_be_consecutive_from_zero() -> None:
    events = numbered(editing(), StatusEvent(message="a"), CompleteEvent(success=True))
    gap = [events[0], events[1], events[2].model_copy(update={"seq": 5})]
    with pytest.raises(EventOrderError, match="seq must be 2") as info:
        check_event_order(gap)
    assert info.value.seq == 5
    with pytest.raises(EventOrderError, match="seq must be 0"):
        check_event_order([events[1]])


def test_a_stream_must_end_with_complete_or_error() -> None:
    with pytest.raises(EventOrderError, match="must end with 'complete'"):
        check_event_order(numbered(editing(), StatusEvent(message="working")))
    with pytest.raises(EventOrderError, match="stream is empty"):
        check_event_order([])
    check_event_order(numbered(editing(), StatusEvent(message="working")), finished=False)


def test_parallel_agents_may_interleave_their_sections() -> None:
    check_event_order(
        numbered(
            composing(),
            start("drums", "verse", "drums"),
            start("bass", "verse"),
            finish("bass", "verse"),
            start("bass", "chorus"),
            finish("drums", "verse", "drums"),
            finish("bass", "chorus"),
            AgentCompleteEvent(agent_id="drums", role="drums", success=True),
            AgentCompleteEvent(agent_id="bass", role="bass", success=True),
            meta(),
            DoneEvent(variation_id="v1", phrase_count=0),
            CompleteEvent(success=True),
        )
    )


def test_checker_reports_the_first_violation_only_once_fed() -> None:
    checker = OrderChecker()
    events = numbered(composing(), meta(), phrase())
    for event in events:
        checker.feed(event)
    with pytest.raises(EventOrderError, match="must end with"):
        checker.finish()
