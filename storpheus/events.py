"""Columnar controller events: CC, pitch bend and aftertouch.

All three share the machinery of :class:`~storpheus.columnar.ColumnarArray`:
validated at construction, immutable, sortable, sliceable by beat range and
convertible to pandas and Arrow without copying.

Example
-------
>>> from storpheus.events import ControlChangeArray
>>> sustain = ControlChangeArray(number=[64, 64], value=[127, 0], beat=[0.0, 3.5])
>>> sustain.slice_beats(0, 1).value.tolist()
[127]
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import numpy.typing as npt

from storpheus import midi_types as mt
from storpheus.columnar import ArrayLike, ColumnarArray, ColumnSpec
from storpheus.notes import _broadcast

CHANNEL_PRESSURE = -1
"""Value of :attr:`AftertouchArray.pitch` for channel (not polyphonic) pressure."""


class ControlChangeArray(ColumnarArray):
    """Control Change events (``number`` 0-127, ``value`` 0-127, ``beat`` >= 0)."""

    COLUMNS: ClassVar[tuple[ColumnSpec, ...]] = (
        ColumnSpec("number", np.uint8, mt.Range("cc", 0, 127)),
        ColumnSpec("value", np.uint8, mt.CC_VALUE),
        ColumnSpec("beat", np.float64, mt.Range("beat", 0.0)),
    )
    TIME_COLUMN: ClassVar[str] = "beat"
    SORT_KEYS: ClassVar[tuple[str, ...]] = ("beat", "number", "value")
    __slots__ = ()

    def __init__(self, number: ArrayLike, value: ArrayLike, beat: ArrayLike) -> None:
        self._build(_broadcast(number=number, value=value, beat=beat))

    @property
    def number(self) -> npt.NDArray[np.uint8]:
        """Controller numbers."""
        return self._columns["number"]  # type: ignore[return-value]

    @property
    def value(self) -> npt.NDArray[np.uint8]:
        """Controller values."""
        return self._columns["value"]  # type: ignore[return-value]

    @property
    def beat(self) -> npt.NDArray[np.float64]:
        """Event positions in beats."""
        return self._columns["beat"]  # type: ignore[return-value]


class PitchBendArray(ColumnarArray):
    """Pitch-bend events (``value`` -8192..8191, ``beat`` >= 0)."""

    COLUMNS: ClassVar[tuple[ColumnSpec, ...]] = (
        ColumnSpec("value", np.int16, mt.PITCH_BEND),
        ColumnSpec("beat", np.float64, mt.Range("beat", 0.0)),
    )
    TIME_COLUMN: ClassVar[str] = "beat"
    SORT_KEYS: ClassVar[tuple[str, ...]] = ("beat", "value")
    __slots__ = ()

    def __init__(self, value: ArrayLike, beat: ArrayLike) -> None:
        self._build(_broadcast(value=value, beat=beat))

    @property
    def value(self) -> npt.NDArray[np.int16]:
        """Bend amounts, 0 = centre."""
        return self._columns["value"]  # type: ignore[return-value]

    @property
    def beat(self) -> npt.NDArray[np.float64]:
        """Event positions in beats."""
        return self._columns["beat"]  # type: ignore[return-value]


class AftertouchArray(ColumnarArray):
    """Aftertouch events: channel pressure (``pitch == -1``) or polyphonic key pressure."""

    COLUMNS: ClassVar[tuple[ColumnSpec, ...]] = (
        ColumnSpec("value", np.uint8, mt.AFTERTOUCH_VALUE),
        ColumnSpec("beat", np.float64, mt.Range("beat", 0.0)),
        ColumnSpec("pitch", np.int16, mt.Range("pitch", CHANNEL_PRESSURE, 127), CHANNEL_PRESSURE),
    )
    TIME_COLUMN: ClassVar[str] = "beat"
    SORT_KEYS: ClassVar[tuple[str, ...]] = ("beat", "pitch", "value")
    __slots__ = ()

    def __init__(self, value: ArrayLike, beat: ArrayLike, pitch: ArrayLike | None = None) -> None:
        self._build(_broadcast(value=value, beat=beat, pitch=pitch))

    @property
    def value(self) -> npt.NDArray[np.uint8]:
        """Pressure values."""
        return self._columns["value"]  # type: ignore[return-value]

    @property
    def beat(self) -> npt.NDArray[np.float64]:
        """Event positions in beats."""
        return self._columns["beat"]  # type: ignore[return-value]

    @property
    def pitch(self) -> npt.NDArray[np.int16]:
        """Key for polyphonic pressure, ``-1`` for channel pressure."""
        return self._columns["pitch"]  # type: ignore[return-value]
