from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storpheus.backends.base import Candidate
from storpheus.errors import ChordParseError, KeyEstimationError, KeyParseError, TheoryError
from storpheus.notes import NoteArray
from storpheus.score import Score, Track
from storpheus.theory import (
    CHURCH_MODES,
    MAJOR_KEY_NAMES,
    MAJOR_MINOR_ALIASES,
    MINOR_KEY_NAMES,
    MIXED_NAMES,
    MODES,
    PROFILES,
    SEVEN_NOTE_MODES,
    Chord,
    Key,
    RomanNumeral,
    canonical_mode,
    chord_quality,
    diatonic_chord,
    diatonic_chords,
    estimate_key,
    interval_between,
    is_minor_mode,
    key_correlations,
    key_fit,
    midi_pitch,
    mode_profile,
    note_name,
    parse_chord,
    parse_key,
    pitch_class,
    pitch_class_histogram,
    pitch_name,
    roman_chord,
    scale_pitch_classes,
    spell_on_letter,
    split_note_name,
    split_roman,
)

# ------------------------------------------------------------------ pitch names


@pytest.mark.parametrize(
    ("name", "pc"),
    [
        ("C", 0),
        ("c", 0),
        ("C#", 1),
        ("Db", 1),
        ("D♭", 1),
        ("E#", 5),
        ("Fb", 4),
        ("Cb", 11),
        ("B#", 0),
        ("F##", 7),
        ("Fx", 7),
        ("Bbb", 9),
        ("B-", 10),
        (" G ", 7),
    ],
)
def test_pitch_class_reads_letters_and_accidentals(name, pc):
    assert pitch_class(name) == pc


@pytest.mark.parametrize("bad", ["", "H", "C#m", "7", "Cmaj"])
def test_pitch_class_refuses_text_that_is_not_a_note_name(bad):
    with pytest.raises(TheoryError):
        pitch_class(bad)


def test_note_names_spell_with_sharps_or_flats():
    assert [note_name(pc) for pc in (1, 6, 10)] == ["C#", "F#", "A#"]
    assert [note_name(pc, flats=True) for pc in (1, 6, 10)] == ["Db", "Gb", "Bb"]
    assert note_name(13) == "C#"


def test_scientific_pitch_names_round_trip_over_the_midi_range():
    for pitch in range(128):
        assert midi_pitch(pitch_name(pitch)) == pitch
        assert midi_pitch(pitch_name(pitch, flats=True)) == pitch
    assert midi_pitch("C4") == 60
    assert midi_pitch("A-1") == 9
    assert midi_pitch("Cb4") == 59


@pytest.mark.parametrize("bad", ["C", "H4", "C10", "G#9"])
def test_midi_pitch_refuses_names_without_octave_or_out_of_range(bad):
    with pytest.raises(TheoryError):
        midi_pitch(bad)


def test_interval_between_takes_the_shortest_signed_way():
    assert interval_between(0, 7) == -5
    assert interval_between(7, 0) == 5
    assert interval_between(0, 6) == 6
    assert interval_between(11, 0) == 1
    assert interval_between(4, 4) == 0


# ------------------------------------------------------------------------- keys


@pytest.mark.parametrize(
    ("text", "tonic", "mode", "name"),
    [
        ("F# minor", 6, "minor", "F# minor"),
        ("Eb major", 3, "major", "Eb major"),
        ("A dorian", 9, "dorian", "A dorian"),
        ("Am", 9, "minor", "A minor"),
        ("am", 9, "minor", "A minor"),
        ("C", 0, "major", "C major"),
        ("CM", 0, "major", "C major"),
        ("Bbm", 10, "minor", "Bb minor"),
        ("Bb", 10, "major", "Bb major"),
        ("C#min", 1, "minor", "C# minor"),
        ("D Mixolydian", 2, "mixolydian", "D mixolydian"),
        ("E aeolian", 4, "minor", "E minor"),
        ("G ionian", 7, "major", "G major"),
        ("c# harmonic minor", 1, "harmonic minor", "C# harmonic minor"),
        ("A melodic_minor", 9, "melodic minor", "A melodic minor"),
        ("E minor pentatonic", 4, "minor pentatonic", "E minor pentatonic"),
        ("B- major", 10, "major", "Bb major"),
        ("Gb major", 6, "major", "Gb major"),
        ("A-minor", 9, "minor", "A minor"),
        ("  F:  lydian ", 5, "lydian", "F lydian"),
    ],
)
def test_parse_key_reads_common_key_names(text, tonic, mode, name):
    key = parse_key(text)
    assert (key.tonic, key.mode) == (tonic, mode)
    assert key.name == name


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("H major", "tonic"),
        ("major", "tonic"),
        ("C majestic", "unknown mode"),
        ("F# minr", "unknown mode"),
        ("Cx7", "unknown mode"),
    ],
)
def test_parse_key_refuses_wrong_key_names_with_a_reason(bad, reason):
    with pytest.raises(KeyParseError, match=reason) as info:
        parse_key(bad)
    assert info.value.text == bad
    assert isinstance(info.value, ValueError)


