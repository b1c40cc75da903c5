"""The Muse repository: versioned composition history in one DuckDB file.

:class:`Repository` (in :mod:`~muse_duckdb.repository.api`) is the public API;
:mod:`~muse_duckdb.repository.results` holds the values its operations return.
"""

from muse_duckdb.repository.api import MuseLogGraph, PendingCommit, Repository, init

__all__ = ["MuseLogGraph", "PendingCommit", "Repository", "init"]
