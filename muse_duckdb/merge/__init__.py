"""Three-way merge and the operations built on it (merge, revert, cherry-pick).

- :mod:`~muse_duckdb.merge.conflicts`: conflicts and the choice every merge step makes.
- :mod:`~muse_duckdb.merge.notes`: note-level and event-level merge of region contents.
- :mod:`~muse_duckdb.merge.three_way`: merge of whole project states.
- :mod:`~muse_duckdb.merge.operations`: merge, revert and cherry-pick on a repository.
"""
