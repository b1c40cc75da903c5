"""Reproduce a commit from its recorded inputs and verify it, byte for byte.

A commit made by ``compose`` records everything its output depends on
(:class:`~maestro_lab.runtime.recording.RunInputs`): the prompt, the plan
JSON and hash, the seeds, the backend's registry name and ``name@version``,
the scorer's id (and ``module:name`` spec if it had one), the agents'
sampling options and the run id. :func:`reproduce` reads them, checks that
this process has the same backend version and scorer, re-runs the plan on
the commit's base state (nothing is written), accepts the same phrases, and
compares:

* the reproduced project's snapshot id with the commit's;
* the MIDI bytes of both (:func:`storpheus.io.score_to_midi_bytes`);
* region by region, naming the role and section of every region that differs.

Example
-------
>>> result = reproduce("3f2a9c", db="maestro.duckdb")  # doctest: +SKIP
>>> result.ok, result.differences                      # doctest: +SKIP
(True, ())
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import JsonValue

from maestro_lab.errors import ReproductionError, ReproductionMismatchError
from maestro_lab.planner.model import CompositionPlan
from maestro_lab.planner.project import ProjectView
from maestro_lab.runtime.backends_registry import resolve_backend
from maestro_lab.runtime.events import StateEvent
from maestro_lab.runtime.options import AgentOptions
from maestro_lab.runtime.orchestrator import OrchestrationResult, Orchestrator, plan_event
from maestro_lab.runtime.recording import METADATA_FORMAT, METADATA_KEY, planning_view
from maestro_lab.runtime.stream import EventStream
from maestro_lab.tools.entities import StateSnapshot
from maestro_lab.tools.state import StateStore
from muse_duckdb.errors import RefNotFoundError
from muse_duckdb.model.commit import Commit
from muse_duckdb.repository import Repository
from muse_duckdb.storage.database import Database
from muse_duckdb.variations import VariationStore, apply_phrases, variation_from_states
from storpheus.backends.base import MusicGeneratorBackend
from storpheus.io import score_to_midi_bytes
from storpheus.project import ProjectState, project_to_score
from storpheus.scoring import Scorer, load_scorer, registered_scorer

DifferenceKind = Literal["project", "track", "region"]


@dataclass(frozen=True)
class Difference:
    """One way the reproduction differs from the commit."""

    kind: DifferenceKind
    detail: str
    role: str | None = None
    section: str | None = None
    region_id: str | None = None

    def __str__(self) -> str:
        where = "/".join(x for x in (self.role, self.section) if x)
        return f"{where or self.region_id or self.kind}: {self.detail}"

    def to_dict(self) -> dict[str, JsonValue]:
        """JSON-ready dict."""
        return {
            "kind": self.kind,
            "role": self.role,
            "section": self.section,
            "regionId": self.region_id,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class ReproductionResult:
    """The outcome of :func:`reproduce`: identical, or where it differs."""

    commit_id: str
    run_id: str
    recorded_snapshot_id: str
    reproduced_snapshot_id: str
    recorded_midi_sha256: str
    reproduced_midi_sha256: str
    plan_hash: str
    backend_id: str
    scorer_id: str
    differences: tuple[Difference, ...] = ()
    midi_path: Path | None = None
    warnings: tuple[str, ...] = ()

    @property
    def same_snapshot(self) -> bool:
        """Whether the snapshot ids are equal."""
        return self.recorded_snapshot_id == self.reproduced_snapshot_id

    @property
    def same_midi(self) -> bool:
        """Whether the MIDI bytes are identical."""
        return self.recorded_midi_sha256 == self.reproduced_midi_sha256

    @property
    def ok(self) -> bool:
        """Same snapshot, identical MIDI, no difference."""
        return self.same_snapshot and self.same_midi and not self.differences

    def raise_for_mismatch(self) -> None:
        """Raise :class:`~maestro_lab.errors.ReproductionMismatchError` unless :attr:`ok`."""
        if self.ok:
            return
        lines = [str(d) for d in self.differences]
        if not self.same_snapshot and not lines:
            lines.append("snapshot ids differ")
        if not self.same_midi:
            lines.append("MIDI bytes differ")
        raise ReproductionMismatchError(self.commit_id, tuple(lines))

    def to_dict(self) -> dict[str, JsonValue]:
        """CamelCase JSON (what ``maestro-lab reproduce --json`` prints)."""
        return {
            "ok": self.ok,
            "commitId": self.commit_id,
            "runId": self.run_id,
            "recordedSnapshotId": self.recorded_snapshot_id,
            "reproducedSnapshotId": self.reproduced_snapshot_id,
            "sameSnapshot": self.same_snapshot,
            "recordedMidiSha256": self.recorded_midi_sha256,
            "reproducedMidiSha256": self.reproduced_midi_sha256,
            "sameMidi": self.same_midi,
            "planHash": self.plan_hash,
            "backendId": self.backend_id,
            "scorerId": self.scorer_id,
            "midiPath": None if self.midi_path is None else str(self.midi_path),
            "differences": [d.to_dict() for d in self.differences],
            "warnings": list(self.warnings),
        }


def recorded_inputs(commit: Commit) -> dict[str, JsonValue]:
    """The ``maestro`` record of a commit's metadata (typed error if it has none)."""
    try:
        metadata = json.loads(commit.metadata_json)
    except ValueError as exc:  # pragma: no cover - Muse validates metadata on write
        raise ReproductionError(f"commit {commit.short_id}: unreadable metadata") from exc
    record = metadata.get(METADATA_KEY) if isinstance(metadata, dict) else None
    if not isinstance(record, dict) or record.get("format") != METADATA_FORMAT:
        raise ReproductionError(
            f"commit {commit.short_id} has no recorded composition inputs "
            "(it was not made by maestro-lab compose)"
        )
    return record


