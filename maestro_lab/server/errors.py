"""Typed errors of the server: busy writer, unsafe bind, cancelled run."""

from __future__ import annotations

from maestro_lab.errors import MaestroLabError


class ServerError(MaestroLabError):
    """Base class of the errors the server raises on purpose."""


class WriterBusyError(ServerError):
    """Another request holds the database's writer slot longer than the wait allows.

    Attributes
    ----------
    db:
        The database file.
    waited:
        Seconds this request waited.
    """

    def __init__(self, db: str, waited: float) -> None:
        self.db = db
        self.waited = waited
        super().__init__(
            f"the database {db} is busy: another run is writing it and the slot did not "
            f"free within {waited:g} s; retry later"
        )


class InsecureBindError(ServerError, ValueError):
    """The server would listen beyond loopback without a bearer token."""

    def __init__(self, host: str) -> None:
        self.host = host
        super().__init__(
            f"binding to {host!r} exposes the server beyond this machine: give a bearer token "
            "with --token or the MAESTRO_LAB_TOKEN environment variable"
        )


class RunCancelledError(ServerError):
    """The client went away, so its run stopped before committing anything."""

    def __init__(self, run_id: str) -> None:
        self.run_id = run_id
        super().__init__(f"run {run_id} was cancelled: the client disconnected before the commit")


__all__ = ["InsecureBindError", "RunCancelledError", "ServerError", "WriterBusyError"]