def test_parse_key_refuses_non_strings():
    with pytest.raises(KeyParseError, match="string"):
        parse_key(5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("key", "pcs"),
    [
        ("C major", (0, 2, 4, 5, 7, 9, 11)),
        ("A minor", (9, 11, 0, 2, 4, 5, 7)),
        ("D dorian", (2, 4, 5, 7, 9, 11, 0)),
        ("E phrygian", (4, 5, 7, 9, 11, 0, 2)),
        ("F lydian", (5, 7, 9, 11, 0, 2, 4)),
        ("G mixolydian", (7, 9, 11, 0, 2, 4, 5)),
        ("B locrian", (11, 0, 2, 4, 5, 7, 9)),
        ("A harmonic minor", (9, 11, 0, 2, 4, 5, 8)),
        ("A melodic minor", (9, 11, 0, 2, 4, 6, 8)),
        ("C major pentatonic", (0, 2, 4, 7, 9)),
        ("A minor pentatonic", (9, 0, 2, 4, 7)),
        ("A blues", (9, 0, 2, 3, 4, 7)),
    ],
)
def test_scales_list_their_pitch_classes_from_the_tonic(key, pcs):
    assert scale_pitch_classes(key) == pcs
    assert parse_key(key).mask.sum() == len(pcs)


def test_church_modes_share_the_pitch_classes_of_their_parent_major():
    parent = set(parse_key("C major").pitch_classes)
    for text in ("D dorian", "E phrygian", "F lydian", "G mixolydian", "A minor", "B locrian"):
        assert set(parse_key(text).pitch_classes) == parent


@given(st.integers(0, 11), st.sampled_from(sorted(MODES)))
def test_key_names_parse_back_to_the_same_key(tonic, mode):
    key = Key(tonic, mode)
    assert parse_key(key.name) == key
    assert parse_key(key.name).name == key.name


def test_conventional_spellings_follow_the_key_signature():
    assert [Key(pc, "major").name for pc in (1, 3, 6, 8, 10)] == [
        "Db major",
        "Eb major",
        "F# major",
        "Ab major",
        "Bb major",
    ]
    assert [Key(pc, "minor").name for pc in (1, 3, 6, 8, 10)] == [
        "C# minor",
        "Eb minor",
        "F# minor",
        "G# minor",
        "Bb minor",
    ]
    assert Key(0, "dorian").name == "C dorian"
    assert Key(10, "mixolydian").name == "Bb mixolydian"


def test_key_equality_ignores_spelling_and_estimation_fields():
    assert parse_key("Gb major") == parse_key("F# major")
    assert Key(0, "major", correlation=0.9) == Key(0, "ionian")


def test_key_construction_validates_tonic_and_mode():
    with pytest.raises(TheoryError, match="tonic"):
        Key(12)
    with pytest.raises(TheoryError, match="tonic"):
        Key(True)  # type: ignore[arg-type]
    with pytest.raises(TheoryError, match="unknown mode"):
        Key(0, "bebop")


def test_relative_and_parallel_keys():
    assert parse_key("C major").relative == parse_key("A minor")
    assert parse_key("F# minor").relative == parse_key("A major")
    assert parse_key("D minor").parallel == parse_key("D major")
    with pytest.raises(TheoryError):
        _ = parse_key("D dorian").relative


def test_transpose_and_interval_to_between_keys():
    assert parse_key("E minor").transpose(3) == parse_key("G minor")
    assert parse_key("B major").transpose(2) == parse_key("C# major")
    assert parse_key("C major").interval_to(parse_key("G major")) == -5
    assert parse_key("A minor").interval_to(parse_key("D minor")) == 5