def _text(record: dict[str, JsonValue], *path: str) -> str:
    value: JsonValue = record
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    if not isinstance(value, str):
        raise ReproductionError(f"the recorded inputs lack {'.'.join(path)}")
    return value


def _clock() -> int:
    """Microseconds since the epoch (variation bookkeeping only; never part of the music)."""
    return time.time_ns() // 1000


def _find_commit(db: Database, ref: str, project: str | None) -> tuple[Repository, Commit]:
    projects = [project] if project is not None else Repository(db, "default").projects()
    for name in projects:
        repo = Repository(db, name)
        try:
            return repo, repo.get_commit(ref)
        except RefNotFoundError:
            if project is not None:
                raise
    raise RefNotFoundError(ref, ",".join(projects) or "(none)", reason="no such commit")


def _backend(
    record: dict[str, JsonValue],
    override: MusicGeneratorBackend | None,
    db: str | os.PathLike[str],
) -> MusicGeneratorBackend:
    if override is not None:
        backend = override
    else:  # rebuilt by name with the options it recorded (a remote backend's address)
        entry = record.get("backend")
        recorded_options = entry.get("options") if isinstance(entry, dict) else None
        options = recorded_options if isinstance(recorded_options, dict) else {}
        _, backend = resolve_backend(_text(record, "backend", "name"), options, db=db)
    recorded = _text(record, "backend", "id")
    if backend.backend_id != recorded:
        raise ReproductionError(
            f"the commit was generated by backend {recorded}, this process has "
            f"{backend.backend_id}; install that version to reproduce it"
        )
    return backend


