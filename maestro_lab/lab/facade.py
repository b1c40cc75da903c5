"""The :class:`Lab`: one object a notebook holds for one Muse database.

Everything the widgets do is a method here first, built on the public API
(:func:`maestro_lab.compose` / :func:`~maestro_lab.start` /
:func:`~maestro_lab.propose` / :func:`~maestro_lab.rescore`, the planner, the
prompt parser, :class:`muse_duckdb.Repository` and the telemetry tables).

Connections are short-lived: every method opens the database, does its
work and releases the file, so a notebook that keeps a ``Lab`` open never
blocks a papermill run, the ``muse`` CLI or another notebook on the same
file.

Example
-------
>>> from maestro_lab.lab import Lab                            # doctest: +SKIP
>>> lab = Lab("lab.duckdb")                                    # doctest: +SKIP
>>> result = lab.compose(open("prompt.txt").read(), seed=7)    # doctest: +SKIP
>>> frame = lab.candidates(result.run_id)                      # doctest: +SKIP
>>> lab.commit_candidate(int(frame.candidate_id[3]))           # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from maestro_lab.errors import CandidatePlacementError, LabError, UnknownCandidateError

if TYPE_CHECKING:
    import pandas as pd

    from maestro_lab.api import CompositionRun
    from maestro_lab.lab.widgets import LabUI
    from maestro_lab.planner import CompositionPlan
    from maestro_lab.runtime.commit import PendingComposition
    from maestro_lab.runtime.options import AgentOptions
    from maestro_lab.runtime.results import CompositionResult
    from muse_duckdb import (
        BlameResult,
        CheckoutResult,
        Commit,
        MergeOutcome,
        ProjectDiff,
        ProjectState,
        Repository,
    )
    from muse_duckdb.storage.database import Database
    from storpheus.backends.base import MusicGeneratorBackend
    from storpheus.jsontypes import JSONValue
    from storpheus.notes import NoteArray
    from storpheus.score import Score
    from storpheus.scoring import Scorer

PathLike = str | os.PathLike[str]


@dataclasses.dataclass(frozen=True)
class NoteDiff:
    """The notes of two versions compared, on the absolute timeline (beats).

    Attributes
    ----------
    added, removed:
        Notes only in the newer / only in the older version.
    unchanged:
        Notes in both.
    before, after:
        The two commit ids.
    """

    added: NoteArray
    removed: NoteArray
    unchanged: NoteArray
    before: str
    after: str


class Lab:
    """A research workbench on one Muse database (history and telemetry in one DuckDB file).

    Parameters
    ----------
    db:
        The database file (created on the first composition).
    project:
        The Muse project.
    out:
        Folder for MIDI files written by compositions (``None``: none).
    backend, backend_options:
        The generation backend every composition of this lab uses (a name
        such as ``"orpheus"`` with its options, e.g. ``{"space": URL}``, or
        a backend instance); the embedded backend by default.
    lock_timeout:
        Seconds to wait when another process is writing the file.
    """

    def __init__(
        self,
        db: PathLike = "maestro.duckdb",
        *,
        project: str = "default",
        out: PathLike | None = None,
        lock_timeout: float = 2.0,
        backend: str | MusicGeneratorBackend = "embedded",
        backend_options: Mapping[str, JSONValue] | None = None,
    ) -> None:
        self.backend = backend
        self.backend_options = dict(backend_options or {})
        self.db = str(db)
        self.project = project
        self.out = None if out is None else Path(out)
        self.lock_timeout = lock_timeout

    def __repr__(self) -> str:
        return f"Lab(db={self.db!r}, project={self.project!r})"

    # ------------------------------------------------------------ composing
    def plan(
        self, prompt: str, *, seed: int | None = None, candidates: int | None = None
    ) -> CompositionPlan:
        """The execution plan of ``prompt`` (pure: nothing runs, nothing is written)."""
        from maestro_lab.planner import plan

        return plan(prompt, seed=seed, num_candidates=candidates)

    def compose(
        self,
        prompt: str,
        *,
        seed: int | None = None,
        candidates: int | None = None,
        branch: str | None = None,
        scorer: Scorer | str | None = None,
        options: AgentOptions | None = None,
        experiment: str | None = None,
        notebook: str | None = None,
    ) -> CompositionResult:
        """Compose ``prompt`` and commit it (see :func:`maestro_lab.compose`)."""
        import maestro_lab

        return maestro_lab.compose(
            prompt,
            seed=seed,
            db=self.db,
            candidates=candidates,
            branch=branch,
            project=self.project,
            scorer=scorer,
            out=self.out,
            options=options,
            lock_timeout=self.lock_timeout,
            backend=self.backend,
            backend_options=self.backend_options or None,
            experiment=experiment,
            notebook=notebook,
        )

    def start(
        self,
        prompt: str,
        *,
        seed: int | None = None,
        candidates: int | None = None,
        branch: str | None = None,
    ) -> CompositionRun:
        """Compose in the background; follow ``run.events()``, then ``run.result()``."""
        import maestro_lab

        return maestro_lab.start(
            prompt,
            seed=seed,
            db=self.db,
            candidates=candidates,
            branch=branch,
            project=self.project,
            out=self.out,
            lock_timeout=self.lock_timeout,
            backend=self.backend,
            backend_options=self.backend_options or None,
        )

    def propose(
        self,
        prompt: str,
        *,
        seed: int | None = None,
        candidates: int | None = None,
        branch: str | None = None,
    ) -> PendingComposition:
        """Run ``prompt`` and stage its variation: ``accept(phrase_ids)`` or ``discard()``."""
        import maestro_lab

        return maestro_lab.propose(
            prompt,
            seed=seed,
            db=self.db,
            candidates=candidates,
            branch=branch,
            project=self.project,
            out=self.out,
            backend=self.backend,
            backend_options=self.backend_options or None,
        )

    # ------------------------------------------------------------ telemetry
    def _database(self) -> Database:
        """The file as a Muse + telemetry database; each read attaches it read-only and lets go.

        It is not opened read-only, so that a file written by an older
        version (or by ``muse`` alone, without telemetry tables) is migrated
        once instead of refused.
        """
        from muse_duckdb.telemetry import open_database

        return open_database(self.db, lock_timeout=self.lock_timeout)

    def sql(self, query: str, params: Sequence[object] | None = None) -> pd.DataFrame:
        """Run a read-only SQL query on the database and return the result as a DataFrame.

        The tables are Muse history (``commits``, ``snapshots``, ``refs`` ...)
        and telemetry (``runs``, ``generations``, ``candidates``,
        ``candidate_metrics``, ``candidate_scores``, ``events`` ...).
        """
        with self._database().read() as conn:
            frame: pd.DataFrame = conn.execute(query, list(params or [])).df()
        return frame

    def runs(self, experiment: str | None = None) -> pd.DataFrame:
        """Every recorded run, newest first, with generation and candidate counts."""
        from muse_duckdb.telemetry import runs

        return runs(self._database(), experiment=experiment)

    def latest_run(self) -> str:
        """The id of the newest run (``LabError`` when none is recorded)."""
        frame = self.runs()
        if frame.empty:
            raise LabError(f"no run is recorded in {self.db}")
        return str(frame["run_id"].iloc[0])

    def candidates(self, run_id: str | Sequence[str] | None = None) -> pd.DataFrame:
        """One row per candidate of the run(s) (default: the newest run).

        Columns: the candidate's ids, section, role, style, backend, scorer,
        candidate count, index, seed, notes id and count, total score,
        accepted / selected / reject reason, then one column per score
        dimension and metric that was recorded (whatever the scorer had).
        """
        from muse_duckdb.telemetry import candidates

        ids = self.latest_run() if run_id is None else run_id
        return candidates(self._database(), ids)

    def candidate(self, candidate_id: int) -> dict[str, object]:
        """The stored row of one candidate, with its generation's region (``region_id``)."""
        frame = self.sql(
            "SELECT c.*, g.metadata AS generation_metadata FROM candidates c "
            "JOIN generations g USING (generation_id) WHERE c.candidate_id = ?",
            [int(candidate_id)],
        )
        if frame.empty:
            raise UnknownCandidateError(int(candidate_id))
        row: dict[str, object] = {str(k): v for k, v in frame.iloc[0].to_dict().items()}
        meta = row.pop("generation_metadata", None)
        try:
            info = json.loads(meta) if isinstance(meta, str) else {}
        except json.JSONDecodeError:
            info = {}
        row["region_id"] = info.get("region_id") if isinstance(info, dict) else None
        row["role_key"] = info.get("role_key") if isinstance(info, dict) else None
        return row

    def candidate_notes(self, candidate_id: int) -> NoteArray:
        """The notes of a stored candidate (times relative to its section's start)."""
        from muse_duckdb.telemetry import candidate_notes
        from storpheus.notes import NoteArray

        row = self.candidate(candidate_id)
        notes_id = row.get("notes_id")
        if not isinstance(notes_id, str):
            return NoteArray.empty()
        return candidate_notes(self._database(), [notes_id]).get(notes_id, NoteArray.empty())

    def rescore(self, run_id: str, scorer: Scorer | str | None = None) -> pd.DataFrame:
        """Old against new choice of every generation of a run under ``scorer``."""
        import maestro_lab

        return maestro_lab.rescore(run_id, scorer, db=self.db)

    def events(self, run_id: str) -> pd.DataFrame:
        """The recorded events of a run, in order (``seq``, ``type``, ``payload``)."""
        return self.sql(
            "SELECT seq, type, payload FROM events WHERE run_id = ? ORDER BY seq", [run_id]
        )

    # -------------------------------------------------------------- history
    def repository(self) -> Repository:
        """The Muse repository (its methods open and release the file per call)."""
        from muse_duckdb import Repository

        return Repository.open(self.db, self.project, lock_timeout=self.lock_timeout)

    def history(self, ref: str = "HEAD", *, limit: int | None = None) -> pd.DataFrame:
        """The commits reachable from ``ref``, newest first, as a DataFrame."""
        import pandas as pd

        log = self.repository().log(ref, limit=limit)
        to_pandas = getattr(log, "to_pandas", None)
        if callable(to_pandas):
            frame = to_pandas()
            assert isinstance(frame, pd.DataFrame)
            return frame
        return pd.DataFrame([dataclasses.asdict(c) for c in log])

    def graph(self) -> tuple[list[Commit], str | None]:
        """Every commit, parents before children, and the commit HEAD points at."""
        graph = self.repository().log_graph()
        return list(graph.nodes), graph.head

    def branches(self) -> dict[str, str]:
        """Branch name -> tip commit id."""
        return self.repository().branches()

    def head(self) -> tuple[str | None, str | None]:
        """HEAD's branch (``None`` if detached) and commit id."""
        head = self.repository().head()
        return head.branch, head.commit_id

    def score(self, ref: str = "HEAD") -> Score:
        """The project at ``ref`` as a :class:`~storpheus.score.Score`."""
        return self.repository().score(ref)

    def snapshot(self, ref: str = "HEAD") -> ProjectState:
        """The project state at ``ref``."""
        return self.repository().snapshot(ref)

    def checkout(
        self, ref: str, *, force: bool = False, create_branch: str | None = None
    ) -> CheckoutResult:
        """Move HEAD to ``ref`` (a branch attaches HEAD; ``create_branch`` makes one there)."""
        return self.repository().checkout(ref, force=force, create_branch=create_branch)

    def branch(self, name: str, start: str = "HEAD") -> str:
        """Create branch ``name`` at ``start``; its commit id."""
        return self.repository().branch(name, start)

    def merge(
        self,
        theirs: str,
        ours: str = "HEAD",
        *,
        strategy: Literal["ours", "theirs"] | None = None,
        message: str | None = None,
    ) -> MergeOutcome:
        """Three-way, note-level merge of ``theirs`` into ``ours`` (typed error on conflicts).

        ``strategy`` (``"ours"`` / ``"theirs"``) resolves every conflict to one side.
        """
        return self.repository().merge(ours, theirs, strategy=strategy, message=message)

    def diff(self, a: str = "HEAD~1", b: str = "HEAD") -> ProjectDiff:
        """Per-region differences from ``a`` to ``b``."""
        return self.repository().diff(a, b)

    def diff_notes(self, a: str = "HEAD~1", b: str = "HEAD") -> NoteDiff:
        """Added, removed and unchanged notes from ``a`` to ``b`` on the absolute timeline.

        Built on Muse's note-level diff (:meth:`Repository.diff`): a modified
        note counts as removed in its old form and added in its new one;
        unchanged notes are the notes of regions that did not change plus
        the untouched notes of those that did.
        """
        from storpheus.notes import NoteArray

        repo = self.repository()
        before_id, after_id = repo.resolve(a), repo.resolve(b)
        diff = repo.diff(before_id, after_id)
        added: list[NoteArray] = []
        removed: list[NoteArray] = []
        changed: set[str] = set()
        for region in diff.regions:
            changed.add(region.region_id)
            if region.after is not None:
                at = region.after.start_beat
                added += [region.notes.added.shift(at), region.notes.modified_after.shift(at)]
            if region.before is not None:
                at = region.before.start_beat
                removed += [region.notes.removed.shift(at), region.notes.modified_before.shift(at)]
        new_added = NoteArray.concat(added) if added else NoteArray.empty()
        kept: list[NoteArray] = []
        for state_region in repo.snapshot(after_id).regions:
            notes = state_region.notes.shift(state_region.start_beat)
            if state_region.region_id in changed:
                notes = _without(notes, new_added)
            kept.append(notes)
        return NoteDiff(
            added=new_added,
            removed=NoteArray.concat(removed) if removed else NoteArray.empty(),
            unchanged=NoteArray.concat(kept) if kept else NoteArray.empty(),
            before=before_id,
            after=after_id,
        )

    def blame(self, target: str, at: str = "HEAD") -> BlameResult:
        """For every note of a region, track or section: the commit that introduced it."""
        return self.repository().blame(target, at)

    def versions(self, name: str, at: str = "HEAD") -> pd.DataFrame:
        """Every version of a region, track or section (by name), oldest first."""
        import pandas as pd

        rows = [v.to_dict() for v in self.repository().history(name, at)]
        return pd.DataFrame(rows)

    # ------------------------------------------------------ choosing anew
    def commit_candidate(
        self,
        candidate_id: int,
        *,
        message: str | None = None,
        author: str = "lab",
        ref: str = "HEAD",
    ) -> Commit:
        """Commit a stored candidate in place of what its region holds at ``ref``.

        The region the candidate's generation wrote (same role and section)
        gets exactly the candidate's notes; every other region stays. The
        commit records the run, generation and candidate in its metadata.

        Raises
        ------
        UnknownCandidateError
            No stored candidate has this id.
        CandidatePlacementError
            The project at ``ref`` has no region of the candidate's role and section.
        """
        row = self.candidate(candidate_id)
        notes = self.candidate_notes(candidate_id)
        repo = self.repository()
        state = repo.snapshot(ref)
        region_id = row.get("region_id")
        section, role = row.get("section"), row.get("role")
        target = _find_region(state, region_id, row.get("role_key"), section, role)
        if target is None:
            raise CandidatePlacementError(
                int(candidate_id),
                f"no region for role {role!r} in section {section!r} at {ref}",
            )
        regions = tuple(
            dataclasses.replace(r, notes=notes) if r.region_id == target else r
            for r in state.regions
        )
        new_state = dataclasses.replace(state, regions=regions)
        index = row.get("candidate_index")
        text = message or f"Choose candidate #{index} for {role} in {section}"
        return repo.commit(
            new_state,
            text,
            author=author,
            metadata={
                "lab": {
                    "action": "choose_candidate",
                    "candidate_id": int(candidate_id),
                    "candidate_index": None if index is None else int(str(index)),
                    "run_id": str(row.get("run_id")),
                    "generation_id": str(row.get("generation_id")),
                    "region_id": target,
                }
            },
        )

    def ui(self, prompt: str = "") -> LabUI:
        """Every widget of the lab together (prompt, plan, progress, candidates, history...)."""
        from maestro_lab.lab.widgets import LabUI

        return LabUI(self, prompt)


