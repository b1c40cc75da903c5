"""The HTTP server: the composition stream, variations, history, protocol and MCP at ``/mcp``.

=========================================  =========================================
route                                      what it does
=========================================  =========================================
``POST /maestro/stream``                   compose; ``text/event-stream``, one
                                           ``data: {event}`` frame per event
``GET  /api/v1/health``                    liveness, versions, writer queue (no token)
``GET  /api/v1/protocol``                  event and tool JSON Schemas, protocol hash
``POST /api/v1/variations``                run a prompt and stage its variation
``POST /api/v1/variations/{id}/accept``    commit all or some of its phrases
``POST /api/v1/variations/{id}/discard``   drop it
``GET  /api/v1/log``                       commits from ``ref``, newest first
``GET  /api/v1/commits/{ref}``             one commit and its diff
``GET  /api/v1/diff``                      differences between refs ``a`` and ``b``
``/mcp``                                   the MCP tools over streamable HTTP
=========================================  =========================================

Every route that opens the database shares one
:class:`~maestro_lab.server.writer.WriterQueue` with the MCP tools: one run
or read at a time per database, others queue and get 503 past the busy
timeout (within one process, Muse cannot attach a file for reading while a
writer has it attached, and a read that got there first would make the
writer's commit fail). A stream whose client disconnects cancels its run before the
commit, so HEAD does not move. Failures are JSON ``{"error": {"code",
"message"}}`` with a status that says whose fault it is (422 bad input, 404
unknown ref, 409 conflicting history, 503 busy, 500 a bug).

Example
-------
>>> from maestro_lab.server import ServerConfig, create_app   # doctest: +SKIP
>>> app = create_app(ServerConfig(db="lab.duckdb"))             # doctest: +SKIP
>>> import uvicorn; uvicorn.run(app, host="127.0.0.1", port=10001)  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

import anyio
from pydantic import Field, JsonValue

from maestro_lab.errors import MaestroLabError
from maestro_lab.runtime.events import PROTOCOL_VERSION, MaestroEvent
from maestro_lab.server.config import ServerConfig, is_loopback
from maestro_lab.server.errors import WriterBusyError
from maestro_lab.server.extras import require_serve
from maestro_lab.server.guards import HEALTH_PATH, BearerAuth, BodyLimit, RateLimit
from maestro_lab.server.history import diff_json, log_json, show_json
from maestro_lab.server.mcp_server import MaestroTools, build_mcp_server
from maestro_lab.server.runs import ComposeJob, ComposeRequest, prepare_request
from maestro_lab.server.writer import WriterQueue
from maestro_lab.wire import CamelModel, JSONObject
from storpheus import __version__

if TYPE_CHECKING:
    from fastapi import FastAPI
    from starlette.types import Receive, Scope, Send

    from maestro_lab.intent import IntentClassifier
    from maestro_lab.runtime.commit import PendingComposition

MAX_PENDING = 32
"""Staged variations kept per server; the oldest is dropped past this."""

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1", "[::1]")
"""``Host`` header names a server bound to loopback answers to."""


class AcceptRequest(CamelModel):
    """Body of ``POST /api/v1/variations/{id}/accept``."""

    phrase_ids: list[str] | None = Field(
        default=None, max_length=10_000, description="phrases to commit (default: all)"
    )


def error_status(exc: BaseException) -> int:
    """The HTTP status of an error: whose fault it is.

    Examples
    --------
    >>> from maestro_lab.errors import NothingToComposeError
    >>> error_status(NothingToComposeError("empty")), error_status(RuntimeError("bug"))
    (422, 500)
    """
    from muse_duckdb.errors import MuseError, RepositoryLockedError

    if isinstance(exc, WriterBusyError | RepositoryLockedError):
        return 503
    if isinstance(exc, MaestroLabError):  # the request's own input (prompt, backend...)
        return 422
    if isinstance(exc, LookupError):  # an unknown ref, commit or staged variation
        return 404
    if isinstance(exc, MuseError):  # history that refuses the change (stale base...)
        return 409
    if isinstance(exc, ValueError):
        return 422
    return 500


def error_body(exc: BaseException) -> JSONObject:
    """``{"error": {"code", "message"}}`` of an error."""
    return {"error": {"code": type(exc).__name__, "message": str(exc) or type(exc).__name__}}


def sse_frame(event_json: str, seq: int) -> bytes:
    r"""One server-sent-events frame: ``id: <seq>`` and ``data: <event JSON>`` (one line).

    Examples
    --------
    >>> sse_frame('{"type":"status"}', 3)
    b'id: 3\ndata: {"type":"status"}\n\n'
    """
    return f"id: {seq}\ndata: {event_json}\n\n".encode()


def wire_json(event: MaestroEvent) -> str:
    r"""The event's wire JSON in one line (``to_wire()`` content; keys in field order).

    Examples
    --------
    >>> from maestro_lab.runtime.events import StatusEvent
    >>> text = wire_json(StatusEvent(message="hi").model_copy(update={"seq": 4}))
    >>> import json; json.loads(text)["seq"], "\n" in text
    (4, False)
    """
    if event.seq < 0:
        event.to_wire()  # raises: an event is framed only once the stream numbered it
    return event.model_dump_json(by_alias=True)


def _event_stream_response(job: ComposeJob) -> object:
    """A ``text/event-stream`` response of ``job``'s events that cancels it on disconnect."""
    from starlette.responses import StreamingResponse

    async def frames() -> AsyncIterator[bytes]:
        async for batch in job.batches():  # pydantic's own JSON: twice as fast as to_json()
            yield b"".join(sse_frame(wire_json(event), event.seq) for event in batch)

    class EventStreamResponse(StreamingResponse):
        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            try:
                async with anyio.create_task_group() as group:

                    async def watch() -> None:
                        while (await receive())["type"] != "http.disconnect":
                            pass
                        job.cancel()
                        group.cancel_scope.cancel()

                    group.start_soon(watch)
                    with contextlib.suppress(OSError):  # the client went away mid-send
                        await self.stream_response(send)
                    group.cancel_scope.cancel()
            finally:
                job.cancel()  # a no-op once the run has ended

    return EventStreamResponse(
        frames(),
        media_type="text/event-stream",
        headers={"cache-control": "no-cache", "x-accel-buffering": "no"},
    )


