"""How the server runs: database, bind address, token and limits, in one value.

Example
-------
>>> config = ServerConfig(db="lab.duckdb")
>>> config.host, config.port, config.requires_token
('127.0.0.1', 10001, False)
>>> ServerConfig(db="lab.duckdb", host="0.0.0.0").check()
Traceback (most recent call last):
...
maestro_lab.server.errors.InsecureBindError: binding to '0.0.0.0' exposes ...
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from maestro_lab.server.errors import InsecureBindError

if TYPE_CHECKING:
    from maestro_lab.intent import IntentClassifier

TOKEN_ENV: Final = "MAESTRO_LAB_TOKEN"
"""Environment variable holding the bearer token when ``--token`` is not given."""

DEFAULT_PORT: Final = 10001
"""Port ``maestro-lab serve`` listens on by default."""


def is_loopback(host: str) -> bool:
    """Whether ``host`` is only reachable from this machine (``127.0.0.0/8``, ``::1``, localhost).

    Examples
    --------
    >>> [is_loopback(h) for h in ("127.0.0.1", "localhost", "::1", "0.0.0.0", "", "example.org")]
    [True, True, True, False, False, False]
    """
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class ServerConfig:
    """Everything the HTTP and MCP servers need besides the code.

    Parameters
    ----------
    db:
        The Muse DuckDB file every route reads and writes (created if missing).
    project:
        The Muse project requests use when they name none.
    host, port:
        Where uvicorn listens. A host beyond loopback requires ``token``.
    token:
        Bearer token checked on every route but ``/api/v1/health`` (on any host
        once given).
    max_body_bytes:
        Largest request body accepted (413 beyond).
    rate_per_second, burst:
        Per-client token bucket: sustained requests per second and the burst
        allowed on top (429 beyond).
    busy_timeout:
        Seconds a writing request waits for the database's writer slot before
        the busy answer (503).
    out:
        Folder for the MIDI file of each committed composition (``None``: none).
    classifier:
        An :class:`~maestro_lab.intent.IntentClassifier` asked about
        plain-language prompts the intent rules are unsure of (``None``: rules only).
    """

    db: str | os.PathLike[str]
    project: str = "default"
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    token: str | None = None
    max_body_bytes: int = 1 << 20
    rate_per_second: float = 20.0
    burst: int = 40
    busy_timeout: float = 30.0
    out: str | os.PathLike[str] | None = None
    classifier: IntentClassifier | None = None

    def __post_init__(self) -> None:
        if self.token is not None and not self.token.strip():
            raise ValueError("token must not be empty")
        for name in ("max_body_bytes", "burst"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"ServerConfig.{name}={value!r} must be an integer >= 1")
        for name in ("rate_per_second", "busy_timeout"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise ValueError(f"ServerConfig.{name}={value!r} must be a number > 0")
        if not 0 <= self.port <= 65535:
            raise ValueError(f"ServerConfig.port={self.port!r} must be in [0, 65535]")

    @property
    def requires_token(self) -> bool:
        """Whether requests must carry ``Authorization: Bearer <token>``."""
        return self.token is not None or not is_loopback(self.host)

    def check(self) -> ServerConfig:
        """Raise :class:`InsecureBindError` for a non-loopback host without a token; else self."""
        if not is_loopback(self.host) and self.token is None:
            raise InsecureBindError(self.host)
        return self


def token_from(explicit: str | None, environ: Mapping[str, str] | None = None) -> str | None:
    """The token to use: ``explicit`` if given, else :data:`TOKEN_ENV` if set and not empty.

    Examples
    --------
    >>> token_from(None, {"MAESTRO_LAB_TOKEN": "s3cret"}), token_from("cli", {})
    ('s3cret', 'cli')
    """
    if explicit is not None:
        return explicit
    value = (os.environ if environ is None else environ).get(TOKEN_ENV, "").strip()
    return value or None


__all__ = ["DEFAULT_PORT", "TOKEN_ENV", "ServerConfig", "is_loopback", "token_from"]
