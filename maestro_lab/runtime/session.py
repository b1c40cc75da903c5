"""A composition run from prompt to commit: plan, agents, variation, accept, telemetry.

:func:`prepare_run` does everything that can fail on bad input before any
event is emitted: it resolves the backend and the scorer, opens the Muse
database and checks it can be written (a read-only or locked file fails
here, before anything is generated), reads the base commit (HEAD, or the tip
of ``branch``) and plans the prompt against it. :meth:`PreparedRun.execute`
then streams the run:

``state`` -> ``plan`` -> setup / agents / mixing (``planStepUpdate``,
``toolCall``, ``generatorStart`` / ``generatorComplete``, ``agentComplete``)
-> ``meta`` -> ``phrase``* -> ``done`` -> ``complete``

With ``accept=True`` the variation is committed before ``complete``, and the
commit, the HEAD move and the run's whole telemetry (run, generations, every
candidate with its notes and metrics, every event) are written in **one**
transaction: either all of it is there afterwards, or none of it. With
``accept=False`` the run's telemetry is written and a
:class:`~maestro_lab.runtime.commit.PendingComposition` is returned, whose
``accept(phrase_ids)`` commits later.

On failure the stream gets ``error`` and ``complete(success=false)``, the
run's telemetry is recorded with status ``failed`` when the database allows
it, nothing is committed and HEAD does not move.
"""

from __future__ import annotations

import contextlib
import os
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import JsonValue

from maestro_lab.errors import InvalidPlanError, NothingToComposeError
from maestro_lab.intent import IntentClassifier
from maestro_lab.planner import CompositionPlan, plan, validate_plan
from maestro_lab.runtime.agents import SectionResult
from maestro_lab.runtime.backends_registry import resolve_backend
from maestro_lab.runtime.commit import (
    PendingComposition,
    commit_variation,
    events_batch,
    record_failure,
)
from maestro_lab.runtime.events import (
    CompleteEvent,
    ErrorEvent,
    PlanStepUpdateEvent,
    StateEvent,
)
from maestro_lab.runtime.options import AgentOptions
from maestro_lab.runtime.orchestrator import Orchestrator, plan_event
from maestro_lab.runtime.recording import RunInputs, planning_view, record_generations
from maestro_lab.runtime.results import CompositionResult
from maestro_lab.runtime.stream import EventStream
from maestro_lab.runtime.variation import emit_variation, propose_variation
from maestro_lab.tools.entities import StateSnapshot
from maestro_lab.tools.state import StateStore
from muse_duckdb.errors import ReadOnlyRepositoryError
from muse_duckdb.repository import Repository
from muse_duckdb.storage.database import Database
from muse_duckdb.telemetry import TelemetryBatch, TelemetryRecorder, ingest, open_database
from storpheus.backends.base import MusicGeneratorBackend
from storpheus.project import ProjectState
from storpheus.scoring import Scorer, load_scorer, registered_scorer

DEFAULT_DB = "maestro.duckdb"
"""The Muse database ``compose`` uses when none is given."""

DEFAULT_OUT = "maestro-output"
"""Where ``compose`` writes MIDI files when no folder is given."""


@dataclass(frozen=True)
class RunConfig:
    """Where and how a composition runs (everything but the prompt, seed and size).

    ``scorer`` is a :class:`~storpheus.scoring.Scorer`, a ``module:name`` spec
    (recorded, so reproduction can load it again) or ``None`` (the default
    scorer). ``experiment``, ``notebook`` and ``parameters`` go into the run's
    telemetry row. ``backend_options`` build a backend given by name
    (``{"space": url}`` for ``orpheus``). ``classifier`` is asked about
    natural-language prompts the intent rules are unsure of (not recorded:
    the plan it leads to is).
    """

    db: str | os.PathLike[str] = DEFAULT_DB
    project: str = "default"
    backend: str | MusicGeneratorBackend = "embedded"
    scorer: Scorer | str | None = None
    options: AgentOptions = field(default_factory=AgentOptions)
    workers: int = 1
    out: str | os.PathLike[str] | None = DEFAULT_OUT
    lock_timeout: float = 2.0
    author: str = "maestro-lab"
    experiment: str | None = None
    notebook: str | None = None
    parameters: Mapping[str, JsonValue] = field(default_factory=dict)
    detect_environment: bool = True
    backend_options: Mapping[str, JsonValue] = field(default_factory=dict)
    classifier: IntentClassifier | None = None


