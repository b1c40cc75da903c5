"""What a run records: telemetry rows and the commit's provenance metadata.

* :func:`record_generations` adds every generation of an orchestration and
  every candidate rejection sampling saw (seed, raw notes stored
  content-addressed, total, every dimension and metric, accepted or rejected
  and why) to a :class:`~muse_duckdb.telemetry.TelemetryRecorder`, column by
  column. The generation's metadata holds its scoring targets, so
  :func:`~maestro_lab.runtime.rescore.rescore` can re-run the choice later.
* :class:`RunInputs` is everything that determines a run's output; its
  :meth:`~RunInputs.commit_metadata` is stored with the commit (under the
  ``"maestro"`` key) and read back by
  :func:`~maestro_lab.runtime.reproduce.reproduce`.
* :func:`mark_run_committed` adds the commit to a recorded run's metadata
  (one ``UPDATE``, inside the commit's transaction).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final

import numpy as np
from pydantic import JsonValue

from maestro_lab.planner.model import CompositionPlan
from maestro_lab.planner.project import ProjectView
from maestro_lab.runtime.agents import SectionResult
from maestro_lab.runtime.options import AgentOptions
from muse_duckdb.repository import Repository
from muse_duckdb.storage.database import Connection
from muse_duckdb.telemetry import TelemetryRecorder
from storpheus import __version__
from storpheus.project import ProjectState

METADATA_KEY: Final = "maestro"
"""The commit metadata key holding a composition's recorded inputs."""

METADATA_FORMAT: Final = "maestro-lab/composition-commit"
METADATA_VERSION: Final = 1


@dataclass(frozen=True)
class RunInputs:
    """The recorded inputs of a composition run (what reproduction needs).

    ``backend_name`` is the registry name, ``backend_id`` its ``name@version``;
    ``scorer_spec`` is a ``module:name`` that :func:`storpheus.scoring.load_scorer`
    can load (``None`` for the default scorer).
    """

    prompt: str
    plan: CompositionPlan
    backend_name: str
    backend_id: str
    scorer_id: str
    scorer_name: str
    scorer_spec: str | None
    options: AgentOptions
    project: str
    run_id: str
    seed: int | None = None
    candidates: int | None = None
    branch: str | None = None
    extra: Mapping[str, JsonValue] = field(default_factory=dict)
    backend_options: Mapping[str, JsonValue] = field(default_factory=dict)

    def parameters(self, workers: int) -> dict[str, JsonValue]:
        """The run's parameters for the telemetry ``runs`` row."""
        return {
            "prompt": self.prompt,
            "seed": self.seed,
            "candidates": self.plan.num_candidates,
            "backend": self.backend_name,
            "scorer": self.scorer_spec or self.scorer_name,
            "options": self.options.to_dict(),
            "project": self.project,
            "branch": self.branch,
            "workers": workers,
            **dict(self.extra),
        }

    def commit_metadata(
        self, *, contract_hash: str, base_commit_id: str | None
    ) -> dict[str, JsonValue]:
        """The commit's metadata: ``{"maestro": {...}}`` with every recorded input."""
        plan = self.plan
        plan_json: JsonValue = json.loads(plan.to_json(indent=None))
        record: dict[str, JsonValue] = {
            "format": METADATA_FORMAT,
            "version": METADATA_VERSION,
            "prompt": self.prompt,
            "plan": plan_json,
            "plan_hash": plan.plan_hash,
            "base_seed": plan.base_seed,
            "seed_source": plan.seed_source,
            "role_seeds": {r.key: r.seed for r in plan.roles},
            "generation_seeds": {g.id: g.seed for g in plan.generations},
            "num_candidates": plan.num_candidates,
            "backend": {
                "name": self.backend_name,
                "id": self.backend_id,
                "version": self.backend_id.rpartition("@")[2],
                # how to build it again (a remote backend's address); only when there is any
                **({"options": dict(self.backend_options)} if self.backend_options else {}),
            },
            "scorer": {"id": self.scorer_id, "name": self.scorer_name, "spec": self.scorer_spec},
            "options": self.options.to_dict(),
            "run_id": self.run_id,
            "package_version": __version__,
            "project": self.project,
            "branch": self.branch,
            "call": {"seed": self.seed, "candidates": self.candidates},
            "base_commit": base_commit_id,
            "composition_contract": contract_hash,
        }
        return {METADATA_KEY: record}


def project_style(repo: Repository, commit_id: str, *, depth: int = 64) -> str | None:
    """The style the project was last composed in: the recorded plan of the nearest commit.

    Walks first parents from ``commit_id`` (at most ``depth`` commits) to the
    newest commit a composition made; ``None`` when there is none (e.g. a
    project imported with ``muse commit``).
    """
    current: str | None = commit_id
    for _ in range(depth):
        if current is None:
            return None
        commit = repo.get_commit(current)
        record = commit.metadata.get(METADATA_KEY)
        plan_ = record.get("plan") if isinstance(record, dict) else None
        style = plan_.get("style") if isinstance(plan_, dict) else None
        if isinstance(style, str) and style:
            return style
        current = commit.parent
    return None


