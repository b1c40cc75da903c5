"""Every metric of storpheus.scoring.metrics against MusPy 0.5 on the same music.

Real material: Bach chorales exported from the music21 corpus to MIDI and
read by both libraries. Generated material: multi-track parts from the
seeded test backend, written to MIDI by storpheus and read by both. Edge
cases and hypothesis-generated music are built as ``muspy.Music`` objects
directly from the same ticks.
"""

from __future__ import annotations

import math
from pathlib import Path

import muspy
import numpy as np
import pretty_midi
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storpheus.backends.base import GenerationRequest
from storpheus.backends.testing import SeededTestBackend
from storpheus.io import read_midi, write_midi
from storpheus.notes import NoteArray
from storpheus.score import Score, TimeSignature, Track
from storpheus.scoring import METRIC_NAMES, compute_metrics, metrics_frame
from storpheus.scoring import metrics as sm
from storpheus.theory import Key

MEASURE = 4  # beats per measure used for the measure metrics


def muspy_values(music, measure_resolution, root=2, mode="major"):
    """The 14 MusPy metrics, with MusPy's own exceptions turned into the string 'raises'."""
    calls = {
        "pitch_range": lambda: muspy.pitch_range(music),
        "n_pitches_used": lambda: muspy.n_pitches_used(music),
        "n_pitch_classes_used": lambda: muspy.n_pitch_classes_used(music),
        "polyphony": lambda: muspy.polyphony(music),
        "polyphony_rate": lambda: muspy.polyphony_rate(music),
        "polyphony_rate_1": lambda: muspy.polyphony_rate(music, threshold=1),
        "pitch_in_scale_rate": lambda: muspy.pitch_in_scale_rate(music, root, mode),
        "scale_consistency": lambda: muspy.scale_consistency(music),
        "pitch_entropy": lambda: muspy.pitch_entropy(music),
        "pitch_class_entropy": lambda: muspy.pitch_class_entropy(music),
        "empty_beat_rate": lambda: muspy.empty_beat_rate(music),
        "empty_measure_rate": lambda: muspy.empty_measure_rate(music, measure_resolution),
        "groove_consistency": lambda: muspy.groove_consistency(music, measure_resolution),
        "drum_in_pattern_rate": lambda: muspy.drum_in_pattern_rate(music, "duple"),
        "drum_in_pattern_rate_triple": lambda: muspy.drum_in_pattern_rate(music, "triple"),
        "drum_pattern_consistency": lambda: muspy.drum_pattern_consistency(music),
    }
    out = {}
    for name, call in calls.items():
        try:
            out[name] = float(call())
        except ValueError:
            out[name] = "raises"
    return out


def our_values(music, measure_resolution, resolution=None, root=2, mode="major"):
    r = resolution
    return {
        "pitch_range": float(sm.pitch_range(music)),
        "n_pitches_used": float(sm.n_pitches_used(music)),
        "n_pitch_classes_used": float(sm.n_pitch_classes_used(music)),
        "polyphony": sm.polyphony(music, resolution=r),
        "polyphony_rate": sm.polyphony_rate(music, resolution=r),
        "polyphony_rate_1": sm.polyphony_rate(music, threshold=1, resolution=r),
        "pitch_in_scale_rate": sm.pitch_in_scale_rate(music, root, mode),
        "scale_consistency": sm.scale_consistency(music),
        "pitch_entropy": sm.pitch_entropy(music),
        "pitch_class_entropy": sm.pitch_class_entropy(music),
        "empty_beat_rate": sm.empty_beat_rate(music, resolution=r),
        "empty_measure_rate": sm.empty_measure_rate(music, measure_resolution, resolution=r),
        "groove_consistency": sm.groove_consistency(music, measure_resolution, resolution=r),
        "drum_in_pattern_rate": sm.drum_in_pattern_rate(music, "duple", resolution=r),
        "drum_in_pattern_rate_triple": sm.drum_in_pattern_rate(music, "triple", resolution=r),
        "drum_pattern_consistency": sm.drum_pattern_consistency(music, resolution=r),
    }


def all_at_once(music, measure_resolution, resolution=None, root=2, mode="major"):
    """compute_metrics and metrics_frame (the scorer's batch path), keyed like muspy_values."""
    kwargs = {
        "resolution": resolution,
        "key": Key(root, mode),
        "measure_resolution": measure_resolution,
        "meter": "duple",
    }
    single = compute_metrics(music, **kwargs)
    row = metrics_frame([music], **kwargs).iloc[0].to_dict()
    return single, {k: float(v) for k, v in row.items()}


