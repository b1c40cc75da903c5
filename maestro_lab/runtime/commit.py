"""Accepting a run's variation: the Muse commit, its metadata, telemetry and MIDI file.

:func:`commit_variation` is the one write of a composition. Inside a single
DuckDB transaction it moves HEAD to the target branch if asked, commits the
accepted phrases of the variation with the run's recorded inputs as
metadata, and either writes the run's whole telemetry (``compose``) or
marks the already recorded run as committed (a later
:meth:`PendingComposition.accept`). If anything fails, everything rolls
back: no commit, HEAD where it was, no telemetry of the attempt. The MIDI
file of the committed project is written afterwards.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from maestro_lab.runtime.events import (
    CompleteEvent,
    MaestroEvent,
    PlanStepUpdateEvent,
)
from maestro_lab.runtime.orchestrator import OrchestrationResult
from maestro_lab.runtime.recording import mark_run_committed
from maestro_lab.runtime.results import CompositionResult, EditSummary, SectionCard
from maestro_lab.runtime.stream import EventStream
from muse_duckdb.errors import (
    MuseError,
    NotARepositoryError,
    ReadOnlyRepositoryError,
    RepositoryLockedError,
)
from muse_duckdb.history import refs
from muse_duckdb.model.commit import Commit
from muse_duckdb.repository import Repository
from muse_duckdb.telemetry import TelemetryBatch, TelemetryRecorder, ingest
from muse_duckdb.telemetry.errors import TelemetryError
from muse_duckdb.variations import Variation, accepted_phrases, apply_phrases
from storpheus.io import write_midi
from storpheus.project import ProjectState, project_to_score

if TYPE_CHECKING:
    from maestro_lab.runtime.session import PreparedRun


@dataclass(eq=False)
class PendingComposition:
    """A finished run whose variation waits for review: :meth:`accept` or :meth:`discard`.

    Attributes
    ----------
    variation:
        The Muse variation (phrases of note changes against the base commit).
    result:
        The orchestration: every agent's sections, candidates and cards.
    stream:
        The run's event stream (closed).
    """

    prepared: PreparedRun
    result: OrchestrationResult
    variation: Variation
    stream: EventStream
    target: ProjectState
    recorder: TelemetryRecorder
    changes: int

    @property
    def run_id(self) -> str:
        """The run's id."""
        return self.prepared.run_id

    @property
    def phrase_ids(self) -> list[str]:
        """The variation's phrase ids, in order."""
        return [p.phrase_id for p in self.variation.phrases]

    def accept(self, phrase_ids: Sequence[str] | None = None) -> CompositionResult:
        """Commit the variation (all phrases, or only ``phrase_ids``) with its provenance.

        Raises
        ------
        PhraseNotFoundError
            An id names no phrase of the variation.
        StaleBaseError
            The branch moved since the run started.
        MuseError
            The database cannot be written; nothing was committed.
        """
        return commit_variation(self, phrase_ids, with_telemetry=False)

    def discard(self) -> None:
        """Drop the variation (nothing is committed)."""
        self.prepared.repo.discard_variation(self.variation.variation_id)


def _switch_branch(repo: Repository, branch: str | None) -> str | None:
    """Attach HEAD to ``branch`` (created at HEAD's commit if new) inside the caller's write.

    Returns the branch HEAD is on afterwards (``None`` if detached).
    """
    head = repo.head()
    if branch is None or head.branch == branch:
        return head.branch
    if branch in repo.branches():
        repo.checkout(branch)
    elif head.commit_id is not None:
        repo.checkout(head.commit_id, create_branch=branch)
    else:
        refs.check_ref_name(branch, "branch")
        with repo.database.write("switch to a new branch") as conn:
            refs.write_head(conn, repo.project_id, branch, None)
    return branch


def _numbered(stream: EventStream, events: Sequence[MaestroEvent]) -> list[MaestroEvent]:
    """``events`` with the seq numbers the stream will give them next."""
    start = len(stream)
    return [e.model_copy(update={"seq": start + i}) for i, e in enumerate(events)]


def events_batch(run_id: str, events: Sequence[MaestroEvent]) -> TelemetryBatch:
    """The telemetry ``events`` rows of ``events`` (wire JSON payloads)."""
    return TelemetryBatch.from_frames(
        events=pa.table(
            {
                "run_id": [run_id] * len(events),
                "seq": [e.seq for e in events],
                "type": [e.type for e in events],
                "payload": [e.to_json() for e in events],
            }
        )
    )


