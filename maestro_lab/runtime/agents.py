"""Instrument agents: one per track, generating its sections in order.

An agent receives an :class:`AgentTask` (its role, its contracts, the
sections it generates and the regions they go to) and, per section:

1. verifies the contract lineage (section -> instrument -> composition) and
   that the request it builds matches its section contract; a mismatch
   raises :class:`~maestro_lab.errors.ProtocolViolationError`;
2. builds its :class:`~storpheus.backends.base.GenerationRequest` from the
   plan with its :class:`~maestro_lab.runtime.context.CompositionContext`:
   the previous section's notes (chaining) and, for bass and chords, the
   drum kicks of the same section;
3. runs rejection sampling with the scorer;
4. finishes the chosen candidate (:mod:`maestro_lab.runtime.finishing`);
5. writes the region through ``stori_add_notes`` / ``stori_add_midi_cc`` /
   ``stori_add_pitch_bend`` tool calls on the shared
   :class:`~maestro_lab.tools.state.StateStore`.

It emits ``planStepUpdate``, ``toolCall``, ``generatorStart`` /
``generatorComplete`` per section and ``agentComplete`` at the end. An
agent's output depends only on its task and the plan, never on which thread
runs it or when, so the worker pool's size changes nothing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
from pydantic import JsonValue

from maestro_lab.errors import AgentError, MaestroLabError, ProtocolViolationError
from maestro_lab.planner.model import CompositionPlan, GenerationStep, RolePlan
from maestro_lab.planner.targets import scoring_params
from maestro_lab.runtime.context import KICK_LOCKED_ROLES, CompositionContext, DrumTelemetry
from maestro_lab.runtime.contracts import (
    CompositionContract,
    InstrumentContract,
    SectionContract,
    verify_lineage,
)
from maestro_lab.runtime.events import (
    AgentCompleteEvent,
    GeneratorCompleteEvent,
    GeneratorStartEvent,
    PlanStepUpdateEvent,
    ToolCallEvent,
)
from maestro_lab.runtime.finishing import FinishedPart, finish_part
from maestro_lab.runtime.options import AgentOptions
from maestro_lab.runtime.stream import EventStream
from maestro_lab.runtime.tool_events import apply_tool_call, tool_error_event
from maestro_lab.tools.state import StateStore
from maestro_lab.tools.validation import ToolCall, validate_tool_call
from storpheus.backends.base import GenerationRequest, GenerationResult, MusicGeneratorBackend
from storpheus.notes import NoteArray
from storpheus.sampling import RejectionSamplingResult, rejection_sample
from storpheus.scoring import GenerationReport, Scorer, ScoringParams, generation_report
from storpheus.seeding import derive_seed


class AgentCancelledError(Exception):
    """Internal: the agent stopped before a section because another agent failed."""


@dataclass(frozen=True)
class SectionWork:
    """One section an agent generates: the plan step, its region and its contract."""

    step: GenerationStep
    region_id: str
    call: ToolCall
    contract: SectionContract


@dataclass(frozen=True)
class AgentTask:
    """Everything one instrument agent needs, fixed before it starts."""

    role: RolePlan
    composition: CompositionContract
    instrument: InstrumentContract
    sections: tuple[SectionWork, ...]
    after_calls: tuple[ToolCall, ...] = ()
    drum_context: Mapping[str, DrumTelemetry] = field(default_factory=dict)

    @property
    def agent_id(self) -> str:
        """The agent's id in events: its role key."""
        return self.role.key


@dataclass(frozen=True)
class StageTimes:
    """Wall time of one section's stages, in seconds (observational, not reproducible)."""

    generate: float = 0.0
    score: float = 0.0
    postprocess: float = 0.0
    write: float = 0.0

    def __add__(self, other: StageTimes) -> StageTimes:
        return StageTimes(
            self.generate + other.generate,
            self.score + other.score,
            self.postprocess + other.postprocess,
            self.write + other.write,
        )


@dataclass(frozen=True, eq=False)
class SectionResult:
    """What an agent produced for one section."""

    step: GenerationStep
    region_id: str
    request: GenerationRequest
    params: ScoringParams
    sampling: RejectionSamplingResult
    part: FinishedPart
    context: CompositionContext
    contract: SectionContract
    drum_telemetry: DrumTelemetry | None
    times: StageTimes
    report: GenerationReport | None = None

    @property
    def section(self) -> str:
        """The section name."""
        return self.step.section


