"""Content identity: golden ids, order and float-noise independence, process stability."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from storpheus.events import ControlChangeArray, PitchBendArray
from storpheus.identity import IDENTITY_TICKS_PER_QUARTER, content_id
from storpheus.notes import NoteArray
from tests.storpheus.identity_fixtures import golden_notes, golden_score, ids
from tests.storpheus.strategies import note_arrays

ROOT = Path(__file__).resolve().parents[2]

GOLDEN = {
    "notes": "26d1c5ac41b28f535e31d27171c8598c1eda582739f306288dd81a91dde4fc95",
    "track": "8dbf1073be37a942674b36e53d378474eb42f1d6f925b7e4c200b8563fecc7c9",
    "score": "1937051b86a26beb151f6c4b0be71cbc7e6c3ddd30f68c227eb5ec782f3e729f",
}


def test_golden_ids_are_unchanged() -> None:
    assert ids() == GOLDEN


def test_golden_ids_are_the_same_in_processes_with_different_hash_seeds() -> None:
    outputs = []
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-m", "tests.storpheus.identity_fixtures"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        outputs.append(json.loads(out.stdout))
    assert outputs == [GOLDEN] * 3


def test_resolution_is_fixed_and_documented() -> None:
    assert IDENTITY_TICKS_PER_QUARTER == 960


@settings(max_examples=100)
@given(note_arrays(), st.randoms(use_true_random=False))
def test_note_order_in_memory_does_not_matter(notes: NoteArray, rnd) -> None:  # type: ignore[no-untyped-def]
    order = list(range(len(notes)))
    rnd.shuffle(order)
    assert content_id(notes[order]) == content_id(notes)


@settings(max_examples=100)
@given(note_arrays(), st.floats(-0.4, 0.4))
def test_float_noise_below_half_a_tick_does_not_matter(notes: NoteArray, frac: float) -> None:
    # note_arrays() draws times on a 480-per-quarter grid, which lies on the identity grid.
    noise = frac / IDENTITY_TICKS_PER_QUARTER
    jittered = NoteArray(
        notes.pitch,
        notes.velocity,
        np.maximum(notes.start_beat + noise, 0.0),
        notes.duration_beats + noise,
        notes.channel,
    )
    assert content_id(jittered) == content_id(notes)


def test_any_musical_change_changes_the_id() -> None:
    notes = golden_notes()
    base = content_id(notes)
    changed = [
        notes.transpose(1),
        notes.shift(1 / IDENTITY_TICKS_PER_QUARTER),
        NoteArray(notes.pitch, notes.velocity - 1, notes.start_beat, notes.duration_beats),
        NoteArray(notes.pitch, notes.velocity, notes.start_beat, notes.duration_beats * 2),
        notes.with_channel(3),
        notes[:3],
    ]
    assert len({content_id(c) for c in changed} | {base}) == len(changed) + 1
    score = golden_score()
    variants = [
        replace(score, bpm=97),
        replace(score, key="A minor"),
        replace(score, tracks=score.tracks[::-1]),
        replace(score, tracks=(replace(score.tracks[0], name="solo"), score.tracks[1])),
        replace(score, tracks=(replace(score.tracks[0], program=80), score.tracks[1])),
    ]
    assert len({content_id(v) for v in variants} | {content_id(score)}) == len(variants) + 1


def test_kinds_with_the_same_bytes_do_not_collide() -> None:
    assert content_id(ControlChangeArray.empty()) != content_id(PitchBendArray.empty())
    assert content_id(NoteArray.empty()) != content_id(ControlChangeArray.empty())


def test_source_resolution_is_not_part_of_the_identity() -> None:
    score = golden_score()
    assert content_id(replace(score, ticks_per_quarter=96)) == content_id(score)
