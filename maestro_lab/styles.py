"""Style knowledge: what the planner knows about 16 styles of music.

Each :class:`StyleProfile` gives the tempo range and default tempo, the
default roles and their General MIDI programs (0-indexed), the drum kit and
groove family, swing and subdivision, the progression pools (Roman numerals
relative to the tonic's *major* scale, so ``bVII`` in C minor is B♭), the
harmonic rhythm, bass/voicing/melody styles, the arrangement form family,
the emotion preset (five axes, 0-1) and the default insert effects.

:func:`resolve_style` maps free text ("Lo-Fi Hip Hop", "melodic techno",
"latin trap") to a profile: an exact id or alias, else the longest alias
contained in the text, else the default (``pop``) with ``matched=False``.

Example
-------
>>> match = resolve_style("dusty lo-fi hip hop")
>>> match.profile.id, match.alias, match.matched
('lofi', 'lo-fi hip hop', True)
>>> STYLES["jazz"].swing
0.66
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

DEFAULT_STYLE: Final = "pop"


@dataclass(frozen=True)
class StyleProfile:
    """Everything the planner needs to know about one style."""

    id: str
    name: str
    aliases: tuple[str, ...]
    tempo_range: tuple[int, int]
    default_tempo: int
    default_key: str
    default_roles: tuple[str, ...]
    programs: tuple[tuple[str, int], ...]
    drum_kit: str
    groove: str
    swing: float
    subdivision: int
    harmonic_rhythm: float
    extended_harmony: bool
    major_progressions: tuple[str, ...]
    minor_progressions: tuple[str, ...]
    bass_style: str
    voicing_style: str
    melody_style: str
    form: str
    emotion: tuple[float, float, float, float, float]
    effects: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def program(self, role: str) -> int | None:
        """The style's GM program for a canonical role (``None`` for drums/unknown)."""
        return dict(self.programs).get(role)

    def effects_for(self, role: str) -> tuple[str, ...]:
        """The style's insert effects for a canonical role."""
        return dict(self.effects).get(role, ())

    def progressions(self, minor: bool) -> tuple[str, ...]:
        """The progression pool for a minor-family or major-family key."""
        return self.minor_progressions if minor else self.major_progressions


def _p(**programs: int) -> tuple[tuple[str, int], ...]:
    return tuple(programs.items())


