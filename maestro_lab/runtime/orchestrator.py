r"""The orchestrator: executes a :class:`~maestro_lab.planner.CompositionPlan`.

:meth:`Orchestrator.run` takes a plan, the project's
:class:`~maestro_lab.tools.state.StateStore` and the run's
:class:`~maestro_lab.runtime.stream.EventStream`, and

1. builds the contract lineage of the run:
   :class:`~maestro_lab.runtime.contracts.CompositionContract` ->
   one :class:`~maestro_lab.runtime.contracts.InstrumentContract` per track ->
   one :class:`~maestro_lab.runtime.contracts.SectionContract` per generation;
2. **setup**: applies the plan's setup tool calls (tempo, key, meter);
3. creates every track and region of the instrument phase in plan order (so
   track order and ids never depend on scheduling);
4. **instrument**: runs one :mod:`agent <maestro_lab.runtime.agents>` per
   track on a worker pool — the drum agents first, whose telemetry (energy,
   density, groove, kick onsets) goes into the bass and chords agents, then
   every other agent in parallel; results are merged in plan order;
5. **mixing**: applies buses, sends, volumes and pans.

Each agent's output is a pure function of the plan, its contracts and the
drum telemetry, so ``workers=1`` and ``workers=8`` give identical projects.
When an agent fails, the others stop before their next section and the
first failure (in plan order) is raised.

Example
-------
>>> from maestro_lab.planner import plan
>>> from maestro_lab.runtime.events import StateEvent
>>> from maestro_lab.tools import StateStore
>>> from storpheus.backends.testing import SeededTestBackend
>>> p = plan("MAESTRO PROMPT\nMode: compose\nStyle: house\nRole: [drums, bass]\n"
...          "Constraints: {bars: 4, candidates: 2}", seed=3)
>>> stream, store = EventStream(), StateStore()
>>> _ = stream.emit(StateEvent(state="composing", intent="compose.generate"))
>>> _ = stream.emit(plan_event(p))
>>> result = Orchestrator(SeededTestBackend(), workers=2).run(p, store, stream, run_id="r1")
>>> [a.role.key for a in result.agents], store.snapshot.track_ids
(['drums', 'bass'], ('drums', 'bass'))
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from maestro_lab.errors import AgentError, InvalidPlanError
from maestro_lab.planner.model import CompositionPlan, RolePlan
from maestro_lab.runtime.agents import (
    AgentCancelledError,
    AgentEnv,
    AgentResult,
    AgentTask,
    SectionResult,
    SectionWork,
    StageTimes,
    run_agent,
)
from maestro_lab.runtime.context import DrumTelemetry
from maestro_lab.runtime.contracts import (
    CompositionContract,
    InstrumentContract,
    SectionContract,
    SectionSpec,
    verify_lineage,
)
from maestro_lab.runtime.events import (
    PlanEvent,
    PlanStep,
    PlanStepUpdateEvent,
    StatusEvent,
    StepPhase,
)
from maestro_lab.runtime.options import AgentOptions
from maestro_lab.runtime.stream import EventStream
from maestro_lab.runtime.tool_events import apply_tool_call
from maestro_lab.tools.entities import StateSnapshot
from maestro_lab.tools.state import StateStore
from maestro_lab.tools.validation import ToolCall
from storpheus.backends.base import MusicGeneratorBackend
from storpheus.scoring import Scorer
from storpheus.spec import ChordScheduleEntry

_CREATION_TOOLS = frozenset(
    {"stori_add_midi_track", "stori_add_midi_region", "stori_clear_notes", "stori_delete_region"}
)
"""Applied in plan order before the agents run: tracks, regions, and what an edit clears."""
PREPARE_STEP = "tracks"
STRUCTURAL_SECTION = SectionSpec(
    section_id="project", name="project", bars=1, start_bar=0, description="structural edit"
)
"""The one section of the contract of a plan that generates nothing (a tempo/key/meter or
mix edit): the change applies to the whole project, not to a span of new material."""
MIXING_STEP = "mixing"


# ----------------------------------------------------------------- contracts
@dataclass(frozen=True)
class ContractSet:
    """The contract lineage of one run: composition, instruments, sections."""

    composition: CompositionContract
    instruments: Mapping[str, InstrumentContract]
    sections: Mapping[str, SectionContract]

    def verify(self) -> None:
        """Verify every section -> instrument -> composition chain."""
        self.composition.verify()
        for step_id, section in self.sections.items():
            role_key = step_id.split("/", 1)[1]
            verify_lineage(section, self.instruments[role_key], self.composition)

    @property
    def hashes(self) -> dict[str, str]:
        """Contract id -> hash, for the record."""
        out = {self.composition.contract_id: self.composition.hash}
        out.update({c.contract_id: c.hash for c in self.instruments.values()})
        out.update({c.contract_id: c.hash for c in self.sections.values()})
        return out


def build_contracts(plan: CompositionPlan, *, run_id: str, project_id: str) -> ContractSet:
    """The lineage of ``plan``: seeds and spans are the plan's, hashes chain parent to child."""
    specs = tuple(
        SectionSpec(
            section_id=s.name,
            name=s.name,
            bars=s.bars,
            start_bar=s.start_bar,
            description=s.kind,
        )
        for s in plan.sections
    ) or (STRUCTURAL_SECTION,)
    num, den = plan.time_signature
    composition = CompositionContract(
        project_id=project_id,
        run_id=run_id,
        sections=specs,
        bpm=plan.tempo,
        style=plan.style,
        roles=tuple(r.key for r in plan.roles) or (STRUCTURAL_SECTION.section_id,),
        seed=plan.base_seed,
        time_signature=f"{num}/{den}",
        key=plan.key,
        plan_hash=plan.plan_hash,
    )
    instruments: dict[str, InstrumentContract] = {}
    sections: dict[str, SectionContract] = {}
    for role in plan.roles:
        steps = plan.steps_for(role.key)
        if not steps:
            continue
        schedule = tuple(
            ChordScheduleEntry(bar=s.start_bar + i, chord=chord)
            for s in plan.sections
            if s.name in {st.section for st in steps}
            for i, chord in enumerate(s.chords)
        )
        instrument = composition.instrument(
            role.key,
            sections=[st.section for st in steps],
            chord_schedule=schedule,
            program=role.program,
            seed=role.seed,
        )
        instruments[role.key] = instrument
        for step in steps:
            sections[step.id] = instrument.section(step.section, seed=step.seed)
    return ContractSet(composition, instruments, sections)


