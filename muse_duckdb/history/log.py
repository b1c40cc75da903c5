"""The commit log as columns: fast for tens of thousands of commits.

:func:`load_log` reads every commit of a project with one query into an
Arrow table, walks the ancestry of the start commit over integer indexes and
returns a :class:`CommitLog` in log order (newest first: generation, then
timestamp, descending; ties by id). A :class:`CommitLog` is a
``Sequence[Commit]`` whose :class:`~muse_duckdb.model.commit.Commit` values are
built on access; :meth:`CommitLog.to_pandas` gives every field of every
commit as a DataFrame without building them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import overload

import duckdb
import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from muse_duckdb.model.commit import Commit, JSONValue
from muse_duckdb.storage.commits import COMMIT_COLUMNS, row_to_commit

Connection = duckdb.DuckDBPyConnection


class CommitLog(Sequence[Commit]):
    """Commits in log order, backed by an Arrow table (see the module docstring)."""

    def __init__(self, table: pa.Table) -> None:
        self._table = table
        self._rows: list[tuple[object, ...]] | None = None

    @property
    def table(self) -> pa.Table:
        """The underlying Arrow table (one row per commit, columns as in ``commits``)."""
        return self._table

    def __len__(self) -> int:
        return int(self._table.num_rows)

    @overload
    def __getitem__(self, index: int) -> Commit: ...

    @overload
    def __getitem__(self, index: slice) -> CommitLog: ...

    def __getitem__(self, index: int | slice) -> Commit | CommitLog:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            return CommitLog(self._table.take(pa.array(range(start, stop, step), pa.int64())))
        n = len(self)
        if not -n <= index < n:
            raise IndexError(f"commit index {index} out of range for a log of {n}")
        return row_to_commit(self._row_values()[index % n])

    def __iter__(self) -> Iterator[Commit]:
        for row in self._row_values():
            yield row_to_commit(row)

    def __repr__(self) -> str:
        return f"CommitLog({len(self)} commits)"

    @property
    def ids(self) -> list[str]:
        """Commit ids in log order."""
        return [str(x) for x in self._table.column("commit_id").to_pylist()]

    def to_pandas(self) -> pd.DataFrame:
        """Every field of every commit (timestamps as UTC datetimes), one row per commit."""
        frame: pd.DataFrame = self._table.to_pandas()
        frame["committed_at"] = pd.to_datetime(frame["committed_at"], unit="us", utc=True)
        return frame

    def to_dicts(self) -> list[dict[str, JSONValue]]:
        """JSON-ready dicts (camelCase), as :meth:`Commit.to_dict`."""
        return [c.to_dict() for c in self]

    def _row_values(self) -> list[tuple[object, ...]]:
        if self._rows is None:
            columns = [self._table.column(i).to_pylist() for i in range(self._table.num_columns)]
            self._rows = list(zip(*columns, strict=True))
        return self._rows


def load_log(conn: Connection, project_id: str, start: str | None) -> CommitLog:
    """Commits reachable from ``start`` (all of the project for ``None``), newest first."""
    table = conn.sql(
        f"SELECT {COMMIT_COLUMNS} FROM commits WHERE project_id = ?", params=[project_id]
    ).to_arrow_table()
    if table.num_rows == 0:
        return CommitLog(table)
    order = pc.sort_indices(
        table,
        sort_keys=[
            ("generation", "descending"),
            ("committed_at", "descending"),
            ("commit_id", "ascending"),
        ],
    )
    table = table.take(order)
    if start is not None:
        keep = _reachable(table, start)
        if not keep.all():
            table = table.filter(pa.array(keep))
    return CommitLog(table)


def _reachable(table: pa.Table, start: str) -> npt.NDArray[np.bool_]:
    ids = table.column("commit_id")
    p1 = pc.fill_null(pc.index_in(table.column("parent_id"), value_set=ids), -1)
    p2 = pc.fill_null(pc.index_in(table.column("parent2_id"), value_set=ids), -1)
    first_parent = p1.to_numpy().tolist()
    second_parent = p2.to_numpy().tolist()
    seen = np.zeros(len(first_parent), dtype=bool)
    found = pc.index(ids, start).as_py()
    if found < 0:
        return seen
    stack = [found]
    while stack:
        i = stack.pop()
        if seen[i]:
            continue
        seen[i] = True
        if first_parent[i] >= 0:
            stack.append(first_parent[i])
        if second_parent[i] >= 0:
            stack.append(second_parent[i])
    return seen


def log_ids(conn: Connection, project_id: str, start: str | None) -> Sequence[str]:
    """Just the ids of :func:`load_log`."""
    return load_log(conn, project_id, start).ids