def _fx(**effects: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple((role, tuple(names.split())) for role, names in effects.items())


_PROFILES: Final = (
    StyleProfile(
        "lofi", "lo-fi hip hop",
        ("lofi", "lo-fi", "lo fi", "lofi hip hop", "lo-fi hip hop", "lo fi hip hop",
         "chillhop", "chill hop", "jazzhop", "jazz hop", "study beats"),
        (65, 95), 78, "F minor", ("drums", "bass", "chords", "melody"),
        _p(chords=4, bass=33, melody=11, lead=4, pads=89, arp=4, fx=99),
        "lofi", "lofi", 0.6, 4, 1.0, True,
        ("Imaj7 vi7 ii7 V7", "IVmaj7 iii7 ii7 Imaj7", "ii7 V7 Imaj7 Imaj7",
         "Imaj7 IVmaj7 iii7 vi7"),
        ("i7 iv7 bVIImaj7 bIIImaj7", "i7 bVImaj7 bIIImaj7 bVII7", "iiø7 V7 i7 i7", "i9 iv9 i9 v7"),
        "root_fifth", "rootless", "lyrical", "loop", (0.3, 0.45, 0.2, 0.75, 0.35),
        _fx(drums="filter compressor", chords="chorus reverb", melody="reverb"),
    ),
    StyleProfile(
        "boom_bap", "boom bap",
        ("boom bap", "boom-bap", "boombap", "hip hop", "hip-hop", "hiphop", "rap",
         "90s hip hop", "old school hip hop", "golden era"),
        (80, 100), 90, "A minor", ("drums", "bass", "chords"),
        _p(chords=0, bass=33, melody=0, lead=81, pads=48, arp=4, fx=102),
        "standard", "boom_bap", 0.58, 4, 1.0, False,
        ("Imaj7 IVmaj7 Imaj7 IVmaj7", "ii7 V7 Imaj7 vi7", "I vi IV V"),
        ("i7 iv7 i7 v7", "i bVI bIII bVII", "i7 bVII7 bVImaj7 V7", "i i bVI bVII"),
        "syncopated", "stabs", "riff", "loop", (0.6, 0.45, 0.4, 0.5, 0.7),
        _fx(drums="compressor overdrive", bass="compressor"),
    ),
    StyleProfile(
        "house", "house",
        ("house", "deep house", "tech house", "disco house", "french house", "edm",
         "dance", "club", "garage house"),
        (118, 128), 124, "A minor", ("drums", "bass", "chords", "pads"),
        _p(chords=0, bass=38, melody=80, lead=81, pads=89, arp=81, fx=95),
        "electronic", "four_on_the_floor", 0.52, 4, 1.0, False,
        ("ii7 V7 Imaj7 vi7", "IVmaj7 V7 iii7 vi7", "I V vi IV"),
        ("i7 bVII7 bVImaj7 bVII7", "i iv bVII bIII", "i7 iv7 i7 iv7"),
        "offbeat", "stabs", "riff", "edm", (0.8, 0.7, 0.4, 0.3, 0.9),
        _fx(drums="compressor", bass="compressor filter", pads="chorus reverb"),
    ),
    StyleProfile(
        "techno", "techno",
        ("techno", "minimal techno", "melodic techno", "industrial techno", "acid techno",
         "acid", "hard techno", "detroit techno"),
        (124, 140), 130, "A minor", ("drums", "bass", "arp", "pads"),
        _p(chords=90, bass=38, melody=80, lead=81, pads=94, arp=81, fx=103),
        "electronic", "techno", 0.5, 4, 0.5, False,
        ("I I IV IV", "I bVII I bVII"),
        ("i i i i", "i bVI i bVII", "i i iv iv", "i bII i bII"),
        "pulse", "spread", "hypnotic", "edm", (0.85, 0.35, 0.6, 0.2, 0.95),
        _fx(drums="compressor", bass="distortion filter", arp="delay"),
    ),
    StyleProfile(
        "trap", "trap",
        ("trap", "drill", "uk drill", "808", "atl trap", "rage", "dark trap"),
        (130, 160), 140, "C minor", ("drums", "bass", "melody", "pads"),
        _p(chords=0, bass=38, melody=10, lead=80, pads=89, arp=81, fx=119),
        "808", "trap", 0.5, 4, 0.5, False,
        ("I V vi IV", "vi IV I V"),
        ("i bVI bIII bVII", "i iv bVI V", "i i bVI bVI", "i bII i bII"),
        "sub", "spread", "riff", "loop", (0.7, 0.35, 0.55, 0.4, 0.75),
        _fx(drums="compressor", bass="filter overdrive"),
    ),
    StyleProfile(
        "jazz", "jazz",
        ("jazz", "swing", "bebop", "cool jazz", "jazz trio", "big band", "hard bop",
         "jazz ballad", "straight ahead"),
        (90, 200), 140, "F major", ("drums", "bass", "chords", "melody"),
        _p(chords=0, bass=32, melody=66, lead=56, pads=48, arp=11, fx=102),
        "jazz_brushes", "jazz_ride", 0.66, 3, 2.0, True,
        ("ii7 V7 Imaj7 VI7", "Imaj7 vi7 ii7 V7", "iii7 VI7 ii7 V7", "Imaj7 I7 IVmaj7 iv7"),
        ("iiø7 V7 i7 i7", "i7 iv7 bVII7 bIIImaj7", "i6 iiø7 V7 i6"),
        "walking", "rootless", "bebop", "aaba", (0.5, 0.6, 0.5, 0.6, 0.5),
        _fx(chords="reverb", melody="reverb"),
    ),
    StyleProfile(
        "bossa_nova", "bossa nova",
        ("bossa nova", "bossa", "samba", "brazilian", "mpb", "tropicalia"),
        (110, 150), 128, "D minor", ("drums", "bass", "chords", "melody"),
        _p(chords=24, bass=32, melody=73, lead=65, pads=48, arp=24, fx=102),
        "jazz_brushes", "bossa", 0.5, 4, 1.0, True,
        ("Imaj7 II7 ii7 V7", "Imaj7 vi7 ii7 V7", "ii7 V7 Imaj7 IVmaj7"),
        ("i7 iv7 bVIImaj7 bIIImaj7", "i6 iv7 V7 i6", "iiø7 V7 i7 bVImaj7"),
        "bossa", "close", "lyrical", "aaba", (0.4, 0.65, 0.35, 0.75, 0.55),
        _fx(chords="reverb", melody="reverb"),
    ),
    StyleProfile(
        "funk", "funk",
        ("funk", "funky", "disco", "p-funk", "boogie", "nu disco", "nu-disco"),
        (95, 120), 108, "E minor", ("drums", "bass", "chords", "lead"),
        _p(chords=7, bass=36, melody=61, lead=80, pads=16, arp=7, fx=102),
        "standard", "funk", 0.54, 4, 0.5, True,
        ("I7 IV7 I7 IV7", "I7 I7 IV7 I7", "ii7 V7 ii7 V7"),
        ("i7 IV7 i7 IV7", "i7 i7 iv7 V7", "i9 bVII9 i9 bVII9"),
        "funk", "stabs", "riff", "song", (0.8, 0.75, 0.35, 0.45, 0.9),
        _fx(drums="compressor", bass="compressor", chords="chorus"),
    ),
    StyleProfile(
        "ambient", "ambient",
        ("ambient", "drone", "new age", "meditation", "soundscape", "ambient electronic",
         "chillout", "downtempo"),
        (60, 90), 70, "D major", ("pads", "arp", "melody"),
        _p(chords=88, bass=39, melody=98, lead=75, pads=89, arp=98, fx=99),
        "electronic", "ambient", 0.5, 2, 0.25, True,
        ("Imaj7 IVmaj7 Imaj7 IVmaj7", "Iadd9 IVmaj7 vi7 IVmaj7", "I V vi IV"),
        ("i9 bVImaj7 bIIImaj7 bVII", "i bVI i bVI", "i7 iv7 bVImaj7 bIIImaj7"),
        "pedal", "spread", "sparse", "through", (0.15, 0.6, 0.2, 0.7, 0.1),
        _fx(pads="chorus reverb", melody="delay reverb", arp="delay reverb"),
    ),
    StyleProfile(
        "pop", "pop",
        ("pop", "synth pop", "synthpop", "indie pop", "k-pop", "dance pop", "electropop",
         "pop ballad", "top 40"),
        (90, 128), 110, "C major", ("drums", "bass", "chords", "melody"),
        _p(chords=0, bass=33, melody=80, lead=81, pads=89, arp=81, fx=102),
        "standard", "pop", 0.5, 4, 1.0, False,
        ("I V vi IV", "vi IV I V", "I vi IV V", "IV I V vi"),
        ("i bVI bIII bVII", "i bVII bVI bVII", "i iv bVI bVII"),
        "root_eighths", "close", "lyrical", "song", (0.65, 0.7, 0.35, 0.5, 0.65),
        _fx(drums="compressor", chords="reverb", melody="reverb"),
    ),
    StyleProfile(
        "rock", "rock",
        ("rock", "indie rock", "alt rock", "alternative rock", "punk", "grunge",
         "hard rock", "classic rock", "metal", "garage rock", "post rock", "post-rock"),
        (100, 160), 120, "E minor", ("drums", "bass", "chords", "lead"),
        _p(chords=29, bass=34, melody=30, lead=30, pads=18, arp=27, fx=102),
        "standard", "rock", 0.5, 4, 1.0, False,
        ("I bVII IV I", "I IV V IV", "I V IV I", "I bIII IV I"),
        ("i bVII bVI bVII", "i bIII bVII IV", "i iv bVI V"),
        "root_eighths", "power", "riff", "song", (0.9, 0.4, 0.7, 0.25, 0.85),
        _fx(drums="compressor", bass="overdrive", chords="overdrive", lead="distortion reverb"),
    ),
    StyleProfile(
        "cinematic", "cinematic",
        ("cinematic", "film score", "orchestral", "epic", "trailer", "soundtrack",
         "score", "epic orchestral", "movie score"),
        (60, 110), 80, "D minor", ("pads", "chords", "bass", "melody"),
        _p(chords=48, bass=42, melody=40, lead=60, pads=49, arp=45, fx=47),
        "orchestral", "cinematic", 0.5, 4, 0.5, False,
        ("I V vi iii", "IV I V vi", "I iii IV iv"),
        ("i bVI bIII bVII", "i bVI iv V", "i bIII bVII iv"),
        "pedal", "open", "lyrical", "through", (0.6, 0.45, 0.6, 0.3, 0.5),
        _fx(pads="reverb", melody="reverb", chords="reverb"),
    ),
    StyleProfile(
        "drum_and_bass", "drum and bass",
        ("drum and bass", "drum & bass", "drum n bass", "dnb", "d&b", "jungle",
         "liquid dnb", "liquid", "neurofunk"),
        (160, 180), 172, "F minor", ("drums", "bass", "pads", "melody"),
        _p(chords=4, bass=38, melody=80, lead=81, pads=89, arp=81, fx=103),
        "electronic", "breakbeat", 0.5, 4, 0.5, True,
        ("IVmaj7 iii7 vi7 V", "I V vi IV"),
        ("i bVI bVII i", "i7 iv7 bVImaj7 bVII", "i9 bVImaj7 i9 bVImaj7"),
        "sub", "spread", "riff", "edm", (0.9, 0.5, 0.55, 0.3, 0.95),
        _fx(drums="compressor", bass="distortion filter", pads="reverb"),
    ),
    StyleProfile(
        "reggaeton", "reggaeton",
        ("reggaeton", "dembow", "latin trap", "moombahton", "perreo", "urbano"),
        (88, 100), 95, "B minor", ("drums", "bass", "chords", "melody"),
        _p(chords=0, bass=38, melody=80, lead=81, pads=89, arp=0, fx=102),
        "electronic", "dembow", 0.5, 4, 1.0, False,
        ("I V vi IV", "vi IV I V"),
        ("i bVI bIII bVII", "i iv bVII bIII", "i bVII bVI bVII"),
        "sub", "stabs", "riff", "song", (0.75, 0.6, 0.4, 0.45, 0.85),
        _fx(drums="compressor", bass="compressor"),
    ),
    StyleProfile(
        "rnb", "r&b",
        ("r&b", "rnb", "r and b", "neo soul", "neo-soul", "soul", "slow jam",
         "contemporary r&b", "quiet storm"),
        (60, 100), 76, "Eb major", ("drums", "bass", "chords", "melody"),
        _p(chords=4, bass=33, melody=4, lead=80, pads=89, arp=4, fx=102),
        "standard", "rnb", 0.56, 4, 1.0, True,
        ("Imaj7 iii7 vi7 IVmaj7", "ii9 V13 Imaj9 vi9", "IVmaj7 iii7 ii7 Imaj7"),
        ("i9 iv9 bVIImaj7 bIIImaj7", "i7 bVImaj7 iv7 V7", "i7 iv7 i7 bVImaj7"),
        "syncopated", "rootless", "lyrical", "song", (0.45, 0.6, 0.35, 0.8, 0.5),
        _fx(chords="chorus reverb", melody="reverb", bass="compressor"),
    ),
    StyleProfile(
        "synthwave", "synthwave",
        ("synthwave", "retrowave", "outrun", "80s synth", "vaporwave", "darksynth"),
        (80, 118), 100, "A minor", ("drums", "bass", "arp", "pads", "lead"),
        _p(chords=90, bass=38, melody=80, lead=81, pads=89, arp=81, fx=95),
        "electronic", "synthwave", 0.5, 4, 1.0, False,
        ("I V vi IV", "vi IV I V"),
        ("i bVI bIII bVII", "i bVI bVII i", "i iv bVI bVII"),
        "octave", "spread", "lyrical", "song", (0.7, 0.55, 0.45, 0.3, 0.8),
        _fx(drums="compressor", pads="chorus reverb", lead="delay reverb", arp="delay"),
    ),
)  # fmt: skip

STYLES: Final[dict[str, StyleProfile]] = {p.id: p for p in _PROFILES}
"""Style profiles by id, in a fixed order."""


@dataclass(frozen=True)
class StyleMatch:
    """The result of :func:`resolve_style`: a profile and how it was found."""

    profile: StyleProfile
    alias: str | None
    matched: bool

    @property
    def id(self) -> str:
        """The style id (``"lofi"``, ``"boom_bap"``...)."""
        return self.profile.id


def _normalise(text: str) -> str:
    lowered = text.lower().replace("_", " ")
    lowered = re.sub(r"[^\w&' -]+", " ", lowered)
    return " ".join(lowered.split())


def resolve_style(text: str | None) -> StyleMatch:
    """The style profile that ``text`` names (see the module docstring)."""
    if text is None or not text.strip():
        return StyleMatch(STYLES[DEFAULT_STYLE], None, False)
    wanted = _normalise(text)
    if wanted.replace(" ", "_") in STYLES:
        return StyleMatch(STYLES[wanted.replace(" ", "_")], wanted, True)
    best: tuple[int, int, StyleProfile, str] | None = None
    padded = f" {wanted} "
    for order, profile in enumerate(_PROFILES):
        for alias in profile.aliases:
            if alias == wanted:
                return StyleMatch(profile, alias, True)
            if f" {alias} " in padded:
                rank = (-len(alias), order)
                if best is None or rank < (best[0], best[1]):
                    best = (rank[0], rank[1], profile, alias)
    if best is not None:
        return StyleMatch(best[2], best[3], True)
    return StyleMatch(STYLES[DEFAULT_STYLE], None, False)


def find_style(text: str) -> StyleMatch:
    """The style named *first* in free text (ties: the longer alias), for prose requests.

    >>> find_style("a dark techno track with cinematic strings").id
    'techno'
    """
    padded = f" {_normalise(text)} "
    best: tuple[int, int, int, StyleProfile, str] | None = None
    for order, profile in enumerate(_PROFILES):
        for alias in profile.aliases:
            at = padded.find(f" {alias} ")
            if at == -1:
                continue
            rank = (at, -len(alias), order)
            if best is None or rank < best[:3]:
                best = (*rank, profile, alias)
    if best is None:
        return StyleMatch(STYLES[DEFAULT_STYLE], None, False)
    return StyleMatch(best[3], best[4], True)


def style_names() -> list[str]:
    """Display names of every known style, in order."""
    return [p.name for p in _PROFILES]