def test_scale_degrees_wrap_past_the_octave():
    key = parse_key("G major")
    assert [key.degree(n) for n in (1, 3, 5, 8)] == [7, 11, 2, 7]
    with pytest.raises(TheoryError):
        key.degree(0)


def test_scale_pitches_and_contains():
    key = parse_key("C major")
    assert key.scale_pitches(60, 72).tolist() == [60, 62, 64, 65, 67, 69, 71, 72]
    assert key.contains([60, 61, 66, 71]).tolist() == [True, False, False, True]


def test_snap_moves_pitches_to_the_nearest_scale_tone():
    key = parse_key("C major")
    assert key.snap([60, 61, 63, 66, 70, 127, 0]).tolist() == [60, 60, 62, 65, 69, 127, 0]
    pent = parse_key("C major pentatonic")
    assert pent.snap([65, 66]).tolist() == [64, 67]


@given(st.integers(0, 11), st.sampled_from(sorted(MODES)), st.lists(st.integers(0, 127)))
def test_snap_always_lands_in_the_scale(tonic, mode, pitches):
    key = Key(tonic, mode)
    snapped = key.snap(pitches)
    assert key.contains(snapped).all()
    assert ((snapped >= 0) & (snapped <= 127)).all()


# ----------------------------------------------------------------------- chords


@pytest.mark.parametrize(
    ("symbol", "root", "pcs", "name"),
    [
        ("C", 0, (0, 4, 7), "C"),
        ("Am", 9, (9, 0, 4), "Am"),
        ("Am7", 9, (9, 0, 4, 7), "Am7"),
        ("F#dim", 6, (6, 9, 0), "F#dim"),
        ("Bb/D", 10, (10, 2, 5), "Bb/D"),
        ("Cmaj9", 0, (0, 4, 7, 11, 2), "Cmaj9"),
        ("G7sus4", 7, (7, 0, 2, 5), "G7sus4"),
        ("Gsus2", 7, (7, 9, 2), "Gsus2"),
        ("Dsus", 2, (2, 7, 9), "Dsus4"),
        ("Eaug", 4, (4, 8, 0), "Eaug"),
        ("E+", 4, (4, 8, 0), "Eaug"),
        ("D5", 2, (2, 9), "D5"),
        ("C6", 0, (0, 4, 7, 9), "C6"),
        ("Cm6", 0, (0, 3, 7, 9), "Cm6"),
        ("C6/9", 0, (0, 4, 7, 9, 2), "C69"),
        ("CM7", 0, (0, 4, 7, 11), "Cmaj7"),
        ("CΔ7", 0, (0, 4, 7, 11), "Cmaj7"),
        ("CMaj7", 0, (0, 4, 7, 11), "Cmaj7"),
        ("Cmaj", 0, (0, 4, 7), "C"),
        ("Cmin", 0, (0, 3, 7), "Cm"),
        ("C-7", 0, (0, 3, 7, 10), "Cm7"),
        ("Bm7b5", 11, (11, 2, 5, 9), "Bm7b5"),
        ("Bø", 11, (11, 2, 5, 9), "Bm7b5"),
        ("Bø7", 11, (11, 2, 5, 9), "Bm7b5"),
        ("C°7", 0, (0, 3, 6, 9), "Cdim7"),
        ("Cdim7", 0, (0, 3, 6, 9), "Cdim7"),
        ("Co", 0, (0, 3, 6), "Cdim"),
        ("Cm(maj7)", 0, (0, 3, 7, 11), "CmMaj7"),
        ("CmM7", 0, (0, 3, 7, 11), "CmMaj7"),
        ("C7", 0, (0, 4, 7, 10), "C7"),
        ("C9", 0, (0, 4, 7, 10, 2), "C9"),
        ("Dm11", 2, (2, 5, 9, 0, 4, 7), "Dm11"),
        ("F13", 5, (5, 9, 0, 3, 7, 2), "F13"),
        ("G7b9", 7, (7, 11, 2, 5, 8), "G7b9"),
        ("C7(#9,b13)", 0, (0, 4, 7, 10, 3, 8), "C7#9b13"),
        ("Cmaj7#11", 0, (0, 4, 7, 11, 6), "Cmaj7#11"),
        ("C7#5", 0, (0, 4, 8, 10), "C7#5"),
        ("Cadd9", 0, (0, 4, 7, 2), "Cadd9"),
        ("Cmadd9", 0, (0, 3, 7, 2), "Cmadd9"),
        ("C7no3", 0, (0, 7, 10), "C7no3"),
        ("C(b9)", 0, (0, 4, 7, 10, 1), "C7b9"),
        ("Caugmaj7", 0, (0, 4, 8, 11), "Caugmaj7"),
        ("Ebm7/Gb", 3, (3, 6, 10, 1), "Ebm7/Gb"),
        ("C/E", 0, (0, 4, 7), "C/E"),
        ("am7", 9, (9, 0, 4, 7), "Am7"),
    ],
)
def test_parse_chord_reads_lead_sheet_symbols(symbol, root, pcs, name):
    chord = parse_chord(symbol)
    assert chord.root == root
    assert chord.pitch_classes == pcs
    assert chord.name == name
    assert chord.symbol == symbol


