"""Chord symbols.

:func:`parse_chord` reads lead-sheet symbols into a :class:`Chord` (root,
intervals, optional slash bass): triads (``C``, ``Am``, ``F#dim``, ``Eaug``,
``D5``), suspensions (``Gsus4``, ``G7sus4``), sixths and sevenths (``C6``,
``Am7``, ``Cmaj7``, ``CΔ``, ``Bm7b5``, ``Bø``, ``C°7``, ``Cm(maj7)``),
extensions (``Cmaj9``, ``F13``, ``Dm11``, ``C6/9``), alterations and
additions (``G7b9``, ``C7(#9,b13)``, ``Cadd9``, ``C7no3``) and slash chords
(``Bb/D``). Jazz shorthand ``-`` means minor in a chord (``C-7`` = ``Cm7``).

Example
-------
>>> chord = parse_chord("Am7")
>>> chord.root, chord.pitch_classes, chord.name
(9, (9, 0, 4, 7), 'Am7')
>>> parse_chord("Bb/D").bass, parse_chord("Bb/D").pitches(root_pitch=58).tolist()
(2, [50, 58, 62, 65])
>>> chord_quality((0, 4, 7, 10))
'7'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Final

import numpy as np
import numpy.typing as npt

from storpheus.errors import ChordParseError, TheoryError
from storpheus.theory.pitch import (
    LETTER_PITCH_CLASSES,
    MAJOR_KEY_NAMES,
    pitch_class,
    split_note_name,
)

_UNICODE: Final = (("−", "-"), ("♭", "b"), ("♯", "#"), ("Δ", "maj"), ("△", "maj"), (" ", ""))
# Head tokens, longest first: (token, canonical head).
# (Parentheses are removed before matching, so "m(maj7)" is read as "mmaj7".)
_HEADS: Final = (
    ("minmaj", "mMaj"),
    ("mmaj", "mMaj"),
    ("mMaj", "mMaj"),
    ("-maj", "mMaj"),
    ("mM", "mMaj"),
    ("-M", "mMaj"),
    ("major", "maj"),
    ("maj", "maj"),
    ("Maj", "maj"),
    ("M", "maj"),
    ("minor", "m"),
    ("min", "m"),
    ("mi", "m"),
    ("m", "m"),
    ("-", "m"),
    ("dim", "dim"),
    ("°", "dim"),
    ("o", "dim"),
    ("ø", "hdim"),
    ("aug", "aug"),
    ("+", "aug"),
)
_EXTENSIONS: Final = ("6/9", "69", "13", "11", "9", "7", "6", "5", "2", "4")
_MODIFIERS: Final = (
    "add9",
    "add2",
    "add11",
    "add4",
    "add13",
    "add6",
    "sus2",
    "sus4",
    "sus",
    "no3",
    "no5",
    "omit3",
    "omit5",
    "b5",
    "#5",
    "+5",
    "-5",
    "b9",
    "#9",
    "+9",
    "-9",
    "#11",
    "+11",
    "b13",
    "-13",
    "maj7",
)
_MODIFIER_CANON: Final = {"+5": "#5", "-5": "b5", "+9": "#9", "-9": "b9", "+11": "#11"}
_MODIFIER_CANON_MORE: Final = {"-13": "b13", "omit3": "no3", "omit5": "no5", "sus": "sus4"}


@dataclass(frozen=True)
class Chord:
    """A chord: root pitch class, intervals above it, optional bass pitch class.

    ``intervals`` are semitones above the root in ascending order and may
    exceed 11 for extensions (a 9th is 14). ``quality`` is the canonical
    suffix (``""``, ``"m"``, ``"maj7"``, ``"m7b5"``, ``"7sus4"``...).
    ``symbol`` (as written) and ``root_spelling`` do not take part in equality.
    """

    root: int
    quality: str
    intervals: tuple[int, ...]
    bass: int | None = None
    symbol: str = field(default="", compare=False)
    root_spelling: str | None = field(default=None, compare=False, repr=False)
    bass_spelling: str | None = field(default=None, compare=False, repr=False)

    @property
    def pitch_classes(self) -> tuple[int, ...]:
        """Distinct chord-tone pitch classes, root first, in interval order (bass excluded)."""
        seen: list[int] = []
        for interval in self.intervals:
            pc = (self.root + interval) % 12
            if pc not in seen:
                seen.append(pc)
        return tuple(seen)

    @property
    def all_pitch_classes(self) -> tuple[int, ...]:
        """Chord tones plus the slash bass (bass first when it is not a chord tone)."""
        tones = self.pitch_classes
        if self.bass is None or self.bass in tones:
            return tones
        return (self.bass, *tones)

    @property
    def bass_pitch_class(self) -> int:
        """The lowest note's pitch class: the slash bass, else the root."""
        return self.root if self.bass is None else self.bass

    @property
    def name(self) -> str:
        """Canonical symbol, e.g. ``"Am7"``, ``"F#dim"``, ``"Bb/D"``."""
        root = self.root_spelling or _spell(self.root)
        if self.bass is None:
            return f"{root}{self.quality}"
        return f"{root}{self.quality}/{self.bass_spelling or _spell(self.bass)}"

    def __str__(self) -> str:
        return self.name

    def contains(self, pitches: npt.ArrayLike) -> npt.NDArray[np.bool_]:
        """Whether each MIDI pitch is a chord tone (or the slash bass)."""
        mask = np.zeros(12, dtype=bool)
        mask[list(self.all_pitch_classes)] = True
        return mask[np.asarray(pitches, dtype=np.int64) % 12]

    def pitches(self, root_pitch: int = 60) -> npt.NDArray[np.int64]:
        """MIDI pitches in root position from ``root_pitch`` upwards.

        A slash bass is added as the nearest pitch below the root. Pitches
        outside 0-127 are dropped.
        """
        if root_pitch % 12 != self.root:
            raise TheoryError(f"root_pitch={root_pitch} is not a {_spell(self.root)}")
        out = [root_pitch + i for i in self.intervals]
        if self.bass is not None:
            out.insert(0, root_pitch - ((self.root - self.bass) % 12 or 12))
        arr = np.asarray(out, dtype=np.int64)
        return arr[(arr >= 0) & (arr <= 127)]

    def transpose(self, semitones: int) -> Chord:
        """The same chord moved by ``semitones``."""
        bass = None if self.bass is None else (self.bass + semitones) % 12
        return Chord((self.root + semitones) % 12, self.quality, self.intervals, bass)