def create_app(
    config: ServerConfig,
    *,
    writer: WriterQueue | None = None,
    classifier: IntentClassifier | None = None,
) -> FastAPI:
    """The FastAPI application serving ``config``'s database (see the module docstring).

    ``classifier`` (an :class:`~maestro_lab.intent.IntentClassifier`, e.g. an
    LLM client) is asked about plain-language prompts the intent rules are
    unsure of, on the HTTP and MCP routes alike; it replaces
    ``config.classifier``.

    Raises
    ------
    MissingExtraError
        FastAPI, uvicorn or the MCP SDK is missing (``pip install 'maestro-lab[serve]'``).
    InsecureBindError
        ``config.host`` is beyond loopback and no token is set.
    """
    require_serve()
    if classifier is not None:
        config = dataclasses.replace(config, classifier=classifier)
    config.check()
    from fastapi import FastAPI, Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse
    from mcp.server.streamable_http_manager import (
        StreamableHTTPASGIApp,
        StreamableHTTPSessionManager,
    )
    from mcp.server.transport_security import TransportSecuritySettings
    from starlette.middleware.trustedhost import TrustedHostMiddleware
    from starlette.responses import Response
    from starlette.routing import Route

    writer = writer or WriterQueue(config.busy_timeout)
    tools = MaestroTools(config, writer)
    repo = tools.repo
    security = None
    if is_loopback(config.host):
        security = TransportSecuritySettings(
            enable_dns_rebinding_protection=True,
            allowed_hosts=["127.0.0.1:*", "localhost:*", "[::1]:*"],
            allowed_origins=["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"],
        )
    sessions = StreamableHTTPSessionManager(
        app=build_mcp_server(tools),
        security_settings=security,
        max_request_body_size=config.max_body_bytes,
    )
    pending: OrderedDict[str, PendingComposition] = OrderedDict()
    streaming: dict[str, ComposeJob] = {}

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        async with sessions.run():
            yield

    app = FastAPI(
        title="Maestro Lab",
        version=__version__,
        description="Compose MIDI from a MAESTRO PROMPT; events stream as they happen.",
        lifespan=lifespan,
    )
    app.state.config = config
    app.state.writer = writer

    async def on_error(_request: Request, exc: Exception) -> Response:
        headers = {"retry-after": "1"} if error_status(exc) == 503 else None
        return JSONResponse(error_body(exc), status_code=error_status(exc), headers=headers)

    async def on_invalid(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        problems = [
            f"{'.'.join(str(p) for p in e['loc'] if p != 'body') or 'body'}: {e['msg']}"
            for e in exc.errors()
        ]
        body = {"error": {"code": "InvalidRequest", "message": "; ".join(problems)}}
        return JSONResponse(body, status_code=422)

    from muse_duckdb.errors import MuseError

    app.add_exception_handler(RequestValidationError, on_invalid)
    # expected failures are answered here; anything else is a bug (500, logged by uvicorn)
    for expected in (MaestroLabError, MuseError, ValueError, LookupError):
        app.add_exception_handler(expected, on_error)
    app.add_exception_handler(Exception, on_error)

    @app.get(HEALTH_PATH)
    async def health() -> JSONObject:
        state: JSONObject = dict(writer.status(config.db))
        return {
            "status": "ok",
            "version": __version__,
            "protocolVersion": PROTOCOL_VERSION,
            "project": config.project,
            "writer": state,
            "streams": {
                "running": len(streaming),
                "cancelling": sum(job.cancelled for job in streaming.values()),
            },
            "auth": config.requires_token,
        }

    @app.get("/api/v1/protocol")
    async def protocol() -> JSONObject:
        from maestro_lab.runtime.protocol import protocol_snapshot

        return await anyio.to_thread.run_sync(protocol_snapshot)

    @app.post("/maestro/stream", response_model=None)
    async def stream(body: ComposeRequest) -> object:
        slot = await writer.acquire(config.db, holder="stream")
        try:
            prepared = await anyio.to_thread.run_sync(prepare_request, config, body)
        except BaseException:
            slot.release()
            raise
        loop = asyncio.get_running_loop()

        def done() -> None:  # in the run's thread, once it has ended
            slot.release()
            with contextlib.suppress(RuntimeError):  # the loop is closed
                loop.call_soon_threadsafe(streaming.pop, prepared.run_id, None)

        job = ComposeJob(
            lambda events: prepared.execute(events, accept=True), prepared.run_id, loop, done
        )
        streaming[prepared.run_id] = job
        return _event_stream_response(job.start())

    @app.post("/api/v1/variations")
    async def propose(body: ComposeRequest) -> JSONObject:
        def run() -> PendingComposition:
            from maestro_lab.runtime.commit import PendingComposition

            outcome = prepare_request(config, body).execute(accept=False)
            assert isinstance(outcome, PendingComposition)
            return outcome

        async with writer.slot(config.db, holder="propose"):
            staged = await anyio.to_thread.run_sync(run)
        variation_id = staged.variation.variation_id
        pending[variation_id] = staged
        while len(pending) > MAX_PENDING:
            pending.popitem(last=False)
        phrases: list[JsonValue] = [e.to_wire() for e in staged.stream.events if e.type == "phrase"]
        return {
            "variationId": variation_id,
            "runId": staged.run_id,
            "baseCommitId": staged.variation.base_commit_id,
            "phraseIds": list(staged.phrase_ids),
            "phrases": phrases,
        }

    def staged(variation_id: str) -> PendingComposition:
        found = pending.get(variation_id)
        if found is None:
            raise LookupError(
                f"no staged variation {variation_id!r} (accepted, discarded or unknown)"
            )
        return found

    @app.post("/api/v1/variations/{variation_id}/accept")
    async def accept(variation_id: str, body: AcceptRequest | None = None) -> JSONObject:
        chosen = staged(variation_id)
        phrase_ids = None if body is None else body.phrase_ids
        async with writer.slot(config.db, holder="accept"):
            result = await anyio.to_thread.run_sync(chosen.accept, phrase_ids)
        pending.pop(variation_id, None)
        accepted: list[JsonValue] = list(chosen.phrase_ids if phrase_ids is None else phrase_ids)
        return {
            "variationId": variation_id,
            "commitId": result.commit_id,
            "snapshotId": result.snapshot_id,
            "acceptedPhraseIds": accepted,
        }

    @app.post("/api/v1/variations/{variation_id}/discard")
    async def discard(variation_id: str) -> JSONObject:
        chosen = staged(variation_id)
        async with writer.slot(config.db, holder="discard"):
            await anyio.to_thread.run_sync(chosen.discard)
        pending.pop(variation_id, None)
        return {"variationId": variation_id, "discarded": True}

    @app.get("/api/v1/log")
    async def log(ref: str = "HEAD", limit: int = 50) -> JSONObject:
        async with writer.slot(config.db, holder="log"):
            return await anyio.to_thread.run_sync(log_json, repo, ref, limit)

    @app.get("/api/v1/commits/{ref}")
    async def show(ref: str) -> JSONObject:
        async with writer.slot(config.db, holder="show"):
            return await anyio.to_thread.run_sync(show_json, repo, ref)

    @app.get("/api/v1/diff")
    async def diff(a: str = "HEAD~1", b: str = "HEAD") -> JSONObject:
        async with writer.slot(config.db, holder="diff"):
            return await anyio.to_thread.run_sync(diff_json, repo, a, b)

    app.router.routes.append(Route("/mcp", endpoint=StreamableHTTPASGIApp(sessions)))
    # the last added middleware is the outermost: host, rate limit, token, body size
    app.add_middleware(BodyLimit, limit=config.max_body_bytes)
    if config.token is not None:
        app.add_middleware(BearerAuth, token=config.token)
    app.add_middleware(
        RateLimit,
        rate=config.rate_per_second,
        burst=config.burst,
        exempt=frozenset({HEALTH_PATH}),
    )
    if is_loopback(config.host):  # a page on another site must not reach us by DNS rebinding
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(LOOPBACK_NAMES))
    return app