def test_slash_chords_keep_their_bass_apart_from_the_chord_tones():
    chord = parse_chord("Bb/D")
    assert chord.bass == 2
    assert chord.bass_pitch_class == 2
    assert parse_chord("C/Bb").all_pitch_classes == (10, 0, 4, 7)
    assert parse_chord("C/C").bass is None
    assert parse_chord("C").bass_pitch_class == 0


def test_chord_pitches_voice_upwards_from_the_root_with_the_bass_below():
    assert parse_chord("Am7").pitches(57).tolist() == [57, 60, 64, 67]
    assert parse_chord("Bb/D").pitches(58).tolist() == [50, 58, 62, 65]
    assert parse_chord("C/C").pitches(60).tolist() == [60, 64, 67]
    with pytest.raises(TheoryError):
        parse_chord("Am").pitches(60)


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ("", "empty"),
        ("H7", "root"),
        ("7", "root"),
        ("Cxyz", "cannot read"),
        ("Cmaj7/H", "slash bass"),
        ("C5b9", "power chord"),
    ],
)
def test_parse_chord_refuses_bad_symbols_with_a_reason(bad, reason):
    with pytest.raises(ChordParseError, match=reason) as info:
        parse_chord(bad)
    assert info.value.symbol == bad


QUALITIES = [
    "",
    "m",
    "dim",
    "aug",
    "sus2",
    "sus4",
    "5",
    "6",
    "m6",
    "7",
    "maj7",
    "m7",
    "m7b5",
    "dim7",
    "mMaj7",
    "7sus4",
    "9",
    "maj9",
    "m9",
    "11",
    "13",
    "add9",
    "7b9",
    "7#9",
]


@given(st.integers(0, 11), st.sampled_from(QUALITIES), st.none() | st.integers(0, 11))
def test_chord_names_parse_back_to_the_same_chord(root, quality, bass):
    chord = parse_chord(f"{note_name(root, flats=root in (3, 10))}{quality}")
    if bass is not None:
        chord = parse_chord(f"{chord.name}/{note_name(bass)}")
    again = parse_chord(chord.name)
    assert again == chord
    assert again.root == root


@given(st.sampled_from(QUALITIES), st.integers(-24, 24))
def test_transposing_a_chord_moves_every_pitch_class(quality, semitones):
    chord = parse_chord(f"C{quality}/E")
    moved = chord.transpose(semitones)
    assert moved.pitch_classes == tuple((pc + semitones) % 12 for pc in chord.pitch_classes)
    assert moved.bass == (4 + semitones) % 12
    assert parse_chord(moved.name) == moved


def test_chord_contains_checks_chord_tones_and_bass():
    chord = parse_chord("Am/G")
    assert chord.contains([57, 60, 64, 67, 62]).tolist() == [True, True, True, True, False]


# ---------------------------------------------------------------- roman numerals


@pytest.mark.parametrize(
    ("numeral", "key", "name"),
    [
        ("I", "C major", "C"),
        ("ii", "C major", "Dm"),
        ("ii7", "C major", "Dm7"),
        ("V7", "C major", "G7"),
        ("vi", "C major", "Am"),
        ("vii°", "C major", "Bdim"),
        ("viiø7", "C major", "Bm7b5"),
        ("bVII", "C major", "Bb"),
        ("IVmaj7", "F major", "Bbmaj7"),
        ("i", "A minor", "Am"),
        ("III", "A minor", "C"),
        ("V7", "A minor", "E7"),
        ("#iv°", "C major", "F#dim"),
        ("I", "D dorian", "D"),
    ],
)
def test_roman_numerals_name_chords_in_a_key(numeral, key, name):
    assert roman_chord(numeral, key).name == name


