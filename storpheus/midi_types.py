"""MIDI primitive ranges: the single source of truth.

Each range is defined once here, as a pair of bounds and as a pydantic
``Annotated`` alias. Pydantic models pick the constraint up from the alias;
the columnar arrays in :mod:`storpheus.notes` and :mod:`storpheus.events`
enforce the same bounds with :func:`check_column` when they are built.

=====================  ==============  ============================================
Alias                  Range           Use
=====================  ==============  ============================================
``MidiPitch``          0-127           MIDI note number
``MidiVelocity``       0-127           note velocity (0 = note-off)
``MidiChannel``        0-15            MIDI channel (drums = 9)
``MidiCC``             0-127           controller number
``MidiCCValue``        0-127           controller value
``MidiAftertouchValue`` 0-127          pressure value
``MidiPitchBend``      -8192-8191      14-bit signed bend, 0 = centre
``MidiGMProgram``      0-127           General MIDI program (0-indexed)
``MidiBPM``            20-300 (int)    tempo in beats per minute
``BeatPosition``       >= 0.0          note-level onset in beats
``BeatDuration``       > 0.0           note-level duration in beats
``ArrangementBeat``    >= 0 (int)      bar-aligned section offset in beats
``ArrangementDuration`` >= 1 (int)     section duration in beats
``Bars``               >= 1 (int)      bar count
=====================  ==============  ============================================
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Final

import numpy as np
import numpy.typing as npt
from pydantic import Field

from storpheus.errors import MidiRangeError

DRUM_CHANNEL: Final = 9
"""The General MIDI percussion channel (channel 10 in 1-based numbering)."""


@dataclass(frozen=True)
class Range:
    """Closed or half-open numeric bounds of one MIDI primitive.

    ``low``/``high`` are inclusive unless ``low_exclusive`` is set; ``None``
    means unbounded.
    """

    name: str
    low: float | None
    high: float | None = None
    low_exclusive: bool = False

    def describe(self, name: str | None = None) -> str:
        """Human-readable bounds, e.g. ``"0 <= pitch <= 127"`` (``name`` overrides the field)."""
        left = (
            "" if self.low is None else f"{_fmt(self.low)} {'<' if self.low_exclusive else '<='} "
        )
        right = "" if self.high is None else f" <= {_fmt(self.high)}"
        return f"{left}{name or self.name}{right}"


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


PITCH: Final = Range("pitch", 0, 127)
VELOCITY: Final = Range("velocity", 0, 127)
CHANNEL: Final = Range("channel", 0, 15)
CC_NUMBER: Final = Range("cc", 0, 127)
CC_VALUE: Final = Range("value", 0, 127)
AFTERTOUCH_VALUE: Final = Range("value", 0, 127)
PITCH_BEND: Final = Range("value", -8192, 8191)
GM_PROGRAM: Final = Range("program", 0, 127)
BPM: Final = Range("bpm", 20, 300)
BEAT_POSITION: Final = Range("start_beat", 0.0)
BEAT_DURATION: Final = Range("duration_beats", 0.0, low_exclusive=True)
BARS: Final = Range("bars", 1)

MidiPitch = Annotated[int, Field(ge=0, le=127, description="MIDI note number 0-127")]
MidiVelocity = Annotated[int, Field(ge=0, le=127, description="velocity 0-127 (0 = note-off)")]
MidiChannel = Annotated[int, Field(ge=0, le=15, description="MIDI channel 0-15 (drums = 9)")]
MidiCC = Annotated[int, Field(ge=0, le=127, description="controller number 0-127")]
MidiCCValue = Annotated[int, Field(ge=0, le=127, description="controller value 0-127")]
MidiAftertouchValue = Annotated[int, Field(ge=0, le=127, description="pressure 0-127")]
MidiPitchBend = Annotated[int, Field(ge=-8192, le=8191, description="pitch bend, 0 = centre")]
MidiGMProgram = Annotated[int, Field(ge=0, le=127, description="GM program 0-127")]
MidiBPM = Annotated[int, Field(ge=20, le=300, strict=False, description="tempo, integer BPM")]
BeatPosition = Annotated[float, Field(ge=0.0, allow_inf_nan=False, description="onset, beats")]
BeatDuration = Annotated[float, Field(gt=0.0, allow_inf_nan=False, description="length, beats")]
ArrangementBeat = Annotated[int, Field(ge=0, description="bar-aligned section offset, beats")]
ArrangementDuration = Annotated[int, Field(ge=1, description="section duration, beats")]
Bars = Annotated[int, Field(ge=1, description="bar count")]


def assert_range(value: float, bounds: Range) -> None:
    """Raise :class:`~storpheus.errors.MidiRangeError` if a scalar is out of bounds.

    Examples
    --------
    >>> assert_range(60, PITCH)
    >>> assert_range(128, PITCH)
    Traceback (most recent call last):
    ...
    storpheus.errors.MidiRangeError: pitch=128 is out of range: expected 0 <= pitch <= 127
    """
    if not _scalar_ok(value, bounds):
        raise MidiRangeError(bounds.name, value, bounds.describe())


def _scalar_ok(value: float, bounds: Range) -> bool:
    if value != value:  # NaN
        return False
    if bounds.low is not None and (
        value <= bounds.low if bounds.low_exclusive else value < bounds.low
    ):
        return False
    return not (bounds.high is not None and value > bounds.high)


def check_column(values: npt.NDArray[np.generic], bounds: Range, field: str | None = None) -> None:
    """Vectorised range check of one column; raises on the first bad value.

    NaN and infinities always fail. The error names the field, the value and
    its index.
    """
    if values.size == 0:
        return
    arr = values.astype(np.float64, copy=False)
    bad = ~np.isfinite(arr)
    if bounds.low is not None:
        bad |= (arr <= bounds.low) if bounds.low_exclusive else (arr < bounds.low)
    if bounds.high is not None:
        bad |= arr > bounds.high
    if bad.any():
        index = int(np.argmax(bad))
        raw = values[index].item()
        value = float(raw) if isinstance(raw, float) else int(raw)
        raise MidiRangeError(field or bounds.name, value, bounds.describe(field), index)