def assert_same_all_at_once(music, theirs, measure_resolution, **kw):
    single, batched = all_at_once(music, measure_resolution, **kw)
    shared = {k: v for k, v in theirs.items() if k in METRIC_NAMES}
    assert_same(single, shared, context="compute_metrics: ")
    assert_same(batched, shared, context="metrics_frame: ")


def assert_same(ours, theirs, *, context=""):
    """Equal to 1e-12 (NaN == NaN); MusPy's documented misbehaviours checked separately."""
    for name, expected in theirs.items():
        got = ours[name]
        if expected == "raises":  # MusPy: max() of no tracks -> ValueError; we give NaN
            assert math.isnan(got), f"{context}{name}: expected NaN where MusPy raises, got {got}"
        elif name == "pitch_range" and expected == -127:  # MusPy: drum-only sentinel leak
            assert got == 0, f"{context}{name}: expected 0 for drum-only music, got {got}"
        elif math.isnan(expected):
            assert math.isnan(got), f"{context}{name}: expected NaN, got {got}"
        else:
            assert abs(got - expected) <= 1e-12, f"{context}{name}: {got} != MusPy {expected}"


# ------------------------------------------------------------------ real files
@pytest.fixture(scope="session")
def chorale_paths(tmp_path_factory):
    from storpheus.datasets import export_bach_chorales

    paths = export_bach_chorales(tmp_path_factory.mktemp("chorales"), limit=12)
    assert len(paths) == 12
    return paths


def test_metrics_equal_muspy_on_bach_chorales(chorale_paths):
    for path in chorale_paths:
        theirs = muspy.read_midi(path)
        score = read_midi(path)
        assert score.ticks_per_quarter == theirs.resolution
        mr = MEASURE * theirs.resolution
        expected = muspy_values(theirs, mr)
        assert_same(our_values(score, mr), expected, context=f"{path.name}: ")
        assert_same_all_at_once(score, expected, mr)


def test_metrics_equal_muspy_on_chorales_at_a_coarser_resolution(chorale_paths):
    # MusPy resamples by rounding note on/off times; a divisor of the source
    # resolution keeps both roundings exact.
    for path in chorale_paths[:4]:
        theirs = muspy.read_midi(path)
        target = theirs.resolution // 420
        theirs.adjust_resolution(target)
        mr = MEASURE * target
        ours = our_values(read_midi(path), mr, resolution=target)
        assert_same(ours, muspy_values(theirs, mr), context=f"{path.name}@{target}: ")


# ------------------------------------------------------------- generated files
def _generated_score(seed: int, roles: tuple[str, ...], tpq: int, meter=(4, 4)) -> Score:
    backend = SeededTestBackend()
    tracks = []
    for role in roles:
        request = GenerationRequest(role=role, bars=4, seed=seed, key="D major")
        notes = backend.generate(request).candidates[0].notes
        tracks.append(Track(role, notes, is_drum=role == "drums", role=role))
    return Score(
        tuple(tracks), bpm=100, time_signature=TimeSignature(*meter), ticks_per_quarter=tpq
    )


@pytest.mark.parametrize(
    ("seed", "roles", "tpq"),
    [
        (1, ("drums", "bass", "melody", "chords"), 480),
        (2, ("bass", "lead"), 96),
        (3, ("drums",), 480),
        (4, ("drums", "pads"), 220),
        (5, ("melody",), 384),
        (6, ("keys", "drums", "arp", "bass", "fx"), 960),
    ],
)
def test_metrics_equal_muspy_on_generated_midi_files(tmp_path: Path, seed, roles, tpq):
    path = write_midi(_generated_score(seed, roles, tpq), tmp_path / "generated.mid")
    theirs = muspy.read_midi(path)
    mr = MEASURE * tpq
    expected = muspy_values(theirs, mr)
    assert_same(our_values(read_midi(path), mr), expected)
    assert_same_all_at_once(read_midi(path), expected, mr)


def test_metrics_equal_muspy_through_pretty_midi(tmp_path: Path):
    path = write_midi(_generated_score(9, ("drums", "bass", "lead"), 480), tmp_path / "g.mid")
    theirs = muspy.from_pretty_midi(pretty_midi.PrettyMIDI(str(path)), resolution=480)
    # MusPy 0.5 maps the times at the resolution asked for but leaves
    # Music.resolution at its default (24); say what the ticks are.
    assert theirs.resolution == muspy.DEFAULT_RESOLUTION
    theirs.resolution = 480
    assert_same(our_values(read_midi(path), 4 * 480), muspy_values(theirs, 4 * 480))