def test_roman_numerals_refuse_non_numerals_and_non_heptatonic_keys():
    with pytest.raises(ChordParseError, match="Roman numeral"):
        roman_chord("VIII", "C major")
    with pytest.raises(ChordParseError, match="seven-note"):
        roman_chord("I", "C major pentatonic")
    with pytest.raises(KeyParseError):
        roman_chord("I", "C majestic")


def test_diatonic_chords_stack_thirds_on_each_degree():
    assert [c.name for c in diatonic_chords("C major")] == [
        "C",
        "Dm",
        "Em",
        "F",
        "G",
        "Am",
        "Bdim",
    ]
    sevenths = [c.quality for c in diatonic_chords("C major", sevenths=True)]
    assert sevenths == ["maj7", "m7", "m7", "maj7", "7", "m7", "m7b5"]
    harmonic = [c.quality for c in diatonic_chords("A harmonic minor", sevenths=True)]
    assert harmonic == ["mMaj7", "m7b5", "augmaj7", "m7", "7", "maj7", "dim7"]
    for chord in diatonic_chords("E phrygian", sevenths=True):
        assert parse_chord(chord.name) == chord


# ------------------------------------------------------------------ key finding


def _notes(pitches, durations=None, channel=0):
    n = len(pitches)
    dur = np.ones(n) if durations is None else np.asarray(durations, dtype=float)
    starts = np.concatenate([[0.0], np.cumsum(dur)[:-1]])
    return NoteArray(pitches, 90, starts, dur, channel=channel)


def test_estimate_key_finds_a_major_scale_and_a_harmonic_minor_scale():
    major = _notes([60, 62, 64, 65, 67, 69, 71, 72, 67, 64, 60], [2, 1, 1, 1, 2, 1, 1, 2, 1, 1, 3])
    assert estimate_key(major) == parse_key("C major")
    minor = _notes([69, 71, 72, 74, 76, 77, 80, 81, 76, 72, 69], [2, 1, 1, 1, 2, 1, 1, 2, 1, 1, 3])
    assert estimate_key(minor) == parse_key("A minor")


def test_estimate_key_reports_correlation_and_confidence():
    key = estimate_key(_notes([60, 64, 67, 72, 65, 69, 67, 71, 74, 60]))
    assert key.correlation is not None
    assert key.confidence is not None
    assert -1.0 <= key.correlation <= 1.0
    assert 0.0 <= key.confidence <= 1.0
    corr = key_correlations(pitch_class_histogram(_notes([60, 64, 67, 72, 65, 69, 67, 71, 74, 60])))
    assert key.correlation == pytest.approx(float(corr.max()))


def test_estimate_key_weights_pitch_classes_by_duration():
    pitches = [60, 64, 67, 69, 72, 76, 79, 81]
    short_a = _notes(pitches, [4, 4, 4, 0.25, 4, 4, 4, 0.25])
    long_a = _notes(pitches, [0.25, 1, 0.25, 6, 0.25, 4, 0.25, 6])
    assert estimate_key(short_a) == parse_key("C major")
    assert estimate_key(long_a) == parse_key("A minor")
    assert estimate_key(long_a, weighting="count") != estimate_key(long_a)


def test_estimate_key_excludes_drums():
    melody = _notes([62, 66, 69, 74, 73, 71, 69, 66, 64, 62], [2, 1, 1, 2, 1, 1, 1, 1, 1, 3])
    kit = _notes([37, 39, 42, 44, 46, 49, 51] * 8, channel=9)
    score = Score(
        (Track("kit", kit.with_channel(9), is_drum=True), Track("lead", melody)),
    )
    assert estimate_key(score) == parse_key("D major")
    assert estimate_key(NoteArray.concat([melody, kit])) == parse_key("D major")
    assert estimate_key(score.tracks[1]) == parse_key("D major")
    assert estimate_key(Candidate(0, 1, NoteArray.concat([melody, kit]))) == parse_key("D major")


