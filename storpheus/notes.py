"""Columnar notes: one numpy array per field, never a Python object per note.

Example
-------
>>> from storpheus.notes import NoteArray
>>> chord = NoteArray.from_columns(pitch=[60, 64, 67], velocity=90,
...                                start_beat=0.0, duration_beats=2.0)
>>> chord.transpose(2).pitch.tolist()
[62, 66, 69]
>>> chord.to_pandas().shape
(3, 5)
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import numpy.typing as npt

from storpheus import midi_types as mt
from storpheus.columnar import ArrayLike, ColumnarArray, ColumnSpec


class NoteArray(ColumnarArray):
    """Immutable notes as parallel arrays.

    Parameters
    ----------
    pitch, velocity:
        MIDI values 0-127.
    start_beat:
        Onsets in quarter-note beats, >= 0.
    duration_beats:
        Lengths in beats, > 0.
    channel:
        MIDI channel 0-15 per note; defaults to 0.

    Scalars broadcast to the length of the longest column given. Every column
    is checked against :mod:`storpheus.midi_types`; a bad value raises
    :class:`~storpheus.errors.MidiRangeError` (a ``ValueError``) naming the
    field, the value and its index.
    """

    COLUMNS: ClassVar[tuple[ColumnSpec, ...]] = (
        ColumnSpec("pitch", np.uint8, mt.PITCH),
        ColumnSpec("velocity", np.uint8, mt.VELOCITY),
        ColumnSpec("channel", np.uint8, mt.CHANNEL, default=0),
        ColumnSpec("start_beat", np.float64, mt.BEAT_POSITION),
        ColumnSpec("duration_beats", np.float64, mt.BEAT_DURATION),
    )
    TIME_COLUMN: ClassVar[str] = "start_beat"
    SORT_KEYS: ClassVar[tuple[str, ...]] = (
        "start_beat",
        "pitch",
        "channel",
        "duration_beats",
        "velocity",
    )
    __slots__ = ()

    def __init__(
        self,
        pitch: ArrayLike,
        velocity: ArrayLike,
        start_beat: ArrayLike,
        duration_beats: ArrayLike,
        channel: ArrayLike | None = None,
    ) -> None:
        self._build(
            _broadcast(
                pitch=pitch,
                velocity=velocity,
                channel=channel,
                start_beat=start_beat,
                duration_beats=duration_beats,
            )
        )

    @classmethod
    def from_columns(
        cls,
        *,
        pitch: ArrayLike,
        velocity: ArrayLike,
        start_beat: ArrayLike,
        duration_beats: ArrayLike,
        channel: ArrayLike | None = None,
    ) -> NoteArray:
        """Keyword-only constructor; scalars broadcast."""
        return cls(pitch, velocity, start_beat, duration_beats, channel)

    def to_dicts(self, *, wire: bool = False) -> list[dict[str, float | int]]:
        """Plain dicts, snake_case by default or camelCase with ``wire=True``."""
        start_key, dur_key = ("startBeat", "durationBeats") if wire else _INTERNAL_KEYS
        return [
            {
                "pitch": int(p),
                "velocity": int(v),
                "channel": int(c),
                start_key: float(s),
                dur_key: float(d),
            }
            for p, v, c, s, d in zip(
                self.pitch.tolist(),
                self.velocity.tolist(),
                self.channel.tolist(),
                self.start_beat.tolist(),
                self.duration_beats.tolist(),
                strict=True,
            )
        ]

    # ---------------------------------------------------------------- fields
    @property
    def pitch(self) -> npt.NDArray[np.uint8]:
        """MIDI note numbers."""
        return self._columns["pitch"]  # type: ignore[return-value]

    @property
    def velocity(self) -> npt.NDArray[np.uint8]:
        """Velocities."""
        return self._columns["velocity"]  # type: ignore[return-value]

    @property
    def channel(self) -> npt.NDArray[np.uint8]:
        """MIDI channels."""
        return self._columns["channel"]  # type: ignore[return-value]

    @property
    def start_beat(self) -> npt.NDArray[np.float64]:
        """Onsets in beats."""
        return self._columns["start_beat"]  # type: ignore[return-value]

    @property
    def duration_beats(self) -> npt.NDArray[np.float64]:
        """Durations in beats."""
        return self._columns["duration_beats"]  # type: ignore[return-value]

    @property
    def end_beat(self) -> npt.NDArray[np.float64]:
        """Offsets (onset + duration) in beats."""
        return self.start_beat + self.duration_beats

    @property
    def last_beat(self) -> float:
        """The latest offset, 0.0 when empty."""
        return float(self.end_beat.max()) if len(self) else 0.0

    # ------------------------------------------------------------ operations
    def transpose(self, semitones: int) -> NoteArray:
        """Shift every pitch; raises ``MidiRangeError`` if any leaves 0-127."""
        moved = self.pitch.astype(np.int16) + int(semitones)
        mt.check_column(moved, mt.PITCH)
        cols = self.columns
        cols["pitch"] = moved.astype(np.uint8)
        return self._from_valid(cols)

    def with_channel(self, channel: int) -> NoteArray:
        """The same notes, all on one channel."""
        mt.assert_range(channel, mt.CHANNEL)
        cols = self.columns
        cols["channel"] = np.full(len(self), channel, dtype=np.uint8)
        return self._from_valid(cols)


_INTERNAL_KEYS = ("start_beat", "duration_beats")


def _broadcast(**columns: ArrayLike | None) -> dict[str, ArrayLike | None]:
    """Broadcast scalar columns to the length of the longest array column."""
    arrays = {k: np.asarray(v) for k, v in columns.items() if v is not None}
    lengths = {a.shape[0] for a in arrays.values() if a.ndim == 1}
    n = max(lengths) if lengths else 1
    out: dict[str, ArrayLike | None] = {}
    for key, value in columns.items():
        if value is None:
            out[key] = None
            continue
        arr = arrays[key]
        out[key] = np.full(n, arr.item()) if arr.ndim == 0 else arr
    return out
