"""One-bar rhythm patterns of the pitched roles, on a 16th-note grid.

A pattern is 16 characters (one 4/4 bar; cut or repeated for other meters).
A non-``.``/``-`` character starts a note, ``-`` holds it, ``.`` is silence.
Bass patterns use the character as a pitch token (``R`` root, ``O`` octave,
``5`` fifth, ``3`` third, ``7`` seventh, ``N`` approach to the next root,
``g`` dead note); comping patterns use ``x``.

Example
-------
>>> parse_steps("R-..5---", 8)
((0, 2, 'R'), (4, 4, '5'))
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final


@lru_cache(maxsize=2048)
def parse_steps(pattern: str, steps_per_bar: int) -> tuple[tuple[int, int, str], ...]:
    """``(step, length in steps, token)`` of each note of a pattern, in ``steps_per_bar`` steps."""
    reps = -(-steps_per_bar // max(1, len(pattern)))
    text = (pattern * reps)[:steps_per_bar]
    events: list[tuple[int, int, str]] = []
    current: list[int | str] | None = None
    for i, ch in enumerate(text):
        if ch == "-":
            if current is not None:
                current[1] = int(current[1]) + 1
            continue
        if current is not None:
            events.append((int(current[0]), int(current[1]), str(current[2])))
            current = None
        if ch != ".":
            current = [i, 1, ch]
    if current is not None:
        events.append((int(current[0]), int(current[1]), str(current[2])))
    return tuple(events)


BASS_PATTERNS: Final[dict[str, tuple[str, ...]]] = {
    "pumping": ("R-R-R-R-R-R-R-R-", "R-R-R-R-R-R-5-N-", "R---R-R-R---R-R-", "R-R-O-R-R-R-5-R-"),
    "rock": ("R-R-R-R-R-R-R-R-", "R-R-R-R-5-5-R-R-", "R-R-R-R-R-R-O-N-"),
    "offbeat": ("..R-..R-..R-..R-", "..O-..R-..O-..R-", "..R-..R-..R-.RO.", "..R...R...R...RN"),
    "rolling": (".RRR.RRR.RRR.RRR", "..RR..RR..RR..RO", ".R.R.R.R.R.R.R.R", ".RRO.RRR.RRO.RR5"),
    "bossa": ("R-----5-5-----N-", "R-----R-5-----5-", "R-----5-5-----R-"),
    "funk": ("R..O..R.g.R..5O.", "R.gR..O...R.g.7.", "R..R.O..R.gR.O..", "R-.O.gR...5.O.7."),
    "drone": ("R---------------",),
    "ostinato": ("R-R-R-R-R-R-R-R-", "R-RRR-RRR-RRR-RR", "R-------R-------", "R-R-R-R-O-R-R-R-"),
    "reggae": ("R-..R-5-..O.5-N.", "R-R.5-..O-5.R-..", "R--.3-5-..O.5-3."),
    "synthwave": ("RORORORORORORORO", "R.R.R.R.R.R.R.R.", "ROROROROROROR5RO"),
    "rnb": ("R-----.R-.5-..N-", "R--.R-..5-.O..N.", "R-----5.R-..3-N.", "R-.R---.5--.O-N."),
}
"""Bass step patterns by family (families not listed here are kick-locked or walking)."""

BASS_STYLE_ALIASES: Final[dict[str, str]] = {
    **{name: name for name in BASS_PATTERNS},
    "walking": "walking",
    "root_eighths": "pumping",
    "eighths": "pumping",
    "octave": "synthwave",
    "octaves": "synthwave",
    "pulse": "rolling",
    "pedal": "drone",
}
"""Bass style names a spec may carry, mapped to a family (others keep the style's own)."""

COMP_PATTERNS: Final[dict[str, tuple[str, ...]]] = {
    "lofi": ("x--------------.", "x-------..x-----", "x-----x-------..", "x---------x-----"),
    "boom_bap": ("x-.....x-.......", "x---....x---....", "x-..x-.......x-.", "x-------..x-...."),
    "house": ("..x...x...x...x.", "x..x..x...x..x..", "..x..x....x..x..", "...x..x....x..x."),
    "techno": ("..x.........x...", "...x......x.....", "..x...x.........", "x.........x..x.."),
    "trap": ("x---------------", "x-------x-------"),
    "jazz": (
        "x-....x.........",
        "..x.....x-......",
        "x.....x...x.....",
        "...x......x-....",
        "x-......x.......",
        "......x.....x...",
    ),
    "bossa": ("x..x..x...x..x..", "x.x..x.x..x..x..", "x..x..x...x.x..."),
    "funk": ("x.x..x.x..xx.x..", "..x.x..x.x..x.x.", "x..x.x....x..x.x", ".x.x..x..x.x..x."),
    "ambient": ("x---------------",),
    "pop": ("x---x---x---x---", "x-----x-x---x---", "x-------x-------", "x-x-x-x-x-x-x-x-"),
    "rock": ("x-x-x-x-x-x-x-x-", "x-----x-x-----x-", "x---x---x---x-x-"),
    "cinematic": ("x---------------", "x-x-x-x-x-x-x-x-", "x-------x-------"),
    "dnb": ("x---------------", "x-------..x-----", "x-----x---------"),
    "reggae": ("....x-......x-..", "..x...x...x...x.", "....x.x.....x.x."),
    "synthwave": ("x-x-x-x-x-x-x-x-", "x---------------", "x--x--x-x--x--x-"),
    "dembow": ("x..x..x...x..x..", "...x..x....x..x.", "x-.x-.x-..x-.x-."),
    "comp": ("x-------..x-----", "x-----x-------..", "..x-----x-------", "x--.x--.....x---"),
    "piano": ("x---x---x---x---", "x-x-x-x-x-x-x-x-", "x-----x-x-------", "x---x-x---x-x---"),
    "clav": ("x.x..x.x..xx.x..", ".xx.x..xx..x.x..", "x..xx.x..x..xx.x"),
    "bubble": ("..xx..xx..xx..xx", ".xx..xx..xx..xx."),
}
"""Comping rhythms by family, for chords and keys."""

COMP_GATE: Final[dict[str, float]] = {
    "house": 0.6,
    "techno": 0.5,
    "funk": 0.45,
    "clav": 0.45,
    "reggae": 0.55,
    "dembow": 0.6,
    "bubble": 0.5,
    "boom_bap": 0.85,
    "jazz": 0.8,
    "bossa": 0.85,
    "rock": 0.85,
    "synthwave": 0.8,
}
"""Fraction of each pattern slot a comping note sounds (default 0.95)."""

PER_BAR_FAMILIES: Final = frozenset({"jazz", "comp"})
"""Families that choose a new pattern every bar (comping), not every phrase."""