@dataclass(frozen=True, eq=False)
class AgentResult:
    """One agent's sections, in plan order."""

    role: RolePlan
    instrument: InstrumentContract
    sections: tuple[SectionResult, ...]

    @property
    def note_count(self) -> int:
        """Notes written over every section."""
        return sum(len(s.part.notes) for s in self.sections)

    @property
    def times(self) -> StageTimes:
        """Stage times summed over the sections."""
        total = StageTimes()
        for s in self.sections:
            total = total + s.times
        return total


@dataclass
class AgentEnv:
    """The shared services of a run, handed to every agent."""

    plan: CompositionPlan
    backend: MusicGeneratorBackend
    scorer: Scorer
    options: AgentOptions
    store: StateStore
    stream: EventStream
    run_id: str
    cancel: threading.Event = field(default_factory=threading.Event)
    on_section: Callable[[SectionResult], None] | None = None


class _TimedBackend(MusicGeneratorBackend):
    """Passes requests to a backend and adds up the time it spends generating."""

    name: ClassVar[str] = "timed"
    version: ClassVar[str] = "1"

    def __init__(self, inner: MusicGeneratorBackend) -> None:
        self.inner = inner
        self.capabilities = inner.capabilities
        self.seconds = 0.0

    @property
    def backend_id(self) -> str:
        return self.inner.backend_id

    def generate(self, request: GenerationRequest) -> GenerationResult:
        began = time.perf_counter()
        try:
            return self.inner.generate(request)
        finally:
            self.seconds += time.perf_counter() - began


def run_agent(task: AgentTask, env: AgentEnv) -> AgentResult:
    """Generate, finish and write every section of ``task`` (see the module docstring).

    Raises
    ------
    ProtocolViolationError
        A contract fails verification or the request contradicts it.
    AgentError
        Anything else failed (the backend raised mid-run, a request was
        refused...); the original error is its ``__cause__``.
    """
    results: list[SectionResult] = []
    current: SectionWork | None = None
    opened = _Opened()
    try:
        for work in task.sections:
            if env.cancel.is_set():
                raise AgentCancelledError
            current = work
            previous = results[-1].part.notes if results else None
            results.append(_run_section(task, env, work, previous, opened))
            if env.on_section is not None:
                env.on_section(results[-1])
            current = None
        for call in task.after_calls:
            apply_tool_call(env.store, env.stream, call, agent_id=task.agent_id)
    except AgentCancelledError:
        _agent_failed(task, env, opened, "cancelled: another agent failed")
        raise
    except ProtocolViolationError as exc:
        _agent_failed(task, env, opened, str(exc))
        raise
    except Exception as exc:
        reason = f"{type(exc).__name__}: {exc}"
        _agent_failed(task, env, opened, reason)
        raise AgentError(task.agent_id, current.step.section if current else None, reason) from exc
    result = AgentResult(task.role, task.instrument, tuple(results))
    env.stream.emit(
        AgentCompleteEvent(
            agent_id=task.agent_id,
            role=task.role.role,
            success=True,
            note_count=result.note_count,
        )
    )
    return result


@dataclass
class _Opened:
    """What an agent has opened and not yet closed in the event stream."""

    step: SectionWork | None = None
    generator: SectionWork | None = None


def _agent_failed(task: AgentTask, env: AgentEnv, opened: _Opened, reason: str) -> None:
    """Close what the agent opened (generator, plan step) and report it failed."""
    work = opened.generator
    if work is not None:
        env.stream.emit(
            GeneratorCompleteEvent(
                role=task.role.role,
                agent_id=task.agent_id,
                note_count=0,
                section_name=work.step.section,
                candidates=0,
                attempts=0,
                accepted=False,
            )
        )
    if opened.step is not None:
        env.stream.emit(
            PlanStepUpdateEvent(
                step_id=opened.step.step.id, status="failed", result=reason, agent_id=task.agent_id
            )
        )
    env.stream.emit(
        AgentCompleteEvent(agent_id=task.agent_id, role=task.role.role, success=False, error=reason)
    )


