"""The ordered post-processing pipeline and its record.

A :class:`Pipeline` is an ordered tuple of steps; running it on notes, a
part, a track or a backend candidate returns a :class:`PostProcessResult`
whose :attr:`~PostProcessResult.records` say, step by step, what ran with
which parameters and what it changed. :func:`default_pipeline` builds the
canonical order from the options given (every step optional):

1. ``transpose_to_key`` — move to the target key;
2. ``register_shift`` — octave shift and fold into the register;
3. ``quantize`` — onsets to the grid;
4. ``swing`` — delay the off-beats (expects a grid, so after quantising);
5. ``duration_cleanup`` — minimum length, no same-pitch overlaps (after
   every timing change);
6. ``trim_to_bars`` — cut to the target length;
7. ``velocity_rescale`` — into ``[floor, ceiling]``.

Example
-------
>>> from storpheus.notes import NoteArray
>>> notes = NoteArray([48, 52, 55], [30, 90, 127], [0.02, 0.98, 2.1], 1.0)
>>> result = default_pipeline(register=(60, 72), grid=0.5, velocity=(60, 100)).run(notes)
>>> result.notes.pitch.tolist(), result.notes.start_beat.tolist()
([60, 64, 67], [0.0, 1.0, 2.0])
>>> [r.step for r in result.records]
['register_shift', 'quantize', 'duration_cleanup', 'velocity_rescale']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from storpheus.backends.base import Candidate
from storpheus.errors import PostProcessError
from storpheus.jsontypes import JSONObject, JSONValue
from storpheus.notes import NoteArray
from storpheus.postprocess.steps import (
    DurationCleanup,
    Part,
    Quantize,
    RegisterShift,
    Step,
    Swing,
    TransposeToKey,
    TrimToBars,
    VelocityRescale,
)
from storpheus.score import Track

Processable = NoteArray | Part | Track | Candidate


@dataclass(frozen=True)
class StepRecord:
    """What one step did: its name, parameters, details and note counts."""

    step: str
    params: Mapping[str, JSONValue]
    details: Mapping[str, JSONValue]
    notes_in: int
    notes_out: int

    def to_dict(self) -> JSONObject:
        """JSON-ready form (what goes into metadata)."""
        return {
            "step": self.step,
            "params": dict(self.params),
            "details": dict(self.details),
            "notes_in": self.notes_in,
            "notes_out": self.notes_out,
        }


@dataclass(frozen=True)
class PostProcessResult:
    """The processed part and the record of every step, in order."""

    part: Part
    records: tuple[StepRecord, ...]

    @property
    def notes(self) -> NoteArray:
        """The processed notes."""
        return self.part.notes

    @property
    def metadata(self) -> JSONObject:
        """``{"postprocess": [step records...]}`` for candidate/generation metadata."""
        return {"postprocess": [r.to_dict() for r in self.records]}

    def to_candidate(self, original: Candidate) -> Candidate:
        """``original`` with the processed notes/events and the records in its metadata."""
        history = original.metadata.get("postprocess")
        steps = [*history] if isinstance(history, list) else []
        steps.extend(r.to_dict() for r in self.records)
        return replace(
            original,
            notes=self.part.notes,
            cc=self.part.cc,
            bends=self.part.bends,
            aftertouch=self.part.aftertouch,
            metadata={**original.metadata, "postprocess": steps},
        )

    def to_track(self, original: Track) -> Track:
        """``original`` with the processed notes and events."""
        return replace(
            original,
            notes=self.part.notes,
            cc=self.part.cc,
            bends=self.part.bends,
            aftertouch=self.part.aftertouch,
        )


@dataclass(frozen=True)
class Pipeline:
    """An ordered tuple of post-processing steps."""

    steps: tuple[Step, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        steps = tuple(self.steps)
        for i, step in enumerate(steps):
            if not isinstance(step, Step):
                raise PostProcessError(
                    f"steps[{i}]", f"{type(step).__name__} is not a post-processing step"
                )
        object.__setattr__(self, "steps", steps)

    @property
    def names(self) -> tuple[str, ...]:
        """Step names, in order."""
        return tuple(s.name for s in self.steps)

    def run(self, item: Processable) -> PostProcessResult:
        """Apply every step in order and record each one."""
        part = as_part(item)
        records = []
        for step in self.steps:
            before = len(part.notes)
            part, details = step.apply(part)
            records.append(StepRecord(step.name, step.to_dict(), details, before, len(part.notes)))
        return PostProcessResult(part, tuple(records))

    def to_dict(self) -> list[JSONObject]:
        """The steps and their parameters, in order."""
        return [{"step": s.name, "params": s.to_dict()} for s in self.steps]


def as_part(item: Processable) -> Part:
    """Notes, a track or a candidate as a :class:`Part`."""
    if isinstance(item, Part):
        return item
    if isinstance(item, NoteArray):
        return Part(item)
    if isinstance(item, Track | Candidate):
        return Part(item.notes, item.cc, item.bends, item.aftertouch)
    raise PostProcessError(
        "input", f"{type(item).__name__} is not NoteArray, Part, Track or Candidate"
    )


def default_pipeline(
    *,
    key: str | None = None,
    source_key: str | None = None,
    register: tuple[int, int] | None = None,
    grid: float | None = None,
    swing: float | None = None,
    swing_grid: float = 0.5,
    min_duration: float | None = 1 / 32,
    bars: int | None = None,
    beats_per_bar: float = 4.0,
    velocity: tuple[int, int] | None = None,
) -> Pipeline:
    """The canonical order (see the module docstring) with the steps asked for.

    ``None`` leaves a step out; ``min_duration=None`` drops the clean-up.
    """
    steps: list[Step] = []
    if key is not None:
        steps.append(TransposeToKey(key, source_key))
    if register is not None:
        steps.append(RegisterShift(*register))
    if grid is not None:
        steps.append(Quantize(grid))
    if swing is not None:
        steps.append(Swing(swing, swing_grid))
    if min_duration is not None:
        steps.append(DurationCleanup(min_duration))
    if bars is not None:
        steps.append(TrimToBars(bars, beats_per_bar))
    if velocity is not None:
        steps.append(VelocityRescale(*velocity))
    return Pipeline(tuple(steps))


def pipeline_for(
    params: object,
    *,
    grid: float | None = None,
    swing: float | None = None,
    transpose: bool = False,
    source_key: str | None = None,
) -> Pipeline:
    """The default pipeline for :class:`~storpheus.scoring.ScoringParams` targets.

    Register, velocity range and length come from the params; transposition
    to ``params.target_key`` only when ``transpose`` is set (a backend
    usually generates in the key already).
    """
    from storpheus.scoring import ScoringParams

    if not isinstance(params, ScoringParams):
        raise PostProcessError("params", f"expected ScoringParams, got {type(params).__name__}")
    register = None
    if params.register_center is not None:
        spread = 12 if params.register_spread is None else params.register_spread
        shift = RegisterShift.around(params.register_center, spread)
        register = (shift.low, shift.high)
    velocity = None
    if params.velocity_floor is not None or params.velocity_ceiling is not None:
        velocity = (max(1, params.velocity_floor or 1), params.velocity_ceiling or 127)
    return default_pipeline(
        key=params.target_key if transpose else None,
        source_key=source_key,
        register=register,
        grid=grid,
        swing=swing,
        bars=params.bars,
        beats_per_bar=params.beats_per_bar,
        velocity=velocity,
    )


def run_steps(item: Processable, steps: Sequence[Step]) -> PostProcessResult:
    """Run ``steps`` in the order given (shorthand for ``Pipeline(tuple(steps)).run``)."""
    return Pipeline(tuple(steps)).run(item)