# ------------------------------------------------------------------ results
@dataclass(frozen=True, eq=False)
class OrchestrationResult:
    """What executing a plan produced: per-agent results in plan order and the project."""

    plan: CompositionPlan
    contracts: ContractSet
    agents: tuple[AgentResult, ...]
    snapshot: StateSnapshot
    setup_seconds: float = 0.0
    mixing_seconds: float = 0.0
    agent_seconds: float = 0.0

    def sections(self) -> Iterator[SectionResult]:
        """Every section result, agent by agent in plan order."""
        for agent in self.agents:
            yield from agent.sections

    def agent(self, role_key: str) -> AgentResult:
        """The result of the agent of ``role_key``."""
        for agent in self.agents:
            if agent.role.key == role_key:
                return agent
        raise KeyError(f"no agent {role_key!r}; agents: {[a.role.key for a in self.agents]}")

    @property
    def times(self) -> StageTimes:
        """Stage times summed over every agent."""
        total = StageTimes()
        for agent in self.agents:
            total = total + agent.times
        return total


def plan_event(plan: CompositionPlan, *, commit: bool = False) -> PlanEvent:
    """The ``plan`` event of a run of ``plan`` (its steps from :func:`plan_steps`)."""
    return PlanEvent(
        plan_id=plan.plan_hash[:12],
        title=plan.prompt.request or f"{plan.style} in {plan.key}",
        plan_hash=plan.plan_hash,
        steps=plan_steps(plan, commit=commit),
    )


def plan_steps(plan: CompositionPlan, *, commit: bool = False) -> list[PlanStep]:
    """The steps of the ``plan`` event: setup calls, tracks, generations, mixing, variation."""
    phases = plan.phases()
    steps = [
        PlanStep(step_id=c.id, label=c.label, phase="setup", tool_name=c.tool) for c in phases.setup
    ]
    if phases.instruments:
        steps.append(
            PlanStep(
                step_id=PREPARE_STEP,
                label="Create the tracks and regions",
                phase="instrument",
                tool_name="stori_add_midi_track",
            )
        )
    roles = {r.key: r for r in plan.roles}
    for step in plan.generations:
        role = roles[step.role_key]
        steps.append(
            PlanStep(
                step_id=step.id,
                label=f"Generate {step.role} for {step.section} ({role.track_name})",
                phase="instrument",
                tool_name="stori_generate_midi",
                detail=f"{step.bars} bars, seed {step.seed}",
                parallel_group="drums" if role.role == "drums" else "instruments",
            )
        )
    if phases.mixing:
        steps.append(
            PlanStep(step_id=MIXING_STEP, label="Mix: buses, sends, volumes, pans", phase="mixing")
        )
    steps.append(
        PlanStep(step_id="variation", label="Propose the variation against HEAD", phase="commit")
    )
    if commit:
        steps.append(PlanStep(step_id="commit", label="Commit to Muse", phase="commit"))
    return steps


