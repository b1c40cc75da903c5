"""Role normalisation: instrument words -> canonical roles, GM programs, track names.

Canonical roles are those a generation step can name: ``drums``,
``bass``, ``chords``, ``pads``, ``melody``, ``lead``, ``arp``, ``fx``.
:func:`normalise_role` maps what people write (``"piano"``, ``"sub bass"``,
``"warm rhodes"``, ``"sax"``, ``"kick"``) to a role, an optional specific GM
program (0-indexed) and, for drum words, the drum part they name.

Example
-------
>>> m = normalise_role("Warm Rhodes")
>>> m.role, m.program, m.track_name
('chords', 4, 'Warm Rhodes')
>>> normalise_role("hi-hats").drum_part
'hats'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal

RoleName = Literal["drums", "bass", "chords", "pads", "melody", "lead", "arp", "fx"]
ROLES: Final[tuple[RoleName, ...]] = (
    "drums",
    "bass",
    "chords",
    "pads",
    "melody",
    "lead",
    "arp",
    "fx",
)
"""Canonical roles, in the order tracks are laid out."""
_BY_NAME: Final[dict[str, RoleName]] = {r: r for r in ROLES}


def as_role_name(role: str) -> RoleName:
    """``role`` as a :data:`RoleName` (``ValueError`` if it is not canonical)."""
    if role not in _BY_NAME:
        raise ValueError(f"{role!r} is not a canonical role; roles: {', '.join(ROLES)}")
    return _BY_NAME[role]


DEFAULT_PROGRAMS: Final[dict[str, int]] = {
    "bass": 33,
    "chords": 0,
    "pads": 89,
    "melody": 73,
    "lead": 81,
    "arp": 81,
    "fx": 99,
}
"""GM programs used when neither the instrument word nor the style names one."""

ROLE_COLORS: Final = {
    "drums": "#E5533D",
    "bass": "#3D7DE5",
    "chords": "#9B59B6",
    "pads": "#1ABC9C",
    "melody": "#F1C40F",
    "lead": "#E67E22",
    "arp": "#2ECC71",
    "fx": "#95A5A6",
}
ROLE_ICONS: Final = {
    "drums": "drums",
    "bass": "bass",
    "chords": "keys",
    "pads": "pad",
    "melody": "melody",
    "lead": "lead",
    "arp": "arp",
    "fx": "fx",
}
ROLE_TRACK_NAMES: Final[dict[str, str]] = {str(r): r.capitalize() for r in ROLES} | {"fx": "FX"}

# word -> (role, program or None, drum part or None)
_D = "drums"
INSTRUMENTS: Final[dict[str, tuple[str, int | None, str | None]]] = {
    # drums and their parts
    "drums": (_D, None, None), "drum": (_D, None, None), "drum kit": (_D, None, None),
    "kit": (_D, None, None), "beat": (_D, None, None), "beats": (_D, None, None),
    "breakbeat": (_D, None, None), "groove": (_D, None, None), "808 drums": (_D, None, None),
    "kick": (_D, None, "kick"), "kicks": (_D, None, "kick"), "kick drum": (_D, None, "kick"),
    "bass drum": (_D, None, "kick"), "snare": (_D, None, "snare"), "snares": (_D, None, "snare"),
    "snare drum": (_D, None, "snare"), "clap": (_D, None, "snare"), "claps": (_D, None, "snare"),
    "rimshot": (_D, None, "snare"), "hats": (_D, None, "hats"), "hat": (_D, None, "hats"),
    "hi-hat": (_D, None, "hats"), "hi-hats": (_D, None, "hats"), "hihat": (_D, None, "hats"),
    "hihats": (_D, None, "hats"), "hi hat": (_D, None, "hats"), "hi hats": (_D, None, "hats"),
    "ride": (_D, None, "cymbals"), "cymbals": (_D, None, "cymbals"), "crash": (_D, None, "cymbals"),
    "toms": (_D, None, "toms"), "percussion": (_D, None, "percussion"),
    "perc": (_D, None, "percussion"), "shaker": (_D, None, "percussion"),
    "shakers": (_D, None, "percussion"), "tambourine": (_D, None, "percussion"),
    "congas": (_D, None, "percussion"), "bongos": (_D, None, "percussion"),
    "cajon": (_D, None, "percussion"), "tabla": (_D, None, "percussion"),
    # bass
    "bass": ("bass", None, None), "bassline": ("bass", None, None),
    "bass line": ("bass", None, None), "sub": ("bass", 38, None), "sub bass": ("bass", 38, None),
    "808": ("bass", 38, None), "808s": ("bass", 38, None), "808 bass": ("bass", 38, None),
    "synth bass": ("bass", 38, None), "acid bass": ("bass", 38, None),
    "upright bass": ("bass", 32, None), "acoustic bass": ("bass", 32, None),
    "double bass": ("bass", 32, None), "walking bass": ("bass", 32, None),
    "contrabass": ("bass", 43, None), "electric bass": ("bass", 33, None),
    "finger bass": ("bass", 33, None), "pick bass": ("bass", 34, None),
    "fretless": ("bass", 35, None), "fretless bass": ("bass", 35, None),
    "slap bass": ("bass", 36, None), "tuba": ("bass", 58, None), "cello": ("bass", 42, None),
    # chords / keys
    "chords": ("chords", None, None), "chord": ("chords", None, None),
    "keys": ("chords", None, None), "comping": ("chords", None, None),
    "piano": ("chords", 0, None), "grand piano": ("chords", 0, None),
    "upright piano": ("chords", 0, None), "electric piano": ("chords", 4, None),
    "rhodes": ("chords", 4, None), "e-piano": ("chords", 4, None), "ep": ("chords", 4, None),
    "wurlitzer": ("chords", 5, None), "wurli": ("chords", 5, None),
    "organ": ("chords", 16, None), "hammond": ("chords", 16, None), "b3": ("chords", 16, None),
    "church organ": ("chords", 19, None), "clavinet": ("chords", 7, None),
    "clav": ("chords", 7, None), "harpsichord": ("chords", 6, None),
    "guitar": ("chords", 25, None), "acoustic guitar": ("chords", 25, None),
    "nylon guitar": ("chords", 24, None), "classical guitar": ("chords", 24, None),
    "rhythm guitar": ("chords", 27, None), "jazz guitar": ("chords", 26, None),
    "ukulele": ("chords", 24, None), "harp": ("chords", 46, None),
    "vibraphone": ("chords", 11, None), "vibes": ("chords", 11, None),
    "stabs": ("chords", None, None),
    # pads
    "pad": ("pads", None, None), "pads": ("pads", None, None), "synth pad": ("pads", 89, None),
    "warm pad": ("pads", 89, None), "strings": ("pads", 48, None),
    "string section": ("pads", 48, None), "string ensemble": ("pads", 48, None),
    "synth strings": ("pads", 50, None), "choir": ("pads", 52, None),
    "voices": ("pads", 52, None), "synth": ("pads", None, None), "synths": ("pads", None, None),
    "atmosphere": ("pads", 99, None), "texture": ("pads", 99, None),
    "textures": ("pads", 99, None), "drone": ("pads", 89, None),
    # melody
    "melody": ("melody", None, None), "melodies": ("melody", None, None),
    "topline": ("melody", None, None), "hook": ("melody", None, None),
    "countermelody": ("melody", None, None), "counter-melody": ("melody", None, None),
    "sax": ("melody", 65, None), "saxophone": ("melody", 65, None),
    "alto sax": ("melody", 65, None), "tenor sax": ("melody", 66, None),
    "soprano sax": ("melody", 64, None), "baritone sax": ("melody", 67, None),
    "flute": ("melody", 73, None), "piccolo": ("melody", 72, None),
    "clarinet": ("melody", 71, None), "oboe": ("melody", 68, None),
    "bassoon": ("melody", 70, None), "trumpet": ("melody", 56, None),
    "muted trumpet": ("melody", 59, None), "trombone": ("melody", 57, None),
    "french horn": ("melody", 60, None), "horn": ("melody", 60, None),
    "horns": ("melody", 61, None), "brass": ("melody", 61, None),
    "violin": ("melody", 40, None), "fiddle": ("melody", 40, None),
    "viola": ("melody", 41, None), "harmonica": ("melody", 22, None),
    "accordion": ("melody", 21, None), "whistle": ("melody", 78, None),
    "pan flute": ("melody", 75, None), "recorder": ("melody", 74, None),
    "vocal": ("melody", 54, None), "vocals": ("melody", 54, None), "voice": ("melody", 54, None),
    "bells": ("melody", 9, None), "glockenspiel": ("melody", 9, None),
    "music box": ("melody", 10, None), "celesta": ("melody", 8, None),
    "marimba": ("melody", 12, None), "xylophone": ("melody", 13, None),
    "kalimba": ("melody", 108, None), "steel drums": ("melody", 114, None),
    "sitar": ("melody", 104, None), "koto": ("melody", 107, None),
    "banjo": ("melody", 105, None), "mandolin": ("melody", 25, None),
    # lead
    "lead": ("lead", None, None), "lead synth": ("lead", 81, None),
    "synth lead": ("lead", 81, None), "saw lead": ("lead", 81, None),
    "square lead": ("lead", 80, None), "electric guitar": ("lead", 27, None),
    "lead guitar": ("lead", 29, None), "guitar solo": ("lead", 29, None),
    "distorted guitar": ("lead", 30, None), "distortion guitar": ("lead", 30, None),
    "overdriven guitar": ("lead", 29, None), "solo": ("lead", None, None),
    # arp
    "arp": ("arp", None, None), "arps": ("arp", None, None), "arpeggio": ("arp", None, None),
    "arpeggios": ("arp", None, None), "arpeggiator": ("arp", None, None),
    "sequence": ("arp", None, None), "pluck": ("arp", None, None), "plucks": ("arp", None, None),
    # fx
    "fx": ("fx", None, None), "sfx": ("fx", None, None), "effects": ("fx", None, None),
    "riser": ("fx", 95, None), "risers": ("fx", 95, None), "sweep": ("fx", 95, None),
    "sweeps": ("fx", 95, None), "impact": ("fx", 119, None), "impacts": ("fx", 119, None),
    "noise": ("fx", 122, None), "vinyl": ("fx", 121, None),
}  # fmt: skip
"""Instrument words: (canonical role, specific GM program or None, drum part or None)."""


@dataclass(frozen=True)
class RoleMatch:
    """How one instrument word was understood."""

    word: str
    role: RoleName
    program: int | None
    drum_part: str | None
    known: bool
    matched: str | None

    @property
    def track_name(self) -> str:
        """Display name: the role's name for role words, else the word in title case."""
        if self.word in ROLES or self.word in ("keys", "drum", "chord") or not self.known:
            return ROLE_TRACK_NAMES.get(self.word, self.word.title())
        return " ".join(part.upper() if part in ("fx", "ep", "b3") else part.capitalize()
                        for part in self.word.split())  # fmt: skip


