"""Key names: every common spelling normalises to one canonical form."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from maestro_lab.prompts import InvalidKeyError, Key, normalise_key, parse_key
from maestro_lab.prompts.keys import LETTERS, MODES


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("F#m", "F# minor"),
        ("f#min", "F# minor"),
        ("F# minor", "F# minor"),
        ("F sharp minor", "F# minor"),
        ("F♯m", "F# minor"),
        ("Eb", "Eb major"),
        ("E♭", "Eb major"),
        ("Ebmaj", "Eb major"),
        ("eb major", "Eb major"),
        ("E flat", "Eb major"),
        ("G-flat minor", "Gb minor"),
        ("C major", "C major"),
        ("C ionian", "C major"),
        ("CM", "C major"),
        ("Cm", "C minor"),
        ("A aeolian", "A minor"),
        ("A natural minor", "A minor"),
        ("a Dorian", "A dorian"),
        ("D dor", "D dorian"),
        ("Bb mixo", "Bb mixolydian"),
        ("bbm", "Bb minor"),
        ("Cb", "Cb major"),
        ("E phrygian", "E phrygian"),
        ("F lydian", "F lydian"),
        ("B locrian", "B locrian"),
        ("A harmonic minor", "A harmonic minor"),
        ("C melodic minor", "C melodic minor"),
        ("  d   minor ", "D minor"),
        ("C_major", "C major"),
        ("Dorian D", "D dorian"),
        ("harmonic minor C", "C harmonic minor"),
        ("B-flat", "Bb major"),
        ("B flat melodic minor", "Bb melodic minor"),
        ("C# Harmonic Minor", "C# harmonic minor"),
    ],
)
def test_key_spellings_normalise_to_canonical_form(text: str, canonical: str) -> None:
    assert normalise_key(text) == canonical


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("H minor", "note letter"),
        ("C blues", "unknown mode 'blues'"),
        ("Abm7", "unknown mode 'm7'"),
        ("C##", "double accidentals"),
        ("Cbb", "double accidentals"),
        ("5", "note letter"),
        ("major", "note letter"),
        ("Ablorp", "unknown mode 'lorp'"),
    ],
)
def test_non_keys_raise_typed_error_with_reason(text: str, reason: str) -> None:
    with pytest.raises(InvalidKeyError) as info:
        parse_key(text)
    assert reason in str(info.value)
    assert isinstance(info.value, ValueError)


def test_key_properties() -> None:
    key = parse_key("Bbm")
    assert key == Key(10, "minor")
    assert (key.tonic, key.tonic_name) == (10, "Bb")
    assert key.is_minor
    assert key.short == "Bbm"
    assert parse_key("Eb").short == "Eb"
    assert parse_key("D dorian").short == "D dorian"
    assert parse_key("A minor").pitch_classes == (9, 11, 0, 2, 4, 5, 7)


def test_the_prompt_key_is_the_theory_key() -> None:
    """One ``Key`` type: the prompt hands the planner and the backends the theory's key."""
    from storpheus import theory
    from storpheus.backends.embedded import harmony

    assert Key is theory.Key
    for text in ("C harmonic minor", "Dorian D", "B-flat", "F♯m", "E♭ melodic minor"):
        assert parse_key(text) == theory.parse_key(text) == harmony.parse_key(text)
        assert normalise_key(text) == theory.normalise_key(text)


@given(st.sampled_from(LETTERS), st.sampled_from(["", "#", "b"]), st.sampled_from(MODES))
def test_canonical_form_is_a_fixed_point(letter: str, accidental: str, mode: str) -> None:
    canonical = f"{letter}{accidental} {mode}"
    assert normalise_key(canonical) == canonical
    assert normalise_key(normalise_key(canonical.lower())) == canonical


@given(st.text(max_size=20))
def test_any_text_gives_a_key_or_invalid_key_error(text: str) -> None:
    try:
        key = parse_key(text)
    except InvalidKeyError:
        return
    assert str(key) == normalise_key(str(key))
