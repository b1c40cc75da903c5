"""Reading history: refs, the commit graph, the log, blame and per-region history.

- :mod:`~muse_duckdb.history.refs`: branches, tags, HEAD and resolving what a user typed.
- :mod:`~muse_duckdb.history.graph`: loading commits, ancestry and merge bases.
- :mod:`~muse_duckdb.history.log`: the log as columns.
- :mod:`~muse_duckdb.history.blame`: which commit introduced each note; region versions.
- :mod:`~muse_duckdb.history.wire`: the camelCase JSON of the log graph.
"""
