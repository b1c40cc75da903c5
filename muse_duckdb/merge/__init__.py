"""Three-way merge of project states, down to single notes.

- :mod:`~muse_duckdb.merge.conflicts`: conflicts and the choice every merge step makes.
- :mod:`~muse_duckdb.merge.notes`: note-level and event-level merge of region contents.
- :mod:`~muse_duckdb.merge.three_way`: merge of whole project states.

Merge, revert and cherry-pick of commits use these through
:class:`muse_duckdb.Repository` (:mod:`muse_duckdb.repository.merging`).
"""