def test_estimate_key_raises_typed_errors_when_there_is_nothing_to_analyse():
    with pytest.raises(KeyEstimationError, match="no pitched notes"):
        estimate_key(NoteArray.empty())
    with pytest.raises(KeyEstimationError, match="no pitched notes"):
        estimate_key(_notes([36, 38, 42], channel=9))
    with pytest.raises(KeyEstimationError, match="equal weight"):
        estimate_key(_notes(list(range(60, 72))))


def test_profiles_are_rotated_so_tonic_t_weights_pc_with_profile_of_pc_minus_t():
    rng = np.random.default_rng(3)
    hist = rng.random(12)
    corr = key_correlations(hist, "krumhansl")
    major, minor = (np.asarray(p) for p in PROFILES["krumhansl"])
    for tonic in range(12):
        rotated_major = np.array([major[(pc - tonic) % 12] for pc in range(12)])
        rotated_minor = np.array([minor[(pc - tonic) % 12] for pc in range(12)])
        assert corr[tonic] == pytest.approx(np.corrcoef(hist, rotated_major)[0, 1])
        assert corr[12 + tonic] == pytest.approx(np.corrcoef(hist, rotated_minor)[0, 1])


def test_key_correlations_are_batched_and_nan_without_variance():
    hists = np.array([np.ones(12), np.eye(12)[0], np.zeros(12)])
    corr = key_correlations(hists)
    assert corr.shape == (3, 24)
    assert np.isnan(corr[0]).all()
    assert np.isnan(corr[2]).all()
    assert np.isfinite(corr[1]).all()
    with pytest.raises(TheoryError):
        key_correlations(np.ones(11))


@given(
    st.lists(st.integers(24, 100), min_size=2, max_size=40),
    st.integers(-12, 12),
    st.integers(0, 11),
    st.sampled_from(["major", "minor", "dorian", "mixolydian", "harmonic minor"]),
)
def test_key_fit_is_unchanged_when_music_and_key_are_transposed_together(
    pitches, shift, tonic, mode
):
    notes = _notes(pitches, [0.5 + (i % 3) for i in range(len(pitches))])
    key = Key(tonic, mode)
    before = key_fit(pitch_class_histogram(notes), key)
    after = key_fit(pitch_class_histogram(notes.transpose(shift)), key.transpose(shift))
    assert np.array_equal(before, after, equal_nan=True)


@given(st.lists(st.integers(24, 100), min_size=3, max_size=40), st.integers(-12, 12))
def test_estimated_key_moves_with_a_transposition(pitches, shift):
    notes = _notes(pitches, [1 + (i % 4) for i in range(len(pitches))])
    try:
        key = estimate_key(notes)
    except KeyEstimationError:
        return
    moved = estimate_key(notes.transpose(shift))
    if key.confidence and key.confidence > 1e-9:
        assert moved == key.transpose(shift)


def test_mode_profiles_swap_the_weights_of_altered_degrees():
    major = np.asarray(PROFILES["krumhansl"][0])
    minor = np.asarray(PROFILES["krumhansl"][1])
    mixo = mode_profile("mixolydian", "krumhansl")
    assert mixo[10] == major[11]
    assert mixo[11] == major[10]
    dorian = mode_profile("dorian", "krumhansl")
    assert (dorian[9], dorian[8]) == (minor[8], minor[9])
    assert np.array_equal(mode_profile("major pentatonic", "krumhansl"), major)
    locrian = mode_profile("locrian", "krumhansl")
    assert (locrian[1], locrian[6]) == (minor[2], minor[7])
    with pytest.raises(TheoryError, match="unknown key profile"):
        mode_profile("major", "nonsense")  # type: ignore[arg-type]


def test_key_fit_prefers_the_right_mode_on_modal_material():
    dorian_line = _notes([62, 64, 65, 67, 69, 71, 72, 74, 69, 62], [3, 1, 1, 1, 2, 2, 1, 2, 1, 4])
    hist = pitch_class_histogram(dorian_line)
    fit_dorian = key_fit(hist, parse_key("D dorian"))
    fit_aeolian = key_fit(hist, parse_key("D minor"))
    assert float(fit_dorian) > float(fit_aeolian)


