"""The public API: compose, stream, propose, reproduce, rescore, runs.

``import maestro_lab`` exposes these lazily (``maestro_lab.compose`` loads
the runtime on first use).

Example
-------
>>> import maestro_lab                                            # doctest: +SKIP
>>> result = maestro_lab.compose(open("prompt.txt").read(), seed=7,
...                              db="lab.duckdb", candidates=16)  # doctest: +SKIP
>>> result.commit_id[:12], result.snapshot_id[:12], result.midi_path  # doctest: +SKIP
>>> maestro_lab.reproduce(result.commit_id, db="lab.duckdb").ok   # doctest: +SKIP
True
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from pydantic import JsonValue

from maestro_lab.intent import IntentClassifier
from maestro_lab.runtime.commit import PendingComposition
from maestro_lab.runtime.events import MaestroEvent
from maestro_lab.runtime.options import AgentOptions
from maestro_lab.runtime.reproduce import ReproductionResult
from maestro_lab.runtime.reproduce import reproduce as _reproduce
from maestro_lab.runtime.rescore import rescore as _rescore
from maestro_lab.runtime.results import CompositionResult
from maestro_lab.runtime.session import DEFAULT_DB, DEFAULT_OUT, PreparedRun, RunConfig, prepare_run
from maestro_lab.runtime.stream import EventStream
from storpheus.backends.base import MusicGeneratorBackend
from storpheus.scoring import Scorer

if TYPE_CHECKING:
    import pandas as pd

PathLike = str | os.PathLike[str]


def _config(
    *,
    db: PathLike,
    project: str,
    backend: str | MusicGeneratorBackend,
    scorer: Scorer | str | None,
    workers: int,
    out: PathLike | None,
    options: AgentOptions | None,
    lock_timeout: float,
    experiment: str | None,
    notebook: str | None,
    parameters: Mapping[str, JsonValue] | None,
    backend_options: Mapping[str, JsonValue] | None = None,
    classifier: IntentClassifier | None = None,
) -> RunConfig:
    return RunConfig(
        backend_options=dict(backend_options or {}),
        db=db,
        project=project,
        backend=backend,
        scorer=scorer,
        options=options or AgentOptions(),
        workers=workers,
        out=out,
        lock_timeout=lock_timeout,
        experiment=experiment,
        notebook=notebook,
        parameters=dict(parameters or {}),
        classifier=classifier,
    )


def prepare(
    prompt: str,
    *,
    seed: int | None = None,
    db: PathLike = DEFAULT_DB,
    candidates: int | None = None,
    backend: str | MusicGeneratorBackend = "embedded",
    branch: str | None = None,
    workers: int = 1,
    project: str = "default",
    scorer: Scorer | str | None = None,
    out: PathLike | None = DEFAULT_OUT,
    options: AgentOptions | None = None,
    lock_timeout: float = 2.0,
    experiment: str | None = None,
    notebook: str | None = None,
    parameters: Mapping[str, JsonValue] | None = None,
    backend_options: Mapping[str, JsonValue] | None = None,
    classifier: IntentClassifier | None = None,
) -> PreparedRun:
    """Check the inputs and plan the run (see :func:`compose` for the parameters)."""
    config = _config(
        backend_options=backend_options,
        db=db,
        project=project,
        backend=backend,
        scorer=scorer,
        workers=workers,
        out=out,
        options=options,
        lock_timeout=lock_timeout,
        experiment=experiment,
        notebook=notebook,
        parameters=parameters,
        classifier=classifier,
    )
    return prepare_run(prompt, seed=seed, candidates=candidates, branch=branch, config=config)


def compose(
    prompt: str,
    *,
    seed: int | None = None,
    db: PathLike = DEFAULT_DB,
    candidates: int | None = None,
    backend: str | MusicGeneratorBackend = "embedded",
    branch: str | None = None,
    workers: int = 1,
    project: str = "default",
    scorer: Scorer | str | None = None,
    out: PathLike | None = DEFAULT_OUT,
    options: AgentOptions | None = None,
    lock_timeout: float = 2.0,
    experiment: str | None = None,
    notebook: str | None = None,
    parameters: Mapping[str, JsonValue] | None = None,
    backend_options: Mapping[str, JsonValue] | None = None,
    classifier: IntentClassifier | None = None,
) -> CompositionResult:
    """Compose ``prompt`` and commit it to Muse: the whole pipeline in one call.

    Parameters
    ----------
    prompt:
        A MAESTRO PROMPT or natural language.
    seed:
        Base seed (default: a hash of the normalised prompt).
    db:
        The Muse DuckDB file holding history and telemetry (created if missing).
    candidates:
        Candidates per generation (default: the prompt's, else 4).
    backend:
        A registered backend name (``"embedded"`` by default) or an instance.
    branch:
        Commit on this branch (created at HEAD if new); default: HEAD's branch.
    workers:
        Instrument agents run at once (changes nothing in the output).
    project:
        The Muse project.
    scorer:
        A :class:`~storpheus.scoring.Scorer`, a ``module:name`` spec, or the default.
    out:
        Folder for the MIDI file (``None``: no file).
    options:
        Rejection sampling and finishing settings of the agents.
    lock_timeout:
        Seconds to wait for another process holding the database.
    experiment, notebook, parameters:
        Recorded with the run's telemetry.
    backend_options:
        Keyword options of a backend given by name, e.g.
        ``backend="orpheus", backend_options={"space": "http://127.0.0.1:7860/"}``
        (the Orpheus result cache then goes into ``db``).
    classifier:
        An :class:`~maestro_lab.intent.IntentClassifier` asked about
        natural-language prompts the intent rules are unsure of (see
        :func:`maestro_lab.planner.plan`).

    Returns
    -------
    CompositionResult
        Commit id, snapshot id, MIDI path, per-role score cards, run id.

    Raises
    ------
    PromptParseError, PlanningError, NothingToComposeError
        The prompt is invalid or plans nothing.
    UnknownBackendError
        No backend has that name (the message lists the known ones).
    AgentError, ProtocolViolationError
        An instrument agent failed; nothing was committed.
    MuseError
        The database is read-only, locked or not a repository; nothing was committed.
    """
    prepared = prepare(
        prompt,
        seed=seed,
        db=db,
        candidates=candidates,
        backend=backend,
        branch=branch,
        workers=workers,
        project=project,
        scorer=scorer,
        out=out,
        options=options,
        lock_timeout=lock_timeout,
        experiment=experiment,
        notebook=notebook,
        parameters=parameters,
        backend_options=backend_options,
        classifier=classifier,
    )
    return prepared.compose()


def propose(
    prompt: str,
    *,
    seed: int | None = None,
    db: PathLike = DEFAULT_DB,
    candidates: int | None = None,
    backend: str | MusicGeneratorBackend = "embedded",
    branch: str | None = None,
    workers: int = 1,
    project: str = "default",
    scorer: Scorer | str | None = None,
    out: PathLike | None = DEFAULT_OUT,
    options: AgentOptions | None = None,
    backend_options: Mapping[str, JsonValue] | None = None,
    classifier: IntentClassifier | None = None,
) -> PendingComposition:
    """Run ``prompt`` and stage its variation for review; ``accept(phrase_ids)`` commits it."""
    prepared = prepare(
        prompt,
        seed=seed,
        db=db,
        candidates=candidates,
        backend=backend,
        backend_options=backend_options,
        branch=branch,
        workers=workers,
        project=project,
        scorer=scorer,
        out=out,
        options=options,
        classifier=classifier,
    )
    outcome = prepared.execute(accept=False)
    assert isinstance(outcome, PendingComposition)
    return outcome


class CompositionRun:
    """A composition running in a background thread: follow its events, then its result.

    Created by :func:`start`; the inputs were already checked (bad input
    raised there), so every later failure arrives as an ``error`` event and
    is raised again by :meth:`result`.
    """

    def __init__(self, prepared: PreparedRun) -> None:
        self.prepared = prepared
        self.stream = EventStream()
        self._result: CompositionResult | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._main, name="maestro-compose", daemon=True)
        self._thread.start()

    @property
    def run_id(self) -> str:
        """The run's id."""
        return self.prepared.run_id

    def _main(self) -> None:
        try:
            self._result = self.prepared.compose(self.stream)
        except BaseException as exc:  # handed to the caller by result()
            self._error = exc
        finally:
            self.stream.close()

    def events(self, timeout: float | None = None) -> Iterator[MaestroEvent]:
        """Every event, as it happens, until the run ends."""
        yield from self.stream.follow(timeout)

    def result(self, timeout: float | None = None) -> CompositionResult:
        """Wait for the run; its result, or its error raised again."""
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise TimeoutError(f"run {self.run_id} still running after {timeout} s")
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result


def start(
    prompt: str,
    *,
    seed: int | None = None,
    db: PathLike = DEFAULT_DB,
    candidates: int | None = None,
    backend: str | MusicGeneratorBackend = "embedded",
    branch: str | None = None,
    workers: int = 1,
    project: str = "default",
    scorer: Scorer | str | None = None,
    out: PathLike | None = DEFAULT_OUT,
    options: AgentOptions | None = None,
    lock_timeout: float = 2.0,
    backend_options: Mapping[str, JsonValue] | None = None,
    classifier: IntentClassifier | None = None,
) -> CompositionRun:
    """Check and plan ``prompt`` now, then compose it in the background (see :func:`compose`)."""
    prepared = prepare(
        prompt,
        seed=seed,
        db=db,
        candidates=candidates,
        backend=backend,
        branch=branch,
        workers=workers,
        project=project,
        scorer=scorer,
        out=out,
        options=options,
        lock_timeout=lock_timeout,
        backend_options=backend_options,
        classifier=classifier,
    )
    return CompositionRun(prepared)


def stream(
    prompt: str,
    *,
    seed: int | None = None,
    db: PathLike = DEFAULT_DB,
    candidates: int | None = None,
    backend: str | MusicGeneratorBackend = "embedded",
    branch: str | None = None,
    workers: int = 1,
    project: str = "default",
    scorer: Scorer | str | None = None,
    out: PathLike | None = DEFAULT_OUT,
    options: AgentOptions | None = None,
    classifier: IntentClassifier | None = None,
) -> Iterator[MaestroEvent]:
    """Compose ``prompt``, yielding every event as it happens.

    ``state`` comes first (intent and execution mode), then ``plan``,
    ``planStepUpdate``, ``toolCall``, ``generatorStart`` /
    ``generatorComplete``, ``agentComplete``, ``meta`` -> ``phrase``* ->
    ``done``, and ``complete`` last (with the commit id); a failure yields
    ``error`` then ``complete(success=false)``. Bad input (an invalid
    prompt, an unknown backend, an unwritable database) raises at the first
    ``next()``, before any event.
    """
    run = start(
        prompt,
        seed=seed,
        db=db,
        candidates=candidates,
        backend=backend,
        branch=branch,
        workers=workers,
        project=project,
        scorer=scorer,
        out=out,
        options=options,
        classifier=classifier,
    )
    yield from run.events()
    run._thread.join()


def reproduce(
    commit_id: str,
    db: PathLike = DEFAULT_DB,
    *,
    project: str | None = None,
    backend: MusicGeneratorBackend | None = None,
    scorer: Scorer | str | None = None,
    workers: int = 1,
    out: PathLike | None = None,
) -> ReproductionResult:
    """Re-run a commit from its recorded inputs; same snapshot id and MIDI bytes, or where not.

    See :func:`maestro_lab.runtime.reproduce.reproduce`.
    """
    return _reproduce(
        commit_id, db, project=project, backend=backend, scorer=scorer, workers=workers, out=out
    )


def rescore(
    run_id: str, scorer: Scorer | str | None = None, *, db: PathLike = DEFAULT_DB
) -> pd.DataFrame:
    """Old vs new choice of every generation of a run under ``scorer`` (nothing regenerated)."""
    return _rescore(run_id, scorer, db=db)


def runs(db: PathLike = DEFAULT_DB, *, experiment: str | None = None) -> pd.DataFrame:
    """Every recorded run, newest first, with its generation and candidate counts."""
    from muse_duckdb.telemetry import open_database
    from muse_duckdb.telemetry import runs as telemetry_runs

    return telemetry_runs(open_database(db, read_only=True), experiment=experiment)


__all__ = [
    "CompositionRun",
    "compose",
    "prepare",
    "propose",
    "reproduce",
    "rescore",
    "runs",
    "start",
    "stream",
]
