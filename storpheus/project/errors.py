"""The typed error of the project model."""

from __future__ import annotations

from storpheus.errors import StorpheusError


class ProjectStateError(StorpheusError, ValueError):
    """A project state is invalid (duplicate id, region on a missing track...).

    Muse re-exports this class as ``muse_duckdb.errors.ProjectStateError``.

    Attributes
    ----------
    field:
        Where the problem is (``"regions[3].track_id"``, ``"tracks"``...).
    value:
        The offending value.
    reason:
        What is wrong with it.
    """

    def __init__(self, field: str, value: object, reason: str) -> None:
        self.field = field
        self.value = value
        self.reason = reason
        super().__init__(f"{field}={value!r}: {reason}")