def test_chord_is_a_frozen_value():
    chord = Chord(0, "", (0, 4, 7))
    with pytest.raises(AttributeError):
        chord.root = 2  # type: ignore[misc]


@settings(max_examples=300)
@given(st.text(max_size=12))
def test_parse_key_returns_a_key_or_raises_key_parse_error_for_any_text(text):
    try:
        key = parse_key(text)
    except KeyParseError:
        return
    assert parse_key(key.name) == key


@settings(max_examples=300)
@given(st.text(alphabet="ABCDEFGabcdefgmMj7913b#+-°øΔ/()susadno5,", max_size=10))
def test_parse_chord_returns_a_chord_or_raises_chord_parse_error_for_any_text(text):
    try:
        chord = parse_chord(text)
    except ChordParseError:
        return
    assert chord.pitch_classes[0] == chord.root
    assert all(0 <= pc <= 11 for pc in chord.all_pitch_classes)


# ------------------------------------------- shared vocabulary for the callers


def test_split_note_name_can_limit_the_accidentals_it_reads():
    assert split_note_name("Cbbb") == (9, "")
    assert split_note_name("Cbbb", signs="#b♯♭", max_accidentals=2) == (10, "b")
    assert split_note_name("Cx", signs="#b♯♭") == (0, "x")
    assert split_note_name("B-7", dash_is_flat=False, signs="#b") == (11, "-7")


@pytest.mark.parametrize(
    ("pc", "letter", "spelled"),
    [
        (10, "B", "Bb"),
        (11, "C", "Cb"),
        (5, "E", "E#"),
        (7, "F", "F##"),
        (2, "E", "Ebb"),
        (0, "c", "C"),
    ],
)
def test_spell_on_letter_uses_up_to_two_accidentals(pc, letter, spelled):
    assert spell_on_letter(pc, letter) == spelled
    assert pitch_class(spelled) == pc


@pytest.mark.parametrize(("pc", "letter"), [(3, "A"), (0, "H"), (0, "")])
def test_spell_on_letter_refuses_what_needs_more_accidentals_or_no_letter(pc, letter):
    with pytest.raises(TheoryError):
        spell_on_letter(pc, letter)


def test_spelling_tables_name_every_pitch_class_once():
    for names in (MAJOR_KEY_NAMES, MINOR_KEY_NAMES, MIXED_NAMES):
        assert [pitch_class(n) for n in names] == list(range(12))
    assert (MIXED_NAMES[1], MIXED_NAMES[8], MAJOR_KEY_NAMES[1], MINOR_KEY_NAMES[8]) == (
        "C#",
        "Ab",
        "Db",
        "G#",
    )


def test_canonical_mode_can_keep_a_smaller_vocabulary():
    assert canonical_mode("Mixo") == "mixolydian"
    assert canonical_mode("harm  minor") == "harmonic minor"
    assert canonical_mode("AEOLIAN", modes=CHURCH_MODES, aliases=MAJOR_MINOR_ALIASES) == "minor"
    with pytest.raises(TheoryError, match="known modes: major, minor, dorian"):
        canonical_mode("mixo", modes=CHURCH_MODES, aliases=MAJOR_MINOR_ALIASES)
    with pytest.raises(TheoryError, match="unknown mode 'harmonic minor'"):
        canonical_mode("harmonic minor", modes=CHURCH_MODES)
    with pytest.raises(TheoryError):
        canonical_mode("melodic-minor", modes=SEVEN_NOTE_MODES, separators="")
    assert canonical_mode("melodic-minor", modes=SEVEN_NOTE_MODES) == "melodic minor"


def test_mode_families_and_parent_scales():
    assert len(SEVEN_NOTE_MODES) == 9
    assert SEVEN_NOTE_MODES[:7] == CHURCH_MODES
    assert [m for m in SEVEN_NOTE_MODES if is_minor_mode(m)] == [
        "minor",
        "dorian",
        "phrygian",
        "locrian",
        "harmonic minor",
        "melodic minor",
    ]
    assert parse_key("E phrygian").is_minor
    assert not parse_key("G mixolydian").is_minor
    assert parse_key("D dorian").parent_tonic == 0
    assert parse_key("F# minor").parent_tonic == 9
    assert parse_key("C harmonic minor").parent_tonic is None


