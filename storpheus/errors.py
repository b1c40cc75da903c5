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


class MidiLossError(MidiFileError):
    """A MIDI file holds music a :class:`~storpheus.score.Score` cannot keep.

    Raised by a lossless read (``read_midi(path, lossless=True)``) instead of
    rounding a tempo or dropping tempo, meter or key changes or aftertouch.

    Attributes
    ----------
    losses:
        One plain sentence per thing that would be lost.
    """

    def __init__(self, path: str | os.PathLike[str], losses: list[str]) -> None:
        self.losses = list(losses)
        super().__init__(path, "reading it would change the music: " + "; ".join(self.losses))


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


class BackendUnavailable(BackendError):  # noqa: N818 - the name the backend contract uses
    """A remote backend could not be reached or kept failing (retries spent, breaker open).

    Attributes
    ----------
    space:
        The service asked (a Gradio Space name or URL).
    cause:
        The last failure, in plain words.
    attempts:
        Calls made before giving up (0 when the circuit breaker refused at once).
    breaker_state:
        The circuit breaker's state when giving up (``"closed"``, ``"open"``, ``"half_open"``).
    """

    def __init__(
        self, backend: str, space: str, cause: str, *, attempts: int = 0, breaker_state: str = ""
    ) -> None:
        self.space = space
        self.cause = cause
        self.attempts = attempts
        self.breaker_state = breaker_state
        state = f", breaker {breaker_state}" if breaker_state else ""
        super().__init__(
            backend, f"space {space!r} unavailable after {attempts} attempts{state}: {cause}"
        )


# ---------------------------------------------------------------- music theory
class TheoryError(StorpheusError, ValueError):
    """A music-theory value (note, key, chord) cannot be understood."""


class KeyParseError(TheoryError):
    """A key name such as ``"F# minor"`` cannot be parsed.

    Attributes
    ----------
    text:
        The key name as given.
    reason:
        Why it was refused, in plain words.
    """

    def __init__(self, text: object, reason: str) -> None:
        self.text = text
        self.reason = reason
        super().__init__(f"key {text!r}: {reason}")


class ChordParseError(TheoryError):
    """A chord symbol such as ``"Am7"`` cannot be parsed.

    Attributes
    ----------
    symbol:
        The chord symbol as given.
    reason:
        Why it was refused, in plain words.
    """

    def __init__(self, symbol: object, reason: str) -> None:
        self.symbol = symbol
        self.reason = reason
        super().__init__(f"chord {symbol!r}: {reason}")


class KeyEstimationError(TheoryError):
    """No key can be estimated (no pitched notes, or no tonal centre at all)."""


# --------------------------------------------------------------------- scoring
class ScoringError(StorpheusError):
    """Scoring failed (base of the scoring errors)."""


class InvalidScoringParamsError(ScoringError, ValueError):
    """A scoring parameter is invalid.

    Attributes
    ----------
    field:
        The offending parameter (``"bars"``, ``"target_key"``, ``"weights"``...).
    value:
        Its value, as given.
    """

    def __init__(self, field: str, value: object, reason: str) -> None:
        self.field = field
        self.value = value
        super().__init__(f"{field}={value!r}: {reason}")


class MetricParameterError(ScoringError, ValueError):
    """A metric was called with an invalid parameter (mode, meter, resolution...).

    Attributes
    ----------
    metric:
        The metric's name.
    parameter:
        The offending parameter.
    value:
        Its value, as given.
    """

    def __init__(self, metric: str, parameter: str, value: object, reason: str) -> None:
        self.metric = metric
        self.parameter = parameter
        self.value = value
        super().__init__(f"{metric}: {parameter}={value!r} {reason}")


class InvalidCandidateError(ScoringError, ValueError):
    """A candidate given to a scorer cannot be read as notes.

    Attributes
    ----------
    index:
        The candidate's position in the batch.
    reason:
        Why, in plain words (the underlying validation message).
    """

    def __init__(self, index: int, reason: str) -> None:
        self.index = index
        self.reason = reason
        super().__init__(f"candidate {index}: {reason}")


class DimensionError(ScoringError):
    """A score dimension (often a user function) failed or returned a bad value.

    Attributes
    ----------
    dimension:
        The dimension's name.
    index:
        The candidate concerned, or ``None`` for the whole batch.
    reason:
        What went wrong.
    """

    def __init__(self, dimension: str, reason: str, index: int | None = None) -> None:
        self.dimension = dimension
        self.index = index
        self.reason = reason
        where = f" on candidate {index}" if index is not None else ""
        super().__init__(f"dimension {dimension!r}{where}: {reason}")


class SamplingError(GenerationError):
    """Rejection sampling could not produce a result (e.g. no valid candidate)."""


# ----------------------------------------------------------------- postprocess
class PostProcessError(StorpheusError, ValueError):
    """A post-processing step is misconfigured or cannot be applied.

    Attributes
    ----------
    step:
        The step's name (``"quantize"``, ``"swing"``...).
    reason:
        What is wrong.
    """

    def __init__(self, step: str, reason: str) -> None:
        self.step = step
        self.reason = reason
        super().__init__(f"post-processing step {step!r}: {reason}")


class SeedNotFoundError(StorpheusError, LookupError):
    """The seed library holds no primer phrase for a style and role.

    Attributes
    ----------
    style:
        The style asked for.
    role:
        The role asked for.
    """

    def __init__(self, style: str, role: str, reason: str) -> None:
        self.style = style
        self.role = role
        super().__init__(f"no seed for style={style!r}, role={role!r}: {reason}")