# -------------------------------------------------------------- orchestrator
@dataclass
class Orchestrator:
    """Runs a plan's phases and instrument agents (see the module docstring).

    Parameters
    ----------
    backend:
        Where candidates come from.
    scorer:
        How candidates are scored (the default :class:`~storpheus.scoring.Scorer`).
    options:
        Rejection sampling and finishing settings of the agents.
    workers:
        Size of the agent thread pool; changes nothing in the output.
    """

    backend: MusicGeneratorBackend
    scorer: Scorer = field(default_factory=Scorer)
    options: AgentOptions = field(default_factory=AgentOptions)
    workers: int = 1

    def __post_init__(self) -> None:
        if isinstance(self.workers, bool) or not isinstance(self.workers, int) or self.workers < 1:
            raise ValueError(f"workers={self.workers!r} must be an integer >= 1")

    def run(
        self,
        plan: CompositionPlan,
        store: StateStore,
        stream: EventStream,
        *,
        run_id: str,
        project_id: str = "default",
        on_section: Callable[[SectionResult], None] | None = None,
    ) -> OrchestrationResult:
        """Execute ``plan`` on ``store``, emitting events on ``stream``.

        ``on_section`` is called with each section's result as soon as it is
        written (from the agent's thread), so a caller keeps what was done
        even when a later agent fails.

        Raises
        ------
        ProtocolViolationError
            A contract fails verification.
        AgentError
            An instrument agent failed (the first in plan order).
        MaestroLabError
            A tool call of the plan was refused (its ``toolError`` event was emitted).
        """
        contracts = build_contracts(plan, run_id=run_id, project_id=project_id)
        contracts.verify()
        phases = plan.phases()
        began = time.perf_counter()
        for call in phases.setup:
            self._apply_step(store, stream, call, call.id, "setup")
        tasks = self._prepare(plan, store, stream, contracts)
        prepared = time.perf_counter()
        env = AgentEnv(
            plan,
            self.backend,
            self.scorer,
            self.options,
            store,
            stream,
            run_id,
            on_section=on_section,
        )
        drum_tasks = [t for t in tasks if t.role.role == "drums"]
        if drum_tasks:
            stream.emit(
                StatusEvent(message=f"drums first: {', '.join(t.agent_id for t in drum_tasks)}")
            )
        drum_results = self._run_wave(drum_tasks, env)
        drum_context = _drum_context(drum_results)
        others = [
            AgentTask(t.role, t.composition, t.instrument, t.sections, t.after_calls, drum_context)
            for t in tasks
            if t.role.role != "drums"
        ]
        if others:
            stream.emit(
                StatusEvent(
                    message=f"{len(others)} instrument agents on {min(self.workers, len(others))} "
                    f"worker(s): {', '.join(t.agent_id for t in others)}"
                )
            )
        by_key = {r.role.key: r for r in (*drum_results, *self._run_wave(others, env))}
        agents = tuple(by_key[t.role.key] for t in tasks)
        generated = time.perf_counter()
        if phases.mixing:
            stream.emit(PlanStepUpdateEvent(step_id=MIXING_STEP, status="active", phase="mixing"))
            for call in phases.mixing:
                apply_tool_call(store, stream, call, label=call.label)
            stream.emit(
                PlanStepUpdateEvent(step_id=MIXING_STEP, status="completed", phase="mixing")
            )
        contracts.verify()
        return OrchestrationResult(
            plan=plan,
            contracts=contracts,
            agents=agents,
            snapshot=store.snapshot,
            setup_seconds=prepared - began,
            mixing_seconds=time.perf_counter() - generated,
            agent_seconds=generated - prepared,
        )

    # ----------------------------------------------------------- phases
    def _apply_step(
        self,
        store: StateStore,
        stream: EventStream,
        call: ToolCall,
        step_id: str,
        phase: StepPhase,
    ) -> None:
        stream.emit(PlanStepUpdateEvent(step_id=step_id, status="active", phase=phase))
        apply_tool_call(store, stream, call, label=call.label)
        stream.emit(PlanStepUpdateEvent(step_id=step_id, status="completed", phase=phase))

    def _prepare(
        self,
        plan: CompositionPlan,
        store: StateStore,
        stream: EventStream,
        contracts: ContractSet,
    ) -> list[AgentTask]:
        """Create every track and region in plan order; one task per instrument."""
        groups = plan.phases().instruments
        if not groups:
            return []
        stream.emit(PlanStepUpdateEvent(step_id=PREPARE_STEP, status="active"))
        tasks = []
        for role in plan.roles:
            calls = groups.get(role.key)
            if calls:
                tasks.append(self._task(plan, role, calls, store, stream, contracts))
        stream.emit(
            PlanStepUpdateEvent(
                step_id=PREPARE_STEP,
                status="completed",
                result=f"{len(store.snapshot.tracks)} tracks, {len(store.snapshot.regions)} "
                "regions",
            )
        )
        return tasks

    def _task(
        self,
        plan: CompositionPlan,
        role: RolePlan,
        calls: Sequence[ToolCall],
        store: StateStore,
        stream: EventStream,
        contracts: ContractSet,
    ) -> AgentTask:
        region: str | None = None
        work: list[SectionWork] = []
        after: list[ToolCall] = []
        for call in calls:
            if call.tool in _CREATION_TOOLS:
                result = apply_tool_call(store, stream, call, agent_id=role.key, label=call.label)
                if call.tool == "stori_add_midi_region":
                    region = result.entity_id
            elif call.tool == "stori_generate_midi":
                target = call.params.get("regionId")
                if isinstance(target, str):  # an edit writes into an existing region
                    region = target
                section = call.params.get("section")
                step_id = f"{section}/{role.key}"
                if region is None or step_id not in contracts.sections:
                    raise InvalidPlanError(
                        [f"tool call {call.id}: generation {step_id!r} has no region or step"]
                    )
                work.append(
                    SectionWork(plan.step(step_id), region, call, contracts.sections[step_id])
                )
            else:
                after.append(call)
        missing = {s.id for s in plan.steps_for(role.key)} - {w.step.id for w in work}
        if missing:
            raise InvalidPlanError([f"generations {sorted(missing)} have no stori_generate_midi"])
        instrument = contracts.instruments.get(role.key)
        if instrument is None:  # a track with no generation (an edit): a contract of its own
            instrument = contracts.composition.instrument(role.key, program=role.program)
        return AgentTask(role, contracts.composition, instrument, tuple(work), tuple(after))

    def _run_wave(self, tasks: Sequence[AgentTask], env: AgentEnv) -> list[AgentResult]:
        """Run ``tasks`` on the pool; results in task order, the first failure raised."""
        if not tasks:
            return []
        if self.workers == 1 or len(tasks) == 1:
            out = []
            for task in tasks:
                out.append(_guarded(run_agent, task, env))
            return out
        with ThreadPoolExecutor(
            max_workers=min(self.workers, len(tasks)), thread_name_prefix="maestro-agent"
        ) as pool:
            futures: list[Future[AgentResult]] = [
                pool.submit(_guarded, run_agent, task, env) for task in tasks
            ]
        errors = [f.exception() for f in futures]
        for error in errors:
            if error is not None and not isinstance(error, AgentCancelledError):
                raise error
        for error in errors:
            if error is not None:
                raise AgentError("?", None, "cancelled without a reported failure") from error
        return [f.result() for f in futures]


def _guarded(
    fn: Callable[[AgentTask, AgentEnv], AgentResult], task: AgentTask, env: AgentEnv
) -> AgentResult:
    """Run an agent; on failure tell the other agents to stop."""
    try:
        return fn(task, env)
    except BaseException:
        env.cancel.set()
        raise


def _drum_context(results: Sequence[AgentResult]) -> dict[str, DrumTelemetry]:
    """Section -> telemetry of the first drum agent (plan order)."""
    for result in results:
        return {s.section: s.drum_telemetry for s in result.sections if s.drum_telemetry}
    return {}


__all__ = [
    "MIXING_STEP",
    "PREPARE_STEP",
    "ContractSet",
    "OrchestrationResult",
    "Orchestrator",
    "build_contracts",
    "plan_event",
    "plan_steps",
]
