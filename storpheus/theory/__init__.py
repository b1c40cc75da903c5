"""Music theory: note names, keys and modes, chord symbols, key finding.

The generator, the planner and the scorers share these helpers:

* :mod:`~storpheus.theory.pitch` — note names <-> pitch classes and MIDI pitches,
  spelling tables;
* :mod:`~storpheus.theory.keys` — :class:`Key`, :func:`parse_key`, modes, mode
  names and scales;
* :mod:`~storpheus.theory.chords` — :class:`Chord`, :func:`parse_chord` (lead-sheet
  and compact readings), :func:`chord_quality`;
* :mod:`~storpheus.theory.degrees` — :func:`split_roman`, :func:`roman_chord`,
  :func:`diatonic_chord`, :func:`diatonic_chords`;
* :mod:`~storpheus.theory.keyfinding` — :func:`estimate_key`
  (Krumhansl-Schmuckler, duration weighted, drums excluded) and the profiles.

Every parser raises a :class:`~storpheus.errors.TheoryError` subclass (a
``ValueError``) that names the text and what is wrong with it.

Example
-------
>>> from storpheus.theory import parse_key, parse_chord
>>> parse_key("Eb major").pitch_classes
(3, 5, 7, 8, 10, 0, 2)
>>> parse_chord("G7sus4").pitch_classes
(7, 0, 2, 5)
"""

from storpheus.theory.chords import Chord, chord_quality, parse_chord
from storpheus.theory.degrees import (
    RomanNumeral,
    diatonic_chord,
    diatonic_chords,
    roman_chord,
    split_roman,
)
from storpheus.theory.keyfinding import (
    PROFILES,
    estimate_key,
    key_correlations,
    key_fit,
    key_from_index,
    mode_profile,
    pitch_class_histogram,
)
from storpheus.theory.keys import (
    CHURCH_MODES,
    KEY_MODES,
    MAJOR_MINOR_ALIASES,
    MODE_ALIASES,
    MODES,
    SEVEN_NOTE_MODES,
    Key,
    as_key,
    canonical_mode,
    is_minor_mode,
    normalise_key,
    parse_key,
    scale_pitch_classes,
)
from storpheus.theory.pitch import (
    FLAT_NAMES,
    LETTER_PITCH_CLASSES,
    LETTERS,
    MAJOR_KEY_NAMES,
    MINOR_KEY_NAMES,
    MIXED_NAMES,
    SHARP_NAMES,
    interval_between,
    midi_pitch,
    note_name,
    pitch_class,
    pitch_name,
    spell_on_letter,
    split_note_name,
)

__all__ = [
    "CHURCH_MODES",
    "FLAT_NAMES",
    "KEY_MODES",
    "LETTERS",
    "LETTER_PITCH_CLASSES",
    "MAJOR_KEY_NAMES",
    "MAJOR_MINOR_ALIASES",
    "MINOR_KEY_NAMES",
    "MIXED_NAMES",
    "MODES",
    "MODE_ALIASES",
    "PROFILES",
    "SEVEN_NOTE_MODES",
    "SHARP_NAMES",
    "Chord",
    "Key",
    "RomanNumeral",
    "as_key",
    "canonical_mode",
    "chord_quality",
    "diatonic_chord",
    "diatonic_chords",
    "estimate_key",
    "interval_between",
    "is_minor_mode",
    "key_correlations",
    "key_fit",
    "key_from_index",
    "midi_pitch",
    "mode_profile",
    "normalise_key",
    "note_name",
    "parse_chord",
    "parse_key",
    "pitch_class",
    "pitch_class_histogram",
    "pitch_name",
    "roman_chord",
    "scale_pitch_classes",
    "spell_on_letter",
    "split_note_name",
    "split_roman",
]
