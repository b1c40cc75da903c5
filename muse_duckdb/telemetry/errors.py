"""Typed exceptions of telemetry (subclasses of :class:`~muse_duckdb.errors.MuseError`)."""

from __future__ import annotations

from muse_duckdb.errors import MuseError


class TelemetryError(MuseError):
    """Base class of every error telemetry raises on purpose."""


class TelemetryBatchError(TelemetryError, ValueError):
    """A telemetry batch is malformed: a missing column, a duplicate key, a dangling reference.

    Attributes
    ----------
    table:
        The batch table at fault (``"candidates"``, ``"metrics"``...).
    reason:
        What is wrong, naming the column or the offending id.
    """

    def __init__(self, table: str, reason: str) -> None:
        self.table = table
        self.reason = reason
        super().__init__(f"telemetry batch, table {table!r}: {reason}")


class UnknownRunError(TelemetryError, LookupError):
    """A run id that the telemetry tables do not hold."""

    def __init__(self, run_id: str, known: tuple[str, ...] = ()) -> None:
        self.run_id = run_id
        self.known = known
        shown = ", ".join(map(repr, known[:5])) + (" ..." if len(known) > 5 else "")
        hint = f"; recorded runs: {shown}" if known else "; no runs are recorded"
        super().__init__(f"unknown run {run_id!r}{hint}")

    def __str__(self) -> str:  # LookupError would quote the message otherwise
        return str(self.args[0])


class TelemetryWriteError(TelemetryError):
    """The database refused a telemetry write (read-only, locked, or not migrated).

    Attributes
    ----------
    path:
        The database.
    reason:
        Why, in plain words.
    """

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: cannot record telemetry: {reason}")