def _clean(word: str) -> str:
    return " ".join(re.sub(r"[^\w#&' -]+", " ", word.lower().replace("_", " ")).split())


def normalise_role(word: str) -> RoleMatch:
    """Understand one instrument/role word (see the module docstring).

    Exact table entries win; otherwise the longest table phrase contained
    in ``word`` as whole words (``"dusty drums"`` -> drums); otherwise the
    word is unknown and played as a melody (``known=False``).
    """
    cleaned = _clean(word)
    if cleaned in INSTRUMENTS:
        role, program, part = INSTRUMENTS[cleaned]
        return RoleMatch(cleaned, as_role_name(role), program, part, True, cleaned)
    padded = f" {cleaned} "
    best: str | None = None
    for phrase in INSTRUMENTS:
        if f" {phrase} " in padded and (best is None or len(phrase) > len(best)):
            best = phrase
    if best is not None:
        role, program, part = INSTRUMENTS[best]
        return RoleMatch(cleaned, as_role_name(role), program, part, True, best)
    return RoleMatch(cleaned, "melody", None, None, False, None)


def find_instruments(text: str) -> tuple[str, ...]:
    """Instrument words mentioned in free text, in order of appearance, longest match first.

    >>> find_instruments("a lofi beat with dusty drums, a warm rhodes and a sub bass")
    ('drums', 'rhodes', 'sub bass')
    """
    cleaned = f" {_clean(text)} "
    taken: list[tuple[int, int, str]] = []
    for phrase in sorted(INSTRUMENTS, key=lambda p: (-len(p), p)):
        if phrase in ("beat", "beats", "groove", "kit", "sequence", "effects", "hook", "solo"):
            continue  # too generic in prose ("a lofi beat" is not a drum part request)
        start = cleaned.find(f" {phrase} ")
        while start != -1:
            span = (start + 1, start + 1 + len(phrase))
            if all(span[1] <= a or span[0] >= b for a, b, _ in taken):
                taken.append((span[0], span[1], phrase))
            start = cleaned.find(f" {phrase} ", start + 1)
    seen: list[str] = []
    for _, _, phrase in sorted(taken):
        if phrase not in seen:
            seen.append(phrase)
    return tuple(seen)