def _spell(pc: int) -> str:
    return MAJOR_KEY_NAMES[pc % 12]


def parse_chord(symbol: str, *, qualities: Mapping[str, str] | None = None) -> Chord:
    """Parse a chord symbol into a :class:`Chord`.

    ``qualities`` switches to the *compact* reading, a closed vocabulary of
    chord types mapped to the lead-sheet symbols they mean. The symbol is
    read as written (no Unicode or space clean-up, at most two accidentals
    ``#b♯♭`` on root and bass, the first ``/`` before a letter starts the
    bass); the longest listed suffix after the root is the chord type, and
    what follows is a list of literal tensions (:data:`COMPACT_TENSION`):
    added tones (``add9``, ``9``, ``(b9)``: an altered 9 replaces the 9),
    fifths (``b5``, ``#5``) that replace the fifth, and a plain 11 or 13
    also brings a minor seventh when the chord has none. The quality of a
    compact chord is its suffix as written.

    Examples
    --------
    >>> [parse_chord(s).pitch_classes for s in ("F#dim", "Cmaj9", "G7sus4")]
    [(6, 9, 0), (0, 4, 7, 11, 2), (7, 0, 2, 5)]
    >>> parse_chord("C(b9)").intervals, parse_chord("C(b9)", qualities={"": ""}).intervals
    ((0, 4, 7, 10, 13), (0, 4, 7, 13))

    Raises
    ------
    ChordParseError
        Not a string, no root, an unknown quality or a bad slash bass; the
        message quotes the part that could not be read.
    """
    if not isinstance(symbol, str):
        raise ChordParseError(symbol, f"must be a string, got {type(symbol).__name__}")
    if qualities is not None:
        return _parse_compact(symbol, qualities)
    text = symbol.strip()
    for old, new in _UNICODE:
        text = text.replace(old, new)
    if not text:
        raise ChordParseError(symbol, "is empty; expected a symbol such as 'Am7'")
    try:
        root, suffix = split_note_name(text, dash_is_flat=False)
    except TheoryError:
        raise ChordParseError(symbol, "does not start with a root letter A-G") from None
    root_spelling = text[: len(text) - len(suffix)]
    root_spelling = root_spelling[0].upper() + root_spelling[1:]
    bass: int | None = None
    bass_spelling: str | None = None
    if "/" in suffix:
        head, _, tail = suffix.rpartition("/")
        try:
            bass = pitch_class(tail)
            bass_spelling = tail[0].upper() + tail[1:]
            suffix = head
        except TheoryError:
            if not (head.endswith("6") and tail.startswith("9")):
                raise ChordParseError(symbol, f"slash bass {tail!r} is not a note name") from None
    quality, intervals = _parse_quality(symbol, suffix)
    if bass == root:
        bass, bass_spelling = None, None
    return Chord(root, quality, intervals, bass, symbol, root_spelling, bass_spelling)


