"""Ordering invariants of an event stream, checked one event at a time.

The invariants:

1. ``seq`` numbers are 0, 1, 2, ... with no gap or repeat.
2. The first event is ``state``, and there is only one.
3. ``planStepUpdate`` refers to a step of an earlier ``plan``; a step that is
   ``completed``, ``failed`` or ``skipped`` changes no more. One plan per run.
4. ``generatorStart`` / ``generatorComplete`` pair up per agent and section
   (same role); ``agentComplete`` comes after all of its agent's sections,
   and the agent starts nothing afterwards.
5. Variations (only in ``variation`` execution mode): ``meta`` -> ``phrase``* ->
   ``done``, with matching ``variationId`` and ``done.phraseCount`` equal to the
   phrases emitted.
6. ``complete`` is the last event; after an ``error`` only ``complete`` may
   follow. A successful ``complete`` needs no error before it, nothing left
   open, and in a composing run a variation that ended ``ready``.

Example
-------
>>> from maestro_lab.runtime.events import StateEvent, CompleteEvent
>>> events = [StateEvent(seq=0, state="reasoning", intent="ask",
...                      execution_mode="reasoning"),
...           CompleteEvent(seq=1, success=True)]
>>> check_event_order(events)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

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
    PlanStepUpdateEvent,
    StateEvent,
)

_FINAL_STEP = frozenset({"completed", "failed", "skipped"})
_Fail = Callable[[str], EventOrderError]


@dataclass
class _Variation:
    variation_id: str
    phrases: int = 0


@dataclass
class OrderChecker:
    """Incremental checker: :meth:`feed` each event in order, then :meth:`finish`.

    Raises :class:`~maestro_lab.errors.EventOrderError` naming the event and
    the rule at the first violation.
    """

    state: StateEvent | None = None
    next_seq: int = 0
    steps: dict[str, str] | None = None
    open_generators: dict[tuple[str, str | None], str] = field(default_factory=dict)
    finished_agents: set[str] = field(default_factory=set)
    variation: _Variation | None = None
    variations: dict[str, str] = field(default_factory=dict)
    total_phrases: int = 0
    errored: bool = False
    completed: bool = False

    def feed(self, event: MaestroEvent) -> None:
        """Check one event against everything seen so far.

        A refused event leaves the checker unchanged, so the stream can go on
        with a correct event.
        """
        seq, kind = event.seq, event.type

        def fail(rule: str) -> EventOrderError:
            return EventOrderError(rule, seq, kind)

        if seq != self.next_seq:
            raise fail(f"seq must be {self.next_seq} (events are numbered 0, 1, 2, ...)")
        if self.completed:
            raise fail("no event may follow 'complete'")
        self._accept(event, fail)
        self.next_seq += 1

    def _accept(self, event: MaestroEvent, fail: _Fail) -> None:
        if self.state is None:
            if not isinstance(event, StateEvent):
                raise fail("the first event must be 'state'")
            self.state = event
            return
        if isinstance(event, StateEvent):
            raise fail("'state' may only be the first event")
        if self.errored and not isinstance(event, CompleteEvent):
            raise fail("after 'error' only 'complete' may follow")
        if isinstance(event, PlanEvent | PlanStepUpdateEvent):
            self._plan(event, fail)
        elif isinstance(event, GeneratorStartEvent | GeneratorCompleteEvent | AgentCompleteEvent):
            self._agents(event, fail)
        elif isinstance(event, MetaEvent | PhraseEvent | DoneEvent):
            self._variation(event, fail)
        elif isinstance(event, ErrorEvent):
            self.errored = True
        elif isinstance(event, CompleteEvent):
            self._complete(event, fail)

    def finish(self) -> None:
        """Check the stream as a whole once its last event was fed."""
        if self.state is None:
            raise EventOrderError("the stream is empty; it must start with 'state'")
        if not (self.completed or self.errored):
            raise EventOrderError("the stream must end with 'complete' (or 'error')")

    # ------------------------------------------------------------ per kind
    def _plan(self, event: PlanEvent | PlanStepUpdateEvent, fail: _Fail) -> None:
        if isinstance(event, PlanEvent):
            if self.steps is not None:
                raise fail("only one 'plan' per run")
            self.steps = {s.step_id: s.status for s in event.steps}
            return
        if self.steps is None:
            raise fail("'planStepUpdate' before any 'plan'")
        status = self.steps.get(event.step_id)
        if status is None:
            raise fail(f"stepId {event.step_id!r} is not a step of the plan")
        if status in _FINAL_STEP:
            raise fail(f"step {event.step_id!r} is already {status}")
        if status == "active" and event.status == "active":
            raise fail(f"step {event.step_id!r} is already active")
        self.steps[event.step_id] = event.status

    def _agents(
        self,
        event: GeneratorStartEvent | GeneratorCompleteEvent | AgentCompleteEvent,
        fail: _Fail,
    ) -> None:
        if event.agent_id in self.finished_agents:
            raise fail(f"agent {event.agent_id!r} already sent 'agentComplete'")
        if isinstance(event, AgentCompleteEvent):
            still = sorted(str(s) for (a, s) in self.open_generators if a == event.agent_id)
            if still:
                raise fail(f"agent {event.agent_id!r} still generating sections {still}")
            self.finished_agents.add(event.agent_id)
            return
        key = (event.agent_id, event.section_name)
        if isinstance(event, GeneratorStartEvent):
            if key in self.open_generators:
                raise fail(f"agent {event.agent_id!r} already generating {event.section_name!r}")
            self.open_generators[key] = event.role
            return
        role = self.open_generators.get(key)
        if role is None:
            raise fail(
                f"'generatorComplete' without 'generatorStart' for agent {event.agent_id!r}, "
                f"section {event.section_name!r}"
            )
        if role != event.role:
            raise fail(f"role {event.role!r} differs from generatorStart role {role!r}")
        del self.open_generators[key]

    def _variation(self, event: MetaEvent | PhraseEvent | DoneEvent, fail: _Fail) -> None:
        assert self.state is not None
        if self.state.execution_mode != "variation":
            raise fail(
                f"variation events need executionMode 'variation', "
                f"not {self.state.execution_mode!r}"
            )
        if isinstance(event, MetaEvent):
            if self.variation is not None:
                raise fail(f"variation {self.variation.variation_id!r} is still open")
            if event.variation_id in self.variations:
                raise fail(f"variation {event.variation_id!r} was already emitted")
            self.variation = _Variation(event.variation_id)
            return
        if self.variation is None:
            raise fail(f"'{event.type}' before 'meta'")
        if event.variation_id != self.variation.variation_id:
            raise fail(
                f"variationId {event.variation_id!r} differs from the open variation "
                f"{self.variation.variation_id!r}"
            )
        if isinstance(event, PhraseEvent):
            self.variation.phrases += 1
            self.total_phrases += 1
            return
        if event.phrase_count != self.variation.phrases:
            raise fail(
                f"phraseCount={event.phrase_count} but {self.variation.phrases} phrase(s) "
                "were emitted"
            )
        self.variations[event.variation_id] = event.status
        self.variation = None

    def _complete(self, event: CompleteEvent, fail: _Fail) -> None:
        assert self.state is not None
        self._check_complete(event, fail)
        self.completed = True

    def _check_complete(self, event: CompleteEvent, fail: _Fail) -> None:
        assert self.state is not None
        if event.phrase_count is not None and event.phrase_count != self.total_phrases:
            raise fail(
                f"phraseCount={event.phrase_count} but {self.total_phrases} phrase(s) were emitted"
            )
        if event.variation_id is not None and event.variation_id not in self.variations:
            raise fail(f"variationId {event.variation_id!r} was never completed with 'done'")
        if not event.success:
            return
        if self.errored:
            raise fail("success=true after an 'error' event")
        if self.variation is not None:
            raise fail(f"variation {self.variation.variation_id!r} has no 'done'")
        if self.open_generators:
            open_keys = sorted(f"{a}/{s}" for a, s in self.open_generators)
            raise fail(f"generators still open: {open_keys}")
        if self.steps is not None:
            pending = sorted(k for k, v in self.steps.items() if v == "active")
            if pending:
                raise fail(f"plan steps still active: {pending}")
        composing = self.state.state == "composing" and self.state.execution_mode == "variation"
        if composing and "ready" not in self.variations.values():
            raise fail("a successful composing run needs a variation that ended 'ready'")


def check_event_order(events: Iterable[MaestroEvent], *, finished: bool = True) -> None:
    """Raise :class:`~maestro_lab.errors.EventOrderError` if ``events`` break an invariant.

    ``finished=False`` checks a stream still in progress (no terminal event needed).
    """
    checker = OrderChecker()
    for event in events:
        checker.feed(event)
    if finished:
        checker.finish()
