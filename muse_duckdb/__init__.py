"""Muse on DuckDB: versioned composition history with note-level merge.

One DuckDB file holds the history of any number of projects: immutable,
content-addressed region objects (notes, CC, pitch bends and aftertouch,
stored columnar and shared between commits), project snapshots, commits
with provenance, branches, tags and HEAD. :class:`Repository` is the API
(commit, log, checkout, diff, status, merge, revert, cherry-pick, blame,
history, variations); ``muse`` is the command line.

Imports storpheus only. Names (``__version__`` too) are loaded lazily, so
``import muse_duckdb`` costs nothing and ``muse --help`` starts instantly.

Example
-------
>>> from muse_duckdb import Repository
>>> repo = Repository.open(":memory:", "demo")
>>> list(repo.log())
[]
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from muse_duckdb.convert import RegionLayout, Section, project_to_score, score_to_project
    from muse_duckdb.diff.states import ProjectDiff, RegionDiff, Severity
    from muse_duckdb.history.blame import BlameResult, RegionVersion
    from muse_duckdb.merge.conflicts import Conflict
    from muse_duckdb.merge.three_way import MergeResult, merge_states
    from muse_duckdb.model.commit import Commit
    from muse_duckdb.project import Mixer, ProjectState, RegionState, RepositoryState, TrackState
    from muse_duckdb.repository import Repository, init
    from muse_duckdb.repository.results import (
        CheckoutResult,
        MergeOutcome,
        Status,
        WorkingTreeProjection,
    )
    from muse_duckdb.storage.integrity import IntegrityReport
    from muse_duckdb.variations import Phrase, Variation, VariationState
    from muse_duckdb.variations.candidate import CommitCandidate
    from muse_duckdb.variations.changes import ChangeSet

_EXPORTS: dict[str, str] = {
    "BlameResult": "muse_duckdb.history.blame",
    "RegionVersion": "muse_duckdb.history.blame",
    "ChangeSet": "muse_duckdb.variations.changes",
    "CommitCandidate": "muse_duckdb.variations.candidate",
    "Commit": "muse_duckdb.model.commit",
    "Conflict": "muse_duckdb.merge.conflicts",
    "RegionLayout": "muse_duckdb.convert",
    "Section": "muse_duckdb.convert",
    "project_to_score": "muse_duckdb.convert",
    "score_to_project": "muse_duckdb.convert",
    "ProjectDiff": "muse_duckdb.diff.states",
    "RegionDiff": "muse_duckdb.diff.states",
    "Severity": "muse_duckdb.diff.states",
    "IntegrityReport": "muse_duckdb.storage.integrity",
    "MergeResult": "muse_duckdb.merge.three_way",
    "merge_states": "muse_duckdb.merge.three_way",
    "Mixer": "muse_duckdb.project",
    "ProjectState": "muse_duckdb.project",
    "RepositoryState": "muse_duckdb.project",
    "RegionState": "muse_duckdb.project",
    "TrackState": "muse_duckdb.project",
    "Repository": "muse_duckdb.repository",
    "init": "muse_duckdb.repository",
    "CheckoutResult": "muse_duckdb.repository.results",
    "MergeOutcome": "muse_duckdb.repository.results",
    "Status": "muse_duckdb.repository.results",
    "WorkingTreeProjection": "muse_duckdb.repository.results",
    "Phrase": "muse_duckdb.variations",
    "Variation": "muse_duckdb.variations",
    "VariationState": "muse_duckdb.variations",
}

__all__ = [
    "BlameResult",
    "ChangeSet",
    "CheckoutResult",
    "Commit",
    "CommitCandidate",
    "Conflict",
    "IntegrityReport",
    "MergeOutcome",
    "MergeResult",
    "Mixer",
    "Phrase",
    "ProjectDiff",
    "ProjectState",
    "RegionDiff",
    "RegionLayout",
    "RegionState",
    "RegionVersion",
    "Repository",
    "RepositoryState",
    "Section",
    "Severity",
    "Status",
    "TrackState",
    "Variation",
    "VariationState",
    "WorkingTreeProjection",
    "__version__",
    "init",
    "merge_states",
    "project_to_score",
    "score_to_project",
]


def __getattr__(name: str) -> object:
    if name == "__version__":  # read from the installed metadata only when asked
        from storpheus import __version__

        return __version__
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'muse_duckdb' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
