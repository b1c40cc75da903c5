"""The records Muse versions by content: ids and commits.

- :mod:`~muse_duckdb.model.digest`: canonical JSON and content digests (standard library).
- :mod:`~muse_duckdb.model.ids`: ticks at the identity resolution.
- :mod:`~muse_duckdb.model.commit`: the immutable :class:`~muse_duckdb.model.commit.Commit`.

The project state itself (tracks, regions, mixer) is :mod:`muse_duckdb.project`;
edits of it are :mod:`muse_duckdb.variations`. Modules here import nothing of
Muse but :mod:`muse_duckdb.errors`.
"""
