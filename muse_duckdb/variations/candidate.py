"""Commit candidates: what to commit, decided before it is recorded.

A :class:`CommitCandidate` decouples *deciding what to commit* from
*recording the commit*. A candidate is fully resolved: the parent it was
computed against (HEAD at the time), the complete post-commit state, and all
metadata. :meth:`muse_duckdb.Repository.prepare_variation` (an accepted
variation, reviewed) and :meth:`muse_duckdb.Repository.prepare_changes` (a
structural change set, auto-accepted) produce one;
:meth:`muse_duckdb.Repository.record` persists it, refusing it with
:class:`~muse_duckdb.errors.StaleBaseError` when HEAD has moved since.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from muse_duckdb.project import ProjectState
from muse_duckdb.storage.append import PhraseSummary
from muse_duckdb.variations.changes import ChangeSet


@dataclass(frozen=True)
class CommitCandidate:
    """A resolved mutation ready to be persisted as a commit.

    Parameters
    ----------
    parent:
        The commit the candidate was computed against (``None`` for an empty
        project); recording it requires HEAD to still be there.
    state:
        The complete project state after the commit.
    message, author, explanation:
        Intent, who (a person, ``agent:<role>`` or ``muse``) and why.
    variation_id, accepted_phrase_ids, phrases:
        Provenance of an accepted variation (``phrases`` summarises every
        phrase, accepted or not).
    changeset:
        The structural change set, for auto-committed edits.
    metadata:
        Seed, plan hash, scorer id, run id...
    """

    parent: str | None
    state: ProjectState
    message: str
    author: str = "muse"
    explanation: str | None = None
    variation_id: str | None = None
    accepted_phrase_ids: tuple[str, ...] = ()
    phrases: tuple[PhraseSummary, ...] = ()
    changeset: ChangeSet | None = None
    metadata: Mapping[str, object] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        """``"variation"`` (reviewed content), ``"changeset"`` (auto) or ``"state"``."""
        if self.variation_id is not None:
            return "variation"
        return "changeset" if self.changeset is not None else "state"
