"""Post-processing steps: each a frozen value with an ``apply`` over a :class:`Part`.

Every step is vectorised over the note columns and returns the new part
plus a small dict of what it did (recorded in the pipeline's metadata).
Drum notes (channel 9) are never transposed or moved in register.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field, replace
from typing import ClassVar, Literal

import numpy as np
import numpy.typing as npt

from storpheus.errors import PostProcessError, TheoryError
from storpheus.events import AftertouchArray, ControlChangeArray, PitchBendArray
from storpheus.jsontypes import JSONObject
from storpheus.midi_types import DRUM_CHANNEL
from storpheus.notes import NoteArray
from storpheus.theory import Key, interval_between, key_fit, parse_key, pitch_class_histogram

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Part:
    """The notes and controller events of one part, as the steps see them."""

    notes: NoteArray
    cc: ControlChangeArray = field(default_factory=ControlChangeArray.empty)
    bends: PitchBendArray = field(default_factory=PitchBendArray.empty)
    aftertouch: AftertouchArray = field(default_factory=AftertouchArray.empty)

    def with_notes(self, notes: NoteArray) -> Part:
        """The same part with other notes."""
        return replace(self, notes=notes)


class Step(ABC):
    """Base of the post-processing steps (frozen dataclasses)."""

    name: ClassVar[str]

    @abstractmethod
    def apply(self, part: Part) -> tuple[Part, JSONObject]:
        """The processed part and a JSON-ready dict of what changed."""

    def to_dict(self) -> JSONObject:
        """The step's parameters."""
        data: JSONObject = asdict(self)  # type: ignore[call-overload]
        return data


def _notes(
    notes: NoteArray,
    *,
    pitch: npt.ArrayLike | None = None,
    velocity: npt.ArrayLike | None = None,
    start: npt.ArrayLike | None = None,
    duration: npt.ArrayLike | None = None,
) -> NoteArray:
    """A validated copy of ``notes`` with some columns replaced."""
    return NoteArray(
        notes.pitch if pitch is None else pitch,
        notes.velocity if velocity is None else velocity,
        notes.start_beat if start is None else start,
        notes.duration_beats if duration is None else duration,
        channel=notes.channel,
    )


def _fold_into(pitch: I64, low: int, high: int) -> I64:
    """Move pitches by whole octaves into ``[low, high]`` (clip when narrower than 12)."""
    if high - low < 11:
        return np.clip(pitch, low, high)
    up = np.ceil(np.maximum(0, low - pitch) / 12).astype(np.int64)
    down = np.ceil(np.maximum(0, pitch - high) / 12).astype(np.int64)
    return pitch + 12 * up - 12 * down


# ----------------------------------------------------------------- pitch
@dataclass(frozen=True)
class TransposeToKey(Step):
    """Transpose pitched notes from ``source_key`` to ``target_key`` by the shortest way.

    Without ``source_key`` the notes are placed in the target's mode: the
    tonic whose profile in that mode fits the notes best (duration-weighted
    Krumhansl-Schmuckler) is taken as the source. When the two keys have
    different church modes (major, minor, dorian...), their parent major
    scales are matched, so an A minor part asked for C major does not move.
    Otherwise tonic goes to tonic. Pitches pushed past 0-127 fold back by
    octaves; drums are never moved.
    """

    target_key: str
    source_key: str | None = None
    name: ClassVar[str] = "transpose_to_key"

    def __post_init__(self) -> None:
        for label in ("target_key", "source_key"):
            value = getattr(self, label)
            if value is not None:
                try:
                    parse_key(value)
                except TheoryError as exc:
                    raise PostProcessError(self.name, f"{label}: {exc}") from exc

    def apply(self, part: Part) -> tuple[Part, JSONObject]:
        """Transpose the part."""
        notes = part.notes
        pitched = notes.channel != DRUM_CHANNEL
        target = parse_key(self.target_key)
        if self.source_key is not None:
            source = parse_key(self.source_key)
        else:
            hist = pitch_class_histogram(notes)
            if not hist.any():
                return part, {"semitones": 0, "source_key": None, "skipped": "no pitched notes"}
            fits = [
                float(np.nan_to_num(key_fit(hist, Key(t, target.mode)), nan=-2.0))
                for t in range(12)
            ]
            source = Key(int(np.argmax(fits)), target.mode)
        shift = _key_shift(source, target)
        if shift == 0 or not pitched.any():
            return part, {"semitones": 0, "source_key": source.name}
        moved = np.where(pitched, notes.pitch.astype(np.int64) + shift, notes.pitch)
        return part.with_notes(_notes(notes, pitch=_fold_into(moved, 0, 127))), {
            "semitones": shift,
            "source_key": source.name,
        }