def _find_region(
    state: ProjectState,
    region_id: object,
    role_key: object,
    section: object,
    role: object,
) -> str | None:
    """The id of the region a generation wrote: recorded id, else by track and section name."""
    ids = {r.region_id for r in state.regions}
    if isinstance(region_id, str) and region_id in ids:
        return region_id
    tracks = {
        t.track_id
        for t in state.tracks
        if t.track_id == role_key or (t.role is not None and t.role == role)
    }
    for region in state.regions:
        named = isinstance(section, str) and section.lower() in region.name.lower()
        if region.track_id in tracks and named:
            return region.region_id
    return None


def _without(notes: NoteArray, drop: NoteArray) -> NoteArray:
    """``notes`` minus the rows equal to a row of ``drop`` (pitch, start, duration)."""
    import numpy as np

    if not len(drop) or not len(notes):
        return notes
    gone = set(
        zip(
            drop.pitch.tolist(),
            drop.start_beat.round(6).tolist(),
            drop.duration_beats.round(6).tolist(),
            strict=True,
        )
    )
    keep = np.array(
        [
            key not in gone
            for key in zip(
                notes.pitch.tolist(),
                notes.start_beat.round(6).tolist(),
                notes.duration_beats.round(6).tolist(),
                strict=True,
            )
        ],
        dtype=bool,
    )
    return notes[keep]


__all__ = ["Lab", "NoteDiff"]
