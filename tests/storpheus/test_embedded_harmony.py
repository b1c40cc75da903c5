"""The embedded backend's key/chord helper and its voicing engine."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from storpheus.backends.embedded.dice import Dice
from storpheus.backends.embedded.harmony import (
    NOTE_NAMES,
    chord_symbol,
    diatonic_chord,
    nearest_pitch,
    parse_chord,
    parse_key,
    shortest_shift,
)
from storpheus.backends.embedded.voicing import (
    choose_voicing,
    voice_distance,
    voicing_candidates,
)
from storpheus.theory import KEY_MODES, Key
from storpheus.theory import parse_key as theory_parse_key


@pytest.mark.parametrize(
    ("text", "tonic", "mode"),
    [
        ("C", 0, "major"),
        ("C major", 0, "major"),
        ("Am", 9, "minor"),
        ("A minor", 9, "minor"),
        ("F#m", 6, "minor"),
        ("Bb", 10, "major"),
        ("bb minor", 10, "minor"),
        ("E♭ major", 3, "major"),
        ("D dorian", 2, "dorian"),
        ("G Mixolydian", 7, "mixolydian"),
        ("C harmonic minor", 0, "harmonic minor"),
        ("Dorian D", 2, "dorian"),
        ("B-flat melodic minor", 10, "melodic minor"),
    ],
)
def test_parse_key_reads_the_usual_spellings(text: str, tonic: int, mode: str) -> None:
    assert parse_key(text) == Key(tonic, mode)


@pytest.mark.parametrize("text", ["", "H major", "C blues", "minor", "7"])
def test_parse_key_rejects_what_is_not_a_key_and_names_it(text: str) -> None:
    with pytest.raises(ValueError, match="key"):
        parse_key(text)


@pytest.mark.parametrize(
    ("symbol", "root", "intervals", "bass"),
    [
        ("C", 0, (0, 4, 7), 0),
        ("Am7", 9, (0, 3, 7, 10), 9),
        ("F#dim", 6, (0, 3, 6), 6),
        ("Bb/D", 10, (0, 4, 7), 2),
        ("Cmaj9", 0, (0, 4, 7, 11, 14), 0),
        ("G7sus4", 7, (0, 5, 7, 10), 7),
        ("Dm7b5", 2, (0, 3, 6, 10), 2),
        ("E7#9", 4, (0, 4, 7, 10, 15), 4),
        ("C6/9", 0, (0, 4, 7, 9, 14), 0),
        ("Ebm(add9)", 3, (0, 3, 7, 14), 3),
        ("A5", 9, (0, 7), 9),
    ],
)
def test_parse_chord_reads_roots_qualities_extensions_and_slash_bass(
    symbol: str, root: int, intervals: tuple[int, ...], bass: int
) -> None:
    chord = parse_chord(symbol)
    assert (chord.root, chord.intervals, chord.bass) == (root, intervals, bass)


@pytest.mark.parametrize("symbol", ["", "Xm7", "C/H", "Cmaj7zz", "m7"])
def test_parse_chord_rejects_unreadable_symbols_naming_them(symbol: str) -> None:
    with pytest.raises(ValueError, match="chord"):
        parse_chord(symbol)


@given(
    tonic=st.integers(0, 11),
    mode=st.sampled_from(KEY_MODES),
    degree=st.integers(0, 6),
    seventh=st.booleans(),
    ninth=st.booleans(),
)
def test_diatonic_chords_stay_in_the_scale_and_their_symbols_parse_back(
    tonic: int, mode: str, degree: int, seventh: bool, ninth: bool
) -> None:
    key = Key(tonic, mode)
    chord = diatonic_chord(key, degree, seventh=seventh, ninth=ninth)
    assert set(chord.pitch_classes) <= set(key.pitch_classes)
    assert chord.root == key.pitch_classes[degree]
    if "(" not in chord.symbol:
        again = parse_chord(chord.symbol)
        assert (again.root, again.intervals) == (chord.root, chord.intervals)


@given(a=st.integers(0, 11), b=st.integers(0, 11))
def test_shortest_shift_is_the_signed_distance_of_at_most_six_semitones(a: int, b: int) -> None:
    shift = shortest_shift(a, b)
    assert -5 <= shift <= 6
    assert (a + shift) % 12 == b


@given(pc=st.integers(0, 11), target=st.floats(20, 100), low=st.integers(20, 60))
def test_nearest_pitch_has_the_class_and_stays_in_range(pc: int, target: float, low: int) -> None:
    high = low + 14
    pitch = nearest_pitch(pc, target, low, high)
    assert pitch % 12 == pc
    assert low <= pitch <= high


def test_chord_symbol_names_common_qualities() -> None:
    assert chord_symbol(9, (0, 3, 7, 10)) == "Am7"
    assert chord_symbol(10, (0, 4, 7, 11, 14)) == "Bbmaj9"
    assert NOTE_NAMES[6] == "F#"


@pytest.mark.parametrize("style", ["close", "spread", "drop2", "rootless", "shell", "power"])
@pytest.mark.parametrize("symbol", ["C", "Am7", "Fmaj9", "G7", "Bm7b5", "E5", "Dsus4"])
def test_every_voicing_fits_the_register_and_uses_chord_tones(style: str, symbol: str) -> None:
    chord = parse_chord(symbol)
    candidates = voicing_candidates(chord, style, 48, 76)
    assert candidates
    for voicing in candidates:
        assert all(48 <= p <= 76 for p in voicing)
        assert list(voicing) == sorted(voicing)
        assert {p % 12 for p in voicing} <= set(chord.pitch_classes)


def test_rootless_voicings_leave_out_the_root_of_seventh_chords() -> None:
    for voicing in voicing_candidates(parse_chord("Dm9"), "rootless", 48, 76):
        assert 2 not in {p % 12 for p in voicing}


def test_a_register_narrower_than_the_chord_still_gets_a_thinner_voicing() -> None:
    voicing = voicing_candidates(parse_chord("Cmaj9"), "spread", 60, 67)
    assert voicing
    assert all(60 <= p <= 67 for v in voicing for p in v)


def test_choose_voicing_moves_little_from_the_previous_chord() -> None:
    dice = Dice(np.random.default_rng(3))
    previous = (60, 64, 67)  # C major, root position
    voicing = choose_voicing(parse_chord("F"), "close", (48, 79), previous, dice)
    worst = max(
        voice_distance(v, previous) for v in voicing_candidates(parse_chord("F"), "close", 48, 79)
    )
    assert voice_distance(voicing, previous) <= 3
    assert voice_distance(voicing, previous) < worst


@pytest.mark.parametrize(
    ("symbol", "intervals"),
    [
        ("C(b9)", (0, 4, 7, 13)),  # tensions are added as written: no implied seventh
        ("C(9)", (0, 4, 7, 14)),
        ("C7(13)", (0, 4, 7, 10, 21)),
        ("Cm13", (0, 3, 7, 10, 14, 21)),  # the generator's minor 13th has no 11th
        ("CΔ", (0, 4, 7, 11)),
        ("C11#11", (0, 4, 7, 10, 14, 17, 18)),
        ("C5(b5)", (0, 6)),
        ("F#m7♭5", (0, 3, 6, 10)),
    ],
)
def test_parse_chord_keeps_the_generator_conventions(
    symbol: str, intervals: tuple[int, ...]
) -> None:
    assert parse_chord(symbol).intervals == intervals


@pytest.mark.parametrize("symbol", ["Cbbb", "C7(#9,b13)", "C9sus4", "C m7"])
def test_parse_chord_reads_only_the_generator_vocabulary(symbol: str) -> None:
    with pytest.raises(ValueError, match="cannot read"):
        parse_chord(symbol)


@pytest.mark.parametrize(
    "text",
    ["C dor", "C natural minor", "C harmonic minor", "C-minor", "Dorian C", "CM", "Db major"],
)
def test_parse_key_reads_the_one_key_vocabulary(text: str) -> None:
    # the backend accepts every key a prompt or a tool accepts, and reads it the same way
    assert parse_key(text) == theory_parse_key(text, modes=KEY_MODES)
    assert parse_key(text).name == theory_parse_key(text).name


@pytest.mark.parametrize("text", ["C blues", "A minor pentatonic"])
def test_parse_key_refuses_modes_without_seven_degrees(text: str) -> None:
    with pytest.raises(ValueError, match="unknown mode"):
        parse_key(text)


def test_keys_keep_the_spelling_they_were_written_with() -> None:
    assert parse_key("Db major").name == "Db major"
    assert parse_key("G# minor").name == "G# minor"
    assert parse_key("CM") == Key(0, "major")  # upper-case M is major, as everywhere
    assert parse_key("Gb").pitch_classes == (6, 8, 10, 11, 1, 3, 5)