def resolve_scorer(scorer: Scorer | str | None) -> tuple[Scorer, str | None]:
    """``(scorer, spec)``: the scorer to use and the spec that loads it again (if any)."""
    if scorer is None:
        return Scorer(), None
    if isinstance(scorer, Scorer):
        return scorer, None
    if ":" not in scorer:  # a registered name ("default", or one a package or notebook added)
        return registered_scorer(scorer), scorer
    return load_scorer(scorer), scorer


def new_run_id() -> str:
    """A fresh run id (``run-`` and 16 hex digits; random, never part of the music)."""
    return f"run-{uuid.uuid4().hex[:16]}"


def base_commit_for(repo: Repository, branch: str | None) -> str | None:
    """The commit a run builds on: the tip of ``branch`` if it exists, else HEAD's commit."""
    head = repo.head()
    if branch is None or branch == head.branch:
        return head.commit_id
    return repo.branches().get(branch, head.commit_id)


@dataclass
class PreparedRun:
    """A planned run whose inputs are all checked; :meth:`execute` runs it."""

    inputs: RunInputs
    config: RunConfig
    backend: MusicGeneratorBackend
    scorer: Scorer
    db: Database
    repo: Repository
    base: ProjectState
    base_commit_id: str | None
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def plan(self) -> CompositionPlan:
        """The plan being executed."""
        return self.inputs.plan

    @property
    def run_id(self) -> str:
        """The run's id."""
        return self.inputs.run_id

    def execute(
        self, stream: EventStream | None = None, *, accept: bool = True
    ) -> CompositionResult | PendingComposition:
        """Run the plan, stream events and commit (``accept``) or stage the variation."""
        stream = stream if stream is not None else EventStream()
        inputs, plan_ = self.inputs, self.plan
        done: list[SectionResult] = []
        order = {g.id: i for i, g in enumerate(plan_.generations)}
        recorder = TelemetryRecorder(self.run_id, detect_environment=self.config.detect_environment)
        try:
            stream.emit(
                StateEvent(
                    state="editing" if plan_.intent == "EDITING" else "composing",
                    intent=plan_.intent_label,
                    execution_mode="variation",
                    run_id=self.run_id,
                )
            )
            stream.emit(plan_event(plan_, commit=accept))
            recorder.start_run(
                experiment=self.config.experiment,
                notebook=self.config.notebook,
                parameters=inputs.parameters(self.config.workers),
                seed=plan_.base_seed,
                metadata={
                    "prompt": inputs.prompt,
                    "plan_hash": plan_.plan_hash,
                    "backend": inputs.backend_id,
                    "scorer": inputs.scorer_id,
                    "project": inputs.project,
                    "base_commit": self.base_commit_id,
                },
            )
            began = time.perf_counter()
            store = StateStore(StateSnapshot.from_project(self.base), project_id=inputs.project)
            orchestrator = Orchestrator(
                self.backend, self.scorer, inputs.options, workers=self.config.workers
            )
            result = orchestrator.run(
                plan_,
                store,
                stream,
                run_id=self.run_id,
                project_id=inputs.project,
                on_section=done.append,
            )
            orchestrated = time.perf_counter()
            self._record(recorder, result.sections())
            done.clear()
            recorded_at = time.perf_counter()
            target = result.snapshot.project
            intent = plan_.prompt.request or inputs.prompt.strip().splitlines()[0]
            stream.emit(PlanStepUpdateEvent(step_id="variation", status="active", phase="commit"))
            variation = propose_variation(
                self.repo,
                self.base,
                self.base_commit_id,
                target,
                intent=intent,
                explanation=plan_.explanation,
            )
            changes = emit_variation(stream, variation, self.base, intent=intent)
            stream.emit(
                PlanStepUpdateEvent(
                    step_id="variation",
                    status="completed",
                    phase="commit",
                    result=f"{len(variation.phrases)} phrases, {changes} changes",
                )
            )
            times = result.times
            self.timings.update(
                generate=times.generate,
                score=times.score,
                postprocess=times.postprocess + times.write,
                orchestrate=orchestrated - began,
                record=recorded_at - orchestrated,
                variation=time.perf_counter() - recorded_at,
            )
            pending = PendingComposition(
                prepared=self, result=result, variation=variation, stream=stream,
                target=target, recorder=recorder, changes=changes,
            )  # fmt: skip
            if accept:
                return commit_variation(pending, None, with_telemetry=True)
            stream.emit(
                CompleteEvent(
                    success=True,
                    run_id=self.run_id,
                    variation_id=variation.variation_id,
                    phrase_count=len(variation.phrases),
                    total_changes=changes,
                    state_version=store.version,
                )
            )
            recorder.finish_run("completed", metadata={"variation_id": variation.variation_id})
            ingest(
                self.db,
                TelemetryBatch.concat([recorder.batch(), events_batch(self.run_id, stream.events)]),
            )
            return pending
        except BaseException as exc:
            if _completed(stream):  # committed; only writing the MIDI file failed
                raise
            _fail(stream, exc, self.run_id)
            # keep what the agents finished; the run's own error is the one to report
            with contextlib.suppress(Exception):
                self._record(recorder, sorted(done, key=lambda s: order[s.step.id]))
            record_failure(self, recorder, stream, exc)
            raise
        finally:
            stream.close()

    def _record(self, recorder: TelemetryRecorder, sections: Iterable[SectionResult]) -> None:
        record_generations(
            recorder,
            sections,
            style=self.plan.style,
            backend_id=self.inputs.backend_id,
            scorer_id=self.inputs.scorer_id,
            options=self.inputs.options,
        )

    def compose(self, stream: EventStream | None = None) -> CompositionResult:
        """:meth:`execute` with the variation accepted whole."""
        outcome = self.execute(stream, accept=True)
        assert isinstance(outcome, CompositionResult)
        return outcome


