"""The TelemetryRecorder: collects one run's records in memory, no database needed.

A recorder belongs to one run. The runtime (or a sweep worker) calls
:meth:`~TelemetryRecorder.start_run`, then for each section and role
:meth:`~TelemetryRecorder.add_generation` and
:meth:`~TelemetryRecorder.add_candidates` (every candidate rejection sampling
saw, its notes and all its score dimensions), forwards runtime events with
:meth:`~TelemetryRecorder.add_events`, and :meth:`~TelemetryRecorder.finish_run`.
:meth:`~TelemetryRecorder.batch` freezes everything into a
:class:`~muse_duckdb.telemetry.batch.TelemetryBatch` of Arrow tables, built
column by column (notes are concatenated columnar arrays, never one object
per note). Candidate notes are keyed by their content id, so identical note
objects are stored once.

Example
-------
>>> from storpheus.notes import NoteArray
>>> rec = TelemetryRecorder("run-1", detect_environment=False)
>>> rec.start_run(experiment="demo", seed=42)
>>> gen = rec.add_generation(role="bass", backend="embedded@1", section="verse",
...                          num_candidates=2, accepted=True, best_index=1, best_score=0.9)
>>> rec.add_candidates(gen, notes=[NoteArray([36], 90, [0.0], 1.0), NoteArray.empty()],
...                    scores=[0.4, 0.9], metrics={"key_fit": [0.5, 1.0]},
...                    accepted=[False, True], selected=1, reject_reasons=["below 0.6", None])
>>> rec.batch().counts
{'runs': 1, 'generations': 1, 'candidates': 2, 'metrics': 2, 'notes': 2, 'events': 0}
"""

from __future__ import annotations

import importlib.metadata
import json
import platform
import subprocess
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Final, Literal, Protocol

import numpy as np
import numpy.typing as npt
import pyarrow as pa
from pydantic import JsonValue

from muse_duckdb.telemetry.batch import TelemetryBatch
from muse_duckdb.telemetry.errors import TelemetryBatchError
from storpheus.identity import content_id
from storpheus.notes import NoteArray

RunStatus = Literal["running", "completed", "failed", "cancelled"]
RUN_STATUSES: Final = ("running", "completed", "failed", "cancelled")

TRACKED_PACKAGES: Final = (
    "maestro-lab",
    "numpy",
    "pandas",
    "pyarrow",
    "duckdb",
    "pydantic",
    "symusic",
)
"""Packages whose versions a run records by default."""


class WireEvent(Protocol):
    """What telemetry needs of a runtime event: its number, type and JSON text."""

    @property
    def seq(self) -> int:
        """Position in the stream."""

    @property
    def type(self) -> str:
        """Event type."""

    def to_json(self) -> str:
        """The event's wire JSON."""


def package_versions(packages: Iterable[str] = TRACKED_PACKAGES) -> dict[str, str]:
    """Installed versions of ``packages`` (absent ones omitted) plus ``python``."""
    out = {"python": platform.python_version()}
    for name in packages:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return out


def detect_git_commit(path: str | Path | None = None) -> str | None:
    """The commit checked out in the git work tree at ``path`` (cwd), or ``None``."""
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=path,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    sha = done.stdout.strip()
    return sha if done.returncode == 0 and len(sha) == 40 else None


def utc_now() -> datetime:
    """The current UTC time without tzinfo (the ``TIMESTAMP`` columns are UTC)."""
    return datetime.now(UTC).replace(tzinfo=None)


def _json(value: Mapping[str, JsonValue] | None) -> str:
    return json.dumps(dict(value or {}), sort_keys=True, separators=(",", ":"), default=str)