def commit_variation(
    pending: PendingComposition, phrase_ids: Sequence[str] | None, *, with_telemetry: bool
) -> CompositionResult:
    """Commit ``pending`` (see the module docstring); emits the closing events when streaming."""
    prepared = pending.prepared
    inputs, repo, db = prepared.inputs, prepared.repo, prepared.db
    variation, stream = pending.variation, pending.stream
    metadata = inputs.commit_metadata(
        contract_hash=pending.result.contracts.composition.hash,
        base_commit_id=variation.base_commit_id,
    )
    closing: list[MaestroEvent] = []
    if with_telemetry:
        stream.emit(PlanStepUpdateEvent(step_id="commit", status="active", phase="commit"))
    began = time.perf_counter()
    telemetry_seconds = 0.0
    with db.session(write=True), db.write("commit a composition") as conn:
        branch = _switch_branch(repo, inputs.branch)
        commit = repo.commit_variation(
            variation.variation_id,
            phrase_ids,
            author=prepared.config.author,
            metadata=metadata,
            base=prepared.base,
        )
        committed = time.perf_counter()
        if with_telemetry:
            closing = _numbered(
                stream,
                [
                    PlanStepUpdateEvent(
                        step_id="commit",
                        status="completed",
                        phase="commit",
                        result=commit.commit_id,
                    ),
                    _complete(pending, commit),
                ],
            )
            recorder = pending.recorder
            recorder.finish_run("completed", metadata=_run_outcome(pending, commit))
            batch = TelemetryBatch.concat(
                [recorder.batch(), events_batch(inputs.run_id, [*stream.events, *closing])]
            )
            ingest(db, batch)
        else:
            mark_run_committed(conn, inputs.run_id, _run_outcome(pending, commit))
        telemetry_seconds = time.perf_counter() - committed
    ended = time.perf_counter()
    state = _committed_state(pending, phrase_ids)
    if state.snapshot_id != commit.snapshot_id:  # pragma: no cover - Muse applied otherwise
        state = repo.snapshot(commit.commit_id)
    for event in closing:
        numbered = stream.emit(event.model_copy(update={"seq": -1}))
        assert numbered.seq == event.seq, "an event was emitted during the commit"
    midi_path = None
    warnings: list[str] = []
    out = prepared.config.out
    if out is not None:
        folder = Path(out)
        try:  # the commit stands: a file that cannot be written is a warning, not a failure
            folder.mkdir(parents=True, exist_ok=True)
            midi_path = write_midi(
                project_to_score(state),
                folder / f"{commit.commit_id[:12]}.mid",
                drop_aftertouch=True,  # Standard MIDI files from symusic carry no aftertouch
            )
        except OSError as exc:
            project = prepared.config.project
            where = f"--db {prepared.config.db}" + (
                f" --project {project}" if project != "default" else ""
            )
            warnings.append(
                f"committed {commit.commit_id[:12]}, but the MIDI file could not be written to "
                f"{folder} ({exc.strerror or exc}); write it later with: muse {where} export "
                f"{commit.commit_id[:12]} -o OUT.mid --drop-aftertouch"
            )
    prepared.timings.update(
        commit=committed - began,
        telemetry=telemetry_seconds,
        commit_close=ended - committed - telemetry_seconds,
        midi=time.perf_counter() - ended,
    )
    result = composition_result(pending, commit, midi_path, branch, state)
    return replace(result, warnings=tuple(warnings)) if warnings else result


def _committed_state(pending: PendingComposition, phrase_ids: Sequence[str] | None) -> ProjectState:
    """The state the commit records, rebuilt here instead of read back from the database."""
    variation = pending.variation
    chosen = accepted_phrases(variation, phrase_ids)
    return apply_phrases(variation.changeset.apply(pending.prepared.base), chosen)


def _complete(pending: PendingComposition, commit: Commit) -> CompleteEvent:
    return CompleteEvent(
        success=True,
        run_id=pending.run_id,
        variation_id=pending.variation.variation_id,
        phrase_count=len(pending.variation.phrases),
        total_changes=pending.changes,
        commit_id=commit.commit_id,
        snapshot_id=commit.snapshot_id,
    )


