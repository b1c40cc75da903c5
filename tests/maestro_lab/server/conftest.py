"""Inputs of the server tests: a small prompt, a gated backend, a live server on loopback."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import ClassVar

import httpx
import jsonschema
import pytest
from httpx_sse import connect_sse

from maestro_lab import register_backend
from maestro_lab.runtime.backends_registry import unregister_backend
from maestro_lab.runtime.protocol import event_schemas
from maestro_lab.server import ServerConfig, create_app, serve_in_thread
from storpheus.backends.base import GenerationRequest, GenerationResult, MusicGeneratorBackend
from storpheus.backends.embedded import EmbeddedBackend

SMALL_PROMPT = """MAESTRO PROMPT
Mode: compose
Style: house
Key: Am
Role: [drums, bass, chords]
Constraints: {sections: {verse: 4, chorus: 4}, candidates: 4}
"""
"""Three roles, two four-bar sections, four candidates: about 0.1 s of composing."""

SCHEMAS = event_schemas()
"""Wire JSON Schema of every event type, from the protocol module."""

GATE = threading.Event()
"""While clear, :class:`GatedBackend` blocks each generation (up to 20 s)."""

GENERATING = threading.Event()
"""Set by :class:`GatedBackend` when a generation is waiting at the gate."""


class GatedBackend(MusicGeneratorBackend):
    """The embedded backend, except that each generation waits for :data:`GATE`."""

    name: ClassVar[str] = "gated"
    version: ClassVar[str] = "1"

    def __init__(self) -> None:
        self.inner = EmbeddedBackend()
        self.capabilities = self.inner.capabilities

    def generate(self, request: GenerationRequest) -> GenerationResult:
        GENERATING.set()
        GATE.wait(20)
        result = self.inner.generate(request)
        return replace(result, backend_id=self.backend_id)


@pytest.fixture
def gated() -> Iterator[threading.Event]:
    """Register the ``gated`` backend with its gate closed; opens it and unregisters after."""
    GATE.clear()
    GENERATING.clear()
    register_backend("gated", GatedBackend, replace=True)
    try:
        yield GATE
    finally:
        GATE.set()
        unregister_backend("gated")


Serve = Callable[..., str]


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Serve]:
    """Start servers on 127.0.0.1 (free ports) for the test: ``serve(**config) -> base URL``."""
    with contextlib.ExitStack() as stack:

        def start(**options: object) -> str:
            options.setdefault("db", tmp_path / "serve.duckdb")
            app = create_app(ServerConfig(**options))  # type: ignore[arg-type]
            return stack.enter_context(serve_in_thread(app))

        yield start


def read_stream(url: str, body: dict[str, object], **headers: str) -> list[dict[str, object]]:
    """POST ``body`` to ``/maestro/stream`` and return every event of the SSE stream."""
    with (
        httpx.Client(base_url=url, timeout=60, headers=headers) as client,
        connect_sse(client, "POST", "/maestro/stream", json=body) as source,
    ):
        source.response.raise_for_status()
        assert source.response.headers["content-type"].startswith("text/event-stream")
        return [json.loads(sse.data) for sse in source.iter_sse()]


def assert_protocol(events: list[dict[str, object]]) -> None:
    """Each frame validates against its schema; seq 0, 1, 2...; state first, complete last."""
    for event in events:
        jsonschema.Draft202012Validator(SCHEMAS[str(event["type"])]).validate(event)
    assert [e["seq"] for e in events] == list(range(len(events)))
    assert events[0]["type"] == "state"
    assert events[-1]["type"] == "complete"
