"""ASGI guards in front of every route: per-client rate limit, bearer token, body size.

Each guard is a plain ASGI middleware answering with a small JSON error
(``{"error": {"code", "message"}}``) before the request reaches a route:

* :class:`RateLimit` — a token bucket per client address (429, ``Retry-After``);
* :class:`BearerAuth` — ``Authorization: Bearer <token>`` on every path but the
  open ones (401, ``WWW-Authenticate: Bearer``), compared in constant time;
* :class:`BodyLimit` — a declared ``Content-Length`` over the limit is refused at
  once, and a streamed body is cut off as soon as it passes the limit: the client
  gets 413 and the route sees a disconnect.
"""

from __future__ import annotations

import hmac
import json
import math
import threading
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEALTH_PATH = "/api/v1/health"
"""The one route open without a token (load balancers and probes)."""


async def send_error(
    send: Send,
    status: int,
    code: str,
    message: str,
    headers: Iterable[tuple[bytes, bytes]] = (),
) -> None:
    """Send a complete JSON error response."""
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class RateLimit:
    """Token bucket per client address: ``rate`` requests per second, ``burst`` at once.

    Parameters
    ----------
    app:
        The wrapped application.
    rate:
        Sustained requests per second per client.
    burst:
        Requests a client may make at once on top of the sustained rate.
    exempt:
        Paths never limited.
    """

    def __init__(
        self, app: ASGIApp, *, rate: float, burst: int, exempt: frozenset[str] = frozenset()
    ) -> None:
        self.app = app
        self.rate = float(rate)
        self.burst = float(burst)
        self.exempt = exempt
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, client: str, now: float | None = None) -> float:
        """Take one token for ``client``: 0 if allowed, else the seconds until one is free."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, stamp = self._buckets.get(client, (self.burst, now))
            tokens = min(self.burst, tokens + (now - stamp) * self.rate)
            if tokens >= 1.0:
                self._buckets[client] = (tokens - 1.0, now)
                return 0.0
            self._buckets[client] = (tokens, now)
            if len(self._buckets) > 10_000:  # forget idle clients (their buckets are full)
                full = [
                    k for k, (t, s) in self._buckets.items() if now - s > self.burst / self.rate
                ]
                for key in full:
                    del self._buckets[key]
            return (1.0 - tokens) / self.rate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer 429 when the client's bucket is empty, else pass the request on."""
        if scope["type"] != "http" or scope["path"] in self.exempt:
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        wait = self.take(str(client[0]) if client else "unknown")
        if wait > 0:
            retry = str(max(1, math.ceil(wait))).encode()
            await send_error(
                send,
                429,
                "RateLimited",
                f"too many requests: at most {self.rate:g}/s (burst {self.burst:g}) per client",
                [(b"retry-after", retry)],
            )
            return
        await self.app(scope, receive, send)


class BearerAuth:
    """Require ``Authorization: Bearer <token>`` on every HTTP path but ``open_paths``."""

    def __init__(
        self, app: ASGIApp, *, token: str, open_paths: frozenset[str] = frozenset({HEALTH_PATH})
    ) -> None:
        self.app = app
        self._expected = f"Bearer {token}".encode()
        self.open_paths = open_paths

    def allows(self, header: bytes | None) -> bool:
        """Whether an ``Authorization`` header value carries the token."""
        return header is not None and hmac.compare_digest(header.strip(), self._expected)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer 401 unless the request carries the token (or its path is open)."""
        if scope["type"] != "http" or scope["path"] in self.open_paths:
            await self.app(scope, receive, send)
            return
        header = next((v for k, v in scope["headers"] if k.lower() == b"authorization"), None)
        if not self.allows(header):
            await send_error(
                send,
                401,
                "Unauthorized",
                "a bearer token is required: send 'Authorization: Bearer <token>'",
                [(b"www-authenticate", b'Bearer realm="maestro-lab"')],
            )
            return
        await self.app(scope, receive, send)


class BodyLimit:
    """Refuse request bodies larger than ``limit`` bytes with 413."""

    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        self.app = app
        self.limit = int(limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer 413 for a body over the limit, declared or streamed."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = next((v for k, v in scope["headers"] if k.lower() == b"content-length"), None)
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self._refuse(send)
            return
        seen = 0
        started = refused = False

        async def counted_receive() -> Message:
            nonlocal seen, refused
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit and not refused:
                    refused = True
                    if not started:
                        await self._refuse(send)
                    return {"type": "http.disconnect"}
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            if refused:  # the 413 went out; whatever the app answers is dropped
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, counted_receive, watched_send)

    async def _refuse(self, send: Send) -> None:
        await send_error(send, 413, "BodyTooLarge", f"the request body exceeds {self.limit} bytes")


__all__ = [
    "HEALTH_PATH",
    "BearerAuth",
    "BodyLimit",
    "RateLimit",
    "send_error",
]