def serve(config: ServerConfig, *, log_level: str = "warning") -> None:
    """Run the server with uvicorn until interrupted (``maestro-lab serve``)."""
    require_serve()
    import uvicorn

    app = create_app(config)
    uvicorn.run(app, host=config.host, port=config.port, log_level=log_level)


@contextlib.contextmanager
def serve_in_thread(
    app: object, *, host: str = "127.0.0.1", port: int = 0, timeout: float = 20.0
) -> Iterator[str]:
    """Run ``app`` with uvicorn in a background thread; yields its base URL, stops on exit.

    For notebooks, tests and benchmarks. Binds ``host`` (loopback by default)
    on ``port`` (0: a free port the system picks, read back once listening).
    """
    require_serve()
    import uvicorn

    server = uvicorn.Server(
        uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on")  # type: ignore[arg-type]
    )
    thread = threading.Thread(target=server.run, name="maestro-lab-serve", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"the server did not start on {host}:{port} within {timeout} s")
        time.sleep(0.01)
    bound: int = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://{host}:{bound}"
    finally:
        server.should_exit = True
        thread.join(timeout)


__all__ = [
    "LOOPBACK_NAMES",
    "MAX_PENDING",
    "AcceptRequest",
    "create_app",
    "error_body",
    "error_status",
    "serve",
    "serve_in_thread",
    "sse_frame",
    "wire_json",
]
