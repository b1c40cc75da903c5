"""Typed exceptions raised by storpheus.

Every error names what is wrong and where: the field and the offending value
for range errors, the path and the reason for MIDI file errors.
"""

from __future__ import annotations

import os
from pathlib import Path


class StorpheusError(Exception):
    """Base class of every error storpheus raises on purpose."""


class MidiRangeError(StorpheusError, ValueError):
    """A MIDI value is outside its contract range.

    Subclasses :class:`ValueError` so callers that validate generically still
    catch it.

    Attributes
    ----------
    field:
        Name of the offending field (``"pitch"``, ``"velocity"``, ...).
    value:
        The first offending value found.
    index:
        Position of that value in its column, or ``None`` for a scalar.
    """

    def __init__(self, field: str, value: float, bounds: str, index: int | None = None) -> None:
        self.field = field
        self.value = value
        self.index = index
        where = f" at index {index}" if index is not None else ""
        super().__init__(f"{field}={value!r}{where} is out of range: expected {bounds}")


class MidiFileError(StorpheusError):
    """A MIDI file cannot be read or written.

    Attributes
    ----------
    path:
        The file concerned.
    reason:
        Why it failed, in plain words.
    """

    def __init__(self, path: str | os.PathLike[str], reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class GenerationError(StorpheusError):
    """Generation failed (base of the backend errors)."""


class InvalidRequestError(GenerationError, ValueError):
    """A generation request is invalid or unsupported by the backend.

    Attributes
    ----------
    field:
        The offending request field (``"role"``, ``"bars"``, ``"style"``...).
    value:
        Its value, as given.
    """

    def __init__(self, field: str, value: object, reason: str) -> None:
        self.field = field
        self.value = value
        super().__init__(f"{field}={value!r}: {reason}")


class BackendError(GenerationError):
    """A backend failed while generating (crash, dead service, bad response)."""

    def __init__(self, backend: str, reason: str) -> None:
        self.backend = backend
        self.reason = reason
        super().__init__(f"backend {backend!r} failed: {reason}")