def _completed(stream: EventStream) -> bool:
    last = stream.events[-1] if len(stream) else None
    return isinstance(last, CompleteEvent) and last.success


def _fail(stream: EventStream, exc: BaseException, run_id: str) -> None:
    """Close the stream with ``error`` and ``complete(success=false)`` if it is still open."""
    if stream.closed or not len(stream):
        return
    last = stream.events[-1]
    if isinstance(last, CompleteEvent):
        return
    if not isinstance(last, ErrorEvent):
        stream.emit(
            ErrorEvent(
                message=str(exc) or type(exc).__name__,
                code=type(exc).__name__,
                agent_id=getattr(exc, "role", None),
                run_id=run_id,
            )
        )
    stream.emit(CompleteEvent(success=False, run_id=run_id, error=str(exc) or type(exc).__name__))


def prepare_run(
    prompt: str,
    *,
    seed: int | None = None,
    candidates: int | None = None,
    branch: str | None = None,
    config: RunConfig | None = None,
    run_id: str | None = None,
) -> PreparedRun:
    """Check every input and plan the run (nothing is generated or written yet).

    Raises
    ------
    PromptParseError, PlanningError
        The prompt is malformed or cannot be planned.
    NothingToComposeError
        The prompt plans nothing (``Mode: ask``).
    UnknownBackendError, BackendLoadError
        The backend name is unknown, or the backend cannot be created.
    ScoringError
        The scorer spec cannot be loaded.
    MuseError
        The database cannot be opened or written (not a repository,
        read-only, locked by another process...).
    """
    config = config or RunConfig()
    if not isinstance(prompt, str) or not prompt.strip():
        raise NothingToComposeError("the prompt is empty")
    if isinstance(config.workers, bool) or not isinstance(config.workers, int):
        raise ValueError(f"workers={config.workers!r} must be an integer >= 1")
    if config.workers < 1:
        raise ValueError(f"workers={config.workers!r} must be an integer >= 1")
    began = time.perf_counter()
    backend_name, backend = resolve_backend(config.backend, config.backend_options, db=config.db)
    scorer, scorer_spec = resolve_scorer(config.scorer)
    opened = time.perf_counter()
    check_writable(config.db)
    checked = time.perf_counter()
    fresh = _plan_before_creating(prompt, config.db, seed, candidates, config.classifier)
    planned_early = time.perf_counter()
    db = open_database(config.db, lock_timeout=config.lock_timeout)
    repo = Repository(db, config.project)
    with db.session(write=True), db.write("check that the database can be written"):
        base_commit = base_commit_for(repo, branch)
        base = repo.snapshot(base_commit) if base_commit is not None else ProjectState()
    loaded = time.perf_counter()
    if fresh is not None and base_commit is None:
        planned = fresh
    else:
        planned = plan(
            prompt,
            project=planning_view(repo, base_commit, base),
            seed=seed,
            num_candidates=candidates,
            classifier=config.classifier,
        )
        _check_plan(planned)
    inputs = RunInputs(
        prompt=prompt,
        plan=planned,
        backend_name=backend_name,
        backend_id=backend.backend_id,
        backend_options=dict(backend.replay_options()),
        scorer_id=scorer.scorer_id,
        scorer_name=scorer.name,
        scorer_spec=scorer_spec,
        options=config.options,
        project=config.project,
        run_id=run_id or new_run_id(),
        seed=seed,
        candidates=candidates,
        branch=branch,
        extra=dict(config.parameters),
    )
    planning = (opened - began) + (planned_early - checked) + (time.perf_counter() - loaded)
    timings = {"open": (checked - opened) + (loaded - planned_early), "plan": planning}
    return PreparedRun(inputs, config, backend, scorer, db, repo, base, base_commit, timings)