def _key_shift(source: Key, target: Key) -> int:
    parents = source.parent_tonic, target.parent_tonic
    if source.mode != target.mode and parents[0] is not None and parents[1] is not None:
        return interval_between(parents[0], parents[1])
    return interval_between(source.tonic, target.tonic)


@dataclass(frozen=True)
class RegisterShift(Step):
    """Shift pitched notes by whole octaves towards ``[low, high]``, then fold the rest in.

    The octave shift puts the median pitch nearest the middle of the range;
    with ``clamp`` the notes still outside are folded by octaves into it
    (clipped if the range is narrower than an octave).
    """

    low: int
    high: int
    clamp: bool = True
    name: ClassVar[str] = "register_shift"

    def __post_init__(self) -> None:
        if not 0 <= self.low <= self.high <= 127:
            raise PostProcessError(
                self.name, f"need 0 <= low <= high <= 127, got {self.low}-{self.high}"
            )

    @classmethod
    def around(cls, center: int, spread: int, clamp: bool = True) -> RegisterShift:
        """The register ``center ± spread`` (clipped to 0-127)."""
        return cls(max(0, center - spread), min(127, center + spread), clamp)

    def apply(self, part: Part) -> tuple[Part, JSONObject]:
        """Shift and fold the pitched notes."""
        notes = part.notes
        pitched = notes.channel != DRUM_CHANNEL
        if not pitched.any():
            return part, {"octaves": 0, "folded": 0}
        pitch = notes.pitch.astype(np.int64)
        middle = (self.low + self.high) / 2
        octaves = int(np.round((middle - float(np.median(pitch[pitched]))) / 12))
        moved = np.where(pitched, pitch + 12 * octaves, pitch)
        lowest, highest = int(moved[pitched].min()), int(moved[pitched].max())
        if lowest < 0:
            moved = np.where(pitched, moved + 12 * math.ceil(-lowest / 12), moved)
        if highest > 127:
            moved = np.where(pitched, moved - 12 * math.ceil((highest - 127) / 12), moved)
        folded = 0
        if self.clamp:
            inside = _fold_into(moved, self.low, self.high)
            changed = pitched & (inside != moved)
            folded = int(changed.sum())
            moved = np.where(pitched, inside, moved)
        moved = _fold_into(moved, 0, 127)
        return part.with_notes(_notes(notes, pitch=moved)), {"octaves": octaves, "folded": folded}


