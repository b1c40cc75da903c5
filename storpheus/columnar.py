"""Shared machinery of the immutable columnar event arrays.

A columnar array holds one read-only numpy array per field, all of the same
length, validated against the ranges of :mod:`storpheus.midi_types` when it is
built. :class:`~storpheus.notes.NoteArray` and the controller arrays of
:mod:`storpheus.events` are thin subclasses that declare their columns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar, Self

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa

from storpheus.midi_types import Range, check_column

ArrayLike = npt.ArrayLike
Column = npt.NDArray[np.generic]


@dataclass(frozen=True)
class ColumnSpec:
    """One field of a columnar array: its name, storage dtype and range."""

    name: str
    dtype: type[np.generic]
    bounds: Range | None
    default: float | None = None


class ColumnarArray:
    """Base class: immutable, validated struct-of-arrays.

    Subclasses set :attr:`COLUMNS` (the fields, in canonical order),
    :attr:`TIME_COLUMN` (the onset field used by slicing and shifting) and
    :attr:`SORT_KEYS` (the lexicographic sort order, most significant first).
    """

    COLUMNS: ClassVar[tuple[ColumnSpec, ...]]
    TIME_COLUMN: ClassVar[str]
    SORT_KEYS: ClassVar[tuple[str, ...]]

    __slots__ = ("_columns",)
    _columns: dict[str, Column]

    # ------------------------------------------------------------------ build
    def _build(self, raw: Mapping[str, ArrayLike | None], share: bool = False) -> None:
        columns: dict[str, Column] = {}
        length: int | None = None
        for spec in self.COLUMNS:
            given = raw.get(spec.name)
            if given is None:
                continue
            col = _as_column(given, spec, share)
            if length is None:
                length = col.shape[0]
            elif col.shape[0] != length:
                raise ValueError(
                    f"{type(self).__name__}: column {spec.name!r} has {col.shape[0]} values, "
                    f"expected {length} like the columns before it"
                )
            columns[spec.name] = col
        n = length or 0
        for spec in self.COLUMNS:
            if spec.name not in columns:
                if spec.default is None and n > 0:
                    raise ValueError(f"{type(self).__name__}: column {spec.name!r} is required")
                fill = 0 if spec.default is None else spec.default
                columns[spec.name] = np.full(n, fill, dtype=spec.dtype)
        for col in columns.values():
            if col.flags.writeable:
                col.flags.writeable = False
        object.__setattr__(self, "_columns", columns)

    @classmethod
    def _from_valid(cls, columns: Mapping[str, Column]) -> Self:
        """Wrap already-validated columns of the right dtype (internal fast path)."""
        obj = cls.__new__(cls)
        frozen: dict[str, Column] = {}
        for spec in cls.COLUMNS:
            col = np.ascontiguousarray(columns[spec.name], dtype=spec.dtype)
            if col.flags.writeable:
                col = col if col.base is None else col.copy()
                col.flags.writeable = False
            frozen[spec.name] = col
        object.__setattr__(obj, "_columns", frozen)
        return obj

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    # ------------------------------------------------------------- container
    def column(self, name: str) -> Column:
        """The read-only array of one field."""
        return self._columns[name]

    @property
    def columns(self) -> dict[str, Column]:
        """All fields as a new dict of read-only arrays, in canonical order."""
        return {spec.name: self._columns[spec.name] for spec in self.COLUMNS}

    def __len__(self) -> int:
        return int(self._columns[self.COLUMNS[0].name].shape[0])

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, ColumnarArray)
        return all(
            np.array_equal(self._columns[s.name], other._columns[s.name]) for s in self.COLUMNS
        )

    def __hash__(self) -> int:
        return hash(tuple(self._columns[s.name].tobytes() for s in self.COLUMNS))

    def __getitem__(self, index: slice | Sequence[int] | npt.NDArray[np.generic]) -> Self:
        """Select rows by slice, integer indices or a boolean mask."""
        return self._from_valid({k: v[index] for k, v in self._columns.items()})

    def __repr__(self) -> str:
        return f"{type(self).__name__}(n={len(self)})"

    # ------------------------------------------------------------ operations
    @classmethod
    def empty(cls) -> Self:
        """An array with no rows (one shared instance per class: it is immutable)."""
        cached = _EMPTY.get(cls)
        if cached is None:
            cached = cls._from_valid({s.name: np.empty(0, dtype=s.dtype) for s in cls.COLUMNS})
            _EMPTY[cls] = cached
        assert isinstance(cached, cls)
        return cached

    @classmethod
    def concat(cls, arrays: Sequence[Self]) -> Self:
        """Join arrays end to end (no re-sorting)."""
        if not arrays:
            return cls.empty()
        return cls._from_valid(
            {s.name: np.concatenate([a._columns[s.name] for a in arrays]) for s in cls.COLUMNS}
        )

    def sort(self) -> Self:
        """Rows in canonical order (stable lexicographic sort on :attr:`SORT_KEYS`)."""
        order = self.sort_order()
        return self[order]

    def sort_order(self) -> npt.NDArray[np.intp]:
        """Indices that put the rows in canonical order."""
        keys = [self._columns[k] for k in reversed(self.SORT_KEYS)]
        return np.lexsort(keys) if len(self) else np.empty(0, dtype=np.intp)

    def is_sorted(self) -> bool:
        """Whether the rows are already in canonical order."""
        order = self.sort_order()
        return bool(np.array_equal(order, np.arange(len(self))))

    def slice_beats(self, start: float, end: float) -> Self:
        """Rows whose onset lies in ``[start, end)``, times unchanged."""
        t = self._columns[self.TIME_COLUMN].astype(np.float64, copy=False)
        return self[(t >= start) & (t < end)]

    def shift(self, beats: float) -> Self:
        """Move every onset by ``beats``; raises if any onset would become negative."""
        cols = dict(self._columns)
        moved = cols[self.TIME_COLUMN].astype(np.float64) + beats
        spec = next(s for s in self.COLUMNS if s.name == self.TIME_COLUMN)
        assert spec.bounds is not None
        check_column(moved, spec.bounds, spec.name)
        cols[self.TIME_COLUMN] = moved
        return self._from_valid(cols)

    # ------------------------------------------------------------ interchange
    def to_pandas(self) -> pd.DataFrame:
        """A DataFrame with one column per field, sharing the buffers (zero-copy).

        The frame's columns are read-only views; pandas copies on write.
        """
        return pd.DataFrame(self.columns, copy=False)

    @classmethod
    def from_pandas(cls, frame: pd.DataFrame) -> Self:
        """Build from a DataFrame with the field names as columns (validated).

        The columns are copied once: a DataFrame can be modified in place
        later, and the array must not change with it. (:meth:`from_arrow`
        shares buffers instead, since Arrow memory is immutable.)
        """
        missing = [s.name for s in cls.COLUMNS if s.name not in frame and s.default is None]
        if missing:
            raise ValueError(f"{cls.__name__}.from_pandas: missing columns {missing}")
        obj = cls.__new__(cls)
        obj._build({s.name: frame[s.name].to_numpy() for s in cls.COLUMNS if s.name in frame})
        return obj

    def to_arrow(self) -> pa.Table:
        """An Arrow table sharing the numeric buffers (zero-copy)."""
        return pa.table({name: pa.array(col) for name, col in self.columns.items()})

    @classmethod
    def from_arrow(cls, table: pa.Table | pa.RecordBatch) -> Self:
        """Build from an Arrow table or batch (zero-copy when single-chunked, validated)."""
        names = set(table.schema.names)
        raw: dict[str, ArrayLike | None] = {}
        for spec in cls.COLUMNS:
            if spec.name not in names:
                if spec.default is None:
                    raise ValueError(f"{cls.__name__}.from_arrow: missing column {spec.name!r}")
                continue
            col = table.column(spec.name)
            if isinstance(col, pa.ChunkedArray):
                col = col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
            if col.null_count:
                raise ValueError(f"{cls.__name__}.from_arrow: column {spec.name!r} has nulls")
            raw[spec.name] = col.to_numpy(zero_copy_only=False)
        obj = cls.__new__(cls)
        obj._build(raw, share=True)  # Arrow buffers are immutable
        return obj


_EMPTY: dict[type[ColumnarArray], ColumnarArray] = {}


def _as_column(values: ArrayLike, spec: ColumnSpec, share: bool = False) -> Column:
    arr = np.asarray(values)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise ValueError(f"column {spec.name!r} must be one-dimensional, got shape {arr.shape}")
    if arr.dtype == object or arr.dtype.kind in "USb":
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"column {spec.name!r} holds non-numeric values") from exc
    if spec.bounds is not None:
        check_column(arr, spec.bounds, spec.name)
    if np.issubdtype(spec.dtype, np.integer) and arr.dtype.kind == "f":
        frac = arr != np.floor(arr)
        if frac.any():
            i = int(np.argmax(frac))
            raise ValueError(f"{spec.name}={arr[i].item()!r} at index {i} is not a whole number")
    if share and arr.dtype == spec.dtype and arr.flags.c_contiguous:
        return arr  # the caller vouches the buffer is immutable (Arrow): zero-copy
    return np.array(arr, dtype=spec.dtype, copy=True)