def _run_outcome(pending: PendingComposition, commit: Commit) -> dict[str, str | int | None]:
    return {
        "commit_id": commit.commit_id,
        "snapshot_id": commit.snapshot_id,
        "variation_id": pending.variation.variation_id,
        "accepted_phrases": len(commit.accepted_phrase_ids),
    }


def edit_summary(
    base: ProjectState, committed: ProjectState, written: Iterable[str]
) -> EditSummary:
    """What going from ``base`` to ``committed`` replaced, layered, added and kept.

    ``written`` are the regions the run generated into.
    """
    new = {r.region_id: r for r in committed.regions}
    replaced, kept = [], []
    for region in base.regions:
        after = new.get(region.region_id)
        if (
            after is not None
            and after.object_id == region.object_id
            and after.placement() == region.placement()
        ):
            kept.append(region.region_id)
        else:
            replaced.append(region.region_id)
    layered, added = [], []
    for region_id in sorted(set(written) - set(base.region_ids)):
        if region_id not in new:
            continue
        region = new[region_id]
        under = [
            r.region_id
            for r in base.regions_of(region.track_id)
            if r.start_beat < region.end_beat and region.start_beat < r.end_beat
        ]
        if any(u in kept for u in under):
            layered.append(region_id)
        else:
            added.append(region_id)
    project = []
    if base.bpm != committed.bpm:
        project.append(f"tempo {base.bpm} -> {committed.bpm}")
    if base.key != committed.key:
        project.append(f"key {base.key or '-'} -> {committed.key or '-'}")
    if base.time_signature != committed.time_signature:
        project.append(f"meter {base.time_signature} -> {committed.time_signature}")
    return EditSummary(tuple(replaced), tuple(layered), tuple(added), tuple(kept), tuple(project))


def composition_result(
    pending: PendingComposition,
    commit: Commit,
    midi_path: Path | None = None,
    branch: str | None = None,
    state: ProjectState | None = None,
) -> CompositionResult:
    """The :class:`CompositionResult` of a committed pending composition.

    ``state`` is the committed project (for the edit summary; the variation's
    target when not given).
    """
    prepared = pending.prepared
    written = [s.region_id for s in pending.result.sections()]
    edit = edit_summary(prepared.base, state if state is not None else pending.target, written)
    cards = []
    for section in pending.result.sections():
        sampling = section.sampling
        card = sampling.best_card
        cards.append(
            SectionCard(
                section=section.step.section,
                role_key=section.step.role_key,
                role=section.step.role,
                total=card.total,
                candidates=len(sampling.candidates),
                attempts=sampling.attempts,
                accepted=sampling.accepted,
                best_index=sampling.best_position,
                notes=len(section.part.notes),
                dimensions=dict(card.dimensions),
                metrics=dict(card.metrics),
                seed=sampling.best.seed,
                report=section.report,
            )
        )
    return CompositionResult(
        run_id=prepared.run_id,
        commit_id=commit.commit_id,
        snapshot_id=commit.snapshot_id,
        midi_path=midi_path,
        variation_id=pending.variation.variation_id,
        base_commit_id=pending.variation.base_commit_id,
        branch=branch or prepared.inputs.branch,
        plan_hash=prepared.plan.plan_hash,
        base_seed=prepared.plan.base_seed,
        backend_id=prepared.inputs.backend_id,
        scorer_id=prepared.inputs.scorer_id,
        phrase_count=len(pending.variation.phrases),
        cards=tuple(cards),
        timings=dict(prepared.timings),
        edit=edit,
    )


_UNWRITABLE = (RepositoryLockedError, ReadOnlyRepositoryError, NotARepositoryError)


def record_failure(
    prepared: PreparedRun,
    recorder: TelemetryRecorder,
    stream: EventStream,
    error: BaseException,
) -> bool:
    """Record a failed run's telemetry in its own transaction, if the database allows.

    Returns whether it was recorded. Never raises: the run's own error is the
    one the caller reports.
    """
    if isinstance(error, _UNWRITABLE) or isinstance(error.__cause__, _UNWRITABLE):
        return False
    try:
        recorder.finish_run("failed", error=f"{type(error).__name__}: {error}")
        batch = TelemetryBatch.concat(
            [recorder.batch(), events_batch(prepared.run_id, stream.events)]
        )
        ingest(prepared.db, batch)
    except (MuseError, TelemetryError, ValueError):
        return False
    return True


__all__ = [
    "PendingComposition",
    "commit_variation",
    "composition_result",
    "edit_summary",
    "events_batch",
    "record_failure",
]