class TelemetryRecorder:
    """Builds the telemetry of one run in memory (thread-safe).

    Parameters
    ----------
    run_id:
        The run's id (unique in the database).
    detect_environment:
        Fill package versions and the git commit automatically in
        :meth:`start_run` when they are not given.
    clock:
        Source of UTC timestamps (replace it in tests).
    """

    def __init__(
        self,
        run_id: str,
        *,
        detect_environment: bool = True,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        if not isinstance(run_id, str) or not run_id.strip():
            raise TelemetryBatchError("runs", f"run_id={run_id!r} must be non-empty text")
        self.run_id = run_id
        self._detect = detect_environment
        self._clock = clock
        self._lock = threading.Lock()
        self._run: dict[str, object] | None = None
        self._gens: dict[str, list[object]] = {k: [] for k in _GEN_COLUMNS}
        self._gen_ids: set[str] = set()
        self._cands: dict[str, list[object]] = {k: [] for k in _CAND_COLUMNS}
        self._cand_keys: set[tuple[str, int]] = set()
        self._metric_rows: list[npt.NDArray[np.int64]] = []
        self._metric_names: list[str] = []
        self._metric_values: list[npt.NDArray[np.float64]] = []
        self._notes: dict[str, NoteArray] = {}
        self._events: dict[str, list[object]] = {"run_id": [], "seq": [], "type": [], "payload": []}

    # ------------------------------------------------------------------ runs
    def start_run(
        self,
        *,
        experiment: str | None = None,
        notebook: str | None = None,
        parameters: Mapping[str, JsonValue] | None = None,
        seed: int | None = None,
        package_versions: Mapping[str, str] | None = None,
        git_commit: str | None = None,
        metadata: Mapping[str, JsonValue] | None = None,
    ) -> None:
        """Record the run's identity and inputs (status ``running``)."""
        versions = dict(package_versions) if package_versions is not None else None
        if versions is None and self._detect:
            versions = _package_versions()
        if git_commit is None and self._detect:
            git_commit = detect_git_commit()
        with self._lock:
            self._run = {
                "run_id": self.run_id,
                "experiment": experiment,
                "notebook": notebook,
                "parameters": _json(parameters),
                "seed": seed,
                "package_versions": json.dumps(versions or {}, sort_keys=True),
                "git_commit": git_commit,
                "status": "running",
                "started_at": self._clock(),
                "ended_at": None,
                "error": None,
                "metadata": _json(metadata),
            }

    def finish_run(
        self,
        status: RunStatus = "completed",
        *,
        error: str | None = None,
        metadata: Mapping[str, JsonValue] | None = None,
    ) -> None:
        """Record how the run ended; ``metadata`` is merged into the run's metadata."""
        if status not in RUN_STATUSES:
            raise TelemetryBatchError("runs", f"status={status!r} must be one of {RUN_STATUSES}")
        with self._lock:
            if self._run is None:
                raise TelemetryBatchError("runs", f"run {self.run_id!r} was never started")
            merged = json.loads(str(self._run["metadata"]))
            merged.update(dict(metadata or {}))
            self._run.update(
                status=status, ended_at=self._clock(), error=error, metadata=_json(merged)
            )

    # ----------------------------------------------------------- generations
    def add_generation(
        self,
        *,
        role: str,
        backend: str,
        num_candidates: int,
        accepted: bool,
        section: str | None = None,
        style: str | None = None,
        seed: int | None = None,
        attempts: int | None = None,
        best_index: int | None = None,
        best_score: float | None = None,
        duration_ms: float | None = None,
        cache_hit: bool = False,
        scorer: str | None = None,
        request_hash: str | None = None,
        metadata: Mapping[str, JsonValue] | None = None,
        generation_id: str | None = None,
    ) -> str:
        """Record one generation (a section of a role); returns its id.

        The id defaults to ``"<run_id>/<section or ->/<role>"`` (``#2``, ``#3``...
        appended if that generation was already recorded).
        """
        with self._lock:
            gen_id = generation_id or f"{self.run_id}/{section or '-'}/{role}"
            if generation_id is None:
                base, n = gen_id, 2
                while gen_id in self._gen_ids:
                    gen_id = f"{base}#{n}"
                    n += 1
            elif gen_id in self._gen_ids:
                raise TelemetryBatchError("generations", f"generation {gen_id!r} already recorded")
            self._gen_ids.add(gen_id)
            row = {
                "generation_id": gen_id,
                "run_id": self.run_id,
                "section": section,
                "role": role,
                "style": style,
                "backend": backend,
                "seed": seed,
                "num_candidates": num_candidates,
                "attempts": num_candidates if attempts is None else attempts,
                "accepted": accepted,
                "best_index": best_index,
                "best_score": best_score,
                "duration_ms": duration_ms,
                "cache_hit": cache_hit,
                "scorer": scorer,
                "request_hash": request_hash,
                "metadata": _json(metadata),
            }
            for key, value in row.items():
                self._gens[key].append(value)
            return gen_id

    # ------------------------------------------------------------ candidates
    def add_candidates(
        self,
        generation_id: str,
        *,
        accepted: Sequence[bool] | npt.NDArray[np.bool_],
        notes: Sequence[NoteArray | None] | None = None,
        seeds: Sequence[int | None] | None = None,
        scores: Sequence[float | None] | npt.NDArray[np.float64] | None = None,
        metrics: Mapping[str, Sequence[float] | npt.NDArray[np.float64]] | None = None,
        selected: int | None = None,
        reject_reasons: Sequence[str | None] | None = None,
        start_index: int = 0,
    ) -> None:
        """Record the candidates of one generation, column by column.

        Every sequence has one entry per candidate (``len(accepted)``); a
        metric maps a dimension name to its values. Candidate ``i`` gets index
        ``start_index + i``; ``selected`` is the index of the chosen one.
        """
        n = len(accepted)
        score_list: list[float | None] | None = None if scores is None else list(scores)
        lengths = {
            "notes": None if notes is None else len(notes),
            "seeds": None if seeds is None else len(seeds),
            "scores": None if score_list is None else len(score_list),
            "reject_reasons": None if reject_reasons is None else len(reject_reasons),
        }
        for name, length in lengths.items():
            if length is not None and length != n:
                raise TelemetryBatchError(
                    "candidates", f"{name} has {length} values for {n} candidates"
                )
        metric_arrays = {}
        for name, values in (metrics or {}).items():
            array = np.asarray(values, dtype=np.float64)
            if array.shape != (n,):
                raise TelemetryBatchError(
                    "metrics", f"metric {name!r} has shape {array.shape} for {n} candidates"
                )
            metric_arrays[name] = array
        ids: list[str | None] = []
        counts: list[int | None] = []
        for part in notes or [None] * n:
            if part is None:
                ids.append(None)
                counts.append(None)
                continue
            cid = content_id(part)
            ids.append(cid)
            counts.append(len(part))
        with self._lock:
            if generation_id not in self._gen_ids:
                raise TelemetryBatchError(
                    "candidates", f"generation {generation_id!r} was not added to this recorder"
                )
            indices = range(start_index, start_index + n)
            clash = [i for i in indices if (generation_id, i) in self._cand_keys]
            if clash:
                raise TelemetryBatchError(
                    "candidates", f"candidate {clash[0]} of {generation_id!r} already recorded"
                )
            first_row = len(self._cands["run_id"])
            self._cand_keys.update((generation_id, i) for i in indices)
            self._cands["run_id"].extend([self.run_id] * n)
            self._cands["generation_id"].extend([generation_id] * n)
            self._cands["candidate_index"].extend(indices)
            self._cands["seed"].extend(seeds if seeds is not None else [None] * n)
            self._cands["notes_id"].extend(ids)
            self._cands["n_notes"].extend(counts)
            self._cands["score"].extend(score_list if score_list is not None else [None] * n)
            self._cands["accepted"].extend(bool(a) for a in accepted)
            self._cands["selected"].extend(selected is not None and i == selected for i in indices)
            self._cands["reject_reason"].extend(
                reject_reasons if reject_reasons is not None else [None] * n
            )
            rows = np.arange(first_row, first_row + n, dtype=np.int64)
            for name, array in metric_arrays.items():
                self._metric_rows.append(rows)
                self._metric_names.append(name)
                self._metric_values.append(array)
            for note_id, note_part in zip(ids, notes or [None] * n, strict=True):
                if note_id is not None and note_part is not None and note_id not in self._notes:
                    self._notes[note_id] = note_part

    def add_candidate(
        self,
        generation_id: str,
        index: int,
        *,
        accepted: bool,
        notes: NoteArray | None = None,
        seed: int | None = None,
        score: float | None = None,
        metrics: Mapping[str, float] | None = None,
        selected: bool = False,
        reject_reason: str | None = None,
    ) -> None:
        """Record one candidate (see :meth:`add_candidates` for many at once)."""
        self.add_candidates(
            generation_id,
            accepted=[accepted],
            notes=[notes],
            seeds=[seed],
            scores=[score],
            metrics={k: [v] for k, v in (metrics or {}).items()},
            selected=index if selected else None,
            reject_reasons=[reject_reason],
            start_index=index,
        )

    # ---------------------------------------------------------------- events
    def add_event(self, seq: int, event_type: str, payload: str | Mapping[str, JsonValue]) -> None:
        """Record one runtime event as JSON text."""
        text = payload if isinstance(payload, str) else _json(payload)
        with self._lock:
            self._events["run_id"].append(self.run_id)
            self._events["seq"].append(seq)
            self._events["type"].append(event_type)
            self._events["payload"].append(text)

    def add_events(self, events: Iterable[WireEvent]) -> None:
        """Record runtime events (anything with ``seq``, ``type`` and ``to_json()``)."""
        for event in events:
            self.add_event(event.seq, event.type, event.to_json())

    # ----------------------------------------------------------------- batch
    def batch(self) -> TelemetryBatch:
        """Everything recorded so far, as a :class:`TelemetryBatch` (the recorder keeps it)."""
        with self._lock:
            runs = pa.Table.from_pylist([self._run]) if self._run is not None else None
            metrics = None
            if self._metric_rows:
                lengths = [len(r) for r in self._metric_rows]
                metrics = pa.table(
                    {
                        "candidate_row": np.concatenate(self._metric_rows),
                        "name": pa.array(np.repeat(np.array(self._metric_names), lengths)),
                        "value": np.concatenate(self._metric_values),
                    }
                )
            return TelemetryBatch.from_frames(
                runs=runs,
                generations=pa.table(self._gens) if self._gen_ids else None,
                candidates=pa.table(self._cands) if self._cands["run_id"] else None,
                metrics=metrics,
                notes=notes_table(self._notes) if self._notes else None,
                events=pa.table(self._events) if self._events["seq"] else None,
            )


def notes_table(objects: Mapping[str, NoteArray]) -> pa.Table:
    """Note objects as one Arrow row each (list columns), built from concatenated columns."""
    ids = list(objects)
    arrays = [objects[i] for i in ids]
    lengths = np.fromiter((len(a) for a in arrays), np.int64, len(arrays))
    offsets = pa.array(np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32))
    whole = NoteArray.concat(arrays)

    def lists(values: npt.NDArray[np.generic]) -> pa.ListArray:
        return pa.ListArray.from_arrays(offsets, pa.array(values))

    return pa.table(
        {
            "notes_id": pa.array(ids, pa.string()),
            "n_notes": pa.array(lengths.astype(np.int32)),
            "pitch": lists(whole.pitch),
            "velocity": lists(whole.velocity),
            "channel": lists(whole.channel),
            "start_beat": lists(whole.start_beat),
            "duration_beats": lists(whole.duration_beats),
        }
    )


_package_versions = package_versions

_GEN_COLUMNS: Final = (
    "generation_id",
    "run_id",
    "section",
    "role",
    "style",
    "backend",
    "seed",
    "num_candidates",
    "attempts",
    "accepted",
    "best_index",
    "best_score",
    "duration_ms",
    "cache_hit",
    "scorer",
    "request_hash",
    "metadata",
)
_CAND_COLUMNS: Final = (
    "run_id",
    "generation_id",
    "candidate_index",
    "seed",
    "notes_id",
    "n_notes",
    "score",
    "accepted",
    "selected",
    "reject_reason",
)