def planning_view(
    repo: Repository, base_commit: str | None, base: ProjectState
) -> ProjectView | None:
    """What the planner reads of a run's base: the project at ``base_commit`` and its style.

    ``None`` when the run starts an empty history (nothing to keep).
    """
    if base_commit is None:
        return None
    return ProjectView.of(base, style=project_style(repo, base_commit))


def generation_id(run_id: str, section: SectionResult) -> str:
    """The telemetry id of one generation: ``<run>/<section>/<role key>``."""
    return f"{run_id}/{section.step.section}/{section.step.role_key}"


def record_generations(
    recorder: TelemetryRecorder,
    sections: Iterable[SectionResult],
    *,
    style: str,
    backend_id: str,
    scorer_id: str,
    options: AgentOptions,
) -> None:
    """Add every generation of ``sections`` and every candidate it saw to ``recorder``."""
    for section in sections:
        sampling = section.sampling
        step = section.step
        gen_id = recorder.add_generation(
            role=step.role,
            backend=backend_id,
            num_candidates=len(sampling.candidates),
            accepted=sampling.accepted,
            section=step.section,
            style=style,
            seed=step.seed,
            attempts=sampling.attempts,
            best_index=sampling.best_position,
            best_score=_finite(sampling.best_score),
            duration_ms=round((section.times.generate + section.times.score) * 1000.0, 3),
            cache_hit=_cache_hit(section),
            scorer=scorer_id,
            request_hash=section.request.request_hash,
            metadata=_generation_metadata(section, options),
            generation_id=generation_id(recorder.run_id, section),
        )
        cards = sampling.cards
        totals = cards.totals
        valid = cards.valid & np.isfinite(totals)
        accepted = valid & (np.nan_to_num(totals, nan=-1.0) >= options.threshold)
        decisions = sampling.decisions()
        # A dimension or metric with no value for any candidate does not apply to this
        # generation (a drum part has no key and no register): it is not recorded.
        metrics: dict[str, np.ndarray[tuple[int], np.dtype[np.float64]]] = {
            name: values
            for name, values in (*cards.dimensions.items(), *cards.metrics.items())
            if not np.isnan(values).all()
        }
        recorder.add_candidates(
            gen_id,
            accepted=accepted,
            notes=[c.candidate.notes for c in sampling.candidates],
            seeds=[c.seed for c in sampling.candidates],
            scores=[None if not np.isfinite(t) else float(t) for t in totals.tolist()],
            metrics=metrics,
            selected=sampling.best_position,
            reject_reasons=[
                None if i == sampling.best_position else decisions[i] for i in range(len(decisions))
            ],
        )


def _generation_metadata(section: SectionResult, options: AgentOptions) -> dict[str, JsonValue]:
    sampling = section.sampling
    params: dict[str, JsonValue] = json.loads(json.dumps(section.params.to_dict()))
    return {
        "role_key": section.step.role_key,
        "region_id": section.region_id,
        "scoring_params": params,
        "targets": dict(section.params.targets()),
        "threshold": options.threshold,
        "stop_reason": sampling.stop_reason,
        "section_contract": section.contract.hash,
        "context": section.context.to_dict(),
        "postprocess": [dict(step) for step in section.part.steps],
        "notes_written": len(section.part.notes),
        "report": None
        if section.report is None
        else json.loads(json.dumps(section.report.to_dict())),
        "backend": _backend_record(section),
    }


BACKEND_KEYS: Final = ("source", "space", "cache", "breaker_state", "fallback", "parameters")
"""What a remote backend says about the winning candidate's provenance (recorded if present)."""


def _backend_record(section: SectionResult) -> JsonValue:
    """Where the chosen candidate came from (remote, cache, fallback; breaker state)."""
    meta = section.sampling.best.metadata
    record = {k: meta[k] for k in BACKEND_KEYS if k in meta}
    return json.loads(json.dumps(record, default=str)) if record else None


def _cache_hit(section: SectionResult) -> bool:
    """Whether every candidate of the generation came from the backend's result cache."""
    seen = section.sampling.candidates
    return bool(seen) and all(c.candidate.metadata.get("cache") == "hit" for c in seen)


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def mark_run_committed(conn: Connection, run_id: str, metadata: Mapping[str, JsonValue]) -> None:
    """Merge ``metadata`` (the commit id...) into a recorded run's metadata."""
    conn.execute(
        "UPDATE runs SET metadata = json_merge_patch(metadata, ?::JSON)::VARCHAR WHERE run_id = ?",
        [json.dumps(dict(metadata), sort_keys=True), run_id],
    )


__all__ = [
    "METADATA_KEY",
    "RunInputs",
    "generation_id",
    "mark_run_committed",
    "planning_view",
    "project_style",
    "record_generations",
]