def composition_context(
    task: AgentTask, env: AgentEnv, step: GenerationStep, previous: NoteArray | None
) -> CompositionContext:
    """The context of one section of ``task`` (drum telemetry for kick-locked roles)."""
    plan = env.plan
    telemetry = None
    if task.role.role in KICK_LOCKED_ROLES:
        telemetry = task.drum_context.get(step.section)
    return CompositionContext(
        style=plan.style,
        tempo=plan.tempo,
        bars=step.bars,
        key=plan.key,
        section_key=f"{plan.sections.index(plan.section(step.section))}:{step.section}",
        all_instruments=tuple(r.role for r in plan.roles),
        composition_id=env.run_id,
        role=task.role.role,
        previous_notes=previous,
        drum_telemetry=telemetry,
    )


def _check_request(contract: SectionContract, request: GenerationRequest, start_bar: int) -> None:
    expected = {
        "seed": (str(contract.seed), str(request.seed)),
        "bars": (str(contract.section.bars), str(request.bars)),
        "start_bar": (str(contract.section.start_bar), str(start_bar)),
    }
    for name, (want, got) in expected.items():
        if want != got:
            raise ProtocolViolationError(contract.contract_id, f"request.{name}", want, got)


def _run_section(
    task: AgentTask,
    env: AgentEnv,
    work: SectionWork,
    previous: NoteArray | None,
    opened: _Opened,
) -> SectionResult:
    step, agent = work.step, task.agent_id
    verify_lineage(work.contract, task.instrument, task.composition)
    context = composition_context(task, env, step, previous)
    request = env.plan.request_for(
        step,
        previous_notes=context.previous_notes,
        drum_kick_beats=context.kick_beats,
        quality_preset=context.quality_preset,
    )
    _check_request(work.contract, request, step.start_bar)
    env.stream.emit(PlanStepUpdateEvent(step_id=step.id, status="active", agent_id=agent))
    opened.step = work
    validated = validate_tool_call(work.call, registry=env.store.registry)
    env.stream.emit(
        ToolCallEvent(
            id=work.call.id,
            name=work.call.name,
            params=validated.wire_params(),
            label=f"Generate {step.role} for {step.section}",
            phase="instrument",
            agent_id=agent,
            section_name=step.section,
        )
    )
    bpb = request.beats_per_bar
    env.stream.emit(
        GeneratorStartEvent(
            role=step.role,
            agent_id=agent,
            style=env.plan.style,
            bars=step.bars,
            start_beat=step.start_beat,
            label=f"{task.role.track_name}: {step.section} (bars {step.start_bar + 1}-"
            f"{step.start_bar + step.bars})",
            section_name=step.section,
            backend=env.backend.backend_id,
            seed=step.seed,
            num_candidates=request.num_candidates,
        )
    )
    opened.generator = work
    began = time.perf_counter()
    timed = _TimedBackend(env.backend)
    params = scoring_params(env.plan, step, request)  # a target for every dimension
    options = env.options
    sampling = rejection_sample(
        timed,
        request,
        env.scorer,
        params,
        threshold=options.threshold,
        early_accept=options.early_accept,
        floor=options.floor,
        max_attempts=options.max_attempts,
        batch_size=options.batch_size,
    )
    sampled = time.perf_counter()
    part = finish_part(
        sampling.best,
        request,
        params,
        seed=derive_seed(step.seed, "finish"),
        expressive=options.expressive,
    )
    finished = time.perf_counter()
    _write(env, work, part, agent)
    written = time.perf_counter()
    drums = None
    if step.role == "drums":
        drums = DrumTelemetry.from_notes(part.notes, bars=step.bars, beats_per_bar=bpb)
    env.stream.emit(
        GeneratorCompleteEvent(
            role=step.role,
            agent_id=agent,
            note_count=len(part.notes),
            section_name=step.section,
            candidates=len(sampling.candidates),
            attempts=sampling.attempts,
            accepted=sampling.accepted,
            best_index=sampling.best_position,
            best_score=round(sampling.best_score, 6),
            duration_ms=round((written - began) * 1000.0, 3),
        )
    )
    opened.generator = None
    env.stream.emit(
        PlanStepUpdateEvent(
            step_id=step.id,
            status="completed",
            agent_id=agent,
            result=f"{len(part.notes)} notes, best {sampling.best_score:.3f} of "
            f"{len(sampling.candidates)} candidates",
        )
    )
    opened.step = None
    times = StageTimes(
        generate=timed.seconds,
        score=max(0.0, sampled - began - timed.seconds),
        postprocess=finished - sampled,
        write=written - finished,
    )
    return SectionResult(
        step=step,
        region_id=work.region_id,
        request=request,
        params=params,
        sampling=sampling,
        part=part,
        context=context,
        contract=work.contract,
        drum_telemetry=drums,
        times=times,
        report=generation_report(
            [c.candidate for c in sampling.candidates],
            sampling.cards,
            params,
            chosen=sampling.best_position,
            scorer=env.scorer,
        ),
    )


