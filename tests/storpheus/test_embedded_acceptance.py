"""Acceptance of the embedded backend: every style x every role, 8 bars, 16 seeds.

Each (style, role) pair is generated once (16 candidates from one request,
every part following the style's default spec) and cached for the module;
the tests then check the issue's acceptance points on all 16 candidates.
Metrics come from :mod:`storpheus.scoring.metrics` (MusPy-compatible); the
key and groove properties are also checked directly here.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from storpheus.backends.base import GenerationRequest, GenerationResult
from storpheus.backends.embedded import ROLES, EmbeddedBackend, default_spec, style_names
from storpheus.backends.embedded.harmony import parse_chord, parse_key
from storpheus.identity import content_id
from storpheus.notes import NoteArray
from storpheus.scoring.metrics import groove_consistency, pitch_in_scale_rate, scale_consistency

STYLES = style_names()
PITCHED = [r for r in ROLES if r != "drums"]
BARS = 8
N_SEEDS = 16


@cache
def _result(style: str, role: str) -> GenerationResult:
    spec = default_spec(style, bars=BARS)
    request = GenerationRequest(
        role=role,
        bars=BARS,
        seed=2024,
        style=style,
        bpm=spec.global_spec.bpm,
        key=spec.global_spec.key,
        spec=spec,
        num_candidates=N_SEEDS,
    )
    return EmbeddedBackend().generate(request)


def _bar_consistency(notes: NoteArray, bars: int = BARS, steps: int = 16) -> float:
    """Mean share of the 16th-note grid on which neighbouring bars agree (onset or not)."""
    grid = np.zeros((bars, steps), dtype=bool)
    pos = np.minimum(np.rint(notes.start_beat / 4.0 * steps).astype(int), bars * steps - 1)
    grid[pos // steps, pos % steps] = True
    return float(1 - np.mean(np.count_nonzero(grid[1:] != grid[:-1], axis=1) / steps))


def test_there_are_at_least_twelve_styles_including_the_named_ones() -> None:
    named = {"lofi", "boom_bap", "house", "techno", "trap", "jazz", "bossa_nova", "funk"}
    named |= {"ambient", "pop", "rock", "cinematic"}
    assert len(STYLES) >= 12
    assert named <= set(STYLES)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("style", STYLES)
def test_every_candidate_is_valid_midi_on_the_right_channel(style: str, role: str) -> None:
    result = _result(style, role)
    assert result.n_candidates == N_SEEDS
    assert not result.warnings
    for candidate in result.candidates:
        notes = candidate.notes
        assert len(notes) > 0, f"{style}/{role} candidate {candidate.index} is empty"
        assert notes.pitch.max() <= 127
        assert notes.velocity.min() >= 1
        assert notes.start_beat.min() >= 0
        assert notes.end_beat.max() <= BARS * 4 + 1e-9
        assert (notes.duration_beats > 0).all()
        if role == "drums":
            assert (notes.channel == 9).all()
            assert notes.pitch.min() >= 35
            assert notes.pitch.max() <= 81
        else:
            assert not (notes.channel == 9).any()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("style", STYLES)
def test_no_two_notes_of_one_pitch_overlap_on_a_channel(style: str, role: str) -> None:
    for candidate in _result(style, role).candidates:
        frame = candidate.notes.to_pandas().sort_values(["channel", "pitch", "start_beat"])
        same = (frame.channel.diff() == 0) & (frame.pitch.diff() == 0)
        prev_end = (frame.start_beat + frame.duration_beats).shift()
        assert not (same & (frame.start_beat < prev_end - 1e-9)).any()


@pytest.mark.parametrize("role", PITCHED)
@pytest.mark.parametrize("style", STYLES)
def test_pitched_parts_stay_in_the_declared_register(style: str, role: str) -> None:
    for candidate in _result(style, role).candidates:
        low, high = candidate.metadata["register"]  # type: ignore[misc]
        assert candidate.notes.pitch.min() >= low
        assert candidate.notes.pitch.max() <= high


@pytest.mark.parametrize("role", PITCHED)
@pytest.mark.parametrize("style", STYLES)
def test_pitched_parts_are_in_the_spec_key(style: str, role: str) -> None:
    result = _result(style, role)
    key = parse_key(str(result.metadata["key"]))
    scale = np.array(key.pitch_classes)
    for candidate in result.candidates:
        notes = candidate.notes
        assert scale_consistency(notes) >= 0.9
        assert pitch_in_scale_rate(notes, key.tonic, key.mode) >= 0.9
        assert np.isin(notes.pitch % 12, scale).mean() >= 0.9  # the same, checked directly


@pytest.mark.parametrize("style", STYLES)
def test_drum_parts_repeat_their_groove_bar_to_bar(style: str) -> None:
    values = []
    for candidate in _result(style, "drums").candidates:
        assert groove_consistency(candidate.notes) >= 0.9
        direct = _bar_consistency(candidate.notes)
        assert direct >= 0.85
        values.append(direct)
    assert np.mean(values) >= 0.9


@pytest.mark.parametrize("style", STYLES)
def test_bass_plays_the_chord_root_on_the_downbeat_of_most_bars(style: str) -> None:
    result = _result(style, "bass")
    schedule = result.metadata["chord_schedule"]
    assert isinstance(schedule, list)
    for candidate in result.candidates:
        notes = candidate.notes
        agree = 0
        for bar in range(BARS):
            t0 = bar * 4.0
            symbol = [c["chord"] for c in schedule if c["beat"] <= t0 + 1e-9][-1]
            root = parse_chord(symbol).bass
            sounding = (notes.start_beat <= t0 + 0.01) & (notes.end_beat > t0 + 0.01)
            early = (notes.start_beat >= t0 - 0.05) & (notes.start_beat < t0 + 1.0)
            if sounding.any():
                agree += int(notes.pitch[sounding][-1] % 12 == root)
            elif early.any():
                agree += int(notes.pitch[early][np.argmin(notes.start_beat[early])] % 12 == root)
        assert agree >= 0.75 * BARS, f"{style} candidate {candidate.index}: {agree}/{BARS}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("style", STYLES)
def test_sixteen_seeds_give_at_least_twelve_distinct_candidates(style: str, role: str) -> None:
    candidates = _result(style, role).candidates
    assert len({content_id(c.notes) for c in candidates}) >= 12
    # and they differ in what is played, not only in velocities
    shapes = {
        (c.notes.pitch.tobytes(), np.round(c.notes.start_beat, 3).tobytes()) for c in candidates
    }
    assert len(shapes) >= 12


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("style", STYLES)
def test_same_seed_gives_the_same_content_id(style: str, role: str) -> None:
    first = _result(style, role).candidates[3]
    spec = default_spec(style, bars=BARS)
    again = EmbeddedBackend().generate(
        GenerationRequest(
            role=role,
            bars=BARS,
            seed=2024,
            style=style,
            bpm=spec.global_spec.bpm,
            key=spec.global_spec.key,
            spec=spec,
            num_candidates=4,
        )
    )
    assert content_id(again.candidates[3].notes) == content_id(first.notes)