# ---------------------------------------------------------------- timing
@dataclass(frozen=True)
class Quantize(Step):
    """Move onsets ``strength`` of the way to the nearest ``grid`` line (beats).

    With ``durations`` the lengths are rounded to the grid as well (at least
    one grid step).
    """

    grid: float = 0.25
    strength: float = 1.0
    durations: bool = False
    name: ClassVar[str] = "quantize"

    def __post_init__(self) -> None:
        if not self.grid > 0 or not math.isfinite(self.grid):
            raise PostProcessError(
                self.name, f"grid={self.grid} must be a positive number of beats"
            )
        if not 0.0 <= self.strength <= 1.0:
            raise PostProcessError(self.name, f"strength={self.strength} must be within 0-1")

    def apply(self, part: Part) -> tuple[Part, JSONObject]:
        """Quantise the onsets (and durations)."""
        notes = part.notes
        if not len(notes):
            return part, {"moved": 0}
        start = notes.start_beat
        target = np.round(start / self.grid) * self.grid
        new_start = np.maximum(0.0, start + self.strength * (target - start))
        duration = notes.duration_beats
        if self.durations:
            snapped = np.maximum(self.grid, np.round(duration / self.grid) * self.grid)
            duration = duration + self.strength * (snapped - duration)
        moved = int((np.abs(new_start - start) > 1e-12).sum())
        return part.with_notes(_notes(notes, start=new_start, duration=duration)), {"moved": moved}


@dataclass(frozen=True)
class Swing(Step):
    """Delay the off-beat ``grid`` positions: 0.5 is straight, 2/3 triplet swing, 0.75 hard.

    A note whose onset lies on an odd multiple of ``grid`` (within 1 % of
    it) moves to ``amount`` of the way through its pair of grid steps, and is
    shortened by the delay so its offset does not move.
    """

    amount: float = 0.6
    grid: float = 0.5
    name: ClassVar[str] = "swing"

    def __post_init__(self) -> None:
        if not 0.5 <= self.amount <= 0.75:
            raise PostProcessError(self.name, f"amount={self.amount} must be within 0.5-0.75")
        if not self.grid > 0:
            raise PostProcessError(self.name, f"grid={self.grid} must be positive")

    def apply(self, part: Part) -> tuple[Part, JSONObject]:
        """Swing the off-beats."""
        notes = part.notes
        if not len(notes) or self.amount == 0.5:
            return part, {"swung": 0}
        steps = notes.start_beat / self.grid
        nearest = np.round(steps)
        off = (np.abs(steps - nearest) < 0.01) & (nearest % 2 == 1)
        delay = (2 * self.amount - 1) * self.grid
        start = np.where(
            off, (nearest - 1) * self.grid + 2 * self.amount * self.grid, notes.start_beat
        )
        duration = np.where(
            off,
            np.maximum(notes.duration_beats - delay, 0.1 * notes.duration_beats),
            notes.duration_beats,
        )
        return part.with_notes(_notes(notes, start=start, duration=duration)), {
            "swung": int(off.sum())
        }


@dataclass(frozen=True)
class DurationCleanup(Step):
    """Clip durations to ``[min_duration, max_duration]`` and remove same-pitch overlaps.

    Overlaps: a note is cut at the next onset of the same pitch on the same
    channel; of several notes starting together on one pitch and channel only
    the loudest (then longest) is kept.
    """

    min_duration: float = 1 / 32
    max_duration: float | None = None
    remove_overlaps: bool = True
    name: ClassVar[str] = "duration_cleanup"

    def __post_init__(self) -> None:
        if not self.min_duration > 0:
            raise PostProcessError(self.name, f"min_duration={self.min_duration} must be > 0")
        if self.max_duration is not None and self.max_duration < self.min_duration:
            raise PostProcessError(self.name, "max_duration must be >= min_duration")

    def apply(self, part: Part) -> tuple[Part, JSONObject]:
        """Clean up the durations."""
        notes = part.notes
        if not len(notes):
            return part, {"clipped": 0, "truncated": 0, "dropped": 0}
        high = np.inf if self.max_duration is None else self.max_duration
        duration = np.clip(notes.duration_beats, self.min_duration, high)
        clipped = int((duration != notes.duration_beats).sum())
        notes = _notes(notes, duration=duration)
        truncated = dropped = 0
        if self.remove_overlaps:
            notes, truncated, dropped = _remove_overlaps(notes)
        return part.with_notes(notes.sort()), {
            "clipped": clipped,
            "truncated": truncated,
            "dropped": dropped,
        }


