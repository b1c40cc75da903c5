"""The commit log: one query, rows built into commits on access.

:func:`load_log` reads every commit of a project with one query, already in
log order (newest first: generation, then timestamp, descending; ties by
id), keeps those reachable from the start commit, and returns a
:class:`CommitLog`. A :class:`CommitLog` is a ``Sequence[Commit]`` whose
:class:`~muse_duckdb.model.commit.Commit` values are built on access;
:meth:`CommitLog.to_pandas` and :attr:`CommitLog.table` give every field of
every commit as a DataFrame or an Arrow table without building them.

Read as rows, only DuckDB and the standard library are used (``muse log``
starts fast); read ``columnar`` (what :meth:`muse_duckdb.Repository.log`
does), the log is an Arrow table sorted and filtered by Arrow kernels, the
faster path for thousands of commits and for :meth:`CommitLog.to_pandas`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Final, overload

import duckdb

from muse_duckdb.model.commit import Commit, JSONValue
from muse_duckdb.storage.commits import COMMIT_COLUMNS, row_to_commit

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

Connection = duckdb.DuckDBPyConnection
Row = tuple[object, ...]
COLUMN_NAMES: Final = tuple(c.strip() for c in COMMIT_COLUMNS.split(","))


class CommitLog(Sequence[Commit]):
    """Commits in log order, backed by rows or by an Arrow table (see the module docstring)."""

    def __init__(self, rows: Sequence[Row] | None = None, *, table: pa.Table | None = None) -> None:
        self._rows = rows
        self._table = table

    @property
    def rows(self) -> Sequence[Row]:
        """The log as tuples in the column order of ``commits``."""
        if self._rows is None:
            assert self._table is not None
            columns = [self._table.column(i).to_pylist() for i in range(self._table.num_columns)]
            self._rows = list(zip(*columns, strict=True))
        return self._rows

    @property
    def table(self) -> pa.Table:
        """An Arrow table of the log (one row per commit, columns as in ``commits``)."""
        if self._table is not None:
            return self._table
        import pyarrow as pa

        columns = list(zip(*self.rows, strict=True)) or [()] * len(COLUMN_NAMES)
        types = {
            "generation": pa.int32(),
            "committed_at": pa.int64(),
            "accepted_phrase_ids": pa.list_(pa.string()),
            "affected_regions": pa.list_(pa.string()),
        }
        return pa.table(
            {
                name: pa.array(list(col), types.get(name, pa.string()))
                for name, col in zip(COLUMN_NAMES, columns, strict=True)
            }
        )

    def __len__(self) -> int:
        return len(self._rows) if self._rows is not None else int(self.table.num_rows)

    @overload
    def __getitem__(self, index: int) -> Commit: ...

    @overload
    def __getitem__(self, index: slice) -> CommitLog: ...

    def __getitem__(self, index: int | slice) -> Commit | CommitLog:
        if isinstance(index, slice):
            if self._rows is None:
                import pyarrow as pa

                picked = range(*index.indices(len(self)))
                return CommitLog(table=self.table.take(pa.array(picked, pa.int64())))
            return CommitLog(self._rows[index])
        n = len(self)
        if not -n <= index < n:
            raise IndexError(f"commit index {index} out of range for a log of {n}")
        return row_to_commit(self.rows[index])

    def __iter__(self) -> Iterator[Commit]:
        for row in self.rows:
            yield row_to_commit(row)

    def __repr__(self) -> str:
        return f"CommitLog({len(self)} commits)"

    @property
    def ids(self) -> list[str]:
        """Commit ids in log order."""
        if self._rows is None:
            return [str(x) for x in self.table.column("commit_id").to_pylist()]
        return [str(row[0]) for row in self._rows]

    def to_pandas(self) -> pd.DataFrame:
        """Every field of every commit (timestamps as UTC datetimes), one row per commit."""
        import pandas as pd

        frame: pd.DataFrame = self.table.to_pandas()
        frame["committed_at"] = pd.to_datetime(frame["committed_at"], unit="us", utc=True)
        return frame

    def to_dicts(self) -> list[dict[str, JSONValue]]:
        """JSON-ready dicts (camelCase), as :meth:`Commit.to_dict`."""
        return [c.to_dict() for c in self]


def load_log(
    conn: Connection,
    project_id: str,
    start: str | None,
    limit: int | None = None,
    *,
    columnar: bool = False,
) -> CommitLog:
    """Commits reachable from ``start`` (all of the project for ``None``), newest first.

    ``limit`` keeps the first commits of the log only. ``columnar`` reads the
    log as an Arrow table (faster for thousands of commits and for
    :meth:`CommitLog.to_pandas`; imports pyarrow); otherwise as rows (what
    ``muse log`` prints, with no import beyond DuckDB).
    """
    if columnar:
        return _load_columnar(conn, project_id, start, limit)
    rows: list[Row] = conn.execute(
        f"SELECT {COMMIT_COLUMNS} FROM commits WHERE project_id = ? "
        "ORDER BY generation DESC, committed_at DESC, commit_id",
        [project_id],
    ).fetchall()
    if start is not None and rows:
        rows = _reachable(rows, start, limit)
    return CommitLog(rows if limit is None else rows[:limit])


def _reachable(rows: list[Row], start: str, limit: int | None) -> list[Row]:
    """The rows reachable from ``start`` by parent links, in their order."""
    index = {row[0]: i for i, row in enumerate(rows)}
    found = index.get(start)
    if found is None:
        return []
    seen = bytearray(len(rows))
    stack = [found]
    while stack:
        i = stack.pop()
        if seen[i]:
            continue
        seen[i] = 1
        row = rows[i]
        for parent in (row[2], row[3]):
            j = index.get(parent)
            if j is not None and not seen[j]:
                stack.append(j)
    if all(seen):
        return rows
    kept = [row for row, keep in zip(rows, seen, strict=True) if keep]
    return kept if limit is None else kept[:limit]


def _load_columnar(
    conn: Connection, project_id: str, start: str | None, limit: int | None
) -> CommitLog:
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    table = conn.sql(
        f"SELECT {COMMIT_COLUMNS} FROM commits WHERE project_id = ?", params=[project_id]
    ).to_arrow_table()
    if table.num_rows:
        order = pc.sort_indices(
            table,
            sort_keys=[
                ("generation", "descending"),
                ("committed_at", "descending"),
                ("commit_id", "ascending"),
            ],
        )
        table = table.take(order)
    if start is not None and table.num_rows:
        ids = table.column("commit_id")
        first = pc.fill_null(pc.index_in(table.column("parent_id"), value_set=ids), -1)
        second = pc.fill_null(pc.index_in(table.column("parent2_id"), value_set=ids), -1)
        p1, p2 = first.to_numpy().tolist(), second.to_numpy().tolist()
        seen = np.zeros(len(p1), dtype=bool)
        found = pc.index(ids, start).as_py()
        stack = [found] if found >= 0 else []
        while stack:
            i = stack.pop()
            if seen[i]:
                continue
            seen[i] = True
            stack.extend(j for j in (p1[i], p2[i]) if j >= 0 and not seen[j])
        if not seen.all():
            table = table.filter(pa.array(seen))
    if limit is not None:
        table = table.slice(0, limit)
    return CommitLog(table=table)


def log_ids(conn: Connection, project_id: str, start: str | None) -> Sequence[str]:
    """Just the ids of :func:`load_log`."""
    return load_log(conn, project_id, start).ids