def _parse_quality(symbol: str, suffix: str) -> tuple[str, tuple[int, ...]]:
    rest = suffix.replace("(", "").replace(")", "").replace(",", "")
    head = ""
    for token, canon in _HEADS:
        if rest.startswith(token):
            head, rest = canon, rest[len(token) :]
            break
    extension = ""
    for token in _EXTENSIONS:
        if rest.startswith(token):
            extension, rest = ("69" if token == "6/9" else token), rest[len(token) :]
            break
    modifiers: list[str] = []
    while rest:
        for token in _MODIFIERS:
            if rest.startswith(token):
                canon = _MODIFIER_CANON.get(token, _MODIFIER_CANON_MORE.get(token, token))
                modifiers.append(canon)
                rest = rest[len(token) :]
                break
        else:
            raise ChordParseError(symbol, f"cannot read {rest!r} in the chord quality")
    if head == "mMaj" and extension == "":
        extension = "7"  # "Cm(maj)" is the minor-major seventh
    if extension in ("2", "4"):  # "Csus2" was read as head "" + ... ; "C2" = add9 shorthand
        modifiers.insert(0, "add9" if extension == "2" else "add11")
        extension = ""
    return _build(symbol, head, extension, modifiers)


COMPACT_TENSION: Final = re.compile(r"\(?(add)?([b#♭♯]?)(9|11|13|5)\)?")
"""One tension of the compact reading: ``9``, ``(b9)``, ``add11``, ``#5``, ``(add13)``..."""
_COMPACT_SIGNS: Final = "#b♯♭"
_TENSION_BASE: Final = {"9": 14, "11": 17, "13": 21, "5": 7}


def _parse_compact(symbol: str, qualities: Mapping[str, str]) -> Chord:
    text = symbol.strip()
    if not text:
        raise ChordParseError(symbol, "is empty; expected a symbol such as 'Am7'")
    head, slash, bass_text = text.partition("/")
    bass: int | None = None
    if slash and bass_text[:1].upper() in LETTER_PITCH_CLASSES:
        bass, after = split_note_name(bass_text, signs=_COMPACT_SIGNS, max_accidentals=2)
        if after.strip():
            raise ChordParseError(symbol, f"unexpected {after!r} after the bass note")
    else:
        head = text
    try:
        root, rest = split_note_name(head.strip(), signs=_COMPACT_SIGNS, max_accidentals=2)
    except TheoryError:
        raise ChordParseError(symbol, "does not start with a root note A-G") from None
    quality = max((q for q in qualities if rest.startswith(q)), key=len, default="")
    intervals = set(_compact_quality(qualities.get(quality, quality)))
    tail = rest[len(quality) :]
    while tail:
        match = COMPACT_TENSION.match(tail)
        if not match or not match.group(0):
            raise ChordParseError(symbol, f"cannot read {tail!r}")
        add, accidental, number = match.groups()
        shift = {"b": -1, "♭": -1, "#": 1, "♯": 1}.get(accidental, 0)
        if number == "5":
            intervals.discard(7)
        elif not add and number in ("11", "13") and not intervals & {10, 11}:
            intervals.add(10)
        if not add and shift and number == "9":
            intervals.discard(14)
        intervals.add(_TENSION_BASE[number] + shift)
        tail = tail[match.end() :]
    bass = None if bass == root else bass
    return Chord(root, rest, tuple(sorted(intervals)), bass, symbol)


@lru_cache(maxsize=256)
def _compact_quality(lead_sheet: str) -> tuple[int, ...]:
    return parse_chord("C" + lead_sheet).intervals