def test_chord_quality_names_the_usual_shapes_only():
    assert chord_quality((0, 4, 7)) == ""
    assert chord_quality((0, 3, 6, 10)) == "m7b5"
    assert chord_quality((0, 3, 7, 14)) == "madd9"
    assert chord_quality((0, 1, 2)) is None
    for shape in [(0, 4, 7, 11), (0, 3, 7, 10, 14), (0, 5, 7), (0, 7), (0, 3, 7, 11)]:
        assert parse_chord(f"C{chord_quality(shape)}").intervals == shape


@pytest.mark.parametrize(
    ("symbol", "root", "intervals", "bass"),
    [
        ("Am7", 9, (0, 3, 7, 10), None),
        ("C(b9)", 0, (0, 4, 7, 13), None),  # tensions are literal: no implied seventh
        ("C(9)", 0, (0, 4, 7, 14), None),
        ("C7(13)", 0, (0, 4, 7, 10, 21), None),
        ("Cadd13", 0, (0, 4, 7, 21), None),
        ("C(11)", 0, (0, 4, 7, 10, 17), None),  # a plain 11 brings the minor seventh
        ("E7#9", 4, (0, 4, 7, 10, 15), None),
        ("C7b5", 0, (0, 4, 6, 10), None),
        ("Ebm(add9)", 3, (0, 3, 7, 14), None),
        ("Bb/D", 10, (0, 4, 7), 2),
        ("C/C", 0, (0, 4, 7), None),
    ],
)
def test_compact_reading_reads_a_closed_vocabulary_then_literal_tensions(
    symbol, root, intervals, bass
):
    qualities = {"": "", "m": "m", "m7": "m7", "7": "7", "maj7": "maj7"}
    chord = parse_chord(symbol, qualities=qualities)
    assert (chord.root, chord.intervals, chord.bass) == (root, intervals, bass)


def test_compact_reading_maps_each_type_to_the_lead_sheet_symbol_it_means():
    assert parse_chord("CΔ", qualities={"Δ": "maj7"}).intervals == (0, 4, 7, 11)
    assert parse_chord("Cm13", qualities={"m13": "m9add13"}).intervals == (0, 3, 7, 10, 14, 21)
    assert parse_chord("Cm13").intervals == (0, 3, 7, 10, 14, 17, 21)


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ("", "empty"),
        ("Hm", "root note"),
        ("Cbbb", "cannot read 'b'"),  # two accidentals at most
        ("C7(#9,b13)", "cannot read ',b13"),
        ("C m7", "cannot read ' m7'"),  # no clean-up of spaces
        ("C/E x", "after the bass note"),
        ("Cmaj7", "cannot read 'aj7'"),  # only the listed types
    ],
)
def test_compact_reading_refuses_what_it_cannot_read(bad, reason):
    with pytest.raises(ChordParseError, match=reason):
        parse_chord(bad, qualities={"": "", "m": "m", "7": "7"})


def test_split_roman_reads_degree_alteration_case_and_suffix():
    assert split_roman(" bVIImaj7") == RomanNumeral(7, -1, True, "maj7")
    assert split_roman("iiø7") == RomanNumeral(2, 0, False, "ø7")
    assert split_roman("♯iv°") == RomanNumeral(4, 1, False, "°")
    with pytest.raises(ChordParseError, match="Roman numeral"):
        split_roman("X7")


@given(
    tonic=st.integers(0, 11),
    mode=st.sampled_from(CHURCH_MODES),
    degree=st.integers(1, 7),
    seventh=st.booleans(),
    ninth=st.booleans(),
)
def test_diatonic_chord_stays_in_the_scale_and_its_name_parses_back(
    tonic, mode, degree, seventh, ninth
):
    key = Key(tonic, mode)
    chord = diatonic_chord(key, degree, seventh=seventh, ninth=ninth)
    assert chord.root == key.degree(degree)
    assert set(chord.pitch_classes) <= set(key.pitch_classes)
    assert len(chord.intervals) == 3 + int(seventh or ninth) + int(ninth and 14 in chord.intervals)
    assert parse_chord(chord.name) == chord


def test_diatonic_chord_names_unusual_shapes_by_their_intervals():
    chord = diatonic_chord("A harmonic minor", 3, ninth=True)
    assert chord.name == "C(0,4,8,11,14)"
    assert diatonic_chords("C major", sevenths=True)[4] == diatonic_chord(
        "C major", 5, seventh=True
    )
