"""Building blocks of the embedded renderers: clean-up, swing, dice, styles, grooves, motifs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storpheus.backends.embedded import default_constraints, default_spec, get_style, style_names
from storpheus.backends.embedded.dice import Dice
from storpheus.backends.embedded.drum_fills import FILLS, render_fill
from storpheus.backends.embedded.grooves import GROOVES, groove_for, parse_pattern, pattern_grid
from storpheus.backends.embedded.harmony import parse_key
from storpheus.backends.embedded.motif import extract_motif, invent_motif, vary
from storpheus.backends.embedded.notebuf import NoteBuffer, apply_swing, finalize
from storpheus.backends.embedded.patterns import BASS_PATTERNS, COMP_PATTERNS, parse_steps
from storpheus.notes import NoteArray
from storpheus.spec import EmotionVector
from storpheus.styles import ROLES, normalise_style, resolve_style


# ------------------------------------------------------------------ clean-up
def test_finalize_trims_a_note_where_the_next_note_of_its_pitch_starts() -> None:
    buf = NoteBuffer()
    buf.add(60, 90, 0.0, 2.0)
    buf.add(60, 80, 1.0, 1.0)
    buf.add(64, 70, 0.5, 4.0)
    notes = finalize(buf, channel=2, total_beats=4.0)
    assert notes.to_dicts() == [
        {"pitch": 60, "velocity": 90, "channel": 2, "start_beat": 0.0, "duration_beats": 1.0},
        {"pitch": 64, "velocity": 70, "channel": 2, "start_beat": 0.5, "duration_beats": 3.5},
        {"pitch": 60, "velocity": 80, "channel": 2, "start_beat": 1.0, "duration_beats": 1.0},
    ]


def test_finalize_keeps_the_loudest_of_notes_sharing_pitch_and_onset() -> None:
    buf = NoteBuffer()
    buf.add_arrays([60, 60, 60], [50, 100, 70], 1.0, 0.5)
    notes = finalize(buf, channel=0, total_beats=4.0)
    assert notes.velocity.tolist() == [100]


def test_finalize_folds_pitches_into_the_register_and_drops_notes_outside_the_span() -> None:
    buf = NoteBuffer()
    buf.add(40, 90, 0.0, 1.0)  # E2 -> folded up to E4 range
    buf.add(90, 90, 1.0, 1.0)  # F#6 -> folded down
    buf.add(60, 90, 4.0, 1.0)  # starts at the end of the span: dropped
    notes = finalize(buf, channel=0, total_beats=4.0, register=(60, 72))
    assert notes.pitch.tolist() == [64, 66]


@settings(max_examples=60)
@given(
    pitch=st.lists(st.integers(30, 90), min_size=1, max_size=40),
    data=st.data(),
)
def test_finalize_never_leaves_overlaps_or_out_of_range_notes(
    pitch: list[int], data: st.DataObject
) -> None:
    n = len(pitch)
    start = data.draw(st.lists(st.floats(-1, 9), min_size=n, max_size=n))
    dur = data.draw(st.lists(st.floats(0.01, 6), min_size=n, max_size=n))
    vel = data.draw(st.lists(st.integers(-10, 140), min_size=n, max_size=n))
    buf = NoteBuffer()
    buf.add_arrays(pitch, vel, start, dur)
    notes = finalize(buf, channel=3, total_beats=8.0, register=(48, 72), velocity_bounds=(20, 110))
    assert notes.is_sorted()
    if len(notes):
        assert notes.pitch.min() >= 48
        assert notes.pitch.max() <= 72
        assert notes.velocity.min() >= 20
        assert notes.velocity.max() <= 110
        assert notes.start_beat.min() >= 0
        assert notes.end_beat.max() <= 8.0 + 1e-9
        frame = notes.to_pandas().sort_values(["pitch", "start_beat"])
        same = frame.pitch.diff() == 0
        prev_end = (frame.start_beat + frame.duration_beats).shift()
        assert not (same & (frame.start_beat < prev_end - 1e-9)).any()


def test_swing_delays_offbeats_and_keeps_downbeats() -> None:
    onsets = np.array([0.0, 0.25, 0.5, 0.75, 1.0])
    assert apply_swing(onsets, 0.5, 0.25).tolist() == onsets.tolist()
    swung = apply_swing(onsets, 0.6, 0.25)
    assert swung.tolist() == pytest.approx([0.0, 0.3, 0.5, 0.8, 1.0])
    eighths = apply_swing(np.array([0.0, 0.5, 1.0, 1.5]), 2 / 3, 0.5)
    assert eighths.tolist() == pytest.approx([0.0, 2 / 3, 1.0, 5 / 3])


# --------------------------------------------------------------------- dice
def test_dice_draw_the_same_sequence_from_the_same_seed() -> None:
    a, b = Dice(np.random.default_rng(11)), Dice(np.random.default_rng(11))
    seq_a = [a.below(7) for _ in range(600)] + [a.weighted([1, 2, 3]) for _ in range(50)]
    seq_b = [b.below(7) for _ in range(600)] + [b.weighted([1, 2, 3]) for _ in range(50)]
    assert seq_a == seq_b
    assert set(seq_a[:600]) == set(range(7))


def test_low_temperature_sharpens_weighted_choices() -> None:
    cold = Dice(np.random.default_rng(0), temperature=0.25)
    picks = [cold.weighted([1.0, 3.0]) for _ in range(400)]
    assert np.mean(picks) > 0.95


# ------------------------------------------------------------------- styles
def test_normalise_style_lowercases_and_unifies_separators() -> None:
    assert normalise_style("  Boom_Bap ") == "boom bap"
    assert normalise_style("Drum & Bass") == "drum and bass"


@pytest.mark.parametrize(
    ("text", "name", "match"),
    [
        ("jazz", "jazz", "exact"),
        ("Bossa Nova", "bossa_nova", "exact"),
        ("dnb", "drum_and_bass", "alias"),
        ("drum & bass", "drum_and_bass", "exact"),
        ("lo-fi hip hop beats to study to", "lofi", "substring"),
        ("epic trailer music", "cinematic", "substring"),
        ("techn", "techno", "substring"),
        ("", "pop", "fallback"),
        (None, "pop", "fallback"),
        ("zydeco", "pop", "fallback"),
    ],
)
def test_resolve_style_reports_how_it_matched(text: str | None, name: str, match: str) -> None:
    resolution = resolve_style(text)
    assert (resolution.profile.id, resolution.match) == (name, match)
    assert (resolution.warning is not None) == (match == "fallback")


def test_the_planner_style_ids_all_resolve_without_fallback() -> None:
    planner_ids = [
        "lofi",
        "boom_bap",
        "house",
        "techno",
        "trap",
        "jazz",
        "bossa_nova",
        "funk",
        "ambient",
        "pop",
        "rock",
        "cinematic",
        "drum_and_bass",
        "reggaeton",
        "rnb",
        "synthwave",
    ]
    for style_id in planner_ids:
        assert resolve_style(style_id).match == "exact"


@pytest.mark.parametrize("name", style_names())
def test_every_style_profile_refers_to_known_tables(name: str) -> None:
    style = get_style(name)
    assert style.groove in GROOVES
    locked_or_walking = ("walking", "lofi", "boom_bap", "808", "dnb", "dembow")
    assert style.bass in BASS_PATTERNS or style.bass in locked_or_walking
    assert style.chords in COMP_PATTERNS
    for minor in (False, True):
        for progression in style.degree_progressions(minor):
            assert progression
            assert all(0 <= d <= 6 for d in progression)
    for role in ROLES:
        if role != "drums":
            low, high = style.register(role)
            assert 0 <= low < high <= 127
            assert high - low >= 12
    parse_key(style.default_key)


def test_default_constraints_follow_the_style_and_the_emotion() -> None:
    style = get_style("house")
    base = default_constraints(style, "melody")
    assert (base.register_low, base.register_high) == (60, 84)
    loud = default_constraints(style, "drums", EmotionVector(energy=1.0))
    quiet = default_constraints(style, "drums", EmotionVector(energy=0.0))
    assert loud.drum_density > quiet.drum_density
    assert loud.velocity_ceiling > quiet.velocity_ceiling
    tense = default_constraints(get_style("pop"), "chords", EmotionVector(tension=0.9))
    assert tense.chord_extensions


def test_default_spec_schedules_the_style_progression_in_the_key() -> None:
    spec = default_spec("pop", "G major", bars=8)
    assert [e.chord for e in spec.harmonic_spec.chord_schedule[:4]] == ["G", "D", "Em", "C"]
    assert [e.bar for e in spec.harmonic_spec.chord_schedule] == list(range(8))
    assert spec.global_spec.key == "G major"
    assert spec.style == "pop"
    ambient = default_spec("ambient", bars=8)
    assert [e.bar for e in ambient.harmonic_spec.chord_schedule] == [0, 2, 4, 6]


# ------------------------------------------------------------------ grooves
def test_pattern_grid_cuts_or_repeats_a_pattern_to_the_meter() -> None:
    assert pattern_grid("x...x...x...x...", 12).shape == (1, 12)
    two_bars = pattern_grid("x" + "." * 31, 16)
    assert two_bars.shape == (2, 16)
    assert two_bars[1].sum() == 0
    with pytest.raises(ValueError, match="unknown step"):
        parse_pattern("x.z.")


def test_every_groove_pattern_parses_and_has_sixteen_step_bars() -> None:
    for groove in GROOVES.values():
        assert groove.fills
        for layer in groove.layers:
            for variant in layer.variants:
                assert len(variant) in (16, 32), (groove.name, variant)
                parse_pattern(variant)
    assert groove_for("four_on_the_floor").name == "four_on_floor"
    assert groove_for("no such groove").name == "pop"


@pytest.mark.parametrize("name", sorted(FILLS))
def test_fills_stay_inside_their_length(name: str) -> None:
    keys, onsets, levels = render_fill(name, 2.0, Dice(np.random.default_rng(1)))
    assert len(keys) == len(onsets) == len(levels)
    assert all(0 <= t < 2.0 for t in onsets)
    assert all(35 <= k <= 81 for k in keys)


def test_step_patterns_parse_holds_and_rests() -> None:
    assert parse_steps("R-..5---O.......", 16) == ((0, 2, "R"), (4, 4, "5"), (8, 1, "O"))
    assert parse_steps("x-x-", 8) == ((0, 2, "x"), (2, 2, "x"), (4, 2, "x"), (6, 2, "x"))


# ------------------------------------------------------------------- motifs
@settings(max_examples=40)
@given(seed=st.integers(0, 2**32), vocab=st.sampled_from(["lyrical", "bebop", "trap", "sparse"]))
def test_invented_motifs_fill_their_length_exactly(seed: int, vocab: str) -> None:
    motif = invent_motif(
        Dice(np.random.default_rng(seed)), vocab, 4.0, rest_density=0.3, leap_probability=0.3
    )
    assert sum(n.duration for n in motif.notes) == pytest.approx(4.0)
    assert any(not n.rest for n in motif.notes)
    for kind in ("repeat", "steps", "invert", "rhythm", "tail"):
        varied = vary(motif, kind, Dice(np.random.default_rng(seed)), 0.3)
        assert sum(n.duration for n in varied.notes) == pytest.approx(4.0)


def test_extract_motif_reads_rhythm_and_scale_steps_from_notes() -> None:
    notes = NoteArray([60, 62, 64, 67], 90, [0.5, 1.0, 2.0, 3.0], [0.5, 1.0, 1.0, 1.0])
    motif = extract_motif(notes, parse_key("C major"), 4.0, "test")
    assert motif is not None
    assert motif.source == "test"
    assert [(n.onset, n.duration, n.rest, n.step) for n in motif.notes] == [
        (0.0, 0.5, True, 0),
        (0.5, 0.5, False, 0),
        (1.0, 1.0, False, 1),
        (2.0, 1.0, False, 1),
        (3.0, 1.0, False, 2),
    ]
    assert extract_motif(NoteArray([60], 90, [0.0], 1.0), parse_key("C"), 4.0, "x") is None
