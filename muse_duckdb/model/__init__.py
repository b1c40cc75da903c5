"""The values Muse records: content ids, commits, change sets and commit candidates.

- :mod:`~muse_duckdb.model.ids`: ticks, canonical JSON and content digests.
- :mod:`~muse_duckdb.model.commit`: the immutable :class:`~muse_duckdb.model.commit.Commit`.
- :mod:`~muse_duckdb.model.changes`: structural change sets (tempo, tracks, regions).
- :mod:`~muse_duckdb.model.candidate`: what to commit, decided before it is recorded.

The project state itself (tracks, regions, mixer) is :mod:`muse_duckdb.project`.
Modules here import nothing else of Muse but :mod:`muse_duckdb.errors` and the
project state.
"""
