"""Where Muse keeps its data: one DuckDB file, its schema and its read and write paths.

- :mod:`~muse_duckdb.storage.engine`: the process's DuckDB instance, files attached per use.
- :mod:`~muse_duckdb.storage.database`: locked, transactional connections to a file.
- :mod:`~muse_duckdb.storage.schema`: tables and forward migrations.
- :mod:`~muse_duckdb.storage.batch`: buffered bulk writes of objects, snapshots, commits.
- :mod:`~muse_duckdb.storage.append`: appending one commit (snapshot, row, phrases).
- :mod:`~muse_duckdb.storage.commits`: reading commit rows back.
- :mod:`~muse_duckdb.storage.snapshots`: reading snapshots and region objects back.
- :mod:`~muse_duckdb.storage.integrity`: every referenced object exists and matches its id.
"""