# ------------------------------------------------------------------ edge cases
def _music(tracks, resolution=24):
    """Build the same music for both libraries from (is_drum, [(tick, pitch, dur), ...])."""
    ours = []
    theirs = []
    for i, (is_drum, notes) in enumerate(tracks):
        if notes:
            t, p, d = (np.array(col) for col in zip(*notes, strict=True))
            arr = NoteArray(p, 80, t / resolution, d / resolution)
        else:
            arr = NoteArray.empty()
        ours.append(Track(f"t{i}", arr, is_drum=is_drum))
        theirs.append(
            muspy.Track(
                is_drum=is_drum,
                notes=[muspy.Note(time=t, pitch=p, duration=d, velocity=80) for t, p, d in notes],
            )
        )
    score = Score(tuple(ours), ticks_per_quarter=resolution)
    return score, muspy.Music(resolution=resolution, tracks=theirs)


EDGE_CASES = {
    "no_tracks": [],
    "one_empty_track": [(False, [])],
    "empty_tracks_beside_notes": [(False, []), (False, [(0, 60, 24)]), (True, [])],
    "single_note": [(False, [(0, 60, 1)])],
    "single_note_late": [(False, [(100, 72, 30)])],
    "single_drum_hit": [(True, [(6, 36, 1)])],
    "drum_only": [(True, [(0, 36, 6), (6, 42, 6), (12, 38, 6), (18, 42, 6), (20, 46, 3)])],
    "drums_longer_than_melody": [(False, [(0, 60, 12)]), (True, [(0, 36, 6), (90, 38, 6)])],
    "same_pitch_overlaps": [(False, [(0, 60, 30), (10, 60, 30), (50, 60, 5)])],
    "offset_on_beat_boundary": [(False, [(0, 60, 24), (48, 62, 24)])],
    "dense_chords": [(False, [(0, p, 48) for p in (60, 64, 67, 71)] + [(24, 74, 48)])],
    "triplet_drums": [(True, [(0, 36, 2), (8, 42, 2), (16, 42, 2), (24, 38, 2)])],
    "exactly_two_measures": [(False, [(0, 60, 96), (96, 62, 96)])],
}


@pytest.mark.parametrize("case", sorted(EDGE_CASES))
def test_metrics_equal_muspy_on_edge_cases(case):
    score, theirs = _music(EDGE_CASES[case])
    expected = muspy_values(theirs, MEASURE * 24)
    assert_same(our_values(score, MEASURE * 24), expected)
    assert_same_all_at_once(score, expected, MEASURE * 24)


def test_documented_deviations_from_muspy():
    score, theirs = _music(EDGE_CASES["drum_only"])
    assert muspy.pitch_range(theirs) == -127
    assert sm.pitch_range(score) == 0
    empty, none = _music([])
    with pytest.raises(ValueError):
        muspy.empty_beat_rate(none)
    assert math.isnan(sm.empty_beat_rate(empty))
    assert math.isnan(sm.groove_consistency(empty, 96))


# ------------------------------------------------------------ property tests
@st.composite
def tick_music(draw):
    resolution = draw(st.sampled_from([1, 2, 3, 4, 12, 24, 25, 48]))
    n_tracks = draw(st.integers(1, 3))
    tracks = []
    for _ in range(n_tracks):
        is_drum = draw(st.booleans())
        notes = draw(
            st.lists(
                st.tuples(
                    st.integers(0, 12 * resolution),
                    st.integers(30, 90),
                    st.integers(1, 3 * resolution),
                ),
                max_size=25,
            )
        )
        tracks.append((is_drum, notes))
    return tracks, resolution, draw(st.integers(1, 8)) * resolution


@settings(max_examples=150)
@given(tick_music(), st.integers(0, 11), st.sampled_from(["major", "minor"]))
def test_metrics_equal_muspy_on_any_music_on_the_tick_grid(data, root, mode):
    tracks, resolution, measure = data
    score, theirs = _music(tracks, resolution)
    ours = our_values(score, measure, root=root, mode=mode)
    expected = muspy_values(theirs, measure, root=root, mode=mode)
    assert_same(ours, expected)
    assert_same_all_at_once(score, expected, measure, root=root, mode=mode)
