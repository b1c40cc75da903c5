"""Collecting rendered notes and turning them into a clean :class:`NoteArray`.

Renderers append numbers to a :class:`NoteBuffer` (parallel lists, or whole
numpy arrays at once) and call :func:`finalize`, which does the vectorised
clean-up every part needs: clip to the span, fold into the register, clamp
velocities, drop duplicate onsets and trim overlaps of the same pitch.

Example
-------
>>> buf = NoteBuffer()
>>> buf.add(60, 90, 0.0, 2.0)
>>> buf.add(60, 80, 1.0, 1.0)   # overlaps the first note: the first is trimmed
>>> finalize(buf, channel=0, total_beats=4.0).duration_beats.tolist()
[1.0, 1.0]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from storpheus.events import ControlChangeArray
from storpheus.jsontypes import JSONObject
from storpheus.notes import NoteArray

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

MIN_DURATION = 1.0 / 64.0
"""Shortest note kept after clipping, in beats."""


@dataclass(frozen=True)
class RenderedPart:
    """What a role renderer returns: notes, controller events and JSON-ready metadata."""

    notes: NoteArray
    cc: ControlChangeArray = field(default_factory=ControlChangeArray.empty)
    metadata: JSONObject = field(default_factory=dict)


class NoteBuffer:
    """Parallel growable lists of pitch, velocity, onset and duration."""

    __slots__ = ("_arrays", "duration", "pitch", "start", "velocity")

    def __init__(self) -> None:
        self.pitch: list[int] = []
        self.velocity: list[int] = []
        self.start: list[float] = []
        self.duration: list[float] = []
        self._arrays: list[tuple[I64, I64, F64, F64]] = []

    def add(self, pitch: int, velocity: int, start: float, duration: float) -> None:
        """Append one note."""
        self.pitch.append(pitch)
        self.velocity.append(velocity)
        self.start.append(start)
        self.duration.append(duration)

    def add_chord(
        self, pitches: Sequence[int], velocity: int, start: float, duration: float
    ) -> None:
        """Append notes that share onset, duration and velocity."""
        for p in pitches:
            self.add(p, velocity, start, duration)

    def add_arrays(
        self,
        pitch: npt.ArrayLike,
        velocity: npt.ArrayLike,
        start: npt.ArrayLike,
        duration: npt.ArrayLike,
    ) -> None:
        """Append whole columns at once (broadcast to a common length)."""
        p, v, s, d = np.broadcast_arrays(
            np.asarray(pitch, dtype=np.int64),
            np.asarray(velocity, dtype=np.int64),
            np.asarray(start, dtype=np.float64),
            np.asarray(duration, dtype=np.float64),
        )
        self._arrays.append((p.ravel(), v.ravel(), s.ravel(), d.ravel()))

    def __len__(self) -> int:
        return len(self.pitch) + sum(len(a[0]) for a in self._arrays)

    def columns(self) -> tuple[I64, I64, F64, F64]:
        """Everything appended so far as four arrays (lists first, then array blocks)."""
        parts = [
            (
                np.asarray(self.pitch, dtype=np.int64),
                np.asarray(self.velocity, dtype=np.int64),
                np.asarray(self.start, dtype=np.float64),
                np.asarray(self.duration, dtype=np.float64),
            ),
            *self._arrays,
        ]
        return (
            np.concatenate([p[0] for p in parts]),
            np.concatenate([p[1] for p in parts]),
            np.concatenate([p[2] for p in parts]),
            np.concatenate([p[3] for p in parts]),
        )


def apply_swing(onsets: F64, swing: float, unit: float) -> F64:
    """Delay the off-beat ``unit`` notes so each pair of units splits ``swing : 1 - swing``.

    Times in between are mapped piecewise linearly, so straight 16ths under an
    eighth-note swing move proportionally. ``swing=0.5`` is straight.

    >>> apply_swing(np.array([0.0, 0.5, 1.0]), 2 / 3, 0.5).round(3).tolist()
    [0.0, 0.667, 1.0]
    """
    if swing <= 0.5 or len(onsets) == 0:
        return onsets
    pair = 2.0 * unit
    pos = np.mod(onsets, pair)
    base = onsets - pos
    split = pair * swing
    moved = np.where(
        pos < unit, pos * (split / unit), split + (pos - unit) * ((pair - split) / unit)
    )
    result: F64 = base + moved
    return result


def fold_into_register(pitch: I64, low: int, high: int) -> tuple[I64, npt.NDArray[np.bool_]]:
    """Move pitches by octaves into ``[low, high]``; also return which ones fit."""
    folded = pitch.copy()
    below = folded < low
    folded[below] += 12 * ((low - folded[below] + 11) // 12)
    above = folded > high
    folded[above] -= 12 * ((folded[above] - high + 11) // 12)
    ok = (folded >= low) & (folded <= high)
    return folded, ok


def finalize(
    buf: NoteBuffer,
    *,
    channel: int,
    total_beats: float,
    register: tuple[int, int] | None = None,
    velocity_bounds: tuple[int, int] = (1, 127),
) -> NoteArray:
    """Clean a rendered part into a canonical, valid :class:`NoteArray`.

    Notes starting outside ``[0, total_beats)`` are dropped and the rest end
    by ``total_beats``; pitches are folded into ``register`` (notes that
    cannot fit are dropped); velocities are clamped to ``velocity_bounds``;
    of several notes with the same pitch and onset the loudest is kept; a
    note is trimmed where the next note of its pitch starts.
    """
    if len(buf) == 0:
        return NoteArray.empty()
    pitch, velocity, start, duration = buf.columns()
    start = np.round(start, 6)
    keep = (start >= 0.0) & (start < total_beats - 1e-9) & (duration > 0)
    pitch, velocity, start, duration = pitch[keep], velocity[keep], start[keep], duration[keep]
    duration = np.minimum(duration, total_beats - start)
    if register is not None:
        pitch, fits = fold_into_register(pitch, register[0], register[1])
        pitch, velocity, start, duration = pitch[fits], velocity[fits], start[fits], duration[fits]
    else:
        fits = (pitch >= 0) & (pitch <= 127)
        pitch, velocity, start, duration = pitch[fits], velocity[fits], start[fits], duration[fits]
    velocity = np.clip(velocity, max(1, velocity_bounds[0]), min(127, velocity_bounds[1]))
    # Same pitch: order by onset, loudest first among equal onsets; drop the repeats.
    order = np.lexsort((-velocity, start, pitch))
    pitch, velocity, start, duration = pitch[order], velocity[order], start[order], duration[order]
    if len(pitch) > 1:
        same_pitch = pitch[1:] == pitch[:-1]
        dup = np.concatenate(([False], same_pitch & (np.abs(start[1:] - start[:-1]) < 1e-6)))
        pitch, velocity, start, duration = pitch[~dup], velocity[~dup], start[~dup], duration[~dup]
    if len(pitch) > 1:
        same_pitch = pitch[1:] == pitch[:-1]
        gap = start[1:] - start[:-1]
        trimmed = np.where(same_pitch, np.minimum(duration[:-1], gap), duration[:-1])
        duration = np.concatenate((trimmed, duration[-1:]))
    ok = duration >= MIN_DURATION
    notes = NoteArray(
        pitch[ok],
        velocity[ok],
        start[ok],
        duration[ok],
        np.full(int(ok.sum()), channel, dtype=np.int64),
    )
    return notes.sort()