def _remove_overlaps(notes: NoteArray) -> tuple[NoteArray, int, int]:
    order = np.lexsort((-notes.duration_beats, -notes.velocity.astype(np.int64),
                        notes.start_beat, notes.pitch, notes.channel))  # fmt: skip
    n = notes[order]
    same_voice = (n.channel[1:] == n.channel[:-1]) & (n.pitch[1:] == n.pitch[:-1])
    duplicate = np.append(same_voice & (n.start_beat[1:] == n.start_beat[:-1]), False)
    keep = ~np.concatenate([[False], duplicate[:-1]])
    n = n[keep]
    same_voice = (n.channel[1:] == n.channel[:-1]) & (n.pitch[1:] == n.pitch[:-1])
    next_start = np.append(n.start_beat[1:], np.inf)
    limit = np.where(np.append(same_voice, False), next_start - n.start_beat, np.inf)
    cut = n.duration_beats > limit
    duration = np.where(cut, limit, n.duration_beats)
    return _notes(n, duration=duration), int(cut.sum()), int((~keep).sum())


@dataclass(frozen=True)
class TrimToBars(Step):
    """Drop everything from ``bars`` bars on and cut notes that ring past the end."""

    bars: int
    beats_per_bar: float = 4.0
    name: ClassVar[str] = "trim_to_bars"

    def __post_init__(self) -> None:
        if not isinstance(self.bars, int) or self.bars < 1:
            raise PostProcessError(self.name, f"bars={self.bars!r} must be an integer >= 1")
        if not self.beats_per_bar > 0:
            raise PostProcessError(self.name, f"beats_per_bar={self.beats_per_bar} must be > 0")

    def apply(self, part: Part) -> tuple[Part, JSONObject]:
        """Trim the part."""
        end = self.bars * self.beats_per_bar
        notes = part.notes
        inside = notes.start_beat < end
        kept = notes[inside]
        over = kept.end_beat > end
        kept = _notes(kept, duration=np.where(over, end - kept.start_beat, kept.duration_beats))
        trimmed = Part(
            kept,
            part.cc[part.cc.beat < end],
            part.bends[part.bends.beat < end],
            part.aftertouch[part.aftertouch.beat < end],
        )
        return trimmed, {"dropped": int((~inside).sum()), "cut": int(over.sum())}


# -------------------------------------------------------------- velocity
@dataclass(frozen=True)
class VelocityRescale(Step):
    """Bring velocities into ``[floor, ceiling]``.

    ``mode="rescale"`` maps the part's own range linearly onto it (keeping
    the dynamics' shape); ``mode="clamp"`` only clips the ones outside.
    """

    floor: int
    ceiling: int
    mode: Literal["rescale", "clamp"] = "rescale"
    name: ClassVar[str] = "velocity_rescale"

    def __post_init__(self) -> None:
        if not 1 <= self.floor <= self.ceiling <= 127:
            raise PostProcessError(
                self.name, f"need 1 <= floor <= ceiling <= 127, got {self.floor}-{self.ceiling}"
            )
        if self.mode not in ("rescale", "clamp"):
            raise PostProcessError(self.name, f"mode={self.mode!r} must be 'rescale' or 'clamp'")

    def apply(self, part: Part) -> tuple[Part, JSONObject]:
        """Rescale or clamp the velocities."""
        notes = part.notes
        if not len(notes):
            return part, {"changed": 0}
        v = notes.velocity.astype(np.float64)
        if self.mode == "clamp":
            new = np.clip(v, self.floor, self.ceiling)
        else:
            low, high = float(v.min()), float(v.max())
            if high == low:
                new = np.clip(v, self.floor, self.ceiling)
            else:
                new = self.floor + (v - low) * (self.ceiling - self.floor) / (high - low)
        new = np.rint(new).astype(np.int64)
        changed = int((new != notes.velocity).sum())
        return part.with_notes(_notes(notes, velocity=new)), {"changed": changed}
