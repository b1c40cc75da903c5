"""Comparing two project states.

- :mod:`~muse_duckdb.diff.matching`: vectorised note matching (which note is which).
- :mod:`~muse_duckdb.diff.states`: per-region diffs of two states, with a severity.
"""