def _check_plan(planned: CompositionPlan) -> None:
    if planned.is_empty:
        reason = "; ".join(planned.notes + planned.warnings) or "the plan has no steps"
        raise NothingToComposeError(reason)
    report = validate_plan(planned)
    if report.errors:
        raise InvalidPlanError(list(report.errors))


def _plan_before_creating(
    prompt: str,
    db: str | os.PathLike[str],
    seed: int | None,
    candidates: int | None,
    classifier: IntentClassifier | None = None,
) -> CompositionPlan | None:
    """For a database file that does not exist yet: the plan (on an empty project), checked.

    A run that cannot be planned then fails before the file (or its folder) is
    created: nothing is left behind. ``None`` for an existing file or ``:memory:``.
    """
    if str(db) == ":memory:" or Path(db).exists():
        return None
    planned = plan(
        prompt, project=None, seed=seed, num_candidates=candidates, classifier=classifier
    )
    _check_plan(planned)
    Path(db).parent.mkdir(parents=True, exist_ok=True)
    return planned


def check_writable(db: str | os.PathLike[str]) -> None:
    """Raise :class:`~muse_duckdb.errors.ReadOnlyRepositoryError` if ``db`` cannot be written.

    Checked before anything is generated: an existing file this user cannot
    write, or a new file in a folder it cannot write to.
    """
    if str(db) == ":memory:":
        return
    path = Path(db)
    if path.exists() and path.is_file() and not os.access(path, os.W_OK):
        raise ReadOnlyRepositoryError(str(path), "commit a composition (the file is not writable)")
    folder = path.parent
    if not path.exists() and folder.is_dir() and not os.access(folder, os.W_OK):
        raise ReadOnlyRepositoryError(
            str(path), f"create the database (folder {folder} is not writable)"
        )


__all__ = [
    "DEFAULT_DB",
    "DEFAULT_OUT",
    "PreparedRun",
    "RunConfig",
    "base_commit_for",
    "check_writable",
    "new_run_id",
    "prepare_run",
    "resolve_scorer",
]
