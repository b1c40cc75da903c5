"""CandidateBrowser: every candidate of a run, per role and section; look, listen, choose.

Rejection sampling picked one candidate per generation; the browser shows
all of them with every score dimension, sortable, draws and plays the
selected one, and commits a different choice
(:meth:`CandidateBrowser.commit_selected`) as a new Muse commit whose region
holds exactly that candidate's notes. With a staged composition
(:meth:`CandidateBrowser.attach`), its phrases can be accepted or discarded.

Example
-------
>>> browser = CandidateBrowser(lab, run_id)               # doctest: +SKIP
>>> browser.choose("bass", "verse")                       # doctest: +SKIP
>>> browser.table(sort_by="key_compliance").head()        # doctest: +SKIP
>>> browser.select(int(browser.table().candidate_id[1]))  # doctest: +SKIP
>>> browser.commit_selected()                             # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from maestro_lab.errors import LabError, UnknownCandidateError

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from maestro_lab.audio import AudioClip, Engine
    from maestro_lab.lab.facade import Lab
    from maestro_lab.runtime.commit import PendingComposition
    from maestro_lab.runtime.results import CompositionResult
    from muse_duckdb import Commit
    from storpheus.notes import NoteArray
    from storpheus.score import Score


class CandidateBrowser:
    """Browse the candidates of one run.

    Parameters
    ----------
    lab:
        The lab holding the run.
    run_id:
        The run (default: the newest).
    """

    def __init__(self, lab: Lab, run_id: str | None = None) -> None:
        self.lab = lab
        self.run_id = run_id or lab.latest_run()
        self.frame = lab.candidates(self.run_id)
        self.role: str | None = None
        self.section: str | None = None
        self.selected: int | None = None
        self.pending: PendingComposition | None = None
        groups = self.groups()
        if groups:
            self.choose(*groups[0])

    # ------------------------------------------------------------ browsing
    def groups(self) -> list[tuple[str, str | None]]:
        """Every (role, section) of the run, in plan order of sections."""
        seen: list[tuple[str, str | None]] = []
        for role, section in zip(self.frame["role"], self.frame["section"], strict=True):
            key = (str(role), None if section is None else str(section))
            if key not in seen:
                seen.append(key)
        return seen

    def choose(self, role: str, section: str | None) -> None:
        """Show the candidates of ``role`` in ``section``; select the one sampling chose."""
        if (role, section) not in self.groups():
            raise LabError(f"run {self.run_id} has no generation for {role!r} in {section!r}")
        self.role, self.section = role, section
        part = self._part()
        picked = part[part["selected"].astype(bool)]
        row = picked if len(picked) else part
        self.selected = int(row["candidate_id"].iloc[0]) if len(row) else None

    def _part(self) -> pd.DataFrame:
        f = self.frame
        mask = f["role"] == self.role
        mask &= f["section"].isna() if self.section is None else f["section"] == self.section
        return f[mask]

    def table(self, sort_by: str = "score", *, ascending: bool = False) -> pd.DataFrame:
        """The candidates of the current role and section with every dimension, sorted.

        ``sort_by`` is any column (``score``, a dimension, ``candidate_index``).
        """
        part = self._part()
        if sort_by not in part.columns:
            raise LabError(f"cannot sort by {sort_by!r}; columns: {', '.join(part.columns)}")
        shown = part.drop(columns=[c for c in ("run_id", "notes_id") if c in part.columns])
        return shown.sort_values(sort_by, ascending=ascending, kind="stable").reset_index(drop=True)

    @property
    def chosen_by_sampling(self) -> int | None:
        """The candidate rejection sampling chose for the current role and section."""
        part = self._part()
        picked = part[part["selected"].astype(bool)]
        return int(picked["candidate_id"].iloc[0]) if len(picked) else None

    def select(self, candidate_id: int) -> None:
        """Select a candidate of the current role and section."""
        part = self._part()
        if int(candidate_id) not in set(part["candidate_id"].astype(int)):
            raise UnknownCandidateError(int(candidate_id), self.run_id)
        self.selected = int(candidate_id)

    def _require_selected(self) -> int:
        if self.selected is None:
            raise LabError("no candidate is selected")
        return self.selected

    def notes(self, candidate_id: int | None = None) -> NoteArray:
        """The notes of a candidate (default: the selected one), relative to its section."""
        return self.lab.candidate_notes(candidate_id or self._require_selected())

    def score(self, candidate_id: int | None = None) -> Score:
        """A one-track score of the candidate (tempo and key of the run's project)."""
        from muse_duckdb.errors import MuseError
        from storpheus.score import Score, Track

        cid = candidate_id or self._require_selected()
        notes = self.notes(cid)
        try:
            project = self.lab.score("HEAD")
            bpm, key, meter = project.bpm, project.key, project.time_signature
            like = [t for t in project.tracks if t.role == self.role]
        except MuseError:  # no commit yet: defaults
            bpm, key, meter, like = 120, None, None, []
        is_drum = self.role == "drums" or bool(like and like[0].is_drum)
        program = like[0].program if like else 0
        track = Track(
            name=f"{self.role} #{cid}",
            notes=notes,
            program=program,
            is_drum=is_drum,
            role=self.role,
        )
        if meter is None:
            return Score(tracks=(track,), bpm=bpm, key=key)
        return Score(tracks=(track,), bpm=bpm, key=key, time_signature=meter)

    def pianoroll(self) -> Figure:
        """The selected candidate filled, the others of its generation outlined."""
        from maestro_lab.viz.pianoroll import plot_candidates

        part = self._part().sort_values("candidate_index")
        labelled = {}
        chosen = None
        for cid, index, score in zip(
            part["candidate_id"], part["candidate_index"], part["score"], strict=True
        ):
            label = f"#{int(index)} ({float(score):.3f})"
            labelled[label] = self.notes(int(cid))
            if int(cid) == self.selected:
                chosen = label
        return plot_candidates(
            labelled,
            chosen=chosen,
            drums=self.role == "drums",
            title=f"{self.role} / {self.section}: {len(labelled)} candidates",
        )

    def audio(self, engine: Engine = "auto") -> AudioClip:
        """The selected candidate rendered to audio (see :func:`maestro_lab.audio.render_audio`)."""
        from maestro_lab.audio import render_audio

        return render_audio(self.score(), engine=engine)

    def commit_selected(self, message: str | None = None) -> Commit:
        """Commit the selected candidate in place of the current one of its region."""
        return self.lab.commit_candidate(self._require_selected(), message=message)

    # ------------------------------------------------------------- phrases
    def attach(self, pending: PendingComposition) -> None:
        """Review a staged composition's phrases (from :meth:`Lab.propose`)."""
        self.pending = pending

    def phrases(self) -> pd.DataFrame:
        """The staged variation's phrases: id, track, region, beats, label, note changes."""
        import pandas as pd

        if self.pending is None:
            return pd.DataFrame(columns=["phrase_id", "track_id", "region_id", "label"])
        rows = [
            {
                "phrase_id": p.phrase_id,
                "track_id": p.track_id,
                "region_id": p.region_id,
                "start_beat": p.start_beat,
                "end_beat": p.end_beat,
                "label": p.label,
                "added": len(p.added),
                "removed": len(p.removed),
            }
            for p in self.pending.variation.phrases
        ]
        return pd.DataFrame(rows)

    def accept(self, phrase_ids: list[str] | None = None) -> CompositionResult:
        """Commit the staged variation (all phrases, or only ``phrase_ids``)."""
        if self.pending is None:
            raise LabError("no staged composition: attach one from Lab.propose first")
        result = self.pending.accept(phrase_ids)
        self.pending = None
        return result

    def discard(self) -> None:
        """Drop the staged variation; nothing is committed."""
        if self.pending is None:
            raise LabError("no staged composition: attach one from Lab.propose first")
        self.pending.discard()
        self.pending = None


__all__ = ["CandidateBrowser"]
