"""Finishing a chosen candidate: post-processing, expressiveness, fitting the region.

:func:`finish_part` turns the candidate rejection sampling chose into what an
agent writes to its region:

1. the recorded post-processing pipeline for the request's targets
   (:func:`storpheus.postprocess.pipeline_for`: register fold, duration
   clean-up, trim to the span, velocity range);
2. optionally the seeded expressiveness pass
   (:func:`storpheus.postprocess.apply_expressiveness`), drawing from
   ``numpy.random.default_rng(seed)`` only, and merged with the candidate's
   own controller events (the candidate's values win for a controller both
   write);
3. fitting into the region: onsets inside ``[0, span)``, note ends and
   controller events clipped to the span (a humanised onset may have moved
   past it).

Everything is columnar; the same candidate, request and seed always give the
same part.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pydantic import JsonValue

from storpheus.backends.base import Candidate, GenerationRequest
from storpheus.events import AftertouchArray, ControlChangeArray, PitchBendArray
from storpheus.notes import NoteArray
from storpheus.postprocess import apply_expressiveness, pipeline_for
from storpheus.scoring import ScoringParams

_TICK = 1.0 / 960.0


@dataclass(frozen=True)
class FinishedPart:
    """The notes and controller events an agent writes, with what was done to them."""

    notes: NoteArray
    cc: ControlChangeArray
    bends: PitchBendArray
    aftertouch: AftertouchArray
    steps: tuple[dict[str, JsonValue], ...]

    @property
    def n_events(self) -> int:
        """Notes plus controller events."""
        return len(self.notes) + len(self.cc) + len(self.bends) + len(self.aftertouch)


def finish_part(
    candidate: Candidate,
    request: GenerationRequest,
    params: ScoringParams,
    *,
    seed: int,
    expressive: bool = True,
) -> FinishedPart:
    """Post-process ``candidate`` for ``request`` (see the module docstring)."""
    processed = pipeline_for(params).run(candidate)
    notes, cc, bends = processed.notes, processed.part.cc, processed.part.bends
    steps: list[dict[str, JsonValue]] = [
        {"step": r.step, "notes_in": r.notes_in, "notes_out": r.notes_out}
        for r in processed.records
    ]
    if expressive and len(notes):
        expression = apply_expressiveness(
            notes,
            rng=np.random.default_rng(seed),
            role=request.role,
            beats_per_bar=request.beats_per_bar,
        )
        notes = expression.notes
        cc = _merge_cc(cc, expression.cc)
        bends = PitchBendArray.concat([bends, expression.bends]).sort()
        steps.append(
            {
                "step": "expressiveness",
                "notes_in": len(processed.notes),
                "notes_out": len(notes),
                "cc_added": len(expression.cc),
                "bends_added": len(expression.bends),
            }
        )
    span = request.total_beats
    return FinishedPart(
        notes=_fit_notes(notes, span),
        cc=cc[cc.beat < span],
        bends=bends[bends.beat < span],
        aftertouch=processed.part.aftertouch[processed.part.aftertouch.beat < span],
        steps=tuple(steps),
    )


def _merge_cc(own: ControlChangeArray, added: ControlChangeArray) -> ControlChangeArray:
    if not len(own):
        return added
    keep = ~np.isin(added.number, np.unique(own.number))
    return ControlChangeArray.concat([own, added[keep]]).sort()


def _fit_notes(notes: NoteArray, span: float) -> NoteArray:
    """Notes starting inside ``[0, span)`` with their ends clipped to ``span``."""
    inside = notes[(notes.start_beat >= 0.0) & (notes.start_beat <= span - _TICK)]
    end = np.minimum(inside.start_beat + inside.duration_beats, span)
    duration = np.maximum(end - inside.start_beat, _TICK)
    if np.array_equal(duration, inside.duration_beats):
        return inside
    return NoteArray(
        inside.pitch, inside.velocity, inside.start_beat, duration, channel=inside.channel
    )


__all__ = ["FinishedPart", "finish_part"]
