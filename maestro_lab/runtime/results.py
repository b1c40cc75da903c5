"""What a composition run returns: :class:`CompositionResult` and its score cards.

Example
-------
>>> card = SectionCard("verse", "bass", "bass", total=0.8, candidates=4, attempts=1,
...                    accepted=True, best_index=2, notes=31, dimensions={}, metrics={})
>>> result = CompositionResult(run_id="run-1", commit_id="c" * 64, snapshot_id="s" * 64,
...     midi_path=None, variation_id="v", base_commit_id=None, branch="main",
...     plan_hash="p" * 64, base_seed=7, backend_id="embedded@1.0", scorer_id="abc",
...     phrase_count=1, cards=(card,))
>>> result.score_table()[["role", "sections", "candidates", "best_mean"]].values.tolist()
[['bass', 1, 4, 0.8]]
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import JsonValue

if TYPE_CHECKING:
    import pandas as pd

    from storpheus.scoring import GenerationReport


@dataclass(frozen=True)
class SectionCard:
    """The chosen candidate of one (section, role) generation and its scores."""

    section: str
    role_key: str
    role: str
    total: float
    candidates: int
    attempts: int
    accepted: bool
    best_index: int
    notes: int
    dimensions: Mapping[str, float]
    metrics: Mapping[str, float]
    seed: int | None = None
    report: GenerationReport | None = None

    def to_dict(self) -> dict[str, JsonValue]:
        """JSON-ready dict (NaN as ``None``)."""
        return {
            "section": self.section,
            "roleKey": self.role_key,
            "role": self.role,
            "total": _json(self.total),
            "candidates": self.candidates,
            "attempts": self.attempts,
            "accepted": self.accepted,
            "bestIndex": self.best_index,
            "notes": self.notes,
            "seed": self.seed,
            "dimensions": {k: _json(v) for k, v in self.dimensions.items()},
            "report": None if self.report is None else _report_json(self.report),
        }


def _report_json(report: GenerationReport) -> JsonValue:
    import json

    loaded: JsonValue = json.loads(json.dumps(report.to_dict()))
    return loaded


def _json(value: float) -> float | None:
    return None if math.isnan(value) else round(float(value), 6)


@dataclass(frozen=True)
class EditSummary:
    """What a composition did to the project it started from (its base commit).

    Attributes
    ----------
    replaced:
        Existing regions whose events changed: regenerated in place, or
        cleared where new material of the same track now plays.
    layered:
        New regions placed over existing regions of their track that were
        kept as they are (``Layer: yes``): both play.
    added:
        New regions where the track had nothing.
    kept:
        Existing regions left exactly as they were.
    project:
        Project-level changes, e.g. ``"tempo 90 -> 100"``.
    """

    replaced: tuple[str, ...] = ()
    layered: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()
    project: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, JsonValue]:
        """CamelCase JSON."""
        return {
            "replaced": list(self.replaced),
            "layered": list(self.layered),
            "added": list(self.added),
            "kept": list(self.kept),
            "project": list(self.project),
        }

    def lines(self) -> list[str]:
        """One line per non-empty group, for people."""
        out = [
            f"{label:<9} {', '.join(ids)}"
            for label, ids in (
                ("replaced", self.replaced),
                ("layered", self.layered),
                ("added", self.added),
            )
            if ids
        ]
        if self.kept:
            out.append(f"kept      {len(self.kept)} region(s) unchanged")
        out.extend(f"project   {change}" for change in self.project)
        return out


@dataclass(frozen=True)
class CompositionResult:
    """A committed composition: where it is, how to reproduce it, how it scored.

    Attributes
    ----------
    run_id:
        The run's id in telemetry.
    commit_id, snapshot_id:
        The Muse commit and the content id of the whole project it records.
    midi_path:
        The MIDI file of the committed project, if one was written.
    cards:
        The best candidate's card of every generation, in plan order.
    edit:
        What the composition replaced, layered, added and kept in the project.
    timings:
        Seconds per stage (observational, not reproducible).
    warnings:
        What went wrong after the commit succeeded (a MIDI file that could not be
        written), each saying how to finish it later; the commit stands.
    """

    run_id: str
    commit_id: str
    snapshot_id: str
    midi_path: Path | None
    variation_id: str
    base_commit_id: str | None
    branch: str | None
    plan_hash: str
    base_seed: int
    backend_id: str
    scorer_id: str
    phrase_count: int
    cards: tuple[SectionCard, ...] = ()
    timings: Mapping[str, float] = field(default_factory=dict)
    edit: EditSummary = field(default_factory=EditSummary)
    warnings: tuple[str, ...] = ()

    @property
    def role_cards(self) -> dict[str, tuple[SectionCard, ...]]:
        """Role key -> its sections' best cards, in plan order."""
        out: dict[str, list[SectionCard]] = {}
        for card in self.cards:
            out.setdefault(card.role_key, []).append(card)
        return {k: tuple(v) for k, v in out.items()}

    @property
    def best_cards(self) -> dict[str, SectionCard]:
        """Role key -> its highest-scoring section card."""
        return {
            key: max(cards, key=lambda c: -1.0 if math.isnan(c.total) else c.total)
            for key, cards in self.role_cards.items()
        }

    def score_table(self) -> pd.DataFrame:
        """One row per role: sections, candidates seen, accepted sections, best scores."""
        import pandas as pd

        rows = []
        for key, cards in self.role_cards.items():
            totals = [c.total for c in cards if not math.isnan(c.total)]
            rows.append(
                {
                    "role": key,
                    "sections": len(cards),
                    "candidates": sum(c.candidates for c in cards),
                    "accepted": sum(c.accepted for c in cards),
                    "best_mean": round(sum(totals) / len(totals), 6) if totals else math.nan,
                    "best_min": round(min(totals), 6) if totals else math.nan,
                    "best_max": round(max(totals), 6) if totals else math.nan,
                    "notes": sum(c.notes for c in cards),
                }
            )
        return pd.DataFrame(
            rows,
            columns=[
                "role",
                "sections",
                "candidates",
                "accepted",
                "best_mean",
                "best_min",
                "best_max",
                "notes",
            ],
        )

    def to_dict(self) -> dict[str, JsonValue]:
        """CamelCase JSON (what ``maestro-lab compose --json`` prints)."""
        return {
            "runId": self.run_id,
            "commitId": self.commit_id,
            "snapshotId": self.snapshot_id,
            "midiPath": None if self.midi_path is None else str(self.midi_path),
            "variationId": self.variation_id,
            "baseCommitId": self.base_commit_id,
            "branch": self.branch,
            "planHash": self.plan_hash,
            "baseSeed": self.base_seed,
            "backendId": self.backend_id,
            "scorerId": self.scorer_id,
            "phraseCount": self.phrase_count,
            "cards": [c.to_dict() for c in self.cards],
            "timings": {k: round(v, 6) for k, v in self.timings.items()},
            "edit": self.edit.to_dict(),
            "warnings": list(self.warnings),
        }


__all__ = ["CompositionResult", "EditSummary", "SectionCard"]
