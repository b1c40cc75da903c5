"""Finishing a chosen candidate: post-processing, seeded expressiveness, fitting the region."""

from __future__ import annotations

import numpy as np

from maestro_lab.runtime.finishing import finish_part
from storpheus.backends.base import Candidate, GenerationRequest
from storpheus.events import ControlChangeArray
from storpheus.identity import content_id
from storpheus.notes import NoteArray
from storpheus.scoring import ScoringParams

REQUEST = GenerationRequest(role="melody", bars=2, seed=1, key="C major")
PARAMS = ScoringParams.from_request(REQUEST)


def _candidate(cc: ControlChangeArray | None = None) -> Candidate:
    # the last note starts on the final sixteenth and rings past the span
    notes = NoteArray(
        [60, 64, 67, 72, 71], 90, [0.0, 1.0, 2.5, 4.0, 7.75], [1.0, 1.0, 1.0, 2.0, 2.0]
    )
    return Candidate(0, 5, notes, cc=cc if cc is not None else ControlChangeArray.empty())


def test_every_onset_and_end_stays_inside_the_span_after_humanising() -> None:
    for seed in range(40):
        part = finish_part(_candidate(), REQUEST, PARAMS, seed=seed)
        assert (part.notes.start_beat >= 0).all()
        assert (part.notes.start_beat < REQUEST.total_beats).all()
        ends = part.notes.start_beat + part.notes.duration_beats
        assert (ends <= REQUEST.total_beats + 1e-9).all()
        assert (part.cc.beat < REQUEST.total_beats).all()
        assert (part.bends.beat < REQUEST.total_beats).all()


def test_the_same_seed_gives_the_same_part_and_another_seed_another() -> None:
    a = finish_part(_candidate(), REQUEST, PARAMS, seed=3)
    b = finish_part(_candidate(), REQUEST, PARAMS, seed=3)
    c = finish_part(_candidate(), REQUEST, PARAMS, seed=4)
    assert content_id(a.notes) == content_id(b.notes)
    assert a.cc == b.cc
    assert content_id(a.notes) != content_id(c.notes)


def test_without_expressiveness_timing_stays_on_the_grid_and_no_cc_is_added() -> None:
    part = finish_part(_candidate(), REQUEST, PARAMS, seed=3, expressive=False)
    assert np.array_equal(part.notes.start_beat, [0.0, 1.0, 2.5, 4.0, 7.75])
    assert part.notes.duration_beats[-1] == 0.25  # clipped at the end of bar 2
    assert len(part.cc) == 0
    assert [s["step"] for s in part.steps][-1] == "trim_to_bars"


def test_the_candidates_own_controller_wins_over_generated_automation() -> None:
    own = ControlChangeArray([11, 11], [10, 20], [0.0, 1.0])
    part = finish_part(_candidate(own), REQUEST, PARAMS, seed=3)
    expression = part.cc[part.cc.number == 11]
    assert expression.value.tolist() == [10, 20]
    assert {int(n) for n in part.cc.number} >= {11, 1}  # mod wheel still generated
    assert part.steps[-1]["step"] == "expressiveness"
