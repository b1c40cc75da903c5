"""Chord schedules: Roman-numeral progressions spelled in a key, laid out bar by bar.

Numerals are relative to the tonic's *major* scale (``bVII`` in C minor is
B♭, ``bIII`` is E♭), upper case for major, lower case for minor, ``°`` for
diminished and ``ø`` for half-diminished, followed by an extension (``7``,
``maj7``, ``9``, ``sus4``, ``6``, ``add9``, ``13``). Chord roots are spelled
with the letter of their scale degree, so ``bVI`` in E minor is ``C`` and
``III`` in C major is ``E``, never ``Fb``.

Example
-------
>>> from maestro_lab.prompts.keys import parse_key
>>> [chord_symbol(n, parse_key("C minor")) for n in ("i7", "iv7", "bVIImaj7", "bIIImaj7")]
['Cm7', 'Fm7', 'Bbmaj7', 'Ebmaj7']
>>> chord_symbol("iiø7", parse_key("A minor")), chord_symbol("V7", parse_key("F# minor"))
('Bm7b5', 'C#7')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from storpheus.errors import TheoryError
from storpheus.theory import LETTERS, MODES, Key, spell_on_letter, split_roman

MAJOR: Final = MODES["major"]
_QUALITIES: Final = {"°": "diminished", "ø": "half-diminished", "+": "augmented"}


class NumeralError(ValueError):
    """A Roman numeral the planner cannot read."""


@dataclass(frozen=True)
class Numeral:
    """A parsed Roman numeral: degree 1-7, alteration, quality and extension."""

    degree: int
    alteration: int
    quality: str
    extension: str

    @property
    def has_extension(self) -> bool:
        """True when the chord is more than a triad."""
        return bool(self.extension) or self.quality == "half-diminished"


def parse_numeral(text: str) -> Numeral:
    """Parse ``"bVIImaj7"``, ``"iiø7"``, ``"V7sus4"``... (raises :class:`NumeralError`)."""
    try:
        parts = split_roman(text)
    except TheoryError:
        raise NumeralError(f"{text!r} is not a Roman numeral chord") from None
    quality = _QUALITIES.get(parts.suffix[:1], "major" if parts.upper else "minor")
    extension = parts.suffix[1:] if parts.suffix[:1] in _QUALITIES else parts.suffix
    return Numeral(parts.degree, parts.alteration, quality, extension)


def root_name(numeral: Numeral, key: Key) -> str:
    """The letter-correct name of the numeral's root in ``key``."""
    letter = LETTERS[(LETTERS.index(key.tonic_name[0]) + numeral.degree - 1) % 7]
    target = key.tonic + MAJOR[numeral.degree - 1] + numeral.alteration
    try:
        return spell_on_letter(target, letter)
    except TheoryError:  # pragma: no cover - only reachable with triple accidentals
        raise NumeralError(f"cannot spell degree {numeral.degree} in {key}") from None


def chord_symbol(numeral: str | Numeral, key: Key, *, extensions: bool = True) -> str:
    """The chord symbol of a numeral in a key; ``extensions=False`` reduces to a triad.

    Dominant sevenths on ``V`` and ``sus4`` chords are kept as triads keep
    their function; every other extension is dropped when reducing.
    """
    parsed = parse_numeral(numeral) if isinstance(numeral, str) else numeral
    root = root_name(parsed, key)
    ext = parsed.extension
    if not extensions:
        ext = _reduce(parsed)
    if parsed.quality == "diminished":
        return root + ("dim7" if ext == "7" else "dim" + ext.removeprefix("7"))
    if parsed.quality == "half-diminished":
        return root + ("m7b5" if extensions or ext else "dim")
    if parsed.quality == "augmented":
        return root + "aug" + ext
    if parsed.quality == "minor":
        return root + "m" + ext
    return root + ext


def _reduce(numeral: Numeral) -> str:
    ext = numeral.extension
    if "sus" in ext:
        return "sus4" if "sus4" in ext else "sus2"
    if numeral.quality == "major" and numeral.degree == 5 and numeral.alteration == 0:
        return "7" if ext and not ext.startswith("maj") else ""
    return ""


def extend(numeral: str) -> str:
    """Add a diatonic seventh to a bare triad numeral (``"IV"`` -> ``"IVmaj7"``)."""
    parsed = parse_numeral(numeral)
    if parsed.extension or parsed.quality not in ("major", "minor"):
        return numeral
    if parsed.quality == "minor":
        return numeral + "7"
    if parsed.degree == 5 and parsed.alteration == 0:
        return numeral + "7"
    return numeral + "maj7"


def progression_in_key(
    numerals: str, key: Key, *, extensions: bool, extend_triads: bool = False
) -> tuple[str, ...]:
    """Spell a space-separated progression (``"i7 iv7 bVIImaj7"``) in ``key``."""
    out = []
    for numeral in numerals.split():
        if extend_triads and extensions:
            numeral = extend(numeral)
        out.append(chord_symbol(numeral, key, extensions=extensions))
    return tuple(out)


def bar_chords(
    progression: tuple[str, ...], bars: int, harmonic_rhythm: float
) -> tuple[tuple[tuple[float, str], ...], ...]:
    """Lay a progression out over ``bars``: per bar, the ``(bar fraction, chord)`` changes.

    ``harmonic_rhythm`` is chords per bar: 2 gives two changes per bar
    (fractions 0 and 0.5), 1 one per bar, 0.5 one every two bars (the chord
    is repeated at the start of the second bar so every bar says what sounds).
    """
    if not progression:
        raise ValueError("a progression needs at least one chord")
    per_bar = max(1, round(harmonic_rhythm)) if harmonic_rhythm >= 1 else 1
    bars_per_chord = 1 if harmonic_rhythm >= 1 else max(1, round(1 / harmonic_rhythm))
    out = []
    index = 0
    for bar in range(bars):
        if per_bar > 1:
            changes = []
            for slot in range(per_bar):
                changes.append((slot / per_bar, progression[index % len(progression)]))
                index += 1
            out.append(tuple(changes))
        else:
            chord = progression[(bar // bars_per_chord) % len(progression)]
            out.append(((0.0, chord),))
    return tuple(out)
