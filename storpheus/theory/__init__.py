"""Music theory: note names, keys and modes, chord symbols, key finding.

The generator, the planner and the scorers share these helpers:

* :mod:`~storpheus.theory.pitch` — note names <-> pitch classes and MIDI pitches;
* :mod:`~storpheus.theory.keys` — :class:`Key`, :func:`parse_key`, modes and scales;
* :mod:`~storpheus.theory.chords` — :class:`Chord`, :func:`parse_chord`,
  :func:`roman_chord`, :func:`diatonic_chords`;
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

from storpheus.theory.chords import Chord, diatonic_chords, parse_chord, roman_chord
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
    MODE_ALIASES,
    MODES,
    Key,
    as_key,
    canonical_mode,
    parse_key,
    scale_pitch_classes,
)
from storpheus.theory.pitch import (
    FLAT_NAMES,
    SHARP_NAMES,
    interval_between,
    midi_pitch,
    note_name,
    pitch_class,
    pitch_name,
)

__all__ = [
    "FLAT_NAMES",
    "MODES",
    "MODE_ALIASES",
    "PROFILES",
    "SHARP_NAMES",
    "Chord",
    "Key",
    "as_key",
    "canonical_mode",
    "diatonic_chords",
    "estimate_key",
    "interval_between",
    "key_correlations",
    "key_fit",
    "key_from_index",
    "midi_pitch",
    "mode_profile",
    "note_name",
    "parse_chord",
    "parse_key",
    "pitch_class",
    "pitch_class_histogram",
    "pitch_name",
    "roman_chord",
    "scale_pitch_classes",
]