def _build(
    symbol: str, head: str, extension: str, modifiers: list[str]
) -> tuple[str, tuple[int, ...]]:
    if head == "maj" and extension in ("", "6", "69", "5"):
        head = ""  # "Cmaj" and "CM6" are plain major chords
    if extension == "5":
        if head or modifiers:
            raise ChordParseError(symbol, "a power chord ('5') takes no quality or alteration")
        return "5", (0, 7)
    third = {"m": 3, "mMaj": 3, "dim": 3, "hdim": 3}.get(head, 4)
    fifth = {"dim": 6, "hdim": 6, "aug": 8}.get(head, 7)
    tones: set[int] = set()
    seventh: int | None = None
    if head == "hdim":
        seventh = 10
    if extension in ("7", "9", "11", "13"):
        seventh = {"maj": 11, "mMaj": 11, "dim": 9}.get(head, 10)
    if "maj7" in modifiers:
        seventh = 11
    if extension == "6":
        tones.add(9)
    if extension == "69":
        tones.update((9, 14))
    if extension in ("9", "11", "13"):
        tones.add(14)
    if extension == "11" or (extension == "13" and third == 3):
        tones.add(17)
    if extension == "13":
        tones.add(21)
    for mod in modifiers:
        if mod in ("sus2", "sus4"):
            third = 2 if mod == "sus2" else 5
        elif mod == "no3":
            third = 0
        elif mod == "no5":
            fifth = 0
        elif mod == "b5":
            fifth = 6
        elif mod == "#5":
            fifth = 8
        elif mod.startswith("add"):
            tones.add({"add9": 14, "add2": 2, "add11": 17, "add4": 5, "add13": 21, "add6": 9}[mod])
        elif mod in ("b9", "#9"):
            tones.discard(14)
            tones.add(13 if mod == "b9" else 15)
        elif mod == "#11":
            tones.discard(17)
            tones.add(18)
        elif mod == "b13":
            tones.discard(21)
            tones.add(20)
    if seventh is None and any(m in ("b9", "#9", "#11", "b13") for m in modifiers):
        seventh = 10  # "C(b9)": alterations imply a dominant seventh
        if extension == "":
            extension = "7"  # so the name reads "C7b9", not "Cb9" (C flat)
    chord = {0} | tones
    if third:
        chord.add(third)
    if fifth:
        chord.add(fifth)
    if seventh is not None:
        chord.add(seventh)
    quality = _quality_name(head, extension, modifiers)
    return quality, tuple(sorted(chord))


def _quality_name(head: str, extension: str, modifiers: list[str]) -> str:
    if head == "hdim":
        base = "m7b5" if extension in ("", "7") else f"m{extension}b5"
        extension = ""
    elif head == "dim" and extension == "7":
        base, extension = "dim7", ""
    elif head == "mMaj":
        base = "mMaj" + (extension or "7")
        extension = ""
    else:
        base = head
    return base + extension + "".join(modifiers)


_QUALITY_BY_INTERVALS: Final = {
    (0, 4, 7): "",
    (0, 3, 7): "m",
    (0, 3, 6): "dim",
    (0, 4, 8): "aug",
    (0, 4, 7, 11): "maj7",
    (0, 4, 7, 10): "7",
    (0, 3, 7, 10): "m7",
    (0, 3, 6, 10): "m7b5",
    (0, 3, 6, 9): "dim7",
    (0, 3, 7, 11): "mMaj7",
    (0, 4, 8, 11): "augmaj7",
    (0, 4, 7, 11, 14): "maj9",
    (0, 3, 7, 10, 14): "m9",
    (0, 4, 7, 10, 14): "9",
    (0, 4, 7, 14): "add9",
    (0, 3, 7, 14): "madd9",
    (0, 2, 7): "sus2",
    (0, 5, 7): "sus4",
    (0, 7): "5",
}


def chord_quality(intervals: tuple[int, ...]) -> str | None:
    """The usual suffix of a chord shape (ascending intervals above the root), if it has one.

    Covers triads, sevenths, ninths, ``add9`` chords, suspensions and power chords.

    >>> chord_quality((0, 3, 7, 10)), chord_quality((0, 4, 7, 11, 14)), chord_quality((0, 1, 2))
    ('m7', 'maj9', None)
    """
    return _QUALITY_BY_INTERVALS.get(tuple(intervals))