def _write(env: AgentEnv, work: SectionWork, part: FinishedPart, agent: str) -> None:
    """Write a finished part into its region, columnar, and tell the stream what was written.

    The notes and controller arrays go into the project as they are
    (:meth:`~maestro_lab.tools.state.StateStore.write_notes`: no JSON and no
    object per note on the way to the commit). The ``toolCall`` events that
    tell listeners about it (``stori_add_notes``, ``stori_add_midi_cc``...)
    carry the same events as JSON: the event stream is a process boundary.
    """
    region, section, step = work.region_id, work.step.section, work.step.id
    if not (len(part.notes) or len(part.cc) or len(part.bends) or len(part.aftertouch)):
        return
    try:
        env.store.write_notes(
            region,
            part.notes,
            replace_existing=False,
            cc=part.cc if len(part.cc) else None,
            bends=part.bends if len(part.bends) else None,
            aftertouch=part.aftertouch if len(part.aftertouch) else None,
            call_id=f"{step}/notes",
        )
    except MaestroLabError as exc:
        call = ToolCall("stori_add_notes", {"regionId": region}, id=f"{step}/notes")
        env.stream.emit(tool_error_event(call, exc, agent_id=agent, section_name=section))
        raise
    for call_id, name, params in _written_events(region, step, part):
        env.stream.emit(
            ToolCallEvent(
                id=call_id,
                name=name,
                params=params,
                phase="instrument",
                agent_id=agent,
                section_name=section,
            )
        )


def _written_events(
    region: str, step: str, part: FinishedPart
) -> list[tuple[str, str, dict[str, JsonValue]]]:
    """``(call id, tool, wire params)`` of what :func:`_write` wrote, for the event stream."""
    out: list[tuple[str, str, dict[str, JsonValue]]] = []
    if len(part.notes):
        notes: list[JsonValue] = [dict(n) for n in part.notes.to_dicts(wire=True)]
        out.append((f"{step}/notes", "stori_add_notes", {"regionId": region, "notes": notes}))
    for number in np.unique(part.cc.number).tolist():
        events = part.cc[part.cc.number == number]
        points: list[JsonValue] = [
            {"beat": b, "value": v}
            for b, v in zip(events.beat.tolist(), events.value.tolist(), strict=True)
        ]
        out.append(
            (
                f"{step}/cc{number}",
                "stori_add_midi_cc",
                {"regionId": region, "cc": int(number), "events": points},
            )
        )
    if len(part.bends):
        bends: list[JsonValue] = [
            {"beat": b, "value": v}
            for b, v in zip(part.bends.beat.tolist(), part.bends.value.tolist(), strict=True)
        ]
        out.append((f"{step}/bends", "stori_add_pitch_bend", {"regionId": region, "events": bends}))
    if len(part.aftertouch):
        touch: list[JsonValue] = []
        for b, v, p in zip(
            part.aftertouch.beat.tolist(),
            part.aftertouch.value.tolist(),
            part.aftertouch.pitch.tolist(),
            strict=True,
        ):
            touch.append({"beat": b, "value": v} if p < 0 else {"beat": b, "value": v, "pitch": p})
        out.append(
            (f"{step}/aftertouch", "stori_add_aftertouch", {"regionId": region, "events": touch})
        )
    return out


__all__ = [
    "AgentEnv",
    "AgentResult",
    "AgentTask",
    "SectionResult",
    "SectionWork",
    "StageTimes",
    "composition_context",
    "run_agent",
]
