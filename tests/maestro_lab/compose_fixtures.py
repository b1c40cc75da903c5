"""Inputs shared by the runtime tests: prompts, a backend that can drift, a lock holder."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import ClassVar

import jsonschema

from maestro_lab.runtime.events import MaestroEvent
from maestro_lab.runtime.protocol import event_schemas
from storpheus.backends.base import GenerationRequest, GenerationResult, MusicGeneratorBackend
from storpheus.backends.embedded import EmbeddedBackend

SMALL_PROMPT = """MAESTRO PROMPT
Mode: compose
Style: house
Key: Am
Role: [drums, bass, chords]
Constraints: {sections: {verse: 4, chorus: 4}, candidates: 4}
"""
"""Three roles, two four-bar sections, four candidates: a fast composition."""

FULL_PROMPT = """MAESTRO PROMPT
Mode: compose
Style: lofi
Key: Am
Role: [drums, bass, chords, melody]
Constraints: {sections: {verse: 8, chorus: 8}}
"""
"""The benchmark's shape: four roles, two eight-bar sections."""

_SCHEMAS = event_schemas()


def assert_valid_wire(events: list[MaestroEvent]) -> None:
    """Every event validates against the JSON Schema of its type."""
    for event in events:
        jsonschema.Draft202012Validator(_SCHEMAS[event.type]).validate(event.to_wire())


WOBBLE: dict[str, bool] = {"bass": False}
"""Set ``WOBBLE["bass"] = True`` to make :class:`WobblyBackend` drift on bass parts."""


class WobblyBackend(MusicGeneratorBackend):
    """The embedded backend, except that bass candidates move up a semitone when told to.

    Same name and version either way, so a reproduction runs and finds the drift.
    """

    name: ClassVar[str] = "wobbly"
    version: ClassVar[str] = "1"

    def __init__(self) -> None:
        self.inner = EmbeddedBackend()
        self.capabilities = self.inner.capabilities

    def generate(self, request: GenerationRequest) -> GenerationResult:
        result = self.inner.generate(request)
        if not (WOBBLE["bass"] and request.role == "bass"):
            return replace(result, backend_id=self.backend_id)
        moved = tuple(replace(c, notes=c.notes.transpose(1)) for c in result.candidates)
        return replace(result, candidates=moved, backend_id=self.backend_id)


@contextmanager
def lock_held(path: Path) -> Iterator[int]:
    """Another process holds ``path`` open for writing until the block ends; yields its PID."""
    code = textwrap.dedent(
        f"""
        import sys, time, duckdb
        con = duckdb.connect({str(path)!r})
        print("ready", flush=True)
        sys.stdin.readline()
        """
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "ready"
        yield holder.pid
    finally:
        if holder.stdin is not None:
            holder.stdin.close()
        holder.wait(timeout=30)