def _scorer(record: dict[str, JsonValue], override: Scorer | str | None) -> Scorer:
    scorer_record = record.get("scorer")
    spec = scorer_record.get("spec") if isinstance(scorer_record, dict) else None
    if override is not None:
        scorer = override if isinstance(override, Scorer) else load_scorer(override)
    elif isinstance(spec, str):  # resolved by name only: a record never makes us import code
        scorer = registered_scorer(spec)
    else:
        scorer = Scorer()
    recorded = _text(record, "scorer", "id")
    if scorer.scorer_id != recorded:
        hint = f" (spec {spec!r})" if isinstance(spec, str) else " (pass the scorer used)"
        raise ReproductionError(
            f"the commit was scored by scorer {recorded}{hint}; this scorer is {scorer.scorer_id}"
        )
    return scorer


def reproduce(
    commit_id: str,
    db: str | os.PathLike[str] = "maestro.duckdb",
    *,
    project: str | None = None,
    backend: MusicGeneratorBackend | None = None,
    scorer: Scorer | str | None = None,
    workers: int = 1,
    out: str | os.PathLike[str] | None = None,
) -> ReproductionResult:
    """Re-run ``commit_id`` from its recorded inputs and compare (see the module docstring).

    Parameters
    ----------
    commit_id:
        A commit id, unique prefix or ref.
    db:
        The Muse database (opened read-only: nothing is written).
    project:
        The commit's project (default: whichever project has it).
    backend, scorer:
        Use these instead of the recorded ones (their ids must still match).
    workers:
        Agent pool size (changes nothing in the output).
    out:
        Folder to write the reproduced MIDI file to (``<commit>-reproduced.mid``).

    Raises
    ------
    ReproductionError
        The commit has no recorded inputs, or this process lacks its backend
        version or scorer.
    MuseError
        The database or the commit cannot be found.
    """
    database = Database(db, read_only=True, create=False)
    repo, commit = _find_commit(database, commit_id, project)
    record = recorded_inputs(commit)
    plan_json = record.get("plan")
    plan = CompositionPlan.from_dict(plan_json)
    if plan.plan_hash != _text(record, "plan_hash"):
        raise ReproductionError(f"commit {commit.short_id}: the recorded plan hash does not match")
    options = record.get("options")
    agent_options = AgentOptions.from_dict(options if isinstance(options, dict) else {})
    chosen_backend = _backend(record, backend, db)
    chosen_scorer = _scorer(record, scorer)
    run_id = _text(record, "run_id")
    base_commit = record.get("base_commit")
    base = repo.snapshot(base_commit) if isinstance(base_commit, str) else ProjectState()
    store = StateStore(StateSnapshot.from_project(base), project_id=repo.project_id)
    stream = EventStream()
    stream.emit(StateEvent(state="composing", intent=plan.intent_label, run_id=run_id))
    stream.emit(plan_event(plan))
    result = Orchestrator(chosen_backend, chosen_scorer, agent_options, workers=workers).run(
        plan, store, stream, run_id=run_id, project_id=_text(record, "project")
    )
    contract = record.get("composition_contract")
    target = result.snapshot.project
    staged = variation_from_states(
        VariationStore(clock=_clock), base, target, commit.message, commit.parent
    )
    prefix = f"{commit.variation_id}:"
    accepted = {p.removeprefix(prefix) for p in commit.accepted_phrase_ids}
    own = f"{staged.variation_id}:"
    chosen = [p for p in staged.phrases if p.phrase_id.removeprefix(own) in accepted]
    reproduced = apply_phrases(staged.changeset.apply(base), chosen)
    recorded_state = repo.snapshot(commit.commit_id)
    differences = compare_states(recorded_state, reproduced, result)
    if contract != result.contracts.composition.hash:
        differences = (
            Difference("project", "the composition contract hash differs from the recorded one"),
            *differences,
        )
    recorded_midi = score_to_midi_bytes(project_to_score(recorded_state), drop_aftertouch=True)
    reproduced_midi = score_to_midi_bytes(project_to_score(reproduced), drop_aftertouch=True)
    midi_path = None
    if out is not None:
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        midi_path = folder / f"{commit.commit_id[:12]}-reproduced.mid"
        midi_path.write_bytes(reproduced_midi)
    return ReproductionResult(
        warnings=_replan_warnings(
            record,
            plan,
            planning_view(repo, base_commit if isinstance(base_commit, str) else None, base),
        ),
        commit_id=commit.commit_id,
        run_id=run_id,
        recorded_snapshot_id=commit.snapshot_id,
        reproduced_snapshot_id=reproduced.snapshot_id,
        recorded_midi_sha256=hashlib.sha256(recorded_midi).hexdigest(),
        reproduced_midi_sha256=hashlib.sha256(reproduced_midi).hexdigest(),
        plan_hash=plan.plan_hash,
        backend_id=chosen_backend.backend_id,
        scorer_id=chosen_scorer.scorer_id,
        differences=differences,
        midi_path=midi_path,
    )


def _replan_warnings(
    record: dict[str, JsonValue], recorded: CompositionPlan, project: ProjectView | None
) -> tuple[str, ...]:
    """Whether planning the recorded prompt today still gives the recorded plan.

    Reproduction always runs the recorded plan; a different plan today only
    means the planner changed since, which the caller may want to know.
    """
    from maestro_lab.errors import MaestroLabError
    from maestro_lab.planner import plan as make_plan

    call = record.get("call")
    seed = call.get("seed") if isinstance(call, dict) else None
    candidates = call.get("candidates") if isinstance(call, dict) else None
    try:
        again = make_plan(
            _text(record, "prompt"),
            project=project,
            seed=seed if isinstance(seed, int) else None,
            num_candidates=candidates if isinstance(candidates, int) else None,
        )
    except MaestroLabError as exc:
        return (f"the recorded prompt no longer plans ({exc}); the recorded plan was used",)
    if again.plan_hash != recorded.plan_hash:
        return (
            f"the planner now plans this prompt differently (plan {again.plan_hash[:12]} vs "
            f"recorded {recorded.plan_hash[:12]}); the recorded plan was used",
        )
    return ()


def compare_states(
    recorded: ProjectState, reproduced: ProjectState, result: OrchestrationResult
) -> tuple[Difference, ...]:
    """Every difference between two project states, regions named by role and section."""
    out: list[Difference] = []
    for name in ("bpm", "key", "time_signature"):
        a, b = getattr(recorded, name), getattr(reproduced, name)
        if a != b:
            out.append(Difference("project", f"{name} is {b!r}, the commit has {a!r}"))
    old = {t.track_id: t for t in recorded.tracks}
    new = {t.track_id: t for t in reproduced.tracks}
    for track_id in sorted(set(old) | set(new)):
        if old.get(track_id) != new.get(track_id):
            out.append(
                Difference("track", f"track {track_id!r} differs", role=_role_of(track_id, result))
            )
    where = {s.region_id: (s.step.role_key, s.step.section) for s in result.sections()}
    ids = sorted(set(recorded.region_ids) | set(reproduced.region_ids))
    for region_id in ids:
        a = recorded.region(region_id) if recorded.has_region(region_id) else None
        b = reproduced.region(region_id) if reproduced.has_region(region_id) else None
        role, section = where.get(region_id, (None, None))
        if a is None or b is None:
            state = "missing from the reproduction" if b is None else "not in the commit"
            out.append(Difference("region", state, role, section, region_id))
        elif a.object_id != b.object_id or a.placement() != b.placement():
            detail = (
                f"{b.n_notes} notes vs {a.n_notes} in the commit"
                if a.n_notes != b.n_notes
                else "same note count, different events"
            )
            if a.placement() != b.placement():
                detail = "region placement differs"
            out.append(Difference("region", detail, role, section, region_id))
    return tuple(out)


def _role_of(track_id: str, result: OrchestrationResult) -> str | None:
    for section in result.sections():
        if section.region_id.split("/", 1)[0] == track_id:
            return section.step.role_key
    return None


__all__ = [
    "Difference",
    "ReproductionResult",
    "compare_states",
    "recorded_inputs",
    "reproduce",
]
